//! The consortium chain on real validators (issue 15): four tracepass-node validators and a
//! non-validating full node on loopback, started by scripts/consortium.sh, with Aura blocks,
//! GRANDPA finality, no sudo, council-only root and permissioned peers.
//!
//! One network serves the whole story (a start costs a minute of 6 s slots); each phase says
//! which point of the issue it shows. Nothing here is timed: waits are bounded in slots and
//! sessions, and what was measured (block time, finality lag, catch-up) is printed as a report.

use std::time::Instant;
use tracepass::chain::{parse_account, AccountId, Signer};
use tracepass::contracts::Deployment;
use tracepass::subxt::dynamic::{self, Value};
use tracepass::subxt::ext::codec::Decode;
use tracepass::subxt::ext::scale_value::{At, Composite};
use tracepass::subxt::utils::H256;
use tracepass::fmt::ss58;
use tracepass::verify::{verify, Verdict};
use tracepass::{Chain, ClientError};
use tracepass_e2e::fixture::{keys, Consortium, Keys};
use tracepass_e2e::network::{Network, View, SESSION_BLOCKS};
use tracepass_e2e::{artifacts, tracepass_bin};

/// Validators at genesis.
const VALIDATORS: usize = 4;
/// The council's threshold M at genesis (node/chain-spec/consortium.local.json).
const M: u32 = 2;

