//! Greenhouse Harvest v3 (shared/ats-apis.md §1.3): OAuth2 client credentials acting as a user
//! (`sub`), cursor pagination signalled only by `Link: <…>; rel="next"`, results by id
//! descending, `updated_at=gte|…|lte|…` filters, `X-RateLimit-*` headers.
//!
//! Every request goes through the shared [`HttpClient`] (pacing, retries, 429s); this module
//! adds the token (`auth`), the paging (`paging`) and the mapping onto the normalized model
//! (`map`), the job posts that carry the jobs' descriptions (`posts`); this file holds the
//! connection, the permission checks, files and the writes.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use secrecy::SecretString;
use serde_json::Value;
use tokio::sync::Mutex;

use super::http::{HttpClient, RetryPolicy, Stats};
use super::pace::FirstWindow;
use super::record;
use super::{Connector, Endpoint, Incremental, Page, PageRequest, Since};
use auth::{permission_denied, AccessToken};
use map::{application, attachment, job, stage, stage_change, talent, Names};
use model::error::{Error, Result};
use model::ts;
use model::{Application, Attachment, Provider, RejectionReason, RemoteNote, Resource};
use paging::{next_link, origin_of, path_of, read_list};

/// Greenhouse's token endpoint, used when the connection does not name one.
pub const DEFAULT_AUTH_URL: &str = "https://auth.greenhouse.io/token";

/// The largest page v3 allows (1–500); only the first request of a pass may carry it.
const PER_PAGE: &str = "500";

/// Conservative budget: Greenhouse publishes no v3 limit; Airbyte assumes 50 per 30 s
/// (**unconfirmed**). The client corrects itself from the `X-RateLimit-*` headers.
const BUDGET_REQUESTS: u32 = 50;
const BUDGET_WINDOW: Duration = Duration::from_secs(30);

/// The list endpoints a sync reads; `verify` checks each one's permission.
const NEEDED_LISTS: [&str; 8] = [
    "jobs",
    "job_interview_stages",
    "candidates",
    "applications",
    "application_stages",
    "attachments",
    "departments",
    "offices",
];

/// The writes Talentdeck makes (stage changes, notes), probed at connect time (`{id}` is sent
/// as an id no application has).
const WRITE_PROBES: [&str; 2] = ["applications/{id}/move", "notes"];

/// The v3 list endpoint behind each resource.
fn list_of(resource: Resource) -> &'static str {
    match resource {
        Resource::Jobs => "jobs",
        Resource::Stages => "job_interview_stages",
        Resource::Talents => "candidates",
        Resource::Applications => "applications",
        Resource::StageHistory => "application_stages",
        Resource::Attachments => "attachments",
    }
}

/// One Greenhouse connection: it keeps the access token and the department/office names for
/// its life, so make one per connection and reuse it across passes.
pub struct Greenhouse {
    /// `…/v3`, without a trailing slash.
    base: String,
    /// scheme://host:port of `base`: next-page links must stay on it (they carry the token).
    origin: String,
    auth_url: String,
    client_id: String,
    user_id: String,
    secret: SecretString,
    http: HttpClient,
    token: Mutex<Option<AccessToken>>,
    names: Mutex<Option<Arc<Names>>>,
}

mod auth;
mod map;
mod paging;
mod posts;

impl Greenhouse {
    pub fn new(endpoint: Endpoint) -> Greenhouse {
        let base = endpoint.base_url.trim().trim_end_matches('/').to_string();
        // Greenhouse announces its budget on every answer (shared/ats-apis.md 1.3).
        let http =
            HttpClient::new("Greenhouse", BUDGET_REQUESTS, BUDGET_WINDOW, FirstWindow::AtOnce, RetryPolicy::default());
        Greenhouse {
            origin: origin_of(&base).unwrap_or_default(),
            base,
            auth_url: endpoint.auth_url.clone().unwrap_or_else(|| DEFAULT_AUTH_URL.to_string()),
            client_id: endpoint.settings.client_id.clone().unwrap_or_default(),
            user_id: endpoint.settings.user_id.clone().unwrap_or_default(),
            secret: endpoint.secret,
            http,
            token: Mutex::new(None),
            names: Mutex::new(None),
        }
    }
}

