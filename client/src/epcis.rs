//! EPCIS 2.0 export and import of lot traces (GS1 EPCIS 2.0 / CBV 2.0, JSON-LD binding).
//!
//! Every document this module writes, and every document it reads, is checked against GS1's
//! published EPCIS 2.0 JSON Schema (draft-07), vendored byte for byte as
//! `client/schemas/EPCIS-JSON-Schema.json` from GS1's EPCIS repository (gs1.github.io/EPCIS,
//! `EPCIS-JSON-Schema.json`). The schema is compiled once per process.
//!
//! # Export: [`export`]
//!
//! An `EPCISDocument` (`schemaVersion` "2.0", `@context` = GS1's EPCIS 2.0 context plus the
//! prefix `tracepass` for [`TRACEPASS_NS`]) whose `eventList` holds one `ObjectEvent` per trace
//! event of the lot and one per attestation of the lot, in event-time order. The lot is named at
//! class level, as a GS1 Digital Link EPC class in `quantityList`:
//! `https://id.gs1.org/01/{gtin14}/10/{lot}` with the lot's item count as `quantity`.
//!
//! | chain step / attestation   | `bizStep`                                  | `disposition`               | `action` | where                     |
//! |----------------------------|--------------------------------------------|-----------------------------|----------|---------------------------|
//! | Commissioning              | `commissioning`                            | `active`                    | ADD (+ `ilmd`: lot number, expiry) | readPoint + bizLocation |
//! | Packing                    | `packing`                                  | `in_progress`               | OBSERVE  | readPoint + bizLocation   |
//! | Shipping                   | `shipping`                                 | `in_transit`                | OBSERVE  | readPoint only            |
//! | Arriving (port of entry)   | `arriving`                                 | `in_progress`               | OBSERVE  | readPoint + bizLocation   |
//! | Receiving                  | `receiving`                                | `in_progress`               | OBSERVE  | readPoint + bizLocation   |
//! | Storing                    | `storing`                                  | `in_progress`               | OBSERVE  | readPoint + bizLocation   |
//! | CustomsClearance           | `{TRACEPASS_NS}bizstep/customs_clearance`  | `conformant`                | OBSERVE  | readPoint + bizLocation   |
//! | Inspecting                 | `inspecting`                               | (none: see the attestation) | OBSERVE  | readPoint + bizLocation   |
//! | Holding                    | `holding`                                  | `non_sellable_other`        | OBSERVE  | readPoint + bizLocation   |
//! | Recalling                  | `{TRACEPASS_NS}bizstep/recalling`          | `recalled`                  | OBSERVE  | readPoint only            |
//! | quality inspection (attestation) | `inspecting`                         | `conformant` / `non_conformant` | OBSERVE | none                   |
//! | customs clearance (attestation)  | `{TRACEPASS_NS}bizstep/customs_clearance` | `conformant`         | OBSERVE  | readPoint + bizLocation = the port |
//!
//! CBV has no customs-clearance or recall business step, so those two are URIs in the tracepass
//! namespace (EPCIS 2.0 allows any URI outside the CBV namespace there).
//!
//! Locations (`readPoint` / `bizLocation` `id`):
//!
//! | chain location code            | URI                                                   |
//! |--------------------------------|-------------------------------------------------------|
//! | GLN (13 digits)                | `https://id.gs1.org/414/{gln}` (GS1 Digital Link)     |
//! | UN/LOCODE (5 characters)       | `https://vocabulary.uncefact.org/unlocode#{LOCODE}` (UN/CEFACT's web vocabulary of UN/LOCODE) |
//! | any other code                 | `{TRACEPASS_NS}location/{country}/{code}`             |
//! | none                           | no readPoint / bizLocation                            |
//!
//! The location's country is always given as `tracepass:country`.
//!
//! Extension fields (namespace [`TRACEPASS_NS`], prefix `tracepass`): `tracepass:actor` (SS58 of
//! the account that recorded the event), `tracepass:documentHash` (0x blake2-256 of the supporting
//! document, omitted when none), `tracepass:country`, `tracepass:traceIndex`; on attestation
//! events `tracepass:attestationId`, `tracepass:issuer`, `tracepass:attestationStatus` (Valid,
//! Expired or Revoked at export time) and the claim's own fields; on the document
//! `tracepass:lot` (lot ID, status, merchant, item count, dates). When the chain recorded an event
//! goes in EPCIS's own `recordTime`. Times are UTC (`eventTimeZoneOffset` "+00:00"): the chain
//! keeps instants, not the local offset.
//!
//! Attestations are certification information (`certificationInfo`, a URI or list of URIs on an
//! event): an attestation's URI is `{TRACEPASS_NS}attestation/{attestation contract}/{id}`. Each
//! inspection and customs clearance of the lot is an event of its own whose `certificationInfo`
//! is that URI (and the inspection report's URI when it has one). The product's factory's
//! certifications that are valid at export time are the `certificationInfo` of the lot's
//! production events (Commissioning, Packing), or of its first trace event if none was recorded.
//!
//! # Import: [`parse_document`] then [`import`]
//!
//! [`parse_document`] (pure, never panics) takes `ObjectEvent`s only, with action OBSERVE (or ADD
//! for commissioning), a business step of the table above except recalling (bare CBV names, or
//! `https://ref.gs1.org/cbv/BizStep-{name}`), EPCs that name a lot: GS1 Digital Link URIs with
//! `/01/{gtin}/10/{lot}` (any host, serials ignored) in `epcList` or `quantityList`, or
//! `urn:epc:class:lgtin:` URNs. An event naming several lots becomes one trace event per lot.
//! Locations: the URIs above, any Digital Link GLN (`/414/{gln}`, an AI 254 extension is dropped:
//! the chain keeps 13 characters) and `urn:epc:id:sgln:` URNs (their extension dropped likewise).
//! The country comes from `tracepass:country`, else from the UN/LOCODE; a GLN location without
//! `tracepass:country` is rejected. The document hash comes from `tracepass:documentHash` (zeros
//! when absent). Event order is the document's.
//!
//! [`import`] records a document all or nothing. Before any trace event is signed it checks every event
//! against the chain (the lots exist, the signer's role may record the step, the simulated status
//! transitions in document order are legal, the event time is not ahead of the chain, the lot has
//! room) and dry-runs each event whose dry run is meaningful on the current state (all but the
//! second and later status-changing events of a lot). The chain's clock is its last block's; on
//! an instant-seal chain it lags after a quiet spell, so when events are later than it (but not
//! later than this machine's clock) one `System.remark` is sealed first (it records no trace
//! event) to bring the clock up to date. Then, if the runtime has
//! `Utility.batch_all`, every `Contracts.call` goes into ONE `Utility.batch_all` extrinsic, so the
//! chain records all events or none. On a runtime without it the events are submitted one by one
//! after the same checks; a failure midway (a concurrent change) then leaves the earlier events
//! recorded, and the error says how many. A re-sent document (every event already recorded by
//! the same signer: same step, time, location and document hash) records nothing and says so; a
//! document only partly on the chain is refused. [`plan_import`] and [`submit_import`] are the two
//! halves of [`import`]; if the chain changed in between and the batch fails, nothing was
//! recorded and the error gives the runtime's reason and the first event now refused.

use crate::chain::{ss58, AccountId, Signer, GAS_MARGIN_PERCENT};
use crate::contracts::{decode_revert, selectors, Tracepass};
use crate::error::{describe, ClientError, Result};
use parity_scale_codec::{Decode, Encode};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;
use subxt::utils::H256;
use tracepass_shared::bounds::{MAX_EVENTS_PER_LOT, MAX_LOCATION_LEN, UN_LOCODE_LEN};
use tracepass_shared::{
    check_lot_number, gs1_check_digit, lot_id, Attestation, AttestationId, AttestationStatus, BusinessStep, Claim,
    CountryCode, Date, Error, FactoryId, Field, Gtin, Hash32, InspectionResult, Location, Lot, LotId, LotStatus,
    MerchantStatus, Role, Timestamp, TraceEvent,
};

