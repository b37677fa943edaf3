// User Timing marks and measures for what a recruiter feels, in the webview's own clock: a click
// or a keystroke to its result painted. The window bench (`window_bench` in tests/e2e.rs) reads them
// through WebDriver; in the app they are standard web API entries and cost nothing noticeable.

/** Marked when a talent's profile is asked for (click or Enter). */
export const PROFILE_OPEN = 'talentdeck:profile-open';
/** Measured from `PROFILE_OPEN` to the profile's data painted. */
export const PROFILE_PAINTED = 'talentdeck:profile-painted';
/** Marked on every keystroke in the talent search. */
export const SEARCH_INPUT = 'talentdeck:search-input';
/** Measured from the last `SEARCH_INPUT` to the matching rows painted. */
export const SEARCH_PAINTED = 'talentdeck:search-painted';
/** Marked once per window, when the connections' statuses first answered (the cold start's parts). */
export const STATUSES_LOADED = 'talentdeck:statuses-loaded';
/** Marked once per window, when the Talents list first painted rows (the bench's cold start). */
export const TALENTS_PAINTED = 'talentdeck:talents-painted';

/** Measures kept per name: a long session must not grow the timeline without end. */
const KEEP = 200;

export function mark(name: string): void {
  performance.mark(name);
}

/** Two animation frames: the DOM change just made has been painted. */
function afterPaint(then: () => void): void {
  requestAnimationFrame(() => requestAnimationFrame(then));
}

/**
 * Measures `name` from the newest `start` mark to the paint of the DOM change just made, and
 * clears the mark (taken now, so a later open or keystroke starts its own). No mark, no measure:
 * a profile opened another way than a click, rows reloaded by a sync.
 */
export function measurePainted(name: string, start: string): void {
  const marks = performance.getEntriesByName(start, 'mark');
  if (marks.length === 0) return;
  const from = marks[marks.length - 1].startTime;
  performance.clearMarks(start);
  afterPaint(() => {
    if (performance.getEntriesByName(name, 'measure').length >= KEEP) performance.clearMeasures(name);
    performance.measure(name, { start: from, end: performance.now() });
  });
}

/** Marks `name` once per window, at the paint of the DOM change just made. */
export function markPaintedOnce(name: string): void {
  if (performance.getEntriesByName(name, 'mark').length > 0) return;
  afterPaint(() => markOnce(name));
}

/** Marks `name` now, once per window. */
export function markOnce(name: string): void {
  if (performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
}
