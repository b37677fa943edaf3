//! Writing synced records: idempotent upserts, deletions and the per-page checkpoint, all in
//! one transaction so a crash between pages never leaves half a page or a cursor ahead of data.

use chrono::{DateTime, Utc};
use rusqlite::{params, CachedStatement, Connection, OptionalExtension, Statement};

use super::{duplicates, sync_state, ts, Cursor, Store};
use model::error::{Error, Result};
use model::{Application, Attachment, Batch, Deletion, Job, JobDetails, Resource, Stage, StageChange, Talent};

/// What a batch changed. `updated` counts only records whose content actually changed, so an
/// overlap window that re-reads unchanged records shows as zero updates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchCounts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub deleted: u64,
    /// Deletions held back because the record has local changes not yet pushed (flagged instead).
    pub flagged: u64,
    /// Talents whose duplicate-match keys were recomputed (created or changed ones only).
    pub rekeyed: u64,
}

impl BatchCounts {
    pub fn add(&mut self, o: BatchCounts) {
        self.created += o.created;
        self.updated += o.updated;
        self.unchanged += o.unchanged;
        self.deleted += o.deleted;
        self.flagged += o.flagged;
        self.rekeyed += o.rekeyed;
    }
}

enum Upsert {
    Created,
    /// The record's row changed (and took the write's `synced_at`).
    Updated,
    /// Only a talent's e-mails or phones changed: its row, `synced_at` included, is as it was.
    ListsUpdated,
    Unchanged,
}

fn tally(c: &mut BatchCounts, u: Upsert) {
    match u {
        Upsert::Created => c.created += 1,
        Upsert::Updated | Upsert::ListsUpdated => c.updated += 1,
        Upsert::Unchanged => c.unchanged += 1,
    }
}

/// The remote ids of one resource's records a batch created or changed, in the batch's order:
/// their rows' `synced_at` is the write's own time.
struct Stamped<'b> {
    resource: Option<Resource>,
    ids: Vec<&'b str>,
}

impl<'b> Stamped<'b> {
    fn of(resource: Option<Resource>) -> Stamped<'b> {
        Stamped { resource, ids: Vec::new() }
    }

    /// [`tally`], keeping `id` if the record is of the resource followed and its row was written.
    fn tally(&mut self, c: &mut BatchCounts, resource: Resource, id: &'b str, u: Upsert) {
        if self.resource == Some(resource) && matches!(u, Upsert::Created | Upsert::Updated) {
            self.ids.push(id);
        }
        tally(c, u);
    }

    /// The ids of `listed` not stamped. A page lists its records in the order its batch holds
    /// them (minus those skipped as malformed), so one walk matches the two lists; an id found
    /// out of that order is only marked again, which is harmless.
    fn others<'l>(&self, listed: &'l [String]) -> Vec<&'l str> {
        let mut stamped = self.ids.iter().peekable();
        listed
            .iter()
            .map(String::as_str)
            .filter(|id| {
                let written = stamped.peek().is_some_and(|s| *s == id);
                if written {
                    stamped.next();
                }
                !written
            })
            .collect()
    }
}

/// Everything one page of a pass writes, in one transaction.
#[derive(Debug)]
pub struct PageWrite<'a> {
    pub batch: &'a Batch,
    /// The resource the pass is over and the remote ids the page listed: marked as seen at
    /// `seen_at`, so a complete full pass can tell which local records the ATS no longer has.
    pub listed: Option<(Resource, &'a [String])>,
    pub seen_at: DateTime<Utc>,
    /// The checkpoint that makes the pass resumable after this page.
    pub cursor: &'a Cursor,
    /// Set on the last page of a complete full pass: remove local records of the resource that
    /// were not seen during the pass (deleted in the ATS).
    pub prune: bool,
}

