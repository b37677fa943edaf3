// The one place where the UI talks to the Rust core. Every command and every event is declared
// here once: `IBackend` is what components see, `TauriBackend` calls the real core through IPC,
// and `FakeBackend` (in ./fake/) answers the same interface in memory for tests and for
// `npm run dev` in a plain browser.

import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { ConnectionStatus } from './bindings/ConnectionStatus';
import type { DuplicateOf } from './bindings/DuplicateOf';
import type { DuplicatePair } from './bindings/DuplicatePair';
import type { ErrorPayload } from './bindings/ErrorPayload';
import type { JobBoard } from './bindings/JobBoard';
import type { JobRow } from './bindings/JobRow';
import type { LogEntry } from './bindings/LogEntry';
import type { OutboxRow } from './bindings/OutboxRow';
import type { JobPipeline } from './bindings/JobPipeline';
import type { PipelineStage } from './bindings/PipelineStage';
import type { Provider } from './bindings/Provider';
import type { TalentNotes } from './bindings/TalentNotes';
import type { TalentProfile } from './bindings/TalentProfile';
import type { TalentRow } from './bindings/TalentRow';

/** What `connect` and `reconnect` send. The secret goes to the core once and is never displayed back. */
export interface ConnectInput {
  provider: Provider;
  /** The connection's display name; unique (an existing connection is renewed with `reconnect`). */
  name: string;
  /** Greenhouse: the OAuth client secret. Lever and Ashby: the API key. */
  secret: string;
  /** Greenhouse only: the OAuth client id. */
  clientId?: string;
  /** Greenhouse only: the Greenhouse user the app acts as (`On-Behalf-Of`). */
  userId?: string;
  /** Overrides the provider's API base URL (self-hosted proxies, tests). */
  baseUrl?: string;
  /** Greenhouse only: overrides the OAuth token endpoint. */
  authUrl?: string;
}

// The next four mirror Rust types that do not derive ts-rs yet (`store::MappingRow`,
// `store::MappingEdit`, `app::Suggestion`, `model::RejectionReason`): keep them in step by hand
// until they do.

/** One ATS stage name of a connection and what it maps to (`mappings`). */
export interface MappingRow {
  /** null: the connection-wide mapping of this name; else the override for one job. */
  job_remote_id: string | null;
  ats_stage: string;
  ats_type: string | null;
  position: number;
  /** The Talentdeck stage; null: unmapped (its applications show as "Unmapped"). */
  stage: string | null;
  /** Talentdeck's suggestion, not yet confirmed or edited by a recruiter. */
  suggested: boolean;
  /** Active applications sitting in an ATS stage of this name. */
  applications: number;
}

/** One recorded mapping change (`mapping_history`, `undo_mapping`). */
export interface MappingEdit {
  id: number;
  job_remote_id: string | null;
  ats_stage: string;
  before: string | null;
  after: string | null;
  by: string;
  at: string;
}

/** What Talentdeck suggests for one ATS stage name (`suggest_mappings`). */
export interface Suggestion {
  ats_stage: string;
  suggested: string | null;
  current: string | null;
  /** The current mapping is a recruiter's: a suggestion never replaces it. */
  confirmed: boolean;
}

/** A rejection reason the ATS accepts. */
export interface RejectionReason {
  remote_id: string;
  name: string;
}

/** Payload of the `models_changed` event: the local data of a connection changed. */
export interface ModelsChanged {
  connection_id: number;
}

export type Unlisten = () => void;

