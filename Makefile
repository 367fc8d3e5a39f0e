# Gongwen — two commands: `make run` serves the demo, `make test` runs every test.
# Both set everything up first (virtualenv, Python packages, system packages where needed).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
STAMP  := $(VENV)/.installed
# One test process per core (pytest-xdist); every test has its own database, so they never meet.
PYTEST_WORKERS ?= -n auto

.PHONY: run test test-fast demo bench system-packages clean help

help:
	@echo "make run    set up and serve the demo on http://$(HOST):$(PORT)"
	@echo "make test   set up and run every test"
	@echo "make bench  set up and run every benchmark, writing bench/RESULTS.md"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Gongwen needs Python 3.11 or newer, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

system-packages:
	@bash scripts/system-packages.sh $(SYSTEM_FOR)

run: SYSTEM_FOR = run
run: system-packages $(STAMP)
	$(FLASK) init-db
	$(FLASK) demo
	@echo "Gongwen 公文流转: http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - wsgi:app

test: SYSTEM_FOR = test
# The whole suite twice: on SQLite, then on PostgreSQL (a throwaway server on loopback unless
# GONGWEN_TEST_POSTGRES_URL names one; without PostgreSQL installed that half is skipped, in CI
# it fails).
test: system-packages $(STAMP)
	$(BIN)/ruff check .
	@echo "== SQLite =="
	env -u GONGWEN_TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_WORKERS)
	@echo "== PostgreSQL =="
	bash scripts/test-postgres.sh run $(BIN)/pytest $(PYTEST_WORKERS)

# The quick loop while developing: everything but the slow groups.
test-fast: $(STAMP)
	$(BIN)/pytest $(PYTEST_WORKERS) -m "not slow"

# Every benchmark in bench/, on SQLite and PostgreSQL; writes bench/RESULTS.md.
bench: SYSTEM_FOR = bench
bench: system-packages $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
