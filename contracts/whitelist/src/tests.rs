//! Unit tests of the whitelist in ink!'s off-chain environment.

use crate::whitelist::*;
use ink::env::{test, DefaultEnvironment};
use ink::primitives::{AccountId, Hash};
use ink::scale::Decode;
use tracepass_shared::fakes::cast::{AGENCY, ATTESTATION, CUSTOMS, MERCHANT, REGISTRY, SAMPLING, STRANGER};
use tracepass_shared::fakes::{account, check_access, last_event, set_caller, AccessCase};
use tracepass_shared::traits::WhitelistApi;
use tracepass_shared::*;

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

fn add_merchant(w: &mut Whitelist, who: u8) {
    set_caller(G1);
    w.add_merchant(account(who), [5; 32], CountryCode(*b"NZ"), vec![PREFIX.to_vec()], MerchantTier::Standard)
        .expect("merchant added");
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
    add_merchant(&mut w, MERCHANT);
    let ev: MerchantAdded = last_event();
    assert_eq!((ev.account, ev.by, ev.tier), (account(MERCHANT), account(G1), MerchantTier::Standard));
    assert_eq!(w.role_of(account(MERCHANT)), Some(Role::Merchant));
    let own = gtin("10614141000415");
    let other = gtin("4006381333931");
    assert!(w.may_register_gtin(account(MERCHANT), own));
    assert!(!w.may_register_gtin(account(MERCHANT), other));
    assert!(!w.may_register_gtin(account(STRANGER), own));

    w.set_merchant_tier(account(MERCHANT), MerchantTier::Watched).unwrap();
    assert_eq!(w.merchant(account(MERCHANT)).unwrap().tier, MerchantTier::Watched);
    let n = test::recorded_events().count();
    w.set_merchant_tier(account(MERCHANT), MerchantTier::Watched).unwrap();
    assert_eq!(test::recorded_events().count(), n, "no event on a no-op");

    w.suspend_merchant(account(MERCHANT), [9; 32]).unwrap();
    let ev: MerchantStatusChanged = last_event();
    assert_eq!((ev.status, ev.reason_hash), (MerchantStatus::Suspended, Some([9; 32])));
    assert!(!w.may_register_gtin(account(MERCHANT), own));
    assert_eq!(w.suspend_merchant(account(MERCHANT), [9; 32]), Err(Error::MerchantNotActive));
    w.reinstate_merchant(account(MERCHANT)).unwrap();
    assert!(w.may_register_gtin(account(MERCHANT), own));
    w.revoke_merchant(account(MERCHANT), [8; 32]).unwrap();
    assert_eq!(w.reinstate_merchant(account(MERCHANT)), Err(Error::MerchantNotActive));
    assert_eq!(w.revoke_merchant(account(MERCHANT), [8; 32]), Err(Error::MerchantNotActive));
    assert!(!w.may_register_gtin(account(MERCHANT), own));
}

#[ink::test]
fn add_merchant_fails() {
    let mut w = consortium();
    set_caller(G1);
    let nz = CountryCode(*b"NZ");
    let add = |w: &mut Whitelist, who: u8, c: CountryCode, p: Vec<Vec<u8>>| {
        w.add_merchant(account(who), [0; 32], c, p, MerchantTier::Standard)
    };
    assert_eq!(add(&mut w, G2, nz, vec![PREFIX.to_vec()]), Err(Error::AlreadyMember));
    assert_eq!(add(&mut w, 30, CountryCode(*b"XX"), vec![PREFIX.to_vec()]), Err(Error::Invalid(Field::Country)));
    assert_eq!(add(&mut w, 30, nz, vec![]), Err(Error::Invalid(Field::Gs1Prefix)));
    assert_eq!(add(&mut w, 30, nz, vec![b"12a4".to_vec()]), Err(Error::Invalid(Field::Gs1Prefix)));
    assert_eq!(add(&mut w, 30, nz, vec![b"123".to_vec()]), Err(Error::Invalid(Field::Gs1Prefix)));
    assert_eq!(add(&mut w, 30, nz, vec![PREFIX.to_vec(); 9]), Err(Error::Invalid(Field::Gs1Prefix)));
    add_merchant(&mut w, 30);
    assert_eq!(add(&mut w, 30, nz, vec![PREFIX.to_vec()]), Err(Error::AlreadyMember));
    assert_eq!(w.counts(), (3, 1));
}

