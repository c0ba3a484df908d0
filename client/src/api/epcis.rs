//! `GET /epcis/events`: GS1's EPCIS 2.0 query interface (REST binding, a SimpleEventQuery) over
//! the indexed events, answered as an `EPCISQueryDocument`.
//!
//! Every event is rendered by the export ([`crate::epcis::build_document`], one home for the
//! EPCIS mapping) from the lot's records in the index, then matched against the query. Pages
//! follow the events' order on chain; `perPage` (default 30) bounds a page, and the next page's
//! `nextPageToken` is in a `Link: <...>; rel="next"` header. A page scans at most
//! [`MAX_SCANNED`] candidate events, so a selective filter may give a short page with a next
//! link: the query is complete when no link comes back.

use super::lists::Kind;
use super::params::{fingerprint, next_link, ApiError, Filter, PageToken, Params};
use super::ApiState;
use crate::chain::AccountId;
use crate::epcis::{self, LotData};
use crate::error::{ClientError, Result};
use crate::index::db::{Db, Val};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use parity_scale_codec::Decode;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use tracepass_shared::{lot_id, Attestation, Gtin, Lot, LotInput, LotStatus, TraceEvent};

/// Events per page unless `perPage` says otherwise (GS1's REST binding's default).
pub const DEFAULT_PER_PAGE: u32 = 30;
/// Most events per page.
pub const MAX_PER_PAGE: u32 = 1_000;
/// Most candidate events one page looks at.
pub const MAX_SCANNED: u32 = 2_000;
/// Most values of one comma-separated parameter.
pub const MAX_VALUES: usize = 32;

/// The query parameters served: name, kind, meaning (for the OpenAPI document).
pub const PARAMS: &[(&str, Kind, &str)] = &[
    ("EQ_bizStep", Kind::Text, "Business steps, comma-separated: CBV names, CBV URIs or tracepass URIs"),
    ("EQ_disposition", Kind::Text, "Dispositions, comma-separated: CBV names or URIs"),
    ("EQ_bizLocation", Kind::Text, "Business locations, comma-separated: UN/LOCODE, SGLN or tracepass location URIs"),
    ("MATCH_epc", Kind::Text, "Lots, comma-separated: GS1 Digital Links (an item's names its lot) or LGTIN URNs"),
    ("MATCH_anyEPC", Kind::Text, "As MATCH_epc"),
    ("MATCH_epcClass", Kind::Text, "As MATCH_epc"),
    ("MATCH_anyEPCClass", Kind::Text, "As MATCH_epc"),
    ("GE_eventTime", Kind::Time, "Events at or after this instant (RFC 3339)"),
    ("LT_eventTime", Kind::Time, "Events before this instant (RFC 3339)"),
    ("perPage", Kind::Int, "Events per page (1 to 1000, default 30)"),
    ("nextPageToken", Kind::Text, "The token of the previous page's Link header"),
];

/// What a query asks for, checked.
#[derive(Debug, Default)]
struct Query {
    lots: Option<Vec<String>>,
    biz_steps: Option<Vec<String>>,
    dispositions: Option<Vec<String>>,
    locations: Option<Vec<String>>,
    ge: Option<u64>,
    lt: Option<u64>,
}

fn list(p: &mut Params, name: &str) -> std::result::Result<Option<Vec<String>>, ApiError> {
    let Some(v) = p.text(name)? else { return Ok(None) };
    let values: Vec<String> = v.split(',').map(|s| s.trim().to_string()).collect();
    if values.len() > MAX_VALUES || values.iter().any(String::is_empty) {
        return Err(ApiError::bad(name, format!("1 to {MAX_VALUES} comma-separated values, none empty")));
    }
    Ok(Some(values))
}

fn parse(p: &mut Params) -> std::result::Result<Query, ApiError> {
    let mut q = Query::default();
    if let Some(v) = list(p, "EQ_bizStep")? {
        q.biz_steps = Some(
            v.iter()
                .map(|s| epcis::normalize_biz_step(s).ok_or_else(|| ApiError::bad("EQ_bizStep", format!("{s:?} is not a business step this chain records"))))
                .collect::<std::result::Result<_, _>>()?,
        );
    }
    q.dispositions = list(p, "EQ_disposition")?.map(|v| v.iter().map(|s| epcis::normalize_disposition(s)).collect());
    if let Some(v) = list(p, "EQ_bizLocation")? {
        q.locations = Some(
            v.iter()
                .map(|s| match epcis::normalize_location(s) {
                    Ok(Some(uri)) => Ok(uri),
                    Ok(None) => Err(ApiError::bad("EQ_bizLocation", format!("{s:?} names no location"))),
                    Err(e) => Err(ApiError::bad("EQ_bizLocation", format!("{s:?} {e}"))),
                })
                .collect::<std::result::Result<_, _>>()?,
        );
    }
    for name in ["MATCH_epc", "MATCH_anyEPC", "MATCH_epcClass", "MATCH_anyEPCClass"] {
        if let Some(v) = list(p, name)? {
            let ids: Vec<String> = v
                .iter()
                .map(|s| {
                    epcis::lot_of_epc(s)
                        .map(|(g, l)| format!("0x{}", hex::encode(lot_id(&g, l.as_bytes()))))
                        .map_err(|e| ApiError::bad(name, format!("{:?} {e}", s.chars().take(60).collect::<String>())))
                })
                .collect::<std::result::Result<_, _>>()?;
            // several MATCH parameters: an event must satisfy each
            q.lots = Some(match q.lots.take() {
                None => ids,
                Some(prev) => prev.into_iter().filter(|l| ids.contains(l)).collect(),
            });
        }
    }
    q.ge = p.time("GE_eventTime")?;
    q.lt = p.time("LT_eventTime")?;
    Ok(q)
}

