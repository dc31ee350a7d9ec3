// The benchmark workloads, run the same way against background-manager and
// the plain-JS reference, in alternating rounds. Works in Deno and browsers.
const session = (onMessage = () => {}) => ({
  id: 'bench-session',
  getStatus: async () => 'running',
  sendMessage: onMessage,
});
const options = (i) => ({ agent: 'default', prompt: `Task ${i}` });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
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

// Each workload: prepare (untimed), then `run` (timed); returns ops done.
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
 * Per-op times (µs) of every workload at every size, medians of alternating rounds.
 * @param {{ Ours: any, Reference: any, sizes: number[], rounds: number, log?: (row: object) => void }} args
 * @returns {Promise<{ workload: string, n: number, ours: number, reference: number, ratio: number }[]>}
 */
export async function speed({ Ours, Reference, sizes, rounds, log }) {
  const rows = [];
  for (const n of sizes) {
    for (const name of Object.keys(WORKLOADS)) {
      const ours = [];
      const ref = [];
      const r = n >= 100_000 ? Math.max(1, Math.ceil(rounds / 2)) : rounds;
      for (let i = 0; i < r; i++) {
        // Alternate which goes first, so warm-up and GC favour neither.
        if (i % 2 === 0) {
          ours.push(await timeOne(Ours, name, n));
          ref.push(await timeOne(Reference, name, n));
        } else {
          ref.push(await timeOne(Reference, name, n));
          ours.push(await timeOne(Ours, name, n));
        }
      }
      const row = { workload: name, n, ours: median(ours), reference: median(ref), ratio: median(ref) / median(ours) };
      rows.push(row);
      log?.(row);
    }
  }
  return rows;
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
