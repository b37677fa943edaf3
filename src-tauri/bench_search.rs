//! `talentdeck bench --search`: how long the window's reads take while a big sync writes
//! (issue 14, part 1). For each store layout — every read waiting for the one writer's lock (as
//! before issue 14), then reads on their own read-only connections ([`talentdeck::app::READERS`]) —
//! it fills a store with one sandbox account of N talents, starts a full sync of a second
//! account of N talents, and while that runs makes the reads the window makes, through the same
//! `App` calls the shell commands make: a talent search, the Talents page's first page, a
//! talent's profile, the Jobs page, the sidebar's status. Latencies are reported as p50/p95/max
//! per read and layout, with the reading thread's own CPU time (p50): on 2 cores shared by the
//! sandbox, the sync and the reads, wall time is mostly waiting for a core, CPU time is what the
//! query costs. The same search is also timed idle (before the second sync starts) as the
//! baseline.
//! Speed goals live here, never in timed tests.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Serialize;

use talentdeck::app::{App, SyncOutcome, READERS};
use talentdeck::error::{Error, Result};
use talentdeck::model::Provider;
use talentdeck::sandbox::SandboxConfig;

/// Targets of issue 14, part 1 (ms).
pub const TARGET_SEARCH_P50_MS: f64 = 10.0;
pub const TARGET_SEARCH_P95_MS: f64 = 50.0;
pub const TARGET_PAGE_P95_MS: f64 = 100.0;
pub const TARGET_PROFILE_P95_MS: f64 = 100.0;

/// The window's first page of talents (ui TalentsView's PAGE).
const PAGE: u32 = 200;
/// A recruiter types a query every so often; this keeps the reads from starving the sync.
const PAUSE: Duration = Duration::from_millis(20);

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub read: &'static str,
    pub samples: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
    /// The reading thread's CPU time, median.
    pub cpu_p50_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Layout {
    /// Read-only connections; 0 = every read waits for the writer (before issue 14).
    pub readers: usize,
    /// Wall time of the second account's full sync, during which the reads ran.
    pub sync_s: f64,
    /// The talent search with nothing else running (the first account stored, no sync yet).
    pub idle_search: Latency,
    pub reads: Vec<Latency>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchBenchReport {
    pub talents: usize,
    pub cpus: usize,
    pub layouts: Vec<Layout>,
}

fn bench_error(what: impl std::fmt::Display) -> Error {
    Error::Internal(format!("bench: {what}"))
}

pub fn run(talents: usize, say: &dyn Fn(&str)) -> Result<SearchBenchReport> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| bench_error(format!("could not start the async runtime: {e}")))?;
    let mut layouts = Vec::new();
    for readers in [0, READERS] {
        say(&format!("layout with {readers} read-only connection(s)…"));
        layouts.push(layout(&rt, talents, readers, say)?);
    }
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    Ok(SearchBenchReport { talents, cpus, layouts })
}

fn sandbox(talents: usize, seed: u64) -> SandboxConfig {
    let mut cfg = SandboxConfig::new(Provider::Greenhouse);
    cfg.talents = talents;
    cfg.seed = seed;
    cfg
}

async fn full_sync(app: &App, id: i64) -> Result<()> {
    if let SyncOutcome::Ran(r) = app.sync(id, true, talentdeck::model::Trigger::Manual, &|_| {}).await? {
        if let Some(e) = r.error {
            return Err(e);
        }
    }
    Ok(())
}

