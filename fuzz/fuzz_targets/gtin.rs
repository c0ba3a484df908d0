//! Fuzz target `gtin`: the body is `tracepass::fuzzing::gtin` (see its doc for the properties).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tracepass::fuzzing::gtin(data));
