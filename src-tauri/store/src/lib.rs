//! The local SQLite store: the only crate that opens the database. It knows the model, not the
//! ATS connectors (`ats` and `store` do not depend on each other).
//!
//! One file per data folder (`talentdeck.sqlite3`), WAL, foreign keys on, forward-only
//! migrations embedded in the binary. The full-text index over talents is rewritten here
//! whenever a talent is written, so callers never have to think about it.

mod board;
mod diagnostics;
mod duplicates;
mod export;
mod files;
mod outbox;
mod pipeline;
mod profile;
mod queries;
mod sync_state;
mod write;

pub use duplicates::{warm_up as warm_up_duplicates, DuplicateOf, DuplicatePair, DuplicateRecord, Evidence};
pub use export::ExportKind;
pub use files::StoredFile;
pub use model::{parse_ts, ts, Batch, Deletion};
pub use outbox::{judge, AppView, Reconciled, Resolution, Verdict};
pub use pipeline::{AtsStageName, JobPipeline, MappingEdit, MappingRow, StageCount};
pub use queries::{LogEntry, ResourceCounts, RunSummary, SyncRun};
pub use sync_state::{Cursor, RunCounts, RunState};
pub use write::{BatchCounts, PageWrite};

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection as Db, OptionalExtension};
use rusqlite_migration::{Migrations, M};

use model::error::{Error, Result};
use model::{Connection, ConnectionSettings, ConnectionState, Provider};

/// Page cache of each read-only connection, KiB.
const READER_CACHE_KIB: i64 = 4096;

/// The database file inside a data folder.
pub const DB_FILE: &str = "talentdeck.sqlite3";

/// Every schema version, in order. Append only: a released migration never changes.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_talent_search.sql"),
    include_str!("migrations/003_files.sql"),
    include_str!("migrations/004_lean_sync_tables.sql"),
    include_str!("migrations/005_write_back.sql"),
    include_str!("migrations/006_job_details.sql"),
    include_str!("migrations/007_state_changes.sql"),
    include_str!("migrations/008_profile.sql"),
    include_str!("migrations/009_active_applications_index.sql"),
    include_str!("migrations/010_duplicates.sql"),
    include_str!("migrations/011_resume_text.sql"),
    include_str!("migrations/012_talents_by_name.sql"),
    include_str!("migrations/013_match_key_kind_check.sql"),
    include_str!("migrations/014_leaner_talent_writes.sql"),
    include_str!("migrations/015_application_status_check.sql"),
    include_str!("migrations/016_contentless_talent_search.sql"),
];

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// The schema version this build writes.
pub fn schema_version() -> usize {
    MIGRATIONS.len()
}

pub struct Store {
    db: Db,
    path: PathBuf,
    /// Each connection's row counts as last read, and the database version they were read at
    /// ([`Store::counts`]).
    counts: std::cell::RefCell<std::collections::HashMap<i64, (DbVersion, Counts)>>,
    /// Search rows the open transaction still has to write ([`Store::in_transaction`]).
    search_due: write::SearchRows,
}

/// What changes whenever the data this connection sees may have changed: SQLite's `data_version`
/// moves when another connection commits, `total_changes` when this one writes.
type DbVersion = (i64, u64);

