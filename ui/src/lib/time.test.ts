import { describe, expect, it } from 'vitest';
import { indicatorFor } from './fake/fake-backend';
import { exactTime, formatSize, relativeTime } from './time';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const MIN = 60_000;
const HOUR = 60 * MIN;

describe('relativeTime', () => {
  it('reads like a person would say it', () => {
    expect(relativeTime(ago(10_000), NOW)).toBe('just now');
    expect(relativeTime(ago(5 * MIN), NOW)).toBe('5 minutes ago');
    expect(relativeTime(ago(3 * HOUR), NOW)).toBe('3 hours ago');
    expect(relativeTime(ago(26 * HOUR), NOW)).toBe('yesterday');
    expect(relativeTime(null, NOW)).toBe('never');
    expect(relativeTime('not a date', NOW, '—')).toBe('—');
  });

  it('gives the exact time for hover titles', () => {
    expect(exactTime(ago(0))).toMatch(/2026/);
    expect(exactTime(null)).toBe('');
  });
});

describe('formatSize', () => {
  it('gives sizes in the units the core uses', () => {
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(240 * 1024)).toBe('240 KB');
    expect(formatSize(Math.round(31.4 * 1_048_576))).toBe('31.4 MB');
  });
});

describe('the fake health rule (mirrors status::indicator)', () => {
  it('follows the 24 h / 48 h thresholds', () => {
    expect(indicatorFor('connected', ago(23 * HOUR), false, NOW)).toBe('green');
    expect(indicatorFor('connected', ago(25 * HOUR), false, NOW)).toBe('yellow');
    expect(indicatorFor('connected', ago(49 * HOUR), false, NOW)).toBe('red');
    expect(indicatorFor('connected', null, false, NOW)).toBe('red');
    expect(indicatorFor('connected', ago(0), true, NOW)).toBe('red');
    expect(indicatorFor('syncing', null, true, NOW)).toBe('syncing');
    expect(indicatorFor('needs_reconnect', ago(0), false, NOW)).toBe('red');
  });
});
