//! The report of one verification: the verdict, why, and the evidence it rests on. One type for
//! `verify --json`, the resolver's JSON and its HTML page.

use super::read::Names;
use super::verdict::{Reason, Verdict};
use crate::i18n::{n, rule_text, s, Lang};
use crate::fmt::{ss58, text, utc};
use ink::primitives::AccountId;
use serde::{Serialize, Serializer};
use tracepass_shared::*;

/// Serializes an enum by its variant name ("Active", "Held"), the words the chain's API uses.
fn variant_name<T: std::fmt::Debug, S: Serializer>(v: &T, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(&format_args!("{v:?}"))
}

/// The whole report (what `verify --json` prints and the resolver serves).
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The verdict.
    pub verdict: Verdict,
    /// Why, in one sentence (in the JSON, the English).
    pub reason: Reason,
    /// GTIN-14.
    pub gtin: String,
    /// Lot number.
    pub lot: String,
    /// Serial.
    pub serial: String,
    /// The item's digital ID (0x).
    pub item_id: String,
    /// The product, if registered.
    pub product: Option<ProductReport>,
    /// The merchant that registered the product.
    pub merchant: Option<MerchantReport>,
    /// The lot, if registered.
    pub lot_record: Option<LotReport>,
    /// The lot's sampling record.
    pub sampling: Option<SamplingReport>,
    /// Factory certifications.
    pub factory_certifications: Vec<Evidence>,
    /// Customs clearances.
    pub customs_clearances: Vec<Evidence>,
    /// Quality inspections.
    pub inspections: Vec<Evidence>,
    /// The trace, oldest first.
    pub trace: Vec<TraceLine>,
}

/// A registered product.
#[derive(Debug, Clone, Serialize)]
pub struct ProductReport {
    /// Brand.
    pub brand: String,
    /// Category code.
    pub category: Category,
    /// Country of origin (ISO 3166-1 alpha-2).
    pub origin: String,
    /// HS tariff code.
    pub hs_code: String,
    /// The producing factory.
    pub factory: FactoryId,
    /// Its display name on chain, if its merchant gave it one.
    pub factory_name: Option<String>,
    /// Where the product's metadata document is (may be empty).
    pub uri: String,
}

impl From<&ProductInput> for ProductReport {
    fn from(p: &ProductInput) -> Self {
        ProductReport {
            brand: text(&p.brand),
            category: p.category,
            origin: p.origin.to_string(),
            hs_code: text(&p.hs_code),
            factory: p.factory,
            factory_name: None,
            uri: text(&p.uri),
        }
    }
}

/// The merchant of a product.
#[derive(Debug, Clone, Serialize)]
pub struct MerchantReport {
    /// SS58 account.
    pub account: String,
    /// Its display name on chain, if governance gave it one.
    pub name: Option<String>,
    /// Country of registration.
    pub country: String,
    /// Risk tier.
    #[serde(serialize_with = "variant_name")]
    pub tier: MerchantTier,
    /// Status.
    #[serde(serialize_with = "variant_name")]
    pub status: MerchantStatus,
}

impl MerchantReport {
    /// The report of `m`, registered under `account`, named as `names` say.
    pub fn new(account: &AccountId, m: &Merchant, names: &Names) -> Self {
        MerchantReport { account: ss58(account), name: names.of(account), country: m.country.to_string(), tier: m.tier, status: m.status }
    }
}

/// A registered lot.
#[derive(Debug, Clone, Serialize)]
pub struct LotReport {
    /// Status.
    #[serde(serialize_with = "variant_name")]
    pub status: LotStatus,
    /// Items in the lot.
    pub item_count: u32,
    /// Production date, `YYYYMMDD`.
    pub produced_on: Date,
    /// Expiry date, `YYYYMMDD`.
    pub expires_on: Date,
    /// Block of registration.
    pub registered_at_block: BlockNumber,
    /// The Merkle root over its items (0x).
    pub root: String,
}

