// The app's shared state: connections and their health (kept current by `status_changed`), a
// version bumped on every `models_changed` so visible lists reload, navigation and dialogs.

import { getContext, setContext } from 'svelte';
import { toErrorPayload, type IBackend, type Unlisten } from '../backend';
import type { ConnectionStatus } from '../bindings/ConnectionStatus';
import type { ErrorPayload } from '../bindings/ErrorPayload';
import type { Provider } from '../bindings/Provider';
import { canSync, needsReconnect } from '../labels';
import { mark, markOnce, PROFILE_OPEN, STATUSES_LOADED } from '../timing';

export type View = 'jobs' | 'talents' | 'duplicates' | 'connections' | 'log';
export const VIEWS: View[] = ['jobs', 'talents', 'duplicates', 'connections', 'log'];

/** What the connect dialog opens with. */
export interface ConnectDraft {
  provider: Provider;
  name: string;
  /** Reconnecting an existing connection: provider and name are fixed. */
  reconnect: boolean;
  /** The connection being reconnected. */
  connectionId?: number;
  /** Why a reconnect is needed, shown above the form. */
  reason?: string | null;
}

export interface Notice {
  kind: 'error' | 'info';
  text: string;
}

/** Relative times are refreshed this often; nothing else polls. */
export const CLOCK_TICK_MS = 60_000;

export class AppState {
  readonly backend: IBackend;

  statuses = $state<ConnectionStatus[]>([]);
  loaded = $state(false);
  loadError = $state<ErrorPayload | null>(null);
  /** The clock relative times are computed against. */
  now = $state(Date.now());
  /** Bumped on every `models_changed`: lists reload when it changes. */
  modelsVersion = $state(0);
  /** Bumped on every `status_changed`: the sync log reloads when it changes. */
  statusVersion = $state(0);
  view = $state<View>('connections');
  /** The connection the lists are narrowed to; null for all. */
  connectionFilter = $state<number | null>(null);
  connectDraft = $state<ConnectDraft | null>(null);
  /** Connections a sync was asked for and not yet reported back. */
  requested = $state<number[]>([]);
  notice = $state<Notice | null>(null);
  /** The connection the disconnect dialog is open for. */
  disconnectTarget = $state<ConnectionStatus | null>(null);
  /** The job page open over the Jobs list (null: the list). */
  openJob = $state<{ connectionId: number; remoteId: string } | null>(null);
  /** The connection whose stage mapping is open over the Connections page. */
  mappingFor = $state<number | null>(null);
  /** Whether the outbox list (queued changes) is open. */
  outboxOpen = $state(false);
  /** Ctrl/Cmd+K asked for the talent search: the Talents page focuses it once it shows. */
  searchFocusRequested = $state(false);
  /** The talent whose profile is open over the current page (its local id); null: none. */
  openTalent = $state<number | null>(null);
  /**
   * What the Talents list showed when a profile opened over it (search, rows fetched, scroll
   * offset), so closing the profile returns to the same place. Not reactive: read on mount.
   */
  talentsList = { query: '', limit: 0, scroll: 0, focus: null as number | null };

  attention = $derived(this.statuses.filter(needsReconnect));
  /** Connections disconnected on purpose: their data stays listed, read-only. */
  disconnectedIds = $derived(new Set(this.statuses.filter((s) => s.state === 'disconnected').map((s) => s.id)));
  /** The connections the lists currently show. */
  scoped = $derived(
    this.connectionFilter === null ? this.statuses : this.statuses.filter((s) => s.id === this.connectionFilter),
  );

  private unlisten: Unlisten[] = [];
  private clock: ReturnType<typeof setInterval> | undefined;
  private noticeTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  constructor(backend: IBackend) {
    this.backend = backend;
  }

  /** Subscribes to the core's events and loads the connections. Returns the cleanup. */
  start(): () => void {
    this.stopped = false;
    void this.subscribe();
    void this.refresh();
    this.clock = setInterval(() => (this.now = Date.now()), CLOCK_TICK_MS);
    return () => this.stop();
  }

  stop(): void {
    this.stopped = true;
    for (const u of this.unlisten) u();
    this.unlisten = [];
    clearInterval(this.clock);
    clearTimeout(this.noticeTimer);
  }

