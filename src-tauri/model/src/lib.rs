//! The normalized model: what every ATS provider is mapped into, what the store keeps,
//! what `export` emits and what the UI shows. Provider JSON never leaves the `ats` crate.
//! The bottom of the crate graph: it depends on no other Talentdeck crate (nor on clap or tauri).
//!
//! Types that cross into the UI derive `TS`; their TypeScript twins are generated into
//! `ui/src/lib/bindings/` by `cargo test` (ts-rs), never written by hand.

pub mod batch;
pub mod error;

pub use batch::{Batch, Deletion};
pub use error::{Error, Result};

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Times are stored and exported as RFC 3339 UTC with milliseconds, so text order is time order.
pub fn ts(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub fn parse_ts(s: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| Error::Store(format!("bad timestamp {s:?} in the database: {e}")))
}

/// A record's provider-specific fields (custom fields and the like), kept for the profile: the
/// text of a JSON object in the one form the store has always written, serde_json's for a
/// `Value` (compact, keys sorted). The store compares it to tell an updated record, so the form
/// never changes with the way it was read. Text rather than a `Value`: the connectors copy
/// most fields straight from the page's text, where a tree of every record's fields was built,
/// written out and dropped (2.5 G of a 100,000-talent full sync's 46.6 G instructions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extra(String);

impl Extra {
    /// Text already in the store's form, as the connectors' record reader writes it: each
    /// field's JSON copied where a `Value` of it would be written alike, written from one where
    /// not (its test compares the two ways on every kind of value).
    pub fn from_canonical_text(text: String) -> Extra {
        Extra(text)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<serde_json::Value> for Extra {
    fn from(v: serde_json::Value) -> Extra {
        // `to_string` of a `Value` (its `Display`) writes the same text through the formatter
        // piece by piece, twice the instructions.
        Extra(serde_json::to_string(&v).expect("a Value's keys are strings"))
    }
}

impl Serialize for Extra {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        serde_json::value::RawValue::from_string(self.0.clone()).map_err(serde::ser::Error::custom)?.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Extra, D::Error> {
        serde_json::Value::deserialize(d).map(Extra::from)
    }
}

/// A connection's non-secret settings, stored with it (the secret is in the keychain, under
/// `vault_key`). Every field is optional: what a provider does not use stays absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct ConnectionSettings {
    /// The name of the connection's keychain entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault_key: Option<String>,
    /// Greenhouse: the Harvest v3 OAuth client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// Greenhouse: the user the integration acts as (`On-Behalf-Of`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// Lever: the user writes are credited to (`perform_as`); absent, Lever credits the key's owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perform_as: Option<String>,
    /// Sandbox connections: the seed their data is generated from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "number | null")]
    pub seed: Option<u64>,
    /// Minutes between automatic syncs; 0 turns them off; absent, the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_interval_minutes: Option<u32>,
    /// The pace the account's 429s taught (providers without budget headers), so the next run
    /// starts there instead of at the documented limit; absent, nothing learned yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub learned_pace: Option<LearnedPace>,
}

/// A request rate learned from an account's answers, in thousandths of a request per second
/// (whole numbers, so the settings compare and serialise exactly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct LearnedPace {
    /// The pace the last run ended at.
    pub millirequests_per_second: u32,
    /// The pace that drew the latest 429 (the climb stays under it for a while), if any.
    pub limited_at: Option<u32>,
    /// The length of the account's window in milliseconds, where a 429's `Retry-After` measured
    /// one (Ashby): its budget then goes at once each window, `millirequests_per_second` times it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window_ms: Option<u32>,
}

/// An id in provider JSON as the text the model keeps: Greenhouse ids are integers, the others
/// strings (trimmed; an empty one is no id).
pub fn id_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// What `talentdeck export` writes (and the sandbox's oracle of what an export must hold).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Jobs,
    Stages,
    Talents,
    Applications,
}

