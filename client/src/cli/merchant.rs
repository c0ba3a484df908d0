//! `tracepass merchant add|suspend|reinstate|tier|show`.

use super::{hash_text, Ctx};
use clap::{Subcommand, ValueEnum};
use serde_json::json;
use tracepass::chain::parse_account;
use tracepass::fmt::ss58;
use tracepass::error::{ClientError, Result};
use tracepass::shared::bounds::{MAX_GS1_PREFIX_LEN, MIN_GS1_PREFIX_LEN};
use tracepass::shared::{check_gs1_prefix, CountryCode, MerchantTier};

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum TierArg {
    Standard,
    Trusted,
    Watched,
}

impl From<TierArg> for MerchantTier {
    fn from(t: TierArg) -> Self {
        match t {
            TierArg::Standard => MerchantTier::Standard,
            TierArg::Trusted => MerchantTier::Trusted,
            TierArg::Watched => MerchantTier::Watched,
        }
    }
}

/// Parses a country code with a readable error.
pub fn country(s: &str) -> Result<CountryCode> {
    CountryCode::parse(s.as_bytes()).ok_or_else(|| ClientError::Input(format!("{s:?} is not an ISO 3166-1 alpha-2 country code")))
}

#[derive(Subcommand, Debug)]
pub enum MerchantCmd {
    /// Onboard a merchant (governors).
    Add {
        /// The merchant's account.
        account: String,
        /// Organisation name (hashed on chain).
        #[arg(long)]
        name: String,
        /// Country of registration (ISO 3166-1 alpha-2).
        #[arg(long)]
        country: String,
        /// A GS1 company prefix it may register GTINs under (repeat for more).
        #[arg(long = "gs1-prefix", required = true)]
        gs1_prefix: Vec<String>,
        /// Risk tier.
        #[arg(long, value_enum, default_value = "standard")]
        tier: TierArg,
    },
    /// Suspend a merchant (governors).
    Suspend {
        /// The merchant.
        account: String,
        /// Reason (hashed on chain).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Reinstate a suspended merchant (governors).
    Reinstate {
        /// The merchant.
        account: String,
    },
    /// Change a merchant's tier (governors).
    Tier {
        /// The merchant.
        account: String,
        /// The tier.
        #[arg(value_enum)]
        tier: TierArg,
    },
    /// Show a merchant.
    Show {
        /// The merchant.
        account: String,
    },
}

pub async fn run(ctx: &Ctx, c: MerchantCmd) -> Result<i32> {
    let tp = ctx.tracepass().await?;
    match c {
        MerchantCmd::Add { account, name, country: cc, gs1_prefix, tier } => {
            let acc = parse_account(&account)?;
            let cc = country(&cc)?;
            for p in &gs1_prefix {
                if !check_gs1_prefix(p.as_bytes()) {
                    return Err(ClientError::Input(format!(
                        "--gs1-prefix {p:?}: a GS1 company prefix is {MIN_GS1_PREFIX_LEN} to {MAX_GS1_PREFIX_LEN} digits"
                    )));
                }
            }
            let prefixes = gs1_prefix.iter().map(|p| p.as_bytes().to_vec()).collect();
            let out = tp.add_merchant(&ctx.signer()?, acc, hash_text(&name), cc, prefixes, tier.into()).await?;
            ctx.print_write(&format!("merchant {} ({name}) whitelisted", ss58(&acc)), json!({ "merchant": ss58(&acc) }), &out);
        }
        MerchantCmd::Suspend { account, reason } => {
            let acc = parse_account(&account)?;
            let out = tp.suspend_merchant(&ctx.signer()?, acc, hash_text(&reason)).await?;
            ctx.print_write(&format!("merchant {} suspended", ss58(&acc)), json!({ "merchant": ss58(&acc), "status": "Suspended" }), &out);
        }
        MerchantCmd::Reinstate { account } => {
            let acc = parse_account(&account)?;
            let out = tp.reinstate_merchant(&ctx.signer()?, acc).await?;
            ctx.print_write(&format!("merchant {} reinstated", ss58(&acc)), json!({ "merchant": ss58(&acc), "status": "Active" }), &out);
        }
        MerchantCmd::Tier { account, tier } => {
            let acc = parse_account(&account)?;
            let out = tp.set_merchant_tier(&ctx.signer()?, acc, tier.into()).await?;
            ctx.print_write(&format!("merchant {} is now {tier:?}", ss58(&acc)), json!({ "merchant": ss58(&acc), "tier": format!("{tier:?}") }), &out);
        }
        MerchantCmd::Show { account } => {
            let acc = parse_account(&account)?;
            match tp.merchant(acc).await? {
                None => {
                    ctx.print(&format!("{} is not a merchant", ss58(&acc)), json!({ "merchant": null }));
                    return Ok(1);
                }
                Some(m) => {
                    let prefixes: Vec<String> = m.gs1_prefixes.iter().map(|p| tracepass::fmt::text(p)).collect();
                    let name = tp.display_name(acc).await?;
                    let named = name.as_ref().map(|n| format!(" ({n:?})")).unwrap_or_default();
                    ctx.print(
                        &format!("merchant {}{named}\n  country {}\n  tier {:?}\n  status {:?}\n  GS1 prefixes {}\n  since block {}", ss58(&acc), m.country, m.tier, m.status, prefixes.join(", "), m.since),
                        json!({ "merchant": ss58(&acc), "name": name, "country": m.country.to_string(), "tier": format!("{:?}", m.tier), "status": format!("{:?}", m.status), "gs1_prefixes": prefixes, "since": m.since }),
                    );
                }
            }
        }
    }
    Ok(0)
}
