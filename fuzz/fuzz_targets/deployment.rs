//! Fuzz target `deployment`: the body is `tracepass::fuzzing::deployment` (see its doc for the properties).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tracepass::fuzzing::deployment(data));
