//! The query API's endpoints as data: each list is a table, its columns and its filters; one
//! handler serves them all (keyset pages in chain order) and the OpenAPI document is made from
//! the same table, so the two cannot disagree.

use super::params::{account, next_link, ApiError, Filter, PageToken, Params, DEFAULT_LIMIT, MAX_LIMIT};
use super::ApiState;
use crate::index::db::Val;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

/// How a filter's value is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An account (SS58 or 0x-hex).
    Account,
    /// Free text (at most `MAX_TEXT_PARAM` bytes).
    Text,
    /// A non-negative integer.
    Int,
    /// One of these words.
    Choice(&'static [&'static str]),
    /// `true` or `false` (stored as 1 or 0).
    Flag,
    /// An RFC 3339 instant (compared in ms).
    Time,
    /// A GTIN (8 to 14 digits with its check digit).
    Gtin,
    /// A lot ID (0x and 64 hex digits).
    Lot,
}

/// One filter of a list.
#[derive(Debug, Clone, Copy)]
pub struct FilterSpec {
    /// The query parameter.
    pub param: &'static str,
    /// The column it compares.
    pub column: &'static str,
    /// `=`, `>=` or `<`.
    pub op: &'static str,
    /// How its value is read.
    pub kind: Kind,
    /// What it means.
    pub doc: &'static str,
}

/// One list endpoint.
#[derive(Debug)]
pub struct ListSpec {
    /// The path.
    pub path: &'static str,
    /// What it lists.
    pub summary: &'static str,
    /// `FROM` (with joins).
    pub from: &'static str,
    /// The columns answered.
    pub columns: &'static str,
    /// The table alias of `block` and `idx`, with its dot (or empty).
    pub prefix: &'static str,
    /// Its filters.
    pub filters: &'static [FilterSpec],
}

const fn f(param: &'static str, column: &'static str, kind: Kind, doc: &'static str) -> FilterSpec {
    FilterSpec { param, column, op: "=", kind, doc }
}
const fn from(column: &'static str, doc: &'static str) -> FilterSpec {
    FilterSpec { param: "from", column, op: ">=", kind: Kind::Time, doc }
}
const fn to(column: &'static str, doc: &'static str) -> FilterSpec {
    FilterSpec { param: "to", column, op: "<", kind: Kind::Time, doc }
}

const LOT_STATUSES: &[&str] = &["registered", "in_transit", "at_customs", "cleared", "held", "released", "recalled"];
const STEPS: &[&str] =
    &["commissioning", "packing", "shipping", "arriving", "receiving", "storing", "customs_clearance", "holding", "inspecting", "recalling"];

