//! Unit tests of the registry in ink!'s off-chain environment. Whitelist and sampling answers
//! come from `tracepass_shared::fakes` (the off-chain engine has no cross-contract calls).

use crate::registry::*;
use ink::env::test;
use ink::primitives::AccountId;
use tracepass_shared::fakes::cast::*;
use tracepass_shared::fakes::{self, account, check_access, last_event, set_caller, set_now, AccessCase};
use tracepass_shared::merkle::Tree;
use tracepass_shared::traits::{RegistryApi, RegistryGovernance, Upgradeable};
use tracepass_shared::*;
use tracepass_shared::bounds::MAX_LOTS_PER_BATCH;

const GTIN: &str = "10614141000415";

fn gtin() -> Gtin {
    Gtin::parse(GTIN.as_bytes()).unwrap()
}

/// The registry's fake world, for the unit and the property tests: two merchants under
/// different GS1 prefixes, every kind of member, and the attestation contract in the directory.
pub(crate) fn world() {
    fakes::with(|w| {
        w.add_merchant(account(MERCHANT), b"0614141", MerchantTier::Standard);
        w.add_merchant(account(OTHER_MERCHANT), b"4006381", MerchantTier::Trusted);
        w.add_member(account(GOVERNOR), Role::Governor, None);
        w.add_agency(account(AGENCY), &[1001], u64::MAX);
        w.add_member(account(CUSTOMS), Role::Customs, None);
        w.add_member(account(LOGISTICS), Role::Logistics, None);
        w.directory = vec![(ContractKind::Attestation, account(ATTESTATION))];
    });
}

fn setup() -> Registry {
    fakes::reset();
    world();
    set_now(NOW);
    Registry::new(account(WHITELIST), account(SAMPLING))
}

fn product_input() -> ProductInput {
    fakes::product_input(gtin(), 1001, 1)
}

fn serials(n: u32) -> Vec<Vec<u8>> {
    (0..n).map(|i| format!("SN{i:06}").into_bytes()).collect()
}

fn tree(lot: &[u8], n: u32) -> Tree {
    let items: Vec<ItemId> = serials(n).iter().map(|s| item_id(&gtin(), lot, s)).collect();
    Tree::from_items(&items).unwrap()
}

fn lot_input(lot: &[u8], n: u32) -> LotInput {
    LotInput {
        gtin: gtin(),
        lot_number: lot.to_vec(),
        item_count: n,
        root: tree(lot, n).root(),
        produced_on: 20261101,
        expires_on: 20281101,
    }
}

/// Setup plus a factory, a product and a 100-item lot "L1" of MERCHANT.
fn with_lot() -> (Registry, LotId) {
    let mut r = setup();
    set_caller(MERCHANT);
    r.register_factory(CountryCode(*b"NZ"), [1; 32]).unwrap();
    r.register_product(product_input()).unwrap();
    let id = r.register_lot(lot_input(b"L1", 100)).unwrap();
    (r, id)
}

fn here() -> Location {
    Location { country: CountryCode(*b"NZ"), code: b"NZAKL".to_vec() }
}

#[ink::test]
fn register_factory_works() {
    let mut r = setup();
    set_caller(MERCHANT);
    assert_eq!(r.register_factory(CountryCode(*b"NZ"), [1; 32]), Ok(1));
    let ev: FactoryRegistered = last_event();
    assert_eq!((ev.id, ev.merchant), (1, account(MERCHANT)));
    assert_eq!(r.register_factory(CountryCode(*b"FR"), [2; 32]), Ok(2));
    assert_eq!(r.factory(2).unwrap().country, CountryCode(*b"FR"));
    assert_eq!(r.counts(), (2, 0, 0));
}

#[ink::test]
fn register_factory_fails() {
    let mut r = setup();
    set_caller(MERCHANT);
    assert_eq!(r.register_factory(CountryCode(*b"QQ"), [1; 32]), Err(Error::Invalid(Field::Country)));
    fakes::with(|w| w.merchants.get_mut(&account(MERCHANT)).unwrap().status = MerchantStatus::Suspended);
    assert_eq!(r.register_factory(CountryCode(*b"NZ"), [1; 32]), Err(Error::MerchantNotActive));
    assert_eq!(r.counts(), (0, 0, 0));
}

