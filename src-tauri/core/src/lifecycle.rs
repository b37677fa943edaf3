//! The connection lifecycle: the one module that changes a connection's state.
//!
//! States: `connected`, `syncing`, `needs_reconnect` (401, expired or revoked credential),
//! `permission_denied` (403, the message names the endpoint and permission), `unreachable`
//! (network or 5xx past the retry budget), `error` (anything else), `disconnected`.
//! Every settled change is recorded as a row (what `diagnose` reads back) and written to the
//! sync log as `from → to: reason` for people. Entering `syncing` is not logged as a change (the run's
//! "sync started" line records it): a run is judged against the state before it, so a healthy
//! sync leaves no transition behind, and a failing one leaves exactly one.

use chrono::{DateTime, Utc};
use serde::Serialize;

use model::error::{Error, Result};
use model::ConnectionState;
use model::LogLevel;
use store::Store;

/// The separator of a logged transition, for people reading the log.
const ARROW: &str = " → ";

/// A recorded change of state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Transition {
    pub at: DateTime<Utc>,
    pub from: String,
    pub to: String,
    pub reason: Option<String>,
}

/// The state a finished run leaves its connection in.
pub fn state_after_run(error: Option<&Error>) -> ConnectionState {
    match error {
        None => ConnectionState::Connected,
        Some(Error::Unauthorized(_)) => ConnectionState::NeedsReconnect,
        Some(Error::PermissionDenied(_)) => ConnectionState::PermissionDenied,
        Some(Error::Unreachable(_)) => ConnectionState::Unreachable,
        Some(_) => ConnectionState::Error,
    }
}

fn level_of(state: ConnectionState) -> LogLevel {
    match state {
        ConnectionState::Connected | ConnectionState::Syncing | ConnectionState::Disconnected => LogLevel::Info,
        _ => LogLevel::Warning,
    }
}

