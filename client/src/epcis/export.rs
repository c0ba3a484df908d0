//! A lot's chain records as one EPCIS 2.0 document.
//!
//! One `ObjectEvent` per trace event and one per attestation of the lot (an inspection, a
//! customs clearance), in event-time order; the lot is `quantityList`'s EPC class with its item
//! count. Business step, disposition, action and where the location goes follow the table in
//! `vocab.rs`; commissioning also carries the lot's `ilmd` (lot number, expiry). Attestations are
//! certification information: an attestation event's `certificationInfo` is its URI (and the
//! inspection report's, when it has one); the factory's certifications valid at export time are
//! the `certificationInfo` of the lot's production events (Commissioning, Packing), or of its
//! first event if none was recorded.

use super::uri::{attestation_uri, location_uri, lot_class_uri, plain_http_uri};
use super::times::{iso_date, rfc3339};
use super::vocab::{self, Place};
use super::{hex32, schema, wall_clock_ms, EPCIS_CONTEXT, TRACEPASS_NS};
use crate::chain::AccountId;
use crate::fmt::ss58;
use crate::contracts::Tracepass;
use crate::error::{ClientError, Result};
use serde_json::{json, Map, Value};
use tracepass_shared::{
    lot_id, Attestation, AttestationId, AttestationStatus, BusinessStep, Claim, CountryCode, FactoryId, Gtin, Location, Lot,
    Timestamp, TraceEvent,
};

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

fn base_event(event_time: Timestamp, class: &str, item_count: u32) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("type".into(), json!("ObjectEvent"));
    m.insert("eventTime".into(), json!(rfc3339(event_time)));
    m.insert("eventTimeZoneOffset".into(), json!("+00:00"));
    m.insert("quantityList".into(), json!([{ "epcClass": class, "quantity": item_count }]));
    m
}

