//! The simulated ATS account: one provider's records in memory, in id order, generated from a
//! seed, plus the changes made to them since (control-API mutations and API writes).
//!
//! Records are never removed from their vectors: a delete sets a flag, so positions (and the
//! pagination cursors that point at them) stay valid. Every change bumps `World::seq` and stamps
//! the record with it, which is what Ashby's syncToken deltas are computed from.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use super::data::{self, Word};
use super::{Mutation, MutationReport};
use model::ExportKind;
use model::Provider;

/// Milliseconds since the Unix epoch.
pub type Ms = i64;
/// 2025-01-01T00:00:00Z: generated history starts here.
pub const START: Ms = 1_735_689_600_000;
/// 2026-11-01T00:00:00Z: generated history ends here, so everything generated lies in the past
/// and any real-time change made later is newer than all of it.
pub const END: Ms = 1_793_491_200_000;
pub const DAY: Ms = 86_400_000;

/// RFC 3339 UTC with milliseconds, the format of the export contract and of the providers.
pub fn ts(ms: Ms) -> String {
    let t = Utc.timestamp_millis_opt(ms).single().unwrap_or_else(|| Utc.timestamp_millis_opt(0).unwrap());
    model::ts(&t)
}

pub fn now_ms() -> Ms {
    Utc::now().timestamp_millis()
}

/// splitmix64 over two words: a cheap, well-mixed hash for derived ids and fault decisions.
pub fn mix(a: u64, b: u64) -> u64 {
    let mut z = a ^ b.wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(17);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Shapes 128 random bits as a version-4 UUID, like the ids Lever and Ashby hand out.
pub fn as_uuid(u: u128) -> u128 {
    (u & !(0xF << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62)
}

pub fn derived_uid(seed: u64, kind: u64, n: u64) -> u128 {
    let hi = mix(seed, kind.wrapping_mul(0x1000_0000_01B3) ^ n);
    let lo = mix(hi, n.wrapping_add(kind));
    as_uuid(((hi as u128) << 64) | lo as u128)
}

pub fn fmt_uid(u: u128) -> String {
    let h = format!("{u:032x}");
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

pub fn parse_uid(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 || [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
        return None;
    }
    let hex: String = s.chars().filter(|&c| c != '-').collect();
    if hex.len() != 32 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Status {
    Active,
    Rejected,
    Hired,
}

impl Status {
    pub fn export(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Rejected => "rejected",
            Status::Hired => "hired",
        }
    }
}

/// Ashby's stage types; Greenhouse and Lever stages use `Screen`/`Active`/`Offer` only.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StageKind {
    Lead,
    Screen,
    Active,
    Offer,
    Hired,
    Archived,
}

impl StageKind {
    pub fn ashby(self) -> &'static str {
        match self {
            StageKind::Lead => "Lead",
            StageKind::Screen => "PreInterviewScreen",
            StageKind::Active => "Active",
            StageKind::Offer => "Offer",
            StageKind::Hired => "Hired",
            StageKind::Archived => "Archived",
        }
    }
}

/// The three collections Ashby's syncToken covers.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Coll {
    Candidates,
    Applications,
    Jobs,
}

pub struct Org {
    pub id: u64,
    pub uid: u128,
    pub name: &'static str,
}

pub struct User {
    pub id: u64,
    pub uid: u128,
    pub first: &'static str,
    pub last: &'static str,
    pub email: String,
    pub site_admin: bool,
    pub deactivated: bool,
}

pub struct Reason {
    pub id: u64,
    pub uid: u128,
    pub text: &'static str,
    /// Greenhouse: the reason type's name; Lever: "hired" | "non-hired"; Ashby: reasonType.
    pub kind: &'static str,
    pub hired: bool,
}

pub struct Job {
    pub id: u64,
    pub uid: u128,
    /// Ashby: the job's default (and only) interview plan.
    pub plan_uid: u128,
    pub title: String,
    /// The provider's own state word (open, published, Open, …).
    pub state: &'static str,
    pub department: Option<usize>,
    pub offices: Vec<usize>,
    /// The job's pipeline in order (empty for Lever, whose pipeline is account-wide).
    pub stages: Vec<usize>,
    pub owner: usize,
    pub employment: &'static str,
    pub created_at: Ms,
    pub updated_at: Ms,
    pub opened_at: Option<Ms>,
    pub closed_at: Option<Ms>,
    pub seq: u64,
    /// The description's HTML as someone set it in the ATS (`Mutation::set_job_description`);
    /// `None`: the generated one ([`World::job_description`]).
    pub description: Option<String>,
    /// When the job's post (Greenhouse) or posting (Ashby) last changed: they change apart from
    /// their job. (Lever's posting is the job: its `updated_at`.)
    pub posted_at: Ms,
    /// Ashby: the posting `job.list` still names is gone (`Mutation::lose_job_posting`).
    pub posting_lost: bool,
}

pub struct Stage {
    pub id: u64,
    pub uid: u128,
    pub job: Option<usize>,
    pub name: &'static str,
    pub position: i64,
    pub kind: StageKind,
    pub created_at: Ms,
}

#[derive(Clone)]
pub struct Contact {
    pub kind: &'static str,
    pub value: String,
}

pub struct Resume {
    pub id: u64,
    pub uid: u128,
    pub filename: String,
    pub created_at: Ms,
    /// The bytes someone uploaded (`Mutation::upload_resume`, hostile ones included); `None`:
    /// the generated one-page PDF.
    pub content: Option<Vec<u8>>,
}

pub struct Talent {
    pub id: u64,
    pub uid: u128,
    pub first: &'static str,
    pub last: &'static str,
    pub slug: (&'static str, &'static str),
    pub preferred: Option<&'static str>,
    pub emails: Vec<Contact>,
    pub phones: Vec<Contact>,
    pub company: Option<&'static str>,
    pub title: Option<&'static str>,
    pub tags: Vec<&'static str>,
    pub timezone: &'static str,
    pub created_at: Ms,
    pub updated_at: Ms,
    pub seq: u64,
    pub apps: Vec<usize>,
    pub resume: Option<Resume>,
    pub deleted: bool,
    /// Served malformed: 0 = the e-mail list is a string, 1 = the name is a number.
    pub corrupt: Option<u8>,
}

impl Talent {
    pub fn name(&self) -> String {
        format!("{} {}", self.first, self.last).trim().to_string()
    }

    pub fn live(&self) -> bool {
        !self.deleted
    }
}

/// What an older Lever opportunity of a contact still shows: the headline and tags the person
/// had back then. Only the contact's most recently updated opportunity is current.
pub struct Stale {
    pub headline: Option<&'static str>,
    pub tags: Vec<&'static str>,
}

