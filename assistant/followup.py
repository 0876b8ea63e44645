"""Follow-up questions: turn "and what about supervision notes?" into a question that stands on
its own, so retrieval runs afresh on every turn. History is used for nothing else."""

from __future__ import annotations

import re
from collections.abc import Sequence

from assistant.guard import redact
from assistant.llm import LLM, ModelUnavailable
from assistant.prompts import load_template

# A message that leans on the one before: opens with a connective, or points back with a pronoun
# and is too short to carry its own subject.
_CONNECTIVE = re.compile(r"^\s*(?:and|but|also|so|then|what about|how about|what if|same for|or)\b", re.I)
_POINTER = re.compile(r"\b(?:it|that|this|they|them|those|these|there|one)\b", re.I)
_SHORT_WORDS = 9
_MAX_REWRITE_CHARS = 400


def leans_on_history(question: str) -> bool:
    return bool(_CONNECTIVE.match(question)) or (
        bool(_POINTER.search(question)) and len(question.split()) <= _SHORT_WORDS
    )


def standalone_question(question: str, history: Sequence[str], llm: LLM | None = None) -> str:
    """`question` made self-contained using the earlier (already redacted) questions.

    With a model: the model rewrites it (prompts/condense.v1.md). Without one, or if the model
    fails: a carry-over rule, the previous question followed by this one.
    """
    if not history or not leans_on_history(question):
        return question
    if llm is not None:
        rewritten = _rewrite(question, history, llm)
        if rewritten:
            return rewritten
    return f"{history[-1]} {question}"


def _rewrite(question: str, history: Sequence[str], llm: LLM) -> str:
    template = load_template("condense.v1.md")
    messages = [
        {"role": "system", "content": template.render("system")},
        {
            "role": "user",
            "content": template.render(
                "user", history="\n".join(f"- {q}" for q in history[-3:]), question=question
            ),
        },
    ]
    try:
        text = llm.chat(messages).text.strip().splitlines()
    except ModelUnavailable:
        return ""
    rewritten = text[0].strip().strip('"') if text else ""
    if not rewritten or len(rewritten) > _MAX_REWRITE_CHARS:
        return ""
    # The model only saw redacted text, but what it writes goes to retrieval: guard it as well.
    return redact(rewritten).text
