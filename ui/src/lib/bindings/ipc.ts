// Generated from src-tauri/ipc/contract.rs by `cargo test`: do not edit (CI fails when it drifts).

import type { ConnectInput } from './ConnectInput';
import type { ConnectionStatus } from './ConnectionStatus';
import type { DuplicateOf } from './DuplicateOf';
import type { DuplicatePair } from './DuplicatePair';
import type { JobBoard } from './JobBoard';
import type { JobPipeline } from './JobPipeline';
import type { JobRow } from './JobRow';
import type { LogEntry } from './LogEntry';
import type { MappingEdit } from './MappingEdit';
import type { MappingRow } from './MappingRow';
import type { ModelsChanged } from './ModelsChanged';
import type { OutboxRow } from './OutboxRow';
import type { PipelineStage } from './PipelineStage';
import type { Provider } from './Provider';
import type { ReconnectInput } from './ReconnectInput';
import type { RejectionReason } from './RejectionReason';
import type { Suggestion } from './Suggestion';
import type { SyncRun } from './SyncRun';
import type { TalentNotes } from './TalentNotes';
import type { TalentProfile } from './TalentProfile';
import type { TalentRow } from './TalentRow';

/** The core's commands, as the UI calls them. Every one rejects with an `ErrorPayload`. */
export interface Commands {
  /**
   * Every connection with its health.
   */
  listStatus(): Promise<Array<ConnectionStatus>>;
  /**
   * Starts the built-in sandbox ATS for `provider` and connects to it.
   */
  startSandbox(provider: Provider): Promise<ConnectionStatus>;
  /**
   * Connects a real ATS account under a new name, then syncs it.
   */
  connect(input: ConnectInput): Promise<ConnectionStatus>;
  /**
   * Replaces an existing connection's secret (sent once, never sent back), verifies it, clears
   * `needs_reconnect` / `permission_denied` / `disconnected`, and resumes syncing from the last checkpoint.
   */
  reconnect(connectionId: number, input: ReconnectInput): Promise<ConnectionStatus>;
  /**
   * Removes the connection's secret from the keychain and stops syncing it. Without `purge`, its
   * jobs and talents stay browsable (read-only) and its status (state `disconnected`) is returned;
   * with `purge`, they are deleted along with the connection and the answer is null.
   */
  disconnect(connectionId: number, purge: boolean): Promise<ConnectionStatus | null>;
  /**
   * Starts a sync; progress arrives through `status_changed` / `models_changed`.
   */
  syncNow(connectionId: number, full: boolean): Promise<void>;
  /**
   * Minutes between automatic syncs of a connection; 0 turns automatic sync off.
   */
  setSyncInterval(connectionId: number, minutes: number): Promise<ConnectionStatus>;
  listJobs(connectionId: number | null, includeArchived: boolean): Promise<Array<JobRow>>;
  searchTalents(connectionId: number | null, query: string, limit: number): Promise<Array<TalentRow>>;
  listLog(connectionId: number | null, limit: number): Promise<Array<LogEntry>>;
  /**
   * The most recent sync runs (of one connection or all), newest first, with their counts per resource.
   */
  listRuns(connectionId: number | null, limit: number): Promise<Array<SyncRun>>;
  /**
   * Puts the redacted diagnostics bundle (of one connection or all) on the system clipboard as
   * indented JSON, for support: the same as `talentdeck diagnose`. Secrets, names, e-mail
   * addresses and phone numbers are replaced. The text never passes through the window.
   */
  copyDiagnostics(connectionId: number | null): Promise<void>;
  /**
   * Opens a talent's file (by its `FileRef.id`) with the system's default app, downloading it first
   * if it is not in the data folder yet; `models_changed` follows whether or not it opened. Rejects
   * `too_large` (over the offline limit: open it in the ATS), `not_found` (deleted in the ATS),
   * `unreachable` (offline, never downloaded) or `validation` (its connection is disconnected).
   */
  openFile(fileId: number): Promise<void>;
  /**
   * The bytes of a talent's PDF or image (by `FileRef.id`) for the in-app preview, downloaded first
   * like `open_file` (and `models_changed` follows likewise). Rejects as `open_file` does, with
   * `validation` for a file that is neither a PDF nor an image, and `too_large` past the preview's cap.
   */
  previewFile(fileId: number): Promise<ArrayBuffer>;
  /**
   * Everything stored about a talent (by `TalentRow.id`); rejects `not_found` when it is gone.
   */
  talentProfile(talentId: number): Promise<TalentProfile>;
  /**
   * A talent's notes. Without `refresh`: the cached copy, at once (`fetched_at: null` when never
   * read). With it: read from the ATS and cached; when the ATS cannot be read the cached notes come
   * back with `stale: true` and the reason in `error` (it never rejects for that).
   */
  talentNotes(talentId: number, refresh: boolean): Promise<TalentNotes>;
  /**
   * Opens the talent's page (or one application's, by remote id) in the ATS with the system browser.
   * The core builds the address from the record; rejects `validation` for sandbox records.
   */
  openInAts(talentId: number, application: string | null): Promise<void>;
  /**
   * A job's header, Talentdeck's pipeline (the columns) and its applications as cards.
   */
  jobBoard(connectionId: number, jobRemoteId: string): Promise<JobBoard>;
  /**
   * Talentdeck's own pipeline, in order.
   */
  pipeline(): Promise<Array<PipelineStage>>;
  /**
   * Every ATS stage name of a connection with its mapping, then the per-job overrides.
   */
  mappings(connectionId: number, job: string | null): Promise<Array<MappingRow>>;
  /**
   * The connection's mapping edits not undone, newest first.
   */
  mappingHistory(connectionId: number, limit: number): Promise<Array<MappingEdit>>;
  /**
   * Maps an ATS stage name to a Talentdeck stage (`to: null`: unmapped); emits `models_changed`.
   */
  setMapping(connectionId: number, atsStage: string, to: string | null, job: string | null): Promise<void>;
  /**
   * Talentdeck's suggestions; with `apply`, stores them where no recruiter mapped the name.
   */
  suggestMappings(connectionId: number, apply: boolean): Promise<Array<Suggestion>>;
  /**
   * Undoes the connection's newest mapping edit; rejects `not_found` when there is none.
   */
  undoMapping(connectionId: number): Promise<MappingEdit>;
  /**
   * Redoes the edit undone last (while none was made since); rejects `not_found` when there is none.
   */
  redoMapping(connectionId: number): Promise<MappingEdit>;
  /**
   * Each job's ATS pipeline (Lever: the account's, job null) with the active applications per stage.
   */
  jobPipelines(connectionId: number): Promise<Array<JobPipeline>>;
  /**
   * Adds an active stage to Talentdeck's pipeline after `after` (first when null).
   */
  addPipelineStage(name: string, after: string | null): Promise<PipelineStage>;
  renamePipelineStage(old: string, name: string): Promise<PipelineStage>;
  /**
   * Removes a stage of Talentdeck's pipeline; every mapping to it (all connections) moves to `into`.
   */
  removePipelineStage(name: string, into: string): Promise<void>;
  /**
   * Puts Talentdeck's pipeline in a new order: `stage_ids` lists every stage's `PipelineStage.id`
   * once, first stage first. Answers the pipeline as stored and emits `models_changed` for every
   * connection. Rejects `validation` when the ids are not exactly the pipeline's (reload).
   */
  reorderPipelineStages(stageIds: Array<number>): Promise<Array<PipelineStage>>;
  /**
   * Moves an application to a Talentdeck stage (through its job's mapping), queues it and pushes it in
   * the background (`models_changed` when the push ends). Rejects `validation` when no ATS stage of
   * the job maps to the target.
   */
  moveApplication(connectionId: number, application: string, stage: string): Promise<OutboxRow>;
  /**
   * Rejects an application with one of the ATS's reasons (its name or id); queued and pushed.
   */
  rejectApplication(connectionId: number, application: string, reason: string): Promise<OutboxRow>;
  /**
   * Adds a note to a talent, sent exactly as typed; queued and pushed.
   */
  addNote(connectionId: number, talent: string, text: string): Promise<OutboxRow>;
  /**
   * The ATS's rejection reasons for a connection.
   */
  reasons(connectionId: number): Promise<Array<RejectionReason>>;
  /**
   * Queued changes, oldest first (of one connection, or all).
   */
  outbox(connectionId: number | null): Promise<Array<OutboxRow>>;
  /**
   * Settles a conflict: keep the ATS's stage, or apply the recruiter's change again (pushed).
   */
  resolveConflict(outboxId: number, applyMine: boolean): Promise<OutboxRow>;
  /**
   * Pushes a connection's pending changes in the background.
   */
  pushNow(connectionId: number): Promise<void>;
  /**
   * Likely duplicate talents across every connection, pair by pair with their evidence (strong: the
   * same e-mail or phone; weak: only the same name and company), strong pairs first. Pairs marked
   * "not a duplicate" or linked as the same person are left out.
   */
  duplicates(): Promise<Array<DuplicatePair>>;
  /**
   * The records that may be the same person as a talent (by local id), linked ones first.
   */
  duplicatesOf(talentId: number): Promise<Array<DuplicateOf>>;
  /**
   * "Not a duplicate": the pair is never suggested again, whatever later syncs bring.
   */
  markNotDuplicate(a: number, b: number): Promise<void>;
  /**
   * "Same person": links two records locally (search shows one person); the ATS is not touched.
   */
  linkSamePerson(a: number, b: number): Promise<void>;
  /**
   * Takes a talent out of the person it was linked to.
   */
  unlinkPerson(talentId: number): Promise<void>;
}

