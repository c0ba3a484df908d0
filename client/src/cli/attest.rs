//! `tracepass attest inspection|certification|customs|revoke|dispute`.

use super::{hash_file, hash_text, now_ms, Ctx};
use clap::{Subcommand, ValueEnum};
use serde_json::json;
use std::path::PathBuf;
use tracepass::error::Result;
use tracepass::shared::InspectionResult;

const DAY_MS: u64 = 86_400_000;

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum ResultArg {
    Pass,
    Fail,
}

#[derive(Subcommand, Debug)]
pub enum AttestCmd {
    /// Record a quality inspection of a lot (accredited agencies).
    Inspection {
        #[arg(long)]
        gtin: String,
        #[arg(long)]
        lot: String,
        #[arg(long, value_enum)]
        result: ResultArg,
        /// The inspection report (hashed on chain).
        #[arg(long)]
        report: PathBuf,
        /// Where the report is published.
        #[arg(long, default_value = "")]
        report_uri: String,
        /// Standard inspected against.
        #[arg(long, default_value = "GB 2760-2014")]
        standard: String,
        /// Items sampled.
        #[arg(long, default_value_t = 10)]
        items: u32,
        /// Validity in days (default: a year, or until the agency's accreditation ends if that
        /// is sooner; at most 1,098 days, never past the accreditation).
        #[arg(long)]
        valid_days: Option<u64>,
        /// The earlier inspection this re-tests (naming the failed inspection of the lot's open
        /// dispute makes this its re-test; the failing agency itself may not).
        #[arg(long)]
        answers: Option<u64>,
    },
    /// Certify a factory (accredited agencies).
    Certification {
        #[arg(long)]
        factory: u32,
        /// Product category the certification covers.
        #[arg(long)]
        category: u32,
        /// Standard (e.g. "ISO 22000", "GMP").
        #[arg(long)]
        standard: String,
        /// Certificate number (hashed on chain).
        #[arg(long)]
        certificate: String,
        /// Validity in days (default as for inspections).
        #[arg(long)]
        valid_days: Option<u64>,
    },
    /// Record a customs clearance of a lot (customs).
    Customs {
        #[arg(long)]
        gtin: String,
        #[arg(long)]
        lot: String,
        /// Port of entry (UN/LOCODE, e.g. CNSHA).
        #[arg(long)]
        port: String,
        /// The customs declaration (hashed on chain).
        #[arg(long)]
        declaration: PathBuf,
    },
    /// Revoke an attestation you issued.
    Revoke {
        /// Attestation ID.
        id: u64,
        /// Reason (hashed on chain).
        #[arg(long)]
        reason: String,
    },
    /// Dispute a failed inspection of your lot (its merchant): another accredited agency may
    /// then re-test it (`attest inspection --answers ID`), and governors decide
    /// (`member propose resolve-dispute`).
    Dispute {
        #[arg(long)]
        gtin: String,
        #[arg(long)]
        lot: String,
        /// The failed inspection's attestation ID.
        #[arg(long)]
        failed: u64,
    },
}

pub async fn run(ctx: &Ctx, c: AttestCmd) -> Result<i32> {
    let tp = ctx.tracepass().await?;
    let signer = ctx.signer()?;
    match c {
        AttestCmd::Inspection { gtin, lot, result, report, report_uri, standard, items, valid_days, answers } => {
            let id = super::lot_arg(&gtin, &lot)?;
            let report_hash = hash_file(&report)?;
            let now = tp.chain.now_ms().await?;
            let r = match result {
                ResultArg::Pass => InspectionResult::Pass,
                ResultArg::Fail => InspectionResult::Fail,
            };
            let until = valid_until(&tp, &signer, now, valid_days).await?;
            let o = tp
                .attest_inspection(&signer, id, r, standard.into_bytes(), items, report_hash, report_uri.into_bytes(), now.min(now_ms()), until, answers)
                .await?;
            ctx.print_write(&format!("inspection {} recorded: lot {lot} {r:?}", o.value), json!({ "attestation": o.value, "result": format!("{r:?}") }), &o);
        }
        AttestCmd::Certification { factory, category, standard, certificate, valid_days } => {
            let now = tp.chain.now_ms().await?;
            let until = valid_until(&tp, &signer, now, valid_days).await?;
            let o = tp.attest_certification(&signer, factory, category, standard.clone().into_bytes(), hash_text(&certificate), until).await?;
            ctx.print_write(&format!("certification {} recorded: factory {factory} {standard}", o.value), json!({ "attestation": o.value }), &o);
        }
        AttestCmd::Customs { gtin, lot, port, declaration } => {
            let id = super::lot_arg(&gtin, &lot)?;
            let now = tp.chain.now_ms().await?;
            let o = tp.attest_customs(&signer, id, port.clone().into_bytes(), hash_file(&declaration)?, now).await?;
            ctx.print_write(&format!("customs clearance {} recorded: lot {lot} cleared at {port}", o.value), json!({ "attestation": o.value }), &o);
        }
        AttestCmd::Revoke { id, reason } => {
            let o = tp.revoke(&signer, id, hash_text(&reason)).await?;
            ctx.print_write(&format!("attestation {id} revoked"), json!({ "attestation": id, "revoked": true }), &o);
        }
        AttestCmd::Dispute { gtin, lot, failed } => {
            let id = super::lot_arg(&gtin, &lot)?;
            let o = tp.open_dispute(&signer, id, failed).await?;
            ctx.print_write(
                &format!("inspection {failed} of lot {lot} disputed: another agency may re-test it naming {failed}; governors then decide"),
                json!({ "lot_id": format!("0x{}", hex::encode(id)), "disputed": failed }),
                &o,
            );
        }
    }
    Ok(0)
}

/// The end of an attestation's validity: `days` from `now` as asked (the contract checks it), or
/// by default a year, shortened to the end of the signer's accreditation.
async fn valid_until(tp: &tracepass::Tracepass, signer: &tracepass::Signer, now: u64, days: Option<u64>) -> Result<u64> {
    if let Some(d) = days {
        return Ok(now.saturating_add(d.saturating_mul(DAY_MS)));
    }
    let year = now.saturating_add(365 * DAY_MS);
    let accredited = tp.member(signer.account()).await?.and_then(|m| m.scope).map(|s| s.valid_until);
    Ok(accredited.map_or(year, |end| year.min(end)))
}
