//! Background work, for whichever front door keeps the app running: syncs (then the file step),
//! pushes, and the schedule that starts syncs when they are due. The desktop shell runs it with an
//! [`Observer`] that tells the window; `talentdeck run` runs it headless with one that logs.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;

use model::{Provider, Trigger};

use crate::app::{App, SyncOutcome};
use crate::sync::files::FileLimits;
use crate::sync::Progress;

/// How often the schedule looks for connections due to sync.
pub const TICK: Duration = Duration::from_secs(30);

/// During a sync, the observer hears of new data at most this often. A sync lands pages many times
/// a second, and each `models_changed` has the window reload what it shows (a query and a repaint,
/// hundreds of milliseconds without a GPU), which competed with the sync and with the recruiter's
/// typing; the end of the run is always told.
pub const MODELS_EVERY: Duration = Duration::from_secs(2);

/// Who hears about background work as it happens.
pub trait Observer: Send + Sync + 'static {
    /// Connection health may have changed (a run started or ended, a credential was refused).
    fn status_changed(&self, app: &App);
    /// A connection's local data changed.
    fn models_changed(&self, connection_id: i64);
}

/// Starts background work on the tokio runtime it is called from.
#[derive(Clone)]
pub struct Runner {
    app: Arc<App>,
    observer: Arc<dyn Observer>,
}

impl Runner {
    pub fn new(app: Arc<App>, observer: Arc<dyn Observer>) -> Runner {
        Runner { app, observer }
    }

    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Runs a sync in the background, telling the observer as pages land and when the state
    /// changes, then (not before: resume files never hold up a sync) fetches the files.
    pub fn spawn_sync(&self, id: i64, full: bool, trigger: Trigger) {
        let this = self.clone();
        tokio::spawn(async move { this.sync(id, full, trigger).await });
    }

    /// A sync and then its file step, in the foreground.
    pub async fn sync(&self, id: i64, full: bool, trigger: Trigger) {
        let (app, observer) = (&self.app, &self.observer);
        // When the window last heard of new data; never yet means the run's first page.
        let told = Mutex::new(None::<Instant>);
        let on_progress = |_: &Progress| {
            let mut told = told.lock().unwrap_or_else(|e| e.into_inner());
            if told.is_none() {
                observer.status_changed(app);
            }
            if told.is_none_or(|at| at.elapsed() >= MODELS_EVERY) {
                *told = Some(Instant::now());
                observer.models_changed(id);
            }
        };
        let succeeded = match app.sync(id, full, trigger, &on_progress).await {
            Ok(SyncOutcome::Ran(report)) => report.error.is_none(),
            // The run we joined fetches the files when it ends.
            Ok(SyncOutcome::Joined) => false,
            Err(e) => {
                tracing::warn!(connection = id, error = %e, "sync could not run");
                false
            }
        };
        observer.status_changed(app);
        observer.models_changed(id);
        if !succeeded {
            return; // the failure is on the card already; files would only fail the same way
        }
        match app.fetch_files(id, &FileLimits::default()).await {
            Ok(Some(r)) if r.eventful() => {
                observer.status_changed(app);
                observer.models_changed(id);
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(connection = id, error = %e, "could not fetch files"),
        }
    }

    /// Pushes a connection's queued changes in the background; the observer hears when the push
    /// ends (cards go from pending to sent, failed or conflict) and about the health, in case a
    /// refused credential changed the connection's state.
    pub fn spawn_push(&self, id: i64) {
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(e) = this.app.push(id).await {
                tracing::warn!(connection = id, error = %e, "push failed");
            }
            this.observer.status_changed(&this.app);
            this.observer.models_changed(id);
        });
    }

    /// What keeping the app running means, forever: the sandbox connections get their in-process
    /// simulators back (before anyone asks them for data), `try_sandbox` gets a sandbox connection
    /// of that provider unless one exists, then the schedule runs.
    pub async fn run(self, try_sandbox: Option<Provider>) {
        if let Err(e) = self.app.resume_sandboxes(Utc::now()).await {
            tracing::warn!(error = %e, "could not restart the sandbox ATS");
        }
        if let Some(provider) = try_sandbox {
            let exists = self.app.status(Utc::now()).map(|all| all.iter().any(|c| c.sandbox && c.provider == provider));
            if matches!(exists, Ok(false)) {
                match self.app.start_sandbox(provider, Utc::now()).await {
                    Ok(s) => self.spawn_sync(s.id, false, Trigger::Connect),
                    Err(e) => tracing::warn!(error = %e, "could not start the sandbox ATS"),
                }
            }
        }
        self.observer.status_changed(&self.app);
        // After the sandboxes are back, so their first scheduled sync finds them.
        self.run_schedule().await
    }

    /// Automatic sync, forever: every [`TICK`], starts the syncs [`crate::schedule`] says are
    /// due. A run never doubles up: a due connection that is already syncing is joined by
    /// `App::sync`.
    pub async fn run_schedule(self) {
        let mut tick = tokio::time::interval(TICK);
        loop {
            tick.tick().await;
            match self.app.due_for_sync(Utc::now()) {
                Ok(due) => due.into_iter().for_each(|id| self.spawn_sync(id, false, Trigger::Scheduled)),
                Err(e) => tracing::warn!(error = %e, "could not check which connections are due to sync"),
            }
        }
    }
}
