//! `tracepass verify URI` or `verify --gtin G --lot L --serial S --proof P`: the consumer's check.
//! Exit status: 0 genuine, 1 any negative verdict, 2 the check could not be made.

use super::Ctx;
use clap::Args;
use tracepass::error::{ClientError, Result};
use tracepass::gs1::{parse_gtin, parse_lot, DigitalLink, Proof};
use tracepass::shared::EpochPhase;
use tracepass::verify::{render_text, verify, Verdict, EXIT_GENUINE, EXIT_NOT_GENUINE};

#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The item's GS1 Digital Link URI (as in its QR code), with its proof.
    pub uri: Option<String>,
    #[arg(long, conflicts_with = "uri")]
    pub gtin: Option<String>,
    #[arg(long, requires = "gtin")]
    pub lot: Option<String>,
    #[arg(long, requires = "gtin")]
    pub serial: Option<String>,
    /// The item's proof (compact form, from the proofs file).
    #[arg(long, requires = "gtin")]
    pub proof: Option<String>,
    /// When the verdict waits for a sampling draw that anyone may now finalise, finalise it
    /// (a transaction: needs a key) and verify again.
    #[arg(long)]
    pub finalize: bool,
}

pub async fn run(ctx: &Ctx, a: VerifyArgs) -> Result<i32> {
    let dl = match (&a.uri, &a.gtin, &a.lot, &a.serial) {
        (Some(u), _, _, _) => DigitalLink::parse(u)?,
        (None, Some(g), Some(l), Some(s)) => {
            parse_lot(l)?;
            tracepass::shared::check_serial(s.as_bytes()).map_err(|e| ClientError::Input(format!("serial {s:?}: {e:?}")))?;
            DigitalLink { gtin: parse_gtin(g)?, lot: l.clone(), serial: s.clone(), proof: a.proof.as_deref().map(Proof::decode).transpose()? }
        }
        _ => return Err(ClientError::Input("give a Digital Link URI, or --gtin, --lot, --serial and --proof".into())),
    };
    let tp = ctx.tracepass().await?;
    let mut report = verify(&tp, &dl).await?;
    // a draw that is due: anyone may finalise it, and the verdict then says what it decided
    let due = match (&report.verdict, &report.sampling) {
        (Verdict::SelectionPending, Some(x)) => (tp.epoch_status(x.epoch).await?.phase == EpochPhase::Finalizable).then_some(x.epoch),
        _ => None,
    };
    if let Some(epoch) = due {
        if a.finalize {
            let out = tp.finalize(&ctx.signer()?, epoch).await?;
            super::out::err(&format!("finalised the draw of sampling epoch {epoch} in block {:?}", out.included.block));
            report = verify(&tp, &dl).await?;
        } else {
            super::out::err(&format!("the draw of sampling epoch {epoch} is due: anyone may finalise it (tracepass verify --finalize, or tracepass sampling finalize --epoch {epoch})"));
        }
    }
    ctx.print(&render_text(&report), serde_json::to_value(&report).unwrap_or_default());
    Ok(if report.verdict.is_genuine() { EXIT_GENUINE } else { EXIT_NOT_GENUINE })
}
