"""What the chat shows, made from the core's results as plain data (no Chainlit here: app.py turns
these into Chainlit messages and elements), so that every piece can be tested without a browser.
"""

from __future__ import annotations

import base64
import re
import threading
from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import get_args

from assistant.core.answer import Answer, Assistant
from assistant.adapters.factory import open_assistant
from assistant.core.citations import quote_span
from assistant.core.domain import DESIGN_DOCUMENTS, Citation, Source
from assistant.core.guard import redact
from assistant.core.html_page import markdown_html, page
from assistant.core.library import design_coverage, sources_in
from assistant.core.prompts import PromptTemplate
from assistant.core.render import in_quote_marks, markdown_text
from assistant.settings import Settings
from assistant.core.store import IndexInfo

AUDIENCES: tuple[str, ...] = get_args(Settings.model_fields["audience"].annotation)
_LIST_MARKER = re.compile(r"\s*(?:[-*+•]|\d+[.)])?\s*")
_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*>\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Panel:
    """One cited passage, shown under its answer: `name` is its marker ("[n]"), `heading` what
    the collapsed row says (source and section), `content` the passage in Markdown."""

    name: str
    heading: str
    content: str  # Markdown


@dataclass(frozen=True)
class RenderedAnswer:
    content: str  # Markdown: notices, the answer, the sources cited
    panels: list[Panel]
    export: str  # Markdown for a file: the question, the answer, full references with quotes

    def passages(self, title: str, presenting: bool = False) -> dict[str, object]:
        """The props of the element that lists this answer's passages under it, collapsed
        (public/elements/Passages.jsx). Not Chainlit's side panel: Chainlit 2.12 opens that by
        itself after every answer, stacking the side elements of the whole conversation
        (frontend MessagesContainer), so an earlier answer's passage showed as this one's."""
        items = [{"marker": p.name, "heading": p.heading, "content": p.content} for p in self.panels]
        # Presenting (a projector): every passage open, the conversation in larger type.
        return {"title": title, "expanded": presenting, "presenting": presenting, "items": items}


@dataclass(frozen=True)
class Starter:
    label: str
    message: str


class RateLimit:
    """At most `per_minute` questions in any sixty seconds, for one chat: one person cannot keep
    the shared model (or the machine's two cores) from everyone else."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._asked: deque[float] = deque()

    def wait(self, now: float) -> float:
        """0 if a question may be asked now (and counts it), else the seconds to wait."""
        while self._asked and now - self._asked[0] >= 60:
            self._asked.popleft()
        if len(self._asked) >= self.per_minute:
            return 60 - (now - self._asked[0])
        self._asked.append(now)
        return 0.0


class SharedAssistant:
    """One Assistant for the whole process, opened on first use and shared by every chat: the
    index and the models take seconds and much memory to load."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._opened: tuple[Assistant, IndexInfo] | None = None
        self._by_audience: dict[str, Assistant] = {}

    def open(self) -> tuple[Assistant, IndexInfo]:
        """The assistant and what its index holds. Raises IndexProblem (or EmbedderUnavailable)
        with what to run; a failure is not kept, so the next question tries again."""
        with self._lock:
            if self._opened is None:
                assistant = open_assistant(self.settings)
                # The sources' dates and links for the side panels come from the index's own
                # description of its sources.
                self._opened = (assistant, assistant.index)
            return self._opened

    def for_audience(self, audience: str | None) -> Assistant:
        assistant, _ = self.open()
        if audience not in AUDIENCES or audience == assistant.settings.audience:
            return assistant
        with self._lock:
            if audience not in self._by_audience:
                self._by_audience[audience] = assistant.with_settings(audience=audience)
            return self._by_audience[audience]


def render_answer(
    answer: Answer, sources: Mapping[str, Source], text: PromptTemplate
) -> RenderedAnswer:
    """The message (notices, answer, a compact list of the sources cited), one side panel per
    citation, and the Markdown export."""
    notices = [f"> {markdown_text(_one_line(notice))}" for notice in answer.notices]
    parts = ["\n".join(notices), answer.text]
    if answer.citations:
        parts.append(
            f"**{text.render('references')}**\n" + _sources_cited(answer.citations, sources)
        )
    content = "\n\n".join(part for part in parts if part)
    panels = [_panel(c, sources.get(c.passage.chunk.source_id), text) for c in answer.citations]
    return RenderedAnswer(content, panels, _export(answer, sources, text))


