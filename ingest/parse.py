"""Turn one file (text, Markdown, HTML, DOCX, PDF) into clean, ordered document elements.

The only module that imports unstructured. Everything it returns is our own `Element`; every
problem with a file becomes a `FileProblem` with a reason a person can act on.
"""

from __future__ import annotations

import io
import re
import zipfile
from itertools import groupby
from pathlib import Path

import lxml.html
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from unstructured.cleaners.core import group_broken_paragraphs
from unstructured.documents.elements import Element as UnstructuredElement
from unstructured.documents.elements import ListItem, Table, Title
from unstructured.partition.docx import partition_docx
from unstructured.partition.html import partition_html
from unstructured.partition.md import partition_md
from unstructured.partition.text import partition_text

from ingest import offline_nlp
from ingest.document import Element, FileProblem, Limits, ParsedDocument
from ingest.clean import (
    clean_element_text,
    clean_markdown_source,
    clean_plain_source,
    is_table_row,
    nest_list_items,
    split_table_row,
)

SUPPORTED_SUFFIXES = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".docx": "docx",
    ".pdf": "pdf",
}

# Hidden content in HTML is not what a reader of the page sees, and a classic place to plant
# instructions for a model; it never enters the index.
_HIDDEN_XPATH = "//*[@hidden] | //template | //script | //style | //noscript | //input[@type='hidden']"
# Inline styles that hide text from a reader (a planted instruction's favourite place): it must
# not reach the index, where a model would read what no person saw.
_HIDDEN_STYLE = re.compile(
    r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden"
    r"|font-size\s*:\s*(?:0+(?:\.0*)?|\.0+)(?:px|pt|em|rem|%)?|opacity\s*:\s*(?:0+(?:\.0*)?|\.0+))"
    r"\s*(?:!important)?\s*(?:;|$)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.,;:!?…]$")


def parse_file(path: Path, limits: Limits) -> ParsedDocument:
    """Parse `path` by its suffix; raise FileProblem when it cannot be read."""
    offline_nlp.install()
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise FileProblem("skipped", f"unsupported file type '{path.suffix or 'none'}'")
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise FileProblem(
            "skipped",
            f"file is {size / 1e6:.1f} MB, over the {limits.max_file_bytes / 1e6:.0f} MB limit",
        )
    if size == 0:
        raise FileProblem("failed", "file is empty")
    data = path.read_bytes()
    match kind:
        case "text":
            document = _parse_text(decode_text(data))
        case "markdown":
            document = _parse_markdown(decode_text(data))
        case "html":
            document = _parse_html(data)
        case "docx":
            document = _parse_docx(data, limits)
        case _:
            document = _parse_pdf(data)
    if not any(element.kind != "heading" for element in document.elements):
        raise FileProblem("failed", "no readable text found")
    return document


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252, so a cp1252 '£' comes through as '£'."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_binary(text):
            break
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise FileProblem("failed", "not a text file (binary content or unknown encoding)")


def _looks_binary(text: str) -> bool:
    controls = sum(1 for char in text if ord(char) < 32 and char not in "\n\r\t\f")
    return "\x00" in text or controls > len(text) * 0.01


# -- Text and Markdown ------------------------------------------------------------------------


def _parse_text(text: str) -> ParsedDocument:
    text = clean_plain_source(text)
    elements = _with_tables(text, _partition_plain)
    return ParsedDocument(elements, title=None)


def _parse_markdown(text: str) -> ParsedDocument:
    text = nest_list_items(clean_markdown_source(text))
    elements = _with_tables(text, lambda block: _convert(partition_md(text=block)))
    return ParsedDocument(elements, title=_first_heading(elements))


def _partition_plain(text: str, page: int | None = None) -> list[Element]:
    found = partition_text(text=text, paragraph_grouper=group_broken_paragraphs if page else None)
    elements = _convert(found, page=page)
    # Plain text has no heading markup: unstructured guesses, and we add that a heading does not
    # end like a sentence (see ingest/offline_nlp.py for why the guess needs this help).
    return [
        Element("paragraph", element.text, page=page)
        if element.kind == "heading" and _SENTENCE_END.search(element.text)
        else element
        for element in elements
    ]


def _with_tables(text: str, parse_block) -> list[Element]:
    """Runs of tab-separated rows become table rows; everything else goes to `parse_block`.

    A run holding HTML (a slide's rich cell, as in the bundled webinar deck) stays with the
    Markdown parser, which reads the HTML inside it.
    """
    elements: list[Element] = []
    tables = 0
    for is_table, lines in groupby(text.split("\n"), key=is_table_row):
        block = list(lines)
        if is_table and not any("<" in line for line in block):
            tables += 1
            elements += [
                Element("table_row", " | ".join(split_table_row(line)), table=tables)
                for line in block
            ]
        elif is_table:
            elements += _rich_table(block, parse_block)
        elif "\n".join(block).strip():
            elements += parse_block("\n".join(block))
    return elements


