// The stage-mapping editor's logic, kept out of the view so it is tested on its own: grouping
// jobs by pipeline template, what a change would move, and how that reads.

import type { MappingRow } from './backend';
import type { JobPipeline } from './bindings/JobPipeline';

export interface StageGroup {
  /** The group's stage names (lower case), joined: jobs with equal lists share it. */
  key: string;
  /** The account-wide pipeline (Lever): no jobs of its own. */
  account: boolean;
  jobs: { remote_id: string; title: string }[];
  /** In pipeline order, with the active applications of every job of the group. */
  stages: { name: string; applications: number }[];
}

/**
 * Greenhouse and Ashby: one group per distinct pipeline template (jobs whose stage-name lists are
 * equal, case aside, share it); Lever: the account's one pipeline. Groups keep the order of
 * their first job (the core's: account first, then by title).
 */
export function groupPipelines(pipelines: JobPipeline[]): StageGroup[] {
  const groups = new Map<string, StageGroup>();
  for (const p of pipelines) {
    const account = p.job_remote_id === null;
    const key = (account ? 'account\u0001' : '') + p.stages.map((s) => s.name.toLowerCase()).join('\u0000');
    let g = groups.get(key);
    if (!g) {
      g = { key, account, jobs: [], stages: p.stages.map((s) => ({ name: s.name, applications: 0 })) };
      groups.set(key, g);
    }
    if (p.job_remote_id !== null) g.jobs.push({ remote_id: p.job_remote_id, title: p.job_title ?? `Job ${p.job_remote_id}` });
    p.stages.forEach((s, i) => (g.stages[i].applications += s.applications));
  }
  return [...groups.values()];
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The active applications a change of `atsStage`'s mapping moves between board columns: for one
 * job, that job's; connection-wide, every job's except those a job override keeps where they are
 * (the account pipeline's count already covers every job).
 */
export function affected(pipelines: JobPipeline[], overrides: MappingRow[], atsStage: string, job: string | null): number {
  let n = 0;
  for (const p of pipelines) {
    if (job !== null && p.job_remote_id !== job) continue;
    if (job === null && p.job_remote_id !== null && overrides.some((o) => o.job_remote_id === p.job_remote_id && same(o.ats_stage, atsStage))) {
      continue;
    }
    n += p.stages.find((s) => same(s.name, atsStage))?.applications ?? 0;
  }
  // Lever keeps no per-job pipeline, so a job override there counts 0 (the count is not per job).
  return n;
}

/** "12 applications will show in Interview instead of Screen" (and the unmapped forms). */
export function previewText(applications: number, from: string | null, to: string | null, jobTitle: string | null = null): string {
  const where = to === null ? 'as unmapped (on no board column)' : `in ${to}`;
  const was = from ?? 'unmapped';
  const of = jobTitle ? ` of ${jobTitle}` : '';
  if (applications === 0) return `No application${of} sits in this stage now; the ones that arrive will show ${where} instead of ${was}.`;
  const noun = applications === 1 ? 'application' : 'applications';
  return `${applications} ${noun}${of} will show ${where} instead of ${was}`;
}