#[ink::test]
fn factory_ids_exhausted_fails() {
    let mut r = setup();
    set_caller(MERCHANT);
    r.set_factory_count(u32::MAX - 1);
    assert_eq!(r.register_factory(CountryCode(*b"NZ"), [1; 32]), Ok(u32::MAX));
    let events = test::recorded_events().count();
    assert_eq!(r.register_factory(CountryCode(*b"NZ"), [2; 32]), Err(Error::TooManyFactories));
    assert_eq!(r.counts(), (u32::MAX, 0, 0));
    assert_eq!(test::recorded_events().count(), events);
}

#[ink::test]
fn set_factory_name_works() {
    let mut r = setup();
    set_caller(MERCHANT);
    r.register_factory(CountryCode(*b"NZ"), [1; 32]).unwrap();
    let record = r.factory(1);
    assert_eq!(r.factory_name(1), None);
    assert_eq!(r.set_factory_name(1, "Ōtaki plant".as_bytes().to_vec()), Ok(()));
    let ev: FactoryNamed = last_event();
    assert_eq!((ev.factory, ev.name), (1, "Ōtaki plant".as_bytes().to_vec()));
    assert_eq!(r.factory_name(1), Some("Ōtaki plant".as_bytes().to_vec()));
    assert_eq!(r.factory(1), record, "the factory record is untouched");
    // the same name again: no event
    let n = test::recorded_events().count();
    assert_eq!(r.set_factory_name(1, "Ōtaki plant".as_bytes().to_vec()), Ok(()));
    assert_eq!(test::recorded_events().count(), n);
    // renamed, then removed with the empty name (an event naming the empty name), then nothing to remove
    r.set_factory_name(1, b"Otaki plant 2".to_vec()).unwrap();
    assert_eq!(r.factory_name(1), Some(b"Otaki plant 2".to_vec()));
    r.set_factory_name(1, vec![]).unwrap();
    let ev: FactoryNamed = last_event();
    assert_eq!((ev.factory, ev.name), (1, vec![]));
    assert_eq!(r.factory_name(1), None);
    let n = test::recorded_events().count();
    assert_eq!(r.set_factory_name(1, vec![]), Ok(()));
    assert_eq!(test::recorded_events().count(), n);
}

/// Another merchant, a member, a stranger, a suspended owner, an unknown factory and every kind
/// of bad name are refused with their errors, and change nothing.
#[ink::test]
fn set_factory_name_fails() {
    let mut r = setup();
    set_caller(MERCHANT);
    r.register_factory(CountryCode(*b"NZ"), [1; 32]).unwrap();
    r.set_factory_name(1, b"Otaki plant".to_vec()).unwrap();
    let before = (r.factory(1), r.factory_name(1), r.counts());
    let events = test::recorded_events().count();
    let name = || b"Sham Works".to_vec();
    set_caller(OTHER_MERCHANT);
    assert_eq!(r.set_factory_name(1, name()), Err(Error::NotOwner { account: account(OTHER_MERCHANT) }));
    for who in [STRANGER, GOVERNOR, AGENCY] {
        set_caller(who);
        assert_eq!(r.set_factory_name(1, name()), Err(Error::Unauthorized { account: account(who), role: Role::Merchant }));
    }
    set_caller(MERCHANT);
    assert_eq!(r.set_factory_name(9, name()), Err(Error::FactoryNotFound));
    let too_long = vec![b'a'; tracepass_shared::bounds::MAX_DISPLAY_NAME_LEN + 1];
    let bad: [&[u8]; 5] = [&too_long, &[b'A', 0xff], b"Otaki	plant", b"Otaki[31m", b" 	 "];
    for n in bad {
        assert_eq!(r.set_factory_name(1, n.to_vec()), Err(Error::Invalid(Field::DisplayName)), "{n:?}");
    }
    fakes::with(|w| w.merchants.get_mut(&account(MERCHANT)).unwrap().status = MerchantStatus::Suspended);
    assert_eq!(r.set_factory_name(1, name()), Err(Error::MerchantNotActive));
    assert_eq!((r.factory(1), r.factory_name(1), r.counts()), before, "nothing changed");
    assert_eq!(test::recorded_events().count(), events, "no event");
}

