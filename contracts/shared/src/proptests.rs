//! The harness of the contracts' property tests (`src/props.rs` of each contract): runs random
//! message sequences, each in a fresh off-chain environment and a fresh fake world
//! ([`crate::fakes`]), and prints how many sequences and steps were checked, and the seed that
//! replays them: `PROPTEST_RNG_SEED=<seed>` (proptest's own variable) with the same
//! `TRACEPASS_PROPTEST_CASES` runs the same sequences again.

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use std::cell::Cell;

/// Sequences per property per run unless `TRACEPASS_PROPTEST_CASES` says otherwise: with four
/// contracts, 10,000 sequences in a normal `cargo test`.
pub const DEFAULT_CASES: u32 = 2_500;

/// Sequences per property: `TRACEPASS_PROPTEST_CASES`, else [`DEFAULT_CASES`].
pub fn cases() -> u32 {
    std::env::var("TRACEPASS_PROPTEST_CASES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(DEFAULT_CASES)
}

/// The seed of this run: `PROPTEST_RNG_SEED` when set (to replay a run), else a fresh random one.
/// Chosen here rather than by proptest so that it can be printed.
pub fn seed() -> u64 {
    match Config::default().rng_seed {
        RngSeed::Fixed(seed) => seed,
        RngSeed::Random => {
            use std::hash::{BuildHasher, Hasher};
            std::collections::hash_map::RandomState::new().build_hasher().finish()
        }
    }
}

/// Runs `case` on `cases()` random values of `strategy`, each in a fresh off-chain environment
/// and a fresh fake world; `case` returns the number of steps it ran (checking the invariants
/// after each). Prints the totals, the seed and `exercised()` (what the sequences did), then
/// panics with proptest's minimal failing input and the replay command if any case failed.
pub fn run_property<S: Strategy>(name: &str, strategy: S, case: impl Fn(&S::Value) -> usize, exercised: impl Fn() -> String) {
    run_property_seeded(name, seed(), strategy, case, exercised)
}

/// [`run_property`] with the given seed: the same seed and `cases()` give the same sequences.
pub fn run_property_seeded<S: Strategy>(
    name: &str,
    seed: u64,
    strategy: S,
    case: impl Fn(&S::Value) -> usize,
    exercised: impl Fn() -> String,
) {
    let config = Config { cases: cases(), failure_persistence: None, rng_seed: RngSeed::Fixed(seed), ..Config::default() };
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
        "property {name}: {} sequences, {} steps, invariants checked after every step ({:.1} s, seed {seed})\n\
         property {name} exercised: {}",
        sequences.get(),
        steps.get(),
        started.elapsed().as_secs_f64(),
        exercised()
    );
    if let Err(e) = result {
        panic!("property {name} failed: {e}\nreplay: PROPTEST_RNG_SEED={seed} TRACEPASS_PROPTEST_CASES={}", cases());
    }
}

/// Declares a property's `stats` module, what its sequences exercised: an atomic counter per
/// name (the test harness may run properties on several threads), `add(&stats::NAME)` (one more),
/// `add_n(&stats::NAME, n)`, and `line()`, the counts written into `format` in the order named,
/// for [`run_property`]'s `exercised`.
#[macro_export]
macro_rules! property_stats {
    ($format:literal, $($name:ident),+ $(,)?) => {
        mod stats {
            use ::std::sync::atomic::{AtomicU64, Ordering};
            $(pub static $name: AtomicU64 = AtomicU64::new(0);)+
            pub fn add(c: &AtomicU64) {
                add_n(c, 1);
            }
            #[allow(dead_code)]
            pub fn add_n(c: &AtomicU64, n: u64) {
                c.fetch_add(n, Ordering::Relaxed);
            }
            pub fn line() -> String {
                format!($format, $($name.load(Ordering::Relaxed)),+)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use std::cell::RefCell;

    /// The values one seeded run hands to its cases, in order.
    fn drawn(seed: u64) -> Vec<Vec<u8>> {
        let seen = RefCell::new(Vec::new());
        run_property_seeded(
            "harness",
            seed,
            vec(proptest::num::u8::ANY, 0..8),
            |v| {
                seen.borrow_mut().push(v.clone());
                v.len()
            },
            String::new,
        );
        seen.into_inner()
    }

    #[test]
    fn same_seed_replays_same_sequences_works() {
        let first = drawn(7);
        assert_eq!(first.len(), cases() as usize);
        assert_eq!(first, drawn(7), "a printed seed must replay the same sequences");
        assert_ne!(first, drawn(8), "different seeds must give different sequences");
    }

    #[test]
    #[should_panic(expected = "replay: PROPTEST_RNG_SEED=3 ")]
    fn failing_property_prints_replay_seed_fails() {
        run_property_seeded("harness", 3, proptest::num::u8::ANY, |v| {
            assert!(*v < 200, "a failing case");
            1
        }, String::new);
    }
}
