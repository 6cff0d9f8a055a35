# Two commands do all the set-up on a fresh machine with Python 3.11 and make:
#   make run    runs the bundled Flevoland scenarios and says where the results are
#   make test   runs the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test coverage lint bench notebooks clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The Flevoland family's questions, each variant against its own reference (questions.yaml),
# then those of the 2026 toolbox (questions_2026.yaml): one report each, six answers at most.
run: $(STAMP)
	$(BIN)/gridqueue compare --questions scenarios/flevoland/questions.yaml \
		-o results/flevoland --force
	$(BIN)/gridqueue compare --questions scenarios/flevoland/questions_2026.yaml \
		-o results/flevoland-2026 --force

test: $(STAMP)
	$(BIN)/python -m pytest

# The same suite with coverage of sim/ (workers and subprocesses too), printed last. Tracing
# every line makes the simulations several times slower, so it is not part of make test:
# docs/coverage.md has the figures of the last measurement.
coverage: $(STAMP)
	COVERAGE_FILE=$(CURDIR)/.coverage $(BIN)/python -m pytest --cov --cov-report=term

# Speed and memory benchmarks: prints tables of figures (make test only runs them small).
$(VENV)/.bench-installed: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $@

bench: $(VENV)/.bench-installed
	$(BIN)/python -m tests.benchmarks

# The tutorials in JupyterLab, from the project's environment (installs the notebooks extra).
$(VENV)/.notebooks-installed: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[notebooks]'
	touch $@

notebooks: $(VENV)/.notebooks-installed
	$(BIN)/jupyter lab notebooks/

lint: $(STAMP)
	$(BIN)/ruff check sim tests notebooks
	$(BIN)/python -m mypy

clean:
	rm -rf $(VENV) results .pytest_cache .mypy_cache .coverage .coverage.*
