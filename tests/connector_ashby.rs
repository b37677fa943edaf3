//! The Ashby connector over real HTTP against the in-process sandbox on 127.0.0.1 (and, for
//! the error shapes the sandbox never sends, a tiny fake server): a full pass yields exactly
//! what the sandbox holds, a syncToken pass only what changed, and every failure is typed.

mod common;

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use common::{application_out, job_out, stage_out, talent_out};
use secrecy::SecretString;
use serde_json::{json, Value};
use talentdeck::ats::ashby::Ashby;
use talentdeck::ats::{Connector, Endpoint, PageRequest, Since, Skipped};
use talentdeck::model::{Provider, Resource};
use talentdeck::sandbox::{Faults, Mutation, RateLimit, Sandbox, SandboxConfig};
use talentdeck::store::{Batch, ExportKind};
use talentdeck::Error;

// ---- helpers ----

async fn start(talents: usize, faults: Faults) -> Sandbox {
    let mut cfg = SandboxConfig::new(Provider::Ashby);
    cfg.talents = talents;
    cfg.faults = faults;
    Sandbox::start(cfg).await.expect("the sandbox starts")
}

fn key(sb: &Sandbox) -> String {
    sb.info().credentials["api_key"].as_str().expect("an api key").to_string()
}

fn endpoint(base_url: &str, key: &str) -> Endpoint {
    Endpoint {
        base_url: base_url.to_string(),
        auth_url: None,
        settings: Default::default(),
        secret: SecretString::from(key.to_string()),
    }
}

fn connector(sb: &Sandbox) -> Ashby {
    Ashby::new(endpoint(sb.base_url(), &key(sb)))
}

/// Everything one pass over a resource produced.
#[derive(Default)]
struct PassOut {
    batch: Batch,
    skipped: Vec<Skipped>,
    listed: Vec<String>,
    sync_token: Option<String>,
    pages: usize,
    warnings: Vec<String>,
    /// Every `next` handed back, in order.
    nexts: Vec<String>,
}

fn absorb(out: &mut PassOut, page: talentdeck::ats::Page) {
    out.batch.jobs.extend(page.batch.jobs);
    out.batch.stages.extend(page.batch.stages);
    out.batch.talents.extend(page.batch.talents);
    out.batch.applications.extend(page.batch.applications);
    out.skipped.extend(page.skipped);
    out.warnings.extend(page.warnings);
    out.listed.extend(page.listed);
    out.pages += 1;
    if let Some(n) = &page.next {
        out.nexts.push(n.clone());
    }
    if page.next.is_none() {
        out.sync_token = page.sync_token;
    } else {
        assert!(page.sync_token.is_none(), "only the last page carries the syncToken");
    }
}

/// A minimal engine: pages one resource to its end, starting from `page` (a stored `next`).
async fn pass_from(
    c: &dyn Connector,
    resource: Resource,
    since: Since,
    mut page: Option<String>,
) -> Result<PassOut, Error> {
    let mut out = PassOut::default();
    loop {
        let req = PageRequest { resource, since: since.clone(), until: Utc::now(), page: page.clone() };
        let p = c.page(&req).await?;
        page = p.next.clone();
        absorb(&mut out, p);
        if page.is_none() {
            return Ok(out);
        }
        assert!(out.pages < 1_000, "the pass never ends");
    }
}

async fn pass(c: &dyn Connector, resource: Resource, since: Since) -> Result<PassOut, Error> {
    pass_from(c, resource, since, None).await
}

fn records(out: &PassOut, kind: ExportKind) -> Vec<Value> {
    match kind {
        ExportKind::Jobs => out.batch.jobs.iter().map(job_out).collect(),
        ExportKind::Stages => out.batch.stages.iter().map(stage_out).collect(),
        ExportKind::Talents => out.batch.talents.iter().map(talent_out).collect(),
        ExportKind::Applications => out.batch.applications.iter().map(application_out).collect(),
    }
}

fn rid(v: &Value) -> String {
    v["remote_id"].as_str().expect("remote ids are strings").to_string()
}

