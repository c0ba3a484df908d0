//! The bench's index section: a history of many lots indexed from genesis into SQLite and into
//! PostgreSQL side by side (catch-up events/s and blocks/s, bytes per lot), then the query API
//! over each under concurrent clients (p50/p99 of a lot's history, an agency's inspections and
//! an EPCIS query).

use crate::bench::{drive, Load};
use crate::fixture::Consortium;
use crate::postgres::Postgres;
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracepass::error::{ClientError, Result};
use tracepass::index::{self, db::Db};
use tracepass::shared::*;

/// Sizes of the index section.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Lots registered (one item each), 100 to a transaction.
    pub lots: usize,
    /// Of them, inspected (one attestation each) and given a trace event.
    pub inspected: usize,
    /// Concurrent API clients.
    pub clients: usize,
    /// Seconds per query measurement.
    pub seconds: Duration,
}

/// One GET over a fresh connection (`Connection: close`): the status code.
async fn http_get(addr: std::net::SocketAddr, path: &str) -> Result<u16> {
    let io = |e: std::io::Error| ClientError::Io { path: path.to_string(), reason: e.to_string() };
    let mut s = tokio::net::TcpStream::connect(addr).await.map_err(io)?;
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n").as_bytes()).await.map_err(io)?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.map_err(io)?;
    let head = String::from_utf8_lossy(&buf[..buf.len().min(16)]).to_string();
    head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).ok_or_else(|| ClientError::Chain(format!("{path}: not an HTTP answer: {head:?}")))
}

/// Indexes the chain at `url` into `db` from genesis; (seconds, summary).
async fn catch_up(url: &str, d: &tracepass::Deployment, db: &Db) -> Result<(f64, index::Summary)> {
    let opts = index::Options {
        url: url.to_string(),
        blocks_per_batch: index::DEFAULT_BLOCKS_PER_BATCH,
        until: index::Until::CaughtUp,
        give_up_after: Duration::from_secs(60),
    };
    let t = Instant::now();
    let s = index::run(db, d, &opts, |_| {}).await?;
    Ok((t.elapsed().as_secs_f64(), s))
}

