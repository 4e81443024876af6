# Two commands for a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean-db

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m collab init
	$(BIN)/python -m collab demo --if-empty
	$(BIN)/python -m collab serve

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean-db:
	rm -f data/alliance.db data/alliance.db-wal data/alliance.db-shm

bench: $(STAMP)
	$(BIN)/python tests/benchmarks/scale.py
