//! Deployment: uploads the four built `.contract` bundles, instantiates and wires them, and
//! writes the deployment file with the bundles' selectors and event topics.

use crate::chain::{AccountId, Chain, Signer};
use crate::fmt::ss58;
use crate::contracts::messages::{table_of, Contract, Message, SelectorTable, Selectors};
use crate::contracts::{ContractInfo, Deployment, Tracepass};
use crate::error::{ClientError, Result};
use parity_scale_codec::Encode;
use std::path::{Path, PathBuf};
use subxt::utils::H256;

/// The contracts, in instantiation order.
pub const CONTRACTS: [Contract; 4] = [Contract::Whitelist, Contract::Sampling, Contract::Registry, Contract::Attestation];

/// Consortium parameters fixed at deployment.
#[derive(Debug, Clone)]
pub struct Params {
    /// First governors.
    pub governors: Vec<AccountId>,
    /// M.
    pub threshold: u8,
    /// Blocks a proposal stays open.
    pub proposal_ttl: u32,
    /// Sampling epoch length, in ms of chain time.
    pub epoch_ms: u64,
    /// Reveal window after an epoch closes, in ms of chain time.
    pub reveal_window_ms: u64,
    /// Default sampling rate (bps).
    pub default_rate_bps: u16,
    /// Passes that lower a raised risk.
    pub passes_to_clear: u32,
}

/// A duration as `--epoch` and `--reveal-window` take it: a whole number with `ms`, `s`, `m`, `h`
/// or `d` (`90s`, `1h`, `7d`), in milliseconds.
pub fn parse_duration_ms(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let per = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return Err(format!("{s:?}: a whole number with ms, s, m, h or d, e.g. 90s, 1h, 7d")),
    };
    n.parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(per))
        .ok_or_else(|| format!("{s:?}: a whole number with ms, s, m, h or d, e.g. 90s, 1h, 7d"))
}

/// Checks the sampling timing against the contract's bounds (the error names the flag) and
/// returns a warning for a reveal window a clock-skewed validator could matter in.
pub fn timing_warning(epoch_ms: u64, reveal_window_ms: u64) -> Result<Option<String>> {
    use tracepass_shared::bounds::*;
    let secs = |ms: u64| ms / 1_000;
    if !(MIN_EPOCH_MS..=MAX_EPOCH_MS).contains(&epoch_ms) {
        return Err(ClientError::Input(format!("--epoch: {} s; it must be {} s to {} d", secs(epoch_ms), secs(MIN_EPOCH_MS), MAX_EPOCH_MS / 86_400_000)));
    }
    if !(MIN_REVEAL_WINDOW_MS..=MAX_REVEAL_WINDOW_MS).contains(&reveal_window_ms) {
        return Err(ClientError::Input(format!(
            "--reveal-window: {} s; it must be {} s to {} d",
            secs(reveal_window_ms),
            secs(MIN_REVEAL_WINDOW_MS),
            MAX_REVEAL_WINDOW_MS / 86_400_000
        )));
    }
    Ok((reveal_window_ms < ADVISED_MIN_REVEAL_WINDOW_MS).then(|| {
        format!(
            "--reveal-window {} s: on a validator chain a block author may run its clock up to 30 s ahead, \
             which shortens a reveal window; {} min or more is advised outside tests",
            secs(reveal_window_ms),
            ADVISED_MIN_REVEAL_WINDOW_MS / 60_000
        )
    }))
}

/// The M of a consortium of `governors`: `threshold` as given, checked against the whitelist's
/// own rule (1 <= M <= N); without one, M = 1 only for a single governor, since with several a
/// default of 1 would let any one of them act alone. A single governor gets a warning: that key
/// alone controls membership and every upgrade.
pub fn governance_threshold(governors: usize, threshold: Option<u8>) -> Result<(u8, Option<String>)> {
    if governors == 0 || governors > tracepass_shared::bounds::MAX_GOVERNORS as usize {
        return Err(ClientError::Input(format!(
            "--governor: {governors} governors; a consortium has 1 to {}",
            tracepass_shared::bounds::MAX_GOVERNORS
        )));
    }
    let m = match threshold {
        Some(m) if m == 0 || m as usize > governors => {
            return Err(ClientError::Input(format!("--threshold: {m} approvals of {governors} governors; it must be 1 to {governors}")))
        }
        Some(m) => m,
        None if governors == 1 => 1,
        None => {
            return Err(ClientError::Input(format!(
                "--threshold: {governors} governors need an explicit M (approvals a proposal needs), e.g. --threshold {} for a majority; \
                 --threshold 1 lets any one of them act alone",
                governors / 2 + 1
            )))
        }
    };
    let warning = (governors == 1).then(|| {
        "one governor: that key alone decides membership, merchants and upgrades; \
         a real consortium names several (--governor, repeated) and a threshold above 1"
            .to_string()
    });
    Ok((m, warning))
}

