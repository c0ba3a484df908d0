#!/usr/bin/env bash
# Fuzzes every parser of outside input with cargo-fuzz (libFuzzer): GTIN, Digital Link URI,
# serials file, proof encoding, EPCIS import and deployment file. The targets' bodies are
# `tracepass::fuzzing::*` (client/src/fuzzing.rs); `cargo test -p tracepass --features fuzzing --test fuzz_corpus`
# replays the committed seed corpus through the same code without cargo-fuzz.
#
#   scripts/fuzz.sh [TARGET...] [-- LIBFUZZER-ARGS...]
#
#   TARGET          gtin digital_link serials proof epcis deployment (default: all, one at a time)
#   LIBFUZZER-ARGS  default: -runs=10000000 (10 million executions per target)
#   FUZZ_SANITIZER  none (default: the parsers are safe Rust, and uninstrumented runs are several
#                   times faster) or address
#
# Runs with the pinned toolchain and RUSTC_BOOTSTRAP=1 (cargo-fuzz passes nightly-only flags; no
# nightly toolchain is needed). Each target starts from fuzz/corpus/<target>/ (committed seeds)
# and grows fuzz/work/<target>/ (ignored by git); crashes land in fuzz/artifacts/<target>/, logs
# in fuzz/logs/<target>.log. Prints, per target, the executions and exec/s of libFuzzer's final
# stats, the wall time and the crashes found; exits non-zero if any target crashed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_toolchain
need cargo-fuzz "step 5"
cd "$ROOT"

ALL=(gtin digital_link serials proof epcis deployment)
targets=()
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --) shift; args=("$@"); break ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
[ ${#targets[@]} -eq 0 ] && targets=("${ALL[@]}")
[ ${#args[@]} -eq 0 ] && args=(-runs=10000000)
for t in "${targets[@]}"; do
  [[ " ${ALL[*]} " == *" $t "* ]] || { echo "error: unknown fuzz target '$t' (one of: ${ALL[*]})" >&2; exit 2; }
done

SAN="${FUZZ_SANITIZER:-none}"
export RUSTC_BOOTSTRAP=1
# --strip-dead-code: the client library links subxt, tokio and more; with dead code kept, libFuzzer
# scans ~930,000 coverage counters after every input instead of ~440,000, at half the exec/s.
FLAGS=(-O -a -s "$SAN" --strip-dead-code)
FUZZ=("${CARGO[@]}" fuzz run "${FLAGS[@]}")
mkdir -p fuzz/logs

echo "== building the fuzz targets (release, debug assertions, sanitizer: $SAN)"
"${CARGO[@]}" fuzz build "${FLAGS[@]}" >fuzz/logs/build.log 2>&1 || { tail -30 fuzz/logs/build.log; exit 1; }

results=()
failed=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/work/$t" "fuzz/artifacts/$t"
  before=$(ls "fuzz/artifacts/$t" | wc -l)
  echo "== fuzzing $t: ${args[*]}"
  start=$(date +%s)
  rc=0
  "${FUZZ[@]}" "$t" "fuzz/work/$t" "fuzz/corpus/$t" -- -print_final_stats=1 "${args[@]}" >"fuzz/logs/$t.log" 2>&1 || rc=$?
  wall=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "fuzz/logs/$t.log" | tail -1 | grep -o '[0-9]*$' || true)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "fuzz/logs/$t.log" | tail -1 | grep -o '[0-9]*$' || true)
  crashes=$(( $(ls "fuzz/artifacts/$t" | wc -l) - before ))
  grep -E '^Done [0-9]+ runs' "fuzz/logs/$t.log" | tail -1 || true
  if [ "$rc" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    failed=1
    echo "!! $t: exit $rc, $crashes new artifact(s) in fuzz/artifacts/$t; the end of fuzz/logs/$t.log:"
    tail -25 "fuzz/logs/$t.log"
  fi
  results+=("$(printf '%-13s %14s %10s %8s %8s' "$t" "${execs:-?}" "${rate:-?}" "$wall" "$crashes")")
done

echo "== fuzzing summary (sanitizer: $SAN; libFuzzer args: ${args[*]})"
printf '%-13s %14s %10s %8s %8s\n' target executions exec/s wall_s crashes
printf '%s\n' "${results[@]}"
exit "$failed"