/// Every list endpoint.
pub static LISTS: &[ListSpec] = &[
    ListSpec {
        path: "/api/v1/merchants",
        summary: "Merchants, in onboarding order",
        from: "merchants",
        columns: "account, tier, status, added_by, block, changed_block, suspended_ms, suspension_confirmed",
        prefix: "",
        filters: &[
            f("status", "status", Kind::Choice(&["active", "suspended", "revoked"]), "Merchant status"),
            f("tier", "tier", Kind::Choice(&["standard", "trusted", "watched"]), "Merchant tier"),
        ],
    },
    ListSpec {
        path: "/api/v1/factories",
        summary: "Factories, in registration order",
        from: "factories",
        columns: "id, merchant, country, block",
        prefix: "",
        filters: &[f("merchant", "merchant", Kind::Account, "Owning merchant"), f("country", "country", Kind::Text, "ISO 3166 country code")],
    },
    ListSpec {
        path: "/api/v1/products",
        summary: "Products (GTINs), in registration order",
        from: "products",
        columns: "gtin, merchant, factory, brand, category, origin, hs_code, block",
        prefix: "",
        filters: &[
            f("merchant", "merchant", Kind::Account, "Owning merchant"),
            f("factory", "factory", Kind::Int, "Producing factory"),
            f("category", "category", Kind::Int, "Product category code"),
            f("origin", "origin", Kind::Text, "Country of origin"),
            f("brand", "brand", Kind::Text, "Brand name"),
        ],
    },
    ListSpec {
        path: "/api/v1/lots",
        summary: "Lots, in registration order, with their sampling",
        from: "lots l JOIN products p ON p.gtin = l.gtin",
        columns: "l.lot, l.gtin, l.merchant, l.lot_number, l.item_count, l.status, p.factory, l.epoch, l.rate_bps, l.selected, l.time_ms, l.block",
        prefix: "l.",
        filters: &[
            f("merchant", "l.merchant", Kind::Account, "Owning merchant"),
            f("gtin", "l.gtin", Kind::Gtin, "Product"),
            f("factory", "p.factory", Kind::Int, "Producing factory"),
            f("status", "l.status", Kind::Choice(LOT_STATUSES), "Lot status"),
            f("selected", "l.selected", Kind::Flag, "Selected for inspection by sampling (epoch final)"),
            from("l.time_ms", "Registered at or after"),
            to("l.time_ms", "Registered before"),
        ],
    },
    ListSpec {
        path: "/api/v1/events",
        summary: "Trace events, in recording order",
        from: "trace_events",
        columns: "lot, idx_in_lot, actor, step, event_time, country, location, block",
        prefix: "",
        filters: &[
            f("lot", "lot", Kind::Lot, "Lot"),
            f("actor", "actor", Kind::Account, "Who recorded it"),
            f("step", "step", Kind::Choice(STEPS), "Business step"),
            from("event_time", "Event time at or after"),
            to("event_time", "Event time before"),
        ],
    },
    ListSpec {
        path: "/api/v1/attestations",
        summary: "Inspections, certifications and customs clearances, in issue order",
        from: "attestations",
        columns: "id, kind, subject, issuer, lot, factory, result, standard, selected, answers, valid_until, issued_at, event_time, block, revoked_by, revoked_block",
        prefix: "",
        filters: &[
            f("issuer", "issuer", Kind::Account, "Issuing agency or customs office"),
            f("kind", "kind", Kind::Choice(&["inspection", "certification", "customs"]), "Kind of attestation"),
            f("result", "result", Kind::Choice(&["pass", "fail"]), "Inspection result"),
            f("lot", "lot", Kind::Lot, "Lot attested"),
            f("factory", "factory", Kind::Int, "Factory certified"),
            from("event_time", "Inspected, certified or cleared at or after"),
            to("event_time", "Inspected, certified or cleared before"),
        ],
    },
    ListSpec {
        path: "/api/v1/recalls",
        summary: "Recalls, in order",
        from: "recalls",
        columns: "lot, recalled_by, reason_hash, time_ms, block",
        prefix: "",
        filters: &[f("by", "recalled_by", Kind::Account, "Who recalled"), from("time_ms", "At or after"), to("time_ms", "Before")],
    },
    ListSpec {
        path: "/api/v1/disputes",
        summary: "Disputes of failed inspections, in the order opened, with governance's decision",
        from: "disputes",
        columns: "lot, failed, opened_by, time_ms, outcome, retest, resolved_block, resolved_ms, block",
        prefix: "",
        filters: &[
            f("lot", "lot", Kind::Lot, "Lot disputed"),
            f("by", "opened_by", Kind::Account, "Disputing merchant"),
            f("outcome", "outcome", Kind::Choice(&["open", "released", "hold_confirmed"]), "Open, or the decision"),
            from("time_ms", "Opened at or after"),
            to("time_ms", "Opened before"),
        ],
    },
    ListSpec {
        path: "/api/v1/proposals",
        summary: "Governance proposals, in order",
        from: "proposals",
        columns: "id, proposer, action, expires_at, approvals, executed_by, executed_block, block",
        prefix: "",
        filters: &[f("proposer", "proposer", Kind::Account, "Proposing governor")],
    },
    ListSpec {
        path: "/api/v1/votes",
        summary: "Governors' approvals of proposals, in order",
        from: "votes",
        columns: "proposal, governor, block",
        prefix: "",
        filters: &[f("proposal", "proposal", Kind::Int, "Proposal"), f("governor", "governor", Kind::Account, "Approving governor")],
    },
];

