#!/usr/bin/env bash
# Builds the four contracts with cargo-contract (release, pinned toolchain) into target/ink/NAME/.
# Prints each optimized .wasm size.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
need_toolchain
need cargo-contract "step 3"
cd "$ROOT"
for c in whitelist sampling registry attestation; do
  "${CARGO[@]}" contract build --release --quiet --manifest-path "contracts/$c/Cargo.toml" >/dev/null
  printf '%-12s %7d bytes  target/ink/%s/%s.wasm\n' "$c" "$(stat -c %s "target/ink/$c/$c.wasm")" "$c" "$c"
done