/** The IPC surface of the core. Every method rejects with an {@link ErrorPayload}. */
export interface IBackend {
  /** Every connection with its health. */
  listStatus(): Promise<ConnectionStatus[]>;
  /** Starts the built-in sandbox ATS for `provider` and connects to it. */
  startSandbox(provider: Provider): Promise<ConnectionStatus>;
  /** Connects a real ATS account under a new name. */
  connect(input: ConnectInput): Promise<ConnectionStatus>;
  /**
   * Replaces an existing connection's secret, verifies it, clears `needs_reconnect` /
   * `permission_denied` / `disconnected`, and resumes syncing from the last checkpoint.
   */
  reconnect(connectionId: number, input: ConnectInput): Promise<ConnectionStatus>;
  /**
   * Removes the connection's secret from the keychain and stops syncing it. Without `purge`, its
   * jobs and talents stay browsable (read-only) and its status (state `disconnected`) is returned;
   * with `purge`, they are deleted along with the connection and the answer is null.
   */
  disconnect(connectionId: number, purge: boolean): Promise<ConnectionStatus | null>;
  /** Starts a sync; progress arrives through `status_changed` / `models_changed`. */
  syncNow(connectionId: number, full: boolean): Promise<void>;
  /** Minutes between automatic syncs of a connection; 0 turns automatic sync off. */
  setSyncInterval(connectionId: number, minutes: number): Promise<ConnectionStatus>;
  listJobs(connectionId: number | null, includeArchived: boolean): Promise<JobRow[]>;
  searchTalents(connectionId: number | null, query: string, limit: number): Promise<TalentRow[]>;
  listLog(connectionId: number | null, limit: number): Promise<LogEntry[]>;
  /**
   * Opens a talent's file (by its `FileRef.id`) with the system's default app, downloading it
   * first if it is not in the data folder yet. For a file it knows, the core then emits
   * `models_changed` whether or not it opened, so the row's `downloaded` / `error` update.
   * Rejects with `too_large` (over the offline limit: open it in the ATS), `not_found` (deleted
   * in the ATS), `unreachable` (offline, never downloaded) or `validation` (its connection is
   * disconnected).
   */
  openFile(fileId: number): Promise<void>;
  /**
   * The bytes of a talent's PDF or image (by `FileRef.id`) for the in-app preview, downloaded
   * first like `openFile` (and `models_changed` follows likewise). Rejects as `openFile` does,
   * with `validation` for a file that is neither a PDF nor an image, and `too_large` past the
   * preview's cap.
   */
  previewFile(fileId: number): Promise<ArrayBuffer>;
  /** Everything stored about a talent (by `TalentRow.id`); rejects `not_found` when it is gone. */
  talentProfile(talentId: number): Promise<TalentProfile>;
  /**
   * A talent's notes. Without `refresh`: the cached copy, at once (`fetched_at: null` when never
   * read). With it: read from the ATS and cached; when the ATS cannot be read the cached notes
   * come back with `stale: true` and the reason in `error` (it never rejects for that).
   */
  talentNotes(talentId: number, refresh: boolean): Promise<TalentNotes>;
  /**
   * Opens the talent's page (or one application's, by remote id) in the ATS with the system
   * browser. The core builds the address from the record; rejects `validation` for sandbox records.
   */
  openInAts(talentId: number, application: string | null): Promise<void>;

  /** A job's header, Talentdeck's pipeline (the columns) and its applications as cards. */
  jobBoard(connectionId: number, jobRemoteId: string): Promise<JobBoard>;
  /** Talentdeck's own pipeline, in order. */
  pipeline(): Promise<PipelineStage[]>;
  /** Every ATS stage name of a connection with its mapping, then the per-job overrides. */
  mappings(connectionId: number, job: string | null): Promise<MappingRow[]>;
  /** The connection's mapping edits not undone, newest first. */
  mappingHistory(connectionId: number, limit: number): Promise<MappingEdit[]>;
  /** Maps an ATS stage name to a Talentdeck stage (`to: null`: unmapped); emits `models_changed`. */
  setMapping(connectionId: number, atsStage: string, to: string | null, job: string | null): Promise<void>;
  /** Talentdeck's suggestions; with `apply`, stores them where no recruiter mapped the name. */
  suggestMappings(connectionId: number, apply: boolean): Promise<Suggestion[]>;
  /** Undoes the connection's newest mapping edit; rejects `not_found` when there is none. */
  undoMapping(connectionId: number): Promise<MappingEdit>;
  /** Redoes the edit undone last (while none was made since); rejects `not_found` when there is none. */
  redoMapping(connectionId: number): Promise<MappingEdit>;
  /** Each job's ATS pipeline (Lever: the account's, job null) with the active applications per stage. */
  jobPipelines(connectionId: number): Promise<JobPipeline[]>;
  /** Adds an active stage to Talentdeck's pipeline after `after` (first when null). */
  addPipelineStage(name: string, after: string | null): Promise<PipelineStage>;
  renamePipelineStage(old: string, name: string): Promise<PipelineStage>;
  /** Removes a stage of Talentdeck's pipeline; every mapping to it (all connections) moves to `into`. */
  removePipelineStage(name: string, into: string): Promise<void>;
  /**
   * Puts Talentdeck's pipeline in a new order: `stageIds` lists every stage's `PipelineStage.id`
   * once, first stage first. Answers the pipeline as stored (positions 0..n-1) and emits
   * `models_changed` for every connection (their boards' columns follow). Rejects `validation`
   * when the ids are not exactly the pipeline's (a stage added or removed meanwhile: reload).
   * The pipeline is shared by every connection, like the other pipeline commands: no connection id.
   */
  reorderPipelineStages(stageIds: number[]): Promise<PipelineStage[]>;
  /**
   * Moves an application to a Talentdeck stage (through its job's mapping), queues it and pushes
   * it in the background (`models_changed` when the push ends). Rejects `validation` when no ATS
   * stage of the job maps to the target.
   */
  moveApplication(connectionId: number, application: string, stage: string): Promise<OutboxRow>;
  /** Rejects an application with one of the ATS's reasons (its name or id); queued and pushed. */
  rejectApplication(connectionId: number, application: string, reason: string): Promise<OutboxRow>;
  /** Adds a note to a talent, sent exactly as typed; queued and pushed. */
  addNote(connectionId: number, talent: string, text: string): Promise<OutboxRow>;
  /** The ATS's rejection reasons for a connection. */
  reasons(connectionId: number): Promise<RejectionReason[]>;
  /** Queued changes, oldest first (of one connection, or all). */
  outbox(connectionId: number | null): Promise<OutboxRow[]>;
  /** Settles a conflict: keep the ATS's stage, or apply the recruiter's change again (pushed). */
  resolveConflict(outboxId: number, applyMine: boolean): Promise<OutboxRow>;
  /** Pushes a connection's pending changes in the background. */
  pushNow(connectionId: number): Promise<void>;

