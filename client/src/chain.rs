//! The chain layer: one connection, signers, local nonces, dry runs, submission and inclusion.
//!
//! Every contract call is dry-run first (`ContractsApi_call`, free, no key), which gives the gas
//! and storage deposit it needs and the contract's own answer; only a call whose dry run
//! succeeded is signed and submitted, with a margin on gas. Nonces are kept locally per account,
//! so many submissions can be in flight at once.

use crate::error::{ClientError, Result};
use parity_scale_codec::{Decode, Encode};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use subxt::backend::legacy::LegacyRpcMethods;
use subxt::backend::rpc::RpcClient;
use subxt::config::polkadot::PolkadotExtrinsicParamsBuilder;
use subxt::dynamic::Value;
use subxt::utils::{AccountId32, H256};
use subxt::{OnlineClient, PolkadotConfig};
use tokio::sync::Mutex;

/// The chain configuration (substrate-contracts-node: sr25519, u32 blocks, u128 balances).
pub type Config = PolkadotConfig;
/// A contract or user account, as the contracts see it.
pub type AccountId = ink::primitives::AccountId;

/// Gas margin added to a dry run's requirement, in percent.
pub const GAS_MARGIN_PERCENT: u64 = 25;

/// The SS58 (generic prefix 42) form of an account.
pub fn ss58(a: &AccountId) -> String {
    AccountId32(*a.as_ref()).to_string()
}

/// Parses an SS58 address or 0x-hex account. An error quotes at most [`MAX_SHOWN_ACCOUNT_LEN`]
/// characters of the text.
pub fn parse_account(s: &str) -> Result<AccountId> {
    let bad = |what: &str| ClientError::Input(format!("{}: {what}", s.chars().take(MAX_SHOWN_ACCOUNT_LEN).collect::<String>()));
    if let Some(h) = s.strip_prefix("0x") {
        let b = hex::decode(h).map_err(|_| bad("not a hex account"))?;
        let arr: [u8; 32] = b.try_into().map_err(|_| bad("an account is 32 bytes"))?;
        return Ok(AccountId::from(arr));
    }
    // Decoded here rather than by `AccountId32::from_str`: its base58 decoder panics on text
    // with several leading '1's (found by the `deployment` fuzz target).
    let bad = || bad("not an SS58 address");
    if s.len() > MAX_SS58_LEN {
        return Err(bad());
    }
    let bytes = bs58::decode(s).into_vec().map_err(|_| bad())?;
    // a 1-byte prefix (0..=63) or a 2-byte one (first byte 0b01xx_xxxx), 32 bytes, 2 of checksum
    let prefix = match (bytes.len(), bytes.first()) {
        (35, Some(b)) if *b < 64 => 1,
        (36, Some(b)) if b & 0xc0 == 0x40 => 2,
        _ => return Err(bad()),
    };
    let (body, check) = bytes.split_at(bytes.len() - 2);
    use blake2::Digest;
    let hash = blake2::Blake2b512::new().chain_update(b"SS58PRE").chain_update(body).finalize();
    if hash[..2] != *check {
        return Err(bad());
    }
    let arr: [u8; 32] = body[prefix..].try_into().map_err(|_| bad())?;
    Ok(AccountId::from(arr))
}

/// Longest SS58 text of an account: a 2-byte prefix, 32 bytes and 2 of checksum take 50 base58
/// characters at most.
pub const MAX_SS58_LEN: usize = 50;

/// Longest part of a rejected account text that an error quotes: a whole hex account ("0x" and
/// 64 digits) and a little more, so that a huge value does not flood the message.
pub const MAX_SHOWN_ACCOUNT_LEN: usize = 72;

/// A signing key. Built from a secret URI in this one place; the secret is never kept as text,
/// printed or put in an error.
#[derive(Clone)]
pub struct Signer {
    pair: subxt_signer::sr25519::Keypair,
}

impl Signer {
    /// Builds a signer from a secret URI (`//Alice`, a mnemonic, a hex seed, with derivations).
    pub fn from_suri(suri: &str) -> Result<Signer> {
        let uri = subxt_signer::SecretUri::from_str(suri.trim()).map_err(|_| ClientError::BadSecret)?;
        let pair = subxt_signer::sr25519::Keypair::from_uri(&uri).map_err(|_| ClientError::BadSecret)?;
        Ok(Signer { pair })
    }

