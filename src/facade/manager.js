// The public BackgroundManager: a thin facade over the wasm core (core.rs),
// re-exported from the generated module as is. Every change goes to the
// core, which runs it through the engine; reads that need no decision (a
// task, a list, output now) are answered here from the view (view.js),
// which the engine keeps in step, plus the numbers the core writes to wasm
// memory, without a wasm call per value. Whatever a read cannot answer this
// way (an argument to check, a wait, an error to report) goes to the core.
import { CONFLICT, ERROR, ID, LIST_ROW, P, ROW, abortable, aborted, describe, errorText, idProblem, makeError, reasonOf, signalOption, wrongClass } from './calls.js';
import { View } from './view.js';
import { Listen, Watch } from './log.js';

// Set by the wasm module's start function (core.rs) when init() runs, with
// whether this is the durable build (stores and the inbox).
let factory = null;
let durableBuild = false;
// The durable build's Tabs class (shared.js), for options.shared.
let Tabs;

export function setFactory(make, durable, tabs) {
  factory = make;
  durableBuild = durable;
  Tabs = tabs;
}

const DURABLE_OPTIONS = ['store', 'notifyRetry', 'notify', 'shared', 'sharedLease', 'storeTimeout'];

// The default build has no store and no inbox: asking for one is a mistake
// to report, not an option to ignore; its coded error, or undefined. Its
// core reads none of these keys, so a getter that throws is reported here.
function durableOption(options) {
  try {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) return undefined;
  } catch {
    // A revoked Proxy: the core says what it is.
    return undefined;
  }
  for (const key of DURABLE_OPTIONS) {
    let value;
    try {
      value = options[key];
    } catch (e) {
      return makeError(ERROR.TypeError, `Reading options.${key} threw: ${errorText(e)}`, 'INVALID_ARGUMENT');
    }
    if (value !== undefined) {
      return makeError(ERROR.TypeError, `options.${key} needs the durable build: import from 'background-manager/durable'`, 'INVALID_ARGUMENT');
    }
  }
  return undefined;
}

// A usable id: the facade passes such values straight on; anything else
// goes to the core, which says what is wrong with it.
function isId(value) {
  return idProblem(value) === ID.none;
}

// `document.addEventListener('visibilitychange', f)` (or remove) where
// there is a document; a hostile one changes nothing.
function listenVisibility(method, f) {
  try {
    if (typeof document !== 'undefined') document[method]('visibilitychange', f);
  } catch {
    // No usable document: timers are not throttled by visibility there.
  }
}

function disposed() {
  return makeError(ERROR.Error, 'BackgroundManager was disposed (free() or [Symbol.dispose]()); make a new one', 'DISPOSED');
}

// Reads `keys` of options object `what` once into a plain copy; undefined
// when it is not a plain object (the core then says what it is). A key
// whose read throws is refused here (INVALID_ARGUMENT), whoever would read
// it: some keys (launch's queue options) are the facade's alone.
function copy(bag, keys, what) {
  let plain = false;
  try {
    plain = bag !== null && typeof bag === 'object' && !Array.isArray(bag);
  } catch {
    // A revoked Proxy: the core says so.
  }
  if (!plain) return undefined;
  const out = {};
  for (const key of keys) {
    try {
      out[key] = bag[key];
    } catch (e) {
      throw makeError(ERROR.TypeError, `Reading ${what}.${key} threw: ${errorText(e)}`, 'INVALID_ARGUMENT');
    }
  }
  return out;
}

const CREATE = ['id', 'sessionId', 'options'];
const OUTPUT = ['wait', 'timeout', 'since', 'children', 'signal'];
const LAUNCH = ['agent', 'prompt', 'id', 'sessionId', 'options', 'resume', 'concurrencyKey', 'priority', 'parentId', 'idempotencyKey', 'onConflict', 'stallAfter', 'failAfterStall', 'retry', 'fallback'];
// `queueing`'s answer for a launch that names none of its options, made
// once the protocol came (`CONFLICT`).
let plain;

