//! tracepass-bench: registration and verification throughput, cost per message and per item,
//! each side by side with its baseline or limit, measured in one run on one fresh node.
//!
//! Starts a node (tracepass-node --dev, or TRACEPASS_NODE) on a temporary base path, deploys and populates the
//! consortium (tests/src/fixture.rs), then measures everything through the `tracepass` library.
//! Every figure is the median over `--runs` repetitions. Prints a table (Markdown) and writes the
//! figures as JSON.
//!
//! Usage: tracepass-bench [--smoke] [--runs N] [--json FILE] [--only SECTIONS] [--sizes N,N,...]
//! (`scripts/bench.sh` builds it in release and runs it; `--smoke` is the tiny version that
//! `scripts/test.sh` runs so that the bench cannot rot; it asserts nothing about speed.)
//! Sections: registration, pipeline, verification, cost, index (catch-up into SQLite and
//! PostgreSQL, queries under load), consortium (4 validators beside the dev node; left out of
//! --smoke).

use futures::StreamExt;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracepass_e2e::bench::{deposit_prices, drive, storage_usage, Load};
use tracepass::verify::cache::Verifier;
use tracepass::chain::Weight;
use tracepass::contracts::{Message, Outcome};
use tracepass::gs1::{parse_gtin, parse_serials, DigitalLink};
use tracepass::lots::{self, BuiltLot};
use tracepass::shared::*;
use tracepass::verify::{verify, Report, Verdict};
use tracepass::{Result, Tracepass};
use tracepass_e2e::fixture::{self, Consortium};
use tracepass_e2e::{root, Node};

const ITEMS_PER_YEAR: f64 = 400e6;

/// The benchmark: registration, pipelining, verification and message costs on a fresh node.
#[derive(clap::Parser, Debug)]
#[command(name = "tracepass-bench")]
struct Opts {
    /// The tiny version (one run, small sizes) that scripts/test.sh runs; asserts nothing about speed.
    #[arg(long)]
    smoke: bool,
    /// Sections to run (all if none): registration, pipeline (with batched registration),
    /// verification, cost, index, resolver, consortium.
    #[arg(long, value_delimiter = ',', value_parser = ["registration", "pipeline", "verification", "cost", "index", "resolver", "consortium"])]
    only: Vec<String>,
    /// Runs per measurement (default 5; 1 with --smoke).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    runs: Option<u16>,
    /// Registration lot sizes, if not the default.
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u32).range(1..))]
    sizes: Vec<u32>,
    /// Where to write the figures as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
}

impl Opts {
    fn parse() -> Opts {
        <Opts as clap::Parser>::parse()
    }
    /// Runs per measurement.
    fn runs(&self) -> usize {
        usize::from(self.runs.unwrap_or(if self.smoke { 1 } else { 5 }))
    }
    /// Registration lot sizes.
    fn sizes(&self) -> Vec<usize> {
        if !self.sizes.is_empty() {
            self.sizes.iter().map(|n| *n as usize).collect()
        } else if self.smoke { vec![100, 1_000] } else { vec![1_000, 10_000, 100_000, 1_000_000] }
    }
    fn wants(&self, section: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|s| s == section)
    }
    /// Lots (or one-item transactions) per pipelined batch, and how many are in flight at once.
    fn pipeline(&self) -> (usize, usize) {
        if self.smoke { (8, 8) } else { (256, 64) }
    }
    /// Verification: lots, items per lot, seconds per measurement.
    fn verification(&self) -> (usize, usize, Duration) {
        if self.smoke { (2, 100, Duration::from_millis(300)) } else { (8, 10_000, Duration::from_secs(3)) }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg").map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" ")).unwrap_or_default()
}

/// An error with what the bench was doing.
/// Drives one-scan verdicts from `concurrency` tasks for `duration`: operation `i` has `verdict`
/// verify `links[(offset + i) % links.len()]`, which must be genuine.
async fn drive_genuine<F, Fut>(concurrency: usize, duration: Duration, links: &Arc<Vec<DigitalLink>>, offset: usize, verdict: F) -> Result<Load>
where
    F: Fn(DigitalLink) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Report>> + Send + 'static,
{
    let links = links.clone();
    drive(concurrency, duration, usize::MAX, move |i| {
        let (verdict, dl) = (verdict.clone(), links[(offset + i) % links.len()].clone());
        async move {
            let r = verdict(dl.clone()).await?;
            assert_eq!(r.verdict, Verdict::Genuine, "{}: {}", dl.serial, r.reason);
            Ok(())
        }
    })
    .await
}

fn label(what: &str, e: tracepass::ClientError) -> tracepass::ClientError {
    tracepass::ClientError::Chain(format!("{what}: {e}"))
}

fn say(msg: &str) {
    eprintln!("[bench {}] {msg}", loadavg());
}

