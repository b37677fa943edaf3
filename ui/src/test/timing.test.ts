// The User Timing entries the window bench reads (lib/timing.ts): a profile opened from the list
// is measured once, click to painted; a search keystroke is measured when its own matches are
// painted; the Talents list marks its first rows once per window.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fake, renderApp } from './helpers';
import type { FakeBackend } from '../lib/fake/fake-backend';
import { PROFILE_OPEN, PROFILE_PAINTED, SEARCH_INPUT, SEARCH_PAINTED, STATUSES_LOADED, TALENTS_PAINTED } from '../lib/timing';

let backend: FakeBackend | undefined;
afterEach(() => backend?.dispose());
beforeEach(() => {
  performance.clearMarks();
  performance.clearMeasures();
});

const entries = (name: string, type: 'mark' | 'measure') => performance.getEntriesByName(name, type);

function setup(...names: string[]) {
  backend = fake();
  const conn = backend.addConnection('greenhouse', 'Acme', { talents: 0, jobs: 0, awkward: false, sandbox: true });
  for (const name of names) backend.addTalent(conn.id, { name });
  renderApp(backend, 'talents');
  return conn.id;
}

describe('timing marks', () => {
  it('measures a profile opened from the list once, from the click to its data painted', async () => {
    const conn = setup('Ada Lovelace', 'Ben Bianchi');
    await waitFor(() => expect(entries(TALENTS_PAINTED, 'mark')).toHaveLength(1));
    // The statuses' first answer is marked once, before the rows (the bench's cold start parts).
    expect(entries(STATUSES_LOADED, 'mark')).toHaveLength(1);
    expect(entries(STATUSES_LOADED, 'mark')[0].startTime).toBeLessThanOrEqual(entries(TALENTS_PAINTED, 'mark')[0].startTime);
    const row = (await screen.findAllByTestId('talent-row')).find((r) => r.textContent?.includes('Ben'))!;
    await fireEvent.click(within(row).getByTestId('open-profile'));
    expect(await screen.findByTestId('profile-name')).toHaveTextContent('Ben Bianchi');
    await waitFor(() => expect(entries(PROFILE_PAINTED, 'measure')).toHaveLength(1));
    expect(entries(PROFILE_PAINTED, 'measure')[0].duration).toBeGreaterThanOrEqual(0);
    expect(entries(PROFILE_OPEN, 'mark')).toHaveLength(0);
    // A reload of the open profile (a sync changed something) is not another open.
    await backend!.syncNow(conn, false);
    await new Promise((r) => setTimeout(r, 200));
    expect(entries(PROFILE_PAINTED, 'measure')).toHaveLength(1);
    // Back on the list, the first rows are not marked again.
    await fireEvent.click(screen.getByRole('button', { name: '← Back to talents' }));
    await screen.findAllByTestId('talent-row');
    expect(entries(TALENTS_PAINTED, 'mark')).toHaveLength(1);
  });

  it('measures a search keystroke when its own matches are painted', async () => {
    const user = userEvent.setup();
    setup('Ada Lovelace', 'Ben Bianchi', 'Carmen Dubois');
    await screen.findAllByTestId('talent-row');
    await user.type(screen.getByLabelText('Search talents'), 'ben');
    await waitFor(() => expect(screen.getAllByTestId('talent-row')).toHaveLength(1));
    // Each keystroke searches at once; one whose answer came after the next keystroke is not
    // measured (its matches were never what the box held), so at most one measure per key.
    await waitFor(() => expect(entries(SEARCH_INPUT, 'mark')).toHaveLength(0));
    await waitFor(() => expect(entries(SEARCH_PAINTED, 'measure').length).toBeGreaterThanOrEqual(1));
    await new Promise((r) => setTimeout(r, 100));
    expect(entries(SEARCH_PAINTED, 'measure').length).toBeLessThanOrEqual(3);
  });

  it("shows and measures a typed search while models_changed comes faster than the answers", async () => {
    const user = userEvent.setup();
    backend = fake({ latencyMs: 60 });
    const conn = backend.addConnection('greenhouse', 'Acme', { talents: 0, jobs: 0, awkward: false, sandbox: true });
    for (const name of ['Ada Lovelace', 'Ben Bianchi', 'Carmen Dubois']) backend.addTalent(conn.id, { name });
    renderApp(backend, 'talents');
    await screen.findAllByTestId('talent-row');
    // A sync's commits, every 20 ms: each used to drop the answer on its way.
    const events = setInterval(() => backend!['emitModels'](conn.id), 20);
    try {
      await user.type(screen.getByLabelText('Search talents'), 'ben');
      await waitFor(() => expect(screen.getAllByTestId('talent-row')).toHaveLength(1), { timeout: 2000 });
      await waitFor(() => expect(entries(SEARCH_PAINTED, 'measure').length).toBeGreaterThanOrEqual(1));
    } finally {
      clearInterval(events);
    }
  });
});
