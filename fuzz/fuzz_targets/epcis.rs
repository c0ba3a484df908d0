//! Fuzz target `epcis`: the body is `tracepass::fuzzing::epcis` (see its doc for the properties).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| tracepass::fuzzing::epcis(data));
