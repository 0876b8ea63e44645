"""Follow-up questions: turn "and what about supervision notes?" into a question that stands on
its own, so retrieval runs afresh on every turn, and find what the follow-up itself is about
("supervision notes"), so that the answer is about that and not the earlier question again.
History is used for nothing else."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.core.guard import redact
from assistant.core.lexical import terms
from assistant.core.llm import LLM, ModelUnavailable
from assistant.core.prompts import load_template
from assistant.core.thesaurus import expand

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


# "What about Copilot?", "And in Scotland?", "Same for students?": a follow-up that only names
# what it now asks about. Anything longer, or that asks in its own words ("And who signed up to
# it?"), is left to the carry-over rule above. The subject is shown back to the reader ("does not
# mention Snapchat"): words only, never markup.
_NAMES_A_SUBJECT = re.compile(
    r"^\s*(?:(?:and|but|also|or|so)\b[\s,]*)?(?:(?:what|how)\s+about|same\s+(?:for|with)|and|or)\s+"
    r"(?:(?:also|then|even|for|in|with|on|about|regarding|the|a|an)\s+)*(?P<words>[\w'’& -]+?)"
    r"(?:\s+(?:too|then|as well))?\s*[?.!]*\s*$",
    re.I,
)
_NOT_A_SUBJECT = re.compile(
    r"^(?:who|whose|what|which|when|where|why|how|is|are|was|were|can|could|should|would|will|do|"
    r"does|did|has|have|if|i|we|you|my|our)\b|\b(?:it|that|this|they|them|those|these|there)\b",
    re.I,
)
_SUBJECT_WORDS = 5


@dataclass(frozen=True)
class Subject:
    """What a follow-up asks about that the question before did not ("Copilot" in "What about
    Copilot?"), and the words of that question, which say what it is asked in connection with."""

    words: str  # as the user wrote them
    terms: frozenset[str]  # each must be in a sentence about the subject (index terms)
    context: frozenset[str]  # the earlier question's terms, in its words and the guidance's

    def spoken_of(self, text: str) -> bool:
        """Whether a sentence speaks of the subject in this conversation: it names the subject
        and shares a word with the earlier question ("Registered in England and Wales" names
        Wales, but says nothing to a question about case recordings)."""
        found = set(terms(text))
        return self.terms <= found and bool(self.context & found)


def new_subject(question: str, history: Sequence[str]) -> Subject | None:
    """The subject a follow-up names in place of the earlier question's, if it only names one
    ("What about Copilot?"); None for any other question, or one that adds no new word."""
    if not history:
        return None
    named = _NAMES_A_SUBJECT.match(question)
    words = named.group("words").strip(" ,") if named else ""
    if not words or _NOT_A_SUBJECT.search(words) or len(words.split()) > _SUBJECT_WORDS:
        return None
    subject_terms = frozenset(terms(words))
    context = frozenset(terms(expand(history[-1]))) - subject_terms
    if not subject_terms or subject_terms <= set(terms(history[-1])):
        return None  # "What about AI?" after a question about AI: nothing new to look for
    return Subject(words, subject_terms, context)
