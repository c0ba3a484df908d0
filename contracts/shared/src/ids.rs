//! Identifiers: GTIN-14 with its check digit, ISO 3166-1 country codes, GS1 lot and serial
//! strings, and the hashes that derive lot and item IDs from them.

use crate::bounds::*;
use alloc::vec::Vec;
use ink::env::hash::{Blake2x128, Blake2x256, HashOutput};

/// A 32-byte Blake2b-256 digest (document hashes, IDs).
pub type Hash32 = [u8; 32];
/// ID of a lot: `blake2_256("tracepass/lot" ++ gtin14 ++ lot number)`.
pub type LotId = Hash32;
/// Digital ID of one item: `blake2_256("tracepass/item" ++ gtin14 ++ len(lot) ++ lot ++ serial)`.
pub type ItemId = Hash32;
/// ID of a registered factory (sequential, from 1).
pub type FactoryId = u32;
/// ID of an attestation (sequential, from 1).
pub type AttestationId = u64;
/// ID of a governance proposal (sequential, from 1).
pub type ProposalId = u64;
/// Product category code (the marketplace's category tree, e.g. 1001 = infant formula).
pub type Category = u32;
/// A day as `YYYYMMDD` (GS1 dates are days, not instants).
pub type Date = u32;

/// Blake2b-256 of `data` (the chain's own hash function, so contracts pay the host's price).
pub fn blake2_256(data: &[u8]) -> [u8; 32] {
    let mut out = <Blake2x256 as HashOutput>::Type::default();
    ink::env::hash_bytes::<Blake2x256>(data, &mut out);
    out
}

/// Blake2b-128 of `data` (Merkle nodes: half the proof size of 256-bit nodes, 128-bit
/// second-preimage resistance).
pub fn blake2_128(data: &[u8]) -> [u8; 16] {
    let mut out = <Blake2x128 as HashOutput>::Type::default();
    ink::env::hash_bytes::<Blake2x128>(data, &mut out);
    out
}

/// Why a GTIN was rejected.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum GtinError {
    /// Not 8, 12, 13 or 14 characters long.
    WrongLength,
    /// A character other than an ASCII digit.
    NotDigits,
    /// The last digit is not the GS1 mod-10 check digit of the others.
    BadCheckDigit,
}

/// A GTIN normalised to 14 ASCII digits (GTIN-8/12/13 are left-padded with zeros), check digit
/// verified. The only way to make one from outside input is [`Gtin::parse`].
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gtin(pub [u8; 14]);

/// The GS1 mod-10 check digit of `digits` (ASCII, without the check digit).
pub fn gs1_check_digit(digits: &[u8]) -> u8 {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let v = u32::from(d.wrapping_sub(b'0'));
        sum = sum.wrapping_add(if i % 2 == 0 { v.wrapping_mul(3) } else { v });
    }
    let check = 10u32.wrapping_sub(sum % 10) % 10;
    b'0'.wrapping_add(u8::try_from(check).unwrap_or(0))
}

impl Gtin {
    /// Parses a GTIN-8, -12, -13 or -14 and normalises it to 14 digits.
    pub fn parse(input: &[u8]) -> Result<Gtin, GtinError> {
        if !matches!(input.len(), 8 | 12 | 13 | 14) {
            return Err(GtinError::WrongLength);
        }
        if !input.iter().all(u8::is_ascii_digit) {
            return Err(GtinError::NotDigits);
        }
        let (body, check) = input.split_at(input.len().saturating_sub(1));
        if gs1_check_digit(body) != check[0] {
            return Err(GtinError::BadCheckDigit);
        }
        let mut out = [b'0'; 14];
        out[14usize.saturating_sub(input.len())..].copy_from_slice(input);
        Ok(Gtin(out))
    }

    /// A stored value is only valid if it is still 14 digits with a correct check digit.
    pub fn is_valid(&self) -> bool {
        Gtin::parse(&self.0).is_ok()
    }

    /// The 14 digits.
    pub fn as_bytes(&self) -> &[u8; 14] {
        &self.0
    }

    /// True if the GTIN is allocated under the GS1 company `prefix` (digits). The prefix is
    /// matched after the GTIN-14 indicator digit, as GS1 allocates it.
    pub fn has_company_prefix(&self, prefix: &[u8]) -> bool {
        prefix.len() <= 12 && self.0.get(1..prefix.len().saturating_add(1)) == Some(prefix)
    }
}

