# Two entry points, both from a clean clone: `make demo` (set up, build site/) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint schema screenshots clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

demo: $(STAMP)
	if command -v npm >/dev/null; then $(MAKE) --no-print-directory $(ADMIN_STAMP); fi
	$(BIN)/tiepcan check agencies
	$(BIN)/tiepcan build --out site --site-url http://127.0.0.1:8000/

# Pinned accessibility checkers (axe-core, vnu-jar) from npm's lock file. --ignore-scripts: vnu-jar's
# postinstall would download a Java runtime; the tests use the system's java.
A11Y := tests/a11y
A11Y_STAMP := $(A11Y)/node_modules/.installed
$(A11Y_STAMP): $(A11Y)/package.json $(A11Y)/package-lock.json
	npm ci --prefix $(A11Y) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Lighthouse (tests/test_lighthouse.py, bench/lighthouse.py), from npm's lock file; it drives the system's
# Chromium, so no browser is downloaded. package.json's overrides pin two dependencies of Lighthouse's
# trace engine that ask for "latest", which would make `npm ci` refuse the lock once either is updated.
LIGHTHOUSE := tests/lighthouse
LIGHTHOUSE_STAMP := $(LIGHTHOUSE)/node_modules/.installed
$(LIGHTHOUSE_STAMP): $(LIGHTHOUSE)/package.json $(LIGHTHOUSE)/package-lock.json
	npm ci --prefix $(LIGHTHOUSE) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# The web editor (Decap CMS, vendored into site/admin/) and Decap's local Git proxy, from npm's lock
# file. `make demo` installs them only when npm is there: without them the site is built without admin/.
ADMIN := admin
ADMIN_STAMP := $(ADMIN)/node_modules/.installed
$(ADMIN_STAMP): $(ADMIN)/package.json $(ADMIN)/package-lock.json
	npm ci --prefix $(ADMIN) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Lint, format check and strict typing of generator/ (configured in pyproject.toml), before the tests.
lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy

test: $(STAMP) $(A11Y_STAMP) $(LIGHTHOUSE_STAMP) $(ADMIN_STAMP) lint
	$(BIN)/python -m pytest

schema: $(STAMP)
	$(BIN)/tiepcan schema

# The screenshots of docs/huong-dan-bien-tap.md, taken from the real editor and preview.
screenshots: $(STAMP) $(ADMIN_STAMP)
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf site .venv $(A11Y)/node_modules $(LIGHTHOUSE)/node_modules $(ADMIN)/node_modules
