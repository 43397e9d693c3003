#!/usr/bin/env bash
# The docker/ test (CI runs it): builds the images, brings up docker/compose.yaml with podman-compose and
# tries it as a user would, through the published ports only.
#
#  1. Base images from Debian's packages (docker/local-base.sh; kept between runs as a cache), then the
#     Continua image and the broker image (`--target broker`) from docker/Dockerfile with those bases.
#  2. The Kafka cluster (three KRaft nodes), setup (principals, topics, secrets), then every service; waits
#     until each container's own healthcheck passes (podman-compose does not run healthchecks by itself).
#  3. Publishes labeled examples through ingest's HTTP port, waits until a trained version is served by
#     both serving replicas (the second reads artifacts from the registry's read-only replica) and asks both.
#  4. Stops one serving replica and one broker: the other replica keeps answering (clients switch to it
#     themselves: there is no load balancer in the stack), and ingest keeps taking examples with two brokers
#     of three.
#  5. Removes the stopped broker's container and makes it anew on the same volume: it starts from its
#     data (the same log directory, not formatted again, its examples still there) and, with another broker
#     stopped, ingest goes on only because it is back in sync.
#  6. Brings everything down and removes what it made: containers, volumes, network, the images it built
#     (the Debian bases stay as a cache). CONTINUA_DOCKER_KEEP=1 leaves the stack up for a look (the next
#     run removes it first).
#
# Run as root on Debian (it installs podman, podman-compose, runc and debootstrap when missing). Podman
# settings of its own (ulimits root cannot raise here, runc for hybrid cgroups) come from a containers.conf
# under target/docker-test, never /etc. Takes about 3 minutes, a minute more when the bases are made.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
WORK="$ROOT/target/docker-test"
PROJECT=continua-docker-test
COMPOSE=(podman-compose --no-ansi -p "$PROJECT" -f docker/compose.yaml)
PY=/usr/bin/python3
DOMAIN=docker-test

# step, fail, free_ports, apt_install
. "$ROOT/.ci/script-lib.sh"
container() { echo "${PROJECT}_$1_1"; }
# Everything the stack made: containers (5 s to stop), volumes and the network podman-compose 1.0 leaves.
# By label, with podman itself: compose would want the secrets set even to take the stack down.
remove_stack() {
  local label="label=io.podman.compose.project=$PROJECT"
  podman rm -f -t 5 $(podman ps -aq --filter "$label") >>"$WORK/podman.log" 2>&1 || true
  podman volume rm -f $(podman volume ls -q --filter "$label") >>"$WORK/podman.log" 2>&1 || true
  podman network rm -f "${PROJECT}_default" >>"$WORK/podman.log" 2>&1 || true
}

cleanup() {
  local rc=$?
  set +e
  if [ "$rc" != 0 ] && command -v podman >/dev/null; then
    for c in $(podman ps -a --filter "label=io.podman.compose.project=$PROJECT" --format '{{.Names}}'); do
      echo "---- last lines of $c ($(podman inspect -f '{{.State.Status}} exit {{.State.ExitCode}}' "$c")) ----"
      podman logs --tail 15 "$c" 2>&1
    done
  fi
  if [ "${CONTINUA_DOCKER_KEEP:-0}" = 1 ]; then
    echo "kept the stack and its images: docker/test.sh run again removes them first"
  elif command -v podman >/dev/null; then
    step "bringing everything down"
    remove_stack
    # The images the builds made, their stages and cached layers included: the ones not there before that
    # are ours or untagged (and used by no container: no -f).
    if [ -f "$WORK/images-before" ]; then
      made=$(podman images -a --no-trunc --format '{{.ID}} {{.Repository}}:{{.Tag}}' \
        | grep -E " (<none>:<none>|$IMAGE|$BROKER_IMAGE)\$" | cut -d' ' -f1 | sort -u \
        | comm -13 "$WORK/images-before" -)
      [ -z "$made" ] || podman rmi $made >>"$WORK/podman.log" 2>&1
    fi
  fi
  if [ "$rc" = 0 ]; then step "PASS: the images build; the compose stack trains, serves, and goes on with a serving replica and a broker down"
  else step "FAILED (exit $rc)"; fi
  exit "$rc"
}

