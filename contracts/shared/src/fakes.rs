//! Test doubles of the contracts a contract calls, for `#[ink::test]`s only (feature `fakes`).
//!
//! ink!'s off-chain engine cannot make cross-contract calls, so a contract's unit tests route
//! the calls it makes to this thread-local world instead. The world applies the same rules as the
//! real callee (the shared `Merchant::may_register`, `check_agency_rule`, `LotStatus::can_become`)
//! and records every call, so tests can assert what was asked. The real calls are exercised by
//! the end-to-end suite on a real node.

use crate::ids::*;
use crate::types::*;
use ink::primitives::AccountId;
use std::cell::RefCell;
use std::collections::HashMap;

/// The other contracts, as seen by the contract under test.
#[derive(Default, Debug)]
pub struct World {
    /// Whitelist: non-merchant members.
    pub members: HashMap<AccountId, Member>,
    /// Whitelist: merchants.
    pub merchants: HashMap<AccountId, Merchant>,
    /// Whitelist: the brands each merchant is authorised for.
    pub brands: HashMap<AccountId, Vec<Vec<u8>>>,
    /// Whitelist: directory.
    pub directory: Vec<(ContractKind, AccountId)>,
    /// Registry: lots.
    pub lots: HashMap<LotId, Lot>,
    /// Registry: products.
    pub products: HashMap<Gtin, Product>,
    /// Registry: factories.
    pub factories: HashMap<FactoryId, Factory>,
    /// Sampling: selection answers.
    pub selections: HashMap<LotId, Selection>,
    /// Sampling: `record_lot` calls received.
    pub recorded_lots: Vec<(LotId, AccountId, Category, CountryCode, MerchantTier)>,
    /// Sampling: `record_lots` calls received (their lots are in `recorded_lots`).
    pub record_lots_calls: usize,
    /// Sampling: `record_inspection` calls received.
    pub inspections: Vec<(AccountId, InspectionResult)>,
    /// Registry: status changes made by `apply_status` (a call to the current status changes nothing).
    pub status_changes: Vec<(LotId, LotStatus)>,
    /// Governance calls the whitelist made: (target, message).
    pub governance_calls: Vec<(AccountId, &'static str)>,
}

thread_local! {
    static WORLD: RefCell<World> = RefCell::new(World::default());
}

/// Runs `f` on the world.
pub fn with<R>(f: impl FnOnce(&mut World) -> R) -> R {
    WORLD.with(|w| f(&mut w.borrow_mut()))
}

/// Empties the world (call at the start of each test).
pub fn reset() {
    with(|w| *w = World::default());
}

impl World {
    /// `WhitelistApi::role_of`.
    pub fn role_of(&self, who: &AccountId) -> Option<Role> {
        if self.merchants.contains_key(who) {
            return Some(Role::Merchant);
        }
        self.members.get(who).map(|m| m.role)
    }

    /// `WhitelistApi::check_product`, with the shared rule.
    pub fn check_product(&self, who: AccountId, gtin: &Gtin, brand: &[u8]) -> Result<()> {
        let brands = self.brands.get(&who).map(Vec::as_slice).unwrap_or_default();
        check_product_rule(who, self.merchants.get(&who), brands, gtin, brand)
    }

    /// `WhitelistApi::check_agency`.
    pub fn check_agency(&self, who: AccountId, category: Category, now: Timestamp) -> Result<Timestamp> {
        check_agency_rule(who, self.members.get(&who), category, now)
    }

    /// `WhitelistApi::contract_of`.
    pub fn contract_of(&self, kind: ContractKind) -> Option<AccountId> {
        self.directory.iter().find(|(k, _)| *k == kind).map(|(_, a)| *a)
    }

    /// `RegistryApi::apply_status`, with the registry's transition rule.
    pub fn apply_status(&mut self, lot: LotId, to: LotStatus) -> Result<()> {
        let l = self.lots.get_mut(&lot).ok_or(Error::LotNotFound)?;
        if l.status == to {
            return Ok(());
        }
        if !l.status.can_become(to) {
            return Err(Error::IllegalTransition { from: l.status, to });
        }
        l.status = to;
        self.status_changes.push((lot, to));
        Ok(())
    }

    /// The brand [`World::add_merchant`] authorises.
    pub const BRAND: &'static [u8] = b"Aroha Dairy";

