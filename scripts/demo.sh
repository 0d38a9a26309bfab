#!/usr/bin/env bash
# Run CKAN with the extension, scheming and dcat, on the running services, with demo users.
# usage: demo.sh start|stop      (DETACH=1: leave CKAN and its jobs worker in the background)
# Expects the services to run (`make demo` starts them first).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DIR=$WORK/ckan-$CKAN_VERSION
INI=${CKAN_INI:-$DIR/ckan.ini}
RUN=$WORK/demo                # pid files of the running demo
CREDENTIALS=$WORK/demo-credentials.json
URL=http://$CKAN_HOST:$CKAN_PORT
ckan() { "$VENV/bin/ckan" -c "$INI" "$@"; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
stop_pid() {
  if alive "$1"; then
    kill -- "-$(cat "$1")" 2>/dev/null || kill "$(cat "$1")"
    for _ in $(seq 1 50); do alive "$1" || break; sleep 0.1; done
  fi
  rm -f "$1"
}

stop() {
  local was=""
  alive "$RUN/ckan.pid" && was=1
  stop_pid "$RUN/ckan.pid"; stop_pid "$RUN/worker.pid"; stop_pid "$RUN/sweeper.pid"
  [ -n "$was" ] && log "demo stopped"
  return 0
}

configure() {
  mkdir -p "$DIR/storage" "$RUN"
  if [ ! -f "$INI" ]; then
    log "writing $INI (fresh secrets)"
    "$VENV/bin/ckan" generate config "$INI" >/dev/null
  fi
  # Applied on every run, so that the file follows the repo and the chosen ports.
  write_portal_config "$INI" \
    "sqlalchemy.url = postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB" \
    "solr_url = $SOLR_URL" \
    "ckan.redis.url = redis://127.0.0.1:$REDIS_PORT/0" \
    "ckan.datastore.write_url = $(datastore_write_url "$PG_DS_DB")" \
    "ckan.datastore.read_url = $(datastore_read_url "$PG_DS_DB")" \
    "ckan.site_url = $URL" \
    "ckan.site_id = satudata-balikpapan" \
    "ckan.storage_path = $DIR/storage"
  datastore_permissions "$INI" "$PG_DS_DB"
}

start() {
  stop   # re-running restarts a detached demo with the current code and config
  if port_open "$CKAN_PORT"; then die "port $CKAN_PORT is taken by another program: stop it or set CKAN_PORT=<free port>"; fi
  configure
  log "CKAN $CKAN_VERSION: migrating the database $PG_DB"
  { ckan db upgrade && ckan db pending-migrations --apply; } >"$LOGS/demo-db.log" 2>&1 \
    || { tail -30 "$LOGS/demo-db.log" >&2; die "database migration failed (log: $LOGS/demo-db.log)"; }
  log "syncing the OPD organisations from the registry"
  ckan satudata opd sync | tail -1
  log "creating the demo users"
  ckan satudata demo-users --output "$CREDENTIALS" --site-url "$URL"
  log "seeding the demo catalogue (synthetic but plausible figures)"
  ckan satudata seed-demo | tail -1
  ckan search-index rebuild -q >"$LOGS/demo-index.log" 2>&1 \
    || { tail -20 "$LOGS/demo-index.log" >&2; die "search index rebuild failed"; }
  log "rendering the DCAT feed ahead of harvesters"
  ckan satudata dcat-warm | tail -1

  # The background jobs worker (Redis) that validation and notifications use, and the sweeper
  # that heals what an outage left behind (lost jobs, unsent mail, index drift), each under the
  # supervisor that starts it again when it exits (Redis lost, a crash).
  setsid "$ROOT/scripts/supervise.sh" worker "$VENV/bin/ckan" -c "$INI" jobs worker \
    >"$LOGS/ckan-worker.log" 2>&1 </dev/null &
  echo $! >"$RUN/worker.pid"
  setsid "$ROOT/scripts/supervise.sh" sweeper "$VENV/bin/ckan" -c "$INI" satudata sweep --every 60 \
    >"$LOGS/ckan-sweeper.log" 2>&1 </dev/null &
  echo $! >"$RUN/sweeper.pid"

  local password
  password=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["password"])' "$CREDENTIALS")
  banner() {
    cat >&2 <<MSG

  Satu Data Kota Balikpapan (CKAN $CKAN_VERSION) runs at $URL
  Log in at $URL/user/login as "admin" (sysadmin), or as a demo user:
    walidata, produsen-dinkes, produsen-disdukcapil, pembina-bps, warga
  Password of every demo user: $password
  API tokens: $CREDENTIALS
  $1

MSG
  }
  if [ "${DETACH:-0}" = 1 ]; then
    setsid "$VENV/bin/ckan" -c "$INI" run -H "$CKAN_HOST" -p "$CKAN_PORT" --disable-reloader --disable-debugger --threaded \
      >"$LOGS/ckan.log" 2>&1 </dev/null &
    echo $! >"$RUN/ckan.pid"
    for _ in $(seq 1 240); do
      curl -fsS "$URL/api/3/action/status_show" >/dev/null 2>&1 && { banner "Stop it with: make demo-stop   (log: $LOGS/ckan.log)"; return 0; }
      alive "$RUN/ckan.pid" || break
      sleep 0.5
    done
    tail -30 "$LOGS/ckan.log" >&2; stop; die "CKAN did not start (log: $LOGS/ckan.log)"
  fi
  trap 'stop_pid "$RUN/worker.pid"; stop_pid "$RUN/sweeper.pid"' EXIT
  banner "Stop it with Ctrl-C. (make demo DETACH=1 runs it in the background.)"
  # no interactive debugger, ever: an outage gets the translated 503 page (views/outage.py)
  ckan run -H "$CKAN_HOST" -p "$CKAN_PORT" --disable-debugger --threaded
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
*) die "usage: $0 start|stop" ;;
esac
