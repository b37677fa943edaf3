//! The headless CLI, run as the real binary.

use std::process::Command;

fn talentdeck() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_talentdeck"));
    c.env_remove("TALENTDECK_DATA_DIR");
    c
}

#[test]
fn help_lists_the_headless_commands() {
    let out = talentdeck().arg("--help").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for cmd in ["sandbox", "status", "export", "--data-dir"] {
        assert!(text.contains(cmd), "--help should mention {cmd}:\n{text}");
    }
}

#[test]
fn export_on_an_empty_store_prints_nothing_and_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    for kind in ["jobs", "stages", "talents", "applications"] {
        let out = talentdeck().args(["export", kind, "--data-dir"]).arg(dir.path()).output().unwrap();
        assert!(out.status.success(), "export {kind}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout.is_empty(), "export {kind} on an empty store printed {:?}", out.stdout);
    }
    // The data folder can also come from the environment.
    let out = talentdeck().args(["status", "--json"]).env("TALENTDECK_DATA_DIR", dir.path()).output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v, serde_json::json!([]));
}

#[test]
fn a_bad_data_dir_is_a_clear_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-folder");
    std::fs::write(&file, b"x").unwrap();
    let out = talentdeck().args(["export", "jobs", "--data-dir"]).arg(&file).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "one line, got: {err}");
    assert!(err.contains("not-a-folder") && err.contains("not a folder"), "names the folder and the problem: {err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn exporting_an_unknown_connection_names_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let out = talentdeck()
        .args(["export", "talents", "--connection", "Nope", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("no connection named \"Nope\""), "{err}");
}

#[test]
#[cfg(feature = "bench")]
fn bench_prints_every_figure_as_json() {
    // Plumbing only (a tiny account, no timing assertions): speed goals live in the bench.
    let out = talentdeck().args(["bench", "--talents", "300", "--changes", "10", "--json"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() && err.contains("keychain") {
        eprintln!("!!! SKIPPED: the bench connects through the OS keychain; run it through ./test.sh  !!!\n{err}");
        return;
    }
    assert!(out.status.success(), "bench failed: {err}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["talents"], 300);
    for key in ["wall_s", "requests", "bytes"] {
        assert!(v["plain_download"][key].as_f64().unwrap() > 0.0, "plain_download.{key}: {v}");
    }
    for sync in ["full_sync", "incremental_sync"] {
        for key in ["wall_s", "records", "records_per_s", "requests", "peak_rss_mb"] {
            assert!(v[sync].get(key).is_some(), "{sync}.{key} missing: {v}");
        }
    }
    assert!(v["full_sync"]["records"].as_u64().unwrap() >= 300, "{v}");
    assert_eq!(v["incremental_sync"]["records"], 10, "only the changed talents are rewritten: {v}");
    assert!(v["full_to_plain_ratio"].as_f64().unwrap() > 0.0);
    assert_eq!(v["duplicates"]["rekeyed"], 10, "the duplicate pass covers the changed talents: {v}");
    for t in ["full_records_per_s", "full_cpu_per_record_us", "peak_rss_mb", "incremental_s", "duplicate_pass_s"] {
        assert!(v["targets"][t]["target"].as_f64().is_some(), "targets.{t}: {v}");
    }
    #[cfg(unix)]
    assert!(v["targets"]["full_cpu_per_record_us"]["measured"].as_f64().unwrap() > 0.0, "{v}");
}
