// Issue 17: retries at the boundary: attempts with their backoff, the
// error's retryable and retryAfter (ms, seconds, an HTTP date), fallback
// agents, one notification at the end, cancel between attempts, and the
// options checked with coded errors.
import type { RunnerContext, TaskEvent } from "../../pkg/background_manager.js";
import { assert, BackgroundManager, eventually, rejects, withManager } from "./helpers.ts";

const check = (m: BackgroundManager) =>
  assert.equal((m as unknown as Record<symbol, () => string>)[Symbol.for("background-manager.check")](), "");

/** An error with extra fields, as an HTTP client would throw. */
function failure(message: string, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(message), extra);
}

Deno.test("a failing runner runs again after its backoff; the attempts are in the log; one notification", async () => {
  const starts: { attempt: number; at: number }[] = [];
  const runner = (ctx: RunnerContext) => {
    starts.push({ attempt: ctx.attempt, at: Date.now() });
    if (ctx.attempt < 3) throw failure(`boom ${ctx.attempt}`);
    return "third time";
  };
  await withManager({ runner }, async (m, probe) => {
    const events: TaskEvent[] = [];
    m.subscribe((e) => events.push(e));
    const t = await m.launch({
      agent: "a", prompt: "p", id: "t",
      retry: { attempts: 3, backoff: { initial: 20, factor: 2, jitter: 0 } },
    });
    assert.equal(t.status, "running");
    const done = await m.getOutput("t", { wait: true, timeout: 5000 });
    assert.equal(done.status, "completed");
    assert.equal(done.result, "third time");
    assert.deepEqual(starts.map((s) => s.attempt), [1, 2, 3]);
    // 20 ms, then 40 ms (factor 2), with no jitter; timers may be late, never early.
    assert.ok(starts[1].at - starts[0].at >= 19, `first delay ${starts[1].at - starts[0].at}`);
    assert.ok(starts[2].at - starts[1].at >= 39, `second delay ${starts[2].at - starts[1].at}`);
    assert.equal((await m.getTask("t"))!.attempt, 3);
    const retries = (await m.readLog("t")).entries.filter((e) => e.type === "retry");
    assert.deepEqual(retries.map((e) => e.type === "retry" && [e.attempt, e.error]), [[1, "boom 1"], [2, "boom 2"]]);
    for (const e of retries) assert.ok(e.type === "retry" && e.retryAt >= e.at);
    // Between attempts it was queued again, its slot free.
    const statuses = events.filter((e) => e.type === "status").map((e) => e.type === "status" && e.status);
    assert.deepEqual(statuses, ["running", "queued", "running", "queued", "running", "completed"]);
    await eventually("the notification", () => probe.sent.length > 0);
    assert.deepEqual(probe.sent.map((n) => n.status), ["completed"]);
    check(m);
  });
});

Deno.test("the last attempt's error is the task's; retryable: false is final at once", async () => {
  let runs = 0;
  const runner = (ctx: RunnerContext) => {
    runs++;
    if (ctx.prompt === "final") throw failure("bad request", { retryable: false });
    throw failure(`attempt ${ctx.attempt} failed`);
  };
  await withManager({ runner }, async (m, probe) => {
    const retry = { attempts: 3, backoff: { initial: 1, jitter: 0 } };
    await m.launch({ agent: "a", prompt: "final", id: "final", retry });
    const final = await m.getOutput("final", { wait: true, timeout: 5000 });
    assert.equal(final.status, "error");
    assert.equal(final.error, "bad request");
    assert.equal(runs, 1, "not run again");
    assert.equal((await m.getTask("final"))!.attempt, undefined);

    await m.launch({ agent: "a", prompt: "p", id: "spent", retry });
    const spent = await m.getOutput("spent", { wait: true, timeout: 5000 });
    assert.equal(spent.status, "error");
    assert.equal(spent.error, "attempt 3 failed");
    assert.equal(runs, 4);
    await eventually("both notifications", () => probe.sent.length === 2);
    assert.deepEqual(probe.sent.map((n) => [n.taskId, n.status]), [["final", "error"], ["spent", "error"]]);
    check(m);
  });
});

