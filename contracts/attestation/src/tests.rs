//! Unit tests of the attestation contract in ink!'s off-chain environment. Whitelist, registry and
//! sampling answers come from `tracepass_shared::fakes` (the off-chain engine has no cross-contract
//! calls); the fakes also log the status changes and risk feedback the contract asks for.

use crate::attestation::*;
use ink::primitives::AccountId;
use tracepass_shared::fakes::cast::*;
use tracepass_shared::fakes::{self, account, check_access, events, last_event, set_caller, set_now, AccessCase};
use tracepass_shared::traits::{AttestationGovernance, Upgradeable};
use tracepass_shared::InspectionResult::{Fail, Pass};
use tracepass_shared::*;

/// Accredited for `CATEGORY` until `NOW` (exclusive): expired.
const EXPIRED_AGENCY: u8 = 14;
const GTIN: &[u8] = b"10614141000415";
const CATEGORY: Category = 1001;
const DAY: Timestamp = 86_400_000;

fn gtin() -> Gtin {
    Gtin::parse(GTIN).unwrap()
}

/// Lot `L1`: selected for inspection, 100 items.
fn l1() -> LotId {
    lot_id(&gtin(), b"L1")
}

/// Lot `L2`: unknown to sampling.
fn l2() -> LotId {
    lot_id(&gtin(), b"L2")
}

/// Lot `L3`: at customs.
fn l3() -> LotId {
    lot_id(&gtin(), b"L3")
}

/// A lot not in the registry.
fn l9() -> LotId {
    lot_id(&gtin(), b"L9")
}

fn lot_status(id: LotId) -> LotStatus {
    fakes::with(|w| w.lots[&id].status)
}

fn inspections() -> Vec<(AccountId, InspectionResult)> {
    fakes::with(|w| w.inspections.clone())
}

fn status_changes() -> Vec<(LotId, LotStatus)> {
    fakes::with(|w| w.status_changes.clone())
}

/// The world: a merchant's product (category 1001) made at factory 1, lots L1 (selected), L2
/// (unknown to sampling) and L3 (at customs, selected), and every kind of member.
fn setup() -> Attestations {
    fakes::reset();
    fakes::with(|w| {
        w.add_merchant(account(MERCHANT), b"0614141", MerchantTier::Standard);
        w.add_member(account(GOVERNOR), Role::Governor, None);
        w.add_agency(account(AGENCY), &[CATEGORY, 2002], u64::MAX);
        w.add_agency(account(OTHER_AGENCY), &[2002], u64::MAX);
        w.add_agency(account(EXPIRED_AGENCY), &[CATEGORY], NOW);
        w.add_member(account(CUSTOMS), Role::Customs, None);
        w.add_member(account(LOGISTICS), Role::Logistics, None);
        w.add_product(gtin(), CATEGORY, account(MERCHANT));
        w.add_factory(1, account(MERCHANT));
        for (number, status) in [(&b"L1"[..], LotStatus::Registered), (b"L2", LotStatus::Registered), (b"L3", LotStatus::AtCustoms)] {
            w.add_lot(gtin(), number, 100, status, account(MERCHANT));
        }
        w.selections.insert(l1(), Selection::Selected);
        w.selections.insert(l3(), Selection::Selected);
    });
    set_now(NOW);
    Attestations::new(account(WHITELIST), account(REGISTRY), account(SAMPLING))
}

/// The arguments of `attest_inspection`.
#[derive(Clone)]
struct Inspection {
    lot: LotId,
    result: InspectionResult,
    standard: Vec<u8>,
    items_sampled: u32,
    report_hash: Hash32,
    report_uri: Vec<u8>,
    inspected_at: Timestamp,
    valid_until: Timestamp,
    answers: Option<AttestationId>,
}

/// A valid inspection of `lot`, done yesterday, valid for a year.
fn inspection(lot: LotId, result: InspectionResult) -> Inspection {
    Inspection {
        lot,
        result,
        standard: b"GB 10765-2021".to_vec(),
        items_sampled: 13,
        report_hash: [4; 32],
        report_uri: b"ipfs://bafyreport".to_vec(),
        inspected_at: NOW - DAY,
        valid_until: NOW + 365 * DAY,
        answers: None,
    }
}

fn inspect(c: &mut Attestations, i: Inspection) -> Result<AttestationId> {
    c.attest_inspection(
        i.lot,
        i.result,
        i.standard,
        i.items_sampled,
        i.report_hash,
        i.report_uri,
        i.inspected_at,
        i.valid_until,
        i.answers,
    )
}

/// A valid certification of factory 1 for `CATEGORY`, valid for a year.
fn certify(c: &mut Attestations) -> Result<AttestationId> {
    c.attest_certification(1, CATEGORY, b"ISO 22000".to_vec(), [5; 32], NOW + 365 * DAY)
}

/// The `category` of attestation `id`'s claim: `None` for other claims and unknown IDs.
fn category_of(c: &Attestations, id: AttestationId) -> Option<Category> {
    match c.attestation(id)?.claim {
        Claim::FactoryCertification { category, .. } => Some(category),
        _ => None,
    }
}

