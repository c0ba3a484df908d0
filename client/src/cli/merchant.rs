//! `tracepass merchant add|suspend|confirm-suspension|reinstate|revoke|tier|brands|show`: every
//! change but the one-governor suspension is a governance proposal.

use super::member::propose;
use super::{hash_text, Ctx};
use clap::{Subcommand, ValueEnum};
use serde_json::json;
use tracepass::chain::parse_account;
use tracepass::fmt::{ss58, text, utc};
use tracepass::error::{ClientError, Result};
use tracepass::shared::bounds::{MAX_BRANDS_PER_MERCHANT, MAX_BRAND_LEN, MAX_GS1_PREFIX_LEN, MIN_GS1_PREFIX_LEN};
use tracepass::shared::{check_brands, check_gs1_prefix, Action, CountryCode, MerchantTier};

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

/// The brands of a command line, checked as the contracts check them.
fn brands(brand: Vec<String>) -> Result<Vec<Vec<u8>>> {
    let brands: Vec<Vec<u8>> = brand.into_iter().map(String::into_bytes).collect();
    check_brands(&brands).map_err(|_| {
        ClientError::Input(format!(
            "--brand: 1 to {MAX_BRANDS_PER_MERCHANT} different brands, each 1 to {MAX_BRAND_LEN} bytes of text without control or invisible characters"
        ))
    })?;
    Ok(brands)
}

#[derive(Subcommand, Debug)]
pub enum MerchantCmd {
    /// Propose onboarding a merchant with its GS1 prefixes and brands (governors; M must approve).
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
        /// A brand its products may carry, exactly as products will name it (repeat for more).
        #[arg(long = "brand", required = true)]
        brand: Vec<String>,
        /// Risk tier.
        #[arg(long, value_enum, default_value = "standard")]
        tier: TierArg,
    },
    /// Suspend a merchant at once (any one governor): the brake lapses in 3 days unless
    /// governors confirm it (`merchant confirm-suspension`).
    Suspend {
        /// The merchant.
        account: String,
        /// Reason (hashed on chain).
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Propose confirming a suspension, so that it holds until reinstatement (governors).
    ConfirmSuspension {
        /// The merchant.
        account: String,
    },
    /// Propose reinstating a suspended merchant (governors).
    Reinstate {
        /// The merchant.
        account: String,
    },
    /// Propose revoking a merchant for good; its lots registered before stay genuine and say so (governors).
    Revoke {
        /// The merchant.
        account: String,
        /// Reason (hashed on chain).
        #[arg(long)]
        reason: String,
    },
    /// Propose a new risk tier (governors).
    Tier {
        /// The merchant.
        account: String,
        /// The tier.
        #[arg(value_enum)]
        tier: TierArg,
    },
    /// Propose replacing the brands a merchant may register products under (governors).
    Brands {
        /// The merchant.
        account: String,
        /// A brand (repeat for more).
        #[arg(long = "brand", required = true)]
        brand: Vec<String>,
    },
    /// Show a merchant.
    Show {
        /// The merchant.
        account: String,
    },
}

pub async fn run(ctx: &Ctx, c: MerchantCmd) -> Result<i32> {
    let tp = ctx.tracepass().await?;
    let action = match c {
        MerchantCmd::Add { account, name, country: cc, gs1_prefix, brand, tier } => {
            let acc = parse_account(&account)?;
            let cc = country(&cc)?;
            for p in &gs1_prefix {
                if !check_gs1_prefix(p.as_bytes()) {
                    return Err(ClientError::Input(format!(
                        "--gs1-prefix {p:?}: a GS1 company prefix is {MIN_GS1_PREFIX_LEN} to {MAX_GS1_PREFIX_LEN} digits"
                    )));
                }
            }
            let gs1_prefixes = gs1_prefix.iter().map(|p| p.as_bytes().to_vec()).collect();
            Action::AddMerchant { account: acc, name_hash: hash_text(&name), country: cc, gs1_prefixes, brands: brands(brand)?, tier: tier.into() }
        }
        MerchantCmd::Suspend { account, reason } => {
            let acc = parse_account(&account)?;
            let out = tp.suspend_merchant(&ctx.signer()?, acc, hash_text(&reason)).await?;
            let lapses = tp.merchant_standing(acc).await?.and_then(|(_, s)| s.suspension).map(|s| s.lapses_at()).unwrap_or_default();
            ctx.print_write(
                &format!(
                    "merchant {} suspended; the suspension lapses at {} unless governors confirm it (tracepass merchant confirm-suspension {})",
                    ss58(&acc),
                    utc(lapses),
                    ss58(&acc)
                ),
                json!({ "merchant": ss58(&acc), "status": "Suspended", "lapses_at": lapses }),
                &out,
            );
            return Ok(0);
        }
        MerchantCmd::ConfirmSuspension { account } => Action::ConfirmSuspension { account: parse_account(&account)? },
        MerchantCmd::Reinstate { account } => Action::ReinstateMerchant { account: parse_account(&account)? },
        MerchantCmd::Revoke { account, reason } => Action::RevokeMerchant { account: parse_account(&account)?, reason_hash: hash_text(&reason) },
        MerchantCmd::Tier { account, tier } => Action::SetMerchantTier { account: parse_account(&account)?, tier: tier.into() },
        MerchantCmd::Brands { account, brand } => Action::SetMerchantBrands { account: parse_account(&account)?, brands: brands(brand)? },
        MerchantCmd::Show { account } => {
            let acc = parse_account(&account)?;
            match tp.merchant_standing(acc).await? {
                None => {
                    ctx.print(&format!("{} is not a merchant", ss58(&acc)), json!({ "merchant": null }));
                    return Ok(1);
                }
                Some((m, standing)) => {
                    let prefixes: Vec<String> = m.gs1_prefixes.iter().map(|p| text(p)).collect();
                    let brands: Vec<String> = standing.brands.iter().map(|b| text(b)).collect();
                    let name = tp.display_name(acc).await?;
                    let named = name.as_ref().map(|n| format!(" ({n:?})")).unwrap_or_default();
                    let suspension = standing.suspension.as_ref().map(|s| {
                        let state = if s.confirmed { "confirmed by vote".to_string() } else { format!("lapses at {}", utc(s.lapses_at())) };
                        format!("\n  suspended by {} at {} ({state})", ss58(&s.by), utc(s.at))
                    });
                    let revoked = standing.revoked_at.map(|b| format!("\n  revoked in block {b}")).unwrap_or_default();
                    let quoted: Vec<String> = brands.iter().map(|b| format!("{b:?}")).collect();
                    ctx.print(
                        &format!(
                            "merchant {}{named}\n  country {}\n  tier {:?}\n  status {:?}\n  GS1 prefixes {}\n  brands {}\n  since block {}{}{revoked}",
                            ss58(&acc),
                            m.country,
                            m.tier,
                            m.status,
                            prefixes.join(", "),
                            quoted.join(", "),
                            m.since,
                            suspension.unwrap_or_default()
                        ),
                        json!({
                            "merchant": ss58(&acc), "name": name, "country": m.country.to_string(), "tier": format!("{:?}", m.tier),
                            "status": format!("{:?}", m.status), "gs1_prefixes": prefixes, "brands": brands, "since": m.since,
                            "suspension": standing.suspension.as_ref().map(|s| json!({ "by": ss58(&s.by), "at": s.at, "confirmed": s.confirmed, "lapses_at": s.lapses_at() })),
                            "revoked_at": standing.revoked_at,
                        }),
                    );
                }
            }
            return Ok(0);
        }
    };
    propose(ctx, &tp, action).await
}
