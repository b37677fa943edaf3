// The two-way sync half of the fake core: Talentdeck's pipeline, stage mappings by ATS stage
// name with their history, each job's applications as board cards, and an outbox whose
// simulated push sends rows (or finds a conflict where the ATS moved the application first).
// Its rules follow the core's (`app/two_way.rs`, `store/{board,pipeline,outbox}.rs`).

import type { MappingEdit, MappingRow, RejectionReason, Suggestion } from '../backend';
import type { ApplicationStatus } from '../bindings/ApplicationStatus';
import type { BoardCard } from '../bindings/BoardCard';
import type { JobPipeline } from '../bindings/JobPipeline';
import type { JobRow } from '../bindings/JobRow';
import type { OutboxRow } from '../bindings/OutboxRow';
import type { PipelineStage } from '../bindings/PipelineStage';
import type { ProfileApplication } from '../bindings/ProfileApplication';
import type { TalentRow } from '../bindings/TalentRow';
import { rng } from './data';

/** Every fake job has this pipeline in the ATS. */
export const ATS_STAGES = ['Application Review', 'Phone Screen', 'Technical Interview', 'Onsite', 'Offer'] as const;

export const PIPELINE: PipelineStage[] = [
  { id: 1, name: 'Sourced', position: 0, kind: 'active' },
  { id: 2, name: 'Screen', position: 1, kind: 'active' },
  { id: 3, name: 'Interview', position: 2, kind: 'active' },
  { id: 4, name: 'Offer', position: 3, kind: 'active' },
  { id: 5, name: 'Hired', position: 4, kind: 'hired' },
  { id: 6, name: 'Rejected', position: 5, kind: 'rejected' },
];

/** What a new connection maps its stage names to: some confirmed, some suggested, Onsite not at all. */
const INITIAL: Record<string, { stage: string | null; suggested: boolean }> = {
  'Application Review': { stage: 'Screen', suggested: true },
  'Phone Screen': { stage: 'Screen', suggested: false },
  'Technical Interview': { stage: 'Interview', suggested: true },
  Onsite: { stage: null, suggested: false },
  Offer: { stage: 'Offer', suggested: false },
};

/** What the fake suggests for each name (the core's name/word rules, reduced to a table). */
const SUGGEST: Record<string, string> = {
  'Application Review': 'Screen',
  'Phone Screen': 'Screen',
  'Technical Interview': 'Interview',
  Onsite: 'Interview',
  Offer: 'Offer',
};

const REASONS: RejectionReason[] = [
  { remote_id: 'r1', name: 'Not a fit for the role' },
  { remote_id: 'r2', name: 'Withdrew' },
  { remote_id: 'r3', name: 'Position filled' },
];

interface FakeApp {
  remote_id: string;
  talent_remote_id: string;
  talent_name: string;
  job_remote_id: string;
  /** Index into ATS_STAGES. */
  stage: number;
  status: ApplicationStatus;
  in_stage_since: string;
}

interface Mapping {
  stage: string | null;
  suggested: boolean;
}

interface Edit extends MappingEdit {
  beforeSuggested: boolean;
  afterSuggested: boolean;
  undone: boolean;
}

/** What the fake core needs to know of a connection. */
export interface TwoWayHost {
  status: { id: number; name: string };
  jobs: JobRow[];
  talents: TalentRow[];
}

interface State {
  apps: Map<string, FakeApp[]> | null;
  mappings: Map<string, Mapping>;
  /** Per-job overrides, keyed by `overrideKey`. */
  overrides: Map<string, Mapping>;
  edits: Edit[];
  /** Applications the ATS moved since they were last read (stage index): their queued move conflicts. */
  movedInAts: Map<string, number>;
}

const stageId = (job: string, i: number) => `${job}-s${i}`;
const stageIndex = (id: string | null) => (id ? Number(id.split('-s').pop()) : -1);
const HOUR = 3600_000;
const overrideKey = (job: string, name: string) => `${job}\u0000${name}`;