#[ink::test]
fn attest_inspection_works() {
    let mut c = setup();
    set_caller(AGENCY);
    assert_eq!(inspect(&mut c, inspection(l1(), Pass)), Ok(1));
    let ev: Attested = last_event();
    assert_eq!((ev.id, ev.subject, ev.issuer), (1, l1(), account(AGENCY)));
    assert_eq!(Some(ev.attestation), c.attestation(1), "the event carries the whole record");
    let a = c.attestation(1).unwrap();
    assert_eq!(
        a.claim,
        Claim::QualityInspection {
            lot: l1(),
            result: Pass,
            standard: b"GB 10765-2021".to_vec(),
            items_sampled: 13,
            report_hash: [4; 32],
            report_uri: b"ipfs://bafyreport".to_vec(),
            inspected_at: NOW - DAY,
            selected: true,
        }
    );
    assert_eq!(
        (a.issuer, a.issued_at, a.valid_until, a.answers, a.revoked),
        (account(AGENCY), NOW, Some(NOW + 365 * DAY), None, None)
    );
    assert_eq!(c.status(1), Some(AttestationStatus::Valid));
    assert_eq!(c.of_lot(l1()), vec![(1, a)]);
    assert_eq!(c.count(), 1);
    // risk feedback; a pass on a lot that is not held changes no status
    assert_eq!(inspections(), vec![(account(MERCHANT), Pass)]);
    assert!(status_changes().is_empty());
    // the bounds themselves are accepted
    let edge = Inspection {
        standard: vec![b'S'; 32],
        items_sampled: 100,
        report_uri: vec![b'u'; 128],
        inspected_at: NOW,
        valid_until: NOW + 1,
        ..inspection(l1(), Pass)
    };
    assert_eq!(inspect(&mut c, edge), Ok(2));
    let minimal = Inspection { standard: b"S".to_vec(), items_sampled: 1, report_uri: Vec::new(), ..inspection(l1(), Pass) };
    assert_eq!(inspect(&mut c, minimal), Ok(3));
    assert_eq!(c.of_lot(l1()).iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![1, 2, 3]);
}

#[ink::test]
fn fail_holds_lot_works() {
    let mut c = setup();
    set_caller(AGENCY);
    assert_eq!(inspect(&mut c, inspection(l1(), Fail)), Ok(1));
    assert_eq!(lot_status(l1()), LotStatus::Held);
    assert_eq!(status_changes(), vec![(l1(), LotStatus::Held)]);
    assert_eq!(inspections(), vec![(account(MERCHANT), Fail)]);
    // a second fail on the held lot is recorded and fed back, with no further status change
    assert_eq!(inspect(&mut c, inspection(l1(), Fail)), Ok(2));
    assert_eq!(status_changes().len(), 1);
    assert_eq!(inspections(), vec![(account(MERCHANT), Fail), (account(MERCHANT), Fail)]);
    // a fail on a lot that cannot be held (recalled) is recorded without a status change
    fakes::with(|w| w.lots.get_mut(&l2()).unwrap().status = LotStatus::Recalled);
    assert_eq!(inspect(&mut c, inspection(l2(), Fail)), Ok(3));
    assert_eq!(lot_status(l2()), LotStatus::Recalled);
    assert_eq!(status_changes().len(), 1);
    assert_eq!(inspections().len(), 3);
}

/// A second agency accredited for `CATEGORY`, for re-tests.
const RETESTER: u8 = 15;

fn with_retester() -> Attestations {
    let c = setup();
    fakes::with(|w| w.add_agency(account(RETESTER), &[CATEGORY], u64::MAX));
    c
}

/// The pass-after-fail of #17: after one agency fails a lot, another agency's pass (even one
/// naming the fail) releases nothing; the lot stays held.
#[ink::test]
fn pass_after_fail_releases_nothing_works() {
    let mut c = with_retester();
    set_caller(AGENCY);
    inspect(&mut c, inspection(l1(), Fail)).unwrap();
    set_caller(RETESTER);
    let retest = Inspection { answers: Some(1), ..inspection(l1(), Pass) };
    assert_eq!(inspect(&mut c, retest), Ok(2));
    assert_eq!(lot_status(l1()), LotStatus::Held);
    assert_eq!(status_changes(), vec![(l1(), LotStatus::Held)]);
    assert_eq!(inspections(), vec![(account(MERCHANT), Fail), (account(MERCHANT), Pass)]);
    assert_eq!(c.attestation(2).unwrap().answers, Some(1));
    assert_eq!(c.dispute(l1()), None, "a re-test without a dispute is only a reference");
}

