//! Reliability on a real node: crash and restart without loss, concurrent load, secret hygiene,
//! upgrades that keep state. Figures are printed (run with --nocapture) for RELIABILITY.md.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tracepass::batch;
use tracepass::chain::Signer;
use tracepass::gs1::{DigitalLink, Proof};
use tracepass::lots::ProofLine;
use tracepass::shared::merkle;
use tracepass::shared::*;
use tracepass::verify::{verify, Verdict};
use tracepass::{Chain, Tracepass};
use tracepass_e2e::fixture::{Consortium, GTIN};
use tracepass_e2e::{tracepass_bin, Node};

/// Lots in the crash test's manifest, and serials per lot.
const CRASH_LOTS: usize = 240;
const CRASH_ITEMS: usize = 200;
/// Node crashes injected during the bulk registration.
const CRASHES: usize = 3;

/// Writes a manifest of `lots` lots of `items` serials each into `dir`.
fn write_manifest(dir: &Path, lots: usize, items: usize) -> PathBuf {
    let mut m = String::from(batch::HEADER);
    m.push('\n');
    for l in 0..lots {
        let serials: String = (0..items).map(|i| format!("C{l:04}S{i:06}\n")).collect();
        std::fs::write(dir.join(format!("lot{l}.txt")), serials).unwrap();
        m.push_str(&format!("{GTIN},CRASH{l:04},lot{l}.txt,20261101,20281101\n"));
    }
    let path = dir.join("manifest.csv");
    std::fs::write(&path, m).unwrap();
    path
}

/// `tracepass lot register-many` against `url`, signing as the fixture's merchant.
/// The merchant's salt key of a run: beside its manifest, the same for every rerun.
fn salt_key(manifest: &Path) -> std::path::PathBuf {
    manifest.with_file_name("salt.key")
}

fn register_many(url: &str, deployment: &Path, manifest: &Path, out: &Path) -> Command {
    let mut c = Command::new(tracepass_bin());
    c.env("TRACEPASS_SURI", "//MerchantA")
        .env("TRACEPASS_SALT_KEY", salt_key(manifest))
        .args(["--url", url, "--json", "lot", "register-many", "--window", "4", "--lots-per-tx", "5"])
        .arg("--deployment")
        .arg(deployment)
        .arg("--manifest")
        .arg(manifest)
        .arg("--out-dir")
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    c
}

/// Times the reference node may be restarted after a crash before it seals again.
const SEAL_RESTARTS: usize = 3;
/// How long a restarted node has to include a probe transaction.
const SEAL_PROBE: Duration = Duration::from_secs(30);

