// SPEC §2, §3 and §6: snapshots, values, waits, TTL, eviction, cleanup.
import { assert, BackgroundManager, eventually, makeSession, rejects, sleep, UUID_V4, withManager } from "./helpers.ts";

Deno.test("snapshots are fresh objects; options and result are the caller's own values", async () => {
  await withManager(undefined, async (m) => {
    class Plan { constructor(public steps: number) {} }
    const fn = () => "callable";
    const options = { plan: new Plan(3), fn, missing: undefined };
    const t = await m.createTask({ options });
    assert.equal(t.options, options, "same reference, no JSON round trip");
    assert.ok(t.options.plan instanceof Plan);
    t.status = "completed";
    t.options = "mutated";
    const again = await m.getTask(t.id);
    assert.notEqual(again, t);
    assert.equal(again?.status, "running");
    assert.equal(again?.options, options);

    const result = { payload: new Map([["k", 1]]), fn };
    const done = await m.completeTask(t.id, result);
    assert.equal(done.result, result);
    assert.equal((await m.getOutput(t.id)).result, result);
    const [listed] = await m.getAllTasks("completed");
    assert.equal(listed.result, result);
    listed.result = null;
    assert.equal((await m.getTask(t.id))?.result, result);

    const u = await m.createTask({ options: undefined });
    assert.ok("options" in u && u.options === undefined);
    const n = await m.completeTask(u.id, null);
    assert.equal(n.result, null);
    const v = await m.createTask({ options: 0 });
    const bare = await m.completeTask(v.id);
    assert.ok("result" in bare && bare.result === undefined, "result is present once completed");
    assert.ok(!("error" in bare));
    const w = await m.createTask({ options: 0 });
    const failed = await m.failTask(w.id, "no");
    assert.ok(!("result" in failed));
  });
});

Deno.test("failTask turns any thrown value into a message, and never throws for it", async () => {
  await withManager(undefined, async (m) => {
    class Custom extends Error {}
    const weird = Object.create(null);
    const badGetter = { get message() { throw new Error("nope"); }, toString: () => "via toString" };
    const hostile = new Proxy({}, {
      get() { throw new Error("trap"); },
      getPrototypeOf() { throw new Error("trap"); },
    });
    const cases: [unknown, string | RegExp][] = [
      [new Error("plain error"), "plain error"],
      [new Custom("custom error"), "custom error"],
      [new TypeError("type error"), "type error"],
      ["a string", "a string"],
      ["", ""],
      [{ message: "object with message" }, "object with message"],
      [{ message: 42 }, "[object Object]"],
      [42, "42"],
      [null, "null"],
      [undefined, "undefined"],
      [false, "false"],
      [10n, "10"],
      [Symbol("sym"), "Symbol(sym)"],
      [weird, "[object Object]"],
      [badGetter, "via toString"],
      [hostile, /.+/],
    ];
    for (const [value, expected] of cases) {
      const t = await m.createTask({ options: {} });
      const failed = await m.failTask(t.id, value as Error);
      assert.equal(failed.status, "error");
      if (typeof expected === "string") assert.equal(failed.error, expected, Deno.inspect(value));
      else assert.match(failed.error!, expected);
    }
  });
});

Deno.test("ids: UUID v4 by default, distinct; custom ids kept exactly", async () => {
  await withManager(undefined, async (m) => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const t = await m.createTask({ options: i });
      assert.match(t.id, UUID_V4);
      seen.add(t.id);
    }
    assert.equal(seen.size, 5000);
    for (const id of ["with space", "ünïcødé-🚀", "a".repeat(10_000), "<img src=x onerror=alert(1)>", "\u0000\n\t"]) {
      const t = await m.createTask({ id, options: {} });
      assert.equal(t.id, id);
      assert.equal((await m.getTask(id))?.id, id);
    }
  });
});

