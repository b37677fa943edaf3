//! The sync engine: plans a pass per resource from its cursor, streams pages from a
//! [`Connector`] through a bounded channel into a single writer that stores each page with its
//! checkpoint atomically (the pages already queued share one commit), reconciles deletions
//! after complete full passes, and records the run. A crash at any moment leaves a consistent
//! database and a resumable cursor.

pub mod files;
pub mod mapping;
pub mod plan;
pub mod push;
pub mod text;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use chrono::Utc;
use futures_util::future::join_all;
use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::sync::mpsc;

use ats::{Connector, Incremental, Page, PageRequest, Since};
use model::error::{Error, Result};
use model::LogLevel;
use model::Trigger;
use model::{Connection, Provider, Resource};
use store::{Cursor, PageWrite, RunCounts, RunState, Store};

pub use plan::{plan_pass, Pass, OVERLAP, RECONCILE_EVERY};

/// How a run was asked for.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Ignore cursors: re-read everything and reconcile deletions.
    pub full: bool,
    /// `manual`, `scheduled`, `connect`.
    pub trigger: Trigger,
}

/// What the progress callback sees after each stored page.
#[derive(Debug, Clone)]
pub struct Progress {
    pub resource: Resource,
    pub pages: u64,
    pub records: u64,
    pub done: bool,
}

/// The outcome of a run.
#[derive(Debug)]
pub struct RunReport {
    pub run_id: i64,
    pub state: RunState,
    pub counts: HashMap<Resource, RunCounts>,
    pub requests: u64,
    pub rate_limited: u64,
    pub error: Option<Error>,
}

struct Message {
    resource: Resource,
    page: Page,
    pass: Pass,
    /// The cursor to store with this page.
    cursor: Cursor,
    last: bool,
}

fn lock(store: &Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|p| p.into_inner())
}

/// The single writer: stores pages with their checkpoints in arrival order, those already
/// queued in one transaction.
struct Writer<'a> {
    store: &'a Mutex<Store>,
    conn: &'a Connection,
    run_id: i64,
    abort: &'a AtomicBool,
    progress: &'a (dyn Fn(&Progress) + Sync),
    counts: HashMap<Resource, RunCounts>,
    records: HashMap<Resource, u64>,
    /// The connector's warnings logged so far: each is logged once per run.
    warned: HashSet<String>,
    /// The write that failed: the writer stops there (and with it, through the channel, the fetchers).
    failed: Option<Error>,
}

impl Writer<'_> {
    /// Writes a group of pages in one transaction; `false` once a write failed (the drain loop
    /// then stops).
    fn take(&mut self, group: Vec<Message>) -> bool {
        match self.write(&group) {
            Ok(()) => true,
            Err(e) => {
                self.abort.store(true, Ordering::Relaxed);
                self.failed = Some(e);
                false
            }
        }
    }

    /// What was written, per resource, how many warnings were logged, and whether every write
    /// succeeded.
    fn finish(self) -> (HashMap<Resource, RunCounts>, usize, Result<()>) {
        (self.counts, self.warned.len(), self.failed.map_or(Ok(()), Err))
    }

    /// All or nothing: a failed page rolls back the pages before it in the group too, checkpoints
    /// included, so the next run fetches them again. Counts and progress follow the commit.
    fn write(&mut self, group: &[Message]) -> Result<()> {
        let (conn, run_id) = (self.conn, self.run_id);
        let now = Utc::now();
        // Marked logged only once the transaction that logs them commits.
        let mut warned = self.warned.clone();
        let written = lock(self.store).in_transaction(|s| {
            group.iter().map(|m| write_page(s, conn, run_id, m, &mut warned, now)).collect::<Result<Vec<RunCounts>>>()
        })?;
        self.warned = warned;
        for (m, c) in group.iter().zip(written) {
            let total = self.counts.entry(m.resource).or_default();
            total.pages += c.pages;
            total.created += c.created;
            total.updated += c.updated;
            total.deleted += c.deleted;
            total.skipped += c.skipped;
            let pages = total.pages;
            let n = self.records.entry(m.resource).or_default();
            *n += m.page.batch.len() as u64;
            (self.progress)(&Progress { resource: m.resource, pages, records: *n, done: m.last });
        }
        Ok(())
    }
}

