"""Questions for discussion, for educators: the questions the guidance itself asks (a research
report's questions for the sector, a webinar's questions to the room), taken verbatim from the
passages an answer cites and cited like its other sentences. An answer never quotes them as its
own words (assistant/core/extractive.py skips questions); a seminar wants exactly them."""

from __future__ import annotations

import re

from assistant.core.domain import Citation, Claim

MAX_QUESTIONS = 3
_ASKS = re.compile(
    r"^(?:how|what|who|whom|whose|when|where|why|which|should|could|would|can|is|are|do|does|did|"
    r"have|has|will|to what extent|in what ways?)\b",
    re.IGNORECASE,
)
_MARKER = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s*")
_MIN_WORDS = 5  # "Reasonable adjustment?" is a label, not a question to discuss


def discussion_questions(citations: list[Citation], limit: int = MAX_QUESTIONS) -> list[Claim]:
    """Up to `limit` questions the cited passages ask, in the order cited, each quoting its
    sentence verbatim and citing its passage's [n]."""
    found: list[Claim] = []
    seen: set[str] = set()
    for citation in citations:
        chunk = citation.passage.chunk
        roles = chunk.roles or ("context",) * len(chunk.sentence_texts())
        for text, role in zip(chunk.sentence_texts(), roles):
            if len(found) == limit:
                return found
            asked = _MARKER.sub("", text).strip()
            if role in ("navigation", "testimony") or not _is_a_question(asked) or asked in seen:
                continue
            seen.add(asked)
            found.append(Claim(asked, citations=(citation.n,), quotes=(asked,), role="question", part="discussion"))
    return found


def _is_a_question(text: str) -> bool:
    return text.endswith("?") and len(text.split()) >= _MIN_WORDS and bool(_ASKS.match(text))
