#!/usr/bin/env bash
# The client examples' test (CI runs it): the Python and Node clients against a whole local stack.
#
# Starts `./continua up` (embedded broker, registry, ingest, trainer, serving in one JVM; data under
# target/examples-test, free ports) with serving writing Confluent's wire format, publishes the example
# dataset with the Python producer to one domain and with the Node producer to another, waits until the
# registry has a trained version of each and serving has loaded it, then asks both through Kafka with the
# Python and the Node predict scripts and checks every request came back with a label and a version >= 1.
# Also the JSON recipes: one example with `kcat -P`, one with curl to ingest's HTTP endpoint.
# Installs what is missing when run as root (Debian packages, `npm ci`). Leaves nothing behind:
# the stack is stopped and target/examples-test removed however the script ends
# (CONTINUA_EXAMPLES_KEEP=1 keeps it, with the stack's log, for a look after a failure).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORK="$ROOT/target/examples-test"
PY=/usr/bin/python3             # Debian's Python, where python3-confluent-kafka and python3-avro install
PY_DOMAIN=examples-python
NODE_DOMAIN=examples-node
PREFIX=continua.                # the stack's topic prefix (the default)
TEXTS=20                        # prediction requests per client
export PYTHONDONTWRITEBYTECODE=1 KAFKAJS_NO_PARTITIONER_WARNING=1
# No hsperfdata files in /tmp from the JVM.
export CONTINUA_JAVA_OPTS="${CONTINUA_JAVA_OPTS:--Xmx6g} -XX:-UsePerfData"

# step, fail, free_ports, apt_install
. "$ROOT/.ci/script-lib.sh"