def render_library(info: IndexInfo, text: PromptTemplate) -> str:
    """Sources with their dates, and a warning for each design document present only as excerpts."""
    sources = sources_in(info)
    lines = [text.render("library_heading", count=len(sources), generation=info.generation), ""]
    for source in sources:
        carries = "; ".join(
            f"{DESIGN_DOCUMENTS.get(cover.document, cover.document)} "
            f"({'excerpts only' if cover.extent == 'excerpts' else cover.extent})"
            for cover in source.covers
        )
        if source.in_manifest:
            facts = f" ({markdown_text(', '.join(p for p in (source.publisher, source.date or 'undated') if p))})"
        else:  # nothing is known of a local file's publisher or date
            facts = f" _{text.render('library_local')}_"
        lines.append(
            f"- **{markdown_text(source.title)}**{facts}" + (f". Carries: {carries}" if carries else "")
        )
    lines.append("")
    for document in design_coverage(info):
        if document.warning:
            lines.append(f"- {text.render('library_warning', warning=document.warning)}")
        else:
            lines.append(f"- {text.render('library_full', name=document.name)}")
    lines += ["", text.render("library_footer")]
    return "\n".join(lines)


def starters(text: PromptTemplate) -> list[Starter]:
    """The starter questions, then the library, from the chat's message file."""
    lines = text.render("starters").splitlines() + [text.render("library_starter")]
    return [
        Starter(*(part.strip() for part in line.split("|", 1))) for line in lines if "|" in line
    ]


def answer_mode(settings: Settings, text: PromptTemplate) -> str:
    match settings.backend:
        case "extractive":
            return text.render("mode_extractive")
        case "ollama":
            return text.render("mode_model", backend="Ollama", model=settings.ollama_model)
        case _:
            model = settings.llamacpp_model_path.name if settings.llamacpp_model_path else "(none)"
            return text.render("mode_model", backend="llama.cpp", model=model)


def valid_choices(chosen: Mapping[str, object], sources: Collection[str]) -> dict[str, object]:
    """What the settings panel can send, and nothing else (Chainlit keeps whatever a client
    sends): sources the library holds, an audience there is. The mode is only shown."""
    picked = chosen.get("sources")
    picked = picked if isinstance(picked, list) else []
    ids = [source for source in picked if isinstance(source, str) and source in sources]
    audience = chosen.get("audience")
    return {
        "sources": list(dict.fromkeys(ids)),
        "audience": audience if isinstance(audience, str) and audience in AUDIENCES else None,
        "presenting": chosen.get("presenting") is True,
    }


def echo(question: str, max_chars: int, text: PromptTemplate) -> str:
    """What the user's own message bubble shows instead of what they typed: the question with
    personal data replaced (the guard the answer path runs first), or, for a pasted document
    that will be refused, nothing of it."""
    if len(question) > max_chars:
        return text.render("too_long_echo", characters=f"{len(question):,}")
    return redact(question).text


def highlight(passage: str, quote: str) -> str:
    """The passage as Markdown that shows its text as text (no link, image or HTML of its own),
    one paragraph per line (as in the document), with the quoted words in bold: found by the
    citation checks' own rule (assistant/core/citations.py), so a quote they let through is the quote
    shown; an unmatched quote is not highlighted."""
    span = quote_span(quote, passage) or (0, 0)
    lines, position = [], 0
    for line in passage.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        # Bold cannot run across paragraphs: each line's share is wrapped, leaving out spaces
        # and a list marker at the start (bold around "- " would undo the list).
        a, b = max(span[0], start) - start, min(span[1], end) - start
        a = max(a, _LIST_MARKER.match(line).end()) if a == 0 else a
        while a < b and line[a].isspace():
            a += 1
        while b > a and line[b - 1].isspace():
            b -= 1
        before, quoted, after = (markdown_text(part) for part in (line[:a], line[a:b], line[b:]))
        lines.append(f"{before}**{quoted}**{after}" if a < b else markdown_text(line))
    return "\n\n".join(line for line in lines if line.strip())


def data_url(content: str, mime: str) -> str:
    """Elements carry their content in the URL: Chainlit would otherwise write every side panel
    and export to a file under .files/ on disk."""
    encoded = base64.b64encode(content.encode("utf-8")).decode("ascii")
    return f"data:{mime};charset=utf-8;base64,{encoded}"


def without_external_links(page: str) -> str:
    """Chainlit's page links Google Fonts and KaTeX's CSS from CDNs. Offline, a stylesheet that
    never loads can hold up the page; and no request should leave the machine. The system fonts
    stand in, and maths is off."""
    return _EXTERNAL_LINK.sub("", page)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _is_web(url: str) -> bool:
    return re.fullmatch(r"https?://[^\s<>]+", url or "") is not None


