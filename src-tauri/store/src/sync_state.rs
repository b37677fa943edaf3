//! Sync bookkeeping: cursors (with the resume point of an interrupted pass), runs and their
//! per-resource counts, and the sync log.

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension};

use super::{parse_ts, ts, Store};
use model::error::Result;
use model::Resource;
use model::{LogLevel, Trigger};

/// Where a resource's sync stands for one connection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cursor {
    pub resource: Option<Resource>,
    /// The incremental cursor after the last complete pass: a time or a provider token.
    pub cursor: Option<String>,
    /// The next page of an unfinished pass; `None` when the pass completed.
    pub page_cursor: Option<String>,
    /// When the unfinished pass began (its cursor becomes `cursor` once it completes).
    pub pass_started_at: Option<String>,
    /// When the last full pass completed.
    pub last_full_at: Option<String>,
}

impl Cursor {
    pub fn for_resource(resource: Resource) -> Cursor {
        Cursor { resource: Some(resource), ..Cursor::default() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunState {
    Running,
    Succeeded,
    Warnings,
    Failed,
    Interrupted,
}

impl RunState {
    pub fn as_str(self) -> &'static str {
        match self {
            RunState::Running => "running",
            RunState::Succeeded => "succeeded",
            RunState::Warnings => "warnings",
            RunState::Failed => "failed",
            RunState::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<RunState> {
        [RunState::Running, RunState::Succeeded, RunState::Warnings, RunState::Failed, RunState::Interrupted]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// Per-resource counts of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, ts_rs::TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct RunCounts {
    #[ts(type = "number")]
    pub pages: u64,
    #[ts(type = "number")]
    pub created: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub deleted: u64,
    #[ts(type = "number")]
    pub skipped: u64,
}

pub(super) fn save_cursor_tx(tx: &rusqlite::Connection, cid: i64, c: &Cursor, now: DateTime<Utc>) -> Result<()> {
    let resource = c.resource.map(Resource::as_str).unwrap_or("all");
    tx.prepare_cached(
        "INSERT INTO sync_cursors (connection_id, resource, cursor, page_cursor, pass_started_at, last_full_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (connection_id, resource) DO UPDATE SET
           cursor = excluded.cursor, page_cursor = excluded.page_cursor, pass_started_at = excluded.pass_started_at,
           last_full_at = excluded.last_full_at, updated_at = excluded.updated_at",
    )?
    .execute(params![cid, resource, c.cursor, c.page_cursor, c.pass_started_at, c.last_full_at, ts(&now)])?;
    Ok(())
}

impl Store {
    pub fn cursor(&self, cid: i64, resource: Resource) -> Result<Cursor> {
        Ok(self
            .db
            .query_row(
                "SELECT cursor, page_cursor, pass_started_at, last_full_at FROM sync_cursors
                 WHERE connection_id = ?1 AND resource = ?2",
                params![cid, resource.as_str()],
                |r| {
                    Ok(Cursor {
                        resource: Some(resource),
                        cursor: r.get(0)?,
                        page_cursor: r.get(1)?,
                        pass_started_at: r.get(2)?,
                        last_full_at: r.get(3)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_else(|| Cursor::for_resource(resource)))
    }

    pub fn save_cursor(&mut self, cid: i64, c: &Cursor, now: DateTime<Utc>) -> Result<()> {
        let tx = self.db.transaction()?;
        save_cursor_tx(&tx, cid, c, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Forgets every cursor of a connection, so the next sync is a full one.
    pub fn reset_cursors(&mut self, cid: i64) -> Result<()> {
        self.db.execute("DELETE FROM sync_cursors WHERE connection_id = ?1", [cid])?;
        Ok(())
    }

    pub fn begin_run(&mut self, cid: i64, full: bool, trigger: Trigger, now: DateTime<Utc>) -> Result<i64> {
        // A run left `running` by a process that died is over: say so instead of showing it forever.
        self.db.execute(
            "UPDATE sync_runs SET state = 'interrupted', finished_at = ?2,
               error = COALESCE(error, 'Talentdeck stopped during this sync; the next sync resumes from the last checkpoint')
             WHERE connection_id = ?1 AND state = 'running'",
            params![cid, ts(&now)],
        )?;
        self.db.execute(
            "INSERT INTO sync_runs (connection_id, kind, trigger, started_at, state) VALUES (?1, ?2, ?3, ?4, 'running')",
            params![cid, if full { "full" } else { "incremental" }, trigger.as_str(), ts(&now)],
        )?;
        Ok(self.db.last_insert_rowid())
    }

    pub fn add_run_counts(&mut self, run_id: i64, resource: Resource, c: RunCounts) -> Result<()> {
        self.db
            .prepare_cached(
                "INSERT INTO sync_run_resources (run_id, resource, pages, created, updated, deleted, skipped)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (run_id, resource) DO UPDATE SET
                   pages = pages + excluded.pages, created = created + excluded.created,
                   updated = updated + excluded.updated, deleted = deleted + excluded.deleted,
                   skipped = skipped + excluded.skipped",
            )?
            .execute(params![
                run_id,
                resource.as_str(),
                c.pages as i64,
                c.created as i64,
                c.updated as i64,
                c.deleted as i64,
                c.skipped as i64
            ])?;
        Ok(())
    }

    pub fn finish_run(
        &mut self,
        run_id: i64,
        state: RunState,
        requests: u64,
        rate_limited: u64,
        error: Option<(&str, &str)>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.db.execute(
            "UPDATE sync_runs SET state = ?2, finished_at = ?3, requests = ?4, rate_limited = ?5, error_code = ?6, error = ?7
             WHERE id = ?1",
            params![
                run_id,
                state.as_str(),
                ts(&now),
                requests as i64,
                rate_limited as i64,
                error.map(|e| e.0),
                error.map(|e| e.1)
            ],
        )?;
        Ok(())
    }

    pub fn log(
        &mut self,
        cid: Option<i64>,
        run_id: Option<i64>,
        level: LogLevel,
        message: &str,
        detail: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.db
            .prepare_cached("INSERT INTO sync_log (connection_id, run_id, at, level, message, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
            .execute(params![cid, run_id, ts(&now), level.as_str(), message, detail])?;
        Ok(())
    }

    /// The time of the last run of `cid` that finished successfully (with or without warnings).
    pub fn last_success_at(&self, cid: i64) -> Result<Option<DateTime<Utc>>> {
        let s: Option<String> = self.db.query_row(
            "SELECT MAX(finished_at) FROM sync_runs WHERE connection_id = ?1 AND state IN ('succeeded', 'warnings')",
            [cid],
            |r| r.get(0),
        )?;
        s.as_deref().map(parse_ts).transpose()
    }
}

impl Store {
    /// `(updated_at, extra)` of those of `remote_ids` that connection `cid` holds as talents:
    /// what the pages of an interrupted pass wrote before the crash (see
    /// `ats::Connector::use_stored_talents`).
    pub fn stored_talents(
        &self,
        cid: i64,
        remote_ids: &[String],
    ) -> Result<std::collections::HashMap<String, (DateTime<Utc>, serde_json::Value)>> {
        let mut stmt = self
            .db
            .prepare_cached("SELECT updated_at, extra FROM talents WHERE connection_id = ?1 AND remote_id = ?2")?;
        let mut out = std::collections::HashMap::new();
        for rid in remote_ids {
            let row = stmt
                .query_row(params![cid, rid], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?)))
                .optional()?;
            if let Some((at, extra)) = row {
                let extra = extra.and_then(|e| serde_json::from_str(&e).ok()).unwrap_or(serde_json::Value::Null);
                out.insert(rid.clone(), (parse_ts(&at)?, extra));
            }
        }
        Ok(out)
    }
}