/// GS1's EPCIS 2.0 JSON Schema (draft-07), vendored unchanged from GS1's EPCIS repository
/// (gs1.github.io/EPCIS, `EPCIS-JSON-Schema.json`).
pub const SCHEMA: &str = include_str!("../schemas/EPCIS-JSON-Schema.json");
/// GS1's EPCIS 2.0 JSON-LD context.
pub const EPCIS_CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
/// The namespace of tracepass's extension fields and vocabulary (JSON-LD prefix `tracepass`).
pub const TRACEPASS_NS: &str = "https://ns.tracepass.local/epcis/";
/// Host of the Digital Link URIs written (GS1's canonical resolver).
pub const DIGITAL_LINK_HOST: &str = "https://id.gs1.org";
/// Prefix of UN/LOCODE location URIs (UN/CEFACT's web vocabulary of UN/LOCODE).
pub const UN_LOCODE_URI: &str = "https://vocabulary.uncefact.org/unlocode#";
/// Most events a document to import may hold (also the most trace events one lot can carry).
pub const MAX_IMPORT_EVENTS: usize = MAX_EVENTS_PER_LOT as usize;
/// Largest document [`parse_document`] reads, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;
/// Schema errors named in a rejection message.
pub const SCHEMA_ERRORS_SHOWN: usize = 3;

const CBV_BIZSTEP_URI: &str = "https://ref.gs1.org/cbv/BizStep-";

/// tracepass's business step URI for customs clearance (CBV has none).
pub fn customs_clearance_step() -> String {
    format!("{TRACEPASS_NS}bizstep/customs_clearance")
}

/// tracepass's business step URI for recalls (CBV has none).
pub fn recalling_step() -> String {
    format!("{TRACEPASS_NS}bizstep/recalling")
}

// ---- schema -------------------------------------------------------------------------------

/// Compiles a JSON Schema text (draft-07, formats asserted) into a validator.
pub fn compile_schema(text: &str) -> Result<jsonschema::Validator> {
    let schema: Value = serde_json::from_str(text).map_err(|e| ClientError::Input(format!("EPCIS schema: not JSON: {e}")))?;
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| ClientError::Input(format!("EPCIS schema does not compile: {e}")))
}

/// The vendored schema, compiled once.
fn validator() -> Result<&'static jsonschema::Validator> {
    static V: OnceLock<std::result::Result<jsonschema::Validator, String>> = OnceLock::new();
    V.get_or_init(|| compile_schema(SCHEMA).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ClientError::Chain(e.clone()))
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

/// The first `max` errors of `doc` under `v`, each as "at /json/pointer: message".
pub fn schema_errors_with(v: &jsonschema::Validator, doc: &Value, max: usize) -> Vec<String> {
    v.iter_errors(doc)
        .take(max)
        .map(|e| {
            let at = e.instance_path().to_string();
            format!("at {}: {}", if at.is_empty() { "/" } else { &at }, clip(&e.to_string(), 200))
        })
        .collect()
}

/// Validates `doc` against the vendored EPCIS 2.0 schema: `Ok` or the first few errors.
pub fn validate(doc: &Value) -> Result<()> {
    let v = validator()?;
    if v.is_valid(doc) {
        return Ok(());
    }
    let errs = schema_errors_with(v, doc, SCHEMA_ERRORS_SHOWN);
    Err(ClientError::Input(format!("the document fails the EPCIS 2.0 schema: {}", errs.join("; "))))
}

// ---- times --------------------------------------------------------------------------------

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `ms` since the epoch as RFC 3339 UTC with milliseconds: `2026-11-22T03:53:00.123Z`.
pub fn rfc3339(ms: Timestamp) -> String {
    let secs = ms / 1000;
    let (y, m, d) = crate::verify::civil_from_days(i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2));
    let rem = secs % 86_400;
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z", rem / 3600, (rem % 3600) / 60, rem % 60, ms % 1000)
}

fn yyyymmdd(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d / 10_000, (d / 100) % 100, d % 100)
}

