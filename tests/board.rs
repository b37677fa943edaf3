//! A job's board cards (`Store::board_cards`): Talentdeck stage through the mapping in force,
//! queued changes applied at once, time in stage, and the outbox badge.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use talentdeck::model::{
    Application, ApplicationStatus, BoardCard, Job, JobStatus, OutboxState, Provider, Stage, StageChange, Talent,
};
use talentdeck::store::{Batch, NewConnection, Resolution, Store};

fn at(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, h, 0, 0).unwrap()
}

fn talent(id: &str, name: &str) -> Talent {
    Talent {
        remote_id: id.into(),
        name: name.into(),
        first_name: None,
        last_name: None,
        emails: vec![],
        phones: vec![],
        company: None,
        title: None,
        tags: vec![],
        updated_at: at(1),
        extra: json!({}).into(),
    }
}

fn application(id: &str, talent: &str, stage: &str, name: &str, status: ApplicationStatus) -> Application {
    Application {
        remote_id: id.into(),
        talent_remote_id: talent.into(),
        job_remote_id: Some("1".into()),
        stage_remote_id: Some(stage.into()),
        stage_name: Some(name.into()),
        status,
        updated_at: at(5),
        extra: json!({}).into(),
    }
}

/// Job 1 (Application Review, Phone Screen, Onsite) with four applications.
fn seeded() -> (tempfile::TempDir, Store, i64) {
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
    let cid = store.create_connection(&new, at(0)).unwrap().id;
    let stage = |id: &str, name: &str, position| Stage {
        remote_id: id.into(),
        job_remote_id: Some("1".into()),
        name: name.into(),
        position,
        ats_type: None,
    };
    let stay = |app: &str, stage: &str, entered: u32, exited: Option<u32>| StageChange {
        application_remote_id: app.into(),
        stage_remote_id: stage.into(),
        stage_name: None,
        entered_at: at(entered),
        exited_at: exited.map(at),
    };
    let batch = Batch {
        jobs: vec![Job {
            remote_id: "1".into(),
            title: "Rust Engineer".into(),
            status: JobStatus::Open,
            department: None,
            location: None,
            updated_at: at(0),
            extra: json!({}).into(),
            details: None,
        }],
        stages: vec![stage("11", "Application Review", 0), stage("12", "Phone Screen", 1), stage("13", "Onsite", 2)],
        talents: vec![
            talent("t1", "Ada <b>Lovelace</b>"),
            talent("t2", "Babbage"),
            talent("t3", "Curie"),
            talent("t4", "Dijkstra"),
        ],
        applications: vec![
            application("a1", "t1", "12", "Phone Screen", ApplicationStatus::Active),
            application("a2", "t2", "13", "Onsite", ApplicationStatus::Active),
            application("a3", "t3", "12", "Phone Screen", ApplicationStatus::Rejected),
            application("a4", "t4", "11", "Application Review", ApplicationStatus::Active),
        ],
        // Ada was in Phone Screen before, left, came back at 3.
        stage_history: vec![stay("a1", "12", 1, Some(2)), stay("a1", "11", 2, Some(3)), stay("a1", "12", 3, None)],
        ..Batch::default()
    };
    store.write_batch(cid, &batch, None, at(6)).unwrap();
    (dir, store, cid)
}

fn card<'a>(cards: &'a [BoardCard], id: &str) -> &'a BoardCard {
    cards.iter().find(|c| c.application_remote_id == id).unwrap()
}

#[test]
fn cards_land_in_the_talentdeck_stage_their_mapping_says_and_unmapped_ones_in_none() {
    let (_dir, mut store, cid) = seeded();
    let screen = store.pipeline_stage("Screen").unwrap();
    let interview = store.pipeline_stage("Interview").unwrap();
    store.set_mapping(cid, None, "phone screen", Some(screen.id), false, "ada", at(6)).unwrap();
    store.set_mapping(cid, None, "Application Review", Some(screen.id), false, "ada", at(6)).unwrap();
    // This job's override of Application Review wins over the connection-wide mapping.
    store.set_mapping(cid, Some("1"), "Application Review", Some(interview.id), false, "ada", at(6)).unwrap();

    let cards = store.board_cards(cid, "1").unwrap();
    let names: Vec<&str> = cards.iter().map(|c| c.talent_name.as_str()).collect();
    assert_eq!(names, ["Ada <b>Lovelace</b>", "Babbage", "Curie", "Dijkstra"], "by name, markup kept as text");
    assert_eq!(card(&cards, "a1").stage.as_deref(), Some("Screen"));
    assert_eq!(card(&cards, "a2").stage, None, "Onsite is unmapped");
    assert_eq!(
        card(&cards, "a3").stage.as_deref(),
        Some("Rejected"),
        "a rejection shows in Rejected whatever its stage"
    );
    assert_eq!(card(&cards, "a4").stage.as_deref(), Some("Interview"));
    // Time in stage: the current stay's entry, else the application's last update.
    assert_eq!(card(&cards, "a1").in_stage_since, at(3));
    assert_eq!(card(&cards, "a4").in_stage_since, at(5));
    // The card names its talent's local id: the profile opens from the name.
    assert_eq!(card(&cards, "a1").talent_id, Some(store.talent_id(cid, "t1").unwrap()));
    assert!(cards.iter().all(|c| c.outbox_state.is_none()));
}

