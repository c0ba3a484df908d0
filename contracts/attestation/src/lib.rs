//! # attestation: inspections, certifications and customs clearances
//!
//! ## Overview
//! - **Quality inspections** of lots, by agencies whose accreditation (whitelist `check_agency`)
//!   covers the lot's product category. The record says whether sampling had selected the lot;
//!   an unselected lot may be inspected too, and the inspection is recorded as voluntary
//!   (`selected: false`). One active inspection per agency per lot: an agency's new inspection
//!   supersedes its own earlier ones (the verdict reads each agency's latest,
//!   `active_inspections`), at most `MAX_INSPECTIONS_PER_AGENCY_PER_LOT` per agency, so no
//!   agency can fill a lot's index with fails. A failed inspection puts the lot on `Held` (when
//!   its status allows it); a passed inspection releases nothing. Every inspection, pass or
//!   fail, is reported to the sampling contract as risk feedback on the lot's merchant.
//! - **Disputes**: the lot's merchant disputes a failed inspection (`open_dispute`); another
//!   accredited agency re-tests, naming it (`answers`; the failing agency itself gets
//!   `SameAgency`); M governors decide (`Action::ResolveDispute`): release, only after a valid
//!   passing re-test, or confirm the hold. One open dispute per lot.
//! - **Factory certifications**, by agencies accredited for the certified category.
//! - **Customs clearances**, by customs members, at a port that is a UN/LOCODE (`is_un_locode`):
//!   move an `AtCustoms` lot to `Cleared`. They do not expire (`valid_until` is `None`).
//! - **Revocation**, by the attestation's issuer while it is still a member in the issuing role
//!   ([`Attestations::revoke`]), or by the consortium (`revoke_by_governance`, called by the
//!   whitelist executing an approved proposal).
//! - **Validity**: an inspection or certification is valid for at most `MAX_VALIDITY_MS`, and
//!   never beyond the end of its agency's accreditation (`check_validity`).
//! - **Indexes**: each lot's and each factory's attestations, in issue order, at most
//!   `MAX_ATTESTATIONS_PER_SUBJECT` each, so a verifier can read them whole
//!   ([`Attestations::of_lot`], [`Attestations::of_factory`]).
//!
//! ## Revocation and expiry
//! An attestation counts as evidence while its status ([`Attestation::status_at`]) is `Valid`.
//! Revocation is not retroactive on what the attestation caused: a lot held after a failed
//! inspection stays held until a passing re-test even if the failed inspection is revoked, a
//! revoked clearance leaves its lot `Cleared`, and the risk feedback given to sampling stands.
//! A revoked or expired attestation simply stops counting as evidence for verifiers; its record
//! stays, with who revoked it and the hash of why. Revocation is final.
//!
//! ## Invariants
//! - IDs are sequential from 1 and `count` is the last issued. Records are never deleted; the only
//!   change a record ever sees is its revocation, once.
//! - Every attestation is in exactly one index: its lot's (inspections and clearances) or its
//!   factory's (certifications), at the position given by that subject's count at issue.
//! - Lot status changes and risk feedback happen only when an attestation is issued, never on
//!   revocation or expiry.
//!
//! ## Error policy
//! Every caller error is an [`Error`] variant returned as `Err` (the call's changes are reverted);
//! no caller input makes a message panic. All checks, including the status precondition of an
//! effect on the lot, run before any state changes, here or in another contract; then the calls
//! to the registry and sampling contracts are made, their errors propagated; this contract's own
//! storage is written last. Events are emitted only on state change.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
mod attestation {
    use ink::prelude::vec::Vec;
    use ink::storage::Mapping;
    use tracepass_shared::bounds::*;
    use tracepass_shared::traits::*;
    use tracepass_shared::*;
    use tracepass_shared::calls as ext;

    /// The attestation book.
    #[ink(storage)]
    pub struct Attestations {
        /// The whitelist: says who callers are, and is the only caller of governance messages.
        whitelist: AccountId,
        /// The registry: lots, products and factories attested, and the lot status effects.
        registry: AccountId,
        /// The sampling contract: whether a lot was selected, and the risk feedback.
        sampling: AccountId,
        /// Attestations by ID.
        attestations: Mapping<AttestationId, Attestation>,
        /// Number of attestations; the last ID issued.
        count: u64,
        /// A lot's attestations by (lot, index from 0), in issue order.
        lot_index: Mapping<(LotId, u32), AttestationId>,
        /// Number of attestations of a lot (at most `MAX_ATTESTATIONS_PER_SUBJECT`).
        lot_count: Mapping<LotId, u32>,
        /// A factory's attestations by (factory, index from 0), in issue order.
        factory_index: Mapping<(FactoryId, u32), AttestationId>,
        /// Number of attestations of a factory (at most `MAX_ATTESTATIONS_PER_SUBJECT`).
        factory_count: Mapping<FactoryId, u32>,
        /// Inspections each agency recorded of each lot (at most
        /// `MAX_INSPECTIONS_PER_AGENCY_PER_LOT`).
        inspections_by: Mapping<(LotId, AccountId), u32>,
        /// Each lot's latest dispute (open, or decided).
        disputes: Mapping<LotId, Dispute>,
    }

