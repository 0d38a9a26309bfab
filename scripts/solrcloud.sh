#!/usr/bin/env bash
# SolrCloud from the same Maven Central jars as scripts/solr.sh: one ZooKeeper, N Solr nodes,
# CKAN's schema uploaded as the configset "ckan", and the collection "ckan" with one shard and a
# replica on every node (replication factor = N). README, "Scale-out: SolrCloud".
# usage: solrcloud.sh start|stop|status|stop-node I|start-node I
#   SOLRCLOUD_ZK_PORT (2181), SOLRCLOUD_PORTS ("8984 8985"), SOLRCLOUD_HEAP (512m),
#   SOLRCLOUD_DIR (.work/solrcloud)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SRC=$ROOT/services/solr
LIB=$SRC/lib
DIR=${SOLRCLOUD_DIR:-$WORK/solrcloud}
ZK_PORT=${SOLRCLOUD_ZK_PORT:-2181}
read -r -a PORTS <<<"${SOLRCLOUD_PORTS:-8984 8985}"
HEAP=${SOLRCLOUD_HEAP:-512m}
COLLECTION=ckan
ZK=127.0.0.1:$ZK_PORT

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
stop_pid() {
  if alive "$1"; then
    kill "$(cat "$1")"
    for _ in $(seq 1 150); do alive "$1" || break; sleep 0.1; done
    alive "$1" && kill -9 "$(cat "$1")"
  fi
  rm -f "$1"
}

start_zk() {
  mkdir -p "$DIR/zk/data"
  alive "$DIR/zk.pid" && return 0
  port_open "$ZK_PORT" && die "port $ZK_PORT is taken by another program: set SOLRCLOUD_ZK_PORT"
  cat >"$DIR/zk/zoo.cfg" <<CFG
tickTime=2000
dataDir=$DIR/zk/data
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=ruok,srvr
CFG
  nohup java -Xmx256m -Dlog4j2.configurationFile="$SRC/log4j2.xml" -Dsolr.log.dir="$LOGS" \
    -cp "$LIB/*" org.apache.zookeeper.server.ZooKeeperServerMain "$DIR/zk/zoo.cfg" \
    >"$LOGS/solrcloud-zk.log" 2>&1 </dev/null &
  echo $! >"$DIR/zk.pid"
  for _ in $(seq 1 120); do
    [ "$( (exec 3<>"/dev/tcp/127.0.0.1/$ZK_PORT"; printf ruok >&3; timeout 2 cat <&3) 2>/dev/null)" = imok ] \
      && { log "ZooKeeper up on $ZK"; return 0; }
    alive "$DIR/zk.pid" || break
    sleep 0.25
  done
  tail -20 "$LOGS/solrcloud-zk.log" >&2; die "ZooKeeper did not start (log: $LOGS/solrcloud-zk.log)"
}

node_home() {
  local home=$DIR/node$1
  mkdir -p "$home"
  cat >"$home/solr.xml" <<XML
<?xml version="1.0" encoding="UTF-8" ?>
<!-- A SolrCloud node (scripts/solrcloud.sh): the cluster's state lives in ZooKeeper. -->
<solr>
  <int name="maxBooleanClauses">\${solr.max.booleanClauses:1024}</int>
  <solrcloud>
    <str name="host">127.0.0.1</str>
    <int name="hostPort">${PORTS[$1]}</int>
    <str name="hostContext">solr</str>
    <int name="zkClientTimeout">15000</int>
    <bool name="genericCoreNodeNames">true</bool>
  </solrcloud>
</solr>
XML
  echo "$home"
}

node_up() { curl -fsS "http://127.0.0.1:${PORTS[$1]}/solr/admin/info/system?wt=json" >/dev/null 2>&1; }

start_node() {
  local i=$1 home
  alive "$DIR/node$i.pid" && return 0
  port_open "${PORTS[$i]}" && die "port ${PORTS[$i]} is taken by another program: set SOLRCLOUD_PORTS"
  home=$(node_home "$i")
  # The launcher's Jetty speaks HTTP/1.1 only, so the nodes talk to each other in HTTP/1.1
  # (solr.http1) rather than Solr's default HTTP/2.
  nohup java -Xms128m -Xmx"$HEAP" -XX:-OmitStackTraceInFastThrow -Duser.timezone=UTC \
    -Djetty.port="${PORTS[$i]}" -Dsolr.jetty.host=127.0.0.1 -DzkHost="$ZK" \
    -Dsolr.solr.home="$home" -Dsolr.log.dir="$LOGS" -Dsolr.install.dir="$SRC" \
    -Dsolr.configset.upload.enabled=true -Dsolr.http1=true -Dlog4j2.configurationFile="$SRC/log4j2.xml" \
    -cp "$LIB/*" "$SRC/SolrLauncher.java" >"$LOGS/solrcloud-node$i.log" 2>&1 </dev/null &
  echo $! >"$DIR/node$i.pid"
  for _ in $(seq 1 240); do
    node_up "$i" && { log "Solr node $i up on 127.0.0.1:${PORTS[$i]}"; return 0; }
    alive "$DIR/node$i.pid" || break
    sleep 0.25
  done
  tail -30 "$LOGS/solrcloud-node$i.log" >&2; die "Solr node $i did not start (log: $LOGS/solrcloud-node$i.log)"
}