const DONE = Promise.resolve();

function notId(name, value) {
  return makeError(ERROR.TypeError, `launch options.${name} must be a non-empty string, got ${describe(value)}`, 'INVALID_ARGUMENT');
}

// launch's `concurrencyKey` (a non-empty string; the engine checks its
// '/' parts), `priority` (a whole number, default 0), `idempotencyKey` and
// `onConflict` (a CONFLICT), checked here for both paths to
// the core. Only `undefined` is left out: `null` is a wrong value.
function queueing(o) {
  const key = o?.concurrencyKey;
  const priority = o?.priority === undefined ? 0 : o.priority;
  const idem = o?.idempotencyKey;
  const conflict = o?.onConflict === undefined ? CONFLICT.reject : P.CONFLICT.indexOf(o.onConflict);
  if (key !== undefined && !isId(key)) throw notId('concurrencyKey', key);
  if (idem !== undefined && !isId(idem)) throw notId('idempotencyKey', idem);
  if (conflict < 0) {
    throw makeError(ERROR.RangeError, `launch options.onConflict must be one of 'reject', 'join', 'enqueue', 'replace', got ${describe(o.onConflict)}`, 'INVALID_ARGUMENT');
  }
  if (!Number.isInteger(priority) || Math.abs(priority) > 0x7fffffff) {
    throw makeError(wrongClass(priority), `launch options.priority must be a whole number from -2147483647 to 2147483647, got ${describe(priority)}`, 'INVALID_ARGUMENT');
  }
  const [after, failAfter] = stallRule(o);
  return [key, priority, idem, conflict, after, failAfter, retryRule(o)];
}

// launch's `retry: { attempts, backoff: { initial, max, factor, jitter } }`
// and `fallback: [agents]` as the numbers the core takes,
// [attempts, initial, max, factor, jitter, ...fallback]; undefined for one
// attempt. `attempts` defaults to one more than the fallback agents.
function retryRule(o) {
  const retry = o?.retry;
  const fallback = o?.fallback;
  if (retry === undefined && fallback === undefined) return undefined;
  let agents = [];
  if (fallback !== undefined) {
    let ok = false;
    try {
      ok = Array.isArray(fallback);
      if (ok) agents = Array.from(fallback);
    } catch (e) {
      throw makeError(ERROR.TypeError, `Reading launch options.fallback threw: ${errorText(e)}`, 'INVALID_ARGUMENT');
    }
    if (!ok || !agents.every(isId)) {
      throw makeError(ERROR.TypeError, `launch options.fallback must be an array of agent names (non-empty strings), got ${describe(fallback)}`, 'INVALID_ARGUMENT');
    }
  }
  let attempts = agents.length + 1;
  let b = {};
  if (retry !== undefined) {
    const r = copy(retry, ['attempts', 'backoff'], 'launch options.retry');
    if (r === undefined) {
      throw makeError(ERROR.TypeError, `launch options.retry must be an object { attempts, backoff? }, got ${describe(retry)}`, 'INVALID_ARGUMENT');
    }
    if (r.attempts !== undefined) attempts = r.attempts;
    if (r.backoff !== undefined) {
      b = copy(r.backoff, ['initial', 'max', 'factor', 'jitter'], 'launch options.retry.backoff');
      if (b === undefined) {
        throw makeError(ERROR.TypeError, `launch options.retry.backoff must be an object { initial?, max?, factor?, jitter? }, got ${describe(r.backoff)}`, 'INVALID_ARGUMENT');
      }
    }
  }
  if (!Number.isInteger(attempts) || attempts < 1 || attempts > 64) {
    throw makeError(wrongClass(attempts), `launch options.retry.attempts must be a whole number from 1 to 64, got ${describe(attempts)}`, 'INVALID_ARGUMENT');
  }
  const initial = backoffOption(b.initial, 'initial', 0, 2147483647, 1000);
  const max = backoffOption(b.max, 'max', 0, 2147483647, Math.max(30000, initial));
  const factor = backoffOption(b.factor, 'factor', 1, 1000, 2);
  const jitter = backoffOption(b.jitter, 'jitter', 0, 1, 0.2);
  if (max < initial) {
    throw makeError(ERROR.RangeError, `launch options.retry.backoff.max must not be below its initial (${initial}), got ${max}`, 'INVALID_ARGUMENT');
  }
  return attempts === 1 ? undefined : [attempts, Math.ceil(initial), Math.ceil(max), factor, jitter, ...agents];
}

