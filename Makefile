# The two commands a newcomer needs: `make run` and `make test`. Both set up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SETUP_STAMP := $(VENV)/.setup-done
TEST_STAMP  := $(VENV)/.test-setup-done

.PHONY: setup setup-test run ingest test bench lock clean

setup: $(SETUP_STAMP)

# torch first, from the CPU build on local disk: any other torch pulls gigabytes of CUDA.
# Then everything else from the pinned list, so pip never backtracks.
$(SETUP_STAMP): pyproject.toml requirements/runtime.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check torch==2.13.0
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/runtime.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# Test tools and the llama.cpp runtime (compiles for ~10 minutes the first time; pip caches it).
setup-test: $(TEST_STAMP)

$(TEST_STAMP): $(SETUP_STAMP) requirements/test.txt requirements/llamacpp.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements/test.txt
	touch $@

ingest: setup
	$(BIN)/assistant ingest

# The chat arrives with its own issue; until then `make run` ends after the ingest.
run: ingest

test: setup-test
	$(BIN)/python -m pytest

bench: setup-test
	$(BIN)/python benchmarks/bench_ingest.py
	$(BIN)/python benchmarks/bench_answer.py

# Regenerate requirements/runtime.txt after changing dependencies in pyproject.toml.
lock: setup
	grep '^#' requirements/runtime.txt > requirements/runtime.txt.new
	$(BIN)/pip freeze --exclude-editable | grep -v -i -E '^(torch|llama[-_]cpp[-_]python|diskcache|gemma3|pytest|pluggy|iniconfig)[=-]' >> requirements/runtime.txt.new
	mv requirements/runtime.txt.new requirements/runtime.txt

clean:
	rm -rf $(VENV) data
