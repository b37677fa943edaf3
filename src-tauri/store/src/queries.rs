//! Read queries for the UI and the CLI: lists, full-text search, runs and the sync log.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;

use super::files::FILE_ORDER;
use super::{parse_ts, RunCounts, Store};
use model::error::{Error, Result};
use model::{JobRow, JobStatus, LogLevel, Resource, TalentRow, Trigger};

/// One line of the sync log.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct LogEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub connection: Option<String>,
    #[ts(type = "number | null")]
    pub run_id: Option<i64>,
    pub at: DateTime<Utc>,
    pub level: LogLevel,
    pub message: String,
    pub detail: Option<String>,
}

/// A sync run as the health view shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct RunSummary {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub connection_id: i64,
    pub kind: String,
    pub trigger: Trigger,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub state: String,
    #[ts(type = "number")]
    pub requests: i64,
    #[ts(type = "number")]
    pub rate_limited: i64,
    #[ts(type = "number")]
    pub created: i64,
    #[ts(type = "number")]
    pub updated: i64,
    #[ts(type = "number")]
    pub deleted: i64,
    #[ts(type = "number")]
    pub skipped: i64,
    pub error_code: Option<String>,
    pub error: Option<String>,
}

/// What one run did to one resource (jobs, talents, …).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct ResourceCounts {
    pub resource: Resource,
    #[serde(flatten)]
    #[ts(flatten)]
    pub counts: RunCounts,
}

/// A run for the sync log: its summary and its counts per resource, in the order the sync read them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct SyncRun {
    #[serde(flatten)]
    #[ts(flatten)]
    pub run: RunSummary,
    pub resources: Vec<ResourceCounts>,
}

/// Turns what a recruiter typed into an FTS5 query: every word must match (as a fragment).
/// Words are quoted so punctuation in emails (`@`, `.`, `-`) is taken literally; trigram
/// tokens need three characters, so shorter words are left to the LIKE fallback.
fn fts_query(q: &str) -> (String, Vec<String>) {
    let mut fts = Vec::new();
    let mut short = Vec::new();
    for w in q.split_whitespace() {
        if w.chars().count() >= 3 {
            fts.push(format!("\"{}\"", w.replace('"', "\"\"")));
        } else {
            short.push(w.to_string());
        }
    }
    (fts.join(" AND "), short)
}

