//! Bulk lot registration from a manifest, safe to rerun after any crash.
//!
//! A manifest is a CSV file with the header `gtin,lot,serials,produced,expires`; `serials` is a
//! serials file (one serial per line) relative to the manifest's folder. [`plan`] checks every row
//! and every serials file before anything is sent; [`register`] then asks the chain which lots
//! are already there, submits the rest pipelined from one key (local nonces, [`DEFAULT_WINDOW`]
//! transactions in flight, each registering up to [`DEFAULT_LOTS_PER_TX`] lots with the
//! registry's `register_lots`), and puts each lot's proofs file in place once the chain holds
//! that lot.
//!
//! Rerunning the same manifest after a crash (of the client, the connection or the node) is safe:
//! lots already on chain with the same root, count and dates are skipped, a lot that is on chain
//! with different contents stops the run before anything is sent, and the registry itself treats
//! an identical registration as a no-op, so a transaction that was in flight twice changes nothing.

use crate::chain::Signer;
use crate::contracts::Tracepass;
use crate::error::{ClientError, Result};
use crate::gs1::{parse_gtin, parse_lot, parse_serials};
use crate::lots::{self, BuiltLot};
use futures::stream::{self, StreamExt};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use tracepass_shared::{check_date, lot_id, Gtin, LotId, LotInput};

/// Transactions in flight at once.
pub const DEFAULT_WINDOW: usize = 16;
/// Lots per transaction (`register_lots`; 1 sends one `register_lot` per lot).
pub const DEFAULT_LOTS_PER_TX: usize = tracepass_shared::bounds::MAX_LOTS_PER_BATCH as usize;
/// Most rows one manifest may hold.
pub const MAX_MANIFEST_ROWS: usize = 100_000;
/// The manifest's header.
pub const HEADER: &str = "gtin,lot,serials,produced,expires";

/// One manifest row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Line number in the manifest (from 1).
    pub line: usize,
    /// The product.
    pub gtin: Gtin,
    /// Lot number.
    pub lot: String,
    /// The serials file.
    pub serials: PathBuf,
    /// Production date YYYYMMDD.
    pub produced: u32,
    /// Expiry date YYYYMMDD.
    pub expires: u32,
}

/// A manifest row as written (fields trimmed), before it is checked.
#[derive(serde::Deserialize)]
struct RawRow {
    gtin: String,
    lot: String,
    serials: String,
    produced: String,
    expires: String,
}

/// The line (from 1) of the first character at or after byte `offset` of `text` that is not a
/// line break (a record's position may point at the blank lines before it).
fn line_of(text: &str, offset: u64) -> usize {
    let b = text.as_bytes();
    let mut end = usize::try_from(offset).unwrap_or(usize::MAX).min(b.len());
    while end < b.len() && matches!(b[end], b'\n' | b'\r') {
        end += 1;
    }
    1 + memchr::memchr_iter(b'\n', &b[..end]).count()
}

/// Parses a manifest (CSV, quoting allowed); paths are relative to `base`. The first bad row is
/// reported with its line.
pub fn parse_manifest(text: &str, base: &Path) -> Result<Vec<Row>> {
    let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(true).from_reader(text.as_bytes());
    let header_ok = csv.headers().is_ok_and(|h| h.iter().collect::<Vec<_>>().join(",") == HEADER);
    if !header_ok {
        return Err(ClientError::Input(format!("manifest: the first line must be the header {HEADER:?}")));
    }
    let mut rows = Vec::new();
    let mut seen: HashMap<LotId, usize> = HashMap::new();
    for record in csv.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| line_of(text, p.byte()).to_string()).unwrap_or_else(|| "?".into());
            ClientError::Input(format!("manifest line {line}: not CSV ({e})"))
        })?;
        // the physical line, counted from the record's byte offset (csv's own count skips blank lines)
        let line = record.position().map(|p| line_of(text, p.byte())).unwrap_or(0);
        let bad = |why: String| ClientError::Input(format!("manifest line {line}: {why}"));
        if record.len() != 5 {
            return Err(bad(format!("expected 5 fields ({HEADER}), found {}", record.len())));
        }
        let f: RawRow = record.deserialize(None).map_err(|e| bad(e.to_string()))?;
        let gtin = parse_gtin(&f.gtin).map_err(|e| bad(e.to_string()))?;
        parse_lot(&f.lot).map_err(|e| bad(e.to_string()))?;
        let date = |s: &str| s.parse::<u32>().ok().filter(|d| check_date(*d));
        let (Some(produced), Some(expires)) = (date(&f.produced), date(&f.expires)) else {
            return Err(bad("dates are YYYYMMDD".into()));
        };
        if expires < produced {
            return Err(bad("expiry before production".into()));
        }
        if let Some(first) = seen.insert(lot_id(&gtin, f.lot.as_bytes()), line) {
            return Err(bad(format!("lot {} of {gtin} repeats line {first}", f.lot)));
        }
        if rows.len() >= MAX_MANIFEST_ROWS {
            return Err(bad(format!("more than {MAX_MANIFEST_ROWS} lots")));
        }
        rows.push(Row { line, gtin, lot: f.lot, serials: base.join(f.serials), produced, expires });
    }
    if rows.is_empty() {
        return Err(ClientError::Input("manifest: no lots".into()));
    }
    Ok(rows)
}

