//! Contract rules that import and export mirror, kept here until `tracepass-shared` has them
//! (`BusinessStep::required_role`, `tracepass_shared::is_un_locode`): then this file goes and
//! its two callers use the shared ones.

use tracepass_shared::bounds::UN_LOCODE_LEN;
use tracepass_shared::{BusinessStep, CountryCode, Role};

/// The role the registry asks for to record `step` (named when the signer has no role at all).
pub(crate) fn step_role(step: BusinessStep) -> Role {
    match step {
        BusinessStep::CustomsClearance | BusinessStep::Holding | BusinessStep::Arriving => Role::Customs,
        BusinessStep::Inspecting => Role::Agency,
        BusinessStep::Shipping | BusinessStep::Receiving | BusinessStep::Storing => Role::Logistics,
        _ => Role::Merchant,
    }
}

/// A UN/LOCODE: an assigned country code, then three upper-case letters or digits. (The
/// attestation contract takes only the digits 2-9 there; a shared rule will settle on one.)
pub(crate) fn is_un_locode(code: &[u8]) -> bool {
    code.len() == UN_LOCODE_LEN
        && CountryCode::parse(&code[..2]).is_some_and(|c| c.0[..] == code[..2])
        && code[2..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}
