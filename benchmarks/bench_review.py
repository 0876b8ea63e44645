"""Review benchmark: `assistant review` on 100 questions of the evaluation sets, as a policy team
runs it (a fresh process: loading the index and the model is part of the wait), extractive.

Prints the wall time (target on 2 cores: under 30 s for 100 questions) and the size of the pack's
files. Run with `make bench` (after `make ingest`).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evals.cases import load_cases  # noqa: E402

QUESTIONS = 100


def main() -> int:
    questions = list(dict.fromkeys(case.question for case in load_cases()))[:QUESTIONS]
    with tempfile.TemporaryDirectory() as folder:
        bank = Path(folder) / "bank.txt"
        bank.write_text("\n".join(" ".join(q.split()) for q in questions) + "\n", encoding="utf-8")
        out = Path(folder) / "pack"
        started = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "assistant.cli", "review", str(bank), "--out", str(out), "--backend", "extractive"],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )  # fmt: skip
        seconds = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        sizes = {path.name: path.stat().st_size for path in sorted(out.iterdir())}
    print(f"review of {len(questions)} questions: {seconds:.1f} s wall (target < 30 s), "
          f"{seconds / len(questions) * 1000:.0f} ms a question including start-up")  # fmt: skip
    print("pack: " + ", ".join(f"{name} {size / 1024:.0f} KiB" for name, size in sizes.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
