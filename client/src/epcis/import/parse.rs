//! An EPCIS 2.0 document -> the trace events it records. Pure, and never panics.
//!
//! Taken: `ObjectEvent`s with action OBSERVE (or ADD for commissioning) and an importable
//! business step of `vocab.rs` (bare CBV names, CBV's own URIs, or tracepass's); EPCs in
//! `epcList` or `quantityList` that name lots (`uri.rs`), one trace event per lot named;
//! locations as `uri.rs` reads them. The country is `tracepass:country`, else the UN/LOCODE's; a
//! GLN without `tracepass:country` is refused. The document hash is `tracepass:documentHash`
//! (zeros when absent). Events keep the document's order.

use crate::epcis::uri::{epc_lot, location_code};
use crate::epcis::{clip, schema, times, vocab, MAX_DOCUMENT_BYTES, MAX_IMPORT_EVENTS, TRACEPASS_NS};
use crate::error::{ClientError, Result};
use serde_json::{Map, Value};
use tracepass_shared::bounds::MAX_LOCATION_LEN;
use tracepass_shared::{lot_id, BusinessStep, CountryCode, Gtin, Hash32, Location, LotId, Timestamp};

/// One trace event to record, read from an EPCIS document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedEvent {
    /// Index of its ObjectEvent in the document's `eventList`.
    pub index: usize,
    /// The product.
    pub gtin: Gtin,
    /// The lot number.
    pub lot: String,
    /// The lot's ID.
    pub lot_id: LotId,
    /// The business step.
    pub step: BusinessStep,
    /// When it happened (ms).
    pub event_time: Timestamp,
    /// Where.
    pub location: Location,
    /// The supporting document's hash (zeros when none).
    pub document_hash: Hash32,
}

/// A tracepass extension field, by its prefixed or its full name.
fn ext<'a>(o: &'a Map<String, Value>, name: &str) -> Option<&'a Value> {
    o.get(&format!("tracepass:{name}")).or_else(|| o.get(&format!("{TRACEPASS_NS}{name}")))
}

fn parse_hash(v: &Value) -> Option<Hash32> {
    let s = v.as_str()?;
    let h = s.strip_prefix("0x").unwrap_or(s);
    if h.len() != 64 {
        return None;
    }
    hex::decode(h).ok()?.try_into().ok()
}