/// The dispute: the merchant disputes the fail, the failing agency cannot re-test its own
/// finding, another agency's passing re-test is recorded, and only governance releases.
#[ink::test]
fn dispute_works() {
    let mut c = with_retester();
    set_caller(AGENCY);
    inspect(&mut c, inspection(l1(), Fail)).unwrap();
    set_caller(MERCHANT);
    c.open_dispute(l1(), 1).unwrap();
    let ev: DisputeOpened = last_event();
    assert_eq!((ev.lot, ev.failed, ev.by), (l1(), 1, account(MERCHANT)));
    assert_eq!(c.dispute(l1()), Some(Dispute { failed: 1, opened_at: NOW, retest: None, outcome: None }));
    // the failing agency may supersede its own finding, but not be the dispute's re-test
    set_caller(AGENCY);
    assert_eq!(inspect(&mut c, Inspection { answers: Some(1), ..inspection(l1(), Pass) }), Err(Error::SameAgency));
    set_caller(RETESTER);
    assert_eq!(inspect(&mut c, Inspection { answers: Some(1), ..inspection(l1(), Pass) }), Ok(2));
    assert_eq!(c.dispute(l1()).unwrap().retest, Some(2));
    assert_eq!(lot_status(l1()), LotStatus::Held, "a passing re-test alone releases nothing");
    set_caller(WHITELIST);
    c.resolve_dispute(l1(), true).unwrap();
    let ev: DisputeResolved = last_event();
    assert_eq!((ev.lot, ev.outcome, ev.retest), (l1(), DisputeOutcome::Released, Some(2)));
    // the whitelist, executing the vote, releases the lot in the registry itself
    assert_eq!(status_changes(), vec![(l1(), LotStatus::Held)]);
    assert_eq!(c.dispute(l1()).unwrap().outcome, Some(DisputeOutcome::Released));
    assert_eq!(c.resolve_dispute(l1(), true), Err(Error::NoDispute), "decided once");
}

#[ink::test]
fn dispute_fails() {
    let mut c = with_retester();
    set_caller(AGENCY);
    inspect(&mut c, inspection(l1(), Fail)).unwrap(); // 1
    inspect(&mut c, inspection(l2(), Pass)).unwrap(); // 2
    inspect(&mut c, inspection(l2(), Fail)).unwrap(); // 3
    c.revoke(3, [0; 32]).unwrap();
    let before = (c.dispute(l1()), c.dispute(l2()), events());
    for who in [STRANGER, GOVERNOR, AGENCY] {
        set_caller(who);
        assert_eq!(c.open_dispute(l1(), 1), Err(Error::NotOwner { account: account(who) }));
    }
    set_caller(MERCHANT);
    assert_eq!(c.open_dispute(l9(), 1), Err(Error::LotNotFound));
    assert_eq!(c.open_dispute(l2(), 2), Err(Error::NotAFail), "a pass");
    assert_eq!(c.open_dispute(l2(), 3), Err(Error::NotAFail), "a revoked fail");
    assert_eq!(c.open_dispute(l2(), 1), Err(Error::NotAFail), "another lot's fail");
    assert_eq!(c.open_dispute(l1(), 77), Err(Error::NotAFail), "no such attestation");
    assert_eq!((c.dispute(l1()), c.dispute(l2()), events()), before, "nothing changed");
    // one open dispute per lot; governance needs a valid passing re-test to release
    c.open_dispute(l1(), 1).unwrap();
    assert_eq!(c.open_dispute(l1(), 1), Err(Error::DisputeOpen));
    set_caller(WHITELIST);
    assert_eq!(c.resolve_dispute(l1(), true), Err(Error::RetestNotPassed), "no re-test");
    assert_eq!(c.resolve_dispute(l2(), false), Err(Error::NoDispute));
    set_caller(RETESTER);
    inspect(&mut c, Inspection { answers: Some(1), ..inspection(l1(), Fail) }).unwrap(); // 4
    set_caller(WHITELIST);
    assert_eq!(c.resolve_dispute(l1(), true), Err(Error::RetestNotPassed), "a failing re-test");
    set_caller(RETESTER);
    inspect(&mut c, Inspection { answers: Some(1), valid_until: NOW + DAY, ..inspection(l1(), Pass) }).unwrap(); // 5
    set_now(NOW + DAY);
    set_caller(WHITELIST);
    assert_eq!(c.resolve_dispute(l1(), true), Err(Error::RetestNotPassed), "an expired re-test");
    assert_eq!(lot_status(l1()), LotStatus::Held);
    // confirming the hold closes the dispute and leaves the lot held; a new dispute may follow
    c.resolve_dispute(l1(), false).unwrap();
    assert_eq!(c.dispute(l1()).unwrap().outcome, Some(DisputeOutcome::HoldConfirmed));
    assert_eq!(lot_status(l1()), LotStatus::Held);
    set_caller(MERCHANT);
    c.open_dispute(l1(), 1).unwrap();
}

/// The fail flooder of #17: one agency's inspections of a lot are capped, so it cannot fill
/// the lot's index; other agencies still can inspect.
#[ink::test]
fn fail_flooding_fails() {
    let mut c = with_retester();
    set_caller(AGENCY);
    for n in 1..=bounds::MAX_INSPECTIONS_PER_AGENCY_PER_LOT {
        assert_eq!(inspect(&mut c, inspection(l1(), Fail)), Ok(u64::from(n)));
    }
    let before = (c.count(), c.of_lot(l1()).len(), inspections().len(), events());
    assert_eq!(inspect(&mut c, inspection(l1(), Fail)), Err(Error::TooManyInspections));
    assert_eq!((c.count(), c.of_lot(l1()).len(), inspections().len(), events()), before, "nothing changed");
    // the cap is per agency and per lot
    assert!(inspect(&mut c, inspection(l2(), Fail)).is_ok());
    set_caller(RETESTER);
    assert!(inspect(&mut c, inspection(l1(), Pass)).is_ok());
    // and only the agency's latest counts
    let lot = c.of_lot(l1());
    let active: Vec<AttestationId> = active_inspections(&lot).into_iter().map(|(id, _)| id).collect();
    assert_eq!(active, vec![3, 5]);
}

