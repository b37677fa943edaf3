//! A job's applications as board cards: each with its ATS stage and queued changes applied (as
//! `application_view` does for one), its Talentdeck stage through the mapping in force for the
//! job, how long it has been in its stage, and the newest move or rejection queued for it.

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension};

use super::{parse_ts, Store};
use model::error::Result;
use model::{ApplicationStatus, BoardCard, OutboxKind, OutboxState, PipelineStage, PipelineStageKind};

/// Where a job's applications sit in Talentdeck's pipeline: the mapping in force for the job
/// (its overrides over the connection-wide mapping), and the pipeline's rejected and hired
/// stages for applications that ended. Used by the board and the talent profile alike.
pub struct StageMapper {
    pipeline: Vec<PipelineStage>,
    /// By lower-cased ATS stage name (names compare case-insensitively, as `COLLATE NOCASE` does).
    mapped: HashMap<String, i64>,
    rejected: Option<i64>,
    hired: Option<i64>,
}

impl StageMapper {
    /// The Talentdeck stage of an application with this status in this ATS stage; `None`: unmapped.
    pub fn stage_of(&self, status: ApplicationStatus, ats_stage_name: Option<&str>) -> Option<i64> {
        match status {
            ApplicationStatus::Rejected => self.rejected,
            ApplicationStatus::Hired => self.hired,
            ApplicationStatus::Active => ats_stage_name.and_then(|n| self.mapped.get(&n.to_lowercase())).copied(),
        }
    }

    pub fn name_of(&self, id: i64) -> Option<String> {
        self.pipeline.iter().find(|s| s.id == id).map(|s| s.name.clone())
    }
}

impl Store {
    /// Job `job`'s sanitised description and its compensation text, where synced.
    pub fn job_details(&self, cid: i64, job: &str) -> Result<(Option<String>, Option<String>)> {
        let row = self.db.query_row(
            "SELECT description_html, compensation FROM jobs WHERE connection_id = ?1 AND remote_id = ?2",
            params![cid, job],
            |r| Ok((r.get(0)?, r.get(1)?)),
        );
        Ok(row.optional()?.unwrap_or((None, None)))
    }