/// Moves connection `id` to `to` and records the change (if it is one) with `reason`.
/// Returns the state it left.
pub fn transition(
    store: &mut Store,
    id: i64,
    to: ConnectionState,
    reason: Option<&str>,
    run_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<ConnectionState> {
    let from = store.connection(id)?.state;
    settle(store, id, from, to, reason, run_id, now)?;
    Ok(from)
}

/// Like `transition`, judged against `before` (the state before a run) instead of the stored one.
fn settle(
    store: &mut Store,
    id: i64,
    before: ConnectionState,
    to: ConnectionState,
    reason: Option<&str>,
    run_id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<()> {
    // Reasons come from typed errors, which are redacted when built; redact again in case a
    // caller passes other text.
    let reason = reason.map(ats::http::redact);
    store.set_connection_state(id, to, reason.as_deref(), now)?;
    if before != to {
        let msg = match &reason {
            Some(r) => format!("{}{ARROW}{}: {r}", before.as_str(), to.as_str()),
            None => format!("{}{ARROW}{}", before.as_str(), to.as_str()),
        };
        store.log(Some(id), run_id, level_of(to), &msg, None, now)?;
        store.add_state_change(id, run_id, before, to, reason.as_deref(), now)?;
    }
    Ok(())
}

/// A run of `id` begins.
pub fn begin_sync(store: &mut Store, id: i64, now: DateTime<Utc>) -> Result<()> {
    store.set_connection_state(id, ConnectionState::Syncing, None, now)
}

/// A run of `id` ended with `error`; `before` is the state the connection had when it began.
pub fn finish_sync(
    store: &mut Store,
    id: i64,
    before: ConnectionState,
    error: Option<&Error>,
    run_id: i64,
    now: DateTime<Utc>,
) -> Result<ConnectionState> {
    let to = state_after_run(error);
    let reason = match error {
        Some(e) => Some(e.to_string()),
        None if before != ConnectionState::Connected => Some("a sync succeeded".to_string()),
        None => None,
    };
    settle(store, id, before, to, reason.as_deref(), Some(run_id), now)?;
    Ok(to)
}

/// The recorded transitions of connection `id`, oldest first.
pub fn history(store: &Store, id: i64) -> Result<Vec<Transition>> {
    Ok(store.state_changes(id)?.into_iter().map(|(at, from, to, reason)| Transition { at, from, to, reason }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_states() {
        assert_eq!(state_after_run(None), ConnectionState::Connected);
        assert_eq!(state_after_run(Some(&Error::Unauthorized("x".into()))), ConnectionState::NeedsReconnect);
        assert_eq!(state_after_run(Some(&Error::PermissionDenied("x".into()))), ConnectionState::PermissionDenied);
        assert_eq!(state_after_run(Some(&Error::Unreachable("x".into()))), ConnectionState::Unreachable);
        assert_eq!(state_after_run(Some(&Error::InvalidResponse("x".into()))), ConnectionState::Error);
    }

    #[test]
    fn changes_are_logged_once_and_read_back_as_history() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open_dir(dir.path()).unwrap();
        let now = Utc::now();
        let new = store::NewConnection {
            name: "GH".into(),
            provider: model::Provider::Greenhouse,
            base_url: "http://127.0.0.1:1/v3".into(),
            auth_url: None,
            settings: Default::default(),
            sandbox: false,
        };
        let id = store.create_connection(&new, now).unwrap().id;
        // A healthy run leaves no transition; a failing one exactly one; so does recovering.
        let run = store.begin_run(id, false, model::Trigger::Manual, now).unwrap();
        begin_sync(&mut store, id, now).unwrap();
        finish_sync(&mut store, id, ConnectionState::Connected, None, run, now).unwrap();
        let run = store.begin_run(id, false, model::Trigger::Manual, now).unwrap();
        begin_sync(&mut store, id, now).unwrap();
        let e =
            Error::Unauthorized("Greenhouse refused the API credential (HTTP 401 on GET /v3/jobs?api_key=abc)".into());
        finish_sync(&mut store, id, ConnectionState::Connected, Some(&e), run, now).unwrap();
        assert_eq!(store.connection(id).unwrap().state, ConnectionState::NeedsReconnect);
        transition(&mut store, id, ConnectionState::NeedsReconnect, Some("again"), None, now).unwrap();
        transition(&mut store, id, ConnectionState::Connected, Some("reconnected"), None, now).unwrap();
        let h = history(&store, id).unwrap();
        let pairs: Vec<(&str, &str)> = h.iter().map(|t| (t.from.as_str(), t.to.as_str())).collect();
        assert_eq!(pairs, vec![("connected", "needs_reconnect"), ("needs_reconnect", "connected")]);
        let reason = h[0].reason.as_deref().unwrap();
        assert!(reason.contains("HTTP 401") && reason.contains("api_key=[redacted]"), "{reason}");
    }

    #[test]
    fn history_logged_before_schema_7_is_carried_over_from_the_log_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(store::DB_FILE);
        let old = Store::open_at_version(&path, 6).unwrap();
        old.raw()
            .execute_batch(
                "INSERT INTO connections (name, provider, base_url, settings, state, sandbox, created_at, updated_at)
                     VALUES ('GH', 'greenhouse', 'http://127.0.0.1:1/v3', '{}', 'connected', 0, 't', 't');
                 INSERT INTO sync_log (connection_id, at, level, message) VALUES
                     (1, '2026-01-01T00:00:00.000Z', 'warning', 'connected → needs_reconnect: Greenhouse refused: a: b'),
                     (1, '2026-01-01T00:01:00.000Z', 'info', 'sync finished: jobs +1 → 2'),
                     (1, '2026-01-01T00:02:00.000Z', 'info', 'needs_reconnect → connected');",
            )
            .unwrap();
        drop(old);
        let store = Store::open(&path).unwrap();
        let h = history(&store, 1).unwrap();
        let got: Vec<(&str, &str, Option<&str>)> =
            h.iter().map(|t| (t.from.as_str(), t.to.as_str(), t.reason.as_deref())).collect();
        assert_eq!(
            got,
            vec![
                ("connected", "needs_reconnect", Some("Greenhouse refused: a: b")),
                ("needs_reconnect", "connected", None)
            ]
        );
        assert_eq!(h[1].at.to_rfc3339(), "2026-01-01T00:02:00+00:00");
    }
}
