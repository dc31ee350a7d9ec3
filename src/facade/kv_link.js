// The link between the processes of a manager shared on one Deno KV
// (`options.shared` with `store: { kv }`): what a Web Lock and a
// BroadcastChannel are to the tabs of an origin, made of KV records, for
// processes that share nothing but the KV (a local path, a denokv server,
// Deno Deploy).
//
// - The lock is a lease. The rules of who may hold it, and when, are the
//   engine's (`engine::lease`, through the core's `lease()`): this file reads
//   and writes the records they name. The lease record is written at each
//   take and renewal; the owner record only at a take, so its versionstamp
//   names one owner's reign, and every store write of the owner checks it
//   (`fenceKv`): a process that lost the lease cannot write once another
//   holds it, even if it has not noticed yet.
// - The channel is a log per channel (one per join of a process):
//   `msg/<channel>/<n>` records, each a batch of messages, read by every
//   other process from where it last read. Readers are woken by `kv.watch` on
//   one bell that each write rings. They also read every 20 ms while messages
//   flow and once a second when quiet, since a watch on a local KV path hears
//   other processes late.
import { commitBusy, fenceKv, storeKv } from './durable.js';

const PREFIX = 'background-manager';
/** Messages in one record, and records in one atomic write. */
const PER_RECORD = 64;
const PER_WRITE = 8;
/** How long a message stays readable, and a process listed, in ms. */
const KEEP = 60_000;
const LISTED = 600_000;
/** How long a KV request may take before it counts as failed, in ms. */
const REQUEST_TIMEOUT = 5_000;
/** How long the logs are read often after a message came or went, in ms. */
const BUSY = 2_000;

/** What a KV store lacks for a shared manager, or ''; '' for other stores. */
export function missingKvApis(store) {
  try {
    const kv = storeKv(store);
    if (kv === undefined) return '';
    return typeof kv.watch === 'function' && typeof kv.get === 'function' ? '' : 'Deno.Kv.watch';
  } catch {
    return 'Deno.Kv.watch';
  }
}

