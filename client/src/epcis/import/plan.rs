//! The contracts' checks on a parsed document, against chain state, before anything is signed.
//!
//! Every lot must exist; the signer's role must be allowed to record each step; the lot's status
//! transitions, simulated in document order, must be legal; no event may be later than the
//! chain's clock; each lot must have room. Each event whose dry run means something on the
//! current state (all but a lot's second and later status changes) is dry-run, which gives the
//! contract's own verdict and the gas of its call. A document already on the chain in full
//! (every event recorded by the same signer with the same step, time, location and document
//! hash: a retry) plans nothing; one only partly on the chain is refused.
//!
//! The chain's clock is its last block's: on an instant-seal chain it lags after a quiet spell,
//! so when events are later than it (but not than this machine's clock) one `System.remark` is
//! sealed first to bring it up to date; it records no trace event.

use super::parse::ImportedEvent;
use crate::chain::{Signer, Weight, GAS_MARGIN_PERCENT};
use crate::contracts::Tracepass;

use crate::epcis::times::rfc3339;
use crate::epcis::{wall_clock_ms, MAX_IMPORT_EVENTS};
use crate::error::{describe, ClientError, Result};
use std::collections::HashMap;
use tracepass_shared::bounds::MAX_EVENTS_PER_LOT;
use tracepass_shared::{Error, Lot, LotId, LotStatus, MerchantStatus, TraceEvent};

/// A checked import, ready to submit: the events with each call's gas limit.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    pub(super) events: Vec<ImportedEvent>,
    pub(super) limits: Vec<Weight>,
    pub(super) deposit_limit: u128,
    pub(super) already: usize,
    /// (lot, its record before, events recorded on it), in the document's order.
    pub(super) lots: Vec<(LotId, Lot, usize)>,
}

impl ImportPlan {
    /// The events the plan records.
    pub fn events(&self) -> &[ImportedEvent] {
        &self.events
    }
    /// Events of the document found recorded already (then the plan records none).
    pub fn already_recorded(&self) -> usize {
        self.already
    }
}

/// A document-wide refusal naming the event at fault.
pub(super) fn rejected(e: &ImportedEvent, why: &str) -> ClientError {
    ClientError::Input(format!(
        "document rejected, nothing recorded: event #{} ({:?} on lot {} of GTIN {}): {why}",
        e.index, e.step, e.lot, e.gtin
    ))
}

fn margin(v: u64, percent: u64) -> u64 {
    v.saturating_add(v.saturating_mul(percent) / 100)
}

/// One lot while the document's events are simulated on it.
struct LotState {
    lot: Lot,
    trace: Vec<TraceEvent>,
    status: LotStatus,
    count: u32,
    moved: bool,
    recorded: usize,
}

