//! A verifier for a resolver: the consumer's verdict (the same [`Report`] as
//! [`crate::verify::verify`]) with the lot-level reads cached per block.
//!
//! The state at a block hash never changes, so everything a verdict reads about a lot (product,
//! merchant, lot record, sampling, attestations, trace, block time) can be read once per
//! (block hash, GTIN, lot) and reused by every scan at that block. Each scan still asks the node
//! for its best block (one cheap RPC, so a verdict is never older than the chain), and checks the
//! item's own proof against the lot's root. Concurrent first scans of one lot share one read.

use crate::contracts::Tracepass;
use crate::error::Result;
use crate::gs1::DigitalLink;
use super::{read_lot, LotView, Report};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use subxt::utils::H256;
use tokio::sync::OnceCell;
use tracepass_shared::Gtin;

/// Blocks whose views are kept (the best block and a few before it, for scans that raced a new block).
const BLOCKS_KEPT: usize = 4;
/// Most lots kept per block; beyond it the block's views are dropped and read again.
const LOTS_PER_BLOCK: usize = 100_000;

type Slot = Arc<OnceCell<Arc<LotView>>>;
/// The lot views read at one block.
type Views = HashMap<(Gtin, String), Slot>;

/// Verdicts with lot-level reads cached per block. Cheap to share (`Arc` it).
pub struct Verifier {
    tp: Tracepass,
    blocks: Mutex<VecDeque<(H256, Views)>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

/// Counters of a [`Verifier`].
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct CacheStats {
    /// Verdicts served from a cached lot view.
    pub hits: u64,
    /// Verdicts that read the lot from the chain.
    pub misses: u64,
}

impl Verifier {
    /// A verifier over `tp`'s connection and deployment.
    pub fn new(tp: Tracepass) -> Verifier {
        Verifier { tp, blocks: Mutex::new(VecDeque::new()), hits: AtomicU64::new(0), misses: AtomicU64::new(0) }
    }

    /// The verdict of the item `dl` names, at the node's best block.
    pub async fn verify(&self, dl: &DigitalLink) -> Result<Report> {
        let at = self.tp.chain.best().await?;
        match self.verify_at(at, dl).await {
            // the node pruned that block's state meanwhile (see `verify::block_gone`): once more
            Err(e) if crate::verify::block_gone(&e) => self.verify_at(self.tp.chain.best().await?, dl).await,
            r => r,
        }
    }

    /// The verdict of the item `dl` names, at block `at`.
    pub async fn verify_at(&self, at: H256, dl: &DigitalLink) -> Result<Report> {
        Ok(self.lot_view(at, dl.gtin, &dl.lot).await?.judge(dl))
    }

    /// The lot-level view of (`gtin`, `lot`) at block `at`: from the cache, or read once.
    pub async fn lot_view(&self, at: H256, gtin: Gtin, lot: &str) -> Result<Arc<LotView>> {
        let slot = self.slot(at, gtin, lot);
        if let Some(v) = slot.get() {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(v.clone());
        }
        let read = std::sync::atomic::AtomicBool::new(false);
        let read = &read;
        let v = slot
            .get_or_try_init(|| async move {
                read.store(true, Ordering::Relaxed);
                let tp = Tracepass { chain: self.tp.chain.at(at), ..self.tp.clone() };
                read_lot(&tp, gtin, lot).await.map(Arc::new)
            })
            .await?
            .clone();
        if read.load(Ordering::Relaxed) { &self.misses } else { &self.hits }.fetch_add(1, Ordering::Relaxed);
        Ok(v)
    }

    fn slot(&self, at: H256, gtin: Gtin, lot: &str) -> Slot {
        let mut blocks = self.blocks.lock().expect("cache lock");
        let i = match blocks.iter().position(|(h, _)| *h == at) {
            Some(i) => i,
            None => {
                if blocks.len() >= BLOCKS_KEPT {
                    blocks.pop_front();
                }
                blocks.push_back((at, HashMap::new()));
                blocks.len() - 1
            }
        };
        let map = &mut blocks[i].1;
        if map.len() >= LOTS_PER_BLOCK && !map.contains_key(&(gtin, lot.to_string())) {
            map.clear();
        }
        map.entry((gtin, lot.to_string())).or_default().clone()
    }

    /// Hits and misses so far.
    pub fn stats(&self) -> CacheStats {
        CacheStats { hits: self.hits.load(Ordering::Relaxed), misses: self.misses.load(Ordering::Relaxed) }
    }

    /// Drops every cached view.
    pub fn clear(&self) {
        self.blocks.lock().expect("cache lock").clear();
    }
}
