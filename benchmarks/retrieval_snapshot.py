"""What retrieval returns for every evaluation question, to show a change to retrieval's speed
left its results alone.

    python benchmarks/retrieval_snapshot.py --db DATA_DIR --out before.json
    (change retrieval)
    python benchmarks/retrieval_snapshot.py --db DATA_DIR --out after.json --compare before.json

Records, per question (evals/cases/*.yaml; the last turn of a conversation): the top-k chunk ids in
order with their fused scores and similarities, whether retrieval judged them relevant, the best
sentence similarity and the word coverage.
`--compare` exits 1 if any of them differs.

`--dense FILE` takes Chroma's own variation out: its HNSW search is approximate and, on the
bundled corpus, one process's 30 nearest chunks can differ from another's by one. The first run
with the file records every dense search's hits in it; later runs replay them, so that two runs
differ only by what the code under test does with them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.core.embeddings import load_embedder  # noqa: E402
from assistant.adapters.offline import enforce_offline  # noqa: E402
from assistant.core.retrieve import Retriever  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.core.store import ScoredChunk, open_index  # noqa: E402
from evals.cases import load_cases  # noqa: E402


FIELDS = ("top", "scores", "similarities", "relevant", "best_similarity", "word_coverage")


class ReplayedDense:
    """A store whose dense searches are recorded on first use and replayed after."""

    def __init__(self, store, recording: dict[str, list]) -> None:
        self._store = store
        self._recording = recording
        self._by_id = {chunk.id: chunk for chunk in store.chunks()}

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    def query(self, embedding, k, source_ids=None) -> list[ScoredChunk]:
        vector = numpy.asarray(embedding, dtype=numpy.float32).tobytes()
        key = f"{hashlib.sha256(vector).hexdigest()}:{k}:{sorted(source_ids or [])}"
        if key not in self._recording:
            hits = self._store.query(embedding, k, source_ids)
            self._recording[key] = [(hit.chunk.id, hit.similarity) for hit in hits]
        return [ScoredChunk(self._by_id[i], similarity) for i, similarity in self._recording[key]]


def snapshot(data_dir: Path, k: int, recording: dict | None) -> dict[str, dict]:
    settings = load_settings(data_dir=data_dir)
    store = open_index(settings).live()
    if recording is not None:
        store = ReplayedDense(store, recording)
    retriever = Retriever(store, load_embedder(settings, for_answering=True), settings)
    found = {}
    for case in load_cases():
        retrieval = retriever.search(case.question, k)
        found[f"{case.set}/{case.id}"] = {
            "question": case.question,
            "top": [passage.chunk.id for passage in retrieval.passages],
            "scores": [round(passage.score, 9) for passage in retrieval.passages],
            "similarities": [round(passage.similarity, 9) for passage in retrieval.passages],
            "relevant": retrieval.relevant,
            "best_similarity": round(retrieval.best_similarity, 6),
            "word_coverage": round(retrieval.word_coverage, 6),
        }
    return found


def differences(before: dict[str, dict], after: dict[str, dict]) -> list[str]:
    lines = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old is None or new is None:
            lines.append(f"{key}: only in {'after' if old is None else 'before'}")
            continue
        for field in FIELDS:
            if old[field] != new[field]:
                lines.append(f"{key}: {field} {old[field]} -> {new[field]}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="a data folder with an index")
    parser.add_argument("--out", type=Path, required=True, help="the snapshot to write (JSON)")
    parser.add_argument("--compare", type=Path, help="an earlier snapshot to compare with")
    parser.add_argument("--dense", type=Path, help="record dense hits here, or replay them")
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    enforce_offline()
    recording = None
    if args.dense:
        recording = json.loads(args.dense.read_text("utf-8")) if args.dense.exists() else {}
    found = snapshot(args.db, args.k, recording)
    if args.dense:
        args.dense.write_text(json.dumps(recording), encoding="utf-8")
    args.out.write_text(json.dumps(found, indent=1), encoding="utf-8")
    print(f"{len(found)} questions -> {args.out}")
    if args.compare:
        changed = differences(json.loads(args.compare.read_text(encoding="utf-8")), found)
        print("\n".join(changed) or f"identical to {args.compare}")
        sys.exit(1 if changed else 0)


if __name__ == "__main__":
    main()
