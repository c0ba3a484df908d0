//! A partner's EPCIS document recorded as trace events, in three steps: [`parse_document`] (the
//! document -> typed events, pure), [`plan_import`] (the contracts' checks and dry runs against
//! chain state, nothing signed) and [`submit_import`] (one `Utility.batch_all`). [`import`] is
//! the three in a row.

mod parse;
mod plan;
mod submit;

pub use parse::{parse_document, ImportedEvent};
pub use plan::{plan_import, ImportPlan};
pub use submit::{has_batch_all, submit_import, ImportReport, LotImport};

use crate::chain::Signer;
use crate::contracts::Tracepass;
use crate::error::Result;

/// Records `events` (from [`parse_document`]) as trace events, signed by `signer`: all or
/// nothing. A document naming an unknown lot, or with an event the contracts would refuse, is
/// rejected whole with the reason before anything is signed (see [`plan_import`]).
pub async fn import(tp: &Tracepass, signer: &Signer, events: &[ImportedEvent]) -> Result<ImportReport> {
    let plan = plan_import(tp, signer, events).await?;
    submit_import(tp, signer, &plan).await
}
