//! # tracepass client library
//!
//! Everything the `tracepass` CLI does, as a library, in layers that import only the layers
//! above them (docs/ARCHITECTURE.md draws them):
//! - [`fmt`] (values for people: SS58, times, rules and actions in words), [`i18n`] (the words
//!   of verdicts and pages in English and Chinese, from `locales/`) and [`error`];
//! - [`gs1`] (GTINs, serials files, Digital Link URIs, compact proofs), [`lots`] (item IDs,
//!   Merkle trees and proofs files, built in parallel) and [`qr`];
//! - [`chain`] (one connection, signers, local nonces, dry runs, batched reads, submission);
//! - [`contracts`] (typed handles on the four contracts, the deployment file, deployment);
//! - [`verify`] (the facts of a lot at one block, the pure verdict, the report, a per-block
//!   cache) and [`batch`] (many lots from a manifest);
//! - [`epcis`] (EPCIS 2.0 export and import) and [`serve`] (the Digital Link resolver);
//! - [`index`] (the contracts' events on finalized blocks in SQLite or PostgreSQL, histories
//!   and statistics read back) and [`api`] (the index over HTTP: JSON, OpenAPI, EPCIS queries).
//!
//! SCALE types and the contracts' rules come from `tracepass-shared`.

pub mod api;
pub mod batch;
pub mod chain;
pub mod contracts;
pub mod epcis;
pub mod error;
pub mod fmt;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod gs1;
pub mod i18n;
pub mod index;
pub mod lots;
pub mod qr;
pub mod scans;
pub mod serve;
pub mod verify;

pub use chain::{Chain, Signer};
pub use contracts::{Deployment, Tracepass};
pub use error::{ClientError, Result};
pub use subxt;
pub use tracepass_shared as shared;
