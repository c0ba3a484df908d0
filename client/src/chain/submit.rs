//! Writes: signing with local nonces, submission, inclusion, and the events a transaction emitted.

use super::dry_run::{decode_exec_result, DryRun, Weight};
use super::{AccountId, Chain, Config, Signer};
use crate::error::{ClientError, Result};
use parity_scale_codec::{Decode, Encode};
use subxt::config::polkadot::PolkadotExtrinsicParamsBuilder;
use subxt::dynamic::Value;
use subxt::utils::{AccountId32, H256};

/// How long a submitted transaction may wait for inclusion in a block before the client gives
/// up with a connection error (the rerun of an idempotent command is then safe). Without it a
/// node that accepts transactions but stopped producing blocks makes a write wait forever.
pub const INCLUSION_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(120);

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

impl Chain {
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
            return Err(crate::error::decode_revert(&dry.data));
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

    /// Waits until the chain's time (`Timestamp::Now` of the best block) reaches `ms`, sealing a
    /// block with a remark once the wall clock has passed it (on instant-seal chains nothing else
    /// makes a block; a validator chain's own blocks also move it). Returns the chain time.
    /// Block timestamps follow the wall clock, so sealing earlier would not help: that is what
    /// makes sampling epochs immune to block stuffing.
    pub async fn advance_to_time(&self, signer: &Signer, ms: u64) -> Result<u64> {
        loop {
            let now = self.now_ms().await?;
            if now >= ms {
                return Ok(now);
            }
            let wall = crate::fmt::wall_clock_ms();
            if wall < ms {
                tokio::time::sleep(std::time::Duration::from_millis((ms - wall).min(60_000))).await;
            }
            self.remark(signer).await?;
        }
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
        let watch = async {
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
        };
        // Err(None): not included within the inclusion timeout
        let res = tokio::time::timeout(self.inclusion_timeout, watch).await.map_err(|_| None).and_then(|r| r.map_err(Some));
        let (block, events) = match res {
            Ok(r) => r,
            Err(e) => {
                // the nonce may not have been used: fetch it again next time
                self.forget_nonce(who).await;
                let Some(e) = e else {
                    return Err(ClientError::Connect {
                        url: self.url.clone(),
                        reason: format!(
                            "the transaction was not included within {} s: the node accepts transactions but produces no blocks; it may or may not be included later",
                            self.inclusion_timeout.as_secs()
                        ),
                    });
                };
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

impl Chain {
    /// Whether the runtime has `Utility.batch_all`.
    pub fn has_batch_all(&self) -> bool {
        self.api.metadata().pallet_by_name("Utility").and_then(|p| p.call_variant_by_name("batch_all")).is_some()
    }

    /// Submits `calls` (runtime calls, e.g. [`crate::contracts::Call::runtime_call`]) as one
    /// `Utility.batch_all`: the runtime dispatches all of them or none; waits for inclusion.
    pub async fn batch_all(&self, signer: &Signer, calls: Vec<Value>) -> Result<Included> {
        let tx = subxt::dynamic::tx("Utility", "batch_all", vec![Value::unnamed_composite(calls)]);
        self.submit(signer, &tx).await
    }
}
