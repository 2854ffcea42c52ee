# Two entry points that do all the set-up on a fresh machine:
#   make brief   - a cross-source brief over seeds/, offline, on the shipped fixtures
#   make test    - the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: brief test lint install

$(BIN)/reconcile: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/reconcile

brief: install
	$(BIN)/reconcile brief seeds/ --replay fixtures/seeds --strict -o out/brief.html
	$(BIN)/reconcile brief seeds/ --replay fixtures/seeds --strict -o out/brief.md

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check reconcile tests bench scripts
	$(BIN)/mypy
