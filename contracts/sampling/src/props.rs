//! Property tests of sampling: random sequences of messages from random callers in ink!'s
//! off-chain environment (the whitelist answered by `tracepass_shared::fakes`), against a
//! plain-Rust model of rules, risk and the commit-reveal epochs.
//!
//! Each sequence starts from a fresh contract with random epoch length (2..=4 s of chain time, to
//! the millisecond), reveal window (1..=8 s), default rate and passes-to-clear. Messages: commitments (good and bad)
//! to the current and coming epochs, reveals (right and wrong secrets, early, in time, late),
//! finalisations, lots recorded by the registry with random attributes, inspection results from
//! the attestation contract, rule and policy changes from the whitelist, `set_code`, each also
//! from callers that may not send it, and time passing: blocks sealed with their chain time, and
//! bursts of blocks sealed with none (remark stuffing), which the model ignores. After **every** step these invariants
//! are checked:
//!
//! 1. **Model agreement**: the result is exactly the model's (same value or same `Error`); the
//!    policy, the rules, every merchant's risk, every lot's recorded sample and every epoch's
//!    committers, reveals, skipped members, phase and seed equal the model's.
//! 2. **Selections are recomputable from the public seed**: for every lot, `selection(lot)` is
//!    `Unknown` iff no sample was recorded; at rate 0 `NotSelected` and at 100 % `Selected` at
//!    once (no draw decides them); otherwise `SeedPending` until its epoch is final, and once it is
//!    final `Selected` iff the epoch has no seed (no reveal) or
//!    `sampling_draw(epoch_seed(epoch, revealed secrets in commit order), lot) < rate`, where the
//!    secrets are the ones revealed publicly and the rate is the one recorded, which is the
//!    model's most specific matching rule (or default) at recording time, with the merchant's
//!    tier read as Watched while its risk is raised. No epoch has a seed before it has closed.
//! 3. **Only entitled callers change anything**: `commit` from a non-governor, non-agency gets
//!    `Unauthorized`; `record_lot` from anyone but the registry, `record_inspection` from anyone
//!    but the attestation contract, rules, policy and `set_code` from anyone but the whitelist get
//!    `NotContract`. Any failed message leaves the state snapshot and the events unchanged.
//! 4. **Lists agree with the records**: `rules()` lists each rule once, at most
//!    `MAX_SAMPLING_RULES`, and each listed rule is the one `rate_for` finds for its own key's
//!    attributes when no more specific rule exists; a lot is recorded once.
//!
//! Cases per run: `TRACEPASS_PROPTEST_CASES` (default [`tracepass_shared::proptests::DEFAULT_CASES`]);
//! the run prints its seed, and `PROPTEST_RNG_SEED=<seed>` with the same cases replays it.

use crate::sampling::*;
use ink::env::{test, DefaultEnvironment};
use ink::primitives::{AccountId, Hash};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use tracepass_shared::bounds::*;
use tracepass_shared::fakes::cast::*;
use tracepass_shared::fakes::{account, events, set_caller};
use tracepass_shared::proptests::run_property;
use tracepass_shared::traits::{SamplingApi, Upgradeable};
use tracepass_shared::*;

/// Longest sequence.
const MAX_STEPS: usize = 30;

const CALLERS: [u8; 10] = [GOVERNOR, AGENCY, OTHER_AGENCY, CUSTOMS, MERCHANT, OTHER_MERCHANT, STRANGER, WHITELIST, REGISTRY, ATTESTATION];
/// Lots named by the sequences.
const LOTS: u8 = 12;
const CATEGORIES: [Category; 2] = [1001, 2002];
const ORIGINS: [CountryCode; 2] = [CountryCode(*b"NZ"), CountryCode(*b"CN")];
const TIERS: [MerchantTier; 3] = [MerchantTier::Standard, MerchantTier::Trusted, MerchantTier::Watched];

// What the sequences exercised, printed with the totals.
tracepass_shared::property_stats!(
    "{} selections recomputed as Selected and {} as NotSelected, {} epochs finalised with a seed and {} \
     without, {} reveals, {} lots recorded as Watched for raised risk, {} refusals",
    SELECTED, NOT_SELECTED, SEEDED, UNSEEDED, REVEALS, WATCHED, REFUSED
);

