//! Resume files: which attachments still need their bytes, where the downloaded ones live in
//! the data folder, and (for providers that list files per application) which file lists are
//! still to be read. The bytes themselves are handled by `sync::files`.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use super::{parse_ts, ts, write, Store};
use model::error::{Error, Result};
use model::Attachment;

/// How a talent's files are listed wherever they are shown: resumes first, newest first.
pub(super) const FILE_ORDER: &str = "kind <> 'resume', updated_at DESC, id";

/// A file still to download: no local copy and no recorded reason it cannot be had. The
/// partial index `attachments_pending` has this very predicate, which is what lets SQLite use it.
const PENDING: &str = "local_path IS NULL AND download_error IS NULL";

/// A downloaded copy whose text is still to read (search). The partial index
/// `attachments_text_due` has this predicate.
const TEXT_DUE: &str = "local_path IS NOT NULL AND text_read_at IS NULL";

/// An application (`a`) whose file list was never read, or has changed since it was (Lever).
const LIST_DUE: &str = "(a.files_checked_at IS NULL OR a.files_checked_at < a.updated_at)";

/// An attachment as stored, with where its bytes are (if downloaded).
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub id: i64,
    pub connection_id: i64,
    pub attachment: Attachment,
    /// Relative to the data folder.
    pub local_path: Option<String>,
    pub download_error: Option<String>,
}

const STORED_FILE: &str =
    "SELECT id, connection_id, remote_id, talent_remote_id, application_remote_id, filename, kind, url,
                                  updated_at, local_path, download_error FROM attachments";

fn stored_file(r: &Row<'_>) -> rusqlite::Result<(StoredFile, Option<String>)> {
    let updated: Option<String> = r.get(8)?;
    Ok((
        StoredFile {
            id: r.get(0)?,
            connection_id: r.get(1)?,
            attachment: Attachment {
                remote_id: r.get(2)?,
                talent_remote_id: r.get(3)?,
                application_remote_id: r.get(4)?,
                filename: r.get(5)?,
                kind: r.get(6)?,
                url: r.get(7)?,
                updated_at: None,
            },
            local_path: r.get(9)?,
            download_error: r.get(10)?,
        },
        updated,
    ))
}

fn finish((mut f, updated): (StoredFile, Option<String>)) -> Result<StoredFile> {
    f.attachment.updated_at = updated.as_deref().map(parse_ts).transpose()?;
    Ok(f)
}

impl Store {
    /// One attachment by its local id.
    pub fn stored_file(&self, id: i64) -> Result<StoredFile> {
        let found =
            self.db.query_row(&format!("{STORED_FILE} WHERE id = ?1"), [id], stored_file).optional()?.ok_or_else(
                || Error::NotFound(format!("no file {id} in the local database (it may have been deleted in the ATS)")),
            )?;
        finish(found)
    }