impl Store {
    /// Runs `f` in one transaction, committed if `f` succeeds and rolled back otherwise. The
    /// sync writer stores every page already queued in one commit: a commit's WAL write and the
    /// search index's per-commit segment (and the merges it sets off) cost more than a page's
    /// rows. Each page still lands whole, with its checkpoint, or not at all.
    pub fn in_transaction<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        self.db.execute_batch("BEGIN IMMEDIATE")?;
        // A panic must not leave the transaction open for whoever takes the store next (its
        // writes would never be committed): roll back, then let the panic go on.
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(self)));
        let done = match done {
            Ok(done) => done.and_then(|v| {
                std::mem::take(&mut self.search_due).write(&self.db)?;
                self.db.execute_batch("COMMIT")?;
                Ok(v)
            }),
            Err(panic) => {
                self.rollback();
                std::panic::resume_unwind(panic)
            }
        };
        if done.is_err() {
            self.rollback();
        }
        done
    }

    /// Best effort: the error (or panic) that got us here is the one worth reporting.
    fn rollback(&mut self) {
        self.search_due = Default::default();
        if !self.db.is_autocommit() {
            let _ = self.db.execute_batch("ROLLBACK");
        }
    }

    /// The connection, for writes that belong to the caller's [`Store::in_transaction`]: a page
    /// and its checkpoint are only atomic inside one.
    fn joined(&self) -> Result<&Connection> {
        if self.db.is_autocommit() {
            return Err(Error::Internal("sync pages are written inside a transaction".into()));
        }
        Ok(&self.db)
    }

    /// Writes one page of a pass: records, seen marks, deletions and checkpoint. Inside
    /// [`Store::in_transaction`].
    pub fn write_page(&mut self, cid: i64, w: &PageWrite<'_>, now: DateTime<Utc>) -> Result<BatchCounts> {
        self.joined()?;
        let tx = &self.db;
        let mut stamped = Stamped::of(w.listed.map(|(resource, _)| resource));
        let mut counts = write_records(tx, cid, w.batch, now, &mut self.search_due, &mut stamped)?;
        if let Some((resource, ids)) = w.listed {
            if let Some(table) = table_of(resource) {
                let seen = ts(&w.seen_at);
                // A record the page just created or changed is stamped `now`, no older than the
                // pass: only the others are marked (every record of a first full sync was a
                // lookup for nothing, 5 % of its instructions). Unless the clock went back.
                let unstamped =
                    if now < w.seen_at { ids.iter().map(String::as_str).collect() } else { stamped.others(ids) };
                if !unstamped.is_empty() {
                    tx.prepare_cached(&format!(
                        "UPDATE {table} SET synced_at = ?1 WHERE connection_id = ?2
                           AND synced_at < ?1 AND remote_id IN (SELECT value FROM json_each(?3))"
                    ))?
                    .execute(params![seen, cid, serde_json::to_string(&unstamped)?])?;
                }
                if w.prune {
                    let stale: Vec<String> = tx
                        .prepare(&format!("SELECT remote_id FROM {table} WHERE connection_id = ?1 AND synced_at < ?2"))?
                        .query_map(params![cid, seen], |r| r.get(0))?
                        .collect::<rusqlite::Result<_>>()?;
                    for remote_id in stale {
                        match delete_record(
                            tx,
                            cid,
                            &Deletion { resource, remote_id },
                            &ts(&now),
                            &mut self.search_due,
                        )? {
                            Removal::Deleted => counts.deleted += 1,
                            Removal::Flagged => counts.flagged += 1,
                            Removal::Absent => {}
                        }
                    }
                }
            }
        }
        sync_state::save_cursor_tx(tx, cid, w.cursor, now)?;
        Ok(counts)
    }

    /// Removes talents that no application refers to any more (Lever: a person exists only
    /// through their opportunities). Returns how many went. Inside [`Store::in_transaction`].
    pub fn prune_talents_without_applications(&mut self, cid: i64, now: DateTime<Utc>) -> Result<u64> {
        self.joined()?;
        let tx = &self.db;
        let orphans: Vec<String> = tx
            .prepare(
                "SELECT remote_id FROM talents t WHERE connection_id = ?1 AND NOT EXISTS
                   (SELECT 1 FROM applications a WHERE a.connection_id = ?1 AND a.talent_remote_id = t.remote_id)",
            )?
            .query_map([cid], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut n = 0;
        for remote_id in orphans {
            if let Removal::Deleted = delete_record(
                tx,
                cid,
                &Deletion { resource: Resource::Talents, remote_id },
                &ts(&now),
                &mut self.search_due,
            )? {
                n += 1;
            }
        }
        Ok(n)
    }

    /// Writes `batch` for connection `cid` and, in the same transaction, the checkpoint `cursor`
    /// (if any). Either all of it lands or none of it.
    pub fn write_batch(
        &mut self,
        cid: i64,
        batch: &Batch,
        cursor: Option<&Cursor>,
        now: DateTime<Utc>,
    ) -> Result<BatchCounts> {
        let tx = self.db.transaction()?;
        let counts = write_batch_tx(&tx, cid, batch, now)?;
        if let Some(c) = cursor {
            sync_state::save_cursor_tx(&tx, cid, c, now)?;
        }
        tx.commit()?;
        Ok(counts)
    }
}

/// Writes `b` inside the caller's transaction, search rows included.
pub(super) fn write_batch_tx(tx: &Connection, cid: i64, b: &Batch, now: DateTime<Utc>) -> Result<BatchCounts> {
    let mut search = SearchRows::default();
    let counts = write_records(tx, cid, b, now, &mut search, &mut Stamped::of(None))?;
    search.write(tx)?;
    Ok(counts)
}

