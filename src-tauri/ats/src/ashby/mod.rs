//! Ashby: RPC-style API (`POST /<resource>.<action>` with a JSON body), HTTP Basic with the API
//! key as username, errors inside HTTP 200 bodies (`success: false` + `errorInfo.code`), and
//! `{limit, cursor, syncToken}` paging with `moreDataAvailable` / `nextCursor` and a `syncToken`
//! on the last page (shared/ats-apis.md §3).
//!
//! Jobs, candidates and applications are incremental through `syncToken`. The delta does not
//! carry deletions: the engine reconciles them after full passes from [`Page::listed`]. A
//! candidate carries its file handles, so its files come with it (bytes: `file.info`).
//!
//! Split by concern: `rpc` (the call and Ashby's refusals), `paging` (pages, positions and the
//! passes), `map` (records onto the model), `postings` (the jobs' descriptions); this file holds
//! the connection, the permission checks and the writes.

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::http::{self, HttpClient, RetryPolicy};
use super::pace::FirstWindow;
use super::record::{self, Rec};
use super::{Connector, Endpoint, Incremental, Page, PageRequest};
use map::{application, stage_type, Org};
use model::error::{Error, Result};
use model::{Application, Attachment, Provider, RejectionReason, RemoteNote, Resource};
use rpc::{permission_of, refusal_error, unsupported};

mod map;
mod paging;
mod postings;
mod rpc;

/// The API version Talentdeck is written against (sent as `Ashby-Version`).
pub const API_VERSION: &str = "2026-01-01";
/// The documented budget: 1,000 requests per minute per API key (shared/ats-apis.md 3.3).
const BUDGET_REQUESTS: u32 = 1000;
const BUDGET_WINDOW: Duration = Duration::from_secs(60);
/// `job.list` leaves drafts out unless they are asked for by name.
const JOB_STATUSES: [&str; 4] = ["Open", "Closed", "Draft", "Archived"];

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

impl Ashby {
    pub fn new(endpoint: Endpoint) -> Ashby {
        // Ashby announces no budget, but its 429s carry Retry-After (shared/ats-apis.md 3.3): the
        // documented minute goes at once until a 429 measures the key's real window.
        let http =
            HttpClient::new("Ashby", BUDGET_REQUESTS, BUDGET_WINDOW, FirstWindow::AtOnce, RetryPolicy::default());
        Ashby {
            endpoint,
            http,
            org: tokio::sync::Mutex::new(None),
            warned_deprecated: AtomicBool::new(false),
            archived_stage: tokio::sync::Mutex::new(HashMap::new()),
        }
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
            (n, _) => Err(Error::PermissionDenied(format!(
                "Ashby refused {n} permissions Talentdeck needs: {}",
                denied.join("; ")
            ))),
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
        let handle = file.url.as_deref().ok_or_else(|| {
            Error::Internal(format!("the Ashby file {} is stored without its handle", file.remote_id))
        })?;
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
