//! `talentdeck bench --push N --provider P`: pushes N queued moves to the in-process sandbox of
//! P under P's documented rate limit and compares the wall time with the floor that limit
//! allows for the requests the push made (issue 11's benchmark). Speed goals live here, never
//! in timed tests.

use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Serialize;

use talentdeck::app::{App, ConnectInput, MoveTarget, SyncOutcome};
use talentdeck::error::{Error, Result};
use talentdeck::model::Provider;
use talentdeck::sandbox::{RateLimit, Sandbox, SandboxConfig};
use talentdeck::store::ExportKind;

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
    /// wall / floor (the goal: at most 1.10).
    pub ratio: f64,
}

fn bench_error(what: impl std::fmt::Display) -> Error {
    Error::Internal(format!("bench: {what}"))
}

pub fn run(provider: Provider, moves: usize, say: &dyn Fn(&str)) -> Result<PushBenchReport> {
    if moves == 0 {
        return Err(Error::Validation("--push needs at least 1 move".into()));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| bench_error(format!("could not start the async runtime: {e}")))?;
    rt.block_on(run_async(provider, moves, say))
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
        // A refused request does not use the budget, nor does fetching a Greenhouse token (the
        // token endpoint is not rate limited); the floor is for the requests that did.
        let tokens = after.tokens_issued - before.tokens_issued;
        let budgeted = requests - answers_429 - tokens;
        let windows = budgeted.div_ceil(u64::from(limit.requests)).max(1);
        let floor_s = (windows - 1) as f64 * limit.window.as_secs_f64();
        Ok(PushBenchReport {
            provider,
            rate_limit: limit.to_string(),
            moves,
            sent: report.sent,
            requests,
            answers_429,
            wall_s,
            floor_s,
            ratio: wall_s / floor_s.max(1e-9),
        })
    }
    .await;
    // The connection's keychain entry goes with it.
    let _ = app.disconnect(id, true, Utc::now()).await;
    result
}

pub fn render(r: &PushBenchReport) -> String {
    format!(
        "push of {} moves to the {} sandbox under {}:\n  sent {}, {} requests, {} answers of 429\n  wall {:.1} s, floor {:.1} s, ratio {:.3} (goal ≤ 1.10)\n",
        r.moves, r.provider, r.rate_limit, r.sent, r.requests, r.answers_429, r.wall_s, r.floor_s, r.ratio
    )
}
