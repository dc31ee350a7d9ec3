// The durable store on Deno KV (a local path per test), in one process: a
// second manager on the same KV is the page or process after a restart.
import { assert, BackgroundManager, eventually, makeSession, rejects, sleep } from "./helpers.ts";
import type { BackgroundManagerOptions, TaskNotification } from "../../pkg/durable/background_manager.js";

async function tempKv(): Promise<{ kv: Deno.Kv; path: string }> {
  const dir = await Deno.makeTempDir({ prefix: "bm-kv-" });
  const path = `${dir}/kv.sqlite3`;
  return { kv: await Deno.openKv(path), path };
}

const check = Symbol.for("background-manager.check");
function consistent(m: BackgroundManager) {
  assert.equal((m as unknown as Record<symbol, () => string>)[check](), "");
}

/** A runner that finishes when the test says: `release(id, value)`. */
function gatedRunner() {
  const gates = new Map<string, (v: unknown) => void>();
  const runner = ({ taskId, write, signal }: { taskId?: string; write(c: string): void; signal: AbortSignal }) =>
    new Promise((resolve, reject) => {
      write(`started ${taskId}\n`);
      gates.set(taskId!, resolve);
      signal.addEventListener("abort", () => reject(new Error("aborted")));
    });
  return { runner, release: (id: string, v: unknown) => gates.get(id)?.(v), gates };
}

Deno.test("tasks, results and output survive a restart; dead runs are interrupted, resumable ones run again", async () => {
  const { kv } = await tempKv();
  const g = gatedRunner();
  const a = new BackgroundManager({ store: { kv }, runner: g.runner as never });
  const pa = makeSession("s");
  await a.initialize(pa.session);
  const made = await a.createTask({ id: "made", options: { n: 1 } });
  await a.completeTask("made", { answer: 42, at: new Date(5) });
  await a.createTask({ id: "open", options: null });
  await a.appendOutput("open", "half-way");
  await a.launch({ id: "ran", agent: "x", prompt: "p1" });
  await a.launch({ id: "again", agent: "x", prompt: "p2", resume: true });
  await eventually("both runners started", () => g.gates.size === 2);
  // Output is written coalesced; let one save happen.
  await sleep(400);
  // The page goes away: free() stops this manager's runners without ending
  // their tasks, as a closed page or a killed process would.
  a.free();

  const b = new BackgroundManager({ store: { kv }, runner: g.runner as never });
  const pb = makeSession("s");
  await b.initialize(pb.session);
  consistent(b);
  const done = await b.getTask("made");
  assert.equal(done?.status, "completed");
  assert.deepEqual(done?.result, { answer: 42, at: new Date(5) });
  assert.deepEqual(done?.options, { n: 1 });
  assert.equal(done?.createdAt, made.createdAt);
  const open = await b.getTask("open");
  assert.equal(open?.status, "running", "a task driven from outside stays running");
  assert.equal(open?.output, "half-way");
  assert.equal((await b.getTask("ran"))?.status, "interrupted");
  assert.equal((await b.getTask("ran"))?.output, "started ran\n");
  const again = await b.getTask("again");
  assert.equal(again?.status, "running");
  assert.equal(again?.attempt, 2);
  await eventually("the notice of the interruption", () => pb.sent.some((n) => n.taskId === "ran"));
  const notice = pb.sent.find((n) => n.taskId === "ran")!;
  assert.equal(notice.status, "interrupted");
  assert.match(notice.notificationId!, /^[0-9a-f-]{36}$/);
  g.release("again", "second time");
  const out = await b.getOutput("again", { wait: true });
  assert.equal(out.result, "second time");
  await b.completeTask("open", "from outside, after the restart");
  consistent(b);
  await b.cleanup();
  b.free();
  kv.close();
});

