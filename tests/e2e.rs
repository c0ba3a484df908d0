//! End to end on a real node: the consortium story from deployment to the consumer's verdict,
//! through the real client library, then a node restart on the same base path.

use std::collections::HashMap;
use tracepass::chain::AccountId;
use tracepass::contracts::{Contract, Deployment, Message, Tracepass};
use tracepass::contracts::deploy::deploy;
use tracepass::gs1::{parse_gtin, DigitalLink, Proof};
use tracepass::lots;
use tracepass::shared::*;
use tracepass::verify::{verify, Verdict};
use tracepass::subxt::ext::scale_value::At;
use tracepass::{Chain, ClientError};
use tracepass_e2e::fixture::{self, keys, signer, CATEGORY, GTIN};
use tracepass_e2e::{artifacts, root, Node};

const OTHER_CATEGORY: Category = 2002;
const OTHER_GTIN: &str = "10614141000422";
/// Sampling epoch and reveal window (ms of chain time): the epoch holds a 10,000-item lot's
/// registration and the proof checks after it.
const EPOCH_MS: u64 = 10_000;
const REVEAL_WINDOW_MS: u64 = 6_000;

fn contract_err<T: std::fmt::Debug>(r: tracepass::Result<T>) -> Error {
    match r {
        Err(ClientError::Contract(e)) => e,
        other => panic!("expected a contract error, got {other:?}"),
    }
}


/// Gas and storage deposit of each message, as measured by its dry run on the node.
type GasTable = Vec<(String, u64, u64, i128)>;

fn g<T>(table: &mut GasTable, name: &str, out: tracepass::Result<tracepass::contracts::Outcome<T>>) -> T {
    let out = out.unwrap_or_else(|e| panic!("{name}: {e}"));
    if !table.iter().any(|r| r.0 == name) {
        let d = &out.dry_run;
        table.push((name.to_string(), d.gas_required.ref_time, d.gas_required.proof_size, d.storage_deposit));
    }
    out.value
}

/// The code hash a contract runs (pallet-contracts' ContractInfoOf).
async fn code_hash_of(tp: &Tracepass, contract: AccountId) -> [u8; 32] {
    let addr = tracepass::subxt::dynamic::storage("Contracts", "ContractInfoOf", vec![tracepass::subxt::dynamic::Value::from_bytes(AsRef::<[u8]>::as_ref(&contract))]);
    let v = tp.chain.api.storage().at(tp.chain.best().await.unwrap()).fetch(&addr).await.unwrap().expect("a contract").to_value().unwrap();
    // H256 decodes as a composite around 32 numbers, however deep: collect them in order
    fn bytes<T>(v: &tracepass::subxt::ext::scale_value::Value<T>, out: &mut Vec<u8>) {
        use tracepass::subxt::ext::scale_value::{Composite, Primitive, ValueDef};
        match &v.value {
            ValueDef::Primitive(Primitive::U128(b)) => out.push(*b as u8),
            ValueDef::Composite(Composite::Unnamed(vs)) => vs.iter().for_each(|x| bytes(x, out)),
            ValueDef::Composite(Composite::Named(vs)) => vs.iter().for_each(|(_, x)| bytes(x, out)),
            _ => {}
        }
    }
    let mut out = vec![];
    bytes(v.at("code_hash").expect("code_hash field"), &mut out);
    out.try_into().expect("32 bytes")
}