    /// The mapping in force for job `job` of connection `cid` (`None`: no job, a prospect).
    pub fn stage_mapper(&self, cid: i64, job: Option<&str>) -> Result<StageMapper> {
        let pipeline = self.pipeline()?;
        let first_of = |kind: PipelineStageKind| pipeline.iter().find(|s| s.kind == kind).map(|s| s.id);
        let (rejected, hired) = (first_of(PipelineStageKind::Rejected), first_of(PipelineStageKind::Hired));
        let mut mapped: HashMap<String, (i64, bool)> = HashMap::new();
        let mut st = self.db.prepare_cached(
            "SELECT stage_name, pipeline_stage_id, job_remote_id <> '' FROM stage_mappings
             WHERE connection_id = ?1 AND job_remote_id IN ('', ?2)",
        )?;
        for row in
            st.query_map(params![cid, job.unwrap_or("")], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?
        {
            let (name, stage, is_override): (String, i64, bool) = row?;
            let e = mapped.entry(name.to_lowercase()).or_insert((stage, is_override));
            if is_override {
                *e = (stage, true);
            }
        }
        let mapped = mapped.into_iter().map(|(k, (stage, _))| (k, stage)).collect();
        Ok(StageMapper { pipeline, mapped, rejected, hired })
    }

    /// The cards of job `job` of connection `cid`, by talent name. Applications deleted in the
    /// ATS are left out (their queued changes can only fail, and the outbox shows that).
    pub fn board_cards(&self, cid: i64, job: &str) -> Result<Vec<BoardCard>> {
        let mapper = self.stage_mapper(cid, Some(job))?;

        // The current stay: the newest entry into the current stage not exited yet.
        let mut st = self.db.prepare_cached(
            "SELECT a.remote_id, a.talent_remote_id, COALESCE(t.name, a.talent_remote_id), a.stage_remote_id,
                    a.stage_name, a.status, a.updated_at, t.id,
                    (SELECT MAX(h.entered_at) FROM stage_history h
                     WHERE h.connection_id = a.connection_id AND h.application_remote_id = a.remote_id
                       AND h.stage_remote_id = a.stage_remote_id AND h.exited_at IS NULL)
             FROM applications a
             LEFT JOIN talents t ON t.connection_id = a.connection_id AND t.remote_id = a.talent_remote_id
             WHERE a.connection_id = ?1 AND a.job_remote_id = ?2 AND a.remote_deleted_at IS NULL
             ORDER BY COALESCE(t.name, a.talent_remote_id) COLLATE NOCASE, a.remote_id",
        )?;
        let rows = st.query_map(params![cid, job], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, Option<i64>>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?;
        let mut cards = Vec::new();
        let mut index = HashMap::new();
        for row in rows {
            let (id, talent, name, stage_id, stage_name, status, updated, talent_id, entered) = row?;
            let since = parse_ts(entered.as_deref().unwrap_or(&updated))?;
            index.insert(id.clone(), cards.len());
            cards.push(BoardCard {
                application_remote_id: id,
                talent_remote_id: talent,
                talent_id,
                talent_name: name,
                ats_stage_id: stage_id,
                ats_stage_name: stage_name,
                status: ApplicationStatus::parse(&status).unwrap_or(ApplicationStatus::Active),
                stage_id: None,
                stage: None,
                in_stage_since: since,
                outbox_id: None,
                outbox_kind: None,
                outbox_state: None,
                outbox_error: None,
                outbox_to_stage_name: None,
                outbox_ats_stage_name: None,
            });
        }

        // Queued moves and rejections, oldest first: pending and conflicting ones are part of
        // what the recruiter sees (as in `application_view`); the newest of any state is the badge.
        let mut st = self.db.prepare_cached(
            "SELECT o.application_remote_id, o.id, o.kind, o.state, o.to_stage,
                    (SELECT name FROM job_stages s WHERE s.connection_id = o.connection_id AND s.remote_id = o.to_stage),
                    (SELECT name FROM job_stages s WHERE s.connection_id = o.connection_id AND s.remote_id = o.ats_stage),
                    o.last_error, o.created_at
             FROM outbox o JOIN applications a ON a.connection_id = o.connection_id AND a.remote_id = o.application_remote_id
             WHERE o.connection_id = ?1 AND a.job_remote_id = ?2 AND o.kind IN ('move', 'reject')
             ORDER BY o.id",
        )?;
        let queued = st.query_map(params![cid, job], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, String>(8)?,
            ))
        })?;
        for q in queued {
            let (app, id, kind, state, to, to_name, ats_name, error, created) = q?;
            let Some(card) = index.get(&app).map(|&i| &mut cards[i]) else { continue };
            let kind = OutboxKind::parse(&kind);
            let state = OutboxState::parse(&state);
            if matches!(state, Some(OutboxState::Pending | OutboxState::Conflict)) {
                match kind {
                    Some(OutboxKind::Reject) => card.status = ApplicationStatus::Rejected,
                    Some(OutboxKind::Move) => {
                        if card.ats_stage_id != to {
                            card.in_stage_since = parse_ts(&created)?;
                        }
                        card.ats_stage_id = to;
                        card.ats_stage_name = to_name.clone();
                    }
                    _ => {}
                }
            }
            card.outbox_id = Some(id);
            card.outbox_kind = kind;
            card.outbox_state = state;
            card.outbox_error = error;
            card.outbox_to_stage_name = to_name;
            card.outbox_ats_stage_name = ats_name;
        }

        for card in &mut cards {
            card.stage_id = mapper.stage_of(card.status, card.ats_stage_name.as_deref());
            card.stage = card.stage_id.and_then(|id| mapper.name_of(id));
        }
        Ok(cards)
    }
}
