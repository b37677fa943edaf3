// The sync log as runs: the core's recent runs (`list_runs`: kind, trigger, counts per pass,
// requests, 429s, state) joined with their lines from the log by `run_id`, one row per run, and
// lines outside any run (a push, a disconnect) as rows of their own. A run older than the runs
// asked for has only its lines: its result is read from their levels (the core logs a run's end
// as info, warning or error as it succeeded, had warnings or failed) and its duration is the span
// of its lines.

import type { LogEntry } from './bindings/LogEntry';
import type { SyncRun } from './bindings/SyncRun';

export type RunResult = 'running' | 'succeeded' | 'warnings' | 'failed';
export const RESULTS: RunResult[] = ['running', 'succeeded', 'warnings', 'failed'];

export interface RunRow {
  /** `run:<id>`, or `entry:<id>` for a line outside any run. */
  key: string;
  runId: number | null;
  connection: string | null;
  startedAt: string;
  /** Milliseconds; null while running or when only one line of the run is at hand. */
  durationMs: number | null;
  result: RunResult;
  /** The run as the core recorded it; null for a run older than the runs asked for. */
  summary: SyncRun | null;
  /** Oldest first. */
  lines: LogEntry[];
}

const RANK: Record<string, number> = { info: 0, warning: 1, error: 2 };
const BY_LEVEL: RunResult[] = ['succeeded', 'warnings', 'failed'];
/** The core's run states; anything else it may add reads from the lines. */
const BY_STATE: Record<string, RunResult> = { running: 'running', succeeded: 'succeeded', warnings: 'warnings', failed: 'failed' };

function worst(lines: LogEntry[]): RunResult {
  return BY_LEVEL[Math.max(0, ...lines.map((l) => RANK[l.level] ?? 0))];
}

/** Groups log lines and runs (any order) into rows, newest first; `names` gives a run without
 * lines its connection's name. */
export function groupRuns(entries: LogEntry[], runs: SyncRun[], names: Map<number, string> = new Map()): RunRow[] {
  const lines = new Map<number, LogEntry[]>();
  const rows: RunRow[] = [];
  for (const e of entries) {
    if (e.run_id === null) {
      rows.push({ key: `entry:${e.id}`, runId: null, connection: e.connection, startedAt: e.at, durationMs: null, result: worst([e]), summary: null, lines: [e] });
    } else {
      lines.set(e.run_id, [...(lines.get(e.run_id) ?? []), e]);
    }
  }
  const byOrder = (a: LogEntry, b: LogEntry) => Date.parse(a.at) - Date.parse(b.at) || a.id - b.id;
  for (const run of runs) {
    const own = [...(lines.get(run.id) ?? [])].sort(byOrder);
    lines.delete(run.id);
    rows.push({
      key: `run:${run.id}`,
      runId: run.id,
      connection: own[0]?.connection ?? names.get(run.connection_id) ?? null,
      startedAt: run.started_at,
      durationMs: run.finished_at ? Date.parse(run.finished_at) - Date.parse(run.started_at) : null,
      result: BY_STATE[run.state] ?? worst(own),
      summary: run,
      lines: own,
    });
  }
  for (const [runId, unsorted] of lines) {
    const own = [...unsorted].sort(byOrder);
    const first = Date.parse(own[0].at);
    const last = Date.parse(own[own.length - 1].at);
    rows.push({
      key: `run:${runId}`,
      runId,
      connection: own[0].connection,
      startedAt: own[0].at,
      durationMs: own.length > 1 ? last - first : null,
      result: worst(own),
      summary: null,
      lines: own,
    });
  }
  return rows.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || (b.runId ?? 0) - (a.runId ?? 0));
}

/** "0.4 s", "42 s", "3 min 5 s", "2 h 10 min". */
export function formatDuration(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
}
