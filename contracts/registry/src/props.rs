//! Property tests of the registry: random sequences of messages from random callers in ink!'s
//! off-chain environment (whitelist and sampling answered by `tracepass_shared::fakes`), against a
//! plain-Rust model of factories, products, lots and traces.
//!
//! Callers are two merchants (with different GS1 prefixes), a governor, an agency, customs,
//! logistics, a stranger, the whitelist and the attestation contract. Messages: factory, product
//! and lot registrations (valid, malformed, conflicting and identical retries, with random serial
//! sets), batches of lot registrations (empty, mixed, with repeats, all or nothing), factory names
//! (valid, removed, refused, by owners and others), every business step, recalls, `apply_status` to every status, `set_code`, merchants
//! being suspended and reinstated in the whitelist, time passing, and item verifications with
//! random probe serials. After **every** step these invariants are checked:
//!
//! 1. **Model agreement**: the result is exactly the model's (same value or same `Error`); every
//!    factory, factory name, product, lot record and trace equals the model's; a factory name
//!    emits `FactoryNamed` iff it changed.
//! 2. **Legal transitions only**: each lot's status after the step is its status before it or a
//!    status it `can_become` from it (events, recalls and `apply_status` alike); a recalled lot
//!    stays recalled.
//! 3. **Proofs verify iff the serial was registered**: for random lots (random serial sets) and
//!    random probe serials, `verify_item` with the proof of position i (from
//!    `tracepass_shared::merkle::Tree`) is `Ok(true)` iff the probe is the serial registered at
//!    position i; a serial not in the list verifies at no position; a lot's root and item count
//!    never change (a conflicting re-registration keeps the original serials verifying).
//! 4. **Only entitled roles change anything**: a merchant-only message from a non-merchant gets
//!    `Unauthorized { role: Merchant }`, a recall from anyone but the owner gets `NotOwner`
//!    (governors recall only through the whitelist's vote, `recall_by_governance`, which
//!    anyone but the whitelist gets `NotContract` for), a step from a non-member gets `Unauthorized`, a step the
//!    caller's role may not record gets `StepNotAllowed`, `apply_status` from anyone but the
//!    attestation contract and `set_code` from anyone but the whitelist get `NotContract`. Any
//!    failed message leaves the state snapshot, the sampling records and the events unchanged.
//! 5. **Counters agree with the records**: `counts()` equals the number of stored factories
//!    (IDs 1..=n, none at n+1), products and lots; each lot's `event_count` equals its stored
//!    trace's length; every registered lot was recorded with sampling exactly once.
//!
//! Cases per run: `TRACEPASS_PROPTEST_CASES` (default [`tracepass_shared::proptests::DEFAULT_CASES`]);
//! the run prints its seed, and `PROPTEST_RNG_SEED=<seed>` with the same cases replays it.

use crate::registry::*;
use ink::primitives::AccountId;
use proptest::prelude::*;
use std::collections::BTreeMap;
use tracepass_shared::bounds::*;
use tracepass_shared::fakes::cast::*;
use tracepass_shared::fakes::{self, account, events, set_caller, set_now};
use tracepass_shared::proptests::run_property;
use tracepass_shared::merkle::{Node, Tree};
use tracepass_shared::traits::{RegistryApi, RegistryGovernance, Upgradeable};
use tracepass_shared::*;

/// Longest sequence.
const MAX_STEPS: usize = 30;

/// Everyone who calls.
const CALLERS: [u8; 9] = [MERCHANT, OTHER_MERCHANT, GOVERNOR, AGENCY, CUSTOMS, LOGISTICS, STRANGER, WHITELIST, ATTESTATION];
/// GTIN bodies (13 digits, check digit added): two under MERCHANT's prefix 0614141, one under
/// OTHER_MERCHANT's prefix 4006381.
const GTIN_BODIES: [&[u8; 13]; 3] = [b"1061414100041", b"1061414100042", b"0400638133393"];
const LOTS: [&[u8]; 3] = [b"L1", b"L2", b"A-7"];
/// Factory names `set_factory_name` draws from: valid ones (the empty one removes a name) and
/// refused ones; `factory_name(n)` past the end is one byte over the bound.
const NAMES: [&[u8]; 5] = [b"Otaki plant", b"", "\u{014C}taki \u{5DE5}\u{5382}".as_bytes(), b"Otaki\r\nplant", &[0xc3]];

