//! The sandbox ATS: simulators of the Greenhouse Harvest v3, Lever v1 and Ashby HTTP APIs over a
//! generated, deterministic account, for tests, benches and "Try with a sandbox".
//!
//! One [`Sandbox`] serves one provider on 127.0.0.1. Everything a connector meets in production
//! is reproduced where the notes in shared/ats-apis.md pin it down (auth, pagination, filters,
//! error shapes, rate-limit headers), and faults can be switched on: latency, rate limits,
//! 5xx, a credential that dies, missing permissions. A control API under `/_sandbox/` (no auth)
//! mutates the data and tells what a correct sync must end up with (`expected`). For two-way
//! sync it also moves applications as someone in the ATS would (`move`), shows what the ATS
//! holds after a push (`applications/{id}`, `talents/{id}/notes`, `reasons`), loses the answers
//! of writes it applied (`lose-answers`) and stops answering altogether (`unreachable`,
//! `reachable`). Every endpoint is also a method on [`Sandbox`].

// Handlers answer refusals as ready-made responses (`Result<_, Response>`), axum's idiom: that error
// is large by nature, and boxing it would buy nothing a request would notice.
#![allow(clippy::result_large_err)]

mod ashby;
mod data;
mod greenhouse;
mod http;
mod lever;
mod world;

/// A one-page PDF with the given lines, as the sandbox serves resumes (tests upload their own).
pub use http::tiny_pdf;

use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use http::{Cut, CutListener, Req};
use model::error::{Error, Result};
use model::ExportKind;
use model::Provider;
use world::{mix, World};

/// How to start a sandbox.
#[derive(Clone)]
pub struct SandboxConfig {
    pub provider: Provider,
    /// 0 picks a free port.
    pub port: u16,
    pub seed: u64,
    pub jobs: usize,
    pub talents: usize,
    /// Accepted secrets (API keys, or Greenhouse client secrets); empty: one is generated.
    pub credentials: Vec<String>,
    pub faults: Faults,
}

/// Debug without the secrets.
impl std::fmt::Debug for SandboxConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxConfig")
            .field("provider", &self.provider)
            .field("port", &self.port)
            .field("seed", &self.seed)
            .field("jobs", &self.jobs)
            .field("talents", &self.talents)
            .field("credentials", &format!("{} hidden", self.credentials.len()))
            .field("faults", &self.faults)
            .finish()
    }
}

impl SandboxConfig {
    pub fn new(provider: Provider) -> Self {
        SandboxConfig {
            provider,
            port: 0,
            seed: 1,
            jobs: 12,
            talents: 300,
            credentials: Vec::new(),
            faults: Faults::default(),
        }
    }
}

/// Misbehaviour to inject into provider API requests (never into `/_sandbox/*`; the Greenhouse
/// token endpoint only refuses revoked secrets).
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// A fixed window per credential; over budget → 429, with `Retry-After` where the provider
    /// sends one (Greenhouse, Ashby; not Lever). Greenhouse also announces the window in
    /// `X-RateLimit-Limit/Remaining/Reset` on every answer.
    pub rate_limit: Option<RateLimit>,
    /// Added before every API response.
    pub latency: Duration,
    /// Fraction of authenticated API requests answered 500/502/503, decided from the seed and a
    /// request counter (so a run with the same traffic fails the same way).
    pub fail_rate: f64,
    /// After N authenticated requests a credential is revoked: 401 from then on.
    pub expire_credential_after: Option<u64>,
    /// Permissions the credential lacks: the endpoints needing one answer 403 naming it, in the
    /// provider's error shape, and change nothing. In each provider's own vocabulary:
    /// - writes: Greenhouse `harvest:applications:move`, `harvest:applications:reject`,
    ///   `harvest:notes:create`; Lever `opportunities:write:admin` (stage and archived),
    ///   `notes:write:admin`; Ashby `candidatesWrite` (application.changeStage,
    ///   candidate.createNote). Denying these alone gives a read-only credential.
    /// - reads: Greenhouse `harvest:<resource>:list` (e.g. `harvest:candidates:list`); Lever
    ///   `<resource>:read:admin` (e.g. `opportunities:read:admin`); Ashby `candidatesRead`,
    ///   `jobsRead`, `hiringProcessMetadataRead`, `organizationRead`.
    pub deny_scopes: Vec<String>,
}

/// `R/WINDOW`, e.g. "50/30s", "10/1s", "1000/1m", "5/500ms".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub window: Duration,
}

impl FromStr for RateLimit {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || format!("{s:?} is not a rate limit; write requests/window, e.g. 50/30s, 10/1s or 1000/1m");
        let (r, w) = s.trim().split_once('/').ok_or_else(bad)?;
        let requests: u32 = r.trim().parse().map_err(|_| bad())?;
        let w = w.trim();
        let split = w.find(|c: char| !c.is_ascii_digit()).unwrap_or(w.len());
        let (n, unit) = w.split_at(split);
        // "10/s" means one second.
        let n: u64 = if n.is_empty() { 1 } else { n.parse().map_err(|_| bad())? };
        let window = match unit {
            "ms" => Duration::from_millis(n),
            "s" | "" => Duration::from_secs(n),
            "m" => Duration::from_secs(n * 60),
            "h" => Duration::from_secs(n * 3600),
            _ => return Err(bad()),
        };
        if requests == 0 || window.is_zero() {
            return Err(bad());
        }
        Ok(RateLimit { requests, window })
    }
}

