//! The URIs EPCIS documents name things by, both ways: lots as GS1 Digital Link EPC classes
//! (or LGTIN URNs), locations as GLNs (Digital Link or SGLN), UN/LOCODEs or tracepass URIs, and
//! attestations as tracepass URIs.
//!
//! | chain location code       | URI written                                            |
//! |---------------------------|--------------------------------------------------------|
//! | GLN (13 digits)           | `https://id.gs1.org/414/{gln}` (GS1 Digital Link)      |
//! | UN/LOCODE (5 characters)  | `https://vocabulary.uncefact.org/unlocode#{LOCODE}`    |
//! | any other code            | `{TRACEPASS_NS}location/{country}/{code}`              |
//! | none                      | none (no readPoint / bizLocation)                      |
//!
//! Read back: those, any Digital Link GLN (`/414/{gln}`; an AI 254 extension is dropped, the
//! chain keeps 13 characters) and `urn:epc:id:sgln:` URNs (their extension dropped likewise).

use tracepass_shared::is_un_locode;
use super::{clip, TRACEPASS_NS};
use crate::chain::AccountId;
use crate::fmt::ss58;
use crate::gs1::{pct_decode, pct_encode};
use tracepass_shared::{check_lot_number, gs1_check_digit, AttestationId, CountryCode, Gtin, Location};

/// Host of the Digital Link URIs written (GS1's canonical resolver).
pub const DIGITAL_LINK_HOST: &str = "https://id.gs1.org";
/// Prefix of UN/LOCODE location URIs (UN/CEFACT's web vocabulary of UN/LOCODE).
pub const UN_LOCODE_URI: &str = "https://vocabulary.uncefact.org/unlocode#";

/// The Digital Link EPC class of a lot: `https://id.gs1.org/01/{gtin14}/10/{lot}`.
pub fn lot_class_uri(gtin: &Gtin, lot: &str) -> String {
    format!("{DIGITAL_LINK_HOST}/01/{gtin}/10/{}", pct_encode(lot))
}

fn is_gln(code: &[u8]) -> bool {
    code.len() == 13 && code.iter().all(u8::is_ascii_digit)
}

/// The URI of a chain location's code (see the module's table); `None` when it has none.
pub fn location_uri(loc: &Location) -> Option<String> {
    let code = std::str::from_utf8(&loc.code).ok()?;
    if code.is_empty() {
        None
    } else if is_gln(&loc.code) {
        Some(format!("{DIGITAL_LINK_HOST}/414/{code}"))
    } else if is_un_locode(&loc.code) {
        Some(format!("{UN_LOCODE_URI}{code}"))
    } else {
        Some(format!("{TRACEPASS_NS}location/{}/{}", loc.country, pct_encode(code)))
    }
}

/// The URI of an attestation (its certificate, as `certificationInfo`).
pub fn attestation_uri(contract: &AccountId, id: AttestationId) -> String {
    format!("{TRACEPASS_NS}attestation/{}/{id}", ss58(contract))
}

/// A string that is safe to give as a `uri`: an absolute http(s) URI of visible ASCII.
pub(crate) fn plain_http_uri(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > 8
        && s.bytes().all(|b| b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b))
}

/// The path segments of an http(s) URI after its host, without query or fragment.
fn http_path_segments(uri: &str) -> Option<Vec<&str>> {
    let rest = uri.strip_prefix("https://").or_else(|| uri.strip_prefix("http://"))?;
    let path = rest.split(['?', '#']).next().unwrap_or("");
    Some(path.split('/').skip(1).collect())
}

