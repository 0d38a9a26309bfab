#!/usr/bin/env bash
# The production stack on this Debian host: gunicorn serving CKAN with the extension, nginx in
# front (static files, a cache of anonymous GETs), the jobs workers and the one scheduler, all
# under a process supervisor that restarts what dies: systemd when it runs the host, Debian's
# supervisor otherwise (a sandbox, a container). README "Deployment".
#
# usage: production.sh install|start|stop|restart|status|render DIR
#   install       everything, idempotent: Debian packages, the virtualenv (a normal install of
#                 the pinned release), PostgreSQL/Redis/Solr, the databases and roles with
#                 generated passwords, ckan.ini with generated secrets, migrations, the OPD
#                 registry, translations, assets, the index; then starts the stack.
#   render DIR    write this host's nginx, supervisor and systemd files into DIR, and nothing
#                 else (to read them, or check them: nginx -t, systemd-analyze verify)
#
# Every location and port can be overridden; PROD_PREFIX moves the whole tree (tests use it):
#   PROD_ETC=/etc/satudata  PROD_DATA=/var/lib/satudata  PROD_LOG=/var/log/satudata
#   PROD_VENV=/opt/satudata/venv  PROD_PORT=8080  PROD_WEB_PORT=8001  PROD_WEB_NODES=1
#   PROD_WEB_WORKERS=<cores+1>  PROD_WORKERS=1
#   PROD_BACKUP_DIR=/var/backups/satudata  PROD_BACKUP_KEEP=14
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# CKAN reads these from the environment over ckan.ini: a shell that has one set (a developer's
# test settings) must not reach the production processes, whose settings are ckan.ini's alone.
for var in CKAN_SQLALCHEMY_URL CKAN_DATASTORE_WRITE_URL CKAN_DATASTORE_READ_URL CKAN_REDIS_URL \
  CKAN_SOLR_URL CKAN_SOLR_USER CKAN_SOLR_PASSWORD CKAN_SITE_ID CKAN_SITE_URL CKAN_STORAGE_PATH \
  CKAN_DATAPUSHER_URL CKAN_SMTP_SERVER CKAN_SMTP_STARTTLS CKAN_SMTP_USER CKAN_SMTP_PASSWORD \
  CKAN_SMTP_MAIL_FROM CKAN_MAX_UPLOAD_SIZE_MB CKAN_INI; do unset "$var"; done
PREFIX=${PROD_PREFIX:-}
ETC=${PROD_ETC:-$PREFIX/etc/satudata}
DATA=${PROD_DATA:-$PREFIX/var/lib/satudata}
LOGDIR=${PROD_LOG:-$PREFIX/var/log/satudata}
RUNDIR=${PROD_RUN:-$DATA/run}
PVENV=${PROD_VENV:-$PREFIX/opt/satudata/venv}
# The backing services run by the repo's scripts keep their data on the data disk too, unless
# SATUDATA_WORK points them elsewhere (the tests share the test services this way).
export SATUDATA_WORK=${SATUDATA_WORK:-$DATA/services}
# ... and PostgreSQL writes durably (the development cluster runs without fsync)
export PG_DURABLE=1
. "$HERE/lib.sh"

PORT=${PROD_PORT:-8080}
WEB_PORT=${PROD_WEB_PORT:-8001}
# web nodes on this host (gunicorn processes on WEB_PORT, WEB_PORT+1, ...): two let one restart
# or die while the other serves, and nginx retries on it
WEB_NODES=${PROD_WEB_NODES:-1}
WEB_WORKERS=${PROD_WEB_WORKERS:-$(( $(nproc) + 1 ))}
WORKERS=${PROD_WORKERS:-1}
SITE_URL=${PROD_SITE_URL:-http://127.0.0.1:$PORT}
SERVER_NAME=${PROD_SERVER_NAME:-_}
DB=${PROD_DB:-satudata}
DS_DB=${PROD_DS_DB:-satudata_datastore}
DB_ROLE=${PROD_DB_ROLE:-satudata}
DS_RO_ROLE=${PROD_DS_RO_ROLE:-satudata_ro}
REDIS_DB=${PROD_REDIS_DB:-0}
# Backup sets (README, "Backups"): a daily set, the newest 14 kept. Put them on another disk.
BACKUP_DIR=${PROD_BACKUP_DIR:-$PREFIX/var/backups/satudata}
BACKUP_KEEP=${PROD_BACKUP_KEEP:-14}
# SolrCloud (README, "Scale-out: SolrCloud"): its nodes as host:port; nginx then puts them behind
# one loopback address, which CKAN's solr_url names
SOLR_NODES=${PROD_SOLR_NODES:-}
SOLR_LB_PORT=${PROD_SOLR_LB_PORT:-8983}
if [ -n "$SOLR_NODES" ]; then SOLR=http://127.0.0.1:$SOLR_LB_PORT/solr/ckan; else SOLR=${PROD_SOLR_URL:-$SOLR_URL}; fi
RUN_USER=${PROD_USER:-$(id -un)}
INI=$ETC/ckan.ini
SECRETS=$ETC/secrets.env
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
SUPERVISORD=$(command -v supervisord || echo /usr/bin/supervisord)
SUPERVISORCTL=$(command -v supervisorctl || echo /usr/bin/supervisorctl)
# Debian's nginx lives in /usr/sbin, which a non-root PATH may lack.
[ -x "$NGINX" ] || NGINX=/usr/sbin/nginx

uses_systemd() {
  case "${PROD_SUPERVISOR:-auto}" in
  systemd) return 0 ;; supervisor) return 1 ;;
  *) [ -d /run/systemd/system ] ;;
  esac
}

