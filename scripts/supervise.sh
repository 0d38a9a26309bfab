#!/usr/bin/env bash
# Keep one long-running process alive: run it, and when it exits (Redis lost, a crash, a kill),
# start it again after a pause that doubles up to 30 s and resets once it ran a minute.
# A TERM or INT stops the process and the supervisor. This is the demo's and the tests'
# supervisor; a production host uses the systemd units or supervisor programs of deploy/.
# usage: supervise.sh NAME COMMAND [ARGS...]
set -uo pipefail
name=$1
shift
child=""
stopping=""
stop() { stopping=1; [ -n "$child" ] && kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0; }
trap stop TERM INT
pause=1
while :; do
  started=$(date +%s)
  "$@" &
  child=$!
  wait "$child"
  rc=$?
  [ -n "$stopping" ] && exit 0
  ran=$(( $(date +%s) - started ))
  [ "$ran" -ge 60 ] && pause=1
  printf '[supervise] %s exited with status %s after %ss; restarting in %ss\n' "$name" "$rc" "$ran" "$pause" >&2
  sleep "$pause" & wait $! 2>/dev/null
  [ -n "$stopping" ] && exit 0
  pause=$(( pause * 2 > 30 ? 30 : pause * 2 ))
done