/// The lot an EPC (or EPC class) URI names: a Digital Link with `/01/{gtin}/10/{lot}` (any host,
/// serials ignored) or an LGTIN URN.
pub(crate) fn epc_lot(uri: &str) -> std::result::Result<(Gtin, String), String> {
    if let Some(rest) = uri.strip_prefix("urn:epc:class:lgtin:") {
        let mut parts = rest.splitn(3, '.');
        let (cp, ir, lot) = match (parts.next(), parts.next(), parts.next()) {
            (Some(a), Some(b), Some(c)) => (a, b, c),
            _ => return Err("malformed LGTIN (expected CompanyPrefix.ItemRef.Lot)".into()),
        };
        if cp.len() + ir.len() != 13 || ir.is_empty() || !cp.bytes().chain(ir.bytes()).all(|c| c.is_ascii_digit()) {
            return Err("malformed LGTIN (company prefix and item reference must be 13 digits)".into());
        }
        let mut body = Vec::with_capacity(14);
        body.extend_from_slice(&ir.as_bytes()[..1]);
        body.extend_from_slice(cp.as_bytes());
        body.extend_from_slice(&ir.as_bytes()[1..]);
        body.push(gs1_check_digit(&body));
        let gtin = Gtin::parse(&body).map_err(|e| format!("GTIN: {e:?}"))?;
        let lot = pct_decode(lot).ok_or("lot: bad escaping")?;
        check_lot_number(lot.as_bytes()).map_err(|e| format!("lot {lot:?}: {e:?}"))?;
        return Ok((gtin, lot));
    }
    if uri.starts_with("urn:epc:") {
        return Err("names no lot (of EPC URNs only urn:epc:class:lgtin carries one; use GS1 Digital Link)".into());
    }
    let segs = http_path_segments(uri).ok_or("is not a GS1 Digital Link URI (https://host/01/{gtin}/10/{lot}) or an LGTIN URN")?;
    let start = segs.iter().position(|s| *s == "01").ok_or("is not a GS1 Digital Link URI (no /01/{gtin})")?;
    let pairs = &segs[start..];
    if pairs.len() % 2 != 0 {
        return Err("is not a GS1 Digital Link URI (a key without a value)".into());
    }
    let gtin = Gtin::parse(pairs[1].as_bytes()).map_err(|e| format!("GTIN {:?}: {e:?}", clip(pairs[1], 20)))?;
    let lot = pairs
        .chunks(2)
        .find(|kv| kv[0] == "10")
        .map(|kv| kv[1])
        .ok_or("names no lot (no /10/{lot} in the Digital Link)")?;
    let lot = pct_decode(lot).ok_or("lot: bad percent-encoding")?;
    check_lot_number(lot.as_bytes()).map_err(|e| format!("lot {:?}: {e:?}", clip(&lot, 25)))?;
    Ok((gtin, lot))
}

/// A location URI → (the country it implies, if any; the chain's location code).
pub(crate) fn location_code(uri: &str) -> std::result::Result<(Option<CountryCode>, Vec<u8>), String> {
    if let Some(code) = uri.strip_prefix(UN_LOCODE_URI) {
        if !is_un_locode(code.as_bytes()) {
            return Err("is not a valid UN/LOCODE".into());
        }
        return Ok((CountryCode::parse(&code.as_bytes()[..2]), code.as_bytes().to_vec()));
    }
    if let Some(rest) = uri.strip_prefix(TRACEPASS_NS).and_then(|r| r.strip_prefix("location/")) {
        let (cc, code) = rest.split_once('/').ok_or("malformed tracepass location")?;
        let country = CountryCode::parse(cc.as_bytes()).ok_or("malformed tracepass location (country)")?;
        let code = pct_decode(code).ok_or("malformed tracepass location (escaping)")?;
        return Ok((Some(country), code.into_bytes()));
    }
    if let Some(rest) = uri.strip_prefix("urn:epc:id:sgln:") {
        let mut parts = rest.split('.');
        let (cp, lr) = match (parts.next(), parts.next()) {
            (Some(a), Some(b)) => (a, b),
            _ => return Err("malformed SGLN".into()),
        };
        if cp.len() + lr.len() != 12 || !cp.bytes().chain(lr.bytes()).all(|c| c.is_ascii_digit()) {
            return Err("malformed SGLN (company prefix and location reference must be 12 digits)".into());
        }
        let mut gln = Vec::with_capacity(13);
        gln.extend_from_slice(cp.as_bytes());
        gln.extend_from_slice(lr.as_bytes());
        gln.push(gs1_check_digit(&gln));
        return Ok((None, gln));
    }
    if let Some(segs) = http_path_segments(uri) {
        if let Some(p) = segs.iter().position(|s| *s == "414") {
            let gln = segs.get(p + 1).ok_or("no GLN after /414/")?.as_bytes();
            let check = gln.len() == 13 && gln.iter().all(u8::is_ascii_digit) && gs1_check_digit(&gln[..12]) == gln[12];
            if !check {
                return Err("has no valid GLN after /414/".into());
            }
            return Ok((None, gln.to_vec()));
        }
    }
    Err("is not a supported location (GS1 Digital Link /414/{gln}, urn:epc:id:sgln, or a UN/LOCODE URI)".into())
}