// One number of `retry.backoff`, from `min` to `max`; `fallback` when left out.
function backoffOption(value, name, min, max, fallback) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw makeError(wrongClass(value), `launch options.retry.backoff.${name} must be a number from ${min} to ${max}, got ${describe(value)}`, 'INVALID_ARGUMENT');
  }
  return value;
}

// launch's `stallAfter` (ms > 0) and `failAfterStall` (true, or ms >= 0
// after the stall) as [stallAfter, failAfterStall], 0 and -1 for none.
function stallRule(o) {
  const after = o?.stallAfter;
  const fail = o?.failAfterStall;
  if (after === undefined && (fail === undefined || fail === false)) return [0, -1];
  if (!(typeof after === 'number' && after > 0 && after < Infinity)) {
    const what = after === undefined ? 'is needed with failAfterStall' : `must be a finite number of ms > 0, got ${describe(after)}`;
    throw makeError(wrongClass(after), `launch options.stallAfter ${what}`, 'INVALID_ARGUMENT');
  }
  let failAfter = -1;
  if (fail === true) failAfter = 0;
  else if (typeof fail === 'number' && fail >= 0 && fail < Infinity) failAfter = Math.ceil(fail);
  else if (fail !== undefined && fail !== false) {
    throw makeError(wrongClass(fail), `launch options.failAfterStall must be true or a finite number of ms >= 0, got ${describe(fail)}`, 'INVALID_ARGUMENT');
  }
  return [Math.ceil(after), failAfter];
}

function settle(call) {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error);
  }
}

// A whole number option of readLog or watch: `fallback` when undefined.
function whole(value, name, min, fallback) {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw makeError(wrongClass(value), `${name} must be a whole number >= ${min}`, 'INVALID_ARGUMENT');
  }
  return value;
}

// `options` read once into `keys` (`{}` when left out: undefined or null,
// as every options object may be); throws INVALID_ARGUMENT when it is not
// an object or reading it threw.
function read(options, keys, what) {
  if (options === undefined || options === null) return {};
  const o = copy(options, keys, what);
  if (o === undefined) throw makeError(ERROR.TypeError, `${what} must be an object, got ${describe(options)}`, 'INVALID_ARGUMENT');
  return o;
}

export class BackgroundManager {
  #core;
  #view;
  #disposed = false;
  // Open watchAll() readers, ended by free().
  #listens = new Set();
  // With a durable store a call that changed state answers once the write
  // holding its change is done (rejecting STORE_FAILED if it failed).
  #durable = false;
  // With `options.shared`, the tabs this one shares the manager with; a
  // call is forwarded to the owner tab unless this tab is it (shared.js).
  #tabs;
  // A page that becomes visible again runs what came due while its timers
  // were throttled (stalls, TTLs, a poll), at once.
  #visible = () => {
    try {
      if (!this.#disposed && document.visibilityState === 'visible') this.#core.wake();
    } catch {
      // A throwing document getter changes nothing here.
    }
  };

