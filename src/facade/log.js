// A task's log entries as the engine keeps them (see log.rs): the entries
// at the kept beginning, those at the kept end, and the readers that follow
// it. Only the view writes a log, in the engine's step; the engine numbers
// the entries and says what is cut, so a reader here only reads.
import { LOG, P, onAbort, progressRecord, reasonOf } from './calls.js';

const DONE = Object.freeze({ value: undefined, done: true });

// Keeps log entry `entry` of task `seq` in the view as the engine says
// (see `Store::log` in store.rs; `kind` is a LOG kind, LOG.status plus the
// status number for a status), and wakes its watchers.
export function logEntry(view, seq, entry, at, kind, value, cursor, head, drop, outHead, outDrop) {
  let e;
  let done = false;
  if (kind === LOG.output) {
    // The chunk itself goes to the output first, as the engine cut it.
    view.write(seq, value, outHead, outDrop);
    e = { seq: entry, type: 'output', at, text: value, cursor };
  } else if (kind === LOG.progress) {
    view.extra(seq).progress = value;
    e = value.total === undefined
      ? value.message === undefined
        ? { seq: entry, type: 'progress', at, done: value.done }
        : { seq: entry, type: 'progress', at, done: value.done, message: value.message }
      : value.message === undefined
        ? { seq: entry, type: 'progress', at, done: value.done, total: value.total }
        : { seq: entry, type: 'progress', at, done: value.done, total: value.total, message: value.message };
  } else if (kind === LOG.heartbeat) {
    e = { seq: entry, type: 'heartbeat', at };
  } else if (kind === LOG.retry) {
    // An attempt failed (its number in `outHead`); the next starts at
    // `cursor` or later.
    e = { seq: entry, type: 'retry', at, attempt: outHead, error: value, retryAt: cursor };
    view.extra(seq).stalledSince = undefined;
  } else if (kind === LOG.asked) {
    // The runner asked `value`: the status is `input-required`.
    e = { seq: entry, type: 'status', at, status: 'input-required', question: value };
  } else if (kind === LOG.stalled || kind === LOG.resumed) {
    // The snapshot shows since when it stalled.
    const stalled = kind === LOG.stalled;
    e = { seq: entry, type: stalled ? 'stalled' : 'resumed', at };
    view.extra(seq).stalledSince = stalled ? at : undefined;
  } else {
    // Status numbers from `completed` on are the final ones.
    const status = kind - LOG.status;
    done = status >= P.completed;
    e = status === P.error
      ? { seq: entry, type: 'status', at, status: P.status[status], error: view.value(seq) }
      : { seq: entry, type: 'status', at, status: P.status[status] };
  }
  const x = view.extra(seq);
  (x.log ??= new TaskLog()).keep(e, head, drop, done);
}

// What an entry weighs against the cap, by the engine's rule: `cost`
// (`ENTRY_COST` in log.rs) plus the length of its text or progress message.
function weight(e, cost) {
  if (e.type === 'output') return cost + e.text.length;
  // A retry entry weighs `cost` alone: the engine does not measure its error.
  if (e.type === 'progress' && typeof e.message === 'string') return cost + e.message.length;
  return cost;
}

// Task `seq`'s log as a durable store saves it, with the seqs reserved
// ahead of it (`LOG_RESERVE` in log.rs; 0: none); undefined if it has none.
export function savedLog(view, seq, reserved) {
  return view.logOf(seq)?.kept(reserved);
}

// A saved log as the engine loads it: [weights of the entries kept at the
// beginning, at the end, the newest seq, the seqs reserved]; undefined for
// anything that is not one this build saved.
export function logWeights(saved, cost) {
  try {
    const { head, tail, last, reserved } = saved;
    if (!Array.isArray(head) || !Array.isArray(tail) || typeof last !== 'number') return undefined;
    return [head.map((e) => weight(e, cost)), tail.map((e) => weight(e, cost)), last, reservedOf(reserved)];
  } catch {
    return undefined;
  }
}

// The log a durable store kept for task `seq` (`kept()`, as it saved it).
export function restoreLog(view, seq, saved) {
  const x = view.extra(seq);
  const log = (x.log ??= new TaskLog());
  log.restore(saved);
  const last = log.tail.at(-1) ?? log.head.at(-1);
  if (last !== undefined && last.type === 'status' && P.status.indexOf(last.status) >= P.completed) log.done = true;
  // The snapshot's progress is the latest report the log kept.
  const e = latest(log.tail, 'progress') ?? latest(log.head, 'progress');
  if (e !== undefined) x.progress = progressRecord(e.done, e.total, e.message);
}

