#!/usr/bin/env bash
# Apache Solr 9 assembled from Maven Central (services/solr/pom.xml), with one core "ckan" whose
# schema is the schema.xml of the CKAN version installed in $VENV. Served on 127.0.0.1:$SOLR_PORT.
# usage: solr.sh jars|start|stop|status
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SRC=$ROOT/services/solr
LIB=$SRC/lib                         # git-ignored, filled by Maven
HOME_DIR=$WORK/solr/home             # git-ignored Solr home (cores, indexes)
PIDFILE=$WORK/solr/solr.pid
OUT=$LOGS/solr.log
BASE=http://127.0.0.1:$SOLR_PORT/solr

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

jars() {
  local digest; digest=$(sha256sum "$SRC/pom.xml" | cut -d' ' -f1)
  if [ -f "$LIB/.pom.sha256" ] && [ "$(cat "$LIB/.pom.sha256")" = "$digest" ]; then return 0; fi
  command -v mvn >/dev/null || die "Maven (mvn) not found: run 'make system-deps'"
  log "fetching Solr 9 jars from Maven Central into services/solr/lib"
  rm -rf "$LIB"
  (cd "$SRC" && mvn -B -q dependency:copy-dependencies) >"$LOGS/maven.log" 2>&1 \
    || { tail -30 "$LOGS/maven.log" >&2; die "Maven could not fetch the Solr jars (log: $LOGS/maven.log)"; }
  echo "$digest" >"$LIB/.pom.sha256"
  log "Solr jars: $(find "$LIB" -name '*.jar' | wc -l) files, $(du -sh "$LIB" | cut -f1)"
}

ckan_schema() {
  [ -x "$VENV/bin/python" ] || die "no virtualenv at $VENV: run 'make install'"
  "$VENV/bin/python" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml"))'
}
schema_name() { sed -n 's/.*<schema name="\([^"]*\)".*/\1/p' "$1" | head -1; }

# Lay out the Solr home, and put the installed CKAN's schema into the core. Prints "changed" when
# the schema was replaced.
setup_home() {
  local conf=$HOME_DIR/ckan/conf schema want
  mkdir -p "$conf" "$LOGS"
  cp "$SRC/solr-home/solr.xml" "$HOME_DIR/solr.xml"
  cp "$SRC/solr-home/ckan/core.properties" "$HOME_DIR/ckan/core.properties"
  cp "$SRC/solr-home/ckan/conf/"{solrconfig.xml,synonyms.txt,protwords.txt} "$conf/"
  schema=$(ckan_schema); want=$(schema_name "$schema")
  if [ ! -f "$conf/managed-schema.xml" ] || [ "$(schema_name "$conf/managed-schema.xml")" != "$want" ]; then
    cp "$schema" "$conf/managed-schema.xml"
    echo changed
  fi
}

# Core state from CoreAdmin STATUS: "failed: <reason>", "loaded" or "loading".
core_state() {
  local body
  body=$(curl -fsS "$BASE/admin/cores?action=STATUS&wt=json" 2>/dev/null) || { echo loading; return; }
  echo "$body" | python3 -c '
import json, sys
d = json.load(sys.stdin)
f = d.get("initFailures") or {}
if f:
    print("failed: " + "; ".join(k + ": " + v for k, v in f.items()))
elif "startTime" in (d.get("status") or {}).get("ckan", {}):
    print("loaded")
else:
    print("loading")'
}

# Fail unless the loaded core answers ping and serves the expected schema.
check_core() {
  local want=$1 name
  curl -fsS "$BASE/ckan/admin/ping?wt=json" 2>/dev/null | grep -q '"status":"OK"' || { echo "core ckan does not answer ping" >&2; return 1; }
  name=$(curl -fsS "$BASE/ckan/schema/name?wt=json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["name"])')
  [ "$name" = "$want" ] || { echo "core ckan serves schema $name, expected $want" >&2; return 1; }
}

start() {
  jars
  command -v java >/dev/null || die "Java not found: run 'make system-deps' (needs Java 17)"
  local changed want state
  changed=$(setup_home); want=$(schema_name "$HOME_DIR/ckan/conf/managed-schema.xml")
  if running; then
    if [ "$changed" = changed ]; then
      log "reloading Solr core ckan with schema $want"
      curl -fsS "$BASE/admin/cores?action=RELOAD&core=ckan&wt=json" >/dev/null || true
    fi
    state=$(core_state || true)
    [ "$state" = loaded ] || die "Solr core ckan: ${state:-no answer} (log: $OUT)"
    check_core "$want" || die "Solr core ckan is not usable (log: $OUT)"
    log "Solr already running: $BASE/ckan (schema $want)"; return 0
  fi
  port_open "$SOLR_PORT" && die "port $SOLR_PORT is taken by another program: stop it or set SOLR_PORT=<free port>"
  local t0; t0=$(date +%s%N)
  nohup java -Xms256m -Xmx${SOLR_HEAP:-768m} -XX:-OmitStackTraceInFastThrow \
    -XX:CompileCommand=quiet -XX:CompileCommand=exclude,com.github.benmanes.caffeine.cache.BoundedLocalCache::put \
    -Duser.timezone=UTC -Djetty.port="$SOLR_PORT" -Dsolr.jetty.host=127.0.0.1 \
    -Dsolr.solr.home="$HOME_DIR" -Dsolr.log.dir="$LOGS" -Dsolr.install.dir="$SRC" \
    -Dlog4j2.configurationFile="$SRC/log4j2.xml" \
    -cp "$LIB/*" "$SRC/SolrLauncher.java" >"$OUT" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 240); do
    running || { tail -30 "$OUT" >&2; rm -f "$PIDFILE"; die "Solr exited during start (log: $OUT)"; }
    state=$(core_state || true)
    case "$state" in
    failed:*) stop; die "Solr core ckan failed to load: ${state#failed: } (log: $OUT)" ;;
    loaded)
      check_core "$want" || { stop; die "Solr core ckan is not usable (log: $OUT)"; }
      log "Solr up in $(( ($(date +%s%N) - t0) / 1000000 )) ms: $BASE/ckan (schema $want)"; return 0 ;;
    esac
    sleep 0.25
  done
  stop; die "Solr did not load the core ckan within 60 s (log: $OUT)"
}

stop() {
  if running; then
    kill "$(cat "$PIDFILE")"
    for _ in $(seq 1 100); do running || break; sleep 0.1; done
    running && kill -9 "$(cat "$PIDFILE")"
    log "Solr stopped"
  fi
  rm -f "$PIDFILE"
}

case "${1:-status}" in
jars) jars ;;
start) start ;;
stop) stop ;;
status)
  if running && check_core "$(schema_name "$HOME_DIR/ckan/conf/managed-schema.xml")" 2>/dev/null; then
    echo "solr: running at $BASE/ckan"; else echo "solr: stopped"; exit 1; fi ;;
*) die "usage: $0 jars|start|stop|status" ;;
esac
