// Durability under SIGKILL: a child process (child.ts) runs 1,000 launched
// tasks on one Deno KV and is killed at random moments, 20 times; after each
// kill, every task whose launch it saw stored is still there, every task
// whose notification it delivered is final with that status and its result,
// and at the end every notice has been delivered at least once, duplicates
// with the same notificationId. Run on a local KV path, and on a denokv
// server (DENOKV=path/to/denokv) that is restarted too.
import { assert, BackgroundManager, denokvServer, jsonLines } from "./helpers.ts";
import type { TaskNotification } from "../../pkg/durable/background_manager.js";

const N = 1000;
const ROUNDS = 20;
const here = new URL(".", import.meta.url).pathname;

type Line = { launched?: string; notice?: TaskNotification; done?: boolean; round?: number };

const lines = (log: string) => jsonLines<Line>(log);

function child(where: string, log: string, env: Record<string, string>) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--unstable-kv", "-A", `${here}child.ts`, where, log, String(N)],
    env,
    stdout: "null",
    stderr: "inherit",
  }).spawn();
}

/** Opens the store as the next process would and checks it against the log. */
async function verify(where: string, log: string, round: string) {
  const kv = await Deno.openKv(where);
  // A runner that never ends: nothing resumed here finishes here.
  const m = new BackgroundManager({ store: { kv }, runner: () => new Promise(() => {}) });
  await m.initialize({ id: "parent", getStatus: () => "running", sendMessage: () => Promise.reject(new Error("not now")) });
  const all = new Map((await m.getAllTasks()).map((t) => [t.id, t]));
  const history = (id: string) =>
    JSON.stringify(lines(log).filter((l) => l.launched === id || l.notice?.taskId === id || l.round !== undefined));
  for (const line of lines(log)) {
    if (line.launched) assert.ok(all.has(line.launched), `${round}: ${line.launched} was launched and stored, then lost`);
    const n = line.notice;
    if (n) {
      const t = all.get(n.taskId);
      assert.ok(t, `${round}: ${n.taskId} was notified, then lost`);
      assert.equal(t!.status, n.status, `${round}: ${n.taskId} was notified ${n.status}, is ${t!.status}: ${history(n.taskId)}`);
      if (n.status === "completed") assert.equal(t!.result, `r:${n.taskId}`);
    }
  }
  await m.cleanup();
  m.free();
  kv.close();
  return all.size;
}

async function run(where: string, log: string, env: Record<string, string>, restartServer?: () => Promise<void>) {
  for (let round = 0; round < ROUNDS; round++) {
    const p = child(where, log, env);
    await new Promise((r) => setTimeout(r, 250 + Math.random() * 900));
    try {
      p.kill("SIGKILL");
    } catch {
      // It finished first.
    }
    await p.status;
    Deno.writeTextFileSync(log, JSON.stringify({ round }) + "\n", { append: true });
    if (restartServer && round % 5 === 4) await restartServer();
    await verify(where, log, `round ${round}`);
  }
  // A last life that runs to the end.
  const p = child(where, log, env);
  const status = await p.status;
  assert.ok(status.success, "the last child runs to the end");
  const size = await verify(where, log, "the end");
  assert.equal(size, N, "every task is there");
  const all = lines(log);
  assert.ok(all.some((l) => l.done));
  const ids = new Map<string, Set<string>>();
  for (const l of all) {
    if (!l.notice) continue;
    const set = ids.get(l.notice.taskId) ?? new Set();
    set.add(l.notice.notificationId!);
    ids.set(l.notice.taskId, set);
  }
  for (let i = 0; i < N; i++) {
    const set = ids.get(`t${i}`);
    assert.ok(set, `t${i} was never notified`);
    assert.equal(set!.size, 1, `t${i}'s duplicates carry one notificationId: ${JSON.stringify(all.filter((l) => l.launched === `t${i}` || l.notice?.taskId === `t${i}` || l.round))}`);
  }
  const dupes = all.filter((l) => l.notice).length - N;
  console.log(`  ${ROUNDS} kills: ${N} tasks, every one final and notified; ${dupes} duplicate notices`);
}

Deno.test({
  name: "1,000 tasks on a local Deno KV survive 20 SIGKILLs",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "bm-kill-" });
    await run(`${dir}/kv.sqlite3`, `${dir}/log.jsonl`, {});
  },
});

const denokv = Deno.env.get("DENOKV");
Deno.test({
  name: "1,000 tasks on a denokv server survive 20 SIGKILLs and server restarts",
  ignore: !denokv,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "bm-denokv-" });
    const server = denokvServer(denokv!, dir);
    await server.start();
    try {
      await run(server.url, `${dir}/log.jsonl`, server.env, async () => {
        await server.stop();
        await server.start();
      });
    } finally {
      await server.stop();
    }
  },
});