impl ExportKind {
    pub const ALL: [ExportKind; 4] =
        [ExportKind::Jobs, ExportKind::Stages, ExportKind::Talents, ExportKind::Applications];

    pub fn as_str(self) -> &'static str {
        match self {
            ExportKind::Jobs => "jobs",
            ExportKind::Stages => "stages",
            ExportKind::Talents => "talents",
            ExportKind::Applications => "applications",
        }
    }

    pub fn parse(s: &str) -> Option<ExportKind> {
        ExportKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The ATS providers Talentdeck speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub enum Provider {
    Greenhouse,
    Lever,
    Ashby,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Greenhouse, Provider::Lever, Provider::Ashby];

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Greenhouse => "greenhouse",
            Provider::Lever => "lever",
            Provider::Ashby => "ashby",
        }
    }

    pub fn parse(s: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The name recruiters know the product by.
    pub fn display_name(self) -> &'static str {
        match self {
            Provider::Greenhouse => "Greenhouse",
            Provider::Lever => "Lever",
            Provider::Ashby => "Ashby",
        }
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
        #[serde(rename_all = "snake_case")]
        #[ts(export, export_to = "../ui/src/lib/bindings/")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// A job's state, normalized across providers.
    JobStatus { Open => "open", Closed => "closed", Draft => "draft", Archived => "archived" }
);

string_enum!(
    /// Where an application stands, normalized across providers.
    ApplicationStatus { Active => "active", Rejected => "rejected", Hired => "hired" }
);

string_enum!(
    /// The lifecycle of a connection to an ATS.
    ConnectionState {
        Connected => "connected",
        Syncing => "syncing",
        NeedsReconnect => "needs_reconnect",
        PermissionDenied => "permission_denied",
        Unreachable => "unreachable",
        Error => "error",
        Disconnected => "disconnected",
    }
);

impl ConnectionState {
    /// Whether the connection waits for the recruiter to give it a credential (disconnected, or
    /// its credential was refused): nothing can be fetched for it until then.
    pub fn awaits_credential(self) -> bool {
        matches!(self, ConnectionState::Disconnected | ConnectionState::NeedsReconnect)
    }
}

string_enum!(
    /// What started a sync run (shown in the sync log and the health view): a recruiter (the sync
    /// icon, `talentdeck sync`), the connection's schedule, the first sync after connecting, or the
    /// sync after a new credential.
    Trigger { Manual => "manual", Scheduled => "scheduled", Connect => "connect", Reconnect => "reconnect" }
);

string_enum!(
    /// How much a line of the sync log matters.
    LogLevel { Info => "info", Warning => "warning", Error => "error" }
);

string_enum!(
    /// The traffic light shown next to a connection.
    HealthIndicator { Green => "green", Yellow => "yellow", Red => "red", Syncing => "syncing" }
);

/// A job (Greenhouse job, Lever posting, Ashby job).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    pub remote_id: String,
    pub title: String,
    pub status: JobStatus,
    pub department: Option<String>,
    pub location: Option<String>,
    pub updated_at: DateTime<Utc>,
    /// Provider-specific fields kept verbatim as JSON (custom fields etc.).
    pub extra: Extra,
    /// The job's description and pay as this read of it knows them. `None`: this read says
    /// nothing about them (Greenhouse and Ashby keep them on posts read apart from the job, or a
    /// posting could not be read), so the store keeps what it has; `Some`: they are exactly
    /// these (an empty description included), as with Lever, whose posting is the job.
    #[serde(default)]
    pub details: Option<JobDetails>,
}

/// A job's description and pay range, from the ATS's job post (posting).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct JobDetails {
    /// The job's description as the ATS's HTML; the store keeps only a sanitised copy.
    pub description_html: Option<String>,
    /// The pay range as a recruiter reads it ("USD 60,000–90,000 a year"), where the ATS has one.
    pub compensation: Option<String>,
}

