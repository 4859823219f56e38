#!/usr/bin/env bash
# The README's main job on an embedded default: start the local cluster, install the demo
# chart (testdata/chart) with the post-renderer at 1.0.0, upgrade it to 2.0.0, and drive
# the canary with `kubectl canary run --wait` and its live view; then show status and history.
#   npm run demo                      # Helm 4 (the plugin), namespace "demo"
#   SWITCHYARD_DEMO_HELM=3 npm run demo  # Helm 3 (the executable by path)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
NS=${SWITCHYARD_DEMO_NAMESPACE:-demo}
HELM_MAJOR=${SWITCHYARD_DEMO_HELM:-4}

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Real helm and kubectl binaries"
node hack/tools.mjs
step "Build switchyard"
node esbuild.config.mjs
step "Local control plane (the first run builds it from Go modules: several minutes)"
bash hack/cluster/up.sh

export KUBECONFIG=$ROOT/.cluster/kubeconfig
export PATH=$ROOT/dist:$ROOT/.tools/bin:$PATH
if [ "$HELM_MAJOR" = 3 ]; then
  HELM=$ROOT/.tools/helm3/helm
  POST=(--post-renderer "$ROOT/dist/switchyard-postrender")
else
  HELM=$ROOT/.tools/helm4/helm
  export HELM_PLUGINS=$ROOT/plugins
  POST=(--post-renderer switchyard)
fi

# With the data plane (as root), the route attaches to the cluster's Gateway and the
# canary runs under steady load, whose per-second split is shown afterwards.
DATA_PLANE=$(. "$ROOT/.cluster/cluster.env" && echo "${DATA_PLANE:-off}")
ROUTE=(--set httpRoute.enabled=true)
if [ "$DATA_PLANE" = on ]; then
  ROUTE+=(--set 'httpRoute.parentRefs[0].name=gateway' --set 'httpRoute.parentRefs[0].namespace=switchyard-system'
    --set "httpRoute.hostname=$NS.switchyard.test")
fi

step "Fresh namespace $NS"
kubectl delete namespace "$NS" --ignore-not-found --wait=true >/dev/null
kubectl create namespace "$NS" >/dev/null

step "helm upgrade --install web (1.0.0) ${POST[*]}"
"$HELM" upgrade --install web testdata/chart -n "$NS" "${ROUTE[@]}" "${POST[@]}" --wait --timeout 2m
kubectl canary status web -n "$NS"

step "helm upgrade web to 2.0.0: it starts beside 1.0.0 with 0% of the traffic"
"$HELM" upgrade --install web testdata/chart -n "$NS" "${ROUTE[@]}" --set image.tag=2.0.0 "${POST[@]}"
kubectl get deployments,services,httproutes -n "$NS"

LOAD_PID=
GATES=()
if [ "$DATA_PLANE" = on ]; then
  # With real traffic, the canary is also judged by what it answers (docs/analysis.md):
  # the success rate Traefik counts, read from Prometheus through the API server.
  GATES=(--prometheus service/switchyard-system/prometheus:web
    --gate 'request-success-rate >= 99%; interval=6s; initialDelay=6s; inconclusiveLimit=2')
  step "Steady load through the Gateway: 50 requests/s (at most 3 minutes)"
  node hack/load/load.ts --host "$NS.switchyard.test" --rate 50 --concurrency 4 --count 9000 --duration 3m \
    >"$ROOT/.cluster/demo-load.txt" 2>&1 &
  LOAD_PID=$!
fi

step "kubectl canary run web --wait ${GATES[*]:+(with an analysis gate)}"
kubectl canary run web -n "$NS" --wait --steps 10,pause:2s,25,pause:2s,50,pause:2s,100 --scale-down-delay 3s --timeout 5m "${GATES[@]}"

if [ -n "$LOAD_PID" ]; then
  kill -TERM "$LOAD_PID" 2>/dev/null || true
  wait "$LOAD_PID" || true
  step "What the Gateway answered during the canary, per second (count per version)"
  cat "$ROOT/.cluster/demo-load.txt"
fi

step "kubectl canary status web"
kubectl canary status web -n "$NS"
step "kubectl canary history web"
kubectl canary history web -n "$NS"
printf '\nThe cluster keeps running: KUBECONFIG=%s kubectl get all -n %s\nStop it with: npm run cluster:down\n' "$KUBECONFIG" "$NS"
