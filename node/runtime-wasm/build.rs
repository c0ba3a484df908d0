fn main() {
	// Builds ../runtime for wasm32 (no features of this crate are passed on: it has none).
	// SKIP_WASM_BUILD=1 makes it a no-op that leaves WASM_BINARY None. The wasm needs Rust 1.86
	// (WASM_BUILD_TOOLCHAIN=1.86.0 when the host toolchain is newer: scripts/setup.sh's trap 2).
	let runtime = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/Cargo.toml");
	// The wasm build runs in a workspace of its own; without this hint it finds no Cargo.lock and
	// resolves newer polkadot-sdk crates that Rust 1.86 cannot build (setup.sh's trap 1): point it
	// at node/, whose lock is the one the node is built with.
	if std::env::var_os("WASM_BUILD_WORKSPACE_HINT").is_none() {
		let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
		std::env::set_var("WASM_BUILD_WORKSPACE_HINT", workspace.canonicalize().expect("node/ exists"));
	}
	substrate_wasm_builder::WasmBuilder::new()
		.with_project(runtime.canonicalize().expect("node/runtime/Cargo.toml exists"))
		.expect("node/runtime/Cargo.toml is a cargo manifest")
		.import_memory()
		.export_heap_base()
		.build();
}
