//! Property tests of the whitelist: random sequences of messages from random callers in ink!'s
//! off-chain environment, against a plain-Rust model of the consortium.
//!
//! Each sequence starts from a fresh consortium of N = 2..=5 governors with a random threshold
//! M and proposal lifetime, then runs up to [`MAX_STEPS`] messages (proposals of every action,
//! approvals, executions, one-governor suspensions, wiring, block and clock advances) from
//! callers that are mostly current governors and otherwise any account (members, merchants,
//! strangers). After **every** step these invariants are checked:
//!
//! 1. **Model agreement**: the message's result is exactly the model's (the same `Ok` value or
//!    the same `Error`), and every observable field (governors, M, counts, every account's
//!    member and merchant record, every display name (read alone and in one `display_names`
//!    call), every proposal, the directory, the governance calls made to
//!    the other contracts) equals the model's.
//! 2. **Only entitled roles change anything**: a governor-only message from a non-governor
//!    returns `Unauthorized { account, role: Governor }`; `wire` from anyone but the deployer
//!    returns `WiringClosed`. Any failed message leaves the state snapshot and the emitted
//!    events unchanged.
//! 3. **No admission without M approvals**: whenever the set of non-merchant members, the
//!    governor list or M changes, the step was a successful `execute` of a proposal of that
//!    action whose approvals are distinct and include at least M (as it was before the step)
//!    accounts that were governors before the step: removed governors' votes lapse, and
//!    expired or executed proposals never execute. Merchants appear, change tier or brands,
//!    are reinstated or revoked only by such an `execute` (of `AddMerchant`,
//!    `SetMerchantTier`, `SetMerchantBrands`, `ReinstateMerchant`, `RevokeMerchant`); the one
//!    thing a single governor does alone is suspend an active merchant, and that suspension
//!    lapses (reads active again) `SUSPENSION_CONFIRM_MS` later unless executed
//!    `ConfirmSuspension` made it hold; no governor renews a lapsed one within the cool-down.
//!    Display names change only by such an `execute` too (of a `SetDisplayName`), and only for
//!    accounts that were merchants or members.
//! 5. **One owner per GTIN**: no two merchants' GS1 prefixes overlap; onboarding with a
//!    prefix that equals, extends or covers a granted one (drawn from a pool built to overlap)
//!    fails with `PrefixTaken` naming the holder, revoked merchants included.
//! 4. **Lists and counts agree with the records**: the governor list has no duplicate and each
//!    governor's `role_of` is `Governor`; `counts()` equals the number of member and merchant
//!    records; `role_of` is `Merchant` iff a merchant record exists and no account is both;
//!    1 <= M <= N <= `MAX_GOVERNORS`.
//!
//! Cases per run: `TRACEPASS_PROPTEST_CASES` (default [`tracepass_shared::proptests::DEFAULT_CASES`]);
//! the run prints its seed, and `PROPTEST_RNG_SEED=<seed>` with the same cases replays it.

use crate::whitelist::*;
use ink::env::{test, DefaultEnvironment};
use ink::primitives::{AccountId, Hash};
use proptest::prelude::*;
use std::collections::BTreeMap;
use tracepass_shared::bounds::*;
use tracepass_shared::fakes::cast::{ATTESTATION, REGISTRY, SAMPLING, STRANGER};
use tracepass_shared::fakes::{self, account, events};
use tracepass_shared::proptests::run_property;
use tracepass_shared::traits::WhitelistApi;
use tracepass_shared::*;

/// Longest sequence.
const MAX_STEPS: usize = 30;
/// GS1 prefixes onboarding draws from: equal, covering and extending ones, and unrelated ones.
const PREFIXES: [&[u8]; 6] = [b"0614141", b"061414", b"06141412", b"0614142", b"0890123", b"089012345678"];
/// Brands onboarding draws from: valid ones and ones `check_brand` refuses (empty, a bidi
/// override, only whitespace).
const BRANDS: [&[u8]; 6] = [b"Aroha", b"Kiwi Gold", "新西兰".as_bytes(), b"", "Nestl\u{e9}\u{202e}".as_bytes(), b"  "];
/// Display names proposals draw from: valid ones (the empty one removes a name), and ones
/// `check_display_name` refuses (a control character, only whitespace, not UTF-8); `name(n)`
/// adds one over the bound.
const NAMES: [&[u8]; 7] = [b"Aroha Dairy", b"", "新西兰食品检测".as_bytes(), b"NZ Food Lab", b"Aroha\nDairy", b" \t ", &[b'A', 0xff]];

// What the sequences exercised, printed with the totals.
tracepass_shared::property_stats!(
    "{} proposals executed, {} members admitted, {} governors removed, {} steps on proposals \
     holding a lapsed vote, {} expired refusals, {} not-enough-approvals refusals, {} unauthorized refusals, \
     {} merchants onboarded, {} overlapping prefixes refused, {} display names changed, {} bad names refused, \
     {} suspensions, {} lapsed, {} confirmed, {} renewals refused in the cool-down, {} revoked, {} bad brands refused",
    EXECUTED, ADMITTED, GOVERNORS_REMOVED, LAPSED, EXPIRED, SHORT, UNAUTHORIZED, ONBOARDED, PREFIX_TAKEN, NAMED, BAD_NAME,
    SUSPENDED, SUSPENSION_LAPSED, CONFIRMED, COOLDOWN, REVOKED, BAD_BRAND
);

fn set_caller(a: AccountId) {
    test::set_caller::<DefaultEnvironment>(a);
}

