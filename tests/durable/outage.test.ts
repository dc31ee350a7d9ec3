// A denokv server that goes away (SIGKILL) and comes back on the same port
// with the same data. Deno's KV Connect client waits for a server that went
// away without end; the manager's deadline (`storeTimeout`) turns that into
// STORE_FAILED for each call that needed a write, the changes stand in
// memory, and once the server is back everything pending is written. A load
// meanwhile rejects `initialize()`, and a later one loads. Needs
// DENOKV=path/to/denokv (`make test` sets it).
import { assert, BackgroundManager, denokvServer, eventually, makeSession, rejects } from "./helpers.ts";

const denokv = Deno.env.get("DENOKV");
const TIMEOUT = 500;
// A call may first wait for the write in flight (one deadline) before its
// own write (another), on a loaded machine.
const SLACK = TIMEOUT + 2000;
const PREFIX = "background-manager";

/** Asserts that `p` rejects `code` for want of an answer, within the deadline and slack. */
async function rejectsWithin(p: Promise<unknown>, code: string, what: string) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${TIMEOUT + SLACK} ms`)), TIMEOUT + SLACK);
  });
  try {
    await rejects(Promise.race([p, late]), code, Error, /no answer within 500 ms \(storeTimeout\)/);
  } finally {
    clearTimeout(timer);
  }
}

/** The statuses stored for `ids`, as a fresh client of the server reads them. */
async function stored(url: string, ids: string[]) {
  const kv = await Deno.openKv(url);
  try {
    const entries = await kv.getMany<{ status: string; result?: unknown }[]>(ids.map((id) => [PREFIX, "task", id]));
    return entries.map((e) => e.value?.status ?? null);
  } finally {
    kv.close();
  }
}

Deno.test({
  name: "a denokv server killed: calls reject STORE_FAILED within storeTimeout, and after its restart everything pending is written",
  ignore: !denokv,
  // The requests abandoned at their deadline are Deno's to finish.
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "bm-outage-" });
    const denokvServerAt = denokvServer(denokv!, dir);
    // Stopped at the end only if running: a failure's own message first.
    let up = false;
    const server = {
      url: denokvServerAt.url,
      start: async () => {
        await denokvServerAt.start();
        up = true;
      },
      stop: async () => {
        up = false;
        await denokvServerAt.stop();
      },
    };
    await server.start();
    const kv = await Deno.openKv(server.url);
    let finish: (v: unknown) => void = () => {};
    const runner = () => new Promise((resolve) => (finish = resolve));
    const m = new BackgroundManager({ store: { kv }, storeTimeout: TIMEOUT, runner });
    let b: BackgroundManager | undefined;
    try {
      await m.initialize(makeSession().session);
      await m.createTask({ id: "before", options: 1 });
      assert.deepEqual(await stored(server.url, ["before"]), ["running"]);

      await server.stop();
      await rejectsWithin(m.createTask({ id: "during", options: 2 }), "STORE_FAILED", "createTask");
      await rejectsWithin(m.launch({ id: "run", agent: "a", prompt: "p" }), "STORE_FAILED", "launch");
      await rejectsWithin(m.completeTask("before", "r"), "STORE_FAILED", "completeTask");
      // The runner ends while the server is away: no call waits for that write.
      finish("ran");
      await eventually("run completed in memory", async () => (await m.getTask("run"))?.status === "completed");
      assert.deepEqual(
        (await m.getAllTasks()).map((t) => [t.id, t.status]),
        [["before", "completed"], ["during", "running"], ["run", "completed"]],
        "the changes stand in memory",
      );

      await server.start();
      // Nothing calls now: the retry after the backoff writes it all.
      await eventually(
        "everything pending written",
        async () => JSON.stringify(await stored(server.url, ["before", "during", "run"])) === '["completed","running","completed"]',
        30_000,
      );
      await m.cleanup();
      m.free();

      // A load with the server away rejects initialize, and a later one loads.
      await server.stop();
      b = new BackgroundManager({ store: { kv }, storeTimeout: TIMEOUT });
      await rejectsWithin(b.initialize(makeSession().session), "STORE_FAILED", "initialize");
      await rejects(b.createTask({ options: 3 }), "NOT_INITIALIZED");
      await server.start();
      await b.initialize(makeSession().session);
      const tasks = await b.getAllTasks();
      assert.deepEqual(tasks.map((t) => [t.id, t.status]), [["before", "completed"], ["during", "running"], ["run", "completed"]]);
      assert.equal(tasks[0].result, "r");
      assert.equal(tasks[2].result, "ran");
      await b.cleanup();
    } finally {
      m.free();
      b?.free();
      kv.close();
      if (up) await server.stop();
    }
  },
});
