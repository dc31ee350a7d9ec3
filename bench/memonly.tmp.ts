import init, { BackgroundManager } from "../pkg/background_manager.js";
import { ReferenceManager } from "./reference.js";
import { memory } from "./workloads.js";
const exports = await init();
const gc = (globalThis as any).gc;
const measure = async () => { for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 10)); } return { heap: Deno.memoryUsage().heapUsed, wasm: exports.memory.buffer.byteLength }; };
const n = Number(Deno.args[0] ?? 100000);
for (const M of [BackgroundManager, ReferenceManager]) { const b = await measure(); const r = await memory({ Manager: M, n, cycles: 1000, measure }); console.log(M.name, n, r.perTask.toFixed(1)); }
const m = await measure(); console.log('wasm bytes', m.wasm);
