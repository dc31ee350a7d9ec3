// Issue 17: ask/respond at the boundary: a runner's question makes the
// task 'input-required' (slot kept, question on the snapshot and in the
// log, a status event), respond answers it, a timeout or a cancel rejects
// the ask, and respond on a task that is not asking is INVALID_TRANSITION.
import type { RunnerContext, TaskEvent } from "../../pkg/background_manager.js";
import { assert, BackgroundManager, eventually, makeSession, rejects, sleep, withManager } from "./helpers.ts";

const check = (m: BackgroundManager) =>
  assert.equal((m as unknown as Record<symbol, () => string>)[Symbol.for("background-manager.check")](), "");

/** A runner that asks its prompt and completes with the answer; keeps what its ask did. */
function asking(timeout?: number) {
  const outcomes = new Map<string, unknown>();
  const contexts = new Map<string, RunnerContext>();
  const runner = async (ctx: RunnerContext) => {
    contexts.set(ctx.taskId!, ctx);
    try {
      const answer = await ctx.ask({ text: ctx.prompt }, timeout === undefined ? undefined : { timeout });
      outcomes.set(ctx.taskId!, answer);
      ctx.write(`answer: ${answer}`);
      return answer;
    } catch (e) {
      outcomes.set(ctx.taskId!, e);
      throw e;
    }
  };
  return { runner, outcomes, contexts };
}

Deno.test("ask makes the task input-required with its question; respond answers and it runs on", async () => {
  const { runner, outcomes } = asking();
  await withManager({ runner, maxConcurrent: 1 }, async (m) => {
    const events: TaskEvent[] = [];
    m.subscribe((e) => events.push(e));
    await m.launch({ agent: "a", prompt: "which file?", id: "t" });
    await m.launch({ agent: "a", prompt: "later", id: "behind" });
    await eventually("t asks", async () => (await m.getTask("t"))!.status === "input-required");
    const t = (await m.getTask("t"))!;
    assert.deepEqual(t.question, { text: "which file?" });
    assert.equal((await m.getTask("behind"))!.status, "queued", "the asking task keeps its slot");
    assert.deepEqual((await m.getAllTasks("input-required")).map((x) => x.id), ["t"]);
    const asked = (await m.readLog("t")).entries.find((e) => e.type === "status" && e.status === "input-required");
    assert.ok(asked && asked.type === "status");
    assert.deepEqual(asked.question, { text: "which file?" });
    assert.ok(events.some((e) => e.type === "status" && e.taskId === "t" && e.status === "input-required" && e.previous === "running"));
    check(m);

    const after = await m.respond("t", "main.rs");
    assert.equal(after.status, "running");
    assert.equal(after.question, undefined);
    const done = await m.getOutput("t", { wait: true, timeout: 5000 });
    assert.equal(done.status, "completed");
    assert.equal(done.result, "main.rs");
    assert.equal(done.output, "answer: main.rs");
    assert.equal(outcomes.get("t"), "main.rs");
    const statuses = (await m.readLog("t")).entries.filter((e) => e.type === "status").map((e) => e.type === "status" && e.status);
    assert.deepEqual(statuses, ["queued", "running", "input-required", "running", "completed"]);
    // The slot it kept goes to the task behind it.
    await eventually("behind asks", async () => (await m.getTask("behind"))!.status === "input-required");
    check(m);
  });
});

Deno.test("respond to a task that is not asking rejects INVALID_TRANSITION", async () => {
  const { runner } = asking();
  await withManager({ runner }, async (m) => {
    await m.createTask({ id: "driven", options: {} });
    await rejects(m.respond("driven", "x"), "INVALID_TRANSITION", Error, /not asking/);
    await rejects(m.respond("nobody", "x"), "TASK_NOT_FOUND");
    await m.launch({ agent: "a", prompt: "q", id: "t" });
    await eventually("t asks", async () => (await m.getTask("t"))!.status === "input-required");
    await m.respond("t", "yes");
    await rejects(m.respond("t", "again"), "INVALID_TRANSITION");
    await m.getOutput("t", { wait: true, timeout: 5000 });
    await rejects(m.respond("t", "late"), "INVALID_TRANSITION", Error, /already completed/);
    check(m);
  });
});

