// The durable stores: IndexedDB in browsers, Deno KV in Deno (a local
// path, a self-hosted denokv server or Deno Deploy, all through the same
// `Deno.Kv`). Each keeps task records by id and undelivered notifications
// by notificationId, written by `persist.rs` in batches that it makes from
// the engine's journal. A store only moves records: the engine decides what
// they say. Every write checks each task record's version (an IndexedDB
// transaction; `kv.atomic().check`), so a record another owner changed is
// never overwritten: the write fails instead.
//
// Nothing here throws into Rust: `openStore` reports a bad spec as a value,
// and `load`/`commit` always return a promise. A message made from a thrown
// value says it with `errorText`, which no value makes throw.
//
// Every request to a store has a deadline (`storeTimeout`): a KV Connect
// server that went away is retried by Deno without end, and a call waiting
// for it would never settle. Past its deadline a request is abandoned and
// the load or write it was part of rejects STORE_FAILED. A KV request
// cannot be cancelled and may still land; nothing it answers later is
// read (only answers in time update what the store knows), and the next
// write recognises what it left (`KvStore.group`). An IndexedDB transaction
// is aborted; one that had committed already counts (`IdbStore.commit`).
// The deadline is per request, not per write, so a large write to a slow
// but live server goes on as long as each of its round trips is answered.
import { errorText } from './calls.js';

const PREFIX = 'background-manager';

// A description of why `value` cannot be stored as it is (a function, a
// symbol, a class instance, a cycle), naming the path to it; '' when it can.
// Plain objects, arrays, primitives (bigint too), Dates and typed data are
// stored as structured clone keeps them.
export function unstorable(value, path, seen = new Set()) {
  try {
    const t = typeof value;
    if (t === 'function') return `${path} is a function`;
    if (t === 'symbol') return `${path} is a symbol`;
    if (value === null || t !== 'object') return '';
    if (seen.has(value)) return `${path} refers back to itself`;
    if (value instanceof Date || ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return '';
    const proto = Object.getPrototypeOf(value);
    const isArray = Array.isArray(value);
    if (!isArray && proto !== Object.prototype && proto !== null) {
      return `${path} is an instance of ${proto?.constructor?.name || 'a class'}`;
    }
    seen.add(value);
    for (const key of Object.keys(value)) {
      const why = unstorable(value[key], isArray ? `${path}[${key}]` : `${path}.${key}`, seen);
      if (why) return why;
    }
    seen.delete(value);
    return '';
  } catch (e) {
    return `${path} could not be read (${errorText(e)})`;
  }
}

// A record's values that cannot be stored are left out and named in
// `unstored`, so that the transition itself is never lost.
function storable(record) {
  const out = { ...record };
  const lost = [];
  for (const key of ['options', 'result']) {
    const why = unstorable(out[key], key);
    if (why) {
      out[key] = undefined;
      lost.push(why);
    }
  }
  if (lost.length > 0) out.unstored = lost;
  return out;
}

// Whether `e` is a failure made here; a thrown value that cannot be read
// is not.
function isFailure(e) {
  try {
    return e?.code === 'STORE_FAILED';
  } catch {
    return false;
  }
}

function failure(message, cause) {
  const error = new Error(`the task store failed: ${message}`);
  error.code = 'STORE_FAILED';
  if (cause !== undefined) error.cause = cause;
  return error;
}

// The store a `store` option names, or a string saying what is wrong with
// it; `timeout`: each request's deadline in ms (`storeTimeout`).
export function openStore(spec, timeout) {
  try {
    if (spec === null || typeof spec !== 'object') {
      return 'options.store must be { indexedDB: name } or { kv }';
    }
    if (typeof spec.indexedDB === 'string') {
      if (spec.indexedDB === '') return 'options.store.indexedDB must not be empty';
      if (typeof indexedDB === 'undefined') return 'options.store.indexedDB needs IndexedDB, which this runtime does not have';
      return new IdbStore(spec.indexedDB, timeout);
    }
    const kv = spec.kv;
    if (kv !== undefined) {
      if (kv === null || typeof kv.atomic !== 'function' || typeof kv.list !== 'function') {
        return 'options.store.kv must be a Deno.Kv (await Deno.openKv(...))';
      }
      return new KvStore(kv, timeout);
    }
    return 'options.store must be { indexedDB: name } or { kv }';
  } catch (e) {
    return `options.store could not be read: ${errorText(e)}`;
  }
}

// The check each write of a shared manager's owner carries (kv_link.js):
// its reign's owner record, by Deno.Kv. A process that lost the lease then
// cannot write, even before it notices.
const fences = new WeakMap();

/**
 * Sets the fence of `kv`'s writes, at each take of the lease. It is never
 * cleared: after the lease is lost, its owner's writes fail once another
 * process has taken it.
 */
/** `fence`: the owner record's key and versionstamp; `refused()`: called when a write fails on it. */
export function fenceKv(kv, fence, refused) {
  fences.set(kv, { fence, refused });
}

/** The Deno.Kv of a store `openStore` made, or undefined. */
export function storeKv(store) {
  return store instanceof KvStore ? store.kv : undefined;
}

// Commits `op`, again while SQLite is busy: several processes on one local
// KV path take turns at its lock, and a writer that finds it taken gets
// "database is locked" rather than a wait. `timed` bounds each attempt
// (the store's deadline), not the waits between them: a busy lock answers.
export async function commitBusy(op, timed = (p) => p) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await timed(op.commit());
    } catch (e) {
      if (attempt >= 20 || !/database is locked|busy/i.test(errorText(e))) throw e;
      await new Promise((r) => setTimeout(r, Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random())));
    }
  }
}