impl From<&Lot> for LotReport {
    fn from(l: &Lot) -> Self {
        LotReport {
            status: l.status,
            item_count: l.info.item_count,
            produced_on: l.info.produced_on,
            expires_on: l.info.expires_on,
            registered_at_block: l.registered_at,
            root: format!("0x{}", hex::encode(l.info.root)),
        }
    }
}

/// The lot's sampling record and selection.
#[derive(Debug, Clone, Serialize)]
pub struct SamplingReport {
    /// Whether sampling selected the lot.
    #[serde(serialize_with = "variant_name")]
    pub selection: Selection,
    /// The rate that applied, in basis points.
    pub rate_bps: u16,
    /// The rule that gave the rate (none: the default rate); in the JSON, in English words.
    #[serde(serialize_with = "rule_words")]
    pub rule: Option<RuleKey>,
    /// The sampling epoch.
    pub epoch: u32,
}

impl SamplingReport {
    /// The report of `sample` with its `selection`.
    pub fn new(selection: Selection, sample: &LotSample) -> Self {
        SamplingReport {
            selection,
            rate_bps: sample.rate_bps,
            rule: sample.rule,
            epoch: sample.epoch,
        }
    }
}

/// Whether an attestation counts as evidence, as the report writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EvidenceStatus {
    /// Not revoked and within its validity.
    Valid,
    /// Past its end of validity.
    Expired,
    /// Revoked.
    Revoked,
}

impl From<AttestationStatus> for EvidenceStatus {
    fn from(s: AttestationStatus) -> Self {
        match s {
            AttestationStatus::Valid => EvidenceStatus::Valid,
            AttestationStatus::Expired => EvidenceStatus::Expired,
            AttestationStatus::Revoked => EvidenceStatus::Revoked,
        }
    }
}

impl EvidenceStatus {
    /// "valid", "expired" or "revoked".
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceStatus::Valid => "valid",
            EvidenceStatus::Expired => "expired",
            EvidenceStatus::Revoked => "revoked",
        }
    }
}

/// An attestation as evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// Attestation ID.
    pub id: AttestationId,
    /// What it says (in the JSON, in English words).
    pub summary: ClaimSummary,
    /// Issuer (SS58).
    pub issuer: String,
    /// The issuer's display name on chain, if it has one.
    pub issuer_name: Option<String>,
    /// Whether it counts at the time of the report.
    pub status: EvidenceStatus,
    /// Issued at (ms).
    pub issued_at: Timestamp,
    /// Valid until (ms), if it expires.
    pub valid_until: Option<Timestamp>,
}

impl Evidence {
    /// Attestation `id` as evidence at time `now`, its issuer named as `names` say.
    pub fn new(id: AttestationId, a: &Attestation, now: Timestamp, names: &Names) -> Self {
        let summary = match &a.claim {
            Claim::QualityInspection { result, standard, items_sampled, selected, .. } => {
                ClaimSummary::Inspection { result: *result, standard: text(standard), items_sampled: *items_sampled, selected: *selected }
            }
            Claim::FactoryCertification { factory, standard, .. } => ClaimSummary::Certification { factory: *factory, standard: text(standard) },
            Claim::CustomsClearance { port, .. } => ClaimSummary::Clearance { port: text(port) },
        };
        Evidence {
            id,
            summary,
            issuer: ss58(&a.issuer),
            issuer_name: names.of(&a.issuer),
            status: a.status_at(now).into(),
            issued_at: a.issued_at,
            valid_until: a.valid_until,
        }
    }
}

/// What an attestation says, as its facts; [`ClaimSummary::text`] words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimSummary {
    /// A quality inspection of the lot.
    Inspection { result: InspectionResult, standard: String, items_sampled: u32, selected: bool },
    /// A factory's certification.
    Certification { factory: FactoryId, standard: String },
    /// A customs clearance of the lot.
    Clearance { port: String },
}

