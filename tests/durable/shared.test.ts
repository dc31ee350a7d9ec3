// A manager shared by several managers of one Deno process (`shared`: Deno
// has Web Locks and BroadcastChannel), each standing for a tab: the
// ownership rules under random operations, with an owner leaving at random
// moments and new tabs joining.
import { assert, BackgroundManager, eventually, makeSession, sleep } from "./helpers.ts";

type Tab = { m: BackgroundManager; finals: Map<string, string[]>; ran: string[] };

function tab(kv: Deno.Kv, name: string, runs: { running: number; peak: number }, sharedLease?: number): Tab {
  const ran: string[] = [];
  const m = new BackgroundManager({
    store: { kv },
    shared: name,
    sharedLease,
    maxConcurrent: 2,
    runner: ({ taskId, signal }) =>
      new Promise((resolve, reject) => {
        runs.running++;
        runs.peak = Math.max(runs.peak, runs.running);
        ran.push(taskId!);
        const done = (f: () => void) => {
          runs.running--;
          f();
        };
        const timer = setTimeout(() => done(() => resolve(`done ${taskId}`)), 5 + (taskId!.length % 7));
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          done(() => reject(signal.reason));
        }, { once: true });
      }),
  });
  const finals = new Map<string, string[]>();
  m.subscribe((e) => {
    if (e.type === "status" && ["completed", "error", "cancelled", "interrupted"].includes(e.status)) {
      finals.set(e.taskId, [...(finals.get(e.taskId) ?? []), e.status]);
    }
  });
  return { m, finals, ran };
}

/**
 * Two tabs named `name` on one in-memory KV, both initialized (the first
 * owns); `body` runs with them, then both leave.
 */
async function twoTabs(name: string, body: (owner: Tab, other: Tab) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  const runs = { running: 0, peak: 0 };
  const owner = tab(kv, name, runs);
  const other = tab(kv, name, runs);
  try {
    await owner.m.initialize(makeSession("s").session);
    await other.m.initialize(makeSession("s").session);
    await body(owner, other);
  } finally {
    for (const t of [other, owner]) {
      await t.m.cleanup();
      t.m.free();
    }
    kv.close();
  }
}

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

Deno.test("random calls from three tabs while owners leave and tabs join: one owner, every call answered once, each task final once", async () => {
  const seed = Number(Deno.env.get("SHARED_SEED") ?? Date.now() % 100000);
  const rand = random(seed);
  const kv = await Deno.openKv(":memory:");
  const runs = { running: 0, peak: 0 };
  const name = `shared-${seed}`;
  const tabs: Tab[] = [];
  const join = async () => {
    const t = tab(kv, name, runs);
    tabs.push(t);
    await t.m.initialize(makeSession("s").session);
    return t;
  };
  try {
    for (let i = 0; i < 3; i++) await join();
    const answered = new Map<number, number>();
    const calls: Promise<void>[] = [];
    let n = 0;
    const launched: string[] = [];
    let left = 0;
    for (let step = 0; step < 120; step++) {
      const t = tabs[Math.floor(rand() * tabs.length)];
      const r = step % 40 === 39 ? 0.85 : rand();
      const k = n++;
      const count = () => void answered.set(k, (answered.get(k) ?? 0) + 1);
      if (r < 0.45) {
        const id = `t${k}`;
        launched.push(id);
        calls.push(t.m.launch({ agent: "a", prompt: "p", id, resume: rand() < 0.5 }).then(count, count));
      } else if (r < 0.6 && launched.length > 0) {
        const id = launched[Math.floor(rand() * launched.length)];
        calls.push(t.m.getOutput(id, { wait: true, timeout: 20_000 }).then(count, count));
      } else if (r < 0.7 && launched.length > 0) {
        const id = launched[Math.floor(rand() * launched.length)];
        calls.push(t.m.cancelTask(id).then(count, count));
      } else if (r < 0.8) {
        calls.push(t.m.getAllTasks().then(count, count));
      } else if ((r < 0.86 || step % 40 === 39) && tabs.length > 1) {
        // The owner leaves (its tab closes); one joins later.
        const owner = tabs.find((x) => x.m.getOwner()?.self);
        if (owner) {
          left++;
          tabs.splice(tabs.indexOf(owner), 1);
          await owner.m.cleanup();
          owner.m.free();
          answered.set(k, 1);
        } else answered.set(k, 1);
      } else if (r < 0.92) {
        await join();
        answered.set(k, 1);
      } else {
        await sleep(Math.floor(rand() * 20));
        answered.set(k, 1);
      }
      // At most one owner at any time, and the tabs that know one agree.
      const owners = tabs.filter((x) => x.m.getOwner()?.self);
      assert.ok(owners.length <= 1, `seed ${seed}: ${owners.length} owners at step ${step}`);
    }
    // Every call settles, or the test fails rather than hang.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(calls),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`seed ${seed}: calls left unanswered`)), 30_000))),
    ]).finally(() => clearTimeout(timer));
    assert.ok(left >= 2, `seed ${seed}: owners left ${left} times`);
    for (let k = 0; k < n; k++) assert.equal(answered.get(k), 1, `seed ${seed}: call ${k} answered once`);
    // Every task ends; each final once in each tab that heard it.
    await eventually("every task final", async () => {
      const all = await tabs[0].m.getAllTasks();
      return all.every((t) => !["queued", "running", "input-required"].includes(t.status));
    }, 20_000);
    const owner = tabs.find((x) => x.m.getOwner()?.self)!;
    assert.ok(owner, `seed ${seed}: an owner at the end`);
    const ids = new Set((await owner.m.getAllTasks()).map((t) => t.id));
    for (const id of launched) assert.ok(ids.has(id), `seed ${seed}: ${id} is in the table`);
    for (const t of tabs) {
      for (const [id, seen] of t.finals) assert.equal(seen.length, 1, `seed ${seed}: ${id} final ${seen}`);
    }
    assert.ok(runs.peak <= 2, `seed ${seed}: peak running ${runs.peak} above the pool of 2`);
  } finally {
    for (const t of tabs) {
      await t.m.cleanup();
      t.m.free();
    }
    kv.close();
  }
});

