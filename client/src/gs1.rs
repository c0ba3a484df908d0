//! GS1 in and out: serials files, GS1 Digital Link URIs, and the compact proof encoding they carry.

use crate::error::{ClientError, Result};
use tracepass_shared::bounds::{MAX_PROOF_LEN, MAX_SERIAL_LEN};
use tracepass_shared::merkle::Node;
use tracepass_shared::{check_lot_number, check_serial, Gtin, Salt, SALT_LEN};

/// Default resolver host of Digital Link URIs.
pub const DEFAULT_RESOLVER: &str = "id.tracepass.local";
/// Most serials one file may hold (the registry's lot bound).
pub const MAX_SERIALS: usize = tracepass_shared::bounds::MAX_LOT_ITEMS as usize;

/// Parses a GTIN from text, with a readable error.
pub fn parse_gtin(s: &str) -> Result<Gtin> {
    Gtin::parse(s.trim().as_bytes()).map_err(|e| ClientError::Input(format!("GTIN {s:?}: {e:?}")))
}

/// Checks a lot number (GS1 AI 10).
pub fn parse_lot(s: &str) -> Result<Vec<u8>> {
    check_lot_number(s.as_bytes()).map_err(|e| ClientError::Input(format!("lot {s:?}: {e:?} (GS1 AI 10: 1-20 characters of CSET 82)")))?;
    Ok(s.as_bytes().to_vec())
}

/// Parses a serials file: one serial per line (GS1 AI 21), no duplicates. Every line is checked
/// before anything is returned; the first bad line is reported with its number.
///
/// Lines are found with `memchr`, checked in parallel, and duplicates found by sorting
/// (hash, line) pairs in parallel: a million serials take tens of milliseconds.
pub fn parse_serials(text: &str) -> Result<Vec<String>> {
    use rayon::prelude::*;
    let lines = split_lines(text);
    let par = lines.len() >= PARALLEL_MIN_LINES;
    // the line after the last allowed one is checked like any other before "too many" is reported
    let checked = &lines[..lines.len().min(MAX_SERIALS + 1)];
    let invalid = |l: &&str| check_serial(l.as_bytes()).is_err();
    let bad = if par { checked.par_iter().position_first(invalid) } else { checked.iter().position(invalid) };
    let dup = first_repeat(checked, par);
    match (bad, dup) {
        (Some(i), d) if d.is_none_or(|(j, _)| i <= j) => {
            let line = checked[i];
            let e = check_serial(line.as_bytes()).err().unwrap_or(tracepass_shared::Gs1StringError::Empty);
            let shown: String = line.chars().take(MAX_SERIAL_LEN + 5).collect();
            return Err(ClientError::Input(format!(
                "line {}: serial {shown:?} is invalid ({e:?}; GS1 AI 21: 1-20 characters of CSET 82)",
                i + 1
            )));
        }
        (_, Some((j, first))) => {
            return Err(ClientError::Input(format!("line {}: serial {:?} repeats line {}", j + 1, checked[j], first + 1)));
        }
        _ => {}
    }
    if lines.len() > MAX_SERIALS {
        return Err(ClientError::Input(format!("more than {MAX_SERIALS} serials")));
    }
    if lines.is_empty() {
        return Err(ClientError::Input("the serials file has no serials".into()));
    }
    Ok(if par { lines.par_iter().map(|l| l.to_string()).collect() } else { lines.iter().map(|l| l.to_string()).collect() })
}

/// Files of fewer lines are parsed on the calling thread: handing a small file to the thread
/// pool costs more than checking it, and under load the pool's threads wait for each other
/// (the serials fuzz target ran at a third of its speed with every input sent to the pool).
pub const PARALLEL_MIN_LINES: usize = 16_384;

/// The lines of `text`, without their `\n` or `\r\n`; a final newline ends the last line.
fn split_lines(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut lines = Vec::with_capacity(b.len() / 8 + 1);
    let mut start = 0;
    let cut = |start: usize, end: usize| if end > start && b[end - 1] == b'\r' { &text[start..end - 1] } else { &text[start..end] };
    for nl in memchr::memchr_iter(b'\n', b) {
        lines.push(cut(start, nl));
        start = nl + 1;
    }
    if start < b.len() {
        lines.push(cut(start, b.len()));
    }
    lines
}

