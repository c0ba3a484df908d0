//! The index end to end: a scripted consortium history on a real node, indexed by the real CLI
//! into SQLite and into a throwaway PostgreSQL server; the two agree row for row, the
//! statistics match figures computed here from the script, a rebuild gives the same rows, an
//! indexer killed (SIGKILL) at random points 20 times loses and duplicates nothing, and a node
//! restarted under a following indexer is caught up with.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tracepass::contracts::deploy::deploy;
use tracepass::fmt::ss58;
use tracepass::index::db::Db;
use tracepass::index::{events, query};
use tracepass::lots;
use tracepass::shared::*;
use tracepass::{Chain, Tracepass};
use tracepass_e2e::fixture::{self, Consortium, CATEGORY};
use tracepass_e2e::postgres::Postgres;
use tracepass_e2e::{artifacts, tracepass_bin, Node};

/// Sampling epoch length and reveal window of this suite's deployment (ms of chain time): the
/// scripted setup fits in epoch 0 and the 10,000 sampled lots' registration in epoch 1.
const EPOCH_MS: u64 = 40_000;
const REVEAL_WINDOW_MS: u64 = 5_000;
/// The default sampling rate (basis points).
const RATE_BPS: u16 = 1_000;
/// Lots registered for the sampling statistics.
const SAMPLED_LOTS: usize = 10_000;
/// Indexer kills in the crash test.
const KILLS: usize = 20;
/// A second merchant's category, the second agency's only extra one.
const CATEGORY_B: Category = 1002;

/// `tracepass index --once` into `db`; panics with its output unless it succeeds.
fn index_once(url: &str, deployment: &Path, db: &str, extra: &[&str]) -> String {
    let out = Command::new(tracepass_bin())
        .args(["--url", url, "--quiet", "--json", "index", "--once"])
        .arg("--deployment")
        .arg(deployment)
        .env("TRACEPASS_DATABASE", db)
        .args(extra)
        .output()
        .expect("run tracepass index");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "tracepass index failed: {text}{}", String::from_utf8_lossy(&out.stderr));
    text
}

