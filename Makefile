# 数政 shuzheng — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
DB ?= var/shuzheng.sqlite3
DB_ABS := $(abspath $(DB))

.PHONY: demo test install lint typecheck contracts migrations-check openapi openapi-check \
        test-sqlite test-postgres test-browser bench bench-catalog bench-exchange bench-instant bench-proactive bench-cases bench-licenses bench-hotline-signals bench-hotline bench-reporting clean

$(BIN)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $@

install: $(BIN)/.installed

## make demo [PORT=8000] [DB=var/shuzheng.sqlite3]: install, migrate, load demo data, serve.
demo: $(BIN)/.installed
	@mkdir -p $(dir $(DB_ABS))
	export SHUZHENG_DEMO=1 DATABASE_URL="sqlite:///$(DB_ABS)" \
	  SHUZHENG_STATIC_ROOT="$(abspath var/static)" PORT=$(PORT); \
	$(BIN)/shuzheng migrate --noinput -v0 && \
	$(BIN)/shuzheng seed_demo && \
	$(BIN)/shuzheng seed_catalog && \
	$(BIN)/shuzheng seed_knowledge && \
	$(BIN)/shuzheng seed_appointments && \
	$(BIN)/shuzheng seed_licenses && \
	$(BIN)/shuzheng seed_exchange && \
	$(BIN)/shuzheng seed_rules && \
	$(BIN)/shuzheng seed_policies && \
	$(BIN)/shuzheng seed_hotline && \
	$(BIN)/shuzheng seed_reporting && \
	$(BIN)/shuzheng seed_city && \
	$(BIN)/shuzheng seed_documents && \
	$(BIN)/shuzheng seed_supervision && \
	$(BIN)/shuzheng collectstatic --noinput -v0 && \
	exec $(BIN)/shuzheng serve --port $(PORT)

## make test: the whole quality gate and test suite (what CI runs through .ci/run).
test: $(BIN)/.installed lint typecheck contracts migrations-check openapi-check test-sqlite test-postgres test-browser

TEST_TARGETS := test lint typecheck contracts migrations-check openapi openapi-check test-sqlite test-postgres test-browser
$(TEST_TARGETS): export SHUZHENG_TESTING := 1

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench scripts conftest.py
	$(BIN)/ruff format --check src tests bench scripts conftest.py

typecheck: $(BIN)/.installed
	$(BIN)/mypy

contracts: $(BIN)/.installed
	$(BIN)/lint-imports

migrations-check: $(BIN)/.installed
	DATABASE_URL= $(BIN)/shuzheng makemigrations --check --dry-run

openapi: $(BIN)/.installed
	DATABASE_URL= $(BIN)/shuzheng export_openapi

openapi-check: $(BIN)/.installed
	DATABASE_URL= $(BIN)/shuzheng export_openapi --check

# The SQLite and PostgreSQL suites run on every core (pytest-xdist, a test file per worker so
# its module fixtures are built once; each worker has its own test database and media folder).
# PYTEST_WORKERS=0 runs them in one process.
PYTEST_WORKERS ?= auto
XDIST := -n $(PYTEST_WORKERS) --dist loadfile

test-sqlite: $(BIN)/.installed
	DATABASE_URL= $(BIN)/pytest -q -m "not browser" $(XDIST)

# Runs when DATABASE_URL points to PostgreSQL (.ci/run always sets it), with production's
# defaults (deferred audit chaining and SMS) and on a day far from today (TEST_TODAY), so a test
# tied to the wall clock fails in one of the two runs the day it is written.
TEST_TODAY ?= 2027-06-15
test-postgres: $(BIN)/.installed
	@if [[ "$$DATABASE_URL" == postgres* ]]; then \
	  echo "pytest on PostgreSQL ($${DATABASE_URL%%@*}@…), as if today were $(TEST_TODAY)"; \
	  SHUZHENG_TEST_TODAY=$(TEST_TODAY) $(BIN)/pytest -q -m "not browser" $(XDIST); \
	else echo "test-postgres: skipped (DATABASE_URL does not point to PostgreSQL)"; fi

# The live server's pages are requested in parallel (a case page's material previews): the
# browser tests use an SQLite file, which locks as production's does, not the in-memory
# shared-cache database, whose connections share one lock: two audited file reads collided on
# the chain's seq there once in CI; on a file, 6 threads x 40 audited writes never did.
test-browser: $(BIN)/.installed
	@mkdir -p var
	DATABASE_URL= SHUZHENG_TEST_SQLITE="$(abspath var/test-browser.sqlite3)" $(BIN)/pytest -q -m browser

bench: bench-catalog bench-hotline

## make bench-catalog: catalog search recall@1/@3 and latency vs naive substring search
bench-catalog: $(BIN)/.installed
	SHUZHENG_TESTING=1 $(BIN)/python bench/catalog_search/run.py

## make bench-knowledge: 12345 知识库 search recall@1/@3 on colloquial queries vs naive substring
## search, and latency p50/p95 over 2,000 articles (target p95 < 20 ms)
.PHONY: bench-knowledge
bench-knowledge: $(BIN)/.installed
	SHUZHENG_TESTING=1 $(BIN)/python bench/knowledge_search/run.py

