//! The index: the four contracts' events, followed on **finalized** blocks, in a database.
//!
//! - [`events`]: the events, decoded with the shared types; [`facts`]: a block's events to rows
//!   and updates (pure); [`db`]: SQLite or PostgreSQL, one transaction per block with the cursor;
//!   [`query`]: histories and statistics read back.
//! - [`run`] catches up from the cursor (blocks fetched in JSON-RPC batches while the previous
//!   batch is written), then polls the finalized head. Every RPC wait has a timeout; a dropped
//!   or stalled connection is reconnected with backoff and indexing resumes at the cursor.
//!
//! Only finalized blocks are indexed, so no row is ever undone by a fork. The node must still
//! hold the state of the blocks not yet indexed (`System.Events` lives in state): an index
//! that falls behind a pruning node's window needs an archive node.

pub mod db;
pub mod events;
pub mod facts;
pub mod query;

use crate::chain::{AccountId, Chain, Config};
use crate::contracts::{deploy::CONTRACTS, Deployment};
use crate::error::{ClientError, Result};
use db::{Cursor, Db};
use facts::{BlockEvents, RawEvent};
use parity_scale_codec::Decode;
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// Blocks fetched per JSON-RPC batch.
pub const DEFAULT_BLOCKS_PER_BATCH: u32 = 100;
/// Most blocks per batch (`--blocks-per-batch`).
pub const MAX_BLOCKS_PER_BATCH: u32 = 1_000;
/// How long any one RPC wait may take before the connection counts as stalled.
pub const RPC_TIMEOUT: Duration = Duration::from_secs(30);
/// How often the finalized head is polled once caught up.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);
/// Longest wait between reconnection attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// When [`run`] stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// Never: follow new finalized blocks.
    Forever,
    /// Once the finalized head seen at start (or reconnection) is indexed (`--once`).
    CaughtUp,
}

/// How to index.
#[derive(Debug, Clone)]
pub struct Options {
    /// Node endpoint.
    pub url: String,
    /// Blocks per batch.
    pub blocks_per_batch: u32,
    /// When to stop.
    pub until: Until,
    /// With `Until::CaughtUp`: give up after this long without reaching the node.
    pub give_up_after: Duration,
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Blocks indexed.
    pub blocks: u64,
    /// Suite events written.
    pub events: u64,
    /// Last block indexed.
    pub head: u32,
    /// Reconnections.
    pub reconnects: u32,
}

/// What the indexer reports as it goes.
#[derive(Debug, Clone)]
pub enum Progress {
    /// Indexed up to `block` of `target`.
    Indexed {
        /// Last block written.
        block: u32,
        /// Finalized head being caught up to.
        target: u32,
        /// Events written so far.
        events: u64,
    },
    /// The connection failed; retrying in `wait`.
    Reconnecting {
        /// Why.
        reason: String,
        /// Backoff.
        wait: Duration,
    },
}

/// The suite as the indexer sees it: contract names by address, event names by topic.
struct Suite {
    contracts: HashMap<AccountId, &'static str>,
    topics: HashMap<[u8; 32], String>,
    genesis: String,
    addresses: String,
}

impl Suite {
    fn of(d: &Deployment) -> Result<Suite> {
        let mut contracts = HashMap::new();
        let mut addresses = Vec::new();
        for c in CONTRACTS {
            let info = d.contract(c);
            contracts.insert(crate::chain::parse_account(&info.address)?, c.name());
            addresses.push(info.address.clone());
        }
        let mut topics = HashMap::new();
        for (t, name) in &d.events {
            let b = crate::fmt::parse_hex32(t)
                .ok_or_else(|| ClientError::Deployment(format!("bad event topic {t}")))?;
            topics.insert(b, name.clone());
        }
        if topics.is_empty() {
            return Err(ClientError::Deployment(
                "it names no events (an older tracepass wrote it): refresh it with `tracepass deploy --refresh-selectors`".into(),
            ));
        }
        Ok(Suite { contracts, topics, genesis: d.genesis_hash.clone(), addresses: addresses.join(",") })
    }

