#!/usr/bin/env bash
# Starts the local cluster, or reuses the one already running: etcd,
# kube-apiserver (RBAC on), kube-controller-manager, kube-scheduler and kwok
# with one fake node, state in .cluster/ at the repo root; installs the CRDs
# from testdata/crds (Gateway API, Istio, Traefik). With a network namespace
# (root), all of it runs inside the cluster's own namespace together with the
# data plane (dataplane.sh: Traefik as the Gateway, the pod runner, Prometheus),
# and the API server's port is forwarded to the host's 127.0.0.1. Without one
# (not root, or SWITCHYARD_DATA_PLANE=off), the control plane alone runs on the
# host's 127.0.0.1. Kubeconfig: .cluster/kubeconfig. Stop with hack/cluster/down.sh.
#
# If SWITCHYARD_CLUSTER_OWNER is set when a new cluster is started, its value is
# written to .cluster/owner (test/e2e/global-setup.ts uses it to know whether its
# run started the cluster).
#
# Ports are free ones picked at start; override any with SWITCHYARD_ETCD_PORT,
# SWITCHYARD_ETCD_PEER_PORT, SWITCHYARD_APISERVER_PORT, SWITCHYARD_KCM_PORT,
# SWITCHYARD_SCHEDULER_PORT, SWITCHYARD_GATEWAY_PORT, SWITCHYARD_TRAEFIK_PORT,
# SWITCHYARD_PROMETHEUS_PORT (the last three: host ends of the data plane).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source-path=SCRIPTDIR source=dataplane.sh
source "$HERE/dataplane.sh"

CRD_DIR="$ROOT/testdata/crds"
NODE_NAME=kwok-node-0
SERVICE_CIDR=10.96.0.0/16   # first address 10.96.0.1 is the kubernetes Service
POD_CIDR=10.244.0.0/16      # kwok hands out pod IPs from here
T0=$EPOCHREALTIME

kubectl() { "$KUBECTL" --kubeconfig="$KUBECONFIG_PATH" "$@"; }
apiserver_ready() { [ "$(kubectl get --raw=/readyz --request-timeout=5s 2>/dev/null)" = ok ]; }
secure_healthz() { in_ns curl -sfk "https://127.0.0.1:$1/healthz"; }

# True if a recorded cluster is fully alive and its apiserver answers /readyz.
healthy() {
  [ -f "$STATE/cluster.env" ] && [ -f "$STATE/pids/order" ] || return 1
  local c
  for c in $(started_components); do alive "$c" || return 1; done
  apiserver_ready
}

# Runs a command silently, showing its output only if it fails.
quietly() {
  local out
  out="$("$@" 2>&1)" || { printf '%s\n' "$out" >&2; return 1; }
}

require_tools() {
  local t
  for t in openssl curl setsid flock node; do
    command -v "$t" >/dev/null || die "$t is not on PATH"
  done
  [ -x "$KUBECTL" ] || { log "fetching kubectl/helm (node hack/tools.mjs)"; node "$ROOT/hack/tools.mjs"; }
  [ -d "$CRD_DIR" ] || die "no CRDs at $CRD_DIR"
}

# Prints N distinct free TCP ports on 127.0.0.1, held open together so they differ.
free_ports() {
  node -e '
    const net = require("node:net");
    const servers = Array.from({ length: Number(process.argv[1]) }, () => net.createServer());
    Promise.all(servers.map((s) => new Promise((ok) => s.listen(0, "127.0.0.1", ok)))).then(() => {
      console.log(servers.map((s) => s.address().port).join(" "));
      servers.forEach((s) => s.close());
    });' "$1"
}