fn lot(n: u8) -> LotId {
    blake2_256(&[b'L', n])
}

fn block() -> BlockNumber {
    ink::env::block_number::<DefaultEnvironment>()
}

fn chain_time() -> u64 {
    ink::env::block_timestamp::<DefaultEnvironment>()
}

// ---- operations -------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    /// Commit to epoch `current + ahead`; `bad`: the hash binds another member.
    Commit { caller: u8, ahead: u32, secret: u8, bad: bool },
    /// Reveal for the epoch `which` names (see `Model::target`) by the member `who` names
    /// (mostly one that committed to it); `right`: the committed secret, else another.
    Reveal { who: u8, which: u8, right: bool },
    /// Finalise the epoch `which` names.
    Finalize { caller: u8, which: u8 },
    RecordLot { caller: u8, lot: u8, merchant: u8, category: usize, origin: usize, tier: usize },
    RecordInspection { caller: u8, merchant: u8, pass: bool },
    SetRule { caller: u8, key: RuleKey, rate: u16 },
    RemoveRule { caller: u8, key: RuleKey },
    SetPolicy { caller: u8, rate: u16, passes: u32 },
    SetCode { caller: u8 },
    /// `blocks` blocks are sealed while chain time moves on by `ms` (0: block stuffing).
    Advance { ms: u64, blocks: u32 },
}

fn caller(usual: &'static [u8]) -> impl Strategy<Value = u8> {
    prop_oneof![5 => prop::sample::select(usual), 1 => prop::sample::select(CALLERS.to_vec())]
}

fn rule_key() -> impl Strategy<Value = RuleKey> {
    (
        prop::option::of(prop::sample::select(CATEGORIES.to_vec())),
        prop::option::of(prop_oneof![8 => prop::sample::select(ORIGINS.to_vec()), 1 => Just(CountryCode(*b"QQ"))]),
        prop::option::of(prop::sample::select(TIERS.to_vec())),
    )
        .prop_map(|(category, origin, tier)| RuleKey { category, origin, tier })
}

fn rate() -> impl Strategy<Value = u16> {
    prop_oneof![2 => Just(0u16), 2 => Just(10_000u16), 6 => 0u16..=10_000, 1 => 10_001u16..=u16::MAX]
}

fn op() -> impl Strategy<Value = Op> {
    let merchant = prop_oneof![Just(MERCHANT), Just(OTHER_MERCHANT)];
    prop_oneof![
        4 => (caller(&[GOVERNOR, AGENCY, OTHER_AGENCY]), prop_oneof![1 => Just(0u32), 3 => 1u32..3], 0u8..4, prop::bool::weighted(0.1))
            .prop_map(|(caller, ahead, secret, bad)| Op::Commit { caller, ahead, secret, bad }),
        5 => (any::<u8>(), any::<u8>(), prop::bool::weighted(0.9)).prop_map(|(who, which, right)| Op::Reveal { who, which, right }),
        3 => (prop::sample::select(CALLERS.to_vec()), any::<u8>()).prop_map(|(caller, which)| Op::Finalize { caller, which }),
        5 => (caller(&[REGISTRY]), 0..LOTS, merchant.clone(), 0usize..2, 0usize..2, 0usize..3)
            .prop_map(|(caller, lot, merchant, category, origin, tier)| Op::RecordLot { caller, lot, merchant, category, origin, tier }),
        2 => (caller(&[ATTESTATION]), merchant, prop::bool::weighted(0.6))
            .prop_map(|(caller, merchant, pass)| Op::RecordInspection { caller, merchant, pass }),
        3 => (caller(&[WHITELIST]), rule_key(), rate()).prop_map(|(caller, key, rate)| Op::SetRule { caller, key, rate }),
        1 => (caller(&[WHITELIST]), rule_key()).prop_map(|(caller, key)| Op::RemoveRule { caller, key }),
        1 => (caller(&[WHITELIST]), rate(), 0u32..4).prop_map(|(caller, rate, passes)| Op::SetPolicy { caller, rate, passes }),
        1 => prop::sample::select(CALLERS.iter().copied().filter(|c| *c != WHITELIST).collect::<Vec<_>>())
            .prop_map(|caller| Op::SetCode { caller }),
        6 => prop_oneof![3 => 1u64..3_000, 1 => 3_000u64..8_000].prop_map(|ms| Op::Advance { ms, blocks: 1 }),
        1 => (1u32..200).prop_map(|blocks| Op::Advance { ms: 0, blocks }),
    ]
}