## make bench-exchange [EXCHANGE_ARGS="--db sqlite"]: data API calls/s and p50/p99 with grant and
## consent checks, masking and the audit write (SQLite and PostgreSQL) vs the same call without it
bench-exchange: $(BIN)/.installed
	$(BIN)/python bench/exchange/run.py $(EXCHANGE_ARGS)

## make bench-instant [INSTANT_ARGS="--part http"]: 秒批 decision path (decide_for_item with the DB)
## p50/p99, then the whole path over HTTP (submit → decision → signed licence in the wallet)
bench-instant: $(BIN)/.installed
	SHUZHENG_TESTING=1 $(BIN)/python bench/instant/run.py $(INSTANT_ARGS)

## make bench-proactive: 免申即享 batch, 1 M enterprises × 20 policies (polars) vs per-record
## Python and zen-engine on the same rules and data
bench-proactive: $(BIN)/.installed
	SHUZHENG_TESTING=1 $(BIN)/python bench/proactive/run.py

## make bench-hotline: 12345 派单建议 department top-1/top-3 and 诉求类型 accuracy on 328 hand-written
## tickets (bench/hotline/eval.jsonl), model vs keyword rules, and suggestion p50/p95 (median of 3 runs)
bench-hotline: $(BIN)/.installed
	$(BIN)/python bench/hotline/run.py

## make bench-hotline-signals: 12345 弱信号 on a generated stream with planted bursts (seeds 1 2 3):
## bursts caught within one day and false alarms per week, vs a naive 2×7-day-mean rule
bench-hotline-signals: $(BIN)/.installed
	$(BIN)/python bench/hotline_signals/run.py

## make bench-hotline-intake [INTAKE_ARGS="--existing 1000000 --seconds 60 --repeat 3"]: 12345 intake
## (suggest + create) tickets/s over HTTP on PostgreSQL with 1 M existing tickets, dashboard API p95
.PHONY: bench-hotline-intake
bench-hotline-intake: $(BIN)/.installed
	$(BIN)/python bench/hotline_intake/run.py $(INTAKE_ARGS)

## make bench-city [CITY_ARGS="--preload 10000000 --seconds 60"]: 城市运行体征指标 readings/s
## through POST /city/readings on PostgreSQL (batches 1,000–10,000) and alert latency p99
.PHONY: bench-city
bench-city: $(BIN)/.installed
	$(BIN)/python bench/city/run.py $(CITY_ARGS)

## make bench-city-dashboard [DASHBOARD_ARGS="--events 1000000 --preload 10000000"]: 指挥调度
## dashboard APIs p50/p95/p99 on PostgreSQL with 1 M events and 10 M readings
.PHONY: bench-city-dashboard
bench-city-dashboard: $(BIN)/.installed
	$(BIN)/python bench/city/dashboard.py $(DASHBOARD_ARGS)

## make bench-documents [DOCUMENTS_ARGS="--size 100000"]: 公文库 at scale - a generated GB/T 9704
## corpus imported through the platform (docs/s), planted relations' precision/recall, search
## p50/p95 with filters and highlighting (median of 3 runs) vs naive substring search (SQLite)
.PHONY: bench-documents
bench-documents: $(BIN)/.installed
	SHUZHENG_TESTING=1 $(BIN)/python bench/documents/run.py $(DOCUMENTS_ARGS)

## make bench-plans: plan import (work plan -> proposed task register) against hand labels of the
## four seed plans - tasks, lead departments and targets precision/recall vs a line-regex baseline
.PHONY: bench-plans
bench-plans: $(BIN)/.installed
	SHUZHENG_TESTING=1 $(BIN)/python bench/documents/plans.py -v

## make bench-reporting [REPORTING_ARGS="--db postgres --rounds 3"]: 填表报数 typing meter (typed vs
## all values, every offered value checked against its exchange source) over the demo reports ×
## villages × 3 periods, and roll-up p95 of 1,000 villages on SQLite and PostgreSQL (median of 3)
.PHONY: bench-reporting
bench-reporting: $(BIN)/.installed
	$(BIN)/python bench/reporting/run.py $(REPORTING_ARGS)

## make bench-cases [CASES_ARGS="--db postgres --existing 1000000"]: full case lifecycles/s over
## HTTP (SQLite and PostgreSQL, 1 M existing cases) and workbench queue p95, vs DIGIT's published figure
bench-cases: $(BIN)/.installed
	$(BIN)/python bench/case_lifecycle/run.py $(CASES_ARGS)

## make bench-licenses [LICENSES_ARGS="--verifications 100 --http-seconds 5"]: e-licence
## issuances/s and token verifications/s per SM2 backend and suite, in process and over HTTP
bench-licenses: $(BIN)/.installed
	SHUZHENG_TESTING=1 $(BIN)/python bench/licenses/run.py $(LICENSES_ARGS)

clean:
	rm -rf var/static .mypy_cache .ruff_cache

## make bench-deploy [DEPLOY_ARGS="--seconds 30 --concurrency 8"]: lifecycles/s with one web node
## versus two, each role its own process (web, worker x2, scheduler) on PostgreSQL
.PHONY: bench-deploy
bench-deploy: $(BIN)/.installed
	$(BIN)/python bench/deploy/run.py $(DEPLOY_ARGS)
