//! `tracepass index` (follow finalized blocks into the database), `tracepass history` and
//! `tracepass stats` (read it back).

use super::Ctx;
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use std::time::Duration;
use tracepass::error::Result;
use tracepass::index::{self, db::Db, query};
use tracepass::scans;
use tracepass::Deployment;

/// Where the index is.
#[derive(Args, Debug)]
pub struct DbArgs {
    /// Index database: `sqlite://FILE` (created if missing) or `postgres://USER@HOST/DB`. Put a
    /// password in TRACEPASS_DATABASE or ~/.pgpass, never on the command line.
    #[arg(long, env = "TRACEPASS_DATABASE", hide_env_values = true, default_value = "sqlite://.tracepass/index.db")]
    pub database: String,
}

/// When a code's scans flag it as possibly copied (`tracepass::scans::Rules`).
#[derive(Args, Debug, Clone)]
pub struct ScanRulesArgs {
    /// Flag a code scanned more than this many times within the window.
    #[arg(long, default_value_t = scans::DEFAULT_MAX_SCANS)]
    pub copy_max_scans: u32,
    /// Flag a code scanned from more than this many regions within the window.
    #[arg(long, default_value_t = scans::DEFAULT_MAX_REGIONS)]
    pub copy_max_regions: u32,
    /// The window of both rules, in days.
    #[arg(long, default_value_t = scans::DEFAULT_WINDOW_DAYS)]
    pub copy_window_days: u32,
}

impl ScanRulesArgs {
    pub fn rules(&self) -> Result<scans::Rules> {
        scans::Rules::new(self.copy_max_scans, self.copy_max_regions, self.copy_window_days)
    }
}

#[derive(Args, Debug)]
pub struct IndexArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Stop once the finalized head is indexed (default: follow new blocks until interrupted).
    #[arg(long)]
    pub once: bool,
    /// Delete every indexed row first and index from genesis again.
    #[arg(long)]
    pub from_scratch: bool,
    /// Blocks fetched per JSON-RPC batch (1 to 1000).
    #[arg(long, default_value_t = index::DEFAULT_BLOCKS_PER_BATCH, value_parser = clap::value_parser!(u32).range(1..=index::MAX_BLOCKS_PER_BATCH as i64))]
    pub blocks_per_batch: u32,
    /// With --once: give up after this many seconds without reaching the node.
    #[arg(long, default_value_t = 60)]
    pub give_up_after: u64,
}

#[derive(Subcommand, Debug)]
pub enum HistoryCmd {
    /// A lot's record and timeline: registration, trace events, status changes, attestations, recall.
    Lot {
        #[command(flatten)]
        db: DbArgs,
        /// Lot ID (0x and 64 hex digits).
        lot: String,
    },
    /// A merchant's lots, newest first.
    Merchant {
        #[command(flatten)]
        db: DbArgs,
        /// Merchant account (SS58 or 0x-hex).
        account: String,
        /// Most rows (1 to 1000).
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=query::MAX_LIMIT as i64))]
        limit: u32,
    },
    /// An agency's or customs office's attestations, newest first.
    Agency {
        #[command(flatten)]
        db: DbArgs,
        /// Issuer account (SS58 or 0x-hex).
        account: String,
        /// Most rows (1 to 1000).
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=query::MAX_LIMIT as i64))]
        limit: u32,
    },
}

#[derive(Subcommand, Debug)]
pub enum StatsCmd {
    /// Row counts and the last indexed block.
    Summary {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Inspection pass rates per month, by merchant, country of origin, category or agency.
    PassRates {
        #[command(flatten)]
        db: DbArgs,
        /// Grouping.
        #[arg(long, value_enum, default_value = "merchant")]
        by: query::By,
    },
    /// Sampling: observed selection rate per configured rate and rule, with its 99% interval.
    Sampling {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Selected lots not inspected yet (how many, how many overdue), oldest first.
    Backlog {
        #[command(flatten)]
        db: DbArgs,
        /// Days after selection when an uninspected lot is overdue.
        #[arg(long, default_value_t = query::DEFAULT_OVERDUE_DAYS, value_parser = clap::value_parser!(u32).range(0..=query::MAX_OVERDUE_DAYS as i64))]
        overdue_days: u32,
        /// Most rows (1 to 1000).
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..=query::MAX_LIMIT as i64))]
        limit: u32,
    },
}

#[derive(Args, Debug)]
pub struct ApiArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Address to listen on (port 0: any free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub listen: String,
    #[command(flatten)]
    pub rules: ScanRulesArgs,
}

/// `tracepass api`: the index over HTTP until Ctrl-C or SIGTERM.
pub async fn api(ctx: &Ctx, a: ApiArgs) -> Result<i32> {
    let rules = a.rules.rules()?;
    let db = Db::open_reader(&a.db.database).await?;
    let listener = tokio::net::TcpListener::bind(&a.listen)
        .await
        .map_err(|e| tracepass::ClientError::Io { path: a.listen.clone(), reason: format!("cannot listen: {e}") })?;
    let addr = listener.local_addr().map_err(|e| tracepass::ClientError::Io { path: a.listen.clone(), reason: e.to_string() })?;
    ctx.print(
        &format!("tracepass index API on http://{addr}/ (OpenAPI at /openapi.json) over {}; Ctrl-C stops it", db.shown()),
        json!({ "listening": format!("http://{addr}/"), "database": db.shown() }),
    );
    tracepass::api::serve_state(listener, tracepass::api::ApiState::new(db).with_scan_rules(rules), super::serve::shutdown_signal()).await?;
    Ok(0)
}

