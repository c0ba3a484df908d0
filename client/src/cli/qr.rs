//! `tracepass qr`: an item's QR code (PNG or SVG, by the output's extension).

use super::Ctx;
use clap::Args;
use serde_json::json;
use std::path::PathBuf;
use tracepass::error::{ClientError, Result};
use tracepass::gs1::DigitalLink;
use tracepass::lots::find_in_proofs;
use tracepass::qr;

#[derive(Args, Debug)]
pub struct QrArgs {
    /// The item's Digital Link URI (with its proof).
    pub uri: Option<String>,
    /// Or: the serial to look up in --proofs.
    #[arg(long, requires = "proofs", conflicts_with = "uri")]
    pub serial: Option<String>,
    /// The lot's proofs file (from `lot register --out`).
    #[arg(long)]
    pub proofs: Option<PathBuf>,
    /// Output file: .png or .svg.
    #[arg(long)]
    pub out: PathBuf,
}

pub async fn run(ctx: &Ctx, a: QrArgs) -> Result<i32> {
    let uri = match (a.uri, a.serial, a.proofs) {
        (Some(u), _, _) => u,
        (None, Some(s), Some(p)) => find_in_proofs(&p, &s)?.uri,
        _ => return Err(ClientError::Input("give a Digital Link URI, or --serial with --proofs".into())),
    };
    DigitalLink::parse(&uri)?; // refuse to print a code that would not verify
    let code = qr::encode(&uri)?;
    qr::write(&code, &a.out)?;
    let (v, w) = qr::version(&code);
    ctx.print(
        &format!(
            "wrote {} (QR version {v}-{}, {w}x{w} modules; {:.2} mm per module at 2 cm)",
            a.out.display(),
            qr::ec_level(&code),
            qr::module_mm(&code, qr::LABEL_MM)
        ),
        json!({ "out": a.out, "version": v, "ec_level": qr::ec_level(&code).to_string(), "modules": w, "uri": uri }),
    );
    Ok(0)
}
