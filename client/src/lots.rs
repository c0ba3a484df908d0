//! Lot building off chain: serials -> secret salts -> item IDs -> Merkle tree -> per-item
//! proofs file.
//!
//! Every item gets a secret 64-bit salt inside its ID (`tracepass_shared::salted_item_id`), so
//! that nobody who lacks it can compute the item's leaf: with sequential serials and the public
//! item count, an unsalted lot's whole tree could be rebuilt and proofs minted for every serial.
//! A salt is `blake2b-64` keyed with the merchant's [`SaltKey`] (32 bytes from the OS's random
//! generator, kept in a 0600 file) over (GTIN, lot, serial): as unpredictable as a random salt
//! to anyone without the key, and the same on every run, so a registration that crashed after
//! the chain took the lot rebuilds the same root and finds its proofs again.
//!
//! Item IDs, leaves and every level of the tree are hashed in parallel (rayon), four messages
//! at a time per core (`blake2b_simd::many`, AVX2 where the CPU has it). The results are
//! bit-identical to the shared crate's `item_id`, `merkle::leaf`, `merkle::node` and `Tree`,
//! which the registry uses on chain (tests below).

use crate::error::{ClientError, Result};
use crate::gs1::{DigitalLink, Proof};
use blake2b_simd::many::{hash_many, HashManyJob};
use rayon::prelude::*;
use std::io::Write;
use std::path::{Path, PathBuf};
use tracepass_shared::merkle::Node;
use tracepass_shared::{Gtin, ItemId, Salt, SALT_LEN};

/// Bytes of a merchant's salt key.
pub const SALT_KEY_LEN: usize = 32;

/// The merchant's secret from which every item's salt is derived. Never printed (its `Debug`
/// says only that it is a key); wiped from memory when dropped.
pub struct SaltKey(zeroize::Zeroizing<[u8; SALT_KEY_LEN]>);

impl std::fmt::Debug for SaltKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SaltKey(..)")
    }
}

impl SaltKey {
    /// A fresh key from the OS's random generator.
    pub fn generate() -> Result<SaltKey> {
        let mut k = zeroize::Zeroizing::new([0u8; SALT_KEY_LEN]);
        getrandom::getrandom(&mut k[..])
            .map_err(|e| ClientError::Io { path: "getrandom".into(), reason: format!("no randomness for a salt key: {e}") })?;
        Ok(SaltKey(k))
    }

    /// The key in `path` (64 hex digits), or (if there is no such file) a fresh one written
    /// there first, readable by its owner only. Errors name the file, never its content.
    pub fn load_or_create(path: &Path) -> Result<SaltKey> {
        let io = |e: &dyn std::fmt::Display| ClientError::Io { path: path.display().to_string(), reason: e.to_string() };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = zeroize::Zeroizing::new(hex::decode(text.trim()).map_err(|_| io(&"not a salt key (64 hex digits)"))?);
                let key: [u8; SALT_KEY_LEN] = bytes.as_slice().try_into().map_err(|_| io(&"not a salt key (64 hex digits)"))?;
                Ok(SaltKey(zeroize::Zeroizing::new(key)))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = SaltKey::generate()?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| io(&e))?;
                }
                let mut opts = std::fs::OpenOptions::new();
                opts.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    opts.mode(0o600);
                }
                let mut f = opts.open(path).map_err(|e| io(&e))?;
                let text = zeroize::Zeroizing::new(hex::encode(&key.0[..]) + "\n");
                f.write_all(text.as_bytes()).and_then(|_| f.sync_all()).map_err(|e| io(&e))?;
                Ok(key)
            }
            Err(e) => Err(io(&e)),
        }
    }
}

/// A lot ready to register: its serials, their item IDs and the tree over them.
pub struct BuiltLot {
    /// The product.
    pub gtin: Gtin,
    /// The lot number.
    pub lot: String,
    /// Serials in file order.
    pub serials: Vec<String>,
    /// Their secret salts, in the same order.
    pub salts: Vec<Salt>,
    /// Item IDs in the same order (salted).
    pub items: Vec<ItemId>,
    /// The tree.
    pub tree: LotTree,
}

