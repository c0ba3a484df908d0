//! Roles, statuses, records and the one `Error` every tracepass contract returns.
// The SCALE and storage-layout derives cast enum variant indices to u8 in code spanned on these
// definitions; cargo-contract's clippy gate (-D cast_possible_truncation) would reject them.
// Hand-written code here has no such casts (it uses try_from).
#![allow(clippy::cast_possible_truncation)]

use crate::ids::*;
use crate::merkle::Node;
use alloc::vec::Vec;
use ink::primitives::{AccountId, Hash};

/// Block numbers of the chain (u32 on substrate-contracts-node).
pub type BlockNumber = u32;
/// Milliseconds since the Unix epoch (the chain's timestamp).
pub type Timestamp = u64;

/// What a consortium member is. An account holds at most one role.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum Role {
    /// Votes on membership, thresholds and upgrades; onboards and suspends merchants.
    Governor,
    /// An accredited inspection or certification body.
    Agency,
    /// A customs authority: records arrivals and clearances.
    Customs,
    /// A logistics partner: records shipping, receiving and storing.
    Logistics,
    /// A whitelisted merchant: registers factories, products and lots.
    Merchant,
}

/// A merchant's risk tier; sampling rules can target each.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum MerchantTier {
    /// The default.
    Standard,
    /// A merchant with a long clean record.
    Trusted,
    /// A merchant under closer watch (set by a governor, or by failed inspections).
    Watched,
}

/// Whether a merchant may act.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum MerchantStatus {
    /// May register and its products verify as genuine.
    Active,
    /// Temporarily barred: registers nothing, and its items do not verify as genuine.
    Suspended,
    /// Permanently removed.
    Revoked,
}

/// A merchant's whitelist record.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Merchant {
    /// blake2-256 of the organisation's legal name (the name itself stays off chain).
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
    pub name_hash: Hash32,
    /// Country of registration.
    pub country: CountryCode,
    /// GS1 company prefixes (digits) the merchant may register GTINs under.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::texts"))]
    pub gs1_prefixes: Vec<Vec<u8>>,
    /// Risk tier chosen by governors.
    pub tier: MerchantTier,
    /// Current status.
    pub status: MerchantStatus,
    /// Block of onboarding.
    pub since: BlockNumber,
}

/// An agency's accreditation: which product categories it may inspect or certify, until when.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AgencyScope {
    /// Product categories covered.
    pub categories: Vec<Category>,
    /// End of validity (ms since epoch, exclusive).
    pub valid_until: Timestamp,
}

impl Merchant {
    /// The rule of `may_register_gtin`: active, and the GTIN is under one of its prefixes.
    pub fn may_register(&self, gtin: &Gtin) -> bool {
        self.status == MerchantStatus::Active
            && self.gs1_prefixes.iter().any(|p| gtin.has_company_prefix(p))
    }
}

/// The rule of `check_agency`: `member` (the record of `who`, if any) is an agency whose
/// accreditation covers `category` and is valid at `now`; answers when the accreditation ends.
pub fn check_agency_rule(
    who: AccountId,
    member: Option<&Member>,
    category: Category,
    now: Timestamp,
) -> Result<Timestamp> {
    let scope = match member {
        Some(Member { role: Role::Agency, scope: Some(scope), .. }) => scope,
        _ => return Err(Error::Unauthorized { account: who, role: Role::Agency }),
    };
    if now >= scope.valid_until {
        return Err(Error::AccreditationExpired { agency: who });
    }
    if !scope.categories.contains(&category) {
        return Err(Error::OutOfScope { agency: who, category });
    }
    Ok(scope.valid_until)
}

/// The rule for an inspection's or certification's `valid_until`: after `now`, at most
/// `MAX_VALIDITY_MS` ahead, and not after the issuing agency's accreditation ends
/// (`accredited_until`, from `check_agency_rule`): evidence cannot outlive its issuer's mandate.
pub fn check_validity(now: Timestamp, valid_until: Timestamp, accredited_until: Timestamp) -> Result<()> {
    if valid_until <= now || valid_until > now.saturating_add(crate::bounds::MAX_VALIDITY_MS) || valid_until > accredited_until {
        return Err(Error::Invalid(Field::ValidUntil));
    }
    Ok(())
}

/// A non-merchant member's record.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Member {
    /// The member's role.
    pub role: Role,
    /// blake2-256 of the organisation's name.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
    pub name_hash: Hash32,
    /// Accreditation, for agencies only.
    pub scope: Option<AgencyScope>,
    /// Block of admission.
    pub since: BlockNumber,
}

/// The contracts of a deployment, as named in the whitelist's directory.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum ContractKind {
    /// Members, roles and governance.
    Whitelist,
    /// Factories, products, lots and trace events.
    Registry,
    /// Sampling rules, epochs and selection.
    Sampling,
    /// Inspections, certifications and customs clearances.
    Attestation,
}

/// The key of a sampling rule. `None` matches anything; the rule with the most `Some` fields
/// that match wins (ties: category before origin before tier).
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RuleKey {
    /// Product category, or any.
    pub category: Option<Category>,
    /// Origin country, or any.
    pub origin: Option<CountryCode>,
    /// Merchant tier, or any.
    pub tier: Option<MerchantTier>,
}

impl RuleKey {
    /// True if the rule applies to a lot with these attributes.
    pub fn matches(&self, category: Category, origin: CountryCode, tier: MerchantTier) -> bool {
        self.category.is_none_or(|c| c == category)
            && self.origin.is_none_or(|o| o == origin)
            && self.tier.is_none_or(|t| t == tier)
    }

    /// How specific the rule is: higher wins.
    pub fn specificity(&self) -> u8 {
        let mut s = 0u8;
        if self.category.is_some() {
            s |= 4;
        }
        if self.origin.is_some() {
            s |= 2;
        }
        if self.tier.is_some() {
            s |= 1;
        }
        s
    }
}

impl RuleKey {
    /// The bounds of a sampling rule, checked by the whitelist on a proposal and by sampling on
    /// the call: the rate (`check_rate`), and the origin, if any, an assigned country code
    /// (`Invalid(Rate)`, then `Invalid(Country)`).
    pub fn check_rule(&self, rate_bps: u16) -> Result<()> {
        check_rate(rate_bps)?;
        if self.origin.is_some_and(|o| !o.is_valid()) {
            return Err(Error::Invalid(Field::Country));
        }
        Ok(())
    }
}

