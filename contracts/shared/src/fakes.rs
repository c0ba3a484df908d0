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

    /// `WhitelistApi::may_register_gtin`.
    pub fn may_register_gtin(&self, who: &AccountId, gtin: &Gtin) -> bool {
        self.merchants.get(who).is_some_and(|m| m.may_register(gtin))
    }

    /// `WhitelistApi::check_agency`.
    pub fn check_agency(&self, who: AccountId, category: Category, now: Timestamp) -> Result<()> {
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

    /// Adds a whitelisted merchant with one GS1 prefix.
    pub fn add_merchant(&mut self, who: AccountId, prefix: &[u8], tier: MerchantTier) {
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
}

/// One write message in an access-control test: how to call it, and who may.
pub struct AccessCase<C> {
    /// The message's name, for failure messages.
    pub name: &'static str,
    /// Labels of the callers entitled to it (they are skipped).
    pub entitled: &'static [&'static str],
    /// Calls the message on the contract.
    pub call: fn(&mut C) -> Result<()>,
    /// The error an unentitled `caller` must get.
    pub expect: fn(AccountId) -> Error,
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
            assert_eq!(got, Err((case.expect)(*who)), "{} called by {}", case.name, label);
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
