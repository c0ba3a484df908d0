//! Signing keys, built from secret URIs in this one place.

use super::AccountId;
use crate::error::{ClientError, Result};
use crate::fmt::ss58;
use std::str::FromStr;

/// A signing key. Built from a secret URI in this one place; the secret is never kept as text,
/// printed or put in an error.
#[derive(Clone)]
pub struct Signer {
    pub(super) pair: subxt_signer::sr25519::Keypair,
}

impl Signer {
    /// Builds a signer from a secret URI (`//Alice`, a mnemonic, a hex seed, with derivations).
    pub fn from_suri(suri: &str) -> Result<Signer> {
        let uri = subxt_signer::SecretUri::from_str(suri.trim()).map_err(|_| ClientError::BadSecret)?;
        let pair = subxt_signer::sr25519::Keypair::from_uri(&uri).map_err(|_| ClientError::BadSecret)?;
        Ok(Signer { pair })
    }

    /// The account.
    pub fn account(&self) -> AccountId {
        AccountId::from(self.pair.public_key().0)
    }
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", ss58(&self.account()))
    }
}