// What the sequences exercised, printed with the totals.
tracepass_shared::property_stats!(
    "{} lots registered ({} batches of several registered whole), {} status transitions, {} proofs verified true and {} false as predicted, {} factory names changed, {} refusals",
    LOTS, BATCHES, TRANSITIONS, PROBES_TRUE, PROBES_FALSE, NAMED, REFUSED
);

fn gtin(i: usize) -> Gtin {
    fakes::gtin(GTIN_BODIES[i])
}

fn serial(n: u16) -> Vec<u8> {
    format!("S{n}").into_bytes()
}

fn here() -> Location {
    Location { country: CountryCode(*b"NZ"), code: b"NZAKL".to_vec() }
}

// ---- operations -------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    RegisterFactory { caller: u8, country_ok: bool },
    SetFactoryName { caller: u8, factory: u32, name: usize },
    RegisterProduct { caller: u8, gtin: usize, factory: u32, category: u32, valid: bool },
    /// `serials`: the lot's serial list (distinct); `bad`: 0 valid, 1 bad lot number, 2 bad
    /// dates, 3 zero items.
    RegisterLot { caller: u8, gtin: usize, lot: usize, serials: Vec<u16>, bad: u8 },
    /// `register_lots` of (gtin, lot, serials, bad) as `RegisterLot`'s, 0 to 4 of them: the
    /// model registers them one after another and keeps all or none.
    RegisterLots { caller: u8, lots: Vec<(usize, usize, Vec<u16>, u8)> },
    AddEvent { caller: u8, lot: usize, step: BusinessStep, late: bool, location_ok: bool },
    /// `recall` by `caller`, or (`by_vote`) `recall_by_governance`.
    Recall { caller: u8, lot: usize, by_vote: bool },
    ApplyStatus { caller: u8, lot: usize, to: LotStatus },
    SetCode { caller: u8 },
    /// The whitelist suspends (or reinstates) a merchant.
    SetMerchantActive { who: u8, active: bool },
    /// Time passes (ms).
    Wait { ms: u64 },
    /// Verifies `probe` (`None`: the serial registered there) at the position `index` names,
    /// with the proof of that position.
    Verify { lot: usize, probe: Option<u16>, index: u16 },
}

fn caller() -> impl Strategy<Value = u8> {
    prop_oneof![6 => Just(MERCHANT), 2 => Just(OTHER_MERCHANT), 7 => prop::sample::select(CALLERS.to_vec())]
}