#[cfg(feature = "std")]
impl core::fmt::Display for Gtin {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(core::str::from_utf8(&self.0).unwrap_or("??????????????"))
    }
}

/// Officially assigned ISO 3166-1 alpha-2 codes, concatenated.
const ISO_3166_ALPHA2: &[u8] = b"ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIMINIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";

/// An ISO 3166-1 alpha-2 country code (upper case, officially assigned).
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CountryCode(pub [u8; 2]);

impl CountryCode {
    /// Parses a two-letter code; lower case is accepted and upper-cased.
    pub fn parse(input: &[u8]) -> Option<CountryCode> {
        if input.len() != 2 {
            return None;
        }
        let code = [input[0].to_ascii_uppercase(), input[1].to_ascii_uppercase()];
        ISO_3166_ALPHA2
            .chunks_exact(2)
            .any(|c| c == code)
            .then_some(CountryCode(code))
    }

    /// A stored value is valid if it is an assigned code.
    pub fn is_valid(&self) -> bool {
        CountryCode::parse(&self.0) == Some(*self)
    }
}

#[cfg(feature = "std")]
impl core::fmt::Display for CountryCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(core::str::from_utf8(&self.0).unwrap_or("??"))
    }
}

/// A UN/LOCODE: an assigned ISO 3166-1 country code in upper case, then three upper-case
/// letters or digits 2-9 (UN/LOCODE leaves out 0 and 1, which read as O and I). The rule of the
/// attestation contract's customs ports.
pub fn is_un_locode(code: &[u8]) -> bool {
    code.len() == UN_LOCODE_LEN
        && CountryCode::parse(&code[..2]).is_some_and(|c| c.0[..] == code[..2])
        && code[2..].iter().all(|c| matches!(c, b'A'..=b'Z' | b'2'..=b'9'))
}

/// True for the characters GS1 allows in AI (10) lot and AI (21) serial values ("CSET 82").
pub fn is_gs1_cset82(c: u8) -> bool {
    matches!(c,
        b'!' | b'"' | b'%'..=b'/' | b'0'..=b'9' | b':'..=b'?' | b'A'..=b'Z' | b'_' | b'a'..=b'z')
}

/// Why a lot number or serial was rejected.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum Gs1StringError {
    /// Empty.
    Empty,
    /// Longer than 20 characters.
    TooLong,
    /// A character outside GS1's CSET 82.
    BadCharacter,
}

/// Checks a GS1 AI (10) lot number or AI (21) serial: 1 to `max` characters of CSET 82.
pub fn check_gs1_string(value: &[u8], max: usize) -> Result<(), Gs1StringError> {
    if value.is_empty() {
        return Err(Gs1StringError::Empty);
    }
    if value.len() > max {
        return Err(Gs1StringError::TooLong);
    }
    if !value.iter().all(|c| is_gs1_cset82(*c)) {
        return Err(Gs1StringError::BadCharacter);
    }
    Ok(())
}

/// Checks a lot number against GS1 AI (10).
pub fn check_lot_number(lot: &[u8]) -> Result<(), Gs1StringError> {
    check_gs1_string(lot, MAX_LOT_LEN)
}

/// Checks a serial against GS1 AI (21).
pub fn check_serial(serial: &[u8]) -> Result<(), Gs1StringError> {
    check_gs1_string(serial, MAX_SERIAL_LEN)
}

/// Checks a GS1 company prefix: `MIN_GS1_PREFIX_LEN` to `MAX_GS1_PREFIX_LEN` digits.
pub fn check_gs1_prefix(prefix: &[u8]) -> bool {
    (MIN_GS1_PREFIX_LEN..=MAX_GS1_PREFIX_LEN).contains(&prefix.len())
        && prefix.iter().all(u8::is_ascii_digit)
}

/// True if some GTIN could fall under both prefixes: they are equal, or one is a leading part
/// of the other. No two merchants may hold overlapping prefixes.
pub fn prefixes_overlap(a: &[u8], b: &[u8]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// The leading parts of `prefix` that are prefixes themselves (`MIN_GS1_PREFIX_LEN` digits or
/// more), shortest first, `prefix` itself last: the keys under which an owned prefix that
/// covers it would be found.
pub fn prefix_stems(prefix: &[u8]) -> impl Iterator<Item = &[u8]> {
    (MIN_GS1_PREFIX_LEN..=prefix.len()).map(move |n| &prefix[..n])
}

/// Checks an HS code: 6 to 10 digits.
pub fn check_hs_code(code: &[u8]) -> bool {
    (MIN_HS_CODE_LEN..=MAX_HS_CODE_LEN).contains(&code.len()) && code.iter().all(u8::is_ascii_digit)
}

/// Checks a `YYYYMMDD` date (month 1..=12, day 1..=31, year 2000..=2199).
pub fn check_date(d: Date) -> bool {
    let (y, m, day) = (d / 10_000, (d / 100) % 100, d % 100);
    (2000..=2199).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&day)
}