/// The first line (index) that repeats an earlier one, with that earlier line's index; in
/// parallel if `par`.
fn first_repeat(lines: &[&str], par: bool) -> Option<(usize, usize)> {
    use rayon::prelude::*;
    use std::hash::Hasher;
    let key = |(i, l): (usize, &&str)| {
        let mut h = std::hash::DefaultHasher::new();
        h.write(l.as_bytes());
        (h.finish(), i as u32)
    };
    let mut keys: Vec<(u64, u32)> =
        if par { lines.par_iter().enumerate().map(key).collect() } else { lines.iter().enumerate().map(key).collect() };
    if par {
        keys.par_sort_unstable()
    } else {
        keys.sort_unstable()
    }
    // a line whose hash equals its predecessor's is compared with every earlier line of that run
    // of equal hashes (runs are sorted by line; distinct lines share a run only on a collision)
    let repeat = |k: usize| {
        if keys[k - 1].0 != keys[k].0 {
            return None;
        }
        let j = keys[k].1 as usize;
        keys[..k].iter().rev().take_while(|a| a.0 == keys[k].0).map(|a| a.1 as usize).find(|&i| lines[i] == lines[j]).map(|i| (j, i))
    };
    if par {
        (1..keys.len()).into_par_iter().filter_map(repeat).min()
    } else {
        (1..keys.len()).filter_map(repeat).min()
    }
}

/// An item's proof: its leaf index and the sibling hashes, bottom up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proof {
    /// Leaf index (position in the serials file, from 0).
    pub index: u32,
    /// The item's secret salt (`None`: a lot registered before salts).
    pub salt: Option<Salt>,
    /// Sibling hashes.
    pub siblings: Vec<Node>,
}

/// Bytes per full chunk of the decimal proof encoding.
pub const PROOF_CHUNK_BYTES: usize = 7;
/// Decimal digits of a chunk of `k` bytes (index `k`): the fewest digits that hold 8k bits.
/// A full 7-byte chunk (2^56 < 10^17) takes 17 digits. The lengths are distinct, so the length
/// of the last, partial chunk tells how many bytes it holds.
const CHUNK_DIGITS: [usize; PROOF_CHUNK_BYTES + 1] = [0, 3, 5, 8, 10, 13, 15, 17];
/// Longest proof text accepted: LEB128 index (5 bytes), a salt and `MAX_PROOF_LEN` siblings.
pub const MAX_PROOF_TEXT: usize = (5 + SALT_LEN + 16 * MAX_PROOF_LEN).div_ceil(PROOF_CHUNK_BYTES) * 17;

impl Proof {
    /// The proof as bytes: LEB128(index), the salt if any, then the siblings (16 bytes each, so
    /// what follows the index has a length of 16k + 8 with a salt, 16k without).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(5 + SALT_LEN + 16 * self.siblings.len());
        let mut i = self.index;
        loop {
            let b = (i & 0x7f) as u8;
            i >>= 7;
            if i == 0 {
                bytes.push(b);
                break;
            }
            bytes.push(b | 0x80);
        }
        if let Some(salt) = &self.salt {
            bytes.extend_from_slice(salt);
        }
        for s in &self.siblings {
            bytes.extend_from_slice(s);
        }
        bytes
    }

    /// Compact text form: decimal digits, each 7-byte chunk of [`Proof::to_bytes`] as a 17-digit
    /// big-endian number (the last chunk with fewer digits). Digits only, so a QR code carries
    /// them in numeric mode: 3.33 bits per digit, 1.02 bits per proof bit, against 1.33 for
    /// base64 in byte mode. A million-item lot's proof is 785 digits.
    pub fn encode(&self) -> String {
        let bytes = self.to_bytes();
        let mut out = String::with_capacity(bytes.len().div_ceil(PROOF_CHUNK_BYTES) * 17);
        for chunk in bytes.chunks(PROOF_CHUNK_BYTES) {
            let mut v = 0u64;
            for b in chunk {
                v = (v << 8) | u64::from(*b);
            }
            out.push_str(&format!("{v:0width$}", width = CHUNK_DIGITS[chunk.len()]));
        }
        out
    }

    /// Parses the compact text form.
    pub fn decode(text: &str) -> Result<Proof> {
        let bad = |why: &str| ClientError::Input(format!("proof: {why}"));
        let text = text.trim();
        if text.len() > MAX_PROOF_TEXT {
            return Err(bad("too long"));
        }
        if !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad("must be decimal digits"));
        }
        let full = text.len() / 17;
        let rest = text.len() % 17;
        let last = CHUNK_DIGITS.iter().position(|d| *d == rest).ok_or_else(|| bad("truncated (bad length)"))?;
        let mut bytes = Vec::with_capacity(full * PROOF_CHUNK_BYTES + last);
        let mut put = |digits: &str, k: usize| -> Result<()> {
            let v: u64 = digits.parse().map_err(|_| bad("not a number"))?;
            if k < 8 && v >> (8 * k) != 0 {
                return Err(bad("chunk out of range"));
            }
            bytes.extend_from_slice(&v.to_be_bytes()[8 - k..]);
            Ok(())
        };
        for c in 0..full {
            put(&text[c * 17..(c + 1) * 17], PROOF_CHUNK_BYTES)?;
        }
        if last > 0 {
            put(&text[full * 17..], last)?;
        }
        let (mut index, mut shift, mut used) = (0u32, 0u32, 0usize);
        for b in &bytes {
            used += 1;
            if shift > 28 {
                return Err(bad("index too large"));
            }
            index |= ((b & 0x7f) as u32) << shift;
            shift += 7;
            if b & 0x80 == 0 {
                break;
            }
        }
        if used == 0 || bytes[used - 1] & 0x80 != 0 {
            return Err(bad("truncated index"));
        }
        let mut rest = &bytes[used..];
        let salt = match rest.len() % 16 {
            0 => None,
            SALT_LEN => {
                let (salt, siblings) = rest.split_at(SALT_LEN);
                rest = siblings;
                Some(salt.try_into().expect("8 bytes"))
            }
            _ => return Err(bad("a salt of 8 bytes and sibling hashes of 16 bytes each")),
        };
        if rest.len() / 16 > MAX_PROOF_LEN {
            return Err(bad("too many siblings"));
        }
        let siblings = rest.chunks_exact(16).map(|c| c.try_into().expect("16 bytes")).collect();
        let p = Proof { index, salt, siblings };
        if p.encode() != text {
            return Err(bad("not in canonical form"));
        }
        Ok(p)
    }
}