// ---- the model ------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
struct MProposal {
    action: Action,
    proposer: AccountId,
    approvals: Vec<AccountId>,
    expires_at: BlockNumber,
    executed: bool,
}

#[derive(Debug, Clone)]
struct Model {
    governors: Vec<AccountId>,
    threshold: u8,
    ttl: BlockNumber,
    members: BTreeMap<AccountId, Member>,
    merchants: BTreeMap<AccountId, Merchant>,
    /// GS1 prefixes granted, in order, with their merchant (kept when it is revoked).
    granted: Vec<(Vec<u8>, AccountId)>,
    proposals: Vec<MProposal>,
    wiring_admin: Option<AccountId>,
    block: BlockNumber,
    governance_calls: Vec<(AccountId, &'static str)>,
    display_names: BTreeMap<AccountId, Vec<u8>>,
    standing: BTreeMap<AccountId, MerchantStanding>,
    /// Chain time (ms): 6 a block in the off-chain engine, plus `Op::Clock` jumps.
    now: Timestamp,
}

impl Model {
    /// A merchant's record with its status as of now (a lapsed suspension reads active).
    fn merchant_now(&self, who: &AccountId) -> Option<Merchant> {
        let mut m = self.merchants.get(who)?.clone();
        let lapsed = self.standing.get(who).and_then(|s| s.suspension.clone()).is_some_and(|s| !s.in_force(self.now));
        if m.status == MerchantStatus::Suspended && lapsed {
            m.status = MerchantStatus::Active;
        }
        Some(m)
    }

    fn wired(&self) -> bool {
        self.wiring_admin.is_none()
    }

    fn ensure_governor(&self, who: AccountId) -> Result<()> {
        match self.members.get(&who) {
            Some(m) if m.role == Role::Governor => Ok(()),
            _ => Err(Error::Unauthorized { account: who, role: Role::Governor }),
        }
    }

    fn directory(&self, kind: ContractKind) -> Result<AccountId> {
        match kind {
            ContractKind::Whitelist => Ok(AccountId::from([0; 32])),
            _ if !self.wired() => Err(Error::NotWired(kind)),
            ContractKind::Registry => Ok(account(REGISTRY)),
            ContractKind::Sampling => Ok(account(SAMPLING)),
            ContractKind::Attestation => Ok(account(ATTESTATION)),
        }
    }

    fn validate(&self, action: &Action) -> Result<()> {
        let scope_ok = |s: &AgencyScope| {
            if s.categories.is_empty() || s.categories.len() > MAX_SCOPE_CATEGORIES as usize {
                Err(Error::Invalid(Field::Scope))
            } else {
                Ok(())
            }
        };
        match action {
            Action::AddMember { account, role, scope, .. } => {
                if self.members.contains_key(account) || self.merchants.contains_key(account) {
                    return Err(Error::AlreadyMember);
                }
                match (role, scope) {
                    (Role::Merchant, _) => return Err(Error::Invalid(Field::Role)),
                    (Role::Agency, Some(s)) => scope_ok(s)?,
                    (Role::Agency, None) | (_, Some(_)) => return Err(Error::Invalid(Field::Scope)),
                    _ => {}
                }
                if *role == Role::Governor && self.governors.len() >= MAX_GOVERNORS as usize {
                    return Err(Error::Invalid(Field::Governors));
                }
            }
            Action::RemoveMember { account } => {
                let m = self.members.get(account).ok_or(Error::NotMember)?;
                if m.role == Role::Governor && self.governors.len() <= self.threshold as usize {
                    return Err(Error::WouldBreakQuorum);
                }
            }
            Action::SetAgencyScope { account, scope } => {
                match self.members.get(account) {
                    Some(m) if m.role == Role::Agency => {}
                    _ => return Err(Error::NotMember),
                }
                scope_ok(scope)?;
            }
            Action::SetThreshold { threshold } => {
                if *threshold == 0 || *threshold as usize > self.governors.len() {
                    return Err(Error::Invalid(Field::Threshold));
                }
            }
            Action::SetCodeHash { target, .. } => {
                self.directory(*target)?;
            }
            Action::SetSamplingRule { key, rate_bps } => {
                key.check_rule(*rate_bps)?;
                self.directory(ContractKind::Sampling)?;
            }
            Action::RemoveSamplingRule { .. } => {
                self.directory(ContractKind::Sampling)?;
            }
            Action::SetSamplingPolicy { default_rate_bps, passes_to_clear } => {
                SamplingPolicy { default_rate_bps: *default_rate_bps, passes_to_clear: *passes_to_clear }.check()?;
                self.directory(ContractKind::Sampling)?;
            }
            Action::RevokeAttestation { .. } => {
                self.directory(ContractKind::Attestation)?;
            }
            Action::SetDisplayName { account, name } => {
                check_display_name(name)?;
                if !self.members.contains_key(account) && !self.merchants.contains_key(account) {
                    return Err(Error::NotMember);
                }
            }
            Action::AddMerchant { account, country, gs1_prefixes, brands, .. } => {
                if self.members.contains_key(account) || self.merchants.contains_key(account) {
                    return Err(Error::AlreadyMember);
                }
                if !country.is_valid() {
                    return Err(Error::Invalid(Field::Country));
                }
                if gs1_prefixes.len() != 1 {
                    return Err(Error::Invalid(Field::Gs1Prefix));
                }
                if brands.is_empty() || brands.iter().any(|b| check_brand(b).is_err()) {
                    return Err(Error::Invalid(Field::Brand));
                }
                let p = &gs1_prefixes[0];
                // the latest granted prefix that `p` leads to, else the one granted prefix that
                // leads to `p` (two could not both be granted: they would overlap)
                let covering = self.granted.iter().rev().find(|(g, _)| g.starts_with(p));
                let covered = self.granted.iter().find(|(g, _)| p.starts_with(g));
                if let Some((owned, owner)) = covering.or(covered) {
                    return Err(Error::PrefixTaken { prefix: p.clone(), owner: *owner, owned: owned.clone() });
                }
            }
            Action::SetMerchantTier { account, .. } => {
                self.merchants.get(account).ok_or(Error::NotMember)?;
            }
            Action::SetMerchantBrands { account, brands } => {
                if brands.is_empty() || brands.iter().any(|b| check_brand(b).is_err()) {
                    return Err(Error::Invalid(Field::Brand));
                }
                self.merchants.get(account).ok_or(Error::NotMember)?;
            }
            Action::ConfirmSuspension { account } => {
                let m = self.merchant_now(account).ok_or(Error::NotMember)?;
                let unconfirmed = self.standing.get(account).and_then(|s| s.suspension.clone()).is_some_and(|s| !s.confirmed);
                if m.status != MerchantStatus::Suspended || !unconfirmed {
                    return Err(Error::SuspensionLapsed);
                }
            }
            Action::ReinstateMerchant { account } => {
                if self.merchant_now(account).ok_or(Error::NotMember)?.status != MerchantStatus::Suspended {
                    return Err(Error::MerchantNotActive);
                }
            }
            Action::RevokeMerchant { account, .. } => {
                if self.merchants.get(account).ok_or(Error::NotMember)?.status == MerchantStatus::Revoked {
                    return Err(Error::MerchantNotActive);
                }
            }
            Action::RecallLot { .. } => {
                self.directory(ContractKind::Registry)?;
            }
            Action::ResolveDispute { .. } => {
                self.directory(ContractKind::Attestation)?;
            }
            Action::ReleaseHold { .. } => {
                self.directory(ContractKind::Registry)?;
            }
        }
        Ok(())
    }

