"""How the personal-data guard's time grows with the length of what it reads.

A pasted case note or transcript can run to many thousands of characters, and the guard reads
all of it before anything else does. This builds realistic mixed text (the labelled questions,
with names, numbers, addresses and dates, among the clean guidance questions, in paragraphs) of
2k, 20k and 200k characters and times `redact` on each, as the assistant runs it (knowing the
library's words). Linear growth shows as a ratio near 10 between one size and the next.

    python -m evals.pii.speed [SIZE ...]
"""

from __future__ import annotations

import random
import sys
import time

from assistant.core.guard import redact
from evals.pii.measure import library_uses, load_cases, load_clean

SIZES = (2_000, 20_000, 200_000)
SEED = 20261123


def mixed_text(size: int, seed: int = SEED) -> str:
    """`size` characters of questions, two of every three carrying personal data."""
    rng = random.Random(seed)
    labelled = [case["text"] for case in load_cases()]
    clean = load_clean()
    parts: list[str] = []
    length = 0
    while length < size:
        sentence = rng.choice(labelled) if rng.random() < 2 / 3 else rng.choice(clean)
        separator = "\n\n" if rng.random() < 0.1 else " "
        parts += [sentence, separator]
        length += len(sentence) + len(separator)
    return "".join(parts)[:size]


def time_redact(text: str, words=None, repeat: int = 1) -> float:
    """The best of `repeat` runs of `redact` on `text`, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        redact(text, words)
        best = min(best, time.perf_counter() - started)
    return best


def main(argv: list[str]) -> int:
    sizes = [int(arg) for arg in argv] or list(SIZES)
    words = library_uses()
    redact("warm up the word lists: Mrs Okafor", words)
    previous = None
    print(f"{'characters':>11}{'seconds':>10}{'per 1k chars':>14}{'x previous':>12}")
    for size in sizes:
        text = mixed_text(size)
        seconds = time_redact(text, words, repeat=3 if size <= 20_000 else 1)
        growth = f"{seconds / previous:>12.1f}" if previous else f"{'':>12}"
        print(f"{size:>11,}{seconds:>10.3f}{seconds / size * 1000:>14.4f}{growth}")
        previous = seconds
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
