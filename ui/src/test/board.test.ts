// The job board (optimistic move, rollback on a refused move, the conflict card) and the
// stage-mapping table (select, undo), against the fake core.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { SOURCES, TRIGGERS } from 'svelte-dnd-action';
import { afterEach, describe, expect, it } from 'vitest';
import type { BoardCard } from '../lib/bindings/BoardCard';
import { fake, renderApp } from './helpers';
import type { FakeBackend } from '../lib/fake/fake-backend';

let backend: FakeBackend | undefined;
afterEach(() => backend?.dispose());

let jobRemoteId = '';

/** Opens the board of a job with enough applications; returns the connection id. */
async function openBoard(): Promise<number> {
  backend = fake();
  const conn = backend.addConnection('greenhouse', 'Acme', { talents: 40, jobs: 12 });
  const jobs = await backend.listJobs(conn.id, false);
  const job = jobs.find((j) => j.active_applications >= 15)!;
  jobRemoteId = job.remote_id;
  renderApp(backend, 'jobs');
  await fireEvent.click(await screen.findByRole('button', { name: job.title }));
  await screen.findAllByTestId('board-card');
  return conn.id;
}

/** A column's drop zone (svelte-dnd-action's `dndzone` sits on the column body). */
function zone(stage: string): HTMLElement {
  return column(stage).querySelector<HTMLElement>('.col-body')!;
}

/** The items a zone shows, as the library hands them back: `{ id, card }`, in the page's order. */
async function items(cid: number, stage: string): Promise<{ id: string; card: BoardCard }[]> {
  const cards = (await backend!.jobBoard(cid, jobRemoteId)).cards;
  const ids = within(column(stage)).queryAllByTestId('board-card').map((c) => c.dataset.application!);
  return ids.map((id) => ({ id, card: cards.find((c) => c.application_remote_id === id)! }));
}

/** What the library dispatches on a zone (its docs: hosts react to `consider` and `finalize`). */
async function dnd(el: HTMLElement, event: 'consider' | 'finalize', detail: { items: unknown[]; info: object }) {
  el.dispatchEvent(new CustomEvent(event, { detail }));
  await tick();
}

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A pointer drag of card `id` from `from`, as the library reports its start. */
async function startDrag(cid: number, from: string, id: string) {
  const src = await items(cid, from);
  // The library swaps the dragged item for its placeholder in the origin zone.
  const shadow = src.map((i) => (i.id === id ? { ...i, isDndShadowItem: true } : i));
  await dnd(zone(from), 'consider', { items: shadow, info: { trigger: TRIGGERS.DRAG_STARTED, id, source: SOURCES.POINTER } });
  return src.find((i) => i.id === id)!;
}

function column(stage: string): HTMLElement {
  return screen.getAllByTestId('column').find((c) => c.dataset.stage === stage)!;
}

function cardIn(stage: string): HTMLElement {
  const card = within(column(stage)).queryAllByTestId('board-card')[0];
  if (!card) throw new Error(`no card in ${stage}`);
  return card;
}

function cardById(id: string): HTMLElement {
  return screen.getAllByTestId('board-card').find((c) => c.dataset.application === id)!;
}

/** Opens a card's "Move to…" menu and picks `stage` with the arrow keys and Enter. */
async function moveByKeyboard(card: HTMLElement, stage: string) {
  const user = userEvent.setup();
  await user.click(within(card).getByRole('button', { name: 'Move to…' }));
  const menu = within(card).getByRole('menu');
  const items = within(menu).getAllByRole('menuitem');
  expect(items[0]).toHaveFocus();
  const target = items.findIndex((i) => i.textContent === stage);
  for (let i = 0; i < target; i++) await user.keyboard('{ArrowDown}');
  expect(items[target]).toHaveFocus();
  await user.keyboard('{Enter}');
}