/// Rows per resource ([`Store::counts`]).
type Counts = Vec<(&'static str, i64)>;

/// What `create_connection` needs; the secret is not here on purpose (it lives in the vault).
#[derive(Debug, Clone)]
pub struct NewConnection {
    pub name: String,
    pub provider: Provider,
    pub base_url: String,
    pub auth_url: Option<String>,
    pub settings: ConnectionSettings,
    pub sandbox: bool,
}

impl Store {
    /// Opens (creating if needed) the store in `data_dir`, migrating it to the current schema.
    pub fn open_dir(data_dir: &Path) -> Result<Store> {
        prepare_data_dir(data_dir)?;
        Store::open(&data_dir.join(DB_FILE))
    }

    /// Opens the database file at `path`, migrating it to the current schema.
    ///
    /// Another process may be creating or migrating the same file at this moment (the window
    /// and a CLI command started together on a new data folder): a busy file, or a migration
    /// that fails because the other process got there first, is retried for up to 10 s.
    pub fn open(path: &Path) -> Result<Store> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            match Store::open_once(path) {
                Ok(store) => return Ok(store),
                Err(Opening::Busy(_)) if std::time::Instant::now() < deadline => {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                }
                Err(Opening::Busy(e) | Opening::Failed(e)) => return Err(e),
            }
        }
    }

    fn open_once(path: &Path) -> std::result::Result<Store, Opening> {
        configure_library();
        let mut db = Db::open(path)
            .map_err(|e| Error::DataDir { path: path.display().to_string(), reason: e.to_string() })
            .map_err(Opening::Failed)?;
        configure(&db).map_err(Opening::from_sqlite)?;
        let version = |db: &Db| db.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0));
        let found = version(&db).map_err(Opening::from_sqlite)? as usize;
        if found > schema_version() {
            return Err(Opening::Failed(Error::StoreTooNew { found, known: schema_version() }));
        }
        // Each migration runs in its own transaction; a failure leaves the previous version intact.
        if let Err(e) = migrations().to_latest(&mut db) {
            let busy = match &e {
                rusqlite_migration::Error::RusqliteError { err, .. } => is_busy(err),
                _ => false,
            };
            // "table already exists" after another process migrated between our read of the
            // version and our first statement: not an error, just a late start.
            let moved = version(&db).map(|v| v as usize != found).unwrap_or(false);
            let err = Error::Store(format!("migrating the database failed: {e}"));
            return Err(if busy || moved { Opening::Busy(err) } else { Opening::Failed(err) });
        }
        // Talents stored before duplicate detection get their keys once.
        duplicates::backfill(&mut db).map_err(Opening::Failed)?;
        Ok(Store { db, path: path.to_path_buf(), counts: Default::default(), search_due: Default::default() })
    }

    /// A read-only connection to the already migrated database at `path`, for the window's
    /// reads: in WAL mode it reads the last committed state while the one writer (the sync,
    /// a push) is busy, instead of queueing behind it. Any write through it fails.
    pub fn open_reader(path: &Path) -> Result<Store> {
        use rusqlite::OpenFlags;
        configure_library();
        let db = Db::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .map_err(|e| Error::DataDir { path: path.display().to_string(), reason: e.to_string() })?;
        db.busy_timeout(std::time::Duration::from_secs(10))?;
        db.set_prepared_statement_cache_capacity(64);
        // 4 MiB of page cache each (SQLite's default is 2): what a search or a page of rows reads
        // again stays cached; the rest is in the OS's file cache anyway, and a sync's commits empty
        // a reader's cache at its next read. At 16 MiB the sidebar's counts filled both readers'
        // caches and kept 32 MiB of the idle window's memory.
        db.pragma_update(None, "cache_size", -READER_CACHE_KIB)?;
        let store = Store { db, path: path.to_path_buf(), counts: Default::default(), search_due: Default::default() };
        let found = store.current_version()?;
        if found != schema_version() {
            return Err(Error::Store(format!(
                "the database is at schema {found}, this build reads {}; open it for writing first",
                schema_version()
            )));
        }
        Ok(store)
    }

    /// Opens `path` and migrates it only up to `version` (tests of upgrades from older schemas).
    #[doc(hidden)]
    pub fn open_at_version(path: &Path, version: usize) -> Result<Store> {
        let mut db = Db::open(path)?;
        configure(&db)?;
        migrations()
            .to_version(&mut db, version)
            .map_err(|e| Error::Store(format!("migrating the database failed: {e}")))?;
        Ok(Store { db, path: path.to_path_buf(), counts: Default::default(), search_due: Default::default() })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn current_version(&self) -> Result<usize> {
        Ok(self.db.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))? as usize)
    }

    /// Raw access for tests (integrity checks, fixtures), with the `test-hooks` feature only.
    /// Application code uses the typed methods.
    #[cfg(feature = "test-hooks")]
    pub fn raw(&self) -> &Db {
        &self.db
    }

    /// Reads the database file through a memory map (`on`), or through this connection's page
    /// cache again. Every commit of another connection empties this one's page cache (its next
    /// read transaction sees a changed database), so while a sync writes, each search read its
    /// pages again through read(2): mapped, a page of the file is used where it lies (pages still
    /// in the WAL are read as before), and a search's CPU under a 100k sync went 9.8 → 6.6 ms.
    /// Idle, the cache stays warm and the map would only add the pages it touched to the
    /// process's resident memory (the status's counts alone touch ≈ 40 MB at 100k talents), so
    /// the app maps its readers only while a sync runs. Takes effect between statements.
    pub fn map_file(&self, on: bool) -> Result<()> {
        const MAPPED: i64 = 1 << 30;
        self.db.pragma_update(None, "mmap_size", if on { MAPPED } else { 0 })?;
        Ok(())
    }

    /// Frees the page cache this connection is not using right now (after a sync, the writer's
    /// cache holds up to 32 MiB of pages the idle window will not read again soon).
    pub fn release_memory(&self) -> Result<()> {
        Ok(self.db.release_memory()?)
    }

    pub fn integrity_ok(&self) -> Result<bool> {
        let res: String = self.db.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        Ok(res == "ok")
    }

    // ---- connections ----

    pub fn create_connection(&mut self, new: &NewConnection, now: DateTime<Utc>) -> Result<Connection> {
        let name = new.name.trim();
        if name.is_empty() {
            return Err(Error::Validation("a connection needs a name".into()));
        }
        if self.connection_by_name(name)?.is_some() {
            return Err(Error::Conflict(format!(
                "a connection named {name:?} already exists; pick another name or disconnect it first"
            )));
        }
        self.db.execute(
            "INSERT INTO connections (name, provider, base_url, auth_url, settings, state, sandbox, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'connected', ?6, ?7, ?7)",
            params![name, new.provider.as_str(), new.base_url, new.auth_url, serde_json::to_string(&new.settings)?, new.sandbox, ts(&now)],
        )?;
        let id = self.db.last_insert_rowid();
        self.connection(id)
    }

    pub fn connection(&self, id: i64) -> Result<Connection> {
        self.db
            .query_row(&format!("{CONNECTION_SELECT} WHERE id = ?1"), [id], row_to_connection)
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("no connection with id {id}")))?
    }

    pub fn connection_by_name(&self, name: &str) -> Result<Option<Connection>> {
        self.db
            .query_row(&format!("{CONNECTION_SELECT} WHERE name = ?1"), [name], row_to_connection)
            .optional()?
            .transpose()
    }

    /// The connection called `name`, or a `not_found` error that lists the ones that exist.
    pub fn require_connection(&self, name: &str) -> Result<Connection> {
        if let Some(c) = self.connection_by_name(name)? {
            return Ok(c);
        }
        let names: Vec<String> = self.connections()?.into_iter().map(|c| c.name).collect();
        Err(Error::NotFound(if names.is_empty() {
            format!("no connection named {name:?}: there are no connections yet (run `talentdeck connect`)")
        } else {
            format!("no connection named {name:?}; connections: {}", names.join(", "))
        }))
    }

    pub fn connections(&self) -> Result<Vec<Connection>> {
        let mut stmt = self.db.prepare(&format!("{CONNECTION_SELECT} ORDER BY name"))?;
        let rows = stmt.query_map([], row_to_connection)?;
        rows.map(|r| r?).collect()
    }

    pub fn set_connection_state(
        &mut self,
        id: i64,
        state: ConnectionState,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let n = self.db.execute(
            "UPDATE connections SET state = ?2, state_reason = ?3, updated_at = ?4 WHERE id = ?1",
            params![id, state.as_str(), reason, ts(&now)],
        )?;
        if n == 0 {
            return Err(Error::NotFound(format!("no connection with id {id}")));
        }
        Ok(())
    }

    /// Points a connection at a new address (a restarted sandbox, a regional host).
    pub fn update_connection_endpoint(
        &mut self,
        id: i64,
        base_url: &str,
        auth_url: Option<&str>,
        settings: &ConnectionSettings,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.db.execute(
            "UPDATE connections SET base_url = ?2, auth_url = ?3, settings = ?4, updated_at = ?5 WHERE id = ?1",
            params![id, base_url, auth_url, serde_json::to_string(settings)?, ts(&now)],
        )?;
        Ok(())
    }

    /// Changes a connection's non-secret settings (e.g. its sync interval).
    pub fn update_connection_settings(
        &mut self,
        id: i64,
        change: impl FnOnce(&mut ConnectionSettings),
        now: DateTime<Utc>,
    ) -> Result<Connection> {
        let mut conn = self.connection(id)?;
        change(&mut conn.settings);
        self.db.execute(
            "UPDATE connections SET settings = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, serde_json::to_string(&conn.settings)?, ts(&now)],
        )?;
        self.connection(id)
    }

    /// The reason recorded with the connection's current state (e.g. why it needs reconnecting).
    pub fn connection_state_reason(&self, id: i64) -> Result<Option<String>> {
        Ok(self
            .db
            .query_row("SELECT state_reason FROM connections WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .flatten())
    }

    /// Deletes a connection and, through the foreign keys, everything imported from it.
    pub fn delete_connection(&mut self, id: i64) -> Result<()> {
        let tx = self.db.transaction()?;
        // The search index is not tied by a foreign key: clear it first.
        tx.execute("DELETE FROM talent_search WHERE rowid IN (SELECT id FROM talents WHERE connection_id = ?1)", [id])?;
        tx.execute("DELETE FROM connections WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }
}

/// A connection's stored settings. Greenhouse ids written as JSON numbers (sandbox connections
/// before settings were typed) read as the same id in text; unknown keys are ignored.
fn settings_from_json(json: &str) -> Result<ConnectionSettings> {
    let mut v: serde_json::Value = serde_json::from_str(json)?;
    for key in ["client_id", "user_id"] {
        if let Some(n) = v.get(key).filter(|n| n.is_number()).and_then(model::id_text) {
            v[key] = n.into();
        }
    }
    Ok(serde_json::from_value(v)?)
}

const CONNECTION_SELECT: &str =
    "SELECT id, name, provider, base_url, auth_url, settings, state, sandbox, created_at, updated_at FROM connections";

fn row_to_connection(r: &rusqlite::Row<'_>) -> rusqlite::Result<Result<Connection>> {
    let provider: String = r.get(2)?;
    let settings: String = r.get(5)?;
    let state: String = r.get(6)?;
    let created: String = r.get(8)?;
    let updated: String = r.get(9)?;
    let id: i64 = r.get(0)?;
    let name: String = r.get(1)?;
    let base_url: String = r.get(3)?;
    let auth_url: Option<String> = r.get(4)?;
    let sandbox: bool = r.get(7)?;
    Ok((|| {
        Ok(Connection {
            id,
            name,
            provider: Provider::parse(&provider)
                .ok_or_else(|| Error::Store(format!("unknown provider {provider:?}")))?,
            base_url,
            auth_url,
            settings: settings_from_json(&settings)?,
            state: ConnectionState::parse(&state)
                .ok_or_else(|| Error::Store(format!("unknown connection state {state:?}")))?,
            sandbox,
            created_at: parse_ts(&created)?,
            updated_at: parse_ts(&updated)?,
        })
    })())
}

/// Process-wide SQLite settings, once, before the first connection opens (after that SQLite
/// refuses them, and we carry on without): no memory statistics. With them on, every allocation
/// SQLite makes takes a global mutex to count itself; a profile of a 100k-talent sync put
/// `pthread_mutex_lock`/`unlock` at 6–7 % of the writer's samples, and nothing here reads the
/// statistics (no soft heap limit, no `sqlite3_memory_used`).
fn configure_library() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: sqlite3_config before sqlite3_initialize, with the int argument this option
        // takes; called at most once, and SQLITE_MISUSE (already initialised) is harmless.
        unsafe { rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int) };
    });
}