#[ink::test]
fn register_product_works() {
    let mut r = setup();
    set_caller(MERCHANT);
    r.register_factory(CountryCode(*b"NZ"), [1; 32]).unwrap();
    r.register_product(product_input()).unwrap();
    let ev: ProductRegistered = last_event();
    assert_eq!((ev.gtin, ev.merchant, ev.info), (gtin(), account(MERCHANT), product_input()));
    let n = test::recorded_events().count();
    assert_eq!(r.register_product(product_input()), Ok(()), "identical retry is a no-op");
    assert_eq!(test::recorded_events().count(), n);
    assert_eq!(r.product(gtin()).unwrap().info, product_input());
    assert_eq!(r.counts(), (1, 1, 0));
}

#[ink::test]
fn register_product_fails() {
    let mut r = setup();
    set_caller(OTHER_MERCHANT);
    r.register_factory(CountryCode(*b"DE"), [1; 32]).unwrap(); // factory 1 belongs to OTHER
    set_caller(MERCHANT);
    assert_eq!(r.register_product(product_input()), Err(Error::NotOwner { account: account(MERCHANT) }));
    r.register_factory(CountryCode(*b"NZ"), [1; 32]).unwrap(); // factory 2
    let ok = ProductInput { factory: 2, ..product_input() };
    let cases = [
        (ProductInput { brand: vec![], ..ok.clone() }, Error::Invalid(Field::Brand)),
        (ProductInput { brand: vec![b'x'; 65], ..ok.clone() }, Error::Invalid(Field::Brand)),
        (ProductInput { hs_code: b"1901".to_vec(), ..ok.clone() }, Error::Invalid(Field::HsCode)),
        (ProductInput { uri: vec![b'u'; 129], ..ok.clone() }, Error::Invalid(Field::Uri)),
        (ProductInput { origin: CountryCode(*b"ZZ"), ..ok.clone() }, Error::Invalid(Field::Country)),
        (ProductInput { gtin: Gtin(*b"10614141000416"), ..ok.clone() }, Error::Invalid(Field::Gtin)),
        (ProductInput { gtin: Gtin::parse(b"4006381333931").unwrap(), ..ok.clone() }, Error::GtinNotAllowed),
        (ProductInput { factory: 9, ..ok.clone() }, Error::FactoryNotFound),
        // the brand spoofer: a brand governance did not authorise for this merchant, however close
        (ProductInput { brand: b"Nestle".to_vec(), ..ok.clone() }, Error::BrandNotAuthorized { merchant: account(MERCHANT), brand: b"Nestle".to_vec() }),
        (ProductInput { brand: b"Aroha dairy".to_vec(), ..ok.clone() }, Error::BrandNotAuthorized { merchant: account(MERCHANT), brand: b"Aroha dairy".to_vec() }),
        (ProductInput { brand: "Aroha\u{200b}Dairy".as_bytes().to_vec(), ..ok.clone() }, Error::Invalid(Field::Brand)),
    ];
    for (input, err) in cases {
        assert_eq!(r.register_product(input), Err(err));
    }
    r.register_product(ok.clone()).unwrap();
    assert_eq!(r.register_product(ProductInput { category: 7, ..ok }), Err(Error::ProductExists));
    assert_eq!(r.counts(), (2, 1, 0));
}

#[ink::test]
fn register_lot_works() {
    let (mut r, id) = with_lot();
    assert_eq!(id, lot_id(&gtin(), b"L1"));
    let ev: LotRegistered = last_event();
    assert_eq!((ev.lot, ev.gtin, ev.merchant, ev.info), (id, gtin(), account(MERCHANT), lot_input(b"L1", 100)));
    let lot = r.lot(id).unwrap();
    assert_eq!(lot.status, LotStatus::Registered);
    assert_eq!(lot.info, lot_input(b"L1", 100));
    // recorded for sampling with the product's category and origin and the merchant's tier
    let recorded = fakes::with(|w| w.recorded_lots.clone());
    assert_eq!(recorded, vec![(id, account(MERCHANT), 1001, CountryCode(*b"NZ"), MerchantTier::Standard)]);
    // an identical retry returns the same ID, emits nothing, records nothing
    let n = test::recorded_events().count();
    assert_eq!(r.register_lot(lot_input(b"L1", 100)), Ok(id));
    assert_eq!(test::recorded_events().count(), n);
    assert_eq!(fakes::with(|w| w.recorded_lots.len()), 1);
    assert_eq!(r.counts(), (1, 1, 1));
}

