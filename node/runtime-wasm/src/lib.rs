//! tracepass-runtime as wasm: `WASM_BINARY` (compact, what chain specs carry) and
//! `WASM_BINARY_BLOATY`; both `None` when built with SKIP_WASM_BUILD=1.
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
