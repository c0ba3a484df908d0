//! Property tests of the attestation contract: random sequences of messages from random callers
//! in ink!'s off-chain environment (whitelist, registry and sampling answered by
//! `tracepass_shared::fakes`), against a plain-Rust model of the attestation book and of the lot
//! statuses it changes.
//!
//! The world: two products (categories 1001 and 2002) with lots in random starting statuses and
//! random sampling answers, two factories, agencies accredited for both categories, for one, and
//! until a time the sequence may pass, customs, logistics, a governor, a merchant, a stranger and
//! the whitelist. Messages: inspections (pass and fail, re-tests naming earlier attestations,
//! malformed fields), certifications, customs clearances, revocations by issuers and others,
//! revocations by governance, each also from callers that may not send them; between them the
//! registry moves lots along legal transitions, sampling answers change and time passes.
//! After **every** step these invariants are checked:
//!
//! 1. **Model agreement**: the result is exactly the model's (same ID or same `Error`); every
//!    attestation record equals the model's (records never change but for one revocation), its
//!    status at the block's time is the model's (valid, expired, revoked), the risk feedback sent
//!    to sampling is the model's.
//! 2. **Legal transitions only**: every status change the contract asks the registry for
//!    (`apply_status`) is legal from the lot's status at that moment (`LotStatus::can_become`),
//!    and is exactly the predicted effect: a fail holds a lot that may be held, a pass releases
//!    nothing, a clearance clears a lot at customs; a dispute is released by governance only
//!    after a valid passing re-test by another agency (the lot's release itself is the
//!    whitelist's call to the registry); revocation and expiry change no status. No agency records more than `MAX_INSPECTIONS_PER_AGENCY_PER_LOT`
//!    inspections of a lot; every dispute equals the model's (opened only by the lot's merchant
//!    naming an unrevoked fail of the lot, one open at a time, its re-test never by the failing
//!    agency, decided once, only by the whitelist).
//! 3. **Only entitled roles change anything**: an inspection or certification by a non-agency
//!    (or an agency out of scope or expired) fails with `Unauthorized`, `OutOfScope` or
//!    `AccreditationExpired`; a clearance by a non-customs member with `Unauthorized`; a
//!    revocation by anyone but the issuer with `NotIssuer`, by an issuer removed from the
//!    consortium with `Unauthorized`; a validity past `MAX_VALIDITY_MS` or past the agency's
//!    accreditation with `Invalid(ValidUntil)`; governance revocation and `set_code`
//!    by anyone but the whitelist with `NotContract`. Any failed message leaves the records,
//!    indexes, lot statuses, risk feedback and events unchanged.
//! 4. **Indexes agree with the records**: IDs run 1..=`count()` with no record past it; every
//!    attestation is in exactly one index (its lot's for inspections and clearances, its
//!    factory's for certifications), in issue order; the indexes' lengths add up to `count()`.
//!
//! Cases per run: `TRACEPASS_PROPTEST_CASES` (default [`tracepass_shared::proptests::DEFAULT_CASES`]);
//! the run prints its seed, and `PROPTEST_RNG_SEED=<seed>` with the same cases replays it.

use crate::attestation::*;
use ink::primitives::{AccountId, Hash};
use proptest::prelude::*;
use std::collections::BTreeMap;
use tracepass_shared::bounds::*;
use tracepass_shared::fakes::cast::*;
use tracepass_shared::fakes::{self, account, events, set_caller, set_now};
use tracepass_shared::proptests::run_property;
use tracepass_shared::traits::{AttestationGovernance, Upgradeable};
use tracepass_shared::*;

/// Longest sequence.
const MAX_STEPS: usize = 30;

/// Accredited for both categories until `NOW + HOUR`.
const AGENCY_SHORT: u8 = 14;
const CALLERS: [u8; 10] = [GOVERNOR, AGENCY, OTHER_AGENCY, AGENCY_SHORT, CUSTOMS, LOGISTICS, MERCHANT, STRANGER, WHITELIST, REGISTRY];
const HOUR: Timestamp = 3_600_000;
const CATEGORIES: [Category; 3] = [1001, 2002, 3003];
/// GTIN bodies of the two products (category 1001, category 2002).
const GTIN_BODIES: [&[u8; 13]; 2] = [b"1061414100041", b"1061414100042"];
/// Lots per product.
const LOTS_PER_PRODUCT: usize = 3;
const ITEMS: u32 = 50;

// What the sequences exercised, printed with the totals.
tracepass_shared::property_stats!(
    "{} attestations issued, {} lots held, {} cleared, {} revocations, {} steps seeing an \
     expired attestation, {} refusals, {} revocations refused to an expelled issuer, {} validities refused, \
     {} disputes opened, {} re-tests recorded, {} re-tests refused to the failing agency, {} disputes released, \
     {} holds confirmed, {} inspections refused over the per-agency cap",
    ISSUED, HELD, CLEARED, REVOKED, EXPIRED, REFUSED, EXPELLED_REFUSED, VALIDITY_REFUSED,
    OPENED, RETESTS, SAME_AGENCY, RELEASED_BY_VOTE, CONFIRMED, CAPPED
);

