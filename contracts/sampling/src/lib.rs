//! # sampling: rule-based inspection sampling with verifiable randomness
//!
//! ## Overview
//! - **Rules** (set only by governance, through the whitelist's proposals): a rate in basis points
//!   for a (category, origin, merchant tier) key where each part may be "any"; the most specific
//!   matching rule wins (`RuleKey::specificity`), else the default rate. Rules and the policy are
//!   bounded by `RuleKey::check_rule` and `SamplingPolicy::check`, the checks the whitelist applies
//!   to the proposals too.
//! - **Risk feedback**: a failed inspection raises the merchant's risk, so its later lots are
//!   matched as tier Watched; `passes_to_clear` consecutive passes lower it again. Each change
//!   emits `RiskChanged`.
//! - **Epochs** of `epoch_ms` milliseconds of chain time (`Timestamp::Now`), counted from the
//!   contract's instantiation. Time, not block counts: anyone with a funded account can seal
//!   blocks on an instant-seal chain (`System.remark`), but each block moves chain time by at most
//!   the runtime's minimum period (5 ms) beyond the wall clock, and a validator chain's timestamps
//!   are bounded by the other validators' clocks. A lot belongs to the epoch of its registration
//!   block's time, and the registry records it here at registration (`record_lot`), which fixes its rate and the rule
//!   that gave it: later rule or risk changes never touch it.
//! - **Seeds by multi-party commit-reveal**: before epoch e opens, governors and agencies commit
//!   `seed_commitment(secret, member)`; after it closes they reveal within `reveal_window_ms`;
//!   then anyone finalises: the seed is `epoch_seed(e, revealed secrets in commit order)`.
//!   A member who does not reveal is skipped and recorded, so no one can stall sampling. An epoch
//!   finalised with no reveal at all selects every one of its lots (fail safe).
//! - **Selection** (`Selection::decide`): a lot is selected iff `sampling_draw(seed, lot) < rate`.
//!   A rate of 0 or 100 % needs no draw and is answered at once; any other lot reads
//!   `SeedPending` until its epoch is final (and the verdict then says so, never GENUINE).
//!   Everything it depends on is public, so anyone can recompute every selection.
//!
//! ## Invariants
//! - No input to a selection's draw comes from the block timestamp or the block author. The
//!   timestamp only places a lot in an epoch, and chain time never decreases (pallet-timestamp),
//!   so a lot can only land in an epoch whose reveals have not begun.
//! - A lot is recorded once (`LotAlreadySampled`): re-registering cannot re-roll it.
//! - The seed of an epoch is unknown to everyone until its epoch has closed (as long as one
//!   committer keeps its secret until then), so a merchant cannot know it when registering.
//! - Known limit: the last revealer can choose to withhold, picking between two seeds (one bit of
//!   bias); withholding is recorded in `skipped` for governance to act on.
//!
//! ## Error policy
//! Every caller error is an [`Error`] variant returned as `Err` (the call's changes revert); no
//! caller input makes a message panic. Messages for another contract check their caller with
//! `calls::ensure_caller_is` (`NotContract`). Events are emitted only on change.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
mod sampling {
    use ink::prelude::vec::Vec;
    use ink::storage::Mapping;
    use tracepass_shared::bounds::*;
    use tracepass_shared::traits::*;
    use tracepass_shared::*;
    use tracepass_shared::calls as ext;

    /// One member's commitment to an epoch.
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Commitment {
        /// `seed_commitment(secret, member)`.
        pub hash: Hash32,
        /// The secret, once revealed.
        pub secret: Option<Hash32>,
    }

