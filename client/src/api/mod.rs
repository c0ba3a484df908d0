//! `tracepass api`: the index over HTTP, read-only, JSON.
//!
//! - `/api/v1/...`: the lists of [`lists::LISTS`] (keyset pages in chain order: `limit`,
//!   `page_token`, and a `Link: <...>; rel="next"` header), single records (a lot with its
//!   timeline, a merchant, a product, a factory, an attestation, a proposal), statistics
//!   (`stats/pass-rates`, `stats/sampling`, `stats/backlog`), `scans/flagged` (codes the
//!   resolver's scan log flags as possibly copied) and `status` (the last block indexed);
//! - `/epcis/events`: GS1's EPCIS 2.0 query interface (REST binding) over the indexed events;
//! - `/openapi.json`: the OpenAPI 3.1 document, made from the same tables as the handlers;
//! - `/dashboard`: the operator's page (HTML, SVG charts, `?from=YYYY-MM&to=YYYY-MM`).
//!
//! Errors: 400 for a malformed or unknown parameter, 404 for an ID the index does not hold,
//! both with `{"error": {"status", "parameter", "message"}}`; 503 when the database fails (the
//! cause goes to the server's log, never to the client). A client's mistake is not logged.

pub mod dashboard;
pub mod epcis;
pub mod lists;
pub mod openapi;
pub mod params;

use crate::error::Result;
use crate::index::db::{Db, Val};
use crate::index::query;
use crate::scans::{self, Rules};
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use params::{ApiError, Params};
use serde_json::{json, Value};
use std::future::Future;
use std::sync::Arc;

/// What every handler shares.
#[derive(Clone)]
pub struct ApiState {
    /// The index.
    pub db: Db,
    /// The OpenAPI document, made once.
    openapi: Arc<String>,
    /// When the resolver's scan log flags a code (`/api/v1/scans/flagged`).
    scan_rules: Rules,
}

impl ApiState {
    /// A state over `db`, with the default scan rules.
    pub fn new(db: Db) -> ApiState {
        ApiState { db, openapi: Arc::new(openapi::document().to_pretty_json().unwrap_or_default()), scan_rules: Rules::default() }
    }

    /// The same state flagging codes by `rules` (the resolver's, so both say the same).
    pub fn with_scan_rules(self, rules: Rules) -> ApiState {
        ApiState { scan_rules: rules, ..self }
    }
}

type Answer = std::result::Result<Response, ApiError>;

fn ok(v: Value) -> Answer {
    Ok(Json(v).into_response())
}

async fn lot(State(s): State<ApiState>, Path(lot): Path<String>, RawQuery(q): RawQuery) -> Answer {
    Params::parse(q.as_deref())?.finish()?;
    let key = query::lot_key(&lot).map_err(|e| ApiError::bad("lot", e.to_string()))?;
    match query::lot(&s.db, &key).await.map_err(|e| ApiError::unavailable(&e))? {
        Some(v) => ok(v),
        None => Err(ApiError::not_found("lot", "no such lot in the index")),
    }
}

async fn merchant(State(s): State<ApiState>, Path(a): Path<String>, RawQuery(q): RawQuery) -> Answer {
    Params::parse(q.as_deref())?.finish()?;
    let a = lists::path_account("account", &a)?;
    ok(lists::one(&s, "SELECT account, tier, status, added_by, block, changed_block, suspended_ms, suspension_confirmed FROM merchants WHERE account = $1", "account", Val::Text(a), "merchant").await?)
}

async fn product(State(s): State<ApiState>, Path(g): Path<String>, RawQuery(q): RawQuery) -> Answer {
    Params::parse(q.as_deref())?.finish()?;
    let g = crate::gs1::parse_gtin(&g).map_err(|e| ApiError::bad("gtin", e.to_string()))?;
    ok(lists::one(&s, "SELECT gtin, merchant, factory, brand, category, origin, hs_code, block FROM products WHERE gtin = $1", "gtin", Val::Text(g.to_string()), "product").await?)
}

fn id_param(name: &str, v: &str) -> std::result::Result<Val, ApiError> {
    v.parse::<u64>().map(Val::from).map_err(|_| ApiError::bad(name, format!("{:?} is not a non-negative integer", v.chars().take(40).collect::<String>())))
}

async fn factory(State(s): State<ApiState>, Path(id): Path<String>, RawQuery(q): RawQuery) -> Answer {
    Params::parse(q.as_deref())?.finish()?;
    ok(lists::one(&s, "SELECT id, merchant, country, block FROM factories WHERE id = $1", "id", id_param("id", &id)?, "factory").await?)
}

async fn attestation(State(s): State<ApiState>, Path(id): Path<String>, RawQuery(q): RawQuery) -> Answer {
    Params::parse(q.as_deref())?.finish()?;
    let sql = "SELECT id, kind, subject, issuer, lot, factory, result, standard, selected, answers, valid_until, issued_at, event_time, \
               block, revoked_by, revoked_reason, revoked_block FROM attestations WHERE id = $1";
    ok(lists::one(&s, sql, "id", id_param("id", &id)?, "attestation").await?)
}

