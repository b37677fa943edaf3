//! Lever Data API v1 (shared/ats-apis.md §2): HTTP Basic with the API key as username,
//! `{data, hasNext, next}` pages walked with `offset=<next>`, millisecond timestamps, an
//! account-wide pipeline, and deletions listed under `/opportunities/deleted` and
//! `/postings/deleted`.
//!
//! Split by concern: `paging` (pages, page tokens and the passes), `talents` (which
//! opportunity speaks for each contact's talent), `map` (records onto the model); this file
//! holds the connection, its HTTP, the permission checks and the writes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

use super::http::{self, HttpClient, RetryPolicy, Stats};
use super::pace::FirstWindow;
use super::record::{self, Rec};
use super::{Connector, Endpoint, Incremental, Page, PageRequest, StoredTalents};
use map::{parse_opportunity, parse_resume, record_id, Lookups};
use model::error::{Error, Result};
use model::{Application, Attachment, Provider, RejectionReason, RemoteNote, Resource};
use paging::{Phase, Token};
use talents::PassMemory;

mod map;
mod paging;
mod talents;

/// The Lever connector. One instance serves one connection; it caches the pipeline and the
/// archive reasons, and remembers per pass which opportunity each contact's talent came from.
pub struct Lever {
    base: String,
    secret: SecretString,
    /// The Lever user writes are made as (`perform_as`), from the connection's settings.
    perform_as: Option<String>,
    http: HttpClient,
    lookups: tokio::sync::Mutex<Option<Arc<Lookups>>>,
    memory: Mutex<Option<PassMemory>>,
    /// What the store holds of talents, when this connector resumes an interrupted pass.
    stored: Mutex<Option<StoredTalents>>,
}

/// The window Lever's documented budget (10 requests) is counted over.
const BUDGET_WINDOW: Duration = Duration::from_secs(1);

impl Lever {
    pub fn new(endpoint: Endpoint) -> Lever {
        let perform_as =
            endpoint.settings.perform_as.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        Lever {
            perform_as,
            base: endpoint.base_url.trim_end_matches('/').to_string(),
            secret: endpoint.secret,
            // Documented as 10 requests/second per key (unconfirmed, ats-apis.md §2.4). Lever sends
            // no budget and no Retry-After: the second is probed before its budget goes at once.
            http: HttpClient::new("Lever", 10, BUDGET_WINDOW, FirstWindow::Probed, RetryPolicy::default()),
            lookups: tokio::sync::Mutex::new(None),
            memory: Mutex::new(None),
            stored: Mutex::new(None),
        }
    }

    // ---- HTTP ----

    /// GETs `path` and parses the body as JSON; returns the body too, for error excerpts.
    async fn get(&self, path: &str, query: &[(&str, String)]) -> Result<(Value, String)> {
        let url = format!("{}{path}", self.base);
        let what = format!("GET {path}");
        let mut broken = 0;
        loop {
            let resp = self
                .http
                .send(&what, || {
                    self.http.inner().get(&url).basic_auth(self.secret.expose_secret(), Some("")).query(query)
                })
                .await
                .map_err(|e| explain_denial(e, &what))?;
            let body = match resp.text().await {
                Ok(b) => b,
                // The status was fine but the body broke off: ask again, a couple of times.
                Err(_) if broken < 2 => {
                    broken += 1;
                    continue;
                }
                Err(e) => {
                    return Err(Error::Unreachable(format!(
                        "Lever's answer to {what} broke off: {}",
                        http::redact(&e.to_string())
                    )))
                }
            };
            return match serde_json::from_str(&body) {
                Ok(v) => Ok((v, body)),
                Err(_) => Err(record::invalid("Lever", &what, "with something that is not JSON", &body)),
            };
        }
    }

    /// Sends a write (see [`HttpClient::send_write`]) as the connection's `perform_as` user when
    /// one is set (optional except on create, ats-apis.md §2.2) and returns the body's JSON
    /// (`Null` when empty).
    async fn write(&self, method: reqwest::Method, path: &str, body: &Value) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let what = format!("{method} {path}");
        let query: Vec<(&str, &str)> = self.perform_as.iter().map(|u| ("perform_as", u.as_str())).collect();
        let resp = self
            .http
            .send_write(&what, || {
                self.http
                    .inner()
                    .request(method.clone(), &url)
                    .basic_auth(self.secret.expose_secret(), Some(""))
                    .query(&query)
                    .json(body)
            })
            .await
            .map_err(|e| explain_denial(e, &what))?;
        // The write is done: an answer that breaks off or is not JSON changes nothing.
        let text = resp.text().await.unwrap_or_default();
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

#[async_trait]
impl Connector for Lever {
    fn provider(&self) -> Provider {
        Provider::Lever
    }

