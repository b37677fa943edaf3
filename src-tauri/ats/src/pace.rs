//! The pacer one connection's requests share: it learns the account's real budget instead of
//! trusting the documented one, which several integrations sharing one key make too generous.
//!
//! Three ways to learn, by what the provider tells:
//! - **Budget headers** (Greenhouse `X-RateLimit-Limit/Remaining/Reset`): what a window has
//!   left goes as soon as it is asked for, then every request waits for the reset. `Remaining`
//!   is what the provider allows now, whoever else shares the key, so spending it draws no 429;
//!   holding part of it back only stretches a sync's last window (spreading half of each window
//!   to its reset made a 6,500-talent sync take 1.56× the time its 91 requests need under 50
//!   per 30 s).
//! - **`Retry-After` alone** (Ashby): the documented budget (1,000 per minute) counts as a window
//!   starting at the first request, and goes at once: a sync that fits in it is not stretched
//!   over a minute at an even pace. An account whose key allows less answers 429 with
//!   `Retry-After`, and that answer measures the account's window: what it accepted since the
//!   window opened, over the time from then to the `Retry-After`. Later windows send that
//!   budget (less a margin) at once and wait for their end.
//! - **429s alone** (Lever sends nothing): the documented budget (10 per second) counts as a
//!   window too, but it is probed before it is trusted: requests go at an even pace (AIMD's, as
//!   TCP does) until one whole window's budget was accepted that way; from then on each window's
//!   budget goes at once. A burst sent blind to an account whose key allows less would draw a 429
//!   for every request in flight over its budget; paced evenly, the first 429 comes alone, and
//!   what the window had accepted by then sets the pace (a third of the documented limit: 3
//!   accepted, then 2.9 per second). Otherwise a 429 halves the rate and pauses every request
//!   for a backoff; each run of successes adds a small step back, never above the documented
//!   budget and, while the last 429 is fresh, never back up to the rate that drew it.
//!
//! Every function takes the clock as an argument, so the policy is tested without waiting.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use model::LearnedPace;
use tokio::time::Instant;

/// Successes in a row before the rate climbs one step.
const RUN: u32 = 20;
/// One climb step, as a share of the rate that drew the last 429 (else of the documented rate):
/// the step scales with the account's real budget, so a slow account is probed gently.
const STEP: f64 = 0.025;
/// A 429 multiplies the rate by this.
const CUT: f64 = 0.5;
/// The climb stops this far below the rate that last drew a 429…
const BELOW_BAD: f64 = 0.9;
/// …until this many successes in a row say the account's limit may have grown again.
const FORGET_BAD_AFTER: u32 = 25 * RUN;
/// Even pacing at exactly a window's budget lands the next window's first request on its
/// boundary, where a few milliseconds of jitter make it the last one's too many: keep 3 %.
const MARGIN: f64 = 0.97;
/// The pause after a 429 without `Retry-After`: doubled for each 429 in a row, up to the cap.
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Never slower than this share of the documented rate.
const SLOWEST: f64 = 0.01;
/// Reset times that differ by less than this name the same window (Greenhouse rounds to seconds).
const SAME_WINDOW: Duration = Duration::from_millis(1500);
/// A window guessed from the first request sent in it ends this much later than that request
/// plus the window: the provider started it when the request arrived, and its answers' reset
/// (whole seconds) is taken as the same window. Without it, a budget sent at once on the
/// guessed reset could arrive a moment before the provider's window ends.
const GUESSED_RESET_MARGIN: Duration = Duration::from_millis(250);

/// One account's pacer, shared by every client that draws on its budget.
pub type SharedPacer = Arc<Mutex<Pacer>>;

/// How a provider's documented budget is spent before its account tells more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstWindow {
    /// A window starting at the first request, its budget at once
    /// ([`Pacer::start_with_documented_window`]): the provider's answers correct it (Greenhouse's
    /// budget headers, Ashby's `Retry-After`).
    AtOnce,
    /// The same window, probed at the even pace first ([`Pacer::probe_documented_window`]): the
    /// provider tells nothing a burst's 429 could be read by (Lever).
    Probed,
}

/// What a provider's budget headers said, read when the answer arrived.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Budget {
    pub limit: f64,
    pub remaining: f64,
    /// Time from the answer to the window's reset.
    pub reset_in: Duration,
}

/// A reserved turn. `epoch` tells whether the plan changed while its holder waited.
#[derive(Debug, Clone, Copy)]
pub struct Turn {
    pub at: Instant,
    epoch: u64,
    /// The announced window whose budget this turn was counted in (by its reset).
    counted_in: Option<Instant>,
}

/// The budget the provider announced, counted down locally as turns are handed out.
#[derive(Debug, Clone, Copy)]
struct Announced {
    limit: f64,
    remaining: f64,
    reset_at: Instant,
    /// The window's length, learned from the longest time to a reset seen (the first answer of a
    /// window tells it); used to guess the next window before its first answer arrives.
    window: Duration,
    /// The end of the window this one was rolled over from (its reset, where announced). Answers
    /// sent in that window can arrive after the roll-over; they say nothing about this one (taken
    /// for a newer window's word, their spent budget would end this window early and send its
    /// budget twice).
    rolled_from: Option<Instant>,
    /// When the window's first turn went (`None` until one has), and the successes answered to
    /// turns counted in it: a 429 in a guessed window measures the account's window from these…
    opened: Option<Instant>,
    accepted: u32,
    /// …or from these of the window before, when the account's window turns out to have begun
    /// before this one (see [`Pacer::measure_window`]).
    before: Option<(Instant, u32)>,
    /// A guessed window has surely ended by its first answer plus its length: the provider counted
    /// the request before answering it. Tighter than `reset_at`'s margin, which costs a quarter
    /// of a one-second window (Lever's); `reset_at` stays the window's name for its turns.
    ends_by: Option<Instant>,
}

