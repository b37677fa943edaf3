//! The use cases, shared by the desktop shell and the CLI: both front doors call these and
//! only render the results.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use secrecy::SecretString;

use crate::lifecycle;
use crate::status::{self, ConnectionStatus};
use crate::sync::files::{self, FileLimits, FilesReport};
use crate::sync::text::TextExtractor;
use crate::sync::{self, Progress, RunReport, SyncOptions};
use ats::{self, Connector, Endpoint};
use model::error::{Error, Result};
use model::LogLevel;
use model::Trigger;
use model::{Connection, ConnectionSettings, ConnectionState, JobRow, Provider, TalentRow};
use sandbox::{Sandbox, SandboxConfig};
use store::{DuplicateOf, DuplicatePair, ExportKind, LogEntry, NewConnection, Store, StoredFile, SyncRun};
use vault::{Credential, CredentialKind, Vault};

mod alerts;
mod board;
mod profile;
mod two_way;
pub use alerts::{Alert, AlertState};
pub use two_way::{field_directions, resolution, Direction, MoveTarget, Suggestion};

/// Previews stop here: a resume is far smaller, and the bytes cross the IPC in one piece.
pub const PREVIEW_MAX_BYTES: u64 = 20 * 1024 * 1024;

/// What a file's first bytes say it is, among what the preview shows: `application/pdf` or an
/// image type the webview decodes; `None` for anything else.
pub fn preview_kind(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(1024)];
    if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if head.starts_with(b"\xff\xd8\xff") {
        Some("image/jpeg")
    } else if head.starts_with(b"GIF87a") || head.starts_with(b"GIF89a") {
        Some("image/gif")
    } else if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        Some("image/webp")
    } else if head.windows(5).any(|w| w == b"%PDF-") {
        Some("application/pdf")
    } else {
        None
    }
}

/// The platform's app-data folder (the same one the desktop window uses).
pub fn default_data_dir() -> Result<PathBuf> {
    directories::BaseDirs::new().map(|d| d.data_dir().join(vault::SERVICE)).ok_or_else(|| Error::DataDir {
        path: "(none)".into(),
        reason: "no home folder is known for this user; pass --data-dir".into(),
    })
}

pub struct App {
    data_dir: PathBuf,
    store: Mutex<Store>,
    vault: Vault,
    /// In-process sandbox ATSs, by connection id; dropped (and stopped) with the app.
    sandboxes: tokio::sync::Mutex<HashMap<i64, Sandbox>>,
    /// One sync at a time per connection: the running sync holds its connection's lock.
    runs: Slots,
    /// One file step at a time per connection, likewise.
    file_steps: Slots,
    /// One push at a time per connection (across processes, outbox leases do the same).
    pushes: Slots,
    /// Read-only connections for reads (see [`App::reader`]); empty: reads share the writer.
    readers: Vec<Mutex<Store>>,
    next_reader: std::sync::atomic::AtomicUsize,
    /// Syncs running now: while any runs, the readers read the database file mapped
    /// ([`Store::map_file`], [`Writing`]).
    writing: Mutex<usize>,
    /// One pacer per connection: every connector made for it (connecting, syncs, file steps,
    /// pushes) draws on one rate budget and starts at the pace the last one learned.
    pacers: Mutex<HashMap<i64, ats::pace::SharedPacer>>,
    /// Reads the text of downloaded resumes for search in a child process (`None`: no text is
    /// read). The one the binary registered, unless set with [`App::with_text_extractor`].
    extractor: Option<TextExtractor>,
}

/// Read-only connections per app: the window rarely has more than two reads in flight (a list
/// and a search), and each costs a file handle and its page cache.
pub const READERS: usize = 2;

/// A lock per connection, made on first use.
type Slots = Mutex<HashMap<i64, std::sync::Arc<tokio::sync::Mutex<()>>>>;

fn slot(slots: &Slots, id: i64) -> std::sync::Arc<tokio::sync::Mutex<()>> {
    slots.lock().unwrap_or_else(|p| p.into_inner()).entry(id).or_default().clone()
}

/// What connecting a real ATS account needs. The secret is read once and goes to the keychain.
#[derive(Clone, serde::Deserialize, ts_rs::TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct ConnectInput {
    pub provider: Provider,
    pub name: String,
    /// The API key (Lever, Ashby) or the client secret (Greenhouse).
    pub secret: String,
    /// Greenhouse: the Harvest v3 OAuth client id.
    pub client_id: Option<String>,
    /// Greenhouse: the id of the Greenhouse user the integration acts as; Lever: the user
    /// writes are credited to (`perform_as`, optional).
    pub user_id: Option<String>,
    pub base_url: Option<String>,
    pub auth_url: Option<String>,
}

