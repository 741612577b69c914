# `make run` serves the product on http://127.0.0.1:8000 with nothing installed by hand;
# `make test` installs and runs the whole suite (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install messages run test lint format demo-data clean bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: messages

# The translation catalogues (locale/*/LC_MESSAGES/django.po) compiled to .mo by Babel,
# so no GNU gettext is needed; the .mo files are build output, never committed.
messages: $(BIN)/.installed
	$(BIN)/pybabel -q compile -d locale -D django

demo-data: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_replies
	$(BIN)/python manage.py seed_demo_crm --url http://$(HOST):$(PORT)/crm/demo-receiver/

run: demo-data
	@echo
	@echo "  Console:   http://$(HOST):$(PORT)/console/   (anna / demo-pass-2026, boris / demo-pass-2026)"
	@echo "  Demo site: http://$(HOST):$(PORT)/demo/"
	@echo "  Admin:     http://$(HOST):$(PORT)/admin/     (admin / admin-pass-2026)"
	@echo
	HOST=$(HOST) PORT=$(PORT) $(BIN)/python -m config.embedded

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	mkdir -p var
	$(BIN)/pytest

# The benchmark (bench/, docs/performance.md): needs PostgreSQL and Redis on 127.0.0.1;
# QUICK=1 finishes in under a minute. Never part of `make test`.
$(BIN)/.bench-installed: $(BIN)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,bench]'
	touch $@

bench: $(BIN)/.bench-installed
	$(BIN)/python -m bench.run $(if $(QUICK),--quick)

clean:
	rm -rf $(VENV) var
