"""BM25 over the same chunks as the vector store: finds the passages that share the question's
exact words (standard numbers, "Tech Pledge", "subject access"), which a small embedding model
blurs."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")
_STOP = frozenset(
    "a an and are as at be been but by can could do does for from has have how i if in into is it "
    "its me my of on or our should so than that the their them there these they this to was we "
    "what when where which who why will with would you your am about any".split()
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ness", "ments", "ment", "edly", "ed", "es", "s")


def terms(text: str) -> list[str]:
    """Lower-cased, stop words out, light suffix stripping ("recordings" ~ "recording" ~ "record")."""
    return [_stem(token) for token in _TOKEN.findall(text.lower()) if token not in _STOP]


def _stem(token: str) -> str:
    for suffix in _SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return token


class BM25:
    """Okapi BM25 over a fixed list of documents."""

    def __init__(self, documents: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self._k1, self._b = k1, b
        self._docs = [Counter(terms(document)) for document in documents]
        self._lengths = [sum(doc.values()) for doc in self._docs]
        self._average = sum(self._lengths) / max(1, len(self._docs))
        frequency = Counter(term for doc in self._docs for term in doc)
        total = len(self._docs)
        self._idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}

    def scores(self, query: str) -> list[float]:
        """One score per document, in document order."""
        wanted = set(terms(query))
        results = []
        for doc, length in zip(self._docs, self._lengths):
            score = 0.0
            for term in wanted & doc.keys():
                tf = doc[term]
                norm = tf + self._k1 * (1 - self._b + self._b * length / self._average)
                score += self._idf[term] * tf * (self._k1 + 1) / norm
            results.append(score)
        return results

    def coverage(self, query: str) -> float:
        """Share of the query's terms that occur anywhere in the documents (0 to 1)."""
        wanted = set(terms(query))
        return len([t for t in wanted if t in self._idf]) / len(wanted) if wanted else 0.0

    def term_weights(self, query: str) -> dict[str, float]:
        """Each query term's IDF; a term the library never uses gets the highest weight."""
        ceiling = max(self._idf.values(), default=1.0)
        return {term: self._idf.get(term, ceiling) for term in set(terms(query))}
