//! `tracepass serve [--listen 127.0.0.1:8080]`: the read-only GS1 Digital Link resolver
//! (`tracepass::serve`). No key needed. Starts even while the node is down (pages answer 503 until
//! it is up) and stops gracefully on Ctrl-C or SIGTERM.

use super::Ctx;
use clap::Args;
use std::time::Duration;
use tracepass::error::{ClientError, Result};
use tracepass::serve::{serve_with, ServeConfig, ServeState};
use tracepass::Deployment;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Seconds a page's chain reads may take before it answers 503.
    #[arg(long, default_value_t = 10)]
    pub timeout: u64,
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
    let cfg = ServeConfig { timeout: Duration::from_secs(a.timeout.max(1)), ..ServeConfig::new(ctx.url.clone(), deployment) };
    // say up front whether the chain answers; the server starts either way
    let state = ServeState::new(cfg);
    let chain = match state.health().await {
        Ok(block) => format!("chain {} at block {block}", ctx.url),
        Err(e) => format!("chain not reachable yet ({e}); pages answer 503 until it is"),
    };
    ctx.print(
        &format!("tracepass resolver listening on http://{addr}/ ({chain}); Ctrl-C stops it"),
        serde_json::json!({ "listening": format!("http://{addr}/"), "chain": ctx.url }),
    );
    serve_with(listener, state, shutdown_signal()).await?;
    if !ctx.quiet && !ctx.json {
        super::out::err("tracepass resolver stopped");
    }
    Ok(0)
}