fn gtin(i: usize) -> Gtin {
    fakes::gtin(GTIN_BODIES[i])
}

/// Lot `n`: lots 0..6 exist (3 per product), lot 6 does not.
fn lot(n: usize) -> LotId {
    lot_id(&gtin(n / LOTS_PER_PRODUCT % 2), format!("L{n}").as_bytes())
}

const ALL_LOTS: usize = 2 * LOTS_PER_PRODUCT + 1;

// ---- operations -------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    /// `bad`: 0 none, 1 standard, 2 URI, 3 items sampled, 4 inspected in the future, 5 valid
    /// until now. `answers`: `None`, or a pick of an earlier ID (see `pick_id`).
    /// `retest`: name the failed inspection of the lot's open dispute, when there is one.
    Inspect { caller: u8, lot: usize, pass: bool, bad: u8, answers: Option<u8>, retest: bool, valid_for: Timestamp },
    Certify { caller: u8, factory: u32, category: usize, bad: bool, valid_for: Timestamp },
    Clear { caller: u8, lot: usize, port_ok: bool, future: bool },
    Revoke { caller: u8, id: u8 },
    RevokeByGovernance { caller: u8, id: u8 },
    SetCode { caller: u8 },
    /// The registry moves a lot to `to` if that is legal (a shipment, an arrival, a hold...).
    Move { lot: usize, to: LotStatus },
    /// Sampling's answer for a lot changes (its epoch is finalised, say).
    Select { lot: usize, selection: Selection },
    /// Time passes.
    Wait { ms: Timestamp },
    /// The consortium removes an agency or the customs office (in the whitelist).
    Expel { who: u8 },
    /// `open_dispute` of lot `lot` naming a pick of an earlier ID.
    Dispute { caller: u8, lot: usize, failed: u8 },
    /// Made concrete from the model before it runs (`Model::concrete`): a dispute of the lot's
    /// latest fail, or a re-test of its open dispute by an agency other than the failing one.
    DisputeLatestFail { lot: usize },
    Retest { lot: usize, pass: bool, who: u8 },
    /// The whitelist decides the open dispute of some lot (lot 0 when none is open).
    ResolveOpen { release: bool },

    /// `resolve_dispute` of lot `lot`.
    Resolve { caller: u8, lot: usize, release: bool },
}

fn caller(usual: &'static [u8]) -> impl Strategy<Value = u8> {
    prop_oneof![5 => prop::sample::select(usual), 2 => prop::sample::select(CALLERS.to_vec())]
}

fn lot_pick() -> impl Strategy<Value = usize> {
    // lot 3 (category 2002, which three agencies may inspect) often: caps, disputes and re-tests
    prop_oneof![4 => Just(3usize), 8 => 0usize..2 * LOTS_PER_PRODUCT, 1 => Just(2 * LOTS_PER_PRODUCT)]
}

fn valid_for() -> impl Strategy<Value = Timestamp> {
    prop_oneof![1 => Just(1u64), 2 => 1u64..4 * HOUR, 2 => Just(365 * 24 * HOUR), 1 => Just(MAX_VALIDITY_MS), 1 => Just(MAX_VALIDITY_MS + 1)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (caller(&[AGENCY, AGENCY, OTHER_AGENCY, AGENCY_SHORT]), lot_pick(), prop::bool::weighted(0.5),
              prop_oneof![8 => Just(0u8), 1 => 1u8..6], prop::option::weighted(0.3, any::<u8>()), prop::bool::weighted(0.3), valid_for())
            .prop_map(|(caller, lot, pass, bad, answers, retest, valid_for)| Op::Inspect { caller, lot, pass, bad, answers, retest, valid_for }),
        3 => (caller(&[AGENCY, OTHER_AGENCY, AGENCY_SHORT]), prop_oneof![4 => 1u32..3, 1 => Just(9u32)], 0usize..3,
              prop::bool::weighted(0.1), valid_for())
            .prop_map(|(caller, factory, category, bad, valid_for)| Op::Certify { caller, factory, category, bad, valid_for }),
        4 => (caller(&[CUSTOMS]), lot_pick(), prop::bool::weighted(0.9), prop::bool::weighted(0.1))
            .prop_map(|(caller, lot, port_ok, future)| Op::Clear { caller, lot, port_ok, future }),
        2 => (caller(&[AGENCY, OTHER_AGENCY, AGENCY_SHORT, CUSTOMS]), any::<u8>()).prop_map(|(caller, id)| Op::Revoke { caller, id }),
        1 => (caller(&[WHITELIST]), any::<u8>()).prop_map(|(caller, id)| Op::RevokeByGovernance { caller, id }),
        1 => prop::sample::select(CALLERS.iter().copied().filter(|c| *c != WHITELIST).collect::<Vec<_>>())
            .prop_map(|caller| Op::SetCode { caller }),
        4 => (lot_pick(), prop::sample::select(LotStatus::ALL.to_vec())).prop_map(|(lot, to)| Op::Move { lot, to }),
        1 => (lot_pick(), prop::sample::select(Selection::ALL.to_vec())).prop_map(|(lot, selection)| Op::Select { lot, selection }),
        2 => prop_oneof![0u64..HOUR / 2, HOUR / 2..2 * HOUR].prop_map(|ms| Op::Wait { ms }),
        1 => prop::sample::select(vec![AGENCY, OTHER_AGENCY, AGENCY_SHORT, CUSTOMS]).prop_map(|who| Op::Expel { who }),
        3 => (caller(&[MERCHANT]), lot_pick(), any::<u8>()).prop_map(|(caller, lot, failed)| Op::Dispute { caller, lot, failed }),
        3 => (caller(&[WHITELIST]), lot_pick(), prop::bool::weighted(0.7)).prop_map(|(caller, lot, release)| Op::Resolve { caller, lot, release }),
        3 => lot_pick().prop_map(|lot| Op::DisputeLatestFail { lot }),
        4 => (lot_pick(), prop::bool::weighted(0.8), any::<u8>()).prop_map(|(lot, pass, who)| Op::Retest { lot, pass, who }),
        3 => prop::bool::weighted(0.7).prop_map(|release| Op::ResolveOpen { release }),
    ]
}

