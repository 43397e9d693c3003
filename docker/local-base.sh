#!/usr/bin/env bash
# Makes the two base images docker/Dockerfile takes as build arguments from Debian's packages, for a machine
# where no image registry is reachable (Debian's mirror is enough): a Java 17 runtime (RUNTIME_IMAGE) and,
# on top of it, a JDK with Maven (BUILD_IMAGE). Images that exist already are kept (a cache between runs).
#   docker/local-base.sh      prints the two build arguments to use
# Needs root, podman and debootstrap (apt-get install podman debootstrap); about a minute the first time.
set -euo pipefail
RUNTIME_IMAGE=localhost/continua/debian-jre:bookworm
BUILD_IMAGE=localhost/continua/debian-maven:bookworm
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOTFS="$ROOT/target/docker-base/rootfs"

exists() { podman image inspect "$1" >/dev/null 2>&1; }

if ! exists "$RUNTIME_IMAGE"; then
  [ "$(id -u)" = 0 ] || { echo "local-base: debootstrap needs root" >&2; exit 1; }
  command -v debootstrap >/dev/null || { echo "local-base: install debootstrap (apt-get install debootstrap)" >&2; exit 1; }
  echo "local-base: debootstrap of Debian bookworm with openjdk-17-jre-headless into $ROOTFS" >&2
  rm -rf --one-file-system "$ROOTFS"
  mkdir -p "$ROOTFS"
  trap 'rm -rf --one-file-system "$ROOTFS"' EXIT
  debootstrap --variant=minbase --include=openjdk-17-jre-headless bookworm "$ROOTFS" "$MIRROR" \
    >"$ROOTFS.log" 2>&1 || { tail -n 20 "$ROOTFS.log" >&2; exit 1; }
  # No package lists or apt caches in the image.
  rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb
  tar -C "$ROOTFS" -c . | podman import -q --change 'CMD ["/bin/bash"]' - "$RUNTIME_IMAGE" >/dev/null
  rm -rf --one-file-system "$ROOTFS" "$ROOTFS.log"
  echo "local-base: made $RUNTIME_IMAGE" >&2
fi
if ! exists "$BUILD_IMAGE"; then
  echo "local-base: adding openjdk-17-jdk-headless and maven for $BUILD_IMAGE" >&2
  # This machine's own certificate authorities (those of a TLS-intercepting proxy, say) go in too, so the build
  # stage reaches Maven Central as the machine itself does.
  CONTEXT="$ROOT/target/docker-base/context"
  rm -rf "$CONTEXT"
  mkdir -p "$CONTEXT/ca"
  cp /usr/local/share/ca-certificates/*.crt "$CONTEXT/ca/" 2>/dev/null || true
  printf '%s\n' "FROM $RUNTIME_IMAGE" 'COPY ca/ /usr/local/share/ca-certificates/' \
    'RUN apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends openjdk-17-jdk-headless maven >/dev/null && update-ca-certificates >/dev/null && rm -rf /var/lib/apt/lists/*' \
    >"$CONTEXT/Containerfile"
  podman build --pull=never --layers=false -t "$BUILD_IMAGE" "$CONTEXT" >"$CONTEXT.log" 2>&1 || { tail -n 20 "$CONTEXT.log" >&2; exit 1; }
  rm -rf "$CONTEXT" "$CONTEXT.log"
  echo "local-base: made $BUILD_IMAGE" >&2
fi
echo "--build-arg RUNTIME_IMAGE=$RUNTIME_IMAGE --build-arg BUILD_IMAGE=$BUILD_IMAGE"
