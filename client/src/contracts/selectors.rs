//! Message selectors, as ink! computes them (`selector_bytes!`); the end-to-end suite checks
//! each against the built metadata.

/// A message selector.
pub type Selector = [u8; 4];

macro_rules! sel {
($name:literal) => {
    ink::selector_bytes!($name)
};
}

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
