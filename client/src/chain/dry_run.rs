//! Dry runs: `ContractsApi_call` as any origin, free and without a key, and its decoded outcome
//! (gas, storage deposit, the contract's answer).

use super::{AccountId, Chain, GAS_MARGIN_PERCENT};
use crate::error::{ClientError, Result};
use parity_scale_codec::{Decode, Encode};
use subxt::utils::AccountId32;

/// Weight (gas) of a contract call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Encode, Decode, serde::Serialize)]
pub struct Weight {
    /// Computation, in picoseconds.
    #[codec(compact)]
    pub ref_time: u64,
    /// Proof size, in bytes.
    #[codec(compact)]
    pub proof_size: u64,
}

impl Weight {
    pub(super) fn with_margin(self) -> Weight {
        Weight {
            ref_time: self.ref_time.saturating_add(self.ref_time * GAS_MARGIN_PERCENT / 100),
            proof_size: self.proof_size.saturating_add(self.proof_size * GAS_MARGIN_PERCENT / 100),
        }
    }
}

#[derive(Decode)]
enum StorageDeposit {
    Refund(u128),
    Charge(u128),
}

/// What a dry run tells.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DryRun {
    /// Gas used.
    pub gas_consumed: Weight,
    /// Gas needed (can exceed use, for calls that need gas they give back).
    pub gas_required: Weight,
    /// Storage deposit charged (positive) or refunded (negative), in plancks.
    pub storage_deposit: i128,
    /// Whether the contract reverted (it returned an `Err`).
    #[serde(skip)]
    pub reverted: bool,
    /// The contract's return data.
    #[serde(skip)]
    pub data: Vec<u8>,
    /// The runtime's error, if the call failed outside the contract.
    pub dispatch_error: Option<String>,
}

/// Decodes the prefix of `ContractResult<Result<ExecReturnValue, DispatchError>, ..>`.
pub(super) fn decode_exec_result(bytes: &[u8], metadata: &subxt::Metadata, instantiate: bool) -> Result<(DryRun, Option<[u8; 32]>)> {
    let input = &mut &bytes[..];
    let bad = |_| ClientError::Chain("cannot decode the dry run's result".into());
    let gas_consumed = Weight::decode(input).map_err(bad)?;
    let gas_required = Weight::decode(input).map_err(bad)?;
    let storage_deposit = match StorageDeposit::decode(input).map_err(bad)? {
        StorageDeposit::Refund(v) => -(v as i128),
        StorageDeposit::Charge(v) => v as i128,
    };
    let _debug = Vec::<u8>::decode(input).map_err(bad)?;
    let ok = u8::decode(input).map_err(bad)? == 0;
    let mut run = DryRun { gas_consumed, gas_required, storage_deposit, reverted: false, data: vec![], dispatch_error: None };
    if ok {
        let flags = u32::decode(input).map_err(bad)?;
        run.data = Vec::<u8>::decode(input).map_err(bad)?;
        run.reverted = flags & 1 == 1;
        let address = if instantiate { Some(<[u8; 32]>::decode(input).map_err(bad)?) } else { None };
        Ok((run, address))
    } else {
        let err = subxt::error::DispatchError::decode_from(*input, metadata.clone())
            .map(|e| e.to_string())
            .unwrap_or_else(|_| format!("0x{}", hex::encode(&input[..input.len().min(64)])));
        run.dispatch_error = Some(err);
        Ok((run, None))
    }
}

impl Chain {
    /// Dry-runs a contract message as `origin` (no key needed, nothing changes).
    pub async fn dry_run(&self, origin: AccountId, dest: AccountId, input: Vec<u8>) -> Result<DryRun> {
        let bytes: Vec<u8> = self.raw_runtime_call("ContractsApi_call", &call_args(origin, dest, input)).await?;
        Ok(decode_exec_result(&bytes, &self.api.metadata(), false)?.0)
    }

    pub(super) async fn raw_runtime_call(&self, function: &str, args: &[u8]) -> Result<Vec<u8>> {
        let _permit = self.runtime_calls.acquire().await.map_err(|e| ClientError::Chain(e.to_string()))?;
        let at = self.api.runtime_api().at(self.read_block().await?);
        // call_raw decodes the result; Vec<u8> would expect a length prefix, so read raw bytes
        // through a newtype that takes everything.
        let Raw(bytes) = at.call_raw::<Raw>(function, Some(args)).await?;
        Ok(bytes)
    }
}

/// The arguments of `ContractsApi_call`: no value, no gas or deposit limit.
pub(super) fn call_args(origin: AccountId, dest: AccountId, input: Vec<u8>) -> Vec<u8> {
    (AccountId32(*origin.as_ref()), AccountId32(*dest.as_ref()), 0u128, Option::<Weight>::None, Option::<u128>::None, input).encode()
}

/// Raw bytes of a runtime API answer (no length prefix).
struct Raw(Vec<u8>);

impl Decode for Raw {
    fn decode<I: parity_scale_codec::Input>(input: &mut I) -> std::result::Result<Self, parity_scale_codec::Error> {
        let len = input.remaining_len()?.unwrap_or(0);
        let mut v = vec![0u8; len];
        input.read(&mut v)?;
        Ok(Raw(v))
    }
}

