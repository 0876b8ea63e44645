"""One rule for "is this quote the passage's words" (assistant/core/citations.py), and every consumer
agrees on it: the verifier that decides what the reader sees, the harness that scores citation
validity, and the chat that shows the quoted words in bold. Each case below was one that the
three copies of the rule, before there was one, decided differently (or could have).
"""

from __future__ import annotations

import pytest

from assistant.chat.adapter import highlight
from assistant.core.citations import (
    MAX_ELIDED_WORDS,
    normalise,
    quote_in,
    quote_span,
    said_whole,
    sentence_holding,
    worth_checking,
)
from assistant.core.domain import Chunk, Claim, Passage
from assistant.core.generate import Draft
from assistant.core.sentences import sentence_spans
from assistant.settings import load_settings
from assistant.core.verify import verify_citations
from evals.judges import DeterministicJudge
from evals.metrics import validity
from evals.pipelines import Cited, Record, Said

ADVICE = "Do not paste case notes into public tools. Always check the output before saving."
LIST = "Social workers should:\n- keep records accurate\n- explain how AI was used"
CURLY = "Social workers’ use of AI must be “transparent” to families."
SPACED = "Records   must\n be accurate and\tkept up to date."
FILLER = "Teams met often. "


def _far(gap_words: int) -> str:
    """A passage whose two quoted pieces are `gap_words` words apart."""
    filler = (FILLER * (gap_words // 3 + 1)).split()[:gap_words]
    return f"Do not paste case notes. {' '.join(filler)} Always check the output."


# (passage, quote, verbatim?, the words shown in bold where it is)
CUT = "Do not paste case notes ... check the output"
BOTH = "Do not paste case notes into public tools. Always check the output"
FAR = "Do not paste case notes ... Always check the output"
NEAR, TOO_FAR = _far(MAX_ELIDED_WORDS), _far(MAX_ELIDED_WORDS + 1)
# name: (passage, quote, verbatim?, the passage's words shown in bold, "" for none)
CASES = {
    "ellipsis": (ADVICE, CUT, True, BOTH),
    "ellipsis as one character": (ADVICE, CUT.replace(" ...", "…"), True, BOTH),
    "ellipsis in brackets": (ADVICE, "Do not paste [...] public tools", True,
                             "Do not paste case notes into public tools"),
    "across list items": (LIST, "keep records accurate explain how AI was used", True,
                          "keep records accurate\n- explain how AI was used"),
    "across list items, marker flattened": (LIST, "keep records accurate - explain how AI", True,
                                            "keep records accurate\n- explain how AI"),
    "curly and straight quote marks": (CURLY, "Social workers' use of AI must be \"transparent\"",
                                       True, "Social workers’ use of AI must be “transparent”"),
    "extra white space in the passage": (SPACED, "Records must be accurate and kept", True,
                                         "Records   must\n be accurate and\tkept"),
    "extra white space in the quote": (ADVICE, "Always  check\nthe   output", True,
                                       "Always check the output"),
    "the quote's own full stop": (ADVICE, "Do not paste case notes.", True,
                                  "Do not paste case notes"),
    "its full stop where the passage has one": (ADVICE, "Always check the output before saving.",
                                                True, "Always check the output before saving."),
    "not in the passage": (ADVICE, "Always paste case notes into public tools", False, ""),
    "pieces out of order": (ADVICE, "check the output ... Do not paste case notes", False, ""),
    "a word cut in half": (ADVICE, "paste case no", False, ""),
    "letters in another case": (ADVICE, "do not paste case notes", False, ""),
    "pieces close enough in a long passage": (NEAR, FAR, True, NEAR.removesuffix(".")),
    "pieces too far apart in a long passage": (TOO_FAR, FAR, False, ""),
    "pieces hundreds of words apart": (_far(300), CUT, False, ""),
}  # fmt: skip


def _chunk(text: str) -> Chunk:
    """A chunk as ingest makes it: sentences never run across lines."""
    spans, position = [], 0
    for line in text.split("\n"):
        spans += [(position + a, position + b) for a, b in sentence_spans(line)]
        position += len(line) + 1
    return Chunk(
        "c-1", "src", "Guidance", text, ("Records",), 0, len(text), 0, "h", sentences=tuple(spans)
    )


class NoEmbedder:
    """The verifier needs no vectors for a sentence quoted whole from what it cites."""

    def embed_batch(self, texts):
        raise AssertionError(f"embedded {texts}")


def verifier_keeps(passage: str, quote: str) -> bool:
    chunk = _chunk(passage)
    sentence = chunk.sentence_texts()[0]  # quoted whole, so only the quote is in question
    draft = Draft([Claim(sentence, (1,), (quote,))], True, "test")
    verified = verify_citations(draft, [Passage(1, chunk, 1.0, 1.0)], NoEmbedder(), load_settings())
    assert all("its quote is not in passage" in r.reason for r in verified.removed)
    return bool(verified.claims)


def harness_counts_verbatim(passage: str, quote: str) -> bool:
    record = Record(
        "case", "assistant", "", {1: Cited(1, "src", passage, quote)}, [], False, 0.0, "",
        claims=[Said(_chunk(passage).sentence_texts()[0], (1,))],
    )  # fmt: skip
    scored = validity(record)
    assert scored["quotes"] == 1
    return scored["verbatim_quotes"] == 1


def highlighted(passage: str, quote: str) -> bool:
    return "**" in highlight(passage, quote)


@pytest.mark.parametrize("name", CASES)
def test_the_verifier_the_harness_and_the_highlighter_agree(name):
    passage, quote, verbatim, shown = CASES[name]
    assert worth_checking(quote)
    assert quote_in(quote, passage) is verbatim
    assert verifier_keeps(passage, quote) is verbatim
    assert harness_counts_verbatim(passage, quote) is verbatim
    assert highlighted(passage, quote) is verbatim
    span = quote_span(quote, passage)
    assert (passage[span[0] : span[1]] if span else "") == shown


def test_a_quote_across_list_items_is_bold_on_each_line_with_the_markers_outside():
    assert highlight(LIST, "keep records accurate explain how AI was used") == (
        "Social workers should:\n\n- **keep records accurate**\n\n- **explain how AI was used**"
    )


def test_a_common_first_piece_found_early_does_not_hide_a_placement_that_fits():
    early = "Always check the output. " + FILLER * 30  # 90 words before the second "Always"
    passage = early + "Always check the spelling before saving."
    assert quote_span("Always check ... before saving", passage) == (len(early), len(passage) - 1)


def test_text_is_compared_as_its_words():
    assert normalise("- Keep  “records”\n- accurate ") == 'Keep "records" accurate'
    assert normalise("Staff – not AI – decide") == "Staff – not AI – decide"  # dashes are words
    assert not worth_checking("AI ... use")  # two words: proves nothing, not checked
    assert quote_span("", ADVICE) is None and quote_span("...", ADVICE) is None


def test_the_sentence_holding_a_quote_is_found_by_the_same_rule():
    sentences = _chunk(LIST).sentence_texts()
    assert sentence_holding(sentences, "explain how AI was used.") == 2
    assert sentence_holding(sentences, "keep records accurate explain how") is None  # two sentences
    assert sentence_holding(sentences, "records accurate ... used") is None


def test_a_sentence_said_whole_is_supported_by_the_verifier_and_the_judge(hashing_embedder):
    settings = load_settings()
    item = "explain how AI was used"  # a list item, said without its marker
    sentences = _chunk(LIST).sentence_texts()
    assert said_whole(item, sentences) and said_whole("- explain how AI was used.", sentences)
    judge = DeterministicJudge(hashing_embedder, settings)
    assert judge.supports(item, [LIST]) and not hashing_embedder.embedded
    draft = Draft([Claim(item, (1,), ("",))], True, "test")
    verified = verify_citations(draft, [Passage(1, _chunk(LIST), 1.0, 1.0)], NoEmbedder(), settings)
    assert verified.claims and not verified.removed
    # A fragment is not a sentence said whole: it is measured like any other sentence.
    assert not said_whole("keep records", sentences)
    assert not said_whole("keep records accurate explain how AI was used", sentences)
