# Two commands set a fresh machine up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install browser db demo bench bandit lint typecheck clean vendor

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

# The solver's compiled maximum-weight matching (organizer/matching/cblossom.py loads it;
# without it the solver uses rustworkx's, slower on sparse groups). Needs a C compiler only.
CC ?= cc
BLOSSOM := organizer/matching/_blossom.so.1
$(BLOSSOM): organizer/matching/_blossom.c
	$(CC) -O2 -std=c99 -Wall -Wextra -shared -fPIC -o $@ $<

install: $(STAMP) $(BLOSSOM)

# Debian packages the tests and PDFs use: Chromium for the browser tests, poppler's
# pdftotext to read PDFs back, Pango for WeasyPrint. Installed where this machine lets us
# (root with apt); otherwise the browser tests say why they skip.
SYSTEM_PACKAGES := chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
browser:
	@if command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 \
		&& ldconfig -p | grep -q libpangoft2; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing Debian packages: $(SYSTEM_PACKAGES)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null; \
	else echo "Missing some of: $(SYSTEM_PACKAGES); cannot install them here: browser tests will be skipped."; fi

db: install
	$(FLASK) db upgrade

demo: db
	$(FLASK) seed-demo --if-empty

run: export GIVEFIRST_ENV = development
run: export BASE_URL = http://$(HOST):$(PORT)
run: demo
	@echo "Serving Give First on http://$(HOST):$(PORT)/ (Ctrl+C stops it)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install browser
	$(BIN)/pytest -q

# Security lint of the application code; justified exceptions are explained in bandit.yml.
bandit: install
	$(BIN)/bandit -r organizer -q -c bandit.yml

# Lint and import order (configured in pyproject.toml).
lint: install
	$(BIN)/ruff check organizer tests bench app.py config.py

# Static types (configured in pyproject.toml): the matching engine strictly.
typecheck: install
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/quality.py
	$(BIN)/python bench/matching.py
	$(BIN)/python bench/door.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/rsvp_concurrency.py

clean:
	rm -f $(BLOSSOM)
	rm -rf $(VENV) .pytest_cache .hypothesis

# Third-party static files (icons, font) from pinned npm packages into static/vendor/ (committed).
vendor:
	$(PYTHON) tools/vendor_static.py
