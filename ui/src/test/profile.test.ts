// The talent profile against the fake core: its sections with fields missing, the stage
// timeline and an unmapped stage, notes (loading, cached, offline), opening it from the list by
// click and Enter and coming back with Escape or Back, and from a board card's name.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { fake, renderApp } from './helpers';
import type { FakeBackend } from '../lib/fake/fake-backend';
import type { ProfileApplication } from '../lib/bindings/ProfileApplication';

let backend: FakeBackend | undefined;
afterEach(() => backend?.dispose());

const DAY = 24 * 3600_000;
const iso = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString();

/** A sandbox connection with no jobs and the given talents only. */
function setup(...names: string[]) {
  return setupOn(true, ...names);
}

function setupOn(sandbox: boolean, ...names: string[]) {
  backend = fake();
  const conn = backend.addConnection('greenhouse', 'Acme', { talents: 0, jobs: 0, awkward: false, sandbox });
  const talents = names.map((name) => backend!.addTalent(conn.id, { name }));
  return { conn, talents, backend };
}

async function openFromList(name: string) {
  const row = (await screen.findAllByTestId('talent-row')).find((r) => r.textContent?.includes(name))!;
  await fireEvent.click(within(row).getByTestId('open-profile'));
  return screen.findByTestId('talent-profile');
}

