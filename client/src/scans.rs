//! The scan log: what shoppers' scans of real items reveal about copied codes.
//!
//! One genuine QR code printed on any number of fakes verifies on every scan: the chain cannot
//! tell the copies apart. What can is how the code is scanned. The resolver records each scan of
//! an item whose proof checks (a [`Scan`]: item, when, a coarse region, a keyed hash of the
//! scanner) in the data layer's database (migration `0002_scans.sql`), and the page says "first
//! verified on <date>; verified N times" (the 首次查询 convention of Chinese anti-counterfeit
//! labels). Named [`Rules`] (more than `max_scans` scans, or scans from more than
//! `max_regions` regions, within `window_days`) add a [`Suspicion`] the page shows as "this code
//! may have been copied", with the counts; the merchant lists its flagged codes through the
//! query API ([`flagged`]).
//!
//! Privacy: no address is stored. The scanner is `blake2b(day secret ++ address)`, where the
//! secret is random, lives only in this process and changes every UTC day, so a hash names no
//! one and links nothing across days; it serves only to count a reload within
//! [`REPEAT_WINDOW_MS`] once. The region is an operator's mapping of networks to regions, else
//! the network itself (IPv4 /16, IPv6 /32).
//!
//! Writes never hold a page up: scans go through a bounded queue to one writer task that
//! commits whatever has queued in one transaction (group commit); a page does not wait for its
//! own scan, but a scan of an item whose previous scan is still queued waits for that commit
//! (at most [`WRITE_WAIT`]), so scans of one item always count each other. A full queue drops
//! the scan (counted in [`ScanLog::dropped`]) rather than slow the resolver. Reads are grouped
//! the same way: one reader task answers every page waiting for counts with one statement
//! (a `UNION ALL` of one aggregate per page), so the per-query cost is paid once per batch.

use crate::error::{ClientError, Result};
use crate::index::db::{Db, Val};
use serde::Serialize;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// Most pages' counts read in one statement.
pub const MAX_READ_BATCH: usize = 64;

/// Default of [`Rules::max_scans`]: more scans than this within the window is suspicious.
pub const DEFAULT_MAX_SCANS: u32 = 20;
/// Default of [`Rules::max_regions`]: scans from more regions than this within the window.
pub const DEFAULT_MAX_REGIONS: u32 = 5;
/// Default of [`Rules::window_days`].
pub const DEFAULT_WINDOW_DAYS: u32 = 30;
/// Longest window a rule may use (days).
pub const MAX_WINDOW_DAYS: u32 = 3650;
/// A scan by the same scanner within this many ms of its last one is a reload, not a new scan.
pub const REPEAT_WINDOW_MS: i64 = 10 * 60 * 1000;
/// Scans waiting for the writer; more are dropped.
pub const QUEUE_LEN: usize = 10_000;
/// Most scans in one commit.
pub const MAX_BATCH: usize = 1_000;
/// Longest a scan waits for the commit of the same item's previous scan.
pub const WRITE_WAIT: Duration = Duration::from_secs(2);
/// Most bytes of a region name.
pub const MAX_REGION_LEN: usize = 64;

const DAY_MS: i64 = 86_400_000;
const COLUMNS: &[&str] = &["item", "lot", "gtin", "lot_number", "serial", "at_ms", "region", "client"];

/// When a code's scans make it suspicious: more than `max_scans` scans, or scans from more than
/// `max_regions` regions, within the last `window_days` days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rules {
    /// Most scans within the window before the code is flagged.
    pub max_scans: u32,
    /// Most distinct regions within the window before the code is flagged.
    pub max_regions: u32,
    /// The window, in days.
    pub window_days: u32,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules { max_scans: DEFAULT_MAX_SCANS, max_regions: DEFAULT_MAX_REGIONS, window_days: DEFAULT_WINDOW_DAYS }
    }
}

impl Rules {
    /// The rules, checked: a window of 1 to [`MAX_WINDOW_DAYS`] days, limits of at least 1.
    pub fn new(max_scans: u32, max_regions: u32, window_days: u32) -> Result<Rules> {
        if max_scans == 0 || max_regions == 0 {
            return Err(ClientError::Input("scan rules: max scans and max regions must be at least 1".into()));
        }
        if !(1..=MAX_WINDOW_DAYS).contains(&window_days) {
            return Err(ClientError::Input(format!("scan rules: the window must be 1 to {MAX_WINDOW_DAYS} days, not {window_days}")));
        }
        Ok(Rules { max_scans, max_regions, window_days })
    }