/// How many parsed pages may wait for the writer, which is also the most one commit takes.
/// Each commit writes every index page it changed to the WAL again, and new talents land all
/// over the name, e-mail and match-key indexes; the search index writes a segment per commit
/// and merges them later. 16 instead of 4: a 100,000-talent sync went from 15 s to 11 s. 64
/// instead of 16: 12 commits of talents instead of 40 and about a tenth less CPU (a third less
/// system time), for 114 instead of 77 MB at peak; a write from the window waits for the
/// commit under way, at most 0.66 s apart instead of 0.27 s (BENCHMARKS, "Stop 29"). Against a
/// real ATS pages come one by one under its rate limit, and a group is what is queued: a page.
const PAGES_AHEAD: usize = 64;

/// `first` and whatever else is already queued behind it (never waits for more).
fn group_from(first: Message, rx: &mut mpsc::Receiver<Message>) -> Vec<Message> {
    let mut group = vec![first];
    while group.len() < PAGES_AHEAD {
        match rx.try_recv() {
            Ok(m) => group.push(m),
            Err(_) => break,
        }
    }
    group
}

/// One page of a pass, inside the writer's transaction: its records, seen marks and checkpoint,
/// what it implies (Lever's orphaned people), its warnings, and the run's counts.
fn write_page(
    s: &mut Store,
    conn: &Connection,
    run_id: i64,
    m: &Message,
    warned: &mut HashSet<String>,
    now: chrono::DateTime<Utc>,
) -> Result<RunCounts> {
    let write = PageWrite {
        batch: &m.page.batch,
        listed: m.pass.full.then_some((m.resource, m.page.listed.as_slice())),
        seen_at: m.pass.started_at,
        cursor: &m.cursor,
        prune: m.last && m.pass.full,
    };
    let written = s.write_page(conn.id, &write, now)?;
    let mut c = RunCounts {
        pages: 1,
        created: written.created,
        updated: written.updated,
        deleted: written.deleted,
        skipped: m.page.skipped.len() as u64,
    };
    if m.last && conn.provider == Provider::Lever && m.resource == Resource::Applications {
        // Lever has no person listing: a person whose opportunities are all gone is gone.
        c.deleted += s.prune_talents_without_applications(conn.id, now)?;
    }
    for sk in &m.page.skipped {
        let msg = format!(
            "skipped a malformed {} record{}: field `{}`: {}",
            m.resource.as_str(),
            sk.remote_id.as_ref().map(|id| format!(" (id {id})")).unwrap_or_default(),
            sk.field,
            sk.reason
        );
        s.log(Some(conn.id), Some(run_id), LogLevel::Warning, &msg, None, now)?;
    }
    for w in &m.page.warnings {
        if warned.insert(w.clone()) {
            s.log(Some(conn.id), Some(run_id), LogLevel::Warning, w, None, now)?;
        }
    }
    if written.flagged > 0 {
        s.log(
            Some(conn.id),
            Some(run_id),
            LogLevel::Warning,
            &format!(
                "{} {} deleted in the ATS still have local changes waiting to be pushed; they are kept and flagged",
                written.flagged,
                m.resource.as_str()
            ),
            None,
            now,
        )?;
    }
    s.add_run_counts(run_id, m.resource, c)?;
    Ok(c)
}

/// A sync is background work and a search is a recruiter waiting: the writer thread (it ends
/// with the run) takes a lower scheduling priority, so when both want a core the window's reads
/// get it first. On a machine with a core to spare it changes nothing.
fn yield_to_the_window() {
    #[cfg(target_os = "linux")]
    // SAFETY: sets this thread's own nice value (Linux: PRIO_PROCESS with a thread id); no memory
    // is touched. Raising it needs no privilege; a failure only leaves the priority as it was.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, 10);
    }
}

