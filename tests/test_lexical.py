"""BM25 on its inverted index gives the textbook scores and ranking, to the last bit."""

from __future__ import annotations

import math
import random
from collections import Counter

import numpy
import pytest

from assistant.core.lexical import BM25, terms

WORDS = ("consent record recording transcript ai tool tools copilot chatgpt data protection "
         "officer supervision practice guidance accountable 3.11 standard social worker "
         "assessment privacy").split()  # fmt: skip


def _library() -> list[str]:
    """Guidance-like documents, with exact duplicates (quoted passages) to make exact ties."""
    rng = random.Random(7)
    documents = [
        "Social workers must not paste case notes into ChatGPT or other public AI tools.",
        "Recording a meeting with an AI transcription tool needs the person's consent.",
        "Standard 3.11: maintain accurate, clear and timely records.",
        "The data protection officer can advise before a new tool is used.",
        "",  # an empty chunk
        "of the and to",  # only stop words
    ]
    for _ in range(300):
        documents.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 60))))
    documents += documents[10:20]  # the same text again, later in the library
    return documents


class TextbookBM25:
    """The straightforward computation: every document scored in turn, in plain Python (the
    implementation before the inverted index), summing a document's terms in query order."""

    def __init__(self, documents, k1=1.2, b=0.75):
        self.k1, self.b = k1, b
        self.docs = [Counter(terms(document)) for document in documents]
        self.lengths = [sum(doc.values()) for doc in self.docs]
        self.average = sum(self.lengths) / max(1, len(self.docs))
        frequency = Counter(term for doc in self.docs for term in doc)
        total = len(self.docs)
        self.idf = {t: math.log(1 + (total - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}

    def scores(self, query):
        results = []
        for doc, length in zip(self.docs, self.lengths):
            score = 0.0
            for term in dict.fromkeys(terms(query)):
                if term in doc:
                    tf = doc[term]
                    norm = tf + self.k1 * (1 - self.b + self.b * length / self.average)
                    score += self.idf[term] * tf * (self.k1 + 1) / norm
            results.append(score)
        return results

    def top(self, query, n, allowed=None):
        scores = self.scores(query)
        ranked = sorted(range(len(scores)), key=scores.__getitem__, reverse=True)
        return [i for i in ranked if scores[i] > 0 and (allowed is None or allowed[i])][:n]


QUERIES = [
    "Can I paste my case notes into ChatGPT?",
    "consent consent recording",  # a repeated term counts once
    "What does standard 3.11 say about records?",
    "copilot supervision privacy assessment social worker",
    "ai",  # in most documents
    "lasagne recipe",  # in none
    "the and of",  # stop words only
    "",
]


@pytest.fixture(scope="module")
def both():
    documents = _library()
    return BM25(documents), TextbookBM25(documents)


@pytest.mark.parametrize("query", QUERIES)
def test_scores_are_the_textbook_scores_exactly(both, query):
    fast, textbook = both
    assert fast.scores(query).tolist() == textbook.scores(query)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("n", [1, 5, 30, 1000])
def test_top_is_the_textbook_ranking(both, query, n):
    fast, textbook = both
    assert fast.top(query, n) == textbook.top(query, n)


def test_equal_scores_keep_document_order_across_the_cut(both):
    fast, textbook = both
    scores = textbook.scores("ai record")
    tied = [s for s, count in Counter(scores).items() if count > 1 and s > 0]
    assert tied, "the library has duplicated documents, so some scores tie"
    # Cut the ranking inside a run of equal scores: the earliest documents must be the ones kept.
    ranked = textbook.top("ai record", len(scores))
    for n in range(1, len(ranked)):
        if scores[ranked[n - 1]] == scores[ranked[n]]:
            assert fast.top("ai record", n) == ranked[:n]


def test_allowed_mask_filters_before_the_cut(both):
    fast, textbook = both
    allowed = numpy.array([i % 3 == 0 for i in range(len(textbook.docs))])
    for query in QUERIES:
        assert fast.top(query, 10, allowed) == textbook.top(query, 10, allowed)


def test_term_weights_and_coverage_are_unchanged(both):
    fast, textbook = both
    ceiling = max(textbook.idf.values())
    for query in QUERIES:
        wanted = set(terms(query))
        assert fast.term_weights(query) == {t: textbook.idf.get(t, ceiling) for t in wanted}
        share = len([t for t in wanted if t in textbook.idf]) / len(wanted) if wanted else 0.0
        assert fast.coverage(query) == share


def test_an_empty_library_scores_nothing():
    empty = BM25([])
    assert empty.scores("consent").tolist() == []
    assert empty.top("consent", 5) == []
    assert BM25(["", "the and"]).top("consent", 5) == []


def test_holding_finds_the_documents_with_every_term():
    documents = _library()
    index = BM25(documents)
    wanted = terms("copilot supervision")
    expected = [i for i, d in enumerate(documents) if set(wanted) <= set(terms(d))]
    assert expected and index.holding(wanted) == expected
    assert index.holding(terms("snapchat")) == [] and index.holding([]) == []


def test_a_clitic_is_not_a_term_of_its_own():
    # "I'm", "I've" and "children's" split into "m", "ve" and "s" made rare terms of nothing.
    assert terms("I'm a Head of Service and I've been asked about children's services") == [
        "head", "servic", "ask", "children", "servic"
    ]
    assert terms("the standard’s text: 3.11") == ["standard", "text", "3.11"]
    # ...while the library's own words still match the question's, whatever the apostrophe.
    index = BM25(["Children's social care teams use AI tools.", "Adult social care."])
    assert list(index.top("children’s teams", 1)) == [0]


def test_a_qualitys_noun_reads_as_its_adjective():
    # A question about confidentiality found no passage saying "confidential information".
    for noun, adjective in (("accountability", "accountable"), ("responsibility", "responsible"),
                            ("responsibilities", "responsible"), ("confidentiality", "confidential"),
                            ("liability", "liable"), ("disability", "disabled")):  # fmt: skip
        assert terms(noun) == terms(adjective), noun
    assert terms("ability") == ["ability"]  # nothing left of it to be an adjective


def test_how_a_question_asks_is_not_what_it_asks_about():
    assert terms("Which standard covers record keeping? Does the guidance cover it?") == [
        "standard", "record", "keep", "guidanc"
    ]