Deno.test("a forwarded call's errors keep their class and code; arguments that cannot be cloned are refused in their tab", () =>
  twoTabs("errors", async (owner, other) => {
    assert.equal(other.m.getOwner()?.self, false);
    for (const m of [owner.m, other.m]) {
      await assert.rejects(m.completeTask("nope", 1), (e: unknown) =>
        e instanceof Error && (e as { code?: string }).code === "TASK_NOT_FOUND");
      await assert.rejects(m.getTask(""), (e: unknown) =>
        e instanceof RangeError && (e as { code?: string }).code === "INVALID_ARGUMENT");
      await assert.rejects(m.getTask(7 as never), (e: unknown) =>
        e instanceof TypeError && (e as { code?: string }).code === "INVALID_ARGUMENT");
    }
    await assert.rejects(other.m.createTask({ options: { f: () => {} } }), (e: unknown) =>
      e instanceof TypeError && (e as { code?: string }).code === "INVALID_ARGUMENT" &&
      /cannot be sent to the owner/.test((e as Error).message));
    const t = await other.m.createTask({ id: "t", options: {} });
    assert.equal(t.status, "running");
    assert.equal((await owner.m.getTask("t"))?.status, "running", "made in the owner");
  }));

Deno.test("an owner that stored a launch and went before answering: the call goes to the next owner, which finds the task, not a second one", () =>
  twoTabs("window", async (first, second) => {
    // The owner makes the task (and stores it: cleanup writes what is
    // waiting), then goes before its answer is sent.
    let made = "";
    first.m.subscribe((e) => {
      if (e.type !== "created" || made !== "") return;
      made = e.taskId;
      first.m.cleanup();
    });
    const task = await second.m.launch({ agent: "a", prompt: "p" });
    assert.equal(second.m.getOwner()?.self, true, "the second tab took over");
    assert.equal(task.id, made, "the task the first owner made");
    const all = await second.m.getAllTasks();
    assert.deepEqual(all.map((t) => t.id), [made], "one task, not two");
  }));

Deno.test("a tab that cleaned up can initialize again: it follows the owner, and takes over when that one leaves", async () => {
  const kv = await Deno.openKv(":memory:");
  const runs = { running: 0, peak: 0 };
  const a = tab(kv, "again", runs);
  const b = tab(kv, "again", runs);
  const owners: string[] = [];
  a.m.onOwner((e) => owners.push(e.self ? "a" : "other"));
  try {
    await a.m.initialize(makeSession("s").session);
    await b.m.initialize(makeSession("s").session);
    await a.m.createTask({ id: "kept", options: {} });
    const watch = b.m.watch("kept");
    const first = await watch.next();
    assert.equal(first.value?.type, "status");
    await a.m.cleanup();
    await assert.rejects(a.m.createTask({ options: {} }), (e: unknown) => (e as { code?: string }).code === "NOT_INITIALIZED");
    await eventually("b owns", () => b.m.getOwner()?.self === true);
    assert.equal((await b.m.getTask("kept"))?.status, "running", "loaded from the store");
    await a.m.initialize(makeSession("s").session);
    assert.equal(a.m.getOwner()?.self, false, "a follows b");
    assert.equal((await a.m.getTask("kept"))?.status, "running");
    await b.m.cleanup();
    // b's watch ends with its tab's leave, as a local one does at cleanup.
    assert.equal((await watch.next()).done, true);
    await eventually("a owns again", () => a.m.getOwner()?.self === true);
    await a.m.completeTask("kept", "ok");
    assert.deepEqual(owners, ["a", "other", "a"], "the owner events a heard");
  } finally {
    for (const t of [b, a]) {
      await t.m.cleanup();
      t.m.free();
    }
    kv.close();
  }
});