impl std::fmt::Display for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = self.window.as_millis();
        if ms.is_multiple_of(60_000) {
            write!(f, "{}/{}m", self.requests, ms / 60_000)
        } else if ms.is_multiple_of(1000) {
            write!(f, "{}/{}s", self.requests, ms / 1000)
        } else {
            write!(f, "{}/{}ms", self.requests, ms)
        }
    }
}

/// Where a sandbox listens and how to authenticate to it.
#[derive(Serialize, Clone, Debug)]
pub struct SandboxInfo {
    pub provider: Provider,
    pub base_url: String,
    pub auth_url: Option<String>,
    /// Greenhouse `{client_id, client_secret, user_id}`; Lever and Ashby `{api_key}`.
    pub credentials: Value,
}

/// What the sandbox has answered so far.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct SandboxStats {
    /// Every request to a provider endpoint (API, token endpoint, file downloads).
    pub requests: u64,
    /// 429s sent.
    pub rate_limited: u64,
    /// 5xx injected by `fail_rate`.
    pub failures_injected: u64,
    /// 401s sent (missing, wrong, expired or revoked credentials; includes the token endpoint).
    pub unauthorized: u64,
    /// 403s sent for denied scopes.
    pub forbidden: u64,
    /// Greenhouse access tokens issued.
    pub tokens_issued: u64,
    /// Provider writes applied whose answer was lost (`lose_answers`): the connection was
    /// closed instead. Counted in `requests` too.
    #[serde(default)]
    pub answers_lost: u64,
    /// Provider requests closed unanswered while unreachable (`go_unreachable`); not counted in
    /// `requests`, since nothing handled them.
    #[serde(default)]
    pub refused: u64,
}