fn dl(gtin: Gtin, lot: &lots::BuiltLot, i: usize) -> DigitalLink {
    DigitalLink { gtin, lot: lot.lot.clone(), serial: lot.serials[i].clone(), proof: Some(lot.proof(i)) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consortium_story_works() {
    let k = keys();
    let mut gas: GasTable = vec![];
    let node = Node::start().await;
    let chain = Chain::connect(&node.url()).await.unwrap();
    assert_eq!(chain.chain_name().await.unwrap(), "Development", "system_chain of the consortium spec");

    // ---- deploy: 3 governors, M = 2 ---------------------------------------------------------
    let params = fixture::params(&k, EPOCH_MS, REVEAL_WINDOW_MS, 500);
    let d = deploy(&chain, &k.alice, &artifacts(), &params, |_| {}).await.expect("deploy");
    let file = node.base.path().join("deployment.json");
    d.save(&file).unwrap();
    let d = Deployment::load(&file).unwrap();
    let tp = Tracepass::open(chain.clone(), &d).unwrap();
    assert_eq!(tp.governance().await.unwrap(), (params.governors.clone(), 2));

    // ---- governors admit an agency and customs, M of N --------------------------------------
    let now = tp.chain.now_ms().await.unwrap();
    let add_agency = Action::AddMember {
        account: k.eve.account(),
        role: Role::Agency,
        name_hash: blake2_256(b"NZ Food Lab"),
        scope: Some(AgencyScope { categories: vec![CATEGORY], valid_until: now + tracepass::shared::bounds::MAX_VALIDITY_MS }),
    };
    let id = g(&mut gas, "whitelist.propose", tp.propose(&k.bob, add_agency).await);
    assert_eq!(
        contract_err(tp.execute(&k.bob, id).await),
        Error::NotEnoughApprovals { have: 1, need: 2 },
        "one key alone cannot admit"
    );
    assert_eq!(tp.role_of(k.eve.account()).await.unwrap(), None);
    assert_eq!(g(&mut gas, "whitelist.approve", tp.approve(&k.charlie, id).await), 2);
    g(&mut gas, "whitelist.execute(AddMember)", tp.execute(&k.dave, id).await);
    assert_eq!(tp.role_of(k.eve.account()).await.unwrap(), Some(Role::Agency));
    let add_customs = Action::AddMember { account: k.ferdie.account(), role: Role::Customs, name_hash: [0; 32], scope: None };
    let id = tp.propose(&k.charlie, add_customs).await.unwrap().value;
    tp.approve(&k.dave, id).await.unwrap();
    tp.execute(&k.charlie, id).await.unwrap();
    assert_eq!(tp.role_of(k.ferdie.account()).await.unwrap(), Some(Role::Customs));
    // every lot of category 1001 is inspected
    let rule = Action::SetSamplingRule { key: RuleKey { category: Some(CATEGORY), origin: None, tier: None }, rate_bps: 10_000 };
    let id = tp.propose(&k.bob, rule).await.unwrap().value;
    tp.approve(&k.charlie, id).await.unwrap();
    g(&mut gas, "whitelist.execute(SetSamplingRule)", tp.execute(&k.bob, id).await);
    assert_eq!(tp.rules().await.unwrap().len(), 1);

    // ---- a merchant is whitelisted ------------------------------------------------------------
    // by vote: one governor's proposal alone onboards nobody
    let onboard = fixture::onboard(k.merchant.account(), "Aroha Dairy Ltd", "NZ", "0614141", &[fixture::BRAND]);
    let id = tp.propose(&k.bob, onboard).await.unwrap().value;
    assert_eq!(contract_err(tp.execute(&k.bob, id).await), Error::NotEnoughApprovals { have: 1, need: 2 }, "one key alone cannot onboard");
    assert_eq!(tp.role_of(k.merchant.account()).await.unwrap(), None);
    tp.approve(&k.charlie, id).await.unwrap();
    g(&mut gas, "whitelist.execute(AddMerchant)", tp.execute(&k.charlie, id).await);

    // ---- factory, product, lot of 10,000 serials ----------------------------------------------
    let factory = g(&mut gas, "registry.register_factory", tp.register_factory(&k.merchant, CountryCode(*b"NZ"), blake2_256(b"Factory 1, Hamilton")).await);
    let gtin = parse_gtin(GTIN).unwrap();
    let product = fixture::product(gtin, factory);
    g(&mut gas, "registry.register_product", tp.register_product(&k.merchant, product.clone()).await);
    // the brand spoofer: a brand governance did not authorise is refused, nothing registered
    let spoof = ProductInput { gtin: parse_gtin("10614141000996").unwrap(), brand: b"Nestle".to_vec(), ..product.clone() };
    assert_eq!(
        contract_err(tp.register_product(&k.merchant, spoof.clone()).await),
        Error::BrandNotAuthorized { merchant: k.merchant.account(), brand: b"Nestle".to_vec() }
    );
    assert_eq!(tp.product(spoof.gtin).await.unwrap(), None);
    let other = ProductInput { gtin: parse_gtin(OTHER_GTIN).unwrap(), category: OTHER_CATEGORY, ..product.clone() };
    tp.register_product(&k.merchant, other.clone()).await.unwrap();
    // ---- sampling epoch: commitments before it opens ----------------------------------------
    // an epoch that opens at least 3 s from now: the commitments land before it opens
    let epoch = fixture::epoch_to_commit(&tp, 3_000).await;
    let secrets: HashMap<&str, Hash32> = [("bob", [11u8; 32]), ("eve", [22u8; 32])].into();
    g(&mut gas, "sampling.commit", tp.commit(&k.bob, epoch, seed_commitment(&secrets["bob"], &k.bob.account())).await);
    tp.commit(&k.eve, epoch, seed_commitment(&secrets["eve"], &k.eve.account())).await.unwrap();
    assert_eq!(contract_err(tp.commit(&k.merchant, epoch, [0; 32]).await), Error::Unauthorized { account: k.merchant.account(), role: Role::Agency });
    fixture::advance_to_open(&tp, &k.alice, epoch).await;

    let serials: Vec<String> = (0..10_000).map(|i| format!("NZ{i:08}")).collect();
    let lot1 = lots::build(gtin, "L2026A", serials).unwrap();
    let info = |lot: &lots::BuiltLot, g: Gtin| LotInput {
        gtin: g,
        lot_number: lot.lot.as_bytes().to_vec(),
        item_count: lot.serials.len() as u32,
        root: lot.tree.root(),
        produced_on: 20261101,
        expires_on: 20281101,
    };
    let lot1_id = g(&mut gas, "registry.register_lot (10,000 items)", tp.register_lot(&k.merchant, info(&lot1, gtin)).await);
    assert_eq!(lot1_id, lot_id(&gtin, b"L2026A"));
    // an identical retry is a no-op returning the same ID
    assert_eq!(tp.register_lot(&k.merchant, info(&lot1, gtin)).await.unwrap().value, lot1_id);
    let lot2 = lots::build(gtin, "L2026B", (0..50).map(|i| format!("B{i}")).collect()).unwrap();
    let out = tp.register_lot(&k.merchant, info(&lot2, gtin)).await.unwrap();
    let lot2_id = out.value;
    // the transaction's contract events, named from the metadata saved at deployment
    assert_eq!(d.event_names(&out.included), vec!["sampling.LotRecorded", "registry.LotRegistered"]);
    let lot3 = lots::build(other.gtin, "X1", (0..5).map(|i| format!("X{i}")).collect()).unwrap();
    let lot3_id = tp.register_lot(&k.merchant, info(&lot3, other.gtin)).await.unwrap().value;
    // a 100 % rule needs no draw: the lot is selected at registration, before its epoch's seed
    assert_eq!(tp.selection(lot1_id).await.unwrap(), Selection::Selected);
    assert_eq!(tp.counts().await.unwrap(), (1, 2, 3));
    // the on-chain proof check agrees
    let p = lot1.proof(1234);
    assert!(tp.verify_item(gtin, b"L2026A", lot1.serials[1234].as_bytes(), p.salt, p.index, p.siblings.clone()).await.unwrap());
    assert!(!tp.verify_item(gtin, b"L2026A", b"FORGED", p.salt, p.index, p.siblings.clone()).await.unwrap());
    // the minter: serials are sequential and the count public, but without the salts its tree
    // (and so every proof from it) is not the lot's, on chain and for the consumer alike
    let unsalted: Vec<ItemId> = lot1.serials.iter().map(|s| item_id(&gtin, b"L2026A", s.as_bytes())).collect();
    let minted = tracepass::shared::merkle::Tree::from_items(&unsalted).unwrap();
    assert!(!tp.verify_item(gtin, b"L2026A", lot1.serials[1234].as_bytes(), None, 1234, minted.proof(1234).unwrap()).await.unwrap());
    let forged_code = DigitalLink { gtin, lot: "L2026A".into(), serial: lot1.serials[1234].clone(), proof: Some(Proof { index: 1234, salt: None, siblings: minted.proof(1234).unwrap() }) };
    assert_eq!(verify(&tp, &forged_code).await.unwrap().verdict, Verdict::NotInLot);

    // ---- reveal after the epoch closes, finalise --------------------------------------------
    assert_eq!(tp.lot_sample(lot3_id).await.unwrap().unwrap().epoch, epoch, "the lots fall in the committed epoch");
    fixture::advance_to_close(&tp, &k.alice, epoch).await;
    g(&mut gas, "sampling.reveal", tp.reveal(&k.bob, epoch, secrets["bob"]).await);
    tp.reveal(&k.eve, epoch, secrets["eve"]).await.unwrap();
    let seed = g(&mut gas, "sampling.finalize", tp.finalize(&k.alice, epoch).await);
    assert_eq!(seed, Some(epoch_seed(epoch, &[secrets["bob"], secrets["eve"]])));
    assert_eq!(tp.selection(lot1_id).await.unwrap(), Selection::Selected);
    let status = tp.epoch_status(epoch).await.unwrap();
    assert_eq!(status.revealed, vec![k.bob.account(), k.eve.account()]);

    // ---- many submissions in flight at once from one key (local nonces) --------------------
    let (_, _, lots_before) = tp.counts().await.unwrap();
    let batch: Vec<lots::BuiltLot> = (0..10).map(|i| lots::build(gtin, &format!("P{i}"), vec![format!("S{i}")]).unwrap()).collect();
    let results = futures::future::join_all(batch.iter().map(|l| tp.register_lot(&k.merchant, info(l, gtin)))).await;
    let ids: std::collections::HashSet<LotId> = results.into_iter().map(|r| r.expect("pipelined registration").value).collect();
    assert_eq!(ids.len(), 10, "ten distinct lots");
    assert_eq!(tp.counts().await.unwrap().2, lots_before + 10, "none lost, none duplicated");

    // ---- many lots in one transaction (register_lots), all or nothing ---------------------------
    let many: Vec<lots::BuiltLot> = (0..10).map(|i| lots::build(gtin, &format!("Q{i}"), (0..20).map(|j| format!("Q{i}-{j}")).collect()).unwrap()).collect();
    let inputs: Vec<LotInput> = many.iter().map(|l| info(l, gtin)).collect();
    // a batch with one lot the registry refuses (P3 exists with other contents) is refused
    // whole, and the error names that lot
    let mut bad = inputs.clone();
    bad.insert(4, LotInput { item_count: 2, ..info(&batch[3], gtin) });
    let e = tp.register_lots(&k.merchant, bad).await.err().expect("a batch with a conflicting lot").to_string();
    assert!(e.contains("lot 5 of the batch (P3)") && e.contains("LotConflict"), "{e}");
    assert_eq!(tp.counts().await.unwrap().2, lots_before + 10, "a refused batch registers nothing");
    let out = g(&mut gas, "registry.register_lots (10 lots of 20 items)", tp.register_lots(&k.merchant, inputs.clone()).await);
    assert_eq!(out, many.iter().map(|l| lot_id(&gtin, l.lot.as_bytes())).collect::<Vec<_>>());
    assert_eq!(tp.counts().await.unwrap().2, lots_before + 20);
    // each lot is a lot like any other: sampled, and its items verify on chain
    assert_eq!(tp.selection(out[9]).await.unwrap(), Selection::Selected);
    let p = many[9].proof(19);
    assert!(tp.verify_item(gtin, b"Q9", b"Q9-19", p.salt, p.index, p.siblings).await.unwrap());
    // the same batch again is a no-op
    assert_eq!(tp.register_lots(&k.merchant, inputs).await.unwrap().value, out);
    assert_eq!(tp.counts().await.unwrap().2, lots_before + 20);

    // ---- unauthorized attempts fail with the specific error and change nothing --------------
    let before = (tp.counts().await.unwrap(), tp.attestations_of_lot(lot1_id).await.unwrap(), tp.lot(lot1_id).await.unwrap());
    assert_eq!(
        contract_err(tp.register_factory(&k.stranger, CountryCode(*b"FR"), [0; 32]).await),
        Error::Unauthorized { account: k.stranger.account(), role: Role::Merchant }
    );
    let now = tp.chain.now_ms().await.unwrap();
    let year = 365 * 86_400_000;
    assert_eq!(
        contract_err(tp.attest_inspection(&k.merchant, lot1_id, InspectionResult::Pass, b"GB".to_vec(), 5, [0; 32], vec![], now, now + year, None).await),
        Error::Unauthorized { account: k.merchant.account(), role: Role::Agency }
    );
    assert_eq!(
        contract_err(tp.attest_inspection(&k.eve, lot3_id, InspectionResult::Pass, b"GB".to_vec(), 5, [0; 32], vec![], now, now + year, None).await),
        Error::OutOfScope { agency: k.eve.account(), category: OTHER_CATEGORY }
    );
    assert_eq!(
        contract_err(tp.attest_customs(&k.eve, lot1_id, b"CNSHA".to_vec(), [0; 32], now).await),
        Error::Unauthorized { account: k.eve.account(), role: Role::Customs }
    );
    let after = (tp.counts().await.unwrap(), tp.attestations_of_lot(lot1_id).await.unwrap(), tp.lot(lot1_id).await.unwrap());
    assert_eq!(before, after);

    // ---- the journey: shipping, arrival, certification, inspection, clearance --------------
    let nz = Location { country: CountryCode(*b"NZ"), code: b"NZAKL".to_vec() };
    let cn = Location { country: CountryCode(*b"CN"), code: b"CNSHA".to_vec() };
    let t = tp.chain.now_ms().await.unwrap();
    tp.add_event(&k.merchant, lot1_id, BusinessStep::Packing, t, nz.clone(), [0; 32]).await.unwrap();
    g(&mut gas, "registry.add_event(Shipping)", tp.add_event(&k.merchant, lot1_id, BusinessStep::Shipping, t, nz.clone(), [3; 32]).await);
    assert_eq!(
        contract_err(tp.add_event(&k.merchant, lot1_id, BusinessStep::CustomsClearance, t, cn.clone(), [0; 32]).await),
        Error::StepNotAllowed(BusinessStep::CustomsClearance)
    );
    tp.add_event(&k.ferdie, lot1_id, BusinessStep::Arriving, t, cn.clone(), [0; 32]).await.unwrap();
    let now = tp.chain.now_ms().await.unwrap();
    g(&mut gas, "attestation.attest_certification", tp.attest_certification(&k.eve, factory, CATEGORY, b"ISO 22000".to_vec(), blake2_256(b"CERT-1"), now + year).await);
    let insp = g(
        &mut gas,
        "attestation.attest_inspection",
        tp.attest_inspection(&k.eve, lot1_id, InspectionResult::Pass, b"GB 10765".to_vec(), 20, blake2_256(b"report"), b"https://lab.example/r/1".to_vec(), now, now + year, None).await,
    );
    g(&mut gas, "attestation.attest_customs", tp.attest_customs(&k.ferdie, lot1_id, b"CNSHA".to_vec(), blake2_256(b"declaration"), now).await);
    assert_eq!(tp.lot(lot1_id).await.unwrap().unwrap().status, LotStatus::Cleared);
    match &tp.attestations_of_lot(lot1_id).await.unwrap()[0].1.claim {
        Claim::QualityInspection { selected, result, .. } => assert!(*selected && *result == InspectionResult::Pass),
        other => panic!("expected the inspection first, got {other:?}"),
    }

    // ---- the consumer ----------------------------------------------------------------------
    let genuine = dl(gtin, &lot1, 4321);
    let r = verify(&tp, &genuine).await.unwrap();
    assert_eq!(r.verdict, Verdict::Genuine, "{}", r.reason);
    assert_eq!(r.reason, tracepass::verify::Reason::PassedInspection { id: insp });
    assert_eq!(r.inspections.len(), 1);
    assert_eq!(r.customs_clearances.len(), 1);
    assert_eq!(r.factory_certifications.len(), 1);
    assert_eq!(r.trace.len(), 3);
    // a serial not in the lot, with a real item's proof
    let forged = DigitalLink { serial: "NZ99999999".into(), ..genuine.clone() };
    assert_eq!(verify(&tp, &forged).await.unwrap().verdict, Verdict::NotInLot);
    // a lot that was never registered
    let unknown = DigitalLink { lot: "NOPE".into(), ..genuine.clone() };
    assert_eq!(verify(&tp, &unknown).await.unwrap().verdict, Verdict::NotRegistered);
    // a recalled lot
    g(&mut gas, "registry.recall", tp.recall(&k.merchant, lot2_id, blake2_256(b"labelling error")).await);
    assert_eq!(verify(&tp, &dl(gtin, &lot2, 7)).await.unwrap().verdict, Verdict::Recalled);
    // the merchant suspended, then reinstated
    g(&mut gas, "whitelist.suspend_merchant", tp.suspend_merchant(&k.charlie, k.merchant.account(), blake2_256(b"audit")).await);
    assert_eq!(verify(&tp, &genuine).await.unwrap().verdict, Verdict::MerchantSuspended);
    assert_eq!(
        contract_err(tp.register_factory(&k.merchant, CountryCode(*b"NZ"), [0; 32]).await),
        Error::MerchantNotActive
    );
    g(&mut gas, "whitelist.execute(ReinstateMerchant)", tp.pass(&[&k.dave, &k.bob], Action::ReinstateMerchant { account: k.merchant.account() }).await);
    assert_eq!(verify(&tp, &genuine).await.unwrap().verdict, Verdict::Genuine);
    // a governor alone cannot recall a lot; the consortium's vote can
    assert_eq!(contract_err(tp.recall(&k.bob, lot3_id, [1; 32]).await), Error::NotOwner { account: k.bob.account() });
    let recall = Action::RecallLot { lot: lot3_id, reason_hash: blake2_256(b"regulator's notice") };
    g(&mut gas, "whitelist.execute(RecallLot)", tp.pass(&[&k.bob, &k.charlie], recall).await);
    assert_eq!(tp.lot(lot3_id).await.unwrap().unwrap().status, LotStatus::Recalled);
    // revoked inspection
    g(&mut gas, "attestation.revoke", tp.revoke(&k.eve, insp, blake2_256(b"lab error")).await);
    assert_eq!(verify(&tp, &genuine).await.unwrap().verdict, Verdict::AttestationRevoked);
    let retest = tp
        .attest_inspection(&k.eve, lot1_id, InspectionResult::Pass, b"GB 10765".to_vec(), 20, [5; 32], vec![], now, now + year, Some(insp))
        .await
        .unwrap()
        .value;
    assert_eq!(verify(&tp, &genuine).await.unwrap().verdict, Verdict::Genuine);

    // ---- a failed inspection: another agency's pass does not answer it; a dispute does --------
    let agency2 = fixture::signer("//Agency2");
    tp.chain.transfer(&k.alice, agency2.account(), 1_000_000_000_000_000).await.unwrap();
    let scope = AgencyScope { categories: vec![CATEGORY], valid_until: now + year };
    tp.pass(&[&k.bob, &k.charlie], Action::AddMember { account: agency2.account(), role: Role::Agency, name_hash: [2; 32], scope: Some(scope) }).await.unwrap();
    let lot4 = lots::build(gtin, "L2026D", (0..10).map(|i| format!("D{i}")).collect()).unwrap();
    let lot4_id = tp.register_lot(&k.merchant, info(&lot4, gtin)).await.unwrap().value;
    macro_rules! inspect {
        ($who:expr, $result:expr, $answers:expr) => {
            tp.attest_inspection($who, lot4_id, $result, b"GB 10765".to_vec(), 5, [7; 32], vec![], now, now + year, $answers)
        };
    }
    let failed = inspect!(&k.eve, InspectionResult::Fail, None).await.unwrap().value;
    assert_eq!(tp.lot(lot4_id).await.unwrap().unwrap().status, LotStatus::Held);
    // the friendly agency's pass: the lot stays held and failed
    inspect!(&agency2, InspectionResult::Pass, None).await.unwrap();
    let item4 = dl(gtin, &lot4, 3);
    let r = verify(&tp, &item4).await.unwrap();
    assert_eq!((r.verdict, r.reason), (Verdict::FailedInspection, tracepass::verify::Reason::FailedInspection { id: failed }));
    assert_eq!(tp.lot(lot4_id).await.unwrap().unwrap().status, LotStatus::Held);
    // the merchant disputes; the failing agency may not re-test its own finding; another does
    g(&mut gas, "attestation.open_dispute", tp.open_dispute(&k.merchant, lot4_id, failed).await);
    assert_eq!(contract_err(inspect!(&k.eve, InspectionResult::Pass, Some(failed)).await), Error::SameAgency);
    let retest4 = inspect!(&agency2, InspectionResult::Pass, Some(failed)).await.unwrap().value;
    let r = verify(&tp, &item4).await.unwrap();
    assert_eq!((r.verdict, r.reason), (Verdict::FailedInspection, tracepass::verify::Reason::FailDisputed { id: failed, retest: Some(retest4) }));
    // one governor cannot release it; M governors do
    let release = Action::ResolveDispute { lot: lot4_id, release: true };
    let id = tp.propose(&k.bob, release).await.unwrap().value;
    assert_eq!(contract_err(tp.execute(&k.bob, id).await), Error::NotEnoughApprovals { have: 1, need: 2 });
    tp.approve(&k.dave, id).await.unwrap();
    g(&mut gas, "whitelist.execute(ResolveDispute release)", tp.execute(&k.dave, id).await);
    assert_eq!(tp.lot(lot4_id).await.unwrap().unwrap().status, LotStatus::Released);
    let r = verify(&tp, &item4).await.unwrap();
    assert_eq!((r.verdict, r.reason), (Verdict::Genuine, tracepass::verify::Reason::ReleasedAfterRetest { failed, retest: retest4 }));

    // ---- upgrades: refused from anyone but governance; through governance state is kept -------
    // new code: the registry's wasm with a custom section appended (same behaviour, new code hash)
    let old_hash: [u8; 32] = hex::decode(d.registry.code_hash.trim_start_matches("0x")).unwrap().try_into().unwrap();
    let mut v2 = tracepass::contracts::deploy::read_bundle(&artifacts(), Contract::Registry).unwrap().wasm;
    let (name, payload) = (b"tracepass-upgrade", b"v2");
    v2.extend_from_slice(&[0, (1 + name.len() + payload.len()) as u8, name.len() as u8]);
    v2.extend_from_slice(name);
    v2.extend_from_slice(payload);
    let registry_hash: [u8; 32] = tp.chain.upload_code(&k.alice, &v2).await.unwrap().0;
    assert_ne!(registry_hash, old_hash, "the upgrade installs different code");
    assert_eq!(code_hash_of(&tp, tp.registry).await, old_hash);
    let mut set_code = tp.selectors.get(Message::RegistrySetCode).to_vec();
    set_code.extend_from_slice(&registry_hash);
    let dry = tp.chain.dry_run(k.bob.account(), tp.registry, set_code).await.unwrap();
    assert!(dry.reverted, "a governor alone cannot upgrade");
    assert!(matches!(
        tracepass::error::decode_revert(&dry.data),
        ClientError::Contract(Error::NotContract { expected: ContractKind::Whitelist, .. })
    ));
    let counts = tp.counts().await.unwrap();
    let upgrade = Action::SetCodeHash { target: ContractKind::Registry, code_hash: registry_hash.into() };
    let id = tp.propose(&k.bob, upgrade).await.unwrap().value;
    tp.approve(&k.dave, id).await.unwrap();
    g(&mut gas, "whitelist.execute(SetCodeHash registry)", tp.execute(&k.bob, id).await);
    assert_eq!(code_hash_of(&tp, tp.registry).await, registry_hash, "the registry runs the new code");
    assert_eq!(tp.counts().await.unwrap(), counts, "state kept across the upgrade");
    assert_eq!(verify(&tp, &genuine).await.unwrap().verdict, Verdict::Genuine);

    // ---- the node stops and restarts on the same base path: same answers -------------------
    let cases: Vec<(DigitalLink, Verdict)> = vec![
        (genuine.clone(), Verdict::Genuine),
        (forged.clone(), Verdict::NotInLot),
        (dl(gtin, &lot2, 7), Verdict::Recalled),
        (dl(gtin, &lot1, 0), Verdict::Genuine),
        (dl(gtin, &lot1, 9_999), Verdict::Genuine),
    ];
    let base = node.stop();
    let node = Node::start_on(base).await;
    let chain = Chain::connect(&node.url()).await.unwrap();
    let tp = Tracepass::open(chain, &d).expect("same chain after restart");
    for (item, expect) in &cases {
        assert_eq!(verify(&tp, item).await.unwrap().verdict, *expect, "after restart: {}", item.serial);
    }
    assert_eq!(tp.attestations_of_lot(lot1_id).await.unwrap().last().unwrap().0, retest);

    // ---- revocation by vote is not retroactive: lots registered before still verify, saying so
    let revoked_before = tp.lot(lot1_id).await.unwrap().unwrap().registered_at;
    g(&mut gas, "whitelist.execute(RevokeMerchant)", tp.pass(&[&k.charlie, &k.dave], Action::RevokeMerchant { account: k.merchant.account(), reason_hash: [3; 32] }).await);
    let r = verify(&tp, &genuine).await.unwrap();
    let revoked_at = tp.merchant_standing(k.merchant.account()).await.unwrap().unwrap().1.revoked_at.unwrap();
    assert_eq!((r.verdict, r.reason), (Verdict::Genuine, tracepass::verify::Reason::RegisteredBeforeRevocation { registered_at: revoked_before, revoked_at }));
    assert_eq!(contract_err(tp.register_factory(&k.merchant, CountryCode(*b"NZ"), [0; 32]).await), Error::MerchantNotActive);

    println!("{:<40} {:>14} {:>11} {:>16}", "message (dry run on the node)", "ref_time", "proof_size", "storage deposit");
    for (name, rt, ps, dep) in &gas {
        println!("{name:<40} {rt:>14} {ps:>11} {dep:>16}");
    }
    assert!(gas.len() >= 18, "every message measured");

    // ---- a deployment file from another chain is refused ------------------------------------
    let mut foreign = d.clone();
    foreign.genesis_hash = format!("0x{}", "ab".repeat(32));
    assert!(matches!(Tracepass::open(tp.chain.clone(), &foreign), Err(ClientError::Deployment(_))));
}

/// Every selector the client sends is the built metadata's, which is ink!'s rule (the first four
/// bytes of BLAKE2b-256 of the label); bundles that lack a message are refused before anything is
/// uploaded, and selectors are only added to a deployment whose code hashes match the bundles.
#[test]
fn selectors_come_from_metadata_works() {
    use tracepass::contracts::deploy::{read_bundles, refresh_selectors};
    let (bundles, sel) = read_bundles(&artifacts()).expect("the built bundles have every message");
    let mut labels: HashMap<String, String> = HashMap::new();
    for c in ["whitelist", "registry", "sampling", "attestation"] {
        let path = artifacts().join(c).join(format!("{c}.json"));
        let meta: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        for m in meta["spec"]["messages"].as_array().unwrap().iter().chain(meta["spec"]["constructors"].as_array().unwrap()) {
            labels.insert(format!("{c}.{}", m["label"].as_str().unwrap()), m["selector"].as_str().unwrap().to_string());
        }
    }
    let hex = |s: [u8; 4]| format!("0x{}", hex::encode(s));
    for m in Message::ALL {
        let key = format!("{}.{}", m.contract().name(), m.label());
        assert_eq!(labels.get(&key), Some(&hex(sel.get(*m))), "{key}");
        assert_eq!(sel.get(*m), blake2_256(m.label().as_bytes())[..4], "{key}: ink!'s selector rule");
    }
    assert_eq!(bundles.len(), 4);

    // a bundle without `register_lot` is refused, naming it
    let dir = tempfile::tempdir().unwrap();
    for c in ["whitelist", "registry", "sampling", "attestation"] {
        let from = tracepass::contracts::deploy::bundle_path(&artifacts(), c).unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(from).unwrap()).unwrap();
        if c == "registry" {
            v["spec"]["messages"].as_array_mut().unwrap().retain(|m| m["label"] != "register_lot");
        }
        std::fs::write(dir.path().join(format!("{c}.contract")), v.to_string()).unwrap();
    }
    let e = read_bundles(dir.path()).err().expect("refused").to_string();
    assert!(e.contains("registry has no message register_lot"), "{e}");

    // selectors are added only to a deployment of the same code
    let info = |b: &tracepass::contracts::deploy::Bundle| tracepass::contracts::ContractInfo {
        address: "5C4hrfjw9DjXZTzV3MwzrrAr9P1MJhSrvWGWqi1eSuyUpnhM".into(),
        code_hash: format!("{:?}", b.code_hash()),
        selectors: Default::default(),
    };
    let old = Deployment {
        genesis_hash: format!("0x{}", "11".repeat(32)),
        chain: "Development".into(),
        whitelist: info(&bundles[0]),
        sampling: info(&bundles[1]),
        registry: info(&bundles[2]),
        attestation: info(&bundles[3]),
        events: Default::default(),
    };
    let text = serde_json::to_string(&old).unwrap();
    assert!(Deployment::parse(&text).unwrap_err().contains("--refresh-selectors"), "an old file says how to fix it");
    let mut fixed = old.clone();
    refresh_selectors(&mut fixed, &artifacts()).unwrap();
    let fixed = Deployment::parse(&serde_json::to_string(&fixed).unwrap()).expect("refreshed file opens");
    assert_eq!(fixed.selectors().unwrap(), sel);
    assert_eq!(fixed.contract(Contract::Registry).code_hash, old.registry.code_hash);
    let mut other = old.clone();
    other.registry.code_hash = format!("0x{}", "22".repeat(32));
    let e = refresh_selectors(&mut other, &artifacts()).unwrap_err().to_string();
    assert!(e.contains("not the deployed contracts"), "{e}");
    assert!(other.whitelist.selectors.is_empty() && other.registry.selectors.is_empty(), "nothing written on refusal");
    let _ = root();
    let _: Option<AccountId> = None;
    let _ = Proof { index: 0, salt: None, siblings: vec![] };
}

/// `scripts/node.sh start` then `stop`, twice: the second start continues the first one's chain.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_script_restart_works() {
    let dir = tempfile::Builder::new().prefix("tracepass-nodesh-").tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let p2p = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let script = |cmd: &str| {
        let out = std::process::Command::new(root().join("scripts/node.sh"))
            .arg(cmd)
            .env("TRACEPASS_NODE_DIR", dir.path())
            .env("TRACEPASS_RPC_PORT", port.to_string())
            .env("TRACEPASS_P2P_PORT", p2p.to_string())
            .output()
            .expect("run scripts/node.sh");
        (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let url = format!("ws://127.0.0.1:{port}");
    let (ok, out) = script("start");
    assert!(ok, "start: {out}");
    assert!(out.contains(&url), "start prints the endpoint: {out}");
    let chain = Chain::connect(&url).await.unwrap();
    assert!(chain.rpc.author_rotate_keys().await.is_err(), "unsafe RPC methods are refused");
    chain.remark(&signer("//Alice")).await.unwrap();
    chain.remark(&signer("//Alice")).await.unwrap();
    let height = chain.block_number().await.unwrap();
    assert!(height >= 2);
    drop(chain);
    assert!(script("stop").0);
    assert!(!script("status").0, "stopped");
    assert!(script("start").0);
    let chain = Chain::connect(&url).await.unwrap();
    assert_eq!(chain.block_number().await.unwrap(), height, "the chain continues where it stopped");
    chain.remark(&signer("//Bob")).await.unwrap();
    assert_eq!(chain.block_number().await.unwrap(), height + 1);
    drop(chain);
    assert!(script("stop").0);
}

/// The verdict table of docs/ARCHITECTURE.md walked row by row through the CLI a shopper or a
/// partner runs (`tracepass --json verify URI`): one lot per state, made through the library on
/// a real node, each verdict and reason read from the command's JSON with its exit status.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verdict_table_through_the_cli_works() {
    let work = tempfile::tempdir().unwrap();
    let node = Node::start().await;
    let c = fixture::Consortium::setup(&node.url(), work.path()).await;
    let (tp, k) = (&c.tp, &c.keys);
    let now = tp.chain.now_ms().await.unwrap();
    let year = 365 * 86_400_000;
    let cli = |dl: &DigitalLink| -> (Option<i32>, serde_json::Value) {
        let out = std::process::Command::new(tracepass_e2e::tracepass_bin())
            .args(["--url", &node.url(), "--json", "verify", &dl.uri("id.example")])
            .arg("--deployment")
            .arg(&c.deployment_file)
            .output()
            .unwrap();
        let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code(), v)
    };
    let mut rows: Vec<(&str, DigitalLink, &str, &str)> = vec![];
    let inspect = move |lot: LotId, result: InspectionResult, until: u64| {
        tp.attest_inspection(&k.eve, lot, result, b"GB 10765".to_vec(), 2, [7; 32], vec![], now, until, None)
    };
    let rule = |rate_bps: u16| Action::SetSamplingRule { key: RuleKey { category: Some(CATEGORY), origin: None, tier: None }, rate_bps };

    // default rate 0: never selected
    let (genuine, _) = c.register_lot("T-OK", "OK", 4).await;
    let (recalled, id) = c.register_lot("T-RCL", "RC", 4).await;
    tp.recall(&k.merchant, id, [1; 32]).await.unwrap();
    let (failed, id) = c.register_lot("T-FAIL", "FA", 4).await;
    inspect(id, InspectionResult::Fail, now + year).await.unwrap();
    let (held, id) = c.register_lot("T-HOLD", "HO", 4).await;
    tp.add_event(&k.ferdie, id, BusinessStep::Holding, now, Location { country: CountryCode(*b"CN"), code: b"CNSHA".to_vec() }, [0; 32]).await.unwrap();
    // every lot of the category selected (100 %: decided at registration)
    tp.pass(&[&k.bob, &k.charlie], rule(10_000)).await.unwrap();
    let (awaiting, _) = c.register_lot("T-AWAIT", "AW", 4).await;
    let (passed, id) = c.register_lot("T-PASS", "PA", 4).await;
    let pass_id = inspect(id, InspectionResult::Pass, now + year).await.unwrap().value;
    let (revoked, id) = c.register_lot("T-REV", "RV", 4).await;
    let rev_id = inspect(id, InspectionResult::Pass, now + year).await.unwrap().value;
    tp.revoke(&k.eve, rev_id, [2; 32]).await.unwrap();
    let (expired, id) = c.register_lot("T-EXP", "EX", 4).await;
    let exp_id = inspect(id, InspectionResult::Pass, tp.chain.now_ms().await.unwrap() + 2_000).await.unwrap().value;
    // 50 %: a draw decides, and no epoch of this test is ever final
    tp.pass(&[&k.bob, &k.charlie], rule(5_000)).await.unwrap();
    let (pending, _) = c.register_lot("T-PEND", "PE", 4).await;
    // the expiry: chain time passes only with blocks
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    tp.chain.remark(&k.alice).await.unwrap();

    let link = fixture::Consortium::link;
    rows.push(("not_registered", DigitalLink { lot: "T-NONE".into(), ..link(&genuine, 0) }, "not_registered", "no product with this GTIN, or no lot with this number, is registered on chain"));
    rows.push(("no proof", DigitalLink { proof: None, ..link(&genuine, 0) }, "not_in_lot", "no proof was given for this serial"));
    rows.push(("wrong serial", DigitalLink { serial: "OK99".into(), ..link(&genuine, 1) }, "not_in_lot", "serial OK99 is not one of the 4 items registered in lot T-OK"));
    rows.push(("recalled", link(&recalled, 1), "recalled", ""));
    rows.push(("failed", link(&failed, 1), "failed_inspection", ""));
    rows.push(("held", link(&held, 1), "held", ""));
    rows.push(("pending", link(&pending, 1), "selection_pending", "sampling has not yet drawn whether this lot must be inspected (the draw of its epoch is not final)"));
    rows.push(("awaiting", link(&awaiting, 1), "awaiting_inspection", "sampling selected this lot for inspection and none is recorded yet"));
    let revoked_reason = format!("inspection #{rev_id} was revoked");
    let expired_reason = format!("inspection #{exp_id} has expired");
    let passed_reason = format!("registered, in its lot, and passed inspection #{pass_id}");
    rows.push(("revoked", link(&revoked, 1), "attestation_revoked", &revoked_reason));
    rows.push(("expired", link(&expired, 1), "attestation_expired", &expired_reason));
    rows.push(("passed", link(&passed, 1), "genuine", &passed_reason));
    rows.push(("not selected", link(&genuine, 2), "genuine", "registered by an active merchant and proven to be in its lot"));
    for (row, dl, verdict, reason) in &rows {
        let (code, v) = cli(dl);
        assert_eq!(v["verdict"].as_str(), Some(*verdict), "{row}: {v}");
        if !reason.is_empty() {
            assert_eq!(v["reason"].as_str(), Some(*reason), "{row}");
        }
        assert_eq!(code, Some(if *verdict == "genuine" { 0 } else { 1 }), "{row}: exit status");
    }
    // the merchant suspended (one governor's brake), then revoked by vote: lots registered before
    // read genuine and say so
    tp.suspend_merchant(&k.charlie, k.merchant.account(), [3; 32]).await.unwrap();
    assert_eq!(cli(&link(&genuine, 3)).1["verdict"], "merchant_suspended");
    tp.pass(&[&k.bob, &k.dave], Action::RevokeMerchant { account: k.merchant.account(), reason_hash: [4; 32] }).await.unwrap();
    let (code, v) = cli(&link(&genuine, 3));
    assert_eq!((code, v["verdict"].as_str()), (Some(0), Some("genuine")), "{v}");
    assert!(v["reason"].as_str().unwrap().starts_with("registered in block"), "{v}");
    println!("verdict table through the CLI: {} rows and the merchant's suspension and revocation", rows.len());
}

