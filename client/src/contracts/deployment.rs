//! The deployment file: the four contracts' addresses, code hashes and message selectors on
//! one chain, and the events' signature topics, so a transaction's events can be named. The
//! selectors and topics come from the bundles' metadata at deployment.

use super::messages::{Contract, SelectorTable, Selectors};
use crate::chain::Included;
use crate::error::{ClientError, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One deployed contract in the deployment file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ContractInfo {
    /// SS58 address.
    pub address: String,
    /// 0x code hash.
    pub code_hash: String,
    /// The metadata's constructor and message selectors by label (0x-hex).
    #[serde(default)]
    pub selectors: SelectorTable,
}

/// The deployment file: where the suite lives on which chain.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Deployment {
    /// 0x genesis hash of the chain deployed to; other chains are refused.
    pub genesis_hash: String,
    /// `system_chain` at deployment.
    pub chain: String,
    /// The whitelist.
    pub whitelist: ContractInfo,
    /// The registry.
    pub registry: ContractInfo,
    /// The sampling contract.
    pub sampling: ContractInfo,
    /// The attestation contract.
    pub attestation: ContractInfo,
    /// Event names by signature topic (0x-hex), from the contracts' metadata, to show what a
    /// transaction emitted.
    #[serde(default)]
    pub events: std::collections::BTreeMap<String, String>,
}

impl Deployment {
    /// One contract's entry.
    pub fn contract(&self, c: Contract) -> &ContractInfo {
        match c {
            Contract::Whitelist => &self.whitelist,
            Contract::Registry => &self.registry,
            Contract::Sampling => &self.sampling,
            Contract::Attestation => &self.attestation,
        }
    }

    /// One contract's entry, to change.
    pub fn contract_mut(&mut self, c: Contract) -> &mut ContractInfo {
        match c {
            Contract::Whitelist => &mut self.whitelist,
            Contract::Registry => &mut self.registry,
            Contract::Sampling => &mut self.sampling,
            Contract::Attestation => &mut self.attestation,
        }
    }

    /// The selector of every message the client sends; the error names what is missing.
    pub fn selectors(&self) -> std::result::Result<Selectors, String> {
        if [&self.whitelist, &self.registry, &self.sampling, &self.attestation].iter().any(|c| c.selectors.is_empty()) {
            return Err("it has no message selectors (an older tracepass wrote it): add them with \
                        `tracepass deploy --refresh-selectors`, which reads them from the bundles after checking their code hashes"
                .into());
        }
        Selectors::resolve(|c| &self.contract(c).selectors).map_err(|e| format!("its contracts lack messages this client sends: {e}"))
    }

    /// Names of the contract events a transaction emitted, in order.
    pub fn event_names(&self, included: &Included) -> Vec<String> {
        included
            .events
            .iter()
            .map(|e| {
                e.topics
                    .first()
                    .and_then(|t| self.events.get(&format!("0x{}", hex::encode(t))))
                    .cloned()
                    .unwrap_or_else(|| "unknown event".into())
            })
            .collect()
    }
}

impl Deployment {
    /// Reads and checks a deployment file.
    pub fn load(path: &Path) -> Result<Deployment> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ClientError::Deployment(format!("{}: {e} (run `tracepass deploy` first, or pass --deployment)", path.display()))
        })?;
        Deployment::parse(&text).map_err(|e| ClientError::Deployment(format!("{}: {e}", path.display())))
    }

    /// Parses a deployment file's text, checking every address, hash and selector.
    pub fn parse(text: &str) -> std::result::Result<Deployment, String> {
        let d: Deployment = serde_json::from_str(text).map_err(|e| format!("malformed: {e}"))?;
        d.check()?;
        Ok(d)
    }

    /// Checks every address, hash and selector.
    pub fn check(&self) -> std::result::Result<(), String> {
        for c in [&self.whitelist, &self.registry, &self.sampling, &self.attestation] {
            crate::chain::parse_account(&c.address).map_err(|e| e.to_string())?;
            crate::fmt::parse_hex32(&c.code_hash).ok_or(format!("bad code hash {}", c.code_hash))?;
        }
        crate::fmt::parse_hex32(&self.genesis_hash).ok_or(format!("bad genesis hash {}", self.genesis_hash))?;
        self.selectors().map(|_| ())
    }

    /// Writes the file.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("serialisable");
        std::fs::write(path, text + "\n").map_err(|e| ClientError::Io { path: path.display().to_string(), reason: e.to_string() })
    }
}


