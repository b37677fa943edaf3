import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { fake, renderApp } from './helpers';
import type { FakeBackend } from '../lib/fake/fake-backend';

let backend: FakeBackend | undefined;
afterEach(() => backend?.dispose());

describe('first run', () => {
  it('offers the sandbox and a real connection', async () => {
    ({ backend } = renderApp((backend = fake())));
    expect(await screen.findByTestId('try-sandbox')).toHaveTextContent('Try with a sandbox ATS');
    expect(screen.getByTestId('connect-ats')).toHaveTextContent('Connect your ATS');
  });

  it('"Try with a sandbox ATS" creates a connection that then appears', async () => {
    ({ backend } = renderApp((backend = fake())));
    await fireEvent.click(await screen.findByTestId('try-sandbox'));
    // It asks which ATS to simulate, Greenhouse by default.
    expect(screen.getByRole('radio', { name: /Greenhouse/ })).toBeChecked();
    const start = screen.getByTestId('start-sandbox');
    expect(start).toHaveTextContent('Start the Greenhouse sandbox');
    expect(start).toHaveFocus();
    await fireEvent.click(start);
    const card = await screen.findByTestId('connection-card');
    expect(card).toHaveTextContent('Sandbox Greenhouse');
    expect(backend.calls).toContainEqual(['startSandbox', ['greenhouse']]);
    // The simulated first sync finishes and the card turns healthy.
    await waitFor(() => expect(within(card).getByText('Healthy')).toBeInTheDocument());
  });

  it('starts the sandbox of the provider picked', async () => {
    ({ backend } = renderApp((backend = fake())));
    await fireEvent.click(await screen.findByTestId('try-sandbox'));
    await fireEvent.click(screen.getByRole('radio', { name: /Ashby/ }));
    await fireEvent.click(screen.getByTestId('start-sandbox'));
    expect(await screen.findByTestId('connection-card')).toHaveTextContent('Sandbox Ashby');
    expect(backend.calls).toContainEqual(['startSandbox', ['ashby']]);
  });

  it('"Connect your ATS" opens the connect form with a password field', async () => {
    ({ backend } = renderApp((backend = fake())));
    await fireEvent.click(await screen.findByTestId('connect-ats'));
    const dialog = await screen.findByRole('dialog', { name: 'Connect your ATS' });
    expect(within(dialog).getByLabelText('Client secret')).toHaveAttribute('type', 'password');
    expect(within(dialog).getByLabelText('Client ID')).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Greenhouse user ID')).toBeInTheDocument();
    await fireEvent.click(within(dialog).getByRole('radio', { name: /Lever/ }));
    expect(within(dialog).getByLabelText('API key')).toHaveAttribute('type', 'password');
    expect(within(dialog).queryByLabelText('Client ID')).not.toBeInTheDocument();
  });
});

describe('errors', () => {
  it('shows the message of a failed command', async () => {
    backend = fake();
    backend.fail('startSandbox', { code: 'keychain_unavailable', message: 'The keychain is locked.' });
    renderApp(backend);
    await fireEvent.click(await screen.findByTestId('try-sandbox'));
    await fireEvent.click(screen.getByTestId('start-sandbox'));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The keychain is locked.');
    expect(alert).toHaveAttribute('data-code', 'keychain_unavailable');
    // Nothing was created: still the first-run screen, ready to try again.
    expect(screen.getByTestId('start-sandbox')).toBeEnabled();
    expect(screen.getByTestId('connect-ats')).toBeInTheDocument();
  });

  it('shows why a connect attempt was refused', async () => {
    const user = userEvent.setup();
    ({ backend } = renderApp((backend = fake())));
    await user.click(await screen.findByTestId('connect-ats'));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('radio', { name: /Lever/ }));
    await user.type(within(dialog).getByLabelText('API key'), 'wrong-key');
    await user.click(within(dialog).getByRole('button', { name: 'Connect' }));
    const alert = await within(dialog).findByRole('alert');
    expect(alert).toHaveTextContent('Lever rejected these credentials (401 Unauthorized)');
    expect(alert).toHaveAttribute('data-code', 'unauthorized');
  });

  it('shows a failed list with its message', async () => {
    backend = fake();
    backend.addConnection('greenhouse', 'Acme', { talents: 5, jobs: 5 });
    backend.fail('listJobs', { code: 'store', message: 'the local database could not be used: disk I/O error' });
    renderApp(backend, 'jobs');
    expect(await screen.findByRole('alert')).toHaveTextContent('the local database could not be used: disk I/O error');
  });

  it('shows a startup failure and recovers on retry', async () => {
    backend = fake({ scenario: 'broken' });
    renderApp(backend);
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('disk I/O error');
    await fireEvent.click(within(alert).getByRole('button', { name: 'Try again' }));
    expect(await screen.findByTestId('try-sandbox')).toBeInTheDocument();
  });
});