/// A change to the sandbox's data, as a test of incremental sync or of deletions needs it.
/// Every field is optional; `POST /_sandbox/mutate` takes it as JSON.
#[derive(Serialize, Deserialize, Clone, Debug, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Mutation {
    /// Change company, title and the first e-mail of N talents; `updated_at` = now.
    pub update_talents: usize,
    /// Delete N talents with their applications (Lever: listed in `/opportunities/deleted`).
    pub delete_talents: usize,
    /// Move N active applications to another stage of their pipeline; `updated_at` = now.
    pub move_applications: usize,
    /// Retitle N jobs (every other one also opens/closes); `updated_at` = now.
    pub update_jobs: usize,
    /// Serve N talents malformed from now on; `expected()` leaves them out.
    pub corrupt_talents: usize,
    /// Update one talent like `update_talents`, with `updated_at` set to `at` instead of now.
    pub set_updated_at: Option<SetUpdatedAt>,
    /// Someone in the ATS rewrites a job's description (any HTML, hostile included). Lever: the
    /// posting's (the job's) `updated_at` = now; Greenhouse: the job post's `updated_at` = now,
    /// the job's unchanged; Ashby: the posting's `updatedAt` = now, the job (and its place in
    /// `job.list`'s syncToken delta) unchanged.
    pub set_job_description: Option<SetJobDescription>,
    /// Ashby: the posting of this job (remote id) is gone while `job.list` still names it:
    /// `jobPosting.info` answers `job_posting_not_found` from now on.
    pub lose_job_posting: Option<String>,
    /// Seed of the random choices (default: derived from the sandbox seed and a counter).
    pub seed: Option<u64>,
    /// Ashby: a syncToken delta with more changed records than this fraction of the collection
    /// is refused with `incremental_sync_too_large` (default 0.2).
    pub incremental_sync_limit: Option<f64>,
    /// Give N talents who have a resume a new one (new id and name; the talent's `updated_at`
    /// = now), as when a candidate uploads an updated CV.
    pub replace_resumes: usize,
    /// A talent who has a resume uploads a new one with exactly these bytes (any bytes: a
    /// hostile, broken or huge "PDF" included), as `replace_resumes` does (new id and name, the
    /// talent's `updated_at` = now). A talent without a resume is reported not found.
    pub upload_resume: Option<UploadResume>,
    /// Invalidate every signed file link handed out so far, as the providers' links expire
    /// (Greenhouse: after 7 days): downloads through them get 403 until re-listed.
    pub expire_file_links: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct SetUpdatedAt {
    /// The talent's remote id as the export contract spells it.
    pub talent: String,
    pub at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct UploadResume {
    /// The talent's remote id as the export contract spells it.
    pub talent: String,
    pub bytes: Vec<u8>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct SetJobDescription {
    /// The job's remote id as the export contract spells it.
    pub job: String,
    pub html: String,
}

/// The remote ids (as the export contract spells them) a mutation touched.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct MutationReport {
    /// When the mutation happened (the `updated_at` of what it changed, except `set_updated_at`).
    pub at: String,
    pub updated_talents: Vec<String>,
    pub deleted_talents: Vec<String>,
    pub deleted_applications: Vec<String>,
    pub moved_applications: Vec<String>,
    pub updated_jobs: Vec<String>,
    pub corrupted_talents: Vec<String>,
    /// Talents whose resume was replaced.
    pub replaced_resumes: Vec<String>,
    /// Ids named by `set_updated_at`, `set_job_description` or `lose_job_posting` that do not
    /// exist (or were deleted).
    pub not_found: Vec<String>,
}

/// A running simulator. Dropping it stops the server too; `shutdown` waits for that.
pub struct Sandbox {
    info: SandboxInfo,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Sandbox {
    /// Generates the account and starts serving it on 127.0.0.1 (never another interface).
    pub async fn start(cfg: SandboxConfig) -> Result<Sandbox> {
        if !(0.0..=1.0).contains(&cfg.faults.fail_rate) {
            return Err(Error::Validation("the sandbox fail rate must be between 0 and 1".into()));
        }
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, cfg.port))
            .await
            .map_err(|e| Error::Io(format!("the sandbox cannot listen on 127.0.0.1:{}: {e}", cfg.port)))?;
        let port = listener.local_addr()?.port();
        let origin = format!("http://127.0.0.1:{port}");
        let (provider, seed, jobs, talents) = (cfg.provider, cfg.seed, cfg.jobs, cfg.talents);
        // Generating 100k talents takes a moment: keep it off the async workers.
        let world = tokio::task::spawn_blocking(move || World::generate(provider, seed, jobs, talents))
            .await
            .map_err(|e| Error::Internal(format!("generating the sandbox data failed: {e}")))?;

        let user_id = world.users[0].id.to_string();
        let mut auth = Auth {
            creds: Vec::new(),
            current: 0,
            client_id: format!("sandbox-client-{:08x}", mix(seed, 0xC11E) as u32),
            user: 0,
            user_id,
            tokens: HashMap::new(),
            issued: 0,
        };
        let secrets = if cfg.credentials.is_empty() { vec![auth.new_secret(provider, seed)] } else { cfg.credentials };
        for s in secrets {
            auth.creds.push(Cred::new(s));
        }
        let base_url = match provider {
            Provider::Greenhouse => format!("{origin}/v3"),
            Provider::Lever => format!("{origin}/v1"),
            Provider::Ashby => origin.clone(),
        };
        let auth_url = (provider == Provider::Greenhouse).then(|| format!("{origin}/token"));
        let info = SandboxInfo { provider, base_url, auth_url, credentials: auth.credentials_json(provider, 0) };
        let shared = Arc::new(Shared {
            provider,
            seed,
            origin,
            info: Mutex::new(info.clone()),
            world: RwLock::new(world),
            auth: Mutex::new(auth),
            sync_tokens: Mutex::new(HashMap::new()),
            denied: Mutex::new(cfg.faults.deny_scopes.clone()),
            faults: cfg.faults,
            counters: Counters::default(),
            link_epoch: AtomicU64::new(0),
            lose_answers: AtomicU64::new(0),
            unreachable: AtomicBool::new(false),
        });

        let router = Router::new()
            .route("/_sandbox/info", get(control_info))
            .route("/_sandbox/stats", get(control_stats))
            .route("/_sandbox/expected/{kind}", get(control_expected))
            .route("/_sandbox/mutate", post(control_mutate))
            .route("/_sandbox/rotate-credential", post(control_rotate))
            .route("/_sandbox/move", post(control_move))
            .route("/_sandbox/lose-answers", post(control_lose_answers))
            .route("/_sandbox/unreachable", post(control_unreachable))
            .route("/_sandbox/reachable", post(control_reachable))
            .route("/_sandbox/applications/{id}", get(control_application))
            .route("/_sandbox/talents/{id}/notes", get(control_notes))
            .route("/_sandbox/reasons", get(control_reasons))
            .fallback(provider_api)
            .with_state(shared.clone())
            .into_make_service_with_connect_info::<Cut>();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(CutListener(listener), router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!(error = %e, "the sandbox server stopped");
            }
        });
        tracing::info!(provider = %provider, base_url = %info.base_url, "sandbox ATS started");
        Ok(Sandbox { info, shared, stop: Some(stop), task: Some(task) })
    }

    /// The address and credentials the sandbox started with (see `rotate_credential`).
    pub fn info(&self) -> &SandboxInfo {
        &self.info
    }

    pub fn base_url(&self) -> &str {
        &self.info.base_url
    }

    /// The sandbox's data in the export contract, sorted by remote_id, without `connection`.
    pub fn expected(&self, kind: ExportKind) -> Vec<Value> {
        self.shared.world().expected(kind)
    }

    /// Every live talent's resume, by the talent's remote id (as the export contract spells
    /// it): the file name and the bytes a download serves.
    pub fn expected_files(&self) -> std::collections::BTreeMap<String, (String, Vec<u8>)> {
        let w = self.shared.world();
        (0..w.talents.len())
            .filter(|&t| w.talents[t].live())
            .filter_map(|t| {
                let r = w.talents[t].resume.as_ref()?;
                Some((w.talent_rid(t), (r.filename.clone(), resume_pdf(&w.talents[t]))))
            })
            .collect()
    }

    pub fn mutate(&self, m: Mutation) -> MutationReport {
        self.shared.mutate(&m)
    }

    pub fn stats(&self) -> SandboxStats {
        self.shared.counters.snapshot()
    }

    /// Issues a fresh accepted credential (a reconnect); it starts with a zero request count,
    /// so `expire_credential_after` counts anew. Older credentials keep their state.
    pub fn rotate_credential(&self) -> Value {
        self.shared.rotate()
    }

    /// Someone in the ATS moves one application to a stage of its pipeline, as a real move:
    /// a new stage-history entry and a newer `updated_at`. Ids as the export contract spells
    /// them. The report names the application in `moved_applications`; `at` is its new
    /// `updated_at`. Errors say why the ATS would not allow the move.
    pub fn move_application(&self, application: &str, stage: &str) -> std::result::Result<MutationReport, String> {
        self.shared.move_application(application, stage)
    }

    /// The next `count` provider writes (Greenhouse move/reject/notes, Lever stage/archived/
    /// notes, Ashby application.changeStage/candidate.createNote; not reads) are applied and then
    /// answered with nothing: the connection closes, the client sees a transport error. Only
    /// writes that reach the simulator count (not those refused with 401/403/429 or an injected
    /// 5xx); one the simulator itself refuses (e.g. a 422 for a stale stage) loses its answer
    /// too, as a network drop would. Replaces any count still pending.
    pub fn lose_answers(&self, count: u64) {
        self.shared.lose_answers.store(count, Relaxed);
    }

    /// From now on every provider request (API, token endpoint, file downloads) is closed
    /// without an answer and without effect; `/_sandbox/*` keeps working.
    pub fn go_unreachable(&self) {
        self.shared.unreachable.store(true, Relaxed);
    }

    /// Ends `go_unreachable`.
    pub fn come_back(&self) {
        self.shared.unreachable.store(false, Relaxed);
    }

    /// From now on the credential lacks these permissions too (names as `Faults::deny_scopes`),
    /// as when an admin edits the key's permissions while Talentdeck is connected.
    pub fn deny_scopes(&self, scopes: &[&str]) {
        self.shared.denied.lock().unwrap_or_else(|p| p.into_inner()).extend(scopes.iter().map(|s| s.to_string()));
    }

    /// One application as `expected(Applications)` spells it; None if it is unknown, deleted
    /// or left out of `expected`.
    pub fn application(&self, remote_id: &str) -> Option<Value> {
        self.shared.application(remote_id)
    }

    /// The bodies of a talent's notes as the ATS holds them, oldest first (empty for an unknown
    /// or deleted talent).
    pub fn notes_of(&self, talent_remote_id: &str) -> Vec<String> {
        self.shared.world().notes_of(talent_remote_id).unwrap_or_default()
    }

    /// The rejection (Greenhouse) or archive (Lever, Ashby) reasons: (remote id, name).
    pub fn reasons(&self) -> Vec<(String, String)> {
        self.shared.reasons()
    }

    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            // Graceful shutdown waits for open connections; a client holding one idle must not
            // keep us here.
            if tokio::time::timeout(Duration::from_secs(3), &mut task).await.is_err() {
                task.abort();
            }
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

