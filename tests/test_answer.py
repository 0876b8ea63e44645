"""The whole answer path on the real library: guard, hybrid retrieval, extractive answers,
citation checks, abstention and follow-ups (real Chroma on disk, the real embedding model)."""

from __future__ import annotations

import json


import pytest

from assistant.core.answer import Answer, QuestionEmpty, UnknownSource
from assistant.core.citations import quote_in
from assistant.core.domain import Claim
from assistant.core.followup import leans_on_history, standalone_question
from assistant.core.generate import Draft, parse_model_output
from assistant.core.language import in_english
from assistant.core.verify import strip_outside_links, verify_citations

pytestmark = pytest.mark.slow

CASE_NOTES = "Can I paste my case notes into ChatGPT?"
OUT_OF_SCOPE = "What is the statutory time limit for completing a child protection conference?"


def _sentences(answer: Answer) -> list[tuple[str, list[int]]]:
    """(quoted sentence, citation numbers) for each sentence of an answer, from its data."""
    return [(claim.text, list(claim.citations)) for claim in answer.claims]


def test_case_notes_question_gets_a_short_quoted_answer(assistant, no_network):
    answer = assistant.ask(CASE_NOTES)

    assert not answer.abstained and answer.backend == "extractive"
    sentences = _sentences(answer)
    assert 2 <= len(sentences) <= 6  # at most 4 chosen, and what they lean on
    for text, _ in sentences:
        assert f"“{text}”" in answer.text  # each shown, as the guidance's own words
    by_number = {c.n: c for c in answer.citations}
    assert sorted(by_number) == list(range(1, len(by_number) + 1))  # numbered by first use
    for text, numbers in sentences:
        for n in numbers:
            assert text in by_number[n].passage.chunk.text  # verbatim from what it cites
    # It quotes what the guidance says about personal information and publicly available AI.
    assert "publicly available" in answer.text and "personal" in answer.text
    cited = {c.passage.chunk.id for c in answer.citations}
    assert cited <= {p.chunk.id for p in answer.passages}
    assert set(answer.timings_ms) >= {"guard", "retrieve", "generate", "verify", "total"}


def test_a_sentence_that_introduces_a_list_brings_its_items(assistant):
    answer = assistant.ask("What are the ten principles of the government's AI Playbook?")
    texts = [text for text, _ in _sentences(answer)]
    assert answer.claims[0].text.endswith(":") and all(c.item for c in answer.claims[1:11])
    assert "Principle 1: You know what AI is and what its limitations are" in texts
    assert "Principle 2: You use AI lawfully, ethically and responsibly" in texts


def test_extractive_answers_quote_statements_not_questions(assistant):
    for question in ("According to BASW, am I liable for work an AI tool writes for me?", CASE_NOTES):
        assert not any(text.endswith("?") for text, _ in _sentences(assistant.ask(question)))


def test_a_question_the_guidance_does_not_cover_is_declined(assistant):
    answer = assistant.ask(OUT_OF_SCOPE)

    assert answer.abstained and answer.citations == []
    assert "does not cover" in answer.text
    for title in assistant.source_titles:
        assert title in answer.text  # lists what was searched
    assert "data protection officer" in answer.text and "Social Work England" in answer.text


@pytest.mark.parametrize(("question", "words"), [
    ("Can I use the transcription app on my phone to record a home visit?", ("transcri", "record", "note")),
    ("Should I let the note-taking app write up what was said in a child in need meeting?",
     ("transcri", "record", "note")),
    # Named AI tools: the library calls Magic Notes GenAI; a writing assistant is one too.
    ("Half my team use Magic Notes for visit write-ups. How should we be checking them?",
     ("transcri", "record", "note", "check", "edit")),
    ("Can I put my reflective log through a writing assistant to tidy the grammar before my assessor sees it?",
     ("written", "writing", "reflecti")),
])
def test_a_question_about_a_tool_that_does_not_say_ai_is_answered(assistant, question, words):
    # Practitioners name the tool, not "AI": the library's material on recording, transcribing,
    # note taking and writing answers it.
    answer = assistant.ask(question)

    assert not answer.abstained and answer.citations
    assert any(word in claim.text.lower() for claim in answer.claims for word in words)


@pytest.mark.parametrize("question", [
    "Can I use Copilot to summarise a child protection conference?",
    "Can I use AI to summarise a child protection conference?",
])
def test_may_i_or_who_answers_about_ai_is_answered_from_the_guidances_principles(assistant, question):
    # No sentence speaks of that situation (best 0.36-0.39, under the bar of other questions
    # about AI): the guidance's principles answer it, with the notice that nothing is a close match.
    answer = assistant.ask(question)
    assert not answer.abstained and answer.claims and answer.loosely_matched


