//! The consumer's one-scan check: a verdict, and the evidence it rests on, from contract reads.

use crate::chain::ss58;
use crate::contracts::Tracepass;
use crate::error::Result;
use crate::gs1::DigitalLink;
use parity_scale_codec::Decode;
use serde::Serialize;
use tracepass_shared::merkle;
use tracepass_shared::*;

/// Exit status of `verify` for a genuine item.
pub const EXIT_GENUINE: i32 = 0;
/// Exit status of `verify` for any negative verdict.
pub const EXIT_NOT_GENUINE: i32 = 1;
/// Exit status of `verify` when the check could not be made (bad input, chain unreachable).
pub const EXIT_ERROR: i32 = 2;

/// The verdict, first thing a consumer sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Registered, in its lot, merchant active, nothing against it.
    Genuine,
    /// No such product or lot on chain.
    NotRegistered,
    /// The lot exists but this serial is not in it (or the proof is missing or wrong).
    NotInLot,
    /// The lot was recalled.
    Recalled,
    /// The lot is held (by customs, or pending a re-test).
    Held,
    /// The lot failed its latest inspection.
    FailedInspection,
    /// The merchant is suspended or revoked.
    MerchantSuspended,
    /// The inspection the lot relies on was revoked.
    AttestationRevoked,
    /// The inspection the lot relies on has expired.
    AttestationExpired,
    /// Sampling selected the lot and no inspection is recorded yet.
    AwaitingInspection,
}

impl Verdict {
    /// True only for `Genuine`.
    pub fn is_genuine(self) -> bool {
        self == Verdict::Genuine
    }

    /// A short headline.
    pub fn headline(self) -> &'static str {
        match self {
            Verdict::Genuine => "GENUINE",
            Verdict::NotRegistered => "NOT GENUINE: not registered",
            Verdict::NotInLot => "NOT GENUINE: serial not in this lot",
            Verdict::Recalled => "RECALLED: do not use",
            Verdict::Held => "ON HOLD: not released for sale",
            Verdict::FailedInspection => "FAILED INSPECTION",
            Verdict::MerchantSuspended => "NOT GENUINE: merchant suspended",
            Verdict::AttestationRevoked => "NOT VERIFIED: inspection revoked",
            Verdict::AttestationExpired => "NOT VERIFIED: inspection expired",
            Verdict::AwaitingInspection => "NOT VERIFIED: awaiting inspection",
        }
    }
}

/// An attestation as evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// Attestation ID.
    pub id: AttestationId,
    /// What it says, in words.
    pub summary: String,
    /// Issuer (SS58).
    pub issuer: String,
    /// valid / expired / revoked.
    pub status: String,
    /// Issued at (ms).
    pub issued_at: Timestamp,
    /// Valid until (ms), if it expires.
    pub valid_until: Option<Timestamp>,
}

/// One trace event.
#[derive(Debug, Clone, Serialize)]
pub struct TraceLine {
    /// Business step.
    pub step: String,
    /// When (ms).
    pub event_time: Timestamp,
    /// Where: country and location code.
    pub location: String,
    /// Who recorded it.
    pub actor: String,
}

/// The whole report (what `verify --json` prints and the resolver serves).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in one sentence.
    pub reason: String,
    /// GTIN-14.
    pub gtin: String,
    /// Lot number.
    pub lot: String,
    /// Serial.
    pub serial: String,
    /// The item's digital ID (0x).
    pub item_id: String,
    /// Product: brand, category, origin, HS code, factory.
    pub product: Option<serde_json::Value>,
    /// Merchant: account, country, tier, status.
    pub merchant: Option<serde_json::Value>,
    /// Lot: status, item count, dates, registered block.
    pub lot_record: Option<serde_json::Value>,
    /// Sampling: selection, rate, rule, epoch.
    pub sampling: Option<serde_json::Value>,
    /// Factory certifications.
    pub factory_certifications: Vec<Evidence>,
    /// Customs clearances.
    pub customs_clearances: Vec<Evidence>,
    /// Quality inspections.
    pub inspections: Vec<Evidence>,
    /// The trace, oldest first.
    pub trace: Vec<TraceLine>,
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn evidence(id: AttestationId, a: &Attestation, now: Timestamp) -> Evidence {
    let summary = match &a.claim {
        Claim::QualityInspection { result, standard, items_sampled, selected, .. } => format!(
            "{result:?} against {} ({items_sampled} items sampled, {})",
            text(standard),
            if *selected { "selected by sampling" } else { "voluntary" }
        ),
        Claim::FactoryCertification { factory, standard, .. } => format!("factory {factory} certified {}", text(standard)),
        Claim::CustomsClearance { port, .. } => format!("cleared at {}", text(port)),
    };
    let status = match a.status_at(now) {
        AttestationStatus::Valid => "valid",
        AttestationStatus::Expired => "expired",
        AttestationStatus::Revoked => "revoked",
    };
    Evidence { id, summary, issuer: ss58(&a.issuer), status: status.into(), issued_at: a.issued_at, valid_until: a.valid_until }
}

