//! `tracepass serve`: a read-only GS1 Digital Link resolver over the chain (no key needed).
//!
//! - `GET /01/{gtin}/10/{lot}/21/{serial}?p={proof}`: the item's verification page (the verdict
//!   first, then its evidence), or with `Accept: application/json` exactly what
//!   `tracepass verify --json` prints (the [`Report`]).
//! - `GET /01/{gtin}`: the product (HTML, or JSON on `Accept`).
//! - `GET /healthz`: 200 while the chain answers, 503 otherwise.
//!
//! Status codes: 200 for a verdict (genuine or not), 404 for an item or product that is not
//! registered (the page still shows that verdict), 400 for a malformed path (the input error), 503
//! when the chain cannot be reached. Pages are server-side HTML with inline CSS, readable on a phone,
//! with no JavaScript and no external assets (the Content-Security-Policy header forbids both);
//! every chain-sourced string is HTML-escaped.
//!
//! One connection serves every request, with a per-block verdict cache over it
//! ([`crate::verify::cache::Verifier`]: the scans of one lot at one block share one read of the lot; the
//! item's own proof is checked on every scan). It is made lazily (the server starts while the node is
//! down) and dropped after a connection failure or timeout, so the next request reconnects.

use crate::chain::Chain;
use crate::fmt::utc;
use crate::contracts::{Deployment, Tracepass};
use crate::error::{ClientError, Result};
use crate::gs1::{parse_gtin, DigitalLink};
use crate::verify::cache::Verifier;
use crate::verify::{Evidence, EvidenceStatus, MerchantReport, ProductReport, Report, SamplingReport, Verdict};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use std::fmt::Write;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tracepass_shared::Claim;

/// What the resolver serves from.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Node endpoint (`ws://...`).
    pub url: String,
    /// The deployment (checked against the node's genesis on every connect).
    pub deployment: Deployment,
    /// Longest a connect or one page's chain reads may take before the request gets a 503 (and
    /// the connection is dropped).
    pub timeout: Duration,
}

impl ServeConfig {
    /// A configuration with the default timeout (10 s).
    pub fn new(url: impl Into<String>, deployment: Deployment) -> ServeConfig {
        ServeConfig { url: url.into(), deployment, timeout: Duration::from_secs(10) }
    }
}

struct Inner {
    cfg: ServeConfig,
    /// The shared connection and its generation (so a failure drops only the connection it saw).
    conn: tokio::sync::Mutex<(u64, Option<Conn>)>,
}

/// One connection to the chain and the verdict cache over it.
#[derive(Clone)]
pub struct Conn {
    /// The contracts on the connection.
    pub tp: Tracepass,
    /// Verdicts with lot-level reads cached per block: every scan still reads the best block, so
    /// a page is never older than the chain, but the scans of one lot at one block share one read
    /// (BENCHMARKS.md: about 25,000 verdicts/s instead of about 90 with a read per scan).
    pub verifier: Arc<Verifier>,
}

/// The resolver's state: the configuration and the one shared, lazily made connection.
#[derive(Clone)]
pub struct ServeState(Arc<Inner>);

impl ServeState {
    /// A state with no connection yet (the first request, or [`ServeState::health`], connects).
    pub fn new(cfg: ServeConfig) -> ServeState {
        ServeState(Arc::new(Inner { cfg, conn: tokio::sync::Mutex::new((0, None)) }))
    }

    /// The shared connection, connecting first if there is none.
    async fn connection(&self) -> Result<(u64, Conn)> {
        let mut guard = self.0.conn.lock().await;
        if let (generation, Some(c)) = &*guard {
            return Ok((*generation, c.clone()));
        }
        let cfg = &self.0.cfg;
        let chain = tokio::time::timeout(cfg.timeout, Chain::connect(&cfg.url)).await.map_err(|_| ClientError::Connect {
            url: cfg.url.clone(),
            reason: format!("no answer within {} s", cfg.timeout.as_secs_f32()),
        })??;
        let tp = Tracepass::open(chain, &cfg.deployment)?;
        let c = Conn { verifier: Arc::new(Verifier::new(tp.clone())), tp };
        guard.0 += 1;
        guard.1 = Some(c.clone());
        Ok((guard.0, c))
    }