/// A lot ready to send.
pub struct Planned {
    /// Its manifest row.
    pub row: Row,
    /// Serials, item IDs and tree.
    pub built: BuiltLot,
    /// What the registry receives.
    pub input: LotInput,
}

/// Reads and checks every serials file, and builds every lot's tree (in parallel) with salts
/// under `key`. Nothing is sent; any bad file stops the whole plan.
pub fn plan(rows: Vec<Row>, key: &lots::SaltKey) -> Result<Vec<Planned>> {
    rows.into_par_iter()
        .map(|row| {
            let text = std::fs::read_to_string(&row.serials)
                .map_err(|e| ClientError::Io { path: row.serials.display().to_string(), reason: e.to_string() })?;
            let serials = parse_serials(&text).map_err(|e| ClientError::Input(format!("{}: {e}", row.serials.display())))?;
            let built = lots::build_with_key(row.gtin, &row.lot, serials, key)?;
            let input = LotInput {
                gtin: row.gtin,
                lot_number: row.lot.as_bytes().to_vec(),
                item_count: built.serials.len() as u32,
                root: built.tree.root(),
                produced_on: row.produced,
                expires_on: row.expires,
            };
            Ok(Planned { row, built, input })
        })
        .collect()
}

/// The proofs file of a lot in `dir`.
pub fn proofs_path(dir: &Path, gtin: &Gtin, lot: &str) -> PathBuf {
    dir.join(lots::proofs_file_name(gtin, lot))
}

/// What a run did.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Summary {
    /// Lots in the manifest.
    pub lots: usize,
    /// Items in them.
    pub items: u64,
    /// Lots this run registered.
    pub registered: usize,
    /// Lots found already registered (identical) and skipped.
    pub already_registered: usize,
}

/// Skips lots already on chain, registers the rest, and puts each lot's proofs file into
/// `out_dir` once the chain holds that lot (an existing file of another root is never replaced;
/// every file is checked and written beside its place before anything is sent).
/// `window` transactions are in flight at once, each with up to `per_tx` lots (1 to
/// `MAX_LOTS_PER_BATCH`; a refused batch is reported by the manifest line of its first refused
/// lot). `progress(done, total)` is called as lots are confirmed.
#[allow(clippy::too_many_arguments)]
pub async fn register(
    tp: &Tracepass,
    signer: &Signer,
    planned: &[Planned],
    out_dir: &Path,
    resolver: &str,
    window: usize,
    per_tx: usize,
    progress: impl Fn(usize, usize),
) -> Result<Summary> {
    let max = tracepass_shared::bounds::MAX_LOTS_PER_BATCH as usize;
    if per_tx == 0 || per_tx > max {
        return Err(ClientError::Input(format!("lots per transaction: {per_tx} is not between 1 and {max}")));
    }
    std::fs::create_dir_all(out_dir).map_err(|e| ClientError::Io { path: out_dir.display().to_string(), reason: e.to_string() })?;
    let mut staged = planned
        .iter()
        .map(|p| p.built.stage_proofs(&proofs_path(out_dir, &p.row.gtin, &p.row.lot), resolver).map(Some))
        .collect::<Result<Vec<_>>>()?;
    let mut s = Summary { lots: planned.len(), items: planned.iter().map(|p| p.built.serials.len() as u64).sum(), ..Default::default() };
    // what is already there, read at one block
    let pinned = tp.pinned().await?;
    let existing: Vec<Option<tracepass_shared::Lot>> = stream::iter(planned.iter().map(|p| pinned.lot(lot_id(&p.row.gtin, p.row.lot.as_bytes()))))
        .buffered(window.max(1))
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_>>()?;
    let mut todo = vec![];
    for (i, (p, e)) in planned.iter().zip(existing).enumerate() {
        match e {
            Some(l) if l.info == p.input => {
                s.already_registered += 1;
                if let Some(f) = staged[i].take() {
                    f.commit()?;
                }
            }
            Some(_) => {
                return Err(ClientError::Input(format!(
                    "manifest line {}: lot {} of {} is already registered with different contents; nothing was sent",
                    p.row.line, p.row.lot, p.row.gtin
                )))
            }
            None => todo.push((i, p)),
        }
    }
    let total = todo.len();
    let mut results = stream::iter(todo.chunks(per_tx).map(|c| send(tp, signer, c.to_vec()))).buffer_unordered(window.max(1));
    let mut first_err: Option<ClientError> = None;
    while let Some((chunk, r)) = results.next().await {
        match r {
            Ok(()) => {
                for (i, _) in &chunk {
                    if let Some(f) = staged[*i].take() {
                        f.commit()?;
                    }
                }
                s.registered += chunk.len();
                progress(s.registered, total);
            }
            Err(e) => {
                if first_err.is_none() {
                    first_err = Some(e);
                }
            }
        }
    }
    match first_err {
        None => Ok(s),
        Some(e) if e.is_connection() => Err(ClientError::Connect {
            url: "the node".into(),
            reason: format!(
                "{e}; {} of {} lots were confirmed before that. Rerun the same command: lots already registered are skipped",
                s.registered, total
            ),
        }),
        Some(e) => Err(e),
    }
}

