// Talents' resumes and other files: listed per row, opened through `open_file`, against the fake backend.
import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { fake, renderApp } from './helpers';
import type { FakeBackend } from '../lib/fake/fake-backend';

let backend: FakeBackend | undefined;
afterEach(() => backend?.dispose());

// The virtual list keeps its rows `visibility: hidden` under jsdom (nothing is ever laid out), so
// role queries skip them: rows are found by test id and buttons checked by their aria-label.
const label = (el: HTMLElement) => el.getAttribute('aria-label');

const KB = 1024;
const MB = 1024 * KB;

describe('talent files', () => {
  it('shows a resume button for a talent with files and "—" for one without', async () => {
    backend = fake();
    const conn = backend.addConnection('greenhouse', 'Acme', { talents: 0, awkward: false });
    backend.addTalent(conn.id, {
      name: 'Ada Lovelace',
      files: [
        { filename: 'Cover_letter_Ada.pdf', kind: 'cover_letter' },
        { filename: 'Ada_Lovelace_resume.pdf', size_bytes: 240 * KB, downloaded: true },
      ],
    });
    backend.addTalent(conn.id, { name: 'Ben Bianchi' });
    renderApp(backend, 'talents');
    const [ada, ben] = await screen.findAllByTestId('talent-row');

    // The resume comes first whatever order the ATS gave; the others are counted and named.
    const button = within(ada).getByTestId('open-file');
    expect(button).toHaveTextContent('Resume');
    expect(label(button)).toBe('Open resume Ada_Lovelace_resume.pdf (240 KB), available offline');
    expect(button).toBeEnabled();
    expect(ada).toHaveTextContent('+1 more: Cover_letter_Ada.pdf');

    expect(within(ben).queryByTestId('open-file')).not.toBeInTheDocument();
    expect(within(ben).getByTestId('no-files')).toHaveTextContent('—');
  });

  it('opening a resume calls `openFile` with its id, spins meanwhile, then shows it available offline', async () => {
    const user = userEvent.setup();
    backend = fake({ latencyMs: 30 });
    const conn = backend.addConnection('lever', 'Acme', { talents: 0, awkward: false });
    backend.addTalent(conn.id, { name: 'Ben Bianchi', files: [{ filename: 'Ben_Bianchi_resume.pdf' }] });
    const ada = backend.addTalent(conn.id, { name: 'Ada Lovelace', files: [{ filename: 'Ada_Lovelace_resume.pdf', size_bytes: 240 * KB }] });
    renderApp(backend, 'talents');
    const [button, other] = await screen.findAllByTestId('open-file');
    expect(label(button)).toBe('Open resume Ada_Lovelace_resume.pdf (240 KB), downloads when opened');

    await user.click(button);
    await waitFor(() => expect(button).toBeDisabled());
    expect(button).toHaveAttribute('aria-busy', 'true');
    expect(button.querySelector('.spinner')).not.toBeNull();
    await waitFor(() => expect(label(button)).toBe('Open resume Ada_Lovelace_resume.pdf (240 KB), available offline'));
    expect(button).toBeEnabled();
    expect(backend.calls).toContainEqual(['openFile', [ada.files[0].id]]);
    expect(backend.opened).toEqual([ada.files[0].id]);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    // The other talent's file was left alone.
    expect(label(other)).toBe('Open resume Ben_Bianchi_resume.pdf, downloads when opened');
  });

  it('a file too large to keep offline shows the core’s message, then shows as unavailable', async () => {
    const user = userEvent.setup();
    backend = fake();
    const conn = backend.addConnection('ashby', 'Acme', { talents: 0, awkward: false });
    backend.addTalent(conn.id, { name: 'Sam Big', files: [{ filename: 'Sam_portfolio.pdf', size_bytes: Math.round(31.4 * MB) }] });
    renderApp(backend, 'talents');
    const button = await screen.findByTestId('open-file');
    expect(label(button)).toBe('Open resume Sam_portfolio.pdf (31.4 MB), downloads when opened');
    await user.click(button);

    const message = '"Sam_portfolio.pdf" is 31.4 MB, more than the 25 MB Talentdeck keeps offline; open it in the ATS';
    expect(await screen.findByRole('alert')).toHaveTextContent(message);
    await waitFor(() => expect(label(button)).toBe(`Resume Sam_portfolio.pdf (31.4 MB), unavailable: ${message}`));
    expect(button).toBeDisabled();
    // The reason shows on hover too (on the wrapper: a disabled button may show no title).
    expect(button.parentElement).toHaveAttribute('title', `Sam_portfolio.pdf (31.4 MB), unavailable: ${message}`);
    expect(backend.opened).toEqual([]);
  });

  it('an open the core refuses shows its message and can be tried again', async () => {
    const user = userEvent.setup();
    backend = fake();
    const conn = backend.addConnection('greenhouse', 'Acme', { talents: 0, awkward: false });
    const ada = backend.addTalent(conn.id, { name: 'Ada Lovelace', files: [{ filename: 'Ada_Lovelace_resume.pdf' }] });
    backend.fail('openFile', { code: 'unreachable', message: 'Could not reach Greenhouse: the network is unreachable.' });
    renderApp(backend, 'talents');
    const button = await screen.findByTestId('open-file');

    await user.click(button);
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not reach Greenhouse: the network is unreachable.');
    await waitFor(() => expect(button).toBeEnabled());
    expect(backend.opened).toEqual([]);

    await user.click(button);
    await waitFor(() => expect(backend!.opened).toEqual([ada.files[0].id]));
  });
});