impl Announced {
    /// When the window is over and the next one may open.
    fn end(&self) -> Instant {
        self.ends_by.map_or(self.reset_at, |e| e.min(self.reset_at))
    }

    /// Whether the window accepted its whole budget (less the margin): the account takes it.
    fn taken_whole(&self) -> bool {
        f64::from(self.accepted) >= (self.limit * MARGIN).floor().max(1.0)
    }
}

#[derive(Debug)]
pub struct Pacer {
    /// The documented budget in requests per second: the start and the ceiling of AIMD.
    documented: f64,
    /// AIMD's current rate, requests per second (unused while headers announce a budget).
    rate: f64,
    /// The last turn handed out: the next one is a gap after it.
    last: Option<Instant>,
    /// No turn before this: `Retry-After`, a spent budget, a backoff.
    pause_until: Option<Instant>,
    successes: u32,
    /// The rate that drew the latest 429.
    bad: Option<f64>,
    backoff: Duration,
    announced: Option<Announced>,
    /// The provider has announced a budget in headers: windows are its word, not guesses.
    headers: bool,
    /// The documented window's budget and length (see [`Pacer::start_with_documented_window`]),
    /// to go back to when a learned window is forgotten.
    documented_window: Option<(f64, Duration)>,
    /// The guessed window's budget and length were measured by a 429 (or resumed from one).
    window_learned: bool,
    /// The guessed window is not trusted yet (see [`Pacer::probe_documented_window`]): requests
    /// go at AIMD's even pace, within its budget, until a window has taken its whole budget.
    probing: bool,
    /// Bumped whenever turns already handed out became wrong (a cut, a pause, a new window):
    /// their holders ask again instead of sending into a 429.
    epoch: u64,
}

impl Pacer {
    /// `requests` per `per`, the provider's documented budget, counted as a window of `per`
    /// spent as `first` says.
    pub fn documented(requests: u32, per: Duration, first: FirstWindow) -> Pacer {
        let mut p = Pacer::new(requests, per);
        match first {
            FirstWindow::AtOnce => p.start_with_documented_window(per),
            FirstWindow::Probed => p.probe_documented_window(per),
        }
        p
    }

    /// `requests` per `per`: the provider's documented budget, paced evenly (AIMD) from the start.
    pub fn new(requests: u32, per: Duration) -> Pacer {
        let documented = f64::from(requests.max(1)) / per.as_secs_f64().max(1e-3);
        Pacer {
            documented,
            rate: documented * MARGIN,
            last: None,
            pause_until: None,
            successes: 0,
            bad: None,
            backoff: FIRST_BACKOFF,
            announced: None,
            headers: false,
            documented_window: None,
            window_learned: false,
            probing: false,
            epoch: 0,
        }
    }

    /// The documented budget counts as a window of `window` starting at the first request, and
    /// goes at once. For a provider that announces its budget in headers (Greenhouse) this holds
    /// until the first answer does; otherwise the requests a sync's passes send together before
    /// any answer arrived were spaced at the documented steady rate (0.6 s apart at Greenhouse's
    /// 50 per 30 s). For one that only sends `Retry-After` (Ashby) it holds until a 429 measures
    /// the account's own window.
    fn start_with_documented_window(&mut self, window: Duration) {
        let limit = self.documented * window.as_secs_f64();
        self.documented_window = Some((limit, window));
        // Reset "now": the first turn rolls it over into a window of its own.
        self.announced = Some(Announced {
            limit,
            remaining: limit,
            reset_at: Instant::now(),
            window,
            rolled_from: None,
            opened: None,
            accepted: 0,
            before: None,
            ends_by: None,
        });
    }

    /// The documented budget counts as a window of `window`, as in
    /// [`Pacer::start_with_documented_window`], for a provider that tells nothing (Lever: no
    /// budget headers, no `Retry-After`): a 429 to a burst could not say where the account's
    /// window ends, and every request of the burst over the account's budget would draw one. So
    /// the window is probed first: requests go at the even documented pace, and only after a
    /// window accepted its whole budget that way do later windows send theirs at once.
    fn probe_documented_window(&mut self, window: Duration) {
        self.start_with_documented_window(window);
        self.probing = true;
    }

    /// Requests go at AIMD's even pace: no window, or one still probed.
    fn even_paced(&self) -> bool {
        self.announced.is_none() || (self.probing && !self.headers)
    }