/// A unique lot number (GS1 AI 10: up to 20 characters).
fn lot_number(tag: &str, n: usize) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("{tag}{n}-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

fn serial(i: usize) -> String {
    format!("SN{i:08}")
}

fn input(lot: &BuiltLot) -> LotInput {
    Consortium::lot_input(lot)
}

// ---- registration ------------------------------------------------------------------------------

#[derive(Default)]
struct RegRun {
    parse: f64,
    hash: f64,
    tx: f64,
    proofs: f64,
    gas: Weight,
    deposit: i128,
    bytes: i64,
    keys: i64,
}

/// One end-to-end registration of the serials file `file`: read + validate, hash + tree, one
/// transaction included. The proofs file is written afterwards and timed on its own.
async fn register_once(c: &Consortium, file: &Path, n: usize, dir: &Path) -> Result<RegRun> {
    let before = storage_usage(&c.tp).await?;
    let lot = lot_number("R", n);
    let t0 = Instant::now();
    let text = std::fs::read_to_string(file).expect("serials file");
    let list = parse_serials(&text)?;
    drop(text);
    let t1 = Instant::now();
    let built = lots::build(c.gtin, &lot, list)?;
    let t2 = Instant::now();
    let out = c.tp.register_lot(&c.keys.merchant, input(&built)).await?;
    let t3 = Instant::now();
    assert_eq!(out.value, lot_id(&c.gtin, lot.as_bytes()));
    let after = storage_usage(&c.tp).await?;
    let proofs_path = dir.join("proofs.jsonl");
    let t4 = Instant::now();
    built.write_proofs(&proofs_path, tracepass::gs1::DEFAULT_RESOLVER)?;
    let proofs = t4.elapsed().as_secs_f64();
    let _ = std::fs::remove_file(&proofs_path);
    drop(built);
    Ok(RegRun {
        parse: (t1 - t0).as_secs_f64(),
        hash: (t2 - t1).as_secs_f64(),
        tx: (t3 - t2).as_secs_f64(),
        proofs,
        gas: out.dry_run.gas_required,
        deposit: out.dry_run.storage_deposit,
        bytes: after.bytes as i64 - before.bytes as i64,
        keys: after.items as i64 - before.items as i64,
    })
}

/// Registers `lots` (built beforehand) with `in_flight` submissions at once from one key;
/// returns the wall time.
async fn pipelined(c: &Consortium, lots: &[BuiltLot], in_flight: usize) -> Result<f64> {
    let t = Instant::now();
    let results: Vec<Result<Outcome<LotId>>> =
        futures::stream::iter(lots.iter().map(|l| c.tp.register_lot(&c.keys.merchant, input(l)))).buffer_unordered(in_flight).collect().await;
    let secs = t.elapsed().as_secs_f64();
    for r in results {
        r?;
    }
    Ok(secs)
}

/// Registers `lots` in transactions of `per_tx` lots (`register_lots`), `in_flight` at once;
/// the seconds it took, and the gas of the first transaction.
async fn batched(c: &Consortium, lots: &[BuiltLot], per_tx: usize, in_flight: usize) -> Result<(f64, Weight)> {
    let t = Instant::now();
    let results: Vec<Result<Outcome<Vec<LotId>>>> =
        futures::stream::iter(lots.chunks(per_tx).map(|ch| c.tp.register_lots(&c.keys.merchant, ch.iter().map(input).collect())))
            .buffered(in_flight)
            .collect()
            .await;
    let secs = t.elapsed().as_secs_f64();
    let mut gas = None;
    for r in results {
        let out = r?;
        gas.get_or_insert(out.dry_run.gas_required);
    }
    Ok((secs, gas.unwrap_or_default()))
}

// ---- verification ------------------------------------------------------------------------------

/// Registers `count` lots of `items` serials for the verification runs, each with a trace event;
/// returns their Digital Links, interleaved across lots (consecutive scans hit different lots).
async fn verification_lots(c: &Consortium, count: usize, items: usize) -> Result<Vec<DigitalLink>> {
    let built: Vec<BuiltLot> =
        (0..count).map(|_| lots::build(c.gtin, &lot_number("V", items), (0..items).map(serial).collect())).collect::<Result<_>>()?;
    let ids: Vec<LotId> = futures::future::join_all(built.iter().map(|l| c.tp.register_lot(&c.keys.merchant, input(l))))
        .await
        .into_iter()
        .map(|r| r.map(|o| o.value))
        .collect::<Result<_>>()?;
    let now = c.tp.chain.now_ms().await?;
    let nz = Location { country: CountryCode(*b"NZ"), code: b"NZAKL".to_vec() };
    for id in &ids {
        c.tp.add_event(&c.keys.merchant, *id, BusinessStep::Packing, now, nz.clone(), [7; 32]).await?;
    }
    let mut links = Vec::with_capacity(count * items);
    for i in 0..items {
        for lot in &built {
            links.push(Consortium::link(lot, i));
        }
    }
    Ok(links)
}

fn load_json(l: &[Load]) -> Value {
    json!(l)
}

/// Median over runs of each figure of loads measured at the same concurrency.
fn median_load(runs: &[Load]) -> Load {
    if runs.is_empty() {
        return Load { concurrency: 0, ops: 0, seconds: f64::NAN, per_s: f64::NAN, p50_ms: f64::NAN, p99_ms: f64::NAN };
    }
    Load {
        concurrency: runs[0].concurrency,
        ops: runs.iter().map(|l| l.ops).sum::<usize>() / runs.len(),
        seconds: median(runs.iter().map(|l| l.seconds).collect()),
        per_s: median(runs.iter().map(|l| l.per_s).collect()),
        p50_ms: median(runs.iter().map(|l| l.p50_ms).collect()),
        p99_ms: median(runs.iter().map(|l| l.p99_ms).collect()),
    }
}

// ---- cost ----------------------------------------------------------------------------------------

type GasTable = Vec<(String, Weight, i128)>;

fn rec<T>(t: &mut GasTable, name: &str, out: Result<Outcome<T>>) -> Result<T> {
    let out = out.map_err(|e| tracepass::ClientError::Chain(format!("{name}: {e}")))?;
    t.push((name.to_string(), out.dry_run.gas_required, out.dry_run.storage_deposit));
    Ok(out.value)
}

/// Every message once, on the consortium's state: gas and deposit of its dry run on the node.
/// Writes go through the typed API (the Outcome carries the dry run); reads are estimated.
async fn gas_table(c: &Consortium) -> Result<GasTable> {
    let (tp, k) = (&c.tp, &c.keys);
    let mut t: GasTable = vec![];
    // governance
    let rule = Action::SetSamplingRule { key: RuleKey { category: Some(2002), origin: None, tier: None }, rate_bps: 100 };
    let id = rec(&mut t, "whitelist.propose", tp.propose(&k.bob, rule).await)?;
    rec(&mut t, "whitelist.approve", tp.approve(&k.charlie, id).await)?;
    rec(&mut t, "whitelist.execute(SetSamplingRule)", tp.execute(&k.bob, id).await)?;
    let add = Action::AddMember { account: k.stranger.account(), role: Role::Logistics, name_hash: [0; 32], scope: None };
    let id = tp.propose(&k.bob, add).await?.value;
    tp.approve(&k.dave, id).await?;
    rec(&mut t, "whitelist.execute(AddMember)", tp.execute(&k.bob, id).await)?;
    // merchants
    let m2 = tracepass_e2e::fixture::signer("//BenchMerchant");
    let (bob, charlie) = (&k.bob, &k.charlie);
    let onboard = tracepass_e2e::fixture::onboard(m2.account(), "Bench Merchant", "AU", "0614142", &["Bench"]);
    rec(&mut t, "whitelist.execute(AddMerchant)", tp.pass(&[bob, charlie], onboard).await)?;
    let tier = Action::SetMerchantTier { account: m2.account(), tier: MerchantTier::Trusted };
    rec(&mut t, "whitelist.execute(SetMerchantTier)", tp.pass(&[bob, charlie], tier).await)?;
    rec(&mut t, "whitelist.suspend_merchant", tp.suspend_merchant(charlie, m2.account(), [1; 32]).await)?;
    let confirm = Action::ConfirmSuspension { account: m2.account() };
    rec(&mut t, "whitelist.execute(ConfirmSuspension)", tp.pass(&[bob, charlie], confirm).await)?;
    let reinstate = Action::ReinstateMerchant { account: m2.account() };
    rec(&mut t, "whitelist.execute(ReinstateMerchant)", tp.pass(&[bob, charlie], reinstate).await)?;
    // registry
    let factory = rec(&mut t, "registry.register_factory", tp.register_factory(&k.merchant, CountryCode(*b"NZ"), [2; 32]).await)?;
    let product = ProductInput {
        gtin: parse_gtin("10614141000422")?,
        brand: b"Aroha".to_vec(),
        category: tracepass_e2e::fixture::CATEGORY,
        origin: CountryCode(*b"NZ"),
        factory,
        hs_code: b"190110".to_vec(),
        metadata_hash: [1; 32],
        uri: b"https://aroha.example/p/2".to_vec(),
    };
    rec(&mut t, "registry.register_product", tp.register_product(&k.merchant, product).await)?;
    let lot = lots::build(c.gtin, &lot_number("G", 1000), (0..1000).map(serial).collect())?;
    let lot_id = rec(&mut t, "registry.register_lot (any size)", tp.register_lot(&k.merchant, input(&lot)).await)?;
    let now = tp.chain.now_ms().await?;
    let nz = Location { country: CountryCode(*b"NZ"), code: b"NZAKL".to_vec() };
    let cn = Location { country: CountryCode(*b"CN"), code: b"CNSHA".to_vec() };
    rec(&mut t, "registry.add_event(Shipping)", tp.add_event(&k.merchant, lot_id, BusinessStep::Shipping, now, nz, [3; 32]).await)?;
    tp.add_event(&k.ferdie, lot_id, BusinessStep::Arriving, now, cn, [0; 32]).await?;
    // attestation
    let year = 365 * 86_400_000;
    rec(&mut t, "attestation.attest_certification", tp.attest_certification(&k.eve, factory, tracepass_e2e::fixture::CATEGORY, b"ISO 22000".to_vec(), [4; 32], now + year).await)?;
    let insp = rec(
        &mut t,
        "attestation.attest_inspection",
        tp.attest_inspection(&k.eve, lot_id, InspectionResult::Pass, b"GB 10765".to_vec(), 20, [5; 32], b"https://lab.example/r/1".to_vec(), now, now + year, None).await,
    )?;
    rec(&mut t, "attestation.attest_customs", tp.attest_customs(&k.ferdie, lot_id, b"CNSHA".to_vec(), [6; 32], now).await)?;
    rec(&mut t, "attestation.revoke", tp.revoke(&k.eve, insp, [7; 32]).await)?;
    let lot2 = lots::build(c.gtin, &lot_number("G", 10), (0..10).map(serial).collect())?;
    let lot2_id = tp.register_lot(&k.merchant, input(&lot2)).await?.value;
    rec(&mut t, "registry.recall", tp.recall(&k.merchant, lot2_id, [8; 32]).await)?;
    // sampling: commit before the epoch opens, reveal after it closes, finalise
    let epoch = fixture::epoch_to_commit(tp, 2_000).await;
    let secret = [11u8; 32];
    rec(&mut t, "sampling.commit", tp.commit(&k.bob, epoch, seed_commitment(&secret, &k.bob.account())).await)?;
    fixture::advance_to_close(tp, &k.alice, epoch).await;
    rec(&mut t, "sampling.reveal", tp.reveal(&k.bob, epoch, secret).await)?;
    rec(&mut t, "sampling.finalize", tp.finalize(&k.alice, epoch).await)?;
    // upgrade through governance (same code)
    let code: [u8; 32] = hex::decode(c.deployment.registry.code_hash.trim_start_matches("0x")).expect("hex").try_into().expect("32 bytes");
    let id = tp.propose(&k.bob, Action::SetCodeHash { target: ContractKind::Registry, code_hash: code.into() }).await?.value;
    tp.approve(&k.dave, id).await?;
    rec(&mut t, "whitelist.execute(SetCodeHash registry)", tp.execute(&k.bob, id).await)?;
    // reads (dry runs only)
    let p = lot.proof(7);
    let me = k.alice.account();
    macro_rules! read {
        ($name:expr, $msg:expr, $args:expr) => {{
            let d = tp.estimate(me, $msg, $args).await?;
            if d.dispatch_error.is_some() || d.reverted {
                return Err(tracepass::ClientError::Chain(format!("{}: dry run failed: {:?}", $name, d.dispatch_error)));
            }
            t.push((format!("{} (read)", $name), d.gas_required, d.storage_deposit));
        }};
    }
    read!("whitelist.governors", Message::Governors, ());
    read!("whitelist.threshold", Message::Threshold, ());
    read!("whitelist.member", Message::Member, k.eve.account());
    read!("whitelist.role_of", Message::RoleOf, k.eve.account());
    read!("whitelist.merchant", Message::Merchant, k.merchant.account());
    read!("whitelist.merchant_standing", Message::MerchantStanding, k.merchant.account());
    read!("whitelist.proposal", Message::Proposal, id);
    read!("whitelist.proposal_count", Message::ProposalCount, ());
    read!("registry.counts", Message::Counts, ());
    read!("registry.lot", Message::Lot, lot_id);
    read!("registry.product", Message::Product, c.gtin);
    read!("registry.factory", Message::Factory, factory);
    read!("registry.events", Message::Events, lot_id);
    read!(
        "registry.verify_item (1,000-item lot)",
        Message::VerifyItem,
        (c.gtin, lot.lot.as_bytes().to_vec(), lot.serials[7].as_bytes().to_vec(), p.salt, p.index, p.siblings.clone())
    );
    read!("sampling.selection", Message::Selection, lot_id);
    read!("sampling.lot_sample", Message::LotSample, lot_id);
    read!("sampling.current_epoch", Message::CurrentEpoch, ());
    read!("sampling.timing", Message::Timing, ());
    read!("sampling.epoch_status", Message::EpochStatus, epoch);
    read!("sampling.rules", Message::Rules, ());
    read!("attestation.of_lot", Message::OfLot, lot_id);
    read!("attestation.of_factory", Message::OfFactory, factory);
    read!("attestation.status", Message::Status, insp);
    Ok(t)
}

/// Waits until the node has finalised its best block and made no block for a second: after a
/// burst of transactions, the instant-seal node goes on sealing (and finalising, and pruning the
/// state of blocks 256 behind) for a while, and a read pinned meanwhile can lose its block.
async fn settle(tp: &Tracepass) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut last = (tp.chain.best().await?, Instant::now());
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let best = tp.chain.best().await?;
        let fin = tp.chain.rpc.chain_get_finalized_head().await?;
        if best != last.0 {
            last = (best, Instant::now());
        } else if fin == best && last.1.elapsed() >= Duration::from_secs(1) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(tracepass::ClientError::Chain("the node did not settle within 120 s".into()));
        }
    }
}

