//! Unit tests of the whitelist in ink!'s off-chain environment.

use crate::whitelist::*;
use ink::env::{test, DefaultEnvironment};
use ink::primitives::{AccountId, Hash};
use ink::scale::Decode;
use tracepass_shared::fakes::cast::{AGENCY, ATTESTATION, CUSTOMS, MERCHANT, REGISTRY, SAMPLING, STRANGER};
use tracepass_shared::fakes::{account, check_access, last_event, set_caller, AccessCase};
use tracepass_shared::traits::WhitelistApi;
use tracepass_shared::*;
use tracepass_shared::bounds::*;

const G1: u8 = 1;
const G2: u8 = 2;
const G3: u8 = 3;
const PREFIX: &[u8] = b"0614141";

fn advance(blocks: u32) {
    for _ in 0..blocks {
        test::advance_block::<DefaultEnvironment>();
    }
}

/// A 2-of-3 consortium created by G1, with proposals open for 10 blocks.
fn consortium() -> Whitelist {
    set_caller(G1);
    Whitelist::new(vec![account(G1), account(G2), account(G3)], 2, 10).expect("valid")
}

fn scope(categories: Vec<Category>, valid_until: Timestamp) -> AgencyScope {
    AgencyScope { categories, valid_until }
}

fn add_agency_action(who: u8) -> Action {
    Action::AddMember {
        account: account(who),
        role: Role::Agency,
        name_hash: [7; 32],
        scope: Some(scope(vec![1001, 1002], 1_000_000)),
    }
}

/// G1's proposal to admit AGENCY; returns its ID.
fn propose_agency(w: &mut Whitelist) -> ProposalId {
    set_caller(G1);
    w.propose(add_agency_action(AGENCY)).unwrap()
}

/// Runs `action` through G1's proposal, G2's approval and G2's execution.
fn pass(w: &mut Whitelist, action: Action) -> Result<()> {
    set_caller(G1);
    let id = w.propose(action)?;
    set_caller(G2);
    w.approve(id)?;
    w.execute(id)
}

const BRAND: &[u8] = b"Aroha";

fn onboard(who: u8, prefixes: &[&[u8]], brands: &[&[u8]]) -> Action {
    Action::AddMerchant {
        account: account(who),
        name_hash: [5; 32],
        country: CountryCode(*b"NZ"),
        gs1_prefixes: prefixes.iter().map(|p| p.to_vec()).collect(),
        brands: brands.iter().map(|b| b.to_vec()).collect(),
        tier: MerchantTier::Standard,
    }
}

/// Onboards `who` under `PREFIX` for `BRAND`, by G1's proposal and G2's approval.
fn add_merchant(w: &mut Whitelist, who: u8) {
    pass(w, onboard(who, &[PREFIX], &[BRAND])).expect("merchant added");
}

fn set_now(ms: Timestamp) {
    test::set_block_timestamp::<DefaultEnvironment>(ms);
}

fn gtin(s: &str) -> Gtin {
    Gtin::parse(s.as_bytes()).unwrap()
}

#[ink::test]
fn new_works() {
    let w = consortium();
    assert_eq!(w.governors(), vec![account(G1), account(G2), account(G3)]);
    assert_eq!(w.threshold(), 2);
    assert_eq!(w.role_of(account(G2)), Some(Role::Governor));
    assert_eq!(w.counts(), (3, 0));
    assert_eq!(test::recorded_events().count(), 3);
}

#[ink::test]
fn new_fails() {
    let g = vec![account(G1), account(G2)];
    assert!(matches!(Whitelist::new(g.clone(), 0, 10), Err(Error::Invalid(Field::Threshold))));
    assert!(matches!(Whitelist::new(g.clone(), 3, 10), Err(Error::Invalid(Field::Threshold))));
    assert!(matches!(Whitelist::new(vec![], 1, 10), Err(Error::Invalid(Field::Governors))));
    assert!(matches!(
        Whitelist::new(vec![account(G1), account(G1)], 1, 10),
        Err(Error::Invalid(Field::Governors))
    ));
    assert!(matches!(Whitelist::new(g.clone(), 1, 1), Err(Error::Invalid(Field::ProposalTtl))));
    let many: Vec<AccountId> = (0..17).map(account).collect();
    assert!(matches!(Whitelist::new(many, 1, 10), Err(Error::Invalid(Field::Governors))));
}

#[ink::test]
fn m_of_n_admission_works() {
    let mut w = consortium();
    let id = propose_agency(&mut w);
    assert_eq!(id, 1);
    let ev: ProposalApproved = last_event();
    assert_eq!((ev.id, ev.governor, ev.approvals), (1, account(G1), 1));
    // One key alone cannot admit while M = 2.
    assert_eq!(w.execute(id), Err(Error::NotEnoughApprovals { have: 1, need: 2 }));
    assert_eq!(w.role_of(account(AGENCY)), None);
    set_caller(G3);
    assert_eq!(w.approve(id), Ok(2));
    w.execute(id).unwrap();
    let ev: ProposalExecuted = last_event();
    assert_eq!((ev.id, ev.executor), (1, account(G3)));
    assert_eq!(w.role_of(account(AGENCY)), Some(Role::Agency));
    assert!(w.proposal(id).unwrap().executed);
    assert_eq!(w.counts(), (4, 0));
}