// A saved reservation: a whole number of seqs, else none (a log saved
// before reservations were).
function reservedOf(reserved) {
  return typeof reserved === 'number' && reserved >= 0 ? reserved : 0;
}

function latest(entries, type) {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].type === type) return entries[i];
  return undefined;
}

export class TaskLog {
  constructor() {
    this.head = [];
    // The kept end: entries from `skip` on (dropped ones are let go of
    // once they are as many as those kept, as the output's text is).
    this.tail = [];
    this.skip = 0;
    this.last = 0;
    // The final status entry is in (or the task left the table).
    this.done = false;
    // Watchers waiting for the next entry (a Set once one waits).
    this.parked = null;
    // The answer last handed to a watcher, for the next watcher asking
    // for the same entry: watchers of one task move in step, and a settled
    // promise can be awaited by any number of them.
    this.servedSeq = -1;
    this.served = null;
  }

  // A settled `next()` answer for entry `e`, shared by the watchers that
  // read it one after another.
  answer(e) {
    if (this.servedSeq !== e.seq) {
      this.served = Promise.resolve({ value: e, done: false });
      this.servedSeq = e.seq;
    }
    return this.served;
  }

  keep(entry, head, drop, done) {
    if (head) {
      this.head.push(entry);
    } else {
      this.tail.push(entry);
      if (drop > 0) {
        this.skip += drop;
        if (this.skip >= this.tail.length - this.skip) {
          this.tail = this.tail.slice(this.skip);
          this.skip = 0;
        }
      }
    }
    this.last = entry.seq;
    if (done) this.done = true;
    this.wake();
  }

  // The task left the table without a final entry (the manager was
  // disposed): its watchers end.
  end() {
    this.done = true;
    this.wake();
  }

  wake() {
    if (this.parked === null || this.parked.size === 0) return;
    const woken = [...this.parked];
    this.parked.clear();
    // Every parked watcher was at the end: one answer serves them all.
    const shared = { value: undefined, done: false };
    for (const w of woken) w.wake(shared);
  }

  // The entry a reader at `pos` reads next: the one after it, or a gap
  // where that was cut (a reader at 0 has no place to lose and starts at
  // what is kept); undefined when there is none yet.
  after(pos) {
    const s = pos + 1;
    if (s <= this.head.length) return this.head[s - 1];
    if (this.tail.length === this.skip) return undefined;
    const first = this.tail[this.skip];
    if (s < first.seq) {
      if (pos === 0 && this.head.length === 0) return first;
      return { seq: first.seq - 1, type: 'gap', at: first.at, dropped: first.seq - s };
    }
    // The kept end is numbered without holes, but for the seqs a restart
    // skipped (`Log::skip_to` in log.rs): the entry is where its number
    // says, or, past such a hole, found by a search.
    const i = this.skip + s - first.seq;
    const e = this.tail[i];
    if (e !== undefined && e.seq === s) return e;
    let lo = this.skip;
    let hi = Math.min(i, this.tail.length);
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.tail[mid].seq < s) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.tail.length) return undefined;
    const next = this.tail[lo];
    if (next.seq === s) return next;
    return { seq: next.seq - 1, type: 'gap', at: next.at, dropped: next.seq - s };
  }

  // At most `limit` entries after seq `after` (a gap counts as one).
  read(after, limit) {
    const out = [];
    let pos = after;
    while (out.length < limit) {
      const e = this.after(pos);
      if (e === undefined) break;
      out.push(e);
      pos = e.seq;
    }
    return out;
  }

  // Whether a reader at `pos` has read everything there will be.
  finished(pos) {
    return this.done && this.after(pos) === undefined;
  }

  // Every kept entry, as a durable store saves the log, and the seqs
  // reserved ahead of them (0: none).
  kept(reserved) {
    const tail = this.skip === 0 ? this.tail : this.tail.slice(this.skip);
    return reserved > this.last
      ? { head: this.head, tail, last: this.last, reserved }
      : { head: this.head, tail, last: this.last };
  }

  restore(saved) {
    this.head = saved.head;
    this.tail = saved.tail;
    this.skip = 0;
    // Numbering goes on past what the store reserved (`Log::skip_to`).
    this.last = Math.max(saved.last, reservedOf(saved.reserved));
  }
}

