# What the test scripts share (examples/test.sh, docker/test.sh): sourced, after they set WORK (their folder).
# Progress lines carry the seconds since the script started.
START=$SECONDS
step() { printf '[%3ds] %s\n' $((SECONDS - START)) "$*"; }
fail() { printf '[%3ds] FAIL: %s\n' $((SECONDS - START)) "$*" >&2; exit 1; }

# Prints N free TCP ports on 127.0.0.1, one line, space-separated.
free_ports() {
  /usr/bin/python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])' "$1"
}

# Installs Debian packages when run as root (apt-get install, then once more after apt-get update), logging
# to $WORK/apt.log; otherwise says what to install.
apt_install() {
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    fail "missing $*: install them (Debian: apt-get install $*), or run this script as root"
  fi
  step "installing $* (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "$@" >"$WORK/apt.log" 2>&1 \
    || { apt-get update -q >>"$WORK/apt.log" 2>&1 && apt-get install -y -q "$@" >>"$WORK/apt.log" 2>&1; } \
    || { tail -n 20 "$WORK/apt.log"; fail "apt-get install $* failed"; }
}
