// Issue 17: parents and children, and idempotency keys, at the boundary.
import type { RunnerContext } from "../../pkg/background_manager.js";
import { assert, BackgroundManager, eventually, rejects, withManager } from "./helpers.ts";

const check = (m: BackgroundManager) =>
  assert.equal((m as unknown as Record<symbol, () => string>)[Symbol.for("background-manager.check")](), "");

/** A runner the test finishes by task id; it rejects when aborted. */
function driven() {
  const finish = new Map<string, () => void>();
  const runner = (ctx: RunnerContext) =>
    new Promise((resolve, reject) => {
      finish.set(ctx.taskId!, () => resolve("done"));
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
    });
  return { runner, finish };
}

Deno.test("snapshots show parentId and children; cancel reaches every descendant", async () => {
  const { runner } = driven();
  await withManager({ runner, cancelGracePeriod: 50 }, async (m) => {
    const root = await m.createTask({ id: "root", options: {} });
    assert.equal(root.parentId, undefined);
    assert.equal((await m.launch({ agent: "a", prompt: "p", id: "c1", parentId: "root" })).parentId, "root");
    await m.launch({ agent: "a", prompt: "p", id: "c2", parentId: "root" });
    await m.launch({ agent: "a", prompt: "p", id: "g", parentId: "c1" });
    assert.deepEqual((await m.getTask("root"))!.children, ["c1", "c2"]);
    assert.deepEqual((await m.getAllTasks()).find((t) => t.id === "c1")!.children, ["g"]);
    check(m);
    // Every runner is signalled; their tasks end cancelled.
    const cancelled = await m.cancelTask("root");
    assert.equal(cancelled.status, "cancelled");
    await eventually("the tree is cancelled", async () =>
      (await m.getAllTasks()).every((t) => t.status === "cancelled"));
    check(m);
  });
});

Deno.test("getOutput({ wait, children }) resolves once the whole tree is final", async () => {
  const { runner, finish } = driven();
  await withManager({ runner }, async (m) => {
    await m.launch({ agent: "a", prompt: "p", id: "root" });
    await m.launch({ agent: "a", prompt: "p", id: "kid", parentId: "root" });
    let done = false;
    const tree = m.getOutput("root", { wait: true, children: true }).then((r) => (done = true, r));
    finish.get("root")!();
    await eventually("root completes", async () => (await m.getTask("root"))!.status === "completed");
    assert.equal(done, false, "kid still runs");
    finish.get("kid")!();
    const r = await tree;
    assert.equal(r.status, "completed");
    assert.equal(r.taskId, "root");
    check(m);
  });
});

Deno.test("parentId, maxDepth, idempotencyKey and onConflict are checked with coded errors", async () => {
  await withManager({ maxDepth: 1 }, async (m) => {
    const base = { agent: "a", prompt: "p" };
    await m.launch({ ...base, id: "top" });
    await m.launch({ ...base, id: "one", parentId: "top" });
    await rejects(m.launch({ ...base, parentId: "one" }), "INVALID_ARGUMENT", Error, /maxDepth/);
    await rejects(m.launch({ ...base, parentId: "missing" }), "TASK_NOT_FOUND");
    await rejects(m.launch({ ...base, parentId: 5 as unknown as string }), "INVALID_ARGUMENT", TypeError, /parentId/);
    await rejects(m.launch({ ...base, idempotencyKey: "" }), "INVALID_ARGUMENT", TypeError, /idempotencyKey/);
    await rejects(
      m.launch({ ...base, idempotencyKey: "k", onConflict: "merge" as "join" }),
      "INVALID_ARGUMENT",
      RangeError,
      /onConflict/,
    );
    await m.completeTask("top", 1).catch(() => {});
    assert.equal((await m.getAllTasks()).length, 2, "nothing else was launched");
  });
  assert.throws(() => new BackgroundManager({ maxDepth: 300 }), /maxDepth/);
  assert.throws(() => new BackgroundManager({ maxDepth: -1 }), /maxDepth/);
});

Deno.test("the same request clicked twice runs once: reject, join, enqueue, replace", async () => {
  const { runner, finish } = driven();
  await withManager({ runner, cancelGracePeriod: 20 }, async (m) => {
    const ask = (id: string, onConflict?: "reject" | "join" | "enqueue" | "replace") =>
      m.launch({ agent: "a", prompt: "p", id, idempotencyKey: "send-42", onConflict });
    assert.equal((await ask("first")).status, "running");
    await rejects(ask("twice"), "DUPLICATE_ID", Error, /send-42/);
    assert.equal((await ask("joined", "join")).id, "first");
    assert.equal((await ask("after", "enqueue")).status, "queued");
    finish.get("first")!();
    await eventually("after starts", async () => (await m.getTask("after"))!.status === "running");
    assert.equal((await ask("instead", "replace")).status, "queued");
    await eventually("after is cancelled and instead runs", async () =>
      (await m.getTask("after"))!.status === "cancelled" && (await m.getTask("instead"))!.status === "running");
    assert.equal(await m.getTask("twice"), null);
    assert.equal(await m.getTask("joined"), null);
    check(m);
  });
});