/// Writes `b`, leaving the search rows of its talents to `search`.
fn write_records<'b>(
    tx: &Connection,
    cid: i64,
    b: &'b Batch,
    now: DateTime<Utc>,
    search: &mut SearchRows,
    stamped: &mut Stamped<'b>,
) -> Result<BatchCounts> {
    let now = ts(&now);
    let mut c = BatchCounts::default();
    for j in &b.jobs {
        stamped.tally(&mut c, Resource::Jobs, &j.remote_id, upsert_job(tx, cid, j, &now)?);
    }
    for (job, details) in &b.job_details {
        // A job whose details changed is an updated job; one not stored (yet) has nowhere to go.
        if set_job_details(tx, cid, job, details)? {
            c.updated += 1;
        }
    }
    let mut stages = Upserter::new(tx, STAGE_INSERT, STAGE_UPDATE);
    for s in &b.stages {
        stamped.tally(&mut c, Resource::Stages, &s.remote_id, upsert_stage(&mut stages, cid, s, &now)?);
    }
    let mut talents = TalentWriter::new(tx);
    for t in &b.talents {
        let u = upsert_talent(&mut talents, cid, t, &now, search)?;
        if !matches!(u, Upsert::Unchanged) {
            c.rekeyed += 1;
        }
        stamped.tally(&mut c, Resource::Talents, &t.remote_id, u);
    }
    let mut applications = Upserter::new(tx, APPLICATION_INSERT, APPLICATION_UPDATE);
    for a in &b.applications {
        stamped.tally(
            &mut c,
            Resource::Applications,
            &a.remote_id,
            upsert_application(&mut applications, cid, a, &now)?,
        );
    }
    let mut history = Upserter::new(tx, STAGE_CHANGE_INSERT, STAGE_CHANGE_UPDATE);
    for h in &b.stage_history {
        tally(&mut c, upsert_stage_change(&mut history, cid, h)?);
    }
    let mut attachments = Upserter::new(tx, ATTACHMENT_INSERT, ATTACHMENT_UPDATE);
    for a in &b.attachments {
        stamped.tally(&mut c, Resource::Attachments, &a.remote_id, upsert_attachment(&mut attachments, cid, a, &now)?);
    }
    for talent in &b.files_of_talents {
        let kept: Vec<&str> =
            b.attachments.iter().filter(|a| &a.talent_remote_id == talent).map(|a| a.remote_id.as_str()).collect();
        c.deleted += tx
            .prepare_cached(
                "DELETE FROM attachments WHERE connection_id = ?1 AND talent_remote_id = ?2
                   AND remote_id NOT IN (SELECT value FROM json_each(?3))",
            )?
            .execute(params![cid, talent, serde_json::to_string(&kept)?])? as u64;
    }
    for d in &b.deletions {
        match delete_record(tx, cid, d, &now, search)? {
            Removal::Deleted => c.deleted += 1,
            Removal::Flagged => c.flagged += 1,
            Removal::Absent => {}
        }
    }
    Ok(c)
}

fn table_of(resource: Resource) -> Option<&'static str> {
    match resource {
        Resource::Jobs => Some("jobs"),
        Resource::Stages => Some("job_stages"),
        Resource::Talents => Some("talents"),
        Resource::Applications => Some("applications"),
        Resource::Attachments => Some("attachments"),
        Resource::StageHistory => None, // history rows have no remote id of their own
    }
}

/// A record type's two statements, prepared once for all of a page's records of that type:
/// taken from the statement cache for each record, a statement cost a hash of its SQL text and
/// a reset on the way back (0.9 G of a 100,000-talent full sync's 50 G instructions).
struct Upserter<'c> {
    tx: &'c Connection,
    insert_sql: &'c str,
    update_sql: &'c str,
    insert: Option<CachedStatement<'c>>,
    update: Option<CachedStatement<'c>>,
}