# ---- what it needs -------------------------------------------------------------------------------------------
rm -rf "$WORK"
mkdir -p "$WORK"
missing=()
for tool in podman podman-compose debootstrap runc curl; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
# Root here may not raise rlimits, so containers get the ones it has; runc, unlike crun, runs on hybrid cgroups.
cat >"$WORK/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=32768:32768"]
[engine]
runtime = "runc"
EOF
export CONTAINERS_CONF="$WORK/containers.conf"
IMAGE=localhost/continua:docker-test
BROKER_IMAGE=localhost/continua-broker:docker-test
trap cleanup EXIT
trap 'exit 130' INT TERM
# A run that was stopped half way (or kept) leaves its stack and images: start from nothing.
remove_stack
podman rmi -f "$IMAGE" "$BROKER_IMAGE" >>"$WORK/podman.log" 2>&1 || true

# ---- images ------------------------------------------------------------------------------------------------
step "base images (docker/local-base.sh; made once, then cached)"
read -r -a BASE_ARGS < <(docker/local-base.sh)
podman images -a --no-trunc --format '{{.ID}}' | sort -u >"$WORK/images-before"
step "building $IMAGE and $BROKER_IMAGE from docker/Dockerfile (${BASE_ARGS[*]}; Maven Central only)"
podman build --pull=never "${BASE_ARGS[@]}" -f docker/Dockerfile -t "$IMAGE" . >"$WORK/build.log" 2>&1 \
  || { tail -n 30 "$WORK/build.log"; fail "podman build failed (log: $WORK/build.log)"; }
podman build --pull=never "${BASE_ARGS[@]}" -f docker/Dockerfile --target broker -t "$BROKER_IMAGE" . \
  >>"$WORK/build.log" 2>&1 || { tail -n 30 "$WORK/build.log"; fail "podman build --target broker failed"; }
version=$(podman run --rm "$IMAGE" --version) && [[ "$version" == "continua "* ]] || fail "the image's continua command does not run"
uid=$(podman run --rm --entrypoint id "$IMAGE" -u) || fail "the image does not run id"
[[ "$uid" =~ ^[1-9][0-9]*$ ]] || fail "the image runs as uid '$uid', not a user of its own"

# ---- the stack ---------------------------------------------------------------------------------------------
read -r REGISTRY_PORT REPLICA_PORT INGEST_PORT SERVING_PORT SERVING_2_PORT < <(free_ports 5)
secret() { "$PY" -c 'import secrets; print(secrets.token_urlsafe(18))'; }
export KAFKA_IMAGE="$BROKER_IMAGE" CONTINUA_IMAGE="$IMAGE" \
  CONTINUA_ADMIN_TOKEN="$(secret)" CONTINUA_TRAINER_TOKEN="$(secret)" \
  KAFKA_BROKER_PASSWORD="$(secret)" KAFKA_ADMIN_PASSWORD="$(secret)" \
  CONTINUA_REGISTRY_PORT="$REGISTRY_PORT" CONTINUA_REGISTRY_REPLICA_PORT="$REPLICA_PORT" \
  CONTINUA_INGEST_PORT="$INGEST_PORT" CONTINUA_SERVING_PORT="$SERVING_PORT" CONTINUA_SERVING_2_PORT="$SERVING_2_PORT"
for secret in CONTINUA_ADMIN_TOKEN CONTINUA_TRAINER_TOKEN KAFKA_BROKER_PASSWORD KAFKA_ADMIN_PASSWORD; do
  refusal=$(env -u "$secret" "${COMPOSE[@]}" ps 2>&1) && fail "compose ran without $secret"
  grep -q "set $secret (" <<<"$refusal" || fail "compose does not say that $secret is unset: $(tail -n 1 <<<"$refusal")"
done
step "compose refuses to run without each of its four secrets, naming it"
REGISTRY="http://127.0.0.1:$REGISTRY_PORT"
REPLICA="http://127.0.0.1:$REPLICA_PORT"
INGEST="http://127.0.0.1:$INGEST_PORT"
SERVING="http://127.0.0.1:$SERVING_PORT"
SERVING_2="http://127.0.0.1:$SERVING_2_PORT"