/// A built contract bundle: its wasm, its selectors and its events' signature topics.
pub struct Bundle {
    /// Which contract.
    pub contract: Contract,
    /// Wasm code.
    pub wasm: Vec<u8>,
    /// Constructor and message selectors by label.
    pub selectors: SelectorTable,
    /// (0x signature topic, "contract.Event") of each event.
    pub events: Vec<(String, String)>,
}

impl Bundle {
    /// The code hash pallet-contracts gives this wasm.
    pub fn code_hash(&self) -> H256 {
        H256(tracepass_shared::blake2_256(&self.wasm))
    }
}

/// Finds `DIR/NAME.contract` or `DIR/NAME/NAME.contract`.
pub fn bundle_path(dir: &Path, name: &str) -> Option<PathBuf> {
    [dir.join(format!("{name}.contract")), dir.join(name).join(format!("{name}.contract"))].into_iter().find(|p| p.exists())
}

/// Reads a `.contract` bundle.
pub fn read_bundle(dir: &Path, contract: Contract) -> Result<Bundle> {
    let name = contract.name();
    let path = bundle_path(dir, name).ok_or_else(|| {
        ClientError::Input(format!("no {name}.contract under {} (build with scripts/build-contracts.sh)", dir.display()))
    })?;
    let io = |e: String| ClientError::Input(format!("{}: {e}", path.display()));
    let text = std::fs::read_to_string(&path).map_err(|e| io(e.to_string()))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| io(e.to_string()))?;
    let wasm_hex = v["source"]["wasm"].as_str().ok_or_else(|| io("no source.wasm".into()))?;
    let wasm = hex::decode(wasm_hex.trim_start_matches("0x")).map_err(|e| io(e.to_string()))?;
    let events = v["spec"]["events"]
        .as_array()
        .map(|evs| {
            evs.iter()
                .filter_map(|e| Some((e["signature_topic"].as_str()?.to_string(), format!("{name}.{}", e["label"].as_str()?))))
                .collect()
        })
        .unwrap_or_default();
    let selectors = table_of(&v).map_err(io)?;
    Ok(Bundle { contract, wasm, selectors, events })
}

/// Reads the four bundles (in [`CONTRACTS`] order) and checks they have every message the
/// client sends, before anything is uploaded.
pub fn read_bundles(dir: &Path) -> Result<(Vec<Bundle>, Selectors)> {
    static NONE: SelectorTable = SelectorTable::new();
    let bundles: Vec<Bundle> = CONTRACTS.iter().map(|c| read_bundle(dir, *c)).collect::<Result<_>>()?;
    let of = |c: Contract| bundles.iter().find(|b| b.contract == c).map_or(&NONE, |b| &b.selectors);
    let selectors = Selectors::resolve(of).map_err(|e| ClientError::Input(format!("the bundles under {}: {e}", dir.display())))?;
    Ok((bundles, selectors))
}

fn ctor(selectors: &Selectors, new: Message, args: impl Encode) -> Vec<u8> {
    let mut v = selectors.get(new).to_vec();
    args.encode_to(&mut v);
    v
}

/// Writes the bundles' selectors and event topics into `d`, after checking that each bundle's
/// code is the code deployed (so a deployment made by an older tracepass can be opened).
pub fn refresh_selectors(d: &mut Deployment, dir: &Path) -> Result<()> {
    let (bundles, _) = read_bundles(dir)?;
    for b in &bundles {
        let deployed = &d.contract(b.contract).code_hash;
        let built = format!("{:?}", b.code_hash());
        if !built.eq_ignore_ascii_case(deployed) {
            return Err(ClientError::Input(format!(
                "{}: the bundle's code hash is {built}, the deployment's {deployed}: these are not the deployed contracts",
                b.contract.name()
            )));
        }
    }
    for b in &bundles {
        d.contract_mut(b.contract).selectors = b.selectors.clone();
    }
    d.events = bundles.iter().flat_map(|b| b.events.iter().cloned()).collect();
    Ok(())
}