    /// What this pacer learned from 429s, to be kept with the connection; `None` when it is still
    /// at the documented pace (nothing learned, or everything learned forgotten).
    pub fn learned(&self) -> Option<LearnedPace> {
        let milli = |r: f64| (r * 1000.0).round().clamp(1.0, f64::from(u32::MAX)) as u32;
        if let Some(a) = self.guessed_window().filter(|_| !self.probing) {
            let window_ms = u32::try_from(a.window.as_millis()).unwrap_or(u32::MAX);
            return self.window_learned.then(|| LearnedPace {
                millirequests_per_second: milli(a.limit / a.window.as_secs_f64().max(1e-3)),
                limited_at: None,
                window_ms: Some(window_ms),
            });
        }
        let start = self.documented * MARGIN;
        if self.bad.is_none() && self.rate >= start {
            return None;
        }
        Some(LearnedPace {
            millirequests_per_second: milli(self.rate),
            limited_at: self.bad.map(milli),
            window_ms: None,
        })
    }

    /// Starts from what an earlier run learned (see [`Pacer::learned`]), within the documented
    /// budget: a new run begins at the account's real pace instead of finding it again with 429s.
    /// Its successes still climb back as usual if the account's limit has grown.
    pub fn resume(&mut self, learned: &LearnedPace) {
        let ceiling = self.documented * MARGIN;
        let floor = self.documented * SLOWEST;
        let per_second = |milli: u32| (f64::from(milli) / 1000.0).clamp(floor, ceiling);
        let window = learned.window_ms.map(|ms| Duration::from_millis(u64::from(ms).max(1000)));
        if let (Some(window), Some(a)) = (window, self.announced.as_mut().filter(|_| !self.headers)) {
            let limit = (per_second(learned.millirequests_per_second) * window.as_secs_f64()).floor().max(1.0);
            a.limit = limit;
            a.remaining = limit;
            a.window = window;
            self.window_learned = true;
            self.probing = false;
            return;
        }
        self.bad = learned.limited_at.map(per_second);
        self.rate = per_second(learned.millirequests_per_second);
    }

    /// The window counted down locally when it is a guess (no budget headers seen): the
    /// documented one, or one a 429 measured.
    fn guessed_window(&self) -> Option<&Announced> {
        self.announced.as_ref().filter(|_| !self.headers)
    }

    /// The pace requests go at now, in requests per second (the headers' when announced).
    pub fn rate(&self, now: Instant) -> f64 {
        match self.announced.as_ref().filter(|_| !self.even_paced()) {
            Some(a) if a.end() > now => a.remaining.max(0.0) / (a.end() - now).as_secs_f64().max(1e-3),
            Some(a) => a.limit / a.window.as_secs_f64().max(1e-3),
            None => self.rate,
        }
    }

    /// Reserves the next turn at or after `now`. The caller waits until `turn.at`, then checks
    /// [`Pacer::still_good`]; if the plan changed meanwhile it gives the turn back
    /// ([`Pacer::abandon`]) and reserves again.
    pub fn reserve(&mut self, now: Instant) -> Turn {
        let mut at = now.max(self.pause_until.unwrap_or(now));
        let mut counted_in = None;
        if self.even_paced() {
            if let Some(last) = self.last {
                at = at.max(last + Duration::from_secs_f64(1.0 / self.rate));
            }
        }
        if let Some(a) = self.announced.as_mut() {
            // A probed window that took its whole budget at the even pace is trusted: the
            // windows after it send theirs at once.
            let mut roll = |a: &mut Announced, at: Instant| {
                self.probing &= !a.taken_whole();
                roll_over(a, at);
            };
            if at >= a.end() {
                roll(a, at);
            }
            // The window's budget goes at once; once it is spent, its end is waited for.
            if a.remaining < 1.0 {
                at = at.max(a.end());
            }
            if at >= a.end() {
                roll(a, at);
            }
            // A window rolled over ahead of time (a request already waits for it) opens at
            // the old one's end: a turn counted in it must not go in the spent old one.
            if let Some(opens) = a.rolled_from {
                at = at.max(opens);
            }
            a.remaining -= 1.0;
            counted_in = Some(a.reset_at);
        }
        self.last = Some(at);
        Turn { at, epoch: self.epoch, counted_in }
    }

    /// Whether a turn reserved earlier may still be used: no cut since, and not inside a pause.
    pub fn still_good(&self, turn: &Turn) -> bool {
        turn.epoch == self.epoch && self.pause_until.is_none_or(|p| turn.at >= p)
    }

    /// Gives back a turn that will not be used, so its window's budget is not counted twice.
    pub fn abandon(&mut self, turn: &Turn) {
        if let (Some(a), Some(w)) = (self.announced.as_mut(), turn.counted_in) {
            if a.reset_at == w {
                a.remaining += 1.0;
            }
        }
    }

    /// The provider answered anything but a 429 to a request sent on `turn`; `ok` if it was a
    /// success, which counts towards the climb and the budget a guessed window is measured by.
    pub fn on_answer(&mut self, now: Instant, turn: &Turn, budget: Option<Budget>, ok: bool) {
        self.learn(now, budget);
        if let Some(a) = self.announced.as_mut().filter(|a| turn.counted_in == Some(a.reset_at)) {
            if !self.headers {
                a.ends_by.get_or_insert(now + a.window);
            }
            if ok {
                a.accepted += 1;
            }
        }
        if !ok {
            return;
        }
        self.backoff = FIRST_BACKOFF;
        self.successes += 1;
        // A measured window is kept as long as AIMD keeps a 429 in mind, then the documented
        // one is tried again: an account whose limit grew is found at the cost of one 429.
        if self.window_learned && self.successes >= FORGET_BAD_AFTER {
            if let (Some(a), Some((limit, window))) = (self.announced.as_mut(), self.documented_window) {
                a.limit = limit;
                a.window = window;
            }
            self.window_learned = false;
        }
        if self.successes.is_multiple_of(RUN) {
            let ceiling = match self.bad {
                Some(bad) if self.successes < FORGET_BAD_AFTER => bad * BELOW_BAD,
                _ => {
                    self.bad = None;
                    self.documented * MARGIN
                }
            };
            let step = self.bad.unwrap_or(self.documented) * STEP;
            self.rate = (self.rate + step).min(ceiling).max(self.rate.min(ceiling));
        }
    }