# Replace @NAME@ in template $1 with the values of this host, writing $2.
render() {
  local upstreams
  # a node is taken out for 5 s after 3 failed tries, not after one: with every node out, nginx
  # answers 502 at once, so one stray error on the healthy node must not take it out too
  upstreams=$(for n in $(seq 0 $((WEB_NODES - 1))); do echo "    server 127.0.0.1:$((WEB_PORT + n)) max_fails=3 fail_timeout=5s;"; done)
  [ -n "${PROD_UPSTREAMS:-}" ] && upstreams=$(for u in $PROD_UPSTREAMS; do echo "    server $u max_fails=3 fail_timeout=5s;"; done)
  local solr_upstreams
  solr_upstreams=$(for u in $SOLR_NODES; do echo "    server $u max_fails=1 fail_timeout=5s;"; done)
  mkdir -p "$(dirname "$2")"
  python3 - "$1" "$2" <<PY
import re, sys
text = open(sys.argv[1]).read()
values = {
    "ETC_DIR": "$ETC", "DATA_DIR": "$DATA", "LOG_DIR": "$LOGDIR", "RUN_DIR": "$RUNDIR",
    "VENV": "$PVENV", "DEPLOY_DIR": "$ROOT/deploy", "CKAN_INI": "$INI", "USER": "$RUN_USER",
    "WEB_BIND": "127.0.0.1:$WEB_PORT", "WEB_PORT": "$WEB_PORT", "WEB_NODES": "$WEB_NODES",
    "WEB_WORKERS": "$WEB_WORKERS", "WORKERS": "$WORKERS",
    "LISTEN": "$PORT", "SERVER_NAME": "$SERVER_NAME", "CACHE_DIR": "$DATA/nginx-cache",
    "WEBASSETS": "$DATA/webassets", "MAX_BODY": "110m", "NGINX": "$NGINX",
    "BACKUP_DIR": "$BACKUP_DIR", "BACKUP_KEEP": "$BACKUP_KEEP", "REPO": "$ROOT",
    "SERVICES_WORK": "$SATUDATA_WORK",
    "UPSTREAMS": """$upstreams""", "SOLR_UPSTREAMS": """$solr_upstreams""", "SOLR_LB_PORT": "$SOLR_LB_PORT",
}
for key, value in values.items():
    text = text.replace("@" + key + "@", value)
left = sorted(set(re.findall(r"@[A-Z_]+@", text)))
if left:
    sys.exit(f"unrendered placeholders in {sys.argv[1]}: {left}")
open(sys.argv[2], "w").write(text)
PY
}

secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(32))'; }

# The generated passwords and keys of this host, kept in one root-only file outside the
# database and its backups; created once, read on every run.
load_secrets() {
  mkdir -p "$ETC"
  if [ ! -f "$SECRETS" ]; then
    umask 077
    { echo "DB_PASSWORD=$(secret)"; echo "DS_RO_PASSWORD=$(secret)"; echo "HISTORY_KEY=$(secret)"; } >"$SECRETS"
    log "generated the passwords and the history key into $SECRETS"
  fi
  # shellcheck disable=SC1090
  . "$SECRETS"
}

