"""The answer as Markdown, made from its parts: the lead, what the guidance says, then what
practitioners and research reported (labelled as evidence, not advice). The command line, the
chat and the export show this text; everything that scores or inspects an answer reads the parts
(Answer.claims), never this rendering.

Words from documents are shown as text, never as markup: a passage's "[link](...)", image,
`<javascript:...>` autolink, HTML or bare address would otherwise become live in the chat, the
terminal and the export (markdown_text).
"""

from __future__ import annotations

import re
from dataclasses import replace

from assistant.core.domain import Citation, Claim, ListNote, Passage
from assistant.core.generate import Draft
from assistant.core.guard import PLACEHOLDERS
from assistant.core.prompts import PromptTemplate


def numbered(draft: Draft, passages: list[Passage]) -> tuple[list[Claim], list[ListNote], list[Citation]]:
    """The draft's claims and list notes with citations renumbered 1, 2, ... in order of first
    use, and the citations (only the passages cited)."""
    by_rank = {p.rank: p for p in passages}
    number: dict[int, int] = {}
    quotes: dict[int, str] = {}
    for claim in draft.claims:
        for rank, quote in zip(claim.citations, claim.quotes):
            number.setdefault(rank, len(number) + 1)
            if quote and rank not in quotes:
                quotes[rank] = quote
    for note in draft.lists:
        number.setdefault(note.citation, len(number) + 1)
    citations = [Citation(n, by_rank[rank], quotes.get(rank, "")) for rank, n in number.items()]
    claims = [
        replace(claim, citations=tuple(dict.fromkeys(number[r] for r in claim.citations)))
        for claim in draft.claims
    ]
    lists = [replace(note, citation=number[note.citation]) for note in draft.lists]
    return claims, lists, citations


_INDENT = "    "  # a list nested in a list item, as every Markdown renderer reads it


def render_markdown(
    claims: list[Claim],
    lists: list[ListNote],
    backend: str,
    messages: PromptTemplate,
    discussion: list[Claim] = (),
) -> str:
    """Markdown: "In short" and the lead, then each part under its heading, then (for educators)
    the guidance's own questions for discussion."""
    quoted = backend == "extractive"
    notes = {note.after: note for note in lists}
    lines: list[str] = []
    parts = [(part, [(i, c) for i, c in enumerate(claims) if c.part == part])
             for part in ("lead", "guidance", "reported")]  # fmt: skip
    if not any(claim.part == "lead" for claim in claims):
        lines += [messages.render("no_direct_advice"), ""]
    for part, members in parts:
        if not members:
            continue
        if part == "guidance":
            lines += [f"**{messages.render('guidance_heading')}**", ""]
        elif part == "reported":
            lines += [
                f"**{messages.render('reported_heading')}** _{messages.render('reported_note')}_",
                "",
            ]
        for index, claim in members:
            sentence = _sentence(claim, quoted)
            if claim.item and part == "lead":
                # A list led by "In short": a list of its own after the paragraph (indented, its
                # items would read as more of the paragraph's text).
                if not claims[index - 1].item:
                    lines.append("")
                lines.append(f"{_INDENT * claim.level}- {sentence}")
            elif claim.item:
                # under the sentence that introduces the list, a sub-item under its item
                lines.append(f"{_INDENT * (1 + claim.level)}- {sentence}")
            elif part == "lead" and index and claims[index - 1].part == "lead":
                if claims[index - 1].item or index - 1 in notes:
                    # after a list (or its note), a paragraph of its own: on the list's last
                    # line it would read as part of that item or note
                    lines += ["", sentence]
                else:
                    lines[-1] += f" {sentence}"  # the lead's second sentence, on its line
            elif part == "lead":
                lines.append(f"**{messages.render('lead_label')}:** {sentence}")
            else:
                lines.append(f"- {sentence}")
            if index in notes:
                more = _list_note(notes[index], messages)
                lines.append(f"{'' if part == 'lead' else '    '}- _{more}_")
        lines.append("")
    if discussion:
        lines += [f"**{messages.render('discussion_heading')}**", ""]
        lines += [f"- {_sentence(question, quoted=True)}" for question in discussion]
    return "\n".join(lines).strip()


def _list_note(note: ListNote, messages: PromptTemplate) -> str:
    """How many of a list's items the answer leaves out, and where they are."""
    left_out = note.total - note.shown
    kind = "list_not_shown" if not note.shown else "list_one_more" if left_out == 1 else "list_more"
    return messages.render(kind, count=left_out, n=note.citation, section=markdown_text(note.section))


# An address a Markdown renderer would make a link of by itself (GFM autolinks these bare).
_ADDRESS = re.compile(
    r"(?:https?://|ftp://|www\.)[^\s<>`]*[^\s<>`.,;:!?)\]'\"]|mailto:[^\s`]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
# What can open a link, an image, an autolink, HTML, code or emphasis: "(" and "!" mean nothing
# once "[" is escaped, nor ">" once "<" is.
_MARKUP = re.compile(r"[\\`*_\[\]<]")
# "[2]" and "[name]", escaped: a citation marker or the guard's placeholder, kept as they are.
_KEPT = re.compile(
    r"\\\[(\d+|" + "|".join(re.escape(p.strip("[]")) for p in PLACEHOLDERS.values()) + r")\\\]"
)


def markdown_text(text: str) -> str:
    """`text` as Markdown that shows exactly these characters: every character that could start
    a link, an image, an autolink, HTML or emphasis escaped, and an address shown as code (a
    bare address is made a link by the renderer, escaped or not). Citation markers stay."""
    pieces, position = [], 0
    for found in _ADDRESS.finditer(text):
        pieces += [_escaped(text[position : found.start()]), f"`{found.group(0)}`"]
        position = found.end()
    pieces.append(_escaped(text[position:]))
    return "".join(pieces)


def _escaped(text: str) -> str:
    return _KEPT.sub(r"[\1]", _MARKUP.sub(r"\\\g<0>", text))


def _sentence(claim: Claim, quoted: bool) -> str:
    marks = "".join(f"[{n}]" for n in claim.citations)
    text = in_quote_marks(markdown_text(claim.text)) if quoted else markdown_text(claim.text)
    return f"{text} {marks}"


# A bullet the document's conversion left before a quoted sentence: layout, not its words.
_BULLET = re.compile(r"^\s*(?:\\?[-*+]|[•▪◦–])\s+")
_OPENING, _CLOSING = "“", "”"


def in_quote_marks(text: str) -> str:
    """`text` shown as a quotation: “…”, with no stray bullet before it, and never ““ or ””.
    A sentence holding someone's words (“I chair ... work.” (practice supervisor)) keeps its own
    marks, balanced where the sentence split left one alone, inside single marks (‘“...”’)."""
    text = _BULLET.sub("", text.strip())
    if text.startswith(_OPENING) and text.endswith(_CLOSING) and _OPENING not in text[1:-1]:
        text = text[1:-1]  # one quotation, whole: our marks are its marks
    opened, closed = text.count(_OPENING), text.count(_CLOSING)
    if closed > opened:
        text = _OPENING * (closed - opened) + text
    elif opened > closed:
        text += _CLOSING * (opened - closed)
    if _OPENING in text or '"' in text:
        return f"‘{text}’"
    return f"“{text}”"
