//! The diagnostics bundle (`talentdeck diagnose`): what support asks for — version, platform,
//! each connection's provider, API host, state and its history, recent runs and errors, local
//! counts — with every secret and personal datum removed.
//!
//! Redaction is by content, not by field: every text that came from a provider (errors, log
//! lines) goes through a [`Redactor`] that knows the connection's secret and every name, e-mail
//! address and phone number held locally, and also catches e-mail-shaped and phone-shaped text
//! it has never seen (a person deleted since, a body excerpt).

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};
use chrono::{DateTime, Utc};
use regex::Regex;
use secrecy::ExposeSecret;
use serde_json::{json, Value};

use crate::app::App;
use crate::{lifecycle, status};
use model::error::{Error, Result};
use model::Connection;

/// What replaces a removed datum.
pub const REDACTED: &str = "[redacted]";

/// How many runs and log lines of each connection go into the bundle.
const RUNS: u32 = 10;
const LOG_LINES: u32 = 50;

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+").expect("e-mail pattern"));
/// International numbers only: a bare digit run could be an id or a date, which support needs.
static PHONE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\+[0-9][0-9 ().-]{6,}[0-9]").expect("phone pattern"));

/// Removes known secrets and personal data, and anything shaped like a credential, an e-mail
/// address or an international phone number.
pub struct Redactor {
    known: Option<AhoCorasick>,
}

impl Redactor {
    /// `terms`: secrets and personal data to remove wherever they appear. Terms shorter than 3
    /// characters are left out: they would blank out ordinary words.
    pub fn new(terms: impl IntoIterator<Item = String>) -> Redactor {
        let mut terms: Vec<String> =
            terms.into_iter().map(|t| t.trim().to_string()).filter(|t| t.chars().count() >= 3).collect();
        terms.sort();
        terms.dedup();
        let known = (!terms.is_empty()).then(|| {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(true)
                .build(&terms)
                .expect("a redaction automaton")
        });
        Redactor { known }
    }

    pub fn apply(&self, text: &str) -> String {
        let s = ats::http::redact(text);
        let s = match &self.known {
            Some(ac) => ac.replace_all(&s, &vec![REDACTED; ac.patterns_len()]),
            None => s,
        };
        let s = EMAIL.replace_all(&s, REDACTED);
        PHONE.replace_all(&s, REDACTED).into_owned()
    }

    fn opt(&self, text: Option<&str>) -> Value {
        text.map(|t| Value::String(self.apply(t))).unwrap_or(Value::Null)
    }
}

/// The bundle, for every connection or one.
pub fn bundle(app: &App, connection_id: Option<i64>, now: DateTime<Utc>) -> Result<Value> {
    let conns: Vec<Connection> = {
        let store = app.store();
        match connection_id {
            Some(id) => vec![store.connection(id)?],
            None => store.connections()?,
        }
    };
    let mut out = Vec::new();
    for c in conns {
        out.push(connection(app, c, now)?);
    }
    Ok(json!({
        "generated_at": store::ts(&now),
        "talentdeck_version": env!("CARGO_PKG_VERSION"),
        "schema_version": store::schema_version(),
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
        "redaction": "secrets, names, e-mail addresses and phone numbers are replaced by [redacted]",
        "connections": out,
    }))
}

fn connection(app: &App, c: Connection, now: DateTime<Utc>) -> Result<Value> {
    // The secret, if the keychain has one, is only read to be scrubbed from the texts.
    let (credential, secret) = match app.credential_of(&c) {
        Ok(Some(cred)) => ("stored", Some(cred.secret.expose_secret().to_string())),
        Ok(None) => ("missing", None),
        Err(Error::KeychainUnavailable(_)) => ("keychain unavailable", None),
        Err(e) => return Err(e),
    };
    let store = app.store();
    let mut terms = store.personal_data(Some(c.id))?;
    terms.extend(secret);
    let r = Redactor::new(terms);
    let health = status::of(&store, c.clone(), now)?;
    let history: Vec<Value> = lifecycle::history(&store, c.id)?
        .into_iter()
        .map(|t| json!({ "at": store::ts(&t.at), "from": t.from, "to": t.to, "reason": r.opt(t.reason.as_deref()) }))
        .collect();
    let runs: Vec<Value> = store
        .recent_runs(c.id, RUNS)?
        .into_iter()
        .map(|run| {
            json!({
                "kind": run.kind, "trigger": run.trigger, "state": run.state,
                "started_at": store::ts(&run.started_at),
                "finished_at": run.finished_at.as_ref().map(store::ts),
                "requests": run.requests, "rate_limited": run.rate_limited,
                "created": run.created, "updated": run.updated, "deleted": run.deleted, "skipped": run.skipped,
                "error_code": run.error_code, "error": r.opt(run.error.as_deref()),
            })
        })
        .collect();
    let log: Vec<Value> = store
        .log_entries(Some(c.id), LOG_LINES)?
        .into_iter()
        .map(|e| json!({ "at": store::ts(&e.at), "level": e.level, "message": r.apply(&e.message), "detail": r.opt(e.detail.as_deref()) }))
        .collect();
    // Where each resource's sync stands: a remote count is not asked of the ATS (none of the
    // three APIs returns totals cheaply), but the last complete full pass is when local and
    // remote last matched, less the skipped records the runs report.
    let mut cursors = serde_json::Map::new();
    for r in model::Resource::ALL {
        let cur = store.cursor(c.id, r)?;
        cursors.insert(
            r.as_str().to_string(),
            json!({ "last_full_pass_at": cur.last_full_at, "pass_in_progress": cur.page_cursor.is_some() }),
        );
    }
    let local: serde_json::Map<String, Value> =
        store.counts(c.id)?.into_iter().map(|(k, n)| (k.to_string(), json!(n))).collect();
    Ok(json!({
        "name": c.name,
        "provider": c.provider,
        "sandbox": c.sandbox,
        "api_host": url::Url::parse(&c.base_url).ok().and_then(|u| u.host_str().map(str::to_string)),
        "credential": credential,
        "state": c.state,
        "state_reason": r.opt(health.state_reason.as_deref()),
        "indicator": health.indicator,
        "last_success_at": health.last_success_at.as_ref().map(store::ts),
        "connected_since": store::ts(&c.created_at),
        "state_history": history,
        "recent_runs": runs,
        "local_counts": local,
        "sync_positions": cursors,
        "recent_log": log,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_known_terms_and_shapes() {
        let r = Redactor::new(["Ada Lovelace".to_string(), "s3cr3t-key".to_string(), "Al".to_string()]);
        assert_eq!(
            r.apply("ada lovelace <ada@example.org> +44 20 7946 0958 used s3cr3t-key; Al stays; id 20261122"),
            "[redacted] <[redacted]> [redacted] used [redacted]; Al stays; id 20261122"
        );
        assert_eq!(r.apply("GET /v1?api_key=abc&x=1"), "GET /v1?api_key=[redacted]&x=1");
    }
}
