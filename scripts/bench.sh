#!/usr/bin/env bash
# Benchmarks: starts a fresh node (tracepass-node, or TRACEPASS_NODE) on a temporary base path, deploys and
# populates the consortium, and measures registration, verification and cost through the
# tracepass library, each beside its baseline or limit (see BENCHMARKS.md). Prints the table and
# writes the figures to target/bench/bench.json.
# Usage: scripts/bench.sh [--smoke] [--runs N] [--only registration,pipeline,verification,cost,index,resolver,consortium] [--sizes N,N]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_node_tools
cd "$ROOT"

for c in whitelist registry sampling attestation; do
  if [ ! -f "target/ink/$c/$c.contract" ] || [ ! -f "target/ink/$c/$c.wasm" ]; then
    echo "== building the contracts (cargo contract build --release)"
    scripts/build-contracts.sh
    break
  fi
done

echo "== building the bench (release)"
"${CARGO[@]}" build --release -p tracepass-e2e --bin tracepass-bench

mkdir -p target/bench
echo "== running on $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
"${CARGO[@]}" run --quiet --release -p tracepass-e2e --bin tracepass-bench -- --json target/bench/bench.json "$@"
