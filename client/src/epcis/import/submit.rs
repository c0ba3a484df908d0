//! A checked plan sent as ONE `Utility.batch_all` of `Contracts.call`s: the chain records every
//! event or none. On a runtime without `Utility.batch_all` the events go one transaction each,
//! after the same checks; a failure midway (a concurrent change) then leaves the earlier events
//! recorded, and the error says how many. If the chain changed since the plan and the batch
//! fails, nothing was recorded; the error gives the runtime's reason and the first event the
//! contract now refuses.
//!
//! The typed calls import needs and `contracts.rs` / `chain.rs` do not have yet are at the end
//! of this file ([`Message`], [`Refusal`], `Tracepass::add_event_message`, `Tracepass::dry_run`,
//! `Chain::has_batch_all`, `Chain::batch_all`); they belong there.

use super::parse::ImportedEvent;
use super::plan::ImportPlan;
use crate::chain::{AccountId, Chain, DryRun, Included, Signer, Weight};
use crate::contracts::{selectors, Tracepass};
use crate::error::decode_revert;
use crate::epcis::hex32;
use crate::error::{ClientError, Result};
use parity_scale_codec::{Decode, Encode};
use std::marker::PhantomData;
use subxt::dynamic::Value;
use subxt::utils::H256;
use tracepass_shared::{BusinessStep, Error, Hash32, Location, LotId, Timestamp};

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

fn message_of(tp: &Tracepass, e: &ImportedEvent) -> Message<u32> {
    tp.add_event_message(e.lot_id, e.step, e.event_time, e.location.clone(), e.document_hash)
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

// ---- typed calls for contracts.rs and chain.rs --------------------------------------------

/// An encoded contract message (selector and SCALE arguments) and the contract it goes to; `T`
/// is what the message returns inside its `Result<T, Error>`.
#[derive(Debug, Clone)]
pub struct Message<T> {
    /// The contract.
    pub dest: AccountId,
    /// Selector and arguments.
    pub input: Vec<u8>,
    answer: PhantomData<fn() -> T>,
}

impl<T> Message<T> {
    /// `selector(args)` on `dest`.
    pub fn new(dest: AccountId, selector: crate::contracts::Selector, args: impl Encode) -> Message<T> {
        let mut input = selector.to_vec();
        args.encode_to(&mut input);
        Message { dest, input, answer: PhantomData }
    }

    /// The message as a `Contracts.call` runtime call with these limits (no value sent), to
    /// go into a batch.
    pub fn runtime_call(&self, gas: Weight, deposit_limit: u128) -> Value {
        Value::unnamed_variant(
            "Contracts",
            [Value::named_variant(
                "call",
                [
                    ("dest", Value::unnamed_variant("Id", [Value::from_bytes(AsRef::<[u8]>::as_ref(&self.dest))])),
                    ("value", Value::u128(0)),
                    (
                        "gas_limit",
                        Value::named_composite([
                            ("ref_time", Value::u128(u128::from(gas.ref_time))),
                            ("proof_size", Value::u128(u128::from(gas.proof_size))),
                        ]),
                    ),
                    ("storage_deposit_limit", Value::unnamed_variant("Some", [Value::u128(deposit_limit)])),
                    ("data", Value::from_bytes(&self.input)),
                ],
            )],
        )
    }
}

/// Why a dry run says a write would fail.
#[derive(Debug)]
pub enum Refusal {
    /// The runtime refused the call, outside the contract.
    Dispatch(String),
    /// The contract refused it: it reverted, or answered with one of its errors.
    Contract(ClientError),
    /// The contract's answer does not decode as the message's.
    Undecodable,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Dispatch(e) => write!(f, "the dry run failed: {e}"),
            Refusal::Contract(e) => write!(f, "{e}"),
            Refusal::Undecodable => f.write_str("the contract's answer cannot be decoded"),
        }
    }
}

impl Tracepass {
    /// The registry's `add_event` message, as [`Tracepass::add_event`] sends it.
    pub fn add_event_message(&self, lot: LotId, step: BusinessStep, event_time: Timestamp, location: Location, document_hash: Hash32) -> Message<u32> {
        Message::new(self.registry, selectors::ADD_EVENT, (lot, step, event_time, location, document_hash))
    }

    /// Dry-runs `message` as `origin`, nothing signed: `Ok(Ok(..))` with the contract's answer
    /// and the call's gas and deposit when it would succeed, `Ok(Err(..))` when the runtime or
    /// the contract would refuse it, `Err` when the node cannot be asked.
    pub async fn dry_run<T: Decode>(&self, origin: AccountId, message: &Message<T>) -> Result<std::result::Result<(T, DryRun), Refusal>> {
        let dry = self.chain.dry_run(origin, message.dest, message.input.clone()).await?;
        if let Some(e) = &dry.dispatch_error {
            return Ok(Err(Refusal::Dispatch(e.clone())));
        }
        if dry.reverted {
            return Ok(Err(Refusal::Contract(decode_revert(&dry.data))));
        }
        let input = &mut &dry.data[..];
        let answer = match u8::decode(input) {
            Ok(0) => std::result::Result::<T, Error>::decode(input).ok(),
            _ => None,
        };
        Ok(match answer {
            Some(Ok(value)) => Ok((value, dry)),
            Some(Err(e)) => Err(Refusal::Contract(ClientError::Contract(e))),
            None => Err(Refusal::Undecodable),
        })
    }
}

impl Chain {
    /// Whether the runtime has `Utility.batch_all`.
    pub fn has_batch_all(&self) -> bool {
        self.api.metadata().pallet_by_name("Utility").and_then(|p| p.call_variant_by_name("batch_all")).is_some()
    }

    /// Submits `calls` (runtime calls, e.g. [`Message::runtime_call`]) as one `Utility.batch_all`:
    /// the runtime dispatches all of them or none, and waits for inclusion.
    pub async fn batch_all(&self, signer: &Signer, calls: Vec<Value>) -> Result<Included> {
        let tx = subxt::dynamic::tx("Utility", "batch_all", vec![Value::unnamed_composite(calls)]);
        self.submit(signer, &tx).await
    }
}