/// The rule for a display name (of a merchant, a member or a factory), checked by the whitelist
/// on a `SetDisplayName` proposal and again on its execution, by the registry's
/// `set_factory_name`, and by the client before it sends: valid UTF-8 of at most
/// `MAX_DISPLAY_NAME_LEN` bytes, no control character (`char::is_control`: C0, DEL and C1, so no
/// line breaks or terminal escapes), no invisible formatting character (bidirectional overrides,
/// zero-width characters: see `is_invisible_format`), and not only whitespace. The empty name is allowed: it
/// removes the name. `Invalid(DisplayName)` if not.
pub fn check_display_name(name: &[u8]) -> Result<()> {
    if name.len() > crate::bounds::MAX_DISPLAY_NAME_LEN || check_display_text(name).is_err() {
        return Err(Error::Invalid(Field::DisplayName));
    }
    Ok(())
}

/// The text rules a consumer-facing name follows, whatever its bound: UTF-8, no control or
/// invisible format characters, not only whitespace (empty is allowed).
fn check_display_text(name: &[u8]) -> core::result::Result<(), ()> {
    let text = core::str::from_utf8(name).map_err(|_| ())?;
    if text.chars().any(|c| c.is_control() || is_invisible_format(c)) || (!text.is_empty() && text.chars().all(char::is_whitespace)) {
        return Err(());
    }
    Ok(())
}

/// Characters that change how a name reads without being seen: bidirectional embeddings,
/// overrides, isolates and marks (a name shown reversed), zero-width spaces and joiners, the
/// byte-order mark, soft hyphen, word joiner and invisible operators.
fn is_invisible_format(c: char) -> bool {
    matches!(c, '\u{00ad}' | '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
}

/// A sampling rate: at most `BPS_DENOMINATOR` basis points (100 %), else `Invalid(Rate)`.
pub fn check_rate(rate_bps: u16) -> Result<()> {
    if u32::from(rate_bps) > crate::bounds::BPS_DENOMINATOR {
        return Err(Error::Invalid(Field::Rate));
    }
    Ok(())
}

/// The sampling contract's policy: the rate when no rule matches, and the consecutive passes
/// that lower a watched merchant's raised risk. Set at instantiation and by governance
/// (`Action::SetSamplingPolicy`); the whitelist checks the proposal and sampling the call with
/// the same [`SamplingPolicy::check`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SamplingPolicy {
    /// Rate in basis points when no rule matches.
    pub default_rate_bps: u16,
    /// Consecutive passes that lower a raised risk (1..=`MAX_PASS_STREAK`).
    pub passes_to_clear: u32,
}

impl SamplingPolicy {
    /// The policy's bounds: the default rate (`check_rate`), then 1..=`MAX_PASS_STREAK` passes
    /// (`Invalid(PassesToClear)`).
    pub fn check(&self) -> Result<()> {
        check_rate(self.default_rate_bps)?;
        if self.passes_to_clear == 0 || self.passes_to_clear > crate::bounds::MAX_PASS_STREAK {
            return Err(Error::Invalid(Field::PassesToClear));
        }
        Ok(())
    }
}

/// What a governance proposal does when executed.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum Action {
    /// Admit a governor, agency, customs or logistics member (merchants: `AddMerchant`).
    AddMember {
        /// The account admitted.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        account: AccountId,
        /// Its role (not `Merchant`).
        role: Role,
        /// blake2-256 of the organisation's name.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
        name_hash: Hash32,
        /// Accreditation, required for and only for agencies.
        scope: Option<AgencyScope>,
    },
    /// Remove a non-merchant member.
    RemoveMember {
        /// The account removed.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        account: AccountId,
    },
    /// Replace an agency's accreditation.
    SetAgencyScope {
        /// The agency.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        account: AccountId,
        /// Its new scope.
        scope: AgencyScope,
    },
    /// Change M, the approvals a proposal needs.
    SetThreshold {
        /// The new threshold (1..=number of governors).
        threshold: u8,
    },
    /// Replace a contract's code, keeping its storage.
    SetCodeHash {
        /// The contract upgraded.
        target: ContractKind,
        /// Code hash of the new code, already uploaded.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
        code_hash: Hash,
    },
    /// Set (or replace) a sampling rule's rate.
    SetSamplingRule {
        /// What the rule matches.
        key: RuleKey,
        /// Rate in basis points.
        rate_bps: u16,
    },
    /// Remove a sampling rule.
    RemoveSamplingRule {
        /// The rule removed.
        key: RuleKey,
    },
    /// Revoke an attestation on the consortium's authority.
    RevokeAttestation {
        /// The attestation.
        id: AttestationId,
        /// blake2-256 of the reason.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
        reason_hash: Hash32,
    },
    /// Set the rate used when no rule matches, and the risk feedback bounds.
    SetSamplingPolicy {
        /// Default rate in basis points.
        default_rate_bps: u16,
        /// Consecutive passes that take a watched merchant back to its own tier.
        passes_to_clear: u32,
    },
    /// Set the display name of a merchant (of any status) or a non-merchant member, shown to
    /// consumers instead of its address; an empty name removes it.
    SetDisplayName {
        /// The merchant or member named.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        account: AccountId,
        /// The name: UTF-8, as [`check_display_name`] allows.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::text"))]
        name: Vec<u8>,
    },
    /// Onboard a merchant with its GS1 company prefixes and the brands it may register.
    AddMerchant {
        /// The merchant's account.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        account: AccountId,
        /// blake2-256 of its legal name.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
        name_hash: Hash32,
        /// Country of registration.
        country: CountryCode,
        /// Its GS1 company prefixes (6 to 12 digits, none overlapping a granted one).
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::texts"))]
        gs1_prefixes: Vec<Vec<u8>>,
        /// The brands its products may carry ([`check_brands`]).
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::texts"))]
        brands: Vec<Vec<u8>>,
        /// Its risk tier.
        tier: MerchantTier,
    },
    /// Change a merchant's risk tier (it sets the merchant's sampling rate).
    SetMerchantTier {
        /// The merchant.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        account: AccountId,
        /// Its new tier.
        tier: MerchantTier,
    },
    /// Replace the brands a merchant may register products under (products registered keep
    /// theirs).
    SetMerchantBrands {
        /// The merchant.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        account: AccountId,
        /// Its brands ([`check_brands`]).
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::texts"))]
        brands: Vec<Vec<u8>>,
    },
    /// Confirm a governor's suspension of a merchant before it lapses: it then holds until
    /// `ReinstateMerchant`.
    ConfirmSuspension {
        /// The suspended merchant.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        account: AccountId,
    },
    /// Lift a merchant's suspension (confirmed or not).
    ReinstateMerchant {
        /// The suspended merchant.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        account: AccountId,
    },
    /// Revoke a merchant for good. Not retroactive: its lots registered before say so.
    RevokeMerchant {
        /// The merchant.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        account: AccountId,
        /// blake2-256 of the reason.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
        reason_hash: Hash32,
    },
    /// Recall a lot on the consortium's authority (its merchant recalls it directly).
    RecallLot {
        /// The lot.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
        lot: LotId,
        /// blake2-256 of the recall notice.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
        reason_hash: Hash32,
    },
    /// Decide a merchant's dispute of a failed inspection of `lot`: release the lot (only when
    /// a different agency's re-test passed and is valid) or confirm its hold.
    ResolveDispute {
        /// The disputed lot.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
        lot: LotId,
        /// `true`: release the lot; `false`: confirm the hold.
        release: bool,
    },
    /// Release a held lot that no fail holds: a customs hold, or one whose fail governance
    /// revoked. (A lot a valid fail holds is answered through its dispute; releasing it here
    /// moves its status, not its verdict.)
    ReleaseHold {
        /// The held lot.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
        lot: LotId,
    },
}

