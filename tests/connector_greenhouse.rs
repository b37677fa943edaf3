//! The Greenhouse Harvest v3 connector over real HTTP against the in-process sandbox (and, for
//! what the sandbox cannot stage, a tiny local stub): a full pass lands exactly the sandbox's
//! data, an incremental pass only what changed, and every failure mode ends in the right error.

mod common;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{application_out, job_out, stage_out, talent_out};
use secrecy::SecretString;
use serde_json::{json, Value};
use talentdeck::ats::greenhouse::Greenhouse;
use talentdeck::ats::{Connector, Endpoint, PageRequest, Since, Skipped};
use talentdeck::model::ConnectionSettings;
use talentdeck::model::Resource;
use talentdeck::sandbox::{Faults, Mutation, Sandbox, SandboxConfig};
use talentdeck::store::{Batch, ExportKind};
use talentdeck::Result;

async fn start(talents: usize, faults: Faults) -> Sandbox {
    let mut cfg = SandboxConfig::new(talentdeck::model::Provider::Greenhouse);
    cfg.talents = talents;
    cfg.faults = faults;
    Sandbox::start(cfg).await.expect("the sandbox starts")
}

/// An id the sandbox reports (a string, or a Greenhouse integer) as settings keep it.
fn text(v: &serde_json::Value) -> String {
    v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string())
}

fn endpoint(sb: &Sandbox, secret: Option<&str>) -> Endpoint {
    let info = sb.info();
    let c = &info.credentials;
    Endpoint {
        base_url: info.base_url.clone(),
        auth_url: info.auth_url.clone(),
        settings: ConnectionSettings {
            client_id: Some(text(&c["client_id"])),
            user_id: Some(text(&c["user_id"])),
            ..Default::default()
        },
        secret: SecretString::from(secret.unwrap_or_else(|| c["client_secret"].as_str().unwrap()).to_string()),
    }
}

fn connector(sb: &Sandbox) -> Greenhouse {
    Greenhouse::new(endpoint(sb, None))
}

/// Everything the passes of one sync returned, accumulated in memory (the engine that writes
/// pages to SQLite is tested on its own).
#[derive(Default)]
struct Pulled {
    batch: Batch,
    skipped: Vec<Skipped>,
    warnings: Vec<String>,
    listed: HashMap<Resource, Vec<String>>,
}

/// One pass over `resource`: the first page, then each `next` verbatim until there is none.
async fn pass(
    gh: &Greenhouse,
    resource: Resource,
    since: &Since,
    until: DateTime<Utc>,
    out: &mut Pulled,
) -> Result<()> {
    let mut req = PageRequest { resource, since: since.clone(), until, page: None };
    loop {
        let page = gh.page(&req).await?;
        let b = page.batch;
        out.batch.jobs.extend(b.jobs);
        out.batch.job_details.extend(b.job_details);
        out.warnings.extend(page.warnings);
        out.batch.stages.extend(b.stages);
        out.batch.talents.extend(b.talents);
        out.batch.applications.extend(b.applications);
        out.batch.stage_history.extend(b.stage_history);
        out.batch.attachments.extend(b.attachments);
        out.skipped.extend(page.skipped);
        out.listed.entry(resource).or_default().extend(page.listed);
        match page.next {
            Some(next) => req.page = Some(next),
            None => return Ok(()),
        }
    }
}

/// Every pass of a sync, in the connector's order.
async fn sync(gh: &Greenhouse, since: Since, until: DateTime<Utc>) -> Result<Pulled> {
    let mut out = Pulled::default();
    for r in gh.resources() {
        pass(gh, r, &since, until, &mut out).await?;
    }
    Ok(out)
}

/// Compares record by record, both sides sorted by remote_id the way `expected()` sorts.
fn assert_same(kind: &str, got: impl IntoIterator<Item = Value>, expected: Vec<Value>) {
    let mut got: Vec<Value> = got.into_iter().collect();
    got.sort_by(|a, b| a["remote_id"].as_str().cmp(&b["remote_id"].as_str()));
    assert_eq!(got.len(), expected.len(), "{kind}: number of records");
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g, e, "{kind}: record {}", e["remote_id"]);
    }
}