    /// The window's start for a scan at `now_ms`.
    pub fn since(&self, now_ms: i64) -> i64 {
        now_ms.saturating_sub(i64::from(self.window_days) * DAY_MS)
    }
}

/// Why a code may have been copied (the rule, with its count and limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Suspicion {
    /// More scans than the rule allows within the window.
    TooManyScans {
        /// Scans within the window.
        scans: u64,
        /// The rule's limit.
        limit: u32,
        /// The window, in days.
        days: u32,
    },
    /// Scans from more regions than the rule allows within the window.
    TooManyRegions {
        /// Distinct regions within the window.
        regions: u64,
        /// The rule's limit.
        limit: u32,
        /// The window, in days.
        days: u32,
    },
}

/// What the log says about one item, this scan included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScanSummary {
    /// Scans of the item ever.
    pub count: u64,
    /// The first one (ms since the epoch).
    pub first_ms: i64,
    /// Scans within the rules' window.
    pub window_scans: u64,
    /// Distinct regions within the rules' window.
    pub window_regions: u64,
    /// Whether this request was counted (a reload within [`REPEAT_WINDOW_MS`] is not).
    pub counted: bool,
    /// What the rules found; empty for an unremarkable code.
    pub suspicions: Vec<Suspicion>,
    /// When the item's buyer claimed it ("I bought this"), if someone has.
    pub claimed_ms: Option<i64>,
}

/// What a buyer's claim came to: the first claim of an item stands, every later one is refused
/// with the time of the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "claim", rename_all = "snake_case")]
pub enum BuyerClaim {
    /// This claim is the item's claim.
    Claimed { at_ms: i64 },
    /// The item was claimed before, at `at_ms`.
    AlreadyClaimed { at_ms: i64 },
}

/// The rules applied to counts: a pure function.
pub fn judge(rules: &Rules, window_scans: u64, window_regions: u64) -> Vec<Suspicion> {
    let mut out = Vec::new();
    if window_scans > u64::from(rules.max_scans) {
        out.push(Suspicion::TooManyScans { scans: window_scans, limit: rules.max_scans, days: rules.window_days });
    }
    if window_regions > u64::from(rules.max_regions) {
        out.push(Suspicion::TooManyRegions { regions: window_regions, limit: rules.max_regions, days: rules.window_days });
    }
    out
}

/// The item scanned (as the resolver parsed and verified it).
#[derive(Debug, Clone)]
pub struct Scanned {
    /// Item ID (0x-hex).
    pub item: String,
    /// Lot ID (0x-hex).
    pub lot: String,
    /// GTIN-14.
    pub gtin: String,
    /// The lot number as printed.
    pub lot_number: String,
    /// The serial.
    pub serial: String,
}

impl Scanned {
    /// The item of a parsed Digital Link whose verdict gave `item_id`.
    pub fn of(dl: &crate::gs1::DigitalLink, item_id: &str) -> Scanned {
        Scanned {
            item: item_id.to_string(),
            lot: format!("0x{}", hex::encode(tracepass_shared::lot_id(&dl.gtin, dl.lot.as_bytes()))),
            gtin: dl.gtin.to_string(),
            lot_number: dl.lot.clone(),
            serial: dl.serial.clone(),
        }
    }
}

/// Now, in ms since the Unix epoch (the scan log's clock).
pub fn now_ms() -> i64 {
    i64::try_from(crate::fmt::wall_clock_ms()).unwrap_or(i64::MAX)
}

/// A network mapped to a region by the operator.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Net {
    addr: u128,
    bits: u8,
    region: String,
}

/// Where scanners are: the operator's networks (most specific first), else the network itself.
#[derive(Debug, Clone, Default)]
pub struct Regions {
    nets: Vec<Net>,
}

/// An address as 128 bits (IPv4 mapped into IPv6) and whether it was IPv4.
fn bits(ip: IpAddr) -> (u128, bool) {
    match ip {
        IpAddr::V4(v4) => (u128::from(v4.to_ipv6_mapped()), true),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => (u128::from(v4.to_ipv6_mapped()), true),
            None => (u128::from(v6), false),
        },
    }
}

fn mask(bits: u8) -> u128 {
    if bits == 0 {
        0
    } else {
        u128::MAX << (128 - u32::from(bits))
    }
}

