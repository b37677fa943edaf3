//! Two-way sync end to end, per provider: changes a recruiter makes in Talentdeck (moves,
//! rejections, notes) queued in the outbox and pushed to the in-process sandbox ATS over real
//! HTTP on 127.0.0.1, through the same `App` core the CLI and the window use. What the sandbox
//! holds afterwards is the measure throughout.
//!
//! Connections keep their secret in the OS keychain: run inside a private D-Bus session with an
//! unlocked throwaway gnome-keyring, as test.sh does.

#[macro_use]
mod common;

use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::Utc;
use common::assert_export_matches;
use serde_json::Value;
use talentdeck::app::{App, ConnectInput, MoveTarget, SyncOutcome};
use talentdeck::error::Error;
use talentdeck::model::{ConnectionState, OutboxState, Provider};
use talentdeck::sandbox::{Faults, Sandbox, SandboxConfig, SandboxInfo};
use talentdeck::store::{ExportKind, Resolution};

const NAME: &str = "Two-way test";
const TALENTS: usize = 300;
/// Markup, an ampersand, quotes and non-ASCII: a note must arrive byte for byte.
const NOTE: &str = "<b>Strong</b> candidate & \"team player\" — Zoë 日本語 👍";

struct Env {
    sb: Sandbox,
    app: App,
    id: i64,
    dir: tempfile::TempDir,
}

fn connect_input(info: &SandboxInfo) -> ConnectInput {
    ConnectInput::for_sandbox(info, NAME)
}

/// A connected, synced data folder (mappings suggested by the first sync) on a fresh sandbox.
async fn env(provider: Provider, faults: Faults) -> Env {
    let mut cfg = SandboxConfig::new(provider);
    cfg.talents = TALENTS;
    cfg.faults = faults;
    let sb = Sandbox::start(cfg).await.expect("the sandbox starts");
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let id = app.connect(connect_input(sb.info()), Utc::now()).await.expect("connects").id;
    let env = Env { sb, app, id, dir };
    env.sync().await;
    env
}

impl Env {
    async fn sync(&self) {
        match self.app.sync(self.id, false, talentdeck::model::Trigger::Manual, &|_| {}).await.expect("the sync runs") {
            SyncOutcome::Ran(r) => assert!(r.error.is_none(), "sync failed: {:?}", r.error),
            SyncOutcome::Joined => {}
        }
    }

    /// What the sandbox holds for each application, by remote id.
    fn ats_apps(&self) -> HashMap<String, Value> {
        self.sb
            .expected(ExportKind::Applications)
            .into_iter()
            .map(|a| (a["remote_id"].as_str().unwrap().to_string(), a))
            .collect()
    }

    /// Up to `n` active applications in a job's pipeline, each with a different stage of the
    /// same pipeline to move it to (not a terminal stage: Ashby's Hired/Archived need more).
    fn movable(&self, n: usize) -> Vec<(String, String)> {
        let stages = self.sb.expected(ExportKind::Stages);
        let mut out = Vec::new();
        let mut apps: Vec<Value> = self.ats_apps().into_values().collect();
        apps.sort_by(|a, b| a["remote_id"].as_str().cmp(&b["remote_id"].as_str()));
        for a in apps {
            if a["status"] != "active" || a["stage_remote_id"].is_null() {
                continue;
            }
            let target = stages.iter().find(|s| {
                (s["job_remote_id"] == a["job_remote_id"] || s["job_remote_id"].is_null())
                    && s["remote_id"] != a["stage_remote_id"]
                    && !matches!(s["name"].as_str(), Some("Hired" | "Archived"))
            });
            if let Some(t) = target {
                out.push((a["remote_id"].as_str().unwrap().to_string(), t["remote_id"].as_str().unwrap().to_string()));
            }
            if out.len() == n {
                break;
            }
        }
        assert!(out.len() == n, "the sandbox has only {} movable applications", out.len());
        out
    }

