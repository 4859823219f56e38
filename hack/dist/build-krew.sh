#!/usr/bin/env bash
# Build krew (sigs.k8s.io/krew) from the Go module proxy, once, into a cache
# outside the repository keyed by the pinned version and this script:
#   kubectl-krew            the krew CLI (`kubectl krew …` once it is on PATH)
#   validate-krew-manifest  krew's own manifest validator, the CLI krew-index's CI runs
# Mirrors hack/cluster/build.sh: GOTOOLCHAIN=local, CGO off, a lock so concurrent
# callers take turns, progress on stderr, the cache directory on the last line of stdout.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KREW_VERSION=v0.4.3

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
command -v go >/dev/null || { echo "build-krew.sh: go is not on PATH (Go >= 1.24 is needed)" >&2; exit 1; }

key="$(sha256sum "$HERE/build-krew.sh" | cut -c1-12)"
CACHE="${SWITCHYARD_KREW_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/switchyard/krew-$KREW_VERSION-$key}"
mkdir -p "$CACHE"

exec 9>"$CACHE/.lock"
flock 9

if [ -x "$CACHE/kubectl-krew" ] && [ -x "$CACHE/validate-krew-manifest" ]; then
  echo "$CACHE"
  exit 0
fi

log() { printf '[build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
start=$(date +%s)
log "building krew $KREW_VERSION into $CACHE (first build: a few minutes on 2 cores)"

( while sleep 30; do log "… still building krew ($(( $(date +%s) - start ))s)"; done ) &
beat=$!
trap 'kill $beat 2>/dev/null || true' EXIT

# `go install pkg@version` builds the module exactly as its own go.mod and go.sum pin it.
# The version string is stamped as krew's own release build does (`krew version`).
LD="-s -w -X sigs.k8s.io/krew/internal/version.gitTag=$KREW_VERSION"
tmp="$CACHE/.gobin"
rm -rf "$tmp"
GOBIN="$tmp" go install -trimpath -ldflags "$LD" \
  "sigs.k8s.io/krew/cmd/krew@$KREW_VERSION" "sigs.k8s.io/krew/cmd/validate-krew-manifest@$KREW_VERSION"
mv "$tmp/validate-krew-manifest" "$CACHE/validate-krew-manifest"
mv "$tmp/krew" "$CACHE/kubectl-krew"
rm -rf "$tmp"
log "krew built in $(( $(date +%s) - start ))s"
echo "$CACHE"