Deno.test("tasks are listed in creation order, filtered by status", async () => {
  await withManager(undefined, async (m) => {
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push((await m.createTask({ id: `t${i}`, options: {} })).id);
    await m.completeTask("t3");
    await m.failTask("t5", "x");
    await m.cancelTask("t7");
    assert.deepEqual((await m.getAllTasks()).map((t) => t.id), ids);
    assert.deepEqual((await m.getAllTasks("completed")).map((t) => t.id), ["t3"]);
    assert.deepEqual((await m.getAllTasks("error")).map((t) => t.id), ["t5"]);
    assert.deepEqual((await m.getAllTasks("cancelled")).map((t) => t.id), ["t7"]);
    assert.deepEqual(
      (await m.getAllTasks("running")).map((t) => t.id),
      ["t0", "t1", "t2", "t4", "t6", "t8", "t9"],
    );
    const cancelled = await m.cancelAllTasks({ force: true });
    assert.deepEqual(cancelled.map((t) => t.id), ["t0", "t1", "t2", "t4", "t6", "t8", "t9"]);
    assert.equal((await m.getTask("t3"))?.status, "completed", "final tasks untouched");
    assert.deepEqual(await m.cancelAllTasks(), []);
  });
});

Deno.test("updatedAt never goes below createdAt nor backwards", async () => {
  await withManager(undefined, async (m) => {
    const t = await m.createTask({ options: {} });
    await sleep(3);
    const done = await m.completeTask(t.id);
    assert.ok(done.updatedAt >= done.createdAt && done.createdAt === t.createdAt);
    assert.ok(done.updatedAt >= t.updatedAt);
  });
});

Deno.test("getOutput without wait, or on a final task, answers at once", async () => {
  await withManager(undefined, async (m) => {
    const t = await m.createTask({ options: {} });
    assert.deepEqual(await m.getOutput(t.id, { timeout: 10 }), { taskId: t.id, status: "running", output: "", cursor: 0 });
    await m.failTask(t.id, "broken");
    assert.deepEqual(await m.getOutput(t.id, { wait: true }), {
      taskId: t.id,
      status: "error",
      output: "",
      cursor: 0,
      error: "broken",
    });
  });
});

Deno.test("a waiting getOutput resolves in the same turn as the transition", async () => {
  await withManager(undefined, async (m) => {
    const t = await m.createTask({ options: {} });
    const order: string[] = [];
    const waits = Array.from({ length: 100 }, () =>
      m.getOutput(t.id, { wait: true, timeout: 60_000 }).then((out) => {
        order.push("waiter");
        return out;
      })
    );
    setTimeout(() => order.push("next macrotask"), 0);
    await m.completeTask(t.id, "r");
    const outs = await Promise.all(waits);
    assert.deepEqual(order.slice(0, 100), Array(100).fill("waiter"), "all woken before the next macrotask");
    assert.ok(outs.every((o) => o.status === "completed" && o.result === "r"));
    assert.ok(outs.every((o, i) => i === 0 || o !== outs[0]), "each waiter gets its own object");
  });
});

Deno.test("a wait times out with the running snapshot and timedOut: true", async () => {
  await withManager(undefined, async (m) => {
    const t = await m.createTask({ options: {} });
    const started = Date.now();
    const out = await m.getOutput(t.id, { wait: true, timeout: 40 });
    assert.ok(Date.now() - started >= 35, "not before the timeout");
    assert.deepEqual(out, { taskId: t.id, status: "running", output: "", cursor: 0, timedOut: true });
    assert.deepEqual(await m.getOutput(t.id, { wait: true, timeout: 0 }), { ...out, timedOut: true });
    assert.equal((await m.getTask(t.id))?.status, "running");
  });
});

Deno.test("TTL fails a running task on time, by its own timer, then evicts it", async () => {
  await withManager({ taskTTL: 60, pollInterval: 1_000_000 }, async (m, probe) => {
    const t = await m.createTask({ options: {} });
    const out = await m.getOutput(t.id, { wait: true });
    assert.equal(out.status, "error");
    assert.match(out.error!, /timed out/);
    const failed = await m.getTask(t.id);
    assert.equal(failed!.updatedAt, failed!.createdAt + 60, "failed at its deadline, not later");
    assert.deepEqual(probe.sent, [{ type: "task_completion", taskId: t.id, status: "error", timestamp: failed!.updatedAt }]);
    await eventually("eviction", async () => (await m.getTask(t.id)) === null);
    assert.ok(Date.now() >= failed!.updatedAt + 60, "evicted one TTL after becoming final");
    assert.equal(probe.sent.length, 1);
  });
});

