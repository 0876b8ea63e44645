"""What is evaluated: the assistant's one answer path, and the baseline it is compared with.

Both turn a case into a `Record`: the sentences a reader sees (each with the passages its [n]
markers point at, and the answer's part and role when the pipeline gives them), the passages
retrieved (ranked, for recall@k), whether it declined to answer, how long it took, and everything
it returned (serialised, for the personal-data leak check). The assistant's record is read from
its `Answer`'s data, never parsed back out of the Markdown it renders.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Protocol

from assistant.core.answer import Answer, Assistant
from assistant.core.prompts import load_template
from assistant.core.retrieve import RANKED
from evals.cases import Case

K_MAX = RANKED  # the recall@k curve runs as deep as the search ranks (10)


@dataclass(frozen=True)
class Cited:
    """A passage an answer's text can point at with [n]."""

    n: int
    source_id: str
    text: str
    quote: str = ""  # the verbatim words the pipeline says support the answer, if it gives any


@dataclass(frozen=True)
class Said:
    """One sentence the reader sees."""

    text: str
    citations: tuple[int, ...]  # the [n] it carries
    quoted: bool = False  # shown as the source's own words (in quotation marks)
    part: str = ""  # "lead", "guidance" or "reported"; "" when the pipeline has no parts
    role: str = ""  # the pipeline's own label for it, "" if none
    item: bool = False  # shown as an item of a list


@dataclass(frozen=True)
class Retrieved:
    source_id: str
    text: str


@dataclass
class Record:
    case_id: str
    pipeline: str
    answer: str  # the text the reader sees, as rendered
    citable: dict[int, Cited]  # what each [n] refers to
    retrieved: list[Retrieved]  # ranked, up to K_MAX
    abstained: bool
    seconds: float
    output: str  # everything the pipeline returned for the conversation, serialised
    claims: list[Said] = field(default_factory=list)  # the answer's sentences, in order
    # Each list the answer shows in part: (index of its last claim shown, items it says are not).
    untold: list[tuple[int, int]] = field(default_factory=list)
    question_type: str = ""  # the pipeline's reading of the question, "" if it has none
    twin: list[Said] | None = None  # the answer to the case's question without personal details
    error: str = ""
    notes: list[str] = field(default_factory=list)


class Pipeline(Protocol):
    name: str
    description: str  # one line for the report
    system_prompt: str  # what must never come back out (the model's instructions), "" if none

    def run(self, case: Case) -> Record: ...


class AssistantPipeline:
    """`Assistant.ask`, exactly as the CLI and the chat call it; follow-ups carry their history."""

    name = "assistant"
    description = (
        "Assistant.ask, as the CLI and the chat call it: personal-data guard, hybrid retrieval "
        "with a relevance threshold, answer shaped by the question's type and each sentence's "
        "role (extractive or model), citation checks."
    )

    def __init__(self, assistant: Assistant) -> None:
        self.assistant = assistant
        template = load_template(f"answer.{assistant.settings.prompt_version}.md")
        self.system_prompt = template.parts.get("system", "")

    def run(self, case: Case) -> Record:
        history: list[str] = []
        outputs: list[dict] = []
        for earlier in case.history:  # as the chat does: each turn answered, then remembered
            answer = self.assistant.ask(earlier, history)
            history.append(answer.searched_for)
            outputs.append(answer.to_dict())
        started = time.perf_counter()
        answer = self.assistant.ask(case.question, history)
        seconds = time.perf_counter() - started
        outputs.append(answer.to_dict())
        twin = None
        if case.without_details:
            twin = _said(self.assistant.ask(case.without_details, history))
        return Record(
            case_id=case.id,
            pipeline=self.name,
            answer=answer.text,
            citable={
                c.n: Cited(c.n, c.passage.chunk.source_id, c.passage.chunk.text, c.quote)
                for c in answer.citations
            },
            # The ranking of the search the answer ran, as it ran it.
            retrieved=[Retrieved(p.chunk.source_id, p.chunk.text) for p in answer.ranked[:K_MAX]],
            abstained=answer.abstained,
            seconds=seconds,
            output=json.dumps(outputs, ensure_ascii=False),
            claims=_said(answer),
            untold=[(note.after, note.total - note.shown) for note in answer.lists],
            question_type=answer.question_type,
            twin=twin,
            notes=[r.reason for r in answer.removed] + list(answer.notices),
        )


def _said(answer: Answer) -> list[Said]:
    quoted = answer.backend == "extractive"
    return [
        Said(c.text, c.citations, quoted, c.part, c.role, c.item)
        for c in ([] if answer.abstained else answer.claims)
    ]
