// Issue 16: a numbered log per task, readLog, watch() and watchAll(), a
// signal on every wait, and progress from runners.
import type { RunnerContext, TaskLogEntry } from "../../pkg/background_manager.js";
import { assert, BackgroundManager, eventually, makeSession, rejects, sleep, withManager } from "./helpers.ts";

const check = (m: BackgroundManager) =>
  assert.equal((m as unknown as Record<symbol, () => string>)[Symbol.for("background-manager.check")](), "");

async function collect(it: AsyncIterable<TaskLogEntry>): Promise<TaskLogEntry[]> {
  const out: TaskLogEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

const brief = (e: TaskLogEntry) =>
  e.type === "status" ? `${e.seq}:${e.status}` : e.type === "output" ? `${e.seq}:${e.text}` : `${e.seq}:${e.type}`;

/** A runner that waits to be told what to do, so tests drive it step by step. */
function driven() {
  const contexts = new Map<string, RunnerContext & { finish: (v?: unknown) => void }>();
  const runner = (ctx: RunnerContext) =>
    new Promise((resolve, reject) => {
      contexts.set(ctx.taskId!, Object.assign(ctx, { finish: resolve }));
      ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
    });
  return { runner, contexts };
}

Deno.test("readLog numbers every entry from 1 and pages with after, limit, next and final", async () => {
  await withManager(undefined, async (m) => {
    const t = await m.createTask({ id: "t", options: {} });
    await m.appendOutput("t", "a");
    await m.appendOutput("t", "bc");
    await m.completeTask("t", { ok: true });
    const all = await m.readLog("t");
    assert.deepEqual(all.entries.map(brief), ["1:running", "2:a", "3:bc", "4:completed"]);
    assert.equal(all.entries[0].at, t.createdAt);
    assert.deepEqual(all.entries[2], { seq: 3, type: "output", at: all.entries[2].at, text: "bc", cursor: 3 });
    assert.equal(all.next, 4);
    assert.equal(all.final, true);
    const page = await m.readLog("t", { after: 1, limit: 2 });
    assert.deepEqual(page.entries.map(brief), ["2:a", "3:bc"]);
    assert.equal(page.next, 3);
    assert.equal(page.final, false);
    const rest = await m.readLog("t", { after: page.next });
    assert.deepEqual(rest.entries.map(brief), ["4:completed"]);
    assert.equal(rest.final, true);
    check(m);
  });
});

Deno.test("a task that only ever had its statuses reads them from its times", async () => {
  await withManager(undefined, async (m) => {
    await m.createTask({ id: "quiet", options: null });
    const failed = await m.failTask("quiet", "broke");
    const { entries } = await m.readLog("quiet");
    assert.deepEqual(entries, [
      { seq: 1, type: "status", at: failed.createdAt, status: "running" },
      { seq: 2, type: "status", at: failed.updatedAt, status: "error", error: "broke" },
    ]);
    check(m);
  });
});

Deno.test("readLog and watch name the problem with a coded error", async () => {
  await withManager(undefined, async (m) => {
    await rejects(m.readLog("nope"), "TASK_NOT_FOUND", Error, /nope/);
    await rejects(m.readLog(42 as unknown as string), "INVALID_ARGUMENT", TypeError);
    await m.createTask({ id: "t", options: {} });
    await rejects(m.readLog("t", { after: -1 }), "INVALID_ARGUMENT", RangeError);
    await rejects(m.readLog("t", { limit: 0 }), "INVALID_ARGUMENT", RangeError);
    await rejects(m.readLog("t", "x" as never), "INVALID_ARGUMENT", TypeError);
    assert.throws(() => m.watch("nope"), (e: { code?: string }) => e.code === "TASK_NOT_FOUND");
    assert.throws(() => m.watch("t", { from: 1.5 }), (e: { code?: string }) => e.code === "INVALID_ARGUMENT");
    assert.throws(() => m.watch("t", { signal: {} as AbortSignal }), (e: { code?: string }) => e.code === "INVALID_ARGUMENT");
  });
});

Deno.test("two watchers from 0 and from -5 see exactly their entries, in order", async () => {
  await withManager(undefined, async (m) => {
    await m.createTask({ id: "t", options: {} });
    for (let i = 1; i <= 10; i++) await m.appendOutput("t", `c${i}`);
    const fromStart = collect(m.watch("t"));
    const lastFive = collect(m.watch("t", { from: -5 }));
    await m.appendOutput("t", "c11");
    await m.completeTask("t", 1);
    const a = await fromStart;
    const b = await lastFive;
    const names = ["1:running", ...Array.from({ length: 11 }, (_, i) => `${i + 2}:c${i + 1}`), "13:completed"];
    assert.deepEqual(a.map(brief), names);
    // The last five when it started (seqs 7..11), then what came after.
    assert.deepEqual(b.map(brief), names.slice(6));
    // From a seq: the entries after it.
    assert.deepEqual((await collect(m.watch("t", { from: 11 }))).map(brief), names.slice(11));
  });
});

Deno.test("1,000 watchers on one task all finish when it does", async () => {
  await withManager(undefined, async (m) => {
    await m.createTask({ id: "t", options: {} });
    const watchers = Array.from({ length: 1000 }, () => collect(m.watch("t")));
    await m.appendOutput("t", "x");
    await m.cancelTask("t");
    const seen = await Promise.all(watchers);
    for (const entries of seen) assert.deepEqual(entries.map(brief), ["1:running", "2:x", "3:cancelled"]);
  });
});

Deno.test("for await over a task cancelled mid-stream ends with the cancelled entry", async () => {
  const { runner, contexts } = driven();
  await withManager({ runner, cancelGracePeriod: 50 }, async (m) => {
    await m.launch({ id: "run", agent: "a", prompt: "p" });
    const seen: TaskLogEntry[] = [];
    const done = (async () => {
      for await (const e of m.watch("run")) {
        seen.push(e);
        if (e.type === "output" && e.text === "two") void m.cancelTask("run", { force: true });
      }
    })();
    const ctx = contexts.get("run")!;
    ctx.write("one");
    await sleep(1);
    ctx.write("two");
    await done;
    assert.deepEqual(seen.map(brief), ["1:queued", "2:running", "3:one", "4:two", "5:cancelled"]);
  });
});

Deno.test("entries' seq strictly increase under re-entrant writes from listeners", async () => {
  await withManager(undefined, async (m) => {
    await m.createTask({ id: "t", options: {} });
    let echoes = 0;
    m.subscribe((e) => {
      if (e.type === "output" && echoes < 50) {
        echoes++;
        void m.appendOutput("t", `echo-${e.chunk}`);
      }
    });
    const watched = collect(m.watch("t"));
    for (let i = 0; i < 20; i++) void m.appendOutput("t", `w${i}`);
    await eventually("the echoes", () => echoes === 50);
    await sleep(1);
    await m.completeTask("t", null);
    const entries = await watched;
    for (let i = 1; i < entries.length; i++) assert.equal(entries[i].seq, entries[i - 1].seq + 1);
    assert.equal(entries.filter((e) => e.type === "output").length, 70);
    const read = await m.readLog("t");
    assert.deepEqual(read.entries, entries);
    check(m);
  });
});

Deno.test("the log is bounded like the output: a reader whose place was cut gets one gap", async () => {
  // 10 entries of 40 units (32 each plus 8 of text) fit each half.
  await withManager({ outputCap: 800 }, async (m) => {
    await m.createTask({ id: "t", options: {} });
    const slow = m.watch("t");
    const first = await slow.next();
    assert.equal((first.value as TaskLogEntry).seq, 1);
    for (let i = 0; i < 100; i++) await m.appendOutput("t", String(i).padStart(8, "0"));
    await m.completeTask("t", null);
    const all = (await m.readLog("t")).entries;
    const gap = all.find((e) => e.type === "gap");
    assert.ok(gap && gap.type === "gap");
    assert.equal(all.filter((e) => e.type === "gap").length, 1);
    for (let i = 1; i < all.length; i++) assert.ok(all[i].seq > all[i - 1].seq);
    assert.equal(all.at(-1)!.seq, 102);
    assert.equal(all.at(-1)!.type, "status");
    // The slow reader reads on through the head, then the gap, then the tail.
    const rest: TaskLogEntry[] = [];
    for await (const e of slow) rest.push(e);
    assert.deepEqual(rest, all.slice(1));
    // A reader whose place was cut away starts with the gap.
    const late = await m.readLog("t", { after: 50 });
    assert.equal(late.entries[0].type, "gap");
    assert.equal(late.entries[0].seq + 1, late.entries[1].seq);
    check(m);
  });
});

Deno.test("runners report progress and heartbeats: on the snapshot, in the log and to listeners", async () => {
  const { runner, contexts } = driven();
  await withManager({ runner }, async (m) => {
    const events: unknown[] = [];
    m.subscribe((e) => e.type === "progress" && events.push(e));
    await m.launch({ id: "job", agent: "a", prompt: "p" });
    const ctx = contexts.get("job")!;
    ctx.progress({ done: 1, total: 4, message: "first" });
    ctx.heartbeat();
    ctx.progress({ done: 2 });
    const task = await m.getTask("job");
    assert.deepEqual(task!.progress, { done: 2 });
    assert.throws(() => ctx.progress({ done: -1 }), (e: { code?: string }) => e.code === "INVALID_ARGUMENT");
    assert.throws(() => ctx.progress({ done: 1, total: NaN }), RangeError);
    assert.throws(() => ctx.progress({ done: 1, message: 3 } as never), TypeError);
    assert.throws(() => ctx.progress(null as never), TypeError);
    ctx.finish("ok");
    await m.getOutput("job", { wait: true });
    ctx.progress({ done: 3 });
    ctx.heartbeat();
    const { entries } = await m.readLog("job");
    assert.deepEqual(
      entries.map((e) => e.type === "progress" ? `progress ${e.done}/${e.total ?? "-"} ${e.message ?? ""}` : e.type),
      ["status", "status", "progress 1/4 first", "heartbeat", "progress 2/- ", "status"],
    );
    assert.deepEqual(events, [
      { type: "progress", taskId: "job", progress: { done: 1, total: 4, message: "first" } },
      { type: "progress", taskId: "job", progress: { done: 2 } },
    ]);
    assert.deepEqual((await m.getTask("job"))!.progress, { done: 2 }, "later reports are ignored");
    check(m);
  });
});

Deno.test("an aborted getOutput wait rejects with the signal's reason and leaves the others waiting", async () => {
  await withManager(undefined, async (m) => {
    await m.createTask({ id: "t", options: {} });
    const controller = new AbortController();
    const aborted = m.getOutput("t", { wait: true, signal: controller.signal });
    const kept = m.getOutput("t", { wait: true, timeout: 60_000 });
    const reason = new Error("the view closed");
    controller.abort(reason);
    await assert.rejects(aborted, (e) => e === reason);
    // An AbortError by default; an aborted signal rejects at once.
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(m.getOutput("t", { wait: true, signal: pre.signal }), (e: Error) => e.name === "AbortError");
    await m.completeTask("t", 7);
    assert.equal((await kept).result, 7);
    // A signal that is not one is refused.
    await rejects(m.getOutput("t", { wait: true, signal: 5 as never }), "INVALID_ARGUMENT", TypeError);
    check(m);
  });
});

Deno.test("an aborted grace-period cancelTask rejects, and the task is cancelled all the same", async () => {
  const { runner } = driven();
  await withManager({ runner, cancelGracePeriod: 30 }, async (m) => {
    await m.launch({ id: "r", agent: "a", prompt: "p" });
    await sleep(1);
    // The signal aborts while the runner has its grace period.
    const controller = new AbortController();
    const cancelling = m.cancelTask("r", { signal: controller.signal });
    controller.abort();
    await assert.rejects(cancelling, (e: Error) => e.name === "AbortError");
    await eventually("the cancel", async () => (await m.getTask("r"))!.status === "cancelled");
    const pre = new AbortController();
    pre.abort();
    await m.createTask({ id: "keep", options: {} });
    await assert.rejects(m.cancelTask("keep", { signal: pre.signal }), (e: Error) => e.name === "AbortError");
    assert.equal((await m.getTask("keep"))!.status, "running", "an aborted signal cancels nothing");
  });
});

Deno.test("watchers left by break, return() or their signal hold no memory (10^5 each, heap flat)", async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(gc, "run with --v8-flags=--expose-gc");
  await withManager(undefined, async (m) => {
    await m.createTask({ id: "t", options: {} });
    const heap = () => {
      gc!();
      gc!();
      return Deno.memoryUsage().heapUsed;
    };
    const round = async () => {
      for (let i = 0; i < 100_000; i++) {
        const controller = new AbortController();
        const w = m.watch("t", { signal: controller.signal });
        await w.next(); // the first entry
        const pending = w.next(); // parked: nothing more yet
        controller.abort(i);
        await pending.then(() => assert.fail("an aborted watch resolved"), (e) => assert.equal(e, i));
      }
      for (let i = 0; i < 100_000; i++) {
        for await (const _ of m.watch("t")) break;
      }
    };
    await round(); // warm up
    const before = heap();
    await round();
    const after = heap();
    assert.ok(after - before < 2_000_000, `heap grew by ${after - before} bytes`);
    // The task's log has no watcher left.
    await m.completeTask("t", null);
    check(m);
  });
});

