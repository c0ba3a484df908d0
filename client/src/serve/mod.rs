//! `tracepass serve`: a read-only GS1 Digital Link resolver over the chain (no key needed).
//!
//! - `GET /01/{gtin}/10/{lot}/21/{serial}?p={proof}`: the item's verification page (the verdict
//!   first, then its evidence), or with `Accept: application/json` exactly the [`Report`] that
//!   `tracepass verify --json` prints. With a scan log ([`ServeState::with_scan_log`]) the page
//!   also says when the item was first verified and how often, and warns when the code may have
//!   been copied (the JSON adds `scans`).
//! - `GET /01/{gtin}`: the product (HTML, or the [`ProductView`] as JSON on `Accept`).
//! - `GET /healthz`: 200 while the chain answers, 503 otherwise.
//! - GS1-Conformant Resolver 1.2 ([`linkset`]): `?linkType=linkset` (or `all`, or `Accept:
//!   application/linkset+json`) gives the item's RFC 9264 linkset, `?linkType=gs1:pip` (any of
//!   its link types, as a CURIE or URI) a 307 to that link with the query passed on, every answer
//!   about an item a `Link` header to its linkset; `GET /.well-known/gs1resolver` describes the
//!   resolver; a trailing slash is tolerated; a compressed Digital Link (`/{base64}`) is answered
//!   as its uncompressed form, with that form as `Link: <...>; rel="owl:sameAs"`. Links are
//!   written in [`ServeConfig::public_url`].
//! - `POST` to an item's URI (with `--scan-log`): the buyer's claim ("I bought this"): the first
//!   claim stands (303 back to the page, which then says when it was claimed), later ones get
//!   409 with its time.
//! - Pages in English or Simplified Chinese: `?lang=en|zh`, else `Accept-Language`, else
//!   [`ServeConfig::default_lang`]; the JSON is the same in every language.
//! - Every path answers `HEAD` (the `GET` answer's headers) and `OPTIONS` (204, CORS preflight);
//!   every answer allows any origin (`Access-Control-Allow-Origin: *`): the data is public and
//!   no answer depends on cookies or credentials.
//!
//! Status codes: 200 for a verdict (genuine or not), 404 for an item or product that is not
//! registered (the page still shows that verdict), 400 for a malformed path (the input error), 503
//! when the chain cannot be reached or the resolver is overloaded, 429 for a client over its
//! rate, 414 for a URI over [`listen::MAX_URI_BYTES`]. Pages are server-side HTML with inline CSS, readable on a
//! phone, with no JavaScript and no external assets (the Content-Security-Policy header forbids
//! both); every chain-sourced string is escaped by the templates.
//!
//! Inside: `listen` (the accept loop and its [`Limits`]: header-read timeout, connection cap,
//! per-client rate, load shedding), `state` (one lazily made connection shared by every
//! request, with a per-block verdict cache, and the scan log), `routes` (handlers, content negotiation, error answers), `pages` (the HTML,
//! with `style.css`) and `product` (the product page's facts).
//!
//! [`Report`]: crate::verify::Report

pub mod linkset;
pub mod listen;
mod pages;
mod product;
mod routes;
mod state;

pub use pages::{render_product, render_report, verdict_class, View};
pub use product::{product_view, ProductPageReport, ProductView};
pub use routes::{wants_json, MAX_ECHO_CHARS, MAX_ECHO_WORD};
pub use listen::{serve_limited, Limits};
pub use state::{Conn, ServeConfig, ServeState};

use crate::error::Result;
use axum::routing::get;
use axum::Router;
use std::future::Future;

/// The last value of parameter `name` in a query string (form-encoded, as browsers send it).
pub(crate) fn query_value(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k == name).map(|(_, v)| v.into_owned()).last()
}

/// The pairs of a query string other than `name`'s, as they came (still encoded).
pub(crate) fn query_without<'q>(query: &'q str, name: &str) -> Vec<&'q str> {
    query.split('&').filter(|kv| !kv.is_empty() && *kv != name && kv.strip_prefix(name).is_none_or(|rest| !rest.starts_with('='))).collect()
}

/// The resolver's routes.
pub fn router(state: ServeState) -> Router {
    Router::new()
        .route("/healthz", get(routes::healthz))
        .route("/.well-known/gs1resolver", get(routes::description))
        .route("/01/{gtin}", get(routes::product_page))
        .route("/01/{gtin}/", get(routes::product_page))
        .route("/01/{gtin}/10/{lot}/21/{serial}", get(routes::item_page).post(routes::claim_item))
        .route("/01/{gtin}/10/{lot}/21/{serial}/", get(routes::item_page).post(routes::claim_item))
        .fallback(routes::fallback)
        .layer(axum::middleware::from_fn(routes::cors))
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

/// Serves `state` (e.g. one already connected) within its configuration's [`Limits`] until
/// `shutdown` completes.
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: ServeState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let limits = state.config().limits;
    if let Ok(addr) = listener.local_addr() {
        state.listening_on(addr);
    }
    serve_limited(listener, router(state), limits, shutdown).await
}
