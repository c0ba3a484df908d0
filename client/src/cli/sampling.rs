//! `tracepass sampling rule set|remove|list|policy`, `sampling commit|reveal|finalize|status`.

use super::member::propose;
use super::merchant::{country, TierArg};
use super::Ctx;
use clap::Subcommand;
use serde_json::json;
use std::path::{Path, PathBuf};
use tracepass::fmt::{ss58, utc};
use tracepass::error::{ClientError, Result};
use tracepass::shared::{seed_commitment, Action, MerchantTier, RuleKey};

#[derive(Subcommand, Debug)]
pub enum SamplingCmd {
    /// Sampling rules (changes are governance proposals).
    #[command(subcommand)]
    Rule(RuleCmd),
    /// Commit to a secret for an epoch's seed (governors and agencies), before it opens.
    Commit {
        /// Epoch (default: the next one).
        #[arg(long)]
        epoch: Option<u32>,
        /// File holding the 32-byte secret as hex; created with a fresh random secret if absent.
        #[arg(long)]
        secret_file: PathBuf,
    },
    /// Reveal the secret after the epoch closes.
    Reveal {
        /// Epoch.
        #[arg(long)]
        epoch: u32,
        /// The secret file used to commit.
        #[arg(long)]
        secret_file: PathBuf,
    },
    /// Fix an epoch's seed once all committers revealed or the deadline passed (anyone).
    Finalize {
        /// Epoch.
        #[arg(long)]
        epoch: u32,
    },
    /// An epoch's phase, committers, reveals and seed.
    Status {
        /// Epoch (default: the current one).
        #[arg(long)]
        epoch: Option<u32>,
    },
}

/// The key of a sampling rule; an omitted part matches anything.
#[derive(clap::Args, Debug)]
pub struct KeyArgs {
    #[arg(long)]
    category: Option<u32>,
    #[arg(long)]
    origin: Option<String>,
    #[arg(long, value_enum)]
    tier: Option<TierArg>,
}

#[derive(Subcommand, Debug)]
pub enum RuleCmd {
    /// Propose a rule: a rate for a (category, origin, tier) key; omitted parts match anything.
    Set {
        /// Rate in basis points (0..=10000).
        #[arg(long)]
        rate: u16,
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Propose removing a rule.
    Remove {
        #[command(flatten)]
        key: KeyArgs,
    },
    /// Propose the default rate and the passes that lower a raised risk.
    Policy {
        #[arg(long)]
        default_rate: u16,
        #[arg(long)]
        passes_to_clear: u32,
    },
    /// List the rules.
    List,
}

fn key(category: Option<u32>, origin: Option<String>, tier: Option<TierArg>) -> Result<RuleKey> {
    Ok(RuleKey { category, origin: origin.map(|o| country(&o)).transpose()?, tier: tier.map(MerchantTier::from) })
}

fn io(p: &Path, e: impl ToString) -> ClientError {
    ClientError::Io { path: p.display().to_string(), reason: e.to_string() }
}

/// Reads the secret, or creates a random one (file mode 0600).
fn secret(p: &Path, create: bool) -> Result<[u8; 32]> {
    if !p.exists() {
        if !create {
            return Err(io(p, "no such secret file"));
        }
        let mut s = [0u8; 32];
        getrandom::getrandom(&mut s).map_err(|e| io(p, e))?;
        std::fs::write(p, hex::encode(s) + "\n").map_err(|e| io(p, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600)).map_err(|e| io(p, e))?;
        }
        return Ok(s);
    }
    let t = std::fs::read_to_string(p).map_err(|e| io(p, e))?;
    hex::decode(t.trim()).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| io(p, "not a 32-byte hex secret"))
}

