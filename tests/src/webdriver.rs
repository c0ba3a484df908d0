//! Real headless Chromium through chromedriver's W3C WebDriver HTTP API, for the browser suites.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use serde_json::{json, Value};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::free_port;

/// Debian's Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's chromedriver.
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// A phone's screen, in CSS pixels.
pub const PHONE: (u32, u32) = (412, 915);

/// chromedriver (in its own process group) and one browser session; dropping it deletes the
/// session and stops chromedriver and everything it started, also when a test fails.
pub struct WebDriver {
    child: Option<Child>,
    base: String,
    session: Option<String>,
    agent: ureq::Agent,
    profile: tempfile::TempDir,
}

impl WebDriver {
    /// A phone-sized session (412 x 915 CSS pixels, mobile emulation).
    pub fn start(log: &Path) -> WebDriver {
        WebDriver::start_sized(log, PHONE, true)
    }

    /// A desktop-sized session (1280 x 1000).
    pub fn start_desktop(log: &Path) -> WebDriver {
        WebDriver::start_sized(log, (1280, 1000), false)
    }

    fn start_sized(log: &Path, size: (u32, u32), mobile: bool) -> WebDriver {
        let port = free_port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("chromedriver is not installed: run scripts/setup.sh");
        let profile = tempfile::Builder::new().prefix("tracepass-chromium-").tempdir().expect("profile dir");
        let mut wd = WebDriver {
            child: Some(child),
            base: format!("http://127.0.0.1:{port}"),
            session: None,
            agent: ureq::AgentBuilder::new().timeout(Duration::from_secs(120)).build(),
            profile,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = wd.agent.get(&format!("{}/status", wd.base)).call().ok().and_then(|r| r.into_json::<Value>().ok());
            if ready.as_ref().is_some_and(|v| v["value"]["ready"] == true) {
                break;
            }
            assert!(Instant::now() < deadline, "chromedriver did not become ready; see {}", log.display());
            std::thread::sleep(Duration::from_millis(100));
        }
        let args = json!([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-quic",
            "--disable-dev-shm-usage",
            format!("--user-data-dir={}", wd.profile.path().display()),
            format!("--window-size={},{}", size.0, size.1),
        ]);
        let mut options = json!({ "binary": CHROMIUM, "args": args });
        if mobile {
            options["mobileEmulation"] = json!({ "deviceMetrics": { "width": size.0, "height": size.1, "pixelRatio": 2.0, "touch": true, "mobile": true } });
        }
        let caps = json!({ "capabilities": { "alwaysMatch": { "goog:chromeOptions": options } } });
        let v = wd.raw("POST", "/session", Some(caps));
        wd.session = Some(v["sessionId"].as_str().expect("session id").to_string());
        wd
    }

    /// One WebDriver command; its `value`. Panics with the driver's error on failure.
    pub fn raw(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let req = self.agent.request(method, &url);
        let res = match body {
            Some(b) => req.send_json(b),
            None => req.call(),
        };
        match res {
            Ok(r) => r.into_json::<Value>().expect("json")["value"].take(),
            Err(ureq::Error::Status(code, r)) => panic!("WebDriver {method} {path}: {code} {}", r.into_string().unwrap_or_default()),
            Err(e) => panic!("WebDriver {method} {path}: {e}"),
        }
    }

    pub fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let s = self.session.as_deref().expect("session");
        self.raw(method, &format!("/session/{s}{path}"), body)
    }

    pub fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn elements(&self, css: &str) -> Vec<String> {
        let v = self.cmd("POST", "/elements", Some(json!({ "using": "css selector", "value": css })));
        v.as_array()
            .expect("elements")
            .iter()
            .map(|e| e["element-6066-11e4-a52e-4f735466cecf"].as_str().expect("element id").to_string())
            .collect()
    }

    pub fn text(&self, css: &str) -> String {
        let id = self.elements(css).into_iter().next().unwrap_or_else(|| panic!("no element {css}"));
        self.cmd("GET", &format!("/element/{id}/text"), None).as_str().expect("text").to_string()
    }

    pub fn script(&self, body: &str) -> Value {
        self.cmd("POST", "/execute/sync", Some(json!({ "script": body, "args": [] })))
    }

    /// The viewport (what the phone shows first) as PNG.
    pub fn screenshot(&self, path: &Path) -> usize {
        let png = B64.decode(self.cmd("GET", "/screenshot", None).as_str().expect("base64")).expect("png");
        assert!(png.starts_with(b"\x89PNG"), "not a PNG");
        std::fs::write(path, &png).expect("write screenshot");
        png.len()
    }

    /// The whole page as PNG, through chromedriver's DevTools bridge (best effort).
    pub fn full_page_screenshot(&self, path: &Path) -> Option<usize> {
        let s = self.session.as_deref()?;
        let cdp = |cmd: &str, params: Value| -> Option<Value> {
            let url = format!("{}/session/{s}/goog/cdp/execute", self.base);
            self.agent.post(&url).send_json(json!({ "cmd": cmd, "params": params })).ok()?.into_json::<Value>().ok().map(|mut v| v["value"].take())
        };
        let m = cdp("Page.getLayoutMetrics", json!({}))?;
        let (w, h) = (m["cssContentSize"]["width"].as_f64()?, m["cssContentSize"]["height"].as_f64()?);
        let shot = cdp(
            "Page.captureScreenshot",
            json!({ "format": "png", "captureBeyondViewport": true, "clip": { "x": 0, "y": 0, "width": w, "height": h, "scale": 1 } }),
        )?;
        let png = B64.decode(shot["data"].as_str()?).ok()?;
        std::fs::write(path, &png).ok()?;
        Some(png.len())
    }
}

impl Drop for WebDriver {
    fn drop(&mut self) {
        if let Some(s) = self.session.take() {
            let _ = self.agent.delete(&format!("{}/session/{s}", self.base)).timeout(Duration::from_secs(20)).call();
        }
        if let Some(mut c) = self.child.take() {
            // the whole group: chromedriver and any browser it left behind
            let group = format!("-{}", c.id());
            let _ = Command::new("kill").args(["-TERM", "--", &group]).stderr(Stdio::null()).status();
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = Command::new("kill").args(["-KILL", "--", &group]).stderr(Stdio::null()).status();
            let _ = c.wait();
        }
    }
}