choose_ports() {
  local ports
  read -r -a ports <<<"$(free_ports 8)"
  ETCD_PORT="${SWITCHYARD_ETCD_PORT:-${ports[0]}}"
  ETCD_PEER_PORT="${SWITCHYARD_ETCD_PEER_PORT:-${ports[1]}}"
  APISERVER_PORT="${SWITCHYARD_APISERVER_PORT:-${ports[2]}}"
  KCM_PORT="${SWITCHYARD_KCM_PORT:-${ports[3]}}"
  SCHEDULER_PORT="${SWITCHYARD_SCHEDULER_PORT:-${ports[4]}}"
  GATEWAY_PORT="${SWITCHYARD_GATEWAY_PORT:-${ports[5]}}"
  TRAEFIK_PORT="${SWITCHYARD_TRAEFIK_PORT:-${ports[6]}}"
  PROMETHEUS_PORT="${SWITCHYARD_PROMETHEUS_PORT:-${ports[7]}}"
  cat >"$STATE/cluster.env" <<EOF
BIN=$BIN
NETNS=$NETNS
DATA_PLANE=$([ -n "$NETNS" ] && echo on || echo off)
SOCK_DIR=$SOCK_DIR
TRAEFIK_BIN=${TRAEFIK_BIN:-}
PROMETHEUS_BIN=${PROMETHEUS_BIN:-}
ETCD_PORT=$ETCD_PORT
ETCD_PEER_PORT=$ETCD_PEER_PORT
APISERVER_PORT=$APISERVER_PORT
KCM_PORT=$KCM_PORT
SCHEDULER_PORT=$SCHEDULER_PORT
EOF
  [ -z "$NETNS" ] || cat >>"$STATE/cluster.env" <<EOF
GATEWAY_PORT=$GATEWAY_PORT
TRAEFIK_PORT=$TRAEFIK_PORT
PROMETHEUS_PORT=$PROMETHEUS_PORT
EOF
}

# One CA and one admin certificate (O=system:masters) that also serves the
# apiserver and signs service-account tokens, as kwokctl does.
make_pki() {
  local d="$STATE/pki"
  quietly openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" -days 3650 \
    -subj "/CN=switchyard-ca" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature"
  quietly openssl req -newkey rsa:2048 -nodes -keyout "$d/admin.key" -out "$d/admin.csr" \
    -subj "/O=system:masters/CN=switchyard-admin"
  cat >"$d/admin.ext" <<'EOF'
basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:10.96.0.1
EOF
  quietly openssl x509 -req -in "$d/admin.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial -days 3650 \
    -sha256 -extfile "$d/admin.ext" -out "$d/admin.crt"
}

# Paths are relative to the kubeconfig's own directory, so clients resolve them from anywhere.
write_kubeconfig() {
  cat >"$KUBECONFIG_PATH" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: switchyard
  cluster: {server: "https://127.0.0.1:$APISERVER_PORT", certificate-authority: pki/ca.crt}
users:
- name: switchyard-admin
  user: {client-certificate: pki/admin.crt, client-key: pki/admin.key}
contexts:
- name: switchyard
  context: {cluster: switchyard, user: switchyard-admin}
current-context: switchyard
EOF
}

write_kwok_config() {
  local f first=1
  for f in node-initialize node-heartbeat-with-lease pod-ready pod-complete pod-delete pod-never-ready pod-crash; do
    [ "$first" = 1 ] || echo '---'
    first=0
    cat "$HERE/stages/$f.yaml"
  done >"$STATE/kwok.yaml"
}

# wait_until DESCRIPTION TIMEOUT_SECONDS COMMAND...: polls COMMAND, failing
# early with the log tail if a started process has died meanwhile.
wait_until() {
  local what="$1" timeout="$2"; shift 2
  local t0=$EPOCHREALTIME c
  until "$@" >/dev/null 2>&1; do
    for c in "${STARTED[@]}"; do
      alive "$c" || { tail -n 20 "$STATE/logs/$c.log" >&2; die "$c exited while waiting for $what (log: $STATE/logs/$c.log)"; }
    done
    if awk -v a="$t0" -v b="$EPOCHREALTIME" -v t="$timeout" 'BEGIN { exit !(b - a > t) }'; then
      die "timed out after ${timeout}s waiting for $what"
    fi
    sleep 0.25
  done
  log "$what ($(elapsed "$t0")s)"
}

