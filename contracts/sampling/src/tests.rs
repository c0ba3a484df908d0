//! Unit tests of sampling in ink!'s off-chain environment; whitelist answers from the fakes.

use crate::sampling::*;
use ink::env::{test, DefaultEnvironment};
use ink::primitives::Hash;
use tracepass_shared::fakes::cast::*;
use tracepass_shared::fakes::{self, account, check_access, last_event, set_caller, AccessCase};
use tracepass_shared::traits::{SamplingApi, Upgradeable};
use tracepass_shared::*;
use tracepass_shared::bounds::MAX_LOTS_PER_BATCH;

/// Epoch length and reveal window (ms of chain time); the contract is made at time 0.
const EPOCH: u64 = 10_000;
const WINDOW: u64 = 5_000;

/// Seals a block at chain time `ms` (time never goes back).
fn advance_to(ms: u64) {
    test::advance_block::<DefaultEnvironment>();
    let now = ink::env::block_timestamp::<DefaultEnvironment>();
    test::set_block_timestamp::<DefaultEnvironment>(now.max(ms));
}

/// Chain time at which `epoch` opens.
fn at(epoch: u32) -> u64 {
    u64::from(epoch) * EPOCH
}

/// Sampling's fake world, for the unit and the property tests: a governor, two agencies,
/// customs, two merchants, and the registry and the attestation contract in the directory.
pub(crate) fn world() {
    fakes::with(|w| {
        w.add_member(account(GOVERNOR), Role::Governor, None);
        w.add_agency(account(AGENCY), &[1001], u64::MAX);
        w.add_agency(account(OTHER_AGENCY), &[1001], u64::MAX);
        w.add_member(account(CUSTOMS), Role::Customs, None);
        w.add_merchant(account(MERCHANT), b"0614141", MerchantTier::Standard);
        w.add_merchant(account(OTHER_MERCHANT), b"4006381", MerchantTier::Trusted);
        w.directory = vec![
            (ContractKind::Registry, account(REGISTRY)),
            (ContractKind::Attestation, account(ATTESTATION)),
        ];
    });
}

fn setup() -> Sampling {
    fakes::reset();
    world();
    set_caller(GOVERNOR);
    test::set_block_timestamp::<DefaultEnvironment>(0);
    Sampling::new(account(WHITELIST), EPOCH, WINDOW, 500, 3).expect("valid")
}

fn nz() -> CountryCode {
    CountryCode(*b"NZ")
}

fn key(category: Option<Category>, origin: Option<CountryCode>, tier: Option<MerchantTier>) -> RuleKey {
    RuleKey { category, origin, tier }
}

fn lot(n: u32) -> LotId {
    blake2_256(&n.to_le_bytes())
}

fn record(s: &mut Sampling, n: u32, tier: MerchantTier) -> Result<()> {
    set_caller(REGISTRY);
    s.record_lot(lot(n), account(MERCHANT), 1001, nz(), tier)
}

fn secret(n: u8) -> Hash32 {
    [n; 32]
}

/// Commits (before `epoch` opens) for each member, then moves to the epoch's first block.
fn commit_all(s: &mut Sampling, epoch: u32, members: &[u8]) {
    for m in members {
        set_caller(*m);
        s.commit(epoch, seed_commitment(&secret(*m), &account(*m))).unwrap();
    }
    advance_to(at(epoch));
}

fn reveal_all(s: &mut Sampling, epoch: u32, members: &[u8]) {
    advance_to(at(epoch + 1));
    for m in members {
        set_caller(*m);
        s.reveal(epoch, secret(*m)).unwrap();
    }
}