#[test]
fn a_queued_move_shows_at_once_as_pending_then_its_conflict_with_both_stages() {
    let (_dir, mut store, cid) = seeded();
    let screen = store.pipeline_stage("Screen").unwrap();
    let interview = store.pipeline_stage("Interview").unwrap();
    store.set_mapping(cid, None, "Phone Screen", Some(screen.id), false, "ada", at(6)).unwrap();
    store.set_mapping(cid, None, "Onsite", Some(interview.id), false, "ada", at(6)).unwrap();

    let row = store.queue_move(cid, "a1", "13", at(7)).unwrap();
    let cards = store.board_cards(cid, "1").unwrap();
    let a1 = card(&cards, "a1");
    assert_eq!((a1.stage.as_deref(), a1.ats_stage_name.as_deref()), (Some("Interview"), Some("Onsite")));
    assert_eq!((a1.outbox_id, a1.outbox_state), (Some(row.id), Some(OutboxState::Pending)));
    assert_eq!(a1.in_stage_since, at(7), "in the new stage since the move");

    // The ATS moved Ada meanwhile: the card keeps the recruiter's stage and names both.
    store.outbox_conflict(row.id, Some("11"), "moved in the ATS meanwhile", at(8)).unwrap();
    let cards = store.board_cards(cid, "1").unwrap();
    let a1 = card(&cards, "a1");
    assert_eq!(a1.outbox_state, Some(OutboxState::Conflict));
    assert_eq!(a1.outbox_to_stage_name.as_deref(), Some("Onsite"));
    assert_eq!(a1.outbox_ats_stage_name.as_deref(), Some("Application Review"));
    assert_eq!(a1.outbox_error.as_deref(), Some("moved in the ATS meanwhile"));

    // Sent: the badge stays (sent), the stage is the ATS's own again until the next pull.
    store.outbox_sent(row.id, at(9)).unwrap();
    let cards = store.board_cards(cid, "1").unwrap();
    assert_eq!(card(&cards, "a1").outbox_state, Some(OutboxState::Sent));
    assert_eq!(card(&cards, "a1").stage.as_deref(), Some("Interview"), "outbox_sent mirrors the ATS's new stage");
}

/// Ada's move to Onsite (Interview) met the ATS's move to Application Review.
fn in_conflict() -> (tempfile::TempDir, Store, i64, i64) {
    let (dir, mut store, cid) = seeded();
    let screen = store.pipeline_stage("Screen").unwrap();
    let interview = store.pipeline_stage("Interview").unwrap();
    store.set_mapping(cid, None, "Phone Screen", Some(screen.id), false, "ada", at(6)).unwrap();
    store.set_mapping(cid, None, "Onsite", Some(interview.id), false, "ada", at(6)).unwrap();
    let row = store.queue_move(cid, "a1", "13", at(7)).unwrap();
    store.outbox_conflict(row.id, Some("11"), "moved in the ATS meanwhile", at(8)).unwrap();
    (dir, store, cid, row.id)
}

#[test]
fn apply_mine_once_sent_shows_the_recruiters_stage_without_waiting_for_a_pull() {
    let (_dir, mut store, cid, row) = in_conflict();
    store.resolve_conflict(row, Resolution::ApplyMine, at(9)).unwrap();
    store.outbox_sent(row, at(10)).unwrap();
    let cards = store.board_cards(cid, "1").unwrap();
    let a1 = card(&cards, "a1");
    assert_eq!(a1.outbox_state, Some(OutboxState::Sent));
    assert_eq!((a1.stage.as_deref(), a1.ats_stage_name.as_deref()), (Some("Interview"), Some("Onsite")));
}