/// What a Digital Link URI names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitalLink {
    /// AI (01).
    pub gtin: Gtin,
    /// AI (10).
    pub lot: String,
    /// AI (21).
    pub serial: String,
    /// The `p` query parameter, if present.
    pub proof: Option<Proof>,
}

/// What a URI path segment keeps unescaped: RFC 3986's unreserved characters.
const UNRESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes every byte of `s` but RFC 3986's unreserved characters (a URI path segment).
pub fn pct_encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string()
}

/// Undoes percent-encoding; `None` when a `%` is not followed by two hex digits (the crate would
/// keep it as it is) or the result is not UTF-8.
pub fn pct_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let escapes_ok = memchr::memchr_iter(b'%', b).all(|i| b.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)));
    if !escapes_ok {
        return None;
    }
    percent_encoding::percent_decode_str(s).decode_utf8().ok().map(|t| t.into_owned())
}

/// [`pct_decode`] for a Digital Link's own segments, with the error a user sees.
fn decode_segment(s: &str) -> Result<String> {
    pct_decode(s).ok_or_else(|| ClientError::Input(format!("{s:?}: bad percent-encoding or not UTF-8")))
}

impl DigitalLink {
    /// The path `/01/GTIN14/10/LOT/21/SERIAL`, lot and serial percent-encoded: the item's
    /// uncompressed Digital Link without host and query.
    pub fn path(&self) -> String {
        format!("/01/{}/10/{}/21/{}", self.gtin, pct_encode(&self.lot), pct_encode(&self.serial))
    }

    /// The URI `https://HOST/01/GTIN14/10/LOT/21/SERIAL[?p=PROOF]`.
    pub fn uri(&self, host: &str) -> String {
        let mut u = format!("https://{host}{}", self.path());
        if let Some(p) = &self.proof {
            u.push_str("?p=");
            u.push_str(&p.encode());
        }
        u
    }

