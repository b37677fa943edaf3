// The one place where the UI talks to the Rust core. The commands, their arguments and answers,
// and the events with their payloads are generated from the Rust contract
// (src-tauri/ipc/contract.rs → ./bindings/ipc.ts); nothing here names a command or spells a payload.
// `IBackend` is what components see, `TauriBackend` calls the real core through IPC, and
// `FakeBackend` (in ./fake/) answers the same interface in memory for tests and for `npm run dev`
// in a plain browser.

import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { ConnectInput } from './bindings/ConnectInput';
import type { ConnectionStatus } from './bindings/ConnectionStatus';
import type { ErrorCode } from './bindings/ErrorCode';
import type { ErrorPayload } from './bindings/ErrorPayload';
import { bindCommands, type Commands, type EventName, type Events } from './bindings/ipc';
import type { ModelsChanged } from './bindings/ModelsChanged';
import type { ReconnectInput } from './bindings/ReconnectInput';

export type { ConnectInput } from './bindings/ConnectInput';
export type { MappingEdit } from './bindings/MappingEdit';
export type { MappingRow } from './bindings/MappingRow';
export type { ModelsChanged } from './bindings/ModelsChanged';
export type { ReconnectInput } from './bindings/ReconnectInput';
export type { RejectionReason } from './bindings/RejectionReason';
export type { Suggestion } from './bindings/Suggestion';

export type Unlisten = () => void;

/** The IPC surface of the core: the contract's commands, and its events to listen to. */
export interface IBackend extends Commands {
  /** `status_changed`: the health of every connection. */
  onStatusChanged(handler: (statuses: ConnectionStatus[]) => void): Promise<Unlisten>;
  /** `models_changed`: a connection's local data changed; visible lists reload. */
  onModelsChanged(handler: (change: ModelsChanged) => void): Promise<Unlisten>;
}

/** Turns anything a command rejected with into an {@link ErrorPayload}. */
export function toErrorPayload(e: unknown): ErrorPayload {
  if (e && typeof e === 'object' && 'code' in e && 'message' in e) {
    const { code, message } = e as { code: unknown; message: unknown };
    return { code: String(code) as ErrorCode, message: String(message) };
  }
  if (e instanceof Error) return { code: 'internal', message: e.message };
  if (typeof e === 'string') return { code: 'internal', message: e };
  return { code: 'internal', message: 'Something went wrong.' };
}

/** Sends a command to the real core; a rejection becomes an {@link ErrorPayload}. */
async function call(command: string, args: Record<string, unknown>): Promise<unknown> {
  try {
    return await invoke(command, args);
  } catch (e) {
    throw toErrorPayload(e);
  }
}

function on<E extends EventName>(event: E, handler: (payload: Events[E]) => void): Promise<Unlisten> {
  return listen<Events[E]>(event, (e) => handler(e.payload));
}

// The class has every command of the contract: `bindCommands` supplies them in the constructor.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-unsafe-declaration-merging
export interface TauriBackend extends Commands {}

/** The real core, through Tauri's IPC: the generated commands, with blank optional inputs sent as absent. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class TauriBackend implements IBackend {
  constructor() {
    const commands = bindCommands(call);
    Object.assign(this, commands, {
      connect: (input: ConnectInput) => commands.connect(cleanConnect(input)),
      reconnect: (connectionId: number, input: ReconnectInput) => commands.reconnect(connectionId, cleanReconnect(input)),
    });
  }

  onStatusChanged(handler: (statuses: ConnectionStatus[]) => void) {
    return on('status_changed', handler);
  }
  onModelsChanged(handler: (change: ModelsChanged) => void) {
    return on('models_changed', handler);
  }
}

/** An optional field left blank is absent (`None` in the core). */
function blank(v: string | null | undefined): string | null {
  return v?.trim() || null;
}

function cleanConnect(input: ConnectInput): ConnectInput {
  return {
    provider: input.provider,
    name: input.name.trim(),
    secret: input.secret,
    client_id: blank(input.client_id),
    user_id: blank(input.user_id),
    base_url: blank(input.base_url),
    auth_url: blank(input.auth_url),
  };
}

function cleanReconnect(input: ReconnectInput): ReconnectInput {
  return { secret: input.secret, client_id: blank(input.client_id), user_id: blank(input.user_id) };
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
