#!/usr/bin/env bash
# Browser tests (tests/e2e): a portal of its own, driven by Debian's headless Chromium.
# usage: e2e.sh [pytest args]        (make test-e2e; PYTEST_ARGS="-k publik" narrows it)
#
# Each run starts clean: it recreates the database $E2E_DB, writes a CKAN config for it under
# .work/e2e/ (the settings of `make demo`), seeds the demo users and catalogue, starts a jobs
# worker and CKAN on 127.0.0.1:$E2E_PORT in the background, runs pytest over tests/e2e, and
# always stops CKAN and the worker at the end. Screenshots of every step land in
# .work/e2e-artifacts/<test>/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

E2E_DB=${E2E_DB:-ckan_e2e_$CKAN_VTAG}
E2E_DS_DB=${E2E_DS_DB:-datastore_e2e_$CKAN_VTAG}
E2E_PORT=${E2E_PORT:-5055}
E2E_SOLR_CORE=${E2E_SOLR_CORE:-ckan}
E2E_REDIS_DB=${E2E_REDIS_DB:-2}
CHROMIUM=${SATUDATA_CHROMIUM:-/usr/bin/chromium}
# Where its config, uploads, screenshots and logs go (another folder lets two runs go side by side).
E2E_WORK=${E2E_WORK:-$WORK}
DIR=$E2E_WORK/e2e
INI=$DIR/ckan-$CKAN_VERSION.ini
ARTIFACTS=$E2E_WORK/e2e-artifacts
E2E_LOGS=$E2E_WORK/logs
CREDENTIALS=$DIR/demo-credentials.json
URL=http://127.0.0.1:$E2E_PORT
ckan() { "$VENV/bin/ckan" -c "$INI" "$@"; }

[ -x "$CHROMIUM" ] || die "Chromium not found at $CHROMIUM: run 'make system-deps' (Debian package chromium) or set SATUDATA_CHROMIUM"
"$VENV/bin/python" -c 'import playwright' 2>/dev/null || die "Playwright is not installed in $VENV: run 'make install'"
port_open "$E2E_PORT" && die "port $E2E_PORT is taken by another program: stop it or set E2E_PORT=<free port>"

"$ROOT/scripts/services.sh" start

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
stop_pid() {
  if alive "$1"; then
    kill -- "-$(cat "$1")" 2>/dev/null || kill "$(cat "$1")"
    for _ in $(seq 1 50); do alive "$1" || break; sleep 0.1; done
  fi
  rm -f "$1"
}
stop() { stop_pid "$DIR/ckan.pid"; stop_pid "$DIR/worker.pid"; }
trap stop EXIT
stop   # a run killed before its trap left these behind

log "CKAN $CKAN_VERSION: recreating the browser-test database $E2E_DB"
"$ROOT/scripts/postgres.sh" dropdb "$E2E_DB"
"$ROOT/scripts/postgres.sh" createdb "$E2E_DB"
"$ROOT/scripts/postgres.sh" dropdb "$E2E_DS_DB"
"$ROOT/scripts/postgres.sh" createdb "$E2E_DS_DB"
rm -rf "$DIR" "$ARTIFACTS"
mkdir -p "$DIR/storage" "$ARTIFACTS" "$E2E_LOGS"

# The portal's settings, as `make demo` writes them (write_portal_config, scripts/lib.sh), on
# this run's database, Solr core, Redis database and port. Its own site id keeps its documents
# apart in a shared Solr core.
"$VENV/bin/ckan" generate config "$INI" >/dev/null
write_portal_config "$INI" \
  "sqlalchemy.url = postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$E2E_DB" \
  "solr_url = http://127.0.0.1:$SOLR_PORT/solr/$E2E_SOLR_CORE" \
  "ckan.redis.url = redis://127.0.0.1:$REDIS_PORT/$E2E_REDIS_DB" \
  "ckan.datastore.write_url = $(datastore_write_url "$E2E_DS_DB")" \
  "ckan.datastore.read_url = $(datastore_read_url "$E2E_DS_DB")" \
  "ckan.site_url = $URL" \
  "ckan.site_id = satudata-e2e" \
  "ckan.storage_path = $DIR/storage"
datastore_permissions "$INI" "$E2E_DS_DB"

log "initialising $E2E_DB, the demo users and the demo catalogue"
{
  ckan db init && ckan db pending-migrations --apply && ckan search-index clear \
    && ckan satudata opd sync && ckan satudata demo-users --output "$CREDENTIALS" --site-url "$URL" \
    && ckan satudata seed-demo && ckan search-index rebuild -q
} >"$E2E_LOGS/e2e-setup.log" 2>&1 || { tail -30 "$E2E_LOGS/e2e-setup.log" >&2; die "browser-test setup failed (log: $E2E_LOGS/e2e-setup.log)"; }

setsid "$ROOT/scripts/supervise.sh" worker "$VENV/bin/ckan" -c "$INI" jobs worker >"$E2E_LOGS/e2e-worker.log" 2>&1 </dev/null &
echo $! >"$DIR/worker.pid"
setsid "$VENV/bin/ckan" -c "$INI" run -H 127.0.0.1 -p "$E2E_PORT" --disable-reloader --disable-debugger --threaded \
  >"$E2E_LOGS/e2e-ckan.log" 2>&1 </dev/null &
echo $! >"$DIR/ckan.pid"
for _ in $(seq 1 240); do
  curl -fsS "$URL/api/3/action/status_show" >/dev/null 2>&1 && break
  alive "$DIR/ckan.pid" || break
  sleep 0.5
done
curl -fsS "$URL/api/3/action/status_show" >/dev/null 2>&1 \
  || { tail -30 "$E2E_LOGS/e2e-ckan.log" >&2; die "CKAN did not start (log: $E2E_LOGS/e2e-ckan.log)"; }
log "CKAN $CKAN_VERSION runs at $URL for the browser tests (log: $E2E_LOGS/e2e-ckan.log)"

# The CKAN pytest plugin is off: these tests talk to the running portal, not to an app in
# the test process.
export SATUDATA_E2E_URL=$URL SATUDATA_E2E_ARTIFACTS=$ARTIFACTS SATUDATA_E2E_CREDENTIALS=$CREDENTIALS
export SATUDATA_CHROMIUM=$CHROMIUM
rc=0
"$VENV/bin/pytest" -p no:ckan -p no:ckan_fixtures --tb=short -ra tests/e2e "$@" || rc=$?
log "browser-test screenshots: $ARTIFACTS"
exit $rc