/// Parses an RFC 3339 date-time (`T`, fractions, `Z` or an offset) into ms since the epoch;
/// `None` if malformed or before 1970.
pub fn parse_rfc3339(s: &str) -> Option<Timestamp> {
    let b = s.as_bytes();
    let num = |from: usize, to: usize| -> Option<i64> {
        let t = b.get(from..to)?;
        if t.is_empty() || !t.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(t.iter().fold(0i64, |v, d| v * 10 + i64::from(d - b'0')))
    };
    let at = |i: usize, c: &[u8]| b.get(i).is_some_and(|x| c.contains(x));
    if !(at(4, b"-") && at(7, b"-") && at(10, b"Tt") && at(13, b":") && at(16, b":")) {
        return None;
    }
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = match mo {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if d < 1 || d > dim || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let sec = sec.min(59); // a leap second is taken as the second before it
    let mut i = 19;
    let mut frac_ms = 0i64;
    if at(i, b".") {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        for k in 0..3 {
            let digit = b.get(start + k).filter(|_| start + k < i).map_or(0, |c| i64::from(c - b'0'));
            frac_ms = frac_ms * 10 + digit;
        }
    }
    let offset_secs = match b.get(i..)? {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), ..] if b.len() == i + 6 && at(i + 3, b":") => {
            let (oh, om) = (num(i + 1, i + 3)?, num(i + 4, i + 6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + sec - offset_secs;
    if secs < 0 {
        return None;
    }
    u64::try_from(secs * 1000 + frac_ms).ok()
}

// ---- identifiers --------------------------------------------------------------------------

fn pct_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn pct_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(h, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The Digital Link EPC class of a lot: `https://id.gs1.org/01/{gtin14}/10/{lot}`.
pub fn lot_class_uri(gtin: &Gtin, lot: &str) -> String {
    format!("{DIGITAL_LINK_HOST}/01/{gtin}/10/{}", pct_encode(lot))
}

fn is_gln(code: &[u8]) -> bool {
    code.len() == 13 && code.iter().all(u8::is_ascii_digit)
}

fn is_un_locode(code: &[u8]) -> bool {
    code.len() == UN_LOCODE_LEN && CountryCode::parse(&code[..2]).is_some_and(|c| c.0[..] == code[..2])
        && code[2..].iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
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

fn hex32(h: &Hash32) -> String {
    format!("0x{}", hex::encode(h))
}

/// A string that is safe to give as a `uri`: an absolute http(s) URI of visible ASCII.
fn plain_http_uri(s: &str) -> bool {
    (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > 8
        && s.bytes().all(|b| b.is_ascii_graphic() && !b"\"<>\\^`{|}".contains(&b))
}

// ---- export -------------------------------------------------------------------------------

/// Everything an export is built from: the chain's records of one lot.
#[derive(Debug, Clone)]
pub struct LotData {
    /// The product.
    pub gtin: Gtin,
    /// The lot's record.
    pub lot: Lot,
    /// Its trace, in order.
    pub events: Vec<TraceEvent>,
    /// Its attestations (inspections, customs clearances).
    pub lot_attestations: Vec<(AttestationId, Attestation)>,
    /// The product's factory, if known.
    pub factory: Option<FactoryId>,
    /// The factory's attestations (certifications).
    pub factory_attestations: Vec<(AttestationId, Attestation)>,
    /// The registry's address (names events).
    pub registry: AccountId,
    /// The attestation contract's address (names attestations).
    pub attestation_contract: AccountId,
    /// The chain's time, for attestations' status (ms).
    pub now: Timestamp,
    /// The document's creation time (ms).
    pub created: Timestamp,
}

fn step_vocab(step: BusinessStep) -> (String, Option<&'static str>) {
    use BusinessStep::*;
    let cbv = |s: &str| s.to_string();
    match step {
        Commissioning => (cbv("commissioning"), Some("active")),
        Packing => (cbv("packing"), Some("in_progress")),
        Shipping => (cbv("shipping"), Some("in_transit")),
        Arriving => (cbv("arriving"), Some("in_progress")),
        Receiving => (cbv("receiving"), Some("in_progress")),
        Storing => (cbv("storing"), Some("in_progress")),
        CustomsClearance => (customs_clearance_step(), Some("conformant")),
        Inspecting => (cbv("inspecting"), None),
        Holding => (cbv("holding"), Some("non_sellable_other")),
        Recalling => (recalling_step(), Some("recalled")),
    }
}

fn base_event(event_time: Timestamp, class: &str, item_count: u32) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!("ObjectEvent"));
    m.insert("eventTime".into(), json!(rfc3339(event_time)));
    m.insert("eventTimeZoneOffset".into(), json!("+00:00"));
    m.insert("quantityList".into(), json!([{ "epcClass": class, "quantity": item_count }]));
    m
}

fn put_location(m: &mut Map<String, Value>, loc: &Location, biz_location: bool) {
    if let Some(uri) = location_uri(loc) {
        m.insert("readPoint".into(), json!({ "id": uri }));
        if biz_location {
            m.insert("bizLocation".into(), json!({ "id": uri }));
        }
    }
    m.insert("tracepass:country".into(), json!(loc.country.to_string()));
}

fn status_name(s: AttestationStatus) -> &'static str {
    match s {
        AttestationStatus::Valid => "Valid",
        AttestationStatus::Expired => "Expired",
        AttestationStatus::Revoked => "Revoked",
    }
}

/// Builds the EPCIS 2.0 document of a lot from its chain records (see the module's tables) and
/// validates it against the schema: an export that fails the schema is an error, never a file.
pub fn build_document(d: &LotData) -> Result<Value> {
    let lot = String::from_utf8_lossy(&d.lot.info.lot_number).into_owned();
    let id = lot_id(&d.gtin, &d.lot.info.lot_number);
    let class = lot_class_uri(&d.gtin, &lot);
    let items = d.lot.info.item_count;
    let mut list: Vec<(Timestamp, Value)> = Vec::new();

    let factory_certs: Vec<Value> = d
        .factory_attestations
        .iter()
        .filter(|(_, a)| matches!(a.claim, Claim::FactoryCertification { .. }) && a.status_at(d.now) == AttestationStatus::Valid)
        .map(|(aid, _)| json!(attestation_uri(&d.attestation_contract, *aid)))
        .collect();
    let has_production = d.events.iter().any(|e| matches!(e.step, BusinessStep::Commissioning | BusinessStep::Packing));

    for (index, e) in d.events.iter().enumerate() {
        let mut m = base_event(e.event_time, &class, items);
        m.insert("eventID".into(), json!(format!("{TRACEPASS_NS}event/{}/{}/{index}", ss58(&d.registry), hex32(&id))));
        m.insert("recordTime".into(), json!(rfc3339(e.recorded_at)));
        let (step, disposition) = step_vocab(e.step);
        if e.step == BusinessStep::Commissioning {
            m.insert("action".into(), json!("ADD"));
            m.insert(
                "ilmd".into(),
                json!({ "cbvmda:lotNumber": lot, "cbvmda:itemExpirationDate": yyyymmdd(d.lot.info.expires_on), "tracepass:producedOn": yyyymmdd(d.lot.info.produced_on) }),
            );
        } else {
            m.insert("action".into(), json!("OBSERVE"));
        }
        m.insert("bizStep".into(), json!(step));
        if let Some(disp) = disposition {
            m.insert("disposition".into(), json!(disp));
        }
        put_location(&mut m, &e.location, !matches!(e.step, BusinessStep::Shipping | BusinessStep::Recalling));
        let production = matches!(e.step, BusinessStep::Commissioning | BusinessStep::Packing);
        if !factory_certs.is_empty() && (production || (!has_production && index == 0)) {
            m.insert("certificationInfo".into(), Value::Array(factory_certs.clone()));
            if let Some(f) = d.factory {
                m.insert("tracepass:factory".into(), json!(f));
            }
        }
        m.insert("tracepass:actor".into(), json!(ss58(&e.actor)));
        if e.document_hash != [0; 32] {
            m.insert("tracepass:documentHash".into(), json!(hex32(&e.document_hash)));
        }
        m.insert("tracepass:traceIndex".into(), json!(index));
        list.push((e.event_time, Value::Object(m)));
    }

    for (aid, a) in &d.lot_attestations {
        let uri = attestation_uri(&d.attestation_contract, *aid);
        let (time, mut m) = match &a.claim {
            Claim::QualityInspection { result, standard, items_sampled, report_hash, report_uri, inspected_at, selected, .. } => {
                let mut m = base_event(*inspected_at, &class, items);
                m.insert("action".into(), json!("OBSERVE"));
                m.insert("bizStep".into(), json!("inspecting"));
                let disp = if *result == InspectionResult::Pass { "conformant" } else { "non_conformant" };
                m.insert("disposition".into(), json!(disp));
                let report = String::from_utf8_lossy(report_uri).into_owned();
                let mut certs = vec![json!(uri)];
                if plain_http_uri(&report) {
                    certs.push(json!(report));
                } else if !report.is_empty() {
                    m.insert("tracepass:reportUri".into(), json!(report));
                }
                m.insert("certificationInfo".into(), Value::Array(certs));
                m.insert("tracepass:inspectionResult".into(), json!(format!("{result:?}")));
                m.insert("tracepass:standard".into(), json!(String::from_utf8_lossy(standard)));
                m.insert("tracepass:itemsSampled".into(), json!(items_sampled));
                m.insert("tracepass:selectedBySampling".into(), json!(selected));
                m.insert("tracepass:reportHash".into(), json!(hex32(report_hash)));
                (*inspected_at, m)
            }
            Claim::CustomsClearance { port, declaration_hash, cleared_at, .. } => {
                let mut m = base_event(*cleared_at, &class, items);
                m.insert("action".into(), json!("OBSERVE"));
                m.insert("bizStep".into(), json!(customs_clearance_step()));
                m.insert("disposition".into(), json!("conformant"));
                let country = port.get(..2).and_then(CountryCode::parse).unwrap_or(CountryCode(*b"ZZ"));
                if country.0 != *b"ZZ" {
                    put_location(&mut m, &Location { country, code: port.clone() }, true);
                }
                m.insert("certificationInfo".into(), json!(uri));
                m.insert("tracepass:declarationHash".into(), json!(hex32(declaration_hash)));
                (*cleared_at, m)
            }
            // a factory certification is not indexed under a lot; nothing to say here
            Claim::FactoryCertification { .. } => continue,
        };
        m.insert("eventID".into(), json!(format!("{TRACEPASS_NS}event/{}/{aid}", ss58(&d.attestation_contract))));
        m.insert("recordTime".into(), json!(rfc3339(a.issued_at)));
        m.insert("tracepass:attestationId".into(), json!(aid));
        m.insert("tracepass:issuer".into(), json!(ss58(&a.issuer)));
        m.insert("tracepass:attestationStatus".into(), json!(status_name(a.status_at(d.now))));
        if let Some(v) = a.valid_until {
            m.insert("tracepass:validUntil".into(), json!(rfc3339(v)));
        }
        if let Some(prev) = a.answers {
            m.insert("tracepass:answers".into(), json!(attestation_uri(&d.attestation_contract, prev)));
        }
        list.push((time, Value::Object(m)));
    }
    // chronological; trace events keep their order among equal times
    list.sort_by_key(|(t, _)| *t);

    let doc = json!({
        "@context": [EPCIS_CONTEXT, { "tracepass": TRACEPASS_NS }],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": rfc3339(d.created),
        "tracepass:lot": {
            "gtin": d.gtin.to_string(),
            "lotNumber": lot,
            "lotId": hex32(&id),
            "epcClass": class,
            "status": format!("{:?}", d.lot.status),
            "merchant": ss58(&d.lot.merchant),
            "itemCount": items,
            "producedOn": yyyymmdd(d.lot.info.produced_on),
            "expiresOn": yyyymmdd(d.lot.info.expires_on),
            "traceEvents": d.events.len(),
            "registry": ss58(&d.registry),
        },
        "epcisBody": { "eventList": list.into_iter().map(|(_, v)| v).collect::<Vec<_>>() },
    });
    validate(&doc).map_err(|e| ClientError::Chain(format!("internal error: the export fails the EPCIS schema ({e})")))?;
    Ok(doc)
}

/// The EPCIS 2.0 document of lot `lot` of `gtin`: its trace and attestations, read at one block,
/// validated against GS1's schema.
pub async fn export(tp: &Tracepass, gtin: Gtin, lot: &str) -> Result<Value> {
    let lot_number = crate::gs1::parse_lot(lot)?;
    let id = lot_id(&gtin, &lot_number);
    let at = tp.pinned().await?;
    let record = at
        .lot(id)
        .await?
        .ok_or_else(|| ClientError::Input(format!("lot {lot} of GTIN {gtin} is not registered")))?;
    let (events, lot_attestations, product, now) =
        tokio::try_join!(at.events(id), at.attestations_of_lot(id), at.product(gtin), at.chain.now_ms())?;
    let factory = product.map(|p| p.info.factory);
    let factory_attestations = match factory {
        Some(f) => at.attestations_of_factory(f).await?,
        None => Vec::new(),
    };
    let created = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    build_document(&LotData {
        gtin,
        lot: record,
        events,
        lot_attestations,
        factory,
        factory_attestations,
        registry: tp.registry,
        attestation_contract: tp.attestation,
        now,
        created,
    })
}

// ---- import: parsing ----------------------------------------------------------------------

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

fn import_step(v: &str) -> Option<BusinessStep> {
    use BusinessStep::*;
    if v == customs_clearance_step() {
        return Some(CustomsClearance);
    }
    let name = v.strip_prefix(CBV_BIZSTEP_URI).unwrap_or(v);
    Some(match name {
        "commissioning" => Commissioning,
        "packing" => Packing,
        "shipping" => Shipping,
        "arriving" => Arriving,
        "receiving" => Receiving,
        "storing" => Storing,
        "inspecting" => Inspecting,
        "holding" => Holding,
        _ => return None,
    })
}

/// A lot named by an EPC (or EPC class) URI.
fn epc_lot(uri: &str) -> std::result::Result<(Gtin, String), String> {
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
    let rest = uri
        .strip_prefix("https://")
        .or_else(|| uri.strip_prefix("http://"))
        .ok_or("is not a GS1 Digital Link URI (https://host/01/{gtin}/10/{lot}) or an LGTIN URN")?;
    let path = rest.split(['?', '#']).next().unwrap_or("");
    let segs: Vec<&str> = path.split('/').skip(1).collect();
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

/// A location URI → (country it implies, if any; code).
fn location_code(uri: &str) -> std::result::Result<(Option<CountryCode>, Vec<u8>), String> {
    if let Some(code) = uri.strip_prefix(UN_LOCODE_URI) {
        if !is_un_locode(code.as_bytes()) {
            return Err("is not a valid UN/LOCODE".into());
        }
        return Ok((CountryCode::parse(&code.as_bytes()[..2]), code.as_bytes().to_vec()));
    }
    if let Some(rest) = uri.strip_prefix(&format!("{TRACEPASS_NS}location/")) {
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
    if let Some(rest) = uri.strip_prefix("https://").or_else(|| uri.strip_prefix("http://")) {
        let path = rest.split(['?', '#']).next().unwrap_or("");
        let segs: Vec<&str> = path.split('/').skip(1).collect();
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
    let step = import_step(biz).ok_or_else(|| {
        if biz == recalling_step() {
            "recalls are recorded with `tracepass lot recall`, not imported".to_string()
        } else {
            format!("bizStep {:?} is not supported (commissioning, packing, shipping, arriving, receiving, storing, inspecting, holding, {})", clip(biz, 80), customs_clearance_step())
        }
    })?;
    let action = o.get("action").and_then(Value::as_str).unwrap_or("");
    match (action, step) {
        ("OBSERVE", _) | ("ADD", BusinessStep::Commissioning) => {}
        _ => return Err(format!("action {} is not supported for {biz} (OBSERVE, or ADD for commissioning)", clip(action, 20))),
    }
    let time_text = o.get("eventTime").and_then(Value::as_str).ok_or("has no eventTime")?;
    let event_time = parse_rfc3339(time_text).ok_or_else(|| format!("eventTime {:?} is not an RFC 3339 time after 1970", clip(time_text, 40)))?;

    // where
    let place = ["readPoint", "bizLocation"]
        .iter()
        .find_map(|k| o.get(*k).and_then(|p| p.get("id")).and_then(Value::as_str));
    let (implied, code) = match place {
        Some(uri) => location_code(uri).map_err(|e| format!("location {:?} {e}", clip(uri, 80)))?,
        None => (None, Vec::new()),
    };
    if code.len() > MAX_LOCATION_LEN || !code.iter().all(u8::is_ascii_alphanumeric) {
        return Err(format!("location code {:?} cannot be recorded (at most {MAX_LOCATION_LEN} letters or digits)", clip(&String::from_utf8_lossy(&code), 20)));
    }
    let country = match ext(o, "country") {
        Some(v) => {
            let cc = v.as_str().and_then(|s| CountryCode::parse(s.as_bytes())).ok_or("tracepass:country is not an ISO 3166-1 alpha-2 code")?;
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
    validate(&doc)?;
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

// ---- import: recording --------------------------------------------------------------------

/// What an import recorded, per lot.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LotImport {
    /// GTIN.
    pub gtin: String,
    /// Lot number.
    pub lot: String,
    /// 0x lot ID.
    pub lot_id: String,
    /// Events recorded on it.
    pub recorded: usize,
    /// Its trace length after the import.
    pub events_now: u32,
    /// Its status after the import.
    pub status: String,
}

/// What an import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportReport {
    /// Trace events recorded.
    pub recorded: usize,
    /// Per lot, in the document's order.
    pub lots: Vec<LotImport>,
    /// True: one `Utility.batch_all` extrinsic (all or nothing); false: one transaction per event.
    pub batched: bool,
    /// Events of the document found already recorded (a re-sent document): then nothing is sent.
    pub already_recorded: usize,
    /// The block of the (last) transaction, if one was sent.
    pub block: Option<String>,
}

/// Whether the runtime has `Utility.batch_all`.
pub fn has_batch_all(tp: &Tracepass) -> bool {
    tp.chain.api.metadata().pallet_by_name("Utility").and_then(|p| p.call_variant_by_name("batch_all")).is_some()
}

fn step_role(step: BusinessStep) -> Role {
    match step {
        BusinessStep::CustomsClearance | BusinessStep::Holding | BusinessStep::Arriving => Role::Customs,
        BusinessStep::Inspecting => Role::Agency,
        BusinessStep::Shipping | BusinessStep::Receiving | BusinessStep::Storing => Role::Logistics,
        _ => Role::Merchant,
    }
}

fn rejected(e: &ImportedEvent, why: &str) -> ClientError {
    ClientError::Input(format!(
        "document rejected, nothing recorded: event #{} ({:?} on lot {} of GTIN {}): {why}",
        e.index, e.step, e.lot, e.gtin
    ))
}

fn add_event_input(e: &ImportedEvent) -> Vec<u8> {
    let mut input = selectors::ADD_EVENT.to_vec();
    (e.lot_id, e.step, e.event_time, e.location.clone(), e.document_hash).encode_to(&mut input);
    input
}

fn margin(v: u64, percent: u64) -> u64 {
    v.saturating_add(v.saturating_mul(percent) / 100)
}

struct LotState {
    lot: Lot,
    trace: Vec<TraceEvent>,
    status: LotStatus,
    count: u32,
    moved: bool,
    recorded: usize,
}

/// A checked import, ready to submit: the events with each call's gas limit.
#[derive(Debug, Clone)]
pub struct ImportPlan {
    events: Vec<ImportedEvent>,
    limits: Vec<(u64, u64)>,
    deposit_limit: u128,
    already: usize,
    /// (lot, its record before, events recorded on it), in the document's order.
    lots: Vec<(LotId, Lot, usize)>,
}

impl ImportPlan {
    /// The events the plan records.
    pub fn events(&self) -> &[ImportedEvent] {
        &self.events
    }
    /// Events of the document found recorded already (then the plan records none).
    pub fn already_recorded(&self) -> usize {
        self.already
    }
}

/// Records `events` (from [`parse_document`]) as trace events, signed by `signer`: all or
/// nothing (module doc). A document naming an unknown lot, or with an event the contracts would
/// refuse, is rejected whole with the reason before anything is signed.
pub async fn import(tp: &Tracepass, signer: &Signer, events: &[ImportedEvent]) -> Result<ImportReport> {
    let plan = plan_import(tp, signer, events).await?;
    submit_import(tp, signer, &plan).await
}

/// The checks and dry runs of [`import`], without submitting: the plan, or why the document is
/// rejected (nothing is signed either way).
pub async fn plan_import(tp: &Tracepass, signer: &Signer, events: &[ImportedEvent]) -> Result<ImportPlan> {
    if events.is_empty() {
        return Err(ClientError::Input("nothing to import".into()));
    }
    if events.len() > MAX_IMPORT_EVENTS {
        return Err(ClientError::Input(format!("{} events; at most {MAX_IMPORT_EVENTS} are imported at once", events.len())));
    }
    let mut at = tp.pinned().await?;
    // On an instant-seal chain the clock is the last block's: after a quiet spell it lags, and
    // events that happened since would be refused as "in the future". Seal one block (a
    // System.remark, no trace event) to bring it up to date; times past the wall clock stay refused.
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    let latest = events.iter().map(|e| e.event_time).max().unwrap_or(0);
    if latest > at.chain.now_ms().await? && latest <= wall {
        tp.chain.remark(signer).await?;
        at = tp.pinned().await?;
    }
    let who = signer.account();
    let (now, role, merchant) = tokio::try_join!(at.chain.now_ms(), at.role_of(who), at.merchant(who))?;
    let merchant_active = merchant.is_some_and(|m| m.status == MerchantStatus::Active);

    // every lot named must exist
    let mut order: Vec<LotId> = Vec::new();
    let mut lots: HashMap<LotId, LotState> = HashMap::new();
    let mut unknown: Vec<String> = Vec::new();
    for e in events {
        if lots.contains_key(&e.lot_id) || order.contains(&e.lot_id) {
            continue;
        }
        order.push(e.lot_id);
        match at.lot(e.lot_id).await? {
            Some(l) => {
                let trace = at.events(e.lot_id).await?;
                lots.insert(e.lot_id, LotState { status: l.status, count: l.event_count, lot: l, trace, moved: false, recorded: 0 });
            }
            None => unknown.push(format!("event #{} names lot {} of GTIN {}", e.index, e.lot, e.gtin)),
        }
    }
    if !unknown.is_empty() {
        return Err(ClientError::Input(format!(
            "document rejected, nothing recorded: it names lots that are not registered: {}",
            unknown.join("; ")
        )));
    }

    // a re-sent document (a retry after a lost answer): every event is on the chain already,
    // recorded by this signer; nothing to send. Some but not all: refused, not half-imported.
    let recorded_before = |e: &ImportedEvent| {
        lots.get(&e.lot_id).is_some_and(|st| {
            st.trace.iter().any(|t| {
                t.actor == who && t.step == e.step && t.event_time == e.event_time && t.location == e.location && t.document_hash == e.document_hash
            })
        })
    };
    let dups: Vec<&ImportedEvent> = events.iter().filter(|e| recorded_before(e)).collect();
    if dups.len() == events.len() {
        let lots = order.into_iter().filter_map(|id| lots.remove(&id).map(|st| (id, st.lot, 0))).collect();
        return Ok(ImportPlan { events: Vec::new(), limits: Vec::new(), deposit_limit: 0, already: dups.len(), lots });
    }
    if let Some(e) = dups.first() {
        return Err(rejected(e, &format!(
            "it is recorded already ({} of the document's {} events are): was part of this document imported before?",
            dups.len(),
            events.len()
        )));
    }

    // the contract's checks, simulated in document order
    let mut dry_runnable = Vec::with_capacity(events.len());
    for e in events {
        let Some(st) = lots.get_mut(&e.lot_id) else {
            return Err(rejected(e, "lot vanished"));
        };
        let is_owner = st.lot.merchant == who && merchant_active;
        if role.is_none() {
            return Err(rejected(e, &describe(&Error::Unauthorized { account: who, role: step_role(e.step) })));
        }
        if !e.step.allowed_for(role, is_owner) {
            return Err(rejected(e, &describe(&Error::StepNotAllowed(e.step))));
        }
        let loc = &e.location;
        if !loc.country.is_valid() || loc.code.len() > MAX_LOCATION_LEN || !loc.code.iter().all(u8::is_ascii_alphanumeric) {
            return Err(rejected(e, &describe(&Error::Invalid(Field::Location))));
        }
        if e.event_time > now {
            return Err(rejected(e, &format!("its time {} is after the chain's clock ({})", rfc3339(e.event_time), rfc3339(now))));
        }
        if st.count >= MAX_EVENTS_PER_LOT {
            return Err(rejected(e, &format!("the lot would have more than {MAX_EVENTS_PER_LOT} trace events")));
        }
        st.count += 1;
        let mut runnable = true;
        if let Some(to) = e.step.moves_to() {
            if !st.status.can_become(to) {
                return Err(rejected(e, &describe(&Error::IllegalTransition { from: st.status, to })));
            }
            runnable = !st.moved;
            st.moved = true;
            st.status = to;
        }
        st.recorded += 1;
        dry_runnable.push(runnable);
    }

    // dry runs: the contract's own verdict and the gas each call needs
    let mut gas: Vec<Option<(u64, u64)>> = vec![None; events.len()];
    let (mut max_ref, mut max_proof, mut max_deposit) = (0u64, 0u64, 0i128);
    for (i, e) in events.iter().enumerate() {
        if !dry_runnable[i] {
            continue;
        }
        let dry = at.chain.dry_run(who, tp.registry, add_event_input(e)).await?;
        if let Some(err) = &dry.dispatch_error {
            return Err(rejected(e, &format!("the dry run failed: {err}")));
        }
        if dry.reverted {
            return Err(rejected(e, &decode_revert(&dry.data).to_string()));
        }
        let answer = {
            let input = &mut &dry.data[..];
            match u8::decode(input) {
                Ok(0) => std::result::Result::<u32, Error>::decode(input).ok(),
                _ => None,
            }
        };
        match answer {
            Some(Ok(_)) => {}
            Some(Err(err)) => return Err(rejected(e, &describe(&err))),
            None => return Err(rejected(e, "the contract's answer cannot be decoded")),
        }
        let g = dry.gas_required;
        gas[i] = Some((g.ref_time, g.proof_size));
        max_ref = max_ref.max(g.ref_time);
        max_proof = max_proof.max(g.proof_size);
        max_deposit = max_deposit.max(dry.storage_deposit);
    }
    // calls that could not be dry-run alone (a later status change of the same lot) get the
    // largest requirement seen, with twice the margin
    let limits: Vec<(u64, u64)> = gas
        .iter()
        .map(|g| match g {
            Some((r, p)) => (margin(*r, GAS_MARGIN_PERCENT), margin(*p, GAS_MARGIN_PERCENT)),
            None => (margin(max_ref, 2 * GAS_MARGIN_PERCENT), margin(max_proof, 2 * GAS_MARGIN_PERCENT)),
        })
        .collect();
    let deposit_limit = u128::try_from(max_deposit.max(0)).unwrap_or(0).saturating_mul(2).saturating_add(1_000_000_000);
    let lots = order
        .into_iter()
        .filter_map(|id| lots.remove(&id).map(|st| (id, st.lot, st.recorded)))
        .collect();
    Ok(ImportPlan { events: events.to_vec(), limits, deposit_limit, already: 0, lots })
}

/// Why a failed batch failed: the first event that the contract now refuses on its own, if any.
async fn diagnose(tp: &Tracepass, who: AccountId, events: &[ImportedEvent]) -> String {
    for e in events {
        if let Ok(dry) = tp.chain.dry_run(who, tp.registry, add_event_input(e)).await {
            if dry.reverted {
                return format!(
                    "; event #{} ({:?} on lot {}) is now refused: {}",
                    e.index,
                    e.step,
                    e.lot,
                    decode_revert(&dry.data)
                );
            }
        }
    }
    String::new()
}

/// Submits a checked plan (see [`import`]): one `Utility.batch_all` when the runtime has it,
/// else one transaction per event. A failed batch recorded nothing; the error says why.
pub async fn submit_import(tp: &Tracepass, signer: &Signer, plan: &ImportPlan) -> Result<ImportReport> {
    let (events, limits, deposit_limit) = (&plan.events, &plan.limits, plan.deposit_limit);
    let batched = has_batch_all(tp);
    let block: Option<H256> = if events.is_empty() {
        None
    } else if batched {
        use subxt::dynamic::Value as V;
        let calls: Vec<V> = events
            .iter()
            .zip(limits)
            .map(|(e, (r, p))| {
                V::unnamed_variant(
                    "Contracts",
                    [V::named_variant(
                        "call",
                        [
                            ("dest", V::unnamed_variant("Id", [V::from_bytes(AsRef::<[u8]>::as_ref(&tp.registry))])),
                            ("value", V::u128(0)),
                            ("gas_limit", V::named_composite([("ref_time", V::u128(u128::from(*r))), ("proof_size", V::u128(u128::from(*p)))])),
                            ("storage_deposit_limit", V::unnamed_variant("Some", [V::u128(deposit_limit)])),
                            ("data", V::from_bytes(add_event_input(e))),
                        ],
                    )],
                )
            })
            .collect();
        let tx = subxt::dynamic::tx("Utility", "batch_all", vec![V::unnamed_composite(calls)]);
        match tp.chain.submit(signer, &tx).await {
            Ok(inc) => Some(inc.block),
            Err(ClientError::Dispatch(reason)) => {
                let why = diagnose(tp, signer.account(), events).await;
                return Err(ClientError::Dispatch(format!(
                    "the Utility.batch_all of {} events failed as a whole, nothing was recorded: {reason}{why}",
                    events.len()
                )));
            }
            Err(other) => return Err(other),
        }
    } else {
        let mut last = H256::zero();
        for (k, e) in events.iter().enumerate() {
            match tp.add_event(signer, e.lot_id, e.step, e.event_time, e.location.clone(), e.document_hash).await {
                Ok(o) => last = o.included.block,
                Err(err) => {
                    return Err(ClientError::Input(format!(
                        "event #{} ({:?} on lot {}) failed after {k} of {} events were recorded (this runtime has no Utility.batch_all): {err}",
                        e.index,
                        e.step,
                        e.lot,
                        events.len()
                    )))
                }
            }
        }
        Some(last)
    };

    let mut report = ImportReport {
        recorded: events.len(),
        lots: Vec::new(),
        batched,
        already_recorded: plan.already,
        block: block.map(|b| format!("{b:?}")),
    };
    for (id, before, recorded) in &plan.lots {
        let after = tp.lot(*id).await?.unwrap_or_else(|| before.clone());
        report.lots.push(LotImport {
            gtin: before.info.gtin.to_string(),
            lot: String::from_utf8_lossy(&before.info.lot_number).into_owned(),
            lot_id: hex32(id),
            recorded: *recorded,
            events_now: after.event_count,
            status: format!("{:?}", after.status),
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracepass_shared::merkle::Node;
    use tracepass_shared::LotInput;

    const GTIN: &str = "10614141000415";
    const T0: Timestamp = 1_795_000_000_000; // 2026-11-18T11:06:40Z

    fn acc(b: u8) -> AccountId {
        AccountId::from([b; 32])
    }

    fn gtin() -> Gtin {
        Gtin::parse(GTIN.as_bytes()).unwrap()
    }

    fn loc(cc: &[u8; 2], code: &str) -> Location {
        Location { country: CountryCode(*cc), code: code.as_bytes().to_vec() }
    }

    fn ev(step: BusinessStep, t: Timestamp, l: Location) -> TraceEvent {
        TraceEvent { step, actor: acc(7), event_time: t, recorded_at: t + 6000, location: l, document_hash: [0; 32] }
    }

    fn data() -> LotData {
        let lot = Lot {
            info: LotInput { gtin: gtin(), lot_number: b"L/2026-11".to_vec(), item_count: 1000, root: Node::default(), produced_on: 20261101, expires_on: 20281101 },
            merchant: acc(1),
            registered_at: 10,
            status: LotStatus::Cleared,
            event_count: 6,
            recall_reason: None,
        };
        let mut shipped = ev(BusinessStep::Shipping, T0 + 2000, loc(b"NZ", "NZAKL"));
        shipped.document_hash = [9; 32];
        let events = vec![
            ev(BusinessStep::Commissioning, T0, loc(b"NZ", "9421000000004")),
            ev(BusinessStep::Packing, T0 + 1000, loc(b"NZ", "")),
            shipped,
            ev(BusinessStep::Arriving, T0 + 3000, loc(b"CN", "CNSHA")),
            ev(BusinessStep::CustomsClearance, T0 + 4000, loc(b"CN", "CNSHA")),
            ev(BusinessStep::Storing, T0 + 5000, loc(b"CN", "WH7")),
            ev(BusinessStep::Holding, T0 + 5500, loc(b"CN", "CNSHA")),
            ev(BusinessStep::Recalling, T0 + 9000, loc(b"NZ", "")),
        ];
        let inspection = Attestation {
            claim: Claim::QualityInspection {
                lot: lot_id(&gtin(), b"L/2026-11"),
                result: InspectionResult::Pass,
                standard: b"GB 10765-2021".to_vec(),
                items_sampled: 12,
                report_hash: [3; 32],
                report_uri: b"https://lab.example/r/1".to_vec(),
                inspected_at: T0 + 4500,
                selected: true,
            },
            issuer: acc(4),
            issued_at: T0 + 4600,
            valid_until: Some(T0 + 86_400_000),
            answers: None,
            revoked: None,
        };
        let customs = Attestation {
            claim: Claim::CustomsClearance { lot: lot_id(&gtin(), b"L/2026-11"), port: b"CNSHA".to_vec(), declaration_hash: [5; 32], cleared_at: T0 + 4100 },
            issuer: acc(5),
            issued_at: T0 + 4200,
            valid_until: None,
            answers: None,
            revoked: None,
        };
        let cert = Attestation {
            claim: Claim::FactoryCertification { factory: 1, category: 1001, standard: b"ISO 22000".to_vec(), certificate_hash: [6; 32] },
            issuer: acc(4),
            issued_at: T0 - 1000,
            valid_until: Some(T0 + 86_400_000),
            answers: None,
            revoked: None,
        };
        LotData {
            gtin: gtin(),
            lot,
            events,
            lot_attestations: vec![(1, inspection), (2, customs)],
            factory: Some(1),
            factory_attestations: vec![(3, cert)],
            registry: acc(0xaa),
            attestation_contract: acc(0xbb),
            now: T0 + 10_000,
            created: T0 + 20_000,
        }
    }

    fn partner_doc(events: Vec<Value>) -> String {
        json!({
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", { "tracepass": TRACEPASS_NS }],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2026-11-20T10:00:00Z",
            "epcisBody": { "eventList": events },
        })
        .to_string()
    }

    fn partner_event(biz: &str, epc: &str) -> Value {
        json!({
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "bizStep": biz,
            "disposition": "in_progress",
            "eventTime": "2026-11-20T08:30:00.250+08:00",
            "eventTimeZoneOffset": "+08:00",
            "epcList": [epc],
            "readPoint": { "id": "https://vocabulary.uncefact.org/unlocode#CNSHA" },
        })
    }

    fn err(text: &str) -> String {
        parse_document(text).unwrap_err().to_string()
    }

    #[test]
    fn times_roundtrip() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(T0 + 123), "2026-11-18T11:06:40.123Z");
        for t in [0, 1, 999, T0, T0 + 86_399_999, 4_102_444_800_000] {
            assert_eq!(parse_rfc3339(&rfc3339(t)), Some(t), "{t}");
        }
        assert_eq!(parse_rfc3339("2026-11-18T19:06:40.1+08:00"), Some(T0 + 100));
        assert_eq!(parse_rfc3339("2026-11-18T11:06:40Z"), Some(T0));
        assert_eq!(parse_rfc3339("2026-11-18T03:06:40.999999-08:00"), Some(T0 + 999));
        assert_eq!(parse_rfc3339("2024-02-29T00:00:00-00:30"), Some(1_709_166_600_000));
        for bad in ["", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z", "2026-11-19T08:26:40", "2026-11-19T08:26:40.Z", "1969-12-31T23:59:59Z", "2026-11-19T08:26:40+0800", "２０２６-11-19T08:26:40Z", "2026-11-19T08:26:40+24:00"] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }

    #[test]
    fn export_validates_against_the_schema() {
        let d = data();
        let doc = build_document(&d).expect("valid");
        validate(&doc).unwrap();
        let list = doc.pointer("/epcisBody/eventList").unwrap().as_array().unwrap();
        assert_eq!(list.len(), 10, "8 trace events + 2 attestations");
        let steps: Vec<&str> = list.iter().map(|e| e["bizStep"].as_str().unwrap()).collect();
        assert_eq!(steps[0], "commissioning");
        assert!(steps.contains(&customs_clearance_step().as_str()));
        assert_eq!(list[0]["action"], "ADD");
        assert_eq!(list[0]["quantityList"][0]["epcClass"], "https://id.gs1.org/01/10614141000415/10/L%2F2026-11");
        assert_eq!(list[0]["quantityList"][0]["quantity"], 1000);
        assert_eq!(list[0]["readPoint"]["id"], "https://id.gs1.org/414/9421000000004");
        assert_eq!(list[0]["certificationInfo"][0], attestation_uri(&acc(0xbb), 3));
        assert_eq!(list[1]["certificationInfo"][0], attestation_uri(&acc(0xbb), 3), "packing is production too");
        assert!(list[1].get("readPoint").is_none(), "no location code");
        let ship = &list[2];
        assert_eq!((ship["bizStep"].as_str(), ship["disposition"].as_str()), (Some("shipping"), Some("in_transit")));
        assert_eq!(ship["readPoint"]["id"], "https://vocabulary.uncefact.org/unlocode#NZAKL");
        assert!(ship.get("bizLocation").is_none());
        assert_eq!(ship["tracepass:documentHash"], format!("0x{}", "09".repeat(32)));
        assert_eq!(ship["eventTime"], rfc3339(T0 + 2000));
        assert_eq!(ship["recordTime"], rfc3339(T0 + 8000));
        let inspection = list.iter().find(|e| e.get("tracepass:inspectionResult").is_some()).unwrap();
        assert_eq!(inspection["disposition"], "conformant");
        assert_eq!(inspection["certificationInfo"], json!([attestation_uri(&acc(0xbb), 1), "https://lab.example/r/1"]));
        let customs = list.iter().find(|e| e.get("tracepass:declarationHash").is_some()).unwrap();
        assert_eq!(customs["certificationInfo"], json!(attestation_uri(&acc(0xbb), 2)));
        assert_eq!(customs["bizLocation"]["id"], "https://vocabulary.uncefact.org/unlocode#CNSHA");
        let storing = list.iter().find(|e| e["bizStep"] == "storing").unwrap();
        assert_eq!(storing["readPoint"]["id"], format!("{TRACEPASS_NS}location/CN/WH7"));
        let recall = list.last().unwrap();
        assert_eq!((recall["bizStep"].as_str(), recall["disposition"].as_str()), (Some(recalling_step().as_str()), Some("recalled")));
        // times are in order
        let times: Vec<u64> = list.iter().map(|e| parse_rfc3339(e["eventTime"].as_str().unwrap()).unwrap()).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    }

    #[test]
    fn export_of_an_empty_trace_and_odd_data_validates() {
        let mut d = data();
        d.events.clear();
        d.lot_attestations.clear();
        build_document(&d).unwrap();
        // factory certifications go on the first event when no production was recorded
        let mut d = data();
        d.events.retain(|e| !matches!(e.step, BusinessStep::Commissioning | BusinessStep::Packing));
        if let Claim::QualityInspection { report_uri, result, .. } = &mut d.lot_attestations[0].1.claim {
            *report_uri = b"not a uri at all".to_vec();
            *result = InspectionResult::Fail;
        }
        d.lot_attestations[0].1.revoked = Some((acc(4), [1; 32]));
        let doc = build_document(&d).unwrap();
        let list = doc["epcisBody"]["eventList"].as_array().unwrap();
        assert_eq!(list[0]["certificationInfo"][0], attestation_uri(&acc(0xbb), 3));
        let inspection = list.iter().find(|e| e.get("tracepass:inspectionResult").is_some()).unwrap();
        assert_eq!(inspection["disposition"], "non_conformant");
        assert_eq!(inspection["tracepass:attestationStatus"], "Revoked");
        assert_eq!(inspection["tracepass:reportUri"], "not a uri at all");
    }

    #[test]
    fn the_vendored_example_validates() {
        // GS1's own example (shortened): the schema as compiled here accepts it
        let doc: Value = serde_json::from_str(
            r#"{"@context":["https://gs1.github.io/EPCIS/epcis-context-simple.jsonld",{"example":"http://ns.example.com/epcis/"}],
            "type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2005-07-11T11:30:47.0Z",
            "epcisBody":{"eventList":[{"type":"ObjectEvent","action":"OBSERVE","bizStep":"shipping","disposition":"in_transit",
            "epcList":["https://id.gs1.org/01/70614141123451/21/2017"],"eventTime":"2005-04-03T20:33:31.116000-06:00",
            "eventTimeZoneOffset":"-06:00","readPoint":{"id":"urn:epc:id:sgln:0614141.07346.1234"},"example:myField":"x"}]}}"#,
        )
        .unwrap();
        validate(&doc).unwrap();
    }

    #[test]
    fn partner_document_parses() {
        let dl = "https://example.com/01/10614141000415/10/L1/21/S0001";
        let mut second = partner_event("https://ref.gs1.org/cbv/BizStep-storing", "urn:epc:class:lgtin:0614141.100041.L2");
        second["readPoint"] = json!({ "id": "urn:epc:id:sgln:0614141.00001.0" });
        second["tracepass:country"] = json!("nz");
        second["tracepass:documentHash"] = json!(format!("0x{}", "ab".repeat(32)));
        second["quantityList"] = json!([{ "epcClass": "https://id.gs1.org/01/10614141000415/10/L1", "quantity": 5 }]);
        let custom = partner_event(&customs_clearance_step(), dl);
        let got = parse_document(&partner_doc(vec![partner_event("arriving", dl), second, custom])).unwrap();
        assert_eq!(got.len(), 4, "the second event names two lots");
        assert_eq!(got[0].step, BusinessStep::Arriving);
        assert_eq!((got[0].index, got[0].lot.as_str()), (0, "L1"));
        assert_eq!(got[0].event_time, parse_rfc3339("2026-11-20T00:30:00.250Z").unwrap());
        assert_eq!(got[0].location, loc(b"CN", "CNSHA"));
        assert_eq!(got[0].document_hash, [0; 32]);
        assert_eq!(got[0].lot_id, lot_id(&gtin(), b"L1"));
        assert_eq!((got[1].index, got[1].lot.as_str(), got[1].step), (1, "L2", BusinessStep::Storing));
        assert_eq!(got[1].gtin, gtin());
        assert_eq!(got[1].location, loc(b"NZ", "0614141000012"));
        assert_eq!(got[1].document_hash, [0xab; 32]);
        assert_eq!((got[2].index, got[2].lot.as_str()), (1, "L1"));
        assert_eq!(got[3].step, BusinessStep::CustomsClearance);
    }

    #[test]
    fn export_parses_back_into_its_trace() {
        // the trace events (not the attestation events, nor the recall) read back as they were
        let mut d = data();
        d.lot_attestations.clear();
        d.events.pop();
        let mut doc = build_document(&d).unwrap();
        for e in doc["epcisBody"]["eventList"].as_array().unwrap() {
            // a GLN location needs its country spelled out; exports always carry it
            assert!(e.get("tracepass:country").is_some());
        }
        let got = parse_document(&doc.to_string()).unwrap();
        assert_eq!(got.len(), d.events.len());
        for (g, e) in got.iter().zip(&d.events) {
            assert_eq!((g.step, g.event_time, &g.location, g.document_hash), (e.step, e.event_time, &e.location, e.document_hash));
            assert_eq!(g.lot, "L/2026-11");
        }
        assert_eq!(doc["epcisBody"]["eventList"][2]["bizStep"], "shipping");
        doc["epcisBody"]["eventList"][2]["action"] = json!("DELETE");
        let e = parse_document(&doc.to_string()).unwrap_err().to_string();
        assert!(e.contains("event #2") && e.contains("action DELETE"), "{e}");
    }

    #[test]
    fn malformed_documents_are_rejected() {
        let dl = "https://id.gs1.org/01/10614141000415/10/L1";
        // not JSON
        assert!(err("{ not json").contains("not JSON"), "{}", err("{ not json"));
        assert!(err("").contains("not JSON"));
        assert!(err("[]").contains("not an EPCIS document"));
        // schema violations, with where
        let mut bad = partner_event("shipping", dl);
        bad["action"] = json!("TELEPORT");
        let e = err(&partner_doc(vec![bad]));
        assert!(e.contains("EPCIS 2.0 schema") && e.contains("/epcisBody/eventList/0"), "{e}");
        let mut bad = partner_event("shipping", dl);
        bad.as_object_mut().unwrap().remove("eventTimeZoneOffset");
        assert!(err(&partner_doc(vec![bad])).contains("schema"));
        for (field, value) in [
            ("readPoint", json!({ "id": "not a uri" })),
            ("eventTime", json!("2026-02-30T00:00:00Z")),
            ("bizStep", json!("urn:epcglobal:cbv:bizstep:shipping")),
            ("epcList", json!("https://id.gs1.org/01/10614141000415/10/L1")),
        ] {
            let mut bad = partner_event("shipping", dl);
            bad[field] = value;
            let e = err(&partner_doc(vec![partner_event("shipping", dl), bad]));
            assert!(e.contains("schema") && e.contains("/epcisBody/eventList/1"), "{field}: {e}");
        }
        let no_context = json!({ "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2026-01-01T00:00:00Z", "epcisBody": { "eventList": [] } });
        assert!(err(&no_context.to_string()).contains("@context"), "{}", err(&no_context.to_string()));
        // unknown / unsupported business steps
        let e = err(&partner_doc(vec![partner_event("arriving", dl), partner_event("picking", dl)]));
        assert!(e.contains("event #1") && e.contains("picking") && e.contains("not supported"), "{e}");
        let e = err(&partner_doc(vec![partner_event("https://example.com/steps/teleporting", dl)]));
        assert!(e.contains("event #0") && e.contains("teleporting"), "{e}");
        let e = err(&partner_doc(vec![partner_event(&recalling_step(), dl)]));
        assert!(e.contains("lot recall"), "{e}");
        // actions and event types
        let mut add = partner_event("shipping", dl);
        add["action"] = json!("ADD");
        assert!(err(&partner_doc(vec![add])).contains("action ADD"));
        let agg = json!({ "type": "AggregationEvent", "action": "ADD", "eventTime": "2026-11-20T08:30:00Z", "eventTimeZoneOffset": "+00:00", "parentID": "https://id.gs1.org/00/106141412345678908", "childEPCs": ["https://id.gs1.org/01/10614141000415/21/S1"] });
        let e = err(&partner_doc(vec![agg]));
        assert!(e.contains("event #0") && e.contains("AggregationEvent"), "{e}");
        // EPCs that name no lot, or are not GS1 at all
        for (epc, why) in [
            ("https://id.gs1.org/01/10614141000415/21/S1", "names no lot"),
            ("urn:epc:id:sgtin:0614141.100041.S1", "names no lot"),
            ("https://id.gs1.org/01/10614141000416/10/L1", "GTIN"),
            ("https://id.gs1.org/01/10614141000415/10/L%20%201", "lot"),
            ("https://id.gs1.org/01/10614141000415/10", "without a value"),
            ("urn:isbn:0451450523", "not a GS1 Digital Link"),
            ("https://example.com/products/42", "no /01/"),
        ] {
            let e = err(&partner_doc(vec![partner_event("shipping", dl), partner_event("shipping", epc)]));
            assert!(e.contains("event #1") && e.contains(why), "{epc}: {e}");
        }
        // locations
        let mut no_country = partner_event("shipping", dl);
        no_country["readPoint"] = json!({ "id": "https://id.gs1.org/414/9421000000004" });
        assert!(err(&partner_doc(vec![no_country])).contains("no country"));
        let mut bad_gln = partner_event("shipping", dl);
        bad_gln["readPoint"] = json!({ "id": "https://id.gs1.org/414/9421000000006" });
        assert!(err(&partner_doc(vec![bad_gln])).contains("GLN"));
        let mut contradiction = partner_event("shipping", dl);
        contradiction["tracepass:country"] = json!("NZ");
        assert!(err(&partner_doc(vec![contradiction])).contains("contradicts"));
        // too many events
        let many: Vec<Value> = (0..=MAX_IMPORT_EVENTS).map(|_| partner_event("storing", dl)).collect();
        let e = err(&partner_doc(many));
        assert!(e.contains(&format!("at most {MAX_IMPORT_EVENTS}")), "{e}");
        // ... also when a few events name many lots
        let wide: Vec<String> = (0..40).map(|i| format!("https://id.gs1.org/01/10614141000415/10/L{i}")).collect();
        let mut e1 = partner_event("storing", dl);
        e1["epcList"] = json!(wide);
        let e = err(&partner_doc(vec![e1.clone(), e1]));
        assert!(e.contains("80 lot events"), "{e}");
        // too large, and empty
        assert!(err(&" ".repeat(MAX_DOCUMENT_BYTES + 1)).contains("larger"));
        assert!(err(&partner_doc(vec![])).contains("no events"));
    }

    #[test]
    fn arbitrary_input_never_panics() {
        let base = partner_doc(vec![partner_event("shipping", "https://id.gs1.org/01/10614141000415/10/L1")]);
        // every prefix and some byte flips of a valid document, plus odd values in every field
        for cut in (0..base.len()).step_by(7) {
            let _ = parse_document(base.get(..cut).unwrap_or(""));
        }
        let odd = [json!(null), json!(1e308), json!(-1), json!([]), json!({}), json!("é\u{0}"), json!("%"), json!("https://x/01/"), json!("2026-02-30T00:00:00Z")];
        let fields = ["type", "action", "bizStep", "eventTime", "epcList", "quantityList", "readPoint", "tracepass:country", "tracepass:documentHash", "bizLocation"];
        for f in fields {
            for v in &odd {
                let mut e = partner_event("shipping", "https://id.gs1.org/01/10614141000415/10/L1");
                e[f] = v.clone();
                let _ = parse_document(&partner_doc(vec![e.clone()]));
                e[f] = json!([v.clone()]);
                let _ = parse_document(&partner_doc(vec![e]));
            }
        }
        for s in ["urn:epc:class:lgtin:", "urn:epc:class:lgtin:...", "urn:epc:class:lgtin:1.2.3", "urn:epc:class:lgtin:0614141.é00041.L", "https:///01//10/", "https://x/01/10614141000415/10/%E2%28"] {
            let _ = epc_lot(s);
        }
        for s in ["urn:epc:id:sgln:", "urn:epc:id:sgln:.", "https://x/414/", "https://vocabulary.uncefact.org/unlocode#é", "https://ns.tracepass.local/epcis/location/", "https://ns.tracepass.local/epcis/location/NZ/%"] {
            let _ = location_code(s);
        }
        // random byte mutations of a valid partner document (a poor man's fuzzer, deterministic)
        let mut doc = partner_event("shipping", "https://id.gs1.org/01/10614141000415/10/L1");
        doc["readPoint"] = json!({ "id": "urn:epc:id:sgln:0614141.00001.0" });
        doc["tracepass:country"] = json!("NZ");
        doc["quantityList"] = json!([{ "epcClass": "urn:epc:class:lgtin:0614141.100041.L%2F2" }]);
        let base = partner_doc(vec![doc]).into_bytes();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let alphabet = b"{}[]\":,.0123456789-+/%#?ZTe\\ \x00\xff";
        for _ in 0..3000 {
            let mut b = base.clone();
            for _ in 0..(next() % 4 + 1) {
                let at = (next() % b.len() as u64) as usize;
                let c = alphabet[(next() % alphabet.len() as u64) as usize];
                match next() % 3 {
                    0 => b[at] = c,
                    1 => b.insert(at, c),
                    _ => {
                        b.remove(at);
                    }
                }
            }
            let _ = parse_document(&String::from_utf8_lossy(&b));
        }
        for s in ["2026-11-19T08:26:40.", "2026-11-19T08:26:40.1234567890123456789012Z", "9999-12-31T23:59:60.999-23:59", "0000-01-01T00:00:00+23:59", "2026-11-19T08:26:40+", "2026-11-19T08:26:40é"] {
            let _ = parse_rfc3339(s);
        }
    }
}
