# Two commands do all the set-up on a fresh machine with Python 3.11 and make:
#   make run    runs the bundled Flevoland scenarios and says where the results are
#   make test   runs the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/gridqueue run scenarios/fifo.yaml -o results/fifo --force
	$(BIN)/gridqueue run scenarios/social_priority.yaml -o results/social_priority --force
	$(BIN)/gridqueue run scenarios/social_priority_onsite.yaml -o results/social_priority_onsite --force
	@echo "results: results/fifo/ results/social_priority/ results/social_priority_onsite/"

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check sim tests

clean:
	rm -rf $(VENV) results .pytest_cache
