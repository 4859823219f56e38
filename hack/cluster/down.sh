#!/usr/bin/env bash
# Stops the local cluster started by up.sh (exactly the recorded pids:
# TERM, then KILL after $SWITCHYARD_STOP_TIMEOUT seconds, default 10) and
# removes .cluster/ at the repo root and the cluster's network namespace.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=dataplane.sh
source "$HERE/dataplane.sh"

main() {
  take_lock
  if [ ! -d "$STATE" ]; then
    log "no cluster recorded in $STATE; nothing to stop"
    return
  fi
  local t0=$EPOCHREALTIME
  # shellcheck source=/dev/null
  NETNS="$(. "$STATE/cluster.env" 2>/dev/null; echo "${NETNS:-}")"
  stop_all
  remove_netns
  rm -rf "$STATE"
  log "cluster stopped and $STATE removed ($(elapsed "$t0")s)"
}

main "$@"