  private async subscribe(): Promise<void> {
    try {
      const a = await this.backend.onStatusChanged((statuses) => this.applyStatuses(statuses));
      const b = await this.backend.onModelsChanged(() => {
        this.modelsVersion++;
      });
      if (this.stopped) {
        a();
        b();
      } else {
        this.unlisten.push(a, b);
      }
    } catch (e) {
      this.showError(toErrorPayload(e));
    }
  }

  async refresh(): Promise<void> {
    try {
      const statuses = await this.backend.listStatus();
      markOnce(STATUSES_LOADED);
      this.applyStatuses(statuses);
      this.loadError = null;
    } catch (e) {
      this.loadError = toErrorPayload(e);
    } finally {
      this.loaded = true;
    }
  }

  applyStatuses(statuses: ConnectionStatus[]): void {
    this.statuses = statuses;
    this.now = Date.now();
    this.statusVersion++;
    if (this.connectionFilter !== null && !statuses.some((s) => s.id === this.connectionFilter)) {
      this.connectionFilter = null;
    }
  }

  /** Inserts or replaces one connection's status (a command's answer). */
  upsert(status: ConnectionStatus): void {
    const i = this.statuses.findIndex((s) => s.id === status.id);
    this.statuses = i === -1 ? [...this.statuses, status] : this.statuses.map((s) => (s.id === status.id ? status : s));
  }

  isSyncing(ids: number[]): boolean {
    return ids.some(
      (id) => this.requested.includes(id) || this.statuses.find((s) => s.id === id)?.indicator === 'syncing',
    );
  }

  /** Starts a sync of each connection; errors become a notice. */
  async syncNow(ids: number[], full = false): Promise<void> {
    const targets = ids.filter((id) => {
      const s = this.statuses.find((x) => x.id === id);
      return s !== undefined && s.state !== 'syncing' && s.state !== 'disconnected';
    });
    this.requested = [...this.requested, ...targets];
    await Promise.all(
      targets.map(async (id) => {
        try {
          await this.backend.syncNow(id, full);
        } catch (e) {
          const err = toErrorPayload(e);
          const name = this.statuses.find((s) => s.id === id)?.name ?? 'The connection';
          this.showError({ ...err, message: `${name}: ${err.message}` });
        } finally {
          this.requested = this.requested.filter((x) => x !== id);
        }
      }),
    );
    if (targets.length > 0) await this.refresh();
  }

  /** Sets how often a connection syncs on its own (0: off); errors become a notice. */
  async setSyncInterval(id: number, minutes: number): Promise<void> {
    try {
      this.upsert(await this.backend.setSyncInterval(id, minutes));
    } catch (e) {
      this.showError(toErrorPayload(e));
    }
  }

  async startSandbox(provider: Provider): Promise<ConnectionStatus> {
    const status = await this.backend.startSandbox(provider);
    this.upsert(status);
    this.view = 'connections';
    return status;
  }

  openConnect(draft: Partial<ConnectDraft> = {}): void {
    this.connectDraft = { provider: 'greenhouse', name: '', reconnect: false, ...draft };
  }

  openReconnect(status: ConnectionStatus): void {
    this.connectDraft = {
      provider: status.provider,
      name: status.name,
      reconnect: true,
      connectionId: status.id,
      // A deliberate disconnect needs no explaining (the form shows the reason as a problem).
      reason: status.state === 'disconnected' ? null : (status.state_reason ?? status.last_error),
    };
  }

  closeConnect(): void {
    this.connectDraft = null;
  }

  /** The connect dialog succeeded. */
  connected(status: ConnectionStatus, reconnected = false): void {
    this.upsert(status);
    this.connectDraft = null;
    this.view = 'connections';
    this.showInfo(reconnected ? `${status.name} is reconnected. Syncing resumes.` : `${status.name} is connected. The first sync is running.`);
  }

  /** True for rows (jobs, talents) of a connection that was disconnected with its data kept. */
  fromDisconnected(connectionId: number): boolean {
    return this.disconnectedIds.has(connectionId);
  }

  openDisconnect(status: ConnectionStatus): void {
    this.disconnectTarget = status;
  }

  closeDisconnect(): void {
    this.disconnectTarget = null;
  }