    /// The `subject` topic of a factory's attestations: `"tracepass/factory"`, zeros, then the
    /// factory ID big-endian in the last four bytes. A lot's subject is its lot ID, a Blake2 hash,
    /// so the two kinds of subject cannot be confused.
    pub fn factory_subject(factory: FactoryId) -> Hash32 {
        let mut subject = [0u8; 32];
        subject[..17].copy_from_slice(b"tracepass/factory");
        subject[28..].copy_from_slice(&factory.to_be_bytes());
        subject
    }

    /// An attestation was issued: the whole record, so an indexer needs no state read.
    #[ink(event)]
    pub struct Attested {
        #[ink(topic)]
        pub id: AttestationId,
        /// The lot ID, or [`factory_subject`] of the factory.
        #[ink(topic)]
        pub subject: Hash32,
        #[ink(topic)]
        pub issuer: AccountId,
        pub attestation: Attestation,
    }

    /// A merchant disputed a failed inspection of its lot.
    #[ink(event)]
    pub struct DisputeOpened {
        #[ink(topic)]
        pub lot: LotId,
        #[ink(topic)]
        pub failed: AttestationId,
        pub by: AccountId,
    }

    /// Governance decided a lot's dispute.
    #[ink(event)]
    pub struct DisputeResolved {
        #[ink(topic)]
        pub lot: LotId,
        pub outcome: DisputeOutcome,
        pub retest: Option<AttestationId>,
    }

    /// An attestation was revoked (by its issuer, or by the whitelist for governance).
    #[ink(event)]
    pub struct Revoked {
        #[ink(topic)]
        pub id: AttestationId,
        #[ink(topic)]
        pub by: AccountId,
        pub reason_hash: Hash32,
    }

    impl Attestations {
        /// Creates the attestation book over a whitelist, a registry and a sampling contract.
        #[ink(constructor)]
        pub fn new(whitelist: AccountId, registry: AccountId, sampling: AccountId) -> Self {
            Self {
                whitelist,
                registry,
                sampling,
                attestations: Mapping::default(),
                count: 0,
                lot_index: Mapping::default(),
                lot_count: Mapping::default(),
                factory_index: Mapping::default(),
                factory_count: Mapping::default(),
                inspections_by: Mapping::default(),
                disputes: Mapping::default(),
            }
        }

