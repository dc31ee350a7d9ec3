// Several Deno processes sharing one manager (`shared` on a KV store), on a
// denokv server started here on 127.0.0.1 (DENOKV=path/to/denokv), and on a
// local KV path. Each process is process.ts. Printed: tasks per second with
// one process and with three, and the failover time after the owner is
// killed with SIGKILL.
import { assert, BackgroundManager, denokvServer, jsonLines } from "./helpers.ts";
import type { TaskNotification } from "../../pkg/durable/background_manager.js";

const here = new URL(".", import.meta.url).pathname;
const LEASE = 1000;

type Line = { notice?: TaskNotification; owner?: number; follows?: string; at?: number; ready?: number; start?: number; final?: number };

const lines = (log: string) => jsonLines<Line>(log);

function spawn(where: string, log: string, from: number, to: number, env: Record<string, string>) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--unstable-kv", "-A", `${here}process.ts`, where, log, String(from), String(to), String(LEASE)],
    env,
    stdout: "null",
    stderr: "inherit",
  }).spawn();
}

async function until(what: string, ok: () => boolean, ms: number) {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A denokv server, started. */
async function server(denokv: string, dir: string) {
  const s = denokvServer(denokv, dir);
  await s.start();
  return s;
}

/**
 * Every task of t0..t{n-1} completed with its result, and notified once.
 * Returns how many notices were delivered twice, and the ms a manager took
 * to load the store (what a new owner does before it owns).
 */
async function verify(where: string, env: Record<string, string>, logs: string[], n: number) {
  for (const [k, v] of Object.entries(env)) Deno.env.set(k, v);
  const kv = await Deno.openKv(where);
  const m = new BackgroundManager({ store: { kv }, runner: () => new Promise(() => {}) });
  const t0 = performance.now();
  await m.initialize({ id: "parent", getStatus: () => "running", sendMessage: () => new Promise(() => {}) });
  const load = performance.now() - t0;
  const all = new Map((await m.getAllTasks()).map((t) => [t.id, t]));
  await m.cleanup();
  m.free();
  kv.close();
  const ids = new Map<string, Set<string>>();
  let delivered = 0;
  for (const log of logs) {
    for (const l of lines(log)) {
      if (!l.notice) continue;
      delivered++;
      assert.equal(l.notice.status, "completed", `${l.notice.taskId} was notified ${l.notice.status}`);
      const set = ids.get(l.notice.taskId) ?? new Set();
      set.add(l.notice.notificationId!);
      ids.set(l.notice.taskId, set);
    }
  }
  for (let i = 0; i < n; i++) {
    const t = all.get(`t${i}`);
    assert.ok(t, `t${i} is not in the store`);
    assert.equal(t!.status, "completed", `t${i} is ${t!.status}`);
    assert.equal(t!.result, `r:t${i}`);
    const set = ids.get(`t${i}`);
    assert.ok(set, `t${i} was never notified`);
    assert.equal(set!.size, 1, `t${i} was notified as ${set!.size} transitions`);
  }
  assert.equal(all.size, n, "no task made twice");
  return { twice: delivered - n, load };
}

/** The tasks notified so far, in any of `logs`. */
function notified(logs: string[]) {
  const ids = new Set<string>();
  for (const log of logs) for (const l of lines(log)) if (l.notice) ids.add(l.notice.taskId);
  return ids;
}

/** `n` tasks launched from `procs` processes; their tasks per second. */
async function throughput(where: string, env: Record<string, string>, dir: string, n: number, procs: number) {
  const logs = [...Array(procs)].map((_, i) => `${dir}/speed-${procs}-${i}.jsonl`);
  const per = Math.ceil(n / procs);
  const ps = logs.map((log, i) => spawn(where, log, i * per, Math.min(n, (i + 1) * per), env));
  try {
    await until("every process's tasks final", () => logs.every((l) => lines(l).some((x) => x.final)), 240_000);
    // A notice goes out once its transition is stored, after the waits.
    await until("every task notified", () => notified(logs).size === n, 60_000);
  } finally {
    for (const p of ps) p.kill("SIGKILL");
    await Promise.all(ps.map((p) => p.status));
  }
  const start = Math.min(...logs.map((l) => lines(l).find((x) => x.start)!.start!));
  const end = Math.max(...logs.map((l) => lines(l).find((x) => x.final)!.final!));
  await verify(where, env, logs, n);
  return (n / (end - start)) * 1000;
}

/**
 * Three processes launch `n` tasks; the owner is killed mid-run and one
 * started in its place carries on its range. Returns the failover time.
 */
async function failover(where: string, env: Record<string, string>, dir: string, n: number) {
  const logs = [0, 1, 2].map((i) => `${dir}/kill-${i}.jsonl`);
  const per = Math.ceil(n / 3);
  const range = (i: number): [number, number] => [i * per, Math.min(n, (i + 1) * per)];
  const ps = logs.map((log, i) => spawn(where, log, ...range(i), env));
  const notices = () => logs.reduce((k, l) => k + lines(l).filter((x) => x.notice).length, 0);
  let replacement: Deno.ChildProcess | null = null;
  try {
    await until("a third of the tasks notified", () => notices() >= n / 3, 240_000);
    const owner = logs.findIndex((l) => lines(l).some((x) => x.owner));
    assert.ok(owner >= 0, "a process owns the manager");
    ps[owner].kill("SIGKILL");
    await ps[owner].status;
    const killed = Date.now();
    const log = `${dir}/kill-3.jsonl`;
    replacement = spawn(where, log, ...range(owner), env);
    logs.push(log);
    let took = 0;
    await until("another process owning the manager", () => {
      for (const l of logs) for (const x of lines(l)) if (x.owner && x.owner > killed) took = x.owner - killed;
      return took > 0;
    }, 30_000);
    const survivors = logs.filter((_, i) => i !== owner);
    await until("every survivor's tasks final", () => survivors.every((l) => lines(l).some((x) => x.final)), 240_000);
    await until("every task notified", () => notified(logs).size === n, 60_000);
    const { twice, load } = await (async () => {
      for (const p of [...ps, replacement!]) {
        try {
          p.kill("SIGKILL");
        } catch {
          // Gone already.
        }
      }
      await Promise.all([...ps, replacement!].map((p) => p.status));
      return verify(where, env, logs, n);
    })();
    console.log(`  ${n} tasks from 3 processes, the owner killed mid-run: each final and notified once (${twice} notices delivered twice); failover ${took} ms (lease ${LEASE} ms; loading the store alone takes ${load.toFixed(0)} ms)`);
    // The lease is taken within a renewal period and a margin after its
    // term, and the new owner loads the store before it counts as owning.
    assert.ok(took < LEASE * 1.45 + 3000, `failover took ${took} ms`);
    return took;
  } finally {
    for (const p of [...ps, ...(replacement ? [replacement] : [])]) {
      try {
        p.kill("SIGKILL");
      } catch {
        // Gone already.
      }
    }
  }
}

const denokv = Deno.env.get("DENOKV");

Deno.test({
  name: "three processes on one denokv server: 10,000 tasks each final once, the owner killed with SIGKILL and taken over; tasks per second with 1 and 3 processes",
  ignore: !denokv,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "bm-procs-" });
    for (const [procs, sub] of [[1, "one"], [3, "three"]] as const) {
      await Deno.mkdir(`${dir}/${sub}`);
      const s = await server(denokv!, `${dir}/${sub}`);
      try {
        const rate = await throughput(s.url, s.env, `${dir}/${sub}`, 3000, procs);
        console.log(`  denokv, ${procs} process${procs > 1 ? "es" : ""}: ${rate.toFixed(0)} tasks/s (3,000 tasks)`);
      } finally {
        await s.stop();
      }
    }
    await Deno.mkdir(`${dir}/kill`);
    const s = await server(denokv!, `${dir}/kill`);
    try {
      await failover(s.url, s.env, `${dir}/kill`, 10_000);
    } finally {
      await s.stop();
    }
  },
});

