//! Every cross-contract call the tracepass contracts make, written once.
//!
//! On chain (and in every build without the `fakes` feature) each function calls the contract at
//! the given address through `ink::contract_ref!` on the trait of [`crate::traits`]. ink!'s
//! off-chain engine cannot make cross-contract calls, so with `fakes` (enabled only by the
//! contracts' dev-dependencies, i.e. in their unit tests) the same functions answer from
//! [`crate::fakes`]. The real calls are exercised by the end-to-end suite on a node.

use crate::ids::*;
use crate::types::*;
use ink::prelude::vec::Vec;
use ink::primitives::{AccountId, Hash};

#[cfg(not(feature = "fakes"))]
mod real {
    use super::*;
    use crate::traits::*;

    fn whitelist(at: AccountId) -> ink::contract_ref!(WhitelistApi, ink::env::DefaultEnvironment) {
        at.into()
    }
    fn registry(at: AccountId) -> ink::contract_ref!(RegistryApi, ink::env::DefaultEnvironment) {
        at.into()
    }
    fn sampling(at: AccountId) -> ink::contract_ref!(SamplingApi, ink::env::DefaultEnvironment) {
        at.into()
    }

    /// `WhitelistApi::role_of`.
    pub fn role_of(wl: AccountId, who: AccountId) -> Option<Role> {
        whitelist(wl).role_of(who)
    }
    /// `WhitelistApi::merchant`.
    pub fn merchant(wl: AccountId, who: AccountId) -> Option<Merchant> {
        whitelist(wl).merchant(who)
    }
    /// `WhitelistApi::check_product`.
    pub fn check_product(wl: AccountId, who: AccountId, gtin: Gtin, brand: Vec<u8>) -> Result<()> {
        whitelist(wl).check_product(who, gtin, brand)
    }
    /// `WhitelistApi::check_agency`.
    pub fn check_agency(wl: AccountId, who: AccountId, category: Category) -> Result<Timestamp> {
        whitelist(wl).check_agency(who, category)
    }
    /// `WhitelistApi::contract_of`.
    pub fn contract_of(wl: AccountId, kind: ContractKind) -> Option<AccountId> {
        whitelist(wl).contract_of(kind)
    }
    /// `RegistryApi::lot`.
    pub fn lot(reg: AccountId, id: LotId) -> Option<Lot> {
        registry(reg).lot(id)
    }
    /// `RegistryApi::product`.
    pub fn product(reg: AccountId, gtin: Gtin) -> Option<Product> {
        registry(reg).product(gtin)
    }
    /// `RegistryApi::factory`.
    pub fn factory(reg: AccountId, id: FactoryId) -> Option<Factory> {
        registry(reg).factory(id)
    }
    /// `RegistryApi::apply_status`.
    pub fn apply_status(reg: AccountId, lot: LotId, to: LotStatus) -> Result<()> {
        registry(reg).apply_status(lot, to)
    }
    /// `SamplingApi::record_lot`.
    pub fn record_lot(
        s: AccountId,
        lot: LotId,
        merchant: AccountId,
        category: Category,
        origin: CountryCode,
        tier: MerchantTier,
    ) -> Result<()> {
        sampling(s).record_lot(lot, merchant, category, origin, tier)
    }
    /// `SamplingApi::record_lots`.
    pub fn record_lots(s: AccountId, merchant: AccountId, tier: MerchantTier, lots: Vec<(LotId, Category, CountryCode)>) -> Result<()> {
        sampling(s).record_lots(merchant, tier, lots)
    }
    /// `SamplingApi::selection`.
    pub fn selection(s: AccountId, lot: LotId) -> Selection {
        sampling(s).selection(lot)
    }
    /// `SamplingApi::record_inspection`.
    pub fn record_inspection(s: AccountId, merchant: AccountId, result: InspectionResult) -> Result<()> {
        sampling(s).record_inspection(merchant, result)
    }
    /// `SamplingApi::set_rule`.
    pub fn set_rule(s: AccountId, key: RuleKey, rate: u16) -> Result<()> {
        sampling(s).set_rule(key, rate)
    }
    /// `SamplingApi::remove_rule`.
    pub fn remove_rule(s: AccountId, key: RuleKey) -> Result<()> {
        sampling(s).remove_rule(key)
    }
    /// `SamplingApi::set_policy`.
    pub fn set_policy(s: AccountId, rate: u16, passes: u32) -> Result<()> {
        sampling(s).set_policy(rate, passes)
    }
    /// `Upgradeable::set_code`.
    pub fn set_code(target: AccountId, code_hash: Hash) -> Result<()> {
        let mut c: ink::contract_ref!(Upgradeable, ink::env::DefaultEnvironment) = target.into();
        c.set_code(code_hash)
    }
    /// `RegistryGovernance::release_by_governance`.
    pub fn release_lot(reg: AccountId, lot: LotId) -> Result<()> {
        let mut c: ink::contract_ref!(RegistryGovernance, ink::env::DefaultEnvironment) = reg.into();
        c.release_by_governance(lot)
    }
    /// `RegistryGovernance::recall_by_governance`.
    pub fn recall_lot(reg: AccountId, lot: LotId, reason: Hash32) -> Result<()> {
        let mut c: ink::contract_ref!(RegistryGovernance, ink::env::DefaultEnvironment) = reg.into();
        c.recall_by_governance(lot, reason)
    }
    /// `AttestationGovernance::revoke_by_governance`.
    pub fn revoke_attestation(att: AccountId, id: AttestationId, reason: Hash32) -> Result<()> {
        let mut c: ink::contract_ref!(AttestationGovernance, ink::env::DefaultEnvironment) = att.into();
        c.revoke_by_governance(id, reason)
    }
    /// `AttestationGovernance::resolve_dispute`.
    pub fn resolve_dispute(att: AccountId, lot: LotId, release: bool) -> Result<()> {
        let mut c: ink::contract_ref!(AttestationGovernance, ink::env::DefaultEnvironment) = att.into();
        c.resolve_dispute(lot, release)
    }
}

