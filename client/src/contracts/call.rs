//! An encoded contract call, its dry run as a yes/no answer, and its form inside a runtime batch.

use super::{Message, Tracepass};
use crate::chain::{AccountId, DryRun, Weight};
use crate::error::{decode_revert, ClientError, Result};
use parity_scale_codec::Decode;
use std::marker::PhantomData;
use subxt::dynamic::Value;
use tracepass_shared::Error;

/// A contract message with its SCALE arguments (made by [`Tracepass::call`]) and the contract it
/// goes to; `T` is what the message returns inside its `Result<T, Error>`.
#[derive(Debug, Clone)]
pub struct Call<T> {
    /// The contract.
    pub dest: AccountId,
    /// Selector and arguments.
    pub input: Vec<u8>,
    answer: PhantomData<fn() -> T>,
}

impl<T> Call<T> {
    /// `input` (selector and arguments) to `dest`.
    pub fn new(dest: AccountId, input: Vec<u8>) -> Call<T> {
        Call { dest, input, answer: PhantomData }
    }

    /// The call as a `Contracts.call` runtime call with these limits (no value sent), to go
    /// into a batch ([`crate::chain::Chain::batch_all`]).
    pub fn runtime_call(&self, gas: Weight, deposit_limit: u128) -> Value {
        Value::unnamed_variant(
            "Contracts",
            [Value::named_variant(
                "call",
                [
                    ("dest", Value::unnamed_variant("Id", [Value::from_bytes(AsRef::<[u8]>::as_ref(&self.dest))])),
                    ("value", Value::u128(0)),
                    (
                        "gas_limit",
                        Value::named_composite([
                            ("ref_time", Value::u128(u128::from(gas.ref_time))),
                            ("proof_size", Value::u128(u128::from(gas.proof_size))),
                        ]),
                    ),
                    ("storage_deposit_limit", Value::unnamed_variant("Some", [Value::u128(deposit_limit)])),
                    ("data", Value::from_bytes(&self.input)),
                ],
            )],
        )
    }
}

/// Why a dry run says a write would fail.
#[derive(Debug)]
pub enum Refusal {
    /// The runtime refused the call, outside the contract.
    Dispatch(String),
    /// The contract refused it: it reverted, or answered with one of its errors.
    Contract(ClientError),
    /// The contract's answer does not decode as the message's.
    Undecodable,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Dispatch(e) => write!(f, "the dry run failed: {e}"),
            Refusal::Contract(e) => write!(f, "{e}"),
            Refusal::Undecodable => f.write_str("the contract's answer cannot be decoded"),
        }
    }
}

impl Tracepass {
    /// The registry's `add_event` call, as [`Tracepass::add_event`] sends it.
    pub fn add_event_call(
        &self,
        lot: tracepass_shared::LotId,
        step: tracepass_shared::BusinessStep,
        event_time: tracepass_shared::Timestamp,
        location: tracepass_shared::Location,
        document_hash: tracepass_shared::Hash32,
    ) -> Call<u32> {
        self.call(Message::AddEvent, (lot, step, event_time, location, document_hash))
    }

    /// Dry-runs `call` as `origin`, nothing signed: `Ok(Ok(..))` with the contract's answer and
    /// the call's gas and deposit when it would succeed, `Ok(Err(..))` when the runtime or the
    /// contract would refuse it, `Err` when the node cannot be asked.
    pub async fn dry_run<T: Decode>(&self, origin: AccountId, call: &Call<T>) -> Result<std::result::Result<(T, DryRun), Refusal>> {
        let dry = self.chain.dry_run(origin, call.dest, call.input.clone()).await?;
        if let Some(e) = &dry.dispatch_error {
            return Ok(Err(Refusal::Dispatch(e.clone())));
        }
        if dry.reverted {
            return Ok(Err(Refusal::Contract(decode_revert(&dry.data))));
        }
        let input = &mut &dry.data[..];
        let answer = match u8::decode(input) {
            Ok(0) => std::result::Result::<T, Error>::decode(input).ok(),
            _ => None,
        };
        Ok(match answer {
            Some(Ok(value)) => Ok((value, dry)),
            Some(Err(e)) => Err(Refusal::Contract(ClientError::Contract(e))),
            None => Err(Refusal::Undecodable),
        })
    }
}
