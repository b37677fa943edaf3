//! The `talentdeck` library: one name for the crates below the binary, so the CLI, the desktop
//! shell, the integration tests and the benches all reach the core by the same paths. The layers,
//! from the bottom (each a crate under `src-tauri/`; the crate graph enforces them):
//! - [`model`]: the normalized ATS model and the typed errors;
//! - [`store`]: SQLite (the only crate that opens the database);
//! - [`ats`]: the providers' connectors; [`vault`]: secrets in the OS keychain;
//! - [`sandbox`]: simulators of the providers' HTTP APIs, for "Try with a sandbox", tests and benches;
//! - `talentdeck-core`: [`sync`], [`schedule`], [`status`], [`lifecycle`], [`diagnose`] and [`app`],
//!   the use cases both front doors call.
//!
//! The binary (`main.rs`) adds the CLI and the desktop shell, the only code that imports `tauri`.

pub use ats;
pub use model::{self, error, Error, Result};
pub use sandbox;
pub use store;
pub use talentdeck_core::{app, diagnose, lifecycle, runner, schedule, status, sync};
pub use vault;