// What `watch()` and `watchAll()` share: an async iterator with at most one
// pending `next()`, ended by the signal (which rejects the pending `next()`,
// or the next one, with its reason) or by `return()`. `detach()` lets go of
// what the reader follows.
class Reader {
  constructor(signal) {
    this.signal = signal;
    this.resolve = null;
    this.reject = null;
    this.pending = null;
    this.closed = false;
    // Set when the signal aborts with no next() waiting: the next rejects.
    this.aborted = false;
    this.stop = null;
    if (signal !== undefined) {
      this.stop = onAbort(signal, () => this.abort());
      if (this.stop === null) this.aborted = true;
    }
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  // A next() that cannot answer now: the pending promise.
  park() {
    this.pending = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    return this.pending;
  }

  // The resolve of the pending next(), which is no longer pending.
  take() {
    const resolve = this.resolve;
    this.resolve = null;
    this.reject = null;
    this.pending = null;
    return resolve;
  }

  // The rejection a next() gets after the signal aborted, if it did.
  abortedNext() {
    if (!this.aborted) return undefined;
    this.aborted = false;
    const reason = reasonOf(this.signal);
    this.close();
    return Promise.reject(reason);
  }

  abort() {
    this.stop = null;
    const reject = this.reject;
    if (reject === null) {
      this.aborted = !this.closed;
      return;
    }
    this.take();
    const reason = reasonOf(this.signal);
    this.close();
    reject(reason);
  }

  return() {
    const resolve = this.take();
    this.close();
    if (resolve !== null) resolve(DONE);
    return Promise.resolve(DONE);
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.detach();
    if (this.stop !== null) this.stop();
    this.stop = null;
    this.signal = undefined;
  }
}

// One `watch()`: an async iterator over a task's entries from `pos` on,
// ending after the final status entry. It holds nothing once it ends:
// `break`, `return()` and the signal take it off the log and the signal.
export class Watch extends Reader {
  constructor(log, pos, signal) {
    super(signal);
    this.log = log;
    this.pos = pos;
  }

  next() {
    // The common case first: the next entry is there to hand out.
    const head = this.log.head;
    const pos = this.pos;
    if (pos < head.length && this.pending === null && !this.aborted) {
      this.pos = pos + 1;
      return this.log.answer(head[pos]);
    }
    return this.slowNext();
  }

  slowNext() {
    if (this.pending !== null) return this.pending.then(() => this.next());
    const aborted = this.abortedNext();
    if (aborted !== undefined) return aborted;
    if (this.closed) return Promise.resolve(DONE);
    const e = this.log.after(this.pos);
    if (e !== undefined) {
      this.pos = e.seq;
      return e.type === 'gap' ? Promise.resolve({ value: e, done: false }) : this.log.answer(e);
    }
    if (this.log.done) {
      this.close();
      return Promise.resolve(DONE);
    }
    (this.log.parked ??= new Set()).add(this);
    return this.park();
  }

  // Called by the log: an entry came, or the log ended. `shared` is the
  // answer object of this wake, filled by the first watcher it fits.
  wake(shared) {
    if (this.resolve === null) return;
    const resolve = this.take();
    const e = this.log.after(this.pos);
    if (e !== undefined) {
      this.pos = e.seq;
      if (shared.value === undefined && e.type !== 'gap') shared.value = e;
      resolve(shared.value === e ? shared : { value: e, done: false });
    } else {
      this.close();
      resolve(DONE);
    }
  }

  detach() {
    this.log.parked?.delete(this);
    this.log = EMPTY;
  }
}

// What a closed watcher points at instead of its task's log, so that it
// holds none of it.
const EMPTY = new TaskLog();
EMPTY.done = true;

// One `watchAll()`: the manager's events as `subscribe` hears them, as an
// async iterator; `subscribe` is called with the listener and returns the
// function that unsubscribes it. `open` holds the open ones, for `free()`.
export class Listen extends Reader {
  constructor(subscribe, signal, open) {
    super(signal);
    this.queue = [];
    this.head = 0;
    this.open = open;
    this.unsubscribe = subscribe((event) => this.push(event));
    open.add(this);
  }

  push(event) {
    if (this.resolve !== null) this.take()({ value: event, done: false });
    else this.queue.push(event);
  }

  next() {
    const aborted = this.abortedNext();
    if (aborted !== undefined) return aborted;
    if (this.head < this.queue.length) {
      const value = this.queue[this.head];
      this.queue[this.head++] = undefined;
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.closed) return Promise.resolve(DONE);
    if (this.pending !== null) return this.pending.then(() => this.next());
    return this.park();
  }

  return() {
    this.queue.length = 0;
    this.head = 0;
    return super.return();
  }

  // The manager was freed: no more events.
  end() {
    this.return();
  }

  detach() {
    this.open.delete(this);
    try {
      this.unsubscribe();
    } catch {
      // Already gone with the manager.
    }
  }
}