    /// Parses a Digital Link URI (any host, any path prefix before `/01/`), or its path alone.
    /// One trailing slash is tolerated (GS1-Conformant Resolver 1.2).
    pub fn parse(uri: &str) -> Result<DigitalLink> {
        let bad = |why: &str| ClientError::Input(format!("Digital Link {uri:?}: {why}"));
        // the query first: its values may hold URIs (`linkType=https://gs1.org/voc/pip`)
        let (before, query) = match uri.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (uri, None),
        };
        let path = before.split_once("://").map(|(_, r)| r).unwrap_or(before);
        let path = path.strip_suffix('/').unwrap_or(path);
        let segs: Vec<&str> = path.split('/').collect();
        let start = segs.iter().position(|s| *s == "01").ok_or_else(|| bad("no /01/{gtin}"))?;
        let segs = &segs[start..];
        if segs.len() != 6 || segs[2] != "10" || segs[4] != "21" {
            return Err(bad("expected /01/{gtin}/10/{lot}/21/{serial}"));
        }
        let gtin = parse_gtin(segs[1])?;
        let lot = decode_segment(segs[3])?;
        parse_lot(&lot)?;
        let serial = decode_segment(segs[5])?;
        check_serial(serial.as_bytes()).map_err(|e| bad(&format!("serial: {e:?}")))?;
        let mut proof = None;
        for kv in query.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
            if let Some(v) = kv.strip_prefix("p=") {
                proof = Some(Proof::decode(v)?);
            }
        }
        Ok(DigitalLink { gtin, lot, serial, proof })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_parse_works() {
        assert_eq!(parse_serials("A1\nA2\r\nA3\n").unwrap(), vec!["A1", "A2", "A3"]);
    }

    #[test]
    fn serials_parse_reports_the_first_bad_line_works() {
        // whichever comes first, a bad serial or a repeat, is the one reported
        let e = parse_serials("A1\nA1\nB 1\n").unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("repeats line 1"), "{e}");
        let e = parse_serials("A 1\nB\nB\n").unwrap_err().to_string();
        assert!(e.contains("line 1") && e.contains("invalid"), "{e}");
        let e = parse_serials("X\r\nY\r\nX\r\n").unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("repeats line 1"), "{e}");
        assert!(parse_serials("\n").unwrap_err().to_string().contains("line 1"));
        assert!(parse_serials("A1\n\n").unwrap_err().to_string().contains("line 2"));
        assert_eq!(parse_serials("A1\r\nA2").unwrap(), vec!["A1", "A2"]);
        // a large file: a repeat far from its first occurrence, and many runs of lines
        let mut text: String = (0..200_000).map(|i| format!("SN{i:08}\n")).collect();
        assert_eq!(parse_serials(&text).unwrap().len(), 200_000);
        text.push_str("SN00000007\nSN00000003\n");
        let e = parse_serials(&text).unwrap_err().to_string();
        assert!(e.contains("line 200001") && e.contains("repeats line 8"), "{e}");
    }

    #[test]
    fn serials_parse_same_on_both_paths_works() {
        // just below the threshold parses on the calling thread, at it in the pool: same answers
        for n in [PARALLEL_MIN_LINES - 1, PARALLEL_MIN_LINES] {
            let lines: Vec<String> = (0..n).map(|i| format!("P{i:07}")).collect();
            assert_eq!(parse_serials(&lines.join("\n")).unwrap(), lines);
            let mut repeat = lines.clone();
            repeat[n - 2] = lines[5].clone();
            let e = parse_serials(&repeat.join("\n")).unwrap_err().to_string();
            assert!(e.contains(&format!("line {}", n - 1)) && e.contains("repeats line 6"), "{e}");
            let mut bad = repeat.clone();
            bad[n - 3] = "P 1".into();
            let e = parse_serials(&bad.join("\n")).unwrap_err().to_string();
            assert!(e.contains(&format!("line {}", n - 2)) && e.contains("invalid"), "{e}");
        }
    }

    #[test]
    fn serials_parse_fails() {
        let e = parse_serials("A1\nA 2\nA3\n").unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        let e = parse_serials("A1\nA2\nA1\n").unwrap_err().to_string();
        assert!(e.contains("line 3") && e.contains("line 1"), "{e}");
        let e = parse_serials("A1\n\nA3").unwrap_err().to_string();
        assert!(e.contains("line 2"), "{e}");
        assert!(parse_serials("").is_err());
        let e = parse_serials(&format!("A1\n{}\n", "9".repeat(21))).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("TooLong"), "{e}");
    }

    #[test]
    fn proof_roundtrip_works() {
        for index in [0u32, 1, 127, 128, 999_999, u32::MAX] {
            let p = Proof { index, salt: None, siblings: vec![[7; 16]; 20] };
            assert_eq!(Proof::decode(&p.encode()).unwrap(), p);
            let salted = Proof { salt: Some([0, 1, 2, 3, 4, 5, 6, 0xff]), ..p };
            assert_eq!(Proof::decode(&salted.encode()).unwrap(), salted);
        }
        // a million-item proof: 20 siblings, 3 bytes of index -> 323 bytes -> 46 chunks of 17 digits + 3
        let p = Proof { index: 999_999, salt: None, siblings: vec![[0xff; 16]; 20] };
        assert_eq!(p.encode().len(), 785);
        // with its salt: 331 bytes -> 47 chunks + 2 bytes, 804 digits (19 more)
        assert_eq!(Proof { salt: Some([0xff; SALT_LEN]), ..p.clone() }.encode().len(), 804);
        assert!(p.encode().bytes().all(|b| b.is_ascii_digit()));
        for n in 0..40 {
            for salt in [None, Some([9; SALT_LEN])] {
                let p = Proof { index: 3, salt, siblings: vec![[0xff; 16]; n % 33] };
                assert_eq!(Proof::decode(&p.encode()).unwrap(), p, "{n} siblings");
            }
        }
    }

    #[test]
    fn proof_decode_fails() {
        let digits = |bytes: &[u8]| {
            let p = Proof { index: 0, salt: None, siblings: vec![] };
            // encode arbitrary bytes the way Proof::encode does
            let _ = p;
            bytes
                .chunks(PROOF_CHUNK_BYTES)
                .map(|c| format!("{:0w$}", c.iter().fold(0u64, |v, b| (v << 8) | u64::from(*b)), w = CHUNK_DIGITS[c.len()]))
                .collect::<String>()
        };
        assert!(Proof::decode("!!!").is_err());
        assert!(Proof::decode("12a").is_err());
        assert!(Proof::decode("1234").is_err(), "4 digits is no chunk length");
        assert!(Proof::decode("999").is_err(), "999 does not fit one byte");
        assert!(Proof::decode(&digits(&[0x80])).is_err(), "truncated index");
        assert!(Proof::decode(&digits(&[0u8; 5])).is_err(), "siblings not 16 bytes");
        assert!(Proof::decode(&digits(&[0u8; 1 + 16 + 7])).is_err(), "a salt of 7 bytes");
        assert!(Proof::decode(&digits(&[0u8; 1 + 8 + 16 * 33])).is_err(), "a salt and too many siblings");
        assert!(Proof::decode(&digits(&[0u8; 1 + 16 * 33])).is_err(), "too many siblings");
        assert!(Proof::decode(&digits(&[0x80, 0x80, 0x80, 0x80, 0x80, 0x01])).is_err(), "index too large");
        assert!(Proof::decode(&digits(&[0x81, 0x00])).is_err(), "non-canonical index");
        assert_eq!(Proof::decode(&digits(&[5])).unwrap(), Proof { index: 5, salt: None, siblings: vec![] });
    }

    #[test]
    fn digital_link_roundtrip_works() {
        let dl = DigitalLink {
            gtin: parse_gtin("4006381333931").unwrap(),
            lot: "L/1".into(),
            serial: "S&1".into(),
            proof: Some(Proof { index: 5, salt: Some([4; SALT_LEN]), siblings: vec![[1; 16]; 3] }),
        };
        let uri = dl.uri(DEFAULT_RESOLVER);
        assert!(uri.starts_with("https://id.tracepass.local/01/04006381333931/10/L%2F1/21/S%261?p="), "{uri}");
        assert_eq!(DigitalLink::parse(&uri).unwrap(), dl);
    }

    #[test]
    fn digital_link_parse_fails() {
        assert!(DigitalLink::parse("https://x/01/4006381333932/10/L1/21/S1").is_err());
        assert!(DigitalLink::parse("https://x/01/4006381333931/10/L1").is_err());
        // a query value that is a URI is not taken for the scheme
        assert_eq!(DigitalLink::parse("/01/4006381333931/10/L1/21/S1?linkType=https://gs1.org/voc/pip").unwrap().lot, "L1");
        // one trailing slash is tolerated, two or a further segment are not
        assert_eq!(DigitalLink::parse("https://x/01/4006381333931/10/L1/21/S1/").unwrap().serial, "S1");
        assert!(DigitalLink::parse("https://x/01/4006381333931/10/L1/21/S1//").is_err());
        assert!(DigitalLink::parse("https://x/01/4006381333931/10/L1/21/S1/foo").is_err());
        assert!(DigitalLink::parse("https://x/02/4006381333931/10/L1/21/S1").is_err());
        assert!(DigitalLink::parse("https://x/01/4006381333931/10/L1/21/S1?p=12a").is_err());
    }
}

