//! `--dev`: one authority, a block sealed as soon as a transaction enters the pool (instant
//! seal) and finalized `finalize_delay_sec` later, like substrate-contracts-node's dev service,
//! but on the validators' runtime (Aura + GRANDPA pallets included).
//!
//! pallet-aura needs an Aura pre-digest whose slot is the block timestamp's slot (see the "time"
//! comment in the runtime). `AuraConsensusDataProvider` derives the slot from the timestamp
//! inherent; the timestamp is wall time, but at least `MINIMUM_PERIOD` after the parent's, so
//! pallet-timestamp never bumps it (a bump could cross into the next slot and break the match).
//! Several blocks in one slot are allowed by the dev genesis (`multipleBlocksPerSlot`).

use codec::Decode;
use futures::{FutureExt, StreamExt};
use sc_consensus_manual_seal::EngineCommand;
use sc_transaction_pool_api::TransactionPool;
use sp_blockchain::HeaderBackend;
use sc_client_api::{Backend, StorageProvider};
use sc_consensus_manual_seal::consensus::aura::AuraConsensusDataProvider;
use sc_service::{error::Error as ServiceError, Configuration, TaskManager};
use sc_transaction_pool_api::OffchainTransactionPoolFactory;
use sp_core::storage::StorageKey;
use std::sync::Arc;
use tracepass_runtime::opaque::Block;

use super::FullClient;

type FullBackend = sc_service::TFullBackend<Block>;
type FullSelectChain = sc_consensus::LongestChain<FullBackend, Block>;

/// What `new_partial` builds for the dev service.
pub type Service = sc_service::PartialComponents<
	FullClient,
	FullBackend,
	FullSelectChain,
	sc_consensus::DefaultImportQueue<Block>,
	sc_transaction_pool::FullPool<Block, FullClient>,
	Option<sc_telemetry::Telemetry>,
>;

/// Client, backend, pool and manual seal's import queue (which checks no seal: only this node
/// authors the dev chain).
pub fn new_partial(config: &Configuration) -> Result<Service, ServiceError> {
	let telemetry = super::telemetry(config)?;

	let executor = sc_service::new_wasm_executor(&config.executor);
	let (client, backend, keystore_container, task_manager) =
		sc_service::new_full_parts::<Block, tracepass_runtime::RuntimeApi, _>(
			config,
			telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
			executor,
		)?;
	let client = Arc::new(client);

	let select_chain = sc_consensus::LongestChain::new(backend.clone());

	let telemetry = telemetry.map(|(worker, telemetry)| {
		task_manager.spawn_handle().spawn("telemetry", None, worker.run());
		telemetry
	});

	let import_queue = sc_consensus_manual_seal::import_queue(
		Box::new(client.clone()),
		&task_manager.spawn_essential_handle(),
		config.prometheus_registry(),
	);

	let transaction_pool = sc_transaction_pool::BasicPool::new_full(
		config.transaction_pool.clone(),
		config.role.is_authority().into(),
		config.prometheus_registry(),
		task_manager.spawn_essential_handle(),
		client.clone(),
	);

	Ok(sc_service::PartialComponents {
		client,
		backend,
		task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: telemetry,
	})
}

/// `Timestamp::Now` at `at`, or 0 (genesis, or unreadable).
fn parent_timestamp(client: &FullClient, at: <Block as sp_runtime::traits::Block>::Hash) -> u64 {
	let key = [sp_core::hashing::twox_128(b"Timestamp"), sp_core::hashing::twox_128(b"Now")]
		.concat();
	client
		.storage(at, &StorageKey(key))
		.ok()
		.flatten()
		.and_then(|data| u64::decode(&mut &data.0[..]).ok())
		.unwrap_or(0)
}

/// How often the watchdog looks for ready transactions left behind on an unchanged best block.
const STUCK_CHECK: std::time::Duration = std::time::Duration::from_millis(500);

/// Seal a new block on the best one; `create_empty` as manual seal's.
fn seal_command(create_empty: bool) -> EngineCommand<<Block as sp_runtime::traits::Block>::Hash> {
	EngineCommand::SealNewBlock { create_empty, finalize: false, parent_hash: None, sender: None }
}

/// Seals again when ready transactions stay in the pool while the best block does not move for
/// two checks. Instant seal alone seals once per pool import, and a block may have no room for
/// them: pallet-session's `on_initialize` books the whole block weight on a session rotation
/// (every `SessionPeriod` blocks), so that block is sealed empty and, with no new import, the
/// chain would wait forever (seen at block 10 before this watchdog).
fn stuck_pool_watchdog(
	client: Arc<FullClient>,
	pool: Arc<sc_transaction_pool::FullPool<Block, FullClient>>,
) -> futures::channel::mpsc::Receiver<EngineCommand<<Block as sp_runtime::traits::Block>::Hash>> {
	let (mut tx, rx) = futures::channel::mpsc::channel(1);
	std::thread::Builder::new()
		.name("dev-seal-watchdog".into())
		.spawn(move || {
			let mut waiting_on = None;
			loop {
				std::thread::sleep(STUCK_CHECK);
				let best = client.info().best_hash;
				if pool.status().ready == 0 {
					waiting_on = None;
				} else if waiting_on == Some(best) {
					match tx.try_send(seal_command(false)) {
						Err(e) if e.is_disconnected() => return,
						_ => waiting_on = None,
					}
				} else {
					waiting_on = Some(best);
				}
			}
		})
		.expect("spawn the dev seal watchdog");
	rx
}