// ---- CPU accounting -----------------------------------------------------------------------------

/// CPU seconds (user + system) that process `pid` (or `self`) has used.
fn cpu_seconds(pid: &str) -> f64 {
    let ticks = 100.0; // USER_HZ, 100 on Linux
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|st| {
            let f: Vec<&str> = st.rsplit_once(')')?.1.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / ticks)
        })
        .unwrap_or(f64::NAN)
}

/// The node's process ID (found by its base path).
fn node_pid(node: &Node) -> String {
    let base = node.base.path().to_string_lossy().to_string();
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .find(|e| std::fs::read_to_string(e.path().join("cmdline")).map(|c| c.contains(&tracepass_e2e::node_bin()) && c.contains(&base)).unwrap_or(false))
        .map(|e| e.file_name().to_string_lossy().to_string())
        .unwrap_or_default()
}

/// What an operation cost, per operation: blocks, node and client CPU.
#[derive(Clone, Copy)]
struct Usage {
    /// Blocks the node sealed per operation (the instant-seal node seals once per transaction
    /// it imports, with or without transactions left to include).
    blocks_per_op: f64,
    /// Transactions per block that had any.
    ops_per_full_block: f64,
    node_ms: f64,
    client_ms: f64,
    node_cores: f64,
}

impl Usage {
    fn median(v: &[Usage]) -> Usage {
        let m = |f: fn(&Usage) -> f64| median(v.iter().map(f).collect());
        Usage {
            blocks_per_op: m(|u| u.blocks_per_op),
            ops_per_full_block: m(|u| u.ops_per_full_block),
            node_ms: m(|u| u.node_ms),
            client_ms: m(|u| u.client_ms),
            node_cores: m(|u| u.node_cores),
        }
    }
    fn none() -> Usage {
        Usage { blocks_per_op: f64::NAN, ops_per_full_block: f64::NAN, node_ms: f64::NAN, client_ms: f64::NAN, node_cores: f64::NAN }
    }
    fn json(&self) -> Value {
        json!({
            "blocks_sealed_per_op": self.blocks_per_op, "ops_per_block_with_transactions": self.ops_per_full_block,
            "node_cpu_ms_per_op": self.node_ms, "client_cpu_ms_per_op": self.client_ms, "node_cores_busy": self.node_cores,
        })
    }
    /// Table cells: blocks per op, ops per non-empty block, node ms, client ms, node cores.
    fn cells(&self) -> String {
        format!("{:.2} | {:.1} | {:.2} | {:.2} | {:.2}", self.blocks_per_op, self.ops_per_full_block, self.node_ms, self.client_ms, self.node_cores)
    }
}

