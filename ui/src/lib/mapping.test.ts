import { describe, expect, it } from 'vitest';
import type { MappingRow } from './backend';
import type { JobPipeline } from './bindings/JobPipeline';
import { affected, groupPipelines, previewText } from './mapping';

const job = (id: string | null, title: string | null, stages: [string, number][]): JobPipeline => ({
  job_remote_id: id,
  job_title: title,
  stages: stages.map(([name, applications]) => ({ name, applications })),
});

const PIPELINES = [
  job('1', 'Backend Engineer', [['Application Review', 3], ['Phone Screen', 2], ['Onsite', 4]]),
  job('2', 'Designer', [['Application Review', 1], ['Onsite', 5]]),
  job('3', 'Frontend Engineer', [['application review', 2], ['Phone Screen', 0], ['ONSITE', 1]]),
];

describe('groupPipelines', () => {
  it('puts jobs whose stage-name lists are equal (case aside) in one group, listing them, with summed counts', () => {
    const groups = groupPipelines(PIPELINES);
    expect(groups.map((g) => g.jobs.map((j) => j.title))).toEqual([['Backend Engineer', 'Frontend Engineer'], ['Designer']]);
    expect(groups[0].stages).toEqual([
      { name: 'Application Review', applications: 5 },
      { name: 'Phone Screen', applications: 2 },
      { name: 'Onsite', applications: 5 },
    ]);
    expect(groups[1].stages.map((s) => s.name)).toEqual(['Application Review', 'Onsite']);
  });

  it('gives Lever its one account pipeline, with no jobs of its own', () => {
    const groups = groupPipelines([job(null, null, [['New lead', 7], ['Offer', 1]])]);
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ account: true, jobs: [], stages: [{ name: 'New lead', applications: 7 }, { name: 'Offer', applications: 1 }] });
  });

  it('keeps two jobs apart when their stages are the same but in another order', () => {
    const groups = groupPipelines([job('1', 'A', [['X', 0], ['Y', 0]]), job('2', 'B', [['Y', 0], ['X', 0]])]);
    expect(groups).toHaveLength(2);
  });
});

describe('affected', () => {
  const override: MappingRow = { job_remote_id: '2', ats_stage: 'onsite', ats_type: null, position: 1, stage: 'Offer', suggested: false, applications: 5 };

  it('counts every job in a connection-wide change except the jobs that override that stage', () => {
    expect(affected(PIPELINES, [], 'Onsite', null)).toBe(10);
    expect(affected(PIPELINES, [override], 'Onsite', null)).toBe(5);
    expect(affected(PIPELINES, [override], 'Phone Screen', null)).toBe(2);
  });

  it("counts one job's applications for a job override", () => {
    expect(affected(PIPELINES, [override], 'Onsite', '2')).toBe(5);
  });
});

describe('previewText', () => {
  it('says how many applications change column, and from where to where', () => {
    expect(previewText(12, 'Screen', 'Interview')).toBe('12 applications will show in Interview instead of Screen');
    expect(previewText(1, null, 'Interview')).toBe('1 application will show in Interview instead of unmapped');
    expect(previewText(3, 'Screen', null)).toBe('3 applications will show as unmapped (on no board column) instead of Screen');
    expect(previewText(2, 'Screen', 'Offer', 'Designer')).toBe('2 applications of Designer will show in Offer instead of Screen');
    expect(previewText(0, 'Screen', 'Offer')).toMatch(/^No application sits in this stage now/);
  });
});
