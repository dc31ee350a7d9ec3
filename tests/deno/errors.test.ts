// SPEC §4: every error code, every error a real Error with a `code`, and bad
// input that never hurts the instance.
import { assert, BackgroundManager, makeSession, rejects, withManager } from "./helpers.ts";

Deno.test("TASK_NOT_FOUND for every method that needs a task; getTask resolves null", async () => {
  await withManager(undefined, async (m) => {
    await rejects(m.completeTask("ghost"), "TASK_NOT_FOUND", Error, /Task "ghost" not found/);
    await rejects(m.failTask("ghost", "x"), "TASK_NOT_FOUND");
    await rejects(m.cancelTask("ghost"), "TASK_NOT_FOUND");
    await rejects(m.getOutput("ghost"), "TASK_NOT_FOUND");
    await rejects(m.getOutput("ghost", { wait: true }), "TASK_NOT_FOUND");
    assert.equal(await m.getTask("ghost"), null);
  });
});

Deno.test("INVALID_TRANSITION names the task and its status and changes nothing", async () => {
  await withManager(undefined, async (m, probe) => {
    for (const [finish, status] of [["complete", "completed"], ["fail", "error"], ["cancel", "cancelled"]]) {
      const t = await m.createTask({ options: {} });
      if (finish === "complete") await m.completeTask(t.id, 1);
      if (finish === "fail") await m.failTask(t.id, "first");
      if (finish === "cancel") await m.cancelTask(t.id);
      const before = await m.getTask(t.id);
      const says = new RegExp(`task "${t.id}": it is already ${status}`);
      await rejects(m.completeTask(t.id, 2), "INVALID_TRANSITION", Error, says);
      await rejects(m.failTask(t.id, "again"), "INVALID_TRANSITION", Error, says);
      await rejects(m.cancelTask(t.id, { force: true }), "INVALID_TRANSITION", Error, says);
      assert.deepEqual(await m.getTask(t.id), before);
    }
    assert.equal(probe.sent.length, 3, "one notification per task, none for refused transitions");
  });
});

Deno.test("DUPLICATE_ID keeps the existing task", async () => {
  await withManager(undefined, async (m) => {
    const first = await m.createTask({ id: "same", options: { n: 1 } });
    await rejects(m.createTask({ id: "same", options: { n: 2 } }), "DUPLICATE_ID", Error, /"same" already exists/);
    assert.deepEqual(await m.getTask("same"), first);
    assert.equal((await m.getAllTasks()).length, 1);
  });
});

Deno.test("NOT_INITIALIZED before initialize and after cleanup", async () => {
  const m = new BackgroundManager();
  await rejects(m.createTask({ options: {} }), "NOT_INITIALIZED", Error, /initialize/);
  // Reading works on an empty manager.
  assert.deepEqual(await m.getAllTasks(), []);
  await m.initialize(makeSession().session);
  await m.createTask({ options: {} });
  await m.cleanup();
  await rejects(m.createTask({ options: {} }), "NOT_INITIALIZED");
  await m.cleanup(); // twice is fine
});

Deno.test("new BackgroundManager() before init() throws a coded error", async () => {
  // A worker has a module map of its own, in which init() never ran.
  const source = `
    import { BackgroundManager } from ${JSON.stringify(new URL("../../pkg/background_manager.js", import.meta.url).href)};
    try { new BackgroundManager(); postMessage("no error"); }
    catch (e) { postMessage([e instanceof Error, e.code, e.message]); }`;
  const worker = new Worker(`data:application/javascript,${encodeURIComponent(source)}`, { type: "module" });
  try {
    const [isError, code, message] = await new Promise<unknown[]>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(e.message);
    });
    assert.equal(isError, true);
    assert.equal(code, "NOT_INITIALIZED");
    assert.match(String(message), /await init\(\)/);
  } finally {
    worker.terminate();
  }
});

