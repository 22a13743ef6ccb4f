# Etam: two commands. `make run` starts the embedded demo; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: bench-burst cluster cluster-down cluster-test run test system-packages setup setup-dev lint format typecheck lock migrations-check openapi fuzz fuzz-ci clean

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Etam needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: requirements/base.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/base.txt
	@touch $@

$(VENV)/.installed-dev: requirements/dev.txt | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	@touch $@ $(VENV)/.installed-base

# collectstatic: hashed, pre-compressed static files that WhiteNoise serves with DEBUG off (ADR 0130).
setup: $(VENV)/.installed-base
	$(PY) manage.py compile_translations
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py load_reference_data
	$(PY) manage.py load_demo_content

run: setup
	$(PY) manage.py demo_banner --host $(HOST) --port $(PORT)
	$(PY) manage.py run_demo --host $(HOST) --port $(PORT)

setup-dev: $(VENV)/.installed-dev
	$(PY) manage.py compile_translations

test: setup-dev system-packages
	ETAM_MODE=test $(PY) -m pytest $(PYTEST_ARGS)

# Chromium, gettext and poppler-utils through apt-get when root; otherwise names what is missing.
system-packages:
	@scripts/system-packages

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # import contracts in pyproject.toml ([tool.importlinter])

format: setup-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: setup-dev
	$(BIN)/mypy etam config

migrations-check: setup-dev
	ETAM_MODE=test $(PY) manage.py makemigrations --check --dry-run

openapi: setup-dev
	ETAM_MODE=test $(PY) manage.py export_openapi docs/api/openapi.json
	ETAM_MODE=test $(PY) manage.py export_openapi --ckan docs/api/ckan-openapi.json

# Schemathesis against /api/v1/ (anonymous and a token per role) and the CKAN actions,
# in-process on the demo content (tests/fuzz, ADR 0080). fuzz-ci is CI's budget; fuzz is longer.
fuzz-ci: setup-dev
	ETAM_MODE=test $(PY) -m pytest tests/fuzz -m fuzz -q -p no:randomly $(PYTEST_ARGS)

fuzz: setup-dev
	ETAM_FUZZ_EXAMPLES=$${ETAM_FUZZ_EXAMPLES:-60} ETAM_MODE=test $(PY) -m pytest tests/fuzz -m fuzz -q $(PYTEST_ARGS)

lock: $(PY)
	$(PY) -m pip install --quiet uv
	$(BIN)/uv pip compile -q requirements/base.in -o requirements/base.txt --python-version 3.11 --generate-hashes
	$(BIN)/uv pip compile -q requirements/dev.in -o requirements/dev.txt --python-version 3.11 --generate-hashes

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache

# The production topology on this machine (docs/operations.md, ADR 0105): nginx (TLS) in front
# of two gunicorn processes, an RQ worker, the scheduler, PostgreSQL, Redis and an S3 server,
# run from deploy/'s own unit files by deploy/cluster.py. `make cluster PORT=9443` picks the port.
CLUSTER_PORT := $(if $(filter command line environment,$(origin PORT)),$(PORT),8443)
cluster: setup-dev system-packages
	$(PY) deploy/cluster.py up --port $(CLUSTER_PORT)

cluster-down:
	$(PY) deploy/cluster.py down

# The PPDB opening minute (issue 19) from a fresh clone: sets up, starts a cluster of its own,
# measures, stops it (bench/README.md; ADRs 0145, 0168). BENCH_CLIENTS, BENCH_SECONDS, BENCH_OVERLOAD.
bench-burst: setup-dev system-packages
	$(PY) bench/ppdb_burst_bench.py

# Smoke and fault tests against a cluster of their own (private Redis and PostgreSQL).
cluster-test: setup-dev system-packages
	ETAM_MODE=test $(PY) -m pytest tests/cluster -m cluster -q -p no:randomly -p no:xdist $(PYTEST_ARGS)
