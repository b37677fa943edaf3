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

const pointer = (trigger: string, id: string) => ({ trigger, id, source: SOURCES.POINTER });

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