    /// An epoch's commit-reveal state.
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    #[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Epoch {
        /// Committers in commit order (at most `MAX_EPOCH_COMMITTERS`).
        pub committers: Vec<AccountId>,
        /// How many revealed.
        pub revealed: u32,
        /// Whether the seed is fixed.
        pub finalized: bool,
        /// The seed; `None` when finalised without reveals.
        pub seed: Option<Hash32>,
    }

    /// Sampling rules, epochs and selections.
    /// A sampling rate (basis points) and the rule that gave it (`None`: the default rate).
    type RateRule = (u16, Option<RuleKey>);

    #[ink(storage)]
    pub struct Sampling {
        /// The whitelist: who may commit, and which contracts may call.
        whitelist: AccountId,
        /// Chain time at instantiation: epoch 0 opens here.
        origin: Timestamp,
        /// Length of an epoch, in milliseconds of chain time.
        epoch_ms: Timestamp,
        /// Time after an epoch closes during which committers reveal, in milliseconds.
        reveal_window_ms: Timestamp,
        /// Rate when no rule matches, in basis points.
        default_rate_bps: u16,
        /// Consecutive passes that lower a merchant's raised risk.
        passes_to_clear: u32,
        /// Rules: rate by key (looked up directly, at most 8 reads per lot).
        rules: Mapping<RuleKey, u16>,
        /// Rule keys by position, for listing (0..rule_count).
        rule_keys: Mapping<u32, RuleKey>,
        /// Number of rules.
        rule_count: u32,
        /// What was fixed for each lot at registration.
        lots: Mapping<LotId, LotSample>,
        /// Merchants' risk.
        risk: Mapping<AccountId, Risk>,
        /// Epochs' commit-reveal state.
        epochs: Mapping<u32, Epoch>,
        /// Commitments by (epoch, member).
        commitments: Mapping<(u32, AccountId), Commitment>,
    }

    /// A rule was set (or replaced).
    #[ink(event)]
    pub struct RuleSet {
        pub key: RuleKey,
        pub rate_bps: u16,
    }

    /// A rule was removed.
    #[ink(event)]
    pub struct RuleRemoved {
        pub key: RuleKey,
    }

    /// The default rate or the risk bound changed.
    #[ink(event)]
    pub struct PolicySet {
        pub default_rate_bps: u16,
        pub passes_to_clear: u32,
    }

    /// A lot was recorded with its epoch and rate.
    #[ink(event)]
    pub struct LotRecorded {
        #[ink(topic)]
        pub lot: LotId,
        #[ink(topic)]
        pub epoch: u32,
        pub rate_bps: u16,
        pub rule: Option<RuleKey>,
    }

    /// A merchant's risk record changed.
    #[ink(event)]
    pub struct RiskChanged {
        #[ink(topic)]
        pub merchant: AccountId,
        pub risk: Risk,
    }

    /// A member committed to an epoch's seed.
    #[ink(event)]
    pub struct Committed {
        #[ink(topic)]
        pub epoch: u32,
        #[ink(topic)]
        pub member: AccountId,
        pub hash: Hash32,
    }

    /// A member revealed its secret.
    #[ink(event)]
    pub struct Revealed {
        #[ink(topic)]
        pub epoch: u32,
        #[ink(topic)]
        pub member: AccountId,
        pub secret: Hash32,
    }

    /// An epoch's seed was fixed.
    #[ink(event)]
    pub struct EpochFinalized {
        #[ink(topic)]
        pub epoch: u32,
        pub seed: Option<Hash32>,
        pub skipped: Vec<AccountId>,
    }

    impl Sampling {
        /// Creates the contract: epochs of `epoch_ms` from now, reveals within `reveal_window_ms`
        /// after each closes (both bounded, else `Invalid(Epoch)`), `default_rate_bps` when no rule matches, and
        /// `passes_to_clear` passes to lower a raised risk.
        #[ink(constructor)]
        pub fn new(
            whitelist: AccountId,
            epoch_ms: Timestamp,
            reveal_window_ms: Timestamp,
            default_rate_bps: u16,
            passes_to_clear: u32,
        ) -> Result<Self> {
            if !(MIN_EPOCH_MS..=MAX_EPOCH_MS).contains(&epoch_ms)
                || !(MIN_REVEAL_WINDOW_MS..=MAX_REVEAL_WINDOW_MS).contains(&reveal_window_ms)
            {
                return Err(Error::Invalid(Field::Epoch));
            }
            SamplingPolicy { default_rate_bps, passes_to_clear }.check()?;
            Ok(Self {
                whitelist,
                origin: Self::env().block_timestamp(),
                epoch_ms,
                reveal_window_ms,
                default_rate_bps,
                passes_to_clear,
                rules: Mapping::default(),
                rule_keys: Mapping::default(),
                rule_count: 0,
                lots: Mapping::default(),
                risk: Mapping::default(),
                epochs: Mapping::default(),
                commitments: Mapping::default(),
            })
        }

        // ---- commit-reveal --------------------------------------------------------------

        /// Commits to a secret for `epoch` (governors and agencies), before the epoch opens.
        #[ink(message)]
        pub fn commit(&mut self, epoch: u32, hash: Hash32) -> Result<()> {
            let caller = self.env().caller();
            match ext::role_of(self.whitelist, caller) {
                Some(Role::Governor) | Some(Role::Agency) => {}
                _ => return Err(Error::Unauthorized { account: caller, role: Role::Agency }),
            }
            if self.env().block_timestamp() >= self.opens_at(epoch) {
                return Err(Error::CommitClosed);
            }
            if self.commitments.contains((epoch, caller)) {
                return Err(Error::AlreadyCommitted);
            }
            let mut e = self.epochs.get(epoch).unwrap_or_default();
            if e.committers.len() >= MAX_EPOCH_COMMITTERS as usize {
                return Err(Error::TooManyCommitters);
            }
            e.committers.push(caller);
            self.epochs.insert(epoch, &e);
            self.commitments.insert((epoch, caller), &Commitment { hash, secret: None });
            self.env().emit_event(Committed { epoch, member: caller, hash });
            Ok(())
        }

        /// Reveals the secret committed to `epoch`, after it closes and before the deadline.
        #[ink(message)]
        pub fn reveal(&mut self, epoch: u32, secret: Hash32) -> Result<()> {
            let caller = self.env().caller();
            let mut c = self.commitments.get((epoch, caller)).ok_or(Error::NotCommitted)?;
            let now = self.env().block_timestamp();
            if now < self.closes_at(epoch) || now >= self.reveal_deadline(epoch) {
                return Err(Error::RevealNotOpen);
            }
            if c.secret.is_some() {
                return Err(Error::AlreadyRevealed);
            }
            if seed_commitment(&secret, &caller) != c.hash {
                return Err(Error::RevealMismatch);
            }
            let mut e = self.epochs.get(epoch).unwrap_or_default();
            if e.finalized {
                return Err(Error::EpochFinalized);
            }
            c.secret = Some(secret);
            e.revealed = e.revealed.saturating_add(1);
            self.commitments.insert((epoch, caller), &c);
            self.epochs.insert(epoch, &e);
            self.env().emit_event(Revealed { epoch, member: caller, secret });
            Ok(())
        }

        /// Fixes `epoch`'s seed (anyone): once every committer revealed after the epoch
        /// closed, or once the reveal deadline has passed. Non-revealers are skipped.
        #[ink(message)]
        pub fn finalize(&mut self, epoch: u32) -> Result<Option<Hash32>> {
            let mut e = self.epochs.get(epoch).unwrap_or_default();
            if e.finalized {
                return Err(Error::EpochFinalized);
            }
            let now = self.env().block_timestamp();
            let all_revealed = !e.committers.is_empty() && e.revealed as usize == e.committers.len();
            let ready = now >= self.reveal_deadline(epoch) || (now >= self.closes_at(epoch) && all_revealed);
            if !ready {
                return Err(Error::EpochNotReady);
            }
            let (secrets, skipped) = self.reveals(epoch, &e);
            e.seed = (!secrets.is_empty()).then(|| epoch_seed(epoch, &secrets));
            e.finalized = true;
            self.epochs.insert(epoch, &e);
            self.env().emit_event(EpochFinalized { epoch, seed: e.seed, skipped });
            Ok(e.seed)
        }

        // ---- queries --------------------------------------------------------------------

        /// What was fixed for a lot at registration: epoch, rate, and the rule that gave it.
        #[ink(message)]
        pub fn lot_sample(&self, lot: LotId) -> Option<LotSample> {
            self.lots.get(lot)
        }

        /// The rate and the rule that would apply now to a lot with these attributes.
        #[ink(message)]
        pub fn rate_for(&self, category: Category, origin: CountryCode, tier: MerchantTier) -> (u16, Option<RuleKey>) {
            self.lookup(category, origin, tier)
        }

        /// The current epoch: the one this block's time falls in.
        #[ink(message)]
        pub fn current_epoch(&self) -> u32 {
            let since = self.env().block_timestamp().saturating_sub(self.origin);
            u32::try_from(since.checked_div(self.epoch_ms).unwrap_or(0)).unwrap_or(u32::MAX)
        }

        /// When epoch 0 opened, the epoch length and the reveal window (ms of chain time).
        #[ink(message)]
        pub fn timing(&self) -> (Timestamp, Timestamp, Timestamp) {
            (self.origin, self.epoch_ms, self.reveal_window_ms)
        }

        /// An epoch's state: phase, committers, who revealed, who was skipped, the seed.
        #[ink(message)]
        pub fn epoch_status(&self, epoch: u32) -> EpochView {
            let e = self.epochs.get(epoch).unwrap_or_default();
            let now = self.env().block_timestamp();
            let all_revealed = !e.committers.is_empty() && e.revealed as usize == e.committers.len();
            let phase = if e.finalized {
                EpochPhase::Final
            } else if now < self.opens_at(epoch) {
                EpochPhase::Committing
            } else if now < self.closes_at(epoch) {
                EpochPhase::Open
            } else if now < self.reveal_deadline(epoch) && !all_revealed {
                EpochPhase::Revealing
            } else {
                EpochPhase::Finalizable
            };
            let revealed: Vec<AccountId> = e
                .committers
                .iter()
                .filter(|m| self.commitments.get((epoch, **m)).is_some_and(|c| c.secret.is_some()))
                .copied()
                .collect();
            let skipped = if e.finalized {
                e.committers.iter().filter(|m| !revealed.contains(m)).copied().collect()
            } else {
                Vec::new()
            };
            EpochView {
                epoch,
                opens_at: self.opens_at(epoch),
                closes_at: self.closes_at(epoch),
                reveal_deadline: self.reveal_deadline(epoch),
                phase,
                committers: e.committers,
                revealed,
                skipped,
                seed: e.seed,
            }
        }

        /// All rules.
        #[ink(message)]
        pub fn rules(&self) -> Vec<(RuleKey, u16)> {
            (0..self.rule_count)
                .filter_map(|i| self.rule_keys.get(i))
                .filter_map(|k| self.rules.get(k).map(|r| (k, r)))
                .collect()
        }

        /// Default rate and the passes that lower a raised risk.
        #[ink(message)]
        pub fn policy(&self) -> (u16, u32) {
            (self.default_rate_bps, self.passes_to_clear)
        }

        /// A merchant's risk record.
        #[ink(message)]
        pub fn risk(&self, merchant: AccountId) -> Risk {
            self.risk.get(merchant).unwrap_or_default()
        }

        // ---- internals ------------------------------------------------------------------

        fn opens_at(&self, epoch: u32) -> Timestamp {
            self.origin.saturating_add(u64::from(epoch).saturating_mul(self.epoch_ms))
        }

        fn closes_at(&self, epoch: u32) -> Timestamp {
            self.opens_at(epoch.saturating_add(1))
        }

        fn reveal_deadline(&self, epoch: u32) -> Timestamp {
            self.closes_at(epoch).saturating_add(self.reveal_window_ms)
        }

        /// Revealed secrets in commit order, and the committers who did not reveal.
        fn reveals(&self, epoch: u32, e: &Epoch) -> (Vec<Hash32>, Vec<AccountId>) {
            let mut secrets = Vec::new();
            let mut skipped = Vec::new();
            for m in &e.committers {
                match self.commitments.get((epoch, *m)).and_then(|c| c.secret) {
                    Some(s) => secrets.push(s),
                    None => skipped.push(*m),
                }
            }
            (secrets, skipped)
        }

        /// The most specific rule matching, else the default: at most 8 direct reads.
        /// The tier a lot of `merchant` is sampled at: Watched while its risk is raised.
        fn effective_tier(&self, merchant: AccountId, tier: MerchantTier) -> MerchantTier {
            if self.risk(merchant).raised {
                MerchantTier::Watched
            } else {
                tier
            }
        }

        /// Stores a lot's sample (its rate and rule as looked up now, in `epoch`) and emits
        /// `LotRecorded`.
        fn record(&mut self, lot: LotId, merchant: AccountId, tier: MerchantTier, (rate_bps, rule): RateRule, epoch: u32) {
            self.lots.insert(lot, &LotSample { epoch, rate_bps, rule, merchant, tier });
            self.env().emit_event(LotRecorded { lot, epoch, rate_bps, rule });
        }

        fn lookup(&self, category: Category, origin: CountryCode, tier: MerchantTier) -> RateRule {
            for mask in (0u8..8).rev() {
                let key = RuleKey {
                    category: (mask & 4 != 0).then_some(category),
                    origin: (mask & 2 != 0).then_some(origin),
                    tier: (mask & 1 != 0).then_some(tier),
                };
                if let Some(rate) = self.rules.get(key) {
                    return (rate, Some(key));
                }
            }
            (self.default_rate_bps, None)
        }
    }

    impl SamplingApi for Sampling {
        /// Registry only: fixes the lot's epoch, rate and rule.
        #[ink(message)]
        fn record_lot(
            &mut self,
            lot: LotId,
            merchant: AccountId,
            category: Category,
            origin: CountryCode,
            tier: MerchantTier,
        ) -> Result<()> {
            ext::ensure_caller_is(self.whitelist, ContractKind::Registry)?;
            if self.lots.contains(lot) {
                return Err(Error::LotAlreadySampled);
            }
            let tier = self.effective_tier(merchant, tier);
            let rate = self.lookup(category, origin, tier);
            self.record(lot, merchant, tier, rate, self.current_epoch());
            Ok(())
        }

        /// Registry only: `record_lot` for each of `lots`, with one caller check, one risk read
        /// and one epoch for the whole batch. All or nothing: a lot already recorded (or twice in
        /// the batch) fails the batch before anything is stored.
        #[ink(message)]
        fn record_lots(
            &mut self,
            merchant: AccountId,
            tier: MerchantTier,
            lots: Vec<(LotId, Category, CountryCode)>,
        ) -> Result<()> {
            ext::ensure_caller_is(self.whitelist, ContractKind::Registry)?;
            if lots.is_empty() || lots.len() > MAX_LOTS_PER_BATCH as usize {
                return Err(Error::Invalid(Field::BatchSize));
            }
            for (i, (lot, _, _)) in lots.iter().enumerate() {
                if self.lots.contains(lot) || lots[..i].iter().any(|(l, _, _)| l == lot) {
                    return Err(Error::LotAlreadySampled);
                }
            }
            let tier = self.effective_tier(merchant, tier);
            let epoch = self.current_epoch();
            // the rule of each distinct (category, origin), looked up once
            let mut rates: Vec<((Category, CountryCode), RateRule)> = Vec::new();
            for (lot, category, origin) in lots {
                let rate = match rates.iter().find(|(k, _)| *k == (category, origin)) {
                    Some((_, r)) => *r,
                    None => {
                        let r = self.lookup(category, origin, tier);
                        rates.push(((category, origin), r));
                        r
                    }
                };
                self.record(lot, merchant, tier, rate, epoch);
            }
            Ok(())
        }

        /// Selection status of a lot.
        #[ink(message)]
        fn selection(&self, lot: LotId) -> Selection {
            let Some(s) = self.lots.get(lot) else {
                return Selection::Unknown;
            };
            let e = self.epochs.get(s.epoch).unwrap_or_default();
            Selection::decide(e.finalized.then_some(e.seed.as_ref()), &lot, s.rate_bps)
        }

        /// Attestation only: risk feedback.
        #[ink(message)]
        fn record_inspection(&mut self, merchant: AccountId, result: InspectionResult) -> Result<()> {
            ext::ensure_caller_is(self.whitelist, ContractKind::Attestation)?;
            let before = self.risk(merchant);
            let mut r = before;
            match result {
                InspectionResult::Fail => {
                    r.raised = true;
                    r.pass_streak = 0;
                    r.failures = r.failures.saturating_add(1);
                }
                InspectionResult::Pass => {
                    r.pass_streak = r.pass_streak.saturating_add(1);
                    if r.raised && r.pass_streak >= self.passes_to_clear {
                        r.raised = false;
                        r.pass_streak = 0;
                    }
                }
            }
            if r != before {
                self.risk.insert(merchant, &r);
                self.env().emit_event(RiskChanged { merchant, risk: r });
            }
            Ok(())
        }

        /// Governance only: sets a rule.
        #[ink(message)]
        fn set_rule(&mut self, key: RuleKey, rate_bps: u16) -> Result<()> {
            ext::ensure_caller_is(self.whitelist, ContractKind::Whitelist)?;
            key.check_rule(rate_bps)?;
            match self.rules.get(key) {
                Some(r) if r == rate_bps => return Ok(()),
                Some(_) => {}
                None => {
                    if self.rule_count >= MAX_SAMPLING_RULES {
                        return Err(Error::TooManyRules);
                    }
                    self.rule_keys.insert(self.rule_count, &key);
                    self.rule_count = self.rule_count.saturating_add(1);
                }
            }
            self.rules.insert(key, &rate_bps);
            self.env().emit_event(RuleSet { key, rate_bps });
            Ok(())
        }

        /// Governance only: removes a rule.
        #[ink(message)]
        fn remove_rule(&mut self, key: RuleKey) -> Result<()> {
            ext::ensure_caller_is(self.whitelist, ContractKind::Whitelist)?;
            if !self.rules.contains(key) {
                return Err(Error::RuleNotFound);
            }
            self.rules.remove(key);
            // swap-remove from the listing
            let last = self.rule_count.saturating_sub(1);
            for i in 0..self.rule_count {
                if self.rule_keys.get(i) == Some(key) {
                    if let Some(k) = self.rule_keys.get(last) {
                        self.rule_keys.insert(i, &k);
                    }
                    self.rule_keys.remove(last);
                    break;
                }
            }
            self.rule_count = last;
            self.env().emit_event(RuleRemoved { key });
            Ok(())
        }

        /// Governance only: default rate and risk bound.
        #[ink(message)]
        fn set_policy(&mut self, default_rate_bps: u16, passes_to_clear: u32) -> Result<()> {
            ext::ensure_caller_is(self.whitelist, ContractKind::Whitelist)?;
            SamplingPolicy { default_rate_bps, passes_to_clear }.check()?;
            if (default_rate_bps, passes_to_clear) == (self.default_rate_bps, self.passes_to_clear) {
                return Ok(());
            }
            self.default_rate_bps = default_rate_bps;
            self.passes_to_clear = passes_to_clear;
            self.env().emit_event(PolicySet { default_rate_bps, passes_to_clear });
            Ok(())
        }
    }

    impl Upgradeable for Sampling {
        /// Whitelist (governance) only: replaces the code, keeping storage.
        #[ink(message)]
        fn set_code(&mut self, code_hash: Hash) -> Result<()> {
            ext::upgrade(self.whitelist, code_hash)
        }
    }

}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod props;