Deno.test("DISPOSED for waiters pending at cleanup", async () => {
  const m = new BackgroundManager();
  await m.initialize(makeSession().session);
  const t = await m.createTask({ options: {} });
  const waits = [m.getOutput(t.id, { wait: true }), m.getOutput(t.id, { wait: true, timeout: 60000 })];
  await m.cleanup();
  for (const w of waits) await rejects(w, "DISPOSED", Error, new RegExp(t.id));
});

Deno.test("constructor options are validated synchronously", () => {
  const bad: [unknown, ErrorConstructor][] = [
    [42, TypeError],
    ["fast", TypeError],
    [[1], TypeError],
    [{ pollInterval: "100" }, TypeError],
    [{ pollInterval: 0 }, RangeError],
    [{ pollInterval: -5 }, RangeError],
    [{ pollInterval: NaN }, RangeError],
    [{ pollInterval: Infinity }, RangeError],
    [{ pollInterval: 2 ** 31 }, RangeError],
    [{ taskTTL: 0 }, RangeError],
    [{ taskTTL: Infinity }, RangeError],
    [{ taskTTL: null }, TypeError],
    [{ get pollInterval() { throw new Error("getter"); } }, TypeError],
  ];
  for (const [options, type] of bad) {
    assert.throws(
      () => new BackgroundManager(options as never),
      (e: unknown) => e instanceof type && (e as { code?: string }).code === "INVALID_ARGUMENT",
      `new BackgroundManager(${Deno.inspect(options)})`,
    );
  }
  for (const ok of [undefined, null, {}, { pollInterval: 1 }, { taskTTL: 1e12 }, { pollInterval: 0.5 }]) {
    new BackgroundManager(ok as never).free();
  }
});

Deno.test("initialize validates the session", async () => {
  const m = new BackgroundManager();
  const noop = async () => {};
  const bad: unknown[] = [
    undefined,
    null,
    "session",
    { getStatus: noop, sendMessage: noop },
    { id: "", getStatus: noop, sendMessage: noop },
    { id: 7, getStatus: noop, sendMessage: noop },
    { id: "s", sendMessage: noop },
    { id: "s", getStatus: "running", sendMessage: noop },
    { id: "s", getStatus: noop },
  ];
  for (const session of bad) {
    await rejects(m.initialize(session as never), "INVALID_ARGUMENT", Error);
  }
  await rejects(m.createTask({ options: {} }), "NOT_INITIALIZED");
  await m.cleanup();
});

Deno.test("every method rejects wrong-typed arguments with INVALID_ARGUMENT", async () => {
  await withManager(undefined, async (m) => {
    const t = await m.createTask({ id: "t", options: {} });
    const ids = [undefined, null, 0, 1, true, {}, [], "", Symbol("x"), 10n, () => "t", "\ud800"];
    const any = m as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const id of ids) {
      for (const method of ["completeTask", "failTask", "cancelTask", "getTask", "getOutput"]) {
        await rejects(any[method](id, "x"), "INVALID_ARGUMENT", Error);
      }
    }
    const bags = [42, "x", true, [1], Symbol("s")];
    for (const bag of bags) {
      await rejects(m.createTask(bag as never), "INVALID_ARGUMENT", TypeError);
      await rejects(m.cancelTask("t", bag as never), "INVALID_ARGUMENT", TypeError);
      await rejects(m.cancelAllTasks(bag as never), "INVALID_ARGUMENT", TypeError);
      await rejects(m.getOutput("t", bag as never), "INVALID_ARGUMENT", TypeError);
    }
    await rejects(m.createTask(undefined as never), "INVALID_ARGUMENT", TypeError);
    await rejects(m.createTask({ id: 5, options: {} } as never), "INVALID_ARGUMENT", TypeError);
    await rejects(m.createTask({ id: "", options: {} }), "INVALID_ARGUMENT", RangeError);
    await rejects(m.createTask({ sessionId: 5, options: {} } as never), "INVALID_ARGUMENT", TypeError);
    await rejects(m.cancelTask("t", { force: "yes" } as never), "INVALID_ARGUMENT", TypeError);
    await rejects(m.cancelAllTasks({ force: 1 } as never), "INVALID_ARGUMENT", TypeError);
    await rejects(m.getAllTasks("done" as never), "INVALID_ARGUMENT", RangeError);
    await rejects(m.getAllTasks(3 as never), "INVALID_ARGUMENT", TypeError);
    await rejects(m.getAllTasks(null as never), "INVALID_ARGUMENT", TypeError);
    await rejects(m.getOutput("t", { wait: 1 } as never), "INVALID_ARGUMENT", TypeError);
    await rejects(m.getOutput("t", { wait: true, timeout: -1 }), "INVALID_ARGUMENT", RangeError);
    await rejects(m.getOutput("t", { wait: true, timeout: NaN }), "INVALID_ARGUMENT", RangeError);
    await rejects(m.getOutput("t", { timeout: "5" } as never), "INVALID_ARGUMENT", TypeError);
    await rejects(m.callAgent(5 as never, "p"), "INVALID_ARGUMENT", TypeError);
    await rejects(m.callAgent("a", undefined as never), "INVALID_ARGUMENT", TypeError);
    const hostile = new Proxy({}, { get() { throw new Error("trap"); } });
    await rejects(m.createTask(hostile as never), "INVALID_ARGUMENT", TypeError, /trap/);
    await rejects(m.getOutput("t", hostile as never), "INVALID_ARGUMENT", TypeError, /trap/);

    // Nothing above changed the task or broke the instance.
    assert.equal((await m.getTask("t"))?.status, "running");
    assert.deepEqual((await m.getAllTasks()).map((x) => x.id), ["t"]);
    assert.equal((await m.completeTask(t.id, "fine")).status, "completed");
    assert.equal((await m.createTask({ options: {} })).status, "running");
  });
});

