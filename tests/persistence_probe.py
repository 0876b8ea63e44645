"""Writes 5,000 chunks into a real Chroma on disk through the product's store, or reads them back,
and prints what the index holds as JSON: run in two processes, the two outputs must be equal.

    python -m tests.persistence_probe write DATA_DIR
    python -m tests.persistence_probe read DATA_DIR

The chunks and queries are made from a seeded generator, and embedded with the hashing fake
(deterministic, and fast enough for 5,000 chunks; the store does not care where vectors come from).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import random
import sys
import time
from pathlib import Path

from assistant.core.domain import Chunk, Source
from assistant.settings import load_settings
from assistant.core.store import IndexInfo
from assistant.adapters.factory import open_index
from tests.support import HashingEmbedder

CHUNKS = 5000
SOURCES = 10
QUERIES = 20
TOP_K = 10
DIMENSION = 384  # as all-MiniLM-L6-v2's vectors
SEED = 20260601


def _words(rng: random.Random, vocabulary: list[str], count: int) -> str:
    return " ".join(rng.choice(vocabulary) for _ in range(count))


def make_chunks() -> list[Chunk]:
    rng = random.Random(SEED)
    vocabulary = [f"{rng.choice('bcdfghjklmnprstvw')}{rng.choice('aeiou')}{n}" for n in range(3000)]
    chunks = []
    for number in range(CHUNKS):
        sentences, text = [], ""
        for _ in range(rng.randint(2, 6)):
            sentence = _words(rng, vocabulary, rng.randint(6, 25)).capitalize() + "."
            start = len(text) + (1 if text else 0)
            text = f"{text} {sentence}" if text else sentence
            sentences.append((start, len(text)))
        source = f"source-{number % SOURCES}"
        chunks.append(
            Chunk(
                id=f"{source}-{number:05d}",
                source_id=source,
                title=f"Source {number % SOURCES}",
                text=text,
                heading_path=("Part 1", f"Section {number % 7}"),
                start=number * 1000,
                end=number * 1000 + len(text),
                element_index=number,
                content_hash=hashlib.sha256(text.encode()).hexdigest(),
                page=number % 40 + 1 if number % 3 else None,
                sentences=tuple(sentences),
            )
        )
    return chunks


def make_queries() -> list[str]:
    rng = random.Random(SEED + 1)
    chunks = make_chunks()
    # Half: words taken from a chunk (it should come first); half: words from anywhere.
    picked = [chunks[rng.randrange(CHUNKS)].text.split() for _ in range(10)]
    queries = [" ".join(rng.sample(words, 5)) for words in picked]
    everything = " ".join(chunk.text for chunk in chunks[:50]).split()
    return queries + [" ".join(rng.sample(everything, 8)) for _ in range(QUERIES - 10)]


def write(data_dir: Path) -> None:
    chunks = make_chunks()
    embedder = HashingEmbedder(dimension=DIMENSION)
    settings = load_settings(data_dir=data_dir)
    index = open_index(settings)
    sources = {
        f"source-{n}": Source(f"source-{n}", f"s{n}.txt", f"Source {n}", chunks=CHUNKS // SOURCES)
        for n in range(SOURCES)
    }
    info = IndexInfo(0, embedder.model_id, "probe", "2026-06-01T00:00:00+00:00", sources)
    building = index.begin(info)
    building.upsert(chunks, embedder.embed_batch([chunk.embedding_text() for chunk in chunks]))
    index.publish(building, info)


def snapshot(data_dir: Path) -> dict:
    """What a reader sees: counts, ids, every chunk (text and metadata), top-k for each query."""
    embedder = HashingEmbedder(dimension=DIMENSION)
    live = open_index(load_settings(data_dir=data_dir)).live()
    assert live is not None, "no live generation"
    chunks = live.chunks()
    return {
        "generation": live.info.generation,
        "count": live.count(),
        "sources": {sid: source.chunks for sid, source in live.info.sources.items()},
        "ids": [chunk.id for chunk in chunks],
        "chunks": {chunk.id: _digest(chunk) for chunk in chunks},
        "top_k": [
            [[found.chunk.id, round(found.similarity, 6)] for found in live.query(vector, TOP_K)]
            for vector in embedder.embed_batch(make_queries())
        ],
    }


def _digest(chunk: Chunk) -> str:
    fields = dataclasses.asdict(chunk)
    return hashlib.sha256(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def main(command: str, data_dir: str) -> None:
    started = time.perf_counter()
    if command == "write":
        write(Path(data_dir))
    seen = snapshot(Path(data_dir))
    seen["seconds"] = round(time.perf_counter() - started, 2)
    print(json.dumps(seen))


if __name__ == "__main__":
    main(*sys.argv[1:])
