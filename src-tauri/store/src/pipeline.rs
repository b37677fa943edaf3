//! Talentdeck's own pipeline, the ATS's rejection reasons, and the stage mappings between the
//! two: inbound (every ATS stage name → a Talentdeck stage, per connection, overridable per job)
//! and outbound (for a job, the first stage of its pipeline that maps to a Talentdeck stage is
//! where a move to that Talentdeck stage lands). Every mapping edit is recorded and undoable.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use ts_rs::TS;

use super::{parse_ts, ts, Store};
use model::error::{Error, Result};
use model::{PipelineStage, PipelineStageKind, RejectionReason};

/// One ATS stage name of a connection and what it maps to (`talentdeck mapping show`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct MappingRow {
    /// `None`: the connection-wide mapping of this name; else the override for one job.
    pub job_remote_id: Option<String>,
    pub ats_stage: String,
    /// The provider's own stage type, where it has one (Ashby).
    pub ats_type: Option<String>,
    /// Where the stage sits in its pipelines (the lowest position seen), for ordering.
    #[ts(type = "number")]
    pub position: i64,
    /// `None`: unmapped (its applications show as "unmapped").
    pub stage: Option<String>,
    /// Talentdeck's suggestion, not yet confirmed or edited by a recruiter.
    pub suggested: bool,
    /// Applications currently in an ATS stage of this name (for a job override: of that job).
    #[ts(type = "number")]
    pub applications: i64,
}

/// One recorded mapping change.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct MappingEdit {
    #[ts(type = "number")]
    pub id: i64,
    pub job_remote_id: Option<String>,
    pub ats_stage: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// One job's ATS pipeline (Lever: the account's, `job_remote_id: None`) with the active
/// applications sitting in each stage, for grouping jobs that share a pipeline template.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct JobPipeline {
    pub job_remote_id: Option<String>,
    /// `None` for the account pipeline, or a job the store has stages of but no row for.
    pub job_title: Option<String>,
    /// In pipeline order.
    pub stages: Vec<StageCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct StageCount {
    pub name: String,
    #[ts(type = "number")]
    pub applications: i64,
}

/// An ATS stage name seen in a connection, with what helps suggest its mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct AtsStageName {
    pub name: String,
    pub ats_type: Option<String>,
    /// Position within its pipeline divided by the pipeline's length (0 = first, 1 = last),
    /// averaged over the pipelines it appears in.
    pub relative_position: f64,
}

fn job_key(job: Option<&str>) -> &str {
    job.unwrap_or("")
}