        /// Records a quality inspection of a lot (agencies accredited for the lot's product
        /// category); returns its ID. It supersedes the agency's own earlier inspections of the
        /// lot (at most `MAX_INSPECTIONS_PER_AGENCY_PER_LOT` each). A fail holds the lot; a pass
        /// releases nothing (a held lot is released only by governance after a passing re-test,
        /// `resolve_dispute`); both are reported to sampling as risk feedback. `answers` names
        /// the inspection of the same lot that this one re-tests, if any; naming the failed
        /// inspection of the lot's open dispute makes it that dispute's re-test, which must come
        /// from another agency (`SameAgency`).
        #[ink(message)]
        #[allow(clippy::too_many_arguments)]
        pub fn attest_inspection(
            &mut self,
            lot: LotId,
            result: InspectionResult,
            standard: Vec<u8>,
            items_sampled: u32,
            report_hash: Hash32,
            report_uri: Vec<u8>,
            inspected_at: Timestamp,
            valid_until: Timestamp,
            answers: Option<AttestationId>,
        ) -> Result<AttestationId> {
            let caller = self.env().caller();
            let now = self.env().block_timestamp();
            let l = ext::lot(self.registry, lot).ok_or(Error::LotNotFound)?;
            let product = ext::product(self.registry, l.info.gtin).ok_or(Error::ProductNotFound)?;
            let accredited_until = ext::check_agency(self.whitelist, caller, product.info.category)?;
            Self::check_standard(&standard)?;
            if report_uri.len() > MAX_URI_LEN || !report_uri.iter().all(u8::is_ascii_graphic) {
                return Err(Error::Invalid(Field::Uri));
            }
            if items_sampled == 0 || items_sampled > l.info.item_count {
                return Err(Error::Invalid(Field::ItemCount));
            }
            if inspected_at > now {
                return Err(Error::Invalid(Field::EventTime));
            }
            check_validity(now, valid_until, accredited_until)?;
            let mut dispute = None;
            if let Some(earlier) = answers {
                let tested = match self.attestations.get(earlier) {
                    Some(a @ Attestation { claim: Claim::QualityInspection { lot: tested, .. }, .. }) if tested == lot => a,
                    _ => return Err(Error::BadRetest),
                };
                if let Some(mut d) = self.disputes.get(lot).filter(|d| d.is_open() && d.failed == earlier) {
                    if tested.issuer == caller {
                        return Err(Error::SameAgency);
                    }
                    d.retest = Some(self.count.saturating_add(1));
                    dispute = Some(d);
                }
            }
            let by_agency = self.inspections_by.get((lot, caller)).unwrap_or(0);
            if by_agency >= MAX_INSPECTIONS_PER_AGENCY_PER_LOT {
                return Err(Error::TooManyInspections);
            }
            let slot = self.lot_slot(lot)?;
            let id = self.next_id()?;
            let selected = ext::selection(self.sampling, lot) == Selection::Selected;

            if result == InspectionResult::Fail && l.status.can_become(LotStatus::Held) {
                ext::apply_status(self.registry, lot, LotStatus::Held)?
            }
            ext::record_inspection(self.sampling, l.merchant, result)?;

            let attestation = Attestation {
                claim: Claim::QualityInspection {
                    lot,
                    result,
                    standard,
                    items_sampled,
                    report_hash,
                    report_uri,
                    inspected_at,
                    selected,
                },
                issuer: caller,
                issued_at: now,
                valid_until: Some(valid_until),
                answers,
                revoked: None,
            };
            self.store_for_lot(lot, slot, id, &attestation);
            self.inspections_by.insert((lot, caller), &by_agency.saturating_add(1));
            if let Some(d) = dispute {
                self.disputes.insert(lot, &d);
            }
            Ok(id)
        }

        /// Disputes failed inspection `failed` of the caller's lot `lot` (its merchant only): a
        /// different accredited agency may then re-test the lot naming `failed`, and governance
        /// decides (`Action::ResolveDispute`). One open dispute per lot.
        #[ink(message)]
        pub fn open_dispute(&mut self, lot: LotId, failed: AttestationId) -> Result<()> {
            let caller = self.env().caller();
            let l = ext::lot(self.registry, lot).ok_or(Error::LotNotFound)?;
            if l.merchant != caller {
                return Err(Error::NotOwner { account: caller });
            }
            if self.disputes.get(lot).is_some_and(|d| d.is_open()) {
                return Err(Error::DisputeOpen);
            }
            let is_fail = matches!(
                self.attestations.get(failed),
                Some(Attestation { claim: Claim::QualityInspection { lot: l, result: InspectionResult::Fail, .. }, revoked: None, .. }) if l == lot
            );
            if !is_fail {
                return Err(Error::NotAFail);
            }
            let now = self.env().block_timestamp();
            self.disputes.insert(lot, &Dispute { failed, opened_at: now, retest: None, outcome: None });
            self.env().emit_event(DisputeOpened { lot, failed, by: caller });
            Ok(())
        }

        /// Records the certification of a factory against a standard (agencies accredited for
        /// `category`); returns its ID.
        #[ink(message)]
        pub fn attest_certification(
            &mut self,
            factory: FactoryId,
            category: Category,
            standard: Vec<u8>,
            certificate_hash: Hash32,
            valid_until: Timestamp,
        ) -> Result<AttestationId> {
            let caller = self.env().caller();
            let now = self.env().block_timestamp();
            ext::factory(self.registry, factory).ok_or(Error::FactoryNotFound)?;
            let accredited_until = ext::check_agency(self.whitelist, caller, category)?;
            Self::check_standard(&standard)?;
            check_validity(now, valid_until, accredited_until)?;
            let slot = self.factory_slot(factory)?;
            let id = self.next_id()?;

            let attestation = Attestation {
                claim: Claim::FactoryCertification { factory, category, standard, certificate_hash },
                issuer: caller,
                issued_at: now,
                valid_until: Some(valid_until),
                answers: None,
                revoked: None,
            };
            self.factory_index.insert((factory, slot), &id);
            self.factory_count.insert(factory, &slot.saturating_add(1));
            self.store(id, &attestation, factory_subject(factory));
            Ok(id)
        }

