//! The four contracts' events as the indexer decodes them.
//!
//! Each event is declared here once with its fields in the contract's order and the types the
//! contract writes, all from `tracepass-shared`, so SCALE decoding is typed. An event is named
//! by its signature topic through the deployment file (which took the topics from the bundles'
//! metadata); [`FIELDS`] lists every declaration's field names and type names, and the
//! end-to-end suite checks them against the bundles' metadata, so a contract whose event
//! changed cannot be decoded silently wrong. Bytes that do not decode completely are an error
//! ([`decode`]), never a skipped event.

use crate::chain::AccountId;
use parity_scale_codec::Decode;
use tracepass_shared::{
    Action, AgencyScope, Attestation, AttestationId, BlockNumber, ContractKind, CountryCode, DisputeOutcome, FactoryId, Gtin, Hash32, LotId,
    LotInput, LotStatus, MerchantStatus, MerchantTier, ProductInput, ProposalId, Risk, Role, RuleKey, TraceEvent,
};

macro_rules! events {
    ($( $contract:literal $name:ident { $( $field:ident : $ty:ty ),* $(,)? } )*) => {
        $(
            #[doc = concat!("`", $contract, ".", stringify!($name), "`.")]
            #[derive(Debug, Clone, PartialEq, Eq, Decode)]
            #[allow(missing_docs)]
            pub struct $name { $( pub $field: $ty ),* }
        )*

        /// A decoded contract event.
        #[derive(Debug, Clone, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum Event { $( $name($name) ),* }

        /// Every event this indexer decodes: `("contract.Label", [(field, type name)])`, the type
        /// name as the contracts' metadata shows it (the outer type's last path segment).
        pub const FIELDS: &[(&str, &[(&str, &str)])] = &[
            $( (concat!($contract, ".", stringify!($name)), &[ $( (stringify!($field), stringify!($ty)) ),* ]) ),*
        ];

        /// Decodes the data of the event named `name` (`contract.Label`). `Ok(None)`: not an
        /// event this indexer knows (kept raw); `Err`: known, but the bytes are not its layout.
        pub fn decode(name: &str, data: &[u8]) -> Result<Option<Event>, String> {
            match name {
                $(
                    concat!($contract, ".", stringify!($name)) => {
                        let input = &mut &data[..];
                        let ev = $name::decode(input).map_err(|e| format!("{name}: {e}"))?;
                        if !input.is_empty() {
                            return Err(format!("{name}: {} bytes left over", input.len()));
                        }
                        Ok(Some(Event::$name(ev)))
                    }
                )*
                _ => Ok(None),
            }
        }
    };
}