    fn count_approvals(&self, p: &MProposal) -> u32 {
        p.approvals.iter().filter(|a| self.governors.contains(a)).count() as u32
    }

    fn open(&self, id: ProposalId) -> Result<MProposal> {
        let p = id
            .checked_sub(1)
            .and_then(|i| self.proposals.get(i as usize))
            .cloned()
            .ok_or(Error::ProposalNotFound)?;
        if p.executed {
            return Err(Error::ProposalAlreadyExecuted);
        }
        if self.block > p.expires_at {
            return Err(Error::ProposalExpired);
        }
        Ok(p)
    }

    fn apply(&mut self, action: Action) {
        match action {
            Action::AddMember { account, role, name_hash, scope } => {
                self.members.insert(account, Member { role, name_hash, scope, since: self.block });
                if role == Role::Governor {
                    self.governors.push(account);
                }
            }
            Action::RemoveMember { account } => {
                self.members.remove(&account);
                self.governors.retain(|g| *g != account);
            }
            Action::SetAgencyScope { account, scope } => {
                self.members.get_mut(&account).expect("validated").scope = Some(scope);
            }
            Action::SetThreshold { threshold } => self.threshold = threshold,
            Action::SetCodeHash { target, .. } => {
                let to = self.directory(target).expect("validated");
                self.governance_calls.push((to, "set_code"));
            }
            Action::SetSamplingRule { .. } => self.governance_calls.push((account(SAMPLING), "set_rule")),
            Action::RemoveSamplingRule { .. } => self.governance_calls.push((account(SAMPLING), "remove_rule")),
            Action::SetSamplingPolicy { .. } => self.governance_calls.push((account(SAMPLING), "set_policy")),
            Action::RevokeAttestation { .. } => {
                self.governance_calls.push((account(ATTESTATION), "revoke_attestation"))
            }
            Action::SetDisplayName { account, name } => {
                if name.is_empty() {
                    self.display_names.remove(&account);
                } else {
                    self.display_names.insert(account, name);
                }
            }
            Action::AddMerchant { account, name_hash, gs1_prefixes, brands, tier, .. } => {
                let p = gs1_prefixes[0].clone();
                self.granted.push((p.clone(), account));
                let mut m = merchant_record(account, tier, self.block, p);
                m.name_hash = name_hash;
                self.merchants.insert(account, m);
                self.standing.insert(account, MerchantStanding { brands, suspension: None, revoked_at: None });
            }
            Action::SetMerchantTier { account, tier } => self.merchants.get_mut(&account).expect("validated").tier = tier,
            Action::SetMerchantBrands { account, brands } => self.standing.entry(account).or_default().brands = brands,
            Action::ConfirmSuspension { account } => {
                stats::add(&stats::CONFIRMED);
                let s = self.standing.get_mut(&account).and_then(|s| s.suspension.as_mut()).expect("validated");
                s.confirmed = true;
            }
            Action::ReinstateMerchant { account } => {
                self.merchants.get_mut(&account).expect("validated").status = MerchantStatus::Active;
                self.standing.entry(account).or_default().suspension = None;
            }
            Action::RevokeMerchant { account, .. } => {
                stats::add(&stats::REVOKED);
                self.merchants.get_mut(&account).expect("validated").status = MerchantStatus::Revoked;
                let s = self.standing.entry(account).or_default();
                s.suspension = None;
                s.revoked_at = Some(self.block);
            }
            Action::RecallLot { .. } => self.governance_calls.push((account(REGISTRY), "recall_lot")),
            Action::ResolveDispute { .. } => self.governance_calls.push((account(ATTESTATION), "resolve_dispute")),
            Action::ReleaseHold { .. } => self.governance_calls.push((account(REGISTRY), "release_lot")),
        }
    }