    fn queue_moves(&self, moves: &[(String, String)]) {
        for (app, to) in moves {
            self.app
                .move_application(Some(self.id), app, &MoveTarget::Ats(to.clone()), Utc::now())
                .expect("the move is queued");
        }
    }

    fn outbox_states(&self) -> HashMap<OutboxState, usize> {
        let mut m = HashMap::new();
        for r in self.app.outbox(Some(self.id)).unwrap() {
            *m.entry(r.state).or_default() += 1;
        }
        m
    }

    fn assert_at_targets(&self, moves: &[(String, String)]) {
        let ats = self.ats_apps();
        for (app, to) in moves {
            assert_eq!(ats[app]["stage_remote_id"].as_str(), Some(to.as_str()), "application {app} in the ATS");
        }
    }
}

fn count(states: &HashMap<OutboxState, usize>, s: OutboxState) -> usize {
    states.get(&s).copied().unwrap_or(0)
}

for_each_provider!(
    moves_rejections_and_notes_reach_the_ats_and_a_pull_agrees,
    queued_offline_survive_a_restart_and_go_out_when_the_ats_is_back,
    a_lost_answer_ends_sent_and_is_applied_once,
    an_ats_side_move_is_a_conflict_and_both_resolutions_do_what_they_say,
    a_target_stage_nothing_maps_to_is_refused_and_nothing_is_queued,
    without_write_permission_the_connection_says_so_and_keeps_the_rows,
    a_push_killed_midway_loses_and_duplicates_nothing,
);

async fn moves_rejections_and_notes_reach_the_ats_and_a_pull_agrees(provider: Provider) {
    let env = env(provider, Faults::default()).await;
    let moves = env.movable(101);
    let (reject, moves) = moves.split_last().unwrap();
    env.queue_moves(moves);
    // The change shows at once, before any push.
    let view = env.app.store_for_tests().application_view(env.id, &moves[0].0).unwrap();
    assert_eq!(view.stage_remote_id.as_deref(), Some(moves[0].1.as_str()));
    assert!(view.pending);

    let reason = env.app.reasons(env.id).unwrap().into_iter().next().expect("the first sync stored rejection reasons");
    // By name, case-insensitive.
    env.app.reject(Some(env.id), &reject.0, &reason.name.to_uppercase(), Utc::now()).expect("the rejection is queued");
    let talent = env.ats_apps()[&moves[1].0]["talent_remote_id"].as_str().unwrap().to_string();
    env.app.note(Some(env.id), &talent, NOTE, Utc::now()).expect("the note is queued");

    let report = env.app.push(env.id).await.unwrap();
    assert!(report.stopped.is_none(), "{:?}", report.stopped);
    assert_eq!((report.sent, report.conflicts, report.failed, report.waiting), (102, 0, 0, 0));
    env.assert_at_targets(moves);
    assert_eq!(env.ats_apps()[&reject.0]["status"], "rejected");
    assert_eq!(env.sb.notes_of(&talent).iter().filter(|n| *n == NOTE).count(), 1, "the note arrived once, exactly");
    assert_eq!(count(&env.outbox_states(), OutboxState::Sent), 102);

    // A pull after all this equals the sandbox's data, and nothing is left to reconcile.
    env.sync().await;
    assert_export_matches(&env.app, NAME, &env.sb);
    assert_eq!(count(&env.outbox_states(), OutboxState::Conflict), 0);
}

async fn queued_offline_survive_a_restart_and_go_out_when_the_ats_is_back(provider: Provider) {
    let env = env(provider, Faults::default()).await;
    let moves = env.movable(100);
    env.sb.go_unreachable();
    env.queue_moves(&moves);
    let report = env.app.push(env.id).await.unwrap();
    assert!(matches!(report.stopped, Some(Error::Unreachable(_))), "{:?}", report.stopped);
    assert_eq!(report.waiting, 100);
    let Env { sb, app, id, dir } = env;
    drop(app); // the app quits with 100 changes queued
    sb.come_back();
    let app = App::open(dir.path()).unwrap();
    let env = Env { sb, app, id, dir };
    assert_eq!(count(&env.outbox_states(), OutboxState::Pending), 100, "the queue survived the restart");
    let report = env.app.push(env.id).await.unwrap();
    assert_eq!((report.sent, report.conflicts, report.failed, report.waiting), (100, 0, 0, 0), "{:?}", report.stopped);
    env.assert_at_targets(&moves);
}

