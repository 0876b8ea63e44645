"""Data files the assistant reads at run time (word lists, the thesaurus, trained weights); see
scripts/build_word_lists.py. Read through the two functions below, each file once per process."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from io import BytesIO


@lru_cache(maxsize=None)
def word_list(name: str) -> frozenset[str]:
    """The words of a bundled list (one or more per line; lines starting with # are comments)."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return frozenset(
        word for line in text.splitlines() if not line.startswith("#") for word in line.split()
    )


def bundled_arrays(name: str) -> dict | None:
    """The arrays of a bundled .npz file (trained weights), or None when it is not shipped."""
    import numpy  # only the modules with trained weights need it

    resource = resources.files(__name__).joinpath(name)
    if not resource.is_file():
        return None
    with numpy.load(BytesIO(resource.read_bytes())) as stored:
        return {key: stored[key] for key in stored.files}
