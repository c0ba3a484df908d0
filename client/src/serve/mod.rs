//! `tracepass serve`: a read-only GS1 Digital Link resolver over the chain (no key needed).
//!
//! - `GET /01/{gtin}/10/{lot}/21/{serial}?p={proof}`: the item's verification page (the verdict
//!   first, then its evidence), or with `Accept: application/json` exactly the [`Report`] that
//!   `tracepass verify --json` prints.
//! - `GET /01/{gtin}`: the product (HTML, or the [`ProductView`] as JSON on `Accept`).
//! - `GET /healthz`: 200 while the chain answers, 503 otherwise.
//!
//! Status codes: 200 for a verdict (genuine or not), 404 for an item or product that is not
//! registered (the page still shows that verdict), 400 for a malformed path (the input error), 503
//! when the chain cannot be reached. Pages are server-side HTML with inline CSS, readable on a
//! phone, with no JavaScript and no external assets (the Content-Security-Policy header forbids
//! both); every chain-sourced string is escaped by the templates.
//!
//! Inside: `state` (one lazily made connection shared by every request, with a per-block
//! verdict cache), `routes` (handlers, content negotiation, error answers), `pages` (the HTML,
//! with `style.css`) and `product` (the product page's facts).
//!
//! [`Report`]: crate::verify::Report

mod pages;
mod product;
mod routes;
mod state;

pub use pages::{render_product, render_report, verdict_class};
pub use product::{product_view, ProductPageReport, ProductView};
pub use routes::wants_json;
pub use state::{Conn, ServeConfig, ServeState};

use crate::error::{ClientError, Result};
use axum::routing::get;
use axum::Router;
use std::future::Future;

/// The resolver's routes.
pub fn router(state: ServeState) -> Router {
    Router::new()
        .route("/healthz", get(routes::healthz))
        .route("/01/{gtin}", get(routes::product_page))
        .route("/01/{gtin}/10/{lot}/21/{serial}", get(routes::item_page))
        .fallback(routes::fallback)
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
