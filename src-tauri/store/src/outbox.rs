//! Local changes waiting to be pushed to the ATS. A change is recorded here in one transaction
//! and is visible at once (an application's effective stage is its newest queued move, else
//! what the ATS said); the push worker (`sync::push`) sends rows oldest first and records each
//! outcome here. The `applications` table keeps mirroring the ATS: a pull never overwrites a
//! queued change, it only tells whether the change was applied or conflicts.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use super::{parse_ts, ts, Store};
use model::error::{Error, Result};
use model::{ApplicationStatus, OutboxKind, OutboxRow, OutboxState};

/// An application as a recruiter sees it now: the ATS's record with queued changes applied.
#[derive(Debug, Clone, PartialEq)]
pub struct AppView {
    pub remote_id: String,
    pub talent_remote_id: String,
    pub job_remote_id: Option<String>,
    /// The ATS stage: the newest queued move's target, else the ATS's own.
    pub stage_remote_id: Option<String>,
    pub stage_name: Option<String>,
    pub status: ApplicationStatus,
    /// Whether a queued change (pending or in conflict) is part of this view.
    pub pending: bool,
    pub deleted_in_ats: bool,
}

/// How a conflict is settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// Drop the local change: the ATS's stage stands.
    KeepAts,
    /// Queue the local change again, against the stage the ATS holds now.
    ApplyMine,
}

/// What a pull found about queued changes (`reconcile_outbox`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reconciled {
    /// Rows the ATS already reflects (a write whose answer was lost): now `sent`.
    pub applied: u64,
    /// Rows whose application the ATS moved meanwhile: now `conflict`.
    pub conflicts: u64,
}

const ROW_SQL: &str = "SELECT o.id, c.name, o.kind, o.application_remote_id, o.talent_remote_id, o.state,
        o.from_stage, (SELECT name FROM job_stages s WHERE s.connection_id = o.connection_id AND s.remote_id = o.from_stage),
        o.to_stage, (SELECT name FROM job_stages s WHERE s.connection_id = o.connection_id AND s.remote_id = o.to_stage),
        o.ats_stage, (SELECT name FROM job_stages s WHERE s.connection_id = o.connection_id AND s.remote_id = o.ats_stage),
        o.reason, (SELECT name FROM rejection_reasons r WHERE r.connection_id = o.connection_id AND r.remote_id = o.reason),
        o.body, o.last_error, o.attempts, o.created_at, o.sent_at
     FROM outbox o JOIN connections c ON c.id = o.connection_id";

fn outbox_row(r: &Row<'_>) -> Result<OutboxRow> {
    let kind: String = r.get(2)?;
    let state: String = r.get(5)?;
    let created: String = r.get(17)?;
    let sent: Option<String> = r.get(18)?;
    Ok(OutboxRow {
        id: r.get(0)?,
        connection: r.get(1)?,
        kind: OutboxKind::parse(&kind).ok_or_else(|| Error::Store(format!("unknown outbox kind {kind:?}")))?,
        application_remote_id: r.get(3)?,
        talent_remote_id: r.get(4)?,
        state: OutboxState::parse(&state).ok_or_else(|| Error::Store(format!("unknown outbox state {state:?}")))?,
        from_stage: r.get(6)?,
        from_stage_name: r.get(7)?,
        to_stage: r.get(8)?,
        to_stage_name: r.get(9)?,
        ats_stage: r.get(10)?,
        ats_stage_name: r.get(11)?,
        reason: r.get(12)?,
        reason_name: r.get(13)?,
        body: r.get(14)?,
        error: r.get(15)?,
        attempts: r.get(16)?,
        created_at: parse_ts(&created)?,
        sent_at: sent.as_deref().map(parse_ts).transpose()?,
    })
}