/// The starting world: each existing lot's status and sampling answer.
fn world() -> impl Strategy<Value = Vec<(LotStatus, Selection)>> {
    prop::collection::vec(
        (
            prop_oneof![3 => Just(LotStatus::Registered), 3 => Just(LotStatus::AtCustoms), 2 => Just(LotStatus::Held), 1 => prop::sample::select(LotStatus::ALL.to_vec())],
            prop::sample::select(Selection::ALL.to_vec()),
        ),
        2 * LOTS_PER_PRODUCT,
    )
}

// ---- the model --------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct Model {
    now: Timestamp,
    records: Vec<Attestation>,
    statuses: BTreeMap<LotId, LotStatus>,
    selections: BTreeMap<LotId, Selection>,
    lot_index: BTreeMap<LotId, Vec<AttestationId>>,
    factory_index: BTreeMap<FactoryId, Vec<AttestationId>>,
    inspections: Vec<(AccountId, InspectionResult)>,
    /// Status changes asked of the registry: (lot, to).
    changes: Vec<(LotId, LotStatus)>,
    /// Agencies and customs removed from the consortium.
    expelled: Vec<u8>,
    /// Inspections per (lot, agency).
    by_agency: BTreeMap<(LotId, u8), u32>,
    /// Each lot's latest dispute.
    disputes: BTreeMap<LotId, Dispute>,
}

fn scope_of(who: u8) -> Option<(Vec<Category>, Timestamp)> {
    match who {
        AGENCY => Some((vec![1001, 2002], u64::MAX)),
        OTHER_AGENCY => Some((vec![2002], u64::MAX)),
        AGENCY_SHORT => Some((vec![1001, 2002], NOW + HOUR)),
        _ => None,
    }
}

fn check_agency(who: u8, category: Category, now: Timestamp, expelled: &[u8]) -> Result<Timestamp> {
    let a = account(who);
    let (categories, until) =
        scope_of(who).filter(|_| !expelled.contains(&who)).ok_or(Error::Unauthorized { account: a, role: Role::Agency })?;
    if now >= until {
        return Err(Error::AccreditationExpired { agency: a });
    }
    if !categories.contains(&category) {
        return Err(Error::OutOfScope { agency: a, category });
    }
    Ok(until)
}

/// The model's validity rule: after now, within `MAX_VALIDITY_MS`, within the accreditation.
fn check_valid_for(now: Timestamp, valid_for: Timestamp, accredited_until: Timestamp) -> Result<()> {
    if valid_for == 0 || valid_for > MAX_VALIDITY_MS || now + valid_for > accredited_until {
        stats::add(&stats::VALIDITY_REFUSED);
        return Err(Error::Invalid(Field::ValidUntil));
    }
    Ok(())
}

fn standard(bad: bool) -> Vec<u8> {
    if bad {
        Vec::new()
    } else {
        b"ISO 22000".to_vec()
    }
}

impl Model {
    fn pick_id(&self, pick: u8) -> AttestationId {
        let n = self.records.len() as u64;
        if pick >= 240 {
            n + 1 + u64::from(pick % 3)
        } else if n == 0 {
            1
        } else {
            n - u64::from(pick) % n
        }
    }

    /// The ID an inspection names: the failed inspection of lot `n`'s open dispute for a
    /// re-test (when there is one), else the picked earlier ID, if any.
    fn answers_of(&self, n: usize, pick: Option<u8>, retest: bool) -> Option<AttestationId> {
        let disputed = self.disputes.get(&lot(n)).filter(|d| d.outcome.is_none()).map(|d| d.failed);
        match (retest, disputed) {
            (true, Some(failed)) => Some(failed),
            _ => pick.map(|p| self.pick_id(p)),
        }
    }