/// A pipeline stage. `job_remote_id` is `None` where the provider's pipeline is account-wide (Lever).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stage {
    pub remote_id: String,
    pub job_remote_id: Option<String>,
    pub name: String,
    pub position: i64,
    /// The provider's own type of the stage where it has one (Ashby: `Lead`, `Active`, `Offer`,
    /// `Hired`, `Archived`); it helps suggest the mapping onto Talentdeck's pipeline.
    pub ats_type: Option<String>,
}

/// A reason the ATS accepts for a rejection: Greenhouse rejection reasons, Lever and Ashby
/// archive reasons. Synced like stages, so a recruiter can reject offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct RejectionReason {
    pub remote_id: String,
    pub name: String,
}

/// A note on a talent as the ATS lists it (read to tell whether a note whose answer was lost
/// arrived after all: no provider's note endpoint is idempotent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemoteNote {
    pub remote_id: String,
    pub body: String,
    /// The author's name where the provider gives one with the note (Ashby); Greenhouse and
    /// Lever give only a user id, which is not shown.
    #[serde(default)]
    pub author: Option<String>,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
}

/// A person as the provider sees them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Talent {
    pub remote_id: String,
    /// The display name as the ATS shows it.
    pub name: String,
    /// `None` where the provider has a single name field.
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub tags: Vec<String>,
    pub updated_at: DateTime<Utc>,
    pub extra: Extra,
}

/// A talent's candidacy for a job (or a prospect with no job).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub remote_id: String,
    pub talent_remote_id: String,
    pub job_remote_id: Option<String>,
    pub stage_remote_id: Option<String>,
    pub stage_name: Option<String>,
    pub status: ApplicationStatus,
    pub updated_at: DateTime<Utc>,
    pub extra: Extra,
}

/// One stay of an application in a stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageChange {
    pub application_remote_id: String,
    pub stage_remote_id: String,
    pub stage_name: Option<String>,
    pub entered_at: DateTime<Utc>,
    pub exited_at: Option<DateTime<Utc>>,
}

/// Metadata of a file attached to a talent (resume, cover letter, …). The bytes are fetched lazily.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub remote_id: String,
    pub talent_remote_id: String,
    pub application_remote_id: Option<String>,
    pub filename: String,
    /// `resume`, `cover_letter`, `other`.
    pub kind: String,
    /// Where the provider serves the bytes: a signed link that expires (Greenhouse), the API
    /// download path (Lever), or the file handle that `file.info` turns into a link (Ashby).
    pub url: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The resources a sync pulls, in dependency order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub enum Resource {
    Jobs,
    Stages,
    Talents,
    Applications,
    StageHistory,
    Attachments,
}

impl Resource {
    pub const ALL: [Resource; 6] = [
        Resource::Jobs,
        Resource::Stages,
        Resource::Talents,
        Resource::Applications,
        Resource::StageHistory,
        Resource::Attachments,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Jobs => "jobs",
            Resource::Stages => "stages",
            Resource::Talents => "talents",
            Resource::Applications => "applications",
            Resource::StageHistory => "stage_history",
            Resource::Attachments => "attachments",
        }
    }

    pub fn parse(s: &str) -> Option<Resource> {
        Resource::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// A connection to one ATS account, as the UI and the CLI see it. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct Connection {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub provider: Provider,
    pub base_url: String,
    /// Greenhouse's OAuth token endpoint; `None` for API-key providers.
    pub auth_url: Option<String>,
    /// Non-secret settings (Greenhouse client id and acting user id, …).
    pub settings: ConnectionSettings,
    pub state: ConnectionState,
    /// True for connections to the built-in sandbox ATS.
    pub sandbox: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row of the Jobs page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct JobRow {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub connection_id: i64,
    pub connection: String,
    pub remote_id: String,
    pub title: String,
    pub status: JobStatus,
    pub department: Option<String>,
    pub location: Option<String>,
    pub updated_at: DateTime<Utc>,
    #[ts(type = "number")]
    pub active_applications: i64,
}

/// A row of the Talents page (and of a search result).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct TalentRow {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub connection_id: i64,
    pub connection: String,
    pub remote_id: String,
    pub name: String,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub company: Option<String>,
    pub title: Option<String>,
    pub tags: Vec<String>,
    pub updated_at: DateTime<Utc>,
    #[ts(type = "number")]
    pub applications: i64,
    /// Resumes first, newest first.
    pub files: Vec<FileRef>,
    /// Other records linked to this one as the same person (shown as "+N records"); the row is
    /// the most recently updated of them.
    #[ts(type = "number")]
    #[serde(default)]
    pub linked_records: i64,
}

