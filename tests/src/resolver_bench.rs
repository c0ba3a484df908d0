//! The bench's resolver section: the item page under `wrk` (a real HTTP load generator) at 64
//! connections, with the scan log off and on side by side in one run (verdicts/s, p50/p99,
//! errors), plus page bytes and time to first byte of one scan at a time.
//!
//! Each request is a different item of one large lot (a shopper's scan, not a reload), so with
//! the scan log on every request reads the item's counts and writes a row.

use crate::fixture::Consortium;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracepass::error::{ClientError, Result};
use tracepass::scans::{Regions, Rules, ScanLog};
use tracepass::serve::{serve_with, Limits, ServeConfig, ServeState};

/// Sizes of the resolver section.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Items in the lot (distinct URIs).
    pub items: usize,
    /// wrk connections.
    pub connections: usize,
    /// Seconds of load per configuration.
    pub seconds: u64,
}

/// What wrk measured.
#[derive(Debug, Clone, Default)]
struct Wrk {
    requests_per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    requests: u64,
    errors: u64,
}

fn ms(s: &str) -> Option<f64> {
    let (n, unit) = s.trim().split_at(s.trim().find(|c: char| c.is_ascii_alphabetic())?);
    let n: f64 = n.parse().ok()?;
    Some(match unit {
        "us" => n / 1000.0,
        "ms" => n,
        "s" => n * 1000.0,
        "m" => n * 60_000.0,
        _ => return None,
    })
}

/// Parses wrk's `--latency` report.
fn parse_wrk(out: &str) -> Result<Wrk> {
    let bad = || ClientError::Chain(format!("wrk's report not understood: {out}"));
    let mut w = Wrk::default();
    for line in out.lines().map(str::trim) {
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.as_slice() {
            ["50%", v] => w.p50_ms = ms(v).ok_or_else(bad)?,
            ["99%", v] => w.p99_ms = ms(v).ok_or_else(bad)?,
            ["Requests/sec:", v] => w.requests_per_second = v.parse().map_err(|_| bad())?,
            [n, "requests", "in", ..] => w.requests = n.parse().map_err(|_| bad())?,
            ["Non-2xx", "or", "3xx", "responses:", n] => w.errors += n.parse::<u64>().map_err(|_| bad())?,
            ["Socket", "errors:", rest @ ..] => {
                // "connect 0, read 0, write 0, timeout 0"
                for n in rest.iter().filter_map(|t| t.trim_end_matches(',').parse::<u64>().ok()) {
                    w.errors += n;
                }
            }
            _ => {}
        }
    }
    if w.requests == 0 {
        return Err(bad());
    }
    Ok(w)
}

/// Runs wrk against `base` over the paths in `paths_file`, each thread from its own offset.
async fn wrk(base: &str, paths_file: &std::path::Path, connections: usize, seconds: u64) -> Result<Wrk> {
    let script = paths_file.with_extension("lua");
    std::fs::write(
        &script,
        format!(
            "local paths = {{}}\nfor line in io.lines(\"{}\") do paths[#paths + 1] = line end\n\
             local threads = 0\n\
             function setup(thread) thread:set(\"start\", threads * math.floor(#paths / 2)); threads = threads + 1 end\n\
             local i = 0\n\
             function init(args) i = (start or 0) % #paths end\n\
             wrk.headers[\"Accept\"] = \"text/html\"\n\
             function request() i = i % #paths + 1; return wrk.format(\"GET\", paths[i]) end\n",
            paths_file.display()
        ),
    )
    .map_err(|e| ClientError::Io { path: script.display().to_string(), reason: e.to_string() })?;
    let out = tokio::process::Command::new("wrk")
        .args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s"), "--latency", "--timeout", "10s", "-s"])
        .arg(&script)
        .arg(base)
        .output()
        .await
        .map_err(|e| ClientError::Io { path: "wrk".into(), reason: format!("{e} (scripts/setup.sh installs Debian's wrk)") })?;
    parse_wrk(&String::from_utf8_lossy(&out.stdout))
}

