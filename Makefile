# Two commands matter: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench eval eval-rag fuzz clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/comptoir run

# The eval gate: the public cases on the local tier, below evals/README.md's thresholds fails.
EVAL := $(BIN)/comptoir eval run evals/datasets --tier local --gate evals/README.md \
	--json var/eval/last.json --report var/eval/last.md

# Retrieval quality on the labelled documents (recall@5 0.91 on 2026-11-21; a leaked
# HR document to a seller fails it too).
EVAL_RAG := $(BIN)/comptoir eval rag evals/datasets/rag --min-recall 0.88 --json var/eval/rag.json

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(EVAL)
	$(EVAL_RAG)

# The API fuzzer (tests/api/test_fuzz.py) with a long budget: 100 generated requests per
# operation instead of `make test`'s 8. Figures in var/test/fuzz-report.json.
FUZZ_EXAMPLES ?= 100
fuzz: $(STAMP)
	COMPTOIR_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -s tests/api/test_fuzz.py

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy comptoir domain api automations benchmarks agents tools evals rag

bench: $(STAMP)
	$(BIN)/comptoir bench db

eval: $(STAMP)
	$(EVAL)

eval-rag: $(STAMP)
	$(EVAL_RAG)

clean:
	rm -rf $(VENV) var/test
