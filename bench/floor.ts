// What a single read costs at the least, against the plain-JS manager: our
// getTask, theirs, and the wall-clock read every one of our calls makes
// (SPEC §6: a deadline counts at its time even when its timer is late).
//   deno run --quiet --allow-read bench/floor.ts
import init, { BackgroundManager } from "../pkg/background_manager.js";
import { ReferenceManager } from "./reference.js";
import { median } from "./workloads.js";

await init();
const N = 10_000;
const session = { id: "s", getStatus: async () => "running", sendMessage() {} };

interface Manager {
  initialize(session: unknown): Promise<unknown>;
  createTask(options: { options: unknown }): Promise<{ id: string }>;
  getTask(id: string): Promise<unknown>;
  cleanup(): Promise<unknown>;
}

async function filled(M: new (options: object) => Manager) {
  const m = new M({ pollInterval: 3_600_000, taskTTL: 3_600_000 });
  await m.initialize(session);
  const ids: string[] = [];
  for (let i = 0; i < N; i++) ids.push((await m.createTask({ options: { agent: "default", prompt: `Task ${i}` } })).id);
  return { m, ids };
}

/** ns per call of `f` over the N ids, median of 15 rounds. */
function ns(f: (id: string) => unknown, ids: string[]) {
  const rounds = [];
  for (let r = 0; r < 15; r++) {
    const t = performance.now();
    for (const id of ids) f(id);
    rounds.push(((performance.now() - t) * 1e6) / ids.length);
  }
  return median(rounds);
}

const ours = await filled(BackgroundManager as unknown as new (options: object) => Manager);
const plain = await filled(ReferenceManager as unknown as new (options: object) => Manager);
let sink = 0;
const rows = [
  ["getTask, ours (not awaited)", ns((id) => ours.m.getTask(id), ours.ids)],
  ["getTask, plain JS (not awaited)", ns((id) => plain.m.getTask(id), plain.ids)],
  ["Date.now()", ns(() => (sink += Date.now()), ours.ids)],
  ["performance.now()", ns(() => (sink += performance.now()), ours.ids)],
] as const;
console.log(`Floor of one read at ${N} tasks, ns per call (median of 15 rounds)`);
for (const [what, n] of rows) console.log(`${what.padEnd(34)} ${n.toFixed(1).padStart(7)}`);
console.log(`ratio plain / ours ${(rows[1][1] / rows[0][1]).toFixed(2)}×; the clock alone is ${(rows[2][1] / rows[1][1] * 100).toFixed(0)}% of plain JS's whole call`);
void sink;
await ours.m.cleanup();
await plain.m.cleanup();
