// Everything that touches a value or a function the user gave us happens
// here, inside try/catch: nothing a user callback, getter, Proxy or
// thenable throws can reach Rust. Rust imports these functions and trusts
// them never to throw (the ones that report a problem to Rust are imported
// with `catch`).

// The protocol between Rust and JS, sent by Rust once at start so that it
// has one source (`src/bindgen/protocol.rs`): `P` holds every value it
// sends, by name (status names by number, the first final status and the
// error status, the options shapes, the cut notice, the error codes, and
// each list of names below); nothing reads it before a manager is made,
// which needs the start. Each of those lists names the numbers that
// cross, by index; the objects below map each name to its number, so that
// the JS files read names, never bare numbers (tests/deno/protocol.test.ts
// checks both).
export const P = {};
// A task's numbers as the core writes them to wasm memory (`read`), and
// those of each task in a list (`list`): where each is in a row.
export const ROW = {};
export const LIST_ROW = {};
// The classes of `makeError`, by the name of their constructor.
export const ERROR = {};
// The kinds of log entry `logEntry` keeps (`status` plus a status number
// for a status).
export const LOG = {};
// launch's `onConflict` values.
export const CONFLICT = {};
// What `idProblem` finds wrong with an id.
export const ID = {};
// How `replyRun` settles a runner's question.
export const REPLY = {};
// How `bag` reads a key of an options object.
export const KIND = {};
// How shared.js settles a call it forwarded, once the answer comes.
export const SETTLED = {};
const NAMED = { ROW, LIST_ROW, ERROR, LOG, CONFLICT, ID, REPLY, KIND, SETTLED };

// makeError's constructors by class number; empty until the protocol came,
// when the only error made is a plain Error (`NOT_INITIALIZED`).
const CONSTRUCTORS = { Error, TypeError, RangeError };
let classes = [];

export function protocol(pairs) {
  for (const [name, value] of pairs) {
    P[name] = value;
    const named = NAMED[name];
    if (named !== undefined) value.forEach((key, i) => { named[key] = i; });
  }
  classes = P.ERROR.map((name) => CONSTRUCTORS[name]);
}

// ---- errors -------------------------------------------------------------

// The class of error for a wrong `value`: a number out of range is a
// RangeError, anything else a TypeError.
export function wrongClass(value) {
  return typeof value === 'number' ? ERROR.RangeError : ERROR.TypeError;
}

// `kind`: a class of ERROR (a plain Error for any other).
export function makeError(kind, message, code) {
  const error = new (classes[kind] ?? Error)(message);
  error.code = code;
  return error;
}

// A console that throws, or is missing, must not stop the manager.
export function report(what, error) {
  try {
    console.warn(`background-manager: ${what} failed:`, error);
  } catch {
    // Nowhere left to report to.
  }
}

function reportError(what, error) {
  try {
    console.error(`background-manager: ${what}:`, error);
  } catch {
    // Nowhere left to report to.
  }
}

// A value as a string, whatever it is; never throws. Each step falls back
// to the next: `message`, then String(), then the tag.
export function errorText(error) {
  if (typeof error === 'string') return error;
  if (error !== null && (typeof error === 'object' || typeof error === 'function')) {
    try {
      const message = error.message;
      if (typeof message === 'string') return message;
    } catch {
      // A throwing getter: describe the value another way.
    }
  }
  try {
    return String(error);
  } catch {
    try {
      return Object.prototype.toString.call(error);
    } catch {
      return 'Unknown error';
    }
  }
}

// What a failed runner's error says about retrying it: -2 `retryable:
// false` (final at once), else its `retryAfter` in ms (a number of ms, or
// an HTTP `Retry-After` value: seconds or a date), else -1. Never throws.
export function retryHint(error) {
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) return -1;
  let retryable;
  let after;
  try {
    ({ retryable, retryAfter: after } = error);
  } catch {
    return -1;
  }
  if (retryable === false) return -2;
  if (typeof after === 'number') return after >= 0 && after < Infinity ? after : -1;
  if (typeof after !== 'string') return -1;
  if (/^\s*\d+\s*$/.test(after)) return Number(after) * 1000;
  const at = Date.parse(after);
  return Number.isNaN(at) ? -1 : Math.max(0, at - Date.now());
}

