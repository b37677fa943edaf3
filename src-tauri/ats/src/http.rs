//! The HTTP client every provider shares: pacing at the account's learned rate (see
//! [`super::pace`]), retries with backoff and jitter for transient failures, `Retry-After` on
//! 429, and typed errors with any secret redacted. Providers build requests; this module decides
//! when and how often to send.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};
use reqwest::{RequestBuilder, Response, StatusCode};

use super::pace::{Budget, FirstWindow, Pacer, SharedPacer, Turn};
use model::error::Error;

/// Requests made through one client, for run records and benchmarks.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub rate_limited: AtomicU64,
    pub retries: AtomicU64,
}

impl Stats {
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }
    pub fn rate_limited(&self) -> u64 {
        self.rate_limited.load(Ordering::Relaxed)
    }
}

/// How hard to try before a run fails (and later resumes from its checkpoint).
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_retries: usize,
    pub min_delay: Duration,
    pub max_delay: Duration,
    /// The longest a single request may keep retrying, waits included: never hours of 429s.
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 8,
            min_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
            max_total: Duration::from_secs(180),
        }
    }
}

pub struct HttpClient {
    inner: reqwest::Client,
    /// One budget for every request of this client, whichever stream (pull, files, push) sends
    /// it, and for every other client given the same pacer (see [`HttpClient::share_pacer`]).
    pacer: SharedPacer,
    pub stats: Stats,
    policy: RetryPolicy,
    provider: &'static str,
}

/// One attempt's failure: retry (after the server's requested delay, if any) or give up.
struct Failure {
    error: Error,
    retry: bool,
    retry_after: Option<Duration>,
    /// No HTTP answer at all (refused, reset, DNS, timeout).
    transport: bool,
}

/// Transport failures in a row before a request gives up (about 1.5 s of backoff): a dead
/// network or an unreachable host is reported at once rather than after minutes of retries; the
/// sync resumes from its checkpoint and the outbox keeps its rows.
const MAX_TRANSPORT_RETRIES: usize = 3;