Deno.test("a storm of random wrong arguments leaves a working instance", async () => {
  await withManager(undefined, async (m) => {
    const values = [
      undefined, null, 0, -1, NaN, Infinity, "", "x", "running", true, false, [], [1], {},
      { id: 1 }, { options: {} }, { wait: true, timeout: -1 }, { force: 2 }, Symbol("s"), 1n,
      () => {}, new Proxy({}, { get() { throw 1; } }), Object.create(null), new Date(), /re/,
    ];
    const methods = [
      "initialize", "createTask", "completeTask", "failTask", "cancelTask", "getTask",
      "getAllTasks", "cancelAllTasks", "getOutput", "callAgent",
    ];
    const any = m as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    let seed = 7;
    const pick = <T>(xs: T[]) => xs[(seed = (seed * 48271) % 2147483647) % xs.length];
    for (let i = 0; i < 3000; i++) {
      const method = pick(methods);
      try {
        await any[method](pick(values), pick(values), pick(values));
      } catch (e) {
        assert.ok(e instanceof Error, `${method} rejected with a non-Error: ${String(e)}`);
        assert.ok(!(e instanceof WebAssembly.RuntimeError), `${method}: ${e}`);
        assert.equal(typeof (e as { code?: unknown }).code, "string", `${method}: ${e}`);
      }
    }
    // The session may have been replaced by nothing valid; the instance still works.
    await m.initialize(makeSession("after-storm").session);
    const t = await m.createTask({ options: { fine: true } });
    assert.equal((await m.completeTask(t.id)).status, "completed");
    assert.equal((await m.getTask(t.id))?.sessionId, "after-storm");
  });
});

Deno.test("the default build refuses the durable build's options and has nothing pending", async () => {
  for (const options of [{ store: { indexedDB: "x" } }, { notifyRetry: {} }, { notify: "each" }, { shared: "tabs" }, { storeTimeout: 1000 }]) {
    assert.throws(
      () => new BackgroundManager(options as never),
      (e: unknown) =>
        e instanceof TypeError && (e as { code?: string }).code === "INVALID_ARGUMENT" &&
        /needs the durable build: import from 'background-manager\/durable'/.test(e.message),
      JSON.stringify(options),
    );
  }
  await withManager(undefined, async (m) => {
    await m.createTask({ id: "t", options: null });
    await m.completeTask("t", 1);
    assert.deepEqual(await m.getPendingNotifications(), []);
  });
});
