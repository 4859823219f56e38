# shellcheck shell=bash disable=SC2034 # variables are used by up.sh and down.sh
# Shared by up.sh and down.sh (sourced, not run). Knows where the cluster's
# state lives and how to start, check and stop its processes.
#   .cluster/cluster.env     ports and binary directory of the running cluster
#   .cluster/pids/<name>.pid one per process (name = binary name)
#   .cluster/logs/<name>.log stdout+stderr of each process
#   .cluster/pki, .cluster/etcd, .cluster/kwok.yaml, .cluster/kubeconfig

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="$ROOT/.cluster"
KUBECONFIG_PATH="$STATE/kubeconfig"
KUBECTL="$ROOT/.tools/bin/kubectl"

# Start order; stop runs in reverse.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Seconds since $1 (an $EPOCHREALTIME value), one decimal.
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# One lock per checkout, outside .cluster/ (which down.sh deletes), so that
# concurrent up/down calls from parallel test runs take turns.
take_lock() {
  local lock
  lock="${TMPDIR:-/tmp}/switchyard-cluster-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12).lock"
  exec 9>"$lock"
  flock 9
}

pid_of() { cat "$STATE/pids/$1.pid" 2>/dev/null || true; }

# True if the recorded pid of component $1 is alive and still runs that binary
# (guards against a recycled pid).
alive() {
  local pid argv0
  pid="$(pid_of "$1")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  argv0="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n1)"
  [ "$(basename "$argv0")" = "$1" ]
}

# start NAME ARGS...: runs $BIN/NAME in a new session (setsid), so it is not
# tied to this shell, its terminal or the test runner that called us, and
# outlives all of them. No fd of ours leaks into it (the lock on fd 9 is closed).
start() {
  local name="$1"; shift
  local pidfile="$STATE/pids/$name.pid"
  rm -f "$pidfile"
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner sh
  (cd "$STATE" && exec setsid sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$BIN/$name" "$@" \
    >"$STATE/logs/$name.log" 2>&1 </dev/null 9>&-) &
  local i
  for i in $(seq 50); do [ -s "$pidfile" ] && break; sleep 0.1; done
  [ -s "$pidfile" ] || die "$name did not start (see $STATE/logs/$name.log)"
}

# Stops every recorded process, newest first: TERM, then KILL after
# $SWITCHYARD_STOP_TIMEOUT seconds (default 10).
stop_all() {
  local deadline="${SWITCHYARD_STOP_TIMEOUT:-10}" i name pid
  for (( i=${#COMPONENTS[@]}-1; i>=0; i-- )); do
    name="${COMPONENTS[$i]}"
    alive "$name" || continue
    pid="$(pid_of "$name")"
    kill -TERM "$pid" 2>/dev/null || true
    local waited=0
    while alive "$name" && [ "$waited" -lt "$(( deadline * 10 ))" ]; do sleep 0.1; waited=$(( waited + 1 )); done
    if alive "$name"; then
      log "$name (pid $pid) ignored TERM for ${deadline}s; sending KILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped $name (pid $pid)"
  done
}
