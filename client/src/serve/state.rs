//! What every request shares: the configuration and one lazily made connection to the chain,
//! with the verdict cache over it. The connection is made on first use (the server starts while
//! the node is down) and dropped after a connection failure or timeout, so the next request
//! reconnects.

use crate::chain::Chain;
use crate::contracts::{Deployment, Tracepass};
use crate::error::{ClientError, Result};
use crate::i18n::Lang;
use crate::scans::ScanLog;
use super::listen::Limits;
use crate::verify::cache::Verifier;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

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
    /// The server's bounds (connections, rates, timeouts).
    pub limits: Limits,
    /// The pages' language for a request that names neither (no `?lang=`, no `Accept-Language`
    /// entry for a language the pages are written in).
    pub default_lang: Lang,
    /// The resolver's public root (`https://id.example.com`, no trailing slash), in which the
    /// linkset's links and `/.well-known/gs1resolver` are written; `None`: `http://` and the
    /// address it listens on. Never taken from a request's `Host`, which the client chooses.
    pub public_url: Option<String>,
}

impl ServeConfig {
    /// A configuration with the default timeout (10 s) and limits.
    pub fn new(url: impl Into<String>, deployment: Deployment) -> ServeConfig {
        let timeout = Duration::from_secs(10);
        ServeConfig { url: url.into(), deployment, timeout, limits: Limits::for_chain_timeout(timeout), default_lang: Lang::En, public_url: None }
    }
}

struct Inner {
    cfg: ServeConfig,
    /// The scan log, if the resolver keeps one (`serve --scan-log`).
    scans: Option<Arc<ScanLog>>,
    /// The shared connection and its generation (so a failure drops only the connection it saw).
    conn: tokio::sync::Mutex<(u64, Option<Conn>)>,
    /// When the state was made, and when the chain last answered (ms after that).
    started: std::time::Instant,
    last_answer_ms: AtomicU64,
    /// The public root when the configuration names none: set from the listening address.
    listening_url: std::sync::OnceLock<String>,
}

/// One connection to the chain and the verdict cache over it.
#[derive(Clone)]
pub struct Conn {
    /// The contracts on the connection.
    pub tp: Tracepass,
    /// Verdicts with lot-level reads cached per block: every scan still reads the best block, so
    /// a page is never older than the chain, but the scans of one lot at one block share one
    /// read of the lot, and only the item's own proof is checked per scan.
    pub verifier: Arc<Verifier>,
}

/// The resolver's state: the configuration and the one shared, lazily made connection.
#[derive(Clone)]
pub struct ServeState(Arc<Inner>);

impl ServeState {
    /// A state with no connection yet (the first request, or [`ServeState::health`], connects).
    pub fn new(cfg: ServeConfig) -> ServeState {
        ServeState::make(cfg, None)
    }

    /// A state that records every scan of a real item in `log` and shows what it holds.
    pub fn with_scan_log(cfg: ServeConfig, log: ScanLog) -> ServeState {
        ServeState::make(cfg, Some(Arc::new(log)))
    }

    fn make(cfg: ServeConfig, scans: Option<Arc<ScanLog>>) -> ServeState {
        let conn = tokio::sync::Mutex::new((0, None));
        ServeState(Arc::new(Inner {
            cfg,
            scans,
            conn,
            started: std::time::Instant::now(),
            last_answer_ms: AtomicU64::new(0),
            listening_url: std::sync::OnceLock::new(),
        }))
    }

    /// The configuration.
    pub fn config(&self) -> &ServeConfig {
        &self.0.cfg
    }

    /// The resolver's public root: the configured one, else `http://` and the listening address
    /// (set when serving starts), else `http://localhost`.
    pub fn public_url(&self) -> &str {
        match &self.0.cfg.public_url {
            Some(u) => u,
            None => self.0.listening_url.get().map_or("http://localhost", String::as_str),
        }
    }

    /// Records the address the resolver listens on, for [`ServeState::public_url`].
    pub(super) fn listening_on(&self, addr: std::net::SocketAddr) {
        let _ = self.0.listening_url.set(format!("http://{addr}"));
    }

    /// The scan log, if kept.
    pub fn scan_log(&self) -> Option<&ScanLog> {
        self.0.scans.as_deref()
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
        let (out, timed_out) = match tokio::time::timeout(timeout, f(c)).await {
            Ok(r) => (r, false),
            Err(_) => (Err(ClientError::Chain(format!("the node did not answer within {} s", timeout.as_secs_f32()))), true),
        };
        match &out {
            Ok(_) | Err(ClientError::Input(_) | ClientError::Contract(_)) => {
                self.0.last_answer_ms.store(self.0.started.elapsed().as_millis() as u64, Ordering::Relaxed);
            }
            Err(_) => {
                // a slow answer under load is no reason to reconnect (that would only add work):
                // a timeout drops the connection only once nothing has been answered for twice
                // the timeout; any other failure (closed, refused) drops it at once
                let quiet_ms = (self.0.started.elapsed().as_millis() as u64).saturating_sub(self.0.last_answer_ms.load(Ordering::Relaxed));
                if !timed_out || quiet_ms > 2 * timeout.as_millis() as u64 {
                    let mut guard = self.0.conn.lock().await;
                    if guard.0 == generation {
                        guard.1 = None;
                    }
                }
            }
        }
        out
    }

    /// Connections made so far (1 while the first one holds).
    pub async fn connections_made(&self) -> u64 {
        self.0.conn.lock().await.0
    }

    /// The chain's best block number, if it answers (connecting if needed).
    pub async fn health(&self) -> Result<u32> {
        self.with_chain(|c| async move { c.tp.chain.block_number().await }).await
    }
}
