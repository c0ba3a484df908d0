//! Typed handles on the deployed contracts: messages in, decoded results out.
//!
//! Selectors come from ink!'s own `selector_bytes!` (the same computation the contracts' macros
//! use; the end-to-end suite checks each against the built metadata). SCALE types are the shared
//! crate's.

use crate::chain::{ss58, AccountId, Chain, DryRun, Included, Signer};
use crate::error::{ClientError, Result};
use parity_scale_codec::{Decode, Encode};
use serde::{Deserialize, Serialize};
use std::path::Path;
use tracepass_shared::merkle::Node;
use tracepass_shared::*;

/// A message selector.
pub type Selector = [u8; 4];

macro_rules! sel {
    ($name:literal) => {
        ink::selector_bytes!($name)
    };
}

/// Every selector the client uses, by contract.
pub mod selectors {
    use super::Selector;
    /// Constructor of every contract.
    pub const NEW: Selector = sel!("new");
    // whitelist
    pub const PROPOSE: Selector = sel!("propose");
    pub const APPROVE: Selector = sel!("approve");
    pub const EXECUTE: Selector = sel!("execute");
    pub const ADD_MERCHANT: Selector = sel!("add_merchant");
    pub const SET_MERCHANT_TIER: Selector = sel!("set_merchant_tier");
    pub const SUSPEND_MERCHANT: Selector = sel!("suspend_merchant");
    pub const REINSTATE_MERCHANT: Selector = sel!("reinstate_merchant");
    pub const WIRE: Selector = sel!("wire");
    pub const GOVERNORS: Selector = sel!("governors");
    pub const THRESHOLD: Selector = sel!("threshold");
    pub const MEMBER: Selector = sel!("member");
    pub const PROPOSAL: Selector = sel!("proposal");
    pub const PROPOSAL_COUNT: Selector = sel!("proposal_count");
    pub const ROLE_OF: Selector = sel!("WhitelistApi::role_of");
    pub const MERCHANT: Selector = sel!("WhitelistApi::merchant");
    // registry
    pub const REGISTER_FACTORY: Selector = sel!("register_factory");
    pub const REGISTER_PRODUCT: Selector = sel!("register_product");
    pub const REGISTER_LOT: Selector = sel!("register_lot");
    pub const ADD_EVENT: Selector = sel!("add_event");
    pub const RECALL: Selector = sel!("recall");
    pub const VERIFY_ITEM: Selector = sel!("verify_item");
    pub const EVENTS: Selector = sel!("events");
    pub const COUNTS: Selector = sel!("counts");
    pub const LOT: Selector = sel!("RegistryApi::lot");
    pub const PRODUCT: Selector = sel!("RegistryApi::product");
    pub const FACTORY: Selector = sel!("RegistryApi::factory");
    // sampling
    pub const COMMIT: Selector = sel!("commit");
    pub const REVEAL: Selector = sel!("reveal");
    pub const FINALIZE: Selector = sel!("finalize");
    pub const LOT_SAMPLE: Selector = sel!("lot_sample");
    pub const CURRENT_EPOCH: Selector = sel!("current_epoch");
    pub const TIMING: Selector = sel!("timing");
    pub const EPOCH_STATUS: Selector = sel!("epoch_status");
    pub const RULES: Selector = sel!("rules");
    pub const SELECTION: Selector = sel!("SamplingApi::selection");
    // attestation
    pub const ATTEST_INSPECTION: Selector = sel!("attest_inspection");
    pub const ATTEST_CERTIFICATION: Selector = sel!("attest_certification");
    pub const ATTEST_CUSTOMS: Selector = sel!("attest_customs");
    pub const REVOKE: Selector = sel!("revoke");
    pub const OF_LOT: Selector = sel!("of_lot");
    pub const OF_FACTORY: Selector = sel!("of_factory");
    pub const STATUS: Selector = sel!("status");
    /// Every contract but the whitelist: governance upgrades.
    pub const SET_CODE: Selector = sel!("Upgradeable::set_code");
}
use selectors as s;

/// Decodes a reverted call's output: `Result<Result<_, Error>, LangError>` with an `Err` inside.
pub fn decode_revert(data: &[u8]) -> ClientError {
    let input = &mut &data[..];
    match (u8::decode(input), u8::decode(input)) {
        (Ok(0), Ok(1)) => match Error::decode(input) {
            Ok(e) => ClientError::Contract(e),
            Err(_) => ClientError::Chain(format!("undecodable contract error 0x{}", hex::encode(data))),
        },
        (Ok(1), _) => ClientError::Chain("the contract does not know this message (LangError)".into()),
        _ => ClientError::Chain(format!("contract reverted with 0x{}", hex::encode(data))),
    }
}