impl Query {
    fn matches(&self, e: &Value) -> bool {
        let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("");
        self.biz_steps.as_ref().is_none_or(|v| v.iter().any(|b| b == s("bizStep")))
            && self.dispositions.as_ref().is_none_or(|v| v.iter().any(|d| d == s("disposition")))
            && self
                .locations
                .as_ref()
                .is_none_or(|v| e["bizLocation"]["id"].as_str().is_some_and(|id| v.iter().any(|l| l == id)))
    }
}

/// The suite's registry and attestation addresses, from the index's cursor.
async fn contracts(db: &Db) -> Result<Option<(AccountId, AccountId)>> {
    let Some(c) = db.cursor().await? else { return Ok(None) };
    // CONTRACTS order: whitelist, sampling, registry, attestation
    let a: Vec<&str> = c.contracts.split(',').collect();
    match (a.get(2), a.get(3)) {
        (Some(r), Some(t)) => Ok(Some((crate::chain::parse_account(r)?, crate::chain::parse_account(t)?))),
        _ => Err(ClientError::Database(format!("the cursor names {} contracts, not 4", a.len()))),
    }
}

fn decode<T: Decode>(v: &Value, what: &str) -> Result<T> {
    let h = v.as_str().unwrap_or("");
    let bytes = hex::decode(h.trim_start_matches("0x")).map_err(|e| ClientError::Database(format!("{what}: {e}")))?;
    T::decode(&mut &bytes[..]).map_err(|e| ClientError::Database(format!("{what}: {e}")))
}

fn attestations(rows: Vec<Map<String, Value>>) -> Result<Vec<(u64, Attestation)>> {
    rows.into_iter()
        .map(|r| {
            let mut a: Attestation = decode(&r["record"], "attestation")?;
            if let (Some(by), Some(reason)) = (r["revoked_by"].as_str(), r["revoked_reason"].as_str()) {
                let reason: [u8; 32] = decode(&Value::from(reason), "revocation reason")?;
                a.revoked = Some((crate::chain::parse_account(by)?, reason));
            }
            Ok((r["id"].as_u64().unwrap_or(0), a))
        })
        .collect()
}

/// A lot's records in the index, as the export takes them.
async fn lot_data(db: &Db, lot: &str, registry: AccountId, attestation: AccountId, now: u64) -> Result<Option<LotData>> {
    let p = [Val::from(lot)];
    let Some(l) = db
        .rows("SELECT l.gtin, l.merchant, l.block, l.status, l.record, p.factory FROM lots l JOIN products p ON p.gtin = l.gtin WHERE l.lot = $1", &p)
        .await?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let gtin = Gtin::parse(l["gtin"].as_str().unwrap_or("").as_bytes()).map_err(|e| ClientError::Database(format!("gtin: {e:?}")))?;
    let info: LotInput = decode(&l["record"], "lot")?;
    let status: LotStatus = serde_json::from_value(l["status"].clone()).map_err(|e| ClientError::Database(format!("status: {e}")))?;
    let events: Vec<TraceEvent> = db
        .rows("SELECT record FROM trace_events WHERE lot = $1 ORDER BY idx_in_lot", &p)
        .await?
        .iter()
        .map(|r| decode(&r["record"], "trace event"))
        .collect::<Result<_>>()?;
    let recall = db.rows("SELECT reason_hash FROM recalls WHERE lot = $1", &p).await?;
    let recall_reason = recall.first().map(|r| decode::<[u8; 32]>(&r["reason_hash"], "recall reason")).transpose()?;
    let cols = "id, record, revoked_by, revoked_reason";
    let lot_attestations = attestations(db.rows(&format!("SELECT {cols} FROM attestations WHERE lot = $1 ORDER BY id"), &p).await?)?;
    let factory = l["factory"].as_u64().map(|f| f as u32);
    let factory_attestations = match factory {
        Some(f) => attestations(db.rows(&format!("SELECT {cols} FROM attestations WHERE factory = $1 ORDER BY id"), &[Val::from(f)]).await?)?,
        None => vec![],
    };
    Ok(Some(LotData {
        gtin,
        lot: Lot {
            info,
            merchant: crate::chain::parse_account(l["merchant"].as_str().unwrap_or(""))?,
            registered_at: l["block"].as_u64().unwrap_or(0) as u32,
            status,
            event_count: events.len() as u32,
            recall_reason,
        },
        events,
        lot_attestations,
        factory,
        factory_attestations,
        registry,
        attestation_contract: attestation,
        now,
        created: now,
    }))
}

