"""Scale benchmark: synthetic libraries of 1k, 10k and 100k chunks, embedded Chroma and a Chroma
server. Prints ingest throughput, index size on disk, query p50/p95 and peak memory.

    python benchmarks/bench_scale.py [--sizes 1000,10000,100000] [--embedded | --server]
                                     [--queries 50] [--embed-sample 500] [--seed-db DIR]

What is measured and what is projected (docs/scale.md says more):
- store: the synthetic chunks (benchmarks/synthetic_corpus.py: real sentences with their real
  vectors) are written through the product's index path (open_index, begin, upsert, publish),
  in a process of their own: chunks/s, that process's peak memory, then the index's size on disk.
- queries: a fresh process opens the index as the chat does (Assistant.open: the NumPy model, the
  Retriever over every chunk) and times Retriever.search, the whole hybrid path with its relevance
  check, then Assistant.ask (extractive), on evaluation questions. Its peak RSS is the chat
  process's memory bar Chainlit; in server mode the server's own peak is shown beside it.
- ingest cost at full scale is projected: the real model's embedding rate (chunk and sentences,
  batched as ingest does) is measured on --embed-sample chunks, and parsing + chunking on the
  bundled corpus; projected ingest = parse + embed + the measured store time.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.adapters.offline import enforce_offline  # noqa: E402
from assistant.settings import load_settings  # noqa: E402

PYTHON = sys.executable


# -- the phases, each in a process of its own so that its peak memory is its own --------------


def build(seed_db: Path, data_dir: Path, size: int, server: str | None) -> dict:
    """Write a synthetic library of `size` chunks through the product's index path."""
    from assistant.core.store import IndexInfo
    from assistant.adapters.factory import open_index
    from benchmarks.synthetic_corpus import documents, load_seeds, plan
    from ingest.pipeline import PIPELINE_VERSION

    seeds = load_seeds(open_index(load_settings(data_dir=seed_db)).live())
    settings = load_settings(data_dir=data_dir, chroma_server_url=server)
    sources = plan(size)
    info = IndexInfo(0, settings.embedding_model, PIPELINE_VERSION, "2026-01-01T00:00:00+00:00",
                     {source.id: source for source in sources})  # fmt: skip
    store_seconds, generate_seconds, pending = 0.0, 0.0, ([], [])
    started = time.perf_counter()
    index = open_index(settings)
    building = index.begin(info)
    store_seconds += time.perf_counter() - started
    generated = time.perf_counter()
    for document in documents(seeds, sources):
        pending[0].extend(document.chunks)
        pending[1].extend(document.vectors)
        if len(pending[0]) >= 2000 or document.source is sources[-1]:
            generate_seconds += time.perf_counter() - generated
            started = time.perf_counter()
            building.upsert(*pending)
            store_seconds += time.perf_counter() - started
            pending = ([], [])
            generated = time.perf_counter()
    started = time.perf_counter()
    index.publish(building, info)
    count = building.count()
    store_seconds += time.perf_counter() - started
    return {"chunks": count, "store_s": store_seconds, "generate_s": generate_seconds,
            "peak_rss_mb": _peak_rss_mb()}  # fmt: skip


def serve(data_dir: Path, server: str | None, queries: int) -> dict:
    """Open the index as the chat does and time retrieval and answers."""
    from assistant.adapters.factory import open_assistant

    settings = load_settings(data_dir=data_dir, chroma_server_url=server)
    asked = _questions(queries)
    started = time.perf_counter()
    assistant = open_assistant(settings)
    assistant.retriever.search(asked[0])  # waits for the model: the first answer is ready here
    open_s = time.perf_counter() - started
    rss_open = _rss_mb()
    search, answer = [], []
    for question in asked:
        started = time.perf_counter()
        assistant.retriever.search(question)
        search.append((time.perf_counter() - started) * 1000)
    for question in asked:
        started = time.perf_counter()
        assistant.ask(question)
        answer.append((time.perf_counter() - started) * 1000)
    return {"open_s": open_s, "search_ms": search, "answer_ms": answer,
            "rss_open_mb": rss_open, "peak_rss_mb": _peak_rss_mb()}  # fmt: skip