def _rich_table(lines: list[str], parse_block) -> list[Element]:
    """A slide's table of rich cells (lists in HTML), read column by column: each header cell,
    then the cell below it. Read row by row, as before, a column's list ran on into its
    neighbour's ("what employers should do" took in what the regulator will do)."""
    elements: list[Element] = []
    rows = [line.split("\t") for line in lines]
    position = 0
    while position < len(rows):
        header = rows[position]
        below = rows[position + 1] if position + 1 < len(rows) else None
        plain = not any("<" in cell for cell in header)
        if below is not None and plain and any("<" in cell for cell in below) and len(below) == len(header):
            for title, cell in zip(header, below):
                if clean_element_text(title):
                    elements.append(Element("paragraph", clean_element_text(title)))
                if cell.strip():
                    elements += parse_block(cell)
            position += 2
            continue
        elements += parse_block("\n".join(header))
        position += 1
    return elements


# -- HTML ------------------------------------------------------------------------------------


def _parse_html(data: bytes) -> ParsedDocument:
    try:
        tree = lxml.html.document_fromstring(data)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise FileProblem("failed", f"not readable as HTML ({exc})") from exc
    hidden = tree.xpath(_HIDDEN_XPATH) + [
        element for element in tree.xpath("//*[@style]") if _HIDDEN_STYLE.search(element.get("style"))
    ]
    for element in hidden:
        if element.getparent() is not None:  # not already gone with a hidden ancestor
            element.drop_tree()
    title = clean_element_text(tree.findtext(".//title") or "") or None
    visible = lxml.html.tostring(tree, encoding="unicode")
    elements = _convert(partition_html(text=visible))
    return ParsedDocument(elements, title=_first_heading(elements) or title)


# -- DOCX ------------------------------------------------------------------------------------


def _parse_docx(data: bytes, limits: Limits) -> ParsedDocument:
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileProblem("failed", "password-protected or legacy Word file (not a .docx)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(member.file_size for member in archive.infolist())
        names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise FileProblem("failed", "not a valid .docx (corrupt or not a Word file)") from exc
    if unpacked > limits.max_docx_uncompressed_bytes or unpacked > 100 * len(data) + 10_000_000:
        raise FileProblem(
            "failed", f"refused: expands to {unpacked / 1e6:.0f} MB (a zip bomb or oversized file)"
        )
    if "word/document.xml" not in names:
        raise FileProblem("failed", "not a valid .docx (no word/document.xml inside)")
    try:
        found = partition_docx(file=io.BytesIO(data), include_page_breaks=False)
    except Exception as exc:  # python-docx raises many types for damaged files
        raise FileProblem("failed", f"damaged .docx ({type(exc).__name__})") from exc
    elements = _convert(found)
    return ParsedDocument(elements, title=_first_heading(elements))


# -- PDF -------------------------------------------------------------------------------------


def _parse_pdf(data: bytes) -> ParsedDocument:
    """pypdf reads the text layer page by page, so every element keeps its page number."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileProblem("failed", "encrypted PDF (needs a password)")
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileProblem:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise FileProblem("failed", f"damaged PDF ({type(exc).__name__})") from exc
    except Exception as exc:  # pypdf can raise assorted errors deep in a malformed file
        raise FileProblem("failed", f"damaged PDF ({type(exc).__name__})") from exc
    if not pages:
        raise FileProblem("failed", "PDF has no pages")
    if not any(text.strip() for text in pages):
        raise FileProblem("failed", "PDF has no text layer (scanned images; OCR is not supported)")
    elements: list[Element] = []
    for number, text in enumerate(pages, start=1):
        if text.strip():
            elements += _partition_plain(text, page=number)
    title = (reader.metadata.title if reader.metadata else None) or None
    return ParsedDocument(elements, title=clean_element_text(title) if title else None)


# -- From unstructured's elements to ours ----------------------------------------------------


def _convert(found: list[UnstructuredElement], page: int | None = None) -> list[Element]:
    elements: list[Element] = []
    tables = 0
    for item in found:
        if isinstance(item, Table):
            tables += 1
            elements += [
                Element("table_row", row, page=page, table=tables) for row in _table_rows(item)
            ]
            continue
        text = clean_element_text(item.text)
        if not text:
            continue
        if isinstance(item, Title):
            level = item.metadata.category_depth or 0
            elements.append(Element("heading", text, level=level, page=page))
        elif isinstance(item, ListItem):
            # unstructured counts a list's own items as depth 1, their sub-items as 2
            level = max(0, (item.metadata.category_depth or 1) - 1)
            elements.append(Element("list_item", text, level=level, page=page))
        else:
            elements.append(Element("paragraph", text, page=page))
    return elements


def _table_rows(table: Table) -> list[str]:
    html = table.metadata.text_as_html
    if not html:
        text = clean_element_text(table.text)
        return [text] if text else []
    rows = []
    for row in lxml.html.fragment_fromstring(html, create_parent="div").iter("tr"):
        cells = [clean_element_text(cell.text_content()) for cell in row.iter("td", "th")]
        if any(cells):
            rows.append(" | ".join(cell for cell in cells if cell))
    return rows


def _first_heading(elements: list[Element]) -> str | None:
    return next((element.text for element in elements if element.kind == "heading"), None)