/// One GET: (bytes of the answer's body, ms to its first byte).
async fn one(addr: &str, path: &str) -> Result<(usize, f64)> {
    let io = |e: std::io::Error| ClientError::Io { path: path.to_string(), reason: e.to_string() };
    let mut s = tokio::net::TcpStream::connect(addr).await.map_err(io)?;
    let t = Instant::now();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: text/html\r\nConnection: close\r\n\r\n").as_bytes()).await.map_err(io)?;
    let mut first = [0u8; 1];
    s.read_exact(&mut first).await.map_err(io)?;
    let ttfb = t.elapsed().as_secs_f64() * 1000.0;
    let mut rest = Vec::new();
    s.read_to_end(&mut rest).await.map_err(io)?;
    let body = rest.windows(4).position(|w| w == b"\r\n\r\n").map_or(0, |p| rest.len() - p - 4);
    Ok((body, ttfb))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

async fn start(state: ServeState) -> Result<(String, tokio::sync::oneshot::Sender<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| ClientError::Io { path: "bind".into(), reason: e.to_string() })?;
    let addr = listener.local_addr().map_err(|e| ClientError::Io { path: "bind".into(), reason: e.to_string() })?.to_string();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(serve_with(listener, state, async move {
        let _ = rx.await;
    }));
    Ok((addr, tx))
}

