//! Ashby: RPC-style API (`POST /<resource>.<action>` with a JSON body), HTTP Basic with the API
//! key as username, errors inside HTTP 200 bodies (`success: false` + `errorInfo.code`), and
//! `{limit, cursor, syncToken}` paging with `moreDataAvailable` / `nextCursor` and a `syncToken`
//! on the last page (shared/ats-apis.md §3).
//!
//! Mapping onto the model:
//! - job → [`Job`]; department and location names come from `department.list` and
//!   `location.list`, read once per connector and cached (re-read once when a job names an id
//!   the cache does not know);
//! - the stages of every job's interview plans (`interviewStage.list {interviewPlanId}`) →
//!   [`Stage`] with the job's id; the Stages pass pages `job.list` itself and re-reads in full;
//! - candidate → [`Talent`] (one `name` field: `first_name`/`last_name` stay `None`);
//! - application → [`Application`] (`Archived` → rejected, `Hired` → hired, else active).
//!
//! Jobs, candidates and applications are incremental through `syncToken`. The delta does not
//! carry deletions: the engine reconciles them after full passes from [`Page::listed`]. A
//! candidate carries its file handles, so its files come with it (bytes: `file.info`).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::http::{self, redact, HttpClient, RetryPolicy};
use super::record::{self, Read, Rec};
use super::{Connector, Endpoint, Incremental, Page, PageRequest, Since};
use model::error::{Error, Result};
use model::{
    Application, ApplicationStatus, Attachment, Job, JobStatus, Provider, RejectionReason, RemoteNote, Resource, Stage,
    Talent,
};

/// The API version Talentdeck is written against (sent as `Ashby-Version`).
pub const API_VERSION: &str = "2026-01-01";
/// Ashby's page size limit (also its default).
const PAGE_LIMIT: u64 = 100;
/// `job.list` leaves drafts out unless they are asked for by name.
const JOB_STATUSES: [&str; 4] = ["Open", "Closed", "Draft", "Archived"];
/// Error codes after which the token (or cursor) is useless: drop it and list everything.
const RESYNC_CODES: [&str; 5] =
    ["sync_token_expired", "sync_token_invalid", "next_cursor_expired", "invalid_next_cursor", "incremental_sync_too_large"];
/// Codes that mean the stored cursor (not the token) is dead.
const CURSOR_CODES: [&str; 2] = ["next_cursor_expired", "invalid_next_cursor"];

/// The Ashby connector. Holds the API key for its own life only; never prints it.
pub struct Ashby {
    endpoint: Endpoint,
    http: HttpClient,
    /// Department and location names by id, read once.
    org: tokio::sync::Mutex<Option<Arc<Org>>>,
    /// `Ashby-Version-Status: deprecated` is logged once per connector.
    warned_deprecated: AtomicBool,
    /// Stage id → the Archived-type stage of its interview plan (where a rejection moves an
    /// application), filled a plan at a time.
    archived_stage: tokio::sync::Mutex<HashMap<String, String>>,
}

impl std::fmt::Debug for Ashby {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ashby").field("base_url", &self.endpoint.base_url).finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Org {
    departments: HashMap<String, String>,
    locations: HashMap<String, String>,
    /// Ids jobs named that a fresh read did not know: not worth another read.
    missing: HashSet<String>,
}

/// What `Page::next` carries: everything needed to ask for the following page, even from a
/// new process after a crash.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Resume {
    /// The resource the pass is over (a guard against a checkpoint of another pass).
    r: String,
    /// Ashby's `nextCursor` (of `job.list` in the Stages pass).
    c: String,
    /// The `syncToken` the delta run started from, sent with every page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    t: Option<String>,
}

/// `success: false`: the code and message Ashby gave.
struct Refusal {
    code: String,
    message: String,
}

/// One list page as Ashby returns it.
struct ListPage {
    results: Vec<Value>,
    next_cursor: Option<String>,
    sync_token: Option<String>,
}

impl Ashby {
    pub fn new(endpoint: Endpoint) -> Ashby {
        Ashby {
            endpoint,
            http: HttpClient::new("Ashby", 1000, Duration::from_secs(60), RetryPolicy::default()),
            org: tokio::sync::Mutex::new(None),
            warned_deprecated: AtomicBool::new(false),
            archived_stage: tokio::sync::Mutex::new(HashMap::new()),
        }
    }

    fn url(&self, what: &str) -> String {
        format!("{}/{what}", self.endpoint.base_url.trim_end_matches('/'))
    }

    /// POSTs `body` to `/<what>`. The outer error is transport/HTTP/shape; the inner one is
    /// Ashby's `success: false`, left to the caller (see [`Ashby::post`]).
    async fn post_raw(&self, what: &str, body: &Value) -> Result<std::result::Result<Value, Refusal>> {
        self.post_as(false, what, body).await
    }