    /// The account.
    pub fn account(&self) -> AccountId {
        AccountId::from(self.pair.public_key().0)
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", ss58(&self.account()))
    }
}

/// Weight (gas) of a contract call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Encode, Decode, serde::Serialize)]
pub struct Weight {
    /// Computation, in picoseconds.
    #[codec(compact)]
    pub ref_time: u64,
    /// Proof size, in bytes.
    #[codec(compact)]
    pub proof_size: u64,
}

impl Weight {
    fn with_margin(self) -> Weight {
        Weight {
            ref_time: self.ref_time.saturating_add(self.ref_time * GAS_MARGIN_PERCENT / 100),
            proof_size: self.proof_size.saturating_add(self.proof_size * GAS_MARGIN_PERCENT / 100),
        }
    }
}

#[derive(Decode)]
enum StorageDeposit {
    Refund(u128),
    Charge(u128),
}

/// What a dry run tells.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DryRun {
    /// Gas used.
    pub gas_consumed: Weight,
    /// Gas needed (can exceed use, for calls that need gas they give back).
    pub gas_required: Weight,
    /// Storage deposit charged (positive) or refunded (negative), in plancks.
    pub storage_deposit: i128,
    /// Whether the contract reverted (it returned an `Err`).
    #[serde(skip)]
    pub reverted: bool,
    /// The contract's return data.
    #[serde(skip)]
    pub data: Vec<u8>,
    /// The runtime's error, if the call failed outside the contract.
    pub dispatch_error: Option<String>,
}

/// Decodes the prefix of `ContractResult<Result<ExecReturnValue, DispatchError>, ..>`.
fn decode_exec_result(bytes: &[u8], metadata: &subxt::Metadata, instantiate: bool) -> Result<(DryRun, Option<[u8; 32]>)> {
    let input = &mut &bytes[..];
    let bad = |_| ClientError::Chain("cannot decode the dry run's result".into());
    let gas_consumed = Weight::decode(input).map_err(bad)?;
    let gas_required = Weight::decode(input).map_err(bad)?;
    let storage_deposit = match StorageDeposit::decode(input).map_err(bad)? {
        StorageDeposit::Refund(v) => -(v as i128),
        StorageDeposit::Charge(v) => v as i128,
    };
    let _debug = Vec::<u8>::decode(input).map_err(bad)?;
    let ok = u8::decode(input).map_err(bad)? == 0;
    let mut run = DryRun { gas_consumed, gas_required, storage_deposit, reverted: false, data: vec![], dispatch_error: None };
    if ok {
        let flags = u32::decode(input).map_err(bad)?;
        run.data = Vec::<u8>::decode(input).map_err(bad)?;
        run.reverted = flags & 1 == 1;
        let address = if instantiate { Some(<[u8; 32]>::decode(input).map_err(bad)?) } else { None };
        Ok((run, address))
    } else {
        let err = subxt::error::DispatchError::decode_from(*input, metadata.clone())
            .map(|e| e.to_string())
            .unwrap_or_else(|_| format!("0x{}", hex::encode(&input[..input.len().min(64)])));
        run.dispatch_error = Some(err);
        Ok((run, None))
    }
}

/// A contract event from a transaction: the emitting contract, its topics and data.
#[derive(Debug, Clone)]
pub struct ContractEvent {
    /// The emitting contract.
    pub contract: AccountId,
    /// Its topics (the first is the event's signature topic).
    pub topics: Vec<[u8; 32]>,
    /// SCALE-encoded event fields.
    pub data: Vec<u8>,
}

/// What an included transaction produced.
#[derive(Debug, Clone)]
pub struct Included {
    /// The block it went into.
    pub block: H256,
    /// The contract events it emitted.
    pub events: Vec<ContractEvent>,
    /// Addresses of contracts it instantiated.
    pub instantiated: Vec<AccountId>,
    /// Code hashes it stored.
    pub code_stored: Vec<H256>,
}

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
}

/// Most dry runs the client has in flight on the node at once. The node keeps 8 instances of
/// its runtime (`--max-runtime-instances`); a call beyond them makes a fresh instance, which
/// costs more than the call ("Ran out of free WASM instances"), so the rest wait here instead.
pub const MAX_RUNTIME_CALLS: usize = 6;

