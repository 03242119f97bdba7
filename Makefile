# Two commands matter: `make run` and `make test`. Both create .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck bench eval clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/comptoir run

# The eval gate: the public cases on the local tier, below evals/README.md's thresholds fails.
EVAL := $(BIN)/comptoir eval run evals/datasets --tier local --gate evals/README.md \
	--json var/eval/last.json --report var/eval/last.md

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(EVAL)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy comptoir domain api automations benchmarks agents tools evals rag

bench: $(STAMP)
	$(BIN)/comptoir bench db

eval: $(STAMP)
	$(EVAL)

clean:
	rm -rf $(VENV) var/test
