#!/usr/bin/env bash
# The load benchmark (make bench-load, benchmarks/load.py): the production stack with the demo
# catalogue against stock CKAN with the same datasets and files, same gunicorn settings, same
# nginx configuration, same services, measured in the same run. Both are stopped at the end.
# usage: bench-load.sh [--seconds S] [--rounds R]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
BENCH=$WORK/bench-load
WORKERS=${BENCH_WEB_WORKERS:-4}
export PROD_PREFIX=$BENCH/portal PROD_PORT=$(free_port) PROD_WEB_PORT=$(free_port)
export PROD_WEB_NODES=1 PROD_WEB_WORKERS=$WORKERS PROD_WORKERS=1 PROD_SUPERVISOR=supervisor
export PROD_DB=ckan_bench_$CKAN_VTAG PROD_DS_DB=datastore_bench_$CKAN_VTAG PROD_REDIS_DB=5
export PROD_SITE_ID=satudata-bench PROD_VENV=$WORK/ops/venv-$CKAN_VERSION SATUDATA_WORK=$WORK
STOCK=$BENCH/stock
STOCK_DB=ckan_stock_$CKAN_VTAG
STOCK_PORT=$(free_port) STOCK_WEB_PORT=$(free_port)
PY=$PROD_VENV/bin/python

stop_all() {
  "$ROOT/scripts/production.sh" stop >/dev/null 2>&1 || true
  [ -f "$STOCK/gunicorn.pid" ] && kill "$(cat "$STOCK/gunicorn.pid")" 2>/dev/null
  [ -f "$STOCK/data/run/nginx.pid" ] && kill "$(cat "$STOCK/data/run/nginx.pid")" 2>/dev/null
  return 0
}
trap stop_all EXIT
stop_all
"$ROOT/scripts/postgres.sh" dropdb "$PROD_DB"; "$ROOT/scripts/postgres.sh" dropdb "$PROD_DS_DB"
"$ROOT/scripts/postgres.sh" dropdb "$STOCK_DB"; "$ROOT/scripts/postgres.sh" createdb "$STOCK_DB"
rm -rf "$BENCH"
redis-cli -p "$REDIS_PORT" -n "$PROD_REDIS_DB" flushdb >/dev/null
redis-cli -p "$REDIS_PORT" -n 6 flushdb >/dev/null

log "the candidate: the production stack with the demo catalogue"
"$ROOT/scripts/production.sh" install 2>&1 | grep -v '^{' | grep -E 'answers|ERROR' >&2
INI=$PROD_PREFIX/etc/satudata/ckan.ini
"$PROD_VENV/bin/ckan" -c "$INI" satudata seed-demo 2>/dev/null | tail -1
"$PROD_VENV/bin/ckan" -c "$INI" satudata dcat-warm 2>/dev/null | tail -1
# the seed queues a validation (and a DataStore load) per file: measure once the workers are idle,
# or they would compete with the candidate's web node for the CPU
log "waiting for the candidate's jobs queue to drain"
for _ in $(seq 1 600); do
  "$PROD_VENV/bin/ckan" -c "$INI" jobs list 2>/dev/null | grep -q "no pending jobs" && break
  sleep 2
done

log "the baseline: stock CKAN $CKAN_VERSION (activity scheming_datasets dcat, scheming's default schema)"
mkdir -p "$STOCK/data/storage" "$STOCK/data/webassets" "$STOCK/data/run" "$STOCK/logs"
SINI=$STOCK/ckan.ini
"$PROD_VENV/bin/ckan" generate config "$SINI" >/dev/null
"$PROD_VENV/bin/ckan" config-tool "$SINI" \
  "debug = false" \
  "ckan.plugins = activity scheming_datasets dcat" \
  "scheming.dataset_schemas = ckanext.scheming:ckan_dataset.yaml" \
  "sqlalchemy.url = postgresql://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$STOCK_DB" \
  "solr_url = $SOLR_URL" \
  "ckan.redis.url = redis://127.0.0.1:$REDIS_PORT/6" \
  "ckan.site_url = http://127.0.0.1:$STOCK_PORT" \
  "ckan.site_id = stock-bench" \
  "ckan.storage_path = $STOCK/data/storage" \
  "ckan.webassets.path = $STOCK/data/webassets" \
  "ckan.uploads_enabled = true" \
  "ckan.cache_enabled = true" \
  "ckan.cache_expires = 60" \
  "ckan.max_resource_size = 100" >/dev/null
"$PROD_VENV/bin/ckan" config-tool "$SINI" -s logger_root "level = WARNING" >/dev/null
"$PROD_VENV/bin/ckan" config-tool "$SINI" -s logger_ckan "level = WARNING" >/dev/null
{ "$PROD_VENV/bin/ckan" -c "$SINI" db init && "$PROD_VENV/bin/ckan" -c "$SINI" db pending-migrations --apply \
  && "$PROD_VENV/bin/ckan" -c "$SINI" asset build; } >"$STOCK/logs/install.log" 2>&1 \
  || { tail -20 "$STOCK/logs/install.log" >&2; die "stock CKAN set-up failed"; }
"$PROD_VENV/bin/ckan" -c "$SINI" user add bench email=bench@example.org password=Bench#Load2026 >/dev/null 2>&1
"$PROD_VENV/bin/ckan" -c "$SINI" sysadmin add bench >/dev/null 2>&1
TOKEN=$("$PROD_VENV/bin/ckan" -c "$SINI" user token add bench load 2>/dev/null | tail -1 | tr -d '[:space:]')
env CKAN_INI="$SINI" SATUDATA_WEB_BIND="127.0.0.1:$STOCK_WEB_PORT" SATUDATA_WEB_WORKERS="$WORKERS" \
  "$PROD_VENV/bin/gunicorn" -c "$ROOT/deploy/gunicorn.conf.py" -p "$STOCK/gunicorn.pid" -D \
  --error-logfile "$STOCK/logs/web.log" --access-logfile /dev/null
# the same nginx configuration, rendered for the stock side's ports and folders
PROD_PREFIX=$STOCK/prefix PROD_DATA=$STOCK/data PROD_LOG=$STOCK/logs PROD_PORT=$STOCK_PORT \
  PROD_WEB_PORT=$STOCK_WEB_PORT "$ROOT/scripts/production.sh" render "$STOCK/etc" >/dev/null
mkdir -p "$STOCK/data/nginx-cache"
setsid /usr/sbin/nginx -c "$STOCK/etc/nginx.conf" -p "$STOCK/data" >"$STOCK/logs/nginx.log" 2>&1 </dev/null &
for _ in $(seq 1 120); do curl -fsS "http://127.0.0.1:$STOCK_PORT/api/3/action/status_show" >/dev/null 2>&1 && break; sleep 0.5; done
"$PY" benchmarks/load.py seed-baseline --source "http://127.0.0.1:$PROD_PORT" \
  --target "http://127.0.0.1:$STOCK_PORT" --token "$TOKEN"

log "measuring (candidate: 127.0.0.1:$PROD_PORT, baseline: 127.0.0.1:$STOCK_PORT)"
"$PY" benchmarks/load.py measure --candidate "http://127.0.0.1:$PROD_PORT" \
  --baseline "http://127.0.0.1:$STOCK_PORT" "$@"