/// Compressed GS1 Digital Links (GS1 Digital Link: Compression, as GS1's toolkit writes them): a
/// single path segment of URI-safe base64 holding the element strings in binary, optionally
/// followed by non-GS1 `key=value` pairs. Decoded here for the AIs a tracepass item uses (01,
/// 10, 21), with 17 and 22 and the optimisation codes that combine them; any other AI is refused
/// by name.
pub mod compressed {
    use crate::error::{ClientError, Result};

    /// Longest compressed segment decoded (an item's three AIs take about 40 characters).
    pub const MAX_COMPRESSED_LEN: usize = 512;
    /// Shortest: a GTIN alone (8 + 47 bits).
    pub const MIN_COMPRESSED_LEN: usize = 10;
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const HEX: &[u8; 16] = b"0123456789ABCDEF";

    /// How an AI's value is encoded (GS1 Digital Link: Compression, table F).
    enum Format {
        /// Fixed-length digits.
        Digits(usize),
        /// Variable-length characters, at most this many.
        Chars(usize),
    }

    /// The AIs decoded, with their formats.
    fn format(ai: &str) -> Option<Format> {
        match ai {
            "01" => Some(Format::Digits(14)),
            "17" => Some(Format::Digits(6)),
            "10" | "21" | "22" => Some(Format::Chars(20)),
            _ => None,
        }
    }

