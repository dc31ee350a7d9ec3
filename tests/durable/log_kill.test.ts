// The durable log keeps its numbers across a SIGKILL: a child process
// (log_child.ts) streams output into two tasks while a watcher records every
// entry it sees; it is killed mid-stream, after which the store holds the log
// only up to its last save. The next process must never give a seq a reader
// saw to different content, and a reader that goes on from the last seq it
// saw must reach the task's final entry (through a gap for what was lost).
// Run on a local KV path, and on a denokv server (DENOKV=path/to/denokv).
import { assert, BackgroundManager, denokvServer, eventually, jsonLines, sleep } from "./helpers.ts";
import type { TaskLogEntry } from "../../pkg/durable/background_manager.js";

const here = new URL(".", import.meta.url).pathname;
type Line = { id: string; entry: TaskLogEntry };

/** What a seq held, as far as a reader can tell two entries apart. */
const content = (e: TaskLogEntry) => JSON.stringify({ ...e, at: undefined });

async function killMidStream(where: string, env: Record<string, string>) {
  const log = await Deno.makeTempFile({ suffix: ".jsonl" });
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--unstable-kv", "-A", `${here}log_child.ts`, where, log],
    env,
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  // Well past a save (every 250 ms), and then some more unsaved output.
  await eventually("60 chunks of each task seen", () => {
    const seen = jsonLines<Line>(log).filter((l) => l.entry.type === "output");
    return ["a", "b"].every((id) => seen.filter((l) => l.id === id).length >= 60);
  }, 20_000);
  await sleep(Math.random() * 200);
  child.kill("SIGKILL");
  await child.status;
  const seen = jsonLines<Line>(log);
  await Deno.remove(log);

  const kv = await Deno.openKv(where);
  let writes = 0;
  const m = new BackgroundManager({
    store: { kv },
    // "b" runs again: three more chunks, then it completes.
    runner: async ({ write }) => {
      for (; writes < 3; writes++) write(`again ${writes}\n`);
      await sleep(20);
      return "done";
    },
  });
  await m.initialize({ id: "s", getStatus: () => "running", sendMessage: () => {} });
  try {
    for (const [id, final] of [["a", "interrupted"], ["b", "completed"]]) {
      const before = new Map(seen.filter((l) => l.id === id).map((l) => [l.entry.seq, content(l.entry)]));
      const lastSeen = Math.max(...before.keys());
      assert.ok(lastSeen >= 60, `${id}: the child's reader saw ${lastSeen} entries`);
      // Going on from the last seq seen: past it, and on to the final entry.
      const after: TaskLogEntry[] = [];
      for await (const e of m.watch(id, { from: lastSeen })) after.push(e);
      assert.ok(after.length > 0, `${id}: nothing after seq ${lastSeen}`);
      assert.ok(after.every((e) => e.seq > lastSeen), `${id}: a seq at or before ${lastSeen} again: ${JSON.stringify(after[0])}`);
      const end = after.at(-1)!;
      assert.ok(end.type === "status" && end.status === final, `${id} ends ${final}: ${JSON.stringify(after)}`);
      // Where the restart lost what the reader saw, the reader learns it.
      const stored = await m.readLog(id);
      const kept = new Map(stored.entries.filter((e) => e.type !== "gap").map((e) => [e.seq, content(e)]));
      const lost = [...before.keys()].filter((s) => !kept.has(s));
      if (lost.length > 0) assert.equal(after[0].type, "gap", `${id}: seqs ${lost[0]}..${lost.at(-1)} lost without a gap`);
      // No seq stands for two different entries.
      for (const [s, text] of before) {
        if (kept.has(s)) assert.equal(kept.get(s), text, `${id}: seq ${s} was ${text}, is ${kept.get(s)}`);
      }
      for (const e of after) {
        if (e.type !== "gap" && before.has(e.seq)) assert.equal(content(e), before.get(e.seq), `${id}: seq ${e.seq} twice`);
      }
    }
  } finally {
    await m.cleanup();
    m.free();
    kv.close();
  }
}

Deno.test("the log keeps its numbers across a SIGKILL mid-stream, on a local KV path", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (let round = 0; round < 3; round++) await killMidStream(`${dir}/kv-${round}.sqlite3`, {});
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

const DENOKV = Deno.env.get("DENOKV");
Deno.test({
  name: "the log keeps its numbers across a SIGKILL mid-stream, on a denokv server",
  ignore: DENOKV === undefined,
  async fn() {
    const dir = await Deno.makeTempDir();
    const server = denokvServer(DENOKV!, dir);
    await server.start();
    try {
      await killMidStream(server.url, server.env);
    } finally {
      await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