Deno.test("retryAfter wins over the backoff: ms, HTTP seconds, an HTTP date", async () => {
  const starts = new Map<string, number[]>();
  const hints: Record<string, unknown> = {
    ms: 120,
    seconds: "0",
    date: new Date(Date.now() - 60_000).toUTCString(),
  };
  const runner = (ctx: RunnerContext) => {
    const at = starts.get(ctx.taskId!) ?? [];
    at.push(Date.now());
    starts.set(ctx.taskId!, at);
    if (ctx.attempt === 1) throw failure("slow down", { retryAfter: hints[ctx.taskId!] });
    return "ok";
  };
  await withManager({ runner }, async (m) => {
    // A backoff of 10 s: only the hint can start the second attempt in time.
    const retry = { attempts: 2, backoff: { initial: 10_000, jitter: 0 } };
    for (const id of Object.keys(hints)) await m.launch({ agent: "a", prompt: "p", id, retry });
    for (const id of Object.keys(hints)) {
      const out = await m.getOutput(id, { wait: true, timeout: 5000 });
      assert.equal(out.status, "completed", id);
    }
    const [first, second] = starts.get("ms")!;
    assert.ok(second - first >= 119, `retryAfter 120 ms waited ${second - first} ms`);
    const entry = (await m.readLog("ms")).entries.find((e) => e.type === "retry")!;
    assert.ok(entry.type === "retry" && entry.retryAt - entry.at === 120);
    check(m);
  });
});

Deno.test("fallback agents run the attempts after a failure, each under its own agent limit", async () => {
  const agents: string[] = [];
  const runner = (ctx: RunnerContext) => {
    agents.push(ctx.agent!);
    if (ctx.agent !== "c") throw failure(`${ctx.agent} is down`);
    return ctx.agent;
  };
  await withManager({ runner, agentLimits: { c: 1 } }, async (m) => {
    // attempts left out: one more than the fallback agents.
    await m.launch({ agent: "a", prompt: "p", id: "t", fallback: ["b", "c"], retry: { backoff: { initial: 5, jitter: 0 } } });
    const out = await m.getOutput("t", { wait: true, timeout: 5000 });
    assert.equal(out.status, "completed");
    assert.equal(out.result, "c");
    assert.deepEqual(agents, ["a", "b", "c"]);
    assert.equal((await m.getTask("t"))!.agent, "c");
    check(m);
  });
});

Deno.test("a task cancelled between attempts is not run again", async () => {
  let runs = 0;
  const runner = () => {
    runs++;
    throw failure("down");
  };
  await withManager({ runner }, async (m) => {
    await m.launch({ agent: "a", prompt: "p", id: "t", retry: { attempts: 5, backoff: { initial: 60, jitter: 0 } } });
    await eventually("queued for its second attempt", async () => (await m.getTask("t"))!.status === "queued");
    const t = await m.cancelTask("t");
    assert.equal(t.status, "cancelled");
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(runs, 1);
    check(m);
  });
});

Deno.test("retry and fallback are checked with coded errors", async () => {
  const thrower = {
    get attempts(): number {
      throw new Error("no attempts for you");
    },
  };
  // What its getter throws cannot even be turned into text.
  const hostile = {
    get attempts(): number {
      throw { toString() { throw new Error("no text either"); } };
    },
  };
  const bad: [unknown, unknown, ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor, RegExp][] = [
    [5, undefined, TypeError, /retry must be an object/],
    [{ attempts: 0 }, undefined, RangeError, /attempts must be a whole number from 1 to 64/],
    [{ attempts: 65 }, undefined, RangeError, /attempts/],
    [{ attempts: 1.5 }, undefined, RangeError, /attempts/],
    [{ attempts: "3" }, undefined, TypeError, /attempts/],
    [{ attempts: 2, backoff: 3 }, undefined, TypeError, /backoff must be an object/],
    [{ attempts: 2, backoff: { factor: 0.5 } }, undefined, RangeError, /factor must be a number from 1 to 1000/],
    [{ attempts: 2, backoff: { jitter: 2 } }, undefined, RangeError, /jitter/],
    [{ attempts: 2, backoff: { initial: -1 } }, undefined, RangeError, /initial/],
    [{ attempts: 2, backoff: { initial: 500, max: 100 } }, undefined, RangeError, /max must not be below its initial/],
    [thrower, undefined, TypeError, /Reading launch options.retry.attempts threw: no attempts for you/],
    [hostile, undefined, TypeError, /Reading launch options.retry.attempts threw: /],
    [undefined, "b", TypeError, /fallback must be an array of agent names/],
    [undefined, ["b", ""], TypeError, /fallback must be an array of agent names/],
  ];
  await withManager(undefined, async (m) => {
    for (const [retry, fallback, type, message] of bad) {
      await rejects(
        m.launch({ agent: "a", prompt: "p", retry, fallback } as unknown as Parameters<BackgroundManager["launch"]>[0]),
        "INVALID_ARGUMENT",
        type,
        message,
      );
    }
    assert.equal((await m.getAllTasks()).length, 0, "nothing was launched");
    check(m);
  });
});
