//! Command groups. Each file parses its arguments and calls the library; `Ctx` holds what
//! every command shares: the connection, the deployment, the signer and the output mode.

pub mod attest;
pub mod deploy;
pub mod export;
pub mod index;
pub mod member;
pub mod merchant;
pub mod out;
pub mod qr;
pub mod query;
pub mod registry;
pub mod sampling;
pub mod serve;
pub mod verify;

use crate::{Cli, Command};
use serde_json::Value;
use std::path::PathBuf;
use tracepass::fmt::ss58;
use tracepass::error::{ClientError, Result};
use tracepass::{Chain, Deployment, Signer, Tracepass};

/// What every command shares.
pub struct Ctx {
    pub url: String,
    pub deployment: PathBuf,
    suri: Option<String>,
    suri_file: Option<PathBuf>,
    pub json: bool,
    pub quiet: bool,
    pub verbose: bool,
    /// The deployment, once loaded (for event names).
    loaded: std::sync::OnceLock<Deployment>,
}

impl Ctx {
    /// Connects to the node.
    pub async fn chain(&self) -> Result<Chain> {
        Chain::connect(&self.url).await
    }

    /// Connects and opens the deployment (refusing one from another chain).
    pub async fn tracepass(&self) -> Result<Tracepass> {
        let d = Deployment::load(&self.deployment)?;
        let tp = Tracepass::open(self.chain().await?, &d)?;
        let _ = self.loaded.set(d);
        Ok(tp)
    }

    /// The signer from --suri, TRACEPASS_SURI or --suri-file.
    pub fn signer(&self) -> Result<Signer> {
        if let Some(s) = &self.suri {
            return Signer::from_suri(s);
        }
        if let Some(p) = &self.suri_file {
            let text = std::fs::read_to_string(p)
                .map_err(|e| ClientError::Io { path: p.display().to_string(), reason: e.to_string() })?;
            return Signer::from_suri(&zeroize::Zeroizing::new(text));
        }
        Err(ClientError::Input("this command signs a transaction: pass --suri-file FILE or set TRACEPASS_SURI".into()))
    }

    /// A progress bar of `steps` steps on stderr (hidden with --quiet or --json).
    pub fn bar(&self, steps: u64) -> indicatif::ProgressBar {
        if self.quiet || self.json {
            return indicatif::ProgressBar::hidden();
        }
        let bar = indicatif::ProgressBar::new(steps);
        bar.set_style(
            indicatif::ProgressStyle::with_template("  [{bar:30}] {pos}/{len} {msg} ({elapsed})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        bar
    }

    /// Prints a result: `text` for people, `json` with --json.
    pub fn print(&self, text: &str, json: Value) {
        if self.json {
            out::out(&json.to_string());
        } else {
            out::out(text);
        }
    }

    /// Prints a write's outcome with gas details when verbose.
    pub fn print_write<T>(&self, text: &str, mut json: Value, out: &tracepass::contracts::Outcome<T>) {
        if let Value::Object(m) = &mut json {
            m.insert("block".into(), Value::String(format!("{:?}", out.included.block)));
            m.insert("gas".into(), serde_json::to_value(out.dry_run.gas_required).unwrap_or(Value::Null));
            m.insert("storage_deposit".into(), Value::from(out.dry_run.storage_deposit as i64));
            if let Some(d) = self.loaded.get() {
                m.insert("events".into(), serde_json::to_value(d.event_names(&out.included)).unwrap_or_default());
            }
        }
        self.print(text, json);
        if self.verbose && !self.json {
            out::err(&format!(
                "     gas ref_time {} proof_size {}, storage deposit {}, block {:?}",
                out.dry_run.gas_required.ref_time, out.dry_run.gas_required.proof_size, out.dry_run.storage_deposit, out.included.block
            ));
            if let Some(d) = self.loaded.get() {
                out::err(&format!("     events: {}", d.event_names(&out.included).join(", ")));
            }
        }
    }
}

/// blake2-256 of a text (names, reasons): what goes on chain instead of the text.
pub fn hash_text(s: &str) -> [u8; 32] {
    tracepass::shared::blake2_256(s.as_bytes())
}

/// blake2-256 of a file's bytes.
pub fn hash_file(p: &std::path::Path) -> Result<[u8; 32]> {
    let b = std::fs::read(p).map_err(|e| ClientError::Io { path: p.display().to_string(), reason: e.to_string() })?;
    Ok(tracepass::shared::blake2_256(&b))
}

/// The lot ID a `--gtin` and `--lot` pair names, each checked (errors name the bad value).
pub fn lot_arg(gtin: &str, lot: &str) -> Result<tracepass::shared::LotId> {
    Ok(tracepass::shared::lot_id(&tracepass::gs1::parse_gtin(gtin)?, tracepass::gs1::parse_lot(lot)?.as_slice()))
}

/// Milliseconds now (for event times).
pub fn now_ms() -> u64 {
    tracepass::fmt::wall_clock_ms()
}

/// Runs the parsed command; returns the process exit status.
pub async fn run(cli: Cli) -> Result<i32> {
    let ctx = Ctx {
        url: cli.url,
        deployment: cli.deployment,
        suri: cli.suri,
        suri_file: cli.suri_file,
        json: cli.json,
        quiet: cli.quiet,
        verbose: cli.verbose,
        loaded: Default::default(),
    };
    match cli.command {
        Command::Deploy(a) => deploy::run(&ctx, a).await,
        Command::Member(c) => member::run(&ctx, c).await,
        Command::Merchant(c) => merchant::run(&ctx, c).await,
        Command::Factory(c) => registry::factory(&ctx, c).await,
        Command::Product(c) => registry::product(&ctx, c).await,
        Command::Lot(c) => registry::lot(&ctx, c).await,
        Command::Event(c) => registry::event(&ctx, c).await,
        Command::Sampling(c) => sampling::run(&ctx, c).await,
        Command::Attest(c) => attest::run(&ctx, c).await,
        Command::Verify(a) => verify::run(&ctx, a).await,
        Command::Query(c) => query::run(&ctx, c).await,
        Command::Index(a) => index::run(&ctx, a).await,
        Command::Api(a) => index::api(&ctx, a).await,
        Command::History(c) => index::history(&ctx, c).await,
        Command::Stats(c) => index::stats(&ctx, c).await,
        Command::Qr(a) => qr::run(&ctx, a).await,
        Command::Export(c) => export::run(&ctx, c).await,
        Command::Serve(a) => serve::run(&ctx, a).await,
        Command::Chain(c) => query::chain(&ctx, c).await,
        Command::Account => {
            let s = ctx.signer()?;
            let a = ss58(&s.account());
            ctx.print(&a, serde_json::json!({ "account": a, "hex": format!("0x{}", hex::encode(s.account())) }));
            Ok(0)
        }
    }
}
