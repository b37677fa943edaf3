//! Automatic sync: which connections are due, per-connection intervals, and no scheduled retries
//! against a credential the ATS rejected. Real store, real keychain, the Lever sandbox on 127.0.0.1.

use chrono::{Duration, Utc};
use talentdeck::app::{App, ConnectInput, SyncOutcome};
use talentdeck::model::{ConnectionState, Provider};
use talentdeck::sandbox::{Faults, Sandbox, SandboxConfig};

async fn lever(faults: Faults) -> Sandbox {
    let mut cfg = SandboxConfig::new(Provider::Lever);
    cfg.talents = 40;
    cfg.faults = faults;
    Sandbox::start(cfg).await.unwrap()
}

async fn connect(app: &App, sandbox: &Sandbox, name: &str) -> i64 {
    let info = sandbox.info();
    let input = ConnectInput {
        provider: Provider::Lever,
        name: name.into(),
        secret: info.credentials["api_key"].as_str().unwrap().into(),
        client_id: None,
        user_id: None,
        base_url: Some(info.base_url.clone()),
        auth_url: None,
    };
    app.connect(input, Utc::now()).await.unwrap().id
}

#[tokio::test]
async fn a_connection_is_due_at_once_then_every_interval_and_never_when_off() {
    let sandbox = lever(Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let id = connect(&app, &sandbox, "Schedule Lever").await;

    let now = Utc::now();
    assert_eq!(app.due_for_sync(now).unwrap(), vec![id], "a connection that never synced is due");
    let SyncOutcome::Ran(report) = app.sync(id, false, talentdeck::model::Trigger::Scheduled, &|_| {}).await.unwrap()
    else {
        panic!("joined")
    };
    assert!(report.error.is_none(), "{:?}", report.error);

    let status = app.status(Utc::now()).unwrap().remove(0);
    assert_eq!(status.sync_interval_minutes, Some(15));
    let next = status.next_sync_at.expect("scheduled again");
    let started = status.last_run.unwrap().started_at;
    assert_eq!(next, started + Duration::minutes(15));
    assert!(app.due_for_sync(Utc::now()).unwrap().is_empty(), "just synced: nothing due");
    assert_eq!(app.due_for_sync(next).unwrap(), vec![id]);

    let status = app.set_sync_interval(id, 60, Utc::now()).unwrap();
    assert_eq!(status.next_sync_at, Some(started + Duration::hours(1)));
    let status = app.set_sync_interval(id, 0, Utc::now()).unwrap();
    assert_eq!((status.sync_interval_minutes, status.next_sync_at), (None, None));
    assert!(app.due_for_sync(Utc::now() + Duration::days(30)).unwrap().is_empty());

    let err = app.set_sync_interval(id, 1, Utc::now()).unwrap_err();
    assert_eq!(err.code(), "validation");
    // The refused value left the setting alone.
    assert_eq!(app.status(Utc::now()).unwrap()[0].sync_interval_minutes, None);
}

#[tokio::test]
async fn a_rejected_credential_is_not_retried_on_a_schedule() {
    let sandbox = lever(Faults { expire_credential_after: Some(8), ..Faults::default() }).await;
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let id = connect(&app, &sandbox, "Expiring Lever").await;

    let SyncOutcome::Ran(report) = app.sync(id, false, talentdeck::model::Trigger::Scheduled, &|_| {}).await.unwrap()
    else {
        panic!("joined")
    };
    assert!(report.error.is_some(), "the sandbox revoked the key mid-sync");
    let status = app.status(Utc::now()).unwrap().remove(0);
    assert_eq!(status.state, ConnectionState::NeedsReconnect);
    assert_eq!(status.next_sync_at, None);
    assert!(app.due_for_sync(Utc::now() + Duration::days(1)).unwrap().is_empty());
}

#[test]
fn the_cli_sets_the_interval_and_status_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let sandbox = rt.block_on(lever(Faults::default()));
    {
        let app = App::open(dir.path()).unwrap();
        rt.block_on(connect(&app, &sandbox, "Cli Lever"));
    }
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_talentdeck"))
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["schedule", "Cli Lever", "--every", "30"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("every 30 minutes"));
    let out = run(&["status", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["sync_interval_minutes"], 30);

    let out = run(&["schedule", "Cli Lever", "--every", "2"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("talentdeck: ") && err.contains("5 to 10080"), "{err}");
}

/// The runner both front doors keep running (`talentdeck run` headless, the window's shell): a
/// connection that is due syncs on the first tick, as a scheduled run, with its files fetched
/// after it, and the observer hears the state change and the new data.
#[tokio::test]
async fn the_runner_syncs_what_is_due_and_tells_its_observer() {
    use std::sync::{Arc, Mutex};
    use talentdeck::model::Trigger;
    use talentdeck::runner::{Observer, Runner};

    #[derive(Default)]
    struct Heard {
        states: Mutex<Vec<ConnectionState>>,
        models: Mutex<Vec<i64>>,
    }
    impl Observer for Heard {
        fn status_changed(&self, app: &App) {
            let states = app.status(Utc::now()).unwrap().into_iter().map(|s| s.state);
            self.states.lock().unwrap().extend(states);
        }
        fn models_changed(&self, connection_id: i64) {
            self.models.lock().unwrap().push(connection_id);
        }
    }

    let sandbox = lever(Faults::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(dir.path()).unwrap());
    let id = connect(&app, &sandbox, "Runner Lever").await;
    let heard = Arc::new(Heard::default());
    let running = tokio::spawn(Runner::new(app.clone(), heard.clone()).run(None));

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let last = loop {
        let last = app.status(Utc::now()).unwrap().remove(0).last_run;
        if last.as_ref().is_some_and(|r| r.finished_at.is_some()) || std::time::Instant::now() > deadline {
            break last.expect("the due connection synced on the first tick");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    running.abort();
    assert_eq!(last.trigger, Trigger::Scheduled);
    assert!(last.error.is_none(), "{:?}", last.error);
    assert!(heard.states.lock().unwrap().contains(&ConnectionState::Syncing), "the observer saw the run start");
    assert!(heard.models.lock().unwrap().contains(&id), "the observer heard the new data");
    assert_eq!(app.search_talents(Some(id), "", 100).unwrap().len(), 40, "the sandbox's talents arrived");
}

/// A sync lands pages many times a second; the window reloads what it shows on every
/// `models_changed`, so the runner tells it at most every `MODELS_EVERY` while the run lasts — and
/// always once more when the run ends, with every record already stored.
#[tokio::test]
async fn the_runner_tells_of_new_data_at_a_pace_the_window_can_follow_and_always_at_the_end() {
    use std::sync::{Arc, Mutex};
    use talentdeck::model::Trigger;
    use talentdeck::runner::{Observer, Runner, MODELS_EVERY};

    /// The talents the window would list at each `models_changed`.
    struct Listed {
        app: Mutex<Option<Arc<App>>>,
        seen: Mutex<Vec<i64>>,
    }
    impl Observer for Listed {
        fn status_changed(&self, _: &App) {}
        fn models_changed(&self, connection_id: i64) {
            let app = self.app.lock().unwrap().clone().unwrap();
            let status = app.status(Utc::now()).unwrap().into_iter().find(|s| s.id == connection_id).unwrap();
            let n = status.counts.iter().find(|c| c.resource == "talents").map_or(0, |c| c.count);
            self.seen.lock().unwrap().push(n);
        }
    }

    let mut cfg = SandboxConfig::new(Provider::Lever);
    cfg.talents = 1_500;
    let sandbox = Sandbox::start(cfg).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(App::open(dir.path()).unwrap());
    let id = connect(&app, &sandbox, "Busy Lever").await;
    let listed = Arc::new(Listed { app: Mutex::new(Some(app.clone())), seen: Mutex::new(vec![]) });

    let started = std::time::Instant::now();
    Runner::new(app.clone(), listed.clone()).sync(id, true, Trigger::Manual).await;
    let took = started.elapsed();
    let seen = listed.seen.lock().unwrap().clone();
    let pages = app.runs(Some(id), 1).unwrap().remove(0).resources.iter().map(|r| r.counts.pages).sum::<u64>();

    assert!(pages >= 20, "the run landed many pages ({pages})");
    // One per started window of MODELS_EVERY, one at the run's end, one after its file step.
    let allowed = (took.as_secs_f64() / MODELS_EVERY.as_secs_f64()).ceil() as usize + 2;
    assert!(seen.len() <= allowed, "{} reloads in {took:?} for {pages} pages: {seen:?}", seen.len());
    assert_eq!(seen.last(), Some(&1_500), "the last reload shows every talent: {seen:?}");
}
