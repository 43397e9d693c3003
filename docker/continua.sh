#!/bin/sh
# The image's entry point: the continua command with JAVA_OPTS (default: half the container's memory as heap;
# TensorFlow's memory is outside the heap). Scratch files go under the data directory.
mkdir -p "$CONTINUA_DATA_DIR/cache/tmp"
exec java ${JAVA_OPTS:--XX:MaxRAMPercentage=50} -XX:-UsePerfData -Djava.io.tmpdir="$CONTINUA_DATA_DIR/cache/tmp" \
  -jar /opt/continua/continua.jar "$@"