/// Waits until the finalized head reaches the best block (the dev node finalizes a second
/// after sealing), so an `--once` run sees everything sent so far.
async fn finalized_everything(chain: &Chain) -> u32 {
    let best = chain.block_number().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (fin, _) = chain.finalized_head(Duration::from_secs(10)).await.unwrap();
        if fin >= best {
            return fin;
        }
        assert!(Instant::now() < deadline, "finality stuck at #{fin} below #{best}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn json_str(s: &str) -> Value {
    Value::String(s.into())
}

fn gtin_with_prefix(body: &str) -> Gtin {
    let check = gs1_check_digit(body.as_bytes()) as char;
    Gtin::parse(format!("{body}{check}").as_bytes()).unwrap()
}

/// An HTTP GET: status, the Link header (if any), the JSON body.
async fn get(url: String) -> (u16, Option<String>, Value) {
    tokio::task::spawn_blocking(move || {
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build();
        let r = match agent.get(&url).call() {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("GET {url}: {e}"),
        };
        let (status, link) = (r.status(), r.header("link").map(String::from));
        let text = r.into_string().unwrap();
        (status, link, serde_json::from_str(&text).unwrap_or_else(|e| panic!("GET {url}: {e}: {text}")))
    })
    .await
    .unwrap()
}

/// Every item of a paged list, following `next_page_token` (and checking the Link header).
async fn all_pages(base: &str, path_and_query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut url = format!("{base}{path_and_query}");
    loop {
        let (status, link, v) = get(url.clone()).await;
        assert_eq!(status, 200, "{url}: {v}");
        items.extend(v["items"].as_array().unwrap().iter().cloned());
        match v["next_page_token"].as_str() {
            Some(t) => {
                let link = link.expect("a Link header beside next_page_token");
                assert!(link.ends_with("rel=\"next\"") && link.contains(t), "{link}");
                url = format!("{base}{}", link.trim_start_matches('<').split('>').next().unwrap());
            }
            None => return items,
        }
    }
}

/// Starts the query API over `db` on a free port; returns its base URL.
async fn start_api(db: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let db = Db::open_reader(db).await.unwrap();
    tokio::spawn(tracepass::api::serve(listener, db, std::future::pending()));
    base
}

/// The statuses and parameters of answers to bad requests.
async fn refused(base: &str, path: &str) -> (u16, Value) {
    let (status, _, v) = get(format!("{base}{path}")).await;
    (status, v["error"]["parameter"].clone())
}

/// One scripted inspection: (lot name, agency, result).
type Inspected = (&'static str, &'static str, InspectionResult);

#[tokio::test(flavor = "multi_thread")]
async fn index_works() {
    let node = Node::start().await;
    let url = node.url();
    let dir = tempfile::tempdir().unwrap();
    let k = fixture::keys();
    let chain = Chain::connect(&url).await.unwrap();
    let params = fixture::params(&k, EPOCH_MS, REVEAL_WINDOW_MS, RATE_BPS);
    let deployment = deploy(&chain, &k.alice, &artifacts(), &params, |_| {}).await.expect("deploy");
    let file = dir.path().join("deployment.json");
    deployment.save(&file).unwrap();

    // ---- the metadata's events are the ones the indexer decodes ---------------------------
    for c in tracepass::contracts::deploy::CONTRACTS {
        let path = tracepass::contracts::deploy::bundle_path(&artifacts(), c.name()).unwrap();
        let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        for e in v["spec"]["events"].as_array().unwrap() {
            let name = format!("{}.{}", c.name(), e["label"].as_str().unwrap());
            let fields: Vec<(String, String)> = e["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| (a["label"].as_str().unwrap().to_string(), a["type"]["displayName"].as_array().unwrap().last().unwrap().as_str().unwrap().to_string()))
                .collect();
            let ours = events::FIELDS.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("the indexer does not decode {name}"));
            let ours: Vec<(String, String)> = ours.1.iter().map(|(f, t)| (f.to_string(), events::display_name(t).to_string())).collect();
            assert_eq!(ours, fields, "{name}: the indexer's declaration differs from the contract's metadata");
        }
    }

    // ---- a scripted history: two merchants, two countries, two categories, two agencies ----
    let c = Consortium::populate(chain.clone(), deployment.clone(), file.clone()).await;
    let tp = &c.tp;
    let agency2 = fixture::signer("//Agency2");
    tp.chain.transfer(&k.alice, agency2.account(), 1_000_000_000_000_000).await.unwrap();
    let now = tp.chain.now_ms().await.unwrap();
    let scope = AgencyScope { categories: vec![CATEGORY, CATEGORY_B], valid_until: now + bounds::MAX_VALIDITY_MS };
    let id = tp.propose(&k.bob, Action::AddMember { account: agency2.account(), role: Role::Agency, name_hash: [2; 32], scope: Some(scope) }).await.unwrap().value;
    tp.approve(&k.charlie, id).await.unwrap();
    tp.execute(&k.bob, id).await.unwrap();
    let merchant_b = &k.stranger;
    tp.pass(&[&k.bob, &k.charlie], fixture::onboard(merchant_b.account(), "Maison B", "FR", "0614142", &["Maison B"])).await.unwrap();
    let factory_b = tp.register_factory(merchant_b, CountryCode(*b"FR"), blake2_256(b"Usine B")).await.unwrap().value;
    let gtin_b = gtin_with_prefix("1061414200001");
    let product_b = ProductInput { gtin: gtin_b, brand: b"Maison B".to_vec(), category: CATEGORY_B, origin: CountryCode(*b"FR"), ..fixture::product(gtin_b, factory_b) };
    tp.register_product(merchant_b, product_b).await.unwrap();

    // the inspected lots: a* of merchant A (category 1001, NZ), b* of merchant B (1002, FR)
    let mut lot_ids: BTreeMap<&str, LotId> = BTreeMap::new();
    for name in ["a1", "a2", "a3", "a4"] {
        lot_ids.insert(name, c.register_lot(name, name, 3).await.1);
    }
    for name in ["b1", "b2", "b3"] {
        let built = lots::build(gtin_b, name, (0..3).map(|i| format!("{name}{i}")).collect()).unwrap();
        lot_ids.insert(name, tp.register_lot(merchant_b, Consortium::lot_input(&built)).await.unwrap().value);
    }
    // commitments to epoch 1, before it opens
    let secrets = [(&k.bob, [11u8; 32]), (&k.eve, [22u8; 32])];
    assert_eq!(tp.current_epoch().await.unwrap(), 0, "the script's setup ran into epoch 1 (EPOCH_MS too short for this machine?)");
    for (who, secret) in &secrets {
        tp.commit(who, 1, seed_commitment(secret, &who.account())).await.unwrap();
    }

    // ---- 10,000 lots in epoch 1, 100 a transaction, 8 transactions in flight --------------
    fixture::advance_to_open(tp, &k.alice, 1).await;
    let inputs: Vec<LotInput> = (0..SAMPLED_LOTS)
        .map(|i| LotInput { gtin: c.gtin, lot_number: format!("S{i:05}").into_bytes(), item_count: 1, root: [i as u8; 16], produced_on: 20261101, expires_on: 20281101 })
        .collect();
    let started = Instant::now();
    let chunks: Vec<Vec<LotInput>> = inputs.chunks(100).map(|c| c.to_vec()).collect();
    use futures::StreamExt;
    let done: Vec<_> = futures::stream::iter(chunks.into_iter().map(|ch| tp.register_lots(&k.merchant, ch))).buffer_unordered(8).collect().await;
    assert!(done.iter().all(|r| r.is_ok()), "every batch registered");
    println!("registered {SAMPLED_LOTS} lots in {:.1} s", started.elapsed().as_secs_f64());
    for i in [0, SAMPLED_LOTS - 1] {
        let sample = tp.lot_sample(lot_id(&c.gtin, &inputs[i].lot_number)).await.unwrap().unwrap();
        assert_eq!(sample.epoch, 1, "the sampled lots all fall in epoch 1 (EPOCH_MS too short for this machine?)");
    }

    // ---- reveal and finalize epochs 0 (nobody committed: fail-safe) and 1 -------------------
    fixture::advance_to_close(tp, &k.alice, 1).await;
    for (who, secret) in &secrets {
        tp.reveal(who, 1, *secret).await.unwrap();
    }
    assert_eq!(tp.finalize(&k.alice, 0).await.unwrap().value, None);
    assert!(tp.finalize(&k.alice, 1).await.unwrap().value.is_some());

    // ---- inspections, a dispute, a clearance, a revocation, a recall ------------------------
    // the last inspection re-tests a2 after its merchant disputed Eve's fail (#1)
    let script: [Inspected; 9] = [
        ("a1", "eve", InspectionResult::Pass),
        ("a2", "eve", InspectionResult::Fail),
        ("a3", "agency2", InspectionResult::Pass),
        ("a4", "agency2", InspectionResult::Pass),
        ("b1", "agency2", InspectionResult::Pass),
        ("b2", "agency2", InspectionResult::Fail),
        ("b3", "agency2", InspectionResult::Fail),
        ("a3", "eve", InspectionResult::Pass),
        ("a2", "agency2", InspectionResult::Pass),
    ];
    const RETEST: usize = 8;
    let now = tp.chain.now_ms().await.unwrap();
    let mut attestation_of = BTreeMap::new();
    for (i, (lot, who, result)) in script.iter().enumerate() {
        let signer = if *who == "eve" { &k.eve } else { &agency2 };
        let answers = (i == RETEST).then(|| attestation_of[&1]);
        if i == RETEST {
            tp.open_dispute(&k.merchant, lot_ids["a2"], attestation_of[&1]).await.unwrap();
        }
        let id = tp
            .attest_inspection(signer, lot_ids[lot], *result, b"ISO 22000".to_vec(), 3, [i as u8; 32], vec![], now - 60_000, now + 86_400_000, answers)
            .await
            .unwrap_or_else(|e| panic!("inspection {i} of {lot}: {e}"))
            .value;
        attestation_of.insert(i, id);
    }
    tp.pass(&[&k.bob, &k.charlie], Action::ResolveDispute { lot: lot_ids["a2"], release: true }).await.unwrap();
    // a1 ships, arrives and is cleared
    let at = |c: &[u8; 2], code: &[u8]| Location { country: CountryCode(*c), code: code.to_vec() };
    tp.add_event(&k.merchant, lot_ids["a1"], BusinessStep::Shipping, now - 50_000, at(b"NZ", b"NZAKL"), [1; 32]).await.unwrap();
    tp.add_event(&k.ferdie, lot_ids["a1"], BusinessStep::Arriving, now - 40_000, at(b"CN", b"CNSHA"), [2; 32]).await.unwrap();
    tp.attest_customs(&k.ferdie, lot_ids["a1"], b"CNSHA".to_vec(), [9; 32], now - 30_000).await.unwrap();
    // agency2 withdraws its pass of a4: revoked inspections do not count
    tp.revoke(&agency2, attestation_of[&3], [8; 32]).await.unwrap();
    tp.recall(merchant_b, lot_ids["b3"], [7; 32]).await.unwrap();
    let head = finalized_everything(&tp.chain).await;

    // ---- the same history into SQLite (CLI) and PostgreSQL (CLI) -----------------------------
    let sqlite = format!("sqlite://{}/index.db", dir.path().display());
    let out: Value = serde_json::from_str(index_once(&url, &file, &sqlite, &[]).trim()).unwrap();
    assert_eq!(out["summary"]["head"], head, "{out}");
    let events = out["summary"]["events"].as_u64().unwrap();
    assert!(events > 2 * SAMPLED_LOTS as u64, "{out}");
    let pg = Postgres::start();
    let pg_url = pg.database("tracepass");
    let pg_out: Value = serde_json::from_str(index_once(&url, &file, &pg_url, &[]).trim()).unwrap();
    // debug builds, and the server runs with fsync off: figures for BENCHMARKS.md come from the bench
    println!("indexed {events} events of {head} blocks: SQLite {} s, PostgreSQL {} s", out["seconds"], pg_out["seconds"]);
    assert_eq!(pg_out["summary"], out["summary"]);
    let lite = Db::open(&sqlite).await.unwrap();
    let post = Db::open(&pg_url).await.unwrap();
    let dump = lite.dump().await.unwrap();
    assert_eq!(dump.len(), post.dump().await.unwrap().len());
    assert!(dump == post.dump().await.unwrap(), "SQLite and PostgreSQL indexes differ");

    // ---- the statistics against the script -----------------------------------------------
    let a = ss58(&k.merchant.account());
    let b = ss58(&merchant_b.account());
    let (eve, ag2) = (ss58(&k.eve.account()), ss58(&agency2.account()));
    // unrevoked inspections by (dimension value): (inspections, passes)
    let mut expect: BTreeMap<(query::By, String), (i64, i64)> = BTreeMap::new();
    for (i, (lot, who, result)) in script.iter().enumerate() {
        if i == 3 {
            continue; // revoked
        }
        let of_a = lot.starts_with('a');
        let keys = [
            (query::By::Merchant, if of_a { a.clone() } else { b.clone() }),
            (query::By::Country, if of_a { "NZ".into() } else { "FR".into() }),
            (query::By::Category, if of_a { CATEGORY.to_string() } else { CATEGORY_B.to_string() }),
            (query::By::Agency, if *who == "eve" { eve.clone() } else { ag2.clone() }),
        ];
        for key in keys {
            let e = expect.entry(key).or_default();
            e.0 += 1;
            e.1 += i64::from(*result == InspectionResult::Pass);
        }
    }
    for db in [&lite, &post] {
        for by in [query::By::Merchant, query::By::Country, query::By::Category, query::By::Agency] {
            let mut got: BTreeMap<(query::By, String), (i64, i64)> = BTreeMap::new();
            for r in query::pass_rates(db, by).await.unwrap() {
                let e = got.entry((by, r["key"].as_str().unwrap().to_string())).or_default();
                e.0 += r["inspections"].as_i64().unwrap();
                e.1 += r["passes"].as_i64().unwrap();
            }
            let want: BTreeMap<_, _> = expect.iter().filter(|((d, _), _)| *d == by).map(|(k, v)| (k.clone(), *v)).collect();
            assert_eq!(got, want, "pass rates by {by:?} on {}", db.shown());
        }
        // sampling: the 10,000 drawn lots at 10 % are within the 99 % interval; epoch 0's
        // lots (no reveal) are all selected, and reported apart
        let rows = query::sampling_rates(db).await.unwrap();
        let drawn = rows.iter().find(|r| r["how"] == "drawn").unwrap_or_else(|| panic!("{rows:?}"));
        assert_eq!(drawn["lots"], SAMPLED_LOTS as u64);
        assert_eq!(drawn["within"], true, "{drawn:?}");
        let selected = drawn["selected"].as_u64().unwrap();
        let expected_selected = inputs
            .iter()
            .filter(|l| Selection::of_final(Some(&epoch_seed(1, &[secrets[0].1, secrets[1].1])), &lot_id(&l.gtin, &l.lot_number), RATE_BPS) == Selection::Selected)
            .count() as u64;
        assert_eq!(selected, expected_selected, "selection as the shared rule computes it");
        let fail_safe = rows.iter().find(|r| r["how"] == "fail_safe").unwrap();
        assert_eq!((fail_safe["lots"].as_u64(), fail_safe["selected"].as_u64()), (Some(7), Some(7)));
        // the backlog: epoch 1's selected lots (none inspected), then none of the inspected ones
        let backlog = query::backlog(db, 1_000, 14).await.unwrap();
        assert_eq!(backlog["total"], expected_selected, "{}", backlog["total"]);
        assert_eq!(backlog["overdue"], 0, "selected minutes ago");
        let items = backlog["items"].as_array().unwrap();
        assert_eq!(items.len() as u64, expected_selected.min(1_000));
        assert!(items.iter().all(|r| r["lot_number"].as_str().unwrap().starts_with('S') && r["overdue"] == false));
        // with no grace at all, every waiting lot is overdue
        assert_eq!(query::backlog(db, 1, 0).await.unwrap()["overdue"], expected_selected);
    }
    println!("sampling: {} of {SAMPLED_LOTS} drawn lots selected at {RATE_BPS} bps", query::sampling_rates(&lite).await.unwrap()[0]["selected"]);

    // ---- a lot's history and the CLI's bad input -------------------------------------------
    let a1 = format!("0x{}", hex::encode(lot_ids["a1"]));
    let h = query::lot(&lite, &a1).await.unwrap().unwrap();
    let whats: Vec<&str> = h["timeline"].as_array().unwrap().iter().map(|r| r["what"].as_str().unwrap()).collect();
    assert_eq!(
        whats,
        // customs clears the lot (the registry's status change), then records the attestation
        ["registered", "attestation", "trace_event", "status", "trace_event", "status", "status", "attestation"],
        "{h}"
    );
    assert_eq!(h["lot"]["status"], "cleared");
    let b3 = query::lot(&post, &format!("0x{}", hex::encode(lot_ids["b3"]))).await.unwrap().unwrap();
    assert_eq!(b3["lot"]["status"], "recalled");
    assert!(b3["timeline"].as_array().unwrap().iter().any(|r| r["what"] == "recall"), "{b3}");
    let a2 = query::lot(&lite, &format!("0x{}", hex::encode(lot_ids["a2"]))).await.unwrap().unwrap();
    let dispute: Vec<_> = a2["timeline"].as_array().unwrap().iter().filter(|r| r["what"] == "dispute").collect();
    assert_eq!((dispute.len(), dispute[0]["outcome"].as_str()), (1, Some("released")), "{a2}");
    let cli = |args: &[&str]| {
        Command::new(tracepass_bin()).args(args).env("TRACEPASS_DATABASE", &sqlite).output().expect("run tracepass")
    };
    let o = cli(&["--json", "history", "lot", &a1]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(serde_json::from_str::<Value>(&String::from_utf8_lossy(&o.stdout)).unwrap(), h);
    let o = cli(&["history", "lot", "0x12"]);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("lot: \"0x12\" is not a lot ID"));
    let o = cli(&["history", "merchant", "nobody"]);
    assert!(!o.status.success(), "a bad account is refused");
    let o = cli(&["history", "agency", &ag2, "--limit", "100000"]);
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("--limit"));
    let o = cli(&["--json", "history", "agency", &ag2]);
    assert_eq!(serde_json::from_str::<Value>(&String::from_utf8_lossy(&o.stdout)).unwrap()["attestations"].as_array().unwrap().len(), 6, "five inspections and the re-test");
    // a database password never shows, even in an error
    let o = Command::new(tracepass_bin())
        .args(["stats", "summary"])
        .env("TRACEPASS_DATABASE", format!("postgres://postgres:hunter2secret@127.0.0.1:{}/nope", pg.port))
        .output()
        .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(!o.status.success() && !text.contains("hunter2secret") && text.contains("***"), "{text}");
    // another chain's or deployment's database is refused
    let mut other = deployment.clone();
    other.genesis_hash = format!("0x{}", "11".repeat(32));
    let other_file = dir.path().join("other.json");
    other.save(&other_file).unwrap();
    let o = Command::new(tracepass_bin())
        .args(["--url", &url, "index", "--once", "--deployment"])
        .arg(&other_file)
        .env("TRACEPASS_DATABASE", &sqlite)
        .output()
        .unwrap();
    assert!(!o.status.success() && String::from_utf8_lossy(&o.stderr).contains("indexes another chain"), "{o:?}");

    // ---- the query API over both databases --------------------------------------------------
    let (api_lite, api_post) = (start_api(&sqlite).await, start_api(&pg_url).await);
    let q = format!("/api/v1/lots?merchant={a}&limit=1000");
    let lite_lots = all_pages(&api_lite, &q).await;
    assert_eq!(lite_lots.len(), 4 + SAMPLED_LOTS, "merchant A's lots, every page");
    assert!(lite_lots == all_pages(&api_post, &q).await, "the API answers the same from SQLite and PostgreSQL");
    let small = all_pages(&api_lite, &format!("/api/v1/lots?merchant={b}&limit=2")).await;
    assert_eq!(small.iter().map(|l| l["lot_number"].as_str().unwrap()).collect::<Vec<_>>(), ["b1", "b2", "b3"]);
    let fails = all_pages(&api_post, &format!("/api/v1/attestations?issuer={ag2}&result=fail")).await;
    assert_eq!(fails.len(), 2);
    // the dispute: opened by merchant A naming Eve's fail, released after agency2's re-test
    let released = all_pages(&api_lite, "/api/v1/disputes?outcome=released").await;
    assert!(released == all_pages(&api_post, "/api/v1/disputes?outcome=released").await);
    assert_eq!(released.len(), 1, "{released:?}");
    let d = &released[0];
    assert_eq!((d["lot"].as_str(), d["opened_by"].as_str()), (Some(query::lot_key(&hex::encode(lot_ids["a2"])).unwrap().as_str()), Some(a.as_str())));
    assert_eq!((d["failed"].as_u64(), d["retest"].as_u64()), (Some(attestation_of[&1]), Some(attestation_of[&RETEST])));
    assert!(all_pages(&api_lite, "/api/v1/disputes?outcome=open").await.is_empty());
    let (status, _, v) = get(format!("{api_lite}/api/v1/lots/{a1}")).await;
    assert_eq!((status, &v), (200, &h));
    for path in ["/api/v1/stats/pass-rates?by=country", "/api/v1/stats/sampling", "/api/v1/stats/backlog?limit=5", "/api/v1/status"] {
        let (l, p) = (get(format!("{api_lite}{path}")).await, get(format!("{api_post}{path}")).await);
        assert_eq!((l.0, &l.2), (200, &p.2), "{path}");
    }
    // SQL in a filter is a value like any other
    for base in [&api_lite, &api_post] {
        let (status, _, v) = get(format!("{base}/api/v1/products?brand=%27%20OR%201%3D1%20--")).await;
        assert_eq!((status, v["items"].as_array().map(Vec::len)), (200, Some(0)), "{v}");
    }
    let (_, _, doc) = get(format!("{api_lite}/openapi.json")).await;
    for spec in tracepass::api::lists::LISTS {
        assert!(doc["paths"][spec.path]["get"].is_object(), "{} documented", spec.path);
    }
    // bad input: 400 naming the parameter, 404 for what the index does not hold
    let token = get(format!("{api_lite}/api/v1/attestations?limit=1")).await.2["next_page_token"].as_str().unwrap().to_string();
    for (path, want) in [
        ("/api/v1/lots?limit=100000".to_string(), (400, json_str("limit"))),
        ("/api/v1/lots?limit=0".into(), (400, json_str("limit"))),
        ("/api/v1/lots?merchant=bob".into(), (400, json_str("merchant"))),
        ("/api/v1/lots?gtin=10614141000416".into(), (400, json_str("gtin"))),
        ("/api/v1/lots?status=lost".into(), (400, json_str("status"))),
        ("/api/v1/lots?colour=red".into(), (400, json_str("colour"))),
        ("/api/v1/lots?merchant=x&merchant=y".into(), (400, json_str("merchant"))),
        (format!("/api/v1/lots?page_token={token}"), (400, json_str("page_token"))),
        ("/api/v1/lots?page_token=%00%ff".into(), (400, json_str("page_token"))),
        ("/api/v1/attestations?from=yesterday".into(), (400, json_str("from"))),
        ("/api/v1/lots/0x12".into(), (400, json_str("lot"))),
        (format!("/api/v1/lots/0x{}", "00".repeat(32)), (404, json_str("lot"))),
        ("/api/v1/products/123".into(), (400, json_str("gtin"))),
        ("/api/v1/merchants/5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into(), (404, json_str("account"))),
        ("/api/v1/factories/x".into(), (400, json_str("id"))),
        ("/api/v1/stats/pass-rates?by=colour".into(), (400, json_str("by"))),
        (format!("/api/v1/lots?merchant={}", "x".repeat(300)), (400, json_str("merchant"))),
        ("/nowhere".into(), (404, Value::Null)),
    ] {
        assert_eq!(refused(&api_lite, &path).await, want, "{path}");
    }

    // ---- EPCIS 2.0 queries -------------------------------------------------------------------
    let a1_link = format!("https://id.gs1.org/01/{}/10/a1", c.gtin);
    let epcis = |q: String| {
        let base = api_post.clone();
        async move { get(format!("{base}/epcis/events?{q}")).await }
    };
    let (status, _, all_a1) = epcis(format!("MATCH_epc={a1_link}")).await;
    assert_eq!(status, 200);
    tracepass::epcis::validate(&all_a1).expect("an EPCIS query document valid against GS1's schema");
    let list = all_a1["epcisBody"]["queryResults"]["resultsBody"]["eventList"].as_array().unwrap().clone();
    let steps: Vec<&str> = list.iter().map(|e| e["bizStep"].as_str().unwrap()).collect();
    assert_eq!(steps, ["inspecting", "shipping", "arriving", &tracepass::epcis::customs_clearance_step()], "a1's events in chain order");
    // an item's Digital Link and the LGTIN URN name the same lot
    let (_, _, by_item) = epcis(format!("MATCH_anyEPC={a1_link}/21/a100000000")).await;
    assert_eq!(by_item["epcisBody"]["queryResults"]["resultsBody"]["eventList"].as_array().unwrap(), &list);
    let (_, _, shipping) = epcis("EQ_bizStep=shipping".into()).await;
    assert_eq!(shipping["epcisBody"]["queryResults"]["resultsBody"]["eventList"].as_array().unwrap().len(), 1);
    let (_, _, fails) = epcis("EQ_bizStep=inspecting&EQ_disposition=non_conformant".into()).await;
    assert_eq!(fails["epcisBody"]["queryResults"]["resultsBody"]["eventList"].as_array().unwrap().len(), 3, "a2, b2, b3");
    // (the URIs' '#' percent-encoded: unescaped, it would start the URL's fragment)
    let locode = tracepass::epcis::UN_LOCODE_URI.replace('#', "%23");
    let (status, _, at_sha) = epcis(format!("EQ_bizLocation={locode}CNSHA,{locode}NZAKL")).await;
    let at_sha = at_sha["epcisBody"]["queryResults"]["resultsBody"]["eventList"].as_array().unwrap_or_else(|| panic!("{status} {at_sha}")).clone();
    // the arrival at Shanghai and the clearance there (shipping's NZAKL is a read point only)
    assert_eq!(at_sha.iter().map(|e| e["bizStep"].as_str().unwrap()).collect::<Vec<_>>(), ["arriving", &tracepass::epcis::customs_clearance_step()]);
    let (_, _, later) = epcis(format!("MATCH_epc={a1_link}&GE_eventTime={}", tracepass::epcis::rfc3339(now - 45_000))).await;
    assert_eq!(later["epcisBody"]["queryResults"]["resultsBody"]["eventList"].as_array().unwrap().len(), 2, "arrival and clearance");
    // pages of 1, by the Link header's nextPageToken
    let mut paged = Vec::new();
    let mut page = format!("{api_post}/epcis/events?MATCH_epc={a1_link}&perPage=1");
    loop {
        let (status, link, v) = get(page.clone()).await;
        assert_eq!(status, 200);
        paged.extend(v["epcisBody"]["queryResults"]["resultsBody"]["eventList"].as_array().unwrap().iter().cloned());
        match link {
            Some(l) => page = format!("{api_post}{}", l.trim_start_matches('<').split('>').next().unwrap()),
            None => break,
        }
    }
    assert_eq!(paged, list);
    for (q, param) in [
        ("EQ_bizStep=flying", "EQ_bizStep"),
        ("MATCH_epc=urn:epc:id:sgtin:1.2.3", "MATCH_epc"),
        ("GE_eventTime=2026-13-01T00:00:00Z", "GE_eventTime"),
        ("perPage=0", "perPage"),
        ("perPage=5000", "perPage"),
        ("EQ_bizLocation=somewhere", "EQ_bizLocation"),
        ("nextPageToken=abc", "nextPageToken"),
        ("EQ_colour=red", "EQ_colour"),
    ] {
        assert_eq!(refused(&api_post, &format!("/epcis/events?{q}")).await, (400, json_str(param)), "{q}");
    }

    // ---- the dashboard in real headless Chromium -------------------------------------------
    let shots = tracepass_e2e::root().join("target/artifacts/browser");
    std::fs::create_dir_all(&shots).unwrap();
    let wd = tracepass_e2e::webdriver::WebDriver::start_desktop(&dir.path().join("chromedriver.log"));
    wd.goto(&format!("{api_lite}/dashboard"));
    let charts = wd.script(
        "return [...document.querySelectorAll('svg')].map(s => [s.id, s.querySelector('title').textContent, \
         s.querySelector('.axis-x').textContent, s.querySelector('.axis-y').textContent, s.querySelectorAll('rect').length]);",
    );
    let charts = charts.as_array().unwrap();
    assert_eq!(charts.len(), 8, "{charts:?}");
    for c in charts {
        let (title, x, y) = (c[1].as_str().unwrap(), c[2].as_str().unwrap(), c[3].as_str().unwrap());
        assert!(!title.is_empty() && !x.is_empty() && y.contains('('), "every chart has a title, axes and a unit: {c}");
    }
    let bars = |id: &str| charts.iter().find(|c| c[0] == id).unwrap()[4].as_u64().unwrap();
    assert_eq!((bars("by-country"), bars("by-agency"), bars("sampling"), bars("disputes")), (2, 2, 1, 1), "{charts:?}");
    let text = wd.text("body");
    assert!(text.contains("Quality dashboard") && text.contains("NZ") && text.contains("FR"), "{text}");
    assert_eq!(wd.elements("script").len(), 0);
    assert_eq!(wd.script("return performance.getEntriesByType('resource').length;"), 0, "no external assets");
    wd.full_page_screenshot(&shots.join("dashboard.png")).or_else(|| Some(wd.screenshot(&shots.join("dashboard.png")))).unwrap();
    // a period with no data, and a malformed one
    wd.goto(&format!("{api_lite}/dashboard?from=2099-01"));
    assert!(wd.text("body").contains("no data in this period"));
    assert_eq!(refused(&api_lite, "/dashboard?from=2026-13").await, (400, json_str("from")));
    drop(wd);

    // ---- --from-scratch rebuilds the same rows ---------------------------------------------
    index_once(&url, &file, &sqlite, &["--from-scratch"]);
    assert!(lite.dump().await.unwrap() == dump, "a rebuild differs");

    // ---- killed at random points of the catch-up, 20 times: nothing lost, nothing twice ----
    let crash_db = format!("sqlite://{}/crash.db", dir.path().display());
    let mut partial = 0;
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..KILLS {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut child = Command::new(tracepass_bin())
            .args(["--url", &url, "--quiet", "index", "--blocks-per-batch", "5", "--deployment"])
            .arg(&file)
            .env("TRACEPASS_DATABASE", &crash_db)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        tokio::time::sleep(Duration::from_millis(150 + rng % 1_500)).await;
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let at = Db::open(&crash_db).await.unwrap().cursor().await.unwrap().map_or(0, |c| c.block_number);
        if at > 0 && at < head {
            partial += 1;
        }
    }
    index_once(&url, &file, &crash_db, &[]);
    let crashed = Db::open(&crash_db).await.unwrap();
    assert!(crashed.dump().await.unwrap() == dump, "the index after {KILLS} kills differs from a clean one");
    println!("{KILLS} kills, {partial} of them mid catch-up");
    assert!(partial >= 3, "the kills should land during catch-up ({partial} did)");

    // ---- a following indexer rides out a node restart --------------------------------------
    let mut follower = Command::new(tracepass_bin())
        .args(["--url", &url, "--quiet", "index", "--deployment"])
        .arg(&file)
        .env("TRACEPASS_DATABASE", &sqlite)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let port = node.port;
    let node = Node::start_at(node.stop(), port).await;
    let chain = Chain::connect(&node.url()).await.unwrap();
    let tp = Tracepass::open(chain.clone(), &deployment).unwrap();
    let late = lots::build(c.gtin, "LATE", vec!["late-1".into()]).unwrap();
    let late_id = tp.register_lot(&k.merchant, Consortium::lot_input(&late)).await.unwrap().value;
    let late_key = format!("0x{}", hex::encode(late_id));
    let deadline = Instant::now() + Duration::from_secs(60);
    while query::lot(&lite, &late_key).await.unwrap().is_none() {
        assert!(Instant::now() < deadline, "the follower did not index the lot registered after the node restart");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    follower.kill().unwrap();
    let out = follower.wait_with_output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
    drop(post);
    drop(pg);
}

/// The scan log's counts, reload rule, copy rules and flagged list on SQLite and on PostgreSQL
/// alike (no chain needed: the log is written as the resolver writes it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_log_works() {
    use tracepass::scans::{flagged, Regions, Rules, ScanLog, Scanned, Suspicion};
    let pg = Postgres::start();
    let dir = tempfile::tempdir().unwrap();
    for url in [format!("sqlite://{}", dir.path().join("scans.db").display()), pg.database("scans")] {
        let rules = Rules::new(4, 2, 7).unwrap();
        let regions = Regions::parse("10.1.0.0/16,CN-SH\n10.2.0.0/16,CN-BJ\n").unwrap();
        let log = ScanLog::open(&url, rules, regions).await.unwrap_or_else(|e| panic!("{url}: {e}"));
        let item = |n: u32| Scanned {
            item: format!("0x{:064x}", n),
            lot: format!("0x{:064x}", 1000 + n),
            gtin: "09506000134352".into(),
            lot_number: "L1".into(),
            serial: format!("S{n}"),
        };
        let ip = |s: &str| s.parse::<std::net::IpAddr>().unwrap();
        let day = 86_400_000i64;
        let t0 = 1_800_000_000_000i64;
        // five shoppers of item 1 in Shanghai over five days; two more in Beijing, one elsewhere
        let mut last = None;
        for (k, addr) in ["10.1.0.1", "10.1.9.9", "10.1.3.3", "10.1.4.4", "10.1.5.5", "10.2.0.1", "10.2.0.2", "192.0.2.1"].iter().enumerate() {
            let s = log.record(&item(1), ip(addr), t0 + k as i64 * day / 2).await.unwrap();
            assert_eq!((s.count, s.counted, s.first_ms), (k as u64 + 1, true, t0), "{url} scan {k}: {s:?}");
            last = Some(s);
        }
        let s = last.unwrap();
        // 8 scans > 4; 3 regions (CN-SH, CN-BJ, net:192.0) > 2
        assert_eq!(s.window_regions, 3, "{url}");
        assert_eq!(
            s.suspicions,
            vec![Suspicion::TooManyScans { scans: 8, limit: 4, days: 7 }, Suspicion::TooManyRegions { regions: 3, limit: 2, days: 7 }],
            "{url}"
        );
        // a reload within ten minutes is not a scan; after them it is
        let again = log.record(&item(1), ip("192.0.2.1"), t0 + 7 * day / 2 + 60_000).await.unwrap();
        assert_eq!((again.count, again.counted), (8, false), "{url}");
        let later = log.record(&item(1), ip("192.0.2.1"), t0 + 7 * day / 2 + 11 * 60_000).await.unwrap();
        assert_eq!((later.count, later.counted), (9, true), "{url}");
        // long after, the window holds only the new scan: no suspicion, the total stays
        let much_later = log.record(&item(1), ip("10.1.0.1"), t0 + 30 * day).await.unwrap();
        assert_eq!((much_later.count, much_later.window_scans, much_later.window_regions), (10, 1, 1), "{url}");
        assert!(much_later.suspicions.is_empty(), "{url}");
        // item 2, scanned once: quiet
        let once = log.record(&item(2), ip("10.1.0.1"), t0 + day).await.unwrap();
        assert_eq!((once.count, once.suspicions.len()), (1, 0), "{url}");
        // many pages at once (their counts read in grouped statements): items 100.. scanned
        // 1, 2 or 3 times each, then once more together; each gets its own counts
        log.flush().await;
        let items: Vec<Scanned> = (0..90u32).map(|n| item(100 + n)).collect();
        for round in 0..3u32 {
            let scans = (0..90u32).filter(|n| n % 3 >= round).map(|n| log.record(&items[n as usize], ip(&format!("10.9.{round}.{}", n % 200)), t0 + i64::from(round) * 3_600_000));
            for s in futures::future::join_all(scans).await {
                assert!(s.unwrap().counted);
            }
            log.flush().await;
        }
        let all = futures::future::join_all(items.iter().map(|it| log.record(it, ip("10.8.0.1"), t0 + 4 * 3_600_000))).await;
        for (n, s) in all.into_iter().enumerate() {
            let s = s.unwrap();
            assert_eq!((s.count, s.first_ms), (n as u64 % 3 + 2, t0), "{url}: item {} {s:?}", 100 + n);
        }
        // the flagged list as of the fourth day: item 1 only, with its counts
        log.flush().await;
        let reader = Db::open_reader(&url).await.unwrap();
        let rows = flagged(&reader, &rules, None, t0 + 4 * day, 100).await.unwrap();
        assert_eq!(rows.len(), 1, "{url}: {rows:?}");
        assert_eq!((rows[0]["serial"].as_str(), rows[0]["scans"].as_i64(), rows[0]["regions"].as_i64()), (Some("S1"), Some(9), Some(3)), "{url}");
        assert_eq!(log.dropped(), 0);
        reader.close().await;
    }
}
