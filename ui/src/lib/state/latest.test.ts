import { describe, expect, it } from 'vitest';
import { Latest } from './latest.svelte';

/** A promise settled from the outside, to control the order answers arrive in. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Latest', () => {
  it('ignores an older answer that arrives after a newer one', async () => {
    const q = new Latest<string[]>([]);
    const older = deferred<string[]>();
    const newer = deferred<string[]>();
    const a = q.run(() => older.promise);
    const b = q.run(() => newer.promise);
    newer.resolve(['new']);
    await b;
    expect(q.value).toEqual(['new']);
    older.resolve(['old']);
    await a;
    expect(q.value).toEqual(['new']);
    expect(q.loading).toBe(false);
  });

  it('keeps the newest error (and the last answer), and ignores an older failure', async () => {
    const q = new Latest<number>(0);
    await q.run(async () => 1);
    const older = deferred<number>();
    const a = q.run(() => older.promise);
    await q.run(() => Promise.reject({ code: 'store', message: 'disk I/O error' }));
    expect(q.error).toEqual({ code: 'store', message: 'disk I/O error' });
    expect(q.value).toBe(1);
    // A late answer to an older request neither clears the error nor replaces the value.
    older.resolve(2);
    await a;
    expect(q.error).toEqual({ code: 'store', message: 'disk I/O error' });
    expect(q.value).toBe(1);
    // The next answer clears it; a late older failure is dropped too.
    const olderFail = deferred<number>();
    const c = q.run(() => olderFail.promise);
    await q.run(async () => 3);
    olderFail.reject(new Error('late'));
    await c;
    expect(q.error).toBeNull();
    expect(q.value).toBe(3);
  });

  it('turns any rejection into a {code, message} payload', async () => {
    const q = new Latest<number>(0);
    await q.run(() => Promise.reject(new Error('boom')));
    expect(q.error).toEqual({ code: 'internal', message: 'boom' });
  });

  it('flips `loaded` once, when the newest request first settles', async () => {
    const q = new Latest<number>(0);
    expect(q.loaded).toBe(false);
    const older = deferred<number>();
    const newer = deferred<number>();
    const a = q.run(() => older.promise);
    const b = q.run(() => newer.promise);
    expect(q.loading).toBe(true);
    // An outdated request settling does not count as loaded.
    older.resolve(1);
    await a;
    expect(q.loaded).toBe(false);
    newer.resolve(2);
    await b;
    expect(q.loaded).toBe(true);
    // It stays true while later requests run, and after they fail.
    const next = deferred<number>();
    const c = q.run(() => next.promise);
    expect(q.loaded).toBe(true);
    next.reject({ code: 'store', message: 'x' });
    await c;
    expect(q.loaded).toBe(true);
    expect(q.loading).toBe(false);
  });
});
