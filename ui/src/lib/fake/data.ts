// Deterministic sample data for the fake backend: jobs and talents that look like what an ATS
// returns, including the awkward cases (HTML in names, accents, empty fields).

import type { FileRef } from '../bindings/FileRef';
import type { JobRow } from '../bindings/JobRow';
import type { JobStatus } from '../bindings/JobStatus';
import type { TalentRow } from '../bindings/TalentRow';

/** A small seeded PRNG (mulberry32), so the same seed always gives the same data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

const FIRST = [
  'Ada', 'Amara', 'Ben', 'Carmen', 'Chen', 'Dario', 'Eva', 'Farah', 'Gustavo', 'Hana', 'Ibrahim', 'Ines',
  'Jonas', 'Kai', 'Leila', 'Lucas', 'Maya', 'Mateo', 'Nadia', 'Noah', 'Olivia', 'Omar', 'Priya', 'Quinn',
  'Rafael', 'Rosa', 'Sofia', 'Tariq', 'Uma', 'Viktor', 'Wen', 'Yara', 'Zoë', 'Émile', 'Siobhán', 'Kenji',
];
const LAST = [
  'Adeyemi', 'Andersson', 'Bianchi', 'Chowdhury', 'Dubois', 'Eriksen', 'Fernández', 'García', 'Haddad',
  'Ivanova', 'Jansen', 'Kowalski', 'Lindqvist', 'Moreau', 'Nakamura', 'Okafor', 'Papadopoulos', 'Quispe',
  'Rossi', 'Schmidt', 'Tanaka', 'Urquhart', 'Vasquez', 'Wójcik', 'Xu', 'Yilmaz', 'Zhang', 'Ångström', "O'Neill",
];
const COMPANIES = [
  'Northwind', 'Globex', 'Initech', 'Umbrella Health', 'Stark Logistics', 'Hooli', 'Vandelay Imports',
  'Wayne Fintech', 'Acme Robotics', 'Soylent Foods', 'Tyrell Labs', 'Cyberdyne', null,
];
const TITLES = [
  'Software Engineer', 'Senior Backend Engineer', 'Product Designer', 'Data Scientist', 'Engineering Manager',
  'Account Executive', 'Recruiter', 'DevOps Engineer', 'Product Manager', 'QA Analyst', 'Frontend Engineer',
  'Site Reliability Engineer', null,
];
const TAGS = [
  'referral', 'rust', 'typescript', 'react', 'remote', 'relocation', 'senior', 'silver-medalist', 'python',
  'go', 'kubernetes', 'design-systems', 'sales', 'berlin', 'london', 'new-york', 'do-not-contact',
];
const JOB_TITLES = [
  'Senior Rust Engineer', 'Staff Frontend Engineer', 'Product Designer', 'Engineering Manager, Platform',
  'Data Analyst', 'Account Executive, EMEA', 'Customer Success Manager', 'Technical Recruiter',
  'Site Reliability Engineer', 'Head of Marketing', 'Mobile Engineer (iOS)', 'Security Engineer',
  'Solutions Architect', 'Finance Business Partner', 'People Partner', 'Machine Learning Engineer',
];
const DEPARTMENTS = ['Engineering', 'Design', 'Sales', 'Marketing', 'Customer Success', 'People', 'Finance', null];
const LOCATIONS = ['Berlin', 'London', 'New York', 'Remote (EU)', 'Remote (US)', 'Lisbon', 'Toronto', null];
const JOB_STATUSES: JobStatus[] = ['open', 'open', 'open', 'open', 'closed', 'draft', 'archived'];

const HOUR = 3600_000;
const KB = 1024;
const MB = 1024 * KB;

export function makeJobs(
  connectionId: number,
  connection: string,
  count: number,
  seed: number,
  now: number,
  firstId: number,
): JobRow[] {
  const r = rng(seed);
  const jobs: JobRow[] = [];
  for (let i = 0; i < count; i++) {
    const status = pick(r, JOB_STATUSES);
    jobs.push({
      id: firstId + i,
      connection_id: connectionId,
      connection,
      remote_id: String(400000 + seed * 1000 + i),
      title: JOB_TITLES[i % JOB_TITLES.length] + (i >= JOB_TITLES.length ? ` (${Math.floor(i / JOB_TITLES.length) + 1})` : ''),
      status,
      department: pick(r, DEPARTMENTS),
      location: pick(r, LOCATIONS),
      updated_at: new Date(now - Math.floor(r() * 60 * 24) * HOUR).toISOString(),
      active_applications: status === 'open' ? Math.floor(r() * 60) : 0,
    });
  }
  return jobs;
}

export function makeTalents(
  connectionId: number,
  connection: string,
  count: number,
  seed: number,
  now: number,
  firstId: number,
  options: { awkward?: boolean; fileId?: () => number } = {},
): TalentRow[] {
  const r = rng(seed + 17);
  // Files use their own random stream, so adding them left the generated talents as they were.
  const rf = rng(seed + 31);
  let lastFileId = 0;
  const fileId = options.fileId ?? (() => ++lastFileId);
  const file = (filename: string, kind: string, size: number | null, downloaded: boolean): FileRef => ({
    id: fileId(),
    filename,
    kind,
    size_bytes: size,
    downloaded,
    error: null,
  });
  const talents: TalentRow[] = [];
  const add = (t: Omit<TalentRow, 'id' | 'connection_id' | 'connection' | 'remote_id' | 'linked_records'>) => {
    const id = firstId + talents.length;
    talents.push({ id, connection_id: connectionId, connection, remote_id: `cand-${seed}-${id}`, linked_records: 0, ...t });
  };
  if (options.awkward) {
    // Names as some ATSs really return them: markup must show as literal text.
    add({
      name: '<b>Sam</b> <script>x</script>',
      emails: ['sam.markup@example.com'],
      phones: [],
      company: 'Acme <i>Robotics</i>',
      title: 'Engineer & "Tinkerer"',
      tags: ['<img src=x onerror=alert(1)>'],
      updated_at: new Date(now - 2 * HOUR).toISOString(),
      applications: 1,
      // Over the 25 MB kept offline: opening it says to open it in the ATS.
      files: [file('Sam_portfolio_and_resume.pdf', 'resume', Math.round(31.4 * MB), false)],
    });
    add({
      name: 'Zoë Ångström-Nakamura',
      emails: ['zoe@example.org', 'z.angstrom@example.net'],
      phones: ['+46 70 123 45 67'],
      company: null,
      title: null,
      tags: [],
      updated_at: new Date(now - 30 * HOUR).toISOString(),
      applications: 0,
      files: [
        file('Zoë_Ångström-Nakamura_CV.pdf', 'resume', 212 * KB, true),
        file('Cover letter (Zoë).docx', 'cover_letter', null, false),
      ],
    });
  }
  while (talents.length < count) {
    const first = pick(r, FIRST);
    const last = pick(r, LAST);
    const company = pick(r, COMPANIES);
    const handle = `${first}.${last}`.toLowerCase().normalize('NFD').replace(/[^a-z.]/g, '');
    const nTags = Math.floor(r() * 4);
    const tags = Array.from(new Set(Array.from({ length: nTags }, () => pick(r, TAGS))));
    add({
      name: `${first} ${last}`,
      emails: r() < 0.92 ? [`${handle}${talents.length}@${r() < 0.5 ? 'gmail.com' : 'example.com'}`] : [],
      phones: r() < 0.5 ? [`+1 555 01${String(talents.length % 100).padStart(2, '0')}`] : [],
      company,
      title: pick(r, TITLES),
      tags,
      updated_at: new Date(now - Math.floor(r() * 24 * 90) * HOUR).toISOString(),
      applications: Math.floor(r() * 4),
      files: makeFiles(rf, first, last, file),
    });
  }
  return talents;
}

/**
 * About a third of talents have a resume, some of them also a cover letter; resumes first, as
 * the core lists them. Some are downloaded already; the ATS does not always give the size of one
 * that is not.
 */
function makeFiles(
  r: () => number,
  first: string,
  last: string,
  file: (filename: string, kind: string, size: number | null, downloaded: boolean) => FileRef,
): FileRef[] {
  if (r() >= 1 / 3) return [];
  const sized = (downloaded: boolean, min: number, max: number) =>
    downloaded || r() < 0.8 ? Math.round((min + r() * (max - min)) * KB) : null;
  const downloaded = r() < 0.5;
  const files = [file(`${first}_${last}_resume.pdf`, 'resume', sized(downloaded, 40, 900), downloaded)];
  if (r() < 0.2) {
    const both = downloaded && r() < 0.7;
    files.push(file(`Cover_letter_${first}_${last}.pdf`, 'cover_letter', sized(both, 20, 120), both));
  }
  return files;
}
