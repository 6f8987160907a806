# recspark: `make demo` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LAKE ?= lake
DATASET ?= demo
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help demo test test-fast lint bench jars system-deps clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: $(BIN)/python setup.cfg constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.test: $(VENV)/.runtime
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

$(VENV)/.bench: $(VENV)/.runtime
	$(BIN)/pip install --quiet -c constraints.txt -e '.[bench]'
	touch $@

jars: $(VENV)/.runtime ## Fetch the Delta jars with Maven (cached in ~/.cache/recspark/jars)
	$(BIN)/recspark setup-jars

# Debian's chromium renders the HTML report in the report test (headless, no network).
system-deps: ## Install the Debian packages the tests need (chromium), with apt-get
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing chromium with apt-get"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium; }

demo: jars ## The whole story on the local profile: generate, train V1, derive V2-V4, gate each, write the report
	$(BIN)/recspark demo --profile local --lake $(LAKE) --dataset $(DATASET)

test: $(VENV)/.test jars system-deps ## Install everything, then run the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.test jars system-deps ## Tests without the slow end-to-end ones
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.test ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy recspark

bench: $(VENV)/.bench jars ## Generation and gate benchmarks (print figures; see README)
	$(BIN)/python benchmarks/generate_bench.py --staging
	$(BIN)/python benchmarks/evaluate_bench.py

clean: ## Remove the virtual environment, the demo lake and caches
	rm -rf $(VENV) $(LAKE) .pytest_cache .ruff_cache .mypy_cache build *.egg-info spark-warehouse metastore_db
