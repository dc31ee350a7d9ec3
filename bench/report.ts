// Printing the benchmark figures as aligned tables.
type Row = { workload: string; n: number; ours: number; reference: number; ratio: number };

const pad = (s: string, n: number, right = false) => (right ? s.padStart(n) : s.padEnd(n));

function table(header: string[], rows: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => pad(c, widths[i], i > 0)).join("  ");
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const r of rows) console.log(line(r));
  console.log();
}

const fmt = (x: number, digits = 2) => (x >= 100 ? x.toFixed(0) : x.toFixed(digits));

export function printSpeed(rows: Row[]) {
  console.log("Speed: µs per operation, median of alternating rounds (ratio = reference / ours; > 1 means ours is faster)");
  table(
    ["workload", "tasks", "ours µs", "plain JS µs", "ratio"],
    rows.map((r) => [r.workload, String(r.n), fmt(r.ours), fmt(r.reference), `${r.ratio.toFixed(2)}×`]),
  );
}

export function printTimes(rows: [string, number, number][]) {
  table(["timing", "ours", "plain JS"], rows.map(([name, a, b]) => [name, fmt(a, 3), fmt(b, 3)]));
}

type Memory = { perTask: number; samples: { cycles: number; bytes: number; tasks: number }[] };

export function printMemory(n: number, cycles: number, ours: Memory, ref: Memory) {
  console.log(`Memory: JS heap + wasm linear memory, after gc`);
  table(
    ["measure", "ours", "plain JS"],
    [
      [`bytes per task, ${n} tasks`, ours.perTask.toFixed(0), ref.perTask.toFixed(0)],
      ...ours.samples.map((s, i) => [
        `MB after ${s.cycles} of ${cycles} cycles (tasks kept)`,
        `${(s.bytes / 2 ** 20).toFixed(1)} (${s.tasks})`,
        `${(ref.samples[i].bytes / 2 ** 20).toFixed(1)} (${ref.samples[i].tasks})`,
      ]),
    ],
  );
}

async function gzipped(path: string): Promise<number> {
  const data = await Deno.readFile(new URL(path, import.meta.url));
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

export async function printSize() {
  const wasm = await gzipped("../pkg/background_manager_bg.wasm");
  const js = await gzipped("../pkg/background_manager.js");
  let snippets = 0;
  for await (const dir of Deno.readDir(new URL("../pkg/snippets/", import.meta.url))) {
    snippets += await gzipped(`../pkg/snippets/${dir.name}/src/bindings/glue.js`);
  }
  console.log(`Size (CompressionStream gzip): .wasm ${wasm} bytes (budget 40960), JS glue ${js} + ${snippets} bytes\n`);
}
