fn main() {
	// Builds ../runtime for wasm32 (no features of this crate are passed on: it has none).
	// SKIP_WASM_BUILD=1 makes it a no-op that leaves WASM_BINARY None. The wasm needs Rust 1.86
	// (WASM_BUILD_TOOLCHAIN=1.86.0 when the host toolchain is newer: scripts/setup.sh's trap 2).
	let runtime = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/Cargo.toml");
	substrate_wasm_builder::WasmBuilder::new()
		.with_project(runtime.canonicalize().expect("node/runtime/Cargo.toml exists"))
		.expect("node/runtime/Cargo.toml is a cargo manifest")
		.import_memory()
		.export_heap_base()
		.build();
}