/// A lot slot: (GTIN index, lot number index) flattened.
fn lot_slot() -> impl Strategy<Value = usize> {
    prop_oneof![4 => 0usize..2, 2 => Just(6usize), 1 => 0usize..(GTIN_BODIES.len() * LOTS.len())]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (caller(), prop::bool::weighted(0.9)).prop_map(|(caller, country_ok)| Op::RegisterFactory { caller, country_ok }),
        2 => (caller(), prop_oneof![3 => Just(1u32), 1 => 1u32..4], prop_oneof![4 => 0usize..3, 1 => 0usize..=NAMES.len()])
            .prop_map(|(caller, factory, name)| Op::SetFactoryName { caller, factory, name }),
        3 => (caller(), prop_oneof![3 => Just(0usize), 1 => 0usize..3], prop_oneof![3 => Just(1u32), 1 => 1u32..4], prop_oneof![3 => Just(1001u32), 1 => Just(7u32)], prop::bool::weighted(0.9))
            .prop_map(|(caller, gtin, factory, category, valid)| Op::RegisterProduct { caller, gtin, factory, category, valid }),
        4 => (caller(), prop_oneof![3 => Just(0usize), 1 => 0usize..3], 0usize..LOTS.len(), prop::collection::btree_set(0u16..40, 1..12), prop_oneof![6 => Just(0u8), 1 => 1u8..4])
            .prop_map(|(caller, gtin, lot, serials, bad)| Op::RegisterLot { caller, gtin, lot, serials: serials.into_iter().collect(), bad }),
        2 => (caller(), prop::collection::vec((prop_oneof![3 => Just(0usize), 1 => 0usize..3], 0usize..LOTS.len(), prop::collection::btree_set(0u16..40, 1..6), prop_oneof![8 => Just(0u8), 1 => 1u8..4]), 0..5))
            .prop_map(|(caller, lots)| Op::RegisterLots { caller, lots: lots.into_iter().map(|(g, l, s, b)| (g, l, s.into_iter().collect(), b)).collect() }),
        6 => (caller(), lot_slot(), prop::sample::select(BusinessStep::ALL.to_vec()), prop::bool::weighted(0.1), prop::bool::weighted(0.95))
            .prop_map(|(caller, lot, step, late, location_ok)| Op::AddEvent { caller, lot, step, late, location_ok }),
        1 => (caller(), lot_slot()).prop_map(|(caller, lot)| Op::Recall { caller, lot, by_vote: false }),
        1 => (prop_oneof![3 => Just(WHITELIST), 1 => caller()], lot_slot()).prop_map(|(caller, lot)| Op::Recall { caller, lot, by_vote: true }),
        3 => (prop_oneof![2 => Just(ATTESTATION), 1 => caller()], lot_slot(), prop::sample::select(LotStatus::ALL.to_vec()))
            .prop_map(|(caller, lot, to)| Op::ApplyStatus { caller, lot, to }),
        1 => prop::sample::select(CALLERS.iter().copied().filter(|c| *c != WHITELIST).collect::<Vec<_>>())
            .prop_map(|caller| Op::SetCode { caller }),
        1 => (prop_oneof![Just(MERCHANT), Just(OTHER_MERCHANT)], prop::bool::weighted(0.6)).prop_map(|(who, active)| Op::SetMerchantActive { who, active }),
        1 => (0u64..5_000).prop_map(|ms| Op::Wait { ms }),
        4 => (lot_slot(), prop::option::of(0u16..40), 0u16..12).prop_map(|(lot, probe, index)| Op::Verify { lot, probe, index }),
    ]
}

// ---- the model --------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct MLot {
    lot: Lot,
    serials: Vec<Vec<u8>>,
    tree: Tree,
    events: Vec<TraceEvent>,
}

#[derive(Debug, Clone, Default)]
struct Model {
    factories: Vec<Factory>,
    factory_names: BTreeMap<FactoryId, Vec<u8>>,
    products: BTreeMap<Gtin, Product>,
    lots: BTreeMap<LotId, MLot>,
    active: BTreeMap<AccountId, bool>,
    now: Timestamp,
    block: BlockNumber,
    recorded: Vec<(LotId, AccountId, Category, CountryCode, MerchantTier)>,
}

fn slot_id(slot: usize) -> (Gtin, &'static [u8], LotId) {
    let g = gtin(slot / LOTS.len() % GTIN_BODIES.len());
    let l = LOTS[slot % LOTS.len()];
    (g, l, lot_id(&g, l))
}

fn role_of(who: u8) -> Option<Role> {
    match who {
        MERCHANT | OTHER_MERCHANT => Some(Role::Merchant),
        GOVERNOR => Some(Role::Governor),
        AGENCY => Some(Role::Agency),
        CUSTOMS => Some(Role::Customs),
        LOGISTICS => Some(Role::Logistics),
        _ => None,
    }
}

fn tier_of(who: AccountId) -> MerchantTier {
    if who == account(MERCHANT) {
        MerchantTier::Standard
    } else {
        MerchantTier::Trusted
    }
}

fn factory_name(pick: usize) -> Vec<u8> {
    NAMES.get(pick).map(|n| n.to_vec()).unwrap_or_else(|| vec![b'a'; MAX_DISPLAY_NAME_LEN + 1])
}

fn product_input(gtin: Gtin, factory: FactoryId, category: Category, valid: bool) -> ProductInput {
    let mut p = fakes::product_input(gtin, category, factory);
    if !valid {
        p.brand.clear();
    }
    p
}

fn lot_input(gtin: Gtin, lot: &[u8], serials: &[Vec<u8>], bad: u8) -> (LotInput, Tree) {
    let items: Vec<ItemId> = serials.iter().map(|s| item_id(&gtin, lot, s)).collect();
    let tree = Tree::from_items(&items).expect("non-empty");
    let input = LotInput {
        gtin,
        lot_number: if bad == 1 { b"L 1".to_vec() } else { lot.to_vec() },
        item_count: if bad == 3 { 0 } else { serials.len() as u32 },
        root: tree.root(),
        produced_on: 20261101,
        expires_on: if bad == 2 { 20251101 } else { 20281101 },
    };
    (input, tree)
}