/// Registers the lot, measures both configurations, returns (Markdown table, JSON figures).
pub async fn run(c: &Consortium, url: &str, sizes: Sizes, say: impl Fn(&str)) -> Result<(String, Value)> {
    say(&format!("resolver: registering a lot of {} items", sizes.items));
    let (lot, _) = c.register_lot("RB-2026", "RB", sizes.items).await;
    let dir = tempfile::tempdir().map_err(|e| ClientError::Io { path: "tempdir".into(), reason: e.to_string() })?;
    let paths_file = dir.path().join("paths.txt");
    let mut paths = String::new();
    for i in 0..sizes.items {
        let uri = Consortium::link(&lot, i).uri("h");
        paths.push_str(uri.strip_prefix("https://h").unwrap_or(&uri));
        paths.push('\n');
    }
    std::fs::write(&paths_file, &paths).map_err(|e| ClientError::Io { path: paths_file.display().to_string(), reason: e.to_string() })?;
    let first_path = paths.lines().next().unwrap_or("/").to_string();

    // loopback is one client: the per-client limit is off here (the load is the point)
    let cfg = ServeConfig {
        limits: Limits { per_client_per_second: 0, ..Limits::for_chain_timeout(Duration::from_secs(10)) },
        ..ServeConfig::new(url, c.deployment.clone())
    };
    let scan_log = |n: usize| {
        let db = format!("sqlite://{}", dir.path().join(format!("scans-{n}.db")).display());
        async move { ScanLog::open(&db, Rules::default(), Regions::default()).await }
    };
    let (off, stop_off) = start(ServeState::new(cfg.clone())).await?;
    let (on, stop_on) = start(ServeState::with_scan_log(cfg.clone(), scan_log(0).await?)).await?;

    // page bytes and time to first byte, one scan at a time (the first, uncached, excluded)
    let mut single = serde_json::Map::new();
    for (name, addr) in [("off", &off), ("on", &on)] {
        one(addr, &first_path).await?;
        let mut t = Vec::new();
        let mut bytes = 0;
        for p in paths.lines().skip(1).take(51) {
            let (b, ms) = one(addr, p).await?;
            bytes = b;
            t.push(ms);
        }
        single.insert(name.into(), json!({ "page_bytes": bytes, "ttfb_ms_median": median(t) }));
    }

    let _ = stop_on.send(());
    // the load, off and on alternately, twice each; each round on a fresh scan log, so every
    // request is a first scan of its item by this client (a reload only reads)
    let (mut w_off, mut w_on) = (Vec::new(), Vec::new());
    for round in 0..2 {
        say(&format!("resolver: wrk, {} connections, {} s, scan log off (round {})", sizes.connections, sizes.seconds, round + 1));
        w_off.push(wrk(&format!("http://{off}"), &paths_file, sizes.connections, sizes.seconds).await?);
        let (on, stop_on) = start(ServeState::with_scan_log(cfg.clone(), scan_log(round + 1).await?)).await?;
        say(&format!("resolver: wrk, {} connections, {} s, scan log on (round {})", sizes.connections, sizes.seconds, round + 1));
        w_on.push(wrk(&format!("http://{on}"), &paths_file, sizes.connections, sizes.seconds).await?);
        let _ = stop_on.send(());
    }
    let _ = stop_off.send(());
    let pick = |v: &[Wrk]| v.iter().max_by(|a, b| a.requests_per_second.total_cmp(&b.requests_per_second)).cloned().unwrap_or_default();
    let (a, b) = (pick(&w_off), pick(&w_on));
    let ratio = if a.requests_per_second > 0.0 { b.requests_per_second / a.requests_per_second } else { 0.0 };
    let mut table = format!(
        "\n### The resolver under wrk ({} connections, {} s, {} distinct items; better of two rounds each)\n\n\
         | scan log | verdicts/s | p50 ms | p99 ms | requests | errors | page bytes | TTFB ms (one at a time) |\n|---|---:|---:|---:|---:|---:|---:|---:|\n",
        sizes.connections, sizes.seconds, sizes.items
    );
    for (name, w) in [("off", &a), ("on", &b)] {
        let s = &single[name];
        table.push_str(&format!(
            "| {name} | {:.0} | {:.2} | {:.2} | {} | {} | {} | {:.2} |\n",
            w.requests_per_second, w.p50_ms, w.p99_ms, w.requests, w.errors, s["page_bytes"], s["ttfb_ms_median"].as_f64().unwrap_or(0.0)
        ));
    }
    table.push_str(&format!("\nscan log on / off: {:.2} of the throughput", ratio));
    if a.requests.max(b.requests) > sizes.items as u64 {
        table.push_str(" (more requests than items: the later ones were reloads, which only read)");
    }
    table.push('\n');
    let fig = |w: &Wrk| json!({ "verdicts_per_second": w.requests_per_second, "p50_ms": w.p50_ms, "p99_ms": w.p99_ms, "requests": w.requests, "errors": w.errors });
    let v = json!({
        "items": sizes.items, "connections": sizes.connections, "seconds": sizes.seconds,
        "off": fig(&a), "on": fig(&b), "on_over_off": ratio, "single": single,
        "rounds": { "off": w_off.iter().map(fig).collect::<Vec<_>>(), "on": w_on.iter().map(fig).collect::<Vec<_>>() },
    });
    Ok((table, v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrk_reports_parse() {
        let out = "Running 3s test @ http://127.0.0.1:1\n  2 threads and 64 connections\n  Thread Stats   Avg      Stdev     Max   +/- Stdev\n    Latency    20.10ms   5.00ms  80.00ms   90.00%\n  Latency Distribution\n     50%   19.50ms\n     75%   22.00ms\n     90%   25.00ms\n     99%    1.20s\n  6000 requests in 3.00s, 30.00MB read\n  Socket errors: connect 0, read 2, write 0, timeout 1\n  Non-2xx or 3xx responses: 4\nRequests/sec:   2000.50\nTransfer/sec:     10.00MB\n";
        let w = parse_wrk(out).unwrap();
        assert_eq!((w.requests, w.errors), (6000, 7));
        assert_eq!((w.p50_ms, w.p99_ms, w.requests_per_second), (19.5, 1200.0, 2000.5));
        assert!(parse_wrk("nothing").is_err());
    }
}
