// The stage-mapping editor's drag paths: an ATS stage dropped on a Talentdeck stage (mouse or
// keyboard, through svelte-dnd-action) previews and saves like the select; a drop anywhere else
// maps nothing. And Talentdeck's pipeline reordered by drag, keyboard and buttons.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { SOURCES, TRIGGERS } from 'svelte-dnd-action';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeBackend } from '../lib/fake/fake-backend';
import { fake, renderApp } from './helpers';

let backend: FakeBackend | undefined;
afterEach(() => backend?.dispose());

const tick = () => new Promise((r) => setTimeout(r, 0));

/** Opens a Greenhouse connection's stage mapping; returns the connection id. */
async function openMapping(): Promise<number> {
  backend = fake();
  const conn = backend.addConnection('greenhouse', 'Acme', { talents: 40, jobs: 6 });
  renderApp(backend, 'connections');
  await fireEvent.click(await screen.findByTestId('stage-mapping'));
  await waitFor(() => expect(screen.getByLabelText('Talentdeck stage for Onsite')).toHaveValue(''));
  await waitFor(() => expect(screen.getAllByTestId('map-target')).toHaveLength(6));
  return conn.id;
}

/** The zone holding an ATS stage's chip (left side). */
function atsZone(stage: string): HTMLElement {
  return screen.getByLabelText(`ATS stage ${stage}`);
}

/** A Talentdeck stage's drop zone (right side). */
function target(stage: string): HTMLElement {
  return screen.getByLabelText(`Map to ${stage}`);
}

/** What the library dispatches on a zone (its docs: hosts react to `consider` and `finalize`). */
async function dnd(el: HTMLElement, event: 'consider' | 'finalize', detail: { items: unknown[]; info: object }) {
  el.dispatchEvent(new CustomEvent(event, { detail }));
  await tick();
}

/** A pointer drag of an ATS stage's chip, as the library reports its start; returns its item. */
async function startDrag(stage: string): Promise<{ id: string; atsStage: string }> {
  const zone = atsZone(stage);
  const item = { id: zone.dataset.zone!, atsStage: stage };
  await dnd(zone, 'consider', { items: [{ ...item, isDndShadowItem: true }], info: { trigger: TRIGGERS.DRAG_STARTED, id: item.id, source: SOURCES.POINTER } });
  return item;
}

const pointer = (trigger: string, id: string | number) => ({ trigger, id, source: SOURCES.POINTER });