// ---- the model --------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct MEpoch {
    committers: Vec<AccountId>,
    /// By committer: the hash committed, the secret meant, the secret revealed.
    commits: BTreeMap<AccountId, (Hash32, Hash32, Option<Hash32>)>,
    finalized: bool,
    seed: Option<Hash32>,
}

#[derive(Debug, Clone)]
struct Model {
    epoch_ms: u64,
    window: u64,
    default_rate: u16,
    passes: u32,
    rules: Vec<(RuleKey, u16)>,
    lots: BTreeMap<u8, LotSample>,
    risk: BTreeMap<AccountId, Risk>,
    epochs: BTreeMap<u32, MEpoch>,
    /// Chain time (ms since the contract was made).
    now: u64,
}

type Out = Result<Option<Hash32>>;

impl Model {
    fn current(&self) -> u32 {
        u32::try_from(self.now / self.epoch_ms).expect("short sequences")
    }
    fn opens_at(&self, e: u32) -> u64 {
        u64::from(e) * self.epoch_ms
    }
    fn closes_at(&self, e: u32) -> u64 {
        self.opens_at(e + 1)
    }
    fn deadline(&self, e: u32) -> u64 {
        self.closes_at(e).saturating_add(self.window)
    }

    fn lookup(&self, category: Category, origin: CountryCode, tier: MerchantTier) -> (u16, Option<RuleKey>) {
        let best = self
            .rules
            .iter()
            .filter(|(k, _)| k.matches(category, origin, tier))
            .max_by_key(|(k, _)| k.specificity());
        match best {
            Some((k, r)) => (*r, Some(*k)),
            None => (self.default_rate, None),
        }
    }

    fn only(&self, caller: u8, kind: ContractKind, who: u8) -> Result<()> {
        if caller == who {
            Ok(())
        } else {
            Err(Error::NotContract { caller: account(caller), expected: kind })
        }
    }

    fn phase(&self, e: u32) -> EpochPhase {
        let ep = self.epochs.get(&e).cloned().unwrap_or_default();
        let all = !ep.committers.is_empty() && ep.commits.values().all(|c| c.2.is_some());
        if ep.finalized {
            EpochPhase::Final
        } else if self.now < self.opens_at(e) {
            EpochPhase::Committing
        } else if self.now < self.closes_at(e) {
            EpochPhase::Open
        } else if self.now < self.deadline(e) && !all {
            EpochPhase::Revealing
        } else {
            EpochPhase::Finalizable
        }
    }

    /// The epoch a `which` byte names: mostly one with commitments or lots, else a recent one.
    fn target(&self, which: u8, with_lots: bool) -> u32 {
        let mut known: Vec<u32> = self.epochs.iter().filter(|(_, e)| !e.committers.is_empty()).map(|(k, _)| *k).collect();
        if with_lots {
            known.extend(self.lots.values().map(|s| s.epoch));
        }
        known.sort();
        known.dedup();
        if which >= 200 || known.is_empty() {
            self.current().saturating_sub(u32::from(which % 3))
        } else {
            known[which as usize % known.len()]
        }
    }

    /// The revealer a `who` byte names for epoch `e`: mostly one of its committers.
    fn revealer(&self, who: u8, e: u32) -> u8 {
        let committers = self.epochs.get(&e).map(|x| x.committers.clone()).unwrap_or_default();
        if who < 200 && !committers.is_empty() {
            let a = committers[who as usize % committers.len()];
            *CALLERS.iter().find(|c| account(**c) == a).expect("a known caller")
        } else {
            CALLERS[who as usize % CALLERS.len()]
        }
    }