#[async_trait]
impl Connector for Greenhouse {
    fn provider(&self) -> Provider {
        Provider::Greenhouse
    }

    fn resources(&self) -> Vec<Resource> {
        vec![
            Resource::Jobs,
            Resource::Stages,
            Resource::Talents,
            Resource::Applications,
            Resource::StageHistory,
            Resource::Attachments,
        ]
    }

    fn incremental(&self, _resource: Resource) -> Incremental {
        // v3 list endpoints take `updated_at=gte|…|lte|…` (harvestdocs list-endpoints); Airbyte
        // reads all of these lists that way. Per endpoint, only jobs and applications are
        // documented explicitly: for the others this is **unconfirmed** beyond Airbyte.
        Incremental::UpdatedAt
    }

    async fn verify(&self) -> Result<()> {
        self.access_token(None).await?;
        // Check every list rather than stop at the first refusal, so one reconnect fixes all.
        let mut denied = Vec::new();
        for list in NEEDED_LISTS {
            let url = self.first_url(list, &[("per_page", "1".to_string())])?;
            let what = format!("GET {}", path_of(&url));
            match self.get_raw(&url, &what).await {
                Ok(_) => {}
                Err(Error::PermissionDenied(m)) => denied.push((what, m)),
                Err(e) => return Err(e),
            }
        }
        for path in WRITE_PROBES {
            let url = format!("{}/{}", self.base, path.replace("{id}", super::PROBE_ID_NUMERIC));
            let what = format!("POST {}/{path}", path_of(&self.base).trim_end_matches('/'));
            if let Some(m) = super::probe_denial(self.probe_write(&url, &what).await)? {
                denied.push((what, m));
            }
        }
        if denied.is_empty() {
            Ok(())
        } else {
            Err(permission_denied(&denied, &self.user_id))
        }
    }

    async fn page(&self, req: &PageRequest) -> Result<Page> {
        let list = list_of(req.resource);
        let url = match &req.page {
            // Verbatim: a request with a cursor must carry no other parameter (422 otherwise).
            Some(next) => self.check_next(next)?,
            None => {
                let mut params = vec![("per_page", PER_PAGE.to_string())];
                match &req.since {
                    // Bounded on both sides: results come by id, not by time, so the pass reads the
                    // whole window and leaves later changes to the next pass.
                    Since::UpdatedSince(t) => {
                        params.push(("updated_at", format!("gte|{}|lte|{}", ts(t), ts(&req.until))))
                    }
                    // No `lte|until` on a full pass, although the API takes it: a record updated
                    // mid-pass would be missing from `listed` and look deleted to reconciliation.
                    Since::Everything => {}
                    Since::Token(_) => {
                        return Err(Error::Internal(
                            "Greenhouse has no sync tokens; ask for UpdatedSince or Everything".into(),
                        ))
                    }
                }
                self.first_url(list, &params)?
            }
        };
        let what = format!("GET {}", path_of(&url));
        let resp = self.get(&url, &what).await?;
        let next = match next_link(resp.headers(), &url) {
            Some(n) => Some(self.check_next(&n)?),
            None => None,
        };
        let body = read_list(resp, &what).await?;
        let records = body.records()?;
        let names = match req.resource {
            // An empty page (a quiet incremental pass) needs no names.
            Resource::Jobs if !records.is_empty() => Some(self.names_for(&records).await?),
            _ => None,
        };

        let mut page = Page { next, ..Page::default() };
        for rec in &records {
            let p = &mut page;
            match req.resource {
                Resource::Jobs => {
                    let names = names.as_deref().expect("names loaded for jobs");
                    record::read_into(p, "Greenhouse", rec, |r| job(r, names), |p, j| p.batch.jobs.push(j))
                }
                Resource::Stages => record::read_into(p, "Greenhouse", rec, stage, |p, s| p.batch.stages.push(s)),
                Resource::Talents => record::read_into(p, "Greenhouse", rec, talent, |p, t| p.batch.talents.push(t)),
                Resource::Applications => {
                    record::read_into(p, "Greenhouse", rec, application, |p, a| p.batch.applications.push(a))
                }
                Resource::StageHistory => {
                    record::read_into(p, "Greenhouse", rec, stage_change, |p, h| p.batch.stage_history.push(h))
                }
                Resource::Attachments => {
                    record::read_into(p, "Greenhouse", rec, attachment, |p, a| p.batch.attachments.push(a))
                }
            }
        }
        if req.resource == Resource::Jobs && page.next.is_none() {
            self.add_post_details(&mut page, req).await?;
        }
        Ok(page)
    }