/// A lot's Merkle tree: the shared crate's tree, its levels hashed in parallel here.
pub type LotTree = tracepass_shared::merkle::Tree;

/// Builds the tree over `leaves` (at least one), each level hashed in parallel.
pub fn tree_from_leaves(leaves: Vec<Node>) -> Option<LotTree> {
    LotTree::from_leaves_with(leaves, next_level)
}

/// Items hashed per parallel task.
const CHUNK: usize = 4096;

fn params(len: usize) -> blake2b_simd::Params {
    let mut p = blake2b_simd::Params::new();
    p.hash_length(len);
    p
}

/// Hashes `count` messages laid out back to back in `buf` (message `i` is
/// `buf[offsets[i]..offsets[i + 1]]`), four at a time; `out(i, digest)` receives each digest.
fn hash_batch(p: &blake2b_simd::Params, buf: &[u8], offsets: &[usize], mut out: impl FnMut(usize, &[u8])) {
    let mut jobs: Vec<HashManyJob> = offsets.windows(2).map(|w| HashManyJob::new(p, &buf[w[0]..w[1]])).collect();
    hash_many(jobs.iter_mut());
    for (i, j) in jobs.iter().enumerate() {
        out(i, j.to_hash().as_bytes());
    }
}

/// What every item of a lot's hashed message starts with: `tag ++ gtin ++ len(lot) ++ lot`.
fn lot_prefix(tag: &[u8], gtin: &Gtin, lot: &str) -> Vec<u8> {
    let mut prefix = Vec::with_capacity(tag.len() + 14 + 1 + lot.len());
    prefix.extend_from_slice(tag);
    prefix.extend_from_slice(&gtin.0);
    prefix.push(u8::try_from(lot.len()).unwrap_or(u8::MAX));
    prefix.extend_from_slice(lot.as_bytes());
    prefix
}

/// The salt of each of `serials` of lot `lot` of `gtin` under `key`, in parallel:
/// `blake2b-64(key; gtin ++ len(lot) ++ lot ++ serial)`.
pub fn salts(key: &SaltKey, gtin: &Gtin, lot: &str, serials: &[String]) -> Vec<Salt> {
    let prefix = lot_prefix(b"", gtin, lot);
    let mut p = params(SALT_LEN);
    p.key(&key.0[..]);
    let mut out = vec![[0u8; SALT_LEN]; serials.len()];
    out.par_chunks_mut(CHUNK).zip(serials.par_chunks(CHUNK)).for_each(|(out, serials)| {
        let mut buf = Vec::with_capacity(serials.len() * (prefix.len() + 20));
        let mut offsets = Vec::with_capacity(serials.len() + 1);
        offsets.push(0);
        for s in serials {
            buf.extend_from_slice(&prefix);
            buf.extend_from_slice(s.as_bytes());
            offsets.push(buf.len());
        }
        hash_batch(&p, &buf, &offsets, |i, d| out[i].copy_from_slice(d));
    });
    out
}

