# Two commands for a fresh machine with Python 3.11+: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The exact versions the product is tested with, resolved from pyproject.toml by `make lock`.
LOCK := requirements.lock
LOCK_VENV := .venv-lock
# Everything but the tests that need a browser, PostgreSQL, a load run or minutes.
FAST := not browser and not postgres and not load and not slow

.PHONY: run test test-fast lint bench bench-burst lock clean-db

# The code runs from this checkout (pytest's pythonpath and `python -m collab` find it),
# so the venv holds only the locked packages; it is brought up to date when the lock changes.
$(STAMP): $(LOCK)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m collab init
	$(BIN)/python -m collab demo --if-empty
	$(BIN)/python -m collab serve

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "$(FAST)"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy collab pages app.py

bench: $(STAMP)
	$(BIN)/python tests/benchmarks/scale.py
	$(BIN)/python tests/benchmarks/clear_cache.py

# 60 members opening the invite link and sending at once; e.g. BURST_ARGS="--sessions 30"
# or BURST_ARGS="--database-url postgresql+psycopg://user@host/db" (see docs/operations.md).
bench-burst: $(STAMP)
	$(BIN)/python tests/benchmarks/burst.py $(BURST_ARGS)

# Re-resolve the lock after a dependency changes in pyproject.toml. Versions already
# pinned are kept where they still fit; `make lock LOCK_ARGS=--upgrade` takes the newest.
lock:
	@test -x $(LOCK_VENV)/bin/uv || \
		($(PYTHON) -m venv $(LOCK_VENV) && $(LOCK_VENV)/bin/python -m pip install --quiet uv)
	$(LOCK_VENV)/bin/uv pip compile pyproject.toml --extra postgres --extra dev \
		--universal --python-version 3.11 --generate-hashes \
		--custom-compile-command "make lock" --quiet $(LOCK_ARGS) -o $(LOCK)

clean-db:
	rm -f data/alliance.db data/alliance.db-wal data/alliance.db-shm