impl ConnectInput {
    /// What connecting sandbox `info` like a real account takes (its secret through the
    /// keychain, unlike [`App::start_sandbox`]'s): benchmarks and tests.
    pub fn for_sandbox(info: &sandbox::SandboxInfo, name: &str) -> ConnectInput {
        let gh = info.provider == Provider::Greenhouse;
        let field = |k: &str| info.credentials[k].as_str().unwrap_or_default().to_string();
        ConnectInput {
            provider: info.provider,
            name: name.to_string(),
            secret: field(if gh { "client_secret" } else { "api_key" }),
            client_id: gh.then(|| field("client_id")),
            user_id: gh.then(|| field("user_id")),
            base_url: Some(info.base_url.clone()),
            auth_url: info.auth_url.clone(),
        }
    }
}

/// A new credential for an existing connection. The secret is read once and goes to the keychain.
#[derive(Clone, serde::Deserialize, ts_rs::TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct ReconnectInput {
    /// The new API key (Lever, Ashby) or client secret (Greenhouse).
    pub secret: String,
    /// Greenhouse: a new Harvest v3 OAuth client id (kept if absent).
    pub client_id: Option<String>,
    /// Greenhouse: a new acting user id (kept if absent).
    pub user_id: Option<String>,
}

// Hand-written so that printing an input (a log line, a panic) never shows the secret.
impl std::fmt::Debug for ConnectInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectInput")
            .field("provider", &self.provider)
            .field("name", &self.name)
            .field("secret", &"[redacted]")
            .field("client_id", &self.client_id)
            .field("user_id", &self.user_id)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ReconnectInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReconnectInput")
            .field("secret", &"[redacted]")
            .field("client_id", &self.client_id)
            .field("user_id", &self.user_id)
            .finish()
    }
}

/// What the integration tests need behind the use cases' back (fixtures, raw reads, the writer
/// lock itself). Not in the product: the `test-hooks` feature is enabled by dev-dependencies only.
#[cfg(feature = "test-hooks")]
impl App {
    pub fn store_for_tests(&self) -> MutexGuard<'_, Store> {
        self.store()
    }

    pub fn reader_for_tests(&self) -> MutexGuard<'_, Store> {
        self.reader()
    }
}

/// The real hosts of each provider's API.
pub fn default_base_url(provider: Provider) -> &'static str {
    match provider {
        Provider::Greenhouse => "https://harvest.greenhouse.io/v3",
        Provider::Lever => "https://api.lever.co/v1",
        Provider::Ashby => "https://api.ashbyhq.com",
    }
}

/// How a sync request ended.
#[derive(Debug)]
pub enum SyncOutcome {
    Ran(RunReport),
    /// Another sync of the same connection was running; this request waited for it.
    Joined,
}

impl App {
    pub fn open(data_dir: &Path) -> Result<App> {
        App::open_with_readers(data_dir, READERS)
    }

    /// [`App::open`] with `readers` read-only connections; 0 makes every read wait for the
    /// writer's lock as before issue 14 (the bench measures both in one run).
    pub fn open_with_readers(data_dir: &Path, readers: usize) -> Result<App> {
        App::open_with(data_dir, readers, Vault::new())
    }

    /// An app whose credentials live in `vault` (tests about something else than the keychain
    /// pass one backed by memory).
    pub fn open_with_vault(data_dir: &Path, vault: Vault) -> Result<App> {
        App::open_with(data_dir, READERS, vault)
    }

    fn open_with(data_dir: &Path, readers: usize, vault: Vault) -> Result<App> {
        let store = Store::open_dir(data_dir)?;
        let readers =
            (0..readers).map(|_| Store::open_reader(store.path()).map(Mutex::new)).collect::<Result<Vec<_>>>()?;
        Ok(App {
            data_dir: data_dir.to_path_buf(),
            store: Mutex::new(store),
            vault,
            sandboxes: tokio::sync::Mutex::new(HashMap::new()),
            runs: Mutex::new(HashMap::new()),
            file_steps: Mutex::new(HashMap::new()),
            pushes: Mutex::new(HashMap::new()),
            readers,
            next_reader: Default::default(),
            writing: Mutex::new(0),
            pacers: Mutex::new(HashMap::new()),
            extractor: TextExtractor::registered(),
        })
    }

