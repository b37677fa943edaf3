//! The talent profile (`Store::talent_profile`, `App::talent_notes`, `App::ats_url`): what a
//! recruiter reads about one person. A hand-made store pins the rules (two applications, the
//! timeline's days, an unmapped stage, a rejection reason, custom fields under the ATS's names);
//! the sandbox ATS over real HTTP on 127.0.0.1 checks notes are read, cached, and still served
//! when the ATS goes unreachable, per provider, and that a synced profile agrees with the ATS.
//!
//! The sandbox tests keep their secret in the OS keychain: run inside a private D-Bus session
//! with an unlocked throwaway gnome-keyring, as test.sh does.

#[macro_use]
mod common;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use talentdeck::app::{App, ConnectInput, SyncOutcome};
use talentdeck::error::Error;
use talentdeck::model::{
    Application, ApplicationStatus, Job, JobStatus, Provider, RejectionReason, Stage, StageChange, Talent,
};
use talentdeck::sandbox::{Sandbox, SandboxConfig, SandboxInfo};
use talentdeck::store::{Batch, ExportKind, NewConnection, Store};

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, 9, 0, 0).unwrap()
}

/// Ada applied to two jobs: Rust Engineer (Application Review 1→3, Phone Screen 3→, now day 10)
/// and Designer (rejected in Portfolio, an unmapped name).
fn seeded() -> (tempfile::TempDir, Store, i64, i64) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open_dir(dir.path()).unwrap();
    let new = NewConnection {
        name: "Acme".into(),
        provider: Provider::Greenhouse,
        base_url: "http://127.0.0.1:1/v3".into(),
        auth_url: None,
        settings: Default::default(),
        sandbox: false,
    };
    let cid = store.create_connection(&new, day(1)).unwrap().id;
    let job = |id: &str, title: &str| Job {
        remote_id: id.into(),
        title: title.into(),
        status: JobStatus::Open,
        department: None,
        location: None,
        updated_at: day(1),
        extra: json!({}).into(),
        details: None,
    };
    let stage = |id: &str, job: &str, name: &str, position| Stage {
        remote_id: id.into(),
        job_remote_id: Some(job.into()),
        name: name.into(),
        position,
        ats_type: None,
    };
    let app = |id: &str, job: &str, stage: &str, name: &str, status, extra: serde_json::Value| Application {
        remote_id: id.into(),
        talent_remote_id: "77".into(),
        job_remote_id: Some(job.into()),
        stage_remote_id: Some(stage.into()),
        stage_name: Some(name.into()),
        status,
        updated_at: day(5),
        extra: extra.into(),
    };
    let stay = |app: &str, stage: &str, name: Option<&str>, entered: u32, exited: Option<u32>| StageChange {
        application_remote_id: app.into(),
        stage_remote_id: stage.into(),
        stage_name: name.map(str::to_string),
        entered_at: day(entered),
        exited_at: exited.map(day),
    };
    let batch = Batch {
        jobs: vec![job("1", "Rust Engineer"), job("2", "Designer")],
        stages: vec![
            stage("11", "1", "Application Review", 0),
            stage("12", "1", "Phone Screen", 1),
            stage("21", "2", "Portfolio", 0),
        ],
        talents: vec![Talent {
            remote_id: "77".into(),
            name: "Ada <script>alert(1)</script> Lovelace".into(),
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            emails: vec!["ada@example.com".into(), "ada.work@example.org".into()],
            phones: vec!["+44 20 7946 0000".into()],
            company: Some("Analytical Engines".into()),
            title: Some("Engineer".into()),
            tags: vec!["referral".into()],
            updated_at: day(4),
            extra: json!({ "custom_fields": {
                "notice": { "name": "Notice period", "type": "short_text", "value": "3 months" },
                "unused": { "name": "Unused", "type": "short_text", "value": null },
            }})
            .into(),
        }],
        applications: vec![
            app(
                "a1",
                "1",
                "12",
                "Phone Screen",
                ApplicationStatus::Active,
                json!({ "source": { "id": 5, "public_name": "LinkedIn" } }),
            ),
            app("a2", "2", "21", "Portfolio", ApplicationStatus::Rejected, json!({ "rejection_reason_id": "9" })),
        ],
        stage_history: vec![
            // No name in the history: the job's stage gives it.
            stay("a1", "11", None, 1, Some(3)),
            stay("a1", "12", Some("Phone Screen"), 3, None),
            stay("a2", "21", Some("Portfolio"), 2, Some(6)),
        ],
        ..Batch::default()
    };
    store.write_batch(cid, &batch, None, day(6)).unwrap();
    store
        .replace_reasons(cid, &[RejectionReason { remote_id: "9".into(), name: "Lacking skills".into() }], day(6))
        .unwrap();
    let screen = store.pipeline_stage("Screen").unwrap();
    store.set_mapping(cid, None, "Phone Screen", Some(screen.id), false, "ada", day(6)).unwrap();
    let tid = store.talent_id(cid, "77").unwrap();
    (dir, store, cid, tid)
}

