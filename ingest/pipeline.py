"""The ingestion job: corpus folder -> parsed, chunked, embedded generation of the index.

Incremental: a file whose bytes and pipeline version are unchanged is carried over with its
stored embeddings; a changed file re-embeds only chunks whose text is new; a deleted file's chunks
are not carried over. Atomic: the new generation is validated, then published in one step.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from assistant.core.domain import Chunk, Source
from assistant.core.embeddings import Embedder, pack_vectors
from assistant.core.printable import printable
from assistant.core.role_model import bundled_role_model, with_model_roles
from assistant.settings import Settings
from assistant.core.store import ChunkStore, Index, IndexInfo, IndexProblem, check_model
from ingest.chunk import ChunkShape, chunk_document
from ingest.manifest import MANIFEST_NAME, Manifest, load_manifest
from ingest.withhold import withhold_instructions
from ingest.document import FileProblem, Limits
from ingest.hubness import with_hubness

# Bump when parsing or chunking changes, so every file is processed again.
PIPELINE_VERSION = "parse-3.withhold-7.chunk-4.sentences-1.roles-11.rolemodel-3.hubness-1.hnsw-2"

# (stage, done, total[, item]): "load" (parser and models, once), "parse" (after each file, with
# its path), "embed" (after each batch of chunks).
Progress = Callable[..., None]


class IngestBusy(Exception):
    """Another ingest holds the lock on this data folder."""


class IngestFailed(IndexProblem):
    """The new generation did not validate; the previous one stays live."""


@dataclass
class FileReport:
    path: str
    status: str  # "ingested", "unchanged", "skipped" or "failed"
    reason: str = ""
    chunks: int = 0
    # Sentences addressed to an AI, not indexed (ingest/withhold.py), and why.
    withheld: int = 0
    withheld_reasons: list[str] = field(default_factory=list)


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    total_chunks: int = 0
    generation: int | None = None
    published: bool = False
    seconds: float = 0.0

    def totals(self) -> dict[str, int]:
        statuses = ("ingested", "unchanged", "skipped", "failed")
        return {status: sum(f.status == status for f in self.files) for status in statuses}

    @property
    def anything_indexed(self) -> bool:
        return self.total_chunks > 0

    def to_json(self) -> dict:
        return {
            "files": [asdict(report) for report in self.files],
            "totals": {**self.totals(), "files": len(self.files), "chunks": self.total_chunks},
            "generation": self.generation,
            "published": self.published,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class _Prepared:
    """A file parsed and chunked in this run, waiting for its embeddings."""

    source: Source
    chunks: list[Chunk]
    report: FileReport


def run_ingest(
    settings: Settings,
    embedder: Embedder,
    index: Index,
    corpus_dir: Path | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> IngestReport:
    """Bring the index in line with the corpus folder; see the module docstring."""
    started = time.perf_counter()
    corpus = corpus_dir or settings.corpus_dir
    progress = progress or (lambda stage, done, total, item="": None)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(settings.data_dir / "ingest.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise IngestBusy(
            f"Another ingest is already running on {settings.data_dir} "
            "(wait for it to finish, then run this again)."
        ) from exc
    try:
        report = _ingest(settings, embedder, index, corpus, rebuild, progress)
    finally:
        lock.release()
    report.seconds = time.perf_counter() - started
    return report


def _ingest(settings, embedder, index, corpus, rebuild, progress) -> IngestReport:
    index.discard_unfinished()
    # A rebuild reads nothing from the live generation: it works even when that one was written
    # by another version and cannot be read (IndexIncompatible says to run it).
    live = None if rebuild else index.live()
    if live is not None and not rebuild:
        check_model(live.info, embedder.model_id)
    reusable = live is not None and not rebuild and live.info.pipeline_version == PIPELINE_VERSION
    previous = {source.path: source for source in live.info.sources.values()} if reusable else {}
    manifest = load_manifest(corpus)
    files = discover(corpus)
    shape = ChunkShape(
        settings.chunk_target_words, settings.chunk_max_words, settings.chunk_overlap_sentences
    )
    reader = _FileReader(manifest, limits_for(settings), shape, embedder, progress)
    progress("parse", 0, len(files))
    for done, path in enumerate(files, start=1):
        relative = path.relative_to(corpus).as_posix()
        reader.read(path, relative, previous.get(relative))
        progress("parse", done, len(files), relative)  # after the file: the bar moves as it works
    report, carried, prepared = IngestReport(files=reader.files), reader.carried, reader.prepared
    gone = set(previous) - {source.path for source in carried} - {p.source.path for p in prepared}
    if live is not None and reusable and not prepared and not gone:
        report.total_chunks = live.count()
        report.generation = live.info.generation
        return report  # nothing changed: the live generation stays as it is
    sources = carried + [
        replace(item.source, chunks=len(item.chunks)) for item in prepared if item.chunks
    ]
    if not any(source.chunks for source in sources):
        return report  # nothing at all could be ingested: leave the index as it was
    info = IndexInfo(
        generation=0,
        embedding_model=embedder.model_id,
        pipeline_version=PIPELINE_VERSION,
        created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        sources={source.id: source for source in sources},
    )
    building = index.begin(info)
    chunks, vectors = _carry_over(live, carried)
    embedded, embedded_vectors = _embed(live if reusable else None, prepared, embedder, settings, progress)
    if settings.role_model:
        # Only what was just chunked: carried-over passages already carry the model's roles.
        embedded = with_model_roles(embedded, bundled_role_model(embedder.model_id))
    chunks, vectors = chunks + embedded, vectors + embedded_vectors
    # Every sentence's hubness is decided by the whole library, carried-over passages included.
    building.upsert(with_hubness(chunks, len(vectors[0])) if chunks else [], vectors)
    _validate(building, sources)
    index.publish(building, info)
    report.total_chunks = building.count()
    report.generation = building.info.generation
    report.published = True
    return report


class _FileReader:
    """The corpus's files, read one by one: each carried over unchanged (`carried`), or parsed,
    cleared of planted instructions and chunked (`prepared`), and reported in `files`."""

    def __init__(self, manifest: Manifest, limits: Limits, shape: ChunkShape, embedder: Embedder,
                 progress: Progress) -> None:  # fmt: skip
        self.manifest, self.limits, self.shape, self.embedder = manifest, limits, shape, embedder
        self._progress = progress
        self._parse_file: Callable | None = None
        self.files: list[FileReport] = []
        self.carried: list[Source] = []
        self.prepared: list[_Prepared] = []

    def read(self, path: Path, relative: str, before: Source | None) -> None:
        """One file; `before` is what the live index holds of it, if anything."""
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if before is not None and before.file_sha256 == digest and _same_record(before, self.manifest, relative):
            self.carried.append(before)
            self.files.append(FileReport(relative, "unchanged", "", before.chunks, before.withheld))
            return
        try:
            document = self._parser()(path, self.limits)
        except FileProblem as problem:
            reason = problem.reason
            if before is not None:
                self.carried.append(before)
                reason += "; the previously indexed version is kept"
            self.files.append(FileReport(relative, problem.status, reason))
            return
        source = self.manifest.source_for(relative, document.title)
        source = replace(source, title=printable(source.title))  # a title may come from a file name
        elements = [replace(e, text=printable(e.text)) for e in document.elements]
        note = _integrity_note(self.manifest, relative, digest)
        # A file of sources.toml as it was published is vetted; any other (or one edited since)
        # is read for planted orders with the detector's lower bar.
        elements, withheld = withhold_instructions(elements, vetted=source.in_manifest and not note)
        source = replace(source, file_sha256=digest, withheld=withheld.count)
        _, chunks = chunk_document(source.id, source.title, elements, self.shape, self.embedder.fits)
        file_report = FileReport(relative, "ingested", note, len(chunks), withheld.count, list(withheld.reasons))
        self.prepared.append(_Prepared(source, chunks, file_report))
        self.files.append(file_report)

    def _parser(self) -> Callable:
        """The parser, and the embedding model that sizes chunks, loaded when the first file needs
        them: seconds of loading, reported as a stage of its own rather than as the first file."""
        if self._parse_file is None:
            self._progress("load", 0, 1)
            from ingest.parse import parse_file  # seconds of imports, paid only when needed

            self.embedder.fits("")  # a lazy embedder loads its model now
            self._parse_file = parse_file
            self._progress("load", 1, 1)
        return self._parse_file


def _same_record(before: Source, manifest: Manifest, relative: str) -> bool:
    """Whether the manifest still says what it said when the file was indexed: a local document
    added to sources.toml (or a corrected date) is indexed again under its new record."""
    now = manifest.source_for(relative, before.title)
    fields = ("id", "title", "publisher", "date", "kind", "url", "licence", "covers", "in_manifest")
    return all(getattr(now, name) == getattr(before, name) for name in fields)


def limits_for(settings: Settings) -> Limits:
    return Limits(
        max_file_bytes=int(settings.max_file_mb * 1e6),
        max_docx_uncompressed_bytes=int(settings.max_docx_uncompressed_mb * 1e6),
    )


def discover(corpus: Path) -> list[Path]:
    """Every file under the corpus folder but the manifest and hidden files, in a stable order."""
    if not corpus.is_dir():
        raise FileNotFoundError(f"Corpus folder not found: {corpus}")
    return sorted(
        path
        for path in corpus.rglob("*")
        if path.is_file()
        and path.name != MANIFEST_NAME
        and not any(part.startswith(".") for part in path.relative_to(corpus).parts)
    )


def _integrity_note(manifest: Manifest, relative: str, digest: str) -> str:
    expected = manifest.expected_sha256.get(relative)
    if expected and expected != digest:
        return "warning: the text differs from the published version recorded in sources.toml"
    return ""


def _carry_over(live: ChunkStore | None, carried: list[Source]) -> tuple[list[Chunk], list[list[float]]]:
    """Unchanged sources' chunks with their stored vectors: no embedding needed."""
    chunks, vectors = [], []
    for source in carried:
        theirs = live.chunks(source.id)
        stored = live.embeddings([chunk.id for chunk in theirs])
        chunks += theirs
        vectors += [stored[chunk.id] for chunk in theirs]
    return chunks, vectors


