//! The Lever connector against the sandbox's Lever v1 over real HTTP on 127.0.0.1 (and, for
//! answers the sandbox never gives, a few scripted servers).
//!
//! A small in-memory driver stands in for the sync engine: it walks each resource's pages
//! (handing `next` back verbatim), applies every batch like the store does (upserts by remote
//! id, deletions, a talent deletion taking its applications), reconciles a full pass against
//! `listed`, and after the opportunities pass prunes talents left without applications (what
//! the engine does for Lever with `Store::prune_talents_without_applications`). Talents are
//! upserted unconditionally: the connector itself must never emit an older opportunity's
//! person over a newer one.

mod common;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use common::{application_out, job_out, stage_out, talent_out};
use reqwest::Client;
use serde_json::{json, Value};
use talentdeck::ats::lever::Lever;
use talentdeck::ats::{Connector, Endpoint, Incremental, PageRequest, Since, Skipped};
use talentdeck::model::{Application, Job, Provider, Resource, Stage, Talent};
use talentdeck::sandbox::{Faults, Mutation, RateLimit, Sandbox, SandboxConfig};
use talentdeck::store::{Batch, Deletion, ExportKind};
use talentdeck::Error;

// ---- the driver ----

/// What a store would hold after the batches, keyed by remote id.
#[derive(Default)]
struct Local {
    jobs: BTreeMap<String, Job>,
    stages: BTreeMap<String, Stage>,
    talents: BTreeMap<String, Talent>,
    apps: BTreeMap<String, Application>,
    skipped: Vec<Skipped>,
    deletions: Vec<Deletion>,
    /// Talents written (each upsert counted), to see how often a contact's person was rewritten.
    talent_writes: usize,
}

impl Local {
    fn apply(&mut self, b: Batch) {
        for j in b.jobs {
            self.jobs.insert(j.remote_id.clone(), j);
        }
        for s in b.stages {
            self.stages.insert(s.remote_id.clone(), s);
        }
        for t in b.talents {
            self.talent_writes += 1;
            self.talents.insert(t.remote_id.clone(), t);
        }
        for a in b.applications {
            self.apps.insert(a.remote_id.clone(), a);
        }
        for d in b.deletions {
            match d.resource {
                Resource::Jobs => {
                    self.jobs.remove(&d.remote_id);
                }
                Resource::Stages => {
                    self.stages.remove(&d.remote_id);
                }
                Resource::Applications => {
                    self.apps.remove(&d.remote_id);
                }
                Resource::Talents => {
                    self.talents.remove(&d.remote_id);
                    self.apps.retain(|_, a| a.talent_remote_id != d.remote_id);
                }
                r => panic!("Lever never deletes {r:?}"),
            }
            self.deletions.push(d);
        }
    }

    /// After a complete full pass: what it did not list is gone.
    fn reconcile(&mut self, resource: Resource, listed: &HashSet<String>) {
        match resource {
            Resource::Jobs => self.jobs.retain(|id, _| listed.contains(id)),
            Resource::Stages => self.stages.retain(|id, _| listed.contains(id)),
            Resource::Applications => self.apps.retain(|id, _| listed.contains(id)),
            r => panic!("no {r:?} pass in Lever"),
        }
    }

    fn prune_talents_without_applications(&mut self) {
        let referenced: HashSet<&String> = self.apps.values().map(|a| &a.talent_remote_id).collect();
        let orphans: Vec<String> = self.talents.keys().filter(|t| !referenced.contains(t)).cloned().collect();
        for t in orphans {
            self.talents.remove(&t);
        }
    }

    /// The records in the export contract's shape (without `connection`), by remote id.
    fn export(&self, kind: ExportKind) -> Vec<Value> {
        match kind {
            ExportKind::Jobs => self.jobs.values().map(job_out).collect(),
            ExportKind::Stages => self.stages.values().map(stage_out).collect(),
            ExportKind::Talents => self.talents.values().map(talent_out).collect(),
            ExportKind::Applications => self.apps.values().map(application_out).collect(),
        }
    }
}

/// Walks passes like the engine: one connector, or a fresh one for every page (each page then
/// runs as if the app had crashed and resumed from the stored `next`).
struct Driver {
    endpoint: Endpoint,
    lever: Lever,
    fresh_per_page: bool,
}

