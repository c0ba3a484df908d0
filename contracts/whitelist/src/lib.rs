//! # whitelist: who may write what
//!
//! The consortium's permission system. Every other tracepass contract asks it who an account is.
//!
//! ## Overview
//! - **Members**: governors, inspection/certification agencies (with an accreditation scope: product
//!   categories and a validity end), customs and logistics partners. One role per account.
//! - **Merchants**: onboarded (with GS1 company prefixes and the brands it may register),
//!   re-tiered, re-branded, reinstated and revoked only by governance (M of N). One thing is left
//!   to any one governor: the emergency brake `suspend_merchant`, which lapses
//!   `SUSPENSION_CONFIRM_MS` later unless a `ConfirmSuspension` proposal passes in time, and may
//!   not be renewed by anyone for `SUSPENSION_COOLDOWN_MS` after a lapse. A merchant's status is
//!   read as of the block (a lapsed brake reads Active without a transaction). A merchant may
//!   register GTINs under its GS1 company prefixes only, and products only of its authorised
//!   brands (`check_product`); a prefix is granted to one merchant for good: no prefix granted
//!   later equals, extends or covers one granted before. Revocation records its block, so a
//!   verdict can tell lots registered before it (still genuine) from any after.
//! - **Governance**: admitting or removing a governor, agency, customs or logistics member,
//!   changing an agency's scope, changing the threshold M, upgrading any contract's code,
//!   sampling rules, revoking attestations and display names happen only through proposals
//!   approved by M of the N governors, executed once, before they expire. A proposal is checked
//!   when made and again when executed, sampling rules and policy against the same bounds the
//!   sampling contract applies (`RuleKey::check_rule`, `SamplingPolicy::check`), display names
//!   against `check_display_name`.
//! - **Display names**: a merchant or member may carry a display name (UTF-8, at most
//!   `MAX_DISPLAY_NAME_LEN` bytes, `check_display_name`) that pages show instead of its address.
//!   Names are set and removed only by governance (`Action::SetDisplayName`), so no single key
//!   can give a sham merchant a real brand's name; they are kept beside the records, whose
//!   layout is unchanged, and read in one call for a whole page (`display_names`, at most
//!   `MAX_NAMES_PER_READ` accounts).
//! - **Directory**: the addresses of the deployment's other contracts, set once by the deployer
//!   (`wire`) right after instantiation; contracts use it to recognise each other as callers.
//!
//! ## Invariants
//! - While M > 1 no single key can admit or remove a member or a merchant, change M, a tier or
//!   brands, reinstate, revoke, recall, upgrade code or name anyone; its one lone act, a
//!   suspension, lapses unless confirmed by M.
//! - 1 <= M <= N <= `MAX_GOVERNORS` at all times (removing a governor that would break this fails).
//! - A proposal executes at most once, only with M approvals from current governors, and never
//!   after its expiry block.
//! - An account is a member or a merchant, never both.
//! - No two granted GS1 company prefixes overlap (neither is a leading part of the other), so
//!   every GTIN falls under at most one merchant; prefixes are 6 to 12 digits.
//!
//! ## Error policy
//! Every caller error is an [`Error`] variant returned as `Err`, which reverts all state changes
//! of the call; no caller input can make a message panic. Events are emitted only on change: an
//! executed proposal that sets M, a scope or a display name to its current value emits only
//! `ProposalExecuted`.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
mod whitelist {
    use ink::prelude::vec::Vec;
    use ink::storage::Mapping;
    use tracepass_shared::bounds::*;
    use tracepass_shared::traits::*;
    use tracepass_shared::*;
    use tracepass_shared::calls as ext;

