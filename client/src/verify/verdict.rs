//! The verdict rules: a pure function of the facts read at one block, so each rule is tested
//! without a node (the table in docs/ARCHITECTURE.md lists them in order).

use super::read::LotFacts;
use serde::Serialize;
use crate::i18n::{n, s, Lang};
use tracepass_shared::{active_inspections, merkle, AttestationId, AttestationStatus, Claim, DisputeOutcome, InspectionResult, LotStatus, MerchantStatus, Selection, Timestamp};

/// The verdict, first thing a consumer sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Registered, in its lot, merchant active, nothing against it.
    Genuine,
    /// No such product or lot on chain.
    NotRegistered,
    /// The lot exists but this serial is not in it (or the proof is missing or wrong).
    NotInLot,
    /// The lot was recalled.
    Recalled,
    /// The lot is held (by customs, or pending a re-test).
    Held,
    /// The lot failed its latest inspection.
    FailedInspection,
    /// The merchant is suspended or revoked.
    MerchantSuspended,
    /// The inspection the lot relies on was revoked.
    AttestationRevoked,
    /// The inspection the lot relies on has expired.
    AttestationExpired,
    /// Sampling selected the lot and no inspection is recorded yet.
    AwaitingInspection,
    /// Sampling has not yet decided whether the lot must be inspected (its epoch's draw is not
    /// final) and no valid passed inspection covers it.
    SelectionPending,
}

impl Verdict {
    /// True only for `Genuine`.
    pub fn is_genuine(self) -> bool {
        self == Verdict::Genuine
    }

    /// A short headline, in English (what the CLI prints).
    pub fn headline(self) -> String {
        self.headline_in(Lang::En)
    }

    /// A short headline in `lang`.
    pub fn headline_in(self, lang: Lang) -> String {
        lang.t(match self {
            Verdict::Genuine => "verdict-genuine",
            Verdict::NotRegistered => "verdict-not_registered",
            Verdict::NotInLot => "verdict-not_in_lot",
            Verdict::Recalled => "verdict-recalled",
            Verdict::Held => "verdict-held",
            Verdict::FailedInspection => "verdict-failed_inspection",
            Verdict::MerchantSuspended => "verdict-merchant_suspended",
            Verdict::AttestationRevoked => "verdict-attestation_revoked",
            Verdict::AttestationExpired => "verdict-attestation_expired",
            Verdict::AwaitingInspection => "verdict-awaiting_inspection",
            Verdict::SelectionPending => "verdict-selection_pending",
        })
    }

    /// Every verdict (for tests and listings).
    pub const ALL: [Verdict; 11] = [
        Verdict::Genuine,
        Verdict::NotRegistered,
        Verdict::NotInLot,
        Verdict::Recalled,
        Verdict::Held,
        Verdict::FailedInspection,
        Verdict::MerchantSuspended,
        Verdict::AttestationRevoked,
        Verdict::AttestationExpired,
        Verdict::AwaitingInspection,
        Verdict::SelectionPending,
    ];
}

/// Why a verdict was given, as the facts that decided it: the words are in the locales
/// ([`Reason::text`]); `Display` and the JSON's `reason` are the English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// No product with the GTIN, or no lot with the number.
    NotRegistered,
    /// The scan carried no proof.
    NoProof,
    /// The proof does not place `serial` among the `item_count` items of lot `lot`.
    NotInLot { serial: String, item_count: u32, lot: String },
    /// The merchant is not active.
    MerchantNotActive,
    /// The lot was recalled.
    Recalled,
    /// Inspection `id` failed and still counts.
    FailedInspection { id: AttestationId },
    /// Inspection `id` failed; the merchant disputes it (re-test `retest`, if any), and
    /// governance has not decided.
    FailDisputed { id: AttestationId, retest: Option<AttestationId> },
    /// Inspection `id` failed, was disputed, and governance confirmed the hold.
    FailConfirmed { id: AttestationId },
    /// Inspection `failed` failed; another agency's re-test `retest` passed and governance
    /// released the lot.
    ReleasedAfterRetest { failed: AttestationId, retest: AttestationId },
    /// The lot is held.
    Held,
    /// Selected by sampling, no inspection recorded.
    AwaitingInspection,
    /// The sampling draw of the lot's epoch is not final, and no valid pass covers the lot.
    SelectionPending,
    /// The inspection the lot relies on was revoked.
    InspectionRevoked { id: AttestationId },
    /// The inspection the lot relies on has expired.
    InspectionExpired { id: AttestationId },
    /// Selected, and inspection `id` passed.
    PassedInspection { id: AttestationId },
    /// Registered, merchant active, proven in its lot, nothing against it.
    InLot,
    /// Proven in its lot, nothing against it, registered at block `registered_at` while its
    /// merchant was in good standing; the merchant was revoked at block `revoked_at` (a
    /// revocation is not retroactive).
    RegisteredBeforeRevocation { registered_at: u32, revoked_at: u32 },
}