# Waits until the command succeeds, at most SECONDS (returns 1 then): wait_for SECONDS COMMAND...
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 2
  done
}
healthy() { for service in "$@"; do podman healthcheck run "$(container "$service")" || return 1; done; }
up() { "${COMPOSE[@]}" up -d --no-build --no-deps "$@" >>"$WORK/up.log" 2>&1 || { tail -n 20 "$WORK/up.log"; fail "up $* failed"; }; }

BROKERS=(kafka-1 kafka-2 kafka-3)
SERVICES=(registry registry-replica ingest trainer-1 trainer-2 serving-1 serving-2)
step "starting the Kafka cluster: ${BROKERS[*]} (log: $WORK/up.log)"
up "${BROKERS[@]}"
wait_for 120 healthy "${BROKERS[@]}" || fail "the brokers were not healthy after 120 s"
step "setup: principals with their ACLs, topics with three replicas, each service's secrets"
up setup
# Its restart policy (on-failure) retries it while the brokers settle: wait for an exit with 0.
setup_done() { [ "$(podman inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$(container setup)")" = "exited 0" ]; }
wait_for 180 setup_done || fail "setup did not complete: $(podman inspect -f '{{.State.Status}} exit {{.State.ExitCode}}, {{.RestartCount}} restarts' "$(container setup)")"
podman logs "$(container setup)" 2>&1 | tail -n 3 | sed 's/^/    /'
step "starting ${SERVICES[*]}"
up "${SERVICES[@]}"
wait_for 240 healthy "${SERVICES[@]}" || fail "not every service was healthy after 240 s"
step "every container's healthcheck passes"
for port in "$REGISTRY_PORT" "$REPLICA_PORT" "$INGEST_PORT" "$SERVING_PORT" "$SERVING_2_PORT"; do
  curl -fs -o /dev/null "http://127.0.0.1:$port/ready" || fail "nothing ready on the published port $port"
done
for volume in registry-data kafka-1-data; do
  owner=$(podman run --rm -v "${PROJECT}_$volume:/v" --entrypoint stat "$IMAGE" -c %U /v)
  [ "$owner" = continua ] || fail "volume $volume is owned by $owner, not the services' user"
done

# ---- labeled examples in, a trained version out ----------------------------------------------------------
publish() { # publish FROM COUNT: lines FROM..FROM+COUNT-1 of the example set through ingest's HTTP way in
  sed -n "$1,$(($1 + $2 - 1))p" examples/data/intents.jsonl | "$PY" -c '
import json, sys
print(json.dumps({"examples": [{"text": r["text"], "label": r["label"]} for r in map(json.loads, sys.stdin)]}))' \
    | curl -fsS -H 'Content-Type: application/json' --data-binary @- "$INGEST/v1/domains/$DOMAIN/examples" >/dev/null
}
# Examples ingest has taken (duplicates of earlier texts included): each was written to the examples topic.
taken() { curl -fs "$INGEST/v1/domains/$DOMAIN/stats" | "$PY" -c 'import json,sys; s=json.load(sys.stdin); print(s["accepted"] + s["duplicates"])'; }
took_at_least() { [ "$(taken)" -ge "$1" ]; }
step "publishing 160 labeled examples to domain $DOMAIN through ingest's published port"
for from in 1 41 81 121; do publish "$from" 40 || fail "ingest refused the examples"; done
wait_for 60 took_at_least 160 || fail "ingest did not take the examples: $(curl -s "$INGEST/v1/domains/$DOMAIN/stats")"
step "ingest took $(taken)"
served() { # served URL: the serving replica at URL has a version of the domain loaded
  curl -fs "$1/v1/domains/$DOMAIN" | "$PY" -c 'import json,sys; sys.exit(0 if (json.load(sys.stdin).get("activeVersion") or 0) >= 1 else 1)'
}
step "waiting for a trained version served by both replicas"
wait_for 300 served "$SERVING" || fail "serving-1 serves no version after 300 s (registry: $(curl -s "$REGISTRY/v1/domains/$DOMAIN"))"
wait_for 60 served "$SERVING_2" || fail "serving-2 (through the registry replica) serves no version: $(curl -s "$SERVING_2/v1/domains/$DOMAIN")"
for url in "$REGISTRY" "$REPLICA"; do
  step "$url: $(curl -fs "$url/v1/domains/$DOMAIN" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print("latest version", d.get("latestVersion"), "aliases", d.get("aliases"))')"
done
predict() { # predict URL TEXT: prints label and version
  curl -fsS -H 'Content-Type: application/json' -d "$("$PY" -c 'import json,sys; print(json.dumps({"text": sys.argv[1]}))' "$2")" \
    "$1/v1/domains/$DOMAIN/predict" | "$PY" -c '
import json, sys
answer = json.load(sys.stdin)
assert answer["label"] and answer["version"] >= 1, answer
print(answer["label"], "version", answer["version"])'
}
for url in "$SERVING" "$SERVING_2"; do
  answer=$(predict "$url" "Where is my card?") || fail "no prediction from $url"
  step "$url: \"Where is my card?\" -> $answer"
done

# ---- losing a serving replica and a broker ----------------------------------------------------------------
step "stopping serving-1 and kafka-2"
podman stop -t 5 "$(container serving-1)" "$(container kafka-2)" >>"$WORK/podman.log" 2>&1
curl -fs -m 2 -o /dev/null "$SERVING/ready" && fail "serving-1 still answers after its stop"
for _ in $(seq 5); do
  answer=$(predict "$SERVING_2" "I still have not received my new card") || fail "serving-2 failed after serving-1 and kafka-2 stopped"
done
step "serving-2 answered 5 predictions, the last: $answer"
before=$(taken)
publish 161 40 || fail "ingest refused examples with one broker down"
wait_for 90 took_at_least $((before + 40)) || fail "ingest did not take examples with two brokers of three: $(taken) taken, $before before"
step "with two brokers of three ingest took 40 more examples: $before -> $(taken)"

# ---- the broker's data outlives its container -------------------------------------------------------------
on_kafka_2() { podman run --rm -v "${PROJECT}_kafka-2-data:/data" --entrypoint bash "$IMAGE" -c "$1"; }
DIRECTORY_ID='sed -n "s/^directory.id=//p" /data/meta.properties'
LOG_BYTES='cat /data/continua.examples-*/*.log | wc -c'
directory_id=$(on_kafka_2 "$DIRECTORY_ID")
bytes=$(on_kafka_2 "$LOG_BYTES")
[ -n "$directory_id" ] && [ "$bytes" -gt 0 ] || fail "kafka-2's volume holds no formatted log directory with examples"
step "removing kafka-2's container ($bytes bytes of continua.examples on its volume, directory $directory_id) and making it anew"
podman rm -f "$(container kafka-2)" >>"$WORK/podman.log" 2>&1
up kafka-2
wait_for 120 healthy kafka-2 || fail "kafka-2 did not come back"
kafka_2_log=$(podman logs "$(container kafka-2)" 2>&1)
grep -q 'formatting' <<<"$kafka_2_log" && fail "kafka-2 formatted its log directory again"
[ "$(on_kafka_2 "$DIRECTORY_ID")" = "$directory_id" ] || fail "kafka-2's log directory is not the one it had"
[ "$(on_kafka_2 "$LOG_BYTES")" -ge "$bytes" ] || fail "kafka-2 lost examples it held"
step "kafka-2 started from its own data: the same log directory, its examples still there"
# Only kafka-1 and kafka-2 left: examples are acknowledged only once kafka-2 is back in sync (two of three).
step "stopping kafka-3: ingest now needs kafka-2 back in sync"
podman stop -t 5 "$(container kafka-3)" >>"$WORK/podman.log" 2>&1
before=$(taken)
# Acknowledged only with two replicas in sync: retried while kafka-2 catches up (a refusal writes nothing).
wait_for 120 publish 1 40 || fail "ingest refused examples with kafka-1 and kafka-2 for 120 s"
wait_for 120 took_at_least $((before + 40)) || fail "ingest did not take examples with kafka-1 and the renewed kafka-2: $(taken) taken, $before before"
answer=$(predict "$SERVING_2" "Where is my card?") || fail "serving-2 failed with kafka-1 and kafka-2 only"
step "kafka-2 is in sync: ingest went on ($before -> $(taken) taken), serving-2 answered: $answer"