  /**
   * Likely duplicate talents across every connection, pair by pair with their evidence (strong:
   * the same e-mail or phone; weak: only the same name and company), strong pairs first. Pairs
   * marked "not a duplicate" or linked as the same person are left out.
   */
  duplicates(): Promise<DuplicatePair[]>;
  /** The records that may be the same person as a talent (by local id), linked ones first. */
  duplicatesOf(talentId: number): Promise<DuplicateOf[]>;
  /** "Not a duplicate": the pair is never suggested again, whatever later syncs bring. */
  markNotDuplicate(a: number, b: number): Promise<void>;
  /** "Same person": links two records locally (search shows one person); the ATS is not touched. */
  linkSamePerson(a: number, b: number): Promise<void>;
  /** Takes a talent out of the person it was linked to. */
  unlinkPerson(talentId: number): Promise<void>;

  /** `status_changed`: the health of every connection. */
  onStatusChanged(handler: (statuses: ConnectionStatus[]) => void): Promise<Unlisten>;
  /** `models_changed`: a connection's local data changed; visible lists reload. */
  onModelsChanged(handler: (change: ModelsChanged) => void): Promise<Unlisten>;
}

/** The command names, as registered by the Rust side's `invoke_handler`. */
export const COMMANDS = {
  listStatus: 'list_status',
  startSandbox: 'start_sandbox',
  connect: 'connect',
  reconnect: 'reconnect',
  disconnect: 'disconnect',
  syncNow: 'sync_now',
  setSyncInterval: 'set_sync_interval',
  listJobs: 'list_jobs',
  searchTalents: 'search_talents',
  listLog: 'list_log',
  openFile: 'open_file',
  previewFile: 'preview_file',
  talentProfile: 'talent_profile',
  talentNotes: 'talent_notes',
  openInAts: 'open_in_ats',
  jobBoard: 'job_board',
  pipeline: 'pipeline',
  mappings: 'mappings',
  mappingHistory: 'mapping_history',
  setMapping: 'set_mapping',
  suggestMappings: 'suggest_mappings',
  undoMapping: 'undo_mapping',
  redoMapping: 'redo_mapping',
  jobPipelines: 'job_pipelines',
  addPipelineStage: 'add_pipeline_stage',
  renamePipelineStage: 'rename_pipeline_stage',
  removePipelineStage: 'remove_pipeline_stage',
  reorderPipelineStages: 'reorder_pipeline_stages',
  moveApplication: 'move_application',
  rejectApplication: 'reject_application',
  addNote: 'add_note',
  reasons: 'reasons',
  outbox: 'outbox',
  resolveConflict: 'resolve_conflict',
  pushNow: 'push_now',
  duplicates: 'duplicates',
  duplicatesOf: 'duplicates_of',
  markNotDuplicate: 'mark_not_duplicate',
  linkSamePerson: 'link_same_person',
  unlinkPerson: 'unlink_person',
} as const;

