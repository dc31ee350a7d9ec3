// SPEC §5: the session's callbacks. Notifications are exact; callbacks may
// throw, reject, hang, or call the manager back synchronously.
import type { AgentSession, TaskNotification } from "../../pkg/background_manager.js";
import { assert, BackgroundManager, eventually, makeSession, sleep, withManager } from "./helpers.ts";

function quietly<T>(body: () => Promise<T>): Promise<T> {
  // Failing callbacks are reported with console.warn; keep test output clean
  // while still proving a report was made.
  const warn = console.warn;
  let warned = 0;
  console.warn = () => void warned++;
  return body().finally(() => {
    console.warn = warn;
    assert.ok(warned > 0, "a failing callback is reported");
  });
}

Deno.test("one notification per final transition, in transition order", async () => {
  await withManager(undefined, async (m, probe) => {
    const [a, b, c, d] = [
      await m.createTask({ options: {} }),
      await m.createTask({ options: {} }),
      await m.createTask({ options: {} }),
      await m.createTask({ options: {} }),
    ];
    const failed = await m.failTask(b.id, new Error("b broke"));
    const done = await m.completeTask(a.id);
    const cancelled = await m.cancelAllTasks();
    assert.deepEqual(probe.sent, [
      { type: "task_completion", taskId: b.id, status: "error", timestamp: failed.updatedAt },
      { type: "task_completion", taskId: a.id, status: "completed", timestamp: done.updatedAt },
      { type: "task_completion", taskId: c.id, status: "cancelled", timestamp: cancelled[0].updatedAt },
      { type: "task_completion", taskId: d.id, status: "cancelled", timestamp: cancelled[1].updatedAt },
    ]);
    const stamps = probe.sent.map((n) => n.timestamp);
    assert.deepEqual(stamps, [...stamps].sort((x, y) => x - y));
  });
});

Deno.test("sendMessage may call the manager synchronously, and order holds", async () => {
  const sent: string[] = [];
  let m!: BackgroundManager;
  const calls: Promise<unknown>[] = [];
  const session: AgentSession = {
    id: "s",
    getStatus: () => "running",
    sendMessage: (n: TaskNotification) => {
      sent.push(`${n.taskId}:${n.status}`);
      if (n.taskId === "a") {
        // Re-enter with every kind of call while the manager is notifying.
        calls.push(m.completeTask("later", "from callback"));
        calls.push(m.getTask("a").then((t) => assert.equal(t?.status, "completed")));
        calls.push(m.getAllTasks("running"));
        calls.push(m.createTask({ id: "made-in-callback", options: {} }));
        calls.push(m.getOutput("b"));
      }
    },
  };
  m = new BackgroundManager();
  await m.initialize(session);
  for (const id of ["a", "b", "later"]) await m.createTask({ id, options: {} });
  await m.cancelAllTasks(); // a, b, later: the callback completes "later" first
  await Promise.allSettled(calls);
  // "later" was cancelled by cancelAllTasks before the callback ran, so the
  // callback's completeTask is refused: each task notifies exactly once.
  assert.deepEqual(sent, ["a:cancelled", "b:cancelled", "later:cancelled"]);
  assert.equal((await m.getTask("made-in-callback"))?.status, "running");
  await m.cleanup();
});

Deno.test("a transition caused inside sendMessage is notified after the ones before it", async () => {
  const sent: string[] = [];
  const refused: unknown[] = [];
  let m!: BackgroundManager;
  const session: AgentSession = {
    id: "s",
    getStatus: () => "completed",
    sendMessage: (n: TaskNotification) => {
      sent.push(n.taskId);
      if (n.taskId === "first") m.completeTask("third").catch((e) => refused.push(e));
    },
  };
  m = new BackgroundManager({ pollInterval: 10 });
  await m.initialize(session);
  await m.createTask({ id: "first", options: {} });
  await m.createTask({ id: "second", options: {} });
  await m.createTask({ id: "third", sessionId: "another-session", options: {} });
  // One poll completes first and second; while first is being notified the
  // callback completes third, whose notification must wait for second's.
  await m.getOutput("third", { wait: true, timeout: 5000 });
  assert.deepEqual(sent, ["first", "second", "third"]);
  assert.deepEqual(refused, []);
  await m.cleanup();
});

