// The durable build's costs, the same in Deno and in Chromium: a transition
// (createTask, then completeTask, each awaited, so each waits for its
// write) and a burst of the same not awaited one by one, for the default
// build in memory and the durable build on each store; then the time
// initialize() takes to load `load` stored tasks. Rounds alternate between
// the setups; medians are reported.
const session = () => ({ id: 's', getStatus: () => 'running', sendMessage: () => {} });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function sequential(m, n) {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    await m.createTask({ id: `t${i}`, options: { i } });
    await m.completeTask(`t${i}`, { ok: i });
  }
  return ((performance.now() - start) * 1000) / (2 * n);
}

async function burst(m, n) {
  const start = performance.now();
  const all = [];
  for (let i = 0; i < n; i++) {
    all.push(m.createTask({ id: `t${i}`, options: { i } }).then(() => m.completeTask(`t${i}`, { ok: i })));
  }
  await Promise.all(all);
  return ((performance.now() - start) * 1000) / (2 * n);
}

/**
 * setups: { name: async () => ({ make: () => manager options-bound ctor result, done }) }
 * Each setup gives a fresh empty store per round.
 */
export async function runDurable({ setups, n, rounds, load, loadStore }) {
  const lines = [];
  const results = {};
  for (let r = 0; r < rounds; r++) {
    for (const [name, setup] of Object.entries(setups)) {
      results[name] ??= { seq: [], burst: [] };
      for (const [kind, body] of [['seq', sequential], ['burst', burst]]) {
        const { make, done } = await setup();
        const m = make();
        await m.initialize(session());
        results[name][kind].push(await body(m, n));
        await m.cleanup();
        m.free();
        await done();
      }
    }
  }
  lines.push(`durable: µs per transition, ${n} tasks x 2 transitions, median of ${rounds} alternating rounds`);
  const base = median(results[Object.keys(results)[0]].seq);
  for (const [name, r] of Object.entries(results)) {
    const seq = median(r.seq);
    lines.push(`  ${name.padEnd(36)} awaited each ${seq.toFixed(1).padStart(8)} µs (${(seq / base).toFixed(1)}x)   burst ${median(r.burst).toFixed(1).padStart(7)} µs`);
  }
  // Loading: `load` tasks stored, half final, all with output.
  const { make, done } = await loadStore();
  {
    const m = make();
    await m.initialize(session());
    const all = [];
    for (let i = 0; i < load; i++) {
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
  for (let r = 0; r < rounds; r++) {
    const m = make();
    const start = performance.now();
    await m.initialize(session());
    loads.push(performance.now() - start);
    const count = (await m.getAllTasks()).length;
    if (count !== load) throw new Error(`loaded ${count} of ${load} tasks`);
    await m.cleanup();
    m.free();
  }
  await done();
  lines.push(`  initialize() loading ${load} stored tasks: ${median(loads).toFixed(0)} ms (median of ${rounds})`);
  return lines.join('\n');
}
