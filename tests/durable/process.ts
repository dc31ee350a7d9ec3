// One of several processes sharing a manager on one Deno KV, for
// processes.test.ts. It joins `shared: "procs"`, launches t<from>..t<to-1>
// (whichever the manager does not have yet: a process started in place of
// a killed one carries on its range), waits for each to be final, and
// stays until killed, since as owner it may be running others' tasks.
// Appended to the log, synchronously: each notice it delivered, when it
// became owner, when its launches were all final.
//   deno run --unstable-kv -A process.ts <kv path or URL> <log> <from> <to> <lease ms>
import init, { BackgroundManager } from "../../pkg/durable/background_manager.js";

await init();
const [where, log, from, to, lease] = Deno.args;
const kv = await Deno.openKv(where);
const append = (line: object) => Deno.writeTextFileSync(log, JSON.stringify(line) + "\n", { append: true });

const m = new BackgroundManager({
  store: { kv },
  shared: "procs",
  sharedLease: Number(lease),
  maxConcurrent: 200,
  notifyRetry: { attempts: 5, initialDelay: 50, maxDelay: 500 },
  runner: async ({ taskId }) => {
    await new Promise((r) => setTimeout(r, Number(Deno.env.get("TASK_MS") ?? 5)));
    return `r:${taskId}`;
  },
});
m.onOwner((e) => {
  if (e.self) append({ owner: Date.now() });
  else append({ follows: e.owner, at: Date.now() });
});
await m.initialize({
  id: "parent",
  getStatus: () => "running",
  sendMessage: (msg) => append({ notice: msg }),
});
append({ ready: Date.now() });
const ids = [];
for (let i = Number(from); i < Number(to); i++) ids.push(`t${i}`);
// Launched a few hundred at a time: a forwarded call is one message in a
// batch, and the owner answers them in batches.
const started = Date.now();
for (let i = 0; i < ids.length; i += 500) {
  await Promise.all(ids.slice(i, i + 500).map(async (id) => {
    if ((await m.getTask(id)) !== null) return;
    try {
      await m.launch({ id, agent: "worker", prompt: id, resume: true });
    } catch (e) {
      // Launched already, by the life of this range before a kill.
      if ((e as { code?: string }).code !== "DUPLICATE_ID") throw e;
    }
  }));
}
append({ launched: Date.now() - started, start: started });
// Final, each: waited for through the owner, wherever it is.
for (let i = 0; i < ids.length; i += 500) {
  await Promise.all(ids.slice(i, i + 500).map((id) => m.getOutput(id, { wait: true })));
}
append({ final: Date.now(), ms: Date.now() - started });
await new Promise(() => {});
