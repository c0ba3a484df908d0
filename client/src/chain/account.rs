//! Accounts from text: SS58 (any prefix, checksum checked) or 0x-hex.

use super::AccountId;
use crate::error::{ClientError, Result};

/// Parses an SS58 address or 0x-hex account. An error quotes at most [`MAX_SHOWN_ACCOUNT_LEN`]
/// characters of the text.
pub fn parse_account(s: &str) -> Result<AccountId> {
    let bad = |what: &str| ClientError::Input(format!("{}: {what}", s.chars().take(MAX_SHOWN_ACCOUNT_LEN).collect::<String>()));
    if let Some(h) = s.strip_prefix("0x") {
        let b = hex::decode(h).map_err(|_| bad("not a hex account"))?;
        let arr: [u8; 32] = b.try_into().map_err(|_| bad("an account is 32 bytes"))?;
        return Ok(AccountId::from(arr));
    }
    // Decoded here rather than by `AccountId32::from_str`: its base58 decoder panics on text
    // with several leading '1's (found by the `deployment` fuzz target).
    let bad = || bad("not an SS58 address");
    if s.len() > MAX_SS58_LEN {
        return Err(bad());
    }
    let bytes = bs58::decode(s).into_vec().map_err(|_| bad())?;
    // a 1-byte prefix (0..=63) or a 2-byte one (first byte 0b01xx_xxxx), 32 bytes, 2 of checksum
    let prefix = match (bytes.len(), bytes.first()) {
        (35, Some(b)) if *b < 64 => 1,
        (36, Some(b)) if b & 0xc0 == 0x40 => 2,
        _ => return Err(bad()),
    };
    let (body, check) = bytes.split_at(bytes.len() - 2);
    use blake2::Digest;
    let hash = blake2::Blake2b512::new().chain_update(b"SS58PRE").chain_update(body).finalize();
    if hash[..2] != *check {
        return Err(bad());
    }
    let arr: [u8; 32] = body[prefix..].try_into().map_err(|_| bad())?;
    Ok(AccountId::from(arr))
}

/// Longest SS58 text of an account: a 2-byte prefix, 32 bytes and 2 of checksum take 50 base58
/// characters at most.
pub const MAX_SS58_LEN: usize = 50;

/// Longest part of a rejected account text that an error quotes: a whole hex account ("0x" and
/// 64 digits) and a little more, so that a huge value does not flood the message.
pub const MAX_SHOWN_ACCOUNT_LEN: usize = 72;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fmt::ss58;
    #[test]
    fn parse_account_works() {
        // //Alice, as SS58 (prefix 42) and as hex
        let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
        let a = parse_account(alice).unwrap();
        assert_eq!(ss58(&a), alice);
        assert_eq!(parse_account(&format!("0x{}", hex::encode(<AccountId as AsRef<[u8]>>::as_ref(&a)))).unwrap(), a);
    }

    #[test]
    fn parse_account_fails() {
        let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ"; // checksum off
        for bad in [alice, "", "1", "111111", &"1".repeat(300), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ", "0OIl", "0x12"] {
            assert!(matches!(parse_account(bad), Err(ClientError::Input(_))), "{bad:?}");
        }
        for long in ["1".repeat(10_000), format!("0x{}", "ab".repeat(10_000))] {
            let e = parse_account(&long).unwrap_err().to_string();
            assert!(e.len() < MAX_SHOWN_ACCOUNT_LEN + 60, "the error quotes the whole text: {} bytes", e.len());
        }
    }
}