    /// The consortium's members and governance.
    #[ink(storage)]
    pub struct Whitelist {
        /// The governors (N), in admission order. Bounded by `MAX_GOVERNORS`; kept as a list
        /// because approvals are counted against the current set.
        governors: Vec<AccountId>,
        /// M: approvals a proposal needs.
        threshold: u8,
        /// Blocks a proposal stays open after it is made.
        proposal_ttl: BlockNumber,
        /// Non-merchant members, by account (governors included, so `role_of` is one read).
        members: Mapping<AccountId, Member>,
        /// Number of non-merchant members, for listings.
        member_count: u32,
        /// Merchants, by account.
        merchants: Mapping<AccountId, Merchant>,
        /// Number of merchants ever onboarded (revoked included).
        merchant_count: u32,
        /// Every leading part (`MIN_GS1_PREFIX_LEN` digits or more) of every granted GS1
        /// company prefix, the prefix itself included: the granted prefix it leads to, and its
        /// merchant. A prefix is granted for good (revocation keeps it), so nobody can take over
        /// a revoked merchant's GTINs.
        prefix_stems: Mapping<Vec<u8>, (Vec<u8>, AccountId)>,
        /// Governance proposals, by ID.
        proposals: Mapping<ProposalId, Proposal>,
        /// ID of the next proposal (IDs start at 1).
        next_proposal: ProposalId,
        /// Registry address, once wired.
        registry: Option<AccountId>,
        /// Sampling address, once wired.
        sampling: Option<AccountId>,
        /// Attestation address, once wired.
        attestation: Option<AccountId>,
        /// The deployer, allowed to `wire` once; `None` after wiring.
        wiring_admin: Option<AccountId>,
        /// Display names of merchants and members, by account (set by governance,
        /// `Action::SetDisplayName`; never empty: an empty name removes the entry). Kept beside
        /// the `Merchant` and `Member` records so their stored layout is unchanged, and kept when
        /// a member is removed or a merchant revoked, so the issuer of past evidence keeps its
        /// name.
        display_names: Mapping<AccountId, Vec<u8>>,
        /// What is kept beside each merchant's record: its authorised brands, its latest
        /// one-governor suspension, its revocation block (kept beside so the `Merchant`
        /// layout is unchanged).
        standing: Mapping<AccountId, MerchantStanding>,
    }

    /// A governor proposed an action (its approval is counted).
    #[ink(event)]
    pub struct ProposalCreated {
        #[ink(topic)]
        pub id: ProposalId,
        #[ink(topic)]
        pub proposer: AccountId,
        pub action: Action,
        pub expires_at: BlockNumber,
    }

    /// A governor approved a proposal.
    #[ink(event)]
    pub struct ProposalApproved {
        #[ink(topic)]
        pub id: ProposalId,
        #[ink(topic)]
        pub governor: AccountId,
        pub approvals: u32,
    }

    /// A proposal was executed.
    #[ink(event)]
    pub struct ProposalExecuted {
        #[ink(topic)]
        pub id: ProposalId,
        #[ink(topic)]
        pub executor: AccountId,
    }

    /// A member was admitted.
    #[ink(event)]
    pub struct MemberAdded {
        #[ink(topic)]
        pub account: AccountId,
        pub role: Role,
    }

    /// A member was removed.
    #[ink(event)]
    pub struct MemberRemoved {
        #[ink(topic)]
        pub account: AccountId,
        pub role: Role,
    }

    /// An agency's accreditation changed.
    #[ink(event)]
    pub struct AgencyScopeSet {
        #[ink(topic)]
        pub account: AccountId,
        pub scope: AgencyScope,
    }

    /// M changed.
    #[ink(event)]
    pub struct ThresholdChanged {
        pub old: u8,
        pub new: u8,
    }

    /// A contract's code was replaced through governance.
    #[ink(event)]
    pub struct CodeUpgraded {
        pub target: ContractKind,
        pub code_hash: Hash,
    }

    /// A merchant was onboarded.
    #[ink(event)]
    pub struct MerchantAdded {
        #[ink(topic)]
        pub account: AccountId,
        #[ink(topic)]
        pub by: AccountId,
        pub tier: MerchantTier,
    }

    /// A merchant's tier changed.
    #[ink(event)]
    pub struct MerchantTierChanged {
        #[ink(topic)]
        pub account: AccountId,
        #[ink(topic)]
        pub by: AccountId,
        pub tier: MerchantTier,
    }