events! {
    "whitelist" ProposalCreated { id: ProposalId, proposer: AccountId, action: Action, expires_at: BlockNumber }
    "whitelist" ProposalApproved { id: ProposalId, governor: AccountId, approvals: u32 }
    "whitelist" ProposalExecuted { id: ProposalId, executor: AccountId }
    "whitelist" MemberAdded { account: AccountId, role: Role }
    "whitelist" MemberRemoved { account: AccountId, role: Role }
    "whitelist" AgencyScopeSet { account: AccountId, scope: AgencyScope }
    "whitelist" ThresholdChanged { old: u8, new: u8 }
    "whitelist" CodeUpgraded { target: ContractKind, code_hash: ink::primitives::Hash }
    "whitelist" MerchantAdded { account: AccountId, by: AccountId, tier: MerchantTier }
    "whitelist" MerchantTierChanged { account: AccountId, by: AccountId, tier: MerchantTier }
    "whitelist" MerchantStatusChanged { account: AccountId, by: AccountId, status: MerchantStatus, reason_hash: Option<Hash32> }
    "whitelist" ContractsWired { registry: AccountId, sampling: AccountId, attestation: AccountId }
    "whitelist" DisplayNameSet { account: AccountId, name: Vec<u8> }
    "whitelist" MerchantBrandsSet { account: AccountId, brands: Vec<Vec<u8>> }
    "whitelist" SuspensionConfirmed { account: AccountId }
    "registry" FactoryRegistered { id: FactoryId, merchant: AccountId, country: CountryCode }
    "registry" ProductRegistered { gtin: Gtin, merchant: AccountId, info: ProductInput }
    "registry" LotRegistered { lot: LotId, gtin: Gtin, merchant: AccountId, info: LotInput }
    "registry" TraceEventAdded { lot: LotId, actor: AccountId, index: u32, event: TraceEvent }
    "registry" LotStatusChanged { lot: LotId, from: LotStatus, to: LotStatus }
    "registry" LotRecalled { lot: LotId, by: AccountId, reason_hash: Hash32 }
    "registry" FactoryNamed { factory: FactoryId, name: Vec<u8> }
    "sampling" RuleSet { key: RuleKey, rate_bps: u16 }
    "sampling" RuleRemoved { key: RuleKey }
    "sampling" PolicySet { default_rate_bps: u16, passes_to_clear: u32 }
    "sampling" LotRecorded { lot: LotId, epoch: u32, rate_bps: u16, rule: Option<RuleKey> }
    "sampling" RiskChanged { merchant: AccountId, risk: Risk }
    "sampling" Committed { epoch: u32, member: AccountId, hash: Hash32 }
    "sampling" Revealed { epoch: u32, member: AccountId, secret: Hash32 }
    "sampling" EpochFinalized { epoch: u32, seed: Option<Hash32>, skipped: Vec<AccountId> }
    "attestation" Attested { id: AttestationId, subject: Hash32, issuer: AccountId, attestation: Attestation }
    "attestation" Revoked { id: AttestationId, by: AccountId, reason_hash: Hash32 }
    "attestation" DisputeOpened { lot: LotId, failed: AttestationId, by: AccountId }
    "attestation" DisputeResolved { lot: LotId, outcome: DisputeOutcome, retest: Option<AttestationId> }
}

/// The name a type has in ink!'s metadata (`displayName`'s last segment): the outer type's last
/// path segment, without generic arguments (`Option<Hash32>` -> `Option`).
pub fn display_name(ty: &str) -> &str {
    let outer = ty.split('<').next().unwrap_or(ty).trim();
    outer.rsplit("::").next().unwrap_or(outer).trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use parity_scale_codec::Encode;

    #[test]
    fn decode_works() {
        let ev = ThresholdChanged { old: 1, new: 2 };
        let bytes = (1u8, 2u8).encode();
        assert_eq!(decode("whitelist.ThresholdChanged", &bytes), Ok(Some(Event::ThresholdChanged(ev))));
        assert_eq!(decode("whitelist.SomethingNew", &bytes), Ok(None));
        assert_eq!(display_name("Option<Hash32>"), "Option");
        assert_eq!(display_name("ink::primitives::Hash"), "Hash");
        assert_eq!(display_name("Vec<AccountId>"), "Vec");
        assert_eq!(FIELDS.len(), 34);
        let named = DisplayNameSet { account: AccountId::from([3; 32]), name: "Aroha Dairy".into() };
        assert_eq!(decode("whitelist.DisplayNameSet", &([3u8; 32], b"Aroha Dairy".to_vec()).encode()), Ok(Some(Event::DisplayNameSet(named))));
        let factory = FactoryNamed { factory: 7, name: vec![] };
        assert_eq!(decode("registry.FactoryNamed", &(7u32, Vec::<u8>::new()).encode()), Ok(Some(Event::FactoryNamed(factory))));
    }

    #[test]
    fn decode_fails() {
        // too short, and too long: both refused, never half-decoded
        assert!(decode("whitelist.ThresholdChanged", &[1]).is_err());
        assert!(decode("whitelist.ThresholdChanged", &[1, 2, 3]).unwrap_err().contains("1 bytes left over"));
        assert!(decode("registry.LotRegistered", &[]).is_err());
    }
}
