//! `tracepass export ...`: a lot's trace in standard formats (read-only, no key needed).

use super::Ctx;
use clap::Subcommand;
use serde_json::json;
use std::path::PathBuf;
use tracepass::error::{ClientError, Result};
use tracepass::gs1::{parse_gtin, parse_lot};

#[derive(Subcommand, Debug)]
pub enum ExportCmd {
    /// The lot's trace and attestations as a GS1 EPCIS 2.0 document (JSON-LD), validated against
    /// GS1's EPCIS 2.0 JSON Schema before it is written.
    Epcis {
        /// GTIN.
        #[arg(long)]
        gtin: String,
        /// Lot number (GS1 AI 10).
        #[arg(long)]
        lot: String,
        /// File to write (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub async fn run(ctx: &Ctx, c: ExportCmd) -> Result<i32> {
    let ExportCmd::Epcis { gtin, lot, out } = c;
    let gtin = parse_gtin(&gtin)?;
    parse_lot(&lot)?;
    let tp = ctx.tracepass().await?;
    let doc = tracepass::epcis::export(&tp, gtin, &lot).await?;
    let events = doc.pointer("/epcisBody/eventList").and_then(|l| l.as_array()).map_or(0, Vec::len);
    let text = serde_json::to_string_pretty(&doc).map_err(|e| ClientError::Chain(e.to_string()))?;
    match out {
        Some(path) => {
            std::fs::write(&path, text + "\n").map_err(|e| ClientError::Io { path: path.display().to_string(), reason: e.to_string() })?;
            ctx.print(
                &format!("EPCIS 2.0 document of lot {lot} ({events} events, schema-valid) written to {}", path.display()),
                json!({ "out": path, "events": events, "gtin": gtin.to_string(), "lot": lot }),
            );
        }
        // the document itself is the output (it is JSON with or without --json); a reader that
        // stops early (`| head`) is not an error
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            match writeln!(out, "{text}").and_then(|()| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    return Err(ClientError::Io { path: "standard output".into(), reason: e.to_string() })
                }
                _ => {}
            }
        }
    }
    Ok(0)
}
