//! The messages the client sends, by contract and label; their selectors are read from the built
//! bundles' metadata (`spec.constructors`, `spec.messages`) and carried in the deployment file,
//! so nothing here restates a selector, and a bundle that lacks a message is refused when the
//! deployment is opened rather than mid-operation.

use std::collections::BTreeMap;

/// A message selector.
pub type Selector = [u8; 4];

/// One of the four contracts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Contract {
    /// Members, merchants, governance.
    Whitelist,
    /// Factories, products, lots, trace.
    Registry,
    /// Commit-reveal epochs and lot selection.
    Sampling,
    /// Inspections, certifications, customs clearances.
    Attestation,
}

impl Contract {
    /// The bundle's name (`NAME.contract`).
    pub fn name(self) -> &'static str {
        match self {
            Contract::Whitelist => "whitelist",
            Contract::Registry => "registry",
            Contract::Sampling => "sampling",
            Contract::Attestation => "attestation",
        }
    }
}

macro_rules! messages {
    ($($name:ident = $contract:ident $label:literal,)*) => {
        /// A constructor or message the client sends, named as in the contract's metadata.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum Message { $($name,)* }

        impl Message {
            /// Every message the client sends: a deployment must have a selector for each.
            pub const ALL: &'static [Message] = &[$(Message::$name),*];
            /// The contract that has it.
            pub fn contract(self) -> Contract {
                match self { $(Message::$name => Contract::$contract,)* }
            }
            /// Its label in the metadata (trait messages as `Trait::message`).
            pub fn label(self) -> &'static str {
                match self { $(Message::$name => $label,)* }
            }
        }
    };
}

messages! {
    WhitelistNew = Whitelist "new",
    Propose = Whitelist "propose",
    Approve = Whitelist "approve",
    Execute = Whitelist "execute",
    SuspendMerchant = Whitelist "suspend_merchant",
    Wire = Whitelist "wire",
    Governors = Whitelist "governors",
    Threshold = Whitelist "threshold",
    Member = Whitelist "member",
    Proposal = Whitelist "proposal",
    ProposalCount = Whitelist "proposal_count",
    RoleOf = Whitelist "WhitelistApi::role_of",
    Merchant = Whitelist "WhitelistApi::merchant",
    MerchantStanding = Whitelist "merchant_standing",
    DisplayName = Whitelist "display_name",
    DisplayNames = Whitelist "display_names",
    RegistryNew = Registry "new",
    RegisterFactory = Registry "register_factory",
    RegisterProduct = Registry "register_product",
    RegisterLot = Registry "register_lot",
    RegisterLots = Registry "register_lots",
    AddEvent = Registry "add_event",
    Recall = Registry "recall",
    VerifyItem = Registry "verify_item",
    Events = Registry "events",
    Counts = Registry "counts",
    Lot = Registry "RegistryApi::lot",
    Product = Registry "RegistryApi::product",
    Factory = Registry "RegistryApi::factory",
    RegistrySetCode = Registry "Upgradeable::set_code",
    SetFactoryName = Registry "set_factory_name",
    FactoryName = Registry "factory_name",
    SamplingNew = Sampling "new",
    Commit = Sampling "commit",
    Reveal = Sampling "reveal",
    Finalize = Sampling "finalize",
    LotSample = Sampling "lot_sample",
    CurrentEpoch = Sampling "current_epoch",
    Timing = Sampling "timing",
    EpochStatus = Sampling "epoch_status",
    Rules = Sampling "rules",
    Selection = Sampling "SamplingApi::selection",
    AttestationNew = Attestation "new",
    AttestInspection = Attestation "attest_inspection",
    AttestCertification = Attestation "attest_certification",
    AttestCustoms = Attestation "attest_customs",
    Revoke = Attestation "revoke",
    OfLot = Attestation "of_lot",
    OpenDispute = Attestation "open_dispute",
    Dispute = Attestation "dispute",
    OfFactory = Attestation "of_factory",
    Status = Attestation "status",
}

/// One contract's selectors by label, as the deployment file carries them (`"0x1a2b3c4d"`).
pub type SelectorTable = BTreeMap<String, String>;

/// The selector of every [`Message`], resolved from the deployment's tables. Only
/// [`Selectors::resolve`] makes one, and it fails unless every message is present, so
/// [`Selectors::get`] always has an answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selectors(Vec<Selector>);

