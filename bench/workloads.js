// The benchmark workloads, run the same way against background-manager and
// its peers (the plain-JS manager of reference.js, p-queue) in alternating
// rounds, medians kept. Works in Deno and browsers.
const session = (onMessage = () => {}) => ({
  id: 'bench-session',
  getStatus: async () => 'running',
  sendMessage: onMessage,
});
const options = (i) => ({ agent: 'default', prompt: `Task ${i}` });
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function fresh(Manager, config, onMessage) {
  const m = new Manager({ pollInterval: 3_600_000, taskTTL: 3_600_000, ...config });
  await m.initialize(session(onMessage));
  return m;
}

async function filled(Manager, n, config) {
  const m = await fresh(Manager, config);
  const ids = [];
  for (let i = 0; i < n; i++) ids.push((await m.createTask({ options: options(i) })).id);
  return { m, ids };
}

/** Runs `a` and `b` in alternating order for `rounds` rounds: medians. */
async function alternate(rounds, a, b) {
  const as = [];
  const bs = [];
  for (let i = 0; i < rounds; i++) {
    // Alternate which goes first, so warm-up and GC favour neither.
    if (i % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
  }
  return [median(as), median(bs)];
}

// Each single-call workload: prepare (untimed), then `run` (timed); returns ops done.
const WORKLOADS = {
  createTask: {
    prepare: (M) => fresh(M),
    run: async (m, n) => {
      for (let i = 0; i < n; i++) await m.createTask({ options: options(i) });
      return n;
    },
  },
  getTask: {
    prepare: (M, n) => filled(M, n),
    run: async ({ m, ids }) => {
      for (const id of ids) await m.getTask(id);
      return ids.length;
    },
  },
  completeTask: {
    prepare: (M, n) => filled(M, n),
    run: async ({ m, ids }) => {
      for (const id of ids) await m.completeTask(id, { ok: true });
      return ids.length;
    },
  },
  failTask: {
    prepare: (M, n) => filled(M, n),
    run: async ({ m, ids }) => {
      for (const id of ids) await m.failTask(id, 'failed');
      return ids.length;
    },
  },
  cancelTask: {
    prepare: (M, n) => filled(M, n),
    run: async ({ m, ids }) => {
      for (const id of ids) await m.cancelTask(id);
      return ids.length;
    },
  },
  getOutput: {
    prepare: (M, n) => filled(M, n),
    run: async ({ m, ids }) => {
      for (const id of ids) await m.getOutput(id);
      return ids.length;
    },
  },
  "getAllTasks('running'), 100 running": {
    prepare: async (M, n) => {
      const { m, ids } = await filled(M, n);
      for (const id of ids.slice(0, n - 100)) await m.completeTask(id);
      return { m };
    },
    run: async ({ m }) => {
      for (let i = 0; i < 20; i++) {
        if ((await m.getAllTasks('running')).length !== 100) throw new Error('expected 100 running');
      }
      return 20;
    },
  },
  cancelAllTasks: {
    prepare: (M, n) => filled(M, n),
    run: async ({ m, ids }) => {
      if ((await m.cancelAllTasks()).length !== ids.length) throw new Error('expected all cancelled');
      return 1;
    },
  },
};

async function timeOne(M, name, n) {
  const w = WORKLOADS[name];
  const state = await w.prepare(M, n);
  const start = performance.now();
  const ops = await w.run(state, n);
  const ms = performance.now() - start;
  await (state.m ?? state).cleanup();
  return (ms * 1000) / ops; // µs per op
}

/**
 * Per-op times (µs) of every single-call workload at every size.
 * @returns {Promise<{ workload: string, n: number, ours: number, reference: number, ratio: number }[]>}
 */
export async function speed({ Ours, Reference, sizes, rounds, log }) {
  const rows = [];
  for (const n of sizes) {
    for (const name of Object.keys(WORKLOADS)) {
      const r = n >= 100_000 ? Math.max(1, Math.ceil(rounds / 2)) : rounds;
      const [ours, reference] = await alternate(r, () => timeOne(Ours, name, n), () => timeOne(Reference, name, n));
      const row = { workload: name, n, ours, reference, ratio: reference / ours };
      rows.push(row);
      log?.(row);
    }
  }
  return rows;
}

/** A distinct string of `size` characters (so no two tasks share one). */
function text(size, i) {
  const tag = `<${i}>`;
  return 'x'.repeat(size - tag.length) + tag;
}

/**
 * A list re-render with large outputs: µs per getAllTasks() over `tasks`
 * tasks holding `size` characters of output each.
 */
export async function listWithOutput(Manager, { tasks = 300, size = 64 * 1024, renders = 50 } = {}) {
  const { m, ids } = await filled(Manager, tasks);
  for (let i = 0; i < ids.length; i++) await m.appendOutput(ids[i], text(size, i));
  if ((await m.getAllTasks())[0].output.length !== size) throw new Error('the output is not listed');
  const start = performance.now();
  for (let i = 0; i < renders; i++) await m.getAllTasks();
  const us = ((performance.now() - start) * 1000) / renders;
  await m.cleanup();
  return us;
}

/**
 * Streaming: `appends` chunks written round-robin to `tasks` tasks, each
 * followed by a reader that asks for what is new since its cursor: µs per
 * append-and-read.
 */
export async function streaming(Manager, { tasks = 10, appends = 20_000, chunk = 80 } = {}) {
  const { m, ids } = await filled(Manager, tasks);
  const cursors = new Array(tasks).fill(0);
  const piece = 'y'.repeat(chunk - 1) + '\n';
  const start = performance.now();
  for (let i = 0; i < appends; i++) {
    const k = i % tasks;
    await m.appendOutput(ids[k], piece);
    const out = await m.getOutput(ids[k], { since: cursors[k] });
    if (out.output.length !== chunk) throw new Error(`a reader saw ${out.output.length} new characters`);
    cursors[k] = out.cursor;
  }
  const us = ((performance.now() - start) * 1000) / appends;
  await m.cleanup();
  return us;
}

/**
 * Fan-out: `tasks` tasks get `chunks` output chunks each, and `watchers`
 * readers follow each task with `for await (const e of m.watch(id))` until
 * it completes. Entries delivered per ms.
 */
export async function fanout(Manager, { tasks = 100, chunks = 1_000, watchers = 3 } = {}) {
  const { m, ids } = await filled(Manager, tasks);
  const piece = 'z'.repeat(31) + '\n';
  let seen = 0;
  const start = performance.now();
  const readers = [];
  for (const id of ids) {
    for (let w = 0; w < watchers; w++) {
      readers.push((async () => {
        for await (const e of m.watch(id)) if (e.type === 'output') seen++;
      })());
    }
  }
  for (let i = 0; i < chunks; i++) for (const id of ids) m.appendOutput(id, piece);
  for (const id of ids) m.completeTask(id, null);
  await Promise.all(readers);
  const ms = performance.now() - start;
  if (seen !== tasks * chunks * watchers) throw new Error(`the watchers saw ${seen} entries`);
  await m.cleanup();
  return seen / ms;
}

/**
 * The same fan-out in plain JS: a log array and an EventTarget per task,
 * each entry the same object as ours, dispatched to `watchers` listeners.
 */
export async function fanoutEventTarget({ tasks = 100, chunks = 1_000, watchers = 3 } = {}) {
  const piece = 'z'.repeat(31) + '\n';
  let seen = 0;
  const start = performance.now();
  const logs = [];
  for (let t = 0; t < tasks; t++) {
    const target = new EventTarget();
    for (let w = 0; w < watchers; w++) {
      target.addEventListener('entry', (event) => {
        if (event.detail.type === 'output') seen++;
      });
    }
    logs.push({ target, entries: [], cursor: 0 });
  }
  for (let i = 0; i < chunks; i++) {
    for (const log of logs) {
      log.cursor += piece.length;
      const entry = { seq: log.entries.length + 1, type: 'output', at: Date.now(), text: piece, cursor: log.cursor };
      log.entries.push(entry);
      log.target.dispatchEvent(new CustomEvent('entry', { detail: entry }));
    }
  }
  for (const log of logs) {
    const entry = { seq: log.entries.length + 1, type: 'status', at: Date.now(), status: 'completed' };
    log.entries.push(entry);
    log.target.dispatchEvent(new CustomEvent('entry', { detail: entry }));
  }
  await Promise.resolve();
  const ms = performance.now() - start;
  if (seen !== tasks * chunks * watchers) throw new Error(`the listeners saw ${seen} entries`);
  return seen / ms;
}

/**
 * Memory returned after a burst: `tasks` tasks get `size` characters of
 * output each, complete, and are evicted (a short TTL). Bytes (JS heap +
 * wasm memory, after gc) before and after.
 */
export async function burst(Manager, { tasks = 200, size = 1 << 20, measure }) {
  const m = await fresh(Manager, { taskTTL: 50, pollInterval: 25 });
  const before = await measure();
  for (let i = 0; i < tasks; i++) {
    const { id } = await m.createTask({ options: options(i) });
    await m.appendOutput(id, text(size, i));
    await m.completeTask(id, 'done');
  }
  const during = await measure();
  const until = Date.now() + 10_000;
  while ((await m.getAllTasks()).length > 0) {
    if (Date.now() > until) throw new Error('the burst was not evicted');
    await sleep(20);
  }
  const after = await measure();
  await m.cleanup();
  return { before: before.heap + before.wasm, during: during.heap + during.wasm, after: after.heap + after.wasm };
}

/**
 * Launch throughput: `runs` trivial runs through a concurrency of 8, ours
 * (launch, the runner resolves at once) against p-queue (add). Runs per ms.
 */
export async function launches({ Ours, PQueue, runs = 20_000, concurrency = 8, rounds = 5 }) {
  const ours = async () => {
    let done = 0;
    let finished;
    const all = new Promise((resolve) => (finished = resolve));
    const m = new Ours({ maxConcurrent: concurrency, runner: async () => 'ok', pollInterval: 3_600_000 });
    await m.initialize(session(() => {
      if (++done === runs) finished();
    }));
    const start = performance.now();
    for (let i = 0; i < runs; i++) m.launch({ agent: 'a', prompt: 'p' });
    await all;
    const ms = performance.now() - start;
    await m.cleanup();
    return runs / ms;
  };
  const peer = async () => {
    const queue = new PQueue({ concurrency });
    const start = performance.now();
    for (let i = 0; i < runs; i++) queue.add(async () => 'ok');
    await queue.onIdle();
    return runs / (performance.now() - start);
  };
  // Higher is better here: the ratio is ours / p-queue.
  return alternate(rounds, ours, peer);
}

/**
 * Starting the next task while `queued` tasks wait behind one full key:
 * µs per launch of a task whose key has room (it starts at once), the
 * same with 10 or with 100,000 waiting if the queue costs nothing per
 * waiting task.
 */
export async function keyedStart(Ours, { queued, starts = 5_000 }) {
  let release;
  const hold = new Promise((resolve) => (release = resolve));
  const runner = (ctx) => (ctx.prompt === 'hold' ? hold : 'ok');
  const m = new Ours({ runner, limits: { keys: { busy: 1 } }, pollInterval: 3_600_000, taskTTL: 3_600_000 });
  await m.initialize(session(() => {}));
  await m.launch({ agent: 'a', prompt: 'hold', concurrencyKey: 'busy' });
  for (let i = 0; i < queued; i++) m.launch({ agent: 'a', prompt: 'hold', concurrencyKey: 'busy' });
  const start = performance.now();
  for (let i = 0; i < starts; i++) m.launch({ agent: 'a', prompt: 'p', concurrencyKey: 'free' });
  const us = ((performance.now() - start) * 1000) / starts;
  release();
  await m.cleanup();
  return us;
}

/** ms from the last task's TTL deadline until every one of `n` tasks has timed out and been notified. */
export async function ttlExpiry(Manager, n) {
  let notified = 0;
  let done;
  const all = new Promise((resolve) => (done = resolve));
  const ttl = 300;
  const m = await fresh(Manager, { taskTTL: ttl, pollInterval: 100 }, () => {
    if (++notified === n) done(performance.now());
  });
  let deadline = 0;
  for (let i = 0; i < n; i++) {
    await m.createTask({ options: options(i) });
    deadline = performance.now() + ttl;
  }
  const finished = await all;
  await m.cleanup();
  return finished - deadline;
}

/** ms from calling completeTask until a waiting getOutput resolves (median of `samples`). */
export async function wakeLatency(Manager, samples = 21) {
  const m = await fresh(Manager);
  const times = [];
  for (let i = 0; i < samples; i++) {
    const { id } = await m.createTask({ options: options(i) });
    let resolvedAt = 0;
    const waiting = m.getOutput(id, { wait: true, timeout: 10_000 }).then(() => (resolvedAt = performance.now()));
    await sleep(1);
    const start = performance.now();
    await m.completeTask(id, 'done');
    await waiting;
    times.push(resolvedAt - start);
  }
  await m.cleanup();
  return median(times);
}

/**
 * Memory after `n` tasks (bytes per task: JS heap + wasm memory), and how
 * memory moves over `cycles` create→complete cycles under a short TTL.
 * `measure()` must collect garbage and return { heap, wasm } in bytes.
 */
export async function memory({ Manager, n, cycles, measure }) {
  const before = await measure();
  const { m } = await filled(Manager, n);
  const after = await measure();
  await m.cleanup();
  const perTask = (after.heap + after.wasm - before.heap - before.wasm) / n;

  const c = await fresh(Manager, { taskTTL: 5, pollInterval: 5 });
  const samples = [];
  for (let i = 1; i <= cycles; i++) {
    const { id } = await c.createTask({ options: options(i) });
    // A pause past the 5 ms TTL (a GC, a busy machine) times the task out
    // first, and one past twice that evicts it too; either way it ended,
    // which is what this cycle is about.
    await c.completeTask(id).catch((e) => {
      if (e?.code !== 'INVALID_TRANSITION' && e?.code !== 'TASK_NOT_FOUND') throw e;
    });
    if (i % 1000 === 0) await sleep(0); // let timers (the reference's polling) run
    if (i % (cycles / 5) === 0) {
      await sleep(20);
      const s = await measure();
      samples.push({ cycles: i, bytes: s.heap + s.wasm, tasks: (await c.getAllTasks()).length });
    }
  }
  await c.cleanup();
  return { perTask, samples };
}

/**
 * Everything users feel, against the peers: the single calls, the list with
 * output, streaming, the burst's memory, launches against p-queue, and the
 * figures kept from before (status index, wake-up, bytes per task).
 */
export async function all({ Ours, Reference, PQueue, measure, quick, log = () => {} }) {
  const n = quick ? 20_000 : 100_000;
  const cycles = quick ? 100_000 : 1_000_000;
  const rounds = quick ? 3 : 5;
  // Memory first: wasm memory never shrinks, so it is measured before the
  // speed runs grow it.
  const mem = {
    ours: await memory({ Manager: Ours, n, cycles, measure }),
    reference: await memory({ Manager: Reference, n, cycles, measure }),
  };
  log('memory');
  const burstOurs = await burst(Ours, { measure });
  const burstReference = await burst(Reference, { measure });
  log('burst');
  const rows = await speed({ Ours, Reference, sizes: quick ? [1_000, 10_000] : [1_000, 10_000, 100_000], rounds, log: (r) => log(`${r.workload} ${r.n}`) });
  const [list, listReference] = await alternate(rounds, () => listWithOutput(Ours), () => listWithOutput(Reference));
  const [stream, streamReference] = await alternate(rounds, () => streaming(Ours), () => streaming(Reference));
  log('output');
  // One untimed round of each first: a fan-out round is a single burst, so
  // unlike the per-call workloads its rounds do not warm up the JIT (and
  // wasm's optimizing tier) on their own.
  await fanout(Ours);
  await fanoutEventTarget();
  const [fan, fanPeer] = await alternate(rounds, () => fanout(Ours), () => fanoutEventTarget());
  log('fan-out');
  const [launchOurs, launchPeer] = await launches({ Ours, PQueue, rounds });
  log('launches');
  await keyedStart(Ours, { queued: 10 });
  const [keyed10, keyed100k] = await alternate(rounds, () => keyedStart(Ours, { queued: 10 }), () => keyedStart(Ours, { queued: 100_000 }));
  log('keyed queue');
  const times = {
    n,
    ttl: [await ttlExpiry(Ours, n), await ttlExpiry(Reference, n)],
    wake: [await wakeLatency(Ours), await wakeLatency(Reference)],
  };
  return {
    rows,
    mem,
    cycles,
    times,
    output: { list: [list, listReference], stream: [stream, streamReference], fanout: [fan, fanPeer] },
    burst: { ours: burstOurs, reference: burstReference },
    launch: [launchOurs, launchPeer],
    keyed: [keyed10, keyed100k],
  };
}
