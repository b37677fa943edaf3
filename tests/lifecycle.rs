//! The connection lifecycle against the real Secret Service and in-process sandbox ATSs on
//! 127.0.0.1: the vault round trip, credentials that expire mid-sync and are replaced,
//! missing permissions, disconnecting, two connections side by side, and the guarantee that a
//! secret never lands in the database, the logs or any output.
//!
//! Needs an unlocked Secret Service (test.sh runs the tests inside `dbus-run-session` with a
//! throwaway gnome-keyring); without a D-Bus session bus the tests say SKIPPED and return.

use std::path::Path;
use std::process::Output;

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use talentdeck::app::{App, ConnectInput};
use talentdeck::model::Provider;
use talentdeck::sandbox::{Faults, Sandbox, SandboxConfig};
use talentdeck::store::ExportKind;
use talentdeck::vault::{Credential, CredentialKind, Vault};
use tokio::io::AsyncWriteExt;

fn keychain_available() -> bool {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        return true;
    }
    eprintln!("\n!!! SKIPPED: no D-Bus session bus, so no Secret Service; run the tests through ./test.sh !!!\n");
    false
}

async fn sandbox(provider: Provider, seed: u64, talents: usize, faults: Faults) -> Sandbox {
    let mut cfg = SandboxConfig::new(provider);
    cfg.seed = seed;
    cfg.talents = talents;
    cfg.faults = faults;
    Sandbox::start(cfg).await.expect("sandbox starts")
}

/// The secret a sandbox currently accepts (Greenhouse client secret, or API key).
fn secret_of(creds: &Value) -> String {
    creds
        .get("client_secret")
        .or_else(|| creds.get("api_key"))
        .and_then(Value::as_str)
        .expect("a sandbox secret")
        .to_string()
}

/// Authenticated API requests the sandbox answered (Greenhouse token requests left out).
fn api_requests(sb: &Sandbox) -> u64 {
    let s = sb.stats();
    s.requests - s.tokens_issued
}

/// Runs the real binary on `dir`, `stdin` piped in, with every log level on so that log lines
/// are part of what is checked for secrets.
async fn td(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_talentdeck"));
    cmd.args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("TALENTDECK_DATA_DIR")
        .env("TALENTDECK_LOG", "trace")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("the talentdeck binary runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(s) = stdin {
        input.write_all(format!("{s}\n").as_bytes()).await.unwrap();
    }
    drop(input);
    child.wait_with_output().await.unwrap()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn ok(out: Output, what: &str) -> Output {
    assert!(out.status.success(), "{what} failed: {}", text(&out));
    out
}

/// `connect` arguments for a sandbox, by provider.
fn connect_args(sb: &Sandbox, name: &str) -> Vec<String> {
    let info = sb.info();
    let mut a = vec![
        "connect".into(),
        info.provider.as_str().into(),
        "--name".into(),
        name.into(),
        "--base-url".into(),
        info.base_url.clone(),
    ];
    if info.provider == Provider::Greenhouse {
        let c = &info.credentials;
        a.extend([
            "--client-id".into(),
            c["client_id"].as_str().unwrap().into(),
            "--user-id".into(),
            c["user_id"].as_str().unwrap().into(),
            "--auth-url".into(),
            info.auth_url.clone().unwrap(),
        ]);
    }
    a
}

async fn connect_cli(dir: &Path, sb: &Sandbox, name: &str, secret: &str) -> Output {
    let args = connect_args(sb, name);
    td(dir, &args.iter().map(String::as_str).collect::<Vec<_>>(), Some(secret)).await
}

fn connect_input(sb: &Sandbox, name: &str) -> ConnectInput {
    let info = sb.info();
    let c = &info.credentials;
    ConnectInput {
        provider: info.provider,
        name: name.into(),
        secret: secret_of(c),
        client_id: c.get("client_id").and_then(Value::as_str).map(str::to_string),
        user_id: c.get("user_id").and_then(Value::as_str).map(str::to_string),
        base_url: Some(info.base_url.clone()),
        auth_url: info.auth_url.clone(),
    }
}

/// The JSON Lines `export` printed, without the `connection` field, sorted like `expected()`.
fn records(out: &Output) -> Vec<Value> {
    let mut v: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            let mut r: Value = serde_json::from_str(l).unwrap();
            r.as_object_mut().unwrap().remove("connection");
            r
        })
        .collect();
    v.sort_by(|a, b| a["remote_id"].as_str().cmp(&b["remote_id"].as_str()));
    v
}

