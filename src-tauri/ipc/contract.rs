// The IPC contract between the desktop window and the core: every command the UI may call, with
// its arguments and answer, and every event the core emits, with its payload. This file is the
// only place they are declared. `build.rs` reads the command names from it (Tauri's permissions);
// `ipc.rs` turns it into the Tauri commands the shell implements and into the TypeScript the UI
// imports (ui/src/lib/bindings/ipc.ts, written by `cargo test`; CI fails when it drifts).
// Argument and field names are snake_case on both sides. Every command rejects with an
// `ErrorPayload` whose `code` is an `ErrorCode`.

contract! {
    commands {
        /// Every connection with its health.
        fn list_status() -> Vec<ConnectionStatus>;
        /// Starts the built-in sandbox ATS for `provider` and connects to it.
        fn start_sandbox(provider: Provider) -> ConnectionStatus;
        /// Connects a real ATS account under a new name, then syncs it.
        fn connect(input: ConnectInput) -> ConnectionStatus;
        /// Replaces an existing connection's secret (sent once, never sent back), verifies it, clears
        /// `needs_reconnect` / `permission_denied` / `disconnected`, and resumes syncing from the last checkpoint.
        fn reconnect(connection_id: i64, input: ReconnectInput) -> ConnectionStatus;
        /// Removes the connection's secret from the keychain and stops syncing it. Without `purge`, its
        /// jobs and talents stay browsable (read-only) and its status (state `disconnected`) is returned;
        /// with `purge`, they are deleted along with the connection and the answer is null.
        fn disconnect(connection_id: i64, purge: bool) -> Option<ConnectionStatus>;
        /// Starts a sync; progress arrives through `status_changed` / `models_changed`.
        fn sync_now(connection_id: i64, full: bool) -> ();
        /// Minutes between automatic syncs of a connection; 0 turns automatic sync off.
        fn set_sync_interval(connection_id: i64, minutes: u32) -> ConnectionStatus;
        fn list_jobs(connection_id: Option<i64>, include_archived: bool) -> Vec<JobRow>;
        fn search_talents(connection_id: Option<i64>, query: String, limit: u32) -> Vec<TalentRow>;
        fn list_log(connection_id: Option<i64>, limit: u32) -> Vec<LogEntry>;
        /// The most recent sync runs (of one connection or all), newest first, with their counts per resource.
        fn list_runs(connection_id: Option<i64>, limit: u32) -> Vec<SyncRun>;
        /// Puts the redacted diagnostics bundle (of one connection or all) on the system clipboard as
        /// indented JSON, for support: the same as `talentdeck diagnose`. Secrets, names, e-mail
        /// addresses and phone numbers are replaced. The text never passes through the window.
        fn copy_diagnostics(connection_id: Option<i64>) -> ();
        /// Opens a talent's file (by its `FileRef.id`) with the system's default app, downloading it first
        /// if it is not in the data folder yet; `models_changed` follows whether or not it opened. Rejects
        /// `too_large` (over the offline limit: open it in the ATS), `not_found` (deleted in the ATS),
        /// `unreachable` (offline, never downloaded) or `validation` (its connection is disconnected).
        fn open_file(file_id: i64) -> ();
        /// The bytes of a talent's PDF or image (by `FileRef.id`) for the in-app preview, downloaded first
        /// like `open_file` (and `models_changed` follows likewise). Rejects as `open_file` does, with
        /// `validation` for a file that is neither a PDF nor an image, and `too_large` past the preview's cap.
        fn preview_file(file_id: i64) -> RawBytes;
        /// Everything stored about a talent (by `TalentRow.id`); rejects `not_found` when it is gone.
        fn talent_profile(talent_id: i64) -> TalentProfile;
        /// A talent's notes. Without `refresh`: the cached copy, at once (`fetched_at: null` when never
        /// read). With it: read from the ATS and cached; when the ATS cannot be read the cached notes come
        /// back with `stale: true` and the reason in `error` (it never rejects for that).
        fn talent_notes(talent_id: i64, refresh: bool) -> TalentNotes;
        /// Opens the talent's page (or one application's, by remote id) in the ATS with the system browser.
        /// The core builds the address from the record; rejects `validation` for sandbox records.
        fn open_in_ats(talent_id: i64, application: Option<String>) -> ();
        /// A job's header, Talentdeck's pipeline (the columns) and its applications as cards.
        fn job_board(connection_id: i64, job_remote_id: String) -> JobBoard;
        /// Talentdeck's own pipeline, in order.
        fn pipeline() -> Vec<PipelineStage>;
        /// Every ATS stage name of a connection with its mapping, then the per-job overrides.
        fn mappings(connection_id: i64, job: Option<String>) -> Vec<MappingRow>;
        /// The connection's mapping edits not undone, newest first.
        fn mapping_history(connection_id: i64, limit: u32) -> Vec<MappingEdit>;
        /// Maps an ATS stage name to a Talentdeck stage (`to: null`: unmapped); emits `models_changed`.
        fn set_mapping(connection_id: i64, ats_stage: String, to: Option<String>, job: Option<String>) -> ();
        /// Talentdeck's suggestions; with `apply`, stores them where no recruiter mapped the name.
        fn suggest_mappings(connection_id: i64, apply: bool) -> Vec<Suggestion>;
        /// Undoes the connection's newest mapping edit; rejects `not_found` when there is none.
        fn undo_mapping(connection_id: i64) -> MappingEdit;
        /// Redoes the edit undone last (while none was made since); rejects `not_found` when there is none.
        fn redo_mapping(connection_id: i64) -> MappingEdit;
        /// Each job's ATS pipeline (Lever: the account's, job null) with the active applications per stage.
        fn job_pipelines(connection_id: i64) -> Vec<JobPipeline>;
        /// Adds an active stage to Talentdeck's pipeline after `after` (first when null).
        fn add_pipeline_stage(name: String, after: Option<String>) -> PipelineStage;
        fn rename_pipeline_stage(old: String, name: String) -> PipelineStage;
        /// Removes a stage of Talentdeck's pipeline; every mapping to it (all connections) moves to `into`.
        fn remove_pipeline_stage(name: String, into: String) -> ();
        /// Puts Talentdeck's pipeline in a new order: `stage_ids` lists every stage's `PipelineStage.id`
        /// once, first stage first. Answers the pipeline as stored and emits `models_changed` for every
        /// connection. Rejects `validation` when the ids are not exactly the pipeline's (reload).
        fn reorder_pipeline_stages(stage_ids: Vec<i64>) -> Vec<PipelineStage>;
        /// Moves an application to a Talentdeck stage (through its job's mapping), queues it and pushes it in
        /// the background (`models_changed` when the push ends). Rejects `validation` when no ATS stage of
        /// the job maps to the target.
        fn move_application(connection_id: i64, application: String, stage: String) -> OutboxRow;
        /// Rejects an application with one of the ATS's reasons (its name or id); queued and pushed.
        fn reject_application(connection_id: i64, application: String, reason: String) -> OutboxRow;
        /// Adds a note to a talent, sent exactly as typed; queued and pushed.
        fn add_note(connection_id: i64, talent: String, text: String) -> OutboxRow;
        /// The ATS's rejection reasons for a connection.
        fn reasons(connection_id: i64) -> Vec<RejectionReason>;
        /// Queued changes, oldest first (of one connection, or all).
        fn outbox(connection_id: Option<i64>) -> Vec<OutboxRow>;
        /// Settles a conflict: keep the ATS's stage, or apply the recruiter's change again (pushed).
        fn resolve_conflict(outbox_id: i64, apply_mine: bool) -> OutboxRow;
        /// Pushes a connection's pending changes in the background.
        fn push_now(connection_id: i64) -> ();
        /// Likely duplicate talents across every connection, pair by pair with their evidence (strong: the
        /// same e-mail or phone; weak: only the same name and company), strong pairs first. Pairs marked
        /// "not a duplicate" or linked as the same person are left out.
        fn duplicates() -> Vec<DuplicatePair>;
        /// The records that may be the same person as a talent (by local id), linked ones first.
        fn duplicates_of(talent_id: i64) -> Vec<DuplicateOf>;
        /// "Not a duplicate": the pair is never suggested again, whatever later syncs bring.
        fn mark_not_duplicate(a: i64, b: i64) -> ();
        /// "Same person": links two records locally (search shows one person); the ATS is not touched.
        fn link_same_person(a: i64, b: i64) -> ();
        /// Takes a talent out of the person it was linked to.
        fn unlink_person(talent_id: i64) -> ();
    }
    events {
        /// The health of every connection changed (indicators and banners redraw).
        status_changed => StatusChanged(Vec<ConnectionStatus>);
        /// A connection's local data changed; visible lists reload.
        models_changed => ModelsChanged(ModelsChanged);
    }
}