fn assert_matches_sandbox(p: &Pulled, sb: &Sandbox) {
    assert_same("jobs", p.batch.jobs.iter().map(job_out), sb.expected(ExportKind::Jobs));
    assert_same("stages", p.batch.stages.iter().map(stage_out), sb.expected(ExportKind::Stages));
    assert_same("talents", p.batch.talents.iter().map(talent_out), sb.expected(ExportKind::Talents));
    assert_same(
        "applications",
        p.batch.applications.iter().map(application_out),
        sb.expected(ExportKind::Applications),
    );
}

fn ids<'a>(v: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    v.into_iter().cloned().collect()
}

fn code<T>(r: Result<T>) -> (String, String) {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => (e.code().to_string(), e.to_string()),
    }
}

// ---- against the sandbox ----

#[tokio::test]
async fn a_full_sync_lands_exactly_the_sandbox_data() {
    let sb = start(1_500, Faults::default()).await;
    let gh = connector(&sb);
    gh.verify().await.expect("the sandbox credential works");
    let p = sync(&gh, Since::Everything, Utc::now()).await.expect("a full sync");

    assert!(p.skipped.is_empty(), "nothing malformed: {:?}", p.skipped);
    assert_matches_sandbox(&p, &sb);

    // Every record of every pass is listed once, for deletion reconciliation.
    let b = &p.batch;
    let listed = |r: Resource| p.listed.get(&r).map_or(0, Vec::len);
    assert_eq!(listed(Resource::Jobs), b.jobs.len());
    assert_eq!(listed(Resource::Stages), b.stages.len());
    assert_eq!(listed(Resource::Talents), b.talents.len());
    assert_eq!(listed(Resource::Applications), b.applications.len());
    assert_eq!(listed(Resource::StageHistory), b.stage_history.len());
    assert_eq!(listed(Resource::Attachments), b.attachments.len());
    assert_eq!(ids(&p.listed[&Resource::Talents]).len(), b.talents.len(), "no record is listed twice");

    // Stage history and attachments hang off what was synced.
    let apps = ids(b.applications.iter().map(|a| &a.remote_id));
    let talents = ids(b.talents.iter().map(|t| &t.remote_id));
    let stages = ids(b.stages.iter().map(|s| &s.remote_id));
    assert!(b.stage_history.len() >= b.applications.len() / 2, "stage history was read");
    for h in &b.stage_history {
        assert!(apps.contains(&h.application_remote_id) && stages.contains(&h.stage_remote_id), "{h:?}");
        assert!(h.exited_at.is_none_or(|x| x >= h.entered_at), "{h:?}");
    }
    assert!(!b.attachments.is_empty(), "attachments were read");
    for a in &b.attachments {
        assert!(talents.contains(&a.talent_remote_id), "{a:?}");
        assert_eq!(a.kind, "resume");
        assert!(a.url.as_deref().is_some_and(|u| u.starts_with("http://127.0.0.1:")), "the signed URL is kept: {a:?}");
        assert!(!a.filename.is_empty());
    }
    // Provider-specific fields ride along in `extra`.
    assert!(b
        .jobs
        .iter()
        .all(|j| serde_json::from_str::<serde_json::Value>(j.extra.as_str()).unwrap().get("custom_fields").is_some()));

    // Each request the sandbox saw was one the connector counted (no hidden traffic), and one
    // token served the whole sync.
    let s = sb.stats();
    assert_eq!(s.requests, gh.stats().requests());
    assert_eq!(s.tokens_issued, 1);
    assert_eq!((s.rate_limited, s.unauthorized, s.forbidden), (0, 0, 0));
    sb.shutdown().await;
}

