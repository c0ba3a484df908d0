//! EPCIS 2.0 export and import of lot traces (GS1 EPCIS 2.0 / CBV 2.0, JSON-LD binding).
//!
//! [`export`] writes a lot's trace events and attestations as an `EPCISDocument` of
//! `ObjectEvent`s, the lot named at class level by its Digital Link EPC class with its item count.
//! [`parse_document`] reads a partner's `ObjectEvent`s into trace events, and [`import`] records
//! them all or nothing, after the contracts' own checks, in one `Utility.batch_all`. Every
//! document either way passes GS1's published schema (`schema.rs`); business steps map through
//! one two-way table (`vocab.rs`), lots and locations through `uri.rs`. tracepass's extension
//! fields (who recorded an event, its document hash, the location's country, attestation
//! details) are in [`TRACEPASS_NS`], prefix `tracepass`. Times are UTC: the chain keeps instants,
//! not local offsets.

mod export;
mod import;
mod schema;
mod times;
mod uri;
mod vocab;

#[cfg(test)]
mod tests;

pub use export::{build_document, document, export, LotData};
/// Event IDs as export writes them (the query interface finds an indexed event's by them).
pub use export::{attestation_event_id, trace_event_id};
pub use import::{has_batch_all, import, parse_document, plan_import, submit_import, ImportPlan, ImportReport, ImportedEvent, LotImport};
/// Typed dry runs and batches (see `import/submit.rs`): here until `contracts.rs` has them.
pub use schema::{compile_schema, schema_errors_with, validate, SCHEMA, SCHEMA_ERRORS_SHOWN};
pub use times::{parse_rfc3339, rfc3339};
pub use uri::{attestation_uri, location_uri, lot_class_uri, DIGITAL_LINK_HOST, UN_LOCODE_URI};
pub use vocab::{customs_clearance_step, recalling_step};

/// A `bizStep` query value (a CBV name, CBV's URI or a tracepass URI) as export writes it.
pub fn normalize_biz_step(v: &str) -> Option<String> {
    vocab::step_of(v).map(|t| t.biz_step())
}

/// A disposition query value (a CBV name or CBV's URI) as export writes it (the bare name).
pub fn normalize_disposition(v: &str) -> String {
    v.strip_prefix("https://ref.gs1.org/cbv/Disp-").unwrap_or(v).to_string()
}

/// The lot an EPC or EPC class URI names (a Digital Link, an item's included, or an LGTIN URN).
pub fn lot_of_epc(uri: &str) -> std::result::Result<(tracepass_shared::Gtin, String), String> {
    uri::epc_lot(uri)
}

/// A location URI as export writes it (UN/LOCODE, SGLN or tracepass URIs).
pub fn normalize_location(v: &str) -> std::result::Result<Option<String>, String> {
    let (country, code) = uri::location_code(v)?;
    let country = country.unwrap_or(tracepass_shared::CountryCode(*b"ZZ"));
    Ok(location_uri(&tracepass_shared::Location { country, code }))
}

use tracepass_shared::bounds::MAX_EVENTS_PER_LOT;
use tracepass_shared::Hash32;
use crate::fmt::wall_clock_ms;

/// GS1's EPCIS 2.0 JSON-LD context.
pub const EPCIS_CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";
/// The namespace of tracepass's extension fields and vocabulary (JSON-LD prefix `tracepass`).
pub const TRACEPASS_NS: &str = "https://ns.tracepass.local/epcis/";
/// Most events a document to import may hold (also the most trace events one lot can carry).
pub const MAX_IMPORT_EVENTS: usize = MAX_EVENTS_PER_LOT as usize;
/// Largest document [`parse_document`] reads, in bytes.
pub const MAX_DOCUMENT_BYTES: usize = 1 << 20;

/// `s` cut to `n` characters (with `…` when cut), for quoting input in messages.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}

fn hex32(h: &Hash32) -> String {
    format!("0x{}", hex::encode(h))
}

