# SCODA Portal — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# `make serve`: the address gunicorn listens on and its worker processes.
BIND ?= 127.0.0.1
WEB_CONCURRENCY ?= 2

.DEFAULT_GOAL := help
.PHONY: help install run serve migrate load test test-fast lint format messages check

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed ## Create .venv and install the project with its dev tools

migrate: install ## Apply database migrations
	$(PY) manage.py migrate --noinput

load: migrate ## Load the fixtures and create the demo accounts (dev settings)
	$(PY) manage.py load_initial_data
	$(PY) manage.py create_demo_users

run: load ## Set everything up and serve on http://127.0.0.1:$(PORT) (SQLite)
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

serve: install ## Production settings under gunicorn on BIND:PORT (needs SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL)
	DJANGO_SETTINGS_MODULE=portal.settings.production $(PY) manage.py collectstatic --noinput
	DJANGO_SETTINGS_MODULE=portal.settings.production exec $(VENV)/bin/gunicorn portal.wsgi:application \
		--workers $(WEB_CONCURRENCY) --bind $(BIND):$(PORT) --access-logfile -

test: install ## Run the whole test suite (browser tests included)
	$(PY) -m pytest

test-fast: install ## Run the tests without the browser
	$(PY) -m pytest -m "not browser"

lint: install ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install ## Format the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: install ## Extract and compile the interface translations
	$(PY) manage.py makemessages -l zh_Hans -l de -l ru --no-obsolete --add-location file --ignore=.venv --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

check: install ## Django checks and missing-migration check
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run