    fn step(&mut self, op: &Op) -> Out {
        match op {
            Op::Commit { caller, ahead, secret, bad } => {
                let who = account(*caller);
                if ![GOVERNOR, AGENCY, OTHER_AGENCY].contains(caller) {
                    return Err(Error::Unauthorized { account: who, role: Role::Agency });
                }
                let e = self.current() + ahead;
                if self.now >= self.opens_at(e) {
                    return Err(Error::CommitClosed);
                }
                let ep = self.epochs.entry(e).or_default();
                if ep.commits.contains_key(&who) {
                    return Err(Error::AlreadyCommitted);
                }
                let s = [*secret; 32];
                let hash = seed_commitment(&s, &if *bad { account(STRANGER) } else { who });
                ep.committers.push(who);
                ep.commits.insert(who, (hash, s, None));
                Ok(None)
            }
            Op::Reveal { who: w, which, right } => {
                let e = self.target(*which, false);
                let who = account(self.revealer(*w, e));
                let (closes, deadline, now) = (self.closes_at(e), self.deadline(e), self.now);
                let ep = self.epochs.entry(e).or_default();
                let (hash, meant, revealed) = *ep.commits.get(&who).ok_or(Error::NotCommitted)?;
                if now < closes || now >= deadline {
                    return Err(Error::RevealNotOpen);
                }
                if revealed.is_some() {
                    return Err(Error::AlreadyRevealed);
                }
                let s = reveal_secret(meant, *right);
                if seed_commitment(&s, &who) != hash {
                    return Err(Error::RevealMismatch);
                }
                if ep.finalized {
                    return Err(Error::EpochFinalized);
                }
                ep.commits.get_mut(&who).expect("present").2 = Some(s);
                stats::add(&stats::REVEALS);
                Ok(None)
            }
            Op::Finalize { which, .. } => {
                let e = self.target(*which, true);
                let (closes, deadline, now) = (self.closes_at(e), self.deadline(e), self.now);
                let ep = self.epochs.entry(e).or_default();
                if ep.finalized {
                    return Err(Error::EpochFinalized);
                }
                let all = !ep.committers.is_empty() && ep.commits.values().all(|c| c.2.is_some());
                if !(now >= deadline || (now >= closes && all)) {
                    return Err(Error::EpochNotReady);
                }
                let secrets: Vec<Hash32> = ep.committers.iter().filter_map(|m| ep.commits[m].2).collect();
                ep.seed = (!secrets.is_empty()).then(|| epoch_seed(e, &secrets));
                ep.finalized = true;
                stats::add(if ep.seed.is_some() { &stats::SEEDED } else { &stats::UNSEEDED });
                Ok(ep.seed)
            }
            Op::RecordLot { caller, lot, merchant, category, origin, tier } => {
                self.only(*caller, ContractKind::Registry, REGISTRY)?;
                if self.lots.contains_key(lot) {
                    return Err(Error::LotAlreadySampled);
                }
                let m = account(*merchant);
                let raised = self.risk.get(&m).is_some_and(|r| r.raised);
                let tier = if raised { MerchantTier::Watched } else { TIERS[*tier] };
                if raised {
                    stats::add(&stats::WATCHED);
                }
                let (rate_bps, rule) = self.lookup(CATEGORIES[*category], ORIGINS[*origin], tier);
                let epoch = self.current();
                self.lots.insert(*lot, LotSample { epoch, rate_bps, rule, merchant: m, tier });
                Ok(None)
            }
            Op::RecordInspection { caller, merchant, pass } => {
                self.only(*caller, ContractKind::Attestation, ATTESTATION)?;
                let passes = self.passes;
                let r = self.risk.entry(account(*merchant)).or_default();
                if *pass {
                    r.pass_streak += 1;
                    if r.raised && r.pass_streak >= passes {
                        r.raised = false;
                        r.pass_streak = 0;
                    }
                } else {
                    r.raised = true;
                    r.pass_streak = 0;
                    r.failures += 1;
                }
                Ok(None)
            }
            Op::SetRule { caller, key, rate } => {
                self.only(*caller, ContractKind::Whitelist, WHITELIST)?;
                key.check_rule(*rate)?;
                match self.rules.iter_mut().find(|(k, _)| k == key) {
                    Some((_, r)) => *r = *rate,
                    None => {
                        if self.rules.len() >= MAX_SAMPLING_RULES as usize {
                            return Err(Error::TooManyRules);
                        }
                        self.rules.push((*key, *rate));
                    }
                }
                Ok(None)
            }
            Op::RemoveRule { caller, key } => {
                self.only(*caller, ContractKind::Whitelist, WHITELIST)?;
                let i = self.rules.iter().position(|(k, _)| k == key).ok_or(Error::RuleNotFound)?;
                self.rules.remove(i);
                Ok(None)
            }
            Op::SetPolicy { caller, rate, passes } => {
                self.only(*caller, ContractKind::Whitelist, WHITELIST)?;
                SamplingPolicy { default_rate_bps: *rate, passes_to_clear: *passes }.check()?;
                self.default_rate = *rate;
                self.passes = *passes;
                Ok(None)
            }
            Op::SetCode { caller } => Err(Error::NotContract { caller: account(*caller), expected: ContractKind::Whitelist }),
            Op::Advance { ms, .. } => {
                self.now += ms;
                Ok(None)
            }
        }
    }