describe('stage mapping: drag an ATS stage onto a Talentdeck stage', () => {
  it('a drop previews the change like the select, and Save maps that stage with one setMapping', async () => {
    const cid = await openMapping();
    const onsite = (await backend!.mappings(cid, null)).find((r) => r.ats_stage === 'Onsite')!.applications;
    const item = await startDrag('Onsite');
    expect(screen.getByTestId('drop-hint')).toBeInTheDocument();
    // The library drops into Interview: finalize on the target (holding the stage), then on the origin.
    await dnd(target('Interview'), 'finalize', { items: [item], info: pointer(TRIGGERS.DROPPED_INTO_ZONE, item.id) });
    await dnd(atsZone('Onsite'), 'finalize', { items: [], info: pointer(TRIGGERS.DROPPED_INTO_ANOTHER, item.id) });

    const preview = await screen.findByTestId('mapping-preview');
    expect(preview).toHaveTextContent(`${onsite} applications will show in Interview instead of unmapped`);
    expect(screen.getByLabelText('Talentdeck stage for Onsite')).toHaveValue('Interview');
    expect(backend!.calls.some(([c]) => c === 'setMapping')).toBe(false);
    // The chip is back on the left; the hint is gone.
    expect(within(atsZone('Onsite')).getByTestId('ats-chip')).toHaveTextContent('Onsite');
    expect(screen.queryByTestId('drop-hint')).not.toBeInTheDocument();

    await waitFor(() => expect(screen.getByTestId('mapping-save')).toHaveFocus());
    await fireEvent.click(screen.getByTestId('mapping-save'));
    expect(backend!.calls).toContainEqual(['setMapping', [cid, 'Onsite', 'Interview', null]]);
    await waitFor(() => expect(screen.getByTestId('mapping-history')).toHaveTextContent('Onsite: Unmapped → Interview'));
    // The target lists what maps to it now; Undo takes the drop back like any edit.
    await waitFor(() => expect(screen.getAllByTestId('map-target').find((t) => t.dataset.stage === 'Interview')).toHaveTextContent(/Onsite/));
    await fireEvent.click(screen.getByTestId('undo-mapping'));
    await waitFor(() => expect(screen.getByLabelText('Talentdeck stage for Onsite')).toHaveValue(''));
  });

  it('a drop on something other than a Talentdeck stage maps nothing and says why', async () => {
    const cid = await openMapping();
    const item = await startDrag('Onsite');
    // The library keeps drops out of the other ATS stages; were one reported anyway, it is refused.
    await dnd(atsZone('Offer'), 'finalize', { items: [item, { id: atsZone('Offer').dataset.zone!, atsStage: 'Offer' }], info: pointer(TRIGGERS.DROPPED_INTO_ZONE, item.id) });
    await dnd(atsZone('Onsite'), 'finalize', { items: [], info: pointer(TRIGGERS.DROPPED_INTO_ANOTHER, item.id) });
    expect(await screen.findByTestId('drop-refused')).toHaveTextContent("Onsite was not mapped: drop it on one of Talentdeck's stages.");
    expect(screen.queryByTestId('mapping-preview')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Talentdeck stage for Onsite')).toHaveValue('');
    expect(within(atsZone('Offer')).getAllByTestId('ats-chip')).toHaveLength(1);

    // Dropped outside any zone, it returns where it was, quietly.
    const again = await startDrag('Onsite');
    expect(screen.queryByTestId('drop-refused')).not.toBeInTheDocument();
    await dnd(atsZone('Onsite'), 'finalize', { items: [again], info: pointer(TRIGGERS.DROPPED_OUTSIDE_OF_ANY, again.id) });
    expect(screen.queryByTestId('drop-refused')).not.toBeInTheDocument();
    expect(screen.queryByTestId('mapping-preview')).not.toBeInTheDocument();
    expect(backend!.calls.some(([c]) => c === 'setMapping')).toBe(false);
    expect((await backend!.mappings(cid, null)).find((r) => r.ats_stage === 'Onsite')!.stage).toBeNull();
  });

  it('by keyboard through the library: Space picks the stage up, Tab carries it to a Talentdeck stage, Space drops it', async () => {
    const cid = await openMapping();
    const chip = within(atsZone('Phone Screen')).getByTestId('ats-chip');
    chip.focus();
    await fireEvent.keyDown(chip, { key: ' ' });
    // During a keyboard drag the library makes the Talentdeck stages focusable (Tab reaches them).
    await waitFor(() => expect(target('Offer').tabIndex).toBe(0));
    target('Offer').focus();
    await tick();
    const carried = within(target('Offer')).getByLabelText('Phone Screen');
    await waitFor(() => expect(carried).toHaveFocus());
    await fireEvent.keyDown(carried, { key: ' ' });
    expect(await screen.findByTestId('mapping-preview')).toHaveTextContent(/will show in Offer instead of Screen/);
    await waitFor(() => expect(screen.getByTestId('mapping-save')).toHaveFocus());
    await fireEvent.click(screen.getByTestId('mapping-save'));
    expect(backend!.calls).toContainEqual(['setMapping', [cid, 'Phone Screen', 'Offer', null]]);
    await waitFor(() => expect(screen.getByLabelText('Talentdeck stage for Phone Screen')).toHaveValue('Offer'));
  });
});

describe("stage mapping: reorder Talentdeck's pipeline", () => {
  const editor = () => screen.getByTestId('pipeline-editor');
  const order = () => within(editor()).getAllByTestId('pipeline-stage').map((li) => li.dataset.stage);
  const stageEl = (name: string) => within(editor()).getAllByTestId('pipeline-stage').find((li) => li.dataset.stage === name)!;
  const reorders = () => backend!.calls.filter(([c]) => c === 'reorderPipelineStages').map(([, args]) => args[0]);
  const INITIAL = ['Sourced', 'Screen', 'Interview', 'Offer', 'Hired', 'Rejected'];

  it('Move up/down buttons send the whole new order by id; the drop targets and the core follow', async () => {
    await openMapping();
    expect(order()).toEqual(INITIAL);
    expect(within(stageEl('Sourced')).getByRole('button', { name: 'Move Sourced up' })).toBeDisabled();
    expect(within(stageEl('Rejected')).getByRole('button', { name: 'Move Rejected down' })).toBeDisabled();

    await fireEvent.click(within(stageEl('Screen')).getByRole('button', { name: 'Move Screen down' }));
    expect(reorders()).toEqual([[1, 3, 2, 4, 5, 6]]);
    expect(order()).toEqual(['Sourced', 'Interview', 'Screen', 'Offer', 'Hired', 'Rejected']);
    // The focus stays on the button, which keeps moving the same stage.
    await waitFor(() => expect(within(stageEl('Screen')).getByRole('button', { name: 'Move Screen down' })).toHaveFocus());
    await waitFor(async () => expect((await backend!.pipeline()).map((p) => p.name)).toEqual(order()));
    expect(screen.getAllByTestId('map-target').map((t) => t.dataset.stage)).toEqual(order());

    await fireEvent.click(within(stageEl('Interview')).getByRole('button', { name: 'Move Interview up' }));
    expect(reorders()[1]).toEqual([3, 1, 2, 4, 5, 6]);
    await waitFor(() => expect(order()).toEqual(['Interview', 'Sourced', 'Screen', 'Offer', 'Hired', 'Rejected']));
    // At the top its Move up is disabled: the focus goes to the stage itself.
    await waitFor(() => expect(stageEl('Interview')).toHaveFocus());
  });

  it('Alt+ArrowUp/Down on a focused stage moves it and keeps the focus on it', async () => {
    await openMapping();
    stageEl('Offer').focus();
    await fireEvent.keyDown(stageEl('Offer'), { key: 'ArrowUp', altKey: true });
    expect(reorders()).toEqual([[1, 2, 4, 3, 5, 6]]);
    expect(order()).toEqual(['Sourced', 'Screen', 'Offer', 'Interview', 'Hired', 'Rejected']);
    await waitFor(() => expect(stageEl('Offer')).toHaveFocus());
    await fireEvent.keyDown(stageEl('Offer'), { key: 'ArrowDown', altKey: true });
    expect(reorders()[1]).toEqual([1, 2, 3, 4, 5, 6]);
    await waitFor(() => expect(order()).toEqual(INITIAL));
    // Without Alt, arrows are the page's (scrolling): nothing moves.
    await fireEvent.keyDown(stageEl('Offer'), { key: 'ArrowUp' });
    expect(reorders()).toHaveLength(2);
  });

  it('shows the new order at once and puts the old one back, with the reason, when the core refuses it', async () => {
    await openMapping();
    const release = backend!.hold('reorderPipelineStages');
    backend!.fail('reorderPipelineStages', { code: 'validation', message: 'the pipeline changed meanwhile; reload and try again' });
    await fireEvent.click(within(stageEl('Hired')).getByRole('button', { name: 'Move Hired up' }));
    // Optimistic: moved before the core answers.
    expect(order()).toEqual(['Sourced', 'Screen', 'Interview', 'Hired', 'Offer', 'Rejected']);
    expect(screen.getAllByTestId('map-target').map((t) => t.dataset.stage)).toEqual(order());
    release();
    await waitFor(() => expect(order()).toEqual(INITIAL));
    expect(await screen.findByText('the pipeline changed meanwhile; reload and try again')).toHaveAttribute('role', 'alert');
    expect((await backend!.pipeline()).map((p) => p.name)).toEqual(INITIAL);
  });

  it('a drag reorders: a pointer drop sends the order the library reports; a keyboard drag (Space, arrows, Space) too', async () => {
    await openMapping();
    const byName = async () => new Map((await backend!.pipeline()).map((p) => [p.name, p]));
    const stages = await byName();
    const items = (names: string[]) => names.map((n) => stages.get(n)!);
    // Pointer: the library reports the zone's items in their new order on finalize.
    const dragged = items(['Screen', 'Sourced', 'Interview', 'Offer', 'Hired', 'Rejected']);
    await dnd(editor(), 'consider', { items: dragged, info: pointer(TRIGGERS.DRAGGED_OVER_INDEX, stages.get('Screen')!.id) });
    expect(reorders()).toHaveLength(0);
    await dnd(editor(), 'finalize', { items: dragged, info: pointer(TRIGGERS.DROPPED_INTO_ZONE, stages.get('Screen')!.id) });
    expect(reorders()).toEqual([[2, 1, 3, 4, 5, 6]]);
    await waitFor(() => expect(order()).toEqual(['Screen', 'Sourced', 'Interview', 'Offer', 'Hired', 'Rejected']));

    // Keyboard, through the library itself: each arrow moves the stage, only the final Space saves.
    const offer = stageEl('Offer');
    offer.focus();
    await fireEvent.keyDown(offer, { key: ' ' });
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    await tick();
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    await tick();
    expect(order()).toEqual(['Screen', 'Sourced', 'Interview', 'Hired', 'Rejected', 'Offer']);
    expect(reorders()).toHaveLength(1);
    await fireEvent.keyDown(document.activeElement!, { key: ' ' });
    expect(reorders()[1]).toEqual([2, 1, 3, 5, 6, 4]);
    await waitFor(async () => expect((await backend!.pipeline()).map((p) => p.name)).toEqual(['Screen', 'Sourced', 'Interview', 'Hired', 'Rejected', 'Offer']));
  });
});
