//! Typed messages of the attestation contract: inspections, certifications, clearances, revocation.

use super::{Message, Outcome, Tracepass};
use crate::chain::Signer;
use crate::error::Result;
use tracepass_shared::*;

impl Tracepass {
    /// Records a quality inspection.
    #[allow(clippy::too_many_arguments)]
    pub async fn attest_inspection(
        &self,
        signer: &Signer,
        lot: LotId,
        result: InspectionResult,
        standard: Vec<u8>,
        items_sampled: u32,
        report_hash: Hash32,
        report_uri: Vec<u8>,
        inspected_at: Timestamp,
        valid_until: Timestamp,
        answers: Option<AttestationId>,
    ) -> Result<Outcome<AttestationId>> {
        let args = (lot, result, standard, items_sampled, report_hash, report_uri, inspected_at, valid_until, answers);
        self.exec(signer, Message::AttestInspection, args).await
    }
    /// Records a factory certification.
    pub async fn attest_certification(
        &self,
        signer: &Signer,
        factory: FactoryId,
        category: Category,
        standard: Vec<u8>,
        certificate_hash: Hash32,
        valid_until: Timestamp,
    ) -> Result<Outcome<AttestationId>> {
        let args = (factory, category, standard, certificate_hash, valid_until);
        self.exec(signer, Message::AttestCertification, args).await
    }
    /// Records a customs clearance.
    pub async fn attest_customs(
        &self,
        signer: &Signer,
        lot: LotId,
        port: Vec<u8>,
        declaration_hash: Hash32,
        cleared_at: Timestamp,
    ) -> Result<Outcome<AttestationId>> {
        self.exec(signer, Message::AttestCustoms, (lot, port, declaration_hash, cleared_at)).await
    }
    /// Revokes one's own attestation.
    pub async fn revoke(&self, signer: &Signer, id: AttestationId, reason: Hash32) -> Result<Outcome<()>> {
        self.exec(signer, Message::Revoke, (id, reason)).await
    }
    /// Disputes failed inspection `failed` of the signer's lot `lot`.
    pub async fn open_dispute(&self, signer: &Signer, lot: LotId, failed: AttestationId) -> Result<Outcome<()>> {
        self.exec(signer, Message::OpenDispute, (lot, failed)).await
    }
    /// A lot's latest dispute, open or decided.
    pub async fn dispute(&self, lot: LotId) -> Result<Option<Dispute>> {
        self.query(Message::Dispute, lot).await
    }
    /// A lot's attestations.
    pub async fn attestations_of_lot(&self, lot: LotId) -> Result<Vec<(AttestationId, Attestation)>> {
        self.query(Message::OfLot, lot).await
    }
    /// A factory's attestations.
    pub async fn attestations_of_factory(&self, factory: FactoryId) -> Result<Vec<(AttestationId, Attestation)>> {
        self.query(Message::OfFactory, factory).await
    }
    /// An attestation's status now.
    pub async fn attestation_status(&self, id: AttestationId) -> Result<Option<AttestationStatus>> {
        self.query(Message::Status, id).await
    }
}
