//! The consumer's one-scan check: [`read`] the facts of a lot at one block, judge them with the
//! pure rules of [`verdict`], and write the [`report`]. [`cache`] keeps the lot-level part per
//! block for a resolver.

pub mod cache;
pub mod read;
pub mod report;
pub mod verdict;

pub use read::{read_lot_facts, LotFacts, Names, RegisteredLot};
pub use report::{render_text, ClaimSummary, Evidence, EvidenceStatus, LotReport, MerchantReport, ProductReport, Report, SamplingReport, TraceLine};
pub use verdict::{lot_verdict, verdict, Judgement, ProofCheck, Reason, Verdict};

use crate::contracts::Tracepass;
use crate::error::{ClientError, Result};
use crate::gs1::DigitalLink;
use tracepass_shared::{item_id_of, Claim, Gtin};

/// Exit status of `verify` for a genuine item.
pub const EXIT_GENUINE: i32 = 0;
/// Exit status of `verify` for any negative verdict.
pub const EXIT_NOT_GENUINE: i32 = 1;
/// Exit status of `verify` when the check could not be made (bad input, chain unreachable).
pub const EXIT_ERROR: i32 = 2;

/// Checks an item named by a Digital Link (with its proof) against the chain: every lot-level
/// read at one pinned block, then the item's own proof check.
pub async fn verify(tp: &Tracepass, dl: &DigitalLink) -> Result<Report> {
    let mut retried = false;
    loop {
        let pinned = tp.pinned().await?;
        match read_lot(&pinned, dl.gtin, &dl.lot).await {
            Ok(view) => return Ok(view.judge(dl)),
            Err(e) if !retried && block_gone(&e) => retried = true,
            Err(e) => return Err(e),
        }
    }
}

/// True if a read failed because the node no longer has the state of the block it was made at.
/// After a burst of transactions the node's best block can trail the blocks it is sealing and
/// finalising, and the state of a block 256 behind the finalised one is pruned: pinning the
/// best block again and rereading is then right.
pub fn block_gone(e: &ClientError) -> bool {
    let s = e.to_string();
    s.contains("UnknownBlock") || s.contains("State already discarded")
}

/// What a verdict needs that is the same for every item of one lot at one block: the facts, the
/// report without its item fields, and the verdict of an item proven to be in the lot. State at
/// a block hash never changes, so a view read at a block serves every scan made at that block
/// (see [`cache::Verifier`]); only the item's proof is checked per scan.
#[derive(Debug, Clone)]
pub struct LotView {
    /// What was read.
    pub facts: LotFacts,
    /// The report with empty item fields (`serial`, `item_id`) and verdict.
    template: Report,
    /// The verdict of an item proven to be in the lot.
    in_lot: Judgement,
}

/// Reads the view of (`gtin`, `lot_number`) at `tp`'s block (pin it first).
pub async fn read_lot(tp: &Tracepass, gtin: Gtin, lot_number: &str) -> Result<LotView> {
    Ok(LotView::new(read_lot_facts(tp, gtin, lot_number).await?))
}

impl LotView {
    /// The view of `facts`, judged at the block's own time.
    pub fn new(facts: LotFacts) -> LotView {
        let now = facts.block_time;
        LotView { template: template(&facts), in_lot: lot_verdict(&facts, now), facts }
    }

    /// The report of one scanned item of this lot: its ID and proof checked here, the rest
    /// from the view. `dl` must name the view's GTIN and lot.
    pub fn judge(&self, dl: &DigitalLink) -> Report {
        let salt = dl.proof.as_ref().and_then(|p| p.salt.as_ref());
        let item = item_id_of(&dl.gtin, dl.lot.as_bytes(), dl.serial.as_bytes(), salt);
        let proof = match &self.facts.registered {
            Some(reg) => ProofCheck::of(&reg.lot.info.root, reg.lot.info.item_count, &item, dl.proof.as_ref()),
            None => ProofCheck::Missing,
        };
        let j = match proof {
            ProofCheck::InLot => self.in_lot.clone(),
            _ => verdict(&self.facts, self.facts.block_time, &dl.serial, proof),
        };
        let mut r = self.template.clone();
        r.serial = dl.serial.clone();
        r.item_id = format!("0x{}", hex::encode(item));
        r.verdict = j.verdict;
        r.reason = j.reason;
        r
    }
}

/// The report of a lot's facts, without the item's fields and verdict.
fn template(f: &LotFacts) -> Report {
    let now = f.block_time;
    let mut r = Report {
        verdict: Verdict::NotRegistered,
        reason: Reason::NotRegistered,
        gtin: f.gtin.to_string(),
        lot: f.lot_number.clone(),
        serial: String::new(),
        item_id: String::new(),
        product: None,
        merchant: None,
        lot_record: None,
        sampling: None,
        factory_certifications: vec![],
        customs_clearances: vec![],
        inspections: vec![],
        trace: vec![],
    };
    let Some(reg) = &f.registered else { return r };
    let names = &reg.names;
    r.product = Some(ProductReport { factory_name: names.factory.clone(), ..(&reg.product.info).into() });
    r.merchant = reg.merchant.as_ref().map(|m| MerchantReport::new(&reg.product.merchant, m, names));
    r.lot_record = Some((&reg.lot).into());
    r.sampling = reg.sample.as_ref().map(|s| SamplingReport::new(reg.selection, s));
    r.factory_certifications = reg.factory_attestations.iter().map(|(id, a)| Evidence::new(*id, a, now, names)).collect();
    for (id, a) in &reg.attestations {
        match a.claim {
            Claim::QualityInspection { .. } => r.inspections.push(Evidence::new(*id, a, now, names)),
            Claim::CustomsClearance { .. } => r.customs_clearances.push(Evidence::new(*id, a, now, names)),
            Claim::FactoryCertification { .. } => {}
        }
    }
    r.trace = reg.trace.iter().map(|e| TraceLine::new(e, names)).collect();
    r
}
