"""The personal-data guard's time grows with the length of the text, not with its square: a long
pasted note must not hold the question up for minutes. Counts what the guard copies out of the
text, and compares ten times the text with the text (linear: about 10 times the time; quadratic:
about 100), never an absolute time. `python -m evals.pii.speed` prints the figures."""

from __future__ import annotations

import pytest

from assistant.core.guard import redact
from evals.pii.speed import mixed_text, time_redact

LINEAR_ENOUGH = 30  # ten times the text; a quadratic part shows as 60 to 100


def _repeated(unit: str):
    return lambda size: (unit * (size // len(unit) + 1))[:size]


SHAPES = {
    "questions with names and numbers": mixed_text,
    "a pasted link or blob with no spaces": lambda size: "x" * size,
    "a form padded with spaces after a cue": lambda size: "Client" + " " * size + "1",
    "a reference padded with dots": lambda size: "ref" + "." * size + "Ok",
}


@pytest.mark.slow
@pytest.mark.parametrize("shape", list(SHAPES))
def test_time_grows_linearly_with_the_text(shape):
    make = SHAPES[shape]
    small, large = make(20_000), make(200_000)
    small_time = time_redact(small, repeat=5)
    ratio = float("inf")
    for _ in range(3):  # a busy machine slows one run: retry, unless plainly quadratic
        ratio = min(ratio, time_redact(large) / max(small_time, 1e-4))
        if ratio < LINEAR_ENOUGH or ratio > 3 * LINEAR_ENOUGH:
            break
    assert ratio < LINEAR_ENOUGH, f"{shape}: 10x the text took {ratio:.0f}x the time"


class _CountingText(str):
    """A question that counts the characters sliced out of it."""

    def __getitem__(self, key):
        part = str.__getitem__(self, key)
        self.copied = getattr(self, "copied", 0) + len(part)
        return part


def test_the_guard_never_copies_the_text_before_each_word():
    # Whether a name starts a sentence used to be decided on a copy of all the text before it:
    # each name copied the text so far, which grows with the square of the text.
    text = _CountingText(_repeated("to Kwabena, ")(20_000))
    assert redact(text).found
    assert 0 < text.copied <= 3 * len(text), f"copied {text.copied:,} characters of {len(text):,}"