describe('job board', () => {
  it('shows the job description the core sanitised as text structure, behind a disclosure', async () => {
    const connectionId = await openBoard();
    const summary = screen.getByText('Job description');
    const details = summary.closest('details')!;
    expect(details.open).toBe(false);
    await fireEvent.click(summary);
    await waitFor(() => expect(details.open).toBe(true));
    const prose = screen.getByTestId('job-description');
    expect(within(prose).getByRole('heading', { name: 'Requirements' })).toBeInTheDocument();
    expect(within(prose).getAllByRole('listitem')).toHaveLength(1);
    // A sync or a push reloads the board: the description the recruiter opened stays open.
    const reloads = backend!.calls.filter((c) => c[0] === 'jobBoard').length;
    await backend!.setMapping(connectionId, 'Onsite', 'Interview', null);
    await waitFor(() => expect(backend!.calls.filter((c) => c[0] === 'jobBoard').length).toBeGreaterThan(reloads));
    await waitFor(() => expect(screen.getByText('Job description').closest('details')!.open).toBe(true));
  });

  it('opens from the jobs list with one column per stage, Unmapped, and Rejected/Hired collapsed', async () => {
    await openBoard();
    const titles = screen.getAllByTestId('column').map((c) => c.dataset.stage);
    expect(titles.slice(0, 4)).toEqual(['Sourced', 'Screen', 'Interview', 'Offer']);
    expect(titles).toContain('Unmapped'); // the fake leaves "Onsite" unmapped
    const rejected = within(column('Rejected')).getByRole('button', { name: /Rejected/ });
    expect(rejected).toHaveAttribute('aria-expanded', 'false');
    expect(within(column('Rejected')).queryAllByTestId('board-card')).toHaveLength(0);
    await fireEvent.click(rejected);
    expect(within(column('Rejected')).getAllByTestId('board-card').length).toBeGreaterThan(0);
  });

  it('moves a card at once with a pending badge, then shows it sent', async () => {
    const cid = await openBoard();
    const card = cardIn('Screen');
    const id = card.dataset.application!;
    const release = backend!.hold('moveApplication');
    await moveByKeyboard(card, 'Interview');
    // Before the core has answered: already in Interview, pending.
    expect(within(column('Interview')).getAllByTestId('board-card').some((c) => c.dataset.application === id)).toBe(true);
    expect(within(cardById(id)).getByTestId('card-badge')).toHaveTextContent('Pending');
    release();
    await waitFor(() => expect(within(cardById(id)).getByTestId('card-badge')).toHaveTextContent('Sent'));
    expect(backend!.calls).toContainEqual(['moveApplication', [cid, id, 'Interview']]);
    expect(column('Interview').contains(cardById(id))).toBe(true);
  });

  it('keeps the keyboard focus on the moved card, in its new column', async () => {
    await openBoard();
    const id = cardIn('Screen').dataset.application!;
    await moveByKeyboard(cardIn('Screen'), 'Interview');
    await waitFor(() => expect(within(cardById(id)).getByRole('button', { name: 'Move to…' })).toHaveFocus());
    expect(column('Interview').contains(cardById(id))).toBe(true);
  });

  it('keeps a moved card where it went when an older board answer arrives late', async () => {
    const cid = await openBoard();
    const id = cardIn('Screen').dataset.application!;
    const boards = () => backend!.calls.filter(([c]) => c === 'jobBoard').length;
    const before = boards();
    // A reload starts (a push with nothing to send still says the data changed) and hangs…
    const answer = backend!.hold('jobBoard');
    await backend!.pushNow(cid);
    await waitFor(() => expect(boards()).toBe(before + 1));
    // …the recruiter moves a card meanwhile, and only then does the older answer arrive.
    const move = backend!.hold('moveApplication');
    await moveByKeyboard(cardById(id), 'Interview');
    answer();
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    expect(column('Interview').contains(cardById(id))).toBe(true);
    expect(within(cardById(id)).getByTestId('card-badge')).toHaveTextContent('Pending');
    move();
    await waitFor(() => expect(within(cardById(id)).getByTestId('card-badge')).toHaveTextContent('Sent'));
    expect(column('Interview').contains(cardById(id))).toBe(true);
  });

  it('a reload overtaken by a newer one never puts an older board back', async () => {
    await openBoard();
    const id = cardIn('Screen').dataset.application!;
    const boards = () => backend!.calls.filter(([c]) => c === 'jobBoard').length;
    const before = boards();
    const first = backend!.hold('jobBoard');
    const second = backend!.hold('jobBoard');
    await moveByKeyboard(cardById(id), 'Interview');
    // The move's reload and the push's are both in flight; the first answers, overtaken.
    await waitFor(() => expect(boards()).toBe(before + 2));
    first();
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
    expect(column('Interview').contains(cardById(id))).toBe(true);
    second();
    await waitFor(() => expect(within(cardById(id)).getByTestId('card-badge')).toHaveTextContent('Sent'));
    expect(column('Interview').contains(cardById(id))).toBe(true);
  });

  it('rolls a refused move back and says why on the card', async () => {
    await openBoard();
    const card = cardIn('Screen');
    const id = card.dataset.application!;
    const release = backend!.hold('moveApplication');
    // Nothing maps to Sourced: the core refuses the move.
    await moveByKeyboard(card, 'Sourced');
    expect(column('Sourced').contains(cardById(id))).toBe(true);
    release();
    await waitFor(() => expect(column('Screen').contains(cardById(id))).toBe(true));
    expect(within(cardById(id)).getByTestId('card-error')).toHaveTextContent(/maps to "Sourced", so the move has nowhere to land/);
    await waitFor(() => expect(within(cardById(id)).getByRole('button', { name: 'Move to…' })).toHaveFocus());
    expect(within(cardById(id)).queryByTestId('card-badge')).not.toBeInTheDocument();
  });

  it('shows a conflict with both stages; "Apply mine" queues it again and it is sent', async () => {
    const cid = await openBoard();
    const id = cardIn('Screen').dataset.application!;
    backend!.moveInAts(cid, id, 'Offer');
    await moveByKeyboard(cardById(id), 'Interview');
    const conflict = await waitFor(() => within(cardById(id)).getByTestId('conflict'));
    expect(conflict).toHaveTextContent('ATSOffer');
    expect(conflict).toHaveTextContent('YoursTechnical Interview');
    await fireEvent.click(within(conflict).getByRole('button', { name: 'Apply mine' }));
    const row = (await backend!.outbox(cid)).find((r) => r.application_remote_id === id)!;
    expect(backend!.calls).toContainEqual(['resolveConflict', [row.id, true]]);
    await waitFor(() => expect(within(cardById(id)).getByTestId('card-badge')).toHaveTextContent('Sent'));
    expect(column('Interview').contains(cardById(id))).toBe(true);
  });

  it('"Keep ATS" drops the change and the card shows where the ATS has it', async () => {
    const cid = await openBoard();
    const id = cardIn('Screen').dataset.application!;
    backend!.moveInAts(cid, id, 'Offer');
    await moveByKeyboard(cardById(id), 'Interview');
    const conflict = await waitFor(() => within(cardById(id)).getByTestId('conflict'));
    await fireEvent.click(within(conflict).getByRole('button', { name: 'Keep ATS' }));
    await waitFor(() => expect(column('Offer').contains(cardById(id))).toBe(true));
    expect(within(cardById(id)).queryByTestId('conflict')).not.toBeInTheDocument();
    expect(await backend!.outbox(cid)).toEqual([]);
  });

  it('counts unsent changes in the sidebar and lists them with Push now', async () => {
    const cid = await openBoard();
    const id = cardIn('Screen').dataset.application!;
    backend!.moveInAts(cid, id, 'Offer');
    await moveByKeyboard(cardById(id), 'Interview');
    await waitFor(() => expect(screen.getByTestId('pending-changes')).toHaveTextContent('1'));
    await fireEvent.click(screen.getByTestId('pending-changes'));
    const dialog = await screen.findByRole('dialog', { name: 'Changes for the ATS' });
    expect(within(dialog).getByTestId('outbox-list')).toHaveTextContent(/conflict/);
    expect(within(dialog).getByTestId('outbox-list')).toHaveTextContent(/moved to Offer in the ATS/);
  });
});

