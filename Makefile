# gisplan — the two commands of the README, and a few helpers.
#   make run   install what is missing, provision PostGIS, migrate, load the sample, serve :8000
#              (with a Celery worker and beat for background jobs and the nightly schedule)
#   make test  the same set-up, then the whole test suite
#   make serve the same set-up, then production settings (DEBUG off) under gunicorn on :8000
#   make lint  ruff (lint rules and the complexity gate, then the formatter's check)
SHELL := /bin/bash
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run serve test setup data lint help

help:
	@sed -n '1,7p' Makefile

setup:
	bash scripts/bootstrap.sh
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	DEBUG=false $(PY) manage.py collectstatic --noinput -v 0  # hashed + gzip copies for production too

data: setup
	$(PY) manage.py load_sample_data
	$(PY) manage.py load_frameworks
	$(PY) manage.py ensure_admin

# A Celery worker (background exports and imports) and beat (the nightly schedule) run beside the
# development server and stop with it.
CELERY := .venv/bin/celery
run: data
	$(CELERY) -A gisplan worker -l warning -c 2 & W=$$!; \
	$(CELERY) -A gisplan beat -l warning -s $${TMPDIR:-/tmp}/gisplan-celerybeat-schedule & B=$$!; \
	trap 'kill $$W $$B 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

# Production settings: DEBUG off (compressed, hashed static files served by WhiteNoise, JSON logs),
# pooled database connections, gunicorn with deploy/gunicorn.conf.py (GUNICORN_* to adjust).
serve: data
	DEBUG=false GUNICORN_BIND=$(HOST):$(PORT) .venv/bin/gunicorn --config deploy/gunicorn.conf.py

test: data
	mkdir -p test-output
	bash scripts/replica.sh
	GISPLAN_NO_SKIPS=1 $(PY) -m pytest $(PYTEST_ARGS)

lint:
	bash scripts/bootstrap.sh
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