impl HttpClient {
    /// `requests` per `per`: the provider's documented budget, the starting point for pacing,
    /// its first window spent as `first` says.
    pub fn new(
        provider: &'static str,
        requests: u32,
        per: Duration,
        first: FirstWindow,
        policy: RetryPolicy,
    ) -> HttpClient {
        HttpClient {
            inner: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(60))
                .user_agent(concat!("Talentdeck/", env!("CARGO_PKG_VERSION")))
                .build()
                .expect("an HTTP client with default TLS"),
            pacer: Arc::new(Mutex::new(Pacer::documented(requests, per, first))),
            stats: Stats::default(),
            policy,
            provider,
        }
    }

    pub fn inner(&self) -> &reqwest::Client {
        &self.inner
    }

    /// Sends the request `build` makes (called again for every retry) and returns a 2xx
    /// response. `what` names the endpoint in errors (e.g. "GET /v3/candidates").
    pub async fn send(&self, what: &str, build: impl Fn() -> RequestBuilder) -> Result<Response, Error> {
        self.send_as(Mode::Read, what, build).await
    }

    /// Sends a write (a stage move, a rejection, a note) and returns a 2xx response. Unlike
    /// [`HttpClient::send`], only a 429 (after its `Retry-After`) or a connection that could not
    /// be opened (nothing was sent) is tried again: after a timeout, a dropped connection or a
    /// 5xx the ATS may have applied the write, so `Unreachable` comes back at once and the
    /// caller re-reads before deciding. The provider's refusals are typed: 404 → `NotFound`,
    /// 400/422 → `Validation` with the provider's own message.
    pub async fn send_write(&self, what: &str, build: impl Fn() -> RequestBuilder) -> Result<Response, Error> {
        self.send_as(Mode::Write, what, build).await
    }

    async fn send_as(&self, mode: Mode, what: &str, build: impl Fn() -> RequestBuilder) -> Result<Response, Error> {
        let started = Instant::now();
        let policy = &self.policy;
        let backoff = ExponentialBuilder::default()
            .with_min_delay(policy.min_delay)
            .with_max_delay(policy.max_delay)
            .with_max_times(policy.max_retries)
            .with_jitter();
        let attempt = || async { self.attempt(mode, what, &build).await };
        let transport_failures = std::sync::atomic::AtomicUsize::new(0);
        attempt
            .retry(backoff)
            .when(|f: &Failure| {
                if !f.transport {
                    transport_failures.store(0, Ordering::Relaxed);
                    return f.retry;
                }
                f.retry && transport_failures.fetch_add(1, Ordering::Relaxed) < MAX_TRANSPORT_RETRIES
            })
            .adjust(|f: &Failure, delay| {
                let wait = f.retry_after.or(delay)?;
                if started.elapsed() + wait > policy.max_total {
                    return None; // give up rather than wait past the budget
                }
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
                Some(wait)
            })
            .await
            .map_err(|f| f.error)
    }

    async fn attempt(&self, mode: Mode, what: &str, build: &impl Fn() -> RequestBuilder) -> Result<Response, Failure> {
        let turn = self.wait_turn().await;
        self.stats.requests.fetch_add(1, Ordering::Relaxed);
        let write = mode == Mode::Write;
        let resp = match build().send().await {
            Ok(r) => r,
            // A write whose connection was never opened (refused, DNS, TLS) reached nothing:
            // safe to send again. Once connected, the request may have arrived.
            Err(e) if write && !e.is_connect() => {
                return Err(Failure {
                    transport: false,
                    error: Error::Unreachable(format!(
                        "{} did not answer {what}: {}; the change may or may not have been made",
                        self.provider,
                        redact(&e.to_string())
                    )),
                    retry: false,
                    retry_after: None,
                });
            }
            Err(e) => {
                // Connection refused/reset, DNS, timeouts: transient until the budget runs out.
                return Err(Failure {
                    transport: true,
                    error: Error::Unreachable(format!(
                        "{} could not be reached ({what}): {}",
                        self.provider,
                        redact(&e.to_string())
                    )),
                    retry: true,
                    retry_after: None,
                });
            }
        };
        let budget = budget(&resp);
        let status = resp.status();
        let retry_after = retry_after(&resp);
        let now = tokio::time::Instant::now();
        if status == StatusCode::TOO_MANY_REQUESTS {
            // Cut the pace and pause everyone; the retry waits as long.
            let wait = self.pacer().on_429(now, &turn, budget, retry_after);
            tracing::debug!(provider = self.provider, what, pace = self.pace(), ?wait, "429: pacing slower");
            return Err(self.rate_limited(what, wait));
        }
        self.pacer().on_answer(now, &turn, budget, status.is_success());
        if status.is_success() {
            return Ok(resp);
        }
        let body = resp.text().await.unwrap_or_default();
        let excerpt = excerpt(&body);
        let p = self.provider;
        Err(match status {
            StatusCode::UNAUTHORIZED => Failure {
                transport: false,
                error: Error::Unauthorized(format!(
                    "{p} rejected the credential (HTTP 401 on {what}): it expired or was revoked; reconnect with a new one"
                )),
                retry: false,
                retry_after: None,
            },
            StatusCode::FORBIDDEN => Failure {
                transport: false,
                error: Error::PermissionDenied(format!("{p} refused {what} (HTTP 403): {excerpt}")),
                retry: false,
                retry_after: None,
            },
            s if write && (s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT) => Failure {
                transport: false,
                error: Error::Unreachable(format!(
                    "{p} failed with HTTP {} on {what}: {excerpt}; the change may or may not have been made",
                    s.as_u16()
                )),
                retry: false,
                retry_after: None,
            },
            s if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT => Failure {
                transport: false,
                error: Error::Unreachable(format!("{p} failed with HTTP {} on {what}: {excerpt}", s.as_u16())),
                retry: true,
                retry_after,
            },
            StatusCode::NOT_FOUND if write => Failure {
                transport: false,
                error: Error::NotFound(format!("{p} has no such record ({what}): {}", provider_message(&body))),
                retry: false,
                retry_after: None,
            },
            StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY if write => Failure {
                transport: false,
                error: Error::Validation(format!("{p} refused {what}: {}", provider_message(&body))),
                retry: false,
                retry_after: None,
            },
            s => Failure {
                transport: false,
                error: Error::InvalidResponse(format!("{p} answered HTTP {} on {what}: {excerpt}", s.as_u16())),
                retry: false,
                retry_after: None,
            },
        })
    }

    /// This client's pacer, to share with another client of the same account.
    pub fn pacer_handle(&self) -> SharedPacer {
        self.pacer.clone()
    }

    /// Draws on `pacer` from now on: the pace another client of the same account learned.
    pub fn share_pacer(&mut self, pacer: SharedPacer) {
        self.pacer = pacer;
    }

    fn pacer(&self) -> std::sync::MutexGuard<'_, Pacer> {
        self.pacer.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The pace requests go at now (requests per second), for reports.
    pub fn pace(&self) -> f64 {
        self.pacer().rate(tokio::time::Instant::now())
    }

    /// Waits for this request's turn in the shared pace. A turn that a 429, a pause or news of
    /// the budget made void while it waited is given back and another one taken.
    async fn wait_turn(&self) -> Turn {
        let mut turn = self.pacer().reserve(tokio::time::Instant::now());
        loop {
            tokio::time::sleep_until(turn.at).await;
            let mut pacer = self.pacer();
            if pacer.still_good(&turn) {
                return turn;
            }
            pacer.abandon(&turn);
            turn = pacer.reserve(tokio::time::Instant::now());
        }
    }

    fn rate_limited(&self, what: &str, wait: Duration) -> Failure {
        self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
        Failure {
            transport: false,
            error: Error::RateLimited(format!(
                "{} kept answering 429 Too Many Requests ({what}); try again later",
                self.provider
            )),
            retry: true,
            retry_after: Some(wait),
        }
    }
}

