//! Writing to stdout and stderr like a Unix tool: when the reader has gone (`| head -3`), the
//! rest of the output is dropped quietly and the command still ends with its own exit status,
//! instead of panicking on `EPIPE` as `println!` does.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};

static STDOUT_GONE: AtomicBool = AtomicBool::new(false);
static STDERR_GONE: AtomicBool = AtomicBool::new(false);

fn write_line(gone: &AtomicBool, w: &mut dyn Write, line: &str) {
    if gone.load(Ordering::Relaxed) {
        return;
    }
    if w.write_all(line.as_bytes()).and_then(|_| w.write_all(b"\n")).and_then(|_| w.flush()).is_err() {
        gone.store(true, Ordering::Relaxed);
    }
}

/// Writes `line` and a newline to stdout; nothing once stdout is closed.
pub fn out(line: &str) {
    write_line(&STDOUT_GONE, &mut std::io::stdout().lock(), line);
}

/// Writes `line` and a newline to stderr; nothing once stderr is closed.
pub fn err(line: &str) {
    write_line(&STDERR_GONE, &mut std::io::stderr().lock(), line);
}