/// The checks and dry runs of [`super::import`], without submitting: the plan, or why the
/// document is rejected (nothing is signed either way).
pub async fn plan_import(tp: &Tracepass, signer: &Signer, events: &[ImportedEvent]) -> Result<ImportPlan> {
    if events.is_empty() {
        return Err(ClientError::Input("nothing to import".into()));
    }
    if events.len() > MAX_IMPORT_EVENTS {
        return Err(ClientError::Input(format!("{} events; at most {MAX_IMPORT_EVENTS} are imported at once", events.len())));
    }
    let mut at = tp.pinned().await?;
    // times past the wall clock stay refused: no remark for them
    let latest = events.iter().map(|e| e.event_time).max().unwrap_or(0);
    if latest > at.chain.now_ms().await? && latest <= wall_clock_ms() {
        tp.chain.remark(signer).await?;
        at = tp.pinned().await?;
    }
    let who = signer.account();
    let (now, role, merchant) = tokio::try_join!(at.chain.now_ms(), at.role_of(who), at.merchant(who))?;
    let merchant_active = merchant.is_some_and(|m| m.status == MerchantStatus::Active);

    // every lot named must exist
    let mut order: Vec<LotId> = Vec::new();
    let mut lots: HashMap<LotId, LotState> = HashMap::new();
    let mut unknown: Vec<String> = Vec::new();
    for e in events {
        if lots.contains_key(&e.lot_id) || order.contains(&e.lot_id) {
            continue;
        }
        order.push(e.lot_id);
        match at.lot(e.lot_id).await? {
            Some(l) => {
                let trace = at.events(e.lot_id).await?;
                lots.insert(e.lot_id, LotState { status: l.status, count: l.event_count, lot: l, trace, moved: false, recorded: 0 });
            }
            None => unknown.push(format!("event #{} names lot {} of GTIN {}", e.index, e.lot, e.gtin)),
        }
    }
    if !unknown.is_empty() {
        return Err(ClientError::Input(format!(
            "document rejected, nothing recorded: it names lots that are not registered: {}",
            unknown.join("; ")
        )));
    }

    // a re-sent document (a retry after a lost answer): every event is on the chain already,
    // recorded by this signer; nothing to send. Some but not all: refused, not half-imported.
    let recorded_before = |e: &ImportedEvent| {
        lots.get(&e.lot_id).is_some_and(|st| {
            st.trace.iter().any(|t| {
                t.actor == who && t.step == e.step && t.event_time == e.event_time && t.location == e.location && t.document_hash == e.document_hash
            })
        })
    };
    let dups: Vec<&ImportedEvent> = events.iter().filter(|e| recorded_before(e)).collect();
    if dups.len() == events.len() {
        let lots = order.into_iter().filter_map(|id| lots.remove(&id).map(|st| (id, st.lot, 0))).collect();
        return Ok(ImportPlan { events: Vec::new(), limits: Vec::new(), deposit_limit: 0, already: dups.len(), lots });
    }
    if let Some(e) = dups.first() {
        return Err(rejected(
            e,
            &format!(
                "it is recorded already ({} of the document's {} events are): was part of this document imported before?",
                dups.len(),
                events.len()
            ),
        ));
    }

    // the contract's checks, simulated in document order
    let mut dry_runnable = Vec::with_capacity(events.len());
    for e in events {
        let Some(st) = lots.get_mut(&e.lot_id) else {
            return Err(rejected(e, "lot vanished"));
        };
        let is_owner = st.lot.merchant == who && merchant_active;
        if role.is_none() {
            return Err(rejected(e, &describe(&Error::Unauthorized { account: who, role: e.step.required_role() })));
        }
        if !e.step.allowed_for(role, is_owner) {
            return Err(rejected(e, &describe(&Error::StepNotAllowed(e.step))));
        }
        if let Err(err) = e.location.check() {
            return Err(rejected(e, &describe(&err)));
        }
        if e.event_time > now {
            return Err(rejected(e, &format!("its time {} is after the chain's clock ({})", rfc3339(e.event_time), rfc3339(now))));
        }
        if st.count >= MAX_EVENTS_PER_LOT {
            return Err(rejected(e, &format!("the lot would have more than {MAX_EVENTS_PER_LOT} trace events")));
        }
        st.count += 1;
        let mut runnable = true;
        if let Some(to) = e.step.moves_to() {
            if !st.status.can_become(to) {
                return Err(rejected(e, &describe(&Error::IllegalTransition { from: st.status, to })));
            }
            runnable = !st.moved;
            st.moved = true;
            st.status = to;
        }
        st.recorded += 1;
        dry_runnable.push(runnable);
    }

    // dry runs: the contract's own verdict and the gas each call needs
    let mut gas: Vec<Option<Weight>> = vec![None; events.len()];
    let (mut max_ref, mut max_proof, mut max_deposit) = (0u64, 0u64, 0i128);
    for (i, e) in events.iter().enumerate() {
        if !dry_runnable[i] {
            continue;
        }
        let dry = match at.dry_run(who, &at.add_event_call(e.lot_id, e.step, e.event_time, e.location.clone(), e.document_hash)).await? {
            Ok((_index, dry)) => dry,
            Err(refusal) => return Err(rejected(e, &refusal.to_string())),
        };
        let g = dry.gas_required;
        gas[i] = Some(g);
        max_ref = max_ref.max(g.ref_time);
        max_proof = max_proof.max(g.proof_size);
        max_deposit = max_deposit.max(dry.storage_deposit);
    }
    // calls that could not be dry-run alone (a later status change of the same lot) get the
    // largest requirement seen, with twice the margin
    let limits: Vec<Weight> = gas
        .iter()
        .map(|g| match g {
            Some(g) => Weight { ref_time: margin(g.ref_time, GAS_MARGIN_PERCENT), proof_size: margin(g.proof_size, GAS_MARGIN_PERCENT) },
            None => Weight { ref_time: margin(max_ref, 2 * GAS_MARGIN_PERCENT), proof_size: margin(max_proof, 2 * GAS_MARGIN_PERCENT) },
        })
        .collect();
    let deposit_limit = u128::try_from(max_deposit.max(0)).unwrap_or(0).saturating_mul(2).saturating_add(1_000_000_000);
    let lots = order
        .into_iter()
        .filter_map(|id| lots.remove(&id).map(|st| (id, st.lot, st.recorded)))
        .collect();
    Ok(ImportPlan { events: events.to_vec(), limits, deposit_limit, already: 0, lots })
}