#[ink::test]
fn new_fails() {
    let w = account(WHITELIST);
    use tracepass_shared::bounds::{MAX_EPOCH_MS, MAX_REVEAL_WINDOW_MS, MIN_EPOCH_MS, MIN_REVEAL_WINDOW_MS};
    let epoch_fails = |epoch, window| matches!(Sampling::new(w, epoch, window, 500, 3), Err(Error::Invalid(Field::Epoch)));
    assert!(epoch_fails(MIN_EPOCH_MS - 1, WINDOW));
    assert!(epoch_fails(MAX_EPOCH_MS + 1, WINDOW));
    assert!(epoch_fails(EPOCH, 0));
    assert!(epoch_fails(EPOCH, MIN_REVEAL_WINDOW_MS - 1));
    assert!(epoch_fails(EPOCH, MAX_REVEAL_WINDOW_MS + 1));
    assert!(Sampling::new(w, MIN_EPOCH_MS, MAX_REVEAL_WINDOW_MS, 500, 3).is_ok());
    assert!(matches!(Sampling::new(w, EPOCH, WINDOW, 10_001, 3), Err(Error::Invalid(Field::Rate))));
    assert!(matches!(Sampling::new(w, EPOCH, WINDOW, 500, 0), Err(Error::Invalid(Field::PassesToClear))));
}

#[ink::test]
fn most_specific_rule_works() {
    let mut s = setup();
    set_caller(WHITELIST);
    s.set_rule(key(None, Some(nz()), None), 1_000).unwrap();
    let ev: RuleSet = last_event();
    assert_eq!(ev.rate_bps, 1_000);
    s.set_rule(key(Some(1001), None, None), 2_000).unwrap();
    s.set_rule(key(Some(1001), None, Some(MerchantTier::Watched)), 9_000).unwrap();
    assert_eq!(s.rate_for(1001, nz(), MerchantTier::Standard), (2_000, Some(key(Some(1001), None, None))));
    assert_eq!(
        s.rate_for(1001, nz(), MerchantTier::Watched),
        (9_000, Some(key(Some(1001), None, Some(MerchantTier::Watched))))
    );
    assert_eq!(s.rate_for(7, nz(), MerchantTier::Standard), (1_000, Some(key(None, Some(nz()), None))));
    assert_eq!(s.rate_for(7, CountryCode(*b"FR"), MerchantTier::Standard), (500, None));
    assert_eq!(s.rules().len(), 3);
    s.remove_rule(key(Some(1001), None, None)).unwrap();
    assert_eq!(s.rate_for(1001, nz(), MerchantTier::Standard), (1_000, Some(key(None, Some(nz()), None))));
    assert_eq!(s.rules().len(), 2);
    assert_eq!(s.remove_rule(key(Some(1001), None, None)), Err(Error::RuleNotFound));
    assert_eq!(s.set_rule(key(None, None, None), 10_001), Err(Error::Invalid(Field::Rate)));
    s.set_policy(100, 5).unwrap();
    assert_eq!(s.policy(), (100, 5));
}

#[ink::test]
fn rule_origin_fails() {
    let mut s = setup();
    set_caller(WHITELIST);
    let events = test::recorded_events().count();
    let xx = key(None, Some(CountryCode(*b"XX")), None);
    assert_eq!(s.set_rule(xx, 100), Err(Error::Invalid(Field::Country)));
    assert_eq!(s.set_rule(key(Some(1), Some(CountryCode(*b"nz")), None), 100), Err(Error::Invalid(Field::Country)));
    // a bad rate is named first
    assert_eq!(s.set_rule(xx, 10_001), Err(Error::Invalid(Field::Rate)));
    assert!(s.rules().is_empty());
    assert_eq!(test::recorded_events().count(), events);
}

#[ink::test]
fn policy_passes_fails() {
    let mut s = setup();
    set_caller(WHITELIST);
    let events = test::recorded_events().count();
    assert_eq!(s.set_policy(100, 0), Err(Error::Invalid(Field::PassesToClear)));
    assert_eq!(s.set_policy(100, tracepass_shared::bounds::MAX_PASS_STREAK + 1), Err(Error::Invalid(Field::PassesToClear)));
    assert_eq!(s.set_policy(10_001, 0), Err(Error::Invalid(Field::Rate)));
    assert_eq!(s.policy(), (500, 3));
    assert_eq!(test::recorded_events().count(), events);
    let w = account(WHITELIST);
    assert!(matches!(
        Sampling::new(w, EPOCH, WINDOW, 500, tracepass_shared::bounds::MAX_PASS_STREAK + 1),
        Err(Error::Invalid(Field::PassesToClear))
    ));
}

