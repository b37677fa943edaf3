//! What deserves a desktop notification, decided in the core so every front door agrees: a
//! connection that must be reconnected, a sync that failed, a change the ATS refused as a
//! conflict. Once per event — a sync retried into the same failure changes no state and alerts
//! nothing; a conflict alerts once until it is resolved and conflicts again.

use std::collections::HashSet;

use serde::Serialize;

use super::App;
use model::error::Result;
use model::{ConnectionState, OutboxKind};

/// One notification: a short title and a sentence saying what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    pub title: String,
    pub body: String,
}

/// What has been alerted so far; kept by the front door for as long as it runs.
#[derive(Debug, Default)]
pub struct AlertState {
    /// Nothing that happened before the first look is news.
    primed: bool,
    last_change: i64,
    /// Conflicts alerted, by outbox row and when it entered the conflict (a row that conflicts
    /// again is news again).
    conflicts: HashSet<(i64, String)>,
}

impl App {
    /// Alerts for what happened since `seen` last looked (the first look only takes note).
    pub fn alerts(&self, seen: &mut AlertState) -> Result<Vec<Alert>> {
        let st = self.reader();
        let changes = st.state_changes_after(seen.last_change)?;
        let conflicts = st.conflicts()?;
        drop(st);
        let mut out = Vec::new();
        for (id, connection, to, reason) in changes {
            seen.last_change = id;
            let reason = reason.unwrap_or_default();
            let alert = match ConnectionState::parse(&to) {
                Some(ConnectionState::NeedsReconnect) => Alert {
                    title: format!("Reconnect {connection}"),
                    body: format!(
                        "{connection} no longer accepts its credential: {reason} Reconnect it in Connections."
                    ),
                },
                Some(ConnectionState::PermissionDenied) => Alert {
                    title: format!("{connection}: permission missing"),
                    body: format!("{reason} Ask the ATS admin to grant it, then sync again."),
                },
                Some(ConnectionState::Unreachable | ConnectionState::Error) => Alert {
                    title: format!("Sync of {connection} failed"),
                    body: format!("{reason} Your data so far is kept; Talentdeck tries again at the next sync."),
                },
                _ => continue,
            };
            if seen.primed {
                out.push(alert);
            }
        }
        let mut current = HashSet::new();
        for (row, since) in conflicts {
            let key = (row.id, since);
            let new = !seen.conflicts.contains(&key);
            current.insert(key);
            if seen.primed && new {
                let what = match row.kind {
                    OutboxKind::Move => format!(
                        "your move to {}",
                        row.to_stage_name.as_deref().or(row.to_stage.as_deref()).unwrap_or("another stage")
                    ),
                    OutboxKind::Reject => "your rejection".to_string(),
                    OutboxKind::Note => "your note".to_string(),
                };
                let ats = row.ats_stage_name.as_deref().or(row.ats_stage.as_deref()).unwrap_or("another stage");
                out.push(Alert {
                    title: format!("Conflict in {}", row.connection),
                    body: format!(
                        "The ATS moved an application to {ats} after {what} was queued. Open Pending changes to keep \
                         the ATS's stage or apply yours."
                    ),
                });
            }
        }
        // Resolved ones are forgotten, so the same row conflicting again is news.
        seen.conflicts = current;
        seen.primed = true;
        Ok(out)
    }
}