/// The item IDs of `serials` (with their `salts`) of lot `lot` of `gtin`, and their leaves, in
/// parallel: each is `tracepass_shared::salted_item_id` and `merkle::leaf`.
pub fn items_and_leaves(gtin: &Gtin, lot: &str, serials: &[String], salts: &[Salt]) -> (Vec<ItemId>, Vec<Node>) {
    // salted_item_id = blake2_256("tracepass/salted" ++ gtin ++ len(lot) ++ lot ++ len(serial) ++ serial ++ salt)
    let prefix = lot_prefix(b"tracepass/salted", gtin, lot);
    let (p32, p16) = (params(32), params(16));
    let mut items = vec![[0u8; 32]; serials.len()];
    let mut leaves = vec![[0u8; 16]; serials.len()];
    let work = serials.par_chunks(CHUNK).zip(salts.par_chunks(CHUNK));
    items.par_chunks_mut(CHUNK).zip(leaves.par_chunks_mut(CHUNK)).zip(work).for_each(|((items, leaves), (serials, salts))| {
        let mut buf = Vec::with_capacity(serials.len() * (prefix.len() + 21 + SALT_LEN));
        let mut offsets = Vec::with_capacity(serials.len() + 1);
        offsets.push(0);
        for (s, salt) in serials.iter().zip(salts) {
            buf.extend_from_slice(&prefix);
            buf.push(u8::try_from(s.len()).unwrap_or(u8::MAX));
            buf.extend_from_slice(s.as_bytes());
            buf.extend_from_slice(salt);
            offsets.push(buf.len());
        }
        hash_batch(&p32, &buf, &offsets, |i, d| items[i].copy_from_slice(d));
        // leaf = blake2_128(0x00 ++ item_id)
        let mut buf = vec![0u8; serials.len() * 33];
        for (i, item) in items.iter().enumerate() {
            buf[i * 33 + 1..i * 33 + 33].copy_from_slice(item);
        }
        let offsets: Vec<usize> = (0..=serials.len()).map(|i| i * 33).collect();
        hash_batch(&p16, &buf, &offsets, |i, d| leaves[i].copy_from_slice(d));
    });
    (items, leaves)
}

/// The level above `prev`: node = blake2_128(0x01 ++ left ++ right), an odd last node carried up.
fn next_level(prev: &[Node]) -> Vec<Node> {
    let p16 = params(16);
    let mut next = vec![[0u8; 16]; prev.len().div_ceil(2)];
    next.par_chunks_mut(CHUNK).zip(prev.par_chunks(2 * CHUNK)).for_each(|(out, pairs)| {
        let full = pairs.len() / 2;
        let mut buf = vec![0u8; full * 33];
        for i in 0..full {
            buf[i * 33] = 1;
            buf[i * 33 + 1..i * 33 + 17].copy_from_slice(&pairs[2 * i]);
            buf[i * 33 + 17..i * 33 + 33].copy_from_slice(&pairs[2 * i + 1]);
        }
        let offsets: Vec<usize> = (0..=full).map(|i| i * 33).collect();
        hash_batch(&p16, &buf, &offsets, |i, d| out[i].copy_from_slice(d));
        if pairs.len() % 2 == 1 {
            out[full] = pairs[pairs.len() - 1];
        }
    });
    next
}

/// Derives the salts under `key`, hashes item IDs and leaves in parallel and builds the tree.
/// The same key and serials give the same lot (a rerun finds its registration again).
pub fn build_with_key(gtin: Gtin, lot: &str, serials: Vec<String>, key: &SaltKey) -> Result<BuiltLot> {
    let salts = salts(key, &gtin, lot, &serials);
    let (items, leaves) = items_and_leaves(&gtin, lot, &serials, &salts);
    let tree = tree_from_leaves(leaves).ok_or_else(|| ClientError::Input("a lot needs at least one serial".into()))?;
    Ok(BuiltLot { gtin, lot: lot.to_string(), serials, salts, items, tree })
}

/// [`build_with_key`] under a fresh key used for this lot only (its salts are then known only
/// through its proofs file): for a lot built once and kept, as in tests and benchmarks.
pub fn build(gtin: Gtin, lot: &str, serials: Vec<String>) -> Result<BuiltLot> {
    build_with_key(gtin, lot, serials, &SaltKey::generate()?)
}

/// One line of the proofs file.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ProofLine {
    /// The serial.
    pub serial: String,
    /// Its digital ID, 0x-hex.
    pub item_id: String,
    /// Its proof, compact form.
    pub proof: String,
    /// Its Digital Link URI, carrying the proof.
    pub uri: String,
}

impl BuiltLot {
    /// The proof of item `i`.
    pub fn proof(&self, i: usize) -> Proof {
        Proof { index: i as u32, salt: Some(self.salts[i]), siblings: self.tree.proof(i as u32).expect("index in range") }
    }

