// The in-app preview of a talent's PDFs and images, from the profile's file list, against the
// fake core. pdf.js cannot draw under jsdom: its module is replaced by a stand-in that records
// what it was given and adds one canvas.
import { screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fake, renderApp } from './helpers';
import type { FakeBackend } from '../lib/fake/fake-backend';

const pdf = vi.hoisted(() => ({ destroyed: 0, pages: 3, given: [] as Uint8Array[] }));
vi.mock('../lib/pdf', () => ({
  MAX_PAGES: 20,
  renderPdf: async (data: Uint8Array, container: HTMLElement) => {
    pdf.given.push(data);
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `Page 1 of ${pdf.pages}`);
    container.append(canvas);
    return { pages: pdf.pages, drawn: Math.min(pdf.pages, 20), destroy: () => pdf.destroyed++ };
  },
}));

let backend: FakeBackend | undefined;
const urls: string[] = [];
beforeEach(() => {
  Object.assign(pdf, { destroyed: 0, pages: 3, given: [] });
  urls.length = 0;
  // jsdom has no object URLs.
  URL.createObjectURL = vi.fn(() => `blob:talentdeck/${urls.push('x')}`);
  URL.revokeObjectURL = vi.fn();
});
afterEach(() => backend?.dispose());

async function openProfile(files: { filename: string; size_bytes?: number }[]) {
  backend = fake();
  const conn = backend.addConnection('greenhouse', 'Acme', { talents: 0, jobs: 0, awkward: false });
  const talent = backend.addTalent(conn.id, { name: 'Ada Lovelace', files });
  renderApp(backend, 'talents');
  const row = await screen.findByTestId('talent-row');
  await userEvent.click(within(row).getByTestId('open-profile'));
  const section = await screen.findByTestId('profile-files');
  return { talent, section, backend };
}

describe('file preview', () => {
  it('offers a preview for PDFs and images only', async () => {
    const { section } = await openProfile([{ filename: 'Ada_resume.pdf' }, { filename: 'headshot.png' }, { filename: 'Ada_cv.docx' }]);
    expect(within(section).getByRole('button', { name: 'Preview Ada_resume.pdf' })).toBeEnabled();
    expect(within(section).getByRole('button', { name: 'Preview headshot.png' })).toBeEnabled();
    expect(within(section).queryByRole('button', { name: 'Preview Ada_cv.docx' })).not.toBeInTheDocument();
    expect(within(section).getByRole('button', { name: 'Open Ada_cv.docx' })).toBeEnabled();
  });

  it('draws a PDF’s pages from the bytes the core sent, says when pages are left out, and frees it on close', async () => {
    const user = userEvent.setup();
    pdf.pages = 31;
    const { talent, section, backend } = await openProfile([{ filename: 'Ada_resume.pdf' }]);
    const id = talent.files[0].id;
    backend.previewBytes.set(id, new TextEncoder().encode('%PDF-1.4 Ada'));
    await user.click(within(section).getByRole('button', { name: 'Preview Ada_resume.pdf' }));

    const dialog = await screen.findByRole('dialog', { name: 'Ada_resume.pdf' });
    expect(await within(dialog).findByRole('img', { name: 'Page 1 of 31' })).toBeInTheDocument();
    expect(backend.calls).toContainEqual(['previewFile', [id]]);
    expect(new TextDecoder().decode(pdf.given[0])).toBe('%PDF-1.4 Ada');
    expect(dialog).toHaveTextContent('Showing the first 20 of 31 pages: open it with the system app to read on.');
    // Previewing downloaded it, as opening does: the list says so.
    await waitFor(() => expect(section).toHaveTextContent('available offline'));

    await user.keyboard('{Escape}');
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(pdf.destroyed).toBe(1);
    expect(backend.opened).toEqual([]);
  });

  it('shows an image as an <img> from an object URL, revoked on close, and opens it with the system app on request', async () => {
    const user = userEvent.setup();
    const { talent, section, backend } = await openProfile([{ filename: 'headshot.png' }]);
    await user.click(within(section).getByRole('button', { name: 'Preview headshot.png' }));
    const dialog = await screen.findByRole('dialog', { name: 'headshot.png' });
    const img = await within(dialog).findByRole('img', { name: 'Preview of headshot.png' });
    expect(img).toHaveAttribute('src', 'blob:talentdeck/1');
    expect(pdf.given).toEqual([]);

    await user.click(within(dialog).getByRole('button', { name: 'Open with the system app' }));
    await waitFor(() => expect(backend.opened).toEqual([talent.files[0].id]));
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(URL.revokeObjectURL).toHaveBeenCalledWith('blob:talentdeck/1');
  });

  it('a “PDF” that is not one, or one too large to keep, shows why instead of a preview', async () => {
    const user = userEvent.setup();
    const { talent, section, backend } = await openProfile([
      { filename: 'fake.pdf' },
      { filename: 'huge.pdf', size_bytes: 31 * 1024 * 1024 },
    ]);
    backend.previewBytes.set(talent.files[0].id, new Uint8Array([1, 2, 3, 4]));
    await user.click(within(section).getByRole('button', { name: 'Preview fake.pdf' }));
    let dialog = await screen.findByRole('dialog', { name: 'fake.pdf' });
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('not a PDF or an image Talentdeck can show');
    expect(pdf.given).toEqual([]);
    await user.keyboard('{Escape}');

    await user.click(within(section).getByRole('button', { name: 'Preview huge.pdf' }));
    dialog = await screen.findByRole('dialog', { name: 'huge.pdf' });
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('more than the 25 MB Talentdeck keeps offline');
  });
});