/// Compares record by record (by remote id); no duplicates, nothing missing, nothing extra.
fn assert_records(what: &str, got: Vec<Value>, expected: Vec<Value>) {
    let mut by_id = BTreeMap::new();
    for g in got {
        let id = rid(&g);
        assert!(by_id.insert(id.clone(), g).is_none(), "{what}: {id} came twice");
    }
    let want_ids: Vec<String> = expected.iter().map(rid).collect();
    let missing: Vec<&String> = want_ids.iter().filter(|i| !by_id.contains_key(*i)).collect();
    assert!(missing.is_empty(), "{what}: {} missing, e.g. {:?}", missing.len(), missing.first());
    let want_set: HashSet<&String> = want_ids.iter().collect();
    let extra: Vec<&String> = by_id.keys().filter(|k| !want_set.contains(k)).collect();
    assert!(extra.is_empty(), "{what}: {} unexpected, e.g. {:?}", extra.len(), extra.first());
    for e in &expected {
        assert_eq!(&by_id[&rid(e)], e, "{what}: record {} differs", rid(e));
    }
}

fn resource_kind(r: Resource) -> ExportKind {
    match r {
        Resource::Jobs => ExportKind::Jobs,
        Resource::Stages => ExportKind::Stages,
        Resource::Talents => ExportKind::Talents,
        Resource::Applications => ExportKind::Applications,
        other => panic!("Ashby does not sync {other:?}"),
    }
}

/// A full pass over every resource, checked against `expected()`; returns the syncTokens.
async fn full_sync_matches(c: &Ashby, sb: &Sandbox) -> BTreeMap<&'static str, String> {
    let mut tokens = BTreeMap::new();
    for r in c.resources() {
        let out = pass(c, r, Since::Everything).await.unwrap_or_else(|e| panic!("{r:?} pass: {e} ({})", e.code()));
        assert!(out.skipped.is_empty(), "{r:?}: nothing skipped: {:?}", out.skipped);
        let kind = resource_kind(r);
        let expected = sb.expected(kind);
        let listed: HashSet<&String> = out.listed.iter().collect();
        assert_eq!(listed.len(), expected.len(), "{r:?}: listed holds every id once");
        assert!(expected.iter().all(|e| listed.contains(&rid(e))), "{r:?}: listed names every record");
        assert_records(r.as_str(), records(&out, kind), expected);
        match c.incremental(r) {
            talentdeck::ats::Incremental::Token => {
                tokens.insert(r.as_str(), out.sync_token.expect("a syncToken on the last page"));
            }
            _ => assert!(out.sync_token.is_none()),
        }
    }
    tokens
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

// ---- the sandbox ----

#[tokio::test]
async fn a_full_pass_yields_exactly_the_sandbox_account() {
    let sb = start(1_000, Faults::default()).await;
    let c = connector(&sb);
    assert_eq!(c.provider(), Provider::Ashby);
    assert_eq!(c.resources(), vec![Resource::Jobs, Resource::Stages, Resource::Talents, Resource::Applications]);
    assert_eq!(c.incremental(Resource::Stages), talentdeck::ats::Incremental::None);
    c.verify().await.expect("the sandbox credential verifies");
    let tokens = full_sync_matches(&c, &sb).await;
    assert_eq!(tokens.len(), 3);

    // Drafts came (job.list leaves them out unless asked), and every status is mapped.
    let jobs = sb.expected(ExportKind::Jobs);
    assert!(jobs.iter().any(|j| j["status"] == "draft"), "the sandbox has drafts");
    let apps = sb.expected(ExportKind::Applications);
    for s in ["active", "rejected", "hired"] {
        assert!(apps.iter().any(|a| a["status"] == s), "some application is {s}");
    }
    // 1,000 talents at 100 a page: 10 pages; the request count stays small.
    let out = pass(&c, Resource::Talents, Since::Everything).await.unwrap();
    assert_eq!(out.pages, 10);
    assert_eq!(c.stats().requests(), sb.stats().requests);
    sb.shutdown().await;
}

