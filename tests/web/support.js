// The user code of the wasm-bindgen-test suite (tests/web/): sessions,
// runners and hostile values as a page would hand them to the manager, and
// waiting with slack. The suite drives the manager from Rust; what it hands
// in is JS, as in a page.

// The timer functions as the page has them: the suite's own waits use
// these, so that a `timerSpy` counts the manager's timers only.
const real = {
  setTimeout: globalThis.setTimeout,
  clearTimeout: globalThis.clearTimeout,
  setInterval: globalThis.setInterval,
  clearInterval: globalThis.clearInterval,
};

/** Settles as `promise` does, or rejects once `ms` passed: headless timers
 * are throttled, so `ms` is slack for an event that should come, never a
 * measure of when it came. */
export function within(promise, ms, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = real.setTimeout.call(globalThis, () => reject(new Error(`no answer within ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => real.clearTimeout.call(globalThis, timer));
}

export const sleep = (ms) => new Promise((resolve) => real.setTimeout.call(globalThis, resolve, ms));

// How to put back what a test replaced on the page, until it does: run by
// `restorePage` when a test fails half-way (a panic), so that the harness
// reporting it, and the tests after it, find the page's own functions.
const replaced = new Set();

export function restorePage() {
  for (const restore of [...replaced].reverse()) restore();
}

function replacing(restore) {
  const once = () => {
    if (replaced.delete(once)) restore();
  };
  replaced.add(once);
  return once;
}

/** Wraps the page's timer functions (which gloo-timers calls) to count the
 * timers made since that are still live: a timeout until it fires or is
 * cleared, an interval until it is cleared. `restore()` puts them back. */
export function timerSpy() {
  const timeouts = new Set();
  const intervals = new Set();
  globalThis.setTimeout = (f, ms, ...args) => {
    const id = real.setTimeout.call(globalThis, (...a) => {
      timeouts.delete(id);
      f(...a);
    }, ms, ...args);
    timeouts.add(id);
    return id;
  };
  globalThis.clearTimeout = (id) => {
    timeouts.delete(id);
    real.clearTimeout.call(globalThis, id);
  };
  globalThis.setInterval = (f, ms, ...args) => {
    const id = real.setInterval.call(globalThis, f, ms, ...args);
    intervals.add(id);
    return id;
  };
  globalThis.clearInterval = (id) => {
    intervals.delete(id);
    real.clearInterval.call(globalThis, id);
  };
  return {
    liveTimeouts: () => timeouts.size,
    liveIntervals: () => intervals.size,
    restore: replacing(() => Object.assign(globalThis, real)),
  };
}
export const never = () => new Promise(() => {});

/** A session that records the messages it is sent and answers getStatus
 * from `answers` in turn (the last one ever after); an answer that is a
 * function is called (it may throw or return a promise). `until(n)`
 * resolves once n messages came. */
export function session(id, answers) {
  const probe = { sent: [], polls: 0, waits: [] };
  const answer = () => {
    const a = answers[Math.min(probe.polls, answers.length - 1)];
    probe.polls++;
    return typeof a === 'function' ? a() : a;
  };
  probe.session = {
    id,
    getStatus: answer,
    sendMessage: (message) => {
      probe.sent.push(message);
      probe.waits = probe.waits.filter(([n, resolve]) => (probe.sent.length >= n ? resolve() : true));
    },
  };
  probe.until = (n) =>
    probe.sent.length >= n ? Promise.resolve() : new Promise((resolve) => probe.waits.push([n, resolve]));
  return probe;
}

/** A listener that records every event; `until(pred)` resolves with the
 * first event (past or future) for which `pred` holds. */
export function recorder() {
  const probe = { events: [], waits: [] };
  probe.listener = (event) => {
    probe.events.push(event);
    probe.waits = probe.waits.filter(([pred, resolve]) => (pred(event) ? (resolve(event), false) : true));
  };
  probe.until = (pred) => {
    const seen = probe.events.find(pred);
    return seen ? Promise.resolve(seen) : new Promise((resolve) => probe.waits.push([pred, resolve]));
  };
  return probe;
}

export function statusIs(status) {
  return (event) => event.type === 'status' && event.status === status;
}

/** A runner whose promise resolves with `value` after `ms`, having written
 * `chunk`. */
export function resolvingRunner(value, ms, chunk) {
  return async ({ write }) => {
    await sleep(ms);
    write(chunk);
    return value;
  };
}

/** A runner whose promise rejects with `reason` after `ms`. */
export function rejectingRunner(reason, ms) {
  return async () => {
    await sleep(ms);
    throw reason;
  };
}

/** A runner that returns a thenable (not a native promise) calling back
 * with `value` after `ms`. */
export function thenableRunner(value, ms) {
  return () => ({ then: (resolve) => setTimeout(() => resolve(value), ms) });
}

/** A runner whose promise never settles; `probe.aborted` resolves when its
 * signal aborts. */
export function hangingRunner() {
  const probe = {};
  probe.aborted = new Promise((resolve) => {
    probe.runner = ({ signal }) => {
      signal.addEventListener('abort', () => resolve(true));
      return never();
    };
  });
  return probe;
}

/** A runner that returns `value` synchronously after writing `chunk` and
 * reporting `progress`. */
export function syncRunner(value, chunk, progress) {
  return ({ write, progress: report }) => {
    write(chunk);
    report(progress);
    return value;
  };
}

// ---- hostile values -----------------------------------------------------

/** A function that throws `value` (any value: a symbol, null, a Proxy). */
export function thrower(value) {
  return () => {
    throw value;
  };
}

export function revokedProxy() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

/** An object whose `key` getter throws `value`. */
export function throwingGetter(key, value) {
  return Object.defineProperty({}, key, {
    enumerable: true,
    get() {
      throw value;
    },
  });
}

/** A runner returning an object whose `then` getter throws `value`. */
export function throwingThenRunner(value) {
  return () => throwingGetter('then', value);
}

/** Makes console.warn and console.error throw at the manager's reports
 * (and count them) until `restore()`; other messages (a failing test's)
 * still get through. */
export function hostileConsole() {
  const saved = { warn: console.warn, error: console.error };
  const probe = { calls: 0 };
  const hostile = (original) => (...args) => {
    if (typeof args[0] === 'string' && args[0].startsWith('background-manager:')) {
      probe.calls++;
      throw new Error('console is hostile');
    }
    return original.apply(console, args);
  };
  console.warn = hostile(saved.warn);
  console.error = hostile(saved.error);
  probe.restore = replacing(() => Object.assign(console, saved));
  return probe;
}

// ---- reading values -----------------------------------------------------

export function keys(value) {
  return Object.keys(value).join(',');
}

export function same(a, b) {
  return Object.is(a, b);
}

export function isError(value) {
  return value instanceof Error;
}

export function isRuntimeError(value) {
  return value instanceof WebAssembly.RuntimeError;
}

/** A value as text, for a failure message, whatever it is. */
export function show(value) {
  try {
    const text = JSON.stringify(value);
    if (text !== undefined) return text;
  } catch {
    // A cycle, a BigInt: shown as String() shows it.
  }
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export function hasKey(value, key) {
  return value !== null && typeof value === 'object' && key in value;
}