describe('talents', () => {
  it('shows HTML in a candidate name as literal text', async () => {
    backend = fake();
    backend.addConnection('greenhouse', 'Acme', { talents: 5, awkward: true });
    renderApp(backend, 'talents');
    const name = '<b>Sam</b> <script>x</script>';
    expect(await screen.findByText(name)).toBeInTheDocument();
    expect(screen.getByText('Acme <i>Robotics</i>', { exact: false })).toBeInTheDocument();
    expect(screen.getByText('<img src=x onerror=alert(1)>')).toBeInTheDocument();
    const list = screen.getByRole('list', { name: 'Talents' });
    expect(list.querySelector('script, b, i, img')).toBeNull();
    expect(document.querySelector('script')).toBeNull();
  });

  it('copes with duplicate emails and tags from the ATS', async () => {
    backend = fake();
    const conn = backend.addConnection('lever', 'Acme', { talents: 0, awkward: false });
    backend.addTalent(conn.id, { name: 'Dup Licate', emails: ['a@example.com', 'a@example.com'], tags: ['rust', 'rust'] });
    renderApp(backend, 'talents');
    expect(await screen.findByText('Dup Licate')).toBeInTheDocument();
    expect(screen.getAllByText('rust')).toHaveLength(2);
  });

  it('search filters the talents as you type', async () => {
    const user = userEvent.setup();
    backend = fake();
    backend.addConnection('greenhouse', 'Acme', { talents: 30, awkward: true });
    renderApp(backend, 'talents');
    expect(await screen.findByText('<b>Sam</b> <script>x</script>')).toBeInTheDocument();
    await user.type(screen.getByLabelText('Search talents'), 'zoe@example');
    await waitFor(() => expect(screen.getAllByTestId('talent-row')).toHaveLength(1));
    expect(screen.getByTestId('talent-row')).toHaveTextContent('Zoë Ångström-Nakamura');
    expect(screen.queryByText('<b>Sam</b> <script>x</script>')).not.toBeInTheDocument();
    expect(backend.calls).toContainEqual(['searchTalents', [null, 'zoe@example', 200]]);

    await user.clear(screen.getByLabelText('Search talents'));
    await user.type(screen.getByLabelText('Search talents'), 'no such person');
    expect(await screen.findByText(/No talents match/)).toBeInTheDocument();
  });
});