        /// Records a customs clearance of a lot at port `port` (a UN/LOCODE) and moves the lot
        /// from `AtCustoms` to `Cleared` (customs members); returns its ID. Clearances do not
        /// expire.
        #[ink(message)]
        pub fn attest_customs(
            &mut self,
            lot: LotId,
            port: Vec<u8>,
            declaration_hash: Hash32,
            cleared_at: Timestamp,
        ) -> Result<AttestationId> {
            let caller = self.env().caller();
            let now = self.env().block_timestamp();
            if ext::role_of(self.whitelist, caller) != Some(Role::Customs) {
                return Err(Error::Unauthorized { account: caller, role: Role::Customs });
            }
            let l = ext::lot(self.registry, lot).ok_or(Error::LotNotFound)?;
            if !is_un_locode(&port) {
                return Err(Error::Invalid(Field::Location));
            }
            if cleared_at > now {
                return Err(Error::Invalid(Field::EventTime));
            }
            if !l.status.can_become(LotStatus::Cleared) {
                return Err(Error::IllegalTransition { from: l.status, to: LotStatus::Cleared });
            }
            let slot = self.lot_slot(lot)?;
            let id = self.next_id()?;

            ext::apply_status(self.registry, lot, LotStatus::Cleared)?;

            let attestation = Attestation {
                claim: Claim::CustomsClearance { lot, port, declaration_hash, cleared_at },
                issuer: caller,
                issued_at: now,
                valid_until: None,
                answers: None,
                revoked: None,
            };
            self.store_for_lot(lot, slot, id, &attestation);
            Ok(id)
        }

        /// Revokes an attestation (its issuer only, while it is still a member in the role that
        /// issued it), with the hash of the reason. What the attestation caused stands; it stops
        /// counting as evidence.
        #[ink(message)]
        pub fn revoke(&mut self, id: AttestationId, reason_hash: Hash32) -> Result<()> {
            let caller = self.env().caller();
            let attestation = self.attestations.get(id).ok_or(Error::AttestationNotFound)?;
            if attestation.issuer != caller {
                return Err(Error::NotIssuer);
            }
            // an agency or customs office expelled from the consortium no longer speaks for it;
            // governance can still revoke
            let role = attestation.claim.issuer_role();
            if ext::role_of(self.whitelist, caller) != Some(role) {
                return Err(Error::Unauthorized { account: caller, role });
            }
            self.revoke_as(id, attestation, caller, reason_hash)
        }

        // ---- queries --------------------------------------------------------------------

        /// An attestation.
        #[ink(message)]
        pub fn attestation(&self, id: AttestationId) -> Option<Attestation> {
            self.attestations.get(id)
        }

        /// Whether an attestation counts as evidence now (at the block's timestamp).
        #[ink(message)]
        pub fn status(&self, id: AttestationId) -> Option<AttestationStatus> {
            let now = self.env().block_timestamp();
            self.attestations.get(id).map(|a| a.status_at(now))
        }

        /// A lot's latest dispute, open or decided.
        #[ink(message)]
        pub fn dispute(&self, lot: LotId) -> Option<Dispute> {
            self.disputes.get(lot)
        }

        /// A lot's attestations, oldest first (at most `MAX_ATTESTATIONS_PER_SUBJECT`).
        #[ink(message)]
        pub fn of_lot(&self, lot: LotId) -> Vec<(AttestationId, Attestation)> {
            self.listed(self.lot_count.get(lot).unwrap_or(0), |i| self.lot_index.get((lot, i)))
        }

        /// A factory's attestations, oldest first (at most `MAX_ATTESTATIONS_PER_SUBJECT`).
        #[ink(message)]
        pub fn of_factory(&self, factory: FactoryId) -> Vec<(AttestationId, Attestation)> {
            self.listed(self.factory_count.get(factory).unwrap_or(0), |i| self.factory_index.get((factory, i)))
        }

        /// Number of attestations; the last ID issued.
        #[ink(message)]
        pub fn count(&self) -> u64 {
            self.count
        }

        /// The whitelist, registry and sampling contracts this contract calls.
        #[ink(message)]
        pub fn dependencies(&self) -> (AccountId, AccountId, AccountId) {
            (self.whitelist, self.registry, self.sampling)
        }

        // ---- internals ------------------------------------------------------------------

        /// The attestations of a subject's index, oldest first: entries `0..n`, `id_at(i)`.
        fn listed(&self, n: u32, id_at: impl Fn(u32) -> Option<AttestationId>) -> Vec<(AttestationId, Attestation)> {
            (0..n).filter_map(id_at).filter_map(|id| self.attestations.get(id).map(|a| (id, a))).collect()
        }

