//! # tracepass client library
//!
//! Everything the `tracepass` CLI does, as a library: [`chain`] (one connection, signers, local
//! nonces, dry runs, submission), [`contracts`] (typed handles on the four contracts and the
//! deployment file), [`deploy`], [`gs1`] (serials files, Digital Link URIs, compact proofs),
//! [`lots`] (Merkle trees and proofs files, built in parallel) and [`verify`] (the consumer's
//! verdict). SCALE types come from `tracepass-shared`.

pub mod batch;
pub mod chain;
pub mod contracts;
pub mod deploy;
pub mod error;
pub mod gs1;
pub mod lots;
pub mod qr;
pub mod verify;

pub use chain::{Chain, Signer};
pub use contracts::{Deployment, Tracepass};
pub use error::{ClientError, Result};
pub use tracepass_shared as shared;
