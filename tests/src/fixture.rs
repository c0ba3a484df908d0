//! A ready consortium on a running node, for suites that need one but are not about governance:
//! deployed contracts (governors Bob, Charlie, Dave, M = 2), an agency (Eve, category
//! [`CATEGORY`]), customs (Ferdie), a logistics partner (`//Logistics`, funded by Alice), a
//! merchant (`//MerchantA`) with a factory and the product [`GTIN`].

use crate::artifacts;
use tracepass::chain::{AccountId, Signer};
use tracepass::contracts::deploy::{deploy, Params};
use tracepass::gs1::{parse_gtin, DigitalLink};
use tracepass::lots::{self, BuiltLot};
use tracepass::shared::*;
use tracepass::{Chain, Deployment, Tracepass};

/// The product category the agency may inspect.
pub const CATEGORY: Category = 1001;
/// The fixture's product (company prefix 0614141).
pub const GTIN: &str = "10614141000415";
/// Sampling epoch length and reveal window (ms of chain time): short, for tests.
pub const EPOCH_MS: u64 = 6_000;

/// The first epoch that leaves `margin_ms` of chain time to commit to it before it opens.
pub async fn epoch_to_commit(tp: &Tracepass, margin_ms: u64) -> u32 {
    let next = tp.current_epoch().await.expect("epoch") + 1;
    let opens = tp.epoch_status(next).await.expect("epoch status").opens_at;
    let now = tp.chain.now_ms().await.expect("now");
    if opens.saturating_sub(now) >= margin_ms { next } else { next + 1 }
}

/// Waits until `epoch` opens (chain time), sealing a block there with `by`'s remark.
pub async fn advance_to_open(tp: &Tracepass, by: &Signer, epoch: u32) {
    let at = tp.epoch_status(epoch).await.expect("epoch status").opens_at;
    tp.chain.advance_to_time(by, at).await.expect("advance");
}

/// Waits until `epoch` closes (its reveals open), sealing a block there with `by`'s remark.
pub async fn advance_to_close(tp: &Tracepass, by: &Signer, epoch: u32) {
    let at = tp.epoch_status(epoch).await.expect("epoch status").closes_at;
    tp.chain.advance_to_time(by, at).await.expect("advance");
}

/// The fixture's product: `gtin` of category [`CATEGORY`] by Aroha, made at `factory`.
pub fn product(gtin: Gtin, factory: FactoryId) -> ProductInput {
    ProductInput {
        gtin,
        brand: BRAND.as_bytes().to_vec(),
        category: CATEGORY,
        origin: CountryCode(*b"NZ"),
        factory,
        hs_code: b"190110".to_vec(),
        metadata_hash: [1; 32],
        uri: b"https://aroha.example/p/1".to_vec(),
    }
}

/// The fixture's brand, authorised for its merchant at onboarding.
pub const BRAND: &str = "Aroha";

/// The onboarding of `account` under GS1 `prefix` for `brands`, from `country`, at tier Standard.
pub fn onboard(account: AccountId, name: &str, country: &str, prefix: &str, brands: &[&str]) -> Action {
    Action::AddMerchant {
        account,
        name_hash: blake2_256(name.as_bytes()),
        country: CountryCode(country.as_bytes().try_into().expect("two letters")),
        gs1_prefixes: vec![prefix.as_bytes().to_vec()],
        brands: brands.iter().map(|b| b.as_bytes().to_vec()).collect(),
        tier: MerchantTier::Standard,
    }
}

/// The deployment of Bob, Charlie and Dave as governors, M = 2, proposals open 1,000 blocks,
/// three passes to clear; the sampling epoch, reveal window (ms) and default rate as given.
pub fn params(k: &Keys, epoch_ms: u64, reveal_window_ms: u64, default_rate_bps: u16) -> Params {
    Params {
        governors: vec![k.bob.account(), k.charlie.account(), k.dave.account()],
        threshold: 2,
        proposal_ttl: 1_000,
        epoch_ms,
        reveal_window_ms,
        default_rate_bps,
        passes_to_clear: 3,
    }
}

/// Dev keys of the consortium's accounts.
pub struct Keys {
    pub alice: Signer,
    pub bob: Signer,
    pub charlie: Signer,
    pub dave: Signer,
    pub eve: Signer,
    pub ferdie: Signer,
    pub logistics: Signer,
    pub merchant: Signer,
    pub stranger: Signer,
}

/// A dev signer.
pub fn signer(suri: &str) -> Signer {
    Signer::from_suri(suri).expect("dev key")
}

