# The two commands of the README: `make run` and `make test`. Each creates .venv and installs on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install services browser lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# PostgreSQL and Redis on 127.0.0.1 (default ports); started if installed but not running.
services:
	@bash scripts/services.sh

# Debian's chromium for the dashboard's browser test (Playwright drives it; it never downloads a browser).
browser:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || \
	  ( $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq chromium >/dev/null 2>&1 || \
	    ( $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get update -qq && \
	      $$( [ "$$(id -u)" = 0 ] || echo sudo ) apt-get install -y -qq chromium ) ) || \
	  echo "browser: could not install chromium (apt-get install -y chromium); the browser test is skipped" >&2

run: $(STAMP)
	$(BIN)/apiward demo

test: $(STAMP) services browser
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
