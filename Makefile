# The documented workflow. On a fresh machine with only python3, `make demo` and `make test`
# create .venv, install the locked dependencies (uv.lock) and run.
PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced-stamp
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help venv demo test lint format typecheck pytest bench lock clean

help:
	@echo "make demo       set up .venv and run the whole flow on the embedded SQLite default"
	@echo "make test       set up .venv, then lint, type check and the whole test suite"
	@echo "make lint       ruff lint + format check"
	@echo "make format     ruff format + autofix"
	@echo "make typecheck  mypy strict on src/"
	@echo "make bench      run the benchmarks under benchmarks/"
	@echo "make lock       re-resolve uv.lock after changing pyproject.toml"

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --inexact keeps uv itself in the environment it installs into.
$(STAMP): $(BIN)/uv uv.lock pyproject.toml
	$(BIN)/uv sync --frozen --inexact --all-extras --quiet
	touch $(STAMP)

venv: $(STAMP)

DEMO_DIR ?= demo-data

# A fresh data directory each time: the demo starts from nothing.
demo: $(STAMP)
	rm -rf $(DEMO_DIR)
	$(BIN)/hotlist demo --data-dir $(DEMO_DIR)

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

format: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks
	$(BIN)/ruff format src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest --cov --cov-report=term $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

lock: $(BIN)/uv
	$(BIN)/uv lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis .coverage htmlcov
