"""A synthetic guidance library of any size, made from the bundled corpus, for bench_scale.py.

Every sentence of a synthetic chunk is a real sentence of the bundled guidance, taken from an
index of it built by `assistant ingest` with the real model, so each sentence comes with its
real MiniLM vector: the 100,000-chunk library costs no embedding. Chunks follow the bundled
chunks' shape (about 6.5 sentences, 120 words): a run of one real chunk's sentences, a third of
them swapped for sentences from anywhere in the library. Documents (20 to 80 chunks) get a title
and headings naming one of thousands of invented councils, partnerships and trusts, with a
reference code, so the vocabulary grows with the library as a real one would.

What is approximate: a chunk's own vector is the normalised mean of its sentences' real vectors
(on the bundled corpus that mean is at cosine 0.85 to the chunk's real vector), and the
invented names in headings are not in any vector. Deterministic for a given seed.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy

from assistant.core.domain import Chunk, Source
from assistant.core.embeddings import pack_vectors, unpack_vectors
from assistant.core.store import ChunkStore

_SYLLABLES = ("ash", "brook", "north", "moor", "wick", "ley", "ford", "ham", "stead", "bury",
              "thorn", "well", "dale", "field", "kings", "mere", "holm", "croft", "gate", "wood",
              "pen", "tre", "llan", "kirk", "shaw", "combe", "wold", "by", "ton", "worth")
_BODIES = ("Council", "County Council", "Safeguarding Children Partnership",
           "Safeguarding Adults Board", "NHS Foundation Trust", "Integrated Care Board",
           "Children's Trust")
_KINDS = ("practice guidance", "policy", "briefing", "procedure", "position statement",
          "learning review", "staff handbook", "information governance note")  # fmt: skip
_PARTS = ("Introduction", "Scope", "Principles", "Using AI tools in practice", "Recording",
          "Consent and transparency", "Data protection", "Accountability", "Training",
          "Review and monitoring", "Annex")  # fmt: skip


@dataclass(frozen=True)
class Seeds:
    """The bundled library's sentences and their real vectors, grouped as its chunks were."""

    sentences: list[str]
    vectors: numpy.ndarray  # float16, one row per sentence, unit length
    runs: list[list[int]]  # per real chunk, its sentences (indices into `sentences`) in order
    headings: list[str]
    roles: list[tuple[str, str]]  # per sentence, its role and voice as ingest decided them


def load_seeds(store: ChunkStore) -> Seeds:
    """Seeds from an index of the bundled corpus built with the real model."""
    index: dict[str, int] = {}
    sentences: list[str] = []
    rows: list[list[float]] = []
    runs: list[list[int]] = []
    headings: set[str] = set()
    roles: list[tuple[str, str]] = []
    chunks = store.chunks()
    dimension = len(next(iter(store.embeddings([chunks[0].id]).values())))
    for chunk in chunks:
        run = []
        texts = chunk.sentence_texts()
        for i, (text, vector) in enumerate(zip(texts, unpack_vectors(chunk.sentence_vectors, dimension))):
            if text not in index:
                index[text] = len(sentences)
                sentences.append(text)
                rows.append(vector)
                roles.append((chunk.roles[i], chunk.voices[i]))
            run.append(index[text])
        if len(run) >= 3:
            runs.append(run)
        headings.update(part for part in chunk.heading_path if 3 <= len(part) <= 80)
    vectors = numpy.asarray(rows, dtype=numpy.float16)
    return Seeds(sentences, vectors, runs, sorted(headings), roles)


@dataclass(frozen=True)
class Document:
    source: Source
    chunks: list[Chunk]
    vectors: list[list[float]]  # one per chunk


def plan(count: int, seed: int = 0) -> list[Source]:
    """The documents of a library of `count` chunks (Source.chunks says how many each has)."""
    rng = random.Random(seed)
    sources, total = [], 0
    while total < count:
        size = min(rng.randint(20, 80), count - total)
        number = len(sources)
        place = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        body, kind = rng.choice(_BODIES), rng.choice(_KINDS)
        code = f"{place[:2].upper()}-{rng.randint(100, 9999)}"
        sources.append(Source(
            id=f"synthetic-{number:05d}", path=f"synthetic/{number:05d}.md",
            title=f"{place} {body}: AI {kind} ({code})", publisher=f"{place} {body}",
            date=f"{rng.randint(2023, 2026)}-{rng.randint(1, 12):02d}", kind=kind, chunks=size,
        ))  # fmt: skip
        total += size
    return sources


def documents(seeds: Seeds, sources: list[Source], seed: int = 0) -> Iterator[Document]:
    """Each planned document with its chunks and their vectors, in order."""
    for source in sources:
        rng = random.Random(f"{seed}:{source.id}")  # a document's text depends on itself alone
        yield _document(seeds, source, rng)


def _document(seeds: Seeds, source: Source, rng: random.Random) -> Document:
    place = source.publisher.split()[0]
    chunks, vectors, offset = [], [], 0
    part, heading = "", ""
    for number in range(source.chunks):
        if number % 6 == 0:  # a new section every few chunks, as in the bundled guidance
            part = f"{len(chunks) // 6 + 1}. {rng.choice(_PARTS)}"
            heading = rng.choice(seeds.headings)
        picked = _sentences(seeds, rng)
        texts = [seeds.sentences[i] for i in picked]
        text, spans, position = "", [], 0
        for sentence in texts:
            if text:
                text += " "
                position += 1
            spans.append((position, position + len(sentence)))
            text += sentence
            position += len(sentence)
        path = (f"{place}: {part}", heading)
        key = f"{source.id}\n{' > '.join(path)}\n{text}\n{number}"
        digest = hashlib.sha256(key.encode()).hexdigest()
        own = seeds.vectors[picked].astype(numpy.float32)
        mean = own.mean(axis=0)
        chunks.append(Chunk(
            id=f"{source.id}:{digest[:16]}", source_id=source.id, title=source.title, text=text,
            heading_path=path, start=offset, end=offset + len(text), element_index=number,
            content_hash=digest, sentences=tuple(spans), sentence_vectors=pack_vectors(own),
            roles=tuple(seeds.roles[i][0] for i in picked), voices=tuple(seeds.roles[i][1] for i in picked),
        ))  # fmt: skip
        vectors.append((mean / numpy.linalg.norm(mean)).tolist())
        offset += len(text) + 2
    return Document(source, chunks, vectors)


def _sentences(seeds: Seeds, rng: random.Random) -> list[int]:
    """About 6.5 sentences: a run of one real chunk, a third swapped for others."""
    run = rng.choice(seeds.runs)
    length = rng.randint(4, 9)
    start = rng.randint(0, max(0, len(run) - length))
    picked = list(run[start : start + length])
    while len(picked) < length:
        picked.append(rng.randrange(len(seeds.sentences)))
    return [i if rng.random() > 1 / 3 else rng.randrange(len(seeds.sentences)) for i in picked]