    /// [`Ashby::post_raw`], sent as a read (retried) or a write (see [`HttpClient::send_write`]).
    async fn post_as(&self, write: bool, what: &str, body: &Value) -> Result<std::result::Result<Value, Refusal>> {
        let url = self.url(what);
        let label = format!("POST /{what}");
        let build = || {
            self.http
                .inner()
                .post(&url)
                .basic_auth(self.endpoint.secret.expose_secret(), Some(""))
                .header(reqwest::header::ACCEPT, "application/json; version=1")
                .header("Ashby-Version", API_VERSION)
                .json(body)
        };
        let sent = if write { self.http.send_write(&label, build).await } else { self.http.send(&label, build).await };
        let resp = sent.map_err(|e| http_error(what, e))?;
        if let Some(status) = resp.headers().get("ashby-version-status").and_then(|v| v.to_str().ok()) {
            if status.eq_ignore_ascii_case("deprecated") && !self.warned_deprecated.swap(true, Ordering::Relaxed) {
                tracing::warn!(version = API_VERSION, "Ashby reports the pinned API version as deprecated");
            }
        }
        let text = resp.text().await.map_err(|e| {
            let may = if write { "; the change may or may not have been made" } else { "" };
            Error::Unreachable(format!("Ashby's answer to {label} was cut off: {}{may}", redact(&e.to_string())))
        })?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|_| record::invalid("Ashby", &label, "with something that is not JSON", &text))?;
        match v.get("success").and_then(Value::as_bool) {
            Some(true) => Ok(Ok(v)),
            Some(false) => {
                let info = v.get("errorInfo");
                let code = info.and_then(|i| i.get("code")).and_then(Value::as_str).unwrap_or("unknown_error").to_string();
                let message = info
                    .and_then(|i| i.get("message"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| {
                        v.get("errors").and_then(Value::as_array).map(|a| {
                            a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; ")
                        })
                    })
                    .unwrap_or_default();
                Ok(Err(Refusal { code, message: redact(&message) }))
            }
            None => Err(record::invalid("Ashby", &label, "without a success flag", &text)),
        }
    }

    /// POSTs and maps `success: false` to a typed error.
    async fn post(&self, what: &str, body: &Value) -> Result<Value> {
        self.post_raw(what, body).await?.map_err(|r| refusal_error(what, &r))
    }

    /// POSTs a write; Ashby's refusals become `NotFound` / `Validation` with its message.
    async fn post_write(&self, what: &str, body: &Value) -> Result<Value> {
        self.post_as(true, what, body).await?.map_err(|r| write_refusal(what, &r))
    }

    /// The Archived-type stage of the interview plan `stage` belongs to: the application's plan
    /// (`application.info`), then its stages (`interviewStage.list`); cached per plan.
    async fn archived_stage_for(&self, app: &Application) -> Result<String> {
        let mut cache = self.archived_stage.lock().await;
        if let Some(found) = app.stage_remote_id.as_ref().and_then(|s| cache.get(s)) {
            return Ok(found.clone());
        }
        let info = self.application_info(&app.remote_id).await?;
        let plan = match info.pointer("/currentInterviewStage/interviewPlanId").and_then(Value::as_str) {
            Some(p) => p.to_string(),
            // No plan on the stage: the job's plan.
            None => {
                let job = app.job_remote_id.as_deref().ok_or_else(|| {
                    Error::Validation(format!("the Ashby application {} has no job to reject it from", app.remote_id))
                })?;
                let v = self.post("jobInterviewPlan.info", &json!({ "jobId": job })).await?;
                v.pointer("/results/interviewPlanId").and_then(Value::as_str).map(str::to_string).ok_or_else(|| {
                    record::invalid("Ashby", "jobInterviewPlan.info", "without an interviewPlanId", &v.to_string())
                })?
            }
        };
        let stages = self.list_all("interviewStage.list", json!({ "interviewPlanId": plan })).await?;
        let archived = stages
            .iter()
            .find(|s| stage_type(&Rec::new(s)).as_deref() == Some("Archived"))
            .and_then(|s| s.get("id").and_then(Value::as_str))
            .map(str::to_string)
            .ok_or_else(|| {
                Error::Validation(format!(
                    "the Ashby interview plan of application {} has no Archived stage to reject it into",
                    app.remote_id
                ))
            })?;
        for id in stages.iter().filter_map(|s| s.get("id").and_then(Value::as_str)) {
            cache.insert(id.to_string(), archived.clone());
        }
        Ok(archived)
    }

    /// `application.info {applicationId}`'s application object.
    async fn application_info(&self, remote_id: &str) -> Result<Value> {
        match self.post_raw("application.info", &json!({ "applicationId": remote_id })).await? {
            Ok(mut v) => match v.get_mut("results").map(Value::take) {
                Some(app @ Value::Object(_)) => Ok(app),
                _ => Err(record::invalid("Ashby", "application.info", "without the application", &v.to_string())),
            },
            Err(r) if r.code == "application_not_found" => {
                Err(Error::NotFound(format!("Ashby no longer has the application {remote_id}")))
            }
            Err(r) => Err(refusal_error("application.info", &r)),
        }
    }

    /// One page of a list endpoint, its shape checked.
    async fn list_page(&self, what: &str, body: &Value) -> Result<ListPage> {
        let v = self.post(what, body).await?;
        parse_list(what, body, v)
    }

