//! The use cases of two-way sync: Talentdeck's pipeline, stage mappings, and changes a
//! recruiter makes (move, reject, note) queued in the outbox and pushed to the ATS.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{slot, App};
use crate::lifecycle;
use crate::sync::mapping;
use crate::sync::push::{self, PushReport};
use model::error::{Error, Result};
use model::LogLevel;
use model::{Connection, ConnectionState, OutboxRow, PipelineStage, Provider, RejectionReason};
use store::{JobPipeline, MappingEdit, MappingRow, Resolution};

/// Where a move goes: a Talentdeck stage (resolved through the job's mapping) or an ATS stage
/// named directly (by name or id).
#[derive(Debug, Clone)]
pub enum MoveTarget {
    Pipeline(String),
    Ats(String),
}

/// Which way a field travels between Talentdeck and an ATS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Both,
    ToAts,
    FromAts,
}

/// Which way each field travels, per provider (the same for the three supported today; a
/// provider whose API cannot write a field gets `FromAts` here and nowhere else).
pub fn field_directions(_provider: Provider) -> &'static [(&'static str, Direction)] {
    &[
        ("stage", Direction::Both),
        ("rejection with reason", Direction::Both),
        ("notes", Direction::ToAts),
        ("contact details", Direction::FromAts),
        ("job details", Direction::FromAts),
    ]
}

/// One suggestion for an ATS stage name.
#[derive(Debug, Clone, Serialize, ts_rs::TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct Suggestion {
    pub ats_stage: String,
    pub suggested: Option<String>,
    /// What is mapped now (`None`: unmapped).
    pub current: Option<String>,
    /// Whether the current mapping is a recruiter's (never replaced by a suggestion).
    pub confirmed: bool,
}

/// Who made a mapping edit: the OS account running Talentdeck.
pub(super) fn who() -> String {
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "recruiter".into())
}

impl App {
    pub fn pipeline(&self) -> Result<Vec<PipelineStage>> {
        self.reader().pipeline()
    }

    pub fn add_pipeline_stage(&self, name: &str, after: Option<&str>) -> Result<PipelineStage> {
        self.store().add_pipeline_stage(name, after)
    }

    pub fn rename_pipeline_stage(&self, old: &str, new: &str) -> Result<PipelineStage> {
        self.store().rename_pipeline_stage(old, new)
    }

    pub fn remove_pipeline_stage(&self, name: &str, into: &str) -> Result<()> {
        self.store().remove_pipeline_stage(name, into)
    }

    /// Talentdeck's pipeline in a new order (every stage's id once, first stage first).
    pub fn reorder_pipeline_stages(&self, ids: &[i64]) -> Result<Vec<PipelineStage>> {
        self.store().reorder_pipeline_stages(ids)
    }

    pub fn mappings(&self, connection_id: i64, job: Option<&str>) -> Result<Vec<MappingRow>> {
        let st = self.reader();
        st.connection(connection_id)?;
        st.mappings(connection_id, job)
    }

    /// Maps an ATS stage name to a Talentdeck stage (connection-wide, or for one job).
    pub fn set_mapping(
        &self,
        connection_id: i64,
        ats_stage: &str,
        to: &str,
        job: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut st = self.store();
        st.connection(connection_id)?;
        let stage = st.pipeline_stage(to)?;
        st.set_mapping(connection_id, job, ats_stage, Some(stage.id), false, &who(), now)
    }

    pub fn undo_mapping(&self, connection_id: i64, now: DateTime<Utc>) -> Result<MappingEdit> {
        let mut st = self.store();
        st.connection(connection_id)?;
        st.undo_mapping(connection_id, now)
    }

    pub fn redo_mapping(&self, connection_id: i64, now: DateTime<Utc>) -> Result<MappingEdit> {
        let mut st = self.store();
        st.connection(connection_id)?;
        st.redo_mapping(connection_id, now)
    }

    /// Each job's ATS pipeline (Lever: the account's) with the applications in each stage.
    pub fn job_pipelines(&self, connection_id: i64) -> Result<Vec<JobPipeline>> {
        let st = self.reader();
        st.connection(connection_id)?;
        st.job_pipelines(connection_id)
    }