/// The squatter: a governor onboards a sham merchant with a real brand's prefix, a shorter one
/// that covers it, or a longer one inside it. Each is refused naming the holder, nothing changes,
/// and revoking the holder does not free its prefix.
#[ink::test]
fn add_merchant_prefix_squat_fails() {
    let mut w = consortium();
    add_merchant(&mut w, MERCHANT); // holds 0614141
    set_caller(G2);
    let nz = CountryCode(*b"NZ");
    let add = |w: &mut Whitelist, who: u8, p: &[&[u8]]| {
        w.add_merchant(account(who), [0; 32], nz, p.iter().map(|x| x.to_vec()).collect(), MerchantTier::Standard)
    };
    let taken = |prefix: &[u8]| Error::PrefixTaken { prefix: prefix.to_vec(), owner: account(MERCHANT), owned: PREFIX.to_vec() };
    let before = (w.counts(), w.merchant(account(MERCHANT)));
    assert_eq!(add(&mut w, 30, &[b"0614141"]), Err(taken(b"0614141")), "the same prefix");
    assert_eq!(add(&mut w, 30, &[b"061414"]), Err(taken(b"061414")), "a prefix covering it");
    assert_eq!(add(&mut w, 30, &[b"06141410"]), Err(taken(b"06141410")), "a prefix inside it");
    assert_eq!(add(&mut w, 30, &[b"0890123", b"061414123456"]), Err(taken(b"061414123456")), "one bad prefix of two");
    assert_eq!(add(&mut w, 30, &[b"00000"]), Err(Error::Invalid(Field::Gs1Prefix)), "5 digits cover a national range");
    let own = Error::PrefixTaken { prefix: b"08901234".to_vec(), owner: account(30), owned: b"0890123".to_vec() };
    assert_eq!(add(&mut w, 30, &[b"0890123", b"08901234"]), Err(own), "overlap within its own list");
    assert_eq!((w.counts(), w.merchant(account(MERCHANT))), before, "nothing changed");
    assert!(w.merchant(account(30)).is_none());

    // a neighbour's prefix is fine, and then it is taken too
    add(&mut w, 30, &[b"0614142", b"0890123"]).unwrap();
    let neighbour = Error::PrefixTaken { prefix: b"089012".to_vec(), owner: account(30), owned: b"0890123".to_vec() };
    assert_eq!(add(&mut w, 31, &[b"089012"]), Err(neighbour));

    // revocation keeps the prefix granted: nobody takes over a revoked merchant's GTINs
    w.revoke_merchant(account(MERCHANT), [1; 32]).unwrap();
    assert_eq!(add(&mut w, 31, &[b"0614141"]), Err(taken(b"0614141")));
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
    let over = Action::SetSamplingRule { key: RuleKey { category: None, origin: None, tier: None }, rate_bps: 10_001 };
    set_caller(G1);
    assert_eq!(w.propose(over), Err(Error::Invalid(Field::Rate)));
    let calls = tracepass_shared::fakes::with(|w| w.governance_calls.clone());
    assert_eq!(
        calls,
        vec![(account(SAMPLING), "set_rule"), (account(REGISTRY), "set_code"), (account(ATTESTATION), "revoke_attestation")]
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
    assert_eq!(open, 3);
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
        AccessCase::role("approve", &["governor"], gov, |w| w.approve(3).map(|_| ())),
        AccessCase::role("execute", &["governor"], gov, |w| w.execute(3)),
        AccessCase::role("add_merchant", &["governor"], gov, |w| {
            w.add_merchant(account(50), [0; 32], CountryCode(*b"NZ"), vec![PREFIX.to_vec()], MerchantTier::Standard)
        }),
        AccessCase::role("set_merchant_tier", &["governor"], gov, |w| w.set_merchant_tier(account(MERCHANT), MerchantTier::Trusted)),
        AccessCase::role("suspend_merchant", &["governor"], gov, |w| w.suspend_merchant(account(MERCHANT), [0; 32])),
        AccessCase::role("reinstate_merchant", &["governor"], gov, |w| w.reinstate_merchant(account(MERCHANT))),
        AccessCase::role("revoke_merchant", &["governor"], gov, |w| w.revoke_merchant(account(MERCHANT), [0; 32])),
        // The deployer (G1) wired nothing yet, but wiring is G1's alone: everyone else is refused.
        AccessCase::other("wire", &[], |w| w.wire(account(REGISTRY), account(SAMPLING), account(ATTESTATION)), |_| Error::WiringClosed),
    ];
    let snapshot = |w: &Whitelist| {
        (
            w.governors(),
            w.threshold(),
            w.counts(),
            w.proposal(3),
            w.proposal_count(),
            w.merchant(account(MERCHANT)),
            w.contract_of(ContractKind::Registry),
        )
    };
    let checked = check_access(&mut w, &cases, &callers, snapshot);
    assert_eq!(checked, 8 * 4 + 5);
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
    let events = test::recorded_events().count();
    for who in [STRANGER, MERCHANT] {
        set_caller(who);
        // nobody but a governor proposes, not even a merchant for its own name
        assert_eq!(
            w.propose(set_name(MERCHANT, b"Aroha Dairy")),
            Err(Error::Unauthorized { account: account(who), role: Role::Governor })
        );
    }
    assert_eq!((w.proposal_count(), w.display_name(account(MERCHANT))), (0, None));
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
