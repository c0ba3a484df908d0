//! The chain layer: one connection, signers, local nonces, dry runs, submission and inclusion.
//!
//! Every contract call is dry-run first (`ContractsApi_call`, free, no key), which gives the gas
//! and storage deposit it needs and the contract's own answer; only a call whose dry run
//! succeeded is signed and submitted, with a margin on gas. Nonces are kept locally per account,
//! so many submissions can be in flight at once.
//!
//! - [`account`]: SS58 and hex account parsing; [`signer`]: keys from secret URIs;
//! - [`dry_run`]: `ContractsApi_call` and its decoded outcome; [`read`]: JSON-RPC batches of
//!   reads at one block; [`submit`]: signing, nonces, inclusion and events;
//! - `transport`: the WebSocket connection.

mod account;
pub mod dry_run;
pub mod history;
pub mod read;
mod signer;
pub mod submit;
mod transport;

pub use account::{parse_account, MAX_SHOWN_ACCOUNT_LEN, MAX_SS58_LEN};
pub use dry_run::{DryRun, Weight};
pub use history::PastBlock;
pub use read::{Read, ReadOut, MAX_RUNTIME_CALLS};
pub use signer::Signer;
pub use submit::{ContractEvent, Included};

use crate::error::{ClientError, Result};
use parity_scale_codec::Decode;
use std::collections::HashMap;
use std::sync::Arc;
use subxt::backend::legacy::LegacyRpcMethods;
use subxt::backend::rpc::RpcClient;
use subxt::{OnlineClient, PolkadotConfig};
use tokio::sync::Mutex;
use subxt::utils::H256;

/// The chain configuration (substrate-contracts-node: sr25519, u32 blocks, u128 balances).
pub type Config = PolkadotConfig;
/// A contract or user account, as the contracts see it.
pub type AccountId = ink::primitives::AccountId;

/// Gas margin added to a dry run's requirement, in percent.
pub const GAS_MARGIN_PERCENT: u64 = 25;

/// One connection to a node, shared by everything the client does.
#[derive(Clone)]
pub struct Chain {
    /// The subxt client.
    pub api: OnlineClient<Config>,
    /// Raw RPC methods.
    pub rpc: LegacyRpcMethods<Config>,
    /// The endpoint.
    pub url: String,
    nonces: Arc<Mutex<HashMap<AccountId, u64>>>,
    /// Block that reads are made at, if pinned (see [`Chain::pinned`]); else the best block.
    pinned: Option<H256>,
    /// The same connection as `api` and `rpc`, for JSON-RPC batches ([`Chain::read_many`]).
    raw: Arc<jsonrpsee::core::client::Client>,
    /// Runtime calls (dry runs) in flight at once (see [`MAX_RUNTIME_CALLS`]).
    runtime_calls: Arc<tokio::sync::Semaphore>,
    /// How long a write waits for inclusion ([`submit::INCLUSION_TIMEOUT`] unless changed).
    inclusion_timeout: std::time::Duration,
}

impl Chain {
    /// Connects once and checks that the chain's environment matches the contracts'.
    pub async fn connect(url: &str) -> Result<Chain> {
        let conn = |e: subxt::Error| ClientError::Connect { url: url.to_string(), reason: e.to_string() };
        let raw = Arc::new(transport::ws_client(url).await.map_err(|reason| ClientError::Connect { url: url.to_string(), reason })?);
        let rpc_client = RpcClient::new(raw.clone());
        let api = OnlineClient::<Config>::from_rpc_client(rpc_client.clone()).await.map_err(conn)?;
        let chain = Chain {
            api,
            rpc: LegacyRpcMethods::new(rpc_client),
            url: url.to_string(),
            nonces: Default::default(),
            pinned: None,
            raw,
            runtime_calls: Arc::new(tokio::sync::Semaphore::new(MAX_RUNTIME_CALLS)),
            inclusion_timeout: submit::INCLUSION_TIMEOUT,
        };
        chain.check_environment()?;
        Ok(chain)
    }