#[test]
fn a_profile_shows_both_applications_with_their_timelines_mapped_and_unmapped_stages() {
    let (_dir, store, _cid, tid) = seeded();
    let p = store.talent_profile(tid, day(10)).unwrap();
    assert_eq!(p.name, "Ada <script>alert(1)</script> Lovelace", "the name is kept as text, markup and all");
    assert_eq!((p.title.as_deref(), p.company.as_deref()), (Some("Engineer"), Some("Analytical Engines")));
    assert_eq!(p.emails, ["ada@example.com", "ada.work@example.org"], "every address, in the ATS's order");
    assert_eq!(p.phones, ["+44 20 7946 0000"]);
    assert_eq!(p.updated_at, day(4), "when the ATS last changed the record");
    assert_eq!(p.custom_fields.len(), 1, "empty custom fields are left out: {:?}", p.custom_fields);
    assert_eq!((p.custom_fields[0].label.as_str(), p.custom_fields[0].value.as_str()), ("Notice period", "3 months"));
    assert_eq!(p.source.as_deref(), Some("LinkedIn"), "the talent has none of its own: its application's");
    assert!(p.has_ats_page);

    assert_eq!(p.applications.len(), 2);
    let rust = p.applications.iter().find(|a| a.remote_id == "a1").unwrap();
    assert_eq!(rust.job_title.as_deref(), Some("Rust Engineer"));
    assert_eq!(rust.ats_stage.as_deref(), Some("Phone Screen"));
    assert_eq!(rust.stage.as_deref(), Some("Screen"), "through the connection's mapping, as on the board");
    let timeline: Vec<(&str, i64, bool)> =
        rust.timeline.iter().map(|s| (s.stage.as_str(), s.days, s.exited_at.is_none())).collect();
    assert_eq!(
        timeline,
        [("Application Review", 2, false), ("Phone Screen", 7, true)],
        "oldest first; the current stay runs to now"
    );

    let design = p.applications.iter().find(|a| a.remote_id == "a2").unwrap();
    assert_eq!(design.status, ApplicationStatus::Rejected);
    assert_eq!(design.stage.as_deref(), Some("Rejected"), "a rejection shows in Rejected whatever its stage");
    assert_eq!(design.rejection_reason.as_deref(), Some("Lacking skills"), "the reason's name, not its id");
    assert_eq!(design.timeline[0].days, 4);
}

#[test]
fn an_active_application_in_an_unmapped_stage_has_no_talentdeck_stage() {
    let (_dir, mut store, cid, tid) = seeded();
    let screen = store.pipeline_stage("Screen").unwrap();
    store.set_mapping(cid, None, "Phone Screen", None, false, "ada", day(6)).unwrap();
    let p = store.talent_profile(tid, day(10)).unwrap();
    let rust = p.applications.iter().find(|a| a.remote_id == "a1").unwrap();
    assert_eq!((rust.ats_stage.as_deref(), rust.stage.as_deref()), (Some("Phone Screen"), None), "unmapped");
    // A job's override wins over the connection-wide mapping, as on the board.
    store.set_mapping(cid, Some("1"), "Phone Screen", Some(screen.id), false, "ada", day(6)).unwrap();
    let p = store.talent_profile(tid, day(10)).unwrap();
    assert_eq!(p.applications.iter().find(|a| a.remote_id == "a1").unwrap().stage.as_deref(), Some("Screen"));
}

#[test]
fn ats_addresses_are_built_from_the_record_and_only_for_its_own_applications() {
    let (_dir, store, _cid, tid) = seeded();
    assert_eq!(store.ats_url(tid, None).unwrap(), "https://app.greenhouse.io/people/77");
    assert_eq!(store.ats_url(tid, Some("a2")).unwrap(), "https://app.greenhouse.io/people/77?application_id=a2");
    assert!(matches!(store.ats_url(tid, Some("someone-elses")), Err(Error::NotFound(_))));
    assert!(matches!(store.talent_profile(tid + 1000, day(10)), Err(Error::NotFound(_))));
}

// ---- over HTTP, per provider ----

const NAME: &str = "Profile test";
/// Markup, quotes and non-ASCII: a note is shown as the ATS holds it.
const NOTE: &str = "<b>Strong</b> candidate & \"team player\" — Zoë 日本語";

fn connect_input(info: &SandboxInfo) -> ConnectInput {
    ConnectInput::for_sandbox(info, NAME)
}

async fn synced(provider: Provider) -> (Sandbox, App, i64, tempfile::TempDir) {
    let mut cfg = SandboxConfig::new(provider);
    cfg.talents = 40;
    let sb = Sandbox::start(cfg).await.expect("the sandbox starts");
    let dir = tempfile::tempdir().unwrap();
    // About the profile, not the keychain: credentials stay in memory (no D-Bus needed).
    let memory = talentdeck::vault::Vault::in_memory();
    let app = App::open_with_vault(dir.path(), memory).unwrap();
    let id = app.connect(connect_input(sb.info()), Utc::now()).await.expect("connects").id;
    match app.sync(id, false, talentdeck::model::Trigger::Manual, &|_| {}).await.expect("the sync runs") {
        SyncOutcome::Ran(r) => assert!(r.error.is_none(), "sync failed: {:?}", r.error),
        SyncOutcome::Joined => {}
    }
    (sb, app, id, dir)
}

