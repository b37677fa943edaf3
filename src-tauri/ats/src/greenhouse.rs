//! Greenhouse Harvest v3 (shared/ats-apis.md §1.3): OAuth2 client credentials acting as a user
//! (`sub`), cursor pagination signalled only by `Link: <…>; rel="next"`, results by id
//! descending, `updated_at=gte|…|lte|…` filters, `X-RateLimit-*` headers.
//!
//! Every request goes through the shared [`HttpClient`] (pacing, retries, 429s); this module
//! adds the token, the paging and the mapping onto the normalized model.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use reqwest::header::HeaderMap;
use secrecy::{ExposeSecret, SecretString};
use serde_json::value::RawValue;
use serde_json::Value;
use tokio::sync::Mutex;

use super::http::{self, HttpClient, RetryPolicy, Stats};
use super::record::{self, id_of, Read, Rec};
use super::{Connector, Endpoint, Incremental, Page, PageRequest, Since};
use model::error::{Error, Result};
use model::{
    Application, ApplicationStatus, Attachment, Job, JobStatus, Provider, RejectionReason, RemoteNote, Resource, Stage,
    StageChange, Talent,
};
use model::ts;

/// Greenhouse's token endpoint, used when the connection does not name one.
pub const DEFAULT_AUTH_URL: &str = "https://auth.greenhouse.io/token";

/// The largest page v3 allows (1–500); only the first request of a pass may carry it.
const PER_PAGE: &str = "500";

/// Renew the access token this long before Greenhouse says it expires, so a request never
/// leaves with a token that dies in flight.
const RENEW_EARLY: Duration = Duration::from_secs(60);

/// Used when the token answer has no `expires_in`. One hour is documented for the partner
/// flow only; for client credentials it is **unconfirmed**.
const DEFAULT_TOKEN_SECS: u64 = 3600;

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

struct AccessToken {
    value: SecretString,
    renew_at: Instant,
}

/// Department and office names by id, for jobs (which carry only the ids).
#[derive(Default)]
struct Names {
    departments: HashMap<u64, String>,
    offices: HashMap<u64, String>,
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

impl Greenhouse {
    pub fn new(endpoint: Endpoint) -> Greenhouse {
        let setting = |k: &str| endpoint.settings.get(k).and_then(id_of).unwrap_or_default();
        let base = endpoint.base_url.trim().trim_end_matches('/').to_string();
        Greenhouse {
            origin: origin_of(&base).unwrap_or_default(),
            base,
            auth_url: endpoint.auth_url.clone().unwrap_or_else(|| DEFAULT_AUTH_URL.to_string()),
            client_id: setting("client_id"),
            user_id: setting("user_id"),
            secret: endpoint.secret,
            http: HttpClient::new("Greenhouse", BUDGET_REQUESTS, BUDGET_WINDOW, RetryPolicy::default()),
            token: Mutex::new(None),
            names: Mutex::new(None),
        }
    }

    // ---- auth ----

    /// The cached access token, renewed when it is about to expire (or `stale` is the one a
    /// request just saw refused).
    async fn access_token(&self, stale: Option<&SecretString>) -> Result<SecretString> {
        let mut slot = self.token.lock().await;
        if let Some(t) = slot.as_ref() {
            let refused = stale.is_some_and(|s| s.expose_secret() == t.value.expose_secret());
            if !refused && Instant::now() < t.renew_at {
                return Ok(t.value.clone());
            }
        }
        *slot = None;
        let fresh = self.fetch_token().await?;
        let value = fresh.value.clone();
        *slot = Some(fresh);
        Ok(value)
    }