start_etcd() {
  start etcd --name=node0 --data-dir="$STATE/etcd" \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="node0=http://127.0.0.1:$ETCD_PEER_PORT" \
    --auto-compaction-retention=1 --quota-backend-bytes=8589934592 --unsafe-no-fsync=true
  STARTED+=(etcd)
  wait_until "etcd healthy on 127.0.0.1:$ETCD_PORT" 30 in_ns curl -sf "http://127.0.0.1:$ETCD_PORT/health"
}

start_apiserver() {
  local pki="$STATE/pki"
  start kube-apiserver \
    --etcd-servers="http://127.0.0.1:$ETCD_PORT" --etcd-prefix=/registry \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$APISERVER_PORT" \
    --tls-cert-file="$pki/admin.crt" --tls-private-key-file="$pki/admin.key" --client-ca-file="$pki/ca.crt" \
    --service-account-key-file="$pki/admin.key" --service-account-signing-key-file="$pki/admin.key" \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-cluster-ip-range="$SERVICE_CIDR" \
    --authorization-mode=Node,RBAC --allow-privileged=true --endpoint-reconciler-type=none \
    --proxy-client-cert-file="$pki/admin.crt" --proxy-client-key-file="$pki/admin.key" \
    --requestheader-client-ca-file="$pki/ca.crt" --requestheader-allowed-names=switchyard-admin \
    --requestheader-username-headers=X-Remote-User --requestheader-group-headers=X-Remote-Group \
    --requestheader-extra-headers-prefix=X-Remote-Extra-
  STARTED+=(kube-apiserver)
  wait_until "kube-apiserver ready on https://127.0.0.1:$APISERVER_PORT" 120 apiserver_ready
}

start_controllers() {
  # shellcheck disable=SC2054 # the commas belong to the flag's value
  local common=(--kubeconfig="$KUBECONFIG_PATH" --bind-address=127.0.0.1 --leader-elect=false
    --authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics)
  start kube-controller-manager "${common[@]}" --secure-port="$KCM_PORT" \
    --root-ca-file="$STATE/pki/ca.crt" --service-account-private-key-file="$STATE/pki/admin.key"
  start kube-scheduler "${common[@]}" --secure-port="$SCHEDULER_PORT"
  start kwok --kubeconfig="$KUBECONFIG_PATH" --config="$STATE/kwok.yaml" --manage-all-nodes=true \
    --node-lease-duration-seconds=40 --cidr="$POD_CIDR" ${NETNS:+--node-ip="$DATAPLANE_ADDR"}
  STARTED+=(kube-controller-manager kube-scheduler kwok)
  wait_until "kube-controller-manager healthy on 127.0.0.1:$KCM_PORT" 60 secure_healthz "$KCM_PORT"
  wait_until "kube-scheduler healthy on 127.0.0.1:$SCHEDULER_PORT" 60 secure_healthz "$SCHEDULER_PORT"
}

# The fake node has no taint, so charts schedule onto it without tolerations.
add_node() {
  kubectl apply -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $NODE_NAME
  annotations: {node.alpha.kubernetes.io/ttl: "0", kwok.x-k8s.io/node: fake}
  labels: {kubernetes.io/hostname: $NODE_NAME, kubernetes.io/os: linux, kubernetes.io/arch: amd64, type: kwok}
status:
  allocatable: {cpu: "32", memory: 256Gi, pods: "110"}
  capacity: {cpu: "32", memory: 256Gi, pods: "110"}
EOF
  wait_until "node $NODE_NAME Ready" 60 kubectl wait --for=condition=Ready "node/$NODE_NAME" --timeout=2s
}