    /// The proofs-file line of item `i`.
    pub fn line(&self, i: usize, resolver: &str) -> ProofLine {
        let proof = self.proof(i).encode();
        let dl = DigitalLink { gtin: self.gtin, lot: self.lot.clone(), serial: self.serials[i].clone(), proof: None };
        // the URI with its proof, as `DigitalLink::uri` writes it, without encoding the proof twice
        let uri = format!("{}?p={proof}", dl.uri(resolver));
        ProofLine { serial: dl.serial, item_id: format!("0x{}", hex::encode(self.items[i])), proof, uri }
    }

    /// Writes the proofs file (JSON lines, one per item) at `path` at once; see
    /// [`BuiltLot::stage_proofs`] for the file of a lot that is still to be registered.
    pub fn write_proofs(&self, path: &Path, resolver: &str) -> Result<()> {
        self.stage_proofs(path, resolver)?.commit()
    }

    /// Writes the proofs to a temporary file beside `dest`, to be moved into place by
    /// [`StagedProofs::commit`] once the chain holds the lot; dropped uncommitted, it is removed
    /// and `dest` stays as it was. Refused, before anything is written, if `dest` already holds
    /// proofs of a lot with another root: the merchant's only copy of genuine proofs is never
    /// replaced by proofs of serials that are not on chain.
    pub fn stage_proofs(&self, dest: &Path, resolver: &str) -> Result<StagedProofs> {
        check_replaceable(dest, &self.tree.root(), self.tree.len())?;
        let io = |e: std::io::Error| ClientError::Io { path: dest.display().to_string(), reason: e.to_string() };
        let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        // one fixed name: a run that crashed leaves it behind, and the next run overwrites it
        let tmp = dest.with_file_name(format!(".{name}.tmp"));
        let staged = StagedProofs { tmp, dest: dest.to_path_buf(), done: false };
        let mut f = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&staged.tmp).map_err(io)?);
        const LINES: usize = 1 << 16;
        for start in (0..self.serials.len()).step_by(LINES) {
            let end = (start + LINES).min(self.serials.len());
            let chunks: Vec<Vec<u8>> = (start..end)
                .into_par_iter()
                .chunks(1024)
                .map(|is| {
                    let mut out = Vec::with_capacity(is.len() * 1024);
                    for i in is {
                        serde_json::to_writer(&mut out, &self.line(i, resolver)).expect("serialisable");
                        out.push(b'\n');
                    }
                    out
                })
                .collect();
            for c in chunks {
                f.write_all(&c).map_err(io)?;
            }
        }
        f.flush().map_err(io)?;
        Ok(staged)
    }
}

/// A proofs file written beside its destination, not yet in place.
#[derive(Debug)]
pub struct StagedProofs {
    tmp: PathBuf,
    dest: PathBuf,
    done: bool,
}

impl StagedProofs {
    /// Where the file goes.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    /// Moves the file into place (atomically: a rename in the same folder).
    pub fn commit(mut self) -> Result<()> {
        std::fs::rename(&self.tmp, &self.dest).map_err(|e| ClientError::Io { path: self.dest.display().to_string(), reason: e.to_string() })?;
        self.done = true;
        Ok(())
    }
}

impl Drop for StagedProofs {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Refuses `dest` if it holds something other than proofs of the lot with `root` and `count`
/// items (judged by its first line's proof); a missing or empty file may be written.
fn check_replaceable(dest: &Path, root: &tracepass_shared::merkle::Node, count: u32) -> Result<()> {
    use std::io::BufRead;
    let f = match std::fs::File::open(dest) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(ClientError::Io { path: dest.display().to_string(), reason: e.to_string() }),
    };
    let mut first = String::new();
    std::io::BufReader::new(f).read_line(&mut first).map_err(|e| ClientError::Io { path: dest.display().to_string(), reason: e.to_string() })?;
    if first.trim().is_empty() {
        return Ok(());
    }
    let same_lot = serde_json::from_str::<ProofLine>(&first).ok().is_some_and(|l| {
        let item = l.item_id.strip_prefix("0x").and_then(|h| hex::decode(h).ok()).and_then(|b| <ItemId>::try_from(b).ok());
        match (item, Proof::decode(&l.proof)) {
            (Some(item), Ok(p)) => tracepass_shared::merkle::verify(root, count, p.index, &item, &p.siblings),
            _ => false,
        }
    });
    if same_lot {
        Ok(())
    } else {
        Err(ClientError::Input(format!(
            "{} already holds other proofs (not of this lot's root); it is not replaced: remove it or choose another --out",
            dest.display()
        )))
    }
}