#[ink::test]
fn rule_bound_fails() {
    let mut s = setup();
    set_caller(WHITELIST);
    for c in 0..256 {
        s.set_rule(key(Some(c), None, None), 1).unwrap();
    }
    assert_eq!(s.set_rule(key(Some(999), None, None), 1), Err(Error::TooManyRules));
    // replacing an existing rule is still allowed
    s.set_rule(key(Some(3), None, None), 2).unwrap();
}

#[ink::test]
fn record_lot_works() {
    let mut s = setup();
    set_caller(WHITELIST);
    s.set_rule(key(Some(1001), None, None), 2_500).unwrap();
    advance_to(25_000);
    record(&mut s, 1, MerchantTier::Standard).unwrap();
    let ev: LotRecorded = last_event();
    assert_eq!((ev.epoch, ev.rate_bps), (2, 2_500));
    let sample = s.lot_sample(lot(1)).unwrap();
    assert_eq!(sample.rule, Some(key(Some(1001), None, None)));
    // a later rule change does not touch the recorded lot
    set_caller(WHITELIST);
    s.set_rule(key(Some(1001), None, None), 100).unwrap();
    assert_eq!(s.lot_sample(lot(1)).unwrap().rate_bps, 2_500);
    assert_eq!(s.selection(lot(1)), Selection::SeedPending);
    assert_eq!(s.selection(lot(2)), Selection::Unknown);
    assert_eq!(record(&mut s, 1, MerchantTier::Standard), Err(Error::LotAlreadySampled));
}

#[ink::test]
fn record_lots_works() {
    let mut s = setup();
    set_caller(WHITELIST);
    s.set_rule(key(Some(1001), None, None), 2_500).unwrap();
    s.set_rule(key(None, Some(CountryCode(*b"FR")), None), 900).unwrap();
    advance_to(25_000);
    set_caller(REGISTRY);
    let fr = CountryCode(*b"FR");
    s.record_lots(account(MERCHANT), MerchantTier::Standard, vec![(lot(1), 1001, nz()), (lot(2), 7, fr), (lot(3), 1001, fr)]).unwrap();
    // each lot as `record_lot` would record it: the most specific rule, this epoch
    let rates: Vec<_> = (1..=3).map(|n| s.lot_sample(lot(n)).map(|l| (l.epoch, l.rate_bps, l.merchant))).collect();
    let m = account(MERCHANT);
    assert_eq!(rates, vec![Some((2, 2_500, m)), Some((2, 900, m)), Some((2, 2_500, m))]);
    assert_eq!(test::recorded_events().count(), 2 + 3, "two rules set, three lots recorded");
    // a watched merchant's batch is sampled at the Watched tier, as its single lots are
    set_caller(ATTESTATION);
    s.record_inspection(account(MERCHANT), InspectionResult::Fail).unwrap();
    set_caller(REGISTRY);
    s.record_lots(account(MERCHANT), MerchantTier::Standard, vec![(lot(4), 1001, nz())]).unwrap();
    assert_eq!(s.lot_sample(lot(4)).unwrap().tier, MerchantTier::Watched);
}

#[ink::test]
fn record_lots_fails() {
    let mut s = setup();
    record(&mut s, 1, MerchantTier::Standard).unwrap();
    set_caller(REGISTRY);
    let m = account(MERCHANT);
    let full: Vec<_> = (10..10 + MAX_LOTS_PER_BATCH + 1).map(|n| (lot(n), 1001, nz())).collect();
    let cases = [
        (vec![], Error::Invalid(Field::BatchSize)),
        (full, Error::Invalid(Field::BatchSize)),
        // one lot already recorded, or one lot twice: the whole batch is refused
        (vec![(lot(2), 1001, nz()), (lot(1), 1001, nz())], Error::LotAlreadySampled),
        (vec![(lot(2), 1001, nz()), (lot(2), 1001, nz())], Error::LotAlreadySampled),
    ];
    let events = test::recorded_events().count();
    for (batch, err) in cases {
        assert_eq!(s.record_lots(m, MerchantTier::Standard, batch), Err(err));
    }
    assert_eq!(s.lot_sample(lot(2)), None);
    assert_eq!(test::recorded_events().count(), events);
}