/// Restarts the node on `base` and checks it still produces blocks (a `System.remark` is
/// included within [`SEAL_PROBE`]). substrate-contracts-node 0.42 was seen once, after a SIGKILL,
/// to log "attempted to revert finalized block" and never seal again: that is the node's defect,
/// not the client's, so it is restarted (up to [`SEAL_RESTARTS`] times, each said on stderr).
async fn restart_sealing(mut base: tempfile::TempDir) -> Node {
    for attempt in 0..=SEAL_RESTARTS {
        let node = Node::start_on(base).await;
        let chain = Chain::connect(&node.url()).await.unwrap();
        let probe = Signer::from_suri("//Alice").unwrap();
        match tokio::time::timeout(SEAL_PROBE, chain.remark(&probe)).await {
            Ok(Ok(())) => return node,
            other => {
                eprintln!("WARNING: restarted node does not seal (attempt {attempt}: {other:?}); restarting it; log: {}", node.base.path().join("node.log").display());
                base = node.stop();
            }
        }
    }
    panic!("the node did not seal after {SEAL_RESTARTS} restarts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crash_and_restart_loses_nothing_works() {
    let work = tempfile::tempdir().unwrap();
    let manifest = write_manifest(work.path(), CRASH_LOTS, CRASH_ITEMS);
    let out = work.path().join("proofs");
    let mut node = Node::start().await;
    let c = Consortium::setup(&node.url(), work.path()).await;
    let lots_before = c.tp.counts().await.unwrap().2;
    let d = c.deployment.clone();
    drop(c);

    let t0 = Instant::now();
    let mut crashes = 0;
    let mut confirmed_at_crash = vec![];
    while crashes < CRASHES {
        let tp = Tracepass::open(Chain::connect(&node.url()).await.unwrap(), &d).unwrap();
        let start = tp.counts().await.unwrap().2;
        eprintln!("run {crashes} starts at {:?}", t0.elapsed());
        let mut child = register_many(&node.url(), work.path().join("deployment.json").as_path(), &manifest, &out).spawn().unwrap();
        // crash the node once some more lots of this run are on chain
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let now = tp.counts().await.unwrap().2;
            if now >= start + 15 {
                confirmed_at_crash.push(now - lots_before);
                break;
            }
            assert!(Instant::now() < deadline, "no progress");
            if child.try_wait().unwrap().is_some() {
                let o = child.wait_with_output().unwrap();
                panic!("the run ended before the crash: {} {}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        drop(tp);
        let base = node.crash();
        crashes += 1;
        // the client notices, says what happened and that a rerun is safe, and exits non-zero
        let t_crash = Instant::now();
        let out = tokio::task::spawn_blocking(move || child.wait_with_output()).await.unwrap().unwrap();
        eprintln!("client exited {:?} after the crash", t_crash.elapsed());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "exit status after a dropped connection; stdout: {stdout}");
        assert!(stdout.contains("Rerun the same command") || stdout.contains("Retrying the same command is safe"), "{stdout}");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));
        let t_start = Instant::now();
        node = restart_sealing(base).await;
        eprintln!("node restarted in {:?}", t_start.elapsed());
        eprintln!("crash {crashes} done at {:?}", t0.elapsed());
    }

    // the same command again completes the manifest
    let out_dir = out.clone();
    let url = node.url();
    let dep = work.path().join("deployment.json");
    let man = manifest.clone();
    let t_rerun = Instant::now();
    let done = tokio::task::spawn_blocking(move || register_many(&url, &dep, &man, &out_dir).output()).await.unwrap().unwrap();
    let stdout = String::from_utf8_lossy(&done.stdout);
    eprintln!("rerun took {:?}", t_rerun.elapsed());
    assert!(done.status.success(), "rerun: {stdout} {}", String::from_utf8_lossy(&done.stderr));
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let s = &v["summary"];
    assert_eq!(s["lots"], CRASH_LOTS);
    assert_eq!(s["registered"].as_u64().unwrap() + s["already_registered"].as_u64().unwrap(), CRASH_LOTS as u64);
    assert!(s["already_registered"].as_u64().unwrap() > 0, "the lots confirmed before the crashes are skipped");

    // exactly once: the counter grew by the number of distinct lots, and every lot is the planned one
    let tp = Tracepass::open(Chain::connect(&node.url()).await.unwrap(), &d).unwrap();
    assert_eq!(tp.counts().await.unwrap().2, lots_before + CRASH_LOTS as u64, "no lot lost, none counted twice");
    // the plan again, in process, under the runs' salt key: the same lots, roots and salts
    let key = tracepass::lots::SaltKey::load_or_create(&salt_key(&manifest)).unwrap();
    let planned = batch::plan(batch::parse_manifest(&std::fs::read_to_string(&manifest).unwrap(), work.path()).unwrap(), &key).unwrap();
    let mut items = 0usize;
    for p in &planned {
        let lot = tp.lot(lot_id(&p.row.gtin, p.row.lot.as_bytes())).await.unwrap().expect("registered");
        assert_eq!(lot.info, p.input, "lot {}", p.row.lot);
        // every item of the proofs file verifies against the root on chain
        let text = std::fs::read_to_string(batch::proofs_path(&out, &p.row.gtin, &p.row.lot)).unwrap();
        let lines: Vec<ProofLine> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), CRASH_ITEMS);
        for (i, l) in lines.iter().enumerate() {
            assert_eq!(l.serial, p.built.serials[i]);
            let proof = Proof::decode(&l.proof).unwrap();
            let item = item_id_of(&p.row.gtin, p.row.lot.as_bytes(), l.serial.as_bytes(), proof.salt.as_ref());
            assert!(proof.salt.is_some(), "every item is salted");
            assert!(merkle::verify(&lot.info.root, lot.info.item_count, proof.index, &item, &proof.siblings), "{} {}", p.row.lot, l.serial);
            items += 1;
        }
    }
    // and a few through the consumer's whole check
    for p in planned.iter().step_by(60) {
        let dl = DigitalLink::parse(&p.built.line(7, "x").uri).unwrap();
        assert_eq!(verify(&tp, &dl).await.unwrap().verdict, Verdict::Genuine);
    }
    println!(
        "crash/restart: {CRASHES} SIGKILLs of the node during `lot register-many` ({} lots confirmed at each crash), {CRASH_LOTS} lots, {items} items verified, 0 lost, 0 duplicated",
        confirmed_at_crash.iter().map(|n| n.to_string()).collect::<Vec<_>>().join("/")
    );
}