    /// A merchant's status changed.
    #[ink(event)]
    pub struct MerchantStatusChanged {
        #[ink(topic)]
        pub account: AccountId,
        #[ink(topic)]
        pub by: AccountId,
        pub status: MerchantStatus,
        pub reason_hash: Option<Hash32>,
    }

    /// A merchant's authorised brands changed.
    #[ink(event)]
    pub struct MerchantBrandsSet {
        #[ink(topic)]
        pub account: AccountId,
        pub brands: Vec<Vec<u8>>,
    }

    /// Governance confirmed a merchant's suspension: it holds until reinstatement.
    #[ink(event)]
    pub struct SuspensionConfirmed {
        #[ink(topic)]
        pub account: AccountId,
    }

    /// A merchant's or member's display name changed (an empty `name`: removed).
    #[ink(event)]
    pub struct DisplayNameSet {
        #[ink(topic)]
        pub account: AccountId,
        pub name: Vec<u8>,
    }

    /// The deployment's contracts were wired.
    #[ink(event)]
    pub struct ContractsWired {
        pub registry: AccountId,
        pub sampling: AccountId,
        pub attestation: AccountId,
    }

    impl Whitelist {
        /// Creates the consortium with its first `governors`, `threshold` M and the lifetime of
        /// proposals in blocks. The caller may `wire` the deployment once.
        #[ink(constructor)]
        pub fn new(
            governors: Vec<AccountId>,
            threshold: u8,
            proposal_ttl: BlockNumber,
        ) -> Result<Self> {
            let n = u32::try_from(governors.len()).unwrap_or(u32::MAX);
            if n == 0 || n > MAX_GOVERNORS {
                return Err(Error::Invalid(Field::Governors));
            }
            for (i, g) in governors.iter().enumerate() {
                if governors[..i].contains(g) {
                    return Err(Error::Invalid(Field::Governors));
                }
            }
            if threshold == 0 || threshold as u32 > n {
                return Err(Error::Invalid(Field::Threshold));
            }
            if !(MIN_PROPOSAL_TTL..=MAX_PROPOSAL_TTL).contains(&proposal_ttl) {
                return Err(Error::Invalid(Field::ProposalTtl));
            }
            let mut this = Self {
                governors: Vec::new(),
                threshold,
                proposal_ttl,
                members: Mapping::default(),
                member_count: 0,
                merchants: Mapping::default(),
                merchant_count: 0,
                prefix_stems: Mapping::default(),
                proposals: Mapping::default(),
                next_proposal: 1,
                registry: None,
                sampling: None,
                attestation: None,
                wiring_admin: Some(Self::env().caller()),
                display_names: Mapping::default(),
                standing: Mapping::default(),
            };
            for g in governors {
                this.insert_member(g, Role::Governor, [0; 32], None);
            }
            Ok(this)
        }

        // ---- governance -----------------------------------------------------------------

        /// Proposes `action` (governors only). The proposer's approval is counted.
        #[ink(message)]
        pub fn propose(&mut self, action: Action) -> Result<ProposalId> {
            let caller = self.env().caller();
            self.ensure_role(caller, Role::Governor)?;
            self.validate(&action)?;
            let id = self.next_proposal;
            let expires_at = self.env().block_number().saturating_add(self.proposal_ttl);
            let approvals = ink::prelude::vec![caller];
            self.proposals.insert(
                id,
                &Proposal { action: action.clone(), proposer: caller, approvals, expires_at, executed: false },
            );
            self.next_proposal = id.saturating_add(1);
            self.env().emit_event(ProposalCreated { id, proposer: caller, action, expires_at });
            self.env().emit_event(ProposalApproved { id, governor: caller, approvals: 1 });
            Ok(id)
        }

        /// Approves proposal `id` (governors only); returns the approvals it now has.
        #[ink(message)]
        pub fn approve(&mut self, id: ProposalId) -> Result<u32> {
            let caller = self.env().caller();
            self.ensure_role(caller, Role::Governor)?;
            let mut p = self.open_proposal(id)?;
            if p.approvals.contains(&caller) {
                return Err(Error::AlreadyApproved);
            }
            p.approvals.push(caller);
            let approvals = self.count_approvals(&p);
            self.proposals.insert(id, &p);
            self.env().emit_event(ProposalApproved { id, governor: caller, approvals });
            Ok(approvals)
        }