    /// Reads resume text with `extractor` (tests: the built binary, or tighter bounds); `None`
    /// reads none.
    pub fn with_text_extractor(mut self, extractor: Option<TextExtractor>) -> App {
        self.extractor = extractor;
        self
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The store, locked. Hold it briefly: the UI and sync share it. Only the use cases hold it:
    /// the front doors call them (tests reach it through `test-hooks`).
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        // A panic while holding the lock leaves SQLite consistent (transactions roll back), so
        // a poisoned lock is safe to keep using.
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A read-only connection, for reads that must not wait while a sync or a push holds the
    /// writer (a sync holds it for a group of pages at a time). It sees the last commit. The
    /// first free one, so that one at a time the window reads through the same warm page cache
    /// (and the same kept counts, [`Store::counts`]); else the next in turn.
    pub(crate) fn reader(&self) -> MutexGuard<'_, Store> {
        use std::sync::atomic::Ordering;
        let n = self.readers.len();
        if n == 0 {
            return self.store();
        }
        for reader in &self.readers {
            if let Ok(guard) = reader.try_lock() {
                return guard;
            }
        }
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        self.readers[start % n].lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A talent's local id from its id in the ATS.
    pub fn talent_id(&self, connection_id: i64, remote_id: &str) -> Result<i64> {
        self.reader().talent_id(connection_id, remote_id)
    }

    /// The connection a person names (the CLI's way in; the window works with ids).
    pub fn connection_named(&self, name: &str) -> Result<Connection> {
        self.reader().require_connection(name)
    }

    pub fn connection(&self, connection_id: i64) -> Result<Connection> {
        self.reader().connection(connection_id)
    }

    /// One connection's health.
    pub fn status_of(&self, connection_id: i64, now: DateTime<Utc>) -> Result<ConnectionStatus> {
        let store = self.reader();
        status::of(&store, store.connection(connection_id)?, now)
    }

    /// The connection a downloaded (or listed) file belongs to.
    pub fn file_connection(&self, file_id: i64) -> Result<i64> {
        Ok(self.reader().stored_file(file_id)?.connection_id)
    }

    /// The connection a talent (by local id) belongs to.
    pub fn talent_connection(&self, talent_id: i64) -> Result<i64> {
        self.reader().talent_connection(talent_id)
    }

    /// The connection a queued change belongs to.
    pub fn outbox_connection(&self, outbox_id: i64) -> Result<i64> {
        self.reader().outbox_connection(outbox_id)
    }

    /// Every connection, oldest first.
    pub fn connections(&self) -> Result<Vec<Connection>> {
        self.reader().connections()
    }

    pub fn status(&self, now: DateTime<Utc>) -> Result<Vec<ConnectionStatus>> {
        status::all(&self.reader(), now)
    }

    pub fn list_jobs(&self, connection_id: Option<i64>, include_archived: bool) -> Result<Vec<JobRow>> {
        self.reader().list_jobs(connection_id, include_archived)
    }

    pub fn search_talents(&self, connection_id: Option<i64>, query: &str, limit: u32) -> Result<Vec<TalentRow>> {
        self.reader().search_talents(connection_id, query, limit.clamp(1, 1000))
    }

    /// Likely duplicates across every connection, pair by pair with their evidence.
    pub fn duplicates(&self) -> Result<Vec<DuplicatePair>> {
        self.reader().duplicate_pairs()
    }

    /// The records that may be (or were linked as) the same person as talent `talent_id`.
    pub fn duplicates_of(&self, talent_id: i64) -> Result<Vec<DuplicateOf>> {
        self.reader().duplicates_of(talent_id)
    }

    /// "Not a duplicate": the pair is not suggested again, across syncs.
    pub fn mark_not_duplicate(&self, a: i64, b: i64, now: DateTime<Utc>) -> Result<()> {
        self.store().mark_not_duplicate(a, b, now)
    }

    /// "Same person": links the two records locally (the ATS keeps both; merge there if wanted).
    pub fn link_same_person(&self, a: i64, b: i64, now: DateTime<Utc>) -> Result<()> {
        self.store().link_same_person(a, b, now)
    }

    /// Undoes "same person" for talent `talent_id`.
    pub fn unlink(&self, talent_id: i64) -> Result<()> {
        self.store().unlink(talent_id)
    }

    pub fn log(&self, connection_id: Option<i64>, limit: u32) -> Result<Vec<LogEntry>> {
        self.reader().log_entries(connection_id, limit)
    }

    /// The most recent sync runs (of one connection or all), newest first, with counts per resource.
    pub fn runs(&self, connection_id: Option<i64>, limit: u32) -> Result<Vec<SyncRun>> {
        self.reader().sync_runs(connection_id, limit)
    }

    pub fn export(
        &self,
        kind: ExportKind,
        connection: Option<&str>,
        emit: impl FnMut(serde_json::Value) -> Result<()>,
    ) -> Result<()> {
        self.store().export(kind, connection, emit)
    }

    /// Verifies `input`'s credential against the ATS (one cheap request per permission needed)
    /// and only then records the connection and puts the secret in the keychain. A wrong
    /// credential records nothing.
    pub async fn connect(&self, input: ConnectInput, now: DateTime<Utc>) -> Result<Connection> {
        let name = input.name.trim().to_string();
        if name.is_empty() {
            return Err(Error::Validation("give the connection a name".into()));
        }
        if self.store().connection_by_name(&name)?.is_some() {
            return Err(Error::Conflict(format!("a connection named {name:?} already exists; pick another name")));
        }
        let mut settings = ConnectionSettings::default();
        if input.provider == Provider::Greenhouse {
            for (field, value, slot) in [
                ("client_id", &input.client_id, &mut settings.client_id),
                ("user_id", &input.user_id, &mut settings.user_id),
            ] {
                match value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                    Some(v) => *slot = Some(v.to_string()),
                    None => {
                        return Err(Error::Validation(format!(
                            "Greenhouse needs --{} (the Harvest v3 OAuth {})",
                            field.replace('_', "-"),
                            field.replace('_', " ")
                        )))
                    }
                }
            }
        }
        // Lever credits writes to the user named by `perform_as` (optional; without it Lever
        // credits the API key's owner).
        if input.provider == Provider::Lever {
            settings.perform_as = input.user_id.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        }
        let kind = credential_kind(input.provider);
        let base_url = input.base_url.clone().unwrap_or_else(|| default_base_url(input.provider).to_string());
        let auth_url = if input.provider == Provider::Greenhouse { input.auth_url.clone() } else { None };
        let (secret, connector) =
            verified(input.provider, &base_url, auth_url.as_deref(), &settings, &input.secret).await?;
        let pacer = connector.pacer();
        let vault_key = new_vault_key();
        settings.vault_key = Some(vault_key.clone());
        self.vault.put(&vault_key, &Credential::new(kind, secret))?;
        let created = self.store().create_connection(
            &NewConnection { name, provider: input.provider, base_url, auth_url, settings, sandbox: false },
            now,
        );
        match &created {
            Ok(c) => {
                self.pacers.lock().unwrap_or_else(|p| p.into_inner()).insert(c.id, pacer);
            }
            Err(_) => {
                let _ = self.vault.delete(&vault_key);
            }
        }
        created
    }