impl Model {
    fn ensure_merchant(&self, who: AccountId) -> Result<()> {
        match self.active.get(&who) {
            None => Err(Error::Unauthorized { account: who, role: Role::Merchant }),
            Some(false) => Err(Error::MerchantNotActive),
            Some(true) => Ok(()),
        }
    }

    fn may_register(&self, who: AccountId, gtin: &Gtin) -> bool {
        let prefix: &[u8] = if who == account(MERCHANT) { b"0614141" } else { b"4006381" };
        self.active.get(&who) == Some(&true) && gtin.has_company_prefix(prefix)
    }

    /// The model's answer to `op`, applied to the model when `Ok`. Values: factory IDs, event
    /// indexes, 0 for none; lot IDs are compared separately.
    fn step(&mut self, op: &Op) -> Result<u64> {
        match op {
            Op::RegisterFactory { caller, country_ok } => {
                let who = account(*caller);
                self.ensure_merchant(who)?;
                if !country_ok {
                    return Err(Error::Invalid(Field::Country));
                }
                self.factories.push(Factory { merchant: who, country: CountryCode(*b"NZ"), name_hash: [1; 32] });
                Ok(self.factories.len() as u64)
            }
            Op::SetFactoryName { caller, factory, name } => {
                let who = account(*caller);
                self.ensure_merchant(who)?;
                let name = factory_name(*name);
                check_display_name(&name)?;
                let f = factory.checked_sub(1).and_then(|i| self.factories.get(i as usize)).ok_or(Error::FactoryNotFound)?;
                if f.merchant != who {
                    return Err(Error::NotOwner { account: who });
                }
                if name.is_empty() {
                    self.factory_names.remove(factory);
                } else {
                    self.factory_names.insert(*factory, name);
                }
                Ok(0)
            }
            Op::RegisterProduct { caller, gtin: g, factory, category, valid } => {
                let who = account(*caller);
                self.ensure_merchant(who)?;
                let info = product_input(gtin(*g), *factory, *category, *valid);
                if !valid {
                    return Err(Error::Invalid(Field::Brand));
                }
                if let Some(p) = self.products.get(&info.gtin) {
                    return if p.merchant == who && p.info == info { Ok(0) } else { Err(Error::ProductExists) };
                }
                if !self.may_register(who, &info.gtin) {
                    return Err(Error::GtinNotAllowed);
                }
                let f = factory.checked_sub(1).and_then(|i| self.factories.get(i as usize)).ok_or(Error::FactoryNotFound)?;
                if f.merchant != who {
                    return Err(Error::NotOwner { account: who });
                }
                self.products.insert(info.gtin, Product { info, merchant: who, registered_at: self.block });
                Ok(0)
            }
            Op::RegisterLot { caller, gtin: g, lot, serials, bad } => {
                let who = account(*caller);
                self.ensure_merchant(who)?;
                let gtin = gtin(*g);
                let number = LOTS[*lot];
                let serials: Vec<Vec<u8>> = serials.iter().map(|s| serial(*s)).collect();
                let (input, tree) = lot_input(gtin, number, &serials, *bad);
                match bad {
                    1 => return Err(Error::BadGs1String(Gs1StringError::BadCharacter)),
                    3 => return Err(Error::Invalid(Field::ItemCount)),
                    2 => return Err(Error::Invalid(Field::Date)),
                    _ => {}
                }
                let product = self.products.get(&gtin).cloned().ok_or(Error::ProductNotFound)?;
                if product.merchant != who {
                    return Err(Error::NotOwner { account: who });
                }
                let id = lot_id(&gtin, number);
                if let Some(existing) = self.lots.get(&id) {
                    return if existing.lot.info == input && existing.lot.merchant == who {
                        Ok(0)
                    } else {
                        Err(Error::LotConflict)
                    };
                }
                if !self.may_register(who, &gtin) {
                    return Err(Error::GtinNotAllowed);
                }
                let lot = Lot {
                    info: input,
                    merchant: who,
                    registered_at: self.block,
                    status: LotStatus::Registered,
                    event_count: 0,
                    recall_reason: None,
                };
                self.lots.insert(id, MLot { lot, serials, tree, events: Vec::new() });
                self.recorded.push((id, who, product.info.category, product.info.origin, tier_of(who)));
                Ok(0)
            }
            Op::RegisterLots { caller, lots } => {
                self.ensure_merchant(account(*caller))?;
                if lots.is_empty() || lots.len() > MAX_LOTS_PER_BATCH as usize {
                    return Err(Error::Invalid(Field::BatchSize));
                }
                let mut next = self.clone();
                for (g, lot, serials, bad) in lots {
                    next.step(&Op::RegisterLot { caller: *caller, gtin: *g, lot: *lot, serials: serials.clone(), bad: *bad })?;
                }
                *self = next;
                Ok(0)
            }
            Op::AddEvent { caller, lot, step, late, location_ok } => {
                let who = account(*caller);
                let (_, _, id) = slot_id(*lot);
                let active = self.active.get(&who) == Some(&true);
                let l = self.lots.get_mut(&id).ok_or(Error::LotNotFound)?;
                let role = role_of(*caller);
                let is_owner = l.lot.merchant == who && active;
                if role.is_none() {
                    return Err(Error::Unauthorized { account: who, role: step.required_role() });
                }
                if !step.allowed_for(role, is_owner) {
                    return Err(Error::StepNotAllowed(*step));
                }
                if !location_ok {
                    return Err(Error::Invalid(Field::Location));
                }
                if *late {
                    return Err(Error::Invalid(Field::EventTime));
                }
                if l.lot.event_count >= MAX_EVENTS_PER_LOT {
                    return Err(Error::TooManyEvents);
                }
                if let Some(to) = step.moves_to() {
                    let from = l.lot.status;
                    if !from.can_become(to) {
                        return Err(Error::IllegalTransition { from, to });
                    }
                    l.lot.status = to;
                }
                let index = l.lot.event_count;
                l.events.push(TraceEvent {
                    step: *step,
                    actor: who,
                    event_time: self.now,
                    recorded_at: self.now,
                    location: here(),
                    document_hash: [4; 32],
                });
                l.lot.event_count += 1;
                Ok(index as u64)
            }
            Op::Recall { caller, lot, by_vote } => {
                let who = account(*caller);
                if *by_vote && *caller != WHITELIST {
                    return Err(Error::NotContract { caller: who, expected: ContractKind::Whitelist });
                }
                let (_, _, id) = slot_id(*lot);
                let l = self.lots.get_mut(&id).ok_or(Error::LotNotFound)?;
                if !by_vote && l.lot.merchant != who {
                    return Err(Error::NotOwner { account: who });
                }
                let from = l.lot.status;
                if !from.can_become(LotStatus::Recalled) {
                    return Err(Error::IllegalTransition { from, to: LotStatus::Recalled });
                }
                l.lot.status = LotStatus::Recalled;
                l.lot.recall_reason = Some([6; 32]);
                if l.lot.event_count < MAX_EVENTS_PER_LOT {
                    l.events.push(TraceEvent {
                        step: BusinessStep::Recalling,
                        actor: who,
                        event_time: self.now,
                        recorded_at: self.now,
                        location: Location { country: CountryCode(*b"NZ"), code: Vec::new() },
                        document_hash: [6; 32],
                    });
                    l.lot.event_count += 1;
                }
                Ok(0)
            }
            Op::ApplyStatus { caller, lot, to } => {
                let who = account(*caller);
                if *caller != ATTESTATION {
                    return Err(Error::NotContract { caller: who, expected: ContractKind::Attestation });
                }
                let (_, _, id) = slot_id(*lot);
                let l = self.lots.get_mut(&id).ok_or(Error::LotNotFound)?;
                let from = l.lot.status;
                if from == *to {
                    return Ok(0);
                }
                if !matches!(to, LotStatus::Held | LotStatus::Released | LotStatus::Cleared) || !from.can_become(*to) {
                    return Err(Error::IllegalTransition { from, to: *to });
                }
                l.lot.status = *to;
                Ok(0)
            }
            Op::SetCode { caller } => {
                Err(Error::NotContract { caller: account(*caller), expected: ContractKind::Whitelist })
            }
            Op::SetMerchantActive { who, active } => {
                self.active.insert(account(*who), *active);
                Ok(0)
            }
            Op::Wait { ms } => {
                self.now += ms;
                Ok(0)
            }
            Op::Verify { .. } => Ok(0),
        }
    }
}

