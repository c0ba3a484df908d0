#!/usr/bin/env bash
# A consortium of tracepass-node validators on loopback, each with its own base path, ports, node
# key and session keys, permissioned by pallet-node-authorization (genesis well-known nodes) and
# known to each other through --bootnodes.
#
#   scripts/consortium.sh start [N]   start validators 1..N (default: all in the description) and
#                                     its full nodes; returns when the finalized height advanced
#                                     on every validator
#   scripts/consortium.sh stop        stop every node this script started (SIGTERM)
#   scripts/consortium.sh status      pid, best and finalized height, peers of each node
#   scripts/consortium.sh kill I      SIGKILL validator I (a crash, for the fault tests)
#   scripts/consortium.sh restart I   start validator I again on its base path
#   scripts/consortium.sh join I      start candidate I (the description's "candidates", not in
#                                     the genesis) as a validator with --joining: it peers once
#                                     the council authorizes its node ID and authors once the
#                                     council adds it to the validator set and it set its keys
#   scripts/consortium.sh keys v|c I  public keys and node ID of validator / candidate I (JSON)
#   scripts/consortium.sh url v|f|c I its RPC endpoint (ws://)
#   scripts/consortium.sh spec        (re)generate the spec; only when asked: a new spec is a
#                                     new genesis, and nodes on the old one will not follow it
#
# Node "vI" (validator I), "fI" (full node I), "cI" (candidate I): base path $STATE/<node>,
# p2p 127.0.0.1:$P2P_BASE+{I, 10+I, 20+I}, RPC 127.0.0.1:$RPC_BASE+{I, 10+I, 20+I} (safe methods
# only), archive state (history is read), offchain workers always on (they apply the
# node-authorization peer filter). Development keys only: a real member brings its own.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

NODE="${TRACEPASS_NODE_BIN:-tracepass-node}"
DESC="${TRACEPASS_CONSORTIUM:-$ROOT/node/chain-spec/consortium.local.json}"
STATE="${TRACEPASS_CONSORTIUM_DIR:-$ROOT/.tracepass/consortium}"
SPEC="$STATE/spec/tracepass-consortium.json"
RAW="$STATE/spec/tracepass-consortium.raw.json"
P2P_BASE="${TRACEPASS_P2P_BASE:-30400}"
RPC_BASE="${TRACEPASS_RPC_BASE:-9950}"

