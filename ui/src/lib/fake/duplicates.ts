// The fake core's duplicate detection: the same keys as `store/duplicates.rs` (Gmail-normalised
// e-mail, phone with its country code, weak name+company), computed over the fake's talents on
// each call, and the recruiter's decisions kept in memory.

import type { DuplicateOf } from '../bindings/DuplicateOf';
import type { DuplicatePair } from '../bindings/DuplicatePair';
import type { DuplicateRecord } from '../bindings/DuplicateRecord';
import type { Evidence } from '../bindings/Evidence';
import type { Provider } from '../bindings/Provider';
import type { TalentRow } from '../bindings/TalentRow';

type Kind = Evidence['kind'];

export function emailKey(email: string): string | null {
  const e = email.trim().toLowerCase();
  const at = e.lastIndexOf('@');
  if (at <= 0 || at === e.length - 1) return null;
  const [local, domain] = [e.slice(0, at), e.slice(at + 1)];
  if (domain === 'gmail.com' || domain === 'googlemail.com') {
    const l = local.split('+')[0].replaceAll('.', '');
    return l ? `${l}@gmail.com` : null;
  }
  return e;
}

/** A simplification of E.164 (the core uses libphonenumber): only numbers with a country code. */
export function phoneKey(phone: string): string | null {
  const p = phone.trim();
  if (!p.startsWith('+')) return null;
  const digits = p.replace('(0)', '').replace(/\D/g, '');
  return digits.length >= 7 ? `+${digits}` : null;
}

export function nameCompanyKey(name: string, company: string | null): string | null {
  const fold = (s: string) => s.split(/\s+/).filter(Boolean).join(' ').toLowerCase();
  if (!company) return null;
  const [n, c] = [fold(name), fold(company)];
  return n && c ? `${n} | ${c}` : null;
}

function keysOf(t: TalentRow): [Kind, string][] {
  const keys: [Kind, string][] = [];
  for (const e of t.emails) {
    const k = emailKey(e);
    if (k) keys.push(['email', k]);
  }
  for (const p of t.phones) {
    const k = phoneKey(p);
    if (k) keys.push(['phone', k]);
  }
  const nc = nameCompanyKey(t.name, t.company);
  if (nc) keys.push(['name_company', nc]);
  return keys;
}

const pairKey = (a: number, b: number) => (a < b ? `${a}-${b}` : `${b}-${a}`);

function sortEvidence(ev: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return ev
    .filter((e) => !seen.has(`${e.kind} ${e.key}`) && seen.add(`${e.kind} ${e.key}`))
    .sort((x, y) => Number(!x.strong) - Number(!y.strong) || x.kind.localeCompare(y.kind) || x.key.localeCompare(y.key));
}

export class FakeDuplicates {
  private dismissed = new Set<string>();
  /** Talent id → person label. */
  private person = new Map<number, number>();

  constructor(private readonly talents: () => { talent: TalentRow; provider: Provider }[]) {}

  private record(id: number): DuplicateRecord | null {
    const found = this.talents().find((t) => t.talent.id === id);
    if (!found) return null;
    const { talent: t, provider } = found;
    return {
      id: t.id,
      connection_id: t.connection_id,
      connection: t.connection,
      provider,
      remote_id: t.remote_id,
      name: t.name,
      company: t.company,
      title: t.title,
      updated_at: t.updated_at,
    };
  }

  /** Evidence per pair ("a-b", a < b), before decisions. */
  private evidence(): Map<string, Evidence[]> {
    const byKey = new Map<string, number[]>();
    for (const { talent } of this.talents()) {
      for (const [kind, key] of keysOf(talent)) {
        const k = `${kind}\u0000${key}`;
        byKey.set(k, [...(byKey.get(k) ?? []), talent.id]);
      }
    }
    const pairs = new Map<string, Evidence[]>();
    for (const [k, ids] of byKey) {
      if (ids.length < 2) continue;
      const [kind, key] = k.split('\u0000') as [Kind, string];
      for (let i = 0; i < ids.length; i++) {
        for (let j = i + 1; j < ids.length; j++) {
          if (ids[i] === ids[j]) continue;
          const p = pairKey(ids[i], ids[j]);
          pairs.set(p, [...(pairs.get(p) ?? []), { kind, key, strong: kind !== 'name_company' }]);
        }
      }
    }
    return pairs;
  }

