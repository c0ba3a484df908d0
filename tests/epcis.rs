//! EPCIS 2.0 on a real node: a lot's trace and attestations exported and validated against GS1's
//! published schema, and partner documents imported all or nothing.

use serde_json::{json, Value};
use tracepass::epcis::{self, attestation_uri, customs_clearance_step, rfc3339};
use tracepass::shared::*;
use tracepass::Tracepass;
use tracepass_e2e::fixture::{Consortium, CATEGORY};
use tracepass_e2e::{root, Node};

/// GS1's published schema from `../shared/standards/epcis/` when it is there (it must then be
/// byte-identical to the vendored copy), else the vendored copy.
fn schema_text() -> String {
    let vendored = std::fs::read(root().join("client/schemas/EPCIS-JSON-Schema.json")).expect("vendored schema");
    assert_eq!(vendored, epcis::SCHEMA.as_bytes(), "the client embeds the vendored schema");
    let published = root().join("../shared/standards/epcis/EPCIS-JSON-Schema.json");
    if published.exists() {
        let text = std::fs::read(&published).expect("published schema");
        assert!(text == vendored, "client/schemas/EPCIS-JSON-Schema.json differs from {}", published.display());
        eprintln!("validating against {}", published.display());
    } else {
        eprintln!("{} is absent: validating against the vendored copy", published.display());
    }
    String::from_utf8(vendored).expect("UTF-8")
}

fn events_of(doc: &Value) -> &Vec<Value> {
    doc["epcisBody"]["eventList"].as_array().expect("eventList")
}

fn document(events: Vec<Value>) -> String {
    json!({
        "@context": [epcis::EPCIS_CONTEXT, { "tracepass": epcis::TRACEPASS_NS }],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-20T10:00:00Z",
        "sender": "Kiwi Logistics EPCIS",
        "epcisBody": { "eventList": events },
    })
    .to_string()
}