#[ink::test]
fn execute_twice_fails() {
    let mut w = consortium();
    pass(&mut w, add_agency_action(AGENCY)).unwrap();
    assert_eq!(w.execute(1), Err(Error::ProposalAlreadyExecuted));
    set_caller(G3);
    assert_eq!(w.approve(1), Err(Error::ProposalAlreadyExecuted));
}

#[ink::test]
fn approve_twice_fails() {
    let mut w = consortium();
    let id = propose_agency(&mut w);
    assert_eq!(w.approve(id), Err(Error::AlreadyApproved));
    assert_eq!(w.approve(42), Err(Error::ProposalNotFound));
}

#[ink::test]
fn expired_proposal_fails() {
    let mut w = consortium();
    let id = propose_agency(&mut w);
    advance(11);
    set_caller(G2);
    assert_eq!(w.approve(id), Err(Error::ProposalExpired));
    assert_eq!(w.execute(id), Err(Error::ProposalExpired));
    assert_eq!(w.role_of(account(AGENCY)), None);
}

#[ink::test]
fn removed_governor_vote_lapses_works() {
    let mut w = consortium();
    set_caller(G3);
    let id = w.propose(add_agency_action(AGENCY)).unwrap();
    // G1 and G2 remove G3 (3 governors, M = 2: allowed).
    pass(&mut w, Action::RemoveMember { account: account(G3) }).unwrap();
    let ev: MemberRemoved = last_event_before_executed();
    assert_eq!((ev.account, ev.role), (account(G3), Role::Governor));
    set_caller(G1);
    assert_eq!(w.approve(id), Ok(1), "G3's approval no longer counts");
    assert_eq!(w.execute(id), Err(Error::NotEnoughApprovals { have: 1, need: 2 }));
}

/// The event emitted just before the final `ProposalExecuted`.
fn last_event_before_executed<E: Decode>() -> E {
    let evs: Vec<_> = test::recorded_events().collect();
    E::decode(&mut &evs[evs.len() - 2].data[..]).expect("decodes")
}

#[ink::test]
fn remove_governor_below_threshold_fails() {
    set_caller(G1);
    let mut w = Whitelist::new(vec![account(G1), account(G2)], 2, 10).unwrap();
    set_caller(G1);
    assert_eq!(w.propose(Action::RemoveMember { account: account(G2) }), Err(Error::WouldBreakQuorum));
    assert_eq!(w.propose(Action::RemoveMember { account: account(STRANGER) }), Err(Error::NotMember));
}

#[ink::test]
fn set_threshold_works() {
    let mut w = consortium();
    pass(&mut w, Action::SetThreshold { threshold: 3 }).unwrap();
    assert_eq!(w.threshold(), 3);
    let ev: ThresholdChanged = last_event_before_executed();
    assert_eq!((ev.old, ev.new), (2, 3));
    set_caller(G1);
    assert_eq!(w.propose(Action::SetThreshold { threshold: 4 }), Err(Error::Invalid(Field::Threshold)));
}

/// The signature topics of the events emitted since the first `since` events.
fn signatures_since(since: usize) -> Vec<Vec<u8>> {
    test::recorded_events().skip(since).map(|e| e.topics.first().cloned().unwrap_or_default()).collect()
}

fn signature<E: ink::env::Event>() -> Vec<u8> {
    E::SIGNATURE_TOPIC.expect("not anonymous").to_vec()
}

/// Executes an approved proposal of `action` and returns the signature topics of the events the
/// execution emitted.
fn executed_events(w: &mut Whitelist, action: Action) -> Vec<Vec<u8>> {
    set_caller(G1);
    let id = w.propose(action).unwrap();
    set_caller(G2);
    w.approve(id).unwrap();
    let before = test::recorded_events().count();
    w.execute(id).unwrap();
    signatures_since(before)
}

#[ink::test]
fn set_threshold_unchanged_works() {
    let mut w = consortium();
    // the proposal executes, but M stays 2: no ThresholdChanged
    assert_eq!(executed_events(&mut w, Action::SetThreshold { threshold: 2 }), vec![signature::<ProposalExecuted>()]);
    assert_eq!(w.threshold(), 2);
    let changed = executed_events(&mut w, Action::SetThreshold { threshold: 3 });
    assert_eq!(changed, vec![signature::<ThresholdChanged>(), signature::<ProposalExecuted>()]);
}

#[ink::test]
fn agency_scope_unchanged_works() {
    let mut w = consortium();
    pass(&mut w, add_agency_action(AGENCY)).unwrap();
    let current = w.member(account(AGENCY)).unwrap().scope.unwrap();
    let same = Action::SetAgencyScope { account: account(AGENCY), scope: current.clone() };
    assert_eq!(executed_events(&mut w, same), vec![signature::<ProposalExecuted>()]);
    assert_eq!(w.member(account(AGENCY)).unwrap().scope, Some(current));
    let other = Action::SetAgencyScope { account: account(AGENCY), scope: scope(vec![2000], 600_000) };
    assert_eq!(executed_events(&mut w, other), vec![signature::<AgencyScopeSet>(), signature::<ProposalExecuted>()]);
    assert_eq!(w.member(account(AGENCY)).unwrap().scope, Some(scope(vec![2000], 600_000)));
}

