#!/usr/bin/env bash
# Starts a real Kafka broker (KRaft) from the Kafka jars in /opt/continua/lib, configured the way the
# apache/kafka image is, so one compose file serves both images: every KAFKA_* variable but the JVM ones
# becomes a server property (the prefix dropped, lower case, `_` read as `.`, `__` as `_`, `___` as `-`),
# CLUSTER_ID names the cluster when the log directory is formatted (on the first start only),
# KAFKA_HEAP_OPTS and KAFKA_OPTS are JVM options, and KAFKA_LOG4J_ROOT_LOGLEVEL the log level (WARN).
set -euo pipefail
CONFIG=/var/lib/kafka/server.properties
CLASSPATH="/opt/continua/continua.jar:/opt/continua/lib/*"
: "${CLUSTER_ID:=5L6g3nShT-eMCtK--X86sw}"

property_name() {
  local key="${1#KAFKA_}"
  key="${key//___/-}"
  key="${key//__/$'\x01'}"
  key="${key//_/.}"
  key="${key//$'\x01'/_}"
  printf '%s' "${key,,}"
}

umask 077   # the properties hold the broker's passwords
: >"$CONFIG"
for name in $(compgen -e | grep '^KAFKA_' | sort); do
  case "$name" in
    KAFKA_HEAP_OPTS|KAFKA_OPTS|KAFKA_JVM_PERFORMANCE_OPTS|KAFKA_GC_LOG_OPTS|KAFKA_LOG4J_OPTS|KAFKA_JMX_*|KAFKA_VERSION) ;;
    KAFKA_LOG4J_LOGGERS|KAFKA_TOOLS_LOG4J_LOGLEVEL) ;;
    KAFKA_LOG4J_ROOT_LOGLEVEL) export BROKER_LOG_LEVEL="${!name}" ;;
    *) printf '%s=%s\n' "$(property_name "$name")" "${!name}" >>"$CONFIG" ;;
  esac
done
for required in node.id process.roles log.dirs controller.quorum.voters; do
  grep -q "^$required=" "$CONFIG" || { echo "kafka-broker: set KAFKA_${required//./_} (Kafka's $required)" >&2; exit 2; }
done

JVM=(${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m} ${KAFKA_OPTS:-} -XX:-UsePerfData -Djava.io.tmpdir=/var/lib/kafka -Dlogback.configurationFile=/opt/continua/kafka-logback.xml)
log_dirs="$(sed -n 's/^log\.dirs=//p' "$CONFIG")"
if [ ! -f "${log_dirs%%,*}/meta.properties" ]; then
  echo "kafka-broker: formatting ${log_dirs} for cluster ${CLUSTER_ID}"
  java "${JVM[@]}" -cp "$CLASSPATH" kafka.tools.StorageTool format --cluster-id "$CLUSTER_ID" --config "$CONFIG" --ignore-formatted
fi
exec java "${JVM[@]}" -cp "$CLASSPATH" kafka.Kafka "$CONFIG"