/** Sends one command to the core; `bindCommands` gives it the contract's names and argument names. */
export type Invoke = (command: string, args: Record<string, unknown>) => Promise<unknown>;

export function bindCommands(invoke: Invoke): Commands {
  return {
    listStatus: () => invoke('list_status', {}) as Promise<Array<ConnectionStatus>>,
    startSandbox: (provider: Provider) => invoke('start_sandbox', { provider: provider }) as Promise<ConnectionStatus>,
    connect: (input: ConnectInput) => invoke('connect', { input: input }) as Promise<ConnectionStatus>,
    reconnect: (connectionId: number, input: ReconnectInput) => invoke('reconnect', { connection_id: connectionId, input: input }) as Promise<ConnectionStatus>,
    disconnect: (connectionId: number, purge: boolean) => invoke('disconnect', { connection_id: connectionId, purge: purge }) as Promise<ConnectionStatus | null>,
    syncNow: (connectionId: number, full: boolean) => invoke('sync_now', { connection_id: connectionId, full: full }) as Promise<void>,
    setSyncInterval: (connectionId: number, minutes: number) => invoke('set_sync_interval', { connection_id: connectionId, minutes: minutes }) as Promise<ConnectionStatus>,
    listJobs: (connectionId: number | null, includeArchived: boolean) => invoke('list_jobs', { connection_id: connectionId, include_archived: includeArchived }) as Promise<Array<JobRow>>,
    searchTalents: (connectionId: number | null, query: string, limit: number) => invoke('search_talents', { connection_id: connectionId, query: query, limit: limit }) as Promise<Array<TalentRow>>,
    listLog: (connectionId: number | null, limit: number) => invoke('list_log', { connection_id: connectionId, limit: limit }) as Promise<Array<LogEntry>>,
    listRuns: (connectionId: number | null, limit: number) => invoke('list_runs', { connection_id: connectionId, limit: limit }) as Promise<Array<SyncRun>>,
    copyDiagnostics: (connectionId: number | null) => invoke('copy_diagnostics', { connection_id: connectionId }) as Promise<void>,
    openFile: (fileId: number) => invoke('open_file', { file_id: fileId }) as Promise<void>,
    previewFile: (fileId: number) => invoke('preview_file', { file_id: fileId }) as Promise<ArrayBuffer>,
    talentProfile: (talentId: number) => invoke('talent_profile', { talent_id: talentId }) as Promise<TalentProfile>,
    talentNotes: (talentId: number, refresh: boolean) => invoke('talent_notes', { talent_id: talentId, refresh: refresh }) as Promise<TalentNotes>,
    openInAts: (talentId: number, application: string | null) => invoke('open_in_ats', { talent_id: talentId, application: application }) as Promise<void>,
    jobBoard: (connectionId: number, jobRemoteId: string) => invoke('job_board', { connection_id: connectionId, job_remote_id: jobRemoteId }) as Promise<JobBoard>,
    pipeline: () => invoke('pipeline', {}) as Promise<Array<PipelineStage>>,
    mappings: (connectionId: number, job: string | null) => invoke('mappings', { connection_id: connectionId, job: job }) as Promise<Array<MappingRow>>,
    mappingHistory: (connectionId: number, limit: number) => invoke('mapping_history', { connection_id: connectionId, limit: limit }) as Promise<Array<MappingEdit>>,
    setMapping: (connectionId: number, atsStage: string, to: string | null, job: string | null) => invoke('set_mapping', { connection_id: connectionId, ats_stage: atsStage, to: to, job: job }) as Promise<void>,
    suggestMappings: (connectionId: number, apply: boolean) => invoke('suggest_mappings', { connection_id: connectionId, apply: apply }) as Promise<Array<Suggestion>>,
    undoMapping: (connectionId: number) => invoke('undo_mapping', { connection_id: connectionId }) as Promise<MappingEdit>,
    redoMapping: (connectionId: number) => invoke('redo_mapping', { connection_id: connectionId }) as Promise<MappingEdit>,
    jobPipelines: (connectionId: number) => invoke('job_pipelines', { connection_id: connectionId }) as Promise<Array<JobPipeline>>,
    addPipelineStage: (name: string, after: string | null) => invoke('add_pipeline_stage', { name: name, after: after }) as Promise<PipelineStage>,
    renamePipelineStage: (old: string, name: string) => invoke('rename_pipeline_stage', { old: old, name: name }) as Promise<PipelineStage>,
    removePipelineStage: (name: string, into: string) => invoke('remove_pipeline_stage', { name: name, into: into }) as Promise<void>,
    reorderPipelineStages: (stageIds: Array<number>) => invoke('reorder_pipeline_stages', { stage_ids: stageIds }) as Promise<Array<PipelineStage>>,
    moveApplication: (connectionId: number, application: string, stage: string) => invoke('move_application', { connection_id: connectionId, application: application, stage: stage }) as Promise<OutboxRow>,
    rejectApplication: (connectionId: number, application: string, reason: string) => invoke('reject_application', { connection_id: connectionId, application: application, reason: reason }) as Promise<OutboxRow>,
    addNote: (connectionId: number, talent: string, text: string) => invoke('add_note', { connection_id: connectionId, talent: talent, text: text }) as Promise<OutboxRow>,
    reasons: (connectionId: number) => invoke('reasons', { connection_id: connectionId }) as Promise<Array<RejectionReason>>,
    outbox: (connectionId: number | null) => invoke('outbox', { connection_id: connectionId }) as Promise<Array<OutboxRow>>,
    resolveConflict: (outboxId: number, applyMine: boolean) => invoke('resolve_conflict', { outbox_id: outboxId, apply_mine: applyMine }) as Promise<OutboxRow>,
    pushNow: (connectionId: number) => invoke('push_now', { connection_id: connectionId }) as Promise<void>,
    duplicates: () => invoke('duplicates', {}) as Promise<Array<DuplicatePair>>,
    duplicatesOf: (talentId: number) => invoke('duplicates_of', { talent_id: talentId }) as Promise<Array<DuplicateOf>>,
    markNotDuplicate: (a: number, b: number) => invoke('mark_not_duplicate', { a: a, b: b }) as Promise<void>,
    linkSamePerson: (a: number, b: number) => invoke('link_same_person', { a: a, b: b }) as Promise<void>,
    unlinkPerson: (talentId: number) => invoke('unlink_person', { talent_id: talentId }) as Promise<void>,
  };
}

