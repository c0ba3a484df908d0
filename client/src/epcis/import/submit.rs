//! A checked plan sent as ONE `Utility.batch_all` of `Contracts.call`s: the chain records every
//! event or none. On a runtime without `Utility.batch_all` the events go one transaction each,
//! after the same checks; a failure midway (a concurrent change) then leaves the earlier events
//! recorded, and the error says how many. If the chain changed since the plan and the batch
//! fails, nothing was recorded; the error gives the runtime's reason and the first event the
//! contract now refuses.

use super::parse::ImportedEvent;
use super::plan::ImportPlan;
use crate::chain::{AccountId, Signer};
use crate::contracts::{decode_revert, selectors, Tracepass};
use crate::epcis::hex32;
use crate::error::{ClientError, Result};
use parity_scale_codec::Encode;
use subxt::utils::H256;

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
    tp.chain.api.metadata().pallet_by_name("Utility").and_then(|p| p.call_variant_by_name("batch_all")).is_some()
}

/// The registry's `add_event` message for `e`.
pub(super) fn add_event_input(e: &ImportedEvent) -> Vec<u8> {
    let mut input = selectors::ADD_EVENT.to_vec();
    (e.lot_id, e.step, e.event_time, e.location.clone(), e.document_hash).encode_to(&mut input);
    input
}

/// Why a failed batch failed: the first event that the contract now refuses on its own, if any.
async fn diagnose(tp: &Tracepass, who: AccountId, events: &[ImportedEvent]) -> String {
    for e in events {
        if let Ok(dry) = tp.chain.dry_run(who, tp.registry, add_event_input(e)).await {
            if dry.reverted {
                return format!("; event #{} ({:?} on lot {}) is now refused: {}", e.index, e.step, e.lot, decode_revert(&dry.data));
            }
        }
    }
    String::new()
}

/// Submits a checked plan (see the module doc): one `Utility.batch_all` when the runtime has
/// it, else one transaction per event. A failed batch recorded nothing; the error says why.
pub async fn submit_import(tp: &Tracepass, signer: &Signer, plan: &ImportPlan) -> Result<ImportReport> {
    let events = &plan.events;
    let batched = has_batch_all(tp);
    let block: Option<H256> = if events.is_empty() {
        None
    } else if batched {
        use subxt::dynamic::Value as V;
        let calls: Vec<V> = events
            .iter()
            .zip(&plan.limits)
            .map(|(e, gas)| {
                V::unnamed_variant(
                    "Contracts",
                    [V::named_variant(
                        "call",
                        [
                            ("dest", V::unnamed_variant("Id", [V::from_bytes(AsRef::<[u8]>::as_ref(&tp.registry))])),
                            ("value", V::u128(0)),
                            ("gas_limit", V::named_composite([("ref_time", V::u128(u128::from(gas.ref_time))), ("proof_size", V::u128(u128::from(gas.proof_size)))])),
                            ("storage_deposit_limit", V::unnamed_variant("Some", [V::u128(plan.deposit_limit)])),
                            ("data", V::from_bytes(add_event_input(e))),
                        ],
                    )],
                )
            })
            .collect();
        let tx = subxt::dynamic::tx("Utility", "batch_all", vec![V::unnamed_composite(calls)]);
        match tp.chain.submit(signer, &tx).await {
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
            lot: String::from_utf8_lossy(&before.info.lot_number).into_owned(),
            lot_id: hex32(id),
            recorded: *recorded,
            events_now: after.event_count,
            status: format!("{:?}", after.status),
        });
    }
    Ok(report)
}