def ingest_costs(seed_db: Path, sample: int) -> dict:
    """The real model's embedding rate on `sample` synthetic chunks, batched as ingest batches
    them, and parse + chunk on the bundled corpus."""
    from assistant.adapters.factory import load_embedder, open_index
    from benchmarks.synthetic_corpus import documents, load_seeds, plan
    from ingest.chunk import ChunkShape, chunk_document
    from ingest.manifest import load_manifest
    from ingest.parse import parse_file
    from ingest.pipeline import discover, limits_for

    settings = load_settings()
    embedder = load_embedder(settings)  # sentence-transformers, as ingest uses
    embedder.embed_batch(["Loading the model and the first batch are not part of the rate."])
    result: dict = {}
    files = discover(settings.corpus_dir)
    manifest, limits = load_manifest(settings.corpus_dir), limits_for(settings)
    shape = ChunkShape(settings.chunk_target_words, settings.chunk_max_words,
                       settings.chunk_overlap_sentences)  # fmt: skip
    parse_file(min(files, key=lambda path: path.stat().st_size), limits)  # unstructured warms up
    started, chunked = time.perf_counter(), 0
    for path in files:
        document = parse_file(path, limits)
        relative = path.relative_to(settings.corpus_dir).as_posix()
        source = manifest.source_for(relative, document.title)
        elements = document.elements
        chunked += len(chunk_document(source.id, source.title, elements, shape, embedder.fits)[1])
    result.update(parse_chunks=chunked, parse_s=time.perf_counter() - started)
    if sample:
        seeds = load_seeds(open_index(load_settings(data_dir=seed_db)).live())
        chunks = [c for d in documents(seeds, plan(sample, seed=1), seed=1) for c in d.chunks]
        batch, sentences = max(1, settings.embedding_batch_size), 0
        started = time.perf_counter()
        for first in range(0, len(chunks), batch):
            part = chunks[first : first + batch]
            texts = [text for chunk in part for text in chunk.sentence_texts()]
            sentences += len(texts)
            embedder.embed_batch([chunk.embedding_text() for chunk in part] + texts)
        result.update(embed_chunks=len(chunks), embed_sentences=sentences,
                      embed_s=time.perf_counter() - started)  # fmt: skip
    return result


