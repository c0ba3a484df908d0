//! `tracepass deploy`.

use super::Ctx;
use clap::Args;
use std::path::PathBuf;
use tracepass::chain::parse_account;
use tracepass::contracts::deploy::{deploy, governance_threshold, parse_duration_ms, refresh_selectors, timing_warning, Params};
use tracepass::contracts::Deployment;
use tracepass::error::Result;

#[derive(Args, Debug)]
pub struct DeployArgs {
    /// Directory of the built `.contract` bundles.
    #[arg(long, default_value = "target/ink")]
    pub artifacts: PathBuf,
    /// A first governor (repeat; default: the deployer alone).
    #[arg(long = "governor")]
    pub governors: Vec<String>,
    /// M: approvals a proposal needs; required with more than one governor.
    #[arg(long)]
    pub threshold: Option<u8>,
    /// Blocks a proposal stays open.
    #[arg(long, default_value_t = 10_000)]
    pub proposal_ttl: u32,
    /// Sampling epoch length in chain time: a number with ms, s, m, h or d (1 s to 366 d).
    #[arg(long, default_value = "1h", value_parser = parse_duration_ms)]
    pub epoch: u64,
    /// Reveal window after an epoch closes, in chain time (1 s to 30 d; under 10 m is warned
    /// about: a validator may run its clock up to 30 s ahead).
    #[arg(long, default_value = "30m", value_parser = parse_duration_ms)]
    pub reveal_window: u64,
    /// Default sampling rate in basis points (when no rule matches).
    #[arg(long, default_value_t = 500)]
    pub default_rate: u16,
    /// Consecutive passes that lower a merchant's raised risk.
    #[arg(long, default_value_t = 3)]
    pub passes_to_clear: u32,
    /// Deploy nothing: write the bundles' selectors and event topics into the existing
    /// deployment file (one an older tracepass wrote), after checking that the bundles' code
    /// hashes are the deployed ones.
    #[arg(long)]
    pub refresh_selectors: bool,
}

pub async fn run(ctx: &Ctx, a: DeployArgs) -> Result<i32> {
    if a.refresh_selectors {
        return refresh(ctx, &a);
    }
    let signer = ctx.signer()?;
    let governors = if a.governors.is_empty() {
        vec![signer.account()]
    } else {
        a.governors.iter().map(|g| parse_account(g)).collect::<Result<_>>()?
    };
    let (threshold, warning) = governance_threshold(governors.len(), a.threshold)?;
    if let (Some(w), false) = (warning, ctx.quiet) {
        eprintln!("warning: {w}");
    }
    if let (Some(w), false) = (timing_warning(a.epoch, a.reveal_window)?, ctx.quiet) {
        eprintln!("warning: {w}");
    }
    let chain = ctx.chain().await?;
    let params = Params {
        governors,
        threshold,
        proposal_ttl: a.proposal_ttl,
        epoch_ms: a.epoch,
        reveal_window_ms: a.reveal_window,
        default_rate_bps: a.default_rate,
        passes_to_clear: a.passes_to_clear,
    };
    let bar = ctx.bar(9);
    let d = deploy(&chain, &signer, &a.artifacts, &params, |m| {
        bar.set_message(m.to_string());
        bar.inc(1);
    })
    .await?;
    bar.finish_and_clear();
    d.save(&ctx.deployment)?;
    let text = format!(
        "deployed on {} ({})\n  whitelist   {}\n  registry    {}\n  sampling    {}\n  attestation {}\nwrote {}",
        d.chain, d.genesis_hash, d.whitelist.address, d.registry.address, d.sampling.address, d.attestation.address,
        ctx.deployment.display()
    );
    ctx.print(&text, serde_json::to_value(&d).unwrap_or_default());
    Ok(0)
}

/// `--refresh-selectors`: reads the file as it is (without the checks that need selectors),
/// adds them and writes it back.
fn refresh(ctx: &Ctx, a: &DeployArgs) -> Result<i32> {
    let path = &ctx.deployment;
    let io = |e: String| tracepass::ClientError::Deployment(format!("{}: {e}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| io(e.to_string()))?;
    let mut d: Deployment = serde_json::from_str(&text).map_err(|e| io(format!("malformed: {e}")))?;
    refresh_selectors(&mut d, &a.artifacts)?;
    d.check().map_err(io)?;
    d.save(path)?;
    ctx.print(&format!("wrote the bundles' selectors into {}", path.display()), serde_json::to_value(&d).unwrap_or_default());
    Ok(0)
}