install_crds() {
  local t0=$EPOCHREALTIME
  kubectl apply --server-side --force-conflicts --field-manager=switchyard-cluster -R -f "$CRD_DIR" >/dev/null
  kubectl wait --for=condition=Established -R -f "$CRD_DIR" --timeout=60s >/dev/null
  log "CRDs from testdata/crds Established: $(kubectl get crd -o name | wc -l) ($(elapsed "$t0")s)"
}

# Runs if up.sh fails part-way: stops what it started and keeps the logs for reading.
on_exit() {
  local rc=$?
  [ "$rc" -eq 0 ] && return
  log "start-up failed; stopping what was started. Logs kept in $STATE/logs/"
  stop_all
  remove_netns
  exit "$rc"
}

main() {
  take_lock
  require_tools
  if healthy; then
    # shellcheck source=/dev/null
    source "$STATE/cluster.env"
    log "cluster already up at https://127.0.0.1:$APISERVER_PORT (reused in $(elapsed "$T0")s); kubeconfig: $KUBECONFIG_PATH"
    exit 0
  fi
  if [ -d "$STATE" ]; then
    log "found a stale or partial cluster in $STATE; stopping it and starting fresh"
    stop_all
    # shellcheck source=/dev/null
    NETNS="$(. "$STATE/cluster.env" 2>/dev/null; echo "${NETNS:-}")" remove_netns
    rm -rf "$STATE"
  fi

  # Everything that needs the network (Go modules, Debian packages) happens
  # here, before any process runs inside the namespace.
  BIN="$(bash "$HERE/build.sh" | tail -n 1)"
  [ -x "$BIN/kube-apiserver" ] || die "build.sh did not produce binaries in '$BIN'"
  log "binaries: $BIN ($(elapsed "$T0")s)"

  STARTED=()
  trap on_exit EXIT
  setup_netns
  if [ -n "$NETNS" ]; then
    TRAEFIK_BIN="$(bash "$HERE/build-traefik.sh" | tail -n 1)"
    [ -x "$TRAEFIK_BIN/traefik" ] || die "build-traefik.sh did not produce a binary in '$TRAEFIK_BIN'"
    PROMETHEUS_BIN="$(bash "$HERE/install-prometheus.sh" | tail -n 1)"
    log "data plane binaries: $TRAEFIK_BIN, $PROMETHEUS_BIN ($(elapsed "$T0")s)"
  fi
  mkdir -p "$STATE"/{pids,logs,pki,etcd}
  choose_ports
  make_pki
  write_kubeconfig
  write_kwok_config

  [ -z "$NETNS" ] || start_forwarders
  start_etcd
  start_apiserver
  start_controllers
  add_node
  wait_until "ServiceAccount default/default created" 60 kubectl -n default get serviceaccount default
  install_crds
  [ -z "$NETNS" ] || start_dataplane
  [ -z "${SWITCHYARD_CLUSTER_OWNER:-}" ] || printf '%s\n' "$SWITCHYARD_CLUSTER_OWNER" >"$STATE/owner"
  trap - EXIT

  log "started in $(elapsed "$T0")s:"
  local c
  for c in $(started_components); do log "  $(printf '%-24s' "$c") pid $(pid_of "$c")"; done
  log "  apiserver https://127.0.0.1:$APISERVER_PORT, etcd 127.0.0.1:$ETCD_PORT (peer $ETCD_PEER_PORT), kcm :$KCM_PORT, scheduler :$SCHEDULER_PORT"
  if [ -n "$NETNS" ]; then
    log "  all in network namespace $NETNS (ip netns exec $NETNS …); on the host's 127.0.0.1: apiserver :$APISERVER_PORT,"
    log "  gateway http://127.0.0.1:$GATEWAY_PORT, traefik http://127.0.0.1:$TRAEFIK_PORT, prometheus http://127.0.0.1:$PROMETHEUS_PORT"
  fi
  log "  kubeconfig $KUBECONFIG_PATH, logs $STATE/logs/"
}

main "$@"