    /// The epochs worth looking at: every one the model knows of, and the next two.
    fn epochs_of_interest(&self) -> BTreeSet<u32> {
        let mut set: BTreeSet<u32> = self.epochs.keys().copied().collect();
        set.extend(self.lots.values().map(|s| s.epoch));
        set.extend([self.current(), self.current() + 1, self.current() + 2]);
        set
    }
}

fn reveal_secret(meant: Hash32, right: bool) -> Hash32 {
    if right {
        meant
    } else {
        [0xEE; 32]
    }
}

// ---- checking ---------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
struct Snapshot {
    policy: (u16, u32),
    rules: Vec<(RuleKey, u16)>,
    risk: Vec<Risk>,
    lots: Vec<(Option<LotSample>, Selection)>,
    epochs: Vec<EpochView>,
}

fn snapshot(s: &Sampling, epochs: &BTreeSet<u32>) -> Snapshot {
    Snapshot {
        policy: s.policy(),
        rules: s.rules(),
        risk: [MERCHANT, OTHER_MERCHANT].iter().map(|m| s.risk(account(*m))).collect(),
        lots: (0..LOTS).map(|n| (s.lot_sample(lot(n)), s.selection(lot(n)))).collect(),
        epochs: epochs.iter().map(|e| s.epoch_status(*e)).collect(),
    }
}

fn check_state(s: &Sampling, snap: &Snapshot, m: &Model, epochs: &BTreeSet<u32>) {
    assert_eq!(snap.policy, (m.default_rate, m.passes), "policy");
    // rules: listed once each, as the model holds them
    let mut listed = snap.rules.clone();
    assert!(listed.len() <= MAX_SAMPLING_RULES as usize);
    for (i, (k, _)) in listed.iter().enumerate() {
        assert!(!listed[..i].iter().any(|(k2, _)| k2 == k), "rule {k:?} listed twice");
    }
    assert_eq!(listed.len(), m.rules.len(), "rule count");
    for r in &m.rules {
        assert!(listed.contains(r), "rule {r:?} missing");
    }
    listed.clear();
    for (k, rate) in &m.rules {
        // a rule is what rate_for finds for its own attributes unless a more specific one matches
        let (c, o, t) = (k.category.unwrap_or(3003), k.origin.unwrap_or(CountryCode(*b"FR")), k.tier.unwrap_or(MerchantTier::Standard));
        let got = s.rate_for(c, o, t);
        assert_eq!(got, m.lookup(c, o, t), "rate_for");
        if got.1 == Some(*k) {
            assert_eq!(got.0, *rate);
        }
    }
    for (i, who) in [MERCHANT, OTHER_MERCHANT].iter().enumerate() {
        assert_eq!(snap.risk[i], m.risk.get(&account(*who)).copied().unwrap_or_default(), "risk");
    }
    // epochs
    for (view, e) in snap.epochs.iter().zip(epochs) {
        let ep = m.epochs.get(e).cloned().unwrap_or_default();
        assert_eq!(view.epoch, *e);
        assert_eq!(view.committers, ep.committers, "committers of {e}");
        let revealed: Vec<AccountId> = ep.committers.iter().filter(|c| ep.commits[*c].2.is_some()).copied().collect();
        assert_eq!(view.revealed, revealed, "revealed of {e}");
        let skipped: Vec<AccountId> =
            if ep.finalized { ep.committers.iter().filter(|c| ep.commits[*c].2.is_none()).copied().collect() } else { vec![] };
        assert_eq!(view.skipped, skipped, "skipped of {e}");
        assert_eq!(view.phase, m.phase(*e), "phase of {e}");
        assert_eq!(view.seed, ep.seed, "seed of {e}");
        // the seed is the public function of the public reveals, and none before the epoch closes
        if view.phase == EpochPhase::Final {
            let secrets: Vec<Hash32> = ep.committers.iter().filter_map(|c| ep.commits[c].2).collect();
            let public = (!secrets.is_empty()).then(|| epoch_seed(*e, &secrets));
            assert_eq!(view.seed, public, "seed of {e} recomputed");
        }
        if m.now < view.closes_at {
            assert_eq!(view.seed, None, "seed of {e} before it closed");
            assert_ne!(view.phase, EpochPhase::Final);
        }
    }
    // lots and their selections, recomputed from public data
    for (n, (sample, selection)) in snap.lots.iter().enumerate() {
        let id = lot(n as u8);
        assert_eq!(sample.as_ref(), m.lots.get(&(n as u8)), "sample of lot {n}");
        let expected = match sample {
            None => Selection::Unknown,
            Some(smp) => {
                let view = snap.epochs.iter().find(|v| v.epoch == smp.epoch).expect("lot epochs are snapshot");
                let final_seed = (view.phase == EpochPhase::Final).then_some(view.seed.as_ref());
                match smp.rate_bps {
                    0 => Selection::NotSelected,
                    r if u32::from(r) >= BPS_DENOMINATOR => Selection::Selected,
                    _ if final_seed.is_none() => Selection::SeedPending,
                    r => Selection::of_final(view.seed.as_ref(), &id, r),
                }
            }
        };
        assert_eq!(*selection, expected, "selection of lot {n}");
        match selection {
            Selection::Selected => stats::add(&stats::SELECTED),
            Selection::NotSelected => stats::add(&stats::NOT_SELECTED),
            _ => {}
        }
    }
}

