// An in-memory stand-in for the Rust core: the same commands and events as `TauriBackend`, with
// simulated syncs. Used by the component tests and by `npm run dev` in a plain browser.
//
// In the browser, `?scenario=` picks the starting data: `empty` (first run, the default), `demo`,
// `reconnect`, `disconnected`, `big` (100,000 talents), `offline`, `broken` (list_status fails);
// `?delay=` sets how long a simulated sync takes in milliseconds.

import type { Trigger } from '../bindings/Trigger';
import type { IBackend, ConnectInput, ReconnectInput, MappingEdit, MappingRow, ModelsChanged, RejectionReason, Suggestion, Unlisten } from '../backend';
import type { ConnectionState } from '../bindings/ConnectionState';
import type { ConnectionStatus } from '../bindings/ConnectionStatus';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { FileRef } from '../bindings/FileRef';
import type { HealthIndicator } from '../bindings/HealthIndicator';
import type { JobBoard } from '../bindings/JobBoard';
import type { JobRow } from '../bindings/JobRow';
import type { LogEntry } from '../bindings/LogEntry';
import type { OutboxRow } from '../bindings/OutboxRow';
import type { JobPipeline } from '../bindings/JobPipeline';
import type { PipelineStage } from '../bindings/PipelineStage';
import type { Provider } from '../bindings/Provider';
import type { Commands } from '../bindings/ipc';
import type { ResourceCounts } from '../bindings/ResourceCounts';
import type { RunSummary } from '../bindings/RunSummary';
import type { SyncRun } from '../bindings/SyncRun';
import type { TalentNotes } from '../bindings/TalentNotes';
import type { TalentProfile } from '../bindings/TalentProfile';
import type { TalentRow } from '../bindings/TalentRow';
import { makeJobs, makeTalents } from './data';
import { FakeTwoWay } from './two-way';
import { FakeDuplicates } from './duplicates';
import { previewKind } from '../preview';
import type { DuplicateOf } from '../bindings/DuplicateOf';
import type { DuplicatePair } from '../bindings/DuplicatePair';

export type Scenario = 'empty' | 'demo' | 'reconnect' | 'disconnected' | 'big' | 'offline' | 'broken';

export interface FakeOptions {
  scenario?: Scenario;
  /** How long a simulated sync runs, in ms (0 in tests). */
  syncDelayMs?: number;
  /** Added to every command, in ms, to show loading states. */
  latencyMs?: number;
  /** Talents a new sandbox gets. */
  sandboxTalents?: number;
  /** Jobs a new sandbox gets. */
  sandboxJobs?: number;
  /** How long after a change the simulated push runs, in ms (0 in tests). */
  pushDelayMs?: number;
  /** The clock. */
  now?: () => number;
}

/** The commands the fake records in `calls`: every command of the IPC contract. */
type Command = keyof Commands;

interface FakeConnection {
  status: ConnectionStatus;
  jobs: JobRow[];
  talents: TalentRow[];
  /** Lower-cased search text per talent, in `talents` order. */
  haystacks: string[];
}

const DISPLAY: Record<Provider, string> = { greenhouse: 'Greenhouse', lever: 'Lever', ashby: 'Ashby' };
const HOUR = 3600_000;
/** The largest file the core keeps offline (its `FileLimits::max_file_bytes`). */
const MAX_FILE_BYTES = 25 * 1024 * 1024;

/** A file name quoted as the core's messages quote it (Rust's `{:?}`). */
const quoted = (s: string): string => JSON.stringify(s);

/** The same rule as the core's `status::indicator`. */
export function indicatorFor(
  state: ConnectionState,
  lastSuccessAt: string | null,
  lastRunFailed: boolean,
  now: number,
): HealthIndicator {
  if (state === 'syncing') return 'syncing';
  if (state !== 'connected') return 'red';
  if (lastRunFailed || !lastSuccessAt) return 'red';
  const age = now - Date.parse(lastSuccessAt);
  if (age <= 24 * HOUR) return 'green';
  if (age <= 48 * HOUR) return 'yellow';
  return 'red';
}