Deno.test({
  name: "three processes on one local KV path: the owner killed with SIGKILL and taken over, each task final once",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "bm-procs-local-" });
    const rate1 = await throughput(`${dir}/one.sqlite3`, {}, dir, 3000, 1);
    const rate3 = await throughput(`${dir}/three.sqlite3`, {}, dir, 3000, 3);
    console.log(`  local KV: ${rate1.toFixed(0)} tasks/s with 1 process, ${rate3.toFixed(0)} with 3 (3,000 tasks)`);
    await failover(`${dir}/kill.sqlite3`, {}, dir, 3000);
  },
});

// On a denokv server: a process stopped on a local KV path may hold the
// SQLite file's lock, which stops every other process too.
Deno.test({
  name: "an owner stopped (SIGSTOP) past its lease is taken over; when it goes on it follows, its late writes refused, and each task is final once",
  ignore: !denokv,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "bm-procs-stop-" });
    const s = await server(denokv!, dir);
    const where = s.url;
    const [a, b] = [`${dir}/a.jsonl`, `${dir}/b.jsonl`];
    // Tasks long enough that some are running when the owner stops.
    const env = { ...s.env, TASK_MS: "300" };
    const pa = spawn(where, a, 0, 300, env);
    const ps = [pa];
    try {
      await until("the first process owning the manager", () => lines(a).some((x) => x.owner), 30_000);
      const pb = spawn(where, b, 300, 600, env);
      ps.push(pb);
      await until("the second process following", () => lines(b).some((x) => x.ready), 30_000);
      await until("some tasks notified", () => lines(a).filter((x) => x.notice).length >= 50, 30_000);
      pa.kill("SIGSTOP");
      const stopped = Date.now();
      await until("the second process taking over", () => lines(b).some((x) => x.owner && x.owner > stopped), 30_000);
      pa.kill("SIGCONT");
      const resumed = Date.now();
      await until("the first process following the second", () => lines(a).some((x) => x.follows && x.at! > resumed), 30_000);
      await until("both processes' tasks final", () => [a, b].every((l) => lines(l).some((x) => x.final)), 120_000);
      await until("every task notified", () => notified([a, b]).size === 600, 60_000);
      const alive = await Promise.race([Promise.all(ps.map((p) => p.status)).then(() => false), new Promise((r) => setTimeout(() => r(true), 500))]);
      assert.ok(alive, "both processes are still running");
      for (const p of ps) p.kill("SIGKILL");
      await Promise.all(ps.map((p) => p.status));
      const { twice } = await verify(where, s.env, [a, b], 600);
      console.log(`  taken over ${lines(b).find((x) => x.owner)!.owner! - stopped} ms after the owner stopped (lease ${LEASE} ms); ${twice} notices delivered twice`);
    } finally {
      for (const p of ps) {
        try {
          p.kill("SIGKILL");
        } catch {
          // Gone already.
        }
      }
      await s.stop();
    }
  },
});
