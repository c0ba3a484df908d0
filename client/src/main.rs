//! `tracepass`: the command line over the tracepass library. A thin clap layer: each command
//! group lives in `cli/`, and the library does the chain work.

mod cli;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Tamper-proof product passports on a consortium chain.
#[derive(Parser, Debug)]
#[command(name = "tracepass", version, about, propagate_version = true)]
pub struct Cli {
    /// Node endpoint.
    #[arg(long, global = true, env = "TRACEPASS_URL", default_value = "ws://127.0.0.1:9944")]
    pub url: String,
    /// Deployment file (addresses, code hashes, genesis hash).
    #[arg(long, global = true, env = "TRACEPASS_DEPLOYMENT", default_value = "./tracepass-deployment.json")]
    pub deployment: PathBuf,
    /// Secret URI of the signing key (prefer TRACEPASS_SURI or --suri-file: arguments are visible to other local users).
    #[arg(long, global = true, env = "TRACEPASS_SURI", hide_env_values = true)]
    pub suri: Option<String>,
    /// File holding the secret URI.
    #[arg(long, global = true)]
    pub suri_file: Option<PathBuf>,
    /// Machine output: one JSON object per command.
    #[arg(long, global = true)]
    pub json: bool,
    /// Print only results, no progress.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Print more (gas, deposits, blocks).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Upload, instantiate and wire the four contracts; write the deployment file.
    Deploy(cli::deploy::DeployArgs),
    /// Consortium membership through M-of-N proposals.
    #[command(subcommand)]
    Member(cli::member::MemberCmd),
    /// Merchant onboarding and status (any one governor).
    #[command(subcommand)]
    Merchant(cli::merchant::MerchantCmd),
    /// Factories.
    #[command(subcommand)]
    Factory(cli::registry::FactoryCmd),
    /// Products (GTINs).
    #[command(subcommand)]
    Product(cli::registry::ProductCmd),
    /// Lots: register with serials, recall, show.
    #[command(subcommand)]
    Lot(cli::registry::LotCmd),
    /// Trace events.
    #[command(subcommand)]
    Event(cli::registry::EventCmd),
    /// Sampling rules, commit-reveal epochs and selection.
    #[command(subcommand)]
    Sampling(cli::sampling::SamplingCmd),
    /// Inspections, certifications, customs clearances.
    #[command(subcommand)]
    Attest(cli::attest::AttestCmd),
    /// The consumer's check of one item: a verdict and its evidence.
    Verify(cli::verify::VerifyArgs),
    /// An item's QR code (its Digital Link URI with the proof), as PNG or SVG.
    Qr(cli::qr::QrArgs),
    /// A lot's trace in standard formats (EPCIS 2.0).
    #[command(subcommand)]
    Export(cli::export::ExportCmd),
    /// The read-only GS1 Digital Link resolver: verification pages for phones, JSON on Accept.
    Serve(cli::serve::ServeArgs),
    /// Follow finalized blocks into the index database (SQLite or PostgreSQL).
    Index(cli::index::IndexArgs),
    /// Histories from the index: a lot, a merchant's lots, an agency's attestations.
    #[command(subcommand)]
    History(cli::index::HistoryCmd),
    /// The index over HTTP: JSON queries, statistics, EPCIS 2.0 events, an OpenAPI document.
    Api(cli::index::ApiArgs),
    /// Statistics from the index: pass rates, sampling rates, the inspection backlog.
    #[command(subcommand)]
    Stats(cli::index::StatsCmd),
    /// Read-only access to contract state.
    #[command(subcommand)]
    Query(cli::query::QueryCmd),
    /// Chain utilities: info, sealing blocks on a local instant-seal node.
    #[command(subcommand)]
    Chain(cli::query::ChainCmd),
    /// The account of a secret URI (to fund or whitelist it); the secret is not shown.
    Account,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            cli::out::err(&format!("error: cannot start the runtime: {e}"));
            return ExitCode::from(2);
        }
    };
    let json = cli.json;
    match rt.block_on(cli::run(cli)) {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            if json {
                cli::out::out(&serde_json::json!({ "error": e.to_string() }).to_string());
            } else {
                cli::out::err(&format!("error: {e}"));
            }
            ExitCode::from(tracepass::verify::EXIT_ERROR as u8)
        }
    }
}
