// The result of a query that is re-run as its inputs change (filters, search text, a
// `models_changed`): only the newest request's answer or error is kept, so a slow older answer
// arriving late can never overwrite a newer one.

import { toErrorPayload } from '../backend';
import type { ErrorPayload } from '../bindings/ErrorPayload';

export class Latest<T> {
  /** The newest answer (kept while a newer request is pending or after it failed). */
  value = $state.raw<T>() as T;
  /** The newest request's error; cleared by the next answer. */
  error = $state<ErrorPayload | null>(null);
  /** True once the first request settled (answered or failed); never goes back. */
  loaded = $state(false);
  /** True while the newest request is pending. */
  loading = $state(false);

  #seq = 0;

  constructor(initial: T) {
    this.value = initial;
  }

  /** Runs `query`; its outcome is dropped if another `run` started meanwhile. */
  async run(query: () => Promise<T>): Promise<void> {
    const mine = ++this.#seq;
    this.loading = true;
    try {
      const result = await query();
      if (mine !== this.#seq) return;
      this.value = result;
      this.error = null;
    } catch (e) {
      if (mine !== this.#seq) return;
      this.error = toErrorPayload(e);
    } finally {
      if (mine === this.#seq) {
        this.loaded = true;
        this.loading = false;
      }
    }
  }
}