#[ink::test]
fn risk_feedback_works() {
    let mut s = setup();
    set_caller(WHITELIST);
    s.set_rule(key(None, None, Some(MerchantTier::Watched)), 8_000).unwrap();
    set_caller(ATTESTATION);
    s.record_inspection(account(MERCHANT), InspectionResult::Fail).unwrap();
    let ev: RiskChanged = last_event();
    assert_eq!(ev.risk, Risk { raised: true, pass_streak: 0, failures: 1 });
    // the merchant's next lot is matched as Watched
    record(&mut s, 1, MerchantTier::Standard).unwrap();
    let sample = s.lot_sample(lot(1)).unwrap();
    assert_eq!((sample.tier, sample.rate_bps), (MerchantTier::Watched, 8_000));
    set_caller(ATTESTATION);
    for _ in 0..2 {
        s.record_inspection(account(MERCHANT), InspectionResult::Pass).unwrap();
    }
    assert!(s.risk(account(MERCHANT)).raised);
    s.record_inspection(account(MERCHANT), InspectionResult::Pass).unwrap();
    let ev: RiskChanged = last_event();
    assert_eq!(ev.risk, Risk { raised: false, pass_streak: 0, failures: 1 });
    record(&mut s, 2, MerchantTier::Standard).unwrap();
    assert_eq!(s.lot_sample(lot(2)).unwrap().rate_bps, 500);
}

#[ink::test]
fn commit_reveal_works() {
    let mut s = setup();
    commit_all(&mut s, 1, &[GOVERNOR, AGENCY]);
    assert_eq!(s.epoch_status(1).phase, EpochPhase::Open);
    record(&mut s, 1, MerchantTier::Standard).unwrap();
    assert_eq!(s.selection(lot(1)), Selection::SeedPending);
    set_caller(GOVERNOR);
    assert_eq!(s.finalize(1), Err(Error::EpochNotReady));
    reveal_all(&mut s, 1, &[GOVERNOR, AGENCY]);
    let ev: Revealed = last_event();
    assert_eq!((ev.epoch, ev.member), (1, account(AGENCY)));
    assert_eq!(s.epoch_status(1).phase, EpochPhase::Finalizable);
    set_caller(STRANGER);
    let seed = s.finalize(1).unwrap().unwrap();
    assert_eq!(seed, epoch_seed(1, &[secret(GOVERNOR), secret(AGENCY)]));
    let status = s.epoch_status(1);
    assert_eq!(status.phase, EpochPhase::Final);
    assert_eq!(status.revealed, vec![account(GOVERNOR), account(AGENCY)]);
    assert!(status.skipped.is_empty());
    // anyone can recompute the selection from public data
    let expect = if sampling_draw(&seed, &lot(1)) < 500 { Selection::Selected } else { Selection::NotSelected };
    assert_eq!(s.selection(lot(1)), expect);
    assert_eq!(s.finalize(1), Err(Error::EpochFinalized));
}

#[ink::test]
fn non_revealer_is_skipped_works() {
    let mut s = setup();
    commit_all(&mut s, 1, &[GOVERNOR, AGENCY, OTHER_AGENCY]);
    reveal_all(&mut s, 1, &[AGENCY]);
    set_caller(STRANGER);
    assert_eq!(s.finalize(1), Err(Error::EpochNotReady), "reveals missing, deadline not passed");
    advance_to(2 * EPOCH + WINDOW);
    set_caller(GOVERNOR);
    assert_eq!(s.reveal(1, secret(GOVERNOR)), Err(Error::RevealNotOpen), "too late");
    let seed = s.finalize(1).unwrap();
    assert_eq!(seed, Some(epoch_seed(1, &[secret(AGENCY)])));
    let ev: EpochFinalized = last_event();
    assert_eq!(ev.skipped, vec![account(GOVERNOR), account(OTHER_AGENCY)]);
    assert_eq!(s.epoch_status(1).skipped, vec![account(GOVERNOR), account(OTHER_AGENCY)]);
}