type Row = OutboxRow & { connection_id: number };

/** A row as the core returns it (without the fake's connection id). */
function strip(row: Row): OutboxRow {
  const out: Partial<Row> = { ...row };
  delete out.connection_id;
  return out as OutboxRow;
}

export class FakeTwoWay {
  private states = new Map<number, State>();
  private rows: Row[] = [];
  private nextRow = 1;
  private nextEdit = 1;
  /** Talentdeck's pipeline, shared by every connection (as in the core). */
  private stages: PipelineStage[] = PIPELINE.map((p) => ({ ...p }));

  constructor(private readonly now: () => number) {}

  private state(conn: TwoWayHost): State {
    let s = this.states.get(conn.status.id);
    if (!s) {
      const mappings = new Map(Object.entries(INITIAL).map(([k, v]) => [k, { ...v }]));
      s = { apps: null, mappings, overrides: new Map(), edits: [], movedInAts: new Map() };
      this.states.set(conn.status.id, s);
    }
    return s;
  }

  /** A job's applications, made up on first use from the connection's talents. */
  private apps(conn: TwoWayHost, job: string): FakeApp[] {
    const s = this.state(conn);
    s.apps ??= new Map();
    let apps = s.apps.get(job);
    if (!apps) {
      const j = conn.jobs.find((x) => x.remote_id === job);
      const r = rng(Number(job) || 7);
      const n = Math.min(conn.talents.length, (j?.active_applications ?? 0) + 3);
      apps = [];
      for (let i = 0; i < n; i++) {
        const t = conn.talents[Math.floor(r() * conn.talents.length)];
        const status: ApplicationStatus = i < n - 3 ? 'active' : i === n - 1 ? 'hired' : 'rejected';
        apps.push({
          remote_id: `${job}-app-${i}`,
          talent_remote_id: t.remote_id,
          talent_name: t.name,
          job_remote_id: job,
          stage: Math.floor(r() * ATS_STAGES.length),
          status,
          in_stage_since: new Date(this.now() - Math.floor(r() * 24 * 30) * HOUR).toISOString(),
        });
      }
      s.apps.set(job, apps);
    }
    return apps;
  }

  private app(conn: TwoWayHost, remoteId: string): FakeApp {
    for (const job of conn.jobs) {
      const a = this.apps(conn, job.remote_id).find((x) => x.remote_id === remoteId);
      if (a) return a;
    }
    throw { code: 'not_found', message: `there is no application ${JSON.stringify(remoteId)} in this connection (sync first?)` };
  }

  /** The mapping in force: the job's override first, then the connection-wide one. */
  private mapped(conn: TwoWayHost, atsStage: string, job: string | null = null): string | null {
    const s = this.state(conn);
    const o = job === null ? undefined : s.overrides.get(overrideKey(job, atsStage));
    return o?.stage ?? s.mappings.get(atsStage)?.stage ?? null;
  }

  private stageNamed(name: string): PipelineStage {
    const found = this.stages.find((p) => p.name.toLowerCase() === name.trim().toLowerCase());
    if (!found) {
      const list = this.stages.map((p) => p.name).join(', ');
      throw { code: 'not_found', message: `Talentdeck's pipeline has no stage ${JSON.stringify(name)}; its stages are: ${list}` };
    }
    return found;
  }

  // ---- the commands ---------------------------------------------------------------------------

  pipeline(): PipelineStage[] {
    return this.stages.map((p) => ({ ...p }));
  }

