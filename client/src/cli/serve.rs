//! `tracepass serve [--listen 127.0.0.1:8080]`: the read-only GS1 Digital Link resolver
//! (`tracepass::serve`). No key needed. Starts even while the node is down (pages answer 503 until
//! it is up) and stops gracefully on Ctrl-C or SIGTERM.

use super::Ctx;
use clap::Args;
use std::time::Duration;
use tracepass::error::{ClientError, Result};
use tracepass::i18n::Lang;
use tracepass::serve::{listen, serve_with, Limits, ServeConfig, ServeState};
use super::index::{DbArgs, ScanRulesArgs};
use tracepass::scans::{Regions, ScanLog};
use tracepass::Deployment;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Seconds a page's chain reads may take before it answers 503.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
    /// Keep a scan log in the database (--database): each page of a real item then says when it
    /// was first verified and how often, and warns when the code may have been copied.
    #[arg(long)]
    pub scan_log: bool,
    #[command(flatten)]
    pub db: DbArgs,
    #[command(flatten)]
    pub rules: ScanRulesArgs,
    /// With --scan-log: a CSV of `network,region` lines (`203.0.113.0/24,CN-SH`) naming the
    /// regions scanners are counted in; unmapped addresses count by network (IPv4 /16, IPv6 /32).
    #[arg(long)]
    pub regions: Option<std::path::PathBuf>,
    /// Seconds a client may take to send a request's headers before it is disconnected.
    #[arg(long, default_value_t = listen::DEFAULT_HEADER_READ_TIMEOUT.as_secs())]
    pub header_timeout: u64,
    /// Most open connections; more are closed at once.
    #[arg(long, default_value_t = listen::DEFAULT_MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Most requests answered at once; more get 503 at once.
    #[arg(long, default_value_t = listen::DEFAULT_MAX_IN_FLIGHT)]
    pub max_in_flight: usize,
    /// Requests per second one client (an IPv4 address, an IPv6 /64) may make, sustained;
    /// 0: no per-client limit (behind a proxy that limits).
    #[arg(long, default_value_t = listen::DEFAULT_PER_CLIENT_PER_SECOND)]
    pub per_client_rate: u32,
    /// Requests one client may make at once.
    #[arg(long, default_value_t = listen::DEFAULT_PER_CLIENT_BURST)]
    pub per_client_burst: u32,
    /// The pages' language when a request names none the pages are written in (by `?lang=` or
    /// `Accept-Language`): `en` or `zh`.
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    pub default_lang: Lang,
    /// The resolver's public root, as printed on the QR codes (`https://id.example.com`): the
    /// linkset's links and /.well-known/gs1resolver are written in it. Default: http:// and the
    /// listening address.
    #[arg(long)]
    pub public_url: Option<String>,
}

fn parse_lang(s: &str) -> std::result::Result<Lang, String> {
    Lang::ALL.into_iter().find(|l| l.code() == s).ok_or_else(|| format!("{s:?}: expected one of en, zh"))
}

pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

pub async fn run(ctx: &Ctx, a: ServeArgs) -> Result<i32> {
    let deployment = Deployment::load(&ctx.deployment)?;
    let listener = tokio::net::TcpListener::bind(&a.listen)
        .await
        .map_err(|e| ClientError::Io { path: a.listen.clone(), reason: format!("cannot listen: {e}") })?;
    let addr = listener.local_addr().map_err(|e| ClientError::Io { path: a.listen.clone(), reason: e.to_string() })?;
    let timeout = Duration::from_secs(a.timeout.max(1));
    let limits = Limits {
        header_read_timeout: Duration::from_secs(a.header_timeout),
        max_connections: a.max_connections,
        max_in_flight: a.max_in_flight,
        per_client_per_second: a.per_client_rate,
        per_client_burst: a.per_client_burst,
        ..Limits::for_chain_timeout(timeout)
    };
    limits.check()?;
    let public_url = a.public_url.as_deref().map(tracepass::serve::linkset::public_root).transpose()?;
    let cfg = ServeConfig { timeout, limits, default_lang: a.default_lang, public_url, ..ServeConfig::new(ctx.url.clone(), deployment) };
    let state = if a.scan_log {
        let regions = match &a.regions {
            Some(p) => Regions::parse(&std::fs::read_to_string(p).map_err(|e| ClientError::Io { path: p.display().to_string(), reason: e.to_string() })?)?,
            None => Regions::default(),
        };
        ServeState::with_scan_log(cfg, ScanLog::open(&a.db.database, a.rules.rules()?, regions).await?)
    } else {
        ServeState::new(cfg)
    };
    // say up front whether the chain answers; the server starts either way
    let chain = match state.health().await {
        Ok(block) => format!("chain {} at block {block}", ctx.url),
        Err(e) => format!("chain not reachable yet ({e}); pages answer 503 until it is"),
    };
    let log = if a.scan_log { format!("; scan log in {}", tracepass::index::db::redact(&a.db.database)) } else { String::new() };
    ctx.print(
        &format!("tracepass resolver listening on http://{addr}/ ({chain}{log}); Ctrl-C stops it"),
        serde_json::json!({ "listening": format!("http://{addr}/"), "chain": ctx.url, "scan_log": a.scan_log }),
    );
    serve_with(listener, state, shutdown_signal()).await?;
    if !ctx.quiet && !ctx.json {
        super::out::err("tracepass resolver stopped");
    }
    Ok(0)
}
