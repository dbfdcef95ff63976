# The documented workflow. On a fresh machine with python3 and a Rust toolchain (cargo),
# `make demo` and `make test` create .venv, install the locked dependencies (uv.lock), build the
# compiled core (rust/, as hotlist._core, by maturin) into it and run.
PYTHON ?= python3
UV_VERSION := 0.13.9
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced-stamp
export UV_PROJECT_ENVIRONMENT := $(VENV)
CARGO ?= cargo
RUST_DIR := rust
# The core's sources: a change to any of them rebuilds hotlist._core on the next sync.
RUST_SOURCES := $(RUST_DIR)/Cargo.toml $(RUST_DIR)/Cargo.lock $(wildcard $(RUST_DIR)/*/Cargo.toml) \
	$(shell find $(RUST_DIR) -name '*.rs' -not -path '*/target/*' 2>/dev/null)

.PHONY: help venv demo test lint format typecheck pytest rust-check bench lock clean

help:
	@echo "make demo       set up .venv and run the whole flow on the embedded SQLite default"
	@echo "make test       set up .venv, then lint, type check and the whole test suite"
	@echo "make lint       ruff lint + format check"
	@echo "make format     ruff format + autofix"
	@echo "make typecheck  mypy strict on src/"
	@echo "make rust-check cargo test and cargo clippy (warnings are errors) on the core"
	@echo "make bench      run the benchmarks under benchmarks/"
	@echo "make lock       re-resolve uv.lock after changing pyproject.toml"

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# --inexact keeps uv itself in the environment it installs into.
# uv rebuilds the core when a file in pyproject's tool.uv.cache-keys changed.
$(STAMP): $(BIN)/uv uv.lock pyproject.toml $(RUST_SOURCES)
	@command -v $(CARGO) >/dev/null || { echo "make: cargo not found: the compiled core (rust/) needs a Rust toolchain (rustup.rs, or the distribution's cargo)" >&2; exit 1; }
	$(BIN)/uv sync --frozen --inexact --all-extras --quiet
	touch $(STAMP)

venv: $(STAMP)

DEMO_DIR ?= demo-data

# A fresh data directory each time: the demo starts from nothing.
demo: $(STAMP)
	rm -rf $(DEMO_DIR)
	$(BIN)/hotlist demo --data-dir $(DEMO_DIR)

test: lint typecheck rust-check pytest

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

rust-check:
	cd $(RUST_DIR) && $(CARGO) fmt --check
	cd $(RUST_DIR) && $(CARGO) test --quiet
	cd $(RUST_DIR) && $(CARGO) clippy --quiet --all-targets -- -D warnings

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

lock: $(BIN)/uv
	$(BIN)/uv lock

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis .coverage htmlcov $(RUST_DIR)/target
	rm -f src/hotlist/_core*.so
