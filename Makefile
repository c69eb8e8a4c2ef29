# SCODA Portal — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# `make serve`: the address gunicorn listens on and its worker processes.
BIND ?= 127.0.0.1
WEB_CONCURRENCY ?= 2
# `make backup`: where the archives go; `make restore BACKUP=path [REPLACE=1]`.
BACKUP_DIR ?= backups
# `make test-reliability`: seconds of each load and fault run (bench/reliability.py).
RELIABILITY_DURATION ?= 60

# Checked before anything runs, so a bare `make restore` changes nothing.
ifneq ($(filter restore,$(MAKECMDGOALS)),)
ifeq ($(BACKUP),)
$(error make restore needs BACKUP=path/to/scoda-portal-….tar (add REPLACE=1 to replace a non-empty database))
endif
endif

.DEFAULT_GOAL := help
.PHONY: help install run serve worker anonymise migrate load test test-fast test-reliability reliability lighthouse backup restore lint format messages check

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
		| sed -e 's/\$$(PORT)/$(PORT)/g' -e 's/\$$(BIND)/$(BIND)/g' \
		| awk 'BEGIN {FS = ":.*## "}; {printf "  make %-16s %s\n", $$1, $$2}'

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
	$(PY) manage.py create_demo_inquiries

# The mail worker runs beside the development server (inquiries' e-mails, printed to the console;
# the daily housekeeping) and stops with it.
run: load ## Set everything up and serve on http://127.0.0.1:$(PORT) (SQLite), with the mail worker
	$(PY) manage.py schedule_housekeeping
	$(PY) manage.py mail_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	PORT=$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

serve: install ## Production settings under gunicorn on BIND:PORT (needs SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL)
	DJANGO_SETTINGS_MODULE=portal.settings.production $(PY) manage.py collectstatic --noinput
	DJANGO_SETTINGS_MODULE=portal.settings.production exec $(VENV)/bin/gunicorn portal.wsgi:application \
		--workers $(WEB_CONCURRENCY) --bind $(BIND):$(PORT) --access-logfile -

test: install ## Run the test suite (browser tests included; the slow reliability runs are not)
	$(PY) -m pytest -m "not slow"

test-fast: install ## Run the tests without the browser (nor the slow reliability runs)
	$(PY) -m pytest -m "not browser and not slow"

test-reliability: install ## Load and fault runs, and changes reaching both workers, under gunicorn (own PostgreSQL and Redis; RELIABILITY_DURATION=60 s each)
	RELIABILITY_DURATION=$(RELIABILITY_DURATION) $(PY) -m pytest -m slow -s tests/test_reliability.py tests/test_workers.py

reliability: install ## The same runs as a script that prints the figures (e.g. make reliability RUNS="load")
	RELIABILITY_DURATION=$(RELIABILITY_DURATION) $(PY) -m bench.reliability $(RUNS)

lighthouse: install ## Lighthouse scores against issue 13's bars → bench/RESULTS.md (needs LIGHTHOUSE_BIN; BASE_URL=… for a served site)
	bench/lighthouse $(if $(BASE_URL),$(BASE_URL),--serve) --results bench/RESULTS.md

worker: install ## Production settings: the mail queue's worker (e-mails, daily housekeeping; database or Redis queue) beside `make serve`
	DJANGO_SETTINGS_MODULE=portal.settings.production $(PY) manage.py schedule_housekeeping
	DJANGO_SETTINGS_MODULE=portal.settings.production exec $(PY) manage.py mail_worker

anonymise: install ## Blank inquiries' personal data past INQUIRY_RETENTION_MONTHS now (the worker does it daily; ARGS="--dry-run")
	$(PY) manage.py anonymise_inquiries $(ARGS)

backup: install ## Back up the database and media into BACKUP_DIR/scoda-portal-<date>.tar (DATABASE_URL's database)
	$(PY) manage.py backup_site --output-dir $(BACKUP_DIR)

restore: install ## Restore BACKUP=path into an empty database and media folder (REPLACE=1: replace what is there)
	$(PY) manage.py restore_site $(BACKUP) $(if $(filter 1,$(REPLACE)),--replace)

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