async fn a_lost_answer_ends_sent_and_is_applied_once(provider: Provider) {
    let env = env(provider, Faults::default()).await;
    let moves = env.movable(2);
    let talent = env.ats_apps()[&moves[0].0]["talent_remote_id"].as_str().unwrap().to_string();
    env.app.note(Some(env.id), &talent, NOTE, Utc::now()).unwrap();
    env.queue_moves(&moves);
    // The ATS applies the note and then its answer is lost; on the next push, the first move's.
    env.sb.lose_answers(1);
    let first = env.app.push(env.id).await.unwrap();
    assert!(first.stopped.is_some(), "a lost answer stops the push: {first:?}");
    env.sb.lose_answers(1);
    let _ = env.app.push(env.id).await.unwrap();
    let last = env.app.push(env.id).await.unwrap();
    assert!(last.stopped.is_none(), "{:?}", last.stopped);
    let states = env.outbox_states();
    assert_eq!(count(&states, OutboxState::Sent), 3, "{states:?}");
    env.assert_at_targets(&moves);
    assert_eq!(env.sb.notes_of(&talent).iter().filter(|n| *n == NOTE).count(), 1, "one copy of the note in the ATS");
    assert!(env.app.outbox(Some(env.id)).unwrap().iter().all(|r| r.attempts >= 1));
}

