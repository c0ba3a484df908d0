#!/usr/bin/env bash
# tracepass setup: installs everything the demo and the tests need. Idempotent: every step checks
# what is present first, so a second run on a ready machine takes seconds.
#
#   Rust 1.86.0 (+ rust-src, clippy, wasm32-unknown-unknown)   pinned: see rust-toolchain.toml
#   Debian packages: protobuf-compiler clang libclang-dev (node build), chromium chromium-driver,
#   postgresql (the index suite starts its own throwaway servers; it needs no running one),
#   wrk (the resolver bench), fonts-noto-cjk (the Chinese pages in the browser tests)
#   cargo-contract 5.0.3                                       (~10 min to build on 2 cores)
#   tracepass-node, the consortium chain's node, from node/  (~17 min to build on 2 cores)
#   with --reference-node: substrate-contracts-node 0.42.0 (crates.io: contracts-node), the
#     reference node the contracts are also checked on       (~45 min to build on 2 cores)
#   cargo-fuzz 0.12.0                                           (~4 min; scripts/fuzz.sh)
#
# The node build keeps its cargo target dir under ~/.cache/tracepass so an interrupted build
# resumes where it stopped instead of starting over.
set -euo pipefail

REFERENCE_NODE=0
for arg in "$@"; do
  case "$arg" in
    --reference-node) REFERENCE_NODE=1 ;;
    *) echo "usage: scripts/setup.sh [--reference-node]" >&2; exit 2 ;;
  esac
done

RUST_PIN=1.86.0
CARGO_CONTRACT_VERSION=5.0.3
CARGO_FUZZ_VERSION=0.12.0
NODE_CRATE=contracts-node
NODE_VERSION=0.42.0
CACHE_DIR="${TRACEPASS_CACHE:-$HOME/.cache/tracepass}"
CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export PATH="$CARGO_HOME/bin:$PATH"

log() { printf '[setup] %s\n' "$*"; }
need_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# --- 1. Rust toolchain ------------------------------------------------------------------------
if ! command -v rustup >/dev/null 2>&1; then
  echo "[setup] rustup is not installed: install it from your distribution (apt-get install rustup) and rerun" >&2
  exit 1
fi
have_toolchain() {
  rustup toolchain list | grep -q "^${RUST_PIN}-" &&
  rustup component list --toolchain "$RUST_PIN" --installed 2>/dev/null | grep -q '^rust-src' &&
  rustup component list --toolchain "$RUST_PIN" --installed 2>/dev/null | grep -q '^clippy' &&
  rustup target list --toolchain "$RUST_PIN" --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown'
}
if have_toolchain; then
  log "rust $RUST_PIN with rust-src, clippy, wasm32: present"
else
  log "installing rust $RUST_PIN (+ rust-src, clippy, wasm32-unknown-unknown)"
  rustup toolchain install "$RUST_PIN" --profile minimal \
    --component rust-src --component clippy --component rustfmt --target wasm32-unknown-unknown
fi

# The node's native part is built with a toolchain >= 1.86 and < 1.96 (1.96 cannot build it);
# prefer the machine's default when it is in range (that is what was measured), else the pin.
native_toolchain() {
  local v minor
  v=$(cd / && rustc --version 2>/dev/null | awk '{print $2}') || true
  minor=$(echo "$v" | cut -d. -f2)
  if [ -n "$minor" ] && [ "$minor" -ge 86 ] 2>/dev/null && [ "$minor" -lt 96 ]; then
    echo "$v"
  else
    echo "$RUST_PIN"
  fi
}

# --- 2. Debian packages -----------------------------------------------------------------------
APT_PKGS=(protobuf-compiler clang libclang-dev chromium chromium-driver postgresql wrk fonts-noto-cjk)
missing=()
for p in "${APT_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  log "debian packages: present"
elif command -v apt-get >/dev/null 2>&1; then
  log "installing debian packages: ${missing[*]}"
  need_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive need_root apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "[setup] missing packages ${missing[*]} and no apt-get: install them by hand" >&2
  exit 1
fi

mkdir -p "$CACHE_DIR"

# --- 3. cargo-contract ------------------------------------------------------------------------
if cargo-contract --version 2>/dev/null | grep -q "cargo-contract-contract $CARGO_CONTRACT_VERSION\|contract $CARGO_CONTRACT_VERSION"; then
  log "cargo-contract $CARGO_CONTRACT_VERSION: present"
else
  tc=$(native_toolchain)
  log "building cargo-contract $CARGO_CONTRACT_VERSION with rust $tc (about 10 minutes on 2 cores)"
  start=$(date +%s)
  (cd / && cargo "+$tc" install cargo-contract --version "$CARGO_CONTRACT_VERSION" --locked --force \
     --target-dir "$CACHE_DIR/cargo-contract-target")
  log "cargo-contract built in $(( $(date +%s) - start )) s"
fi