// What a wrong value was, for "..., got <this>" messages; never throws.
export function describe(value) {
  if (value === null) return 'null';
  const type = typeof value;
  if (type === 'string') {
    return value.length === 0 ? 'an empty string' : value.length <= 64 ? `"${value}"` : 'a string';
  }
  if (type === 'number') return String(value);
  if (type === 'undefined') return 'undefined';
  if (type === 'boolean') return 'a boolean';
  if (type === 'object') {
    try {
      return Array.isArray(value) ? 'an array' : 'an object';
    } catch {
      return 'a revoked Proxy';
    }
  }
  return `a ${type}`;
}

// What is wrong with an id, if anything (ID.none): a lone surrogate is
// not well-formed Unicode, so it could not survive a trip through UTF-8.
export function idProblem(value) {
  if (typeof value !== 'string') return ID.notString;
  if (value.length === 0) return ID.empty;
  return value.isWellFormed() ? ID.none : ID.loneSurrogate;
}

// ---- option bags --------------------------------------------------------

// Reads an options object once, key by key, into a plain array that Rust
// converts with serde-wasm-bindgen (records.rs reads it by position):
// reading it there can then run no getter and meet no Proxy. `shape`
// indexes P.shapes: [what, [key, kind]...]; the array holds each key's
// value in that order, `undefined` where it is left out. A KIND.scalar is
// a primitive, or { got } describing what else it was (null included); a
// KIND.value is kept as given; KIND.entries is an object of names to
// scalars (as [name, scalar] pairs); KIND.innerScalar and
// KIND.innerEntries read `outer.inner` of a nested object (`limits.global`,
// `limits.keys`: one flat record for Rust). Returns undefined when the bag
// is left out; throws [got] when it is not an object, [undefined, key,
// threw] when reading a key threw.
export function bag(value, shape) {
  if (value === undefined || value === null) return undefined;
  const [, keys] = P.shapes[shape];
  if (!isBag(value)) throw [describe(value)];
  const out = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const [key, kind] = keys[i];
    let v;
    try {
      if (kind !== KIND.innerScalar && kind !== KIND.innerEntries) {
        v = value[key];
      } else {
        const dot = key.indexOf('.');
        const outer = value[key.slice(0, dot)];
        if (outer === undefined) continue;
        // Not an object: the inner option says what it got.
        v = isBag(outer) ? outer[key.slice(dot + 1)] : outer;
      }
    } catch (e) {
      throw [undefined, key, errorText(e)];
    }
    if (v === undefined) continue;
    out[i] = kind === KIND.value ? v : kind === KIND.entries || kind === KIND.innerEntries ? entries(v, key) : scalar(v);
  }
  return out;
}

function isBag(value) {
  if (value === null || typeof value !== 'object') return false;
  try {
    return !Array.isArray(value);
  } catch {
    return false;
  }
}

function scalar(v) {
  const type = typeof v;
  return type === 'string' || type === 'number' || type === 'boolean' ? v : { got: describe(v) };
}

function entries(value, key) {
  if (!isBag(value)) return { got: describe(value) };
  let names;
  try {
    names = Object.keys(value);
  } catch (e) {
    throw [undefined, key, errorText(e)];
  }
  const out = [];
  for (const name of names) {
    try {
      out.push([name, scalar(value[name])]);
    } catch (e) {
      throw [undefined, `${key}.${name}`, errorText(e)];
    }
  }
  return out;
}

// ---- promises we can let go of ------------------------------------------

const RELEASE = Symbol('release');
export const ABANDONED = Symbol('abandoned');