        /// Executes proposal `id` once it has M approvals from current governors (governors only).
        #[ink(message)]
        pub fn execute(&mut self, id: ProposalId) -> Result<()> {
            let caller = self.env().caller();
            self.ensure_role(caller, Role::Governor)?;
            let mut p = self.open_proposal(id)?;
            let have = self.count_approvals(&p);
            let need = self.threshold as u32;
            if have < need {
                return Err(Error::NotEnoughApprovals { have, need });
            }
            self.validate(&p.action)?;
            p.executed = true;
            self.proposals.insert(id, &p);
            self.apply(p.action)?;
            self.env().emit_event(ProposalExecuted { id, executor: caller });
            Ok(())
        }

        // ---- merchants: onboarding, tier, brands, revocation by vote; one brake -----------

        /// Suspends an active merchant at once (any one governor, the emergency brake): it
        /// registers nothing and its items stop verifying as genuine. The suspension lapses
        /// `SUSPENSION_CONFIRM_MS` later unless governance confirms it
        /// (`Action::ConfirmSuspension`); after a lapse one governor may not suspend the
        /// merchant again for `SUSPENSION_COOLDOWN_MS` (`SuspensionCooldown`).
        #[ink(message)]
        pub fn suspend_merchant(&mut self, account: AccountId, reason_hash: Hash32) -> Result<()> {
            let caller = self.env().caller();
            self.ensure_role(caller, Role::Governor)?;
            let now = self.env().block_timestamp();
            let mut m = self.merchant_now(account).ok_or(Error::NotMember)?;
            if m.status != MerchantStatus::Active {
                return Err(Error::MerchantNotActive);
            }
            let mut standing = self.standing.get(account).unwrap_or_default();
            if let Some(last) = &standing.suspension {
                if !last.confirmed && now < last.cooldown_until() {
                    return Err(Error::SuspensionCooldown { until: last.cooldown_until() });
                }
            }
            standing.suspension = Some(Suspension { by: caller, at: now, reason_hash, confirmed: false });
            self.standing.insert(account, &standing);
            m.status = MerchantStatus::Suspended;
            self.merchants.insert(account, &m);
            self.env().emit_event(MerchantStatusChanged {
                account,
                by: caller,
                status: MerchantStatus::Suspended,
                reason_hash: Some(reason_hash),
            });
            Ok(())
        }

        /// Refuses `prefixes` for `account` if two of them overlap, or one overlaps a prefix
        /// granted already, in one read per leading part: an entry under the prefix's own
        /// digits means a granted prefix equals or extends it; an entry under a shorter part
        /// conflicts only if that part is itself granted (it covers the prefix).
        fn ensure_prefixes_free(&self, account: AccountId, prefixes: &[Vec<u8>]) -> Result<()> {
            for (i, p) in prefixes.iter().enumerate() {
                if let Some(q) = prefixes[..i].iter().find(|q| prefixes_overlap(p, q)) {
                    return Err(Error::PrefixTaken { prefix: p.clone(), owner: account, owned: q.clone() });
                }
                for stem in prefix_stems(p) {
                    if let Some((owned, owner)) = self.prefix_stems.get(stem) {
                        if stem.len() == p.len() || owned.as_slice() == stem {
                            return Err(Error::PrefixTaken { prefix: p.clone(), owner, owned });
                        }
                    }
                }
            }
            Ok(())
        }

        /// A merchant's record with its status as of now: a suspension that lapsed unconfirmed
        /// reads `Active` (the stored status is left as it was; nothing needs to run at the lapse).
        fn merchant_now(&self, who: AccountId) -> Option<Merchant> {
            let mut m = self.merchants.get(who)?;
            if m.status == MerchantStatus::Suspended {
                let now = self.env().block_timestamp();
                let lapsed = self
                    .standing
                    .get(who)
                    .and_then(|s| s.suspension)
                    .is_some_and(|s| !s.in_force(now));
                if lapsed {
                    m.status = MerchantStatus::Active;
                }
            }
            Some(m)
        }

