// One life of a process whose runners stream, for log_kill.test.ts: it
// launches tasks "a" (ends interrupted after a restart) and "b" (runs again,
// `resume: true`) unless the store has them, their runners write a chunk every
// 10 ms until stopped, and a watcher of each appends every entry it sees to
// the log, synchronously, before anything else happens: the log holds every
// seq a reader of this process saw before it died.
//   deno run --unstable-kv -A log_child.ts <kv path or URL> <log>
import init, { BackgroundManager } from "../../pkg/durable/background_manager.js";

await init();
const [where, log] = Deno.args;
const kv = await Deno.openKv(where);
const append = (line: object) =>
  Deno.writeTextFileSync(log, JSON.stringify(line) + "\n", { append: true });

const m = new BackgroundManager({
  store: { kv },
  runner: async ({ taskId, write, signal }) => {
    for (let i = 0; !signal.aborted; i++) {
      write(`${taskId} chunk ${i}\n`);
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error("stopped");
  },
});
await m.initialize({ id: "s", getStatus: () => "running", sendMessage: () => {} });
for (const [id, resume] of [["a", false], ["b", true]] as const) {
  if ((await m.getTask(id)) === null) await m.launch({ id, agent: "writer", prompt: id, resume });
  (async () => {
    for await (const e of m.watch(id)) append({ id, entry: e });
  })();
}