impl<'c> Upserter<'c> {
    /// `insert` adds a new record and does nothing to a stored one; `update` changes a stored
    /// record only where its content differs. Nothing is prepared before a record needs it.
    fn new(tx: &'c Connection, insert: &'c str, update: &'c str) -> Upserter<'c> {
        Upserter { tx, insert_sql: insert, update_sql: update, insert: None, update: None }
    }

    /// Whether the record was new (and is now inserted).
    fn insert(&mut self, params: &[&dyn rusqlite::ToSql]) -> Result<bool> {
        Ok(prepared(self.tx, &mut self.insert, self.insert_sql)?.execute(params)? > 0)
    }

    /// Whether a stored record's content changed.
    fn update(&mut self, params: &[&dyn rusqlite::ToSql]) -> Result<bool> {
        Ok(prepared(self.tx, &mut self.update, self.update_sql)?.execute(params)? > 0)
    }

    /// Inserts a record, or else updates it if its content differs. The plain insert goes
    /// first: a new record (every record of a first sync) costs one statement, with no lookup
    /// before it.
    fn run(&mut self, params: &[&dyn rusqlite::ToSql]) -> Result<Upsert> {
        if self.insert(params)? {
            return Ok(Upsert::Created);
        }
        Ok(if self.update(params)? { Upsert::Updated } else { Upsert::Unchanged })
    }
}

/// The statement held in `slot`, taken from the cache when first needed.
fn prepared<'s, 'c>(
    tx: &'c Connection,
    slot: &'s mut Option<CachedStatement<'c>>,
    sql: &str,
) -> Result<&'s mut CachedStatement<'c>> {
    Ok(match slot {
        Some(st) => st,
        None => slot.insert(tx.prepare_cached(sql)?),
    })
}

fn upsert_job(tx: &Connection, cid: i64, j: &Job, now: &str) -> Result<Upsert> {
    let details = j.details.as_ref();
    let description = details.and_then(|d| d.description_html.as_deref()).map(sanitize_html);
    let params = params![
        cid,
        j.remote_id,
        j.title,
        j.status.as_str(),
        j.department,
        j.location,
        ts(&j.updated_at),
        j.extra.as_str(),
        now,
        description,
        details.and_then(|d| d.compensation.as_deref())
    ];
    const INSERT: &str = "INSERT INTO jobs (connection_id, remote_id, title, status, department, location, updated_at,
                           extra, synced_at, description_html, compensation)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
    let insert = format!("{INSERT} ON CONFLICT (connection_id, remote_id) DO NOTHING");
    let update = match details {
        // The details are known: they are part of the record.
        Some(_) => format!(
            "{INSERT} ON CONFLICT (connection_id, remote_id) DO UPDATE SET
               title = excluded.title, status = excluded.status, department = excluded.department,
               location = excluded.location, updated_at = excluded.updated_at, extra = excluded.extra,
               synced_at = excluded.synced_at, description_html = excluded.description_html,
               compensation = excluded.compensation
             WHERE (jobs.title, jobs.status, jobs.department, jobs.location, jobs.updated_at, jobs.extra,
                    jobs.description_html, jobs.compensation)
                IS NOT (excluded.title, excluded.status, excluded.department, excluded.location, excluded.updated_at,
                        excluded.extra, excluded.description_html, excluded.compensation)"
        ),
        // Read apart (Greenhouse posts) or not readable this time: the stored ones stay.
        None => format!(
            "{INSERT} ON CONFLICT (connection_id, remote_id) DO UPDATE SET
               title = excluded.title, status = excluded.status, department = excluded.department,
               location = excluded.location, updated_at = excluded.updated_at, extra = excluded.extra,
               synced_at = excluded.synced_at
             WHERE (jobs.title, jobs.status, jobs.department, jobs.location, jobs.updated_at, jobs.extra)
                IS NOT (excluded.title, excluded.status, excluded.department, excluded.location, excluded.updated_at,
                        excluded.extra)"
        ),
    };
    let mut job = Upserter::new(tx, &insert, &update);
    job.run(params)
}

/// Sets the details of a stored job, nothing else of it; `true` if they changed.
fn set_job_details(tx: &Connection, cid: i64, job: &str, d: &JobDetails) -> Result<bool> {
    let description = d.description_html.as_deref().map(sanitize_html);
    let changed = tx
        .prepare_cached(
            "UPDATE jobs SET description_html = ?3, compensation = ?4
              WHERE connection_id = ?1 AND remote_id = ?2 AND (description_html, compensation) IS NOT (?3, ?4)",
        )?
        .execute(params![cid, job, description, d.compensation])?;
    Ok(changed > 0)
}

/// A job description as the window may render it: the ATS's HTML reduced to text structure
/// (paragraphs, headings, lists, emphasis). Scripts and styles go with their content; every
/// attribute goes (event handlers, inline CSS, classes); links keep their text but lose their
/// target, so nothing in a description can navigate the window or load anything. Done here,
/// where every synced record is written, so no path to the webview skips it.
pub fn sanitize_html(html: &str) -> String {
    static CLEANER: std::sync::LazyLock<ammonia::Builder<'static>> = std::sync::LazyLock::new(|| {
        let mut b = ammonia::Builder::empty();
        b.add_tags([
            "p",
            "br",
            "div",
            "span",
            "ul",
            "ol",
            "li",
            "b",
            "strong",
            "i",
            "em",
            "u",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "blockquote",
            "a",
            "hr",
        ])
        .add_clean_content_tags(["script", "style"])
        // Spelled out rather than trusting `empty()`'s defaults: no attribute on any tag, no
        // URL scheme, no rel added to the bare links left.
        .tag_attributes(std::collections::HashMap::new())
        .generic_attributes(std::collections::HashSet::new())
        .url_schemes(std::collections::HashSet::new())
        .link_rel(None);
        b
    });
    CLEANER.clean(html).to_string()
}

const STAGE_INSERT: &str =
    "INSERT INTO job_stages (connection_id, remote_id, job_remote_id, name, position, synced_at, ats_type)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (connection_id, remote_id) DO NOTHING";
const STAGE_UPDATE: &str =
    "INSERT INTO job_stages (connection_id, remote_id, job_remote_id, name, position, synced_at, ats_type)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (connection_id, remote_id) DO UPDATE SET
               job_remote_id = excluded.job_remote_id, name = excluded.name, position = excluded.position,
               synced_at = excluded.synced_at, ats_type = excluded.ats_type
             WHERE (job_stages.job_remote_id, job_stages.name, job_stages.position, job_stages.ats_type)
                IS NOT (excluded.job_remote_id, excluded.name, excluded.position, excluded.ats_type)";

