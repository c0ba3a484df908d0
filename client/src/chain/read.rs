//! Reads at one block: dry runs and raw storage in one JSON-RPC batch.

use super::dry_run::{call_args, decode_exec_result, DryRun};
use super::{AccountId, Chain};
use crate::error::{ClientError, Result};

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

impl Chain {
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

}