/// An ObjectEvent as a logistics partner's EPCIS system would write it (instance-level EPCs in
/// Digital Link form, a UN/LOCODE read point, a local time zone).
fn partner_event(biz: &str, lot: &str, time_ms: u64, locode: &str) -> Value {
    // the same instant written in UTC+08:00
    let local = rfc3339(time_ms + 8 * 3_600_000).replace('Z', "+08:00");
    json!({
        "type": "ObjectEvent",
        "action": "OBSERVE",
        "bizStep": biz,
        "disposition": "in_progress",
        "eventTime": local,
        "eventTimeZoneOffset": "+08:00",
        "epcList": [
            format!("https://id.gs1.org/01/10614141000415/10/{lot}/21/X00000001"),
            format!("https://id.gs1.org/01/10614141000415/10/{lot}/21/X00000002"),
        ],
        "readPoint": { "id": format!("https://vocabulary.uncefact.org/unlocode#{locode}") },
        "bizLocation": { "id": format!("https://vocabulary.uncefact.org/unlocode#{locode}") },
        "bizTransactionList": [{ "type": "desadv", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:1152" }],
    })
}

async fn counts(tp: &Tracepass, ids: &[LotId]) -> Vec<u32> {
    let mut out = Vec::new();
    for id in ids {
        out.push(tp.events(*id).await.unwrap().len() as u32);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn epcis_export_and_import_on_a_real_node() {
    let validator = epcis::compile_schema(&schema_text()).expect("GS1's schema compiles");
    let node = Node::start().await;
    let c = Consortium::setup(&node.url(), node.base.path()).await;
    let (tp, k) = (&c.tp, &c.keys);
    let (_, e1) = c.register_lot("E1", "E", 20).await;
    let (_, e2) = c.register_lot("E2", "F", 5).await;
    let (_, e3) = c.register_lot("E3", "G", 5).await;
    let now = tp.chain.now_ms().await.unwrap();
    let year = 365 * 86_400_000;
    let nz_gln = Location { country: CountryCode(*b"NZ"), code: b"9421000000004".to_vec() };
    let akl = Location { country: CountryCode(*b"NZ"), code: b"NZAKL".to_vec() };
    let sha = Location { country: CountryCode(*b"CN"), code: b"CNSHA".to_vec() };

    // lot E1: the merchant produces and ships, logistics arrives, customs clears, logistics stores
    tp.add_event(&k.merchant, e1, BusinessStep::Commissioning, now - 50_000, nz_gln.clone(), [0; 32]).await.unwrap();
    tp.add_event(&k.merchant, e1, BusinessStep::Shipping, now - 40_000, akl.clone(), blake2_256(b"waybill")).await.unwrap();
    tp.add_event(&k.logistics, e1, BusinessStep::Arriving, now - 30_000, sha.clone(), [0; 32]).await.unwrap();
    tp.add_event(&k.ferdie, e1, BusinessStep::CustomsClearance, now - 20_000, sha.clone(), blake2_256(b"declaration")).await.unwrap();
    tp.add_event(&k.logistics, e1, BusinessStep::Storing, now - 10_000, sha.clone(), [0; 32]).await.unwrap();
    let cert = tp.attest_certification(&k.eve, c.factory, CATEGORY, b"ISO 22000".to_vec(), blake2_256(b"CERT-1"), now + year).await.unwrap().value;
    let insp = tp
        .attest_inspection(&k.eve, e1, InspectionResult::Pass, b"GB 10765".to_vec(), 12, blake2_256(b"report"), b"https://lab.example/r/1".to_vec(), now - 5_000, now + year, None)
        .await
        .unwrap()
        .value;
    // lot E2: shipped and arrived, cleared by a customs attestation
    tp.add_event(&k.merchant, e2, BusinessStep::Shipping, now - 40_000, akl.clone(), [0; 32]).await.unwrap();
    tp.add_event(&k.logistics, e2, BusinessStep::Arriving, now - 30_000, sha.clone(), [0; 32]).await.unwrap();
    let customs = tp.attest_customs(&k.ferdie, e2, b"CNSHA".to_vec(), blake2_256(b"declaration 2"), now - 1_000).await.unwrap().value;
    assert_eq!(tp.lot(e2).await.unwrap().unwrap().status, LotStatus::Cleared);

    // ---- export ----
    let doc = epcis::export(tp, c.gtin, "E1").await.expect("export E1");
    let errors = epcis::schema_errors_with(&validator, &doc, 5);
    assert!(errors.is_empty(), "E1's export fails GS1's schema: {errors:?}");
    let list = events_of(&doc);
    assert_eq!(list.len(), 6, "5 trace events and the inspection: {doc:#}");
    let steps: Vec<&str> = list.iter().map(|e| e["bizStep"].as_str().unwrap()).collect();
    let customs_step = customs_clearance_step();
    assert_eq!(steps, ["commissioning", "shipping", "arriving", customs_step.as_str(), "storing", "inspecting"]);
    let dispositions: Vec<&str> = list.iter().map(|e| e["disposition"].as_str().unwrap_or("-")).collect();
    assert_eq!(dispositions, ["active", "in_transit", "in_progress", "conformant", "in_progress", "conformant"]);
    let class = "https://id.gs1.org/01/10614141000415/10/E1";
    assert!(list.iter().all(|e| e["quantityList"][0]["epcClass"] == class && e["quantityList"][0]["quantity"] == 20));
    assert_eq!(list[0]["readPoint"]["id"], "https://id.gs1.org/414/9421000000004");
    assert_eq!(list[0]["certificationInfo"], json!([attestation_uri(&tp.attestation, cert)]), "factory certification on production");
    assert_eq!(list[1]["readPoint"]["id"], "https://vocabulary.uncefact.org/unlocode#NZAKL");
    assert_eq!(list[1]["tracepass:documentHash"], format!("0x{}", hex::encode(blake2_256(b"waybill"))));
    assert_eq!(list[2]["tracepass:actor"], tracepass::fmt::ss58(&k.logistics.account()));
    assert_eq!(list[3]["tracepass:actor"], tracepass::fmt::ss58(&k.ferdie.account()));
    assert_eq!(list[5]["certificationInfo"], json!([attestation_uri(&tp.attestation, insp), "https://lab.example/r/1"]));
    assert_eq!(list[5]["tracepass:attestationStatus"], "Valid");
    assert_eq!(doc["tracepass:lot"]["status"], "Cleared");
    let trace = tp.events(e1).await.unwrap();
    for (e, t) in list.iter().zip(&trace) {
        assert_eq!(e["eventTime"], rfc3339(t.event_time));
        assert_eq!(e["recordTime"], rfc3339(t.recorded_at));
    }

    let doc2 = epcis::export(tp, c.gtin, "E2").await.expect("export E2");
    let errors = epcis::schema_errors_with(&validator, &doc2, 5);
    assert!(errors.is_empty(), "E2's export fails GS1's schema: {errors:?}");
    let list2 = events_of(&doc2);
    assert_eq!(list2.len(), 3);
    let clearance = &list2[2];
    assert_eq!(clearance["bizStep"], customs_step.as_str());
    assert_eq!(clearance["certificationInfo"], attestation_uri(&tp.attestation, customs));
    assert_eq!(clearance["bizLocation"]["id"], "https://vocabulary.uncefact.org/unlocode#CNSHA");
    // no production event recorded: the factory's certification goes on the lot's first event
    assert_eq!(list2[0]["certificationInfo"], json!([attestation_uri(&tp.attestation, cert)]), "{doc2:#}");
    assert!(list2[1].get("certificationInfo").is_none());
    let e = epcis::export(tp, c.gtin, "NOPE").await.unwrap_err().to_string();
    assert!(e.contains("not registered"), "{e}");

    // ---- import: a logistics partner's document, one event per lot and one naming two lots ----
    let batch_all = epcis::has_batch_all(tp);
    eprintln!("runtime has Utility.batch_all: {batch_all}");
    let now = tp.chain.now_ms().await.unwrap();
    let ids = [e1, e2, e3];
    let before = counts(tp, &ids).await;
    let mut two_lots = partner_event("storing", "E1", now - 2_000, "CNSHA");
    two_lots["quantityList"] = json!([{ "epcClass": "https://id.gs1.org/01/10614141000415/10/E2", "quantity": 5 }]);
    two_lots["tracepass:documentHash"] = json!(format!("0x{}", hex::encode(blake2_256(b"warehouse receipt"))));
    let mut gln = partner_event("receiving", "E1", now - 3_000, "CNSHA");
    gln["readPoint"] = json!({ "id": "urn:epc:id:sgln:0614141.00001.0" });
    gln.as_object_mut().unwrap().remove("bizLocation");
    gln["tracepass:country"] = json!("CN");
    let partner = document(vec![
        gln,
        two_lots,
        // lot E3 goes through two status changes in one batch
        partner_event("shipping", "E3", now - 4_000, "NZAKL"),
        partner_event("https://ref.gs1.org/cbv/BizStep-arriving", "E3", now - 1_000, "CNSHA"),
    ]);
    let parsed = epcis::parse_document(&partner).expect("partner document parses");
    assert_eq!(parsed.len(), 5);
    let report = epcis::import(tp, &k.logistics, &parsed).await.expect("import");
    assert_eq!(report.recorded, 5);
    assert_eq!(report.batched, batch_all);
    assert_eq!(counts(tp, &ids).await, [before[0] + 2, before[1] + 1, before[2] + 2]);
    let t1 = tp.events(e1).await.unwrap();
    let new: Vec<&TraceEvent> = t1[before[0] as usize..].iter().collect();
    assert_eq!(new.iter().map(|e| e.step).collect::<Vec<_>>(), [BusinessStep::Receiving, BusinessStep::Storing]);
    assert!(new.iter().all(|e| e.actor == k.logistics.account()));
    assert_eq!(new[0].location, Location { country: CountryCode(*b"CN"), code: b"0614141000012".to_vec() });
    assert_eq!(new[0].event_time, now - 3_000);
    assert_eq!(new[1].location, sha);
    assert_eq!(new[1].document_hash, blake2_256(b"warehouse receipt"));
    assert_eq!(tp.events(e2).await.unwrap().last().unwrap().step, BusinessStep::Storing);
    let l3 = tp.lot(e3).await.unwrap().unwrap();
    assert_eq!(l3.status, LotStatus::AtCustoms);
    assert_eq!(tp.events(e3).await.unwrap().iter().map(|e| e.step).collect::<Vec<_>>(), [BusinessStep::Shipping, BusinessStep::Arriving]);
    // the same document sent again (a retry after a lost answer) records nothing
    let again = epcis::import(tp, &k.logistics, &parsed).await.expect("re-sent document");
    assert_eq!((again.recorded, again.already_recorded, again.block.as_deref()), (0, 5, None));
    assert_eq!(counts(tp, &ids).await, [before[0] + 2, before[1] + 1, before[2] + 2]);
    // and the lot's export now shows the partner's events, still schema-valid
    let doc = epcis::export(tp, c.gtin, "E1").await.unwrap();
    assert!(epcis::schema_errors_with(&validator, &doc, 5).is_empty());
    assert_eq!(events_of(&doc).len(), 8);

    // ---- rejected documents record nothing ----
    let before = counts(tp, &ids).await;
    let now = tp.chain.now_ms().await.unwrap();
    // fails the schema (no eventTimeZoneOffset, an action EPCIS does not know)
    let mut bad = partner_event("storing", "E1", now - 1_000, "CNSHA");
    bad.as_object_mut().unwrap().remove("eventTimeZoneOffset");
    bad["action"] = json!("MOVE");
    let e = epcis::parse_document(&document(vec![partner_event("storing", "E1", now - 1_000, "CNSHA"), bad])).unwrap_err().to_string();
    assert!(e.contains("EPCIS 2.0 schema") && e.contains("/epcisBody/eventList/1"), "{e}");
    // names an unknown lot, after a valid event
    let mixed = epcis::parse_document(&document(vec![
        partner_event("storing", "E1", now - 1_000, "CNSHA"),
        partner_event("storing", "GHOST", now - 1_000, "CNSHA"),
    ]))
    .unwrap();
    let e = epcis::import(tp, &k.logistics, &mixed).await.unwrap_err().to_string();
    assert!(e.contains("nothing recorded") && e.contains("not registered") && e.contains("GHOST") && e.contains("event #1"), "{e}");
    // an event the contract would refuse: customs clearance by the logistics key
    let refused = epcis::parse_document(&document(vec![
        partner_event("storing", "E1", now - 1_000, "CNSHA"),
        partner_event(&customs_step, "E3", now - 1_000, "CNSHA"),
    ]))
    .unwrap();
    let e = epcis::import(tp, &k.logistics, &refused).await.unwrap_err().to_string();
    assert!(e.contains("nothing recorded") && e.contains("event #1") && e.contains("CustomsClearance") && e.contains("may not record"), "{e}");
    // an illegal status transition: E2 is cleared, it cannot arrive at customs again
    let illegal = epcis::parse_document(&document(vec![
        partner_event("receiving", "E2", now - 1_000, "CNSHA"),
        partner_event("arriving", "E2", now - 1_000, "CNSHA"),
    ]))
    .unwrap();
    let e = epcis::import(tp, &k.logistics, &illegal).await.unwrap_err().to_string();
    assert!(e.contains("nothing recorded") && e.contains("event #1") && e.contains("from Cleared to AtCustoms"), "{e}");
    // the same status change twice in one document: the simulation catches the second
    let twice = epcis::parse_document(&document(vec![
        partner_event("holding", "E3", now - 1_000, "CNSHA"),
        partner_event("holding", "E3", now - 1_000, "CNSHA"),
    ]))
    .unwrap();
    let e = epcis::import(tp, &k.ferdie, &twice).await.unwrap_err().to_string();
    assert!(e.contains("event #1") && e.contains("from Held to Held"), "{e}");
    // an event time ahead of the chain
    let future = epcis::parse_document(&document(vec![partner_event("storing", "E1", now + 3_600_000, "CNSHA")])).unwrap();
    let e = epcis::import(tp, &k.logistics, &future).await.unwrap_err().to_string();
    assert!(e.contains("after the chain's clock"), "{e}");
    assert_eq!(counts(tp, &ids).await, before, "rejected documents recorded nothing");

    // ---- all or nothing on chain: the chain changes between the checks and the batch ----
    let (_, e4) = c.register_lot("E4", "H", 5).await;
    let now = tp.chain.now_ms().await.unwrap();
    let doc = document(vec![partner_event("storing", "E4", now - 1_000, "NZAKL"), partner_event("shipping", "E4", now - 500, "NZAKL")]);
    let plan = epcis::plan_import(tp, &k.logistics, &epcis::parse_document(&doc).unwrap()).await.expect("checks pass");
    assert_eq!(plan.events().len(), 2);
    // a failed inspection puts the lot on hold: it can no longer be shipped
    tp.attest_inspection(&k.eve, e4, InspectionResult::Fail, b"GB 10765".to_vec(), 3, [1; 32], vec![], now - 200, now + year, None).await.unwrap();
    assert_eq!(tp.lot(e4).await.unwrap().unwrap().status, LotStatus::Held);
    let e = epcis::submit_import(tp, &k.logistics, &plan).await.unwrap_err().to_string();
    eprintln!("batch refused on chain: {e}");
    if batch_all {
        assert!(e.contains("failed as a whole, nothing was recorded") && e.contains("event #1") && e.contains("from Held to InTransit"), "{e}");
        assert!(tp.events(e4).await.unwrap().is_empty(), "the storing event before the refused one was not recorded either");
    } else {
        assert!(e.contains("event #1") && e.contains("1 of 2"), "{e}");
    }
    assert_eq!(tp.lot(e4).await.unwrap().unwrap().status, LotStatus::Held);

    // the largest document import takes fits one batch (block weight and size)
    let (_, e5) = c.register_lot("E5", "J", 5).await;
    let now = tp.chain.now_ms().await.unwrap();
    let n = epcis::MAX_IMPORT_EVENTS as u64;
    let full = document((0..n).map(|i| partner_event("storing", "E5", now - 100_000 + i * 1_000, "CNSHA")).collect());
    let t = std::time::Instant::now();
    let r = epcis::import(tp, &k.logistics, &epcis::parse_document(&full).unwrap()).await.expect("a full document imports");
    eprintln!("{n} events imported in one batch in {:.2} s", t.elapsed().as_secs_f64());
    assert_eq!(r.recorded as u64, n);
    assert_eq!(tp.events(e5).await.unwrap().len() as u64, n);
}