#[ink::test]
fn add_member_validation_fails() {
    let mut w = consortium();
    set_caller(G1);
    let merchant_role = Action::AddMember { account: account(5), role: Role::Merchant, name_hash: [0; 32], scope: None };
    assert_eq!(w.propose(merchant_role), Err(Error::Invalid(Field::Role)));
    let agency_no_scope = Action::AddMember { account: account(5), role: Role::Agency, name_hash: [0; 32], scope: None };
    assert_eq!(w.propose(agency_no_scope), Err(Error::Invalid(Field::Scope)));
    let customs_scope = Action::AddMember {
        account: account(5),
        role: Role::Customs,
        name_hash: [0; 32],
        scope: Some(scope(vec![1], 1)),
    };
    assert_eq!(w.propose(customs_scope), Err(Error::Invalid(Field::Scope)));
    let empty_scope = Action::AddMember {
        account: account(5),
        role: Role::Agency,
        name_hash: [0; 32],
        scope: Some(scope(vec![], 1)),
    };
    assert_eq!(w.propose(empty_scope), Err(Error::Invalid(Field::Scope)));
    let existing = Action::AddMember { account: account(G2), role: Role::Customs, name_hash: [0; 32], scope: None };
    assert_eq!(w.propose(existing), Err(Error::AlreadyMember));
    assert_eq!(w.proposal_count(), 0);
}

#[ink::test]
fn agency_scope_works() {
    let mut w = consortium();
    pass(&mut w, add_agency_action(AGENCY)).unwrap();
    test::set_block_timestamp::<DefaultEnvironment>(500_000);
    assert_eq!(w.check_agency(account(AGENCY), 1001), Ok(1_000_000), "answers when the accreditation ends");
    assert_eq!(
        w.check_agency(account(AGENCY), 2000),
        Err(Error::OutOfScope { agency: account(AGENCY), category: 2000 })
    );
    assert_eq!(
        w.check_agency(account(G1), 1001),
        Err(Error::Unauthorized { account: account(G1), role: Role::Agency })
    );
    pass(&mut w, Action::SetAgencyScope { account: account(AGENCY), scope: scope(vec![2000], 600_000) }).unwrap();
    assert_eq!(w.check_agency(account(AGENCY), 2000), Ok(600_000));
    test::set_block_timestamp::<DefaultEnvironment>(600_000);
    assert_eq!(w.check_agency(account(AGENCY), 2000), Err(Error::AccreditationExpired { agency: account(AGENCY) }));
}

#[ink::test]
fn merchant_lifecycle_works() {
    let mut w = consortium();
    assert_eq!(
        executed_events(&mut w, onboard(MERCHANT, &[PREFIX], &[BRAND, b"Aroha Kids"])),
        vec![signature::<MerchantAdded>(), signature::<MerchantBrandsSet>(), signature::<ProposalExecuted>()]
    );
    assert_eq!(w.role_of(account(MERCHANT)), Some(Role::Merchant));
    let own = gtin("10614141000415");
    let other = gtin("4006381333931");
    assert!(w.may_register_gtin(account(MERCHANT), own));
    assert!(!w.may_register_gtin(account(MERCHANT), other));
    assert!(!w.may_register_gtin(account(STRANGER), own));
    assert_eq!(w.check_product(account(MERCHANT), own, BRAND.to_vec()), Ok(()));
    assert_eq!(w.check_product(account(MERCHANT), own, b"Aroha Kids".to_vec()), Ok(()));
    let (_, standing) = w.merchant_standing(account(MERCHANT)).unwrap();
    assert_eq!(standing, MerchantStanding { brands: vec![BRAND.to_vec(), b"Aroha Kids".to_vec()], suspension: None, revoked_at: None });

    // the tier (it sets the sampling rate) and the brands change by vote, events only on change
    pass(&mut w, Action::SetMerchantTier { account: account(MERCHANT), tier: MerchantTier::Trusted }).unwrap();
    assert_eq!(w.merchant(account(MERCHANT)).unwrap().tier, MerchantTier::Trusted);
    let same_tier = Action::SetMerchantTier { account: account(MERCHANT), tier: MerchantTier::Trusted };
    assert_eq!(executed_events(&mut w, same_tier), vec![signature::<ProposalExecuted>()]);
    let brands = Action::SetMerchantBrands { account: account(MERCHANT), brands: vec![b"Kiwi Gold".to_vec()] };
    assert_eq!(executed_events(&mut w, brands.clone()), vec![signature::<MerchantBrandsSet>(), signature::<ProposalExecuted>()]);
    assert_eq!(executed_events(&mut w, brands), vec![signature::<ProposalExecuted>()]);
    let refused = Err(Error::BrandNotAuthorized { merchant: account(MERCHANT), brand: BRAND.to_vec() });
    assert_eq!(w.check_product(account(MERCHANT), own, BRAND.to_vec()), refused);

    // one governor's brake, then reinstatement by vote
    set_caller(G3);
    w.suspend_merchant(account(MERCHANT), [9; 32]).unwrap();
    let ev: MerchantStatusChanged = last_event();
    assert_eq!((ev.by, ev.status, ev.reason_hash), (account(G3), MerchantStatus::Suspended, Some([9; 32])));
    assert!(!w.may_register_gtin(account(MERCHANT), own));
    assert_eq!(w.check_product(account(MERCHANT), own, b"Kiwi Gold".to_vec()), Err(Error::MerchantNotActive));
    assert_eq!(w.suspend_merchant(account(MERCHANT), [9; 32]), Err(Error::MerchantNotActive));
    pass(&mut w, Action::ReinstateMerchant { account: account(MERCHANT) }).unwrap();
    assert!(w.may_register_gtin(account(MERCHANT), own));
    assert_eq!(w.merchant_standing(account(MERCHANT)).unwrap().1.suspension, None);
    set_caller(G1);
    assert_eq!(w.propose(Action::ReinstateMerchant { account: account(MERCHANT) }), Err(Error::MerchantNotActive));

    // revocation by vote records its block; nothing brings the merchant back
    advance(3);
    pass(&mut w, Action::RevokeMerchant { account: account(MERCHANT), reason_hash: [8; 32] }).unwrap();
    let (m, standing) = w.merchant_standing(account(MERCHANT)).unwrap();
    assert_eq!((m.status, standing.revoked_at), (MerchantStatus::Revoked, Some(3)));
    set_caller(G1);
    assert_eq!(w.propose(Action::ReinstateMerchant { account: account(MERCHANT) }), Err(Error::MerchantNotActive));
    assert_eq!(w.propose(Action::RevokeMerchant { account: account(MERCHANT), reason_hash: [8; 32] }), Err(Error::MerchantNotActive));
    assert_eq!(w.suspend_merchant(account(MERCHANT), [1; 32]), Err(Error::MerchantNotActive));
    assert!(!w.may_register_gtin(account(MERCHANT), own));
}

