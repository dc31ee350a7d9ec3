// The durable build's whole surface against hostile values (the walk of
// tests/browser/surface.js): its constructor's store, inbox and sharing
// options too, a manager whose store refuses what it cannot keep, and a tab
// that forwards every call to the owner of a shared manager.
import { assert, BackgroundManager, makeSession } from "./helpers.ts";
// @ts-types="../browser/surface.d.ts"
import { CONSTRUCTOR_KEYS, OBJECT, walk, walkingRunner } from "../browser/surface.js";

Deno.test("every method, option and runner-context function of a manager with a store refuses hostile values with INVALID_ARGUMENT", async () => {
  const kv = await Deno.openKv(":memory:");
  const runner = walkingRunner();
  const m = new BackgroundManager({ store: { kv }, runner });
  try {
    await m.initialize(makeSession("s").session);
    const store = { store: { kv } };
    const constructorKeys: [string, object, symbol?][] = [
      ...CONSTRUCTOR_KEYS,
      ["store", {}],
      ["store.kv", {}],
      ["store.indexedDB", {}],
      ["notifyRetry", {}, OBJECT],
      ["notifyRetry.attempts", {}],
      ["notifyRetry.initialDelay", {}],
      ["notifyRetry.maxDelay", {}],
      ["notify", {}],
      ["notify.debounce", { notify: { maxDelay: 10 } }],
      ["notify.maxDelay", { notify: { debounce: 1 } }],
      ["shared", store],
      ["sharedLease", { ...store, shared: "walk" }],
    ];
    const calls = await walk(BackgroundManager, m, { constructorKeys, runner });
    assert.ok(calls > 700, `${calls} hostile calls`);
  } finally {
    await m.cleanup();
    m.free();
    kv.close();
  }
});

Deno.test("a tab that forwards its calls to the owner refuses hostile values in the same way", async () => {
  const kv = await Deno.openKv(":memory:");
  const runner = walkingRunner();
  const make = () => new BackgroundManager({ store: { kv }, shared: "hostile", runner });
  const [owner, other] = [make(), make()];
  try {
    await owner.initialize(makeSession("s").session);
    await other.initialize(makeSession("s").session);
    assert.equal(other.getOwner()?.self, false);
    const calls = await walk(BackgroundManager, other, { forwarded: true, runner });
    assert.ok(calls > 400, `${calls} hostile calls`);
    // The owner answered every call it was sent, and still does.
    assert.equal((await other.getTask("t"))?.status, "running");
  } finally {
    for (const m of [other, owner]) {
      await m.cleanup();
      m.free();
    }
    kv.close();
  }
});
