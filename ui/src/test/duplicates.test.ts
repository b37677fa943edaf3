// The Duplicates view and the profile's duplicate links, against the fake backend: evidence shown
// as strong or weak, "Not a duplicate" remembered by the core (not just hidden on screen), "Same
// person" turning a suggestion into a link the profile shows.
import { render, screen, waitFor, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { fake, renderApp } from './helpers';
import type { FakeBackend } from '../lib/fake/fake-backend';
import DuplicateLinksHarness from './DuplicateLinksHarness.svelte';

let backend: FakeBackend | undefined;
afterEach(() => backend?.dispose());

/** Two connections: Ann twice (Gmail spelled two ways, phone in two formats), Bo twice (name and company only). */
function seeded() {
  const b = fake();
  const gh = b.addConnection('greenhouse', 'Acme GH', { talents: 0, awkward: false });
  const lv = b.addConnection('lever', 'Acme Lever', { talents: 0, awkward: false });
  const ann1 = b.addTalent(gh.id, { name: 'Ann Lee', emails: ['Ann.Lee+jobs@googlemail.com'], phones: ['+44 20 7946 0123'] });
  const ann2 = b.addTalent(lv.id, { name: 'Ann Lee', emails: ['annlee@gmail.com'], phones: ['+44 (0)20 7946-0123'] });
  const bo1 = b.addTalent(gh.id, { name: 'Bo Lind', company: 'Initech', emails: ['bo@home.example'] });
  const bo2 = b.addTalent(lv.id, { name: 'bo  lind', company: 'INITECH', emails: ['bo.lind@work.example'] });
  b.addTalent(lv.id, { name: 'Cy Oh', emails: ['cy+cv@example.com'] });
  b.addTalent(gh.id, { name: 'Cy Oh', emails: ['cy@example.com'] });
  return { b, ann1, ann2, bo1, bo2 };
}

describe('Duplicates view', () => {
  it('lists pairs with their evidence, strong first, the name-and-company hint marked weak', async () => {
    const s = seeded();
    backend = s.b;
    renderApp(backend, 'duplicates');
    const pairs = await screen.findAllByTestId('duplicate-pair');
    // A +tag outside Gmail is another mailbox: Cy's records are not suggested.
    expect(pairs).toHaveLength(2);
    const [ann, bo] = pairs;
    expect(ann).toHaveTextContent('Ann Lee');
    expect(within(ann).getByTestId('strength')).toHaveTextContent('Likely duplicate');
    expect(within(ann).getAllByTestId('evidence').map((e) => e.textContent?.trim())).toEqual([
      'same e-mail: annlee@gmail.com',
      'same phone: +442079460123',
    ]);
    expect(ann).toHaveTextContent('Acme GH · Greenhouse');
    expect(ann).toHaveTextContent('Acme Lever · Lever');
    expect(within(bo).getByTestId('strength')).toHaveTextContent('Weak hint');
    expect(within(bo).getAllByTestId('evidence').map((e) => e.textContent?.trim())).toEqual(['same name and company (weak)']);

    // Strong only hides the weak pair.
    await userEvent.setup().selectOptions(screen.getByLabelText('Show'), 'strong');
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(1));
  });

  it('"Not a duplicate" is remembered by the core: the pair stays gone in a new window and after the data changes', async () => {
    const user = userEvent.setup();
    const s = seeded();
    backend = s.b;
    const first = renderApp(backend, 'duplicates');
    await screen.findAllByTestId('duplicate-pair');
    await user.click(screen.getByRole('button', { name: 'Not a duplicate: Ann Lee and Ann Lee' }));
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(1));
    expect(backend.calls).toContainEqual(['markNotDuplicate', [s.ann1.id, s.ann2.id]]);
    first.unmount();

    // A fresh window asks the core again: still one pair, Bo's.
    renderApp(backend, 'duplicates');
    await waitFor(() => expect(backend!.calls.filter(([c]) => c === 'duplicates').length).toBeGreaterThanOrEqual(3));
    const pairs = await screen.findAllByTestId('duplicate-pair');
    expect(pairs).toHaveLength(1);
    expect(pairs[0]).toHaveTextContent('Bo Lind');
    // A talent added later (as a sync would) brings a new pair; the dismissed one stays away.
    backend.addTalent(s.ann1.connection_id, { name: 'Ann L.', emails: ['ann.lee@gmail.com'] });
    expect((await backend.duplicatesOf(s.ann1.id)).map((d) => d.other.name)).toEqual(['Ann L.']);
  });

  it('"Same person" links the records; the profile lists the link and opens the other record', async () => {
    const user = userEvent.setup();
    const s = seeded();
    backend = s.b;
    renderApp(backend, 'duplicates');
    await screen.findAllByTestId('duplicate-pair');
    await user.click(screen.getByRole('button', { name: 'Same person: Bo Lind and bo lind' }));
    await waitFor(() => expect(screen.getAllByTestId('duplicate-pair')).toHaveLength(1));
    expect(backend.calls).toContainEqual(['linkSamePerson', [s.bo1.id, s.bo2.id]]);

    const opened: number[] = [];
    render(DuplicateLinksHarness, { props: { backend, talentId: s.bo1.id, onopen: (id: number) => opened.push(id) } });
    const links = await screen.findByTestId('duplicate-links');
    expect(links).toHaveTextContent('Same person as bo lind (Acme Lever) — same name and company (weak hint)');
    await user.click(within(links).getByRole('button', { name: 'bo lind (Acme Lever)' }));
    expect(opened).toEqual([s.bo2.id]);
  });

  it('the profile says why a record is a possible duplicate, and says nothing when there is none', async () => {
    const s = seeded();
    backend = s.b;
    render(DuplicateLinksHarness, { props: { backend, talentId: s.ann2.id, onopen: () => {} } });
    expect(await screen.findByTestId('duplicate-links')).toHaveTextContent(
      'Possible duplicate of Ann Lee (Acme GH) — same e-mail and phone',
    );
    const lone = backend.addTalent(s.ann1.connection_id, { name: 'Dee Solo', emails: ['dee@solo.example'] });
    render(DuplicateLinksHarness, { props: { backend, talentId: lone.id, onopen: () => {} } });
    await waitFor(() => expect(backend!.calls).toContainEqual(['duplicatesOf', [lone.id]]));
    expect(screen.getAllByTestId('duplicate-links')).toHaveLength(1);
  });

  it('search shows records linked as the same person once, the newest, with "+1 record"', async () => {
    const user = userEvent.setup();
    const s = seeded();
    backend = s.b;
    await backend.linkSamePerson(s.ann1.id, s.ann2.id);
    renderApp(backend, 'talents');
    const rows = await screen.findAllByTestId('talent-row');
    const anns = rows.filter((r) => r.textContent?.includes('Ann Lee'));
    expect(anns).toHaveLength(1);
    expect(within(anns[0]).getByTestId('linked-records')).toHaveTextContent('+1 record');
    await user.click(screen.getByTestId('nav-duplicates'));
    expect(await screen.findAllByTestId('duplicate-pair')).toHaveLength(1);
  });
});

describe('talent profile', () => {
  it('shows "possible duplicate of" and opens the other record through it', async () => {
    const user = userEvent.setup();
    const s = seeded();
    backend = s.b;
    renderApp(backend, 'talents');
    const rows = (await screen.findAllByTestId('talent-row')).filter((r) => r.textContent?.includes('Ann Lee'));
    expect(rows).toHaveLength(2);
    await user.click(within(rows[0]).getByTestId('open-profile'));
    const profile = await screen.findByTestId('talent-profile');
    const links = await within(profile).findByTestId('duplicate-links');
    expect(links).toHaveTextContent(/duplicate of Ann Lee/);
    const shown = backend.calls.filter((c) => c[0] === 'talentProfile').map((c) => c[1][0]);
    const other = shown[0] === s.ann1.id ? s.ann2.id : s.ann1.id;
    await user.click(within(links).getAllByRole('button')[0]);
    await waitFor(() => expect(backend!.calls).toContainEqual(['talentProfile', [other]]));
  });
});