#[test]
fn keep_ats_shows_the_ats_stage_the_conflict_read_without_waiting_for_a_pull() {
    let (_dir, mut store, cid, row) = in_conflict();
    store.resolve_conflict(row, Resolution::KeepAts, at(9)).unwrap();
    let cards = store.board_cards(cid, "1").unwrap();
    let a1 = card(&cards, "a1");
    assert_eq!((a1.outbox_state, a1.ats_stage_name.as_deref()), (None, Some("Application Review")));
}

#[test]
fn a_queued_rejection_moves_the_card_to_rejected() {
    let (_dir, mut store, cid) = seeded();
    let reasons = [talentdeck::model::RejectionReason { remote_id: "r1".into(), name: "Not a fit".into() }];
    store.replace_reasons(cid, &reasons, at(6)).unwrap();
    store.queue_reject(cid, "a4", "r1", at(7)).unwrap();
    let cards = store.board_cards(cid, "1").unwrap();
    let a4 = card(&cards, "a4");
    assert_eq!((a4.status, a4.stage.as_deref()), (ApplicationStatus::Rejected, Some("Rejected")));
    assert_eq!(a4.outbox_state, Some(OutboxState::Pending));
}

/// Issue 13: a job description arrives from the ATS as HTML. Whatever someone typed into it in
/// the ATS, only text structure reaches the window: no script, no event handler, no link target,
/// no styling, no remote image, no frame — proven through a real sync of each provider's sandbox
/// (Lever postings, Greenhouse job posts, Ashby job postings).
async fn a_hostile_description_is_sanitised(provider: Provider) {
    use talentdeck::app::App;
    use talentdeck::sandbox::{Mutation, SetJobDescription};

    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let conn = app.start_sandbox(provider, Utc::now()).await.unwrap();
    app.sync(conn.id, true, talentdeck::model::Trigger::Manual, &|_| {}).await.unwrap();
    let jobs = app.list_jobs(Some(conn.id), true).unwrap();
    // An open job: its post (posting) is the one candidates read.
    let job = jobs.iter().find(|j| j.status == JobStatus::Open).expect("a synced open job").clone();

    // What a generated posting carries: its description (Lever: with requirements and closing).
    let board = app.job_board(conn.id, &job.remote_id).unwrap();
    let html = board.description_html.clone().unwrap_or_else(|| panic!("{provider}: the job's description is synced"));
    if provider == Provider::Lever {
        assert!(html.contains("<h3>Requirements</h3><ul><li>"), "{html}");
        assert!(html.contains("We answer every application."), "{html}");
    } else {
        assert!(html.contains("<h3>What you will do</h3><ul><li>"), "{provider}: {html}");
    }
    if provider != Provider::Greenhouse {
        // Greenhouse posts carry no pay range; Lever's salaryRange and Ashby's compensation
        // summary are shown where a job has one (two jobs in three, in the sandbox).
        let paid = jobs
            .iter()
            .filter(|j| j.status == JobStatus::Open)
            .filter_map(|j| app.job_board(conn.id, &j.remote_id).unwrap().compensation);
        assert!(paid.count() > 0, "{provider}: some open job shows its pay range");
    }

    let hostile = concat!(
        r#"<p onclick="steal()" style="position:fixed;top:0;left:0;width:100%;height:100%">Hello <b>team</b></p>"#,
        r#"<script>alert(document.cookie)</script><style>body{display:none}</style>"#,
        r#"<a href="javascript:alert(1)">click</a><a href="https://evil.example/phish">apply</a>"#,
        r#"<img src="https://tracker.example/pixel.gif" onerror="steal()"><iframe src="https://evil.example"></iframe>"#,
        r#"<svg onload="steal()"><circle r="9"/></svg><form action="https://evil.example"><input name="pw"></form>"#,
        r#"<div class="overlay" data-x="1">Remote <em>friendly</em></div><math><mi>x</mi></math>"#
    );
    // Someone edits the posting in the ATS (the sandbox's control API, as the ATS's own UI).
    let base = app.store_for_tests().connection(conn.id).unwrap().base_url;
    let origin = &base[..base[7..].find('/').map_or(base.len(), |i| i + 7)];
    let change = Mutation {
        set_job_description: Some(SetJobDescription { job: job.remote_id.clone(), html: hostile.into() }),
        ..Default::default()
    };
    let resp = reqwest::Client::new().post(format!("{origin}/_sandbox/mutate")).json(&change).send().await.unwrap();
    assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());
    // Lever and Greenhouse see the change incrementally (Greenhouse: a post changed, its job did
    // not). An Ashby posting edit does not touch its job's place in the syncToken delta: it
    // arrives with the next full sync.
    let full = provider == Provider::Ashby;
    app.sync(conn.id, full, talentdeck::model::Trigger::Manual, &|_| {}).await.unwrap();
    let html = app.job_board(conn.id, &job.remote_id).unwrap().description_html.unwrap();
    for gone in [
        "<script",
        "alert",
        "<style",
        "display:none",
        "onclick",
        "onerror",
        "onload",
        "style=",
        "javascript:",
        "href",
        "evil.example",
        "tracker.example",
        "<img",
        "<iframe",
        "<svg",
        "<form",
        "<input",
        "class=",
        "data-x",
        "<math",
    ] {
        assert!(!html.to_lowercase().contains(gone), "{provider}: {gone:?} survived: {html}");
    }
    for kept in ["<p>Hello <b>team</b></p>", "<a>click</a>", "<a>apply</a>", "<div>Remote <em>friendly</em></div>"] {
        assert!(html.contains(kept), "{provider}: {kept:?} is text structure a recruiter reads: {html}");
    }
    // The job's own fields came through the description's change untouched.
    let after = app.list_jobs(Some(conn.id), true).unwrap().into_iter().find(|j| j.remote_id == job.remote_id).unwrap();
    assert_eq!((after.title, after.department, after.location), (job.title, job.department, job.location));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_lever_posting_is_sanitised_on_the_way_in() {
    a_hostile_description_is_sanitised(Provider::Lever).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_greenhouse_job_post_is_sanitised_on_the_way_in() {
    a_hostile_description_is_sanitised(Provider::Greenhouse).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hostile_ashby_job_posting_is_sanitised_on_the_way_in() {
    a_hostile_description_is_sanitised(Provider::Ashby).await
}

/// Issue 13: an Ashby job whose posting Ashby no longer shows stays, with the description it
/// had; the run ends with warnings and says once, naming the job, what to check.
#[tokio::test(flavor = "multi_thread")]
async fn an_ashby_posting_that_is_gone_keeps_its_job_and_warns_once() {
    use talentdeck::app::{App, SyncOutcome};
    use talentdeck::model::LogLevel;
    use talentdeck::sandbox::Mutation;
    use talentdeck::store::RunState;

    let dir = tempfile::tempdir().unwrap();
    let app = App::open(dir.path()).unwrap();
    let conn = app.start_sandbox(Provider::Ashby, Utc::now()).await.unwrap();
    let sync = || async {
        match app.sync(conn.id, true, talentdeck::model::Trigger::Manual, &|_| {}).await.unwrap() {
            SyncOutcome::Ran(r) => r,
            SyncOutcome::Joined => panic!("no other sync was running"),
        }
    };
    assert_eq!(sync().await.state, RunState::Succeeded);
    let jobs = app.list_jobs(Some(conn.id), true).unwrap();
    let job = jobs.iter().find(|j| j.status == JobStatus::Open).expect("an open job").clone();
    let before = app.job_board(conn.id, &job.remote_id).unwrap();
    assert!(before.description_html.is_some());

    let base = app.store_for_tests().connection(conn.id).unwrap().base_url;
    let origin = &base[..base[7..].find('/').map_or(base.len(), |i| i + 7)];
    let change = Mutation { lose_job_posting: Some(job.remote_id.clone()), ..Default::default() };
    let resp = reqwest::Client::new().post(format!("{origin}/_sandbox/mutate")).json(&change).send().await.unwrap();
    assert!(resp.status().is_success(), "{}", resp.text().await.unwrap());

    let report = sync().await;
    assert_eq!(report.state, RunState::Warnings, "{:?}", report.error);
    let after = app.list_jobs(Some(conn.id), true).unwrap();
    assert_eq!(after.len(), jobs.len(), "every job is kept");
    let board = app.job_board(conn.id, &job.remote_id).unwrap();
    assert_eq!((board.description_html, board.compensation), (before.description_html, before.compensation));
    let warnings: Vec<String> = app
        .log(Some(conn.id), 100)
        .unwrap()
        .into_iter()
        .filter(|l| l.run_id == Some(report.run_id) && l.level == LogLevel::Warning && l.message.contains("posting"))
        .map(|l| l.message)
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains(&format!("{:?}", job.title)) && warnings[0].contains("sync again"), "{warnings:?}");
}

/// Issue 13: desktop notifications, decided in the core — once per event, never per retry, and
/// nothing from before the window opened.
#[test]
fn alerts_come_once_per_event() {
    use talentdeck::app::{AlertState, App};
    use talentdeck::lifecycle::transition;
    use talentdeck::model::ConnectionState;
    use talentdeck::store::Resolution;

    let (dir, mut store, cid) = seeded();
    transition(&mut store, cid, ConnectionState::Unreachable, Some("Greenhouse did not answer."), None, at(1)).unwrap();
    drop(store);
    let app = App::open(dir.path()).unwrap();
    let mut seen = AlertState::default();
    assert_eq!(app.alerts(&mut seen).unwrap(), vec![], "what happened before the first look is not news");

    {
        let mut st = app.store_for_tests();
        transition(&mut st, cid, ConnectionState::Connected, Some("a sync succeeded"), None, at(2)).unwrap();
        let refused = "Greenhouse refused the API credential (HTTP 401).";
        transition(&mut st, cid, ConnectionState::NeedsReconnect, Some(refused), None, at(3)).unwrap();
        // The scheduler retries and fails the same way: no change of state, no second alert.
        transition(&mut st, cid, ConnectionState::NeedsReconnect, Some(refused), None, at(4)).unwrap();
    }
    let alerts = app.alerts(&mut seen).unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].title, "Reconnect Acme");
    assert!(
        alerts[0].body.contains("HTTP 401") && alerts[0].body.contains("Reconnect it in Connections"),
        "{alerts:?}"
    );
    assert_eq!(app.alerts(&mut seen).unwrap(), vec![]);

    // A move the ATS refuses as a conflict alerts once; resolved and conflicting again, once more.
    let conflict = |app: &App, when| {
        let mut st = app.store_for_tests();
        let id = st.outbox(Some(cid)).unwrap().last().unwrap().id;
        assert!(st.claim_push_attempt(id, when).unwrap());
        st.outbox_conflict(id, Some("13"), "the ATS moved it", when).unwrap();
        id
    };
    app.store_for_tests().queue_move(cid, "a1", "13", at(5)).unwrap();
    let id = conflict(&app, at(5));
    let alerts = app.alerts(&mut seen).unwrap();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0].title, "Conflict in Acme");
    assert!(alerts[0].body.contains("Onsite"), "names the stage the ATS holds: {alerts:?}");
    assert_eq!(app.alerts(&mut seen).unwrap(), vec![], "a conflict still open is not news twice");
    app.store_for_tests().resolve_conflict(id, Resolution::ApplyMine, at(6)).unwrap();
    conflict(&app, at(7));
    assert_eq!(app.alerts(&mut seen).unwrap().len(), 1, "conflicting again is news again");
}

