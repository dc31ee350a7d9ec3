// One manager across the tabs of an origin (`options.shared`): the tabs
// with the same name elect an owner with a Web Lock held for the owner's
// life. The owner's core is the manager: it loads the store, polls, runs
// the runners, fires the deadlines and sends the notices. Every other tab
// forwards its calls over a BroadcastChannel and hears the owner's events.
// When the owner goes (its tab closed or crashed: the browser releases the
// lock), the next tab in the lock's queue loads the store and carries on;
// calls not answered yet are sent again to it.
//
// Messages (`t`): `hello` (who owns?), `owner` (I do, `id`), `call` (`id`,
// `from`, `method`, `args`), `ack` and `reply` (`to`, `id`; a reply's `ok`
// with `value` or `error`), `event` (a task event of the owner's).
//
// Tabs meet on a Web Lock and a BroadcastChannel; processes that share a
// Deno KV store meet on the KV (`kv_link.js`: a lease for the lock, logs
// for the channel). The rules here are the same for both.
import { ERROR, SETTLED, errorText, makeError, reasonOf, report, signalOption } from './calls.js';
import { KvLink } from './kv_link.js';

// This side's monotonic ms, for the rules of its calls.
const now = () => Math.floor(performance.now());

/** How long a call waits for an owner to take it, in ms. */
const OWNER_TIMEOUT = 5000;

// The methods a tab forwards to the owner: the owner serves no other name.
export const FORWARDED = new Set([
  'createTask', 'launch', 'pause', 'resume', 'completeTask', 'respond', 'failTask', 'cancelTask',
  'getTask', 'getAllTasks', 'cancelAllTasks', 'getOutput', 'readLog', 'appendOutput', 'callAgent',
  'getPendingNotifications',
]);

/** The web API the tabs need and this runtime lacks, or ''. */
export function missingTabApis() {
  try {
    if (typeof BroadcastChannel !== 'function') return 'BroadcastChannel';
    if (typeof navigator === 'undefined' || typeof navigator.locks?.request !== 'function') return 'Web Locks (navigator.locks)';
    return '';
  } catch {
    return 'Web Locks (navigator.locks)';
  }
}

// An error as data, and back: an Error's own `code` does not survive
// structured cloning.
// A value thrown by user code (a runner, a getter) may resist being read.
function errorData(e) {
  try {
    if (e instanceof Error) {
      return { name: String(e.name), message: String(e.message), code: e.code === undefined ? undefined : String(e.code) };
    }
    return { name: 'Error', message: String(e), code: undefined };
  } catch {
    return { name: 'Error', message: 'a thrown value that cannot be read', code: undefined };
  }
}

// What an error says of itself (`code`, `deposed`), read so that a value a
// runner threw (a revoked Proxy, a throwing getter) cannot make it throw.
function said(e, key) {
  try {
    return e?.[key];
  } catch {
    return undefined;
  }
}

function dataError(d) {
  if (d.code === undefined) {
    const e = new Error(d.message);
    e.name = d.name;
    return e;
  }
  return makeError(Object.hasOwn(ERROR, d.name) ? ERROR[d.name] : ERROR.Error, d.message, d.code);
}

// The methods whose options (their second argument) take a signal.
const SIGNALLED = new Set(['cancelTask', 'getOutput']);

// A signal cannot cross to another tab: it is checked, taken out of the
// options of a method that takes one, and kept here, where it rejects the
// forwarded call. Any other argument goes as it is (a result or an answer
// may have a `signal` of its own). Throws INVALID_ARGUMENT.
function split(method, args) {
  const o = args[1];
  if (!SIGNALLED.has(method) || o === null || typeof o !== 'object') return undefined;
  const signal = signalOption(o, 'options');
  if (signal === undefined) return undefined;
  try {
    const { signal: _, ...rest } = o;
    args[1] = rest;
  } catch (e) {
    throw makeError(ERROR.TypeError, `Reading ${method}'s options threw: ${errorText(e)}`, 'INVALID_ARGUMENT');
  }
  return signal;
}

/** The class, for the durable build's core to hand to `manager.js`. */
export function tabsClass() {
  return Tabs;
}

/**
 * Makes `manager`'s forwarded methods re-send a call its own core could not
 * finish because this process lost the manager; `serve` runs them as they
 * are. Only shared managers pay for this.
 */