install_venv() {
  local constraints=$ROOT/requirements/constraints-$CKAN_VERSION.txt
  local reqs=("$ROOT/requirements/ckan-$CKAN_VERSION.txt" "$ROOT/requirements.txt" "$ROOT/requirements/server.txt")
  local stamp=$PVENV/.satudata-release
  local digest
  digest=$( { cat "${reqs[@]}" "$constraints"; git -C "$ROOT" rev-parse HEAD 2>/dev/null || true
              git -C "$ROOT" status --porcelain -- ckanext setup.py 2>/dev/null || true; } | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then return 0; fi
  log "installing the release into $PVENV (CKAN $CKAN_VERSION, pinned)"
  [ -x "$PVENV/bin/python" ] || python3 -m venv "$PVENV"
  "$PVENV/bin/pip" install -q --disable-pip-version-check -r "$ROOT/requirements/build.txt"
  "$PVENV/bin/pip" install -q --disable-pip-version-check -c "$constraints" "${reqs[@]/#/-r}"
  # a normal (not editable) install: what runs is what was built, schemas and catalogues included
  "$PVENV/bin/pip" install -q --disable-pip-version-check --no-deps --no-build-isolation --force-reinstall "$ROOT"
  "$PVENV/bin/pip" check >/dev/null || { "$PVENV/bin/pip" check >&2; die "inconsistent Python dependencies"; }
  echo "$digest" >"$stamp"
}

pg_url() { echo "postgresql://$1:$2@127.0.0.1:$PG_PORT/$3"; }

configure() {
  load_secrets
  mkdir -p "$DATA/storage" "$DATA/webassets" "$DATA/nginx-cache" "$LOGDIR" "$RUNDIR"
  "$HERE/postgres.sh" role "$DB_ROLE" "$DB_PASSWORD"
  "$HERE/postgres.sh" role "$DS_RO_ROLE" "$DS_RO_PASSWORD"
  "$HERE/postgres.sh" createdb "$DB" "$DB_ROLE"
  "$HERE/postgres.sh" createdb "$DS_DB" "$DB_ROLE"
  if [ ! -f "$INI" ]; then
    log "writing $INI (fresh secrets)"
    "$PVENV/bin/ckan" generate config "$INI" >/dev/null
    chmod 640 "$INI"
  fi
  VENV=$PVENV write_portal_config "$INI" \
    "debug = false" \
    "sqlalchemy.url = $(pg_url "$DB_ROLE" "$DB_PASSWORD" "$DB")" \
    "ckan.datastore.write_url = $(pg_url "$DB_ROLE" "$DB_PASSWORD" "$DS_DB")" \
    "ckan.datastore.read_url = $(pg_url "$DS_RO_ROLE" "$DS_RO_PASSWORD" "$DS_DB")" \
    "solr_url = $SOLR" \
    "ckan.redis.url = redis://127.0.0.1:$REDIS_PORT/$REDIS_DB" \
    "ckan.site_url = $SITE_URL" \
    "ckan.site_id = ${PROD_SITE_ID:-satudata-balikpapan}" \
    "ckan.storage_path = $DATA/storage" \
    "ckan.webassets.path = $DATA/webassets" \
    "ckan.cache_enabled = true" \
    "ckan.cache_expires = ${PROD_CACHE_SECONDS:-60}" \
    "ckan.auth.create_user_via_web = false" \
    "ckanext.satudata.history_key = $HISTORY_KEY" \
    "ckan.datastore.sqlsearch.enabled = false"
  # structured logs: one JSON object per line (ckanext.satudata_balikpapan.ops.logs)
  "$PVENV/bin/ckan" config-tool "$INI" -s formatter_generic \
    "class = ckanext.satudata_balikpapan.ops.logs.JsonFormatter" >/dev/null
  "$PVENV/bin/ckan" config-tool "$INI" -s logger_root "level = WARNING" >/dev/null
  local ckan=("$PVENV/bin/ckan" -c "$INI")
  # With SolrCloud, CKAN reaches Solr through nginx, which is not running yet: the set-up steps
  # talk to the first node directly (CKAN's environment override, for these commands only).
  [ -z "$SOLR_NODES" ] || ckan=(env "CKAN_SOLR_URL=http://${SOLR_NODES%% *}/solr/ckan" "${ckan[@]}")
  log "migrating the database $DB"
  { "${ckan[@]}" db upgrade && "${ckan[@]}" db pending-migrations --apply; } >"$LOGDIR/install-db.log" 2>&1 \
    || { tail -30 "$LOGDIR/install-db.log" >&2; die "database migration failed (log: $LOGDIR/install-db.log)"; }
  VENV=$PVENV datastore_permissions "$INI" "$DS_DB"
  "${ckan[@]}" satudata opd sync | tail -1
  { "${ckan[@]}" translation js && "${ckan[@]}" asset build; } \
    >"$LOGDIR/install-assets.log" 2>&1 || { tail -30 "$LOGDIR/install-assets.log" >&2; die "assets failed"; }
}

render_units() {
  local dir=$1
  for unit in "$ROOT"/deploy/systemd/*.in; do render "$unit" "$dir/$(basename "${unit%.in}")"; done
}

render_all() {
  render "$ROOT/deploy/nginx/satudata.conf.in" "$ETC/nginx-satudata.conf"
  rm -f "$ETC/nginx-satudata-solr.conf"
  [ -z "$SOLR_NODES" ] || render "$ROOT/deploy/nginx/solr-lb.conf.in" "$ETC/nginx-satudata-solr.conf"
  render "$ROOT/deploy/nginx/nginx.conf.in" "$ETC/nginx.conf"
  render "$ROOT/deploy/supervisor/satudata.conf.in" "$ETC/supervisord.conf"
  render_units "$ETC/systemd"
}

supervisorctl() { "$SUPERVISORCTL" -c "$ETC/supervisord.conf" "$@"; }

start() {
  render_all
  if uses_systemd; then
    cp "$ETC"/systemd/* /etc/systemd/system/
    cp "$ETC/nginx-satudata.conf" /etc/nginx/sites-enabled/satudata
    rm -f /etc/nginx/sites-enabled/satudata-solr
    [ -z "$SOLR_NODES" ] || cp "$ETC/nginx-satudata-solr.conf" /etc/nginx/sites-enabled/satudata-solr
    systemctl daemon-reload
    mkdir -p "$BACKUP_DIR"
    systemctl enable --now satudata-services.service satudata.target satudata-web.service satudata-scheduler.service satudata-backup.timer \
      $(for i in $(seq 1 "$WORKERS"); do echo "satudata-worker@$i.service"; done)
    systemctl reload nginx
  elif [ -S "$RUNDIR/supervisor.sock" ] && supervisorctl status >/dev/null 2>&1; then
    supervisorctl reread >/dev/null; supervisorctl update >/dev/null; supervisorctl restart satudata:* >/dev/null
  else
    "$NGINX" -t -c "$ETC/nginx.conf" -p "$DATA" >/dev/null 2>"$LOGDIR/nginx-test.log" \
      || { cat "$LOGDIR/nginx-test.log" >&2; die "nginx refuses its configuration"; }
    "$SUPERVISORD" -c "$ETC/supervisord.conf"
  fi
  for _ in $(seq 1 240); do
    if curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1; then
      log "the portal answers at $SITE_URL (health: $SITE_URL/health)"
      return 0
    fi
    sleep 0.5
  done
  curl -sS "http://127.0.0.1:$PORT/health" >&2 || true
  die "the portal did not become healthy in 120 s (logs: $LOGDIR)"
}

stop() {
  if uses_systemd; then systemctl stop satudata.target 'satudata-*' 2>/dev/null || true; return 0; fi
  if [ -S "$RUNDIR/supervisor.sock" ] && supervisorctl status >/dev/null 2>&1; then
    supervisorctl shutdown >/dev/null 2>&1 || true
    for _ in $(seq 1 100); do [ -S "$RUNDIR/supervisor.sock" ] || break; sleep 0.2; done
    log "production stack stopped"
  fi
  # a process whose parent was killed outright (a job's work horse) outlives the supervisor:
  # nothing of the stack stays behind
  pkill -TERM -f -- "-c $INI " 2>/dev/null || true
}

case "${1:-status}" in
install)
  "$HERE/install-system.sh"
  install_venv
  "$HERE/postgres.sh" start
  "$HERE/redis.sh" start
  # the standalone Solr, unless the site searches a SolrCloud
  [ -n "$SOLR_NODES" ] || "$HERE/solr.sh" start
  configure
  start
  # the index last: with SolrCloud, CKAN reaches Solr through nginx, which runs now
  "$PVENV/bin/ckan" -c "$INI" search-index rebuild -q >"$LOGDIR/install-index.log" 2>&1 \
    || { tail -30 "$LOGDIR/install-index.log" >&2; die "search index rebuild failed"; }
  cat >&2 <<MSG

  Satu Data Kota Balikpapan runs at $SITE_URL, under $(uses_systemd && echo systemd || echo supervisor).
  No user exists yet. Create the first administrator (walidata) with:
    $PVENV/bin/ckan -c $INI sysadmin add <name> email=<address>
  Configuration: $INI   Secrets: $SECRETS   Data: $DATA   Logs: $LOGDIR

MSG
  ;;
start) start ;;
stop) stop ;;
restart) stop; start ;;
status)
  if uses_systemd; then systemctl status --no-pager 'satudata-*' || true
  else supervisorctl status || true; fi
  curl -sS "http://127.0.0.1:$PORT/health"; echo ;;
render) [ $# -eq 2 ] || die "usage: $0 render DIR"; mkdir -p "$2" "$LOGDIR" "$RUNDIR"; ETC=$2 render_all ;;
*) die "usage: $0 install|start|stop|restart|status|render DIR" ;;
esac