#[ink::test]
fn voluntary_inspection_works() {
    let mut c = setup();
    set_caller(AGENCY);
    // unknown to sampling, then not selected, then seed pending: all voluntary
    for (n, selection) in [(1, None), (2, Some(Selection::NotSelected)), (3, Some(Selection::SeedPending))] {
        if let Some(s) = selection {
            fakes::with(|w| w.selections.insert(l2(), s));
        }
        assert_eq!(inspect(&mut c, inspection(l2(), Pass)), Ok(n));
        let a = c.attestation(n).unwrap();
        assert!(matches!(a.claim, Claim::QualityInspection { selected: false, .. }), "{selection:?}");
    }
    assert_eq!(inspections().len(), 3, "voluntary inspections feed risk too");
    assert_eq!(c.of_lot(l2()).len(), 3);
}

#[ink::test]
fn attest_inspection_fails() {
    let mut c = setup();
    set_caller(AGENCY);
    let ok = inspection(l1(), Fail);
    let cases = [
        (inspection(l9(), Fail), Error::LotNotFound),
        (Inspection { standard: Vec::new(), ..ok.clone() }, Error::Invalid(Field::Standard)),
        (Inspection { standard: vec![b'S'; 33], ..ok.clone() }, Error::Invalid(Field::Standard)),
        (Inspection { report_uri: vec![b'u'; 129], ..ok.clone() }, Error::Invalid(Field::Uri)),
        (Inspection { report_uri: b"ipfs://a b".to_vec(), ..ok.clone() }, Error::Invalid(Field::Uri)),
        (Inspection { report_uri: "ipfs://é".as_bytes().to_vec(), ..ok.clone() }, Error::Invalid(Field::Uri)),
        (Inspection { items_sampled: 0, ..ok.clone() }, Error::Invalid(Field::ItemCount)),
        (Inspection { items_sampled: 101, ..ok.clone() }, Error::Invalid(Field::ItemCount)),
        (Inspection { inspected_at: NOW + 1, ..ok.clone() }, Error::Invalid(Field::EventTime)),
        (Inspection { valid_until: NOW, ..ok.clone() }, Error::Invalid(Field::ValidUntil)),
        (Inspection { valid_until: NOW + bounds::MAX_VALIDITY_MS + 1, ..ok.clone() }, Error::Invalid(Field::ValidUntil)),
        (Inspection { valid_until: u64::MAX, ..ok.clone() }, Error::Invalid(Field::ValidUntil)),
        (Inspection { answers: Some(7), ..ok.clone() }, Error::BadRetest),
    ];
    for (input, err) in cases {
        assert_eq!(inspect(&mut c, input), Err(err));
    }
    // agencies not accredited for the product's category, or no longer accredited, and others
    set_caller(OTHER_AGENCY);
    assert_eq!(
        inspect(&mut c, ok.clone()),
        Err(Error::OutOfScope { agency: account(OTHER_AGENCY), category: CATEGORY })
    );
    set_caller(EXPIRED_AGENCY);
    assert_eq!(inspect(&mut c, ok.clone()), Err(Error::AccreditationExpired { agency: account(EXPIRED_AGENCY) }));
    for who in [CUSTOMS, MERCHANT, STRANGER] {
        set_caller(who);
        assert_eq!(inspect(&mut c, ok.clone()), Err(Error::Unauthorized { account: account(who), role: Role::Agency }));
    }
    // a lot whose product the registry does not know
    fakes::with(|w| w.products.clear());
    set_caller(AGENCY);
    assert_eq!(inspect(&mut c, ok), Err(Error::ProductNotFound));
    // nothing happened anywhere
    assert_eq!(c.count(), 0);
    assert!(c.of_lot(l1()).is_empty());
    assert_eq!(events(), 0);
    assert!(inspections().is_empty());
    assert!(status_changes().is_empty());
    assert_eq!(lot_status(l1()), LotStatus::Registered);
}

#[ink::test]
fn bad_retest_fails() {
    let mut c = setup();
    set_caller(AGENCY);
    assert_eq!(inspect(&mut c, inspection(l1(), Fail)), Ok(1));
    assert_eq!(certify(&mut c), Ok(2));
    set_caller(CUSTOMS);
    assert_eq!(c.attest_customs(l3(), b"NZAKL".to_vec(), [6; 32], NOW), Ok(3));
    set_caller(AGENCY);
    let n = events();
    // an inspection of another lot, a certification, a clearance of another lot
    for (lot, answers) in [(l2(), 1), (l1(), 2), (l3(), 3)] {
        let retest = Inspection { answers: Some(answers), ..inspection(lot, Pass) };
        assert_eq!(inspect(&mut c, retest), Err(Error::BadRetest), "answers {answers}");
    }
    assert_eq!((c.count(), events(), inspections().len()), (3, n, 1));
    assert_eq!(lot_status(l1()), LotStatus::Held);
    // the right one
    let retest = Inspection { answers: Some(1), ..inspection(l1(), Pass) };
    assert_eq!(inspect(&mut c, retest), Ok(4));
}