/// Issue 13: an open job's description and pay range come from its posting
/// (`jobPosting.info`, one request per job listed); a job without a posting has no details to
/// read, and one whose posting Ashby no longer shows is kept, without details (the stored ones
/// stay), while the page says which job to check.
#[tokio::test]
async fn a_jobs_description_and_pay_come_from_its_posting_and_a_lost_posting_keeps_the_job() {
    let sb = start(50, Faults::default()).await;
    let c = connector(&sb);
    let before = sb.stats().requests;
    let out = pass(&c, Resource::Jobs, Since::Everything).await.unwrap();
    let open: Vec<_> = out.batch.jobs.iter().filter(|j| j.status.as_str() == "open").collect();
    assert!(!open.is_empty() && open.len() < out.batch.jobs.len(), "the sandbox has open and other jobs");
    for j in &out.batch.jobs {
        match j.status.as_str() {
            "open" => {
                let d = j.details.as_ref().expect("an open job's posting is read");
                let html = d.description_html.as_deref().unwrap_or_default();
                assert!(html.contains("<h3>What you will do</h3>"), "{html}");
                assert!(d.compensation.as_deref().is_none_or(|p| p.starts_with('$') && p.contains(" – ")), "{d:?}");
            }
            _ => assert_eq!(j.details, None, "{j:?}: no posting, nothing to say"),
        }
    }
    assert!(open.iter().any(|j| j.details.as_ref().unwrap().compensation.is_some()), "some posting shows its pay");
    // job.list, department.list, location.list, then one jobPosting.info per open job.
    assert_eq!(sb.stats().requests - before, 3 + open.len() as u64);
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);

    let lost = open[0];
    let report = sb.mutate(Mutation { lose_job_posting: Some(lost.remote_id.clone()), ..Default::default() });
    assert!(report.not_found.is_empty());
    let again = pass(&c, Resource::Jobs, Since::Everything).await.unwrap();
    assert_eq!(again.batch.jobs.len(), out.batch.jobs.len(), "every job is kept");
    let kept = again.batch.jobs.iter().find(|j| j.remote_id == lost.remote_id).unwrap();
    assert_eq!(kept.details, None);
    assert!(
        again.batch.jobs.iter().filter(|j| j.status.as_str() == "open").filter(|j| j.details.is_some()).count()
            == open.len() - 1
    );
    assert_eq!(again.warnings.len(), 1, "{:?}", again.warnings);
    assert!(again.warnings[0].contains(&format!("{:?}", lost.title)), "{:?}", again.warnings);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_token_pass_returns_exactly_the_changes_with_few_requests() {
    let sb = start(1_000, Faults::default()).await;
    let c = connector(&sb);
    let before_full = sb.stats().requests;
    let tokens = full_sync_matches(&c, &sb).await;
    let full_requests = sb.stats().requests - before_full;

    let report = sb.mutate(Mutation { update_talents: 20, move_applications: 10, ..Default::default() });
    assert_eq!(report.updated_talents.len(), 20);
    assert_eq!(report.moved_applications.len(), 10);
    let before = sb.stats().requests;

    let talents = pass(&c, Resource::Talents, Since::Token(tokens["talents"].clone())).await.unwrap();
    assert_eq!(
        sorted(talents.batch.talents.iter().map(|t| t.remote_id.clone()).collect()),
        sorted(report.updated_talents.clone())
    );
    let want: Vec<Value> =
        sb.expected(ExportKind::Talents).into_iter().filter(|t| report.updated_talents.contains(&rid(t))).collect();
    assert_records("changed talents", records(&talents, ExportKind::Talents), want);

    let apps = pass(&c, Resource::Applications, Since::Token(tokens["applications"].clone())).await.unwrap();
    let want: Vec<Value> = sb
        .expected(ExportKind::Applications)
        .into_iter()
        .filter(|a| report.moved_applications.contains(&rid(a)))
        .collect();
    assert_eq!(want.len(), 10);
    assert_records("moved applications", records(&apps, ExportKind::Applications), want);

    let jobs = pass(&c, Resource::Jobs, Since::Token(tokens["jobs"].clone())).await.unwrap();
    assert!(jobs.batch.jobs.is_empty(), "no job changed");

    let delta_requests = sb.stats().requests - before;
    assert_eq!(delta_requests, 3, "one page per resource");
    assert!(delta_requests * 10 < full_requests, "{delta_requests} requests vs {full_requests} for the full sync");

    // The new tokens see nothing new.
    for (r, out) in [(Resource::Talents, &talents), (Resource::Applications, &apps), (Resource::Jobs, &jobs)] {
        let again = pass(&c, r, Since::Token(out.sync_token.clone().expect("a new token"))).await.unwrap();
        assert_eq!(again.batch.len(), 0, "{r:?}: nothing changed since");
    }
    sb.shutdown().await;
}

