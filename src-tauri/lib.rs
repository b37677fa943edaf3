//! Talentdeck's core. The layers, from the bottom:
//! - [`model`]: the normalized ATS model shared by everything;
//! - [`store`]: SQLite (the only module that opens the database);
//! - [`vault`]: secrets in the OS keychain (the only place a secret is read or written);
//! - [`sandbox`]: simulators of the providers' HTTP APIs, for "Try with a sandbox", tests and benches;
//! - [`sync`]: the engine that pulls an ATS into the store; [`schedule`]: when it runs on its own;
//! - [`status`]: connection health, computed once for the CLI and the UI;
//! - [`lifecycle`]: connection state transitions (the only code that changes a state);
//! - [`diagnose`]: the redacted diagnostics bundle for support;
//! - [`app`]: the use cases both front doors call;
//! - [`bench`]: the sync benchmark behind `talentdeck bench`;
//! - [`cli`] (headless) and `shell` (the Tauri window, the only code that imports `tauri`).

pub mod app;
pub mod ats;
pub mod bench;
pub mod bench_push;
pub mod bench_search;
pub mod cli;
pub mod diagnose;
pub mod error;
pub mod lifecycle;
pub mod model;
pub mod sandbox;
pub mod schedule;
pub mod status;
pub mod store;
pub mod sync;
pub mod vault;

#[cfg(feature = "desktop")]
pub mod shell;

pub use error::{Error, Result};
