//! The one vocabulary table: each chain business step and the CBV 2.0 terms that stand for it.
//! Export reads it from step to terms, import from `bizStep` to step.
//!
//! CBV has no customs-clearance or recall business step: those two are URIs in the tracepass
//! namespace (EPCIS 2.0 allows any URI outside the CBV namespace there).

use super::TRACEPASS_NS;
use tracepass_shared::{BusinessStep, InspectionResult};

/// Prefix of CBV's business-step URIs; import takes `{CBV_BIZSTEP_URI}shipping` as `shipping`.
const CBV_BIZSTEP_URI: &str = "https://ref.gs1.org/cbv/BizStep-";

/// A `bizStep` value.
#[derive(Debug, Clone, Copy)]
enum BizStep {
    /// A CBV business step, written by its bare name.
    Cbv(&'static str),
    /// A step of tracepass's own: `{TRACEPASS_NS}bizstep/{name}`.
    Tracepass(&'static str),
}

/// Where an event's location goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// `readPoint` and `bizLocation`: the goods are there.
    ReadPointAndBizLocation,
    /// `readPoint` only: the goods are moving (shipping) or being withdrawn (recall).
    ReadPoint,
}

/// One row of the table: how a business step is written in EPCIS.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Terms {
    /// The chain's step.
    pub step: BusinessStep,
    biz_step: BizStep,
    /// The `disposition`; none for an inspection, whose attestation carries the result.
    pub disposition: Option<&'static str>,
    /// The `action` export writes: ADD for commissioning (the lot's items come into being),
    /// OBSERVE for the rest. Import takes OBSERVE for every step, and this one.
    pub action: &'static str,
    /// Where the location goes.
    pub place: Place,
    /// Why a partner's document may not record this step, if it may not.
    pub not_importable: Option<&'static str>,
}

const fn row(step: BusinessStep, biz_step: BizStep, disposition: Option<&'static str>, place: Place) -> Terms {
    let action = if matches!(step, BusinessStep::Commissioning) { "ADD" } else { "OBSERVE" };
    Terms { step, biz_step, disposition, action, place, not_importable: None }
}

const TABLE: [Terms; 10] = {
    use BizStep::{Cbv, Tracepass};
    use BusinessStep::*;
    use Place::*;
    [
        row(Commissioning, Cbv("commissioning"), Some("active"), ReadPointAndBizLocation),
        row(Packing, Cbv("packing"), Some("in_progress"), ReadPointAndBizLocation),
        row(Shipping, Cbv("shipping"), Some("in_transit"), ReadPoint),
        row(Arriving, Cbv("arriving"), Some("in_progress"), ReadPointAndBizLocation),
        row(Receiving, Cbv("receiving"), Some("in_progress"), ReadPointAndBizLocation),
        row(Storing, Cbv("storing"), Some("in_progress"), ReadPointAndBizLocation),
        row(CustomsClearance, Tracepass("customs_clearance"), Some("conformant"), ReadPointAndBizLocation),
        row(Inspecting, Cbv("inspecting"), None, ReadPointAndBizLocation),
        row(Holding, Cbv("holding"), Some("non_sellable_other"), ReadPointAndBizLocation),
        Terms {
            not_importable: Some("recalls are recorded with `tracepass lot recall`, not imported"),
            ..row(Recalling, Tracepass("recalling"), Some("recalled"), ReadPoint)
        },
    ]
};

impl BizStep {
    fn text(self) -> String {
        match self {
            BizStep::Cbv(name) => name.to_string(),
            BizStep::Tracepass(name) => format!("{TRACEPASS_NS}bizstep/{name}"),
        }
    }

    fn means(self, v: &str) -> bool {
        match self {
            BizStep::Cbv(name) => v.strip_prefix(CBV_BIZSTEP_URI).unwrap_or(v) == name,
            BizStep::Tracepass(name) => v.strip_prefix(TRACEPASS_NS).and_then(|r| r.strip_prefix("bizstep/")) == Some(name),
        }
    }
}

impl Terms {
    /// The `bizStep` export writes.
    pub fn biz_step(&self) -> String {
        self.biz_step.text()
    }
}

/// The terms of `step`.
pub(crate) fn terms(step: BusinessStep) -> &'static Terms {
    TABLE.iter().find(|t| t.step == step).expect("the table has a row for every business step")
}

/// The row a `bizStep` value names: a CBV name (bare or as CBV's URI) or a tracepass URI.
pub(crate) fn step_of(biz_step: &str) -> Option<&'static Terms> {
    TABLE.iter().find(|t| t.biz_step.means(biz_step))
}

/// The `bizStep` values import takes, for error messages: CBV names, then tracepass URIs.
pub(crate) fn importable() -> String {
    let open = || TABLE.iter().filter(|t| t.not_importable.is_none());
    let cbv = open().filter(|t| matches!(t.biz_step, BizStep::Cbv(_)));
    let ours = open().filter(|t| matches!(t.biz_step, BizStep::Tracepass(_)));
    cbv.chain(ours).map(Terms::biz_step).collect::<Vec<_>>().join(", ")
}

/// The disposition of a quality inspection's event (its business step is `inspecting`).
pub(crate) fn inspection_disposition(result: InspectionResult) -> &'static str {
    if result == InspectionResult::Pass {
        "conformant"
    } else {
        "non_conformant"
    }
}

/// tracepass's business step URI for customs clearance (CBV has none).
pub fn customs_clearance_step() -> String {
    terms(BusinessStep::CustomsClearance).biz_step()
}

/// tracepass's business step URI for recalls (CBV has none).
pub fn recalling_step() -> String {
    terms(BusinessStep::Recalling).biz_step()
}
