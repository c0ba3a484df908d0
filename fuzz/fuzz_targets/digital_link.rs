//! Fuzz target `digital_link`: the body is `tracepass::fuzzing::digital_link` (see its doc for the properties).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tracepass::fuzzing::digital_link(data));