    /// Every record of a small list (departments, locations, a plan's stages).
    async fn list_all(&self, what: &str, base: Value) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut body = base.clone();
            body["limit"] = json!(PAGE_LIMIT);
            if let Some(c) = &cursor {
                body["cursor"] = json!(c);
            }
            let page = self.list_page(what, &body).await?;
            out.extend(page.results);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(out),
            }
        }
    }

    async fn load_org(&self) -> Result<Org> {
        let mut org = Org::default();
        for v in self.list_all("department.list", json!({ "includeArchived": true })).await? {
            if let (Some(id), Some(name)) = (v.get("id").and_then(Value::as_str), v.get("name").and_then(Value::as_str)) {
                org.departments.insert(id.to_string(), name.to_string());
            }
        }
        for v in self.list_all("location.list", json!({ "includeArchived": true })).await? {
            if let (Some(id), Some(name)) = (v.get("id").and_then(Value::as_str), v.get("name").and_then(Value::as_str)) {
                org.locations.insert(id.to_string(), name.to_string());
            }
        }
        Ok(org)
    }

    /// The cached names; read again (once) if one of `need` is unknown, e.g. a department
    /// created since the cache was filled.
    async fn org(&self, need_departments: &[&str], need_locations: &[&str]) -> Result<Arc<Org>> {
        let mut guard = self.org.lock().await;
        if let Some(org) = guard.as_ref() {
            let known = need_departments.iter().all(|d| org.departments.contains_key(*d) || org.missing.contains(*d))
                && need_locations.iter().all(|l| org.locations.contains_key(*l) || org.missing.contains(*l));
            if known {
                return Ok(org.clone());
            }
        }
        let mut org = self.load_org().await?;
        if let Some(old) = guard.as_ref() {
            org.missing.extend(old.missing.iter().cloned());
        }
        for d in need_departments {
            if !org.departments.contains_key(*d) {
                tracing::warn!(department = %d, "an Ashby job names a department department.list does not know");
                org.missing.insert(d.to_string());
            }
        }
        for l in need_locations {
            if !org.locations.contains_key(*l) {
                tracing::warn!(location = %l, "an Ashby job names a location location.list does not know");
                org.missing.insert(l.to_string());
            }
        }
        let org = Arc::new(org);
        *guard = Some(org.clone());
        Ok(org)
    }

    /// The first page body of a pass over a token-capable list, or the body for `resume`.
    fn list_body(resource: Resource, token: Option<&str>, cursor: Option<&str>) -> Value {
        let mut body = json!({ "limit": PAGE_LIMIT });
        if resource == Resource::Jobs || resource == Resource::Stages {
            body["status"] = json!(JOB_STATUSES);
        }
        if let Some(t) = token {
            body["syncToken"] = json!(t);
        }
        if let Some(c) = cursor {
            body["cursor"] = json!(c);
        }
        body
    }

    /// Where a pass stands: its syncToken (for a delta) and the cursor of the next page. A
    /// stored position that cannot be used (unreadable, or another resource's) starts the pass
    /// over from its first page: listing again is always correct, only slower.
    fn position(req: &PageRequest) -> (Option<String>, Option<String>) {
        if let Some(p) = &req.page {
            match serde_json::from_str::<Resume>(p) {
                Ok(r) if r.r == req.resource.as_str() => return (r.t, Some(r.c)),
                _ => tracing::warn!(resource = req.resource.as_str(), "the stored Ashby page position is unusable; starting the pass over"),
            }
        }
        let token = match &req.since {
            Since::Token(t) => Some(t.clone()),
            // Ashby has no updated-since filter: anything else is a full listing.
            Since::Everything | Since::UpdatedSince(_) => None,
        };
        (token, None)
    }

    /// One page of `job.list`, `candidate.list` or `application.list`.
    async fn record_page(&self, req: &PageRequest) -> Result<Page> {
        let what = match req.resource {
            Resource::Jobs => "job.list",
            Resource::Talents => "candidate.list",
            Resource::Applications => "application.list",
            other => return Err(unsupported(other)),
        };
        let (token, cursor) = Self::position(req);
        let body = Self::list_body(req.resource, token.as_deref(), cursor.as_deref());
        let list = match self.list_page(what, &body).await {
            // A full pass resumed after its cursor died: list from the start again (records
            // already written are upserted again, harmlessly). A delta pass instead lets the
            // engine fall back to a full pass.
            Err(Error::ResyncRequired(why)) if cursor.is_some() && token.is_none() && is_cursor_error(&why) => {
                tracing::info!(resource = req.resource.as_str(), "Ashby's page cursor expired; restarting the listing");
                let body = Self::list_body(req.resource, None, None);
                self.list_page(what, &body).await?
            }
            other => other?,
        };
        let mut page = Page::default();
        match req.resource {
            Resource::Jobs => {
                let mut deps = Vec::new();
                let mut locs = Vec::new();
                for v in &list.results {
                    if let Some(d) = v.get("departmentId").and_then(Value::as_str) {
                        deps.push(d);
                    }
                    if let Some(l) = v.get("locationId").and_then(Value::as_str) {
                        locs.push(l);
                    }
                }
                let org = if list.results.is_empty() { Arc::new(Org::default()) } else { self.org(&deps, &locs).await? };
                for v in &list.results {
                    record::read_into(&mut page, "Ashby", &Rec::new(v), |r| job(r, &org), |p, j| p.batch.jobs.push(j));
                }
            }
            Resource::Talents => {
                for v in &list.results {
                    record::read_into(&mut page, "Ashby", &Rec::new(v), |r| Ok((talent(r)?, files(r))), |p, (t, files)| {
                        match files {
                            // The candidate carries its complete file list: any other stored
                            // file of theirs was removed in Ashby.
                            Ok(files) => {
                                p.batch.files_of_talents.push(t.remote_id.clone());
                                p.batch.attachments.extend(files);
                            }
                            // Keep the candidate and the files stored for them; say why.
                            Err(s) => {
                                tracing::warn!(remote_id = ?s.remote_id, field = %s.field, reason = %s.reason, "ignoring an unreadable Ashby file handle");
                            }
                        }
                        p.batch.talents.push(t);
                    });
                }
            }
            _ => {
                for v in &list.results {
                    record::read_into(&mut page, "Ashby", &Rec::new(v), application, |p, a| p.batch.applications.push(a));
                }
            }
        }
        match list.next_cursor {
            Some(c) => page.next = Some(encode_resume(req.resource, c, token)),
            None => {
                page.sync_token = list.sync_token;
                if page.sync_token.is_none() {
                    tracing::warn!(endpoint = what, "Ashby sent no syncToken on the last page; the next pass will be a full one");
                }
            }
        }
        Ok(page)
    }

    /// One page of the Stages pass: a page of `job.list`, then the stages of those jobs' plans.
    async fn stage_page(&self, req: &PageRequest) -> Result<Page> {
        let (_, cursor) = Self::position(req);
        let body = Self::list_body(Resource::Stages, None, cursor.as_deref());
        let list = match self.list_page("job.list", &body).await {
            Err(Error::ResyncRequired(why)) if cursor.is_some() && is_cursor_error(&why) => {
                self.list_page("job.list", &Self::list_body(Resource::Stages, None, None)).await?
            }
            other => other?,
        };
        let mut page = Page::default();
        let mut seen = HashSet::new();
        for job in &list.results {
            let Some(job_id) = job.get("id").and_then(Value::as_str) else {
                continue; // the Jobs pass reports the malformed job
            };
            let mut plans: Vec<String> = Vec::new();
            if let Some(p) = job.get("defaultInterviewPlanId").and_then(Value::as_str) {
                plans.push(p.to_string());
            }
            for p in job.get("interviewPlanIds").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
                if !plans.iter().any(|x| x == p) {
                    plans.push(p.to_string());
                }
            }
            let mut stages = Vec::new();
            if plans.is_empty() {
                // No plan id on the job: ask for it.
                match self.post_raw("jobInterviewPlan.info", &json!({ "jobId": job_id })).await? {
                    Ok(v) => match v.get("results").and_then(|r| r.get("stages")).and_then(Value::as_array) {
                        Some(a) => stages.extend(a.iter().cloned()),
                        None => {
                            let what = "POST /jobInterviewPlan.info";
                            return Err(record::invalid("Ashby", what, "without a stages list", &v.to_string()));
                        }
                    },
                    Err(r) if gone(&r.code) => {}
                    Err(r) => return Err(refusal_error("jobInterviewPlan.info", &r)),
                }
            }
            for plan in &plans {
                match self.list_all("interviewStage.list", json!({ "interviewPlanId": plan })).await {
                    Ok(s) => stages.extend(s),
                    // The job or plan went away since job.list answered: nothing to list.
                    Err(Error::InvalidResponse(m)) if m.contains("interview_plan_not_found") || m.contains("job_not_found") => {}
                    Err(e) => return Err(e),
                }
            }
            for v in &stages {
                let id = v.get("id").and_then(Value::as_str).map(str::to_string);
                if let Some(id) = &id {
                    // A plan shared by jobs lists its stages once per page.
                    if !seen.insert(id.clone()) {
                        continue;
                    }
                }
                record::read_into(&mut page, "Ashby", &Rec::new(v), |r| stage(r, job_id), |p, s| p.batch.stages.push(s));
            }
        }
        if let Some(c) = list.next_cursor {
            page.next = Some(encode_resume(Resource::Stages, c, None));
        }
        Ok(page)
    }
}