Deno.test("an ask times out with a TimeoutError and the task runs on", async () => {
  const { runner, outcomes } = asking(40);
  await withManager({ runner }, async (m) => {
    await m.launch({ agent: "a", prompt: "q", id: "t" });
    const out = await m.getOutput("t", { wait: true, timeout: 5000 });
    assert.equal(out.status, "error");
    const e = outcomes.get("t") as DOMException;
    assert.equal(e.name, "TimeoutError");
    const statuses = (await m.readLog("t")).entries.filter((e) => e.type === "status").map((e) => e.type === "status" && e.status);
    assert.deepEqual(statuses, ["queued", "running", "input-required", "running", "error"]);
    check(m);
  });
});

Deno.test("cancel while asking rejects the ask with an AbortError; so does a force cancel", async () => {
  const { runner, outcomes, contexts } = asking();
  await withManager({ runner, cancelGracePeriod: 1000 }, async (m) => {
    await m.launch({ agent: "a", prompt: "q", id: "graceful" });
    await m.launch({ agent: "a", prompt: "q", id: "forced" });
    await eventually("both ask", async () => (await m.getAllTasks("input-required")).length === 2);
    const cancelled = await m.cancelTask("graceful");
    assert.equal(cancelled.status, "cancelled");
    assert.equal((outcomes.get("graceful") as DOMException).name, "AbortError");
    assert.ok(contexts.get("graceful")!.signal.aborted);
    await m.cancelTask("forced", { force: true });
    await eventually("the forced ask rejects", () => outcomes.has("forced"));
    assert.equal((outcomes.get("forced") as DOMException).name, "AbortError");
    await rejects(m.respond("forced", "too late"), "INVALID_TRANSITION");
    check(m);
  });
});

Deno.test("an ask made after a cancel began rejects with an AbortError at once", async () => {
  let asked: unknown;
  const runner = (ctx: RunnerContext) =>
    new Promise((_, reject) => {
      ctx.signal.addEventListener("abort", () => {
        ctx.ask("one more thing?").catch((e) => (asked = e));
        setTimeout(() => reject(ctx.signal.reason), 10);
      });
    });
  await withManager({ runner, cancelGracePeriod: 1000 }, async (m) => {
    await m.launch({ agent: "a", prompt: "q", id: "t" });
    const t = await m.cancelTask("t");
    assert.equal(t.status, "cancelled");
    assert.equal((asked as DOMException).name, "AbortError");
    assert.equal((await m.getAllTasks("input-required")).length, 0);
    check(m);
  });
});

Deno.test("one question at a time; a foreground call cannot ask; a bad timeout is INVALID_ARGUMENT", async () => {
  const seen: unknown[] = [];
  const runner = async (ctx: RunnerContext) => {
    if (ctx.taskId === undefined) {
      try {
        await ctx.ask("foreground?");
      } catch (e) {
        return (e as { code?: string }).code;
      }
    }
    const first = ctx.ask("first");
    try {
      await ctx.ask("second");
    } catch (e) {
      seen.push((e as { code?: string }).code);
    }
    try {
      await ctx.ask("bad", { timeout: -1 });
    } catch (e) {
      seen.push((e as { code?: string }).code);
    }
    return await first;
  };
  await withManager({ runner }, async (m) => {
    assert.equal(await m.callAgent("a", "p"), "INVALID_TRANSITION");
    await m.launch({ agent: "a", prompt: "p", id: "t" });
    await eventually("t asks", async () => (await m.getTask("t"))!.status === "input-required");
    await sleep(5);
    assert.deepEqual(seen, ["INVALID_TRANSITION", "INVALID_ARGUMENT"]);
    assert.equal((await m.getTask("t"))!.question, "first");
    await m.respond("t", 42);
    assert.equal((await m.getOutput("t", { wait: true, timeout: 5000 })).result, 42);
    check(m);
  });
});