impl Reason {
    /// The reason in `lang`, one sentence.
    pub fn text(&self, lang: Lang) -> String {
        let id = |id: &AttestationId| [("id", n(*id))];
        match self {
            Reason::NotRegistered => lang.t("reason-not-registered"),
            Reason::NoProof => lang.t("reason-no-proof"),
            Reason::NotInLot { serial, item_count, lot } => {
                lang.t_args("reason-not-in-lot", [("serial", s(serial)), ("count", n(*item_count)), ("lot", s(lot))])
            }
            Reason::MerchantNotActive => lang.t("reason-merchant-not-active"),
            Reason::Recalled => lang.t("reason-recalled"),
            Reason::FailedInspection { id: i } => lang.t_args("reason-failed-inspection", id(i)),
            Reason::FailDisputed { id: i, retest: Some(r) } => lang.t_args("reason-fail-retested", [("id", n(*i)), ("retest", n(*r))]),
            Reason::FailDisputed { id: i, retest: None } => lang.t_args("reason-fail-disputed", id(i)),
            Reason::FailConfirmed { id: i } => lang.t_args("reason-fail-confirmed", id(i)),
            Reason::ReleasedAfterRetest { failed, retest } => {
                lang.t_args("reason-released-after-retest", [("id", n(*failed)), ("retest", n(*retest))])
            }
            Reason::Held => lang.t("reason-held"),
            Reason::AwaitingInspection => lang.t("reason-awaiting-inspection"),
            Reason::SelectionPending => lang.t("reason-selection-pending"),
            Reason::InspectionRevoked { id: i } => lang.t_args("reason-inspection-revoked", id(i)),
            Reason::InspectionExpired { id: i } => lang.t_args("reason-inspection-expired", id(i)),
            Reason::PassedInspection { id: i } => lang.t_args("reason-passed-inspection", id(i)),
            Reason::InLot => lang.t("reason-in-lot"),
            Reason::RegisteredBeforeRevocation { registered_at, revoked_at } => {
                lang.t_args("reason-registered-before-revocation", [("registered", n(*registered_at)), ("revoked", n(*revoked_at))])
            }
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text(Lang::En))
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> std::result::Result<S::Ok, S::Error> {
        ser.collect_str(self)
    }
}

/// A verdict and the one sentence that says why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The verdict.
    pub verdict: Verdict,
    /// Why.
    pub reason: Reason,
}

fn judged(verdict: Verdict, reason: Reason) -> Judgement {
    Judgement { verdict, reason }
}

/// What the scanned item's proof showed against the lot's root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofCheck {
    /// The scan carried no proof.
    Missing,
    /// The proof does not place this item in the lot.
    NotInLot,
    /// The item is one of the lot's leaves.
    InLot,
}

impl ProofCheck {
    /// Checks `proof` for `item` against a lot of `count` items under `root`.
    pub fn of(root: &merkle::Node, count: u32, item: &tracepass_shared::ItemId, proof: Option<&crate::gs1::Proof>) -> ProofCheck {
        match proof {
            None => ProofCheck::Missing,
            Some(p) if merkle::verify(root, count, p.index, item, &p.siblings) => ProofCheck::InLot,
            Some(_) => ProofCheck::NotInLot,
        }
    }
}

