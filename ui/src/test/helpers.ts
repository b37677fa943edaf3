import { render } from '@testing-library/svelte';
import App from '../App.svelte';
import { FakeBackend, type FakeOptions } from '../lib/fake/fake-backend';
import type { View } from '../lib/state/app.svelte';

/** Renders the whole app against a fresh fake backend. */
export function renderApp(backend: FakeBackend = new FakeBackend(), view?: View) {
  const result = render(App, { props: { backend, view } });
  return { ...result, backend };
}

/** A fake with small data and instant syncs. */
export function fake(options: FakeOptions = {}): FakeBackend {
  return new FakeBackend({ sandboxTalents: 40, sandboxJobs: 12, syncDelayMs: 0, ...options });
}
