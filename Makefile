# Enhance Desk: `make run` to use it, `make test` to check it. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# PORT: from the command line or the environment; otherwise the app reads it from .env (default 8000).
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
PORT_ARG := $(if $(PORT),--port $(PORT))

.PHONY: run run-prod test lint install clean

# Running needs only the app's own packages; the test tools come with `make test`.
$(RUN_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): $(RUN_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

install: $(DEV_STAMP)

# rundesk runs the web server, the task cluster and the ticker; it prints the address and then,
# on a first run, the admin's login box.
# VERBOSE=1 also prints every request and the workers' progress.
run: $(RUN_STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py rundesk $(PORT_ARG) $(if $(VERBOSE),--verbose)
# One machine: no warnings about several servers (enhancer.W005).
run: export ENHANCER_SINGLE_HOST := true

# Production on this host: gunicorn + qcluster + runticker (ROLE=web or ROLE=worker for a part); see README.
run-prod: $(RUN_STAMP)
	scripts/run-prod.sh

# The suite on SQLite and, at the same time, its database tests on PostgreSQL + Redis (scripts/test-both.sh).
test: $(DEV_STAMP)
	scripts/install-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	scripts/test-both.sh

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache
