//! The module's unit tests: export, parsing, times and URIs, no node needed (the end-to-end
//! suite, `tests/epcis.rs`, imports on a real chain).

use super::uri::{epc_lot, location_code};
use super::*;
use crate::chain::AccountId;
use serde_json::{json, Value};
use tracepass_shared::merkle::Node;
use tracepass_shared::{
    lot_id, Attestation, BusinessStep, Claim, CountryCode, Gtin, InspectionResult, Location, Lot, LotInput, LotStatus, Timestamp,
    TraceEvent,
};

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

/// Every business step the chain knows (SCALE decodes variants by index until one is missing).
fn all_steps() -> Vec<BusinessStep> {
    use parity_scale_codec::Decode;
    (0u8..=u8::MAX).map_while(|i| BusinessStep::decode(&mut &[i][..]).ok()).collect()
}

#[test]
fn the_vocabulary_reads_both_ways() {
    let steps = all_steps();
    assert_eq!(steps.len(), 10);
    for step in steps {
        let t = vocab::terms(step);
        assert_eq!(t.step, step);
        let back = vocab::step_of(&t.biz_step()).expect("every written bizStep reads back");
        assert_eq!(back.step, step);
        assert_eq!(back.not_importable.is_some(), step == BusinessStep::Recalling, "{step:?}");
        if !t.biz_step().starts_with(TRACEPASS_NS) {
            assert_eq!(vocab::step_of(&format!("https://ref.gs1.org/cbv/BizStep-{}", t.biz_step())).map(|r| r.step), Some(step));
        }
    }
    assert_eq!(vocab::terms(BusinessStep::Commissioning).action, "ADD");
    assert!(vocab::step_of("customs_clearance").is_none(), "tracepass's own steps are URIs only");
    assert!(vocab::step_of("https://ref.gs1.org/cbv/BizStep-customs_clearance").is_none());
    assert_eq!(
        vocab::importable(),
        format!("commissioning, packing, shipping, arriving, receiving, storing, inspecting, holding, {}", customs_clearance_step())
    );
    assert_eq!(customs_clearance_step(), format!("{TRACEPASS_NS}bizstep/customs_clearance"));
    assert_eq!(recalling_step(), format!("{TRACEPASS_NS}bizstep/recalling"));
}

#[test]
fn percent_encoding_of_lots_and_locations() {
    let lot = "L/2026 x+ü~._-";
    let uri = lot_class_uri(&gtin(), lot);
    assert_eq!(uri, "https://id.gs1.org/01/10614141000415/10/L%2F2026%20x%2B%C3%BC~._-");
    assert_eq!(location_uri(&loc(b"CN", "W-1")).unwrap(), format!("{TRACEPASS_NS}location/CN/W-1"));
    assert_eq!(location_uri(&loc(b"CN", "W 1")).unwrap(), format!("{TRACEPASS_NS}location/CN/W%201"));
    assert_eq!(epc_lot("https://id.gs1.org/01/10614141000415/10/L%2f1"), Ok((gtin(), "L/1".to_string())));
    assert_eq!(epc_lot("urn:epc:class:lgtin:0614141.100041.L%2F2"), Ok((gtin(), "L/2".to_string())));
    // a `%` not followed by two hex digits is refused, not kept
    for bad in ["L%", "L%4", "L%zz", "L%41%", "L%%41", "L%C3"] {
        let e = epc_lot(&format!("https://id.gs1.org/01/10614141000415/10/{bad}")).unwrap_err();
        assert!(e.contains("bad percent-encoding"), "{bad}: {e}");
        let e = epc_lot(&format!("urn:epc:class:lgtin:0614141.100041.{bad}")).unwrap_err();
        assert!(e.contains("bad escaping"), "{bad}: {e}");
    }
    assert_eq!(location_code(&format!("{TRACEPASS_NS}location/CN/W%201")), Ok((Some(CountryCode(*b"CN")), b"W 1".to_vec())));
    assert!(location_code(&format!("{TRACEPASS_NS}location/CN/W%2")).unwrap_err().contains("escaping"));
}

#[test]
fn times_at_the_edges() {
    // a leap second anywhere is the second before it, fraction kept
    assert_eq!(parse_rfc3339("2026-11-18T11:06:60.5Z"), parse_rfc3339("2026-11-18T11:06:59.5Z"));
    assert_eq!(parse_rfc3339("2016-12-31T23:59:60Z"), Some(1_483_228_799_000));
    assert!(parse_rfc3339("2026-11-18T11:06:61Z").is_none());
    // lower-case separators, "-00:00", many fraction digits (cut, not rounded)
    assert_eq!(parse_rfc3339("2026-11-18t11:06:40z"), Some(T0));
    assert_eq!(parse_rfc3339("2026-11-18T11:06:40-00:00"), Some(T0));
    assert_eq!(parse_rfc3339("2026-11-18T11:06:40.99999999999999999999Z"), Some(T0 + 999));
    for bad in ["2026-11-18 11:06:40Z", "2026-11-18_11:06:40Z", "2026-11-18T11:06:40+23:60", "2026-11-18T11:06:40Zx", "2026-11-18T11:06:40.+00:00"] {
        assert_eq!(parse_rfc3339(bad), None, "{bad}");
    }
    // a UTC instant past year 9999 is still a number
    assert_eq!(parse_rfc3339("9999-12-31T23:59:59-23:59"), Some(253_402_300_799_000 + 86_340_000));
    assert_eq!(rfc3339(253_402_300_799_999), "9999-12-31T23:59:59.999Z");
    assert_eq!(rfc3339(u64::MAX), "9999-12-31T23:59:59.999Z");
    // chain dates are written as stored, even a day the calendar does not have
    assert_eq!(times::iso_date(20281101), "2028-11-01");
    assert_eq!(times::iso_date(20260231), "2026-02-31");
}