/// One read of a batch ([`Chain::read_many`]).
#[derive(Debug, Clone)]
pub enum Read {
    /// A contract message dry run as `origin`.
    DryRun {
        /// Caller.
        origin: AccountId,
        /// Contract.
        dest: AccountId,
        /// Selector and arguments.
        input: Vec<u8>,
    },
    /// A raw storage key.
    Storage(Vec<u8>),
}

/// What one read of a batch gave.
#[derive(Debug, Clone)]
pub enum ReadOut {
    /// A dry run's outcome.
    DryRun(DryRun),
    /// A storage value, if set.
    Storage(Option<Vec<u8>>),
}

/// Opens the WebSocket JSON-RPC client (as subxt's `from_insecure_url` does, kept so that
/// batches can go over the same connection); a `ws://` connection acknowledges at once.
///
/// Measured on substrate-contracts-node 0.42: two reads side by side on one connection took
/// 43 ms instead of 4, and a batch of five dry runs 50 ms instead of 7. The node's socket holds
/// an answer back until the previous segment is acknowledged (Nagle), and Linux delays the
/// client's ACK by up to 40 ms. Asking for a quick ACK after every read removes the stall.
async fn ws_client(url: &str) -> std::result::Result<jsonrpsee::core::client::Client, String> {
    use jsonrpsee::client_transport::ws::{Url, WsTransportClientBuilder};
    let client = || jsonrpsee::core::client::ClientBuilder::default().max_buffer_capacity_per_subscription(4096);
    let url = Url::parse(url).map_err(|e| e.to_string())?;
    if url.scheme() != "ws" {
        let (tx, rx) = WsTransportClientBuilder::default().build(url).await.map_err(|e| e.to_string())?;
        return Ok(client().build_with_tokio(tx, rx));
    }
    let addrs = url.socket_addrs(|| None).map_err(|e| e.to_string())?;
    let tcp = tokio::time::timeout(std::time::Duration::from_secs(10), tokio::net::TcpStream::connect(&*addrs))
        .await
        .map_err(|_| "connection timed out".to_string())?
        .map_err(|e| e.to_string())?;
    tcp.set_nodelay(true).map_err(|e| e.to_string())?;
    let (tx, rx) = WsTransportClientBuilder::default().build_with_stream(url, QuickAck(tcp)).await.map_err(|e| e.to_string())?;
    Ok(client().build_with_tokio(tx, rx))
}

/// A TCP stream that asks the kernel to acknowledge at once after each read (`TCP_QUICKACK`,
/// which the kernel clears again by itself), so a peer with Nagle's algorithm never waits for a
/// delayed ACK.
struct QuickAck(tokio::net::TcpStream);

impl tokio::io::AsyncRead for QuickAck {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let r = std::pin::Pin::new(&mut self.0).poll_read(cx, buf);
        if r.is_ready() {
            #[cfg(target_os = "linux")]
            let _ = socket2::SockRef::from(&self.0).set_tcp_quickack(true);
        }
        r
    }
}

