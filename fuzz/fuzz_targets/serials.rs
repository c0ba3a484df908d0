//! Fuzz target `serials`: the body is `tracepass::fuzzing::serials` (see its doc for the properties).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tracepass::fuzzing::serials(data));