/// The single governor of #17: alone it cannot onboard, re-tier, re-brand, revoke, reinstate,
/// confirm a suspension or recall a lot; its proposal waits for a second approval and nothing
/// changes.
#[ink::test]
fn merchant_one_governor_fails() {
    let mut w = consortium();
    w.wire(account(REGISTRY), account(SAMPLING), account(ATTESTATION)).unwrap();
    add_merchant(&mut w, MERCHANT);
    set_caller(G2);
    w.suspend_merchant(account(MERCHANT), [1; 32]).unwrap();
    let before = (w.counts(), w.merchant_standing(account(MERCHANT)), w.merchant(account(30)));
    let actions = [
        onboard(30, &[b"0614142"], &[b"Nestle"]),
        Action::SetMerchantTier { account: account(MERCHANT), tier: MerchantTier::Trusted },
        Action::SetMerchantBrands { account: account(MERCHANT), brands: vec![b"Nestle".to_vec()] },
        Action::ConfirmSuspension { account: account(MERCHANT) },
        Action::ReinstateMerchant { account: account(MERCHANT) },
        Action::RevokeMerchant { account: account(MERCHANT), reason_hash: [2; 32] },
        Action::RecallLot { lot: [4; 32], reason_hash: [2; 32] },
        Action::ResolveDispute { lot: [4; 32], release: true },
        Action::ReleaseHold { lot: [4; 32] },
    ];
    for action in actions {
        set_caller(G1);
        let id = w.propose(action.clone()).unwrap();
        assert_eq!(w.execute(id), Err(Error::NotEnoughApprovals { have: 1, need: 2 }), "{action:?}");
    }
    assert_eq!((w.counts(), w.merchant_standing(account(MERCHANT)), w.merchant(account(30))), before);
    assert!(tracepass_shared::fakes::with(|w| w.governance_calls.is_empty()), "no lot recalled");
}

/// The rogue governor's brake: unconfirmed, a suspension lapses after `SUSPENSION_CONFIRM_MS`
/// and no governor may renew it during `SUSPENSION_COOLDOWN_MS`; governance can still confirm
/// a suspension in time, and then it holds.
#[ink::test]
fn suspension_lapses_works() {
    let mut w = consortium();
    add_merchant(&mut w, MERCHANT);
    let own = gtin("10614141000415");
    set_now(1_000);
    set_caller(G1);
    w.suspend_merchant(account(MERCHANT), [1; 32]).unwrap();
    let s = w.merchant_standing(account(MERCHANT)).unwrap().1.suspension.unwrap();
    assert_eq!((s.by, s.at, s.confirmed, s.lapses_at()), (account(G1), 1_000, false, 1_000 + SUSPENSION_CONFIRM_MS));
    set_now(s.lapses_at() - 1);
    assert_eq!(w.merchant(account(MERCHANT)).unwrap().status, MerchantStatus::Suspended);
    set_now(s.lapses_at());
    assert_eq!(w.merchant(account(MERCHANT)).unwrap().status, MerchantStatus::Active, "lapsed");
    assert!(w.may_register_gtin(account(MERCHANT), own));
    assert_eq!(w.check_product(account(MERCHANT), own, BRAND.to_vec()), Ok(()));
    // too late to confirm; no governor may renew the brake during the cool-down
    set_caller(G1);
    assert_eq!(w.propose(Action::ConfirmSuspension { account: account(MERCHANT) }), Err(Error::SuspensionLapsed));
    for g in [G1, G2] {
        set_caller(g);
        assert_eq!(w.suspend_merchant(account(MERCHANT), [1; 32]), Err(Error::SuspensionCooldown { until: s.cooldown_until() }));
    }
    set_now(s.cooldown_until());
    set_caller(G2);
    w.suspend_merchant(account(MERCHANT), [2; 32]).unwrap();
    assert_eq!(w.merchant(account(MERCHANT)).unwrap().status, MerchantStatus::Suspended);
}