// ---- checking ---------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    counts: (u32, u32, u64),
    factories: Vec<Option<Factory>>,
    factory_names: Vec<Option<Vec<u8>>>,
    products: Vec<Option<Product>>,
    lots: Vec<(Option<Lot>, Vec<TraceEvent>)>,
    recorded: usize,
}

fn snapshot(r: &Registry) -> Snapshot {
    let counts = r.counts();
    Snapshot {
        counts,
        factories: (1..=counts.0 + 1).map(|i| r.factory(i)).collect(),
        // names of the factories there are and of the IDs the operations name (1..4)
        factory_names: (1..=counts.0.max(4) + 1).map(|i| r.factory_name(i)).collect(),
        products: (0..GTIN_BODIES.len()).map(|g| r.product(gtin(g))).collect(),
        lots: (0..GTIN_BODIES.len() * LOTS.len())
            .map(|s| {
                let id = slot_id(s).2;
                (r.lot(id), r.events(id))
            })
            .collect(),
        recorded: fakes::with(|w| w.recorded_lots.len()),
    }
}

fn check_state(s: &Snapshot, m: &Model) {
    // counters agree with the records, and with the model
    let (f, p, l) = s.counts;
    assert_eq!(f as usize, m.factories.len(), "factory count");
    assert!(s.factories[..f as usize].iter().all(Option::is_some), "factories 1..=n exist");
    assert_eq!(s.factories[f as usize], None, "no factory n+1");
    for (i, mf) in m.factories.iter().enumerate() {
        assert_eq!(s.factories[i].as_ref(), Some(mf), "factory {}", i + 1);
    }
    for (i, got) in s.factory_names.iter().enumerate() {
        let id = i as FactoryId + 1;
        assert_eq!(got.as_ref(), m.factory_names.get(&id), "name of factory {id}");
        assert!(got.is_none() || s.factories.get(i).is_some_and(Option::is_some), "a name without a factory");
        assert!(got.as_ref().is_none_or(|n| !n.is_empty()), "no empty name is stored");
    }
    assert_eq!(p as usize, s.products.iter().flatten().count(), "product count vs records");
    assert_eq!(l as usize, s.lots.iter().filter(|x| x.0.is_some()).count(), "lot count vs records");
    for (g, got) in s.products.iter().enumerate() {
        assert_eq!(got.as_ref(), m.products.get(&gtin(g)), "product {g}");
    }
    for (slot, (lot, trace)) in s.lots.iter().enumerate() {
        let id = slot_id(slot).2;
        let ml = m.lots.get(&id);
        assert_eq!(lot.as_ref(), ml.map(|x| &x.lot), "lot slot {slot}");
        let n = lot.as_ref().map(|x| x.event_count).unwrap_or(0);
        assert_eq!(trace.len(), n as usize, "event_count vs stored trace");
        assert_eq!(trace, &ml.map(|x| x.events.clone()).unwrap_or_default(), "trace of slot {slot}");
    }
    let recorded = fakes::with(|w| w.recorded_lots.clone());
    assert_eq!(recorded, m.recorded, "sampling records");
    assert_eq!(recorded.len() as u64, l, "every lot recorded with sampling once");
}