/** The command names, as the core registers them. */
export const COMMAND_NAMES = [
  'list_status',
  'start_sandbox',
  'connect',
  'reconnect',
  'disconnect',
  'sync_now',
  'set_sync_interval',
  'list_jobs',
  'search_talents',
  'list_log',
  'list_runs',
  'copy_diagnostics',
  'open_file',
  'preview_file',
  'talent_profile',
  'talent_notes',
  'open_in_ats',
  'job_board',
  'pipeline',
  'mappings',
  'mapping_history',
  'set_mapping',
  'suggest_mappings',
  'undo_mapping',
  'redo_mapping',
  'job_pipelines',
  'add_pipeline_stage',
  'rename_pipeline_stage',
  'remove_pipeline_stage',
  'reorder_pipeline_stages',
  'move_application',
  'reject_application',
  'add_note',
  'reasons',
  'outbox',
  'resolve_conflict',
  'push_now',
  'duplicates',
  'duplicates_of',
  'mark_not_duplicate',
  'link_same_person',
  'unlink_person',
] as const;

/** Every event the core emits, with its payload. */
export interface Events {
  /**
   * The health of every connection changed (indicators and banners redraw).
   */
  status_changed: Array<ConnectionStatus>;
  /**
   * A connection's local data changed; visible lists reload.
   */
  models_changed: ModelsChanged;
}

export type EventName = keyof Events;
