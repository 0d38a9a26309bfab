#!/usr/bin/env bash
# Start, stop or report the development services: PostgreSQL, Redis and Solr.
# usage: services.sh start|stop|status
set -euo pipefail
. "$(dirname "$0")/lib.sh"
here=$(dirname "$0")
case "${1:-status}" in
start) "$here/postgres.sh" start; "$here/redis.sh" start; "$here/solr.sh" start ;;
stop) "$here/solr.sh" stop; "$here/redis.sh" stop; "$here/postgres.sh" stop ;;
status)
  rc=0
  "$here/postgres.sh" status || rc=1
  "$here/redis.sh" status || rc=1
  "$here/solr.sh" status || rc=1
  exit $rc ;;
*) die "usage: $0 start|stop|status" ;;
esac