    /// The credential the keychain holds for `conn`, if any.
    pub fn credential_of(&self, conn: &Connection) -> Result<Option<Credential>> {
        match vault_key_of(conn) {
            Some(key) => self.vault.get(key),
            None => Ok(None),
        }
    }

    /// The connector for a stored connection, with its secret from the vault.
    pub fn connector_for(&self, conn: &Connection) -> Result<Box<dyn Connector>> {
        let credential = self.credential_of(conn)?.ok_or_else(|| {
            Error::Unauthorized(format!(
                "no credential is stored for {:?}; run `talentdeck reconnect {:?}` with a new one",
                conn.name, conn.name
            ))
        })?;
        let mut connector = ats::connector(
            conn.provider,
            Endpoint {
                base_url: conn.base_url.clone(),
                auth_url: conn.auth_url.clone(),
                settings: conn.settings.clone(),
                secret: credential.secret,
            },
        );
        let mut pacers = self.pacers.lock().unwrap_or_else(|p| p.into_inner());
        match pacers.get(&conn.id) {
            Some(p) => connector.share_pacer(p.clone()),
            None => {
                pacers.insert(conn.id, connector.pacer());
            }
        }
        Ok(connector)
    }

    /// Syncs connection `id` (incrementally unless `full`). If a sync of it is already
    /// running, waits for that one instead of starting another.
    pub async fn sync(
        &self,
        id: i64,
        full: bool,
        trigger: Trigger,
        progress: &(dyn Fn(&Progress) + Sync),
    ) -> Result<SyncOutcome> {
        let slot = slot(&self.runs, id);
        let busy = slot.try_lock().is_err();
        let _running = slot.lock().await;
        if busy {
            // A sync was running when we were asked; having waited for it, we are up to date.
            return Ok(SyncOutcome::Joined);
        }
        let conn = self.store().connection(id)?;
        if conn.state == ConnectionState::Disconnected {
            return Err(Error::Validation(format!(
                "{:?} is disconnected: its imported data stays browsable but is no longer synced. \
                 Run `talentdeck reconnect {:?}` with a credential (on stdin) to sync it again",
                conn.name, conn.name
            )));
        }
        let connector = match self.connector_for(&conn) {
            Ok(c) => c,
            Err(e) => {
                // No stored credential: needs_reconnect; a keychain that cannot be read: error.
                let to = lifecycle::state_after_run(Some(&e));
                lifecycle::transition(&mut self.store(), id, to, Some(&e.to_string()), None, Utc::now())?;
                return Err(e);
            }
        };
        let _writing = Writing::start(self);
        let report =
            sync::run(&self.store, &conn, connector.as_ref(), &SyncOptions { full, trigger }, progress).await?;
        self.remember_pace(&conn, connector.as_ref());
        if report.error.is_none() {
            self.after_pull(id, connector.as_ref()).await;
        }
        // Records the run deleted take their downloaded files with them, now, not at the next
        // file step.
        if let Err(e) = files::sweep(&self.store, &self.data_dir, id) {
            tracing::warn!(connection = id, error = %e, "could not sweep deleted files");
        }
        self.release_memory();
        Ok(SyncOutcome::Ran(report))
    }