UP_PID=""
MADE_NODE_MODULES=""
cleanup() {
  local rc=$?
  set +e
  if [ -n "$UP_PID" ] && kill -0 "$UP_PID" 2>/dev/null; then
    step "stopping the stack"
    kill -TERM "$UP_PID"
    for _ in $(seq 60); do kill -0 "$UP_PID" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$UP_PID" 2>/dev/null && { echo "the stack did not stop in 30 s: killed"; kill -KILL "$UP_PID"; }
    wait "$UP_PID" 2>/dev/null
  fi
  if [ "$rc" != 0 ] && [ -f "$WORK/up.log" ]; then
    echo "---- last lines of the stack's log ($WORK/up.log) ----"
    tail -n 40 "$WORK/up.log"
    echo "----"
  fi
  [ -n "$MADE_NODE_MODULES" ] && rm -rf "$ROOT/examples/node/node_modules"
  if [ "${CONTINUA_EXAMPLES_KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
  if [ "$rc" = 0 ]; then step "PASS: the Python and Node clients and the JSON recipes work"; else step "FAILED (exit $rc)"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- what the clients need ------------------------------------------------------------------------------
rm -rf "$WORK"
mkdir -p "$WORK"
if ! [ -x "$PY" ] || ! "$PY" -c 'import confluent_kafka.avro, avro, requests' 2>/dev/null; then
  apt_install python3 python3-confluent-kafka python3-avro python3-requests
fi
command -v npm >/dev/null 2>&1 || apt_install nodejs npm
command -v kcat >/dev/null 2>&1 || apt_install kcat
command -v curl >/dev/null 2>&1 || apt_install curl
if [ ! -d examples/node/node_modules ]; then MADE_NODE_MODULES=1; fi
step "npm ci in examples/node (kafkajs, @kafkajs/confluent-schema-registry)"
# npm's cache under the test's folder too, not $HOME.
(cd examples/node && npm ci --no-audit --no-fund --loglevel=error --cache "$WORK/npm-cache" >"$WORK/npm.log" 2>&1) \
  || { cat "$WORK/npm.log"; fail "npm ci failed"; }

# ---- the stack --------------------------------------------------------------------------------------------
export CONTINUA_DATA_DIR="$WORK/data"   # the launcher's scratch and caches too, never $HOME or /tmp
step "building the continua command if sources changed"
./continua --version >/dev/null
read -r KAFKA_PORT REGISTRY_PORT SERVING_PORT INGEST_PORT TRAINER_PORT < <(free_ports 5)
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
REGISTRY="http://127.0.0.1:$REGISTRY_PORT"
SCHEMA_REGISTRY="$REGISTRY/schemas-api"
SERVING="http://127.0.0.1:$SERVING_PORT"
INGEST="http://127.0.0.1:$INGEST_PORT"
step "starting ./continua up (Kafka $BOOTSTRAP, registry $REGISTRY, serving $SERVING, ingest $INGEST; log $WORK/up.log)"
setsid ./continua up --data-dir "$WORK/data" --kafka-port "$KAFKA_PORT" --registry-port "$REGISTRY_PORT" \
  --serving-port "$SERVING_PORT" --ingest-port "$INGEST_PORT" --trainer-port "$TRAINER_PORT" \
  --output-format confluent --min-new-examples 32 >"$WORK/up.log" 2>&1 &
UP_PID=$!

# Waits until the command succeeds, at most SECONDS (returns 1 then): wait_for SECONDS COMMAND...
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    kill -0 "$UP_PID" 2>/dev/null || fail "the stack exited (while waiting for: $*)"
    [ $SECONDS -lt $deadline ] || return 1
    sleep 1
  done
}
ready() { for url in "$REGISTRY" "$SERVING" "$INGEST" "http://127.0.0.1:$TRAINER_PORT"; do
  curl -fs -o /dev/null "$url/ready" || return 1; done; }
wait_for 120 ready || fail "the services were not all ready after 120 s"
step "the stack is ready"

# ---- producers: Python to one domain, Node to another ------------------------------------------------------
step "Python producer: examples/data/intents.jsonl to domain $PY_DOMAIN"
"$PY" examples/python/produce_examples.py --bootstrap "$BOOTSTRAP" --schema-registry "$SCHEMA_REGISTRY" \
  --domain "$PY_DOMAIN" | sed 's/^/    /'
step "Node producer: examples/data/intents.jsonl to domain $NODE_DOMAIN"
node examples/node/produce-examples.js --bootstrap "$BOOTSTRAP" --schema-registry "$SCHEMA_REGISTRY" \
  --domain "$NODE_DOMAIN" | sed 's/^/    /'

# A producer's own schema (without the fields it never sets) is registered once, with a token.
mkdir -p "$WORK/own-schemas"
"$PY" -c '
import json, sys
schema = json.load(open(sys.argv[1]))
schema["fields"] = [f for f in schema["fields"] if f["name"] not in ("requestId", "split")]
json.dump(schema, open(sys.argv[2], "w"))' "$ROOT/schemas/src/main/avro/LabeledExample.avsc" "$WORK/own-schemas/LabeledExample.avsc"
step "Python producer with its own schema (no requestId, split), registered with the admin token: domain examples-own"
"$PY" examples/python/produce_examples.py --bootstrap "$BOOTSTRAP" --schema-registry "$SCHEMA_REGISTRY" \
  --schemas-dir "$WORK/own-schemas" --registry-user-info "ci:$(cat "$WORK/data/registry/admin.token")" \
  --domain examples-own --limit 5 | sed 's/^/    /'

# Ingest took every record: accepted + duplicates = the lines sent, none rejected.
LINES=$(grep -c . examples/data/intents.jsonl)
ingested() { # ingested DOMAIN COUNT
  curl -fs "$INGEST/v1/domains/$1/stats" | "$PY" -c '
import json, sys
s, want = json.load(sys.stdin), int(sys.argv[1])
sys.exit(0 if s["accepted"] + s["duplicates"] == want and s["rejected"] == 0 else 1)' "$2"
}
stats() { curl -s "$INGEST/v1/domains/$1/stats"; }
for d in "$PY_DOMAIN" "$NODE_DOMAIN"; do
  wait_for 30 ingested "$d" "$LINES" || fail "ingest did not take the $LINES examples of $d in 30 s: $(stats "$d")"
  step "ingest took them: $(stats "$d")"
done
wait_for 30 ingested examples-own 5 || fail "ingest did not take the 5 examples of examples-own: $(stats examples-own)"
step "ingest took them: $(stats examples-own)"

# ---- the JSON recipes ---------------------------------------------------------------------------------------
step "kcat recipe: one JSON LabeledExample to ${PREFIX}examples (domain examples-kcat)"
echo '{"id":"kcat-1","domain":"examples-kcat","text":"Where is my card?","label":"card_arrival","eventTime":"2026-11-27T05:00:00Z"}' \
  | kcat -P -b "$BOOTSTRAP" -t "${PREFIX}examples" -k examples-kcat
wait_for 30 ingested examples-kcat 1 || fail "ingest did not accept the kcat example: $(stats examples-kcat)"
step "ingest accepted it: $(stats examples-kcat)"
step "curl recipe: one JSON example to ingest's POST /v1/domains/examples-curl/examples"
curl -fsS -H 'Content-Type: application/json' -d '{"examples":[{"text":"Where is my card?","label":"card_arrival"}]}' \
  "$INGEST/v1/domains/examples-curl/examples" | sed 's/^/    /'
echo
wait_for 30 ingested examples-curl 1 || fail "ingest did not accept the curl example: $(stats examples-curl)"
step "ingest accepted it: $(stats examples-curl)"

# ---- training -------------------------------------------------------------------------------------------------
trained() { # a version in the registry and loaded by serving
  curl -fs "$REGISTRY/v1/domains/$1" | "$PY" -c 'import json,sys; sys.exit(0 if (json.load(sys.stdin).get("latestVersion") or 0) >= 1 else 1)' \
    && curl -fs "$SERVING/v1/domains/$1" | "$PY" -c 'import json,sys; sys.exit(0 if (json.load(sys.stdin).get("activeVersion") or 0) >= 1 else 1)'
}
for d in "$PY_DOMAIN" "$NODE_DOMAIN"; do
  step "waiting for a trained version of $d (registry $REGISTRY/v1/domains/$d) served by serving"
  wait_for 150 trained "$d" || fail "no version of $d served after 150 s (registry: $(curl -s "$REGISTRY/v1/domains/$d"); trainer: $(curl -s "http://127.0.0.1:$TRAINER_PORT/v1/domains"))"
  step "$d: $(curl -s "$REGISTRY/v1/domains/$d" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print("latestVersion", d.get("latestVersion"), "aliases", d.get("aliases"))')"
done

# ---- predictions over Kafka --------------------------------------------------------------------------------
check_predictions() { # FILE DOMAIN
  "$PY" - "$1" "$2" "$TEXTS" <<'EOF'
import json, sys
path, domain, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
rows = [json.loads(l) for l in open(path) if l.strip()]
bad = [r for r in rows if not r.get("label") or not isinstance(r.get("version"), int) or r["version"] < 1]
agree = sum(r["label"] == r["expected"] for r in rows)
versions = sorted({r.get("version") for r in rows}, key=str)
print(f"    {len(rows)} of {want} answered, versions {versions}, {agree} agree with the dataset's label")
if len(rows) != want or bad:
    sys.exit(f"{domain}: expected {want} answers each with a label and a version >= 1; wrong: {bad[:3]}")
EOF
}
step "Python predict: $TEXTS requests to domain $PY_DOMAIN over Kafka"
"$PY" examples/python/predict.py --bootstrap "$BOOTSTRAP" --schema-registry "$SCHEMA_REGISTRY" \
  --domain "$PY_DOMAIN" --limit "$TEXTS" --timeout 60 --json >"$WORK/predict-python.jsonl" \
  || { cat "$WORK/predict-python.jsonl"; fail "the Python predict script failed"; }
check_predictions "$WORK/predict-python.jsonl" "$PY_DOMAIN" || fail "the Python predictions are wrong"
step "Node predict: $TEXTS requests to domain $NODE_DOMAIN over Kafka"
node examples/node/predict.js --bootstrap "$BOOTSTRAP" --schema-registry "$SCHEMA_REGISTRY" \
  --domain "$NODE_DOMAIN" --limit "$TEXTS" --timeout 60 --json >"$WORK/predict-node.jsonl" \
  || { cat "$WORK/predict-node.jsonl"; fail "the Node predict script failed"; }
check_predictions "$WORK/predict-node.jsonl" "$NODE_DOMAIN" || fail "the Node predictions are wrong"
step "every request came back with a label and a version"