fn value(p: &mut Params, spec: &FilterSpec) -> Result<Option<Val>, ApiError> {
    let name = spec.param;
    Ok(match spec.kind {
        Kind::Account => p.account(name)?.map(Val::Text),
        Kind::Text => p.text(name)?.map(Val::Text),
        Kind::Int => p.int(name, i64::MAX as u64)?.map(Val::from),
        Kind::Choice(allowed) => p.choice(name, allowed)?.map(Val::Text),
        Kind::Flag => p.choice(name, &["true", "false"])?.map(|v| Val::Int(i64::from(v == "true"))),
        Kind::Time => p.time(name)?.map(Val::from),
        Kind::Gtin => p
            .text(name)?
            .map(|v| crate::gs1::parse_gtin(&v).map(|g| Val::Text(g.to_string())).map_err(|e| ApiError::bad(name, e.to_string())))
            .transpose()?,
        Kind::Lot => p.text(name)?.map(|v| crate::index::query::lot_key(&v).map(Val::Text).map_err(|e| ApiError::bad(name, e.to_string()))).transpose()?,
    })
}

/// A page of `spec`'s rows after the request's `page_token`, at most its `limit`, with the
/// next page's token (and `Link: <...>; rel="next"`) when there is more.
pub async fn list(state: &ApiState, spec: &ListSpec, raw: Option<&str>) -> Result<Response, ApiError> {
    let mut p = Params::parse(raw)?;
    let limit = p.limit("limit", DEFAULT_LIMIT, MAX_LIMIT)?;
    let token = p.text("page_token")?;
    let fingerprint = super::params::fingerprint(spec.path, p.remaining());
    let mut filter = Filter::default();
    let mut given = Vec::new();
    for fs in spec.filters {
        if let Some(v) = value(&mut p, fs)? {
            filter.push(fs.column, fs.op, v);
            given.push(fs.param);
        }
    }
    p.finish()?;
    if let Some(t) = &token {
        filter.after(spec.prefix, &PageToken::decode("page_token", t, &fingerprint)?);
    }
    let sql = format!(
        "SELECT {}, {p}block AS pos_block, {p}idx AS pos_idx FROM {} {} ORDER BY {p}block, {p}idx LIMIT {}",
        spec.columns,
        spec.from,
        filter.where_clause(),
        limit + 1,
        p = spec.prefix
    );
    let mut rows = state.db.rows(&sql, &filter.values).await.map_err(|e| ApiError::unavailable(&e))?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|r| {
            PageToken { block: r["pos_block"].as_i64().unwrap_or(0), idx: r["pos_idx"].as_i64().unwrap_or(0) }.encode(&fingerprint)
        })
    } else {
        None
    };
    for r in &mut rows {
        r.remove("pos_block");
        r.remove("pos_idx");
    }
    let mut res = axum::Json(json!({ "items": rows, "next_page_token": next })).into_response();
    if let Some(v) = next.as_deref().and_then(|t| next_link(spec.path, raw, "page_token", t)) {
        res.headers_mut().insert(header::LINK, v);
    }
    Ok(res)
}

/// One row of `sql` (one `$1`), or 404 naming `param`.
pub async fn one(state: &ApiState, sql: &str, param: &str, key: Val, what: &str) -> Result<Value, ApiError> {
    let rows = state.db.rows(sql, &[key]).await.map_err(|e| ApiError::unavailable(&e))?;
    rows.into_iter().next().map(Value::Object).ok_or_else(|| ApiError::not_found(param, format!("no such {what} in the index")))
}

/// A path's account, checked.
pub fn path_account(name: &str, v: &str) -> Result<String, ApiError> {
    account(name, v)
}
