// Issue 17: ask/respond at the boundary: a runner's question makes the
// task 'input-required' (slot kept, question on the snapshot and in the
// log, a status event), respond answers it, a timeout or a cancel rejects
// the ask, and respond on a task that is not asking is INVALID_TRANSITION.
import type { RunnerContext, TaskEvent } from "../../pkg/background_manager.js";
import { assert, BackgroundManager, eventually, rejects, sleep, withManager } from "./helpers.ts";

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
