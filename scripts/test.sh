#!/usr/bin/env bash
# Run the test suite with CKAN's own pytest plugin against the running services.
# usage: test.sh [pytest args]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

# Point test.ini at this CKAN version's test database and the services' ports.
export CKAN_SQLALCHEMY_URL=postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_TEST_DB
export CKAN_SOLR_URL=$SOLR_URL
export CKAN_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/1
export SATUDATA_TEST_REDIS_URL=$CKAN_REDIS_URL

log "CKAN $CKAN_VERSION: initialising the test database $PG_TEST_DB"
"$VENV/bin/ckan" -c test.ini db init >"$LOGS/test-db-init.log" 2>&1 \
  || { tail -30 "$LOGS/test-db-init.log" >&2; die "ckan db init failed on $PG_TEST_DB"; }

log "CKAN $CKAN_VERSION: running pytest"
exec "$VENV/bin/pytest" --ckan-ini=test.ini "$@"