#[tokio::test]
async fn a_multi_page_delta_resumes_from_a_stored_page_in_a_new_process() {
    let sb = start(1_000, Faults::default()).await;
    let c = connector(&sb);
    let token = pass(&c, Resource::Talents, Since::Everything).await.unwrap().sync_token.unwrap();
    let report = sb.mutate(Mutation { update_talents: 150, ..Default::default() });

    // First page, then "crash": a fresh connector continues from the stored `next` verbatim.
    let since = Since::Token(token);
    let first = c
        .page(&PageRequest { resource: Resource::Talents, since: since.clone(), until: Utc::now(), page: None })
        .await
        .unwrap();
    assert_eq!(first.batch.talents.len(), 100);
    let next = first.next.clone().expect("a second page");
    assert!(!next.contains(&key(&sb)), "the page position holds no secret");
    let fresh = connector(&sb);
    let rest = pass_from(&fresh, Resource::Talents, since, Some(next)).await.unwrap();
    assert_eq!(rest.pages, 1);
    let mut got: Vec<String> = first.batch.talents.iter().map(|t| t.remote_id.clone()).collect();
    got.extend(rest.batch.talents.iter().map(|t| t.remote_id.clone()));
    assert_eq!(sorted(got), sorted(report.updated_talents));
    assert!(rest.sync_token.is_some());
    sb.shutdown().await;
}

