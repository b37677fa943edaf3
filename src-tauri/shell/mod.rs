//! The desktop shell: with `ipc.rs` (the contract's Tauri commands), the only code that imports
//! `tauri`. Each command is declared in `ipc/contract.rs`, implemented here by one call into `app`,
//! and answers its result; errors cross as `{code, message}`.

mod gpu;

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use tauri::{AppHandle, Emitter};

use crate::ipc::{Event, ModelsChanged, RawBytes};
use talentdeck::model::Trigger;
use talentdeck::runner::{Observer, Runner};

use talentdeck::app::{AlertState, App, ConnectInput, MoveTarget, ReconnectInput, Suggestion};
use talentdeck::error::{Error, Result};
use talentdeck::model::{
    JobBoard, JobRow, OutboxRow, PipelineStage, Provider, RejectionReason, TalentNotes, TalentProfile, TalentRow,
};
use talentdeck::status::ConnectionStatus;
use talentdeck::store::{
    DuplicateOf, DuplicatePair, JobPipeline, LogEntry, MappingEdit, MappingRow, Resolution, SyncRun,
};
use talentdeck::sync::files::FileLimits;

/// What every command gets besides its arguments: the window to tell, the core, and the core's
/// background work (which tells the window through [`Window`]).
pub struct Shell {
    handle: AppHandle,
    app: Arc<App>,
    runner: Runner,
}

impl Shell {
    pub fn new(handle: AppHandle, app: Arc<App>) -> Shell {
        let runner = Runner::new(app.clone(), Arc::new(Window(handle.clone())));
        Shell { handle, app, runner }
    }
}

/// The window, as the runner's observer.
struct Window(AppHandle);

impl Observer for Window {
    fn status_changed(&self, app: &App) {
        emit_status(&self.0, app);
    }
    fn models_changed(&self, connection_id: i64) {
        emit_models(&self.0, connection_id);
    }
}

/// Sends one event of the contract to the window.
fn emit(handle: &AppHandle, event: Event) {
    if let Err(e) = handle.emit(event.name(), event) {
        tracing::warn!(error = %e, "could not tell the window");
    }
}

/// Tells the UI a connection's local data changed (visible lists reload).
fn emit_models(handle: &AppHandle, connection_id: i64) {
    emit(handle, Event::ModelsChanged(ModelsChanged { connection_id }));
}

/// Tells the UI every connection's health changed (it redraws indicators and banners), and the
/// desktop what deserves a notification (the core decides; once per event).
fn emit_status(handle: &AppHandle, app: &App) {
    if let Ok(all) = app.status(Utc::now()) {
        emit(handle, Event::StatusChanged(all));
    }
    notify(handle, app);
}