pub struct App {
    pub id: u64,
    /// Greenhouse: unused; Lever: the opportunity id; Ashby: the application id.
    pub uid: u128,
    /// Lever: the id of the opportunity's application object (only when it has a posting).
    pub app_uid: u128,
    pub talent: usize,
    pub job: Option<usize>,
    pub stage: Option<usize>,
    pub status: Status,
    pub reason: Option<usize>,
    pub closed_at: Option<Ms>,
    pub sourced: bool,
    pub source: &'static str,
    pub recruiter: usize,
    pub created_at: Ms,
    pub updated_at: Ms,
    pub seq: u64,
    pub history: Vec<usize>,
    pub deleted: bool,
    pub stale: Option<Box<Stale>>,
}

/// One stay of an application in a stage.
pub struct Hist {
    pub id: u64,
    pub uid: u128,
    pub app: usize,
    pub stage: usize,
    pub entered: Ms,
    pub exited: Option<Ms>,
    pub user: usize,
}

pub struct Note {
    pub id: u64,
    pub uid: u128,
    pub talent: usize,
    pub app: Option<usize>,
    pub user: usize,
    pub body: String,
    pub created_at: Ms,
}

/// A Lever deletion record (`/opportunities/deleted`, `/applications/deleted`).
pub struct Deleted {
    pub uid: u128,
    pub at: Ms,
}

pub struct World {
    pub provider: Provider,
    pub seed: u64,
    pub seq: u64,
    pub departments: Vec<Org>,
    pub offices: Vec<Org>,
    pub users: Vec<User>,
    pub reasons: Vec<Reason>,
    pub jobs: Vec<Job>,
    pub stages: Vec<Stage>,
    pub talents: Vec<Talent>,
    pub apps: Vec<App>,
    pub history: Vec<Hist>,
    pub notes: Vec<Note>,
    pub deleted_opps: Vec<Deleted>,
    pub deleted_apps: Vec<Deleted>,
    /// Ashby: a syncToken delta larger than this fraction of its collection is refused.
    pub sync_limit: f64,
    pub mutations: u64,
    idx: Index,
    next_note: u64,
}

/// Lookups by the string ids of Lever and Ashby (Greenhouse ids are found by binary search).
#[derive(Default)]
struct Index {
    talents: HashMap<u128, usize>,
    apps: HashMap<u128, usize>,
    jobs: HashMap<u128, usize>,
    plans: HashMap<u128, usize>,
    stages: HashMap<u128, usize>,
    reasons: HashMap<u128, usize>,
    users: HashMap<u128, usize>,
    files: HashMap<u128, usize>,
}

/// Hands out increasing ids with small random gaps, so nobody can assume ids are contiguous.
struct Ids(u64);

impl Ids {
    fn take(&mut self, rng: &mut ChaCha8Rng) -> u64 {
        self.0 += rng.random_range(1..=3);
        self.0
    }
}

fn uid(rng: &mut ChaCha8Rng) -> u128 {
    as_uuid(rng.random::<u128>())
}

/// Binary search of a Greenhouse integer id in a vector kept in id order.
pub fn find_id<T>(items: &[T], id: u64, key: impl Fn(&T) -> u64) -> Option<usize> {
    items.binary_search_by_key(&id, key).ok()
}

const GH_STATES: &[&str] = &["open", "open", "closed", "open", "draft", "open", "closed", "open"];
const LEVER_STATES: &[&str] = &[
    "published",
    "published",
    "internal",
    "closed",
    "published",
    "draft",
    "published",
    "pending",
    "closed",
    "rejected",
];
const ASHBY_STATES: &[&str] = &["Open", "Open", "Closed", "Open", "Draft", "Open", "Archived", "Closed"];

impl World {
    pub fn generate(provider: Provider, seed: u64, n_jobs: usize, n_talents: usize) -> World {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut w = World {
            provider,
            seed,
            seq: 0,
            departments: Vec::new(),
            offices: Vec::new(),
            users: Vec::new(),
            reasons: Vec::new(),
            jobs: Vec::new(),
            stages: Vec::new(),
            talents: Vec::with_capacity(n_talents),
            apps: Vec::with_capacity(n_talents * 14 / 10),
            history: Vec::with_capacity(n_talents * 4),
            notes: Vec::new(),
            deleted_opps: Vec::new(),
            deleted_apps: Vec::new(),
            sync_limit: 0.2,
            mutations: 0,
            idx: Index::default(),
            next_note: 0,
        };
        let mut org_ids = Ids(87_000);
        for name in data::DEPARTMENTS {
            w.departments.push(Org { id: org_ids.take(&mut rng), uid: uid(&mut rng), name });
        }
        let mut office_ids = Ids(44_000);
        for name in data::OFFICES {
            w.offices.push(Org { id: office_ids.take(&mut rng), uid: uid(&mut rng), name });
        }
        let mut user_ids = Ids(3_000);
        for (i, (first, last)) in data::USERS.iter().enumerate() {
            w.users.push(User {
                id: user_ids.take(&mut rng),
                uid: uid(&mut rng),
                first,
                last,
                email: format!("{}.{}@talentdeck-sandbox.example", first.to_lowercase(), last.to_lowercase()),
                site_admin: i == 0 || i == 6,
                deactivated: i == data::USERS.len() - 1,
            });
        }
        let mut reason_ids = Ids(0);
        let reasons: Vec<(&'static str, &'static str, bool)> = match provider {
            Provider::Greenhouse => data::GREENHOUSE_REJECTION_REASONS.iter().map(|&(t, k)| (t, k, false)).collect(),
            Provider::Lever => data::LEVER_ARCHIVE_REASONS.iter().map(|&(t, k)| (t, k, k == "hired")).collect(),
            Provider::Ashby => data::ASHBY_ARCHIVE_REASONS.iter().map(|&(t, k)| (t, k, false)).collect(),
        };
        for (text, kind, hired) in reasons {
            w.reasons.push(Reason { id: reason_ids.take(&mut rng), uid: uid(&mut rng), text, kind, hired });
        }

        w.generate_jobs(&mut rng, n_jobs);
        w.generate_talents(&mut rng, n_talents);
        w.reindex();
        w
    }

