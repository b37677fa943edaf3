//! Connection health: one computation for `talentdeck status` and the UI's indicators.
//! The rule is pure (it takes the clock as an argument) so its thresholds are testable.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use ts_rs::TS;

use model::error::Result;
use model::{ConnectionState, HealthIndicator, Provider};
use store::{RunSummary, Store};

/// A connection's health, as `status --json` prints it and the UI draws it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct ConnectionStatus {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub provider: Provider,
    pub sandbox: bool,
    pub state: ConnectionState,
    /// Why the connection is in its state (e.g. what to do to reconnect).
    pub state_reason: Option<String>,
    pub indicator: HealthIndicator,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_run: Option<RunSummary>,
    /// Records held locally per resource.
    pub counts: Vec<ResourceCount>,
    /// Minutes between automatic syncs; `None` when automatic sync is off.
    pub sync_interval_minutes: Option<u32>,
    /// When the next automatic sync is due (`None`: off, running, or waiting for the recruiter).
    pub next_sync_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct ResourceCount {
    pub resource: String,
    #[ts(type = "number")]
    pub count: i64,
}

/// Green: last success within 24 h; yellow: 24–48 h; red: the last run failed, the connection
/// needs attention, or no success for 48 h; syncing while a run is in progress.
pub fn indicator(
    state: ConnectionState,
    last_success_at: Option<DateTime<Utc>>,
    last_run_failed: bool,
    now: DateTime<Utc>,
) -> HealthIndicator {
    match state {
        ConnectionState::Syncing => return HealthIndicator::Syncing,
        ConnectionState::NeedsReconnect
        | ConnectionState::PermissionDenied
        | ConnectionState::Unreachable
        | ConnectionState::Error
        | ConnectionState::Disconnected => return HealthIndicator::Red,
        ConnectionState::Connected => {}
    }
    if last_run_failed {
        return HealthIndicator::Red;
    }
    match last_success_at {
        Some(t) if now - t <= Duration::hours(24) => HealthIndicator::Green,
        Some(t) if now - t <= Duration::hours(48) => HealthIndicator::Yellow,
        _ => HealthIndicator::Red,
    }
}

/// The health of every connection, by name.
pub fn all(store: &Store, now: DateTime<Utc>) -> Result<Vec<ConnectionStatus>> {
    store.connections()?.into_iter().map(|c| of(store, c, now)).collect()
}

pub fn of(store: &Store, c: model::Connection, now: DateTime<Utc>) -> Result<ConnectionStatus> {
    let last_success_at = store.last_success_at(c.id)?;
    let runs = store.recent_runs(c.id, crate::schedule::RUNS_CONSIDERED)?;
    let interval = crate::schedule::interval(&c);
    let next_sync_at = crate::schedule::next_sync_at(c.state, interval, &runs, now);
    let last_run = runs.into_iter().next();
    let last_run_failed = last_run.as_ref().is_some_and(|r| r.state == "failed");
    let last_error =
        last_run.as_ref().filter(|r| r.state == "failed" || r.state == "interrupted").and_then(|r| r.error.clone());
    let counts = store
        .counts(c.id)?
        .into_iter()
        .map(|(resource, count)| ResourceCount { resource: resource.to_string(), count })
        .collect();
    Ok(ConnectionStatus {
        id: c.id,
        indicator: indicator(c.state, last_success_at, last_run_failed, now),
        state_reason: store.connection_state_reason(c.id)?,
        name: c.name,
        provider: c.provider,
        sandbox: c.sandbox,
        state: c.state,
        last_success_at,
        last_error,
        last_run,
        counts,
        sync_interval_minutes: interval.map(|i| i.num_minutes() as u32),
        next_sync_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indicator_thresholds() {
        let now = Utc::now();
        let c = ConnectionState::Connected;
        assert_eq!(indicator(c, Some(now - Duration::hours(23)), false, now), HealthIndicator::Green);
        assert_eq!(indicator(c, Some(now - Duration::hours(25)), false, now), HealthIndicator::Yellow);
        assert_eq!(indicator(c, Some(now - Duration::hours(49)), false, now), HealthIndicator::Red);
        assert_eq!(indicator(c, None, false, now), HealthIndicator::Red);
        assert_eq!(indicator(c, Some(now), true, now), HealthIndicator::Red);
        assert_eq!(indicator(ConnectionState::Syncing, None, true, now), HealthIndicator::Syncing);
        assert_eq!(indicator(ConnectionState::NeedsReconnect, Some(now), false, now), HealthIndicator::Red);
    }
}