/// The overlap the engine takes off an incremental pass's start.
const OVERLAP: Duration = Duration::minutes(5);

impl Driver {
    fn new(endpoint: Endpoint) -> Driver {
        Driver { lever: Lever::new(endpoint.clone()), endpoint, fresh_per_page: false }
    }

    async fn pass(
        &mut self,
        local: &mut Local,
        resource: Resource,
        since: Since,
        until: DateTime<Utc>,
    ) -> Result<usize, Error> {
        let mut page = None;
        let mut listed = HashSet::new();
        let mut pages = 0;
        loop {
            if self.fresh_per_page {
                self.lever = Lever::new(self.endpoint.clone());
            }
            let req = PageRequest { resource, since: since.clone(), until, page: page.clone() };
            let p = self.lever.page(&req).await?;
            pages += 1;
            assert!(pages < 10_000, "pagination never ends");
            listed.extend(p.listed);
            local.skipped.extend(p.skipped);
            local.apply(p.batch);
            match p.next {
                Some(n) => page = Some(n),
                None => break,
            }
        }
        if since == Since::Everything {
            local.reconcile(resource, &listed);
        }
        if resource == Resource::Applications {
            local.prune_talents_without_applications();
        }
        Ok(pages)
    }

    /// One sync of every resource; `since` is the previous sync's start (None: full).
    async fn sync(&mut self, local: &mut Local, since: Option<DateTime<Utc>>) -> Result<DateTime<Utc>, Error> {
        let until = Utc::now();
        for r in self.lever.resources() {
            let s = match (since, self.lever.incremental(r)) {
                (Some(t), Incremental::UpdatedAt) => Since::UpdatedSince(t - OVERLAP),
                _ => Since::Everything,
            };
            self.pass(local, r, s, until).await?;
        }
        Ok(until)
    }
}

// ---- helpers ----

const KINDS: [ExportKind; 4] = [ExportKind::Jobs, ExportKind::Stages, ExportKind::Talents, ExportKind::Applications];

async fn start(talents: usize, faults: Faults) -> Sandbox {
    let mut cfg = SandboxConfig::new(Provider::Lever);
    cfg.talents = talents;
    cfg.faults = faults;
    Sandbox::start(cfg).await.expect("the sandbox starts")
}

fn api_key(sb: &Sandbox) -> String {
    sb.info().credentials["api_key"].as_str().expect("an API key").to_string()
}

fn endpoint(base_url: &str, key: &str) -> Endpoint {
    Endpoint {
        base_url: base_url.to_string(),
        auth_url: None,
        settings: Default::default(),
        secret: key.to_string().into(),
    }
}

fn endpoint_of(sb: &Sandbox) -> Endpoint {
    endpoint(sb.base_url(), &api_key(sb))
}

/// Record by record against what the sandbox says a correct sync holds.
fn assert_same(kind: ExportKind, got: Vec<Value>, want: Vec<Value>) {
    let by_id = |v: Vec<Value>| -> BTreeMap<String, Value> {
        v.into_iter().map(|r| (r["remote_id"].as_str().expect("string remote ids").to_string(), r)).collect()
    };
    let (got, want) = (by_id(got), by_id(want));
    let mut problems = Vec::new();
    for (id, w) in &want {
        match got.get(id) {
            None => problems.push(format!("missing {id}: {w}")),
            Some(g) if g != w => problems.push(format!("differs {id}:\n   got  {g}\n   want {w}")),
            Some(_) => {}
        }
    }
    for id in got.keys().filter(|id| !want.contains_key(*id)) {
        problems.push(format!("unexpected {id}: {}", got[id]));
    }
    let n = problems.len();
    problems.truncate(8);
    assert!(
        n == 0,
        "{kind:?}: {n} records wrong ({} synced, {} expected), e.g.\n{}",
        got.len(),
        want.len(),
        problems.join("\n")
    );
}

fn assert_matches_sandbox(local: &Local, sb: &Sandbox) {
    for kind in KINDS {
        assert_same(kind, local.export(kind), sb.expected(kind));
    }
}

