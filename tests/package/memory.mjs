// Memory comes back at the TTL in Deno and Node (SPEC §6), with no call to
// the manager after the work: evicted tasks' options, results and output
// are let go at their time, and so is what 50,000 force-cancelled launches
// held. The scenarios, for both runtimes: tests/deno/memory.test.ts runs
// them in Deno on pkg/, tests/package/memory.test.mjs in Node on the
// installed package; both with gc() exposed. No timing is asserted: each
// waits, with slack, for what it expects.
import assert from 'node:assert/strict';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(what, done, ms) {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const session = { id: 'memory', getStatus: () => 'running', sendMessage: () => {} };

/**
 * Two tasks whose options and results are 1 MiB objects and whose output is
 * 1 MiB, held only by the manager: after their TTL, with no call, WeakRefs
 * to the objects are cleared by gc() and the output's heap is given back.
 * `host`: { gc, heapUsed }.
 */
export async function evictedTasksLetGo(BackgroundManager, { gc, heapUsed }) {
  const ttl = 3000;
  const refs = [];
  const held = (value) => (refs.push(new WeakRef(value)), value);
  const mebibyte = () => held(new Float64Array(1 << 17));
  const manager = new BackgroundManager({
    taskTTL: ttl,
    runner: async ({ write }) => {
      write('x'.repeat(1 << 20));
      return mebibyte();
    },
  });
  try {
    await manager.initialize(session);
    // In a function of its own, so that nothing here holds what it makes.
    await (async () => {
      await manager.createTask({ id: 'made', options: mebibyte() });
      await manager.completeTask('made', mebibyte());
      await manager.launch({ id: 'ran', agent: 'a', prompt: 'p', options: mebibyte() });
      const out = await manager.getOutput('ran', { wait: true, timeout: 10_000 });
      assert.equal(out.status, 'completed');
      assert.equal(out.output.length, 1 << 20);
    })();
    const heap = () => (gc(), gc(), heapUsed());
    // Held while the tasks are there (the TTL leaves seconds of slack).
    gc();
    assert.equal(refs.length, 4);
    assert.ok(refs.every((r) => r.deref() !== undefined), 'the manager holds its tasks\' values');
    const alive = heap();
    // From here on nothing calls the manager.
    await eventually("the evicted tasks' options and results collected", () => {
      gc();
      return refs.every((r) => r.deref() === undefined);
    }, ttl + 15_000);
    const freed = alive - heap();
    assert.ok(freed > 1 << 19, `the output's heap given back: ${freed} bytes freed`);
  } finally {
    await manager.cleanup();
    manager.free();
  }
}

/**
 * 50,000 launches, each force-cancelled: what they hold on the JS heap is
 * given back after their TTL with no call. The first round grows the
 * manager's tables to their size (which they keep), so the second measures
 * only what its tasks hold.
 */
export async function cancelledLaunchesLetGo(BackgroundManager, { gc, heapUsed }, n = 50_000) {
  const ttl = 3000;
  const manager = new BackgroundManager({
    taskTTL: ttl,
    runner: ({ signal }) => new Promise((resolve) => signal.addEventListener('abort', () => resolve(null), { once: true })),
  });
  const heap = () => (gc(), gc(), heapUsed());
  const round = async () => {
    for (let i = 0; i < n; i++) {
      const { id } = await manager.launch({ agent: 'a', prompt: 'p' });
      const { status } = await manager.cancelTask(id, { force: true });
      assert.equal(status, 'cancelled');
    }
  };
  try {
    await manager.initialize(session);
    await round();
    // Whatever evicts them, the first round's tasks are gone after this call.
    await sleep(ttl);
    assert.equal((await manager.getAllTasks()).length, 0);
    const base = heap();
    await round();
    // The tasks of the last TTL are still there (all of them on a fast
    // machine), and the measure sees them: tens of bytes each at least.
    const live = (await manager.getAllTasks()).length;
    assert.ok(live > 1000, `${live} tasks left`);
    const held = heap() - base;
    assert.ok(held > live * 20, `${live} cancelled tasks hold ${held} bytes`);
    // From here on nothing calls the manager.
    await eventually(`the heap given back (${n} tasks held ${held} bytes)`, () => heap() - base < held / 4, ttl + 20_000);
  } finally {
    await manager.cleanup();
    manager.free();
  }
}