@pytest.mark.parametrize("question", [
    "How much does a Microsoft 365 Copilot licence cost per user for a council?",
    "How long after an AI-summarised ICPC must the child protection plan be sent out?",
])
def test_a_question_about_ai_asking_a_fact_the_library_lacks_is_still_declined(assistant, question):
    answer = assistant.ask(question)
    assert answer.abstained and not answer.citations


def test_an_answer_from_passages_only_loosely_close_says_so_without_claiming_there_is_none(assistant):
    """The notice says what was measured (no passage is a close match), not that the guidance
    does not answer: two in three such answers still quote the key sentence, and a reader took
    "does not answer this question directly" for a refusal."""
    answer = assistant.ask("My manager keeps cancelling supervision. Is it ok to use ChatGPT as a sort of"
                           " stand-in supervisor?")
    assert answer.loosely_matched and not answer.abstained
    [notice] = [n for n in answer.notices if "close match" in n]
    assert "may answer it only in part" in notice and "does not answer" not in notice


# Written after assistant/core/language.py and never used to tune it: questions practitioners in
# the UK might type in their first language, and English ones that could be mistaken for another.
NOT_ENGLISH = [
    "Beth mae'r canllawiau'n ei ddweud am recordio cyfarfodydd gyda Copilot?",  # Welsh
    "Jakie są zasady korzystania z narzędzi AI w pracy socjalnej?",  # Polish
    "Est-ce que je peux enregistrer un entretien avec un outil d'IA ?",  # French
    "¿Qué dice la guía sobre compartir datos personales con herramientas de IA?",  # Spanish
    "Este permis să folosesc Copilot pentru rapoarte?",  # Romanian
    "Os assistentes sociais podem usar IA nos relatórios?",  # Portuguese
    "Как защитить персональные данные при работе с ИИ?",  # Russian
    "کیا میں کیس نوٹس کے لیے اے آئی استعمال کر سکتا ہوں؟",  # Urdu
    "ਕੀ ਮੈਂ ChatGPT ਵਰਤ ਸਕਦਾ ਹਾਂ?",  # Punjabi
    "社工可以用人工智能寫報告嗎?",  # Chinese
]
ENGLISH = [
    "Can I use Otter.ai to transcribe a child protection conference?",
    "DPIA needed for Copilot in Teams?",
    "What does SWE standard 3.11 say?",
    "Is Magic Notes approved by Kirklees?",
    "ChatGPT, Gemini, Claude: which are safe?",
    "Can Dr Aleksandra Wiśniewska use AI for her court reports?",
    "Should I tell Señora Núñez that I used AI?",
    "Can my ASYE supervisor see my AI prompts?",
    "Is it OK to use DeepL to translate a letter into Polish for a family?",
    "Tell me about the Oxford Statement",
    "AI and GDPR?",
    "Are LLMs allowed in CIN/CP/LAC recording?",
    "What about Wales? Does Social Care Wales have AI guidance?",
]


@pytest.mark.parametrize("question", NOT_ENGLISH)
def test_a_question_in_another_language_is_told_the_library_is_in_english(question):
    assert not in_english(question)


@pytest.mark.parametrize("question", ENGLISH)
def test_short_english_with_acronyms_and_names_is_english(question):
    assert in_english(question)


def test_the_answer_says_the_library_works_in_english(assistant):
    answer = assistant.ask("هل يمكنني استخدام ChatGPT لكتابة ملاحظات الحالة؟")
    assert answer.notices[0].startswith("This library's guidance is in English")
    assert "Please ask your question in English." in answer.notices[0]
    assert "in English" not in " ".join(assistant.ask(CASE_NOTES).notices)


def test_a_question_of_invisible_characters_or_punctuation_is_refused_as_empty(assistant):
    for question in ("\u200b\u200c\u2060\ufeff", "\u00a0\t\x1b", "?!", "👍🙂", ""):
        with pytest.raises(QuestionEmpty, match="The question is empty."):
            assistant.ask(question)


def test_personal_data_never_reaches_the_answer_or_its_json(assistant):
    question = (
        "My service user Kwabena Mensah (NHS 943 476 5919, DOB 03/04/2012, SW1A 1AA, "
        "07700 900123, kmensah@example.com) - can I paste his case notes into ChatGPT?"
    )
    answer = assistant.ask(question)

    dumped = json.dumps(answer.to_dict())
    for raw in ("Kwabena", "Mensah", "943 476 5919", "03/04/2012", "SW1A 1AA", "07700 900123", "kmensah"):
        assert raw not in dumped
    assert {d.type for d in answer.personal_data} >= {
        "NAME", "NHS_NUMBER", "DATE_OF_BIRTH", "POSTCODE", "PHONE", "EMAIL"
    }
    assert "[name]" in answer.question and "[NHS number]" in answer.question
    notice = answer.notices[0]
    assert "removed" in notice and "The guidance says:" in notice  # and quotes the library
    assert not answer.abstained