    /// Runs chain reads on the shared connection, within the timeout. A failure that is not the
    /// caller's input or a contract's answer drops the connection, so the next request reconnects.
    pub async fn with_chain<T, F, Fut>(&self, f: F) -> Result<T>
    where
        F: FnOnce(Conn) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let (generation, c) = self.connection().await?;
        let timeout = self.0.cfg.timeout;
        let out = match tokio::time::timeout(timeout, f(c)).await {
            Ok(r) => r,
            Err(_) => Err(ClientError::Chain(format!("the node did not answer within {} s", timeout.as_secs_f32()))),
        };
        if let Err(e) = &out {
            if !matches!(e, ClientError::Input(_) | ClientError::Contract(_)) {
                let mut guard = self.0.conn.lock().await;
                if guard.0 == generation {
                    guard.1 = None;
                }
            }
        }
        out
    }

    /// The chain's best block number, if it answers (connecting if needed).
    pub async fn health(&self) -> Result<u32> {
        self.with_chain(|c| async move { c.tp.chain.block_number().await }).await
    }
}

/// The resolver's routes.
pub fn router(state: ServeState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/01/{gtin}", get(product_page))
        .route("/01/{gtin}/10/{lot}/21/{serial}", get(item_page))
        .fallback(fallback)
        .with_state(state)
}

/// Serves until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, cfg: ServeConfig) -> Result<()> {
    serve_until(listener, cfg, std::future::pending()).await
}

/// Serves until `shutdown` completes, then finishes the requests in flight.
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    cfg: ServeConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    serve_with(listener, ServeState::new(cfg), shutdown).await
}

/// Serves `state` (e.g. one already connected) until `shutdown` completes.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: ServeState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| ClientError::Io { path: addr, reason: e.to_string() })
}

// ---- handlers -------------------------------------------------------------------------------

/// Whether the client asked for JSON rather than HTML (by `Accept` q-values; ties go to the
/// type listed first, and no `Accept` means HTML).
pub fn wants_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else { return false };
    let (mut json_q, mut html_q, mut json_first) = (0.0f32, 0.0f32, None);
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").and_then(|v| v.trim().parse::<f32>().ok()))
            .next()
            .unwrap_or(1.0);
        match media.as_str() {
            "application/json" => {
                json_q = json_q.max(q);
                json_first.get_or_insert(true);
            }
            "text/html" | "application/xhtml+xml" => {
                html_q = html_q.max(q);
                json_first.get_or_insert(false);
            }
            _ => {}
        }
    }
    json_q > 0.0 && (json_q > html_q || (json_q == html_q && json_first == Some(true)))
}

fn respond(status: StatusCode, json: bool, body_json: &Value, body_html: impl FnOnce() -> String) -> Response {
    let mut res = if json {
        (status, [(header::CONTENT_TYPE, "application/json")], body_json.to_string()).into_response()
    } else {
        (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body_html()).into_response()
    };
    let h = res.headers_mut();
    h.insert(header::VARY, HeaderValue::from_static("Accept"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    );
    res
}

/// An error as a response: 400 for the caller's input, 503 for everything the chain side caused.
fn error_response(e: &ClientError, json: bool) -> Response {
    let (status, title, advice) = match e {
        ClientError::Input(_) => (
            StatusCode::BAD_REQUEST,
            "This link is not valid",
            "The address is not a well-formed GS1 Digital Link of a tracepass item. Scan the code on the package again, or check what was typed.",
        ),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Cannot check right now",
            "The consortium chain cannot be reached at the moment, so nothing can be said about this item yet. Please try again in a minute.",
        ),
    };
    // a consumer sees what is wrong with the link; what went wrong on the chain side (node
    // addresses, RPC details) goes to the operator's log only
    let shown = if status == StatusCode::BAD_REQUEST {
        e.to_string()
    } else {
        eprintln!("tracepass serve: 503: {e}");
        "the consortium chain cannot be reached".to_string()
    };
    respond(status, json, &json!({ "error": shown }), || {
        let mut b = String::new();
        let _ = write!(
            b,
            "<section id=\"verdict\" class=\"verdict {}\"><div class=\"mark\">{}</div><h1 id=\"verdict-headline\">{}</h1><p id=\"verdict-reason\">{}</p></section>",
            if status == StatusCode::BAD_REQUEST { "bad" } else { "warn" },
            if status == StatusCode::BAD_REQUEST { "&#10007;" } else { "&#9888;" },
            esc(title),
            esc(advice)
        );
        let _ = write!(b, "<section><h2>What is wrong</h2><p class=\"mono\">{}</p></section>", esc(&shown));
        page(title, &b)
    })
}

