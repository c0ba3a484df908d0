//! GS1's EPCIS 2.0 JSON Schema (draft-07, vendored byte for byte as
//! `client/schemas/EPCIS-JSON-Schema.json` from gs1.github.io/EPCIS): every document export
//! writes and import reads is checked against it. Compiled once per process.

use super::clip;
use crate::error::{ClientError, Result};
use serde_json::Value;
use std::sync::OnceLock;

/// GS1's EPCIS 2.0 JSON Schema (draft-07), vendored unchanged from GS1's EPCIS repository
/// (gs1.github.io/EPCIS, `EPCIS-JSON-Schema.json`).
pub const SCHEMA: &str = include_str!("../../schemas/EPCIS-JSON-Schema.json");
/// Schema errors named in a rejection message.
pub const SCHEMA_ERRORS_SHOWN: usize = 3;

/// Compiles a JSON Schema text (draft-07, formats asserted) into a validator.
pub fn compile_schema(text: &str) -> Result<jsonschema::Validator> {
    let schema: Value = serde_json::from_str(text).map_err(|e| ClientError::Input(format!("EPCIS schema: not JSON: {e}")))?;
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .should_validate_formats(true)
        .build(&schema)
        .map_err(|e| ClientError::Input(format!("EPCIS schema does not compile: {e}")))
}

/// The vendored schema, compiled once.
fn validator() -> Result<&'static jsonschema::Validator> {
    static V: OnceLock<std::result::Result<jsonschema::Validator, String>> = OnceLock::new();
    V.get_or_init(|| compile_schema(SCHEMA).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(|e| ClientError::Chain(e.clone()))
}

/// The first `max` errors of `doc` under `v`, each as "at /json/pointer: message".
pub fn schema_errors_with(v: &jsonschema::Validator, doc: &Value, max: usize) -> Vec<String> {
    v.iter_errors(doc)
        .take(max)
        .map(|e| {
            let at = e.instance_path().to_string();
            format!("at {}: {}", if at.is_empty() { "/" } else { &at }, clip(&e.to_string(), 200))
        })
        .collect()
}

/// Validates `doc` against the vendored EPCIS 2.0 schema: `Ok` or the first few errors.
pub fn validate(doc: &Value) -> Result<()> {
    let v = validator()?;
    if v.is_valid(doc) {
        return Ok(());
    }
    let errs = schema_errors_with(v, doc, SCHEMA_ERRORS_SHOWN);
    Err(ClientError::Input(format!("the document fails the EPCIS 2.0 schema: {}", errs.join("; "))))
}
