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
  stop_pid "$RUN/ckan.pid"; stop_pid "$RUN/worker.pid"; stop_pid "$RUN/scheduler.pid"
  stop_pid "$RUN/sweeper.pid"   # a demo started by an earlier release
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
  # CKAN's own INFO lines go to the log; the terminal gets the progress
  ckan satudata opd sync 2>>"$LOGS/demo.log" | tail -1
  log "creating the demo users"
  ckan satudata demo-users --output "$CREDENTIALS" --site-url "$URL" 2>>"$LOGS/demo.log"
  log "seeding the demo catalogue (synthetic but plausible figures)"
  ckan satudata seed-demo 2>>"$LOGS/demo.log" | tail -1
  ckan search-index rebuild -q >"$LOGS/demo-index.log" 2>&1 \
    || { tail -20 "$LOGS/demo-index.log" >&2; die "search index rebuild failed"; }
  log "rendering the DCAT feed ahead of harvesters"
  ckan satudata dcat-warm 2>>"$LOGS/demo.log" | tail -1
  ckan translation js >>"$LOGS/demo.log" 2>&1 || die "ckan translation js failed (log: $LOGS/demo.log)"

  # The background jobs worker (Redis) that validation and notifications use, and the scheduler
  # whose sweeper heals what an outage left behind (lost jobs, unsent mail, index drift) and
  # which warms the DCAT feed daily, each under the supervisor that starts it again when it
  # exits (Redis lost, a crash).
  setsid "$ROOT/scripts/supervise.sh" worker "$VENV/bin/ckan" -c "$INI" jobs worker \
    >"$LOGS/ckan-worker.log" 2>&1 </dev/null &
  echo $! >"$RUN/worker.pid"
  setsid "$ROOT/scripts/supervise.sh" scheduler "$VENV/bin/ckan" -c "$INI" satudata scheduler \
    >"$LOGS/ckan-scheduler.log" 2>&1 </dev/null &
  echo $! >"$RUN/scheduler.pid"

  local password
  password=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["password"])' "$CREDENTIALS")
  banner() {
    cat >&2 <<MSG

  Satu Data Kota Balikpapan (CKAN $CKAN_VERSION) runs at $URL
  Log in at $URL/user/login as "admin" (sysadmin), or as a demo user:
    walidata, produsen-dinkes, produsen-disdukcapil, pembina-bps, warga
  Password of every demo user: $password
  API tokens: $CREDENTIALS
  Metadata template of an OPD (Excel; as produsen-dinkes): $URL/organization/dinkes/unggah-metadata
  $1

MSG
  }
  # CKAN's WSGI app under gunicorn, as in production (deploy/gunicorn.conf.py): no development
  # server, so no interactive debugger, ever; an outage gets the translated 503 page.
  setsid env CKAN_INI="$INI" SATUDATA_WEB_BIND="$CKAN_HOST:$CKAN_PORT" SATUDATA_WEB_WORKERS=2 \
    SATUDATA_WEB_TMP="$RUN" PYTHONUNBUFFERED=1 \
    "$VENV/bin/gunicorn" -c "$ROOT/deploy/gunicorn.conf.py" >"$LOGS/ckan.log" 2>&1 </dev/null &
  echo $! >"$RUN/ckan.pid"
  log "starting the web server (log: $LOGS/ckan.log)"
  local up=""
  for _ in $(seq 1 240); do
    curl -fsS "$URL/api/3/action/status_show" >/dev/null 2>&1 && { up=1; break; }
    alive "$RUN/ckan.pid" || break
    sleep 0.5
  done
  [ -n "$up" ] || { tail -30 "$LOGS/ckan.log" >&2; stop; die "CKAN did not start (log: $LOGS/ckan.log)"; }
  if [ "${DETACH:-0}" = 1 ]; then
    banner "Stop it with: make demo-stop   (log: $LOGS/ckan.log)"
    return 0
  fi
  trap 'stop; exit 0' INT TERM
  banner "Stop it with Ctrl-C. (make demo DETACH=1 runs it in the background.)   Log: $LOGS/ckan.log"
  wait "$(cat "$RUN/ckan.pid")" 2>/dev/null || true
  stop
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
*) die "usage: $0 start|stop" ;;
esac