#[ink::test]
fn attest_certification_works() {
    let mut c = setup();
    set_caller(AGENCY);
    assert_eq!(certify(&mut c), Ok(1));
    let ev: Attested = last_event();
    assert_eq!((ev.id, ev.subject, ev.issuer), (1, factory_subject(1), account(AGENCY)));
    assert_eq!(Some(ev.attestation), c.attestation(1), "the event carries the whole record");
    let a = c.attestation(1).unwrap();
    assert_eq!(
        a.claim,
        Claim::FactoryCertification {
            factory: 1,
            category: CATEGORY,
            standard: b"ISO 22000".to_vec(),
            certificate_hash: [5; 32]
        }
    );
    assert_eq!(
        (a.issuer, a.issued_at, a.valid_until, a.answers, a.revoked),
        (account(AGENCY), NOW, Some(NOW + 365 * DAY), None, None)
    );
    assert_eq!(c.of_factory(1), vec![(1, a)]);
    assert_eq!(category_of(&c, 1), Some(CATEGORY));
    assert_eq!(c.status(1), Some(AttestationStatus::Valid));
    // an agency may certify for any category of its scope
    assert_eq!(c.attest_certification(1, 2002, b"GMP".to_vec(), [6; 32], NOW + 1), Ok(2));
    assert_eq!(category_of(&c, 2), Some(2002));
    assert_eq!(c.of_factory(1).len(), 2);
    // no lot is touched
    assert!(inspections().is_empty());
    assert!(status_changes().is_empty());
    // factory subjects are distinct
    assert_eq!(&factory_subject(1)[..17], b"tracepass/factory");
    assert_ne!(factory_subject(1), factory_subject(256));
}

#[ink::test]
fn attest_certification_fails() {
    let mut c = setup();
    set_caller(AGENCY);
    assert_eq!(c.attest_certification(9, CATEGORY, b"ISO 22000".to_vec(), [5; 32], NOW + DAY), Err(Error::FactoryNotFound));
    assert_eq!(c.attest_certification(1, CATEGORY, Vec::new(), [5; 32], NOW + DAY), Err(Error::Invalid(Field::Standard)));
    assert_eq!(c.attest_certification(1, CATEGORY, vec![b'S'; 33], [5; 32], NOW + DAY), Err(Error::Invalid(Field::Standard)));
    assert_eq!(c.attest_certification(1, CATEGORY, b"ISO 22000".to_vec(), [5; 32], NOW), Err(Error::Invalid(Field::ValidUntil)));
    assert_eq!(
        c.attest_certification(1, 3003, b"ISO 22000".to_vec(), [5; 32], NOW + DAY),
        Err(Error::OutOfScope { agency: account(AGENCY), category: 3003 })
    );
    set_caller(OTHER_AGENCY);
    assert_eq!(certify(&mut c), Err(Error::OutOfScope { agency: account(OTHER_AGENCY), category: CATEGORY }));
    set_caller(EXPIRED_AGENCY);
    assert_eq!(certify(&mut c), Err(Error::AccreditationExpired { agency: account(EXPIRED_AGENCY) }));
    for who in [GOVERNOR, CUSTOMS, MERCHANT, STRANGER] {
        set_caller(who);
        assert_eq!(certify(&mut c), Err(Error::Unauthorized { account: account(who), role: Role::Agency }));
    }
    assert_eq!(c.count(), 0);
    assert!(c.of_factory(1).is_empty());
    assert_eq!(category_of(&c, 1), None);
    assert_eq!(events(), 0);
}

#[ink::test]
fn attest_customs_works() {
    let mut c = setup();
    set_caller(CUSTOMS);
    assert_eq!(c.attest_customs(l3(), b"NZAKL".to_vec(), [6; 32], NOW - 60_000), Ok(1));
    let ev: Attested = last_event();
    assert_eq!((ev.id, ev.subject, ev.issuer), (1, l3(), account(CUSTOMS)));
    assert_eq!(Some(ev.attestation), c.attestation(1), "the event carries the whole record");
    assert_eq!(lot_status(l3()), LotStatus::Cleared);
    assert_eq!(status_changes(), vec![(l3(), LotStatus::Cleared)]);
    let a = c.attestation(1).unwrap();
    assert_eq!(
        a.claim,
        Claim::CustomsClearance { lot: l3(), port: b"NZAKL".to_vec(), declaration_hash: [6; 32], cleared_at: NOW - 60_000 }
    );
    assert_eq!((a.issuer, a.valid_until, a.answers), (account(CUSTOMS), None, None));
    assert_eq!(c.of_lot(l3()), vec![(1, a)]);
    assert!(inspections().is_empty(), "a clearance is no risk feedback");
    // clearances do not expire
    set_now(u64::MAX);
    assert_eq!(c.status(1), Some(AttestationStatus::Valid));
    // digits 2-9 in the location part, cleared right now
    set_now(NOW);
    fakes::with(|w| w.lots.get_mut(&l1()).unwrap().status = LotStatus::AtCustoms);
    assert_eq!(c.attest_customs(l1(), b"CNSH2".to_vec(), [7; 32], NOW), Ok(2));
    assert_eq!(lot_status(l1()), LotStatus::Cleared);
}

