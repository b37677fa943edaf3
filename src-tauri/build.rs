/// The commands the UI may call. Declaring them here makes Tauri generate one permission per
/// command, and the capability in `capabilities/` grants exactly these (nothing else).
#[cfg(feature = "desktop")]
const COMMANDS: &[&str] = &[
    "list_status", "start_sandbox", "connect", "sync_now", "set_sync_interval", "reconnect", "disconnect", "list_jobs",
    "search_talents", "list_log", "open_file", "preview_file", "job_board", "pipeline", "mappings", "mapping_history", "set_mapping",
    "suggest_mappings", "undo_mapping", "move_application", "reject_application", "add_note", "reasons", "outbox",
    "resolve_conflict", "push_now", "talent_profile", "talent_notes", "open_in_ats", "redo_mapping", "job_pipelines",
    "add_pipeline_stage", "rename_pipeline_stage", "remove_pipeline_stage",
    "resolve_conflict", "push_now", "duplicates", "duplicates_of", "mark_not_duplicate", "link_same_person",
    "unlink_person",
];

fn main() {
    // Tauri's codegen (context, capabilities) is only needed for the desktop window.
    #[cfg(feature = "desktop")]
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri build step failed");
}