api() { curl -fsS "http://127.0.0.1:${PORTS[0]}/solr/admin/$1"; }

# The configset "ckan": solr.sh's core configuration with the installed CKAN's schema, with one
# change SolrCloud needs: CKAN declares _version_ a string, but SolrCloud's peer sync (a replica
# catching up after a restart) reads it as a number (an index fingerprint), so here it is a
# plong with docValues, as in Solr's own default configset.
upload_configset() {
  local schema zip
  schema=$("$VENV/bin/python" -c 'import ckan, os; print(os.path.join(os.path.dirname(ckan.__file__), "config", "solr", "schema.xml"))')
  zip=$DIR/configset.zip
  python3 - "$SRC/solr-home/ckan/conf" "$schema" "$zip" <<'PY'
import re, sys, zipfile
conf, schema, target = sys.argv[1:]
text = open(schema, encoding="utf-8").read()
text, changed = re.subn(r'<field name="_version_"[^>]*/>',
                        '<field name="_version_" type="plong" indexed="false" stored="false" docValues="true"/>', text)
if changed != 1:
    sys.exit(f"{schema}: no _version_ field to make SolrCloud-ready")
with zipfile.ZipFile(target, "w") as z:
    for name in ("solrconfig.xml", "synonyms.txt", "protwords.txt"):
        z.write(f"{conf}/{name}", name)
    z.writestr("managed-schema.xml", text)
PY
  curl -fsS -X PUT --data-binary @"$zip" -H 'Content-Type: application/octet-stream' \
    "http://127.0.0.1:${PORTS[0]}/api/cluster/configs/ckan?overwrite=true" >/dev/null 2>&1 \
  || curl -fsS --data-binary @"$zip" -H 'Content-Type: application/octet-stream' \
    "http://127.0.0.1:${PORTS[0]}/solr/admin/configs?action=UPLOAD&name=ckan&overwrite=true&wt=json" >/dev/null \
  || die "uploading the configset ckan failed (log: $LOGS/solrcloud-node0.log)"
}

# Every replica of the collection is active (a node started again has caught up).
healthy() {
  api "collections?action=CLUSTERSTATUS&collection=$COLLECTION&wt=json" 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)["cluster"]["collections"]["ckan"]
replicas = [r for s in d["shards"].values() for r in s["replicas"].values()]
sys.exit(0 if replicas and all(r["state"] == "active" for r in replicas) and len(replicas) == int(sys.argv[1]) else 1)
' "${#PORTS[@]}"
}

create_collection() {
  if api "collections?action=LIST&wt=json" | grep -q "\"$COLLECTION\""; then return 0; fi
  api "collections?action=CREATE&name=$COLLECTION&numShards=1&replicationFactor=${#PORTS[@]}&collection.configName=ckan&wt=json" >/dev/null \
    || die "creating the collection $COLLECTION failed (log: $LOGS/solrcloud-node0.log)"
  log "collection $COLLECTION: 1 shard, ${#PORTS[@]} replicas"
}

wait_healthy() {
  for _ in $(seq 1 240); do healthy && return 0; sleep 0.5; done
  die "the collection $COLLECTION did not become healthy within 120 s"
}

case "${1:-status}" in
start)
  "$ROOT/scripts/solr.sh" jars
  mkdir -p "$DIR"
  start_zk
  for i in "${!PORTS[@]}"; do start_node "$i"; done
  upload_configset
  create_collection
  wait_healthy
  log "SolrCloud up: ${#PORTS[@]} nodes (${PORTS[*]}), every replica active" ;;
stop)
  for i in "${!PORTS[@]}"; do stop_pid "$DIR/node$i.pid"; done
  stop_pid "$DIR/zk.pid"
  log "SolrCloud stopped" ;;
stop-node) stop_pid "$DIR/node$2.pid"; log "Solr node $2 stopped" ;;
start-node) start_node "$2"; wait_healthy ;;
status)
  if healthy; then echo "solrcloud: ${#PORTS[@]} nodes, every replica active"; else echo "solrcloud: not healthy"; exit 1; fi ;;
*) die "usage: $0 start|stop|status|stop-node I|start-node I" ;;
esac