function withTimeout(promise) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from the KV within ${REQUEST_TIMEOUT} ms`)), REQUEST_TIMEOUT);
    }),
  ]).finally(() => clearTimeout(timer));
}

const sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** The lock and channel of the processes named `name` on `kv`. */
export class KvLink {
  /** `rules`: the engine's lease rules (`core.lease()`), for this process. */
  constructor(kv, name, rules, id) {
    this.kv = kv;
    this.rules = rules;
    this.id = id;
    this.base = [PREFIX, 'shared', name];
  }

  // Each channel writes a log of its own: a process that left and joins
  // again starts a new one, which the others read from its start.
  channel() {
    return new KvChannel(this.kv, this.base, crypto.randomUUID());
  }

  /**
   * As `navigator.locks.request`: `take(lock)` runs while this process
   * holds the lease, and the lease is held until its promise settles. Unlike
   * a Web Lock, a lease can be lost (the process stalled past its term, or
   * the KV was out of reach): `lock.lost` then resolves, the holder lets go,
   * and this waits for the lease again, until `signal` aborts.
   */
  async request(_name, { signal }, take) {
    const leaseKey = [...this.base, 'lease'];
    const ownerKey = [...this.base, 'owner'];
    const rules = this.rules;
    const now = () => Math.floor(performance.now());
    while (!signal.aborted) {
      // Waiting for the lease.
      let token = null;
      while (!signal.aborted && token === null) {
        let entry;
        try {
          entry = await withTimeout(this.kv.get(leaseKey, { consistency: 'strong' }));
        } catch {
          await sleep(rules.term() / 4, signal);
          continue;
        }
        const step = rules.read(now(), entry.versionstamp ?? undefined, entry.value?.holder === this.id);
        if (step >= 0) {
          await sleep(step - now(), signal);
          continue;
        }
        const sent = now();
        try {
          const res = await withTimeout(
            this.kv.atomic()
              .check({ key: leaseKey, versionstamp: entry.versionstamp })
              .set(leaseKey, { holder: this.id })
              .set(ownerKey, { holder: this.id })
              .commit(),
          );
          rules.took(sent, res.ok);
          if (res.ok && rules.acting(now())) token = res.versionstamp;
          else rules.dropHeld();
        } catch {
          // The take may have landed: its record is waited out like anyone's.
          await sleep(rules.term() / 4, signal);
        }
      }
      if (signal.aborted) return;
      // Held: renewed on the rules' schedule, and lost at the term's end
      // unless a renewal came back in time.
      let lose;
      const lost = new Promise((resolve) => (lose = resolve));
      let isLost = false;
      const stop = new AbortController();
      const end = () => {
        if (isLost) return;
        isLost = true;
        rules.dropHeld();
        stop.abort();
        lose();
      };
      // A store write refused on the owner record: another process holds
      // the lease already.
      fenceKv(this.kv, { key: ownerKey, versionstamp: token }, end);
      const renewing = (async () => {
        while (!stop.signal.aborted) {
          const until = rules.until();
          if (until < 0 || now() >= until) return end();
          const step = rules.read(now(), token, true);
          if (step >= 0) {
            await sleep(Math.min(step, until) - now(), stop.signal);
            continue;
          }
          const sent = now();
          try {
            const res = await withTimeout(
              this.kv.atomic().check({ key: ownerKey, versionstamp: token }).set(leaseKey, { holder: this.id }).commit(),
            );
            if (stop.signal.aborted) return;
            rules.renewed(sent, res.ok);
            if (!res.ok) return end();
          } catch {
            // Out of reach: tried again soon, until the term runs out.
            await sleep(Math.min(rules.term() / 10, rules.until() - now()), stop.signal);
          }
        }
      })();
      let wasLost = false;
      try {
        await take({ name: _name, lost });
      } finally {
        wasLost = isLost;
        isLost = true;
        rules.dropHeld();
        stop.abort();
        await renewing;
        if (!wasLost) {
          // Let go at once, so the next process need not wait out the term.
          try {
            await withTimeout(this.kv.atomic().check({ key: ownerKey, versionstamp: token }).delete(leaseKey).commit());
          } catch {
            // It is waited out instead.
          }
        }
      }
      // Lost: in line for the lease again. Let go: done.
      if (!wasLost || signal.aborted) return;
    }
  }
}

/** As a BroadcastChannel between the processes, on KV records. */
class KvChannel {
  onmessage = null;
  /** `(message, error)`: a message that could not be written. */
  onfailed = null;
  #kv;
  #base;
  #id;
  #out = [];
  #n = 0;
  #flushing = null;
  #closed = false;
  #cursors = new Map();
  #ready;
  #draining = false;
  #again = false;
  #reader = null;
  #relist = 0;
  #poll = 0;
  /** Until when messages are read often: a while after one came or went. */
  #busyUntil = 0;

  constructor(kv, base, id) {
    this.#kv = kv;
    this.#base = base;
    this.#id = id;
    this.#ready = this.#join();
    this.#ready.catch(() => {});
  }

  // Lists this process, then notes where every process listed before it
  // has written to: what they wrote earlier was not meant for it. A process
  // listed later wrote nothing before it was listed, so it is read from 0.
  async #join() {
    for (;;) {
      try {
        return await this.#list();
      } catch {
        // The KV busy or out of reach: again shortly.
        if (this.#closed) return;
        await sleep(100);
      }
    }
  }

  // Lists this process among the peers, for LISTED ms.
  #register() {
    return this.#kv.set([...this.#base, 'peer', this.#id], { at: Date.now() }, { expireIn: LISTED });
  }

  async #list() {
    const kv = this.#kv;
    await this.#register();
    for await (const peer of kv.list({ prefix: [...this.#base, 'peer'] })) {
      const id = peer.key.at(-1);
      if (id === this.#id) continue;
      let last = -1;
      for await (const e of kv.list({ prefix: [...this.#base, 'msg', id] }, { reverse: true, limit: 1 })) last = e.key.at(-1);
      this.#cursors.set(id, last);
    }
    if (this.#closed) return;
    this.#listen();
    // A watch on a local KV path hears other processes' writes late (it
    // looks about once a second), so while messages come and go the logs
    // are also read every 20 ms; when quiet, once a second.
    const poll = () => {
      if (this.#closed) return;
      this.#drain();
      this.#poll = setTimeout(poll, performance.now() < this.#busyUntil ? 20 : 1000);
    };
    poll();
    this.#relist = setInterval(() => this.#register().catch(() => {}), LISTED / 10);
  }

  async #listen() {
    while (!this.#closed) {
      try {
        this.#reader = this.#kv.watch([[...this.#base, 'bell']]).getReader();
        for (;;) {
          const { done } = await this.#reader.read();
          if (done || this.#closed) break;
          this.#drain();
        }
      } catch {
        // The KV went away (a denokv restart): watched again shortly.
      }
      await sleep(200);
    }
  }

  // Reads every other process's log from where it was read to.
  async #drain() {
    if (this.#closed) return;
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#draining = true;
    try {
      do {
        this.#again = false;
        const kv = this.#kv;
        const peers = [];
        for await (const peer of kv.list({ prefix: [...this.#base, 'peer'] })) peers.push(peer.key.at(-1));
        for (const id of peers) {
          if (id === this.#id || this.#closed) continue;
          const from = this.#cursors.get(id) ?? -1;
          const prefix = [...this.#base, 'msg', id];
          for await (const e of kv.list({ prefix, start: [...prefix, from + 1] }, { batchSize: 1000 })) {
            if (this.#closed) return;
            this.#cursors.set(id, e.key.at(-1));
            if (!Array.isArray(e.value)) continue;
            this.#busyUntil = performance.now() + BUSY;
            for (const data of e.value) this.onmessage?.({ data });
          }
        }
      } while (this.#again && !this.#closed);
    } catch {
      // Read again at the next wake.
    } finally {
      this.#draining = false;
    }
  }

  postMessage(message) {
    if (this.#closed) return;
    this.#out.push(message);
    this.#busyUntil = performance.now() + BUSY;
    this.#flushing ??= this.#ready.then(() => this.#flush());
  }

  async #flush() {
    while (this.#out.length > 0 && !this.#closed) {
      const batch = this.#out.splice(0, PER_RECORD * PER_WRITE);
      const records = [];
      for (let i = 0; i < batch.length; i += PER_RECORD) records.push(batch.slice(i, i + PER_RECORD));
      await this.#write(records);
    }
    this.#flushing = null;
  }

  // Writes records of messages in one atomic operation; what the KV refuses
  // (too large) is halved until each message alone is refused.
  async #write(records) {
    const kv = this.#kv;
    const first = this.#n;
    try {
      const op = kv.atomic();
      records.forEach((r, i) => op.set([...this.#base, 'msg', this.#id, first + i], r, { expireIn: KEEP }));
      op.sum([...this.#base, 'bell'], 1n);
      const res = await withTimeout(commitBusy(op));
      if (!res.ok) throw new Error('the write was refused');
      this.#n = first + records.length;
    } catch (e) {
      if (this.#closed) return;
      if (!(e instanceof TypeError && /too large|could not be cloned/.test(e.message))) {
        // Out of reach, or an answer lost: the same records again (one
        // that landed is written over with itself).
        await sleep(200);
        return this.#write(records);
      }
      if (records.length > 1) {
        for (const r of records) await this.#write([r]);
      } else if (records[0].length > 1) {
        const r = records[0];
        const half = Math.ceil(r.length / 2);
        await this.#write([r.slice(0, half)]);
        await this.#write([r.slice(half)]);
      } else {
        this.onfailed?.(records[0][0], e);
      }
    }
  }

  close() {
    this.#closed = true;
    clearInterval(this.#relist);
    clearTimeout(this.#poll);
    this.#reader?.cancel().catch(() => {});
    this.#kv.delete([...this.#base, 'peer', this.#id]).catch(() => {});
  }
}
