// The benchmarks in Deno, against the plain-JS manager and p-queue:
//   deno run --allow-read --allow-env --v8-flags=--expose-gc bench/deno.ts [--quick]
import init, { BackgroundManager } from "../pkg/background_manager.js";
import PQueue from "npm:p-queue@9.3.5";
import { ReferenceManager } from "./reference.js";
import { all } from "./workloads.js";
import { report } from "./report.js";

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

async function gzipped(path: string): Promise<number> {
  const data = await Deno.readFile(new URL(path, import.meta.url));
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

const size = await gzipped("../pkg/background_manager_bg.wasm");
const result = await all({ Ours: BackgroundManager, Reference: ReferenceManager, PQueue, measure, quick });
console.log(report(result,
  `background-manager benchmarks · Deno ${Deno.version.deno} · ${navigator.hardwareConcurrency} cores · .wasm ${size} bytes by CompressionStream gzip (the 80 KB budget is on gzip -9, printed by make build)`));
