//! ATS providers: HTTP and provider JSON in, the normalized model out. Nothing here knows
//! SQLite; the sync engine (`sync`) carries pages from a [`Connector`] into the store.

pub mod ashby;
pub mod greenhouse;
pub mod http;
pub mod lever;
pub mod pace;
mod record;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use model::error::Result;

/// The store's `(updated_at, extra)` of the talents with the given remote ids (absent: never
/// written), for [`Connector::use_stored_talents`].
pub type StoredTalents = std::sync::Arc<
    dyn Fn(&[String]) -> Result<std::collections::HashMap<String, (DateTime<Utc>, serde_json::Value)>> + Send + Sync,
>;
use model::Batch;
use model::{Application, Attachment, Provider, RejectionReason, RemoteNote, Resource};

/// Where and as whom to connect. The secret is passed in, never stored here beyond the
/// connector's life.
#[derive(Clone)]
pub struct Endpoint {
    pub base_url: String,
    /// Greenhouse's OAuth token URL.
    pub auth_url: Option<String>,
    /// Non-secret settings: Greenhouse `client_id` and `user_id`, Lever `perform_as`.
    pub settings: model::ConnectionSettings,
    pub secret: SecretString,
}

/// What a pass over one resource asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Since {
    /// Every record.
    Everything,
    /// Records updated at or after this instant (the engine already subtracted its overlap).
    UpdatedSince(DateTime<Utc>),
    /// A provider's own incremental token (Ashby `syncToken`).
    Token(String),
}

/// One request for a page of a pass.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub resource: Resource,
    pub since: Since,
    /// The upper bound of the pass's time window (its start): records changed later belong to
    /// the next pass, so a record moving mid-pass is never skipped by id-ordered paging.
    pub until: DateTime<Utc>,
    /// `None` for a pass's first page; otherwise the `next` of the previous page, verbatim
    /// (it may have been stored across a crash).
    pub page: Option<String>,
}

/// A record that could not be read; the run goes on and reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub remote_id: Option<String>,
    pub field: String,
    pub reason: String,
}

/// One page of a pass, normalized.
#[derive(Debug, Default)]
pub struct Page {
    pub batch: Batch,
    pub skipped: Vec<Skipped>,
    /// The page after this one; `None` when the pass is complete.
    pub next: Option<String>,
    /// On a pass's last page, the provider's token for the next incremental pass (Ashby).
    pub sync_token: Option<String>,
    /// Remote ids listed by this page (for deletion reconciliation after a full pass), of the
    /// resource the pass is over; includes records that were skipped as malformed.
    pub listed: Vec<String>,
    /// What the page had to go without (a job posting it may not read), in words a recruiter
    /// can act on: the run logs each distinct one once, as a warning, and goes on.
    pub warnings: Vec<String>,
}

/// How a provider can tell what changed for a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incremental {
    /// A time filter on `updated_at`.
    UpdatedAt,
    /// An opaque token (Ashby).
    Token,
    /// Nothing: re-read the (small) list every time.
    None,
}

/// A placeholder id for write probes: no record has it, so a probe can never change anything.
pub(crate) const PROBE_ID: &str = "00000000-0000-0000-0000-000000000000";
/// The same for providers with numeric ids.
pub(crate) const PROBE_ID_NUMERIC: &str = "0";

/// Reads the answer to a write probe: a write that cannot succeed (an id that does not exist,
/// an empty body) sent to learn whether the credential may make it. A 403 means the permission
/// is missing (`Some(message)`); a 404/422 means the request got past the permission check to
/// the endpoint's own validation, so the permission is there. Other failures (401, network)
/// are errors. Assumes, as the providers' docs imply and the sandbox does, that permissions
/// are checked before the request body and ids (**unconfirmed** against the live APIs).
pub(crate) fn probe_denial(answer: Result<()>) -> Result<Option<String>> {
    match answer {
        Ok(()) | Err(model::error::Error::InvalidResponse(_)) => Ok(None),
        Err(model::error::Error::PermissionDenied(m)) => Ok(Some(m)),
        Err(e) => Err(e),
    }
}

