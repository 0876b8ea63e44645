"""The answer's shape, whoever wrote its sentences: a lead (the most direct sentence), what the
guidance says, then what practitioners and research reported, labelled as such.

The extractive answer is built in this shape (assistant/core/extractive.py). A model tags its own
sentences (prompts/answer.v2.md); here, after the citation checks, each tag is checked against
what the sentence cites: a sentence whose every quote comes from what people said or found is
reported evidence, whatever the model called it. Then the same rule as for quotes: for anything
but an evidence question, nothing reported comes before the guidance.
"""

from __future__ import annotations

from dataclasses import replace

from assistant.core.citations import sentence_holding
from assistant.core.domain import Claim, Passage
from assistant.core.roles import REPORTED


def arrange(claims: list[Claim], passages: list[Passage], question_type: str) -> list[Claim]:
    """A model's verified claims in the answer's order, each with a checked role and its part."""
    shown = {p.rank: p for p in passages}
    checked = [replace(claim, role=_checked_role(claim, shown)) for claim in claims]
    lead = next((c for c in checked if c.part == "lead"), None)
    if lead is None or (lead.role in REPORTED and question_type != "evidence"):
        guidance = [c for c in checked if c.role not in REPORTED]
        lead = guidance[0] if guidance else (checked[0] if question_type == "evidence" else None)
    rest = [c for c in checked if c is not lead]
    ordered = [replace(lead, part="lead")] if lead else []
    ordered += [replace(c, part="guidance") for c in rest if c.role not in REPORTED]
    ordered += [replace(c, part="reported") for c in rest if c.role in REPORTED]
    return ordered


def _checked_role(claim: Claim, shown: dict[int, Passage]) -> str:
    """The model's tag, unless every quote it gives sits in a sentence of what people said or
    found: then the cited sentence's own voice."""
    voices = []
    for number, quote in zip(claim.citations, claim.quotes):
        passage = shown.get(number)
        if passage is None or not quote:
            return claim.role
        index = sentence_holding(passage.chunk.sentence_texts(), quote)
        if index is None or index >= len(passage.chunk.voices):
            return claim.role
        voices.append(passage.chunk.voices[index])
    if voices and all(voice in REPORTED for voice in voices):
        return voices[0]
    return claim.role