/// The budget a provider announces in its headers: Greenhouse `X-RateLimit-Limit/Remaining/Reset`
/// (others spell them `X-Rate-Limit-*`). All three or nothing: a remaining count without its
/// reset does not tell when the budget comes back.
fn budget(resp: &Response) -> Option<Budget> {
    let h = resp.headers();
    let num = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse::<f64>().ok());
    let pick = |a: &str, b: &str| num(a).or_else(|| num(b));
    let limit = pick("x-ratelimit-limit", "x-rate-limit-limit")?;
    let remaining = pick("x-ratelimit-remaining", "x-rate-limit-remaining")?;
    let reset = pick("x-ratelimit-reset", "x-rate-limit-reset")?;
    // Greenhouse sends an absolute epoch time; others send seconds to wait. Accept both.
    let now_epoch =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or_default();
    let secs = if reset > 1_000_000_000.0 { reset - now_epoch } else { reset };
    // A clock that disagrees with the provider's must not stop the client for hours.
    Some(Budget {
        limit: limit.max(1.0),
        remaining: remaining.max(0.0),
        reset_in: Duration::from_secs_f64(secs.clamp(0.0, 120.0)),
    })
}

/// Whether a request may be sent again after a failure that may hide a change (see `send_write`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Read,
    Write,
}