/// Builds the history, measures, and returns (Markdown table, JSON figures).
pub async fn run(c: &Consortium, url: &str, sizes: Sizes, say: impl Fn(&str)) -> Result<(String, Value)> {
    say(&format!("index: registering {} lots, inspecting {}", sizes.lots, sizes.inspected));
    let tp = &c.tp;
    let inputs: Vec<LotInput> = (0..sizes.lots)
        .map(|i| LotInput {
            gtin: c.gtin,
            lot_number: format!("IX{i:07}").into_bytes(),
            item_count: 1,
            root: blake2_256(&(i as u64).to_le_bytes())[..16].try_into().expect("16 bytes"),
            produced_on: 20261101,
            expires_on: 20281101,
        })
        .collect();
    let t = Instant::now();
    let done: Vec<_> = futures::stream::iter(inputs.chunks(100).map(|ch| tp.register_lots(&c.keys.merchant, ch.to_vec()))).buffered(8).collect().await;
    let mut ids = Vec::with_capacity(sizes.lots);
    for d in done {
        ids.extend(d?.value);
    }
    say(&format!("index: {} lots registered in {:.1} s; inspecting", ids.len(), t.elapsed().as_secs_f64()));
    let now = tp.chain.now_ms().await?;
    let loc = Location { country: CountryCode(*b"NZ"), code: b"NZAKL".to_vec() };
    let ops: Vec<_> = ids[..sizes.inspected]
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let loc = loc.clone();
            async move {
                tp.add_event(&c.keys.merchant, *id, BusinessStep::Packing, now - 1_000, loc, [0; 32]).await?;
                let result = if i % 10 == 0 { InspectionResult::Fail } else { InspectionResult::Pass };
                tp.attest_inspection(&c.keys.eve, *id, result, b"ISO 22000".to_vec(), 1, [1; 32], vec![], now - 500, now + 86_400_000, None).await
            }
        })
        .collect();
    // one at a time: with 4 in flight from two accounts the dev node stopped including one
    // (2 runs of 3; RELIABILITY.md)
    for r in futures::stream::iter(ops).buffered(1).collect::<Vec<_>>().await {
        r?;
    }
    // everything sent is final before indexing starts
    let best = tp.chain.block_number().await?;
    while tp.chain.finalized_head(Duration::from_secs(10)).await?.0 < best {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let dir = tempfile::Builder::new().prefix("tracepass-index-bench-").tempdir().map_err(|e| ClientError::Chain(e.to_string()))?;
    let pg = Postgres::start_durable();
    let backends = [("SQLite", format!("sqlite://{}/index.db", dir.path().display())), ("PostgreSQL", pg.database("bench"))];
    let mut table = format!(
        "\n### The index: {} lots ({} inspected, with a trace event each) indexed from genesis, then queried by {} clients\n\n| backend | events | blocks | catch-up s | events/s | blocks/s | bytes/lot | lot history p50 / p99 ms | agency inspections p50 / p99 ms | EPCIS by lot p50 / p99 ms |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        sizes.lots, sizes.inspected, sizes.clients
    );
    let mut out = serde_json::Map::new();
    let lot_keys: Arc<Vec<String>> = Arc::new(ids[..sizes.inspected].iter().map(|id| format!("0x{}", hex::encode(id))).collect());
    let links: Arc<Vec<String>> = Arc::new((0..sizes.inspected).map(|i| format!("https://id.gs1.org/01/{}/10/IX{i:07}", c.gtin)).collect());
    let eve = tracepass::fmt::ss58(&c.keys.eve.account());
    for (name, db_url) in &backends {
        say(&format!("index: catching up into {name}"));
        let db = Db::open(db_url).await?;
        let (secs, s) = catch_up(url, &c.deployment, &db).await?;
        let bytes = if db.is_sqlite() {
            ["index.db", "index.db-wal"].iter().map(|f| std::fs::metadata(dir.path().join(f)).map(|m| m.len()).unwrap_or(0)).sum::<u64>() as f64
        } else {
            db.rows("SELECT pg_database_size(current_database()) AS n", &[]).await?.first().and_then(|r| r["n"].as_f64()).unwrap_or(f64::NAN)
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| ClientError::Chain(e.to_string()))?;
        let addr = listener.local_addr().map_err(|e| ClientError::Chain(e.to_string()))?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let reader = Db::open_reader(db_url).await?;
        let server = tokio::spawn(tracepass::api::serve(listener, reader, async move {
            let _ = stop_rx.await;
        }));
        let mut loads: Vec<(&str, Load)> = vec![];
        for (what, path) in [("lot_history", 0), ("agency_inspections", 1), ("epcis_by_lot", 2)] {
            say(&format!("index: {what} on {name}, {} clients", sizes.clients));
            let (keys, links, eve) = (lot_keys.clone(), links.clone(), eve.clone());
            let load = drive(sizes.clients, sizes.seconds, usize::MAX, move |i| {
                let p = match path {
                    0 => format!("/api/v1/lots/{}", keys[i % keys.len()]),
                    1 => format!("/api/v1/attestations?issuer={eve}&kind=inspection&limit=50"),
                    _ => format!("/epcis/events?MATCH_epc={}", links[i % links.len()]),
                };
                async move {
                    match http_get(addr, &p).await? {
                        200 => Ok(()),
                        code => Err(ClientError::Chain(format!("{p}: HTTP {code}"))),
                    }
                }
            })
            .await?;
            loads.push((what, load));
        }
        let _ = stop_tx.send(());
        let _ = server.await;
        let per_lot = bytes / sizes.lots as f64;
        let cells: Vec<String> = loads.iter().map(|(_, l)| format!("{:.1} / **{:.1}**", l.p50_ms, l.p99_ms)).collect();
        table.push_str(&format!(
            "| {name} | {} | {} | {secs:.2} | **{:.0}** | {:.0} | {per_lot:.0} | {} |\n",
            s.events,
            s.blocks,
            s.events as f64 / secs,
            s.blocks as f64 / secs,
            cells.join(" | "),
        ));
        out.insert(
            name.to_lowercase(),
            json!({
                "events": s.events, "blocks": s.blocks, "catch_up_s": secs, "events_per_s": s.events as f64 / secs,
                "blocks_per_s": s.blocks as f64 / secs, "bytes": bytes, "bytes_per_lot": per_lot,
                "queries": loads.iter().map(|(w, l)| (w.to_string(), json!(l))).collect::<serde_json::Map<_, _>>(),
            }),
        );
        db.close().await;
    }
    out.insert("lots".into(), json!(sizes.lots));
    out.insert("inspected".into(), json!(sizes.inspected));
    out.insert("clients".into(), json!(sizes.clients));
    out.insert("postgres".into(), json!("throwaway cluster on loopback, fsync on (durable), default settings otherwise"));
    drop(pg);
    Ok((table, Value::Object(out)))
}