/// A merchant's suspension by one governor: an emergency brake that lapses
/// `SUSPENSION_CONFIRM_MS` after it was applied unless governance confirms it
/// (`Action::ConfirmSuspension`). After a lapse the same merchant cannot be suspended by one
/// governor again for `SUSPENSION_COOLDOWN_MS`, so no single key keeps a merchant down by
/// renewing its own brake.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Suspension {
    /// The governor who applied it.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
    pub by: AccountId,
    /// When (chain time, ms).
    pub at: Timestamp,
    /// blake2-256 of the reason.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
    pub reason_hash: Hash32,
    /// Confirmed by M governors: it holds until reinstatement.
    pub confirmed: bool,
}

impl Suspension {
    /// When an unconfirmed suspension stops holding.
    pub fn lapses_at(&self) -> Timestamp {
        self.at.saturating_add(crate::bounds::SUSPENSION_CONFIRM_MS)
    }

    /// Whether it holds at `now`.
    pub fn in_force(&self, now: Timestamp) -> bool {
        self.confirmed || now < self.lapses_at()
    }

    /// Until when, after a lapse, one governor may not suspend the merchant again.
    pub fn cooldown_until(&self) -> Timestamp {
        self.lapses_at().saturating_add(crate::bounds::SUSPENSION_COOLDOWN_MS)
    }
}

/// What the whitelist keeps beside a merchant's record (whose stored layout is unchanged).
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MerchantStanding {
    /// The brands its products may carry, as governance authorised them.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::texts"))]
    pub brands: Vec<Vec<u8>>,
    /// Its latest one-governor suspension, while it holds or bars a renewal.
    pub suspension: Option<Suspension>,
    /// Block of its revocation, once revoked (lots registered before it stay its lots).
    pub revoked_at: Option<BlockNumber>,
}

/// Brands authorised for a merchant: 1 to `MAX_BRANDS_PER_MERCHANT`, each one [`check_brand`],
/// no two equal; else `Invalid(Brand)`.
pub fn check_brands(brands: &[Vec<u8>]) -> Result<()> {
    if brands.is_empty() || brands.len() > crate::bounds::MAX_BRANDS_PER_MERCHANT as usize {
        return Err(Error::Invalid(Field::Brand));
    }
    for (i, b) in brands.iter().enumerate() {
        check_brand(b)?;
        if brands[..i].contains(b) {
            return Err(Error::Invalid(Field::Brand));
        }
    }
    Ok(())
}

/// A brand name: 1 to `MAX_BRAND_LEN` bytes of UTF-8 under the display-name rules (no control
/// or invisible format characters, not only whitespace); else `Invalid(Brand)`. Brands match
/// byte for byte, so "Nestle" is not "Nestlé".
pub fn check_brand(brand: &[u8]) -> Result<()> {
    if brand.is_empty() || brand.len() > crate::bounds::MAX_BRAND_LEN || check_display_text(brand).is_err() {
        return Err(Error::Invalid(Field::Brand));
    }
    Ok(())
}

/// The rule of `WhitelistApi::check_product`: `merchant` (the record of `who`, with its status
/// as of now) is active, `gtin` falls under one of its prefixes and `brand` is one of `brands`.
pub fn check_product_rule(who: AccountId, merchant: Option<&Merchant>, brands: &[Vec<u8>], gtin: &Gtin, brand: &[u8]) -> Result<()> {
    let m = merchant.ok_or(Error::Unauthorized { account: who, role: Role::Merchant })?;
    if m.status != MerchantStatus::Active {
        return Err(Error::MerchantNotActive);
    }
    if !m.may_register(gtin) {
        return Err(Error::GtinNotAllowed);
    }
    if !brands.iter().any(|b| b.as_slice() == brand) {
        return Err(Error::BrandNotAuthorized { merchant: who, brand: brand.to_vec() });
    }
    Ok(())
}

/// A governance proposal.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Proposal {
    /// What it does.
    pub action: Action,
    /// The governor who proposed it (counted as its first approval).
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
    pub proposer: AccountId,
    /// Governors who approved it.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::accounts"))]
    pub approvals: Vec<AccountId>,
    /// Last block in which it can be approved or executed.
    pub expires_at: BlockNumber,
    /// Whether it was executed (proposals execute once).
    pub executed: bool,
}

/// Where a lot is in its journey.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum LotStatus {
    /// Registered by its merchant.
    Registered,
    /// Shipped towards the importing country.
    InTransit,
    /// Arrived at the port of entry.
    AtCustoms,
    /// Cleared by customs.
    Cleared,
    /// Held after a failed inspection or by customs.
    Held,
    /// Released after a hold.
    Released,
    /// Recalled (final).
    Recalled,
}

impl LotStatus {
    /// Every status, in declaration order (for tests and listings).
    pub const ALL: [LotStatus; 7] = [
        LotStatus::Registered,
        LotStatus::InTransit,
        LotStatus::AtCustoms,
        LotStatus::Cleared,
        LotStatus::Held,
        LotStatus::Released,
        LotStatus::Recalled,
    ];

    /// The legal transitions. Recalled is reachable from every state except itself and is final.
    pub fn can_become(self, to: LotStatus) -> bool {
        use LotStatus::*;
        matches!(
            (self, to),
            (Registered, InTransit)
                | (InTransit, AtCustoms)
                | (AtCustoms, Cleared)
                | (Registered | InTransit | AtCustoms | Cleared | Released, Held)
                | (Held, Released)
        ) || (to == Recalled && self != Recalled)
    }
}

