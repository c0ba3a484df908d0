//! How the client writes values for people: SS58 accounts, chain times, text fields, sampling
//! rules and governance actions in words. Depends only on the shared types, so every other
//! module may use it.

use ink::primitives::AccountId;
use subxt::utils::AccountId32;
use tracepass_shared::{Action, RuleKey, Timestamp};

/// The SS58 (generic prefix 42) form of an account.
pub fn ss58(a: &AccountId) -> String {
    AccountId32(*a.as_ref()).to_string()
}

/// A rule key in English words: "category 1001, origin any, tier any".
pub fn describe_rule(k: &RuleKey) -> String {
    crate::i18n::rule_text(Some(k), crate::i18n::Lang::En)
}

/// A governance action in words, accounts as SS58.
pub fn describe_action(a: &Action) -> String {
    match a {
        Action::AddMember { account, role, scope, .. } => match scope {
            Some(s) => format!("admit {} as {role:?} for categories {:?} until {}", ss58(account), s.categories, utc(s.valid_until)),
            None => format!("admit {} as {role:?}", ss58(account)),
        },
        Action::RemoveMember { account } => format!("remove member {}", ss58(account)),
        Action::SetAgencyScope { account, scope } => {
            format!("set {}'s accreditation to categories {:?} until {}", ss58(account), scope.categories, utc(scope.valid_until))
        }
        Action::SetThreshold { threshold } => format!("require {threshold} approvals"),
        Action::SetCodeHash { target, code_hash } => format!("upgrade the {target:?} contract to code {code_hash:?}"),
        Action::SetSamplingRule { key, rate_bps } => format!("sample {rate_bps} bps of lots of {}", describe_rule(key)),
        Action::RemoveSamplingRule { key } => format!("remove the sampling rule for {}", describe_rule(key)),
        Action::RevokeAttestation { id, .. } => format!("revoke attestation {id}"),
        Action::SetSamplingPolicy { default_rate_bps, passes_to_clear } => {
            format!("default sampling rate {default_rate_bps} bps; {passes_to_clear} passes lower a raised risk")
        }
        // the name quoted and escaped ({:?}): a control character cannot reach the terminal
        Action::SetDisplayName { account, name } if name.is_empty() => format!("remove the display name of {}", ss58(account)),
        Action::SetDisplayName { account, name } => format!("set the display name of {} to {:?}", ss58(account), text(name)),
        Action::AddMerchant { account, country, gs1_prefixes, brands, tier, .. } => format!(
            "onboard merchant {} of {country} as {tier:?}, GS1 prefixes {}, brands {}",
            ss58(account),
            gs1_prefixes.iter().map(|p| text(p)).collect::<Vec<_>>().join(", "),
            quoted(brands)
        ),
        Action::SetMerchantTier { account, tier } => format!("set merchant {}'s tier to {tier:?}", ss58(account)),
        Action::SetMerchantBrands { account, brands } => format!("authorise merchant {} for brands {} (only)", ss58(account), quoted(brands)),
        Action::ConfirmSuspension { account } => format!("confirm the suspension of merchant {} (it then holds until reinstated)", ss58(account)),
        Action::ReinstateMerchant { account } => format!("reinstate merchant {}", ss58(account)),
        Action::RevokeMerchant { account, .. } => format!("revoke merchant {} for good", ss58(account)),
        Action::RecallLot { lot, .. } => format!("recall lot 0x{}", hex::encode(lot)),
        Action::ResolveDispute { lot, release: true } => format!("release lot 0x{} after its passing re-test", hex::encode(lot)),
        Action::ReleaseHold { lot } => format!("release the hold of lot 0x{}", hex::encode(lot)),
        Action::ResolveDispute { lot, release: false } => format!("confirm the hold of lot 0x{} (its dispute is rejected)", hex::encode(lot)),
    }
}

/// Byte strings from the chain, each quoted and escaped, comma separated.
fn quoted(items: &[Vec<u8>]) -> String {
    items.iter().map(|b| format!("{:?}", text(b))).collect::<Vec<_>>().join(", ")
}

/// `0x` and 64 hex digits (a hash, a topic, a lot ID as the client writes them), else `None`.
pub fn parse_hex32(s: &str) -> Option<[u8; 32]> {
    hex::decode(s.strip_prefix("0x")?).ok()?.try_into().ok()
}

/// A byte string from the chain as text (lossy UTF-8: the contracts check lengths, not encoding).
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Milliseconds since the Unix epoch by this machine's clock (not the chain's: `Chain::now_ms`).
pub fn wall_clock_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// A chain timestamp (ms since the Unix epoch) as `YYYY-MM-DD hh:mm:ss UTC`.
pub fn utc(ms: Timestamp) -> String {
    const FORMAT: &[time::format_description::FormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    let secs = i64::try_from(ms / 1000).unwrap_or(i64::MAX);
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(FORMAT).ok())
        .unwrap_or_else(|| format!("{ms} ms after 1970"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_display_name_works() {
        let alice = AccountId::from([0xd4, 0x35, 0x93, 0xc7, 0x15, 0xfd, 0xd3, 0x1c, 0x61, 0x14, 0x1a, 0xbd, 0x04, 0xa9, 0x9f, 0xd6, 0x82, 0x2c, 0x85, 0x58, 0x85, 0x4c, 0xcd, 0xe3, 0x9a, 0x56, 0x84, 0xe7, 0xa5, 0x6d, 0xa2, 0x7d]);
        let set = Action::SetDisplayName { account: alice, name: "Aroha Dairy Ōtaki".as_bytes().to_vec() };
        assert_eq!(describe_action(&set), "set the display name of 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY to \"Aroha Dairy Ōtaki\"");
        let remove = Action::SetDisplayName { account: alice, name: vec![] };
        assert_eq!(describe_action(&remove), "remove the display name of 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
        // what a terminal shows is escaped, whatever the bytes
        let hostile = Action::SetDisplayName { account: alice, name: b"A\x1b[2J\nB".to_vec() };
        assert!(describe_action(&hostile).ends_with(r#""A\u{1b}[2J\nB""#), "{}", describe_action(&hostile));
    }

    #[test]
    fn utc_works() {
        assert_eq!(super::utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(super::utc(1_795_316_030_569), "2026-11-22 02:53:50 UTC");
        assert_eq!(super::utc(951_782_400_000), "2000-02-29 00:00:00 UTC");
    }
}
