# shellcheck shell=bash disable=SC2034 # variables are used by up.sh and down.sh
# Shared by up.sh and down.sh (sourced, not run). Knows where the cluster's
# state lives and how to start, check and stop its processes.
#   .cluster/cluster.env     ports, binary directory and network namespace of the running cluster
#   .cluster/pids/<name>.pid one per process
#   .cluster/pids/<name>.cmd the first two words of its command line (to recognise it)
#   .cluster/pids/order      the names in start order (stop runs in reverse)
#   .cluster/logs/<name>.log stdout+stderr of each process
#   .cluster/pki, .cluster/etcd, .cluster/kwok.yaml, .cluster/kubeconfig

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
STATE="$ROOT/.cluster"
KUBECONFIG_PATH="$STATE/kubeconfig"
KUBECTL="$ROOT/.tools/bin/kubectl"

# The control plane, in start order. The data plane (dataplane.sh) adds its own
# processes; .cluster/pids/order records what was started.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

# The cluster's private network namespace, one per checkout: "switchyard-" and a
# short hash of the repository path. Empty when the cluster runs in the host's
# namespace (no data plane). cluster.env records which.
NETNS_NAME="switchyard-$(printf '%s' "$ROOT" | sha256sum | cut -c1-8)"
NETNS=""

# Runs a command inside the cluster's namespace (or here, without one).
in_ns() {
  if [ -n "$NETNS" ]; then nsenter --net="/run/netns/$NETNS" -- "$@"; else "$@"; fi
}

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

# The first two words of a process's command line, one per line.
cmd_head() { { tr '\0' '\n' <"/proc/$1/cmdline"; } 2>/dev/null | head -n2; }

# True if the recorded pid of component $1 is alive and still runs the recorded
# command (guards against a recycled pid).
alive() {
  local pid
  pid="$(pid_of "$1")"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  if [ -f "$STATE/pids/$1.cmd" ]; then
    [ "$(cmd_head "$pid")" = "$(cat "$STATE/pids/$1.cmd")" ]
  else # a cluster started before .cmd files existed: the binary's name
    [ "$(basename "$(cmd_head "$pid" | head -n1)")" = "$1" ]
  fi
}

# Names of the started processes, in start order (the control plane's, for a
# cluster started before the order file existed).
started_components() {
  if [ -f "$STATE/pids/order" ]; then cat "$STATE/pids/order"; else printf '%s\n' "${COMPONENTS[@]}"; fi
}

# run_detached NAME WHERE PROGRAM ARGS...: runs PROGRAM in a new session
# (setsid), so it is not tied to this shell, its terminal or the test runner
# that called us, and outlives all of them; WHERE is "ns" (inside the cluster's
# network namespace, when there is one) or "host". No fd of ours leaks into it
# (the lock on fd 9 is closed).
run_detached() {
  local name="$1" where="$2"; shift 2
  local pidfile="$STATE/pids/$name.pid" enter=()
  [ "$where" = ns ] && [ -n "$NETNS" ] && enter=(nsenter --net="/run/netns/$NETNS" --)
  rm -f "$pidfile"
  printf '%s\n' "$1" "${2:-}" | head -n "$(( $# >= 2 ? 2 : 1 ))" >"$STATE/pids/$name.cmd"
  printf '%s\n' "$name" >>"$STATE/pids/order"
  # shellcheck disable=SC2016 # $$ and $@ belong to the inner sh
  (cd "$STATE" && exec setsid sh -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "${enter[@]}" "$@" \
    >"$STATE/logs/$name.log" 2>&1 </dev/null 9>&-) &
  local i
  for i in $(seq 50); do [ -s "$pidfile" ] && break; sleep 0.1; done
  [ -s "$pidfile" ] || die "$name did not start (see $STATE/logs/$name.log)"
  # The pid file is written before the exec: wait for the program to replace sh.
  for i in $(seq 50); do alive "$name" && return; sleep 0.1; done
  die "$name did not start or exited at once (see $STATE/logs/$name.log)"
}

# start NAME ARGS...: runs the control-plane binary $BIN/NAME in the cluster's namespace.
start() {
  local name="$1"; shift
  run_detached "$name" ns "$BIN/$name" "$@"
}

# Stops every recorded process, newest first: TERM, then KILL after
# $SWITCHYARD_STOP_TIMEOUT seconds (default 10).
stop_all() {
  local deadline="${SWITCHYARD_STOP_TIMEOUT:-10}" name pid
  for name in $(started_components | tac); do
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