#[async_trait]
impl Connector for Ashby {
    fn provider(&self) -> Provider {
        Provider::Ashby
    }

    fn resources(&self) -> Vec<Resource> {
        vec![Resource::Jobs, Resource::Stages, Resource::Talents, Resource::Applications]
    }

    fn incremental(&self, resource: Resource) -> Incremental {
        match resource {
            Resource::Jobs | Resource::Talents | Resource::Applications => Incremental::Token,
            _ => Incremental::None,
        }
    }

    async fn verify(&self) -> Result<()> {
        // The first call proves the key; each further one a permission module Talentdeck needs.
        let calls: [(&str, Value); 6] = [
            ("job.list", json!({ "limit": 1, "status": JOB_STATUSES })),
            ("candidate.list", json!({ "limit": 1 })),
            ("application.list", json!({ "limit": 1 })),
            ("interviewPlan.list", json!({ "limit": 1 })),
            ("department.list", json!({ "limit": 1 })),
            ("location.list", json!({ "limit": 1 })),
        ];
        // Every permission is checked, so one reconnect fixes all the missing ones. A refused
        // key stops at once (unless a permission was already found missing, which proves the
        // key is known); any other failure is reported only if no permission is missing.
        let mut denied = Vec::new();
        let mut other: Option<Error> = None;
        for (what, body) in calls {
            let v = match self.post(what, &body).await {
                Ok(v) => v,
                Err(Error::PermissionDenied(m)) => {
                    denied.push(m);
                    continue;
                }
                Err(e @ (Error::Unauthorized(_) | Error::Unreachable(_))) if denied.is_empty() => return Err(e),
                Err(e) => {
                    other.get_or_insert(e);
                    continue;
                }
            };
            if !v.get("results").is_some_and(Value::is_array) {
                let asked = format!("POST /{what} (needs {})", permission_of(what));
                return Err(record::invalid("Ashby", &asked, "without a results list", &v.to_string()));
            }
        }
        // The writes Talentdeck makes, with ids no record has (see `probe_denial`).
        let id = super::PROBE_ID;
        let writes: [(&str, Value); 2] = [
            ("application.changeStage", json!({ "applicationId": id, "interviewStageId": id })),
            ("candidate.createNote", json!({ "candidateId": id, "note": "" })),
        ];
        for (what, body) in writes {
            if let Some(m) = super::probe_denial(self.post(what, &body).await.map(drop))? {
                denied.push(m);
            }
        }
        match (denied.len(), other) {
            (0, None) => Ok(()),
            (0, Some(e)) => Err(e),
            (1, _) => Err(Error::PermissionDenied(denied.remove(0))),
            (n, _) => Err(Error::PermissionDenied(format!("Ashby refused {n} permissions Talentdeck needs: {}", denied.join("; ")))),
        }
    }

