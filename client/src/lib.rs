//! # tracepass client library
//!
//! Everything the `tracepass` CLI does, as a library: [`chain`] (one connection, signers, local
//! nonces, dry runs, submission), [`contracts`] (typed handles on the four contracts and the
//! deployment file), [`deploy`], [`gs1`] (serials files, Digital Link URIs, compact proofs),
//! [`lots`] (Merkle trees and proofs files, built in parallel) and [`verify`] (the consumer's
//! verdict). SCALE types come from `tracepass-shared`.

pub mod bench;
pub mod cache;
pub mod batch;
pub mod chain;
pub mod contracts;
pub mod deploy;
pub mod epcis;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod gs1;
pub mod lots;
pub mod qr;
pub mod serve;
pub mod verify;

pub use chain::{Chain, Signer};
pub use contracts::{Deployment, Tracepass};
pub use error::{ClientError, Result};
pub use subxt;
pub use tracepass_shared as shared;