/// Remark stuffing, as the attacker: sealing many blocks without time passing (as anyone can on
/// an instant-seal chain) neither closes an epoch nor ends its reveal window, so a colluding
/// committer's reveal cannot be made the only one in time.
#[ink::test]
fn block_stuffing_moves_no_epoch_fails() {
    let mut s = setup();
    commit_all(&mut s, 1, &[GOVERNOR, AGENCY]);
    let stuff = |blocks: u32| {
        let now = ink::env::block_timestamp::<DefaultEnvironment>();
        for _ in 0..blocks {
            test::advance_block::<DefaultEnvironment>();
        }
        test::set_block_timestamp::<DefaultEnvironment>(now + 1);
    };
    stuff(1_000);
    assert_eq!(s.current_epoch(), 1, "1,000 blocks in 1 ms do not close the epoch");
    record(&mut s, 1, MerchantTier::Standard).unwrap();
    assert_eq!(s.lot_sample(lot(1)).unwrap().epoch, 1);
    advance_to(at(2));
    set_caller(AGENCY);
    s.reveal(1, secret(AGENCY)).unwrap();
    stuff(10_000);
    set_caller(STRANGER);
    assert_eq!(s.finalize(1), Err(Error::EpochNotReady), "10,000 blocks do not end the reveal window");
    assert_eq!(s.epoch_status(1).phase, EpochPhase::Revealing);
    set_caller(GOVERNOR);
    s.reveal(1, secret(GOVERNOR)).unwrap();
    assert_eq!(s.finalize(1), Ok(Some(epoch_seed(1, &[secret(GOVERNOR), secret(AGENCY)]))));
}

#[ink::test]
fn void_epoch_selects_all_works() {
    let mut s = setup();
    advance_to(EPOCH);
    record(&mut s, 1, MerchantTier::Standard).unwrap();
    advance_to(2 * EPOCH + WINDOW);
    assert_eq!(s.finalize(1), Ok(None));
    assert_eq!(s.selection(lot(1)), Selection::Selected);
}

#[ink::test]
fn commit_reveal_fails() {
    let mut s = setup();
    set_caller(CUSTOMS);
    assert_eq!(s.commit(1, [0; 32]), Err(Error::Unauthorized { account: account(CUSTOMS), role: Role::Agency }));
    set_caller(AGENCY);
    s.commit(1, seed_commitment(&secret(AGENCY), &account(AGENCY))).unwrap();
    assert_eq!(s.commit(1, [0; 32]), Err(Error::AlreadyCommitted));
    assert_eq!(s.reveal(1, secret(AGENCY)), Err(Error::RevealNotOpen), "epoch not closed");
    advance_to(EPOCH);
    set_caller(GOVERNOR);
    assert_eq!(s.commit(1, [0; 32]), Err(Error::CommitClosed));
    assert_eq!(s.reveal(1, secret(GOVERNOR)), Err(Error::NotCommitted));
    advance_to(2 * EPOCH);
    set_caller(AGENCY);
    assert_eq!(s.reveal(1, secret(9)), Err(Error::RevealMismatch));
    // someone else's secret does not open AGENCY's commitment either
    set_caller(OTHER_AGENCY);
    assert_eq!(s.reveal(1, secret(AGENCY)), Err(Error::NotCommitted));
    set_caller(AGENCY);
    s.reveal(1, secret(AGENCY)).unwrap();
    assert_eq!(s.reveal(1, secret(AGENCY)), Err(Error::AlreadyRevealed));
}

#[ink::test]
fn too_many_committers_fails() {
    let mut s = setup();
    fakes::with(|w| {
        for n in 100..140 {
            w.add_member(account(n), Role::Governor, None);
        }
    });
    for n in 100..132 {
        set_caller(n);
        s.commit(1, [n; 32]).unwrap();
    }
    set_caller(132);
    assert_eq!(s.commit(1, [0; 32]), Err(Error::TooManyCommitters));
}

