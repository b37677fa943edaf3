//! The desktop shell: the only code that imports `tauri`. Each command parses its arguments,
//! calls `app`, and returns the result; errors cross as `{code, message}`.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use tauri::{AppHandle, Emitter, State};

use talentdeck::app::{AlertState, App, ConnectInput, MoveTarget, ReconnectInput, Suggestion, SyncOutcome};
use talentdeck::error::{Error, Result};
use talentdeck::model::{
    JobBoard, JobRow, OutboxRow, PipelineStage, Provider, RejectionReason, TalentNotes, TalentProfile, TalentRow,
};
use talentdeck::status::ConnectionStatus;
use talentdeck::store::{DuplicateOf, DuplicatePair, JobPipeline, LogEntry, MappingEdit, MappingRow, Resolution};
use talentdeck::sync::files::FileLimits;

type Shared<'a> = State<'a, Arc<App>>;

/// Tells the UI a connection's local data changed (visible lists reload).
fn emit_models(handle: &AppHandle, connection_id: i64) {
    let _ = handle.emit("models_changed", serde_json::json!({ "connection_id": connection_id }));
}

/// Tells the UI every connection's health changed (it redraws indicators and banners), and the
/// desktop what deserves a notification (the core decides; once per event).
fn emit_status(handle: &AppHandle, app: &App) {
    if let Ok(all) = app.status(Utc::now()) {
        let _ = handle.emit("status_changed", all);
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

#[tauri::command]
fn list_status(app: Shared<'_>) -> Result<Vec<ConnectionStatus>> {
    app.status(Utc::now())
}

#[tauri::command]
async fn start_sandbox(handle: AppHandle, app: Shared<'_>, provider: Provider) -> Result<ConnectionStatus> {
    let status = app.start_sandbox(provider, Utc::now()).await?;
    emit_status(&handle, &app);
    spawn_sync(handle, app.inner().clone(), status.id, false, "connect");
    Ok(status)
}

#[tauri::command]
async fn connect(handle: AppHandle, app: Shared<'_>, input: ConnectInput) -> Result<ConnectionStatus> {
    let conn = app.connect(input, Utc::now()).await?;
    let status = talentdeck::status::of(&app.reader(), conn.clone(), Utc::now())?;
    spawn_sync(handle, app.inner().clone(), conn.id, false, "connect");
    Ok(status)
}

/// Replaces the credential of connection `connection_id` (the form sends it once; it is never
/// sent back), then syncs it from its last checkpoint.
#[tauri::command]
async fn reconnect(handle: AppHandle, app: Shared<'_>, connection_id: i64, input: ConnectInput) -> Result<ConnectionStatus> {
    let name = app.reader().connection(connection_id)?.name;
    let input = ReconnectInput { name, secret: input.secret, client_id: input.client_id, user_id: input.user_id };
    let conn = app.reconnect(input, Utc::now()).await?;
    let status = talentdeck::status::of(&app.reader(), conn, Utc::now())?;
    emit_status(&handle, &app);
    spawn_sync(handle, app.inner().clone(), connection_id, false, "reconnect");
    Ok(status)
}

/// Disconnects a connection, keeping its data browsable, or with `purge` deleting it; `None`
/// when the connection is gone.
#[tauri::command]
async fn disconnect(handle: AppHandle, app: Shared<'_>, connection_id: i64, purge: bool) -> Result<Option<ConnectionStatus>> {
    let name = app.reader().connection(connection_id)?.name;
    app.disconnect(&name, purge, Utc::now()).await?;
    let status = if purge {
        None
    } else {
        let store = app.reader();
        Some(talentdeck::status::of(&store, store.connection(connection_id)?, Utc::now())?)
    };
    emit_status(&handle, &app);
    emit_models(&handle, connection_id);
    Ok(status)
}

#[tauri::command]
fn sync_now(handle: AppHandle, app: Shared<'_>, connection_id: i64, full: bool) -> Result<()> {
    app.reader().connection(connection_id)?;
    spawn_sync(handle, app.inner().clone(), connection_id, full, "manual");
    Ok(())
}

#[tauri::command]
fn set_sync_interval(handle: AppHandle, app: Shared<'_>, connection_id: i64, minutes: u32) -> Result<ConnectionStatus> {
    let status = app.set_sync_interval(connection_id, minutes, Utc::now())?;
    emit_status(&handle, &app);
    Ok(status)
}

/// Automatic sync: every half minute, starts the syncs [`talentdeck::schedule`] says are due. A run
/// never doubles up: a due connection that is already syncing is joined by `App::sync`.
fn spawn_scheduler(handle: AppHandle, app: Arc<App>) {
    tauri::async_runtime::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(30));
        loop {
            tick.tick().await;
            match app.due_for_sync(Utc::now()) {
                Ok(due) => due.into_iter().for_each(|id| spawn_sync(handle.clone(), app.clone(), id, false, "scheduled")),
                Err(e) => tracing::warn!(error = %e, "could not check which connections are due to sync"),
            }
        }
    });
}

