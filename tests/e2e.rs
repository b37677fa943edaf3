//! End to end: the real desktop window, driven through tauri-driver + WebKitWebDriver (the W3C
//! WebDriver protocol, spoken with plain reqwest). Needs a display (Xvfb in CI, see test.sh).
//! Set TALENTDECK_SCREENSHOT=path.png to save a screenshot of the final screen, and
//! TALENTDECK_PROFILE_SCREENSHOT=path.png one of a talent's profile.

#![cfg(unix)]

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

struct Driver {
    child: Child,
}

impl Drop for Driver {
    /// tauri-driver starts WebKitWebDriver, which starts the app: kill the whole process group,
    /// or a failed test leaves a window (and pipes that keep `cargo test | …` waiting) behind.
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{}", self.child.id())]).status();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Session {
    http: reqwest::Client,
    base: String,
}

/// The W3C WebDriver web element identifier key.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Session {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{}", self.base, path);
        let mut req = self.http.request(method, &url);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap_or_else(|e| panic!("WebDriver {path}: {e}"));
        let status = resp.status();
        let v: Value = resp.json().await.unwrap();
        assert!(status.is_success(), "WebDriver {path} failed: {status} {v}");
        v["value"].clone()
    }

    /// Waits until an element matching `css` exists (and, if given, contains `text`); returns its id.
    async fn wait_for(&self, css: &str, text: Option<&str>, timeout: Duration) -> String {
        eprintln!("e2e: waiting for {css} {text:?}");
        let start = Instant::now();
        loop {
            let found = self
                .http
                .post(format!("{}/elements", self.base))
                .json(&json!({"using": "css selector", "value": css}))
                .send()
                .await;
            if let Ok(resp) = found {
                if let Ok(v) = resp.json::<Value>().await {
                    for el in v["value"].as_array().cloned().unwrap_or_default() {
                        let Some(id) = el[ELEMENT_KEY].as_str().map(str::to_string) else {
                            panic!("WebDriver returned an element without the W3C id key: {el}");
                        };
                        match text {
                            None => return id,
                            Some(t) => {
                                // The browser's own innerText: WebDriver's "element text" atom drops
                                // text inside `overflow: hidden` boxes (the card's ellipsized name).
                                let got = self
                                    .call(reqwest::Method::POST, "/execute/sync", Some(json!({"script": "return arguments[0].innerText", "args": [{ELEMENT_KEY: id}]})))
                                    .await;
                                if got.as_str().unwrap_or_default().contains(t) {
                                    return id;
                                }
                            }
                        }
                    }
                }
            }
            if start.elapsed() > timeout {
                let html = self.call(reqwest::Method::POST, "/execute/sync", Some(json!({"script": "return document.body.innerText", "args": []}))).await;
                panic!("no element {css} with text {text:?} after {timeout:?}; the page shows:\n{html}");
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    async fn click(&self, id: &str) {
        eprintln!("e2e: click {id}");
        self.call(reqwest::Method::POST, &format!("/element/{id}/click"), Some(json!({}))).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn first_run_offers_the_sandbox_connects_to_it_and_fetches_resumes() {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        eprintln!("!!! SKIPPED: the end-to-end window test needs a display; run it through ./test.sh  !!!");
        eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let (port, native_port) = (free_port(), free_port());
    let _driver = Driver {
        child: Command::new("tauri-driver")
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .env("TALENTDECK_DATA_DIR", data.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("tauri-driver must be installed for the end-to-end test (./setup.sh installs it)"),
    };
    // A hung WebDriver call must fail the test, not stall it.
    let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
    let root = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    while http.get(format!("{root}/status")).send().await.is_err() {
        assert!(start.elapsed() < Duration::from_secs(20), "tauri-driver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let created: Value = http
        .post(format!("{root}/session"))
        .json(&json!({"capabilities": {"alwaysMatch": {"tauri:options": {
            "application": env!("CARGO_BIN_EXE_talentdeck"),
            "args": ["--data-dir", data.path()],
        }}}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let session_id = created["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no session: {created}")).to_string();
    let s = Session { http: http.clone(), base: format!("{root}/session/{session_id}") };

    // A new user lands on the first-run screen, with both ways in.
    let try_sandbox = s.wait_for("[data-testid=try-sandbox]", None, Duration::from_secs(30)).await;
    s.wait_for("[data-testid=connect-ats]", None, Duration::from_secs(5)).await;
    s.click(&try_sandbox).await;
    // The first run asks which provider to simulate; the default (Greenhouse) is what we want.
    let start_sandbox = s.wait_for("[data-testid=start-sandbox]", None, Duration::from_secs(10)).await;
    s.click(&start_sandbox).await;

    // The app opens on the new connection's data; its health card is under Connections.
    let nav = s.wait_for("[data-testid=nav-connections]", None, Duration::from_secs(30)).await;
    s.click(&nav).await;
    s.wait_for("[data-testid=connection-card]", Some("Sandbox Greenhouse"), Duration::from_secs(30)).await;

    // After the first sync, the file step fetches resumes into the data folder; the Talents page
    // then shows them as available offline (the whole chain: sync, files, event, list reload).
    let nav = s.wait_for("[data-testid=nav-talents]", None, Duration::from_secs(10)).await;
    s.click(&nav).await;
    s.wait_for("[data-testid=open-file][aria-label*='available offline']", None, Duration::from_secs(90)).await;
    let files = std::fs::read_dir(data.path().join("files")).expect("a files folder in the data folder");
    let downloaded = files.flat_map(|c| std::fs::read_dir(c.unwrap().path()).unwrap()).count();
    assert!(downloaded > 0, "resumes were downloaded into the data folder");

    // A talent's profile: the visible talent with the most applications, opened by its name;
    // its applications show their stage timelines, the notes are read from the sandbox, and
    // Escape returns to the list.
    let picked = s
        .call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({"script": "const rows = [...document.querySelectorAll('[data-testid=talent-row]')]; \
                rows.sort((a, b) => Number(b.querySelector('.apps').textContent) - Number(a.querySelector('.apps').textContent)); \
                rows[0].querySelector('[data-testid=open-profile]').click(); return rows[0].querySelector('.apps').textContent;", "args": []})),
        )
        .await;
    eprintln!("e2e: opened a profile with {picked} applications");
    s.wait_for("[data-testid=profile-application] [data-testid=timeline-stay]", None, Duration::from_secs(10)).await;
    s.wait_for("[data-testid=profile-notes] .section-head button", Some("Refresh"), Duration::from_secs(30)).await;
    if let Some(path) = std::env::var_os("TALENTDECK_PROFILE_SCREENSHOT") {
        tokio::time::sleep(Duration::from_millis(800)).await;
        let png = s.call(reqwest::Method::GET, "/screenshot", None).await;
        use base64::Engine;
        std::fs::write(path, base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap()).unwrap()).unwrap();
    }
    s.call(reqwest::Method::POST, "/actions", Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
        {"type": "keyDown", "value": "\u{E00C}"}, {"type": "keyUp", "value": "\u{E00C}"}]}]}))).await;
    s.wait_for("[data-testid=talent-row]", None, Duration::from_secs(10)).await;
    let nav = s.wait_for("[data-testid=nav-connections]", None, Duration::from_secs(10)).await;
    s.click(&nav).await;
    s.wait_for("[data-testid=connection-card]", None, Duration::from_secs(10)).await;

    if let Some(path) = std::env::var_os("TALENTDECK_SCREENSHOT") {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let png = s.call(reqwest::Method::GET, "/screenshot", None).await;
        use base64::Engine;
        let bytes = base64::engine::general_purpose::STANDARD.decode(png.as_str().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let _ = http.delete(&s.base).send().await;
}
