"""BM25 over the same chunks as the vector store: finds the passages that share the question's
exact words (standard numbers, "Tech Pledge", "subject access"), which a small embedding model
blurs.

The documents are kept as an inverted index (for each term, the documents holding it and how
often, in NumPy arrays), so a query touches only the documents that contain one of its terms,
not every chunk of the library: at 100,000 chunks scoring every document in Python took most of
a second per question, and a Counter per chunk most of a gigabyte (docs/scale.md).
"""

from __future__ import annotations

import math
import re
from array import array
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import numpy

# A word's clitic ("children's", "I'm", "we've", "don't") is part of the word, and dropped with
# the apostrophe: split off, "s", "m" and "ve" were rare terms of the library, weighing on BM25
# and on the share of a question's words the passages hold, for any question written as people
# write ("I'm a Head of Service and I've been asked..." was judged on "m" and "ve").
_TOKEN = re.compile(r"([a-z0-9]+(?:\.[0-9]+)?)(?:['\u2019][a-z]+)?")
_STOP = frozenset(
    "a an and are as at be been but by can could do does for from has have how i if in into is it "
    "its me my of on or our should so than that the their them there these they this to was we "
    "what when where which who why will with would you your am about any "
    # "Which standard covers...?", "Does the guidance cover...?": how a question asks, rare in the
    # library, so it weighed in the search ("Cover almost 10,000 organisations...") and in the share
    # of the question's words the passages hold.
    "cover covers covered covering".split()
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ness", "ments", "ment", "edly", "ed", "es", "s")
# A quality's noun reads as its adjective, as the adjective's own ending is cut ("accountable" ->
# "accountabl"): "accountability" ~ "accountable", "responsibility" ~ "responsible",
# "confidentiality" ~ "confidential" (a question about confidentiality found no passage saying
# "confidential information").
_QUALITIES = (("abilities", "abl"), ("ibilities", "ibl"), ("alities", "al"),
              ("ability", "abl"), ("ibility", "ibl"), ("ality", "al"))
_DOUBLING = frozenset({"ings", "ing", "edly", "ed"})


def terms(text: str) -> list[str]:
    """Lower-cased, stop words out, light suffix stripping ("recordings" ~ "recording" ~ "record")."""
    return [_stem(token) for token in _TOKEN.findall(text.lower()) if token not in _STOP]


@lru_cache(maxsize=1 << 18)  # a library's vocabulary: indexing 100,000 chunks stems each word once
def _stem(token: str) -> str:
    for suffix, stem in _QUALITIES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 2:  # "liability" ~ "liable"
            return token[: -len(suffix)] + stem
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            stem = token[: -len(suffix)] + ("y" if suffix == "ies" else "")
            # "banning" ~ "ban", "planned" ~ "plan": the doubled consonant goes with the ending.
            if suffix in _DOUBLING and len(stem) >= 4 and stem[-1] == stem[-2] and stem[-1] not in "lsz":
                stem = stem[:-1]
            return stem
    # "delegate" ~ "delegated", "practice" ~ "practices": a final e goes as the endings' e does.
    return token[:-1] if len(token) >= 5 and token.endswith("e") else token


class BM25:
    """Okapi BM25 over a fixed list of documents."""

    def __init__(self, documents: Iterable[str], k1: float = 1.2, b: float = 0.75) -> None:
        self._k1, self._b = k1, b
        self._terms: dict[str, int] = {}  # term -> its number
        # One (term, document, frequency) triple per distinct term of each document, in compact
        # arrays while reading (Python lists of ints would take ten times the memory).
        term_numbers, document_numbers, frequencies = array("i"), array("i"), array("i")
        lengths = []
        for number, document in enumerate(documents):
            counts = Counter(terms(document))
            lengths.append(sum(counts.values()))
            for term, frequency in counts.items():
                term_numbers.append(self._terms.setdefault(term, len(self._terms)))
                document_numbers.append(number)
                frequencies.append(frequency)
        by_term = numpy.frombuffer(term_numbers, dtype=numpy.int32)
        # Postings of term t: self._documents[self._starts[t]:self._starts[t + 1]], in document
        # order (a stable sort keeps it).
        order = numpy.argsort(by_term, kind="stable")
        self._documents = numpy.frombuffer(document_numbers, dtype=numpy.int32)[order]
        self._frequencies = numpy.frombuffer(frequencies, dtype=numpy.int32)[order]
        holding = numpy.bincount(by_term, minlength=len(self._terms))
        self._starts = numpy.concatenate([[0], numpy.cumsum(holding)])
        total = len(lengths)
        self._count = total
        self._average = sum(lengths) / max(1, total)
        # The same operations, in the same order, as the textbook per-document loop (see
        # tests/test_lexical.py), so that every term's share of a score is the same float.
        lengths_array = numpy.asarray(lengths, dtype=numpy.float64)
        self._length_norm = k1 * (1 - b + b * lengths_array / (self._average or 1.0))
        self._idf = {
            term: math.log(1 + (total - n + 0.5) / (n + 0.5))
            for term, n in zip(self._terms, holding.tolist())
        }
        self._ceiling = max(self._idf.values(), default=1.0)

    def scores(self, query: str) -> numpy.ndarray:
        """One score per document, in document order."""
        scores = numpy.zeros(self._count, dtype=numpy.float64)
        # A fixed order of terms: a document's score is the same sum in every process (a set's
        # order changes with Python's string hashing, and exact ties with it).
        for term in dict.fromkeys(terms(query)):
            number = self._terms.get(term)
            if number is None:
                continue
            first, last = self._starts[number], self._starts[number + 1]
            documents, tf = self._documents[first:last], self._frequencies[first:last]
            norm = tf + self._length_norm[documents]
            scores[documents] += self._idf[term] * tf * (self._k1 + 1) / norm
        return scores

    def top(self, query: str, n: int, allowed: numpy.ndarray | None = None) -> list[int]:
        """The n best-scoring documents with a score above 0 (of those `allowed`, a mask), best
        first; equal scores in document order."""
        scores = self.scores(query)
        found = numpy.flatnonzero(scores > 0)
        if allowed is not None:
            found = found[allowed[found]]
        if len(found) > n > 0:
            # Only the n best need sorting: those above the n-th best score, then as many of
            # those equal to it as fit, the earliest documents first.
            values = scores[found]
            nth = numpy.partition(values, len(values) - n)[len(values) - n]
            above, tied = found[values > nth], found[values == nth]
            found = numpy.sort(numpy.concatenate([above, tied[: n - len(above)]]))
        ranked = found[numpy.argsort(-scores[found], kind="stable")]
        return ranked[:n].tolist()

    def uses(self, word: str) -> bool:
        """Whether the documents use `word` (compared as indexed: lower case, stemmed)."""
        found = terms(word)
        return bool(found) and all(term in self._terms for term in found)

    def holding(self, wanted: Iterable[str]) -> list[int]:
        """The documents that hold every one of the `wanted` index terms, in document order."""
        found: numpy.ndarray | None = None
        for term in set(wanted):
            number = self._terms.get(term)
            if number is None:
                return []
            postings = self._documents[self._starts[number] : self._starts[number + 1]]
            found = postings if found is None else numpy.intersect1d(found, postings, True)
        return [] if found is None else sorted(found.tolist())

    def coverage(self, query: str) -> float:
        """Share of the query's terms that occur anywhere in the documents (0 to 1)."""
        wanted = set(terms(query))
        return len([t for t in wanted if t in self._idf]) / len(wanted) if wanted else 0.0

    def term_weights(self, query: str) -> dict[str, float]:
        """Each query term's IDF; a term the library never uses gets the highest weight."""
        # In the question's order: sums over these weights are then the same in every process.
        return {term: self._idf.get(term, self._ceiling) for term in dict.fromkeys(terms(query))}