describe('job board: drag and drop', () => {
  it('a card dropped on another column moves at once with a pending badge through moveApplication, then is sent', async () => {
    const cid = await openBoard();
    const id = cardIn('Screen').dataset.application!;
    // The zones add no tab stops (the "Move to…" menu is the keyboard path).
    expect(zone('Screen')).toHaveAttribute('tabindex', '-1');
    expect(cardById(id).parentElement).toHaveAttribute('tabindex', '-1');
    const release = backend!.hold('moveApplication');
    const dragged = await startDrag(cid, 'Screen', id);
    // The library drops into Interview: finalize on the target (holding the card), then on the origin.
    const target = [...(await items(cid, 'Interview')), dragged];
    const origin = (await items(cid, 'Screen')).filter((i) => i.id !== id);
    await dnd(zone('Interview'), 'finalize', { items: target, info: { trigger: TRIGGERS.DROPPED_INTO_ZONE, id, source: SOURCES.POINTER } });
    await dnd(zone('Screen'), 'finalize', { items: origin, info: { trigger: TRIGGERS.DROPPED_INTO_ANOTHER, id, source: SOURCES.POINTER } });
    // Before the core has answered: in Interview, pending, and nowhere else.
    expect(column('Interview').contains(cardById(id))).toBe(true);
    expect(screen.getAllByTestId('board-card').filter((c) => c.dataset.application === id)).toHaveLength(1);
    expect(within(cardById(id)).getByTestId('card-badge')).toHaveTextContent('Pending');
    expect(backend!.calls.filter(([c]) => c === 'moveApplication')).toEqual([['moveApplication', [cid, id, 'Interview']]]);
    release();
    await waitFor(() => expect(within(cardById(id)).getByTestId('card-badge')).toHaveTextContent('Sent'));
    expect(column('Interview').contains(cardById(id))).toBe(true);
  });

  it('a drop refused by the core rolls back like a menu move', async () => {
    const cid = await openBoard();
    const id = cardIn('Screen').dataset.application!;
    const dragged = await startDrag(cid, 'Screen', id);
    // Nothing maps to Sourced: the core refuses the move.
    const target = [...(await items(cid, 'Sourced')), dragged];
    await dnd(zone('Sourced'), 'finalize', { items: target, info: { trigger: TRIGGERS.DROPPED_INTO_ZONE, id, source: SOURCES.POINTER } });
    await waitFor(() => expect(column('Screen').contains(cardById(id))).toBe(true));
    expect(within(cardById(id)).getByTestId('card-error')).toHaveTextContent(/so the move has nowhere to land/);
  });

  it('during a drag, Unmapped, Rejected and Hired say they take no drop; a drop on Unmapped does nothing', async () => {
    const cid = await openBoard();
    const id = cardIn('Screen').dataset.application!;
    const dragged = await startDrag(cid, 'Screen', id);
    for (const stage of ['Unmapped', 'Rejected', 'Hired']) {
      expect(column(stage)).toHaveClass('no-drop');
      expect(within(column(stage)).getByTestId('no-drop')).toHaveTextContent('Cards move only into pipeline stages.');
    }
    for (const stage of ['Sourced', 'Screen', 'Interview', 'Offer']) expect(column(stage)).not.toHaveClass('no-drop');
    // The library keeps drops out of these zones; were one reported anyway, the board ignores it.
    const target = [...(await items(cid, 'Unmapped')), dragged];
    await dnd(zone('Unmapped'), 'finalize', { items: target, info: { trigger: TRIGGERS.DROPPED_INTO_ZONE, id, source: SOURCES.POINTER } });
    const origin = (await items(cid, 'Screen')).filter((i) => i.id !== id);
    await dnd(zone('Screen'), 'finalize', { items: origin, info: { trigger: TRIGGERS.DROPPED_INTO_ANOTHER, id, source: SOURCES.POINTER } });
    expect(backend!.calls.some(([c]) => c === 'moveApplication')).toBe(false);
    expect(column('Screen').contains(cardById(id))).toBe(true);
    expect(within(cardById(id)).queryByTestId('card-badge')).not.toBeInTheDocument();
    expect(column('Unmapped')).not.toHaveClass('no-drop');
    expect(within(column('Unmapped')).queryByTestId('no-drop')).not.toBeInTheDocument();
  });

  it('a keyboard drag moves the card only when it is put down, not in each column it passes', async () => {
    const cid = await openBoard();
    const id = cardIn('Screen').dataset.application!;
    const dragged = await startDrag(cid, 'Screen', id);
    const kb = (trigger: string) => ({ trigger, id, source: SOURCES.KEYBOARD });
    // Picked up (a card focused by a click, then Enter) and carried through Interview into Offer:
    // the library reports each zone it enters.
    const interview = [...(await items(cid, 'Interview')), dragged];
    await dnd(zone('Interview'), 'finalize', { items: interview, info: kb(TRIGGERS.DROPPED_INTO_ZONE) });
    const offer = [...(await items(cid, 'Offer')), dragged];
    await dnd(zone('Interview'), 'finalize', { items: interview.filter((i) => i.id !== id), info: kb(TRIGGERS.DROPPED_INTO_ANOTHER) });
    await dnd(zone('Offer'), 'finalize', { items: offer, info: kb(TRIGGERS.DROPPED_INTO_ZONE) });
    expect(backend!.calls.some(([c]) => c === 'moveApplication')).toBe(false);
    // Put down (Enter) in Offer.
    await dnd(zone('Offer'), 'consider', { items: offer, info: kb(TRIGGERS.DRAG_STOPPED) });
    expect(backend!.calls.filter(([c]) => c === 'moveApplication')).toEqual([['moveApplication', [cid, id, 'Offer']]]);
    await waitFor(() => expect(within(cardById(id)).getByTestId('card-badge')).toHaveTextContent('Sent'));
    expect(column('Offer').contains(cardById(id))).toBe(true);
  });
});

