"""The answer path at its seams, without Chroma, torch or a model server: ingest into the in-memory
index, the hashing embedder, and a scripted model (tests/support.py), through the same `Assistant`
the command line and the chat use. What reaches the reader is only what the checks let through."""

from __future__ import annotations

import json

import pytest

from assistant.core.answer import Assistant
from assistant.core.question import read_question
from assistant.core.retrieve import Retriever
from assistant.settings import load_settings
from ingest.pipeline import run_ingest
from tests.support import HashingEmbedder, MemoryIndex, ScriptedLLM

ADVICE = "Do not paste case notes into public AI tools such as ChatGPT."
CHECK = "Check every AI summary of case notes before it goes on the file."
GUIDANCE = f"""# Using AI tools with case notes

## Public tools

{ADVICE} Information pasted into them leaves the organisation's control.

## Records

{CHECK} The social worker stays accountable for the record.
"""
QUESTION = "Can I paste case notes into public AI tools such as ChatGPT?"


def reply(lead: str, quote: str, *sentences: tuple[str, str]) -> str:
    """The model's JSON (prompts/answer.v2.schema.json), citing passage 1."""
    return json.dumps({
        "answered": True,
        "lead": {"text": lead, "role": "advice", "citations": [{"n": 1, "quote": quote}]},
        "sentences": [{"text": t, "role": "advice", "citations": [{"n": 1, "quote": q}]} for t, q in sentences],
    })  # fmt: skip


@pytest.fixture
def library(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "guidance.md").write_text(GUIDANCE, encoding="utf-8")
    settings = load_settings(data_dir=tmp_path / "data")
    embedder, index = HashingEmbedder(), MemoryIndex()
    assert run_ingest(settings, embedder, index, corpus_dir=corpus).anything_indexed
    return settings, embedder, index.live()


def assistant_with(library, llm) -> Assistant:
    settings, embedder, live = library
    settings = settings.model_copy(update={"backend": "ollama" if llm else "extractive"})
    return Assistant(settings, Retriever(live, embedder, settings), embedder, llm, live.info)


def test_the_extractive_answer_quotes_the_advice(library):
    answer = assistant_with(library, None).ask(QUESTION)
    assert not answer.abstained and answer.backend == "extractive"
    assert ADVICE in answer.text and answer.claims[0].part == "lead"


def test_a_model_sentence_that_quotes_its_passage_reaches_the_reader(library):
    model = ScriptedLLM(reply(ADVICE, ADVICE))
    answer = assistant_with(library, model).ask(QUESTION)
    assert answer.backend == "scripted" and ADVICE in answer.text and not answer.removed
    assert answer.citations[0].passage.chunk.text.find(ADVICE) >= 0


def test_a_model_sentence_its_passage_does_not_say_never_reaches_the_reader(library):
    invented = "Pasting case notes into ChatGPT is fully approved by the guidance."
    model = ScriptedLLM(reply(ADVICE, ADVICE, (invented, "fully approved")))
    answer = assistant_with(library, model).ask(QUESTION)
    assert invented not in answer.text and "fully approved" not in answer.text
    assert any(invented in removed.sentence for removed in answer.removed)


def test_the_model_is_sent_the_question_without_the_persons_details(library):
    model = ScriptedLLM(reply(ADVICE, ADVICE))
    answer = assistant_with(library, model).ask(
        "Can I paste Mrs Jane Okafor's case notes, NHS number 943 476 5919, into public AI tools such as ChatGPT?"
    )
    sent = json.dumps(model.sent)
    assert "Okafor" not in sent and "943 476 5919" not in sent and "943" not in sent
    assert answer.personal_data and ADVICE in answer.text


def test_the_harness_scores_the_search_the_answer_ran_and_searches_nothing_itself(library):
    from evals.cases import Case, Gold
    from evals.metrics import gold_rank
    from evals.pipelines import AssistantPipeline

    assistant = assistant_with(library, None)
    searches = []
    search = assistant.retriever.search
    assistant.retriever.search = lambda *args, **kwargs: searches.append(args) or search(*args, **kwargs)
    source_id = library[2].chunks()[0].source_id
    case = Case("paste", "test", (QUESTION,), "answer", gold=(Gold(source_id, ADVICE),))
    record = AssistantPipeline(assistant).run(case)
    assert len(searches) == 1  # the answer's own search; the harness ran none
    answer = assistant.ask(QUESTION)
    assert [r.text for r in record.retrieved] == [p.chunk.text for p in answer.ranked]
    assert [p.chunk.id for p in answer.ranked[: len(answer.passages)]] == [p.chunk.id for p in answer.passages]
    assert gold_rank(case, record) == 1 and record.claims[0].text == answer.claims[0].text


def test_a_list_asked_for_ranks_the_passages_that_hold_lists_first(tmp_path):
    # Asked for a list, a passage about the question's subject in running prose comes after one
    # that lists it: the question's context ("our pilot") had outranked the list it asked for.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "pilots.md").write_text(
        "# Pilots\n\n## Our pilot\n\nOur pilot of transcription tools was evaluated by the board after "
        "six months, and the pilot evaluation was shared with every team in the pilot.\n\n"
        "## Employers\n\nEmployers used these approaches:\n\n- impact assessments\n- productivity reviews\n"
        "- conformity checks\n",
        encoding="utf-8",
    )
    settings = load_settings(data_dir=tmp_path / "data")
    embedder, index = HashingEmbedder(), MemoryIndex()
    assert run_ingest(settings, embedder, index, corpus_dir=corpus).anything_indexed
    live = index.live()
    assistant = Assistant(settings, Retriever(live, embedder, settings), embedder, None, live.info)
    listed = assistant.search(read_question("List the ways the pilot evaluation of our pilot was done."))
    plain = assistant.search(read_question("How was the pilot evaluation of the pilot done?"))
    assert listed.passages[0].chunk.section == "Pilots > Employers"
    assert plain.passages[0].chunk.section == "Pilots > Our pilot"