impl tokio::io::AsyncWrite for QuickAck {
    fn poll_write(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>, buf: &[u8]) -> std::task::Poll<std::io::Result<usize>> {
        std::pin::Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

impl Chain {
    /// Connects once and checks that the chain's environment matches the contracts'.
    pub async fn connect(url: &str) -> Result<Chain> {
        let conn = |e: subxt::Error| ClientError::Connect { url: url.to_string(), reason: e.to_string() };
        let raw = Arc::new(ws_client(url).await.map_err(|reason| ClientError::Connect { url: url.to_string(), reason })?);
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

    /// Dry-runs a contract message as `origin` (no key needed, nothing changes).
    pub async fn dry_run(&self, origin: AccountId, dest: AccountId, input: Vec<u8>) -> Result<DryRun> {
        let bytes: Vec<u8> = self.raw_runtime_call("ContractsApi_call", &call_args(origin, dest, input)).await?;
        Ok(decode_exec_result(&bytes, &self.api.metadata(), false)?.0)
    }

    /// Several reads at the same block in one JSON-RPC batch: one request, one answer, one
    /// round trip (the node runs the calls one after another).
    pub async fn read_many(&self, reads: Vec<Read>) -> Result<Vec<ReadOut>> {
        use jsonrpsee::core::client::ClientT;
        use jsonrpsee::core::params::BatchRequestBuilder;
        use jsonrpsee::rpc_params;
        let at = format!("{:?}", self.read_block().await?);
        let bad = |e: String| ClientError::Chain(format!("rpc batch: {e}"));
        let mut batch = BatchRequestBuilder::new();
        for r in &reads {
            match r {
                Read::DryRun { origin, dest, input } => {
                    let args = format!("0x{}", hex::encode(call_args(*origin, *dest, input.clone())));
                    batch.insert("state_call", rpc_params!["ContractsApi_call", args, &at])
                }
                Read::Storage(key) => batch.insert("state_getStorage", rpc_params![format!("0x{}", hex::encode(key)), &at]),
            }
            .map_err(|e| bad(e.to_string()))?;
        }
        let calls = reads.iter().filter(|r| matches!(r, Read::DryRun { .. })).count().clamp(1, MAX_RUNTIME_CALLS);
        let _permits = self.runtime_calls.acquire_many(calls as u32).await.map_err(|e| bad(e.to_string()))?;
        let answers = self.raw.batch_request::<Option<String>>(batch).await.map_err(|e| match e {
            jsonrpsee::core::ClientError::RestartNeeded(_) | jsonrpsee::core::ClientError::Transport(_) => {
                ClientError::Connect { url: self.url.clone(), reason: e.to_string() }
            }
            other => bad(other.to_string()),
        })?;
        drop(_permits);
        let metadata = self.api.metadata();
        let mut out = Vec::with_capacity(reads.len());
        for (r, a) in reads.iter().zip(answers.into_iter()) {
            let a = a.map_err(|e| bad(e.to_string()))?;
            let bytes = a.map(|h| hex::decode(h.trim_start_matches("0x")).map_err(|e| bad(e.to_string()))).transpose()?;
            out.push(match r {
                Read::DryRun { .. } => {
                    let bytes = bytes.ok_or_else(|| bad("state_call gave no answer".into()))?;
                    ReadOut::DryRun(decode_exec_result(&bytes, &metadata, false)?.0)
                }
                Read::Storage(_) => ReadOut::Storage(bytes),
            });
        }
        if out.len() != reads.len() {
            return Err(bad(format!("{} answers to {} reads", out.len(), reads.len())));
        }
        Ok(out)
    }

    /// The storage key of `Timestamp.Now` (the block's time, ms).
    pub fn now_key(&self) -> Result<Vec<u8>> {
        Ok(self.api.storage().address_bytes(&subxt::dynamic::storage("Timestamp", "Now", ()))?)
    }

    async fn raw_runtime_call(&self, function: &str, args: &[u8]) -> Result<Vec<u8>> {
        let _permit = self.runtime_calls.acquire().await.map_err(|e| ClientError::Chain(e.to_string()))?;
        let at = self.api.runtime_api().at(self.read_block().await?);
        // call_raw decodes the result; Vec<u8> would expect a length prefix, so read raw bytes
        // through a newtype that takes everything.
        let Raw(bytes) = at.call_raw::<Raw>(function, Some(args)).await?;
        Ok(bytes)
    }

    /// Submits a contract call with the gas of its dry run plus a margin and waits for inclusion.
    pub async fn call(&self, signer: &Signer, dest: AccountId, input: Vec<u8>, dry: &DryRun) -> Result<Included> {
        let deposit_limit = if dry.storage_deposit > 0 {
            Value::unnamed_variant("Some", [Value::u128(dry.storage_deposit as u128 * 2 + 1_000_000_000)])
        } else {
            Value::unnamed_variant("None", [])
        };
        let gas = dry.gas_required.with_margin();
        let tx = subxt::dynamic::tx(
            "Contracts",
            "call",
            vec![
                Value::unnamed_variant("Id", [Value::from_bytes(<AccountId as AsRef<[u8]>>::as_ref(&dest))]),
                Value::u128(0),
                Value::named_composite([
                    ("ref_time", Value::u128(gas.ref_time as u128)),
                    ("proof_size", Value::u128(gas.proof_size as u128)),
                ]),
                deposit_limit,
                Value::from_bytes(&input),
            ],
        );
        self.submit(signer, &tx).await
    }

    /// Uploads contract code (a no-op charge-free if already present); returns its hash.
    pub async fn upload_code(&self, signer: &Signer, wasm: &[u8]) -> Result<H256> {
        let tx = subxt::dynamic::tx(
            "Contracts",
            "upload_code",
            vec![Value::from_bytes(wasm), Value::unnamed_variant("None", []), Value::unnamed_variant("Enforced", [])],
        );
        let hash = H256(tracepass_shared::blake2_256(wasm));
        match self.submit(signer, &tx).await {
            Ok(_) => Ok(hash),
            Err(ClientError::Dispatch(e)) if e.contains("CodeAlreadyExists") || e.contains("Duplicate") => Ok(hash),
            Err(e) => Err(e),
        }
    }

    /// Instantiates uploaded code with constructor input `data`; returns the new address.
    pub async fn instantiate(&self, signer: &Signer, code_hash: H256, data: Vec<u8>, salt: Vec<u8>) -> Result<AccountId> {
        let args = (
            AccountId32(*signer.account().as_ref()),
            0u128,
            Option::<Weight>::None,
            Option::<u128>::None,
            1u8, // Code::Existing
            code_hash,
            data.clone(),
            salt.clone(),
        )
            .encode();
        let bytes = self.raw_runtime_call("ContractsApi_instantiate", &args).await?;
        let (dry, _) = decode_exec_result(&bytes, &self.api.metadata(), true)?;
        if let Some(e) = dry.dispatch_error {
            return Err(ClientError::Dispatch(format!("instantiation dry run failed: {e}")));
        }
        if dry.reverted {
            return Err(crate::contracts::decode_revert(&dry.data));
        }
        let gas = dry.gas_required.with_margin();
        let tx = subxt::dynamic::tx(
            "Contracts",
            "instantiate",
            vec![
                Value::u128(0),
                Value::named_composite([
                    ("ref_time", Value::u128(gas.ref_time as u128)),
                    ("proof_size", Value::u128(gas.proof_size as u128)),
                ]),
                Value::unnamed_variant("None", []),
                Value::from_bytes(code_hash.0),
                Value::from_bytes(&data),
                Value::from_bytes(&salt),
            ],
        );
        let inc = self.submit(signer, &tx).await?;
        inc.instantiated.first().copied().ok_or_else(|| ClientError::Chain("no Instantiated event".into()))
    }

    /// Submits a `System.remark` (on instant-seal chains this seals one block).
    pub async fn remark(&self, signer: &Signer) -> Result<()> {
        let tx = subxt::dynamic::tx("System", "remark", vec![Value::from_bytes(b"tracepass")]);
        self.submit(signer, &tx).await.map(|_| ())
    }

    /// Transfers `amount` plancks to `dest` (Balances.transfer_keep_alive): funds a new member.
    pub async fn transfer(&self, signer: &Signer, dest: AccountId, amount: u128) -> Result<()> {
        let to = Value::unnamed_variant("Id", [Value::from_bytes(AsRef::<[u8]>::as_ref(&dest))]);
        let tx = subxt::dynamic::tx("Balances", "transfer_keep_alive", vec![to, Value::u128(amount)]);
        self.submit(signer, &tx).await.map(|_| ())
    }

    /// The next nonce of `who`: fetched once, then counted locally.
    async fn next_nonce(&self, who: AccountId) -> Result<u64> {
        let mut map = self.nonces.lock().await;
        let n = match map.get(&who) {
            Some(n) => *n,
            None => self.rpc.system_account_next_index(&AccountId32(*who.as_ref())).await?,
        };
        map.insert(who, n + 1);
        Ok(n)
    }

    async fn forget_nonce(&self, who: AccountId) {
        self.nonces.lock().await.remove(&who);
    }

    /// Signs with a local nonce, submits, waits for inclusion, and collects events.
    pub async fn submit<P: subxt::tx::Payload>(&self, signer: &Signer, payload: &P) -> Result<Included> {
        let who = signer.account();
        let nonce = self.next_nonce(who).await?;
        let params = PolkadotExtrinsicParamsBuilder::<Config>::new().nonce(nonce).build();
        let res = async {
            let tx = self.api.tx().create_signed_offline(payload, &signer.pair, params)?;
            let mut progress = tx.submit_and_watch().await?;
            while let Some(status) = progress.next().await {
                use subxt::tx::TxStatus;
                match status? {
                    TxStatus::InBestBlock(b) | TxStatus::InFinalizedBlock(b) => {
                        let events = b.wait_for_success().await?;
                        return Ok::<_, subxt::Error>((b.block_hash(), events));
                    }
                    TxStatus::Error { message } | TxStatus::Invalid { message } | TxStatus::Dropped { message } => {
                        return Err(subxt::Error::Other(format!("transaction not included: {message}")));
                    }
                    _ => {}
                }
            }
            // the node went away while the transaction was in flight
            Err(subxt::Error::Rpc(subxt::error::RpcError::SubscriptionDropped))
        }
        .await;
        let (block, events) = match res {
            Ok(r) => r,
            Err(e) => {
                // the nonce may not have been used: fetch it again next time
                self.forget_nonce(who).await;
                return Err(match e {
                    subxt::Error::Runtime(d) => ClientError::Dispatch(d.to_string()),
                    subxt::Error::Rpc(r) => ClientError::Connect {
                        url: self.url.clone(),
                        reason: format!("{r}; the transaction may or may not have been included"),
                    },
                    other => ClientError::Chain(other.to_string()),
                });
            }
        };
        let mut out = Included { block, events: vec![], instantiated: vec![], code_stored: vec![] };
        for ev in events.iter() {
            let ev = ev?;
            let bytes = &mut ev.field_bytes();
            match (ev.pallet_name(), ev.variant_name()) {
                ("Contracts", "ContractEmitted") => {
                    let contract = <[u8; 32]>::decode(bytes).map_err(|e| ClientError::Chain(e.to_string()))?;
                    let data = Vec::<u8>::decode(bytes).map_err(|e| ClientError::Chain(e.to_string()))?;
                    let topics = ev.topics().iter().map(|t| t.0).collect();
                    out.events.push(ContractEvent { contract: AccountId::from(contract), topics, data });
                }
                ("Contracts", "Instantiated") => {
                    let (_deployer, contract) =
                        <([u8; 32], [u8; 32])>::decode(bytes).map_err(|e| ClientError::Chain(e.to_string()))?;
                    out.instantiated.push(AccountId::from(contract));
                }
                ("Contracts", "CodeStored") => {
                    let h = <[u8; 32]>::decode(bytes).map_err(|e| ClientError::Chain(e.to_string()))?;
                    out.code_stored.push(H256(h));
                }
                _ => {}
            }
        }
        Ok(out)
    }
}

/// The arguments of `ContractsApi_call`: no value, no gas or deposit limit.
fn call_args(origin: AccountId, dest: AccountId, input: Vec<u8>) -> Vec<u8> {
    (AccountId32(*origin.as_ref()), AccountId32(*dest.as_ref()), 0u128, Option::<Weight>::None, Option::<u128>::None, input).encode()
}

/// Raw bytes of a runtime API answer (no length prefix).
struct Raw(Vec<u8>);

impl Decode for Raw {
    fn decode<I: parity_scale_codec::Input>(input: &mut I) -> std::result::Result<Self, parity_scale_codec::Error> {
        let len = input.remaining_len()?.unwrap_or(0);
        let mut v = vec![0u8; len];
        input.read(&mut v)?;
        Ok(Raw(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_account_works() {
        // //Alice, as SS58 (prefix 42) and as hex
        let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
        let a = parse_account(alice).unwrap();
        assert_eq!(ss58(&a), alice);
        assert_eq!(parse_account(&format!("0x{}", hex::encode(<AccountId as AsRef<[u8]>>::as_ref(&a)))).unwrap(), a);
    }

    #[test]
    fn parse_account_fails() {
        let alice = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQZ"; // checksum off
        for bad in [alice, "", "1", "111111", &"1".repeat(300), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQ", "0OIl", "0x12"] {
            assert!(matches!(parse_account(bad), Err(ClientError::Input(_))), "{bad:?}");
        }
        for long in ["1".repeat(10_000), format!("0x{}", "ab".repeat(10_000))] {
            let e = parse_account(&long).unwrap_err().to_string();
            assert!(e.len() < MAX_SHOWN_ACCOUNT_LEN + 60, "the error quotes the whole text: {} bytes", e.len());
        }
    }
}
