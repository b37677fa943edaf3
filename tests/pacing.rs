//! Polite to the account's real rate limit (issue 14, part 2): with the sandbox allowing a third
//! of each provider's documented budget — as when several integrations share one API key — a
//! full sync converges while drawing at most 3 answers of 429 in all. The sandbox sends only the
//! signals each provider documents (Greenhouse its budget headers, Ashby `Retry-After`, Lever
//! nothing), so the client has to learn the pace from those alone.
//!
//! Connections keep their secret in the OS keychain: run inside a private D-Bus session with an
//! unlocked throwaway gnome-keyring, as test.sh does.

mod common;

use std::time::{Duration, Instant};

use chrono::Utc;
use common::assert_export_matches;
use talentdeck::app::{App, ConnectInput, SyncOutcome};
use talentdeck::model::Provider;
use talentdeck::sandbox::{Faults, RateLimit, Sandbox, SandboxConfig};
use talentdeck::store::RunState;

const NAME: &str = "Pacing test";
/// The account size.
const TALENTS: usize = 5_000;
/// The most 429s a whole sync (connecting included) may draw.
const MAX_429: u64 = 3;

/// A third of the documented limit (shared/ats-apis.md 1.3, 2.4, 3.3), rounded up.
fn a_third_of_documented(provider: Provider) -> RateLimit {
    match provider {
        Provider::Greenhouse => RateLimit { requests: 17, window: Duration::from_secs(30) },
        Provider::Lever => RateLimit { requests: 3, window: Duration::from_secs(1) },
        // A third of 1,000/min is 333/min, but a 5,000-talent sync makes about 140 requests, all
        // inside one such window: the same rate over 10-s windows (56/10 s) makes the sync span
        // several, so the client has to find the pace (Ashby tells nothing but Retry-After).
        Provider::Ashby => RateLimit { requests: 56, window: Duration::from_secs(10) },
    }
}

/// Connects to a fresh sandbox limited to `limit` and runs one full sync; returns the sandbox
/// (to read its counts) and the sync's wall time.
async fn full_sync_under(provider: Provider, talents: usize, limit: &RateLimit) -> (Sandbox, Duration) {
    let mut cfg = SandboxConfig::new(provider);
    cfg.talents = talents;
    cfg.faults = Faults { rate_limit: Some(limit.clone()), ..Default::default() };
    let sb = Sandbox::start(cfg).await.expect("the sandbox starts");
    let dir = tempfile::tempdir().unwrap();
    // About pacing, not the keychain: credentials stay in memory (no D-Bus needed).
    let memory = talentdeck::vault::Vault::in_memory();
    let app = App::open_with_vault(dir.path(), memory).expect("the store opens");
    let input = ConnectInput::for_sandbox(sb.info(), NAME);
    let started = Instant::now();
    let id = app.connect(input, Utc::now()).await.expect("the sandbox credential connects").id;
    let report = match app.sync(id, true, talentdeck::model::Trigger::Manual, &|_| {}).await.expect("the sync runs") {
        SyncOutcome::Ran(r) => r,
        SyncOutcome::Joined => panic!("no other sync was running"),
    };
    let took = started.elapsed();
    assert_eq!(report.state, RunState::Succeeded, "{:?}", report.error);
    assert_export_matches(&app, NAME, &sb);
    (sb, took)
}