    /// The model's answer to `op` from `caller`, applied to the model when `Ok`.
    fn step(&mut self, op: &Op, caller: AccountId) -> Result<u64> {
        match op {
            Op::Propose { action, .. } => {
                self.ensure_governor(caller)?;
                self.validate(action)?;
                self.proposals.push(MProposal {
                    action: action.clone(),
                    proposer: caller,
                    approvals: vec![caller],
                    expires_at: self.block + self.ttl,
                    executed: false,
                });
                Ok(self.proposals.len() as u64)
            }
            Op::Approve { pick, .. } => {
                self.ensure_governor(caller)?;
                let id = self.resolve(*pick);
                let mut p = self.open(id)?;
                if p.approvals.contains(&caller) {
                    return Err(Error::AlreadyApproved);
                }
                p.approvals.push(caller);
                let n = self.count_approvals(&p);
                self.proposals[id as usize - 1] = p;
                Ok(n as u64)
            }
            Op::Execute { pick, .. } => {
                self.ensure_governor(caller)?;
                let id = self.resolve(*pick);
                let p = self.open(id)?;
                let (have, need) = (self.count_approvals(&p), self.threshold as u32);
                if have < need {
                    return Err(Error::NotEnoughApprovals { have, need });
                }
                self.validate(&p.action)?;
                self.proposals[id as usize - 1].executed = true;
                self.apply(p.action);
                Ok(0)
            }
            Op::Suspend { who, .. } => {
                self.ensure_governor(caller)?;
                let who = account(*who);
                if self.merchant_now(&who).ok_or(Error::NotMember)?.status != MerchantStatus::Active {
                    return Err(Error::MerchantNotActive);
                }
                if let Some(last) = self.standing.get(&who).and_then(|s| s.suspension.clone()) {
                    if !last.confirmed && self.now < last.cooldown_until() {
                        return Err(Error::SuspensionCooldown { until: last.cooldown_until() });
                    }
                }
                self.standing.entry(who).or_default().suspension =
                    Some(Suspension { by: caller, at: self.now, reason_hash: [9; 32], confirmed: false });
                self.merchants.get_mut(&who).expect("exists").status = MerchantStatus::Suspended;
                Ok(0)
            }
            Op::Clock { ms } => {
                self.now += ms;
                Ok(0)
            }
            Op::Wire { .. } => {
                if self.wiring_admin != Some(caller) {
                    return Err(Error::WiringClosed);
                }
                self.wiring_admin = None;
                Ok(0)
            }
            Op::Advance { blocks } => {
                self.block += blocks;
                self.now += 6 * u64::from(*blocks);
                Ok(0)
            }
        }
    }

    /// A proposal ID from a pick: recent proposals mostly, sometimes one that does not exist.
    fn resolve(&self, pick: u8) -> ProposalId {
        let n = self.proposals.len() as u64;
        if pick >= 5 {
            n + 1
        } else {
            n.saturating_sub(pick as u64)
        }
    }

    /// The caller a step's `caller` byte names: mostly a current governor.
    fn caller(&self, c: u8) -> AccountId {
        if c < 190 && !self.governors.is_empty() {
            self.governors[c as usize % self.governors.len()]
        } else {
            let n = c % 11;
            account(if n == 0 { STRANGER } else { n })
        }
    }
}

fn bytes(a: AccountId) -> Hash32 {
    *<AccountId as AsRef<[u8; 32]>>::as_ref(&a)
}

/// A name of [`NAMES`], or (past its end) one byte over `MAX_DISPLAY_NAME_LEN`.
fn name(pick: usize) -> Vec<u8> {
    NAMES.get(pick).map(|n| n.to_vec()).unwrap_or_else(|| vec![b'a'; MAX_DISPLAY_NAME_LEN + 1])
}

fn pool_prefix(pick: u8) -> Vec<u8> {
    PREFIXES[pick as usize % PREFIXES.len()].to_vec()
}

fn merchant_record(who: AccountId, tier: MerchantTier, since: BlockNumber, prefix: Vec<u8>) -> Merchant {
    Merchant {
        name_hash: bytes(who),
        country: CountryCode(*b"NZ"),
        gs1_prefixes: vec![prefix],
        tier,
        status: MerchantStatus::Active,
        since,
    }
}

// ---- the operations ---------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Propose { caller: u8, action: Action },
    Approve { caller: u8, pick: u8 },
    Execute { caller: u8, pick: u8 },
    Suspend { caller: u8, who: u8 },
    Wire { caller: u8 },
    Advance { blocks: u32 },
    /// Chain time jumps by `ms` (a day or so: suspensions lapse and cool-downs end).
    Clock { ms: u64 },
}

impl Op {
    fn caller(&self) -> Option<u8> {
        match self {
            Op::Propose { caller, .. }
            | Op::Approve { caller, .. }
            | Op::Execute { caller, .. }
            | Op::Suspend { caller, .. }
            | Op::Wire { caller } => Some(*caller),
            Op::Advance { .. } | Op::Clock { .. } => None,
        }
    }
}

fn target() -> impl Strategy<Value = u8> {
    prop_oneof![10 => 1u8..=10, 1 => Just(STRANGER)]
}

/// An account for a merchant action: mostly the two onboarded first (6, 7).
fn merchant_target() -> impl Strategy<Value = u8> {
    prop_oneof![6 => 6u8..=7, 1 => target()]
}