/// A file attached to a talent, as the Talents page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct FileRef {
    /// The attachment's local id (what `open_file` takes).
    #[ts(type = "number")]
    pub id: i64,
    pub filename: String,
    /// `resume`, `cover_letter`, `other`.
    pub kind: String,
    #[ts(type = "number | null")]
    pub size_bytes: Option<i64>,
    /// The bytes are in the data folder: it opens offline.
    pub downloaded: bool,
    /// Why the last download failed (the file is not retried until the ATS has a new version).
    pub error: Option<String>,
}

string_enum!(
    /// What a Talentdeck pipeline stage means: still in play, hired, or rejected.
    PipelineStageKind { Active => "active", Hired => "hired", Rejected => "rejected" }
);

/// A stage of Talentdeck's own pipeline (the same for every connection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct PipelineStage {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    #[ts(type = "number")]
    pub position: i64,
    pub kind: PipelineStageKind,
}

string_enum!(
    /// What a queued local change asks the ATS to do.
    OutboxKind { Move => "move", Reject => "reject", Note => "note" }
);

string_enum!(
    /// Where a queued change stands. `pending` waits to be pushed; `sent` is in the ATS;
    /// `conflict` waits for the recruiter (the ATS moved the application meanwhile); `failed`
    /// was refused by the ATS for a reason the row names.
    OutboxState { Pending => "pending", Sent => "sent", Conflict => "conflict", Failed => "failed" }
);

/// One queued local change, as `talentdeck outbox --json` and the UI show it. Stages are the
/// ATS's stage ids, each with its name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct OutboxRow {
    #[ts(type = "number")]
    pub id: i64,
    pub connection: String,
    pub kind: OutboxKind,
    pub application_remote_id: Option<String>,
    pub talent_remote_id: Option<String>,
    pub state: OutboxState,
    /// The stage the recruiter saw when making the change.
    pub from_stage: Option<String>,
    pub from_stage_name: Option<String>,
    pub to_stage: Option<String>,
    pub to_stage_name: Option<String>,
    /// What the ATS held when the conflict was found.
    pub ats_stage: Option<String>,
    pub ats_stage_name: Option<String>,
    /// Rejection reason id and name.
    pub reason: Option<String>,
    pub reason_name: Option<String>,
    /// A note's text, exactly as typed.
    pub body: Option<String>,
    pub error: Option<String>,
    #[ts(type = "number")]
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// One application on a job's board: where it sits in the ATS and in Talentdeck's pipeline,
/// with queued changes applied (a move the recruiter just made shows at once).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct BoardCard {
    pub application_remote_id: String,
    pub talent_remote_id: String,
    /// The talent's local id (what `talent_profile` takes); `None` if the talent is not synced.
    #[ts(type = "number | null")]
    pub talent_id: Option<i64>,
    /// The talent's name as the ATS gives it (plain text; may hold markup characters).
    pub talent_name: String,
    pub ats_stage_id: Option<String>,
    pub ats_stage_name: Option<String>,
    pub status: ApplicationStatus,
    /// The Talentdeck stage through the job's mapping (rejected/hired: the pipeline's
    /// rejected/hired stage); `None`: the ATS stage is unmapped.
    #[ts(type = "number | null")]
    pub stage_id: Option<i64>,
    pub stage: Option<String>,
    /// Since when the application is in its current stage.
    pub in_stage_since: DateTime<Utc>,
    /// The newest move or rejection queued for this application, if any.
    #[ts(type = "number | null")]
    pub outbox_id: Option<i64>,
    pub outbox_kind: Option<OutboxKind>,
    pub outbox_state: Option<OutboxState>,
    pub outbox_error: Option<String>,
    /// For a conflict: the stage the recruiter asked for, and what the ATS held meanwhile.
    pub outbox_to_stage_name: Option<String>,
    pub outbox_ats_stage_name: Option<String>,
}

