//! The JSON (serde) representation of the shared records: feature `serde`, which implies `std`.
//!
//! | value                                                    | JSON                                      |
//! |----------------------------------------------------------|-------------------------------------------|
//! | `AccountId`                                              | SS58 text, generic substrate prefix 42    |
//! | hashes (`Hash32`, `LotId`, Merkle `Node`, code `Hash`)   | `"0x"` and lower-case hex                 |
//! | byte strings that are text (brand, lot number, standard, | string; bytes that are not UTF-8 are      |
//! | HS code, URI, location code, port, GS1 prefixes)         | written as U+FFFD                         |
//! | `Gtin`                                                   | its 14 digits                             |
//! | `CountryCode`                                            | its two letters                           |
//! | enums                                                    | snake_case; a unit variant is a string    |
//! |                                                          | (`"in_transit"`), any other an object     |
//! |                                                          | keyed by the variant (`{"invalid": "uri"}`)|
//! | `Option`                                                 | `null` or the value                       |
//! | `Attestation::revoked`                                   | `null` or `{"by": SS58, "reason_hash": hex}` |
//!
//! Numbers (IDs, counts, timestamps in ms, blocks, rates in bps) stay JSON numbers and struct
//! fields keep their Rust names. Reading accepts what writing produces: SS58 under any prefix,
//! hex with or without `0x`, a GTIN-8/12/13/14 with its check digit verified (normalised to 14
//! digits), two letters of a country code in either case.
//!
//! The field modules here ([`account`], [`hex`], [`text`] and the others) are for
//! `#[serde(with = "...")]`; [`ss58`] and [`to_hex`] / [`from_hex`] are for direct use.

use crate::ids::{CountryCode, Gtin, Hash32};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write as _;
use ink::primitives::AccountId;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// `"0x"` and the lower-case hex of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(2 + 2 * bytes.len());
    out.push_str("0x");
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The bytes of hex text, with or without `0x`; `None` if it is not an even number of hex digits.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text.strip_prefix("0x").unwrap_or(text).as_bytes();
    if digits.len() % 2 != 0 {
        return None;
    }
    let nibble = |c: u8| char::from(c).to_digit(16).and_then(|d| u8::try_from(d).ok());
    digits.chunks_exact(2).map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?)).collect()
}

/// SS58 addresses: `base58(prefix ++ account ++ blake2b_512("SS58PRE" ++ prefix ++ account)[..2])`.
pub mod ss58 {
    use super::*;
    use blake2::{Blake2b512, Digest};

    /// The generic substrate prefix, the one the client writes (addresses start with `5`).
    pub const GENERIC_PREFIX: u16 = 42;
    /// Longest SS58 text of a 32-byte account (36 bytes in base58 is at most 50 characters);
    /// longer text is refused before decoding.
    pub const MAX_LEN: usize = 50;

