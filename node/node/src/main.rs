//! tracepass-node: the tracepass consortium chain's node.
//!
//! - A chain spec of chain type `Development` (`--dev`), or named `Development` (the rule of
//!   substrate-contracts-node 0.42, which the e2e suite's generated spec uses), runs the
//!   single-authority instant-seal service (`service::dev`): a block per transaction, finalized after `--finalize-delay-sec`,
//!   like substrate-contracts-node's dev mode, on the same runtime as the validators.
//! - Any other spec (`--chain local`, `--chain FILE.json`) runs Aura + GRANDPA (`service`).
#![warn(missing_docs)]

mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