/// One deployed contract in the deployment file.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ContractInfo {
    /// SS58 address.
    pub address: String,
    /// 0x code hash.
    pub code_hash: String,
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

    /// Parses a deployment file's text, checking every address and hash.
    pub fn parse(text: &str) -> std::result::Result<Deployment, String> {
        let d: Deployment = serde_json::from_str(text).map_err(|e| format!("malformed: {e}"))?;
        for c in [&d.whitelist, &d.registry, &d.sampling, &d.attestation] {
            crate::chain::parse_account(&c.address).map_err(|e| e.to_string())?;
            parse_h256(&c.code_hash).ok_or(format!("bad code hash {}", c.code_hash))?;
        }
        parse_h256(&d.genesis_hash).ok_or(format!("bad genesis hash {}", d.genesis_hash))?;
        Ok(d)
    }

    /// Writes the file.
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("serialisable");
        std::fs::write(path, text + "\n").map_err(|e| ClientError::Io { path: path.display().to_string(), reason: e.to_string() })
    }
}

fn parse_h256(s: &str) -> Option<[u8; 32]> {
    hex::decode(s.strip_prefix("0x")?).ok()?.try_into().ok()
}

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

    // ---- whitelist ----------------------------------------------------------------------

    /// Proposes a governance action; returns the proposal ID.
    pub async fn propose(&self, signer: &Signer, action: Action) -> Result<Outcome<ProposalId>> {
        self.exec(signer, self.whitelist, s::PROPOSE, action).await
    }
    /// Approves a proposal; returns its approvals.
    pub async fn approve(&self, signer: &Signer, id: ProposalId) -> Result<Outcome<u32>> {
        self.exec(signer, self.whitelist, s::APPROVE, id).await
    }
    /// Executes a proposal.
    pub async fn execute(&self, signer: &Signer, id: ProposalId) -> Result<Outcome<()>> {
        self.exec(signer, self.whitelist, s::EXECUTE, id).await
    }
    /// Onboards a merchant.
    pub async fn add_merchant(
        &self,
        signer: &Signer,
        account: AccountId,
        name_hash: Hash32,
        country: CountryCode,
        prefixes: Vec<Vec<u8>>,
        tier: MerchantTier,
    ) -> Result<Outcome<()>> {
        self.exec(signer, self.whitelist, s::ADD_MERCHANT, (account, name_hash, country, prefixes, tier)).await
    }
    /// Suspends a merchant.
    pub async fn suspend_merchant(&self, signer: &Signer, account: AccountId, reason: Hash32) -> Result<Outcome<()>> {
        self.exec(signer, self.whitelist, s::SUSPEND_MERCHANT, (account, reason)).await
    }
    /// Reinstates a merchant.
    pub async fn reinstate_merchant(&self, signer: &Signer, account: AccountId) -> Result<Outcome<()>> {
        self.exec(signer, self.whitelist, s::REINSTATE_MERCHANT, account).await
    }
    /// Changes a merchant's tier.
    pub async fn set_merchant_tier(&self, signer: &Signer, account: AccountId, tier: MerchantTier) -> Result<Outcome<()>> {
        self.exec(signer, self.whitelist, s::SET_MERCHANT_TIER, (account, tier)).await
    }
    /// A merchant's record.
    pub async fn merchant(&self, who: AccountId) -> Result<Option<Merchant>> {
        self.query(self.whitelist, s::MERCHANT, who).await
    }
    /// A member's record.
    pub async fn member(&self, who: AccountId) -> Result<Option<Member>> {
        self.query(self.whitelist, s::MEMBER, who).await
    }
    /// Role of an account.
    pub async fn role_of(&self, who: AccountId) -> Result<Option<Role>> {
        self.query(self.whitelist, s::ROLE_OF, who).await
    }
    /// The governors and the threshold.
    pub async fn governance(&self) -> Result<(Vec<AccountId>, u8)> {
        Ok((self.query(self.whitelist, s::GOVERNORS, ()).await?, self.query(self.whitelist, s::THRESHOLD, ()).await?))
    }
    /// A proposal.
    pub async fn proposal(&self, id: ProposalId) -> Result<Option<Proposal>> {
        self.query(self.whitelist, s::PROPOSAL, id).await
    }
    /// Number of proposals.
    pub async fn proposal_count(&self) -> Result<ProposalId> {
        self.query(self.whitelist, s::PROPOSAL_COUNT, ()).await
    }

    // ---- registry -----------------------------------------------------------------------

    /// Registers a factory; returns its ID.
    pub async fn register_factory(&self, signer: &Signer, country: CountryCode, name_hash: Hash32) -> Result<Outcome<FactoryId>> {
        let mut out: Outcome<FactoryId> = self.exec(signer, self.registry, s::REGISTER_FACTORY, (country, name_hash)).await?;
        // the dry run's ID can be overtaken by a concurrent registration: take the event's
        if let Some(ev) = out.included.events.iter().find(|e| e.contract == self.registry) {
            if let Ok(id) = FactoryId::decode(&mut &ev.data[..]) {
                out.value = id;
            }
        }
        Ok(out)
    }
    /// Registers a product.
    pub async fn register_product(&self, signer: &Signer, info: ProductInput) -> Result<Outcome<()>> {
        self.exec(signer, self.registry, s::REGISTER_PRODUCT, info).await
    }
    /// Registers a lot; returns its ID.
    pub async fn register_lot(&self, signer: &Signer, info: LotInput) -> Result<Outcome<LotId>> {
        self.exec(signer, self.registry, s::REGISTER_LOT, info).await
    }
    /// Appends a trace event.
    pub async fn add_event(
        &self,
        signer: &Signer,
        lot: LotId,
        step: BusinessStep,
        event_time: Timestamp,
        location: Location,
        document_hash: Hash32,
    ) -> Result<Outcome<u32>> {
        self.exec(signer, self.registry, s::ADD_EVENT, (lot, step, event_time, location, document_hash)).await
    }
    /// Recalls a lot.
    pub async fn recall(&self, signer: &Signer, lot: LotId, reason: Hash32) -> Result<Outcome<()>> {
        self.exec(signer, self.registry, s::RECALL, (lot, reason)).await
    }
    /// A lot.
    pub async fn lot(&self, id: LotId) -> Result<Option<Lot>> {
        self.query(self.registry, s::LOT, id).await
    }
    /// A product.
    pub async fn product(&self, gtin: Gtin) -> Result<Option<Product>> {
        self.query(self.registry, s::PRODUCT, gtin).await
    }
    /// A factory.
    pub async fn factory(&self, id: FactoryId) -> Result<Option<Factory>> {
        self.query(self.registry, s::FACTORY, id).await
    }
    /// A lot's trace.
    pub async fn events(&self, lot: LotId) -> Result<Vec<TraceEvent>> {
        self.query(self.registry, s::EVENTS, lot).await
    }
    /// Numbers of factories, products, lots.
    pub async fn counts(&self) -> Result<(u32, u32, u64)> {
        self.query(self.registry, s::COUNTS, ()).await
    }
    /// On-chain proof check of an item.
    pub async fn verify_item(&self, gtin: Gtin, lot: &[u8], serial: &[u8], index: u32, proof: Vec<Node>) -> Result<bool> {
        let r: std::result::Result<bool, Error> =
            self.query(self.registry, s::VERIFY_ITEM, (gtin, lot.to_vec(), serial.to_vec(), index, proof)).await?;
        r.map_err(ClientError::Contract)
    }

    // ---- sampling -----------------------------------------------------------------------

    /// Commits to a secret for an epoch.
    pub async fn commit(&self, signer: &Signer, epoch: u32, hash: Hash32) -> Result<Outcome<()>> {
        self.exec(signer, self.sampling, s::COMMIT, (epoch, hash)).await
    }
    /// Reveals a secret.
    pub async fn reveal(&self, signer: &Signer, epoch: u32, secret: Hash32) -> Result<Outcome<()>> {
        self.exec(signer, self.sampling, s::REVEAL, (epoch, secret)).await
    }
    /// Finalises an epoch.
    pub async fn finalize(&self, signer: &Signer, epoch: u32) -> Result<Outcome<Option<Hash32>>> {
        self.exec(signer, self.sampling, s::FINALIZE, epoch).await
    }
    /// Selection status of a lot.
    pub async fn selection(&self, lot: LotId) -> Result<Selection> {
        self.query(self.sampling, s::SELECTION, lot).await
    }
    /// What sampling fixed for a lot.
    pub async fn lot_sample(&self, lot: LotId) -> Result<Option<LotSample>> {
        self.query(self.sampling, s::LOT_SAMPLE, lot).await
    }
    /// The current epoch.
    pub async fn current_epoch(&self) -> Result<u32> {
        self.query(self.sampling, s::CURRENT_EPOCH, ()).await
    }
    /// Epoch length and reveal window.
    pub async fn timing(&self) -> Result<(u32, u32)> {
        self.query(self.sampling, s::TIMING, ()).await
    }
    /// An epoch's status.
    pub async fn epoch_status(&self, epoch: u32) -> Result<EpochView> {
        self.query(self.sampling, s::EPOCH_STATUS, epoch).await
    }
    /// The sampling rules.
    pub async fn rules(&self) -> Result<Vec<(RuleKey, u16)>> {
        self.query(self.sampling, s::RULES, ()).await
    }

    // ---- attestation --------------------------------------------------------------------

    /// Records a quality inspection.
    #[allow(clippy::too_many_arguments)]
    pub async fn attest_inspection(
        &self,
        signer: &Signer,
        lot: LotId,
        result: InspectionResult,
        standard: Vec<u8>,
        items_sampled: u32,
        report_hash: Hash32,
        report_uri: Vec<u8>,
        inspected_at: Timestamp,
        valid_until: Timestamp,
        answers: Option<AttestationId>,
    ) -> Result<Outcome<AttestationId>> {
        let args = (lot, result, standard, items_sampled, report_hash, report_uri, inspected_at, valid_until, answers);
        self.exec(signer, self.attestation, s::ATTEST_INSPECTION, args).await
    }
    /// Records a factory certification.
    pub async fn attest_certification(
        &self,
        signer: &Signer,
        factory: FactoryId,
        category: Category,
        standard: Vec<u8>,
        certificate_hash: Hash32,
        valid_until: Timestamp,
    ) -> Result<Outcome<AttestationId>> {
        let args = (factory, category, standard, certificate_hash, valid_until);
        self.exec(signer, self.attestation, s::ATTEST_CERTIFICATION, args).await
    }
    /// Records a customs clearance.
    pub async fn attest_customs(
        &self,
        signer: &Signer,
        lot: LotId,
        port: Vec<u8>,
        declaration_hash: Hash32,
        cleared_at: Timestamp,
    ) -> Result<Outcome<AttestationId>> {
        self.exec(signer, self.attestation, s::ATTEST_CUSTOMS, (lot, port, declaration_hash, cleared_at)).await
    }
    /// Revokes one's own attestation.
    pub async fn revoke(&self, signer: &Signer, id: AttestationId, reason: Hash32) -> Result<Outcome<()>> {
        self.exec(signer, self.attestation, s::REVOKE, (id, reason)).await
    }
    /// A lot's attestations.
    pub async fn attestations_of_lot(&self, lot: LotId) -> Result<Vec<(AttestationId, Attestation)>> {
        self.query(self.attestation, s::OF_LOT, lot).await
    }
    /// A factory's attestations.
    pub async fn attestations_of_factory(&self, factory: FactoryId) -> Result<Vec<(AttestationId, Attestation)>> {
        self.query(self.attestation, s::OF_FACTORY, factory).await
    }
    /// An attestation's status now.
    pub async fn attestation_status(&self, id: AttestationId) -> Result<Option<AttestationStatus>> {
        self.query(self.attestation, s::STATUS, id).await
    }
}

