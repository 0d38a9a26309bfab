#!/usr/bin/env bash
# Run the benchmarks against this CKAN version's test database and the running services.
# usage: bench.sh [--only NAME] [--rounds N]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
export CKAN_SQLALCHEMY_URL=postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_TEST_DB
export CKAN_SOLR_URL=$SOLR_URL
export CKAN_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/1
"$VENV/bin/ckan" -c test.ini db init >"$LOGS/bench-db-init.log" 2>&1 || die "ckan db init failed"
exec "$VENV/bin/python" benchmarks/run.py --ckan-ini test.ini "$@"
