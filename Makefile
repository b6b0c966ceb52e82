# Proxisource: `make run` serves the API, `make test` runs the whole suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
HOST ?= 127.0.0.1

.PHONY: install run test openapi es-start es-stop clean bench

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# The API is served as production serves it (gunicorn, see Dockerfile); the worker (search
# outbox, deadlines, idempotency keys, webhooks) runs in the background while it runs, and stops
# with it. It listens on 127.0.0.1 only, so webhooks may target local receivers (http, loopback).
WORKERS ?= 2
run: export WEBHOOKS_ALLOW_PRIVATE ?= true
run: install es-start
	$(BIN)/flask --app api db upgrade
	$(BIN)/flask --app api demo load
	$(BIN)/flask --app api worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - 'api:create_app()'

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

openapi: install
	$(BIN)/flask --app api openapi write --format=yaml openapi.yaml

# Benchmarks (PostgreSQL and the local Elasticsearch node): make bench SIZES="10000 100000 1000000"
SIZES ?= 10000 100000
bench: install es-start
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m bench.run --sizes $(SIZES)

es-start: install
	$(BIN)/python -m search.node start

es-stop: install
	$(BIN)/python -m search.node stop

clean:
	rm -rf $(VENV) instance .pytest_cache