    /// `op` with its model-dependent parts filled in: a dispute of the lot's latest unrevoked
    /// fail (else of the first attestation), a re-test by an agency other than the disputed
    /// fail's issuer naming it (else a plain inspection).
    fn concrete(&self, op: &Op) -> Op {
        match op {
            Op::DisputeLatestFail { lot: n } => {
                let id = lot(*n);
                let latest = self.records.iter().enumerate().rev().find(|(_, a)| {
                    a.revoked.is_none() && matches!(a.claim, Claim::QualityInspection { lot: l, result: InspectionResult::Fail, .. } if l == id)
                });
                let failed = latest.map_or(1, |(i, _)| i as u64 + 1);
                // the pick that `pick_id` turns into `failed` (it counts back from the latest)
                let n_records = self.records.len() as u64;
                let back = n_records.saturating_sub(failed) % n_records.max(1);
                Op::Dispute { caller: MERCHANT, lot: *n, failed: u8::try_from(back).unwrap_or(0) }
            }
            Op::Retest { lot: n, pass, who } => {
                let failing = self
                    .disputes
                    .get(&lot(*n))
                    .filter(|d| d.outcome.is_none())
                    .and_then(|d| self.records.get(d.failed as usize - 1))
                    .map(|a| a.issuer);
                let others: Vec<u8> = [AGENCY, OTHER_AGENCY, AGENCY_SHORT].into_iter().filter(|a| Some(account(*a)) != failing).collect();
                // mostly one that may inspect the lot now, valid as long as its accreditation
                let category = CATEGORIES[*n / LOTS_PER_PRODUCT % 2];
                let able: Vec<(u8, Timestamp)> =
                    others.iter().filter_map(|a| check_agency(*a, category, self.now, &self.expelled).ok().map(|until| (*a, until))).collect();
                let (caller, valid_for) = match able.get(*who as usize % able.len().max(1)) {
                    Some((a, until)) if *who % 4 != 0 => (*a, (until - self.now).min(24 * HOUR)),
                    _ => (others[*who as usize % others.len()], 24 * HOUR),
                };
                Op::Inspect { caller, lot: *n, pass: *pass, bad: 0, answers: None, retest: true, valid_for }
            }
            Op::ResolveOpen { release } => {
                let open = (0..ALL_LOTS).find(|n| self.disputes.get(&lot(*n)).is_some_and(|d| d.outcome.is_none()));
                Op::Resolve { caller: WHITELIST, lot: open.unwrap_or(0), release: *release }
            }
            other => other.clone(),
        }
    }

    fn lot_slot(&self, lot: &LotId) -> Result<()> {
        if self.lot_index.get(lot).map_or(0, Vec::len) >= MAX_ATTESTATIONS_PER_SUBJECT as usize {
            return Err(Error::TooManyAttestations);
        }
        Ok(())
    }

    fn issue(&mut self, a: Attestation) -> Result<Option<AttestationId>> {
        self.records.push(a);
        stats::add(&stats::ISSUED);
        Ok(Some(self.records.len() as u64))
    }

    fn set_status(&mut self, lot: LotId, to: LotStatus) {
        let from = self.statuses[&lot];
        assert!(from.can_become(to), "the model asked for {from:?} -> {to:?}");
        self.statuses.insert(lot, to);
        self.changes.push((lot, to));
    }

