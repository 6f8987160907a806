# recspark: `make demo` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LAKE ?= lake
DATASET ?= demo
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help demo test test-fast lint bench jars clean

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

demo: jars ## Generate the local profile into ./lake and run the self-check
	$(BIN)/recspark generate --profile local --lake $(LAKE) --dataset $(DATASET) --check

test: $(VENV)/.test jars ## Install everything, then run the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.test jars ## Tests without the slow end-to-end ones
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

lint: $(VENV)/.test ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy recspark

bench: $(VENV)/.bench jars ## Generation and gate benchmarks (print figures; see README)
	$(BIN)/python benchmarks/generate_bench.py --staging
	$(BIN)/python benchmarks/evaluate_bench.py

clean: ## Remove the virtual environment, the demo lake and caches
	rm -rf $(VENV) $(LAKE) .pytest_cache .ruff_cache .mypy_cache build *.egg-info spark-warehouse metastore_db
