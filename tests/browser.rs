//! The GS1 Digital Link resolver (`tracepass serve`) on a real node, run in-process.
//!
//! - `chromium_shows_the_verdicts`: real headless Chromium, driven through chromedriver's W3C
//!   WebDriver HTTP API with a phone-sized screen, opens a genuine item's page and a forged
//!   serial's page (same proof), reads the verdicts and writes a screenshot of each to
//!   `target/artifacts/browser/`.
//! - `resolver_over_http`: plain HTTP: `Accept: application/json` gives exactly what `verify --json`
//!   prints; 400 for malformed paths; 404 for unknown items and products; the product page; 503
//!   from a resolver whose node is unreachable (at start, and after the connection drops), which
//!   keeps serving and reconnects once the node is back.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tracepass::gs1::DigitalLink;
use tracepass::lots::BuiltLot;
use tracepass::serve::{serve_until, ServeConfig};
use tracepass::shared::*;
use tracepass::Deployment;
use tracepass_e2e::fixture::{Consortium, CATEGORY};
use tracepass_e2e::{free_port, root, Node};

use tracepass_e2e::webdriver::WebDriver;

fn artifacts_dir() -> PathBuf {
    let dir = root().join("target/artifacts/browser");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir
}

// ---- the resolver, in-process ---------------------------------------------------------------

/// A resolver on a free loopback port, stopped when dropped.
struct Resolver {
    base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<tracepass::Result<()>>,
}

impl Resolver {
    async fn start(url: &str, deployment: &Deployment) -> Resolver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let cfg = ServeConfig { timeout: Duration::from_secs(10), ..ServeConfig::new(url, deployment.clone()) };
        let task = tokio::spawn(serve_until(listener, cfg, async move {
            let _ = rx.await;
        }));
        Resolver { base, stop: Some(tx), task }
    }

    /// The resolver's URL of a Digital Link.
    fn url(&self, dl: &DigitalLink) -> String {
        let uri = dl.uri("h");
        format!("{}{}", self.base, uri.strip_prefix("https://h").expect("uri"))
    }

    fn running(&self) -> bool {
        !self.task.is_finished()
    }
}

impl Drop for Resolver {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        self.task.abort();
    }
}

/// A plain HTTP GET: (status, content type, body). Blocking: call it from `fetch`.
fn get(url: &str, accept: &str) -> (u16, String, String) {
    let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build();
    let res = match agent.get(url).set("Accept", accept).call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("GET {url}: {e}"),
    };
    let (status, ctype) = (res.status(), res.header("content-type").unwrap_or("").to_string());
    (status, ctype, res.into_string().expect("body"))
}

async fn fetch(url: &str, accept: &str) -> (u16, String, String) {
    let (url, accept) = (url.to_string(), accept.to_string());
    tokio::task::spawn_blocking(move || get(&url, &accept)).await.expect("fetch")
}

const HTML: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
const JSON: &str = "application/json";

/// A node with the fixture consortium, [`populate`]'s lot, and a resolver serving them.
async fn served() -> (Node, Consortium, BuiltLot, Resolver) {
    let node = Node::start().await;
    let c = Consortium::setup(&node.url(), node.base.path()).await;
    let lot = populate(&c).await;
    let resolver = Resolver::start(&node.url(), &c.deployment).await;
    (node, c, lot, resolver)
}

/// A lot with a full story: certified factory, a trace, a voluntary inspection, customs clearance.
async fn populate(c: &Consortium) -> BuiltLot {
    let (k, tp) = (&c.keys, &c.tp);
    let (lot, id) = c.register_lot("B2026-11A", "AROHA", 100).await;
    let now = tp.chain.now_ms().await.expect("now");
    let (hour, year) = (3_600_000, 365 * 86_400_000);
    let at = |country: &[u8; 2], code: &[u8]| Location { country: CountryCode(*country), code: code.to_vec() };
    tp.attest_certification(&k.eve, c.factory, CATEGORY, b"ISO 22000".to_vec(), blake2_256(b"CERT-1"), now + year).await.expect("certify");
    tp.add_event(&k.merchant, id, BusinessStep::Packing, now - 72 * hour, at(b"NZ", b"NZHLZ"), [0; 32]).await.expect("packing");
    tp.add_event(&k.logistics, id, BusinessStep::Shipping, now - 60 * hour, at(b"NZ", b"NZAKL"), [0; 32]).await.expect("shipping");
    tp.add_event(&k.ferdie, id, BusinessStep::Arriving, now - 2 * hour, at(b"CN", b"CNSHA"), [0; 32]).await.expect("arriving");
    tp.attest_inspection(&k.eve, id, InspectionResult::Pass, b"GB 10765-2021".to_vec(), 20, blake2_256(b"report"), b"https://lab.example/r/1".to_vec(), now - hour, now + year, None)
        .await
        .expect("inspect");
    tp.attest_customs(&k.ferdie, id, b"CNSHA".to_vec(), blake2_256(b"declaration"), now).await.expect("clear");
    lot
}