#[ink::test]
fn suspension_confirmed_works() {
    let mut w = consortium();
    add_merchant(&mut w, MERCHANT);
    set_caller(G1);
    assert_eq!(w.propose(Action::ConfirmSuspension { account: account(MERCHANT) }), Err(Error::SuspensionLapsed), "nothing to confirm");
    set_now(5_000);
    w.suspend_merchant(account(MERCHANT), [1; 32]).unwrap();
    set_caller(G1);
    let id = w.propose(Action::ConfirmSuspension { account: account(MERCHANT) }).unwrap();
    set_caller(G3);
    w.approve(id).unwrap();
    set_now(5_000 + SUSPENSION_CONFIRM_MS - 1);
    w.execute(id).unwrap();
    let ev: SuspensionConfirmed = last_event_before_executed();
    assert_eq!(ev.account, account(MERCHANT));
    set_now(5_000 + SUSPENSION_CONFIRM_MS + SUSPENSION_COOLDOWN_MS);
    assert_eq!(w.merchant(account(MERCHANT)).unwrap().status, MerchantStatus::Suspended, "confirmed: it holds");
    set_caller(G1);
    assert_eq!(w.propose(Action::ConfirmSuspension { account: account(MERCHANT) }), Err(Error::SuspensionLapsed), "confirmed already");
    pass(&mut w, Action::ReinstateMerchant { account: account(MERCHANT) }).unwrap();
    assert_eq!(w.merchant(account(MERCHANT)).unwrap().status, MerchantStatus::Active);
    // a confirmed suspension leaves no cool-down behind
    set_caller(G3);
    w.suspend_merchant(account(MERCHANT), [3; 32]).unwrap();
}

#[ink::test]
fn add_merchant_fails() {
    let mut w = consortium();
    set_caller(G1);
    let add = |w: &mut Whitelist, a: Action| w.propose(a).map(|_| ());
    let with = |c: CountryCode, p: Vec<Vec<u8>>, b: Vec<Vec<u8>>| Action::AddMerchant {
        account: account(30),
        name_hash: [0; 32],
        country: c,
        gs1_prefixes: p,
        brands: b,
        tier: MerchantTier::Standard,
    };
    let nz = CountryCode(*b"NZ");
    let p = || vec![PREFIX.to_vec()];
    let b = || vec![BRAND.to_vec()];
    assert_eq!(add(&mut w, onboard(G2, &[PREFIX], &[BRAND])), Err(Error::AlreadyMember));
    assert_eq!(add(&mut w, with(CountryCode(*b"XX"), p(), b())), Err(Error::Invalid(Field::Country)));
    assert_eq!(add(&mut w, with(nz, vec![], b())), Err(Error::Invalid(Field::Gs1Prefix)));
    assert_eq!(add(&mut w, with(nz, vec![b"12a4".to_vec()], b())), Err(Error::Invalid(Field::Gs1Prefix)));
    assert_eq!(add(&mut w, with(nz, vec![b"123".to_vec()], b())), Err(Error::Invalid(Field::Gs1Prefix)));
    assert_eq!(add(&mut w, with(nz, vec![PREFIX.to_vec(); 9], b())), Err(Error::Invalid(Field::Gs1Prefix)));
    let brand = Err(Error::Invalid(Field::Brand));
    assert_eq!(add(&mut w, with(nz, p(), vec![])), brand, "no brand");
    assert_eq!(add(&mut w, with(nz, p(), vec![BRAND.to_vec(); 2])), brand, "a brand twice");
    assert_eq!(add(&mut w, with(nz, p(), vec![vec![b'x'; MAX_BRAND_LEN + 1]])), brand, "too long");
    assert_eq!(add(&mut w, with(nz, p(), vec!["Nestl\u{e9}\u{202e}".as_bytes().to_vec()])), brand, "a bidi override");
    assert_eq!(add(&mut w, with(nz, p(), vec![b" ".to_vec()])), brand, "only a space");
    let many: Vec<Vec<u8>> = (0..=MAX_BRANDS_PER_MERCHANT).map(|i| format!("B{i}").into_bytes()).collect();
    assert_eq!(add(&mut w, with(nz, p(), many)), brand, "too many");
    assert_eq!((w.counts(), w.proposal_count()), ((3, 0), 0), "nothing proposed");
    add_merchant(&mut w, 30);
    set_caller(G1);
    assert_eq!(add(&mut w, onboard(30, &[b"0614142"], &[BRAND])), Err(Error::AlreadyMember));
    assert_eq!(w.counts(), (3, 1));
}

