#!/usr/bin/env bash
# DRAFT (issue 15; not yet run: tracepass-node has not been built). A consortium of tracepass-node
# validators on loopback, each with its own base path, ports, node key and session keys,
# permissioned by pallet-node-authorization (genesis well-known nodes) and known to each other
# through --bootnodes.
#
#   scripts/consortium.sh start [N]   start validators 1..N (default: all in the description, 4);
#                                     returns when the finalized height advanced on every one
#   scripts/consortium.sh stop        stop every validator this script started (SIGTERM)
#   scripts/consortium.sh status      pid, best and finalized height, peers of each validator
#   scripts/consortium.sh kill I      SIGKILL validator I (a crash, for the fault tests)
#   scripts/consortium.sh restart I   start validator I again on its base path
#   scripts/consortium.sh spec        (re)generate the spec; only when asked: a new spec is a
#                                     new genesis, and nodes on the old one will not follow it
#
# Validator I: base path $STATE/vI, p2p 127.0.0.1:$((P2P_BASE+I)), RPC 127.0.0.1:$((RPC_BASE+I))
# (safe methods only), archive state (history is read), offchain workers always on (they apply
# the node-authorization peer filter).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

NODE="${TRACEPASS_NODE_BIN:-tracepass-node}"
DESC="${TRACEPASS_CONSORTIUM:-$ROOT/node/chain-spec/consortium.local.json}"
STATE="${TRACEPASS_CONSORTIUM_DIR:-$ROOT/.tracepass/consortium}"
SPEC="$STATE/spec/tracepass-consortium.json"
RAW="$STATE/spec/tracepass-consortium.raw.json"
P2P_BASE="${TRACEPASS_P2P_BASE:-30400}"
RPC_BASE="${TRACEPASS_RPC_BASE:-9950}"

count() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["validators"]))' "$DESC"; }
field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["validators"][int(sys.argv[2])-1].get(sys.argv[3], ""))' "$DESC" "$1" "$2"; }
dir_of() { echo "$STATE/v$1"; }
pid_of() { cat "$(dir_of "$1")/node.pid" 2>/dev/null || true; }
running() { local p; p="$(pid_of "$1")"; [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
url_of() { echo "http://127.0.0.1:$((RPC_BASE + $1))"; }

# call URL METHOD [PARAMS_JSON]: prints the result as JSON, or fails.
call() {
  python3 - "$1" "$2" "${3:-[]}" <<'PY'
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=json.dumps({"id": 1, "jsonrpc": "2.0", "method": sys.argv[2], "params": json.loads(sys.argv[3])}).encode(), headers={"Content-Type": "application/json"})
try:
    r = json.load(urllib.request.urlopen(req, timeout=2))
    if "error" in r:
        sys.exit(1)
    print(json.dumps(r["result"]))
except Exception:
    sys.exit(1)
PY
}

finalized() {
  local u h
  u="$(url_of "$1")"
  h="$(call "$u" chain_getFinalizedHead)" || return 1
  call "$u" chain_getHeader "[$h]" | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["number"], 16))'
}

best() {
  call "$(url_of "$1")" chain_getHeader | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["number"], 16))'
}

peer_id() { "$NODE" key inspect-node-key --file "$(dir_of "$1")/node-key" 2>/dev/null; }

spec() {
  need "$NODE" "tracepass-node"
  mkdir -p "$STATE/spec"
  python3 "$ROOT/node/chain-spec/consortium_spec.py" --node "$(command -v "$NODE")" build "$DESC" "$SPEC"
}

prepare() {  # prepare I: node key and session keys in validator I's base path (offline)
  local i="$1" d suri key
  d="$(dir_of "$i")"
  mkdir -p "$d"
  if [ ! -f "$d/node-key" ]; then
    key="$(field "$i" dev_node_key)"
    [ -n "$key" ] || { echo "error: validators[$((i-1))] has no dev_node_key; a real member brings its own node key file" >&2; exit 2; }
    (umask 077; printf '%s' "$key" >"$d/node-key")
  fi
  if [ ! -f "$d/keys-inserted" ]; then
    suri="$(field "$i" dev_suri)"
    [ -n "$suri" ] || { echo "error: validators[$((i-1))] has no dev_suri; a real member inserts its own keys" >&2; exit 2; }
    # author_insertKey is an unsafe RPC method: keys go into the keystore offline.
    "$NODE" key insert --chain "$RAW" --base-path "$d/data" --scheme sr25519 --key-type aura --suri "$suri"
    "$NODE" key insert --chain "$RAW" --base-path "$d/data" --scheme ed25519 --key-type gran --suri "$suri"
    touch "$d/keys-inserted"
  fi
}

