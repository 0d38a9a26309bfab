# ckanext-satudata_balikpapan — development commands. Start here: `make demo`, `make test`.
# Each target runs a script under scripts/; every setting can be overridden, e.g.
#   make test CKAN_VERSION=2.11.6      make demo DETACH=1      make services PG_PORT=55433

CKAN_VERSION ?= 2.12.0
export CKAN_VERSION
VENV := .venv/ckan-$(CKAN_VERSION)

.PHONY: help system-deps install services services-stop services-status demo demo-stop \
        test test-e2e test-ops production test-all lint bench bench-load lock clean distclean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

system-deps: ## install the Debian packages the stack needs (only the missing ones)
	@scripts/install-system.sh

install: system-deps ## create .venv/ckan-$(CKAN_VERSION) with pinned requirements and the extension
	@scripts/install-python.sh

services: install ## start PostgreSQL, Redis and Solr (idempotent)
	@scripts/services.sh start

services-stop: ## stop the services
	@scripts/services.sh stop

services-status: ## show whether each service runs
	@scripts/services.sh status

demo: services ## run CKAN with the extension and demo users at http://127.0.0.1:5000 (DETACH=1: background)
	@scripts/demo.sh start

demo-stop: ## stop a detached demo (CKAN and its jobs worker)
	@scripts/demo.sh stop

test: services ## run the full test suite on CKAN_VERSION (PYTEST_ARGS="-k foo" to narrow)
	@scripts/test.sh $(PYTEST_ARGS)

test-e2e: services ## browser tests in headless Chromium against a freshly seeded portal (PYTEST_ARGS to narrow)
	@scripts/e2e.sh $(PYTEST_ARGS)

test-ops: services ## install the production stack (two web nodes) into .work/ops and test it: cache, failover, restarts
	@scripts/test-ops.sh $(PYTEST_ARGS)

production: ## install and start the production stack on this host (README, Deployment)
	@scripts/production.sh install

test-all: ## run the full test suite on every supported CKAN version (what CI runs)
	@$(MAKE) --no-print-directory test CKAN_VERSION=2.12.0
	@$(MAKE) --no-print-directory test CKAN_VERSION=2.11.6

lint: install ## ruff over the code, and the layer contracts (lint-imports)
	@$(VENV)/bin/ruff check ckanext schemas tests benchmarks scripts setup.py
	@$(VENV)/bin/ruff format --check ckanext schemas tests benchmarks scripts setup.py
	@$(VENV)/bin/lint-imports

bench: services ## run the benchmarks (ratios against a baseline measured in the same run)
	@scripts/bench.sh

bench-load: services ## the load benchmark: the production stack vs stock CKAN, same run (benchmarks/load.py)
	@scripts/bench-load.sh $(BENCH_ARGS)

lock: ## re-pin: CKAN's requirements and the full constraints of every supported version
	@scripts/lock.sh

clean: demo-stop services-stop ## stop everything and delete .work (databases, indexes, logs, tokens)
	rm -rf .work

distclean: clean ## also delete the virtualenvs and the Solr jars
	rm -rf .venv services/solr/lib