impl Store {
    /// The outbox, oldest first (of one connection, or all).
    pub fn outbox(&self, cid: Option<i64>) -> Result<Vec<OutboxRow>> {
        let mut st =
            self.db.prepare_cached(&format!("{ROW_SQL} WHERE ?1 IS NULL OR o.connection_id = ?1 ORDER BY o.id"))?;
        let mut rows = st.query([cid])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(outbox_row(r)?);
        }
        Ok(out)
    }

    pub fn outbox_row(&self, id: i64) -> Result<OutboxRow> {
        let mut st = self.db.prepare_cached(&format!("{ROW_SQL} WHERE o.id = ?1"))?;
        let mut rows = st.query([id])?;
        match rows.next()? {
            Some(r) => outbox_row(r),
            None => Err(Error::NotFound(format!("there is no outbox row {id}"))),
        }
    }

    /// The connection id of an outbox row.
    pub fn outbox_connection(&self, id: i64) -> Result<i64> {
        self.db
            .query_row("SELECT connection_id FROM outbox WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("there is no outbox row {id}")))
    }

    /// Rows in conflict, oldest first, each with when it last changed (when it entered the
    /// conflict: a row in conflict is not retried).
    pub fn conflicts(&self) -> Result<Vec<(OutboxRow, String)>> {
        let sql = ROW_SQL.replacen("o.sent_at\n", "o.sent_at, o.updated_at\n", 1);
        debug_assert_ne!(sql, ROW_SQL);
        let mut st = self.db.prepare_cached(&format!("{sql} WHERE o.state = 'conflict' ORDER BY o.id"))?;
        let mut rows = st.query([])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push((outbox_row(r)?, r.get(19)?));
        }
        Ok(out)
    }

    /// Rows waiting to be pushed, oldest first.
    pub fn pending_outbox(&self, cid: i64) -> Result<Vec<OutboxRow>> {
        Ok(self.outbox(Some(cid))?.into_iter().filter(|r| r.state == OutboxState::Pending).collect())
    }

    /// An application with its queued changes applied.
    pub fn application_view(&self, cid: i64, remote_id: &str) -> Result<AppView> {
        let row = self
            .db
            .prepare_cached(
                "SELECT talent_remote_id, job_remote_id, stage_remote_id, stage_name, status, remote_deleted_at IS NOT NULL
                 FROM applications WHERE connection_id = ?1 AND remote_id = ?2",
            )?
            .query_row(params![cid, remote_id], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get::<_, String>(4)?, r.get(5)?))
            })
            .optional()?;
        let Some((talent, job, stage, stage_name, status, deleted)) = row else {
            return Err(Error::NotFound(format!(
                "there is no application {remote_id:?} in this connection (sync first?)"
            )));
        };
        let mut view = AppView {
            remote_id: remote_id.to_string(),
            talent_remote_id: talent,
            job_remote_id: job,
            stage_remote_id: stage,
            stage_name,
            status: ApplicationStatus::parse(&status).unwrap_or(ApplicationStatus::Active),
            pending: false,
            deleted_in_ats: deleted,
        };
        let mut st = self.db.prepare_cached(
            "SELECT kind, to_stage, (SELECT name FROM job_stages s WHERE s.connection_id = o.connection_id AND s.remote_id = o.to_stage)
             FROM outbox o WHERE connection_id = ?1 AND application_remote_id = ?2 AND state IN ('pending', 'conflict')
               AND kind IN ('move', 'reject')
             ORDER BY id",
        )?;
        let queued = st.query_map(params![cid, remote_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<String>>(2)?))
        })?;
        for q in queued {
            let (kind, to, to_name) = q?;
            view.pending = true;
            if kind == "reject" {
                view.status = ApplicationStatus::Rejected;
            } else {
                view.stage_remote_id = to;
                view.stage_name = to_name;
            }
        }
        Ok(view)
    }

    fn insert_outbox(
        &mut self,
        cid: i64,
        kind: OutboxKind,
        fields: OutboxFields<'_>,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let at = ts(&now);
        self.db.execute(
            "INSERT INTO outbox (connection_id, kind, application_remote_id, talent_remote_id, from_stage, to_stage,
                                 reason, body, payload, state, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, '{}', 'pending', ?9, ?9)",
            params![
                cid,
                kind.as_str(),
                fields.application,
                fields.talent,
                fields.from,
                fields.to,
                fields.reason,
                fields.body,
                at
            ],
        )?;
        Ok(self.db.last_insert_rowid())
    }

    /// Queues a move of an application to ATS stage `to` (of its job), from the stage the
    /// recruiter sees now.
    pub fn queue_move(&mut self, cid: i64, application: &str, to: &str, now: DateTime<Utc>) -> Result<OutboxRow> {
        let id = self.in_transaction(|s| {
            let view = s.application_view(cid, application)?;
            writable(&view)?;
            if view.stage_remote_id.as_deref() == Some(to) {
                return Err(Error::Validation(format!(
                    "application {application} is already in {}",
                    view.stage_name.as_deref().unwrap_or(to)
                )));
            }
            let fields = OutboxFields {
                application: Some(application),
                talent: Some(&view.talent_remote_id),
                from: view.stage_remote_id.as_deref(),
                to: Some(to),
                ..OutboxFields::default()
            };
            s.insert_outbox(cid, OutboxKind::Move, fields, now)
        })?;
        self.outbox_row(id)
    }

    /// Queues a rejection with one of the ATS's reasons.
    pub fn queue_reject(&mut self, cid: i64, application: &str, reason: &str, now: DateTime<Utc>) -> Result<OutboxRow> {
        let id = self.in_transaction(|s| {
            let view = s.application_view(cid, application)?;
            writable(&view)?;
            let fields = OutboxFields {
                application: Some(application),
                talent: Some(&view.talent_remote_id),
                from: view.stage_remote_id.as_deref(),
                reason: Some(reason),
                ..OutboxFields::default()
            };
            s.insert_outbox(cid, OutboxKind::Reject, fields, now)
        })?;
        self.outbox_row(id)
    }

    /// Queues a note on a talent; it goes to the talent's most recent application where the
    /// provider files notes per application (Lever).
    pub fn queue_note(&mut self, cid: i64, talent: &str, body: &str, now: DateTime<Utc>) -> Result<OutboxRow> {
        if body.trim().is_empty() {
            return Err(Error::Validation("a note needs some text".into()));
        }
        let id = self.in_transaction(|s| {
            let known: bool = s.db.query_row(
                "SELECT EXISTS (SELECT 1 FROM talents WHERE connection_id = ?1 AND remote_id = ?2)",
                params![cid, talent],
                |r| r.get(0),
            )?;
            if !known {
                return Err(Error::NotFound(format!("there is no talent {talent:?} in this connection (sync first?)")));
            }
            let latest = s.latest_application(cid, talent)?;
            let fields = OutboxFields {
                application: latest.as_deref(),
                talent: Some(talent),
                body: Some(body),
                ..OutboxFields::default()
            };
            s.insert_outbox(cid, OutboxKind::Note, fields, now)
        })?;
        self.outbox_row(id)
    }

    /// Claims a pending row for one attempt before its request is sent: counts the attempt and
    /// commits it first, so a crash mid-send leaves a row whose attempts say it may have reached
    /// the ATS (the next push re-reads before writing). The claim is a lease of two minutes:
    /// `false` when another push (another Talentdeck process) holds the row or settled it.
    pub fn claim_push_attempt(&mut self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let lease = now + chrono::Duration::minutes(2);
        Ok(self.db.execute(
            "UPDATE outbox SET attempts = attempts + 1, lease_until = ?3, updated_at = ?2
             WHERE id = ?1 AND state = 'pending' AND (lease_until IS NULL OR lease_until < ?2)",
            params![id, ts(&now), ts(&lease)],
        )? == 1)
    }

    /// The ATS holds the change: the row is `sent` and the mirrored application says what the
    /// ATS now says (the next pull confirms it).
    pub fn outbox_sent(&mut self, id: i64, now: DateTime<Utc>) -> Result<()> {
        self.in_transaction(|s| {
            let at = ts(&now);
            s.db.execute(
                "UPDATE outbox SET state = 'sent', last_error = NULL, sent_at = ?2, updated_at = ?2, lease_until = NULL WHERE id = ?1",
                params![id, at],
            )?;
            // Only when the application still stood where the change started, so a mirror the
            // pull already updated is never rolled back.
            s.db.execute(
                "UPDATE applications SET
                     stage_remote_id = CASE WHEN o.kind = 'move' THEN o.to_stage ELSE applications.stage_remote_id END,
                     stage_name = CASE WHEN o.kind = 'move'
                         THEN (SELECT name FROM job_stages s WHERE s.connection_id = o.connection_id AND s.remote_id = o.to_stage)
                         ELSE applications.stage_name END,
                     status = CASE WHEN o.kind = 'reject' THEN 'rejected' ELSE applications.status END
                 FROM outbox o
                 WHERE o.id = ?1 AND o.kind IN ('move', 'reject') AND applications.connection_id = o.connection_id
                   AND applications.remote_id = o.application_remote_id
                   AND applications.stage_remote_id IS o.from_stage AND applications.status = 'active'",
                [id],
            )?;
            Ok(())
        })
    }

    /// The ATS moved the application since the recruiter saw it: nothing is overwritten.
    pub fn outbox_conflict(
        &mut self,
        id: i64,
        ats_stage: Option<&str>,
        message: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.db.execute(
            "UPDATE outbox SET state = 'conflict', ats_stage = ?2, last_error = ?3, updated_at = ?4, lease_until = NULL WHERE id = ?1",
            params![id, ats_stage, message, ts(&now)],
        )?;
        Ok(())
    }

    pub fn outbox_failed(&mut self, id: i64, message: &str, now: DateTime<Utc>) -> Result<()> {
        self.db.execute(
            "UPDATE outbox SET state = 'failed', last_error = ?2, updated_at = ?3, lease_until = NULL WHERE id = ?1",
            params![id, message, ts(&now)],
        )?;
        Ok(())
    }

    /// The row stays pending (unreachable, rate limited, credential refused) with why it waits.
    pub fn outbox_waiting(&mut self, id: i64, message: &str, now: DateTime<Utc>) -> Result<()> {
        self.db.execute(
            "UPDATE outbox SET last_error = ?2, updated_at = ?3, lease_until = NULL WHERE id = ?1 AND state = 'pending'",
            params![id, message, ts(&now)],
        )?;
        Ok(())
    }

    /// Settles a conflict as the recruiter chose.
    pub fn resolve_conflict(&mut self, id: i64, how: Resolution, now: DateTime<Utc>) -> Result<OutboxRow> {
        let row = self.outbox_row(id)?;
        if row.state != OutboxState::Conflict {
            return Err(Error::Validation(format!("outbox row {id} is {}, not in conflict", row.state)));
        }
        self.in_transaction(|s| {
            // The conflict read the stage the ATS holds: the local mirror takes it too (unless a
            // pull already moved it), so after "Keep ATS" the card shows the ATS's stage at once,
            // and the move "Apply mine" queues again starts where the mirror stands, which is
            // what lets `outbox_sent` mirror its target.
            s.db.execute(
                "UPDATE applications SET stage_remote_id = o.ats_stage,
                     stage_name = (SELECT name FROM job_stages j WHERE j.connection_id = o.connection_id AND j.remote_id = o.ats_stage)
                 FROM outbox o
                 WHERE o.id = ?1 AND o.kind IN ('move', 'reject') AND o.ats_stage IS NOT NULL
                   AND applications.connection_id = o.connection_id AND applications.remote_id = o.application_remote_id
                   AND applications.stage_remote_id IS o.from_stage AND applications.status = 'active'",
                [id],
            )?;
            match how {
                Resolution::KeepAts => {
                    s.db.execute("DELETE FROM outbox WHERE id = ?1", [id])?;
                    Ok(row)
                }
                Resolution::ApplyMine => {
                    s.db.execute(
                        "UPDATE outbox SET state = 'pending', from_stage = COALESCE(ats_stage, from_stage), ats_stage = NULL,
                                           attempts = 0, last_error = NULL, updated_at = ?2
                         WHERE id = ?1",
                        params![id, ts(&now)],
                    )?;
                    s.outbox_row(id)
                }
            }
        })
    }

    /// After a pull: for each application's oldest queued move or rejection, what the ATS now
    /// says. Already there → `sent` (the answer to the write was lost); moved elsewhere since
    /// the recruiter saw it → `conflict`. Later rows of that application wait behind it.
    pub fn reconcile_outbox(&mut self, cid: i64, now: DateTime<Utc>) -> Result<Reconciled> {
        /// An application's oldest queued change beside what the ATS last said.
        struct Queued {
            id: i64,
            kind: String,
            from: Option<String>,
            to: Option<String>,
            ats: Option<String>,
            status: String,
        }
        let rows: Vec<Queued> = {
            let mut st = self.db.prepare_cached(
                "SELECT o.id, o.kind, o.from_stage, o.to_stage, a.stage_remote_id, a.status
                 FROM outbox o JOIN applications a ON a.connection_id = o.connection_id AND a.remote_id = o.application_remote_id
                 WHERE o.connection_id = ?1 AND o.state = 'pending' AND o.kind IN ('move', 'reject')
                   AND o.id = (SELECT MIN(id) FROM outbox p WHERE p.connection_id = o.connection_id
                               AND p.application_remote_id = o.application_remote_id AND p.state IN ('pending', 'conflict')
                               AND p.kind IN ('move', 'reject'))",
            )?;
            let rows = st.query_map([cid], |r| {
                Ok(Queued {
                    id: r.get(0)?,
                    kind: r.get(1)?,
                    from: r.get(2)?,
                    to: r.get(3)?,
                    ats: r.get(4)?,
                    status: r.get(5)?,
                })
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut out = Reconciled::default();
        for Queued { id, kind, from, to, ats, status } in rows {
            match judge(&kind, from.as_deref(), to.as_deref(), ats.as_deref(), &status) {
                Verdict::Applied => {
                    self.outbox_sent(id, now)?;
                    out.applied += 1;
                }
                Verdict::Conflict(message) => {
                    self.outbox_conflict(id, ats.as_deref(), &message, now)?;
                    out.conflicts += 1;
                }
                Verdict::Send => {}
            }
        }
        Ok(out)
    }
}

/// What the ATS's current record says about a queued move or rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The ATS already reflects it.
    Applied,
    /// The ATS changed the application since the recruiter saw it.
    Conflict(String),
    /// Still to be sent.
    Send,
}

/// Compares a queued change (`kind`, the stage the recruiter saw, the target) with what the
/// ATS holds (`ats_stage`, `status`). Shared by the pull's reconciliation and the push worker.
pub fn judge(kind: &str, from: Option<&str>, to: Option<&str>, ats_stage: Option<&str>, status: &str) -> Verdict {
    match (kind, status) {
        ("reject", "rejected") => Verdict::Applied,
        ("move", "active") if ats_stage == to => Verdict::Applied,
        (_, "active") if ats_stage == from => Verdict::Send,
        (_, "active") => Verdict::Conflict("the application was moved in the ATS since you saw it".into()),
        (_, other) => Verdict::Conflict(format!("the application was {other} in the ATS since you saw it")),
    }
}

#[derive(Default)]
struct OutboxFields<'a> {
    application: Option<&'a str>,
    talent: Option<&'a str>,
    from: Option<&'a str>,
    to: Option<&'a str>,
    reason: Option<&'a str>,
    body: Option<&'a str>,
}

fn writable(view: &AppView) -> Result<()> {
    if view.deleted_in_ats {
        return Err(Error::Validation(format!("application {} was deleted in the ATS", view.remote_id)));
    }
    if view.status != ApplicationStatus::Active {
        return Err(Error::Validation(format!(
            "application {} is {}; only active applications can be moved or rejected",
            view.remote_id, view.status
        )));
    }
    if view.stage_remote_id.is_none() {
        return Err(Error::Validation(format!(
            "application {} is a prospect in no pipeline stage, so it cannot be moved or rejected here",
            view.remote_id
        )));
    }
    Ok(())
}