/// The merchant section of the item and product pages: status badge, country, tier, account.
fn merchant_section(b: &mut String, merchant: Option<&MerchantReport>) {
    b.push_str("<section id=\"merchant\"><h2>Merchant</h2>");
    match merchant {
        Some(m) => {
            let badge = if m.status == tracepass_shared::MerchantStatus::Active { "b-ok" } else { "b-bad" };
            let _ = write!(b, "<p><span class=\"badge {badge}\">{}</span> {} · tier {}</p>", esc(&format!("{:?}", m.status)), esc(&m.country), esc(&format!("{:?}", m.tier)));
            let _ = write!(b, "<p class=\"muted\">account <span class=\"mono\">{}</span></p>", esc(&m.account));
        }
        None => b.push_str("<p class=\"none\">the merchant is not (or no longer) on the consortium</p>"),
    }
    b.push_str("</section>");
}

async fn item_page(axum::extract::State(state): axum::extract::State<ServeState>, uri: Uri, headers: HeaderMap) -> Response {
    let json = wants_json(&headers);
    let dl = match DigitalLink::parse(&path_and_query(&uri)) {
        Ok(dl) => dl,
        Err(e) => return error_response(&e, json),
    };
    match state.with_chain(|c| async move { c.verifier.verify(&dl).await }).await {
        Ok(report) => {
            let status = if report.verdict == Verdict::NotRegistered { StatusCode::NOT_FOUND } else { StatusCode::OK };
            let value = serde_json::to_value(&report).unwrap_or_default();
            respond(status, json, &value, || render_report(&report))
        }
        Err(e) => error_response(&e, json),
    }
}

/// What the product page shows.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProductView {
    /// GTIN-14.
    pub gtin: String,
    /// Whether the product is registered.
    pub registered: bool,
    /// The product, if registered.
    pub product: Option<ProductPageReport>,
    /// The factory's country, if known.
    pub factory_country: Option<String>,
    /// The merchant.
    pub merchant: Option<MerchantReport>,
    /// The factory's certifications.
    pub factory_certifications: Vec<Evidence>,
}

/// A product as its page shows it: the report's product and its registration block.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ProductPageReport {
    /// What every report says of the product.
    #[serde(flatten)]
    pub product: ProductReport,
    /// Block of registration.
    pub registered_at_block: tracepass_shared::BlockNumber,
}

/// Reads a product and what the page says about its factory and merchant.
pub async fn product_view(tp: &Tracepass, gtin: tracepass_shared::Gtin) -> Result<ProductView> {
    let tp = &tp.pinned().await?;
    let mut v = ProductView { gtin: gtin.to_string(), registered: false, product: None, factory_country: None, merchant: None, factory_certifications: vec![] };
    let Some(p) = tp.product(gtin).await? else { return Ok(v) };
    let (merchant, factory, certs, now) =
        tokio::try_join!(tp.merchant(p.merchant), tp.factory(p.info.factory), tp.attestations_of_factory(p.info.factory), tp.chain.now_ms())?;
    v.registered = true;
    v.product = Some(ProductPageReport { product: (&p.info).into(), registered_at_block: p.registered_at });
    v.factory_country = factory.map(|f| f.country.to_string());
    v.merchant = merchant.map(|m| MerchantReport::new(&p.merchant, &m));
    v.factory_certifications =
        certs.iter().filter(|(_, a)| matches!(a.claim, Claim::FactoryCertification { .. })).map(|(id, a)| Evidence::new(*id, a, now)).collect();
    Ok(v)
}