/// Invariant 3 on lot slot `lot` with probe serial `probe` at position `index`.
fn check_verify(r: &Registry, m: &Model, lot: usize, probe: Option<u16>, index: u16) {
    let (g, number, id) = slot_id(lot);
    let Some(ml) = m.lots.get(&id) else {
        let probe = serial(probe.unwrap_or(0));
        assert_eq!(r.verify_item(g, number.to_vec(), probe, None, 0, vec![]), Err(Error::LotNotFound));
        return;
    };
    let n = ml.serials.len() as u32;
    let i = index as u32 % n;
    let probe = probe.map(serial).unwrap_or_else(|| ml.serials[i as usize].clone());
    let proof: Vec<Node> = ml.tree.proof(i).expect("in range");
    let expected = ml.serials[i as usize] == probe;
    assert_eq!(r.verify_item(g, number.to_vec(), probe.clone(), None, i, proof), Ok(expected), "probe at {i}");
    stats::add(if expected { &stats::PROBES_TRUE } else { &stats::PROBES_FALSE });
    match ml.serials.iter().position(|s| *s == probe) {
        // a registered serial verifies at its own position
        Some(at) => {
            let proof = ml.tree.proof(at as u32).expect("in range");
            assert_eq!(r.verify_item(g, number.to_vec(), probe, None, at as u32, proof), Ok(true));
        }
        // an unregistered one at no position
        None => {
            for at in 0..n {
                let proof = ml.tree.proof(at).expect("in range");
                assert_eq!(r.verify_item(g, number.to_vec(), probe.clone(), None, at, proof), Ok(false), "forged at {at}");
            }
        }
    }
}

