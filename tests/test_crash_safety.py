"""Crash safety: `assistant ingest --rebuild`, in a real process on a copy of the corpus, killed
(SIGKILL) at random points spread over an ingest's duration. After each kill a fresh process must
serve a readable, consistent index, and the next ingest must complete.

3 kills by default; the full measure is `pytest tests/test_crash_safety.py --ingest-kills 20`
(`--crash-seed N` replays a run: the seed is printed)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from assistant.settings import PROJECT_ROOT
from tests.support import CLI, SEEDS, run_cli


def _serve_probe(data) -> dict:
    """A restart: a new process opens the index and answers a question (tests/serve_probe.py)."""
    done = subprocess.run(
        [sys.executable, "-m", "tests.serve_probe", str(data)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _ingest(corpus, data) -> dict:
    done = run_cli("ingest", "--corpus", str(corpus), "--db", str(data), "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_ingest_killed_at_random_points_always_leaves_a_serving_index(
    tmp_path, corpus_copy, request
):
    kills = request.config.getoption("--ingest-kills")
    seed = request.config.getoption("--crash-seed")
    seed = random.SystemRandom().randrange(1_000_000) if seed is None else seed
    rng = random.Random(seed)
    data = tmp_path / "data"
    print(f"\ncrash test: seed {seed}, {kills} kills")

    # A first, complete ingest: the index no kill may lose, and how long an ingest takes.
    started = time.monotonic()
    chunks = _ingest(corpus_copy, data)["totals"]["chunks"]
    duration = time.monotonic() - started
    # One kill point in each of `kills` equal slices of that duration, in random order.
    delays = [duration * (slot + rng.random()) / kills for slot in range(kills)]
    rng.shuffle(delays)

    served = completed = killed = 0
    for number, delay in enumerate(delays, start=1):
        process = subprocess.Popen(
            [*CLI, "ingest", "--rebuild", "--corpus", str(corpus_copy), "--db", str(data)],
            cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: the kill reaches any child too
        )  # fmt: skip
        try:
            outcome = f"finished first (exit {process.wait(timeout=delay)})"
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            outcome, killed = "killed", killed + 1

        restart = _serve_probe(data)
        consistent = (
            restart["state"] == "serving"
            and restart["count"] == restart["recorded"] == restart["read"] == chunks
            and restart["unique_ids"] == chunks
            and restart["sources_agree"]
            and restart["cited"] > 0
        )
        served += consistent
        # The next ingest completes; it also changes one file, so it publishes a new generation
        # over whatever the kill left (and the kill after it has a new index to lose).
        target = corpus_copy / SEEDS[number % len(SEEDS)]
        target.write_text(
            target.read_text(encoding="utf-8") + f"\nA line added after kill {number}.\n",
            encoding="utf-8",
        )
        after = _ingest(corpus_copy, data)
        completed += after["published"]
        chunks = after["totals"]["chunks"]
        print(
            f"kill {number:2d} at {delay:5.1f} s of {duration:.1f} s: {outcome}; restart "
            f"{restart['state']}, generation {restart.get('generation')}, "
            f"{restart.get('count')} chunks, {'consistent' if consistent else 'INCONSISTENT'}; "
            f"next ingest published generation {after['generation']}"
        )
        assert consistent, restart
        assert after["published"], after

    print(
        f"crash test (seed {seed}): {served} of {kills} restarts served a readable, consistent "
        f"index; {completed} of {kills} following ingests completed; {killed} of {kills} runs "
        "were killed mid-ingest (the rest had finished first)"
    )
    assert served == completed == kills