    /// What Talentdeck suggests for each ATS stage name; with `apply`, stores the suggestions
    /// for the names that are unmapped or still on an earlier suggestion (never over a
    /// recruiter's mapping).
    pub fn suggest_mappings(&self, cid: i64, apply: bool, now: DateTime<Utc>) -> Result<Vec<Suggestion>> {
        let mut st = self.store();
        st.connection(cid)?;
        let pipeline = st.pipeline()?;
        let names = st.ats_stage_names(cid, None)?;
        let name_of = |id: i64| pipeline.iter().find(|s| s.id == id).map(|s| s.name.clone());
        let mut out = Vec::new();
        for (ats_stage, suggested) in mapping::suggest(&names, &pipeline) {
            let current = st.mapped_stage(cid, None, &ats_stage)?;
            let confirmed = current.is_some_and(|(_, suggested)| !suggested);
            if apply && !confirmed && suggested.is_some() && current.map(|c| c.0) != suggested {
                st.set_mapping(cid, None, &ats_stage, suggested, true, "Talentdeck (suggested)", now)?;
            }
            out.push(Suggestion {
                ats_stage,
                suggested: suggested.and_then(name_of),
                current: current.and_then(|(id, _)| name_of(id)),
                confirmed,
            });
        }
        Ok(out)
    }

    /// The connection holding application (or talent) `remote_id`: the one given, or the only
    /// one that has it.
    fn connection_of(&self, connection_id: Option<i64>, table: &str, remote_id: &str) -> Result<Connection> {
        let st = self.store();
        if let Some(id) = connection_id {
            return st.connection(id);
        }
        let ids = st.connections_holding(table, remote_id)?;
        match ids.as_slice() {
            [id] => st.connection(*id),
            [] => Err(Error::NotFound(format!("no connection has {remote_id:?} (sync first, or check the id)"))),
            _ => Err(Error::Validation(format!("several connections have {remote_id:?}: name one with --connection"))),
        }
    }

    /// Records a move and queues it for the ATS. A Talentdeck stage resolves through the
    /// application's job mapping; a stage nothing maps to is refused and nothing is queued.
    pub fn move_application(
        &self,
        connection_id: Option<i64>,
        application: &str,
        target: &MoveTarget,
        now: DateTime<Utc>,
    ) -> Result<OutboxRow> {
        let conn = self.connection_of(connection_id, "applications", application)?;
        let mut st = self.store();
        let view = st.application_view(conn.id, application)?;
        let job = view.job_remote_id.as_deref();
        let to = match target {
            MoveTarget::Pipeline(name) => {
                let stage = st.pipeline_stage(name)?;
                match st.outbound_stage(conn.id, job, stage.id)? {
                    Some((id, _)) => id,
                    None => {
                        return Err(Error::Validation(format!(
                            "no stage of {} maps to {:?}, so the move has nowhere to land; map one with \
                             `talentdeck mapping set {:?} --ats-stage <ATS stage> --to {:?}`{}",
                            job.map(|j| format!("job {j}")).unwrap_or_else(|| "this pipeline".into()),
                            stage.name,
                            conn.name,
                            stage.name,
                            job.map(|j| format!(" (add --job {j} for this job only)")).unwrap_or_default()
                        )))
                    }
                }
            }
            MoveTarget::Ats(name_or_id) => st.ats_stage_of_job(conn.id, job, name_or_id)?,
        };
        st.queue_move(conn.id, application, &to, now)
    }