/// The squatter: governors are asked to onboard a sham merchant with a real brand's prefix, a
/// shorter one that covers it, or a longer one inside it. Each is refused naming the holder,
/// when proposed and again when executed, and revoking the holder does not free its prefix.
#[ink::test]
fn add_merchant_prefix_squat_fails() {
    let mut w = consortium();
    add_merchant(&mut w, MERCHANT); // holds 0614141
    set_caller(G2);
    let add = |w: &mut Whitelist, who: u8, p: &[&[u8]]| w.propose(onboard(who, p, &[b"Sham"])).map(|_| ());
    let taken = |prefix: &[u8]| Error::PrefixTaken { prefix: prefix.to_vec(), owner: account(MERCHANT), owned: PREFIX.to_vec() };
    let before = (w.counts(), w.merchant(account(MERCHANT)), w.proposal_count());
    assert_eq!(add(&mut w, 30, &[b"0614141"]), Err(taken(b"0614141")), "the same prefix");
    assert_eq!(add(&mut w, 30, &[b"061414"]), Err(taken(b"061414")), "a prefix covering it");
    assert_eq!(add(&mut w, 30, &[b"06141410"]), Err(taken(b"06141410")), "a prefix inside it");
    assert_eq!(add(&mut w, 30, &[b"0890123", b"061414123456"]), Err(taken(b"061414123456")), "one bad prefix of two");
    assert_eq!(add(&mut w, 30, &[b"00000"]), Err(Error::Invalid(Field::Gs1Prefix)), "5 digits cover a national range");
    let own = Error::PrefixTaken { prefix: b"08901234".to_vec(), owner: account(30), owned: b"0890123".to_vec() };
    assert_eq!(add(&mut w, 30, &[b"0890123", b"08901234"]), Err(own), "overlap within its own list");
    assert_eq!((w.counts(), w.merchant(account(MERCHANT)), w.proposal_count()), before, "nothing changed");
    assert!(w.merchant(account(30)).is_none());

    // two open proposals for overlapping prefixes: the second is refused when executed
    set_caller(G1);
    let first = w.propose(onboard(30, &[b"0614142", b"0890123"], &[b"Kea"])).unwrap();
    let second = w.propose(onboard(31, &[b"089012"], &[b"Sham"])).unwrap();
    set_caller(G3);
    w.approve(first).unwrap();
    w.approve(second).unwrap();
    w.execute(first).unwrap();
    let neighbour = Error::PrefixTaken { prefix: b"089012".to_vec(), owner: account(30), owned: b"0890123".to_vec() };
    assert_eq!(w.execute(second), Err(neighbour));
    assert!(w.merchant(account(31)).is_none());

    // revocation keeps the prefix granted: nobody takes over a revoked merchant's GTINs
    pass(&mut w, Action::RevokeMerchant { account: account(MERCHANT), reason_hash: [1; 32] }).unwrap();
    assert_eq!(add(&mut w, 31, &[b"0614141"]), Err(taken(b"0614141")));
}

/// The brand spoofer: a merchant onboarded for its own brand registers "Nestle" (or a
/// look-alike spelling) under its own prefix; only the brands governance voted for pass.
#[ink::test]
fn brand_spoof_fails() {
    let mut w = consortium();
    add_merchant(&mut w, MERCHANT);
    let own = gtin("10614141000415");
    for spoof in [&b"Nestle"[..], b"aroha", b"Aroha ", "Aroh\u{0430}".as_bytes(), b""] {
        let refused = Err(Error::BrandNotAuthorized { merchant: account(MERCHANT), brand: spoof.to_vec() });
        assert_eq!(w.check_product(account(MERCHANT), own, spoof.to_vec()), refused, "{spoof:?}");
    }
    // and a stranger or another merchant's GTIN is refused before the brand is looked at
    assert_eq!(w.check_product(account(STRANGER), own, BRAND.to_vec()), Err(Error::Unauthorized { account: account(STRANGER), role: Role::Merchant }));
    assert_eq!(w.check_product(account(MERCHANT), gtin("4006381333931"), BRAND.to_vec()), Err(Error::GtinNotAllowed));
}

#[ink::test]
fn wire_works() {
    let mut w = consortium();
    assert_eq!(w.contract_of(ContractKind::Registry), None);
    set_caller(G2);
    assert_eq!(w.wire(account(REGISTRY), account(SAMPLING), account(ATTESTATION)), Err(Error::WiringClosed));
    set_caller(G1);
    w.wire(account(REGISTRY), account(SAMPLING), account(ATTESTATION)).unwrap();
    assert_eq!(w.contract_of(ContractKind::Sampling), Some(account(SAMPLING)));
    assert_eq!(w.wire(account(REGISTRY), account(SAMPLING), account(ATTESTATION)), Err(Error::WiringClosed));
}

#[ink::test]
fn governance_calls_out_works() {
    let mut w = consortium();
    set_caller(G1);
    let rule = Action::SetSamplingRule { key: RuleKey { category: Some(1), origin: None, tier: None }, rate_bps: 500 };
    assert_eq!(w.propose(rule.clone()), Err(Error::NotWired(ContractKind::Sampling)));
    w.wire(account(REGISTRY), account(SAMPLING), account(ATTESTATION)).unwrap();
    pass(&mut w, rule).unwrap();
    pass(&mut w, Action::SetCodeHash { target: ContractKind::Registry, code_hash: Hash::from([3; 32]) }).unwrap();
    pass(&mut w, Action::RevokeAttestation { id: 1, reason_hash: [1; 32] }).unwrap();
    pass(&mut w, Action::RecallLot { lot: [4; 32], reason_hash: [1; 32] }).unwrap();
    pass(&mut w, Action::ResolveDispute { lot: [4; 32], release: true }).unwrap();
    pass(&mut w, Action::ReleaseHold { lot: [4; 32] }).unwrap();
    let over = Action::SetSamplingRule { key: RuleKey { category: None, origin: None, tier: None }, rate_bps: 10_001 };
    set_caller(G1);
    assert_eq!(w.propose(over), Err(Error::Invalid(Field::Rate)));
    let calls = tracepass_shared::fakes::with(|w| w.governance_calls.clone());
    assert_eq!(
        calls,
        vec![
            (account(SAMPLING), "set_rule"),
            (account(REGISTRY), "set_code"),
            (account(ATTESTATION), "revoke_attestation"),
            (account(REGISTRY), "recall_lot"),
            (account(ATTESTATION), "resolve_dispute"),
            (account(REGISTRY), "release_lot")
        ]
    );
}