fn tier() -> impl Strategy<Value = MerchantTier> {
    prop_oneof![Just(MerchantTier::Standard), Just(MerchantTier::Trusted), Just(MerchantTier::Watched)]
}

fn scope(kind: u8) -> Option<AgencyScope> {
    match kind {
        0 => None,
        1 => Some(AgencyScope { categories: vec![], valid_until: 5 }),
        _ => Some(AgencyScope { categories: vec![1001, kind as u32], valid_until: 1_000_000 }),
    }
}

fn action() -> impl Strategy<Value = Action> {
    let roles = [Role::Governor, Role::Agency, Role::Customs, Role::Logistics, Role::Merchant, Role::Governor];
    // mostly well-formed admissions of new accounts (6..=10), sometimes anything
    let valid_add = (6u8..=10, 0usize..4).prop_map(move |(w, r)| Action::AddMember {
        account: account(w),
        role: roles[r],
        name_hash: [w; 32],
        scope: scope(if roles[r] == Role::Agency { 2 } else { 0 }),
    });
    let any_add = (target(), 0usize..6, 0u8..4).prop_map(move |(w, r, s)| Action::AddMember {
        account: account(w),
        role: roles[r],
        name_hash: [w; 32],
        scope: scope(s),
    });
    prop_oneof![
        5 => valid_add,
        2 => any_add,
        // removals: mostly governors (accounts 1..=5 start as governors)
        4 => prop_oneof![3 => 1u8..=5, 1 => target()].prop_map(|w| Action::RemoveMember { account: account(w) }),
        1 => (target(), 1u8..4).prop_map(|(w, s)| Action::SetAgencyScope {
            account: account(w),
            scope: scope(s).expect("some"),
        }),
        3 => prop_oneof![4 => 1u8..4, 1 => 0u8..7].prop_map(|threshold| Action::SetThreshold { threshold }),
        1 => (0usize..4).prop_map(|k| Action::SetCodeHash {
            // the off-chain engine cannot replace the whitelist's own code: other targets only
            target: [ContractKind::Registry, ContractKind::Sampling, ContractKind::Attestation, ContractKind::Registry][k],
            code_hash: Hash::from([k as u8; 32]),
        }),
        1 => (prop_oneof![0u16..=10_000, 10_001u16..=u16::MAX]).prop_map(|rate_bps| Action::SetSamplingRule {
            key: RuleKey { category: Some(1001), origin: None, tier: None },
            rate_bps,
        }),
        1 => Just(Action::RemoveSamplingRule { key: RuleKey { category: None, origin: None, tier: None } }),
        1 => (0u16..=10_001, 0u32..3).prop_map(|(default_rate_bps, passes_to_clear)| Action::SetSamplingPolicy {
            default_rate_bps,
            passes_to_clear,
        }),
        1 => (1u64..4).prop_map(|id| Action::RevokeAttestation { id, reason_hash: [1; 32] }),
        // names: mostly of governors (accounts 1..=5) and valid, sometimes anything
        3 => (prop_oneof![3 => 1u8..=5, 2 => target()], prop_oneof![4 => 0usize..4, 1 => 0usize..=NAMES.len()])
            .prop_map(|(w, n)| Action::SetDisplayName { account: account(w), name: name(n) }),
        // merchants: onboarding (mostly well-formed), tier, brands, the suspension's fate, revocation
        4 => (target(), any::<bool>(), prop::bool::weighted(0.9), any::<u8>(), prop_oneof![5 => 0usize..3, 1 => 0usize..BRANDS.len()], tier())
            .prop_map(|(who, c_ok, p_ok, prefix, brand, tier)| Action::AddMerchant {
                account: account(who),
                name_hash: [who; 32],
                country: CountryCode(if c_ok || who % 2 == 0 { *b"NZ" } else { *b"XX" }),
                gs1_prefixes: if p_ok { vec![pool_prefix(prefix)] } else { vec![] },
                brands: vec![BRANDS[brand].to_vec()],
                tier,
            }),
        1 => (merchant_target(), tier()).prop_map(|(w, tier)| Action::SetMerchantTier { account: account(w), tier }),
        1 => (merchant_target(), 0usize..BRANDS.len()).prop_map(|(w, b)| Action::SetMerchantBrands { account: account(w), brands: vec![BRANDS[b].to_vec()] }),
        3 => merchant_target().prop_map(|w| Action::ConfirmSuspension { account: account(w) }),
        2 => merchant_target().prop_map(|w| Action::ReinstateMerchant { account: account(w) }),
        1 => merchant_target().prop_map(|w| Action::RevokeMerchant { account: account(w), reason_hash: [8; 32] }),
        1 => Just(Action::RecallLot { lot: [4; 32], reason_hash: [8; 32] }),
        1 => any::<bool>().prop_map(|release| Action::ResolveDispute { lot: [4; 32], release }),
        1 => Just(Action::ReleaseHold { lot: [4; 32] }),
    ]
}

/// Which proposal an approval or execution names: the latest mostly (see `Model::resolve`).
fn pick() -> impl Strategy<Value = u8> {
    prop_oneof![6 => Just(0u8), 3 => Just(1u8), 2 => 2u8..5, 1 => Just(5u8)]
}