    /// Opportunities yield both the talents and the applications: there is no talent pass.
    fn resources(&self) -> Vec<Resource> {
        vec![Resource::Jobs, Resource::Stages, Resource::Applications]
    }

    fn incremental(&self, resource: Resource) -> Incremental {
        match resource {
            Resource::Jobs | Resource::Applications => Incremental::UpdatedAt,
            _ => Incremental::None,
        }
    }

    /// The first request proves the key (401 → reconnect); each one checks a permission the
    /// key must have been given (403 names it).
    async fn verify(&self) -> Result<()> {
        // Every permission is checked, so one reconnect fixes all the missing ones.
        let mut denied = Vec::new();
        for path in ["/postings", "/opportunities", "/stages", "/archive_reasons"] {
            let query = vec![("limit", "1".to_string())];
            match self.get(path, &query).await {
                Ok(_) => {}
                Err(Error::PermissionDenied(m)) => denied.push(m),
                Err(e) => return Err(e),
            }
        }
        // The writes Talentdeck makes: stage changes and notes.
        for (method, path) in
            [(reqwest::Method::PUT, "/opportunities/{id}/stage"), (reqwest::Method::POST, "/opportunities/{id}/notes")]
        {
            let url = format!("{}{}", self.base, path.replace("{id}", super::PROBE_ID));
            let what = format!("{method} {path}");
            let sent = self
                .http
                .send(&what, || {
                    self.http
                        .inner()
                        .request(method.clone(), &url)
                        .basic_auth(self.secret.expose_secret(), Some(""))
                        .json(&json!({}))
                })
                .await
                .map(drop)
                .map_err(|e| explain_denial(e, &what));
            if let Some(m) = super::probe_denial(sent)? {
                denied.push(m);
            }
        }
        match denied.len() {
            0 => Ok(()),
            1 => Err(Error::PermissionDenied(denied.remove(0))),
            n => Err(Error::PermissionDenied(format!(
                "Lever refused {n} permissions Talentdeck needs: {}",
                denied.join("; ")
            ))),
        }
    }

    fn use_stored_talents(&self, lookup: StoredTalents) {
        *lock(&self.stored) = Some(lookup);
    }

    async fn page(&self, req: &PageRequest) -> Result<Page> {
        let token = match &req.page {
            None => Token::new(Phase::List, None),
            Some(s) => Token::decode(s)?,
        };
        let page = match req.resource {
            Resource::Jobs => self.jobs_page(req, token).await?,
            Resource::Stages => self.stages_page(token).await?,
            Resource::Applications => self.applications_page(req, token).await?,
            other => return Err(Error::Internal(format!("Lever has no {} pass", other.as_str()))),
        };
        tracing::debug!(
            resource = req.resource.as_str(),
            records = page.batch.len(),
            deletions = page.batch.deletions.len(),
            skipped = page.skipped.len(),
            more = page.next.is_some(),
            "lever page"
        );
        Ok(page)
    }

    /// `GET /v1/opportunities/{id}/resumes`: the opportunity's resumes (one request per
    /// opportunity, hence read lazily rather than during a sync). A resume that cannot be read
    /// is left out with a warning; the others are kept.
    async fn files_of(&self, application_remote_id: &str, talent_remote_id: &str) -> Result<Option<Vec<Attachment>>> {
        let opp = path_segment(application_remote_id)?;
        let records = self.list_all(&format!("/opportunities/{opp}/resumes")).await?;
        let mut files = Vec::with_capacity(records.len());
        for v in &records {
            match parse_resume(&Rec::new(v), application_remote_id, talent_remote_id) {
                Ok(f) => files.push(f),
                Err(s) => {
                    tracing::warn!(remote_id = ?s.remote_id, field = %s.field, reason = %s.reason, "skipped an unreadable Lever resume")
                }
            }
        }
        Ok(Some(files))
    }

