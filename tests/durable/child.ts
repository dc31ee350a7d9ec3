// One life of a process that runs launched tasks on a durable store, for
// kill.test.ts: it loads the store, launches whichever of t0..t{N-1} the
// store does not have, and runs them; the test kills it with SIGKILL at a
// random moment. Every launch it saw stored and every notification it
// delivered is appended to the log first, synchronously, so the log holds
// what this process knew before it died.
//   deno run --unstable-kv -A child.ts <kv path or URL> <log> <N> [ms per task]
import init, { BackgroundManager } from "../../pkg/durable/background_manager.js";

await init();
const [where, log, n, per = "20"] = Deno.args;
const count = Number(n);
const kv = await Deno.openKv(where);
const append = (line: object) =>
  Deno.writeTextFileSync(log, JSON.stringify(line) + "\n", { append: true });

const m = new BackgroundManager({
  store: { kv },
  maxConcurrent: 40,
  notifyRetry: { attempts: 5, initialDelay: 50, maxDelay: 500 },
  runner: async ({ taskId, write, signal }) => {
    const steps = 3;
    for (let i = 0; i < steps; i++) {
      write(`${taskId} step ${i}\n`);
      await new Promise((r) => setTimeout(r, Math.random() * Number(per) / steps));
      if (signal.aborted) throw new Error("aborted");
    }
    // Every tenth task fails, so both final statuses are exercised.
    if (Number(taskId!.slice(1)) % 10 === 9) throw new Error(`failed ${taskId}`);
    return `r:${taskId}`;
  },
});
await m.initialize({
  id: "parent",
  getStatus: () => "running",
  sendMessage: (msg) => {
    append({ notice: msg });
  },
});
const launches = [];
for (let i = 0; i < count; i++) {
  const id = `t${i}`;
  if ((await m.getTask(id)) !== null) continue;
  // Odd ids resume after a restart; even ones end interrupted.
  launches.push(
    m.launch({ id, agent: "worker", prompt: `task ${i}`, resume: i % 2 === 1 })
      .then(() => append({ launched: id })),
  );
}
await Promise.all(launches);
// Run until every task is final and every notice is delivered.
while (
  (await m.getAllTasks("running")).length + (await m.getAllTasks("queued")).length > 0 ||
  (await m.getPendingNotifications()).length > 0
) {
  await new Promise((r) => setTimeout(r, 20));
}
append({ done: true });
await m.cleanup();
m.free();
kv.close();