/// Registers one transaction's lots (`register_lot` for one, `register_lots` for several);
/// answers them with the outcome. A refusal names the manifest line of the first refused lot.
async fn send<'a>(tp: &Tracepass, signer: &Signer, chunk: Vec<(usize, &'a Planned)>) -> (Vec<(usize, &'a Planned)>, Result<()>) {
    let r = match &chunk[..] {
        [(_, p)] => tp.register_lot(signer, p.input.clone()).await.map(|_| ()).map_err(|e| match e {
            e if e.is_connection() => e,
            e => ClientError::Input(format!("manifest line {}: lot {}: {e}", p.row.line, p.row.lot)),
        }),
        _ => {
            let inputs: Vec<LotInput> = chunk.iter().map(|(_, p)| p.input.clone()).collect();
            let lines = (chunk[0].1.row.line, chunk[chunk.len() - 1].1.row.line);
            let name = |i: usize, _: &LotInput| format!("manifest line {}: lot {}", chunk[i].1.row.line, chunk[i].1.row.lot);
            tp.register_lots_naming(signer, &inputs, name).await.map(|_| ()).map_err(|e| match e {
                // a connection error, or a lot already named
                e @ (ClientError::Connect { .. } | ClientError::Input(_)) => e,
                e => ClientError::Input(format!("manifest lines {}-{}: {e}", lines.0, lines.1)),
            })
        }
    };
    (chunk, r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_parse_works() {
        let m = "gtin,lot,serials,produced,expires\n4006381333931,L1,a.txt,20260101,20280101\n\n4006381333931, L2 ,b.txt,20260101,20260101\n";
        let rows = parse_manifest(m, Path::new("/m")).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].lot, "L2");
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[0].serials, Path::new("/m/a.txt"));
        // a quoted field may hold the manifest's separator (a lot number with a comma)
        let q = "gtin,lot,serials,produced,expires\n4006381333931,\"L,1\",\"dir, 1/a.txt\",20260101,20280101\n";
        let rows = parse_manifest(q, Path::new("/m")).unwrap();
        assert_eq!((rows[0].lot.as_str(), rows[0].serials.as_path()), ("L,1", Path::new("/m/dir, 1/a.txt")));
    }

    #[test]
    fn manifest_parse_fails() {
        let h = "gtin,lot,serials,produced,expires\n";
        for (body, want) in [
            ("4006381333932,L1,a,20260101,20280101", "line 2"),
            ("4006381333931,L 1,a,20260101,20280101", "line 2"),
            ("4006381333931,L1,a,20261301,20280101", "line 2"),
            ("4006381333931,L1,a,20280101,20260101", "expiry"),
            ("4006381333931,L1,a,20260101", "5 fields"),
            ("4006381333931,L1,a,20260101,20280101\n4006381333931,L1,b,20260101,20280101", "repeats line 2"),
            ("", "no lots"),
        ] {
            let e = parse_manifest(&format!("{h}{body}"), Path::new(".")).unwrap_err().to_string();
            assert!(e.contains(want), "{body:?}: {e}");
        }
        assert!(parse_manifest("lot,gtin\n", Path::new(".")).unwrap_err().to_string().contains("header"));
    }

    #[test]
    fn plan_fails_on_bad_serials_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "S1\nS2\n").unwrap();
        std::fs::write(dir.path().join("b.txt"), "S1\nS1\n").unwrap();
        let m = "gtin,lot,serials,produced,expires\n4006381333931,L1,a.txt,20260101,20280101\n4006381333931,L2,b.txt,20260101,20280101\n";
        let key = lots::SaltKey::generate().unwrap();
        let e = plan(parse_manifest(m, dir.path()).unwrap(), &key).err().unwrap().to_string();
        assert!(e.contains("b.txt") && e.contains("line 2"), "{e}");
        let m = "gtin,lot,serials,produced,expires\n4006381333931,L1,a.txt,20260101,20280101\n";
        let p = plan(parse_manifest(m, dir.path()).unwrap(), &key).unwrap();
        assert_eq!(p[0].input.item_count, 2);
    }
}