    /// Records a rejection with one of the ATS's reasons and queues it.
    pub fn reject(
        &self,
        connection_id: Option<i64>,
        application: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<OutboxRow> {
        let conn = self.connection_of(connection_id, "applications", application)?;
        let mut st = self.store();
        let reason = st.reason(conn.id, reason)?;
        st.queue_reject(conn.id, application, &reason.remote_id, now)
    }

    /// Records a note on a talent and queues it.
    pub fn note(&self, connection_id: Option<i64>, talent: &str, text: &str, now: DateTime<Utc>) -> Result<OutboxRow> {
        let conn = self.connection_of(connection_id, "talents", talent)?;
        self.store().queue_note(conn.id, talent, text, now)
    }

    pub fn reasons(&self, connection_id: i64) -> Result<Vec<RejectionReason>> {
        let st = self.reader();
        st.connection(connection_id)?;
        st.reasons(connection_id)
    }

    pub fn outbox(&self, connection_id: Option<i64>) -> Result<Vec<OutboxRow>> {
        let st = self.reader();
        if let Some(id) = connection_id {
            st.connection(id)?;
        }
        st.outbox(connection_id)
    }

    pub fn resolve(&self, outbox_id: i64, how: Resolution, now: DateTime<Utc>) -> Result<OutboxRow> {
        self.store().resolve_conflict(outbox_id, how, now)
    }

    /// Pushes connection `id`'s pending changes. A refused credential or a missing permission
    /// moves the connection's state (its rows stay pending); the push is noted in the sync log.
    pub async fn push(&self, id: i64) -> Result<PushReport> {
        let slot = slot(&self.pushes, id);
        let _pushing = slot.lock().await;
        let conn = self.store().connection(id)?;
        if self.store().pending_outbox(id)?.is_empty() {
            return Ok(PushReport::default());
        }
        if conn.state.awaits_credential() {
            let waiting = self.store().pending_outbox(id)?.len() as u64;
            let e = Error::Unauthorized(format!(
                "{:?} needs a new credential before its changes can be pushed: run `talentdeck reconnect {:?}`",
                conn.name, conn.name
            ));
            return Ok(PushReport { waiting, stopped: Some(e), ..PushReport::default() });
        }
        let connector = self.connector_for(&conn)?;
        let report = push::push(&self.store, &conn, connector.as_ref()).await?;
        let now = Utc::now();
        let mut st = self.store();
        match &report.stopped {
            Some(e @ (Error::Unauthorized(_) | Error::PermissionDenied(_))) => {
                lifecycle::transition(
                    &mut st,
                    id,
                    lifecycle::state_after_run(Some(e)),
                    Some(&e.to_string()),
                    None,
                    now,
                )?;
            }
            None if conn.state == ConnectionState::PermissionDenied && report.sent > 0 => {
                // A write went through: the permission is back.
                lifecycle::transition(&mut st, id, ConnectionState::Connected, None, None, now)?;
            }
            _ => {}
        }
        let level = if report.stopped.is_some() || report.failed > 0 || report.conflicts > 0 {
            LogLevel::Warning
        } else {
            LogLevel::Info
        };
        st.log(Some(id), None, level, &format!("Push: {}", report.summary()), None, now)?;
        Ok(report)
    }

    /// After a pull: the ATS's rejection reasons, queued changes judged against what the ATS
    /// now says, suggestions for new stage names, then a push. Each step is best effort: the
    /// pull succeeded, and a failure here is logged, not raised.
    pub(super) async fn after_pull(&self, id: i64, connector: &dyn ats::Connector) {
        let now = Utc::now();
        match connector.rejection_reasons().await {
            Ok(reasons) => {
                if let Err(e) = self.store().replace_reasons(id, &reasons, now) {
                    tracing::warn!(connection = id, error = %e, "could not store rejection reasons");
                }
            }
            Err(e) => {
                let _ = self.store().log(
                    Some(id),
                    None,
                    LogLevel::Warning,
                    &format!("Could not read the rejection reasons: {e}"),
                    None,
                    now,
                );
            }
        }
        // Bound first: a guard in the match's scrutinee would live through the arms, which
        // lock the store again.
        let reconciled = self.store().reconcile_outbox(id, now);
        match reconciled {
            Ok(r) if r.conflicts > 0 || r.applied > 0 => {
                let msg = format!(
                    "The ATS already shows {} queued change(s); {} conflict(s) with changes made in the ATS",
                    r.applied, r.conflicts
                );
                let _ = self.store().log(
                    Some(id),
                    None,
                    if r.conflicts > 0 { LogLevel::Warning } else { LogLevel::Info },
                    &msg,
                    None,
                    now,
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(connection = id, error = %e, "could not reconcile the outbox"),
        }
        if let Err(e) = self.suggest_mappings(id, true, now) {
            tracing::warn!(connection = id, error = %e, "could not suggest stage mappings");
        }
        if let Err(e) = self.push(id).await {
            tracing::warn!(connection = id, error = %e, "push after sync failed");
        }
    }
}

/// `--keep-ats` / `--apply-mine`.
pub fn resolution(keep_ats: bool, apply_mine: bool) -> Result<Resolution> {
    match (keep_ats, apply_mine) {
        (true, false) => Ok(Resolution::KeepAts),
        (false, true) => Ok(Resolution::ApplyMine),
        _ => Err(Error::Validation("say how to settle the conflict: --keep-ats or --apply-mine".into())),
    }
}