/// A runtime call, usable as a transaction and as a value nested in another call.
struct Call {
    pallet: &'static str,
    name: &'static str,
    fields: Vec<(&'static str, Value)>,
}

impl Call {
    fn new(pallet: &'static str, name: &'static str, fields: Vec<(&'static str, Value)>) -> Call {
        Call { pallet, name, fields }
    }
    fn value(&self) -> Value {
        Value::unnamed_variant(self.pallet, [Value::named_variant(self.name, self.fields.clone())])
    }
    fn payload(&self) -> tracepass::subxt::tx::DynamicPayload {
        dynamic::tx(self.pallet, self.name, Composite::named(self.fields.iter().map(|(k, v)| (k.to_string(), v.clone()))))
    }
}

fn bytes32(a: &AccountId) -> &[u8; 32] {
    a.as_ref()
}

fn account_value(a: &AccountId) -> Value {
    Value::from_bytes(AsRef::<[u8]>::as_ref(a))
}

fn force_set_balance(who: &AccountId, amount: u128) -> Call {
    Call::new("Balances", "force_set_balance", vec![("who", Value::unnamed_variant("Id", [account_value(who)])), ("new_free", Value::u128(amount))])
}

fn as_root(call: &Call) -> Call {
    Call::new("Governance", "dispatch_as_root", vec![("call", call.value())])
}

async fn free_balance(chain: &Chain, who: &AccountId) -> u128 {
    let addr = dynamic::storage("System", "Account", vec![account_value(who)]);
    // at the best block: `at_latest` is the finalized one, a few blocks behind on validators
    match chain.api.storage().at(chain.best().await.expect("best")).fetch(&addr).await.expect("fetch") {
        None => 0,
        Some(v) => v.to_value().expect("decode").at("data").and_then(|d| d.at("free")).and_then(|f| f.as_u128()).expect("free balance"),
    }
}

/// Raw storage `pallet.entry` (a plain value) at `at`, SCALE-decoded.
async fn plain<T: Decode>(chain: &Chain, at: H256, pallet: &str, entry: &str) -> Option<T> {
    let addr = dynamic::storage(pallet, entry, Vec::<Value>::new());
    let key = chain.api.storage().address_bytes(&addr).expect("key");
    let raw = chain.api.storage().at(at).fetch_raw(key).await.expect("fetch")?;
    Some(T::decode(&mut &raw[..]).expect("decode"))
}

fn dispatch_err<T: std::fmt::Debug>(r: tracepass::Result<T>) -> String {
    match r {
        Err(ClientError::Dispatch(e)) => e,
        other => panic!("expected a dispatch error, got {other:?}"),
    }
}

/// A council motion: `proposer` proposes `call` with `threshold` (below 2 it executes at once,
/// with one aye), then the proposer and `also` vote aye and Alice (not a member) closes. Whether the call
/// ran is for the caller to check on its effect: a motion executes whatever its call returns.
async fn motion(chain: &Chain, k: &Keys, call: &Call, proposer: &Signer, threshold: u32, also: &[&Signer]) {
    let bytes = chain.api.tx().call_data(&call.payload()).expect("call data");
    let hash = H256(tracepass::shared::blake2_256(&bytes));
    let index = plain::<u32>(chain, chain.best().await.unwrap(), "Council", "ProposalCount").await.unwrap_or(0);
    let len = Value::u128(bytes.len() as u128);
    let propose = Call::new("Council", "propose", vec![("threshold", Value::u128(threshold.into())), ("proposal", call.value()), ("length_bound", len.clone())]);
    chain.submit(proposer, &propose.payload()).await.expect("propose");
    if threshold <= 1 {
        return; // executed at once with the proposer's vote
    }
    for v in std::iter::once(&proposer).chain(also) {
        let vote = Call::new("Council", "vote", vec![("proposal", Value::from_bytes(hash.0)), ("index", Value::u128(index.into())), ("approve", Value::bool(true))]);
        chain.submit(v, &vote.payload()).await.expect("vote");
    }
    let weight = Value::named_composite([("ref_time", Value::u128(10_000_000_000)), ("proof_size", Value::u128(1_000_000))]);
    let close = Call::new("Council", "close", vec![("proposal_hash", Value::from_bytes(hash.0)), ("index", Value::u128(index.into())), ("proposal_weight_bound", weight), ("length_bound", len)]);
    chain.submit(&k.alice, &close.payload()).await.expect("close");
}

/// Index into the authorities of the author of block `hash` (Aura: slot mod authorities).
async fn author_of(v: &View, hash: H256) -> ([u8; 32], usize) {
    let slot = v.slot_of(hash).await;
    let auth: Vec<[u8; 32]> = plain(&v.chain, hash, "Aura", "Authorities").await.expect("authorities");
    let i = (slot % auth.len() as u64) as usize;
    (auth[i], auth.len())
}

async fn timestamp(v: &View, hash: H256) -> u64 {
    plain::<u64>(&v.chain, hash, "Timestamp", "Now").await.expect("timestamp")
}

/// Whether `link` verifies GENUINE through `v` within `slots` slots (a block included on one
/// validator reaches the others a moment later).
async fn genuine_within(v: &View, tp: &tracepass::Tracepass, link: &tracepass::gs1::DigitalLink, slots: u32) -> bool {
    v.within_slots(slots, || async move { matches!(verify(tp, link).await, Ok(r) if r.verdict == Verdict::Genuine) }).await
}

fn report(what: &str) {
    eprintln!("[consortium] {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consortium_chain_works() {
    let k = keys();
    let t0 = Instant::now();
    let net = Network::start(VALIDATORS);
    report(&format!("{VALIDATORS} validators and a full node: finality advancing after {:.0} s", t0.elapsed().as_secs_f64()));
    let mut views = vec![];
    for i in 1..=VALIDATORS {
        views.push(View::connect(&net.url("v", i)).await);
    }
    let v1 = &views[0];

    // ---- 3, 4: no sudo; unsafe RPC refused on every validator --------------------------------
    for (i, v) in views.iter().enumerate() {
        assert!(v.chain.api.metadata().pallet_by_name("Sudo").is_none(), "validator {} has a Sudo pallet", i + 1);
        assert!(v.chain.rpc.author_rotate_keys().await.is_err(), "validator {}: author_rotateKeys must be refused", i + 1);
    }
    let mut sudo_call = false;
    for p in v1.chain.api.metadata().pallets() {
        sudo_call |= p.call_variants().unwrap_or(&[]).iter().any(|c| c.name == "sudo" || c.name == "sudo_as");
    }
    assert!(!sudo_call, "no pallet may offer sudo / sudo_as");

    // ---- 1: the same commands as on --dev ------------------------------------------------------
    let t = Instant::now();
    let dep_file = net.dir.path().join("deployment.json");
    let out = std::process::Command::new(tracepass_bin())
        .args(["deploy", "--threshold", "2", "--epoch", "6s", "--reveal-window", "6s", "--default-rate", "0"])
        .args(["--governor", &ss58(&k.bob.account()), "--governor", &ss58(&k.charlie.account()), "--governor", &ss58(&k.dave.account())])
        .arg("--artifacts")
        .arg(artifacts())
        .env("TRACEPASS_URL", net.url("v", 1))
        .env("TRACEPASS_DEPLOYMENT", &dep_file)
        .env("TRACEPASS_SURI", "//Alice")
        .output()
        .expect("run tracepass deploy");
    assert!(out.status.success(), "tracepass deploy: {}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    report(&format!("tracepass deploy on 6 s slots: {:.0} s", t.elapsed().as_secs_f64()));
    let deployment = Deployment::load(&dep_file).expect("deployment file");
    let c = Consortium::populate(v1.chain.clone(), deployment.clone(), dep_file.clone()).await;
    let (lot1, _) = c.register_lot("CONS-1", "C1-", 50).await;
    // verified through another validator's RPC: every member sees the same record
    // (once that validator has imported the block: inclusion on validator 1 says nothing of when
    // the others import it, which was the flake of an earlier CI run)
    let tp2 = tracepass::Tracepass::open(views[1].chain.clone(), &deployment).unwrap();
    assert!(genuine_within(&views[1], &tp2, &Consortium::link(&lot1, 7), 10).await, "lot 1 not GENUINE through validator 2");
    let mut forged = Consortium::link(&lot1, 7);
    forged.serial = "C1-FORGED".into();
    assert_eq!(verify(&tp2, &forged).await.unwrap().verdict, Verdict::NotInLot);

    // blocks so far: authored by at least 3 different validators, finalized height advanced
    let best = v1.best().await;
    let mut authors = std::collections::BTreeSet::new();
    for n in 1..=best {
        let h = v1.hash_of(n).await.expect("hash");
        authors.insert(author_of(v1, h).await.0);
    }
    assert!(authors.len() >= 3, "{} distinct authors in {best} blocks", authors.len());
    let (fin, _) = v1.finalized().await;
    assert!(fin > 0 && fin + 5 >= best, "finalized {fin} lags best {best}");
    let (h1, hb) = (v1.hash_of(1).await.unwrap(), v1.hash_of(best).await.unwrap());
    let ms = (timestamp(v1, hb).await - timestamp(v1, h1).await) as f64 / (best - 1).max(1) as f64;
    report(&format!("{best} blocks by {} authors, mean block time {:.2} s, finality lag {} blocks", authors.len(), ms / 1000.0, best - fin));

    // ---- 2: one validator down: production and finality go on; it catches up -----------------
    net.script(&["kill", "4"]);
    let (fin_at_kill, _) = v1.finalized().await;
    let (lot2, _) = c.register_lot("CONS-2", "C2-", 20).await;
    let target = v1.best().await + 3;
    assert!(v1.within_slots(12, || async move { v1.best().await >= target }).await, "3 of 4: blocks must go on");
    assert!(v1.within_slots(12, || async move { v1.finalized().await.0 > fin_at_kill + 2 }).await, "3 of 4 > 2/3: finality must go on");
    let t = Instant::now();
    net.script(&["restart", "4"]);
    let v4 = &View::connect(&net.url("v", 4)).await;
    let (goal, goal_hash) = v1.finalized().await;
    assert!(v4.within_slots(40, || async move { v4.finalized().await.0 >= goal }).await, "restarted validator 4 did not catch up to #{goal}");
    assert_eq!(v4.hash_of(goal).await, Some(goal_hash), "validator 4 finalized another block at #{goal}");
    report(&format!("validator 4 restarted: caught up to finalized #{goal} in {:.0} s", t.elapsed().as_secs_f64()));
    let tp4 = tracepass::Tracepass::open(v4.chain.clone(), &deployment).unwrap();
    assert!(genuine_within(v4, &tp4, &Consortium::link(&lot2, 3), 10).await, "the lot registered while 4 was down");

    // two down: 2 of 4 < 2/3 votes, finality stops; Aura goes on in the live validators' slots
    net.script(&["kill", "3"]);
    net.script(&["kill", "4"]);
    tokio::time::sleep(tracepass_e2e::network::SLOT * 2).await; // votes in flight land
    let (stalled, _) = v1.finalized().await;
    let target = v1.best().await + 3;
    assert!(v1.within_slots(16, || async move { v1.best().await >= target }).await, "2 of 4: blocks must still be produced");
    let (still, _) = v1.finalized().await;
    assert_eq!(still, stalled, "2 of 4 validators cannot finalize");
    report(&format!("validators 3 and 4 down: best #{} and finality stopped at #{stalled} (expected: GRANDPA needs 3 of 4)", v1.best().await));
    net.script(&["restart", "3"]);
    assert!(v1.within_slots(30, || async move { v1.finalized().await.0 > stalled }).await, "finality must resume with 3 of 4");
    net.script(&["restart", "4"]);
    report("validator 3 restarted: finality resumed; validator 4 restarted");

    // ---- 3: root only through M council votes --------------------------------------------------
    let nobody = Signer::from_suri("//ConsortiumNobody").unwrap().account();
    let set = force_set_balance(&nobody, 7_000_000_000_000_000);
    // any single account, a council member included, directly or through the root dispatcher
    for (who, call) in [(&k.alice, &set), (&k.bob, &set), (&k.bob, &as_root(&set))] {
        let e = dispatch_err(v1.chain.submit(who, &call.payload()).await);
        assert!(e.to_lowercase().contains("origin"), "expected a bad origin, got {e}");
    }
    // M-1 = 1 vote: the motion executes at once with one aye, and the root call is refused
    motion(&v1.chain, &k, &as_root(&set), &k.bob, M - 1, &[]).await;
    assert_eq!(free_balance(&v1.chain, &nobody).await, 0, "M-1 council votes reached root");
    // M votes: Bob proposes, Bob and Charlie vote aye, anyone closes
    motion(&v1.chain, &k, &as_root(&set), &k.bob, M, &[&k.charlie]).await;
    assert_eq!(free_balance(&v1.chain, &nobody).await, 7_000_000_000_000_000, "M council votes must reach root");

    // ---- 4: a node the council has not authorized does not sync --------------------------------
    let eve = net.keys("c", 1);
    net.script(&["join", "1"]);
    let cand = &View::connect(&net.url("c", 1)).await;
    let from = v1.best().await;
    assert!(v1.within_slots(12, || async move { v1.best().await >= from + 3 }).await);
    assert_eq!(cand.best().await, 0, "an unauthorized node synced the chain");
    report(&format!("candidate (node {}) not authorized: at #0 while the chain is at #{}", eve.node_id, v1.best().await));

    // ---- 3: a 5th validator by council vote ------------------------------------------------------
    // the member sets its session keys first (pallet-session leaves out validators without keys)
    let keys_call = Call::new(
        "Session",
        "set_keys",
        vec![
            (
                "keys",
                Value::named_composite([
                    ("aura", Value::from_bytes(AsRef::<[u8]>::as_ref(&parse_account(&eve.aura).unwrap()))),
                    ("grandpa", Value::from_bytes(AsRef::<[u8]>::as_ref(&parse_account(&eve.grandpa).unwrap()))),
                ]),
            ),
            ("proof", Value::from_bytes(Vec::<u8>::new())),
        ],
    );
    v1.chain.submit(&k.eve, &keys_call.payload()).await.expect("set_keys");
    let eve_account = parse_account(&eve.account).unwrap();
    let node_bytes = hex::decode(&eve.node_id_hex).unwrap();
    let join = Call::new(
        "Utility",
        "batch_all",
        vec![(
            "calls",
            Value::unnamed_composite([
                Call::new("NodeAuthorization", "add_well_known_node", vec![("node", Value::from_bytes(&node_bytes)), ("owner", Value::unnamed_variant("Id", [account_value(&eve_account)]))]).value(),
                Call::new("ValidatorSet", "add_validator", vec![("who", account_value(&eve_account))]).value(),
            ]),
        )],
    );
    // M-1 votes change nothing
    motion(&v1.chain, &k, &join, &k.dave, M - 1, &[]).await;
    let set_now: Vec<[u8; 32]> = plain(&v1.chain, v1.chain.best().await.unwrap(), "ValidatorSet", "Validators").await.unwrap();
    assert_eq!(set_now.len(), VALIDATORS, "one council vote changed the validator set");
    motion(&v1.chain, &k, &join, &k.dave, M, &[&k.bob]).await;
    let voted_at = v1.best().await;
    let session_of = |hash| plain::<u32>(&v1.chain, hash, "Session", "CurrentIndex");
    let voted_session = session_of(v1.hash_of(voted_at).await.unwrap()).await.unwrap();
    let set_now: Vec<[u8; 32]> = plain(&v1.chain, v1.hash_of(voted_at).await.unwrap(), "ValidatorSet", "Validators").await.unwrap();
    assert!(set_now.contains(bytes32(&eve_account)), "M council votes must add the validator");
    // now authorized: it syncs
    assert!(cand.within_slots(30, || async move { cand.best().await >= voted_at }).await, "the authorized node did not sync");
    // and it authors a block within two sessions of the vote
    let eve_aura = *bytes32(&parse_account(&eve.aura).unwrap());
    let mut authored = None;
    let mut n = voted_at;
    let limit = voted_at + 3 * SESSION_BLOCKS;
    while authored.is_none() && n <= limit {
        if v1.best().await < n {
            assert!(v1.within_slots(6, || async move { v1.best().await >= n }).await, "the chain stopped at #{}", v1.best().await);
        }
        let h = v1.hash_of(n).await.unwrap();
        if author_of(v1, h).await.0 == eve_aura {
            authored = Some((n, session_of(h).await.unwrap()));
        }
        n += 1;
    }
    let (at, session) = authored.unwrap_or_else(|| panic!("the 5th validator authored nothing in #{voted_at}..#{limit}"));
    assert!(session <= voted_session + 2, "the 5th validator first authored in session {session}, voted in {voted_session}");
    report(&format!("5th validator voted in at #{voted_at} (session {voted_session}), first block #{at} (session {session})"));
    assert!(v1.within_slots(30, || async move { v1.finalized().await.0 >= at }).await, "finality with 5 validators");

    // ---- 5: a validator and the non-validating full node agree on the state ---------------------
    let full = View::connect(&net.url("f", 1)).await;
    let (fn_, fh) = full.finalized().await;
    assert!(fn_ >= at, "the full node follows finality");
    let a = v1.chain.rpc.chain_get_header(Some(fh)).await.unwrap().expect("validator 1 has the full node's finalized block");
    let b = full.chain.rpc.chain_get_header(Some(fh)).await.unwrap().unwrap();
    assert_eq!(a.state_root, b.state_root, "state roots differ at #{fn_}");
    report(&format!("validator 1 and the full node agree on the state root at #{fn_}; whole story {:.0} s", t0.elapsed().as_secs_f64()));
}

/// A malformed consortium description is refused by the spec generator with the field named,
/// and nothing is written.
#[test]
fn consortium_spec_refuses_bad_input_fails() {
    let desc: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(tracepass_e2e::root().join("node/chain-spec/consortium.local.json")).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, Box<dyn Fn(&mut serde_json::Value)>)> = vec![
        ("governance.threshold: 4 is not between 1 and the 3 governors", Box::new(|d| d["governance"]["threshold"] = 4.into())),
        ("governance.threshold: 0", Box::new(|d| d["governance"]["threshold"] = 0.into())),
        ("validators[1].node_id: missing", Box::new(|d| {
            let v = d["validators"][1].as_object_mut().unwrap();
            v.remove("dev_node_key");
        })),
        ("validators[2].node_id: duplicate of validators[0].node_id", Box::new(|d| d["validators"][2]["dev_node_key"] = d["validators"][0]["dev_node_key"].clone())),
        ("validators[3].account: duplicate of validators[0].account", Box::new(|d| d["validators"][3]["dev_suri"] = "//Alice".into())),
        ("accounts[2].address: duplicate of accounts[1].address", Box::new(|d| d["accounts"][2]["address"] = d["accounts"][1]["address"].clone())),
        ("accounts[0].address: bad SS58 checksum", Box::new(|d| {
            let a = d["accounts"][0]["address"].as_str().unwrap().to_string();
            let last = if a.ends_with('Y') { 'Z' } else { 'Y' };
            d["accounts"][0]["address"] = format!("{}{last}", &a[..a.len() - 1]).into();
        })),
        ("chain_type: Development", Box::new(|d| d["chain_type"] = "Development".into())),
        ("validators: empty", Box::new(|d| d["validators"] = serde_json::json!([]))),
        ("candidates[0].node_id: duplicate of validators[0].node_id", Box::new(|d| d["candidates"][0]["dev_node_key"] = d["validators"][0]["dev_node_key"].clone())),
    ];
    for (want, edit) in cases {
        let mut d = desc.clone();
        edit(&mut d);
        let file = dir.path().join("c.json");
        std::fs::write(&file, serde_json::to_string(&d).unwrap()).unwrap();
        let out_file = dir.path().join("out.json");
        let out = std::process::Command::new("python3")
            .arg(tracepass_e2e::root().join("node/chain-spec/consortium_spec.py"))
            .args(["--node", &tracepass_e2e::network::node_bin(), "build"])
            .arg(&file)
            .arg(&out_file)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{want}: {err}");
        assert!(err.contains(want), "expected {want:?}, got {err}");
        assert!(!out_file.exists(), "{want}: a spec was written");
    }
    // a key given twice in one object is refused too (JSON parsers keep the last silently)
    let file = dir.path().join("dup.json");
    std::fs::write(&file, r#"{"name": "a", "name": "b"}"#).unwrap();
    let out = std::process::Command::new("python3").arg(tracepass_e2e::root().join("node/chain-spec/consortium_spec.py")).arg("check").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("duplicate key 'name'"));
}

/// The local description's raw consortium spec, generated into `dir`.
fn local_spec(dir: &std::path::Path) -> std::path::PathBuf {
    let ok = std::process::Command::new("python3")
        .arg(tracepass_e2e::root().join("node/chain-spec/consortium_spec.py"))
        .args(["--node", &tracepass_e2e::network::node_bin(), "build"])
        .arg(tracepass_e2e::root().join("node/chain-spec/consortium.local.json"))
        .arg(dir.join("spec.json"))
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run consortium_spec.py");
    assert!(ok.success(), "consortium_spec.py build failed");
    dir.join("spec.raw.json")
}

/// A validator on the consortium spec with an empty keystore: its RPC port and the process.
fn keyless_validator(dir: &std::path::Path, extra: &[&str]) -> (u16, std::process::Child) {
    use std::io::Read;
    let spec = local_spec(dir);
    let mut key = [0u8; 32];
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut key)).expect("urandom");
    std::fs::write(dir.join("node-key"), hex::encode(key)).unwrap();
    let (rpc, p2p) = (tracepass_e2e::free_port(), tracepass_e2e::free_port());
    let log = std::fs::File::create(dir.join("node.log")).unwrap();
    let child = std::process::Command::new(tracepass_e2e::network::node_bin())
        .arg("--chain")
        .arg(&spec)
        .arg("--base-path")
        .arg(dir.join("data"))
        .arg("--node-key-file")
        .arg(dir.join("node-key"))
        .args(["--validator", "--no-mdns", "--no-prometheus", "--no-telemetry", "--rpc-port", &rpc.to_string()])
        .args(["--listen-addr", &format!("/ip4/127.0.0.1/tcp/{p2p}")])
        .args(extra)
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start tracepass-node");
    (rpc, child)
}

/// A validator whose keystore holds no authority's keys says so and exits non-zero (it would
/// otherwise run and never author or vote, silently costing the chain a validator).
#[test]
fn validator_without_keys_fails() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut child) = keyless_validator(dir.path(), &[]);
    let mut status = None;
    for _ in 0..600 {
        if let Some(s) = child.try_wait().unwrap() {
            status = Some(s);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let Some(status) = status else {
        let _ = child.kill();
        panic!("a validator without keys kept running");
    };
    assert!(!status.success());
    let log = std::fs::read_to_string(dir.path().join("node.log")).unwrap();
    assert!(log.contains("keystore holds neither an Aura"), "{log}");
    assert!(log.contains("--joining"), "the message names the way out: {log}");
}

/// A node that accepts transactions but never seals (a joining validator the council has not
/// voted in, alone): a write gives up after the inclusion timeout with a connection error that
/// says so, instead of waiting forever; the nonce is fetched again for the next write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_to_a_chain_that_does_not_seal_times_out_works() {
    let dir = tempfile::tempdir().unwrap();
    let (rpc, mut child) = keyless_validator(dir.path(), &["--joining"]);
    let url = format!("ws://127.0.0.1:{rpc}");
    let mut chain = None;
    for _ in 0..240 {
        if let Ok(c) = Chain::connect(&url).await {
            chain = Some(c);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let chain = chain.unwrap_or_else(|| panic!("node did not come up: {}", std::fs::read_to_string(dir.path().join("node.log")).unwrap_or_default()));
    let chain = chain.with_inclusion_timeout(std::time::Duration::from_secs(8));
    let alice = Signer::from_suri("//Alice").unwrap();
    for _ in 0..2 {
        match chain.remark(&alice).await {
            Err(ClientError::Connect { reason, .. }) => assert!(reason.contains("not included within 8 s") && reason.contains("produces no blocks"), "{reason}"),
            other => panic!("expected the inclusion timeout, got {other:?}"),
        }
    }
    let best = chain.rpc.chain_get_header(None).await.unwrap().unwrap().number;
    assert_eq!(best, 0, "the node sealed a block after all: the test shows nothing");
    let _ = child.kill();
    let _ = child.wait();
}