impl Regions {
    /// Parses `network,region` lines (`203.0.113.0/24,CN-SH`; `#` comments and blank lines
    /// skipped): a region is 1 to [`MAX_REGION_LEN`] bytes of letters, digits, `-` and `_`.
    pub fn parse(text: &str) -> Result<Regions> {
        let mut nets = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |why: &str| ClientError::Input(format!("regions line {}: {why}", n + 1));
            let (net, region) = line.split_once(',').ok_or_else(|| bad("expected network,region"))?;
            let (addr, len) = net.trim().split_once('/').ok_or_else(|| bad("expected a network as address/length"))?;
            let ip: IpAddr = addr.parse().map_err(|_| bad("not an IP address"))?;
            let len: u8 = len.parse().map_err(|_| bad("not a prefix length"))?;
            let (a, v4) = bits(ip);
            let bits = if v4 { len.checked_add(96).filter(|b| *b <= 128) } else { Some(len).filter(|b| *b <= 128) }
                .ok_or_else(|| bad("prefix length too long"))?;
            let region = region.trim();
            if region.is_empty() || region.len() > MAX_REGION_LEN || !region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return Err(bad("a region is 1 to 64 letters, digits, '-' or '_'"));
            }
            nets.push(Net { addr: a & mask(bits), bits, region: region.to_string() });
        }
        nets.sort_by(|a, b| b.bits.cmp(&a.bits));
        Ok(Regions { nets })
    }

    /// The region of `ip`.
    pub fn of(&self, ip: IpAddr) -> String {
        let (a, v4) = bits(ip);
        if let Some(n) = self.nets.iter().find(|n| a & mask(n.bits) == n.addr) {
            return n.region.clone();
        }
        if v4 {
            let o = (a as u32).to_be_bytes();
            format!("net:{}.{}", o[0], o[1])
        } else {
            let s = (a >> 96) as u32;
            format!("net:{:x}:{:x}", s >> 16, s & 0xffff)
        }
    }
}

struct Pending {
    row: Vec<Val>,
    /// The item and this scan's number in [`Unwritten`].
    item: String,
    seq: u64,
    done: oneshot::Sender<()>,
}

/// A scan's commit, awaitable by any number of later scans of the same item.
type Commit = futures::future::Shared<oneshot::Receiver<()>>;

/// Items with a queued, uncommitted scan: the last such scan's number and commit.
type Unwritten = std::sync::Arc<Mutex<std::collections::HashMap<String, (u64, Commit)>>>;

/// One page's question to the reader: the counts of `item` (window from `since`, this scanner
/// `client` in `region`, a repeat if since `repeat_since`).
struct CountQuery {
    item: String,
    since: i64,
    region: String,
    client: String,
    repeat_since: i64,
    reply: oneshot::Sender<Result<Counts>>,
}

/// What the log holds of an item, as one page needs it.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    /// Scans ever, and the first one's time.
    n: i64,
    first_ms: Option<i64>,
    /// Scans within the window, distinct regions among them, and how many from this region.
    in_window: i64,
    regions: i64,
    here: i64,
    /// Scans by this scanner within the repeat window.
    repeat: i64,
    /// When its buyer claimed it, if someone has.
    claimed_ms: Option<i64>,
}

/// The scan log of one resolver: a reader task for the counts, a writer task, the day secret.
pub struct ScanLog {
    /// The writer's database, for claims (rare, one statement each, not queued).
    claims: Db,
    reads: mpsc::Sender<CountQuery>,
    reader: tokio::task::JoinHandle<()>,
    queue: mpsc::Sender<Pending>,
    rules: Rules,
    regions: Regions,
    /// (UTC day, its secret).
    secret: Mutex<(i64, [u8; 32])>,
    dropped: AtomicU64,
    writer: tokio::task::JoinHandle<()>,
    unwritten: Unwritten,
    next_seq: AtomicU64,
}

impl ScanLog {
    /// Opens the log in the database at `url` (made or migrated first) and starts its writer.
    pub async fn open(url: &str, rules: Rules, regions: Regions) -> Result<ScanLog> {
        // a crash of the machine may lose the last scans, never the file's consistency; each
        // commit then does not wait for the disk
        let writer_db = Db::open_relaxed(url).await?;
        let reader_db = Db::open_reader(url).await?;
        let (reads, read_rx) = mpsc::channel(QUEUE_LEN);
        let reader = tokio::spawn(read_loop(reader_db, read_rx));
        let (queue, rx) = mpsc::channel(QUEUE_LEN);
        let unwritten = Unwritten::default();
        let claims = writer_db.clone();
        let writer = tokio::spawn(write_loop(writer_db, rx, unwritten.clone()));
        Ok(ScanLog {
            claims,
            reads,
            reader,
            queue,
            rules,
            regions,
            secret: Mutex::new((i64::MIN, [0; 32])),
            dropped: AtomicU64::new(0),
            writer,
            unwritten,
            next_seq: AtomicU64::new(0),
        })
    }