/// Over 10,000 lots per rate, the observed selection rate lies within the 99% interval of the
/// configured rate, for three rates; and the block timestamp has no influence on any selection.
#[ink::test]
fn selection_rate_statistics_works() {
    const LOTS: u32 = 10_000;
    let mut s = setup();
    let rates = [(100u16, 1001u32), (1_000, 1002), (5_000, 1003)];
    set_caller(WHITELIST);
    for (rate, category) in rates {
        s.set_rule(key(Some(category), None, None), rate).unwrap();
    }
    commit_all(&mut s, 1, &[GOVERNOR, AGENCY]);
    set_caller(REGISTRY);
    for (i, (_, category)) in rates.iter().enumerate() {
        for n in 0..LOTS {
            let id = lot(i as u32 * LOTS + n);
            s.record_lot(id, account(MERCHANT), *category, nz(), MerchantTier::Standard).unwrap();
        }
    }
    reveal_all(&mut s, 1, &[GOVERNOR, AGENCY]);
    s.finalize(1).unwrap();
    let selections = |s: &Sampling| -> Vec<Selection> { (0..3 * LOTS).map(|n| s.selection(lot(n))).collect() };
    test::set_block_timestamp::<DefaultEnvironment>(1_000);
    let before = selections(&s);
    test::set_block_timestamp::<DefaultEnvironment>(9_999_999_999);
    assert_eq!(selections(&s), before, "the timestamp must not influence selection");
    for (i, (rate, _)) in rates.iter().enumerate() {
        let chunk = &before[i * LOTS as usize..(i + 1) * LOTS as usize];
        let selected = chunk.iter().filter(|x| **x == Selection::Selected).count() as f64;
        assert!(chunk.iter().all(|x| matches!(x, Selection::Selected | Selection::NotSelected)));
        let p = *rate as f64 / 10_000.0;
        let observed = selected / LOTS as f64;
        let half = 2.576 * (p * (1.0 - p) / LOTS as f64).sqrt();
        println!("rate {p:.4}: observed {observed:.4} over {LOTS} lots (99% interval {:.4}..{:.4})", p - half, p + half);
        assert!((observed - p).abs() <= half, "rate {p}: observed {observed}");
    }
}

/// Every write message, called by every role not entitled to it, fails with the specific error
/// and changes nothing.
#[ink::test]
fn access_control_works() {
    let mut s = setup();
    set_caller(WHITELIST);
    s.set_rule(key(Some(1), None, None), 700).unwrap();
    record(&mut s, 1, MerchantTier::Standard).unwrap();
    let callers = fakes::cast::callers(&[GOVERNOR, AGENCY, CUSTOMS, MERCHANT, STRANGER, WHITELIST, REGISTRY, ATTESTATION]);
    let cases: Vec<AccessCase<Sampling>> = vec![
        AccessCase::role("commit", &["governor", "agency"], Role::Agency, |s| s.commit(5, [0; 32])),
        AccessCase::contract("record_lot", ContractKind::Registry, |s| {
            s.record_lot(lot(2), account(MERCHANT), 1, nz(), MerchantTier::Standard)
        }),
        AccessCase::contract("record_lots", ContractKind::Registry, |s| {
            s.record_lots(account(MERCHANT), MerchantTier::Standard, vec![(lot(2), 1, nz())])
        }),
        AccessCase::contract("record_inspection", ContractKind::Attestation, |s| {
            s.record_inspection(account(MERCHANT), InspectionResult::Fail)
        }),
        AccessCase::contract("set_rule", ContractKind::Whitelist, |s| s.set_rule(key(Some(2), None, None), 1)),
        AccessCase::contract("remove_rule", ContractKind::Whitelist, |s| s.remove_rule(key(Some(1), None, None))),
        AccessCase::contract("set_policy", ContractKind::Whitelist, |s| s.set_policy(1, 1)),
        AccessCase::contract("set_code", ContractKind::Whitelist, |s| s.set_code(Hash::from([1; 32]))),
    ];
    let snapshot = |s: &Sampling| {
        (s.rules(), s.policy(), s.lot_sample(lot(1)), s.lot_sample(lot(2)), s.risk(account(MERCHANT)), s.epoch_status(5))
    };
    let checked = check_access(&mut s, &cases, &callers, snapshot);
    assert_eq!(checked, 8 * 8 - 2 - 7);
}