    async fn page(&self, req: &PageRequest) -> Result<Page> {
        match req.resource {
            Resource::Stages => self.stage_page(req).await,
            Resource::Jobs | Resource::Talents | Resource::Applications => self.record_page(req).await,
            other => Err(unsupported(other)),
        }
    }

    /// `file.info` turns the stored handle into a short-lived link, fetched without the key.
    async fn open_file(&self, file: &Attachment) -> Result<reqwest::Response> {
        let handle = file
            .url
            .as_deref()
            .ok_or_else(|| Error::Internal(format!("the Ashby file {} is stored without its handle", file.remote_id)))?;
        let answer = match self.post_raw("file.info", &json!({ "fileHandle": handle })).await? {
            Ok(v) => v,
            Err(r) if r.code.contains("not_found") => {
                return Err(Error::NotFound(format!(
                    "Ashby no longer has the file {:?}; the next sync removes it here",
                    file.filename
                )))
            }
            Err(r) => return Err(refusal_error("file.info", &r)),
        };
        let url = answer
            .pointer("/results/url")
            .and_then(Value::as_str)
            .ok_or_else(|| record::invalid("Ashby", "file.info", "without a url", &answer.to_string()))?;
        self.http.send("GET file", || self.http.inner().get(url)).await
    }

    fn stats(&self) -> &http::Stats {
        &self.http.stats
    }

    fn pacer(&self) -> crate::pace::SharedPacer {
        self.http.pacer_handle()
    }

    fn share_pacer(&mut self, pacer: crate::pace::SharedPacer) {
        self.http.share_pacer(pacer);
    }

    /// `application.info`, mapped by the sync's own [`application`].
    async fn application(&self, remote_id: &str) -> Result<Application> {
        let v = self.application_info(remote_id).await?;
        application(&Rec::new(&v)).map_err(|s| record::unreadable("Ashby", "application", remote_id, &s))
    }

    /// `application.changeStage {applicationId, interviewStageId}`. Ashby has no stale-stage
    /// guard: the caller reads before it writes.
    async fn move_application(&self, app: &Application, to: &str) -> Result<()> {
        let body = json!({ "applicationId": app.remote_id, "interviewStageId": to });
        self.post_write("application.changeStage", &body).await.map(drop)
    }

    /// Ashby has no reject call: a move to the plan's Archived-type stage with a reason.
    async fn reject(&self, app: &Application, reason: &str) -> Result<()> {
        let archived = self.archived_stage_for(app).await?;
        let body = json!({ "applicationId": app.remote_id, "interviewStageId": archived, "archiveReasonId": reason });
        self.post_write("application.changeStage", &body).await.map(drop)
    }

    /// `candidate.createNote` with `note` as a plain string (not `{type: "text/html"}`), so
    /// markup the recruiter typed stays text.
    async fn add_note(&self, talent: &str, _application: Option<&str>, body: &str) -> Result<()> {
        self.post_write("candidate.createNote", &json!({ "candidateId": talent, "note": body })).await.map(drop)
    }