// A fresh native promise that follows `value` (a promise, a thenable whose
// `then` may throw, or a plain value) and that `release` can settle early
// with ABANDONED. Rust awaits it as a JsFuture; letting it go settles it,
// so nothing waits on a user promise that never settles.
export function hold(value, settled) {
  let release;
  const held = new Promise((done, fail) => {
    // `settled` (if any) runs just before `held` settles with the outcome:
    // before anything that awaits it hears of it.
    const resolve = settled === undefined ? done : (v) => {
      settled();
      done(v);
    };
    const reject = settled === undefined ? fail : (e) => {
      settled();
      fail(e);
    };
    release = () => done(ABANDONED);
    // Adopt a thenable by calling its `then` with our own functions (which
    // a later release overrides): a `then` or a getter that throws, or a
    // native promise whose `constructor` getter throws, rejects instead.
    try {
      if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
        const then = value.then;
        if (typeof then === 'function') {
          then.call(value, resolve, reject);
          return;
        }
      }
      resolve(value);
    } catch (e) {
      reject(e);
    }
  });
  held[RELEASE] = release;
  return held;
}

// Letting go also marks `held` handled: a runner's rejection that nobody
// awaits any more (its task ended otherwise) is not an unhandled rejection.
export function release(held) {
  held[RELEASE]?.();
  held.then(undefined, ignore);
}

function ignore() {}

// Deno or Node, where a pending timer keeps the process alive (a browser
// page has no process to keep).
export function isScriptHost() {
  try {
    return typeof Deno !== 'undefined' || typeof globalThis.process?.versions?.node === 'string';
  } catch {
    return false;
  }
}

// The deadline timer for evictions alone, in Deno and Node (timers.rs): a
// timer that does not keep the process alive, so that evicted tasks are
// freed at their time and a script whose work is done still ends. Node's
// setTimeout returns an object with unref(); Deno's a number for
// Deno.unrefTimer. Anything else throws, and no timer is left behind.
export function unheldTimeout(fire, ms) {
  const handle = setTimeout(fire, ms);
  try {
    if (typeof handle?.unref === 'function') handle.unref();
    else Deno.unrefTimer(handle);
  } catch (e) {
    clearTimeout(handle);
    throw e;
  }
  return handle;
}

export function clearUnheld(handle) {
  try {
    clearTimeout(handle);
  } catch {
    // A handle that this module made: nothing to clear if it is refused.
  }
}

export function isAbandoned(value) {
  return value === ABANDONED;
}

function isThenable(value) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof value.then === 'function';
  } catch {
    // A `then` getter that throws: treat it as a promise, which `hold`
    // turns into a rejection.
    return true;
  }
}

// ---- the session --------------------------------------------------------

// Calls session.sendMessage with task `taskId`'s notification. Returns a
// held promise when it gave one back (Rust awaits it to report a
// rejection), else undefined.
export function notify(session, taskId, status, timestamp) {
  return send(session, { type: 'task_completion', taskId, status: P.status[status], timestamp });
}

// The inbox's send: `message` to session.sendMessage, always as a held
// promise (a throw is a rejection), which Rust awaits to tell the engine
// whether it was delivered.
export function deliver(session, message) {
  try {
    return hold(session.sendMessage(message));
  } catch (e) {
    return hold(Promise.reject(e));
  }
}

export function send(session, message) {
  let sent;
  try {
    sent = session.sendMessage(message);
  } catch (e) {
    report('session.sendMessage', e);
    return undefined;
  }
  return isThenable(sent) ? hold(sent) : undefined;
}

// The page's visibility, for polling that slows while the page is hidden
// (`Engine::begin_poll_while`): no document (Deno, a worker) is visible.
export function isHidden() {
  try {
    return globalThis.document?.visibilityState === 'hidden';
  } catch {
    return false;
  }
}

// Calls session.getStatus() and holds its answer (a throw becomes a
// rejected promise).
export function askStatus(session) {
  try {
    return hold(session.getStatus());
  } catch (e) {
    return hold(Promise.reject(e));
  }
}

