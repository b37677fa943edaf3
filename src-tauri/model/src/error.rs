//! Typed errors of the core. Every error has a stable `code` the UI branches on and a message a
//! recruiter can act on; it crosses IPC as [`ErrorPayload`]. Secrets are redacted before any
//! error is built (see `redact`), so formatting an error can never leak one.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("the data folder {path} cannot be used: {reason}")]
    DataDir { path: String, reason: String },
    #[error("the local database could not be used: {0}")]
    Store(String),
    #[error("the local database was written by a newer Talentdeck (schema {found}, this build knows {known}); update Talentdeck")]
    StoreTooNew { found: usize, known: usize },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    PermissionDenied(String),
    #[error("{0}")]
    RateLimited(String),
    #[error("{0}")]
    Unreachable(String),
    #[error("{0}")]
    InvalidResponse(String),
    #[error("{0}")]
    KeychainUnavailable(String),
    /// The provider invalidated its incremental token: the next pass must be a full one.
    #[error("{0}")]
    ResyncRequired(String),
    /// A file larger than Talentdeck keeps offline.
    #[error("{0}")]
    TooLarge(String),
    #[error("{0}")]
    Io(String),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// The stable code the UI branches on. Never change an existing code's meaning.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Validation(_) => "validation",
            Error::NotFound(_) => "not_found",
            Error::Conflict(_) => "conflict",
            Error::DataDir { .. } => "data_dir",
            Error::Store(_) => "store",
            Error::StoreTooNew { .. } => "store_too_new",
            Error::Unauthorized(_) => "unauthorized",
            Error::PermissionDenied(_) => "permission_denied",
            Error::RateLimited(_) => "rate_limited",
            Error::Unreachable(_) => "unreachable",
            Error::InvalidResponse(_) => "invalid_response",
            Error::KeychainUnavailable(_) => "keychain_unavailable",
            Error::ResyncRequired(_) => "resync_required",
            Error::TooLarge(_) => "too_large",
            Error::Io(_) => "io",
            Error::Internal(_) => "internal",
        }
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload { code: self.code().to_string(), message: self.to_string() }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Store(e.to_string())
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e.to_string())
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Internal(format!("JSON: {e}"))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error as the UI receives it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.payload().serialize(s)
    }
}