async fn an_ats_side_move_is_a_conflict_and_both_resolutions_do_what_they_say(provider: Provider) {
    let env = env(provider, Faults::default()).await;
    let stages = env.sb.expected(ExportKind::Stages);
    let picks = env.movable(3);
    // For each pick, another stage of its pipeline, where someone in the ATS moves it.
    let ats_moves: Vec<String> = picks
        .iter()
        .map(|(app, to)| {
            let a = &env.ats_apps()[app];
            stages
                .iter()
                .find(|s| {
                    (s["job_remote_id"] == a["job_remote_id"] || s["job_remote_id"].is_null())
                        && s["remote_id"] != a["stage_remote_id"]
                        && s["remote_id"].as_str() != Some(to.as_str())
                        && !matches!(s["name"].as_str(), Some("Hired" | "Archived"))
                })
                .expect("a pipeline with three stages")["remote_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    // Two are found by the push (Greenhouse refuses the stale move; the others are read first).
    env.queue_moves(&picks[..2]);
    for ((app, _), ats) in picks.iter().zip(&ats_moves).take(2) {
        env.sb.move_application(app, ats).expect("someone moves it in the ATS");
    }
    let report = env.app.push(env.id).await.unwrap();
    assert_eq!((report.conflicts, report.sent), (2, 0), "{report:?}");
    let rows = env.app.outbox(Some(env.id)).unwrap();
    for (r, ats) in rows.iter().zip(&ats_moves) {
        assert_eq!(r.state, OutboxState::Conflict);
        assert_eq!(r.ats_stage.as_deref(), Some(ats.as_str()), "the conflict names what the ATS holds");
    }
    // The ATS kept its stages: nothing was overwritten.
    for ((app, _), ats) in picks.iter().zip(&ats_moves).take(2) {
        assert_eq!(env.ats_apps()[app]["stage_remote_id"].as_str(), Some(ats.as_str()));
    }
    // The third is found by a pull: moved in the ATS while the local move waited.
    env.queue_moves(&picks[2..]);
    env.sb.move_application(&picks[2].0, &ats_moves[2]).unwrap();
    env.sync().await;
    let third = env
        .app
        .outbox(Some(env.id))
        .unwrap()
        .into_iter()
        .find(|r| r.application_remote_id.as_deref() == Some(&picks[2].0));
    let third = third.unwrap();
    assert_eq!((third.state, third.ats_stage.as_deref()), (OutboxState::Conflict, Some(ats_moves[2].as_str())));
    assert_eq!(env.ats_apps()[&picks[2].0]["stage_remote_id"].as_str(), Some(ats_moves[2].as_str()));

    // Keep the ATS's: the row is dropped and Talentdeck shows the ATS's stage.
    env.app.resolve(rows[0].id, Resolution::KeepAts, Utc::now()).unwrap();
    // Apply mine: queued again against the ATS's current stage, and pushed.
    env.app.resolve(rows[1].id, Resolution::ApplyMine, Utc::now()).unwrap();
    let report = env.app.push(env.id).await.unwrap();
    assert_eq!(report.sent, 1, "{report:?}");
    let view = env.app.store_for_tests().application_view(env.id, &picks[0].0).unwrap();
    assert_eq!(view.stage_remote_id.as_deref(), Some(ats_moves[0].as_str()));
    assert!(!view.pending);
    assert_eq!(env.ats_apps()[&picks[0].0]["stage_remote_id"].as_str(), Some(ats_moves[0].as_str()));
    assert_eq!(env.ats_apps()[&picks[1].0]["stage_remote_id"].as_str(), Some(picks[1].1.as_str()));
}

async fn a_target_stage_nothing_maps_to_is_refused_and_nothing_is_queued(provider: Provider) {
    let env = env(provider, Faults::default()).await;
    env.app.add_pipeline_stage("Assessment", Some("Screen")).unwrap();
    let (app, _) = env.movable(1).remove(0);
    let err = env
        .app
        .move_application(Some(env.id), &app, &MoveTarget::Pipeline("Assessment".into()), Utc::now())
        .unwrap_err();
    assert!(matches!(err, Error::Validation(_)), "{err:?}");
    assert!(err.to_string().contains("Assessment") && err.to_string().contains("mapping set"), "actionable: {err}");
    assert!(env.app.outbox(Some(env.id)).unwrap().is_empty(), "nothing queued");
    // Once a stage of its pipeline maps there, the same move is accepted and lands there.
    let a = env.ats_apps()[&app].clone();
    let target = env
        .sb
        .expected(ExportKind::Stages)
        .into_iter()
        .find(|s| {
            (s["job_remote_id"] == a["job_remote_id"] || s["job_remote_id"].is_null())
                && s["name"] != a["stage_name"]
                && !matches!(s["name"].as_str(), Some("Hired" | "Archived"))
        })
        .unwrap();
    let job = a["job_remote_id"].as_str();
    env.app.set_mapping(env.id, target["name"].as_str().unwrap(), "Assessment", job, Utc::now()).unwrap();
    let row =
        env.app.move_application(Some(env.id), &app, &MoveTarget::Pipeline("assessment".into()), Utc::now()).unwrap();
    assert_eq!(row.to_stage.as_deref(), target["remote_id"].as_str());
    env.app.push(env.id).await.unwrap();
    assert_eq!(env.ats_apps()[&app]["stage_remote_id"], target["remote_id"]);
    // And the mapping edit can be undone.
    let undone = env.app.undo_mapping(env.id, Utc::now()).unwrap();
    assert_eq!(undone.after.as_deref(), Some("Assessment"));
}

async fn without_write_permission_the_connection_says_so_and_keeps_the_rows(provider: Provider) {
    let scope = match provider {
        Provider::Greenhouse => "harvest:applications:move",
        Provider::Lever => "opportunities:write:admin",
        Provider::Ashby => "candidatesWrite",
    };
    let env = env(provider, Faults::default()).await;
    let moves = env.movable(3);
    env.queue_moves(&moves);
    env.sb.deny_scopes(&[scope]);
    let report = env.app.push(env.id).await.unwrap();
    assert!(matches!(report.stopped, Some(Error::PermissionDenied(_))), "{:?}", report.stopped);
    assert_eq!(env.app.store_for_tests().connection(env.id).unwrap().state, ConnectionState::PermissionDenied);
    assert_eq!(count(&env.outbox_states(), OutboxState::Pending), 3, "the rows are kept");
    let ats = env.ats_apps();
    for (app, to) in &moves {
        assert_ne!(ats[app]["stage_remote_id"].as_str(), Some(to.as_str()), "nothing was applied");
    }
}

async fn a_push_killed_midway_loses_and_duplicates_nothing(provider: Provider) {
    let faults = Faults { latency: Duration::from_millis(40), ..Faults::default() };
    let env = env(provider, faults).await;
    let moves = env.movable(40);
    env.queue_moves(&moves);
    // Ten different talents (a talent may have several of the applications moved).
    let mut talents: Vec<String> =
        moves.iter().map(|(app, _)| env.ats_apps()[app]["talent_remote_id"].as_str().unwrap().to_string()).collect();
    talents.sort();
    talents.dedup();
    talents.truncate(10);
    let notes = talents.len();
    for t in &talents {
        env.app.note(Some(env.id), t, NOTE, Utc::now()).unwrap();
    }
    // `talentdeck push` in its own process, killed (SIGKILL) while it is sending.
    let mut child = Command::new(env!("CARGO_BIN_EXE_talentdeck"))
        .args(["push", NAME, "--data-dir"])
        .arg(env.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    loop {
        let sent = count(&env.outbox_states(), OutboxState::Sent);
        if sent >= 5 || start.elapsed() > Duration::from_secs(60) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let states = env.outbox_states();
    assert!(count(&states, OutboxState::Pending) > 0, "killed before the end: {states:?}");
    // A row the killed process held is leased for two minutes; a restarted app takes it after.
    env.app.store_for_tests().raw().execute("UPDATE outbox SET lease_until = NULL", []).unwrap();
    let report = env.app.push(env.id).await.unwrap();
    assert!(report.stopped.is_none(), "{:?}", report.stopped);
    let states = env.outbox_states();
    assert_eq!(count(&states, OutboxState::Sent), 40 + notes, "every change sent, none in conflict: {states:?}");
    env.assert_at_targets(&moves);
    for t in &talents {
        assert_eq!(env.sb.notes_of(t).iter().filter(|n| *n == NOTE).count(), 1, "one copy of the note on {t}");
    }
}

/// Ground truth for the sandbox's stage names: where a recruiter would map each in
/// Talentdeck's default pipeline.
fn intended(ats_stage: &str) -> &'static str {
    match ats_stage {
        "Lead" | "New lead" | "Reached out" | "Responded" => "Sourced",
        "Application Review" | "New applicant" | "Recruiter screen" | "Recruiter Screen" => "Screen",
        "Offer" => "Offer",
        "Hired" => "Hired",
        "Archived" => "Rejected",
        _ => "Interview",
    }
}

/// How many of the sandbox's stage names the first sync's suggestion maps the way a recruiter
/// would, by itself (the goal: at least 90 %).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_sync_suggests_a_mapping_for_every_stage_and_gets_nine_in_ten_right() {
    let (mut right, mut all) = (0, 0);
    for provider in Provider::ALL {
        let env = env(provider, Faults::default()).await;
        for m in env.app.mappings(env.id, None).unwrap() {
            all += 1;
            let got = m.stage.as_deref().unwrap_or("unmapped");
            assert!(m.suggested, "{}: {} is marked as a suggestion", provider, m.ats_stage);
            if got == intended(&m.ats_stage) {
                right += 1;
            } else {
                eprintln!(
                    "suggestion: {provider}: {:?} → {got}, a recruiter would say {}",
                    m.ats_stage,
                    intended(&m.ats_stage)
                );
            }
        }
    }
    eprintln!("suggestion: {right} of {all} stage names mapped as a recruiter would");
    assert!(right * 10 >= all * 9, "{right} of {all} right");
}