pub async fn run(ctx: &Ctx, c: SamplingCmd) -> Result<i32> {
    let tp = ctx.tracepass().await?;
    match c {
        SamplingCmd::Rule(RuleCmd::Set { rate, key: k }) => {
            let key = key(k.category, k.origin, k.tier)?;
            propose(ctx, &tp, Action::SetSamplingRule { key, rate_bps: rate }).await
        }
        SamplingCmd::Rule(RuleCmd::Remove { key: k }) => {
            let key = key(k.category, k.origin, k.tier)?;
            propose(ctx, &tp, Action::RemoveSamplingRule { key }).await
        }
        SamplingCmd::Rule(RuleCmd::Policy { default_rate, passes_to_clear }) => {
            propose(ctx, &tp, Action::SetSamplingPolicy { default_rate_bps: default_rate, passes_to_clear }).await
        }
        SamplingCmd::Rule(RuleCmd::List) => {
            let rules = tp.rules().await?;
            let any = |o: Option<String>| o.unwrap_or_else(|| "any".into());
            let rows: Vec<_> = rules
                .iter()
                .map(|(k, r)| (any(k.category.map(|c| c.to_string())), any(k.origin.map(|o| o.to_string())), any(k.tier.map(|t| format!("{t:?}"))), *r))
                .collect();
            let mut text = format!("{} rules (most specific match wins; else the default rate)", rows.len());
            for (c, o, t, r) in &rows {
                text.push_str(&format!("\n  category {c:<6} origin {o:<4} tier {t:<8} -> {r} bps"));
            }
            ctx.print(&text, json!({ "rules": rows.iter().map(|(c, o, t, r)| json!({ "category": c, "origin": o, "tier": t, "rate_bps": r })).collect::<Vec<_>>() }));
            Ok(0)
        }
        SamplingCmd::Commit { epoch, secret_file } => {
            let signer = ctx.signer()?;
            let epoch = match epoch {
                Some(e) => e,
                None => tp.current_epoch().await? + 1,
            };
            let s = secret(&secret_file, true)?;
            let o = tp.commit(&signer, epoch, seed_commitment(&s, &signer.account())).await?;
            ctx.print_write(
                &format!("committed to epoch {epoch}; keep {} secret until the epoch closes, then reveal", secret_file.display()),
                json!({ "epoch": epoch }),
                &o,
            );
            Ok(0)
        }
        SamplingCmd::Reveal { epoch, secret_file } => {
            let s = secret(&secret_file, false)?;
            let o = tp.reveal(&ctx.signer()?, epoch, s).await?;
            ctx.print_write(&format!("revealed for epoch {epoch}"), json!({ "epoch": epoch }), &o);
            Ok(0)
        }
        SamplingCmd::Finalize { epoch } => {
            let o = tp.finalize(&ctx.signer()?, epoch).await?;
            let seed = o.value.map(|s| format!("0x{}", hex::encode(s)));
            ctx.print_write(
                &format!("epoch {epoch} final; seed {}", seed.clone().unwrap_or_else(|| "none (no reveals: every lot selected)".into())),
                json!({ "epoch": epoch, "seed": seed }),
                &o,
            );
            Ok(0)
        }
        SamplingCmd::Status { epoch } => {
            let current = tp.current_epoch().await?;
            let e = tp.epoch_status(epoch.unwrap_or(current)).await?;
            let accs = |v: &Vec<_>| v.iter().map(ss58).collect::<Vec<_>>();
            let seed = e.seed.map(|s| format!("0x{}", hex::encode(s)));
            ctx.print(
                &format!(
                    "epoch {} ({:?}; current epoch {current})\n  opens  {}\n  closes {}\n  reveals until {}\n  committed {}\n  revealed  {}\n  skipped   {}\n  seed      {}",
                    e.epoch, e.phase, utc(e.opens_at), utc(e.closes_at), utc(e.reveal_deadline),
                    accs(&e.committers).join(", "), accs(&e.revealed).join(", "), accs(&e.skipped).join(", "),
                    seed.clone().unwrap_or_else(|| "-".into())
                ),
                json!({
                    "epoch": e.epoch, "current_epoch": current, "phase": format!("{:?}", e.phase), "opens_at": e.opens_at,
                    "closes_at": e.closes_at, "reveal_deadline": e.reveal_deadline, "committers": accs(&e.committers),
                    "revealed": accs(&e.revealed), "skipped": accs(&e.skipped), "seed": seed,
                }),
            );
            Ok(0)
        }
    }
}