impl Selectors {
    /// Resolves every message from `table(contract)`; the error names each missing or malformed
    /// one.
    pub fn resolve<'a>(table: impl Fn(Contract) -> &'a SelectorTable) -> Result<Selectors, String> {
        let mut found = Vec::with_capacity(Message::ALL.len());
        let mut problems = vec![];
        for m in Message::ALL {
            match table(m.contract()).get(m.label()) {
                None => problems.push(format!("{} has no message {}", m.contract().name(), m.label())),
                Some(hex) => match parse_selector(hex) {
                    Some(s) => found.push(s),
                    None => problems.push(format!("{}.{}: bad selector {hex:?}", m.contract().name(), m.label())),
                },
            }
        }
        if problems.is_empty() {
            Ok(Selectors(found))
        } else {
            Err(problems.join("; "))
        }
    }

    /// The selector of `m`.
    pub fn get(&self, m: Message) -> Selector {
        self.0[m as usize]
    }
}

/// The selectors of a bundle's metadata: its constructors' and messages' labels to selectors.
/// A label that is both a constructor and a message is refused, since a lookup would be
/// ambiguous.
pub fn table_of(metadata: &serde_json::Value) -> Result<SelectorTable, String> {
    let mut table = SelectorTable::new();
    for section in ["constructors", "messages"] {
        for m in metadata["spec"][section].as_array().into_iter().flatten() {
            let (Some(label), Some(sel)) = (m["label"].as_str(), m["selector"].as_str()) else {
                return Err(format!("spec.{section}: an entry without label or selector"));
            };
            if parse_selector(sel).is_none() {
                return Err(format!("spec.{section}.{label}: bad selector {sel:?}"));
            }
            if table.insert(label.to_string(), sel.to_string()).is_some() {
                return Err(format!("{label} is both a constructor and a message"));
            }
        }
    }
    Ok(table)
}

fn parse_selector(s: &str) -> Option<Selector> {
    hex::decode(s.strip_prefix("0x")?).ok()?.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> BTreeMap<Contract, SelectorTable> {
        let mut t: BTreeMap<Contract, SelectorTable> = BTreeMap::new();
        for (i, m) in Message::ALL.iter().enumerate() {
            t.entry(m.contract()).or_default().insert(m.label().into(), format!("0x{:08x}", i));
        }
        t
    }

    #[test]
    fn resolve_works() {
        let t = full();
        let s = Selectors::resolve(|c| &t[&c]).unwrap();
        assert_eq!(s.get(Message::WhitelistNew), [0, 0, 0, 0]);
        assert_eq!(s.get(Message::Status), (Message::ALL.len() as u32 - 1).to_be_bytes());
        assert_eq!(s.get(Message::RegisterLot), (Message::RegisterLot as u32).to_be_bytes());
    }

    #[test]
    fn resolve_fails_naming_what_is_missing() {
        let mut t = full();
        t.get_mut(&Contract::Registry).unwrap().remove("register_lot");
        t.get_mut(&Contract::Sampling).unwrap().insert("commit".into(), "0x1234".into());
        let e = Selectors::resolve(|c| &t[&c]).unwrap_err();
        assert!(e.contains("registry has no message register_lot"), "{e}");
        assert!(e.contains("sampling.commit: bad selector"), "{e}");
    }

    #[test]
    fn labels_are_unique_per_contract() {
        let mut seen = std::collections::HashSet::new();
        for m in Message::ALL {
            assert!(seen.insert((m.contract(), m.label())), "{m:?} is listed twice");
        }
    }

    #[test]
    fn table_of_works() {
        let meta = serde_json::json!({"spec": {
            "constructors": [{"label": "new", "selector": "0x9bae9d5e"}],
            "messages": [{"label": "propose", "selector": "0x0a1b2c3d"}, {"label": "X::y", "selector": "0x00000001"}]
        }});
        let t = table_of(&meta).unwrap();
        assert_eq!(t.len(), 3);
        assert_eq!(t["X::y"], "0x00000001");
    }

    #[test]
    fn table_of_fails() {
        let dup = serde_json::json!({"spec": {
            "constructors": [{"label": "new", "selector": "0x9bae9d5e"}],
            "messages": [{"label": "new", "selector": "0x0a1b2c3d"}]
        }});
        assert!(table_of(&dup).unwrap_err().contains("both"));
        let bad = serde_json::json!({"spec": {"messages": [{"label": "m", "selector": "0x12"}]}});
        assert!(table_of(&bad).unwrap_err().contains("bad selector"));
        let unlabeled = serde_json::json!({"spec": {"messages": [{"selector": "0x12345678"}]}});
        assert!(table_of(&unlabeled).is_err());
    }
}