/// The default proofs file name of a lot, `{gtin}-{lot}.proofs.jsonl`, with every character of
/// the lot number but ASCII letters, digits, `-`, `_` and `.` percent-encoded: one plain file
/// name for every valid GS1 AI (10) value (`T/26.x+1&y` gives `…-T%2F26.x%2B1%26y.proofs.jsonl`).
pub fn proofs_file_name(gtin: &Gtin, lot: &str) -> String {
    const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');
    format!("{gtin}-{}.proofs.jsonl", percent_encoding::utf8_percent_encode(lot, KEEP))
}

/// Finds a serial's line in a proofs file.
pub fn find_in_proofs(path: &Path, serial: &str) -> Result<ProofLine> {
    let text = std::fs::read_to_string(path).map_err(|e| ClientError::Io { path: path.display().to_string(), reason: e.to_string() })?;
    for (no, line) in text.lines().enumerate() {
        let l: ProofLine = serde_json::from_str(line)
            .map_err(|e| ClientError::Input(format!("{}: line {}: {e}", path.display(), no + 1)))?;
        if l.serial == serial {
            return Ok(l);
        }
    }
    Err(ClientError::Input(format!("serial {serial:?} is not in {}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracepass_shared::merkle::{self, Tree};
    use tracepass_shared::{item_id, salted_item_id};

    /// The parallel, SIMD hashing is bit-identical to the shared crate's (what the registry
    /// computes on chain): item IDs, leaves, every level of the tree, the root, every proof.
    #[test]
    fn hashing_matches_shared_works() {
        let gtin = crate::gs1::parse_gtin("10614141000415").unwrap();
        // sizes around chunk and power-of-two edges; serials and lots of every length 1..=20
        for n in [1usize, 2, 3, 4, 5, 7, 8, 9, 31, 33, 1000, 4095, 4096, 4097, 8193, 20_001] {
            let lot = "L".repeat(1 + n % 20);
            let serials: Vec<String> = (0..n).map(|i| format!("{i:0w$}", w = 1 + i % 20)).collect();
            let built = build(gtin, &lot, serials.clone()).unwrap();
            let items: Vec<ItemId> =
                serials.iter().zip(&built.salts).map(|(s, salt)| salted_item_id(&gtin, lot.as_bytes(), s.as_bytes(), salt)).collect();
            assert_eq!(built.items, items, "item IDs, n = {n}");
            let tree = Tree::from_items(&items).unwrap();
            assert_eq!(built.tree.levels(), tree.levels(), "levels, n = {n}");
            assert_eq!(built.tree.root(), tree.root());
            for i in [0, n / 3, n / 2, n - 1] {
                assert_eq!(built.tree.proof(i as u32), tree.proof(i as u32));
                assert!(merkle::verify(&tree.root(), n as u32, i as u32, &items[i], &built.proof(i).siblings));
            }
        }
        // a lot number of 20 characters and a serial of 20: the longest message
        let (l, s) = ("A".repeat(20), "9".repeat(20));
        let (items, leaves) = items_and_leaves(&gtin, &l, &[s.clone()], &[[0xff; SALT_LEN]]);
        assert_eq!(items[0], salted_item_id(&gtin, l.as_bytes(), s.as_bytes(), &[0xff; SALT_LEN]));
        assert_eq!(leaves[0], merkle::leaf(&items[0]));
    }

    /// Salts: the same key gives the same salts (a rerun rebuilds the same root), another key
    /// others; each is the keyed hash over (GTIN, lot, serial); every item's salt differs.
    #[test]
    fn salts_work() {
        let gtin = crate::gs1::parse_gtin("10614141000415").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/salt.key");
        let key = SaltKey::load_or_create(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600, "owner only");
        }
        assert_eq!(format!("{key:?}"), "SaltKey(..)", "never printed");
        let serials: Vec<String> = (0..5000).map(|i| format!("AROHA{i:08}")).collect();
        let a = build_with_key(gtin, "L1", serials.clone(), &key).unwrap();
        let again = build_with_key(gtin, "L1", serials.clone(), &SaltKey::load_or_create(&path).unwrap()).unwrap();
        assert_eq!((a.salts.clone(), a.tree.root()), (again.salts.clone(), again.tree.root()), "same key, same lot");
        let other = build_with_key(gtin, "L1", serials.clone(), &SaltKey::generate().unwrap()).unwrap();
        assert_ne!(a.tree.root(), other.tree.root());
        let mut distinct = a.salts.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), serials.len(), "every item its own salt");
        let mut p = blake2b_simd::Params::new();
        p.hash_length(SALT_LEN).key(&key.0[..]);
        let mut msg = gtin.0.to_vec();
        msg.push(2);
        msg.extend_from_slice(b"L1AROHA00000042");
        assert_eq!(&a.salts[42][..], p.hash(&msg).as_bytes());
        // a file that is not a key is refused, naming the file only
        std::fs::write(&path, "00 not hex").unwrap();
        let e = SaltKey::load_or_create(&path).unwrap_err().to_string();
        assert!(e.contains("salt.key") && e.contains("not a salt key") && !e.contains("not hex"), "{e}");
    }

    /// The minter of #17: the serials are sequential and the count is public, so it rebuilds
    /// the lot without salts, or guesses them; no proof it makes verifies, while the
    /// merchant's do.
    #[test]
    fn minted_proof_fails() {
        let gtin = crate::gs1::parse_gtin("10614141000415").unwrap();
        let serials: Vec<String> = (0..1000).map(|i| format!("AROHA{i:08}")).collect();
        let lot = build(gtin, "L1", serials.clone()).unwrap();
        let (root, n) = (lot.tree.root(), 1000);
        let unsalted: Vec<ItemId> = serials.iter().map(|s| item_id(&gtin, b"L1", s.as_bytes())).collect();
        let minted = Tree::from_items(&unsalted).unwrap();
        for i in [0usize, 1, 500, 999] {
            assert!(!merkle::verify(&root, n, i as u32, &unsalted[i], &minted.proof(i as u32).unwrap()), "unsalted {i}");
            let guess = salted_item_id(&gtin, b"L1", serials[i].as_bytes(), &[0; SALT_LEN]);
            assert!(!merkle::verify(&root, n, i as u32, &guess, &lot.proof(i).siblings), "a guessed salt {i}");
            // one item's salt (a shopper's code) is no other item's
            let borrowed = salted_item_id(&gtin, b"L1", serials[i].as_bytes(), &lot.salts[(i + 1) % 1000]);
            assert!(!merkle::verify(&root, n, i as u32, &borrowed, &lot.proof(i).siblings), "a borrowed salt {i}");
            assert!(merkle::verify(&root, n, i as u32, &lot.items[i], &lot.proof(i).siblings), "the merchant's {i}");
        }
    }

    #[test]
    fn proofs_file_works() {
        let gtin = crate::gs1::parse_gtin("4006381333931").unwrap();
        let lot = build(gtin, "L/1", (0..3000).map(|i| format!("S&{i}")).collect()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.jsonl");
        lot.write_proofs(&path, "h").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3000);
        for (i, l) in text.lines().enumerate().step_by(97) {
            let line: ProofLine = serde_json::from_str(l).unwrap();
            assert_eq!(line, lot.line(i, "h"));
            let full = DigitalLink { gtin, lot: lot.lot.clone(), serial: lot.serials[i].clone(), proof: Some(lot.proof(i)) };
            assert_eq!(line.uri, full.uri("h"), "the URI is DigitalLink::uri's");
        }
    }

    #[test]
    fn build_and_prove_works() {
        let gtin = crate::gs1::parse_gtin("4006381333931").unwrap();
        let serials: Vec<String> = (0..1000).map(|i| format!("S{i}")).collect();
        let lot = build(gtin, "L1", serials).unwrap();
        for i in [0usize, 1, 500, 999] {
            let p = lot.proof(i);
            let item = salted_item_id(&gtin, b"L1", lot.serials[i].as_bytes(), &p.salt.unwrap());
            assert!(merkle::verify(&lot.tree.root(), 1000, i as u32, &item, &p.siblings));
            let line = lot.line(i, "h");
            let dl = DigitalLink::parse(&line.uri).unwrap();
            assert_eq!(dl.proof.unwrap(), p);
        }
    }

    #[test]
    fn proofs_file_name_is_safe_for_every_lot_number_works() {
        let gtin = crate::gs1::parse_gtin("4006381333931").unwrap();
        assert_eq!(proofs_file_name(&gtin, "T/26.x+1&y"), "04006381333931-T%2F26.x%2B1%26y.proofs.jsonl");
        assert_eq!(proofs_file_name(&gtin, "L-1_a.B"), "04006381333931-L-1_a.B.proofs.jsonl");
        // every character GS1 allows in AI (10) (CSET 82), alone and as a whole lot number
        let cset82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
        let dir = tempfile::tempdir().unwrap();
        for lot in cset82.chars().map(String::from).chain([cset82[..20].to_string(), "..".into(), ".".into()]) {
            tracepass_shared::check_lot_number(lot.as_bytes()).unwrap();
            let name = proofs_file_name(&gtin, &lot);
            assert!(!name.contains('/') && !name.contains('\\') && name.starts_with("04006381333931-"), "{lot:?}: {name}");
            let decoded = percent_encoding::percent_decode_str(&name).decode_utf8().unwrap();
            assert_eq!(decoded, format!("{gtin}-{lot}.proofs.jsonl"), "the name keeps the lot number");
            std::fs::write(dir.path().join(&name), b"").unwrap_or_else(|e| panic!("{lot:?}: {name}: {e}"));
        }
    }

    #[test]
    fn staged_proofs_replace_only_the_same_lot_works() {
        let gtin = crate::gs1::parse_gtin("4006381333931").unwrap();
        let genuine = build(gtin, "L1", (0..100).map(|i| format!("S{i}")).collect()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.jsonl");
        genuine.write_proofs(&path, "h").unwrap();
        let before = std::fs::read(&path).unwrap();
        // the same lot again (a rerun): staged, committed, same bytes
        genuine.stage_proofs(&path, "h").unwrap().commit().unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), before);
        // staged and dropped (the chain refused): nothing changes, no temporary file is left
        drop(genuine.stage_proofs(&path, "h").unwrap());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "only the proofs file");
    }

    #[test]
    fn staged_proofs_of_another_root_fails() {
        let gtin = crate::gs1::parse_gtin("4006381333931").unwrap();
        let genuine = build(gtin, "L1", (0..100).map(|i| format!("S{i}")).collect()).unwrap();
        let other = build(gtin, "L1", (0..100).map(|i| format!("X{i}")).collect()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.jsonl");
        genuine.write_proofs(&path, "h").unwrap();
        let before = std::fs::read(&path).unwrap();
        let e = other.stage_proofs(&path, "h").unwrap_err().to_string();
        assert!(e.contains("already holds other proofs"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "the genuine proofs are untouched");
        std::fs::write(&path, "not a proofs file\n").unwrap();
        assert!(genuine.stage_proofs(&path, "h").is_err(), "an unknown file is not replaced either");
        // a destination in a missing folder is refused before anything is sent
        assert!(genuine.stage_proofs(&dir.path().join("no/such/dir/p.jsonl"), "h").is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file is left");
    }
}
