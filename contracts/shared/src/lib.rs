//! # tracepass-shared
//!
//! Everything the four tracepass contracts and the off-chain client must agree on, defined once:
//!
//! - [`bounds`]: every size limit, as a named constant.
//! - [`ids`]: GTIN parsing and check digits, country codes, GS1 lot and serial strings, UN/LOCODEs,
//!   and the derivation of lot and item IDs.
//! - [`merkle`]: the leaf and node hashing of a lot's item tree and the proof check, used by the
//!   registry on chain and by the client off chain (the client also builds trees with `std`).
//! - [`types`]: roles, statuses, records and the one [`Error`](types::Error) enum that all
//!   contracts return, so an error raised in a callee reaches the client unchanged; and the rules
//!   the client checks before it sends (`BusinessStep::allowed_for` / `required_role`,
//!   `LotStatus::can_become`, `Location::check`, `RuleKey::check_rule`, `SamplingPolicy::check`,
//!   `sampling_draw` and `Selection::of_final`).
//! - [`traits`]: the `#[ink::trait_definition]` interfaces contracts call each other through with
//!   `ink::contract_ref!`; no contract imports another contract's crate.
//! - [`calls`]: every cross-contract call, written once (answered by [`fakes`] in unit tests), and
//!   the one caller-is-contract check, `ensure_caller_is`.
//! - [`serde_fmt`] (feature `serde`): the JSON representation of the records, for the client.
//!
//! `no_std` on chain; the `std` feature (default) is what the client and unit tests use, and
//! `serde` (implies `std`) derives `Serialize` and `Deserialize` for the client's JSON.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod bounds;
pub mod calls;
pub mod ids;
pub mod merkle;
#[cfg(feature = "serde")]
pub mod serde_fmt;
pub mod traits;
pub mod types;
#[cfg(feature = "fakes")]
pub mod fakes;
#[cfg(feature = "fakes")]
pub mod proptests;

pub use ids::*;
pub use types::*;