/// The ID of lot `lot` of product `gtin`.
pub fn lot_id(gtin: &Gtin, lot: &[u8]) -> LotId {
    let mut buf = Vec::with_capacity(64);
    buf.extend_from_slice(b"tracepass/lot");
    buf.extend_from_slice(&gtin.0);
    buf.extend_from_slice(lot);
    blake2_256(&buf)
}

/// The digital ID of one item: the hash of (GTIN, lot, serial). The lot's length is included so
/// that no (lot, serial) pair can be re-split into another.
pub fn item_id(gtin: &Gtin, lot: &[u8], serial: &[u8]) -> ItemId {
    let mut buf = Vec::with_capacity(14 + 14 + 1 + MAX_LOT_LEN + MAX_SERIAL_LEN);
    buf.extend_from_slice(b"tracepass/item");
    buf.extend_from_slice(&gtin.0);
    buf.push(u8::try_from(lot.len()).unwrap_or(u8::MAX));
    buf.extend_from_slice(lot);
    buf.extend_from_slice(serial);
    blake2_256(&buf)
}

/// Bytes of an item's secret salt (64 bits).
pub const SALT_LEN: usize = 8;

/// An item's secret salt: known only to its merchant and to whoever holds the item's code.
pub type Salt = [u8; SALT_LEN];

/// The digital ID of one salted item: the hash of (GTIN, lot, serial, salt), under its own tag
/// and with the serial's length, so that no salted ID equals an unsalted one or another split.
/// Without the salt nobody can compute the ID, so nobody can build a lot's tree from its
/// serials (sequential ones included) and mint proofs for items they have never seen.
pub fn salted_item_id(gtin: &Gtin, lot: &[u8], serial: &[u8], salt: &Salt) -> ItemId {
    let mut buf = Vec::with_capacity(16 + 14 + 2 + MAX_LOT_LEN + MAX_SERIAL_LEN + SALT_LEN);
    buf.extend_from_slice(b"tracepass/salted");
    buf.extend_from_slice(&gtin.0);
    buf.push(u8::try_from(lot.len()).unwrap_or(u8::MAX));
    buf.extend_from_slice(lot);
    buf.push(u8::try_from(serial.len()).unwrap_or(u8::MAX));
    buf.extend_from_slice(serial);
    buf.extend_from_slice(salt);
    blake2_256(&buf)
}