Deno.test("a watch aborted between steps rejects its next next() with the reason, then is done", async () => {
  await withManager(undefined, async (m) => {
    await m.createTask({ id: "t", options: {} });
    const controller = new AbortController();
    const w = m.watch("t", { signal: controller.signal });
    assert.equal(((await w.next()).value as TaskLogEntry).seq, 1);
    controller.abort("closed the view");
    await assert.rejects(w.next(), (e) => e === "closed the view");
    assert.equal((await w.next()).done, true);
    const pre = new AbortController();
    pre.abort("before");
    await assert.rejects(m.watch("t", { signal: pre.signal }).next(), (e) => e === "before");
  });
});

Deno.test("watchAll yields what subscribe hears and ends with break, its signal or free()", async () => {
  const m = new BackgroundManager();
  await m.initialize(makeSession().session);
  const controller = new AbortController();
  const all = m.watchAll({ signal: controller.signal });
  const firstTwo: string[] = [];
  const reader = (async () => {
    for await (const e of m.watchAll()) {
      firstTwo.push(e.type);
      if (firstTwo.length === 2) break;
    }
  })();
  await m.createTask({ id: "t", options: {} });
  await m.completeTask("t", null);
  await reader;
  assert.deepEqual(firstTwo, ["created", "status"]);
  const created = (await all.next()).value as { type: string; taskId: string };
  assert.deepEqual([created.type, created.taskId], ["created", "t"]);
  const pending = all.next();
  // The status event was queued already: it comes first.
  assert.equal(((await pending).value as { type: string }).type, "status");
  const parked = all.next();
  controller.abort("stop");
  await assert.rejects(parked, (e) => e === "stop");
  assert.equal((await all.next()).done, true);
  const last = m.watchAll();
  const waiting = last.next();
  m.free();
  assert.equal((await waiting).done, true);
});

Deno.test("a hostile signal is refused with a coded error, never thrown through", async () => {
  await withManager(undefined, async (m) => {
    await m.createTask({ id: "t", options: {} });
    const throwing = { get aborted(): boolean { throw new Error("boom"); }, addEventListener() {}, removeEventListener() {} };
    await rejects(m.getOutput("t", { wait: true, signal: throwing as never }), "INVALID_ARGUMENT", TypeError);
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    assert.throws(() => m.watch("t", { signal: revoked.proxy as never }), (e: { code?: string }) => e.code === "INVALID_ARGUMENT");
    const getter = { get signal(): never { throw new Error("no"); } };
    await rejects(m.cancelTask("t", getter as never), "INVALID_ARGUMENT", TypeError);
    assert.equal((await m.getTask("t"))!.status, "running");
    check(m);
  });
});