    /// Attachment links are signed S3 links valid for about 7 days: fetched without our token
    /// (it must not leave Greenhouse). An expired one is refused, so the attachment is listed
    /// again by id for a fresh link.
    async fn open_file(&self, file: &Attachment) -> Result<reqwest::Response> {
        const WHAT: &str = "GET attachment file";
        if let Some(url) = file.url.as_deref() {
            match self.http.send(WHAT, || self.http.inner().get(url)).await {
                Err(Error::PermissionDenied(_) | Error::InvalidResponse(_)) => {}
                other => return other,
            }
        }
        let url = self.first_url("attachments", &[("ids", file.remote_id.clone())])?;
        let what = "GET /v3/attachments";
        let body = read_list(self.get(&url, what).await?, what).await?;
        let fresh = body
            .records()?
            .into_iter()
            .find(|r| r.id.as_deref() == Some(file.remote_id.as_str()))
            .and_then(|r| r.value("url")?.as_str().map(str::to_string));
        match fresh {
            // A fresh link refused too is this file's problem, not the connection's; the
            // storage's error body may quote the file's key, so it is left out.
            Some(url) => self.http.send(WHAT, || self.http.inner().get(&url)).await.map_err(|e| match e {
                Error::PermissionDenied(_) | Error::InvalidResponse(_) => Error::InvalidResponse(format!(
                    "Greenhouse's file storage refused a freshly issued link to {:?}",
                    file.filename
                )),
                e => e,
            }),
            None => Err(Error::NotFound(format!(
                "Greenhouse no longer has the file {:?} (attachment {}); the next sync removes it here",
                file.filename, file.remote_id
            ))),
        }
    }

    fn stats(&self) -> &Stats {
        &self.http.stats
    }

    fn pacer(&self) -> crate::pace::SharedPacer {
        self.http.pacer_handle()
    }

    fn share_pacer(&mut self, pacer: crate::pace::SharedPacer) {
        self.http.share_pacer(pacer);
    }

    /// `GET /v3/applications?ids=ID`, mapped by the sync's own [`application`].
    async fn application(&self, remote_id: &str) -> Result<Application> {
        let id = numeric_id(remote_id, "application")?;
        let url = self.first_url("applications", &[("ids", id.to_string())])?;
        let what = "GET /v3/applications";
        let body = read_list(self.get(&url, what).await?, what).await?;
        let records = body.records()?;
        let Some(rec) = records.iter().find(|r| r.id.as_deref() == Some(remote_id.trim())) else {
            return Err(Error::NotFound(format!("Greenhouse no longer has the application {remote_id}")));
        };
        application(rec).map_err(|s| record::unreadable("Greenhouse", "application", remote_id, &s))
    }