# list KIND: how many entries the description has of validators / full_nodes / candidates
count() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1])).get(sys.argv[2], [])))' "$DESC" "$1"; }
# field NODE KEY: a field of node vI / fI / cI's entry in the description
field() {
  python3 -c 'import json,sys
kinds = {"v": "validators", "f": "full_nodes", "c": "candidates"}
e = json.load(open(sys.argv[1])).get(kinds[sys.argv[2][0]], [])
i = int(sys.argv[2][1:]) - 1
print(e[i].get(sys.argv[3], "") if 0 <= i < len(e) else "")' "$DESC" "$1" "$2"
}
offset() { case "$1" in v*) echo "${1#v}" ;; f*) echo $((10 + ${1#f})) ;; c*) echo $((20 + ${1#c})) ;; esac; }
dir_of() { echo "$STATE/$1"; }
pid_of() { cat "$(dir_of "$1")/node.pid" 2>/dev/null || true; }
running() { local p; p="$(pid_of "$1")"; [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }
url_of() { echo "http://127.0.0.1:$((RPC_BASE + $(offset "$1")))"; }
valid_node() { [[ "$1" =~ ^[vfc][1-9][0-9]?$ ]] && [ -n "$(field "$1" name)$(field "$1" dev_node_key)" ]; }

# call URL METHOD [PARAMS_JSON]: prints the result as JSON, or fails.
call() {
  python3 - "$1" "$2" "${3:-[]}" <<'PY2'
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=json.dumps({"id": 1, "jsonrpc": "2.0", "method": sys.argv[2], "params": json.loads(sys.argv[3])}).encode(), headers={"Content-Type": "application/json"})
try:
    r = json.load(urllib.request.urlopen(req, timeout=2))
    if "error" in r:
        sys.exit(1)
    print(json.dumps(r["result"]))
except Exception:
    sys.exit(1)
PY2
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

prepare() {  # prepare NODE: node key, and for a validator or candidate its session keys (offline)
  local n="$1" d suri key
  d="$(dir_of "$n")"
  mkdir -p "$d"
  if [ ! -f "$d/node-key" ]; then
    key="$(field "$n" dev_node_key)"
    [ -n "$key" ] || { echo "error: $n has no dev_node_key in $DESC; a real member brings its own node key file" >&2; exit 2; }
    (umask 077; printf '%s' "$key" >"$d/node-key")
  fi
  if [ "${n:0:1}" != f ] && [ ! -f "$d/keys-inserted" ]; then
    suri="$(field "$n" dev_suri)"
    [ -n "$suri" ] || { echo "error: $n has no dev_suri in $DESC; a real member inserts its own keys" >&2; exit 2; }
    # author_insertKey is an unsafe RPC method: keys go into the keystore offline; the SURI is
    # passed in a file, never on a command line
    local sf
    sf="$(mktemp)"
    printf '%s' "$suri" >"$sf"
    "$NODE" key insert --chain "$RAW" --base-path "$d/data" --scheme sr25519 --key-type aura --suri "$sf"
    "$NODE" key insert --chain "$RAW" --base-path "$d/data" --scheme ed25519 --key-type gran --suri "$sf"
    rm -f "$sf"
    touch "$d/keys-inserted"
  fi
}

launch() {  # launch NODE: start it (prepared) with every genesis validator as a boot node
  local n="$1" d j boot=() role=()
  d="$(dir_of "$n")"
  for j in $(seq 1 "$(count validators)"); do
    [ "v$j" = "$n" ] && continue
    [ -f "$(dir_of "v$j")/node-key" ] || continue
    boot+=("/ip4/127.0.0.1/tcp/$((P2P_BASE + j))/p2p/$(peer_id "v$j")")
  done
  # --bootnodes takes one or more addresses: none at all for a one-validator chain
  [ ${#boot[@]} -gt 0 ] && boot=(--bootnodes "${boot[@]}")
  case "$n" in
    v*) role=(--validator) ;;
    c*) role=(--validator --joining) ;;
  esac
  nohup "$NODE" \
    --chain "$RAW" --base-path "$d/data" --name "$(field "$n" name | tr ' ' -)" \
    "${role[@]}" --node-key-file "$d/node-key" \
    --listen-addr "/ip4/127.0.0.1/tcp/$((P2P_BASE + $(offset "$n")))" \
    "${boot[@]}" \
    --allow-private-ip --discover-local --no-mdns \
    --rpc-port "$((RPC_BASE + $(offset "$n")))" --rpc-methods safe \
    --state-pruning archive --offchain-worker always \
    --no-prometheus --no-telemetry \
    >>"$d/node.log" 2>&1 &
  echo $! >"$d/node.pid"
}

wait_rpc() {
  local n="$1"
  for _ in $(seq 1 120); do
    call "$(url_of "$n")" system_chain >/dev/null && return 0
    running "$n" || { echo "error: $n exited; last lines of $(dir_of "$n")/node.log:" >&2; tail -n 20 "$(dir_of "$n")/node.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "error: $n did not answer on $(url_of "$n") within 60 s" >&2
  exit 1
}

# wait_finality NODE...: until every listed node's finalized height is above where it was.
wait_finality() {
  local n f deadline=$(( $(date +%s) + ${TRACEPASS_FINALITY_TIMEOUT:-180} ))
  declare -A from=()
  for n in "$@"; do from[$n]="$(finalized "$n" || echo 0)"; done
  while :; do
    local all=1
    for n in "$@"; do
      f="$(finalized "$n" || echo 0)"
      [ "$f" -gt "${from[$n]}" ] || all=0
    done
    [ "$all" = 1 ] && return 0
    [ "$(date +%s)" -lt "$deadline" ] || { echo "error: finality did not advance on every node within ${TRACEPASS_FINALITY_TIMEOUT:-180} s" >&2; status >&2; exit 1; }
    sleep 2
  done
}

start() {
  need "$NODE" "tracepass-node"
  local n="${1:-$(count validators)}" i nodes=()
  [ -f "$RAW" ] || spec
  for i in $(seq 1 "$n"); do nodes+=("v$i"); done
  for i in $(seq 1 "$(count full_nodes)"); do nodes+=("f$i"); done
  for i in "${nodes[@]}"; do prepare "$i"; done
  for i in "${nodes[@]}"; do running "$i" || launch "$i"; done
  for i in "${nodes[@]}"; do wait_rpc "$i"; done
  wait_finality "${nodes[@]}"
  echo "$n validators and $(count full_nodes) full nodes running; finalized heights advance"
  status
}

stop() {
  local d n p
  for d in "$STATE"/[vfc]*; do
    [ -d "$d" ] || continue
    n="${d##*/}"
    if running "$n"; then
      p="$(pid_of "$n")"
      kill "$p"
      for _ in $(seq 1 60); do kill -0 "$p" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$p" 2>/dev/null && kill -9 "$p"
    fi
    rm -f "$d/node.pid"
  done
  echo "consortium stopped"
}

status() {
  local d n
  for d in "$STATE"/[vfc]*; do
    [ -d "$d" ] || continue
    n="${d##*/}"
    if running "$n"; then
      echo "$n: pid $(pid_of "$n") best $(best "$n" || echo ?) finalized $(finalized "$n" || echo ?) peers $(call "$(url_of "$n")" system_health | python3 -c 'import json,sys; print(json.load(sys.stdin)["peers"])' || echo ?)"
    else
      echo "$n: not running"
    fi
  done
}

keys() {  # keys v|c I
  python3 "$ROOT/node/chain-spec/consortium_spec.py" --node "$(command -v "$NODE")" keys "$DESC" \
    "$([ "$1" = c ] && echo candidates || echo validators)" "$(( $2 - 1 ))"
}

usage() { sed -n '2,25p' "$0" >&2; exit 2; }
arg() { [ -n "${1:-}" ] && [[ "$1" =~ ^[0-9]+$ ]] || usage; }

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  status) status ;;
  kill) arg "${2:-}"; running "v$2" && kill -9 "$(pid_of "v$2")"; rm -f "$(dir_of "v$2")/node.pid"; echo "validator $2 killed" ;;
  restart) arg "${2:-}"; valid_node "v$2" || { echo "error: no validator $2 in $DESC" >&2; exit 2; }
    running "v$2" || launch "v$2"; wait_rpc "v$2"; echo "validator $2 running" ;;
  join) arg "${2:-}"; valid_node "c$2" || { echo "error: no candidate $2 in $DESC" >&2; exit 2; }
    [ -f "$RAW" ] || { echo "error: no consortium spec yet: scripts/consortium.sh start first" >&2; exit 2; }
    prepare "c$2"; running "c$2" || launch "c$2"; wait_rpc "c$2"; echo "candidate $2 running: $(url_of "c$2" | sed 's/^http/ws/')" ;;
  keys) [[ "${2:-}" =~ ^[vc]$ ]] || usage; arg "${3:-}"; keys "$2" "$3" ;;
  url) [[ "${2:-}" =~ ^[vfc]$ ]] || usage; arg "${3:-}"; url_of "$2$3" | sed 's/^http/ws/' ;;
  spec) spec ;;
  *) usage ;;
esac
