#!/usr/bin/env bash
# Run the benchmarks against this CKAN version's test database and the running services.
# usage: bench.sh [--only NAME] [--rounds N]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
use_test_database
exec "$VENV/bin/python" benchmarks/run.py --ckan-ini test.ini "$@"
