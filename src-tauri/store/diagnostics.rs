//! Reads for the connection lifecycle and the diagnostics bundle.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{parse_ts, Store};
use crate::error::Result;

impl Store {
    /// `(at, message)` of the sync-log lines of connection `cid` whose message matches the
    /// SQLite GLOB `pattern`, newest first.
    pub fn log_messages(&self, cid: i64, pattern: &str) -> Result<Vec<(DateTime<Utc>, String)>> {
        let mut stmt = self
            .db
            .prepare("SELECT at, message FROM sync_log WHERE connection_id = ?1 AND message GLOB ?2 ORDER BY id DESC")?;
        let rows = stmt.query_map(params![cid, pattern], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        rows.map(|r| {
            let (at, msg) = r?;
            Ok((parse_ts(&at)?, msg))
        })
        .collect()
    }

    /// Every personal datum held for talents (names, e-mail addresses, phone numbers), of one
    /// connection or all: what a redactor must remove from text meant for others' eyes.
    pub fn personal_data(&self, cid: Option<i64>) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for sql in [
            "SELECT name FROM talents WHERE ?1 IS NULL OR connection_id = ?1
             UNION SELECT first_name FROM talents WHERE first_name IS NOT NULL AND (?1 IS NULL OR connection_id = ?1)
             UNION SELECT last_name FROM talents WHERE last_name IS NOT NULL AND (?1 IS NULL OR connection_id = ?1)",
            "SELECT e.email FROM talent_emails e JOIN talents t ON t.id = e.talent_id WHERE ?1 IS NULL OR t.connection_id = ?1",
            "SELECT p.phone FROM talent_phones p JOIN talents t ON t.id = p.talent_id WHERE ?1 IS NULL OR t.connection_id = ?1",
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