    fn generate_jobs(&mut self, rng: &mut ChaCha8Rng, n_jobs: usize) {
        let mut job_ids = Ids(4_010_000);
        let mut stage_ids = Ids(9_000);
        let states = match self.provider {
            Provider::Greenhouse => GH_STATES,
            Provider::Lever => LEVER_STATES,
            Provider::Ashby => ASHBY_STATES,
        };
        if self.provider == Provider::Lever {
            for (i, name) in data::LEVER_STAGES.iter().enumerate() {
                let kind = if i + 1 == data::LEVER_STAGES.len() { StageKind::Offer } else { StageKind::Active };
                self.stages.push(Stage {
                    id: stage_ids.take(rng),
                    uid: uid(rng),
                    job: None,
                    name,
                    position: i as i64,
                    kind,
                    created_at: START,
                });
            }
        }
        for j in 0..n_jobs {
            // Mostly a department; a few jobs have none, to exercise null departments.
            let department = if j % 11 == 10 { None } else { Some(rng.random_range(0..self.departments.len())) };
            let titles = data::JOB_TITLES[department.unwrap_or(0)];
            let title = titles[rng.random_range(0..titles.len())].to_string();
            let offices = match rng.random_range(0..20) {
                0 => vec![],
                1 | 2 => {
                    let a = rng.random_range(0..self.offices.len());
                    let b = (a + 1 + rng.random_range(0..self.offices.len() - 1)) % self.offices.len();
                    vec![a, b]
                }
                _ => vec![rng.random_range(0..self.offices.len())],
            };
            let state = states[j % states.len()];
            let created_at = START + rng.random_range(0..200 * DAY);
            let updated_at = created_at + rng.random_range(0..60 * DAY);
            let draft = matches!(state, "draft" | "Draft" | "pending" | "rejected");
            let opened_at = (!draft).then(|| created_at + rng.random_range(0..5 * DAY));
            let closed_at = matches!(state, "closed" | "Closed" | "Archived").then(|| updated_at);
            let mut job = Job {
                id: job_ids.take(rng),
                uid: uid(rng),
                plan_uid: uid(rng),
                title,
                state,
                department,
                offices,
                stages: Vec::new(),
                owner: rng.random_range(0..self.users.len() - 1),
                employment: ["FullTime", "FullTime", "FullTime", "PartTime", "Contract", "Intern"]
                    [rng.random_range(0..6)],
                created_at,
                updated_at,
                opened_at,
                closed_at,
                seq: 0,
                description: None,
                posted_at: updated_at,
                posting_lost: false,
            };
            let ji = self.jobs.len();
            if self.provider != Provider::Lever {
                let mut pipeline: Vec<(&'static str, StageKind)> = Vec::new();
                if self.provider == Provider::Ashby {
                    pipeline.push(("Lead", StageKind::Lead));
                }
                pipeline.push(("Application Review", StageKind::Screen));
                let k = rng.random_range(2..=5usize);
                let mut middle: Vec<usize> = rand::seq::index::sample(rng, data::MIDDLE_STAGES.len(), k).into_vec();
                middle.sort_unstable();
                pipeline.extend(middle.into_iter().map(|m| (data::MIDDLE_STAGES[m], StageKind::Active)));
                pipeline.push(("Offer", StageKind::Offer));
                if self.provider == Provider::Ashby {
                    pipeline.push(("Hired", StageKind::Hired));
                    pipeline.push(("Archived", StageKind::Archived));
                }
                for (pos, (name, kind)) in pipeline.into_iter().enumerate() {
                    job.stages.push(self.stages.len());
                    self.stages.push(Stage {
                        id: stage_ids.take(rng),
                        uid: uid(rng),
                        job: Some(ji),
                        name,
                        position: pos as i64,
                        kind,
                        created_at,
                    });
                }
            }
            self.jobs.push(job);
        }
    }

    /// Whether a job can receive applications (drafts and unapproved postings cannot).
    fn takes_applications(&self, j: usize) -> bool {
        !matches!(self.jobs[j].state, "draft" | "Draft" | "pending" | "rejected")
    }

    fn generate_talents(&mut self, rng: &mut ChaCha8Rng, n: usize) {
        // Open jobs get three times the applicants of closed ones.
        let mut job_pool: Vec<usize> = Vec::new();
        for j in 0..self.jobs.len() {
            if self.takes_applications(j) {
                let open = !matches!(self.jobs[j].state, "closed" | "Closed" | "Archived");
                job_pool.extend(std::iter::repeat_n(j, if open { 3 } else { 1 }));
            }
        }
        let mut talent_ids = Ids(10_000_000);
        let mut app_ids = Ids(50_000_000);
        let mut hist_ids = Ids(800_000_000);
        let mut file_ids = Ids(700_000);
        let span = END - 40 * DAY - START;
        let step = (span / n.max(1) as i64).max(1);
        for i in 0..n {
            let culture = &data::CULTURES[rng.random_range(0..data::CULTURES.len())];
            let (mut first, mut last): (Word, Word) =
                (*culture.first.choose(rng).unwrap(), *culture.last.choose(rng).unwrap());
            if rng.random_bool(0.1) {
                // People move: a first name from one culture with a last name from another.
                first = *data::CULTURES[rng.random_range(0..data::CULTURES.len())].first.choose(rng).unwrap();
            }
            // Names a UI must escape: always one early in the list, a few more scattered.
            if i == 7 {
                (first, last) = data::HTML_NAMES[0];
            } else if rng.random_bool(0.001) {
                (first, last) = data::HTML_NAMES[rng.random_range(0..data::HTML_NAMES.len())];
            }
            let created_at = START + i as i64 * step + rng.random_range(0..step);
            let updated_at = (created_at + rng.random_range(0..30 * DAY)).min(END - 1);
            let company = rng.random_bool(0.85).then(|| *data::COMPANIES.choose(rng).unwrap());
            let title = rng.random_bool(0.85).then(|| *data::TITLES.choose(rng).unwrap());

            let mut emails = Vec::new();
            // About 2% are the same person entered twice: same name and e-mail as an earlier talent.
            let duplicate_of = (i > 10 && rng.random_bool(0.02)).then(|| rng.random_range(0..i));
            if let Some(d) = duplicate_of {
                let other = &self.talents[d];
                (first, last) = ((other.first, other.slug.0), (other.last, other.slug.1));
                emails.push(other.emails[0].clone());
            }
            let n_emails = match rng.random_range(0..10) {
                0..=5 => 1,
                6..=8 => 2,
                _ => 3,
            };
            while emails.len() < n_emails {
                let value = match emails.len() {
                    0 => {
                        let domain = data::PERSONAL_DOMAINS.choose(rng).unwrap();
                        let local = format!("{}.{}{}", first.1, last.1, i);
                        if rng.random_bool(0.03) {
                            // Mixed case, as people type it; matching must not be case-sensitive.
                            format!("{}@{}", capitalize(&local), capitalize(domain))
                        } else {
                            format!("{local}@{domain}")
                        }
                    }
                    1 => format!("{}.{}@{}.example", first.1, last.1, slugify(company.unwrap_or("freelance"))),
                    _ => format!("{}{}@{}", &first.1[..1], last.1, data::PERSONAL_DOMAINS.choose(rng).unwrap()),
                };
                let kind = ["personal", "work", "other"][emails.len().min(2)];
                emails.push(Contact { kind, value });
            }
            let n_phones = match rng.random_range(0..20) {
                0..=4 => 0,
                5..=15 => 1,
                _ => 2,
            };
            let phones = (0..n_phones)
                .map(|k| Contact { kind: ["mobile", "work"][k], value: phone(rng, culture.phone) })
                .collect();
            let mut tags: Vec<&'static str> = Vec::new();
            for _ in 0..rng.random_range(0..=3) {
                let t = *data::TAGS.choose(rng).unwrap();
                if !tags.contains(&t) {
                    tags.push(t);
                }
            }
            let resume = rng.random_bool(0.3).then(|| Resume {
                id: file_ids.take(rng),
                uid: uid(rng),
                filename: format!("{}_{}_resume.pdf", first.1.replace('.', "_"), last.1),
                created_at,
                content: None,
            });
            let ti = self.talents.len();
            self.talents.push(Talent {
                id: talent_ids.take(rng),
                uid: uid(rng),
                first: first.0,
                last: last.0,
                slug: (first.1, last.1),
                preferred: rng.random_bool(0.05).then(|| *data::PREFERRED.choose(rng).unwrap()),
                emails,
                phones,
                company,
                title,
                tags,
                timezone: culture.timezone,
                created_at,
                updated_at,
                seq: 0,
                apps: Vec::new(),
                resume,
                deleted: false,
                corrupt: None,
            });
            self.generate_apps(rng, ti, &job_pool, &mut app_ids, &mut hist_ids);
        }
    }

    fn generate_apps(
        &mut self,
        rng: &mut ChaCha8Rng,
        ti: usize,
        job_pool: &[usize],
        app_ids: &mut Ids,
        hist_ids: &mut Ids,
    ) {
        let n_apps = match rng.random_range(0..100) {
            0..=74 => 1,
            75..=92 => 2,
            _ => 3,
        };
        let t_created = self.talents[ti].created_at;
        let mut plan: Vec<(Option<usize>, Status, Ms, Ms)> = Vec::new();
        for _ in 0..n_apps {
            // Greenhouse prospects and Lever leads are candidacies without a job; Ashby always has one.
            let prospect = self.provider != Provider::Ashby && (job_pool.is_empty() || rng.random_bool(0.05));
            let job = if prospect {
                None
            } else if job_pool.is_empty() {
                continue;
            } else {
                let mut j = *job_pool.choose(rng).unwrap();
                for _ in 0..3 {
                    if !plan.iter().any(|p| p.0 == Some(j)) {
                        break;
                    }
                    j = *job_pool.choose(rng).unwrap();
                }
                if plan.iter().any(|p| p.0 == Some(j)) {
                    continue;
                }
                Some(j)
            };
            let status = match (job, rng.random_range(0..100)) {
                (None, 0..=14) => Status::Rejected,
                (None, _) => Status::Active,
                (Some(_), 0..=4) => Status::Hired,
                (Some(_), 5..=19) => Status::Rejected,
                _ => Status::Active,
            };
            let created = (t_created + rng.random_range(0..10 * DAY)).min(END - 2 * DAY);
            let updated = (created + rng.random_range(0..25 * DAY)).min(END - 1);
            plan.push((job, status, created, updated));
        }
        // Lever: sometimes two opportunities of a contact share updatedAt, so the "most recently
        // updated, ties to the larger id" rule is exercised.
        if self.provider == Provider::Lever && plan.len() >= 2 && rng.random_bool(0.25) {
            let n = plan.len();
            let t = plan[n - 1].3.max(plan[n - 2].3);
            plan[n - 1].3 = t;
            plan[n - 2].3 = t;
        }
        for (job, status, created, updated) in plan {
            let ai = self.apps.len();
            let (path, stage) = self.pick_path(rng, job, status);
            let sourced = path.first().is_some_and(|&s| self.stages[s].position == 0);
            let reason = match status {
                Status::Active => None,
                Status::Rejected => {
                    let pool: Vec<usize> = (0..self.reasons.len()).filter(|&r| !self.reasons[r].hired).collect();
                    Some(*pool.choose(rng).unwrap())
                }
                Status::Hired => {
                    let pool: Vec<usize> = (0..self.reasons.len()).filter(|&r| self.reasons[r].hired).collect();
                    if pool.is_empty() {
                        None
                    } else {
                        // The plain "Hired" reason most of the time, the odd one out now and then.
                        Some(if rng.random_bool(0.8) { pool[0] } else { *pool.choose(rng).unwrap() })
                    }
                }
            };
            let recruiter = rng.random_range(0..self.users.len() - 1);
            let mut history = Vec::with_capacity(path.len());
            let n = path.len() as i64;
            for (k, &s) in path.iter().enumerate() {
                let entered = created + (updated - created) * k as i64 / n.max(1);
                let exited = (k as i64 + 1 < n).then(|| created + (updated - created) * (k as i64 + 1) / n);
                history.push(self.history.len());
                self.history.push(Hist {
                    id: hist_ids.take(rng),
                    uid: uid(rng),
                    app: ai,
                    stage: s,
                    entered,
                    exited,
                    user: recruiter,
                });
            }
            self.apps.push(App {
                id: app_ids.take(rng),
                uid: uid(rng),
                app_uid: uid(rng),
                talent: ti,
                job,
                stage,
                status,
                reason,
                closed_at: (status != Status::Active).then_some(updated),
                sourced,
                source: ["LinkedIn", "Referral", "Company website", "Indeed", "Agency", "Meetup"]
                    [rng.random_range(0..6)],
                recruiter,
                created_at: created,
                updated_at: updated,
                seq: 0,
                history,
                deleted: false,
                stale: None,
            });
            self.talents[ti].apps.push(ai);
        }
        if self.provider == Provider::Lever && self.talents[ti].apps.len() >= 2 {
            let latest = self.lever_latest(ti);
            for ai in self.talents[ti].apps.clone() {
                if Some(ai) != latest {
                    let tags = self.talents[ti].tags.iter().skip(1).copied().collect();
                    let headline = rng.random_bool(0.8).then(|| *data::COMPANIES.choose(rng).unwrap());
                    self.apps[ai].stale = Some(Box::new(Stale { headline, tags }));
                }
            }
        }
    }

    /// The stages an application went through, ending at its current one.
    fn pick_path(&self, rng: &mut ChaCha8Rng, job: Option<usize>, status: Status) -> (Vec<usize>, Option<usize>) {
        let pipeline: Vec<usize> = match (self.provider, job) {
            (Provider::Lever, _) => (0..self.stages.len()).collect(),
            (_, Some(j)) => self.jobs[j].stages.clone(),
            (_, None) => return (vec![], None),
        };
        let stage_at = |kind: StageKind| pipeline.iter().position(|&s| self.stages[s].kind == kind);
        let offer = stage_at(StageKind::Offer).unwrap_or(pipeline.len() - 1);
        let start = match self.provider {
            Provider::Lever if job.is_none() => 0,
            Provider::Lever => {
                if rng.random_bool(0.2) {
                    0
                } else {
                    data::LEVER_FIRST_APPLICANT_STAGE
                }
            }
            Provider::Ashby => usize::from(!rng.random_bool(0.15)),
            Provider::Greenhouse => 0,
        };
        let last = if job.is_none() { data::LEVER_FIRST_APPLICANT_STAGE - 1 } else { offer };
        // Pipelines are funnels: most applications sit in the early stages.
        let mut p = start;
        while p < last && rng.random_bool(0.55) {
            p += 1;
        }
        if status == Status::Hired {
            p = offer;
        }
        let mut path: Vec<usize> = pipeline[start..=p].to_vec();
        if self.provider == Provider::Ashby {
            match status {
                Status::Hired => path.push(pipeline[stage_at(StageKind::Hired).unwrap()]),
                Status::Rejected => path.push(pipeline[stage_at(StageKind::Archived).unwrap()]),
                Status::Active => {}
            }
        }
        let current = path.last().copied();
        (path, current)
    }

    fn reindex(&mut self) {
        let mut idx = Index {
            files: self.talents.iter().enumerate().filter_map(|(i, t)| t.resume.as_ref().map(|r| (r.uid, i))).collect(),
            ..Index::default()
        };
        if self.provider == Provider::Greenhouse {
            self.idx = idx;
            return;
        }
        idx.talents = self.talents.iter().enumerate().map(|(i, t)| (t.uid, i)).collect();
        idx.apps = self.apps.iter().enumerate().map(|(i, a)| (a.uid, i)).collect();
        idx.jobs = self.jobs.iter().enumerate().map(|(i, j)| (j.uid, i)).collect();
        idx.plans = self.jobs.iter().enumerate().map(|(i, j)| (j.plan_uid, i)).collect();
        idx.stages = self.stages.iter().enumerate().map(|(i, s)| (s.uid, i)).collect();
        idx.reasons = self.reasons.iter().enumerate().map(|(i, r)| (r.uid, i)).collect();
        idx.users = self.users.iter().enumerate().map(|(i, u)| (u.uid, i)).collect();
        self.idx = idx;
    }

    // ---- lookups by remote id (as the provider spells it) ----

    fn by_rid(&self, map: &HashMap<u128, usize>, rid: &str) -> Option<usize> {
        parse_uid(rid).and_then(|u| map.get(&u).copied())
    }

    pub fn talent_by_rid(&self, rid: &str) -> Option<usize> {
        match self.provider {
            Provider::Greenhouse => rid.parse().ok().and_then(|id| find_id(&self.talents, id, |t| t.id)),
            _ => self.by_rid(&self.idx.talents, rid),
        }
    }
    pub fn app_by_rid(&self, rid: &str) -> Option<usize> {
        match self.provider {
            Provider::Greenhouse => rid.parse().ok().and_then(|id| find_id(&self.apps, id, |a| a.id)),
            _ => self.by_rid(&self.idx.apps, rid),
        }
    }
    pub fn job_by_rid(&self, rid: &str) -> Option<usize> {
        match self.provider {
            Provider::Greenhouse => rid.parse().ok().and_then(|id| find_id(&self.jobs, id, |j| j.id)),
            _ => self.by_rid(&self.idx.jobs, rid),
        }
    }
    pub fn job_by_plan(&self, rid: &str) -> Option<usize> {
        self.by_rid(&self.idx.plans, rid)
    }
    pub fn stage_by_rid(&self, rid: &str) -> Option<usize> {
        match self.provider {
            Provider::Greenhouse => rid.parse().ok().and_then(|id| find_id(&self.stages, id, |s| s.id)),
            _ => self.by_rid(&self.idx.stages, rid),
        }
    }
    pub fn reason_by_rid(&self, rid: &str) -> Option<usize> {
        match self.provider {
            Provider::Greenhouse => rid.parse().ok().and_then(|id| find_id(&self.reasons, id, |r| r.id)),
            _ => self.by_rid(&self.idx.reasons, rid),
        }
    }
    pub fn user_by_rid(&self, rid: &str) -> Option<usize> {
        match self.provider {
            Provider::Greenhouse => rid.parse().ok().and_then(|id| find_id(&self.users, id, |u| u.id)),
            _ => self.by_rid(&self.idx.users, rid),
        }
    }
    /// The talent owning a resume, by the resume's uid (Lever resume ids, Ashby file handles).
    pub fn talent_by_file(&self, rid: &str) -> Option<usize> {
        self.by_rid(&self.idx.files, rid)
    }

    // ---- remote ids as the export contract spells them ----

    fn rid(&self, id: u64, uid: u128) -> String {
        match self.provider {
            Provider::Greenhouse => id.to_string(),
            _ => fmt_uid(uid),
        }
    }
    pub fn talent_rid(&self, t: usize) -> String {
        self.rid(self.talents[t].id, self.talents[t].uid)
    }
    pub fn app_rid(&self, a: usize) -> String {
        self.rid(self.apps[a].id, self.apps[a].uid)
    }
    pub fn job_rid(&self, j: usize) -> String {
        self.rid(self.jobs[j].id, self.jobs[j].uid)
    }
    pub fn stage_rid(&self, s: usize) -> String {
        self.rid(self.stages[s].id, self.stages[s].uid)
    }
    pub fn reason_rid(&self, r: usize) -> String {
        self.rid(self.reasons[r].id, self.reasons[r].uid)
    }

    /// Lever: the contact's opportunity its person data is read from: the most recently
    /// updated live one, ties broken by the larger opportunity id.
    pub fn lever_latest(&self, t: usize) -> Option<usize> {
        self.talents[t]
            .apps
            .iter()
            .copied()
            .filter(|&a| !self.apps[a].deleted)
            // Lowercase fixed-width hex sorts like the number, so comparing the u128 is comparing the ids.
            .max_by_key(|&a| (self.apps[a].updated_at, self.apps[a].uid))
    }

    /// What a Lever opportunity shows as headline and tags (older ones keep what was current then).
    pub fn lever_headline_tags(&self, a: usize) -> (Option<&'static str>, Vec<&'static str>) {
        match &self.apps[a].stale {
            Some(s) => (s.headline, s.tags.clone()),
            None => {
                let t = &self.talents[self.apps[a].talent];
                (t.company, t.tags.clone())
            }
        }
    }

    /// Whether the talent's records are served (a corrupt Lever contact takes its opportunities with it).
    fn talent_expected(&self, t: usize) -> bool {
        let t = &self.talents[t];
        t.live() && t.corrupt.is_none()
    }

    pub fn job_status(&self, j: usize) -> &'static str {
        match self.jobs[j].state {
            "published" | "internal" => "open",
            "pending" => "draft",
            "rejected" => "archived",
            "Open" => "open",
            "Closed" => "closed",
            "Draft" => "draft",
            "Archived" => "archived",
            s => s,
        }
    }