Deno.test("TTL and eviction run as of the stored times on load", async () => {
  const { kv } = await tempKv();
  const options: BackgroundManagerOptions = { store: { kv }, taskTTL: 500 };
  const a = new BackgroundManager(options);
  await a.initialize(makeSession().session);
  const t = await a.createTask({ id: "late", options: 1 });
  await a.createTask({ id: "gone", options: 2 });
  await a.completeTask("gone");
  a.free();
  // Past one TTL of "late" (it failed then) and of "gone" (final since
  // then), short of two.
  await sleep(700);
  const b = new BackgroundManager(options);
  const probe = makeSession();
  await b.initialize(probe.session);
  const late = await b.getTask("late");
  assert.equal(late?.status, "error");
  assert.match(late?.error ?? "", /timed out/);
  assert.equal(late?.updatedAt, t.createdAt + 500, "failed as of its deadline");
  assert.equal(await b.getTask("gone"), null, "evicted: final for longer than a TTL");
  await b.cleanup();
  b.free();
  // The eviction reached the store too.
  const c = new BackgroundManager({ store: { kv } });
  await c.initialize(makeSession().session);
  assert.deepEqual((await c.getAllTasks()).map((t) => t.id), ["late"]);
  await c.cleanup();
  c.free();
  kv.close();
});

Deno.test("values that cannot be stored are refused at the call, and a runner's is stored as what can be", async () => {
  const { kv } = await tempKv();
  class Point {
    constructor(public x: number) {}
  }
  const runner = () => new Point(3);
  const a = new BackgroundManager({ store: { kv }, runner });
  await a.initialize(makeSession().session);
  await rejects(a.createTask({ options: { cb() {} } }), "INVALID_ARGUMENT", TypeError, /options\.cb is a function/);
  await rejects(a.launch({ agent: "x", prompt: "p", options: [1, new Point(1)] }), "INVALID_ARGUMENT", TypeError, /options\[1\] is an instance of Point/);
  await a.createTask({ id: "t", options: null });
  await rejects(a.completeTask("t", new Point(2)), "INVALID_ARGUMENT", TypeError, /result is an instance of Point/);
  assert.equal((await a.getTask("t"))?.status, "running", "a refused call changes nothing");
  await a.launch({ id: "r", agent: "x", prompt: "p" });
  const out = await a.getOutput("r", { wait: true });
  assert.ok(out.result instanceof Point, "in memory the result is as returned");
  await sleep(50);
  a.free();
  const b = new BackgroundManager({ store: { kv } });
  await b.initialize(makeSession().session);
  const r = await b.getTask("r");
  assert.equal(r?.status, "completed", "the transition is stored");
  assert.equal(r?.result, undefined, "the value that could not be stored is left out");
  await b.cleanup();
  b.free();
  kv.close();
});

