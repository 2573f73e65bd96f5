# Two commands do everything: `make run` and `make test`. Both build .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test unit integration e2e lint typecheck check bench bench-quick clean package infra-check browser console-screenshots fuzz security-doc

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "need $(PYTHON) on PATH (or PYTHON=/path/to/python3.11)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m localrun $(if $(filter-out 0,$(DEMO)),--demo)

# `make run` with a case in every state seeded (localrun/scenarios.py), for the console to show; same as `make run DEMO=1`.
demo: $(STAMP)
	$(BIN)/python -m localrun --demo

test: $(STAMP) lint typecheck browser
	$(BIN)/python -m pytest -n 2 --dist loadgroup

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit

integration: $(STAMP)
	$(BIN)/python -m pytest tests/integration

e2e: $(STAMP) browser
	$(BIN)/python -m pytest tests/e2e

# The reviewer-console test drives Debian's chromium with Playwright; no browser build is ever downloaded
# (never `playwright install`). Installs it with apt when missing (root, or sudo), about 20 s; fails loudly otherwise.
CHROMIUM ?= /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
	  echo "installing Debian's chromium for the reviewer-console test"; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
	@test -x $(CHROMIUM) || { echo "$(CHROMIUM) is missing and could not be installed: the console test needs Debian's chromium (apt-get install chromium)"; exit 1; }

# Refresh the console screenshots shown in README.md (docs/console-*.png).
console-screenshots: $(STAMP) browser
	@fc-list :lang=zh | grep -q . || { \
	  echo "installing a CJK font (WenQuanYi Micro Hei) so the zh-CN screenshots show Chinese"; \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-wqy-microhei >/dev/null; }
	CONSOLE_SCREENSHOT_DIR=docs $(BIN)/python -m pytest tests/e2e/test_reviewer_console.py

# Benchmarks: figures and ratios against baselines measured in the same run, written to docs/BENCHMARKS.md.
# Takes tens of minutes (the scaling step drives 2,000 cases); `make bench-quick` is a smoke run.
bench: $(STAMP)
	$(BIN)/python -m bench.run

bench-quick: $(STAMP)
	$(BIN)/python -m bench.run --quick

# Schemathesis over every operation as every role, many examples each (`make test` runs 3).
FUZZ_EXAMPLES ?= 100
fuzz: $(STAMP)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest tests/e2e/test_fuzz.py -n 2 -q

# Regenerate the authorization matrix in docs/SECURITY.md from the route table (a test checks it).
security-doc: $(STAMP)
	$(BIN)/python -m tools.security_matrix

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy .

# The deployable template and Lambda zip in infra/out/package (no AWS account needed; fetches Lambda wheels).
package: $(STAMP)
	$(BIN)/python -m infra.build --stage $(or $(STAGE),dev)

# Offline: chalice package every stage into a temp dir, cfn-lint each, statelint the ASL (also part of `make test`).
infra-check: $(STAMP)
	$(BIN)/python -m infra.check

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