/** The event names the core emits. */
export const EVENTS = {
  statusChanged: 'status_changed',
  modelsChanged: 'models_changed',
} as const;

/** Turns anything a command rejected with into an {@link ErrorPayload}. */
export function toErrorPayload(e: unknown): ErrorPayload {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const { code, message } = e as { code: unknown; message: unknown };
    return { code: String(code), message: String(message) };
  }
  if (e instanceof Error) return { code: 'internal', message: e.message };
  if (typeof e === 'string') return { code: 'internal', message: e };
  return { code: 'internal', message: 'Something went wrong.' };
}

/** The real core, through Tauri's IPC. Arguments are camelCase, as Tauri maps them. */
export class TauriBackend implements IBackend {
  private async call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
    try {
      return await invoke<T>(cmd, args);
    } catch (e) {
      throw toErrorPayload(e);
    }
  }

  private on<T>(event: string, handler: (payload: T) => void): Promise<Unlisten> {
    return listen<T>(event, (e) => handler(e.payload));
  }

  listStatus() {
    return this.call<ConnectionStatus[]>(COMMANDS.listStatus);
  }
  startSandbox(provider: Provider) {
    return this.call<ConnectionStatus>(COMMANDS.startSandbox, { provider });
  }
  connect(input: ConnectInput) {
    return this.call<ConnectionStatus>(COMMANDS.connect, { input: withoutEmpty(input) });
  }
  reconnect(connectionId: number, input: ConnectInput) {
    return this.call<ConnectionStatus>(COMMANDS.reconnect, { connectionId, input: withoutEmpty(input) });
  }
  disconnect(connectionId: number, purge: boolean) {
    return this.call<ConnectionStatus | null>(COMMANDS.disconnect, { connectionId, purge });
  }
  syncNow(connectionId: number, full: boolean) {
    return this.call<void>(COMMANDS.syncNow, { connectionId, full });
  }
  setSyncInterval(connectionId: number, minutes: number) {
    return this.call<ConnectionStatus>(COMMANDS.setSyncInterval, { connectionId, minutes });
  }
  listJobs(connectionId: number | null, includeArchived: boolean) {
    return this.call<JobRow[]>(COMMANDS.listJobs, { connectionId, includeArchived });
  }
  searchTalents(connectionId: number | null, query: string, limit: number) {
    return this.call<TalentRow[]>(COMMANDS.searchTalents, { connectionId, query, limit });
  }
  listLog(connectionId: number | null, limit: number) {
    return this.call<LogEntry[]>(COMMANDS.listLog, { connectionId, limit });
  }
  openFile(fileId: number) {
    return this.call<void>(COMMANDS.openFile, { fileId });
  }
  previewFile(fileId: number) {
    // The command answers raw bytes (`tauri::ipc::Response`): they arrive as an ArrayBuffer.
    return this.call<ArrayBuffer>(COMMANDS.previewFile, { fileId });
  }
  talentProfile(talentId: number) {
    return this.call<TalentProfile>(COMMANDS.talentProfile, { talentId });
  }
  talentNotes(talentId: number, refresh: boolean) {
    return this.call<TalentNotes>(COMMANDS.talentNotes, { talentId, refresh });
  }
  openInAts(talentId: number, application: string | null) {
    return this.call<void>(COMMANDS.openInAts, { talentId, application });
  }
  jobBoard(connectionId: number, jobRemoteId: string) {
    return this.call<JobBoard>(COMMANDS.jobBoard, { connectionId, jobRemoteId });
  }
  pipeline() {
    return this.call<PipelineStage[]>(COMMANDS.pipeline);
  }
  mappings(connectionId: number, job: string | null) {
    return this.call<MappingRow[]>(COMMANDS.mappings, { connectionId, job });
  }
  mappingHistory(connectionId: number, limit: number) {
    return this.call<MappingEdit[]>(COMMANDS.mappingHistory, { connectionId, limit });
  }
  setMapping(connectionId: number, atsStage: string, to: string | null, job: string | null) {
    return this.call<void>(COMMANDS.setMapping, { connectionId, atsStage, to, job });
  }
  suggestMappings(connectionId: number, apply: boolean) {
    return this.call<Suggestion[]>(COMMANDS.suggestMappings, { connectionId, apply });
  }
  undoMapping(connectionId: number) {
    return this.call<MappingEdit>(COMMANDS.undoMapping, { connectionId });
  }
  redoMapping(connectionId: number) {
    return this.call<MappingEdit>(COMMANDS.redoMapping, { connectionId });
  }
  jobPipelines(connectionId: number) {
    return this.call<JobPipeline[]>(COMMANDS.jobPipelines, { connectionId });
  }
  addPipelineStage(name: string, after: string | null) {
    return this.call<PipelineStage>(COMMANDS.addPipelineStage, { name, after });
  }
  renamePipelineStage(old: string, name: string) {
    return this.call<PipelineStage>(COMMANDS.renamePipelineStage, { old, new: name });
  }
  removePipelineStage(name: string, into: string) {
    return this.call<void>(COMMANDS.removePipelineStage, { name, into });
  }
  reorderPipelineStages(stageIds: number[]) {
    return this.call<PipelineStage[]>(COMMANDS.reorderPipelineStages, { stageIds });
  }
  moveApplication(connectionId: number, application: string, stage: string) {
    return this.call<OutboxRow>(COMMANDS.moveApplication, { connectionId, application, stage });
  }
  rejectApplication(connectionId: number, application: string, reason: string) {
    return this.call<OutboxRow>(COMMANDS.rejectApplication, { connectionId, application, reason });
  }
  addNote(connectionId: number, talent: string, text: string) {
    return this.call<OutboxRow>(COMMANDS.addNote, { connectionId, talent, text });
  }
  reasons(connectionId: number) {
    return this.call<RejectionReason[]>(COMMANDS.reasons, { connectionId });
  }
  outbox(connectionId: number | null) {
    return this.call<OutboxRow[]>(COMMANDS.outbox, { connectionId });
  }
  resolveConflict(outboxId: number, applyMine: boolean) {
    return this.call<OutboxRow>(COMMANDS.resolveConflict, { outboxId, applyMine });
  }
  pushNow(connectionId: number) {
    return this.call<void>(COMMANDS.pushNow, { connectionId });
  }
  duplicates() {
    return this.call<DuplicatePair[]>(COMMANDS.duplicates);
  }
  duplicatesOf(talentId: number) {
    return this.call<DuplicateOf[]>(COMMANDS.duplicatesOf, { talentId });
  }
  markNotDuplicate(a: number, b: number) {
    return this.call<void>(COMMANDS.markNotDuplicate, { a, b });
  }
  linkSamePerson(a: number, b: number) {
    return this.call<void>(COMMANDS.linkSamePerson, { a, b });
  }
  unlinkPerson(talentId: number) {
    return this.call<void>(COMMANDS.unlinkPerson, { talentId });
  }
  onStatusChanged(handler: (statuses: ConnectionStatus[]) => void) {
    return this.on<ConnectionStatus[]>(EVENTS.statusChanged, handler);
  }
  onModelsChanged(handler: (change: ModelsChanged) => void) {
    return this.on<ModelsChanged>(EVENTS.modelsChanged, handler);
  }
}

/** Drops optional fields left blank so the core sees them as absent (`None`). */
function withoutEmpty(input: ConnectInput): ConnectInput {
  const out: ConnectInput = { provider: input.provider, name: input.name.trim(), secret: input.secret };
  for (const key of ['clientId', 'userId', 'baseUrl', 'authUrl'] as const) {
    const v = input[key]?.trim();
    if (v) out[key] = v;
  }
  return out;
}

/** True inside the Tauri window. */
export function isTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

/**
 * The backend for this run: the fake when `VITE_FAKE_BACKEND` is set or outside Tauri (a plain
 * browser), the real core otherwise. The fake is loaded lazily so it stays out of the app's
 * main chunk.
 */
export async function createBackend(): Promise<IBackend> {
  const forceFake = import.meta.env.VITE_FAKE_BACKEND === '1' || import.meta.env.VITE_FAKE_BACKEND === 'true';
  if (!forceFake && isTauri()) return new TauriBackend();
  const { FakeBackend, scenarioFromUrl } = await import('./fake/fake-backend');
  return new FakeBackend(scenarioFromUrl(window.location.search));
}
