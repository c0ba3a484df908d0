//! Test harness: a real node on a free port with a temporary base path, started from the
//! consortium chain spec and stopped when dropped. The node is tracepass-node (its `--dev`
//! instant-seal service), or the binary `TRACEPASS_NODE` names (e.g. substrate-contracts-node, the
//! reference node), so the suite checks either.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tracepass::Chain;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("repo root").to_path_buf()
}

/// The node binary the suites start: `TRACEPASS_NODE`, else tracepass-node.
pub fn node_bin() -> String {
    std::env::var("TRACEPASS_NODE").ok().filter(|n| !n.is_empty()).unwrap_or_else(|| "tracepass-node".into())
}

/// The node binary's path (`node_bin` itself when it names a path, else found on PATH).
pub fn node_path() -> Option<PathBuf> {
    let bin = node_bin();
    if bin.contains('/') {
        return Some(PathBuf::from(bin));
    }
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(&bin)).find(|p| p.is_file())
}

/// The consortium chain spec, generated from the node's own dev spec (one per node) when missing
/// or older than the node binary: the spec holds the runtime, and a rebuilt node has a new one.
pub fn chain_spec() -> PathBuf {
    let name = Path::new(&node_bin()).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let file = if name == "substrate-contracts-node" { "tracepass-consortium.json".to_string() } else { format!("tracepass-consortium-{name}.json") };
    let spec = root().join("target/chain-spec").join(file);
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let stale = match (modified(&spec), node_path().as_deref().and_then(modified)) {
        (None, _) => true,
        (Some(s), Some(n)) => s < n,
        (Some(_), None) => false,
    };
    if stale {
        let ok = Command::new(root().join("scripts/chain-spec.sh"))
            .arg(&spec)
            .env("TRACEPASS_NODE", node_bin())
            .status()
            .expect("run scripts/chain-spec.sh");
        assert!(ok.success(), "scripts/chain-spec.sh failed");
    }
    spec
}

/// The built contract bundles.
pub fn artifacts() -> PathBuf {
    let dir = root().join("target/ink");
    assert!(
        dir.join("whitelist/whitelist.contract").exists(),
        "contracts are not built: run scripts/build-contracts.sh (scripts/test.sh does)"
    );
    dir
}

/// The `tracepass` CLI binary (debug build), brought up to date once per test process (a no-op
/// when it is; a stale binary would test old code).
pub fn tracepass_bin() -> PathBuf {
    static BUILT: std::sync::Once = std::sync::Once::new();
    BUILT.call_once(|| {
        let ok = Command::new("cargo")
            .args(["+1.86.0", "build", "-q", "-p", "tracepass", "--bin", "tracepass"])
            .current_dir(root())
            .status()
            .expect("run cargo build");
        assert!(ok.success(), "cargo build -p tracepass failed");
    });
    root().join("target/debug/tracepass")
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// A running node. Dropping it stops it.
pub struct Node {
    child: Option<Child>,
    /// Its RPC port.
    pub port: u16,
    /// Its base path (kept across restarts).
    pub base: tempfile::TempDir,
}

impl Node {
    /// Starts a node with a fresh temporary base path.
    pub async fn start() -> Node {
        let base = tempfile::Builder::new().prefix("tracepass-node-").tempdir().expect("tempdir");
        std::fs::write(base.path().join("node-key"), hex::encode(rand_key())).expect("node key");
        Node::start_on(base).await
    }

    /// Starts a node on an existing base path.
    pub async fn start_on(base: tempfile::TempDir) -> Node {
        Node::start_at(base, free_port()).await
    }

    /// Starts a node on an existing base path with RPC on `port` (a restart where clients
    /// reconnect to the same address).
    pub async fn start_at(base: tempfile::TempDir, port: u16) -> Node {
        let p2p = free_port();
        let log = std::fs::OpenOptions::new().create(true).append(true).open(base.path().join("node.log")).expect("log");
        let child = Command::new(node_bin())
            .arg("--chain")
            .arg(chain_spec())
            .arg("--base-path")
            .arg(base.path().join("data"))
            .args(["--alice", "--force-authoring", "--rpc-methods", "safe", "--no-mdns", "--no-prometheus", "--no-telemetry"])
            // the index reads every finalized block's events, which live in state
            .args(["--state-pruning", "archive-canonical"])
            .arg("--node-key-file")
            .arg(base.path().join("node-key"))
            .args(["--rpc-port", &port.to_string(), "--listen-addr", &format!("/ip4/127.0.0.1/tcp/{p2p}")])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e} (scripts/setup.sh installs the node)", node_bin()));
        let node = Node { child: Some(child), port, base };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if Chain::connect(&node.url()).await.is_ok() {
                return node;
            }
            assert!(Instant::now() < deadline, "node did not come up; see {}", node.base.path().join("node.log").display());
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// The WebSocket endpoint.
    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}", self.port)
    }

    /// Stops the node (SIGTERM, then waits) and gives back its base path.
    pub fn stop(mut self) -> tempfile::TempDir {
        self.kill();
        let base = tempfile::Builder::new().tempdir().expect("tempdir");
        std::mem::replace(&mut self.base, base)
    }

    /// Kills the node with SIGKILL (no shutdown at all: a crash) and gives back its base path.
    pub fn crash(mut self) -> tempfile::TempDir {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill(); // SIGKILL
            let _ = c.wait();
        }
        let base = tempfile::Builder::new().tempdir().expect("tempdir");
        std::mem::replace(&mut self.base, base)
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill").arg(c.id().to_string()).status();
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

fn rand_key() -> [u8; 32] {
    let mut k = [0u8; 32];
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    k[..16].copy_from_slice(&t.to_le_bytes());
    k[16..20].copy_from_slice(&std::process::id().to_le_bytes());
    k[31] = 1;
    k
}

pub mod bench;
pub mod fixture;
pub mod index_bench;
pub mod network;
pub mod postgres;
pub mod resolver_bench;
pub mod webdriver;