describe('talent profile', () => {
  it('shows every section with its fields missing, and a markup name as text', async () => {
    const { talents, backend } = setup('Ada <script>alert(1)</script>');
    backend.patchProfile(talents[0].id, { links: [], custom_fields: [], source: null });
    renderApp(backend, 'talents');
    const profile = await openFromList('Ada');

    const name = await within(profile).findByTestId('profile-name');
    expect(name.textContent).toBe('Ada <script>alert(1)</script>');
    expect(profile.querySelector('script')).toBeNull();
    expect(within(profile).getByTestId('profile-headline')).toHaveTextContent('No title or company in the ATS');
    const contact = within(profile).getByTestId('profile-contact');
    expect(within(contact).getAllByText('None in the ATS')).toHaveLength(2);
    expect(within(contact).queryByText('Links')).not.toBeInTheDocument();
    const details = within(profile).getByTestId('profile-details');
    expect(details).toHaveTextContent('Not recorded');
    expect(details).toHaveTextContent('No tags');
    expect(details).toHaveTextContent('No custom fields filled in.');
    expect(within(profile).getByTestId('profile-files')).toHaveTextContent('No files in the ATS for this talent.');
    expect(within(profile).getByTestId('profile-applications')).toHaveTextContent('No applications synced.');
    // A sandbox record has no page in a real ATS: no button that could only fail.
    expect(within(profile).queryByTestId('open-in-ats')).not.toBeInTheDocument();
    expect(profile).toHaveTextContent('No Greenhouse page (sandbox)');
  });

  it('shows contacts to copy and custom fields under the ATS names', async () => {
    const user = userEvent.setup();
    const { conn, backend } = setup();
    const ada = backend.addTalent(conn.id, { name: 'Ada', emails: ['ada@example.com', 'ada@work.example'], phones: ['+44 20 7946 0000'] });
    backend.patchProfile(ada.id, { links: [], custom_fields: [{ label: 'Notice period', value: '3 months' }] });
    renderApp(backend, 'talents');
    const profile = await openFromList('Ada');
    await within(profile).findByTestId('profile-name');
    const copies = within(profile).getAllByTestId('copy-value');
    expect(copies.map((c) => c.getAttribute('aria-label'))).toEqual([
      'Copy e-mail ada@example.com',
      'Copy e-mail ada@work.example',
      'Copy phone number +44 20 7946 0000',
    ]);
    await user.click(copies[1]);
    expect(await navigator.clipboard.readText()).toBe('ada@work.example');
    expect(within(profile).getByTestId('custom-field-label')).toHaveTextContent('Notice period');
    expect(within(profile).getByTestId('profile-details')).toHaveTextContent('3 months');
  });

  it('shows each application with its stages, an unmapped one, the rejection reason and the timeline', async () => {
    // A real account (not a sandbox): its records have pages in the ATS.
    const { talents, backend } = setupOn(false, 'Ada');
    const apps: ProfileApplication[] = [
      {
        remote_id: 'a1', job_remote_id: '1', job_title: 'Rust Engineer', ats_stage: 'Onsite', stage: null, status: 'active',
        rejection_reason: null, source: 'LinkedIn', updated_at: iso(1), has_ats_page: true,
        timeline: [
          { stage: 'Application Review', entered_at: iso(9), exited_at: iso(7), days: 2 },
          { stage: 'Onsite', entered_at: iso(7), exited_at: null, days: 7 },
        ],
      },
      {
        remote_id: 'a2', job_remote_id: '2', job_title: 'Designer', ats_stage: 'Portfolio', stage: 'Rejected', status: 'rejected',
        rejection_reason: 'Lacking skills', source: null, updated_at: iso(3), has_ats_page: true, timeline: [],
      },
    ];
    backend.patchProfile(talents[0].id, { applications: apps });
    renderApp(backend, 'talents');
    const profile = await openFromList('Ada');

    const [rust, design] = await within(profile).findAllByTestId('profile-application');
    expect(within(rust).getByRole('heading', { name: 'Rust Engineer' })).toBeInTheDocument();
    expect(within(rust).getByTestId('unmapped')).toHaveTextContent('Unmapped');
    const stays = within(rust).getAllByTestId('timeline-stay');
    expect(stays.map((s) => s.querySelector('.stage')?.textContent)).toEqual(['Application Review', 'Onsite']);
    expect(stays[0]).toHaveTextContent('2 days');
    expect(stays[1]).toHaveTextContent('– now');
    expect(stays[1]).toHaveTextContent('7 days so far');
    expect(within(design).queryByTestId('unmapped')).not.toBeInTheDocument();
    expect(within(design).getByTestId('rejection-reason')).toHaveTextContent('Lacking skills');
    expect(within(design).getByTestId('timeline-empty')).toBeInTheDocument();

    await fireEvent.click(within(design).getByRole('button', { name: 'Open application in ATS' }));
    await fireEvent.click(within(profile).getByTestId('open-in-ats'));
    expect(backend.openedInAts).toEqual([
      [talents[0].id, 'a2'],
      [talents[0].id, null],
    ]);
  });

  it('reads notes lazily, then keeps showing them marked offline when the ATS cannot be reached', async () => {
    const { conn, talents, backend } = setup('Ada');
    // Both reads (the cache, then the ATS) wait until released.
    const releases = [backend.hold('talentNotes'), backend.hold('talentNotes')];
    renderApp(backend, 'talents');
    let profile = await openFromList('Ada');
    // The cached read is held: the fresh read says it is running.
    expect(await within(profile).findByTestId('notes-loading')).toHaveTextContent('Reading notes from Greenhouse');
    releases.forEach((r) => r());
    await waitFor(() => expect(within(profile).getAllByTestId('note')).toHaveLength(1));
    const body = within(profile).getByTestId('note').querySelector('.body')!;
    expect(body.textContent).toBe('Strong systems background; prefers <remote> roles.');
    expect(within(profile).queryByTestId('notes-offline')).not.toBeInTheDocument();

    // Back, offline, open again: the cached notes with the reason they may be old.
    await fireEvent.click(within(profile).getByTestId('profile-back'));
    backend.setState(conn.id, 'unreachable');
    profile = await openFromList('Ada');
    const offline = await within(profile).findByTestId('notes-offline');
    expect(offline).toHaveTextContent('Offline: showing the notes read');
    expect(offline).toHaveTextContent('network is unreachable');
    expect(within(profile).getAllByTestId('note')).toHaveLength(1);
    expect(backend.calls.filter(([c]) => c === 'talentNotes').map(([, a]) => a)).toContainEqual([talents[0].id, true]);
  });

  it('opens from the list with Enter and closes with Escape, keeping the search', async () => {
    const user = userEvent.setup();
    const { backend } = setup('Ada Lovelace', 'Ben Bianchi', 'Carmen Dubois');
    renderApp(backend, 'talents');
    await screen.findAllByTestId('talent-row');
    const search = screen.getByLabelText('Search talents');
    await user.type(search, 'ben');
    await waitFor(() => expect(screen.getAllByTestId('talent-row')).toHaveLength(1));
    // Enter in the search box opens the first match.
    await user.keyboard('{Enter}');
    const profile = await screen.findByTestId('talent-profile');
    expect(await within(profile).findByTestId('profile-name')).toHaveTextContent('Ben Bianchi');

    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByTestId('talent-profile')).not.toBeInTheDocument());
    expect(screen.getByLabelText('Search talents')).toHaveValue('ben');
    const rows = await screen.findAllByTestId('talent-row');
    expect(rows).toHaveLength(1);

    // Enter on a row's name (the keyboard path through the list) opens it too.
    within(rows[0]).getByTestId('open-profile').focus();
    await user.keyboard('{Enter}');
    expect(await screen.findByTestId('talent-profile')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: '← Back to talents' }));
    expect(await screen.findByLabelText('Search talents')).toHaveValue('ben');
  });

  it("opens from a board card's name, and Back returns to the board", async () => {
    backend = fake();
    const conn = backend.addConnection('lever', 'Acme', { talents: 40, jobs: 12 });
    const job = (await backend.listJobs(conn.id, false)).find((j) => j.active_applications >= 5)!;
    renderApp(backend, 'jobs');
    await fireEvent.click(await screen.findByRole('button', { name: job.title }));
    const card = (await screen.findAllByTestId('board-card'))[0];
    const name = within(card).getByTestId('card-open-profile');
    await fireEvent.click(name);
    const profile = await screen.findByTestId('talent-profile');
    expect(await within(profile).findByTestId('profile-name')).toHaveTextContent(name.textContent!);
    await fireEvent.click(within(profile).getByRole('button', { name: '← Back to the job' }));
    expect(await screen.findAllByTestId('board-card')).not.toHaveLength(0);
  });
});