/// Maps one ObjectEvent to trace events (one per lot it names).
fn map_event(index: usize, ev: &Value) -> std::result::Result<Vec<ImportedEvent>, String> {
    let o = ev.as_object().ok_or("not an object")?;
    let ty = o.get("type").and_then(Value::as_str).unwrap_or("");
    if ty != "ObjectEvent" {
        return Err(format!("{} is not supported (only ObjectEvent)", clip(ty, 40)));
    }
    if o.contains_key("errorDeclaration") {
        return Err("error declarations are not supported (the trace is append-only)".into());
    }
    let biz = o.get("bizStep").and_then(Value::as_str).ok_or("has no bizStep")?;
    let terms = vocab::step_of(biz)
        .ok_or_else(|| format!("bizStep {:?} is not supported ({})", clip(biz, 80), vocab::importable()))?;
    if let Some(why) = terms.not_importable {
        return Err(why.into());
    }
    let step = terms.step;
    let action = o.get("action").and_then(Value::as_str).unwrap_or("");
    if action != "OBSERVE" && action != terms.action {
        return Err(format!("action {} is not supported for {biz} (OBSERVE, or ADD for commissioning)", clip(action, 20)));
    }
    let time_text = o.get("eventTime").and_then(Value::as_str).ok_or("has no eventTime")?;
    let event_time = times::parse_rfc3339(time_text)
        .ok_or_else(|| format!("eventTime {:?} is not an RFC 3339 time after 1970", clip(time_text, 40)))?;

    // where
    let place = ["readPoint", "bizLocation"]
        .iter()
        .find_map(|k| o.get(*k).and_then(|p| p.get("id")).and_then(Value::as_str));
    let (implied, code) = match place {
        Some(uri) => location_code(uri).map_err(|e| format!("location {:?} {e}", clip(uri, 80)))?,
        None => (None, Vec::new()),
    };
    if code.len() > MAX_LOCATION_LEN || !code.iter().all(u8::is_ascii_alphanumeric) {
        return Err(format!(
            "location code {:?} cannot be recorded (at most {MAX_LOCATION_LEN} letters or digits)",
            clip(&String::from_utf8_lossy(&code), 20)
        ));
    }
    let country = match ext(o, "country") {
        Some(v) => {
            let cc = v
                .as_str()
                .and_then(|s| CountryCode::parse(s.as_bytes()))
                .ok_or("tracepass:country is not an ISO 3166-1 alpha-2 code")?;
            if implied.is_some_and(|i| i != cc) {
                return Err(format!("tracepass:country {cc} contradicts the location's country"));
            }
            cc
        }
        None => implied.ok_or("no country: give tracepass:country, or a UN/LOCODE location")?,
    };
    let document_hash = match ext(o, "documentHash") {
        Some(v) => parse_hash(v).ok_or("tracepass:documentHash is not 32 bytes of 0x-hex")?,
        None => [0; 32],
    };

    // what
    let mut uris: Vec<&str> = Vec::new();
    if let Some(list) = o.get("epcList").and_then(Value::as_array) {
        for v in list {
            uris.push(v.as_str().ok_or("an epcList entry is not a string")?);
        }
    }
    if let Some(list) = o.get("quantityList").and_then(Value::as_array) {
        for q in list {
            uris.push(q.get("epcClass").and_then(Value::as_str).ok_or("a quantityList entry has no epcClass")?);
        }
    }
    if uris.is_empty() {
        return Err("names no lot (no epcList or quantityList)".into());
    }
    let mut lots: Vec<(Gtin, String)> = Vec::new();
    for uri in uris {
        let gl = epc_lot(uri).map_err(|e| format!("EPC {:?} {e}", clip(uri, 80)))?;
        if !lots.contains(&gl) {
            lots.push(gl);
        }
    }
    Ok(lots
        .into_iter()
        .map(|(gtin, lot)| ImportedEvent {
            index,
            gtin,
            lot_id: lot_id(&gtin, lot.as_bytes()),
            lot,
            step,
            event_time,
            location: Location { country, code: code.clone() },
            document_hash,
        })
        .collect())
}

/// Reads an EPCIS 2.0 document into the trace events it records: JSON, then GS1's schema (the
/// first few violations in the error), then each ObjectEvent's mapping (module doc). Pure, and
/// never panics, whatever the input. Errors name the offending event's index in `eventList`.
pub fn parse_document(text: &str) -> Result<Vec<ImportedEvent>> {
    if text.len() > MAX_DOCUMENT_BYTES {
        return Err(ClientError::Input(format!("the document is larger than {MAX_DOCUMENT_BYTES} bytes")));
    }
    let doc: Value = serde_json::from_str(text).map_err(|e| ClientError::Input(format!("the document is not JSON: {e}")))?;
    if doc.get("type").and_then(Value::as_str) != Some("EPCISDocument") {
        return Err(ClientError::Input("not an EPCIS document (its type must be \"EPCISDocument\")".into()));
    }
    let list = doc.pointer("/epcisBody/eventList").and_then(Value::as_array);
    if let Some(list) = list {
        if list.len() > MAX_IMPORT_EVENTS {
            return Err(ClientError::Input(format!(
                "the document has {} events; at most {MAX_IMPORT_EVENTS} are imported at once",
                list.len()
            )));
        }
    }
    schema::validate(&doc)?;
    let list = list.ok_or_else(|| ClientError::Input("the document has no epcisBody.eventList".into()))?;
    let mut out = Vec::new();
    for (i, ev) in list.iter().enumerate() {
        let mapped = map_event(i, ev).map_err(|e| ClientError::Input(format!("event #{i}: {e}")))?;
        out.extend(mapped);
    }
    if out.is_empty() {
        return Err(ClientError::Input("the document has no events".into()));
    }
    if out.len() > MAX_IMPORT_EVENTS {
        return Err(ClientError::Input(format!(
            "the document's events name {} lot events; at most {MAX_IMPORT_EVENTS} are imported at once",
            out.len()
        )));
    }
    Ok(out)
}
