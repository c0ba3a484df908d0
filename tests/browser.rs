//! The GS1 Digital Link resolver (`tracepass serve`) on a real node, run in-process.
//!
//! - `chromium_shows_the_verdicts`: real headless Chromium, driven through chromedriver's W3C
//!   WebDriver HTTP API with a phone-sized screen, opens the pages of a genuine item, a forged
//!   serial (same proof), a recalled lot, a lot held by customs, a lot selected by sampling and
//!   not inspected, a lot whose sampling draw is pending, and a copied code (scanned from seven
//!   networks), each in English and Chinese (`?lang=`); reads the verdicts, checks contrast,
//!   text size and that CJK draws real glyphs (not tofu), and writes a screenshot of each to
//!   `target/artifacts/browser/{page}-{lang}.png`.
//! - `resolver_over_http`: plain HTTP: `Accept: application/json` gives exactly what `verify --json`
//!   prints; HEAD, OPTIONS (CORS preflight) and any origin; 400 for malformed paths; 404 for
//!   unknown items and products; the product page; 503 from a resolver whose node is
//!   unreachable (at start, and after the connection drops), which keeps serving and
//!   reconnects once the node is back.
//! - `copied_codes_are_flagged`: the scan log: one URI from 20 networks (source addresses
//!   127.n.0.1) is flagged on the page, in the JSON and in the merchant's list in the query API.
//! - `claims_are_once`: the buyer's claim: the first stands, a second is refused with its time,
//!   a forged serial cannot be claimed, a resolver without a scan log takes none.
//! - `resolver_holds_under_abuse`: slowloris, the connection cap, the per-client rate, a flood of
//!   cache-missing URIs (503s, one node connection), overlong input.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tracepass::gs1::DigitalLink;
use tracepass::lots::BuiltLot;
use tracepass::scans::{Regions, Rules, ScanLog};
use tracepass::serve::{serve_with, ServeConfig, ServeState};
use tracepass::shared::*;
use tracepass::Deployment;
use tracepass_e2e::fixture::{self, Consortium, CATEGORY};
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
        let cfg = ServeConfig { timeout: Duration::from_secs(10), ..ServeConfig::new(url, deployment.clone()) };
        Resolver::start_with(ServeState::new(cfg)).await
    }

    /// A resolver keeping its scan log in the database at `db` (default rules).
    async fn start_logged(url: &str, deployment: &Deployment, db: &str) -> Resolver {
        let cfg = ServeConfig { timeout: Duration::from_secs(10), ..ServeConfig::new(url, deployment.clone()) };
        let log = ScanLog::open(db, Rules::default(), Regions::default()).await.expect("scan log");
        Resolver::start_with(ServeState::with_scan_log(cfg, log)).await
    }

    async fn start_with(state: ServeState) -> Resolver {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(serve_with(listener, state, async move {
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
    // display names: the merchant, the agency and customs by governance vote, the factory by
    // its merchant; the logistics member stays unnamed
    for (who, name) in [(k.merchant.account(), "Aroha Dairy"), (k.eve.account(), "Eve Food Labs"), (k.ferdie.account(), "上海海关 Shanghai Customs")] {
        let id = tp.propose(&k.bob, Action::SetDisplayName { account: who, name: name.as_bytes().to_vec() }).await.expect("propose name").value;
        tp.approve(&k.charlie, id).await.expect("approve name");
        tp.execute(&k.bob, id).await.expect("execute name");
    }
    tp.set_factory_name(&k.merchant, c.factory, "Hamilton Plant").await.expect("factory name");
    lot
}

fn forged(dl: &DigitalLink) -> DigitalLink {
    DigitalLink { serial: "AROHA99999999".into(), ..dl.clone() }
}

/// What the browser saw of one page.
#[derive(Debug)]
struct Seen {
    lang: String,
    headline: String,
    reason: String,
    body: String,
    scripts: usize,
    resources: Value,
    /// The lowest contrast ratio (WCAG) of any text on the page, and where.
    contrast: f64,
    contrast_at: String,
    /// The smallest font size of any text, in CSS pixels.
    font_px: f64,
    /// How many of four distinct CJK characters draw distinct glyphs in the page's font (4: real
    /// glyphs; 1: the same missing-glyph box for all, "tofu").
    cjk_glyphs: u64,
    screenshot: usize,
}

/// The lowest WCAG contrast ratio of any element's own text against its effective background,
/// and the smallest font size of text.
const READABILITY: &str = r#"
const lum = c => { const [r, g, b] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
const bg = el => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor; const m = c.match(/[\d.]+/g); if (m && (m.length < 4 || +m[3] > 0)) return c; } return 'rgb(255, 255, 255)'; };
let worst = 99, at = '', smallest = 99;
for (const el of document.querySelectorAll('body *')) {
  if (![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
  const s = getComputedStyle(el);
  if (s.display === 'none' || s.visibility === 'hidden' || el.getAttribute('aria-hidden') === 'true') continue;
  const [a, b] = [lum(s.color), lum(bg(el))];
  const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  if (ratio < worst) { worst = ratio; at = el.tagName + '.' + el.className + ': ' + el.textContent.trim().slice(0, 40); }
  smallest = Math.min(smallest, parseFloat(s.fontSize));
}
return { contrast: worst, at, font_px: smallest };
"#;

/// Draws four CJK characters in the headline's font on a canvas and counts the distinct images.
const CJK_GLYPHS: &str = r#"
const font = getComputedStyle(document.getElementById('verdict-headline')).fontFamily;
const draw = ch => { const c = document.createElement('canvas'); c.width = c.height = 64; const x = c.getContext('2d'); x.font = '48px ' + font; x.fillText(ch, 4, 52); return c.toDataURL(); };
return new Set(['正', '品', '查', '询'].map(draw)).size;
"#;

fn look(wd: &WebDriver, url: &str, shot: &Path) -> Seen {
    wd.goto(url);
    let r = wd.script(READABILITY);
    Seen {
        lang: wd.script("return document.documentElement.lang;").as_str().unwrap_or("").to_string(),
        headline: wd.text("#verdict-headline"),
        reason: wd.text("#verdict-reason"),
        body: wd.text("body"),
        scripts: wd.elements("script").len(),
        resources: wd.script("return performance.getEntriesByType('resource').map(e => e.name);"),
        contrast: r["contrast"].as_f64().expect("contrast"),
        contrast_at: r["at"].as_str().unwrap_or("").to_string(),
        font_px: r["font_px"].as_f64().expect("font size"),
        cjk_glyphs: wd.script(CJK_GLYPHS).as_u64().expect("glyphs"),
        screenshot: wd.screenshot(shot),
    }
}

/// `url` with `lang=` added to its query.
fn in_lang(url: &str, lang: &str) -> String {
    format!("{url}{}lang={lang}", if url.contains('?') { '&' } else { '?' })
}

/// A governance rule: every lot of the fixture's category is sampled (proposed, approved, run).
async fn sample_nearly_every_lot(c: &Consortium) {
    let (k, tp) = (&c.keys, &c.tp);
    // 99.99 %, not 100 %: a 100 % rule needs no draw, so its lots are never pending one
    let rule = Action::SetSamplingRule { key: RuleKey { category: Some(CATEGORY), origin: None, tier: None }, rate_bps: 9_999 };
    let id = tp.propose(&k.bob, rule).await.expect("propose").value;
    tp.approve(&k.charlie, id).await.expect("approve");
    tp.execute(&k.bob, id).await.expect("execute");
}

/// Lots in each state a shopper may meet, besides [`populate`]'s genuine one: recalled, held by
/// customs, selected by sampling and not inspected yet, and registered in an epoch whose draw is
/// still pending. Returns their Digital Links in that order.
async fn lots_in_every_state(c: &Consortium) -> [DigitalLink; 4] {
    let (k, tp) = (&c.keys, &c.tp);
    let (recalled, id) = c.register_lot("R2026-01", "RCL", 5).await;
    tp.recall(&k.merchant, id, blake2_256(b"labelling error")).await.expect("recall");
    let (held, id) = c.register_lot("H2026-01", "HLD", 5).await;
    let now = tp.chain.now_ms().await.expect("now");
    tp.add_event(&k.ferdie, id, BusinessStep::Holding, now, Location { country: CountryCode(*b"CN"), code: b"CNSHA".to_vec() }, [0; 32]).await.expect("hold");
    // sampling: every lot of the category; an epoch with two committed seeds, a lot in it, the
    // draw revealed and finalized (the lot is selected); then a lot in an epoch not drawn yet
    sample_nearly_every_lot(c).await;
    let epoch = fixture::epoch_to_commit(tp, 2_000).await;
    let secrets = [(&k.bob, [11u8; 32]), (&k.eve, [22u8; 32])];
    for (who, secret) in &secrets {
        tp.commit(who, epoch, seed_commitment(secret, &who.account())).await.expect("commit");
    }
    fixture::advance_to_open(tp, &k.alice, epoch).await;
    let (selected, _) = c.register_lot("S2026-01", "SEL", 5).await;
    fixture::advance_to_close(tp, &k.alice, epoch).await;
    for (who, secret) in &secrets {
        tp.reveal(who, epoch, *secret).await.expect("reveal");
    }
    tp.finalize(&k.alice, epoch).await.expect("finalize");
    let (pending, _) = c.register_lot("P2026-01", "PND", 5).await;
    [Consortium::link(&recalled, 1), Consortium::link(&held, 1), Consortium::link(&selected, 1), Consortium::link(&pending, 1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_shows_the_verdicts() {
    let (node, c, lot, resolver) = served().await;
    let genuine = Consortium::link(&lot, 41);
    let [recalled, held, selected, pending] = lots_in_every_state(&c).await;
    let (status, _, html) = fetch(&resolver.url(&genuine), HTML).await;
    assert_eq!(status, 200);
    println!("genuine item page: {} bytes of HTML", html.len());

    // a copied code: scanned from six networks before the browser's (loopback) scan
    let db_dir = tempfile::tempdir().expect("tempdir");
    let logged = Resolver::start_logged(&node.url(), &c.deployment, &format!("sqlite://{}", db_dir.path().join("scans.db").display())).await;
    let copied_url = logged.url(&Consortium::link(&lot, 42));
    for n in 1..=6u8 {
        assert_eq!(get_from([127, n, 0, 1], &copied_url, HTML).await.0, 200);
    }

    // each page, headline in English and in Chinese
    let pages: Vec<(&str, String, &str, &str)> = vec![
        ("genuine", resolver.url(&genuine), "GENUINE", "正品"),
        ("forged", resolver.url(&forged(&genuine)), "NOT GENUINE: serial not in this lot", "非正品：序列号不在此批次中"),
        ("recalled", resolver.url(&recalled), "RECALLED: do not use", "已召回：请勿使用"),
        ("held", resolver.url(&held), "ON HOLD: not released for sale", "已扣留：未放行销售"),
        ("selected", resolver.url(&selected), "NOT VERIFIED: awaiting inspection", "未能核实：等待抽检"),
        ("pending", resolver.url(&pending), "NOT VERIFIED YET: inspection selection pending", "尚未核实：抽检选择待定"),
        ("copied", copied_url, "GENUINE", "正品"),
    ];
    let claim_url = logged.url(&Consortium::link(&lot, 43));
    let dir = artifacts_dir();
    let (seen, claimed) = tokio::task::spawn_blocking(move || {
        let wd = WebDriver::start(&dir.join("chromedriver.log"));
        // the buyer taps "I bought this": a plain form post, then the page again (303)
        wd.goto(&claim_url);
        let button = wd.elements("#claim button").into_iter().next().expect("the claim button");
        wd.cmd("POST", &format!("/element/{button}/click"), Some(json!({})));
        // the post and the page after it load after the click returns: wait for the answer
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while wd.elements("#claimed").is_empty() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
        let claimed = if wd.elements("#claimed").is_empty() { wd.text("body") } else { wd.text("#claimed") };
        wd.screenshot(&dir.join("claimed-en.png"));
        let mut seen = vec![];
        for (name, url, en, zh) in pages {
            for (lang, headline) in [("en", en), ("zh", zh)] {
                let s = look(&wd, &in_lang(&url, lang), &dir.join(format!("{name}-{lang}.png")));
                if name == "genuine" {
                    if let Some(n) = wd.full_page_screenshot(&dir.join(format!("genuine-{lang}-full.png"))) {
                        println!("full genuine page screenshot ({lang}): {n} bytes");
                    }
                }
                seen.push((name, lang, headline, s));
            }
        }
        (seen, claimed)
    })
    .await
    .expect("browser");
    assert!(claimed.starts_with("Claimed by its buyer on "), "{claimed}");

    for (name, lang, headline, s) in &seen {
        println!("{name} ({lang}): {:?} / {:?}; contrast {:.2} at {}; smallest text {} px; {} CJK glyphs", s.headline, s.reason, s.contrast, s.contrast_at, s.font_px, s.cjk_glyphs);
        assert_eq!(s.headline, *headline, "{name} ({lang})");
        assert_eq!(s.lang, if *lang == "zh" { "zh-CN" } else { "en" }, "{name}");
        assert_eq!(s.scripts, 0, "{name} ({lang}): the page has scripts");
        assert_eq!(s.resources, json!([]), "{name} ({lang}): the page loaded other resources");
        assert!(s.screenshot > 1_000, "{name} ({lang}): screenshot too small");
        // readable: WCAG AA contrast for body text, nothing smaller than 12 px
        assert!(s.contrast >= 4.5, "{name} ({lang}): contrast {:.2} at {}", s.contrast, s.contrast_at);
        assert!(s.font_px >= 12.0, "{name} ({lang}): text of {} px", s.font_px);
        // CJK is drawn with real glyphs, not one missing-glyph box for every character
        assert_eq!(s.cjk_glyphs, 4, "{name} ({lang}): CJK characters render alike (tofu): is fonts-noto-cjk installed?");
        if *lang == "zh" {
            assert!(!s.reason.is_ascii() && !s.body.contains("This item"), "{name}: English on the Chinese page:\n{}", s.body);
        }
    }
    let page = |name: &str, lang: &str| &seen.iter().find(|(n, l, ..)| *n == name && *l == lang).expect("page").3;
    let good = page("genuine", "en");
    assert!(good.reason.contains("registered"), "{}", good.reason);
    for evidence in ["Aroha", "ISO 22000", "cleared at CNSHA", "GB 10765-2021", "Packing", "Shipping", "Arriving", "CN CNSHA", "AROHA00000041"] {
        assert!(good.body.contains(evidence), "{evidence} not on the genuine page:\n{}", good.body);
    }
    // names, not addresses: the merchant, the agency, customs and the factory by name; the
    // unnamed logistics member said to be unnamed; addresses folded away (not in the page's text)
    for name in ["Aroha Dairy", "Eve Food Labs", "上海海关 Shanghai Customs", "Hamilton Plant (#1)", "(no name on chain)"] {
        assert!(good.body.contains(name), "{name} not on the genuine page:\n{}", good.body);
    }
    for who in [&c.keys.merchant, &c.keys.eve, &c.keys.ferdie, &c.keys.logistics] {
        let address = tracepass::fmt::ss58(&who.account());
        assert!(!good.body.contains(&address), "{address} shown on the page:\n{}", good.body);
    }
    assert!(page("genuine", "zh").body.contains("Eve Food Labs") && page("genuine", "zh").body.contains("链上未登记名称"));
    let good = page("genuine", "zh");
    for evidence in ["ISO 22000", "已在 CNSHA 通关", "依据 GB 10765-2021 检验合格", "包装", "发运", "到港", "AROHA00000041", "此件商品"] {
        assert!(good.body.contains(evidence), "{evidence} not on the Chinese genuine page:\n{}", good.body);
    }
    let bad = page("forged", "en");
    assert!(bad.reason.contains("AROHA99999999"), "{}", bad.reason);
    assert!(!bad.body.contains("GENUINE\n"), "{}", bad.body);
    assert!(page("forged", "zh").reason.contains("序列号 AROHA99999999 不在批次"), "{}", page("forged", "zh").reason);
    assert!(page("pending", "en").body.contains("Sampling draw pending"), "{}", page("pending", "en").body);
    assert!(page("pending", "zh").body.contains("抽样待定"), "{}", page("pending", "zh").body);
    assert!(page("selected", "zh").body.contains("抽样选中此批次进行检验"));
    let copied = page("copied", "en");
    assert!(copied.body.contains("This code may have been copied") && copied.body.contains("from 7 different regions"), "{}", copied.body);
    let copied = page("copied", "zh");
    assert!(copied.body.contains("此码可能被复制") && copied.body.contains("从 7 个不同地区被查询"), "{}", copied.body);
    assert!(resolver.running());
}

/// One GS1-Conformant Resolver answer: status, headers by lower-case name, body.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: std::collections::HashMap<String, String>,
    body: String,
}

/// `method url` with `accept`, redirects not followed.
async fn ask(method: &str, url: &str, accept: &str) -> Answer {
    let (method, url, accept) = (method.to_string(), url.to_string(), accept.to_string());
    tokio::task::spawn_blocking(move || {
        let agent = ureq::AgentBuilder::new().redirects(0).timeout(Duration::from_secs(60)).build();
        let res = match agent.request(&method, &url).set("Accept", &accept).call() {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {url}: {e}"),
        };
        let headers = res.headers_names().into_iter().map(|n| (n.to_ascii_lowercase(), res.header(&n).unwrap_or("").to_string())).collect();
        Answer { status: res.status(), headers, body: res.into_string().unwrap_or_default() }
    })
    .await
    .expect("request")
}

/// Each behaviour GS1's Conformance1_2 list asks of a resolver, on `item` (a real, genuine item):
/// returns how many were checked.
async fn gs1_conformance(r: &Resolver, item: &DigitalLink) -> usize {
    let linkset_schema = tracepass::epcis::compile_schema(include_str!("../client/schemas/gs1-resolver-linkset-schema.json")).expect("schema");
    let description_schema = tracepass::epcis::compile_schema(include_str!("../client/schemas/gs1-resolver-description-file-schema.json")).expect("schema");
    let url = r.url(item);
    let anchor = format!("{}{}", r.base, item.path());
    let proof = format!("p={}", item.proof.as_ref().expect("proof").encode());
    let linkset_link = format!("<{anchor}?linkType=linkset>; rel=\"linkset\"");
    let mut checked = 0;

    // the linkset: by ?linkType=linkset (whatever the Accept) and by Accept; valid against GS1's
    // schema, exactly one default link, every link with target, type and title, anchored at the
    // uncompressed URI, the proof carried on every link
    for (u, accept) in [(format!("{url}&linkType=linkset"), HTML), (url.clone(), "application/linkset+json")] {
        let a = ask("GET", &u, accept).await;
        assert_eq!((a.status, a.headers["content-type"].as_str()), (200, "application/linkset+json"), "{u}: {a:?}");
        let v: Value = serde_json::from_str(&a.body).expect("linkset JSON");
        assert_eq!(tracepass::epcis::schema_errors_with(&linkset_schema, &v, 5), Vec::<String>::new(), "{v}");
        let set = &v["linkset"][0];
        assert_eq!(set["anchor"], anchor);
        assert_eq!(set["https://gs1.org/voc/defaultLink"].as_array().expect("default").len(), 1);
        for t in ["pip", "certificationInfo", "traceability", "recallStatus"] {
            for l in set[format!("https://gs1.org/voc/{t}")].as_array().unwrap_or_else(|| panic!("no {t} link: {v}")) {
                assert!(l["title"].as_str().is_some_and(|t| !t.is_empty()) && l["type"] == "text/html", "{l}");
                assert!(l["href"].as_str().unwrap().starts_with(&r.base) && l["href"].as_str().unwrap().contains(&proof), "{l}");
            }
        }
        assert!(a.headers["link"].starts_with(&linkset_link), "{:?}", a.headers);
        checked += 1;
    }
    // linkType=all with Accept: application/json (GS1 1.1 clients): the same list as plain JSON
    let a = ask("GET", &format!("{url}&linkType=all"), JSON).await;
    assert_eq!((a.status, a.headers["content-type"].as_str()), (200, "application/json"));
    assert!(serde_json::from_str::<Value>(&a.body).unwrap()["linkset"][0]["anchor"] == anchor);
    checked += 1;

    // the page, its JSON and HEAD carry the Link header to the linkset, and CORS on a plain GET
    for (method, accept) in [("GET", HTML), ("GET", JSON), ("HEAD", HTML)] {
        let a = ask(method, &url, accept).await;
        assert_eq!(a.status, 200);
        assert!(a.headers["link"].starts_with(&linkset_link), "{method} {accept}: {:?}", a.headers);
        assert!(a.headers["access-control-allow-methods"].contains("OPTIONS") && a.headers["access-control-allow-origin"] == "*");
        checked += 1;
    }

    // ?linkType= redirects (307) to that link, the rest of the query passed on, the Link header
    // kept; as a CURIE or as the vocabulary's URI
    for (link_type, target) in [
        ("gs1:pip", format!("{}/01/{}?{proof}&foo=bar", r.base, item.gtin)),
        ("https://gs1.org/voc/traceability", format!("{anchor}?{proof}&foo=bar#trace")),
        ("gs1:certificationInfo", format!("{anchor}?{proof}&foo=bar#factory-certification")),
        ("gs1:recallStatus", format!("{anchor}?{proof}&foo=bar#verdict")),
    ] {
        let a = ask("GET", &format!("{url}&linkType={link_type}&foo=bar"), HTML).await;
        assert_eq!((a.status, a.headers.get("location")), (307, Some(&target)), "{link_type}: {a:?}");
        assert!(a.headers["link"].starts_with(&linkset_link));
        checked += 1;
    }
    // the default link is this page: no redirect to itself; an unknown type: the page as well
    for link_type in ["gs1:defaultLink", "gs1:noSuchType", "schema:pip"] {
        let a = ask("GET", &format!("{url}&linkType={link_type}"), HTML).await;
        assert!(a.status == 200 && a.body.contains(">GENUINE</h1>"), "{link_type}: {}", a.status);
        checked += 1;
    }

    // a trailing slash changes nothing; a further segment is a syntax error: 400, never 200
    let (path, query) = url.split_once('?').expect("query");
    let slash = ask("GET", &format!("{path}/?{query}"), JSON).await;
    let plain = ask("GET", &url, JSON).await;
    assert_eq!((slash.status, &slash.body), (plain.status, &plain.body));
    let product = ask("GET", &format!("{}/01/{}/", r.base, item.gtin), JSON).await;
    assert_eq!(product.status, 200);
    let longer = ask("GET", &format!("{path}/foo?{query}"), HTML).await;
    assert_eq!(longer.status, 400);
    checked += 3;

    // an unregistered item has no links: 404
    let unknown = DigitalLink { lot: "NOPE9".into(), ..item.clone() };
    let a = ask("GET", &format!("{}&linkType=linkset", r.url(&unknown)), HTML).await;
    assert_eq!(a.status, 404, "{a:?}");
    checked += 1;

    // a compressed Digital Link (GS1's compression, as its toolkit writes it): the same answer as
    // the uncompressed one, on the same URI (no redirect), the uncompressed URI as owl:sameAs
    let short = format!("{}/{}?{proof}", r.base, tracepass::gs1::compressed::compress(item));
    for accept in [JSON, HTML] {
        let (c, u) = (ask("GET", &short, accept).await, ask("GET", &url, accept).await);
        assert_eq!(c.status, 200, "{short}: {c:?}");
        if accept == JSON {
            assert_eq!(serde_json::from_str::<Value>(&c.body).unwrap(), serde_json::from_str::<Value>(&u.body).unwrap());
        }
        let same_as = format!("<{url}>; rel=\"owl:sameAs\"");
        assert!(c.headers["link"].contains(&same_as) && c.headers["link"].contains(&linkset_link), "{:?}", c.headers);
    }
    let a = ask("HEAD", &short, HTML).await;
    assert!(a.status == 200 && a.headers["link"].contains("owl:sameAs"));
    // a compressed link with a bad GTIN is a 400; a path that is no compressed link a 404
    // (one character of the GTIN's bits changed: its check digit no longer holds)
    let mut segment = tracepass::gs1::compressed::compress(item);
    segment.replace_range(2..3, if &segment[2..3] == "A" { "B" } else { "A" });
    assert_eq!(ask("GET", &format!("{}/{segment}", r.base), HTML).await.status, 400, "{segment}");
    assert_eq!(ask("GET", &format!("{}/no-such-page-here", r.base), HTML).await.status, 404);
    checked += 3;

    // the resolver description file, valid against GS1's schema, rooted at the resolver
    let a = ask("GET", &format!("{}/.well-known/gs1resolver", r.base), JSON).await;
    assert_eq!((a.status, a.headers["content-type"].as_str()), (200, "application/json"));
    let v: Value = serde_json::from_str(&a.body).expect("description JSON");
    assert_eq!(tracepass::epcis::schema_errors_with(&description_schema, &v, 5), Vec::<String>::new(), "{v}");
    assert_eq!((v["resolverRoot"].as_str(), v["supportedPrimaryKeys"][0].as_str()), (Some(r.base.as_str()), Some("01")));
    assert_eq!(a.headers["access-control-allow-origin"], "*");
    checked += 1;
    checked
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

    // HEAD gives GET's headers without the body; OPTIONS is a CORS preflight; any origin may read
    let url = r.url(&item);
    let (head, options, cors) = tokio::task::spawn_blocking(move || {
        let agent = ureq::AgentBuilder::new().build();
        let h = agent.head(&url).call().expect("HEAD");
        let head = (h.status(), h.header("content-type").map(String::from), h.into_string().unwrap());
        let o = agent.request("OPTIONS", &url).set("Origin", "https://shop.example").set("Access-Control-Request-Method", "GET").call().expect("OPTIONS");
        let options = (o.status(), o.header("access-control-allow-methods").map(String::from), o.header("access-control-allow-origin").map(String::from));
        let g = agent.get(&url).set("Origin", "https://shop.example").set("Accept", JSON).call().expect("GET");
        (head, options, g.header("access-control-allow-origin").map(String::from))
    })
    .await
    .unwrap();
    assert_eq!(head, (200, Some("text/html; charset=utf-8".into()), String::new()));
    assert_eq!(options, (204, Some("GET, HEAD, OPTIONS".into()), Some("*".into())));
    assert_eq!(cors.as_deref(), Some("*"));

    // the page's language: Accept-Language, overridden by ?lang=; the JSON is the same in every
    // language; caches are told the answer varies by both headers
    let url = r.url(&item);
    let langs = tokio::task::spawn_blocking(move || {
        let agent = ureq::AgentBuilder::new().build();
        let get = |url: &str, accept: &str, lang: &str| {
            let res = agent.get(url).set("Accept", accept).set("Accept-Language", lang).call().expect("GET");
            let h = |n: &str| res.header(n).unwrap_or("").to_string();
            (h("content-language"), h("vary"), res.into_string().expect("body"))
        };
        [
            get(&url, HTML, "zh-CN,zh;q=0.9,en;q=0.8"),
            get(&url, HTML, "en-US,en;q=0.9"),
            get(&format!("{url}&lang=en"), HTML, "zh-CN"),
            get(&format!("{url}&lang=zh"), HTML, "en"),
            get(&url, HTML, "fr-FR, de;q=0.9"),
            get(&url, JSON, "zh-CN"),
            get(&url, JSON, "en"),
        ]
    })
    .await
    .unwrap();
    let [zh, en, forced_en, forced_zh, other, json_zh, json_en] = langs;
    assert!(zh.0 == "zh-CN" && zh.2.contains("<html lang=\"zh-CN\">") && zh.2.contains(">正品</h1>"), "{zh:?}");
    assert!(en.0 == "en" && en.2.contains(">GENUINE</h1>"), "{en:?}");
    assert!(forced_en.0 == "en" && forced_en.2.contains(">GENUINE</h1>"), "?lang=en beats the header");
    assert!(forced_zh.0 == "zh-CN" && forced_zh.2.contains(">正品</h1>"), "?lang=zh beats the header");
    assert!(other.0 == "en" && other.2.contains(">GENUINE</h1>"), "neither language: the default");
    assert_eq!(zh.1, "Accept, Accept-Language");
    assert_eq!(json_zh.2, json_en.2, "the JSON does not depend on the language");
    assert!(json_zh.2.contains("\"verdict\":\"genuine\""), "{}", json_zh.2);

    // GS1-Conformant Resolver 1.2: the linkset, the Link header, linkType redirects with the
    // query passed on, the description file, trailing slashes, 400 for a longer path
    let gs1 = gs1_conformance(&r, &item).await;
    println!("GS1 conformance: {gs1}");

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

/// A GET over a connection from `source` (any 127.x.y.z is this host's), so one test plays
/// scanners in many networks: (status, body), status 0 if the server closed the connection
/// without an answer. Raw HTTP/1.1, `Connection: close`.
async fn get_from(source: [u8; 4], url: &str, accept: &str) -> (u16, String) {
    request_from("GET", source, url, accept).await
}

/// [`get_from`] with another method.
async fn request_from(method: &str, source: [u8; 4], url: &str, accept: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_at(rest.find('/').expect("path"));
    let sock = tokio::net::TcpSocket::new_v4().expect("socket");
    sock.bind(std::net::SocketAddr::from((source, 0))).expect("bind the source address");
    let mut s = sock.connect(host.parse().expect("host:port")).await.expect("connect");
    s.write_all(format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nAccept: {accept}\r\nConnection: close\r\n\r\n").as_bytes()).await.expect("send");
    let mut raw = Vec::new();
    // a connection closed unanswered (past the connection cap) reads as status 0
    let _ = s.read_to_end(&mut raw).await;
    let text = String::from_utf8(raw).expect("utf-8");
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// A copied code: one genuine item's URI scanned from 20 networks is flagged as possibly copied
/// (page, JSON, and the merchant's flagged list in the query API); a once-scanned item is not,
/// a reload is not a new scan, a forged serial is not logged, and no address is stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copied_codes_are_flagged() {
    let (node, c, lot, plain) = served().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("data.db").display());
    let r = Resolver::start_logged(&node.url(), &c.deployment, &db).await;
    let copied = r.url(&Consortium::link(&lot, 3));
    let rules = Rules::default();

    // the same URI from 20 networks (127.1/16 ... 127.20/16): counted one by one, flagged once
    // the scans come from more regions than the rule allows
    for n in 1..=20u8 {
        let (status, body) = get_from([127, n, 0, 1], &copied, JSON).await;
        assert_eq!(status, 200, "{body}");
        let v: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(v["verdict"], "genuine");
        let s = &v["scans"];
        assert_eq!((s["count"].as_u64(), s["window_regions"].as_u64(), s["counted"].as_bool()), (Some(n.into()), Some(n.into()), Some(true)), "{s}");
        let flagged = u32::from(n) > rules.max_regions;
        assert_eq!(s["suspicions"].as_array().expect("suspicions").is_empty(), !flagged, "scan {n}: {s}");
        if flagged {
            assert_eq!(s["suspicions"][0], json!({ "rule": "too_many_regions", "regions": n, "limit": rules.max_regions, "days": rules.window_days }));
        }
    }
    // the page says so, beside the verdict, with the counts
    let (status, page) = get_from([127, 20, 0, 1], &copied, HTML).await;
    assert_eq!(status, 200);
    assert!(page.contains(">GENUINE</h1>") && page.contains("This code may have been copied"), "{page}");
    assert!(page.contains("verified from 20 different regions in the last 30 days") && page.contains("verified 20 times in all"), "{page}");
    // ...and that was a reload from the same network and address: not a new scan
    let (_, body) = get_from([127, 20, 0, 1], &copied, JSON).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((v["scans"]["count"].as_u64(), v["scans"]["counted"].as_bool()), (Some(20), Some(false)), "{v}");

    // a once-scanned code: first verified now, no warning
    let once = r.url(&Consortium::link(&lot, 4));
    let (status, page) = get_from([127, 1, 0, 1], &once, HTML).await;
    assert_eq!(status, 200);
    assert!(page.contains("verified once.") && page.contains("First verified on "), "{page}");
    assert!(!page.contains("may have been copied"), "{page}");

    // a forged serial is refused on its own and not logged; a resolver without a log adds nothing
    let (_, body) = get_from([127, 1, 0, 1], &r.url(&forged(&Consortium::link(&lot, 3))), JSON).await;
    let v: Value = serde_json::from_str(&body).unwrap();
    assert_eq!((v["verdict"].as_str(), v.get("scans")), (Some("not_in_lot"), None), "{v}");
    let (_, body) = get_from([127, 1, 0, 1], &plain.url(&Consortium::link(&lot, 3)), JSON).await;
    assert!(serde_json::from_str::<Value>(&body).unwrap().get("scans").is_none());

    // no address is stored: only networks and keyed hashes
    let reader = tracepass::index::db::Db::open_reader(&db).await.expect("reader");
    // the last scan's commit may still be on its way (pages do not wait for their own)
    let mut rows = Vec::new();
    for _ in 0..50 {
        rows = reader.rows("SELECT item, region, client FROM scans", &[]).await.expect("rows");
        if rows.len() >= 21 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(rows.len(), 21);
    for row in &rows {
        let text = serde_json::to_string(row).unwrap();
        assert!(!text.contains(".0.1") && row["client"].as_str().unwrap().len() == 32, "{text}");
    }

    // the merchant sees the copied code in the query API (lots from the index of the same database)
    let chain = &c.tp.chain;
    let best = chain.block_number().await.unwrap();
    while chain.finalized_head(Duration::from_secs(10)).await.unwrap().0 < best {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let writer = tracepass::index::db::Db::open(&db).await.expect("writer");
    let opts = tracepass::index::Options {
        url: node.url(),
        blocks_per_batch: tracepass::index::DEFAULT_BLOCKS_PER_BATCH,
        until: tracepass::index::Until::CaughtUp,
        give_up_after: Duration::from_secs(60),
    };
    tracepass::index::run(&writer, &c.deployment, &opts, |_| {}).await.expect("index");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let api = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(tracepass::api::serve_state(listener, tracepass::api::ApiState::new(reader), std::future::pending()));
    let merchant = tracepass::fmt::ss58(&c.keys.merchant.account());
    let (status, _, body) = fetch(&format!("{api}/api/v1/scans/flagged?merchant={merchant}"), JSON).await;
    assert_eq!(status, 200, "{body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    let items = v["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{v}");
    let item = Consortium::link(&lot, 3);
    assert_eq!((items[0]["serial"].as_str(), items[0]["scans"].as_i64(), items[0]["regions"].as_i64()), (Some(item.serial.as_str()), Some(20), Some(20)), "{v}");
    assert_eq!(v["rules"]["max_regions"], rules.max_regions);
    // another merchant's list is empty; a malformed merchant is the caller's error
    let other = tracepass::fmt::ss58(&c.keys.eve.account());
    let (_, _, body) = fetch(&format!("{api}/api/v1/scans/flagged?merchant={other}"), JSON).await;
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["items"], json!([]));
    let (status, _, body) = fetch(&format!("{api}/api/v1/scans/flagged?merchant=bob"), JSON).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["error"]["parameter"], "merchant");
}

/// `POST url` (a form's empty body) with `accept`, redirects not followed: status, Location, body.
async fn post(url: &str, accept: &str) -> (u16, Option<String>, String) {
    let (url, accept) = (url.to_string(), accept.to_string());
    tokio::task::spawn_blocking(move || {
        let agent = ureq::AgentBuilder::new().redirects(0).timeout(Duration::from_secs(60)).build();
        let res = match agent.post(&url).set("Accept", &accept).set("Content-Type", "application/x-www-form-urlencoded").send_string("claim=1") {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("POST {url}: {e}"),
        };
        (res.status(), res.header("location").map(String::from), res.into_string().unwrap_or_default())
    })
    .await
    .expect("post")
}

/// The buyer's claim: the first claim of a genuine item stands (303 back to its page, which then
/// says when), every later one is refused with that time (409, page and JSON); a forged serial
/// cannot be claimed and claims nothing; a resolver without a scan log takes no claims (405).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn claims_are_once() {
    let (node, c, lot, plain) = served().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}", dir.path().join("data.db").display());
    let r = Resolver::start_logged(&node.url(), &c.deployment, &db).await;
    let item = Consortium::link(&lot, 11);
    let url = r.url(&item);
    let (status, _, page) = fetch(&url, HTML).await;
    assert!(status == 200 && page.contains("<form id=\"claim\" method=\"post\">"), "{page}");
    // a HEAD (a link checker, a crawler) from another network is not a scan
    assert_eq!(request_from("HEAD", [127, 66, 0, 1], &url, HTML).await.0, 200);
    let (_, body) = get_from([127, 67, 0, 1], &url, JSON).await;
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["scans"]["count"], 2, "the HEAD was counted: {body}");

    // the first claim: 303 to the same page, which now says when it was claimed, with no button
    let (status, location, _) = post(&url, HTML).await;
    let path_and_query = url.strip_prefix(&r.base).expect("path");
    assert_eq!((status, location.as_deref()), (303, Some(path_and_query)));
    let (_, _, page) = fetch(&url, HTML).await;
    assert!(page.contains("id=\"claimed\">Claimed by its buyer on ") && !page.contains("<form"), "{page}");
    let (_, _, body) = fetch(&url, JSON).await;
    let claimed_ms = serde_json::from_str::<Value>(&body).unwrap()["scans"]["claimed_ms"].as_i64().expect("claimed_ms");

    // every later claim is refused with the first one's time, as a page and as JSON
    let (status, _, page) = post(&url, HTML).await;
    assert!(status == 409 && page.contains("This item was already claimed on "), "{status}: {page}");
    let (status, _, body) = post(&url, JSON).await;
    assert_eq!(status, 409);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap(), json!({ "claim": "already_claimed", "at_ms": claimed_ms }));
    // the same in Chinese
    let (status, _, page) = post(&format!("{url}&lang=zh"), HTML).await;
    assert!(status == 409 && page.contains("此商品已于"), "{page}");

    // another item claimed by JSON: 201
    let (status, _, body) = post(&r.url(&Consortium::link(&lot, 12)), JSON).await;
    assert_eq!((status, serde_json::from_str::<Value>(&body).unwrap()["claim"].as_str()), (201, Some("claimed")), "{body}");

    // a forged serial (a real item's proof) cannot be claimed, and claims nothing
    let (status, _, body) = post(&r.url(&forged(&item)), JSON).await;
    assert!(status == 409 && body.contains("only a genuine item can be claimed"), "{status}: {body}");
    let reader = tracepass::index::db::Db::open_reader(&db).await.expect("reader");
    let rows = reader.rows("SELECT item FROM claims", &[]).await.expect("claims");
    assert_eq!(rows.len(), 2, "{rows:?}");
    // a malformed link is the caller's error
    let (status, _, _) = post(&format!("{}/01/{}/10/{}/21/{}?p=@@", r.base, item.gtin, item.lot, item.serial), JSON).await;
    assert_eq!(status, 400);
    // a resolver without a scan log takes no claims
    let (status, _, _) = post(&plain.url(&item), HTML).await;
    assert_eq!(status, 405);
    reader.close().await;
}

/// Reads until the server closes the connection (or 30 s pass): what it sent, and when it closed.
async fn until_closed(s: &mut tokio::net::TcpStream) -> (Vec<u8>, std::time::Instant) {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (got, std::time::Instant::now()),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => panic!("the server kept the connection open for 30 s"),
        }
    }
}

/// The resolver under abuse: slow clients are dropped while others are served, connections
/// past the cap are closed, one client over its rate gets 429 (another does not), a flood of
/// cache-missing URIs gets 503s but no crash and no reconnect, long input is refused short.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolver_holds_under_abuse() {
    use tokio::io::AsyncWriteExt;
    use tracepass::serve::Limits;
    let (node, c, lot, _plain) = served().await;
    let item = Consortium::link(&lot, 9);
    let limits = |f: &dyn Fn(&mut Limits)| {
        let mut l = Limits::for_chain_timeout(Duration::from_secs(10));
        f(&mut l);
        ServeConfig { limits: l, ..ServeConfig::new(node.url(), c.deployment.clone()) }
    };

    // slowloris: partial heads and silent connections are dropped after the header-read
    // timeout, and a normal client is answered meanwhile
    let header_timeout = Duration::from_secs(2);
    let r = Resolver::start_with(ServeState::new(limits(&|l| l.header_read_timeout = header_timeout))).await;
    let addr = r.base.strip_prefix("http://").unwrap().to_string();
    let opened = std::time::Instant::now();
    let mut slow = Vec::new();
    for i in 0..12 {
        let mut s = tokio::net::TcpStream::connect(&addr).await.expect("connect");
        if i % 3 != 0 {
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.expect("partial head");
        }
        slow.push(s);
    }
    let (status, page) = get_from([127, 0, 0, 2], &r.url(&item), HTML).await;
    assert_eq!(status, 200, "{page}");
    for s in &mut slow {
        let (_, closed) = until_closed(s).await;
        let after = closed - opened;
        assert!(after >= header_timeout - Duration::from_millis(200) && after < header_timeout + Duration::from_secs(5), "closed after {after:?}");
    }
    drop(r);

    // the connection cap: past it a connection is closed unanswered; freed, it is served again
    let r = Resolver::start_with(ServeState::new(limits(&|l| {
        l.max_connections = 4;
        l.header_read_timeout = Duration::from_secs(60);
    })))
    .await;
    let addr = r.base.strip_prefix("http://").unwrap().to_string();
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(tokio::net::TcpStream::connect(&addr).await.expect("connect"));
    }
    let mut extra = tokio::net::TcpStream::connect(&addr).await.expect("connect");
    let _ = extra.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    let (answer, _) = until_closed(&mut extra).await;
    assert!(answer.is_empty(), "answered past the cap: {}", String::from_utf8_lossy(&answer));
    drop(held);
    let mut served_again = false;
    for _ in 0..50 {
        if get_from([127, 0, 0, 3], &r.url(&item), JSON).await.0 == 200 {
            served_again = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(served_again, "no connection freed after the held ones closed");
    drop(r);

    // a client over its rate: 429 with Retry-After; another client is still served
    let r = Resolver::start_with(ServeState::new(limits(&|l| {
        l.per_client_per_second = 1;
        l.per_client_burst = 5;
    })))
    .await;
    let url = r.url(&item);
    let statuses: Vec<u16> = futures::future::join_all((0..8).map(|_| get_from([127, 0, 0, 77], &url, JSON))).await.into_iter().map(|(s, _)| s).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 3, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5, "{statuses:?}");
    assert_eq!(get_from([127, 0, 0, 78], &r.url(&item), JSON).await.0, 200);
    drop(r);

    // a flood of distinct cache-missing URIs from many networks: answers or 503, nothing else;
    // the node connection made once stays up and serves the next scan
    let state = ServeState::new(limits(&|l| {
        l.max_in_flight = 4;
        l.per_client_per_second = 0;
    }));
    let r = Resolver::start_with(state.clone()).await;
    assert_eq!(get_from([127, 0, 0, 4], &r.url(&item), JSON).await.0, 200);
    let flood: Vec<String> = (0..300).map(|i| r.url(&DigitalLink { lot: format!("FLOOD{i}"), ..item.clone() })).collect();
    let statuses: Vec<u16> = futures::future::join_all(flood.iter().enumerate().map(|(i, u)| get_from([127, 9, (i / 200) as u8, (i % 200 + 1) as u8], u, JSON)))
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    let (missing, busy) = (statuses.iter().filter(|s| **s == 404).count(), statuses.iter().filter(|s| **s == 503).count());
    assert_eq!(missing + busy, statuses.len(), "{statuses:?}");
    assert!(busy > 0 && missing > 0, "{missing} answered, {busy} shed");
    println!("flood of 300 cache-missing URIs at max_in_flight 4: {missing} answered (404), {busy} shed (503)");
    assert_eq!(get_from([127, 0, 0, 4], &r.url(&item), JSON).await.0, 200);
    assert_eq!(state.connections_made().await, 1);

    // long input: 414 past the URI bound; a long lot is a 400 that echoes only a short cut
    let long = format!("{}/01/{}/10/{}/21/1", r.base, c.gtin, "A".repeat(tracepass::serve::listen::MAX_URI_BYTES));
    assert_eq!(get_from([127, 0, 0, 5], &long, HTML).await.0, 414);
    let (status, page) = get_from([127, 0, 0, 5], &format!("{}/01/{}/10/{}/21/1", r.base, c.gtin, "A".repeat(3000)), HTML).await;
    assert_eq!(status, 400, "{page}");
    assert!(!page.contains(&"A".repeat(tracepass::serve::MAX_ECHO_WORD)) && page.len() < 6000, "{} bytes", page.len());
}