launch() {  # launch I N: start validator I of N (already prepared)
  local i="$1" n="$2" d j boot=()
  d="$(dir_of "$i")"
  for j in $(seq 1 "$n"); do
    [ "$j" = "$i" ] && continue
    boot+=("/ip4/127.0.0.1/tcp/$((P2P_BASE + j))/p2p/$(peer_id "$j")")
  done
  # --bootnodes takes one or more addresses: none at all for a one-validator chain
  [ ${#boot[@]} -gt 0 ] && boot=(--bootnodes "${boot[@]}")
  nohup "$NODE" \
    --chain "$RAW" --base-path "$d/data" --name "validator-$i" \
    --validator --node-key-file "$d/node-key" \
    --listen-addr "/ip4/127.0.0.1/tcp/$((P2P_BASE + i))" \
    "${boot[@]}" \
    --allow-private-ip --discover-local --no-mdns \
    --rpc-port "$((RPC_BASE + i))" --rpc-methods safe \
    --state-pruning archive --offchain-worker always \
    --no-prometheus --no-telemetry \
    >>"$d/node.log" 2>&1 &
  echo $! >"$d/node.pid"
}

wait_rpc() {
  local i="$1"
  for _ in $(seq 1 120); do
    call "$(url_of "$i")" system_chain >/dev/null && return 0
    running "$i" || { echo "error: validator $i exited; last lines of $(dir_of "$i")/node.log:" >&2; tail -n 20 "$(dir_of "$i")/node.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "error: validator $i did not answer on $(url_of "$i") within 60 s" >&2
  exit 1
}

# wait_finality I...: until every listed validator's finalized height is above where it was.
wait_finality() {
  local i f deadline=$(( $(date +%s) + ${TRACEPASS_FINALITY_TIMEOUT:-180} ))
  declare -A from=()
  for i in "$@"; do from[$i]="$(finalized "$i" || echo 0)"; done
  while :; do
    local all=1
    for i in "$@"; do
      f="$(finalized "$i" || echo 0)"
      [ "$f" -gt "${from[$i]}" ] || all=0
    done
    [ "$all" = 1 ] && return 0
    [ "$(date +%s)" -lt "$deadline" ] || { echo "error: finality did not advance on every validator within ${TRACEPASS_FINALITY_TIMEOUT:-180} s" >&2; status >&2; exit 1; }
    sleep 2
  done
}

start() {
  need "$NODE" "tracepass-node"
  local n="${1:-$(count)}" i
  [ -f "$RAW" ] || spec
  for i in $(seq 1 "$n"); do prepare "$i"; done
  for i in $(seq 1 "$n"); do running "$i" || launch "$i" "$n"; done
  for i in $(seq 1 "$n"); do wait_rpc "$i"; done
  wait_finality $(seq 1 "$n")
  echo "$n validators running; finalized heights advance"
  status
}

stop() {
  local i p
  for d in "$STATE"/v*; do
    [ -d "$d" ] || continue
    i="${d##*/v}"
    if running "$i"; then
      p="$(pid_of "$i")"
      kill "$p"
      for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$p" 2>/dev/null && kill -9 "$p"
    fi
    rm -f "$d/node.pid"
  done
  echo "consortium stopped"
}

status() {
  local i
  for d in "$STATE"/v*; do
    [ -d "$d" ] || continue
    i="${d##*/v}"
    if running "$i"; then
      echo "validator $i: pid $(pid_of "$i") best $(best "$i" || echo ?) finalized $(finalized "$i" || echo ?) peers $(call "$(url_of "$i")" system_health | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"])' || echo ?)"
    else
      echo "validator $i: not running"
    fi
  done
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  status) status ;;
  kill) [ -n "${2:-}" ] || { echo "usage: $0 kill I" >&2; exit 2; }; running "$2" && kill -9 "$(pid_of "$2")"; rm -f "$(dir_of "$2")/node.pid"; echo "validator $2 killed" ;;
  restart) [ -n "${2:-}" ] || { echo "usage: $0 restart I" >&2; exit 2; }
    n=$(ls -d "$STATE"/v* | wc -l); running "$2" || launch "$2" "$n"; wait_rpc "$2"; echo "validator $2 running" ;;
  spec) spec ;;
  *) sed -n '2,17p' "$0" >&2; exit 2 ;;
esac