fn upsert_stage(up: &mut Upserter<'_>, cid: i64, s: &Stage, now: &str) -> Result<Upsert> {
    let params = params![cid, s.remote_id, s.job_remote_id, s.name, s.position, now, s.ats_type];
    up.run(params)
}

/// The talents whose search rows a transaction writes, all just before it commits: changed
/// ones in one statement, new ones in single-row inserts (which need no statement journal).
/// FTS5 writes the terms it holds to a new segment of its index whenever a statement that may
/// need a partial rollback starts (nearly every other write here does), and merges segments as
/// they pile up: rows written as their talents came made a segment every few talents, and
/// flushing and merging them was a tenth of a full sync's CPU.
#[derive(Default)]
pub(super) struct SearchRows {
    /// Changed talents: their rows are removed, then written again from what is stored.
    stale: Vec<i64>,
    /// New talents' rows, in the order they were created (so in id order), from the talent as
    /// it was written: reading it back (its e-mails joined, its tags out of their JSON) cost
    /// more than indexing some of it. A new talent has no resume text yet (the file step reads
    /// it later, and its change rewrites the row).
    fresh: Vec<FreshRow>,
}

/// A new talent's search row: id, name, e-mails, company, title and tags, as `index_talents`
/// would read them from the store (lists joined by spaces, in order; absent ones empty).
struct FreshRow(i64, String, String, String, String, String);

impl SearchRows {
    fn created(&mut self, id: i64, t: &Talent) {
        self.fresh.push(FreshRow(
            id,
            t.name.clone(),
            t.emails.join(" "),
            t.company.clone().unwrap_or_default(),
            t.title.clone().unwrap_or_default(),
            t.tags.join(" "),
        ));
    }

    /// A talent deleted in this transaction: a new one's row is not written (and its id may go
    /// to the next talent created). `fresh` stays in id order: a talent created later takes a
    /// higher id, or the highest one just freed.
    fn deleted(&mut self, id: i64) {
        if let Ok(i) = self.fresh.binary_search_by_key(&id, |r| r.0) {
            self.fresh.remove(i);
        }
    }

    fn write(mut self, tx: &Connection) -> Result<()> {
        if !self.stale.is_empty() {
            let ids = serde_json::to_string(&self.stale)?;
            tx.prepare_cached("DELETE FROM talent_search WHERE rowid IN (SELECT value FROM json_each(?1))")?
                .execute([&ids])?;
            index_talents(tx, &ids)?;
            // A talent created and then changed in this transaction is written from the store.
            self.stale.sort_unstable();
            self.fresh.retain(|r| self.stale.binary_search(&r.0).is_err());
        }
        if !self.fresh.is_empty() {
            let mut insert = tx.prepare_cached(
                "INSERT INTO talent_search (rowid, name, emails, company, title, tags, resume)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, '')",
            )?;
            for FreshRow(id, name, emails, company, title, tags) in &self.fresh {
                insert.execute(params![id, name, emails, company, title, tags])?;
            }
        }
        Ok(())
    }
}

const TALENT_INSERT: &str = "INSERT INTO talents (connection_id, remote_id, name, first_name, last_name, company, title, tags, updated_at, extra, synced_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (connection_id, remote_id) DO NOTHING";
const TALENT_UPDATE: &str = "INSERT INTO talents (connection_id, remote_id, name, first_name, last_name, company, title, tags, updated_at, extra, synced_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT (connection_id, remote_id) DO UPDATE SET
               name = excluded.name, first_name = excluded.first_name, last_name = excluded.last_name,
               company = excluded.company, title = excluded.title, tags = excluded.tags,
               updated_at = excluded.updated_at, extra = excluded.extra, synced_at = excluded.synced_at,
               remote_deleted_at = NULL
             WHERE (talents.name, talents.first_name, talents.last_name, talents.company, talents.title,
                    talents.tags, talents.updated_at, talents.extra, talents.remote_deleted_at)
                IS NOT (excluded.name, excluded.first_name, excluded.last_name, excluded.company, excluded.title,
                    excluded.tags, excluded.updated_at, excluded.extra, NULL)";

/// A page's talents' statements: the talent's own (an [`Upserter`]) and the inserts of its
/// e-mails, phones and match keys, each taken from the cache once per page, as for the other
/// records (0.5 G of a 100,000-talent sync's 42 G instructions, with the SQL formatted for each).
struct TalentWriter<'c> {
    tx: &'c Connection,
    talent: Upserter<'c>,
    emails: Option<CachedStatement<'c>>,
    phones: Option<CachedStatement<'c>>,
    keys: Option<CachedStatement<'c>>,
}

const EMAIL_INSERT: &str = "INSERT INTO talent_emails (talent_id, position, email) VALUES (?1, ?2, ?3)";
const PHONE_INSERT: &str = "INSERT INTO talent_phones (talent_id, position, phone) VALUES (?1, ?2, ?3)";

