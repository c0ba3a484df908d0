//! The harness of the contracts' property tests (`src/props.rs` of each contract): runs random
//! message sequences, each in a fresh off-chain environment and a fresh fake world
//! ([`crate::fakes`]), and prints how many sequences and steps were checked.

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestRunner};
use std::cell::Cell;

/// Sequences per property per run unless `TRACEPASS_PROPTEST_CASES` says otherwise: with four
/// contracts, 10,000 sequences in a normal `cargo test`.
pub const DEFAULT_CASES: u32 = 2_500;

/// Sequences per property: `TRACEPASS_PROPTEST_CASES`, else [`DEFAULT_CASES`].
pub fn cases() -> u32 {
    std::env::var("TRACEPASS_PROPTEST_CASES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(DEFAULT_CASES)
}

/// Runs `case` on `cases()` random values of `strategy`, each in a fresh off-chain environment
/// and a fresh fake world; `case` returns the number of steps it ran (checking the invariants
/// after each). Prints the totals and `exercised()` (what the sequences did), then panics with
/// proptest's minimal failing input if any case failed.
pub fn run_property<S: Strategy>(name: &str, strategy: S, case: impl Fn(&S::Value) -> usize, exercised: impl Fn() -> String) {
    let config = Config { cases: cases(), failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new(config);
    let (sequences, steps) = (Cell::new(0u64), Cell::new(0u64));
    let started = std::time::Instant::now();
    let result = runner.run(&strategy, |value| {
        let mut n = 0;
        ink::env::test::run_test::<ink::env::DefaultEnvironment, _>(|_| {
            crate::fakes::reset();
            n = case(&value);
            Ok(())
        })
        .expect("off-chain environment");
        sequences.set(sequences.get() + 1);
        steps.set(steps.get() + n as u64);
        Ok(())
    });
    // Written to stderr directly, not with eprintln!, so that the figures show in a normal
    // (captured) `cargo test` run too.
    use std::io::Write;
    let _ = writeln!(
        std::io::stderr(),
        "property {name}: {} sequences, {} steps, invariants checked after every step ({:.1} s)\n\
         property {name} exercised: {}",
        sequences.get(),
        steps.get(),
        started.elapsed().as_secs_f64(),
        exercised()
    );
    if let Err(e) = result {
        panic!("property {name} failed: {e}");
    }
}
