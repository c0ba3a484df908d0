//! A consortium of real tracepass-node validators on loopback, driven through
//! `scripts/consortium.sh` (so the script is tested too): a temporary state directory, free port
//! ranges, the description `node/chain-spec/consortium.local.json`. Dropping it stops every node.

use crate::root;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;
use tracepass::subxt::utils::H256;
use tracepass::Chain;

/// Port offsets the script uses (validators 1..=9, full nodes 11.., candidates 21..).
const OFFSETS: [u16; 7] = [1, 2, 3, 4, 5, 11, 21];

/// Slot duration of tracepass-runtime's validator chains.
pub const SLOT: Duration = Duration::from_secs(6);

/// Blocks per session (tracepass-runtime's `SessionPeriod`).
pub const SESSION_BLOCKS: u32 = 10;

/// The node binary the consortium runs: `TRACEPASS_NODE` when it names a tracepass-node, else
/// `tracepass-node` on PATH.
pub fn node_bin() -> String {
    let n = crate::node_bin();
    if n.ends_with("tracepass-node") {
        n
    } else {
        "tracepass-node".into()
    }
}

/// Public keys and node ID of a validator or candidate (`consortium.sh keys`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct MemberKeys {
    pub account: String,
    pub aura: String,
    pub grandpa: String,
    pub node_id: String,
    /// The node ID's bytes, hex (pallet-node-authorization's `PeerId`).
    pub node_id_hex: String,
}

/// A running consortium.
pub struct Network {
    pub dir: tempfile::TempDir,
    p2p_base: u16,
    rpc_base: u16,
}

fn free_base() -> (u16, u16) {
    let free = |p: u16| TcpListener::bind(("127.0.0.1", p)).is_ok();
    let seed = std::process::id() as u64 ^ std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos() as u64;
    let mut x = seed;
    let mut pick = || {
        loop {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let base = 20_000 + ((x >> 33) % 40_000) as u16;
            if OFFSETS.iter().all(|o| free(base + o)) {
                return base;
            }
        }
    };
    let p2p = pick();
    loop {
        let rpc = pick();
        if rpc.abs_diff(p2p) > 30 {
            return (p2p, rpc);
        }
    }
}

impl Network {
    /// Starts validators 1..=n and the full node; returns when finality advances on all.
    pub fn start(n: usize) -> Network {
        let dir = tempfile::Builder::new().prefix("tracepass-consortium-").tempdir().expect("tempdir");
        let (p2p_base, rpc_base) = free_base();
        let net = Network { dir, p2p_base, rpc_base };
        net.script(&["start", &n.to_string()]);
        net
    }

    /// Runs `scripts/consortium.sh ARGS` on this network; panics with its output if it fails.
    pub fn script(&self, args: &[&str]) -> String {
        let out = self.try_script(args);
        match out {
            Ok(s) => s,
            Err(e) => panic!("scripts/consortium.sh {}: {e}\nlogs in {}", args.join(" "), self.dir.path().display()),
        }
    }

    /// Runs `scripts/consortium.sh ARGS`: its stdout, or its exit status and stderr.
    pub fn try_script(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new(root().join("scripts/consortium.sh"))
            .args(args)
            .env("TRACEPASS_NODE_BIN", node_bin())
            .env("TRACEPASS_CONSORTIUM_DIR", self.dir.path())
            .env("TRACEPASS_P2P_BASE", self.p2p_base.to_string())
            .env("TRACEPASS_RPC_BASE", self.rpc_base.to_string())
            .output()
            .expect("run scripts/consortium.sh");
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!("{}: {}{}", out.status, String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
        }
    }

    /// The RPC endpoint of validator `i` (kind "v"), full node "f" or candidate "c".
    pub fn url(&self, kind: &str, i: usize) -> String {
        self.script(&["url", kind, &i.to_string()]).trim().to_string()
    }

    /// Public keys and node ID of validator (`"v"`) or candidate (`"c"`) `i`.
    pub fn keys(&self, kind: &str, i: usize) -> MemberKeys {
        serde_json::from_str(&self.script(&["keys", kind, &i.to_string()])).expect("keys JSON")
    }

    /// The node's log (for failure messages and reports).
    pub fn log(&self, node: &str) -> PathBuf {
        self.dir.path().join(node).join("node.log")
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        let _ = self.try_script(&["stop"]);
    }
}

/// A node's view of the chain over plain JSON-RPC calls (what any RPC user sees).
pub struct View {
    pub chain: Chain,
}

impl View {
    pub async fn connect(url: &str) -> View {
        View { chain: Chain::connect(url).await.unwrap_or_else(|e| panic!("connect {url}: {e}")) }
    }

    /// Best block number.
    pub async fn best(&self) -> u32 {
        let h = self.chain.rpc.chain_get_header(None).await.expect("header").expect("best header");
        h.number
    }

    /// Finalized block number and hash.
    pub async fn finalized(&self) -> (u32, H256) {
        let hash = self.chain.rpc.chain_get_finalized_head().await.expect("finalized head");
        let h = self.chain.rpc.chain_get_header(Some(hash)).await.expect("header").expect("finalized header");
        (h.number, hash)
    }

    /// The hash of block `n` on this node's best chain.
    pub async fn hash_of(&self, n: u32) -> Option<H256> {
        self.chain.rpc.chain_get_block_hash(Some(n.into())).await.expect("block hash")
    }

    /// The Aura slot of block `hash` (its pre-runtime digest).
    pub async fn slot_of(&self, hash: H256) -> u64 {
        use tracepass::subxt::config::substrate::DigestItem;
        let h = self.chain.rpc.chain_get_header(Some(hash)).await.expect("header").expect("a header");
        h.digest
            .logs
            .iter()
            .find_map(|l| match l {
                DigestItem::PreRuntime(id, data) if id == b"aura" && data.len() == 8 => Some(u64::from_le_bytes(data[..].try_into().unwrap())),
                _ => None,
            })
            .expect("an Aura pre-digest")
    }

    /// Polls until `done(self)` holds, at most `blocks` slots; false if it never did.
    pub async fn within_slots<F, Fut>(&self, blocks: u32, mut done: F) -> bool
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        for _ in 0..blocks * 4 {
            if done().await {
                return true;
            }
            tokio::time::sleep(SLOT / 4).await;
        }
        done().await
    }
}
