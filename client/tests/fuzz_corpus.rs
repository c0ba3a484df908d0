//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) and any crash artifacts
//! (`fuzz/artifacts/<target>/`) through the same target bodies the fuzzers run
//! (`tracepass::fuzzing`), without cargo-fuzz or a nightly toolchain. Every corpus directory must
//! hold inputs the parser accepts and inputs it refuses.

use std::path::{Path, PathBuf};
use tracepass::contracts::Deployment;
use tracepass::fuzzing;
use tracepass::gs1::{parse_gtin, parse_serials, DigitalLink, Proof};

type Target = (&'static str, fn(&[u8]), fn(&str) -> bool);

/// Each target: its name, its body, and whether the parser accepts a text input.
const TARGETS: [Target; 6] = [
    ("gtin", fuzzing::gtin, |t| parse_gtin(t).is_ok()),
    ("digital_link", fuzzing::digital_link, |t| DigitalLink::parse(t).is_ok()),
    ("serials", fuzzing::serials, |t| parse_serials(t).is_ok()),
    ("proof", fuzzing::proof, |t| Proof::decode(t).is_ok()),
    ("epcis", fuzzing::epcis, |t| tracepass::epcis::parse_document(t).is_ok()),
    ("deployment", fuzzing::deployment, |t| Deployment::parse(t).is_ok()),
];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

/// Runs `body` on `path`'s bytes, naming the file if it panics.
fn replay(target: &str, body: fn(&[u8]), path: &Path) {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if std::panic::catch_unwind(|| body(&data)).is_err() {
        panic!("fuzz target {target} panicked on {}", path.display());
    }
}

#[test]
fn fuzz_corpus_replays_clean() {
    let mut total = 0;
    for (name, body, accepts) in TARGETS {
        let corpus = files(&fuzz_dir().join("corpus").join(name));
        assert!(!corpus.is_empty(), "fuzz/corpus/{name}/ is empty");
        let (mut accepted, mut refused) = (0, 0);
        for path in &corpus {
            replay(name, body, path);
            let text = String::from_utf8(std::fs::read(path).expect("read")).unwrap_or_default();
            if accepts(&text) {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
        assert!(accepted > 0, "fuzz/corpus/{name}/ has no input the parser accepts");
        assert!(refused > 0, "fuzz/corpus/{name}/ has no input the parser refuses");
        let artifacts = files(&fuzz_dir().join("artifacts").join(name));
        for path in &artifacts {
            replay(name, body, path);
        }
        println!("{name}: {} corpus inputs ({accepted} accepted, {refused} refused), {} artifacts", corpus.len(), artifacts.len());
        total += corpus.len() + artifacts.len();
    }
    println!("replayed {total} inputs through 6 fuzz targets");
}
