"""The citation rules, in one place: is a quote the passage's own words, where is it in the
passage, and is a sentence supported by what it cites. The answer path (verify.py, compose.py),
the harness (evals/metrics.py, evals/judges.py) and the chat's highlighting (chat/adapter.py) all
ask here, so a quote the verifier lets through is one the harness counts as verbatim and the chat
shows in bold.

Verbatim, as a careful reader takes it:
  * text is compared as its words: white space of any kind and amount is one space, curly and
    straight quote marks are the same, and a list marker standing alone as a word ("- ", "• ")
    is layout, not the guidance's words: a quote may run across two list items without them;
  * letters keep their case, and a quote starts and ends on whole words of the passage;
  * the punctuation around a quote (its full stop, its quote marks) is the quoter's, not a word;
  * "..." (or "…", ". . .", "[...]") stands for left-out words: each piece between them is in the
    passage, in that order, with at most MAX_ELIDED_WORDS left out at each ellipsis. A longer gap
    joins words the passage does not say together (a passage is at most about 180 words, so
    this is about three sentences).

Supported: a sentence that is one of the cited sentences whole is; any other needs both to be
close in meaning to one cited sentence and to be made mostly of the cited passages' words
(`Support.enough`; thresholds measured by evals/support/measure.py).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from assistant.core.domain import Passage
from assistant.core.embeddings import cosine, unpack_vectors
from assistant.core.lexical import terms
from assistant.settings import Settings

MIN_QUOTE_WORDS = 3  # "AI" is "in the passage" but proves nothing
MAX_ELIDED_WORDS = 60
_QUOTE_MARKS = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "`": "'"})
_LIST_MARKERS = frozenset({"-", "•"})
_WORD = re.compile(r"\S+")
_ELLIPSIS = re.compile(r"\s*\[?\s*(?:\.\s?\.\s?\.|…)\s*\]?\s*")
_EDGE = " .,;:!?'\""  # a quote's own punctuation, after quote marks are straightened


def normalise(text: str) -> str:
    """`text` as compared: its words one space apart, quote marks straight, list markers gone."""
    return _flatten(text)[0]


def worth_checking(quote: str) -> bool:
    """Whether `quote` has words enough to prove anything: shorter quotes are not checked."""
    return sum(len(piece.split()) for piece in _pieces(quote)) >= MIN_QUOTE_WORDS


def quote_in(quote: str, passage: str) -> bool:
    """Whether `quote` is in `passage` word for word (the rules above)."""
    return quote_span(quote, passage) is not None


def quote_span(quote: str, passage: str) -> tuple[int, int] | None:
    """Where `quote` is in `passage` (offsets in `passage` as given): from its first word to its
    last, with the quote's own punctuation where the passage has it; None if it is not there."""
    pieces = _pieces(quote)
    if not pieces:
        return None
    flat, origin = _flatten(passage)
    found = _placed(flat, tuple(pieces))
    if found is None:
        return None
    start, end = origin[found[0]], origin[found[1] - 1] + 1
    # Widen over the quote's opening and closing punctuation where the passage has it too
    # ("You remain accountable." is shown with its full stop).
    straight = passage.translate(_QUOTE_MARKS)
    head, tail = _edges(quote)
    for char in reversed(head):
        if start == 0 or straight[start - 1] != char:
            break
        start -= 1
    for char in tail:
        if end == len(straight) or straight[end] != char:
            break
        end += 1
    return start, end


def sentence_holding(sentences: Sequence[str], quote: str) -> int | None:
    """The index of the first of `sentences` that holds `quote` word for word, if one does."""
    return next((i for i, sentence in enumerate(sentences) if quote_in(quote, sentence)), None)


def said_whole(statement: str, sentences: Iterable[str]) -> bool:
    """Whether `statement` is one of `sentences`, whole and word for word."""
    wanted = normalise(statement).strip(_EDGE)
    return bool(wanted) and any(normalise(s).strip(_EDGE) == wanted for s in sentences)


