# Two commands: `make run` and `make test`. Each sets up what it needs first.
# `make lint` and `make typecheck` run parts of `make test` alone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[all,dev]"
	touch $(STAMP)

# Debian packages the browser, PDF and video tests use. Installed when we can (root with apt);
# otherwise those tests skip and say why.
system-deps:
	@bash scripts/system-deps.sh

run: $(STAMP)
	$(BIN)/triplane --demo demo --ensure
	$(BIN)/triplane --demo plan day
	$(BIN)/triplane --demo serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

# Style and architecture: ruff's lint and format, the import contracts in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) system-deps
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/pytest -q --ignore=tests/vision
	@bash scripts/vision-venv.sh
	@if [ -x .venv-vision/bin/pytest ]; then .venv-vision/bin/pytest -q tests/vision; \
	 else echo "vision tests skipped: the vision extra (mediapipe) could not be installed here"; fi

bench: $(STAMP)
	$(BIN)/python bench/plan_startup.py
	$(BIN)/python bench/plan_many.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