    /// The first sync to start maps the readers' file, the last to end unmaps it (under the
    /// count's lock, so a sync starting as another ends cannot be left unmapped).
    fn map_readers(&self, delta: isize) {
        let mut running = self.writing.lock().unwrap_or_else(|p| p.into_inner());
        let before = *running;
        *running = before.saturating_add_signed(delta);
        if (before == 0) == (*running == 0) {
            return;
        }
        for reader in &self.readers {
            let reader = reader.lock().unwrap_or_else(|p| p.into_inner());
            if let Err(e) = reader.map_file(*running > 0) {
                tracing::debug!(error = %e, "could not change how a reader reads the file");
            }
        }
    }

    /// After a sync, gives back what it used: the writer's page cache (up to 32 MiB, read again
    /// from the OS's file cache if the next sync needs it) and, on glibc, the free pages of the
    /// system heap SQLite allocates from, which otherwise stay with the process for as long as
    /// the window is open. (The binary gives Rust's own allocations to jemalloc, which returns
    /// its free pages by itself.)
    fn release_memory(&self) {
        if let Err(e) = self.store().release_memory() {
            tracing::debug!(error = %e, "could not release the store's cache");
        }
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only returns free heap pages to the OS; it takes the allocator's
        // own locks.
        unsafe {
            libc::malloc_trim(0);
        }
    }

    /// Keeps what the connection's pacer learned from 429s with the connection, so the next run,
    /// after a restart too, starts at the account's real pace instead of drawing 429s to find it.
    fn remember_pace(&self, conn: &Connection, connector: &dyn Connector) {
        let learned = connector.pacer().lock().unwrap_or_else(|p| p.into_inner()).learned();
        if learned == conn.settings.learned_pace {
            return;
        }
        if let Err(e) = self.store().update_connection_settings(conn.id, |s| s.learned_pace = learned, Utc::now()) {
            tracing::warn!(connection = conn.id, error = %e, "could not keep the learned request pace");
        }
    }

    /// Fetches the next slice of connection `id`'s files into the data folder (see
    /// [`crate::sync::files`]) and notes what it did in the sync log. `None` when a step for it
    /// is already running or the connection cannot be reached with a credential.
    pub async fn fetch_files(&self, id: i64, limits: &FileLimits) -> Result<Option<FilesReport>> {
        let slot = slot(&self.file_steps, id);
        let Ok(_running) = slot.try_lock() else {
            return Ok(None);
        };
        let conn = self.store().connection(id)?;
        if conn.state.awaits_credential() {
            return Ok(None);
        }
        let connector = self.connector_for(&conn)?;
        let report =
            files::step(&self.store, &self.data_dir, id, connector.as_ref(), limits, self.extractor.as_ref()).await?;
        let now = Utc::now();
        let mut store = self.store();
        if report.eventful() {
            let msg = format!("files: {}", report.summary());
            let stopped = report.stopped.as_ref().map(|e| format!("stopped early: {e}"));
            let level = if stopped.is_some() || report.failed > 0 { LogLevel::Warning } else { LogLevel::Info };
            store.log(Some(id), None, level, &msg, stopped.as_deref(), now)?;
        }
        // One warning per file, so the recruiter knows which resume search cannot see into;
        // a step's worth at most, however many a hostile batch of files holds.
        const NAMED: usize = 20;
        for (name, why) in report.unreadable.iter().take(NAMED) {
            let msg = format!("files: the text of {name:?} could not be read for search: {why}");
            store.log(Some(id), None, LogLevel::Warning, &msg, None, now)?;
        }
        if report.unreadable.len() > NAMED {
            let msg = format!(
                "files: the text of {} more files could not be read for search",
                report.unreadable.len() - NAMED
            );
            store.log(Some(id), None, LogLevel::Warning, &msg, None, now)?;
        }
        if let Some(Error::Unauthorized(why)) = &report.stopped {
            lifecycle::transition(&mut store, id, ConnectionState::NeedsReconnect, Some(why), None, now)?;
        }
        Ok(Some(report))
    }

