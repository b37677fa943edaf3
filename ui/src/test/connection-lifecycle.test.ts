// Reconnecting and disconnecting a connection (issue 4), against the fake backend.
import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { fake, renderApp } from './helpers';
import type { FakeBackend } from '../lib/fake/fake-backend';

let backend: FakeBackend | undefined;
afterEach(() => backend?.dispose());

const called = (command: string) => backend!.calls.some(([c]) => c === command);

async function openDisconnect(user: ReturnType<typeof userEvent.setup>, card: HTMLElement, name: string) {
  await user.click(within(card).getByRole('button', { name: 'Disconnect…' }));
  return screen.findByRole('dialog', { name: `Disconnect ${name}` });
}

describe('reconnect', () => {
  it('from the banner calls `reconnect` with the connection id and clears the banner', async () => {
    const user = userEvent.setup();
    backend = fake();
    backend.addConnection('greenhouse', 'Sandbox Greenhouse');
    const s = backend.addConnection('lever', 'Lever – Acme EU', { state: 'needs_reconnect', reason: 'Lever rejected the API key (401).' });
    renderApp(backend);
    const banner = await screen.findByTestId('reconnect-banner');
    await user.click(within(banner).getByRole('button', { name: 'Reconnect' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reconnect Lever – Acme EU' });
    const key = within(dialog).getByLabelText('API key');
    expect(key).toHaveAttribute('type', 'password');

    // A refused key: the error is shown and the field is emptied for the next attempt.
    await user.type(key, 'wrong-key');
    await user.click(within(dialog).getByRole('button', { name: 'Reconnect' }));
    expect(await within(dialog).findByRole('alert')).toHaveAttribute('data-code', 'unauthorized');
    expect(key).toHaveValue('');
    expect(key).toHaveFocus();

    await user.type(key, 'a-new-key');
    await user.click(within(dialog).getByRole('button', { name: 'Reconnect' }));
    await waitFor(() => expect(screen.queryByTestId('reconnect-banner')).not.toBeInTheDocument());
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(backend.calls).toContainEqual(['reconnect', [s.id, { secret: '***', client_id: null, user_id: null }]]);
    expect(called('connect')).toBe(false);
    const cards = screen.getAllByTestId('connection-card');
    await waitFor(() => expect(cards[1]).toHaveTextContent('Healthy'));
  });
});

describe('disconnect', () => {
  it('keeping the data shows the card as disconnected and its talents still listed, marked', async () => {
    const user = userEvent.setup();
    backend = fake();
    const s = backend.addConnection('lever', 'Lever – Acme', { talents: 5, jobs: 4, awkward: false });
    renderApp(backend);
    const card = await screen.findByTestId('connection-card');
    const dialog = await openDisconnect(user, card, 'Lever – Acme');
    expect(dialog.contains(document.activeElement)).toBe(true);
    expect(within(dialog).getByRole('radio', { name: /Disconnect and keep data/ })).toBeChecked();
    await user.click(within(dialog).getByRole('button', { name: 'Disconnect and keep data' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(backend.calls).toContainEqual(['disconnect', [s.id, false]]);
    expect(card).toHaveAttribute('data-state', 'disconnected');
    expect(within(card).getByText('Disconnected', { selector: 'dd' })).toBeInTheDocument();
    expect(card).toHaveTextContent('Disconnected on request');
    expect(within(card).queryByRole('button', { name: /Sync now/ })).not.toBeInTheDocument();
    expect(within(card).getByRole('button', { name: 'Reconnect' })).toBeInTheDocument();
    // A deliberate disconnect is not an alarm.
    expect(screen.queryByTestId('reconnect-banner')).not.toBeInTheDocument();
    expect(card.querySelector('[data-indicator="red"]')).toBeNull();
    expect(screen.getByTestId('nav-connections')).not.toHaveTextContent('need attention');

    await user.click(screen.getByTestId('nav-talents'));
    const rows = await screen.findAllByTestId('talent-row');
    expect(rows).toHaveLength(5);
    for (const row of rows) expect(within(row).getByTestId('disconnected-mark')).toHaveTextContent('From a disconnected source');
    expect(screen.getByTestId('sync-talents')).toBeDisabled();

    await user.click(screen.getByTestId('nav-jobs'));
    const marks = await screen.findAllByTestId('disconnected-mark');
    expect(marks.length).toBeGreaterThan(0);
  });

  it('with purge removes the card and its rows', async () => {
    const user = userEvent.setup();
    backend = fake();
    backend.addConnection('greenhouse', 'Keep Co', { talents: 3, jobs: 2, awkward: false });
    const gone = backend.addConnection('ashby', 'Gone Co', { talents: 4, jobs: 2, awkward: false });
    renderApp(backend);
    const cards = await screen.findAllByTestId('connection-card');
    const dialog = await openDisconnect(user, cards[1], 'Gone Co');
    await user.click(within(dialog).getByRole('radio', { name: /Disconnect and delete its data/ }));
    await user.type(within(dialog).getByLabelText('Type “Gone Co” to confirm'), 'Gone Co');
    await user.click(within(dialog).getByRole('button', { name: 'Disconnect and delete its data' }));

    await waitFor(() => expect(screen.getAllByTestId('connection-card')).toHaveLength(1));
    expect(screen.getByTestId('connection-card')).toHaveTextContent('Keep Co');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(backend.calls).toContainEqual(['disconnect', [gone.id, true]]);

    await user.click(screen.getByTestId('nav-talents'));
    await waitFor(() => expect(screen.getAllByTestId('talent-row')).toHaveLength(3));
    expect(screen.queryByTestId('disconnected-mark')).not.toBeInTheDocument();
  });

  it('deleting the data needs the connection name typed', async () => {
    const user = userEvent.setup();
    backend = fake();
    backend.addConnection('lever', 'Lever – Acme', { talents: 2 });
    renderApp(backend);
    const dialog = await openDisconnect(user, await screen.findByTestId('connection-card'), 'Lever – Acme');
    await user.click(within(dialog).getByRole('radio', { name: /Disconnect and delete its data/ }));
    const danger = within(dialog).getByRole('button', { name: 'Disconnect and delete its data' });
    expect(danger).toBeDisabled();
    const confirm = within(dialog).getByLabelText('Type “Lever – Acme” to confirm');
    await user.type(confirm, 'Lever{Enter}');
    expect(danger).toBeDisabled();
    expect(called('disconnect')).toBe(false);
    // Going back to "keep" needs no typing.
    await user.click(within(dialog).getByRole('radio', { name: /Disconnect and keep data/ }));
    expect(within(dialog).queryByRole('button', { name: 'Disconnect and delete its data' })).not.toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: 'Disconnect and keep data' })).toBeEnabled();
    expect(called('disconnect')).toBe(false);
  });

  it('Escape closes the dialog without disconnecting', async () => {
    const user = userEvent.setup();
    backend = fake();
    backend.addConnection('lever', 'Lever – Acme', { talents: 2 });
    renderApp(backend);
    const card = await screen.findByTestId('connection-card');
    await openDisconnect(user, card, 'Lever – Acme');
    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(called('disconnect')).toBe(false);
    expect(card).toHaveAttribute('data-state', 'connected');
    expect(within(card).getByRole('button', { name: /Sync now/ })).toBeInTheDocument();
  });

  it('a disconnect the core refuses is shown as a notice and the dialog stays open', async () => {
    const user = userEvent.setup();
    backend = fake();
    backend.addConnection('lever', 'Lever – Acme', { talents: 2 });
    backend.fail('disconnect', { code: 'keychain_unavailable', message: 'The keychain is locked.' });
    renderApp(backend);
    const dialog = await openDisconnect(user, await screen.findByTestId('connection-card'), 'Lever – Acme');
    await user.click(within(dialog).getByRole('button', { name: 'Disconnect and keep data' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Lever – Acme: The keychain is locked.');
    expect(screen.getByRole('dialog')).toBeInTheDocument();
  });

  it('a disconnected connection can be reconnected from its card', async () => {
    const user = userEvent.setup();
    backend = fake();
    const s = backend.addConnection('lever', 'Lever – Acme', { talents: 2, state: 'disconnected', reason: 'Disconnected on request.' });
    renderApp(backend);
    const card = await screen.findByTestId('connection-card');
    await user.click(within(card).getByRole('button', { name: 'Reconnect' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reconnect Lever – Acme' });
    await user.type(within(dialog).getByLabelText('API key'), 'a-new-key');
    await user.click(within(dialog).getByRole('button', { name: 'Reconnect' }));
    await waitFor(() => expect(card).toHaveAttribute('data-state', 'connected'));
    expect(backend.calls).toContainEqual(['reconnect', [s.id, { secret: '***', client_id: null, user_id: null }]]);
  });
});