fn run_sequence(ops: &[Op]) -> usize {
    crate::tests::world();
    set_now(NOW);
    let mut r = Registry::new(account(WHITELIST), account(SAMPLING));
    let mut m = Model { now: NOW, ..Model::default() };
    m.active.insert(account(MERCHANT), true);
    m.active.insert(account(OTHER_MERCHANT), true);
    let mut last = snapshot(&r);
    check_state(&last, &m);
    for (i, op) in ops.iter().enumerate() {
        let events_before = events();
        let expected = m.step(op);
        let got: Result<u64> = match op {
            Op::RegisterFactory { caller, country_ok } => {
                set_caller(*caller);
                let c = CountryCode(if *country_ok { *b"NZ" } else { *b"QQ" });
                r.register_factory(c, [1; 32]).map(u64::from)
            }
            Op::SetFactoryName { caller, factory, name } => {
                set_caller(*caller);
                r.set_factory_name(*factory, factory_name(*name)).map(|_| 0)
            }
            Op::RegisterProduct { caller, gtin: g, factory, category, valid } => {
                set_caller(*caller);
                r.register_product(product_input(gtin(*g), *factory, *category, *valid)).map(|_| 0)
            }
            Op::RegisterLot { caller, gtin: g, lot, serials, bad } => {
                set_caller(*caller);
                let serials: Vec<Vec<u8>> = serials.iter().map(|s| serial(*s)).collect();
                let (input, _) = lot_input(gtin(*g), LOTS[*lot], &serials, *bad);
                r.register_lot(input).map(|id| {
                    assert_eq!(id, lot_id(&gtin(*g), LOTS[*lot]), "lot ID");
                    0
                })
            }
            Op::RegisterLots { caller, lots } => {
                set_caller(*caller);
                let inputs: Vec<LotInput> = lots
                    .iter()
                    .map(|(g, l, serials, bad)| lot_input(gtin(*g), LOTS[*l], &serials.iter().map(|s| serial(*s)).collect::<Vec<_>>(), *bad).0)
                    .collect();
                r.register_lots(inputs).map(|ids| {
                    let want: Vec<LotId> = lots.iter().map(|(g, l, _, _)| lot_id(&gtin(*g), LOTS[*l])).collect();
                    assert_eq!(ids, want, "lot IDs in input order");
                    if lots.len() > 1 {
                        stats::add(&stats::BATCHES);
                    }
                    0
                })
            }
            Op::AddEvent { caller, lot, step, late, location_ok } => {
                set_caller(*caller);
                let t = if *late { m.now + 1 } else { m.now };
                let loc = if *location_ok { here() } else { Location { country: CountryCode(*b"NZ"), code: b"NZ-AKL".to_vec() } };
                r.add_event(slot_id(*lot).2, *step, t, loc, [4; 32]).map(u64::from)
            }
            Op::Recall { caller, lot, by_vote } => {
                set_caller(*caller);
                if *by_vote {
                    r.recall_by_governance(slot_id(*lot).2, [6; 32]).map(|_| 0)
                } else {
                    r.recall(slot_id(*lot).2, [6; 32]).map(|_| 0)
                }
            }
            Op::ApplyStatus { caller, lot, to } => {
                set_caller(*caller);
                r.apply_status(slot_id(*lot).2, *to).map(|_| 0)
            }
            Op::SetCode { caller } => {
                set_caller(*caller);
                r.set_code(ink::primitives::Hash::from([1; 32])).map(|_| 0)
            }
            Op::SetMerchantActive { who, active } => {
                let status = if *active { MerchantStatus::Active } else { MerchantStatus::Suspended };
                fakes::with(|w| w.merchants.get_mut(&account(*who)).expect("merchant").status = status);
                Ok(0)
            }
            Op::Wait { ms } => {
                set_now(m.now);
                let _ = ms;
                Ok(0)
            }
            Op::Verify { lot, probe, index } => {
                check_verify(&r, &m, *lot, *probe, *index);
                Ok(0)
            }
        };
        assert_eq!(got, expected, "step {i}: {op:?}");
        let now = snapshot(&r);
        // only entitled roles change anything; a failed message changes nothing
        let who = match op {
            Op::RegisterFactory { caller, .. }
            | Op::SetFactoryName { caller, .. }
            | Op::RegisterProduct { caller, .. }
            | Op::RegisterLot { caller, .. }
            | Op::RegisterLots { caller, .. } => Some((*caller, Role::Merchant)),
            _ => None,
        };
        if let Some((c, role)) = who {
            if role_of(c) != Some(Role::Merchant) {
                assert_eq!(got, Err(Error::Unauthorized { account: account(c), role }), "step {i}");
            }
        }
        if got.is_err() {
            stats::add(&stats::REFUSED);
            assert_eq!(now, last, "step {i}: failed {op:?} changed state");
            assert_eq!(events(), events_before, "step {i}: failed {op:?} emitted an event");
        }
        // a factory name emits FactoryNamed iff it changed
        if let (Op::SetFactoryName { .. }, Ok(_)) = (op, &got) {
            let changed = now.factory_names != last.factory_names;
            assert_eq!(events() - events_before, usize::from(changed), "step {i}: FactoryNamed iff the name changed");
            if changed {
                stats::add(&stats::NAMED);
            }
        }
        // legal transitions only
        for (b, a) in last.lots.iter().zip(&now.lots) {
            if let (Some(b), Some(a)) = (&b.0, &a.0) {
                assert!(b.status == a.status || b.status.can_become(a.status), "step {i}: {:?} -> {:?}", b.status, a.status);
                assert_eq!((&b.info, b.merchant, b.registered_at), (&a.info, a.merchant, a.registered_at), "lot fixed fields");
                if b.status != a.status {
                    stats::add(&stats::TRANSITIONS);
                }
            }
            assert!(b.0.is_none() || a.0.is_some(), "a lot disappeared");
        }
        stats::add_n(&stats::LOTS, now.counts.2 - last.counts.2);
        check_state(&now, &m);
        last = now;
    }
    ops.len()
}

