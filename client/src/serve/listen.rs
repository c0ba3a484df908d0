//! The resolver's own accept loop, for the open internet: every bound a named field of
//! [`Limits`], each with a default a single-node deployment can keep.
//!
//! - **Slow clients** (slowloris): `axum::serve` installs no timer, so hyper's header-read
//!   timeout never fires there. Here each connection is served by hyper's HTTP/1 builder with a
//!   Tokio timer: a client that has not sent a whole request head within
//!   [`Limits::header_read_timeout`] of connecting (or of its last answer, on a kept-alive
//!   connection) is disconnected, whether it sends part of a head or nothing at all.
//! - **Too many connections**: past [`Limits::max_connections`] a new connection is closed at
//!   once, before anything is read.
//! - **One client hammering**: a token bucket per client ([`Limits::per_client_per_second`],
//!   [`Limits::per_client_burst`]) answers 429 with `Retry-After`. The client is the TCP peer:
//!   an IPv4 address, or an IPv6 /64 (one subscriber's block); never `X-Forwarded-For`, which
//!   anyone can write. Behind a reverse proxy every scanner shares the proxy's address: raise
//!   the bucket or let the proxy limit.
//! - **Everyone at once**: past [`Limits::max_in_flight`] requests being answered, more get 503
//!   at once (load shedding), so the node sees bounded work and its one shared connection is
//!   not timed out into reconnect loops; a request still unanswered after
//!   [`Limits::request_timeout`] gets 503.
//! - **Big requests**: heads are read into at most [`MAX_HEAD_BYTES`] (larger: 431), and a URI
//!   longer than [`MAX_URI_BYTES`] gets 414 before any handler runs.

use super::routes::overloaded_response;
use crate::error::{ClientError, Result};
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

/// Longest request URI (path and query); a Digital Link with a million-item lot's proof is
/// under 1,000 bytes.
pub const MAX_URI_BYTES: usize = 4096;
/// Buffer for a request head (hyper's minimum is 8,192); a longer head gets 431.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Longest a graceful stop waits for requests in flight.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// The resolver's bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest a client may take to send a whole request head.
    pub header_read_timeout: Duration,
    /// Longest a request may take to be answered before it gets 503.
    pub request_timeout: Duration,
    /// Most open connections.
    pub max_connections: usize,
    /// Most requests being answered at once.
    pub max_in_flight: usize,
    /// Requests a client may make per second, sustained; 0 turns the per-client limit off.
    pub per_client_per_second: u32,
    /// Requests a client may make at once after being quiet.
    pub per_client_burst: u32,
}