// ---- shared state ----

pub(crate) struct Shared {
    pub provider: Provider,
    pub seed: u64,
    /// `http://127.0.0.1:PORT`, for URLs the sandbox hands out (next pages, files).
    pub origin: String,
    info: Mutex<SandboxInfo>,
    world: RwLock<World>,
    auth: Mutex<Auth>,
    /// Ashby syncTokens issued: token → (collection, change sequence it covers up to).
    pub sync_tokens: Mutex<HashMap<String, (world::Coll, u64)>>,
    pub faults: Faults,
    counters: Counters,
    /// Bumped by `expire_file_links`; signed file links carry it, so older ones stop working.
    link_epoch: AtomicU64,
    /// Provider writes still to lose the answer of (`lose_answers`).
    lose_answers: AtomicU64,
    /// Set by `go_unreachable`: provider requests get no answer at all.
    unreachable: AtomicBool,
    /// Permissions the credential lacks: `faults.deny_scopes` at start, plus `deny_scopes`.
    denied: Mutex<Vec<String>>,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    rate_limited: AtomicU64,
    failures_injected: AtomicU64,
    unauthorized: AtomicU64,
    forbidden: AtomicU64,
    tokens_issued: AtomicU64,
    answers_lost: AtomicU64,
    refused: AtomicU64,
    /// Authenticated API requests that reached the fail-rate check.
    fault_draws: AtomicU64,
}

impl Counters {
    fn snapshot(&self) -> SandboxStats {
        SandboxStats {
            requests: self.requests.load(Relaxed),
            rate_limited: self.rate_limited.load(Relaxed),
            failures_injected: self.failures_injected.load(Relaxed),
            unauthorized: self.unauthorized.load(Relaxed),
            forbidden: self.forbidden.load(Relaxed),
            tokens_issued: self.tokens_issued.load(Relaxed),
            answers_lost: self.answers_lost.load(Relaxed),
            refused: self.refused.load(Relaxed),
        }
    }
}

pub(crate) struct Cred {
    pub secret: String,
    pub revoked: bool,
    used: u64,
    window: Option<(Instant, u32)>,
}

impl Cred {
    fn new(secret: String) -> Cred {
        Cred { secret, revoked: false, used: 0, window: None }
    }
}

pub(crate) struct Token {
    pub cred: usize,
    pub expires: Instant,
}

pub(crate) struct Auth {
    pub creds: Vec<Cred>,
    /// The credential `/_sandbox/info` reports (the latest issued).
    current: usize,
    pub client_id: String,
    /// The Greenhouse user tokens act as (`sub`), an index into `World::users`.
    pub user: usize,
    pub user_id: String,
    pub tokens: HashMap<String, Token>,
    issued: u64,
}