type Genesis = (u64, u64, u16, u32);

fn run_sequence(g: Genesis, ops: &[Op]) -> usize {
    let (epoch_ms, window, default_rate, passes) = g;
    crate::tests::world();
    set_caller(GOVERNOR);
    test::set_block_timestamp::<DefaultEnvironment>(0);
    let mut s = Sampling::new(account(WHITELIST), epoch_ms, window, default_rate, passes).expect("valid");
    let mut m = Model {
        epoch_ms,
        window,
        default_rate,
        passes,
        rules: Vec::new(),
        lots: BTreeMap::new(),
        risk: BTreeMap::new(),
        epochs: BTreeMap::new(),
        now: 0,
    };
    for (i, op) in ops.iter().enumerate() {
        let current = s.current_epoch();
        assert_eq!(current, m.current(), "current epoch");
        let epochs = m.epochs_of_interest();
        let before = snapshot(&s, &epochs);
        let events_before = events();
        // which epoch and member a reveal or finalisation names, and the secret the model says
        // was committed
        let (target, revealer, reveal) = match op {
            Op::Reveal { who, which, right } => {
                let e = m.target(*which, false);
                let r = m.revealer(*who, e);
                let meant = m.epochs.get(&e).and_then(|ep| ep.commits.get(&account(r))).map(|c| c.1).unwrap_or([0xDD; 32]);
                (e, r, reveal_secret(meant, *right))
            }
            Op::Finalize { which, .. } => (m.target(*which, true), 0, [0; 32]),
            _ => (0, 0, [0; 32]),
        };
        let expected = m.step(op);
        let got: Out = match op {
            Op::Commit { caller, ahead, secret, bad } => {
                set_caller(*caller);
                let bound = if *bad { account(STRANGER) } else { account(*caller) };
                s.commit(current + ahead, seed_commitment(&[*secret; 32], &bound)).map(|_| None)
            }
            Op::Reveal { .. } => {
                set_caller(revealer);
                s.reveal(target, reveal).map(|_| None)
            }
            Op::Finalize { caller, .. } => {
                set_caller(*caller);
                s.finalize(target)
            }
            Op::RecordLot { caller, lot: n, merchant, category, origin, tier } => {
                set_caller(*caller);
                s.record_lot(lot(*n), account(*merchant), CATEGORIES[*category], ORIGINS[*origin], TIERS[*tier]).map(|_| None)
            }
            Op::RecordInspection { caller, merchant, pass } => {
                set_caller(*caller);
                let result = if *pass { InspectionResult::Pass } else { InspectionResult::Fail };
                s.record_inspection(account(*merchant), result).map(|_| None)
            }
            Op::SetRule { caller, key, rate } => {
                set_caller(*caller);
                s.set_rule(*key, *rate).map(|_| None)
            }
            Op::RemoveRule { caller, key } => {
                set_caller(*caller);
                s.remove_rule(*key).map(|_| None)
            }
            Op::SetPolicy { caller, rate, passes } => {
                set_caller(*caller);
                s.set_policy(*rate, *passes).map(|_| None)
            }
            Op::SetCode { caller } => {
                set_caller(*caller);
                s.set_code(Hash::from([1; 32])).map(|_| None)
            }
            Op::Advance { ms, blocks } => {
                let to = chain_time() + ms;
                for _ in 0..*blocks {
                    test::advance_block::<DefaultEnvironment>();
                }
                test::set_block_timestamp::<DefaultEnvironment>(to);
                Ok(None)
            }
        };
        assert_eq!(got, expected, "step {i}: {op:?} at block {}, time {}", block(), chain_time());
        if got.is_err() {
            stats::add(&stats::REFUSED);
            let after = snapshot(&s, &epochs);
            assert_eq!(after, before, "step {i}: failed {op:?} changed state");
            assert_eq!(events(), events_before, "step {i}: failed {op:?} emitted an event");
        }
        // only entitled callers
        let refused = match op {
            Op::Commit { caller, .. } if ![GOVERNOR, AGENCY, OTHER_AGENCY].contains(caller) => {
                Some(Error::Unauthorized { account: account(*caller), role: Role::Agency })
            }
            Op::RecordLot { caller, .. } if *caller != REGISTRY => {
                Some(Error::NotContract { caller: account(*caller), expected: ContractKind::Registry })
            }
            Op::RecordInspection { caller, .. } if *caller != ATTESTATION => {
                Some(Error::NotContract { caller: account(*caller), expected: ContractKind::Attestation })
            }
            Op::SetRule { caller, .. } | Op::RemoveRule { caller, .. } | Op::SetPolicy { caller, .. } | Op::SetCode { caller }
                if *caller != WHITELIST =>
            {
                Some(Error::NotContract { caller: account(*caller), expected: ContractKind::Whitelist })
            }
            _ => None,
        };
        if let Some(e) = refused {
            assert_eq!(got, Err(e), "step {i}");
        }
        let epochs = m.epochs_of_interest();
        let now = snapshot(&s, &epochs);
        check_state(&s, &now, &m, &epochs);
    }
    ops.len()
}

