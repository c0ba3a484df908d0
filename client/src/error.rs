//! Client errors: each says what went wrong in words a user can act on. None ever contains a
//! secret URI or seed (signers are built from secrets in one place, `chain::Signer`, whose
//! errors are replaced by a fixed message).

use crate::fmt::ss58;
use parity_scale_codec::Decode;
use tracepass_shared::Error as ContractError;

/// Everything the client can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The node could not be reached or the connection dropped.
    #[error("cannot reach the node at {url}: {reason}. Is it running (scripts/node.sh start)? Retrying the same command is safe.")]
    Connect {
        /// The endpoint.
        url: String,
        /// Why.
        reason: String,
    },
    /// An RPC or subxt failure after connecting.
    #[error("chain error: {0}")]
    Chain(String),
    /// The contract refused the call with one of its documented errors.
    #[error("{}", describe(.0))]
    Contract(ContractError),
    /// The runtime refused the extrinsic (out of gas, no funds, contract trapped...).
    #[error("the chain rejected the transaction: {0}")]
    Dispatch(String),
    /// The chain is not one this client can talk to safely.
    #[error("incompatible chain: {0}")]
    Incompatible(String),
    /// The deployment file is missing, malformed, or for another chain.
    #[error("deployment: {0}")]
    Deployment(String),
    /// A user input (argument or file) is invalid; nothing was sent.
    #[error("invalid input: {0}")]
    Input(String),
    /// The secret key could not be used (the secret itself is never shown).
    #[error("invalid secret key: the --suri / TRACEPASS_SURI / --suri-file value is not a valid secret URI")]
    BadSecret,
    /// The index database failed or refused (its URL shown without the password).
    #[error("index database {0}")]
    Database(String),
    /// A file could not be read or written.
    #[error("{path}: {reason}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Result alias of the client.
pub type Result<T> = std::result::Result<T, ClientError>;

impl From<subxt::Error> for ClientError {
    fn from(e: subxt::Error) -> Self {
        use subxt::error::RpcError;
        match e {
            // the transport failed (node stopped, connection dropped): say so, and that a retry is safe
            subxt::Error::Rpc(r @ (RpcError::ClientError(_) | RpcError::SubscriptionDropped | RpcError::DisconnectedWillReconnect(_))) => {
                ClientError::Connect { url: "the node".into(), reason: format!("the connection dropped ({r})") }
            }
            subxt::Error::Rpc(r) => ClientError::Chain(format!("rpc: {r}")),
            other => ClientError::Chain(other.to_string()),
        }
    }
}

impl ClientError {
    /// True when the node could not be reached or the connection dropped: the operation may or
    /// may not have taken effect, and retrying it (all tracepass writes are idempotent or
    /// checked first) is safe.
    pub fn is_connection(&self) -> bool {
        matches!(self, ClientError::Connect { .. })
    }
}

/// A readable sentence for each contract error.
pub fn describe(e: &ContractError) -> String {
    use ContractError::*;
    match e {
        Unauthorized { account, role } => format!("{} is not allowed: this needs the {role:?} role", ss58(account)),
        NotOwner { account } => format!("{} does not own this lot, product or factory", ss58(account)),
        NotContract { caller, expected } => {
            format!("{} may not call this: only the {expected:?} contract may", ss58(caller))
        }
        Invalid(tracepass_shared::Field::ValidUntil) => format!(
            "invalid validity: it must end after now, within {} days, and not after the agency's accreditation ends",
            tracepass_shared::bounds::MAX_VALIDITY_MS / 86_400_000
        ),
        Invalid(tracepass_shared::Field::BatchSize) => {
            format!("invalid batch: one call registers 1 to {} lots", tracepass_shared::bounds::MAX_LOTS_PER_BATCH)
        }
        Invalid(tracepass_shared::Field::DisplayName) => format!(
            "invalid display name: at most {} bytes of UTF-8, no control characters (line breaks, tabs, escapes), not only spaces (an empty name removes the name)",
            tracepass_shared::bounds::MAX_DISPLAY_NAME_LEN
        ),
        Invalid(field) => format!("invalid {field:?}: malformed or out of its bound"),
        BadGtin(g) => format!("invalid GTIN: {g:?}"),
        BadGs1String(s) => format!("invalid lot number or serial: {s:?}"),
        NotEnoughApprovals { have, need } => format!("proposal has {have} of the {need} approvals it needs"),
        IllegalTransition { from, to } => format!("lot cannot go from {from:?} to {to:?}"),
        StepNotAllowed(step) => format!("your role may not record business step {step:?}"),
        OutOfScope { agency, category } => {
            format!("agency {} is not accredited for product category {category}", ss58(agency))
        }
        AccreditationExpired { agency } => format!("agency {}'s accreditation has expired", ss58(agency)),
        NotWired(k) => format!("the {k:?} contract is not wired into this deployment"),
        PrefixTaken { prefix, owner, owned } => format!(
            "GS1 company prefix {} overlaps prefix {} held by merchant {}: no two merchants may register the same GTINs",
            crate::fmt::text(prefix),
            crate::fmt::text(owned),
            ss58(owner)
        ),
        TooManyNames => format!("too many accounts in one display_names read: at most {}", tracepass_shared::bounds::MAX_NAMES_PER_READ),
        other => format!("{other:?}"),
    }
}


/// Decodes a reverted call's output: `Result<Result<_, Error>, LangError>` with an `Err` inside.
pub fn decode_revert(data: &[u8]) -> ClientError {
    let input = &mut &data[..];
    match (u8::decode(input), u8::decode(input)) {
        (Ok(0), Ok(1)) => match ContractError::decode(input) {
            Ok(e) => ClientError::Contract(e),
            Err(_) => ClientError::Chain(format!("undecodable contract error 0x{}", hex::encode(data))),
        },
        (Ok(1), _) => ClientError::Chain("the contract does not know this message (LangError)".into()),
        _ => ClientError::Chain(format!("contract reverted with 0x{}", hex::encode(data))),
    }
}

