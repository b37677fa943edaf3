// Times as recruiters read them: relative in the UI ("5 minutes ago"), exact on hover.

// Relative times are part of the (English) UI text; exact times follow the user's locale.
const rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

/** "just now", "5 minutes ago", "yesterday", "in 2 hours"; `fallback` when there is no time. */
export function relativeTime(iso: string | null | undefined, now: number, fallback = 'never'): string {
  if (!iso) return fallback;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return fallback;
  const seconds = Math.round((t - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (abs >= size) return rtf.format(Math.round(seconds / size), unit);
  }
  return rtf.format(Math.round(seconds / 60) || -1, 'minute');
}

/** The exact local date and time, for `title` attributes. */
export function exactTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : exact.format(t);
}

export function formatCount(n: number): string {
  return n.toLocaleString();
}

/** A file size in binary units, as the core's messages give them: "240 KB", "31.4 MB". */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/** How long since `iso`, short: "3 d", "5 h", "12 min", "now" (time in a stage). */
export function since(iso: string, now: number): string {
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (Number.isNaN(s)) return '';
  if (s >= 24 * 3600) return `${Math.floor(s / (24 * 3600))} d`;
  if (s >= 3600) return `${Math.floor(s / 3600)} h`;
  if (s >= 60) return `${Math.floor(s / 60)} min`;
  return 'now';
}
