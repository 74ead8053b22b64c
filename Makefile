# Linli: `make run` serves the app with demo data on SQLite; `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint format setup clean-db

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --if-empty
	@echo
	@echo "Linli is starting on http://$(HOST):$(PORT)"
	@echo "  Staff:    http://$(HOST):$(PORT)/staff/  (admin / linli-demo-2026)"
	@echo "  API:      http://$(HOST):$(PORT)/api/v1/regions"
	@echo "  OpenAPI:  http://$(HOST):$(PORT)/api/openapi.json"
	@echo "  Resident: POST /api/v1/auth/login {\"code\": \"dev:zhangayi\"}"
	@echo
	@trap 'kill 0' INT TERM EXIT; $(BIN)/flask clock & $(BIN)/flask run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .

format: setup
	$(BIN)/ruff format .

clean-db:
	rm -f instance/linli.db instance/linli.db-wal instance/linli.db-shm