    /// The rules in force.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// Waits (at most [`WRITE_WAIT`]) until every scan queued so far is committed.
    pub async fn flush(&self) {
        let all: Vec<Commit> = self.unwritten.lock().unwrap_or_else(|p| p.into_inner()).values().map(|(_, c)| c.clone()).collect();
        let _ = tokio::time::timeout(WRITE_WAIT, futures::future::join_all(all)).await;
    }

    /// The buyer's claim of `item` from `ip` at `now_ms`: the first claim of an item stands
    /// (one statement: the database decides which claim is first, also across resolvers).
    pub async fn claim(&self, item: &Scanned, ip: IpAddr, now_ms: i64) -> Result<BuyerClaim> {
        let region = self.regions.of(ip);
        let p = |n: usize| if self.claims.is_sqlite() { "?".to_string() } else { format!("${n}") };
        let inserted = self
            .claims
            .execute(
                &format!("INSERT INTO claims (item, lot, at_ms, region) VALUES ({}, {}, {}, {}) ON CONFLICT (item) DO NOTHING", p(1), p(2), p(3), p(4)),
                &[Val::Text(item.item.clone()), Val::Text(item.lot.clone()), Val::Int(now_ms), Val::Text(region)],
            )
            .await?;
        if inserted == 1 {
            return Ok(BuyerClaim::Claimed { at_ms: now_ms });
        }
        let rows = self.claims.rows(&format!("SELECT at_ms FROM claims WHERE item = {}", p(1)), &[Val::Text(item.item.clone())]).await?;
        let at_ms = rows.first().and_then(|r| r.get("at_ms")).and_then(serde_json::Value::as_i64).unwrap_or(now_ms);
        Ok(BuyerClaim::AlreadyClaimed { at_ms })
    }

    /// Scans dropped because the writer fell behind or failed.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The scanner's keyed hash for `now_ms`'s day (the secret is made on the day's first use).
    fn client(&self, ip: IpAddr, now_ms: i64) -> Result<String> {
        let day = now_ms.div_euclid(DAY_MS);
        let mut s = self.secret.lock().unwrap_or_else(|p| p.into_inner());
        if s.0 != day {
            let mut fresh = [0u8; 32];
            getrandom::getrandom(&mut fresh).map_err(|e| ClientError::Io { path: "getrandom".into(), reason: format!("no randomness for the scan log's secret: {e}") })?;
            *s = (day, fresh);
        }
        let (a, _) = bits(ip);
        let h = blake2b_simd::Params::new().hash_length(16).key(&s.1).hash(&a.to_be_bytes());
        Ok(hex::encode(h.as_bytes()))
    }

    /// Records a scan of `item` by `ip` at `now_ms` (unless it is a reload) and says what the
    /// log now holds for the item.
    pub async fn record(&self, item: &Scanned, ip: IpAddr, now_ms: i64) -> Result<ScanSummary> {
        let client = self.client(ip, now_ms)?;
        let region = self.regions.of(ip);
        // an earlier scan of this item still being written is waited for (at most WRITE_WAIT),
        // so scans of one item count each other; scans of other items never wait
        let earlier = self.unwritten.lock().unwrap_or_else(|p| p.into_inner()).get(&item.item).map(|(_, c)| c.clone());
        if let Some(c) = earlier {
            let _ = tokio::time::timeout(WRITE_WAIT, c).await;
        }
        let (reply, answer) = oneshot::channel();
        let q = CountQuery { item: item.item.clone(), since: self.rules.since(now_ms), region: region.clone(), client: client.clone(), repeat_since: now_ms - REPEAT_WINDOW_MS, reply };
        self.reads.send(q).await.map_err(|_| ClientError::Database("the scan log's reader has stopped".into()))?;
        let c = answer.await.map_err(|_| ClientError::Database("the scan log's reader has stopped".into()))??;
        let (mut count, mut window_scans, mut window_regions) = (c.n as u64, c.in_window as u64, c.regions as u64);
        let mut first_ms = c.first_ms.unwrap_or(now_ms);
        let counted = c.repeat == 0;
        if counted {
            count += 1;
            window_scans += 1;
            if c.here == 0 {
                window_regions += 1;
            }
            first_ms = first_ms.min(now_ms);
            let row = vec![
                Val::Text(item.item.clone()),
                Val::Text(item.lot.clone()),
                Val::Text(item.gtin.clone()),
                Val::Text(item.lot_number.clone()),
                Val::Text(item.serial.clone()),
                Val::Int(now_ms),
                Val::Text(region),
                Val::Text(client),
            ];
            let (done, committed) = oneshot::channel();
            let seq = self.next_seq.fetch_add(1, Ordering::Relaxed);
            // registered before it is queued, so the writer's removal always finds it
            self.unwritten.lock().unwrap_or_else(|p| p.into_inner()).insert(item.item.clone(), (seq, futures::FutureExt::shared(committed)));
            if self.queue.try_send(Pending { row, item: item.item.clone(), seq, done }).is_err() {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                let mut u = self.unwritten.lock().unwrap_or_else(|p| p.into_inner());
                if u.get(&item.item).is_some_and(|(s, _)| *s == seq) {
                    u.remove(&item.item);
                }
            }
        }
        let suspicions = judge(&self.rules, window_scans, window_regions);
        Ok(ScanSummary { count, first_ms, window_scans, window_regions, counted, suspicions, claimed_ms: c.claimed_ms })
    }
}