    fn step(&mut self, op: &Op) -> Result<Option<AttestationId>> {
        let now = self.now;
        match op {
            Op::Inspect { caller, lot: n, pass, bad, answers, retest, valid_for } => {
                let id = lot(*n);
                let answers = &self.answers_of(*n, *answers, *retest);
                let status = *self.statuses.get(&id).ok_or(Error::LotNotFound)?;
                let until = check_agency(*caller, CATEGORIES[*n / LOTS_PER_PRODUCT], now, &self.expelled)?;
                match bad {
                    1 => return Err(Error::Invalid(Field::Standard)),
                    2 => return Err(Error::Invalid(Field::Uri)),
                    3 => return Err(Error::Invalid(Field::ItemCount)),
                    4 => return Err(Error::Invalid(Field::EventTime)),
                    5 => return Err(Error::Invalid(Field::ValidUntil)),
                    _ => {}
                }
                check_valid_for(now, *valid_for, until)?;
                let answers = *answers;
                let mut retest_of = None;
                if let Some(earlier) = answers {
                    let tested = match earlier.checked_sub(1).and_then(|i| self.records.get(i as usize)) {
                        Some(a @ Attestation { claim: Claim::QualityInspection { lot: l, .. }, .. }) if *l == id => a,
                        _ => return Err(Error::BadRetest),
                    };
                    if self.disputes.get(&id).is_some_and(|d| d.outcome.is_none() && d.failed == earlier) {
                        if tested.issuer == account(*caller) {
                            stats::add(&stats::SAME_AGENCY);
                            return Err(Error::SameAgency);
                        }
                        retest_of = Some(earlier);
                    }
                }
                let by = self.by_agency.get(&(id, *caller)).copied().unwrap_or(0);
                if by >= MAX_INSPECTIONS_PER_AGENCY_PER_LOT {
                    stats::add(&stats::CAPPED);
                    return Err(Error::TooManyInspections);
                }
                self.lot_slot(&id)?;
                self.by_agency.insert((id, *caller), by + 1);
                if retest_of.is_some() {
                    let next = self.records.len() as u64 + 1;
                    self.disputes.get_mut(&id).expect("open").retest = Some(next);
                    stats::add(&stats::RETESTS);
                }
                let selected = self.selections.get(&id) == Some(&Selection::Selected);
                let result = if *pass { InspectionResult::Pass } else { InspectionResult::Fail };
                if result == InspectionResult::Fail && status.can_become(LotStatus::Held) {
                    self.set_status(id, LotStatus::Held);
                    stats::add(&stats::HELD);
                }
                self.inspections.push((account(MERCHANT), result));
                self.lot_index.entry(id).or_default().push(self.records.len() as u64 + 1);
                self.issue(Attestation {
                    claim: Claim::QualityInspection {
                        lot: id,
                        result,
                        standard: standard(false),
                        items_sampled: 5,
                        report_hash: [4; 32],
                        report_uri: b"ipfs://report".to_vec(),
                        inspected_at: now,
                        selected,
                    },
                    issuer: account(*caller),
                    issued_at: now,
                    valid_until: Some(now + valid_for),
                    answers,
                    revoked: None,
                })
            }
            Op::Certify { caller, factory, category, bad, valid_for } => {
                if !(1..=2).contains(factory) {
                    return Err(Error::FactoryNotFound);
                }
                let until = check_agency(*caller, CATEGORIES[*category], now, &self.expelled)?;
                if *bad {
                    return Err(Error::Invalid(Field::Standard));
                }
                check_valid_for(now, *valid_for, until)?;
                if self.factory_index.get(factory).map_or(0, Vec::len) >= MAX_ATTESTATIONS_PER_SUBJECT as usize {
                    return Err(Error::TooManyAttestations);
                }
                self.factory_index.entry(*factory).or_default().push(self.records.len() as u64 + 1);
                self.issue(Attestation {
                    claim: Claim::FactoryCertification {
                        factory: *factory,
                        category: CATEGORIES[*category],
                        standard: standard(false),
                        certificate_hash: [5; 32],
                    },
                    issuer: account(*caller),
                    issued_at: now,
                    valid_until: Some(now + valid_for),
                    answers: None,
                    revoked: None,
                })
            }
            Op::Clear { caller, lot: n, port_ok, future } => {
                if *caller != CUSTOMS || self.expelled.contains(caller) {
                    return Err(Error::Unauthorized { account: account(*caller), role: Role::Customs });
                }
                let id = lot(*n);
                let status = *self.statuses.get(&id).ok_or(Error::LotNotFound)?;
                if !port_ok {
                    return Err(Error::Invalid(Field::Location));
                }
                if *future {
                    return Err(Error::Invalid(Field::EventTime));
                }
                if !status.can_become(LotStatus::Cleared) {
                    return Err(Error::IllegalTransition { from: status, to: LotStatus::Cleared });
                }
                self.lot_slot(&id)?;
                self.set_status(id, LotStatus::Cleared);
                stats::add(&stats::CLEARED);
                self.lot_index.entry(id).or_default().push(self.records.len() as u64 + 1);
                self.issue(Attestation {
                    claim: Claim::CustomsClearance { lot: id, port: b"NZAKL".to_vec(), declaration_hash: [6; 32], cleared_at: now },
                    issuer: account(*caller),
                    issued_at: now,
                    valid_until: None,
                    answers: None,
                    revoked: None,
                })
            }
            Op::Revoke { caller, id } => {
                let id = self.pick_id(*id);
                let who = account(*caller);
                let a = id.checked_sub(1).and_then(|i| self.records.get_mut(i as usize)).ok_or(Error::AttestationNotFound)?;
                if a.issuer != who {
                    return Err(Error::NotIssuer);
                }
                if self.expelled.contains(caller) {
                    stats::add(&stats::EXPELLED_REFUSED);
                    return Err(Error::Unauthorized { account: who, role: a.claim.issuer_role() });
                }
                if a.revoked.is_some() {
                    return Err(Error::AlreadyRevoked);
                }
                a.revoked = Some((who, [7; 32]));
                stats::add(&stats::REVOKED);
                Ok(None)
            }
            Op::RevokeByGovernance { caller, id } => {
                let id = self.pick_id(*id);
                let who = account(*caller);
                if *caller != WHITELIST {
                    return Err(Error::NotContract { caller: who, expected: ContractKind::Whitelist });
                }
                let a = id.checked_sub(1).and_then(|i| self.records.get_mut(i as usize)).ok_or(Error::AttestationNotFound)?;
                if a.revoked.is_some() {
                    return Err(Error::AlreadyRevoked);
                }
                a.revoked = Some((who, [8; 32]));
                stats::add(&stats::REVOKED);
                Ok(None)
            }
            Op::SetCode { caller } => Err(Error::NotContract { caller: account(*caller), expected: ContractKind::Whitelist }),
            Op::Move { lot: n, to } => {
                let id = lot(*n);
                if let Some(from) = self.statuses.get(&id).copied() {
                    if from.can_become(*to) {
                        self.statuses.insert(id, *to);
                    }
                }
                Ok(None)
            }
            Op::Select { lot: n, selection } => {
                self.selections.insert(lot(*n), *selection);
                Ok(None)
            }
            Op::Wait { ms } => {
                self.now += ms;
                Ok(None)
            }
            Op::Expel { who } => {
                if !self.expelled.contains(who) {
                    self.expelled.push(*who);
                }
                Ok(None)
            }
            Op::DisputeLatestFail { .. } | Op::Retest { .. } | Op::ResolveOpen { .. } => unreachable!("made concrete before it runs"),
            Op::Dispute { caller, lot: n, failed } => {
                let id = lot(*n);
                self.statuses.get(&id).ok_or(Error::LotNotFound)?;
                if *caller != MERCHANT {
                    return Err(Error::NotOwner { account: account(*caller) });
                }
                if self.disputes.get(&id).is_some_and(|d| d.outcome.is_none()) {
                    return Err(Error::DisputeOpen);
                }
                let failed = self.pick_id(*failed);
                let is_fail = matches!(
                    failed.checked_sub(1).and_then(|i| self.records.get(i as usize)),
                    Some(Attestation { claim: Claim::QualityInspection { lot: l, result: InspectionResult::Fail, .. }, revoked: None, .. }) if *l == id
                );
                if !is_fail {
                    return Err(Error::NotAFail);
                }
                self.disputes.insert(id, Dispute { failed, opened_at: self.now, retest: None, outcome: None });
                stats::add(&stats::OPENED);
                Ok(None)
            }
            Op::Resolve { caller, lot: n, release } => {
                if *caller != WHITELIST {
                    return Err(Error::NotContract { caller: account(*caller), expected: ContractKind::Whitelist });
                }
                let id = lot(*n);
                let d = self.disputes.get(&id).filter(|d| d.outcome.is_none()).cloned().ok_or(Error::NoDispute)?;
                let outcome = if *release {
                    let passed = d.retest.and_then(|r| self.records.get(r as usize - 1)).is_some_and(|a| {
                        matches!(a.claim, Claim::QualityInspection { result: InspectionResult::Pass, .. }) && a.status_at(self.now) == AttestationStatus::Valid
                    });
                    if !passed {
                        return Err(Error::RetestNotPassed);
                    }
                    stats::add(&stats::RELEASED_BY_VOTE);
                    DisputeOutcome::Released
                } else {
                    stats::add(&stats::CONFIRMED);
                    DisputeOutcome::HoldConfirmed
                };
                self.disputes.get_mut(&id).expect("open").outcome = Some(outcome);
                Ok(None)
            }
        }
    }
}

