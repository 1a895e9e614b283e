# SENCo Web. `make run` and `make test` are the whole set-up on a fresh machine.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install migrate demo serve test test-fast lint vendor worker beat bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	touch $@

# Serve the app locally: SQLite and in-process tasks unless DATABASE_URL / REDIS_URL are set.
run: install
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py seed_demo --if-empty
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite, browser tests included (needs Debian's chromium: see README).
test: install node_modules/.installed
	$(VENV)/bin/pytest -q -n 2

# Everything but the browser tests.
test-fast: install
	$(VENV)/bin/pytest -q -n 2 -m "not e2e"

lint: install
	$(VENV)/bin/ruff check .
	DEBUG=true $(PY) manage.py makemigrations --check --dry-run

# Re-vendor Bootstrap and htmx from npm into static/vendor (with their source maps).
vendor: node_modules/.installed
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/

worker: install
	$(VENV)/bin/celery -A sencoweb worker -l info -Q sencoweb

beat: install
	$(VENV)/bin/celery -A sencoweb beat -l info

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles
