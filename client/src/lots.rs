//! Lot building off chain: serials -> item IDs -> Merkle tree -> per-item proofs file.

use crate::error::{ClientError, Result};
use crate::gs1::{DigitalLink, Proof};
use rayon::prelude::*;
use std::io::Write;
use std::path::Path;
use tracepass_shared::merkle::{self, Node, Tree};
use tracepass_shared::{item_id, Gtin, ItemId};

/// A lot ready to register: its serials, their item IDs and the tree over them.
pub struct BuiltLot {
    /// The product.
    pub gtin: Gtin,
    /// The lot number.
    pub lot: String,
    /// Serials in file order.
    pub serials: Vec<String>,
    /// Item IDs in the same order.
    pub items: Vec<ItemId>,
    /// The tree.
    pub tree: Tree,
}

/// Hashes item IDs and leaves in parallel and builds the tree.
pub fn build(gtin: Gtin, lot: &str, serials: Vec<String>) -> Result<BuiltLot> {
    let items: Vec<ItemId> = serials.par_iter().map(|s| item_id(&gtin, lot.as_bytes(), s.as_bytes())).collect();
    let leaves: Vec<Node> = items.par_iter().map(merkle::leaf).collect();
    let tree = Tree::from_leaves(leaves).ok_or_else(|| ClientError::Input("a lot needs at least one serial".into()))?;
    Ok(BuiltLot { gtin, lot: lot.to_string(), serials, items, tree })
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
        Proof { index: i as u32, siblings: self.tree.proof(i as u32).expect("index in range") }
    }

    /// The proofs-file line of item `i`.
    pub fn line(&self, i: usize, resolver: &str) -> ProofLine {
        let proof = self.proof(i);
        let dl = DigitalLink { gtin: self.gtin, lot: self.lot.clone(), serial: self.serials[i].clone(), proof: Some(proof.clone()) };
        ProofLine {
            serial: self.serials[i].clone(),
            item_id: format!("0x{}", hex::encode(self.items[i])),
            proof: proof.encode(),
            uri: dl.uri(resolver),
        }
    }

    /// Writes the proofs file (JSON lines, one per item), atomically (temp file + rename).
    pub fn write_proofs(&self, path: &Path, resolver: &str) -> Result<()> {
        let io = |e: std::io::Error| ClientError::Io { path: path.display().to_string(), reason: e.to_string() };
        let lines: Vec<String> = (0..self.serials.len())
            .into_par_iter()
            .map(|i| serde_json::to_string(&self.line(i, resolver)).expect("serialisable"))
            .collect();
        let tmp = path.with_extension("tmp");
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(io)?);
        for l in lines {
            f.write_all(l.as_bytes()).map_err(io)?;
            f.write_all(b"\n").map_err(io)?;
        }
        f.flush().map_err(io)?;
        drop(f);
        std::fs::rename(&tmp, path).map_err(io)
    }
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

    #[test]
    fn build_and_prove_works() {
        let gtin = crate::gs1::parse_gtin("4006381333931").unwrap();
        let serials: Vec<String> = (0..1000).map(|i| format!("S{i}")).collect();
        let lot = build(gtin, "L1", serials).unwrap();
        for i in [0usize, 1, 500, 999] {
            let p = lot.proof(i);
            let item = item_id(&gtin, b"L1", lot.serials[i].as_bytes());
            assert!(merkle::verify(&lot.tree.root(), 1000, i as u32, &item, &p.siblings));
            let line = lot.line(i, "h");
            let dl = DigitalLink::parse(&line.uri).unwrap();
            assert_eq!(dl.proof.unwrap(), p);
        }
    }
}