/// EPCIS / CBV business steps a trace event can record.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum BusinessStep {
    /// cbv:BizStep-commissioning (production).
    Commissioning,
    /// cbv:BizStep-packing (processing).
    Packing,
    /// cbv:BizStep-shipping: moves a Registered lot to InTransit.
    Shipping,
    /// cbv:BizStep-arriving: arrival at the port of entry; moves InTransit to AtCustoms.
    Arriving,
    /// cbv:BizStep-receiving (warehouse or consignee receipt).
    Receiving,
    /// cbv:BizStep-storing (warehousing).
    Storing,
    /// Customs clearance (Customs only): moves AtCustoms to Cleared.
    CustomsClearance,
    /// cbv:BizStep-inspecting (Agency only).
    Inspecting,
    /// cbv:BizStep-holding (Customs only): puts the lot on Held.
    Holding,
    /// Recall, written by `recall` only.
    Recalling,
}

impl BusinessStep {
    /// Every step, in declaration order (for tests and listings).
    pub const ALL: [BusinessStep; 10] = [
        BusinessStep::Commissioning,
        BusinessStep::Packing,
        BusinessStep::Shipping,
        BusinessStep::Arriving,
        BusinessStep::Receiving,
        BusinessStep::Storing,
        BusinessStep::CustomsClearance,
        BusinessStep::Inspecting,
        BusinessStep::Holding,
        BusinessStep::Recalling,
    ];

    /// Whether an account with `role` (and `is_owner`: the lot's merchant) may record `self`.
    pub fn allowed_for(self, role: Option<Role>, is_owner: bool) -> bool {
        use BusinessStep::*;
        match self {
            Commissioning | Packing => is_owner,
            Shipping | Receiving | Storing => is_owner || role == Some(Role::Logistics),
            Arriving => role == Some(Role::Logistics) || role == Some(Role::Customs),
            CustomsClearance | Holding => role == Some(Role::Customs),
            Inspecting => role == Some(Role::Agency),
            Recalling => false,
        }
    }

    /// The role that records `self` (the owner's steps: `Merchant`), named in the
    /// `Unauthorized` error a caller who is no member at all gets from `add_event`.
    pub fn required_role(self) -> Role {
        use BusinessStep::*;
        match self {
            CustomsClearance | Holding | Arriving => Role::Customs,
            Inspecting => Role::Agency,
            Shipping | Receiving | Storing => Role::Logistics,
            Commissioning | Packing | Recalling => Role::Merchant,
        }
    }

    /// The status the step moves a lot to, if any.
    pub fn moves_to(self) -> Option<LotStatus> {
        match self {
            BusinessStep::Shipping => Some(LotStatus::InTransit),
            BusinessStep::Arriving => Some(LotStatus::AtCustoms),
            BusinessStep::CustomsClearance => Some(LotStatus::Cleared),
            BusinessStep::Holding => Some(LotStatus::Held),
            _ => None,
        }
    }
}

/// Where an event happened.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Location {
    /// Country.
    pub country: CountryCode,
    /// UN/LOCODE (5 characters: country + 3) or GLN (13 digits); may be empty.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::text"))]
    pub code: Vec<u8>,
}

impl Location {
    /// The registry's rule for a trace event's location: an assigned country and a code of at
    /// most `MAX_LOCATION_LEN` ASCII letters and digits (empty: none). `Invalid(Location)` if not.
    pub fn check(&self) -> Result<()> {
        if !self.country.is_valid()
            || self.code.len() > crate::bounds::MAX_LOCATION_LEN
            || !self.code.iter().all(u8::is_ascii_alphanumeric)
        {
            return Err(Error::Invalid(Field::Location));
        }
        Ok(())
    }
}

/// One append-only trace event of a lot.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TraceEvent {
    /// What happened.
    pub step: BusinessStep,
    /// Who recorded it.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
    pub actor: AccountId,
    /// When it happened in the world (ms), as stated by the actor (not after `recorded_at`).
    pub event_time: Timestamp,
    /// When the chain recorded it (block timestamp, ms).
    pub recorded_at: Timestamp,
    /// Where.
    pub location: Location,
    /// blake2-256 of the supporting document (waybill, declaration...), or zeros.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
    pub document_hash: Hash32,
}

/// A factory.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Factory {
    /// The merchant that registered it.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
    pub merchant: AccountId,
    /// Where it is.
    pub country: CountryCode,
    /// blake2-256 of its name and address.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
    pub name_hash: Hash32,
}

/// What a merchant gives to register a product.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct ProductInput {
    /// The product's GTIN (normalised by the caller with [`Gtin::parse`]; checked again).
    pub gtin: Gtin,
    /// Brand name (UTF-8, at most `MAX_BRAND_LEN` bytes).
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::text"))]
    pub brand: Vec<u8>,
    /// Product category code.
    pub category: Category,
    /// Country of origin.
    pub origin: CountryCode,
    /// The producing factory (registered by the same merchant).
    pub factory: FactoryId,
    /// HS tariff code (6 to 10 digits).
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::text"))]
    pub hs_code: Vec<u8>,
    /// blake2-256 of the product's metadata document.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
    pub metadata_hash: Hash32,
    /// Where the metadata document is (at most `MAX_URI_LEN` bytes; may be empty).
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::text"))]
    pub uri: Vec<u8>,
}

/// A registered product (the SKU class).
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Product {
    /// What the merchant registered.
    pub info: ProductInput,
    /// The owning merchant.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
    pub merchant: AccountId,
    /// Block of registration.
    pub registered_at: BlockNumber,
}

/// What a merchant gives to register a lot.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LotInput {
    /// The product.
    pub gtin: Gtin,
    /// GS1 AI (10) lot number.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::text"))]
    pub lot_number: Vec<u8>,
    /// Number of items (leaves of the tree).
    pub item_count: u32,
    /// Merkle root over the items' IDs, in serials-file order.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
    pub root: Node,
    /// Production date, `YYYYMMDD`.
    pub produced_on: Date,
    /// Expiry date, `YYYYMMDD` (not before production).
    pub expires_on: Date,
}

/// A registered lot.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Lot {
    /// What the merchant registered.
    pub info: LotInput,
    /// The owning merchant.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
    pub merchant: AccountId,
    /// Block of registration (fixes the sampling epoch).
    pub registered_at: BlockNumber,
    /// Current status.
    pub status: LotStatus,
    /// Trace events recorded so far.
    pub event_count: u32,
    /// Why it was recalled (hash of the notice), once recalled.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex_opt"))]
    pub recall_reason: Option<Hash32>,
}

/// Result of an inspection.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum InspectionResult {
    /// Conforms to the standard.
    Pass,
    /// Does not conform.
    Fail,
}

