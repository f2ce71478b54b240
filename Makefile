# 中介超市 — the two commands are `make demo` and `make test`; `make help` lists the rest.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
PORT ?= 8000
# Links in mails and the Wagtail site's address follow the port the demo runs on.
export SITE_URL ?= http://127.0.0.1:$(PORT)
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
PO_FILES := $(wildcard locale/*/LC_MESSAGES/*.po)
MO_FILES := $(PO_FILES:.po=.mo)

# uv never downloads a Python of its own: the machine's python3 (3.11) is the one.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help
help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-15s %s\n", $$1, $$2}'

.PHONY: system-deps
system-deps: ## Install the Debian packages WeasyPrint and the translations need (as root)
	@scripts/system-deps.sh

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

%.mo: %.po
	msgfmt --check-format -o $@ $<

.PHONY: install
install: system-deps $(VENV)/.synced $(MO_FILES) ## Create the virtual environment from the lock file

.PHONY: lock
lock: | $(UV) ## Re-resolve the lock file after changing pyproject.toml
	$(UV) lock --python $(PYTHON)

.PHONY: demo
demo: install ## Set up and run the demo on 127.0.0.1:$(PORT) (web, worker, beat); Ctrl-C stops
	@mkdir -p var
	$(MANAGE) prepare_demo
	@echo
	@echo "  The marketplace is starting at http://127.0.0.1:$(PORT)/  (back office: /admin/)"
	@echo
	$(VENV)/bin/honcho start --procfile Procfile --port $(PORT)

.PHONY: test
test: install ## Run the whole test suite on the embedded defaults (one worker per core)
	$(VENV)/bin/pytest -n auto --ignore=tests/browser $(PYTEST_ARGS)

# The same suite against real servers. Their URLs come from the environment (see
# `make services-up`); tests that need a service fail, not skip, when it is missing.
.PHONY: test-services
test-services: install ## Run the suite against PostgreSQL, Redis and Elasticsearch
	ZJCS_REQUIRE_SERVICES=1 $(VENV)/bin/pytest --create-db --ignore=tests/browser $(PYTEST_ARGS)

# Real journeys in Debian's Chromium (/usr/bin/chromium, installed by system-deps; Playwright
# never downloads a browser) against a live server on 127.0.0.1 with the demo data. Screenshots
# and HTML of failures are kept in var/browser-failures/.
.PHONY: test-browser
test-browser: install ## Run the browser suite (Playwright in Chromium) on the embedded defaults
	TEST_DB_FILE=browser.sqlite3 $(VENV)/bin/pytest -p no:xdist --create-db tests/browser $(PYTEST_ARGS)

# Each part of a running site fails in turn (tests/faults/drill.py says what is checked).
.PHONY: fault-drill
fault-drill: install ## Stop Elasticsearch, Redis, a worker and PostgreSQL under a running site (needs services-up)
	$(VENV)/bin/python -m tests.faults.drill

.PHONY: lint
lint: install ## ruff, mypy, the layer contract (import-linter) and a migrations check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	DJANGO_SETTINGS_MODULE=config.settings.test $(MANAGE) makemigrations --check --dry-run

.PHONY: format
format: install ## Format and auto-fix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: messages
messages: install ## Collect translatable strings into locale/*/django.po
	$(MANAGE) makemessages --locale zh_Hans --ignore ".venv/*" --ignore ".tools/*" --no-obsolete
	$(MANAGE) makemessages -d djangojs --locale zh_Hans --ignore ".venv/*" --ignore ".tools/*" --ignore "staticfiles/*" --no-obsolete

.PHONY: services-up
services-up: ## Start PostgreSQL, Redis and Elasticsearch on 127.0.0.1 (as CI does)
	@bash .ci/services.sh up

.PHONY: services-down
services-down: ## Stop the servers services-up started
	@bash .ci/services.sh down

.PHONY: benchmark
benchmark: install ## Measure list pages on large data; writes docs/benchmarks.md
	$(PY) scripts/benchmark.py

.PHONY: burst
burst: install ## 200 people browse while 500 agencies quote in the last 10 s before a deadline (Locust, gunicorn, PostgreSQL; needs services-up); writes docs/benchmarks.md
	$(PY) bench/burst.py

.PHONY: benchmark-search
benchmark-search: install ## Time searches at 10 000 and 100 000 agencies on each backend (Elasticsearch with ELASTICSEARCH_URL); writes docs/benchmarks.md
	$(PY) scripts/benchmark_search.py

.PHONY: benchmark-contracts
benchmark-contracts: install ## Time drawing, signing and checking contracts; writes docs/benchmarks.md
	$(PY) scripts/benchmark_contracts.py

.PHONY: benchmark-credit
benchmark-credit: install ## Time a credit recompute of 10 000 agencies; writes docs/benchmarks.md
	$(PY) scripts/benchmark_credit.py

.PHONY: clean
clean: ## Remove the virtual environments and local data (the demo database too)
	rm -rf .venv .tools var staticfiles
