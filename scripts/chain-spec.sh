#!/usr/bin/env bash
# Generates the consortium chain spec from the installed node's own `build-spec --dev` output and
# chain-spec/consortium.json. Usage: scripts/chain-spec.sh [OUT] (default target/chain-spec/tracepass-consortium.json)
# The node is tracepass-node, or the binary TRACEPASS_NODE names (e.g. substrate-contracts-node).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
OUT="${1:-$ROOT/target/chain-spec/tracepass-consortium.json}"
NODE="${TRACEPASS_NODE:-tracepass-node}"
command -v "$NODE" >/dev/null || { echo "$NODE is not installed: run scripts/setup.sh" >&2; exit 1; }
mkdir -p "$(dirname "$OUT")"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
"$NODE" build-spec --dev >"$tmp" 2>/dev/null
python3 - "$tmp" "$ROOT/chain-spec/consortium.json" "$OUT" "$(basename "$NODE")" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1]))
cfg = json.load(open(sys.argv[2]))
spec["name"] = cfg["name"]            # "Development" selects the node's instant-seal service
spec["id"] = cfg["id"]
spec["chainType"] = cfg["chain_type"]
spec["bootNodes"] = []                # the dev spec names a boot node; this chain has none
if sys.argv[4] == "substrate-contracts-node":   # its spec extensions; tracepass-node has none
    spec["relay_chain"] = cfg["relay_chain"]
    spec["para_id"] = cfg["para_id"]
if not spec.get("properties"):
    spec["properties"] = {}
spec["properties"].update({"tokenSymbol": cfg["token_symbol"], "tokenDecimals": cfg["token_decimals"], "ss58Format": 42})
g = spec["genesis"]
rt = g.get("runtimeGenesis", g)
patch = rt.get("patch") or rt.get("config")
if patch is None:
    sys.exit("unexpected build-spec layout: no genesis patch or config")
accounts = [a["address"] for a in cfg["accounts"]]
patch["balances"]["balances"] = [[a, cfg["endowment"]] for a in accounts]
operator = [a["address"] for a in cfg["accounts"] if a["role"] == "operator"][0]
if "sudo" in patch:
    patch["sudo"]["key"] = operator
# written whole, then renamed: concurrent readers (tests starting nodes) never see half a file
import os
tmp = f"{sys.argv[3]}.{os.getpid()}.tmp"
with open(tmp, "w") as f:
    json.dump(spec, f, indent=1)
os.replace(tmp, sys.argv[3])
print(f"chain spec written to {sys.argv[3]} ({len(accounts)} endowed accounts)")
PY