// What persist.rs calls: promises that never throw synchronously.
export function loadStore(store) {
  return store.load();
}

export function commitStore(store, batch) {
  return store.commit(batch);
}

// A load reads in pages of the most the KV gives at once (1,000; the
// default is 100): on a KV server each page is a round trip.
const LOAD = { batchSize: 1000 };

// Orders loaded records as they were made: tasks by creation, notices by
// their order number.
function byCreation(a, b) {
  return a.createdAt - b.createdAt || a.order - b.order;
}

function byOrder(a, b) {
  return a.timestamp - b.timestamp || a.order - b.order;
}

// `work(late)`'s promise, or a STORE_FAILED rejection once `ms` have passed
// without its answer. Then `late.abandoned` is set and `late.stop()` (if
// `work` set one) is called, so that work still going stops where it can.
function deadline(ms, what, work) {
  const late = { abandoned: false, stop: null };
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(() => {
      late.abandoned = true;
      try {
        late.stop?.();
      } catch {
        // Too late to stop: what it does is harmless (see each store).
      }
      reject(failure(`${what} had no answer within ${ms} ms (storeTimeout)`));
    }, ms);
    unref(timer);
  });
  let running;
  try {
    running = work(late);
  } catch (e) {
    clearTimeout(timer);
    throw e;
  }
  return Promise.race([running, expired]).finally(() => clearTimeout(timer));
}

// A deadline on the progress of a series of requests (a KV list's pages):
// `race(promise)` is `promise`, or a STORE_FAILED rejection once `ms` have
// passed since the last answer. One timer, moved on as answers come: a
// list's steps are mostly answered from the page at hand, and a timer for
// each would cost more than the step.
function watchdog(ms, what) {
  let last = performance.now();
  let timer;
  let fail;
  const expired = new Promise((_, reject) => (fail = reject));
  expired.catch(() => {});
  const arm = (wait) => {
    timer = setTimeout(() => {
      const idle = performance.now() - last;
      if (idle >= ms) fail(failure(`${what} had no answer within ${ms} ms (storeTimeout)`));
      else arm(ms - idle);
    }, wait);
    unref(timer);
  };
  arm(ms);
  return {
    async race(promise) {
      const answer = await Promise.race([promise, expired]);
      last = performance.now();
      return answer;
    },
    stop: () => clearTimeout(timer),
  };
}

// A timer that does not keep a Deno (or Node) process alive: what the
// request waits on does, as long as it is in flight.
function unref(timer) {
  try {
    if (typeof timer === 'object') timer?.unref?.();
    else globalThis.Deno?.unrefTimer?.(timer);
  } catch {
    // Timers of another kind: nothing to unref.
  }
}

