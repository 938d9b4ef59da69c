# NeuroLocalize: `make run` serves the app, `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MIN_PYTHON_MESSAGE := NeuroLocalize needs Python 3.12 or newer (3.13 recommended): install it, for example with 'pyenv install 3.13.0', and run make again.

.PHONY: run test bench check-python serve-setup vendor clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1 \
		|| { echo "$(MIN_PYTHON_MESSAGE)"; exit 1; }

$(VENV)/bin/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.run-installed

serve-setup: check-python $(VENV)/.run-installed
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_curated
	DEBUG=1 $(PY) manage.py create_demo_users

run: serve-setup
	@echo ""
	@echo "NeuroLocalize is starting at http://127.0.0.1:8000/"
	@echo "  demo instructors: instructor / localize-instructor and reviewer / localize-reviewer (the instructor area at http://127.0.0.1:8000/teach/)"
	@echo "  demo student:    student / localize-student"
	@echo ""
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

test: check-python $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run
	SECRET_KEY=test-only-secret-key $(VENV)/bin/mypy .
	SECRET_KEY=$${SECRET_KEY:-test-only-secret-key} $(VENV)/bin/pytest

bench: serve-setup
	DEBUG=1 $(PY) manage.py bench

# Refresh the vendored front-end files from the npm registry (not needed to run).
vendor:
	npm install --no-audit --no-fund
	mkdir -p static/vendor/bootstrap
	cp node_modules/bootstrap/dist/css/bootstrap.min.css* node_modules/bootstrap/dist/js/bootstrap.bundle.min.js* node_modules/bootstrap/LICENSE static/vendor/bootstrap/

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