for_each_provider!(
    notes_are_read_cached_and_served_stale_when_the_ats_is_unreachable,
    a_synced_profile_agrees_with_the_ats
);

async fn notes_are_read_cached_and_served_stale_when_the_ats_is_unreachable(provider: Provider) {
    let (sb, app, id, _dir) = synced(provider).await;
    let apps = sb.expected(ExportKind::Applications);
    let talent = apps[0]["talent_remote_id"].as_str().unwrap().to_string();
    let tid = app.store_for_tests().talent_id(id, &talent).unwrap();

    let never = app.talent_notes(tid, false, Utc::now()).await.unwrap();
    assert!(never.notes.is_empty() && never.fetched_at.is_none() && !never.stale, "nothing read yet: {never:?}");

    app.note(Some(id), &talent, NOTE, Utc::now()).expect("the note is queued");
    let pushed = app.push(id).await.unwrap();
    assert_eq!(pushed.sent, 1, "{pushed:?}");
    let fresh = app.talent_notes(tid, true, Utc::now()).await.unwrap();
    assert!(!fresh.stale && fresh.error.is_none() && fresh.fetched_at.is_some(), "{fresh:?}");
    let note = fresh.notes.iter().find(|n| n.body == NOTE).expect("the ATS's note, byte for byte");
    assert!(note.created_at.is_some(), "every provider sends when a note was written");
    // The cache answers without asking the ATS.
    assert_eq!(app.talent_notes(tid, false, Utc::now()).await.unwrap().notes, fresh.notes);

    sb.go_unreachable();
    let offline = app.talent_notes(tid, true, Utc::now()).await.expect("an unreachable ATS is not an error here");
    assert!(offline.stale, "marked as the cached copy: {offline:?}");
    assert!(offline.error.is_some(), "with the reason");
    assert_eq!(offline.notes, fresh.notes, "the notes read before are still shown");
    assert_eq!(offline.fetched_at, fresh.fetched_at, "and say when they were read");
    // The rest of the profile is local: it opens offline too.
    assert_eq!(app.talent_profile(tid, Utc::now()).unwrap().remote_id, talent);
    sb.come_back();
}

async fn a_synced_profile_agrees_with_the_ats(provider: Provider) {
    let (sb, app, id, _dir) = synced(provider).await;
    let apps = sb.expected(ExportKind::Applications);
    let talents = sb.expected(ExportKind::Talents);
    // The talent with the most applications (two or more where the sandbox has one).
    let mut best = (String::new(), 0);
    for t in &talents {
        let rid = t["remote_id"].as_str().unwrap();
        let n = apps.iter().filter(|a| a["talent_remote_id"] == rid).count();
        if n > best.1 {
            best = (rid.to_string(), n);
        }
    }
    let (talent, n) = best;
    let record = talents.iter().find(|t| t["remote_id"] == talent.as_str()).unwrap();
    let tid = app.store_for_tests().talent_id(id, &talent).unwrap();
    let p = app.talent_profile(tid, Utc::now()).unwrap();
    assert_eq!(p.name, record["name"].as_str().unwrap());
    assert_eq!(serde_json::to_value(&p.emails).unwrap(), record["emails"]);
    assert_eq!(p.applications.len(), n);
    for a in &p.applications {
        let ats = apps.iter().find(|x| x["remote_id"] == a.remote_id.as_str()).expect("an application the ATS has");
        assert_eq!(a.ats_stage.as_deref(), ats["stage_name"].as_str(), "application {}", a.remote_id);
        assert_eq!(a.status.as_str(), ats["status"].as_str().unwrap());
        assert!(a.job_remote_id.is_none() || a.job_title.is_some(), "a job's title is shown: {a:?}");
        for w in a.timeline.windows(2) {
            assert!(w[0].entered_at <= w[1].entered_at, "oldest first");
        }
    }
    assert!(n >= 2, "the sandbox has a talent with two applications (found {n})");
    // Connected by address (not as "Try with a sandbox"), so addresses are the provider's web app.
    assert!(p.has_ats_page);
    let url = app.ats_url(tid, None).unwrap();
    let expected = match provider {
        Provider::Greenhouse => format!("https://app.greenhouse.io/people/{talent}"),
        // The candidate's page is their most recently updated opportunity's.
        Provider::Lever => format!(
            "https://hire.lever.co/candidates/{}",
            app.store_for_tests().latest_application(id, &talent).unwrap().unwrap()
        ),
        Provider::Ashby => format!("https://app.ashbyhq.com/candidates/{talent}"),
    };
    assert_eq!(url, expected);
    let first = &p.applications[0].remote_id;
    assert!(app.ats_url(tid, Some(first)).unwrap().starts_with(&expected[..expected.rfind('/').unwrap()]));
}