    /// Why text is not an SS58 account address.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Ss58Error {
        /// Longer than [`MAX_LEN`].
        TooLong,
        /// Not base58.
        NotBase58,
        /// Not a valid prefix followed by 32 bytes and a 2-byte checksum.
        BadFormat,
        /// The checksum does not match.
        BadChecksum,
    }

    impl core::fmt::Display for Ss58Error {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.write_str(match self {
                Ss58Error::TooLong => "too long for an SS58 address",
                Ss58Error::NotBase58 => "not base58",
                Ss58Error::BadFormat => "not an SS58 address of a 32-byte account",
                Ss58Error::BadChecksum => "SS58 checksum mismatch",
            })
        }
    }

    impl std::error::Error for Ss58Error {}

    fn checksum(body: &[u8]) -> [u8; 2] {
        let hash = Blake2b512::new().chain_update(b"SS58PRE").chain_update(body).finalize();
        [hash[0], hash[1]]
    }

    /// The address of `account` under the generic prefix 42.
    pub fn encode(account: &AccountId) -> String {
        encode_with_prefix(account, GENERIC_PREFIX)
    }

    /// The address of `account` under `prefix` (14 bits: 0..=16383; higher bits are ignored).
    pub fn encode_with_prefix(account: &AccountId, prefix: u16) -> String {
        let prefix = prefix & 0x3fff;
        let mut body = Vec::with_capacity(36);
        match u8::try_from(prefix) {
            Ok(p) if p < 64 => body.push(p),
            _ => {
                let [low, high] = prefix.to_le_bytes();
                body.push(((low & 0xfc) >> 2) | 0x40);
                body.push(high | ((low & 0x03) << 6));
            }
        }
        body.extend_from_slice(account.as_ref());
        let check = checksum(&body);
        body.extend_from_slice(&check);
        bs58::encode(body).into_string()
    }

    /// The account and prefix of an SS58 address (one- or two-byte prefix, checksum verified).
    pub fn decode_with_prefix(text: &str) -> Result<(AccountId, u16), Ss58Error> {
        if text.len() > MAX_LEN {
            return Err(Ss58Error::TooLong);
        }
        let bytes = bs58::decode(text).into_vec().map_err(|_| Ss58Error::NotBase58)?;
        let (prefix, prefix_len) = match (bytes.len(), bytes.first(), bytes.get(1)) {
            (35, Some(&b), _) if b < 64 => (u16::from(b), 1),
            (36, Some(&b0), Some(&b1)) if b0 & 0xc0 == 0x40 => {
                let low = ((b0 & 0x3f) << 2) | (b1 >> 6);
                (u16::from_le_bytes([low, b1 & 0x3f]), 2)
            }
            _ => return Err(Ss58Error::BadFormat),
        };
        let (body, check) = bytes.split_at(bytes.len().saturating_sub(2));
        if checksum(body) != check {
            return Err(Ss58Error::BadChecksum);
        }
        let account: [u8; 32] = body[prefix_len..].try_into().map_err(|_| Ss58Error::BadFormat)?;
        Ok((AccountId::from(account), prefix))
    }

    /// The account of an SS58 address under any prefix.
    pub fn decode(text: &str) -> Result<AccountId, Ss58Error> {
        decode_with_prefix(text).map(|(account, _)| account)
    }
}

/// `AccountId` as SS58 (prefix 42); reads any prefix.
pub mod account {
    use super::*;

    /// Writes the SS58 address.
    pub fn serialize<S: Serializer>(account: &AccountId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&ss58::encode(account))
    }

    /// Reads an SS58 address.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<AccountId, D::Error> {
        let text = String::deserialize(d)?;
        ss58::decode(&text).map_err(D::Error::custom)
    }
}

/// `Vec<AccountId>` as an array of SS58 addresses.
pub mod accounts {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Ss58(#[serde(with = "super::account")] AccountId);

    /// Writes the addresses.
    pub fn serialize<S: Serializer>(accounts: &[AccountId], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(accounts.iter().map(|a| Ss58(*a)))
    }

    /// Reads the addresses.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<AccountId>, D::Error> {
        Ok(Vec::<Ss58>::deserialize(d)?.into_iter().map(|a| a.0).collect())
    }
}

/// Fixed-size byte values (hashes, Merkle nodes, code hashes) as `"0x"` hex.
pub mod hex {
    use super::*;

    /// Writes `"0x"` and the hex.
    pub fn serialize<S: Serializer, T: AsRef<[u8]>>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_hex(value.as_ref()))
    }

    /// Reads hex (with or without `0x`) of exactly the value's length.
    pub fn deserialize<'de, D: Deserializer<'de>, T: for<'a> TryFrom<&'a [u8]>>(d: D) -> Result<T, D::Error> {
        let text = String::deserialize(d)?;
        let bytes = from_hex(&text).ok_or_else(|| D::Error::custom("not hex"))?;
        T::try_from(&bytes[..]).map_err(|_| D::Error::custom(format_args!("wrong length: {} bytes", bytes.len())))
    }
}

/// `Option<Hash32>` as `null` or `"0x"` hex.
pub mod hex_opt {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Hex(#[serde(with = "super::hex")] Hash32);

    /// Writes `null` or the hex.
    pub fn serialize<S: Serializer>(value: &Option<Hash32>, s: S) -> Result<S::Ok, S::Error> {
        value.map(Hex).serialize(s)
    }

    /// Reads `null` or hex.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Hash32>, D::Error> {
        Ok(Option::<Hex>::deserialize(d)?.map(|h| h.0))
    }
}

/// Byte strings that are text as strings (lossy UTF-8 when writing).
pub mod text {
    use super::*;

    /// Writes the text; bytes that are not UTF-8 become U+FFFD.
    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&String::from_utf8_lossy(bytes))
    }

    /// Reads a string's bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        Ok(String::deserialize(d)?.into_bytes())
    }
}