    /// The local copy of file `file_id` (an attachment's local id), downloaded now if needed.
    /// Offline, a file downloaded before still opens; one never downloaded says why not.
    pub async fn open_file(&self, file_id: i64, limits: &FileLimits) -> Result<PathBuf> {
        let stored = self.store().stored_file(file_id)?;
        if let Some(path) = files::local_copy(&self.data_dir, &stored) {
            return Ok(path);
        }
        let conn = self.store().connection(stored.connection_id)?;
        if conn.state == ConnectionState::Disconnected {
            return Err(Error::Validation(format!(
                "{:?} was not downloaded before {:?} was disconnected; reconnect it to fetch the file",
                stored.attachment.filename, conn.name
            )));
        }
        let connector = self.connector_for(&conn)?;
        files::fetch_one(&self.store, &self.data_dir, &stored, connector.as_ref(), limits).await
    }

    /// The bytes of file `file_id` for the in-app preview, downloaded first like
    /// [`App::open_file`]: only a file Talentdeck downloaded into its data folder, found by its
    /// id (the webview never names a path), at most `max_bytes` of it, and only a PDF or an image
    /// (known by its first bytes, not its name: the preview renders what it is given).
    pub async fn preview_file(&self, file_id: i64, limits: &FileLimits, max_bytes: u64) -> Result<Vec<u8>> {
        use tokio::io::AsyncReadExt;
        let path = self.open_file(file_id, limits).await?;
        let name = self.reader().stored_file(file_id)?.attachment.filename;
        let too_large = |size: u64| {
            Error::TooLarge(format!(
                "{name:?} is {:.1} MB; previews stop at {} MB: open it with the system app",
                size as f64 / 1_048_576.0,
                max_bytes / 1_048_576
            ))
        };
        let size = tokio::fs::metadata(&path).await?.len();
        if size > max_bytes {
            return Err(too_large(size));
        }
        let mut bytes = Vec::new();
        // Read under the cap too: the size above is a moment's truth.
        tokio::fs::File::open(&path).await?.take(max_bytes + 1).read_to_end(&mut bytes).await?;
        if bytes.len() as u64 > max_bytes {
            return Err(too_large(bytes.len() as u64));
        }
        if preview_kind(&bytes).is_none() {
            return Err(Error::Validation(format!(
                "{name:?} is not a PDF or an image Talentdeck can show; open it with the system app"
            )));
        }
        Ok(bytes)
    }

    /// A talent's files (by the talent's local id): their file lists are read first where the
    /// provider lists them per application (Lever) and the connection is reachable.
    pub async fn talent_files(&self, talent_id: i64) -> Result<Vec<StoredFile>> {
        let cid = self.store().talent_connection(talent_id)?;
        let conn = self.store().connection(cid)?;
        if !conn.state.awaits_credential() {
            let connector = self.connector_for(&conn)?;
            if let Err(e) = files::list_talent_files(&self.store, cid, talent_id, connector.as_ref()).await {
                // Offline or refused: what is stored is still worth showing.
                tracing::warn!(talent = talent_id, error = %e, "could not read the talent's file lists");
            }
        }
        self.reader().files_of_talent(talent_id)
    }

    /// The connections whose automatic sync is due at `now` (the rule is in [`crate::schedule`]).
    pub fn due_for_sync(&self, now: DateTime<Utc>) -> Result<Vec<i64>> {
        crate::schedule::due(&self.store(), now)
    }

    /// Sets how often connection `id` syncs on its own, in minutes; 0 turns automatic sync off.
    pub fn set_sync_interval(&self, id: i64, minutes: u32, now: DateTime<Utc>) -> Result<ConnectionStatus> {
        let minutes = crate::schedule::checked_minutes(minutes)?;
        let mut store = self.store();
        let conn = store.update_connection_settings(id, |s| s.sync_interval_minutes = Some(minutes), now)?;
        status::of(&store, conn, now)
    }

