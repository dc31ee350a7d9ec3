// The benchmarks in Deno: speed, TTL expiry, wake-up latency, memory, size.
//   deno run --allow-read --v8-flags=--expose-gc bench/deno.ts [--quick]
import init, { BackgroundManager } from "../pkg/background_manager.js";
import { ReferenceManager } from "./reference.js";
import { memory, speed, ttlExpiry, wakeLatency } from "./workloads.js";
import { printMemory, printSize, printSpeed, printTimes } from "./report.ts";

const quick = Deno.args.includes("--quick");
const exports = await init();
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with --v8-flags=--expose-gc");

const measure = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  return { heap: Deno.memoryUsage().heapUsed, wasm: exports.memory.buffer.byteLength };
};

console.log(`background-manager benchmarks · Deno ${Deno.version.deno} · ${navigator.hardwareConcurrency} cores\n`);
await printSize();
const n = quick ? 20_000 : 100_000;
const cycles = quick ? 100_000 : 1_000_000;
// Memory first: wasm memory never shrinks, so it is measured before the
// speed runs grow it.
const ours = await memory({ Manager: BackgroundManager, n, cycles, measure });
const reference = await memory({ Manager: ReferenceManager, n, cycles, measure });
const rows = await speed({
  Ours: BackgroundManager,
  Reference: ReferenceManager,
  sizes: quick ? [1_000, 10_000] : [1_000, 10_000, 100_000],
  rounds: quick ? 3 : 5,
});
printSpeed(rows);
printTimes([
  [`TTL expiry of ${n} tasks, ms after the deadline`, await ttlExpiry(BackgroundManager, n), await ttlExpiry(ReferenceManager, n)],
  ["completeTask → waiting getOutput resolved, ms", await wakeLatency(BackgroundManager), await wakeLatency(ReferenceManager)],
]);
printMemory(n, cycles, ours, reference);