        // ---- wiring -------------------------------------------------------------------------

        /// Records the deployment's other contracts. Only the deployer, only once.
        #[ink(message)]
        pub fn wire(
            &mut self,
            registry: AccountId,
            sampling: AccountId,
            attestation: AccountId,
        ) -> Result<()> {
            if self.wiring_admin != Some(self.env().caller()) {
                return Err(Error::WiringClosed);
            }
            self.registry = Some(registry);
            self.sampling = Some(sampling);
            self.attestation = Some(attestation);
            self.wiring_admin = None;
            self.env().emit_event(ContractsWired { registry, sampling, attestation });
            Ok(())
        }

        // ---- queries ------------------------------------------------------------------------

        /// The governors.
        #[ink(message)]
        pub fn governors(&self) -> Vec<AccountId> {
            self.governors.clone()
        }

        /// M, the approvals a proposal needs.
        #[ink(message)]
        pub fn threshold(&self) -> u8 {
            self.threshold
        }

        /// A member's record (non-merchants).
        #[ink(message)]
        pub fn member(&self, who: AccountId) -> Option<Member> {
            self.members.get(who)
        }

        /// Number of non-merchant members and of merchants.
        #[ink(message)]
        pub fn counts(&self) -> (u32, u32) {
            (self.member_count, self.merchant_count)
        }

        /// A proposal.
        #[ink(message)]
        pub fn proposal(&self, id: ProposalId) -> Option<Proposal> {
            self.proposals.get(id)
        }

        /// Number of proposals made so far (IDs are 1..=this).
        #[ink(message)]
        pub fn proposal_count(&self) -> ProposalId {
            self.next_proposal.saturating_sub(1)
        }

        /// A merchant's record (its status as of now) with what is kept beside it: its
        /// brands, its suspension, its revocation block. One read for a verification page.
        #[ink(message)]
        pub fn merchant_standing(&self, who: AccountId) -> Option<(Merchant, MerchantStanding)> {
            let m = self.merchant_now(who)?;
            Some((m, self.standing.get(who).unwrap_or_default()))
        }

        /// The display name of a merchant or member, if governance gave it one.
        #[ink(message)]
        pub fn display_name(&self, account: AccountId) -> Option<Vec<u8>> {
            self.display_names.get(account)
        }

        /// The display names of `accounts`, in order (`None`: no name), for a page in one read.
        /// At most `MAX_NAMES_PER_READ` accounts, else `TooManyNames`.
        #[ink(message)]
        pub fn display_names(&self, accounts: Vec<AccountId>) -> Result<Vec<Option<Vec<u8>>>> {
            if accounts.len() > MAX_NAMES_PER_READ as usize {
                return Err(Error::TooManyNames);
            }
            Ok(accounts.into_iter().map(|a| self.display_names.get(a)).collect())
        }

        // ---- internals ----------------------------------------------------------------------

        /// The one access check: `Ok` iff `who` holds `role` (merchants: and are active).
        fn ensure_role(&self, who: AccountId, role: Role) -> Result<()> {
            let ok = match role {
                Role::Merchant => self.merchant_now(who).is_some_and(|m| m.status == MerchantStatus::Active),
                _ => self.members.get(who).is_some_and(|m| m.role == role),
            };
            if ok {
                Ok(())
            } else {
                Err(Error::Unauthorized { account: who, role })
            }
        }

        fn open_proposal(&self, id: ProposalId) -> Result<Proposal> {
            let p = self.proposals.get(id).ok_or(Error::ProposalNotFound)?;
            if p.executed {
                return Err(Error::ProposalAlreadyExecuted);
            }
            if self.env().block_number() > p.expires_at {
                return Err(Error::ProposalExpired);
            }
            Ok(p)
        }

        /// Approvals from accounts that are governors now (a removed governor's vote lapses).
        fn count_approvals(&self, p: &Proposal) -> u32 {
            u32::try_from(p.approvals.iter().filter(|a| self.governors.contains(a)).count()).unwrap_or(u32::MAX)
        }

