// 10k rounds of create → complete → get through the ES module (pkg/) and
// through the component as jco transpiles it (target/component-js, driven
// by tests/component/host.mjs as a JS host drives it), in alternating
// rounds in one process; the same in Deno and Node:
//   node bench/component.mjs [N]      deno run --allow-read bench/component.mjs [N]
// The wasmtime figure comes from the Rust host (`scripts/bench.sh`).
import init, { BackgroundManager } from '../pkg/background_manager.js';
import { manager } from '../target/component-js/background_manager.js';
import { openManager } from '../tests/component/host.mjs';

const isDeno = typeof Deno !== 'undefined';
const args = isDeno ? Deno.args : process.argv.slice(2);
const n = Number(args[0] ?? 10_000);
const wasm = new URL('../pkg/background_manager_bg.wasm', import.meta.url);
const bytes = isDeno ? await Deno.readFile(wasm) : await (await import('node:fs/promises')).readFile(wasm);
await init({ module_or_path: bytes });

const session = { id: 's', getStatus: () => 'running', sendMessage: () => {} };
const noRunner = () => new Promise(() => {});
const hosts = {
  'ES module': () => new BackgroundManager({ runner: noRunner }),
  'component (jco)': () => openManager(manager, {}, { runner: noRunner }),
};

async function round(make, tag) {
  const m = make();
  await m.initialize(session);
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const id = `${tag}-${i}`;
    await m.createTask({ id, options: { i } });
    await m.completeTask(id, true);
    const t = await m.getTask(id);
    if (t.status !== 'completed') throw new Error(`${id} is ${t.status}`);
  }
  const us = ((performance.now() - started) * 1000) / n;
  await m.cleanup();
  return us;
}

const best = Object.fromEntries(Object.keys(hosts).map((k) => [k, Infinity]));
for (let r = 0; r < 5; r++) {
  for (const [name, make] of Object.entries(hosts)) {
    best[name] = Math.min(best[name], await round(make, `r${r}`));
  }
}
const runtime = isDeno ? `Deno ${Deno.version.deno}` : `Node ${process.versions.node}`;
for (const [name, us] of Object.entries(best)) {
  console.log(`${runtime}: ${n} × create → complete → get, ${name}: ${us.toFixed(2)} µs per round (best of 5)`);
}
console.log(`${runtime}: component / ES module: ${(best['component (jco)'] / best['ES module']).toFixed(2)}×`);
