//! Fuzz target `proof`: the body is `tracepass::fuzzing::proof` (see its doc for the properties).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tracepass::fuzzing::proof(data));