/// What an attestation says.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum Claim {
    /// A quality inspection of a lot by an accredited agency.
    QualityInspection {
        /// The lot inspected.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
        lot: LotId,
        /// Pass or fail.
        result: InspectionResult,
        /// Standard inspected against.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::text"))]
        standard: Vec<u8>,
        /// Number of items sampled.
        items_sampled: u32,
        /// blake2-256 of the report.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
        report_hash: Hash32,
        /// Where the report is.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::text"))]
        report_uri: Vec<u8>,
        /// When the inspection was done (ms).
        inspected_at: Timestamp,
        /// Whether sampling had selected the lot (false: a voluntary inspection).
        selected: bool,
    },
    /// A factory certification by an accredited agency.
    FactoryCertification {
        /// The factory certified.
        factory: FactoryId,
        /// Product category the certification covers (checked against the agency's accreditation).
        category: Category,
        /// Standard certified against (e.g. ISO 22000, GMP).
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::text"))]
        standard: Vec<u8>,
        /// blake2-256 of the certificate number.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
        certificate_hash: Hash32,
    },
    /// A customs clearance of a lot.
    CustomsClearance {
        /// The lot cleared.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
        lot: LotId,
        /// Port of entry (UN/LOCODE).
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::text"))]
        port: Vec<u8>,
        /// blake2-256 of the customs declaration.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex"))]
        declaration_hash: Hash32,
        /// When it was cleared (ms).
        cleared_at: Timestamp,
    },
}

/// An attestation record.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Attestation {
    /// What it says.
    pub claim: Claim,
    /// Who issued it.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
    pub issuer: AccountId,
    /// When the chain recorded it (ms).
    pub issued_at: Timestamp,
    /// End of validity (ms, exclusive); `None` for customs clearances, which do not expire.
    pub valid_until: Option<Timestamp>,
    /// The earlier attestation this one re-tests, if any.
    pub answers: Option<AttestationId>,
    /// Revocation: who and why (hash of the reason), once revoked.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::revocation"))]
    pub revoked: Option<(AccountId, Hash32)>,
}

/// How a dispute of a failed inspection ended.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum DisputeOutcome {
    /// M governors accepted the passing re-test: the failed inspection no longer holds the lot.
    Released,
    /// M governors confirmed the hold.
    HoldConfirmed,
}

/// A merchant's dispute of a failed inspection of its lot: a different accredited agency
/// re-tests, and governance decides.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Dispute {
    /// The failed inspection disputed.
    pub failed: AttestationId,
    /// When the merchant opened it (chain time, ms).
    pub opened_at: Timestamp,
    /// The latest re-test (an inspection by another agency naming `failed`), if any.
    pub retest: Option<AttestationId>,
    /// The decision, once made (`None`: open).
    pub outcome: Option<DisputeOutcome>,
}

impl Dispute {
    /// Whether governance has not decided it yet.
    pub fn is_open(&self) -> bool {
        self.outcome.is_none()
    }
}

/// The inspections of a lot that count: each agency's latest (a new inspection supersedes the
/// agency's own earlier ones, never another agency's), in issue order. `attestations` are the
/// lot's, oldest first, as `of_lot` answers.
pub fn active_inspections(attestations: &[(AttestationId, Attestation)]) -> Vec<(AttestationId, &Attestation)> {
    let mut out: Vec<(AttestationId, &Attestation)> = Vec::new();
    for (id, a) in attestations {
        if let Claim::QualityInspection { .. } = a.claim {
            out.retain(|(_, b)| b.issuer != a.issuer);
            out.push((*id, a));
        }
    }
    out
}

/// Whether an attestation still counts as evidence.
///
/// Revocation is not retroactive on effects: a lot held after a failed inspection stays held
/// until a passing re-test, even if the failed inspection is later revoked; a revoked or expired
/// attestation simply stops counting as evidence for verifiers.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum AttestationStatus {
    /// Not revoked and within its validity.
    Valid,
    /// Past its `valid_until`.
    Expired,
    /// Revoked by its issuer or by governance.
    Revoked,
}

impl Claim {
    /// The role that issues this kind of claim: agencies inspect and certify, customs clear.
    pub fn issuer_role(&self) -> Role {
        match self {
            Claim::QualityInspection { .. } | Claim::FactoryCertification { .. } => Role::Agency,
            Claim::CustomsClearance { .. } => Role::Customs,
        }
    }
}

impl Attestation {
    /// Status at time `now` (ms).
    pub fn status_at(&self, now: Timestamp) -> AttestationStatus {
        if self.revoked.is_some() {
            AttestationStatus::Revoked
        } else if self.valid_until.is_some_and(|v| now >= v) {
            AttestationStatus::Expired
        } else {
            AttestationStatus::Valid
        }
    }
}

/// The sampling decision for a lot.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum Selection {
    /// The sampling contract has no record of the lot.
    Unknown,
    /// The lot's epoch seed is not revealed yet.
    SeedPending,
    /// The lot must be inspected.
    Selected,
    /// The lot was not drawn.
    NotSelected,
}

impl Selection {
    /// Every decision, in declaration order (for tests).
    pub const ALL: [Selection; 4] = [Selection::Unknown, Selection::SeedPending, Selection::Selected, Selection::NotSelected];

    /// The decision for `lot`, sampled at `rate_bps`, once its epoch is final with `seed`:
    /// selected iff `sampling_draw(seed, lot) < rate_bps`; a lot at rate 0 is never selected;
    /// every other lot is selected when the epoch was finalised with no reveal (`seed` is
    /// `None`, fail safe).
    pub fn of_final(seed: Option<&Hash32>, lot: &LotId, rate_bps: u16) -> Selection {
        match seed {
            _ if rate_bps == 0 => Selection::NotSelected,
            Some(seed) if sampling_draw(seed, lot) >= u32::from(rate_bps) => Selection::NotSelected,
            _ => Selection::Selected,
        }
    }

    /// The decision for `lot` at `rate_bps` whatever the state of its epoch: a rate of 0 or of
    /// 100 % needs no draw, so it is known at registration (a lot is never left "pending" for a
    /// decision nobody could change); otherwise `SeedPending` until the epoch is final
    /// (`seed`: `None` while not final, `Some(seed)` once final), then [`Selection::of_final`].
    pub fn decide(seed: Option<Option<&Hash32>>, lot: &LotId, rate_bps: u16) -> Selection {
        if rate_bps == 0 {
            return Selection::NotSelected;
        }
        if u32::from(rate_bps) >= crate::bounds::BPS_DENOMINATOR {
            return Selection::Selected;
        }
        match seed {
            None => Selection::SeedPending,
            Some(seed) => Selection::of_final(seed, lot, rate_bps),
        }
    }
}

