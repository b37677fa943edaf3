//! The desktop shell: the only code that imports `tauri`. Each command parses its arguments,
//! calls `app`, and returns the result; errors cross as `{code, message}`.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use tauri::{AppHandle, Emitter, State};

use crate::app::App;
use crate::error::{Error, Result};
use crate::model::{JobRow, Provider, TalentRow};
use crate::status::ConnectionStatus;
use crate::store::LogEntry;

type Shared<'a> = State<'a, Arc<App>>;

/// Tells the UI every connection's health changed (it redraws indicators and banners).
fn emit_status(handle: &AppHandle, app: &App) {
    if let Ok(all) = app.status(Utc::now()) {
        let _ = handle.emit("status_changed", all);
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
    Ok(status)
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
    let store = app.store();
    store.log_entries(connection_id, limit)
}

/// Opens the window on the store in `data_dir`. Returns when the window is closed.
/// With `try_sandbox`, a sandbox connection of that provider is created unless one exists.
pub fn run(data_dir: PathBuf, try_sandbox: Option<Provider>) -> Result<()> {
    let app = Arc::new(App::open(&data_dir)?);
    tauri::Builder::default()
        .manage(app.clone())
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
                        if let Err(e) = app.start_sandbox(provider, Utc::now()).await {
                            tracing::warn!(error = %e, "could not start the sandbox ATS");
                        }
                    }
                }
                emit_status(&handle, &app);
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![list_status, start_sandbox, list_jobs, search_talents, list_log])
        .run(tauri::generate_context!())
        .map_err(|e| Error::Internal(format!("the desktop window failed: {e}")))?;
    Ok(())
}