        /// A standard code: 1 to `MAX_STANDARD_LEN` bytes.
        fn check_standard(standard: &[u8]) -> Result<()> {
            if standard.is_empty() || standard.len() > MAX_STANDARD_LEN {
                return Err(Error::Invalid(Field::Standard));
            }
            Ok(())
        }

        /// The index the lot's next attestation takes, or `TooManyAttestations`.
        fn lot_slot(&self, lot: LotId) -> Result<u32> {
            let n = self.lot_count.get(lot).unwrap_or(0);
            if n >= MAX_ATTESTATIONS_PER_SUBJECT {
                return Err(Error::TooManyAttestations);
            }
            Ok(n)
        }

        /// The index the factory's next attestation takes, or `TooManyAttestations`.
        fn factory_slot(&self, factory: FactoryId) -> Result<u32> {
            let n = self.factory_count.get(factory).unwrap_or(0);
            if n >= MAX_ATTESTATIONS_PER_SUBJECT {
                return Err(Error::TooManyAttestations);
            }
            Ok(n)
        }

        /// The ID the next attestation gets (the u64 space cannot run out in practice; if it
        /// did, no further attestation could be issued).
        fn next_id(&self) -> Result<AttestationId> {
            self.count.checked_add(1).ok_or(Error::TooManyAttestations)
        }

        /// Stores `attestation` as `id` (the next ID) and emits `Attested`; the caller indexes it.
        fn store(&mut self, id: AttestationId, attestation: &Attestation, subject: Hash32) {
            self.attestations.insert(id, attestation);
            self.count = id;
            self.env().emit_event(Attested {
                id,
                subject,
                issuer: attestation.issuer,
                attestation: attestation.clone(),
            });
        }

        /// Stores a lot's attestation: at position `slot` of the lot's index, then as `id`.
        fn store_for_lot(&mut self, lot: LotId, slot: u32, id: AttestationId, attestation: &Attestation) {
            self.lot_index.insert((lot, slot), &id);
            self.lot_count.insert(lot, &slot.saturating_add(1));
            self.store(id, attestation, lot);
        }

        /// Marks `attestation` (stored as `id`) revoked by `by` and emits `Revoked`.
        fn revoke_as(
            &mut self,
            id: AttestationId,
            mut attestation: Attestation,
            by: AccountId,
            reason_hash: Hash32,
        ) -> Result<()> {
            if attestation.revoked.is_some() {
                return Err(Error::AlreadyRevoked);
            }
            attestation.revoked = Some((by, reason_hash));
            self.attestations.insert(id, &attestation);
            self.env().emit_event(Revoked { id, by, reason_hash });
            Ok(())
        }
    }

    impl AttestationGovernance for Attestations {
        /// Whitelist (governance) only: revokes an attestation on the consortium's authority.
        #[ink(message)]
        fn revoke_by_governance(&mut self, id: AttestationId, reason_hash: Hash32) -> Result<()> {
            ext::ensure_caller_is(self.whitelist, ContractKind::Whitelist)?;
            let attestation = self.attestations.get(id).ok_or(Error::AttestationNotFound)?;
            self.revoke_as(id, attestation, self.whitelist, reason_hash)
        }

        /// Whitelist (governance) only: decides the open dispute of `lot`. Releasing needs the
        /// dispute's re-test to be a valid pass (`RetestNotPassed`); the whitelist then moves a
        /// held lot to `Released` in the registry itself (a call from here to the registry's
        /// `apply_status` would re-enter the whitelist, which pallet-contracts refuses).
        /// Confirming leaves the lot as it is.
        #[ink(message)]
        fn resolve_dispute(&mut self, lot: LotId, release: bool) -> Result<()> {
            ext::ensure_caller_is(self.whitelist, ContractKind::Whitelist)?;
            let mut d = self.disputes.get(lot).filter(|d| d.is_open()).ok_or(Error::NoDispute)?;
            let outcome = if release {
                let now = self.env().block_timestamp();
                let passed = d.retest.and_then(|r| self.attestations.get(r)).is_some_and(|a| {
                    matches!(a.claim, Claim::QualityInspection { result: InspectionResult::Pass, .. })
                        && a.status_at(now) == AttestationStatus::Valid
                });
                if !passed {
                    return Err(Error::RetestNotPassed);
                }
                DisputeOutcome::Released
            } else {
                DisputeOutcome::HoldConfirmed
            };
            d.outcome = Some(outcome);
            self.disputes.insert(lot, &d);
            self.env().emit_event(DisputeResolved { lot, outcome, retest: d.retest });
            Ok(())
        }
    }

    impl Upgradeable for Attestations {
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
