// The sync log as runs: its lines grouped by `run_id`, one row per run, and lines outside any run
// (a push, a disconnect) as rows of their own. Only what the log and the connections' statuses
// carry is shown: a connection's latest run comes with its `RunSummary` (kind, trigger, counts,
// requests, 429s, state); an older run has only its lines, so its result is read from their
// levels (the core logs a run's end as info, warning or error as it succeeded, had warnings or
// failed) and its duration is the span of its lines.

import type { LogEntry } from './bindings/LogEntry';
import type { RunSummary } from './bindings/RunSummary';

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
  /** The run as the core summarises it: known for each connection's latest run only. */
  summary: RunSummary | null;
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

/** Groups log lines (any order) into rows, newest first; `summaries` are the runs the statuses carry. */
export function groupRuns(entries: LogEntry[], summaries: RunSummary[]): RunRow[] {
  const known = new Map(summaries.map((s) => [s.id, s]));
  const runs = new Map<number, LogEntry[]>();
  const rows: RunRow[] = [];
  for (const e of entries) {
    if (e.run_id === null) {
      rows.push({ key: `entry:${e.id}`, runId: null, connection: e.connection, startedAt: e.at, durationMs: null, result: worst([e]), summary: null, lines: [e] });
    } else {
      runs.set(e.run_id, [...(runs.get(e.run_id) ?? []), e]);
    }
  }
  for (const [runId, unsorted] of runs) {
    const lines = [...unsorted].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id - b.id);
    const summary = known.get(runId) ?? null;
    const first = Date.parse(lines[0].at);
    const last = Date.parse(lines[lines.length - 1].at);
    let durationMs: number | null = lines.length > 1 ? last - first : null;
    let result = worst(lines);
    let startedAt = lines[0].at;
    if (summary) {
      startedAt = summary.started_at;
      result = BY_STATE[summary.state] ?? result;
      durationMs = summary.finished_at ? Date.parse(summary.finished_at) - Date.parse(summary.started_at) : null;
    }
    rows.push({ key: `run:${runId}`, runId, connection: lines[0].connection, startedAt, durationMs, result, summary, lines });
  }
  return rows.sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || b.lines[0].id - a.lines[0].id);
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