// ---- runners ------------------------------------------------------------

// Calls `runner` for task `seq` (or a foreground call, seq < 0) with its
// context. Returns the run: its AbortController, whether its writes still
// count, and `done`, its outcome held.
export function startRun(runner, view, seq, taskId, agent, prompt, sessionId, options) {
  const run = { controller: null, aborted: false, open: true, done: undefined, ask: null, asker: undefined, decoder: null };
  const write = (chunk) => {
    if (typeof chunk === 'string') {
      if (run.open && seq >= 0) view.runWrite(seq, chunk, chunk.length);
      return;
    }
    if (!isBytes(chunk)) {
      throw makeError(ERROR.TypeError, `write(chunk) expects a string or a Uint8Array of UTF-8, got ${describe(chunk)}`, 'INVALID_ARGUMENT');
    }
    if (!run.open || seq < 0) return;
    // Nothing yet when the bytes end inside a character.
    const text = decodeBytes(run, chunk);
    if (text !== '') view.runWrite(seq, text, text.length);
  };
  const progress = (report) => {
    const p = progressReport(report);
    if (run.open && seq >= 0) view.runProgress(seq, p, p.message === undefined ? 0 : p.message.length);
  };
  const heartbeat = () => {
    if (run.open && seq >= 0) view.runHeartbeat(seq);
  };
  // The AbortController is made when the runner first reads `signal`
  // (many never do); one made after the abort comes already aborted.
  const attempt = seq >= 0 ? view.attemptOf(seq) : 1;
  const context = {
    agent, prompt, taskId, sessionId, options, write, progress, heartbeat, attempt,
    get signal() {
      return signalOf(run);
    },
    // Made on first read, as the signal is: most runners never ask.
    get ask() {
      return (run.asker ??= (question, askOptions) => askFor(run, view, seq, question, askOptions));
    },
  };
  let result;
  try {
    result = runner(context);
  } catch (e) {
    result = Promise.reject(e);
  }
  // What the decoder still holds (the start of a character whose end never
  // came) is written, as U+FFFD, before the runner's outcome ends the task.
  run.done = hold(result, () => {
    const decoder = run.decoder;
    run.decoder = null;
    if (decoder === null || !run.open) return;
    const rest = decoder.decode();
    if (rest !== '') view.runWrite(seq, rest, rest.length);
  });
  return run;
}

// The getter of every typed array's `Symbol.toStringTag`: its kind's name
// (from any realm, a Node Buffer too), undefined for anything else; it never
// throws and runs no user code.
const typedArrayName = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;

function isBytes(value) {
  return typedArrayName.call(value) === 'Uint8Array';
}

// `bytes` decoded by the run's own streaming decoder: a character split
// across two writes comes out whole with the second. A view that cannot be
// decoded (its buffer detached or shared) is INVALID_ARGUMENT.
function decodeBytes(run, bytes) {
  try {
    run.decoder ??= new TextDecoder();
    return run.decoder.decode(bytes, { stream: true });
  } catch (e) {
    throw makeError(ERROR.TypeError, `write(chunk) could not decode its Uint8Array: ${errorText(e)}`, 'INVALID_ARGUMENT');
  }
}