/** A Deno.Kv whose writes fail while `down` is set, counting them. */
function flaky(kv: Deno.Kv) {
  const state = { down: false, commits: 0 };
  const wrapped = new Proxy(kv, {
    get(target, key) {
      if (key === "atomic") {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          op.commit = () => {
            state.commits++;
            return state.down ? Promise.reject(new Error("KV unreachable")) : commit();
          };
          return op;
        };
      }
      const v = Reflect.get(target, key);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { kv: wrapped, state };
}

Deno.test("a store failure rejects STORE_FAILED, the manager keeps working, and a later write catches up", async () => {
  const { kv } = await tempKv();
  const f = flaky(kv);
  const a = new BackgroundManager({ store: { kv: f.kv } });
  await a.initialize(makeSession().session);
  await a.createTask({ id: "before", options: 1 });
  f.state.down = true;
  await rejects(a.createTask({ id: "during", options: 2 }), "STORE_FAILED", Error, /KV unreachable/);
  assert.equal((await a.getTask("during"))?.status, "running", "the change stands in memory");
  await rejects(a.completeTask("before", "r"), "STORE_FAILED");
  consistent(a);
  f.state.down = false;
  await a.createTask({ id: "after", options: 3 });
  a.free();
  const b = new BackgroundManager({ store: { kv } });
  await b.initialize(makeSession().session);
  const tasks = await b.getAllTasks();
  assert.deepEqual(tasks.map((t) => [t.id, t.status]), [["before", "completed"], ["during", "running"], ["after", "running"]]);
  assert.equal(tasks[0].result, "r");
  await b.cleanup();
  b.free();
  kv.close();
});

/**
 * A Deno.Kv that gives no answer while `hold` is set, as a KV Connect
 * server that went away: each commit is kept in `held` (with the task keys
 * it sets and deletes) and never settles unless `land` commits it, late;
 * reads never settle. As a request in flight does, it keeps the process
 * alive until `close()`.
 */
function stalling(kv: Deno.Kv) {
  const alive = setInterval(() => {}, 60_000);
  type Held = { sets: string[]; deletes: string[]; pieces: string[]; commit: () => Promise<Deno.KvCommitResult | Deno.KvCommitError> };
  const state = { hold: false, held: [] as Held[] };
  const never = () => new Promise<never>(() => {});
  const wrapped = new Proxy(kv, {
    get(target, key) {
      if (key === "atomic") {
        return () => {
          const op = target.atomic();
          const held: Held = { sets: [], deletes: [], pieces: [], commit: op.commit.bind(op) };
          const set = op.set.bind(op);
          const del = op.delete.bind(op);
          op.set = (k, v, o) => {
            if (k[1] === "task") held.sets.push(String(k[2]));
            if (k[1] === "output") held.pieces.push(String(k[2]));
            return set(k, v, o);
          };
          op.delete = (k) => {
            if (k[1] === "task") held.deletes.push(String(k[2]));
            return del(k);
          };
          op.commit = () => {
            if (!state.hold) return held.commit();
            state.held.push(held);
            return never();
          };
          return op;
        };
      }
      if (key === "list") {
        return (selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
          if (!state.hold) return target.list(selector, options);
          return { next: never, [Symbol.asyncIterator]() { return this; } };
        };
      }
      if (key === "get" || key === "getMany") {
        return (...args: unknown[]) => (state.hold ? never() : (Reflect.get(target, key) as (...a: unknown[]) => unknown).apply(target, args));
      }
      const v = Reflect.get(target, key);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  /**
   * Commits, late, the last write held that sets (or deletes) task `id`'s
   * record (and, for `pieces`, writes its output).
   */
  const land = async (id: string, how: "sets" | "deletes" | "pieces") => {
    const held = state.held.findLast((h) => h[how].includes(id));
    assert.ok(held, `a write held that ${how} ${id}: ${JSON.stringify(state.held)}`);
    assert.equal((await held!.commit()).ok, true, `the write held that ${how} ${id} lands`);
  };
  return { kv: wrapped, state, land, close: () => clearInterval(alive) };
}

/**
 * Asserts that `p` rejects STORE_FAILED for want of an answer within `ms`
 * (the storeTimeout), after at most the write in flight and its own (two
 * deadlines) and some slack; returns how long it took.
 */
async function noAnswer(p: Promise<unknown>, ms: number) {
  const began = Date.now();
  const limit = 2 * ms + 800;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${limit} ms`)), limit);
  });
  try {
    await rejects(Promise.race([p, late]), "STORE_FAILED", Error, new RegExp(`no answer within ${ms} ms \\(storeTimeout\\)`));
  } finally {
    clearTimeout(timer);
  }
  return Date.now() - began;
}

Deno.test("a store that does not answer: the call rejects STORE_FAILED once storeTimeout passed, the change stands and goes with the next write", async () => {
  const { kv } = await tempKv();
  const s = stalling(kv);
  const a = new BackgroundManager({ store: { kv: s.kv }, storeTimeout: 100, runner: () => new Promise(() => {}) });
  await a.initialize(makeSession().session);
  await a.createTask({ id: "before", options: 1 });
  s.state.hold = true;
  const took = await noAnswer(a.createTask({ id: "during", options: 2 }), 100);
  // Not before the deadline (a timer never fires early).
  assert.ok(took >= 95, `rejected after ${took} ms`);
  assert.equal((await a.getTask("during"))?.status, "running", "the change stands in memory");
  // Each call gets its answer within its deadline, not after the backoff
  // between retries, which grows meanwhile (250 ms doubling).
  await noAnswer(a.completeTask("before", "r"), 100);
  assert.equal((await a.getTask("before"))?.status, "completed");
  await noAnswer(a.createTask({ id: "later", options: 3 }), 100);
  await noAnswer(a.failTask("later", "no"), 100);
  await noAnswer(a.launch({ id: "run", agent: "a", prompt: "p" }), 100);
  assert.deepEqual((await a.getAllTasks()).map((t) => [t.id, t.status]), [["before", "completed"], ["during", "running"], ["later", "error"], ["run", "running"]]);
  consistent(a);
  // What was held is never answered: the next write carries it all.
  s.state.hold = false;
  await a.createTask({ id: "after", options: 4 });
  a.free();
  const b = new BackgroundManager({ store: { kv } });
  await b.initialize(makeSession().session);
  const tasks = await b.getAllTasks();
  // The launched task's runner died with `a`.
  assert.deepEqual(
    tasks.map((t) => [t.id, t.status]),
    [["before", "completed"], ["during", "running"], ["later", "error"], ["run", "interrupted"], ["after", "running"]],
  );
  assert.equal(tasks[0].result, "r");
  await b.cleanup();
  b.free();
  s.close();
  kv.close();
});

Deno.test("a load that gets no answer rejects initialize STORE_FAILED within storeTimeout, and a later initialize loads", async () => {
  const { kv } = await tempKv();
  const a = new BackgroundManager({ store: { kv } });
  await a.initialize(makeSession().session);
  await a.createTask({ id: "t", options: 1 });
  a.free();
  const s = stalling(kv);
  const b = new BackgroundManager({ store: { kv: s.kv }, storeTimeout: 100 });
  s.state.hold = true;
  await noAnswer(b.initialize(makeSession().session), 100);
  await rejects(b.createTask({ options: 2 }), "NOT_INITIALIZED");
  s.state.hold = false;
  await b.initialize(makeSession().session);
  assert.equal((await b.getTask("t"))?.status, "running");
  await b.cleanup();
  b.free();
  s.close();
  kv.close();
});

Deno.test("a load that takes longer than storeTimeout in all, each read answered within it, is not cut short", async () => {
  const { kv } = await tempKv();
  const a = new BackgroundManager({ store: { kv } });
  await a.initialize(makeSession().session);
  for (let i = 0; i < 5; i++) await a.createTask({ id: `t${i}`, options: i });
  a.free();
  // Every step of a list answers after 40 ms: the load of 5 tasks takes
  // about 300 ms, three times the deadline.
  const slow = new Proxy(kv, {
    get(target, key) {
      if (key === "list") {
        return (selector: Deno.KvListSelector, options?: Deno.KvListOptions) => {
          const entries = target.list(selector, options);
          return {
            next: () => sleep(40).then(() => entries.next()),
            [Symbol.asyncIterator]() {
              return this;
            },
          };
        };
      }
      const v = Reflect.get(target, key);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const b = new BackgroundManager({ store: { kv: slow }, storeTimeout: 100 });
  const began = Date.now();
  await b.initialize(makeSession().session);
  assert.ok(Date.now() - began > 200, "the load took longer than the deadline");
  assert.deepEqual((await b.getAllTasks()).map((t) => t.id), ["t0", "t1", "t2", "t3", "t4"]);
  await b.cleanup();
  b.free();
  kv.close();
});

Deno.test("writes that land after their deadline: the next write goes on top of them, deleting every output piece and record they left", async () => {
  const { kv } = await tempKv();
  const s = stalling(kv);
  // A task times out 400 ms after its creation, and is evicted 400 ms after
  // it ended.
  const a = new BackgroundManager({ store: { kv: s.kv }, storeTimeout: 100, taskTTL: 400 });
  await a.initialize(makeSession().session);
  await a.createTask({ id: "gone", options: 1 });
  await a.completeTask("gone", "r");
  s.state.hold = true;
  const big = a.createTask({ id: "big", options: 2 });
  // Three pieces of output (30,000 units each), written with the record.
  await a.appendOutput("big", "x".repeat(70_000));
  await noAnswer(big, 100);
  // Each call writes what is pending at once, into the held writes: big's
  // final record with its output, then both removals.
  await eventually("big timed out", async () => (await a.getTask("big"))?.status === "error");
  await noAnswer(a.createTask({ id: "poke", options: 3 }), 100);
  await eventually("both evicted", async () => (await a.getTask("big")) === null && (await a.getTask("gone")) === null);
  await noAnswer(a.createTask({ id: "poke again", options: 4 }), 100);
  // The server delivers, past their deadlines, gone's removal and big's
  // record with its pieces (never written before).
  await s.land("gone", "deletes");
  await s.land("big", "pieces");
  s.state.hold = false;
  // This write removes both, on top of what landed: gone's removal finds it
  // gone already, big's must take the pieces the late write left.
  await a.createTask({ id: "after", options: 5 });
  const left: Deno.KvKey[] = [];
  for await (const e of kv.list({ prefix: ["background-manager"] })) {
    if (e.key[2] === "big" || e.key[2] === "gone") left.push(e.key);
  }
  assert.deepEqual(left, [], "nothing of big or gone is left");
  consistent(a);
  a.free();
  s.close();
  kv.close();
});

Deno.test("options.storeTimeout is checked: a finite number of ms > 0, with a store", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    for (const [options, type, message] of [
      [{ storeTimeout: 1000 }, TypeError, /options\.storeTimeout needs options\.store/],
      [{ storeTimeout: "5s", store: { kv } }, TypeError, /options\.storeTimeout must be a number, got "5s"/],
      [{ storeTimeout: null, store: { kv } }, TypeError, /options\.storeTimeout must be a number, got null/],
      [{ storeTimeout: 0, store: { kv } }, RangeError, /options\.storeTimeout must be > 0/],
      [{ storeTimeout: NaN, store: { kv } }, RangeError, /options\.storeTimeout must be > 0/],
      [{ storeTimeout: Infinity, store: { kv } }, RangeError, /options\.storeTimeout must be a finite number/],
      [{ storeTimeout: 2 ** 31, store: { kv } }, RangeError, /options\.storeTimeout must be a number of ms up to 2147483647/],
    ] as const) {
      assert.throws(
        () => new BackgroundManager(options as never),
        (e: unknown) => e instanceof type && (e as { code?: string }).code === "INVALID_ARGUMENT" && message.test((e as Error).message),
        String(options.storeTimeout),
      );
    }
    // A fraction of a ms is taken (rounded up, as every duration is).
    new BackgroundManager({ store: { kv }, storeTimeout: 0.5 }).free();
  } finally {
    kv.close();
  }
});

Deno.test("streamed output is written coalesced, not per chunk, and kept up to the last write", async () => {
  const { kv } = await tempKv();
  const f = flaky(kv);
  const a = new BackgroundManager({ store: { kv: f.kv } });
  await a.initialize(makeSession().session);
  await a.createTask({ id: "s", options: null });
  await sleep(20);
  const before = f.state.commits;
  for (let i = 0; i < 200; i++) {
    await a.appendOutput("s", `line ${i}\n`);
    if (i % 20 === 0) await sleep(10);
  }
  await sleep(600);
  const writes = f.state.commits - before;
  assert.ok(writes >= 1 && writes <= 4, `200 chunks in ${writes} writes`);
  a.free();
  const b = new BackgroundManager({ store: { kv } });
  await b.initialize(makeSession().session);
  const out = await b.getOutput("s");
  assert.equal(out.output.split("\n").length, 201);
  assert.equal(out.cursor, out.output.length);
  await b.cleanup();
  b.free();
  kv.close();
});

/** A session whose sendMessage fails `failures` times (Infinity: always). */
function failingSession(id: string, failures: number) {
  const calls: TaskNotification[] = [];
  const delivered: TaskNotification[] = [];
  return {
    calls,
    delivered,
    session: {
      id,
      getStatus: () => "running",
      sendMessage: (m: TaskNotification) => {
        calls.push(m);
        if (calls.length <= failures) return Promise.reject(new Error(`refused #${calls.length}`));
        delivered.push(m);
        return Promise.resolve();
      },
    },
  };
}

Deno.test("a sendMessage that fails 3 times is retried until it succeeds, with one notificationId", async () => {
  const { kv } = await tempKv();
  const m = new BackgroundManager({ store: { kv }, notifyRetry: { attempts: 5, initialDelay: 20, maxDelay: 80 } });
  const s = failingSession("s", 3);
  await m.initialize(s.session);
  await m.createTask({ id: "t", options: null });
  await m.completeTask("t", "r");
  await eventually("the first send", () => s.calls.length >= 1);
  const pending = await m.getPendingNotifications();
  assert.equal(pending.length, 1);
  assert.equal(pending[0].taskId, "t");
  await eventually("the fourth send", () => s.delivered.length === 1);
  assert.equal(s.calls.length, 4);
  assert.equal(new Set(s.calls.map((c) => c.notificationId)).size, 1, "one id on every retry");
  await eventually("nothing pending", async () => (await m.getPendingNotifications()).length === 0);
  await m.cleanup();
  m.free();
  kv.close();
});

Deno.test("a sendMessage that always fails: retries are bounded, the notice is kept, and sent again after a restart", async () => {
  const { kv } = await tempKv();
  const options: BackgroundManagerOptions = { store: { kv }, notifyRetry: { attempts: 3, initialDelay: 10, maxDelay: 40 } };
  const m = new BackgroundManager(options);
  const s = failingSession("s", Infinity);
  await m.initialize(s.session);
  await m.createTask({ id: "t", options: null });
  await m.completeTask("t", "r");
  await eventually("parked", async () => (await m.getPendingNotifications())[0]?.state === "parked");
  await sleep(300);
  assert.equal(s.calls.length, 3, "no more than `attempts` sends");
  const [p] = await m.getPendingNotifications();
  assert.equal(p.attempts, 3);
  m.free();
  const again = new BackgroundManager(options);
  const ok = failingSession("s", 0);
  await again.initialize(ok.session);
  await eventually("delivered after the restart", () => ok.delivered.length === 1);
  assert.equal(ok.delivered[0].notificationId, s.calls[0].notificationId);
  assert.equal(ok.delivered[0].taskId, "t");
  await again.cleanup();
  again.free();
  kv.close();
});

Deno.test("batched notifications: one sendMessage for a burst, sent within maxDelay", async () => {
  const sent: unknown[] = [];
  const m = new BackgroundManager({ notify: { debounce: 30, maxDelay: 200 } });
  await m.initialize({ id: "s", getStatus: () => "running", sendMessage: (msg: unknown) => void sent.push(msg) });
  const start = Date.now();
  for (let i = 0; i < 10; i++) {
    await m.createTask({ id: `t${i}`, options: null });
    await m.completeTask(`t${i}`, i);
  }
  await eventually("the batch", () => sent.length === 1);
  assert.ok(Date.now() - start < 1000);
  const batch = sent[0] as { type: string; notifications: TaskNotification[] };
  assert.equal(batch.type, "task_completions");
  assert.deepEqual(batch.notifications.map((n) => n.taskId), [...Array(10).keys()].map((i) => `t${i}`));
  await m.cleanup();
  m.free();
});

Deno.test("options: a bad store, notifyRetry or notify throws INVALID_ARGUMENT at construction", () => {
  const bad = [
    { store: {} },
    { store: { kv: {} } },
    { store: { indexedDB: "x" } },
    { notifyRetry: { attempts: 0 } },
    { notifyRetry: { initialDelay: 100, maxDelay: 10 } },
    { notify: "sometimes" },
    { notify: { debounce: 10 } },
  ];
  for (const options of bad) {
    assert.throws(() => new BackgroundManager(options as never), (e: unknown) => (e as { code?: string }).code === "INVALID_ARGUMENT", JSON.stringify(options));
  }
});

Deno.test("a value serialization refuses that the check let through is left out, and later writes go on", async () => {
  const { kv } = await tempKv();
  // A Proxy passes as a plain object but cannot be serialized.
  const runner = () => new Proxy({ a: 1 }, {});
  const a = new BackgroundManager({ store: { kv }, runner });
  await a.initialize(makeSession().session);
  await a.launch({ id: "p", agent: "x", prompt: "p" });
  assert.equal((await a.getOutput("p", { wait: true })).status, "completed");
  await a.createTask({ id: "after", options: 1 });
  a.free();
  const b = new BackgroundManager({ store: { kv } });
  await b.initialize(makeSession().session);
  const p = await b.getTask("p");
  assert.equal(p?.status, "completed");
  assert.equal(p?.result, undefined);
  assert.equal((await b.getTask("after"))?.status, "running", "the next write went through");
  await b.cleanup();
  b.free();
  kv.close();
});

Deno.test("initialize called again while the store loads waits for that load: nothing is loaded twice", async () => {
  const { kv } = await tempKv();
  const a = new BackgroundManager({ store: { kv }, notifyRetry: { attempts: 1, initialDelay: 10, maxDelay: 10 } });
  await a.initialize(failingSession("s", Infinity).session);
  await a.createTask({ id: "t", options: null });
  await a.completeTask("t", "r");
  await eventually("parked", async () => (await a.getPendingNotifications())[0]?.state === "parked");
  a.free();
  const b = new BackgroundManager({ store: { kv } });
  const first = failingSession("s", 0);
  const second = failingSession("s", 0);
  await Promise.all([b.initialize(first.session), b.initialize(second.session)]);
  await eventually("delivered", async () => (await b.getPendingNotifications()).length === 0);
  await sleep(50);
  assert.equal(first.delivered.length + second.delivered.length, 1, "one stored notice, sent once");
  assert.deepEqual((await b.getAllTasks()).map((t) => t.id), ["t"]);
  consistent(b);
  await b.cleanup();
  b.free();
  kv.close();
});

Deno.test("a cleanup while initialize loads the store: initialize rejects DISPOSED, and a later one loads", async () => {
  const { kv } = await tempKv();
  const a = new BackgroundManager({ store: { kv } });
  await a.initialize(makeSession().session);
  await a.createTask({ id: "t", options: null });
  a.free();
  const b = new BackgroundManager({ store: { kv } });
  const loading = b.initialize(makeSession().session);
  await b.cleanup();
  await rejects(loading, "DISPOSED");
  await rejects(b.createTask({ options: null }), "NOT_INITIALIZED");
  await b.initialize(makeSession().session);
  assert.equal((await b.getTask("t"))?.status, "running");
  await b.cleanup();
  b.free();
  kv.close();
});

Deno.test("the log is stored with the task: a reader resumes from its last seq with no duplicate and no hole", async () => {
  const { kv } = await tempKv();
  const a = new BackgroundManager({ store: { kv } });
  await a.initialize(makeSession("s").session);
  await a.createTask({ id: "t", options: {} });
  // Enough output to need more than one KV piece for the log.
  for (let i = 0; i < 40; i++) await a.appendOutput("t", `chunk ${i} ` + "x".repeat(2000));
  const before = (await a.readLog("t")).entries;
  const lastSeen = before[20].seq;
  // Output and log are saved coalesced; let one save happen.
  await sleep(400);
  a.free();

  const b = new BackgroundManager({ store: { kv } });
  await b.initialize(makeSession("s").session);
  consistent(b);
  assert.deepEqual((await b.readLog("t")).entries, before, "the log reads back as it was");
  const resumed: number[] = [];
  const reader = (async () => {
    for await (const e of b.watch("t", { from: lastSeen })) resumed.push(e.seq);
  })();
  await b.appendOutput("t", "after the restart");
  await b.completeTask("t", "done");
  await reader;
  const expected = [...before.slice(21).map((e) => e.seq), before.at(-1)!.seq + 1, before.at(-1)!.seq + 2];
  assert.deepEqual(resumed, expected);
  const all = (await b.readLog("t")).entries;
  assert.deepEqual(all.slice(-2).map((e) => e.type), ["output", "status"]);
  consistent(b);
  b.free();
  kv.close();
});

Deno.test("a launched task's log survives its runner's death: interrupted is the next entry", async () => {
  const { kv } = await tempKv();
  const runner = ({ progress }: { progress(p: { done: number }): void }) => {
    progress({ done: 1 });
    return new Promise(() => {});
  };
  const a = new BackgroundManager({ store: { kv }, runner: runner as never });
  await a.initialize(makeSession("s").session);
  await a.launch({ id: "r", agent: "x", prompt: "p" });
  const before = (await a.readLog("r")).entries;
  assert.deepEqual(before.map((e) => e.type), ["status", "status", "progress"]);
  await sleep(400);
  a.free();
  const b = new BackgroundManager({ store: { kv } });
  await b.initialize(makeSession("s").session);
  const after = (await b.readLog("r")).entries;
  assert.deepEqual(after.slice(0, 3), before);
  assert.deepEqual([after[3].seq, after[3].type, (after[3] as { status?: string }).status], [4, "status", "interrupted"]);
  assert.deepEqual((await b.getTask("r"))?.progress, { done: 1 });
  consistent(b);
  b.free();
  kv.close();
});

Deno.test("options.shared and sharedLease are checked: a non-empty string, with a store; a lease of at least 100 ms, with shared", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    for (const [options, message] of [
      [{ shared: "", store: { kv } }, /options\.shared must be a non-empty string, got an empty string/],
      [{ shared: 7, store: { kv } }, /options\.shared must be a non-empty string, got 7/],
      [{ shared: "tabs" }, /options\.shared needs options\.store/],
      [{ sharedLease: 1000, store: { kv } }, /options\.sharedLease needs options\.shared/],
      [{ shared: "p", sharedLease: "1s", store: { kv } }, /options\.sharedLease must be a number/],
    ] as const) {
      assert.throws(
        () => new BackgroundManager(options as never),
        (e: unknown) => e instanceof TypeError && (e as { code?: string }).code === "INVALID_ARGUMENT" && message.test(e.message),
        JSON.stringify({ ...options, store: undefined }),
      );
    }
    assert.throws(
      () => new BackgroundManager({ shared: "p", sharedLease: 99, store: { kv } }),
      (e: unknown) => e instanceof RangeError && (e as { code?: string }).code === "INVALID_ARGUMENT" && /at least 100 ms/.test(e.message),
    );
    const m = new BackgroundManager({ store: { kv } });
    assert.equal(m.getOwner(), null, "not shared: no owner tab");
    m.onOwner(() => {})();
    m.free();
    // On a KV store the processes meet on the KV: one manager alone takes
    // the free lease at once and owns itself, and cleanup closes what it opened.
    const alone = new BackgroundManager({ store: { kv }, shared: "deno-alone" });
    await alone.initialize(makeSession().session);
    assert.equal(alone.getOwner()?.self, true);
    await alone.createTask({ id: "t", options: {} });
    assert.equal((await alone.getTask("t"))?.status, "running");
    await alone.cleanup();
    alone.free();
  } finally {
    kv.close();
  }
});

Deno.test("initialize after cleanup loads the store again, also when cleanup had nothing left to write", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const a = new BackgroundManager({ store: { kv } });
    await a.initialize(makeSession().session);
    await a.createTask({ id: "kept", options: {} });
    await a.cleanup();
    // Another manager changes the stored task meanwhile.
    const b = new BackgroundManager({ store: { kv } });
    await b.initialize(makeSession().session);
    await b.completeTask("kept", "by b");
    await b.cleanup();
    b.free();
    await a.initialize(makeSession().session);
    const t = await a.getTask("kept");
    assert.equal(t?.status, "completed", "what the store holds now, not what a forgot");
    assert.equal(t?.result, "by b");
    await a.cleanup();
    a.free();
  } finally {
    kv.close();
  }
});