  cards(conn: TwoWayHost, job: string): BoardCard[] {
    const rows = this.rows.filter((r) => r.connection_id === conn.status.id);
    const cards = this.apps(conn, job).map((a): BoardCard => {
      const card: BoardCard = {
        application_remote_id: a.remote_id,
        talent_remote_id: a.talent_remote_id,
        talent_id: conn.talents.find((t) => t.remote_id === a.talent_remote_id)?.id ?? null,
        talent_name: a.talent_name,
        ats_stage_id: stageId(job, a.stage),
        ats_stage_name: ATS_STAGES[a.stage],
        status: a.status,
        stage_id: null,
        stage: null,
        in_stage_since: a.in_stage_since,
        outbox_id: null,
        outbox_kind: null,
        outbox_state: null,
        outbox_error: null,
        outbox_to_stage_name: null,
        outbox_ats_stage_name: null,
      };
      for (const r of rows.filter((x) => x.application_remote_id === a.remote_id && x.kind !== 'note')) {
        if (r.state === 'pending' || r.state === 'conflict') {
          if (r.kind === 'reject') card.status = 'rejected';
          else {
            card.ats_stage_id = r.to_stage;
            card.ats_stage_name = r.to_stage_name;
          }
        }
        Object.assign(card, {
          outbox_id: r.id,
          outbox_kind: r.kind,
          outbox_state: r.state,
          outbox_error: r.error,
          outbox_to_stage_name: r.to_stage_name,
          outbox_ats_stage_name: r.ats_stage_name,
        });
      }
      const kind = card.status === 'rejected' ? 'rejected' : card.status === 'hired' ? 'hired' : null;
      const stage = kind
        ? this.stages.find((p) => p.kind === kind)
        : this.stages.find((p) => p.name === this.mapped(conn, card.ats_stage_name ?? '', job));
      card.stage = stage?.name ?? null;
      card.stage_id = stage?.id ?? null;
      return card;
    });
    return cards.sort((x, y) => x.talent_name.localeCompare(y.talent_name));
  }

  /**
   * A talent's applications as the profile shows them (the board's stage rules), each with a
   * made-up history: one stay per ATS stage up to the current one, the last still open.
   */
  applicationsOf(conn: TwoWayHost, talent: string): ProfileApplication[] {
    const out: ProfileApplication[] = [];
    for (const job of conn.jobs) {
      for (const card of this.cards(conn, job.remote_id).filter((c) => c.talent_remote_id === talent)) {
        const current = Math.max(0, stageIndex(card.ats_stage_id));
        const since = Date.parse(card.in_stage_since);
        const timeline = [];
        for (let i = 0; i <= current; i++) {
          const entered = since - (current - i) * 4 * 24 * HOUR;
          const exited = i === current ? null : entered + 4 * 24 * HOUR;
          timeline.push({
            stage: ATS_STAGES[i],
            entered_at: new Date(entered).toISOString(),
            exited_at: exited === null ? null : new Date(exited).toISOString(),
            days: Math.max(0, Math.floor(((exited ?? this.now()) - entered) / (24 * HOUR))),
          });
        }
        out.push({
          remote_id: card.application_remote_id,
          job_remote_id: job.remote_id,
          job_title: job.title,
          ats_stage: card.ats_stage_name,
          stage: card.stage,
          status: card.status,
          rejection_reason: card.status === 'rejected' ? REASONS[0].name : null,
          source: 'LinkedIn',
          updated_at: card.in_stage_since,
          timeline,
          has_ats_page: true,
        });
      }
    }
    return out;
  }

  /** The notes queued for a talent (of any state), oldest first. */
  notesOf(connectionId: number, talent: string): OutboxRow[] {
    return this.rows.filter((r) => r.connection_id === connectionId && r.kind === 'note' && r.talent_remote_id === talent).map(strip);
  }

