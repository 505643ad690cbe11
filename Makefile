# gisplan — the two commands of the README, and a few helpers.
#   make run   install what is missing, provision PostGIS, migrate, load the sample, serve :8000
#   make test  the same set-up, then the whole test suite
#   make lint  ruff (lint rules and the complexity gate, then the formatter's check)
SHELL := /bin/bash
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test setup data lint help

help:
	@sed -n '1,5p' Makefile

setup:
	bash scripts/bootstrap.sh
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) manage.py collectstatic --noinput -v 0

data: setup
	$(PY) manage.py load_sample_data
	$(PY) manage.py ensure_admin

run: data
	$(PY) manage.py runserver $(HOST):$(PORT)

test: data
	mkdir -p test-output
	$(PY) -m pytest $(PYTEST_ARGS)

lint:
	bash scripts/bootstrap.sh
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