    /// `candidate.listNotes {candidateId}`, every page. The text is the note's `content`
    /// (whether Ashby returns a plain-text note verbatim or as HTML is **unconfirmed**).
    async fn notes(&self, talent: &str, _application: Option<&str>) -> Result<Vec<RemoteNote>> {
        let notes = match self.list_all("candidate.listNotes", json!({ "candidateId": talent })).await {
            Err(Error::InvalidResponse(m)) if m.contains("candidate_not_found") => {
                return Err(Error::NotFound(format!("Ashby no longer has the candidate {talent}")))
            }
            other => other?,
        };
        let mut out = Vec::with_capacity(notes.len());
        for n in &notes {
            let id = n.get("id").and_then(Value::as_str);
            match (id, n.get("content").and_then(Value::as_str)) {
                (Some(id), Some(body)) => out.push(RemoteNote {
                    remote_id: id.to_string(),
                    body: body.to_string(),
                    author: note_author(n),
                    created_at: n
                        .get("createdAt")
                        .and_then(Value::as_str)
                        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
                        .map(|t| t.with_timezone(&Utc)),
                }),
                _ => tracing::warn!(id = ?id, "an Ashby note without an id or a content was ignored"),
            }
        }
        Ok(out)
    }

    /// `archiveReason.list`: the reasons not archived, and none whose type is a hire.
    async fn rejection_reasons(&self) -> Result<Vec<RejectionReason>> {
        let mut out = Vec::new();
        for r in self.list_all("archiveReason.list", json!({ "includeArchived": false })).await? {
            let archived = r.get("isArchived").and_then(Value::as_bool).unwrap_or(false);
            let hired = r.get("reasonType").and_then(Value::as_str).is_some_and(|t| t.eq_ignore_ascii_case("hired"));
            match (r.get("id").and_then(Value::as_str), r.get("text").and_then(Value::as_str)) {
                (Some(id), Some(text)) if !archived && !hired => {
                    out.push(RejectionReason { remote_id: id.to_string(), name: text.to_string() })
                }
                (Some(_), Some(_)) => {}
                _ => tracing::warn!("an Ashby archive reason without an id or a text was ignored"),
            }
        }
        Ok(out)
    }
}

/// A note's author as "First Last" from its `author` object (the sandbox's shape; the field is
/// **unconfirmed** in Ashby's public reference, so a note without it simply has no author).
fn note_author(n: &Value) -> Option<String> {
    let a = n.get("author")?;
    let part = |k: &str| a.get(k).and_then(Value::as_str).map(str::trim).unwrap_or("");
    let name = format!("{} {}", part("firstName"), part("lastName")).trim().to_string();
    (!name.is_empty()).then_some(name)
}

/// A stage's type: `type` in `interviewStage.list` and `jobInterviewPlan.info`,
/// `interviewStageType` in some of Ashby's reference pages (**unconfirmed** which; both read).
fn stage_type(r: &Rec<'_>) -> Option<String> {
    r.value("type").or_else(|| r.value("interviewStageType")).and_then(|t| t.as_str().map(str::to_string))
}

/// `success: false` on a write: gone records are `NotFound`, the refusals the recruiter can act
/// on (unknown stage or reason, a closed application) `Validation` with Ashby's message.
fn write_refusal(what: &str, r: &Refusal) -> Error {
    let code = r.code.as_str();
    if matches!(code, "application_not_found" | "candidate_not_found") {
        return Error::NotFound(format!("Ashby no longer has that record ({code} on {what}): {}", r.message));
    }
    match refusal_error(what, r) {
        Error::InvalidResponse(_) => Error::Validation(format!("Ashby refused {what}: {} ({code})", r.message)),
        typed => typed,
    }
}

// ---- errors ----

fn unsupported(r: Resource) -> Error {
    Error::Internal(format!("the Ashby connector does not sync {}", r.as_str()))
}

/// The permission module an endpoint needs, as Ashby's admin screen names it.
fn permission_of(what: &str) -> &'static str {
    if matches!(what, "application.changeStage" | "candidate.createNote") {
        return "Candidates (write)";
    }
    match what.split('.').next().unwrap_or_default() {
        "job" | "jobInterviewPlan" => "Jobs (read)",
        "candidate" | "application" | "file" => "Candidates (read)",
        "interviewStage" | "interviewPlan" | "archiveReason" => "Hiring Process Metadata (read)",
        "department" | "location" | "user" => "Organization (read)",
        _ => "the permission this endpoint needs",
    }
}

fn is_cursor_error(message: &str) -> bool {
    CURSOR_CODES.iter().any(|c| message.contains(c))
}

/// The job or plan disappeared between two calls.
fn gone(code: &str) -> bool {
    matches!(code, "job_not_found" | "interview_plan_not_found")
}

fn is_auth_code(code: &str) -> bool {
    let c = code.to_ascii_lowercase();
    c.contains("api_key") || c.contains("unauthori") || c.contains("unauthenticated") || c == "invalid_credentials"
}

fn permission_denied(what: &str, said: &str) -> Error {
    let said = if said.is_empty() { String::new() } else { format!(" (Ashby said: {said})") };
    Error::PermissionDenied(format!(
        "the Ashby API key lacks the {} permission Talentdeck needs for {what}{said}; enable it under Admin → Integrations → API Keys, then sync again",
        permission_of(what)
    ))
}