  mappings(conn: TwoWayHost, forJob: string | null = null): MappingRow[] {
    const counts = new Map<string, number>();
    for (const job of conn.jobs) {
      for (const a of this.apps(conn, job.remote_id)) {
        if (a.status === 'active') counts.set(ATS_STAGES[a.stage], (counts.get(ATS_STAGES[a.stage]) ?? 0) + 1);
      }
    }
    const general = ATS_STAGES.map((name, i): MappingRow => {
      const m = this.state(conn).mappings.get(name);
      return {
        job_remote_id: null,
        ats_stage: name,
        ats_type: null,
        position: i,
        stage: m?.stage ?? null,
        suggested: m?.stage ? m.suggested : false,
        applications: counts.get(name) ?? 0,
      };
    });
    const overrides = [...this.state(conn).overrides].flatMap(([key, m]): MappingRow[] => {
      const [job, name] = key.split('\u0000');
      if (m.stage === null || (forJob !== null && job !== forJob)) return [];
      const i = ATS_STAGES.indexOf(name as (typeof ATS_STAGES)[number]);
      const applications = this.apps(conn, job).filter((a) => a.status === 'active' && a.stage === i).length;
      return [{ job_remote_id: job, ats_stage: name, ats_type: null, position: i, stage: m.stage, suggested: m.suggested, applications }];
    });
    return [...general, ...overrides.sort((x, y) => (x.job_remote_id ?? '').localeCompare(y.job_remote_id ?? '') || x.position - y.position)];
  }

  /** Every fake job has the same ATS pipeline, so they all share one group. */
  jobPipelines(conn: TwoWayHost): JobPipeline[] {
    return [...conn.jobs]
      .sort((x, y) => x.title.localeCompare(y.title))
      .map((job) => {
        const apps = this.apps(conn, job.remote_id).filter((a) => a.status === 'active');
        const stages = ATS_STAGES.map((name, i) => ({ name, applications: apps.filter((a) => a.stage === i).length }));
        return { job_remote_id: job.remote_id, job_title: job.title, stages };
      });
  }

  history(conn: TwoWayHost, limit: number): MappingEdit[] {
    return this.state(conn)
      .edits.filter((e) => !e.undone)
      .reverse()
      .slice(0, limit)
      .map(({ id, job_remote_id, ats_stage, before, after, by, at }) => ({ id, job_remote_id, ats_stage, before, after, by, at }));
  }

  setMapping(conn: TwoWayHost, atsStage: string, to: string | null, suggested = false, by = 'recruiter', job: string | null = null): void {
    const name = ATS_STAGES.find((n) => n.toLowerCase() === atsStage.trim().toLowerCase());
    if (!name) {
      throw { code: 'not_found', message: `this connection has no ATS stage ${JSON.stringify(atsStage)} (sync first if it is new); its stages are: ${ATS_STAGES.join(', ')}` };
    }
    if (job !== null && !conn.jobs.some((j) => j.remote_id === job)) {
      throw { code: 'not_found', message: `job ${job} has no ATS stage ${JSON.stringify(atsStage)} (sync first if it is new)` };
    }
    if (to !== null) to = this.stageNamed(to).name;
    const s = this.state(conn);
    const table = job === null ? s.mappings : s.overrides;
    const key = job === null ? name : overrideKey(job, name);
    const before = table.get(key) ?? { stage: null, suggested: false };
    if (before.stage === to && before.suggested === suggested) return;
    table.set(key, { stage: to, suggested });
    s.edits.push({
      id: this.nextEdit++,
      job_remote_id: job,
      ats_stage: name,
      before: before.stage,
      beforeSuggested: before.suggested,
      after: to,
      afterSuggested: suggested,
      by,
      at: new Date(this.now()).toISOString(),
      undone: false,
    });
  }

  suggest(conn: TwoWayHost, apply: boolean): Suggestion[] {
    return ATS_STAGES.map((name) => {
      const m = this.state(conn).mappings.get(name) ?? { stage: null, suggested: false };
      const confirmed = m.stage !== null && !m.suggested;
      const suggested = SUGGEST[name] ?? null;
      if (apply && !confirmed && suggested && m.stage !== suggested) {
        this.setMapping(conn, name, suggested, true, 'Talentdeck (suggested)');
      }
      return { ats_stage: name, suggested, current: m.stage, confirmed };
    });
  }