/// `tracepass index`.
pub async fn run(ctx: &Ctx, a: IndexArgs) -> Result<i32> {
    let d = Deployment::load(&ctx.deployment)?;
    let db = Db::open(&a.db.database).await?;
    if a.from_scratch {
        db.clear().await?;
    }
    let opts = index::Options {
        url: ctx.url.clone(),
        blocks_per_batch: a.blocks_per_batch,
        until: if a.once { index::Until::CaughtUp } else { index::Until::Forever },
        give_up_after: Duration::from_secs(a.give_up_after),
    };
    if !ctx.quiet && !ctx.json {
        super::out::err(&format!("indexing finalized blocks of {} into {}", ctx.url, db.shown()));
    }
    let (quiet, json) = (ctx.quiet, ctx.json);
    let mut last_report = std::time::Instant::now();
    let started = std::time::Instant::now();
    let summary = index::run(&db, &d, &opts, |p| {
        if quiet || json {
            return;
        }
        match p {
            index::Progress::Indexed { block, target, events } => {
                if last_report.elapsed() >= Duration::from_secs(2) || block == target {
                    super::out::err(&format!("  block #{block} of #{target}, {events} events"));
                    last_report = std::time::Instant::now();
                }
            }
            index::Progress::Reconnecting { reason, wait } => {
                super::out::err(&format!("  warning: {reason}; reconnecting in {} ms", wait.as_millis()))
            }
        }
    })
    .await?;
    let secs = started.elapsed().as_secs_f64();
    ctx.print(
        &format!("indexed {} blocks, {} events, up to block #{} in {secs:.1} s", summary.blocks, summary.events, summary.head),
        json!({ "summary": summary, "seconds": secs, "database": db.shown() }),
    );
    db.close().await;
    Ok(0)
}

fn account(s: &str) -> Result<String> {
    Ok(tracepass::fmt::ss58(&tracepass::chain::parse_account(s)?))
}

/// Rows as tab-separated text: every column any row has, in order of first appearance.
fn table(rows: &[serde_json::Map<String, Value>]) -> String {
    if rows.is_empty() {
        return "(none)".into();
    }
    let mut cols: Vec<&str> = Vec::new();
    for r in rows {
        for k in r.keys() {
            if !cols.contains(&k.as_str()) {
                cols.push(k);
            }
        }
    }
    let cell = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        None | Some(Value::Null) => "-".into(),
        Some(other) => other.to_string(),
    };
    let mut out = cols.join("\t");
    for r in rows {
        out.push('\n');
        out.push_str(&cols.iter().map(|c| cell(r.get(*c))).collect::<Vec<_>>().join("\t"));
    }
    out
}

/// `tracepass history`.
pub async fn history(ctx: &Ctx, c: HistoryCmd) -> Result<i32> {
    match c {
        HistoryCmd::Lot { db, lot } => {
            let key = query::lot_key(&lot)?;
            let db = Db::open(&db.database).await?;
            match query::lot(&db, &key).await? {
                Some(v) => {
                    let rows: Vec<_> = v["timeline"].as_array().into_iter().flatten().filter_map(|r| r.as_object().cloned()).collect();
                    ctx.print(&format!("lot {key}\n{}", table(&rows)), v);
                    Ok(0)
                }
                None => {
                    ctx.print(&format!("lot {key}: not in the index"), json!({ "lot": key, "found": false }));
                    Ok(1)
                }
            }
        }
        HistoryCmd::Merchant { db, account: a, limit } => {
            let a = account(&a)?;
            let rows = query::merchant_lots(&Db::open(&db.database).await?, &a, limit).await?;
            ctx.print(&table(&rows), json!({ "merchant": a, "lots": rows }));
            Ok(0)
        }
        HistoryCmd::Agency { db, account: a, limit } => {
            let a = account(&a)?;
            let rows = query::issuer_attestations(&Db::open(&db.database).await?, &a, limit).await?;
            ctx.print(&table(&rows), json!({ "issuer": a, "attestations": rows }));
            Ok(0)
        }
    }
}

/// `tracepass stats`.
pub async fn stats(ctx: &Ctx, c: StatsCmd) -> Result<i32> {
    match c {
        StatsCmd::Summary { db } => {
            let v = query::summary(&Db::open(&db.database).await?).await?;
            ctx.print(&serde_json::to_string_pretty(&v).unwrap_or_default(), v);
        }
        StatsCmd::PassRates { db, by } => {
            let rows = query::pass_rates(&Db::open(&db.database).await?, by).await?;
            ctx.print(&table(&rows), json!({ "by": by, "rows": rows }));
        }
        StatsCmd::Sampling { db } => {
            let rows = query::sampling_rates(&Db::open(&db.database).await?).await?;
            ctx.print(&table(&rows), json!({ "rows": rows }));
        }
        StatsCmd::Backlog { db, limit, overdue_days } => {
            let v = query::backlog(&Db::open(&db.database).await?, limit, overdue_days).await?;
            let rows: Vec<_> = v["items"].as_array().into_iter().flatten().filter_map(|r| r.as_object().cloned()).collect();
            ctx.print(
                &format!("{} selected lots not inspected, {} overdue (> {} days)\n{}", v["total"], v["overdue"], v["overdue_days"], table(&rows)),
                v,
            );
        }
    }
    Ok(0)
}
