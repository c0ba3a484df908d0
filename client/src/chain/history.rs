//! Past blocks for the indexer: the finalized head, block hashes, and each block's
//! `System.Events` and `Timestamp.Now`, fetched for many blocks in JSON-RPC batches, every
//! wait bounded by a timeout (a stalled connection is an error, never a hang).

use super::Chain;
use crate::error::{ClientError, Result};
use std::time::Duration;
use subxt::utils::H256;

/// One past block's raw facts.
#[derive(Debug, Clone)]
pub struct PastBlock {
    /// Number.
    pub number: u32,
    /// Hash.
    pub hash: H256,
    /// SCALE `System.Events` (None: no events).
    pub events: Option<Vec<u8>>,
    /// `Timestamp.Now` (ms).
    pub time_ms: u64,
}

impl Chain {
    async fn timed<T>(&self, what: &str, limit: Duration, f: impl std::future::Future<Output = Result<T>>) -> Result<T> {
        tokio::time::timeout(limit, f).await.map_err(|_| ClientError::Connect {
            url: self.url.clone(),
            reason: format!("{what}: no answer within {} s", limit.as_secs()),
        })?
    }

    /// The finalized head's number and hash.
    pub async fn finalized_head(&self, limit: Duration) -> Result<(u32, H256)> {
        self.timed("chain_getFinalizedHead", limit, async {
            let hash = self.rpc.chain_get_finalized_head().await?;
            let header = self
                .rpc
                .chain_get_header(Some(hash))
                .await?
                .ok_or_else(|| ClientError::Chain(format!("no header for the finalized head {hash:?}")))?;
            Ok((header.number, hash))
        })
        .await
    }

    /// Blocks `from..=to` (at most a few hundred): hashes in one batch, then events and times
    /// in another. A block whose state the node has pruned is an error that says so.
    pub async fn past_blocks(&self, from: u32, to: u32, limit: Duration) -> Result<Vec<PastBlock>> {
        use jsonrpsee::core::client::ClientT;
        use jsonrpsee::core::params::BatchRequestBuilder;
        use jsonrpsee::rpc_params;
        if from > to {
            return Ok(vec![]);
        }
        let bad = |e: String| ClientError::Chain(format!("rpc batch: {e}"));
        let conn = |e: jsonrpsee::core::ClientError| match e {
            jsonrpsee::core::ClientError::RestartNeeded(_) | jsonrpsee::core::ClientError::Transport(_) => {
                ClientError::Connect { url: self.url.clone(), reason: e.to_string() }
            }
            other => ClientError::Chain(format!("rpc batch: {other}")),
        };
        let mut batch = BatchRequestBuilder::new();
        for n in from..=to {
            batch.insert("chain_getBlockHash", rpc_params![n]).map_err(|e| bad(e.to_string()))?;
        }
        let hashes = self
            .timed("chain_getBlockHash", limit, async { self.raw.batch_request::<Option<String>>(batch).await.map_err(conn) })
            .await?;
        let mut blocks = Vec::with_capacity((to - from + 1) as usize);
        for (n, h) in (from..=to).zip(hashes.into_iter()) {
            let h = h.map_err(|e| bad(e.to_string()))?.ok_or_else(|| ClientError::Chain(format!("the node has no block #{n}")))?;
            let b = crate::fmt::parse_hex32(&h)
                .ok_or_else(|| bad(format!("bad block hash {h}")))?;
            blocks.push(PastBlock { number: n, hash: H256(b), events: None, time_ms: 0 });
        }
        let events_key = format!(
            "0x{}",
            hex::encode(self.api.storage().address_bytes(&subxt::dynamic::storage("System", "Events", ()))?)
        );
        let now_key = format!("0x{}", hex::encode(self.now_key()?));
        let mut batch = BatchRequestBuilder::new();
        for b in &blocks {
            let at = format!("{:?}", b.hash);
            batch.insert("state_getStorage", rpc_params![&events_key, &at]).map_err(|e| bad(e.to_string()))?;
            batch.insert("state_getStorage", rpc_params![&now_key, &at]).map_err(|e| bad(e.to_string()))?;
        }
        let values = self
            .timed("state_getStorage", limit, async { self.raw.batch_request::<Option<String>>(batch).await.map_err(conn) })
            .await?;
        let values: Vec<_> = values.into_iter().collect();
        if values.len() != 2 * blocks.len() {
            return Err(bad(format!("{} answers to {} reads", values.len(), 2 * blocks.len())));
        }
        for (b, pair) in blocks.iter_mut().zip(values.chunks(2)) {
            let get = |v: &std::result::Result<Option<String>, jsonrpsee::types::ErrorObjectOwned>| -> Result<Option<Vec<u8>>> {
                match v {
                    Ok(v) => v.as_ref().map(|h| hex::decode(h.trim_start_matches("0x")).map_err(|e| bad(e.to_string()))).transpose(),
                    Err(e) if e.message().contains("discarded") || e.message().contains("pruned") => Err(ClientError::Chain(format!(
                        "the node has pruned the state of block #{}: index from a node that keeps it (tracepass-node --state-pruning archive-canonical), or keep the index within the node's pruning window",
                        b.number
                    ))),
                    Err(e) => Err(bad(e.to_string())),
                }
            };
            b.events = get(&pair[0])?;
            b.time_ms = match get(&pair[1])? {
                Some(t) => <u64 as parity_scale_codec::Decode>::decode(&mut &t[..]).map_err(|e| bad(e.to_string()))?,
                None => 0,
            };
        }
        Ok(blocks)
    }
}