fn genesis() -> impl Strategy<Value = Genesis> {
    (2_000u64..=4_000, prop_oneof![1 => 1_000u64..=2_000, 3 => 2_000u64..=8_000], prop_oneof![Just(0u16), Just(10_000u16), 0u16..=10_000], 1u32..=3)
}

#[test]
fn random_sampling_sequences_keep_invariants() {
    // Most sequences start with the three members committing to epochs 1 and 2, some blocks
    // passing and lots being recorded (checked like any other step), so that later reveals,
    // finalisations and selections have something to work on.
    let setup = (prop::bool::weighted(0.8), 0u8..4, prop::collection::vec((0..LOTS, 0usize..2, 0usize..2, 0usize..3), 1..5))
        .prop_map(|(on, secret, lots)| {
            let mut ops = Vec::new();
            if on {
                for ahead in [1, 2] {
                    for caller in [GOVERNOR, AGENCY, OTHER_AGENCY] {
                        ops.push(Op::Commit { caller, ahead, secret: secret.wrapping_add(caller), bad: false });
                    }
                }
                ops.push(Op::Advance { ms: 4_000, blocks: 4 });
                for (lot, category, origin, tier) in lots {
                    let merchant = if lot % 2 == 0 { MERCHANT } else { OTHER_MERCHANT };
                    ops.push(Op::RecordLot { caller: REGISTRY, lot, merchant, category, origin, tier });
                }
            }
            ops
        });
    let strategy = (genesis(), setup, prop::collection::vec(op(), 1..=MAX_STEPS)).prop_map(|(g, mut ops, more)| {
        ops.extend(more);
        (g, ops)
    });
    run_property("sampling", strategy, |(g, ops)| run_sequence(*g, ops), stats::line);
}