fn like_pattern(w: &str) -> String {
    let escaped = w.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

impl Store {
    /// Jobs, newest first. Archived jobs are hidden unless asked for.
    pub fn list_jobs(&self, connection_id: Option<i64>, include_archived: bool) -> Result<Vec<JobRow>> {
        let mut stmt = self.db.prepare(
            "SELECT j.id, j.connection_id, c.name, j.remote_id, j.title, j.status, j.department, j.location, j.updated_at,
                    (SELECT COUNT(*) FROM applications a WHERE a.connection_id = j.connection_id
                        AND a.job_remote_id = j.remote_id AND a.status = 'active')
             FROM jobs j JOIN connections c ON c.id = j.connection_id
             WHERE (?1 IS NULL OR j.connection_id = ?1) AND (?2 OR j.status != 'archived')
             ORDER BY j.status = 'open' DESC, j.updated_at DESC",
        )?;
        let rows = stmt.query_map(params![connection_id, include_archived], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, i64>(9)?,
            ))
        })?;
        rows.map(|r| {
            let (id, connection_id, connection, remote_id, title, status, department, location, updated, active) = r?;
            Ok(JobRow {
                id,
                connection_id,
                connection,
                remote_id,
                title,
                status: JobStatus::parse(&status).ok_or_else(|| Error::Store(format!("bad job status {status:?}")))?,
                department,
                location,
                updated_at: parse_ts(&updated)?,
                active_applications: active,
            })
        })
        .collect()
    }

    /// Talents matching `query` (any fragment of a name, email, company, title, tag or resume),
    /// or all talents when `query` is blank; at most `limit`, by name. Records linked as the same
    /// person show as one row: the most recently updated of them (within `connection_id`, if
    /// given), found when any of them matches, with `linked_records` counting the others.
    pub fn search_talents(&self, connection_id: Option<i64>, query: &str, limit: u32) -> Result<Vec<TalentRow>> {
        let (fts, short) = fts_query(query);
        let mut sql = format!(
            "SELECT t.id, t.connection_id, c.name, t.remote_id, t.name, t.company, t.title, t.tags, t.updated_at,
                    (SELECT COUNT(*) FROM applications a WHERE a.connection_id = t.connection_id AND a.talent_remote_id = t.remote_id),
                    (SELECT json_group_array(email) FROM (SELECT email FROM talent_emails WHERE talent_id = t.id ORDER BY position)),
                    (SELECT json_group_array(phone) FROM (SELECT phone FROM talent_phones WHERE talent_id = t.id ORDER BY position)),
                    (SELECT json_group_array(json_object('id', f.id, 'filename', f.filename, 'kind', f.kind,
                              'size_bytes', f.size_bytes, 'downloaded', json(iif(f.local_path IS NULL, 'false', 'true')),
                              'error', f.download_error))
                       FROM (SELECT * FROM attachments WHERE connection_id = t.connection_id AND talent_remote_id = t.remote_id
                             ORDER BY {FILE_ORDER}) f),
                    (SELECT COUNT(*) FROM talent_links l JOIN talent_links o ON o.person_id = l.person_id AND o.talent_id != l.talent_id
                     WHERE l.talent_id = t.id)
             FROM (SELECT t.id FROM talents t WHERE (?1 IS NULL OR t.connection_id = ?1)"
        );
        let mut args: Vec<rusqlite::types::Value> = vec![connection_id.into()];
        // What `query` asks of a talent `x`, as SQL over the alias `x`.
        let mut conds: Vec<String> = Vec::new();
        if !fts.is_empty() {
            args.push(fts.into());
            conds.push(format!("x.id IN (SELECT rowid FROM talent_search WHERE talent_search MATCH ?{})", args.len()));
        }
        for w in short {
            args.push(like_pattern(&w).into());
            let n = args.len();
            conds.push(format!(
                "(x.name LIKE ?{n} ESCAPE '\\' OR EXISTS (SELECT 1 FROM talent_emails e WHERE e.talent_id = x.id AND e.email LIKE ?{n} ESCAPE '\\'))"
            ));
        }
        let matches = |alias: &str| {
            if conds.is_empty() {
                "1".to_string()
            } else {
                conds.join(" AND ").replace("x.", &format!("{alias}."))
            }
        };
        // An unlinked talent is listed when it matches (the plan of old: the full-text hits drive
        // the scan); a linked one is listed when it is its person's newest record and any record
        // of the person matches. Links are few, so the second set is small.
        sql.push_str(&format!(
            " AND (({t_matches} AND NOT EXISTS (SELECT 1 FROM talent_links l WHERE l.talent_id = t.id))
                   OR t.id IN (SELECT (SELECT m.id FROM talent_links lm JOIN talents m ON m.id = lm.talent_id
                                       WHERE lm.person_id = l.person_id AND (?1 IS NULL OR m.connection_id = ?1)
                                       ORDER BY m.updated_at DESC, m.id DESC LIMIT 1)
                               FROM talent_links l JOIN talents x ON x.id = l.talent_id
                               WHERE (?1 IS NULL OR x.connection_id = ?1) AND {x_matches}))",
            t_matches = matches("t"),
            x_matches = matches("x"),
        ));
        args.push((limit as i64).into());
        // The page is chosen on ids first: the columns above (contacts, files, counts) are then
        // computed for the rows shown only, not for every match before the sort. With no words,
        // the page is the name index's first rows; with words, the full-text hits drive the scan
        // and are sorted (`+` keeps the planner from walking the name index instead, which would
        // test every talent against a rare word's few hits).
        let order = if conds.is_empty() { "t.name" } else { "+t.name" };
        sql.push_str(&format!(
            " ORDER BY {order} COLLATE NOCASE, t.id LIMIT ?{}) page
             JOIN talents t ON t.id = page.id JOIN connections c ON c.id = t.connection_id
             ORDER BY t.name COLLATE NOCASE, t.id",
            args.len()
        ));
        // The text depends only on the query's shape (how many full-text and short words), so a
        // recruiter typing reuses the parsed and planned statement instead of preparing it anew.
        let mut stmt = self.db.prepare_cached(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
                r.get::<_, i64>(9)?,
                r.get::<_, String>(10)?,
                r.get::<_, String>(11)?,
                r.get::<_, String>(12)?,
                r.get::<_, i64>(13)?,
            ))
        })?;
        rows.map(|r| {
            let (
                id,
                connection_id,
                connection,
                remote_id,
                name,
                company,
                title,
                tags,
                updated,
                apps,
                emails,
                phones,
                files,
                linked,
            ) = r?;
            Ok(TalentRow {
                id,
                connection_id,
                connection,
                remote_id,
                name,
                emails: serde_json::from_str(&emails)?,
                phones: serde_json::from_str(&phones)?,
                company,
                title,
                tags: serde_json::from_str(&tags)?,
                updated_at: parse_ts(&updated)?,
                applications: apps,
                files: serde_json::from_str(&files)?,
                linked_records: linked,
            })
        })
        .collect()
    }

    /// How many rows of each resource a connection holds locally. Counting reads every row of
    /// the connection's indexes (50–70 ms of CPU at 100,000 talents) and the sidebar's status
    /// asks at start and whenever a run starts or ends, so the answer is kept until the database
    /// changes.
    pub fn counts(&self, connection_id: i64) -> Result<Vec<(&'static str, i64)>> {
        // Not inside a transaction: what it counted would outlive a rollback.
        let version = match self.db.is_autocommit() {
            true => Some((self.db.query_row("PRAGMA data_version", [], |r| r.get(0))?, self.db.total_changes())),
            false => None,
        };
        if let (Some(version), Some((at, counts))) = (version, self.counts.borrow().get(&connection_id)) {
            if *at == version {
                return Ok(counts.clone());
            }
        }
        let mut out = Vec::new();
        for (name, table) in [
            ("jobs", "jobs"),
            ("stages", "job_stages"),
            ("talents", "talents"),
            ("applications", "applications"),
            ("stage_history", "stage_history"),
            ("attachments", "attachments"),
        ] {
            let n: i64 = self.db.query_row(
                &format!("SELECT COUNT(*) FROM {table} WHERE connection_id = ?1"),
                [connection_id],
                |r| r.get(0),
            )?;
            out.push((name, n));
        }
        if let Some(version) = version {
            self.counts.borrow_mut().insert(connection_id, (version, out.clone()));
        }
        Ok(out)
    }

    /// The most recent runs of a connection, newest first, with their counts summed over resources.
    pub fn recent_runs(&self, connection_id: i64, limit: u32) -> Result<Vec<RunSummary>> {
        self.runs(Some(connection_id), limit)
    }

    /// The most recent runs of one connection or of all, newest first, each with its counts per
    /// resource: what the sync log's table shows for every run, not only each connection's latest.
    pub fn sync_runs(&self, connection_id: Option<i64>, limit: u32) -> Result<Vec<SyncRun>> {
        let runs = self.runs(connection_id, limit)?;
        let Some(oldest) = runs.last().map(|r| r.id) else { return Ok(Vec::new()) };
        let mut stmt = self.db.prepare(
            "SELECT x.run_id, x.resource, x.pages, x.created, x.updated, x.deleted, x.skipped
             FROM sync_run_resources x JOIN sync_runs r ON r.id = x.run_id
             WHERE x.run_id >= ?2 AND (?1 IS NULL OR r.connection_id = ?1) ORDER BY x.run_id, x.rowid",
        )?;
        let mut by_run: std::collections::HashMap<i64, Vec<ResourceCounts>> = std::collections::HashMap::new();
        let rows = stmt.query_map(params![connection_id, oldest], |r| {
            // Counts are stored as SQLite integers, never negative.
            let n = |i: usize| r.get::<_, i64>(i).map(|v| v.max(0) as u64);
            let counts = RunCounts { pages: n(2)?, created: n(3)?, updated: n(4)?, deleted: n(5)?, skipped: n(6)? };
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, counts))
        })?;
        for row in rows {
            let (run_id, resource, counts) = row?;
            let resource =
                Resource::parse(&resource).ok_or_else(|| Error::Store(format!("unknown resource {resource:?}")))?;
            by_run.entry(run_id).or_default().push(ResourceCounts { resource, counts });
        }
        Ok(runs.into_iter().map(|run| SyncRun { resources: by_run.remove(&run.id).unwrap_or_default(), run }).collect())
    }

    fn runs(&self, connection_id: Option<i64>, limit: u32) -> Result<Vec<RunSummary>> {
        let mut stmt = self.db.prepare(
            "SELECT r.id, r.connection_id, r.kind, r.trigger, r.started_at, r.finished_at, r.state, r.requests, r.rate_limited,
                    COALESCE(SUM(x.created), 0), COALESCE(SUM(x.updated), 0), COALESCE(SUM(x.deleted), 0),
                    COALESCE(SUM(x.skipped), 0), r.error_code, r.error
             FROM sync_runs r LEFT JOIN sync_run_resources x ON x.run_id = r.id
             WHERE (?1 IS NULL OR r.connection_id = ?1) GROUP BY r.id ORDER BY r.id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![connection_id, limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, i64>(8)?,
                [r.get::<_, i64>(9)?, r.get::<_, i64>(10)?, r.get::<_, i64>(11)?, r.get::<_, i64>(12)?],
                r.get::<_, Option<String>>(13)?,
                r.get::<_, Option<String>>(14)?,
            ))
        })?;
        rows.map(|r| {
            let (
                id,
                connection_id,
                kind,
                trigger,
                started,
                finished,
                state,
                requests,
                rate_limited,
                n,
                error_code,
                error,
            ) = r?;
            let trigger: String = trigger;
            let trigger =
                Trigger::parse(&trigger).ok_or_else(|| Error::Store(format!("unknown sync trigger {trigger:?}")))?;
            Ok(RunSummary {
                id,
                connection_id,
                kind,
                trigger,
                started_at: parse_ts(&started)?,
                finished_at: finished.as_deref().map(parse_ts).transpose()?,
                state,
                requests,
                rate_limited,
                created: n[0],
                updated: n[1],
                deleted: n[2],
                skipped: n[3],
                error_code,
                error,
            })
        })
        .collect()
    }

    /// The sync log, newest first.
    pub fn log_entries(&self, connection_id: Option<i64>, limit: u32) -> Result<Vec<LogEntry>> {
        let mut stmt = self.db.prepare(
            "SELECT l.id, c.name, l.run_id, l.at, l.level, l.message, l.detail
             FROM sync_log l LEFT JOIN connections c ON c.id = l.connection_id
             WHERE (?1 IS NULL OR l.connection_id = ?1) ORDER BY l.id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![connection_id, limit], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<i64>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })?;
        rows.map(|r| {
            let (id, connection, run_id, at, level, message, detail) = r?;
            let level = LogLevel::parse(&level).ok_or_else(|| Error::Store(format!("unknown log level {level:?}")))?;
            Ok(LogEntry { id, connection, run_id, at: parse_ts(&at)?, level, message, detail })
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NewConnection;
    use model::Provider;
    use rusqlite::Connection as Db;

    fn add_job(db: &Db, cid: i64, remote_id: &str) {
        db.execute(
            "INSERT INTO jobs (connection_id, remote_id, title, status, updated_at, synced_at)
             VALUES (?1, ?2, 'Engineer', 'open', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')",
            params![cid, remote_id],
        )
        .unwrap();
    }

    /// The jobs `s` counts for connection `cid`.
    fn jobs_of(s: &Store, cid: i64) -> i64 {
        s.counts(cid).unwrap().into_iter().find(|(r, _)| *r == "jobs").unwrap().1
    }

    /// A store with one connection, written through `writer` and read through `reader`.
    fn writer_and_reader() -> (tempfile::TempDir, Store, Store, i64) {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = Store::open(&dir.path().join("t.sqlite3")).unwrap();
        let new = NewConnection {
            name: "Acme".into(),
            provider: Provider::Greenhouse,
            base_url: "http://127.0.0.1:1".into(),
            auth_url: None,
            settings: Default::default(),
            sandbox: false,
        };
        let cid = writer.create_connection(&new, Utc::now()).unwrap().id;
        let reader = Store::open_reader(writer.path()).unwrap();
        (dir, writer, reader, cid)
    }

    #[test]
    fn counts_kept_between_calls_follow_every_commit_of_this_connection_and_of_another() {
        let (_dir, mut writer, reader, cid) = writer_and_reader();
        let jobs = |s: &Store| jobs_of(s, cid);
        assert_eq!((jobs(&writer), jobs(&reader)), (0, 0));
        add_job(&writer.db, cid, "1");
        assert_eq!((jobs(&writer), jobs(&reader)), (1, 1), "the writer's own commit and the reader's view of it");
        assert_eq!(jobs(&reader), 1, "asked again, unchanged");
        // Another connection's commit (as a second process would), seen by both.
        let other = Db::open(writer.path()).unwrap();
        add_job(&other, cid, "2");
        assert_eq!((jobs(&writer), jobs(&reader)), (2, 2));
        // Counted inside a transaction that rolls back: nothing of it is kept.
        let failed = writer.in_transaction(|s| {
            add_job(&s.db, cid, "3");
            assert_eq!(jobs(s), 3);
            Err::<(), _>(Error::Internal("rolled back".into()))
        });
        assert!(failed.is_err());
        assert_eq!((jobs(&writer), jobs(&reader)), (2, 2));
    }

    #[test]
    fn a_mapped_reader_sees_every_commit_through_checkpoints_and_after_it_unmaps() {
        let (_dir, writer, reader, cid) = writer_and_reader();
        let jobs = |s: &Store| jobs_of(s, cid);
        add_job(&writer.db, cid, "1");
        assert_eq!(jobs(&reader), 1);
        reader.map_file(true).unwrap();
        add_job(&writer.db, cid, "2");
        assert_eq!(jobs(&reader), 2, "a commit still in the WAL");
        writer.db.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())).unwrap();
        assert_eq!(jobs(&reader), 2, "the same rows, now in the mapped file");
        add_job(&writer.db, cid, "3");
        assert_eq!(jobs(&reader), 3);
        reader.map_file(false).unwrap();
        add_job(&writer.db, cid, "4");
        assert_eq!(jobs(&reader), 4, "unmapped, read through the page cache again");
    }
}