    /// Replaces the credential of connection `connection_id` (after a 401, a rotated key, a
    /// revoked client secret). The new one is verified first, permissions included; if it is
    /// refused nothing changes. Cursors are kept, so the next sync resumes where the last one
    /// stopped instead of starting over.
    pub async fn reconnect(&self, connection_id: i64, input: ReconnectInput, now: DateTime<Utc>) -> Result<Connection> {
        let conn = self.reader().connection(connection_id)?;
        if conn.sandbox {
            return Err(Error::Validation(format!(
                "{:?} is a sandbox connection: its credential comes from the built-in sandbox, there is nothing to reconnect",
                conn.name
            )));
        }
        let mut settings = conn.settings.clone();
        if conn.provider == Provider::Greenhouse {
            for (value, slot) in [(&input.client_id, &mut settings.client_id), (&input.user_id, &mut settings.user_id)]
            {
                if let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                    *slot = Some(v.to_string());
                }
            }
        }
        let (secret, connector) =
            verified(conn.provider, &conn.base_url, conn.auth_url.as_deref(), &settings, &input.secret).await?;
        // A sync still running with the old secret finishes first; its outcome is then superseded.
        let slot = slot(&self.runs, conn.id);
        let _running = slot.lock().await;
        let vault_key = match vault_key_of(&conn) {
            Some(k) => k.to_string(),
            None => new_vault_key(),
        };
        settings.vault_key = Some(vault_key.clone());
        self.vault.put(&vault_key, &Credential::new(credential_kind(conn.provider), secret))?;
        // Another credential may have another budget: start from what verifying it learned.
        self.pacers.lock().unwrap_or_else(|p| p.into_inner()).insert(conn.id, connector.pacer());
        let mut store = self.store();
        if settings != conn.settings {
            store.update_connection_endpoint(conn.id, &conn.base_url, conn.auth_url.as_deref(), &settings, now)?;
        }
        lifecycle::transition(
            &mut store,
            conn.id,
            ConnectionState::Connected,
            Some("reconnected with a new credential, which was verified"),
            None,
            now,
        )?;
        store.connection(conn.id)
    }

    /// Disconnects connection `connection_id`: its keychain entry is deleted and it is no longer synced. Its
    /// imported records stay browsable (read-only, the connection shown as `disconnected`)
    /// unless `purge`, which deletes them and the connection itself (its name becomes free; a
    /// line in the sync log records the purge). Returns the local counts kept or purged.
    pub async fn disconnect(
        &self,
        connection_id: i64,
        purge: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<(&'static str, i64)>> {
        let conn = self.reader().connection(connection_id)?;
        let slot = slot(&self.runs, conn.id);
        let _running = slot.lock().await;
        // The secret goes first: if the keychain refuses, nothing else changes and the user is told.
        if let Some(key) = vault_key_of(&conn) {
            self.vault.delete(key)?;
        }
        if let Some(sandbox) = self.sandboxes.lock().await.remove(&conn.id) {
            sandbox.shutdown().await;
        }
        let mut store = self.store();
        let counts = store.counts(conn.id)?;
        if purge {
            files::remove_all(&self.data_dir, conn.id)?;
            store.delete_connection(conn.id)?;
            let total: i64 = counts.iter().map(|(_, n)| n).sum();
            store.log(
                None,
                None,
                LogLevel::Info,
                &format!("{:?} ({}) was disconnected and its {total} local records purged", conn.name, conn.provider),
                None,
                now,
            )?;
        } else {
            lifecycle::transition(
                &mut store,
                conn.id,
                ConnectionState::Disconnected,
                Some("disconnected by the user: the credential was removed from the keychain; imported data stays browsable, read-only"),
                None,
                now,
            )?;
        }
        Ok(counts)
    }

    /// The diagnostics bundle (see [`crate::diagnose`]).
    pub fn diagnose(&self, connection_id: Option<i64>, now: DateTime<Utc>) -> Result<serde_json::Value> {
        crate::diagnose::bundle(self, connection_id, now)
    }

    /// "Try with a sandbox ATS": starts the built-in simulator of `provider` on a loopback
    /// port and connects to it like to a real account.
    pub async fn start_sandbox(&self, provider: Provider, now: DateTime<Utc>) -> Result<ConnectionStatus> {
        self.start_sandbox_with(SandboxConfig::new(provider), now).await
    }

    /// [`App::start_sandbox`] with a simulator of another size or seed (benchmarks). A restart
    /// ([`App::resume_sandboxes`]) brings back the default size.
    pub async fn start_sandbox_with(&self, cfg: SandboxConfig, now: DateTime<Utc>) -> Result<ConnectionStatus> {
        let provider = cfg.provider;
        let seed = cfg.seed;
        let sandbox = Sandbox::start(cfg).await?;
        let info = sandbox.info().clone();
        let name = {
            let store = self.store();
            let base = format!("Sandbox {}", provider.display_name());
            let mut name = base.clone();
            let mut n = 2;
            while store.connection_by_name(&name)?.is_some() {
                name = format!("{base} {n}");
                n += 1;
            }
            name
        };
        let mut settings = sandbox_settings(&info.credentials, seed);
        let vault_key = new_vault_key();
        settings.vault_key = Some(vault_key.clone());
        let conn = self.store().create_connection(
            &NewConnection {
                name,
                provider,
                base_url: info.base_url.clone(),
                auth_url: info.auth_url.clone(),
                settings,
                sandbox: true,
            },
            now,
        )?;
        self.vault.hold_in_memory(&vault_key, sandbox_credential(provider, &info.credentials)?);
        self.sandboxes.lock().await.insert(conn.id, sandbox);
        status::of(&self.store(), conn, now)
    }

    /// Restarts the simulators behind existing sandbox connections (they live in-process, so a
    /// new app start needs new ones), pointing each connection at its new address.
    pub async fn resume_sandboxes(&self, now: DateTime<Utc>) -> Result<()> {
        let conns: Vec<_> = self.store().connections()?.into_iter().filter(|c| c.sandbox).collect();
        for c in conns {
            if self.sandboxes.lock().await.contains_key(&c.id) {
                continue;
            }
            let seed = c.settings.seed.unwrap_or(SandboxConfig::new(Provider::Greenhouse).seed);
            let mut cfg = SandboxConfig::new(c.provider);
            cfg.seed = seed;
            let sandbox = Sandbox::start(cfg).await?;
            let info = sandbox.info().clone();
            let vault_key = vault_key_of(&c).unwrap_or_default().to_string();
            let mut settings = sandbox_settings(&info.credentials, seed);
            settings.vault_key = Some(vault_key.clone());
            self.store().update_connection_endpoint(c.id, &info.base_url, info.auth_url.as_deref(), &settings, now)?;
            self.vault.hold_in_memory(&vault_key, sandbox_credential(c.provider, &info.credentials)?);
            self.sandboxes.lock().await.insert(c.id, sandbox);
        }
        Ok(())
    }
}