// A runner's `progress({ done, total?, message? })`, read once into a
// frozen record of its own (the snapshot and the log share it). Throws
// INVALID_ARGUMENT for anything else.
function progressReport(report) {
  let done;
  let total;
  let message;
  if (report === null || typeof report !== 'object') {
    throw makeError(ERROR.TypeError, `progress(report) expects { done, total?, message? }, got ${describe(report)}`, 'INVALID_ARGUMENT');
  }
  try {
    ({ done, total, message } = report);
  } catch (e) {
    throw makeError(ERROR.TypeError, `Reading the progress report threw: ${errorText(e)}`, 'INVALID_ARGUMENT');
  }
  if (typeof done !== 'number' || !(done >= 0) || done === Infinity) {
    throw makeError(ERROR.RangeError, `progress: done must be a finite number >= 0, got ${describe(done)}`, 'INVALID_ARGUMENT');
  }
  if (total !== undefined && (typeof total !== 'number' || !(total >= 0) || total === Infinity)) {
    throw makeError(ERROR.RangeError, `progress: total must be a finite number >= 0, got ${describe(total)}`, 'INVALID_ARGUMENT');
  }
  if (message !== undefined && typeof message !== 'string') {
    throw makeError(ERROR.TypeError, `progress: message must be a string, got ${describe(message)}`, 'INVALID_ARGUMENT');
  }
  return progressRecord(done, total, message);
}

// A progress report as the snapshot, the log and the event share it: frozen,
// with only the fields it has (one literal per shape).
export function progressRecord(done, total, message) {
  return Object.freeze(total === undefined
    ? message === undefined ? { done } : { done, message }
    : message === undefined ? { done, total } : { done, total, message });
}

// The runner's `ask(question, { timeout? })`: the task becomes
// `input-required` until `respond` answers (the promise resolves with the
// answer), the timeout passes (a `TimeoutError`) or the task stops running
// (an `AbortError`). One question at a time, from a launched task's runner.
function askFor(run, view, seq, question, options) {
  let timeout;
  try {
    if (options !== undefined && options !== null && (typeof options !== 'object' || Array.isArray(options))) {
      return Promise.reject(makeError(ERROR.TypeError, `ask(question, options) expects options { timeout? }, got ${describe(options)}`, 'INVALID_ARGUMENT'));
    }
    timeout = options === undefined || options === null ? undefined : options.timeout;
  } catch (e) {
    return Promise.reject(makeError(ERROR.TypeError, `Reading ask options.timeout threw: ${errorText(e)}`, 'INVALID_ARGUMENT'));
  }
  if (timeout !== undefined && (typeof timeout !== 'number' || !(timeout >= 0))) {
    return Promise.reject(makeError(wrongClass(timeout), `ask options.timeout must be a number of ms >= 0, got ${describe(timeout)}`, 'INVALID_ARGUMENT'));
  }
  if (seq < 0) {
    return Promise.reject(makeError(ERROR.Error, 'ask is for the runner of a launched task, not a foreground callAgent', 'INVALID_TRANSITION'));
  }
  if (run.ask !== null) {
    return Promise.reject(makeError(ERROR.Error, 'ask: this runner already waits for an answer', 'INVALID_TRANSITION'));
  }
  // Cancelled (its grace period running) or final: nobody will answer.
  if (!run.open || run.aborted) return Promise.reject(abortError('ask: the task is no longer running'));
  const d = deferred();
  run.ask = d;
  // The core answers with the error when the task cannot ask now.
  const problem = view.runAsk(seq, question, timeout === undefined || timeout === Infinity ? -1 : Math.ceil(timeout));
  if (problem !== undefined) {
    run.ask = null;
    return Promise.reject(problem);
  }
  return d.promise;
}

// Settles the question `run` asks (`how`: a REPLY): answered with
// `answer`, timed out, or the task stopped running.
export function replyRun(run, how, answer) {
  const d = run.ask;
  if (d === null) return;
  run.ask = null;
  if (how === REPLY.answer) d.resolve(answer);
  else if (how === REPLY.timedOut) d.reject(abortError('ask: no answer came within its timeout', 'TimeoutError'));
  else d.reject(abortError('ask: the task stopped running before an answer came'));
}

export function runDone(run) {
  return run.done;
}

function signalOf(run) {
  if (run.controller === null) {
    run.controller = new AbortController();
    if (run.aborted) run.controller.abort();
  }
  return run.controller.signal;
}