impl Auth {
    /// A generated secret, derived from the seed so a demo's credentials are reproducible.
    fn new_secret(&mut self, provider: Provider, seed: u64) -> String {
        self.issued += 1;
        let a = mix(seed, 0x5EC2_E700 ^ self.issued);
        let b = mix(a, self.issued);
        match provider {
            Provider::Greenhouse => format!("gh_sandbox_secret_{a:016x}{b:016x}"),
            Provider::Lever => format!("lv_sandbox_{a:016x}{b:08x}", b = b as u32),
            Provider::Ashby => format!("ashby_sandbox_{a:016x}{b:016x}"),
        }
    }

    fn credentials_json(&self, provider: Provider, cred: usize) -> Value {
        let secret = &self.creds[cred].secret;
        match provider {
            Provider::Greenhouse => {
                json!({ "client_id": self.client_id, "client_secret": secret, "user_id": self.user_id })
            }
            _ => json!({ "api_key": secret }),
        }
    }

    /// The live credential with this secret.
    pub fn find(&self, secret: &str) -> Option<usize> {
        self.creds.iter().position(|c| c.secret == secret && !c.revoked)
    }

    /// A new Greenhouse access token for credential `cred`.
    pub fn issue_token(&mut self, cred: usize, seed: u64, lifetime: Duration) -> String {
        self.issued += 1;
        let a = mix(seed, 0x70CE ^ self.issued.wrapping_mul(31));
        let b = mix(a ^ 0xABCD, self.issued);
        let token = format!("gh_at_{a:016x}{b:016x}");
        self.tokens.insert(token.clone(), Token { cred, expires: Instant::now() + lifetime });
        token
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn world(&self) -> RwLockReadGuard<'_, World> {
        self.world.read().unwrap_or_else(|e| e.into_inner())
    }

    pub fn world_mut(&self) -> RwLockWriteGuard<'_, World> {
        self.world.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn auth(&self) -> MutexGuard<'_, Auth> {
        lock(&self.auth)
    }

    fn mutate(&self, m: &Mutation) -> MutationReport {
        if m.expire_file_links {
            self.link_epoch.fetch_add(1, Relaxed);
        }
        // Real time, truncated to milliseconds like every timestamp the providers serve.
        self.world_mut().mutate(m, world::now_ms())
    }

    fn move_application(&self, application: &str, stage: &str) -> std::result::Result<MutationReport, String> {
        let mut w = self.world_mut();
        let ai = w.move_by_user(application, stage, world::now_ms())?;
        Ok(MutationReport {
            at: world::ts(w.apps[ai].updated_at),
            moved_applications: vec![w.app_rid(ai)],
            ..Default::default()
        })
    }

    fn application(&self, remote_id: &str) -> Option<Value> {
        let w = self.world();
        w.app_by_rid(remote_id).and_then(|a| w.expected_application(a))
    }

    fn reasons(&self) -> Vec<(String, String)> {
        let w = self.world();
        (0..w.reasons.len()).map(|r| (w.reason_rid(r), w.reasons[r].text.to_string())).collect()
    }

    fn rotate(&self) -> Value {
        let mut auth = self.auth();
        let secret = auth.new_secret(self.provider, self.seed);
        auth.creds.push(Cred::new(secret));
        auth.current = auth.creds.len() - 1;
        let creds = auth.credentials_json(self.provider, auth.current);
        lock(&self.info).credentials = creds.clone();
        creds
    }

    pub fn count_unauthorized(&self) {
        self.counters.unauthorized.fetch_add(1, Relaxed);
    }

    pub fn count_token(&self) {
        self.counters.tokens_issued.fetch_add(1, Relaxed);
    }

    /// A request id for error bodies (Ashby's `requestId`).
    pub fn request_id(&self) -> String {
        format!("req_{:016x}", mix(self.seed, self.counters.requests.load(Relaxed)))
    }

    /// The error body each provider uses, with the given status.
    pub fn error(&self, status: StatusCode, code: &str, message: &str) -> Response {
        let body = match self.provider {
            Provider::Greenhouse => json!({ "error": code, "message": message }),
            Provider::Lever => json!({ "code": code, "message": message }),
            Provider::Ashby => json!({
                "success": false,
                "errorInfo": { "code": code, "message": message, "requestId": self.request_id() },
                "errors": [message],
            }),
        };
        http::json(status, &body)
    }
}

// ---- the provider API: auth and faults, then the simulator ----

/// A rate-limit window's state after counting a request.
struct Window {
    limit: u32,
    remaining: u32,
    /// Seconds until the window resets (at least 1).
    retry_after: u64,
    reset_epoch: u64,
    exceeded: bool,
}