#[ink::test]
fn register_lot_fails() {
    let (mut r, _) = with_lot();
    set_caller(MERCHANT);
    let base = lot_input(b"L2", 10);
    let cases = [
        (LotInput { item_count: 0, ..base.clone() }, Error::Invalid(Field::ItemCount)),
        (LotInput { item_count: 100_000_001, ..base.clone() }, Error::Invalid(Field::ItemCount)),
        (LotInput { lot_number: vec![b'1'; 21], ..base.clone() }, Error::BadGs1String(Gs1StringError::TooLong)),
        (LotInput { lot_number: b"L 2".to_vec(), ..base.clone() }, Error::BadGs1String(Gs1StringError::BadCharacter)),
        (LotInput { expires_on: 20251231, ..base.clone() }, Error::Invalid(Field::Date)),
        (LotInput { produced_on: 20261341, ..base.clone() }, Error::Invalid(Field::Date)),
        (LotInput { gtin: Gtin::parse(b"4006381333931").unwrap(), ..base.clone() }, Error::ProductNotFound),
        // a different lot under the same GTIN and lot number
        (lot_input(b"L1", 99), Error::LotConflict),
    ];
    for (input, err) in cases {
        assert_eq!(r.register_lot(input), Err(err));
    }
    set_caller(OTHER_MERCHANT);
    assert_eq!(r.register_lot(base), Err(Error::NotOwner { account: account(OTHER_MERCHANT) }));
    assert_eq!(r.counts(), (1, 1, 1));
    assert_eq!(fakes::with(|w| w.recorded_lots.len()), 1);
}

#[ink::test]
fn register_lots_works() {
    let (mut r, l1) = with_lot();
    set_caller(MERCHANT);
    let (calls, events) = (fakes::with(|w| w.record_lots_calls), test::recorded_events().count());
    // L1 again (registered before, identical), two new lots, and L2 again (identical, in the batch)
    let batch = vec![lot_input(b"L1", 100), lot_input(b"L2", 10), lot_input(b"L3", 3), lot_input(b"L2", 10)];
    let ids = r.register_lots(batch.clone()).unwrap();
    let (l2, l3) = (lot_id(&gtin(), b"L2"), lot_id(&gtin(), b"L3"));
    assert_eq!(ids, vec![l1, l2, l3, l2]);
    assert_eq!(r.counts(), (1, 1, 3));
    assert_eq!(r.lot(l3).map(|l| (l.info, l.merchant, l.status)), Some((lot_input(b"L3", 3), account(MERCHANT), LotStatus::Registered)));
    // one sampling call for the two new lots, with the product's category and origin
    assert_eq!(fakes::with(|w| w.record_lots_calls), calls + 1);
    let recorded = fakes::with(|w| w.recorded_lots.clone());
    let nz = CountryCode(*b"NZ");
    assert_eq!(recorded[1..], [(l2, account(MERCHANT), 1001, nz, MerchantTier::Standard), (l3, account(MERCHANT), 1001, nz, MerchantTier::Standard)]);
    // one LotRegistered per new lot, nothing for the others
    assert_eq!(test::recorded_events().count(), events + 2);
    let ev: LotRegistered = last_event();
    assert_eq!((ev.lot, ev.info), (l3, lot_input(b"L3", 3)));
    // the same batch again (a client's retry) changes nothing
    assert_eq!(r.register_lots(batch), Ok(ids));
    assert_eq!((r.counts(), test::recorded_events().count()), ((1, 1, 3), events + 2));
    assert_eq!(fakes::with(|w| w.record_lots_calls), calls + 1);
    // a full batch
    let full: Vec<_> = (0..MAX_LOTS_PER_BATCH).map(|i| lot_input(format!("B{i}").as_bytes(), 1)).collect();
    assert_eq!(r.register_lots(full).map(|ids| ids.len()), Ok(MAX_LOTS_PER_BATCH as usize));
    assert_eq!(r.counts().2, 3 + u64::from(MAX_LOTS_PER_BATCH));
}

