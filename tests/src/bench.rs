//! Helpers for measuring the client against a node (used by the `tracepass-bench` binary):
//! contract storage usage as pallet-contracts accounts it, the chain's deposit prices, and a
//! driver that runs an operation from many concurrent workers and records each latency.

use tracepass::chain::Chain;
use tracepass::contracts::Tracepass;
use tracepass::error::{ClientError, Result};
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracepass::subxt::dynamic::{At, Value};

/// What pallet-contracts accounts for the four contracts' storage (`ContractInfoOf`), summed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct StorageUsage {
    /// Bytes of keys and values in the contracts' child tries.
    pub bytes: u64,
    /// Storage items (keys).
    pub items: u64,
    /// Deposit held for the bytes and items, in plancks.
    pub deposit: u128,
}

/// The storage of the four contracts at the best block.
pub async fn storage_usage(tp: &Tracepass) -> Result<StorageUsage> {
    let at = tp.chain.best().await?;
    let mut u = StorageUsage::default();
    for a in [tp.whitelist, tp.registry, tp.sampling, tp.attestation] {
        let addr = tracepass::subxt::dynamic::storage("Contracts", "ContractInfoOf", vec![Value::from_bytes(AsRef::<[u8]>::as_ref(&a))]);
        let v = tp.chain.api.storage().at(at).fetch(&addr).await?.ok_or_else(|| ClientError::Chain("no ContractInfoOf".into()))?;
        let v = v.to_value().map_err(|e| ClientError::Chain(e.to_string()))?;
        let n = |f: &str| v.at(f).and_then(|x| x.as_u128()).ok_or_else(|| ClientError::Chain(format!("ContractInfoOf has no {f}")));
        u.bytes += n("storage_bytes")? as u64;
        u.items += n("storage_items")? as u64;
        u.deposit += n("storage_byte_deposit")? + n("storage_item_deposit")?;
    }
    Ok(u)
}

/// The chain's storage deposit prices: (per byte, per item), in plancks.
pub fn deposit_prices(chain: &Chain) -> Result<(u128, u128)> {
    let get = |name: &str| -> Result<u128> {
        let v = chain.api.constants().at(&tracepass::subxt::dynamic::constant("Contracts", name))?;
        v.to_value().map_err(|e| ClientError::Chain(e.to_string()))?.as_u128().ok_or_else(|| ClientError::Chain(format!("{name} is not a number")))
    };
    Ok((get("DepositPerByte")?, get("DepositPerItem")?))
}

/// What a [`drive`] measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Load {
    /// Concurrent workers.
    pub concurrency: usize,
    /// Operations completed.
    pub ops: usize,
    /// Wall time from start until the last worker finished, in seconds.
    pub seconds: f64,
    /// Operations per second.
    pub per_s: f64,
    /// Median latency, ms.
    pub p50_ms: f64,
    /// 99th percentile latency, ms.
    pub p99_ms: f64,
}

/// The `p`-quantile (0..=1) of sorted values (nearest rank).
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Runs `op(i)` for i = 0, 1, 2... from `concurrency` tokio tasks (so they spread over the
/// runtime's threads) until `max_ops` have started or `duration` has passed; each operation's
/// latency is recorded. The first error stops the run and is returned.
pub async fn drive<F, Fut>(concurrency: usize, duration: Duration, max_ops: usize, op: F) -> Result<Load>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<()>> + Send + 'static,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let (op, next) = (op.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                if start.elapsed() >= duration {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= max_ops {
                    break;
                }
                let t = Instant::now();
                op(i).await?;
                lat.push(t.elapsed().as_secs_f64() * 1e3);
            }
            Ok::<_, ClientError>(lat)
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.map_err(|e| ClientError::Chain(format!("worker: {e}")))??);
    }
    let seconds = start.elapsed().as_secs_f64();
    all.sort_by(|a, b| a.total_cmp(b));
    Ok(Load {
        concurrency,
        ops: all.len(),
        seconds,
        per_s: all.len() as f64 / seconds,
        p50_ms: quantile(&all, 0.50),
        p99_ms: quantile(&all, 0.99),
    })
}