async fn provider_api(
    State(sh): State<Arc<Shared>>,
    ConnectInfo(conn): ConnectInfo<Cut>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if sh.unreachable.load(Relaxed) {
        // Nothing is applied and nothing answered: the client sees the connection close.
        sh.counters.refused.fetch_add(1, Relaxed);
        return conn.cut();
    }
    sh.counters.requests.fetch_add(1, Relaxed);
    let req = Req { method, path: uri.path().to_string(), query: uri.query().map(str::to_string), headers, body };
    if req.path.starts_with("/_files/") {
        return serve_file(&sh, &req);
    }
    if sh.provider == Provider::Greenhouse && req.path == "/token" {
        return greenhouse::token(&sh, &req);
    }
    if !sh.faults.latency.is_zero() {
        tokio::time::sleep(sh.faults.latency).await;
    }
    let (mut resp, handled) = gate(&sh, &req);
    if handled && is_write(sh.provider, &req) && take_one(&sh.lose_answers) {
        // The simulator has applied the write (or refused it); the answer never arrives.
        sh.counters.answers_lost.fetch_add(1, Relaxed);
        return conn.cut();
    }
    if sh.provider == Provider::Greenhouse && !resp.headers().contains_key("x-ratelimit-limit") {
        // Refused before a credential was known: report a full, fresh budget.
        let limit = sh.faults.rate_limit.as_ref().unwrap_or(&NOMINAL);
        let reset = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default() + limit.window;
        http::set(&mut resp, "x-ratelimit-limit", &limit.requests.to_string());
        http::set(&mut resp, "x-ratelimit-remaining", &limit.requests.to_string());
        http::set(&mut resp, "x-ratelimit-reset", &reset.as_secs().to_string());
    }
    if sh.provider == Provider::Ashby {
        // Ashby echoes the API version the client pinned (or the one it defaulted to).
        let version = req.header("ashby-version").unwrap_or(ashby::API_VERSION).to_string();
        http::set(&mut resp, "ashby-version", &version);
        http::set(&mut resp, "ashby-version-status", "current");
    }
    resp
}

/// Decrements a pending count if it is above zero; whether it was.
fn take_one(pending: &AtomicU64) -> bool {
    pending.fetch_update(Relaxed, Relaxed, |n| n.checked_sub(1)).is_ok()
}

/// Whether a provider request changes the account. Greenhouse and Lever reads are GETs; Ashby's
/// reads are POSTs too, so its writes are told by the permission they need (`candidatesWrite`).
fn is_write(p: Provider, req: &Req) -> bool {
    match p {
        Provider::Greenhouse | Provider::Lever => req.method != Method::GET && req.method != Method::HEAD,
        Provider::Ashby => ashby::scope(req).is_some_and(|s| s.ends_with("Write")),
    }
}

/// The order matters: an unauthenticated request is only ever told 401; an authenticated one
/// counts towards expiry and the rate limit before permissions and injected failures.
/// Returns the response and whether the request reached the simulator (passed every gate).
fn gate(sh: &Shared, req: &Req) -> (Response, bool) {
    let cred = match authenticate(sh, req) {
        Ok(c) => c,
        Err((code, why)) => {
            sh.count_unauthorized();
            let mut r = sh.error(StatusCode::UNAUTHORIZED, code, why);
            if sh.provider == Provider::Greenhouse {
                http::set(&mut r, "www-authenticate", &format!("Bearer error=\"{code}\""));
            }
            return (r, false);
        }
    };
    let window = {
        let mut auth = sh.auth();
        let c = &mut auth.creds[cred];
        c.used += 1;
        if sh.faults.expire_credential_after.is_some_and(|n| c.used > n) {
            c.revoked = true;
            drop(auth);
            sh.count_unauthorized();
            let r =
                sh.error(StatusCode::UNAUTHORIZED, unauthorized_code(sh.provider), "the credential has been revoked");
            return (r, false);
        }
        count_window(c, sh.faults.rate_limit.as_ref())
    };
    let mut handled = false;
    let mut resp = if window.exceeded {
        sh.counters.rate_limited.fetch_add(1, Relaxed);
        // Only what each provider documents (shared/ats-apis.md 1.3, 2.4, 3.3): Greenhouse and
        // Ashby send Retry-After with a 429; Lever sends no hint at all, so a client must find
        // the pace from the 429s themselves.
        let (code, message, retry_after) = match sh.provider {
            Provider::Greenhouse => {
                ("rate_limit_exceeded", "too many requests; retry after the time in Retry-After", true)
            }
            Provider::Lever => ("TooManyRequests", "too many requests", false),
            Provider::Ashby => ("rate_limit_exceeded", "too many requests; retry after the time in Retry-After", true),
        };
        let mut r = sh.error(StatusCode::TOO_MANY_REQUESTS, code, message);
        if retry_after {
            http::set(&mut r, "retry-after", &window.retry_after.to_string());
        }
        r
    } else if let Some(scope) = required_scope(sh.provider, req)
        .filter(|s| sh.denied.lock().unwrap_or_else(|p| p.into_inner()).iter().any(|d| d == s))
    {
        sh.counters.forbidden.fetch_add(1, Relaxed);
        let (code, message) = match sh.provider {
            Provider::Greenhouse => ("forbidden", format!("the access token lacks the scope {scope}")),
            Provider::Lever => ("Forbidden", format!("the API key lacks the permission {scope}")),
            Provider::Ashby => ("missing_endpoint_permission", format!("the API key lacks the {scope} permission")),
        };
        sh.error(StatusCode::FORBIDDEN, code, &message)
    } else if let Some(code) = injected_failure(sh) {
        sh.counters.failures_injected.fetch_add(1, Relaxed);
        let body = match sh.provider {
            Provider::Ashby => {
                json!({ "success": false, "errorInfo": { "code": "internal_error", "message": "internal server error", "requestId": sh.request_id() } })
            }
            Provider::Lever => json!({ "code": "InternalServerError", "message": "internal server error" }),
            Provider::Greenhouse => json!({ "error": "internal_server_error", "message": "internal server error" }),
        };
        http::injected_failure(code, body)
    } else {
        handled = true;
        match sh.provider {
            Provider::Greenhouse => greenhouse::handle(sh, req),
            Provider::Lever => lever::handle(sh, req),
            Provider::Ashby => ashby::handle(sh, req),
        }
    };
    // Greenhouse alone announces its budget, on every answer; Reset is an epoch timestamp.
    if sh.provider == Provider::Greenhouse {
        http::set(&mut resp, "x-ratelimit-limit", &window.limit.to_string());
        http::set(&mut resp, "x-ratelimit-remaining", &window.remaining.to_string());
        http::set(&mut resp, "x-ratelimit-reset", &window.reset_epoch.to_string());
    }
    (resp, handled)
}

