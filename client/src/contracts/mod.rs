//! Typed handles on the deployed contracts: messages in, decoded results out.
//!
//! Selectors come from ink!'s own `selector_bytes!` (the same computation the contracts' macros
//! use; the end-to-end suite checks each against the built metadata). SCALE types are the shared
//! crate's.

pub mod attestation;
pub mod deploy;
pub mod deployment;
pub mod registry;
pub mod sampling;
pub mod selectors;
pub mod whitelist;

pub use deployment::{ContractInfo, Deployment};
pub use selectors::Selector;

use crate::chain::{AccountId, Chain, DryRun, Included, Signer};
use crate::error::{decode_revert, ClientError, Result};
use parity_scale_codec::{Decode, Encode};
use tracepass_shared::Error;

/// The four contracts, on one connection.
#[derive(Clone)]
pub struct Tracepass {
    /// The connection.
    pub chain: Chain,
    /// Whitelist address.
    pub whitelist: AccountId,
    /// Registry address.
    pub registry: AccountId,
    /// Sampling address.
    pub sampling: AccountId,
    /// Attestation address.
    pub attestation: AccountId,
}

/// A write's outcome: the contract's answer and what the transaction emitted.
#[derive(Debug, Clone)]
pub struct Outcome<T> {
    /// The value the message returned (from the dry run; IDs are confirmed by events).
    pub value: T,
    /// The dry run's gas and deposit.
    pub dry_run: DryRun,
    /// The included transaction.
    pub included: Included,
}

impl Tracepass {
    /// Opens a deployment on a connected chain; refuses a deployment made on another chain.
    pub fn open(chain: Chain, d: &Deployment) -> Result<Tracepass> {
        let genesis = format!("{:?}", chain.genesis_hash());
        if !genesis.eq_ignore_ascii_case(&d.genesis_hash) {
            return Err(ClientError::Deployment(format!(
                "the deployment file is for chain {} (genesis {}), but the node at {} has genesis {genesis}: refusing to use it",
                d.chain, d.genesis_hash, chain.url
            )));
        }
        let acc = |c: &ContractInfo| crate::chain::parse_account(&c.address);
        Ok(Tracepass {
            whitelist: acc(&d.whitelist)?,
            registry: acc(&d.registry)?,
            sampling: acc(&d.sampling)?,
            attestation: acc(&d.attestation)?,
            chain,
        })
    }

    /// The same contracts, read at one pinned block (see [`Chain::pinned`]).
    pub async fn pinned(&self) -> Result<Tracepass> {
        Ok(Tracepass { chain: self.chain.pinned().await?, ..self.clone() })
    }

    /// A read: dry-runs `selector(args)` on `contract` and decodes its answer.
    pub async fn query<T: Decode>(&self, contract: AccountId, selector: Selector, args: impl Encode) -> Result<T> {
        let mut input = selector.to_vec();
        args.encode_to(&mut input);
        let dry = self.chain.dry_run(contract, contract, input).await?;
        if let Some(e) = dry.dispatch_error {
            return Err(ClientError::Dispatch(e));
        }
        if dry.reverted {
            return Err(decode_revert(&dry.data));
        }
        decode_ok::<T>(&dry.data)
    }

    /// A write of a message returning `Result<T>`: dry run as the signer; a contract error stops
    /// here, before anything is signed; otherwise submit and wait for inclusion.
    pub async fn exec<T: Decode>(&self, signer: &Signer, contract: AccountId, selector: Selector, args: impl Encode) -> Result<Outcome<T>> {
        let mut input = selector.to_vec();
        args.encode_to(&mut input);
        let dry = self.chain.dry_run(signer.account(), contract, input.clone()).await?;
        if let Some(e) = &dry.dispatch_error {
            return Err(ClientError::Dispatch(e.clone()));
        }
        if dry.reverted {
            return Err(decode_revert(&dry.data));
        }
        let value = match decode_ok::<std::result::Result<T, Error>>(&dry.data)? {
            Ok(v) => v,
            Err(e) => return Err(ClientError::Contract(e)),
        };
        let included = self.chain.call(signer, contract, input, &dry).await?;
        Ok(Outcome { value, dry_run: dry, included })
    }

    /// The gas and deposit a write would take, without submitting it.
    pub async fn estimate(&self, origin: AccountId, contract: AccountId, selector: Selector, args: impl Encode) -> Result<DryRun> {
        let mut input = selector.to_vec();
        args.encode_to(&mut input);
        self.chain.dry_run(origin, contract, input).await
    }
}

fn decode_ok<T: Decode>(data: &[u8]) -> Result<T> {
    let input = &mut &data[..];
    match u8::decode(input) {
        Ok(0) => T::decode(input).map_err(|e| ClientError::Chain(format!("cannot decode the contract's answer: {e}"))),
        _ => Err(ClientError::Chain("the contract does not know this message (LangError)".into())),
    }
}

/// A read for a batch ([`Chain::read_many`]): `selector(args)` on `contract`, as
/// [`Tracepass::query`] makes it.
pub fn read(contract: AccountId, selector: Selector, args: impl Encode) -> crate::chain::Read {
    let mut input = selector.to_vec();
    args.encode_to(&mut input);
    crate::chain::Read::DryRun { origin: contract, dest: contract, input }
}

/// Decodes the answer to a [`read`], as [`Tracepass::query`] does.
pub fn answer<T: Decode>(out: crate::chain::ReadOut) -> Result<T> {
    let crate::chain::ReadOut::DryRun(dry) = out else {
        return Err(ClientError::Chain("expected a dry run's answer".into()));
    };
    if let Some(e) = dry.dispatch_error {
        return Err(ClientError::Dispatch(e));
    }
    if dry.reverted {
        return Err(decode_revert(&dry.data));
    }
    decode_ok::<T>(&dry.data)
}