Deno.test("getStatus may call the manager synchronously", async () => {
  let m!: BackgroundManager;
  let created = 0;
  const session: AgentSession = {
    id: "s",
    getStatus: () => {
      void m.getAllTasks("running");
      if (created++ === 0) void m.createTask({ id: "from-poll", options: {} });
      return "running";
    },
    sendMessage: () => {},
  };
  m = new BackgroundManager({ pollInterval: 10 });
  await m.initialize(session);
  await m.createTask({ options: {} });
  await eventually("the poll to create a task", async () => (await m.getTask("from-poll")) !== null);
  await m.cleanup();
});

for (const [name, sendMessage] of [
  ["throws", () => { throw new Error("send failed"); }],
  ["rejects", () => Promise.reject(new Error("send failed"))],
  ["throws a non-Error", () => { throw "just a string"; }],
] as const) {
  Deno.test(`a sendMessage that ${name} changes no task and stops no later notification`, async () => {
    await quietly(async () => {
      let calls = 0;
      const m = new BackgroundManager();
      await m.initialize({
        id: "s",
        getStatus: () => "running",
        sendMessage: (() => { calls++; return sendMessage(); }) as () => Promise<unknown>,
      });
      const a = await m.createTask({ options: {} });
      const b = await m.createTask({ options: {} });
      assert.equal((await m.completeTask(a.id, 1)).status, "completed");
      assert.equal((await m.failTask(b.id, "x")).status, "error");
      await sleep(0); // let rejections surface: none may go unhandled
      assert.equal(calls, 2);
      assert.equal((await m.getTask(a.id))?.status, "completed");
      await m.cleanup();
    });
  });
}

Deno.test("a sendMessage that never settles blocks nothing", async () => {
  let calls = 0;
  const m = new BackgroundManager();
  await m.initialize({ id: "s", getStatus: () => "running", sendMessage: () => { calls++; return new Promise(() => {}); } });
  for (let i = 0; i < 3; i++) {
    const t = await m.createTask({ options: {} });
    await m.completeTask(t.id);
  }
  assert.equal(calls, 3);
  await m.cleanup();
});

Deno.test("polling calls getStatus once per tick, not per task, and only while tasks run", async () => {
  await withManager({ pollInterval: 15 }, async (m, probe) => {
    await sleep(80);
    assert.equal(probe.statusCalls, 0, "nothing running: no polling");
    const tasks = [];
    for (let i = 0; i < 20; i++) tasks.push(await m.createTask({ options: {} }));
    const started = Date.now();
    await eventually("two polls", () => probe.statusCalls >= 2);
    const elapsed = Date.now() - started;
    // One call per tick: 20 tasks would otherwise give 20 calls per tick.
    assert.ok(probe.statusCalls <= Math.floor(elapsed / 15) + 2, `${probe.statusCalls} calls in ${elapsed} ms`);
    await m.cancelAllTasks();
    const calls = probe.statusCalls;
    await sleep(80);
    assert.ok(probe.statusCalls <= calls + 1, "polling stops asking once nothing runs");
  });
});

for (const [answer, status, error] of [
  ["completed", "completed", undefined],
  ["error", "error", "Session error"],
  ["cancelled", "cancelled", undefined],
] as const) {
  Deno.test(`a session answering '${answer}' finishes its own running tasks`, async () => {
    await withManager({ pollInterval: 10 }, async (m, probe) => {
      const mine = await m.createTask({ options: {} });
      const foreign = await m.createTask({ sessionId: "other", options: {} });
      const done = await m.createTask({ options: {} });
      await m.completeTask(done.id, "kept");
      probe.status = answer;
      const out = await m.getOutput(mine.id, { wait: true, timeout: 5000 });
      assert.equal(out.status, status);
      assert.equal(out.error, error);
      assert.equal((await m.getTask(foreign.id))?.status, "running");
      assert.equal((await m.getTask(done.id))?.result, "kept");
      assert.deepEqual(probe.sent.map((n) => `${n.taskId}:${n.status}`), [`${done.id}:completed`, `${mine.id}:${status}`]);
    });
  });
}