async fn assert_converged(dir: &Path, name: &str, sb: &Sandbox) {
    for (kind, arg) in [
        (ExportKind::Jobs, "jobs"),
        (ExportKind::Stages, "stages"),
        (ExportKind::Talents, "talents"),
        (ExportKind::Applications, "applications"),
    ] {
        let out = ok(td(dir, &["export", arg, "--connection", name], None).await, "export");
        let mut expected = sb.expected(kind);
        expected.sort_by(|a, b| a["remote_id"].as_str().cmp(&b["remote_id"].as_str()));
        let got = records(&out);
        assert_eq!(got.len(), expected.len(), "{name}: {arg} count");
        assert!(got == expected, "{name}: the exported {arg} differ from the sandbox's");
    }
}

async fn status_json(dir: &Path) -> Vec<Value> {
    let out = ok(td(dir, &["status", "--json"], None).await, "status");
    serde_json::from_slice(&out.stdout).unwrap()
}

fn state_of(statuses: &[Value], name: &str) -> String {
    statuses.iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("no status for {name}: {statuses:?}"))["state"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Every file under `dir` (database, WAL, shared memory, logs), byte for byte.
fn files_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files_bytes(&p));
        } else {
            out.push((p.display().to_string(), std::fs::read(&p).unwrap()));
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// Measures what connecting and one full sync cost against a sandbox like the one to test
/// (same provider, seed and size): `(verify, full sync)` in authenticated API requests.
async fn measure(provider: Provider, seed: u64, talents: usize) -> (u64, u64) {
    let sb = sandbox(provider, seed, talents, Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let conn = app.connect(connect_input(&sb, "measure"), chrono::Utc::now()).await.expect("connect");
    let verify = api_requests(&sb);
    app.sync(conn.id, false, talentdeck::model::Trigger::Manual, &|_| {}).await.expect("sync");
    let full = api_requests(&sb) - verify;
    app.disconnect(conn.id, true, chrono::Utc::now()).await.expect("disconnect");
    sb.shutdown().await;
    (verify, full)
}

// ---- the vault ----

#[test]
fn the_vault_stores_reads_replaces_and_deletes_in_the_secret_service() {
    if !keychain_available() {
        return;
    }
    let vault = Vault::new();
    let key = talentdeck::app::new_vault_key();
    assert!(vault.get(&key).unwrap().is_none(), "a new key has no entry");
    vault.put(&key, &Credential::new(CredentialKind::ApiKey, SecretString::from("first-secret-1234"))).unwrap();
    // A fresh Vault has nothing in memory: this read goes to the Secret Service.
    let got = Vault::new().get(&key).unwrap().expect("stored");
    assert_eq!(got.secret.expose_secret(), "first-secret-1234");
    assert_eq!(got.kind, CredentialKind::ApiKey);
    assert!(!format!("{got:?}").contains("first-secret"), "a credential never prints its secret");

    // Replacing keeps one entry under the key; a token pair with an expiry fits the same entry.
    let expires = chrono::Utc::now() + chrono::Duration::hours(1);
    let mut token = Credential::new(CredentialKind::OauthToken, SecretString::from("access-token-5678"));
    token.refresh_token = Some(SecretString::from("refresh-token-9012"));
    token.expires_at = Some(expires);
    vault.put(&key, &token).unwrap();
    let got = Vault::new().get(&key).unwrap().expect("replaced");
    assert_eq!(got.secret.expose_secret(), "access-token-5678");
    assert_eq!(
        got.refresh_token.as_ref().map(|s| s.expose_secret().to_string()).as_deref(),
        Some("refresh-token-9012")
    );
    assert_eq!(got.expires_at.map(|t| t.timestamp()), Some(expires.timestamp()));

    vault.delete(&key).unwrap();
    assert!(Vault::new().get(&key).unwrap().is_none(), "deleted");
    vault.delete(&key).expect("deleting an absent entry is not an error");
}

// ---- expiry, reconnect, resume; and no secret anywhere ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_credential_needs_reconnect_keeps_data_and_resumes_after_reconnect_without_leaking() {
    if !keychain_available() {
        return;
    }
    let (seed, talents) = (11, 3000);
    let (verify, full) = measure(Provider::Greenhouse, seed, talents).await;
    assert!(full >= 20, "the sync must take enough requests to be cut in the middle: {full}");
    // The credential dies about 70% into the first sync; the fresh one has the same budget,
    // enough for verifying it and the rest of that sync, not for starting over twice.
    let budget = verify + full * 7 / 10;
    let sb = sandbox(
        Provider::Greenhouse,
        seed,
        talents,
        Faults { expire_credential_after: Some(budget), ..Faults::default() },
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let first_secret = secret_of(&sb.info().credentials);
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut keep = |what: &str, out: &Output| {
        outputs.push((what.to_string(), [out.stdout.clone(), out.stderr.clone()].concat()));
    };

    let out = ok(connect_cli(d, &sb, "Acme GH", &first_secret).await, "connect");
    keep("connect", &out);
    let out = td(d, &["sync", "Acme GH"], None).await;
    keep("failed sync", &out);
    assert!(!out.status.success(), "the sync hit the revoked credential: {}", text(&out));
    assert!(text(&out).contains("talentdeck reconnect"), "says how to fix it: {}", text(&out));

    let statuses = status_json(d).await;
    assert_eq!(state_of(&statuses, "Acme GH"), "needs_reconnect");
    let kept: i64 = statuses[0]["counts"].as_array().unwrap().iter().map(|c| c["count"].as_i64().unwrap()).sum();
    assert!(kept > 0, "what was synced before the 401 is kept: {statuses:?}");
    let log = ok(td(d, &["log", "--connection", "Acme GH"], None).await, "log");
    assert!(
        text(&log).contains("connected → needs_reconnect: "),
        "the transition is logged with its reason: {}",
        text(&log)
    );

    // A wrong secret changes nothing.
    let wrong_secret = "not-the-right-secret-000";
    let out = td(d, &["reconnect", "Acme GH"], Some(wrong_secret)).await;
    keep("wrong reconnect", &out);
    assert!(!out.status.success());
    assert_eq!(state_of(&status_json(d).await, "Acme GH"), "needs_reconnect");

    // Reconnect with a fresh secret; the next sync resumes and converges.
    let second_secret = secret_of(&sb.rotate_credential());
    let out = ok(td(d, &["reconnect", "Acme GH"], Some(&second_secret)).await, "reconnect");
    keep("reconnect", &out);
    assert_eq!(state_of(&status_json(d).await, "Acme GH"), "connected");
    let before = api_requests(&sb);
    let out = ok(td(d, &["sync", "Acme GH"], None).await, "resumed sync");
    keep("resumed sync", &out);
    let resumed = api_requests(&sb) - before;
    eprintln!("requests: verify {verify}, full sync {full}, resumed sync {resumed}");
    assert!(
        resumed < full,
        "the sync resumed from its checkpoints ({resumed} requests) instead of starting over ({full})"
    );
    assert_eq!(state_of(&status_json(d).await, "Acme GH"), "connected");
    assert_converged(d, "Acme GH", &sb).await;
    let log = ok(td(d, &["log", "--connection", "Acme GH"], None).await, "log");
    assert!(text(&log).contains("needs_reconnect → connected: reconnected"), "{}", text(&log));

    // Everything a user or support could see, and every file in the data folder.
    for args in [
        vec!["export", "talents"],
        vec!["export", "jobs"],
        vec!["export", "applications"],
        vec!["status", "--json"],
        vec!["status"],
        vec!["diagnose"],
        vec!["log", "--limit", "1000"],
    ] {
        let out = ok(td(d, &args, None).await, &args.join(" "));
        keep(&args.join(" "), &out);
    }
    let diagnose = ok(td(d, &["diagnose", "Acme GH"], None).await, "diagnose");
    let bundle: Value = serde_json::from_slice(&diagnose.stdout).expect("diagnose prints JSON");
    let c = &bundle["connections"][0];
    assert_eq!(c["provider"], "greenhouse");
    assert_eq!(c["api_host"], "127.0.0.1");
    assert_eq!(c["credential"], "stored");
    let history: Vec<(&str, &str)> = c["state_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["from"].as_str().unwrap(), t["to"].as_str().unwrap()))
        .collect();
    assert_eq!(history, vec![("connected", "needs_reconnect"), ("needs_reconnect", "connected")]);
    assert!(c["recent_runs"].as_array().unwrap().iter().any(|r| r["error_code"] == "unauthorized"), "{c}");
    assert!(bundle["talentdeck_version"].is_string());
    assert_eq!(c["sync_positions"]["talents"]["pass_in_progress"], false, "the resumed pass completed: {c}");
    assert_eq!(c["local_counts"]["talents"], sb.expected(ExportKind::Talents).len());

    // Personal data stays out of the bundle.
    let bundle_text = String::from_utf8_lossy(&diagnose.stdout).to_string();
    if std::env::var_os("TALENTDECK_SHOW_DIAGNOSE").is_some() {
        eprintln!("{bundle_text}");
    }
    for t in sb.expected(ExportKind::Talents) {
        let name = t["name"].as_str().unwrap();
        assert!(!bundle_text.contains(name), "a talent's name is in the diagnostics bundle: {name}");
        for e in t["emails"].as_array().unwrap() {
            assert!(!bundle_text.contains(e.as_str().unwrap()), "an e-mail address is in the diagnostics bundle");
        }
    }

    outputs.extend(files_bytes(d));
    // The secrets as sent (HTTP Basic `client_id:secret`) count too.
    use base64::Engine;
    let client_id = sb.info().credentials["client_id"].as_str().unwrap().to_string();
    let basic = |s: &str| base64::engine::general_purpose::STANDARD.encode(format!("{client_id}:{s}"));
    let secrets = [
        ("first secret", first_secret.clone()),
        ("second secret", second_secret.clone()),
        ("refused secret", wrong_secret.to_string()),
        ("first secret as HTTP Basic", basic(&first_secret)),
        ("second secret as HTTP Basic", basic(&second_secret)),
    ];
    for (what, bytes) in &outputs {
        for (label, secret) in &secrets {
            assert!(!contains(bytes, secret), "the {label} is in {what}");
        }
    }
    assert!(outputs.iter().any(|(w, _)| w.ends_with("talentdeck.sqlite3")), "the database was scanned");

    ok(td(d, &["disconnect", "Acme GH"], None).await, "disconnect");
    sb.shutdown().await;
}

// ---- permissions ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_names_every_missing_permission_and_saves_nothing() {
    if !keychain_available() {
        return;
    }
    let cases = [
        (Provider::Greenhouse, vec!["harvest:candidates:list", "harvest:applications:move", "harvest:notes:create"]),
        (Provider::Lever, vec!["stages:read:admin", "opportunities:write:admin", "notes:write:admin"]),
        (Provider::Ashby, vec!["candidatesWrite"]),
    ];
    for (provider, denied) in cases {
        let faults = Faults { deny_scopes: denied.iter().map(|s| s.to_string()).collect(), ..Faults::default() };
        let sb = sandbox(provider, 3, 40, faults).await;
        let dir = tempfile::tempdir().unwrap();
        let out = connect_cli(dir.path(), &sb, "Denied", &secret_of(&sb.info().credentials)).await;
        assert!(!out.status.success(), "{provider}: connect must fail");
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        for scope in &denied {
            assert!(err.contains(scope), "{provider}: the missing {scope} is named: {err}");
        }
        if provider == Provider::Ashby {
            assert!(err.contains("Candidates (write)"), "Ashby's admin screen name too: {err}");
        }
        assert!(status_json(dir.path()).await.is_empty(), "{provider}: nothing was saved");
        sb.shutdown().await;
    }

    // With every permission, the same check passes (so the write probes changed nothing).
    let sb = sandbox(Provider::Lever, 3, 40, Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    ok(connect_cli(dir.path(), &sb, "Full", &secret_of(&sb.info().credentials)).await, "connect with every permission");
    ok(td(dir.path(), &["sync", "Full"], None).await, "sync");
    assert_converged(dir.path(), "Full", &sb).await;
    ok(td(dir.path(), &["disconnect", "Full", "--purge"], None).await, "disconnect");
    sb.shutdown().await;
}

// ---- disconnect ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_keeps_data_read_only_and_purge_removes_it() {
    if !keychain_available() {
        return;
    }
    let sb = sandbox(Provider::Ashby, 5, 60, Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(connect_cli(d, &sb, "Ashby", &secret_of(&sb.info().credentials)).await, "connect");
    ok(td(d, &["sync", "Ashby"], None).await, "sync");
    let vault_key = {
        let app = App::open(d).unwrap();
        let conn = app.store_for_tests().require_connection("Ashby").unwrap();
        assert!(app.credential_of(&conn).unwrap().is_some(), "the keychain holds the key");
        conn.settings.vault_key.clone().unwrap()
    };

    let out = ok(td(d, &["disconnect", "Ashby"], None).await, "disconnect");
    assert!(text(&out).contains("stay browsable"), "{}", text(&out));
    assert!(Vault::new().get(&vault_key).unwrap().is_none(), "the keychain entry is gone");
    assert_eq!(state_of(&status_json(d).await, "Ashby"), "disconnected");
    assert_converged(d, "Ashby", &sb).await; // still browsable
    let out = td(d, &["sync", "Ashby"], None).await;
    assert!(!out.status.success());
    assert!(text(&out).contains("disconnected") && text(&out).contains("talentdeck reconnect"), "{}", text(&out));
    let requests = sb.stats().requests;
    let out = ok(td(d, &["sync"], None).await, "sync all");
    assert!(
        text(&out).contains("Ashby: skipped, disconnected"),
        "syncing everything skips a disconnected connection: {}",
        text(&out)
    );
    assert_eq!(sb.stats().requests, requests, "nothing was asked of the ATS");

    let out = ok(td(d, &["disconnect", "Ashby", "--purge"], None).await, "purge");
    assert!(text(&out).contains("deleted"), "{}", text(&out));
    assert!(status_json(d).await.is_empty(), "the connection is gone");
    let out = ok(td(d, &["export", "talents"], None).await, "export");
    assert!(out.stdout.is_empty(), "its talents are gone");
    let app = App::open(d).unwrap();
    let leftover: i64 = app
        .store_for_tests()
        .raw()
        .query_row("SELECT (SELECT COUNT(*) FROM applications) + (SELECT COUNT(*) FROM talent_search) + (SELECT COUNT(*) FROM sync_cursors)", [], |r| r.get(0))
        .unwrap();
    assert_eq!(leftover, 0, "nothing of it is left in the database");
    assert!(text(&ok(td(d, &["log"], None).await, "log")).contains("purged"), "the purge is recorded");
    sb.shutdown().await;
}

// ---- several connections ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_connections_to_different_providers_sync_side_by_side_with_their_own_states() {
    if !keychain_available() {
        return;
    }
    let (verify, full) = measure(Provider::Lever, 7, 120).await;
    // Lever's key dies right after its first full sync; Greenhouse's lives on.
    let lever =
        sandbox(Provider::Lever, 7, 120, Faults { expire_credential_after: Some(verify + full), ..Faults::default() })
            .await;
    let gh = sandbox(Provider::Greenhouse, 8, 150, Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(connect_cli(d, &gh, "Parent GH", &secret_of(&gh.info().credentials)).await, "connect greenhouse");
    ok(connect_cli(d, &lever, "Acquired Lever", &secret_of(&lever.info().credentials)).await, "connect lever");

    ok(td(d, &["sync"], None).await, "sync all");
    assert_converged(d, "Parent GH", &gh).await;
    assert_converged(d, "Acquired Lever", &lever).await;

    let gh_changes = gh.mutate(talentdeck::sandbox::Mutation { update_talents: 3, ..Default::default() });
    let out = td(d, &["sync"], None).await;
    assert!(!out.status.success(), "one of the two failed: {}", text(&out));
    let statuses = status_json(d).await;
    assert_eq!(state_of(&statuses, "Parent GH"), "connected");
    assert_eq!(state_of(&statuses, "Acquired Lever"), "needs_reconnect");
    assert_converged(d, "Parent GH", &gh).await; // its changes arrived despite the other's failure
    assert_eq!(gh_changes.updated_talents.len(), 3);

    for name in ["Parent GH", "Acquired Lever"] {
        ok(td(d, &["disconnect", name, "--purge"], None).await, "disconnect");
    }
    gh.shutdown().await;
    lever.shutdown().await;
}

// ---- no keychain ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_keychain_connect_says_what_to_install_and_saves_nothing() {
    let sb = sandbox(Provider::Lever, 9, 20, Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let args = connect_args(&sb, "No keychain");
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_talentdeck"));
    cmd.args(&args)
        .arg("--data-dir")
        .arg(dir.path())
        .env_remove("TALENTDECK_DATA_DIR")
        // No Secret Service can answer here.
        .env("DBUS_SESSION_BUS_ADDRESS", format!("unix:path={}", dir.path().join("no-bus").display()))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let secret = secret_of(&sb.info().credentials);
    child.stdin.take().unwrap().write_all(format!("{secret}\n").as_bytes()).await.unwrap();
    let out = child.wait_with_output().await.unwrap();
    assert!(!out.status.success(), "connect must fail without a keychain");
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(err.contains("keychain is not available") && err.contains("gnome-keyring"), "says what to install: {err}");
    assert!(status_json(dir.path()).await.is_empty(), "nothing was saved");
    for (what, bytes) in files_bytes(dir.path()) {
        assert!(!contains(&bytes, &secret), "no plaintext fallback: the secret is in {what}");
    }
    sb.shutdown().await;
}

/// Compiles only if the lifecycle use cases can run on a spawned task (the desktop shell runs
/// them with `tokio::spawn`, which needs `Send` futures).
#[allow(dead_code)]
fn lifecycle_use_cases_are_send(app: &'static App) {
    fn send<T: Send>(_: T) {}
    let input = talentdeck::app::ReconnectInput { secret: "y".into(), client_id: None, user_id: None };
    send(app.reconnect(1, input, chrono::Utc::now()));
    send(app.disconnect(1, false, chrono::Utc::now()));
    send(app.sync(1, false, talentdeck::model::Trigger::Manual, &|_| {}));
}