  undo(conn: TwoWayHost): MappingEdit {
    const s = this.state(conn);
    const edit = [...s.edits].reverse().find((e) => !e.undone);
    if (!edit) throw { code: 'not_found', message: 'there is no mapping change to undo' };
    edit.undone = true;
    this.put(s, edit, { stage: edit.before, suggested: edit.beforeSuggested });
    const { id, job_remote_id, ats_stage, before, after, by, at } = edit;
    return { id, job_remote_id, ats_stage, before, after, by, at };
  }

  /** The edit undone last, while no edit was made since (the core's `redo_mapping`). */
  redo(conn: TwoWayHost): MappingEdit {
    const s = this.state(conn);
    const live = Math.max(0, ...s.edits.filter((e) => !e.undone).map((e) => e.id));
    const edit = s.edits.find((e) => e.undone && e.id > live);
    if (!edit) throw { code: 'not_found', message: 'there is no undone mapping change to redo' };
    edit.undone = false;
    this.put(s, edit, { stage: edit.after, suggested: edit.afterSuggested });
    const { id, job_remote_id, ats_stage, before, after, by, at } = edit;
    return { id, job_remote_id, ats_stage, before, after, by, at };
  }

  private put(s: State, edit: Edit, m: Mapping) {
    if (edit.job_remote_id === null) s.mappings.set(edit.ats_stage, m);
    else if (m.stage === null) s.overrides.delete(overrideKey(edit.job_remote_id, edit.ats_stage));
    else s.overrides.set(overrideKey(edit.job_remote_id, edit.ats_stage), m);
  }

  // ---- Talentdeck's pipeline (the core's `store/pipeline.rs` rules) -----------------------------

  addStage(name: string, after: string | null): PipelineStage {
    name = name.trim();
    if (name.length === 0 || name.length > 80) throw { code: 'validation', message: 'a stage name needs 1 to 80 characters' };
    if (this.stages.some((p) => p.name.toLowerCase() === name.toLowerCase())) {
      throw { code: 'validation', message: `the pipeline already has a stage ${JSON.stringify(name)}` };
    }
    const position = after === null ? 0 : this.stageNamed(after).position + 1;
    for (const p of this.stages) if (p.position >= position) p.position++;
    const stage: PipelineStage = { id: Math.max(0, ...this.stages.map((p) => p.id)) + 1, name, position, kind: 'active' };
    this.stages = [...this.stages, stage].sort((x, y) => x.position - y.position);
    return { ...stage };
  }

  renameStage(old: string, name: string): PipelineStage {
    const stage = this.stageNamed(old);
    name = name.trim();
    if (name.length === 0 || name.length > 80) throw { code: 'validation', message: 'a stage name needs 1 to 80 characters' };
    if (this.stages.some((p) => p.id !== stage.id && p.name.toLowerCase() === name.toLowerCase())) {
      throw { code: 'validation', message: `the pipeline already has a stage ${JSON.stringify(name)}` };
    }
    // Mappings and history hold names here (ids in the core): they follow the rename.
    this.eachMapping((m) => m.stage === stage.name && (m.stage = name));
    stage.name = name;
    return { ...stage };
  }

  removeStage(name: string, into: string): void {
    const stage = this.stageNamed(name);
    const target = this.stageNamed(into);
    if (stage.id === target.id) throw { code: 'validation', message: "a stage's mappings must move to another stage" };
    if (stage.kind !== 'active' && this.stages.filter((p) => p.kind === stage.kind).length === 1) {
      throw { code: 'validation', message: `${JSON.stringify(stage.name)} is the pipeline's only ${stage.kind} stage; ${stage.kind} applications need it` };
    }
    this.eachMapping((m) => m.stage === stage.name && (m.stage = target.name));
    this.stages = this.stages.filter((p) => p.id !== stage.id);
    for (const p of this.stages) if (p.position > stage.position) p.position--;
  }