Deno.test("a deadline passed while the event loop was blocked is seen at once by writes and reads", async () => {
  const probe = makeSession();
  // Expires at 100 ms, evicted at 200 ms: at 130 ms it has failed, as of 100 ms.
  const m = new BackgroundManager({ taskTTL: 100, pollInterval: 3_600_000 });
  await m.initialize(probe.session);
  try {
    const { id, createdAt } = await m.createTask({ options: {} });
    // Block the event loop past the TTL: the deadline timer cannot run.
    const until = Date.now() + 130;
    while (Date.now() < until) { /* busy */ }
    // A call that changes state runs every deadline due first.
    await rejects(m.completeTask(id, "too late"), "INVALID_TRANSITION", Error, /already error/);
    assert.deepEqual(probe.sent.map((n) => [n.taskId, n.status, n.timestamp]), [[id, "error", createdAt + 100]]);
    const task = await m.getTask(id);
    assert.equal(task?.status, "error");
    assert.match(task?.error ?? "", /timed out after 100 ms/);
    assert.equal(task?.updatedAt, createdAt + 100, "recorded as of its deadline");

    // So does each read, in the same turn, before the late timer runs.
    for (const read of ["getTask", "getAllTasks", "getOutput"] as const) {
      const other = await m.createTask({ options: read });
      const again = Date.now() + 130;
      while (Date.now() < again) { /* busy */ }
      const seen = read === "getTask"
        ? await m.getTask(other.id)
        : read === "getAllTasks"
        ? (await m.getAllTasks("error")).find((t) => t.id === other.id)
        : await m.getOutput(other.id);
      assert.equal(seen?.status, "error", `${read} sees the expiry`);
      if (read !== "getOutput") {
        assert.equal((seen as { updatedAt?: number }).updatedAt, other.createdAt + 100, `${read}: as of the deadline`);
      }
      assert.equal((await m.getAllTasks("running")).some((t) => t.id === other.id), false);
    }
    // A waiting getOutput is exact at once, like a write.
    const third = await m.createTask({ options: {} });
    const more = Date.now() + 130;
    while (Date.now() < more) { /* busy */ }
    const out = await m.getOutput(third.id, { wait: true, timeout: 0 });
    assert.equal(out.status, "error");
    assert.equal(out.timedOut, undefined, "it was final before the wait began");
  } finally {
    await m.cleanup();
    m.free();
  }
});

Deno.test("memory stays bounded: final tasks leave the table", async () => {
  // Each task completes well within its TTL, however busy the machine.
  await withManager({ taskTTL: 300 }, async (m) => {
    for (let i = 0; i < 2000; i++) {
      const t = await m.createTask({ options: { i } });
      await m.completeTask(t.id);
    }
    await eventually("every task evicted", async () => (await m.getAllTasks()).length === 0);
  });
});

Deno.test("cleanup stops timers, rejects waiters, clears the table; initialize works again", async () => {
  const probe = makeSession();
  const m = new BackgroundManager({ pollInterval: 10, taskTTL: 100_000 });
  await m.initialize(probe.session);
  const t = await m.createTask({ options: {} });
  const waits = [m.getOutput(t.id, { wait: true }), m.getOutput(t.id, { wait: true, timeout: 50_000 })];
  await eventually("a poll", () => probe.statusCalls > 0);
  await m.cleanup();
  for (const w of waits) await rejects(w, "DISPOSED");
  assert.deepEqual(await m.getAllTasks(), []);
  assert.equal(await m.getTask(t.id), null);
  const calls = probe.statusCalls;
  await sleep(50);
  assert.equal(probe.statusCalls, calls, "no polling after cleanup");
  await rejects(m.createTask({ options: {} }), "NOT_INITIALIZED");
  const next = makeSession("again");
  await m.initialize(next.session);
  const u = await m.createTask({ id: t.id, options: {} });
  assert.equal(u.sessionId, "again");
  await m.cleanup();
  // Deno's sanitizers fail this test if any timer or op is left behind.
});

Deno.test("overlapping calls never trip a borrow", async () => {
  await withManager(undefined, async (m) => {
    const created = await Promise.all(Array.from({ length: 300 }, (_, i) => m.createTask({ id: `c${i}`, options: i })));
    const ops = created.flatMap((t, i) => [
      i % 3 === 0 ? m.completeTask(t.id, i) : i % 3 === 1 ? m.failTask(t.id, "f") : m.cancelTask(t.id),
      m.getTask(t.id),
      m.getOutput(t.id, { wait: true, timeout: 1000 }),
      m.getAllTasks("running"),
    ]);
    const settled = await Promise.allSettled(ops);
    const failures = settled.filter((s) => s.status === "rejected");
    assert.deepEqual(failures, []);
    assert.equal((await m.getAllTasks("running")).length, 0);
  });
});