Deno.test("what an owner's runner throws reaches the calling tab, also a value that cannot be read", async () => {
  const kv = await Deno.openKv(":memory:");
  const hostile = { toString() { throw new Error("no"); } };
  const make = () => new BackgroundManager({
    store: { kv },
    shared: "thrown",
    runner: ({ prompt }) => Promise.reject(prompt === "plain" ? new RangeError("bad range") : hostile),
  });
  const [owner, other] = [make(), make()];
  try {
    await owner.initialize(makeSession("s").session);
    await other.initialize(makeSession("s").session);
    assert.equal(other.getOwner()?.self, false);
    await assert.rejects(other.callAgent("a", "plain"), (e: unknown) => e instanceof Error && /bad range/.test((e as Error).message));
    await assert.rejects(other.callAgent("a", "hostile"), (e: unknown) =>
      e instanceof Error && /cannot be read/.test((e as Error).message));
    // The owner goes on answering.
    assert.deepEqual(await other.getAllTasks(), []);
  } finally {
    for (const m of [other, owner]) {
      await m.cleanup();
      m.free();
    }
    kv.close();
  }
});

Deno.test("an owner whose lease ran out (its event loop blocked past the term) lets go; its own watch reads on from the new owner", async () => {
  const kv = await Deno.openKv(":memory:");
  const runs = { running: 0, peak: 0 };
  const a = tab(kv, "stall", runs, 300);
  const b = tab(kv, "stall", runs, 300);
  try {
    await a.m.initialize(makeSession("s").session);
    await b.m.initialize(makeSession("s").session);
    assert.equal(a.m.getOwner()?.self, true);
    await a.m.createTask({ id: "w", options: {} });
    const watch = a.m.watch("w");
    assert.equal((await watch.next()).value?.type, "status");
    // Blocked past the term: nothing renews the lease meanwhile.
    const until = Date.now() + 700;
    while (Date.now() < until) { /* blocked */ }
    await eventually("b owns", () => b.m.getOwner()?.self === true);
    // a hears of b's reign on its own, a moment after b took it (null
    // while it knows no owner).
    await eventually("a knows an owner", () => a.m.getOwner() !== null);
    assert.equal(a.m.getOwner()?.self, false, "a follows b");
    // The change is made by the new owner, and a's watch hears it.
    await b.m.completeTask("w", "by b");
    const next = await watch.next();
    assert.equal(next.value?.type, "status");
    assert.equal((next.value as { status?: string }).status, "completed");
    assert.equal((await a.m.getTask("w"))?.result, "by b", "a forwards to b now");
    await watch.return?.(undefined);
  } finally {
    for (const t of [b, a]) {
      await t.m.cleanup();
      t.m.free();
    }
    kv.close();
  }
});

Deno.test("two tabs on one KV complete the same task at once: one wins, the other rejects INVALID_TRANSITION, the task is final once", () =>
  twoTabs("race", async (owner, other) => {
    await owner.m.createTask({ id: "r", options: {} });
    const results = await Promise.allSettled([owner.m.completeTask("r", "by owner"), other.m.completeTask("r", "by other")]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
    assert.equal(won.length, 1, JSON.stringify(results));
    assert.equal((lost[0].reason as { code?: string }).code, "INVALID_TRANSITION");
    const t = await other.m.getTask("r");
    assert.equal(t?.status, "completed");
    assert.equal(t?.result, (won[0] as PromiseFulfilledResult<{ result: unknown }>).value.result);
    await eventually("the final status heard in both", () => owner.finals.get("r")?.length === 1 && other.finals.get("r")?.length === 1);
    assert.deepEqual(owner.finals.get("r"), ["completed"]);
    assert.deepEqual(other.finals.get("r"), ["completed"]);
  }));