    /// Adds a whitelisted merchant with one GS1 prefix, authorised for brand [`World::BRAND`].
    pub fn add_merchant(&mut self, who: AccountId, prefix: &[u8], tier: MerchantTier) {
        self.brands.insert(who, vec![Self::BRAND.to_vec()]);
        self.merchants.insert(
            who,
            Merchant {
                name_hash: [1; 32],
                country: CountryCode(*b"NZ"),
                gs1_prefixes: vec![prefix.to_vec()],
                tier,
                status: MerchantStatus::Active,
                since: 0,
            },
        );
    }

    /// Adds a non-merchant member (an agency gets `scope`).
    pub fn add_member(&mut self, who: AccountId, role: Role, scope: Option<AgencyScope>) {
        self.members.insert(who, Member { role, name_hash: [2; 32], scope, since: 0 });
    }

    /// Adds an agency accredited for `categories` until `valid_until` (exclusive).
    pub fn add_agency(&mut self, who: AccountId, categories: &[Category], valid_until: Timestamp) {
        self.add_member(who, Role::Agency, Some(AgencyScope { categories: categories.to_vec(), valid_until }));
    }

    /// Adds `merchant`'s product [`product_input`]`(gtin, category, 1)`.
    pub fn add_product(&mut self, gtin: Gtin, category: Category, merchant: AccountId) {
        let product = Product { info: product_input(gtin, category, 1), merchant, registered_at: 0 };
        self.products.insert(gtin, product);
    }

    /// Adds `merchant`'s factory `id`, in NZ.
    pub fn add_factory(&mut self, id: FactoryId, merchant: AccountId) {
        self.factories.insert(id, Factory { merchant, country: CountryCode(*b"NZ"), name_hash: [1; 32] });
    }

    /// Adds `merchant`'s lot `number` of `gtin` with `items` items, at `status`; returns its ID.
    pub fn add_lot(&mut self, gtin: Gtin, number: &[u8], items: u32, status: LotStatus, merchant: AccountId) -> LotId {
        let info = LotInput {
            gtin,
            lot_number: number.to_vec(),
            item_count: items,
            root: [0; 16],
            produced_on: 20261101,
            expires_on: 20281101,
        };
        let id = lot_id(&gtin, number);
        self.lots.insert(id, Lot { info, merchant, registered_at: 0, status, event_count: 0, recall_reason: None });
        id
    }
}

/// The GTIN-14 of the 13 digits `body` and their check digit.
pub fn gtin(body: &[u8; 13]) -> Gtin {
    let mut d = [0u8; 14];
    d[..13].copy_from_slice(body);
    d[13] = gs1_check_digit(body);
    Gtin::parse(&d).expect("valid GTIN")
}

/// A valid product of `category` made at `factory` (brand, origin NZ, HS code, hashes and URI fixed).
pub fn product_input(gtin: Gtin, category: Category, factory: FactoryId) -> ProductInput {
    ProductInput {
        gtin,
        brand: World::BRAND.to_vec(),
        category,
        origin: CountryCode(*b"NZ"),
        factory,
        hs_code: b"190110".to_vec(),
        metadata_hash: [3; 32],
        uri: b"https://example.org/p/1".to_vec(),
    }
}

/// What a caller not entitled to a message gets.
pub enum Refusal {
    /// `Unauthorized { account: caller, role }`.
    Role(Role),
    /// `NotContract { caller, expected }`.
    Contract(ContractKind),
    /// Another error, computed from the caller.
    Other(fn(AccountId) -> Error),
}

impl Refusal {
    /// The error `caller` must get.
    pub fn error(&self, caller: AccountId) -> Error {
        match self {
            Refusal::Role(role) => Error::Unauthorized { account: caller, role: *role },
            Refusal::Contract(expected) => Error::NotContract { caller, expected: *expected },
            Refusal::Other(f) => f(caller),
        }
    }
}

/// One write message in an access-control test: how to call it, and who may.
pub struct AccessCase<C> {
    /// The message's name, for failure messages.
    pub name: &'static str,
    /// Labels of the callers entitled to it (they are skipped).
    pub entitled: &'static [&'static str],
    /// Calls the message on the contract.
    pub call: fn(&mut C) -> Result<()>,
    /// What an unentitled caller must get.
    pub expect: Refusal,
}

impl<C> AccessCase<C> {
    /// A message for the callers labelled `entitled`; everyone else lacks `role`.
    pub fn role(name: &'static str, entitled: &'static [&'static str], role: Role, call: fn(&mut C) -> Result<()>) -> Self {
        AccessCase { name, entitled, call, expect: Refusal::Role(role) }
    }

    /// A message only the `kind` contract may send (its cast label is the one entitled).
    pub fn contract(name: &'static str, kind: ContractKind, call: fn(&mut C) -> Result<()>) -> Self {
        let entitled: &'static [&'static str] = match kind {
            ContractKind::Whitelist => &["whitelist"],
            ContractKind::Registry => &["registry"],
            ContractKind::Sampling => &["sampling"],
            ContractKind::Attestation => &["attestation"],
        };
        AccessCase { name, entitled, call, expect: Refusal::Contract(kind) }
    }

