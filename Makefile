# Two commands do all the set-up on a fresh machine with Python 3.11 and make:
#   make run    runs the bundled Flevoland scenarios and says where the results are
#   make test   runs the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV := $(VENV)/.dev-installed

.PHONY: run test coverage lint bench notebooks clean

# What running scenarios needs; the tests, types and lint need the dev extra on top (DEV), which
# make run does not install: a planner gets no test runner, Dask or Jupyter kernel.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(STAMP)

$(DEV): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV)

# The Flevoland family's questions, each variant against its own reference (questions.yaml),
# then those of the 2026 toolbox (questions_2026.yaml): one report each, six answers at most.
run: $(STAMP)
	$(BIN)/gridqueue compare --questions scenarios/flevoland/questions.yaml \
		-o results/flevoland --force
	$(BIN)/gridqueue compare --questions scenarios/flevoland/questions_2026.yaml \
		-o results/flevoland-2026 --force

# The whole suite on every core (pytest-xdist), with line and branch coverage of sim/, worker
# processes and the tests' subprocesses included. A test file stays on one worker, so its
# module fixtures run once; files go out in collection order, where tests/conftest.py puts the
# slow tests first, so none is left running alone at the end. Printed last: the total and the
# modules below 90% (docs/coverage.md says why each is). The data go to one file at the top,
# whatever folder a subprocess runs in.
COVERAGE_DATA := COVERAGE_FILE=$(CURDIR)/.coverage
test: $(DEV)
	$(COVERAGE_DATA) $(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder \
		--cov --cov-report=
	$(COVERAGE_DATA) $(BIN)/python -m coverage report --sort=cover | \
		awk 'NR <= 2 || /^TOTAL/ || $$NF + 0 < 90'

# Kept for habit: coverage is part of make test.
coverage: test

# Speed and memory benchmarks: prints tables of figures (make test only runs them small).
$(VENV)/.bench-installed: $(DEV)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

bench: $(VENV)/.bench-installed
	$(BIN)/python -m tests.benchmarks

# The tutorials in JupyterLab, from the project's environment (installs the notebooks extra).
$(VENV)/.notebooks-installed: $(DEV)
	$(BIN)/python -m pip install --quiet -e '.[notebooks]'
	touch $@

notebooks: $(VENV)/.notebooks-installed
	$(BIN)/jupyter lab notebooks/

lint: $(DEV)
	$(BIN)/ruff check sim tests notebooks
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) results .pytest_cache .mypy_cache .coverage .coverage.*