/// The location as `readPoint` (and `bizLocation`), and its country as `tracepass:country`.
fn put_location(m: &mut Map<String, Value>, loc: &Location, place: Place) {
    if let Some(uri) = location_uri(loc) {
        m.insert("readPoint".into(), json!({ "id": uri }));
        if place == Place::ReadPointAndBizLocation {
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

/// The `eventID` of a lot's trace event `index`.
pub fn trace_event_id(registry: &AccountId, lot: &tracepass_shared::LotId, index: u32) -> String {
    format!("{TRACEPASS_NS}event/{}/{}/{index}", ss58(registry), hex32(lot))
}

/// The `eventID` of attestation `id`'s event.
pub fn attestation_event_id(contract: &AccountId, id: AttestationId) -> String {
    format!("{TRACEPASS_NS}event/{}/{id}", ss58(contract))
}

fn is_production(step: BusinessStep) -> bool {
    matches!(step, BusinessStep::Commissioning | BusinessStep::Packing)
}

/// Builds the EPCIS 2.0 document of a lot from its chain records (see the module doc) and
/// validates it against the schema: an export that fails the schema is an error, never a file.
pub fn build_document(d: &LotData) -> Result<Value> {
    let doc = document(d);
    schema::validate(&doc).map_err(|e| ClientError::Chain(format!("internal error: the export fails the EPCIS schema ({e})")))?;
    Ok(doc)
}

/// [`build_document`] without the schema check, for the query interface, which renders many
/// lots per request (its answers are checked against the schema by the index suite).
pub fn document(d: &LotData) -> Value {
    let lot = crate::fmt::text(&d.lot.info.lot_number);
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
    let has_production = d.events.iter().any(|e| is_production(e.step));

    for (index, e) in d.events.iter().enumerate() {
        let terms = vocab::terms(e.step);
        let mut m = base_event(e.event_time, &class, items);
        m.insert("eventID".into(), json!(trace_event_id(&d.registry, &id, index as u32)));
        m.insert("recordTime".into(), json!(rfc3339(e.recorded_at)));
        m.insert("action".into(), json!(terms.action));
        if e.step == BusinessStep::Commissioning {
            m.insert(
                "ilmd".into(),
                json!({ "cbvmda:lotNumber": lot, "cbvmda:itemExpirationDate": iso_date(d.lot.info.expires_on), "tracepass:producedOn": iso_date(d.lot.info.produced_on) }),
            );
        }
        m.insert("bizStep".into(), json!(terms.biz_step()));
        if let Some(disp) = terms.disposition {
            m.insert("disposition".into(), json!(disp));
        }
        put_location(&mut m, &e.location, terms.place);
        if !factory_certs.is_empty() && (is_production(e.step) || (!has_production && index == 0)) {
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
                m.insert("bizStep".into(), json!(vocab::terms(BusinessStep::Inspecting).biz_step()));
                m.insert("disposition".into(), json!(vocab::inspection_disposition(*result)));
                let report = crate::fmt::text(report_uri);
                let mut certs = vec![json!(uri)];
                if plain_http_uri(&report) {
                    certs.push(json!(report));
                } else if !report.is_empty() {
                    m.insert("tracepass:reportUri".into(), json!(report));
                }
                m.insert("certificationInfo".into(), Value::Array(certs));
                m.insert("tracepass:inspectionResult".into(), json!(format!("{result:?}")));
                m.insert("tracepass:standard".into(), json!(crate::fmt::text(standard)));
                m.insert("tracepass:itemsSampled".into(), json!(items_sampled));
                m.insert("tracepass:selectedBySampling".into(), json!(selected));
                m.insert("tracepass:reportHash".into(), json!(hex32(report_hash)));
                (*inspected_at, m)
            }
            Claim::CustomsClearance { port, declaration_hash, cleared_at, .. } => {
                let terms = vocab::terms(BusinessStep::CustomsClearance);
                let mut m = base_event(*cleared_at, &class, items);
                m.insert("action".into(), json!(terms.action));
                m.insert("bizStep".into(), json!(terms.biz_step()));
                m.insert("disposition".into(), json!(terms.disposition));
                let country = port.get(..2).and_then(CountryCode::parse).unwrap_or(CountryCode(*b"ZZ"));
                if country.0 != *b"ZZ" {
                    put_location(&mut m, &Location { country, code: port.clone() }, terms.place);
                }
                m.insert("certificationInfo".into(), json!(uri));
                m.insert("tracepass:declarationHash".into(), json!(hex32(declaration_hash)));
                (*cleared_at, m)
            }
            // a factory certification is not indexed under a lot; nothing to say here
            Claim::FactoryCertification { .. } => continue,
        };
        m.insert("eventID".into(), json!(attestation_event_id(&d.attestation_contract, *aid)));
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

    json!({
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
            "producedOn": iso_date(d.lot.info.produced_on),
            "expiresOn": iso_date(d.lot.info.expires_on),
            "traceEvents": d.events.len(),
            "registry": ss58(&d.registry),
        },
        "epcisBody": { "eventList": list.into_iter().map(|(_, v)| v).collect::<Vec<_>>() },
    })
}

/// The EPCIS 2.0 document of lot `lot` of `gtin`: its trace and attestations, read at one block,
/// validated against GS1's schema.
pub async fn export(tp: &Tracepass, gtin: Gtin, lot: &str) -> Result<Value> {
    crate::gs1::parse_lot(lot)?;
    let facts = crate::verify::read_lot_facts(&tp.pinned().await?, gtin, lot).await?;
    let Some(reg) = facts.registered else {
        return Err(ClientError::Input(format!("lot {lot} of GTIN {gtin} is not registered")));
    };
    build_document(&LotData {
        gtin,
        lot: reg.lot,
        events: reg.trace,
        lot_attestations: reg.attestations,
        factory: Some(reg.product.info.factory),
        factory_attestations: reg.factory_attestations,
        registry: tp.registry,
        attestation_contract: tp.attestation,
        now: facts.block_time,
        created: wall_clock_ms(),
    })
}