#[ink::test]
fn register_lots_fails() {
    let (mut r, _) = with_lot();
    set_caller(MERCHANT);
    let ok = lot_input(b"L2", 10);
    let too_many: Vec<_> = (0..=MAX_LOTS_PER_BATCH).map(|i| lot_input(format!("B{i}").as_bytes(), 1)).collect();
    let cases = [
        (vec![], Error::Invalid(Field::BatchSize)),
        (too_many, Error::Invalid(Field::BatchSize)),
        // a good lot, then a bad one: the batch fails whole, with the bad lot's error
        (vec![ok.clone(), LotInput { item_count: 0, ..lot_input(b"L3", 1) }], Error::Invalid(Field::ItemCount)),
        (vec![ok.clone(), LotInput { expires_on: 20251231, ..lot_input(b"L3", 1) }], Error::Invalid(Field::Date)),
        (vec![ok.clone(), LotInput { gtin: Gtin::parse(b"4006381333931").unwrap(), ..lot_input(b"L3", 1) }], Error::ProductNotFound),
        (vec![ok.clone(), lot_input(b"L1", 99)], Error::LotConflict),
        // the same key twice in one batch with different contents
        (vec![ok.clone(), lot_input(b"L2", 11)], Error::LotConflict),
    ];
    let events = test::recorded_events().count();
    for (batch, err) in cases {
        assert_eq!(r.register_lots(batch), Err(err));
    }
    set_caller(OTHER_MERCHANT);
    assert_eq!(r.register_lots(vec![ok.clone()]), Err(Error::NotOwner { account: account(OTHER_MERCHANT) }));
    set_caller(STRANGER);
    assert_eq!(r.register_lots(vec![ok]), Err(Error::Unauthorized { account: account(STRANGER), role: Role::Merchant }));
    assert_eq!(r.counts(), (1, 1, 1));
    assert_eq!(r.lot(lot_id(&gtin(), b"L2")), None);
    assert_eq!(fakes::with(|w| (w.recorded_lots.len(), w.record_lots_calls)), (1, 0));
    assert_eq!(test::recorded_events().count(), events);
}

#[ink::test]
fn verify_item_works() {
    let (r, _) = with_lot();
    let t = tree(b"L1", 100);
    let s = serials(100);
    for i in [0u32, 5, 99] {
        let ok = r.verify_item(gtin(), b"L1".to_vec(), s[i as usize].clone(), None, i, t.proof(i).unwrap());
        assert_eq!(ok, Ok(true), "item {i}");
    }
    // a forged serial, a wrong index, a wrong lot
    assert_eq!(r.verify_item(gtin(), b"L1".to_vec(), b"FORGED".to_vec(), None, 5, t.proof(5).unwrap()), Ok(false));
    assert_eq!(r.verify_item(gtin(), b"L1".to_vec(), s[5].clone(), None, 6, t.proof(5).unwrap()), Ok(false));
    assert_eq!(
        r.verify_item(gtin(), b"L9".to_vec(), s[5].clone(), None, 5, t.proof(5).unwrap()),
        Err(Error::LotNotFound)
    );
    assert_eq!(
        r.verify_item(gtin(), b"L1".to_vec(), s[5].clone(), None, 5, vec![[0; 16]; 33]),
        Err(Error::Invalid(Field::Proof))
    );
}

/// Governance lifts a hold (a customs hold, or a dispute released by vote): only through the
/// whitelist, only a held lot.
#[ink::test]
fn release_by_governance_works() {
    let (mut r, id) = with_lot();
    set_caller(WHITELIST);
    assert_eq!(r.release_by_governance(id), Err(Error::IllegalTransition { from: LotStatus::Registered, to: LotStatus::Released }));
    set_caller(ATTESTATION);
    r.apply_status(id, LotStatus::Held).unwrap();
    for who in [GOVERNOR, MERCHANT, ATTESTATION] {
        set_caller(who);
        assert_eq!(r.release_by_governance(id), Err(Error::NotContract { caller: account(who), expected: ContractKind::Whitelist }));
    }
    set_caller(WHITELIST);
    r.release_by_governance(id).unwrap();
    let ev: LotStatusChanged = last_event();
    assert_eq!((ev.lot, ev.from, ev.to), (id, LotStatus::Held, LotStatus::Released));
    assert_eq!(r.lot(id).unwrap().status, LotStatus::Released);
}

