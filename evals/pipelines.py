"""What is evaluated: the assistant's one answer path, and the baseline it is compared with.

Both turn a case into a `Record`: the text a reader would see, the passages its [n] markers
point at, the passages retrieved (ranked, for recall@k), whether it declined to answer, how long
it took, and everything it returned (serialised, for the personal-data leak check).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Protocol

from assistant.answer import Assistant
from assistant.guard import without_placeholders
from assistant.prompts import load_template
from evals.cases import Case

K_MAX = 10  # the recall@k curve runs to k = 10


@dataclass(frozen=True)
class Cited:
    """A passage an answer's text can point at with [n]."""

    n: int
    source_id: str
    text: str
    quote: str = ""  # the verbatim words the pipeline says support the answer, if it gives any


@dataclass(frozen=True)
class Retrieved:
    source_id: str
    text: str


@dataclass
class Record:
    case_id: str
    pipeline: str
    answer: str
    citable: dict[int, Cited]  # what each [n] in `answer` refers to
    retrieved: list[Retrieved]  # ranked, up to K_MAX
    abstained: bool
    seconds: float
    output: str  # everything the pipeline returned for the conversation, serialised
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
        "with a relevance threshold, extractive or model answer, citation checks."
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
        ranked = self.assistant.retriever.search(
            without_placeholders(answer.searched_for), k=K_MAX
        ).passages
        return Record(
            case_id=case.id,
            pipeline=self.name,
            answer=answer.text,
            citable={
                c.n: Cited(c.n, c.passage.chunk.source_id, c.passage.chunk.text, c.quote)
                for c in answer.citations
            },
            retrieved=[Retrieved(p.chunk.source_id, p.chunk.text) for p in ranked],
            abstained=answer.abstained,
            seconds=seconds,
            output=json.dumps(outputs, ensure_ascii=False),
            notes=[r.reason for r in answer.removed] + list(answer.notices),
        )
