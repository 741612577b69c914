# `make run` serves the product on http://127.0.0.1:8000 with nothing installed by hand;
# `make test` installs and runs the whole suite (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install messages run test lint format demo-data clean bench mutation image-test

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
	$(BIN)/python manage.py seed_demo_ratings
	$(BIN)/python manage.py seed_demo_reports
	$(BIN)/python manage.py seed_demo_hours
	$(BIN)/python manage.py seed_demo_invitations
	$(BIN)/python manage.py seed_demo_routing
	$(BIN)/python manage.py seed_demo_tags
	$(BIN)/python manage.py seed_demo_teamwork
	$(BIN)/python manage.py seed_demo_retention
	$(BIN)/python manage.py seed_demo_twofactor
	$(BIN)/python manage.py seed_demo_crm --url http://$(HOST):$(PORT)/crm/demo-receiver/
	$(BIN)/python manage.py seed_demo_messengers --api http://$(HOST):$(PORT)/demo/telegram-api
	$(BIN)/python manage.py seed_demo_mail
	$(BIN)/python manage.py seed_demo_webhooks --base-url http://$(HOST):$(PORT)

run: demo-data
	@echo
	@echo "  Console:   http://$(HOST):$(PORT)/console/   (anna / demo-pass-2026, boris / demo-pass-2026)"
	@echo "  Demo site: http://$(HOST):$(PORT)/demo/"
	@echo "  Admin:     http://$(HOST):$(PORT)/admin/     (admin / admin-pass-2026)"
	@echo "  Telegram:  a DEMO channel on a local fake Bot API (not Telegram): Olga's dialog; Channels in Anna's menu"
	@echo "  E-mail:    a DEMO outbox (var/mail-outbox/, nothing is sent): Pavel's dialog; Site settings > E-mail"
	@echo
	HOST=$(HOST) PORT=$(PORT) WEBHOOKS_ALLOW_PRIVATE_HOSTS=$${WEBHOOKS_ALLOW_PRIVATE_HOSTS:-true} $(BIN)/python -m config.embedded

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

# Mutation run (docs/testing.md, "Mutation run"): mutmut over the modules that hold business
# rules ([tool.mutmut] in pyproject.toml), on PostgreSQL and Redis at 127.0.0.1 as CI's
# second pass; takes an hour or more, resumes where it stopped. Never part of `make test`.
# MAX_CHILDREN=1: one mutant at a time, all on one kept test database (no migrations per
# mutant). MUTANTS='chat.messaging.posting.*': only those mutants (mutmut's name globs).
MUTATION_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/livechat
MUTATION_REDIS_URL ?= redis://127.0.0.1:6379/0
$(BIN)/.mutation-installed: $(BIN)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev,mutation]'
	touch $@

mutation: $(BIN)/.mutation-installed messages
	mkdir -p var
	DATABASE_URL=$(MUTATION_DATABASE_URL) REDIS_URL=$(MUTATION_REDIS_URL) CHANNEL_PREFIX=mutation \
	$(if $(filter 1,$(MAX_CHILDREN)),MUTATION_SHARED_TEST_DB=1 PYTEST_ADDOPTS=--reuse-db) \
	$(BIN)/mutmut run $(if $(MAX_CHILDREN),--max-children $(MAX_CHILDREN)) \
	$(foreach name,$(MUTANTS),'$(name)')
	$(BIN)/python scripts/mutation_report.py mutants

# The OCI image (Containerfile, docs/operations.md "Container image"): builds it with
# podman (a Debian bookworm base made once by debootstrap), runs web x2, worker and beat
# from it against PostgreSQL and Redis on 127.0.0.1 (database lc_image, prefix image),
# a conversation through them, and the Kubernetes manifests with `podman kube play`.
# Needs root, debootstrap, podman and runc; a few minutes. Never part of `make test`.
image-test: $(BIN)/.installed
	$(BIN)/python scripts/image_test.py

clean:
	rm -rf $(VENV) var mutants
