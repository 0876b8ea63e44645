# The two commands a newcomer needs: `make run` and `make test`. Both set up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SETUP_STAMP := $(VENV)/.setup-done
TEST_STAMP  := $(VENV)/.test-setup-done

.PHONY: setup setup-test run ingest test eval bench bench-scale lock clean

setup: $(SETUP_STAMP)

# torch first, from the CPU build on local disk: any other torch pulls gigabytes of CUDA.
# Then everything else from the pinned list, so pip never backtracks.
$(SETUP_STAMP): pyproject.toml requirements/runtime.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/runtime.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# Test tools and the llama.cpp runtime (compiles for ~10 minutes the first time; pip caches it),
# and Debian's chromium for the browser test (Playwright's own browser download fails offline).
setup-test: $(TEST_STAMP)

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(TEST_STAMP): $(SETUP_STAMP) requirements/test.txt requirements/llamacpp.txt requirements/eval.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/test.txt
	command -v chromium >/dev/null || ($(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium)
	touch $@

ingest: setup
	$(BIN)/assistant ingest

# Set up, index the bundled guidance, then start the chat on http://127.0.0.1:8000 (Ctrl+C stops it).
run: ingest
	$(BIN)/assistant chat

test: setup-test
	$(BIN)/python -m pytest

# The evaluation harness over every case set, beside the LangChain tutorial baseline; writes
# evals/reports/extractive/ (see evals/README.md). Exits 1 below a floor in evals/floors.toml.
eval: setup-test ingest
	$(BIN)/assistant eval

bench: setup-test
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_answer.py
	$(BIN)/python benchmarks/bench_review.py

# Synthetic libraries of 1k, 10k and 100k chunks, embedded and with a Chroma server: ingest rate,
# disk, query p50/p95, memory (docs/scale.md). About 15 minutes on 2 cores; 3 GB of free disk.
bench-scale: setup
	$(BIN)/python benchmarks/bench_scale.py

# Regenerate requirements/runtime.txt after changing dependencies in pyproject.toml.
lock: setup
	grep '^#' requirements/runtime.txt > requirements/runtime.txt.new
	$(BIN)/pip freeze --exclude-editable | grep -v -i -E '^(torch|llama[-_]cpp[-_]python|diskcache|gemma3|pytest|pluggy|iniconfig|playwright|langchain[-_].*|langsmith|jsonpatch|jsonpointer|uuid[-_]utils|xxhash|zstandard|distro|matplotlib|contourpy|cycler|fonttools|kiwisolver|pillow|pyparsing)[=-]' >> requirements/runtime.txt.new
	mv requirements/runtime.txt.new requirements/runtime.txt

clean:
	rm -rf $(VENV) data
