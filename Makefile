# Two commands on a fresh machine:  `make run` (the service)  and  `make test` (the checks).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# The suite runs on SQLite; set SCREENING_TEST_DATABASE_URL to a PostgreSQL URL to run it there.

.PHONY: setup run test lint pytest bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

# Migrates the database, then serves the API; lists with no active version are fetched at
# start-up (official URLs, or SCREENING_LIST_MIRROR) and refreshed on schedule after that.
run: setup
	$(BIN)/screening db upgrade
	$(BIN)/screening serve

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: setup
	$(BIN)/pytest

test: lint pytest

# Needs the real list snapshots in ../shared/data (see README, Benchmarks).
bench: setup
	$(BIN)/python -m bench.refresh_bench
	$(BIN)/python -m bench.build_eval_set
	$(BIN)/python -m bench.matching_speed
	$(BIN)/python -m bench.matching_quality
	$(BIN)/python -m bench.country_conflict
	$(BIN)/python -m bench.api_latency
	$(BIN)/python -m bench.refresh_latency
	$(BIN)/python -m bench.monitoring_rescreen
	$(BIN)/python -m bench.access_latency
	$(BIN)/python -m bench.web_pages
	$(BIN)/python -m bench.linking_quality

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