/// Every opportunity as the sandbox serves it, with the page (of 100) it arrives on.
async fn raw_opportunities(sb: &Sandbox) -> Vec<(usize, Value)> {
    let client = Client::new();
    let mut out = Vec::new();
    let mut offset: Option<String> = None;
    for page in 0.. {
        let mut q = vec![("limit", "100".to_string())];
        if let Some(o) = &offset {
            q.push(("offset", o.clone()));
        }
        let body: Value = client
            .get(format!("{}/opportunities", sb.base_url()))
            .basic_auth(api_key(sb), Some(""))
            .query(&q)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        out.extend(body["data"].as_array().unwrap().iter().map(|o| (page, o.clone())));
        match body["next"].as_str() {
            Some(n) if body["hasNext"] == true => offset = Some(n.to_string()),
            _ => break,
        }
    }
    out
}

fn code(r: Result<impl std::fmt::Debug, Error>) -> (String, String) {
    let e = r.expect_err("an error");
    (e.code().to_string(), e.to_string())
}

// ---- full passes ----

#[tokio::test]
async fn a_full_sync_yields_exactly_the_sandbox_account() {
    let sb = start(1_500, Faults::default()).await;
    let mut d = Driver::new(endpoint_of(&sb));
    d.lever.verify().await.expect("the sandbox key works and has every permission");
    assert_eq!(d.lever.resources(), vec![Resource::Jobs, Resource::Stages, Resource::Applications]);
    assert_eq!(d.lever.incremental(Resource::Stages), Incremental::None);

    let (before, mine) = (sb.stats().requests, d.lever.stats().requests());
    let mut local = Local::default();
    d.sync(&mut local, None).await.expect("a full sync");
    assert!(local.skipped.is_empty(), "nothing is malformed: {:?}", local.skipped);
    assert_matches_sandbox(&local, &sb);

    // Some contacts have several opportunities with other headlines and tags; the talent is the
    // most recent one's (compared above). One request a page plus the cached pipeline/reasons.
    let opps = sb.expected(ExportKind::Applications).len();
    let requests = sb.stats().requests - before;
    let jobs_pages = sb.expected(ExportKind::Jobs).len().div_ceil(100);
    assert_eq!(requests as usize, jobs_pages + 1 + opps.div_ceil(100) + 2, "no request per contact");
    assert_eq!(d.lever.stats().requests() - mine, requests, "the connector counts what it sent");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_pass_resumed_on_every_page_still_takes_each_contacts_latest_opportunity() {
    let sb = start(1_500, Faults::default()).await;

    // The hazard is real: some contact's most recent opportunity comes on an earlier page than
    // an older one of theirs, so a plain upsert in listing order would keep the older person.
    let raw = raw_opportunities(&sb).await;
    let mut by_contact: HashMap<String, Vec<(usize, i64, String)>> = HashMap::new();
    for (page, o) in &raw {
        by_contact.entry(o["contact"].as_str().unwrap().to_string()).or_default().push((
            *page,
            o["updatedAt"].as_i64().unwrap(),
            o["id"].as_str().unwrap().to_string(),
        ));
    }
    let hazards = by_contact
        .values()
        .filter(|v| {
            let latest = v.iter().max_by(|a, b| (a.1, &a.2).cmp(&(b.1, &b.2))).unwrap();
            v.iter().any(|o| o.0 > latest.0)
        })
        .count();
    assert!(hazards > 0, "the sandbox data has contacts whose older opportunity comes on a later page");

    let mut d = Driver::new(endpoint_of(&sb));
    d.fresh_per_page = true;
    let mut local = Local::default();
    d.sync(&mut local, None).await.expect("a full sync resumed on every page");
    assert_matches_sandbox(&local, &sb);
    sb.shutdown().await;
}

#[tokio::test]
async fn pages_fetched_ahead_but_never_written_do_not_confuse_a_rewound_pass() {
    // The engine fetches a few pages ahead of its writer; if a write fails, the pass resumes
    // from the last stored token, possibly with the same connector.
    let sb = start(1_500, Faults::default()).await;
    let lever = Lever::new(endpoint_of(&sb));
    let mut local = Local::default();
    let until = Utc::now();
    let req =
        |page: Option<String>| PageRequest { resource: Resource::Applications, since: Since::Everything, until, page };
    let mut tokens: Vec<Option<String>> = vec![None];
    for k in 0..6 {
        let p = lever.page(&req(tokens[k].clone())).await.unwrap();
        if k < 3 {
            local.apply(p.batch); // written; pages 3..5 were fetched ahead and lost
        }
        tokens.push(Some(p.next.expect("more pages")));
    }
    let mut page = tokens[3].clone();
    loop {
        let p = lever.page(&req(page.clone())).await.unwrap();
        local.apply(p.batch);
        match p.next {
            Some(n) => page = Some(n),
            None => break,
        }
    }
    assert_same(ExportKind::Talents, local.export(ExportKind::Talents), sb.expected(ExportKind::Talents));
    assert_same(
        ExportKind::Applications,
        local.export(ExportKind::Applications),
        sb.expected(ExportKind::Applications),
    );
    sb.shutdown().await;
}

// ---- incremental ----

#[tokio::test]
async fn an_incremental_sync_brings_updates_moves_and_deletions_for_few_requests() {
    let sb = start(2_000, Faults::default()).await;
    let mut d = Driver::new(endpoint_of(&sb));
    let mut local = Local::default();
    let r0 = sb.stats().requests;
    let started = d.sync(&mut local, None).await.expect("the full sync");
    let full = sb.stats().requests - r0;
    assert_matches_sandbox(&local, &sb);

    let report = sb.mutate(Mutation {
        update_talents: 12,
        delete_talents: 6,
        move_applications: 9,
        update_jobs: 3,
        ..Default::default()
    });
    assert_eq!(report.deleted_talents.len(), 6);
    let before = local.export(ExportKind::Talents);

    let r1 = sb.stats().requests;
    local.deletions.clear();
    let writes = local.talent_writes;
    d.sync(&mut local, Some(started)).await.expect("the incremental sync");
    let incremental = sb.stats().requests - r1;
    assert_matches_sandbox(&local, &sb);

    // The changes arrived, deletions included (from /opportunities/deleted).
    let deleted: HashSet<&str> =
        local.deletions.iter().filter(|d| d.resource == Resource::Applications).map(|d| d.remote_id.as_str()).collect();
    for a in &report.deleted_applications {
        assert!(deleted.contains(a.as_str()), "deleted opportunity {a} reported");
    }
    for t in &report.deleted_talents {
        assert!(!local.talents.contains_key(t), "deleted talent {t} is gone");
    }
    let after: HashMap<String, Value> = local
        .export(ExportKind::Talents)
        .into_iter()
        .map(|t| (t["remote_id"].as_str().unwrap().to_string(), t))
        .collect();
    for t in &report.updated_talents {
        let old = before.iter().find(|b| b["remote_id"] == t.as_str()).unwrap();
        assert_ne!(&after[t]["emails"], &old["emails"], "talent {t} has its new e-mail");
    }
    for a in &report.moved_applications {
        assert_eq!(
            local.apps[a].updated_at.timestamp_millis(),
            chrono::DateTime::parse_from_rfc3339(&report.at).unwrap().timestamp_millis()
        );
    }
    assert!(local.talent_writes - writes < 60, "only changed contacts are rewritten: {}", local.talent_writes - writes);
    assert!(incremental * 4 < full, "incremental {incremental} requests vs full {full}");
    sb.shutdown().await;
}

// ---- credentials and permissions ----

#[tokio::test]
async fn a_wrong_key_is_unauthorized() {
    let sb = start(50, Faults::default()).await;
    let lever = Lever::new(endpoint(sb.base_url(), "not-the-key-0123456789"));
    let (c, msg) = code(lever.verify().await);
    assert_eq!(c, "unauthorized");
    assert!(!msg.contains("not-the-key"), "the key is never in a message: {msg}");
    let req = PageRequest { resource: Resource::Applications, since: Since::Everything, until: Utc::now(), page: None };
    assert_eq!(code(lever.page(&req).await).0, "unauthorized");
    assert_eq!(sb.stats().unauthorized, 2, "a 401 is not retried");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_credential_expiring_mid_sync_stops_it_as_unauthorized() {
    let sb = start(800, Faults { expire_credential_after: Some(6), ..Default::default() }).await;
    let mut d = Driver::new(endpoint_of(&sb));
    let mut local = Local::default();
    let (c, _) = code(d.sync(&mut local, None).await);
    assert_eq!(c, "unauthorized");
    assert!(!local.apps.is_empty(), "the pages before the expiry landed");
    sb.shutdown().await;
}

#[tokio::test]
async fn verify_names_a_missing_permission() {
    let sb = start(50, Faults { deny_scopes: vec!["archive_reasons:read:admin".into()], ..Default::default() }).await;
    let lever = Lever::new(endpoint_of(&sb));
    let (c, msg) = code(lever.verify().await);
    assert_eq!(c, "permission_denied");
    assert!(msg.contains("archive_reasons:read:admin") && msg.contains("GET /archive_reasons"), "{msg}");
    sb.shutdown().await;
}

// ---- bad data and a misbehaving server ----

#[tokio::test]
async fn corrupted_opportunities_are_skipped_by_name_and_the_rest_land() {
    let sb = start(500, Faults::default()).await;
    let report = sb.mutate(Mutation { corrupt_talents: 6, ..Default::default() });
    let corrupt: HashSet<&str> = report.corrupted_talents.iter().map(String::as_str).collect();
    let bad_opps: HashSet<String> = raw_opportunities(&sb)
        .await
        .into_iter()
        .filter(|(_, o)| corrupt.contains(o["contact"].as_str().unwrap()))
        .map(|(_, o)| o["id"].as_str().unwrap().to_string())
        .collect();

    let mut d = Driver::new(endpoint_of(&sb));
    let mut local = Local::default();
    d.sync(&mut local, None).await.expect("a sync with malformed records completes");
    let skipped: HashSet<String> = local.skipped.iter().map(|s| s.remote_id.clone().expect("named")).collect();
    assert_eq!(skipped, bad_opps, "exactly the malformed opportunities are skipped");
    assert!(local.skipped.iter().all(|s| s.field == "emails" || s.field == "name"), "{:?}", local.skipped);
    assert!(local.skipped.iter().any(|s| s.field == "emails") && local.skipped.iter().any(|s| s.field == "name"));
    assert_matches_sandbox(&local, &sb);
    sb.shutdown().await;
}

#[tokio::test]
async fn transient_failures_are_retried_to_a_complete_sync() {
    let sb = start(800, Faults { fail_rate: 0.2, ..Default::default() }).await;
    let mut d = Driver::new(endpoint_of(&sb));
    let mut local = Local::default();
    d.sync(&mut local, None).await.expect("a sync through 20% server errors");
    assert!(sb.stats().failures_injected > 0);
    assert_matches_sandbox(&local, &sb);
    sb.shutdown().await;
}

#[tokio::test]
async fn a_rate_limited_account_still_syncs_completely() {
    let limit: RateLimit = "4/1s".parse().unwrap();
    let sb = start(600, Faults { rate_limit: Some(limit), ..Default::default() }).await;
    let mut d = Driver::new(endpoint_of(&sb));
    let mut local = Local::default();
    d.sync(&mut local, None).await.expect("a sync under a tight rate limit");
    assert!(sb.stats().rate_limited > 0, "the limit was hit and waited out");
    assert_matches_sandbox(&local, &sb);
    sb.shutdown().await;
}

type Script = Arc<dyn Fn(&str, &str) -> (StatusCode, String) + Send + Sync>;

/// A server answering `(path, query) → (status, body)`; returns its `/v1` base URL.
async fn scripted(script: Script) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let script = script.clone();
        async move {
            let (status, body) = script(uri.path(), uri.query().unwrap_or(""));
            (status, [("content-type", "application/json")], body)
        }
    });
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://127.0.0.1:{port}/v1")
}