function guardOwnerCalls(manager, tabs) {
  const proto = Object.getPrototypeOf(manager);
  for (const name of FORWARDED) {
    const method = proto[name];
    Object.defineProperty(manager, name, {
      value(...args) {
        return tabs.owner ? tabs.local(name, args, () => method.apply(manager, args)) : method.apply(manager, args);
      },
      configurable: true,
      writable: true,
    });
  }
  return (name, args) => proto[name].apply(manager, args);
}

// The tabs' link: a Web Lock and a BroadcastChannel.
const WEB = {
  channel: (name) => new BroadcastChannel(name),
  request: (name, options, take) => navigator.locks.request(name, options, take),
};

export class Tabs {
  static guard = guardOwnerCalls;
  id = crypto.randomUUID();
  /** Whether this tab owns the manager and its core is ready. */
  owner = false;
  /** The owner's tab id, once known. */
  ownerId = null;
  #channel;
  #lock;
  #serve;
  /** A forwarded call's number -> { method, args, resolve, reject }. */
  #calls = new Map();
  #listeners = new Set();
  #ownerListeners = new Set();
  #release = null;
  #started = null;
  #closed = false;
  #own;
  #unown;
  #subscribeCore;
  #link;
  /** The engine's rules of forwarded calls (`engine::forward`): the calls' states. */
  #rules;
  /** The timer of the next call refused NO_OWNER. */
  #timer = 0;
  /** Counts this tab's reigns as owner: what one began does not answer in the next. */
  #reign = 0;

  /**
   * `serve(method, args)`: runs a call on this tab's core (as owner);
   * `own(session)`: makes this tab's core the manager (initialize, which
   * loads the store); `unown()`: lets it go (cleanup of the core).
   */
  constructor(name, { serve, own, unown, subscribe, kv, lease, forward }) {
    this.#lock = `background-manager:${name}`;
    this.#rules = forward(OWNER_TIMEOUT);
    this.#link = kv === undefined ? WEB : new KvLink(kv, name, lease(), this.id);
    this.#serve = serve;
    this.#own = own;
    this.#unown = unown;
    this.#subscribeCore = subscribe;
  }

  /**
   * Joins the tabs with `session`; resolves once an owner is known, or
   * rejects NO_OWNER after OWNER_TIMEOUT (this tab stays in line for the
   * lock; a later `initialize` waits again).
   */
  start(session) {
    this.session = session;
    if (this.#started === null) this.#join();
    if (this.ownerId !== null) return this.#started;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(makeError(ERROR.Error, `No tab owns the shared manager: none answered within ${OWNER_TIMEOUT} ms`, 'NO_OWNER')), OWNER_TIMEOUT);
      this.#started.then(() => {
        clearTimeout(timer);
        resolve();
      }, (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  // Opened at the first initialize, not before: an open channel keeps a
  // Deno process alive.
  #join() {
    this.#channel = this.#link.channel(this.#lock);
    this.#channel.onmessage = (e) => this.#heard(e.data);
    // A KV channel writes later, and tells of what it could not write.
    this.#channel.onfailed = (message, e) => this.#undeliverable(message, e);
    // Leaving takes this tab out of the lock's queue.
    const leave = new AbortController();
    this.#leave = leave;
    this.#started = new Promise((resolve, reject) => {
      this.#known = resolve;
      this.#link
        .request(this.#lock, { signal: leave.signal }, (lock) => this.#take(lock))
        .catch((e) => {
          if (!leave.signal.aborted) reject(makeError(ERROR.Error, `the shared manager's lock failed: ${errorText(e)}`, 'INTERNAL'));
        });
    });
    this.#post({ t: 'hello' });
    // Seen by the calls of start(); unhandled here it would be reported.
    this.#started.catch(() => {});
  }

  #known = () => {};
  #leave = null;
  /** Counts leaves: what a tab began before it left does not carry on after. */
  #joins = 0;

