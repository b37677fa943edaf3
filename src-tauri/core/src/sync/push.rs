//! The push worker: sends a connection's queued changes (moves, rejections, notes) to its ATS,
//! oldest first, and records each outcome in the outbox.
//!
//! Nothing is ever overwritten behind anyone's back and nothing is applied twice:
//! - Greenhouse refuses a move whose `from_stage_id` is stale; Lever and Ashby have no such
//!   guard, so their application is read just before the write and compared with the stage the
//!   recruiter saw. A rejection is always read first (no provider guards it).
//! - A row that was tried before (its answer lost to a timeout, a 502 or a crash) is re-read
//!   first: already at the target means it was applied, so it is `sent` without a second
//!   write. A note, which no provider de-duplicates, is looked for among the talent's notes.
//! - After a conflict or a failure, the application's later rows wait (they were made on top
//!   of the change that did not go through).
//! - No answer or a 429 stops the push with the rows still pending; a refused credential or a
//!   missing permission stops it too, and the caller moves the connection's state.

use std::collections::HashSet;
use std::sync::Mutex;

use chrono::Utc;

use ats::Connector;
use model::error::{Error, Result};
use model::{Application, ApplicationStatus, Connection, OutboxKind, OutboxRow, Provider};
use store::{judge, Store, Verdict};

/// What one push did.
#[derive(Debug, Default)]
pub struct PushReport {
    pub sent: u64,
    pub conflicts: u64,
    pub failed: u64,
    /// Rows still pending after the push (waiting behind a conflict, or not tried because the
    /// push stopped).
    pub waiting: u64,
    /// Why the push stopped early (unreachable, rate limited, credential refused, permission
    /// missing); the rows it did not send stay pending.
    pub stopped: Option<Error>,
}

impl PushReport {
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} sent, {} in conflict, {} failed, {} waiting",
            self.sent, self.conflicts, self.failed, self.waiting
        );
        if let Some(e) = &self.stopped {
            s.push_str(&format!(" (stopped: {e})"));
        }
        s
    }
}

/// The outcome of one row.
enum Outcome {
    Sent,
    Conflict { ats_stage: Option<String>, message: String },
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}

/// Pushes the connection's pending rows. Errors are only the store's own; the ATS's answers
/// are in the report.
pub async fn push(store: &Mutex<Store>, conn: &Connection, connector: &dyn Connector) -> Result<PushReport> {
    let rows = lock(store).pending_outbox(conn.id)?;
    let mut report = PushReport::default();
    // Applications whose earlier change is in conflict or failed: their later rows wait.
    let mut held: HashSet<String> = lock(store)
        .outbox(Some(conn.id))?
        .into_iter()
        .filter(|r| {
            r.kind != OutboxKind::Note && matches!(r.state, model::OutboxState::Conflict | model::OutboxState::Failed)
        })
        .filter_map(|r| r.application_remote_id)
        .collect();
    let total = rows.len() as u64;
    let mut done = 0u64;
    for row in rows {
        if report.stopped.is_some() {
            break;
        }
        let app = row.application_remote_id.clone().unwrap_or_default();
        if row.kind != OutboxKind::Note && held.contains(&app) {
            continue;
        }
        if !lock(store).claim_push_attempt(row.id, Utc::now())? {
            continue; // another push holds it
        }
        done += 1;
        let outcome = match row.kind {
            OutboxKind::Move | OutboxKind::Reject => push_stage_change(store, conn, connector, &row).await,
            OutboxKind::Note => push_note(connector, &row).await,
        };
        let now = Utc::now();
        let mut st = lock(store);
        match outcome {
            Ok(Outcome::Sent) => {
                st.outbox_sent(row.id, now)?;
                report.sent += 1;
            }
            Ok(Outcome::Conflict { ats_stage, message }) => {
                st.outbox_conflict(row.id, ats_stage.as_deref(), &message, now)?;
                report.conflicts += 1;
                held.insert(app);
            }
            Err(
                e @ (Error::Unreachable(_)
                | Error::RateLimited(_)
                | Error::Unauthorized(_)
                | Error::PermissionDenied(_)),
            ) => {
                st.outbox_waiting(row.id, &e.to_string(), now)?;
                report.stopped = Some(e);
            }
            Err(e @ (Error::Validation(_) | Error::NotFound(_) | Error::Conflict(_))) => {
                st.outbox_failed(row.id, &failure_message(&row, &e), now)?;
                report.failed += 1;
                held.insert(app);
            }
            // An answer we could not read, a keychain that failed: the write may or may not
            // have happened; the row stays pending and the next push re-reads first.
            Err(e) => {
                st.outbox_waiting(row.id, &e.to_string(), now)?;
                report.stopped = Some(e);
            }
        }
    }
    report.waiting = lock(store).pending_outbox(conn.id)?.len() as u64;
    tracing::info!(connection = conn.id, total, tried = done, "push: {}", report.summary());
    Ok(report)
}