describe('job board: drag and drop with a virtualised column', () => {
  /** A board whose Screen column holds more than 40 cards (so it is a virtual list). */
  async function openBigBoard(): Promise<number> {
    backend = fake();
    const conn = backend.addConnection('greenhouse', 'Acme', { talents: 80, jobs: 40 });
    for (const ats of ['Application Review', 'Phone Screen', 'Onsite', 'Offer']) await backend.setMapping(conn.id, ats, 'Screen', null);
    const jobs = await backend.listJobs(conn.id, false);
    const job = jobs.reduce((a, b) => (b.active_applications > a.active_applications ? b : a));
    jobRemoteId = job.remote_id;
    renderApp(backend, 'jobs');
    await fireEvent.click(await screen.findByRole('button', { name: job.title }));
    await screen.findAllByTestId('board-card');
    const big = (await backend.jobBoard(conn.id, job.remote_id)).cards.filter((c) => c.stage === 'Screen');
    expect(big.length).toBeGreaterThan(40);
    return conn.id;
  }

  it('a card dragged out of a virtualised column moves like any other', async () => {
    const cid = await openBigBoard();
    // Each drawn row of the virtual list is a zone of its own card.
    const card = cardIn('Screen');
    const id = card.dataset.application!;
    const row = card.closest<HTMLElement>('.row-zone')!;
    const dragged = (await items(cid, 'Screen')).find((i) => i.id === id)!;
    await dnd(row, 'consider', { items: [{ ...dragged, isDndShadowItem: true }], info: { trigger: TRIGGERS.DRAG_STARTED, id, source: SOURCES.POINTER } });
    const release = backend!.hold('moveApplication');
    const target = [...(await items(cid, 'Interview')), dragged];
    await dnd(zone('Interview'), 'finalize', { items: target, info: { trigger: TRIGGERS.DROPPED_INTO_ZONE, id, source: SOURCES.POINTER } });
    await dnd(row, 'finalize', { items: [], info: { trigger: TRIGGERS.DROPPED_INTO_ANOTHER, id, source: SOURCES.POINTER } });
    expect(column('Interview').contains(cardById(id))).toBe(true);
    expect(within(cardById(id)).getByTestId('card-badge')).toHaveTextContent('Pending');
    expect(backend!.calls.filter(([c]) => c === 'moveApplication')).toEqual([['moveApplication', [cid, id, 'Interview']]]);
    release();
    await waitFor(() => expect(within(cardById(id)).getByTestId('card-badge')).toHaveTextContent('Sent'));
  });

  it('a virtualised column takes a drop on the slot at its top', async () => {
    const cid = await openBigBoard();
    const id = cardIn('Interview').dataset.application!;
    const dragged = await startDrag(cid, 'Interview', id);
    const slot = column('Screen').querySelector<HTMLElement>('.drop-slot')!;
    expect(slot).toHaveAttribute('aria-label', 'Move to Screen');
    await dnd(slot, 'finalize', { items: [dragged], info: { trigger: TRIGGERS.DROPPED_INTO_ZONE, id, source: SOURCES.POINTER } });
    expect(backend!.calls.filter(([c]) => c === 'moveApplication')).toEqual([['moveApplication', [cid, id, 'Screen']]]);
    // The slot is empty again; the card is in the column's list (drawn when scrolled to).
    expect(slot.children).toHaveLength(0);
    await waitFor(async () => expect((await backend!.jobBoard(cid, jobRemoteId)).cards.find((c) => c.application_remote_id === id)!.stage).toBe('Screen'));
  });
});