def _questions(count: int) -> list[str]:
    from evals.cases import load_cases

    asked = [case.question for case in load_cases(["dev", "out_of_scope", "heldout"])]
    return asked[:count]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb(pid: str = "self", field: str = "VmRSS") -> float:
    """A process's resident memory (or with field VmHWM, its peak) from /proc, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


# -- the orchestration ------------------------------------------------------------------------


def run_phase(*arguments: str) -> dict:
    done = subprocess.run([PYTHON, __file__, "--phase", *arguments], capture_output=True,
                          text=True, cwd=ROOT)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"phase {arguments[0]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class ChromaServer:
    """`chroma run` on 127.0.0.1 with its own folder, as tests/test_chroma_server.py starts it."""

    def __init__(self, path: Path) -> None:
        chroma = shutil.which("chroma", path=str(Path(PYTHON).parent))
        if not chroma:
            raise SystemExit("the chroma command (from the chromadb package) is not installed")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.path = path
        self.process = subprocess.Popen(
            [chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.3)
        self.process.kill()
        raise SystemExit("chroma server did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def memory_mb(self) -> tuple[float, float]:
        """(resident now, peak) of the server process."""
        pid = str(self.process.pid)
        return _rss_mb(pid), _rss_mb(pid, "VmHWM")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def disk_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def measure(size: int, mode: str, seed_db: Path, work: Path, queries: int) -> dict:
    data_dir = work / f"{mode}-{size}"
    server = ChromaServer(work / f"server-{size}") if mode == "server" else None
    try:
        url = server.url if server else ""
        built = run_phase("build", str(seed_db), str(data_dir), str(size), url)
        stored = server.path if server else data_dir / "chroma"
        served = run_phase("serve", str(data_dir), url, str(queries))
        served["disk_mb"] = disk_mb(stored)
        if server:
            served["server_rss_mb"], served["server_peak_mb"] = server.memory_mb()
    finally:
        if server:
            server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)
    if server:
        shutil.rmtree(server.path, ignore_errors=True)
    return {"size": size, "mode": mode, "build": built, **served}


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


COLUMNS = (  # heading, width, figure of a row
    ("chunks", 7, lambda r: f"{r['size']}"),
    ("mode", 8, lambda r: r["mode"]),
    ("store/s", 7, lambda r: f"{r['build']['chunks'] / r['build']['store_s']:.0f}"),
    ("disk MB", 7, lambda r: f"{r['disk_mb']:.0f}"),
    ("open s", 6, lambda r: f"{r['open_s']:.1f}"),
    ("search p50", 10, lambda r: f"{statistics.median(r['search_ms']):.1f}"),
    ("p95", 6, lambda r: f"{percentile(r['search_ms'], 0.95):.1f}"),
    ("answer p50", 10, lambda r: f"{statistics.median(r['answer_ms']):.1f}"),
    ("p95", 6, lambda r: f"{percentile(r['answer_ms'], 0.95):.1f}"),
    ("RSS open", 8, lambda r: f"{r['rss_open_mb']:.0f}"),
    ("RSS peak", 8, lambda r: f"{r['peak_rss_mb']:.0f}"),
    ("server peak", 11, lambda r: f"{r['server_peak_mb']:.0f}" if "server_peak_mb" in r else "-"),
    ("build peak", 10, lambda r: f"{r['build']['peak_rss_mb']:.0f}"),
)


def print_table(rows: list[dict], costs: dict) -> None:
    print()
    print(" ".join(f"{heading:>{width}}" for heading, width, _ in COLUMNS))
    for row in rows:
        print(" ".join(f"{figure(row):>{width}}" for _, width, figure in COLUMNS))
    questions = len(rows[0]["search_ms"]) if rows else 0
    print(f"store/s: chunks written per second through the index path; open: Assistant.open to "
          f"the first search; search: Retriever.search; answer: Assistant.ask (extractive), in "
          f"ms over {questions} questions; RSS in MB: the answering process once open, and its "
          f"peak; server peak: the Chroma server's; build: the writing process's.")  # fmt: skip
    parse_rate = costs["parse_chunks"] / costs["parse_s"]
    print(f"\nparse + chunk (bundled corpus, measured): {parse_rate:.0f} chunks/s")
    if "embed_s" not in costs:
        return
    chunk_rate = costs["embed_chunks"] / costs["embed_s"]
    print(f"real model, measured on {costs['embed_chunks']} chunks (each with its sentences, in "
          f"ingest's batches): {chunk_rate:.1f} chunks/s, "
          f"{costs['embed_sentences'] / costs['embed_s']:.0f} sentences/s")  # fmt: skip
    for row in rows:
        if row["mode"] == "embedded":
            size = row["size"]
            total = size / chunk_rate + size / parse_rate + row["build"]["store_s"]
            print(f"projected cold ingest of {size:>7} chunks: {total / 3600:6.2f} h "
                  f"({size / total:.1f} chunks/s; {size / chunk_rate / total:.0%} of it embedding)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="1000,10000,100000")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--embedded", action="store_true", help="embedded Chroma only")
    where.add_argument("--server", action="store_true", help="a Chroma server only")
    parser.add_argument("--queries", type=int, default=50, help="evaluation questions to time")
    parser.add_argument("--embed-sample", type=int, default=500,
                        help="chunks to embed with the real model (0: skip)")
    parser.add_argument("--seed-db", type=Path,
                        help="a data folder with the bundled corpus indexed (default: ingest it)")
    parser.add_argument("--work", type=Path, help="where to build (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    args = parser.parse_args()
    enforce_offline()
    if args.phase:
        name, *rest = args.phase
        phases = {"build": lambda s, d, n, u: build(Path(s), Path(d), int(n), u or None),
                  "serve": lambda d, u, q: serve(Path(d), u or None, int(q)),
                  "costs": lambda s, n: ingest_costs(Path(s), int(n))}  # fmt: skip
        print(json.dumps(phases[name](*rest)))
        return
    modes = ["embedded"] * (not args.server) + ["server"] * (not args.embedded)
    with tempfile.TemporaryDirectory(dir=args.work) as folder:
        work = Path(folder)
        seed_db = args.seed_db or work / "seed"
        if not args.seed_db:
            print("indexing the bundled corpus with the real model (the seeds)...", flush=True)
            command = [PYTHON, "-m", "assistant.cli", "ingest", "--db", str(seed_db), "--json"]
            subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        costs = run_phase("costs", str(seed_db), str(args.embed_sample))
        rows = []
        for size in (int(s) for s in args.sizes.split(",")):
            for mode in modes:
                print(f"{size} chunks, {mode}...", flush=True)
                rows.append(measure(size, mode, seed_db, work, args.queries))
    print_table(rows, costs)
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "costs": costs}, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
