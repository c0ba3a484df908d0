# Shared by the scripts: paths, the pinned toolchain, tool checks. Source it, do not run it.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUST_PIN=1.86.0
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# pick dependency versions that build on the pinned toolchain, also in cargo-contract's temp workspaces
export CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback
CARGO=(cargo "+$RUST_PIN")

# need TOOL STEP: fail loudly, naming the setup step that installs TOOL.
need() {
  local tool="$1" step="$2"
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "error: '$tool' is not installed. scripts/setup.sh installs it ($step): run ./scripts/setup.sh" >&2
    exit 3
  fi
}

need_toolchain() {
  if ! rustup toolchain list 2>/dev/null | grep -q "^$RUST_PIN-"; then
    echo "error: Rust $RUST_PIN is not installed. scripts/setup.sh installs it (step 1): run ./scripts/setup.sh" >&2
    exit 3
  fi
}

# The node the scripts and suites run: tracepass-node, or the binary TRACEPASS_NODE names (e.g.
# substrate-contracts-node, the reference node: scripts/setup.sh --reference-node).
NODE_BIN="${TRACEPASS_NODE:-tracepass-node}"

# need_node_tools: what running a node and the contracts on it takes (the pinned toolchain,
# cargo-contract, the node, python3 for rpc).
need_node_tools() {
  need_toolchain
  need cargo-contract "step 3"
  if [ "$(basename "$NODE_BIN")" = substrate-contracts-node ]; then
    need "$NODE_BIN" "step 4b, with --reference-node"
  else
    need "$NODE_BIN" "step 4"
  fi
  need python3 "a system package"
}

# rpc URL METHOD: prints the JSON-RPC answer's result, or fails.
rpc() {
  python3 - "$1" "$2" <<'PY'
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1], data=json.dumps({"id": 1, "jsonrpc": "2.0", "method": sys.argv[2], "params": []}).encode(), headers={"Content-Type": "application/json"})
try:
    print(json.load(urllib.request.urlopen(req, timeout=2))["result"])
except Exception as e:
    sys.exit(1)
PY
}