/// Checks an item named by a Digital Link (with its proof) against the chain: every lot-level
/// read at one pinned block ([`read_lot`]), then the item's own proof check ([`LotView::judge`]).
pub async fn verify(tp: &Tracepass, dl: &DigitalLink) -> Result<Report> {
    // every read of one verdict at the same block: a consistent picture, half the round trips
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
pub fn block_gone(e: &crate::error::ClientError) -> bool {
    let s = e.to_string();
    s.contains("UnknownBlock") || s.contains("State already discarded")
}

/// What a verdict needs that is the same for every item of one lot at one block: the report
/// without its item fields, and the lot's verdict for an item whose proof checks. State at a
/// block hash never changes, so a view read at a block can serve every scan made at that block
/// (see [`crate::cache::Verifier`]); only the item's proof is checked per scan.
#[derive(Debug, Clone)]
pub struct LotView {
    /// The report with empty item fields (`serial`, `item_id`) and verdict.
    template: Report,
    /// Root and item count of the lot, if registered (with its product).
    tree: Option<(merkle::Node, u32)>,
    /// The verdict of an item proven to be in the lot.
    in_lot: (Verdict, String),
}

/// Reads everything lot-level a verdict rests on, at `tp`'s block (pin it first), in two
/// JSON-RPC batches: product, lot and block time; then, if both exist, merchant, the lot's and
/// the factory's attestations, selection, sampling record and trace. 8 dry runs in all.
pub async fn read_lot(tp: &Tracepass, gtin: Gtin, lot_number: &str) -> Result<LotView> {
    use crate::contracts::{answer, read, selectors as s};
    let lot_id = lot_id(&gtin, lot_number.as_bytes());
    // two JSON-RPC batches, each one round trip: what the second needs comes from the first
    let first = vec![read(tp.registry, s::PRODUCT, gtin), read(tp.registry, s::LOT, lot_id), crate::chain::Read::Storage(tp.chain.now_key()?)];
    let mut out = tp.chain.read_many(first).await?.into_iter();
    let mut next = || out.next().ok_or_else(|| crate::error::ClientError::Chain("a batch answer is missing".into()));
    let product: Option<Product> = answer(next()?)?;
    let lot: Option<Lot> = answer(next()?)?;
    let now = match next()? {
        crate::chain::ReadOut::Storage(Some(b)) => Timestamp::decode(&mut &b[..]).unwrap_or(0),
        _ => 0,
    };
    let mut r = Report {
        verdict: Verdict::Genuine,
        reason: String::new(),
        gtin: gtin.to_string(),
        lot: lot_number.to_string(),
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
    let (Some(product), Some(lot)) = (product, lot) else {
        let reason = "no product with this GTIN, or no lot with this number, is registered on chain".to_string();
        return Ok(LotView { template: r, tree: None, in_lot: (Verdict::NotRegistered, reason) });
    };
    let second = vec![
        read(tp.whitelist, s::MERCHANT, product.merchant),
        read(tp.attestation, s::OF_LOT, lot_id),
        read(tp.attestation, s::OF_FACTORY, product.info.factory),
        read(tp.sampling, s::SELECTION, lot_id),
        read(tp.sampling, s::LOT_SAMPLE, lot_id),
        read(tp.registry, s::EVENTS, lot_id),
    ];
    let mut out = tp.chain.read_many(second).await?.into_iter();
    let mut next = || out.next().ok_or_else(|| crate::error::ClientError::Chain("a batch answer is missing".into()));
    let merchant: Option<Merchant> = answer(next()?)?;
    let atts: Vec<(AttestationId, Attestation)> = answer(next()?)?;
    let factory_atts: Vec<(AttestationId, Attestation)> = answer(next()?)?;
    let selection: Selection = answer(next()?)?;
    let sample: Option<LotSample> = answer(next()?)?;
    let trace: Vec<TraceEvent> = answer(next()?)?;
    r.product = Some(serde_json::json!({
        "brand": text(&product.info.brand),
        "category": product.info.category,
        "origin": product.info.origin.to_string(),
        "hs_code": text(&product.info.hs_code),
        "factory": product.info.factory,
        "uri": text(&product.info.uri),
    }));
    r.merchant = merchant.as_ref().map(|m| {
        serde_json::json!({
            "account": ss58(&product.merchant),
            "country": m.country.to_string(),
            "tier": format!("{:?}", m.tier),
            "status": format!("{:?}", m.status),
        })
    });
    r.lot_record = Some(serde_json::json!({
        "status": format!("{:?}", lot.status),
        "item_count": lot.info.item_count,
        "produced_on": lot.info.produced_on,
        "expires_on": lot.info.expires_on,
        "registered_at_block": lot.registered_at,
        "root": format!("0x{}", hex::encode(lot.info.root)),
    }));
    r.sampling = sample.as_ref().map(|s| {
        serde_json::json!({
            "selection": format!("{selection:?}"),
            "rate_bps": s.rate_bps,
            "rule": s.rule.map(|k| crate::contracts::describe_rule(&k)).unwrap_or_else(|| "default rate".into()),
            "epoch": s.epoch,
        })
    });
    r.factory_certifications = factory_atts.iter().map(|(id, a)| evidence(*id, a, now)).collect();
    let mut inspections: Vec<&(AttestationId, Attestation)> = vec![];
    for pair in &atts {
        match pair.1.claim {
            Claim::QualityInspection { .. } => {
                inspections.push(pair);
                r.inspections.push(evidence(pair.0, &pair.1, now));
            }
            Claim::CustomsClearance { .. } => r.customs_clearances.push(evidence(pair.0, &pair.1, now)),
            Claim::FactoryCertification { .. } => {}
        }
    }
    r.trace = trace
        .iter()
        .map(|e| TraceLine {
            step: format!("{:?}", e.step),
            event_time: e.event_time,
            location: format!("{} {}", e.location.country, text(&e.location.code)).trim().to_string(),
            actor: ss58(&e.actor),
        })
        .collect();

    // The verdict of an item in the lot, most serious first (not in the lot comes before all).
    let latest = inspections.last().map(|(id, a)| (*id, a, a.status_at(now)));
    let latest_result = latest.as_ref().and_then(|(_, a, _)| match a.claim {
        Claim::QualityInspection { result, .. } => Some(result),
        _ => None,
    });
    let in_lot = if merchant.as_ref().is_none_or(|m| m.status != MerchantStatus::Active) {
        (Verdict::MerchantSuspended, "the merchant that registered this product is not active on the consortium".into())
    } else if lot.status == LotStatus::Recalled {
        (Verdict::Recalled, "the merchant or the consortium recalled this lot".into())
    } else if latest_result == Some(InspectionResult::Fail) && latest.as_ref().is_some_and(|l| l.2 == AttestationStatus::Valid) {
        (Verdict::FailedInspection, format!("inspection #{} of this lot failed", latest.as_ref().map(|l| l.0).unwrap_or(0)))
    } else if lot.status == LotStatus::Held {
        (Verdict::Held, "the lot is held and has not been released".into())
    } else if selection == Selection::Selected {
        match latest {
            None => (Verdict::AwaitingInspection, "sampling selected this lot for inspection and none is recorded yet".into()),
            Some((id, _, AttestationStatus::Revoked)) => (Verdict::AttestationRevoked, format!("inspection #{id} was revoked")),
            Some((id, _, AttestationStatus::Expired)) => (Verdict::AttestationExpired, format!("inspection #{id} has expired")),
            Some((id, _, AttestationStatus::Valid)) => (Verdict::Genuine, format!("registered, in its lot, and passed inspection #{id}")),
        }
    } else {
        (Verdict::Genuine, "registered by an active merchant and proven to be in its lot".into())
    };
    Ok(LotView { template: r, tree: Some((lot.info.root, lot.info.item_count)), in_lot })
}

impl LotView {
    /// The report of one scanned item of this lot: its ID and proof checked here, the rest
    /// from the view. `dl` must name the view's GTIN and lot.
    pub fn judge(&self, dl: &DigitalLink) -> Report {
        let item = item_id(&dl.gtin, dl.lot.as_bytes(), dl.serial.as_bytes());
        let mut r = self.template.clone();
        r.serial = dl.serial.clone();
        r.item_id = format!("0x{}", hex::encode(item));
        let (verdict, reason) = match &self.tree {
            None => self.in_lot.clone(),
            Some((root, count)) => {
                let proof_ok = match &dl.proof {
                    Some(p) => merkle::verify(root, *count, p.index, &item, &p.siblings),
                    None => false,
                };
                if !proof_ok {
                    (Verdict::NotInLot, if dl.proof.is_none() {
                        "no proof was given for this serial".to_string()
                    } else {
                        format!("serial {} is not one of the {} items registered in lot {}", dl.serial, count, dl.lot)
                    })
                } else {
                    self.in_lot.clone()
                }
            }
        };
        r.verdict = verdict;
        r.reason = reason;
        r
    }
}

/// The civil date (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A chain timestamp (ms since the Unix epoch) as `YYYY-MM-DD hh:mm:ss UTC`.
pub fn utc(ms: Timestamp) -> String {
    let secs = ms / 1000;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", rem / 3600, (rem % 3600) / 60, rem % 60)
}

/// The report as text, for people.
pub fn render_text(r: &Report) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(s, "{}", r.verdict.headline());
    let _ = writeln!(s, "  {}", r.reason);
    let _ = writeln!(s, "item      GTIN {} lot {} serial {}", r.gtin, r.lot, r.serial);
    let _ = writeln!(s, "item id   {}", r.item_id);
    if let Some(p) = &r.product {
        let _ = writeln!(s, "product   {} (category {}, origin {}, HS {}, factory {})", p["brand"].as_str().unwrap_or(""), p["category"], p["origin"].as_str().unwrap_or(""), p["hs_code"].as_str().unwrap_or(""), p["factory"]);
    }
    if let Some(m) = &r.merchant {
        let _ = writeln!(s, "merchant  {} ({}, tier {}, {})", m["account"].as_str().unwrap_or(""), m["country"].as_str().unwrap_or(""), m["tier"].as_str().unwrap_or(""), m["status"].as_str().unwrap_or(""));
    }
    if let Some(l) = &r.lot_record {
        let _ = writeln!(s, "lot       {} items, status {}, produced {}, expires {}", l["item_count"], l["status"].as_str().unwrap_or(""), l["produced_on"], l["expires_on"]);
    }
    if let Some(x) = &r.sampling {
        let _ = writeln!(s, "sampling  {} (rate {} bps by rule [{}], epoch {})", x["selection"].as_str().unwrap_or(""), x["rate_bps"], x["rule"].as_str().unwrap_or(""), x["epoch"]);
    }
    for (title, list) in [("factory certification", &r.factory_certifications), ("customs clearance", &r.customs_clearances), ("inspection", &r.inspections)] {
        if list.is_empty() {
            let _ = writeln!(s, "{title}: none");
        }
        for e in list {
            let _ = writeln!(s, "{title} #{}: {} [{}] by {}", e.id, e.summary, e.status, e.issuer);
        }
    }
    let _ = writeln!(s, "trace:");
    for t in &r.trace {
        let _ = writeln!(s, "  {}  {:<16} {:<10} by {}", utc(t.event_time), t.step, t.location, t.actor);
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_works() {
        assert_eq!(super::utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(super::utc(1_795_316_030_569), "2026-11-22 02:53:50 UTC");
        assert_eq!(super::utc(951_782_400_000), "2000-02-29 00:00:00 UTC");
    }
}