/// What the sampling contract fixed for a lot when it was registered.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LotSample {
    /// The sampling epoch of the registration block.
    pub epoch: u32,
    /// The rate that applied, in basis points.
    pub rate_bps: u16,
    /// The rule that gave the rate; `None`: the default rate.
    pub rule: Option<RuleKey>,
    /// The merchant.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
    pub merchant: AccountId,
    /// The merchant's tier used for the rule match (Watched while its risk is raised).
    pub tier: MerchantTier,
}

/// A merchant's inspection record, as sampling's risk feedback sees it.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[cfg_attr(feature = "std", derive(ink::storage::traits::StorageLayout))]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Risk {
    /// Sampled as Watched, whatever its whitelist tier, after a failed inspection.
    pub raised: bool,
    /// Consecutive passes since the last failure.
    pub pass_streak: u32,
    /// Failed inspections in total.
    pub failures: u32,
}

/// Where a sampling epoch is.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum EpochPhase {
    /// Not open yet: members may commit.
    Committing,
    /// Open: lots registered now belong to it.
    Open,
    /// Closed: committers reveal.
    Revealing,
    /// Reveal deadline passed (or all revealed): anyone may finalise.
    Finalizable,
    /// Seed fixed.
    Final,
}

/// A sampling epoch, for queries.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct EpochView {
    /// The epoch number.
    pub epoch: u32,
    /// When the epoch opens (chain time, ms since the Unix epoch).
    pub opens_at: Timestamp,
    /// When it closes: lots of blocks timed from here on belong to a later epoch.
    pub closes_at: Timestamp,
    /// When the reveal window ends.
    pub reveal_deadline: Timestamp,
    /// Phase at the current block's time.
    pub phase: EpochPhase,
    /// Members who committed, in commit order.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::accounts"))]
    pub committers: Vec<AccountId>,
    /// Members who revealed.
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::accounts"))]
    pub revealed: Vec<AccountId>,
    /// Members who committed but did not reveal by the deadline (known once final).
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::accounts"))]
    pub skipped: Vec<AccountId>,
    /// The seed, once final; `None` if final with no reveal (every lot of the epoch is selected).
    #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::hex_opt"))]
    pub seed: Option<Hash32>,
}

/// The draw of lot `lot` under `seed`: a number in `0..BPS_DENOMINATOR`. The lot is selected
/// iff the draw is below its rate. Anyone can recompute it from public data.
pub fn sampling_draw(seed: &Hash32, lot: &LotId) -> u32 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(seed);
    buf[32..].copy_from_slice(lot);
    let h = blake2_256(&buf);
    let mut n = [0u8; 8];
    n.copy_from_slice(&h[..8]);
    let draw = u64::from_le_bytes(n).checked_rem(u64::from(crate::bounds::BPS_DENOMINATOR)).unwrap_or(0);
    u32::try_from(draw).unwrap_or(0)
}

/// The commitment a member publishes for `secret`: bound to the member, so a commitment cannot
/// be copied by another.
pub fn seed_commitment(secret: &Hash32, member: &AccountId) -> Hash32 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(secret);
    buf[32..].copy_from_slice(member.as_ref());
    blake2_256(&buf)
}

/// Fields whose bounds an `Error::Invalid` names.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum Field {
    /// A GTIN.
    Gtin,
    /// A country code.
    Country,
    /// A GS1 company prefix, or the number of prefixes.
    Gs1Prefix,
    /// A brand name.
    Brand,
    /// An HS code.
    HsCode,
    /// A URI.
    Uri,
    /// A lot number.
    LotNumber,
    /// An item count.
    ItemCount,
    /// A date, or a date range.
    Date,
    /// A location code.
    Location,
    /// An event time.
    EventTime,
    /// A standard code.
    Standard,
    /// A validity end.
    ValidUntil,
    /// An accreditation scope.
    Scope,
    /// A threshold.
    Threshold,
    /// A governor list.
    Governors,
    /// A proposal lifetime.
    ProposalTtl,
    /// A sampling rate.
    Rate,
    /// An epoch parameter.
    Epoch,
    /// A proof.
    Proof,
    /// A role.
    Role,
    /// The consecutive passes that lower a raised risk (sampling policy).
    PassesToClear,
    /// The number of lots in one batch (1 to `MAX_LOTS_PER_BATCH`).
    BatchSize,
    /// A display name of a merchant, member or factory ([`check_display_name`]).
    DisplayName,
}