    /// The optimisation codes (table Opt) made only of decoded AIs.
    fn optimised(code: u8) -> Option<&'static [&'static str]> {
        match code {
            0x0A => Some(&["01", "22"]),
            0x0B => Some(&["01", "10"]),
            0x0C => Some(&["01", "21"]),
            0x0D => Some(&["01", "17"]),
            0x1A => Some(&["01", "10", "21", "17"]),
            _ => None,
        }
    }

    /// Bits for `n` decimal digits, as the standard counts them.
    fn value_bits(n: usize) -> usize {
        (n as f64 * std::f64::consts::LOG2_10 + 0.01).ceil() as usize
    }

    /// Bits for a length of at most `max`.
    fn length_bits(max: usize) -> usize {
        ((max as f64).log2() + 0.01).ceil() as usize
    }

    struct Bits {
        bits: Vec<u8>,
        at: usize,
    }

    impl Bits {
        fn left(&self) -> usize {
            self.bits.len() - self.at
        }

        fn take(&mut self, n: usize) -> Result<&[u8]> {
            if n > self.left() {
                return Err(ClientError::Input("compressed Digital Link: ends in the middle of a value".into()));
            }
            self.at += n;
            Ok(&self.bits[self.at - n..self.at])
        }

        fn uint(&mut self, n: usize) -> Result<u32> {
            Ok(self.take(n)?.iter().fold(0, |acc, b| (acc << 1) | u32::from(*b)))
        }

        /// `n` decimal digits (leading zeros kept: the length is part of the encoding).
        fn digits(&mut self, n: usize) -> Result<String> {
            // base 10^9 limbs, least significant first
            let mut limbs: Vec<u64> = vec![0];
            for b in self.take(value_bits(n))?.iter().copied() {
                let mut carry = u64::from(b);
                for l in limbs.iter_mut() {
                    let v = *l * 2 + carry;
                    *l = v % 1_000_000_000;
                    carry = v / 1_000_000_000;
                }
                if carry > 0 {
                    limbs.push(carry);
                }
            }
            let mut s = limbs.last().map(u64::to_string).unwrap_or_default();
            for l in limbs.iter().rev().skip(1) {
                s.push_str(&format!("{l:09}"));
            }
            if s.len() > n {
                return Err(ClientError::Input(format!("compressed Digital Link: a {n}-digit value holds {s}")));
            }
            Ok(format!("{s:0>n$}"))
        }

        /// `n` characters in encoding `enc` (0 digits, 1 lower hex, 2 upper hex, 3 URI-safe base64, 4 ASCII).
        fn chars(&mut self, enc: u32, n: usize) -> Result<String> {
            let table = |bits: usize, alphabet: &[u8], this: &mut Bits| -> Result<String> {
                (0..n).map(|_| this.uint(bits).map(|i| char::from(alphabet[i as usize]))).collect()
            };
            match enc {
                0 => self.digits(n),
                1 => Ok(table(4, HEX, self)?.to_ascii_lowercase()),
                2 => table(4, HEX, self),
                3 => table(6, ALPHABET, self),
                4 => (0..n).map(|_| self.uint(7).map(|c| char::from(c as u8))).collect(),
                _ => Err(ClientError::Input(format!("compressed Digital Link: unknown value encoding {enc}"))),
            }
        }

        fn value(&mut self, ai: &str) -> Result<String> {
            match format(ai) {
                Some(Format::Digits(n)) => self.digits(n),
                Some(Format::Chars(max)) => {
                    let enc = self.uint(3)?;
                    let n = self.uint(length_bits(max))? as usize;
                    if n > max {
                        return Err(ClientError::Input(format!("compressed Digital Link: AI ({ai}) of {n} characters, at most {max}")));
                    }
                    self.chars(enc, n)
                }
                None => Err(ClientError::Input(format!("compressed Digital Link: AI ({ai}) is not one tracepass resolves"))),
            }
        }
    }

    /// Appends `v`'s low `n` bits, most significant first.
    fn push(bits: &mut Vec<u8>, v: u32, n: usize) {
        bits.extend((0..n).rev().map(|i| ((v >> i) & 1) as u8));
    }

    /// Appends the decimal `digits` in [`value_bits`] bits.
    fn push_digits(bits: &mut Vec<u8>, digits: &str) {
        // the number in binary, by repeated halving of its decimal digits
        let mut dec: Vec<u8> = digits.bytes().map(|d| d - b'0').collect();
        let mut out = Vec::new();
        while dec.iter().any(|d| *d != 0) {
            let mut rem = 0;
            for d in dec.iter_mut() {
                let v = rem * 10 + *d;
                *d = v / 2;
                rem = v % 2;
            }
            out.push(rem);
        }
        let n = value_bits(digits.len());
        bits.extend(std::iter::repeat_n(0, n.saturating_sub(out.len())));
        bits.extend(out.iter().rev());
    }

    /// Appends a variable-length value (at most 20 characters) in the densest encoding that holds
    /// it, as GS1's toolkit chooses: digits, lower or upper hex, URI-safe base64, else 7-bit ASCII.
    fn push_chars(bits: &mut Vec<u8>, v: &str) {
        let enc = if v.bytes().all(|b| b.is_ascii_digit()) {
            0
        } else if v.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            1
        } else if v.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)) {
            2
        } else if v.bytes().all(|b| ALPHABET.contains(&b)) {
            3
        } else {
            4
        };
        push(bits, enc, 3);
        push(bits, v.len() as u32, length_bits(20));
        match enc {
            0 => push_digits(bits, v),
            1 | 2 => v.bytes().for_each(|b| push(bits, HEX.iter().position(|h| *h == b.to_ascii_uppercase()).unwrap_or(0) as u32, 4)),
            3 => v.bytes().for_each(|b| push(bits, ALPHABET.iter().position(|a| *a == b).unwrap_or(0) as u32, 6)),
            _ => v.bytes().for_each(|b| push(bits, u32::from(b & 0x7f), 7)),
        }
    }

    /// The compressed path segment of an item (AIs 01, 10 and 21; its proof stays in the query),
    /// as GS1's toolkit writes it: optimisation code 0B (01 and 10), then AI 21.
    pub fn compress(dl: &super::DigitalLink) -> String {
        let mut bits = Vec::new();
        push(&mut bits, 0x0B, 8);
        push_digits(&mut bits, &dl.gtin.to_string());
        push_chars(&mut bits, &dl.lot);
        push(&mut bits, 0x21, 8);
        push_chars(&mut bits, &dl.serial);
        bits.chunks(6).map(|c| char::from(ALPHABET[c.iter().chain(std::iter::repeat(&0)).take(6).fold(0, |a, b| (a << 1) | usize::from(*b))])).collect()
    }

    /// Whether `segment` can only be a compressed Digital Link (URI-safe base64, long enough to
    /// hold a GTIN), not another path.
    pub fn looks_compressed(segment: &str) -> bool {
        (MIN_COMPRESSED_LEN..=MAX_COMPRESSED_LEN).contains(&segment.len()) && segment.bytes().all(|b| ALPHABET.contains(&b))
    }

    /// The element strings of a compressed segment in order: GS1 AIs (numeric keys) then any
    /// non-GS1 `key=value` pairs, as (key, value).
    pub fn decompress(segment: &str) -> Result<Vec<(String, String)>> {
        if !looks_compressed(segment) {
            return Err(ClientError::Input(format!("{:?}: not a compressed Digital Link (URI-safe base64, {MIN_COMPRESSED_LEN} to {MAX_COMPRESSED_LEN} characters)", segment.chars().take(64).collect::<String>())));
        }
        let mut bits = Vec::with_capacity(segment.len() * 6);
        for c in segment.bytes() {
            let v = ALPHABET.iter().position(|a| *a == c).unwrap_or(0) as u8;
            bits.extend((0..6).rev().map(|i| (v >> i) & 1));
        }
        let mut b = Bits { bits, at: 0 };
        let mut out = Vec::new();
        while b.left() > 8 {
            let (h1, h2) = (b.uint(4)?, b.uint(4)?);
            if h1 <= 9 && h2 <= 9 {
                let ai = format!("{h1}{h2}");
                let v = b.value(&ai)?;
                out.push((ai, v));
            } else if let Some(ais) = optimised(((h1 << 4) | h2) as u8) {
                for ai in ais {
                    let v = b.value(ai)?;
                    out.push((ai.to_string(), v));
                }
            } else if h1 == 0xF {
                // a non-GS1 pair: a 7-bit key length (h2 and 3 more bits), the key in base64
                let key_len = ((h2 << 3) | b.uint(3)?) as usize;
                let key = b.chars(3, key_len)?;
                let enc = b.uint(3)?;
                let n = b.uint(7)? as usize;
                let v = b.chars(enc, n)?;
                out.push((key, v));
            } else {
                return Err(ClientError::Input(format!("compressed Digital Link: code {h1:X}{h2:X} is not one tracepass resolves")));
            }
        }
        if out.is_empty() {
            return Err(ClientError::Input("compressed Digital Link: no element string".into()));
        }
        Ok(out)
    }

    /// The uncompressed path and query of a compressed segment: `/01/{gtin}[/10/{lot}][/21/{serial}]`
    /// (the key qualifiers in the standard's order), then every other pair as a query parameter
    /// before `query` (the request's own).
    pub fn expand(segment: &str, query: &str) -> Result<(String, String)> {
        let pairs = decompress(segment)?;
        let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        let gtin = get("01").ok_or_else(|| ClientError::Input("compressed Digital Link: no GTIN (AI 01)".into()))?;
        let mut path = format!("/01/{gtin}");
        for ai in ["22", "10", "21"] {
            if let Some(v) = get(ai) {
                path.push_str(&format!("/{ai}/{}", super::pct_encode(v)));
            }
        }
        let mut q: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| !["01", "22", "10", "21"].contains(&k.as_str()))
            .map(|(k, v)| format!("{}={}", super::pct_encode(k), super::pct_encode(v)))
            .collect();
        if !query.is_empty() {
            q.push(query.to_string());
        }
        Ok((path, q.join("&")))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        /// Made by GS1's toolkit (GS1DigitalLinkToolkit.js `compressGS1DigitalLink`, root
        /// `https://id.example.com`) from the uncompressed path beside each.
        const TOOLKIT: &[(&str, &str)] = &[
            ("CxNOmDU1vtIO2m3X2uoBC2gInDgaaaaaacag", "/01/10614141000415/10/B2026-11A/21/AROHA00000041"),
            ("CxNOmDU1vsRepCxJag", "/01/10614141000415/10/L1/21/S1"),
            ("CxNOmDU1vspe2m3RClVeb3gJG", "/01/10614141000415/10/L2026/21/ABCDEF0123"),
            ("CxNOmDU1vlFXm94CQsSHo", "/01/10614141000415/10/abcdef01/21/Q9"),
            ("ARNOmDU1vg", "/01/10614141000415"),
        ];

        #[test]
        fn toolkit_links_decompress_works() {
            for (c, path) in TOOLKIT {
                assert_eq!(expand(c, "").unwrap(), (path.to_string(), String::new()), "{c}");
            }
            assert_eq!(decompress("ARNOmDU1vg").unwrap(), vec![("01".to_string(), "10614141000415".to_string())]);
            // non-GS1 pairs compressed with the rest, the request's query after them
            let (path, query) = expand("CxNOmDU1vsRepCxJa-BpAYeJA8G_RQwbbVY", "x=1").unwrap();
            assert_eq!((path.as_str(), query.as_str()), ("/01/10614141000415/10/L1/21/S1", "p=123456&foo=bar&x=1"));
        }

        #[test]
        fn compress_writes_what_the_toolkit_writes_works() {
            for (c, path) in TOOLKIT.iter().filter(|(_, p)| p.contains("/21/")) {
                let dl = crate::gs1::DigitalLink::parse(path).unwrap();
                assert_eq!(compress(&dl), *c, "{path}");
            }
            let dl = crate::gs1::DigitalLink::parse("/01/10614141000415/10/12345/21/0042").unwrap();
            assert_eq!(compress(&dl), "CxNOmDU1vgowOSEEAKg");
            // and back, for lots and serials of every encoding
            for (lot, serial) in [("L1", "S1"), ("12345", "000"), ("abc", "ABC"), ("x.y_z", "A-B.C"), ("01234567890123456789", "zzzzzzzzzzzzzzzzzzzz")] {
                let dl = crate::gs1::DigitalLink { gtin: crate::gs1::parse_gtin("10614141000415").unwrap(), lot: lot.into(), serial: serial.into(), proof: None };
                assert_eq!(expand(&compress(&dl), "").unwrap().0, dl.path(), "{lot} {serial}");
            }
        }

        #[test]
        fn digits_keep_their_leading_zeros_works() {
            // serial "0042" as 4 digits (GS1's toolkit itself drops the zeros: "42")
            let (path, _) = expand("CxNOmDU1vgowOSEEAKg", "").unwrap();
            assert_eq!(path, "/01/10614141000415/10/12345/21/0042");
        }

        #[test]
        fn malformed_or_foreign_links_fail() {
            for bad in ["short", "CxNOmDU1vtIO2m3X2uoBC2gInDgaaaaaa!", "CxNOmDU1vtIO2m3X", "_____________", "AAAAAAAAAAAAAAAA", "ARNOmDU1vgAA"] {
                assert!(expand(bad, "").is_err(), "{bad}");
            }
            // AI (00), an SSCC: named, refused
            let e = decompress("AAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap_err().to_string();
            assert!(e.contains("(00)"), "{e}");
            assert!(!looks_compressed(&"A".repeat(MAX_COMPRESSED_LEN + 1)) && !looks_compressed("healthz"));
        }
    }
}