/// Lists of text byte strings (a merchant's GS1 prefixes) as arrays of strings.
pub mod texts {
    use super::*;

    /// Writes the strings (lossy UTF-8).
    pub fn serialize<S: Serializer>(list: &[Vec<u8>], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(list.iter().map(|b| String::from_utf8_lossy(b)))
    }

    /// Reads the strings' bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Vec<u8>>, D::Error> {
        Ok(Vec::<String>::deserialize(d)?.into_iter().map(String::into_bytes).collect())
    }
}

/// `Attestation::revoked` (`Option<(AccountId, Hash32)>`) as `null` or
/// `{"by": SS58, "reason_hash": "0x…"}`.
pub mod revocation {
    use super::*;

    #[derive(Serialize, Deserialize)]
    struct Revocation {
        #[serde(with = "super::account")]
        by: AccountId,
        #[serde(with = "super::hex")]
        reason_hash: Hash32,
    }

    /// Writes `null` or the object.
    pub fn serialize<S: Serializer>(value: &Option<(AccountId, Hash32)>, s: S) -> Result<S::Ok, S::Error> {
        value.map(|(by, reason_hash)| Revocation { by, reason_hash }).serialize(s)
    }

    /// Reads `null` or the object.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<(AccountId, Hash32)>, D::Error> {
        Ok(Option::<Revocation>::deserialize(d)?.map(|r| (r.by, r.reason_hash)))
    }
}

/// The ASCII codes (a GTIN's digits, a country's letters) serialize as their text.
macro_rules! serialize_as_text {
    ($($t:ty),+) => {$(
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&String::from_utf8_lossy(&self.0))
            }
        }
    )+};
}
serialize_as_text!(Gtin, CountryCode);

impl<'de> Deserialize<'de> for Gtin {
    /// A GTIN-8, -12, -13 or -14 (check digit verified), normalised to 14 digits.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Gtin, D::Error> {
        let text = String::deserialize(d)?;
        Gtin::parse(text.as_bytes()).map_err(|e| D::Error::custom(format_args!("invalid GTIN {text:?}: {e:?}")))
    }
}


