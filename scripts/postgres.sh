#!/usr/bin/env bash
# PostgreSQL from Debian's packages, as a private cluster under .work/postgres on 127.0.0.1:$PG_PORT.
# usage: postgres.sh start|stop|status|createdb NAME [OWNER]|dropdb NAME|role NAME PASSWORD|sql DB|
#        app-role DB ROLE PASSWORD
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PGDATA=$WORK/postgres/data
PGRUN=$WORK/postgres/run     # unix socket directory
PGLOG=$LOGS/postgres.log
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$BIN" ] || die "PostgreSQL server binaries not found: run 'make system-deps'"

# PostgreSQL refuses to run as root: as root, run its commands as the 'postgres' system user.
pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# As root, the 'postgres' user must be able to reach .work/postgres: grant the traverse (x) bit
# on each ancestor directory that denies it (a clone under a private mktemp folder does).
ensure_reachable() {
  [ "$(id -u)" = 0 ] || return 0
  local d=$WORK
  while [ "$d" != / ]; do
    if ! runuser -u postgres -- test -x "$d" 2>/dev/null; then
      log "granting traverse permission on $d to the postgres user"; chmod o+x "$d"; fi
    d=$(dirname "$d")
  done
}

psql_su() { pg "$BIN/psql" -h "$PGRUN" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"; }

running() { [ -f "$PGDATA/postmaster.pid" ] && pg "$BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

ensure_role() {
  psql_su -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_USER') THEN
        CREATE ROLE $PG_USER LOGIN PASSWORD '$PG_PASSWORD';
      END IF;
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_DS_USER') THEN
        CREATE ROLE $PG_DS_USER LOGIN PASSWORD '$PG_DS_PASSWORD' NOSUPERUSER NOCREATEDB NOCREATEROLE;
      END IF; END \$\$;"
}

createdb() {
  local name=$1 owner=${2:-$PG_USER}
  if [ -z "$(psql_su -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
    psql_su -c "CREATE DATABASE $name OWNER $owner ENCODING 'UTF8' TEMPLATE template0"
    log "created database $name"
  fi
}

# Drop a database, closing its open connections first (a killed CKAN may leave some).
dropdb() {
  PGOPTIONS="--client-min-messages=warning" psql_su -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"
}

case "${1:-status}" in
start)
  ensure_reachable
  mkdir -p "$WORK/postgres" "$PGRUN"
  [ "$(id -u)" = 0 ] && chown postgres: "$WORK/postgres" "$PGRUN"
  if [ ! -f "$PGDATA/PG_VERSION" ]; then
    log "initialising PostgreSQL cluster in $PGDATA"
    pg "$BIN/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >"$LOGS/postgres-initdb.log" 2>&1 \
      || { cat "$LOGS/postgres-initdb.log" >&2; die "initdb failed"; }
  fi
  if running; then
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else
    port_open "$PG_PORT" && die "port $PG_PORT is taken by another program: set PG_PORT=<free port>"
    touch "$PGLOG"; [ "$(id -u)" = 0 ] && chown postgres: "$PGLOG"
    # development and tests trade durability for speed; production (PG_DURABLE=1) does not
    fast="-c fsync=off -c synchronous_commit=off"
    [ "${PG_DURABLE:-0}" = 1 ] && fast=""
    pg "$BIN/pg_ctl" -D "$PGDATA" -l "$PGLOG" -w -t 60 \
      -o "-p $PG_PORT -k $PGRUN -c listen_addresses=127.0.0.1 $fast" start >/dev/null \
      || { tail -20 "$PGLOG" >&2; die "PostgreSQL did not start (log: $PGLOG)"; }
    log "PostgreSQL up on 127.0.0.1:$PG_PORT"
  fi
  ensure_role
  createdb "$PG_DB"
  createdb "$PG_TEST_DB"
  createdb "$PG_DS_DB"
  createdb "$PG_DS_TEST_DB"
  ;;
stop)
  if running; then pg "$BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null; log "PostgreSQL stopped"; fi ;;
status)
  if running; then echo "postgresql: running on 127.0.0.1:$PG_PORT (data $PGDATA)"; else echo "postgresql: stopped"; exit 1; fi ;;
createdb) createdb "$2" "${3:-$PG_USER}" ;;
role)  # a login role $2 with password $3 (created, or its password set): production's own roles
  [ $# -eq 3 ] || die "usage: $0 role NAME PASSWORD"
  psql_su -v name="$2" -v password="$3" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE', :'name')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'name', :'password') \gexec
SQL
  ;;
dropdb) dropdb "$2" ;;
sql)  # SQL from stdin, as the superuser, on database $2 (the DataStore permissions)
  [ $# -eq 2 ] || die "usage: $0 sql DB"
  PGOPTIONS="--client-min-messages=warning" \
    pg "$BIN/psql" -h "$PGRUN" -p "$PG_PORT" -U postgres -d "$2" -v ON_ERROR_STOP=1 -qtA -f - >/dev/null ;;
app-role)  # the production role set-up (deploy/postgres/roles.sql) on database $2 for role $3
  [ $# -eq 4 ] || die "usage: $0 app-role DB ROLE PASSWORD"
  pg "$BIN/psql" -h "$PGRUN" -p "$PG_PORT" -U postgres -d "$2" -qtA -v app="$3" -v app_password="$4" \
    -f - <"$ROOT/deploy/postgres/roles.sql" >/dev/null ;;
*) die "usage: $0 start|stop|status|createdb NAME [OWNER]|dropdb NAME|role NAME PASSWORD|sql DB|app-role DB ROLE PASSWORD" ;;
esac
