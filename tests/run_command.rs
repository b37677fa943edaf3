//! The README's first command, run the way the README writes it: every `./run.sh …` command the
//! README shows must open the window on the sandbox ATS and finish its first sync.
//!
//! `run.sh` normally sets everything up and builds first; the test suite has just built the
//! binary, so it hands it over in `TALENTDECK_RUN_PREBUILT` and the script skips straight to
//! launching it, with the same arguments it gives a user. Needs a display (Xvfb, see test.sh).

#![cfg(unix)]

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Every `./run.sh …` command in the README: fenced (one per line) and inline (in backticks).
fn readme_run_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let mut found = Vec::new();
    for line in readme.lines() {
        let line = line.trim();
        if line.starts_with("./run.sh") {
            found.push(line.to_string());
        }
        for (i, chunk) in line.split('`').enumerate() {
            if i % 2 == 1 && chunk.starts_with("./run.sh") {
                found.push(chunk.to_string());
            }
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Kills the script's whole process group (the script execs the app, which starts helpers).
struct Launched(Child);

impl Drop for Launched {
    fn drop(&mut self) {
        let _ = Command::new("kill").args(["-s", "KILL", "--", &format!("-{}", self.0.id())]).status();
        let _ = self.0.wait();
    }
}

fn status(data: &std::path::Path) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_talentdeck"))
        .args(["status", "--json", "--data-dir"])
        .arg(data)
        .output()
        .unwrap();
    if !out.status.success() {
        return Vec::new(); // the app may still be creating the store
    }
    serde_json::from_slice(&out.stdout).unwrap_or_default()
}

#[test]
fn every_run_command_in_the_readme_opens_the_sandbox_and_syncs_it() {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        eprintln!("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
        eprintln!("!!! SKIPPED: the README's run command opens a window; run this through ./test.sh  !!!");
        eprintln!("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n");
        return;
    }
    let commands = readme_run_commands();
    assert!(commands.iter().any(|c| c == "./run.sh"), "the README shows `./run.sh` as its run command: {commands:?}");
    for command in commands {
        // The provider the command should open: the README says plain ./run.sh is Greenhouse.
        let provider =
            ["lever", "ashby", "greenhouse"].into_iter().find(|p| command.contains(p)).unwrap_or("greenhouse");
        let data = tempfile::tempdir().unwrap();
        // Not a pipe: nobody drains it while the app runs, and a full pipe would stall the app.
        let log_path = data.path().join("run.log");
        let log = std::fs::File::create(&log_path).unwrap();
        eprintln!("run_command: {command}");
        let mut launched = Launched(
            Command::new("bash")
                .args(["-c", &command])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .env("TALENTDECK_RUN_PREBUILT", env!("CARGO_BIN_EXE_talentdeck"))
                .env("TALENTDECK_DATA_DIR", data.path())
                .stdin(Stdio::null())
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .process_group(0)
                .spawn()
                .unwrap(),
        );
        let start = Instant::now();
        loop {
            if let Some(exit) = launched.0.try_wait().unwrap() {
                let err = std::fs::read_to_string(&log_path).unwrap_or_default();
                panic!("`{command}` exited ({exit}) instead of opening the window:\n{err}");
            }
            let synced = status(data.path())
                .into_iter()
                .find(|c| c["sandbox"] == true && c["provider"] == provider && !c["last_success_at"].is_null());
            if let Some(conn) = synced {
                eprintln!("run_command: `{command}` opened {} and synced it", conn["name"]);
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(120),
                "`{command}` did not open a synced {provider} sandbox within 2 minutes: {:?}",
                status(data.path())
            );
            std::thread::sleep(Duration::from_millis(500));
        }
        // The window is still up after its first sync: the app did not exit on its own.
        assert!(launched.0.try_wait().unwrap().is_none(), "`{command}`: the app exited after its first sync");
    }
}
