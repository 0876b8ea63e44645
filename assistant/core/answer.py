"""The one path from a question to an answer, which the CLI, the chat and the evaluations all call:

    question -> guard -> retrieve -> generate -> verify citations -> Answer

Nothing is shown that has not passed the citation checks; when the library has nothing relevant,
or nothing survives the checks, the answer says the guidance does not cover the question.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from assistant.core.compose import arrange
from assistant.core.domain import Chunk, Citation, Claim, ListNote, Passage, PersonalData, Removed
from assistant.core.embeddings import Embedder
from assistant.core.extractive import extractive_draft
from assistant.core.followup import new_subject, standalone_question
from assistant.core.generate import Draft, model_draft
from assistant.core.guard import PLACEHOLDERS, redact, without_details
from assistant.core.language import in_english
from assistant.core.library import design_coverage
from assistant.core.llm import LLM, ModelUnavailable, TokenCallback
from assistant.core.prompts import load_template
from assistant.core.question import Question, gives_a_figure, known_bodies, read_question, unknown_owner, unknown_speaker, who_can_help
from assistant.core.reading import has_words
from assistant.core.discussion import discussion_questions
from assistant.core.render import numbered, render_markdown
from assistant.core.retrieve import Retrieval, Retriever
from assistant.settings import Settings
from assistant.core.store import IndexInfo
from assistant.core.verify import verify_citations

_MESSAGES = "messages.v3.md"


class UnknownSource(ValueError):
    """A source filter names a source the library does not hold."""


class QuestionTooLong(ValueError):
    """Refused before any work: longer than `max_question_chars` (a pasted document, not a question)."""


class QuestionEmpty(ValueError):
    """Refused before any work: no letter or digit once invisible characters are read away."""


def check_question(question: str, settings: Settings) -> None:
    """Refuse what is not a question before any work: a pasted document (QuestionTooLong), or
    nothing at all (QuestionEmpty): only spaces, zero-width or control characters, punctuation
    or emoji."""
    if len(question) > settings.max_question_chars:
        raise QuestionTooLong(
            f"That is {len(question):,} characters; questions are limited to "
            f"{settings.max_question_chars:,}. Ask about the practice, not with the "
            "document: please do not paste case notes or records here."
        )
    if not has_words(question):
        raise QuestionEmpty("The question is empty.")


@dataclass(frozen=True)
class Answer:
    question: str  # as asked, personal data replaced by placeholders
    searched_for: str  # what retrieval ran on (differs for follow-ups and for personal details)
    text: str  # Markdown made from the parts below; [n] refers to citations[n-1]
    citations: list[Citation]
    passages: list[Passage]
    abstained: bool
    personal_data: list[PersonalData]
    removed: list[Removed]
    backend: str  # what wrote `text`: "extractive", or the model backend that passed the checks
    notices: list[str] = field(default_factory=list)  # said before the answer (data removed, fallback)
    timings_ms: dict[str, float] = field(default_factory=dict)
    question_type: str = "general"  # assistant/core/question.py QUESTION_TYPES
    subject: str = ""  # a follow-up's own subject ("What about Copilot?"): what it answers about
    # The answer's sentences in order, each with its part (lead, guidance, reported), its role
    # and the [n] of what it cites; and the lists shown only in part.
    claims: list[Claim] = field(default_factory=list)
    lists: list[ListNote] = field(default_factory=list)
    # The passages found only loosely match the question (the "indirect" notice is shown).
    loosely_matched: bool = False
    # For educators: questions the cited passages ask, verbatim and cited, shown after the answer
    # (assistant/core/discussion.py); never part of the answer's own sentences.
    discussion: list[Claim] = field(default_factory=list)
    # The search's ranking, to 10 deep, of which `passages` are the first: what the harness
    # measures recall on. Never shown, and not part of `to_dict`.
    ranked: list[Passage] = field(default_factory=list)

    @property
    def lead(self) -> Claim | None:
        """The single most direct sentence, shown first; None when the guidance gives no advice
        and the answer shows only what people reported."""
        return next((claim for claim in self.claims if claim.part == "lead"), None)

    def to_dict(self) -> dict[str, Any]:
        """The `assistant ask --json` shape. Holds no raw personal data: only redacted text."""
        return {
            "question": self.question,
            "searched_for": self.searched_for,
            "question_type": self.question_type,
            "subject": self.subject,
            "answer": self.text,
            "abstained": self.abstained,
            "backend": self.backend,
            "notices": self.notices,
            "lead": _claim_dict(self.lead) if self.lead else None,
            "claims": [_claim_dict(claim) for claim in self.claims],
            "loosely_matched": self.loosely_matched,
            "discussion": [_claim_dict(question) for question in self.discussion],
            "lists": [
                {"after": note.after, "shown": note.shown, "total": note.total,
                 "n": note.citation, "section": note.section}
                for note in self.lists
            ],  # fmt: skip
            "citations": [
                {
                    "n": c.n,
                    "chunk_id": c.passage.chunk.id,
                    "source_id": c.passage.chunk.source_id,
                    "title": c.passage.chunk.title,
                    "section": c.passage.chunk.section,
                    "page": c.passage.chunk.page,
                    "quote": c.quote,
                    "passage": c.passage.chunk.text,
                    "local_document": bool(c.label),
                    "label": c.label,
                }
                for c in self.citations
            ],
            "passages": [
                {
                    "rank": p.rank,
                    "chunk_id": p.chunk.id,
                    "source_id": p.chunk.source_id,
                    "title": p.chunk.title,
                    "section": p.chunk.section,
                    "page": p.chunk.page,
                    "score": round(p.score, 5),
                    "text": p.chunk.text,
                }
                for p in self.passages
            ],
            "personal_data": [{"type": d.type, "start": d.start, "end": d.end} for d in self.personal_data],
            # Why sentences of a model's reply were removed, never their words: nothing a model
            # writes leaves the assistant without passing the checks.
            "removed": [{"reason": r.reason} for r in self.removed],
            "timings_ms": {name: round(ms, 1) for name, ms in self.timings_ms.items()},
        }


def _claim_dict(claim: Claim) -> dict[str, Any]:
    return {"text": claim.text, "part": claim.part, "role": claim.role, "item": claim.item,
            "level": claim.level, "citations": list(claim.citations)}  # fmt: skip


class Assistant:
    """Holds what is slow to load (index, embedding model, language model); answers many questions."""

    def __init__(
        self, settings: Settings, retriever: Retriever, embedder: Embedder, llm: LLM | None,
        index: IndexInfo, load_llm: Callable[[Settings], LLM | None] | None = None,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.retriever = retriever
        self.embedder = embedder
        self.llm = llm
        self.index = index  # what the index generation it reads holds: sources, dates, links
        # How to load another backend's model (assistant/adapters/factory.py gives it): the
        # core never imports an adapter.
        self._load_llm = load_llm
        self._messages = load_template(_MESSAGES)
        self._personal_data_quote: str | None = None

    @property
    def source_titles(self) -> list[str]:
        return sorted(source.title for source in self.index.sources.values())

    @property
    def source_urls(self) -> list[str]:
        return [source.url for source in self.index.sources.values() if source.url]

    def with_settings(self, **changes: object) -> Assistant:
        """The same library and embedder with other answer settings (a chat's audience or
        backend); the model is loaded again only if the backend changes."""
        settings = self.settings.model_copy(update=changes)
        llm = self.llm
        if settings.backend != self.settings.backend:
            if self._load_llm is None:
                raise ValueError("This assistant was built without a way to load another model")
            llm = self._load_llm(settings)
        return Assistant(settings, self.retriever, self.embedder, llm, self.index, self._load_llm)

    def ask(
        self,
        question: str,
        history: Sequence[str] = (),
        source_ids: Sequence[str] | None = None,
        k: int | None = None,
        on_token: TokenCallback | None = None,
    ) -> Answer:
        """Answer one question. `history`: earlier questions of the conversation, as answered
        (Answer.searched_for), used only to make a follow-up stand on its own."""
        check_question(question, self.settings)
        unknown = sorted(set(source_ids or ()) - set(self.retriever.sources))
        if unknown:
            raise UnknownSource(
                f"Unknown source: {', '.join(unknown)}. The library holds: "
                + ", ".join(sorted(self.retriever.sources))
            )
        clock = _Clock()
        # The library's own words are not names: "Copilot" or a tool's name stays searchable.
        redaction = redact(question, self.retriever.uses)
        earlier = [redact(q, self.retriever.uses).text for q in history]
        clock.lap("guard")
        # Someone's details are not part of the question: it is searched for, and answered, as
        # it would be without them.
        searched_for = without_details(standalone_question(redaction.text, earlier, self.llm))
        subject = new_subject(redaction.text, earlier)
        asked = read_question(searched_for, subject=subject)
        retrieval = self.search(asked, k, source_ids, asked_as=redaction.text)
        if not retrieval.relevant and self.llm is not None:
            # A model's rewrite of a follow-up that finds nothing is not trusted over the plain
            # carry-over rule (measured: the small test model's rewrites lost 3 of 3 follow-ups).
            carried = without_details(standalone_question(redaction.text, earlier))
            if carried != searched_for:
                carried_asked = read_question(carried, subject=subject)
                retried = self.search(carried_asked, k, source_ids, asked_as=redaction.text)
                if retried.relevant:
                    searched_for, asked, retrieval = carried, carried_asked, retried
        clock.lap("retrieve")
        notices = [] if in_english(redaction.text) else [self._messages.render("not_english")]
        notices += [self._personal_data_notice(redaction.found)] if redaction.found else []
        notices += self._named_body_notices(asked)
        base = dict(question=redaction.text, searched_for=searched_for, question_type=asked.type,
                    personal_data=list(redaction.found), notices=notices,
                    subject=subject.words if subject else "", ranked=retrieval.ranked)  # fmt: skip
        owner = unknown_owner(searched_for, self.retriever.mentions)
        speaker = "" if owner else unknown_speaker(asked, self.retriever.uses_name)
        if owner:
            notices.append(self._messages.render("owner_not_in_library", owner=owner))
        if speaker:
            notices.append(self._messages.render("speaker_not_in_library", name=speaker))
        if not retrieval.relevant or owner or speaker:
            return self._abstain(base, retrieval.passages, [], clock, source_ids)

        draft, removed, passages = self._generate_and_verify(asked, retrieval, notices, clock, on_token)
        if not draft.claims or _standard_out_of_context(draft, retrieval, asked):
            return self._abstain(base, passages, removed, clock, source_ids)
        loosely = _closest(retrieval, asked) < self.settings.direct_answer_similarity and not _leads_with_the_item(
            draft, passages, asked
        )
        if asked.asks_for_a_number and not any(gives_a_figure(claim.text) for claim in draft.claims):
            # "How much does Copilot cost?": sentences about Copilot without a price do not answer
            # it, and the reader is told. Not declined: "How much did the study hear from people
            # who use services?" asks for no number (measured: declining lost such an answer).
            notices.append(self._messages.render("no_figure"))
        if loosely:
            notices.append(self._indirect(asked))
        claims, lists, citations = numbered(draft, passages)
        notices += self._will_not_notices(claims, citations)
        label = self._messages.render("local_document")
        citations = [replace(c, label=label if self.retriever.is_local(c.passage.chunk.source_id) else "")
                     for c in citations]  # fmt: skip
        local = [f"[{c.n}]" for c in citations if c.label]
        if local:
            which = f"Passage {local[0]} comes" if len(local) == 1 else f"Passages {', '.join(local)} come"
            notices.append(self._messages.render("local_cited", which=which))
        discussion = discussion_questions(citations) if self.settings.audience == "educator" else []
        text = render_markdown(claims, lists, draft.backend, self._messages, discussion)
        return Answer(**base, text=text, citations=citations, passages=passages, abstained=False,
                      removed=removed, backend=draft.backend, timings_ms=clock.done(),
                      claims=claims, lists=lists, loosely_matched=loosely, discussion=discussion)  # fmt: skip

    def search(
        self, asked: Question, k: int | None = None, source_ids=None, asked_as: str = ""
    ) -> Retrieval:
        """Hybrid retrieval; a question naming a body ranks that body's own passages first (a
        list question, those holding a list), a follow-up naming a subject the passages that
        speak of it. `asked_as`: the question as asked (Retriever.search)."""
        about = self.retriever.about(asked.subject, source_ids) if asked.subject else set()
        prefer = self._preferred(asked)
        retrieval = self.retriever.search(
            asked.text, k, source_ids, prefer=prefer, first=about, asked_as=asked_as,
            asks_what_to_do=asked.asks_may_i_or_who,
        )
        if asked.subject and not about:
            # The library never speaks of the follow-up's subject: what was found is about the
            # earlier question alone, and is not an answer to this one.
            return replace(retrieval, relevant=False)
        return retrieval

    def _preferred(self, asked: Question) -> Callable[[Chunk], bool] | None:
        """The passages a question ranks once more: those of the bodies it names; asked for a
        list, those that hold one (of those bodies); asked which standard, those quoting one."""
        if asked.names_an_item:
            return asked.holds_the_item_asked  # "What does recommendation 2 say?": its own passages
        body = self._bodys_own(asked)
        holds = {"list": _holds_a_list, "which-standard": _holds_a_standard}.get(asked.type)
        if holds is None or body is None:
            return holds or body
        return lambda chunk: body(chunk) and holds(chunk)

    def _bodys_own(self, asked: Question) -> Callable[[Chunk], bool] | None:
        """Picks out the passages of the bodies a question names; None if it names none."""
        if not asked.bodies:
            return None
        covering = self._sources_covering(asked)
        return lambda chunk: any(body.wrote(chunk, covering) for body in asked.bodies)

    def _sources_covering(self, asked: Question) -> set[str]:
        documents = {body.document for body in asked.bodies if body.document}
        return {
            source.id
            for source in self.index.sources.values()
            if any(cover.document in documents for cover in source.covers)
        }

    def _named_body_notices(self, asked: Question) -> list[str]:
        """Said plainly: the library holds the named body's guidance only as excerpts, or not at all."""
        coverage = {document.id: document for document in design_coverage(self.index)}
        notices = []
        for body in asked.bodies:
            document = coverage.get(body.document)
            if document is None or document.status == "full":
                continue
            if document.status == "excerpts":
                # "What did Social Work England's research find...?": the library holds in full the
                # report published for it; saying only "excerpts" would read as if it held nothing whole.
                sources = self.index.sources
                published = [sources[s].title for s in body.published_for
                             if s in sources and sources[s].chunks]  # fmt: skip
                facts = dict(body=body.name, document=document.name, via="; ".join(document.via))
                if published:
                    # The excerpts are often in that same report: its long title is said once.
                    part = "excerpts_in_published" if set(document.via) <= set(published) else "excerpts_and_published"
                    notices.append(self._messages.render(part, **facts, published="; ".join(published)))
                else:
                    notices.append(self._messages.render("excerpts_only", **facts))
            else:
                notices.append(self._messages.render("not_in_library", body=body.name))
        return notices

    def _will_not_notices(self, claims: list[Claim], citations: list[Citation]) -> list[str]:
        """A standard that says what not to do, quoted without the words that say so ("5.6 Use
        technology ... unlawfully"), reads as the opposite: the answer says what it is."""
        cited = {citation.n: citation.passage for citation in citations}
        notices = []
        for body in known_bodies():
            numbers: list[str] = []
            for claim in claims:
                if any(n in cited and body.named_in(cited[n].chunk.embedding_text()) for n in claim.citations):
                    numbers += [number for number in body.will_not_standards(claim.text) if number not in numbers]
            if numbers:
                numbers.sort(key=lambda number: tuple(int(part) for part in number.split(".")))
                kind = "will_not_standard" if len(numbers) == 1 else "will_not_standards"
                notices.append(self._messages.render(kind, body=body.name, numbers=_in_words(numbers), words=body.will_not[1]))
        return notices

    def _generate_and_verify(
        self, asked: Question, retrieval: Retrieval, notices: list[str], clock: _Clock, on_token
    ) -> tuple[Draft, list[Removed], list[Passage]]:
        """A verified draft (the model's if it passes the checks, else the extractive one), and
        the passages it may cite."""
        passages = retrieval.passages
        removed: list[Removed] = []
        if self.llm is not None:
            try:
                draft = model_draft(asked.text, passages, self.llm, self.settings, on_token)
            except ModelUnavailable as exc:
                notices.append(self._messages.render("model_unavailable", reason=str(exc)))
            else:
                clock.lap("generate")
                if not draft.answered and not draft.claims and not draft.problem:
                    return draft, removed, passages  # the model says the passages do not answer this
                verified = verify_citations(
                    draft, passages, self.embedder, self.settings, self.source_urls, self.retriever.unvetted
                )
                clock.lap("verify")
                removed = list(verified.removed)
                if draft.problem:
                    removed.append(Removed("(the whole reply)", draft.problem))
                if verified.claims and len(verified.removed) <= len(verified.claims):
                    claims = arrange(verified.claims, passages, asked.type)
                    if claims:
                        return Draft(claims, True, draft.backend), removed, passages
                notices.append(self._messages.render("unverified", backend=self.llm.name))
        draft = extractive_draft(
            retrieval, asked, self.settings, self.retriever.next_in_section, self._sources_covering(asked)
        )
        passages = passages + draft.extra_passages
        clock.lap("generate")
        # Quoted sentences pass by construction; checking them anyway keeps one rule for all.
        verified = verify_citations(
            draft, passages, self.embedder, self.settings, self.source_urls, self.retriever.unvetted
        )
        clock.lap("verify")
        kept = Draft(verified.claims, bool(verified.claims), "extractive", lists=draft.lists)
        return kept, removed + verified.removed, passages

    def _abstain(self, base: dict, passages, removed, clock: _Clock, source_ids) -> Answer:
        titles = self.source_titles
        if source_ids:
            titles = sorted({p.chunk.title for p in passages}) or titles
        text = self._messages.render(
            self._not_covered(base["subject"]), sources="; ".join(titles), subject=base["subject"]
        )
        helpers = who_can_help(base["searched_for"])
        if helpers:
            text += "\n\n" + self._messages.render("abstention_referral", who="; ".join(helpers))
        text += "\n\n" + self._messages.render("abstention_help")
        return Answer(**base, text=text, citations=[], passages=passages, abstained=True,
                      removed=removed, backend="none", timings_ms=clock.done())  # fmt: skip

    def _not_covered(self, subject: str) -> str:
        """Which message declines: a follow-up's subject is named, and whether the library uses
        its words at all ("does not mention Snapchat") or only apart from this conversation."""
        if not subject:
            return "abstention"
        if self.retriever.uses(subject):
            return "followup_not_in_context"
        return "followup_not_mentioned"

    def _indirect(self, asked: Question) -> str:
        if asked.subject is None:
            return self._messages.render("indirect")
        return self._messages.render("followup_indirect", subject=asked.subject.words)

    def _personal_data_notice(self, found: Sequence[PersonalData]) -> str:
        """What was removed, and what the guidance says about personal data in AI tools."""
        kinds = list(dict.fromkeys(PLACEHOLDERS[item.type].strip("[]") for item in found))
        what = _in_words(kinds)
        notice = self._messages.render("personal_data", what=f"personal details ({what})")
        if self._personal_data_quote is None:
            # Found by searching the library, not written here: the notice quotes whatever the
            # guidance in the index says about personal data in AI tools.
            query = read_question(self._messages.render("personal_data_query"))
            retrieval = self.retriever.search(query.text, k=3)
            claims = extractive_draft(retrieval, query, self.settings).claims if retrieval.relevant else []
            self._personal_data_quote = _quoted(claims[0], retrieval.passages) if claims else ""
        return f"{notice} {self._personal_data_quote}".strip()


