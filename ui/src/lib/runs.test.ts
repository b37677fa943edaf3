import { describe, expect, it } from 'vitest';
import type { LogLevel } from './bindings/LogLevel';
import type { LogEntry } from './bindings/LogEntry';
import type { SyncRun } from './bindings/SyncRun';
import { formatDuration, groupRuns } from './runs';

let nextId = 1;
const line = (run: number | null, at: string, level: LogLevel = 'info', message = 'm', connection: string | null = 'Acme'): LogEntry => ({
  id: nextId++,
  connection,
  run_id: run,
  at: `2026-12-05T10:${at}Z`,
  level,
  message,
  detail: null,
});

const summary = (id: number, patch: Partial<SyncRun> = {}): SyncRun => ({
  id,
  connection_id: 1,
  kind: 'incremental',
  trigger: 'scheduled',
  started_at: '2026-12-05T10:30:00Z',
  finished_at: '2026-12-05T10:31:30Z',
  state: 'succeeded',
  requests: 12,
  rate_limited: 2,
  created: 3,
  updated: 4,
  deleted: 1,
  skipped: 0,
  error_code: null,
  error: null,
  resources: [{ resource: 'talents', pages: 1, created: 3, updated: 4, deleted: 1, skipped: 0 }],
  ...patch,
});

describe('groupRuns', () => {
  it('makes one row per run, newest first, its lines oldest first, and a row per line outside any run', () => {
    const entries = [
      line(2, '20:05', 'warning', 'skipped a record'),
      line(null, '15:00', 'info', 'Push: 1 sent'),
      line(1, '00:40', 'info', 'finished'),
      line(2, '20:00', 'info', 'started'),
      line(1, '00:00', 'info', 'started'),
      line(2, '20:09', 'warning', 'finished with warnings'),
    ];
    const rows = groupRuns(entries, []);
    expect(rows.map((r) => r.key)).toEqual(['run:2', `entry:${entries[1].id}`, 'run:1']);
    expect(rows[0].lines.map((l) => l.message)).toEqual(['started', 'skipped a record', 'finished with warnings']);
    expect(rows[0]).toMatchObject({ result: 'warnings', durationMs: 9000, startedAt: '2026-12-05T10:20:00Z', summary: null });
    expect(rows[2]).toMatchObject({ result: 'succeeded', durationMs: 40_000 });
    expect(rows[1]).toMatchObject({ runId: null, result: 'succeeded', durationMs: null, lines: [entries[1]] });
  });

  it('reads an older run as failed from an error line, and gives no duration for a lone line', () => {
    const rows = groupRuns([line(5, '00:00'), line(5, '00:03', 'error', 'sync failed'), line(6, '05:00')], []);
    expect(rows.find((r) => r.runId === 5)).toMatchObject({ result: 'failed', durationMs: 3000 });
    expect(rows.find((r) => r.runId === 6)).toMatchObject({ result: 'succeeded', durationMs: null });
  });

  it('shows a recorded run that has no lines among the entries at hand, under its connection', () => {
    const rows = groupRuns([line(9, '40:00')], [summary(3)], new Map([[1, 'Acme']]));
    expect(rows.map((r) => r.key)).toEqual(['run:9', 'run:3']);
    expect(rows[1]).toMatchObject({ connection: 'Acme', result: 'succeeded', durationMs: 90_000, lines: [] });
    expect(rows[1].summary?.resources[0].resource).toBe('talents');
  });

  it('takes a recorded run from its summary: state, start and duration; running has no duration', () => {
    const rows = groupRuns([line(7, '30:01'), line(7, '31:29', 'error')], [summary(7, { state: 'warnings' })]);
    expect(rows[0]).toMatchObject({ result: 'warnings', startedAt: '2026-12-05T10:30:00Z', durationMs: 90_000 });
    expect(rows[0].summary?.requests).toBe(12);
    const running = groupRuns([line(8, '30:01')], [summary(8, { state: 'running', finished_at: null })]);
    expect(running[0]).toMatchObject({ result: 'running', durationMs: null });
  });
});

describe('formatDuration', () => {
  it('reads as a recruiter would say it', () => {
    expect(formatDuration(400)).toBe('0.4 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
    expect(formatDuration(120_000)).toBe('2 min');
    expect(formatDuration(7_800_000)).toBe('2 h 10 min');
  });
});
