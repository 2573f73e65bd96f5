# Two commands do everything: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test unit integration e2e lint typecheck check bench clean package infra-check

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or PYTHON=/path/to/python3.11)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m localrun

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -n 2 --dist loadgroup

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration

e2e: $(STAMP)
	$(BIN)/python -m pytest tests/e2e

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

# The deployable template and Lambda zip in infra/out/package (no AWS account needed; fetches Lambda wheels).
package: $(STAMP)
	$(BIN)/python -m infra.build --stage $(or $(STAGE),dev)

# Offline: chalice package into a temp dir, cfn-lint it, statelint the ASL (also part of `make test`).
infra-check: $(STAMP)
	$(BIN)/python -m infra.check

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