/// The verdict of serial `serial` of the lot `facts` describe, at time `now`, given what its
/// proof showed. Rules, first match wins: not registered; not in the lot; then [`lot_verdict`].
pub fn verdict(facts: &LotFacts, now: Timestamp, serial: &str, proof: ProofCheck) -> Judgement {
    let Some(reg) = &facts.registered else {
        return judged(Verdict::NotRegistered, Reason::NotRegistered);
    };
    match proof {
        ProofCheck::Missing => judged(Verdict::NotInLot, Reason::NoProof),
        ProofCheck::NotInLot => judged(
            Verdict::NotInLot,
            Reason::NotInLot { serial: serial.to_string(), item_count: reg.lot.info.item_count, lot: facts.lot_number.clone() },
        ),
        ProofCheck::InLot => lot_verdict(facts, now),
    }
}

/// The rule both verdicts (an item's, and the product page's) apply to its merchant: it counts
/// only while its record says Active; no record, Suspended and Revoked do not.
pub fn merchant_in_good_standing(status: Option<MerchantStatus>) -> bool {
    status == Some(MerchantStatus::Active)
}

/// The verdict of an item proven to be in the lot, at time `now`. Rules, most serious first:
/// merchant suspended (or revoked before the lot was registered, or with no record); lot
/// recalled; an agency's latest inspection a valid Fail that governance did not release after a
/// passing re-test (another agency's pass does not answer it); lot held; sampling's draw not final and no valid
/// pass; selected by sampling and its latest inspection missing, revoked or expired; else genuine, saying so when the merchant was revoked
/// after the lot was registered (revocation is not retroactive).
pub fn lot_verdict(facts: &LotFacts, now: Timestamp) -> Judgement {
    let Some(reg) = &facts.registered else {
        return judged(Verdict::NotRegistered, Reason::NotRegistered);
    };
    // the inspections that count: each agency's latest (its new one supersedes its own, never
    // another agency's); a fail governance released after a passing re-test no longer holds
    let active: Vec<(AttestationId, InspectionResult, AttestationStatus)> = active_inspections(&reg.attestations)
        .into_iter()
        .filter_map(|(id, a)| match a.claim {
            Claim::QualityInspection { result, .. } => Some((id, result, a.status_at(now))),
            _ => None,
        })
        .collect();
    let released = reg.dispute.as_ref().filter(|d| d.outcome == Some(DisputeOutcome::Released));
    let failing = active
        .iter()
        .find(|(id, result, st)| *result == InspectionResult::Fail && *st == AttestationStatus::Valid && released.is_none_or(|d| d.failed != *id));
    let passed = active.iter().rev().find(|(_, result, st)| *result == InspectionResult::Pass && *st == AttestationStatus::Valid).map(|x| x.0);
    let latest = active.last().copied();
    let status = reg.merchant.as_ref().map(|m| m.status);
    // revoked after this lot was registered: the lot keeps the standing it was registered in
    let revoked_after = match (status, reg.standing.revoked_at) {
        (Some(MerchantStatus::Revoked), Some(at)) if reg.lot.registered_at < at => Some(at),
        _ => None,
    };
    if !merchant_in_good_standing(status) && revoked_after.is_none() {
        return judged(Verdict::MerchantSuspended, Reason::MerchantNotActive);
    }
    let genuine = |reason: Reason| match (revoked_after, released) {
        (Some(revoked_at), _) => Reason::RegisteredBeforeRevocation { registered_at: reg.lot.registered_at, revoked_at },
        (None, Some(d)) => Reason::ReleasedAfterRetest { failed: d.failed, retest: d.retest.unwrap_or_default() },
        (None, None) => reason,
    };
    if reg.lot.status == LotStatus::Recalled {
        return judged(Verdict::Recalled, Reason::Recalled);
    }
    if let Some(&(id, ..)) = failing {
        // the whole story of the fail: disputed, re-tested, the hold confirmed
        let reason = match reg.dispute.as_ref().filter(|d| d.failed == id) {
            Some(d) if d.outcome == Some(DisputeOutcome::HoldConfirmed) => Reason::FailConfirmed { id },
            Some(d) => Reason::FailDisputed { id, retest: d.retest },
            None => Reason::FailedInspection { id },
        };
        return judged(Verdict::FailedInspection, reason);
    }
    if reg.lot.status == LotStatus::Held {
        return judged(Verdict::Held, Reason::Held);
    }
    if reg.selection == Selection::SeedPending {
        // whether it must be inspected is not decided yet: only a valid pass answers that early
        return match passed {
            Some(id) => judged(Verdict::Genuine, genuine(Reason::PassedInspection { id })),
            None => judged(Verdict::SelectionPending, Reason::SelectionPending),
        };
    }
    if reg.selection == Selection::Selected {
        if let Some(id) = passed {
            return judged(Verdict::Genuine, genuine(Reason::PassedInspection { id }));
        }
        return match latest {
            Some((id, _, AttestationStatus::Revoked)) => judged(Verdict::AttestationRevoked, Reason::InspectionRevoked { id }),
            Some((id, _, AttestationStatus::Expired)) => judged(Verdict::AttestationExpired, Reason::InspectionExpired { id }),
            _ => judged(Verdict::AwaitingInspection, Reason::AwaitingInspection),
        };
    }
    judged(Verdict::Genuine, genuine(Reason::InLot))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::read::RegisteredLot;
    use ink::primitives::AccountId;
    use tracepass_shared::*;

    const NOW: Timestamp = 1_800_000_000_000;
    const DAY: Timestamp = 86_400_000;

    fn merchant(status: MerchantStatus) -> Merchant {
        Merchant { name_hash: [0; 32], country: CountryCode(*b"NZ"), gs1_prefixes: vec![b"9421".to_vec()], tier: MerchantTier::Standard, status, since: 1 }
    }

    /// A registered, active, unselected lot of 10 items with nothing against it.
    fn clean() -> LotFacts {
        let gtin = Gtin::parse(b"09421902960055").expect("gtin");
        let info = LotInput { gtin, lot_number: b"L1".to_vec(), item_count: 10, root: [0; 16], produced_on: 20260101, expires_on: 20270101 };
        let product = ProductInput {
            gtin,
            brand: b"Aroha".to_vec(),
            category: 1001,
            origin: CountryCode(*b"NZ"),
            factory: 1,
            hs_code: b"190110".to_vec(),
            metadata_hash: [0; 32],
            uri: vec![],
        };
        let who = AccountId::from([7; 32]);
        LotFacts {
            gtin,
            lot_number: "L1".into(),
            block_time: NOW,
            registered: Some(RegisteredLot {
                product: Product { info: product, merchant: who, registered_at: 1 },
                lot: Lot { info, merchant: who, registered_at: 2, status: LotStatus::Registered, event_count: 0, recall_reason: None },
                merchant: Some(merchant(MerchantStatus::Active)),
                standing: MerchantStanding::default(),
                attestations: vec![],
                factory_attestations: vec![],
                selection: Selection::NotSelected,
                sample: None,
                trace: vec![],
                dispute: None,
                names: Default::default(),
            }),
        }
    }

    fn reg(f: &mut LotFacts) -> &mut RegisteredLot {
        f.registered.as_mut().expect("registered")
    }

    fn inspection(result: InspectionResult, valid_until: Timestamp, revoked: bool) -> Attestation {
        Attestation {
            claim: Claim::QualityInspection { lot: [0; 32], result, standard: b"GB 10765".to_vec(), items_sampled: 5, report_hash: [0; 32], report_uri: vec![], inspected_at: NOW - DAY, selected: true },
            issuer: AccountId::from([9; 32]),
            issued_at: NOW - DAY,
            valid_until: Some(valid_until),
            answers: None,
            revoked: revoked.then(|| (AccountId::from([9; 32]), [0; 32])),
        }
    }

    /// `inspection` issued by agency `by`.
    fn by(agency: u8, a: Attestation) -> Attestation {
        Attestation { issuer: AccountId::from([agency; 32]), ..a }
    }

    fn v(f: &LotFacts) -> Verdict {
        verdict(f, NOW, "S1", ProofCheck::InLot).verdict
    }

    #[test]
    fn not_registered_works() {
        let mut f = clean();
        f.registered = None;
        for proof in [ProofCheck::Missing, ProofCheck::NotInLot, ProofCheck::InLot] {
            assert_eq!(verdict(&f, NOW, "S1", proof).verdict, Verdict::NotRegistered);
        }
    }

    #[test]
    fn missing_or_wrong_proof_is_not_in_lot_works() {
        let mut f = clean();
        reg(&mut f).lot.status = LotStatus::Recalled; // the item-level rule comes first
        let missing = verdict(&f, NOW, "S1", ProofCheck::Missing);
        assert_eq!((missing.verdict, missing.reason.to_string().as_str()), (Verdict::NotInLot, "no proof was given for this serial"));
        let wrong = verdict(&f, NOW, "S99", ProofCheck::NotInLot);
        assert_eq!(wrong.verdict, Verdict::NotInLot);
        assert_eq!(wrong.reason.to_string(), "serial S99 is not one of the 10 items registered in lot L1");
    }

    /// A revocation is not retroactive: a lot registered before it keeps its verdict and says
    /// so; a suspension, a lot registered at or after the revocation block, or a revocation of
    /// unknown block (made before the block was recorded) reads not genuine.
    #[test]
    fn revoked_after_registration_works() {
        let mut f = clean();
        reg(&mut f).merchant = Some(merchant(MerchantStatus::Revoked));
        reg(&mut f).standing.revoked_at = Some(9);
        let j = verdict(&f, NOW, "S1", ProofCheck::InLot);
        assert_eq!((j.verdict, j.reason.clone()), (Verdict::Genuine, Reason::RegisteredBeforeRevocation { registered_at: 2, revoked_at: 9 }));
        assert_eq!(j.reason.to_string(), "registered in block 2 while its merchant was in good standing; the merchant was revoked in block 9, which does not undo earlier registrations");
        // the lot's own state still counts
        reg(&mut f).lot.status = LotStatus::Recalled;
        assert_eq!(v(&f), Verdict::Recalled);
        reg(&mut f).lot.status = LotStatus::Registered;
        for (registered_at, revoked_at) in [(9, Some(9)), (10, Some(9)), (2, None)] {
            reg(&mut f).lot.registered_at = registered_at;
            reg(&mut f).standing.revoked_at = revoked_at;
            assert_eq!(v(&f), Verdict::MerchantSuspended, "lot at {registered_at}, revoked at {revoked_at:?}");
        }
        // a suspended merchant's lots never read genuine, whatever their block
        reg(&mut f).merchant = Some(merchant(MerchantStatus::Suspended));
        reg(&mut f).lot.registered_at = 1;
        reg(&mut f).standing.revoked_at = Some(9);
        assert_eq!(v(&f), Verdict::MerchantSuspended);
    }

    #[test]
    fn merchant_not_active_works() {
        for status in [MerchantStatus::Suspended, MerchantStatus::Revoked] {
            let mut f = clean();
            reg(&mut f).merchant = Some(merchant(status));
            reg(&mut f).lot.status = LotStatus::Recalled;
            assert_eq!(v(&f), Verdict::MerchantSuspended, "{status:?} comes before recalled");
        }
        let mut f = clean();
        reg(&mut f).merchant = None;
        assert_eq!(v(&f), Verdict::MerchantSuspended, "no merchant record");
    }

    #[test]
    fn recalled_works() {
        let mut f = clean();
        reg(&mut f).lot.status = LotStatus::Recalled;
        reg(&mut f).attestations = vec![(1, inspection(InspectionResult::Fail, NOW + DAY, false))];
        assert_eq!(v(&f), Verdict::Recalled, "recall comes before a failed inspection");
    }

    #[test]
    fn valid_failed_inspection_works() {
        let mut f = clean();
        reg(&mut f).lot.status = LotStatus::Held;
        reg(&mut f).attestations = vec![(1, inspection(InspectionResult::Pass, NOW + DAY, false)), (2, inspection(InspectionResult::Fail, NOW + DAY, false))];
        let j = verdict(&f, NOW, "S1", ProofCheck::InLot);
        assert_eq!((j.verdict, j.reason.to_string().as_str()), (Verdict::FailedInspection, "inspection #2 of this lot failed"));
    }

    /// The pass-after-fail of #17: once one agency failed the lot, another agency's later pass
    /// does not make it genuine (each agency's latest counts, and a fail holds until governance
    /// releases it); the failing agency's own later pass supersedes its fail.
    #[test]
    fn pass_after_fail_fails() {
        let mut f = clean();
        reg(&mut f).selection = Selection::Selected;
        let (fail, pass) = (inspection(InspectionResult::Fail, NOW + DAY, false), inspection(InspectionResult::Pass, NOW + DAY, false));
        reg(&mut f).attestations = vec![(1, by(1, fail.clone())), (2, by(2, pass.clone())), (3, by(3, pass.clone()))];
        let j = verdict(&f, NOW, "S1", ProofCheck::InLot);
        assert_eq!((j.verdict, j.reason), (Verdict::FailedInspection, Reason::FailedInspection { id: 1 }));
        // its own correction counts: agency 1's pass supersedes agency 1's fail
        reg(&mut f).attestations.push((4, by(1, pass.clone())));
        assert_eq!(v(&f), Verdict::Genuine);
        // and agency 1's new fail supersedes its pass
        reg(&mut f).attestations.push((5, by(1, fail)));
        assert_eq!(v(&f), Verdict::FailedInspection);
    }

    /// The whole story of a disputed fail reads on the verdict: disputed, re-tested, decided.
    #[test]
    fn disputed_fail_works() {
        let mut f = clean();
        reg(&mut f).selection = Selection::Selected;
        let (fail, pass) = (inspection(InspectionResult::Fail, NOW + DAY, false), inspection(InspectionResult::Pass, NOW + DAY, false));
        reg(&mut f).attestations = vec![(1, by(1, fail))];
        let open = Dispute { failed: 1, opened_at: NOW - DAY, retest: None, outcome: None };
        reg(&mut f).dispute = Some(open.clone());
        let j = verdict(&f, NOW, "S1", ProofCheck::InLot);
        assert_eq!((j.verdict, j.reason.to_string().as_str()), (Verdict::FailedInspection, "inspection #1 failed; the merchant disputes it and a re-test by another agency is awaited"));
        reg(&mut f).attestations.push((2, by(2, pass)));
        reg(&mut f).dispute = Some(Dispute { retest: Some(2), ..open.clone() });
        let j = verdict(&f, NOW, "S1", ProofCheck::InLot);
        assert_eq!((j.verdict, j.reason), (Verdict::FailedInspection, Reason::FailDisputed { id: 1, retest: Some(2) }), "a passing re-test alone decides nothing");
        reg(&mut f).dispute = Some(Dispute { retest: Some(2), outcome: Some(DisputeOutcome::HoldConfirmed), ..open.clone() });
        assert_eq!(verdict(&f, NOW, "S1", ProofCheck::InLot).reason, Reason::FailConfirmed { id: 1 });
        reg(&mut f).dispute = Some(Dispute { retest: Some(2), outcome: Some(DisputeOutcome::Released), ..open });
        let j = verdict(&f, NOW, "S1", ProofCheck::InLot);
        assert_eq!((j.verdict, j.reason.to_string().as_str()), (Verdict::Genuine, "inspection #1 failed, but another agency's re-test #2 passed and the consortium released the lot"));
        // a release answers only the fail it decided: another agency's valid fail still holds
        reg(&mut f).attestations.push((3, by(3, inspection(InspectionResult::Fail, NOW + DAY, false))));
        assert_eq!(verdict(&f, NOW, "S1", ProofCheck::InLot).reason, Reason::FailedInspection { id: 3 });
    }

    #[test]
    fn revoked_or_expired_fail_does_not_count_works() {
        for (until, revoked) in [(NOW + DAY, true), (NOW - 1, false)] {
            let mut f = clean();
            reg(&mut f).attestations = vec![(1, inspection(InspectionResult::Fail, until, revoked))];
            assert_eq!(v(&f), Verdict::Genuine, "a fail that no longer counts, on an unselected active lot");
        }
    }

    #[test]
    fn held_works() {
        let mut f = clean();
        reg(&mut f).lot.status = LotStatus::Held;
        assert_eq!(v(&f), Verdict::Held);
        reg(&mut f).selection = Selection::Selected;
        assert_eq!(v(&f), Verdict::Held, "held comes before awaiting inspection");
    }

    #[test]
    fn selected_without_inspection_works() {
        let mut f = clean();
        reg(&mut f).selection = Selection::Selected;
        assert_eq!(v(&f), Verdict::AwaitingInspection);
        // a customs clearance is not an inspection
        let mut clearance = inspection(InspectionResult::Pass, NOW + DAY, false);
        clearance.claim = Claim::CustomsClearance { lot: [0; 32], port: b"CNSHA".to_vec(), declaration_hash: [0; 32], cleared_at: NOW - DAY };
        reg(&mut f).attestations = vec![(1, clearance)];
        assert_eq!(v(&f), Verdict::AwaitingInspection);
    }

    #[test]
    fn selected_with_revoked_inspection_works() {
        let mut f = clean();
        reg(&mut f).selection = Selection::Selected;
        reg(&mut f).attestations = vec![(4, inspection(InspectionResult::Pass, NOW + DAY, true))];
        let j = verdict(&f, NOW, "S1", ProofCheck::InLot);
        assert_eq!((j.verdict, j.reason.to_string().as_str()), (Verdict::AttestationRevoked, "inspection #4 was revoked"));
    }

    #[test]
    fn selected_with_expired_inspection_works() {
        let mut f = clean();
        reg(&mut f).selection = Selection::Selected;
        reg(&mut f).attestations = vec![(5, inspection(InspectionResult::Pass, NOW, false))];
        let j = verdict(&f, NOW, "S1", ProofCheck::InLot);
        assert_eq!((j.verdict, j.reason.to_string().as_str()), (Verdict::AttestationExpired, "inspection #5 has expired"));
        assert_eq!(verdict(&f, NOW - 1, "S1", ProofCheck::InLot).verdict, Verdict::Genuine, "valid until the millisecond before");
    }

    #[test]
    fn selected_and_passed_works() {
        let mut f = clean();
        reg(&mut f).selection = Selection::Selected;
        reg(&mut f).attestations = vec![(6, inspection(InspectionResult::Pass, NOW + DAY, false))];
        let j = verdict(&f, NOW, "S1", ProofCheck::InLot);
        assert_eq!((j.verdict, j.reason.to_string().as_str()), (Verdict::Genuine, "registered, in its lot, and passed inspection #6"));
    }

    /// A lot whose draw is not final is not GENUINE: it may yet be selected. Only a valid pass
    /// answers early; a revoked or expired one does not.
    #[test]
    fn selection_pending_works() {
        let mut f = clean();
        reg(&mut f).selection = Selection::SeedPending;
        let j = verdict(&f, NOW, "S1", ProofCheck::InLot);
        assert_eq!((j.verdict, j.reason.to_string().as_str()), (Verdict::SelectionPending, "sampling has not yet drawn whether this lot must be inspected (the draw of its epoch is not final)"));
        assert!(!j.verdict.is_genuine());
        for (pass, expect) in [((false, NOW + DAY), Verdict::Genuine), ((true, NOW + DAY), Verdict::SelectionPending), ((false, NOW - 1), Verdict::SelectionPending)] {
            reg(&mut f).attestations = vec![(3, inspection(InspectionResult::Pass, pass.1, pass.0))];
            assert_eq!(v(&f), expect, "revoked {}, valid until {}", pass.0, pass.1);
        }
        reg(&mut f).attestations = vec![(4, inspection(InspectionResult::Fail, NOW + DAY, false))];
        assert_eq!(v(&f), Verdict::FailedInspection, "a fail comes first");
    }

    #[test]
    fn unselected_clean_lot_is_genuine_works() {
        for selection in [Selection::NotSelected, Selection::Unknown] {
            let mut f = clean();
            reg(&mut f).selection = selection;
            let j = verdict(&f, NOW, "S1", ProofCheck::InLot);
            assert_eq!((j.verdict, j.reason.to_string().as_str()), (Verdict::Genuine, "registered by an active merchant and proven to be in its lot"));
        }
    }
}
