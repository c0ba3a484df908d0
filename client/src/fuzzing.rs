//! The bodies of the fuzz targets (`fuzz/`, cargo-fuzz), one per parser of outside input, kept
//! here so that the fuzzers and the corpus replay test (`client/tests/fuzz_corpus.rs`, run by
//! `cargo test`) run exactly the same code.
//!
//! Each function takes arbitrary bytes, must never panic on its own account, and asserts the
//! properties that hold for what the parser accepts; a failed assertion is a bug found:
//!
//! - [`gtin`]: `Gtin::parse` (bytes) and `gs1::parse_gtin` (text) agree; an accepted GTIN is 14
//!   digits, the input left-padded with zeros, with a correct check digit; its 14 digits parse to
//!   itself; changing any one digit of an accepted input makes it fail (GS1's check digit catches
//!   every single-digit error).
//! - [`digital_link`]: an accepted URI has a valid lot and serial; its re-encoding (under any
//!   resolver host) parses to the same value and re-encodes to the same URI.
//! - [`serials`]: an accepted file holds 1..=`MAX_SERIALS` distinct valid serials; written back
//!   (LF or CRLF) it parses to the same list; proofs of its items through the text encoding
//!   verify against the tree's root at their own positions and at no other.
//! - [`proof`]: an accepted proof text is canonical (`encode` gives it back) with at most
//!   `MAX_PROOF_LEN` siblings; any (index, siblings) built from the bytes roundtrips through
//!   `encode` and `decode`.
//! - [`epcis`]: `epcis::parse_document` accepts or refuses without panicking; an accepted
//!   document's events name valid GTINs and lot numbers with the matching lot ID, assigned
//!   countries, in document order, at most `MAX_IMPORT_EVENTS`; parsing is deterministic.
//! - [`deployment`]: an accepted deployment file has parseable addresses and hashes; written back
//!   as JSON it parses to the same value.

use crate::contracts::Deployment;
use crate::gs1::{parse_gtin, parse_serials, DigitalLink, Proof, DEFAULT_RESOLVER, MAX_SERIALS};
use tracepass_shared::bounds::MAX_PROOF_LEN;
use tracepass_shared::merkle::{self, Node, Tree};
use tracepass_shared::{check_lot_number, check_serial, gs1_check_digit, item_id, lot_id, Gtin};

/// GTIN parsing, from bytes and from text.
pub fn gtin(data: &[u8]) {
    if let Ok(g) = Gtin::parse(data) {
        assert!(g.is_valid() && g.0.iter().all(u8::is_ascii_digit));
        let pad = 14 - data.len();
        assert!(g.0[..pad].iter().all(|d| *d == b'0') && g.0[pad..] == *data, "normalised by left-padding");
        assert_eq!(gs1_check_digit(&g.0[..13]), g.0[13]);
        assert_eq!(Gtin::parse(&g.0), Ok(g), "the normalised form parses to itself");
        for i in 0..data.len() {
            let mut changed = data.to_vec();
            changed[i] = b'0' + (changed[i] - b'0' + 1) % 10;
            assert!(Gtin::parse(&changed).is_err(), "a single-digit error at {i} went undetected");
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let by_text = parse_gtin(text).ok();
        assert_eq!(by_text, Gtin::parse(text.trim().as_bytes()).ok(), "parse_gtin and Gtin::parse agree");
        if let Some(g) = by_text {
            assert_eq!(parse_gtin(&g.to_string()).ok(), Some(g), "Display parses back");
        }
    }
}

/// Digital Link URIs: parse, re-encode, parse again.
pub fn digital_link(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(dl) = DigitalLink::parse(text) else { return };
    assert!(dl.gtin.is_valid());
    assert!(check_lot_number(dl.lot.as_bytes()).is_ok(), "accepted lot {:?}", dl.lot);
    assert!(check_serial(dl.serial.as_bytes()).is_ok(), "accepted serial {:?}", dl.serial);
    for host in [DEFAULT_RESOLVER, "id.gs1.org", "example.com:8080/resolver"] {
        let uri = dl.uri(host);
        let again = DigitalLink::parse(&uri).unwrap_or_else(|e| panic!("re-encoded {uri:?} does not parse: {e}"));
        assert_eq!(again, dl, "roundtrip through {uri:?}");
        assert_eq!(again.uri(host), uri, "re-encoding is stable");
    }
}

/// Serials files: parse, write back, parse again; prove a few items through the text encoding.
pub fn serials(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(list) = parse_serials(text) else { return };
    assert!(!list.is_empty() && list.len() <= MAX_SERIALS);
    let mut sorted: Vec<&String> = list.iter().collect();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), list.len(), "serials are distinct");
    for s in &list {
        assert!(check_serial(s.as_bytes()).is_ok(), "accepted serial {s:?}");
    }
    assert_eq!(parse_serials(&(list.join("\n") + "\n")).ok().as_ref(), Some(&list), "LF roundtrip");
    assert_eq!(parse_serials(&list.join("\r\n")).ok().as_ref(), Some(&list), "CRLF roundtrip");
    // the items' tree: a few proofs, through the compact text form, verify where they belong only
    let g = Gtin::parse(b"10614141000415").expect("valid");
    let items: Vec<_> = list.iter().map(|s| item_id(&g, b"L1", s.as_bytes())).collect();
    let tree = Tree::from_items(&items).expect("non-empty");
    let n = tree.len();
    let probes = [0, n / 2, n - 1];
    for &i in &probes {
        let p = Proof { index: i, salt: None, siblings: tree.proof(i).expect("in range") };
        let p = Proof::decode(&p.encode()).expect("own encoding decodes");
        assert!(merkle::verify(&tree.root(), n, p.index, &items[i as usize], &p.siblings));
        for &j in &probes {
            if j != i {
                assert!(!merkle::verify(&tree.root(), n, p.index, &items[j as usize], &p.siblings), "item {j} at {i}");
            }
        }
    }
}

