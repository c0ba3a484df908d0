#!/usr/bin/env bash
# Runs one node (tracepass-node, or the binary TRACEPASS_NODE names) on the development
# consortium chain spec: instant seal, one authority. scripts/consortium.sh runs the validators.
#   scripts/node.sh start    start (or keep) the node; returns once RPC answers, prints the endpoint
#   scripts/node.sh stop     stop the node this script started (by its pid file)
#   scripts/node.sh status   say whether it runs
# State persists in TRACEPASS_NODE_DIR (default .tracepass/node): a restart sees the chain as it was.
# RPC: 127.0.0.1:${TRACEPASS_RPC_PORT:-9944}, safe methods only; p2p bound to loopback.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

STATE="${TRACEPASS_NODE_DIR:-$ROOT/.tracepass/node}"
PORT="${TRACEPASS_RPC_PORT:-9944}"
P2P="${TRACEPASS_P2P_PORT:-30333}"
SPEC="$ROOT/target/chain-spec/tracepass-consortium.json"
PIDFILE="$STATE/node.pid"
LOG="$STATE/node.log"
URL="http://127.0.0.1:$PORT"

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

ensure_spec() {
  local stamp="$SPEC.node-version" version
  version="$("$NODE_BIN" --version) $(sha256sum "$ROOT/chain-spec/consortium.json" | cut -c1-16)"
  if [ ! -f "$SPEC" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$version" ]; then
    "$ROOT/scripts/chain-spec.sh" "$SPEC" >/dev/null
    echo "$version" >"$stamp"
  fi
}

start() {
  need "$NODE_BIN" "step 4"
  if running; then
    echo "node already running (pid $(cat "$PIDFILE")): ws://127.0.0.1:$PORT"
    return 0
  fi
  mkdir -p "$STATE"
  ensure_spec
  # the network key is generated once per base path (without --dev the node will not invent one)
  if [ ! -f "$STATE/node-key" ]; then
    (umask 077; od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$STATE/node-key")
  fi
  nohup "$NODE_BIN" \
    --chain "$SPEC" --base-path "$STATE/data" \
    --alice --force-authoring --node-key-file "$STATE/node-key" \
    --rpc-methods safe --rpc-port "$PORT" \
    --state-pruning archive-canonical \
    --listen-addr "/ip4/127.0.0.1/tcp/$P2P" --no-mdns --no-prometheus --no-telemetry \
    >>"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 120); do
    if chain="$(rpc "$URL" system_chain)"; then
      echo "node running (pid $(cat "$PIDFILE")): ws://127.0.0.1:$PORT  chain \"$chain\"  log $LOG"
      return 0
    fi
    if ! running; then
      echo "error: the node exited; last lines of $LOG:" >&2
      tail -n 20 "$LOG" >&2
      rm -f "$PIDFILE"
      exit 1
    fi
    sleep 0.5
  done
  echo "error: the node did not answer on $URL within 60 s (log: $LOG)" >&2
  exit 1
}

stop() {
  if ! running; then
    echo "node not running"
    rm -f "$PIDFILE"
    return 0
  fi
  local pid
  pid="$(cat "$PIDFILE")"
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$PIDFILE"
  echo "node stopped (state kept in $STATE)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) if running; then echo "running (pid $(cat "$PIDFILE")): ws://127.0.0.1:$PORT"; else echo "not running"; exit 1; fi ;;
  *) echo "usage: scripts/node.sh start|stop|status" >&2; exit 2 ;;
esac