    async fn fetch_token(&self) -> Result<AccessToken> {
        if self.client_id.is_empty() || self.user_id.is_empty() {
            return Err(Error::Validation(
                "the Greenhouse connection needs a client id and the id of the Greenhouse user it acts as; reconnect"
                    .into(),
            ));
        }
        let what = format!("POST {}", path_of(&self.auth_url));
        let form = [("grant_type", "client_credentials"), ("sub", self.user_id.as_str())];
        let sent = self
            .http
            .send(&what, || {
                self.http
                    .inner()
                    .post(&self.auth_url)
                    .basic_auth(&self.client_id, Some(self.secret.expose_secret()))
                    .form(&form)
            })
            .await;
        let resp = match sent {
            Ok(r) => r,
            Err(e) => return Err(self.token_refused(e)),
        };
        let body = resp.text().await.map_err(|e| {
            Error::Unreachable(format!(
                "Greenhouse's token endpoint broke off its answer: {}",
                http::redact(&e.to_string())
            ))
        })?;
        // Never quote this body in an error: it holds the token.
        let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let Some(token) = v.get("access_token").and_then(Value::as_str).filter(|t| !t.is_empty()) else {
            return Err(Error::InvalidResponse(format!(
                "Greenhouse's token endpoint ({what}) answered without an access_token"
            )));
        };
        let lifetime = Duration::from_secs(v.get("expires_in").and_then(Value::as_u64).unwrap_or(DEFAULT_TOKEN_SECS));
        // Short-lived tokens are renewed halfway instead of a minute early.
        let early = RENEW_EARLY.min(lifetime / 2);
        Ok(AccessToken { value: SecretString::from(token.to_string()), renew_at: Instant::now() + lifetime - early })
    }

    /// The token endpoint's refusals, in terms a recruiter can act on.
    fn token_refused(&self, e: Error) -> Error {
        let bad_client = || {
            Error::Unauthorized(format!(
                "Greenhouse refused the API credential (client id {}): the client secret is wrong, expired or was revoked. \
                 Reconnect with a new Harvest V3 (OAuth) credential from Greenhouse's Dev Center.",
                self.client_id
            ))
        };
        match e {
            Error::Unauthorized(_) => bad_client(),
            // OAuth errors may also come as 400 (RFC 6749 §5.2).
            Error::InvalidResponse(m) if m.contains("invalid_client") || m.contains("unauthorized_client") => bad_client(),
            Error::InvalidResponse(m) if m.contains("invalid_grant") => Error::Unauthorized(format!(
                "Greenhouse will not issue a token acting as user {}: that user id is not a user of this Greenhouse account \
                 (or was deactivated). Reconnect with the id of an active user. ({m})",
                self.user_id
            )),
            other => other,
        }
    }

    // ---- requests ----

    /// GET `url` with the bearer token; on a 401 the token is renewed once and the request
    /// sent again (a 401 means the token expired). 403s are left for the caller to phrase.
    async fn get_raw(&self, url: &str, what: &str) -> Result<reqwest::Response> {
        let mut token = self.access_token(None).await?;
        let mut renewed = false;
        loop {
            let sent = self.http.send(what, || self.http.inner().get(url).bearer_auth(token.expose_secret())).await;
            match sent {
                Err(Error::Unauthorized(_)) if !renewed => {
                    renewed = true;
                    token = self.access_token(Some(&token)).await?;
                }
                Err(Error::Unauthorized(_)) => {
                    return Err(Error::Unauthorized(format!(
                        "Greenhouse refused a freshly issued access token (HTTP 401 on {what}): the API credential was revoked \
                         or expired. Reconnect with a new Harvest V3 (OAuth) credential."
                    )))
                }
                other => return other,
            }
        }
    }

    /// POSTs an empty body to `url` (see [`super::probe_denial`]); never changes anything.
    async fn probe_write(&self, url: &str, what: &str) -> Result<()> {
        let token = self.access_token(None).await?;
        self.http
            .send(what, || self.http.inner().post(url).bearer_auth(token.expose_secret()).json(&serde_json::json!({})))
            .await
            .map(drop)
    }

    /// POSTs `body` as a write (see [`HttpClient::send_write`]): a 401 renews the token once and
    /// sends again (Greenhouse refused it before doing anything); 403s name the permission.
    async fn post_write(&self, path: &str, body: &Value) -> Result<reqwest::Response> {
        let url = format!("{}/{path}", self.base);
        let what = format!("POST {}", path_of(&url));
        let mut token = self.access_token(None).await?;
        let mut renewed = false;
        loop {
            let sent = self
                .http
                .send_write(&what, || self.http.inner().post(&url).bearer_auth(token.expose_secret()).json(body))
                .await;
            match sent {
                Err(Error::Unauthorized(_)) if !renewed => {
                    renewed = true;
                    token = self.access_token(Some(&token)).await?;
                }
                Err(Error::PermissionDenied(m)) => return Err(permission_denied(&[(what, m)], &self.user_id)),
                other => return other,
            }
        }
    }

