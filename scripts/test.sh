#!/usr/bin/env bash
# Run the test suite with CKAN's own pytest plugin against the running services.
# usage: test.sh [pytest args]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
use_test_database
log "CKAN $CKAN_VERSION: running pytest"
exec "$VENV/bin/pytest" --ckan-ini=test.ini "$@"