/// Builds and starts the dev service.
pub fn new_full(config: Configuration, finalize_delay_sec: u64) -> Result<TaskManager, ServiceError> {
	type N = sc_network::NetworkWorker<Block, <Block as sp_runtime::traits::Block>::Hash>;

	let sc_service::PartialComponents {
		client,
		backend,
		mut task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: mut telemetry,
	} = new_partial(&config)?;

	let net_config = sc_network::config::FullNetworkConfiguration::<
		Block,
		<Block as sp_runtime::traits::Block>::Hash,
		N,
	>::new(&config.network, config.prometheus_registry().cloned());
	let metrics = <N as sc_network::NetworkBackend<_, _>>::register_notification_metrics(
		config.prometheus_registry(),
	);

	let (network, system_rpc_tx, tx_handler_controller, network_starter, sync_service) =
		sc_service::build_network(sc_service::BuildNetworkParams {
			config: &config,
			client: client.clone(),
			transaction_pool: transaction_pool.clone(),
			spawn_handle: task_manager.spawn_handle(),
			import_queue,
			net_config,
			block_announce_validator_builder: None,
			warp_sync_config: None,
			block_relay: None,
			metrics,
		})?;

	if config.offchain_worker.enabled {
		task_manager.spawn_handle().spawn(
			"offchain-workers-runner",
			"offchain-worker",
			sc_offchain::OffchainWorkers::new(sc_offchain::OffchainWorkerOptions {
				runtime_api_provider: client.clone(),
				is_validator: config.role.is_authority(),
				keystore: Some(keystore_container.keystore()),
				offchain_db: backend.offchain_storage(),
				transaction_pool: Some(OffchainTransactionPoolFactory::new(
					transaction_pool.clone(),
				)),
				network_provider: Arc::new(network.clone()),
				enable_http_requests: false,
				custom_extensions: |_| vec![],
			})
			.run(client.clone(), task_manager.spawn_handle())
			.boxed(),
		);
	}

	let prometheus_registry = config.prometheus_registry().cloned();
	let rpc_extensions_builder = {
		let client = client.clone();
		let pool = transaction_pool.clone();
		Box::new(move |_| {
			let deps = crate::rpc::FullDeps { client: client.clone(), pool: pool.clone() };
			crate::rpc::create_full(deps).map_err(Into::into)
		})
	};

	let _rpc_handlers = sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		network,
		client: client.clone(),
		keystore: keystore_container.keystore(),
		task_manager: &mut task_manager,
		transaction_pool: transaction_pool.clone(),
		rpc_builder: rpc_extensions_builder,
		backend,
		system_rpc_tx,
		tx_handler_controller,
		sync_service,
		config,
		telemetry: telemetry.as_mut(),
	})?;

	let proposer = sc_basic_authorship::ProposerFactory::new(
		task_manager.spawn_handle(),
		client.clone(),
		transaction_pool.clone(),
		prometheus_registry.as_ref(),
		telemetry.as_ref().map(|x| x.handle()),
	);

	let cidp_client = client.clone();
	// Instant seal (a block per pool import, as `run_instant_seal`), plus the stuck-pool watchdog.
	let on_import = transaction_pool.import_notification_stream().map(|_| seal_command(true));
	let commands_stream =
		futures::stream::select(on_import, stuck_pool_watchdog(client.clone(), transaction_pool.clone()));
	let params = sc_consensus_manual_seal::ManualSealParams {
		block_import: client.clone(),
		env: proposer,
		client: client.clone(),
		pool: transaction_pool,
		commands_stream,
		select_chain,
		consensus_data_provider: Some(Box::new(AuraConsensusDataProvider::new(client.clone()))),
		create_inherent_data_providers: move |parent, ()| {
			let client = cidp_client.clone();
			async move {
				let now = sp_timestamp::Timestamp::current().as_millis();
				let earliest =
					parent_timestamp(&client, parent).saturating_add(tracepass_runtime::MINIMUM_PERIOD);
				Ok(sp_timestamp::InherentDataProvider::new(now.max(earliest).into()))
			}
		},
	};

	let authorship_future = sc_consensus_manual_seal::run_manual_seal(params);
	task_manager
		.spawn_essential_handle()
		.spawn_blocking("instant-seal", None, authorship_future);

	let delayed_finalize_params = sc_consensus_manual_seal::DelayedFinalizeParams {
		client,
		spawn_handle: task_manager.spawn_handle(),
		delay_sec: finalize_delay_sec,
	};
	task_manager.spawn_essential_handle().spawn_blocking(
		"delayed_finalize",
		None,
		sc_consensus_manual_seal::run_delayed_finalize(delayed_finalize_params),
	);

	network_starter.start_network();
	Ok(task_manager)
}