/// Shows the core's new alerts as desktop notifications. Where the desktop has no notification
/// service (a bare X server), the banner and the sync log still say it; nothing is lost.
fn notify(handle: &AppHandle, app: &App) {
    use tauri::Manager;
    use tauri_plugin_notification::NotificationExt;
    let seen = handle.state::<std::sync::Mutex<AlertState>>();
    let alerts = {
        let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
        app.alerts(&mut seen)
    };
    match alerts {
        Ok(alerts) => {
            for a in alerts {
                if let Err(e) = handle.notification().builder().title(&a.title).body(&a.body).show() {
                    tracing::info!(error = %e, title = %a.title, "no desktop notification shown");
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "could not read what to notify"),
    }
}

pub async fn list_status(sh: Shell) -> Result<Vec<ConnectionStatus>> {
    sh.app.status(Utc::now())
}

pub async fn start_sandbox(sh: Shell, provider: Provider) -> Result<ConnectionStatus> {
    let status = sh.app.start_sandbox(provider, Utc::now()).await?;
    emit_status(&sh.handle, &sh.app);
    sh.runner.spawn_sync(status.id, false, Trigger::Connect);
    Ok(status)
}

pub async fn connect(sh: Shell, input: ConnectInput) -> Result<ConnectionStatus> {
    let conn = sh.app.connect(input, Utc::now()).await?;
    let status = sh.app.status_of(conn.id, Utc::now())?;
    sh.runner.spawn_sync(conn.id, false, Trigger::Connect);
    Ok(status)
}

/// Replaces the credential of connection `connection_id` (the form sends it once; it is never
/// sent back), then syncs it from its last checkpoint.
pub async fn reconnect(sh: Shell, connection_id: i64, input: ReconnectInput) -> Result<ConnectionStatus> {
    let conn = sh.app.reconnect(connection_id, input, Utc::now()).await?;
    let status = sh.app.status_of(conn.id, Utc::now())?;
    emit_status(&sh.handle, &sh.app);
    sh.runner.spawn_sync(connection_id, false, Trigger::Reconnect);
    Ok(status)
}

/// Disconnects a connection, keeping its data browsable, or with `purge` deleting it; `None`
/// when the connection is gone.
pub async fn disconnect(sh: Shell, connection_id: i64, purge: bool) -> Result<Option<ConnectionStatus>> {
    sh.app.disconnect(connection_id, purge, Utc::now()).await?;
    let status = if purge { None } else { Some(sh.app.status_of(connection_id, Utc::now())?) };
    emit_status(&sh.handle, &sh.app);
    emit_models(&sh.handle, connection_id);
    Ok(status)
}

pub async fn sync_now(sh: Shell, connection_id: i64, full: bool) -> Result<()> {
    sh.app.connection(connection_id)?;
    sh.runner.spawn_sync(connection_id, full, Trigger::Manual);
    Ok(())
}

pub async fn set_sync_interval(sh: Shell, connection_id: i64, minutes: u32) -> Result<ConnectionStatus> {
    let status = sh.app.set_sync_interval(connection_id, minutes, Utc::now())?;
    emit_status(&sh.handle, &sh.app);
    Ok(status)
}

/// Opens a talent's file with the system's default app, downloading it first if it is not in
/// the data folder yet. The webview names a file by id: it never supplies a path.
pub async fn open_file(sh: Shell, file_id: i64) -> Result<()> {
    let cid = sh.app.file_connection(file_id)?;
    let opened = sh.app.open_file(file_id, &FileLimits::default()).await;
    // Downloaded, or failed with a reason the list shows: either way the row changed.
    emit_models(&sh.handle, cid);
    let path = opened?;
    open::that_detached(&path)
        .map_err(|e| Error::Io(format!("the file is at {} but no app could open it: {e}", path.display())))
}

/// The bytes of a talent's PDF or image for the in-app preview, downloaded first if needed. The
/// webview names a file by id, and gets raw bytes (an `ArrayBuffer`, not a JSON array) of a file
/// Talentdeck downloaded, capped in size; the core refuses anything but a PDF or an image.
pub async fn preview_file(sh: Shell, file_id: i64) -> Result<RawBytes> {
    let cid = sh.app.file_connection(file_id)?;
    let bytes = sh.app.preview_file(file_id, &FileLimits::default(), talentdeck::app::PREVIEW_MAX_BYTES).await;
    emit_models(&sh.handle, cid);
    Ok(RawBytes(bytes?))
}

pub async fn talent_profile(sh: Shell, talent_id: i64) -> Result<TalentProfile> {
    sh.app.talent_profile(talent_id, Utc::now())
}

/// The talent's notes: the cached copy, or (`refresh`) read from the ATS, falling back to the
/// cache marked stale when the ATS cannot be read.
pub async fn talent_notes(sh: Shell, talent_id: i64, refresh: bool) -> Result<TalentNotes> {
    sh.app.talent_notes(talent_id, refresh, Utc::now()).await
}

/// Opens the talent's (or one application's) page in the ATS with the system browser. The
/// webview names the record; the core builds the address from it.
pub async fn open_in_ats(sh: Shell, talent_id: i64, application: Option<String>) -> Result<()> {
    let url = sh.app.ats_url(talent_id, application.as_deref())?;
    open::that_detached(&url).map_err(|e| Error::Io(format!("no browser could open {url}: {e}")))
}

pub async fn list_jobs(sh: Shell, connection_id: Option<i64>, include_archived: bool) -> Result<Vec<JobRow>> {
    sh.app.list_jobs(connection_id, include_archived)
}

pub async fn search_talents(
    sh: Shell,
    connection_id: Option<i64>,
    query: String,
    limit: u32,
) -> Result<Vec<TalentRow>> {
    sh.app.search_talents(connection_id, &query, limit)
}

pub async fn list_log(sh: Shell, connection_id: Option<i64>, limit: u32) -> Result<Vec<LogEntry>> {
    sh.app.log(connection_id, limit)
}

pub async fn list_runs(sh: Shell, connection_id: Option<i64>, limit: u32) -> Result<Vec<SyncRun>> {
    sh.app.runs(connection_id, limit)
}

pub async fn copy_diagnostics(sh: Shell, connection_id: Option<i64>) -> Result<()> {
    use tauri::Manager;
    let text = serde_json::to_string_pretty(&sh.app.diagnose(connection_id, Utc::now())?)?;
    let refused = |e: arboard::Error| {
        Error::Internal(format!(
            "the system clipboard refused the diagnostics ({e}); `talentdeck diagnose` prints them"
        ))
    };
    // One clipboard for the window's life: on X11 the text stays on the clipboard only while
    // its owner lives.
    let clipboard = sh.handle.state::<Clipboard>();
    let mut slot = clipboard.0.lock().unwrap_or_else(|p| p.into_inner());
    if slot.is_none() {
        *slot = Some(arboard::Clipboard::new().map_err(refused)?);
    }
    slot.as_mut().expect("opened above").set_text(text).map_err(refused)
}

/// The system clipboard, opened on first use.
#[derive(Default)]
struct Clipboard(std::sync::Mutex<Option<arboard::Clipboard>>);

pub async fn duplicates(sh: Shell) -> Result<Vec<DuplicatePair>> {
    sh.app.duplicates()
}

pub async fn duplicates_of(sh: Shell, talent_id: i64) -> Result<Vec<DuplicateOf>> {
    sh.app.duplicates_of(talent_id)
}

/// A decision about a pair changes what lists show (search folds linked records into one row).
fn decided(handle: &AppHandle, app: &App, talent_id: i64) {
    if let Ok(cid) = app.talent_connection(talent_id) {
        emit_models(handle, cid);
    }
}

pub async fn mark_not_duplicate(sh: Shell, a: i64, b: i64) -> Result<()> {
    sh.app.mark_not_duplicate(a, b, Utc::now())?;
    decided(&sh.handle, &sh.app, a);
    Ok(())
}

pub async fn link_same_person(sh: Shell, a: i64, b: i64) -> Result<()> {
    sh.app.link_same_person(a, b, Utc::now())?;
    decided(&sh.handle, &sh.app, a);
    Ok(())
}

pub async fn unlink_person(sh: Shell, talent_id: i64) -> Result<()> {
    sh.app.unlink(talent_id)?;
    decided(&sh.handle, &sh.app, talent_id);
    Ok(())
}

/// A change was queued: lists show it at once, then the push tells how it went.
fn queued(sh: &Shell, id: i64) {
    emit_models(&sh.handle, id);
    sh.runner.spawn_push(id);
}

pub async fn job_board(sh: Shell, connection_id: i64, job_remote_id: String) -> Result<JobBoard> {
    sh.app.job_board(connection_id, &job_remote_id)
}

pub async fn pipeline(sh: Shell) -> Result<Vec<PipelineStage>> {
    sh.app.pipeline()
}

pub async fn mappings(sh: Shell, connection_id: i64, job: Option<String>) -> Result<Vec<MappingRow>> {
    sh.app.mappings(connection_id, job.as_deref())
}

pub async fn mapping_history(sh: Shell, connection_id: i64, limit: u32) -> Result<Vec<MappingEdit>> {
    sh.app.mapping_history(connection_id, limit)
}

/// Maps an ATS stage name to Talentdeck stage `to`; `to: null` leaves it unmapped.
pub async fn set_mapping(
    sh: Shell,
    connection_id: i64,
    ats_stage: String,
    to: Option<String>,
    job: Option<String>,
) -> Result<()> {
    match to {
        Some(to) => sh.app.set_mapping(connection_id, &ats_stage, &to, job.as_deref(), Utc::now())?,
        None => sh.app.clear_mapping(connection_id, &ats_stage, job.as_deref(), Utc::now())?,
    }
    emit_models(&sh.handle, connection_id);
    Ok(())
}

pub async fn suggest_mappings(sh: Shell, connection_id: i64, apply: bool) -> Result<Vec<Suggestion>> {
    let out = sh.app.suggest_mappings(connection_id, apply, Utc::now())?;
    if apply {
        emit_models(&sh.handle, connection_id);
    }
    Ok(out)
}

pub async fn undo_mapping(sh: Shell, connection_id: i64) -> Result<MappingEdit> {
    let edit = sh.app.undo_mapping(connection_id, Utc::now())?;
    emit_models(&sh.handle, connection_id);
    Ok(edit)
}

pub async fn redo_mapping(sh: Shell, connection_id: i64) -> Result<MappingEdit> {
    let edit = sh.app.redo_mapping(connection_id, Utc::now())?;
    emit_models(&sh.handle, connection_id);
    Ok(edit)
}

pub async fn job_pipelines(sh: Shell, connection_id: i64) -> Result<Vec<JobPipeline>> {
    sh.app.job_pipelines(connection_id)
}

/// Adds a stage to Talentdeck's pipeline after `after` (first when null).
pub async fn add_pipeline_stage(sh: Shell, name: String, after: Option<String>) -> Result<PipelineStage> {
    let stage = sh.app.add_pipeline_stage(&name, after.as_deref())?;
    emit_pipeline(&sh.handle, &sh.app);
    Ok(stage)
}

pub async fn rename_pipeline_stage(sh: Shell, old: String, name: String) -> Result<PipelineStage> {
    let stage = sh.app.rename_pipeline_stage(&old, &name)?;
    emit_pipeline(&sh.handle, &sh.app);
    Ok(stage)
}

/// Removes a stage of Talentdeck's pipeline; every mapping to it moves to `into`.
pub async fn remove_pipeline_stage(sh: Shell, name: String, into: String) -> Result<()> {
    sh.app.remove_pipeline_stage(&name, &into)?;
    emit_pipeline(&sh.handle, &sh.app);
    Ok(())
}

pub async fn reorder_pipeline_stages(sh: Shell, stage_ids: Vec<i64>) -> Result<Vec<PipelineStage>> {
    let stages = sh.app.reorder_pipeline_stages(&stage_ids)?;
    emit_pipeline(&sh.handle, &sh.app);
    Ok(stages)
}

/// The pipeline is shared by every connection: each one's boards and mappings changed.
fn emit_pipeline(handle: &AppHandle, app: &App) {
    for c in app.connections().unwrap_or_default() {
        emit_models(handle, c.id);
    }
}

/// Moves an application to a Talentdeck stage (through its job's mapping) and pushes it.
pub async fn move_application(sh: Shell, connection_id: i64, application: String, stage: String) -> Result<OutboxRow> {
    let row = sh.app.move_application(Some(connection_id), &application, &MoveTarget::Pipeline(stage), Utc::now())?;
    queued(&sh, connection_id);
    Ok(row)
}

pub async fn reject_application(
    sh: Shell,
    connection_id: i64,
    application: String,
    reason: String,
) -> Result<OutboxRow> {
    let row = sh.app.reject(Some(connection_id), &application, &reason, Utc::now())?;
    queued(&sh, connection_id);
    Ok(row)
}

/// Adds a note to a talent; the text goes to the ATS exactly as typed.
pub async fn add_note(sh: Shell, connection_id: i64, talent: String, text: String) -> Result<OutboxRow> {
    let row = sh.app.note(Some(connection_id), &talent, &text, Utc::now())?;
    queued(&sh, connection_id);
    Ok(row)
}

pub async fn reasons(sh: Shell, connection_id: i64) -> Result<Vec<RejectionReason>> {
    sh.app.reasons(connection_id)
}

pub async fn outbox(sh: Shell, connection_id: Option<i64>) -> Result<Vec<OutboxRow>> {
    sh.app.outbox(connection_id)
}

/// Settles a conflict: keep the ATS's stage, or apply the recruiter's change again (pushed).
pub async fn resolve_conflict(sh: Shell, outbox_id: i64, apply_mine: bool) -> Result<OutboxRow> {
    let cid = sh.app.outbox_connection(outbox_id)?;
    let how = if apply_mine { Resolution::ApplyMine } else { Resolution::KeepAts };
    let row = sh.app.resolve(outbox_id, how, Utc::now())?;
    if apply_mine {
        queued(&sh, cid);
    } else {
        emit_models(&sh.handle, cid);
    }
    Ok(row)
}

pub async fn push_now(sh: Shell, connection_id: i64) -> Result<()> {
    sh.app.connection(connection_id)?;
    sh.runner.spawn_push(connection_id);
    Ok(())
}

/// Opens the window on the store in `data_dir`. Returns when the window is closed.
/// With `try_sandbox`, a sandbox connection of that provider is created unless one exists.
pub fn run(data_dir: PathBuf, try_sandbox: Option<Provider>) -> Result<()> {
    let app = Arc::new(App::open(&data_dir)?);
    // The first look takes note of what happened before the window opened: not news.
    let mut alerts = AlertState::default();
    app.alerts(&mut alerts)?;
    tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .manage(app.clone())
        .manage(std::sync::Mutex::new(alerts))
        .manage(Clipboard::default())
        .setup(move |tauri_app| {
            use tauri::Manager;
            if !gpu::accelerated() {
                if let Some(window) = tauri_app.get_webview_window("main") {
                    gpu::composite_in_software(&window);
                }
            }
            let runner = Shell::new(tauri_app.handle().clone(), app.clone()).runner;
            tauri::async_runtime::spawn(runner.run(try_sandbox));
            Ok(())
        })
        .invoke_handler(crate::ipc::handler!())
        .run(tauri::generate_context!())
        .map_err(|e| Error::Internal(format!("the desktop window failed: {e}")))?;
    Ok(())
}