/// The ID of an item as its code names it: salted when the code carries a salt
/// ([`salted_item_id`]), else the unsalted [`item_id`] of lots registered before salts.
pub fn item_id_of(gtin: &Gtin, lot: &[u8], serial: &[u8], salt: Option<&Salt>) -> ItemId {
    match salt {
        Some(salt) => salted_item_id(gtin, lot, serial, salt),
        None => item_id(gtin, lot, serial),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salted_item_id_works() {
        let g = Gtin::parse(b"10614141000415").unwrap();
        let a = salted_item_id(&g, b"L1", b"SN1", &[1; SALT_LEN]);
        assert_ne!(a, salted_item_id(&g, b"L1", b"SN1", &[2; SALT_LEN]), "the salt counts");
        assert_ne!(a, item_id(&g, b"L1", b"SN1"), "salted is not unsalted");
        // the serial's length is hashed: (serial, salt) cannot be re-split
        let mut longer = b"SN1".to_vec();
        longer.push(1);
        let mut salt = [1; SALT_LEN];
        salt[SALT_LEN - 1] = 7;
        assert_ne!(salted_item_id(&g, b"L1", &longer, &salt), a);
        assert_eq!(item_id_of(&g, b"L1", b"SN1", Some(&[1; SALT_LEN])), a);
        assert_eq!(item_id_of(&g, b"L1", b"SN1", None), item_id(&g, b"L1", b"SN1"));
    }

    #[test]
    fn gtin_parse_works() {
        // EAN-13 of a real-world style product, normalised to 14 digits.
        assert_eq!(Gtin::parse(b"4006381333931").unwrap().0, *b"04006381333931");
        assert_eq!(Gtin::parse(b"96385074").unwrap().0, *b"00000096385074");
        assert_eq!(Gtin::parse(b"036000291452").unwrap().0, *b"00036000291452");
        assert_eq!(Gtin::parse(b"10614141000415").unwrap().0, *b"10614141000415");
    }

    #[test]
    fn gtin_parse_fails() {
        assert_eq!(Gtin::parse(b"4006381333932"), Err(GtinError::BadCheckDigit));
        assert_eq!(Gtin::parse(b"400638133393"), Err(GtinError::BadCheckDigit));
        assert_eq!(Gtin::parse(b"40063813339"), Err(GtinError::WrongLength));
        assert_eq!(Gtin::parse(b"40063813339a"), Err(GtinError::NotDigits));
        assert_eq!(Gtin::parse(b""), Err(GtinError::WrongLength));
    }

    #[test]
    fn company_prefix_works() {
        let g = Gtin::parse(b"10614141000415").unwrap();
        assert!(g.has_company_prefix(b"0614141"));
        assert!(!g.has_company_prefix(b"0614142"));
    }

    #[test]
    fn prefixes_overlap_works() {
        assert!(prefixes_overlap(b"0614141", b"0614141"));
        assert!(prefixes_overlap(b"061414", b"0614141"));
        assert!(prefixes_overlap(b"0614141", b"061414"));
        assert!(!prefixes_overlap(b"0614141", b"0614142"));
        assert!(!prefixes_overlap(b"0614141", b"06141420"));
        let stems: Vec<&[u8]> = prefix_stems(b"06141412").collect();
        assert_eq!(stems, [&b"061414"[..], b"0614141", b"06141412"]);
        assert_eq!(prefix_stems(b"06141").count(), 0, "shorter than a prefix: no stems");
        assert!(!check_gs1_prefix(b"00000"), "5 digits would cover a national range");
        assert!(check_gs1_prefix(b"000000") && check_gs1_prefix(b"123456789012"));
        assert!(!check_gs1_prefix(b"1234567890123"));
    }

    #[test]
    fn country_works() {
        assert_eq!(CountryCode::parse(b"nz"), Some(CountryCode(*b"NZ")));
        assert_eq!(CountryCode::parse(b"XX"), None);
        assert_eq!(CountryCode::parse(b"N"), None);
        assert!(CountryCode(*b"CN").is_valid());
        assert!(!CountryCode(*b"cn").is_valid());
    }

    #[test]
    fn gs1_strings_work() {
        assert!(check_serial(b"SN-000001").is_ok());
        assert_eq!(check_serial(b""), Err(Gs1StringError::Empty));
        assert_eq!(check_serial(&[b'1'; 21]), Err(Gs1StringError::TooLong));
        assert_eq!(check_serial(b"a b"), Err(Gs1StringError::BadCharacter));
        assert_eq!(check_lot_number(b"L#1"), Err(Gs1StringError::BadCharacter));
        assert!(check_date(20261122));
        assert!(!check_date(20261322));
    }

    #[test]
    fn un_locode_works() {
        assert!(is_un_locode(b"NZAKL"));
        assert!(is_un_locode(b"CNSH2"));
        assert!(is_un_locode(b"DE9ZB"));
    }

    #[test]
    fn un_locode_fails() {
        // UN/LOCODE uses digits 2-9 only; lower case, unassigned countries and other lengths fail
        assert!(!is_un_locode(b"NZAK1"));
        assert!(!is_un_locode(b"NZAK0"));
        assert!(!is_un_locode(b"nzakl"));
        assert!(!is_un_locode(b"NZakl"));
        assert!(!is_un_locode(b"XXAKL"));
        assert!(!is_un_locode(b"NZAK"));
        assert!(!is_un_locode(b"NZAKLX"));
        assert!(!is_un_locode(b""));
        assert!(!is_un_locode(b"NZ-AK"));
    }

    #[test]
    fn ids_are_distinct() {
        let g = Gtin::parse(b"4006381333931").unwrap();
        assert_ne!(item_id(&g, b"AB", b"C"), item_id(&g, b"A", b"BC"));
        assert_ne!(lot_id(&g, b"A"), lot_id(&g, b"B"));
    }
}