describe('sync health', () => {
  it('shows the reconnect banner for a connection that needs reconnecting', async () => {
    backend = fake();
    backend.addConnection('lever', 'Lever – Acme EU', {
      state: 'needs_reconnect',
      reason: 'Lever rejected the API key (401).',
    });
    renderApp(backend);
    const banner = await screen.findByTestId('reconnect-banner');
    expect(banner).toHaveTextContent('Lever – Acme EU');
    expect(banner).toHaveTextContent('Lever rejected the API key (401).');
    await fireEvent.click(within(banner).getByRole('button', { name: 'Reconnect' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reconnect Lever – Acme EU' });
    expect(within(dialog).getByLabelText('Connection name')).toHaveValue('Lever – Acme EU');
    expect(within(dialog).getByRole('radio', { name: /Lever/ })).toBeChecked();
  });

  it('reconnecting clears the banner', async () => {
    const user = userEvent.setup();
    backend = fake();
    backend.addConnection('ashby', 'Ashby', { state: 'permission_denied', reason: 'Ashby refused access (403).' });
    renderApp(backend);
    const banner = await screen.findByTestId('reconnect-banner');
    await user.click(within(banner).getByRole('button', { name: 'Reconnect' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('API key'), 'a-new-key');
    await user.click(within(dialog).getByRole('button', { name: 'Reconnect' }));
    await waitFor(() => expect(screen.queryByTestId('reconnect-banner')).not.toBeInTheDocument());
    expect(backend.calls).toContainEqual(['reconnect', [1, { secret: '***', client_id: null, user_id: null }]]);
  });

  it('shows the banner when a status_changed event reports a lost connection', async () => {
    backend = fake();
    const s = backend.addConnection('greenhouse', 'Greenhouse – Acme');
    renderApp(backend);
    await screen.findByTestId('connection-card');
    expect(screen.queryByTestId('reconnect-banner')).not.toBeInTheDocument();
    backend.setState(s.id, 'needs_reconnect', 'Greenhouse rejected the client credentials (invalid_grant).');
    expect(await screen.findByTestId('reconnect-banner')).toHaveTextContent('invalid_grant');
  });

  it('the jobs sync button syncs and tells the last sync time on hover', async () => {
    backend = fake();
    backend.addConnection('greenhouse', 'Acme', { syncedHoursAgo: 2, jobs: 4 });
    renderApp(backend, 'jobs');
    const button = await screen.findByTestId('sync-jobs');
    expect(button.getAttribute('title')).toMatch(/last synced 2 hours ago/);
    await fireEvent.click(button);
    await waitFor(() => expect(backend!.calls.some(([c]) => c === 'syncNow')).toBe(true));
  });

  it('shows health with words, not colour alone', async () => {
    backend = fake();
    backend.addConnection('greenhouse', 'Fresh', { syncedHoursAgo: 1 });
    backend.addConnection('lever', 'Old', { syncedHoursAgo: 30 });
    renderApp(backend);
    const cards = await screen.findAllByTestId('connection-card');
    expect(cards[0]).toHaveTextContent('Healthy');
    expect(cards[1]).toHaveTextContent('Stale');
  });
});

describe('automatic sync', () => {
  it('shows when the next sync is due and lets the recruiter change or stop it', async () => {
    const user = userEvent.setup();
    backend = fake();
    const s = backend.addConnection('lever', 'Lever – Acme', { syncedHoursAgo: 0.05 });
    renderApp(backend);
    const card = await screen.findByTestId('connection-card');
    const select = within(card).getByLabelText('Automatic sync');
    expect(select).toHaveValue('15');
    expect(within(card).getByTestId('next-sync')).toHaveTextContent(/in \d+ minutes/);

    await user.selectOptions(select, 'Off');
    expect(backend.calls).toContainEqual(['setSyncInterval', [s.id, 0]]);
    await waitFor(() => expect(within(card).getByTestId('next-sync')).toHaveTextContent('Off'));

    await user.selectOptions(select, 'Every hour');
    await waitFor(() => expect(within(card).getByTestId('next-sync')).toHaveTextContent(/in \d+ minutes|in 1 hour/));
  });

  it('says a connection that needs reconnecting waits for the recruiter', async () => {
    backend = fake();
    backend.addConnection('ashby', 'Ashby', { state: 'needs_reconnect', reason: 'Ashby rejected the API key.' });
    renderApp(backend);
    const card = await screen.findByTestId('connection-card');
    expect(within(card).getByTestId('next-sync')).toHaveTextContent('Waits for you');
  });
});