def _embed(live, prepared, embedder, settings, progress) -> tuple[list[Chunk], list[list[float]]]:
    """The new and changed sources' chunks with their vectors: only text that is new is embedded
    (with its sentences); the rest is reused."""
    known: dict[str, Chunk] = {}  # content hash -> an embedded chunk with that text
    vectors: dict[str, list[float]] = {}
    if live is not None:
        for item in prepared:
            if item.source.id in live.info.sources:
                old = live.chunks(item.source.id)
                stored = live.embeddings([chunk.id for chunk in old])
                for chunk in old:
                    known[chunk.content_hash] = chunk
                    vectors[chunk.content_hash] = stored[chunk.id]
    chunks = [chunk for item in prepared for chunk in item.chunks]
    missing = list({chunk.content_hash: chunk for chunk in chunks if chunk.content_hash not in known}.values())
    batch = max(1, settings.embedding_batch_size)
    progress("embed", 0, len(missing))
    for first in range(0, len(missing), batch):
        part = missing[first : first + batch]
        texts = [chunk.embedding_text() for chunk in part]
        sentences = [chunk.sentence_texts() for chunk in part]
        embedded = embedder.embed_batch(texts + [s for group in sentences for s in group])
        position = len(part)
        for chunk, chunk_vector, group in zip(part, embedded, sentences):
            packed = pack_vectors(embedded[position : position + len(group)])
            position += len(group)
            known[chunk.content_hash] = replace(chunk, sentence_vectors=packed)
            vectors[chunk.content_hash] = chunk_vector
        progress("embed", first + len(part), len(missing))
    stored = [replace(c, sentence_vectors=known[c.content_hash].sentence_vectors) for c in chunks]
    return stored, [vectors[chunk.content_hash] for chunk in chunks]


def _validate(building: ChunkStore, sources: list[Source]) -> None:
    """Every source has exactly its chunks, and the index answers a query, before anyone sees it."""
    expected = sum(source.chunks for source in sources)
    if building.count() != expected:
        raise IngestFailed(f"new index holds {building.count()} chunks, expected {expected}")
    first = building.chunks(sources[0].id)[:1]
    if first and not building.query(building.embeddings([first[0].id])[first[0].id], 1):
        raise IngestFailed("new index does not answer queries")