fn configure(db: &Db) -> rusqlite::Result<()> {
    // First, so that every statement below (switching a new file to WAL takes a write lock)
    // waits for another process instead of failing at once.
    db.busy_timeout(std::time::Duration::from_secs(10))?;
    // WAL: the UI reads while a sync writes. NORMAL sync is durable at checkpoints and safe
    // against corruption on a crash (WAL guarantees atomic commits).
    // 16 KiB pages for a new database (SQLite's default is 4 KiB; an existing file keeps its
    // own): a sync's inserts split, balance and write back a quarter as many pages, and the
    // B-trees are a level shallower. A 100,000-talent full sync used 7 % less CPU than with
    // 4 KiB pages, and the reads beside it were as fast (BENCHMARKS.md, stop 20). Set before
    // the WAL switch, which is the first write to a new file.
    db.pragma_update(None, "page_size", 16384)?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "NORMAL")?;
    db.pragma_update(None, "foreign_keys", "ON")?;
    // A page write uses some 30 cached statements (upserts, lookups, contacts, search index,
    // seen marks, cursor); rusqlite's default cache of 16 made interleaved pages of different
    // resources re-prepare them over and over.
    db.set_prepared_statement_cache_capacity(64);
    // 32 MiB of page cache instead of SQLite's 2 MiB: a full sync inserts into half a dozen
    // (connection_id, remote_id) indexes and the search index in no particular order, and with
    // 2 MiB their pages were read back from the OS over and over.
    db.pragma_update(None, "cache_size", -32768)?;
    // Checkpoint the WAL into the database every 8,192 pages (128 MiB of 16 KiB pages, 32 MiB
    // of 4 KiB ones) instead of every 1,000: index pages a sync dirties over and over are copied
    // once per checkpoint, so fewer checkpoints mean less writing (a 100,000-talent sync: 0.6 s
    // less system time at 32 MiB). After a checkpoint the WAL file is cut back to 32 MiB, so an
    // idle data folder does not keep a sync's peak beside the database.
    db.pragma_update(None, "wal_autocheckpoint", 8192)?;
    db.pragma_update(None, "journal_size_limit", 32 * 1024 * 1024)?;
    Ok(())
}

/// Why one attempt at opening the store failed: worth another try, or not.
enum Opening {
    Busy(Error),
    Failed(Error),
}

impl Opening {
    fn from_sqlite(e: rusqlite::Error) -> Opening {
        if is_busy(&e) {
            Opening::Busy(e.into())
        } else {
            Opening::Failed(e.into())
        }
    }
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
}

/// Creates the data folder if needed and checks it is a writable folder, with a clear error if not.
pub fn prepare_data_dir(dir: &Path) -> Result<()> {
    let fail = |reason: String| Error::DataDir { path: dir.display().to_string(), reason };
    if dir.exists() && !dir.is_dir() {
        return Err(fail("it exists and is not a folder".into()));
    }
    std::fs::create_dir_all(dir).map_err(|e| fail(format!("it could not be created ({e})")))?;
    let probe = dir.join(".talentdeck-write-test");
    std::fs::write(&probe, b"").map_err(|e| fail(format!("it is not writable ({e})")))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}