#[ink::test]
fn attest_customs_fails() {
    let mut c = setup();
    for who in [AGENCY, LOGISTICS, MERCHANT, GOVERNOR, STRANGER] {
        set_caller(who);
        assert_eq!(
            c.attest_customs(l3(), b"NZAKL".to_vec(), [6; 32], NOW),
            Err(Error::Unauthorized { account: account(who), role: Role::Customs })
        );
    }
    set_caller(CUSTOMS);
    assert_eq!(c.attest_customs(l9(), b"NZAKL".to_vec(), [6; 32], NOW), Err(Error::LotNotFound));
    for port in [&b"NZAK"[..], b"NZAKLX", b"", b"XXAKL", b"nzakl", b"NZakl", b"NZAK1", b"NZAK0", b"NZA L", b"NZ-AK"] {
        assert_eq!(
            c.attest_customs(l3(), port.to_vec(), [6; 32], NOW),
            Err(Error::Invalid(Field::Location)),
            "{}",
            String::from_utf8_lossy(port)
        );
    }
    assert_eq!(c.attest_customs(l3(), b"NZAKL".to_vec(), [6; 32], NOW + 1), Err(Error::Invalid(Field::EventTime)));
    // a lot that is not at customs
    assert_eq!(
        c.attest_customs(l1(), b"NZAKL".to_vec(), [6; 32], NOW),
        Err(Error::IllegalTransition { from: LotStatus::Registered, to: LotStatus::Cleared })
    );
    assert_eq!((c.count(), events()), (0, 0));
    assert!(status_changes().is_empty());
    // nor a second time
    c.attest_customs(l3(), b"NZAKL".to_vec(), [6; 32], NOW).unwrap();
    assert_eq!(
        c.attest_customs(l3(), b"NZAKL".to_vec(), [6; 32], NOW),
        Err(Error::IllegalTransition { from: LotStatus::Cleared, to: LotStatus::Cleared })
    );
    assert_eq!((c.count(), events(), status_changes().len()), (1, 1, 1));
}

#[ink::test]
fn revoke_works() {
    let mut c = setup();
    set_caller(AGENCY);
    inspect(&mut c, inspection(l1(), Fail)).unwrap();
    assert_eq!(c.revoke(1, [9; 32]), Ok(()));
    let ev: Revoked = last_event();
    assert_eq!((ev.id, ev.by, ev.reason_hash), (1, account(AGENCY), [9; 32]));
    assert_eq!(c.attestation(1).unwrap().revoked, Some((account(AGENCY), [9; 32])));
    assert_eq!(c.status(1), Some(AttestationStatus::Revoked));
    // the record stays, and what it caused stands: the lot is still held, the feedback given
    assert_eq!(c.of_lot(l1()).len(), 1);
    assert_eq!(lot_status(l1()), LotStatus::Held);
    assert_eq!(status_changes(), vec![(l1(), LotStatus::Held)]);
    assert_eq!(inspections(), vec![(account(MERCHANT), Fail)]);
    // a revoked clearance leaves its lot cleared
    set_caller(CUSTOMS);
    c.attest_customs(l3(), b"NZAKL".to_vec(), [6; 32], NOW).unwrap();
    assert_eq!(c.revoke(2, [8; 32]), Ok(()));
    assert_eq!(lot_status(l3()), LotStatus::Cleared);
    assert_eq!(c.status(2), Some(AttestationStatus::Revoked));
}

#[ink::test]
fn revoke_fails() {
    let mut c = setup();
    set_caller(AGENCY);
    inspect(&mut c, inspection(l1(), Pass)).unwrap();
    assert_eq!(c.revoke(2, [9; 32]), Err(Error::AttestationNotFound));
    for who in [OTHER_AGENCY, GOVERNOR, MERCHANT, WHITELIST] {
        set_caller(who);
        assert_eq!(c.revoke(1, [9; 32]), Err(Error::NotIssuer));
    }
    assert_eq!(c.status(1), Some(AttestationStatus::Valid));
    set_caller(AGENCY);
    c.revoke(1, [9; 32]).unwrap();
    let n = events();
    assert_eq!(c.revoke(1, [7; 32]), Err(Error::AlreadyRevoked));
    assert_eq!(events(), n);
    assert_eq!(c.attestation(1).unwrap().revoked, Some((account(AGENCY), [9; 32])), "the first reason stays");
}

