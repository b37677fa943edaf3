//! Reads for the connection lifecycle and the diagnostics bundle.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{parse_ts, ts, Store};
use model::error::Result;
use model::ConnectionState;

/// A change of state of some connection: `(id, connection name, to, reason)`.
pub type StateChangeOf = (i64, String, String, Option<String>);

/// A change of state of one connection: `(at, from, to, reason)`.
pub type StateChange = (DateTime<Utc>, String, String, Option<String>);

impl Store {
    /// Records that connection `cid` went from state `from` to `to`.
    pub fn add_state_change(
        &self,
        cid: i64,
        run_id: Option<i64>,
        from: ConnectionState,
        to: ConnectionState,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.db.execute(
            "INSERT INTO state_changes (connection_id, run_id, at, from_state, to_state, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![cid, run_id, ts(&at), from.as_str(), to.as_str(), reason],
        )?;
        Ok(())
    }

    /// Changes of state of every connection after change `after` (an id; 0: all), oldest first:
    /// `(id, connection name, to, reason)`.
    pub fn state_changes_after(&self, after: i64) -> Result<Vec<StateChangeOf>> {
        let mut stmt = self.db.prepare_cached(
            "SELECT s.id, c.name, s.to_state, s.reason FROM state_changes s JOIN connections c ON c.id = s.connection_id
             WHERE s.id > ?1 ORDER BY s.id",
        )?;
        let rows = stmt.query_map([after], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Connection `cid`'s changes of state, oldest first: `(at, from, to, reason)`.
    pub fn state_changes(&self, cid: i64) -> Result<Vec<StateChange>> {
        let mut stmt = self.db.prepare(
            "SELECT at, from_state, to_state, reason FROM state_changes WHERE connection_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![cid], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, Option<String>>(3)?))
        })?;
        rows.map(|r| {
            let (at, from, to, reason) = r?;
            Ok((parse_ts(&at)?, from, to, reason))
        })
        .collect()
    }

    /// Every personal datum held for talents (names, e-mail addresses, phone numbers, file names), of one
    /// connection or all: what a redactor must remove from text meant for others' eyes.
    pub fn personal_data(&self, cid: Option<i64>) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for sql in [
            "SELECT name FROM talents WHERE ?1 IS NULL OR connection_id = ?1
             UNION SELECT first_name FROM talents WHERE first_name IS NOT NULL AND (?1 IS NULL OR connection_id = ?1)
             UNION SELECT last_name FROM talents WHERE last_name IS NOT NULL AND (?1 IS NULL OR connection_id = ?1)",
            "SELECT e.email FROM talent_emails e JOIN talents t ON t.id = e.talent_id WHERE ?1 IS NULL OR t.connection_id = ?1",
            "SELECT p.phone FROM talent_phones p JOIN talents t ON t.id = p.talent_id WHERE ?1 IS NULL OR t.connection_id = ?1",
            // File names carry people's names (`Ada_Lovelace_resume.pdf`), and the sync log names
            // the files whose text could not be read.
            "SELECT DISTINCT filename FROM attachments WHERE ?1 IS NULL OR connection_id = ?1",
        ] {
            let mut stmt = self.db.prepare(sql)?;
            let rows = stmt.query_map(params![cid], |r| r.get::<_, String>(0))?;
            for r in rows {
                out.push(r?);
            }
        }
        Ok(out)
    }
}
