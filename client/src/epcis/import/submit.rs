//! A checked plan sent as ONE `Utility.batch_all` of `Contracts.call`s: the chain records every
//! event or none. On a runtime without `Utility.batch_all` the events go one transaction each,
//! after the same checks; a failure midway (a concurrent change) then leaves the earlier events
//! recorded, and the error says how many. If the chain changed since the plan and the batch
//! fails, nothing was recorded; the error gives the runtime's reason and the first event the
//! contract now refuses.

use super::parse::ImportedEvent;
use super::plan::ImportPlan;
use crate::chain::{AccountId, Signer};
use subxt::utils::H256;
use crate::contracts::{Call, Refusal, Tracepass};
use crate::epcis::hex32;
use crate::error::{ClientError, Result};

/// What an import recorded, per lot.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LotImport {
    /// GTIN.
    pub gtin: String,
    /// Lot number.
    pub lot: String,
    /// 0x lot ID.
    pub lot_id: String,
    /// Events recorded on it.
    pub recorded: usize,
    /// Its trace length after the import.
    pub events_now: u32,
    /// Its status after the import.
    pub status: String,
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportReport {
    /// Trace events recorded.
    pub recorded: usize,
    /// Per lot, in the document's order.
    pub lots: Vec<LotImport>,
    /// True: one `Utility.batch_all` extrinsic (all or nothing); false: one transaction per event.
    pub batched: bool,
    /// Events of the document found already recorded (a re-sent document): then nothing is sent.
    pub already_recorded: usize,
    /// The block of the (last) transaction, if one was sent.
    pub block: Option<String>,
}

/// Whether the runtime has `Utility.batch_all`.
pub fn has_batch_all(tp: &Tracepass) -> bool {
    tp.chain.has_batch_all()
}

fn message_of(tp: &Tracepass, e: &ImportedEvent) -> Call<u32> {
    tp.add_event_call(e.lot_id, e.step, e.event_time, e.location.clone(), e.document_hash)
}

/// Why a failed batch failed: the first event that the contract now refuses on its own, if any.
async fn diagnose(tp: &Tracepass, who: AccountId, events: &[ImportedEvent]) -> String {
    for e in events {
        if let Ok(Err(Refusal::Contract(why))) = tp.dry_run(who, &message_of(tp, e)).await {
            return format!("; event #{} ({:?} on lot {}) is now refused: {why}", e.index, e.step, e.lot);
        }
    }
    String::new()
}

/// Submits a checked plan (see the module doc): one `Utility.batch_all` when the runtime has
/// it, else one transaction per event. A failed batch recorded nothing; the error says why.
pub async fn submit_import(tp: &Tracepass, signer: &Signer, plan: &ImportPlan) -> Result<ImportReport> {
    let events = &plan.events;
    let batched = tp.chain.has_batch_all();
    let block: Option<H256> = if events.is_empty() {
        None
    } else if batched {
        let calls = events.iter().zip(&plan.limits).map(|(e, gas)| message_of(tp, e).runtime_call(*gas, plan.deposit_limit)).collect();
        match tp.chain.batch_all(signer, calls).await {
            Ok(inc) => Some(inc.block),
            Err(ClientError::Dispatch(reason)) => {
                let why = diagnose(tp, signer.account(), events).await;
                return Err(ClientError::Dispatch(format!(
                    "the Utility.batch_all of {} events failed as a whole, nothing was recorded: {reason}{why}",
                    events.len()
                )));
            }
            Err(other) => return Err(other),
        }
    } else {
        let mut last = H256::zero();
        for (k, e) in events.iter().enumerate() {
            match tp.add_event(signer, e.lot_id, e.step, e.event_time, e.location.clone(), e.document_hash).await {
                Ok(o) => last = o.included.block,
                Err(err) => {
                    return Err(ClientError::Input(format!(
                        "event #{} ({:?} on lot {}) failed after {k} of {} events were recorded (this runtime has no Utility.batch_all): {err}",
                        e.index,
                        e.step,
                        e.lot,
                        events.len()
                    )))
                }
            }
        }
        Some(last)
    };

    let mut report = ImportReport {
        recorded: events.len(),
        lots: Vec::new(),
        batched,
        already_recorded: plan.already,
        block: block.map(|b| format!("{b:?}")),
    };
    for (id, before, recorded) in &plan.lots {
        let after = tp.lot(*id).await?.unwrap_or_else(|| before.clone());
        report.lots.push(LotImport {
            gtin: before.info.gtin.to_string(),
            lot: crate::fmt::text(&before.info.lot_number),
            lot_id: hex32(id),
            recorded: *recorded,
            events_now: after.event_count,
            status: format!("{:?}", after.status),
        });
    }
    Ok(report)
}
