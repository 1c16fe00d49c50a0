# MentorMeMed — every target bootstraps what it needs (python3, make, node/npm).
PY ?= python3
VENV := .venv
TOOLS := .tools
UV := $(TOOLS)/bin/uv
PYTHON := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
IDP_PORT ?= 8001
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON := $(shell command -v $(PY))
export UV_PYTHON_DOWNLOADS := never

.PHONY: audit install demo test test-fast lint format bench e2e-deps chromium clean totp

$(UV):
	$(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.synced node_modules/.installed

# Links in e-mails, invites, the calendar feed and certificates follow the address the demo serves on.
demo: export SITE_URL ?= http://$(HOST):$(PORT)
demo: install
	@$(PYTHON) manage.py migrate --noinput -v 0
	@$(PYTHON) manage.py demo_data
	@$(PYTHON) manage.py run_sweep --schedule > .demo-worker.log 2>&1
	@echo "Starting the task workers (default and email queues), the demo campus IdP (http://$(HOST):$(IDP_PORT)) and the web server on $(SITE_URL) (Ctrl-C stops all)"
	@$(PYTHON) manage.py worker --queue-name default --interval 2 > .demo-worker.log 2>&1 & WORKER=$$!; \
	$(PYTHON) manage.py worker --queue-name email --interval 2 > .demo-mail-worker.log 2>&1 & MAILER=$$!; \
	$(PYTHON) manage.py run_demo_idp --port $(IDP_PORT) > .demo-idp.log 2>&1 & IDP=$$!; \
	trap "kill $$WORKER $$MAILER $$IDP 2>/dev/null" EXIT INT TERM; \
	$(PYTHON) manage.py runserver $(HOST):$(PORT) --noreload

# The browser journeys drive Debian's Chromium: installed here when missing (as root, via apt-get).
# SAML signatures (pysaml2) need the xmlsec1 program, for the campus sign-in tests and in production.
chromium:
	@{ command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium; } && command -v xmlsec1 >/dev/null 2>&1 && command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Chromium, xmlsec1 and redis-server for the browser, campus sign-in and task-engine tests (apt-get) …"; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium xmlsec1 redis-server >/dev/null; \
	  else \
	    echo "The tests need Chromium, xmlsec1 and redis-server: run 'sudo apt-get install -y chromium xmlsec1 redis-server' (or make test as root)."; exit 1; \
	  fi; }

test: install chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PYTHON) manage.py makemigrations --check --dry-run > /dev/null
	$(PYTHON) -m pytest -n 2 --dist loadgroup -q

test-fast: install
	$(PYTHON) -m pytest -q -m "not e2e" -x

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install
	$(PYTHON) -m bench.run

totp: install
	@$(PYTHON) manage.py demo_totp $(EMAIL)

clean:
	rm -rf $(VENV) $(TOOLS) node_modules staticfiles db.sqlite3* .demo-worker.log .demo-idp.log .demo-idp

# Known vulnerabilities in the pinned dependencies (PyPI's advisory service and npm's). Fails closed:
# a package that could not be checked (no route to the advisory service) fails the audit too.
audit: install
	$(UV) export --frozen --no-hashes --no-emit-project -q > .audit-requirements.txt
	$(VENV)/bin/pip-audit --strict --no-deps --disable-pip -r .audit-requirements.txt; status=$$?; rm -f .audit-requirements.txt; exit $$status
	npm audit --omit=dev --audit-level=moderate