    /// `POST /v3/applications/{id}/move {from_stage_id, to_stage_id}` → 204. Greenhouse refuses
    /// (422) a `from_stage_id` that is no longer the current stage; the application is read
    /// again to tell that stale view (`Conflict`) from any other refusal (`Validation`).
    async fn move_application(&self, app: &Application, to: &str) -> Result<()> {
        let id = numeric_id(&app.remote_id, "application")?;
        let from_text = app.stage_remote_id.as_deref().ok_or_else(|| {
            Error::Validation(format!(
                "the Greenhouse application {id} is in no stage (a prospect); it cannot be moved"
            ))
        })?;
        let from = numeric_id(from_text, "stage")?;
        let to = numeric_id(to, "stage")?;
        let body = serde_json::json!({ "from_stage_id": from, "to_stage_id": to });
        match self.post_write(&format!("applications/{id}/move"), &body).await {
            Ok(_) => Ok(()),
            Err(Error::Validation(refused)) => {
                let now = self.application(&app.remote_id).await?;
                if now.stage_remote_id.as_deref() != Some(from_text) {
                    let stage = now.stage_name.or(now.stage_remote_id).unwrap_or_else(|| "no stage".into());
                    Err(Error::Conflict(format!(
                        "Greenhouse refused to move application {id}: it is no longer in the stage it was moved from \
                         (it is now in {stage}). Look at it again before moving it."
                    )))
                } else {
                    Err(Error::Validation(refused))
                }
            }
            Err(e) => Err(e),
        }
    }

    /// `POST /v3/applications/{id}/reject {rejection_reason_id}` → 204.
    async fn reject(&self, app: &Application, reason: &str) -> Result<()> {
        let id = numeric_id(&app.remote_id, "application")?;
        let body = serde_json::json!({ "rejection_reason_id": numeric_id(reason, "rejection reason")? });
        self.post_write(&format!("applications/{id}/reject"), &body).await.map(drop)
    }

    /// `POST /v3/notes`. The acting user is the token's (`sub`); `user_id` names the same user,
    /// as v1 required it on notes (whether v3 reads it is **unconfirmed**).
    async fn add_note(&self, talent: &str, application: Option<&str>, body: &str) -> Result<()> {
        let mut note = serde_json::json!({
            "candidate_id": numeric_id(talent, "candidate")?,
            "body": body,
            "visibility": "public",
        });
        if let Some(a) = application {
            note["application_id"] = numeric_id(a, "application")?.into();
        }
        if let Ok(user) = self.user_id.parse::<u64>() {
            note["user_id"] = user.into();
        }
        self.post_write("notes", &note).await.map(drop)
    }

    /// `GET /v3/notes?candidate_ids=ID` (v3's parent-id filters are plural), every page.
    async fn notes(&self, talent: &str, _application: Option<&str>) -> Result<Vec<RemoteNote>> {
        let id = numeric_id(talent, "candidate")?;
        let pages =
            self.list_all("notes", &[("per_page", PER_PAGE.to_string()), ("candidate_ids", id.to_string())]).await?;
        let mut out = Vec::new();
        for page in &pages {
            for r in page.records()? {
                match (r.id.clone(), r.value("body").as_deref()) {
                    (Some(remote_id), Some(Value::String(body))) => {
                        let body = body.clone();
                        let created_at =
                            r.value("created_at").as_deref().and_then(Value::as_str).and_then(record::parse_time);
                        out.push(RemoteNote { remote_id, body, author: None, created_at })
                    }
                    _ => tracing::warn!(id = ?r.id, "a Greenhouse note without an id or a body was ignored"),
                }
            }
        }
        Ok(out)
    }

    /// `GET /v3/rejection_reasons?include_defaults=true`, every page.
    async fn rejection_reasons(&self) -> Result<Vec<RejectionReason>> {
        let params = [("per_page", PER_PAGE.to_string()), ("include_defaults", "true".to_string())];
        let mut out = Vec::new();
        for page in &self.list_all("rejection_reasons", &params).await? {
            for r in page.records()? {
                match (r.id.clone(), r.value("name").as_deref()) {
                    (Some(remote_id), Some(Value::String(name))) if !name.trim().is_empty() => {
                        out.push(RejectionReason { remote_id, name: name.clone() })
                    }
                    _ => {
                        tracing::warn!(id = ?r.id, "a Greenhouse rejection reason without an id or a name was ignored")
                    }
                }
            }
        }
        Ok(out)
    }
}

/// A Greenhouse id (an integer) from the model's text; anything else cannot name a record.
fn numeric_id(id: &str, what: &str) -> Result<u64> {
    id.trim()
        .parse::<u64>()
        .map_err(|_| Error::Validation(format!("{id:?} is not a Greenhouse {what} id (Greenhouse ids are numbers)")))
}
