//! Greenhouse's OAuth2 client-credentials token, the requests that carry it (a 401 renews it
//! once), and its refusals (401, 403) phrased so a recruiter knows what to fix.

use std::time::{Duration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::paging::path_of;
use super::Greenhouse;
use crate::http;
use model::error::{Error, Result};

/// Renew the access token this long before Greenhouse says it expires, so a request never
/// leaves with a token that dies in flight.
const RENEW_EARLY: Duration = Duration::from_secs(60);

/// Used when the token answer has no `expires_in`. One hour is documented for the partner
/// flow only; for client credentials it is **unconfirmed**.
const DEFAULT_TOKEN_SECS: u64 = 3600;

pub(super) struct AccessToken {
    value: SecretString,
    renew_at: Instant,
}

impl Greenhouse {
    /// The cached access token, renewed when it is about to expire (or `stale` is the one a
    /// request just saw refused).
    pub(super) async fn access_token(&self, stale: Option<&SecretString>) -> Result<SecretString> {
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

    /// GET `url` with the bearer token; on a 401 the token is renewed once and the request
    /// sent again (a 401 means the token expired). 403s are left for the caller to phrase.
    pub(super) async fn get_raw(&self, url: &str, what: &str) -> Result<reqwest::Response> {
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
    pub(super) async fn probe_write(&self, url: &str, what: &str) -> Result<()> {
        let token = self.access_token(None).await?;
        self.http
            .send(what, || self.http.inner().post(url).bearer_auth(token.expose_secret()).json(&serde_json::json!({})))
            .await
            .map(drop)
    }

    /// POSTs `body` as a write (see [`HttpClient::send_write`]): a 401 renews the token once and
    /// sends again (Greenhouse refused it before doing anything); 403s name the permission.
    pub(super) async fn post_write(&self, path: &str, body: &Value) -> Result<reqwest::Response> {
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

    pub(super) async fn get(&self, url: &str, what: &str) -> Result<reqwest::Response> {
        self.get_raw(url, what).await.map_err(|e| match e {
            Error::PermissionDenied(m) => permission_denied(&[(what.to_string(), m)], &self.user_id),
            other => other,
        })
    }
}

/// One `PermissionDenied` for every refused endpoint, naming the scopes the bodies name.
pub(super) fn permission_denied(denied: &[(String, String)], user_id: &str) -> Error {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_scope_a_403_names() {
        assert_eq!(
            scope_in(r#"Greenhouse refused GET /v3/candidates (HTTP 403): {"error":"forbidden","message":"the access token lacks the scope harvest:candidates:list"}"#).as_deref(),
            Some("harvest:candidates:list")
        );
        assert_eq!(scope_in("no scope here"), None);
    }
}