/// Remark stuffing, as the attacker with RPC access and a funded account: after a colluding
/// committer reveals, the attacker seals hundreds of blocks with `System.remark` to end the
/// reveal window before the honest committer can reveal, then finalizes so the colluder's secret
/// alone makes the seed. Epochs and reveal windows count chain time, which follows the wall
/// clock (each block may add at most the runtime's 5 ms minimum period), so the window is still
/// open, the early finalization is refused, and the honest reveal counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remark_stuffing_moves_no_epoch_fails() {
    /// Blocks the attacker seals: 33 times the old 6-block test window, 4 times the old default.
    const STUFFED: u32 = 200;
    const WINDOW_MS: u64 = 120_000;
    let k = keys();
    let node = Node::start().await;
    let chain = Chain::connect(&node.url()).await.unwrap();
    let d = deploy(&chain, &k.alice, &artifacts(), &fixture::params(&k, 4_000, WINDOW_MS, 500), |_| {}).await.expect("deploy");
    let tp = Tracepass::open(chain, &d).unwrap();
    // Bob is honest, Charlie colludes with the attacker (Alice); both are governors
    let epoch = fixture::epoch_to_commit(&tp, 2_000).await;
    let (honest, colluder) = ([11u8; 32], [22u8; 32]);
    tp.commit(&k.bob, epoch, seed_commitment(&honest, &k.bob.account())).await.unwrap();
    tp.commit(&k.charlie, epoch, seed_commitment(&colluder, &k.charlie.account())).await.unwrap();
    fixture::advance_to_close(&tp, &k.alice, epoch).await;
    tp.reveal(&k.charlie, epoch, colluder).await.unwrap();

    let (block0, time0, wall0) = (tp.chain.block_number().await.unwrap(), tp.chain.now_ms().await.unwrap(), std::time::Instant::now());
    for _ in 0..STUFFED {
        tp.chain.remark(&k.alice).await.unwrap();
    }
    let (block1, time1) = (tp.chain.block_number().await.unwrap(), tp.chain.now_ms().await.unwrap());
    let wall_ms = wall0.elapsed().as_millis() as u64;
    println!("stuffed {} blocks in {wall_ms} ms of wall time; chain time moved {} ms", block1 - block0, time1 - time0);
    assert!(block1 >= block0 + STUFFED, "the attacker sealed {} blocks", block1 - block0);
    // chain time followed the wall clock, not the block count (5 ms per block at most beyond it)
    assert!(time1 - time0 <= wall_ms + 5 * u64::from(STUFFED) + 1_000, "chain time moved {} ms in {wall_ms} ms", time1 - time0);
    assert!(time1 - time0 < WINDOW_MS, "the stuffing took longer than the reveal window; raise WINDOW_MS");
    assert_eq!(tp.epoch_status(epoch).await.unwrap().phase, EpochPhase::Revealing);
    assert_eq!(contract_err(tp.finalize(&k.alice, epoch).await), Error::EpochNotReady);

    // the honest reveal still counts, and the seed is both secrets in commit order
    tp.reveal(&k.bob, epoch, honest).await.unwrap();
    let seed = tp.finalize(&k.alice, epoch).await.unwrap().value;
    assert_eq!(seed, Some(epoch_seed(epoch, &[honest, colluder])));
    assert!(tp.epoch_status(epoch).await.unwrap().skipped.is_empty());
}