Deno.test("other session answers change nothing", async () => {
  await withManager({ pollInterval: 10 }, async (m, probe) => {
    const t = await m.createTask({ options: {} });
    for (const answer of ["running", "idle", "COMPLETED", 42, null, { status: "completed" }]) {
      probe.status = answer;
      const seen = probe.statusCalls;
      await eventually("a poll", () => probe.statusCalls > seen);
    }
    await sleep(20);
    assert.equal((await m.getTask(t.id))?.status, "running");
    assert.equal(probe.sent.length, 0);
  });
});

for (const [name, getStatus] of [
  ["throws", () => { throw new Error("status failed"); }],
  ["rejects", () => Promise.reject(new Error("status failed"))],
] as const) {
  Deno.test(`a getStatus that ${name} changes nothing and polling goes on`, async () => {
    await quietly(async () => {
      let calls = 0;
      let failing = true;
      const m = new BackgroundManager({ pollInterval: 10 });
      await m.initialize({
        id: "s",
        getStatus: (() => { calls++; return failing ? getStatus() : "completed"; }) as () => Promise<string>,
        sendMessage: () => {},
      });
      const t = await m.createTask({ options: {} });
      await eventually("three failing polls", () => calls >= 3);
      assert.equal((await m.getTask(t.id))?.status, "running");
      failing = false;
      assert.equal((await m.getOutput(t.id, { wait: true, timeout: 5000 })).status, "completed");
      await m.cleanup();
    });
  });
}

Deno.test("a getStatus that never settles is abandoned: no stacking, polling goes on", async () => {
  let calls = 0;
  let pending = 0;
  let maxPending = 0;
  let hang = true;
  const m = new BackgroundManager({ pollInterval: 10 });
  await m.initialize({
    id: "s",
    getStatus: () => {
      calls++;
      if (!hang) return "completed";
      pending++;
      maxPending = Math.max(maxPending, pending);
      return new Promise<string>(() => {});
    },
    sendMessage: () => {},
  });
  const t = await m.createTask({ options: {} });
  const start = Date.now();
  await eventually("several hanging polls", () => calls >= 4);
  const elapsed = Date.now() - start;
  assert.ok(calls <= Math.floor(elapsed / 10) + 2, `no stacking: ${calls} calls in ${elapsed} ms`);
  hang = false;
  assert.equal((await m.getOutput(t.id, { wait: true, timeout: 5000 })).status, "completed");
  assert.ok(maxPending >= 4, "the hanging promises were abandoned, not awaited");
  await m.cleanup();
});

Deno.test("a late answer of an abandoned poll is ignored", async () => {
  const answers: ((s: string) => void)[] = [];
  const m = new BackgroundManager({ pollInterval: 10 });
  await m.initialize({
    id: "s",
    getStatus: () => new Promise<string>((resolve) => answers.push(resolve)),
    sendMessage: () => {},
  });
  const t = await m.createTask({ options: {} });
  await eventually("two polls", () => answers.length >= 2);
  answers[0]("completed"); // abandoned when the second poll started
  await sleep(5);
  assert.equal((await m.getTask(t.id))?.status, "running");
  await m.cleanup();
});

Deno.test("initialize again replaces the session and keeps a single timer", async () => {
  const first = makeSession("first");
  const second = makeSession("second");
  const m = new BackgroundManager({ pollInterval: 10 });
  await m.initialize(first.session);
  await m.initialize(first.session);
  await m.initialize(second.session);
  await m.createTask({ options: {} });
  const start = Date.now();
  await sleep(120);
  const elapsed = Date.now() - start;
  assert.equal(first.statusCalls, 0, "the replaced session is not polled");
  assert.ok(second.statusCalls >= 1);
  assert.ok(second.statusCalls <= Math.floor(elapsed / 10) + 2, `one timer: ${second.statusCalls} calls in ${elapsed} ms`);
  const t = await m.createTask({ options: {} });
  assert.equal(t.sessionId, "second");
  await m.completeTask(t.id);
  assert.deepEqual(second.sent.map((n) => n.taskId), [t.id]);
  await m.cleanup();
});