// ---- checking ---------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    count: u64,
    records: Vec<Option<Attestation>>,
    statuses: Vec<Option<AttestationStatus>>,
    of_lot: Vec<Vec<(AttestationId, Attestation)>>,
    of_factory: Vec<Vec<(AttestationId, Attestation)>>,
    lots: Vec<Option<LotStatus>>,
    inspections: Vec<(AccountId, InspectionResult)>,
    changes: Vec<(LotId, LotStatus)>,
    disputes: Vec<Option<Dispute>>,
}

fn snapshot(c: &Attestations) -> Snapshot {
    let count = c.count();
    Snapshot {
        count,
        records: (1..=count + 1).map(|id| c.attestation(id)).collect(),
        statuses: (1..=count + 1).map(|id| c.status(id)).collect(),
        of_lot: (0..ALL_LOTS).map(|n| c.of_lot(lot(n))).collect(),
        of_factory: (1..=3).map(|f| c.of_factory(f)).collect(),
        lots: (0..ALL_LOTS).map(|n| fakes::with(|w| w.lots.get(&lot(n)).map(|l| l.status))).collect(),
        inspections: fakes::with(|w| w.inspections.clone()),
        changes: fakes::with(|w| w.status_changes.clone()),
        disputes: (0..ALL_LOTS).map(|n| c.dispute(lot(n))).collect(),
    }
}