/// Runs one sync of `conn` through `connector`. Never returns early on a provider error: the
/// error is recorded on the run and the connection, and returned in the report.
pub async fn run(
    store: &Mutex<Store>,
    conn: &Connection,
    connector: &dyn Connector,
    opts: &SyncOptions,
    progress: &(dyn Fn(&Progress) + Sync),
) -> Result<RunReport> {
    let started = Utc::now();
    let resources = connector.resources();
    let passes: Vec<Pass> = {
        let s = lock(store);
        resources
            .iter()
            .map(|&r| Ok(plan_pass(&s.cursor(conn.id, r)?, connector.incremental(r), opts.full, started)))
            .collect::<Result<_>>()?
    };
    if passes.iter().any(|p| p.resume_page.is_some()) {
        // Its own read-only connection: the lookups must not wait for the writer's commits.
        let reader = Mutex::new(Store::open_reader(lock(store).path())?);
        let cid = conn.id;
        connector.use_stored_talents(std::sync::Arc::new(move |ids: &[String]| lock(&reader).stored_talents(cid, ids)));
    }
    // The run is as full as its plan, not as the request: a first sync, a resumed full pass or
    // the daily reconciling pass re-read everything even when nobody asked for `--full`.
    let full = run_is_full(&passes, opts.full);
    let run_id = {
        let mut s = lock(store);
        let run_id = s.begin_run(conn.id, full, opts.trigger, started)?;
        crate::lifecycle::begin_sync(&mut s, conn.id, started)?;
        s.log(
            Some(conn.id),
            Some(run_id),
            LogLevel::Info,
            &format!("{} sync started", if full { "full" } else { "incremental" }),
            None,
            started,
        )?;
        run_id
    };

    // A bounded channel: fetchers run ahead of the writer by at most PAGES_AHEAD pages, so
    // memory stays flat whatever the account size.
    let (tx, rx) = mpsc::channel::<Message>(PAGES_AHEAD);
    let abort = AtomicBool::new(false);
    let fetchers = join_all(passes.into_iter().map(|pass| fetch_pass(connector, pass, tx.clone(), &abort)));
    drop(tx);

    let mut w = Writer {
        store,
        conn,
        run_id,
        abort: &abort,
        progress,
        counts: HashMap::new(),
        records: HashMap::new(),
        warned: HashSet::new(),
        failed: None,
    };
    let (fetched, written) = if Handle::current().runtime_flavor() == RuntimeFlavor::MultiThread {
        // The writer gets a thread of its own, so parsing the next pages (and waiting for the
        // ATS) overlaps with SQLite writing this one. `block_in_place` hands this worker's
        // other tasks to the rest of the runtime while the run drives its fetchers here.
        tokio::task::block_in_place(|| {
            std::thread::scope(|scope| {
                let writer = std::thread::Builder::new()
                    .name("sync-writer".into())
                    .spawn_scoped(scope, move || {
                        yield_to_the_window();
                        // `rx` moves in: when the writer stops on an error, the fetchers'
                        // sends fail and they stop too.
                        let mut rx = rx;
                        while let Some(m) = rx.blocking_recv() {
                            if !w.take(group_from(m, &mut rx)) {
                                break;
                            }
                        }
                        w.finish()
                    })
                    .map_err(|e| Error::Internal(format!("could not start the sync writer thread: {e}")));
                match writer {
                    Ok(writer) => {
                        let fetched = Handle::current().block_on(fetchers);
                        let written = writer.join().unwrap_or_else(|p| std::panic::resume_unwind(p));
                        (fetched, written)
                    }
                    Err(e) => (Vec::new(), (HashMap::new(), 0, Err(e))),
                }
            })
        })
    } else {
        // A current-thread runtime cannot lend its thread: write between fetches, as one task.
        let writer = async move {
            let mut rx = rx;
            while let Some(m) = rx.recv().await {
                if !w.take(group_from(m, &mut rx)) {
                    break;
                }
            }
            w.finish()
        };
        tokio::join!(fetchers, writer)
    };
    let (counts, warnings, written) = written;

    // The first provider error decides the run's fate; a store error trumps it.
    let error = match written {
        Err(e) => Some(e),
        Ok(_) => fetched.into_iter().find_map(|r| r.err()),
    };
    let skipped: u64 = counts.values().map(|c| c.skipped).sum();
    let warned = skipped > 0 || warnings > 0;
    let state = match (&error, warned) {
        (Some(_), _) => RunState::Failed,
        (None, false) => RunState::Succeeded,
        (None, true) => RunState::Warnings,
    };
    let stats = connector.stats();
    let (requests, rate_limited) = (stats.requests(), stats.rate_limited());
    let finished = Utc::now();
    {
        let mut s = lock(store);
        let err_pair = error.as_ref().map(|e| (e.code(), e.to_string()));
        s.finish_run(
            run_id,
            state,
            requests,
            rate_limited,
            err_pair.as_ref().map(|(c, m)| (*c, m.as_str())),
            finished,
        )?;
        crate::lifecycle::finish_sync(&mut s, conn.id, conn.state, error.as_ref(), run_id, finished)?;
        let summary = summarize(&counts, requests, rate_limited);
        match &error {
            None => s.log(
                Some(conn.id),
                Some(run_id),
                if warned { LogLevel::Warning } else { LogLevel::Info },
                &format!("sync finished{}: {summary}", if warned { " with warnings" } else { "" }),
                None,
                finished,
            )?,
            Some(e) => s.log(
                Some(conn.id),
                Some(run_id),
                LogLevel::Error,
                &format!("sync failed: {e}"),
                Some(&summary),
                finished,
            )?,
        }
    }
    Ok(RunReport { run_id, state, counts, requests, rate_limited, error })
}

