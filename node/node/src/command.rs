//! Parses the command line and runs the node or a subcommand.

use crate::{
	chain_spec,
	cli::{Cli, Subcommand},
	service,
};
use sc_cli::{ChainSpec, SubstrateCli};
use sc_service::{ChainType, PartialComponents};

impl SubstrateCli for Cli {
	fn impl_name() -> String {
		"tracepass-node".into()
	}

	fn impl_version() -> String {
		env!("SUBSTRATE_CLI_IMPL_VERSION").into()
	}

	fn description() -> String {
		env!("CARGO_PKG_DESCRIPTION").into()
	}

	fn author() -> String {
		"tracepass".into()
	}

	fn support_url() -> String {
		"the tracepass repository's issue tracker".into()
	}

	fn copyright_start_year() -> i32 {
		2026
	}

	fn load_spec(&self, id: &str) -> Result<Box<dyn ChainSpec>, String> {
		Ok(match id {
			"" | "dev" => Box::new(chain_spec::development_config()?),
			"local" => Box::new(chain_spec::local_config()?),
			path => Box::new(chain_spec::ChainSpec::from_json_file(std::path::PathBuf::from(path))?),
		})
	}
}

/// Whether a spec runs the instant-seal dev service: chain type `Development` (what `--dev`
/// gives), or the name `Development`, substrate-contracts-node 0.42's rule, which the e2e suite's
/// generated spec (scripts/chain-spec.sh) relies on. The consortium spec generator refuses both.
fn is_dev(spec: &dyn ChainSpec) -> bool {
	spec.chain_type() == ChainType::Development || spec.name() == "Development"
}

/// Runs a subcommand that needs the client (and import queue) of the chain's service kind: the
/// dev chain's import queue is manual seal's, a validator chain's is Aura's.
macro_rules! construct_async_run {
	(|$components:ident, $cli:ident, $cmd:ident, $config:ident| $( $code:tt )* ) => {{
		let runner = $cli.create_runner($cmd)?;
		runner.async_run(|$config| {
			if is_dev(&*$config.chain_spec) {
				let $components = service::dev::new_partial(&$config)?;
				let task_manager = $components.task_manager;
				{ $( $code )* }.map(|v| (v, task_manager))
			} else {
				let $components = service::new_partial(&$config)?;
				let task_manager = $components.task_manager;
				{ $( $code )* }.map(|v| (v, task_manager))
			}
		})
	}}
}

/// Parse command line arguments into service configuration.
pub fn run() -> sc_cli::Result<()> {
	let mut cli = Cli::from_args();

	// Safe RPC methods unless `--rpc-methods unsafe` is given: substrate's default, `auto`,
	// serves the unsafe ones (`author_insertKey`, `author_rotateKeys`, ...) on loopback, and a
	// validator's loopback RPC is reachable by everything running on its host.
	if matches!(cli.run.rpc_methods, sc_cli::RpcMethods::Auto) {
		cli.run.rpc_methods = sc_cli::RpcMethods::Safe;
	}

	// As substrate-contracts-node: less block production noise, the contracts' debug buffer.
	if cli.run.shared_params.log.is_empty() {
		cli.run.shared_params.log = vec![
			"runtime::contracts=debug".into(),
			"sc_cli=info".into(),
			"sc_rpc_server=info".into(),
			"warn".into(),
		];
	}

	match &cli.subcommand {
		Some(Subcommand::Key(cmd)) => cmd.run(&cli),
		Some(Subcommand::BuildSpec(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.chain_spec, config.network))
		},
		Some(Subcommand::CheckBlock(cmd)) => {
			construct_async_run!(|components, cli, cmd, config| {
				Ok(cmd.run(components.client, components.import_queue))
			})
		},
		Some(Subcommand::ExportBlocks(cmd)) => {
			construct_async_run!(|components, cli, cmd, config| {
				Ok(cmd.run(components.client, config.database))
			})
		},
		Some(Subcommand::ExportState(cmd)) => {
			construct_async_run!(|components, cli, cmd, config| {
				Ok(cmd.run(components.client, config.chain_spec))
			})
		},
		Some(Subcommand::ImportBlocks(cmd)) => {
			construct_async_run!(|components, cli, cmd, config| {
				Ok(cmd.run(components.client, components.import_queue))
			})
		},
		Some(Subcommand::PurgeChain(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run(config.database))
		},
		Some(Subcommand::Revert(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.async_run(|config| {
				if is_dev(&*config.chain_spec) {
					let PartialComponents { client, task_manager, backend, .. } =
						service::dev::new_partial(&config)?;
					Ok((cmd.run::<tracepass_runtime::opaque::Block, _, _>(client, backend, None), task_manager))
				} else {
					let PartialComponents { client, task_manager, backend, .. } =
						service::new_partial(&config)?;
					let aux_revert = Box::new(|client, _, blocks| {
						sc_consensus_grandpa::revert(client, blocks)?;
						Ok(())
					});
					Ok((cmd.run(client, backend, Some(aux_revert)), task_manager))
				}
			})
		},
		Some(Subcommand::ChainInfo(cmd)) => {
			let runner = cli.create_runner(cmd)?;
			runner.sync_run(|config| cmd.run::<tracepass_runtime::opaque::Block>(&config))
		},
		None => {
			let runner = cli.create_runner(&cli.run)?;
			let finalize_delay_sec = cli.finalize_delay_sec.into();
			let joining = cli.joining;
			runner.run_node_until_exit(|config| async move {
				if is_dev(&*config.chain_spec) {
					service::dev::new_full(config, finalize_delay_sec)
				} else {
					service::new_full(config, joining)
				}
				.map_err(sc_cli::Error::Service)
			})
		},
	}
}