fn check_state(s: &Snapshot, m: &Model) {
    assert_eq!(s.count, m.records.len() as u64, "count");
    assert_eq!(s.records.last().cloned().flatten(), None, "no record past count");
    for (i, a) in m.records.iter().enumerate() {
        assert_eq!(s.records[i].as_ref(), Some(a), "record {}", i + 1);
        assert_eq!(s.statuses[i], Some(a.status_at(m.now)), "status of {}", i + 1);
        if s.statuses[i] == Some(AttestationStatus::Expired) {
            stats::add(&stats::EXPIRED);
        }
    }
    // every attestation in exactly one index, in issue order, at the right subject
    let mut seen = vec![0u32; s.count as usize];
    for (n, list) in s.of_lot.iter().enumerate() {
        let ids: Vec<AttestationId> = list.iter().map(|x| x.0).collect();
        assert_eq!(ids, m.lot_index.get(&lot(n)).cloned().unwrap_or_default(), "index of lot {n}");
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "issue order");
        for (id, a) in list {
            seen[*id as usize - 1] += 1;
            assert_eq!(Some(a), s.records[*id as usize - 1].as_ref());
            let subject = match &a.claim {
                Claim::QualityInspection { lot, .. } | Claim::CustomsClearance { lot, .. } => *lot,
                Claim::FactoryCertification { .. } => panic!("a certification in a lot index"),
            };
            assert_eq!(subject, lot(n), "indexed under its lot");
        }
    }
    for (f, list) in s.of_factory.iter().enumerate() {
        let f = f as u32 + 1;
        let ids: Vec<AttestationId> = list.iter().map(|x| x.0).collect();
        assert_eq!(ids, m.factory_index.get(&f).cloned().unwrap_or_default(), "index of factory {f}");
        for (id, a) in list {
            seen[*id as usize - 1] += 1;
            assert!(matches!(a.claim, Claim::FactoryCertification { factory, .. } if factory == f), "indexed under its factory");
        }
    }
    assert!(seen.iter().all(|n| *n == 1), "each attestation in exactly one index: {seen:?}");
    let indexed: usize = s.of_lot.iter().chain(&s.of_factory).map(Vec::len).sum();
    assert_eq!(indexed as u64, s.count, "index lengths add up to count");
    // lot statuses, the changes asked for, the risk feedback
    for (n, st) in s.lots.iter().enumerate() {
        assert_eq!(*st, m.statuses.get(&lot(n)).copied(), "status of lot {n}");
    }
    assert_eq!(s.changes, m.changes, "status changes asked of the registry");
    assert_eq!(s.inspections, m.inspections, "risk feedback");
    let disputes: Vec<Option<Dispute>> = (0..ALL_LOTS).map(|n| m.disputes.get(&lot(n)).cloned()).collect();
    assert_eq!(s.disputes, disputes, "disputes");
    // no agency past the cap of inspections of a lot
    for list in &s.of_lot {
        let mut per: BTreeMap<AccountId, u32> = BTreeMap::new();
        for (_, a) in list.iter().filter(|(_, a)| matches!(a.claim, Claim::QualityInspection { .. })) {
            *per.entry(a.issuer).or_default() += 1;
        }
        assert!(per.values().all(|n| *n <= MAX_INSPECTIONS_PER_AGENCY_PER_LOT), "an agency past the cap: {per:?}");
    }
}

fn setup(world: &[(LotStatus, Selection)]) -> (Attestations, Model) {
    let mut m = Model { now: NOW, ..Model::default() };
    fakes::with(|w| {
        w.add_merchant(account(MERCHANT), b"0614141", MerchantTier::Standard);
        w.add_member(account(GOVERNOR), Role::Governor, None);
        for a in [AGENCY, OTHER_AGENCY, AGENCY_SHORT] {
            let (categories, valid_until) = scope_of(a).expect("agency");
            w.add_agency(account(a), &categories, valid_until);
        }
        w.add_member(account(CUSTOMS), Role::Customs, None);
        w.add_member(account(LOGISTICS), Role::Logistics, None);
        for (p, category) in CATEGORIES.iter().copied().enumerate().take(2) {
            w.add_product(gtin(p), category, account(MERCHANT));
        }
        for f in 1..=2 {
            w.add_factory(f, account(MERCHANT));
        }
        for (n, (status, selection)) in world.iter().enumerate() {
            let id = w.add_lot(gtin(n / LOTS_PER_PRODUCT % 2), format!("L{n}").as_bytes(), ITEMS, *status, account(MERCHANT));
            assert_eq!(id, lot(n));
            w.selections.insert(id, *selection);
            m.statuses.insert(id, *status);
            m.selections.insert(id, *selection);
        }
    });
    set_now(NOW);
    (Attestations::new(account(WHITELIST), account(REGISTRY), account(SAMPLING)), m)
}

