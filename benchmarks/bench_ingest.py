"""Ingest benchmark: cold ingest of the bundled corpus, then a re-ingest with nothing changed.

Prints wall time (whole process, imports and model load included), chunks per second and the
peak resident memory of each run. Targets on 2 cores: cold < 60 s, unchanged < 5 s, RSS < 1.5 GB.
Run with `make bench`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed_ingest(data_dir: Path) -> tuple[float, dict, float]:
    """(seconds, report, peak RSS in MB) of one `assistant ingest` process."""
    started = time.perf_counter()
    # A fresh interpreter per run, so that RUSAGE_CHILDREN's maximum is this run's alone.
    code = (
        "import json, resource, subprocess, sys;"
        "r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
        "print(json.dumps({'out': r.stdout, 'err': r.stderr, 'code': r.returncode,"
        " 'rss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))"
    )
    command = [sys.executable, "-m", "assistant.cli", "ingest", "--db", str(data_dir), "--json"]
    wrapper = subprocess.run([sys.executable, "-c", code, *command], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    result = json.loads(wrapper.stdout)
    if result["code"] != 0:
        raise SystemExit(f"ingest failed:\n{result['err']}")
    return seconds, json.loads(result["out"]), result["rss_kb"] / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        cold_s, cold, cold_rss = timed_ingest(data)
        warm_s, warm, warm_rss = timed_ingest(data)
    chunks = cold["totals"]["chunks"]
    print(f"cold ingest:      {cold_s:6.1f} s  ({cold['seconds']:.1f} s in the pipeline)  "
          f"{chunks} chunks  {chunks / cold_s:6.1f} chunks/s  peak RSS {cold_rss:7.0f} MB")
    print(f"unchanged ingest: {warm_s:6.1f} s  ({warm['seconds']:.2f} s in the pipeline)  "
          f"{warm['totals']['unchanged']} files unchanged  peak RSS {warm_rss:7.0f} MB")
    print("targets: cold < 60 s, unchanged < 5 s, peak RSS < 1536 MB")


if __name__ == "__main__":
    main()