fn op() -> impl Strategy<Value = Op> {
    let c = any::<u8>();
    prop_oneof![
        4 => (c, action()).prop_map(|(caller, action)| Op::Propose { caller, action }),
        7 => (c, pick()).prop_map(|(caller, pick)| Op::Approve { caller, pick }),
        5 => (c, pick()).prop_map(|(caller, pick)| Op::Execute { caller, pick }),
        3 => (c, merchant_target()).prop_map(|(caller, who)| Op::Suspend { caller, who }),
        1 => c.prop_map(|caller| Op::Wire { caller }),
        2 => (1u32..5).prop_map(|blocks| Op::Advance { blocks }),
        // 0 to 4 days: within the confirmation window, past it, past the cool-down in time
        2 => (0u64..=4 * 86_400_000).prop_map(|ms| Op::Clock { ms }),
    ]
}

/// The starting consortium: N governors (accounts 1..=N), M, the proposal lifetime.
fn genesis() -> impl Strategy<Value = (u8, u8, u32)> {
    (2u8..=5).prop_flat_map(|n| (Just(n), 1u8..=n, MIN_PROPOSAL_TTL..8))
}

// ---- checking ---------------------------------------------------------------------------------

fn universe() -> Vec<AccountId> {
    (1..=10).chain([STRANGER]).map(account).collect()
}

/// Everything observable about the whitelist, for before/after comparisons.
#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    governors: Vec<AccountId>,
    threshold: u8,
    counts: (u32, u32),
    proposal_count: u64,
    proposals: Vec<Option<Proposal>>,
    accounts: Vec<(Option<Role>, Option<Member>, Option<Merchant>)>,
    standing: Vec<Option<MerchantStanding>>,
    directory: Vec<Option<AccountId>>,
    governance_calls: usize,
    names: Vec<Option<Vec<u8>>>,
}

fn snapshot(w: &Whitelist) -> Snapshot {
    let n = w.proposal_count();
    Snapshot {
        governors: w.governors(),
        threshold: w.threshold(),
        counts: w.counts(),
        proposal_count: n,
        proposals: (1..=n + 1).map(|id| w.proposal(id)).collect(),
        accounts: universe().into_iter().map(|a| (w.role_of(a), w.member(a), w.merchant(a))).collect(),
        standing: universe().into_iter().map(|a| w.merchant_standing(a).map(|(_, s)| s)).collect(),
        directory: [ContractKind::Registry, ContractKind::Sampling, ContractKind::Attestation]
            .into_iter()
            .map(|k| w.contract_of(k))
            .collect(),
        governance_calls: fakes::with(|f| f.governance_calls.len()),
        names: universe().into_iter().map(|a| w.display_name(a)).collect(),
    }
}

/// The contract's state equals the model's, and its lists and counts agree with its records.
fn check_state(w: &Whitelist, m: &Model, s: &Snapshot) {
    assert_eq!(s.governors, m.governors, "governors");
    assert_eq!(s.threshold, m.threshold, "threshold");
    assert_eq!(s.proposal_count, m.proposals.len() as u64, "proposal count");
    for (i, p) in m.proposals.iter().enumerate() {
        let got = s.proposals[i].as_ref().expect("proposal stored");
        assert_eq!(
            (&got.action, got.proposer, &got.approvals, got.expires_at, got.executed),
            (&p.action, p.proposer, &p.approvals, p.expires_at, p.executed),
            "proposal {}",
            i + 1
        );
        let mut distinct = got.approvals.clone();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), got.approvals.len(), "approvals are distinct");
    }
    assert_eq!(s.proposals.last().cloned().flatten(), None, "no proposal past the count");
    for (a, (role, member, merchant)) in universe().into_iter().zip(&s.accounts) {
        assert_eq!(member.as_ref(), m.members.get(&a), "member record of {a:?}");
        assert_eq!(merchant.clone(), m.merchant_now(&a), "merchant record of {a:?}");
        assert!(member.is_none() || merchant.is_none(), "{a:?} is both member and merchant");
        let expected = if merchant.is_some() { Some(Role::Merchant) } else { member.as_ref().map(|r| r.role) };
        assert_eq!(*role, expected, "role_of {a:?}");
    }
    // lists and counts against the records
    let mut g = s.governors.clone();
    g.sort();
    g.dedup();
    assert_eq!(g.len(), s.governors.len(), "governor list has duplicates");
    for gov in &s.governors {
        assert_eq!(w.role_of(*gov), Some(Role::Governor), "listed governor {gov:?}");
    }
    let governors_by_role = s.accounts.iter().filter(|(r, ..)| *r == Some(Role::Governor)).count();
    assert_eq!(governors_by_role, s.governors.len(), "every governor record is listed");
    let members = s.accounts.iter().filter(|(_, mm, _)| mm.is_some()).count() as u32;
    let merchants = s.accounts.iter().filter(|(_, _, mm)| mm.is_some()).count() as u32;
    assert_eq!(s.counts, (members, merchants), "counts vs records");
    let n = s.governors.len();
    assert!(1 <= s.threshold && s.threshold as usize <= n && n <= MAX_GOVERNORS as usize, "1 <= M <= N <= max");
    // one owner per GTIN: no two merchants' prefixes overlap
    let held: Vec<(&[u8], usize)> =
        s.accounts.iter().enumerate().flat_map(|(i, (_, _, mm))| mm.iter().flat_map(move |x| x.gs1_prefixes.iter().map(move |p| (p.as_slice(), i)))).collect();
    for (k, (p, i)) in held.iter().enumerate() {
        for (q, j) in &held[..k] {
            assert!(i == j || !prefixes_overlap(p, q), "merchants {i} and {j} hold overlapping prefixes");
        }
    }
    let wired = m.wired();
    assert_eq!(s.directory, vec![wired.then(|| account(REGISTRY)), wired.then(|| account(SAMPLING)), wired.then(|| account(ATTESTATION))]);
    assert_eq!(fakes::with(|f| f.governance_calls.clone()), m.governance_calls, "governance calls");
    let standing: Vec<Option<MerchantStanding>> =
        universe().iter().map(|a| m.merchants.contains_key(a).then(|| m.standing.get(a).cloned().unwrap_or_default())).collect();
    assert_eq!(s.standing, standing, "brands, suspensions, revocations");
    for (i, (_, _, mm)) in s.accounts.iter().enumerate() {
        if let Some(mm) = mm {
            let revoked = s.standing[i].as_ref().and_then(|x| x.revoked_at).is_some();
            assert_eq!(mm.status == MerchantStatus::Revoked, revoked, "revoked iff its block is recorded");
        }
    }
    let names: Vec<Option<Vec<u8>>> = universe().iter().map(|a| m.display_names.get(a).cloned()).collect();
    assert_eq!(s.names, names, "display names");
    assert_eq!(w.display_names(universe()), Ok(names), "display names in one read");
    assert!(s.names.iter().all(|n| n.as_ref().is_none_or(|n| !n.is_empty())), "no empty name is stored");
}