/// Whether a run with these passes is a full one. Resources that cannot be read incrementally
/// (small lists such as Lever's stages) are re-read whole on every run and do not count.
fn run_is_full(passes: &[Pass], forced: bool) -> bool {
    forced || passes.iter().any(|p| p.full && p.kind != Incremental::None)
}

fn summarize(counts: &HashMap<Resource, RunCounts>, requests: u64, rate_limited: u64) -> String {
    let mut parts: Vec<String> = Resource::ALL
        .iter()
        .filter_map(|r| counts.get(r).map(|c| (r, c)))
        .map(|(r, c)| {
            format!(
                "{} +{} ~{} -{}{}",
                r.as_str(),
                c.created,
                c.updated,
                c.deleted,
                if c.skipped > 0 { format!(" skipped {}", c.skipped) } else { String::new() }
            )
        })
        .collect();
    parts.push(format!("{requests} requests"));
    if rate_limited > 0 {
        parts.push(format!("{rate_limited} rate-limited"));
    }
    parts.join(", ")
}

/// Fetches every page of one pass and hands them to the writer. A provider that invalidates
/// its incremental token gets one full pass instead.
async fn fetch_pass(
    connector: &dyn Connector,
    mut pass: Pass,
    tx: mpsc::Sender<Message>,
    abort: &AtomicBool,
) -> Result<()> {
    let mut page_token = pass.resume_page.clone();
    let mut restarted = false;
    loop {
        if abort.load(Ordering::Relaxed) {
            return Ok(());
        }
        let req = PageRequest {
            resource: pass.resource,
            since: pass.since.clone(),
            until: pass.started_at,
            page: page_token.clone(),
        };
        let page = match connector.page(&req).await {
            Ok(p) => p,
            // An expired token or a stale stored page: start the pass over as a full one (once).
            Err(Error::ResyncRequired(why))
                if !restarted && (pass.since != Since::Everything || page_token.is_some()) =>
            {
                tracing::info!(resource = pass.resource.as_str(), %why, "provider asked for a full resync");
                restarted = true;
                pass = pass.restart_full();
                page_token = None;
                continue;
            }
            Err(e) => {
                // Auth and permission failures concern every resource: stop the other passes too.
                if matches!(e, Error::Unauthorized(_) | Error::PermissionDenied(_)) {
                    abort.store(true, Ordering::Relaxed);
                }
                return Err(e);
            }
        };
        let last = page.next.is_none();
        let cursor =
            if last { pass.completed_cursor(page.sync_token.clone()) } else { pass.checkpoint(page.next.clone()) };
        page_token = page.next.clone();
        if tx.send(Message { resource: pass.resource, page, pass: pass.clone(), cursor, last }).await.is_err() {
            return Ok(()); // the writer stopped (store error); it reports why
        }
        if last {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use store::Cursor;

    #[test]
    fn a_run_is_full_when_its_plan_reads_an_incremental_resource_whole() {
        let now = Utc::now();
        let first = |r, kind| plan_pass(&Cursor::for_resource(r), kind, false, now);
        // A first sync: nobody asked for --full, every pass is full.
        let passes = vec![first(Resource::Jobs, Incremental::UpdatedAt), first(Resource::Stages, Incremental::None)];
        assert!(run_is_full(&passes, false));
        // Later runs: the incremental resources read only changes; a list that is always read
        // whole (Lever's stages) does not make the run a full one.
        let later: Vec<Pass> = passes
            .iter()
            .map(|p| plan_pass(&p.completed_cursor(None), p.kind, false, now + chrono::Duration::minutes(15)))
            .collect();
        assert!(later[1].full, "a resource without an incremental filter is always read whole");
        assert!(!run_is_full(&later, false));
        assert!(run_is_full(&later, true), "--full is full");
        // The daily reconciling pass is full.
        let next_day: Vec<Pass> =
            passes.iter().map(|p| plan_pass(&p.completed_cursor(None), p.kind, false, now + RECONCILE_EVERY)).collect();
        assert!(run_is_full(&next_day, false));
    }
}