impl Store {
    pub fn pipeline(&self) -> Result<Vec<PipelineStage>> {
        let mut st =
            self.db.prepare_cached("SELECT id, name, position, kind FROM pipeline_stages ORDER BY position, id")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get::<_, String>(3)?)))?;
        rows.map(|row| {
            let (id, name, position, kind) = row?;
            let kind = PipelineStageKind::parse(&kind)
                .ok_or_else(|| Error::Store(format!("unknown pipeline stage kind {kind:?}")))?;
            Ok(PipelineStage { id, name, position, kind })
        })
        .collect()
    }

    /// The pipeline stage named `name` (case-insensitive), or an error listing the stages.
    pub fn pipeline_stage(&self, name: &str) -> Result<PipelineStage> {
        let stages = self.pipeline()?;
        let names: Vec<&str> = stages.iter().map(|s| s.name.as_str()).collect();
        let list = names.join(", ");
        stages.iter().find(|s| s.name.eq_ignore_ascii_case(name.trim())).cloned().ok_or_else(|| {
            Error::NotFound(format!("Talentdeck's pipeline has no stage {name:?}; its stages are: {list}"))
        })
    }

    /// Adds an active stage after `after` (at the start when `None`).
    pub fn add_pipeline_stage(&mut self, name: &str, after: Option<&str>) -> Result<PipelineStage> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Err(Error::Validation("a stage name needs 1 to 80 characters".into()));
        }
        if self.pipeline()?.iter().any(|s| s.name.eq_ignore_ascii_case(name)) {
            return Err(Error::Validation(format!("the pipeline already has a stage {name:?}")));
        }
        let position = match after {
            Some(a) => self.pipeline_stage(a)?.position + 1,
            None => 0,
        };
        self.in_transaction(|s| {
            s.db.execute("UPDATE pipeline_stages SET position = position + 1 WHERE position >= ?1", [position])?;
            s.db.execute(
                "INSERT INTO pipeline_stages (name, position, kind) VALUES (?1, ?2, 'active')",
                params![name, position],
            )?;
            Ok(())
        })?;
        self.pipeline_stage(name)
    }

    pub fn rename_pipeline_stage(&mut self, old: &str, new: &str) -> Result<PipelineStage> {
        let stage = self.pipeline_stage(old)?;
        let new = new.trim();
        if new.is_empty() || new.chars().count() > 80 {
            return Err(Error::Validation("a stage name needs 1 to 80 characters".into()));
        }
        if self.pipeline()?.iter().any(|s| s.id != stage.id && s.name.eq_ignore_ascii_case(new)) {
            return Err(Error::Validation(format!("the pipeline already has a stage {new:?}")));
        }
        self.db.execute("UPDATE pipeline_stages SET name = ?2 WHERE id = ?1", params![stage.id, new])?;
        self.pipeline_stage(new)
    }

    /// Puts the pipeline in the order of `ids` (every stage's id once, first stage first) and
    /// answers it as stored. Refused when the ids are not exactly the pipeline's: a stage added
    /// or removed since the caller read it would otherwise land somewhere nobody chose.
    pub fn reorder_pipeline_stages(&mut self, ids: &[i64]) -> Result<Vec<PipelineStage>> {
        let mut have: Vec<i64> = self.pipeline()?.iter().map(|s| s.id).collect();
        let mut want = ids.to_vec();
        have.sort_unstable();
        want.sort_unstable();
        if have != want {
            return Err(Error::Validation(
                "the new order must list every stage of the pipeline once; it changed meanwhile, reload it".into(),
            ));
        }
        self.in_transaction(|s| {
            let mut st = s.db.prepare_cached("UPDATE pipeline_stages SET position = ?2 WHERE id = ?1")?;
            for (position, id) in ids.iter().enumerate() {
                st.execute(params![id, position as i64])?;
            }
            Ok(())
        })?;
        self.pipeline()
    }

    /// Removes a stage; its mappings (every connection's) move to `into`. The last stage of
    /// a kind that rejections or hires land in cannot go.
    pub fn remove_pipeline_stage(&mut self, name: &str, into: &str) -> Result<()> {
        let stage = self.pipeline_stage(name)?;
        let into = self.pipeline_stage(into)?;
        if stage.id == into.id {
            return Err(Error::Validation("a stage's mappings must move to another stage".into()));
        }
        let same_kind = self.pipeline()?.iter().filter(|s| s.kind == stage.kind).count();
        if stage.kind != PipelineStageKind::Active && same_kind == 1 {
            return Err(Error::Validation(format!(
                "{:?} is the pipeline's only {} stage; {} applications need it",
                stage.name, stage.kind, stage.kind
            )));
        }
        self.in_transaction(|s| {
            // An override and a connection-wide mapping of the same name may both point here.
            s.db.execute(
                "UPDATE OR REPLACE stage_mappings SET pipeline_stage_id = ?2 WHERE pipeline_stage_id = ?1",
                params![stage.id, into.id],
            )?;
            s.db.execute(
                "UPDATE mapping_edits SET before_stage_id = ?2 WHERE before_stage_id = ?1",
                params![stage.id, into.id],
            )?;
            s.db.execute(
                "UPDATE mapping_edits SET after_stage_id = ?2 WHERE after_stage_id = ?1",
                params![stage.id, into.id],
            )?;
            s.db.execute("DELETE FROM pipeline_stages WHERE id = ?1", [stage.id])?;
            s.db.execute("UPDATE pipeline_stages SET position = position - 1 WHERE position > ?1", [stage.position])?;
            Ok(())
        })
    }

    /// The distinct ATS stage names of a connection (of one job, or all), in pipeline order.
    pub fn ats_stage_names(&self, cid: i64, job: Option<&str>) -> Result<Vec<AtsStageName>> {
        let mut st = self.db.prepare_cached(
            "WITH sized AS (
                 SELECT s.name, s.ats_type, s.position,
                        COUNT(*) OVER (PARTITION BY s.job_remote_id) AS n
                 FROM job_stages s
                 WHERE s.connection_id = ?1 AND (?2 IS NULL OR s.job_remote_id = ?2 OR s.job_remote_id IS NULL))
             SELECT name, MAX(ats_type), AVG(CASE WHEN n > 1 THEN CAST(position AS REAL) / (n - 1) ELSE 0 END),
                    MIN(position)
             FROM sized GROUP BY name COLLATE NOCASE ORDER BY MIN(position), name",
        )?;
        let rows = st.query_map(params![cid, job], |r| {
            Ok(AtsStageName { name: r.get(0)?, ats_type: r.get(1)?, relative_position: r.get(2)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every ATS stage name of the connection with its connection-wide mapping, then the
    /// per-job overrides (of `job` only, when given).
    pub fn mappings(&self, cid: i64, job: Option<&str>) -> Result<Vec<MappingRow>> {
        let mut st = self.db.prepare_cached(
            "SELECT s.name, MAX(s.ats_type), MIN(s.position), p.name, COALESCE(m.suggested, 0),
                    (SELECT COUNT(*) FROM applications a
                     WHERE a.connection_id = ?1 AND a.stage_name = s.name COLLATE NOCASE AND a.status = 'active')
             FROM job_stages s
             LEFT JOIN stage_mappings m ON m.connection_id = ?1 AND m.job_remote_id = '' AND m.stage_name = s.name
             LEFT JOIN pipeline_stages p ON p.id = m.pipeline_stage_id
             WHERE s.connection_id = ?1
             GROUP BY s.name COLLATE NOCASE
             ORDER BY MIN(s.position), s.name",
        )?;
        let mut rows: Vec<MappingRow> = st
            .query_map([cid], |r| {
                Ok(MappingRow {
                    job_remote_id: None,
                    ats_stage: r.get(0)?,
                    ats_type: r.get(1)?,
                    position: r.get(2)?,
                    stage: r.get(3)?,
                    suggested: r.get(4)?,
                    applications: r.get(5)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut st = self.db.prepare_cached(
            "SELECT m.job_remote_id, m.stage_name, p.name, m.suggested,
                    (SELECT MIN(position) FROM job_stages s
                     WHERE s.connection_id = ?1 AND s.job_remote_id = m.job_remote_id AND s.name = m.stage_name),
                    (SELECT COUNT(*) FROM applications a
                     WHERE a.connection_id = ?1 AND a.job_remote_id = m.job_remote_id
                       AND a.stage_name = m.stage_name COLLATE NOCASE AND a.status = 'active')
             FROM stage_mappings m JOIN pipeline_stages p ON p.id = m.pipeline_stage_id
             WHERE m.connection_id = ?1 AND m.job_remote_id <> '' AND (?2 IS NULL OR m.job_remote_id = ?2)
             ORDER BY m.job_remote_id, 5",
        )?;
        let overrides = st.query_map(params![cid, job], |r| {
            Ok(MappingRow {
                job_remote_id: Some(r.get(0)?),
                ats_stage: r.get(1)?,
                ats_type: None,
                position: r.get::<_, Option<i64>>(4)?.unwrap_or(0),
                stage: Some(r.get(2)?),
                suggested: r.get(3)?,
                applications: r.get(5)?,
            })
        })?;
        for o in overrides {
            rows.push(o?);
        }
        Ok(rows)
    }

    /// Every pipeline of the connection: the account's (Lever) first, then each job's by title,
    /// its stages in order with the active applications in each (of that job; for the account
    /// pipeline, of every job).
    pub fn job_pipelines(&self, cid: i64) -> Result<Vec<JobPipeline>> {
        let mut st = self.db.prepare_cached(
            "SELECT s.job_remote_id, j.title, s.name,
                    (SELECT COUNT(*) FROM applications a
                     WHERE a.connection_id = ?1 AND (s.job_remote_id IS NULL OR a.job_remote_id = s.job_remote_id)
                       AND a.stage_name = s.name COLLATE NOCASE AND a.status = 'active')
             FROM job_stages s
             LEFT JOIN jobs j ON j.connection_id = s.connection_id AND j.remote_id = s.job_remote_id
             WHERE s.connection_id = ?1
             ORDER BY s.job_remote_id IS NOT NULL, j.title, s.job_remote_id, s.position, s.id",
        )?;
        let rows = st.query_map([cid], |r| {
            Ok((r.get::<_, Option<String>>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, String>(2)?, r.get(3)?))
        })?;
        let mut out: Vec<JobPipeline> = Vec::new();
        for row in rows {
            let (job, title, name, applications) = row?;
            match out.last_mut() {
                Some(last) if last.job_remote_id == job => last.stages.push(StageCount { name, applications }),
                _ => out.push(JobPipeline {
                    job_remote_id: job,
                    job_title: title,
                    stages: vec![StageCount { name, applications }],
                }),
            }
        }
        Ok(out)
    }

    /// The mapping in force for an ATS stage name (a job's override first), if any.
    pub fn mapped_stage(&self, cid: i64, job: Option<&str>, ats_stage: &str) -> Result<Option<(i64, bool)>> {
        Ok(self
            .db
            .prepare_cached(
                "SELECT pipeline_stage_id, suggested FROM stage_mappings
                 WHERE connection_id = ?1 AND job_remote_id IN (?2, '') AND stage_name = ?3
                 ORDER BY job_remote_id DESC LIMIT 1",
            )?
            .query_row(params![cid, job_key(job), ats_stage], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Maps an ATS stage name (connection-wide, or for one job) and records the edit.
    /// `to: None` removes the mapping (the stage shows as unmapped).
    #[allow(clippy::too_many_arguments)]
    pub fn set_mapping(
        &mut self,
        cid: i64,
        job: Option<&str>,
        ats_stage: &str,
        to: Option<i64>,
        suggested: bool,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let known = self.ats_stage_names(cid, job)?;
        let Some(name) = known.iter().find(|s| s.name.eq_ignore_ascii_case(ats_stage.trim())).map(|s| s.name.clone())
        else {
            let list: Vec<&str> = known.iter().map(|s| s.name.as_str()).collect();
            let scope = job.map(|j| format!("job {j}")).unwrap_or_else(|| "this connection".into());
            return Err(Error::NotFound(format!(
                "{scope} has no ATS stage {ats_stage:?} (sync first if it is new); its stages are: {}",
                list.join(", ")
            )));
        };
        self.in_transaction(|s| s.set_mapping_tx(cid, job_key(job), &name, to, suggested, by, now))
    }

    #[allow(clippy::too_many_arguments)]
    fn set_mapping_tx(
        &self,
        cid: i64,
        job: &str,
        name: &str,
        to: Option<i64>,
        suggested: bool,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let before: Option<(i64, bool)> = self
            .db
            .query_row(
                "SELECT pipeline_stage_id, suggested FROM stage_mappings
                 WHERE connection_id = ?1 AND job_remote_id = ?2 AND stage_name = ?3",
                params![cid, job, name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if before == to.map(|t| (t, suggested)) {
            return Ok(());
        }
        put_mapping(&self.db, cid, job, name, to, suggested, now)?;
        self.db.execute(
            "INSERT INTO mapping_edits (connection_id, job_remote_id, stage_name, before_stage_id, before_suggested,
                                        after_stage_id, after_suggested, by, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![cid, job, name, before.map(|b| b.0), before.is_some_and(|b| b.1), to, suggested, by, ts(&now)],
        )?;
        Ok(())
    }

    /// Undoes the connection's most recent mapping edit not undone yet; returns it.
    pub fn undo_mapping(&mut self, cid: i64, now: DateTime<Utc>) -> Result<MappingEdit> {
        let last = self.mapping_edits(cid, 1)?.into_iter().next();
        let Some(edit) = last else {
            return Err(Error::NotFound("there is no mapping change to undo".into()));
        };
        self.in_transaction(|s| {
            let (before, before_suggested): (Option<i64>, bool) = s.db.query_row(
                "SELECT before_stage_id, before_suggested FROM mapping_edits WHERE id = ?1",
                [edit.id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            let job = edit.job_remote_id.as_deref().unwrap_or("");
            put_mapping(&s.db, cid, job, &edit.ats_stage, before, before_suggested, now)?;
            s.db.execute("UPDATE mapping_edits SET undone = 1 WHERE id = ?1", [edit.id])?;
            Ok(())
        })?;
        Ok(edit)
    }

    /// Redoes the edit undone last, as long as no edit was made since (a new edit ends what can
    /// be redone, as in any editor); the edit shows in the history again. Returns it.
    pub fn redo_mapping(&mut self, cid: i64, now: DateTime<Utc>) -> Result<MappingEdit> {
        // Undo goes newest first, so of the undone edits after the newest live one, the oldest
        // is the one undone last.
        let next: Option<(i64, String, String, Option<i64>, bool)> = self
            .db
            .query_row(
                "SELECT id, job_remote_id, stage_name, after_stage_id, after_suggested FROM mapping_edits
                 WHERE connection_id = ?1 AND undone = 1
                   AND id > COALESCE((SELECT MAX(id) FROM mapping_edits WHERE connection_id = ?1 AND undone = 0), 0)
                 ORDER BY id LIMIT 1",
                [cid],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let Some((id, job, name, after, after_suggested)) = next else {
            return Err(Error::NotFound("there is no undone mapping change to redo".into()));
        };
        self.in_transaction(|s| {
            put_mapping(&s.db, cid, &job, &name, after, after_suggested, now)?;
            s.db.execute("UPDATE mapping_edits SET undone = 0 WHERE id = ?1", [id])?;
            Ok(())
        })?;
        let edit = self.mapping_edits(cid, 1)?.into_iter().next();
        edit.ok_or_else(|| Error::Store("a redone mapping edit vanished".into()))
    }

    /// The connection's mapping edits not undone, newest first.
    pub fn mapping_edits(&self, cid: i64, limit: u32) -> Result<Vec<MappingEdit>> {
        let mut st = self.db.prepare_cached(
            "SELECT e.id, e.job_remote_id, e.stage_name, b.name, a.name, e.by, e.at
             FROM mapping_edits e
             LEFT JOIN pipeline_stages b ON b.id = e.before_stage_id
             LEFT JOIN pipeline_stages a ON a.id = e.after_stage_id
             WHERE e.connection_id = ?1 AND e.undone = 0 ORDER BY e.id DESC LIMIT ?2",
        )?;
        let rows = st.query_map(params![cid, limit], |r| {
            let job: String = r.get(1)?;
            Ok((r.get(0)?, job, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get::<_, String>(6)?))
        })?;
        rows.map(|row| {
            let (id, job, ats_stage, before, after, by, at) = row?;
            Ok(MappingEdit {
                id,
                job_remote_id: (!job.is_empty()).then_some(job),
                ats_stage,
                before,
                after,
                by,
                at: parse_ts(&at)?,
            })
        })
        .collect()
    }

    /// Where a move to Talentdeck stage `to` lands for this job: the first stage of the job's
    /// pipeline (Lever: the account's) whose mapping in force is `to`.
    pub fn outbound_stage(&self, cid: i64, job: Option<&str>, to: i64) -> Result<Option<(String, String)>> {
        Ok(self
            .db
            .prepare_cached(
                "SELECT s.remote_id, s.name FROM job_stages s
                 WHERE s.connection_id = ?1 AND (s.job_remote_id IS ?2 OR s.job_remote_id IS NULL)
                   AND COALESCE(
                         (SELECT pipeline_stage_id FROM stage_mappings m
                          WHERE m.connection_id = ?1 AND m.job_remote_id = COALESCE(?2, '') AND m.job_remote_id <> ''
                            AND m.stage_name = s.name),
                         (SELECT pipeline_stage_id FROM stage_mappings m
                          WHERE m.connection_id = ?1 AND m.job_remote_id = '' AND m.stage_name = s.name)) = ?3
                 ORDER BY s.position LIMIT 1",
            )?
            .query_row(params![cid, job, to], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Replaces the connection's rejection reasons with the ATS's current list.
    pub fn replace_reasons(&mut self, cid: i64, reasons: &[RejectionReason], now: DateTime<Utc>) -> Result<()> {
        self.in_transaction(|s| {
            s.db.execute("DELETE FROM rejection_reasons WHERE connection_id = ?1", [cid])?;
            let mut st = s.db.prepare_cached(
                "INSERT OR REPLACE INTO rejection_reasons (connection_id, remote_id, name, synced_at) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for r in reasons {
                st.execute(params![cid, r.remote_id, r.name, ts(&now)])?;
            }
            Ok(())
        })
    }

    pub fn reasons(&self, cid: i64) -> Result<Vec<RejectionReason>> {
        let mut st = self.db.prepare_cached(
            "SELECT remote_id, name FROM rejection_reasons WHERE connection_id = ?1 ORDER BY name, remote_id",
        )?;
        let rows = st.query_map([cid], |r| Ok(RejectionReason { remote_id: r.get(0)?, name: r.get(1)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A reason by its name (case-insensitive) or id.
    pub fn reason(&self, cid: i64, name_or_id: &str) -> Result<RejectionReason> {
        let reasons = self.reasons(cid)?;
        if reasons.is_empty() {
            return Err(Error::NotFound(
                "no rejection reasons are stored for this connection yet: sync it once while online".into(),
            ));
        }
        let wanted = name_or_id.trim();
        reasons
            .iter()
            .find(|r| r.remote_id == wanted)
            .or_else(|| reasons.iter().find(|r| r.name.eq_ignore_ascii_case(wanted)))
            .cloned()
            .ok_or_else(|| {
                let names: Vec<&str> = reasons.iter().map(|r| r.name.as_str()).collect();
                Error::NotFound(format!(
                    "the ATS has no rejection reason {wanted:?}; its reasons are: {}",
                    names.join(", ")
                ))
            })
    }

    /// The connections that hold a record `remote_id` in `table` (`applications` or `talents`).
    pub fn connections_holding(&self, table: &str, remote_id: &str) -> Result<Vec<i64>> {
        let table = match table {
            "applications" => "applications",
            _ => "talents",
        };
        let mut st = self
            .db
            .prepare_cached(&format!("SELECT DISTINCT connection_id FROM {table} WHERE remote_id = ?1 ORDER BY 1"))?;
        let rows = st.query_map([remote_id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// An ATS stage of a job's pipeline (Lever: of the account's) by id or name.
    pub fn ats_stage_of_job(&self, cid: i64, job: Option<&str>, name_or_id: &str) -> Result<String> {
        let mut st = self.db.prepare_cached(
            "SELECT remote_id, name FROM job_stages
             WHERE connection_id = ?1 AND (job_remote_id IS ?2 OR job_remote_id IS NULL) ORDER BY position",
        )?;
        let stages: Vec<(String, String)> =
            st.query_map(params![cid, job], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        let wanted = name_or_id.trim();
        stages
            .iter()
            .find(|(id, _)| id == wanted)
            .or_else(|| stages.iter().find(|(_, name)| name.eq_ignore_ascii_case(wanted)))
            .map(|(id, _)| id.clone())
            .ok_or_else(|| {
                let names: Vec<&str> = stages.iter().map(|(_, n)| n.as_str()).collect();
                Error::NotFound(format!("the pipeline has no stage {wanted:?}; its stages are: {}", names.join(", ")))
            })
    }
}

/// Sets the mapping of ATS stage name `name` (connection-wide when `job` is '') to Talentdeck
/// stage `to`, or with `None` leaves it unmapped: what an edit, its undo and its redo all write.
fn put_mapping(
    db: &rusqlite::Connection,
    cid: i64,
    job: &str,
    name: &str,
    to: Option<i64>,
    suggested: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    match to {
        Some(t) => db.execute(
            "INSERT INTO stage_mappings (connection_id, job_remote_id, stage_name, pipeline_stage_id, suggested, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT DO UPDATE SET pipeline_stage_id = excluded.pipeline_stage_id,
                 suggested = excluded.suggested, updated_at = excluded.updated_at",
            params![cid, job, name, t, suggested, ts(&now)],
        )?,
        None => db.execute(
            "DELETE FROM stage_mappings WHERE connection_id = ?1 AND job_remote_id = ?2 AND stage_name = ?3",
            params![cid, job, name],
        )?,
    };
    Ok(())
}