fn forged(dl: &DigitalLink) -> DigitalLink {
    DigitalLink { serial: "AROHA99999999".into(), ..dl.clone() }
}

/// What the browser saw of one page.
#[derive(Debug)]
struct Seen {
    headline: String,
    reason: String,
    body: String,
    scripts: usize,
    resources: Value,
    screenshot: usize,
}

fn look(wd: &WebDriver, url: &str, shot: &Path) -> Seen {
    wd.goto(url);
    Seen {
        headline: wd.text("#verdict-headline"),
        reason: wd.text("#verdict-reason"),
        body: wd.text("body"),
        scripts: wd.elements("script").len(),
        resources: wd.script("return performance.getEntriesByType('resource').map(e => e.name);"),
        screenshot: wd.screenshot(shot),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_shows_the_verdicts() {
    let (_node, _c, lot, resolver) = served().await;
    let genuine = Consortium::link(&lot, 41);
    let (good_url, bad_url) = (resolver.url(&genuine), resolver.url(&forged(&genuine)));
    let (status, _, html) = fetch(&good_url, HTML).await;
    assert_eq!(status, 200);
    println!("genuine item page: {} bytes of HTML", html.len());

    let dir = artifacts_dir();
    let (good, bad) = tokio::task::spawn_blocking(move || {
        let wd = WebDriver::start(&dir.join("chromedriver.log"));
        let good = look(&wd, &good_url, &dir.join("genuine.png"));
        if let Some(n) = wd.full_page_screenshot(&dir.join("genuine-full.png")) {
            println!("full genuine page screenshot: {n} bytes");
        }
        let bad = look(&wd, &bad_url, &dir.join("forged.png"));
        if let Some(n) = wd.full_page_screenshot(&dir.join("forged-full.png")) {
            println!("full forged page screenshot: {n} bytes");
        }
        (good, bad)
    })
    .await
    .expect("browser");
    println!("genuine: {good:?}\nforged: {bad:?}");

    assert_eq!(good.headline, "GENUINE");
    assert!(good.reason.contains("registered"), "{}", good.reason);
    for evidence in ["Aroha", "ISO 22000", "cleared at CNSHA", "GB 10765-2021", "Packing", "Shipping", "Arriving", "CN CNSHA", "AROHA00000041"] {
        assert!(good.body.contains(evidence), "{evidence} not on the genuine page:\n{}", good.body);
    }
    assert_eq!(bad.headline, "NOT GENUINE: serial not in this lot");
    assert!(bad.reason.contains("AROHA99999999"), "{}", bad.reason);
    assert!(!bad.body.contains("GENUINE\n"), "{}", bad.body);
    for seen in [&good, &bad] {
        assert_eq!(seen.scripts, 0, "the page has scripts");
        assert_eq!(seen.resources, json!([]), "the page loaded other resources");
        assert!(seen.screenshot > 1_000, "screenshot too small");
    }
    assert!(resolver.running());
}

/// A TCP relay in front of the node that can be switched off (refusing new connections and
/// cutting the open ones) and on again: a node that goes away and comes back at the same address.
struct Relay {
    port: u16,
    up: Arc<AtomicBool>,
    cut: tokio::sync::watch::Sender<u64>,
    task: tokio::task::JoinHandle<()>,
}

impl Relay {
    async fn start(target: u16) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let up = Arc::new(AtomicBool::new(false));
        let (cut, _) = tokio::sync::watch::channel(0u64);
        let (up2, cut2) = (up.clone(), cut.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !up2.load(Ordering::SeqCst) {
                    continue; // dropped: the connection closes at once
                }
                let mut cut = cut2.subscribe();
                tokio::spawn(async move {
                    use tokio::io::{AsyncReadExt, AsyncWriteExt};
                    let Ok(mut outbound) = tokio::net::TcpStream::connect(("127.0.0.1", target)).await else { return };
                    // the node accepts only its own address as Host: rewrite the handshake's
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match inbound.read(&mut buf).await {
                            Ok(n) if n > 0 && head.len() < 65_536 => head.extend_from_slice(&buf[..n]),
                            _ => return,
                        }
                    }
                    let head = String::from_utf8_lossy(&head).replace(&format!("127.0.0.1:{port}"), &format!("127.0.0.1:{target}"));
                    if outbound.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Relay { port, up, cut, task }
    }

    fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
        if !up {
            self.cut.send_modify(|n| *n += 1);
        }
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolver_over_http() {
    let (node, c, lot, r) = served().await;
    let item = Consortium::link(&lot, 7);

    // the page, and exactly what `verify --json` prints on Accept: application/json
    let (status, ctype, html) = fetch(&r.url(&item), HTML).await;
    assert_eq!((status, ctype.as_str()), (200, "text/html; charset=utf-8"));
    assert!(html.contains(">GENUINE</h1>") && !html.contains("<script"), "{html}");
    println!("genuine item page: {} bytes of HTML", html.len());
    for dl in [item.clone(), forged(&item)] {
        let (status, ctype, body) = fetch(&r.url(&dl), JSON).await;
        assert_eq!((status, ctype.as_str()), (200, "application/json"));
        let expected = serde_json::to_value(tracepass::verify::verify(&c.tp, &dl).await.expect("verify")).expect("json");
        assert_eq!(serde_json::from_str::<Value>(&body).expect("json body"), expected);
    }
    let (_, _, body) = fetch(&r.url(&forged(&item)), JSON).await;
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["verdict"], "not_in_lot");

    // malformed paths: 400 with the reason
    let gtin = c.gtin.to_string();
    let proof = item.proof.as_ref().expect("proof").encode();
    let bad_check = format!("{}{}", &gtin[..13], (gtin.as_bytes()[13] - b'0' + 1) % 10);
    for (path, why) in [
        (format!("/01/{bad_check}/10/{}/21/{}?p={proof}", item.lot, item.serial), "BadCheckDigit"),
        (format!("/01/{gtin}/10/B%20X/21/{}?p={proof}", item.serial), "lot"),
        (format!("/01/{gtin}/10/{}/21/A%20B?p={proof}", item.lot), "serial"),
        (format!("/01/{gtin}/10/{}/21/{}?p=@@@", item.lot, item.serial), "proof"),
        (format!("/01/{gtin}/10/{}", item.lot), "expected /01/{gtin}/10/{lot}/21/{serial}"),
        (format!("/01/{bad_check}"), "BadCheckDigit"),
    ] {
        let (status, _, page) = fetch(&format!("{}{path}", r.base), HTML).await;
        assert_eq!(status, 400, "{path}: {page}");
        assert!(page.contains(why) && page.contains("This link is not valid"), "{path}: {page}");
        let (status, _, body) = fetch(&format!("{}{path}", r.base), JSON).await;
        assert_eq!(status, 400, "{path}");
        assert!(serde_json::from_str::<Value>(&body).unwrap()["error"].as_str().unwrap().contains(why), "{body}");
    }

    // an unknown lot: 404 with the not-registered verdict (the same in JSON)
    let unknown = DigitalLink { lot: "NOPE1".into(), ..item.clone() };
    let (status, _, page) = fetch(&r.url(&unknown), HTML).await;
    assert_eq!(status, 404);
    assert!(page.contains("NOT GENUINE: not registered"), "{page}");
    let (status, _, body) = fetch(&r.url(&unknown), JSON).await;
    assert_eq!(status, 404);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["verdict"], "not_registered");

    // the product page (and an unknown product)
    let (status, _, page) = fetch(&format!("{}/01/{gtin}", r.base), HTML).await;
    assert_eq!(status, 200, "{page}");
    for s in ["Aroha", "190110", "NZ", "Active", "ISO 22000"] {
        assert!(page.contains(s), "{s} not on the product page: {page}");
    }
    let (status, _, body) = fetch(&format!("{}/01/{gtin}", r.base), JSON).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((v["product"]["brand"].as_str(), v["merchant"]["status"].as_str()), (Some("Aroha"), Some("Active")), "{v}");
    let (status, _, page) = fetch(&format!("{}/01/4006381333931", r.base), HTML).await;
    assert_eq!(status, 404);
    assert!(page.contains("not registered"), "{page}");
    assert_eq!(fetch(&format!("{}/healthz", r.base), "*/*").await.0, 200);

    // a node that cannot be reached: 503 pages, and the resolver keeps serving
    let closed = Resolver::start(&format!("ws://127.0.0.1:{}", free_port()), &c.deployment).await;
    for _ in 0..3 {
        let (status, _, page) = fetch(&closed.url(&item), HTML).await;
        assert_eq!(status, 503, "{page}");
        assert!(page.contains("Cannot check right now"), "{page}");
        let (status, _, body) = fetch(&closed.url(&item), JSON).await;
        assert_eq!(status, 503);
        assert!(serde_json::from_str::<Value>(&body).unwrap()["error"].is_string(), "{body}");
        assert_eq!(fetch(&format!("{}/01/{gtin}", closed.base), HTML).await.0, 503);
        assert_eq!(fetch(&format!("{}/healthz", closed.base), "*/*").await.0, 503);
    }
    assert!(closed.running());
    // bad input is still the caller's fault (400), whatever the chain
    assert_eq!(fetch(&format!("{}/01/{bad_check}", closed.base), HTML).await.0, 400);

    // down at start, up (connects lazily), dropped (503, no crash), back (reconnects)
    let relay = Relay::start(node.port).await;
    let lazy = Resolver::start(&relay.url(), &c.deployment).await;
    assert_eq!(fetch(&lazy.url(&item), HTML).await.0, 503);
    relay.set_up(true);
    let (status, _, page) = fetch(&lazy.url(&item), HTML).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains(">GENUINE</h1>"));
    relay.set_up(false);
    let (status, _, page) = fetch(&lazy.url(&item), HTML).await;
    assert_eq!(status, 503, "{page}");
    assert_eq!(fetch(&format!("{}/healthz", lazy.base), "*/*").await.0, 503);
    relay.set_up(true);
    let (status, _, body) = fetch(&lazy.url(&item), JSON).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["verdict"], "genuine");
    assert!(lazy.running() && r.running());
}
