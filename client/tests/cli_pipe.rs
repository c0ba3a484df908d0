//! The CLI writing into a pipe whose reader has gone (`tracepass ... | head -1`): it ends
//! quietly with its own exit status, never with a panic (exit 101) on `EPIPE`.

use std::process::{Command, Stdio};

/// The write end of a pipe whose read end is already closed: the stdin of a process that has
/// exited without reading it.
fn closed_pipe() -> Stdio {
    let mut reader = Command::new("true").stdin(Stdio::piped()).spawn().expect("spawn true");
    let w = reader.stdin.take().expect("stdin pipe");
    reader.wait().expect("true exits");
    Stdio::from(w)
}

fn tracepass() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tracepass"));
    c.env_remove("TRACEPASS_URL").env_remove("TRACEPASS_DEPLOYMENT").stdin(Stdio::null());
    c
}

#[test]
fn closed_stdout_ends_quietly_works() {
    for json in [false, true] {
        let mut c = tracepass();
        c.env("TRACEPASS_SURI", "//Alice").arg("account");
        if json {
            c.arg("--json");
        }
        let out = c.stdout(closed_pipe()).stderr(Stdio::piped()).output().expect("run");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "json {json}: {err}");
        assert!(!err.contains("panicked") && !err.contains("Broken pipe"), "json {json}: {err}");
    }
}

#[test]
fn closed_stderr_keeps_exit_status_works() {
    // no node there: the error goes to a closed stderr, and the status still says "could not check"
    let uri = "https://id.gs1.org/01/04006381333931/10/L1/21/S1";
    let out = tracepass()
        .args(["--url", "ws://127.0.0.1:1", "--deployment", "/nonexistent/tracepass-deployment.json", "verify", uri])
        .stdout(closed_pipe())
        .stderr(closed_pipe())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "exit 2 (check not made), not 101 (panic)");
}
