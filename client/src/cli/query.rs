//! `tracepass query ...` (read-only, no key) and `tracepass chain info|advance`.

use super::Ctx;
use clap::Subcommand;
use serde_json::json;
use tracepass::chain::parse_account;
use tracepass::fmt::ss58;
use tracepass::error::Result;
use tracepass::gs1::parse_gtin;

#[derive(Subcommand, Debug)]
pub enum QueryCmd {
    /// A lot's record.
    Lot {
        #[arg(long)]
        gtin: String,
        #[arg(long)]
        lot: String,
    },
    /// A product's record.
    Product {
        #[arg(long)]
        gtin: String,
    },
    /// A factory's record and certifications.
    Factory { id: u32 },
    /// A member's or merchant's role and record.
    Account { account: String },
    /// A lot's attestations.
    Attestations {
        #[arg(long)]
        gtin: String,
        #[arg(long)]
        lot: String,
    },
    /// A lot's sampling: selection, rate, rule, epoch.
    Selection {
        #[arg(long)]
        gtin: String,
        #[arg(long)]
        lot: String,
    },
    /// Numbers of factories, products and lots.
    Counts,
}

#[derive(Subcommand, Debug)]
pub enum ChainCmd {
    /// Chain name, genesis hash, best block, time.
    Info,
    /// Seal N blocks with remarks (local instant-seal chains), or with `--until-time`, wait for the
    /// wall clock to reach a chain time (ms since the Unix epoch, as `sampling status` prints it)
    /// and seal a block there: sampling epochs move with time, not blocks.
    Advance {
        #[arg(default_value_t = 1, conflicts_with = "until_time")]
        blocks: u32,
        /// Chain time to reach, in ms since the Unix epoch.
        #[arg(long)]
        until_time: Option<u64>,
    },
}

/// A record for people: its typed JSON, indented.
fn pretty<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

/// The typed JSON of a record (tracepass-shared's serde form: SS58 accounts, 0x hashes, text).
fn typed<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

pub async fn run(ctx: &Ctx, c: QueryCmd) -> Result<i32> {
    let tp = ctx.tracepass().await?;
    let (text, value) = match c {
        QueryCmd::Lot { gtin, lot } => {
            let l = tp.lot(super::lot_arg(&gtin, &lot)?).await?;
            (pretty(&l), typed(&l))
        }
        QueryCmd::Product { gtin } => {
            let p = tp.product(parse_gtin(&gtin)?).await?;
            (pretty(&p), typed(&p))
        }
        QueryCmd::Factory { id } => {
            let (f, name, a) = tokio::try_join!(tp.factory(id), tp.factory_name(id), tp.attestations_of_factory(id))?;
            {
                let v = json!({ "factory": typed(&f), "name": name, "attestations": typed(&a) });
                (pretty(&v), v)
            }
        }
        QueryCmd::Account { account } => {
            let acc = parse_account(&account)?;
            let (r, name, m, mm) = tokio::try_join!(tp.role_of(acc), tp.display_name(acc), tp.member(acc), tp.merchant(acc))?;
            {
                let v = json!({ "account": ss58(&acc), "role": typed(&r), "name": name, "member": typed(&m), "merchant": typed(&mm) });
                (pretty(&v), v)
            }
        }
        QueryCmd::Attestations { gtin, lot } => {
            let a = tp.attestations_of_lot(super::lot_arg(&gtin, &lot)?).await?;
            (pretty(&a), typed(&a))
        }
        QueryCmd::Selection { gtin, lot } => {
            let id = super::lot_arg(&gtin, &lot)?;
            let (s, x) = tokio::try_join!(tp.selection(id), tp.lot_sample(id))?;
            let why = match &x {
                Some(x) => format!(
                    " (rate {} bps by {}, epoch {}, merchant tier {:?})",
                    x.rate_bps,
                    x.rule.map(|k| format!("rule [{}]", tracepass::fmt::describe_rule(&k))).unwrap_or_else(|| "the default rate".into()),
                    x.epoch,
                    x.tier
                ),
                None => String::new(),
            };
            (
                format!("{s:?}{why}"),
                json!({ "selection": typed(&s), "rate_bps": x.as_ref().map(|x| x.rate_bps), "epoch": x.as_ref().map(|x| x.epoch), "rule": x.as_ref().and_then(|x| x.rule).map(|k| tracepass::fmt::describe_rule(&k)) }),
            )
        }
        QueryCmd::Counts => {
            let (f, p, l) = tp.counts().await?;
            (format!("{f} factories, {p} products, {l} lots"), json!({ "factories": f, "products": p, "lots": l }))
        }
    };
    ctx.print(&text, value);
    Ok(0)
}

pub async fn chain(ctx: &Ctx, c: ChainCmd) -> Result<i32> {
    let chain = ctx.chain().await?;
    match c {
        ChainCmd::Info => {
            let (name, block, now) = tokio::try_join!(chain.chain_name(), chain.block_number(), chain.now_ms())?;
            let g = format!("{:?}", chain.genesis_hash());
            ctx.print(&format!("{name} (genesis {g}), block {block}, time {now}"), json!({ "chain": name, "genesis_hash": g, "block": block, "time_ms": now }));
        }
        ChainCmd::Advance { until_time: Some(ms), .. } => {
            let now = chain.advance_to_time(&ctx.signer()?, ms).await?;
            let b = chain.block_number().await?;
            ctx.print(&format!("chain time {} ({now}); now at block {b}", tracepass::fmt::utc(now)), json!({ "block": b, "time_ms": now }));
        }
        ChainCmd::Advance { blocks, until_time: None } => {
            let s = ctx.signer()?;
            for _ in 0..blocks {
                chain.remark(&s).await?;
            }
            let b = chain.block_number().await?;
            ctx.print(&format!("sealed {blocks} blocks; now at block {b}"), json!({ "block": b }));
        }
    }
    Ok(0)
}
