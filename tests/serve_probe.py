"""What a freshly started assistant makes of an index folder, as one JSON object: run in a new
process after an ingest was killed, it is the restart the crash test asks about.

    python -m tests.serve_probe DATA_DIR

"state" is "serving" (the live generation opened, its counts agree with what it says it holds,
and a question got a cited answer), "no index" (none was ever published, and the assistant says
what to run), or "broken" with the error: anything but those two is a failure.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections import Counter
from pathlib import Path

from assistant.adapters.factory import open_assistant, open_index
from assistant.settings import load_settings
from assistant.core.store import IndexMissing

QUESTION = "Can I paste my case notes into ChatGPT?"


def probe(data_dir: Path) -> dict:
    settings = load_settings(data_dir=data_dir)
    live = open_index(settings).live()
    if live is None:
        try:
            open_assistant(settings)
        except IndexMissing as exc:
            return {"state": "no index", "message": str(exc)}
        return {"state": "broken", "error": "no live generation, yet the assistant opened"}
    chunks = live.chunks()
    per_source = Counter(chunk.source_id for chunk in chunks)
    recorded = {source_id: source.chunks for source_id, source in live.info.sources.items()}
    answer = open_assistant(settings).ask(QUESTION)
    return {
        "state": "serving",
        "generation": live.info.generation,
        "count": live.count(),
        "recorded": sum(recorded.values()),
        "read": len(chunks),
        "unique_ids": len({chunk.id for chunk in chunks}),
        "sources_agree": dict(per_source) == {k: v for k, v in recorded.items() if v},
        "cited": len(answer.citations),
        "abstained": answer.abstained,
    }


def main(data_dir: str) -> None:
    try:
        result = probe(Path(data_dir))
    except Exception as exc:  # noqa: BLE001 (a failure to report, not to hide)
        result = {"state": "broken", "error": f"{type(exc).__name__}: {exc}",
                  "trace": traceback.format_exc()}  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main(*sys.argv[1:])