        fn check_scope(scope: &AgencyScope) -> Result<()> {
            if scope.categories.is_empty() || scope.categories.len() > MAX_SCOPE_CATEGORIES as usize {
                return Err(Error::Invalid(Field::Scope));
            }
            Ok(())
        }

        /// Checks that `action` can be applied to the current state.
        fn validate(&self, action: &Action) -> Result<()> {
            match action {
                Action::AddMember { account, role, scope, .. } => {
                    if self.members.contains(account) || self.merchants.contains(account) {
                        return Err(Error::AlreadyMember);
                    }
                    match (role, scope) {
                        (Role::Merchant, _) => return Err(Error::Invalid(Field::Role)),
                        (Role::Agency, Some(s)) => Self::check_scope(s)?,
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
                    Self::check_scope(scope)?;
                }
                Action::SetThreshold { threshold } => {
                    if *threshold == 0 || *threshold as usize > self.governors.len() {
                        return Err(Error::Invalid(Field::Threshold));
                    }
                }
                Action::SetCodeHash { target, .. } => {
                    if *target != ContractKind::Whitelist {
                        self.directory(*target)?;
                    }
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
                    if !self.members.contains(account) && !self.merchants.contains(account) {
                        return Err(Error::NotMember);
                    }
                }
                Action::AddMerchant { account, country, gs1_prefixes, brands, .. } => {
                    if self.members.contains(account) || self.merchants.contains(account) {
                        return Err(Error::AlreadyMember);
                    }
                    if !country.is_valid() {
                        return Err(Error::Invalid(Field::Country));
                    }
                    if gs1_prefixes.is_empty()
                        || gs1_prefixes.len() > MAX_GS1_PREFIXES as usize
                        || !gs1_prefixes.iter().all(|p| check_gs1_prefix(p))
                    {
                        return Err(Error::Invalid(Field::Gs1Prefix));
                    }
                    check_brands(brands)?;
                    self.ensure_prefixes_free(*account, gs1_prefixes)?;
                }
                Action::SetMerchantTier { account, .. } => {
                    self.merchants.get(account).ok_or(Error::NotMember)?;
                }
                Action::SetMerchantBrands { account, brands } => {
                    check_brands(brands)?;
                    self.merchants.get(account).ok_or(Error::NotMember)?;
                }
                Action::ConfirmSuspension { account } => {
                    let m = self.merchant_now(*account).ok_or(Error::NotMember)?;
                    let unconfirmed = self.standing.get(account).and_then(|s| s.suspension).is_some_and(|s| !s.confirmed);
                    if m.status != MerchantStatus::Suspended || !unconfirmed {
                        return Err(Error::SuspensionLapsed);
                    }
                }
                Action::ReinstateMerchant { account } => {
                    let m = self.merchant_now(*account).ok_or(Error::NotMember)?;
                    if m.status != MerchantStatus::Suspended {
                        return Err(Error::MerchantNotActive);
                    }
                }
                Action::RevokeMerchant { account, .. } => {
                    let m = self.merchants.get(account).ok_or(Error::NotMember)?;
                    if m.status == MerchantStatus::Revoked {
                        return Err(Error::MerchantNotActive);
                    }
                }
                Action::RecallLot { .. } => {
                    self.directory(ContractKind::Registry)?;
                }
                Action::ResolveDispute { .. } => {
                    self.directory(ContractKind::Attestation)?;
                    self.directory(ContractKind::Registry)?;
                }
                Action::ReleaseHold { .. } => {
                    self.directory(ContractKind::Registry)?;
                }
            }
            Ok(())
        }

        fn directory(&self, kind: ContractKind) -> Result<AccountId> {
            match kind {
                ContractKind::Whitelist => Some(self.env().account_id()),
                ContractKind::Registry => self.registry,
                ContractKind::Sampling => self.sampling,
                ContractKind::Attestation => self.attestation,
            }
            .ok_or(Error::NotWired(kind))
        }

        fn insert_member(&mut self, account: AccountId, role: Role, name_hash: Hash32, scope: Option<AgencyScope>) {
            let since = self.env().block_number();
            self.members.insert(account, &Member { role, name_hash, scope, since });
            self.member_count = self.member_count.saturating_add(1);
            if role == Role::Governor {
                self.governors.push(account);
            }
            self.env().emit_event(MemberAdded { account, role });
        }

        /// Applies a validated action.
        fn apply(&mut self, action: Action) -> Result<()> {
            match action {
                Action::AddMember { account, role, name_hash, scope } => {
                    self.insert_member(account, role, name_hash, scope);
                }
                Action::RemoveMember { account } => {
                    let m = self.members.take(account).ok_or(Error::NotMember)?;
                    self.member_count = self.member_count.saturating_sub(1);
                    self.governors.retain(|g| *g != account);
                    self.env().emit_event(MemberRemoved { account, role: m.role });
                }
                Action::SetAgencyScope { account, scope } => {
                    let mut m = self.members.get(account).ok_or(Error::NotMember)?;
                    if m.scope.as_ref() != Some(&scope) {
                        m.scope = Some(scope.clone());
                        self.members.insert(account, &m);
                        self.env().emit_event(AgencyScopeSet { account, scope });
                    }
                }
                Action::SetThreshold { threshold } => {
                    let old = self.threshold;
                    if threshold != old {
                        self.threshold = threshold;
                        self.env().emit_event(ThresholdChanged { old, new: threshold });
                    }
                }
                Action::SetCodeHash { target, code_hash } => {
                    if target == ContractKind::Whitelist {
                        self.env().set_code_hash(&code_hash).map_err(|_| Error::UpgradeFailed)?;
                    } else {
                        ext::set_code(self.directory(target)?, code_hash)?;
                    }
                    self.env().emit_event(CodeUpgraded { target, code_hash });
                }
                Action::SetSamplingRule { key, rate_bps } => {
                    ext::set_rule(self.directory(ContractKind::Sampling)?, key, rate_bps)?;
                }
                Action::RemoveSamplingRule { key } => {
                    ext::remove_rule(self.directory(ContractKind::Sampling)?, key)?;
                }
                Action::SetSamplingPolicy { default_rate_bps, passes_to_clear } => {
                    ext::set_policy(self.directory(ContractKind::Sampling)?, default_rate_bps, passes_to_clear)?;
                }
                Action::RevokeAttestation { id, reason_hash } => {
                    ext::revoke_attestation(self.directory(ContractKind::Attestation)?, id, reason_hash)?;
                }
                Action::SetDisplayName { account, name } => {
                    if self.display_names.get(account).unwrap_or_default() != name {
                        if name.is_empty() {
                            self.display_names.remove(account);
                        } else {
                            self.display_names.insert(account, &name);
                        }
                        self.env().emit_event(DisplayNameSet { account, name });
                    }
                }
                Action::AddMerchant { account, name_hash, country, gs1_prefixes, brands, tier } => {
                    for p in &gs1_prefixes {
                        for stem in prefix_stems(p) {
                            self.prefix_stems.insert(stem.to_vec(), &(p.clone(), account));
                        }
                    }
                    let since = self.env().block_number();
                    self.merchants.insert(
                        account,
                        &Merchant { name_hash, country, gs1_prefixes, tier, status: MerchantStatus::Active, since },
                    );
                    self.standing.insert(account, &MerchantStanding { brands: brands.clone(), suspension: None, revoked_at: None });
                    self.merchant_count = self.merchant_count.saturating_add(1);
                    self.env().emit_event(MerchantAdded { account, by: self.env().caller(), tier });
                    self.env().emit_event(MerchantBrandsSet { account, brands });
                }
                Action::SetMerchantTier { account, tier } => {
                    let mut m = self.merchants.get(account).ok_or(Error::NotMember)?;
                    if m.tier != tier {
                        m.tier = tier;
                        self.merchants.insert(account, &m);
                        self.env().emit_event(MerchantTierChanged { account, by: self.env().caller(), tier });
                    }
                }
                Action::SetMerchantBrands { account, brands } => {
                    let mut standing = self.standing.get(account).unwrap_or_default();
                    if standing.brands != brands {
                        standing.brands = brands.clone();
                        self.standing.insert(account, &standing);
                        self.env().emit_event(MerchantBrandsSet { account, brands });
                    }
                }
                Action::ConfirmSuspension { account } => {
                    let mut standing = self.standing.get(account).unwrap_or_default();
                    if let Some(s) = standing.suspension.as_mut() {
                        s.confirmed = true;
                    }
                    self.standing.insert(account, &standing);
                    self.env().emit_event(SuspensionConfirmed { account });
                }
                Action::ReinstateMerchant { account } => {
                    let mut m = self.merchants.get(account).ok_or(Error::NotMember)?;
                    m.status = MerchantStatus::Active;
                    self.merchants.insert(account, &m);
                    let mut standing = self.standing.get(account).unwrap_or_default();
                    standing.suspension = None;
                    self.standing.insert(account, &standing);
                    self.env().emit_event(MerchantStatusChanged {
                        account,
                        by: self.env().caller(),
                        status: MerchantStatus::Active,
                        reason_hash: None,
                    });
                }
                Action::RevokeMerchant { account, reason_hash } => {
                    let mut m = self.merchants.get(account).ok_or(Error::NotMember)?;
                    m.status = MerchantStatus::Revoked;
                    self.merchants.insert(account, &m);
                    let mut standing = self.standing.get(account).unwrap_or_default();
                    standing.suspension = None;
                    standing.revoked_at = Some(self.env().block_number());
                    self.standing.insert(account, &standing);
                    self.env().emit_event(MerchantStatusChanged {
                        account,
                        by: self.env().caller(),
                        status: MerchantStatus::Revoked,
                        reason_hash: Some(reason_hash),
                    });
                }
                Action::RecallLot { lot, reason_hash } => {
                    ext::recall_lot(self.directory(ContractKind::Registry)?, lot, reason_hash)?;
                }
                Action::ResolveDispute { lot, release } => {
                    ext::resolve_dispute(self.directory(ContractKind::Attestation)?, lot, release)?;
                    // the release's effect on the lot: made here, so no contract calls back into
                    // the whitelist while it executes
                    let registry = self.directory(ContractKind::Registry)?;
                    if release && ext::lot(registry, lot).is_some_and(|l| l.status == LotStatus::Held) {
                        ext::release_lot(registry, lot)?;
                    }
                }
                Action::ReleaseHold { lot } => {
                    ext::release_lot(self.directory(ContractKind::Registry)?, lot)?;
                }
            }
            Ok(())
        }
    }