fn unauthorized_code(p: Provider) -> &'static str {
    match p {
        Provider::Greenhouse => "invalid_token",
        Provider::Lever => "Unauthorized",
        Provider::Ashby => "invalid_api_key",
    }
}

/// The credential index of an authenticated request, or (code, reason) for a 401.
fn authenticate(sh: &Shared, req: &Req) -> std::result::Result<usize, (&'static str, &'static str)> {
    let auth = sh.auth();
    match sh.provider {
        Provider::Greenhouse => {
            let token = req.bearer().ok_or(("invalid_token", "missing bearer access token"))?;
            let t = auth.tokens.get(token).ok_or(("invalid_token", "the access token is not valid"))?;
            if Instant::now() >= t.expires {
                return Err(("invalid_token", "the access token has expired"));
            }
            if auth.creds[t.cred].revoked {
                return Err(("invalid_token", "the credential behind this access token has been revoked"));
            }
            Ok(t.cred)
        }
        // Ashby documents 403 for a wrong or deactivated key; the sandbox answers 401 so that,
        // on every provider, a dead credential is a 401 ("reconnect") and 403 means a missing
        // permission.
        Provider::Lever | Provider::Ashby => {
            let code = unauthorized_code(sh.provider);
            let (user, _) =
                req.basic_auth().ok_or((code, "missing HTTP Basic credentials (the API key as username)"))?;
            auth.find(&user).ok_or((code, "the API key is not valid"))
        }
    }
}

/// Nominal budget reported in Greenhouse's headers when no rate limit is enforced: generous
/// enough that a client throttling from the headers never waits.
const NOMINAL: RateLimit = RateLimit { requests: 100_000, window: Duration::from_secs(10) };

fn count_window(c: &mut Cred, limit: Option<&RateLimit>) -> Window {
    let enforced = limit.is_some();
    let limit = limit.unwrap_or(&NOMINAL);
    let now = Instant::now();
    let (start, count) = match c.window {
        Some((start, n)) if now.duration_since(start) < limit.window => (start, n + 1),
        _ => (now, 1),
    };
    c.window = Some((start, count));
    let left = (start + limit.window).saturating_duration_since(now);
    let epoch_now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    Window {
        limit: limit.requests,
        remaining: limit.requests.saturating_sub(count),
        retry_after: left.as_secs_f64().ceil().max(1.0) as u64,
        reset_epoch: (epoch_now + left).as_secs_f64().ceil() as u64,
        exceeded: enforced && count > limit.requests,
    }
}

/// The 5xx status to inject for this request, if any.
fn injected_failure(sh: &Shared) -> Option<u16> {
    if sh.faults.fail_rate <= 0.0 {
        return None;
    }
    let n = sh.counters.fault_draws.fetch_add(1, Relaxed);
    let h = mix(sh.seed ^ 0xFA11_FA11, n);
    let draw = (h >> 11) as f64 / (1u64 << 53) as f64;
    (draw < sh.faults.fail_rate).then(|| [500, 502, 503][(h % 3) as usize])
}

/// The permission an endpoint needs, in the provider's own vocabulary.
fn required_scope(p: Provider, req: &Req) -> Option<&'static str> {
    match p {
        Provider::Greenhouse => greenhouse::scope(req),
        Provider::Lever => lever::scope(req),
        Provider::Ashby => ashby::scope(req),
    }
}

/// Resume downloads: signed URLs like the providers' storage links, so no API auth.
fn serve_file(sh: &Shared, req: &Req) -> Response {
    let parts: Vec<&str> = req.path.trim_start_matches("/_files/").split('/').collect();
    let sig = req.pairs().into_iter().find(|(k, _)| k == "sig").map(|(_, v)| v);
    let w = sh.world();
    let found = parts.first().and_then(|rid| w.talent_by_file(rid));
    let Some(ti) = found.filter(|&t| w.talents[t].live()) else {
        return http::bytes_response(StatusCode::NOT_FOUND, "text/plain", b"no such file".to_vec());
    };
    let t = &w.talents[ti];
    let resume = t.resume.as_ref().expect("indexed talents have a resume");
    if sig.as_deref() != Some(file_sig(sh, resume.id).as_str()) {
        // S3 answers an expired or tampered presigned link with 403 and an XML error.
        return http::bytes_response(
            StatusCode::FORBIDDEN,
            "application/xml",
            b"<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>".to_vec(),
        );
    }
    http::bytes_response(StatusCode::OK, "application/pdf", resume_pdf(t))
}

pub(crate) fn file_sig(sh: &Shared, id: u64) -> String {
    let epoch = sh.link_epoch.load(Relaxed);
    format!("{:016x}", mix(sh.seed ^ 0xF11E ^ epoch.wrapping_mul(0x9E37_79B9), id))
}

/// The signed download URL of a talent's resume.
pub(crate) fn file_url(sh: &Shared, t: &world::Talent) -> Option<String> {
    let r = t.resume.as_ref()?;
    Some(format!("{}/_files/{}/{}?sig={}", sh.origin, world::fmt_uid(r.uid), r.filename, file_sig(sh, r.id)))
}

