"""Query expansion from the practitioners' thesaurus (assistant/data/thesaurus.toml)."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _entries() -> list[tuple[re.Pattern[str], str]]:
    text = resources.files("assistant.data").joinpath("thesaurus.toml").read_text(encoding="utf-8")
    return [(re.compile(rf"\b{re.escape(key)}", re.IGNORECASE), words) for key, words in tomllib.loads(text).items()]


def expand(question: str) -> str:
    """The question followed by the guidance's words for what it mentions."""
    extra = [words for pattern, words in _entries() if pattern.search(question)]
    return " ".join([question, *extra])