    /// A message whose refusal is some other error.
    pub fn other(
        name: &'static str,
        entitled: &'static [&'static str],
        call: fn(&mut C) -> Result<()>,
        expect: fn(AccountId) -> Error,
    ) -> Self {
        AccessCase { name, entitled, call, expect: Refusal::Other(expect) }
    }
}

/// The reusable access test: calls every case's message from every caller not entitled to it
/// and checks that it fails with the case's error, emits no event and leaves `snapshot` as it was.
pub fn check_access<C, S: PartialEq + core::fmt::Debug>(
    contract: &mut C,
    cases: &[AccessCase<C>],
    callers: &[(&'static str, AccountId)],
    snapshot: impl Fn(&C) -> S,
) -> usize {
    use ink::env::{test, DefaultEnvironment};
    let mut checked = 0;
    for case in cases {
        for (label, who) in callers {
            if case.entitled.contains(label) {
                continue;
            }
            test::set_caller::<DefaultEnvironment>(*who);
            let before = snapshot(contract);
            let events_before = test::recorded_events().count();
            let got = (case.call)(contract);
            assert_eq!(got, Err(case.expect.error(*who)), "{} called by {}", case.name, label);
            assert_eq!(snapshot(contract), before, "{} by {} changed state", case.name, label);
            assert_eq!(
                test::recorded_events().count(),
                events_before,
                "{} by {} emitted an event",
                case.name,
                label
            );
            checked += 1;
        }
    }
    checked
}

/// A distinct test account.
pub fn account(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

/// The accounts the contracts' tests name, one number per part, so that every test module means
/// the same account by the same name and access tests label their callers from one table.
pub mod cast {
    use crate::types::Timestamp;
    use ink::primitives::AccountId;

    pub const GOVERNOR: u8 = 1;
    pub const AGENCY: u8 = 10;
    pub const CUSTOMS: u8 = 11;
    pub const LOGISTICS: u8 = 12;
    /// A second agency, accredited for other categories than [`AGENCY`].
    pub const OTHER_AGENCY: u8 = 13;
    pub const MERCHANT: u8 = 20;
    pub const OTHER_MERCHANT: u8 = 21;
    pub const STRANGER: u8 = 99;
    pub const WHITELIST: u8 = 200;
    pub const REGISTRY: u8 = 201;
    pub const SAMPLING: u8 = 202;
    pub const ATTESTATION: u8 = 203;
    /// The block time (ms) tests start at.
    pub const NOW: Timestamp = 1_790_000_000_000;

    /// The label of cast member `n`, as access tests name it in `entitled` lists.
    pub fn label(n: u8) -> &'static str {
        match n {
            GOVERNOR => "governor",
            AGENCY => "agency",
            CUSTOMS => "customs",
            LOGISTICS => "logistics",
            OTHER_AGENCY => "other_agency",
            MERCHANT => "merchant",
            OTHER_MERCHANT => "other_merchant",
            STRANGER => "stranger",
            WHITELIST => "whitelist",
            REGISTRY => "registry",
            SAMPLING => "sampling",
            ATTESTATION => "attestation",
            _ => panic!("account {n} is not in the cast"),
        }
    }

    /// [`check_access`](super::check_access)'s callers: the cast members `who`, labelled.
    pub fn callers(who: &[u8]) -> Vec<(&'static str, AccountId)> {
        who.iter().map(|&n| (label(n), super::account(n))).collect()
    }
}

/// Makes account `n` the caller.
pub fn set_caller(n: u8) {
    ink::env::test::set_caller::<ink::env::DefaultEnvironment>(account(n));
}

/// Sets the block time (ms).
pub fn set_now(t: Timestamp) {
    ink::env::test::set_block_timestamp::<ink::env::DefaultEnvironment>(t);
}

/// Number of events emitted so far.
pub fn events() -> usize {
    ink::env::test::recorded_events().count()
}

/// The last event emitted, decoded as `E`.
pub fn last_event<E: ink::scale::Decode>() -> E {
    let ev = ink::env::test::recorded_events().last().expect("an event");
    E::decode(&mut &ev.data[..]).expect("decodes")
}
