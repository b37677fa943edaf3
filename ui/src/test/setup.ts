import '@testing-library/jest-dom/vitest';
import { afterEach } from 'vitest';

// jsdom has no layout. The virtual list learns its viewport's size from a ResizeObserver, so
// report every observed element as 1000×640 px (enough for ten 64 px rows).
class ResizeObserverStub {
  private readonly callback: ResizeObserverCallback;
  constructor(callback: ResizeObserverCallback) {
    this.callback = callback;
  }
  observe(target: Element) {
    queueMicrotask(() =>
      this.callback(
        [{ target, contentRect: { width: 1000, height: 640 } } as unknown as ResizeObserverEntry],
        this as unknown as ResizeObserver,
      ),
    );
  }
  unobserve() {}
  disconnect() {}
}
globalThis.ResizeObserver = ResizeObserverStub as unknown as typeof ResizeObserver;

// The app mirrors its page in the URL hash; start every test from a clean URL.
afterEach(() => {
  window.history.replaceState(null, '', '/');
});