    /// pallet-contracts present, u32 block numbers, u128 balances, 32-byte accounts: the types
    /// the contracts were built for (ink!'s DefaultEnvironment).
    fn check_environment(&self) -> Result<()> {
        let md = self.api.metadata();
        if md.pallet_by_name("Contracts").is_none() {
            return Err(ClientError::Incompatible("the chain has no Contracts pallet".into()));
        }
        let ty_of = |pallet: &str, entry: &str| -> Option<String> {
            let e = md.pallet_by_name(pallet)?.storage()?.entry_by_name(entry)?;
            let id = match e.entry_type() {
                subxt::metadata::types::StorageEntryType::Plain(id) => *id,
                subxt::metadata::types::StorageEntryType::Map { value_ty, .. } => *value_ty,
            };
            Some(format!("{:?}", md.types().resolve(id)?.type_def))
        };
        let number = ty_of("System", "Number").unwrap_or_default();
        if !number.contains("U32") {
            return Err(ClientError::Incompatible(format!("block number type is {number}, contracts expect u32")));
        }
        let issuance = ty_of("Balances", "TotalIssuance").unwrap_or_default();
        if !issuance.contains("U128") {
            return Err(ClientError::Incompatible(format!("balance type is {issuance}, contracts expect u128")));
        }
        Ok(())
    }

    /// The chain's genesis hash.
    pub fn genesis_hash(&self) -> H256 {
        self.api.genesis_hash()
    }

    /// The chain's name (`system_chain`).
    pub async fn chain_name(&self) -> Result<String> {
        Ok(self.rpc.system_chain().await?)
    }

    /// The best block's hash. Reads are made at the best block, not the finalised one: on the
    /// consortium's instant-seal chain a block is final when sealed, while the node announces
    /// finality a second later, and a client must see its own last write.
    pub async fn best(&self) -> Result<H256> {
        self.rpc
            .chain_get_block_hash(None)
            .await?
            .ok_or_else(|| ClientError::Chain("the node has no best block".into()))
    }

    /// A handle whose reads all happen at the current best block: one consistent snapshot,
    /// and one round trip per read instead of two. For reads only (writes dry-run at it too).
    pub async fn pinned(&self) -> Result<Chain> {
        Ok(Chain { pinned: Some(self.best().await?), ..self.clone() })
    }

    /// The same connection, with writes giving up after `t` without inclusion instead of
    /// [`submit::INCLUSION_TIMEOUT`] (a chain with slower blocks needs more; tests need less).
    pub fn with_inclusion_timeout(&self, t: std::time::Duration) -> Chain {
        Chain { inclusion_timeout: t, ..self.clone() }
    }

    /// A handle whose reads all happen at block `at` (state at a block hash never changes).
    pub fn at(&self, at: H256) -> Chain {
        Chain { pinned: Some(at), ..self.clone() }
    }

    /// The block reads are made at, if pinned.
    pub fn pinned_at(&self) -> Option<H256> {
        self.pinned
    }

    /// The block reads are made at.
    async fn read_block(&self) -> Result<H256> {
        match self.pinned {
            Some(h) => Ok(h),
            None => self.best().await,
        }
    }

    /// The best block's number.
    pub async fn block_number(&self) -> Result<u32> {
        let b = self.api.blocks().at(self.best().await?).await?;
        Ok(b.number())
    }

    /// The latest block's timestamp (ms), the clock contracts judge validity by.
    pub async fn now_ms(&self) -> Result<u64> {
        let addr = subxt::dynamic::storage("Timestamp", "Now", ());
        let v = self.api.storage().at(self.read_block().await?).fetch(&addr).await?;
        Ok(match v {
            Some(t) => u64::decode(&mut t.encoded()).unwrap_or(0),
            None => 0,
        })
    }

}