#[test]
fn random_registry_sequences_keep_invariants() {
    // Most sequences start from a registered lot of each merchant (the setup steps are checked
    // like any other), so that later steps find factories, products and lots to act on.
    let strategy = (
        prop::bool::weighted(0.85),
        prop::collection::btree_set(0u16..40, 1..12),
        prop::collection::btree_set(0u16..40, 1..12),
        prop::collection::vec(op(), 1..=MAX_STEPS),
    )
        .prop_map(|(setup, a, b, ops)| {
            let mut all = Vec::new();
            if setup {
                all.extend([
                    Op::RegisterFactory { caller: MERCHANT, country_ok: true },
                    Op::RegisterFactory { caller: OTHER_MERCHANT, country_ok: true },
                    Op::RegisterProduct { caller: MERCHANT, gtin: 0, factory: 1, category: 1001, valid: true },
                    Op::RegisterProduct { caller: OTHER_MERCHANT, gtin: 2, factory: 2, category: 1001, valid: true },
                    Op::RegisterLot { caller: MERCHANT, gtin: 0, lot: 0, serials: a.into_iter().collect(), bad: 0 },
                    Op::RegisterLot { caller: OTHER_MERCHANT, gtin: 2, lot: 0, serials: b.into_iter().collect(), bad: 0 },
                ]);
            }
            all.extend(ops);
            all
        });
    run_property("registry", strategy, |ops| run_sequence(ops), stats::line);
}