  anyLinks(): boolean {
    return this.person.size > 0;
  }

  private linked(a: number, b: number): boolean {
    const [pa, pb] = [this.person.get(a), this.person.get(b)];
    return pa !== undefined && pa === pb;
  }

  pairs(): DuplicatePair[] {
    const out: DuplicatePair[] = [];
    for (const [p, ev] of this.evidence()) {
      const [a, b] = p.split('-').map(Number);
      if (this.dismissed.has(p) || this.linked(a, b)) continue;
      const [ra, rb] = [this.record(a), this.record(b)];
      if (!ra || !rb) continue;
      const evidence = sortEvidence(ev);
      out.push({ a: ra, b: rb, evidence, strong: evidence.some((e) => e.strong) });
    }
    return out.sort((x, y) => Number(!x.strong) - Number(!y.strong) || x.a.name.localeCompare(y.a.name) || x.a.id - y.a.id);
  }

  of(id: number): DuplicateOf[] {
    if (!this.record(id)) throw { code: 'not_found', message: `no talent with id ${id} (it may have been deleted in the ATS)` };
    const found = new Map<number, Evidence[]>();
    for (const [p, ev] of this.evidence()) {
      const [a, b] = p.split('-').map(Number);
      if ((a !== id && b !== id) || this.dismissed.has(p)) continue;
      found.set(a === id ? b : a, ev);
    }
    for (const [other] of this.person) if (other !== id && this.linked(id, other) && !found.has(other)) found.set(other, []);
    const out: DuplicateOf[] = [];
    for (const [other, ev] of found) {
      const rec = this.record(other);
      if (!rec) continue;
      const evidence = sortEvidence(ev);
      out.push({ other: rec, evidence, strong: evidence.some((e) => e.strong), linked: this.linked(id, other) });
    }
    return out.sort((x, y) => Number(!x.linked) - Number(!y.linked) || Number(!x.strong) - Number(!y.strong) || x.other.name.localeCompare(y.other.name));
  }

  private check(a: number, b: number): void {
    if (a === b) throw { code: 'validation', message: 'a record cannot be a duplicate of itself' };
    for (const id of [a, b]) {
      if (!this.record(id)) throw { code: 'not_found', message: `no talent with id ${id} (it may have been deleted in the ATS)` };
    }
  }

  markNotDuplicate(a: number, b: number): void {
    this.check(a, b);
    if (this.linked(a, b)) throw { code: 'validation', message: 'these records are linked as the same person; unlink them first' };
    this.dismissed.add(pairKey(a, b));
  }

  link(a: number, b: number): void {
    this.check(a, b);
    const [pa, pb] = [this.person.get(a), this.person.get(b)];
    const p = pa ?? pb ?? Math.min(a, b);
    if (pa !== undefined && pb !== undefined) for (const [t, q] of this.person) if (q === pb) this.person.set(t, pa);
    if (!this.person.has(a)) this.person.set(a, p);
    if (!this.person.has(b)) this.person.set(b, p);
    this.dismissed.delete(pairKey(a, b));
  }

  /**
   * Search as the core shows it: records linked as one person fold into the most recently
   * updated of them, `linked_records` counting the others. `matched` is what the query matched;
   * `all` every talent in scope (a person is found through any of its records).
   */
  fold(matched: TalentRow[], all: TalentRow[]): TalentRow[] {
    const byId = new Map(all.map((t) => [t.id, t]));
    const shown = new Map<number, TalentRow>();
    for (const t of matched) {
      const p = this.person.get(t.id);
      if (p === undefined) {
        shown.set(t.id, t);
        continue;
      }
      const members = [...this.person].filter(([, q]) => q === p).map(([id]) => id);
      const inScope = members.map((id) => byId.get(id)).filter((m): m is TalentRow => !!m);
      const rep = inScope.sort((x, y) => y.updated_at.localeCompare(x.updated_at) || y.id - x.id)[0] ?? t;
      shown.set(rep.id, { ...rep, linked_records: members.length - 1 });
    }
    return [...shown.values()];
  }

  unlink(id: number): void {
    const p = this.person.get(id);
    if (p === undefined) return;
    this.person.delete(id);
    const rest = [...this.person].filter(([, q]) => q === p);
    if (rest.length < 2) for (const [t] of rest) this.person.delete(t);
  }
}