describe('stage mapping', () => {
  it('maps an unmapped stage with its select, shows the edit in the history, and undoes it (button and Ctrl+Z)', async () => {
    backend = fake();
    const conn = backend.addConnection('greenhouse', 'Acme', { talents: 40, jobs: 6 });
    renderApp(backend, 'connections');
    await fireEvent.click(await screen.findByTestId('stage-mapping'));
    const select = await screen.findByLabelText('Talentdeck stage for Onsite');
    await waitFor(() => expect(select).toHaveValue(''));
    const row = select.closest('tr')!;
    expect(row).toHaveClass('unmapped');
    expect(within(row).getByText(/^Unmapped/, { selector: '.mark' })).toBeInTheDocument();
    // Suggested ones are marked.
    const review = screen.getByLabelText('Talentdeck stage for Application Review').closest('tr')!;
    expect(within(review).getByText('Suggested')).toBeInTheDocument();

    await fireEvent.change(select, { target: { value: 'Interview' } });
    // The effect shows first; nothing is saved until Save (which takes the focus, so Enter saves).
    const preview = await screen.findByTestId('mapping-preview');
    const onsite = (await backend.mappings(conn.id, null)).find((r) => r.ats_stage === 'Onsite')!.applications;
    expect(onsite).toBeGreaterThan(1);
    expect(preview).toHaveTextContent(`${onsite} applications will show in Interview instead of unmapped`);
    expect(backend.calls.some(([c]) => c === 'setMapping')).toBe(false);
    expect(screen.getByTestId('mapping-save')).toHaveFocus();
    await fireEvent.click(screen.getByTestId('mapping-save'));
    expect(backend.calls).toContainEqual(['setMapping', [conn.id, 'Onsite', 'Interview', null]]);
    await waitFor(() => expect(screen.queryByTestId('mapping-preview')).not.toBeInTheDocument());
    await waitFor(() => expect(screen.getByTestId('mapping-history')).toHaveTextContent('Onsite: Unmapped → Interview'));
    expect(screen.getByLabelText('Talentdeck stage for Onsite')).toHaveValue('Interview');
    expect(screen.getByLabelText('Talentdeck stage for Onsite').closest('tr')).not.toHaveClass('unmapped');

    await fireEvent.change(screen.getByLabelText('Talentdeck stage for Offer'), { target: { value: 'Hired' } });
    await fireEvent.click(await screen.findByTestId('mapping-save'));
    await waitFor(() => expect(screen.getByTestId('mapping-history')).toHaveTextContent('Offer: Offer → Hired'));

    await fireEvent.click(screen.getByTestId('undo-mapping'));
    await waitFor(() => expect(screen.getByLabelText('Talentdeck stage for Offer')).toHaveValue('Offer'));
    expect(screen.getByTestId('mapping-history')).not.toHaveTextContent('Offer: Offer → Hired');

    await fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    await waitFor(() => expect(screen.getByLabelText('Talentdeck stage for Onsite')).toHaveValue(''));
    expect(backend.calls.filter(([c]) => c === 'undoMapping')).toHaveLength(2);
    expect(screen.queryByTestId('mapping-history')).not.toBeInTheDocument();

    // Redo (Shift+Ctrl+Z, then the button) brings back the undone edits, the one undone last first.
    await fireEvent.keyDown(window, { key: 'Z', ctrlKey: true, shiftKey: true });
    await waitFor(() => expect(screen.getByLabelText('Talentdeck stage for Onsite')).toHaveValue('Interview'));
    expect(screen.getByLabelText('Talentdeck stage for Offer')).toHaveValue('Offer');
    await fireEvent.click(screen.getByTestId('redo-mapping'));
    await waitFor(() => expect(screen.getByLabelText('Talentdeck stage for Offer')).toHaveValue('Hired'));
    expect(backend.calls.filter(([c]) => c === 'redoMapping')).toHaveLength(2);
    expect(screen.getByTestId('redo-mapping')).toBeDisabled();
  });

  it('Cancel (or Escape) drops a previewed change, and a new edit after an undo ends the redo', async () => {
    backend = fake();
    const conn = backend.addConnection('greenhouse', 'Acme', { talents: 40, jobs: 6 });
    renderApp(backend, 'connections');
    await fireEvent.click(await screen.findByTestId('stage-mapping'));
    const select = await screen.findByLabelText('Talentdeck stage for Phone Screen');
    await waitFor(() => expect(select).toHaveValue('Screen'));
    await fireEvent.change(select, { target: { value: 'Offer' } });
    expect(await screen.findByTestId('mapping-preview')).toHaveTextContent(/will show in Offer instead of Screen/);
    await fireEvent.click(screen.getByTestId('mapping-cancel'));
    await waitFor(() => expect(select).toHaveValue('Screen'));
    await fireEvent.change(select, { target: { value: 'Offer' } });
    await screen.findByTestId('mapping-preview');
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('mapping-preview')).not.toBeInTheDocument());
    expect(select).toHaveValue('Screen');
    expect(backend.calls.some(([c]) => c === 'setMapping')).toBe(false);

    await fireEvent.change(select, { target: { value: 'Offer' } });
    await fireEvent.click(await screen.findByTestId('mapping-save'));
    await waitFor(() => expect(screen.getByTestId('mapping-history')).toHaveTextContent('Phone Screen: Screen → Offer'));
    await fireEvent.click(screen.getByTestId('undo-mapping'));
    await waitFor(() => expect(screen.getByTestId('redo-mapping')).toBeEnabled());
    await fireEvent.change(screen.getByLabelText('Talentdeck stage for Onsite'), { target: { value: 'Interview' } });
    await fireEvent.click(await screen.findByTestId('mapping-save'));
    await waitFor(() => expect(screen.getByTestId('redo-mapping')).toBeDisabled());
    await expect(backend.redoMapping(conn.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('groups the ATS stages by pipeline template, lists its jobs, and sets a per-job override from the group', async () => {
    backend = fake();
    const conn = backend.addConnection('greenhouse', 'Acme', { talents: 40, jobs: 6 });
    const jobs = await backend.listJobs(conn.id, false);
    renderApp(backend, 'connections');
    await fireEvent.click(await screen.findByTestId('stage-mapping'));
    // Every fake job has the same pipeline: one group listing them all.
    const group = await screen.findByTestId('stage-group');
    await waitFor(() => expect(within(group).getByTestId('group-jobs')).toHaveTextContent(jobs[0].title));
    for (const j of jobs) expect(within(group).getByTestId('group-jobs')).toHaveTextContent(j.title);
    const pipelines = await backend.jobPipelines(conn.id);
    const onsite = pipelines.reduce((n, p) => n + p.stages.find((s) => s.name === 'Onsite')!.applications, 0);
    const row = screen.getByLabelText('Talentdeck stage for Onsite').closest('tr')!;
    expect(row).toHaveTextContent(`Unmapped: ${onsite} on no board column`);

    const job = pipelines.find((p) => p.stages.find((s) => s.name === 'Onsite')!.applications > 0)!;
    const mine = job.stages.find((s) => s.name === 'Onsite')!.applications;
    const perJob = within(row).getByLabelText(`Talentdeck stage for Onsite in ${job.job_title}`);
    await fireEvent.change(perJob, { target: { value: 'Offer' } });
    expect(await screen.findByTestId('mapping-preview')).toHaveTextContent(
      `${mine} application${mine === 1 ? '' : 's'} of ${job.job_title} will show in Offer instead of unmapped`,
    );
    await fireEvent.click(screen.getByTestId('mapping-save'));
    expect(backend.calls).toContainEqual(['setMapping', [conn.id, 'Onsite', 'Offer', job.job_remote_id]]);
    await waitFor(() => expect(within(row).getByText('This job differs (1)')).toBeInTheDocument());
    const board = await backend.jobBoard(conn.id, job.job_remote_id!);
    expect(board.cards.filter((c) => c.status === 'active' && c.ats_stage_name === 'Onsite').every((c) => c.stage === 'Offer')).toBe(true);
    // Connection-wide, that job's applications no longer count: its override keeps them in Offer.
    await fireEvent.change(screen.getByLabelText('Talentdeck stage for Onsite'), { target: { value: 'Interview' } });
    expect(await screen.findByTestId('mapping-preview')).toHaveTextContent(`${onsite - mine} applications will show in Interview`);
  });

  it("edits Talentdeck's pipeline: add after a stage, rename, remove asking where the mappings go", async () => {
    backend = fake();
    const conn = backend.addConnection('greenhouse', 'Acme', { talents: 40, jobs: 6 });
    renderApp(backend, 'connections');
    await fireEvent.click(await screen.findByTestId('stage-mapping'));
    const editor = await screen.findByTestId('pipeline-editor');
    await waitFor(() => expect(within(editor).getAllByTestId('pipeline-stage')).toHaveLength(6));

    await fireEvent.input(screen.getByLabelText('New stage name'), { target: { value: 'Phone Call' } });
    await fireEvent.change(screen.getByLabelText('Add the new stage after'), { target: { value: 'Screen' } });
    await fireEvent.click(screen.getByTestId('add-stage'));
    expect(backend.calls).toContainEqual(['addPipelineStage', ['Phone Call', 'Screen']]);
    const order = () => within(editor).getAllByTestId('pipeline-stage').map((li) => li.dataset.stage);
    await waitFor(() => expect(order()).toEqual(['Sourced', 'Screen', 'Phone Call', 'Interview', 'Offer', 'Hired', 'Rejected']));
    // The new stage is a target at once.
    expect(within(screen.getByLabelText('Talentdeck stage for Phone Screen')).getByRole('option', { name: 'Phone Call' })).toBeInTheDocument();

    // Rename Screen: the mappings follow it.
    await fireEvent.click(within(editor).getByRole('button', { name: 'Rename Screen' }));
    await fireEvent.input(within(editor).getByLabelText('New name for Screen'), { target: { value: 'Recruiter Screen' } });
    await fireEvent.click(within(editor).getByRole('button', { name: 'Rename' }));
    expect(backend.calls).toContainEqual(['renamePipelineStage', ['Screen', 'Recruiter Screen']]);
    await waitFor(() => expect(screen.getByLabelText('Talentdeck stage for Phone Screen')).toHaveValue('Recruiter Screen'));

    // Remove it: asked where its mappings go (the stage before it is offered first).
    await fireEvent.click(within(editor).getByRole('button', { name: 'Remove Recruiter Screen' }));
    const into = within(editor).getByLabelText('Stage that takes the mappings of Recruiter Screen');
    expect(into).toHaveValue('Sourced');
    await fireEvent.change(into, { target: { value: 'Phone Call' } });
    await fireEvent.click(within(editor).getByRole('button', { name: 'Remove' }));
    expect(backend.calls).toContainEqual(['removePipelineStage', ['Recruiter Screen', 'Phone Call']]);
    await waitFor(() => expect(screen.getByLabelText('Talentdeck stage for Phone Screen')).toHaveValue('Phone Call'));
    expect(order()).not.toContain('Recruiter Screen');

    // The core's refusal shows as it says: the only Rejected stage cannot go.
    await fireEvent.click(within(editor).getByRole('button', { name: 'Remove Rejected' }));
    await fireEvent.click(within(editor).getByRole('button', { name: 'Remove' }));
    // (Not `findByRole('alert')`: svelte-dnd-action keeps a live region of that role while zones exist.)
    expect(await screen.findByText(/only rejected stage/)).toHaveAttribute('role', 'alert');
    expect((await backend.mappings(conn.id, null)).length).toBeGreaterThan(0);
  });

  it('"Accept suggestions" fills the unmapped stage with the suggestion', async () => {
    backend = fake();
    const conn = backend.addConnection('greenhouse', 'Acme', { talents: 40, jobs: 6 });
    renderApp(backend, 'connections');
    await fireEvent.click(await screen.findByTestId('stage-mapping'));
    await waitFor(() => expect(screen.getByLabelText('Talentdeck stage for Onsite')).toHaveValue(''));
    await fireEvent.click(screen.getByTestId('accept-suggestions'));
    expect(backend.calls).toContainEqual(['suggestMappings', [conn.id, true]]);
    await waitFor(() => expect(screen.getByLabelText('Talentdeck stage for Onsite')).toHaveValue('Interview'));
  });
});