async fn polite_under_a_third(provider: Provider, talents: usize) {
    let limit = a_third_of_documented(provider);
    let (sb, took) = full_sync_under(provider, talents, &limit).await;
    let s = sb.stats();
    // The minimum the limit allows, every window but the last waited out (bursts allowed), and
    // the time at the limit's steady rate (what spreading each window's budget evenly costs).
    // A Greenhouse token is not drawn from the budget (the token endpoint is not limited).
    let answered = s.requests - s.rate_limited - s.tokens_issued;
    let window = limit.window.as_secs_f64();
    let floor = (answered.div_ceil(u64::from(limit.requests)) - 1) as f64 * window;
    let steady = (answered - 1) as f64 * window / f64::from(limit.requests);
    eprintln!(
        "{provider}: {talents} talents under {limit}: {} requests, {} answered 429, {:.1} s (floor {floor:.1} s, steady rate {steady:.1} s)",
        s.requests,
        s.rate_limited,
        took.as_secs_f64()
    );
    assert!(
        answered > u64::from(limit.requests),
        "the sync spans more than one window of the limit ({answered} requests answered)"
    );
    assert!(s.rate_limited <= MAX_429, "{} answers of 429 under {limit}: {s:?}", s.rate_limited);
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn greenhouse_syncs_politely_under_a_third_of_its_documented_limit() {
    // At 17 requests per 30 s the 5,000 talents take five windows: two minutes of
    // waiting, spent beside the other tests of this file.
    polite_under_a_third(Provider::Greenhouse, TALENTS).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lever_syncs_politely_under_a_third_of_its_documented_limit() {
    polite_under_a_third(Provider::Lever, TALENTS).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ashby_syncs_politely_under_a_third_of_its_documented_limit() {
    polite_under_a_third(Provider::Ashby, TALENTS).await
}

/// What the pacer learned is kept with the connection: after a restart (a new `App` on the same
/// data folder, the credential in the OS keychain), a full sync of the same account starts at
/// the learned pace instead of drawing 429s to find it again: fewer than the first run drew
/// (Lever's AIMD still probes upwards now and then, so an account whose limit grew is found).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_app_starts_at_the_pace_it_learned() {
    restarted(Provider::Lever, 1_500).await
}

/// The same for Ashby, whose 429 measures the account's window: the restarted run sends the
/// measured budget each window instead of the documented minute's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_app_starts_with_the_window_it_measured() {
    // 1,500 talents fit in one window of 56 requests: the 5,000 span three.
    restarted(Provider::Ashby, TALENTS).await
}

async fn restarted(provider: Provider, talents: usize) {
    let limit = a_third_of_documented(provider);
    let mut cfg = SandboxConfig::new(provider);
    cfg.talents = talents;
    cfg.faults = Faults { rate_limit: Some(limit.clone()), ..Default::default() };
    let sb = Sandbox::start(cfg).await.expect("the sandbox starts");
    let dir = tempfile::tempdir().unwrap();

    let app = App::open(dir.path()).expect("the store opens");
    let id = app.connect(ConnectInput::for_sandbox(sb.info(), NAME), Utc::now()).await.expect("connects").id;
    full_sync(&app, id).await;
    let first = sb.stats().rate_limited;
    assert!(first > 0, "the first run starts at the documented limit and has to find the account's {limit}");
    let learned = app.connection(id).unwrap().settings.learned_pace.expect("the learned pace is kept");
    let per_second = f64::from(limit.requests) / limit.window.as_secs_f64();
    assert!(f64::from(learned.millirequests_per_second) <= per_second * 1000.0, "{learned:?} under {limit}");
    // Ashby's 429 measured a window (its Retry-After); Lever's AIMD a rate only.
    assert_eq!(learned.window_ms.is_some(), provider == Provider::Ashby, "{learned:?}");
    drop(app);
    // Restarted later, in a window of its own: a restart inside the window the last run used
    // meets a budget that run spent, which neither provider shows before a 429.
    tokio::time::sleep(limit.window).await;

    let app = App::open(dir.path()).expect("the store opens again");
    full_sync(&app, id).await;
    let second = sb.stats().rate_limited - first;
    eprintln!(
        "{provider} under {limit}: {first} answers of 429 in the first run, {second} after the restart ({learned:?})"
    );
    assert!(second < first, "the run after the restart drew {second} answers of 429, the first run {first}");
    assert_export_matches(&app, NAME, &sb);
    sb.shutdown().await;
}

async fn full_sync(app: &App, id: i64) {
    match app.sync(id, true, talentdeck::model::Trigger::Manual, &|_| {}).await.expect("the sync runs") {
        SyncOutcome::Ran(r) => assert_eq!(r.state, RunState::Succeeded, "{:?}", r.error),
        SyncOutcome::Joined => panic!("no other sync was running"),
    }
}