/// Merchant clients and verifiers of the load test, lots per merchant and items per lot.
const LOAD_MERCHANTS: usize = 8;
const LOAD_VERIFIERS: usize = 8;
const LOAD_LOTS: usize = 12;
const LOAD_ITEMS: usize = 1_000;

/// GTIN-14 `0{prefix}{item:05}` plus its check digit.
fn gtin14(prefix: &str, item: u32) -> Gtin {
    let body = format!("0{prefix}{item:05}");
    let sum: u32 = body.chars().rev().enumerate().map(|(i, c)| c.to_digit(10).unwrap() * if i % 2 == 0 { 3 } else { 1 }).sum();
    tracepass::gs1::parse_gtin(&format!("{body}{}", (10 - sum % 10) % 10)).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_load_works() {
    use futures::future::join_all;
    let work = tempfile::tempdir().unwrap();
    let node = Node::start().await;
    let c = Consortium::setup(&node.url(), work.path()).await;
    // what the verifiers check: items of a registered lot, and forged serials
    let (vlot, _) = c.register_lot("VERIFY1", "V", 2_000).await;
    // eight merchants, each with its own prefix, factory and product, and its own connection
    let merchants: Vec<Signer> = (0..LOAD_MERCHANTS).map(|i| Signer::from_suri(&format!("//LoadMerchant{i}")).unwrap()).collect();
    join_all(merchants.iter().map(|m| c.tp.chain.transfer(&c.keys.alice, m.account(), 1_000_000_000_000_000))).await.into_iter().for_each(|r| r.unwrap());
    let mut gtins = vec![];
    for (i, m) in merchants.iter().enumerate() {
        let prefix = format!("08{i}1234");
        let onboard = tracepass_e2e::fixture::onboard(m.account(), &format!("Load merchant {i}"), "DE", &prefix, &[&format!("Brand{i}")]);
        c.tp.pass(&[&c.keys.bob, &c.keys.charlie], onboard).await.unwrap();
        gtins.push(gtin14(&prefix, 1));
    }
    let lots_before = c.tp.counts().await.unwrap().2;
    let url = node.url();
    let d = c.deployment.clone();
    let t0 = Instant::now();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));

    let merchant_runs = merchants.iter().zip(&gtins).enumerate().map(|(i, (m, gtin))| {
        let (url, d) = (url.clone(), d.clone());
        async move {
            let tp = Tracepass::open(Chain::connect(&url).await.unwrap(), &d).unwrap();
            let factory = tp.register_factory(m, CountryCode(*b"DE"), [i as u8; 32]).await.unwrap().value;
            let product = ProductInput {
                gtin: *gtin,
                brand: format!("Brand{i}").into_bytes(),
                category: 1001,
                origin: CountryCode(*b"DE"),
                factory,
                hs_code: b"330499".to_vec(),
                metadata_hash: [0; 32],
                uri: vec![],
            };
            tp.register_product(m, product).await.unwrap();
            let built: Vec<_> = (0..LOAD_LOTS)
                .map(|l| tracepass::lots::build(*gtin, &format!("M{i}L{l}"), (0..LOAD_ITEMS).map(|s| format!("M{i}L{l}S{s}")).collect()).unwrap())
                .collect();
            // all lots of this merchant in flight at once (local nonces)
            let results = join_all(built.iter().map(|b| tp.register_lot(m, Consortium::lot_input(b)))).await;
            let ok = results.iter().filter(|r| r.is_ok()).count();
            for r in &results {
                if let Err(e) = r {
                    eprintln!("merchant {i}: {e}");
                }
            }
            (ok, built)
        }
    });
    let verifier_runs = (0..LOAD_VERIFIERS).map(|v| {
        let (url, d, vlot, done) = (url.clone(), d.clone(), &vlot, done.clone());
        async move {
            let tp = Tracepass::open(Chain::connect(&url).await.unwrap(), &d).unwrap();
            let (mut n, mut wrong, mut lat) = (0usize, 0usize, vec![]);
            let mut i = v;
            while !done.load(std::sync::atomic::Ordering::SeqCst) || n < 20 {
                let mut dl = Consortium::link(vlot, i % vlot.serials.len());
                let forged = i % 5 == 0;
                if forged {
                    dl.serial = format!("FAKE{i}");
                }
                let t = Instant::now();
                let r = verify(&tp, &dl).await.unwrap();
                lat.push(t.elapsed());
                let expect = if forged { Verdict::NotInLot } else { Verdict::Genuine };
                if r.verdict != expect {
                    wrong += 1;
                }
                n += 1;
                i += LOAD_VERIFIERS;
            }
            (n, wrong, lat)
        }
    });
    let merchants_done = async {
        let r = join_all(merchant_runs).await;
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        r
    };
    let (m_results, v_results) = tokio::join!(merchants_done, join_all(verifier_runs));
    let secs = t0.elapsed().as_secs_f64();

    let submitted = LOAD_MERCHANTS * LOAD_LOTS;
    let confirmed: usize = m_results.iter().map(|r| r.0).sum();
    assert_eq!(confirmed, submitted, "every submission confirmed");
    // none lost, none duplicated: the counter and every record agree with what was sent
    assert_eq!(c.tp.counts().await.unwrap().2, lots_before + submitted as u64);
    for (_, built) in &m_results {
        for b in built {
            let lot = c.tp.lot(lot_id(&b.gtin, b.lot.as_bytes())).await.unwrap().expect("registered");
            assert_eq!(lot.info, Consortium::lot_input(b));
        }
    }
    let verdicts: usize = v_results.iter().map(|r| r.0).sum();
    let wrong: usize = v_results.iter().map(|r| r.1).sum();
    assert_eq!(wrong, 0, "every verdict consistent");
    let mut lat: Vec<Duration> = v_results.into_iter().flat_map(|r| r.2).collect();
    lat.sort();
    let p = |q: f64| lat[((lat.len() as f64 * q) as usize).min(lat.len() - 1)];
    println!(
        "load: {LOAD_MERCHANTS} merchants x {LOAD_LOTS} lots x {LOAD_ITEMS} items and {LOAD_VERIFIERS} verifiers at once for {secs:.1} s: \
         {submitted} lots ({:.1} lots/s, {:.0} items/s), 0 lost, 0 duplicated; {verdicts} verdicts ({:.0}/s, p50 {:?}, p99 {:?}), 0 inconsistent",
        submitted as f64 / secs,
        (submitted * LOAD_ITEMS) as f64 / secs,
        verdicts as f64 / secs,
        p(0.5),
        p(0.99)
    );
}

