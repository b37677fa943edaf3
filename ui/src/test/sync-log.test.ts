// The sync log as a table of runs against the fake core: one row per run with its counts,
// expandable to its counts per pass and its lines, filtered by result and by connection; "Copy
// diagnostics" puts the core's bundle on the clipboard.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../lib/fake/fake-backend';
import { fake, renderApp } from './helpers';

let backend: FakeBackend | undefined;
afterEach(() => backend?.dispose());

const runRows = () => screen.getAllByTestId('run-row');
const row = (runId: number) => runRows().find((r) => r.dataset.run === String(runId))!;

describe('sync log', () => {
  it('shows one row per run with its counts, and expands a run to its passes and lines', async () => {
    backend = fake();
    const acme = backend.addConnection('greenhouse', 'Acme', { talents: 5, jobs: 3 });
    const globex = backend.addConnection('lever', 'Globex', { talents: 4, jobs: 2, lastError: 'Lever could not be reached.' });
    const log = await backend.listLog(null, 500);
    const runIds = [...new Set(log.map((l) => l.run_id))];
    renderApp(backend, 'log');
    await waitFor(() => expect(runRows()).toHaveLength(runIds.length));
    expect(runIds).toHaveLength(3);

    // Acme's one run is its latest: its summary gives what ran, the counts and the duration.
    const first = row(acme.last_run!.id);
    expect(first).toHaveTextContent('Acme');
    expect(first).toHaveTextContent('Full sync · manual');
    expect(first).toHaveTextContent('8 created · 0 updated · 0 deleted · 1 request');
    expect(first).toHaveTextContent('40 s');
    expect(first).toHaveTextContent('Succeeded');
    // Globex's latest run failed; its older run keeps its own counts too.
    expect(row(globex.last_run!.id)).toHaveTextContent('Failed');
    expect(row(globex.last_run!.id)).toHaveTextContent('Lever could not be reached.');
    const older = runIds.find((id) => id !== acme.last_run!.id && id !== globex.last_run!.id)!;
    expect(row(older)).toHaveTextContent('Succeeded');
    expect(row(older)).toHaveTextContent('6 created · 0 updated · 0 deleted · 1 request');

    expect(screen.queryByTestId('run-lines')).not.toBeInTheDocument();
    const toggle = within(first).getByRole('button', { name: 'Show 2 lines and counts' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await fireEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const passes = within(screen.getByTestId('run-passes')).getAllByRole('row').slice(1);
    const cells = (r: HTMLElement) => [...r.querySelectorAll('th, td')].map((c) => c.textContent?.trim());
    expect(passes.map(cells)).toEqual([
      ['Jobs', '3', '0', '0', '0', '1'],
      ['Talents', '5', '0', '0', '0', '1'],
    ]);
    const lines = within(screen.getByTestId('run-lines')).getAllByRole('listitem');
    expect(lines.map((l) => l.textContent)).toEqual([
      expect.stringContaining('Sync started (full, manual)'),
      expect.stringContaining('Sync finished: 8 created'),
    ]);
    await fireEvent.click(within(first).getByRole('button', { name: 'Hide 2 lines and counts' }));
    expect(screen.queryByTestId('run-lines')).not.toBeInTheDocument();
  });

  it('filters by result and by connection', async () => {
    backend = fake();
    const acme = backend.addConnection('greenhouse', 'Acme', { talents: 5, jobs: 3 });
    const globex = backend.addConnection('lever', 'Globex', { talents: 4, jobs: 2, lastError: 'Lever could not be reached.' });
    renderApp(backend, 'log');
    await waitFor(() => expect(runRows()).toHaveLength(3));

    await fireEvent.change(screen.getByLabelText('Result'), { target: { value: 'failed' } });
    expect(runRows().map((r) => r.dataset.run)).toEqual([String(globex.last_run!.id)]);
    await fireEvent.change(screen.getByLabelText('Result'), { target: { value: 'running' } });
    expect(await screen.findByText('No run with this result')).toBeInTheDocument();

    await fireEvent.change(screen.getByLabelText('Result'), { target: { value: 'all' } });
    await fireEvent.change(screen.getByLabelText('Connection'), { target: { value: String(acme.id) } });
    await waitFor(() => expect(runRows().map((r) => r.dataset.run)).toEqual([String(acme.last_run!.id)]));
    expect(backend.calls).toContainEqual(['listLog', [acme.id, 500]]);
    expect(backend.calls).toContainEqual(['listRuns', [acme.id, 200]]);
  });

  it('a sync started now shows as running, then as the newest run with its counts', async () => {
    backend = fake({ syncDelayMs: 30 });
    const acme = backend.addConnection('greenhouse', 'Acme', { talents: 5, jobs: 3 });
    renderApp(backend, 'log');
    await waitFor(() => expect(runRows()).toHaveLength(1));
    await backend.syncNow(acme.id, false);
    await waitFor(() => expect(runRows()).toHaveLength(2));
    expect(runRows()[0]).toHaveTextContent('Running');
    expect(runRows()[0]).toHaveTextContent('Incremental sync · manual');
    await waitFor(() => expect(runRows()[0]).toHaveTextContent('Succeeded'));
    expect(runRows()[0]).toHaveTextContent('0 created · 3 updated · 0 deleted');
    // The run before it keeps its counts.
    expect(runRows()[1]).toHaveTextContent('Succeeded');
    expect(runRows()[1]).toHaveTextContent('8 created · 0 updated · 0 deleted');
  });

  it('an entry outside any run (a disconnect) is a row of its own, with nothing to expand', async () => {
    backend = fake();
    const acme = backend.addConnection('greenhouse', 'Acme', { talents: 5, jobs: 3 });
    await backend.disconnect(acme.id, false);
    renderApp(backend, 'log');
    await waitFor(() => expect(runRows()).toHaveLength(2));
    const lone = runRows().find((r) => r.dataset.run === '')!;
    expect(lone).toHaveTextContent('Disconnected; the local data is kept, read-only');
    expect(lone).toHaveTextContent('Secret removed from the system keychain');
    expect(within(lone).queryByRole('button')).not.toBeInTheDocument();
  });

  it('has the core copy the diagnostics of the connection filtered on, and says so', async () => {
    backend = fake();
    const acme = backend.addConnection('greenhouse', 'Acme', { talents: 5, jobs: 3 });
    backend.addConnection('lever', 'Globex', { talents: 4, jobs: 2 });
    renderApp(backend, 'log');
    await waitFor(() => expect(runRows()).toHaveLength(2));
    await fireEvent.change(screen.getByLabelText('Connection'), { target: { value: String(acme.id) } });
    await fireEvent.click(screen.getByRole('button', { name: 'Copy diagnostics' }));
    expect(await screen.findByText(/Copied the diagnostics/)).toBeInTheDocument();
    expect(backend.calls).toContainEqual(['copyDiagnostics', [acme.id]]);
    expect(JSON.parse(backend.clipboard!).connections.map((c: { name: string }) => c.name)).toEqual(['Acme']);
  });
});