// Runs `work` (which returns a promise) so that it never throws
// synchronously and every failure is a STORE_FAILED error.
function guarded(work) {
  try {
    return work().catch((e) => Promise.reject(isFailure(e) ? e : failure(errorText(e), e)));
  } catch (e) {
    return Promise.reject(failure(errorText(e), e));
  }
}

// ---- IndexedDB -----------------------------------------------------------

class IdbStore {
  constructor(name, timeout) {
    this.name = name;
    this.timeout = timeout;
    this.db = null;
    /** id -> the version of its record in the database. */
    this.versions = new Map();
  }

  open() {
    if (this.db) return Promise.resolve(this.db);
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(this.name, 1);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains('tasks')) db.createObjectStore('tasks', { keyPath: 'id' });
        if (!db.objectStoreNames.contains('notices')) db.createObjectStore('notices', { keyPath: 'notificationId' });
      };
      req.onblocked = () => reject(failure(`IndexedDB "${this.name}" is blocked by another connection`));
      req.onerror = () => reject(failure(`IndexedDB "${this.name}" did not open: ${req.error?.message}`, req.error));
      req.onsuccess = () => {
        this.db = req.result;
        // Another tab upgrading the database: let it, and reopen on next use.
        this.db.onversionchange = () => {
          this.db?.close();
          this.db = null;
        };
        resolve(this.db);
      };
    });
  }

  load() {
    return guarded(() => deadline(this.timeout, `IndexedDB "${this.name}"`, async (late) => {
      const db = await this.open();
      if (late.abandoned) return undefined;
      const tx = db.transaction(['tasks', 'notices'], 'readonly');
      late.stop = () => tx.abort();
      const all = (store) => new Promise((resolve, reject) => {
        const req = tx.objectStore(store).getAll();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const [tasks, notices] = await Promise.all([all('tasks'), all('notices')]);
      if (late.abandoned) return undefined;
      for (const t of tasks) this.versions.set(t.id, t.version);
      return { tasks: tasks.sort(byCreation), notices: notices.sort(byOrder) };
    }));
  }

  // One transaction for the whole batch: every task record is read, its
  // version checked against the one this store wrote last, and only then
  // written; any mismatch aborts all of it.
  //
  // Past its deadline the transaction is aborted. One that had already
  // committed still counts: its versions are taken, since IndexedDB runs the
  // next write's transaction only after it, and its checks would otherwise
  // fail on this manager's own records.
  commit(batch) {
    return guarded(() => deadline(this.timeout, `IndexedDB "${this.name}"`, async (late) => {
      const db = await this.open();
      if (late.abandoned) return;
      const next = new Map();
      await new Promise((resolve, reject) => {
        let tx;
        try {
          tx = db.transaction(['tasks', 'notices'], 'readwrite');
        } catch (e) {
          reject(failure(errorText(e), e));
          return;
        }
        late.stop = () => tx.abort();
        const tasks = tx.objectStore('tasks');
        const notices = tx.objectStore('notices');
        let conflict = null;
        const checked = (id, then) => {
          const req = tasks.get(id);
          req.onsuccess = () => {
            const found = req.result?.version;
            if (found !== this.versions.get(id)) {
              conflict = `task "${id}" was changed by another owner (version ${found}, expected ${this.versions.get(id)})`;
              tx.abort();
              return;
            }
            then();
          };
        };
        for (const record of batch.tasks) {
          checked(record.id, () => {
            // Counted from the version checked, not from the one known when
            // the write was made: a transaction that committed after its
            // deadline moved it on meanwhile.
            const version = (this.versions.get(record.id) ?? 0) + 1;
            const value = { ...storable(record), version };
            try {
              tasks.put(value);
            } catch (e) {
              // What structured clone refuses that `unstorable` let through
              // (a Proxy, a host object): stored without it, so that one
              // value never blocks every later write.
              tasks.put({ ...value, options: undefined, result: undefined, unstored: [`options or result: ${errorText(e)}`] });
            }
            next.set(record.id, version);
          });
        }
        for (const id of batch.removed) {
          checked(id, () => {
            tasks.delete(id);
            next.set(id, undefined);
          });
        }
        for (const notice of batch.notices) notices.put(notice);
        for (const id of batch.delivered) notices.delete(id);
        tx.oncomplete = () => resolve();
        tx.onabort = () => reject(failure(conflict ?? tx.error?.message ?? 'the write was aborted', tx.error ?? undefined));
        tx.onerror = (event) => event.preventDefault?.();
      });
      for (const [id, version] of next) {
        if (version === undefined) this.versions.delete(id);
        else this.versions.set(id, version);
      }
    }));
  }
}

// ---- Deno KV -------------------------------------------------------------

// A KV value is at most 64 KiB: output text goes in pieces of at most this
// many UTF-16 units (two bytes each at worst) under the task's own keys.
const PIECE = 30000;
// Task records per atomic write: well inside KV's limits on checks,
// mutations and bytes per atomic operation.
const PER_ATOMIC = 8;
// Notices written or deleted in one atomic operation (the KV allows 1,000
// mutations), and operations in flight at once.
const LOOSE_PER_ATOMIC = 500;
const PARALLEL = 8;

class KvStore {
  constructor(kv, timeout) {
    this.kv = kv;
    this.timeout = timeout;
    // Marks this manager's writes: a write whose answer was lost (a KV
    // Connect server that went away mid-request) or came past its deadline
    // may have landed, and its records are then recognised as ours, not
    // another owner's.
    this.writer = crypto.randomUUID();
    /** id -> the versionstamp of its record as this store last wrote or read it. */
    this.versions = new Map();
    /** id -> how many output pieces it has stored: [head, tail, log]. */
    this.pieces = new Map();
  }

  // One request's promise, within the store's deadline.
  timed(promise, what) {
    return deadline(this.timeout, what, () => promise);
  }

  // The entries under `prefix`, each page within the deadline: a page that
  // never comes fails the load, however long the whole load takes.
  async *list(prefix) {
    const dog = watchdog(this.timeout, 'a read of the KV');
    try {
      const entries = this.kv.list({ prefix }, LOAD);
      for (;;) {
        const step = await dog.race(entries.next());
        if (step.done) return;
        yield step.value;
      }
    } finally {
      dog.stop();
    }
  }

  load() {
    return guarded(async () => {
      const tasks = [];
      for await (const entry of this.list([PREFIX, 'task'])) {
        // Something else written under these keys is not a task: skipped,
        // so that it cannot keep every later load from working.
        if (typeof entry.value?.id !== 'string') continue;
        tasks.push(entry.value);
        this.versions.set(entry.value.id, entry.versionstamp);
      }
      const output = new Map();
      for await (const entry of this.list([PREFIX, 'output'])) {
        const [, , id, part, n] = entry.key;
        if ((part !== 'head' && part !== 'tail' && part !== 'log') || typeof n !== 'number' || typeof entry.value !== 'string') continue;
        let pieces = output.get(id);
        if (!pieces) output.set(id, (pieces = { head: [], tail: [], log: [] }));
        pieces[part][n] = entry.value;
      }
      for (const t of tasks) {
        const pieces = output.get(t.id);
        if (pieces) {
          // The record says how many pieces its write left; any beyond are
          // a write's that was overtaken, and the next write deletes them.
          const [h, tl, l] = counted(t.pieces) ?? [pieces.head.length, pieces.tail.length, pieces.log.length];
          t.head = pieces.head.slice(0, h).join('');
          t.tail = pieces.tail.slice(0, tl).join('');
          // The log is kept as JSON text in pieces, as the output is.
          if (l > 0) {
            try {
              t.log = JSON.parse(pieces.log.slice(0, l).join(''));
            } catch {
              t.log = undefined;
            }
          }
          this.pieces.set(t.id, [pieces.head.length, pieces.tail.length, pieces.log.length]);
        }
      }
      const notices = [];
      for await (const entry of this.list([PREFIX, 'notice'])) {
        if (typeof entry.value?.notificationId === 'string') notices.push(entry.value);
      }
      return { tasks: tasks.sort(byCreation), notices: notices.sort(byOrder) };
    });
  }

  // Each task record goes in an atomic operation that checks its
  // versionstamp, together with its output pieces and the notification of
  // its transition, so that no notification is ever stored without the
  // transition it tells of (a process may die between two operations).
  // Removals, notifications of tasks not in the batch and deliveries go in
  // operations of their own, as many as the KV's limit of 1,000 mutations
  // each needs. Up to PARALLEL operations are in flight at once: on a KV
  // server each is a round trip.
  commit(batch) {
    return guarded(async () => {
      const byTask = new Map();
      const inBatch = new Set(batch.tasks.map((r) => r.id));
      const loose = [];
      for (const notice of batch.notices) {
        if (!inBatch.has(notice.taskId)) {
          loose.push(notice);
          continue;
        }
        if (!byTask.has(notice.taskId)) byTask.set(notice.taskId, []);
        byTask.get(notice.taskId).push(notice);
      }
      const groups = [];
      for (let i = 0; i < batch.tasks.length; i += PER_ATOMIC) {
        groups.push({ records: batch.tasks.slice(i, i + PER_ATOMIC), removed: [], loose: [], delivered: [] });
      }
      for (let i = 0; i < batch.removed.length; i += PER_ATOMIC) {
        groups.push({ records: [], removed: batch.removed.slice(i, i + PER_ATOMIC), loose: [], delivered: [] });
      }
      for (let i = 0; i < loose.length; i += LOOSE_PER_ATOMIC) {
        groups.push({ records: [], removed: [], loose: loose.slice(i, i + LOOSE_PER_ATOMIC), delivered: [] });
      }
      for (let i = 0; i < batch.delivered.length; i += LOOSE_PER_ATOMIC) {
        groups.push({ records: [], removed: [], loose: [], delivered: batch.delivered.slice(i, i + LOOSE_PER_ATOMIC) });
      }
      if (groups.length === 0) return;
      let next = 0;
      const worker = async () => {
        while (next < groups.length) await this.group(groups[next++], byTask);
      };
      const workers = [];
      for (let i = 0; i < Math.min(PARALLEL, groups.length); i++) workers.push(worker());
      // Every operation ends (answered or past its deadline) before the
      // batch's answer: one that failed does not leave others in flight
      // behind it that this store would still learn from.
      const ended = await Promise.allSettled(workers);
      const failed = ended.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    });
  }

  // One atomic operation. An operation past its deadline is abandoned, not
  // cancelled: Deno may still deliver it once the server is back, and
  // nothing here learns of it. That is safe because of what it checks:
  // - Each task record it sets or deletes is checked against the
  //   versionstamp known when it was made, so it lands only if no other
  //   write of that record landed since; it then holds a state this manager
  //   had, never a newer one's undoing, and the pieces it writes are those
  //   of that state. The write that retries the change checks the same
  //   versionstamp, so only one of the two can land; if the abandoned one
  //   did, the retry's check fails, `adopt` finds the record marked as ours
  //   (or gone, for a removal) and takes its versionstamp and piece counts,
  //   and the retry is made again at once, on top of it.
  // - The fence (a shared manager's owner record) is checked too, so a late
  //   operation lands only while this process still owns the manager.
  // - Notices of tasks not in the batch and deliveries are not checked: a
  //   late delivery deletes a notice already delivered, which is what the
  //   retry does too; a late notice written after its delivery's deletion
  //   comes back, and is delivered again after a restart with the same
  //   notificationId (delivery is at least once).
  async group({ records, removed, loose, delivered }, byTask) {
    for (let attempt = 0; ; attempt++) {
      const op = this.kv.atomic();
      const fenced = fences.get(this.kv);
      const fence = fenced?.fence;
      if (fence !== undefined) op.check(fence);
      const wrote = [];
      for (const record of records) {
        for (const notice of byTask.get(record.id) ?? []) op.set([PREFIX, 'notice', notice.notificationId], notice);
      }
      for (const record of records) {
        const key = [PREFIX, 'task', record.id];
        op.check({ key, versionstamp: this.versions.get(record.id) ?? null });
        const { head = '', tail = '', log, ...rest } = storable(record);
        const [h, t, l] = this.pieces.get(record.id) ?? [0, 0, 0];
        const counts = [
          writePieces(op, record.id, 'head', head, h),
          writePieces(op, record.id, 'tail', tail, t),
          writePieces(op, record.id, 'log', log === undefined ? '' : JSON.stringify(log), l),
        ];
        // The counts go in the record too, for `adopt` and the load.
        try {
          op.set(key, { ...rest, pieces: counts, writer: this.writer });
        } catch (e) {
          // As in IndexedDB: what serialization refuses is left out.
          op.set(key, { ...rest, options: undefined, result: undefined, unstored: [`options or result: ${errorText(e)}`], pieces: counts, writer: this.writer });
        }
        wrote.push([record.id, counts]);
      }
      for (const id of removed) {
        const key = [PREFIX, 'task', id];
        op.check({ key, versionstamp: this.versions.get(id) ?? null });
        op.delete(key);
        const [h, t, l] = this.pieces.get(id) ?? [0, 0, 0];
        for (let n = 0; n < h; n++) op.delete([PREFIX, 'output', id, 'head', n]);
        for (let n = 0; n < t; n++) op.delete([PREFIX, 'output', id, 'tail', n]);
        for (let n = 0; n < l; n++) op.delete([PREFIX, 'output', id, 'log', n]);
      }
      for (const notice of loose) op.set([PREFIX, 'notice', notice.notificationId], notice);
      for (const id of delivered) op.delete([PREFIX, 'notice', id]);
      const result = await commitBusy(op, (p) => this.timed(p, 'a write to the KV'));
      if (result.ok) {
        for (const [id, counts] of wrote) {
          this.versions.set(id, result.versionstamp);
          this.pieces.set(id, counts);
        }
        for (const id of removed) {
          this.versions.delete(id);
          this.pieces.delete(id);
        }
        return;
      }
      // A write of ours that landed unbeknown: made again on top of it (a
      // second time at most, should yet another land meanwhile).
      if (attempt < 2 && (await this.adopt(records, removed))) continue;
      const owner = fence === undefined ? undefined : await this.timed(this.kv.get(fence.key), 'a read of the KV');
      if (owner !== undefined && owner.versionstamp !== fence.versionstamp) {
        // Another process took the lease: this one lets go now, and a call
        // that failed on it goes to the new owner (shared.js).
        fenced.refused?.();
        const error = failure('this process no longer owns the shared manager');
        error.deposed = true;
        throw error;
      }
      throw failure('a task record was changed by another owner since this manager wrote it');
    }
  }

  // After a failed check: takes the versionstamps (and piece counts) of
  // records that this manager wrote itself in a write it did not hear back
  // from, and forgets those a removal of its own deleted, so the write made
  // again passes; true if any was.
  async adopt(records, removed) {
    const ids = [...records.map((r) => r.id), ...removed];
    const removing = new Set(removed);
    let adopted = false;
    // getMany reads at most 10 keys at a time.
    const found = [];
    for (let i = 0; i < ids.length; i += 10) {
      const keys = ids.slice(i, i + 10).map((id) => [PREFIX, 'task', id]);
      found.push(...await this.timed(this.kv.getMany(keys), 'a read of the KV'));
    }
    for (const entry of found) {
      const id = entry.key[2];
      if (entry.versionstamp === (this.versions.get(id) ?? null)) continue;
      if (entry.value?.writer === this.writer) {
        this.versions.set(id, entry.versionstamp);
        // Every piece either write left is deleted by the next if unused.
        const landed = counted(entry.value.pieces);
        if (landed) {
          const known = this.pieces.get(id) ?? [0, 0, 0];
          this.pieces.set(id, landed.map((n, i) => Math.max(n, known[i])));
        }
        adopted = true;
      } else if (entry.versionstamp === null && removing.has(id)) {
        // Gone, as the removal wants: one of ours landed (or another
        // owner's did the same).
        this.versions.delete(id);
        adopted = true;
      }
    }
    return adopted;
  }
}

// A record's piece counts `[head, tail, log]` as stored, or undefined
// (a record written before they were, or not by this code).
function counted(pieces) {
  return Array.isArray(pieces) && pieces.length === 3 && pieces.every((n) => Number.isInteger(n) && n >= 0) ? pieces : undefined;
}

// Writes `text` as pieces `part`/0.. of task `id` in `op`, deleting the
// ones beyond them of the `had` it had; returns how many it has now.
function writePieces(op, id, part, text, had) {
  const n = Math.ceil(text.length / PIECE);
  for (let i = 0; i < n; i++) op.set([PREFIX, 'output', id, part, i], text.slice(i * PIECE, (i + 1) * PIECE));
  for (let i = n; i < had; i++) op.delete([PREFIX, 'output', id, part, i]);
  return n;
}