Deno.test("an asking task is never stalled; its TTL keeps counting", async () => {
  const { runner, outcomes } = asking();
  await withManager({ runner, stallAfter: 20, taskTTL: 150 }, async (m) => {
    await m.launch({ agent: "a", prompt: "q", id: "t" });
    await eventually("t asks", async () => (await m.getTask("t"))!.status === "input-required");
    await sleep(60);
    assert.equal((await m.getTask("t"))!.stalledSince, undefined, "waiting for an answer is no stall");
    const out = await m.getOutput("t", { wait: true, timeout: 5000 });
    assert.equal(out.status, "error");
    assert.match(out.error!, /timed out/);
    assert.equal((outcomes.get("t") as DOMException).name, "AbortError");
    check(m);
  });
});

/**
 * A runner that asks and then, without waiting for the answer, does what
 * `how` says: returns, throws, or waits (for its signal or forever). Keeps
 * how each ask settled, once, and when.
 */
function askingThen(how: (ctx: RunnerContext) => Promise<unknown>) {
  const ends = new Map<string, unknown[]>();
  const runner = (ctx: RunnerContext) => {
    const key = `${ctx.taskId}#${ctx.attempt}`;
    const seen: unknown[] = [];
    ends.set(key, seen);
    ctx.ask(`question of ${key}`).then((answer) => seen.push({ answer }), (e) => seen.push(e));
    return how(ctx);
  };
  return { runner, ends };
}

/** Every status event's `previous` is what the task's event before it announced. */
function chains(events: TaskEvent[]): Map<string, string[]> {
  const last = new Map<string, string[]>();
  for (const e of events) {
    if (e.type === "created") {
      assert.ok(!last.has(e.taskId), `${e.taskId} created twice`);
      last.set(e.taskId, [e.status]);
    } else if (e.type === "status") {
      const chain = last.get(e.taskId);
      assert.ok(chain, `a status event for ${e.taskId} before its creation`);
      assert.equal(e.previous, chain.at(-1), `${e.taskId}: ${e.previous} -> ${e.status} after ${chain.join(" -> ")}`);
      chain.push(e.status);
    }
  }
  return last;
}

/** The ask of `key` ended exactly once, with an AbortError. */
async function abortedOnce(ends: Map<string, unknown[]>, key: string) {
  await eventually(`the ask of ${key} ends`, () => (ends.get(key)?.length ?? 0) > 0);
  await sleep(20);
  const seen = ends.get(key)!;
  assert.equal(seen.length, 1, `${key}'s ask settled once`);
  assert.equal((seen[0] as DOMException).name, "AbortError", `${key}: ${seen[0]}`);
}

const never = () => new Promise(() => {});

Deno.test("a runner that returns or throws while it asks: the ask rejects AbortError once, the events chain", async () => {
  const { runner, ends } = askingThen(async (ctx) => {
    await sleep(20);
    if (ctx.prompt === "return") return "done";
    throw new Error("gave up");
  });
  await withManager({ runner }, async (m) => {
    const events: TaskEvent[] = [];
    m.subscribe((e) => events.push(e));
    await m.launch({ agent: "a", prompt: "return", id: "returns" });
    await m.launch({ agent: "a", prompt: "throw", id: "throws" });
    assert.equal((await m.getOutput("returns", { wait: true, timeout: 5000 })).status, "completed");
    assert.equal((await m.getOutput("throws", { wait: true, timeout: 5000 })).status, "error");
    await abortedOnce(ends, "returns#1");
    await abortedOnce(ends, "throws#1");
    const c = chains(events);
    assert.deepEqual(c.get("returns"), ["queued", "running", "input-required", "completed"]);
    assert.deepEqual(c.get("throws"), ["queued", "running", "input-required", "error"]);
    assert.equal((await m.getTask("returns"))!.question, undefined);
    check(m);
  });
});