/// The message in a provider's error body: `message` (Greenhouse, Lever), else `errors[]`
/// (strings or `{message}`), else `error_description`/`error`; else the body's excerpt.
pub fn provider_message(body: &str) -> String {
    use serde_json::Value;
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let text =
        |v: Option<&Value>| v.and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
    let from_errors = || {
        let list = v.get("errors")?.as_array()?;
        let parts: Vec<String> = list.iter().filter_map(|e| text(Some(e)).or_else(|| text(e.get("message")))).collect();
        (!parts.is_empty()).then(|| parts.join("; "))
    };
    let found = text(v.get("message"))
        .or_else(from_errors)
        .or_else(|| text(v.get("error_description")))
        .or_else(|| text(v.get("error")));
    match found {
        Some(m) => excerpt(&m),
        None => excerpt(body),
    }
}

fn retry_after(resp: &Response) -> Option<Duration> {
    let v = resp.headers().get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<f64>() {
        return Some(Duration::from_secs_f64(secs.clamp(0.0, 300.0)));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_milliseconds().max(0) as u64;
    Some(Duration::from_millis(secs.min(300_000)))
}

/// At most 300 characters of a response body, secrets redacted, for errors and the sync log.
pub fn excerpt(body: &str) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut s: String = one_line.chars().take(300).collect();
    if one_line.chars().count() > 300 {
        s.push('…');
    }
    redact(&s)
}

/// Removes anything that looks like a credential: query-string keys and tokens, and
/// `Authorization`/bearer values.
pub fn redact(s: &str) -> String {
    static SECRET_PARAMS: &[&str] = &[
        "api_key",
        "apikey",
        "key",
        "token",
        "access_token",
        "refresh_token",
        "client_secret",
        "password",
        "secret",
        "sync_token",
        "synctoken",
        // Signed file links (S3 and the like) grant access to a resume on their own.
        "sig",
        "signature",
        "x-amz-signature",
        "x-amz-credential",
        "x-amz-security-token",
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find(['?', '&']) {
        out.push_str(&rest[..=pos]);
        rest = &rest[pos + 1..];
        let name_end = rest.find('=').unwrap_or(0);
        let name = &rest[..name_end];
        if name_end > 0 && SECRET_PARAMS.iter().any(|p| name.eq_ignore_ascii_case(p)) {
            let value_end = rest[name_end + 1..]
                .find(|c: char| c == '&' || c.is_whitespace() || c == '"' || c == '\'')
                .map(|i| name_end + 1 + i)
                .unwrap_or(rest.len());
            out.push_str(name);
            out.push_str("=[redacted]");
            rest = &rest[value_end..];
        }
    }
    out.push_str(rest);
    // Bearer and Basic credentials, however they got into the text.
    let mut result = String::with_capacity(out.len());
    let mut words = out.split(' ').peekable();
    let mut first = true;
    while let Some(w) = words.next() {
        if !first {
            result.push(' ');
        }
        first = false;
        result.push_str(w);
        if (w.eq_ignore_ascii_case("bearer") || w.eq_ignore_ascii_case("basic")) && words.peek().is_some() {
            words.next();
            result.push_str(" [redacted]");
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_query_secrets_and_authorization_values() {
        assert_eq!(
            redact("GET https://x.test/v1?limit=5&api_key=abc123&offset=9 failed"),
            "GET https://x.test/v1?limit=5&api_key=[redacted]&offset=9 failed"
        );
        assert_eq!(redact("Authorization: Bearer eyJhbGciOi.x.y"), "Authorization: Bearer [redacted]");
        assert_eq!(redact("basic dXNlcjpwYXNz"), "basic [redacted]");
        assert_eq!(redact("nothing secret here"), "nothing secret here");
    }

    #[test]
    fn reads_the_providers_error_message() {
        assert_eq!(
            provider_message(r#"{"error":"unprocessable_entity","message":"from_stage_id 3 is stale"}"#),
            "from_stage_id 3 is stale"
        );
        assert_eq!(provider_message(r#"{"errors":[{"message":"a"},"b"]}"#), "a; b");
        assert_eq!(provider_message("<html>bad</html>"), "<html>bad</html>");
    }
}
