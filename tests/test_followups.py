"""Follow-ups that name a new subject ("What about Copilot?"): the answer is about that subject,
not the earlier question's topic again; when the library never speaks of it, the answer says so.
A small library indexed for real (Chroma on disk, the real embedding model)."""

from __future__ import annotations

import pytest

from assistant.core.answer import Assistant
from assistant.adapters.factory import open_assistant
from assistant.adapters.chroma_store import ChromaIndex
from assistant.core.followup import new_subject
from assistant.settings import load_settings
from ingest.pipeline import run_ingest

pytestmark = pytest.mark.slow

MANIFEST = """
[[source]]
id = "team-guidance"
file = "guidance.md"
title = "AI in practice with families: team guidance"
publisher = "Example Council"
date = "2025-06-01"
url = "https://example.org/ai-guidance"
"""
# One section answers the first question (accountability); another is the only one naming
# Copilot, and says nothing about accountability.
GUIDANCE = """# AI in practice with families

## Accountability for decisions

The social worker remains accountable for every decision about a family, whatever tool was used to inform it.

A decision about a family is never made by AI: the practitioner checks its output and records their own professional judgement.

Managers should make clear where accountability lies when work is delegated to AI.

## Microsoft Copilot

Staff may use the council's licensed Copilot for drafting letters and summaries.

A personal Copilot account must never be used for work that involves people's information.

Copilot drafts are read and corrected by the social worker before they are saved to the case record.

## Case recording

Case records must be accurate, and written so that the family can understand them.

## About this guidance

Example Council is a public body registered in England and Wales.
"""
FIRST = "Who is accountable when AI is used in a decision about a family?"


@pytest.fixture(scope="module")
def team(tmp_path_factory, real_embedder) -> Assistant:
    root = tmp_path_factory.mktemp("followups")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "sources.toml").write_text(MANIFEST, encoding="utf-8")
    (corpus / "guidance.md").write_text(GUIDANCE, encoding="utf-8")
    settings = load_settings(data_dir=root / "data", corpus_dir=corpus)
    run_ingest(settings, real_embedder, ChromaIndex(settings))
    return open_assistant(settings, real_embedder)


def _follow_up(assistant: Assistant, question: str):
    first = assistant.ask(FIRST)
    assert not first.abstained and "accountab" in first.text
    return assistant.ask(question, history=[first.searched_for])


def test_a_follow_up_naming_a_new_subject_is_answered_about_it(team):
    answer = _follow_up(team, "What about Copilot?")

    assert not answer.abstained and answer.subject == "Copilot"
    assert "Copilot" in answer.lead.text  # what the reader sees first is about Copilot
    # Every sentence quoted is about Copilot: the accountability section is not repeated.
    assert answer.claims and all("Copilot" in claim.text for claim in answer.claims)
    sections = {c.passage.chunk.section for c in answer.citations}
    assert sections == {"AI in practice with families > Microsoft Copilot"}


def test_a_follow_up_about_something_the_library_never_mentions_says_so(team):
    answer = _follow_up(team, "What about Snapchat?")

    assert answer.abstained and answer.citations == [] and answer.claims == []
    assert "does not mention Snapchat" in answer.text
    assert "accountab" not in answer.text  # the earlier topic is not passed off as the answer


def test_a_subject_named_only_apart_from_the_conversation_is_not_an_answer(team):
    # "Wales" is named once, in a sentence about who publishes the guidance: nothing there is
    # about the earlier question, so it is not quoted as if it answered it.
    answer = _follow_up(team, "And in Wales?")

    assert answer.abstained and answer.citations == []
    assert "Wales" in answer.text and "registered in England" not in answer.text


def test_the_follow_ups_own_subject():
    earlier = [FIRST]
    assert new_subject("What about Copilot?", earlier).words == "Copilot"
    assert new_subject("and in Scotland?", earlier).words == "Scotland"
    assert new_subject("And for students?", earlier).words == "students"
    assert new_subject("what about supervision notes?", earlier).words == "supervision notes"
    assert new_subject("Also, what about the Tech Pledge?", earlier).words == "Tech Pledge"
    # A follow-up that asks its own question, points back, or adds nothing new has no subject:
    # it is searched with the question before it, as it was.
    for question in (
        "Who is responsible if it gets something wrong?",
        "And who signed up to it?",
        "And how long do they keep them?",
        "What about AI?",  # the earlier question's own words
        "What about Copilot?",  # no earlier question: it stands alone
    ):
        assert new_subject(question, earlier if question != "What about Copilot?" else []) is None
