//! Cross-contract interfaces. Each contract implements its trait with `#[ink(message)]`s and
//! callers reach it through `ink::contract_ref!(Trait)` on a stored address, never by importing
//! the callee's crate. Calls run one way: whitelist <- sampling <- registry <- attestation, plus
//! the whitelist executing governance actions on the others. Messages that change another
//! contract's state check that the caller is the contract entitled to it, with the one
//! [`crate::calls::ensure_caller_is`].

use crate::ids::*;
use crate::types::*;
use ink::primitives::{AccountId, Hash};

/// What the whitelist answers about members.
#[ink::trait_definition]
pub trait WhitelistApi {
    /// The role of `who`, if it is a member (merchants included).
    #[ink(message)]
    fn role_of(&self, who: AccountId) -> Option<Role>;

    /// The merchant record of `who`.
    #[ink(message)]
    fn merchant(&self, who: AccountId) -> Option<Merchant>;

    /// Whether `who` is an active merchant allowed to register `gtin` (one of its GS1 prefixes).
    #[ink(message)]
    fn may_register_gtin(&self, who: AccountId, gtin: Gtin) -> bool;

    /// `Ok` iff `who` is an active merchant that may register a product of `gtin` under
    /// `brand` (one of its GS1 prefixes, one of its authorised brands); else the specific error.
    #[ink(message)]
    fn check_product(&self, who: AccountId, gtin: Gtin, brand: ink::prelude::vec::Vec<u8>) -> Result<()>;

    /// When `who`'s accreditation ends, if it is an agency accredited for `category` now;
    /// otherwise the specific error.
    #[ink(message)]
    fn check_agency(&self, who: AccountId, category: Category) -> Result<Timestamp>;

    /// The address of a contract of the deployment.
    #[ink(message)]
    fn contract_of(&self, kind: ContractKind) -> Option<AccountId>;
}

/// Code upgrades, callable only by the whitelist executing an approved proposal.
#[ink::trait_definition]
pub trait Upgradeable {
    /// Replaces the contract's code with `code_hash`, keeping storage.
    #[ink(message)]
    fn set_code(&mut self, code_hash: Hash) -> Result<()>;
}

/// What the sampling contract offers to the registry, the attestation contract and governance.
#[ink::trait_definition]
pub trait SamplingApi {
    /// Registry only: fixes the lot's epoch and rate at registration.
    #[ink(message)]
    fn record_lot(
        &mut self,
        lot: LotId,
        merchant: AccountId,
        category: Category,
        origin: CountryCode,
        tier: MerchantTier,
    ) -> Result<()>;

    /// Registry only: `record_lot` for each of `lots` (lot, category, origin), all of one
    /// `merchant` of `tier`, in one call (at most `MAX_LOTS_PER_BATCH`). All or nothing.
    #[ink(message)]
    fn record_lots(
        &mut self,
        merchant: AccountId,
        tier: MerchantTier,
        lots: ink::prelude::vec::Vec<(LotId, Category, CountryCode)>,
    ) -> Result<()>;

    /// The lot's selection status.
    #[ink(message)]
    fn selection(&self, lot: LotId) -> Selection;

    /// Attestation only: risk feedback from an inspection of `merchant`'s lot.
    #[ink(message)]
    fn record_inspection(&mut self, merchant: AccountId, result: InspectionResult) -> Result<()>;

    /// Whitelist (governance) only: sets a rule.
    #[ink(message)]
    fn set_rule(&mut self, key: RuleKey, rate_bps: u16) -> Result<()>;

    /// Whitelist (governance) only: removes a rule.
    #[ink(message)]
    fn remove_rule(&mut self, key: RuleKey) -> Result<()>;

    /// Whitelist (governance) only: sets the default rate and the risk feedback bound.
    #[ink(message)]
    fn set_policy(&mut self, default_rate_bps: u16, passes_to_clear: u32) -> Result<()>;
}

/// What the registry offers to the attestation contract.
#[ink::trait_definition]
pub trait RegistryApi {
    /// A lot.
    #[ink(message)]
    fn lot(&self, id: LotId) -> Option<Lot>;

    /// A product.
    #[ink(message)]
    fn product(&self, gtin: Gtin) -> Option<Product>;

    /// A factory.
    #[ink(message)]
    fn factory(&self, id: FactoryId) -> Option<Factory>;

    /// Attestation only: moves a lot to `to` (Held, Released, Cleared) as an attestation's effect.
    #[ink(message)]
    fn apply_status(&mut self, lot: LotId, to: LotStatus) -> Result<()>;
}

/// What governance may do to lots.
#[ink::trait_definition]
pub trait RegistryGovernance {
    /// Whitelist (governance) only: recalls a lot with the hash of the recall notice.
    #[ink(message)]
    fn recall_by_governance(&mut self, lot: LotId, reason_hash: Hash32) -> Result<()>;

    /// Whitelist (governance) only: moves a held lot to `Released` (`Action::ReleaseHold`, or
    /// a dispute released by `Action::ResolveDispute`).
    #[ink(message)]
    fn release_by_governance(&mut self, lot: LotId) -> Result<()>;
}

/// What governance may do to attestations.
#[ink::trait_definition]
pub trait AttestationGovernance {
    /// Whitelist (governance) only: revokes an attestation.
    #[ink(message)]
    fn revoke_by_governance(&mut self, id: AttestationId, reason_hash: Hash32) -> Result<()>;

    /// Whitelist (governance) only: decides the open dispute of `lot` (`release`: release it,
    /// which needs a valid passing re-test, and the whitelist then releases a held lot in the
    /// registry; else confirm the hold).
    #[ink(message)]
    fn resolve_dispute(&mut self, lot: LotId, release: bool) -> Result<()>;
}