  /** A new order of the whole pipeline, by stage id (what the UI asks the core's reorder to store). */
  reorderStages(ids: number[]): PipelineStage[] {
    const known = new Set(this.stages.map((p) => p.id));
    if (ids.length !== known.size || new Set(ids).size !== ids.length || !ids.every((id) => known.has(id))) {
      throw { code: 'validation', message: "the new order must list every stage of Talentdeck's pipeline once; reload the pipeline and try again" };
    }
    this.stages = ids.map((id, position) => ({ ...this.stages.find((p) => p.id === id)!, position }));
    return this.pipeline();
  }

  private eachMapping(f: (m: { stage: string | null }) => void) {
    for (const s of this.states.values()) {
      for (const m of [...s.mappings.values(), ...s.overrides.values()]) f(m);
      for (const e of s.edits) {
        const b = { stage: e.before };
        const a = { stage: e.after };
        f(b);
        f(a);
        e.before = b.stage;
        e.after = a.stage;
      }
    }
  }

  reasons(): RejectionReason[] {
    return REASONS.map((r) => ({ ...r }));
  }

  /** The stage the recruiter sees now: the newest queued move's target, else the ATS's. */
  private seen(conn: TwoWayHost, a: FakeApp): number {
    const q = this.rows.filter(
      (r) => r.connection_id === conn.status.id && r.application_remote_id === a.remote_id && r.kind === 'move' && (r.state === 'pending' || r.state === 'conflict'),
    );
    return q.length > 0 ? stageIndex(q[q.length - 1].to_stage) : a.stage;
  }

  move(conn: TwoWayHost, application: string, stage: string): OutboxRow {
    const a = this.app(conn, application);
    const target = this.stages.find((p) => p.name.toLowerCase() === stage.trim().toLowerCase());
    if (!target) throw { code: 'not_found', message: `there is no pipeline stage ${JSON.stringify(stage)}` };
    const to = ATS_STAGES.findIndex((n) => this.mapped(conn, n, a.job_remote_id) === target.name);
    if (to === -1) {
      throw {
        code: 'validation',
        message: `no stage of job ${a.job_remote_id} maps to ${JSON.stringify(target.name)}, so the move has nowhere to land; map one in Stage mapping`,
      };
    }
    if (a.status !== 'active') throw { code: 'validation', message: `application ${application} is ${a.status}: it cannot move` };
    const from = this.seen(conn, a);
    if (from === to) throw { code: 'validation', message: `application ${application} is already in ${ATS_STAGES[to]}` };
    return this.queue(conn, 'move', a, { from_stage: stageId(a.job_remote_id, from), to_stage: stageId(a.job_remote_id, to) });
  }

  reject(conn: TwoWayHost, application: string, reason: string): OutboxRow {
    const a = this.app(conn, application);
    const r = REASONS.find((x) => x.remote_id === reason || x.name.toLowerCase() === reason.toLowerCase());
    if (!r) throw { code: 'not_found', message: `the ATS has no rejection reason ${JSON.stringify(reason)}` };
    if (a.status !== 'active') throw { code: 'validation', message: `application ${application} is ${a.status} already` };
    return this.queue(conn, 'reject', a, { reason: r.remote_id, reason_name: r.name });
  }

  note(conn: TwoWayHost, talent: string, text: string): OutboxRow {
    if (!conn.talents.some((t) => t.remote_id === talent)) {
      throw { code: 'not_found', message: `no connection has ${JSON.stringify(talent)} (sync first, or check the id)` };
    }
    if (text.trim() === '') throw { code: 'validation', message: 'a note needs some text' };
    return this.queue(conn, 'note', null, { talent_remote_id: talent, body: text });
  }

  outbox(connectionId: number | null): OutboxRow[] {
    return this.rows
      .filter((r) => connectionId === null || r.connection_id === connectionId)
      .map(strip);
  }

  connectionOf(outboxId: number): number {
    const r = this.rows.find((x) => x.id === outboxId);
    if (!r) throw { code: 'not_found', message: `there is no outbox row ${outboxId}` };
    return r.connection_id;
  }