/// `success: false` → a typed error.
fn refusal_error(what: &str, r: &Refusal) -> Error {
    let code = r.code.as_str();
    if RESYNC_CODES.contains(&code) {
        Error::ResyncRequired(format!("Ashby asks for a full sync ({code} on {what}): {}", r.message))
    } else if code == "missing_endpoint_permission" {
        permission_denied(what, &r.message)
    } else if code.contains("rate_limit") {
        Error::RateLimited(format!("Ashby is rate-limiting the API key ({code} on {what}); try again later"))
    } else if is_auth_code(code) {
        Error::Unauthorized(format!(
            "Ashby rejected the API key ({code} on {what}): it is wrong, expired or deactivated; reconnect with a valid key"
        ))
    } else {
        Error::InvalidResponse(format!("Ashby refused {what} ({code}): {}", r.message))
    }
}

/// Refines the shared client's errors for Ashby: a 403 is a missing permission module when
/// Ashby says `missing_endpoint_permission`, and otherwise a wrong or deactivated key (Ashby
/// documents 403 for those).
fn http_error(what: &str, e: Error) -> Error {
    match e {
        Error::PermissionDenied(m) if m.contains("missing_endpoint_permission") => {
            permission_denied(what, &json_message(&m).unwrap_or_default())
        }
        Error::PermissionDenied(_) => Error::Unauthorized(format!(
            "Ashby refused the API key (HTTP 403 on {what}): it is wrong or deactivated; reconnect with a valid key"
        )),
        other => other,
    }
}

/// The `"message":"…"` of an error body excerpt.
fn json_message(s: &str) -> Option<String> {
    let start = s.find("\"message\":\"")? + "\"message\":\"".len();
    let rest = &s[start..];
    let end = rest.find('"')?;
    Some(rest[..end].to_string())
}

// ---- pages ----

fn encode_resume(resource: Resource, cursor: String, token: Option<String>) -> String {
    serde_json::to_string(&Resume { r: resource.as_str().to_string(), c: cursor, t: token }).expect("a resume position serializes")
}

fn parse_list(what: &str, sent: &Value, v: Value) -> Result<ListPage> {
    let bad = |why: &str, v: &Value| record::invalid("Ashby", &format!("POST /{what}"), &format!("with {why}"), &v.to_string());
    let results = match v.get("results") {
        Some(Value::Array(a)) => a.clone(),
        _ => return Err(bad("no results list", &v)),
    };
    let more = match v.get("moreDataAvailable") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(bad("a moreDataAvailable that is not true or false", &v)),
    };
    let next_cursor = if more {
        match v.get("nextCursor").and_then(Value::as_str) {
            Some(c) if !c.is_empty() && sent.get("cursor").and_then(Value::as_str) != Some(c) => Some(c.to_string()),
            Some(c) if !c.is_empty() => return Err(bad("the same nextCursor again (the list would never end)", &v)),
            _ => return Err(bad("moreDataAvailable but no nextCursor", &v)),
        }
    } else {
        None
    };
    let sync_token = v.get("syncToken").and_then(Value::as_str).map(str::to_string);
    Ok(ListPage { results, next_cursor, sync_token })
}

fn job(r: &Rec<'_>, org: &Org) -> Read<Job> {
    let remote_id = r.id()?;
    let title = r.str("title")?;
    let status = match r.str("status")?.as_str() {
        "Open" => JobStatus::Open,
        "Closed" => JobStatus::Closed,
        "Draft" => JobStatus::Draft,
        "Archived" => JobStatus::Archived,
        _ => return Err(r.skip("status", "not one of Open, Closed, Draft, Archived")),
    };
    // An id the lists do not know (warned about once, in `Ashby::org`) leaves the name empty.
    let department = r.opt_str("departmentId")?.and_then(|id| org.departments.get(&id).cloned());
    let location = r.opt_str("locationId")?.and_then(|id| org.locations.get(&id).cloned());
    Ok(Job {
        remote_id,
        title,
        status,
        department,
        location,
        updated_at: r.time("updatedAt")?,
        extra: r.extra_non_null(&[
            "employmentType",
            "confidential",
            "defaultInterviewPlanId",
            "interviewPlanIds",
            "jobPostingIds",
            "openedAt",
            "closedAt",
            "customFields",
        ]),
        // The text lives on the job's postings (`jobPosting.info`, one request per posting),
        // whose shape shared/ats-apis.md does not document yet: not read.
        description_html: None,
        compensation: None,
    })
}

fn stage(r: &Rec<'_>, job_id: &str) -> Read<Stage> {
    let remote_id = r.id()?;
    let position = r.int("orderInInterviewPlan")?;
    Ok(Stage {
        remote_id,
        job_remote_id: Some(job_id.to_string()),
        name: r.str("title")?,
        position,
        ats_type: stage_type(r),
    })
}

fn talent(r: &Rec<'_>) -> Read<Talent> {
    Ok(Talent {
        remote_id: r.id()?,
        name: r.str("name")?,
        first_name: None,
        last_name: None,
        emails: r.strings_in("emailAddresses", "value")?,
        phones: r.strings_in("phoneNumbers", "value")?,
        company: r.opt_str("company")?,
        title: r.opt_str("position")?,
        tags: r.strings_in("tags", "title")?,
        updated_at: r.time("updatedAt")?,
        extra: r.extra_non_null(&["profileUrl", "timezone", "socialLinks", "school", "source", "customFields", "createdAt"]),
    })
}