async fn product_page(axum::extract::State(state): axum::extract::State<ServeState>, uri: Uri, headers: HeaderMap) -> Response {
    let json = wants_json(&headers);
    let seg = uri.path().trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
    let gtin = match parse_gtin(&seg) {
        Ok(g) => g,
        Err(e) => return error_response(&e, json),
    };
    match state.with_chain(|c| async move { product_view(&c.tp, gtin).await }).await {
        Ok(v) => {
            let status = if v.product.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
            respond(status, json, &serde_json::to_value(&v).unwrap_or_default(), || render_product(&v))
        }
        Err(e) => error_response(&e, json),
    }
}

async fn healthz(axum::extract::State(state): axum::extract::State<ServeState>) -> Response {
    match state.health().await {
        Ok(block) => (StatusCode::OK, format!("ok: chain at block {block}\n")).into_response(),
        Err(e) => {
            eprintln!("tracepass serve: healthz: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "unavailable: the consortium chain cannot be reached\n").into_response()
        }
    }
}

/// Anything else: a path that starts like a Digital Link gets the parser's reason (400); the
/// rest a plain 404.
async fn fallback(uri: Uri, headers: HeaderMap) -> Response {
    let json = wants_json(&headers);
    let pq = path_and_query(&uri);
    if uri.path().starts_with("/01/") || uri.path() == "/01" {
        let e = match DigitalLink::parse(&pq) {
            Err(e) => e,
            Ok(_) => ClientError::Input(format!("Digital Link {pq:?}: expected /01/{{gtin}} or /01/{{gtin}}/10/{{lot}}/21/{{serial}}")),
        };
        return error_response(&e, json);
    }
    respond(StatusCode::NOT_FOUND, json, &json!({ "error": format!("no such page: {}", uri.path()) }), || {
        page(
            "Not found",
            "<section id=\"verdict\" class=\"verdict warn\"><div class=\"mark\">?</div><h1 id=\"verdict-headline\">Nothing here</h1>\
             <p id=\"verdict-reason\">This is the tracepass resolver. Scan the QR code on a product's package to check it.</p></section>",
        )
    })
}

fn path_and_query(uri: &Uri) -> String {
    uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| uri.path().to_string())
}

// ---- HTML -----------------------------------------------------------------------------------

