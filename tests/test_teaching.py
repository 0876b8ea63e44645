"""For educators: the guidance's own questions for discussion after an answer (only from the
passages it cites, verbatim, cited), the whole conversation as a handout (Markdown and HTML, every
citation pointing at a passage in it), and the chat's presenting display."""

from __future__ import annotations

import re

import pytest

from assistant.core.discussion import discussion_questions
from assistant.core.domain import Chunk, Citation, Passage
from assistant.core.prompts import load_template


def _citation(n: int, text: str) -> Citation:
    spans, position = [], 0
    for sentence in re.split(r"(?<=[.?])\n|(?<=[.?]) ", text):
        start = text.index(sentence, position)
        spans.append((start, start + len(sentence)))
        position = start + len(sentence)
    chunk = Chunk(f"c{n}", "src", "Report", text, ("Questions",), 0, len(text), 0, "h", sentences=tuple(spans))
    return Citation(n, Passage(n, chunk, 0.5, 0.7), "")


def test_discussion_questions_come_verbatim_from_the_cited_passages_only():
    first = _citation(1, "Evaluation matters. How are social workers using AI transcription tools?")
    second = _citation(
        2, "- Reasonable adjustment?\n- What should the core principles of an evaluation framework be?"
    )
    asked = discussion_questions([first, second])
    assert [q.text for q in asked] == [
        "How are social workers using AI transcription tools?",
        "What should the core principles of an evaluation framework be?",  # its list marker left out
    ]
    assert [q.citations for q in asked] == [(1,), (2,)]
    for question, citation in zip(asked, (first, second)):
        assert question.quotes == (question.text,) and question.text in citation.passage.chunk.text
    many = _citation(3, " ".join(f"How would team {n} check the AI output today?" for n in range(5)))
    assert len(discussion_questions([many])) == 3  # at most three
    assert discussion_questions([_citation(4, "Check every draft. Keep records.")]) == []


@pytest.mark.slow
def test_an_educator_gets_the_guidances_questions_after_the_answer_and_a_practitioner_does_not(assistant):
    # Asked "What research is needed on AI transcription tools?", the answer has cited only its
    # lead since sentences are scored with their hubness: the research passage is no longer cited.
    question = "What research is being done on how AI transcription tools are used in social work?"
    educator = assistant.with_settings(audience="educator").ask(question)
    assert educator.discussion, educator.text
    cited = {c.n: c.passage.chunk.text for c in educator.citations}
    for asked in educator.discussion:
        (n,) = asked.citations
        assert n in cited and asked.text in cited[n]  # verbatim, from a passage the answer cites
    heading = load_template("messages.v3.md").render("discussion_heading")
    assert f"**{heading}**" in educator.text
    assert educator.text.index(heading) > educator.text.index(educator.claims[-1].text[:30])
    practitioner = assistant.with_settings(audience="practitioner").ask(question)
    assert practitioner.discussion == [] and heading not in practitioner.text


@pytest.mark.slow
def test_the_conversation_handout_holds_every_answer_with_the_passages_its_markers_cite(assistant):
    from assistant.chat.adapter import conversation_handout

    questions = [
        "Can I paste case notes into ChatGPT?",
        "Who is accountable for a case record that AI helped me draft?",
        f"Can I tell Mrs Okafor, NHS number 943 476 5919, that I use Copilot?",
    ]
    answers = [assistant.ask(question) for question in questions]
    text = load_template("chat.v1.md")
    markdown, handout = conversation_handout(answers, assistant.index.sources, text)
    sections = re.split(r"^## \d+\. ", markdown, flags=re.MULTILINE)[1:]
    assert len(sections) == len(answers)
    for section, answer in zip(sections, answers):
        assert section.startswith(answer.question[:20])
        body, _, references = section.partition(f"### {text.render('export_references')}")
        for n in set(re.findall(r"\[(\d+)\]", body)):
            # Each marker of this answer has its reference in this section, with the passage's words.
            (citation,) = [c for c in answer.citations if c.n == int(n)]
            entry = re.search(rf"^\[{n}\] .*\n> (.+)$", references, re.MULTILINE)
            assert entry, (n, references[:300])
            quoted = entry.group(1).strip("“”‘’")
            words = " ".join(quoted.replace("\\", "").split()[:6]).strip("“‘")
            assert words in " ".join(citation.passage.chunk.text.split()), (words, citation.quote)
    for written in (markdown, handout):
        assert "Okafor" not in written and "943 476 5919" not in written
    assert handout.startswith("<!DOCTYPE html>") and "<script" not in handout
    assert all(answer.question.split("?")[0][:15] in handout for answer in answers[:2])
