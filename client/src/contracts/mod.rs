//! Typed handles on the deployed contracts: messages in, decoded results out.
//!
//! A [`Message`] names what is sent; its selector is the deployment's, read from the bundles'
//! metadata ([`messages`]). SCALE types are the shared crate's.

pub mod attestation;
pub mod call;
pub mod deploy;
pub mod deployment;
pub mod messages;
pub mod registry;
pub mod sampling;
pub mod whitelist;

pub use call::{Call, Refusal};
pub use deployment::{ContractInfo, Deployment};
pub use messages::{Contract, Message, Selector, Selectors};

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
    /// The selector of every message, from the deployment.
    pub selectors: std::sync::Arc<Selectors>,
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
        let selectors = d.selectors().map_err(|e| ClientError::Deployment(format!("the deployment file: {e}")))?;
        Ok(Tracepass {
            whitelist: acc(&d.whitelist)?,
            registry: acc(&d.registry)?,
            sampling: acc(&d.sampling)?,
            attestation: acc(&d.attestation)?,
            selectors: std::sync::Arc::new(selectors),
            chain,
        })
    }

    /// The address of `c`.
    pub fn address(&self, c: Contract) -> AccountId {
        match c {
            Contract::Whitelist => self.whitelist,
            Contract::Registry => self.registry,
            Contract::Sampling => self.sampling,
            Contract::Attestation => self.attestation,
        }
    }

    /// `m(args)` encoded for the contract that has `m`.
    pub fn call<T>(&self, m: Message, args: impl Encode) -> Call<T> {
        let mut input = self.selectors.get(m).to_vec();
        args.encode_to(&mut input);
        Call::new(self.address(m.contract()), input)
    }

    /// The same contracts, read at one pinned block (see [`Chain::pinned`]).
    pub async fn pinned(&self) -> Result<Tracepass> {
        Ok(Tracepass { chain: self.chain.pinned().await?, ..self.clone() })
    }

    /// A read: dry-runs `m(args)`, from the contract itself, and decodes its answer.
    pub async fn query<T: Decode>(&self, m: Message, args: impl Encode) -> Result<T> {
        let call = self.call::<T>(m, args);
        let dry = self.chain.dry_run(call.dest, call.dest, call.input).await?;
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
    pub async fn exec<T: Decode>(&self, signer: &Signer, m: Message, args: impl Encode) -> Result<Outcome<T>> {
        let Call { dest, input, .. } = self.call::<T>(m, args);
        let dry = self.chain.dry_run(signer.account(), dest, input.clone()).await?;
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
        let included = self.chain.call(signer, dest, input, &dry).await?;
        Ok(Outcome { value, dry_run: dry, included })
    }

    /// The gas and deposit a write would take, without submitting it.
    pub async fn estimate(&self, origin: AccountId, m: Message, args: impl Encode) -> Result<DryRun> {
        let call = self.call::<()>(m, args);
        self.chain.dry_run(origin, call.dest, call.input).await
    }

    /// A read for a batch ([`Chain::read_many`]): `m(args)` as [`Tracepass::query`] makes it.
    pub fn read(&self, m: Message, args: impl Encode) -> crate::chain::Read {
        let call = self.call::<()>(m, args);
        crate::chain::Read::DryRun { origin: call.dest, dest: call.dest, input: call.input }
    }
}

pub(crate) fn decode_ok<T: Decode>(data: &[u8]) -> Result<T> {
    let input = &mut &data[..];
    match u8::decode(input) {
        Ok(0) => T::decode(input).map_err(|e| ClientError::Chain(format!("cannot decode the contract's answer: {e}"))),
        _ => Err(ClientError::Chain("the contract does not know this message (LangError)".into())),
    }
}

/// Decodes the answer to a [`Tracepass::read`], as [`Tracepass::query`] does.
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