#[tokio::test]
async fn a_page_that_is_not_json_or_not_a_page_is_an_invalid_response() {
    let base = scripted(Arc::new(|path, _| match path {
        "/v1/postings" => (StatusCode::OK, "<html>upstream busy</html>".into()),
        "/v1/stages" => (StatusCode::OK, r#"{"data": 5}"#.into()),
        "/v1/opportunities" => (StatusCode::OK, r#"{"data": [], "hasNext": true}"#.into()),
        _ => (StatusCode::OK, r#"{"data": [], "hasNext": false}"#.into()),
    }))
    .await;
    let lever = Lever::new(endpoint(&base, "k"));
    let req = |resource| PageRequest { resource, since: Since::Everything, until: Utc::now(), page: None };
    let (c, msg) = code(lever.page(&req(Resource::Jobs)).await);
    assert_eq!(c, "invalid_response");
    assert!(msg.contains("upstream busy"), "the body's excerpt is in the message: {msg}");
    let (c, msg) = code(lever.page(&req(Resource::Stages)).await);
    assert_eq!(c, "invalid_response");
    assert!(msg.contains("data"), "{msg}");
    assert_eq!(code(lever.page(&req(Resource::Applications)).await).0, "invalid_response");
}

#[tokio::test]
async fn a_deleted_opportunity_that_names_its_contact_settles_that_talent() {
    // The sandbox (like Lever's documented shape) lists deletions as {id, deletedAt}; should a
    // record also name the contact, the talent is deleted when nothing of it remains and
    // re-read from the remaining most recent opportunity otherwise.
    let base = scripted(Arc::new(|path, query| {
        let empty = r#"{"data": [], "hasNext": false}"#.to_string();
        match path {
            "/v1/opportunities/deleted" => {
                assert!(query.contains("deleted_at_start="), "{query}");
                (
                    StatusCode::OK,
                    json!({ "data": [
                    { "id": "o1", "contact": "c1", "deletedAt": 1_790_000_000_000i64 },
                    { "id": "o2", "contact": "c2", "deletedAt": 1_790_000_000_001i64 },
                ], "hasNext": false })
                    .to_string(),
                )
            }
            "/v1/opportunities" if query.contains("contact_id=") => {
                assert!(query.contains("contact_id=c1") && query.contains("contact_id=c2"), "{query}");
                (
                    StatusCode::OK,
                    json!({ "data": [
                    { "id": "o3", "contact": "c2", "name": "Ada", "emails": ["ada@x.example"], "phones": [],
                      "headline": "Engines", "tags": [], "stage": null, "archived": null, "applications": [],
                      "updatedAt": 1_780_000_000_000i64 },
                ], "hasNext": false })
                    .to_string(),
                )
            }
            _ => (StatusCode::OK, empty),
        }
    }))
    .await;
    let lever = Lever::new(endpoint(&base, "k"));
    let since = Since::UpdatedSince(Utc::now() - Duration::hours(1));
    let mut req = PageRequest { resource: Resource::Applications, since, until: Utc::now(), page: None };
    let first = lever.page(&req).await.unwrap();
    assert!(first.batch.is_empty());
    req.page = Some(first.next.expect("an incremental pass goes on to the deletions"));
    let p = lever.page(&req).await.unwrap();
    assert!(p.next.is_none());
    let d: Vec<(Resource, &str)> = p.batch.deletions.iter().map(|d| (d.resource, d.remote_id.as_str())).collect();
    assert_eq!(d, vec![(Resource::Applications, "o1"), (Resource::Applications, "o2"), (Resource::Talents, "c1")]);
    assert_eq!(p.batch.talents.len(), 1);
    assert_eq!((p.batch.talents[0].remote_id.as_str(), p.batch.talents[0].company.as_deref()), ("c2", Some("Engines")));
}

#[tokio::test]
async fn a_stage_added_after_the_pipeline_was_cached_is_named_and_an_unknown_one_reloads_once() {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    let stage_reads = Arc::new(AtomicUsize::new(0));
    let reads = stage_reads.clone();
    let opp = |id: &str, stage: &str, reason: Option<&str>| {
        json!({ "id": id, "contact": format!("c-{id}"), "name": "Ada", "emails": [], "phones": [{ "type": "mobile", "value": "+1 555" }],
                "headline": "", "tags": ["x"], "stage": stage,
                "archived": reason.map(|r| json!({ "reason": r, "archivedAt": 1_780_000_000_000i64 })),
                "applications": [{ "id": "a", "posting": "p1" }], "updatedAt": 1_780_000_000_000i64 })
    };
    let pages = [
        json!({ "data": [opp("o1", "s1", None)], "hasNext": true, "next": "t1" }),
        json!({ "data": [opp("o2", "s2", Some("r-hired"))], "hasNext": true, "next": "t2" }),
        json!({ "data": [opp("o3", "gone", Some("r-no"))], "hasNext": true, "next": "t3" }),
        json!({ "data": [opp("o4", "gone", None)], "hasNext": false }),
    ];
    let base = scripted(Arc::new(move |path, query| match path {
        "/v1/stages" => {
            // The second read knows a stage added meanwhile.
            let n = reads.fetch_add(1, SeqCst);
            let mut data = vec![json!({ "id": "s1", "text": "New lead" })];
            if n > 0 {
                data.push(json!({ "id": "s2", "text": "Added later" }));
            }
            (StatusCode::OK, json!({ "data": data, "hasNext": false }).to_string())
        }
        "/v1/archive_reasons" => (
            StatusCode::OK,
            json!({ "data": [{ "id": "r-hired", "text": "Hired", "type": "hired" }, { "id": "r-no", "text": "Timing", "type": "non-hired" }], "hasNext": false })
                .to_string(),
        ),
        "/v1/opportunities" => {
            let i = ["offset=t1", "offset=t2", "offset=t3"].iter().position(|t| query.contains(t)).map_or(0, |i| i + 1);
            (StatusCode::OK, pages[i].to_string())
        }
        _ => (StatusCode::NOT_FOUND, "{}".into()),
    }))
    .await;
    let mut d = Driver::new(endpoint(&base, "k"));
    let mut local = Local::default();
    d.pass(&mut local, Resource::Applications, Since::Everything, Utc::now()).await.unwrap();
    let a = |id: &str| &local.apps[id];
    assert_eq!(a("o1").stage_name.as_deref(), Some("New lead"));
    assert_eq!(a("o2").stage_name.as_deref(), Some("Added later"));
    assert_eq!(a("o2").status.as_str(), "hired");
    assert_eq!(a("o2").job_remote_id.as_deref(), Some("p1"));
    assert_eq!((a("o3").stage_name.as_deref(), a("o3").status.as_str()), (None, "rejected"));
    assert_eq!(a("o4").status.as_str(), "active");
    assert_eq!(stage_reads.load(SeqCst), 3, "read once, again for s2, once more for the unknown stage, not for o4");
    let t = &local.talents["c-o1"];
    assert_eq!(
        (t.company.as_deref(), t.phones.clone(), t.tags.clone()),
        (None, vec!["+1 555".to_string()], vec!["x".to_string()])
    );
}

// ---- writes (two-way sync) ----

fn expected_app(sb: &Sandbox, rid: &str) -> Value {
    sb.expected(ExportKind::Applications).into_iter().find(|a| a["remote_id"] == rid).expect("the opportunity exists")
}

/// An active opportunity in a stage, and another stage of the (account-wide) pipeline.
fn movable(sb: &Sandbox) -> (Value, String) {
    let a = sb
        .expected(ExportKind::Applications)
        .into_iter()
        .find(|a| a["status"] == "active" && a["stage_remote_id"].is_string() && a["job_remote_id"].is_string())
        .expect("an active opportunity");
    let to = sb.expected(ExportKind::Stages).into_iter().find(|s| s["remote_id"] != a["stage_remote_id"]).unwrap();
    (a, to["remote_id"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn an_opportunity_is_read_moved_and_archived_with_a_non_hired_reason() {
    let sb = start(60, Faults::default()).await;
    let lever = Lever::new(endpoint_of(&sb));
    let (want, to) = movable(&sb);
    let rid = want["remote_id"].as_str().unwrap();

    let seen = lever.application(rid).await.unwrap();
    assert_eq!(application_out(&seen), want, "read exactly as the sync maps it");

    lever.move_application(&seen, &to).await.unwrap();
    let now = lever.application(rid).await.unwrap();
    assert_eq!(now.stage_remote_id.as_deref(), Some(to.as_str()));
    assert_eq!(application_out(&now), expected_app(&sb, rid));

    // Only reasons that reject: the sandbox also has two of type "hired".
    let reasons = lever.rejection_reasons().await.unwrap();
    let names: Vec<&str> = reasons.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["Underqualified", "Withdrew", "Position filled", "Timing", "Offer declined"]);
    lever.reject(&now, &reasons[0].remote_id).await.unwrap();
    let rejected = lever.application(rid).await.unwrap();
    assert_eq!(rejected.status.as_str(), "rejected");
    assert_eq!(application_out(&rejected), expected_app(&sb, rid));

    // Lever's refusals, typed.
    let (c, msg) = code(lever.reject(&rejected, "00000000-0000-0000-0000-00000000abcd").await);
    assert_eq!(c, "validation");
    assert!(msg.contains("archive reason"), "{msg}");
    assert_eq!(code(lever.application("00000000-0000-0000-0000-00000000abcd").await).0, "not_found");
    let mut gone = rejected.clone();
    gone.remote_id = "00000000-0000-0000-0000-00000000abcd".into();
    assert_eq!(code(lever.move_application(&gone, &to).await).0, "not_found");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_note_arrives_byte_exact_as_the_configured_user() {
    let sb = start(30, Faults::default()).await;
    let key = api_key(&sb);
    let users: Value = Client::new()
        .get(format!("{}/users", sb.base_url()))
        .basic_auth(&key, Some(""))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user = users["data"][2]["id"].as_str().unwrap().to_string();
    let mut ep = endpoint_of(&sb);
    ep.settings.perform_as = Some(user.clone());
    let lever = Lever::new(ep);
    let app = &sb.expected(ExportKind::Applications)[0];
    let (talent, opp) = (app["talent_remote_id"].as_str().unwrap(), app["remote_id"].as_str().unwrap());

    let body = "<b>bold</b> & Zoë 日本";
    let before = lever.notes(talent, Some(opp)).await.unwrap();
    lever.add_note(talent, Some(opp), body).await.unwrap();
    let after = lever.notes(talent, Some(opp)).await.unwrap();
    let new: Vec<_> = after.iter().filter(|n| !before.contains(n)).collect();
    assert_eq!(new.len(), 1, "{after:?}");
    assert_eq!(new[0].body, body);
    // Written as the perform_as user.
    let raw: Value = Client::new()
        .get(format!("{}/opportunities/{opp}/notes", sb.base_url()))
        .basic_auth(&key, Some(""))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let written = raw["data"].as_array().unwrap().iter().find(|n| n["id"] == new[0].remote_id.as_str()).unwrap();
    assert_eq!(written["user"], user.as_str());

    // Lever notes need an opportunity.
    assert_eq!(code(lever.add_note(talent, None, body).await).0, "validation");
    // A perform_as that is not a Lever user is refused with Lever's message.
    let mut ep = endpoint_of(&sb);
    ep.settings.perform_as = Some("00000000-0000-0000-0000-00000000abcd".into());
    let (c, msg) = code(Lever::new(ep).add_note(talent, Some(opp), body).await);
    assert_eq!(c, "validation");
    assert!(msg.contains("perform_as"), "{msg}");
    sb.shutdown().await;
}

#[tokio::test]
async fn a_rate_limited_write_waits_and_lands_once_but_a_server_error_is_not_sent_again() {
    let limit = RateLimit { requests: 1, window: std::time::Duration::from_secs(1) };
    let sb = start(20, Faults { rate_limit: Some(limit), ..Faults::default() }).await;
    let lever = Lever::new(endpoint_of(&sb));
    let app = &sb.expected(ExportKind::Applications)[0];
    let (talent, opp) = (app["talent_remote_id"].as_str().unwrap(), app["remote_id"].as_str().unwrap());
    lever.add_note(talent, Some(opp), "first").await.unwrap();
    lever.add_note(talent, Some(opp), "second").await.unwrap();
    assert!(sb.stats().rate_limited >= 1, "the second write met a 429: {:?}", sb.stats());
    let notes = lever.notes(talent, Some(opp)).await.unwrap();
    assert_eq!(notes.iter().filter(|n| n.body == "second").count(), 1, "{notes:?}");
    sb.shutdown().await;

    let sb = start(20, Faults { fail_rate: 1.0, ..Faults::default() }).await;
    let lever = Lever::new(endpoint_of(&sb));
    let app = &sb.expected(ExportKind::Applications)[0];
    let (talent, opp) = (app["talent_remote_id"].as_str().unwrap(), app["remote_id"].as_str().unwrap());
    let (c, msg) = code(lever.add_note(talent, Some(opp), "once").await);
    assert_eq!(c, "unreachable", "{msg}");
    assert_eq!(sb.stats().requests, 1, "{:?}", sb.stats());
    sb.shutdown().await;
}