/// `GET /epcis/events`.
pub async fn events(State(s): State<ApiState>, RawQuery(raw): RawQuery) -> std::result::Result<Response, ApiError> {
    let mut p = Params::parse(raw.as_deref())?;
    let per_page = p.limit("perPage", DEFAULT_PER_PAGE, MAX_PER_PAGE)?;
    let token = p.text("nextPageToken")?;
    let fp = fingerprint("/epcis/events", p.remaining());
    let q = parse(&mut p)?;
    p.finish()?;
    let after = token.map(|t| PageToken::decode("nextPageToken", &t, &fp)).transpose()?;
    let unavailable = |e: ClientError| ApiError::unavailable(&e);

    // candidate events in chain order: trace events and lot attestations (inspections, clearances),
    // the same conditions on each part of one statement
    let fill = |f: &mut Filter| {
        if let Some(lots) = &q.lots {
            f.push_in("lot", lots.iter().map(|l| Val::from(l.as_str())));
        }
        if let Some(ge) = q.ge {
            f.push("event_time", ">=", Val::from(ge));
        }
        if let Some(lt) = q.lt {
            f.push("event_time", "<", Val::from(lt));
        }
        if let Some(t) = &after {
            f.after("", t);
        }
    };
    let mut traces = Filter::default();
    fill(&mut traces);
    let mut attested = Filter::continuing(traces.values.clone());
    fill(&mut attested);
    attested.conditions.push("lot IS NOT NULL".into());
    attested.conditions.push("kind IN ('inspection', 'customs')".into());
    let sql = format!(
        "SELECT 't' AS src, lot, idx_in_lot AS n, block, idx FROM trace_events {} UNION ALL \
         SELECT 'a' AS src, lot, id AS n, block, idx FROM attestations {} ORDER BY block, idx LIMIT {}",
        traces.where_clause(),
        attested.where_clause(),
        MAX_SCANNED
    );
    let values = attested.values;
    let rows = s.db.rows(&sql, &values).await.map_err(unavailable)?;
    let Some((registry, attestation)) = contracts(&s.db).await.map_err(unavailable)? else {
        return Ok(answer(vec![], None, raw.as_deref()));
    };
    let now = s
        .db
        .rows("SELECT MAX(time_ms) AS t FROM blocks", &[])
        .await
        .map_err(unavailable)?
        .first()
        .and_then(|r| r["t"].as_u64())
        .unwrap_or(0);
    let mut docs: HashMap<String, HashMap<String, Value>> = HashMap::new();
    let mut out = Vec::new();
    let mut last = None;
    for r in &rows {
        let lot = r["lot"].as_str().unwrap_or("").to_string();
        if !docs.contains_key(&lot) {
            let mut by_id = HashMap::new();
            if let Some(d) = lot_data(&s.db, &lot, registry, attestation, now).await.map_err(unavailable)? {
                let doc = epcis::document(&d);
                for e in doc["epcisBody"]["eventList"].as_array().into_iter().flatten() {
                    if let Some(id) = e["eventID"].as_str() {
                        by_id.insert(id.to_string(), e.clone());
                    }
                }
            }
            docs.insert(lot.clone(), by_id);
        }
        let n = r["n"].as_u64().unwrap_or(0);
        let id = if r["src"] == "t" {
            let lot_bytes: [u8; 32] = decode(&r["lot"], "lot").map_err(unavailable)?;
            epcis::trace_event_id(&registry, &lot_bytes, n as u32)
        } else {
            epcis::attestation_event_id(&attestation, n)
        };
        last = Some(PageToken { block: r["block"].as_i64().unwrap_or(0), idx: r["idx"].as_i64().unwrap_or(0) });
        if let Some(e) = docs.get(&lot).and_then(|m| m.get(&id)) {
            if q.matches(e) {
                out.push(e.clone());
                if out.len() == per_page as usize {
                    break;
                }
            }
        }
    }
    // more to look at: the page filled before the candidates ran out, or the scan hit its bound
    let exhausted = rows.len() < MAX_SCANNED as usize && out.len() < per_page as usize;
    let next = if exhausted { None } else { last.map(|t| t.encode(&fp)) };
    Ok(answer(out, next, raw.as_deref()))
}

fn answer(events: Vec<Value>, next: Option<String>, raw: Option<&str>) -> Response {
    let now = crate::fmt::wall_clock_ms();
    let doc = json!({
        "@context": [epcis::EPCIS_CONTEXT, { "tracepass": epcis::TRACEPASS_NS }],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": epcis::rfc3339(now),
        "epcisBody": { "queryResults": { "queryName": "SimpleEventQuery", "resultsBody": { "eventList": events } } },
    });
    let mut res = ([(header::CONTENT_TYPE, "application/json")], doc.to_string()).into_response();
    if let Some(v) = next.as_deref().and_then(|t| next_link("/epcis/events", raw, "nextPageToken", t)) {
        res.headers_mut().insert(header::LINK, v);
    }
    res.headers_mut().insert("GS1-EPCIS-Version", HeaderValue::from_static("2.0.0"));
    res
}
