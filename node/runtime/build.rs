fn main() {
	// SKIP_WASM_BUILD=1 (used for `cargo check`) makes this a no-op and WASM_BINARY None.
	#[cfg(feature = "std")]
	{
		substrate_wasm_builder::WasmBuilder::build_using_defaults();
	}
}
