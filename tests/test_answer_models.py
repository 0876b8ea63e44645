"""The answer path with a language model: what the model is sent, what the checks let through,
and the fall-back to the extractive answer. Ollama through its client against the stand-in on
127.0.0.1; llama.cpp in-process with the real (unusable) gemma 270M base model."""

from __future__ import annotations

import json
import time

import pytest

from assistant.core.answer import Assistant
from tests.ollama_standin import OllamaStandIn
from tests.support import free_port

pytestmark = pytest.mark.slow

CASE_NOTES = "Can I paste my case notes into ChatGPT?"


def _with_backend(assistant: Assistant, **overrides) -> Assistant:
    """The session's assistant (same index and embedder) with another answer backend."""
    return assistant.with_settings(**overrides)


def _reply(*sentences: tuple[str, int, str], answered: bool = True) -> str:
    return json.dumps({
        "answered": answered,
        "sentences": [{"text": t, "citations": [{"n": n, "quote": q}]} for t, n, q in sentences],
    })  # fmt: skip


@pytest.fixture
def first_passage(assistant):
    passage = assistant.retriever.search(CASE_NOTES).passages[0]
    sentence = max(passage.chunk.sentence_texts(), key=len)
    return passage, sentence


def test_a_checked_model_answer_is_shown_and_its_unsupported_sentence_removed(
    assistant, ollama_standin, first_passage, no_network
):
    passage, sentence = first_passage
    ollama_standin.reply = _reply(
        (sentence, 1, " ".join(sentence.split()[:8])),
        ("The Care Act requires every council to buy approved chatbots for all staff.", 1, ""),
    )
    answer = _with_backend(assistant, backend="ollama", ollama_host=ollama_standin.url).ask(CASE_NOTES)

    assert answer.backend == "ollama" and not answer.abstained
    assert sentence in answer.text and "Care Act" not in answer.text
    assert [r.sentence for r in answer.removed] == [
        "The Care Act requires every council to buy approved chatbots for all staff."
    ]
    assert [c.passage.chunk.id for c in answer.citations] == [passage.chunk.id]  # only what is cited
    sent = ollama_standin.last_chat
    assert sent["stream"] is True and sent["format"]["required"] == ["answered", "lead", "sentences"]
    assert sent["options"]["temperature"] == 0.0
    user_turn = sent["messages"][-1]["content"]
    assert '<passage n="1"' in user_turn and CASE_NOTES in user_turn


def test_the_model_never_sees_personal_data(assistant, ollama_standin, first_passage):
    passage, sentence = first_passage
    ollama_standin.reply = _reply((sentence, 1, ""))
    question = "Can I paste Mrs Adaeze Okafor's notes (NHS 943 476 5919) into ChatGPT?"
    _with_backend(assistant, backend="ollama", ollama_host=ollama_standin.url).ask(question)

    sent = json.dumps([r.body for r in ollama_standin.requests])
    assert "Okafor" not in sent and "Adaeze" not in sent and "943 476 5919" not in sent
    # The model is asked the question as it reads without the details, not even placeholders.
    assert "Question: Can I paste their notes into ChatGPT?" in sent


@pytest.mark.parametrize(
    "reply",
    [
        "Sure! You can paste anything into ChatGPT, it is perfectly safe.",  # not the JSON asked for
        _reply(("Councils must buy a licence for every chatbot within thirty days.", 1, "")),
        _reply(("Public AI is safe for case notes.", 7, "it is safe")),  # a passage never shown
    ],
)
def test_an_answer_that_fails_the_checks_falls_back_to_quotes(assistant, ollama_standin, reply):
    ollama_standin.reply = reply
    answer = _with_backend(assistant, backend="ollama", ollama_host=ollama_standin.url).ask(CASE_NOTES)

    assert answer.backend == "extractive" and not answer.abstained
    assert answer.removed  # what the model wrote, and why it went
    assert any("could not be checked" in notice for notice in answer.notices)
    assert answer.lead is not None and answer.text.startswith("**In short:**")


def test_the_model_saying_the_guidance_is_silent_is_an_abstention(assistant, ollama_standin):
    ollama_standin.reply = _reply(answered=False)
    answer = _with_backend(assistant, backend="ollama", ollama_host=ollama_standin.url).ask(CASE_NOTES)
    assert answer.abstained and "does not cover" in answer.text


def test_a_server_that_is_down_gives_a_plain_notice_and_quotes_within_5_s(assistant):
    started = time.perf_counter()
    answer = _with_backend(
        assistant, backend="ollama", ollama_host=f"http://127.0.0.1:{free_port()}"
    ).ask(CASE_NOTES)

    assert time.perf_counter() - started < 5
    assert answer.backend == "extractive" and not answer.abstained
    assert "not reachable" in answer.notices[0] and "Traceback" not in answer.notices[0]


def test_a_model_not_pulled_says_how_to_pull_it(assistant):
    with OllamaStandIn(models=["other:7b"]) as server:
        answer = _with_backend(assistant, backend="ollama", ollama_host=server.url).ask(CASE_NOTES)
    assert "ollama pull llama3.1:8b" in answer.notices[0]
    assert answer.backend == "extractive"


def test_a_follow_up_is_rewritten_by_the_model(assistant, ollama_standin, first_passage):
    ollama_standin.reply = "Can I paste my case notes into Microsoft Copilot?"
    backend = _with_backend(assistant, backend="ollama", ollama_host=ollama_standin.url)
    answer = backend.ask("What about Copilot?", history=[CASE_NOTES])

    assert answer.searched_for == "Can I paste my case notes into Microsoft Copilot?"
    rewrite_request = next(r.body for r in ollama_standin.requests if r.path == "/api/chat")
    assert CASE_NOTES in rewrite_request["messages"][-1]["content"]


def test_llamacpp_runs_the_real_model_and_its_unusable_answer_is_not_shown(assistant, gemma_gguf, no_network):
    """The 270M base model cannot answer: the checks must catch that and quote instead."""
    backend = _with_backend(
        assistant, backend="llamacpp", llamacpp_model_path=gemma_gguf, max_answer_tokens=96,
        llamacpp_context_tokens=4096, llamacpp_threads=1,
    )  # fmt: skip
    answer = backend.ask(CASE_NOTES)

    assert answer.backend == "extractive" and not answer.abstained
    assert answer.removed and any("could not be checked" in n for n in answer.notices)
    assert answer.timings_ms["generate"] > 0


def test_a_follow_up_the_model_rewrites_badly_is_still_answered(assistant, ollama_standin):
    ollama_standin.reply = "Bananas are yellow and grow in bunches."  # its rewrite and its answer
    model = _with_backend(assistant, backend="ollama", ollama_host=ollama_standin.url)
    earlier = "Can I use AI to transcribe a home visit?"
    answer = model.ask("Do I need the family's consent for that?", history=[earlier])
    assert not answer.abstained
    assert answer.searched_for.startswith(earlier)  # the carry-over rule, not the rewrite
    assert "Bananas" not in answer.text and answer.backend == "extractive"