export function scenarioFromUrl(search: string): FakeOptions {
  const params = new URLSearchParams(search);
  const scenario = (params.get('scenario') ?? 'empty') as Scenario;
  const delay = Number(params.get('delay') ?? '2500');
  const latency = Number(params.get('latency') ?? '150');
  const push = Number(params.get('push') ?? '1500');
  return { scenario, syncDelayMs: delay, latencyMs: latency, pushDelayMs: push };
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export class FakeBackend implements IBackend {
  private conns: FakeConnection[] = [];
  private log: LogEntry[] = [];
  /** Every run as it began; a connection's `last_run` is the newer copy of its latest. */
  private runs: RunSummary[] = [];
  private runResources = new Map<number, ResourceCounts[]>();
  private nextId = 1;
  private nextRecordId = 1;
  private nextLogId = 1;
  private nextRunId = 1;
  private nextFileId = 1;
  private statusHandlers = new Set<(s: ConnectionStatus[]) => void>();
  private modelsHandlers = new Set<(c: ModelsChanged) => void>();
  private failures = new Map<Command, ErrorPayload[]>();
  private gates = new Map<Command, Promise<void>[]>();
  private readonly twoWay: FakeTwoWay;
  private readonly dups = new FakeDuplicates(() =>
    this.conns.flatMap((c) => c.talents.map((talent) => ({ talent, provider: c.status.provider }))),
  );
  private timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly opts: Required<Omit<FakeOptions, 'scenario'>> & { scenario: Scenario };
  /** Every command call, for tests: `[command, args]`. */
  readonly calls: [Command, unknown[]][] = [];
  /** The files `openFile` handed to the system's default app, by id, for tests. */
  readonly opened: number[] = [];
  /**
   * What `previewFile` answers per file id, for tests; a file without an entry gets a stand-in
   * chosen by its name (a PDF header for `.pdf`, a PNG signature for `.png`, else not previewable).
   */
  readonly previewBytes = new Map<number, Uint8Array>();
  /** What `openInAts` opened in the browser, for tests: `[talentId, application]`. */
  readonly openedInAts: [number, string | null][] = [];
  /** Notes cached per talent id (what the last successful `talentNotes(…, true)` read). */
  private notesCache = new Map<number, TalentNotes>();
  /** Fields a test set on a talent's profile, over what the fake makes up. */
  private profilePatches = new Map<number, Partial<TalentProfile>>();

  constructor(options: FakeOptions = {}) {
    this.opts = {
      scenario: options.scenario ?? 'empty',
      syncDelayMs: options.syncDelayMs ?? 0,
      latencyMs: options.latencyMs ?? 0,
      sandboxTalents: options.sandboxTalents ?? 600,
      sandboxJobs: options.sandboxJobs ?? 36,
      pushDelayMs: options.pushDelayMs ?? 0,
      now: options.now ?? (() => Date.now()),
    };
    this.twoWay = new FakeTwoWay(() => this.now());
    this.seed(this.opts.scenario);
  }

  // ---- test helpers -------------------------------------------------------------------------

  /** The next `times` calls of `command` reject with `error`. */
  fail(command: Command, error: ErrorPayload, times = 1): void {
    const queue = this.failures.get(command) ?? [];
    for (let i = 0; i < times; i++) queue.push(error);
    this.failures.set(command, queue);
  }

  /**
   * The next call of `command` waits until the returned function is called (to look at the UI
   * while a command is in flight).
   */
  hold(command: Command): () => void {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    this.gates.set(command, [...(this.gates.get(command) ?? []), gate]);
    return release;
  }

  /** The ATS moves an application (to an ATS stage, by name) before a queued move reaches it. */
  moveInAts(connectionId: number, application: string, atsStage: string): void {
    this.twoWay.moveInAts(this.byId(connectionId), application, atsStage);
  }

  /** Sets fields of a talent's profile (applications with timelines, custom fields, …) for tests. */
  patchProfile(talentId: number, patch: Partial<TalentProfile>): void {
    this.profilePatches.set(talentId, { ...this.profilePatches.get(talentId), ...patch });
  }

  /** Adds a connection as if it had been synced already. */
  addConnection(
    provider: Provider,
    name: string,
    opts: {
      state?: ConnectionState;
      reason?: string | null;
      lastError?: string | null;
      syncedHoursAgo?: number | null;
      talents?: number;
      jobs?: number;
      sandbox?: boolean;
      awkward?: boolean;
    } = {},
  ): ConnectionStatus {
    const now = this.now();
    const conn = this.createEmpty(provider, name, opts.sandbox ?? true);
    const id = conn.status.id;
    const hoursAgo = opts.syncedHoursAgo === undefined ? 0.1 : opts.syncedHoursAgo;
    const lastSuccess = hoursAgo === null ? null : new Date(now - hoursAgo * HOUR).toISOString();
    const jobs = makeJobs(id, name, opts.jobs ?? this.opts.sandboxJobs, id, now, this.nextRecordId);
    this.nextRecordId += jobs.length;
    const talents = makeTalents(id, name, opts.talents ?? this.opts.sandboxTalents, id, now, this.nextRecordId, {
      awkward: opts.awkward ?? true,
      fileId: () => this.nextFileId++,
    });
    this.nextRecordId += talents.length;
    const state = opts.state ?? 'connected';
    Object.assign(conn.status, {
      state,
      state_reason: opts.reason ?? null,
      last_success_at: lastSuccess,
      last_error: opts.lastError ?? null,
    });
    this.setData(conn, jobs, talents);
    if (lastSuccess) {
      conn.status.last_run = this.run(id, 'full', 'manual', new Date(Date.parse(lastSuccess) - 40_000).toISOString(), lastSuccess, 'succeeded', jobs.length + talents.length, 0);
      this.runResources.set(conn.status.last_run.id, [passCounts('jobs', jobs.length, 0), passCounts('talents', talents.length, 0)]);
      this.addLog(name, conn.status.last_run.id, 'info', 'Sync started (full, manual)', null, conn.status.last_run.started_at);
      this.addLog(name, conn.status.last_run.id, 'info', `Sync finished: ${jobs.length + talents.length} created, 0 updated, 0 deleted`, `jobs ${jobs.length}, talents ${talents.length}`, lastSuccess);
    }
    if (opts.lastError) {
      const at = new Date(now - 0.5 * HOUR).toISOString();
      const run = this.run(id, 'incremental', 'scheduled', at, at, 'failed', 0, 0, state === 'connected' ? 'unreachable' : state, opts.lastError);
      conn.status.last_run = run;
      this.addLog(name, run.id, 'error', 'Sync failed', opts.lastError, at);
    }
    this.refreshStatus(conn);
    return clone(conn.status);
  }

  /**
   * Adds one talent to a connection's local data, as an ATS returned it. Its files get ids here;
   * each is a resume, not downloaded, of unknown size, unless said otherwise.
   */
  addTalent(
    connectionId: number,
    { files = [], ...talent }: Partial<Omit<TalentRow, 'files'>> & { name: string; files?: (Partial<FileRef> & { filename: string })[] },
  ): TalentRow {
    const conn = this.byId(connectionId);
    const row: TalentRow = {
      id: this.nextRecordId++,
      connection_id: connectionId,
      connection: conn.status.name,
      remote_id: `cand-${this.nextRecordId}`,
      emails: [],
      phones: [],
      company: null,
      title: null,
      tags: [],
      updated_at: new Date(this.now()).toISOString(),
      applications: 0,
      linked_records: 0,
      ...talent,
      files: files
        .map((f) => ({ kind: 'resume', size_bytes: null, downloaded: false, error: null, ...f, id: this.nextFileId++ }))
        // As the core lists them: resumes first, otherwise in the order given (newest first).
        .sort((a, b) => Number(a.kind !== 'resume') - Number(b.kind !== 'resume')),
    };
    this.setData(conn, conn.jobs, [...conn.talents, row]);
    this.refreshStatus(conn);
    return row;
  }

  /** Changes a connection's state, as the core would after a 401 or a 403, and tells the UI. */
  setState(id: number, state: ConnectionState, reason: string | null = null): void {
    const conn = this.byId(id);
    conn.status.state = state;
    conn.status.state_reason = reason;
    this.refreshStatus(conn);
    this.emitStatus();
  }

  /** Stops pending simulated syncs. */
  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  // ---- IBackend -------------------------------------------------------------------------------

  async listStatus(): Promise<ConnectionStatus[]> {
    await this.enter('listStatus', []);
    for (const c of this.conns) this.refreshStatus(c);
    return clone(this.conns.map((c) => c.status));
  }

  async startSandbox(provider: Provider): Promise<ConnectionStatus> {
    await this.enter('startSandbox', [provider]);
    if (!(provider in DISPLAY)) throw { code: 'validation', message: `unknown provider ${String(provider)}` };
    const name = this.uniqueName(`Sandbox ${DISPLAY[provider]}`);
    const conn = this.createEmpty(provider, name, true);
    this.addLog(name, null, 'info', `Started the ${DISPLAY[provider]} sandbox`, 'http://127.0.0.1 (built-in simulator)');
    this.beginSync(conn, true, 'connect');
    return clone(conn.status);
  }

  async connect(input: ConnectInput): Promise<ConnectionStatus> {
    await this.enter('connect', [{ ...input, secret: '***' }]);
    const { name, label } = this.checkInput(input);
    // As the core: a name is taken once; an existing connection is renewed with `reconnect`.
    if (this.conns.some((c) => c.status.name === name)) {
      throw { code: 'validation', message: `A connection named “${name}” already exists. Reconnect it from its card instead.` };
    }
    const conn = this.createEmpty(input.provider, name, false);
    this.addLog(name, null, 'info', `Connected to ${label}`, 'Secret stored in the system keychain');
    this.beginSync(conn, true, 'connect');
    return clone(conn.status);
  }

  async reconnect(connectionId: number, input: ReconnectInput): Promise<ConnectionStatus> {
    await this.enter('reconnect', [connectionId, { ...input, secret: '***' }]);
    const conn = this.byId(connectionId);
    // As the core: Greenhouse's client id and user id are kept when the form leaves them out.
    this.checkInput({
      provider: conn.status.provider,
      name: conn.status.name,
      secret: input.secret,
      client_id: input.client_id ?? 'kept',
      user_id: input.user_id ?? 'kept',
      base_url: null,
      auth_url: null,
    });
    const was = conn.status.state;
    conn.status.state = 'connected';
    conn.status.state_reason = null;
    this.addLog(
      conn.status.name,
      null,
      'info',
      'Reconnected',
      `New ${conn.status.provider === 'greenhouse' ? 'credentials' : 'API key'} stored in the system keychain (was ${was}); syncing resumes from the last checkpoint`,
    );
    this.beginSync(conn, false, 'reconnect');
    return clone(conn.status);
  }

  async disconnect(connectionId: number, purge: boolean): Promise<ConnectionStatus | null> {
    await this.enter('disconnect', [connectionId, purge]);
    const conn = this.byId(connectionId);
    const s = conn.status;
    if (purge) {
      this.conns = this.conns.filter((c) => c !== conn);
      this.addLog(
        s.name,
        null,
        'info',
        'Disconnected and deleted the local data',
        `${conn.jobs.length} jobs and ${conn.talents.length} talents deleted; secret removed from the system keychain`,
      );
      this.emitModels(s.id);
      this.emitStatus();
      return null;
    }
    if (s.last_run?.state === 'running') {
      s.last_run = { ...s.last_run, state: 'cancelled', finished_at: new Date(this.now()).toISOString() };
    }
    s.state = 'disconnected';
    s.state_reason = 'Disconnected on request. The jobs and talents synced before stay browsable, read-only; reconnect to sync again.';
    this.addLog(s.name, null, 'info', 'Disconnected; the local data is kept, read-only', 'Secret removed from the system keychain; syncing stopped');
    this.refreshStatus(conn);
    this.emitStatus();
    return clone(s);
  }

  async setSyncInterval(connectionId: number, minutes: number): Promise<ConnectionStatus> {
    await this.enter('setSyncInterval', [connectionId, minutes]);
    if (minutes !== 0 && (minutes < 5 || minutes > 10080)) {
      throw { code: 'validation', message: `a sync interval of ${minutes} minutes is not allowed: use 0 (off) or 5 to 10080 minutes (a week)` };
    }
    const conn = this.byId(connectionId);
    conn.status.sync_interval_minutes = minutes === 0 ? null : minutes;
    this.refreshStatus(conn);
    this.emitStatus();
    return clone(conn.status);
  }

  async syncNow(connectionId: number, full: boolean): Promise<void> {
    await this.enter('syncNow', [connectionId, full]);
    const conn = this.conns.find((c) => c.status.id === connectionId);
    if (!conn) throw { code: 'not_found', message: `No connection with id ${connectionId}.` };
    if (conn.status.state === 'needs_reconnect' || conn.status.state === 'permission_denied') {
      throw {
        code: conn.status.state === 'needs_reconnect' ? 'unauthorized' : 'permission_denied',
        message: conn.status.state_reason ?? `${conn.status.name} needs to be reconnected before it can sync.`,
      };
    }
    if (conn.status.state === 'disconnected') {
      throw { code: 'disconnected', message: `${conn.status.name} is disconnected. Reconnect it to sync again.` };
    }
    if (conn.status.state === 'syncing') return;
    this.beginSync(conn, full, 'manual');
  }

  async listJobs(connectionId: number | null, includeArchived: boolean): Promise<JobRow[]> {
    await this.enter('listJobs', [connectionId, includeArchived]);
    const rows = this.scope(connectionId).flatMap((c) => c.jobs);
    return clone(
      rows
        .filter((j) => includeArchived || j.status !== 'archived')
        .sort((a, b) => Number(b.status === 'open') - Number(a.status === 'open') || b.updated_at.localeCompare(a.updated_at)),
    );
  }

  async searchTalents(connectionId: number | null, query: string, limit: number): Promise<TalentRow[]> {
    await this.enter('searchTalents', [connectionId, query, limit]);
    const words = query.toLowerCase().split(/\s+/).filter(Boolean);
    const out: TalentRow[] = [];
    const scoped = this.scope(connectionId);
    if (scoped.length === 1 && words.length === 0 && !this.dups.anyLinks()) return clone(scoped[0].talents.slice(0, limit));
    for (const c of scoped) {
      for (let i = 0; i < c.talents.length; i++) {
        const h = c.haystacks[i];
        if (words.every((w) => h.includes(w))) out.push(c.talents[i]);
      }
    }
    const folded = this.dups.fold(out, scoped.flatMap((c) => c.talents));
    folded.sort(byName);
    return clone(folded.slice(0, limit));
  }

  async listLog(connectionId: number | null, limit: number): Promise<LogEntry[]> {
    await this.enter('listLog', [connectionId, limit]);
    const name = connectionId === null ? null : this.byId(connectionId).status.name;
    return clone(
      this.log
        .filter((l) => name === null || l.connection === name)
        .sort((a, b) => b.at.localeCompare(a.at) || b.id - a.id)
        .slice(0, limit),
    );
  }

  async listRuns(connectionId: number | null, limit: number): Promise<SyncRun[]> {
    await this.enter('listRuns', [connectionId, limit]);
    const latest = new Map(this.conns.flatMap((c) => (c.status.last_run ? [[c.status.last_run.id, c.status.last_run] as const] : [])));
    return clone(
      this.runs
        .filter((r) => connectionId === null || r.connection_id === connectionId)
        .map((r) => ({ ...(latest.get(r.id) ?? r), resources: this.runResources.get(r.id) ?? [] }))
        .sort((a, b) => b.id - a.id)
        .slice(0, limit),
    );
  }

  /** What `copyDiagnostics` put on the (simulated) system clipboard last. */
  clipboard: string | null = null;

  async copyDiagnostics(connectionId: number | null): Promise<void> {
    await this.enter('copyDiagnostics', [connectionId]);
    const conns = this.conns.filter((c) => connectionId === null || c.status.id === connectionId);
    this.clipboard = JSON.stringify(
      {
        redaction: 'secrets, names, e-mail addresses and phone numbers are replaced by [redacted]',
        connections: conns.map((c) => ({ name: c.status.name, provider: c.status.provider, state: c.status.state, local_counts: { jobs: c.jobs.length, talents: c.talents.length } })),
      },
      null,
      2,
    );
  }

  async openFile(fileId: number): Promise<void> {
    await this.enter('openFile', [fileId]);
    const found = this.fileById(fileId);
    if (!found) throw { code: 'not_found', message: `no file ${fileId} in the local database (it may have been deleted in the ATS)` };
    const { conn, file } = found;
    try {
      if (!file.downloaded) this.download(conn, file);
      this.opened.push(fileId);
    } finally {
      // As the core: opened or failed with a reason the list shows, the row changed.
      this.emitModels(conn.status.id);
    }
  }

  async previewFile(fileId: number): Promise<ArrayBuffer> {
    await this.enter('previewFile', [fileId]);
    const found = this.fileById(fileId);
    if (!found) throw { code: 'not_found', message: `no file ${fileId} in the local database (it may have been deleted in the ATS)` };
    const { conn, file } = found;
    try {
      if (!file.downloaded) this.download(conn, file);
    } finally {
      this.emitModels(conn.status.id);
    }
    const name = file.filename.toLowerCase();
    const bytes =
      this.previewBytes.get(fileId) ??
      (name.endsWith('.pdf')
        ? new TextEncoder().encode('%PDF-1.4\n%%EOF\n')
        : name.endsWith('.png')
          ? new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])
          : null);
    if (bytes === null || previewKind(bytes) === null) {
      throw { code: 'validation', message: `${quoted(file.filename)} is not a PDF or an image Talentdeck can show; open it with the system app` };
    }
    return bytes.slice().buffer;
  }

  async talentProfile(talentId: number): Promise<TalentProfile> {
    await this.enter('talentProfile', [talentId]);
    const { conn, talent } = this.talentById(talentId);
    return clone({
      id: talent.id,
      connection_id: conn.status.id,
      connection: conn.status.name,
      provider: conn.status.provider,
      remote_id: talent.remote_id,
      name: talent.name,
      title: talent.title,
      company: talent.company,
      emails: talent.emails,
      phones: talent.phones,
      tags: talent.tags,
      links: talent.id % 2 ? [{ label: 'LinkedIn', value: `https://linkedin.com/in/talent-${talent.id}` }] : [],
      source: talent.id % 3 ? 'Referral' : null,
      custom_fields: talent.id % 2 ? [{ label: 'Notice period', value: '3 months' }, { label: 'Visa sponsorship', value: 'No' }] : [],
      updated_at: talent.updated_at,
      synced_at: conn.status.last_success_at ?? talent.updated_at,
      has_ats_page: !conn.status.sandbox,
      applications: this.twoWay.applicationsOf(conn, talent.remote_id).map((a) => ({ ...a, has_ats_page: !conn.status.sandbox })),
      files: talent.files,
      ...this.profilePatches.get(talentId),
    });
  }

  async talentNotes(talentId: number, refresh: boolean): Promise<TalentNotes> {
    await this.enter('talentNotes', [talentId, refresh]);
    const { conn, talent } = this.talentById(talentId);
    const cached = this.notesCache.get(talentId) ?? { notes: [], fetched_at: null, stale: false, error: null };
    if (!refresh) return clone(cached);
    const s = conn.status;
    if (s.state !== 'connected' && s.state !== 'syncing') {
      const error = s.state === 'unreachable' ? `Could not reach ${DISPLAY[s.provider]}: the network is unreachable.` : s.state_reason ?? `${s.name} needs to be reconnected.`;
      return clone({ ...cached, stale: true, error });
    }
    const sent = this.twoWay.notesOf(s.id, talent.remote_id).filter((r) => r.state === 'sent');
    const notes = [
      ...sent.map((r) => ({ remote_id: `note-${r.id}`, body: r.body ?? '', author: null, created_at: r.sent_at ?? r.created_at })),
      { remote_id: `note-seed-${talent.id}`, body: 'Strong systems background; prefers <remote> roles.', author: 'Riley Recruiter', created_at: new Date(Date.parse(talent.updated_at) - 48 * HOUR).toISOString() },
    ].sort((a, b) => b.created_at.localeCompare(a.created_at));
    const fresh: TalentNotes = { notes, fetched_at: new Date(this.now()).toISOString(), stale: false, error: null };
    this.notesCache.set(talentId, fresh);
    return clone(fresh);
  }

  async openInAts(talentId: number, application: string | null): Promise<void> {
    await this.enter('openInAts', [talentId, application]);
    const { conn } = this.talentById(talentId);
    if (conn.status.sandbox) throw { code: 'validation', message: 'sandbox records have no page in a real ATS' };
    this.openedInAts.push([talentId, application]);
  }

  async jobBoard(connectionId: number, jobRemoteId: string): Promise<JobBoard> {
    await this.enter('jobBoard', [connectionId, jobRemoteId]);
    const conn = this.byId(connectionId);
    const job = conn.jobs.find((j) => j.remote_id === jobRemoteId);
    if (!job) throw { code: 'not_found', message: `there is no job ${quoted(jobRemoteId)} in this connection (sync first?)` };
    // As the core sends it: already sanitised text structure, and a pay range for some jobs.
    const description_html = `<p>Join ${escapeHtml(job.department ?? 'our team')} as <b>${escapeHtml(job.title)}</b>.</p><h3>Requirements</h3><ul><li>Three years in a similar role</li></ul>`;
    const compensation = job.title.length % 3 === 0 ? null : 'USD 90,000–120,000 per year';
    return clone({ job, description_html, compensation, stages: this.twoWay.pipeline(), cards: this.twoWay.cards(conn, jobRemoteId) });
  }

  async pipeline(): Promise<PipelineStage[]> {
    await this.enter('pipeline', []);
    return this.twoWay.pipeline();
  }

  async mappings(connectionId: number, job: string | null): Promise<MappingRow[]> {
    await this.enter('mappings', [connectionId, job]);
    return clone(this.twoWay.mappings(this.byId(connectionId), job));
  }

  async mappingHistory(connectionId: number, limit: number): Promise<MappingEdit[]> {
    await this.enter('mappingHistory', [connectionId, limit]);
    return clone(this.twoWay.history(this.byId(connectionId), limit));
  }

  async setMapping(connectionId: number, atsStage: string, to: string | null, job: string | null): Promise<void> {
    await this.enter('setMapping', [connectionId, atsStage, to, job]);
    this.twoWay.setMapping(this.byId(connectionId), atsStage, to, false, 'recruiter', job);
    this.emitModels(connectionId);
  }

  async suggestMappings(connectionId: number, apply: boolean): Promise<Suggestion[]> {
    await this.enter('suggestMappings', [connectionId, apply]);
    const out = this.twoWay.suggest(this.byId(connectionId), apply);
    if (apply) this.emitModels(connectionId);
    return clone(out);
  }

  async undoMapping(connectionId: number): Promise<MappingEdit> {
    await this.enter('undoMapping', [connectionId]);
    const edit = this.twoWay.undo(this.byId(connectionId));
    this.emitModels(connectionId);
    return edit;
  }

  async redoMapping(connectionId: number): Promise<MappingEdit> {
    await this.enter('redoMapping', [connectionId]);
    const edit = this.twoWay.redo(this.byId(connectionId));
    this.emitModels(connectionId);
    return edit;
  }

  async jobPipelines(connectionId: number): Promise<JobPipeline[]> {
    await this.enter('jobPipelines', [connectionId]);
    return clone(this.twoWay.jobPipelines(this.byId(connectionId)));
  }

  async addPipelineStage(name: string, after: string | null): Promise<PipelineStage> {
    await this.enter('addPipelineStage', [name, after]);
    const stage = this.twoWay.addStage(name, after);
    this.emitPipeline();
    return stage;
  }

  async renamePipelineStage(old: string, name: string): Promise<PipelineStage> {
    await this.enter('renamePipelineStage', [old, name]);
    const stage = this.twoWay.renameStage(old, name);
    this.emitPipeline();
    return stage;
  }

  async removePipelineStage(name: string, into: string): Promise<void> {
    await this.enter('removePipelineStage', [name, into]);
    this.twoWay.removeStage(name, into);
    this.emitPipeline();
  }

  async reorderPipelineStages(stageIds: number[]): Promise<PipelineStage[]> {
    await this.enter('reorderPipelineStages', [stageIds]);
    const stages = this.twoWay.reorderStages(stageIds);
    this.emitPipeline();
    return stages;
  }

  /** The pipeline is every connection's: each one's boards and mappings changed (as the shell emits). */
  private emitPipeline(): void {
    for (const c of this.conns) this.emitModels(c.status.id);
  }

  async moveApplication(connectionId: number, application: string, stage: string): Promise<OutboxRow> {
    await this.enter('moveApplication', [connectionId, application, stage]);
    return this.queued(connectionId, this.twoWay.move(this.byId(connectionId), application, stage));
  }

  async rejectApplication(connectionId: number, application: string, reason: string): Promise<OutboxRow> {
    await this.enter('rejectApplication', [connectionId, application, reason]);
    return this.queued(connectionId, this.twoWay.reject(this.byId(connectionId), application, reason));
  }

  async addNote(connectionId: number, talent: string, text: string): Promise<OutboxRow> {
    await this.enter('addNote', [connectionId, talent, text]);
    return this.queued(connectionId, this.twoWay.note(this.byId(connectionId), talent, text));
  }

  async reasons(connectionId: number): Promise<RejectionReason[]> {
    await this.enter('reasons', [connectionId]);
    this.byId(connectionId);
    return this.twoWay.reasons();
  }

  async outbox(connectionId: number | null): Promise<OutboxRow[]> {
    await this.enter('outbox', [connectionId]);
    if (connectionId !== null) this.byId(connectionId);
    return clone(this.twoWay.outbox(connectionId));
  }

  async resolveConflict(outboxId: number, applyMine: boolean): Promise<OutboxRow> {
    await this.enter('resolveConflict', [outboxId, applyMine]);
    const id = this.twoWay.connectionOf(outboxId);
    const row = this.twoWay.resolve(this.byId(id), outboxId, applyMine);
    return applyMine ? this.queued(id, row) : (this.emitModels(id), row);
  }

  async pushNow(connectionId: number): Promise<void> {
    await this.enter('pushNow', [connectionId]);
    this.schedulePush(this.byId(connectionId));
  }

  async duplicates(): Promise<DuplicatePair[]> {
    await this.enter('duplicates', []);
    return clone(this.dups.pairs());
  }

  async duplicatesOf(talentId: number): Promise<DuplicateOf[]> {
    await this.enter('duplicatesOf', [talentId]);
    return clone(this.dups.of(talentId));
  }

  async markNotDuplicate(a: number, b: number): Promise<void> {
    await this.enter('markNotDuplicate', [a, b]);
    this.dups.markNotDuplicate(a, b);
    this.decided(a);
  }

  async linkSamePerson(a: number, b: number): Promise<void> {
    await this.enter('linkSamePerson', [a, b]);
    this.dups.link(a, b);
    this.decided(a);
  }

  async unlinkPerson(talentId: number): Promise<void> {
    await this.enter('unlinkPerson', [talentId]);
    this.dups.unlink(talentId);
    this.decided(talentId);
  }

  /** As the core: a decision about a pair tells the UI the talent's connection changed. */
  private decided(talentId: number): void {
    const conn = this.conns.find((c) => c.talents.some((t) => t.id === talentId));
    if (conn) this.emitModels(conn.status.id);
  }

  async onStatusChanged(handler: (statuses: ConnectionStatus[]) => void): Promise<Unlisten> {
    this.statusHandlers.add(handler);
    return () => this.statusHandlers.delete(handler);
  }

  async onModelsChanged(handler: (change: ModelsChanged) => void): Promise<Unlisten> {
    this.modelsHandlers.add(handler);
    return () => this.modelsHandlers.delete(handler);
  }

  // ---- internals -------------------------------------------------------------------------------

  private now(): number {
    return this.opts.now();
  }

  /** As the shell: a queued change is visible at once, then pushed in the background. */
  private queued(connectionId: number, row: OutboxRow): OutboxRow {
    this.emitModels(connectionId);
    this.schedulePush(this.byId(connectionId));
    return row;
  }

  private schedulePush(conn: FakeConnection): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.conns.includes(conn)) return;
      this.twoWay.push(conn);
      this.emitModels(conn.status.id);
    }, this.opts.pushDelayMs);
    this.timers.add(timer);
  }

  private async enter(command: Command, args: unknown[]): Promise<void> {
    this.calls.push([command, args]);
    const gate = this.gates.get(command)?.shift();
    if (gate) await gate;
    if (this.opts.latencyMs > 0) await new Promise((r) => setTimeout(r, this.opts.latencyMs));
    const queue = this.failures.get(command);
    const err = queue?.shift();
    if (err) throw clone(err);
  }

  /** The checks `connect` and `reconnect` share, and the secrets that simulate failures. */
  private checkInput(input: ConnectInput): { name: string; label: string } {
    const name = input.name?.trim() ?? '';
    const label = DISPLAY[input.provider];
    if (!label) throw { code: 'validation', message: 'Choose an ATS provider.' };
    if (!name) throw { code: 'validation', message: 'Give the connection a name.' };
    if (!input.secret) {
      throw { code: 'validation', message: input.provider === 'greenhouse' ? 'The client secret is required.' : 'The API key is required.' };
    }
    if (input.provider === 'greenhouse' && (!input.client_id?.trim() || !input.user_id?.trim())) {
      throw { code: 'validation', message: 'Greenhouse needs a client id, a client secret and a Greenhouse user id.' };
    }
    if (/wrong|bad|invalid/i.test(input.secret)) {
      throw { code: 'unauthorized', message: `${label} rejected these credentials (401 Unauthorized). Check the ${input.provider === 'greenhouse' ? 'client id and secret' : 'API key'} and try again.` };
    }
    if (/readonly/i.test(input.secret)) {
      throw { code: 'permission_denied', message: `${label} accepted the key but it cannot read candidates (403 Forbidden). Ask your ${label} admin to grant read access to candidates, jobs and applications.` };
    }
    if (/offline/i.test(input.secret)) {
      throw { code: 'unreachable', message: `Could not reach ${label}: the network is unreachable.` };
    }
    if (/keychain/i.test(input.secret)) {
      throw { code: 'keychain_unavailable', message: 'The system keychain is locked or unavailable, so the secret could not be stored.' };
    }
    return { name, label };
  }

  private byId(id: number): FakeConnection {
    const c = this.conns.find((x) => x.status.id === id);
    if (!c) throw { code: 'not_found', message: `No connection with id ${id}.` };
    return c;
  }

  private scope(connectionId: number | null): FakeConnection[] {
    return connectionId === null ? this.conns : [this.byId(connectionId)];
  }

  private uniqueName(base: string): string {
    let name = base;
    for (let n = 2; this.conns.some((c) => c.status.name === name); n++) name = `${base} ${n}`;
    return name;
  }

  private talentById(id: number): { conn: FakeConnection; talent: TalentRow } {
    for (const conn of this.conns) {
      const talent = conn.talents.find((t) => t.id === id);
      if (talent) return { conn, talent };
    }
    throw { code: 'not_found', message: `talent ${id} is no longer in the local database (deleted in the ATS?); search again` };
  }

  private fileById(id: number): { conn: FakeConnection; file: FileRef } | undefined {
    for (const conn of this.conns) {
      for (const t of conn.talents) {
        const file = t.files.find((f) => f.id === id);
        if (file) return { conn, file };
      }
    }
    return undefined;
  }

  /** Fetches a file into the (simulated) data folder, or throws why not as the core would. */
  private download(conn: FakeConnection, file: FileRef): void {
    const s = conn.status;
    if (s.state === 'disconnected') {
      throw { code: 'validation', message: `${quoted(file.filename)} was not downloaded before ${quoted(s.name)} was disconnected; reconnect it to fetch the file` };
    }
    if (s.state === 'unreachable') {
      throw { code: 'unreachable', message: `Could not reach ${DISPLAY[s.provider]}: the network is unreachable.` };
    }
    if (s.state === 'needs_reconnect' || s.state === 'permission_denied') {
      throw { code: s.state === 'needs_reconnect' ? 'unauthorized' : 'permission_denied', message: s.state_reason ?? `${s.name} needs to be reconnected.` };
    }
    const size = file.size_bytes ?? 150 * 1024;
    if (size > MAX_FILE_BYTES) {
      file.error = `${quoted(file.filename)} is ${(size / 1_048_576).toFixed(1)} MB, more than the ${MAX_FILE_BYTES / 1_048_576} MB Talentdeck keeps offline; open it in the ATS`;
      throw { code: 'too_large', message: file.error };
    }
    Object.assign(file, { size_bytes: size, downloaded: true, error: null });
  }

  private createEmpty(provider: Provider, name: string, sandbox: boolean): FakeConnection {
    const conn: FakeConnection = {
      status: {
        id: this.nextId++,
        name,
        provider,
        sandbox,
        state: 'connected',
        state_reason: null,
        indicator: 'red',
        last_success_at: null,
        last_error: null,
        last_run: null,
        counts: [],
        sync_interval_minutes: 15,
        next_sync_at: null,
      },
      jobs: [],
      talents: [],
      haystacks: [],
    };
    this.conns.push(conn);
    this.refreshStatus(conn);
    return conn;
  }

  private setData(conn: FakeConnection, jobs: JobRow[], talents: TalentRow[]): void {
    conn.jobs = jobs;
    conn.talents = talents.sort(byName);
    conn.haystacks = conn.talents.map((t) =>
      [t.name, ...t.emails, t.company ?? '', t.title ?? '', ...t.tags].join('\u0001').toLowerCase(),
    );
  }

  private refreshStatus(conn: FakeConnection): void {
    const s = conn.status;
    const apps = conn.talents.reduce((n, t) => n + t.applications, 0);
    s.counts = [
      { resource: 'jobs', count: conn.jobs.length },
      { resource: 'stages', count: conn.jobs.length * 6 },
      { resource: 'talents', count: conn.talents.length },
      { resource: 'applications', count: apps },
      { resource: 'stage_history', count: apps * 2 },
      { resource: 'attachments', count: conn.talents.reduce((n, t) => n + t.files.length, 0) },
    ];
    const failed = s.last_run?.state === 'failed';
    s.indicator = indicatorFor(s.state, s.last_success_at, failed, this.now());
    // The core's rule, simplified: every interval after the last run, never while it waits for the recruiter.
    const waiting = ['needs_reconnect', 'permission_denied', 'disconnected', 'syncing'].includes(s.state);
    s.next_sync_at =
      s.sync_interval_minutes === null || waiting
        ? null
        : new Date((s.last_run ? Date.parse(s.last_run.started_at) : this.now()) + s.sync_interval_minutes * 60_000).toISOString();
  }

  private run(
    connectionId: number,
    kind: string,
    trigger: Trigger,
    startedAt: string,
    finishedAt: string | null,
    state: string,
    created: number,
    updated: number,
    errorCode: string | null = null,
    error: string | null = null,
  ): RunSummary {
    const run: RunSummary = {
      id: this.nextRunId++,
      connection_id: connectionId,
      kind,
      trigger,
      started_at: startedAt,
      finished_at: finishedAt,
      state,
      requests: Math.max(1, Math.ceil((created + updated) / 100)),
      rate_limited: 0,
      created,
      updated,
      deleted: 0,
      skipped: 0,
      error_code: errorCode,
      error,
    };
    this.runs.push(run);
    return run;
  }

  private addLog(
    connection: string | null,
    runId: number | null,
    level: 'info' | 'warning' | 'error',
    message: string,
    detail: string | null = null,
    at: string = new Date(this.now()).toISOString(),
  ): void {
    this.log.push({ id: this.nextLogId++, connection, run_id: runId, at, level, message, detail });
  }

  private beginSync(conn: FakeConnection, full: boolean, trigger: Trigger): void {
    const s = conn.status;
    const kind = full ? 'full' : 'incremental';
    const run = this.run(s.id, kind, trigger, new Date(this.now()).toISOString(), null, 'running', 0, 0);
    s.state = 'syncing';
    s.last_run = run;
    this.addLog(s.name, run.id, 'info', `Sync started (${kind}, ${trigger})`);
    this.refreshStatus(conn);
    this.emitStatus();
    const finish = () => {
      this.timers.delete(timer);
      // Disconnecting stops a running sync: it neither lands data nor revives the connection.
      if (!this.conns.includes(conn) || s.state === 'disconnected') return;
      const now = this.now();
      let created = 0;
      let updated = 0;
      if (conn.jobs.length === 0 && conn.talents.length === 0) {
        const seed = s.id;
        const jobs = makeJobs(s.id, s.name, this.opts.sandboxJobs, seed, now, this.nextRecordId);
        this.nextRecordId += jobs.length;
        const talents = makeTalents(s.id, s.name, this.opts.sandboxTalents, seed, now, this.nextRecordId, {
          awkward: true,
          fileId: () => this.nextFileId++,
        });
        this.nextRecordId += talents.length;
        this.setData(conn, jobs, talents);
        created = jobs.length + talents.length;
        this.runResources.set(run.id, [passCounts('jobs', jobs.length, 0), passCounts('talents', talents.length, 0)]);
      } else {
        // Touch a few records, as an incremental pass would.
        const touched = conn.jobs.slice(0, 3);
        for (const j of touched) j.updated_at = new Date(now).toISOString();
        updated = touched.length;
        this.runResources.set(run.id, [passCounts('jobs', 0, updated), passCounts('talents', 0, 0)]);
      }
      s.state = 'connected';
      s.state_reason = null;
      s.last_success_at = new Date(now).toISOString();
      s.last_error = null;
      s.last_run = { ...run, finished_at: s.last_success_at, state: 'succeeded', created, updated, requests: Math.max(1, Math.ceil((created + updated) / 100)) };
      this.addLog(
        s.name,
        run.id,
        'info',
        `Sync finished: ${created} created, ${updated} updated, 0 deleted`,
        `jobs ${conn.jobs.length}, talents ${conn.talents.length} held locally`,
      );
      this.refreshStatus(conn);
      this.emitModels(s.id);
      this.emitStatus();
    };
    const timer = setTimeout(finish, this.opts.syncDelayMs);
    this.timers.add(timer);
  }

  private emitModels(connectionId: number): void {
    for (const h of this.modelsHandlers) h({ connection_id: connectionId });
  }

  private emitStatus(): void {
    for (const c of this.conns) this.refreshStatus(c);
    const statuses = this.conns.map((c) => c.status);
    for (const h of this.statusHandlers) h(clone(statuses));
  }

  private seed(scenario: Scenario): void {
    const now = this.now();
    switch (scenario) {
      case 'empty':
        return;
      case 'broken':
        this.fail('listStatus', { code: 'store', message: 'the local database could not be used: disk I/O error' }, 1);
        return;
      case 'demo':
        this.addConnection('greenhouse', 'Sandbox Greenhouse', { syncedHoursAgo: 0.2 });
        this.addConnection('ashby', 'Ashby – Acme Labs', { syncedHoursAgo: 30, sandbox: false, talents: 240, jobs: 14, awkward: false });
        this.addConnection('lever', 'Lever – Acme EU', {
          state: 'needs_reconnect',
          reason: 'Lever rejected the API key (401 Unauthorized): it was revoked or has expired. Reconnect with a new key.',
          lastError: 'Lever answered 401 Unauthorized on GET /v1/opportunities',
          syncedHoursAgo: 72,
          sandbox: false,
          awkward: false,
          talents: 180,
          jobs: 10,
        });
        this.addLog('Ashby – Acme Labs', null, 'warning', 'Rate limited by Ashby; retried after 12 s', 'Retry-After: 12', new Date(now - 30 * HOUR).toISOString());
        return;
      case 'reconnect':
        this.addConnection('greenhouse', 'Greenhouse – Acme', {
          state: 'permission_denied',
          reason: 'Greenhouse refused access to candidates (403 Forbidden). Ask a Greenhouse admin to grant the Harvest API key the Candidates permissions, then reconnect.',
          lastError: 'Greenhouse answered 403 Forbidden on GET /v3/candidates',
          syncedHoursAgo: 50,
          sandbox: false,
        });
        return;
      case 'disconnected':
        this.addConnection('greenhouse', 'Sandbox Greenhouse', { syncedHoursAgo: 0.2 });
        this.addConnection('lever', 'Lever – Acme EU', {
          state: 'disconnected',
          reason: 'Disconnected on request. The jobs and talents synced before stay browsable, read-only; reconnect to sync again.',
          syncedHoursAgo: 96,
          sandbox: false,
          awkward: false,
          talents: 180,
          jobs: 10,
        });
        return;
      case 'offline':
        this.addConnection('greenhouse', 'Greenhouse – Acme', {
          state: 'unreachable',
          reason: 'Greenhouse could not be reached. Talentdeck keeps showing the data synced before.',
          lastError: 'Could not reach harvest.greenhouse.io: network is unreachable',
          syncedHoursAgo: 26,
          sandbox: false,
        });
        return;
      case 'big':
        this.addConnection('greenhouse', 'Sandbox Greenhouse', { syncedHoursAgo: 1, talents: 100_000, jobs: 320 });
        return;
    }
  }
}

function byName(a: TalentRow, b: TalentRow): number {
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.id - b.id;
}

/** Text as HTML text (the fake's stand-in for what ammonia::clean_text does in the core). */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function passCounts(resource: ResourceCounts['resource'], created: number, updated: number): ResourceCounts {
  return { resource, pages: Math.max(1, Math.ceil((created + updated) / 100)), created, updated, deleted: 0, skipped: 0 };
}