/// A job's page: its header, Talentdeck's pipeline (the board's columns) and its cards.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct JobBoard {
    pub job: JobRow,
    /// The job's description, sanitised in Rust when it was synced: the only HTML the window
    /// renders as HTML.
    pub description_html: Option<String>,
    pub compensation: Option<String>,
    pub stages: Vec<PipelineStage>,
    pub cards: Vec<BoardCard>,
}

/// A labelled value of a talent's profile (a custom field under the ATS's own name, a link).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct LabelledValue {
    pub label: String,
    pub value: String,
}

/// One stay of an application in an ATS stage, as the profile's timeline shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct StageStay {
    pub stage: String,
    pub entered_at: DateTime<Utc>,
    /// `None`: still there.
    pub exited_at: Option<DateTime<Utc>>,
    /// Whole days from entering to leaving (or to now, for the current stay).
    #[ts(type = "number")]
    pub days: i64,
}

/// A talent's application on the profile: where it stands in the ATS and in Talentdeck's
/// pipeline, and its stage history oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct ProfileApplication {
    pub remote_id: String,
    /// `None`: a prospect with no job.
    pub job_remote_id: Option<String>,
    pub job_title: Option<String>,
    pub ats_stage: Option<String>,
    /// The Talentdeck stage through the job's mapping; `None`: unmapped.
    pub stage: Option<String>,
    pub status: ApplicationStatus,
    pub rejection_reason: Option<String>,
    pub source: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub timeline: Vec<StageStay>,
    /// Whether "Open in ATS" can open this application (a web page of the provider exists).
    pub has_ats_page: bool,
}

/// Everything the talent profile shows that is stored locally (notes come separately).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct TalentProfile {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub connection_id: i64,
    pub connection: String,
    pub provider: Provider,
    pub remote_id: String,
    /// Plain text as the ATS gives it (may hold markup characters).
    pub name: String,
    pub title: Option<String>,
    pub company: Option<String>,
    pub emails: Vec<String>,
    pub phones: Vec<String>,
    pub tags: Vec<String>,
    pub links: Vec<LabelledValue>,
    pub source: Option<String>,
    /// Custom fields under the ATS's field names, values as text.
    pub custom_fields: Vec<LabelledValue>,
    /// When the ATS last changed the record.
    pub updated_at: DateTime<Utc>,
    /// When Talentdeck last wrote it from a sync.
    pub synced_at: DateTime<Utc>,
    /// Whether "Open in ATS" can open the candidate (sandbox records have no web page).
    pub has_ats_page: bool,
    pub applications: Vec<ProfileApplication>,
    /// Resumes first, newest first.
    pub files: Vec<FileRef>,
}

/// A note on a talent, as read from the ATS (plain text; may hold markup characters).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct ProfileNote {
    pub remote_id: String,
    pub body: String,
    pub author: Option<String>,
    pub created_at: Option<DateTime<Utc>>,
}

/// A talent's notes: fresh from the ATS, or the cached copy when it could not be reached.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct TalentNotes {
    /// Newest first.
    pub notes: Vec<ProfileNote>,
    /// When these notes were read from the ATS; `None`: never (nothing cached).
    pub fetched_at: Option<DateTime<Utc>>,
    /// The ATS was asked and did not answer (or refused): these are the cached notes.
    pub stale: bool,
    /// Why the ATS could not be read, for the recruiter.
    pub error: Option<String>,
}