/// The non-secret settings of a sandbox connection (the Greenhouse client and user ids are
/// A secret a recruiter gave, checked the same way for connect and reconnect: not empty, then
/// verified against the ATS at the connection's endpoint, permissions included. Nothing is stored
/// until it passes.
async fn verified(
    provider: Provider,
    base_url: &str,
    auth_url: Option<&str>,
    settings: &ConnectionSettings,
    secret: &str,
) -> Result<(SecretString, Box<dyn Connector>)> {
    if secret.trim().is_empty() {
        return Err(Error::Validation("the API key / client secret is empty".into()));
    }
    let secret = SecretString::from(secret.trim().to_string());
    let endpoint = Endpoint {
        base_url: base_url.to_string(),
        auth_url: auth_url.map(str::to_string),
        settings: settings.clone(),
        secret: secret.clone(),
    };
    let connector = ats::connector(provider, endpoint);
    connector.verify().await?;
    Ok((secret, connector))
}

/// settings for real connections too).
fn sandbox_settings(credentials: &serde_json::Value, seed: u64) -> ConnectionSettings {
    let id = |k: &str| credentials.get(k).and_then(model::id_text);
    ConnectionSettings { seed: Some(seed), client_id: id("client_id"), user_id: id("user_id"), ..Default::default() }
}

fn sandbox_credential(provider: Provider, credentials: &serde_json::Value) -> Result<Credential> {
    let (kind, field) = match provider {
        Provider::Greenhouse => (CredentialKind::ClientSecret, "client_secret"),
        Provider::Lever | Provider::Ashby => (CredentialKind::ApiKey, "api_key"),
    };
    let secret = credentials
        .get(field)
        .and_then(|s| s.as_str())
        .ok_or_else(|| Error::Internal(format!("the sandbox did not report its {field}")))?;
    Ok(Credential::new(kind, SecretString::from(secret.to_string())))
}

/// What a connection to `provider` keeps in the keychain.
fn credential_kind(provider: Provider) -> CredentialKind {
    match provider {
        Provider::Greenhouse => CredentialKind::ClientSecret,
        Provider::Lever | Provider::Ashby => CredentialKind::ApiKey,
    }
}

/// The name of the connection's keychain entry.
pub fn vault_key_of(conn: &Connection) -> Option<&str> {
    conn.settings.vault_key.as_deref().filter(|k| !k.is_empty())
}

/// A stable, random name for a connection's keychain entry.
pub fn new_vault_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 12];
    rand::rng().fill_bytes(&mut bytes);
    format!("connection-{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// A sync in progress, for [`App::map_readers`]: counted from start to drop, on every way out.
struct Writing<'a>(&'a App);

impl<'a> Writing<'a> {
    fn start(app: &'a App) -> Writing<'a> {
        app.map_readers(1);
        Writing(app)
    }
}

impl Drop for Writing<'_> {
    fn drop(&mut self) {
        self.0.map_readers(-1);
    }
}