    /// The provider answered 429 to a request sent on `turn`. Returns how long every request
    /// now waits: `Retry-After` if given, else the reset the headers announce, else a backoff.
    pub fn on_429(
        &mut self,
        now: Instant,
        turn: &Turn,
        budget: Option<Budget>,
        retry_after: Option<Duration>,
    ) -> Duration {
        self.learn(now, budget);
        self.successes = 0;
        match retry_after {
            Some(retry_after) => self.measure_window(now, turn, retry_after),
            None if self.guessed_window().is_some() => self.probe_again(turn),
            None => {}
        }
        // One cut per overshoot: 429s for turns handed out before the cut were part of it.
        if turn.epoch == self.epoch {
            self.bad = Some(self.rate);
            self.rate = (self.rate * CUT).max(self.documented * SLOWEST);
            // Turns handed out at the old rate are void: their holders ask again.
            self.epoch += 1;
            self.last = None;
        }
        let announced_reset =
            self.announced.filter(|a| a.remaining < 1.0 && a.reset_at > now).map(|a| a.reset_at - now);
        let wait = match retry_after.or(announced_reset) {
            Some(d) => d,
            None => {
                let d = self.backoff;
                self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
                d
            }
        };
        self.pause(now + wait);
        wait
    }

    /// A 429 with `Retry-After` to a turn counted in a guessed window: the account's window ends
    /// at the `Retry-After`, and its budget is what it accepted in it. Which of our windows that
    /// was: this one, if the account's window ends about a window after this one opened; else
    /// the account's window began before ours (our guess of its length was short: requests
    /// made while connecting had opened it before our first), and it is the window before this
    /// one still running, so both count and the length grows. Where there is no window before
    /// (the first of a run that resumed a measured window), or a 429 comes before any success
    /// in a window not yet measured, the account's window was opened by someone else (an
    /// earlier run, another client of the key): the window is moved, its budget kept. Later
    /// 429s to turns of the same window (sent before the first came back) find it moved and
    /// change nothing.
    fn measure_window(&mut self, now: Instant, turn: &Turn, retry_after: Duration) {
        if self.headers {
            return;
        }
        let Some(a) = self.announced.as_mut().filter(|a| turn.counted_in == Some(a.reset_at)) else { return };
        let Some(this_opened) = a.opened else { return };
        let ends = now + retry_after;
        // Retry-After is rounded up to whole seconds: an end within a second of this window's
        // guessed one is this window's.
        let began_before = ends + Duration::from_secs(1) < this_opened + a.window;
        let measured = match a.before {
            // Our first window with a measured budget (a restart) met one the account had opened
            // before: what it holds is not ours to count.
            None if self.window_learned && began_before => None,
            Some((opened, accepted)) if self.window_learned && began_before => Some((opened, accepted + a.accepted)),
            _ if a.accepted > 0 => Some((this_opened, a.accepted)),
            _ => None,
        };
        if let Some((opened, accepted)) = measured {
            a.limit = (f64::from(accepted) * MARGIN).floor().max(1.0);
            a.window = (ends - opened).max(Duration::from_secs(1));
            self.window_learned = true;
        }
        a.remaining = 0.0;
        a.reset_at = ends;
        a.ends_by = None;
        a.rolled_from = None;
        // The next window opens where the account's does: nothing of this one belongs to it.
        a.opened = None;
        a.accepted = 0;
        self.epoch += 1;
    }

    /// A 429 without `Retry-After` to a turn counted in a guessed window (Lever's every 429;
    /// Ashby's if a proxy or a change ate the header): nothing tells where the account's window
    /// ends, so its budget no longer goes at once; the even pace probes it again. That pace
    /// starts at what this window accepted before the 429, per window length: paced evenly when
    /// it came, that is what the account allows (at a third of Lever's 10 per second: 3, then
    /// 2.9 per second, where halving would go on to 4.85 and draw a second 429). A 429 before
    /// any success in the window says nothing of the budget: the usual cut follows.
    fn probe_again(&mut self, turn: &Turn) {
        self.window_learned = false;
        self.probing = true;
        let Some(a) = self.announced.as_ref().filter(|a| turn.counted_in == Some(a.reset_at)) else { return };
        if a.accepted == 0 || turn.epoch != self.epoch {
            return;
        }
        let took = f64::from(a.accepted) / a.window.as_secs_f64().max(1e-3);
        let (ceiling, floor) = (self.documented * MARGIN, self.documented * SLOWEST);
        self.bad = Some(took);
        self.rate = (took * MARGIN).clamp(floor, ceiling);
        self.epoch += 1;
        self.last = None;
    }