  async #take(lock) {
    if (this.#closed || this.#started === null) return;
    const joined = this.#joins;
    try {
      await this.#own(this.session);
    } catch (e) {
      // This tab cannot be the owner (its store failed to load): it lets
      // the lock go so that another tab tries.
      report('taking over the shared manager', e);
      return;
    }
    // It left while its store loaded: the lock goes to the next tab.
    if (joined !== this.#joins) {
      await this.#unown();
      return;
    }
    this.owner = true;
    const reign = ++this.#reign;
    this.#became(this.id);
    this.#unsubscribe = this.#subscribeCore((event) => this.#post({ t: 'event', event }));
    this.#post({ t: 'owner', id: this.id });
    // Calls not answered yet: this tab answers them now.
    for (const id of this.#rules.takeAll()) this.#runHere(id);
    this.#arm();
    const released = new Promise((resolve) => (this.#release = resolve));
    // A lease (processes on a KV) can be lost: this process stops being
    // the owner and waits in line again.
    lock?.lost?.then(() => this.#lost(reign));
    await released;
  }

  // The lease of reign `reign` ran out unrenewed: the core lets go, and
  // the calls it had not answered are answered by the next owner.
  async #lost(reign) {
    if (reign !== this.#reign || !this.owner) return;
    this.owner = false;
    this.ownerId = null;
    this.#rules.ownerGone();
    this.#reign++;
    this.#unsubscribe();
    try {
      await this.#unown();
    } catch (e) {
      // Its last writes refused (another process owns the manager now) is
      // what losing it means; anything else is told.
      if (e?.deposed !== true) report('letting the shared manager go', e);
    } finally {
      this.#release?.();
      this.#release = null;
    }
  }

  #unsubscribe = () => {};

  // A call on this tab's core, as owner: a promise, whatever it does.
  #run(method, args) {
    return Promise.resolve().then(() => this.#serve(method, args));
  }

  #became(id) {
    const changed = this.ownerId !== id;
    this.ownerId = id;
    // A new owner: what it does not have yet goes to it (none, if it is
    // this tab: #take ran them here).
    for (const n of this.#rules.ownerIs(now(), id)) if (id !== this.id) this.#send(n);
    this.#arm();
    this.#known();
    if (!changed) return;
    this.#changed(undefined);
    const event = { type: 'owner', owner: id, self: id === this.id };
    for (const listener of [...this.#ownerListeners]) {
      try {
        listener(event);
      } catch (e) {
        report('an owner listener', e);
      }
    }
  }

  /**
   * A call this tab runs on its own core as owner (`run()`). A process whose
   * lease ran out mid-call (its core answered DISPOSED as it let go, or its
   * write was refused: another process owns the manager now) sends the
   * call to the next owner instead.
   */
  local(method, args, run) {
    const reign = this.#reign;
    return run().catch(async (e) => {
      if (said(e, 'code') !== 'DISPOSED' && said(e, 'deposed') !== true) throw e;
      // The loss is noticed a turn later than the refused write.
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (reign !== this.#reign && !this.#closed && this.#started !== null) return this.call(method, args);
      throw e;
    });
  }

  /** Sends `method(...args)` to the owner; its answer, or its error. */
  call(method, rawArgs) {
    if (this.#closed) return Promise.reject(makeError(ERROR.Error, 'BackgroundManager was cleaned up', 'DISPOSED'));
    // This tab took over meanwhile (a watch going on across the handover).
    if (this.owner) return this.local(method, rawArgs, () => this.#run(method, [...rawArgs]));
    if (this.#started === null) {
      return Promise.reject(makeError(ERROR.Error, 'BackgroundManager is not initialized: call initialize(session) first', 'NOT_INITIALIZED'));
    }
    const args = [...rawArgs];
    let signal, made;
    try {
      signal = split(method, args);
    } catch (e) {
      return Promise.reject(e);
    }
    try {
      // A task made without an id gets one here: a call sent again to a new
      // owner (the old one stored the task but went before it answered)
      // then finds that task instead of making a second one.
      const o = args[0];
      if ((method === 'createTask' || method === 'launch') && o !== null && typeof o === 'object' && !Array.isArray(o) && o.id === undefined) {
        made = crypto.randomUUID();
        args[0] = { ...o, id: made };
      }
    } catch (e) {
      return Promise.reject(makeError(ERROR.TypeError, `${method}'s arguments cannot be read to send them to the owner tab: ${errorText(e)}`, 'INVALID_ARGUMENT'));
    }
    // Copied now as the channel copies them, so that what cannot go (a
    // function, a getter that throws) is refused here by every link alike:
    // a KV link writes its messages later, where no call could hear of it.
    let sent;
    try {
      sent = structuredClone(args);
    } catch (e) {
      return Promise.reject(makeError(ERROR.TypeError, `${method}'s arguments cannot be sent to the owner: ${errorText(e)}`, 'INVALID_ARGUMENT'));
    }
    return new Promise((resolve, reject) => {
      const id = this.#rules.call(now(), made !== undefined);
      this.#calls.set(id, { method, args: sent, resolve, reject, made });
      try {
        signal?.addEventListener('abort', () => {
          if (this.#rules.abort(id)) {
            this.#calls.delete(id);
            this.#arm();
            reject(reasonOf(signal));
          }
        }, { once: true });
      } catch {
        // A signal that cannot be listened to: the call goes on without it.
      }
      // `ownerId` is the owner the rules know (both change together).
      if (this.ownerId !== null) this.#send(id);
      this.#arm();
    });
  }

  // Runs call `id` on this tab's core, as owner; its answer settles it.
  #runHere(id) {
    const call = this.#calls.get(id);
    if (call) this.#run(call.method, call.args).then((v) => this.#answer(id, true, v), (e) => this.#answer(id, false, e));
  }

  // Sends call `id` to the owner the rules sent it to.
  #send(id) {
    const call = this.#calls.get(id);
    if (!call) return;
    // An argument the structured clone cannot copy (a function, say) has
    // the call refused (#undeliverable).
    this.#post({ t: 'call', id, from: this.id, method: call.method, args: call.args });
  }

  // One timer, at the rules' next refusal.
  #arm() {
    clearTimeout(this.#timer);
    const due = this.#rules.nextDue();
    if (due < 0) return;
    this.#timer = setTimeout(() => {
      for (const id of this.#rules.due(now())) {
        const call = this.#calls.get(id);
        this.#calls.delete(id);
        call?.reject(makeError(ERROR.Error, `No tab owns the shared manager: ${call.method} was not taken within ${OWNER_TIMEOUT} ms`, 'NO_OWNER'));
      }
      this.#arm();
    }, Math.max(0, due - now()));
  }

  // Posts to the other tabs, unless this tab left. A value the structured
  // clone cannot copy (a function in a result) goes as an error in a reply,
  // and as its bare type and task in an event.
  #post(message) {
    if (this.#closed || this.#started === null) return;
    try {
      this.#channel.postMessage(message);
    } catch (e) {
      this.#undeliverable(message, e);
    }
  }

  // What the channel could not carry: a call is refused, a reply goes as
  // its error, an event as its bare type and task.
  #undeliverable(message, e) {
    if (this.#closed || this.#started === null) return;
    try {
      if (message.t === 'call') {
        const call = this.#calls.get(message.id);
        if (!call || !this.#rules.abort(message.id)) return;
        this.#calls.delete(message.id);
        this.#arm();
        call.reject(makeError(ERROR.TypeError, `${call.method}'s arguments cannot be sent to the owner: ${errorText(e)}`, 'INVALID_ARGUMENT'));
      } else if (message.t === 'reply' && message.ok) {
        const error = makeError(ERROR.Error, `The answer cannot be sent to another tab: ${errorText(e)}`, 'INTERNAL');
        this.#channel.postMessage({ ...message, ok: false, value: undefined, error: errorData(error) });
      } else if (message.t === 'event' && message.event?.type !== undefined) {
        const event = { type: message.event.type, taskId: message.event.taskId };
        if (Object.keys(message.event).length > 2) this.#channel.postMessage({ t: 'event', event });
      }
    } catch {
      // Not even that could go: the caller's timeout or the next owner answers.
    }
  }

  #heard(m) {
    if (this.#closed || m === null || typeof m !== 'object') return;
    switch (m.t) {
      case 'hello':
        if (this.owner) this.#post({ t: 'owner', id: this.id });
        break;
      case 'owner':
        if (this.owner && m.id !== this.id) return;
        this.#became(m.id);
        break;
      case 'call':
        if (!this.owner || !FORWARDED.has(m.method) || !Array.isArray(m.args)) return;
        this.#post({ t: 'ack', to: m.from, id: m.id, by: this.id });
        {
          // An answer after this owner lost its lease is not sent: the
          // caller sends the call again to the next owner.
          const reign = this.#reign;
          const reply = (message) => reign === this.#reign && this.#post(message);
          this.#run(m.method, m.args).then(
            (value) => reply({ t: 'reply', to: m.from, id: m.id, ok: true, value }),
            (e) => reply({ t: 'reply', to: m.from, id: m.id, ok: false, error: errorData(e) }),
          );
        }
        break;
      case 'ack':
        // Taken: from now on it waits for the answer however long that is
        // (a wait), or for another owner.
        if (m.to !== this.id || typeof m.by !== 'string') return;
        this.#rules.acked(m.id, m.by);
        this.#arm();
        break;
      case 'reply':
        if (m.to !== this.id || !this.#calls.has(m.id)) return;
        this.#answer(m.id, m.ok, m.ok ? m.value : dataError(m.error));
        break;
      case 'event':
        if (this.owner) return;
        this.#changed(m.event?.taskId);
        for (const listener of [...this.#listeners]) {
          try {
            listener(m.event);
          } catch (e) {
            report('a listener', e);
          }
        }
        break;
    }
  }

  // Wakes the watches of task `taskId` (all of them for undefined: a new
  // owner, which they read again from).
  #changed(taskId) {
    for (const waiter of [...this.#waiting]) if (taskId === undefined || waiter.taskId === taskId) waiter.wake();
  }

  #waiting = new Set();

  // Until the next event of `taskId`, an owner change, the signal, or a
  // second (a missed event costs at most that).
  #change(taskId, signal) {
    return new Promise((resolve) => {
      const waiter = { taskId, wake: () => done() };
      const timer = setTimeout(() => done(), 1000);
      const done = () => {
        clearTimeout(timer);
        this.#waiting.delete(waiter);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#waiting.add(waiter);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  /**
   * `watch()` in a tab that does not own the manager: the owner's log read
   * with `readLog` from the last seq seen, woken by the owner's events; a
   * new owner is read from the same seq, so the watch goes on across it.
   */
  async *watch(taskId, from, signal) {
    // Ends, as a local watch does, when this tab leaves (cleanup, free).
    const joined = this.#joins;
    let after = Math.max(0, from);
    if (from < 0) {
      const first = await this.call('readLog', [taskId, {}]);
      for (const entry of first.entries.slice(from)) yield entry;
      if (first.final) return;
      after = first.next;
    }
    for (;;) {
      if (signal?.aborted || joined !== this.#joins) return;
      let page;
      try {
        page = await this.call('readLog', [taskId, { after }]);
      } catch (e) {
        if (joined !== this.#joins) return;
        throw e;
      }
      const { entries, next, final } = page;
      for (const entry of entries) yield entry;
      after = next;
      if (final) return;
      if (entries.length === 0) await this.#change(taskId, signal);
    }
  }

  /**
   * `watch()` on this tab's own core, as owner: `local` from `pos`. If this
   * process loses the manager mid-watch (its lease ran out), the core's log
   * ends with it, and the watch reads on from the next owner after the
   * last seq it gave.
   */
  async *ownWatch(local, taskId, pos, signal) {
    const reign = this.#reign;
    let after = pos;
    try {
      for (;;) {
        const { value, done } = await local.next();
        if (done) break;
        if (typeof value?.seq === 'number') after = value.seq;
        yield value;
      }
    } catch (e) {
      if (e?.code !== 'DISPOSED' || reign === this.#reign) throw e;
    } finally {
      local.return?.();
    }
    if (reign === this.#reign || this.#closed || this.#started === null || signal?.aborted) return;
    yield* this.watch(taskId, after, signal);
  }

  // Settles call `id` as the rules say: a task this tab named that is
  // already there, after the call went to a second owner, is the task the
  // first one made, looked up by a call that waits for an owner.
  #answer(id, ok, value) {
    const call = this.#calls.get(id);
    this.#calls.delete(id);
    const duplicate = !ok && said(value, 'code') === 'DUPLICATE_ID';
    const how = this.#rules.answered(id, duplicate);
    if (!call || how === SETTLED.already) return;
    if (how === SETTLED.lookUp) {
      // Taken from the start: it waits for an owner, here or elsewhere.
      const look = this.#rules.lookUp(now());
      this.#calls.set(look, { method: 'getTask', args: [call.made], resolve: call.resolve, reject: call.reject });
      if (this.owner) this.#runHere(look);
      else if (this.ownerId !== null) this.#send(look);
    } else if (ok) {
      call.resolve(value);
    } else {
      call.reject(value);
    }
    this.#arm();
  }

  /** Hears the owner's events while this tab does not own the manager. */
  listen(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onOwner(listener) {
    this.#ownerListeners.add(listener);
    return () => this.#ownerListeners.delete(listener);
  }

  /**
   * This tab leaves: as owner its core lets go and the next tab takes over.
   * A later `start` joins again; the listeners stay.
   */
  async close() {
    if (this.#closed || this.#started === null) return;
    this.#closed = true;
    this.#joins++;
    this.#leave.abort();
    this.#channel.close();
    clearTimeout(this.#timer);
    for (const id of this.#rules.clear()) {
      this.#calls.get(id)?.reject(makeError(ERROR.Error, 'BackgroundManager was cleaned up', 'DISPOSED'));
    }
    this.#calls.clear();
    const owned = this.owner;
    this.owner = false;
    this.ownerId = null;
    try {
      if (owned) {
        this.#unsubscribe();
        await this.#unown();
      }
    } finally {
      this.#release?.();
      this.#release = null;
      this.#started = null;
      this.#closed = false;
    }
  }
}