#[tokio::test]
async fn an_invalid_or_too_large_token_asks_for_a_resync() {
    let sb = start(300, Faults::default()).await;
    let c = connector(&sb);
    for r in [Resource::Jobs, Resource::Talents, Resource::Applications] {
        let e = pass(&c, r, Since::Token("not-a-token".into())).await.err().expect("refused");
        assert_eq!(e.code(), "resync_required", "{r:?}: {e}");
        assert!(e.to_string().contains("sync_token_invalid"), "{e}");
    }

    let token = pass(&c, Resource::Talents, Since::Everything).await.unwrap().sync_token.unwrap();
    sb.mutate(Mutation { update_talents: 100, ..Default::default() }); // a third of them: over the 20% limit
    let e = pass(&c, Resource::Talents, Since::Token(token.clone())).await.err().expect("refused");
    assert_eq!(e.code(), "resync_required");
    assert!(e.to_string().contains("incremental_sync_too_large"), "{e}");
    // The engine's answer, a full pass, works.
    let out = pass(&c, Resource::Talents, Since::Everything).await.unwrap();
    assert_records("talents", records(&out, ExportKind::Talents), sb.expected(ExportKind::Talents));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_wrong_key_is_unauthorized_and_never_echoed() {
    let sb = start(50, Faults::default()).await;
    let wrong = "ashby-wrong-key-0123456789";
    let c = Ashby::new(endpoint(sb.base_url(), wrong));
    let e = c.verify().await.expect_err("refused");
    assert_eq!(e.code(), "unauthorized", "{e}");
    assert!(!e.to_string().contains(wrong));
    let e = pass(&c, Resource::Talents, Since::Everything).await.err().expect("refused");
    assert_eq!(e.code(), "unauthorized");
    assert!(!format!("{e:?} {c:?}").contains(wrong), "neither the error nor the connector prints the key");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_credential_expiring_mid_pass_is_unauthorized() {
    let sb = start(1_000, Faults { expire_credential_after: Some(4), ..Default::default() }).await;
    let c = connector(&sb);
    let mut page = None;
    let mut pages = 0;
    let err = loop {
        let req = PageRequest {
            resource: Resource::Talents,
            since: Since::Everything,
            until: Utc::now(),
            page: page.clone(),
        };
        match c.page(&req).await {
            Ok(p) => {
                pages += 1;
                page = Some(p.next.expect("the credential dies before the last page"));
            }
            Err(e) => break e,
        }
    };
    assert_eq!(pages, 4, "the pages before the expiry landed");
    assert_eq!(err.code(), "unauthorized", "{err}");
    assert!(sb.stats().unauthorized >= 1);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_missing_permission_is_named() {
    let sb = start(50, Faults { deny_scopes: vec!["hiringProcessMetadataRead".into()], ..Default::default() }).await;
    let c = connector(&sb);
    let e = c.verify().await.expect_err("refused");
    assert_eq!(e.code(), "permission_denied", "{e}");
    let msg = e.to_string();
    assert!(msg.contains("Hiring Process Metadata") && msg.contains("interviewPlan.list"), "{msg}");
    let e = pass(&c, Resource::Stages, Since::Everything).await.err().expect("refused");
    assert_eq!(e.code(), "permission_denied", "{e}");
    // Jobs need no such permission.
    assert!(pass(&c, Resource::Jobs, Since::Everything).await.is_ok());
    sb.shutdown().await;
}

#[tokio::test]
async fn a_corrupted_record_is_skipped_and_named_while_the_rest_land() {
    let sb = start(400, Faults::default()).await;
    let report = sb.mutate(Mutation { corrupt_talents: 4, ..Default::default() });
    let c = connector(&sb);
    let out = pass(&c, Resource::Talents, Since::Everything).await.unwrap();
    assert_records("talents", records(&out, ExportKind::Talents), sb.expected(ExportKind::Talents));
    let skipped: Vec<String> = out.skipped.iter().map(|s| s.remote_id.clone().expect("the id is named")).collect();
    assert_eq!(sorted(skipped), sorted(report.corrupted_talents.clone()));
    let fields: HashSet<&str> = out.skipped.iter().map(|s| s.field.as_str()).collect();
    assert_eq!(fields, HashSet::from(["emailAddresses", "name"]), "{:?}", out.skipped);
    assert!(out.skipped.iter().all(|s| !s.reason.is_empty() && !s.reason.contains('@')), "no personal data in reasons");
    // Skipped records are still listed, so reconciliation does not delete them.
    assert_eq!(out.listed.len(), 400);
    assert!(report.corrupted_talents.iter().all(|id| out.listed.contains(id)));
    // Their applications land.
    let apps = pass(&c, Resource::Applications, Since::Everything).await.unwrap();
    assert_records("applications", records(&apps, ExportKind::Applications), sb.expected(ExportKind::Applications));
    sb.shutdown().await;
}

#[tokio::test]
async fn a_fifth_of_requests_failing_still_completes() {
    let sb = start(600, Faults { fail_rate: 0.2, ..Default::default() }).await;
    let c = connector(&sb);
    full_sync_matches(&c, &sb).await;
    assert!(sb.stats().failures_injected > 0, "failures were injected");
    assert!(c.stats().retries.load(std::sync::atomic::Ordering::Relaxed) >= sb.stats().failures_injected);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_rate_limit_is_waited_out() {
    let limit: RateLimit = "8/1s".parse().unwrap();
    let sb = start(300, Faults { rate_limit: Some(limit), ..Default::default() }).await;
    let c = connector(&sb);
    full_sync_matches(&c, &sb).await;
    assert!(sb.stats().rate_limited > 0, "the limit was hit");
    assert_eq!(c.stats().rate_limited(), sb.stats().rate_limited);
    sb.shutdown().await;
}

// ---- a fake Ashby for what the sandbox never sends ----

type Seen = Arc<Mutex<Vec<(String, axum::http::HeaderMap, Value)>>>;

/// Serves `answer(endpoint, body) -> (status, body text)` on 127.0.0.1; records every request.
async fn fake(answer: impl Fn(&str, &Value) -> (u16, String) + Send + Sync + 'static) -> (String, Seen) {
    use axum::extract::State;
    use axum::http::{HeaderMap, StatusCode, Uri};
    type Answer = Arc<dyn Fn(&str, &Value) -> (u16, String) + Send + Sync>;
    let seen: Seen = Arc::default();
    let state: (Answer, Seen) = (Arc::new(answer), seen.clone());
    let app =
        axum::Router::new()
            .fallback(
                |State((answer, seen)): State<(Answer, Seen)>,
                 uri: Uri,
                 headers: HeaderMap,
                 body: axum::body::Bytes| async move {
                    let what = uri.path().trim_start_matches('/').to_string();
                    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    let (status, text) = answer(&what, &body);
                    seen.lock().unwrap().push((what, headers, body));
                    (StatusCode::from_u16(status).unwrap(), [("content-type", "application/json")], text)
                },
            )
            .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), seen)
}

fn refusal(code: &str) -> String {
    json!({ "success": false, "errorInfo": { "code": code, "message": format!("{code} happened"), "requestId": "r1" }, "errors": [code] })
        .to_string()
}

#[tokio::test]
async fn requests_carry_basic_auth_version_headers_and_paging_bodies() {
    let (url, seen) = fake(|what, body| {
        let results = match what {
            "candidate.list" if body.get("cursor").is_none() => {
                return (
                    200,
                    json!({ "success": true, "results": [], "moreDataAvailable": true, "nextCursor": "c2" })
                        .to_string(),
                )
            }
            _ => json!([]),
        };
        (
            200,
            json!({ "success": true, "results": results, "moreDataAvailable": false, "syncToken": "tok-2" })
                .to_string(),
        )
    })
    .await;
    let c = Ashby::new(endpoint(&url, "k3y"));
    let out = pass(&c, Resource::Talents, Since::Token("tok-1".into())).await.unwrap();
    assert_eq!(out.sync_token.as_deref(), Some("tok-2"));
    pass(&c, Resource::Jobs, Since::Everything).await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    for (_, h, _) in seen.iter() {
        // base64("k3y:")
        assert_eq!(h["authorization"], "Basic azN5Og==");
        assert_eq!(h["accept"], "application/json; version=1");
        assert_eq!(h["ashby-version"], "2026-01-01");
        assert!(h["content-type"].to_str().unwrap().starts_with("application/json"));
    }
    assert_eq!(seen[0].0, "candidate.list");
    assert_eq!(seen[0].2, json!({ "limit": 100, "syncToken": "tok-1" }));
    assert_eq!(seen[1].2, json!({ "limit": 100, "syncToken": "tok-1", "cursor": "c2" }));
    assert_eq!(seen[2].0, "job.list");
    assert_eq!(seen[2].2, json!({ "limit": 100, "status": ["Open", "Closed", "Draft", "Archived"] }));
}

#[tokio::test]
async fn errors_inside_http_200_bodies_are_typed() {
    let (url, _) = fake(|what, _| {
        let code = match what {
            "candidate.list" => "sync_token_expired",
            "application.list" => "next_cursor_expired",
            "job.list" => "missing_endpoint_permission",
            "interviewPlan.list" => "invalid_api_key",
            _ => "invalid_input",
        };
        (200, refusal(code))
    })
    .await;
    let c = Ashby::new(endpoint(&url, "k"));
    let e = pass(&c, Resource::Talents, Since::Token("t".into())).await.err().unwrap();
    assert_eq!(e.code(), "resync_required");
    let e = pass(&c, Resource::Applications, Since::Token("t".into())).await.err().unwrap();
    assert_eq!(e.code(), "resync_required");
    let e = pass(&c, Resource::Jobs, Since::Everything).await.err().unwrap();
    assert_eq!(e.code(), "permission_denied");
    assert!(e.to_string().contains("Jobs (read)") && e.to_string().contains("job.list"), "{e}");
    let e = c.verify().await.err().unwrap();
    assert_eq!(e.code(), "permission_denied", "verify reports the missing permission (job.list) before other refusals");

    // A 403 that is not about a permission module is Ashby's answer to a wrong or deactivated key.
    let (url, _) = fake(|_, _| (403, refusal("forbidden"))).await;
    let e = Ashby::new(endpoint(&url, "k")).verify().await.err().unwrap();
    assert_eq!(e.code(), "unauthorized", "{e}");
    let (url, _) = fake(|_, _| (403, refusal("missing_endpoint_permission"))).await;
    let e = Ashby::new(endpoint(&url, "k")).verify().await.err().unwrap();
    assert_eq!(e.code(), "permission_denied", "{e}");
    let (url, _) = fake(|what, _| {
        if what == "job.list" {
            (200, json!({"success": true, "results": []}).to_string())
        } else {
            (200, refusal("invalid_api_key"))
        }
    })
    .await;
    let e = Ashby::new(endpoint(&url, "k")).verify().await.err().unwrap();
    assert_eq!(e.code(), "unauthorized", "{e}");
}

#[tokio::test]
async fn a_body_that_is_not_an_ashby_page_is_an_invalid_response() {
    for body in [
        "<html>502 Bad Gateway</html>".to_string(),
        json!({ "results": [] }).to_string(),
        json!({ "success": true, "results": "nope" }).to_string(),
        json!({ "success": true, "results": [], "moreDataAvailable": true }).to_string(),
        json!({ "success": true, "results": [], "moreDataAvailable": true, "nextCursor": "same" }).to_string(),
    ] {
        let b = body.clone();
        let (url, _) = fake(move |_, _| (200, b.clone())).await;
        let c = Ashby::new(endpoint(&url, "k"));
        let page = Some(r#"{"r":"talents","c":"same"}"#.to_string());
        let e = pass_from(&c, Resource::Talents, Since::Everything, page).await.err().expect("refused");
        assert_eq!(e.code(), "invalid_response", "{body}: {e}");
    }
}

#[tokio::test]
async fn a_resumed_full_pass_whose_cursor_expired_starts_the_list_over() {
    let (url, seen) = fake(|_, body| {
        if body.get("cursor").is_some() {
            (200, refusal("next_cursor_expired"))
        } else {
            let c = json!({ "id": "c1", "name": "Ada", "updatedAt": "2026-01-01T00:00:00.000Z" });
            (200, json!({ "success": true, "results": [c], "moreDataAvailable": false, "syncToken": "t" }).to_string())
        }
    })
    .await;
    let c = Ashby::new(endpoint(&url, "k"));
    let page = Some(r#"{"r":"talents","c":"old"}"#.to_string());
    let out = pass_from(&c, Resource::Talents, Since::Everything, page).await.unwrap();
    assert_eq!(out.batch.talents.len(), 1);
    assert_eq!(seen.lock().unwrap().len(), 2);
    // In a delta pass the engine decides: it drops the token.
    let page = Some(r#"{"r":"talents","c":"old","t":"tok"}"#.to_string());
    let e = pass_from(&c, Resource::Talents, Since::Token("tok".into()), page).await.err().unwrap();
    assert_eq!(e.code(), "resync_required");
}

#[tokio::test]
async fn departments_and_locations_are_read_once() {
    let (url, seen) = fake(|what, _| {
        let results = match what {
            "department.list" => json!([{ "id": "d1", "name": "Engineering" }]),
            "location.list" => json!([{ "id": "l1", "name": "Berlin" }]),
            "job.list" => json!([
                { "id": "j1", "title": "Backend", "status": "Open", "departmentId": "d1", "locationId": "l1", "updatedAt": "2026-01-01T00:00:00.000Z" },
                { "id": "j2", "title": "Frontend", "status": "Draft", "departmentId": null, "locationId": "l1", "updatedAt": "2026-01-01T00:00:00Z" },
                { "id": "j3", "title": "Broken", "status": "Paused", "updatedAt": "2026-01-01T00:00:00Z" },
                { "id": "j4", "title": "Old", "status": "Archived", "departmentId": "d-gone", "updatedAt": "2026-01-01T00:00:00Z" }
            ]),
            _ => json!([]),
        };
        (200, json!({ "success": true, "results": results, "moreDataAvailable": false, "syncToken": "t" }).to_string())
    })
    .await;
    let c = Ashby::new(endpoint(&url, "k"));
    for _ in 0..3 {
        let out = pass(&c, Resource::Jobs, Since::Everything).await.unwrap();
        assert_eq!(out.batch.jobs.len(), 3);
        assert_eq!(out.batch.jobs[0].department.as_deref(), Some("Engineering"));
        assert_eq!(out.batch.jobs[0].location.as_deref(), Some("Berlin"));
        assert_eq!(out.batch.jobs[1].department, None);
        assert_eq!(out.batch.jobs[2].department, None, "an id department.list does not know");
        assert_eq!(
            out.skipped,
            vec![Skipped {
                remote_id: Some("j3".into()),
                field: "status".into(),
                reason: "not one of Open, Closed, Draft, Archived".into()
            }]
        );
        assert_eq!(out.listed, vec!["j1", "j2", "j3", "j4"]);
    }
    let seen = seen.lock().unwrap();
    // Read once (an unknown id does not send every page back to department.list).
    assert_eq!(seen.iter().filter(|(w, _, _)| w == "department.list").count(), 1);
    let dep = seen.iter().find(|(w, _, _)| w == "department.list").unwrap();
    assert_eq!(dep.2, json!({ "includeArchived": true, "limit": 100 }), "archived departments too: old jobs name them");
    assert_eq!(seen.iter().filter(|(w, _, _)| w == "location.list").count(), 1);
}

// ---- writes (two-way sync) ----

fn expected_app(sb: &Sandbox, id: &str) -> Value {
    sb.expected(ExportKind::Applications).into_iter().find(|a| a["remote_id"] == id).expect("the application exists")
}

#[tokio::test]
async fn an_application_is_read_moved_and_rejected_into_its_plans_archived_stage() {
    let sb = start(60, Faults::default()).await;
    let c = connector(&sb);
    // Every stage carries its Ashby type.
    let stages = pass(&c, Resource::Stages, Since::Everything).await.unwrap().batch.stages;
    assert!(stages.iter().all(|s| s.ats_type.is_some()), "{stages:?}");
    assert!(stages.iter().any(|s| s.ats_type.as_deref() == Some("Archived")));
    let in_play = |s: &&talentdeck::model::Stage| {
        matches!(s.ats_type.as_deref(), Some("PreInterviewScreen" | "Active" | "Offer"))
    };

    let apps = sb.expected(ExportKind::Applications);
    let (want, to, elsewhere) =
        apps.iter()
            .filter(|a| a["status"] == "active" && a["stage_remote_id"].is_string())
            .find_map(|a| {
                let job = a["job_remote_id"].as_str()?;
                let to = stages.iter().filter(in_play).find(|s| {
                    s.job_remote_id.as_deref() == Some(job) && a["stage_remote_id"] != s.remote_id.as_str()
                })?;
                let other = stages.iter().find(|s| s.job_remote_id.as_deref() != Some(job))?;
                Some((a.clone(), to.remote_id.clone(), other.remote_id.clone()))
            })
            .expect("an active application with another stage to go to");
    let id = want["remote_id"].as_str().unwrap();

    let seen = c.application(id).await.unwrap();
    assert_eq!(application_out(&seen), want, "read exactly as the sync maps it");

    c.move_application(&seen, &to).await.unwrap();
    let now = c.application(id).await.unwrap();
    assert_eq!(now.stage_remote_id.as_deref(), Some(to.as_str()));
    assert_eq!(application_out(&now), expected_app(&sb, id));

    let before = expected_app(&sb, id);
    let e = c.move_application(&now, &elsewhere).await.expect_err("another job's stage");
    assert_eq!(e.code(), "validation", "{e}");
    assert!(e.to_string().contains("interview_stage_not_found"), "{e}");
    assert_eq!(expected_app(&sb, id), before);

    let reasons = c.rejection_reasons().await.unwrap();
    let names: Vec<&str> = reasons.iter().map(|r| r.name.as_str()).collect();
    assert!(names.contains(&"Not a fit") && names.contains(&"Duplicate"), "{names:?}");
    c.reject(&now, &reasons[0].remote_id).await.unwrap();
    let rejected = c.application(id).await.unwrap();
    assert_eq!(rejected.status.as_str(), "rejected");
    let archived = stages.iter().find(|s| Some(&s.remote_id) == rejected.stage_remote_id.as_ref()).unwrap();
    assert_eq!(
        (archived.ats_type.as_deref(), archived.job_remote_id.as_deref()),
        (Some("Archived"), want["job_remote_id"].as_str())
    );
    assert_eq!(application_out(&rejected), expected_app(&sb, id));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(rejected.extra.as_str()).unwrap()["archiveReason"]["id"],
        reasons[0].remote_id.as_str()
    );

    // An unknown reason is Ashby's validation error; a gone application is NotFound.
    let other = apps.iter().find(|a| a["status"] == "active" && a["remote_id"] != id).unwrap();
    let other = c.application(other["remote_id"].as_str().unwrap()).await.unwrap();
    let e = c.reject(&other, "00000000-0000-0000-0000-00000000abcd").await.expect_err("no such reason");
    assert_eq!(e.code(), "validation", "{e}");
    assert_eq!(c.application("00000000-0000-0000-0000-00000000abcd").await.unwrap_err().code(), "not_found");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_note_arrives_byte_exact_as_plain_text() {
    let sb = start(30, Faults::default()).await;
    let c = connector(&sb);
    let talent = sb.expected(ExportKind::Talents)[0]["remote_id"].as_str().unwrap().to_string();
    let body = "<b>bold</b> & Zoë 日本";
    let before = c.notes(&talent, None).await.unwrap();
    c.add_note(&talent, None, body).await.unwrap();
    let after = c.notes(&talent, None).await.unwrap();
    let new: Vec<_> = after.iter().filter(|n| !before.contains(n)).collect();
    assert_eq!(new.len(), 1, "{after:?}");
    assert_eq!(new[0].body, body);
    let e = c.add_note("00000000-0000-0000-0000-00000000abcd", None, body).await.expect_err("no such candidate");
    assert_eq!(e.code(), "not_found", "{e}");
    sb.shutdown().await;
}