impl<'c> TalentWriter<'c> {
    fn new(tx: &'c Connection) -> TalentWriter<'c> {
        let talent = Upserter::new(tx, TALENT_INSERT, TALENT_UPDATE);
        TalentWriter { tx, talent, emails: None, phones: None, keys: None }
    }
}

fn upsert_talent(w: &mut TalentWriter<'_>, cid: i64, t: &Talent, now: &str, search: &mut SearchRows) -> Result<Upsert> {
    let tags = serde_json::to_string(&t.tags)?;
    let updated_at = ts(&t.updated_at);
    let params = params![
        cid,
        t.remote_id,
        t.name,
        t.first_name,
        t.last_name,
        t.company,
        t.title,
        tags,
        updated_at,
        t.extra.as_str(),
        now
    ];
    let tx = w.tx;
    if w.talent.insert(params)? {
        // A new talent: it has no contacts and no search row yet, so nothing to compare or remove.
        let id = tx.last_insert_rowid();
        insert_list(prepared(tx, &mut w.emails, EMAIL_INSERT)?, id, &t.emails)?;
        insert_list(prepared(tx, &mut w.phones, PHONE_INSERT)?, id, &t.phones)?;
        search.created(id, t);
        duplicates::rekey(tx, prepared(tx, &mut w.keys, duplicates::KEY_INSERT)?, id, t, true)?;
        return Ok(Upsert::Created);
    }
    let changed = w.talent.update(params)?;
    let id: i64 = tx
        .prepare_cached("SELECT id FROM talents WHERE connection_id = ?1 AND remote_id = ?2")?
        .query_row(params![cid, t.remote_id], |r| r.get(0))?;
    let contacts_changed =
        replace_list(tx, prepared(tx, &mut w.emails, EMAIL_INSERT)?, "talent_emails", "email", id, &t.emails)?
            | replace_list(tx, prepared(tx, &mut w.phones, PHONE_INSERT)?, "talent_phones", "phone", id, &t.phones)?;
    if changed || contacts_changed {
        search.stale.push(id);
        // Keys follow the talent in the same transaction: only a created or changed talent is
        // rekeyed, so an incremental sync pays for what it changed (see duplicates.rs).
        duplicates::rekey(tx, prepared(tx, &mut w.keys, duplicates::KEY_INSERT)?, id, t, false)?;
        return Ok(if changed { Upsert::Updated } else { Upsert::ListsUpdated });
    }
    Ok(Upsert::Unchanged)
}

/// Replaces a talent's emails or phones if they differ; returns whether they did. `insert` is
/// the list's insert statement.
fn replace_list(
    tx: &Connection,
    insert: &mut Statement<'_>,
    table: &str,
    col: &str,
    talent_id: i64,
    values: &[String],
) -> Result<bool> {
    let current: Vec<String> = tx
        .prepare_cached(&format!("SELECT {col} FROM {table} WHERE talent_id = ?1 ORDER BY position"))?
        .query_map([talent_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    if current == values {
        return Ok(false);
    }
    tx.prepare_cached(&format!("DELETE FROM {table} WHERE talent_id = ?1"))?.execute([talent_id])?;
    insert_list(insert, talent_id, values)?;
    Ok(true)
}

/// One statement per row, on purpose: a multi-row insert into a table with a foreign key runs
/// with a statement journal, which copies every page the statement changes (16 KiB each) to a
/// temporary file. Done for contacts and match keys, it cut 0.9 G instructions of a
/// 100,000-talent sync and added 1.6 s of system time (a million page writes).
fn insert_list(insert: &mut Statement<'_>, talent_id: i64, values: &[String]) -> Result<()> {
    for (i, v) in values.iter().enumerate() {
        insert.execute(params![talent_id, i as i64, v])?;
    }
    Ok(())
}

/// Writes the search rows of the stored talents whose ids `ids` (a JSON array) lists, in rowid
/// order: FTS5 also starts a new segment when a row comes before the last one it was given.
fn index_talents(tx: &Connection, ids: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO talent_search (rowid, name, emails, company, title, tags, resume)
         SELECT t.id, t.name,
                COALESCE((SELECT group_concat(email, ' ') FROM talent_emails e WHERE e.talent_id = t.id), ''),
                COALESCE(t.company, ''), COALESCE(t.title, ''),
                COALESCE((SELECT group_concat(value, ' ') FROM json_each(t.tags)), ''),
                COALESCE(t.resume_text, '')
         FROM talents t WHERE t.id IN (SELECT value FROM json_each(?1)) ORDER BY t.id",
    )?
    .execute([ids])?;
    Ok(())
}

const APPLICATION_INSERT: &str =
    "INSERT INTO applications (connection_id, remote_id, talent_remote_id, job_remote_id, stage_remote_id,
                                       stage_name, status, updated_at, extra, synced_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (connection_id, remote_id) DO NOTHING";
const APPLICATION_UPDATE: &str =
    "INSERT INTO applications (connection_id, remote_id, talent_remote_id, job_remote_id, stage_remote_id,
                                       stage_name, status, updated_at, extra, synced_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (connection_id, remote_id) DO UPDATE SET
               talent_remote_id = excluded.talent_remote_id, job_remote_id = excluded.job_remote_id,
               stage_remote_id = excluded.stage_remote_id, stage_name = excluded.stage_name,
               status = excluded.status, updated_at = excluded.updated_at, extra = excluded.extra,
               synced_at = excluded.synced_at, remote_deleted_at = NULL
             WHERE (applications.talent_remote_id, applications.job_remote_id, applications.stage_remote_id,
                    applications.stage_name, applications.status, applications.updated_at, applications.extra,
                    applications.remote_deleted_at)
                IS NOT (excluded.talent_remote_id, excluded.job_remote_id, excluded.stage_remote_id,
                    excluded.stage_name, excluded.status, excluded.updated_at, excluded.extra, NULL)";

fn upsert_application(up: &mut Upserter<'_>, cid: i64, a: &Application, now: &str) -> Result<Upsert> {
    let params = params![
        cid,
        a.remote_id,
        a.talent_remote_id,
        a.job_remote_id,
        a.stage_remote_id,
        a.stage_name,
        a.status.as_str(),
        ts(&a.updated_at),
        a.extra.as_str(),
        now
    ];
    up.run(params)
}

const STAGE_CHANGE_INSERT: &str = "INSERT INTO stage_history (connection_id, application_remote_id, stage_remote_id, stage_name, entered_at, exited_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (connection_id, application_remote_id, stage_remote_id, entered_at) DO NOTHING";
const STAGE_CHANGE_UPDATE: &str = "INSERT INTO stage_history (connection_id, application_remote_id, stage_remote_id, stage_name, entered_at, exited_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (connection_id, application_remote_id, stage_remote_id, entered_at) DO UPDATE SET
               stage_name = excluded.stage_name, exited_at = excluded.exited_at
             WHERE (stage_history.stage_name, stage_history.exited_at) IS NOT (excluded.stage_name, excluded.exited_at)";

fn upsert_stage_change(up: &mut Upserter<'_>, cid: i64, h: &StageChange) -> Result<Upsert> {
    let entered = ts(&h.entered_at);
    let exited = h.exited_at.as_ref().map(ts);
    let params = params![cid, h.application_remote_id, h.stage_remote_id, h.stage_name, entered, exited];
    up.run(params)
}

const ATTACHMENT_INSERT: &str =
    "INSERT INTO attachments (connection_id, remote_id, talent_remote_id, application_remote_id, filename, kind, url,
                                      updated_at, synced_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (connection_id, remote_id) DO NOTHING";
const ATTACHMENT_UPDATE: &str = "INSERT INTO attachments (connection_id, remote_id, talent_remote_id, application_remote_id, filename, kind, url,
                                      updated_at, synced_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (connection_id, remote_id) DO UPDATE SET
               talent_remote_id = excluded.talent_remote_id, application_remote_id = excluded.application_remote_id,
               filename = excluded.filename, kind = excluded.kind, url = excluded.url,
               updated_at = excluded.updated_at, synced_at = excluded.synced_at,
               -- A new version of the file (not merely a freshly signed link) is fetched again.
               local_path = CASE WHEN (attachments.filename, attachments.updated_at) IS (excluded.filename, excluded.updated_at)
                                 THEN attachments.local_path END,
               size_bytes = CASE WHEN (attachments.filename, attachments.updated_at) IS (excluded.filename, excluded.updated_at)
                                 THEN attachments.size_bytes END,
               downloaded_at = CASE WHEN (attachments.filename, attachments.updated_at) IS (excluded.filename, excluded.updated_at)
                                 THEN attachments.downloaded_at END,
               download_error = CASE WHEN (attachments.filename, attachments.updated_at) IS (excluded.filename, excluded.updated_at)
                                 THEN attachments.download_error END
             WHERE (attachments.talent_remote_id, attachments.application_remote_id, attachments.filename,
                    attachments.kind, attachments.url, attachments.updated_at)
                IS NOT (excluded.talent_remote_id, excluded.application_remote_id, excluded.filename,
                    excluded.kind, excluded.url, excluded.updated_at)";

fn upsert_attachment(up: &mut Upserter<'_>, cid: i64, a: &Attachment, now: &str) -> Result<Upsert> {
    let params = params![
        cid,
        a.remote_id,
        a.talent_remote_id,
        a.application_remote_id,
        a.filename,
        a.kind,
        a.url,
        a.updated_at.as_ref().map(ts),
        now
    ];
    up.run(params)
}

enum Removal {
    Deleted,
    Flagged,
    Absent,
}

/// Whether the outbox holds unpushed intents for any of these applications.
fn has_pending(tx: &Connection, cid: i64, application_ids_sql: &str, arg: &str) -> Result<bool> {
    let sql = format!(
        "SELECT EXISTS (SELECT 1 FROM outbox WHERE connection_id = ?1 AND state IN ('pending', 'conflict')
                          AND application_remote_id IN ({application_ids_sql}))"
    );
    Ok(tx.prepare_cached(&sql)?.query_row(params![cid, arg], |r| r.get(0))?)
}

/// Removes a record deleted in the ATS. A talent takes its applications, history and files
/// with it (GDPR erasure must propagate). Records with unpushed local changes are flagged
/// `remote_deleted_at` instead, so the recruiter sees the conflict rather than losing work.
fn delete_record(tx: &Connection, cid: i64, d: &Deletion, now: &str, search: &mut SearchRows) -> Result<Removal> {
    let rid = d.remote_id.as_str();
    let n = match d.resource {
        Resource::Jobs => {
            tx.execute("DELETE FROM jobs WHERE connection_id = ?1 AND remote_id = ?2", params![cid, rid])?
        }
        Resource::Stages => {
            tx.execute("DELETE FROM job_stages WHERE connection_id = ?1 AND remote_id = ?2", params![cid, rid])?
        }
        Resource::Talents => {
            let apps = "SELECT remote_id FROM applications WHERE connection_id = ?1 AND talent_remote_id = ?2";
            if has_pending(tx, cid, apps, rid)? {
                tx.execute(
                    "UPDATE talents SET remote_deleted_at = ?3 WHERE connection_id = ?1 AND remote_id = ?2",
                    params![cid, rid, now],
                )?;
                return Ok(Removal::Flagged);
            }
            tx.execute(
                "DELETE FROM stage_history WHERE connection_id = ?1 AND application_remote_id IN
                   (SELECT remote_id FROM applications WHERE connection_id = ?1 AND talent_remote_id = ?2)",
                params![cid, rid],
            )?;
            tx.execute(
                "DELETE FROM applications WHERE connection_id = ?1 AND talent_remote_id = ?2",
                params![cid, rid],
            )?;
            tx.execute(
                "DELETE FROM attachments WHERE connection_id = ?1 AND talent_remote_id = ?2",
                params![cid, rid],
            )?;
            let id: Option<i64> = tx
                .query_row(
                    "DELETE FROM talents WHERE connection_id = ?1 AND remote_id = ?2 RETURNING id",
                    params![cid, rid],
                    |r| r.get(0),
                )
                .optional()?;
            if let Some(id) = id {
                search.deleted(id);
            }
            usize::from(id.is_some())
        }
        Resource::Applications => {
            if has_pending(tx, cid, "?2", rid)? {
                tx.execute(
                    "UPDATE applications SET remote_deleted_at = ?3 WHERE connection_id = ?1 AND remote_id = ?2",
                    params![cid, rid, now],
                )?;
                return Ok(Removal::Flagged);
            }
            tx.execute(
                "DELETE FROM stage_history WHERE connection_id = ?1 AND application_remote_id = ?2",
                params![cid, rid],
            )?;
            // Files uploaded to the application (Lever: to the opportunity) go with it.
            tx.execute(
                "DELETE FROM attachments WHERE connection_id = ?1 AND application_remote_id = ?2",
                params![cid, rid],
            )?;
            tx.execute("DELETE FROM applications WHERE connection_id = ?1 AND remote_id = ?2", params![cid, rid])?
        }
        Resource::StageHistory => 0, // history rows go with their application
        Resource::Attachments => {
            tx.execute("DELETE FROM attachments WHERE connection_id = ?1 AND remote_id = ?2", params![cid, rid])?
        }
    };
    Ok(if n > 0 { Removal::Deleted } else { Removal::Absent })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_record_is_left_unmarked_only_if_its_row_was_just_written() {
        let listed: Vec<String> = ["a", "b", "c", "d"].map(String::from).into();
        let stamped = |ids: &[&'static str]| Stamped { resource: Some(Resource::Talents), ids: ids.to_vec() };
        // b skipped as malformed (listed, not written), d unchanged.
        assert_eq!(stamped(&["a", "c"]).others(&listed), ["b", "d"]);
        // Out of the page's order: a is marked again (harmless); nothing unwritten is passed over.
        assert_eq!(stamped(&["c", "a"]).others(&listed), ["a", "b", "d"]);
        assert_eq!(stamped(&[]).others(&listed), ["a", "b", "c", "d"]);
    }

    #[test]
    fn a_group_that_fails_or_panics_leaves_nothing_behind_and_no_open_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
        let log = |s: &mut Store, msg: &str| s.log(None, None, model::LogLevel::Info, msg, None, Utc::now());
        let failed = store.in_transaction(|s| {
            log(s, "first")?;
            Err::<(), _>(Error::Internal("the second page failed".into()))
        });
        assert!(failed.is_err());
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            store.in_transaction(|s| -> Result<()> {
                log(s, "before the panic")?;
                panic!("a bug mid-group")
            })
        }));
        assert!(panicked.is_err());
        // Later writes commit on their own, and only they are there.
        log(&mut store, "after").unwrap();
        store.in_transaction(|s| log(s, "grouped")).unwrap();
        let messages: Vec<String> = store.log_entries(None, 10).unwrap().into_iter().map(|e| e.message).collect();
        assert_eq!(messages, vec!["grouped".to_string(), "after".to_string()]);
    }
}