#[cfg(feature = "fakes")]
mod real {
    use super::*;
    use crate::fakes::with;

    pub fn role_of(_: AccountId, who: AccountId) -> Option<Role> {
        with(|w| w.role_of(&who))
    }
    pub fn merchant(_: AccountId, who: AccountId) -> Option<Merchant> {
        with(|w| w.merchants.get(&who).cloned())
    }
    pub fn check_product(_: AccountId, who: AccountId, gtin: Gtin, brand: Vec<u8>) -> Result<()> {
        with(|w| w.check_product(who, &gtin, &brand))
    }
    pub fn check_agency(_: AccountId, who: AccountId, category: Category) -> Result<Timestamp> {
        let now = ink::env::block_timestamp::<ink::env::DefaultEnvironment>();
        with(|w| w.check_agency(who, category, now))
    }
    pub fn contract_of(_: AccountId, kind: ContractKind) -> Option<AccountId> {
        with(|w| w.contract_of(kind))
    }
    pub fn lot(_: AccountId, id: LotId) -> Option<Lot> {
        with(|w| w.lots.get(&id).cloned())
    }
    pub fn product(_: AccountId, gtin: Gtin) -> Option<Product> {
        with(|w| w.products.get(&gtin).cloned())
    }
    pub fn factory(_: AccountId, id: FactoryId) -> Option<Factory> {
        with(|w| w.factories.get(&id).cloned())
    }
    pub fn apply_status(_: AccountId, lot: LotId, to: LotStatus) -> Result<()> {
        with(|w| w.apply_status(lot, to))
    }
    pub fn record_lot(
        _: AccountId,
        lot: LotId,
        merchant: AccountId,
        category: Category,
        origin: CountryCode,
        tier: MerchantTier,
    ) -> Result<()> {
        with(|w| {
            if w.recorded_lots.iter().any(|r| r.0 == lot) {
                return Err(Error::LotAlreadySampled);
            }
            w.recorded_lots.push((lot, merchant, category, origin, tier));
            Ok(())
        })
    }
    pub fn record_lots(_: AccountId, merchant: AccountId, tier: MerchantTier, lots: Vec<(LotId, Category, CountryCode)>) -> Result<()> {
        with(|w| {
            if lots.is_empty() || lots.len() > crate::bounds::MAX_LOTS_PER_BATCH as usize {
                return Err(Error::Invalid(Field::BatchSize));
            }
            for (i, (lot, _, _)) in lots.iter().enumerate() {
                if w.recorded_lots.iter().any(|r| r.0 == *lot) || lots[..i].iter().any(|(l, _, _)| l == lot) {
                    return Err(Error::LotAlreadySampled);
                }
            }
            w.record_lots_calls += 1;
            w.recorded_lots.extend(lots.into_iter().map(|(lot, category, origin)| (lot, merchant, category, origin, tier)));
            Ok(())
        })
    }
    pub fn selection(_: AccountId, lot: LotId) -> Selection {
        with(|w| w.selections.get(&lot).copied().unwrap_or(Selection::Unknown))
    }
    pub fn record_inspection(_: AccountId, merchant: AccountId, result: InspectionResult) -> Result<()> {
        with(|w| w.inspections.push((merchant, result)));
        Ok(())
    }
    fn governance(to: AccountId, what: &'static str) -> Result<()> {
        with(|w| w.governance_calls.push((to, what)));
        Ok(())
    }
    pub fn set_rule(t: AccountId, _: RuleKey, _: u16) -> Result<()> {
        governance(t, "set_rule")
    }
    pub fn remove_rule(t: AccountId, _: RuleKey) -> Result<()> {
        governance(t, "remove_rule")
    }
    pub fn set_policy(t: AccountId, _: u16, _: u32) -> Result<()> {
        governance(t, "set_policy")
    }
    pub fn set_code(t: AccountId, _: Hash) -> Result<()> {
        governance(t, "set_code")
    }
    pub fn recall_lot(t: AccountId, _: LotId, _: Hash32) -> Result<()> {
        governance(t, "recall_lot")
    }
    pub fn revoke_attestation(t: AccountId, _: AttestationId, _: Hash32) -> Result<()> {
        governance(t, "revoke_attestation")
    }
    pub fn resolve_dispute(t: AccountId, _: LotId, _: bool) -> Result<()> {
        governance(t, "resolve_dispute")
    }
    pub fn release_lot(t: AccountId, _: LotId) -> Result<()> {
        governance(t, "release_lot")
    }
}