/// The message a failed row keeps: what was refused and the provider's reason.
fn failure_message(row: &OutboxRow, e: &Error) -> String {
    let what = match row.kind {
        OutboxKind::Move => {
            format!("moving to {}", row.to_stage_name.as_deref().or(row.to_stage.as_deref()).unwrap_or("?"))
        }
        OutboxKind::Reject => "the rejection".to_string(),
        OutboxKind::Note => "the note".to_string(),
    };
    match e {
        Error::NotFound(_) => format!("{what} was refused: the record no longer exists in the ATS"),
        _ => format!("{what} was refused by the ATS: {e}"),
    }
}

async fn push_stage_change(
    store: &Mutex<Store>,
    conn: &Connection,
    connector: &dyn Connector,
    row: &OutboxRow,
) -> Result<Outcome> {
    let app_id = row.application_remote_id.as_deref().unwrap_or_default();
    let kind = row.kind.as_str();
    let from = row.from_stage.as_deref();
    let to = row.to_stage.as_deref();
    // Greenhouse guards a move itself; everything else is read first, and so is any row that
    // was tried before (its answer may have been lost after the ATS applied it).
    let guarded = conn.provider == Provider::Greenhouse && row.kind == OutboxKind::Move;
    let read_first = !guarded || row.attempts > 0;
    let seen = {
        let view = lock(store).application_view(conn.id, app_id)?;
        Application {
            remote_id: app_id.to_string(),
            talent_remote_id: view.talent_remote_id,
            job_remote_id: view.job_remote_id,
            stage_remote_id: row.from_stage.clone(),
            stage_name: row.from_stage_name.clone(),
            status: ApplicationStatus::Active,
            updated_at: Utc::now(),
            extra: serde_json::Value::Null.into(),
        }
    };
    if read_first {
        let current = connector.application(app_id).await?;
        match judge(kind, from, to, current.stage_remote_id.as_deref(), current.status.as_str()) {
            Verdict::Applied => return Ok(Outcome::Sent),
            Verdict::Conflict(message) => return Ok(Outcome::Conflict { ats_stage: current.stage_remote_id, message }),
            Verdict::Send => {}
        }
    }
    let sent = match row.kind {
        OutboxKind::Move => connector.move_application(&seen, to.unwrap_or_default()).await,
        _ => connector.reject(&seen, row.reason.as_deref().unwrap_or_default()).await,
    };
    match sent {
        Ok(()) => Ok(Outcome::Sent),
        // Greenhouse refused a stale from-stage: say what it holds now.
        Err(Error::Conflict(refusal)) => {
            let current = connector.application(app_id).await?;
            Ok(match judge(kind, from, to, current.stage_remote_id.as_deref(), current.status.as_str()) {
                Verdict::Applied => Outcome::Sent,
                Verdict::Conflict(message) => Outcome::Conflict { ats_stage: current.stage_remote_id, message },
                // Refused as stale although the ATS holds the stage the recruiter saw: keep the
                // ATS's word rather than retry in a loop.
                Verdict::Send => Outcome::Conflict { ats_stage: current.stage_remote_id, message: refusal },
            })
        }
        Err(e) => Err(e),
    }
}

async fn push_note(connector: &dyn Connector, row: &OutboxRow) -> Result<Outcome> {
    let talent = row.talent_remote_id.as_deref().unwrap_or_default();
    let application = row.application_remote_id.as_deref();
    let body = row.body.as_deref().unwrap_or_default();
    // Notes are not idempotent anywhere: after an attempt whose answer was lost, look first.
    if row.attempts > 0 && connector.notes(talent, application).await?.iter().any(|n| n.body == body) {
        return Ok(Outcome::Sent);
    }
    connector.add_note(talent, application, body).await?;
    Ok(Outcome::Sent)
}