/// Evidence cannot outlive its issuer's mandate: an agency accredited for a month cannot issue an
/// inspection or certification valid for a year, and nobody can issue one for ever.
#[ink::test]
fn validity_beyond_accreditation_fails() {
    let mut c = setup();
    fakes::with(|w| w.add_agency(account(OTHER_AGENCY), &[CATEGORY, 2002], NOW + 30 * DAY));
    set_caller(OTHER_AGENCY);
    let n = events();
    assert_eq!(inspect(&mut c, inspection(l1(), Pass)), Err(Error::Invalid(Field::ValidUntil)), "a year > a month");
    assert_eq!(c.attest_certification(1, CATEGORY, b"ISO 22000".to_vec(), [5; 32], NOW + 30 * DAY + 1), Err(Error::Invalid(Field::ValidUntil)));
    assert_eq!((c.count(), events()), (0, n), "nothing issued");
    assert_eq!(inspect(&mut c, Inspection { valid_until: NOW + 30 * DAY, ..inspection(l1(), Pass) }), Ok(1), "up to the accreditation's end");
    set_caller(AGENCY); // accredited for ever: the bound still applies
    assert_eq!(c.attest_certification(1, CATEGORY, b"ISO 22000".to_vec(), [5; 32], NOW + bounds::MAX_VALIDITY_MS), Ok(2));
    assert_eq!(
        c.attest_certification(1, CATEGORY, b"ISO 22000".to_vec(), [5; 32], NOW + bounds::MAX_VALIDITY_MS + 1),
        Err(Error::Invalid(Field::ValidUntil))
    );
}

/// An agency expelled from the consortium (or customs office removed) can no longer revoke what
/// it issued, say to clear a failed inspection on its way out; governance still can.
#[ink::test]
fn revoke_after_removal_fails() {
    let mut c = setup();
    set_caller(AGENCY);
    inspect(&mut c, inspection(l1(), Fail)).unwrap();
    set_caller(CUSTOMS);
    c.attest_customs(l3(), b"NZAKL".to_vec(), [6; 32], NOW).unwrap();
    fakes::with(|w| {
        w.members.remove(&account(AGENCY));
        w.members.remove(&account(CUSTOMS));
    });
    let n = events();
    set_caller(AGENCY);
    assert_eq!(c.revoke(1, [9; 32]), Err(Error::Unauthorized { account: account(AGENCY), role: Role::Agency }));
    set_caller(CUSTOMS);
    assert_eq!(c.revoke(2, [9; 32]), Err(Error::Unauthorized { account: account(CUSTOMS), role: Role::Customs }));
    assert_eq!((c.status(1), c.status(2), events()), (Some(AttestationStatus::Valid), Some(AttestationStatus::Valid), n));
    set_caller(WHITELIST);
    assert_eq!(c.revoke_by_governance(1, [8; 32]), Ok(()));
}

#[ink::test]
fn revoke_by_governance_works() {
    let mut c = setup();
    set_caller(AGENCY);
    certify(&mut c).unwrap();
    set_caller(WHITELIST);
    assert_eq!(c.revoke_by_governance(1, [9; 32]), Ok(()));
    let ev: Revoked = last_event();
    assert_eq!((ev.id, ev.by, ev.reason_hash), (1, account(WHITELIST), [9; 32]));
    assert_eq!(c.attestation(1).unwrap().revoked, Some((account(WHITELIST), [9; 32])));
    assert_eq!(c.status(1), Some(AttestationStatus::Revoked));
    // final for the issuer too
    set_caller(AGENCY);
    assert_eq!(c.revoke(1, [7; 32]), Err(Error::AlreadyRevoked));
}

#[ink::test]
fn revoke_by_governance_fails() {
    let mut c = setup();
    set_caller(AGENCY);
    certify(&mut c).unwrap();
    for who in [GOVERNOR, AGENCY, STRANGER] {
        set_caller(who);
        assert_eq!(
            c.revoke_by_governance(1, [9; 32]),
            Err(Error::NotContract { caller: account(who), expected: ContractKind::Whitelist })
        );
    }
    set_caller(WHITELIST);
    assert_eq!(c.revoke_by_governance(2, [9; 32]), Err(Error::AttestationNotFound));
    assert_eq!(c.revoke(1, [9; 32]), Err(Error::NotIssuer), "governance does not revoke as an issuer");
    set_caller(AGENCY);
    c.revoke(1, [8; 32]).unwrap();
    set_caller(WHITELIST);
    assert_eq!(c.revoke_by_governance(1, [9; 32]), Err(Error::AlreadyRevoked));
    assert_eq!(c.attestation(1).unwrap().revoked, Some((account(AGENCY), [8; 32])));
}

#[ink::test]
fn status_expires_works() {
    let mut c = setup();
    set_caller(AGENCY);
    inspect(&mut c, Inspection { valid_until: NOW + DAY, ..inspection(l1(), Pass) }).unwrap();
    assert_eq!(c.status(1), Some(AttestationStatus::Valid));
    set_now(NOW + DAY - 1);
    assert_eq!(c.status(1), Some(AttestationStatus::Valid));
    set_now(NOW + DAY);
    assert_eq!(c.status(1), Some(AttestationStatus::Expired));
    // an expired attestation can still be revoked, and revocation wins
    c.revoke(1, [9; 32]).unwrap();
    assert_eq!(c.status(1), Some(AttestationStatus::Revoked));
    assert_eq!(c.status(2), None);
}

