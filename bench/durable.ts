// The durable build's costs in Deno: a transition (createTask then
// completeTask, each awaited, so each waits for its write) in memory, with
// the durable build and no store, and on a local Deno KV; a burst of the
// same without awaiting each; and the time initialize() takes to load 10k
// stored tasks. Rounds alternate; medians printed.
//   deno run --unstable-kv -A bench/durable.ts [--quick]
import initPlain, { BackgroundManager as Plain } from "../pkg/background_manager.js";
import initDurable, { BackgroundManager as Durable } from "../pkg/durable/background_manager.js";

await initPlain();
await initDurable();
const quick = Deno.args.includes("--quick");
const N = quick ? 200 : 1000;
const ROUNDS = quick ? 3 : 5;
const session = () => ({ id: "s", getStatus: () => "running", sendMessage: () => {} });
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function tempKv() {
  const dir = await Deno.makeTempDir({ prefix: "bm-bench-" });
  return await Deno.openKv(`${dir}/kv.sqlite3`);
}

type Make = () => Promise<{ m: { createTask: Function; completeTask: Function; cleanup: Function; free: Function }; done: () => void }>;

const setups: Record<string, Make> = {
  "default build, in memory": async () => {
    const m = new Plain();
    await m.initialize(session());
    return { m, done: () => {} };
  },
  "durable build, Deno KV (local)": async () => {
    const kv = await tempKv();
    const m = new Durable({ store: { kv } });
    await m.initialize(session());
    return { m, done: () => kv.close() };
  },
};

async function sequential(make: Make) {
  const { m, done } = await make();
  const start = performance.now();
  for (let i = 0; i < N; i++) {
    await m.createTask({ id: `t${i}`, options: { i } });
    await m.completeTask(`t${i}`, { ok: i });
  }
  const us = ((performance.now() - start) * 1000) / (2 * N);
  await m.cleanup();
  m.free();
  done();
  return us;
}

async function burst(make: Make) {
  const { m, done } = await make();
  const start = performance.now();
  const all = [];
  for (let i = 0; i < N; i++) {
    all.push(m.createTask({ id: `t${i}`, options: { i } }).then(() => m.completeTask(`t${i}`, { ok: i })));
  }
  await Promise.all(all);
  const us = ((performance.now() - start) * 1000) / (2 * N);
  await m.cleanup();
  m.free();
  done();
  return us;
}

const results: Record<string, { seq: number[]; burst: number[] }> = {};
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, make] of Object.entries(setups)) {
    results[name] ??= { seq: [], burst: [] };
    results[name].seq.push(await sequential(make));
    results[name].burst.push(await burst(make));
  }
}
console.log(`durable: cost per transition, ${N} tasks x 2 transitions, median of ${ROUNDS} alternating rounds`);
for (const [name, r] of Object.entries(results)) {
  console.log(`  ${name.padEnd(34)} awaited each: ${median(r.seq).toFixed(1).padStart(7)} µs   burst: ${median(r.burst).toFixed(1).padStart(7)} µs`);
}

// Loading: 10k tasks stored (final and running, with output), then a new
// manager's initialize().
const LOAD = quick ? 2000 : 10000;
const kv = await tempKv();
{
  const m = new Durable({ store: { kv } });
  await m.initialize(session());
  const all = [];
  for (let i = 0; i < LOAD; i++) {
    all.push(m.createTask({ id: `t${i}`, options: { i } }).then(async () => {
      await m.appendOutput(`t${i}`, `output of t${i}\n`);
      if (i % 2 === 0) await m.completeTask(`t${i}`, { ok: i });
    }));
  }
  await Promise.all(all);
  await m.cleanup();
  m.free();
}
const loads = [];
for (let r = 0; r < ROUNDS; r++) {
  const m = new Durable({ store: { kv } });
  const start = performance.now();
  await m.initialize(session());
  loads.push(performance.now() - start);
  if ((await m.getAllTasks()).length !== LOAD) throw new Error("not every task loaded");
  await m.cleanup();
  m.free();
}
console.log(`  load ${LOAD} stored tasks (initialize) from Deno KV: ${median(loads).toFixed(0)} ms median of ${ROUNDS}`);
kv.close();