/// Deploys the suite; `progress` is told each step.
pub async fn deploy(chain: &Chain, signer: &Signer, artifacts: &Path, p: &Params, mut progress: impl FnMut(&str)) -> Result<Deployment> {
    let (bundles, sel) = read_bundles(artifacts)?;
    let mut hashes: Vec<H256> = vec![];
    for b in &bundles {
        progress(&format!("uploading {} ({} bytes)", b.contract.name(), b.wasm.len()));
        hashes.push(chain.upload_code(signer, &b.wasm).await?);
    }
    let salt = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0).encode();
    progress("instantiating whitelist");
    let whitelist = chain.instantiate(signer, hashes[0], ctor(&sel, Message::WhitelistNew, (p.governors.clone(), p.threshold, p.proposal_ttl)), salt.clone()).await?;
    progress("instantiating sampling");
    let sampling = chain
        .instantiate(signer, hashes[1], ctor(&sel, Message::SamplingNew, (whitelist, p.epoch_ms, p.reveal_window_ms, p.default_rate_bps, p.passes_to_clear)), salt.clone())
        .await?;
    progress("instantiating registry");
    let registry = chain.instantiate(signer, hashes[2], ctor(&sel, Message::RegistryNew, (whitelist, sampling)), salt.clone()).await?;
    progress("instantiating attestation");
    let attestation = chain.instantiate(signer, hashes[3], ctor(&sel, Message::AttestationNew, (whitelist, registry, sampling)), salt).await?;
    let info = |a: AccountId, h: H256, b: &Bundle| ContractInfo { address: ss58(&a), code_hash: format!("{h:?}"), selectors: b.selectors.clone() };
    let d = Deployment {
        genesis_hash: format!("{:?}", chain.genesis_hash()),
        chain: chain.chain_name().await?,
        whitelist: info(whitelist, hashes[0], &bundles[0]),
        sampling: info(sampling, hashes[1], &bundles[1]),
        registry: info(registry, hashes[2], &bundles[2]),
        attestation: info(attestation, hashes[3], &bundles[3]),
        events: bundles.iter().flat_map(|b| b.events.iter().cloned()).collect(),
    };
    progress("wiring the contracts together");
    let tp = Tracepass::open(chain.clone(), &d)?;
    tp.exec::<()>(signer, Message::Wire, (registry, sampling, attestation)).await?;
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::{governance_threshold, parse_duration_ms, timing_warning};

    #[test]
    fn governance_threshold_works() {
        let (m, warn) = governance_threshold(1, None).unwrap();
        assert_eq!(m, 1);
        assert!(warn.unwrap().contains("one governor"));
        assert_eq!(governance_threshold(3, Some(2)).unwrap(), (2, None));
        assert_eq!(governance_threshold(3, Some(1)).unwrap(), (1, None), "M = 1 is allowed when asked for");
        assert_eq!(governance_threshold(16, Some(16)).unwrap(), (16, None));
    }

    #[test]
    fn governance_threshold_fails() {
        let e = governance_threshold(3, None).unwrap_err().to_string();
        assert!(e.contains("--threshold") && e.contains("--threshold 2"), "{e}");
        assert!(governance_threshold(3, Some(0)).unwrap_err().to_string().contains("--threshold: 0"));
        assert!(governance_threshold(3, Some(4)).unwrap_err().to_string().contains("1 to 3"));
        assert!(governance_threshold(0, Some(1)).unwrap_err().to_string().contains("--governor"));
        assert!(governance_threshold(17, Some(9)).unwrap_err().to_string().contains("--governor"));
    }

    #[test]
    fn parse_duration_ms_works() {
        assert_eq!(parse_duration_ms("500ms"), Ok(500));
        assert_eq!(parse_duration_ms("90s"), Ok(90_000));
        assert_eq!(parse_duration_ms("30m"), Ok(1_800_000));
        assert_eq!(parse_duration_ms("1h"), Ok(3_600_000));
        assert_eq!(parse_duration_ms("7d"), Ok(604_800_000));
    }

    #[test]
    fn parse_duration_ms_fails() {
        for bad in ["", "10", "h", "1.5h", "-1s", "1 week", "99999999999999999999d", "18446744073709551615d"] {
            let e = parse_duration_ms(bad).unwrap_err();
            assert!(e.contains("ms, s, m, h or d"), "{bad}: {e}");
        }
    }

    #[test]
    fn timing_warning_works() {
        assert_eq!(timing_warning(3_600_000, 1_800_000).unwrap(), None);
        assert!(timing_warning(6_000, 6_000).unwrap().unwrap().contains("--reveal-window 6 s"));
        assert!(timing_warning(999, 60_000).unwrap_err().to_string().contains("--epoch"));
        assert!(timing_warning(400 * 86_400_000, 60_000).unwrap_err().to_string().contains("--epoch"));
        assert!(timing_warning(60_000, 0).unwrap_err().to_string().contains("--reveal-window"));
        assert!(timing_warning(60_000, 31 * 86_400_000).unwrap_err().to_string().contains("--reveal-window"));
    }
}