/// The minter: a lot of sequential serials with secret salts. Knowing every serial and the
/// count, the minter rebuilds the tree without the salts (or with a salt of an item it holds),
/// and its proofs do not verify; the merchant's salted proofs do.
#[ink::test]
fn verify_salted_item_works() {
    let mut r = setup();
    set_caller(MERCHANT);
    r.register_factory(CountryCode(*b"NZ"), [1; 32]).unwrap();
    r.register_product(product_input()).unwrap();
    let s = serials(64);
    let salt = |i: usize| -> Salt { [i as u8 ^ 0x5a, 7, 1, 9, i as u8, 3, 3, 8] };
    let items: Vec<ItemId> = s.iter().enumerate().map(|(i, x)| salted_item_id(&gtin(), b"S1", x, &salt(i))).collect();
    let t = Tree::from_items(&items).unwrap();
    r.register_lot(LotInput { gtin: gtin(), lot_number: b"S1".to_vec(), item_count: 64, root: t.root(), produced_on: 20260101, expires_on: 20270101 }).unwrap();
    let check = |i: usize, salt: Option<Salt>, proof: Vec<tracepass_shared::merkle::Node>| r.verify_item(gtin(), b"S1".to_vec(), s[i].clone(), salt, i as u32, proof);
    assert_eq!(check(9, Some(salt(9)), t.proof(9).unwrap()), Ok(true));
    // the minter's tree, from the public serials alone
    let unsalted = tree(b"S1", 64);
    assert_eq!(check(9, None, unsalted.proof(9).unwrap()), Ok(false));
    // the salt of an item it holds does not fit another
    assert_eq!(check(10, Some(salt(9)), t.proof(10).unwrap()), Ok(false));
    assert_eq!(check(9, Some([0; SALT_LEN]), t.proof(9).unwrap()), Ok(false));
}

#[ink::test]
fn trace_and_transitions_work() {
    let (mut r, id) = with_lot();
    set_caller(MERCHANT);
    assert_eq!(r.add_event(id, BusinessStep::Packing, NOW - 10, here(), [0; 32]), Ok(0));
    let ev: TraceEventAdded = last_event();
    assert_eq!((ev.lot, ev.actor, ev.index), (id, account(MERCHANT), 0));
    assert_eq!(Some(ev.event), r.events(id).first().cloned(), "the event carries the whole record");
    set_caller(LOGISTICS);
    assert_eq!(r.add_event(id, BusinessStep::Shipping, NOW, here(), [4; 32]), Ok(1));
    let ev: LotStatusChanged = last_event();
    assert_eq!((ev.from, ev.to), (LotStatus::Registered, LotStatus::InTransit));
    set_caller(CUSTOMS);
    r.add_event(id, BusinessStep::Arriving, NOW, here(), [0; 32]).unwrap();
    r.add_event(id, BusinessStep::CustomsClearance, NOW, here(), [5; 32]).unwrap();
    assert_eq!(r.lot(id).unwrap().status, LotStatus::Cleared);
    let trace = r.events(id);
    assert_eq!(trace.len(), 4);
    assert_eq!(trace[1].step, BusinessStep::Shipping);
    assert_eq!(trace[1].actor, account(LOGISTICS));
    assert_eq!(trace[1].document_hash, [4; 32]);
    assert_eq!(r.lot(id).unwrap().event_count, 4);
}

