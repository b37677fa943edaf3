//! Benches under a provider's documented rate limit, each comparing the wall time with the floor
//! that limit allows for the requests made (speed goals live here, never in timed tests):
//! - `talentdeck bench --push N --provider P`: pushes N queued moves to the in-process sandbox
//!   of P (issue 11);
//! - `talentdeck bench --paced --provider P --talents N`: connects to and fully syncs a sandbox
//!   account of N talents (issue 14 §2: within 5 % of what the limit allows).

use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Serialize;

use talentdeck::app::{App, ConnectInput, MoveTarget, SyncOutcome};
use talentdeck::error::{Error, Result};
use talentdeck::model::Provider;
use talentdeck::sandbox::{RateLimit, Sandbox, SandboxConfig, SandboxStats};
use talentdeck::store::{ExportKind, RunState};
use talentdeck::vault::Vault;

const CONNECTION: &str = "Bench push";

/// The limit each provider documents (`shared/ats-apis.md`): Greenhouse v3 publishes none, so
/// the 50 per 30 s that connectors assume; Lever 10 per second; Ashby 1,000 per minute.
pub fn documented_limit(provider: Provider) -> RateLimit {
    match provider {
        Provider::Greenhouse => RateLimit { requests: 50, window: Duration::from_secs(30) },
        Provider::Lever => RateLimit { requests: 10, window: Duration::from_secs(1) },
        Provider::Ashby => RateLimit { requests: 1000, window: Duration::from_secs(60) },
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PushBenchReport {
    pub provider: Provider,
    pub rate_limit: String,
    pub moves: usize,
    pub sent: u64,
    /// Requests the sandbox answered during the push (reads before writes included).
    pub requests: u64,
    pub answers_429: u64,
    pub wall_s: f64,
    /// The least time the limit allows for the requests that were answered (not 429), starting
    /// in a fresh window: every window but the last must be waited out.
    pub floor_s: f64,
    /// wall / floor (the goal: at most 1.10); `None` when every request fits in one window.
    pub ratio: Option<f64>,
}

fn bench_error(what: impl std::fmt::Display) -> Error {
    Error::Internal(format!("bench: {what}"))
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| bench_error(format!("could not start the async runtime: {e}")))
}

/// The least time `limit` allows for `budgeted` requests, starting in a fresh window: every
/// window but the last must be waited out.
fn floor_s(limit: &RateLimit, budgeted: u64) -> f64 {
    let windows = budgeted.div_ceil(u64::from(limit.requests)).max(1);
    (windows - 1) as f64 * limit.window.as_secs_f64()
}

/// The requests that drew on the budget between two counts: a refused one does not, nor does
/// fetching a Greenhouse token (the token endpoint is not rate limited).
fn budgeted(before: &SandboxStats, after: &SandboxStats) -> u64 {
    let requests = after.requests - before.requests;
    requests - (after.rate_limited - before.rate_limited) - (after.tokens_issued - before.tokens_issued)
}

pub fn run(provider: Provider, moves: usize, say: &dyn Fn(&str)) -> Result<PushBenchReport> {
    if moves == 0 {
        return Err(Error::Validation("--push needs at least 1 move".into()));
    }
    runtime()?.block_on(run_async(provider, moves, say))
}

async fn run_async(provider: Provider, moves: usize, say: &dyn Fn(&str)) -> Result<PushBenchReport> {
    let limit = documented_limit(provider);
    let mut cfg = SandboxConfig::new(provider);
    // Most talents have an active application in a job's pipeline; twice as many is plenty.
    cfg.talents = moves * 2;
    cfg.faults.rate_limit = Some(limit.clone());
    say(&format!("starting the {provider} sandbox ({} talents, rate limit {limit})…", cfg.talents));
    let sb = Sandbox::start(cfg).await?;
    let work = tempfile::Builder::new().prefix("talentdeck-bench-push-").tempdir()?;
    let app = App::open(work.path())?;
    let input = ConnectInput::for_sandbox(sb.info(), CONNECTION);
    say("connecting and syncing…");
    let id = app.connect(input, Utc::now()).await?.id;
    let result = async {
        if let SyncOutcome::Ran(r) = app.sync(id, true, talentdeck::model::Trigger::Manual, &|_| {}).await? {
            if let Some(e) = r.error {
                return Err(e);
            }
        }
        say(&format!("queueing {moves} moves…"));
        let stages = sb.expected(ExportKind::Stages);
        let mut queued = 0;
        for a in sb.expected(ExportKind::Applications) {
            if queued == moves {
                break;
            }
            if a["status"] != "active" || a["stage_remote_id"].is_null() {
                continue;
            }
            let target = stages.iter().find(|s| {
                (s["job_remote_id"] == a["job_remote_id"] || s["job_remote_id"].is_null())
                    && s["remote_id"] != a["stage_remote_id"]
                    && !matches!(s["name"].as_str(), Some("Hired" | "Archived"))
            });
            let (Some(t), Some(app_id)) = (target, a["remote_id"].as_str()) else { continue };
            let to = MoveTarget::Ats(t["remote_id"].as_str().unwrap_or_default().to_string());
            app.move_application(Some(id), app_id, &to, Utc::now())?;
            queued += 1;
        }
        if queued < moves {
            return Err(bench_error(format!("the sandbox had only {queued} movable applications")));
        }
        // Start in a fresh window, as the floor assumes.
        tokio::time::sleep(limit.window).await;
        say("pushing…");
        let before = sb.stats();
        let started = Instant::now();
        let report = app.push(id).await?;
        let wall_s = started.elapsed().as_secs_f64();
        let after = sb.stats();
        if let Some(e) = report.stopped {
            return Err(bench_error(format!("the push stopped: {e}")));
        }
        let requests = after.requests - before.requests;
        let answers_429 = after.rate_limited - before.rate_limited;
        let floor_s = floor_s(&limit, budgeted(&before, &after));
        Ok(PushBenchReport {
            provider,
            rate_limit: limit.to_string(),
            moves,
            sent: report.sent,
            requests,
            answers_429,
            wall_s,
            floor_s,
            ratio: (floor_s > 0.0).then(|| wall_s / floor_s),
        })
    }
    .await;
    // The connection's keychain entry goes with it.
    let _ = app.disconnect(id, true, Utc::now()).await;
    result
}

pub fn render(r: &PushBenchReport) -> String {
    let ratio = match r.ratio {
        Some(x) => format!("ratio {x:.3} (goal ≤ 1.10)"),
        None => "no ratio: every request fits in one window of the limit".to_string(),
    };
    format!(
        "push of {} moves to the {} sandbox under {}:\n  sent {}, {} requests, {} answers of 429\n  wall {:.1} s, floor {:.1} s, {ratio}\n",
        r.moves, r.provider, r.rate_limit, r.sent, r.requests, r.answers_429, r.wall_s, r.floor_s
    )
}

#[derive(Debug, Clone, Serialize)]
pub struct PacedSyncReport {
    pub provider: Provider,
    pub rate_limit: String,
    pub talents: usize,
    /// Connecting and the full sync, under the limit.
    pub requests: u64,
    pub answers_429: u64,
    pub wall_s: f64,
    /// The least time the limit allows for the requests that drew on the budget ([`floor_s`]):
    /// each window's budget sent at its start.
    pub floor_s: f64,
    /// The same requests evenly at the limit's rate, which is all a client can do where the
    /// provider announces neither its budget nor the end of a window (Lever).
    pub steady_s: f64,
    /// The same connect and sync from a sandbox that enforces no limit: the client's time on its
    /// own (HTTP, parsing, the store) where the documented window goes at once (Greenhouse,
    /// Ashby); Lever still paces itself at the documented rate.
    pub no_limit_wall_s: f64,
    /// wall / floor (the goal: at most 1.05); when every request fits in one window (a floor of
    /// 0), wall / the same sync with no limit.
    pub ratio: f64,
}

/// `talentdeck bench --paced`: how close a full sync under the documented limit comes to the
/// least time that limit allows for its requests.
pub fn run_sync(provider: Provider, talents: usize, say: &dyn Fn(&str)) -> Result<PacedSyncReport> {
    runtime()?.block_on(async {
        let limit = documented_limit(provider);
        say(&format!("connecting to and syncing the {provider} sandbox ({talents} talents) with no limit…"));
        let (_, _, no_limit) = sync_under(provider, talents, None).await?;
        say(&format!("the same under the documented limit, {limit}…"));
        let (before, after, wall) = sync_under(provider, talents, Some(limit.clone())).await?;
        let budgeted = budgeted(&before, &after);
        let floor_s = floor_s(&limit, budgeted);
        let wall_s = wall.as_secs_f64();
        Ok(PacedSyncReport {
            provider,
            rate_limit: limit.to_string(),
            talents,
            requests: after.requests - before.requests,
            answers_429: after.rate_limited - before.rate_limited,
            wall_s,
            floor_s,
            steady_s: budgeted.saturating_sub(1) as f64 * limit.window.as_secs_f64() / f64::from(limit.requests),
            no_limit_wall_s: no_limit.as_secs_f64(),
            ratio: wall_s / if floor_s > 0.0 { floor_s } else { no_limit.as_secs_f64().max(1e-9) },
        })
    })
}

/// Connects to a fresh sandbox account (under `limit`, if any) and fully syncs it; the sandbox's
/// counts before and after, and the time both took. The credential stays in memory: this is
/// about pacing, not the keychain.
async fn sync_under(
    provider: Provider,
    talents: usize,
    limit: Option<RateLimit>,
) -> Result<(SandboxStats, SandboxStats, Duration)> {
    let mut cfg = SandboxConfig::new(provider);
    cfg.talents = talents;
    cfg.faults.rate_limit = limit;
    let sb = Sandbox::start(cfg).await?;
    let work = tempfile::Builder::new().prefix("talentdeck-bench-paced-").tempdir()?;
    let app = App::open_with_vault(work.path(), Vault::in_memory())?;
    let before = sb.stats();
    let started = Instant::now();
    let id = app.connect(ConnectInput::for_sandbox(sb.info(), CONNECTION), Utc::now()).await?.id;
    if let SyncOutcome::Ran(r) = app.sync(id, true, talentdeck::model::Trigger::Manual, &|_| {}).await? {
        if let Some(e) = r.error {
            return Err(e);
        }
        if r.state != RunState::Succeeded {
            return Err(bench_error(format!("the sync ended {}", r.state.as_str())));
        }
    }
    let took = started.elapsed();
    let after = sb.stats();
    sb.shutdown().await;
    Ok((before, after, took))
}

pub fn render_sync(r: &PacedSyncReport) -> String {
    let against = if r.floor_s > 0.0 { "the floor" } else { "no limit: every request fits in one window" };
    let ratio = format!("ratio {:.3} against {against} (goal ≤ 1.05)", r.ratio);
    format!(
        "full sync of {} talents from the {} sandbox under {} (connecting included):\n  {} requests, {} answers of 429\n  wall {:.1} s; the limit's floor {:.1} s, at its steady rate {:.1} s; from a sandbox with no limit {:.1} s\n  {ratio}\n",
        r.talents, r.provider, r.rate_limit, r.requests, r.answers_429, r.wall_s, r.floor_s, r.steady_s, r.no_limit_wall_s
    )
}
