"""The small types every step of the assistant passes around."""

from __future__ import annotations

from dataclasses import dataclass, field

# The four documents the product was designed around. A source "covers" one of them fully or
# only through passages quoted from it ("excerpts"); the library view warns about the latter.
DESIGN_DOCUMENTS = {
    "oxford-statement": "Oxford Statement on the responsible use of generative AI in social care",
    "basw-ai-guidance": "BASW AI practice guidance",
    "gds-ai-playbook": "GDS Artificial Intelligence Playbook for the UK Government",
    "swe-professional-standards": "Social Work England professional standards",
}


@dataclass(frozen=True)
class Coverage:
    """How much of a design-card document a source carries."""

    document: str  # a key of DESIGN_DOCUMENTS
    extent: str  # "full" or "excerpts"


@dataclass(frozen=True)
class Source:
    """One document in the library, with its provenance."""

    id: str
    path: str  # relative to the corpus folder
    title: str
    publisher: str = "unknown"
    date: str = ""
    kind: str = "document"
    url: str = ""
    licence: str = ""
    covers: tuple[Coverage, ...] = ()
    file_sha256: str = ""
    chunks: int = 0
    withheld: int = 0  # sentences addressed to an AI, found in the file and not indexed
    # Listed in corpus/sources.toml, with its publisher, date and address: one of the library's
    # vetted sources. Any other file in corpus/ is a local document (a draft, an e-mail, a
    # brochure), labelled as such wherever it is cited (ASSISTANT_LOCAL_DOCUMENTS).
    in_manifest: bool = False


@dataclass(frozen=True)
class Chunk:
    """A citable passage of a source, as stored in the index.

    `text` is what a reader is shown: the cleaned document text between `start` and `end`.
    """

    id: str
    source_id: str
    title: str
    text: str
    heading_path: tuple[str, ...]
    start: int
    end: int
    element_index: int
    content_hash: str
    page: int | None = None
    kind: str = "text"  # "text" or "table"
    # Sentence (or table row) spans within `text`, and their vectors, packed (see embeddings.py):
    # extractive answers and the citation checks work sentence by sentence.
    sentences: tuple[tuple[int, int], ...] = ()
    sentence_vectors: str = field(default="", repr=False, compare=False)
    # Per sentence: its role (advice, finding, testimony, list_lead...) and voice, decided at
    # ingest by assistant/core/roles.py: answers put the guidance's advice before what people reported.
    roles: tuple[str, ...] = ()
    voices: tuple[str, ...] = ()
    # Per sentence: how close it is to its nearest sentences in the library, less the library's
    # mean (ingest/hubness.py). A generic sentence, close to every question, is high.
    hubness: tuple[float, ...] = ()

    def sentence_texts(self) -> list[str]:
        return [self.text[start:end] for start, end in self.sentences]

    @property
    def heading(self) -> str:
        """The heading the passage stands under (the last of its path); "" for none."""
        return self.heading_path[-1] if self.heading_path else ""

    @property
    def section(self) -> str:
        """The heading path as one line, for references."""
        return " > ".join(self.heading_path)

    def answerable_text(self) -> str:
        """What a search should match: the section headings and every sentence but navigation
        (agenda lines, references, slide furniture), which answers nothing."""
        if not self.roles:
            return self.embedding_text()
        body = "\n".join(
            text for text, role in zip(self.sentence_texts(), self.roles) if role != "navigation"
        )
        return f"{self.section}\n{body}" if self.heading_path else body

    def embedding_text(self) -> str:
        """What the embedder sees: the section headings give a short passage its context."""
        return f"{self.section}\n{self.text}" if self.heading_path else self.text


@dataclass(frozen=True)
class PersonalData:
    """Where the guard found personal data in a question: its type and offsets, never its value."""

    type: str
    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    """A chunk retrieved for a question, numbered as the answer will cite it."""

    rank: int  # 1-based; the answer's [n] refers to this
    chunk: Chunk
    score: float  # fused retrieval score (reciprocal-rank fusion)
    similarity: float  # cosine similarity of the chunk to the question


@dataclass(frozen=True)
class Claim:
    """One sentence an answer shows, with what it cites and where the answer puts it.

    In a draft, `citations` are passage ranks; in an `Answer`, the [n] numbers of its citations.
    """

    text: str
    citations: tuple[int, ...]
    quotes: tuple[str, ...]  # one per citation, verbatim from that passage ("" if none given)
    # What the sentence is (assistant/core/roles.py VOICES): the cited sentence's stored voice for a
    # quote, the model's tag (checked against what it cites) otherwise.
    role: str = "context"
    # Where the answer puts it: "lead" (the most direct sentence, first), "guidance" (what the
    # guidance says), "reported" (what practitioners and research reported, labelled as such).
    part: str = "guidance"
    item: bool = False  # an item of the list the claim before it introduces (layout only)
    level: int = 0  # an item's nesting: 1 for a sub-item under the item before it (layout only)


@dataclass(frozen=True)
class ListNote:
    """A list the answer shows only in part: how many items are not shown, and where they are."""

    after: int  # index, in the answer's claims, of the last item shown
    shown: int
    total: int
    citation: int  # the passage (rank in a draft, [n] in an Answer) the list continues in
    section: str


@dataclass(frozen=True)
class Citation:
    """A passage an answer actually cites, under the number the answer's text gives it."""

    n: int
    passage: Passage
    quote: str  # verbatim from the passage: the words that support the answer
    # "local document, not one of the library's published sources" for a file sources.toml does
    # not list (ASSISTANT_LOCAL_DOCUMENTS=label); shown wherever the citation is.
    label: str = ""


@dataclass(frozen=True)
class Removed:
    """A sentence the citation checks took out of a generated answer, and why."""

    sentence: str
    reason: str