/// Decodes a successful `MessageResult<T>`.
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

/// For output: an account as SS58.
pub fn show(a: &AccountId) -> String {
    ss58(a)
}

/// A rule key in words: "category 1001, any origin, any tier".
pub fn describe_rule(k: &RuleKey) -> String {
    format!(
        "category {}, origin {}, tier {}",
        k.category.map(|c| c.to_string()).unwrap_or_else(|| "any".into()),
        k.origin.map(|o| o.to_string()).unwrap_or_else(|| "any".into()),
        k.tier.map(|t| format!("{t:?}")).unwrap_or_else(|| "any".into())
    )
}

/// A governance action in words, accounts as SS58.
pub fn describe_action(a: &Action) -> String {
    match a {
        Action::AddMember { account, role, scope, .. } => match scope {
            Some(s) => format!("admit {} as {role:?} for categories {:?} until {}", show(account), s.categories, crate::verify::utc(s.valid_until)),
            None => format!("admit {} as {role:?}", show(account)),
        },
        Action::RemoveMember { account } => format!("remove member {}", show(account)),
        Action::SetAgencyScope { account, scope } => {
            format!("set {}'s accreditation to categories {:?} until {}", show(account), scope.categories, crate::verify::utc(scope.valid_until))
        }
        Action::SetThreshold { threshold } => format!("require {threshold} approvals"),
        Action::SetCodeHash { target, code_hash } => format!("upgrade the {target:?} contract to code {code_hash:?}"),
        Action::SetSamplingRule { key, rate_bps } => format!("sample {rate_bps} bps of lots of {}", describe_rule(key)),
        Action::RemoveSamplingRule { key } => format!("remove the sampling rule for {}", describe_rule(key)),
        Action::RevokeAttestation { id, .. } => format!("revoke attestation {id}"),
        Action::SetSamplingPolicy { default_rate_bps, passes_to_clear } => {
            format!("default sampling rate {default_rate_bps} bps; {passes_to_clear} passes lower a raised risk")
        }
    }
}