  resolve(conn: TwoWayHost, outboxId: number, applyMine: boolean): OutboxRow {
    const row = this.rows.find((x) => x.id === outboxId);
    if (!row) throw { code: 'not_found', message: `there is no outbox row ${outboxId}` };
    if (row.state !== 'conflict') throw { code: 'validation', message: `outbox row ${outboxId} is ${row.state}, not in conflict` };
    if (row.connection_id !== conn.status.id) throw { code: 'not_found', message: `there is no outbox row ${outboxId}` };
    if (!applyMine) {
      this.rows = this.rows.filter((x) => x !== row);
      return strip(row);
    }
    Object.assign(row, {
      state: 'pending',
      from_stage: row.ats_stage,
      from_stage_name: row.ats_stage_name,
      ats_stage: null,
      ats_stage_name: null,
      attempts: 0,
      error: null,
    });
    return strip(row);
  }

  /** Sends the connection's pending rows, oldest first; a move whose application the ATS moved meanwhile conflicts. */
  push(conn: TwoWayHost): void {
    const s = this.state(conn);
    for (const r of this.rows.filter((x) => x.connection_id === conn.status.id && x.state === 'pending')) {
      r.attempts++;
      if (r.kind === 'note' || !r.application_remote_id) {
        Object.assign(r, { state: 'sent', sent_at: new Date(this.now()).toISOString() });
        continue;
      }
      const a = this.app(conn, r.application_remote_id);
      const moved = s.movedInAts.get(a.remote_id);
      if (moved !== undefined) {
        a.stage = moved;
        s.movedInAts.delete(a.remote_id);
      }
      if (stageIndex(r.from_stage) !== a.stage && r.kind === 'move') {
        Object.assign(r, {
          state: 'conflict',
          ats_stage: stageId(a.job_remote_id, a.stage),
          ats_stage_name: ATS_STAGES[a.stage],
          error: `${a.talent_name} was moved to ${ATS_STAGES[a.stage]} in the ATS after you saw ${r.from_stage_name}; keep the ATS's stage or apply yours`,
        });
        continue;
      }
      if (r.kind === 'move') {
        a.stage = stageIndex(r.to_stage);
        a.in_stage_since = new Date(this.now()).toISOString();
      } else {
        a.status = 'rejected';
      }
      Object.assign(r, { state: 'sent', sent_at: new Date(this.now()).toISOString() });
    }
  }

  /** For tests: the ATS moves an application (by its ATS stage name) before a queued move is pushed. */
  moveInAts(conn: TwoWayHost, application: string, atsStage: string): void {
    const a = this.app(conn, application);
    this.state(conn).movedInAts.set(a.remote_id, ATS_STAGES.indexOf(atsStage as (typeof ATS_STAGES)[number]));
  }

  private queue(
    conn: TwoWayHost,
    kind: OutboxRow['kind'],
    a: FakeApp | null,
    fields: Partial<OutboxRow>,
  ): OutboxRow {
    const name = (id: string | null | undefined) => (id ? ATS_STAGES[stageIndex(id)] : null);
    const row: Row = {
      id: this.nextRow++,
      connection: conn.status.name,
      kind,
      application_remote_id: a?.remote_id ?? null,
      talent_remote_id: a?.talent_remote_id ?? null,
      state: 'pending',
      from_stage: null,
      from_stage_name: null,
      to_stage: null,
      to_stage_name: null,
      ats_stage: null,
      ats_stage_name: null,
      reason: null,
      reason_name: null,
      body: null,
      error: null,
      attempts: 0,
      created_at: new Date(this.now()).toISOString(),
      sent_at: null,
      ...fields,
      connection_id: conn.status.id,
    };
    row.from_stage_name = name(row.from_stage);
    row.to_stage_name = name(row.to_stage);
    this.rows.push(row);
    return strip(row);
  }
}
