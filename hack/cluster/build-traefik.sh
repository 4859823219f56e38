#!/usr/bin/env bash
# Build Traefik (the local cluster's Gateway) from the Go module proxy, once,
# into a cache outside the repository keyed by the pinned module graph
# (traefikbin/go.sum) and this script. A separate script and key from build.sh,
# so that changing one never rebuilds the other.
# Next to the binary it puts crds.yaml, Traefik's own CRD definitions from the
# same module (the kubernetescrd provider watches all ten kinds; testdata/crds
# carries three).
# Prints the directory holding both on its last line of stdout.
# Progress goes to stderr. Safe to run concurrently: a lock serialises builds.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TRAEFIK_VERSION=v3.6.12

export GOTOOLCHAIN=local CGO_ENABLED=0
command -v go >/dev/null || { echo "build-traefik.sh: go is not on PATH (Go >= 1.24 is needed)" >&2; exit 1; }

key="$(cat "$HERE/traefikbin/go.mod" "$HERE/traefikbin/go.sum" "$HERE/build-traefik.sh" | sha256sum | cut -c1-12)"
CACHE="${SWITCHYARD_TRAEFIK_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/switchyard/cluster-bin/traefik-$TRAEFIK_VERSION-$key}"
mkdir -p "$CACHE"

exec 9>"$CACHE/.lock"
flock 9

crds() {
  local dir
  dir="$(cd "$HERE/traefikbin" && go list -m -f '{{.Dir}}' github.com/traefik/traefik/v3)"
  cp "$dir/docs/content/reference/dynamic-configuration/kubernetes-crd-definition-v1.yml" "$CACHE/crds.yaml.tmp"
  chmod u+w "$CACHE/crds.yaml.tmp"
  mv "$CACHE/crds.yaml.tmp" "$CACHE/crds.yaml"
}

if [ -x "$CACHE/traefik" ]; then
  [ -f "$CACHE/crds.yaml" ] || crds
  echo "$CACHE"
  exit 0
fi

log() { printf '[build %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
start=$(date +%s)
log "building traefik $TRAEFIK_VERSION into $CACHE (first build: about 10 minutes on 2 cores)"

( while sleep 30; do log "… still building traefik ($(( $(date +%s) - start ))s)"; done ) &
beat=$!
trap 'kill $beat 2>/dev/null || true' EXIT

# Version stamping as Traefik's own Makefile does, so /api/version and the
# start-up log name the release.
LD="-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TRAEFIK_VERSION -X github.com/traefik/traefik/v3/pkg/version.BuildDate=2000-01-01T00:00:00Z"
(cd "$HERE/traefikbin" && go build -trimpath -ldflags "$LD" -o "$CACHE/traefik.tmp" github.com/traefik/traefik/v3/cmd/traefik)
mv "$CACHE/traefik.tmp" "$CACHE/traefik"
crds
log "traefik built in $(( $(date +%s) - start ))s ($(du -h "$CACHE/traefik" | cut -f1))"
echo "$CACHE"
