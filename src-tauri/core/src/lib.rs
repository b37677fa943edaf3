//! Talentdeck's core, above the store, the connectors, the vault and the sandbox, and below the two
//! front doors (the CLI and the desktop shell), which call only [`app`]:
//! - [`sync`]: the engine that pulls an ATS into the store, the push worker and the file step;
//! - [`schedule`]: when a connection syncs on its own;
//! - [`status`]: connection health, computed once for the CLI and the UI;
//! - [`lifecycle`]: connection state transitions (the only code that changes a state);
//! - [`diagnose`]: the redacted diagnostics bundle for support;
//! - [`runner`]: background work (syncs, pushes, the schedule) for whichever front door runs;
//! - [`app`]: the use cases.
//!
//! Nothing here imports `tauri`: the crate graph makes that impossible, not a convention.

pub mod app;
pub mod diagnose;
pub mod lifecycle;
pub mod runner;
pub mod schedule;
pub mod status;
pub mod sync;