/// The fixture's keys.
pub fn keys() -> Keys {
    Keys {
        alice: signer("//Alice"),
        bob: signer("//Bob"),
        charlie: signer("//Charlie"),
        dave: signer("//Dave"),
        eve: signer("//Eve"),
        ferdie: signer("//Ferdie"),
        logistics: signer("//Logistics"),
        merchant: signer("//MerchantA"),
        stranger: signer("//MerchantB"),
    }
}

/// A deployed, populated consortium.
pub struct Consortium {
    pub tp: Tracepass,
    pub deployment: Deployment,
    /// The deployment file (in `dir`).
    pub deployment_file: std::path::PathBuf,
    pub keys: Keys,
    pub gtin: Gtin,
    pub factory: FactoryId,
}

impl Consortium {
    /// Deploys and populates on the node at `url`; writes the deployment file into `dir`.
    pub async fn setup(url: &str, dir: &std::path::Path) -> Consortium {
        let k = keys();
        let chain = Chain::connect(url).await.expect("connect");
        let params = params(&k, EPOCH_MS, EPOCH_MS, 0);
        let deployment = deploy(&chain, &k.alice, &artifacts(), &params, |_| {}).await.expect("deploy");
        let deployment_file = dir.join("deployment.json");
        deployment.save(&deployment_file).expect("save deployment");
        Consortium::populate(chain, deployment, deployment_file).await
    }

    /// Populates a deployment made elsewhere (e.g. by `tracepass deploy` with Bob, Charlie and
    /// Dave as governors, M = 2), saved in `deployment_file`.
    pub async fn populate(chain: Chain, deployment: Deployment, deployment_file: std::path::PathBuf) -> Consortium {
        let k = keys();
        let tp = Tracepass::open(chain, &deployment).expect("open");
        let now = tp.chain.now_ms().await.expect("now");
        let members = [
            (k.eve.account(), Role::Agency, Some(AgencyScope { categories: vec![CATEGORY], valid_until: now + tracepass::shared::bounds::MAX_VALIDITY_MS })),
            (k.ferdie.account(), Role::Customs, None),
            (k.logistics.account(), Role::Logistics, None),
        ];
        for (account, role, scope) in members {
            let id = tp.propose(&k.bob, Action::AddMember { account, role, name_hash: [0; 32], scope }).await.expect("propose").value;
            tp.approve(&k.charlie, id).await.expect("approve");
            tp.execute(&k.bob, id).await.expect("execute");
        }
        tp.chain.transfer(&k.alice, k.logistics.account(), 1_000_000_000_000_000).await.expect("fund logistics");
        // onboarding is a vote: Bob proposes, Charlie approves and executes
        tp.pass(&[&k.bob, &k.charlie], onboard(k.merchant.account(), "Aroha Dairy Ltd", "NZ", "0614141", &[BRAND])).await.expect("add merchant");
        let factory = tp.register_factory(&k.merchant, CountryCode(*b"NZ"), blake2_256(b"Factory 1, Hamilton")).await.expect("factory").value;
        let gtin = parse_gtin(GTIN).expect("gtin");
        tp.register_product(&k.merchant, product(gtin, factory)).await.expect("product");
        Consortium { tp, deployment, deployment_file, keys: k, gtin, factory }
    }

    /// The registration input of a built lot.
    pub fn lot_input(lot: &BuiltLot) -> LotInput {
        LotInput {
            gtin: lot.gtin,
            lot_number: lot.lot.as_bytes().to_vec(),
            item_count: lot.serials.len() as u32,
            root: lot.tree.root(),
            produced_on: 20261101,
            expires_on: 20281101,
        }
    }

    /// Builds and registers a lot of `n` serials `{prefix}{i:08}`; returns it with its ID.
    pub async fn register_lot(&self, lot: &str, prefix: &str, n: usize) -> (BuiltLot, LotId) {
        let built = lots::build(self.gtin, lot, (0..n).map(|i| format!("{prefix}{i:08}")).collect()).expect("build lot");
        let id = self.tp.register_lot(&self.keys.merchant, Self::lot_input(&built)).await.expect("register lot").value;
        (built, id)
    }

    /// The Digital Link (with proof) of item `i` of `lot`.
    pub fn link(lot: &BuiltLot, i: usize) -> DigitalLink {
        DigitalLink { gtin: lot.gtin, lot: lot.lot.clone(), serial: lot.serials[i].clone(), proof: Some(lot.proof(i)) }
    }
}
