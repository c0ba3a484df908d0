#!/usr/bin/env bash
# Runs every test: the contracts' unit tests (ink! off-chain), the client's tests, and the
# end-to-end suite, which starts its own substrate-contracts-node on a free port with a temporary
# base path and stops it afterwards. Needs what scripts/setup.sh installs.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_node_tools
cd "$ROOT"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
start=$(date +%s)

echo "== contract unit tests (ink! off-chain environment)"
"${CARGO[@]}" test -p tracepass-shared --features fakes -p whitelist -p registry -p sampling -p attestation 2>&1 | tee -a "$LOG"

echo "== building the contracts (cargo contract build --release)"
scripts/build-contracts.sh

echo "== client tests and the end-to-end suite on a real node"
"${CARGO[@]}" test -p tracepass -p tracepass-e2e --features tracepass/fuzzing 2>&1 | tee -a "$LOG"

echo "== smoke benchmark (tiny sizes, one run; fails only if the bench errors, speed is not asserted)"
"${CARGO[@]}" run -p tracepass-e2e --bin tracepass-bench -- --smoke

passed=$(grep -o '[0-9]* passed' "$LOG" | awk '{s+=$1} END {print s+0}')
failed=$(grep -o '[0-9]* failed' "$LOG" | awk '{s+=$1} END {print s+0}')
echo "== all tests in $(( $(date +%s) - start )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
