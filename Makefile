# MASH front door: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTHON ?= python3
PORT ?= 8000

.PHONY: help run test setup deps assets migrate demo services browser lint check-deploy lock clean backup restore

help:
	@echo "make run    set up and run web, Celery worker and beat with demo data (SQLite)"
	@echo "make test   set up and run every test on PostgreSQL and Redis"
	@echo "make lint   ruff lint and format check"

$(VENV)/.deps: requirements/dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements/dev.txt
	@touch $@

deps: $(VENV)/.deps

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/build/application.css: node_modules/.package-lock.json $(wildcard assets/scss/*.scss)
	npm run --silent build

assets: static/build/application.css

setup: deps assets

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py generate_demo_year --once
	$(PY) manage.py refresh_kpi_snapshots
	@echo
	@echo "MASH front door: http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo
	PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile.dev

services:
	@bash scripts/ensure-services

browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

test: setup browser services
	$(VENV)/bin/ruff check .
	DJANGO_SETTINGS_MODULE=mash.settings.test $(PY) manage.py makemigrations --check --dry-run >/dev/null
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

lock: deps
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --output-file requirements/base.txt pyproject.toml
	$(VENV)/bin/pip-compile -q --strip-extras --no-emit-index-url --no-emit-find-links --extra dev --output-file requirements/dev.txt pyproject.toml

clean:
	rm -rf $(VENV) node_modules static/build staticfiles .celery-broker db.sqlite3*

# Backup and restore (README "Operations"): PostgreSQL at DATABASE_URL and the stored files.
BACKUP_DIR ?= backups

backup: deps
	$(PY) scripts/backup --output-dir "$(BACKUP_DIR)" $(if $(MEDIA_ROOT),--media-root "$(MEDIA_ROOT)")

restore: deps
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=$(BACKUP_DIR)/mash-<time> [DATABASE_URL=...] [MEDIA_ROOT=...] [FORCE=1]" >&2; exit 2; }
	$(PY) scripts/restore "$(BACKUP)" $(if $(MEDIA_ROOT),--media-root "$(MEDIA_ROOT)") $(if $(filter 1 yes true,$(FORCE)),--force)
