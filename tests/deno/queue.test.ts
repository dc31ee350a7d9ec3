// Issue 17, the queue: `limits: { global, keys }`, `concurrencyKey` and
// `priority` at launch, `pause()` and `resume()`, at the boundary.
import type { RunnerContext } from "../../pkg/background_manager.js";
import { assert, BackgroundManager, eventually, rejects, withManager } from "./helpers.ts";

const check = (m: BackgroundManager) =>
  assert.equal((m as unknown as Record<symbol, () => string>)[Symbol.for("background-manager.check")](), "");

/** A runner the test finishes by task id. */
function driven() {
  const finish = new Map<string, () => void>();
  const runner = (ctx: RunnerContext) =>
    new Promise((resolve) => finish.set(ctx.taskId!, () => resolve("done")));
  return { runner, finish };
}

const statusOf = async (m: BackgroundManager, id: string) => (await m.getTask(id))?.status;

Deno.test("keyed limits: a key counts against the keys above it; a full key lets others pass", async () => {
  const { runner, finish } = driven();
  await withManager({ runner, limits: { global: 3, keys: { openai: 2, "openai/gpt-5": 1 } } }, async (m) => {
    const launch = (id: string, concurrencyKey?: string) =>
      m.launch({ agent: "a", prompt: "p", id, concurrencyKey });
    assert.equal((await launch("g1", "openai/gpt-5")).status, "running");
    assert.equal((await launch("g2", "openai/gpt-5")).status, "queued");
    assert.equal((await launch("o1", "openai")).status, "running");
    assert.equal((await launch("m1", "openai/mini")).status, "queued");
    assert.equal((await launch("x1", "anthropic")).status, "running");
    // The global limit of 3 holds across keys.
    assert.equal((await launch("n1")).status, "queued");
    check(m);
    finish.get("g1")!();
    await eventually("g2 starts", async () => (await statusOf(m, "g2")) === "running");
    assert.equal(await statusOf(m, "m1"), "queued");
    assert.equal(await statusOf(m, "n1"), "queued", "g2 was older and had room");
    check(m);
  });
});

Deno.test("priority: higher first, creation order within one; pause holds the queue", async () => {
  const { runner, finish } = driven();
  await withManager({ runner, maxConcurrent: 1 }, async (m) => {
    await m.launch({ agent: "a", prompt: "p", id: "first" });
    await m.launch({ agent: "a", prompt: "p", id: "low" });
    await m.launch({ agent: "a", prompt: "p", id: "high", priority: 10 });
    await m.launch({ agent: "a", prompt: "p", id: "high2", priority: 10 });
    assert.equal(await m.pause(), undefined);
    finish.get("first")!();
    await eventually("first completes", async () => (await statusOf(m, "first")) === "completed");
    assert.equal(await statusOf(m, "high"), "queued", "paused: nothing starts");
    await m.resume();
    const order: string[] = [];
    for (const id of ["high", "high2", "low"]) {
      await eventually(`${id} starts`, async () => (await statusOf(m, id)) === "running");
      order.push(id);
      check(m);
      finish.get(id)!();
    }
    assert.deepEqual(order, ["high", "high2", "low"]);
  });
});

Deno.test("the queue options are checked with coded errors", async () => {
  await withManager(undefined, async (m) => {
    const base = { agent: "a", prompt: "p" };
    await rejects(m.launch({ ...base, concurrencyKey: 7 as unknown as string }), "INVALID_ARGUMENT", TypeError, /concurrencyKey/);
    await rejects(m.launch({ ...base, concurrencyKey: "" }), "INVALID_ARGUMENT", TypeError, /concurrencyKey/);
    await rejects(m.launch({ ...base, concurrencyKey: "a//b" }), "INVALID_ARGUMENT", Error, /concurrencyKey/);
    await rejects(m.launch({ ...base, priority: 1.5 }), "INVALID_ARGUMENT", RangeError, /priority/);
    await rejects(m.launch({ ...base, priority: "1" as unknown as number }), "INVALID_ARGUMENT", TypeError, /priority/);
    await rejects(m.launch({ ...base, priority: 2 ** 31 }), "INVALID_ARGUMENT", RangeError, /priority/);
    assert.deepEqual(await m.getAllTasks(), [], "nothing was launched");
  });
  const bad = (options: unknown, type: ErrorConstructor, message: RegExp) =>
    assert.throws(() => new BackgroundManager(options as never), (e: unknown) => {
      assert.ok(e instanceof type, String(e));
      assert.equal((e as { code?: string }).code, "INVALID_ARGUMENT");
      assert.match((e as Error).message, message);
      return true;
    });
  bad({ limits: { keys: { a: -1 } } }, RangeError, /limits\.keys\.a/);
  bad({ limits: { keys: { a: 1.5 } } }, RangeError, /limits\.keys\.a/);
  bad({ limits: { keys: 3 } }, TypeError, /limits\.keys/);
  bad({ limits: { global: "x" } }, TypeError, /limits\.global/);
  // 0 is no limit, for the global limit and for a key.
  const { runner } = driven();
  await withManager({ runner, limits: { global: 0, keys: { k: 0 } } }, async (m) => {
    for (let i = 0; i < 20; i++) {
      assert.equal((await m.launch({ agent: "a", prompt: "p", concurrencyKey: "k" })).status, "running");
    }
  });
});