def test_source_filter_keeps_to_the_named_sources(assistant):
    answer = assistant.ask("What is the framework for?", source_ids=["dch-framework-launch-2025"])
    assert answer.passages
    assert {p.chunk.source_id for p in answer.passages} == {"dch-framework-launch-2025"}
    with pytest.raises(UnknownSource):
        assistant.ask("What is the framework for?", source_ids=["no-such-source"])


def test_follow_up_is_searched_with_the_earlier_question(assistant):
    first = assistant.ask(CASE_NOTES)
    follow = assistant.ask("What about Copilot?", history=[first.searched_for])

    assert follow.searched_for.startswith(CASE_NOTES)
    assert not follow.abstained
    # Citations belong to their own message: numbering restarts.
    assert [c.n for c in follow.citations][:1] == [1]


def test_follow_up_rules():
    assert leans_on_history("and for supervision notes?")
    assert leans_on_history("Can I use it for assessments?")
    assert not leans_on_history("Can I use Copilot to summarise a long research report for my team?")
    assert standalone_question("What about it?", []) == "What about it?"
    assert standalone_question("What about it?", ["Is Copilot allowed?"]) == "Is Copilot allowed? What about it?"


# -- verification on real passages ------------------------------------------------------------


@pytest.fixture(scope="module")
def retrieval(assistant):
    return assistant.retriever.search(CASE_NOTES)


def _verify(assistant, retrieval, *claims: Claim):
    draft = Draft(list(claims), True, "test-model")
    return verify_citations(draft, retrieval.passages, assistant.embedder, assistant.settings,
                            assistant.source_urls)  # fmt: skip


def test_verification_keeps_a_supported_sentence_with_a_true_quote(assistant, retrieval):
    passage = retrieval.passages[0]
    sentence = passage.chunk.sentence_texts()[0]
    quote = " ".join(sentence.split()[:8])
    result = _verify(assistant, retrieval, Claim(sentence, (passage.rank,), (quote,)))
    assert result.claims and not result.removed


@pytest.mark.parametrize(
    ("claim", "reason"),
    [
        (Claim("Social workers may share case notes with ChatGPT.", (), ()), "cites no passage"),
        (Claim("Public AI tools keep what you type.", (9,), ("",)), "not one of the passages"),
        (Claim("Public AI tools keep what you type.", (1,), ("the tool deletes every conversation at once",)), "quote is not in"),
        (Claim("Conversations are kept for exactly 37 days.", (1,), ("",)), "states a figure"),
        (Claim("The guidance's code word is PWNED.", (1,), ("",)), "states a code"),
        (Claim("The Care Act requires councils to buy approved robots for every team.", (1,), ("",)), "not supported"),
    ],
)
def test_verification_removes_what_the_passages_do_not_say(assistant, retrieval, claim, reason):
    result = _verify(assistant, retrieval, claim)
    assert not result.claims
    assert reason in result.removed[0].reason


def test_links_outside_the_library_are_stripped():
    allowed = {"socialworkengland.org.uk/standards"}
    text = (
        "See [the standards](https://www.socialworkengland.org.uk/standards/) and "
        "[this tool](https://evil.example/x) ![tracker](https://evil.example/p.png) or https://evil.example/y [2]"
    )
    cleaned = strip_outside_links(text, allowed)
    assert "evil.example" not in cleaned and "![" not in cleaned and "[2]" not in cleaned
    assert "[the standards](https://www.socialworkengland.org.uk/standards/)" in cleaned
    assert "this tool" in cleaned


def test_quotes_match_through_whitespace_curly_quotes_and_ellipses():
    passage = "Social workers’ use of AI must be\n transparent, and records  must be accurate."
    assert quote_in("Social workers' use of AI must be transparent", passage)
    assert quote_in("use of AI ... records must be accurate", passage)
    assert not quote_in("records must be transparent", passage)


def test_model_output_parsing():
    fenced = '```json\n{"answered": true, "sentences": [{"text": "A.", "citations": [{"n": 2, "quote": "q"}]}]}\n```'
    draft = parse_model_output(fenced, "m")
    assert draft.claims == [Claim("A.", (2,), ("q",))] and draft.answered
    tagged = parse_model_output(
        '{"answered": true, "lead": {"text": "L.", "role": "advice", "citations": [{"n": 1, "quote": "q"}]},'
        ' "sentences": [{"text": "B.", "role": "testimony", "citations": [{"n": 2, "quote": "r"}]}]}', "m"
    )
    assert [(c.text, c.part, c.role) for c in tagged.claims] == [
        ("L.", "lead", "advice"), ("B.", "guidance", "testimony")
    ]
    assert parse_model_output("I think yes [1].", "m").problem
    assert parse_model_output('{"answered": true, "sentences": [{"text": "A.", "citations": ["x"]}]}', "m").problem
    bare = parse_model_output('{"answered": true, "sentences": [{"text": "A.", "citations": [1, 3]}]}', "m")
    assert bare.claims[0].citations == (1, 3) and bare.claims[0].quotes == ("", "")