pub(crate) fn resume_pdf(t: &world::Talent) -> Vec<u8> {
    if let Some(bytes) = t.resume.as_ref().and_then(|r| r.content.clone()) {
        return bytes;
    }
    let cap = |s: &str| -> String {
        s.split('.')
            .map(|w| w.chars().take(1).flat_map(char::to_uppercase).chain(w.chars().skip(1)).collect::<String>())
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut lines = vec![format!("{} {}", cap(t.slug.0), cap(t.slug.1)), String::new()];
    if let (Some(title), Some(company)) = (t.title, t.company) {
        lines.push(format!("{title} at {company}"));
    }
    lines.extend(t.emails.iter().map(|e| e.value.clone()));
    lines.extend(t.phones.iter().map(|p| p.value.clone()));
    lines.push(String::new());
    lines.push(format!("Skills: {}", if t.tags.is_empty() { "teamwork".to_string() } else { t.tags.join(", ") }));
    http::tiny_pdf(&lines)
}

// ---- the control API ----

fn current_info(sh: &Shared) -> SandboxInfo {
    lock(&sh.info).clone()
}

async fn control_info(State(sh): State<Arc<Shared>>) -> Response {
    http::json(StatusCode::OK, &current_info(&sh))
}

async fn control_stats(State(sh): State<Arc<Shared>>) -> Response {
    http::json(StatusCode::OK, &sh.counters.snapshot())
}

async fn control_expected(State(sh): State<Arc<Shared>>, Path(kind): Path<String>) -> Response {
    let kind = match kind.as_str() {
        "jobs" => ExportKind::Jobs,
        "stages" => ExportKind::Stages,
        "talents" => ExportKind::Talents,
        "applications" => ExportKind::Applications,
        _ => {
            return http::json(
                StatusCode::NOT_FOUND,
                &json!({ "error": "unknown kind; use jobs, stages, talents or applications" }),
            )
        }
    };
    let records = sh.world().expected(kind);
    let mut out = Vec::with_capacity(records.len() * 200);
    for r in records {
        http::push_json(&mut out, &r);
        out.push(b'\n');
    }
    http::bytes_response(StatusCode::OK, "application/x-ndjson", out)
}

async fn control_mutate(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let m: Mutation = if body.iter().all(|b| b.is_ascii_whitespace()) {
        Mutation::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(m) => m,
            Err(e) => return http::json(StatusCode::BAD_REQUEST, &json!({ "error": format!("not a mutation: {e}") })),
        }
    };
    http::json(StatusCode::OK, &sh.mutate(&m))
}

async fn control_rotate(State(sh): State<Arc<Shared>>) -> Response {
    http::json(StatusCode::OK, &sh.rotate())
}

/// A control request's JSON body; an empty body reads as `{}` (so `T` needs defaults for that).
fn control_body<T: serde::de::DeserializeOwned>(body: &Bytes) -> std::result::Result<T, Response> {
    let bytes: &[u8] = if body.iter().all(|b| b.is_ascii_whitespace()) { b"{}" } else { body };
    serde_json::from_slice(bytes)
        .map_err(|e| http::json(StatusCode::BAD_REQUEST, &json!({ "error": format!("not a valid request: {e}") })))
}

fn control_error(status: StatusCode, message: &str) -> Response {
    http::json(status, &json!({ "error": message }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MoveRequest {
    application: String,
    stage: String,
}

async fn control_move(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let m: MoveRequest = match control_body(&body) {
        Ok(m) => m,
        Err(r) => return r,
    };
    match sh.move_application(&m.application, &m.stage) {
        Ok(report) => http::json(StatusCode::OK, &report),
        Err(e) => control_error(StatusCode::UNPROCESSABLE_ENTITY, &e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoseAnswers {
    count: u64,
}

async fn control_lose_answers(State(sh): State<Arc<Shared>>, body: Bytes) -> Response {
    let l: LoseAnswers = match control_body(&body) {
        Ok(l) => l,
        Err(r) => return r,
    };
    sh.lose_answers.store(l.count, Relaxed);
    http::json(StatusCode::OK, &json!({ "pending": l.count }))
}

async fn control_unreachable(State(sh): State<Arc<Shared>>) -> Response {
    sh.unreachable.store(true, Relaxed);
    http::json(StatusCode::OK, &json!({ "reachable": false }))
}

async fn control_reachable(State(sh): State<Arc<Shared>>) -> Response {
    sh.unreachable.store(false, Relaxed);
    http::json(StatusCode::OK, &json!({ "reachable": true }))
}

async fn control_application(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match sh.application(&id) {
        Some(v) => http::json(StatusCode::OK, &v),
        None => control_error(StatusCode::NOT_FOUND, &format!("no application {id}")),
    }
}

async fn control_notes(State(sh): State<Arc<Shared>>, Path(id): Path<String>) -> Response {
    match sh.world().notes_of(&id) {
        Some(notes) => http::json(StatusCode::OK, &notes),
        None => control_error(StatusCode::NOT_FOUND, &format!("no talent {id}")),
    }
}

async fn control_reasons(State(sh): State<Arc<Shared>>) -> Response {
    let reasons: Vec<Value> =
        sh.reasons().into_iter().map(|(id, name)| json!({ "remote_id": id, "name": name })).collect();
    http::json(StatusCode::OK, &reasons)
}