    impl WhitelistApi for Whitelist {
        /// The role of `who`, if it is a member (merchants of any status included).
        #[ink(message)]
        fn role_of(&self, who: AccountId) -> Option<Role> {
            if self.merchants.contains(who) {
                return Some(Role::Merchant);
            }
            self.members.get(who).map(|m| m.role)
        }

        /// The merchant record of `who`, its status as of now.
        #[ink(message)]
        fn merchant(&self, who: AccountId) -> Option<Merchant> {
            self.merchant_now(who)
        }

        /// Whether `who` is an active merchant allowed to register `gtin`.
        #[ink(message)]
        fn may_register_gtin(&self, who: AccountId, gtin: Gtin) -> bool {
            gtin.is_valid() && self.merchant_now(who).is_some_and(|m| m.may_register(&gtin))
        }

        /// `Ok` iff `who` is an active merchant that may register `gtin` under `brand`.
        #[ink(message)]
        fn check_product(&self, who: AccountId, gtin: Gtin, brand: Vec<u8>) -> Result<()> {
            let brands = self.standing.get(who).map(|s| s.brands).unwrap_or_default();
            check_product_rule(who, self.merchant_now(who).as_ref(), &brands, &gtin, &brand)
        }

        /// When `who`'s accreditation ends, if it is an agency accredited for `category` now.
        #[ink(message)]
        fn check_agency(&self, who: AccountId, category: Category) -> Result<Timestamp> {
            check_agency_rule(who, self.members.get(who).as_ref(), category, self.env().block_timestamp())
        }

        /// The address of a contract of the deployment.
        #[ink(message)]
        fn contract_of(&self, kind: ContractKind) -> Option<AccountId> {
            self.directory(kind).ok()
        }
    }

}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod props;