    /// Every record of every page of a list, following the cursor.
    async fn list_all(&self, list: &str, params: &[(&str, String)]) -> Result<Vec<ListBody>> {
        let mut url = self.first_url(list, params)?;
        let mut all = Vec::new();
        loop {
            let what = format!("GET {}", path_of(&url));
            let resp = self.get(&url, &what).await?;
            let next = next_link(resp.headers(), &url);
            all.push(read_list(resp, &what).await?);
            match next {
                Some(n) => url = self.check_next(&n)?,
                None => return Ok(all),
            }
        }
    }

    async fn get(&self, url: &str, what: &str) -> Result<reqwest::Response> {
        self.get_raw(url, what).await.map_err(|e| match e {
            Error::PermissionDenied(m) => permission_denied(&[(what.to_string(), m)], &self.user_id),
            other => other,
        })
    }

    /// The first page of a list: `per_page` and the filters (later pages carry only the cursor).
    fn first_url(&self, list: &str, params: &[(&str, String)]) -> Result<String> {
        let mut url = url::Url::parse(&format!("{}/{list}", self.base))
            .map_err(|e| Error::Validation(format!("the Greenhouse API address {:?} is not a URL: {e}", self.base)))?;
        {
            let mut q = url.query_pairs_mut();
            for (k, v) in params {
                q.append_pair(k, v);
            }
        }
        Ok(url.to_string())
    }

    /// A stored next-page link, checked to lead to the API we hold a token for.
    fn check_next(&self, next: &str) -> Result<String> {
        match origin_of(next) {
            Some(o) if !self.origin.is_empty() && o == self.origin => Ok(next.to_string()),
            _ => Err(Error::InvalidResponse(format!(
                "the saved next-page link {:?} does not lead to the Greenhouse API at {}; the pass has to start over",
                http::redact(next),
                self.base
            ))),
        }
    }

    /// Every page of a small list (departments, offices), following the cursor.
    async fn fetch_all(&self, list: &str) -> Result<Vec<ListBody>> {
        self.list_all(list, &[("per_page", PER_PAGE.to_string())]).await
    }

    async fn load_names(&self) -> Result<Names> {
        let index = |pages: Vec<ListBody>, list: &str| -> Result<HashMap<u64, String>> {
            let mut m = HashMap::new();
            for page in &pages {
                for r in page.records()? {
                    match (r.value("id").and_then(|v| v.as_u64()), r.value("name").as_deref()) {
                        (Some(id), Some(Value::String(name))) => {
                            m.insert(id, name.clone());
                        }
                        _ => tracing::warn!(list, id = ?r.id, "a Greenhouse record without an id or a name was ignored"),
                    }
                }
            }
            Ok(m)
        };
        let departments = index(self.fetch_all("departments").await?, "departments")?;
        let offices = index(self.fetch_all("offices").await?, "offices")?;
        Ok(Names { departments, offices })
    }

