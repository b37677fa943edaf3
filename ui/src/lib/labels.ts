// Words for the core's enums, in one place.

import type { Evidence } from './bindings/Evidence';
import type { ConnectionState } from './bindings/ConnectionState';
import type { ConnectionStatus } from './bindings/ConnectionStatus';
import type { HealthIndicator } from './bindings/HealthIndicator';
import type { JobStatus } from './bindings/JobStatus';
import type { Provider } from './bindings/Provider';

export const PROVIDERS: Provider[] = ['greenhouse', 'lever', 'ashby'];

export const PROVIDER_NAME: Record<Provider, string> = {
  greenhouse: 'Greenhouse',
  lever: 'Lever',
  ashby: 'Ashby',
};

export const STATE_LABEL: Record<ConnectionState, string> = {
  connected: 'Connected',
  syncing: 'Syncing',
  needs_reconnect: 'Needs reconnect',
  permission_denied: 'Permission denied',
  unreachable: 'Unreachable',
  error: 'Error',
  disconnected: 'Disconnected',
};

/**
 * What a connection's badge shows: the core's traffic light, or `disconnected` — a connection the
 * recruiter disconnected on purpose is not an alarm, whatever colour the core gives it.
 */
export type Health = HealthIndicator | 'disconnected';

export const INDICATOR_LABEL: Record<Health, string> = {
  green: 'Healthy',
  yellow: 'Stale',
  red: 'Needs attention',
  syncing: 'Syncing…',
  disconnected: 'Disconnected',
};

export const INDICATOR_HELP: Record<Health, string> = {
  green: 'Synced successfully within the last 24 hours',
  yellow: 'Last successful sync was 24–48 hours ago',
  red: 'The last sync failed, the connection needs attention, or nothing synced for 48 hours',
  syncing: 'A sync is running',
  disconnected: 'Disconnected: no longer synced; the data synced before stays browsable, read-only',
};

export function healthOf(s: Pick<ConnectionStatus, 'state' | 'indicator'>, syncing = false): Health {
  if (s.state === 'disconnected') return 'disconnected';
  return syncing ? 'syncing' : s.indicator;
}

export const JOB_STATUS_LABEL: Record<JobStatus, string> = {
  open: 'Open',
  closed: 'Closed',
  draft: 'Draft',
  archived: 'Archived',
};

export const RESOURCE_LABEL: Record<string, string> = {
  jobs: 'Jobs',
  stages: 'Stages',
  talents: 'Talents',
  applications: 'Applications',
  stage_history: 'Stage changes',
  attachments: 'Files',
};

/** States that only the recruiter can fix, by reconnecting. */
export function needsReconnect(s: Pick<ConnectionStatus, 'state'>): boolean {
  return s.state === 'needs_reconnect' || s.state === 'permission_denied';
}

/** Whether "Sync now" can do anything for the connection. */
export function canSync(s: Pick<ConnectionStatus, 'state'>): boolean {
  return !needsReconnect(s) && s.state !== 'disconnected';
}

export function countOf(s: ConnectionStatus, resource: string): number {
  return s.counts.find((c) => c.resource === resource)?.count ?? 0;
}

/** What to tell a recruiter for an error `code` (the message says what happened; this, what to do). */
export function errorHint(code: string): string | null {
  switch (code) {
    case 'unauthorized':
      return 'Check the credentials: they may be mistyped, revoked or expired.';
    case 'permission_denied':
      return 'The credentials work but lack permissions. Ask your ATS admin to grant read access to jobs, candidates and applications.';
    case 'keychain_unavailable':
      return 'Talentdeck keeps secrets in the system keychain. Unlock it (or install a Secret Service such as GNOME Keyring) and try again.';
    case 'unreachable':
      return 'Check your internet connection or proxy. Data synced before stays available offline.';
    case 'rate_limited':
      return 'The ATS asked Talentdeck to slow down. Try again in a few minutes.';
    case 'validation':
      return null;
    default:
      return null;
  }
}

/** What two records share, as the duplicate lists say it ("same e-mail"). */
export const EVIDENCE_LABEL: Record<Evidence['kind'], string> = {
  email: 'same e-mail',
  phone: 'same phone',
  name_company: 'same name and company',
};

/** "same e-mail and phone": the kinds of evidence, strong first, without repeats. */
export function evidenceSummary(evidence: Evidence[]): string {
  const kinds = [...new Set(evidence.map((e) => e.kind))].map((k) => EVIDENCE_LABEL[k]);
  if (kinds.length <= 1) return kinds[0] ?? 'linked by you';
  return `${kinds.slice(0, -1).join(', ')} and ${kinds[kinds.length - 1].replace(/^same /, '')}`;
}