impl ClaimSummary {
    /// The claim in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        match self {
            ClaimSummary::Inspection { result, standard, items_sampled, selected } => lang.t_args(
                "claim-inspection",
                [
                    ("result", s(if *result == InspectionResult::Pass { "pass" } else { "fail" })),
                    ("standard", s(standard)),
                    ("items", n(*items_sampled)),
                    ("selected", s(if *selected { "yes" } else { "no" })),
                ],
            ),
            ClaimSummary::Certification { factory, standard } => {
                lang.t_args("claim-certification", [("factory", n(*factory)), ("standard", s(standard))])
            }
            ClaimSummary::Clearance { port } => lang.t_args("claim-clearance", [("port", s(port))]),
        }
    }
}

impl std::fmt::Display for ClaimSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl Serialize for ClaimSummary {
    fn serialize<S: Serializer>(&self, ser: S) -> std::result::Result<S::Ok, S::Error> {
        ser.collect_str(self)
    }
}

fn rule_words<S: Serializer>(rule: &Option<RuleKey>, ser: S) -> std::result::Result<S::Ok, S::Error> {
    ser.collect_str(&rule_text(rule.as_ref(), Lang::En))
}

/// One trace event.
#[derive(Debug, Clone, Serialize)]
pub struct TraceLine {
    /// Business step.
    #[serde(serialize_with = "variant_name")]
    pub step: BusinessStep,
    /// When (ms).
    pub event_time: Timestamp,
    /// Where: country and location code.
    pub location: String,
    /// Who recorded it (SS58).
    pub actor: String,
    /// Its display name on chain, if it has one.
    pub actor_name: Option<String>,
}

impl TraceLine {
    /// Event `e`, its actor named as `names` say.
    pub fn new(e: &TraceEvent, names: &Names) -> Self {
        TraceLine {
            step: e.step,
            event_time: e.event_time,
            location: format!("{} {}", e.location.country, text(&e.location.code)).trim().to_string(),
            actor: ss58(&e.actor),
            actor_name: names.of(&e.actor),
        }
    }
}

/// `name (address)` when there is a name, else the address: how the CLI names an account.
fn named(name: &Option<String>, account: &str) -> String {
    match name {
        Some(n) => format!("{n:?} ({account})"),
        None => account.to_string(),
    }
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
        let factory = match &p.factory_name {
            Some(n) => format!("{} {n:?}", p.factory),
            None => p.factory.to_string(),
        };
        let _ = writeln!(s, "product   {} (category {}, origin {}, HS {}, factory {factory})", p.brand, p.category, p.origin, p.hs_code);
    }
    if let Some(m) = &r.merchant {
        let _ = writeln!(s, "merchant  {} ({}, tier {:?}, {:?})", named(&m.name, &m.account), m.country, m.tier, m.status);
    }
    if let Some(l) = &r.lot_record {
        let _ = writeln!(s, "lot       {} items, status {:?}, produced {}, expires {}", l.item_count, l.status, l.produced_on, l.expires_on);
    }
    if let Some(x) = &r.sampling {
        let _ = writeln!(s, "sampling  {:?} (rate {} bps by rule [{}], epoch {})", x.selection, x.rate_bps, rule_text(x.rule.as_ref(), Lang::En), x.epoch);
    }
    for (title, list) in [("factory certification", &r.factory_certifications), ("customs clearance", &r.customs_clearances), ("inspection", &r.inspections)] {
        if list.is_empty() {
            let _ = writeln!(s, "{title}: none");
        }
        for e in list {
            let _ = writeln!(s, "{title} #{}: {} [{}] by {}", e.id, e.summary, e.status.as_str(), named(&e.issuer_name, &e.issuer));
        }
    }
    let _ = writeln!(s, "trace:");
    for t in &r.trace {
        let _ = writeln!(s, "  {}  {:<16} {:<10} by {}", utc(t.event_time), format!("{:?}", t.step), t.location, named(&t.actor_name, &t.actor));
    }
    s
}