/// Measures CPU and blocks from `start` to `stop`.
struct Meter {
    pid: String,
    client: f64,
    node: f64,
    wall: Instant,
    block: u32,
}

impl Meter {
    async fn start(tp: &Tracepass, pid: &str) -> Result<Meter> {
        let block = tp.chain.block_number().await?;
        Ok(Meter { pid: pid.to_string(), client: cpu_seconds("self"), node: cpu_seconds(pid), wall: Instant::now(), block })
    }
    /// For reads: CPU per operation.
    async fn stop(&self, ops: usize) -> Result<Usage> {
        let (wall, client, node) = (self.wall.elapsed().as_secs_f64(), cpu_seconds("self") - self.client, cpu_seconds(&self.pid) - self.node);
        let ops = ops.max(1) as f64;
        Ok(Usage { blocks_per_op: 0.0, ops_per_full_block: f64::NAN, node_ms: node * 1e3 / ops, client_ms: client * 1e3 / ops, node_cores: node / wall })
    }

    /// For transactions: waits until the node has settled (its CPU counts all the sealing the
    /// transactions caused), then counts the blocks and the transactions in them.
    async fn stop_settled(self, tp: &Tracepass, ops: usize) -> Result<Usage> {
        settle(tp).await?;
        let mut u = self.stop(ops).await?;
        let b1 = tp.chain.block_number().await?;
        let (mut full, mut txs) = (0u32, 0usize);
        for n in self.block + 1..=b1 {
            let h = tp.chain.rpc.chain_get_block_hash(Some(n.into())).await?.ok_or_else(|| tracepass::ClientError::Chain(format!("no block #{n}")))?;
            let k = tp.chain.api.blocks().at(h).await?.extrinsics().await?.len().saturating_sub(1); // less the timestamp
            if k > 0 {
                full += 1;
                txs += k;
            }
        }
        u.blocks_per_op = (b1 - self.block) as f64 / ops.max(1) as f64;
        u.ops_per_full_block = txs as f64 / full.max(1) as f64;
        Ok(u)
    }
}

// ---- the machine -------------------------------------------------------------------------------

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()))
        .unwrap_or_default();
    let mem_kb: u64 = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("MemTotal")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0);
    let cmd = |c: &str, a: &[&str]| {
        std::process::Command::new(c).args(a).output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default()
    };
    json!({
        "nproc": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu": cpu,
        "ram_gib": (mem_kb as f64 / 1048576.0 * 10.0).round() / 10.0,
        "rustc": cmd("rustc", &["+1.86.0", "--version"]),
        "node": cmd(&tracepass_e2e::node_bin(), &["--version"]),
        "profile": if cfg!(debug_assertions) { "debug" } else { "release" },
    })
}