    /// The suite's events of one block, decoded.
    fn block(&self, chain: &Chain, b: crate::chain::PastBlock) -> Result<BlockEvents> {
        let mut out = BlockEvents { number: b.number, hash: format!("{:?}", b.hash), time_ms: b.time_ms, events: vec![] };
        let Some(bytes) = b.events else { return Ok(out) };
        let events = subxt::events::Events::<Config>::decode_from(bytes, chain.api.metadata());
        for ev in events.iter() {
            let ev = ev.map_err(|e| ClientError::Chain(format!("block #{}: events: {e}", b.number)))?;
            if (ev.pallet_name(), ev.variant_name()) != ("Contracts", "ContractEmitted") {
                continue;
            }
            let bytes = &mut ev.field_bytes();
            let bad = |e: parity_scale_codec::Error| ClientError::Chain(format!("block #{}: ContractEmitted: {e}", b.number));
            let contract = AccountId::from(<[u8; 32]>::decode(bytes).map_err(bad)?);
            let Some(&name) = self.contracts.get(&contract) else { continue };
            let data = Vec::<u8>::decode(bytes).map_err(bad)?;
            let topics: Vec<[u8; 32]> = ev.topics().iter().map(|t| t.0).collect();
            let label = topics.first().and_then(|t| self.topics.get(t)).cloned();
            let event = match &label {
                Some(l) => events::decode(l, &data).map_err(|e| {
                    ClientError::Incompatible(format!(
                        "block #{}: {e}: the contracts emit an event this tracepass does not decode (a newer suite?)",
                        b.number
                    ))
                })?,
                None => None,
            };
            out.events.push(RawEvent { idx: ev.index(), contract: name, name: label, topics, data, event });
        }
        Ok(out)
    }
}

/// Checks that `db` indexes this chain and suite (or nothing yet); returns the next block.
pub async fn start_block(db: &Db, d: &Deployment) -> Result<u32> {
    let suite = Suite::of(d)?;
    match db.cursor().await? {
        None => Ok(1),
        Some(c) if c.genesis_hash != suite.genesis || c.contracts != suite.addresses => Err(ClientError::Input(format!(
            "the database {} indexes another {} (genesis {}, contracts {}): pass --from-scratch to rebuild it, or use another --database",
            db.shown(),
            if c.genesis_hash != suite.genesis { "chain" } else { "deployment" },
            c.genesis_hash,
            c.contracts
        ))),
        Some(c) => Ok(c.block_number + 1),
    }
}