/// HTML-escapes text for element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = "\
*{box-sizing:border-box}\
body{margin:0;background:#f3f4f6;color:#111827;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;-webkit-text-size-adjust:100%}\
main{max-width:40rem;margin:0 auto;padding:0 0 2rem}\
.verdict{padding:1.5rem 1.25rem 1.25rem;color:#fff;text-align:center}\
.verdict.ok{background:#0b7a34}.verdict.bad{background:#b42318}.verdict.warn{background:#f2a900;color:#1f1300}\
.mark{font-size:3.5rem;line-height:1;font-weight:700}\
.verdict h1{margin:.4rem 0 .3rem;font-size:2rem;line-height:1.15;letter-spacing:.02em}\
.verdict p{margin:0;font-size:1.05rem}\
section{background:#fff;margin:.75rem .75rem 0;padding:.9rem 1rem;border-radius:.6rem;box-shadow:0 1px 2px rgba(0,0,0,.08)}\
section.verdict{margin:0;border-radius:0;box-shadow:none}\
h2{font-size:1.05rem;margin:0 0 .5rem;color:#374151}\
dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:.25rem .9rem}\
dt{color:#6b7280}dd{margin:0;overflow-wrap:anywhere}\
ul,ol{margin:0;padding:0;list-style:none}\
.ev{border-top:1px solid #e5e7eb;padding:.5rem 0}.ev:first-child{border-top:0;padding-top:0}\
.muted{color:#6b7280;font-size:.875rem}.mono{font-family:'DejaVu Sans Mono',monospace;font-size:.8rem;overflow-wrap:anywhere}\
.badge{display:inline-block;padding:0 .45rem;border-radius:.3rem;font-size:.8rem;font-weight:600;vertical-align:middle}\
.b-ok{background:#dcfce7;color:#166534}.b-bad{background:#fee2e2;color:#991b1b}.b-warn{background:#fef3c7;color:#92400e}\
.none{color:#6b7280;font-style:italic;margin:0}\
.timeline li{position:relative;padding:0 0 .8rem 1.4rem;border-left:2px solid #d1d5db;margin-left:.4rem}\
.timeline li:last-child{border-left-color:transparent}\
.timeline li::before{content:'';position:absolute;left:-.45rem;top:.3rem;width:.7rem;height:.7rem;border-radius:50%;background:#0b7a34}\
.timeline b{display:block}\
footer{margin:1rem .75rem 0;color:#6b7280;font-size:.8rem;text-align:center}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · tracepass</title><style>{CSS}</style></head>\
         <body><main>{body}<footer>tracepass · read-only check against the consortium chain</footer></main></body></html>\n",
        esc(title)
    )
}

/// Green, red or amber for a verdict.
pub fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Genuine => "ok",
        Verdict::NotRegistered | Verdict::NotInLot | Verdict::MerchantSuspended | Verdict::Recalled | Verdict::FailedInspection => "bad",
        Verdict::Held | Verdict::AttestationRevoked | Verdict::AttestationExpired | Verdict::AwaitingInspection => "warn",
    }
}

fn str_of(v: &Value, k: &str) -> String {
    match &v[k] {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// `20261101` as `2026-11-01`.
fn yyyymmdd(v: &Value) -> String {
    match v.as_u64() {
        Some(n) if (10_000_000..100_000_000).contains(&n) => format!("{:04}-{:02}-{:02}", n / 10_000, n / 100 % 100, n % 100),
        _ => str_of(&json!({ "v": v }), "v"),
    }
}

fn dl_rows(b: &mut String, rows: &[(&str, String)]) {
    b.push_str("<dl>");
    for (k, v) in rows {
        let _ = write!(b, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(v));
    }
    b.push_str("</dl>");
}

fn evidence_list(b: &mut String, id: &str, title: &str, list: &[Evidence], none: &str) {
    let _ = write!(b, "<section id=\"{id}\"><h2>{}</h2>", esc(title));
    evidence_items(b, list, none);
    b.push_str("</section>");
}

fn evidence_items(b: &mut String, list: &[Evidence], none: &str) {
    if list.is_empty() {
        let _ = write!(b, "<p class=\"none\">{}</p>", esc(none));
    } else {
        b.push_str("<ul>");
        for e in list {
            let badge = match e.status {
                EvidenceStatus::Valid => "b-ok",
                EvidenceStatus::Revoked => "b-bad",
                EvidenceStatus::Expired => "b-warn",
            };
            let _ = write!(
                b,
                "<li class=\"ev\"><div>#{} {} <span class=\"badge {badge}\">{}</span></div><div class=\"muted\">issued {}{}</div><div class=\"muted\">by <span class=\"mono\">{}</span></div></li>",
                e.id,
                esc(&e.summary),
                esc(e.status.as_str()),
                esc(&utc(e.issued_at)),
                e.valid_until.map(|v| format!(", valid until {}", esc(&utc(v)))).unwrap_or_default(),
                esc(&e.issuer)
            );
        }
        b.push_str("</ul>");
    }
}

/// The sampling line of the inspections section, in words.
fn sampling_words(s: &SamplingReport) -> (String, &'static str) {
    use tracepass_shared::Selection;
    let how = format!("rate {}%, {}, epoch {}", f64::from(s.rate_bps) / 100.0, s.rule, s.epoch);
    match s.selection {
        Selection::Selected => (format!("Sampling selected this lot for inspection ({how})."), "b-warn"),
        Selection::NotSelected => (format!("Sampling did not select this lot ({how})."), "b-ok"),
        Selection::SeedPending => (format!("Sampling draw pending: the epoch's seed is not revealed yet ({how})."), "b-warn"),
        Selection::Unknown => (format!("No sampling record for this lot ({how})."), "b-warn"),
    }
}

/// The verification page of a report.
pub fn render_report(r: &Report) -> String {
    let class = verdict_class(r.verdict);
    let mark = match class {
        "ok" => "&#10003;",
        "bad" => "&#10007;",
        _ => "&#9888;",
    };
    let mut b = String::with_capacity(8 * 1024);
    let _ = write!(
        b,
        "<section id=\"verdict\" class=\"verdict {class}\" data-verdict=\"{}\"><div class=\"mark\" aria-hidden=\"true\">{mark}</div>\
         <h1 id=\"verdict-headline\">{}</h1><p id=\"verdict-reason\">{}</p></section>",
        esc(&serde_json::to_value(r.verdict).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default()),
        esc(r.verdict.headline()),
        esc(&r.reason)
    );

    b.push_str("<section id=\"item\"><h2>This item</h2>");
    let mut rows = vec![("GTIN", r.gtin.clone()), ("Lot", r.lot.clone()), ("Serial", r.serial.clone())];
    if let Some(l) = &r.lot_record {
        rows.push(("Lot status", format!("{:?}", l.status)));
        rows.push(("Lot size", format!("{} items", l.item_count)));
        rows.push(("Produced", yyyymmdd(&json!(l.produced_on))));
        rows.push(("Best before", yyyymmdd(&json!(l.expires_on))));
    }
    dl_rows(&mut b, &rows);
    let _ = write!(b, "<p class=\"muted\">digital ID <span class=\"mono\">{}</span></p></section>", esc(&r.item_id));

    if let Some(p) = &r.product {
        b.push_str("<section id=\"product\"><h2>Product</h2>");
        let mut rows = vec![
            ("Brand", p.brand.clone()),
            ("Category", p.category.to_string()),
            ("Origin", p.origin.clone()),
            ("HS code", p.hs_code.clone()),
            ("Factory", format!("#{}", p.factory)),
        ];
        let uri = p.uri.clone();
        if !uri.is_empty() {
            rows.push(("Product info", uri));
        }
        dl_rows(&mut b, &rows);
        b.push_str("</section>");
    }
    if r.product.is_some() {
        merchant_section(&mut b, r.merchant.as_ref());

        evidence_list(&mut b, "factory-certification", "Factory certification", &r.factory_certifications, "no certification of this factory is recorded");
        evidence_list(&mut b, "customs", "Customs clearance", &r.customs_clearances, "no customs clearance is recorded for this lot");

        b.push_str("<section id=\"inspections\"><h2>Inspections</h2>");
        match &r.sampling {
            Some(s) => {
                let (words, badge) = sampling_words(s);
                let _ = write!(b, "<p id=\"sampling\"><span class=\"badge {badge}\">sampling</span> {}</p>", esc(&words));
            }
            None => b.push_str("<p id=\"sampling\" class=\"none\">no sampling record for this lot</p>"),
        }
        evidence_items(&mut b, &r.inspections, "no inspection of this lot is recorded");
        b.push_str("</section>");

        b.push_str("<section id=\"trace\"><h2>Journey</h2>");
        if r.trace.is_empty() {
            b.push_str("<p class=\"none\">no trace events are recorded for this lot</p>");
        } else {
            b.push_str("<ol class=\"timeline\">");
            for t in &r.trace {
                let _ = write!(
                    b,
                    "<li><b>{}</b><span>{}</span><div class=\"muted\">{} · by <span class=\"mono\">{}</span></div></li>",
                    esc(&format!("{:?}", t.step)),
                    esc(&t.location),
                    esc(&utc(t.event_time)),
                    esc(&t.actor)
                );
            }
            b.push_str("</ol>");
        }
        b.push_str("</section>");
    }
    page(r.verdict.headline(), &b)
}

/// The product page.
pub fn render_product(v: &ProductView) -> String {
    let mut b = String::with_capacity(4 * 1024);
    let Some(p) = &v.product else {
        let _ = write!(
            b,
            "<section id=\"verdict\" class=\"verdict bad\"><div class=\"mark\" aria-hidden=\"true\">&#10007;</div><h1 id=\"verdict-headline\">{}</h1>\
             <p id=\"verdict-reason\">no product with GTIN {} is registered on chain</p></section>",
            esc(Verdict::NotRegistered.headline()),
            esc(&v.gtin)
        );
        return page("Not registered", &b);
    };
    let active = v.merchant.as_ref().is_some_and(|m| m.status == tracepass_shared::MerchantStatus::Active);
    let pr = &p.product;
    let _ = write!(
        b,
        "<section id=\"verdict\" class=\"verdict {}\"><h1 id=\"verdict-headline\">{}</h1><p id=\"verdict-reason\">{}</p></section>",
        if active { "ok" } else { "bad" },
        esc(&pr.brand),
        if active { "a registered product of an active merchant" } else { "registered, but its merchant is not active on the consortium" }
    );
    b.push_str("<section id=\"product\"><h2>Product</h2>");
    let mut rows = vec![
        ("GTIN", v.gtin.clone()),
        ("Brand", pr.brand.clone()),
        ("Category", pr.category.to_string()),
        ("Origin", pr.origin.clone()),
        ("HS code", pr.hs_code.clone()),
        (
            "Factory",
            match &v.factory_country {
                Some(c) => format!("#{} ({c})", pr.factory),
                None => format!("#{}", pr.factory),
            },
        ),
        ("Registered at block", p.registered_at_block.to_string()),
    ];
    let uri = pr.uri.clone();
    if !uri.is_empty() {
        rows.push(("Product info", uri));
    }
    dl_rows(&mut b, &rows);
    b.push_str("</section>");
    merchant_section(&mut b, v.merchant.as_ref());
    evidence_list(&mut b, "factory-certification", "Factory certification", &v.factory_certifications, "no certification of this factory is recorded");
    page(&pr.brand, &b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::{LotReport, TraceLine};
    use tracepass_shared::{BusinessStep, LotStatus, MerchantStatus, MerchantTier, Selection};

    fn report(verdict: Verdict) -> Report {
        let evil = "<script>alert('x')</script>\"&";
        Report {
            verdict,
            reason: format!("because {evil}"),
            gtin: "10614141000415".into(),
            lot: "L2026-11A".into(),
            serial: "AROHA00000042".into(),
            item_id: format!("0x{}", "ab".repeat(32)),
            product: Some(ProductReport { brand: evil.into(), category: 1001, origin: "NZ".into(), hs_code: "190110".into(), factory: 1, uri: "https://aroha.example/p/1".into() }),
            merchant: Some(MerchantReport { account: "5Fx".into(), country: "NZ".into(), tier: MerchantTier::Standard, status: MerchantStatus::Active }),
            lot_record: Some(LotReport { status: LotStatus::Cleared, item_count: 10000, produced_on: 20261101, expires_on: 20281031, registered_at_block: 40, root: "0x00".into() }),
            sampling: Some(SamplingReport { selection: Selection::Selected, rate_bps: 10000, rule: "category 1001, origin any, tier any".into(), epoch: 3 }),
            factory_certifications: vec![Evidence { id: 1, summary: format!("factory 1 certified {evil}"), issuer: "5Eve".into(), status: EvidenceStatus::Valid, issued_at: 0, valid_until: Some(86_400_000) }],
            customs_clearances: vec![Evidence { id: 3, summary: "cleared at CNSHA".into(), issuer: "5Ferdie".into(), status: EvidenceStatus::Valid, issued_at: 1_000, valid_until: None }],
            inspections: vec![Evidence { id: 2, summary: "Pass against GB 10765-2021".into(), issuer: "5Eve".into(), status: EvidenceStatus::Revoked, issued_at: 0, valid_until: None }],
            trace: vec![TraceLine { step: BusinessStep::Packing, event_time: 1_795_316_030_569, location: format!("NZ {evil}"), actor: "5Merchant".into() }],
        }
    }

    fn check_safe(html: &str) {
        assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
        assert!(!html.contains("alert('x')"), "unescaped quote: {html}");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;&amp;"), "{html}");
        for asset in ["src=", "href=", "@import", "url(", "<link", "<img", "<iframe", "<object"] {
            assert!(!html.to_ascii_lowercase().contains(asset), "{asset} in {html}");
        }
        assert!(html.contains("<meta name=\"viewport\""));
        assert!(html.starts_with("<!doctype html>"));
    }

    #[test]
    fn report_page_is_escaped_and_self_contained() {
        let html = render_report(&report(Verdict::Genuine));
        check_safe(&html);
        // the verdict comes first, before any evidence
        let v = html.find("id=\"verdict-headline\">GENUINE</h1>").expect("headline");
        assert!(v < html.find("id=\"product\"").unwrap() && v < html.find("id=\"trace\"").unwrap());
        assert!(html.contains("class=\"verdict ok\""));
        assert!(html.contains("Sampling selected this lot for inspection"));
        assert!(html.contains("2026-11-22 02:53:50 UTC") && html.contains("2026-11-01"));
        // the merchant's product URI is shown as text, not a link
        assert!(html.contains("https://aroha.example/p/1") && !html.contains("href"));
    }

    #[test]
    fn negative_verdicts_are_red_or_amber() {
        for (v, class) in [(Verdict::NotInLot, "bad"), (Verdict::Recalled, "bad"), (Verdict::Held, "warn"), (Verdict::AwaitingInspection, "warn")] {
            let html = render_report(&report(v));
            check_safe(&html);
            assert!(html.contains(&format!("class=\"verdict {class}\"")), "{v:?}");
            assert!(html.contains(&esc(v.headline())), "{v:?}");
            assert!(!html.contains(">GENUINE<"), "{v:?}");
        }
        let mut r = report(Verdict::NotRegistered);
        (r.product, r.merchant, r.lot_record, r.sampling) = (None, None, None, None);
        let html = render_report(&r);
        assert!(html.contains("NOT GENUINE: not registered") && html.contains("verdict bad"));
    }

    #[test]
    fn product_page_is_escaped() {
        let r = report(Verdict::Genuine);
        let v = ProductView {
            gtin: r.gtin.clone(),
            registered: true,
            product: r.product.clone().map(|product| ProductPageReport { product, registered_at_block: 7 }),
            factory_country: Some("NZ".into()),
            merchant: r.merchant.clone(),
            factory_certifications: r.factory_certifications.clone(),
        };
        let html = render_product(&v);
        check_safe(&html);
        assert!(html.contains("190110") && html.contains("#1 (NZ)") && html.contains("Active"));
        let missing = render_product(&ProductView { product: None, merchant: None, factory_certifications: vec![], ..v });
        assert!(missing.contains("NOT GENUINE: not registered"));
    }

    #[test]
    fn error_pages_say_what_is_wrong() {
        let res = error_response(&ClientError::Input("GTIN \"<1>\": BadCheckDigit".into()), false);
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = error_response(&ClientError::Connect { url: "ws://x".into(), reason: "refused".into() }, true);
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/json");
    }

    #[test]
    fn accept_negotiation_works() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
            m
        };
        assert!(!wants_json(&HeaderMap::new()));
        assert!(wants_json(&h("application/json")));
        assert!(wants_json(&h("application/json, text/plain, */*")));
        assert!(!wants_json(&h("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")));
        assert!(!wants_json(&h("text/html, application/json;q=0.5")));
        assert!(wants_json(&h("text/html;q=0.5, application/json")));
        assert!(!wants_json(&h("application/json;q=0")));
    }

    #[test]
    fn dates_read_well() {
        assert_eq!(yyyymmdd(&json!(20281031)), "2028-10-31");
        assert_eq!(yyyymmdd(&json!(0)), "0");
    }
}