Deno.test("a runner that fails while asking and is retried: its ask rejects, the next event's previous is input-required", async () => {
  const { runner, ends } = askingThen(async (ctx) => {
    await sleep(20);
    if (ctx.attempt === 1) throw new Error("flaky");
    return "second time";
  });
  await withManager({ runner }, async (m) => {
    const events: TaskEvent[] = [];
    m.subscribe((e) => events.push(e));
    await m.launch({ agent: "a", prompt: "p", id: "t", retry: { attempts: 2, backoff: { initial: 10, jitter: 0 } } });
    const out = await m.getOutput("t", { wait: true, timeout: 5000 });
    assert.equal(out.status, "completed");
    await abortedOnce(ends, "t#1");
    await abortedOnce(ends, "t#2");
    const requeued = events.find((e) => e.type === "status" && e.taskId === "t" && e.status === "queued");
    assert.ok(requeued && requeued.type === "status");
    assert.equal(requeued.previous, "input-required");
    assert.deepEqual(chains(events).get("t"), [
      "queued", "running", "input-required", "queued", "running", "input-required", "completed",
    ]);
    check(m);
  });
});

Deno.test("every way a task stops while it asks ends the ask once: TTL, the session's status, the parent's cancel", async () => {
  const { runner, ends } = askingThen(never);
  const probe = makeSession();
  await withManager({ runner, taskTTL: 500, pollInterval: 20 }, async (m) => {
    const events: TaskEvent[] = [];
    m.subscribe((e) => events.push(e));
    // TTL: it times out while asking.
    await m.launch({ agent: "a", prompt: "p", id: "expires" });
    assert.equal((await m.getOutput("expires", { wait: true, timeout: 5000 })).status, "error");
    await abortedOnce(ends, "expires#1");
    // A parent's cancel takes its asking child with it.
    await m.launch({ agent: "a", prompt: "p", id: "parent" });
    await m.launch({ agent: "a", prompt: "p", id: "child", parentId: "parent" });
    await eventually("both ask", async () => (await m.getAllTasks("input-required")).length === 2);
    await m.cancelTask("parent", { force: true });
    assert.equal((await m.getTask("child"))!.status, "cancelled");
    await abortedOnce(ends, "parent#1");
    await abortedOnce(ends, "child#1");
    // The session's answer finishes the asking task.
    await m.launch({ agent: "a", prompt: "p", id: "polled" });
    await eventually("polled asks", async () => (await m.getTask("polled"))!.status === "input-required");
    probe.status = "completed";
    assert.equal((await m.getOutput("polled", { wait: true, timeout: 5000 })).status, "completed");
    await abortedOnce(ends, "polled#1");
    const c = chains(events);
    for (const id of ["expires", "parent", "child", "polled"]) {
      assert.equal(c.get(id)!.at(-2), "input-required", `${id}: ${c.get(id)}`);
    }
    check(m);
  }, probe);
});

Deno.test("cleanup() and free() end an open ask once", async () => {
  const { runner, ends } = askingThen(never);
  const m = new BackgroundManager({ runner });
  await m.initialize(makeSession().session);
  await m.launch({ agent: "a", prompt: "p", id: "cleaned" });
  await eventually("cleaned asks", async () => (await m.getTask("cleaned"))?.status === "input-required");
  await m.cleanup();
  await abortedOnce(ends, "cleaned#1");
  await m.initialize(makeSession().session);
  await m.launch({ agent: "a", prompt: "p", id: "freed" });
  await eventually("freed asks", async () => (await m.getTask("freed"))?.status === "input-required");
  m.free();
  await abortedOnce(ends, "freed#1");
});
