# The two commands: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	@echo "Serving Sunshine on http://$(HOST):$(PORT)/ (staff admin: http://$(HOST):$(PORT)/admin/)"
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# On every core (pytest-xdist; PYTEST_WORKERS=0 runs in one process). The demo tests share one worker and one
# load of the demo (tests/conftest.py, pyproject.toml: --dist loadgroup); the browser tests come last.
PYTEST_WORKERS ?= auto
test: $(VENV)/.dev
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=site $(BIN)/lint-imports  # layers: no import goes up (pyproject.toml [tool.importlinter])
	$(BIN)/mypy  # types of services, selectors, rules and search, with django-stubs (pyproject.toml [tool.mypy])

format: $(VENV)/.dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Needs gettext (msgfmt). The compiled .mo files are committed, so running the site does not.
messages: $(VENV)/.dev
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=var --ignore=tests
	cd site && ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf $(VENV) var db.sqlite3 .pytest_cache .ruff_cache .mypy_cache test-results
