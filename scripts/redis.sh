#!/usr/bin/env bash
# Redis from Debian's packages on 127.0.0.1:$REDIS_PORT, data under .work/redis. Persistent
# (append-only file, fsync every second): queued jobs survive a restart of Redis.
# usage: redis.sh start|stop|status
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DIR=$WORK/redis
PIDFILE=$DIR/redis.pid
command -v redis-server >/dev/null || die "redis-server not found: run 'make system-deps'"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

case "${1:-status}" in
start)
  mkdir -p "$DIR"
  if running; then log "Redis already running on 127.0.0.1:$REDIS_PORT"; exit 0; fi
  port_open "$REDIS_PORT" && die "port $REDIS_PORT is taken by another program: set REDIS_PORT=<free port>"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$DIR" --daemonize yes \
    --pidfile "$PIDFILE" --logfile "$LOGS/redis.log" --save "" \
    --appendonly yes --appendfsync everysec --appendfilename satudata.aof
  for _ in $(seq 1 50); do
    redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && { log "Redis up on 127.0.0.1:$REDIS_PORT"; exit 0; }
    sleep 0.1
  done
  tail -20 "$LOGS/redis.log" >&2; die "Redis did not start (log: $LOGS/redis.log)" ;;
stop)
  if running; then kill "$(cat "$PIDFILE")"; for _ in $(seq 1 50); do running || break; sleep 0.1; done; rm -f "$PIDFILE"; log "Redis stopped"; fi ;;
status)
  if running; then echo "redis: running on 127.0.0.1:$REDIS_PORT"; else echo "redis: stopped"; exit 1; fi ;;
*) die "usage: $0 start|stop|status" ;;
esac