# --- 4. tracepass-node (the consortium chain's node, built from node/) -------------------------
# Built --locked from node/Cargo.lock (trap 1 is handled by node/runtime-wasm/build.rs, which
# points the runtime's wasm workspace at that lock). The binary is installed as
# $CARGO_HOME/bin/tracepass-node with a stamp of the sources it was built from (the node
# workspace's crates and lock): a checkout with the same sources (a clean clone in CI) finds it
# present and builds nothing.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_sources() {
  (cd "$ROOT/node" && find Cargo.toml Cargo.lock node runtime runtime-wasm -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-64)
}
NODE_STAMP="$CACHE_DIR/tracepass-node.sources"
if command -v tracepass-node >/dev/null 2>&1 && [ "$(cat "$NODE_STAMP" 2>/dev/null)" = "$(node_sources)" ]; then
  log "tracepass-node (from these node/ sources): present"
else
  tc=$(native_toolchain)
  log "building tracepass-node with rust $tc (runtime wasm with $RUST_PIN); the first build took"
  log "1,020 s on a quiet 2-core machine; an interrupted build resumes from $CACHE_DIR/node-target"
  start=$(date +%s)
  # Trap 2: Rust >= 1.95 cannot build the runtime's sp-io for wasm: pin the wasm toolchain.
  (cd "$ROOT/node" && WASM_BUILD_TOOLCHAIN="$RUST_PIN" \
     cargo "+$tc" build --locked --release -p tracepass-node --target-dir "$CACHE_DIR/node-target")
  install -m 755 "$CACHE_DIR/node-target/release/tracepass-node" "$CARGO_HOME/bin/tracepass-node"
  node_sources >"$NODE_STAMP"
  log "tracepass-node built in $(( $(date +%s) - start )) s"
fi

# --- 4b. substrate-contracts-node, the reference node (only with --reference-node) -------------
# The contracts and the client stay chain-agnostic: `TRACEPASS_NODE=substrate-contracts-node
# scripts/test.sh` runs the end-to-end suites on it, and test.sh checks it whenever it is installed.
if [ "$REFERENCE_NODE" = 0 ]; then
  if substrate-contracts-node --version 2>/dev/null | grep -q " $NODE_VERSION"; then
    log "substrate-contracts-node $NODE_VERSION (reference node): present"
  else
    log "substrate-contracts-node (reference node): not installed; scripts/setup.sh --reference-node builds it (~45 min)"
  fi
elif substrate-contracts-node --version 2>/dev/null | grep -q " $NODE_VERSION"; then
  log "substrate-contracts-node $NODE_VERSION: present"
else
  tc=$(native_toolchain)
  # Trap 1: the runtime wasm is built in a separate workspace that does not see the crate's
  # Cargo.lock and would resolve newer polkadot-sdk crates that do not compile together. Point it
  # at the crate's own unpacked source, lock file included.
  (cd / && cargo "+$tc" info "$NODE_CRATE@$NODE_VERSION" >/dev/null)
  src=$(ls -d "$CARGO_HOME"/registry/src/*/"$NODE_CRATE-$NODE_VERSION" 2>/dev/null | head -n1)
  if [ -z "$src" ] || [ ! -f "$src/Cargo.lock" ]; then
    echo "[setup] could not unpack $NODE_CRATE $NODE_VERSION's source (with its Cargo.lock)" >&2
    exit 1
  fi
  log "building substrate-contracts-node $NODE_VERSION with rust $tc (runtime wasm with $RUST_PIN)"
  log "this takes about 75 minutes on 2 cores the first time; an interrupted build resumes from"
  log "$CACHE_DIR/node-target when setup is run again"
  start=$(date +%s)
  # Trap 2: Rust >= 1.95 cannot build the runtime's sp-io for wasm: pin the wasm toolchain.
  (cd / && WASM_BUILD_WORKSPACE_HINT="$src" WASM_BUILD_TOOLCHAIN="$RUST_PIN" \
     cargo "+$tc" install "$NODE_CRATE" --version "$NODE_VERSION" --locked --force \
     --target-dir "$CACHE_DIR/node-target")
  log "substrate-contracts-node built in $(( $(date +%s) - start )) s"
fi

# --- 5. cargo-fuzz (scripts/fuzz.sh) ----------------------------------------------------------
# 0.12.0 with its own lock file builds on the pinned toolchain (0.13 needs Rust >= 1.91).
if cargo-fuzz --version 2>/dev/null | grep -q "cargo-fuzz $CARGO_FUZZ_VERSION\$"; then
  log "cargo-fuzz $CARGO_FUZZ_VERSION: present"
else
  log "building cargo-fuzz $CARGO_FUZZ_VERSION with rust $RUST_PIN (a few minutes on 2 cores)"
  (cd / && cargo "+$RUST_PIN" install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked --force \
     --target-dir "$CACHE_DIR/cargo-fuzz-target")
fi

ref=""
if command -v substrate-contracts-node >/dev/null 2>&1; then ref=", $(substrate-contracts-node --version)"; fi
log "ready: $(cargo-contract --version), $(tracepass-node --version)$ref, $(cargo-fuzz --version)"