impl Drop for ScanLog {
    fn drop(&mut self) {
        self.writer.abort();
        self.reader.abort();
    }
}

/// The reader: waits for a page's question, takes whatever else has queued (up to
/// [`MAX_READ_BATCH`]), answers them all with one statement. A failed read fails that batch's
/// pages (their verdicts stand without counts).
async fn read_loop(db: Db, mut rx: mpsc::Receiver<CountQuery>) {
    let mut batch = Vec::with_capacity(MAX_READ_BATCH);
    while rx.recv_many(&mut batch, MAX_READ_BATCH).await > 0 {
        // numbered placeholders, each value bound once (measured: `?` per use, binding repeats,
        // was slower on SQLite, 0.56 against 0.63 of the throughput without the log)
        let mut params = Vec::with_capacity(batch.len() * 5);
        let parts: Vec<String> = batch
            .iter()
            .enumerate()
            .map(|(k, q)| {
                let p = params.len();
                params.extend([Val::Text(q.item.clone()), Val::Int(q.since), Val::Text(q.region.clone()), Val::Text(q.client.clone()), Val::Int(q.repeat_since)]);
                let (item, since, region, client, repeat) = (p + 1, p + 2, p + 3, p + 4, p + 5);
                format!(
                    "SELECT {k} AS k, COUNT(*) AS n, MIN(at_ms) AS first_ms, \
                     SUM(CASE WHEN at_ms >= ${since} THEN 1 ELSE 0 END) AS in_window, \
                     COUNT(DISTINCT CASE WHEN at_ms >= ${since} THEN region END) AS regions, \
                     SUM(CASE WHEN at_ms >= ${since} AND region = ${region} THEN 1 ELSE 0 END) AS here, \
                     SUM(CASE WHEN client = ${client} AND at_ms >= ${repeat} THEN 1 ELSE 0 END) AS repeat, \
                     (SELECT MIN(at_ms) FROM claims WHERE item = ${item}) AS claimed_ms \
                     FROM scans WHERE item = ${item}"
                )
            })
            .collect();
        let mut answers: Vec<Option<Counts>> = vec![None; batch.len()];
        let result = db.rows(&parts.join(" UNION ALL "), &params).await;
        if let Ok(rows) = &result {
            for r in rows {
                let int = |k: &str| r.get(k).and_then(serde_json::Value::as_i64).unwrap_or(0);
                if let Some(slot) = answers.get_mut(int("k") as usize) {
                    *slot = Some(Counts {
                        n: int("n"),
                        first_ms: r.get("first_ms").and_then(serde_json::Value::as_i64),
                        in_window: int("in_window"),
                        regions: int("regions"),
                        here: int("here"),
                        repeat: int("repeat"),
                        claimed_ms: r.get("claimed_ms").and_then(serde_json::Value::as_i64),
                    });
                }
            }
        }
        for (q, a) in batch.drain(..).zip(answers) {
            let _ = q.reply.send(match (&result, a) {
                (Err(e), _) => Err(ClientError::Database(e.to_string())),
                (Ok(_), Some(c)) => Ok(c),
                (Ok(_), None) => Err(ClientError::Database("the scan log's count query returned no row".into())),
            });
        }
    }
}