def _in_words(items: Sequence[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _standard_out_of_context(draft: Draft, retrieval: Retrieval, asked: Question) -> bool:
    """A question about neither AI nor a standard, led by a professional standard ("How do I
    write a good supervision agenda?" -> "4.2 Use supervision and feedback to critically reflect
    on..."): the library quotes the standards only where they bear on AI, so it does not answer
    such a question; a standard's few general words made it look close."""
    lead = draft.claims[0]
    return not retrieval.about_ai and asked.type != "which-standard" and not asked.bodies and lead.role == "standard"


def _closest(retrieval: Retrieval, asked: Question) -> float:
    """How close the best sentence the answer can quote is to the question; for a follow-up's
    subject, the best that speaks of it (the earlier question's passages are not quoted)."""
    if asked.subject is None:
        return retrieval.best_similarity
    similarities = [
        similarity
        for p in retrieval.passages
        for text, similarity in zip(p.chunk.sentence_texts(), retrieval.sentence_similarity[p.chunk.id])
        if asked.subject.spoken_of(text)
    ]
    return max(similarities, default=0.0)


def _leads_with_the_item(draft: Draft, passages: list[Passage], asked: Question) -> bool:
    """Asked for an item by its number ("What does recommendation 2 say?"), the answer opens
    with it, or with what stands under it: a close match, however few words the question shares."""
    if not asked.names_an_item or not draft.claims:
        return False
    rank = draft.claims[0].citations[0]
    return any(p.rank == rank and asked.holds_the_item_asked(p.chunk) for p in passages)


def _quoted(claim: Claim, passages: list[Passage]) -> str:
    title = next(p.chunk.title for p in passages if p.rank == claim.citations[0])
    return f'The guidance says: "{claim.text}" ({title})'


class _Clock:
    """Milliseconds per step; a step that did not run is not reported."""

    def __init__(self) -> None:
        self._start = self._last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.laps[step] = self.laps.get(step, 0.0) + (now - self._last) * 1000
        self._last = now

    def done(self) -> dict[str, float]:
        return {**self.laps, "total": (time.perf_counter() - self._start) * 1000}


def _holds_a_list(chunk: Chunk) -> bool:
    """Whether a passage holds a list: a lead-in with items after it."""
    roles = chunk.roles
    return any(
        role == "list_lead" and i + 1 < len(roles) and roles[i + 1] in ("list_item", "standard")
        for i, role in enumerate(roles)
    )


def _holds_a_standard(chunk: Chunk) -> bool:
    """Whether a passage quotes a numbered standard."""
    return "standard" in chunk.roles