/// The candidate's files: `resumeFileHandle` and `fileHandles[]`, each `{id, name, handle}`.
/// The handle is kept in `url`: `file.info` turns it into a short-lived download link.
fn files(r: &Rec<'_>) -> Read<Vec<Attachment>> {
    let talent_remote_id = r.id()?;
    let read = |f: &Rec<'_>, kind: &str| -> Read<Attachment> {
        let name = f.value("name").and_then(|n| n.as_str().filter(|s| !s.is_empty()).map(str::to_string));
        Ok(Attachment {
            remote_id: f.str_id("id")?,
            talent_remote_id: talent_remote_id.clone(),
            application_remote_id: None,
            filename: name.unwrap_or_else(|| "file".to_string()),
            kind: kind.to_string(),
            url: Some(f.str_id("handle")?),
            updated_at: None,
        })
    };
    let mut out = Vec::new();
    if let Some(f) = r.object("resumeFileHandle")? {
        out.push(read(&f, "resume")?);
    }
    for f in r.items("fileHandles", "a list")? {
        let f = read(&f, "other")?;
        if !out.iter().any(|o| o.remote_id == f.remote_id) {
            out.push(f);
        }
    }
    Ok(out)
}

fn application(r: &Rec<'_>) -> Read<Application> {
    let remote_id = r.id()?;
    // A linked record, when present, must name itself.
    let id_of = |linked: &Option<Rec<'_>>| linked.as_ref().map(|l| l.str_id("id")).transpose();
    let candidate = r.object("candidate")?;
    let talent_remote_id = id_of(&candidate)?.ok_or_else(|| r.skip("candidate", "missing"))?;
    let job_remote_id = id_of(&r.object("job")?)?;
    let stage = r.object("currentInterviewStage")?;
    let stage_remote_id = id_of(&stage)?;
    let stage_name = stage.as_ref().map(|s| s.opt_str("title")).transpose()?.flatten();
    let status = match r.str("status")?.as_str() {
        "Archived" => ApplicationStatus::Rejected,
        "Hired" => ApplicationStatus::Hired,
        _ => ApplicationStatus::Active,
    };
    Ok(Application {
        remote_id,
        talent_remote_id,
        job_remote_id,
        stage_remote_id,
        stage_name,
        status,
        updated_at: r.time("updatedAt")?,
        extra: r.extra_non_null(&["status", "source", "archiveReason", "archivedAt", "customFields", "createdAt"]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resume_positions_round_trip_and_are_checked() {
        let s = encode_resume(Resource::Talents, "abc".into(), Some("tok".into()));
        let req = |r: Resource, page: Option<String>| PageRequest { resource: r, since: Since::Everything, until: Utc::now(), page };
        assert_eq!(Ashby::position(&req(Resource::Talents, Some(s.clone()))), (Some("tok".into()), Some("abc".into())));
        // Another resource's position, or garbage: the pass starts over.
        assert_eq!(Ashby::position(&req(Resource::Jobs, Some(s))), (None, None));
        let mut r = req(Resource::Jobs, Some("garbage".into()));
        r.since = Since::Token("t1".into());
        assert_eq!(Ashby::position(&r), (Some("t1".into()), None));
    }

    #[test]
    fn refusals_map_to_typed_errors() {
        let r = |code: &str| Refusal { code: code.into(), message: "m".into() };
        for c in RESYNC_CODES {
            assert_eq!(refusal_error("candidate.list", &r(c)).code(), "resync_required");
        }
        let e = refusal_error("job.list", &r("missing_endpoint_permission"));
        assert_eq!(e.code(), "permission_denied");
        assert!(e.to_string().contains("Jobs (read)") && e.to_string().contains("job.list"), "{e}");
        assert_eq!(refusal_error("job.list", &r("invalid_api_key")).code(), "unauthorized");
        assert_eq!(refusal_error("job.list", &r("invalid_input")).code(), "invalid_response");
        assert_eq!(refusal_error("job.list", &r("rate_limit_exceeded")).code(), "rate_limited");
    }

    #[test]
    fn a_malformed_candidate_is_skipped_by_field() {
        let mut page = Page::default();
        let good = json!({ "id": "c1", "name": "Ada", "emailAddresses": [{ "value": "a@x.test" }], "updatedAt": "2026-01-02T03:04:05.000Z" });
        let bad = json!({ "id": "c2", "name": "Bob", "emailAddresses": "a@x.test, b@x.test", "updatedAt": "2026-01-02T03:04:05.000Z" });
        for v in [&good, &bad, &json!(7)] {
            record::read_into(&mut page, "Ashby", &Rec::new(v), talent, |p, t| p.batch.talents.push(t));
        }
        assert_eq!(page.batch.talents.len(), 1);
        assert_eq!(page.listed, vec!["c1".to_string(), "c2".to_string()]);
        assert_eq!(page.skipped.len(), 2);
        assert_eq!(page.skipped[0].remote_id.as_deref(), Some("c2"));
        assert_eq!(page.skipped[0].field, "emailAddresses");
        assert!(!page.skipped[0].reason.contains("a@x.test"), "no personal data in reasons");
    }
}