def _sources_cited(citations: list[Citation], sources: Mapping[str, Source]) -> str:
    """One line per source, with every marker that cites it: compact, and each [n] a link."""
    by_source: dict[str, list[Citation]] = {}
    for citation in citations:
        by_source.setdefault(citation.passage.chunk.source_id, []).append(citation)
    lines = []
    for source_id, cited in by_source.items():
        source = sources.get(source_id)
        title = markdown_text(source.title if source else cited[0].passage.chunk.title)
        facts = markdown_text(_published(source)) if source and source.in_manifest else ""
        markers = " ".join(f"[{c.n}]" for c in cited)
        label = f" (**{cited[0].label}**)" if cited[0].label else ""
        lines.append(f"- {markers} {title}{label}" + (f" — {facts}" if facts else ""))
    return "\n".join(lines)


def _panel(citation: Citation, source: Source | None, text: PromptTemplate) -> Panel:
    chunk = citation.passage.chunk
    title = source.title if source else chunk.title
    listed = source is not None and source.in_manifest
    facts = [
        ("Source", markdown_text(title)),
        ("Note", f"**{citation.label}**" if citation.label else ""),
        ("Section", markdown_text(chunk.section)),
        ("Page", str(chunk.page) if chunk.page else ""),
        # A local file's provenance is unknown: it says so rather than "unknown".
        ("Published", markdown_text(_published(source)) if listed else text.render("panel_local")),
        # The only link a panel shows: the publisher's page, from corpus/sources.toml.
        ("Link", f"<{source.url}>" if listed and _is_web(source.url) else text.render("panel_no_link") if listed else ""),
    ]
    shown = "\n".join(f"- **{name}:** {value}" for name, value in facts if value)
    heading = " — ".join(part for part in (title, chunk.heading) if part)
    return Panel(
        f"[{citation.n}]", heading, f"{shown}\n\n---\n\n{highlight(chunk.text, citation.quote)}\n"
    )


def _published(source: Source) -> str:
    return ", ".join(part for part in (source.publisher, source.date) if part)


def _export(answer: Answer, sources: Mapping[str, Source], text: PromptTemplate) -> str:
    lines = [f"# {text.render('export_title')}", "", *_answer_section(answer, sources, text, "##")]
    lines.append(
        text.render("export_footer", date=date.today().isoformat(), backend=answer.backend)
    )
    return "\n".join(lines) + "\n"


def conversation_export(answers: list[Answer], sources: Mapping[str, Source], text: PromptTemplate) -> str:
    """The whole conversation as a handout: each question (as redacted) and its answer, with
    that answer's references and quotes under it, so each [n] points at a passage in its own
    section."""
    lines = [f"# {text.render('conversation_title')}", ""]
    for number, answer in enumerate(answers, 1):
        lines += [f"## {number}. {markdown_text(answer.question)}", ""]
        lines += _answer_section(answer, sources, text, "###", asked=False)
    backends = ", ".join(dict.fromkeys(answer.backend for answer in answers))
    lines.append(text.render("export_footer", date=date.today().isoformat(), backend=backends))
    return "\n".join(lines) + "\n"


def conversation_handout(
    answers: list[Answer], sources: Mapping[str, Source], text: PromptTemplate
) -> tuple[str, str]:
    """The conversation export as Markdown and as one self-contained HTML page."""
    markdown = conversation_export(answers, sources, text)
    return markdown, page(text.render("conversation_title"), markdown_html(markdown))


def _answer_section(
    answer: Answer, sources: Mapping[str, Source], text: PromptTemplate, level: str, asked: bool = True
) -> list[str]:
    lines = [f"**{text.render('export_question')}:** {markdown_text(answer.question)}", ""] if asked else []
    lines += [f"> {markdown_text(_one_line(notice))}\n" for notice in answer.notices]
    lines += [answer.text, ""]
    if answer.citations:
        lines += [f"{level} {text.render('export_references')}", ""]
    for citation in answer.citations:
        chunk = citation.passage.chunk
        source = sources.get(chunk.source_id)
        where = [chunk.section, f"p. {chunk.page}" if chunk.page else ""]
        if source and not source.in_manifest:
            where.append(text.render("panel_local"))
        elif source:
            where.append(_published(source))
        details = markdown_text(". ".join(part for part in where if part))
        if source and source.in_manifest and _is_web(source.url):
            details += f". <{source.url}>"
        label = f" ({citation.label})" if citation.label else ""
        lines.append(
            f"[{citation.n}] {markdown_text(source.title if source else chunk.title)}{label}"
            + (f". {details}" if details else "")
        )
        lines += [f"> {in_quote_marks(markdown_text(_one_line(_quoted_words(chunk.text, citation.quote))))}", ""]
    return lines


def _quoted_words(passage: str, quote: str) -> str:
    """The passage's own words for a quote: a quote cut with "..." is shown whole, from its first
    word to its last, as the passage has it; no quote, the whole passage."""
    if not quote.strip():
        return passage
    span = quote_span(quote, passage)
    return passage[span[0] : span[1]] if span else quote