/// The writer: waits for a scan, takes whatever else has queued (up to [`MAX_BATCH`]), commits
/// them in one transaction, then tells each page. A failed commit is logged and its scans lost.
async fn write_loop(db: Db, mut rx: mpsc::Receiver<Pending>, unwritten: Unwritten) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let rows: Vec<Vec<Val>> = batch.iter().map(|p| p.row.clone()).collect();
        if let Err(e) = db.insert_rows("scans", COLUMNS, &rows).await {
            eprintln!("tracepass serve: scan log: {} scans not recorded: {e}", rows.len());
        }
        {
            let mut u = unwritten.lock().unwrap_or_else(|p| p.into_inner());
            for p in &batch {
                if u.get(&p.item).is_some_and(|(s, _)| *s == p.seq) {
                    u.remove(&p.item);
                }
            }
        }
        for p in batch.drain(..) {
            let _ = p.done.send(());
        }
    }
}

/// The flagged codes within `rules`' window ending at `now_ms` (as of then), most scanned
/// first: of one merchant's lots (as the index knows them) if `merchant` is given.
pub async fn flagged(db: &Db, rules: &Rules, merchant: Option<&str>, now_ms: i64, limit: u32) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
    let values = vec![
        Val::Int(rules.since(now_ms)),
        Val::Int(rules.max_scans.into()),
        Val::Int(rules.max_regions.into()),
        Val::Int(limit.into()),
        Val::Text(merchant.unwrap_or("").to_string()),
        Val::Int(now_ms),
    ];
    let sql = "SELECT s.item, MIN(s.gtin) AS gtin, MIN(s.lot_number) AS lot_number, MIN(s.serial) AS serial, MIN(s.lot) AS lot, \
         COUNT(*) AS scans, COUNT(DISTINCT s.region) AS regions, MIN(s.at_ms) AS first_ms, MAX(s.at_ms) AS last_ms \
         FROM scans s WHERE s.at_ms >= $1 AND s.at_ms <= $6 \
         AND ($5 = '' OR s.lot IN (SELECT lot FROM lots WHERE merchant = $5)) GROUP BY s.item \
         HAVING COUNT(*) > $2 OR COUNT(DISTINCT s.region) > $3 \
         ORDER BY COUNT(*) DESC, s.item LIMIT $4";
    db.rows(sql, &values).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judge_works() {
        let r = Rules::new(3, 2, 7).unwrap();
        assert!(judge(&r, 3, 2).is_empty());
        assert_eq!(judge(&r, 4, 1), vec![Suspicion::TooManyScans { scans: 4, limit: 3, days: 7 }]);
        assert_eq!(judge(&r, 1, 3), vec![Suspicion::TooManyRegions { regions: 3, limit: 2, days: 7 }]);
        assert_eq!(judge(&r, 9, 9).len(), 2);
    }

    #[test]
    fn rules_fail() {
        assert!(Rules::new(0, 1, 1).is_err());
        assert!(Rules::new(1, 0, 1).is_err());
        assert!(Rules::new(1, 1, 0).is_err());
        assert!(Rules::new(1, 1, MAX_WINDOW_DAYS + 1).is_err());
        assert_eq!(Rules::new(1, 1, 1).unwrap().since(DAY_MS * 3), DAY_MS * 2);
    }

    #[test]
    fn regions_work() {
        let r = Regions::parse("# operator's map\n203.0.113.0/24,CN-SH\n203.0.0.0/16, CN\n2001:db8::/32,DOC\n").unwrap();
        assert_eq!(r.of("203.0.113.7".parse().unwrap()), "CN-SH");
        assert_eq!(r.of("203.0.114.7".parse().unwrap()), "CN");
        assert_eq!(r.of("::ffff:203.0.113.9".parse().unwrap()), "CN-SH");
        assert_eq!(r.of("2001:db8:1::1".parse().unwrap()), "DOC");
        // unmapped: the network, never the address
        assert_eq!(r.of("198.51.100.23".parse().unwrap()), "net:198.51");
        assert_eq!(Regions::default().of("2400:cb00:2048:1::6814:155".parse().unwrap()), "net:2400:cb00");
    }

    #[test]
    fn regions_fail() {
        for bad in ["10.0.0.0/8", "10.0.0.0,X", "10.0.0/8,X", "10.0.0.0/33,X", "::/129,X", "10.0.0.0/8,", "10.0.0.0/8,<b>", &format!("10.0.0.0/8,{}", "a".repeat(65))] {
            assert!(Regions::parse(bad).is_err(), "{bad}");
        }
    }
}
