# recspark: `make demo` and `make test` do all the set-up on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
LAKE ?= lake
DATASET ?= demo
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help demo test test-fast test-spark40 lint bench jars jars-s3 system-deps clean

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

jars-s3: $(VENV)/.runtime ## Also fetch hadoop-aws and the AWS SDK bundle (s3a:// lakes; ~650 MB, once)
	$(BIN)/recspark setup-jars --s3

test: $(VENV)/.test jars jars-s3 system-deps ## Install everything, then run the whole test suite
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.test jars system-deps ## Tests without the slow end-to-end ones
	$(BIN)/python -m pytest -m "not slow" $(PYTEST_ARGS)

# The EMR line ships Spark 4.0 with Delta 4.0: the Spark tests run once against it too.
PYSPARK40 ?= 4.0.1
DELTA40 ?= 4.0.1
VENV40 ?= .venv-spark40

$(VENV40)/.test: setup.cfg constraints.txt
	$(PYTHON) -m venv $(VENV40)
	$(VENV40)/bin/pip install --quiet --upgrade pip
	mkdir -p build
	grep -v -E '^(pyspark|delta_spark|py4j)==' constraints.txt > build/constraints-spark40.txt
	printf 'pyspark==$(PYSPARK40)\ndelta_spark==$(DELTA40)\n' >> build/constraints-spark40.txt
	$(VENV40)/bin/pip install --quiet -c build/constraints-spark40.txt -e '.[test]'
	touch $@

test-spark40: $(VENV40)/.test system-deps ## Unit and Spark tests against pyspark 4.0 + Delta 4.0 (the EMR line)
	$(VENV40)/bin/recspark setup-jars
	$(VENV40)/bin/python -m pytest tests/unit tests/spark $(PYTEST_ARGS)

lint: $(VENV)/.test ## ruff and mypy
	$(BIN)/ruff check .
	$(BIN)/mypy recspark

bench: $(VENV)/.bench jars ## Generation and gate benchmarks (print figures; see README)
	$(BIN)/python benchmarks/generate_bench.py --staging
	$(BIN)/python benchmarks/evaluate_bench.py

clean: ## Remove the virtual environment, the demo lake and caches
	rm -rf $(VENV) $(VENV40) $(LAKE) .pytest_cache .ruff_cache .mypy_cache build *.egg-info spark-warehouse metastore_db