  /**
   * Disconnects a connection, keeping its data (read-only) or deleting it (`purge`). Errors become
   * a notice and leave the dialog open; returns whether it worked.
   */
  async disconnect(id: number, purge: boolean): Promise<boolean> {
    const name = this.statuses.find((s) => s.id === id)?.name ?? 'The connection';
    try {
      const status = await this.backend.disconnect(id, purge);
      if (status) {
        this.upsert(status);
      } else {
        this.applyStatuses(this.statuses.filter((s) => s.id !== id));
      }
      // The lists drop the purged rows or mark the kept ones, whether or not the core says so.
      this.modelsVersion++;
      this.disconnectTarget = null;
      this.showInfo(
        purge
          ? `${name} is disconnected and its local data was deleted.`
          : `${name} is disconnected. Its jobs and talents stay browsable, read-only.`,
      );
      return true;
    } catch (e) {
      const err = toErrorPayload(e);
      this.showError({ ...err, message: `${name}: ${err.message}` });
      return false;
    }
  }

  navigate(view: View): void {
    this.view = view;
    this.openJob = null;
    this.mappingFor = null;
    this.openTalent = null;
  }

  /** Opens a talent's profile over the current page (the Talents list, a job's board). */
  showTalent(talentId: number): void {
    // Every click or Enter that opens a profile comes through here (list, duplicate link, board):
    // the profile measures from this mark to its data painted.
    mark(PROFILE_OPEN);
    this.openTalent = talentId;
  }

  /** Closes the profile: the page under it comes back as it was. */
  closeTalent(): void {
    this.openTalent = null;
  }

  showJob(connectionId: number, remoteId: string): void {
    this.view = 'jobs';
    this.openJob = { connectionId, remoteId };
  }

  /** Ctrl/Cmd+K: the talent search, from anywhere (the Talents page opens if another shows). */
  focusSearch(): void {
    if (this.view !== 'talents' || this.openTalent !== null) this.navigate('talents');
    this.searchFocusRequested = true;
  }

  /**
   * The connections whose data the current page shows: a profile's or a job's connection, the
   * mapping's, the filtered lists' (Jobs, Talents, Sync log), else every connection.
   */
  async pageConnections(): Promise<ConnectionStatus[]> {
    const byId = (id: number) => this.statuses.filter((s) => s.id === id);
    if (this.openTalent !== null) return byId((await this.backend.talentProfile(this.openTalent)).connection_id);
    if (this.view === 'jobs' && this.openJob !== null) return byId(this.openJob.connectionId);
    if (this.view === 'connections' && this.mappingFor !== null) return byId(this.mappingFor);
    if (this.view === 'jobs' || this.view === 'talents' || this.view === 'log') return this.scoped;
    return this.statuses;
  }

  /** Ctrl/Cmd+R: syncs the current page's connections (the window is never reloaded). */
  async syncPage(): Promise<void> {
    let conns: ConnectionStatus[];
    try {
      conns = await this.pageConnections();
    } catch (e) {
      this.showError(toErrorPayload(e));
      return;
    }
    const ids = conns.filter(canSync).map((s) => s.id);
    if (ids.length > 0) return this.syncNow(ids);
    // Say why nothing happens, as the disabled sync button's hover text does.
    if (conns.length === 0) this.showInfo('There is no connection to sync on this page.');
    else if (conns.every((s) => s.state === 'disconnected')) this.showInfo(`${names(conns)}: disconnected, so never synced. Reconnect to sync again.`);
    else this.showInfo(`Reconnect ${names(conns.filter(needsReconnect))} to sync.`);
  }

  showMapping(connectionId: number): void {
    this.view = 'connections';
    this.mappingFor = connectionId;
  }

  showError(err: ErrorPayload): void {
    this.setNotice({ kind: 'error', text: err.message }, 0);
  }

  showInfo(text: string): void {
    this.setNotice({ kind: 'info', text }, 6000);
  }

  dismissNotice(): void {
    clearTimeout(this.noticeTimer);
    this.notice = null;
  }

  private setNotice(notice: Notice, autoHideMs: number): void {
    clearTimeout(this.noticeTimer);
    this.notice = notice;
    if (autoHideMs > 0) this.noticeTimer = setTimeout(() => (this.notice = null), autoHideMs);
  }
}

const names = (conns: ConnectionStatus[]) => conns.map((s) => s.name).join(', ');

const KEY = Symbol('talentdeck-app');

export function provideApp(app: AppState): AppState {
  return setContext(KEY, app);
}

export function useApp(): AppState {
  const app = getContext<AppState | undefined>(KEY);
  if (!app) throw new Error('useApp() outside <App>');
  return app;
}
