"""Generate a draft answer from the retrieved passages with a model (the extractive answer, which
needs none, is assistant/core/extractive.py).

Either way the result is a `Draft`: sentences ("claims"), each with the passage numbers it cites,
a verbatim quote per citation, its role and its part (lead, guidance, reported). Nothing here is
shown to anyone before assistant/core/verify.py has checked it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

from assistant.core.domain import Claim, ListNote, Passage
from assistant.core.llm import LLM
from assistant.core.prompts import load_schema, load_template
from assistant.core.roles import VOICES
from assistant.settings import Settings


@dataclass(frozen=True)
class Draft:
    claims: list[Claim]  # citations by passage rank; each with its role and part
    answered: bool  # False: the generator found nothing in the passages that answers
    backend: str
    problem: str = ""  # why a model's output could not be used at all (not valid JSON, ...)
    lists: list[ListNote] = field(default_factory=list)  # lists shown only in part
    # Passages the draft cites beyond those retrieved: the rest of a list, from the passage that
    # follows in the same section.
    extra_passages: list[Passage] = field(default_factory=list)


def model_draft(
    question: str, passages: list[Passage], llm: LLM, settings: Settings, on_token=None
) -> Draft:
    """Ask the model for a structured answer (see prompts/answer.<version>.md) and parse it."""
    template = load_template(f"answer.{settings.prompt_version}.md")
    schema = load_schema(f"answer.{settings.prompt_version}.schema.json")
    shown = "\n\n".join(
        template.render(
            "passage",
            n=p.rank,
            title=_attribute(p.chunk.title),
            section=_attribute(p.chunk.section),
            text=p.chunk.text.replace("</passage", "</ passage"),
        )
        for p in passages
    )
    messages = [
        {
            "role": "system",
            "content": template.render(
                "system", audience_description=template.render(settings.audience)
            ),
        },
        {"role": "user", "content": template.render("user", passages=shown, question=question)},
    ]
    generation = llm.chat(messages, schema=schema, on_token=on_token)
    return parse_model_output(generation.text, llm.name)


def parse_model_output(text: str, backend: str) -> Draft:
    """The model's JSON as a Draft; output that is not the asked-for shape is a `problem`. The
    lead (prompt v2) comes first with part "lead"; a reply without one (v1) has none."""
    try:
        data = json.loads(_strip_code_fence(text))
        sentences = data["sentences"] if isinstance(data, dict) else None
        if not isinstance(sentences, list):
            raise ValueError("no list of sentences")
        claims = [_claim(item) for item in sentences]
        lead = data.get("lead")
        if isinstance(lead, dict) and str(lead.get("text", "")).strip():
            claims.insert(0, replace(_claim(lead), part="lead"))
    except (ValueError, KeyError, TypeError) as exc:
        return Draft([], False, backend, f"the model's reply was not the JSON asked for ({exc})")
    answered = bool(data.get("answered", bool(claims)))
    return Draft(claims, answered, backend)


def _claim(item: object) -> Claim:
    if not isinstance(item, dict) or not isinstance(item.get("text"), str):
        raise ValueError("a sentence without text")
    numbers, quotes = [], []
    for citation in item.get("citations") or []:
        if isinstance(citation, dict):
            number, quote = citation.get("n"), citation.get("quote", "")
        else:  # a bare number: tolerated, but it has no quote to check
            number, quote = citation, ""
        try:
            numbers.append(int(number))
        except (TypeError, ValueError):
            raise ValueError(f"citation {number!r} is not a passage number") from None
        quotes.append(quote if isinstance(quote, str) else "")
    role = item.get("role") if item.get("role") in VOICES else "context"
    return Claim(item["text"].strip(), tuple(numbers), tuple(quotes), role)


def _strip_code_fence(text: str) -> str:
    match = re.fullmatch(r"\s*```(?:json)?\s*(.*?)\s*```\s*", text, re.DOTALL)
    return match.group(1) if match else text


def _attribute(value: str) -> str:
    return value.replace('"', "'").replace("\n", " ")

