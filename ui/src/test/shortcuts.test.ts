// Desktop habits: Ctrl/Cmd+K focuses the talent search from any page; Ctrl/Cmd+R syncs the
// connections of the page in view instead of reloading the window.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../lib/fake/fake-backend';
import { fake, renderApp } from './helpers';

let backend: FakeBackend | undefined;
afterEach(() => backend?.dispose());

/** Presses a shortcut on the window; returns whether the default action (reload…) still runs. */
const press = (key: string, mods: { ctrlKey?: boolean; metaKey?: boolean; shiftKey?: boolean } = { ctrlKey: true }) =>
  fireEvent.keyDown(document.activeElement ?? window, { key, ...mods });

const syncs = () => backend!.calls.filter(([c]) => c === 'syncNow').map(([, [id]]) => id);

function twoConnections() {
  backend = fake();
  const a = backend.addConnection('greenhouse', 'Acme', { talents: 20, jobs: 4 });
  const b = backend.addConnection('lever', 'Globex', { talents: 20, jobs: 4 });
  return { a, b, backend };
}

describe('Ctrl/Cmd+K', () => {
  it('from another page opens Talents with the search focused; Cmd+K on a profile returns to the search', async () => {
    const { backend } = twoConnections();
    renderApp(backend, 'jobs');
    await screen.findByTestId('nav-jobs');
    expect(await press('k')).toBe(false);
    const search = await screen.findByLabelText('Search talents');
    await waitFor(() => expect(search).toHaveFocus());
    expect(screen.getByTestId('nav-talents')).toHaveAttribute('aria-current', 'page');

    // Typed text stays, selected to type over; from a profile over the list, back to the search.
    await fireEvent.input(search, { target: { value: 'a' } });
    const row = (await screen.findAllByTestId('talent-row'))[0];
    await fireEvent.click(within(row).getByTestId('open-profile'));
    await screen.findByTestId('talent-profile');
    expect(await press('K', { metaKey: true })).toBe(false);
    await waitFor(() => expect(screen.queryByTestId('talent-profile')).not.toBeInTheDocument());
    const again = screen.getByLabelText<HTMLInputElement>('Search talents');
    await waitFor(() => expect(again).toHaveFocus());
    expect(again.value).toBe('a');
    expect([again.selectionStart, again.selectionEnd]).toEqual([0, 1]);
    // The list's return-to-the-row focus does not take it away once the rows are in.
    await new Promise((r) => setTimeout(r, 50));
    expect(again).toHaveFocus();
  });

  it('K without Ctrl/Cmd is just a letter', async () => {
    const { backend } = twoConnections();
    renderApp(backend, 'jobs');
    await screen.findByTestId('nav-jobs');
    expect(await press('k', {})).toBe(true);
    expect(screen.getByTestId('nav-jobs')).toHaveAttribute('aria-current', 'page');
  });
});

describe('Ctrl/Cmd+R', () => {
  it("syncs the filtered list's connection on Talents, and never reloads the window", async () => {
    const { a, b, backend } = twoConnections();
    renderApp(backend, 'talents');
    await screen.findAllByTestId('talent-row');
    await fireEvent.change(screen.getAllByLabelText('Connection')[0], { target: { value: String(b.id) } });
    expect(await press('r')).toBe(false);
    await waitFor(() => expect(syncs()).toEqual([b.id]));
    expect(syncs()).not.toContain(a.id);
  });

  it("syncs a job page's connection, a profile's connection, and every connection on Connections", async () => {
    const { a, b, backend } = twoConnections();
    const job = (await backend.listJobs(b.id, false))[0];
    renderApp(backend, 'jobs');
    // Both fake connections have jobs of the same titles: list Globex's only.
    await fireEvent.change(await screen.findByLabelText('Connection'), { target: { value: String(b.id) } });
    await fireEvent.click(await screen.findByRole('button', { name: job.title }));
    await screen.findByTestId('back-to-jobs');
    expect(await press('R', { metaKey: true })).toBe(false);
    await waitFor(() => expect(syncs()).toEqual([b.id]));

    // Talents of every connection listed: the profile's connection alone is synced.
    await fireEvent.click(screen.getByTestId('nav-talents'));
    await fireEvent.change(await screen.findByLabelText('Connection'), { target: { value: '' } });
    const talent = (await backend.searchTalents(a.id, '', 1))[0];
    const row = (await screen.findAllByTestId('talent-row')).find((r) => r.dataset.talent === String(talent.id))!;
    await fireEvent.click(within(row).getByTestId('open-profile'));
    await screen.findByTestId('talent-profile');
    expect(await press('r')).toBe(false);
    await waitFor(() => expect(syncs()).toEqual([b.id, a.id]));

    await fireEvent.click(screen.getByTestId('nav-connections'));
    await screen.findAllByTestId('connection-card');
    // (Once the earlier syncs are over: a connection already syncing is not asked again.)
    await waitFor(() => expect(backend.listStatus().then((l) => l.every((s) => s.state === 'connected'))).resolves.toBe(true));
    expect(await press('r')).toBe(false);
    await waitFor(() => expect(syncs().slice(2).sort()).toEqual([a.id, b.id].sort()));
  });

  it('skips a connection that cannot sync and says why when none can', async () => {
    backend = fake();
    const a = backend.addConnection('greenhouse', 'Acme', { talents: 5, jobs: 2 });
    backend.addConnection('ashby', 'Initech', { state: 'needs_reconnect', reason: 'Ashby rejected the API key.' });
    renderApp(backend, 'connections');
    await screen.findAllByTestId('connection-card');
    expect(await press('r')).toBe(false);
    await waitFor(() => expect(syncs()).toEqual([a.id]));

    await fireEvent.click(screen.getByTestId('nav-talents'));
    await fireEvent.change(await screen.findByLabelText('Connection'), { target: { value: String(a.id + 1) } });
    expect(await press('r')).toBe(false);
    expect(await screen.findByText('Reconnect Initech to sync.')).toBeInTheDocument();
    expect(syncs()).toEqual([a.id]);
  });
});

describe('Ctrl/Cmd+K under a dialog', () => {
  it('leaves the page alone while a dialog is open', async () => {
    backend = fake();
    backend.addConnection('greenhouse', 'Acme', { talents: 5, jobs: 2 });
    renderApp(backend, 'connections');
    await screen.findAllByTestId('connection-card');
    await fireEvent.click(screen.getByRole('button', { name: /Disconnect/ }));
    await screen.findByRole('dialog');
    await press('k');
    expect(screen.getByTestId('nav-connections')).toHaveAttribute('aria-current', 'page');
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });
});