    /// No turn before `until`. Turns handed out inside the pause are void (see `still_good`),
    /// and the chain of turns restarts at its end.
    fn pause(&mut self, until: Instant) {
        if self.pause_until.is_none_or(|p| p < until) {
            self.pause_until = Some(until);
        }
        if self.last.is_some_and(|l| l < until) {
            self.last = None;
        }
    }

    /// Takes in the budget an answer announced. Answers of one window only ever lower the
    /// count (they can arrive out of order, and turns handed out since are not in them yet); an
    /// answer from another window replaces it.
    fn learn(&mut self, now: Instant, budget: Option<Budget>) {
        let Some(b) = budget else { return };
        self.headers = true;
        let reset_at = now + b.reset_in;
        if self.announced.and_then(|a| a.rolled_from).is_some_and(|old| reset_at < old + SAME_WINDOW) {
            return; // a late answer from a window already left
        }
        match self.announced.as_mut() {
            Some(a) if reset_at.max(a.reset_at) - reset_at.min(a.reset_at) < SAME_WINDOW => {
                a.remaining = a.remaining.min(b.remaining);
                a.limit = b.limit;
                a.window = a.window.max(b.reset_in);
            }
            // Another window than the one counted down: the provider's word replaces the guess,
            // and turns handed out on the guess are void; the chain restarts from now.
            Some(a) => {
                let window = a.window.max(b.reset_in);
                *a = Announced {
                    limit: b.limit,
                    remaining: b.remaining,
                    reset_at,
                    window,
                    rolled_from: a.rolled_from,
                    opened: Some(now),
                    accepted: 0,
                    before: None,
                    ends_by: None,
                };
                self.epoch += 1;
                self.last = Some(now);
            }
            None => {
                let window = b.reset_in.max(Duration::from_secs(1));
                self.announced = Some(Announced {
                    limit: b.limit,
                    remaining: b.remaining,
                    reset_at,
                    window,
                    rolled_from: None,
                    opened: Some(now),
                    accepted: 0,
                    before: None,
                    ends_by: None,
                });
                self.epoch += 1;
                self.last = Some(now);
            }
        }
        if b.remaining < 1.0 {
            // Spent: nobody sends before the reset.
            self.pause(reset_at);
        }
    }
}