// Aborting runs the runner's abort listeners synchronously; the DOM reports
// what they throw instead of rethrowing, but an AbortController replaced by
// a hostile global could throw, so this is guarded too.
export function abortRun(run) {
  run.aborted = true;
  try {
    run.controller?.abort();
  } catch (e) {
    report('aborting a runner', e);
  }
}

// The run no longer matters: its writes are ignored and its outcome is not
// waited for.
export function closeRun(run) {
  run.open = false;
  run.decoder = null;
  replyRun(run, 2);
  release(run.done);
}

// ---- listeners ----------------------------------------------------------

export function callListener(listener, event) {
  try {
    listener(event);
  } catch (e) {
    reportError('an event listener threw', e);
  }
}

// A function that runs `f` the first time it is called and never again.
export function once(f) {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      f();
    }
  };
}

// ---- promises the manager hands out -------------------------------------

// A promise with its resolve and reject functions kept beside it: what a
// pending wait holds.
export function deferred() {
  const d = { promise: undefined, resolve: undefined, reject: undefined };
  d.promise = new Promise((resolve, reject) => {
    d.resolve = resolve;
    d.reject = reject;
  });
  return d;
}

export function deferredPromise(d) {
  return d.promise;
}

export function settle(d, ok, value) {
  (ok ? d.resolve : d.reject)(value);
}

// ---- signals -----------------------------------------------------------

// The reason an aborted signal rejects with.
export function reasonOf(signal) {
  try {
    const reason = signal.reason;
    if (reason !== undefined) return reason;
  } catch {
    // A hostile signal: the standard reason instead.
  }
  return abortError();
}

// A DOMException named `name` (an Error so named where there is none).
function abortError(message = 'This operation was aborted', name = 'AbortError') {
  try {
    return new DOMException(message, name);
  } catch {
    const e = new Error(message);
    e.name = name;
    return e;
  }
}

// `options.signal` of `what` checked: undefined, or something that is an
// AbortSignal as far as the manager uses one. Throws INVALID_ARGUMENT.
export function signalOption(options, what) {
  let signal;
  try {
    signal = options === undefined || options === null ? undefined : options.signal;
  } catch (e) {
    throw makeError(ERROR.TypeError, `Reading ${what}.signal threw: ${errorText(e)}`, 'INVALID_ARGUMENT');
  }
  if (signal === undefined) return undefined;
  let ok = false;
  try {
    ok = signal !== null && typeof signal === 'object' && typeof signal.aborted === 'boolean' &&
      typeof signal.addEventListener === 'function' && typeof signal.removeEventListener === 'function';
  } catch {
    ok = false;
  }
  if (!ok) throw makeError(ERROR.TypeError, `${what}.signal must be an AbortSignal`, 'INVALID_ARGUMENT');
  return signal;
}

// Calls `onAbort` once when `signal` aborts; returns the function that
// stops listening, or null if the signal is aborted already (or will not
// be listened to: then it is treated as aborted).
export function onAbort(signal, onAbort) {
  try {
    if (signal.aborted) return null;
    const listener = () => onAbort();
    signal.addEventListener('abort', listener, { once: true });
    return () => {
      try {
        signal.removeEventListener('abort', listener);
      } catch {
        // Nothing more to let go of.
      }
    };
  } catch {
    return null;
  }
}

// Whether `signal` is aborted; one whose `aborted` throws counts as aborted.
export function aborted(signal) {
  try {
    return signal.aborted === true;
  } catch {
    return true;
  }
}

// `promise`, or a rejection with the signal's reason once it aborts, with
// `drop()` called then so the wait leaves nothing behind.
export function abortable(promise, signal, drop) {
  return new Promise((resolve, reject) => {
    const stop = onAbort(signal, () => {
      drop();
      reject(reasonOf(signal));
    });
    if (stop === null) {
      drop();
      reject(reasonOf(signal));
      return;
    }
    promise.then(
      (value) => {
        stop();
        resolve(value);
      },
      (error) => {
        stop();
        reject(error);
      },
    );
  });
}