impl<'de> Deserialize<'de> for CountryCode {
    /// Two ASCII letters, upper-cased. Whether the code is assigned is [`CountryCode::is_valid`]'s
    /// question, not the reader's: stored values may be user-assigned (a recall's trace event
    /// carries `ZZ` when its product is unknown), and what is written must read back.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CountryCode, D::Error> {
        let text = String::deserialize(d)?;
        match text.as_bytes() {
            [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
                Ok(CountryCode([a.to_ascii_uppercase(), b.to_ascii_uppercase()]))
            }
            _ => Err(D::Error::custom(format_args!("not a two-letter country code: {text:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::*;
    use crate::types::*;
    use serde_json::{from_value, json, to_value, Value};

    /// Alice's well-known development account (sr25519 `//Alice`).
    const ALICE: [u8; 32] = [
        0xd4, 0x35, 0x93, 0xc7, 0x15, 0xfd, 0xd3, 0x1c, 0x61, 0x14, 0x1a, 0xbd, 0x04, 0xa9, 0x9f, 0xd6, 0x82, 0x2c,
        0x85, 0x58, 0x85, 0x4c, 0xcd, 0xe3, 0x9a, 0x56, 0x84, 0xe7, 0xa5, 0x6d, 0xa2, 0x7d,
    ];
    const ALICE_42: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
    const ALICE_0: &str = "15oF4uVJwmo4TdGW7VfQxNLavjCXviqxT9S1MgbjMNHr6Sp5";

    fn alice() -> AccountId {
        AccountId::from(ALICE)
    }

    /// Serialises `value`, checks the JSON, and checks that it reads back equal.
    fn round_trip<T>(value: &T, expected: Value)
    where
        T: Serialize + for<'de> Deserialize<'de> + PartialEq + core::fmt::Debug,
    {
        let got = to_value(value).expect("serialises");
        assert_eq!(got, expected);
        assert_eq!(&from_value::<T>(got).expect("reads back"), value);
    }

    #[test]
    fn ss58_works() {
        assert_eq!(ss58::encode(&alice()), ALICE_42);
        assert_eq!(ss58::encode_with_prefix(&alice(), 0), ALICE_0);
        assert_eq!(ss58::decode_with_prefix(ALICE_42), Ok((alice(), 42)));
        assert_eq!(ss58::decode_with_prefix(ALICE_0), Ok((alice(), 0)));
        // two-byte prefixes (64..=16383) read back with their prefix
        for prefix in [64u16, 255, 1284, 16383] {
            let text = ss58::encode_with_prefix(&alice(), prefix);
            assert_eq!(ss58::decode_with_prefix(&text), Ok((alice(), prefix)), "prefix {prefix}");
        }
    }

    #[test]
    fn ss58_fails() {
        let mut tampered = String::from(ALICE_42);
        tampered.replace_range(10..11, "z");
        assert_eq!(ss58::decode(&tampered), Err(ss58::Ss58Error::BadChecksum));
        assert_eq!(ss58::decode("0OIl"), Err(ss58::Ss58Error::NotBase58));
        assert_eq!(ss58::decode("5GrwvaEF5zXb26Fz9rcQpDWS57Ct"), Err(ss58::Ss58Error::BadFormat));
        assert_eq!(ss58::decode(&"1".repeat(51)), Err(ss58::Ss58Error::TooLong));
        assert_eq!(ss58::decode(&"1".repeat(50)), Err(ss58::Ss58Error::BadFormat));
        assert!(from_value::<Factory>(json!({"merchant": "0xd435", "country": "NZ", "name_hash": to_hex(&[0; 32])})).is_err());
    }

    #[test]
    fn account_and_hex_works() {
        let f = Factory { merchant: alice(), country: CountryCode(*b"NZ"), name_hash: [0xab; 32] };
        round_trip(&f, json!({ "merchant": ALICE_42, "country": "NZ", "name_hash": format!("0x{}", "ab".repeat(32)) }));
        // hex reads without 0x too, and only of the right length
        let bare = json!({ "merchant": ALICE_42, "country": "NZ", "name_hash": "ab".repeat(32) });
        assert_eq!(from_value::<Factory>(bare).unwrap(), f);
        let short = json!({ "merchant": ALICE_42, "country": "NZ", "name_hash": "0xabab" });
        assert!(from_value::<Factory>(short).is_err());
        let odd = json!({ "merchant": ALICE_42, "country": "NZ", "name_hash": "0xabc" });
        assert!(from_value::<Factory>(odd).is_err());
        assert_eq!(from_hex("0xzz"), None);
        // 16-byte Merkle nodes and ink!'s code Hash
        let root = [0x01; 16];
        assert_eq!(to_value(LotInput {
            gtin: Gtin(*b"10614141000415"),
            lot_number: b"L1".to_vec(),
            item_count: 2,
            root,
            produced_on: 20261101,
            expires_on: 20281101,
        }).unwrap()["root"], json!(format!("0x{}", "01".repeat(16))));
        let upgrade = Action::SetCodeHash { target: ContractKind::Registry, code_hash: ink::primitives::Hash::from([3; 32]) };
        round_trip(&upgrade, json!({ "set_code_hash": { "target": "registry", "code_hash": format!("0x{}", "03".repeat(32)) } }));
        let name = Action::SetDisplayName { account: alice(), name: "Aroha Dairy Ōtaki".as_bytes().to_vec() };
        round_trip(&name, json!({ "set_display_name": { "account": ALICE_42, "name": "Aroha Dairy Ōtaki" } }));
    }

    #[test]
    fn accounts_works() {
        let p = Proposal {
            action: Action::SetThreshold { threshold: 2 },
            proposer: alice(),
            approvals: vec![alice(), AccountId::from([0; 32])],
            expires_at: 10,
            executed: false,
        };
        round_trip(&p, json!({
            "action": { "set_threshold": { "threshold": 2 } },
            "proposer": ALICE_42,
            "approvals": [ALICE_42, ss58::encode(&AccountId::from([0; 32]))],
            "expires_at": 10,
            "executed": false,
        }));
    }

    #[test]
    fn text_works() {
        let p = ProductInput {
            gtin: Gtin(*b"10614141000415"),
            brand: "Aroha Dairy Ōtaki".as_bytes().to_vec(),
            category: 1001,
            origin: CountryCode(*b"NZ"),
            factory: 1,
            hs_code: b"190110".to_vec(),
            metadata_hash: [0; 32],
            uri: b"https://example.org/p/1".to_vec(),
        };
        round_trip(&p, json!({
            "gtin": "10614141000415",
            "brand": "Aroha Dairy Ōtaki",
            "category": 1001,
            "origin": "NZ",
            "factory": 1,
            "hs_code": "190110",
            "metadata_hash": to_hex(&[0; 32]),
            "uri": "https://example.org/p/1",
        }));
        // bytes that are not UTF-8 are written as U+FFFD (lossy: they do not read back)
        let bad = ProductInput { brand: vec![b'A', 0xff, b'B'], ..p };
        assert_eq!(to_value(&bad).unwrap()["brand"], json!("A\u{fffd}B"));
    }

    #[test]
    fn texts_works() {
        let m = Merchant {
            name_hash: [1; 32],
            country: CountryCode(*b"NZ"),
            gs1_prefixes: vec![b"0614141".to_vec(), b"4006381".to_vec()],
            tier: MerchantTier::Trusted,
            status: MerchantStatus::Active,
            since: 7,
        };
        round_trip(&m, json!({
            "name_hash": to_hex(&[1; 32]),
            "country": "NZ",
            "gs1_prefixes": ["0614141", "4006381"],
            "tier": "trusted",
            "status": "active",
            "since": 7,
        }));
    }

    #[test]
    fn gtin_works() {
        round_trip(&Gtin(*b"04006381333931"), json!("04006381333931"));
        // a GTIN-13 reads as its 14 digits
        assert_eq!(from_value::<Gtin>(json!("4006381333931")).unwrap(), Gtin(*b"04006381333931"));
    }

    #[test]
    fn gtin_fails() {
        assert!(from_value::<Gtin>(json!("4006381333932")).is_err(), "check digit");
        assert!(from_value::<Gtin>(json!("40063813339a")).is_err());
        assert!(from_value::<Gtin>(json!(4006381333931u64)).is_err(), "a number is not a GTIN");
    }

    #[test]
    fn country_works() {
        round_trip(&CountryCode(*b"NZ"), json!("NZ"));
        assert_eq!(from_value::<CountryCode>(json!("nz")).unwrap(), CountryCode(*b"NZ"));
        // stored user-assigned codes read back (a recall's location when its product is unknown)
        round_trip(&CountryCode(*b"ZZ"), json!("ZZ"));
    }

    #[test]
    fn country_fails() {
        assert!(from_value::<CountryCode>(json!("N")).is_err());
        assert!(from_value::<CountryCode>(json!("NZL")).is_err());
        assert!(from_value::<CountryCode>(json!("N1")).is_err());
    }

    #[test]
    fn enums_snake_case_works() {
        round_trip(&LotStatus::InTransit, json!("in_transit"));
        round_trip(&BusinessStep::CustomsClearance, json!("customs_clearance"));
        round_trip(&Selection::SeedPending, json!("seed_pending"));
        round_trip(&AttestationStatus::Valid, json!("valid"));
        round_trip(&Role::Logistics, json!("logistics"));
        round_trip(&EpochPhase::Finalizable, json!("finalizable"));
        round_trip(&GtinError::BadCheckDigit, json!("bad_check_digit"));
        round_trip(&Error::LotNotFound, json!("lot_not_found"));
        round_trip(&Error::Invalid(Field::PassesToClear), json!({ "invalid": "passes_to_clear" }));
        round_trip(&Error::Invalid(Field::DisplayName), json!({ "invalid": "display_name" }));
        round_trip(&Error::TooManyNames, json!("too_many_names"));
        round_trip(&Error::BadGs1String(Gs1StringError::TooLong), json!({ "bad_gs1_string": "too_long" }));
        round_trip(
            &Error::Unauthorized { account: alice(), role: Role::Agency },
            json!({ "unauthorized": { "account": ALICE_42, "role": "agency" } }),
        );
        round_trip(
            &Error::NotContract { caller: alice(), expected: ContractKind::Whitelist },
            json!({ "not_contract": { "caller": ALICE_42, "expected": "whitelist" } }),
        );
        round_trip(
            &Error::NotEnoughApprovals { have: 1, need: 2 },
            json!({ "not_enough_approvals": { "have": 1, "need": 2 } }),
        );
    }

    #[test]
    fn option_and_revocation_works() {
        let a = Attestation {
            claim: Claim::CustomsClearance { lot: [2; 32], port: b"NZAKL".to_vec(), declaration_hash: [3; 32], cleared_at: 5 },
            issuer: alice(),
            issued_at: 6,
            valid_until: None,
            answers: None,
            revoked: Some((alice(), [4; 32])),
        };
        round_trip(&a, json!({
            "claim": { "customs_clearance": {
                "lot": to_hex(&[2; 32]), "port": "NZAKL", "declaration_hash": to_hex(&[3; 32]), "cleared_at": 5
            } },
            "issuer": ALICE_42,
            "issued_at": 6,
            "valid_until": null,
            "answers": null,
            "revoked": { "by": ALICE_42, "reason_hash": to_hex(&[4; 32]) },
        }));
        round_trip(&Attestation { revoked: None, valid_until: Some(9), answers: Some(1), ..a.clone() }, {
            let mut v = to_value(&a).unwrap();
            v["revoked"] = Value::Null;
            v["valid_until"] = json!(9);
            v["answers"] = json!(1);
            v
        });
        let inspection = Claim::QualityInspection {
            lot: [2; 32],
            result: InspectionResult::Fail,
            standard: b"GB 2763-2021".to_vec(),
            items_sampled: 3,
            report_hash: [5; 32],
            report_uri: b"ipfs://report".to_vec(),
            inspected_at: 4,
            selected: true,
        };
        round_trip(&inspection, json!({ "quality_inspection": {
            "lot": to_hex(&[2; 32]), "result": "fail", "standard": "GB 2763-2021", "items_sampled": 3,
            "report_hash": to_hex(&[5; 32]), "report_uri": "ipfs://report", "inspected_at": 4, "selected": true
        } }));
    }

    #[test]
    fn records_round_trip_works() {
        let lot = Lot {
            info: LotInput {
                gtin: Gtin(*b"10614141000415"),
                lot_number: b"T/26.x+1&y".to_vec(),
                item_count: 2,
                root: [1; 16],
                produced_on: 20261101,
                expires_on: 20281101,
            },
            merchant: alice(),
            registered_at: 3,
            status: LotStatus::Held,
            event_count: 1,
            recall_reason: Some([9; 32]),
        };
        let v = to_value(&lot).unwrap();
        assert_eq!(v["info"]["lot_number"], json!("T/26.x+1&y"));
        assert_eq!(v["status"], json!("held"));
        assert_eq!(v["recall_reason"], json!(to_hex(&[9; 32])));
        assert_eq!(from_value::<Lot>(v).unwrap(), lot);
        let event = TraceEvent {
            step: BusinessStep::Shipping,
            actor: alice(),
            event_time: 1,
            recorded_at: 2,
            location: Location { country: CountryCode(*b"NZ"), code: b"NZAKL".to_vec() },
            document_hash: [0; 32],
        };
        round_trip(&event, json!({
            "step": "shipping", "actor": ALICE_42, "event_time": 1, "recorded_at": 2,
            "location": { "country": "NZ", "code": "NZAKL" }, "document_hash": to_hex(&[0; 32])
        }));
        let sample = LotSample {
            epoch: 4,
            rate_bps: 500,
            rule: Some(RuleKey { category: Some(1001), origin: None, tier: Some(MerchantTier::Watched) }),
            merchant: alice(),
            tier: MerchantTier::Watched,
        };
        round_trip(&sample, json!({
            "epoch": 4, "rate_bps": 500, "rule": { "category": 1001, "origin": null, "tier": "watched" },
            "merchant": ALICE_42, "tier": "watched"
        }));
        let view = EpochView {
            epoch: 1,
            opens_at: 10,
            closes_at: 20,
            reveal_deadline: 25,
            phase: EpochPhase::Final,
            committers: vec![alice()],
            revealed: vec![alice()],
            skipped: Vec::new(),
            seed: Some([7; 32]),
        };
        round_trip(&view, json!({
            "epoch": 1, "opens_at": 10, "closes_at": 20, "reveal_deadline": 25, "phase": "final",
            "committers": [ALICE_42], "revealed": [ALICE_42], "skipped": [], "seed": to_hex(&[7; 32])
        }));
        round_trip(&SamplingPolicy { default_rate_bps: 500, passes_to_clear: 3 }, json!({ "default_rate_bps": 500, "passes_to_clear": 3 }));
        round_trip(&Risk { raised: true, pass_streak: 0, failures: 1 }, json!({ "raised": true, "pass_streak": 0, "failures": 1 }));
    }
}
