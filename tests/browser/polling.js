// Polling and the page's visibility, written once for Deno (a stand-in
// document) and headless Chromium (the page's own document, its
// visibilityState overridden): a hidden page polls four times less often,
// and one becoming visible polls at once if a poll is due and fires the
// deadlines its throttled timers left due.
import { check, eventually } from './support.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const gaps = (times) => times.slice(1).map((t, i) => t - times[i]);
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Runs `body(page)` with a document whose visibility `page.set(state)` changes. */
async function withPage(state, body) {
  const standIn = typeof document === 'undefined';
  if (standIn) globalThis.document = new EventTarget();
  let visibility = state;
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
  const page = {
    set(next) {
      visibility = next;
      document.dispatchEvent(new Event('visibilitychange'));
    },
  };
  try {
    await body(page);
  } finally {
    delete document.visibilityState;
    if (standIn) delete globalThis.document;
  }
}

export const scenarios = {
  async 'a hidden page polls four times less often and catches up when it becomes visible'(BM) {
    await withPage('hidden', async (page) => {
      const times = [];
      const m = new BM({ pollInterval: 10 });
      await m.initialize({ id: 's', getStatus: () => (times.push(performance.now()), 'running'), sendMessage() {} });
      await m.createTask({ options: {} });
      await eventually('four hidden polls', () => times.length >= 4);
      for (const gap of gaps(times)) check(gap >= 30, `hidden gap ${gap.toFixed(1)} ms, want 40`);
      // Between two hidden polls, more than half an interval after the
      // last: becoming visible begins the due poll in the listener itself.
      await sleep(15);
      const before = times.length;
      page.set('visible');
      check(times.length === before + 1, `caught up on visibilitychange: ${times.length - before} polls`);
      const visible = times.length;
      await eventually('visible polls', () => times.length >= visible + 6);
      const rate = mean(gaps(times.slice(visible - 1)));
      check(rate < 30, `visible again: every 10 ms, mean gap ${rate.toFixed(1)} ms`);
      await m.cleanup();
      const done = times.length;
      page.set('visible');
      check(times.length === done, 'after cleanup nothing is polled');
    });
  },

  async 'a page becoming visible fires the deadlines its throttled timers left due'(BM) {
    await withPage('visible', async (page) => {
      const sent = [];
      const m = new BM({ pollInterval: 5, taskTTL: 40 });
      await m.initialize({ id: 's', getStatus: () => 'running', sendMessage: (n) => void sent.push(`${n.taskId}:${n.status}`) });
      const t = await m.createTask({ options: {} });
      // The event loop blocked past the TTL, as in a throttled tab: no
      // timer runs; then the page becomes visible.
      const until = Date.now() + 60;
      while (Date.now() < until) { /* no timer can run */ }
      page.set('visible');
      check(sent.join() === `${t.id}:error`, `timed out in the listener, before any timer: ${sent.join()}`);
      await m.cleanup();
    });
  },
};
