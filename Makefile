# gisplan — the two commands of the README, and a few helpers.
#   make run   install what is missing, provision PostGIS, migrate, load the sample, serve :8000
#   make test  the same set-up, then the whole test suite
SHELL := /bin/bash
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test setup data serve bench-validation clean-db help

help:
	@sed -n '1,4p' Makefile

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