fn members_of(s: &Snapshot) -> Vec<(Option<Role>, bool)> {
    s.accounts.iter().map(|(r, mm, _)| (mm.as_ref().map(|x| x.role), r.is_some())).collect()
}

/// A change of members, governors or M needs a successful `execute` of a proposal with M
/// distinct approvals from the governors of before the step.
fn check_governed(before: &Snapshot, after: &Snapshot, op: &Op, caller: AccountId, result: &Result<u64>) {
    let members_changed = members_of(before)
        .iter()
        .zip(members_of(after).iter())
        .any(|(b, a)| b.0 != a.0);
    let changed = members_changed
        || before.governors != after.governors
        || before.threshold != after.threshold
        || before.names != after.names;
    // merchants: everything but a one-governor suspension (and its lapse with time) is a vote
    let mut merchants_changed = false;
    for i in 0..before.accounts.len() {
        let (b, a) = (&before.accounts[i].2, &after.accounts[i].2);
        let without_status = |m: &Option<Merchant>| m.clone().map(|m| Merchant { status: MerchantStatus::Active, ..m });
        let (bs, as_) = (&before.standing[i], &after.standing[i]);
        let brands_or_revocation = bs.as_ref().map(|s| (&s.brands, s.revoked_at)) != as_.as_ref().map(|s| (&s.brands, s.revoked_at));
        let status = (b.as_ref().map(|m| m.status), a.as_ref().map(|m| m.status));
        let braked = matches!(op, Op::Suspend { .. })
            && status == (Some(MerchantStatus::Active), Some(MerchantStatus::Suspended))
            && before.governors.contains(&caller);
        let lapsed = matches!(op, Op::Clock { .. } | Op::Advance { .. })
            && status == (Some(MerchantStatus::Suspended), Some(MerchantStatus::Active))
            && bs.as_ref().and_then(|s| s.suspension.as_ref()).is_some_and(|s| !s.confirmed);
        if without_status(b) != without_status(a) || brands_or_revocation || (status.0 != status.1 && !braked && !lapsed) {
            merchants_changed = true;
        }
        if braked {
            stats::add(&stats::SUSPENDED);
        }
        if lapsed {
            stats::add(&stats::SUSPENSION_LAPSED);
        }
    }
    if !changed && !merchants_changed {
        return;
    }
    let Op::Execute { .. } = op else { panic!("members, governors, M or merchants changed by {op:?}") };
    assert!(result.is_ok(), "changed by a failed execute");
    // the executed proposal: the one whose `executed` flipped
    let id = (0..before.proposals.len())
        .find(|&i| {
            before.proposals[i].as_ref().is_some_and(|p| !p.executed)
                && after.proposals[i].as_ref().is_some_and(|p| p.executed)
        })
        .expect("a proposal was executed");
    let p = after.proposals[id].as_ref().expect("exists");
    let valid: Vec<&AccountId> = p.approvals.iter().filter(|a| before.governors.contains(a)).collect();
    let mut distinct = valid.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), valid.len(), "approvals are distinct");
    assert!(
        distinct.len() >= before.threshold as usize,
        "executed with {} approvals of current governors, M = {}",
        distinct.len(),
        before.threshold
    );
    assert!(before.governors.contains(&caller), "executed by a non-governor");
    if let Action::RemoveMember { account } = &p.action {
        if before.governors.contains(account) {
            stats::add(&stats::GOVERNORS_REMOVED);
        }
    }
    if let Action::SetDisplayName { account, name } = &p.action {
        stats::add(&stats::NAMED);
        let i = universe().iter().position(|a| a == account).expect("in universe");
        assert!(before.accounts[i].1.is_some() || before.accounts[i].2.is_some(), "named an account that is neither member nor merchant");
        assert_eq!(after.names[i].clone().unwrap_or_default(), *name);
    }
    if let Action::AddMember { account, role, .. } = &p.action {
        stats::add(&stats::ADMITTED);
        let i = universe().iter().position(|a| a == account).expect("in universe");
        assert_eq!(after.accounts[i].1.as_ref().map(|x| x.role), Some(*role));
    }
}