    pub fn stage_text(&self, s: Option<usize>) -> Option<&'static str> {
        s.map(|s| self.stages[s].name)
    }

    // ---- the export contract ----

    pub fn expected(&self, kind: ExportKind) -> Vec<Value> {
        let mut out: Vec<(String, Value)> = match kind {
            ExportKind::Jobs => (0..self.jobs.len())
                .map(|j| {
                    let job = &self.jobs[j];
                    let rid = self.job_rid(j);
                    let v = json!({
                        "remote_id": rid,
                        "title": job.title,
                        "status": self.job_status(j),
                        "department": job.department.map(|d| self.departments[d].name),
                        "location": job.offices.first().map(|&o| self.offices[o].name),
                        "updated_at": ts(job.updated_at),
                    });
                    (rid, v)
                })
                .collect(),
            ExportKind::Stages => (0..self.stages.len())
                .map(|s| {
                    let st = &self.stages[s];
                    let rid = self.stage_rid(s);
                    let v = json!({
                        "remote_id": rid,
                        "job_remote_id": st.job.map(|j| self.job_rid(j)),
                        "name": st.name,
                        "position": st.position,
                    });
                    (rid, v)
                })
                .collect(),
            ExportKind::Talents => (0..self.talents.len())
                .filter(|&t| self.talent_expected(t))
                .filter_map(|t| self.expected_talent(t))
                .collect(),
            ExportKind::Applications => {
                (0..self.apps.len()).filter_map(|a| Some((self.app_rid(a), self.expected_application(a)?))).collect()
            }
        };
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.into_iter().map(|(_, v)| v).collect()
    }

    /// One application's export record; None when `expected(Applications)` leaves it out.
    pub fn expected_application(&self, a: usize) -> Option<Value> {
        let app = &self.apps[a];
        if app.deleted || (self.provider == Provider::Lever && !self.talent_expected(app.talent)) {
            return None;
        }
        Some(json!({
            "remote_id": self.app_rid(a),
            "talent_remote_id": self.talent_rid(app.talent),
            "job_remote_id": app.job.map(|j| self.job_rid(j)),
            "stage_remote_id": app.stage.map(|s| self.stage_rid(s)),
            "stage_name": self.stage_text(app.stage),
            "status": app.status.export(),
            "updated_at": ts(app.updated_at),
        }))
    }

    /// The bodies of a live talent's notes, oldest first; None for an unknown or deleted talent.
    pub fn notes_of(&self, talent_rid: &str) -> Option<Vec<String>> {
        let ti = self.talent_by_rid(talent_rid).filter(|&t| self.talents[t].live())?;
        let mut notes: Vec<&Note> = self.notes.iter().filter(|n| n.talent == ti).collect();
        notes.sort_by_key(|n| (n.created_at, n.id));
        Some(notes.into_iter().map(|n| n.body.clone()).collect())
    }

    fn expected_talent(&self, ti: usize) -> Option<(String, Value)> {
        let t = &self.talents[ti];
        let rid = self.talent_rid(ti);
        let emails: Vec<&str> = t.emails.iter().map(|e| e.value.as_str()).collect();
        let phones: Vec<&str> = t.phones.iter().map(|p| p.value.as_str()).collect();
        let v = match self.provider {
            Provider::Greenhouse => json!({
                "remote_id": rid, "name": t.name(), "first_name": t.first, "last_name": t.last,
                "emails": emails, "phones": phones, "company": t.company, "title": t.title,
                "tags": t.tags, "updated_at": ts(t.updated_at),
            }),
            Provider::Lever => {
                let latest = self.lever_latest(ti)?;
                let (headline, tags) = self.lever_headline_tags(latest);
                json!({
                    "remote_id": rid, "name": t.name(), "first_name": null, "last_name": null,
                    "emails": emails, "phones": phones, "company": headline, "title": null,
                    "tags": tags, "updated_at": ts(self.apps[latest].updated_at),
                })
            }
            Provider::Ashby => json!({
                "remote_id": rid, "name": t.name(), "first_name": null, "last_name": null,
                "emails": emails, "phones": phones, "company": t.company, "title": t.title,
                "tags": t.tags, "updated_at": ts(t.updated_at),
            }),
        };
        Some((rid, v))
    }

    // ---- changes ----

    /// Job `j`'s description as HTML: the one set in the ATS, else generated from its title and
    /// department (no random draws, so adding it changed no other generated data).
    pub fn job_description(&self, j: usize) -> String {
        let job = &self.jobs[j];
        if let Some(html) = &job.description {
            return html.clone();
        }
        let team = job.department.map_or("our team", |d| self.departments[d].name);
        format!(
            "<p>Join {team} as <b>{}</b>.</p><h3>What you will do</h3><ul><li>Own the work end to end</li>\
             <li>Work with hiring managers and candidates</li></ul>",
            job.title
        )
    }

    /// Job `j`'s salary range (min, max) in USD a year, for two jobs in three.
    pub fn job_salary(&self, j: usize) -> Option<(u64, u64)> {
        let id = self.jobs[j].id;
        (!id.is_multiple_of(3)).then(|| {
            let min = 60_000 + (id % 10) * 10_000;
            (min, min + 30_000)
        })
    }

    fn bump(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// An edit of the person: new company and title, a new first e-mail address.
    pub fn update_talent(&mut self, ti: usize, at: Ms, rng: &mut ChaCha8Rng) {
        let seq = self.bump();
        let t = &mut self.talents[ti];
        t.company = Some(pick_other(rng, data::COMPANIES, t.company));
        t.title = Some(pick_other(rng, data::TITLES, t.title));
        let domain = data::PERSONAL_DOMAINS.choose(rng).unwrap();
        let value = format!("{}.{}.{}@{}", t.slug.0, t.slug.1, seq, domain);
        match t.emails.first_mut() {
            Some(e) => e.value = value,
            None => t.emails.push(Contact { kind: "personal", value }),
        }
        t.updated_at = at;
        t.seq = seq;
        if self.provider == Provider::Lever {
            // Contact data lives on the opportunities: all of them now show the current person.
            for ai in self.talents[ti].apps.clone() {
                let app = &mut self.apps[ai];
                if !app.deleted {
                    app.stale = None;
                    app.updated_at = at;
                    app.seq = seq;
                }
            }
        }
    }

    /// A new resume for a talent (new id, handle and name), which bumps the talent like an edit
    /// (and, on Lever, the opportunities that show the person).
    fn replace_resume(&mut self, ti: usize, at: Ms, rng: &mut ChaCha8Rng, content: Option<Vec<u8>>) {
        let next_id = self.talents.iter().filter_map(|t| t.resume.as_ref().map(|r| r.id)).max().unwrap_or(700_000) + 1;
        let old = self.talents[ti].resume.as_ref().expect("a talent with a resume");
        let (old_uid, filename) = (old.uid, format!("{}_{next_id}.pdf", old.filename.trim_end_matches(".pdf")));
        let new_uid = uid(rng);
        self.talents[ti].resume = Some(Resume { id: next_id, uid: new_uid, filename, created_at: at, content });
        self.idx.files.remove(&old_uid);
        self.idx.files.insert(new_uid, ti);
        self.update_talent(ti, at, rng);
    }

    /// Marks a talent deleted together with its applications; Lever records the deletions.
    pub fn delete_talent(&mut self, ti: usize, at: Ms) -> Vec<usize> {
        let seq = self.bump();
        self.talents[ti].deleted = true;
        self.talents[ti].seq = seq;
        let mut gone = Vec::new();
        for ai in self.talents[ti].apps.clone() {
            let app = &mut self.apps[ai];
            if app.deleted {
                continue;
            }
            app.deleted = true;
            app.seq = seq;
            gone.push(ai);
            if self.provider == Provider::Lever {
                self.deleted_opps.push(Deleted { uid: app.uid, at });
                if app.job.is_some() {
                    self.deleted_apps.push(Deleted { uid: app.app_uid, at });
                }
            }
        }
        gone
    }

    /// Moves an application to `stage`, closing its current stay and opening a new one.
    pub fn move_app(&mut self, ai: usize, stage: usize, at: Ms, user: usize) {
        let seq = self.bump();
        if let Some(&h) = self.apps[ai].history.last() {
            if self.history[h].exited.is_none() {
                self.history[h].exited = Some(at);
            }
        }
        let hid = self.history.last().map_or(800_000_000, |h| h.id) + 1;
        let huid = derived_uid(self.seed, 0x4849_5354, hid);
        self.apps[ai].history.push(self.history.len());
        self.history.push(Hist { id: hid, uid: huid, app: ai, stage, entered: at, exited: None, user });
        let kind = self.stages[stage].kind;
        let app = &mut self.apps[ai];
        app.stage = Some(stage);
        app.updated_at = at;
        app.seq = seq;
        if self.provider == Provider::Ashby {
            // In Ashby the stage type is the status.
            app.status = match kind {
                StageKind::Hired => Status::Hired,
                StageKind::Archived => Status::Rejected,
                _ => Status::Active,
            };
            if app.status == Status::Active {
                app.reason = None;
                app.closed_at = None;
            } else {
                app.closed_at = Some(at);
            }
        }
    }

    /// Greenhouse reject / Lever archive (with a reason) / unarchive (without).
    pub fn close_app(&mut self, ai: usize, reason: Option<usize>, at: Ms) {
        let seq = self.bump();
        let hired = reason.is_some_and(|r| self.reasons[r].hired);
        let app = &mut self.apps[ai];
        app.reason = reason;
        app.status = match reason {
            None => Status::Active,
            Some(_) if hired => Status::Hired,
            Some(_) => Status::Rejected,
        };
        app.closed_at = reason.map(|_| at);
        app.updated_at = at;
        app.seq = seq;
    }

    pub fn add_note(&mut self, ti: usize, app: Option<usize>, user: usize, body: String, at: Ms) -> usize {
        self.next_note += 1;
        let id = 120_000_000 + self.next_note;
        let uid = derived_uid(self.seed, 0x4E4F_5445, id);
        self.notes.push(Note { id, uid, talent: ti, app, user, body, created_at: at });
        // A note is activity on the record: it bumps updated_at where the provider keeps it.
        let seq = self.bump();
        match (self.provider, app) {
            (Provider::Lever, Some(a)) => {
                self.apps[a].updated_at = at;
                self.apps[a].seq = seq;
            }
            _ => {
                self.talents[ti].updated_at = at;
                self.talents[ti].seq = seq;
            }
        }
        self.notes.len() - 1
    }

    /// Someone in the ATS moves one application (the control API's `move`), under the guards
    /// the provider's own move has: Greenhouse moves active applications only, within the job's
    /// pipeline; an Ashby move to an Archived stage needs a reason (use the API for that).
    /// Returns the application's index; `updated_at` is `now`, or just after the previous value
    /// should that be later, so an incremental sync always sees the move.
    pub fn move_by_user(&mut self, app_rid: &str, stage_rid: &str, now: Ms) -> Result<usize, String> {
        let ai = self
            .app_by_rid(app_rid)
            .filter(|&a| !self.apps[a].deleted)
            .ok_or_else(|| format!("no application {app_rid}"))?;
        let stage = self.stage_by_rid(stage_rid).ok_or_else(|| format!("no stage {stage_rid}"))?;
        let app = &self.apps[ai];
        if self.provider != Provider::Lever && (app.job.is_none() || self.stages[stage].job != app.job) {
            return Err(format!("stage {stage_rid} is not in the pipeline of application {app_rid}"));
        }
        if app.stage == Some(stage) {
            return Err(format!("application {app_rid} is already in stage {stage_rid}"));
        }
        if self.provider == Provider::Greenhouse && app.status != Status::Active {
            return Err(format!(
                "application {app_rid} is {}; Greenhouse moves active applications only",
                app.status.export()
            ));
        }
        if self.provider == Provider::Ashby && self.stages[stage].kind == StageKind::Archived {
            return Err("moving to an Archived stage needs an archive reason: use application.changeStage".into());
        }
        let at = now.max(app.updated_at + 1);
        self.move_app(ai, stage, at, 0);
        Ok(ai)
    }

    /// Stages an active application may be moved to by a `move_applications` mutation.
    fn move_targets(&self, ai: usize) -> Vec<usize> {
        let app = &self.apps[ai];
        let pipeline: Vec<usize> = match (self.provider, app.job) {
            (Provider::Lever, _) => (0..self.stages.len()).collect(),
            (_, Some(j)) => self.jobs[j].stages.clone(),
            (_, None) => return vec![],
        };
        pipeline
            .into_iter()
            .filter(|&s| Some(s) != app.stage && !matches!(self.stages[s].kind, StageKind::Hired | StageKind::Archived))
            .collect()
    }

    pub fn mutate(&mut self, m: &Mutation, now: Ms) -> MutationReport {
        self.mutations += 1;
        let seed = m.seed.unwrap_or_else(|| mix(self.seed, 0x4D55_5441 ^ self.mutations));
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut report = MutationReport { at: ts(now), ..Default::default() };
        if let Some(limit) = m.incremental_sync_limit {
            self.sync_limit = limit;
        }

        let live: Vec<usize> = (0..self.talents.len()).filter(|&t| self.talents[t].live()).collect();
        for ti in sample(&mut rng, live, m.delete_talents) {
            report.deleted_talents.push(self.talent_rid(ti));
            for ai in self.delete_talent(ti, now) {
                report.deleted_applications.push(self.app_rid(ai));
            }
        }

        let healthy: Vec<usize> = (0..self.talents.len()).filter(|&t| self.talent_expected(t)).collect();
        for ti in sample(&mut rng, healthy, m.update_talents) {
            self.update_talent(ti, now, &mut rng);
            report.updated_talents.push(self.talent_rid(ti));
        }

        let movable: Vec<usize> = (0..self.apps.len())
            .filter(|&a| {
                let app = &self.apps[a];
                !app.deleted && app.status == Status::Active && app.job.is_some() && !self.move_targets(a).is_empty()
            })
            .collect();
        for ai in sample(&mut rng, movable, m.move_applications) {
            let targets = self.move_targets(ai);
            let to = *targets.choose(&mut rng).unwrap();
            self.move_app(ai, to, now, 0);
            report.moved_applications.push(self.app_rid(ai));
        }

        for j in sample(&mut rng, (0..self.jobs.len()).collect(), m.update_jobs) {
            let seq = self.bump();
            let job = &mut self.jobs[j];
            let title = job.title.trim_end_matches(" (Remote)").to_string();
            job.title = if title == job.title { format!("{title} (Remote)") } else { title };
            // Every other update also opens or closes the job.
            if j % 2 == 1 {
                let (state, closed) = match (self.provider, job.state) {
                    (Provider::Greenhouse, "open") => ("closed", true),
                    (Provider::Greenhouse, "closed") => ("open", false),
                    (Provider::Lever, "published" | "internal") => ("closed", true),
                    (Provider::Lever, "closed") => ("published", false),
                    (Provider::Ashby, "Open") => ("Closed", true),
                    (Provider::Ashby, "Closed") => ("Open", false),
                    (_, s) => (s, job.closed_at.is_some()),
                };
                job.state = state;
                job.closed_at = closed.then_some(now);
            }
            job.updated_at = now;
            job.seq = seq;
            report.updated_jobs.push(self.job_rid(j));
        }

        if let Some(set) = &m.set_job_description {
            match self.job_by_rid(&set.job) {
                Some(j) => {
                    let job = &mut self.jobs[j];
                    job.description = Some(set.html.clone());
                    job.posted_at = now;
                    // Lever's posting is the job; a Greenhouse post or an Ashby posting changes
                    // without its job (nor the job's place in Ashby's syncToken delta).
                    if self.provider == Provider::Lever {
                        let seq = self.bump();
                        let job = &mut self.jobs[j];
                        job.updated_at = now;
                        job.seq = seq;
                        report.updated_jobs.push(self.job_rid(j));
                    }
                }
                None => report.not_found.push(set.job.clone()),
            }
        }

        if let Some(rid) = &m.lose_job_posting {
            match self.job_by_rid(rid) {
                Some(j) => self.jobs[j].posting_lost = true,
                None => report.not_found.push(rid.clone()),
            }
        }

        if let Some(set) = &m.set_updated_at {
            match self.talent_by_rid(&set.talent).filter(|&t| self.talents[t].live()) {
                Some(ti) => {
                    let at = set.at.timestamp_millis();
                    self.update_talent(ti, at, &mut rng);
                    report.updated_talents.push(self.talent_rid(ti));
                }
                None => report.not_found.push(set.talent.clone()),
            }
        }

        if let Some(up) = &m.upload_resume {
            match self.talent_by_rid(&up.talent).filter(|&t| self.talents[t].live() && self.talents[t].resume.is_some())
            {
                Some(ti) => {
                    self.replace_resume(ti, now, &mut rng, Some(up.bytes.clone()));
                    report.replaced_resumes.push(self.talent_rid(ti));
                }
                None => report.not_found.push(up.talent.clone()),
            }
        }

        let with_resume: Vec<usize> =
            (0..self.talents.len()).filter(|&t| self.talent_expected(t) && self.talents[t].resume.is_some()).collect();
        for ti in sample(&mut rng, with_resume, m.replace_resumes) {
            self.replace_resume(ti, now, &mut rng, None);
            report.replaced_resumes.push(self.talent_rid(ti));
        }

        let healthy: Vec<usize> = (0..self.talents.len()).filter(|&t| self.talent_expected(t)).collect();
        for (k, ti) in sample(&mut rng, healthy, m.corrupt_talents).into_iter().enumerate() {
            self.talents[ti].corrupt = Some((k % 2) as u8);
            report.corrupted_talents.push(self.talent_rid(ti));
        }
        report
    }
}

/// `n` distinct elements of `pool` (all of them if it is smaller), in pool order.
fn sample(rng: &mut ChaCha8Rng, mut pool: Vec<usize>, n: usize) -> Vec<usize> {
    let n = n.min(pool.len());
    for i in 0..n {
        let j = rng.random_range(i..pool.len());
        pool.swap(i, j);
    }
    pool.truncate(n);
    pool.sort_unstable();
    pool
}

fn pick_other(rng: &mut ChaCha8Rng, list: &'static [&'static str], current: Option<&str>) -> &'static str {
    loop {
        let c = *list.choose(rng).unwrap();
        if Some(c) != current {
            return c;
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn slugify(s: &str) -> String {
    let out: String = s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    if out.is_empty() {
        "company".into()
    } else {
        out
    }
}

fn phone(rng: &mut ChaCha8Rng, pattern: &str) -> String {
    pattern.chars().map(|c| if c == '#' { char::from(b'0' + rng.random_range(0..10u8)) } else { c }).collect()
}