    /// The department and office names, loaded once per connector; loaded again (once per
    /// page) if a job names one created since.
    async fn names_for(&self, jobs: &[Rec<'_>]) -> Result<Arc<Names>> {
        let mut slot = self.names.lock().await;
        let mut fresh = false;
        if slot.is_none() {
            *slot = Some(Arc::new(self.load_names().await?));
            fresh = true;
        }
        let names = slot.clone().expect("loaded above");
        let unknown = jobs.iter().any(|j| {
            let dept =
                j.value("department_id").and_then(|d| d.as_u64()).is_some_and(|d| !names.departments.contains_key(&d));
            let office = first_office(j).is_some_and(|o| !names.offices.contains_key(&o));
            dept || office
        });
        if unknown && !fresh {
            let reloaded = Arc::new(self.load_names().await?);
            *slot = Some(reloaded.clone());
            return Ok(reloaded);
        }
        Ok(names)
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
        let fresh = body.records()?.into_iter().find(|r| r.id.as_deref() == Some(file.remote_id.as_str())).and_then(|r| {
            r.value("url")?.as_str().map(str::to_string)
        });
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
            Error::Validation(format!("the Greenhouse application {id} is in no stage (a prospect); it cannot be moved"))
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
                        let created_at = r.value("created_at").as_deref().and_then(Value::as_str).and_then(record::parse_time);
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
                    _ => tracing::warn!(id = ?r.id, "a Greenhouse rejection reason without an id or a name was ignored"),
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

/// One `PermissionDenied` for every refused endpoint, naming the scopes the bodies name.
fn permission_denied(denied: &[(String, String)], user_id: &str) -> Error {
    let parts: Vec<String> = denied
        .iter()
        .map(|(what, msg)| match scope_in(msg) {
            Some(scope) => format!("{what} needs the permission {scope}"),
            None => format!("{what} was refused ({msg})"),
        })
        .collect();
    Error::PermissionDenied(format!(
        "Greenhouse refused part of what Talentdeck needs: {}. Ask a Greenhouse admin to grant these permissions to the \
         Harvest V3 (OAuth) credential (Dev Center → API credentials) and to check that user {user_id} may see this data \
         (some lists need a Site Admin), then reconnect.",
        parts.join("; ")
    ))
}

/// A Harvest scope such as `harvest:candidates:list` named in an error text.
fn scope_in(text: &str) -> Option<String> {
    let at = text.find("harvest:")?;
    let scope: String =
        text[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '_' | '-')).collect();
    Some(scope.trim_end_matches([':', '-', '_']).to_string())
}

// ---- HTTP details ----

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    Some(u.origin().ascii_serialization()).filter(|o| o != "null")
}

/// The path of a URL, to name an endpoint in errors without its (long) query.
fn path_of(url: &str) -> String {
    url::Url::parse(url).map(|u| u.path().to_string()).unwrap_or_else(|_| http::redact(url))
}

/// The `rel="next"` target of the `Link` header(s), resolved against the request URL only if
/// relative (an absolute one is kept byte for byte).
fn next_link(headers: &HeaderMap, request_url: &str) -> Option<String> {
    for value in headers.get_all(reqwest::header::LINK) {
        let Ok(value) = value.to_str() else { continue };
        let mut rest = value;
        while let Some(open) = rest.find('<') {
            let Some(close) = rest[open..].find('>').map(|c| open + c) else { break };
            let target = &rest[open + 1..close];
            rest = &rest[close + 1..];
            let params = &rest[..rest.find('<').unwrap_or(rest.len())];
            let is_next = params.split(';').any(|p| {
                let Some((k, v)) = p.split_once('=') else { return false };
                k.trim().eq_ignore_ascii_case("rel")
                    && v.trim().trim_matches('"').split_whitespace().any(|r| r.eq_ignore_ascii_case("next"))
            });
            if is_next {
                if target.starts_with("http://") || target.starts_with("https://") {
                    return Some(target.to_string());
                }
                return url::Url::parse(request_url).and_then(|b| b.join(target)).ok().map(|u| u.to_string());
            }
        }
    }
    None
}

/// A list response's body. Records are sliced out of it in place and a field is parsed only
/// when a mapping reads it: no tree of every value of every record is built and dropped.
struct ListBody {
    text: String,
    what: String,
}

async fn read_list(resp: reqwest::Response, what: &str) -> Result<ListBody> {
    let body = resp.bytes().await.map_err(|e| {
        Error::Unreachable(format!("Greenhouse broke off its answer to {what}: {}", http::redact(&e.to_string())))
    })?;
    // Bytes that are not UTF-8 are read with replacement characters, as `text()` would: one
    // badly encoded name must not fail the page.
    let text = String::from_utf8(body.into()).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok(ListBody { text, what: what.to_string() })
}

impl ListBody {
    /// The records; anything but a JSON array is an invalid response.
    fn records(&self) -> Result<Vec<Rec<'_>>> {
        match serde_json::from_str::<Vec<&RawValue>>(&self.text) {
            Ok(records) => Ok(records.into_iter().map(Rec::raw).collect()),
            Err(_) => {
                let shape = match serde_json::from_str::<serde::de::IgnoredAny>(&self.text) {
                    Ok(_) => "something other than a list of records",
                    Err(_) => "something other than JSON",
                };
                Err(record::invalid("Greenhouse", &self.what, &format!("with {shape}"), &self.text))
            }
        }
    }
}

// ---- records ----

fn first_office(job: &Rec) -> Option<u64> {
    job.value("office_ids")?.as_array()?.first()?.as_u64()
}

fn job(r: &Rec, names: &Names) -> Read<Job> {
    let remote_id = r.int_id("id")?;
    let title = r.text("name")?;
    let status = match r.str("status")?.as_str() {
        "open" => JobStatus::Open,
        "closed" => JobStatus::Closed,
        "draft" => JobStatus::Draft,
        other => return Err(r.skip("status", format!("unknown job status {other:?} (expected open, closed or draft)"))),
    };
    let department_id = r.opt("department_id", "an integer id", Value::as_u64)?;
    let office_ids = r
        .opt("office_ids", "a list of integer ids", |v| {
            v.as_array()?.iter().map(Value::as_u64).collect::<Option<Vec<u64>>>()
        })?
        .unwrap_or_default();
    let updated_at = r.time("updated_at")?;
    Ok(Job {
        remote_id,
        title,
        status,
        department: department_id.and_then(|d| names.departments.get(&d).cloned()),
        // The first office is the one recruiters see as "the" location.
        location: office_ids.first().and_then(|o| names.offices.get(o).cloned()),
        updated_at,
        extra: r.extra(&[
            "requisition_id",
            "department_id",
            "office_ids",
            "confidential",
            "opened_at",
            "closed_at",
            "custom_fields",
            "created_at",
        ]),
        // The text lives on the job's posts (`/v3/job_posts`, a list of its own whose v3 shape
        // shared/ats-apis.md does not document yet): not read.
        description_html: None,
        compensation: None,
    })
}

fn stage(r: &Rec) -> Read<Stage> {
    Ok(Stage {
        remote_id: r.int_id("id")?,
        // v3 stages always belong to a job; tolerate a null rather than drop the stage.
        job_remote_id: r.opt_int_id("job_id")?,
        name: r.text("name")?,
        position: r.int("sort_order")?,
        ats_type: None,
    })
}

fn talent(r: &Rec) -> Read<Talent> {
    let remote_id = r.int_id("id")?;
    let first_name = r.opt_str("first_name")?;
    let last_name = r.opt_str("last_name")?;
    let name =
        format!("{} {}", first_name.as_deref().unwrap_or(""), last_name.as_deref().unwrap_or("")).trim().to_string();
    if name.is_empty() {
        return Err(r.skip("first_name", "the candidate has neither a first nor a last name"));
    }
    Ok(Talent {
        remote_id,
        name,
        first_name,
        last_name,
        emails: r.strings_in("email_addresses", "value")?,
        phones: r.strings_in("phone_numbers", "value")?,
        company: r.opt_str("company")?,
        title: r.opt_str("title")?,
        tags: r.strings("tags")?,
        updated_at: r.time("updated_at")?,
        extra: r.extra(&["preferred_name", "custom_fields", "created_at", "last_activity_at"]),
    })
}

fn application(r: &Rec) -> Read<Application> {
    let remote_id = r.int_id("id")?;
    let talent_remote_id = r.int_id("candidate_id")?;
    let prospect = r.opt_bool("prospect")?.unwrap_or(false);
    let job_id = r.opt_int_id("job_id")?;
    let status = match r.str("status")?.as_str() {
        "in_process" => ApplicationStatus::Active,
        "rejected" => ApplicationStatus::Rejected,
        "hired" => ApplicationStatus::Hired,
        // A prospect turned into a candidate: still in play.
        "converted" => ApplicationStatus::Active,
        other => {
            return Err(r.skip(
                "status",
                format!("unknown application status {other:?} (expected in_process, rejected, hired or converted)"),
            ))
        }
    };
    Ok(Application {
        remote_id,
        talent_remote_id,
        // The export contract: a prospect has no job.
        job_remote_id: if prospect { None } else { job_id },
        stage_remote_id: r.opt_int_id("job_interview_stage_id")?,
        stage_name: r.opt_str("stage_name")?,
        status,
        updated_at: r.time("updated_at")?,
        extra: r.extra(&[
            "prospect",
            "prospective_job_ids",
            "source_id",
            "source",
            "recruiter_id",
            "coordinator_id",
            "referrer_id",
            "job_post_id",
            "rejected_at",
            "rejection_reason_id",
            "custom_fields",
            "created_at",
        ]),
    })
}

fn stage_change(r: &Rec) -> Read<StageChange> {
    r.int_id("id")?;
    Ok(StageChange {
        application_remote_id: r.int_id("application_id")?,
        stage_remote_id: r.int_id("job_interview_stage_id")?,
        // application_stages carry only the stage id; the stage's name is in the stages pass.
        stage_name: None,
        entered_at: r.time("entered_at")?,
        exited_at: r.opt_time("exited_at")?,
    })
}

fn attachment(r: &Rec) -> Read<Attachment> {
    let kind = match r.opt_str("type")?.as_deref() {
        Some("resume") => "resume",
        Some("cover_letter") => "cover_letter",
        _ => "other",
    };
    Ok(Attachment {
        remote_id: r.int_id("id")?,
        talent_remote_id: r.int_id("candidate_id")?,
        application_remote_id: r.opt_int_id("application_id")?,
        filename: r.text("filename")?,
        kind: kind.to_string(),
        // A signed URL (about 7 days); the bytes are fetched later, never here.
        url: r.opt_str("url")?,
        updated_at: r.opt_time("updated_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Skipped;
    use reqwest::header::HeaderValue;

    fn links(values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(reqwest::header::LINK, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn finds_the_next_link_among_others_and_keeps_it_verbatim() {
        let base = "https://harvest.greenhouse.io/v3/candidates?per_page=500";
        let h = links(&[r#"<https://harvest.greenhouse.io/v3/candidates?cursor=a%2Bb>; rel="next""#]);
        assert_eq!(next_link(&h, base).as_deref(), Some("https://harvest.greenhouse.io/v3/candidates?cursor=a%2Bb"));
        let h = links(&[r#"<https://x.test/a?cursor=1>; rel="prev", <https://x.test/a?cursor=2>; rel=next"#]);
        assert_eq!(next_link(&h, base).as_deref(), Some("https://x.test/a?cursor=2"));
        let h = links(&[r#"</v3/candidates?cursor=3>; rel="next""#]);
        assert_eq!(next_link(&h, base).as_deref(), Some("https://harvest.greenhouse.io/v3/candidates?cursor=3"));
        assert_eq!(next_link(&links(&[r#"<https://x.test/a>; rel="last""#]), base), None);
        assert_eq!(next_link(&HeaderMap::new(), base), None);
    }

    #[test]
    fn reads_the_scope_a_403_names() {
        assert_eq!(
            scope_in(r#"Greenhouse refused GET /v3/candidates (HTTP 403): {"error":"forbidden","message":"the access token lacks the scope harvest:candidates:list"}"#).as_deref(),
            Some("harvest:candidates:list")
        );
        assert_eq!(scope_in("no scope here"), None);
    }

    #[test]
    fn a_malformed_candidate_is_skipped_with_its_id_and_field() {
        let read = |v: Value| talent(&Rec::raw(&serde_json::value::to_raw_value(&v).unwrap()));
        let s = read(serde_json::json!({ "id": 42, "first_name": 7, "last_name": "Lovelace", "updated_at": "2026-01-01T00:00:00.000Z" })).unwrap_err();
        assert_eq!((s.remote_id.as_deref(), s.field.as_str()), (Some("42"), "first_name"));
        let v = serde_json::json!({ "id": 43, "first_name": "Ada", "email_addresses": "a@x.test, b@x.test", "updated_at": "2026-01-01T00:00:00.000Z" });
        assert_eq!(read(v).unwrap_err().field, "email_addresses");
        assert_eq!(
            read(serde_json::json!("not an object")).unwrap_err(),
            Skipped { remote_id: None, field: "record".into(), reason: "expected an object, found a string".into() }
        );
    }

    #[tokio::test]
    async fn a_page_is_read_in_place_whatever_its_encoding_and_non_lists_are_refused() {
        let answer = |body: &[u8]| reqwest::Response::from(::http::Response::new(body.to_vec()));
        let mut body = br#"[{"id": 1, "first_name": "Ren"#.to_vec();
        body.push(0xE9); // Latin-1 "é": not UTF-8
        body.extend_from_slice(
            br#"e", "last_name": "Dupr\u00e9", "tags": ["a"], "updated_at": "2026-01-01T00:00:00Z", "ti\u0074le": "CTO", "company": null}]"#,
        );
        let page = read_list(answer(&body), "GET /v3/candidates").await.unwrap();
        let t = talent(&page.records().unwrap()[0]).unwrap();
        // Escapes are read in values and in keys; null reads as absent.
        assert_eq!((t.name.as_str(), t.title.as_deref(), t.company), ("Ren\u{FFFD}e Dupré", Some("CTO"), None));
        assert_eq!((t.remote_id.as_str(), t.tags), ("1", vec!["a".to_string()]));
        let e = read_list(answer(br#"{"error": "nope"}"#), "GET /v3/candidates").await.unwrap().records().err().unwrap();
        assert!(e.to_string().contains("something other than a list of records"), "{e}");
        let e = read_list(answer(b"<html>busy</html>"), "GET /v3/candidates").await.unwrap().records().err().unwrap();
        assert!(e.to_string().contains("something other than JSON: <html>busy</html>"), "{e}");
    }
}
