"""Chunking: exact slices, sentence boundaries, sections, sizes, tables, stable ids."""

from __future__ import annotations

from assistant.core.sentences import split_sentences
from ingest.chunk import ChunkShape, chunk_document, render
from ingest.document import Element


def words(n: int, stem: str) -> str:
    """A sentence of n words, capitalised like English."""
    return "The " + " ".join(f"{stem}{i}" for i in range(n - 2)) + " end."


def doc() -> list[Element]:
    prose = [Element("paragraph", " ".join(words(20, f"p{p}s{s}x") for s in range(4))) for p in range(6)]
    return [
        Element("heading", "Consent", level=0),
        *prose[:3],
        Element("heading", "Recording a visit", level=1),
        *prose[3:],
        Element("list_item", "Ask first."),
        Element("heading", "Statements", level=0),
        Element("table_row", "Data privacy | People know how their data is handled.", table=1),
        Element("table_row", "Transparency | People are told when AI is used.", table=1),
    ]


def test_chunks_are_exact_slices_on_sentence_boundaries_within_one_section():
    elements = doc()
    text, chunks = chunk_document("src", "Title", elements, ChunkShape(60, 90, 1), lambda t: True)
    assert text == render(elements)[0]
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text.split()) <= 90
        assert chunk.text.rstrip().endswith((".", "|")) or chunk.kind == "table"
        assert "Recording a visit" not in chunk.text and "Consent" not in chunk.text
    sections = [chunk.heading_path for chunk in chunks]
    assert ("Consent",) in sections and ("Consent", "Recording a visit") in sections
    assert ("Statements",) in sections


def test_neighbouring_chunks_overlap_by_one_sentence():
    _, chunks = chunk_document("src", "Title", doc(), ChunkShape(60, 90, 1), lambda t: True)
    first, second = chunks[0], chunks[1]
    assert split_sentences(first.text)[-1] == split_sentences(second.text)[0]


def test_tables_are_kept_whole_when_they_fit():
    _, chunks = chunk_document("src", "Title", doc(), ChunkShape(60, 90, 1), lambda t: True)
    tables = [chunk for chunk in chunks if chunk.kind == "table"]
    assert len(tables) == 1 and tables[0].text.count("\n") == 1


def test_the_embedder_limit_is_respected():
    limit = lambda text: len(text) <= 400  # noqa: E731
    _, chunks = chunk_document("src", "Title", doc(), ChunkShape(150, 180, 1), limit)
    assert all(limit(f"{c.section}\n{c.text}") for c in chunks)


def test_ids_are_stable_and_change_with_the_text():
    _, once = chunk_document("src", "Title", doc(), ChunkShape(), lambda t: True)
    _, twice = chunk_document("src", "Title", doc(), ChunkShape(), lambda t: True)
    assert [c.id for c in once] == [c.id for c in twice]
    edited = doc()
    edited[1] = Element("paragraph", "A different opening sentence.")
    _, changed = chunk_document("src", "Title", edited, ChunkShape(), lambda t: True)
    assert changed[0].id != once[0].id and changed[-1].id == once[-1].id


def test_a_sub_item_keeps_its_indentation_in_its_sentence_and_its_chunk():
    # The indentation is how an answer knows which items a sub-list belongs to, even when the
    # sub-item opens a chunk of its own.
    elements = [
        Element("heading", "Risks", level=0),
        Element("list_item", "There are significant risks, without shared guardrails"),
        *[Element("list_item", f"{words(12, f'r{n}x')}", level=1) for n in range(8)],
    ]
    text, chunks = chunk_document("src", "Title", elements, ChunkShape(30, 40, 1), lambda t: True)
    assert "\n  - The r0x0" in text
    assert len(chunks) > 1 and chunks[1].sentence_texts()[0].startswith("  - The r")
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert all(s.startswith(("- ", "  - ")) for s in chunk.sentence_texts())


def test_a_section_that_opens_with_a_slides_bullets_keeps_its_heading_as_their_lead_in():
    """A slide's bullets that lost their markers, under the slide's title, are the list the
    title names: the heading is kept as the section's first sentence, its lead-in. A title
    slide's lines (a speaker, a job title, a date) are not a list."""
    elements = [
        Element("heading", "Potential risks of AI in social work", level=0),
        Element("paragraph", "Privacy and data protection"),
        Element("paragraph", "Complexities around consent"),
        Element("paragraph", "Accuracy and reliability"),
        Element("heading", "Reimagining Social Work in the Age of AI", level=0),
        Element("paragraph", "Sarah Gilbert, Skills for Care"),
        Element("paragraph", "December 2025"),
        Element("heading", "Consent", level=0),
        Element("paragraph", words(12, "c")),
        Element("paragraph", words(12, "d")),
    ]
    text, chunks = chunk_document("src", "Title", elements, ChunkShape(60, 90, 1), lambda t: True)
    risks, title, consent = chunks
    assert risks.sentence_texts()[0] == "Potential risks of AI in social work"
    assert risks.roles == ("list_lead", "list_item", "list_item", "list_item")
    assert text[risks.start : risks.end] == risks.text  # still an exact slice, quotable as it stands
    assert "Reimagining" not in title.text and "list_item" not in title.roles
    assert "Consent" not in consent.text
