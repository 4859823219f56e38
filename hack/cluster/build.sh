#!/usr/bin/env bash
# Build the local control plane's binaries from Go modules, once, into a cache
# outside the repository keyed by the pinned versions:
#   kube-apiserver, kube-controller-manager, kube-scheduler (k8s.io/kubernetes),
#   etcd (go.etcd.io/etcd/server/v3) and kwok (sigs.k8s.io/kwok).
# Prints the directory holding the binaries on its last line of stdout.
# Progress goes to stderr. Safe to run concurrently: a lock serialises builds.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
K8S_VERSION=v1.34.4

export GOTOOLCHAIN=local CGO_ENABLED=0
command -v go >/dev/null || { echo "build.sh: go is not on PATH (Go >= 1.24 is needed)" >&2; exit 1; }

key="$(cat "$HERE"/k8sbin/go.sum "$HERE"/etcdbin/go.sum "$HERE"/kwokbin/go.sum "$HERE/build.sh" | sha256sum | cut -c1-12)"
CACHE="${SWITCHYARD_CLUSTER_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/switchyard/cluster-bin/$K8S_VERSION-$key}"
mkdir -p "$CACHE"

exec 9>"$CACHE/.lock"
flock 9

want=(kube-apiserver kube-controller-manager kube-scheduler etcd kwok)
missing=()
for b in "${want[@]}"; do [ -x "$CACHE/$b" ] || missing+=("$b"); done
if [ ${#missing[@]} -eq 0 ]; then
  echo "$CACHE"
  exit 0
fi

log() { printf '[build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
start=$(date +%s)
log "building ${missing[*]} into $CACHE (first build: many minutes on 2 cores)"

# A heartbeat so a long, silent `go build` visibly makes progress.
( while sleep 30; do log "… still building ($(( $(date +%s) - start ))s, $(du -sh "${GOCACHE:-$(go env GOCACHE)}" 2>/dev/null | cut -f1) in GOCACHE)"; done ) &
beat=$!
trap 'kill $beat 2>/dev/null || true' EXIT

needs() { [[ " ${missing[*]} " == *" $1 "* ]]; }

if needs kube-apiserver || needs kube-controller-manager || needs kube-scheduler; then
  LD="-s -w"
  for kv in "gitVersion=$K8S_VERSION" "gitMajor=1" "gitMinor=$(echo "$K8S_VERSION" | cut -d. -f2)" \
            "gitTreeState=clean" "buildDate=2000-01-01T00:00:00Z"; do
    LD="$LD -X k8s.io/component-base/version.$kv -X k8s.io/client-go/pkg/version.$kv"
  done
  for b in kube-apiserver kube-controller-manager kube-scheduler; do
    needs "$b" || continue
    t=$(date +%s)
    log "go build $b"
    (cd "$HERE/k8sbin" && go build -trimpath -tags=selinux,notest,grpcnotrace -ldflags "$LD" \
      -o "$CACHE/$b.tmp" "k8s.io/kubernetes/cmd/$b")
    mv "$CACHE/$b.tmp" "$CACHE/$b"
    log "$b done in $(( $(date +%s) - t ))s"
  done
fi

if needs etcd; then
  t=$(date +%s); log "go build etcd"
  (cd "$HERE/etcdbin" && go build -trimpath -ldflags "-s -w" -o "$CACHE/etcd.tmp" go.etcd.io/etcd/server/v3)
  mv "$CACHE/etcd.tmp" "$CACHE/etcd"
  log "etcd done in $(( $(date +%s) - t ))s"
fi

if needs kwok; then
  t=$(date +%s); log "go build kwok"
  (cd "$HERE/kwokbin" && go build -trimpath -ldflags "-s -w" -o "$CACHE/kwok.tmp" sigs.k8s.io/kwok/cmd/kwok)
  mv "$CACHE/kwok.tmp" "$CACHE/kwok"
  log "kwok done in $(( $(date +%s) - t ))s"
fi

log "all binaries built in $(( $(date +%s) - start ))s"
echo "$CACHE"