/// The connector for `provider`, talking to `endpoint`.
pub fn connector(provider: Provider, endpoint: Endpoint) -> Box<dyn Connector> {
    let learned = endpoint.settings.learned_pace;
    let c: Box<dyn Connector> = match provider {
        Provider::Greenhouse => Box::new(greenhouse::Greenhouse::new(endpoint)),
        Provider::Lever => Box::new(lever::Lever::new(endpoint)),
        Provider::Ashby => Box::new(ashby::Ashby::new(endpoint)),
    };
    if let Some(l) = learned {
        c.pacer().lock().unwrap_or_else(|p| p.into_inner()).resume(&l);
    }
    c
}

#[async_trait]
pub trait Connector: Send + Sync {
    fn provider(&self) -> Provider;

    /// The resources a sync pulls, in the order their passes start.
    fn resources(&self) -> Vec<Resource>;

    fn incremental(&self, resource: Resource) -> Incremental;

    /// One cheap authenticated request that proves the credential works, then a check of each
    /// permission Talentdeck needs: the lists a sync reads, and the writes (stage changes,
    /// notes) probed without changing anything. One `PermissionDenied` names every missing one.
    async fn verify(&self) -> Result<()>;

    async fn page(&self, req: &PageRequest) -> Result<Page>;

    /// Before a run that resumes an interrupted pass, the engine hands over a way to read what
    /// the store holds of given talents: what the pages before the crash wrote. Lever needs it
    /// to know which opportunity each contact's talent came from without asking Lever again
    /// (which made a resumed pass cost three requests a page instead of one). Others ignore it.
    fn use_stored_talents(&self, _lookup: StoredTalents) {}

    /// The complete file list of one application, for providers whose sync passes do not carry
    /// file metadata: Lever lists resumes per opportunity, so reading them during a sync would
    /// cost a request per candidate; they are read lazily instead. `None`: the passes carry them.
    async fn files_of(&self, _application_remote_id: &str, _talent_remote_id: &str) -> Result<Option<Vec<Attachment>>> {
        Ok(None)
    }

    /// Starts the download of a file's bytes (renewing an expired link if the provider can):
    /// a 2xx response whose body the caller streams to disk under its own size limit.
    async fn open_file(&self, file: &Attachment) -> Result<reqwest::Response>;

    fn stats(&self) -> &http::Stats;

    /// The pace this connector's requests go at (see [`pace`]). The app hands one connection's
    /// pacer to every connector it makes for it, so connecting, syncs, file steps and pushes
    /// draw on one budget, and each starts at the pace the last one learned.
    fn pacer(&self) -> pace::SharedPacer;

    fn share_pacer(&mut self, pacer: pace::SharedPacer);

    // ---- writes (two-way sync) ----
    //
    // Writes are never retried blindly: a 429 or a refused connection (nothing reached the ATS)
    // may be retried by the connector; any other failure is returned at once, because a timeout
    // or a 502 may hide a write the ATS applied. The push worker re-reads and decides.
    // Errors: `Conflict` for a stale view the ATS itself refused (Greenhouse's `from_stage_id`),
    // `Validation` with the provider's own message for a write it refused (closed application,
    // unknown stage or reason), `NotFound` for a record gone from the ATS, `Unauthorized`,
    // `PermissionDenied`, `Unreachable` (no answer, or a 5xx: the write may or may not have
    // been applied), `RateLimited`.

    /// The application as the ATS holds it now: its job, stage and status, normalized exactly
    /// as a sync normalizes it. `NotFound` when the ATS no longer has it.
    async fn application(&self, remote_id: &str) -> Result<Application>;

    /// Moves `app` from `app.stage_remote_id` (the stage the move starts from, as the caller
    /// last saw it) to `to_stage_remote_id`, a stage of the same job's pipeline.
    async fn move_application(&self, app: &Application, to_stage_remote_id: &str) -> Result<()>;

    /// Rejects (archives) `app` with one of the ATS's reasons (`rejection_reasons`).
    async fn reject(&self, app: &Application, reason_remote_id: &str) -> Result<()>;

    /// Adds a note to a talent, exactly as typed (markup stays text). `application_remote_id`
    /// is the talent's most recent application (Lever notes live on an opportunity).
    async fn add_note(&self, talent: &str, application: Option<&str>, body: &str) -> Result<()>;

    /// The talent's notes in the ATS (same arguments as `add_note`).
    async fn notes(&self, talent: &str, application: Option<&str>) -> Result<Vec<RemoteNote>>;

    /// Every reason the ATS accepts for a rejection (a small list, read in full).
    async fn rejection_reasons(&self) -> Result<Vec<RejectionReason>>;
}