fn layout(rt: &tokio::runtime::Runtime, talents: usize, readers: usize, say: &dyn Fn(&str)) -> Result<Layout> {
    let work = tempfile::Builder::new().prefix("talentdeck-bench-search-").tempdir()?;
    let app = Arc::new(App::open_with_readers(work.path(), readers)?);
    say(&format!("  storing a first account of {talents} talents…"));
    let first = rt.block_on(app.start_sandbox_with(sandbox(talents, 1), Utc::now()))?.id;
    rt.block_on(full_sync(&app, first))?;
    // Queries a recruiter would type: the first three letters of stored names; and the talents
    // a recruiter would open, from the same page.
    let listed = app.search_talents(None, "", 500)?;
    let profiles: Vec<i64> = listed.iter().map(|t| t.id).collect();
    let words: Vec<String> = listed
        .into_iter()
        .filter_map(|t| t.name.split_whitespace().next().map(|w| w.chars().take(3).collect()))
        .filter(|w: &String| w.chars().count() == 3)
        .collect();
    if words.is_empty() {
        return Err(bench_error("the first account has no talents to search for"));
    }
    let timed = |samples: &mut Vec<(f64, f64)>, read: &dyn Fn() -> Result<()>| -> Result<()> {
        let (t, cpu) = (Instant::now(), thread_cpu_ms());
        read()?;
        samples.push((t.elapsed().as_secs_f64() * 1000.0, thread_cpu_ms() - cpu));
        Ok(())
    };
    let mut idle = Vec::new();
    for word in words.iter().cycle().take(IDLE_SEARCHES) {
        timed(&mut idle, &|| app.search_talents(None, word, PAGE).map(drop))?;
    }
    say(&format!("  syncing a second account of {talents} talents while reading…"));
    let second = rt.block_on(app.start_sandbox_with(sandbox(talents, 2), Utc::now()))?.id;
    let started = Instant::now();
    let sync = rt.spawn({
        let app = app.clone();
        async move { full_sync(&app, second).await }
    });
    let mut search = Vec::new();
    let mut page = Vec::new();
    let mut profile = Vec::new();
    let mut jobs = Vec::new();
    let mut status = Vec::new();
    let mut i = 0;
    while !sync.is_finished() {
        let word = &words[i % words.len()];
        timed(&mut search, &|| app.search_talents(None, word, PAGE).map(drop))?;
        match i % 4 {
            0 => timed(&mut page, &|| app.search_talents(None, "", PAGE).map(drop))?,
            1 => timed(&mut profile, &|| app.talent_profile(profiles[i % profiles.len()], Utc::now()).map(drop))?,
            2 => timed(&mut jobs, &|| app.list_jobs(None, false).map(drop))?,
            _ => timed(&mut status, &|| app.status(Utc::now()).map(drop))?,
        }
        i += 1;
        std::thread::sleep(PAUSE);
    }
    rt.block_on(sync).map_err(|e| bench_error(format!("the sync task failed: {e}")))??;
    let sync_s = started.elapsed().as_secs_f64();
    let reads = vec![
        latency("talent search", search),
        latency("Talents page", page),
        latency("talent profile", profile),
        latency("Jobs page", jobs),
        latency("status", status),
    ];
    drop(app);
    Ok(Layout { readers, sync_s, idle_search: latency("idle search", idle), reads })
}

/// Searches timed idle, before the second sync starts.
const IDLE_SEARCHES: usize = 200;

/// CPU time this thread has used, in ms (NaN where not measured).
#[cfg(not(unix))]
fn thread_cpu_ms() -> f64 {
    f64::NAN
}

/// CPU time this thread has used, in ms.
#[cfg(unix)]
fn thread_cpu_ms() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec through a valid pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 * 1000.0 + t.tv_nsec as f64 / 1e6
}

fn latency(read: &'static str, samples: Vec<(f64, f64)>) -> Latency {
    let sorted = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v
    };
    let ms = sorted(samples.iter().map(|s| s.0).collect());
    let cpu = sorted(samples.iter().map(|s| s.1).collect());
    let at = |v: &[f64], q: f64| if v.is_empty() { f64::NAN } else { v[((v.len() - 1) as f64 * q).round() as usize] };
    Latency {
        read,
        samples: ms.len(),
        p50_ms: at(&ms, 0.5),
        p95_ms: at(&ms, 0.95),
        max_ms: ms.last().copied().unwrap_or(f64::NAN),
        cpu_p50_ms: at(&cpu, 0.5),
    }
}

pub fn render(r: &SearchBenchReport) -> String {
    let mut s = format!(
        "reads during a full sync of {} talents (with {} already stored), {} CPUs:\n",
        r.talents, r.talents, r.cpus
    );
    for l in &r.layouts {
        let how = if l.readers == 0 {
            "reads wait for the writer".to_string()
        } else {
            format!("{} read-only connections", l.readers)
        };
        s.push_str(&format!("  {how} (sync {:.1} s):\n", l.sync_s));
        for x in std::iter::once(&l.idle_search).chain(&l.reads) {
            s.push_str(&format!(
                "    {:<14} {:>5} reads  p50 {:>8.2} ms  p95 {:>8.2} ms  max {:>8.2} ms  CPU p50 {:>6.2} ms\n",
                x.read, x.samples, x.p50_ms, x.p95_ms, x.max_ms, x.cpu_p50_ms
            ));
        }
    }
    if let [before, after] = &r.layouts[..] {
        let search = |l: &Layout| l.reads[0].clone();
        let (b, a) = (search(before), search(after));
        s.push_str(&format!(
            "  talent search p50 {:.2} → {:.2} ms (goal ≤ {TARGET_SEARCH_P50_MS}), p95 {:.2} → {:.2} ms (goal ≤ {TARGET_SEARCH_P95_MS}); \
             Talents page p95 {:.2} → {:.2} ms (goal ≤ {TARGET_PAGE_P95_MS}); \
             talent profile p95 {:.2} → {:.2} ms (goal ≤ {TARGET_PROFILE_P95_MS})\n",
            b.p50_ms,
            a.p50_ms,
            b.p95_ms,
            a.p95_ms,
            before.reads[1].p95_ms,
            after.reads[1].p95_ms,
            before.reads[2].p95_ms,
            after.reads[2].p95_ms
        ));
    }
    s
}
