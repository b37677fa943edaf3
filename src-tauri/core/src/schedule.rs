//! When each connection syncs on its own: every `interval` after the last run started (15 minutes
//! unless the connection says otherwise), sooner-then-later retries after failures, and never
//! for a connection that is waiting for the recruiter (a revoked key, a missing permission, a
//! disconnect). The rule is pure and takes the clock; the desktop shell ticks it.

use chrono::{DateTime, Duration, Utc};

use model::error::{Error, Result};
use model::{Connection, ConnectionState};
use store::{RunSummary, Store};

/// The interval a connection syncs at unless configured otherwise.
pub const DEFAULT_INTERVAL_MINUTES: u32 = 15;
/// The first retry after a failure comes quickly (a blip), each later one waits twice as long…
const FIRST_RETRY: Duration = Duration::minutes(1);
/// …up to this, so a long outage costs a request every two hours, not a storm.
const MAX_RETRY: Duration = Duration::hours(2);
/// How many recent runs the backoff looks at: enough for the delay to reach `MAX_RETRY`.
pub const RUNS_CONSIDERED: u32 = 10;

/// The connection's automatic sync interval; `None` when automatic sync is off.
pub fn interval(conn: &Connection) -> Option<Duration> {
    let minutes = conn.settings.sync_interval_minutes.unwrap_or(DEFAULT_INTERVAL_MINUTES);
    (minutes > 0).then(|| Duration::minutes(minutes as i64))
}

/// Validates an interval a recruiter typed: whole minutes, 0 (off) or 5 minutes to a week.
pub fn checked_minutes(minutes: u32) -> Result<u32> {
    match minutes {
        0 | 5..=10_080 => Ok(minutes),
        _ => Err(Error::Validation(format!(
            "a sync interval of {minutes} minutes is not allowed: use 0 (off) or 5 to 10080 minutes (a week)"
        ))),
    }
}

/// When the connection should next sync on its own; `None` when it should not (off, running,
/// or waiting for the recruiter). `runs` are its most recent runs, newest first.
pub fn next_sync_at(
    state: ConnectionState,
    interval: Option<Duration>,
    runs: &[RunSummary],
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let interval = interval?;
    match state {
        // Retrying a rejected credential or a missing grant only hammers the ATS: the recruiter acts first.
        ConnectionState::NeedsReconnect | ConnectionState::PermissionDenied | ConnectionState::Disconnected => {
            return None
        }
        ConnectionState::Syncing => return None,
        ConnectionState::Connected | ConnectionState::Unreachable | ConnectionState::Error => {}
    }
    let Some(last) = runs.first() else {
        return Some(now);
    };
    if last.state == "running" {
        return None;
    }
    let failures = runs.iter().take_while(|r| r.state == "failed" || r.state == "interrupted").count() as u32;
    if failures == 0 {
        return Some(last.started_at + interval);
    }
    let retry = FIRST_RETRY.checked_mul(1 << (failures - 1).min(16)).unwrap_or(MAX_RETRY).min(MAX_RETRY);
    Some(last.finished_at.unwrap_or(last.started_at) + retry)
}

/// The connections due to sync at `now`. Reads only connections and their recent runs: the
/// desktop app asks every half minute, so it skips the record counts a full status computes.
pub fn due(store: &Store, now: DateTime<Utc>) -> Result<Vec<i64>> {
    let mut due = Vec::new();
    for c in store.connections()? {
        let runs = store.recent_runs(c.id, RUNS_CONSIDERED)?;
        if next_sync_at(c.state, interval(&c), &runs, now).is_some_and(|t| t <= now) {
            due.push(c.id);
        }
    }
    Ok(due)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(state: &str, started: DateTime<Utc>) -> RunSummary {
        RunSummary {
            id: 1,
            connection_id: 1,
            kind: "incremental".into(),
            trigger: model::Trigger::Scheduled,
            started_at: started,
            finished_at: (state != "running").then(|| started + Duration::seconds(10)),
            state: state.into(),
            requests: 3,
            rate_limited: 0,
            created: 0,
            updated: 0,
            deleted: 0,
            skipped: 0,
            error_code: None,
            error: None,
        }
    }

    const EVERY_15: Option<Duration> = Some(Duration::minutes(15));

    #[test]
    fn a_new_connection_is_due_at_once_then_every_interval_after_a_run_started() {
        let now = Utc::now();
        assert_eq!(next_sync_at(ConnectionState::Connected, EVERY_15, &[], now), Some(now));
        let t = now - Duration::minutes(3);
        assert_eq!(
            next_sync_at(ConnectionState::Connected, EVERY_15, &[run("succeeded", t)], now),
            Some(t + Duration::minutes(15))
        );
        assert_eq!(
            next_sync_at(ConnectionState::Connected, EVERY_15, &[run("warnings", t)], now),
            Some(t + Duration::minutes(15))
        );
    }

    #[test]
    fn failures_retry_soon_then_back_off_to_a_cap() {
        let now = Utc::now();
        let delay = |n: usize| {
            let mut runs = vec![run("failed", now); n];
            runs.push(run("succeeded", now - Duration::days(1)));
            next_sync_at(ConnectionState::Unreachable, EVERY_15, &runs, now).unwrap() - (now + Duration::seconds(10))
        };
        assert_eq!(delay(1), Duration::minutes(1));
        assert_eq!(delay(2), Duration::minutes(2));
        assert_eq!(delay(4), Duration::minutes(8));
        assert_eq!(delay(8), Duration::hours(2));
        assert_eq!(delay(40), Duration::hours(2));
        // A success ends the backoff.
        let runs = [run("succeeded", now), run("failed", now), run("failed", now)];
        assert_eq!(next_sync_at(ConnectionState::Connected, EVERY_15, &runs, now), Some(now + Duration::minutes(15)));
    }

    #[test]
    fn nothing_is_scheduled_while_running_off_or_waiting_for_the_recruiter() {
        let now = Utc::now();
        let ok = [run("succeeded", now)];
        for state in [
            ConnectionState::NeedsReconnect,
            ConnectionState::PermissionDenied,
            ConnectionState::Disconnected,
            ConnectionState::Syncing,
        ] {
            assert_eq!(next_sync_at(state, EVERY_15, &ok, now), None, "{state:?}");
        }
        assert_eq!(next_sync_at(ConnectionState::Connected, None, &ok, now), None);
        assert_eq!(next_sync_at(ConnectionState::Connected, EVERY_15, &[run("running", now)], now), None);
    }

    #[test]
    fn intervals_are_read_from_settings_and_checked() {
        let mut conn: Connection = serde_json::from_value(serde_json::json!({
            "id": 1, "name": "x", "provider": "lever", "base_url": "http://127.0.0.1", "auth_url": null,
            "settings": {}, "state": "connected", "sandbox": false,
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap();
        assert_eq!(interval(&conn), Some(Duration::minutes(15)));
        conn.settings.sync_interval_minutes = Some(60);
        assert_eq!(interval(&conn), Some(Duration::hours(1)));
        conn.settings.sync_interval_minutes = Some(0);
        assert_eq!(interval(&conn), None);
        assert!(checked_minutes(1).is_err());
        assert!(checked_minutes(20_000).is_err());
        assert_eq!(checked_minutes(0).unwrap(), 0);
        assert_eq!(checked_minutes(30).unwrap(), 30);
    }
}