/// Indexes finalized blocks into `db` from its cursor; see [`Until`].
///
/// A batch whose answer the connection refuses (jsonrpsee's 10 MB message bound: a hundred
/// blocks of a hundred lots each come near it) ends the connection: the batch is halved and
/// fetched again on a new one, and grows back by an eighth after each batch that came through.
pub async fn run(db: &Db, d: &Deployment, opts: &Options, mut progress: impl FnMut(Progress)) -> Result<Summary> {
    let suite = Suite::of(d)?;
    let mut summary = Summary { head: start_block(db, d).await?.saturating_sub(1), ..Default::default() };
    let mut backoff = Duration::from_millis(250);
    let mut unreachable_since: Option<Instant> = None;
    let mut per = opts.blocks_per_batch.clamp(1, MAX_BLOCKS_PER_BATCH);
    loop {
        let head = summary.head;
        let r = follow(db, &suite, opts, &mut per, &mut summary, &mut progress).await;
        if summary.head > head {
            // this connection made progress: the node is reachable
            unreachable_since = None;
            backoff = Duration::from_millis(250);
        }
        match r {
            Ok(()) => return Ok(summary),
            Err(e @ ClientError::Connect { .. }) => {
                let since = *unreachable_since.get_or_insert_with(Instant::now);
                if opts.until == Until::CaughtUp && since.elapsed() >= opts.give_up_after {
                    return Err(e);
                }
                progress(Progress::Reconnecting { reason: e.to_string(), wait: backoff });
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
                summary.reconnects += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// One connection's worth of indexing.
async fn follow(
    db: &Db,
    suite: &Suite,
    opts: &Options,
    per: &mut u32,
    summary: &mut Summary,
    progress: &mut impl FnMut(Progress),
) -> Result<()> {
    let chain = tokio::time::timeout(RPC_TIMEOUT, Chain::connect(&opts.url))
        .await
        .map_err(|_| ClientError::Connect { url: opts.url.clone(), reason: "no answer while connecting".into() })??;
    if format!("{:?}", chain.genesis_hash()) != suite.genesis {
        return Err(ClientError::Deployment(format!(
            "the node at {} runs another chain (genesis {:?}) than the deployment's ({})",
            opts.url,
            chain.genesis_hash(),
            suite.genesis
        )));
    }
    let max = opts.blocks_per_batch.clamp(1, MAX_BLOCKS_PER_BATCH);
    let mut target = chain.finalized_head(RPC_TIMEOUT).await?.0;
    loop {
        let next = db.cursor().await?.map_or(1, |c| c.block_number + 1);
        if next > target {
            if opts.until == Until::CaughtUp {
                return Ok(());
            }
            tokio::time::sleep(POLL_INTERVAL).await;
            target = chain.finalized_head(RPC_TIMEOUT).await?.0;
            continue;
        }
        // fetch the next batch while this one is written
        let mut from = next;
        let mut fetched = fetch(&chain, from, (from + *per - 1).min(target), per).await?;
        while !fetched.is_empty() {
            let last = fetched.last().map_or(from, |b| b.number);
            from = last + 1;
            let mut next_per = *per;
            let upcoming = async {
                if from <= target {
                    fetch(&chain, from, (from + next_per - 1).min(target), &mut next_per).await
                } else {
                    Ok(vec![])
                }
            };
            let write = write_batch(db, suite, &chain, std::mem::take(&mut fetched), summary);
            let (written, upcoming) = tokio::join!(write, upcoming);
            *per = next_per;
            written?;
            progress(Progress::Indexed { block: summary.head, target, events: summary.events });
            fetched = upcoming?;
            // it came through: grow back towards the configured batch
            *per = (*per + (*per / 8).max(1)).min(max);
        }
    }
}

/// Blocks `from..=to`; a batch that failed on the connection is halved for the next one.
async fn fetch(chain: &Chain, from: u32, to: u32, per: &mut u32) -> Result<Vec<crate::chain::PastBlock>> {
    let r = chain.past_blocks(from, to, RPC_TIMEOUT).await;
    if matches!(r, Err(ClientError::Connect { .. })) && *per > 1 {
        *per = (*per / 2).max(1);
    }
    r
}

async fn write_batch(db: &Db, suite: &Suite, chain: &Chain, blocks: Vec<crate::chain::PastBlock>, summary: &mut Summary) -> Result<()> {
    let Some(last) = blocks.last().map(|b| (b.number, b.hash)) else { return Ok(()) };
    let cursor = |n: u32, hash: String| Cursor { genesis_hash: suite.genesis.clone(), contracts: suite.addresses.clone(), block_number: n, block_hash: hash };
    let mut written = None;
    for b in blocks {
        let block = suite.block(chain, b)?;
        if block.events.is_empty() {
            continue;
        }
        // one transaction per block with events, the cursor in it
        db.write_block(&cursor(block.number, block.hash.clone()), &facts::steps(&block)).await?;
        summary.events += block.events.len() as u64;
        written = Some(block.number);
    }
    if written != Some(last.0) {
        // the batch's empty blocks after the last written one: only the cursor moves
        db.write_block(&cursor(last.0, format!("{:?}", last.1)), &[]).await?;
    }
    summary.blocks += u64::from(last.0 - summary.head);
    summary.head = last.0;
    Ok(())
}