pub use real::*;

/// The one check of a message that only another contract of the deployment may call: `Ok` iff
/// the running message's caller is the `expected` contract, that is `whitelist` itself for
/// `ContractKind::Whitelist`, else the address the whitelist's directory holds for `expected`
/// (none before wiring). Otherwise `NotContract { caller, expected }`.
pub fn ensure_caller_is(whitelist: AccountId, expected: ContractKind) -> Result<()> {
    let caller = ink::env::caller::<ink::env::DefaultEnvironment>();
    let entitled = if expected == ContractKind::Whitelist { Some(whitelist) } else { contract_of(whitelist, expected) };
    if entitled == Some(caller) {
        Ok(())
    } else {
        Err(Error::NotContract { caller, expected })
    }
}

/// The body of every `Upgradeable::set_code`: only `whitelist` (executing an approved proposal)
/// may replace the calling contract's code; storage is kept.
pub fn upgrade(whitelist: AccountId, code_hash: Hash) -> Result<()> {
    ensure_caller_is(whitelist, ContractKind::Whitelist)?;
    ink::env::set_code_hash::<ink::env::DefaultEnvironment>(&code_hash).map_err(|_| Error::UpgradeFailed)
}

#[cfg(all(test, feature = "fakes"))]
mod tests {
    use super::*;
    use crate::fakes::{self, account};
    use ink::env::{test, DefaultEnvironment};

    fn as_caller(n: u8, expected: ContractKind) -> Result<()> {
        test::set_caller::<DefaultEnvironment>(account(n));
        ensure_caller_is(account(200), expected)
    }

    fn run(f: impl FnOnce()) {
        test::run_test::<DefaultEnvironment, _>(|_| {
            fakes::reset();
            f();
            Ok(())
        })
        .expect("off-chain environment");
    }

    #[test]
    fn ensure_caller_is_works() {
        run(|| {
            fakes::with(|w| w.directory = vec![(ContractKind::Registry, account(201))]);
            assert_eq!(as_caller(200, ContractKind::Whitelist), Ok(()));
            assert_eq!(as_caller(201, ContractKind::Registry), Ok(()));
        });
    }

    #[test]
    fn ensure_caller_is_fails() {
        run(|| {
            fakes::with(|w| w.directory = vec![(ContractKind::Registry, account(201))]);
            let not = |n: u8, expected| Err(Error::NotContract { caller: account(n), expected });
            assert_eq!(as_caller(201, ContractKind::Whitelist), not(201, ContractKind::Whitelist));
            assert_eq!(as_caller(200, ContractKind::Registry), not(200, ContractKind::Registry));
            // not wired yet: nobody is the sampling contract
            assert_eq!(as_caller(202, ContractKind::Sampling), not(202, ContractKind::Sampling));
        });
    }
}