/// Proof texts: decode, re-encode; and any proof value roundtrips.
pub fn proof(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(p) = Proof::decode(text) {
            assert!(p.siblings.len() <= MAX_PROOF_LEN);
            assert_eq!(p.encode(), text.trim(), "accepted text is canonical");
            assert_eq!(Proof::decode(&p.encode()).ok(), Some(p.clone()));
        }
    }
    if let Some((head, rest)) = data.split_first_chunk::<4>() {
        let siblings: Vec<Node> = rest
            .chunks_exact(16)
            .take(MAX_PROOF_LEN)
            .map(|c| c.try_into().expect("16 bytes"))
            .collect();
        // a salt when the rest holds 8 bytes over whole siblings
        let salt = (rest.len() % 16 >= 8).then(|| rest[rest.len() - 8..].try_into().expect("8 bytes"));
        let p = Proof { index: u32::from_le_bytes(*head), salt, siblings };
        let text = p.encode();
        assert!(text.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(Proof::decode(&text).ok(), Some(p), "roundtrip of {text:?}");
    }
}

/// EPCIS 2.0 documents to import.
pub fn epcis(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(events) = crate::epcis::parse_document(text) else { return };
    assert!(!events.is_empty() && events.len() <= crate::epcis::MAX_IMPORT_EVENTS);
    for e in &events {
        assert!(e.gtin.is_valid());
        assert!(check_lot_number(e.lot.as_bytes()).is_ok(), "lot {:?}", e.lot);
        assert_eq!(e.lot_id, lot_id(&e.gtin, e.lot.as_bytes()), "lot ID");
        assert!(e.location.country.is_valid(), "country {:?}", e.location.country);
    }
    assert!(events.windows(2).all(|w| w[0].index <= w[1].index), "document order");
    assert_eq!(crate::epcis::parse_document(text).ok(), Some(events), "deterministic");
}

/// Deployment files: parse, write back, parse again.
pub fn deployment(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(d) = Deployment::parse(text) else { return };
    for c in [&d.whitelist, &d.registry, &d.sampling, &d.attestation] {
        assert!(crate::chain::parse_account(&c.address).is_ok());
    }
    let written = serde_json::to_string_pretty(&d).expect("serialisable");
    assert_eq!(Deployment::parse(&written).ok(), Some(d), "roundtrip");
}