#[tokio::test]
async fn an_incremental_sync_reads_only_what_changed() {
    let sb = start(1_500, Faults::default()).await;
    let gh = connector(&sb);
    let t0 = Utc::now();
    sync(&gh, Since::Everything, t0).await.expect("a full sync");
    let full_requests = gh.stats().requests();

    let report = sb.mutate(Mutation { update_talents: 20, move_applications: 10, ..Default::default() });
    let until = Utc::now() + Duration::milliseconds(1);
    // The engine's overlap: the cursor taken at the full sync's start, minus a little.
    let p = sync(&gh, Since::UpdatedSince(t0 - Duration::seconds(5)), until).await.expect("an incremental sync");
    let incremental_requests = gh.stats().requests() - full_requests;

    assert!(p.skipped.is_empty(), "{:?}", p.skipped);
    assert!(p.batch.jobs.is_empty() && p.batch.stages.is_empty() && p.batch.attachments.is_empty());
    assert_eq!(ids(p.batch.talents.iter().map(|t| &t.remote_id)), ids(&report.updated_talents));
    assert_eq!(ids(p.batch.applications.iter().map(|a| &a.remote_id)), ids(&report.moved_applications));

    // What came back is the current state, as the export contract spells it.
    let expected_talents: Vec<Value> = sb
        .expected(ExportKind::Talents)
        .into_iter()
        .filter(|t| report.updated_talents.iter().any(|r| t["remote_id"] == *r))
        .collect();
    assert_same("updated talents", p.batch.talents.iter().map(talent_out), expected_talents);
    let expected_apps: Vec<Value> = sb
        .expected(ExportKind::Applications)
        .into_iter()
        .filter(|a| report.moved_applications.iter().any(|r| a["remote_id"] == *r))
        .collect();
    assert_same("moved applications", p.batch.applications.iter().map(application_out), expected_apps);

    // Each move closed one stay and opened another.
    let moved = ids(&report.moved_applications);
    assert_eq!(p.batch.stage_history.len(), 2 * moved.len(), "{:?}", p.batch.stage_history);
    assert!(p.batch.stage_history.iter().all(|h| moved.contains(&h.application_remote_id)));

    assert!(
        incremental_requests * 3 < full_requests,
        "the incremental sync made {incremental_requests} requests, the full one {full_requests}"
    );
    assert_eq!(sb.stats().tokens_issued, 1, "the token is cached across syncs");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_wrong_secret_is_unauthorized() {
    let sb = start(50, Faults::default()).await;
    let gh = Greenhouse::new(endpoint(&sb, Some("gh_sandbox_secret_not_the_right_one")));
    let (c, msg) = code(gh.verify().await);
    assert_eq!(c, "unauthorized");
    assert!(msg.contains("Reconnect"), "actionable: {msg}");
    assert!(!msg.contains("not_the_right_one"), "the secret never appears in an error: {msg}");
    let req = PageRequest { resource: Resource::Talents, since: Since::Everything, until: Utc::now(), page: None };
    assert_eq!(code(gh.page(&req).await).0, "unauthorized");
    assert_eq!(sb.stats().tokens_issued, 0);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_missing_permission_is_named() {
    let faults = Faults { deny_scopes: vec!["harvest:applications:list".into()], ..Default::default() };
    let sb = start(100, faults).await;
    let gh = connector(&sb);
    let (c, msg) = code(gh.verify().await);
    assert_eq!(c, "permission_denied");
    assert!(msg.contains("harvest:applications:list") && msg.contains("/v3/applications"), "{msg}");
    assert!(!msg.contains("harvest:candidates:list"), "only the missing permission is named: {msg}");

    let req = |resource| PageRequest { resource, since: Since::Everything, until: Utc::now(), page: None };
    let (c, msg) = code(gh.page(&req(Resource::Applications)).await);
    assert_eq!(c, "permission_denied");
    assert!(msg.contains("harvest:applications:list"), "{msg}");
    assert!(!gh.page(&req(Resource::Talents)).await.expect("candidates are allowed").batch.talents.is_empty());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_credential_revoked_mid_sync_is_unauthorized() {
    let faults = Faults { expire_credential_after: Some(5), ..Default::default() };
    let sb = start(1_000, faults).await;
    let gh = connector(&sb);
    let (c, msg) = code(sync(&gh, Since::Everything, Utc::now()).await);
    assert_eq!(c, "unauthorized", "{msg}");
    assert!(msg.contains("Reconnect"), "{msg}");
    let s = sb.stats();
    // One 401 from the API, one renewal refused by the token endpoint; no hammering.
    assert_eq!((s.tokens_issued, s.unauthorized), (1, 2));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_malformed_candidate_is_skipped_and_the_rest_lands() {
    let sb = start(600, Faults::default()).await;
    // Two, so both kinds of damage appear: e-mails as one string, a number as first name.
    let report = sb.mutate(Mutation { corrupt_talents: 2, ..Default::default() });
    let gh = connector(&sb);
    let mut p = Pulled::default();
    pass(&gh, Resource::Talents, &Since::Everything, Utc::now(), &mut p).await.expect("the pass completes");

    assert_eq!(ids(p.skipped.iter().filter_map(|s| s.remote_id.as_ref())), ids(&report.corrupted_talents));
    let fields: BTreeSet<&str> = p.skipped.iter().map(|s| s.field.as_str()).collect();
    assert_eq!(fields, BTreeSet::from(["email_addresses", "first_name"]), "{:?}", p.skipped);
    assert_same("talents", p.batch.talents.iter().map(talent_out), sb.expected(ExportKind::Talents));
    // Skipped records are still listed: they exist, so reconciliation must not delete them.
    let listed = ids(&p.listed[&Resource::Talents]);
    assert!(report.corrupted_talents.iter().all(|c| listed.contains(c)));
    assert_eq!(listed.len(), p.batch.talents.len() + 2);
    sb.shutdown().await;
}

#[tokio::test]
async fn transient_server_errors_are_retried() {
    let sb = start(1_000, Faults { fail_rate: 0.2, ..Default::default() }).await;
    let gh = connector(&sb);
    let p = sync(&gh, Since::Everything, Utc::now()).await.expect("the sync survives 5xx");
    assert_matches_sandbox(&p, &sb);
    assert!(sb.stats().failures_injected > 0, "failures were injected");
    assert!(gh.stats().retries.load(std::sync::atomic::Ordering::Relaxed) >= sb.stats().failures_injected);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_rate_limited_sync_completes() {
    let faults = Faults { rate_limit: Some("4/1s".parse().unwrap()), ..Default::default() };
    let sb = start(1_000, faults).await;
    let gh = connector(&sb);
    let p = sync(&gh, Since::Everything, Utc::now()).await.expect("the sync waits out the limit");
    assert_matches_sandbox(&p, &sb);
    let s = sb.stats();
    assert!(s.requests > 3 * 4, "the sync spans several windows: {s:?}");
    // Every 429 the sandbox sent was seen and recovered from (the headers usually avoid them).
    assert_eq!(gh.stats().rate_limited(), s.rate_limited, "{s:?}");
    sb.shutdown().await;
}

/// The description a synced job carries (`None`: its details were not read).
fn description(p: &Pulled, rid: &str) -> Option<Option<String>> {
    let job = p.batch.jobs.iter().find(|j| j.remote_id == rid).expect("the job was synced");
    job.details.as_ref().map(|d| d.description_html.clone())
}

/// Issue 13: a job's description is its best post's: the live external one (what candidates
/// read) over an internal one; a live internal post (its `internal_content`, as its `content`
/// is empty) over a closed job's external post that is no longer live; a draft has no post.
#[tokio::test]
async fn a_jobs_description_is_its_best_posts_content() {
    let sb = start(50, Faults::default()).await;
    let gh = connector(&sb);
    let p = sync(&gh, Since::Everything, Utc::now()).await.expect("a full sync");
    assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    // The sandbox's jobs by position: states cycle open, open, closed, open, draft, open, closed,
    // open; every third job (2, 5, 8, …) also has an internal post.
    let jobs = sb.expected(ExportKind::Jobs);
    let mut by_created: Vec<Value> = jobs.clone();
    by_created.sort_by_key(|j| j["remote_id"].as_str().unwrap().parse::<u64>().unwrap());
    let rid = |i: usize| by_created[i]["remote_id"].as_str().unwrap().to_string();
    let public = |d: &Option<String>| d.as_deref().is_some_and(|h| h.contains("<h3>What you will do</h3>"));
    let internal = |d: &Option<String>| d.as_deref().is_some_and(|h| h.starts_with("<p>Internal applicants"));
    for i in [0, 1, 3, 5, 7] {
        let d = description(&p, &rid(i)).expect("an open job has a live external post");
        assert!(public(&d), "job {i}: {d:?}");
    }
    let closed_with_internal = description(&p, &rid(2)).expect("a post");
    assert!(internal(&closed_with_internal), "the live internal post wins: {closed_with_internal:?}");
    let closed = description(&p, &rid(6)).expect("a post");
    assert!(public(&closed), "the only post, not live any more: {closed:?}");
    assert_eq!(description(&p, &rid(4)), None, "a draft has no post: its details are not known");
    assert!(p.batch.job_details.is_empty(), "one page of jobs: the posts land on its jobs");
    sb.shutdown().await;
}

/// Issue 13: a post changes without its job. The incremental pass reads the posts changed in
/// its window and hands over the new description of that job alone (and no job record).
#[tokio::test]
async fn an_incremental_pass_picks_up_a_post_that_changed_without_its_job() {
    let sb = start(50, Faults::default()).await;
    let gh = connector(&sb);
    let t0 = Utc::now();
    let full = sync(&gh, Since::Everything, t0).await.expect("a full sync");
    let open = full.batch.jobs.iter().find(|j| j.status.as_str() == "open").unwrap().remote_id.clone();

    let html = "<p>Now <b>remote</b> too</p>";
    let change = talentdeck::sandbox::SetJobDescription { job: open.clone(), html: html.into() };
    let report = sb.mutate(Mutation { set_job_description: Some(change), ..Default::default() });
    assert!(report.updated_jobs.is_empty() && report.not_found.is_empty(), "{report:?}");
    let before = gh.stats().requests();
    let until = Utc::now() + Duration::milliseconds(1);
    let p = sync(&gh, Since::UpdatedSince(t0 - Duration::seconds(5)), until).await.expect("an incremental sync");
    assert!(p.batch.jobs.is_empty(), "the job itself did not change");
    let d = talentdeck::model::JobDetails { description_html: Some(html.into()), compensation: None };
    assert_eq!(p.batch.job_details, vec![(open, d)]);
    // Six list passes, the changed posts, and all posts of the job they belong to.
    assert_eq!(gh.stats().requests() - before, 6 + 2);

    // Nothing changed since: one request finds no post.
    let before = gh.stats().requests();
    let p = sync(&gh, Since::UpdatedSince(until), Utc::now() + Duration::milliseconds(1)).await.unwrap();
    assert!(p.batch.job_details.is_empty());
    assert_eq!(gh.stats().requests() - before, 6 + 1);
    sb.shutdown().await;
}

/// Issue 13: a credential without the job posts permission still syncs (it connects, as posts
/// are not among what Talentdeck needs to work); the jobs come without their descriptions and
/// the pass says which permission to ask for.
#[tokio::test]
async fn without_the_job_posts_permission_jobs_sync_and_the_pass_says_why_descriptions_are_missing() {
    let faults = Faults { deny_scopes: vec!["harvest:job_posts:list".into()], ..Default::default() };
    let sb = start(50, faults).await;
    let gh = connector(&sb);
    gh.verify().await.expect("job posts are not needed to connect");
    let p = sync(&gh, Since::Everything, Utc::now()).await.expect("the sync goes on");
    assert_eq!(p.batch.jobs.len(), sb.expected(ExportKind::Jobs).len());
    assert!(p.batch.jobs.iter().all(|j| j.details.is_none()), "stored descriptions are kept, not wiped");
    assert_eq!(p.warnings.len(), 1, "{:?}", p.warnings);
    assert!(
        p.warnings[0].contains("harvest:job_posts:list") && p.warnings[0].contains("descriptions"),
        "{:?}",
        p.warnings
    );
    sb.shutdown().await;
}

// ---- against a stub, for what the sandbox does not stage ----

/// A stub Greenhouse: tokens `t1`, `t2`, … ; `t1` is refused by the API as expired.
async fn stub() -> (String, Arc<Mutex<Vec<String>>>, tokio::task::JoinHandle<()>) {
    use axum::extract::{RawQuery, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::IntoResponse;
    use axum::routing::{get, post};

    #[derive(Clone, Default)]
    struct St {
        issued: Arc<Mutex<u32>>,
        queries: Arc<Mutex<Vec<String>>>,
    }
    let st = St::default();
    let queries = st.queries.clone();
    let bearer = |h: &HeaderMap| h.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let app = axum::Router::new()
        .route(
            "/token",
            post(|State(st): State<St>| async move {
                let mut n = st.issued.lock().unwrap();
                *n += 1;
                axum::Json(json!({ "access_token": format!("t{n}"), "token_type": "bearer", "expires_in": 3600 }))
            }),
        )
        .route(
            "/v3/candidates",
            get(move |State(st): State<St>, h: HeaderMap, RawQuery(q): RawQuery| async move {
                st.queries.lock().unwrap().push(q.unwrap_or_default());
                if bearer(&h) == "Bearer t1" {
                    return (StatusCode::UNAUTHORIZED, axum::Json(json!({ "error": "invalid_token" }))).into_response();
                }
                axum::Json(json!([{ "id": 7, "first_name": "Ada", "last_name": null, "tags": null,
                                    "updated_at": "2026-01-01T10:00:00Z" }]))
                .into_response()
            }),
        )
        .route("/v3/jobs", get(|| async { "<html>maintenance</html>" }))
        .route("/v3/applications", get(|| async { axum::Json(json!({ "applications": [] })) }))
        .with_state(st);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (origin, queries, task)
}

fn stub_connector(origin: &str) -> Greenhouse {
    Greenhouse::new(Endpoint {
        base_url: format!("{origin}/v3/"),
        auth_url: Some(format!("{origin}/token")),
        settings: ConnectionSettings { client_id: Some("c".into()), user_id: Some("1".into()), ..Default::default() },
        secret: SecretString::from("s".to_string()),
    })
}

#[tokio::test]
async fn an_expired_token_is_renewed_once_and_the_request_retried() {
    let (origin, queries, task) = stub().await;
    let gh = stub_connector(&origin);
    let since = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let until = Utc.with_ymd_and_hms(2026, 1, 2, 0, 0, 0).unwrap();
    let req = PageRequest { resource: Resource::Talents, since: Since::UpdatedSince(since), until, page: None };
    let page = gh.page(&req).await.expect("the retry with a new token succeeds");
    assert_eq!(page.batch.talents.len(), 1);
    let t = &page.batch.talents[0];
    assert_eq!((t.remote_id.as_str(), t.name.as_str(), t.last_name.as_deref()), ("7", "Ada", None));
    assert!(t.emails.is_empty() && t.tags.is_empty());
    assert_eq!(page.next, None);

    // Both attempts asked for the same window, bounded on both sides.
    let queries = queries.lock().unwrap().clone();
    assert_eq!(queries.len(), 2);
    for q in &queries {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(q.as_bytes()).into_owned().collect();
        assert_eq!(
            pairs,
            vec![
                ("per_page".to_string(), "500".to_string()),
                ("updated_at".to_string(), "gte|2026-01-01T00:00:00.000Z|lte|2026-01-02T00:00:00.000Z".to_string()),
            ]
        );
    }
    task.abort();
}

#[tokio::test]
async fn a_body_that_is_not_a_json_list_is_an_invalid_response() {
    let (origin, _, task) = stub().await;
    let gh = stub_connector(&origin);
    let req = |resource| PageRequest { resource, since: Since::Everything, until: Utc::now(), page: None };
    // JSON, but not a list.
    let (c, msg) = code(gh.page(&req(Resource::Applications)).await);
    assert_eq!(c, "invalid_response");
    assert!(msg.contains("\"applications\""), "the body's excerpt is quoted: {msg}");
    // Not JSON at all.
    let (c, msg) = code(gh.page(&req(Resource::Jobs)).await);
    assert_eq!(c, "invalid_response");
    assert!(msg.contains("maintenance"), "{msg}");
    // A stored next link that leads elsewhere is refused before any token is sent there.
    let mut r = req(Resource::Talents);
    r.page = Some("https://evil.example/v3/candidates?cursor=x".into());
    assert_eq!(code(gh.page(&r).await).0, "invalid_response");
    task.abort();
}

// ---- writes (two-way sync) ----

/// An active application in a job's pipeline, another stage of the same job, and a stage of
/// another job, from the sandbox's own view.
fn movable(sb: &Sandbox) -> (Value, String, String) {
    let stages = sb.expected(ExportKind::Stages);
    let apps = sb.expected(ExportKind::Applications);
    for a in apps.iter().filter(|a| a["status"] == "active" && a["stage_remote_id"].is_string()) {
        let job = &a["job_remote_id"];
        let same = stages.iter().find(|s| &s["job_remote_id"] == job && s["remote_id"] != a["stage_remote_id"]);
        let other = stages.iter().find(|s| s["job_remote_id"].is_string() && &s["job_remote_id"] != job);
        if let (Some(same), Some(other)) = (same, other) {
            return (
                a.clone(),
                same["remote_id"].as_str().unwrap().into(),
                other["remote_id"].as_str().unwrap().into(),
            );
        }
    }
    panic!("the sandbox has an active application in a pipeline of several stages");
}

fn expected_app(sb: &Sandbox, rid: &str) -> Value {
    sb.expected(ExportKind::Applications).into_iter().find(|a| a["remote_id"] == rid).expect("the application exists")
}

#[tokio::test]
async fn an_application_is_read_moved_refused_when_stale_and_rejected() {
    let sb = start(60, Faults::default()).await;
    let gh = connector(&sb);
    let (want, to, elsewhere) = movable(&sb);
    let rid = want["remote_id"].as_str().unwrap();

    // Read exactly as the sync maps it.
    let seen = gh.application(rid).await.unwrap();
    assert_eq!(application_out(&seen), want);

    // Moved, and read back at the target.
    gh.move_application(&seen, &to).await.unwrap();
    let now = gh.application(rid).await.unwrap();
    assert_eq!(now.stage_remote_id.as_deref(), Some(to.as_str()));
    assert_eq!(application_out(&now), expected_app(&sb, rid));

    // The old view (its stage is no longer the current one) is refused as a conflict, and
    // nothing changes in Greenhouse.
    let before = expected_app(&sb, rid);
    let back = seen.stage_remote_id.clone().unwrap();
    let (c, msg) = code(gh.move_application(&seen, &back).await);
    assert_eq!(c, "conflict", "{msg}");
    assert_eq!(expected_app(&sb, rid), before);

    // A stage of another job is the provider's validation error, with its message.
    let (c, msg) = code(gh.move_application(&now, &elsewhere).await);
    assert_eq!(c, "validation");
    assert!(msg.contains("not a stage of this application's job"), "{msg}");
    assert_eq!(expected_app(&sb, rid), before);

    // Rejected with one of the listed reasons.
    let reasons = gh.rejection_reasons().await.unwrap();
    assert_eq!(reasons.len(), 7, "{reasons:?}");
    assert!(reasons.iter().any(|r| r.name == "Lacking skill(s)/qualification(s)"), "{reasons:?}");
    gh.reject(&now, &reasons[0].remote_id).await.unwrap();
    let rejected = gh.application(rid).await.unwrap();
    assert_eq!(rejected.status.as_str(), "rejected");
    assert_eq!(application_out(&rejected), expected_app(&sb, rid));
    // Rejecting it again is refused with Greenhouse's reason.
    let (c, msg) = code(gh.reject(&rejected, &reasons[0].remote_id).await);
    assert_eq!(c, "validation");
    assert!(msg.contains("already rejected"), "{msg}");

    assert_eq!(code(gh.application("999999999").await).0, "not_found");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_note_arrives_byte_exact_and_is_listed() {
    let sb = start(30, Faults::default()).await;
    let gh = connector(&sb);
    let app = &sb.expected(ExportKind::Applications)[0];
    let (talent, application) = (app["talent_remote_id"].as_str().unwrap(), app["remote_id"].as_str().unwrap());
    let body = "<b>bold</b> & Zoë 日本\nsecond line";
    let before = gh.notes(talent, Some(application)).await.unwrap();
    gh.add_note(talent, Some(application), body).await.unwrap();
    let after = gh.notes(talent, Some(application)).await.unwrap();
    assert_eq!(after.len(), before.len() + 1);
    let new: Vec<_> = after.iter().filter(|n| !before.contains(n)).collect();
    assert_eq!(new.len(), 1);
    assert_eq!(new[0].body, body);
    // A note without an application lands on the candidate.
    gh.add_note(talent, None, "plain").await.unwrap();
    assert!(gh.notes(talent, None).await.unwrap().iter().any(|n| n.body == "plain"));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_write_answered_with_a_server_error_is_not_sent_again() {
    let sb = start(20, Faults { fail_rate: 1.0, ..Faults::default() }).await;
    let gh = connector(&sb);
    let talent = sb.expected(ExportKind::Talents)[0]["remote_id"].as_str().unwrap().to_string();
    let (c, msg) = code(gh.add_note(&talent, None, "once").await);
    assert_eq!(c, "unreachable", "{msg}");
    assert!(msg.contains("may or may not"), "{msg}");
    // The token endpoint is never failed: exactly one API request, the write, was made.
    assert_eq!(sb.stats().failures_injected, 1, "{:?}", sb.stats());
    sb.shutdown().await;
}