#[ink::test]
fn subject_bound_fails() {
    let mut c = setup();
    // eleven agencies (at most three inspections of a lot each) fill the lot's 32 slots
    let agencies: Vec<u8> = (30..41).collect();
    fakes::with(|w| agencies.iter().for_each(|a| w.add_agency(account(*a), &[CATEGORY], u64::MAX)));
    for i in 1..=32u64 {
        set_caller(agencies[(i as usize - 1) / 3]);
        assert_eq!(inspect(&mut c, inspection(l1(), Pass)), Ok(2 * i - 1));
        set_caller(AGENCY);
        assert_eq!(certify(&mut c), Ok(2 * i));
    }
    set_caller(AGENCY);
    let n = events();
    assert_eq!(inspect(&mut c, inspection(l1(), Fail)), Err(Error::TooManyAttestations));
    assert_eq!(certify(&mut c), Err(Error::TooManyAttestations));
    // a clearance of a full lot is refused too, before the lot moves
    fakes::with(|w| w.lots.get_mut(&l1()).unwrap().status = LotStatus::AtCustoms);
    set_caller(CUSTOMS);
    assert_eq!(c.attest_customs(l1(), b"NZAKL".to_vec(), [6; 32], NOW), Err(Error::TooManyAttestations));
    assert_eq!(lot_status(l1()), LotStatus::AtCustoms);
    assert_eq!((events(), c.count(), inspections().len()), (n, 64, 32));
    assert_eq!(c.of_lot(l1()).len(), 32);
    assert_eq!(c.of_factory(1).len(), 32);
    // other subjects are unaffected
    assert_eq!(c.attest_customs(l3(), b"NZAKL".to_vec(), [6; 32], NOW), Ok(65));
}

#[ink::test]
fn queries_work() {
    let mut c = setup();
    assert_eq!(c.dependencies(), (account(WHITELIST), account(REGISTRY), account(SAMPLING)));
    assert_eq!((c.count(), c.attestation(1), c.status(1)), (0, None, None));
    assert!(c.of_lot(l1()).is_empty());
    assert!(c.of_factory(1).is_empty());
    set_caller(AGENCY);
    inspect(&mut c, inspection(l1(), Pass)).unwrap();
    certify(&mut c).unwrap();
    inspect(&mut c, inspection(l2(), Pass)).unwrap();
    let ids = |v: Vec<(AttestationId, Attestation)>| v.into_iter().map(|(id, _)| id).collect::<Vec<_>>();
    assert_eq!((ids(c.of_lot(l1())), ids(c.of_lot(l2())), ids(c.of_factory(1))), (vec![1], vec![3], vec![2]));
    assert_eq!(category_of(&c, 1), None);
    assert_eq!(c.count(), 3);
}

/// Every write message, called by every caller not entitled to it, fails with the specific error
/// and changes nothing, here or in the fakes.
#[ink::test]
fn access_control_works() {
    let mut c = setup();
    set_caller(AGENCY);
    inspect(&mut c, inspection(l1(), Pass)).unwrap();
    let callers = fakes::cast::callers(&[AGENCY, CUSTOMS, LOGISTICS, MERCHANT, GOVERNOR, STRANGER, WHITELIST, REGISTRY, SAMPLING]);
    let cases: Vec<AccessCase<Attestations>> = vec![
        AccessCase::role("attest_inspection", &["agency"], Role::Agency, |c| inspect(c, inspection(l1(), Fail)).map(|_| ())),
        AccessCase::role("attest_certification", &["agency"], Role::Agency, |c| certify(c).map(|_| ())),
        AccessCase::role("attest_customs", &["customs"], Role::Customs, |c| {
            c.attest_customs(l3(), b"NZAKL".to_vec(), [6; 32], NOW).map(|_| ())
        }),
        AccessCase::other("revoke", &["agency"], |c| c.revoke(1, [9; 32]), |_| Error::NotIssuer),
        AccessCase::contract("revoke_by_governance", ContractKind::Whitelist, |c| c.revoke_by_governance(1, [9; 32])),
        AccessCase::other("open_dispute", &["merchant"], |c| c.open_dispute(l1(), 1), |a| Error::NotOwner { account: a }),
        AccessCase::contract("resolve_dispute", ContractKind::Whitelist, |c| c.resolve_dispute(l1(), false)),
        AccessCase::contract("set_code", ContractKind::Whitelist, |c| c.set_code(ink::primitives::Hash::from([1; 32]))),
    ];
    let snapshot = |c: &Attestations| {
        let world = fakes::with(|w| (w.lots[&l1()].status, w.lots[&l3()].status, w.inspections.len(), w.status_changes.len()));
        (c.count(), c.attestation(1), c.attestation(2), c.of_lot(l1()), c.of_lot(l3()), c.of_factory(1), c.dispute(l1()), world)
    };
    let checked = check_access(&mut c, &cases, &callers, snapshot);
    assert_eq!(checked, 9 * 8 - 1 - 1 - 1 - 1 - 1 - 1 - 1 - 1);
    assert_eq!((c.count(), inspections().len()), (1, 1));
}
