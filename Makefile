# upgrader: `make demo` and `make test` each install what they need on a fresh machine
# (Python 3.11+, Node 20+, git, make) and skip work already done.
SHELL := /bin/bash
PYTHON ?= python3
SOLC_VERSION := 0.8.28
UV_VERSION := 0.13.8
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/tools/ape:$(CURDIR)/node_modules/.bin:$(CURDIR)/$(BIN):$(PATH)

.PHONY: install prereqs demo test reset solc bench

prereqs:
	@PYTHON=$(PYTHON) tools/check-prereqs.sh || exit 2

# Python environment from the lock file (uv itself is bootstrapped from PyPI into the venv), with
# the chain stack (the `chain` extra: every command; `upgrader check`/`layout` need only the core).
# Bytecode is compiled at install, as pip does: uv does not by default, and where
# PYTHONDONTWRITEBYTECODE is set every process would compile every module it imports again.
$(BIN)/.installed: pyproject.toml uv.lock | prereqs
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || { $(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip >/dev/null; $(BIN)/python -m pip install -q "uv==$(UV_VERSION)"; }
	$(BIN)/uv sync --frozen --inexact --extra chain --compile-bytecode --python $(BIN)/python
	@touch $@

# Node toolchain: Anvil, solc-js, OpenZeppelin contracts, the upgrades-core reference tool.
node_modules/.installed: package.json package-lock.json | prereqs
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

solc: node_modules/.installed
	@tools/solc/install.sh $(SOLC_VERSION)

install: $(BIN)/.installed node_modules/.installed solc
	@$(BIN)/python -m compileall -q src

demo: install
	@scripts/demo.sh

test: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

reset: install
	$(BIN)/upgrader node reset

bench: install
	$(BIN)/python benchmarks/bench_foundation.py
	$(BIN)/python benchmarks/bench_check.py
	$(BIN)/python benchmarks/bench_review_large.py
	$(BIN)/python benchmarks/bench_fuzz.py