#[ink::test]
fn sampling_proposal_bounds_fails() {
    let mut w = consortium();
    w.wire(account(REGISTRY), account(SAMPLING), account(ATTESTATION)).unwrap();
    let count = w.proposal_count();
    // the bounds sampling applies to the call are checked on the proposal, naming the same field
    let passes = Action::SetSamplingPolicy { default_rate_bps: 100, passes_to_clear: 0 };
    assert_eq!(w.propose(passes), Err(Error::Invalid(Field::PassesToClear)));
    let rate = Action::SetSamplingPolicy { default_rate_bps: 10_001, passes_to_clear: 3 };
    assert_eq!(w.propose(rate), Err(Error::Invalid(Field::Rate)));
    let origin = RuleKey { category: None, origin: Some(CountryCode(*b"XX")), tier: None };
    let rule = Action::SetSamplingRule { key: origin, rate_bps: 100 };
    assert_eq!(w.propose(rule), Err(Error::Invalid(Field::Country)));
    assert_eq!(w.proposal_count(), count);
}

/// Every write message, called by every role not entitled to it, fails with the specific error
/// and changes nothing.
#[ink::test]
fn access_control_works() {
    let mut w = consortium();
    pass(&mut w, add_agency_action(AGENCY)).unwrap();
    pass(&mut w, Action::AddMember { account: account(CUSTOMS), role: Role::Customs, name_hash: [0; 32], scope: None })
        .unwrap();
    add_merchant(&mut w, MERCHANT);
    set_caller(G1);
    let open = w.propose(Action::SetThreshold { threshold: 3 }).unwrap();
    assert_eq!(open, 4);
    let callers = [
        ("governor", account(G2)),
        ("agency", account(AGENCY)),
        ("customs", account(CUSTOMS)),
        ("merchant", account(MERCHANT)),
        ("stranger", account(STRANGER)),
    ];
    let gov = Role::Governor;
    let cases: Vec<AccessCase<Whitelist>> = vec![
        AccessCase::role("propose", &["governor"], gov, |w| w.propose(Action::SetThreshold { threshold: 1 }).map(|_| ())),
        AccessCase::role("approve", &["governor"], gov, |w| w.approve(4).map(|_| ())),
        AccessCase::role("execute", &["governor"], gov, |w| w.execute(4)),
        AccessCase::role("suspend_merchant", &["governor"], gov, |w| w.suspend_merchant(account(MERCHANT), [0; 32])),
        // The deployer (G1) wired nothing yet, but wiring is G1's alone: everyone else is refused.
        AccessCase::other("wire", &[], |w| w.wire(account(REGISTRY), account(SAMPLING), account(ATTESTATION)), |_| Error::WiringClosed),
    ];
    let snapshot = |w: &Whitelist| {
        (
            w.governors(),
            w.threshold(),
            w.counts(),
            w.proposal(4),
            w.proposal_count(),
            w.merchant(account(MERCHANT)),
            w.contract_of(ContractKind::Registry),
        )
    };
    let checked = check_access(&mut w, &cases, &callers, snapshot);
    assert_eq!(checked, 4 * 4 + 5);
}

fn set_name(who: u8, name: &[u8]) -> Action {
    Action::SetDisplayName { account: account(who), name: name.to_vec() }
}

#[ink::test]
fn display_name_by_vote_works() {
    let mut w = consortium();
    add_merchant(&mut w, MERCHANT);
    pass(&mut w, add_agency_action(AGENCY)).unwrap();
    let merchant_before = w.merchant(account(MERCHANT));
    let agency_before = w.member(account(AGENCY));
    let named = executed_events(&mut w, set_name(MERCHANT, b"Aroha Dairy"));
    assert_eq!(named, vec![signature::<DisplayNameSet>(), signature::<ProposalExecuted>()]);
    let ev: DisplayNameSet = last_event_before_executed();
    assert_eq!((ev.account, ev.name), (account(MERCHANT), b"Aroha Dairy".to_vec()));
    pass(&mut w, set_name(AGENCY, "新西兰食品检测".as_bytes())).unwrap();
    assert_eq!(w.display_name(account(MERCHANT)), Some(b"Aroha Dairy".to_vec()));
    assert_eq!(w.display_name(account(AGENCY)), Some("新西兰食品检测".as_bytes().to_vec()));
    assert_eq!(w.display_name(account(STRANGER)), None);
    // one read for a page: in order, None where there is no name
    assert_eq!(
        w.display_names(vec![account(AGENCY), account(STRANGER), account(MERCHANT)]),
        Ok(vec![Some("新西兰食品检测".as_bytes().to_vec()), None, Some(b"Aroha Dairy".to_vec())])
    );
    assert_eq!(w.display_names(vec![]), Ok(vec![]));
    // the records themselves are untouched
    assert_eq!((w.merchant(account(MERCHANT)), w.member(account(AGENCY))), (merchant_before, agency_before));
    // a governor and a suspended merchant can be named too; renaming replaces
    pass(&mut w, set_name(G3, b"Customs Board")).unwrap();
    set_caller(G1);
    w.suspend_merchant(account(MERCHANT), [1; 32]).unwrap();
    pass(&mut w, set_name(MERCHANT, b"Aroha Dairy Ltd")).unwrap();
    assert_eq!(w.display_name(account(MERCHANT)), Some(b"Aroha Dairy Ltd".to_vec()));
    assert_eq!(w.display_name(account(G3)), Some(b"Customs Board".to_vec()));
    // the empty name removes it, with an event naming the empty name
    assert_eq!(executed_events(&mut w, set_name(MERCHANT, b"")), vec![signature::<DisplayNameSet>(), signature::<ProposalExecuted>()]);
    let ev: DisplayNameSet = last_event_before_executed();
    assert_eq!((ev.account, ev.name), (account(MERCHANT), vec![]));
    assert_eq!(w.display_name(account(MERCHANT)), None);
}

