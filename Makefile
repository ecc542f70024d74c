# Two entry points, both from a clean clone: `make demo` (set up, build site/) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint schema clean

$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

demo: $(STAMP)
	$(BIN)/tiepcan check agencies
	$(BIN)/tiepcan build --out site --site-url http://127.0.0.1:8000/

# Pinned accessibility checkers (axe-core, vnu-jar) from npm's lock file. --ignore-scripts: vnu-jar's
# postinstall would download a Java runtime; the tests use the system's java.
A11Y := tests/a11y
A11Y_STAMP := $(A11Y)/node_modules/.installed
$(A11Y_STAMP): $(A11Y)/package.json $(A11Y)/package-lock.json
	npm ci --prefix $(A11Y) --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Lint, format check and strict typing of generator/ (configured in pyproject.toml), before the tests.
lint: $(STAMP)
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy

test: $(STAMP) $(A11Y_STAMP) lint
	$(BIN)/python -m pytest

schema: $(STAMP)
	$(BIN)/tiepcan schema

clean:
	rm -rf site .venv $(A11Y)/node_modules