/// Every error a tracepass contract returns to a caller. Shared by all four contracts so that an
/// error raised in a callee reaches the client unchanged.
#[ink::scale_derive(Encode, Decode, TypeInfo)]
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(rename_all = "snake_case"))]
pub enum Error {
    /// `account` lacks `role`, which the message requires.
    Unauthorized {
        /// The caller.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        account: AccountId,
        /// The role it needed.
        role: Role,
    },
    /// The caller is not the lot's or factory's owning merchant.
    NotOwner {
        /// The caller.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        account: AccountId,
    },
    /// The message may only be called by the deployment's `expected` contract.
    NotContract {
        /// The caller.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        caller: AccountId,
        /// Which contract may call.
        expected: ContractKind,
    },
    /// A field is malformed or out of its bound.
    Invalid(Field),
    /// The GTIN is malformed.
    BadGtin(GtinError),
    /// A lot number or serial is malformed.
    BadGs1String(Gs1StringError),
    /// The account is a member already.
    AlreadyMember,
    /// The account is not a member (or not a merchant).
    NotMember,
    /// The merchant is not active.
    MerchantNotActive,
    /// The merchant may not register this GTIN (no matching GS1 prefix, or not active).
    GtinNotAllowed,
    /// Removing the member would leave fewer governors than the threshold.
    WouldBreakQuorum,
    /// No proposal with this ID.
    ProposalNotFound,
    /// The proposal is past its expiry block.
    ProposalExpired,
    /// The proposal was executed already.
    ProposalAlreadyExecuted,
    /// The caller approved this proposal already.
    AlreadyApproved,
    /// The proposal has fewer approvals than the threshold.
    NotEnoughApprovals {
        /// Approvals so far.
        have: u32,
        /// Approvals needed.
        need: u32,
    },
    /// The deployment's contracts were wired already, or the caller may not wire them.
    WiringClosed,
    /// A contract the call needs is not in the deployment's directory yet.
    NotWired(ContractKind),
    /// No factory with this ID.
    FactoryNotFound,
    /// A product with this GTIN exists.
    ProductExists,
    /// No product with this GTIN.
    ProductNotFound,
    /// A different lot with this GTIN and lot number exists.
    LotConflict,
    /// No lot with this ID.
    LotNotFound,
    /// The lot cannot go from `from` to `to`.
    IllegalTransition {
        /// Current status.
        from: LotStatus,
        /// Requested status.
        to: LotStatus,
    },
    /// The caller's role may not record this business step.
    StepNotAllowed(BusinessStep),
    /// The lot has `MAX_EVENTS_PER_LOT` events.
    TooManyEvents,
    /// `MAX_SAMPLING_RULES` rules exist.
    TooManyRules,
    /// No sampling rule with this key.
    RuleNotFound,
    /// The lot was recorded for sampling already.
    LotAlreadySampled,
    /// Commitments to this epoch are closed (it has opened).
    CommitClosed,
    /// The caller committed to this epoch already.
    AlreadyCommitted,
    /// `MAX_EPOCH_COMMITTERS` members committed to this epoch.
    TooManyCommitters,
    /// The caller has no commitment for this epoch.
    NotCommitted,
    /// The reveal window of this epoch is not open (epoch not closed, or deadline passed).
    RevealNotOpen,
    /// The revealed secret does not hash to the commitment.
    RevealMismatch,
    /// The caller revealed already.
    AlreadyRevealed,
    /// The epoch cannot be finalised yet (reveal window open and reveals missing).
    EpochNotReady,
    /// The epoch's seed is fixed already.
    EpochFinalized,
    /// The agency's accreditation does not cover this category.
    OutOfScope {
        /// The agency.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        agency: AccountId,
        /// The category it is not accredited for.
        category: Category,
    },
    /// The agency's accreditation has expired.
    AccreditationExpired {
        /// The agency.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        agency: AccountId,
    },
    /// No attestation with this ID.
    AttestationNotFound,
    /// The attestation was revoked already.
    AlreadyRevoked,
    /// The caller may not revoke this attestation (not its issuer; governors revoke by proposal).
    NotIssuer,
    /// The re-tested attestation is not an inspection of the same lot.
    BadRetest,
    /// The lot or factory has `MAX_ATTESTATIONS_PER_SUBJECT` attestations.
    TooManyAttestations,
    /// The chain refused the code upgrade (no code with that hash is uploaded).
    UpgradeFailed,
    /// The registry has issued every factory ID (`u32::MAX` factories).
    TooManyFactories,
    /// The GS1 company prefix overlaps one granted already (the same digits, or one a leading
    /// part of the other), so two merchants could register the same GTINs.
    PrefixTaken {
        /// The prefix asked for.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::text"))]
        prefix: Vec<u8>,
        /// The merchant that holds the overlapping prefix (the one onboarded, for an overlap
        /// within its own list).
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        owner: AccountId,
        /// The overlapping prefix it holds.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::text"))]
        owned: Vec<u8>,
    },
    /// A `display_names` read asked for more than `MAX_NAMES_PER_READ` accounts.
    TooManyNames,
    /// The merchant is not authorised for the product's brand (governance authorises brands).
    BrandNotAuthorized {
        /// The merchant.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::account"))]
        merchant: AccountId,
        /// The brand it asked for.
        #[cfg_attr(feature = "serde", serde(with = "crate::serde_fmt::text"))]
        brand: Vec<u8>,
    },
    /// The merchant's suspension lapsed unconfirmed (or was never one to confirm).
    SuspensionLapsed,
    /// One governor may not suspend this merchant again before `until` (its last suspension
    /// lapsed unconfirmed); governance may still revoke it.
    SuspensionCooldown {
        /// End of the cool-down (chain time, ms).
        until: Timestamp,
    },
    /// The agency has `MAX_INSPECTIONS_PER_AGENCY_PER_LOT` inspections of this lot already.
    TooManyInspections,
    /// A dispute of this lot is open already.
    DisputeOpen,
    /// No open dispute of this lot.
    NoDispute,
    /// The named attestation is not a failed, unrevoked inspection of this lot.
    NotAFail,
    /// A re-test must come from another agency than the one whose inspection is disputed.
    SameAgency,
    /// The lot can be released only after a valid passing re-test.
    RetestNotPassed,
}

/// The result type of every tracepass contract message.
pub type Result<T> = core::result::Result<T, Error>;