#[ink::test]
fn add_event_fails() {
    let (mut r, id) = with_lot();
    set_caller(LOGISTICS);
    assert_eq!(
        r.add_event(id, BusinessStep::CustomsClearance, NOW, here(), [0; 32]),
        Err(Error::StepNotAllowed(BusinessStep::CustomsClearance))
    );
    set_caller(CUSTOMS);
    assert_eq!(
        r.add_event(id, BusinessStep::CustomsClearance, NOW, here(), [0; 32]),
        Err(Error::IllegalTransition { from: LotStatus::Registered, to: LotStatus::Cleared })
    );
    assert_eq!(r.add_event(id, BusinessStep::Storing, NOW, here(), [0; 32]), Err(Error::StepNotAllowed(BusinessStep::Storing)));
    set_caller(MERCHANT);
    assert_eq!(r.add_event(id, BusinessStep::Packing, NOW + 1, here(), [0; 32]), Err(Error::Invalid(Field::EventTime)));
    let bad = Location { country: CountryCode(*b"NZ"), code: b"NZ-AKL".to_vec() };
    assert_eq!(r.add_event(id, BusinessStep::Packing, NOW, bad, [0; 32]), Err(Error::Invalid(Field::Location)));
    assert_eq!(r.add_event([9; 32], BusinessStep::Packing, NOW, here(), [0; 32]), Err(Error::LotNotFound));
    assert_eq!(r.add_event(id, BusinessStep::Recalling, NOW, here(), [0; 32]), Err(Error::StepNotAllowed(BusinessStep::Recalling)));
    set_caller(STRANGER);
    assert_eq!(
        r.add_event(id, BusinessStep::Packing, NOW, here(), [0; 32]),
        Err(Error::Unauthorized { account: account(STRANGER), role: Role::Merchant })
    );
    assert!(r.events(id).is_empty());
}

#[ink::test]
fn event_bound_fails() {
    let (mut r, id) = with_lot();
    set_caller(MERCHANT);
    for i in 0..64 {
        assert_eq!(r.add_event(id, BusinessStep::Packing, NOW, here(), [0; 32]), Ok(i));
    }
    assert_eq!(r.add_event(id, BusinessStep::Packing, NOW, here(), [0; 32]), Err(Error::TooManyEvents));
    // a recall still works on a full trace
    r.recall(id, [6; 32]).unwrap();
    assert_eq!(r.lot(id).unwrap().status, LotStatus::Recalled);
    assert_eq!(r.events(id).len(), 64);
}

#[ink::test]
fn recall_works() {
    let (mut r, id) = with_lot();
    set_caller(MERCHANT);
    r.recall(id, [6; 32]).unwrap();
    let ev: LotRecalled = last_event();
    assert_eq!((ev.lot, ev.by, ev.reason_hash), (id, account(MERCHANT), [6; 32]));
    let lot = r.lot(id).unwrap();
    assert_eq!((lot.status, lot.recall_reason), (LotStatus::Recalled, Some([6; 32])));
    assert_eq!(r.events(id)[0].step, BusinessStep::Recalling);
    assert_eq!(
        r.recall(id, [6; 32]),
        Err(Error::IllegalTransition { from: LotStatus::Recalled, to: LotStatus::Recalled })
    );
    // a governor alone may not recall; the consortium's vote (through the whitelist) may
    set_caller(MERCHANT);
    let id2 = r.register_lot(lot_input(b"L2", 3)).unwrap();
    set_caller(GOVERNOR);
    assert_eq!(r.recall(id2, [7; 32]), Err(Error::NotOwner { account: account(GOVERNOR) }));
    assert_eq!(r.recall_by_governance(id2, [7; 32]), Err(Error::NotContract { caller: account(GOVERNOR), expected: ContractKind::Whitelist }));
    assert_eq!(r.lot(id2).unwrap().status, LotStatus::Registered);
    set_caller(WHITELIST);
    r.recall_by_governance(id2, [7; 32]).unwrap();
    let ev: LotRecalled = last_event();
    assert_eq!((ev.lot, ev.by, ev.reason_hash), (id2, account(WHITELIST), [7; 32]));
    assert_eq!(r.lot(id2).unwrap().status, LotStatus::Recalled);
}

#[ink::test]
fn apply_status_works() {
    let (mut r, id) = with_lot();
    set_caller(ATTESTATION);
    r.apply_status(id, LotStatus::Held).unwrap();
    let ev: LotStatusChanged = last_event();
    assert_eq!((ev.from, ev.to), (LotStatus::Registered, LotStatus::Held));
    let n = test::recorded_events().count();
    r.apply_status(id, LotStatus::Held).unwrap();
    assert_eq!(test::recorded_events().count(), n, "no event on a no-op");
    assert_eq!(
        r.apply_status(id, LotStatus::Cleared),
        Err(Error::IllegalTransition { from: LotStatus::Held, to: LotStatus::Cleared })
    );
    r.apply_status(id, LotStatus::Released).unwrap();
    assert_eq!(
        r.apply_status(id, LotStatus::Recalled),
        Err(Error::IllegalTransition { from: LotStatus::Released, to: LotStatus::Recalled })
    );
    assert_eq!(r.lot(id).unwrap().status, LotStatus::Released);
}