fn run_sequence(world: &[(LotStatus, Selection)], ops: &[Op]) -> usize {
    let (mut c, mut m) = setup(world);
    let mut last = snapshot(&c);
    check_state(&last, &m);
    for (i, op) in ops.iter().enumerate() {
        let op = &m.concrete(op);
        let events_before = events();
        let now = m.now;
        let pick = |p: u8| m.pick_id(p);
        let got: Result<Option<AttestationId>> = match op {
            Op::Inspect { caller, lot: n, pass, bad, answers, retest, valid_for } => {
                set_caller(*caller);
                let answers = m.answers_of(*n, *answers, *retest);
                let result = if *pass { InspectionResult::Pass } else { InspectionResult::Fail };
                c.attest_inspection(
                    lot(*n),
                    result,
                    standard(*bad == 1),
                    if *bad == 3 { ITEMS + 1 } else { 5 },
                    [4; 32],
                    if *bad == 2 { b"ipfs://a report".to_vec() } else { b"ipfs://report".to_vec() },
                    if *bad == 4 { now + 1 } else { now },
                    if *bad == 5 { now } else { now + valid_for },
                    answers,
                )
                .map(Some)
            }
            Op::Certify { caller, factory, category, bad, valid_for } => {
                set_caller(*caller);
                c.attest_certification(*factory, CATEGORIES[*category], standard(*bad), [5; 32], now + valid_for).map(Some)
            }
            Op::Clear { caller, lot: n, port_ok, future } => {
                set_caller(*caller);
                let port = if *port_ok { b"NZAKL".to_vec() } else { b"NZ-AK".to_vec() };
                c.attest_customs(lot(*n), port, [6; 32], if *future { now + 1 } else { now }).map(Some)
            }
            Op::Revoke { caller, id } => {
                set_caller(*caller);
                c.revoke(pick(*id), [7; 32]).map(|_| None)
            }
            Op::RevokeByGovernance { caller, id } => {
                set_caller(*caller);
                c.revoke_by_governance(pick(*id), [8; 32]).map(|_| None)
            }
            Op::SetCode { caller } => {
                set_caller(*caller);
                c.set_code(Hash::from([1; 32])).map(|_| None)
            }
            Op::Move { lot: n, to } => {
                fakes::with(|w| {
                    if let Some(l) = w.lots.get_mut(&lot(*n)) {
                        if l.status.can_become(*to) {
                            l.status = *to;
                        }
                    }
                });
                Ok(None)
            }
            Op::Select { lot: n, selection } => {
                fakes::with(|w| w.selections.insert(lot(*n), *selection));
                Ok(None)
            }
            Op::Wait { ms } => {
                set_now(now + ms);
                Ok(None)
            }
            Op::Expel { who } => {
                fakes::with(|w| w.members.remove(&account(*who)));
                Ok(None)
            }
            Op::DisputeLatestFail { .. } | Op::Retest { .. } | Op::ResolveOpen { .. } => unreachable!("made concrete before it runs"),
            Op::Dispute { caller, lot: n, failed } => {
                set_caller(*caller);
                c.open_dispute(lot(*n), pick(*failed)).map(|_| None)
            }
            Op::Resolve { caller, lot: n, release } => {
                set_caller(*caller);
                c.resolve_dispute(lot(*n), *release).map(|_| None)
            }
        };
        let expected = m.step(op);
        assert_eq!(got, expected, "step {i}: {op:?}");
        let snap = snapshot(&c);
        // legal transitions only: each change asked for is legal from the status before it
        let mut statuses: BTreeMap<LotId, LotStatus> =
            (0..ALL_LOTS).filter_map(|n| last.lots[n].map(|s| (lot(n), s))).collect();
        for (l, to) in &snap.changes[last.changes.len()..] {
            let from = statuses[l];
            assert!(from.can_become(*to), "step {i}: asked {from:?} -> {to:?}");
            statuses.insert(*l, *to);
        }
        // only entitled roles change anything; a failed message changes nothing
        let refused = match op {
            Op::Inspect { caller, .. } | Op::Certify { caller, .. } if scope_of(*caller).is_none() => {
                Some(Error::Unauthorized { account: account(*caller), role: Role::Agency })
            }
            Op::Clear { caller, .. } if *caller != CUSTOMS => {
                Some(Error::Unauthorized { account: account(*caller), role: Role::Customs })
            }
            Op::RevokeByGovernance { caller, .. } | Op::SetCode { caller } if *caller != WHITELIST => {
                Some(Error::NotContract { caller: account(*caller), expected: ContractKind::Whitelist })
            }
            _ => None,
        };
        if let Some(e) = refused {
            // a missing lot or factory is reported before the caller is looked at
            let missing = matches!(op, Op::Inspect { lot, .. } if *lot >= 2 * LOTS_PER_PRODUCT)
                || matches!(op, Op::Certify { factory, .. } if !(1..=2).contains(factory));
            if !missing {
                assert_eq!(got, Err(e), "step {i}");
            }
        }
        if got.is_err() {
            stats::add(&stats::REFUSED);
            assert_eq!(snap, last, "step {i}: failed {op:?} changed state");
            assert_eq!(events(), events_before, "step {i}: failed {op:?} emitted an event");
        }
        check_state(&snap, &m);
        last = snap;
    }
    ops.len()
}

#[test]
fn random_attestation_sequences_keep_invariants() {
    let strategy = (world(), prop::collection::vec(op(), 1..=MAX_STEPS));
    run_property("attestation", strategy, |(w, ops)| run_sequence(w, ops), stats::line);
}
