#!/usr/bin/env bash
# Makes sure Debian's `prometheus` package is installed (the local data plane's
# metrics store), installing it with apt-get when it is missing. Idempotent:
# does nothing when /usr/bin/prometheus exists. Needs root (CI runs as root) and
# the Debian package mirror, so it runs before anything enters the cluster's
# network namespace. Prints the binary's path on its last line of stdout.
set -euo pipefail

BIN=/usr/bin/prometheus
log() { printf '[prometheus %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

if [ -x "$BIN" ]; then
  echo "$BIN"
  exit 0
fi
command -v apt-get >/dev/null || { log "error: $BIN is missing and there is no apt-get to install Debian's prometheus package"; exit 1; }
[ "$(id -u)" = 0 ] || { log "error: $BIN is missing; install it as root: apt-get install -y prometheus"; exit 1; }

t=$(date +%s)
log "installing Debian's prometheus package (apt-get)"
# The package's own service is not wanted (the cluster starts its own
# Prometheus); where systemd runs, the maintainer script starts it anyway, so
# stop it again. Containers without an init skip that step by themselves.
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends prometheus >/dev/null 2>&1; then
  apt-get update >/dev/null
  apt-get install -y --no-install-recommends prometheus >/dev/null
fi
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
[ -x "$BIN" ] || { log "error: apt-get finished but $BIN is missing"; exit 1; }
log "installed $("$BIN" --version 2>&1 | head -n1) in $(( $(date +%s) - t ))s"
echo "$BIN"