/// Every write message, called by every role not entitled to it, fails with the specific error
/// and changes nothing.
#[ink::test]
fn access_control_works() {
    let (mut r, _) = with_lot();
    let callers = fakes::cast::callers(&[MERCHANT, OTHER_MERCHANT, GOVERNOR, AGENCY, CUSTOMS, LOGISTICS, STRANGER, WHITELIST, ATTESTATION]);
    fn merchant_or(a: AccountId, other: Error) -> Error {
        if a == account(OTHER_MERCHANT) {
            other
        } else {
            Error::Unauthorized { account: a, role: Role::Merchant }
        }
    }
    let cases: Vec<AccessCase<Registry>> = vec![
        AccessCase::role("register_factory", &["merchant", "other_merchant"], Role::Merchant, |r| {
            r.register_factory(CountryCode(*b"NZ"), [0; 32]).map(|_| ())
        }),
        AccessCase::other(
            "register_product",
            &["merchant"],
            |r| r.register_product(ProductInput { gtin: Gtin::parse(b"10614141000422").unwrap(), ..product_input() }),
            |a| merchant_or(a, Error::GtinNotAllowed),
        ),
        AccessCase::other(
            "register_lot",
            &["merchant"],
            |r| r.register_lot(lot_input(b"L7", 5)).map(|_| ()),
            |a| merchant_or(a, Error::NotOwner { account: a }),
        ),
        AccessCase::other(
            "register_lots",
            &["merchant"],
            |r| r.register_lots(vec![lot_input(b"L7", 5)]).map(|_| ()),
            |a| merchant_or(a, Error::NotOwner { account: a }),
        ),
        AccessCase::other(
            "add_event(packing)",
            &["merchant"],
            |r| r.add_event(lot_id(&gtin(), b"L1"), BusinessStep::Packing, NOW, here(), [0; 32]).map(|_| ()),
            |a| {
                if [account(STRANGER), account(WHITELIST), account(ATTESTATION)].contains(&a) {
                    Error::Unauthorized { account: a, role: Role::Merchant }
                } else {
                    Error::StepNotAllowed(BusinessStep::Packing)
                }
            },
        ),
        AccessCase::other("recall", &["merchant"], |r| r.recall(lot_id(&gtin(), b"L1"), [0; 32]), |a| Error::NotOwner { account: a }),
        AccessCase::contract("recall_by_governance", ContractKind::Whitelist, |r| r.recall_by_governance(lot_id(&gtin(), b"L1"), [0; 32])),
        AccessCase::contract("release_by_governance", ContractKind::Whitelist, |r| r.release_by_governance(lot_id(&gtin(), b"L1"))),
        AccessCase::contract("apply_status", ContractKind::Attestation, |r| r.apply_status(lot_id(&gtin(), b"L1"), LotStatus::Held)),
        AccessCase::contract("set_code", ContractKind::Whitelist, |r| r.set_code(ink::primitives::Hash::from([1; 32]))),
        AccessCase::other(
            "set_factory_name",
            &["merchant"],
            |r| r.set_factory_name(1, b"Sham Works".to_vec()),
            |a| merchant_or(a, Error::NotOwner { account: a }),
        ),
    ];
    let snapshot = |r: &Registry| {
        let id = lot_id(&gtin(), b"L1");
        (r.counts(), r.lot(id), r.events(id), r.product(gtin()), r.factory(1), r.factory(2), r.factory_name(1))
    };
    let checked = check_access(&mut r, &cases, &callers, snapshot);
    assert_eq!(checked, 11 * 9 - 1 - 1 - 1 - 1 - 1 - 2 - 1 - 1 - 1 - 1 - 1);
    assert_eq!(fakes::with(|w| w.recorded_lots.len()), 1);
}