/// The announced window has ended: assume a fresh one of the same size starting at `at`, until
/// its first answer tells the truth.
fn roll_over(a: &mut Announced, at: Instant) {
    a.rolled_from = Some(a.end());
    a.ends_by = None;
    a.remaining = a.limit;
    a.reset_at = at + a.window + GUESSED_RESET_MARGIN;
    a.before = a.opened.map(|o| (o, a.accepted));
    a.opened = Some(at);
    a.accepted = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends `n` requests one after another, each answered at once by `answer`; the turns.
    fn run(
        p: &mut Pacer,
        start: Instant,
        n: usize,
        mut answer: impl FnMut(&mut Pacer, Instant, &Turn),
    ) -> Vec<Instant> {
        let mut now = start;
        let mut out = Vec::new();
        for _ in 0..n {
            let mut t = p.reserve(now);
            while !p.still_good(&t) {
                p.abandon(&t);
                t = p.reserve(t.at);
            }
            now = t.at;
            out.push(now);
            answer(p, now, &t);
        }
        out
    }

    #[test]
    fn headers_let_the_announced_budget_go_at_once_then_wait_for_the_reset() {
        let mut p = Pacer::new(50, Duration::from_secs(30));
        let start = Instant::now();
        // Windows of 17 per 30 s, the first started with the first request.
        let window_end = start + Duration::from_secs(30);
        // Requests counted in each window (the provider's count, which its answers announce).
        let mut used = [0.0, 0.0];
        let turns = run(&mut p, start, 17 + 5, |p, now, t| {
            let (w, reset_at) =
                if now < window_end { (0, window_end) } else { (1, window_end + Duration::from_secs(30)) };
            used[w] += 1.0;
            p.on_answer(
                now,
                t,
                Some(Budget { limit: 17.0, remaining: 17.0 - used[w], reset_in: reset_at - now }),
                true,
            );
        });
        assert_eq!(used, [17.0, 5.0], "no request went over a window's budget");
        // The first window's 17 go at once: a sync's last window is not stretched to its reset.
        assert!(turns[..17].iter().all(|t| *t == start), "{:?}", turns.iter().map(|t| *t - start).collect::<Vec<_>>());
        // The budget spent, the next requests wait for the reset, then go at once too.
        assert!(turns[17..].iter().all(|t| *t >= window_end), "{:?} before the reset", window_end - turns[17]);
        assert!(
            turns[17..].iter().all(|t| *t == turns[17]),
            "{:?}",
            turns.iter().map(|t| *t - start).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_late_answer_from_the_window_before_does_not_give_its_budget_back() {
        let mut p = Pacer::new(50, Duration::from_secs(30));
        let start = Instant::now();
        let window_end = start + Duration::from_secs(30);
        // The first window's 17 sent, and all but the last answers in.
        let mut used = 0.0;
        let mut unanswered = None;
        let turns = run(&mut p, start, 17, |p, now, t| {
            used += 1.0;
            unanswered = Some(*t);
            if used < 17.0 {
                p.on_answer(
                    now,
                    t,
                    Some(Budget { limit: 17.0, remaining: 17.0 - used, reset_in: window_end - now }),
                    true,
                );
            }
        });
        assert!(turns.iter().all(|t| *t < window_end));
        // The next 17 are asked for at once while the first window is still spent: they go in
        // the next window, none of them in this one.
        let asked = *turns.last().unwrap();
        let next: Vec<Turn> = (0..17).map(|_| p.reserve(asked)).collect();
        assert!(next.iter().all(|t| t.at >= window_end && p.still_good(t)), "{:?}", next[1].at - asked);
        // The first window's last answer arrives only now.
        p.on_answer(
            window_end,
            &unanswered.unwrap(),
            Some(Budget { limit: 17.0, remaining: 0.0, reset_in: Duration::ZERO }),
            true,
        );
        assert!(next.iter().all(|t| p.still_good(t)), "the late answer voided the new window's turns");
        // The second window is spent too: the 35th request waits for its reset.
        let after = p.reserve(window_end);
        assert!(after.at >= window_end + Duration::from_secs(30), "{:?}", after.at - window_end);
    }

    #[test]
    fn a_429_halves_the_rate_and_successes_climb_back_short_of_it() {
        let mut p = Pacer::new(10, Duration::from_secs(1));
        let start = Instant::now();
        assert!((p.rate(start) - 9.7).abs() < 1e-9);
        let t = p.reserve(start);
        // No Retry-After (Lever): a backoff, and turns handed out before are void.
        let t2 = p.reserve(start);
        let wait = p.on_429(start, &t, None, None);
        assert_eq!(wait, FIRST_BACKOFF);
        assert!(!p.still_good(&t2));
        assert!((p.rate(start) - 4.85).abs() < 1e-9);
        // A late 429 for a turn sent before the cut does not cut again, but backs off further.
        assert_eq!(p.on_429(start, &t2, None, None), FIRST_BACKOFF * 2);
        assert!((p.rate(start) - 4.85).abs() < 1e-9);
        let after = p.reserve(start);
        assert!(after.at >= start + FIRST_BACKOFF * 2, "every request waits out the pause");
        // Each run of 20 successes climbs 2.5 % of that rate, up to just under it.
        run(&mut p, after.at, 20, |p, now, t| p.on_answer(now, t, None, true));
        assert!((p.rate(start) - (4.85 + 9.7 * 0.025)).abs() < 1e-9, "{}", p.rate(start));
        run(&mut p, after.at, 479, |p, now, t| p.on_answer(now, t, None, true));
        assert!((p.rate(start) - 9.7 * 0.9).abs() < 1e-9, "{}", p.rate(start));
        // After a long clean run the old 429 is forgotten, never above the documented budget.
        run(&mut p, after.at, 200, |p, now, t| p.on_answer(now, t, None, true));
        assert!((p.rate(start) - 9.7).abs() < 1e-9, "{}", p.rate(start));
    }

    #[test]
    fn retry_after_is_honoured() {
        let mut p = Pacer::new(1000, Duration::from_secs(60));
        let start = Instant::now();
        let t = p.reserve(start);
        assert_eq!(p.on_429(start, &t, None, Some(Duration::from_secs(42))), Duration::from_secs(42));
        assert!(p.reserve(start).at >= start + Duration::from_secs(42));
    }

    #[test]
    fn a_new_run_starts_at_the_pace_an_earlier_one_learned() {
        // Lever's 10/s, on an account that allows 3/s: a run finds it with 429s…
        let start = Instant::now();
        let mut first = Pacer::new(10, Duration::from_secs(1));
        assert_eq!(first.learned(), None, "nothing learned before the first answer");
        let mut window = (start, 0);
        let mut limited = 0;
        run(&mut first, start, 300, |p, now, t| {
            if now - window.0 >= Duration::from_secs(1) {
                window = (now, 0);
            }
            window.1 += 1;
            if window.1 > 3 {
                limited += 1;
                p.on_429(now, t, None, Some(Duration::from_secs(1)));
            } else {
                p.on_answer(now, t, None, true);
            }
        });
        assert!(limited > 0);
        let learned = first.learned().expect("the 429s taught a pace");
        assert!(learned.millirequests_per_second < 3_500, "{learned:?}");
        // …the next run (a restart) starts there, not at the documented 10/s.
        let mut next = Pacer::new(10, Duration::from_secs(1));
        next.resume(&learned);
        assert_eq!(next.learned(), Some(learned));
        assert!((next.rate(start) - f64::from(learned.millirequests_per_second) / 1000.0).abs() < 1e-9);
        // A stored pace beyond the documented budget (an older build's, a hand edit) is capped.
        let mut capped = Pacer::new(10, Duration::from_secs(1));
        capped.resume(&LearnedPace { millirequests_per_second: 50_000, limited_at: None, window_ms: None });
        assert!(capped.rate(start) <= 10.0 * MARGIN);
    }

    #[test]
    fn before_the_first_answer_the_documented_window_lets_a_short_sync_go_at_once() {
        let mut p = Pacer::new(50, Duration::from_secs(30));
        p.start_with_documented_window(Duration::from_secs(30));
        let start = Instant::now() + Duration::from_secs(5);
        // Six passes ask for their first page together, before any answer.
        let turns: Vec<Turn> = (0..6).map(|_| p.reserve(start)).collect();
        assert!(turns.iter().all(|t| t.at == start), "{:?}", turns.iter().map(|t| t.at - start).collect::<Vec<_>>());
        // The first answer's headers then rule: a spent budget waits for its reset.
        p.on_answer(
            start,
            &turns[0],
            Some(Budget { limit: 17.0, remaining: 0.0, reset_in: Duration::from_secs(20) }),
            true,
        );
        assert!(p.reserve(start).at >= start + Duration::from_secs(20));
    }

    /// Ashby's pacer: 1,000 per minute documented, no budget headers.
    fn ashby() -> Pacer {
        Pacer::documented(1000, Duration::from_secs(60), FirstWindow::AtOnce)
    }

    /// An account of fixed windows of `budget` per `window`, each starting at the first request
    /// after the last one ended, answering 429 with `Retry-After` in whole seconds, as Ashby's
    /// sandbox does. Returns the turns and how many drew a 429.
    fn windowed_account(p: &mut Pacer, start: Instant, n: usize, budget: u32, window: Duration) -> (Vec<Instant>, u32) {
        account_since(p, start, n, budget, window, None)
    }

    /// [`windowed_account`] whose first window may have been opened before, by other requests.
    fn account_since(
        p: &mut Pacer,
        start: Instant,
        n: usize,
        budget: u32,
        window: Duration,
        opened: Option<(Instant, u32)>,
    ) -> (Vec<Instant>, u32) {
        fixed_windows(p, start, n, budget, window, opened, true)
    }

    /// Lever's pacer: 10 per second documented, nothing announced.
    fn lever() -> Pacer {
        Pacer::documented(10, Duration::from_secs(1), FirstWindow::Probed)
    }

    /// [`windowed_account`] as Lever's sandbox answers: a 429 with no hint at all.
    fn silent_account(p: &mut Pacer, start: Instant, n: usize, budget: u32) -> (Vec<Instant>, u32) {
        fixed_windows(p, start, n, budget, Duration::from_secs(1), None, false)
    }

    fn fixed_windows(
        p: &mut Pacer,
        start: Instant,
        n: usize,
        budget: u32,
        window: Duration,
        mut opened: Option<(Instant, u32)>,
        retry_after: bool,
    ) -> (Vec<Instant>, u32) {
        let mut refused = 0;
        let turns = run(p, start, n, |p, now, t| {
            let (at, count) = match opened {
                Some((at, count)) if now - at < window => (at, count + 1),
                _ => (now, 1),
            };
            opened = Some((at, count));
            if count > budget {
                refused += 1;
                let left = (at + window - now).as_secs_f64().ceil().max(1.0);
                p.on_429(now, t, None, retry_after.then(|| Duration::from_secs_f64(left)));
            } else {
                p.on_answer(now, t, None, true);
            }
        });
        (turns, refused)
    }

    #[test]
    fn without_budget_headers_the_documented_window_goes_at_once_until_a_429_measures_the_account() {
        // Ashby documents 1,000 per minute; this key allows 56 per 10 s.
        let mut p = ashby();
        let start = Instant::now() + Duration::from_secs(1);
        let (turns, refused) = windowed_account(&mut p, start, 300, 56, Duration::from_secs(10));
        let offsets: Vec<Duration> = turns.iter().map(|t| *t - start).collect();
        // A sync that fits in the documented minute is not paced at all…
        assert!(turns[..57].iter().all(|t| *t == start), "{offsets:?}");
        // …and one 429 measures the account: 56 accepted in a window ending 10 s after it opened.
        assert_eq!(refused, 1, "{offsets:?}");
        let learned = p.learned().expect("the 429 measured a window");
        assert_eq!(learned.window_ms, Some(10_000), "{learned:?}");
        // From then on each window sends 54 (56 less the margin) at once and waits for its end.
        let after: Vec<Duration> = offsets[57..].to_vec();
        for (w, chunk) in after.chunks(54).enumerate() {
            assert!(chunk.iter().all(|t| *t == chunk[0]), "window {w} not sent at once: {after:?}");
            assert!(chunk[0] >= Duration::from_secs(10) * (w as u32 + 1), "window {w} too early: {after:?}");
        }
        assert_eq!(learned.millirequests_per_second, 5_400, "{learned:?}");

        // A restart starts with the measured window: nothing to find again.
        let mut next = ashby();
        next.resume(&learned);
        assert_eq!(next.learned(), Some(learned));
        let (turns, refused) = windowed_account(&mut next, start, 200, 56, Duration::from_secs(10));
        assert_eq!(refused, 0);
        assert!(turns[..54].iter().all(|t| *t == start) && turns[54] >= start + Duration::from_secs(10));
    }

    #[test]
    fn a_429_to_a_windows_first_request_moves_the_window_without_shrinking_it() {
        // Another integration spent the key's minute: our very first request is refused.
        let mut p = ashby();
        let start = Instant::now() + Duration::from_secs(1);
        let first = p.reserve(start);
        p.on_429(start, &first, None, Some(Duration::from_secs(30)));
        assert_eq!(p.learned(), None, "a refusal before any success measures nothing");
        // The documented budget goes at once when the key's window ends.
        let turns: Vec<Turn> = (0..1000).map(|_| p.reserve(start)).collect();
        let reset = start + Duration::from_secs(30);
        assert!(turns.iter().all(|t| t.at == turns[0].at && t.at >= reset), "{:?}", turns[0].at - start);
    }

    #[test]
    fn a_window_opened_before_the_first_request_is_measured_short_then_corrected() {
        // Connecting (another client of the key) opened the account's window 2 s before the
        // sync's first request: the 429's Retry-After makes it look 8 s long, not 10.
        let mut p = ashby();
        let start = Instant::now() + Duration::from_secs(3);
        let earlier = Some((start - Duration::from_secs(2), 2));
        let (turns, refused) = account_since(&mut p, start, 400, 56, Duration::from_secs(10), earlier);
        // The window sent too early is refused once, and both windows it spans are measured
        // as one: 52 + 4 accepted, so 54 per 10 s (and the Retry-After's rounding up). No window
        // after it is refused.
        assert_eq!(refused, 2, "{:?}", turns.iter().map(|t| *t - start).collect::<Vec<_>>());
        let learned = p.learned().expect("measured");
        let ms = learned.window_ms.expect("a window");
        assert!((10_000..11_000).contains(&ms), "{learned:?}");
        assert_eq!(learned.millirequests_per_second, (54_000_000.0 / f64::from(ms)).round() as u32, "{learned:?}");
    }

    #[test]
    fn a_run_resumed_inside_the_accounts_window_moves_its_window_without_shrinking_it() {
        // The run before spent 40 of the account's 56 two seconds ago; the restart sends its
        // measured 54 at once: 16 go, one is refused, and the budget stays.
        let learned = LearnedPace { millirequests_per_second: 5_400, limited_at: None, window_ms: Some(10_000) };
        let mut p = ashby();
        p.resume(&learned);
        let start = Instant::now() + Duration::from_secs(3);
        let earlier = Some((start - Duration::from_secs(2), 40));
        let (_, refused) = account_since(&mut p, start, 300, 56, Duration::from_secs(10), earlier);
        assert_eq!(refused, 1);
        assert_eq!(p.learned(), Some(learned));
    }

    #[test]
    fn a_429_without_retry_after_in_a_guessed_window_falls_back_to_aimd() {
        let mut p = ashby();
        let start = Instant::now() + Duration::from_secs(1);
        let t = p.reserve(start);
        assert_eq!(p.on_429(start, &t, None, None), FIRST_BACKOFF);
        // Half the documented rate, evenly, after the backoff: no more bursts.
        let a = p.reserve(start);
        let b = p.reserve(start);
        assert!(a.at >= start + FIRST_BACKOFF);
        assert_eq!(b.at - a.at, Duration::from_secs_f64(1.0 / (1000.0 / 60.0 * MARGIN * CUT)));
        assert_eq!(p.learned().map(|l| l.window_ms), Some(None), "{:?}", p.learned());
    }

    #[test]
    fn lever_probes_its_first_second_at_the_even_pace_then_sends_each_seconds_budget_at_once() {
        // Under the documented 10 per second, a 5,000-talent sync's 78 requests.
        let mut p = lever();
        let start = Instant::now() + Duration::from_secs(1);
        let (turns, refused) = silent_account(&mut p, start, 78, 10);
        let offsets: Vec<Duration> = turns.iter().map(|t| *t - start).collect();
        assert_eq!(refused, 0, "{offsets:?}");
        // The first window goes at the even pace: a burst is not sent to an untried key…
        let gap = Duration::from_secs_f64(1.0 / (10.0 * MARGIN));
        assert!(offsets[..10].windows(2).all(|w| w[1] - w[0] >= gap), "{offsets:?}");
        // …then each window's ten go at once, right when the last one ended.
        for (w, chunk) in offsets[10..].chunks(10).enumerate() {
            assert!(chunk.iter().all(|t| *t == chunk[0]), "window {w} not sent at once: {offsets:?}");
            assert!(chunk[0] >= Duration::from_secs(w as u64 + 1), "window {w} too early: {offsets:?}");
        }
        // Within 5 % of the 7 s the limit allows (7 windows waited out, the eighth sent at once).
        assert!(offsets[77] <= Duration::from_secs_f64(7.0 * 1.05), "{offsets:?}");
        assert_eq!(p.learned(), None, "nothing to keep: the documented pace held");
    }

    #[test]
    fn lever_at_a_third_of_its_limit_draws_one_429_and_paces_at_what_the_window_took() {
        let mut p = lever();
        let start = Instant::now() + Duration::from_secs(1);
        let (turns, refused) = silent_account(&mut p, start, 80, 3);
        // The probe's fourth request is refused; the three accepted set the pace (2.9 per second,
        // and no climb back to the 3 that drew the 429): halving 9.7 would have drawn another.
        assert_eq!(refused, 1, "{:?}", turns.iter().map(|t| *t - start).collect::<Vec<_>>());
        let learned = p.learned().expect("the 429 taught a pace");
        assert!((2_500..=3_000).contains(&learned.millirequests_per_second), "{learned:?}");
        assert_eq!(learned.limited_at, Some(3_000), "{learned:?}");
        // A restart starts there and draws none.
        let mut next = lever();
        next.resume(&learned);
        let later = start + Duration::from_secs(60);
        assert_eq!(silent_account(&mut next, later, 80, 3).1, 0);
    }
}