/// The seed of `epoch` from the secrets revealed, in commit order.
pub fn epoch_seed(epoch: u32, secrets: &[Hash32]) -> Hash32 {
    let mut buf = Vec::new();
    buf.extend_from_slice(b"tracepass/seed");
    buf.extend_from_slice(&epoch.to_le_bytes());
    for s in secrets {
        buf.extend_from_slice(s);
    }
    blake2_256(&buf)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::*;

    #[test]
    fn required_role_works() {
        use BusinessStep::*;
        let roles: Vec<Role> = BusinessStep::ALL.iter().map(|s| s.required_role()).collect();
        assert_eq!(
            roles,
            [
                Role::Merchant,
                Role::Merchant,
                Role::Logistics,
                Role::Customs,
                Role::Logistics,
                Role::Logistics,
                Role::Customs,
                Role::Agency,
                Role::Customs,
                Role::Merchant
            ]
        );
        // the role named is one that may record the step (the owner, for merchants' steps);
        // a recall is written by `recall` only
        for step in BusinessStep::ALL.into_iter().filter(|s| *s != Recalling) {
            let role = step.required_role();
            assert!(step.allowed_for(Some(role), role == Role::Merchant), "{step:?}");
        }
    }

    #[test]
    fn location_check_works() {
        let nz = CountryCode(*b"NZ");
        assert_eq!(Location { country: nz, code: Vec::new() }.check(), Ok(()));
        assert_eq!(Location { country: nz, code: b"NZAKL".to_vec() }.check(), Ok(()));
        assert_eq!(Location { country: nz, code: b"9421902960017".to_vec() }.check(), Ok(()));
    }

    #[test]
    fn location_check_fails() {
        let bad = Err(Error::Invalid(Field::Location));
        let nz = CountryCode(*b"NZ");
        assert_eq!(Location { country: CountryCode(*b"ZZ"), code: Vec::new() }.check(), bad);
        assert_eq!(Location { country: nz, code: vec![b'1'; MAX_LOCATION_LEN + 1] }.check(), bad);
        assert_eq!(Location { country: nz, code: b"NZ-AK".to_vec() }.check(), bad);
    }

    #[test]
    fn sampling_policy_works() {
        assert_eq!(SamplingPolicy { default_rate_bps: 0, passes_to_clear: 1 }.check(), Ok(()));
        assert_eq!(SamplingPolicy { default_rate_bps: 10_000, passes_to_clear: MAX_PASS_STREAK }.check(), Ok(()));
        let key = RuleKey { category: Some(1), origin: Some(CountryCode(*b"NZ")), tier: None };
        assert_eq!(key.check_rule(10_000), Ok(()));
        assert_eq!(check_rate(0), Ok(()));
    }

    #[test]
    fn sampling_policy_fails() {
        let rate = Err(Error::Invalid(Field::Rate));
        assert_eq!(SamplingPolicy { default_rate_bps: 10_001, passes_to_clear: 1 }.check(), rate);
        assert_eq!(check_rate(u16::MAX), rate);
        let any = RuleKey { category: None, origin: None, tier: None };
        assert_eq!(any.check_rule(10_001), rate);
        let passes = Err(Error::Invalid(Field::PassesToClear));
        assert_eq!(SamplingPolicy { default_rate_bps: 0, passes_to_clear: 0 }.check(), passes);
        assert_eq!(SamplingPolicy { default_rate_bps: 0, passes_to_clear: MAX_PASS_STREAK + 1 }.check(), passes);
        // the rate is checked first
        assert_eq!(SamplingPolicy { default_rate_bps: 10_001, passes_to_clear: 0 }.check(), rate);
        let xx = RuleKey { category: None, origin: Some(CountryCode(*b"XX")), tier: None };
        assert_eq!(xx.check_rule(100), Err(Error::Invalid(Field::Country)));
        assert_eq!(xx.check_rule(10_001), rate);
    }

    #[test]
    fn check_display_name_works() {
        assert_eq!(check_display_name(b""), Ok(()), "empty: removes the name");
        assert_eq!(check_display_name(b"Aroha Dairy"), Ok(()));
        assert_eq!(check_display_name("Ōtaki Café".as_bytes()), Ok(()));
        assert_eq!(check_display_name("新西兰乳业".as_bytes()), Ok(()));
        assert_eq!(check_display_name(&[b'a'; MAX_DISPLAY_NAME_LEN]), Ok(()), "exactly the bound");
        // 21 three-byte characters are 63 bytes
        assert_eq!(check_display_name("乳".repeat(21).as_bytes()), Ok(()));
        assert_eq!(check_display_name(b" padded "), Ok(()), "whitespace around text is the namer's choice");
    }

    #[test]
    fn check_display_name_fails() {
        let bad = Err(Error::Invalid(Field::DisplayName));
        assert_eq!(check_display_name(&[b'a'; MAX_DISPLAY_NAME_LEN + 1]), bad, "over the bound");
        assert_eq!(check_display_name("乳".repeat(22).as_bytes()), bad, "66 bytes");
        // invisible characters that change how a name reads: "Nestlé" shown from "élt" reversed,
        // a zero-width space inside a brand, a byte-order mark
        for sneaky in ["\u{202e}eltseN", "Nes\u{200b}tle", "\u{feff}Aroha", "A\u{2066}B\u{2069}", "Aro\u{00ad}ha", "x\u{200d}y"] {
            assert_eq!(check_display_name(sneaky.as_bytes()), bad, "{sneaky:?}");
        }
        assert_eq!(check_display_name(&[b'A', 0xff, b'B']), bad, "not UTF-8");
        assert_eq!(check_display_name(&[0xe4, 0xb9]), bad, "a cut multi-byte character");
        assert_eq!(check_display_name(b"Aroha\nDairy"), bad, "line break");
        assert_eq!(check_display_name(b"Aroha\x1b[31mDairy"), bad, "terminal escape");
        assert_eq!(check_display_name(b"Aroha\x7f"), bad, "DEL");
        assert_eq!(check_display_name("Aroha\u{85}".as_bytes()), bad, "C1 control");
        assert_eq!(check_display_name(b"\0"), bad);
        assert_eq!(check_display_name(b"   "), bad, "only whitespace");
        assert_eq!(check_display_name("\u{3000}".as_bytes()), bad, "only an ideographic space");
    }

    /// New variants are appended: the SCALE index of every earlier one (in stored proposals, in
    /// errors clients decode) is unchanged.
    #[test]
    fn appended_variants_keep_indexes_works() {
        use ink::scale::Encode;
        assert_eq!(Field::BatchSize.encode(), [22]);
        assert_eq!(Field::DisplayName.encode(), [23]);
        assert_eq!(Error::Invalid(Field::DisplayName).encode(), [3, 23]);
        assert_eq!(Error::TooManyFactories.encode(), [46]);
        assert_eq!(Error::TooManyNames.encode(), [48]);
        assert_eq!(Action::SetSamplingPolicy { default_rate_bps: 0, passes_to_clear: 1 }.encode()[0], 8);
        let named = Action::SetDisplayName { account: AccountId::from([1; 32]), name: b"A".to_vec() };
        assert_eq!(named.encode(), [&[9][..], &[1; 32], &[4, b'A']].concat());
        // #17's merchant actions and errors come after, so stored proposals keep decoding
        assert_eq!(Action::ReinstateMerchant { account: AccountId::from([1; 32]) }.encode()[0], 14);
        assert_eq!(Action::RecallLot { lot: [0; 32], reason_hash: [0; 32] }.encode()[0], 16);
        assert_eq!(Error::SuspensionLapsed.encode(), [50]);
    }

    #[test]
    fn selection_of_final_works() {
        let lot = [7u8; 32];
        let seed = [9u8; 32];
        let draw = sampling_draw(&seed, &lot);
        assert!(draw < BPS_DENOMINATOR);
        let at = |rate: u32| Selection::of_final(Some(&seed), &lot, u16::try_from(rate).unwrap());
        assert_eq!(at(draw + 1), Selection::Selected);
        assert_eq!(at(draw), Selection::NotSelected);
        assert_eq!(at(BPS_DENOMINATOR), Selection::Selected);
        // no reveal at all: every lot of the epoch is selected, but one at rate 0
        assert_eq!(Selection::of_final(None, &lot, 1), Selection::Selected);
        assert_eq!(Selection::of_final(None, &lot, 0), Selection::NotSelected);
    }

    #[test]
    fn selection_decide_works() {
        let (lot, seed) = ([7u8; 32], [9u8; 32]);
        let draw = sampling_draw(&seed, &lot);
        // known at registration: rate 0 and 100 %
        assert_eq!(Selection::decide(None, &lot, 0), Selection::NotSelected);
        assert_eq!(Selection::decide(None, &lot, 10_000), Selection::Selected);
        assert_eq!(Selection::decide(Some(None), &lot, 0), Selection::NotSelected);
        // otherwise pending until final, then the draw
        assert_eq!(Selection::decide(None, &lot, 1), Selection::SeedPending);
        assert_eq!(Selection::decide(Some(Some(&seed)), &lot, u16::try_from(draw + 1).unwrap()), Selection::Selected);
        assert_eq!(Selection::decide(Some(Some(&seed)), &lot, u16::try_from(draw).unwrap().max(1)), if draw == 0 { Selection::Selected } else { Selection::NotSelected });
        assert_eq!(Selection::decide(Some(None), &lot, 1), Selection::Selected, "fail safe");
    }
}
