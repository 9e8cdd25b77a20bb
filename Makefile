# The two commands the README promises: `make run` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-cluster lint venv setup clean

# A virtualenv on Python 3.12+ (found on PATH or through pyenv by scripts/find-python).
$(PY):
	@python=$$(scripts/find-python) && echo "Creating $(VENV) with $$python" && "$$python" -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the requirements change.
$(VENV)/.installed-run: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-test: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed-run

# System libraries (WeasyPrint's) come from apt when missing.
venv: $(VENV)/.installed-run
	scripts/ensure-runtime-packages

# Migrate and load the real reference data and the demo cast (SQLite under var/ by default).
setup: venv
	@mkdir -p var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_demo_data

# The web server and a Celery worker with beat embedded (reminders and their emails), on the
# filesystem broker under var/ unless REDIS_URL says otherwise; Ctrl-C stops both.
run: setup
	@echo "ROCU Tracker on http://$(HOST):$(PORT)/ with its reminder worker (Ctrl-C to stop)"
	HOST=$(HOST) PORT=$(PORT) PYTHON=$(PY) scripts/run-dev

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DATABASE_URL=sqlite:// $(PY) manage.py makemigrations --check --dry-run

# The OpenID Connect provider the single sign-on tests start (accounts/tests/oidc_provider,
# Node's oidc-provider): installed from its lock file, again only when that changes.
OIDC_PROVIDER := accounts/tests/oidc_provider
$(OIDC_PROVIDER)/node_modules/.installed: $(OIDC_PROVIDER)/package-lock.json
	npm ci --prefix $(OIDC_PROVIDER) --no-audit --no-fund
	@touch $@

# The W3C Nu HTML checker the accessibility walk runs over every page (rocu_tracker/tests/
# valid_html.py): the vnu-jar npm package from its lock file, run on Debian's Java. Its install
# script, which would download a Java of its own, is skipped.
HTML_CHECKER := rocu_tracker/tests/html_checker
$(HTML_CHECKER)/node_modules/.installed: $(HTML_CHECKER)/package-lock.json
	npm ci --prefix $(HTML_CHECKER) --no-audit --no-fund --ignore-scripts
	@touch $@

# The whole suite on a real PostgreSQL: $DATABASE_URL if given, else a throwaway server
# that scripts/with-test-postgres starts (installing it with apt when missing). Browser tests
# drive Debian's Chromium, which scripts/ensure-test-packages installs with Redis.
test: lint
	scripts/ensure-runtime-packages
	scripts/ensure-test-packages
	$(MAKE) --no-print-directory $(OIDC_PROVIDER)/node_modules/.installed
	$(MAKE) --no-print-directory $(HTML_CHECKER)/node_modules/.installed
	scripts/with-test-postgres $(VENV)/bin/pytest $(PYTEST_ARGS)
	$(MAKE) --no-print-directory test-cluster

# Several hosts on this machine (network namespaces, as root): two web nodes behind HAProxy,
# two workers, two beats, PostgreSQL, Redis and an S3 server, with faults under load
# (cluster/test_cluster.py; about two minutes).
test-cluster: $(VENV)/.installed-test
	scripts/ensure-cluster-packages
	scripts/with-test-postgres $(VENV)/bin/pytest cluster -p no:cacheprovider

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
