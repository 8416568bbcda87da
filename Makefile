# nnprep: `make run` opens the app, `make test` checks everything. Both bootstrap .venv on first use.
# Another Python: `make test PYTHON=python3.12 VENV=.venv-3.12` (each interpreter gets its own venv).
# Installs are pinned by constraints.txt to the versions the tests were run with.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench compile clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "nnprep needs Python >= 3.11"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,dask]'
	$(BIN)/python -m compileall -q engine questions quiz
	touch $(STAMP)

# Byte-compile what changed since the install: start-up time is measured and felt, and an environment with
# PYTHONDONTWRITEBYTECODE set would otherwise compile edited modules again at every start.
compile: $(STAMP)
	$(BIN)/python -m compileall -q engine questions quiz

run: compile
	$(BIN)/nnprep

lint: $(STAMP)
	$(BIN)/ruff check engine questions quiz tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: compile
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