async fn proposal(State(s): State<ApiState>, Path(id): Path<String>, RawQuery(q): RawQuery) -> Answer {
    Params::parse(q.as_deref())?.finish()?;
    let id = id_param("id", &id)?;
    let mut p = lists::one(&s, "SELECT id, proposer, action, expires_at, approvals, executed_by, executed_block, block FROM proposals WHERE id = $1", "id", id.clone(), "proposal").await?;
    let votes = s.db.rows("SELECT governor, block FROM votes WHERE proposal = $1 ORDER BY block, idx", &[id]).await.map_err(|e| ApiError::unavailable(&e))?;
    p["votes"] = json!(votes);
    ok(p)
}

async fn pass_rates(State(s): State<ApiState>, RawQuery(q): RawQuery) -> Answer {
    let mut p = Params::parse(q.as_deref())?;
    let by = p.choice("by", &["merchant", "country", "category", "agency"])?;
    p.finish()?;
    let by = match by.as_deref() {
        None | Some("merchant") => query::By::Merchant,
        Some("country") => query::By::Country,
        Some("category") => query::By::Category,
        _ => query::By::Agency,
    };
    let rows = query::pass_rates(&s.db, by).await.map_err(|e| ApiError::unavailable(&e))?;
    ok(json!({ "by": by, "items": rows }))
}

async fn sampling(State(s): State<ApiState>, RawQuery(q): RawQuery) -> Answer {
    Params::parse(q.as_deref())?.finish()?;
    ok(json!({ "items": query::sampling_rates(&s.db).await.map_err(|e| ApiError::unavailable(&e))? }))
}

async fn backlog(State(s): State<ApiState>, RawQuery(q): RawQuery) -> Answer {
    let mut p = Params::parse(q.as_deref())?;
    let limit = p.limit("limit", params::DEFAULT_LIMIT, params::MAX_LIMIT)?;
    let days = p.int("overdue_days", u64::from(query::MAX_OVERDUE_DAYS))?.map_or(query::DEFAULT_OVERDUE_DAYS, |d| d as u32);
    p.finish()?;
    ok(query::backlog(&s.db, limit, days).await.map_err(|e| ApiError::unavailable(&e))?)
}

/// Codes the scan log flags as possibly copied, most scanned first (of one merchant's lots with
/// `merchant`): each with its scans and regions in the window, first and last scan.
async fn flagged(State(s): State<ApiState>, RawQuery(q): RawQuery) -> Answer {
    let mut p = Params::parse(q.as_deref())?;
    let merchant = p.account("merchant")?;
    let limit = p.limit("limit", params::DEFAULT_LIMIT, params::MAX_LIMIT)?;
    p.finish()?;
    let rows = scans::flagged(&s.db, &s.scan_rules, merchant.as_deref(), scans::now_ms(), limit).await.map_err(|e| ApiError::unavailable(&e))?;
    ok(json!({ "rules": s.scan_rules, "items": rows }))
}

async fn status(State(s): State<ApiState>) -> Answer {
    ok(query::summary(&s.db).await.map_err(|e| ApiError::unavailable(&e))?)
}

async fn openapi_json(State(s): State<ApiState>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], s.openapi.as_str().to_string()).into_response()
}

async fn not_found() -> ApiError {
    ApiError { status: StatusCode::NOT_FOUND, parameter: None, message: "no such endpoint (GET /openapi.json lists them)".into() }
}

/// The API's routes.
pub fn router(state: ApiState) -> Router {
    let mut r = Router::new();
    for spec in lists::LISTS {
        r = r.route(
            spec.path,
            get(move |State(s): State<ApiState>, RawQuery(q): RawQuery| async move { lists::list(&s, spec, q.as_deref()).await }),
        );
    }
    r.route("/api/v1/lots/{lot}", get(lot))
        .route("/api/v1/merchants/{account}", get(merchant))
        .route("/api/v1/products/{gtin}", get(product))
        .route("/api/v1/factories/{id}", get(factory))
        .route("/api/v1/attestations/{id}", get(attestation))
        .route("/api/v1/proposals/{id}", get(proposal))
        .route("/api/v1/stats/pass-rates", get(pass_rates))
        .route("/api/v1/stats/sampling", get(sampling))
        .route("/api/v1/stats/backlog", get(backlog))
        .route("/api/v1/scans/flagged", get(flagged))
        .route("/api/v1/status", get(status))
        .route("/epcis/events", get(epcis::events))
        .route("/openapi.json", get(openapi_json))
        .route("/dashboard", get(dashboard::dashboard))
        .fallback(not_found)
        .layer(axum::middleware::map_response(headers))
        .with_state(state)
}

/// Headers on every answer: no sniffing, no caching of partial indexes, no framing.
async fn headers(mut res: Response) -> Response {
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

/// Serves the API over `db` (default scan rules) until `shutdown` completes.
pub async fn serve(listener: tokio::net::TcpListener, db: Db, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
    serve_state(listener, ApiState::new(db), shutdown).await
}

/// Serves the API of `state` until `shutdown` completes.
pub async fn serve_state(listener: tokio::net::TcpListener, state: ApiState, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
    crate::serve::serve_limited(listener, router(state), api_limits(), shutdown).await
}

/// The API's bounds: the resolver's header-read timeout, connection cap and load shedding, a
/// request timeout for long statistics, and no per-client rate (its clients are partners'
/// systems, often many behind one address).
pub fn api_limits() -> crate::serve::Limits {
    crate::serve::Limits { per_client_per_second: 0, ..crate::serve::Limits::for_chain_timeout(std::time::Duration::from_secs(30)) }
}