    /// The download endpoint, with the API key. The key is only ever sent to the API's own
    /// host: a `downloadUrl` elsewhere is replaced by the documented path.
    async fn open_file(&self, file: &Attachment) -> Result<reqwest::Response> {
        let documented = || -> Result<String> {
            let opp = file.application_remote_id.as_deref().ok_or_else(|| {
                Error::Internal(format!("the Lever resume {} is stored without its opportunity", file.remote_id))
            })?;
            Ok(format!(
                "{}/opportunities/{}/resumes/{}/download",
                self.base,
                path_segment(opp)?,
                path_segment(&file.remote_id)?
            ))
        };
        let url = match file.url.as_deref() {
            Some(u) if same_origin(u, &self.base) => u.to_string(),
            _ => documented()?,
        };
        let what = "GET /v1/opportunities/{id}/resumes/{resumeId}/download";
        let sent = self
            .http
            .send(what, || self.http.inner().get(&url).basic_auth(self.secret.expose_secret(), Some("")))
            .await;
        sent.map_err(|e| match e {
            Error::InvalidResponse(m) if m.contains("HTTP 404") => Error::NotFound(format!(
                "Lever no longer has the resume {:?}; the next sync removes it here",
                file.filename
            )),
            e => explain_denial(e, what),
        })
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

    /// `GET /v1/opportunities/{id}?expand=applications` (the application is the opportunity, as
    /// in the sync), mapped by the sync's own [`Opp::application`].
    async fn application(&self, remote_id: &str) -> Result<Application> {
        let id = opportunity_segment(remote_id)?;
        let gone = || Error::NotFound(format!("Lever no longer has the opportunity {remote_id}"));
        let (v, body) = match self.get(&format!("/opportunities/{id}"), &[("expand", "applications".to_string())]).await
        {
            Ok(r) => r,
            Err(Error::InvalidResponse(m)) if m.contains("HTTP 404") => return Err(gone()),
            Err(e) => return Err(e),
        };
        let Some(data) = v.get("data").filter(|d| d.is_object()) else {
            return Err(record::invalid("Lever", "GET /opportunities/{id}", "without the opportunity", &body));
        };
        let opp = parse_opportunity(&Rec::new(data))
            .map_err(|s| record::unreadable("Lever", "opportunity", remote_id, &s))?;
        let lookups = self.lookups(std::slice::from_ref(&opp)).await?;
        Ok(opp.application(&lookups))
    }

    /// `PUT /v1/opportunities/{id}/stage {stage}`. Lever has no stale-stage guard: the caller
    /// reads before it writes.
    async fn move_application(&self, app: &Application, to: &str) -> Result<()> {
        let id = opportunity_segment(&app.remote_id)?;
        self.write(reqwest::Method::PUT, &format!("/opportunities/{id}/stage"), &json!({ "stage": to })).await.map(drop)
    }

    /// `PUT /v1/opportunities/{id}/archived {reason}`.
    async fn reject(&self, app: &Application, reason: &str) -> Result<()> {
        let id = opportunity_segment(&app.remote_id)?;
        self.write(reqwest::Method::PUT, &format!("/opportunities/{id}/archived"), &json!({ "reason": reason }))
            .await
            .map(drop)
    }

    /// `POST /v1/opportunities/{id}/notes {value}`: Lever notes live on an opportunity.
    async fn add_note(&self, _talent: &str, application: Option<&str>, body: &str) -> Result<()> {
        let id = opportunity_segment(note_opportunity(application)?)?;
        self.write(reqwest::Method::POST, &format!("/opportunities/{id}/notes"), &json!({ "value": body }))
            .await
            .map(drop)
    }

    /// `GET /v1/opportunities/{id}/notes`, every page.
    async fn notes(&self, _talent: &str, application: Option<&str>) -> Result<Vec<RemoteNote>> {
        let id = opportunity_segment(note_opportunity(application)?)?;
        let records = match self.list_all(&format!("/opportunities/{id}/notes")).await {
            Err(Error::InvalidResponse(m)) if m.contains("HTTP 404") => {
                return Err(Error::NotFound(format!("Lever no longer has the opportunity {id}")))
            }
            other => other?,
        };
        let mut out = Vec::with_capacity(records.len());
        for v in &records {
            match (record_id(v), note_text(v)) {
                (Some(remote_id), Some(body)) => {
                    // Epoch milliseconds, like every Lever time.
                    let created_at =
                        v.get("createdAt").and_then(Value::as_i64).and_then(|ms| Utc.timestamp_millis_opt(ms).single());
                    out.push(RemoteNote { remote_id, body, author: None, created_at })
                }
                _ => tracing::warn!(id = ?record_id(v), "a Lever note without an id or a text was ignored"),
            }
        }
        Ok(out)
    }

    /// `GET /v1/archive_reasons?type=non-hired`: a "hired" reason would make a hire of it.
    async fn rejection_reasons(&self) -> Result<Vec<RejectionReason>> {
        let mut out = Vec::new();
        let mut offset: Option<String> = None;
        loop {
            let p = self.list("/archive_reasons", vec![("type", "non-hired".to_string())], offset.as_deref()).await?;
            for r in &p.data {
                // Filtered here too: the list must never offer a hired reason for a rejection.
                let non_hired = r.get("type").and_then(Value::as_str) == Some("non-hired");
                let active = r.get("status").and_then(Value::as_str).is_none_or(|s| s == "active");
                match (record_id(r), r.get("text").and_then(Value::as_str)) {
                    (Some(remote_id), Some(name)) if non_hired && active => {
                        out.push(RejectionReason { remote_id, name: name.to_string() })
                    }
                    (Some(_), Some(_)) => {}
                    _ => {
                        tracing::warn!(id = ?record_id(r), "a Lever archive reason without an id or a text was ignored")
                    }
                }
            }
            match p.next {
                Some(n) => offset = Some(n),
                None => return Ok(out),
            }
        }
    }
}

/// The opportunity a Lever note is written to or read from.
fn note_opportunity(application: Option<&str>) -> Result<&str> {
    application.ok_or_else(|| {
        Error::Validation("Lever keeps notes on an opportunity, and this talent has none in Lever to put it on".into())
    })
}

/// An opportunity id for a write's path; one that cannot be a Lever id names no record.
fn opportunity_segment(id: &str) -> Result<&str> {
    path_segment(id).map_err(|_| Error::Validation(format!("{id:?} is not a Lever opportunity id")))
}

/// A note's text. Lever's reference shows it in `fields[].value` (with `text` as a label or
/// the text itself); a top-level `value`, as sent on create, is accepted too (**unconfirmed**
/// which form the live API returns).
fn note_text(v: &Value) -> Option<String> {
    if let Some(s) = v.get("value").and_then(Value::as_str) {
        return Some(s.to_string());
    }
    let fields = v.get("fields").and_then(Value::as_array);
    if let Some(s) = fields.into_iter().flatten().find_map(|f| f.get("value").and_then(Value::as_str)) {
        return Some(s.to_string());
    }
    v.get("text").and_then(Value::as_str).map(str::to_string)
}

/// A Lever id as one URL path segment; anything else in an id is refused rather than sent.
fn path_segment(id: &str) -> Result<&str> {
    if !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        Ok(id)
    } else {
        Err(Error::InvalidResponse(format!("{id:?} is not a Lever id")))
    }
}

fn same_origin(a: &str, b: &str) -> bool {
    let origin = |s: &str| url::Url::parse(s).ok().map(|u| u.origin());
    matches!((origin(a), origin(b)), (Some(x), Some(y)) if x == y)
}

// ---- helpers ----

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// If a 403 names the permission (Lever says e.g. "the API key lacks the permission
/// stages:read:admin"), say which one and for what.
fn explain_denial(e: Error, what: &str) -> Error {
    match e {
        Error::PermissionDenied(msg) => match permission_in(&msg) {
            Some(p) => Error::PermissionDenied(format!(
                "the Lever API key lacks the permission {p}, which Talentdeck needs for {what}; a Lever Super Admin can grant it to the key"
            )),
            None => Error::PermissionDenied(msg),
        },
        e => e,
    }
}

/// A word shaped like a Lever permission (`resource:read|write:scope`).
fn permission_in(msg: &str) -> Option<&str> {
    msg.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':')).find(|w| {
        let parts: Vec<&str> = w.split(':').collect();
        parts.len() == 3 && parts.iter().all(|p| !p.is_empty()) && matches!(parts[1], "read" | "write")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_permission_in_a_403() {
        assert_eq!(permission_in("Lever refused GET /stages (HTTP 403): {\"message\":\"the API key lacks the permission stages:read:admin\"}"), Some("stages:read:admin"));
        assert_eq!(permission_in("no permission here: 12:30:00"), None);
    }
}