#[ink::test]
fn display_name_unchanged_works() {
    let mut w = consortium();
    add_merchant(&mut w, MERCHANT);
    let first = executed_events(&mut w, set_name(MERCHANT, b"Aroha Dairy"));
    assert_eq!(first, vec![signature::<DisplayNameSet>(), signature::<ProposalExecuted>()]);
    // the same name again: the proposal executes, but nothing changed, so no DisplayNameSet
    assert_eq!(executed_events(&mut w, set_name(MERCHANT, b"Aroha Dairy")), vec![signature::<ProposalExecuted>()]);
    // removing a name that is not there emits nothing either
    assert_eq!(executed_events(&mut w, set_name(G2, b"")), vec![signature::<ProposalExecuted>()]);
    assert_eq!(w.display_name(account(MERCHANT)), Some(b"Aroha Dairy".to_vec()));
    assert_eq!(w.display_name(account(G2)), None);
}

#[ink::test]
fn display_name_one_governor_fails() {
    let mut w = consortium();
    add_merchant(&mut w, MERCHANT);
    set_caller(G1);
    let id = w.propose(set_name(MERCHANT, b"Aroha Dairy")).unwrap();
    // one key alone cannot name anyone while M = 2
    assert_eq!(w.execute(id), Err(Error::NotEnoughApprovals { have: 1, need: 2 }));
    assert_eq!(w.display_name(account(MERCHANT)), None);
    assert!(!w.proposal(id).unwrap().executed);
}

#[ink::test]
fn display_name_stranger_fails() {
    let mut w = consortium();
    add_merchant(&mut w, MERCHANT);
    let (events, proposals) = (test::recorded_events().count(), w.proposal_count());
    for who in [STRANGER, MERCHANT] {
        set_caller(who);
        // nobody but a governor proposes, not even a merchant for its own name
        assert_eq!(
            w.propose(set_name(MERCHANT, b"Aroha Dairy")),
            Err(Error::Unauthorized { account: account(who), role: Role::Governor })
        );
    }
    assert_eq!((w.proposal_count(), w.display_name(account(MERCHANT))), (proposals, None));
    assert_eq!(test::recorded_events().count(), events);
}

/// A name that breaks `check_display_name` is refused at the proposal, naming the field, and
/// changes nothing; so is a name for an account that is neither merchant nor member, at the
/// proposal and again at execution.
#[ink::test]
fn display_name_invalid_fails() {
    let mut w = consortium();
    add_merchant(&mut w, MERCHANT);
    pass(&mut w, set_name(MERCHANT, b"Aroha Dairy")).unwrap();
    let before = (w.proposal_count(), w.display_name(account(MERCHANT)), w.merchant(account(MERCHANT)));
    let events = test::recorded_events().count();
    let too_long = vec![b'a'; tracepass_shared::bounds::MAX_DISPLAY_NAME_LEN + 1];
    let bad: [&[u8]; 6] = [&too_long, &[b'A', 0xff, b'B'], b"Aroha\nDairy", b"Aroha\x1b[2J", "Aroha\u{85}".as_bytes(), b"   "];
    set_caller(G1);
    for name in bad {
        assert_eq!(w.propose(set_name(MERCHANT, name)), Err(Error::Invalid(Field::DisplayName)), "{name:?}");
    }
    // checked before membership: an invalid name for a stranger names the name
    assert_eq!(w.propose(set_name(STRANGER, b"\0")), Err(Error::Invalid(Field::DisplayName)));
    assert_eq!(w.propose(set_name(STRANGER, b"Sham Dairy")), Err(Error::NotMember));
    assert_eq!((w.proposal_count(), w.display_name(account(MERCHANT)), w.merchant(account(MERCHANT))), before);
    assert_eq!(test::recorded_events().count(), events, "no event");
    // exactly the bound is fine
    let longest = vec![b'a'; tracepass_shared::bounds::MAX_DISPLAY_NAME_LEN];
    pass(&mut w, set_name(MERCHANT, &longest)).unwrap();
    assert_eq!(w.display_name(account(MERCHANT)), Some(longest));
}

#[ink::test]
fn display_name_of_removed_member_fails() {
    let mut w = consortium();
    pass(&mut w, add_agency_action(AGENCY)).unwrap();
    set_caller(G1);
    let id = w.propose(set_name(AGENCY, b"NZ Food Lab")).unwrap();
    set_caller(G2);
    w.approve(id).unwrap();
    // the agency is removed before the naming executes: the execution is refused
    pass(&mut w, Action::RemoveMember { account: account(AGENCY) }).unwrap();
    set_caller(G2);
    let events = test::recorded_events().count();
    assert_eq!(w.execute(id), Err(Error::NotMember));
    assert!(!w.proposal(id).unwrap().executed);
    assert_eq!(w.display_name(account(AGENCY)), None);
    assert_eq!(test::recorded_events().count(), events);
}

#[ink::test]
fn display_names_bound_fails() {
    let w = consortium();
    let max = tracepass_shared::bounds::MAX_NAMES_PER_READ;
    let accounts = |n: u32| (0..n).map(|i| account(i as u8)).collect::<Vec<_>>();
    assert_eq!(w.display_names(accounts(max)).map(|v| v.len()), Ok(max as usize));
    assert_eq!(w.display_names(accounts(max + 1)), Err(Error::TooManyNames));
}
