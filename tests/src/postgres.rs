//! A throwaway PostgreSQL server for a test: `initdb` in a temporary directory, listening on
//! loopback at a free port and on a unix socket in that directory, trust authentication for
//! the local superuser only; stopped (immediate shutdown) and deleted on drop. PostgreSQL
//! refuses to run as root: as root, the cluster is made and run as the `postgres` system user.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running throwaway cluster.
pub struct Postgres {
    dir: tempfile::TempDir,
    /// Its TCP port on 127.0.0.1.
    pub port: u16,
    bin: PathBuf,
    as_postgres: bool,
}

/// The directory of Debian's PostgreSQL server binaries (newest major version), else the PATH.
fn bin_dir() -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path().join("bin")).filter(|p| p.join("initdb").exists()).collect())
        .unwrap_or_default();
    versions.sort();
    versions.pop().unwrap_or_default()
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

impl Postgres {
    /// Makes and starts a cluster with fsync off (tests: speed over durability); panics with
    /// the server's log if it does not come up.
    pub fn start() -> Postgres {
        Postgres::start_with(false)
    }

    /// A cluster with fsync on, as an operator runs it (the bench).
    pub fn start_durable() -> Postgres {
        Postgres::start_with(true)
    }

    fn start_with(fsync: bool) -> Postgres {
        let dir = tempfile::Builder::new().prefix("tracepass-pg-").tempdir().expect("tempdir");
        let bin = bin_dir();
        let as_postgres = is_root();
        let pg = Postgres { dir, port: crate::free_port(), bin, as_postgres };
        if as_postgres {
            let ok = Command::new("chown").args(["-R", "postgres:postgres"]).arg(pg.dir.path()).status().expect("chown");
            assert!(ok.success(), "chown of the cluster directory");
        }
        let data = pg.dir.path().join("data");
        pg.run("initdb", &["-D", &s(&data), "-U", "postgres", "--auth", "trust", "--no-sync", "-E", "UTF8", "--locale", "C"]);
        let opts = format!(
            "-p {} -c listen_addresses=127.0.0.1 -k {} -c fsync={} -c max_connections=50",
            pg.port,
            s(pg.dir.path()),
            if fsync { "on" } else { "off" }
        );
        let log = pg.dir.path().join("server.log");
        pg.run("pg_ctl", &["-D", &s(&data), "-o", &opts, "-l", &s(&log), "-w", "-t", "60", "start"]);
        pg
    }

    /// A server tool: Debian's directory, else the PATH.
    fn tool(&self, name: &str) -> PathBuf {
        if self.bin.as_os_str().is_empty() {
            PathBuf::from(name)
        } else {
            self.bin.join(name)
        }
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let exe = self.tool(tool);
        let out = if self.as_postgres {
            Command::new("runuser").args(["-u", "postgres", "--"]).arg(&exe).args(args).output()
        } else {
            Command::new(&exe).args(args).output()
        }
        .unwrap_or_else(|e| panic!("{}: {e} (scripts/setup.sh installs Debian's postgresql)", exe.display()));
        let log = std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default();
        assert!(
            out.status.success(),
            "{tool} failed: {}{}\nserver log:\n{log}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A URL of a fresh database `name` on this server (created now).
    pub fn database(&self, name: &str) -> String {
        let ok = Command::new(self.tool("createdb"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres", name])
            .status()
            .expect("createdb");
        assert!(ok.success(), "createdb {name}");
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// The cluster's directory.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = s(&self.dir.path().join("data"));
        let exe = self.tool("pg_ctl");
        let _ = if self.as_postgres {
            Command::new("runuser").args(["-u", "postgres", "--"]).arg(exe).args(["-D", &data, "-m", "immediate", "stop"]).output()
        } else {
            Command::new(exe).args(["-D", &data, "-m", "immediate", "stop"]).output()
        };
    }
}

fn s(p: &Path) -> String {
    p.display().to_string()
}
