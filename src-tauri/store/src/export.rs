//! The `export` contract: JSON Lines, one record a line, documented in the README. Field names
//! and meanings are stable; new fields may be added, none removed.

use rusqlite::params;
use serde::Serialize;

use super::Store;
use model::error::{Error, Result};
pub use model::ExportKind;

#[derive(Serialize)]
struct JobOut {
    connection: String,
    remote_id: String,
    title: String,
    status: String,
    department: Option<String>,
    location: Option<String>,
    updated_at: String,
}

#[derive(Serialize)]
struct StageOut {
    connection: String,
    remote_id: String,
    job_remote_id: Option<String>,
    name: String,
    position: i64,
}

#[derive(Serialize)]
struct TalentOut {
    connection: String,
    remote_id: String,
    name: String,
    first_name: Option<String>,
    last_name: Option<String>,
    emails: Vec<String>,
    phones: Vec<String>,
    company: Option<String>,
    title: Option<String>,
    tags: Vec<String>,
    updated_at: String,
}

#[derive(Serialize)]
struct ApplicationOut {
    connection: String,
    remote_id: String,
    talent_remote_id: String,
    job_remote_id: Option<String>,
    stage_remote_id: Option<String>,
    stage_name: Option<String>,
    status: String,
    updated_at: String,
}

impl Store {
    /// Calls `emit` with each record of `kind` (of one connection, or of all), in a stable order.
    pub fn export(
        &self,
        kind: ExportKind,
        connection: Option<&str>,
        mut emit: impl FnMut(serde_json::Value) -> Result<()>,
    ) -> Result<()> {
        let cid = match connection {
            Some(name) => Some(self.require_connection(name)?.id),
            None => None,
        };
        match kind {
            ExportKind::Jobs => {
                let mut stmt = self.db.prepare(
                    "SELECT c.name, j.remote_id, j.title, j.status, j.department, j.location, j.updated_at
                     FROM jobs j JOIN connections c ON c.id = j.connection_id
                     WHERE ?1 IS NULL OR j.connection_id = ?1 ORDER BY c.name, j.remote_id",
                )?;
                let mut rows = stmt.query(params![cid])?;
                while let Some(r) = rows.next()? {
                    emit(serde_json::to_value(JobOut {
                        connection: r.get(0)?,
                        remote_id: r.get(1)?,
                        title: r.get(2)?,
                        status: r.get(3)?,
                        department: r.get(4)?,
                        location: r.get(5)?,
                        updated_at: r.get(6)?,
                    })?)?;
                }
            }
            ExportKind::Stages => {
                let mut stmt = self.db.prepare(
                    "SELECT c.name, s.remote_id, s.job_remote_id, s.name, s.position
                     FROM job_stages s JOIN connections c ON c.id = s.connection_id
                     WHERE ?1 IS NULL OR s.connection_id = ?1 ORDER BY c.name, s.remote_id",
                )?;
                let mut rows = stmt.query(params![cid])?;
                while let Some(r) = rows.next()? {
                    emit(serde_json::to_value(StageOut {
                        connection: r.get(0)?,
                        remote_id: r.get(1)?,
                        job_remote_id: r.get(2)?,
                        name: r.get(3)?,
                        position: r.get(4)?,
                    })?)?;
                }
            }
            ExportKind::Talents => {
                let mut stmt = self.db.prepare(
                    "SELECT c.name, t.remote_id, t.name, t.first_name, t.last_name, t.company, t.title, t.tags, t.updated_at,
                      (SELECT json_group_array(email) FROM (SELECT email FROM talent_emails WHERE talent_id = t.id ORDER BY position)),
                      (SELECT json_group_array(phone) FROM (SELECT phone FROM talent_phones WHERE talent_id = t.id ORDER BY position))
                     FROM talents t JOIN connections c ON c.id = t.connection_id
                     WHERE ?1 IS NULL OR t.connection_id = ?1 ORDER BY c.name, t.remote_id",
                )?;
                let mut rows = stmt.query(params![cid])?;
                while let Some(r) = rows.next()? {
                    let json = |i: usize| -> Result<Vec<String>> {
                        let s: String = r.get(i)?;
                        serde_json::from_str(&s)
                            .map_err(|e| Error::Store(format!("bad JSON list in the database: {e}")))
                    };
                    emit(serde_json::to_value(TalentOut {
                        connection: r.get(0)?,
                        remote_id: r.get(1)?,
                        name: r.get(2)?,
                        first_name: r.get(3)?,
                        last_name: r.get(4)?,
                        company: r.get(5)?,
                        title: r.get(6)?,
                        tags: json(7)?,
                        updated_at: r.get(8)?,
                        emails: json(9)?,
                        phones: json(10)?,
                    })?)?;
                }
            }
            ExportKind::Applications => {
                let mut stmt = self.db.prepare(
                    "SELECT c.name, a.remote_id, a.talent_remote_id, a.job_remote_id, a.stage_remote_id, a.stage_name,
                            a.status, a.updated_at
                     FROM applications a JOIN connections c ON c.id = a.connection_id
                     WHERE ?1 IS NULL OR a.connection_id = ?1 ORDER BY c.name, a.remote_id",
                )?;
                let mut rows = stmt.query(params![cid])?;
                while let Some(r) = rows.next()? {
                    emit(serde_json::to_value(ApplicationOut {
                        connection: r.get(0)?,
                        remote_id: r.get(1)?,
                        talent_remote_id: r.get(2)?,
                        job_remote_id: r.get(3)?,
                        stage_remote_id: r.get(4)?,
                        stage_name: r.get(5)?,
                        status: r.get(6)?,
                        updated_at: r.get(7)?,
                    })?)?;
                }
            }
        }
        Ok(())
    }
}
