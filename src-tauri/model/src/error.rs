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

/// The stable codes the UI branches on (a TypeScript union there, so its `switch` is checked).
/// Never change an existing code's meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/lib/bindings/")]
pub enum ErrorCode {
    Validation,
    NotFound,
    Conflict,
    DataDir,
    Store,
    StoreTooNew,
    Unauthorized,
    PermissionDenied,
    RateLimited,
    Unreachable,
    InvalidResponse,
    KeychainUnavailable,
    ResyncRequired,
    TooLarge,
    Io,
    Internal,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Validation => "validation",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::DataDir => "data_dir",
            ErrorCode::Store => "store",
            ErrorCode::StoreTooNew => "store_too_new",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::PermissionDenied => "permission_denied",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Unreachable => "unreachable",
            ErrorCode::InvalidResponse => "invalid_response",
            ErrorCode::KeychainUnavailable => "keychain_unavailable",
            ErrorCode::ResyncRequired => "resync_required",
            ErrorCode::TooLarge => "too_large",
            ErrorCode::Io => "io",
            ErrorCode::Internal => "internal",
        }
    }
}

impl Error {
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Error::Validation(_) => ErrorCode::Validation,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::DataDir { .. } => ErrorCode::DataDir,
            Error::Store(_) => ErrorCode::Store,
            Error::StoreTooNew { .. } => ErrorCode::StoreTooNew,
            Error::Unauthorized(_) => ErrorCode::Unauthorized,
            Error::PermissionDenied(_) => ErrorCode::PermissionDenied,
            Error::RateLimited(_) => ErrorCode::RateLimited,
            Error::Unreachable(_) => ErrorCode::Unreachable,
            Error::InvalidResponse(_) => ErrorCode::InvalidResponse,
            Error::KeychainUnavailable(_) => ErrorCode::KeychainUnavailable,
            Error::ResyncRequired(_) => ErrorCode::ResyncRequired,
            Error::TooLarge(_) => ErrorCode::TooLarge,
            Error::Io(_) => ErrorCode::Io,
            Error::Internal(_) => ErrorCode::Internal,
        }
    }

    /// The code as the UI and the sync log spell it.
    pub fn code(&self) -> &'static str {
        self.error_code().as_str()
    }

    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload { code: self.error_code(), message: self.to_string() }
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
    pub code: ErrorCode,
    pub message: String,
}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.payload().serialize(s)
    }
}