/// Runs one sequence; returns the number of steps.
fn run_sequence(genesis: (u8, u8, u32), ops: &[Op]) -> usize {
    let (n, m, ttl) = genesis;
    let governors: Vec<AccountId> = (1..=n).map(account).collect();
    set_caller(account(1));
    let mut w = Whitelist::new(governors.clone(), m, ttl).expect("valid genesis");
    let mut model = Model {
        governors: governors.clone(),
        threshold: m,
        ttl,
        members: governors
            .iter()
            .map(|g| (*g, Member { role: Role::Governor, name_hash: [0; 32], scope: None, since: 0 }))
            .collect(),
        merchants: BTreeMap::new(),
        granted: Vec::new(),
        proposals: Vec::new(),
        wiring_admin: Some(account(1)),
        block: 0,
        governance_calls: Vec::new(),
        display_names: BTreeMap::new(),
        standing: BTreeMap::new(),
        now: 0,
    };
    test::set_block_timestamp::<DefaultEnvironment>(0);
    let mut last = snapshot(&w);
    check_state(&w, &model, &last);
    // two merchants onboarded by every governor first, so brakes, lapses, confirmations and
    // revocations meet merchants often; then the random steps
    let mut setup = Vec::new();
    for (who, prefix) in [(6u8, 0u8), (7, 4)] {
        let action = Action::AddMerchant {
            account: account(who),
            name_hash: [who; 32],
            country: CountryCode(*b"NZ"),
            gs1_prefixes: vec![pool_prefix(prefix)],
            brands: vec![BRANDS[0].to_vec()],
            tier: MerchantTier::Standard,
        };
        setup.push(Op::Propose { caller: 0, action });
        setup.extend((1..n).map(|g| Op::Approve { caller: g, pick: 0 }));
        setup.push(Op::Execute { caller: 0, pick: 0 });
    }
    for (i, op) in setup.iter().chain(ops).enumerate() {
        let caller = op.caller().map(|c| model.caller(c)).unwrap_or(account(STRANGER));
        let events_before = events();
        let expected = model.step(op, caller);
        set_caller(caller);
        let got: Result<u64> = match op {
            Op::Propose { action, .. } => w.propose(action.clone()),
            Op::Approve { pick, .. } => w.approve(resolve_in(&last, *pick)).map(u64::from),
            Op::Execute { pick, .. } => w.execute(resolve_in(&last, *pick)).map(|_| 0),
            Op::Suspend { who, .. } => w.suspend_merchant(account(*who), [9; 32]).map(|_| 0),
            Op::Clock { ms } => {
                test::set_block_timestamp::<DefaultEnvironment>(model.now);
                let _ = ms;
                Ok(0)
            }
            Op::Wire { .. } => w.wire(account(REGISTRY), account(SAMPLING), account(ATTESTATION)).map(|_| 0),
            Op::Advance { blocks } => {
                for _ in 0..*blocks {
                    test::advance_block::<DefaultEnvironment>();
                }
                Ok(0)
            }
        };
        assert_eq!(got, expected, "step {i}: {op:?} by {caller:?}");
        match (&got, op) {
            (Ok(_), Op::Execute { .. }) => stats::add(&stats::EXECUTED),
            (Err(Error::ProposalExpired), _) => stats::add(&stats::EXPIRED),
            (Err(Error::NotEnoughApprovals { .. }), _) => stats::add(&stats::SHORT),
            (Err(Error::Unauthorized { .. }), _) => stats::add(&stats::UNAUTHORIZED),
            (Err(Error::SuspensionCooldown { .. }), _) => stats::add(&stats::COOLDOWN),
            (Err(Error::Invalid(Field::Brand)), _) => stats::add(&stats::BAD_BRAND),
            (Err(Error::PrefixTaken { .. }), _) => stats::add(&stats::PREFIX_TAKEN),
            (Err(Error::Invalid(Field::DisplayName)), _) => stats::add(&stats::BAD_NAME),
            _ => {}
        }
        if got.is_ok() && now_has_more_merchants(&w, &last) {
            stats::add(&stats::ONBOARDED);
        }
        if let Op::Approve { pick, .. } | Op::Execute { pick, .. } = op {
            let lapsed = resolve_in(&last, *pick)
                .checked_sub(1)
                .and_then(|i| last.proposals.get(i as usize).cloned().flatten())
                .is_some_and(|p| p.approvals.iter().any(|a| !last.governors.contains(a)));
            if lapsed {
                stats::add(&stats::LAPSED);
            }
        }
        let now = snapshot(&w);
        // only entitled roles change anything; a failed message changes nothing
        let governor_only = !matches!(op, Op::Wire { .. } | Op::Advance { .. } | Op::Clock { .. });
        if governor_only && !last.governors.contains(&caller) {
            assert_eq!(got, Err(Error::Unauthorized { account: caller, role: Role::Governor }), "step {i}");
        }
        if got.is_err() {
            assert_eq!(now, last, "step {i}: failed {op:?} changed state");
            assert_eq!(events(), events_before, "step {i}: failed {op:?} emitted an event");
        }
        check_governed(&last, &now, op, caller, &got);
        check_state(&w, &model, &now);
        last = now;
    }
    setup.len() + ops.len()
}

fn now_has_more_merchants(w: &Whitelist, last: &Snapshot) -> bool {
    w.counts().1 > last.counts.1
}

/// The same pick-to-ID rule as the model, on the contract's own count.
fn resolve_in(s: &Snapshot, pick: u8) -> ProposalId {
    let n = s.proposal_count;
    if pick >= 5 {
        n + 1
    } else {
        n.saturating_sub(pick as u64)
    }
}

#[test]
fn random_governance_sequences_keep_invariants() {
    let strategy = (genesis(), prop::collection::vec(op(), 1..=MAX_STEPS));
    run_property("whitelist", strategy, |(g, ops)| run_sequence(*g, ops), stats::line);
}