@dataclass(frozen=True)
class Support:
    """How well a sentence is supported by the passages it cites."""

    similarity: float  # best cosine between the sentence and a cited sentence
    overlap: float  # share of the sentence's content words found in the cited passages

    def enough(self, settings: Settings) -> bool:
        # Both, not either: on the labelled claims (evals/support) "either" let through 3 in 4
        # unsupported sentences, negations and overreach almost all.
        return (
            self.similarity >= settings.support_min_similarity
            and self.overlap >= settings.support_min_overlap
        )


def support(
    statement: str,
    vector: Sequence[float],
    sentence_vectors: Iterable[Sequence[float]],
    evidence: Iterable[str],
) -> Support:
    """`statement` (embedded as `vector`) against the cited sentences' vectors and texts."""
    similarity = max((cosine(vector, other) for other in sentence_vectors), default=0.0)
    return Support(similarity, shared_words(statement, evidence))


def passage_support(statement: str, vector: Sequence[float], cited: Sequence[Passage]) -> Support:
    """`support` against passages of the index: their stored sentence vectors, and their text
    with its section headings (what the embedder saw)."""
    return support(
        statement,
        vector,
        [v for p in cited for v in unpack_vectors(p.chunk.sentence_vectors, len(vector))],
        [p.chunk.embedding_text() for p in cited],
    )


def shared_words(statement: str, evidence: Iterable[str]) -> float:
    """The share of `statement`'s content words found in `evidence`."""
    words = set(terms(statement))
    available = {term for text in evidence for term in terms(text)}
    return len(words & available) / len(words) if words else 0.0


def _flatten(text: str) -> tuple[str, list[int]]:
    """`normalise(text)`, and for each of its characters the offset in `text` it comes from."""
    flat: list[str] = []
    origin: list[int] = []
    for word in _WORD.finditer(text.translate(_QUOTE_MARKS)):
        if word.group() in _LIST_MARKERS:
            continue
        if flat:
            flat.append(" ")
            origin.append(word.start())
        flat.append(word.group())
        origin.extend(range(word.start(), word.end()))
    return "".join(flat), origin


def _pieces(quote: str) -> list[str]:
    """The quote's words between ellipses, each without its own punctuation at either end."""
    return [p for p in (normalise(part).strip(_EDGE) for part in _ELLIPSIS.split(quote)) if p]


def _edges(quote: str) -> tuple[str, str]:
    """The punctuation before the quote's first word and after its last, quote marks straight."""
    flat = normalise(quote)
    core = flat.strip(_EDGE)
    if not core:
        return "", ""
    start = flat.index(core)
    return flat[:start].replace(" ", ""), flat[start + len(core) :].replace(" ", "")


def _placed(flat: str, pieces: tuple[str, ...]) -> tuple[int, int] | None:
    """Start of the first piece and end of the last, each piece after the one before and at most
    MAX_ELIDED_WORDS after it. Every placement is tried: a common first piece ("the") found
    early must not hide a later one that the next piece follows closely."""
    found = [_occurrences(flat, piece) for piece in pieces]

    @cache
    def place(index: int, after: int) -> tuple[int, int] | None:
        for start, end in found[index][bisect_left(found[index], (after, 0)) :]:
            if index and flat.count(" ", after, start) > MAX_ELIDED_WORDS + 1:
                return None
            rest = (start, end) if index == len(pieces) - 1 else place(index + 1, end)
            if rest is not None:
                return start, rest[1]
        return None

    return place(0, 0)


def _occurrences(flat: str, piece: str) -> list[tuple[int, int]]:
    """Every place `piece` is in `flat` as whole words, overlapping ones too."""
    before = r"(?<!\w)" if re.match(r"\w", piece) else ""
    after = r"(?!\w)" if re.search(r"\w$", piece) else ""
    pattern = re.compile(before + re.escape(piece) + after)
    spans, at = [], 0
    while (match := pattern.search(flat, at)) is not None:
        spans.append(match.span())
        at = match.start() + 1
    return spans
