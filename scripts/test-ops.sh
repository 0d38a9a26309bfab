#!/usr/bin/env bash
# The operations tests (make test-ops): install the production stack with the documented command
# (scripts/production.sh install) into .work/ops, on the running test services' PostgreSQL and
# Redis and a SolrCloud of two nodes, with two web nodes, and run tests/stack against it: nginx's
# cache, supervised restarts, a web node killed under load, a login valid on both nodes, a Solr
# node stopped, health. The stack and the SolrCloud are stopped at the end.
# usage: test-ops.sh [pytest args]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# two consecutive free ports for the two web nodes
web_ports() {
  local p
  for _ in $(seq 1 50); do
    p=$(free_port)
    if ! port_open $((p + 1)) && [ $((p + 1)) -lt 65535 ]; then echo "$p"; return; fi
  done
  die "no two consecutive free ports"
}
export PROD_PREFIX=$WORK/ops
export PROD_PORT=${PROD_PORT:-$(free_port)}
export PROD_WEB_PORT=${PROD_WEB_PORT:-$(web_ports)}
export PROD_WEB_NODES=2 PROD_WEB_WORKERS=2 PROD_WORKERS=2
export PROD_DB=ckan_ops_$CKAN_VTAG PROD_DS_DB=datastore_ops_$CKAN_VTAG
export PROD_REDIS_DB=3 PROD_SITE_ID=satudata-ops PROD_SUPERVISOR=supervisor
export PROD_VENV=$WORK/ops/venv-$CKAN_VERSION
export SATUDATA_WORK=$WORK   # the stack uses the running test services' PostgreSQL and Redis
# ... and searches a SolrCloud of two nodes (one ZooKeeper), through nginx
export SOLRCLOUD_ZK_PORT=$(free_port) SOLRCLOUD_PORTS="$(free_port) $(free_port)"
read -r -a solr_ports <<<"$SOLRCLOUD_PORTS"
export PROD_SOLR_NODES="127.0.0.1:${solr_ports[0]} 127.0.0.1:${solr_ports[1]}" PROD_SOLR_LB_PORT=$(free_port)
trap '"$ROOT/scripts/production.sh" stop >/dev/null 2>&1 || true; "$ROOT/scripts/solrcloud.sh" stop >/dev/null 2>&1 || true' EXIT
rm -rf "$WORK/solrcloud"
"$ROOT/scripts/solrcloud.sh" start
# a fresh host every run: new databases, config, secrets and files (the virtualenv is kept)
"$ROOT/scripts/production.sh" stop >/dev/null 2>&1 || true
"$ROOT/scripts/postgres.sh" dropdb "$PROD_DB"; "$ROOT/scripts/postgres.sh" dropdb "$PROD_DS_DB"
rm -rf "$PROD_PREFIX/etc" "$PROD_PREFIX/var"
redis-cli -p "$REDIS_PORT" -n "$PROD_REDIS_DB" flushdb >/dev/null
log "installing the production stack into $PROD_PREFIX (nginx on $PROD_PORT, web nodes on $PROD_WEB_PORT+)"
"$ROOT/scripts/production.sh" install 2>&1 | grep -v '^{' >&2
export SATUDATA_STACK_URL=http://127.0.0.1:$PROD_PORT
export SATUDATA_STACK_ETC=$PROD_PREFIX/etc/satudata
log "running the operations tests against $SATUDATA_STACK_URL"
"$VENV/bin/pytest" --ckan-ini=test.ini tests/stack "$@"
