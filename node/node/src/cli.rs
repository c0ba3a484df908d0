//! Command line: substrate's `RunCmd` plus the usual subcommands.

/// Subcommands.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: `generate`, `inspect`, `insert` (session keys into a node's keystore,
	/// offline: `key insert --chain SPEC --base-path DIR --scheme sr25519 --key-type aura`, and
	/// `--scheme ed25519 --key-type gran`), `generate-node-key`, `inspect-node-key`.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Build a chain specification (`--raw` for the form a chain is started from).
	BuildSpec(sc_cli::BuildSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Database meta columns information.
	ChainInfo(sc_cli::ChainInfoCmd),
}

/// tracepass-node's command line.
#[derive(Debug, clap::Parser)]
#[command(
	propagate_version = true,
	args_conflicts_with_subcommands = true,
	subcommand_negates_reqs = true
)]
pub struct Cli {
	/// A subcommand; none runs the node.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	/// Running the node.
	#[clap(flatten)]
	pub run: sc_cli::RunCmd,

	/// Development chains only: seconds between sealing a block and finalizing it
	/// (substrate-contracts-node's option, same default).
	#[arg(long, default_value_t = 1)]
	pub finalize_delay_sec: u8,

	/// A validator normally refuses to start when its keystore holds none of the Aura or none of
	/// the GRANDPA authority keys at its best block (wrong keys, or keys inserted for another
	/// chain). A new member whose keys the council has not voted in yet, or whose fresh node has
	/// not yet synced past that vote, starts with this flag.
	#[arg(long)]
	pub joining: bool,
}