fn fmt_rate(x: f64) -> String {
    if !x.is_finite() {
        return "-".into();
    }
    // a refund (a negative deposit) keeps its sign in front of the grouped digits
    let s = format!("{:.0}", x.abs());
    let mut out = String::from(if x < 0.0 { "-" } else { "" });
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn fmt_duration(secs: f64) -> String {
    if secs < 120.0 {
        format!("{secs:.0} s")
    } else if secs < 7200.0 {
        format!("{:.1} min", secs / 60.0)
    } else if secs < 172_800.0 {
        format!("{:.1} h", secs / 3600.0)
    } else {
        format!("{:.1} days", secs / 86_400.0)
    }
}

#[tokio::main]
async fn main() {
    let o = Opts::parse();
    if let Err(e) = run(&o).await {
        eprintln!("bench failed: {e}");
        std::process::exit(1);
    }
}

async fn run(o: &Opts) -> Result<()> {
    say("starting a fresh node and deploying");
    let node = Node::start().await;
    let r = measure(o, &node).await;
    if r.is_err() {
        // what the node said last, before its temporary base path goes
        let log = std::fs::read_to_string(node.base.path().join("node.log")).unwrap_or_default();
        let kept = root().join("target/bench/node.log");
        if std::fs::write(&kept, &log).is_ok() {
            eprintln!("the node's whole log: {}", kept.display());
        }
        let tail: Vec<&str> = log.lines().filter(|l| l.contains("WARN") || l.contains("ERROR")).collect();
        for l in &tail[tail.len().saturating_sub(20)..] {
            eprintln!("node: {l}");
        }
    }
    r
}

async fn measure(o: &Opts, node: &Node) -> Result<()> {
    let started = Instant::now();
    let load_before = loadavg();
    let c = Consortium::setup(&node.url(), node.base.path()).await;
    let node_pid = node_pid(node);
    let dir = tempfile::Builder::new().prefix("tracepass-bench-").tempdir().expect("tempdir");
    let mut table = String::new();
    let mut report = serde_json::Map::new();
    report.insert("command".into(), json!(std::env::args().collect::<Vec<_>>().join(" ")));
    report.insert("smoke".into(), json!(o.smoke));
    report.insert("runs".into(), json!(o.runs()));
    report.insert("machine".into(), machine());

    // ---- registration end to end ------------------------------------------------------------
    let mut reg_json = vec![];
    let mut items_per_s_at = vec![];
    table.push_str("### Registration, end to end (serials file -> validated -> item IDs + Merkle tree -> lot transaction in a block)\n\n");
    table.push_str("| serials per lot | items/s | total s | parse s | hash+tree s | tx s | proofs file s (separate) | storage B/item | register_lot gas ref_time / proof_size | deposit |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for &n in &if o.wants("registration") { o.sizes() } else { vec![] } {
        let file = dir.path().join(format!("serials-{n}.txt"));
        let mut text = String::with_capacity(n * 11);
        for i in 0..n {
            text.push_str(&serial(i));
            text.push('\n');
        }
        std::fs::write(&file, text).expect("write serials");
        let mut runs = vec![];
        for r in 0..o.runs() {
            say(&format!("registration: lot of {n} serials, run {}/{}", r + 1, o.runs()));
            runs.push(register_once(&c, &file, n, dir.path()).await?);
        }
        let _ = std::fs::remove_file(&file);
        let m = |f: fn(&RegRun) -> f64| median(runs.iter().map(f).collect());
        let total = median(runs.iter().map(|r| r.parse + r.hash + r.tx).collect());
        let rate = median(runs.iter().map(|r| n as f64 / (r.parse + r.hash + r.tx)).collect());
        let bytes = median(runs.iter().map(|r| r.bytes as f64).collect());
        let per_item = bytes / n as f64;
        let r0 = &runs[0];
        items_per_s_at.push((n, rate));
        table.push_str(&format!(
            "| {} | **{}** | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.6} | {} / {} | {} |\n",
            fmt_rate(n as f64),
            fmt_rate(rate),
            total,
            m(|r| r.parse),
            m(|r| r.hash),
            m(|r| r.tx),
            m(|r| r.proofs),
            per_item,
            r0.gas.ref_time,
            r0.gas.proof_size,
            r0.deposit
        ));
        reg_json.push(json!({
            "items": n,
            "items_per_s": rate,
            "total_s": total,
            "parse_s": m(|r| r.parse),
            "hash_tree_s": m(|r| r.hash),
            "tx_s": m(|r| r.tx),
            "proofs_file_s": m(|r| r.proofs),
            "storage_bytes": bytes,
            "storage_keys": median(runs.iter().map(|r| r.keys as f64).collect()),
            "storage_bytes_per_item": per_item,
            "storage_deposit": r0.deposit,
            "gas": r0.gas,
            "runs": runs.iter().map(|r| json!({"parse_s": r.parse, "hash_tree_s": r.hash, "tx_s": r.tx, "proofs_file_s": r.proofs})).collect::<Vec<_>>(),
        }));
    }
    report.insert("registration".into(), json!(reg_json));

    // ---- pipelined lots, and the one-transaction-per-item baseline ---------------------------
    let (batch, in_flight) = o.pipeline();
    let per_lot = 1_000;
    let mut lots_s = vec![];
    let mut base_s = vec![];
    let (mut lots_cpu, mut base_cpu) = (vec![], vec![]);
    for r in 0..if o.wants("pipeline") { o.runs() } else { 0 } {
        say(&format!("pipelined: {batch} lots of {per_lot} items, {in_flight} in flight, and the baseline of {batch} one-item transactions, run {}/{}", r + 1, o.runs()));
        let lots: Vec<BuiltLot> = (0..batch).map(|_| lots::build(c.gtin, &lot_number("P", per_lot), (0..per_lot).map(serial).collect())).collect::<Result<_>>()?;
        let items: Vec<BuiltLot> = (0..batch).map(|i| lots::build(c.gtin, &lot_number("I", 1), vec![serial(i)])).collect::<Result<_>>()?;
        // side by side: the same number of transactions, the same pipelining
        let m = Meter::start(&c.tp, &node_pid).await?;
        lots_s.push(batch as f64 / pipelined(&c, &lots, in_flight).await?);
        lots_cpu.push(m.stop_settled(&c.tp, batch).await?);
        let m = Meter::start(&c.tp, &node_pid).await?;
        base_s.push(batch as f64 / pipelined(&c, &items, in_flight).await?);
        base_cpu.push(m.stop_settled(&c.tp, batch).await?);
    }
    // batched: the same lots of 1,000 items, MAX_LOTS_PER_BATCH to a transaction
    let per_tx = bounds::MAX_LOTS_PER_BATCH as usize;
    let (many, many_in_flight) = if o.smoke { (2 * 8, 2) } else { (20 * per_tx, 8) };
    let per_tx = if o.smoke { 8 } else { per_tx };
    let (mut batched_s, mut batch_gas) = (vec![], Weight::default());
    for r in 0..if o.wants("pipeline") { o.runs() } else { 0 } {
        say(&format!("batched: {many} lots of {per_lot} items, {per_tx} to a transaction (register_lots), {many_in_flight} transactions in flight, run {}/{}", r + 1, o.runs()));
        let lots: Vec<BuiltLot> = (0..many).map(|_| lots::build(c.gtin, &lot_number("M", per_lot), (0..per_lot).map(serial).collect())).collect::<Result<_>>()?;
        let (secs, gas) = batched(&c, &lots, per_tx, many_in_flight).await?;
        batched_s.push(many as f64 / secs);
        batch_gas = gas;
    }
    let batched_per_s = median(batched_s.clone());
    // a block's normal class: 75% of 2 s of ref_time (the runtime's, as substrate-contracts-node's)
    let normal_ref_time = 1.5e12;
    let ref_per_lot = batch_gas.ref_time as f64 / per_tx as f64;
    report.insert(
        "batched".into(),
        json!({"lots": many, "items_per_lot": per_lot, "lots_per_tx": per_tx, "in_flight": many_in_flight, "lots_per_s": batched_per_s, "runs": batched_s,
               "tx_ref_time": batch_gas.ref_time, "tx_proof_size": batch_gas.proof_size, "ref_time_per_lot": ref_per_lot, "lots_per_block_by_ref_time": normal_ref_time / ref_per_lot}),
    );
    let lots_per_s = median(lots_s.clone());
    let base_items_per_s = median(base_s.clone());
    let million_rate = items_per_s_at.last().map(|x| x.1).unwrap_or(f64::NAN);
    let ratio = million_rate / base_items_per_s;
    report.insert(
        "pipelined".into(),
        json!({"lots": batch, "items_per_lot": per_lot, "in_flight": in_flight, "lots_per_s": lots_per_s, "items_per_s": lots_per_s * per_lot as f64, "runs": lots_s, "cost": Usage::median(&lots_cpu).json()}),
    );
    report.insert(
        "baseline_one_tx_per_item".into(),
        json!({"transactions": batch, "in_flight": in_flight, "items_per_s": base_items_per_s, "runs": base_s, "cost": Usage::median(&base_cpu).json(), "how": "each item registered as its own one-item lot (register_lot), pipelined like the lots"}),
    );
    report.insert("registration_vs_baseline".into(), json!({"largest_lot": items_per_s_at.last().map(|x| x.0), "ratio": ratio}));
    table.push_str(&format!(
        "\n### Pipelined submissions from one key (local nonces, {in_flight} in flight)\n\n| what | rate | blocks sealed per tx | txs per block with any | node CPU ms per tx | client CPU ms per tx | node cores busy |\n|---|---:|---:|---:|---:|---:|---:|\n| lots of {per_lot} items ({batch} lots) | **{} lots/s** ({} items/s) | {} |\n| baseline: one transaction per item ({batch} one-item lots) | **{} items/s** | {} |\n| registration of {}-serial lots vs baseline | **{:.0}x** | | | | | |\n",
        fmt_rate(lots_per_s),
        fmt_rate(lots_per_s * per_lot as f64),
        Usage::median(&lots_cpu).cells(),
        fmt_rate(base_items_per_s),
        Usage::median(&base_cpu).cells(),
        fmt_rate(items_per_s_at.last().map(|x| x.0 as f64).unwrap_or(0.0)),
        ratio
    ));
    table.push_str(&format!(
        "\n### Batched registration (`register_lots`, {per_tx} lots a transaction, {many_in_flight} transactions in flight)\n\n| what | rate | gas of one transaction | ref_time per lot | lots per block by ref_time (normal class 1.5 T) |\n|---|---:|---:|---:|---:|\n| {many} lots of {per_lot} items | **{} lots/s** ({} items/s) | {:.2} G ref_time, {} kB proof | {:.2} G | {:.0} |\n",
        fmt_rate(batched_per_s),
        fmt_rate(batched_per_s * per_lot as f64),
        batch_gas.ref_time as f64 / 1e9,
        batch_gas.proof_size / 1000,
        ref_per_lot / 1e9,
        normal_ref_time / ref_per_lot
    ));

    // the node seals on for a while after a burst: start the reads on a settled chain
    settle(&c.tp).await?;
    // ---- verification --------------------------------------------------------------------------
    let (vlots, vitems, dur) = o.verification();
    say(&format!("verification: registering {vlots} lots of {vitems} items"));
    let vruns = if o.wants("verification") { o.runs() } else { 0 };
    let links = Arc::new(if vruns > 0 { verification_lots(&c, vlots, vitems).await? } else { vec![] });
    let concurrencies = [1usize, 8, 64];
    let tp = Arc::new(c.tp.clone());
    let verifier = Arc::new(Verifier::new(c.tp.clone()));
    // the cached verdict is the library's verdict, report for report: genuine, a serial not in
    // the lot (with a real item's proof), no proof, a lot never registered
    if let Some(dl) = links.first() {
        let cases = [
            (dl.clone(), Verdict::Genuine),
            (DigitalLink { serial: "FORGED1".into(), ..dl.clone() }, Verdict::NotInLot),
            (DigitalLink { proof: None, ..dl.clone() }, Verdict::NotInLot),
            (DigitalLink { lot: "NEVER1".into(), ..dl.clone() }, Verdict::NotRegistered),
        ];
        for (case, expect) in cases {
            for _ in 0..2 {
                let (a, b) = (verify(&c.tp, &case).await?, verifier.verify(&case).await?);
                assert_eq!(a.verdict, expect, "{}: {}", case.serial, a.reason);
                assert_eq!(serde_json::to_value(&a).expect("json"), serde_json::to_value(&b).expect("json"), "cached report differs");
            }
        }
    }
    // warm the cache: one scan per lot (the verdicts below are then all hits)
    for dl in links.iter().take(vlots) {
        let r = verifier.verify(dl).await?;
        assert_eq!(r.verdict, Verdict::Genuine, "{}", r.reason);
    }
    let (mut raw, mut cold, mut warm, mut rpc) = (vec![vec![]; 3], vec![vec![]; 3], vec![vec![]; 3], vec![vec![]; 3]);
    let (mut raw_cpu, mut cold_cpu, mut warm_cpu) = (vec![vec![]; 3], vec![vec![]; 3], vec![vec![]; 3]);
    let (mut live, mut live_misses) = (vec![vec![]; 3], vec![vec![]; 3]);
    let mut offset = 0usize;
    for r in 0..vruns {
        for (ci, &conc) in concurrencies.iter().enumerate() {
            say(&format!("verification: concurrency {conc}, run {}/{}", r + 1, o.runs()));
            // the limit: the cheapest contract dry run, pinned at one block (one RPC each)
            let pinned = Arc::new(c.tp.pinned().await?);
            let p = pinned.clone();
            let m = Meter::start(&c.tp, &node_pid).await?;
            raw[ci].push(drive(conc, dur, usize::MAX, move |_| {
                let p = p.clone();
                async move { p.counts().await.map(|_| ()) }
            }).await.map_err(|e| label("raw dry runs", e))?);
            raw_cpu[ci].push(m.stop(raw[ci].last().map(|x: &Load| x.ops).unwrap_or(0)).await?);
            // the floor of any per-scan round trip: the best block's hash
            let p = pinned.clone();
            rpc[ci].push(drive(conc, dur, usize::MAX, move |_| {
                let p = p.clone();
                async move { p.chain.best().await.map(|_| ()) }
            }).await.map_err(|e| label("chain_getBlockHash", e))?);
            // cold: the library's verify, every read from the node
            let t = tp.clone();
            let m = Meter::start(&c.tp, &node_pid).await?;
            cold[ci].push(drive_genuine(conc, dur, &links, offset, move |dl| {
                let t = t.clone();
                async move { verify(&t, &dl).await }
            }).await.map_err(|e| label("cold verdicts", e))?);
            cold_cpu[ci].push(m.stop(cold[ci].last().map(|x: &Load| x.ops).unwrap_or(0)).await?);
            offset += cold[ci].last().map(|x: &Load| x.ops).unwrap_or(0);
            // warm: the Verifier, lot-level reads cached per block
            let v = verifier.clone();
            let m = Meter::start(&c.tp, &node_pid).await?;
            warm[ci].push(drive_genuine(conc, dur, &links, offset, move |dl| {
                let v = v.clone();
                async move { v.verify(&dl).await }
            }).await.map_err(|e| label("warm verdicts", e))?);
            warm_cpu[ci].push(m.stop(warm[ci].last().map(|x: &Load| x.ops).unwrap_or(0)).await?);
            offset += warm[ci].last().map(|x: &Load| x.ops).unwrap_or(0);
            // warm while the chain moves: a new block every second, after which every lot's
            // first scan reads it again (the verdicts stay at the best block)
            let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let sealer = {
                let (tp, stop, alice) = (c.tp.clone(), stop.clone(), c.keys.alice.clone());
                tokio::spawn(async move {
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        tp.chain.remark(&alice).await?;
                    }
                    Ok::<_, tracepass::ClientError>(())
                })
            };
            let before = verifier.stats();
            let v = verifier.clone();
            let run = drive_genuine(conc, dur, &links, offset, move |dl| {
                let v = v.clone();
                async move { v.verify(&dl).await }
            })
            .await;
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            sealer.await.map_err(|e| tracepass::ClientError::Chain(e.to_string()))?.map_err(|e| label("sealing a block a second", e))?;
            live[ci].push(run.map_err(|e| label("warm verdicts while blocks arrive", e))?);
            live_misses[ci].push((verifier.stats().misses - before.misses) as f64);
            offset += live[ci].last().map(|x: &Load| x.ops).unwrap_or(0);
        }
    }
    let med = |v: &Vec<Vec<Load>>| v.iter().map(|runs| median_load(runs)).collect::<Vec<_>>();
    let (raw, cold, warm, rpc) = (med(&raw), med(&cold), med(&warm), med(&rpc));
    let live = med(&live);
    let live_misses: Vec<f64> = live_misses.into_iter().map(median).collect();
    let medu = |v: &Vec<Vec<Usage>>| v.iter().map(|runs| if runs.is_empty() { Usage::none() } else { Usage::median(runs) }).collect::<Vec<_>>();
    let (raw_cpu, cold_cpu, warm_cpu) = (medu(&raw_cpu), medu(&cold_cpu), medu(&warm_cpu));
    let stats = verifier.stats();
    table.push_str(&format!(
        "\n### Verification: one-scan verdicts over {} distinct items of {vlots} lots, {:.1} s per measurement\n\n| concurrent verifiers | raw dry run `registry.counts` /s (limit) | cold verdicts/s (no cache) | cold p50 / p99 ms | cold / raw | warm verdicts/s (per-block cache) | warm p50 / p99 ms | warm / raw | `chain_getBlockHash` /s |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        fmt_rate(links.len() as f64),
        dur.as_secs_f64()
    ));
    for i in 0..3 {
        table.push_str(&format!(
            "| {} | {} | {} | {:.1} / {:.1} | {:.0}% | **{}** | {:.2} / {:.2} | **{:.0}%** | {} |\n",
            concurrencies[i],
            fmt_rate(raw[i].per_s),
            fmt_rate(cold[i].per_s),
            cold[i].p50_ms,
            cold[i].p99_ms,
            100.0 * cold[i].per_s / raw[i].per_s,
            fmt_rate(warm[i].per_s),
            warm[i].p50_ms,
            warm[i].p99_ms,
            100.0 * warm[i].per_s / raw[i].per_s,
            fmt_rate(rpc[i].per_s),
        ));
    }
    table.push_str("\n| concurrent verifiers | warm, a new block every second: verdicts/s | p50 / p99 ms | lot reads (cache misses) per measurement |\n|---:|---:|---:|---:|\n");
    for i in 0..3 {
        table.push_str(&format!("| {} | {} | {:.2} / {:.2} | {:.0} |\n", concurrencies[i], fmt_rate(live[i].per_s), live[i].p50_ms, live[i].p99_ms, live_misses[i]));
    }
    table.push_str("\n| concurrent verifiers | raw: node CPU ms per dry run (node cores busy) | cold: node / client CPU ms per verdict (node cores busy) | warm: node / client CPU ms per verdict |\n|---:|---:|---:|---:|\n");
    for i in 0..3 {
        table.push_str(&format!(
            "| {} | {:.2} ({:.2}) | {:.2} / {:.2} ({:.2}) | {:.3} / {:.3} |\n",
            concurrencies[i],
            raw_cpu[i].node_ms,
            raw_cpu[i].node_cores,
            cold_cpu[i].node_ms,
            cold_cpu[i].client_ms,
            cold_cpu[i].node_cores,
            warm_cpu[i].node_ms,
            warm_cpu[i].client_ms,
        ));
    }
    report.insert(
        "verification".into(),
        json!({
            "lots": vlots, "items_per_lot": vitems, "distinct_items": links.len(), "seconds_per_measurement": dur.as_secs_f64(),
            "raw_dry_run": load_json(&raw), "cold": load_json(&cold), "warm": load_json(&warm), "best_block_hash_rpc": load_json(&rpc),
            "cpu": {"raw_dry_run": raw_cpu.iter().map(Usage::json).collect::<Vec<_>>(), "cold": cold_cpu.iter().map(Usage::json).collect::<Vec<_>>(), "warm": warm_cpu.iter().map(Usage::json).collect::<Vec<_>>()},
            "warm_new_block_every_second": load_json(&live), "warm_new_block_every_second_misses": live_misses,
            "cache": stats,
            "reads_per_cold_verdict": "3 sequential round trips: chain_getBlockHash; a JSON-RPC batch of 2 dry runs (product, lot) + Timestamp.Now; a batch of 6 dry runs (merchant, attestations of lot and factory, selection, lot sample, trace)",
            "reads_per_warm_verdict": "1 chain_getBlockHash; the lot-level reads come from the cache keyed by (block hash, GTIN, lot); the item's proof is checked per scan",
        }),
    );

    // ---- cost ----------------------------------------------------------------------------------
    say("cost: gas and deposit of every message");
    let gas = if o.wants("cost") { gas_table(&c).await? } else { vec![] };
    let (per_byte, per_item) = deposit_prices(&c.tp.chain)?;
    table.push_str("\n### Cost of every message (dry run on the node, gas_required)\n\n| message | ref_time | proof_size | storage deposit |\n|---|---:|---:|---:|\n");
    for (name, w, d) in &gas {
        table.push_str(&format!("| {name} | {} | {} | {} |\n", fmt_rate(w.ref_time as f64), fmt_rate(w.proof_size as f64), fmt_rate(*d as f64)));
    }
    let mut wasm = serde_json::Map::new();
    table.push_str("\n| contract | optimized .wasm bytes |\n|---|---:|\n");
    for name in ["whitelist", "registry", "sampling", "attestation"] {
        let p = root().join(format!("target/ink/{name}/{name}.wasm"));
        let size = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
        wasm.insert(name.into(), json!(size));
        table.push_str(&format!("| {name} | {} |\n", fmt_rate(size as f64)));
    }
    report.insert(
        "cost".into(),
        json!({
            "messages": gas.iter().map(|(n, w, d)| json!({"message": n, "ref_time": w.ref_time, "proof_size": w.proof_size, "storage_deposit": d})).collect::<Vec<_>>(),
            "deposit_per_byte": per_byte, "deposit_per_item": per_item, "wasm_bytes": wasm,
            "storage_method": "ContractInfoOf.storage_bytes of the four contracts (pallet-contracts' own count of key + value bytes in their child tries), read before and after each register_lot; the difference divided by the lot's item count",
        }),
    );

    // ---- the index: catch-up into SQLite and PostgreSQL, queries under load ---------------------
    let mut index_figures = Value::Null;
    if o.wants("index") {
        let sizes = if o.smoke {
            tracepass_e2e::index_bench::Sizes { lots: 300, inspected: 20, clients: 4, seconds: Duration::from_millis(300) }
        } else {
            tracepass_e2e::index_bench::Sizes { lots: 100_000, inspected: 1_000, clients: 64, seconds: Duration::from_secs(3) }
        };
        let (t, v) = tracepass_e2e::index_bench::run(&c, &node.url(), sizes, say).await?;
        table.push_str(&t);
        index_figures = v.clone();
        report.insert("index".into(), v);
    }

    // ---- the resolver under wrk: scan log off and on side by side -------------------------------
    if o.wants("resolver") {
        let sizes = if o.smoke {
            tracepass_e2e::resolver_bench::Sizes { items: 2_000, connections: 16, seconds: 2 }
        } else {
            tracepass_e2e::resolver_bench::Sizes { items: 200_000, connections: 64, seconds: 60 }
        };
        let (t, v) = tracepass_e2e::resolver_bench::run(&c, &node.url(), sizes, say).await?;
        table.push_str(&t);
        report.insert("resolver".into(), v);
    }

    // ---- the consortium chain: 4 validators (6 s slots), beside the dev node -------------------
    // not in --smoke (a 4-validator start and a deploy on 6 s blocks take minutes)
    if o.only.iter().any(|s| s == "consortium") || (o.only.is_empty() && !o.smoke) {
        use tracepass_e2e::network::{Network, View};
        say("consortium: starting 4 validators and a full node, deploying");
        let net = Network::start(4);
        let url = net.url("v", 1);
        let cc = Consortium::setup(&url, net.dir.path()).await;
        let view = View::connect(&url).await;
        let (mut cons, mut dev) = (vec![], vec![]);
        for r in 0..o.runs() {
            say(&format!("consortium: {batch} lots of {per_lot} items, {in_flight} in flight, on the validators and on the dev node, run {}/{}", r + 1, o.runs()));
            let build = |p: &str| (0..batch).map(|_| lots::build(c.gtin, &lot_number(p, per_lot), (0..per_lot).map(serial).collect())).collect::<Result<Vec<_>>>();
            cons.push(batch as f64 / pipelined(&cc, &build("K")?, in_flight).await?);
            dev.push(batch as f64 / pipelined(&c, &build("D")?, in_flight).await?);
        }
        // block time and finality lag on the validators: ten samples a slot apart
        let mut lag = vec![];
        for _ in 0..10 {
            tokio::time::sleep(tracepass_e2e::network::SLOT).await;
            lag.push((view.best().await - view.finalized().await.0) as f64);
        }
        let best = view.best().await;
        let from = best.saturating_sub(50).max(1);
        let ts = |n: u32| {
            let v = &view;
            async move {
                let h = v.hash_of(n).await.expect("block");
                let key = v.chain.api.storage().address_bytes(&tracepass::subxt::dynamic::storage("Timestamp", "Now", Vec::<tracepass::subxt::dynamic::Value>::new())).expect("key");
                let raw = v.chain.api.storage().at(h).fetch_raw(key).await.expect("fetch").expect("timestamp");
                u64::from_le_bytes(raw[..8].try_into().expect("u64"))
            }
        };
        let block_s = (ts(best).await - ts(from).await) as f64 / 1000.0 / (best - from).max(1) as f64;
        let (cons_rate, dev_rate) = (median(cons.clone()), median(dev.clone()));
        table.push_str(&format!(
            "\n### The consortium chain (4 tracepass-node validators, Aura 6 s slots, GRANDPA) beside the dev node (instant seal)\n\n| what | consortium | dev node |\n|---|---:|---:|\n| lots of {per_lot} items, {in_flight} in flight ({batch} lots) | **{} lots/s** | **{} lots/s** |\n| mean block time (last {} blocks) | {:.2} s | one block per transaction |\n| finality lag (median of 10 samples) | {} blocks | 1 s |\n",
            fmt_rate(cons_rate),
            fmt_rate(dev_rate),
            best - from,
            block_s,
            median(lag.clone())
        ));
        report.insert(
            "consortium".into(),
            json!({"validators": 4, "lots": batch, "items_per_lot": per_lot, "in_flight": in_flight, "lots_per_s": cons_rate, "runs": cons, "dev_lots_per_s": dev_rate, "dev_runs": dev, "block_time_s": block_s, "finality_lag_blocks": median(lag), "blocks_sampled": best - from}),
        );
    }

    // ---- projection and targets --------------------------------------------------------------
    let proj = ITEMS_PER_YEAR / million_rate;
    let proj_base = ITEMS_PER_YEAR / base_items_per_s;
    let biggest = items_per_s_at.last().map(|x| x.0).unwrap_or(0);
    if million_rate.is_finite() && million_rate > 0.0 {
        table.push_str(&format!(
            "\n### Projection: 400 million items\n\n| path | rate | time |\n|---|---:|---:|\n| lots of {} serials, one after another | {} items/s | **{}** |\n| one transaction per item (baseline) | {} items/s | {} |\n",
            fmt_rate(biggest as f64),
            fmt_rate(million_rate),
            fmt_duration(proj),
            fmt_rate(base_items_per_s),
            fmt_duration(proj_base)
        ));
    } else {
        // the registration part was not run: nothing to project from
        table.push_str("\n### Projection: 400 million items\n\nnot run (it needs the registration part)\n");
    }
    report.insert("projection_400m_items".into(), json!({"seconds_at_registration_rate": proj, "seconds_at_baseline_rate": proj_base}));

    let per_item_big = reg_json.last().and_then(|r| r["storage_bytes_per_item"].as_f64()).unwrap_or(f64::NAN);
    let best_warm = warm.iter().max_by(|a, b| a.per_s.total_cmp(&b.per_s)).cloned().expect("three");
    let best_cold = cold.iter().max_by(|a, b| a.per_s.total_cmp(&b.per_s)).cloned().expect("three");
    let raw_max = raw.iter().map(|l| l.per_s).fold(0.0, f64::max);
    let targets = vec![
        (
            format!("registration >= 700,000 items/s ({}-serial lots; the target is for 1,000,000)", fmt_rate(biggest as f64)),
            format!("{} items/s", fmt_rate(million_rate)),
            million_rate >= 700_000.0,
        ),
        ("registration >= 1,000x one tx per item".into(), format!("{ratio:.0}x"), ratio >= 1000.0),
        (
            "verification >= 1,000 verdicts/s with p99 <= 50 ms (warm)".into(),
            format!("{} /s at {} verifiers, p99 {:.1} ms", fmt_rate(best_warm.per_s), best_warm.concurrency, best_warm.p99_ms),
            best_warm.per_s >= 1000.0 && best_warm.p99_ms <= 50.0,
        ),
        (
            "verification >= 1,000 verdicts/s with p99 <= 50 ms (cold)".into(),
            format!("{} /s at {} verifiers, p99 {:.1} ms", fmt_rate(best_cold.per_s), best_cold.concurrency, best_cold.p99_ms),
            best_cold.per_s >= 1000.0 && best_cold.p99_ms <= 50.0,
        ),
        ("verification >= 80% of raw dry-run rate (warm, same concurrency)".into(), format!("{:.0}%", 100.0 * best_warm.per_s / raw[concurrencies.iter().position(|c| *c == best_warm.concurrency).unwrap_or(0)].per_s), {
            let i = concurrencies.iter().position(|c| *c == best_warm.concurrency).unwrap_or(0);
            best_warm.per_s >= 0.8 * raw[i].per_s
        }),
        ("verification >= 80% of raw dry-run rate (cold, best / best)".into(), format!("{:.0}%", 100.0 * best_cold.per_s / raw_max), best_cold.per_s >= 0.8 * raw_max),
        ("storage <= 0.01 B/item (largest lot)".into(), format!("{per_item_big:.6} B/item"), per_item_big <= 0.01),
        (
            format!("batched registration >= 1,000 lots/s of {per_lot} items from one key"),
            format!("{} lots/s", fmt_rate(batched_per_s)),
            batched_per_s >= 1000.0,
        ),
    ];
    let mut targets = targets;
    for backend in ["sqlite", "postgresql"] {
        let f = &index_figures[backend];
        let rate = f["events_per_s"].as_f64().unwrap_or(f64::NAN);
        targets.push((format!("index catch-up >= 20,000 events/s ({backend})"), format!("{} events/s", fmt_rate(rate)), rate >= 20_000.0));
        let p99 = ["lot_history", "agency_inspections", "epcis_by_lot"]
            .iter()
            .map(|q| f["queries"][q]["p99_ms"].as_f64().unwrap_or(f64::NAN))
            .fold(f64::NAN, f64::max);
        targets.push((
            format!("index queries p99 <= 20 ms at {} clients, worst of three ({backend})", index_figures["clients"].as_u64().unwrap_or(64)),
            if p99.is_nan() { "NaN".to_string() } else { format!("{p99:.1} ms") },
            p99 <= 20.0,
        ));
    }
    table.push_str(if o.smoke {
        "\n### Targets (smoke run: tiny sizes and 0.3 s measurements, not comparable with the targets)\n\n| target | measured | |\n|---|---:|---|\n"
    } else {
        "\n### Targets\n\n| target | measured | |\n|---|---:|---|\n"
    });
    // a part that was not run measured NaN (fmt_rate writes "-"): it says so instead of "missed"
    let not_run = |m: &str| m.contains("NaN") || m.starts_with("- ") || m.starts_with("-%");
    let targets: Vec<(String, String, Option<bool>)> =
        targets.into_iter().map(|(t, m, ok)| if not_run(&m) { (t, "not run".to_string(), None) } else { (t, m, Some(ok)) }).collect();
    for (t, m, ok) in &targets {
        table.push_str(&format!("| {t} | {m} | {} |\n", match ok { Some(true) => "met", Some(false) => "**missed**", None => "not run" }));
    }
    report.insert("targets".into(), json!(targets.iter().map(|(t, m, ok)| json!({"target": t, "measured": m, "met": ok})).collect::<Vec<_>>()));
    let load_after = loadavg();
    report.insert("load".into(), json!({"before": load_before, "after": load_after}));
    report.insert("seconds".into(), json!(started.elapsed().as_secs_f64()));
    report.insert("table".into(), json!(table));

    println!("{table}");
    println!("load average (1/5/15 min): {load_before} before, {load_after} after; {:.0} s in all", started.elapsed().as_secs_f64());
    if let Some(p) = &o.json {
        if let Some(d) = p.parent() {
            let _ = std::fs::create_dir_all(d);
        }
        std::fs::write(p, serde_json::to_string_pretty(&Value::Object(report)).expect("json")).expect("write json");
        println!("figures written to {}", p.display());
    }
    Ok(())
}