#[test]
fn the_pipeline_takes_a_new_order_only_when_it_lists_every_stage_once() {
    let (_dir, mut store, _cid) = seeded();
    let before = store.pipeline().unwrap();
    let names = |stages: &[talentdeck::model::PipelineStage]| stages.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&before), ["Sourced", "Screen", "Interview", "Offer", "Hired", "Rejected"]);
    // Interview before Screen: the board's columns (the pipeline's order) follow.
    let mut ids: Vec<i64> = before.iter().map(|s| s.id).collect();
    ids.swap(1, 2);
    let after = store.reorder_pipeline_stages(&ids).unwrap();
    assert_eq!(names(&after), ["Sourced", "Interview", "Screen", "Offer", "Hired", "Rejected"]);
    assert_eq!(after.iter().map(|s| s.position).collect::<Vec<_>>(), [0, 1, 2, 3, 4, 5]);
    assert_eq!(names(&store.pipeline().unwrap()), names(&after), "stored, not only answered");
    // A list that misses a stage (added meanwhile elsewhere), or names one twice, changes nothing.
    for wrong in [ids[..5].to_vec(), [ids.clone(), vec![ids[0]]].concat(), [&ids[..5], &[ids[0]]].concat()] {
        let err = store.reorder_pipeline_stages(&wrong).unwrap_err();
        assert!(matches!(err, talentdeck::Error::Validation(_)), "{err:?}");
        assert_eq!(names(&store.pipeline().unwrap()), names(&after));
    }
}