    /// The connection of talent `talent_id` (a local id).
    pub fn talent_connection(&self, talent_id: i64) -> Result<i64> {
        self.db
            .query_row("SELECT connection_id FROM talents WHERE id = ?1", [talent_id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no talent {talent_id} in the local database")))
    }

    /// The local id of the talent with remote id `remote_id` in connection `cid`.
    pub fn talent_id(&self, cid: i64, remote_id: &str) -> Result<i64> {
        self.db
            .query_row(
                "SELECT id FROM talents WHERE connection_id = ?1 AND remote_id = ?2",
                params![cid, remote_id],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no talent with the ATS id {remote_id:?} in this connection")))
    }

    /// The stored files of one talent (by the talent's local id), resumes first.
    pub fn files_of_talent(&self, talent_id: i64) -> Result<Vec<StoredFile>> {
        let mut stmt = self.db.prepare(&format!(
            "{STORED_FILE} f WHERE EXISTS (SELECT 1 FROM talents t WHERE t.id = ?1
                 AND t.connection_id = f.connection_id AND t.remote_id = f.talent_remote_id)
             ORDER BY {FILE_ORDER}"
        ))?;
        let rows = stmt.query_map([talent_id], stored_file)?;
        rows.map(|r| finish(r?)).collect()
    }

    /// Files of connection `cid` not yet downloaded (and not failed), resumes of the most
    /// recently updated talents first: the people a recruiter is most likely to open.
    pub fn files_to_fetch(&self, cid: i64, limit: u32) -> Result<Vec<StoredFile>> {
        let mut stmt = self.db.prepare(&format!(
            "{STORED_FILE} f WHERE connection_id = ?1 AND {PENDING}
             ORDER BY kind <> 'resume',
                      (SELECT t.updated_at FROM talents t WHERE t.connection_id = f.connection_id
                         AND t.remote_id = f.talent_remote_id) DESC, id
             LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![cid, limit], stored_file)?;
        rows.map(|r| finish(r?)).collect()
    }

    /// How many files of `cid` are still to download.
    pub fn files_pending(&self, cid: i64) -> Result<u64> {
        Ok(self.db.query_row(
            &format!("SELECT COUNT(*) FROM attachments WHERE connection_id = ?1 AND {PENDING}"),
            [cid],
            |r| r.get::<_, i64>(0),
        )? as u64)
    }

    /// Records that the bytes of file `id` are at `local_path` (relative to the data folder).
    /// `false` when the row is gone (deleted by a sync meanwhile): the caller removes the bytes.
    pub fn file_saved(&mut self, id: i64, local_path: &str, size: u64, now: DateTime<Utc>) -> Result<bool> {
        let n = self.db.execute(
            // A new copy is read again for search; the old text stays searchable until then.
            "UPDATE attachments SET local_path = ?2, size_bytes = ?3, downloaded_at = ?4, download_error = NULL,
                                    text_read_at = NULL, text_error = NULL
             WHERE id = ?1",
            params![id, local_path, size as i64, ts(&now)],
        )?;
        Ok(n > 0)
    }

    /// Records why file `id` could not be downloaded; it is not retried until it changes.
    pub fn file_failed(&mut self, id: i64, reason: &str) -> Result<()> {
        self.db.execute("UPDATE attachments SET download_error = ?2 WHERE id = ?1", params![id, reason])?;
        Ok(())
    }

    /// Downloaded files of `cid` whose text is still to read for search, resumes first, at most
    /// `limit`.
    pub fn files_to_read(&self, cid: i64, limit: u32) -> Result<Vec<StoredFile>> {
        let mut stmt = self.db.prepare(&format!(
            "{STORED_FILE} WHERE connection_id = ?1 AND {TEXT_DUE} ORDER BY kind <> 'resume', id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![cid, limit], stored_file)?;
        rows.map(|r| finish(r?)).collect()
    }

    /// Records what reading the text of file `id`'s copy at `local_path` gave: its text (already
    /// bounded), `None` for a file that has none to read (not a PDF), or why it could not be read.
    /// The talent's search row follows (triggers of schema 11). `false` when the copy changed or
    /// went meanwhile: the text belongs to no copy, and the new one is read at the next step.
    pub fn file_text_read(
        &mut self,
        id: i64,
        local_path: &str,
        text: std::result::Result<Option<&str>, &str>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let (text, error) = match text {
            Ok(t) => (t, None),
            Err(e) => (None, Some(e)),
        };
        let n = self.db.execute(
            "UPDATE attachments SET extracted_text = ?3, text_error = ?4, text_read_at = ?5 WHERE id = ?1 AND local_path = ?2",
            params![id, local_path, text, error, ts(&now)],
        )?;
        Ok(n > 0)
    }

    /// Every local path of connection `cid`'s downloaded files (to sweep files the ATS deleted).
    pub fn local_files(&self, cid: i64) -> Result<HashSet<String>> {
        let mut stmt = self
            .db
            .prepare("SELECT local_path FROM attachments WHERE connection_id = ?1 AND local_path IS NOT NULL")?;
        let rows = stmt.query_map([cid], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Applications of `cid` whose file list was never read or changed since (Lever), most
    /// recently updated first, at most `limit`: `(application remote id, talent remote id)`.
    pub fn applications_to_list_files(&self, cid: i64, limit: u32) -> Result<Vec<(String, String)>> {
        let mut stmt = self.db.prepare(&format!(
            "SELECT a.remote_id, a.talent_remote_id FROM applications a WHERE a.connection_id = ?1 AND {LIST_DUE}
             ORDER BY a.updated_at DESC, a.id LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![cid, limit], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The same, for one talent (by local id): what opening their files must read first.
    pub fn applications_of_talent_to_list_files(&self, talent_id: i64) -> Result<Vec<(String, String)>> {
        let mut stmt = self.db.prepare(&format!(
            "SELECT a.remote_id, a.talent_remote_id FROM applications a JOIN talents t
               ON t.connection_id = a.connection_id AND t.remote_id = a.talent_remote_id
             WHERE t.id = ?1 AND {LIST_DUE}"
        ))?;
        let rows = stmt.query_map([talent_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Stores the complete file list of one application (Lever): upserts `files`, removes the
    /// application's other files (deleted in the ATS), and marks the list read as of the
    /// application's own `updated_at` (a later change to it makes the list due again).
    pub fn set_application_files(
        &mut self,
        cid: i64,
        application: &str,
        files: &[Attachment],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.db.transaction()?;
        let batch = model::Batch { attachments: files.to_vec(), ..Default::default() };
        write::write_batch_tx(&tx, cid, &batch, now)?;
        let kept: Vec<&str> = files.iter().map(|f| f.remote_id.as_str()).collect();
        tx.execute(
            "DELETE FROM attachments WHERE connection_id = ?1 AND application_remote_id = ?2
               AND remote_id NOT IN (SELECT value FROM json_each(?3))",
            params![cid, application, serde_json::to_string(&kept)?],
        )?;
        tx.execute(
            "UPDATE applications SET files_checked_at = max(updated_at, ?3) WHERE connection_id = ?1 AND remote_id = ?2",
            params![cid, application, ts(&now)],
        )?;
        tx.commit()?;
        Ok(())
    }
}