/// Default of [`Limits::header_read_timeout`].
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`Limits::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 4096;
/// Default of [`Limits::max_in_flight`].
pub const DEFAULT_MAX_IN_FLIGHT: usize = 256;
/// Default of [`Limits::per_client_per_second`]: generous, as a carrier's NAT puts many
/// shoppers behind one IPv4 address.
pub const DEFAULT_PER_CLIENT_PER_SECOND: u32 = 50;
/// Default of [`Limits::per_client_burst`].
pub const DEFAULT_PER_CLIENT_BURST: u32 = 200;

impl Limits {
    /// The defaults, with a request timeout a little over the chain-read timeout `chain`.
    pub fn for_chain_timeout(chain: Duration) -> Limits {
        Limits {
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            request_timeout: chain + Duration::from_secs(5),
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            per_client_per_second: DEFAULT_PER_CLIENT_PER_SECOND,
            per_client_burst: DEFAULT_PER_CLIENT_BURST,
        }
    }

    /// Checks the bounds: every one at least 1 (the per-client rate may be 0: off).
    pub fn check(&self) -> Result<()> {
        let bad = |what: &str| Err(ClientError::Input(format!("serve limits: {what} must be at least 1")));
        if self.header_read_timeout.is_zero() {
            return bad("the header-read timeout");
        }
        if self.request_timeout.is_zero() {
            return bad("the request timeout");
        }
        if self.max_connections == 0 {
            return bad("max connections");
        }
        if self.max_in_flight == 0 {
            return bad("max in flight");
        }
        if self.per_client_per_second > 0 && self.per_client_burst == 0 {
            return bad("the per-client burst");
        }
        Ok(())
    }
}

/// The rate limit's client: the peer's IPv4 address, or its IPv6 /64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerNet;

/// An address as the client it counts for.
pub fn client_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !((1u128 << 64) - 1)).into()),
        },
        v4 => v4,
    }
}

impl KeyExtractor for PeerNet {
    type Key = IpAddr;

    fn extract<T>(&self, req: &Request<T>) -> std::result::Result<IpAddr, GovernorError> {
        req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| client_of(c.0.ip())).ok_or(GovernorError::UnableToExtractKey)
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then gives the
/// requests in flight up to [`SHUTDOWN_GRACE`].
pub async fn serve_limited(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    limits.check()?;
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    let shed = tower::ServiceBuilder::new()
        .load_shed()
        .concurrency_limit(limits.max_in_flight)
        .timeout(limits.request_timeout)
        .service(app.into_service::<axum::body::Body>());
    // one service over every connection, so the concurrency limit and the buckets are shared
    let svc: tower::util::BoxCloneSyncService<Request<axum::body::Body>, Response, tower::BoxError> =
        if limits.per_client_per_second > 0 {
            let period = Duration::from_nanos(1_000_000_000 / u64::from(limits.per_client_per_second));
            let config = GovernorConfigBuilder::default()
                .key_extractor(PeerNet)
                .period(period)
                .burst_size(limits.per_client_burst)
                .error_handler(|e| too_many(&e))
                .finish()
                .ok_or_else(|| ClientError::Input("serve limits: the per-client rate is out of range".into()))?;
            let config = Arc::new(config);
            // forget clients quiet long enough to have a full bucket again
            let limiter = config.limiter().clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    limiter.retain_recent();
                    limiter.shrink_to_fit();
                }
            });
            let limited = tower::ServiceBuilder::new().layer(GovernorLayer { config }).service(shed);
            tower::util::BoxCloneSyncService::new(limited)
        } else {
            tower::util::BoxCloneSyncService::new(shed)
        };
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout).max_buf_size(MAX_HEAD_BYTES).keep_alive(true);
    let connections = Arc::new(tokio::sync::Semaphore::new(limits.max_connections));
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // out of file descriptors and the like: wait a little rather than spin
                    eprintln!("tracepass serve: accept on {addr}: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let Ok(permit) = connections.clone().try_acquire_owned() else {
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let svc = svc.clone();
        let per_request = hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
            req.extensions_mut().insert(ConnectInfo(peer));
            let svc = svc.clone();
            async move {
                if req.uri().path_and_query().map_or(0, |p| p.as_str().len()) > MAX_URI_BYTES {
                    return Ok::<_, std::convert::Infallible>(uri_too_long());
                }
                answer_error(svc.oneshot(req.map(axum::body::Body::new)).await)
            }
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), per_request));
        tokio::spawn(async move {
            // a client's broken connection or timeout is its own affair
            let _ = conn.await;
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        _ = graceful.shutdown() => {},
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => {},
    }
    Ok(())
}

/// The answer to an overload (503) or a request over its time (503): never an error out of
/// the service, which would drop the connection without an answer.
fn answer_error(r: std::result::Result<Response, tower::BoxError>) -> std::result::Result<Response, std::convert::Infallible> {
    Ok(match r {
        Ok(res) => res,
        Err(e) if e.is::<tower::load_shed::error::Overloaded>() => overloaded_response("the resolver is busy"),
        Err(e) if e.is::<tower::timeout::error::Elapsed>() => overloaded_response("the answer took too long"),
        Err(e) => {
            eprintln!("tracepass serve: {e}");
            overloaded_response("the resolver failed")
        }
    })
}

fn too_many(e: &GovernorError) -> Response {
    match e {
        GovernorError::TooManyRequests { wait_time, headers } => {
            let mut res = (StatusCode::TOO_MANY_REQUESTS, "too many requests from your network: wait a moment and scan again\n").into_response();
            if let Some(h) = headers {
                res.headers_mut().extend(h.clone());
            }
            if let Ok(v) = axum::http::HeaderValue::from_str(&(*wait_time).max(1).to_string()) {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            res
        }
        GovernorError::UnableToExtractKey => (StatusCode::INTERNAL_SERVER_ERROR, "no peer address\n").into_response(),
        GovernorError::Other { code, msg, .. } => (*code, msg.clone().unwrap_or_default()).into_response(),
    }
}

fn uri_too_long() -> Response {
    (StatusCode::URI_TOO_LONG, format!("the address is longer than {MAX_URI_BYTES} bytes: not a tracepass Digital Link\n")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_are_addresses_or_ipv6_64s() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(client_of(ip("203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(client_of(ip("::ffff:203.0.113.7")), ip("203.0.113.7"));
        assert_eq!(client_of(ip("2001:db8:1:2:aaaa:bbbb:cccc:dddd")), ip("2001:db8:1:2::"));
        assert_eq!(client_of(ip("2001:db8:1:2::1")), client_of(ip("2001:db8:1:2:ffff::9")));
        assert_ne!(client_of(ip("2001:db8:1:2::1")), client_of(ip("2001:db8:1:3::1")));
    }

    #[test]
    fn limits_fail() {
        let ok = Limits::for_chain_timeout(Duration::from_secs(10));
        assert!(ok.check().is_ok());
        assert!(Limits { per_client_per_second: 0, per_client_burst: 0, ..ok }.check().is_ok());
        for bad in [
            Limits { header_read_timeout: Duration::ZERO, ..ok },
            Limits { request_timeout: Duration::ZERO, ..ok },
            Limits { max_connections: 0, ..ok },
            Limits { max_in_flight: 0, ..ok },
            Limits { per_client_burst: 0, ..ok },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }
}
