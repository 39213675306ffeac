# 我们在一起 portal: the everyday commands. `make help` lists them.
#
# Everything runs from .venv (created on first use). With no environment set, the portal uses
# SQLite (db.sqlite3) and runs Celery tasks in-process; set DATABASE_URL / REDIS_URL (or put
# them in .env, see .env.example) for PostgreSQL, Redis and separate worker/beat processes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
# Two pytest processes (the machine has 2 cores). Override with `make test PYTEST_WORKERS=0`.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
BENCH ?=
BENCH_ARGS ?=

DEMO_CHILDREN ?= 2000
DEMO_SEED ?= 1
DEMO_PASSWORD ?=
HOST ?= 127.0.0.1
PORT ?= 8000

BACKUP_DIR ?= var/backups
FROM ?=

.PHONY: help venv install browser run migrate seed test test-pg lint format worker beat bench clean \
	serve audit backup restore

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Python >= 3.11 is required ($(PYTHON) is $$($(PYTHON) --version))" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

venv: $(PY)  ## create .venv if it is missing

# Reinstall only when pyproject.toml is newer than the stamp, so repeated runs are quick.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)  ## install the project and its dev tools into .venv

browser:  ## chromium + CJK fonts for the browser tests (installs them as root, else says how)
	@bash .ci/browser

# Development field-encryption keys (huzhou_care/crypto), generated once; never committed.
var/dev-field-keys.env: | $(STAMP)
	$(PY) -m huzhou_care.crypto.devkeys $@

migrate: install var/dev-field-keys.env  ## apply database migrations
	$(PY) manage.py migrate --no-input

seed: migrate  ## load the demo data set (idempotent) and print the demo accounts
	$(PY) manage.py seed_demo --children $(DEMO_CHILDREN) --seed $(DEMO_SEED)$(if $(DEMO_PASSWORD), --password '$(DEMO_PASSWORD)')

run: seed  ## migrate, seed the demo data, serve http://127.0.0.1:8000
	$(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite: lint, migrations in step with the models, then pytest including the
# browser journeys (tests/e2e). Any failing step fails the target.
test: install browser  ## ruff (lint + format), migration check, pytest (unit + e2e) on SQLite or DATABASE_URL
	@echo "--- ruff check, ruff format --check"
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@echo "--- makemigrations --check"
	$(PY) manage.py makemigrations --check --dry-run
	@echo "--- pytest ($${DATABASE_URL:-SQLite}$${REDIS_URL:+, Redis})"
	$(VENV)/bin/pytest $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS)) $(PYTEST_ARGS)

test-pg: install  ## the same suite on PostgreSQL (pytest-django creates test_test*)
	DATABASE_URL='$(PG_TEST_URL)' $(MAKE) --no-print-directory test

lint:  install ## ruff check + ruff format --check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install  ## apply ruff's fixes and formatting
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

worker: install  ## a Celery worker (needs REDIS_URL)
	$(VENV)/bin/celery -A huzhou_care worker -l info

beat: install  ## Celery beat, the periodic scheduler (needs REDIS_URL; run exactly one)
	@mkdir -p var
	$(VENV)/bin/celery -A huzhou_care beat -l info --schedule var/celerybeat-schedule

# The production layout on one machine, from the same environment (.env or exported): gunicorn
# (huzhou_care/gunicorn.conf.py: GUNICORN_WORKERS, default 2 x cores + 1) serving the collected
# static files through WhiteNoise, plus the Celery worker and the one beat when REDIS_URL is
# set. Ctrl-C stops all three. nginx in front: docs/deploy.md.
serve: export DJANGO_STATICFILES_STORAGE ?= whitenoise.storage.CompressedManifestStaticFilesStorage
serve: migrate  ## production layout: gunicorn + WhiteNoise, Celery worker and beat (docs/deploy.md)
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(PY) manage.py check --deploy --fail-level ERROR
	@mkdir -p var; pids=(); \
	trap 'kill $${pids[@]} 2>/dev/null || true; wait' EXIT INT TERM; \
	$(VENV)/bin/gunicorn -c huzhou_care/gunicorn.conf.py & pids+=($$!); \
	if [ -n "$${REDIS_URL:-}" ]; then \
		$(VENV)/bin/celery -A huzhou_care worker -l info --concurrency $${CELERY_CONCURRENCY:-2} \
			-n "$${CELERY_WORKER_NAME:-celery@%h}" & pids+=($$!); \
		$(VENV)/bin/celery -A huzhou_care beat -l info --schedule var/celerybeat-schedule & pids+=($$!); \
	else echo "REDIS_URL is not set: background tasks run inside the web processes"; fi; \
	wait -n

# pip-audit over every pinned package of .venv. Fails (exit 1) when a package has a known
# vulnerability AND when any package could not be checked (no advisory service reachable).
audit: install  ## pip-audit over the pinned dependencies; fails if the advisory service is unreachable
	$(PY) -m huzhou_care.ops.audit

# pg_dump (custom format) + the media files + a manifest of row counts and a registry checksum.
backup: install  ## back up the database (PostgreSQL) and the media files into var/backups/<time>/ (BACKUP_DIR=...)
	$(PY) manage.py backup --output-dir $(BACKUP_DIR)

# Replaces the database of DATABASE_URL and the media files with a backup, then checks them.
restore: install  ## restore a backup: make restore FROM=var/backups/<time> (asks first)
	@test -n "$(FROM)" || { echo "usage: make restore FROM=$(BACKUP_DIR)/<time>" >&2; exit 2; }
	$(PY) manage.py restore "$(FROM)"$(if $(YES), --no-input)

# Every bench/*_bench.py, or one: `make bench BENCH=list BENCH_ARGS="--children 100000"`.
bench: install  ## run the benchmarks in bench/ (BENCH=name for one, BENCH_ARGS=...)
	@shopt -s nullglob; files=(bench/$(or $(BENCH),*)_bench.py); \
	if [ ! -e "$${files[0]:-}" ]; then \
		echo "no benchmark bench/$(or $(BENCH),*)_bench.py"; [ -z "$(BENCH)" ]; exit; fi; \
	for f in "$${files[@]}"; do \
		echo "--- $$f"; \
		PYTHONPATH=$(CURDIR) $(PY) "$$f" $(BENCH_ARGS); \
	done

clean:  ## remove test artifacts and caches (keeps .venv and db.sqlite3)
	rm -rf test-artifacts .pytest_cache .ruff_cache
	find . -path ./.venv -prune -o -name __pycache__ -type d -exec rm -rf {} +
