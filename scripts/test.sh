#!/usr/bin/env bash
# Runs every test: the contracts' unit tests (ink! off-chain), the client's tests, and the
# end-to-end suites, which start their own tracepass-node (--dev service on a free port with a
# temporary base path; the consortium suite: four validators and a full node) and stop them.
# When the reference node substrate-contracts-node is installed (scripts/setup.sh
# --reference-node), the end-to-end story runs on it too. Needs what scripts/setup.sh installs.
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

if [ -z "${TRACEPASS_NODE:-}" ] && command -v substrate-contracts-node >/dev/null 2>&1; then
  echo "== the end-to-end story on the reference node, substrate-contracts-node (compatibility)"
  TRACEPASS_NODE=substrate-contracts-node "${CARGO[@]}" test -p tracepass-e2e --test e2e 2>&1 | tee -a "$LOG"
elif [ -z "${TRACEPASS_NODE:-}" ]; then
  echo "== reference node not installed: compatibility with substrate-contracts-node not checked (scripts/setup.sh --reference-node)"
fi

echo "== smoke benchmark (tiny sizes, one run; fails only if the bench errors, speed is not asserted)"
"${CARGO[@]}" run -p tracepass-e2e --bin tracepass-bench -- --smoke

passed=$(grep -o '[0-9]* passed' "$LOG" | awk '{s+=$1} END {print s+0}')
failed=$(grep -o '[0-9]* failed' "$LOG" | awk '{s+=$1} END {print s+0}')
echo "== all tests in $(( $(date +%s) - start )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