/// The secret of the hygiene test: a mnemonic with a derivation path and a password.
const SECRET_PHRASE: &str = "legal winner thank year wave sausage worth useful legal winner thank yellow";
const SECRET_PATH: &str = "//tracepass//hygiene";
const SECRET_PASSWORD: &str = "s3cr3t-Pa55w0rd";
/// A malformed secret (must not be echoed either).
const BAD_SECRET: &str = "my private words are not a secret uri///Pa55-bad";

/// Every leaf command of the CLI, from its own help (so a new command without a hygiene case fails).
fn leaf_commands(bin: &Path, path: Vec<String>) -> Vec<Vec<String>> {
    let out = Command::new(bin).args(&path).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let subs: Vec<String> = text
        .split("Commands:\n")
        .nth(1)
        .map(|s| s.split("\n\n").next().unwrap_or(""))
        .unwrap_or("")
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    if subs.is_empty() {
        return vec![path];
    }
    subs.into_iter().flat_map(|s| leaf_commands(bin, [path.clone(), vec![s]].concat())).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_never_shown_works() {
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    let node = Node::start().await;
    let c = Consortium::setup(&node.url(), dir).await;
    let secret = format!("{SECRET_PHRASE}{SECRET_PATH}///{SECRET_PASSWORD}");
    let me = tracepass::chain::Signer::from_suri(&secret).unwrap();
    // the secret's account is a funded merchant, so writes reach the contracts (and some succeed)
    c.tp.chain.transfer(&c.keys.alice, me.account(), 1_000_000_000_000_000).await.unwrap();
    // its own prefix: the fixture's merchant holds 0614141, and prefixes do not overlap
    c.tp.pass(&[&c.keys.bob, &c.keys.charlie], tracepass_e2e::fixture::onboard(me.account(), "Secret merchant", "NZ", "0614142", &["B"])).await.unwrap();
    let (fixture_lot, _) = c.register_lot("FX1", "FX", 10).await;
    std::fs::write(dir.join("serials.txt"), "SEC1\nSEC2\nSEC3\n").unwrap();
    std::fs::write(dir.join("manifest.csv"), format!("{}\n10614142000421,SECM1,serials.txt,20261101,20281101\n", batch::HEADER)).unwrap();
    std::fs::write(dir.join("bad.json"), "{ not json").unwrap();
    std::fs::write(dir.join("suri"), &secret).unwrap();
    std::fs::write(dir.join("bad-suri"), BAD_SECRET).unwrap();
    let me_ss58 = tracepass::fmt::ss58(&me.account());
    let eve = tracepass::fmt::ss58(&c.keys.eve.account());
    let uri = Consortium::link(&fixture_lot, 3).uri("id.tracepass.local");
    let d = dir.display().to_string();
    let cases: Vec<Vec<String>> = [
        "account",
        "factory register --name F2 --country NZ",
        "factory name --factory 2 --name Plant-2",
        "product register --gtin 10614142000421 --brand B --category 1001 --origin NZ --factory 2",
        "product register --gtin 10614141000415 --brand B --category 1001 --origin NZ --factory 2",
        "lot register --gtin 10614142000421 --lot SEC1 --serials {d}/serials.txt --out {d}/sec.proofs.jsonl",
        "lot register --gtin 10614142000421 --lot SEC1 --serials {d}/missing.txt",
        "lot register-many --manifest {d}/manifest.csv --out-dir {d}/many",
        "lot register-many --manifest {d}/bad.json",
        "lot show --gtin 10614142000421 --lot SEC1",
        "event add --gtin 10614142000421 --lot SEC1 --step shipping --country NZ",
        "event add --gtin 10614142000421 --lot SEC1 --step customs-clearance --country NZ",
        "event import --epcis {d}/bad.json",
        "export epcis --gtin 10614142000421 --lot SEC1 --out {d}/sec.epcis.json",
        "export epcis --gtin 10614142000421 --lot NOPE",
        "verify {uri}",
        "verify --gtin 10614141000415 --lot FX1 --serial FX00000003 --proof 12a",
        "qr {uri} --out {d}/q.png",
        "qr --serial SEC9 --proofs {d}/sec.proofs.jsonl --out {d}/q.svg",
        "query lot --gtin 10614142000421 --lot SEC1",
        "query product 10614142000421",
        "query factory 2",
        "query account {me}",
        "query attestations --gtin 10614142000421 --lot SEC1",
        "query selection --gtin 10614142000421 --lot SEC1",
        "query counts",
        "chain info",
        "chain advance 1",
        "member propose add {eve} --role governor",
        "member propose remove {eve}",
        "member propose scope {eve} --categories 1001",
        "member propose threshold 1",
        "member propose upgrade registry --code-hash 0x0000000000000000000000000000000000000000000000000000000000000000",
        "member propose revoke-attestation 1 --reason r",
        "member propose set-name {me} --name Sham-Dairy",
        "member propose resolve-dispute --gtin 10614142000421 --lot SEC1 --release",
        "member propose release-hold --gtin 10614142000421 --lot SEC1",
        "member approve 1",
        "member execute 1",
        "member list",
        "merchant add {eve} --name N --country NZ --gs1-prefix 0614141 --brand X",
        "merchant suspend {me}",
        "merchant confirm-suspension {me}",
        "merchant reinstate {me}",
        "merchant tier {me} trusted",
        "merchant brands {me} --brand B",
        "merchant revoke {me} --reason r",
        "merchant show {me}",
        "sampling rule set --rate 100",
        "sampling rule remove --category 1",
        "sampling rule policy --default-rate 1 --passes-to-clear 1",
        "sampling rule list",
        "sampling commit --secret-file {d}/epoch-secret",
        "sampling reveal --epoch 1 --secret-file {d}/epoch-secret",
        "sampling finalize --epoch 1",
        "sampling status",
        "attest inspection --gtin 10614142000421 --lot SEC1 --result pass --report {d}/serials.txt",
        "attest certification --factory 2 --category 1001 --standard ISO --certificate C1",
        "attest customs --gtin 10614142000421 --lot SEC1 --port NZAKL --declaration {d}/serials.txt",
        "attest revoke 1 --reason r",
        "attest dispute --gtin 10614142000421 --lot SEC1 --failed 1",
        "lot recall --gtin 10614142000421 --lot SEC1 --reason r",
        "deploy --artifacts {d}/no-such-dir",
        "serve --listen 127.0.0.1:0",
        "serve --listen 127.0.0.1:0 --scan-log --database sqlite://{d}/hygiene.db",
        "index --once --database sqlite://{d}/hygiene.db",
        "history lot 0x0000000000000000000000000000000000000000000000000000000000000000 --database sqlite://{d}/hygiene.db",
        "history merchant {me} --database sqlite://{d}/hygiene.db",
        "history agency {eve} --database sqlite://{d}/hygiene.db",
        "stats summary --database sqlite://{d}/hygiene.db",
        "stats pass-rates --by country --database sqlite://{d}/hygiene.db",
        "stats sampling --database sqlite://{d}/hygiene.db",
        "stats backlog --database sqlite://{d}/hygiene.db",
        "api --listen 127.0.0.1:0 --database sqlite://{d}/hygiene.db",
    ]
    .iter()
    .map(|s| s.replace("{d}", &d).replace("{uri}", &uri).replace("{me}", &me_ss58).replace("{eve}", &eve).split(' ').map(str::to_string).collect())
    .collect();
    let bin = tracepass_bin();
    // every command of the CLI has a case
    for leaf in leaf_commands(&bin, vec![]) {
        assert!(cases.iter().any(|c| c.starts_with(&leaf)), "no secret-hygiene case for `tracepass {}`", leaf.join(" "));
    }

    // the merchant's salt key is a secret too: made first, so that its text can be looked for
    let salt_key = format!("{d}/salt.key");
    tracepass::lots::SaltKey::load_or_create(Path::new(&salt_key)).unwrap();
    let salt_hex = std::fs::read_to_string(&salt_key).unwrap().trim().to_string();
    let forbidden = [secret.as_str(), SECRET_PHRASE, "legal winner", SECRET_PATH, SECRET_PASSWORD, BAD_SECRET, "Pa55-bad", &salt_hex, &salt_hex[..16]];
    let dep = c.deployment_file.display().to_string();
    let (mut runs, mut bytes, mut failures) = (0usize, 0usize, 0usize);
    let mut run = |args: Vec<String>, how: &str| {
        let mut cmd = Command::new(&bin);
        cmd.args(["--url", &node.url(), "--deployment", &dep]).env("TRACEPASS_SALT_KEY", &salt_key);
        match how {
            "env" => {
                cmd.env("TRACEPASS_SURI", &secret);
            }
            "file" => {
                cmd.args(["--suri-file", &format!("{d}/suri"), "--json", "-v"]);
            }
            "arg" => {
                cmd.args(["--suri", &secret]);
            }
            "bad-env" => {
                cmd.env("TRACEPASS_SURI", BAD_SECRET);
            }
            _ => {
                cmd.args(["--suri-file", &format!("{d}/bad-suri"), "--json"]);
            }
        }
        // the servers run until stopped
        let serve = args[0] == "serve" || args[0] == "api";
        let mut child = cmd.args(&args).env("RUST_LOG", "trace").env("RUST_BACKTRACE", "1").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let deadline = Instant::now() + Duration::from_secs(if serve { 3 } else { 120 });
        while child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let out = child.wait_with_output().unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        for f in forbidden {
            assert!(!text.contains(f), "`tracepass {}` ({how}) printed the secret: {text}", args.join(" "));
        }
        assert!(!text.contains("panicked"), "`tracepass {}` ({how}) panicked: {text}", args.join(" "));
        runs += 1;
        bytes += text.len();
        if !out.status.success() {
            failures += 1;
        }
    };
    for case in &cases {
        run(case.clone(), "env");
        run(case.clone(), "file");
    }
    for case in cases.iter().take(6) {
        run(case.clone(), "arg");
        run(case.clone(), "bad-env");
        run(case.clone(), "bad-file");
    }
    for help in [vec!["--help"], vec!["lot", "register", "--help"], vec!["--version"]] {
        run(help.iter().map(|s| s.to_string()).collect(), "env");
    }
    // the node never sees a secret either
    let log = std::fs::read_to_string(node.base.path().join("node.log")).unwrap_or_default();
    for f in forbidden {
        assert!(!log.contains(f), "node log holds the secret");
    }
    assert!(failures > 0 && failures < runs, "both success and error paths ran ({failures} of {runs} failed)");
    println!(
        "secret hygiene: {} commands, {runs} runs ({failures} error paths) with the secret in TRACEPASS_SURI, --suri-file, --suri and malformed; {bytes} bytes of output + {} bytes of node log searched: 0 hits",
        cases.len(),
        log.len()
    );
}

/// `tracepass lot register` in `dir` as the fixture's merchant; `out`: the --out path, if any.
fn register_lot(url: &str, c: &Consortium, dir: &Path, lot: &str, serials: &str, out: Option<&Path>) -> std::process::Output {
    std::fs::write(dir.join("serials.txt"), serials).unwrap();
    let mut cmd = Command::new(tracepass_bin());
    cmd.current_dir(dir)
        .env("TRACEPASS_SURI", "//MerchantA")
        .env("TRACEPASS_SALT_KEY", dir.with_file_name("salt.key"))
        .args(["--url", url, "--json", "lot", "register", "--gtin", GTIN, "--lot", lot, "--serials", "serials.txt"])
        .arg("--deployment")
        .arg(&c.deployment_file);
    if let Some(o) = out {
        cmd.arg("--out").arg(o);
    }
    cmd.output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_registration_keeps_the_proofs_works() {
    let work = tempfile::tempdir().unwrap();
    let node = Node::start().await;
    let c = Consortium::setup(&node.url(), work.path()).await;
    let dir = work.path().join("merchant");
    std::fs::create_dir(&dir).unwrap();
    // a lot number with '/', '+' and '&', all valid in GS1 AI (10): the default file name is safe
    let lot = "T/26.x+1&y";
    let first = register_lot(&node.url(), &c, &dir, lot, "A1\nA2\nA3\n", None);
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stdout));
    let proofs = dir.join(tracepass::lots::proofs_file_name(&tracepass::gs1::parse_gtin(GTIN).unwrap(), lot));
    let genuine = std::fs::read(&proofs).expect("the default proofs file");
    assert_eq!(genuine.iter().filter(|b| **b == b'\n').count(), 3);

    // the same lot again with other serials: the chain refuses it, the genuine proofs stay
    let second = register_lot(&node.url(), &c, &dir, lot, "B1\nB2\nB3\n", Some(&proofs));
    assert_eq!(second.status.code(), Some(2), "{}", String::from_utf8_lossy(&second.stdout));
    assert_eq!(std::fs::read(&proofs).unwrap(), genuine, "a refused registration replaced the proofs");
    // ... also when the refused run writes to a new file: nothing of the refused lot is left
    let other = dir.join("other.proofs.jsonl");
    let third = register_lot(&node.url(), &c, &dir, lot, "B1\nB2\nB3\n", Some(&other));
    assert_eq!(third.status.code(), Some(2));
    assert!(!other.exists(), "proofs of serials that are not on chain were written");
    let names: Vec<String> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 2, "only the serials and the genuine proofs: {names:?}");

    // a rerun of the genuine registration is accepted and leaves the same file
    let again = register_lot(&node.url(), &c, &dir, lot, "A1\nA2\nA3\n", None);
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stdout));
    assert_eq!(std::fs::read(&proofs).unwrap(), genuine);
    // and the genuine item verifies from its proofs file
    let line: ProofLine = serde_json::from_str(std::str::from_utf8(&genuine).unwrap().lines().next().unwrap()).unwrap();
    let report = verify(&c.tp, &DigitalLink::parse(&line.uri).unwrap()).await.unwrap();
    assert_eq!(report.verdict, Verdict::Genuine, "{}", report.reason);
}