  constructor(options) {
    if (factory === null) {
      throw makeError(ERROR.Error, 'background-manager is not initialized: await init() from its module before new BackgroundManager()', 'NOT_INITIALIZED');
    }
    const refused = durableBuild ? undefined : durableOption(options);
    if (refused !== undefined) throw refused;
    const view = new View();
    // Throws the options' coded error synchronously, as the README says.
    this.#core = factory(options, view);
    view.core = this.#core;
    this.#view = view;
    // The core's answer, from the options as it read them (once).
    this.#durable = durableBuild && this.#core.durable();
    // The core read and checked `shared`; this is the copy it kept.
    const shared = durableBuild ? this.#core.shared() : undefined;
    if (shared !== undefined) {
      let serve;
      this.#tabs = new Tabs(shared, {
        serve: (method, args) => serve(method, args),
        own: (session) => settle(() => this.#core.initialize(session)),
        unown: () => settle(() => this.#core.cleanup()),
        subscribe: (listener) => this.#core.subscribe(listener),
        // Processes sharing a KV store meet there, on the engine's lease rules.
        kv: this.#core.sharedKv(),
        lease: () => this.#core.lease(),
        // The engine's rules of forwarded calls.
        forward: (timeout) => this.#core.forward(timeout),
      });
      serve = Tabs.guard(this, this.#tabs);
    }
    listenVisibility('addEventListener', this.#visible);
  }

  /**
   * The tab that owns a shared manager (`options.shared`): `{ tab, self }`,
   * `self` when it is this one; null while none is known or without `shared`.
   */
  getOwner() {
    const tabs = this.#tabs;
    if (tabs === undefined || tabs.ownerId === null) return null;
    return { tab: tabs.ownerId, self: tabs.owner };
  }

  /** Calls `listener({ type: 'owner', owner, self })` whenever the owner tab changes. */
  onOwner(listener) {
    if (this.#disposed) throw disposed();
    if (typeof listener !== 'function') throw makeError(ERROR.TypeError, `listener must be a function, got ${describe(listener)}`, 'INVALID_ARGUMENT');
    return this.#tabs === undefined ? () => {} : this.#tabs.onOwner(listener);
  }

  // `value` (a snapshot made now) once the change is stored.
  #stored(value) {
    if (!this.#durable) return Promise.resolve(value);
    const written = this.#core.written();
    return written === undefined ? Promise.resolve(value) : written.then(() => value);
  }

  #gone() {
    return Promise.reject(disposed());
  }

  initialize(session) {
    if (this.#disposed) return this.#gone();
    if (this.#tabs !== undefined) {
      // Checked now, as the owner's core would: this tab's core takes the
      // session only once it owns the manager.
      try {
        this.#core.checkSession(session);
      } catch (e) {
        return Promise.reject(e);
      }
      return this.#tabs.start(session);
    }
    return settle(() => this.#core.initialize(session));
  }

  // The options object is read once (a getter that throws is refused
  // then). Its common shape goes to the core as values; any other (a wrong
  // type) goes as the copy to the core's general path, which reads it with
  // `bag` and says exactly what is wrong.
  createTask(options) {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('createTask', arguments);
    try {
      const o = copy(options, CREATE, 'createTask options');
      const seq = o !== undefined && (o.id === undefined || isId(o.id)) && (o.sessionId === undefined || isId(o.sessionId))
        ? this.#core.create(o.id, o.sessionId, o.options)
        : this.#core.createTask(o ?? options);
      return this.#stored(this.#view.answer(seq));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  launch(options) {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('launch', arguments);
    try {
      const o = copy(options, LAUNCH, 'launch options');
      // Most launches name none of the queue's options: no array for them.
      const [key, priority, idem, conflict, after, failAfter, retry] = o !== undefined && o.concurrencyKey === undefined &&
          o.priority === undefined && o.idempotencyKey === undefined && o.onConflict === undefined &&
          o.stallAfter === undefined && o.failAfterStall === undefined && o.retry === undefined && o.fallback === undefined
        ? (plain ??= [undefined, 0, undefined, CONFLICT.reject, 0, -1, undefined])
        : queueing(o);
      const parent = this.#parent(o?.parentId);
      const seq = o !== undefined && isId(o.agent) && typeof o.prompt === 'string' && o.resume === undefined &&
          (o.id === undefined || isId(o.id)) && (o.sessionId === undefined || isId(o.sessionId))
        ? this.#core.launchTask(o.agent, o.prompt, o.id, o.sessionId, o.options, key, priority, parent, idem, conflict, after, failAfter, retry)
        : this.#core.launch(o ?? options, key, priority, parent, idem, conflict, after, failAfter, retry);
      return this.#stored(this.#view.answer(seq));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  // Nothing queued starts while paused; running tasks go on.
  pause() {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('pause', arguments);
    return this.#paused(true);
  }

  resume() {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('resume', arguments);
    return this.#paused(false);
  }

  #paused(on) {
    if (this.#disposed) return this.#gone();
    return settle(() => this.#core.setPaused(on));
  }

  // The seq of launch's `parentId`, -1 without one; the core's coded error
  // for an id that is not a string or names no task.
  #parent(parentId) {
    if (parentId === undefined) return -1;
    if (!isId(parentId)) throw notId('parentId', parentId);
    const seq = this.#view.ids.get(parentId);
    if (seq === undefined) throw this.#missing(parentId);
    return seq;
  }

  completeTask(taskId, result) {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('completeTask', arguments);
    const view = this.#view;
    try {
      return this.#stored(view.answer(this.#core.completeTask(taskId, result, view.ids.get(taskId) ?? -1)));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // Answers the question a task's runner asks (`ask`): the task runs on.
  respond(taskId, answer) {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('respond', arguments);
    const view = this.#view;
    try {
      return this.#stored(view.answer(this.#core.respond(taskId, answer, view.ids.get(taskId) ?? -1)));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  failTask(taskId, error) {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('failTask', arguments);
    const view = this.#view;
    try {
      return this.#stored(view.answer(this.#core.failTask(taskId, error, view.ids.get(taskId) ?? -1)));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  cancelTask(taskId, options) {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('cancelTask', arguments);
    const view = this.#view;
    try {
      // An aborted signal stops the wait for a grace period, not the
      // cancel; one aborted before the call cancels nothing.
      const signal = signalOption(options, 'options');
      if (signal !== undefined && aborted(signal)) return Promise.reject(reasonOf(signal));
      const seq = this.#core.cancelTask(taskId, options, view.ids.get(taskId) ?? -1);
      // The task's seq, or -1: its runner has a grace period to stop, and
      // the core holds the promise of the task once it has.
      if (seq >= 0) return this.#stored(view.answer(seq));
      return this.#abortable(this.#core.takeWaiting(), signal, taskId);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  // A wait's promise, which `signal` (if any) may abort: then it rejects
  // with the signal's reason and the engine's waiter goes.
  #abortable(promise, signal, taskId) {
    if (signal === undefined || !(promise instanceof Promise)) return Promise.resolve(promise);
    const seq = this.#view.ids.get(taskId);
    return abortable(promise, signal, () => {
      if (!this.#disposed && seq !== undefined) this.#core.dropWait(seq, promise);
    });
  }

  getTask(taskId) {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('getTask', arguments);
    const view = this.#view;
    if (typeof taskId === 'string' && !view.late()) {
      const seq = view.ids.get(taskId);
      if (seq !== undefined) {
        const n = view.read(seq);
        if (n !== undefined) return Promise.resolve(view.snapshotOf(seq, n));
      } else if (isId(taskId)) {
        return Promise.resolve(null);
      }
    }
    return settle(() => this.#core.getTask(taskId));
  }

  getAllTasks(status) {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('getAllTasks', arguments);
    const code = status === undefined ? -1 : typeof status === 'string' ? P.status.indexOf(status) : -2;
    const view = this.#view;
    if (code === -2 || (code === -1 && status !== undefined) || view.late()) {
      return settle(() => this.#core.getAllTasks(status));
    }
    const n = view.list(code);
    const rows = view.rows;
    const tasks = new Array(n);
    // Where each number is in a row, read once for the whole list.
    const { seq, createdAt, updatedAt, session } = LIST_ROW;
    const at = LIST_ROW.status;
    const stride = P.LIST_ROW.length;
    for (let i = 0, r = 0; i < n; i++, r += stride) {
      tasks[i] = view.snapshot(rows[r + seq], rows[r + at], rows[r + createdAt], rows[r + updatedAt], rows[r + session]);
    }
    return Promise.resolve(tasks);
  }

  cancelAllTasks(options) {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('cancelAllTasks', arguments);
    return settle(() => this.#core.cancelAllTasks(options)).then((tasks) => this.#stored(tasks));
  }

  getOutput(taskId, options) {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('getOutput', arguments);
    // Read the options once: what is passed on to the core is this copy,
    // so a getter never runs twice.
    let since = 0;
    let bag = options;
    if (options !== undefined) {
      try {
        bag = copy(options, OUTPUT, 'getOutput options');
      } catch (e) {
        return Promise.reject(e);
      }
      // Not an object (null: left out): the core says which.
      if (bag === undefined) return settle(() => this.#core.getOutput(taskId, options));
      if ((bag.wait !== undefined && bag.wait !== false) || bag.timeout !== undefined) {
        return this.#wait(taskId, bag);
      }
      since = bag.since;
      if (since === undefined) since = 0;
      else if (!(typeof since === 'number' && since >= 0 && since <= Number.MAX_SAFE_INTEGER && Number.isInteger(since))) {
        return settle(() => this.#core.getOutput(taskId, bag));
      }
      // Read now too, though only a wait uses them: a wrong value is refused
      // whether or not it would matter (the core says what is wrong with
      // `children`).
      if (bag.children !== undefined && typeof bag.children !== 'boolean') {
        return settle(() => this.#core.getOutput(taskId, bag));
      }
      try {
        signalOption(bag, 'options');
      } catch (e) {
        return Promise.reject(e);
      }
    }
    const view = this.#view;
    if (typeof taskId === 'string' && !view.late()) {
      const seq = view.ids.get(taskId);
      if (seq !== undefined) {
        const n = view.read(seq);
        if (n !== undefined) return Promise.resolve(view.outputResult(taskId, seq, n[ROW.status], n[ROW.cursor], since));
      }
    }
    return settle(() => this.#core.getOutput(taskId, bag));
  }

  // getOutput that may wait: with a signal, aborting rejects with its
  // reason and takes the waiter off the task.
  #wait(taskId, bag) {
    let signal;
    let answer;
    try {
      signal = signalOption(bag, 'options');
      if (signal !== undefined && aborted(signal)) return Promise.reject(reasonOf(signal));
      answer = this.#core.getOutput(taskId, bag);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#abortable(answer, signal, taskId);
  }

  // Task `taskId`'s log, made first if need be; throws the coded error of
  // a bad or unknown id.
  #log(taskId) {
    const view = this.#view;
    const seq = typeof taskId === 'string' ? view.ids.get(taskId) : undefined;
    if (seq === undefined) throw this.#missing(taskId);
    let log = view.logOf(seq);
    if (log === undefined || view.late()) {
      // Runs what is due first: the task may have gone.
      this.#core.openLog(seq);
      if (view.ids.get(taskId) !== seq) throw this.#missing(taskId);
      log = view.logOf(seq);
    }
    return log;
  }

  // The error for a task id the view does not hold, as the core words it
  // (INVALID_ARGUMENT or TASK_NOT_FOUND): a read of its output throws it.
  #missing(taskId) {
    try {
      this.#core.getOutput(taskId, undefined);
    } catch (e) {
      return e;
    }
    return makeError(ERROR.Error, `Task ${describe(taskId)} is in the engine but not the view`, 'INTERNAL');
  }

  readLog(taskId, options) {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('readLog', arguments);
    try {
      const o = read(options, ['after', 'limit'], 'options');
      const after = whole(o.after, 'options.after', 0, 0);
      const limit = whole(o.limit, 'options.limit', 1, Infinity);
      const log = this.#log(taskId);
      const entries = log.read(after, limit);
      const next = entries.length === 0 ? after : entries[entries.length - 1].seq;
      return Promise.resolve({ entries, next, final: log.finished(next) });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  watch(taskId, options) {
    if (this.#disposed) throw disposed();
    const o = read(options, ['from', 'signal'], 'options');
    const from = o.from === undefined ? 0 : o.from;
    if (typeof from !== 'number' || !Number.isInteger(from)) {
      throw makeError(wrongClass(from), 'options.from must be a whole number (a seq, 0, or -N for the last N)', 'INVALID_ARGUMENT');
    }
    const signal = signalOption(o, 'options');
    if (this.#tabs?.owner === false) return this.#tabs.watch(taskId, from, signal);
    const log = this.#log(taskId);
    const pos = from >= 0 ? from : Math.max(0, log.last + from);
    const watch = new Watch(log, pos, signal);
    // A shared owner may lose the manager mid-watch (a lease that ran out).
    return this.#tabs === undefined ? watch : this.#tabs.ownWatch(watch, taskId, pos, signal);
  }

  watchAll(options) {
    if (this.#disposed) throw disposed();
    const signal = signalOption(read(options, ['signal'], 'options'), 'options');
    return new Listen((listener) => this.subscribe(listener), signal, this.#listens);
  }

  appendOutput(taskId, chunk) {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('appendOutput', arguments);
    const len = typeof chunk === 'string' ? chunk.length : -1;
    try {
      this.#core.appendOutput(taskId, chunk, len, this.#view.ids.get(taskId) ?? -1);
      // One settled promise serves every write: it holds nothing.
      return DONE;
    } catch (e) {
      return Promise.reject(e);
    }
  }

  subscribe(listener) {
    if (this.#disposed) throw disposed();
    const off = this.#core.subscribe(listener);
    if (this.#tabs === undefined) return off;
    // A shared manager: the owner's events, while another tab owns it.
    const heard = this.#tabs.listen(listener);
    return () => {
      off();
      heard();
    };
  }

  cleanup() {
    if (this.#disposed) return this.#gone();
    // A shared manager: this tab leaves (the next one takes over).
    if (this.#tabs !== undefined) return this.#tabs.close().then(() => settle(() => this.#core.cleanup()));
    return settle(() => this.#core.cleanup());
  }

  callAgent(agent, prompt, options) {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('callAgent', arguments);
    return settle(() => this.#core.callAgent(agent, prompt, options));
  }

  getPendingNotifications() {
    if (this.#disposed) return this.#gone();
    if (this.#tabs?.owner === false) return this.#tabs.call('getPendingNotifications', arguments);
    // The default build has no inbox: each notification is sent once, as
    // it happens, and none is ever pending.
    if (!durableBuild) return Promise.resolve([]);
    return settle(() => this.#core.getPendingNotifications());
  }

  // The engine's invariants and the view's agreement with the engine, for
  // tests: '' when all hold; undefined in a build without the `check`
  // feature (the tests build with it). Not part of the public types.
  [Symbol.for('background-manager.check')]() {
    return this.#disposed ? '' : this.#core.check?.();
  }

  // cleanup(), and the manager is done: every later call rejects DISPOSED.
  free() {
    if (this.#disposed) return;
    this.#disposed = true;
    listenVisibility('removeEventListener', this.#visible);
    // Leaving starts the core's cleanup now, before the core goes below;
    // the rest of the leave needs no answer.
    this.#tabs?.close().catch(() => {});
    for (const listen of [...this.#listens]) listen.end();
    const core = this.#core;
    try {
      core.disposeForGood();
    } finally {
      this.#view.core = null;
      core.free();
    }
  }
}

if (Symbol.dispose) BackgroundManager.prototype[Symbol.dispose] = BackgroundManager.prototype.free;
