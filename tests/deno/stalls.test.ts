// Issue 17: stalls at the boundary: the event, the log entry, stalledSince,
// activity that resumes, failAfterStall, the manager's default, and the
// options checked with coded errors.
import type { RunnerContext, TaskEvent } from "../../pkg/background_manager.js";
import { assert, BackgroundManager, eventually, rejects, sleep, withManager } from "./helpers.ts";

const check = (m: BackgroundManager) =>
  assert.equal((m as unknown as Record<symbol, () => string>)[Symbol.for("background-manager.check")](), "");

/** A runner that keeps its context for the test and never settles by itself. */
function kept() {
  const contexts = new Map<string, RunnerContext>();
  const runner = (ctx: RunnerContext) =>
    new Promise(() => {
      contexts.set(ctx.taskId!, ctx);
    });
  return { runner, contexts };
}

Deno.test("a quiet running task stalls; a write resumes it; events and log entries say so", async () => {
  const { runner, contexts } = kept();
  await withManager({ runner }, async (m) => {
    const events: TaskEvent[] = [];
    m.subscribe((e) => events.push(e));
    await m.launch({ agent: "a", prompt: "p", id: "t", stallAfter: 30 });
    await eventually("t stalls", async () => (await m.getTask("t"))!.stalledSince !== undefined);
    const stalled = events.find((e) => e.type === "stalled");
    assert.ok(stalled && stalled.type === "stalled" && stalled.taskId === "t");
    assert.equal((await m.getTask("t"))!.stalledSince, stalled.since);
    check(m);
    contexts.get("t")!.write("still here");
    const t = (await m.getTask("t"))!;
    assert.equal(t.stalledSince, undefined);
    assert.equal(t.status, "running");
    assert.ok(events.some((e) => e.type === "resumed" && e.taskId === "t"));
    const types = (await m.readLog("t")).entries.map((e) => e.type);
    assert.deepEqual(types, ["status", "status", "stalled", "output", "resumed"]);
    check(m);
  });
});

Deno.test("heartbeats keep a task from stalling; failAfterStall fails one that stays quiet", async () => {
  const { runner, contexts } = kept();
  await withManager({ runner, stallAfter: 40, failAfterStall: 20 }, async (m) => {
    await m.launch({ agent: "a", prompt: "p", id: "beating" });
    await m.launch({ agent: "a", prompt: "p", id: "quiet" });
    await m.launch({ agent: "a", prompt: "p", id: "own", stallAfter: 60_000 });
    const until = Date.now() + 200;
    while (Date.now() < until) {
      contexts.get("beating")?.heartbeat();
      await sleep(10);
    }
    const quiet = (await m.getTask("quiet"))!;
    assert.equal(quiet.status, "error");
    assert.match(quiet.error!, /stalled/);
    assert.ok(contexts.get("quiet")!.signal.aborted, "its runner is told to stop");
    assert.equal((await m.getTask("beating"))!.status, "running");
    assert.equal((await m.getTask("beating"))!.stalledSince, undefined);
    assert.equal((await m.getTask("own"))!.stalledSince, undefined, "its own stallAfter wins");
    check(m);
  });
});

Deno.test("stallAfter and failAfterStall are checked with coded errors", async () => {
  await withManager(undefined, async (m) => {
    const base = { agent: "a", prompt: "p" };
    await rejects(m.launch({ ...base, stallAfter: 0 }), "INVALID_ARGUMENT", RangeError, /stallAfter/);
    await rejects(m.launch({ ...base, stallAfter: "5" as unknown as number }), "INVALID_ARGUMENT", TypeError, /stallAfter/);
    await rejects(m.launch({ ...base, failAfterStall: true }), "INVALID_ARGUMENT", TypeError, /stallAfter/);
    await rejects(m.launch({ ...base, stallAfter: 10, failAfterStall: -1 }), "INVALID_ARGUMENT", RangeError, /failAfterStall/);
    assert.deepEqual(await m.getAllTasks(), []);
  });
  assert.throws(() => new BackgroundManager({ stallAfter: -5 }), /stallAfter/);
  assert.throws(() => new BackgroundManager({ failAfterStall: 10 }), /stallAfter/);
});

Deno.test("a page that becomes visible again looks at once: a stall that came due while its timers slept", async () => {
  // A stand-in for a browser's document, visible, that the manager listens to.
  const doc = Object.assign(new EventTarget(), { visibilityState: "visible" });
  (globalThis as { document?: unknown }).document = doc;
  try {
    const { runner } = kept();
    await withManager({ runner }, async (m) => {
      const events: TaskEvent[] = [];
      m.subscribe((e) => events.push(e));
      await m.launch({ agent: "a", prompt: "p", id: "t", stallAfter: 20 });
      // The event loop is blocked (as a throttled tab's timers are late).
      const until = Date.now() + 60;
      while (Date.now() < until) { /* no timer can run */ }
      assert.equal(events.filter((e) => e.type === "stalled").length, 0, "no timer ran");
      doc.dispatchEvent(new Event("visibilitychange"));
      assert.equal(events.filter((e) => e.type === "stalled").length, 1, "seen on becoming visible");
    });
  } finally {
    delete (globalThis as { document?: unknown }).document;
  }
});