/// Runs a sync in the background, telling the UI as pages land and when the state changes.
fn spawn_sync(handle: AppHandle, app: Arc<App>, id: i64, full: bool, trigger: &'static str) {
    tauri::async_runtime::spawn(async move {
        let started = std::sync::atomic::AtomicBool::new(false);
        let on_progress = |_: &talentdeck::sync::Progress| {
            if !started.swap(true, std::sync::atomic::Ordering::Relaxed) {
                emit_status(&handle, &app);
            }
            emit_models(&handle, id);
        };
        let succeeded = match app.sync(id, full, trigger, &on_progress).await {
            Ok(SyncOutcome::Ran(report)) => report.error.is_none(),
            // The run we joined fetches the files when it ends.
            Ok(SyncOutcome::Joined) => false,
            Err(e) => {
                tracing::warn!(connection = id, error = %e, "sync could not run");
                false
            }
        };
        emit_status(&handle, &app);
        emit_models(&handle, id);
        if !succeeded {
            return; // the failure is on the card already; files would only fail the same way
        }
        // Then, not before: resume files never hold up a sync.
        match app.fetch_files(id, &FileLimits::default()).await {
            Ok(Some(r)) if r.eventful() => {
                emit_status(&handle, &app);
                emit_models(&handle, id);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(connection = id, error = %e, "could not fetch files"),
        }
    });
}

/// Opens a talent's file with the system's default app, downloading it first if it is not in
/// the data folder yet. The webview names a file by id: it never supplies a path.
#[tauri::command]
async fn open_file(handle: AppHandle, app: Shared<'_>, file_id: i64) -> Result<()> {
    let cid = app.reader().stored_file(file_id)?.connection_id;
    let opened = app.open_file(file_id, &FileLimits::default()).await;
    // Downloaded, or failed with a reason the list shows: either way the row changed.
    emit_models(&handle, cid);
    let path = opened?;
    open::that_detached(&path).map_err(|e| {
        Error::Io(format!("the file is at {} but no app could open it: {e}", path.display()))
    })
}

/// The bytes of a talent's PDF or image for the in-app preview, downloaded first if needed. The
/// webview names a file by id, and gets raw bytes (an `ArrayBuffer`, not a JSON array) of a file
/// Talentdeck downloaded, capped in size; the core refuses anything but a PDF or an image.
#[tauri::command]
async fn preview_file(handle: AppHandle, app: Shared<'_>, file_id: i64) -> Result<tauri::ipc::Response> {
    let cid = app.reader().stored_file(file_id)?.connection_id;
    let bytes = app.preview_file(file_id, &FileLimits::default(), talentdeck::app::PREVIEW_MAX_BYTES).await;
    emit_models(&handle, cid);
    Ok(tauri::ipc::Response::new(bytes?))
}

#[tauri::command]
fn talent_profile(app: Shared<'_>, talent_id: i64) -> Result<TalentProfile> {
    app.talent_profile(talent_id, Utc::now())
}

/// The talent's notes: the cached copy, or (`refresh`) read from the ATS, falling back to the
/// cache marked stale when the ATS cannot be read.
#[tauri::command]
async fn talent_notes(app: Shared<'_>, talent_id: i64, refresh: bool) -> Result<TalentNotes> {
    app.talent_notes(talent_id, refresh, Utc::now()).await
}

/// Opens the talent's (or one application's) page in the ATS with the system browser. The
/// webview names the record; the core builds the address from it.
#[tauri::command]
fn open_in_ats(app: Shared<'_>, talent_id: i64, application: Option<String>) -> Result<()> {
    let url = app.ats_url(talent_id, application.as_deref())?;
    open::that_detached(&url).map_err(|e| Error::Io(format!("no browser could open {url}: {e}")))
}

#[tauri::command]
fn list_jobs(app: Shared<'_>, connection_id: Option<i64>, include_archived: bool) -> Result<Vec<JobRow>> {
    app.list_jobs(connection_id, include_archived)
}

#[tauri::command]
fn search_talents(app: Shared<'_>, connection_id: Option<i64>, query: String, limit: u32) -> Result<Vec<TalentRow>> {
    app.search_talents(connection_id, &query, limit)
}

#[tauri::command]
fn list_log(app: Shared<'_>, connection_id: Option<i64>, limit: u32) -> Result<Vec<LogEntry>> {
    let store = app.reader();
    store.log_entries(connection_id, limit)
}

#[tauri::command]
fn duplicates(app: Shared<'_>) -> Result<Vec<DuplicatePair>> {
    app.duplicates()
}

#[tauri::command]
fn duplicates_of(app: Shared<'_>, talent_id: i64) -> Result<Vec<DuplicateOf>> {
    app.duplicates_of(talent_id)
}

/// A decision about a pair changes what lists show (search folds linked records into one row).
fn decided(handle: &AppHandle, app: &App, talent_id: i64) {
    if let Ok(cid) = app.store().talent_connection(talent_id) {
        emit_models(handle, cid);
    }
}

#[tauri::command]
fn mark_not_duplicate(handle: AppHandle, app: Shared<'_>, a: i64, b: i64) -> Result<()> {
    app.mark_not_duplicate(a, b, Utc::now())?;
    decided(&handle, &app, a);
    Ok(())
}

#[tauri::command]
fn link_same_person(handle: AppHandle, app: Shared<'_>, a: i64, b: i64) -> Result<()> {
    app.link_same_person(a, b, Utc::now())?;
    decided(&handle, &app, a);
    Ok(())
}

#[tauri::command]
fn unlink_person(handle: AppHandle, app: Shared<'_>, talent_id: i64) -> Result<()> {
    app.unlink(talent_id)?;
    decided(&handle, &app, talent_id);
    Ok(())
}

/// The name the use cases take for connection `id`.
fn connection_name(app: &App, id: i64) -> Result<String> {
    Ok(app.reader().connection(id)?.name)
}

/// Pushes a connection's queued changes in the background; the UI hears `models_changed` when
/// the push ends (cards go from pending to sent, failed or conflict) and `status_changed` in
/// case a refused credential changed the connection's state.
fn spawn_push(handle: AppHandle, app: Arc<App>, id: i64) {
    tauri::async_runtime::spawn(async move {
        if let Err(e) = app.push(id).await {
            tracing::warn!(connection = id, error = %e, "push failed");
        }
        emit_status(&handle, &app);
        emit_models(&handle, id);
    });
}

/// A change was queued: lists show it at once, then the push tells how it went.
fn queued(handle: AppHandle, app: &Shared<'_>, id: i64) {
    emit_models(&handle, id);
    spawn_push(handle, app.inner().clone(), id);
}

#[tauri::command]
fn job_board(app: Shared<'_>, connection_id: i64, job_remote_id: String) -> Result<JobBoard> {
    app.job_board(connection_id, &job_remote_id)
}

#[tauri::command]
fn pipeline(app: Shared<'_>) -> Result<Vec<PipelineStage>> {
    app.pipeline()
}

#[tauri::command]
fn mappings(app: Shared<'_>, connection_id: i64, job: Option<String>) -> Result<Vec<MappingRow>> {
    app.mappings(&connection_name(&app, connection_id)?, job.as_deref())
}

#[tauri::command]
fn mapping_history(app: Shared<'_>, connection_id: i64, limit: u32) -> Result<Vec<MappingEdit>> {
    app.mapping_history(&connection_name(&app, connection_id)?, limit)
}

/// Maps an ATS stage name to Talentdeck stage `to`; `to: null` leaves it unmapped.
#[tauri::command]
fn set_mapping(
    handle: AppHandle,
    app: Shared<'_>,
    connection_id: i64,
    ats_stage: String,
    to: Option<String>,
    job: Option<String>,
) -> Result<()> {
    let name = connection_name(&app, connection_id)?;
    match to {
        Some(to) => app.set_mapping(&name, &ats_stage, &to, job.as_deref(), Utc::now())?,
        None => app.clear_mapping(&name, &ats_stage, job.as_deref(), Utc::now())?,
    }
    emit_models(&handle, connection_id);
    Ok(())
}

#[tauri::command]
fn suggest_mappings(handle: AppHandle, app: Shared<'_>, connection_id: i64, apply: bool) -> Result<Vec<Suggestion>> {
    let out = app.suggest_mappings(&connection_name(&app, connection_id)?, apply, Utc::now())?;
    if apply {
        emit_models(&handle, connection_id);
    }
    Ok(out)
}

#[tauri::command]
fn undo_mapping(handle: AppHandle, app: Shared<'_>, connection_id: i64) -> Result<MappingEdit> {
    let edit = app.undo_mapping(&connection_name(&app, connection_id)?, Utc::now())?;
    emit_models(&handle, connection_id);
    Ok(edit)
}

#[tauri::command]
fn redo_mapping(handle: AppHandle, app: Shared<'_>, connection_id: i64) -> Result<MappingEdit> {
    let edit = app.redo_mapping(&connection_name(&app, connection_id)?, Utc::now())?;
    emit_models(&handle, connection_id);
    Ok(edit)
}

#[tauri::command]
fn job_pipelines(app: Shared<'_>, connection_id: i64) -> Result<Vec<JobPipeline>> {
    app.job_pipelines(&connection_name(&app, connection_id)?)
}

/// Adds a stage to Talentdeck's pipeline after `after` (first when null).
#[tauri::command]
fn add_pipeline_stage(handle: AppHandle, app: Shared<'_>, name: String, after: Option<String>) -> Result<PipelineStage> {
    let stage = app.add_pipeline_stage(&name, after.as_deref())?;
    emit_pipeline(&handle, &app);
    Ok(stage)
}

#[tauri::command]
fn rename_pipeline_stage(handle: AppHandle, app: Shared<'_>, old: String, new: String) -> Result<PipelineStage> {
    let stage = app.rename_pipeline_stage(&old, &new)?;
    emit_pipeline(&handle, &app);
    Ok(stage)
}

/// Removes a stage of Talentdeck's pipeline; every mapping to it moves to `into`.
#[tauri::command]
fn remove_pipeline_stage(handle: AppHandle, app: Shared<'_>, name: String, into: String) -> Result<()> {
    app.remove_pipeline_stage(&name, &into)?;
    emit_pipeline(&handle, &app);
    Ok(())
}

/// The pipeline is shared by every connection: each one's boards and mappings changed.
fn emit_pipeline(handle: &AppHandle, app: &App) {
    for c in app.reader().connections().unwrap_or_default() {
        emit_models(handle, c.id);
    }
}

/// Moves an application to a Talentdeck stage (through its job's mapping) and pushes it.
#[tauri::command]
fn move_application(
    handle: AppHandle,
    app: Shared<'_>,
    connection_id: i64,
    application: String,
    stage: String,
) -> Result<OutboxRow> {
    let name = connection_name(&app, connection_id)?;
    let row = app.move_application(Some(&name), &application, &MoveTarget::Pipeline(stage), Utc::now())?;
    queued(handle, &app, connection_id);
    Ok(row)
}

#[tauri::command]
fn reject_application(
    handle: AppHandle,
    app: Shared<'_>,
    connection_id: i64,
    application: String,
    reason: String,
) -> Result<OutboxRow> {
    let row = app.reject(Some(&connection_name(&app, connection_id)?), &application, &reason, Utc::now())?;
    queued(handle, &app, connection_id);
    Ok(row)
}

/// Adds a note to a talent; the text goes to the ATS exactly as typed.
#[tauri::command]
fn add_note(handle: AppHandle, app: Shared<'_>, connection_id: i64, talent: String, text: String) -> Result<OutboxRow> {
    let row = app.note(Some(&connection_name(&app, connection_id)?), &talent, &text, Utc::now())?;
    queued(handle, &app, connection_id);
    Ok(row)
}

#[tauri::command]
fn reasons(app: Shared<'_>, connection_id: i64) -> Result<Vec<RejectionReason>> {
    app.reasons(&connection_name(&app, connection_id)?)
}

#[tauri::command]
fn outbox(app: Shared<'_>, connection_id: Option<i64>) -> Result<Vec<OutboxRow>> {
    let name = connection_id.map(|id| connection_name(&app, id)).transpose()?;
    app.outbox(name.as_deref())
}

/// Settles a conflict: keep the ATS's stage, or apply the recruiter's change again (pushed).
#[tauri::command]
fn resolve_conflict(handle: AppHandle, app: Shared<'_>, outbox_id: i64, apply_mine: bool) -> Result<OutboxRow> {
    let cid = app.reader().outbox_connection(outbox_id)?;
    let how = if apply_mine { Resolution::ApplyMine } else { Resolution::KeepAts };
    let row = app.resolve(outbox_id, how, Utc::now())?;
    if apply_mine {
        queued(handle, &app, cid);
    } else {
        emit_models(&handle, cid);
    }
    Ok(row)
}

#[tauri::command]
fn push_now(handle: AppHandle, app: Shared<'_>, connection_id: i64) -> Result<()> {
    app.reader().connection(connection_id)?;
    spawn_push(handle, app.inner().clone(), connection_id);
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
        .setup(move |tauri_app| {
            // Sandbox connections need their in-process simulators back before the UI asks for data.
            let handle = tauri_app.handle().clone();
            let app = app.clone();
            tauri::async_runtime::spawn(async move {
                if let Err(e) = app.resume_sandboxes(Utc::now()).await {
                    tracing::warn!(error = %e, "could not restart the sandbox ATS");
                }
                if let Some(provider) = try_sandbox {
                    let exists = app.status(Utc::now()).map(|all| all.iter().any(|c| c.sandbox && c.provider == provider));
                    if matches!(exists, Ok(false)) {
                        match app.start_sandbox(provider, Utc::now()).await {
                            Ok(s) => spawn_sync(handle.clone(), app.clone(), s.id, false, "connect"),
                            Err(e) => tracing::warn!(error = %e, "could not start the sandbox ATS"),
                        }
                    }
                }
                emit_status(&handle, &app);
                // After the sandboxes are back, so their first scheduled sync finds them.
                spawn_scheduler(handle, app);
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            list_status,
            start_sandbox,
            connect,
            sync_now,
            set_sync_interval,
            reconnect,
            disconnect,
            list_jobs,
            search_talents,
            list_log,
            open_file,
            preview_file,
            talent_profile,
            talent_notes,
            open_in_ats,
            job_board,
            pipeline,
            mappings,
            mapping_history,
            set_mapping,
            suggest_mappings,
            undo_mapping,
            redo_mapping,
            job_pipelines,
            add_pipeline_stage,
            rename_pipeline_stage,
            remove_pipeline_stage,
            move_application,
            reject_application,
            add_note,
            reasons,
            outbox,
            resolve_conflict,
            push_now,
            duplicates,
            duplicates_of,
            mark_not_duplicate,
            link_same_person,
            unlink_person
        ])
        .run(tauri::generate_context!())
        .map_err(|e| Error::Internal(format!("the desktop window failed: {e}")))?;
    Ok(())
}
