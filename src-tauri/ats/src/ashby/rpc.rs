//! Ashby's RPC call (`POST /<resource>.<action>` with a JSON body, HTTP Basic with the API key
//! as username) and its refusals: errors come inside HTTP 200 bodies (`success: false` +
//! `errorInfo.code`) and become typed errors here.

use std::sync::atomic::Ordering;

use secrecy::ExposeSecret;
use serde_json::Value;

use super::{Ashby, API_VERSION};
use crate::http::redact;
use crate::record;
use model::error::{Error, Result};
use model::Resource;

/// Error codes after which the token (or cursor) is useless: drop it and list everything.
const RESYNC_CODES: [&str; 5] = [
    "sync_token_expired",
    "sync_token_invalid",
    "next_cursor_expired",
    "invalid_next_cursor",
    "incremental_sync_too_large",
];
/// Codes that mean the stored cursor (not the token) is dead.
const CURSOR_CODES: [&str; 2] = ["next_cursor_expired", "invalid_next_cursor"];

/// `success: false`: the code and message Ashby gave.
pub(super) struct Refusal {
    pub(super) code: String,
    message: String,
}

impl Ashby {
    fn url(&self, what: &str) -> String {
        format!("{}/{what}", self.endpoint.base_url.trim_end_matches('/'))
    }

    /// POSTs `body` to `/<what>`. The outer error is transport/HTTP/shape; the inner one is
    /// Ashby's `success: false`, left to the caller (see [`Ashby::post`]).
    pub(super) async fn post_raw(&self, what: &str, body: &Value) -> Result<std::result::Result<Value, Refusal>> {
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
                let code =
                    info.and_then(|i| i.get("code")).and_then(Value::as_str).unwrap_or("unknown_error").to_string();
                let message = info
                    .and_then(|i| i.get("message"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .or_else(|| {
                        v.get("errors")
                            .and_then(Value::as_array)
                            .map(|a| a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; "))
                    })
                    .unwrap_or_default();
                Ok(Err(Refusal { code, message: redact(&message) }))
            }
            None => Err(record::invalid("Ashby", &label, "without a success flag", &text)),
        }
    }

    /// POSTs and maps `success: false` to a typed error.
    pub(super) async fn post(&self, what: &str, body: &Value) -> Result<Value> {
        self.post_raw(what, body).await?.map_err(|r| refusal_error(what, &r))
    }

    /// POSTs a write; Ashby's refusals become `NotFound` / `Validation` with its message.
    pub(super) async fn post_write(&self, what: &str, body: &Value) -> Result<Value> {
        self.post_as(true, what, body).await?.map_err(|r| write_refusal(what, &r))
    }
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

pub(super) fn unsupported(r: Resource) -> Error {
    Error::Internal(format!("the Ashby connector does not sync {}", r.as_str()))
}

/// The permission module an endpoint needs, as Ashby's admin screen names it.
pub(super) fn permission_of(what: &str) -> &'static str {
    if matches!(what, "application.changeStage" | "candidate.createNote") {
        return "Candidates (write)";
    }
    match what.split('.').next().unwrap_or_default() {
        "job" | "jobInterviewPlan" | "jobPosting" => "Jobs (read)",
        "candidate" | "application" | "file" => "Candidates (read)",
        "interviewStage" | "interviewPlan" | "archiveReason" => "Hiring Process Metadata (read)",
        "department" | "location" | "user" => "Organization (read)",
        _ => "the permission this endpoint needs",
    }
}

pub(super) fn is_cursor_error(message: &str) -> bool {
    CURSOR_CODES.iter().any(|c| message.contains(c))
}

/// The job or plan disappeared between two calls.
pub(super) fn gone(code: &str) -> bool {
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
pub(super) fn refusal_error(what: &str, r: &Refusal) -> Error {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
