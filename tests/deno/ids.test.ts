// How ids come back: a task's id is spelled out on demand (UUID-form ids are
// kept as 16 bytes), kept once listed, or taken from the caller. Every path
// must give back exactly the string the task was created with.
import type { RunnerContext, TaskEvent } from "../../pkg/background_manager.js";
import { assert, eventually, withManager } from "./helpers.ts";

// Every hex digit in every position class, the extremes, and near misses
// that must stay text (upper case, wrong length).
const GIVEN = [
  "0123abcd-4567-89ef-fedc-ba9876543210",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "00000000-0000-0000-0000-000000000000",
  "9a8b7c6d-5e4f-3021-a1b2-c3d4e5f60789",
  "0123ABCD-4567-89EF-FEDC-BA9876543210",
  "0123abcd-4567-89ef-fedc-ba987654321",
  "task-1",
];

Deno.test("every answer, list, notification and event spells the id exactly", async () => {
  await withManager(undefined, async (m, probe) => {
    const events: TaskEvent[] = [];
    m.subscribe((e) => events.push(e));
    const ids: string[] = [];
    for (const id of GIVEN) ids.push((await m.createTask({ id, options: {} })).id);
    for (let i = 0; i < 3; i++) ids.push((await m.createTask({ options: {} })).id);
    assert.deepEqual(ids.slice(0, GIVEN.length), GIVEN);
    // Created events carry the id and the task.
    assert.deepEqual(events.map((e) => e.taskId), ids);
    assert.deepEqual(events.map((e) => e.type === "created" && e.task?.id), ids);

    // Twice: the first list spells ids out and keeps them, the second reuses them.
    for (let i = 0; i < 2; i++) {
      assert.deepEqual((await m.getAllTasks()).map((t) => t.id), ids);
      assert.deepEqual((await m.getAllTasks("running")).map((t) => t.id), ids);
    }
    for (const id of ids) {
      assert.equal((await m.getTask(id))?.id, id);
      assert.equal((await m.getOutput(id)).taskId, id);
    }

    // Named transitions: answer, notification and status event.
    events.length = 0;
    const named = [ids[0], ids[5], ids[GIVEN.length]];
    assert.equal((await m.completeTask(named[0], 1)).id, named[0]);
    assert.equal((await m.failTask(named[1], "x")).id, named[1]);
    assert.equal((await m.cancelTask(named[2])).id, named[2]);
    await eventually("three notifications", () => probe.sent.length === 3);
    assert.deepEqual(probe.sent.map((n) => n.taskId), named);
    assert.deepEqual(events.map((e) => e.taskId), named);
    assert.deepEqual(events.map((e) => e.type === "status" && e.task?.id), named);

    // cancelAllTasks: its list and its notifications.
    const rest = ids.filter((id) => !named.includes(id));
    assert.deepEqual((await m.cancelAllTasks()).map((t) => t.id), rest);
    await eventually("every notification", () => probe.sent.length === ids.length);
    assert.deepEqual(probe.sent.slice(3).map((n) => n.taskId), rest);
    assert.deepEqual((await m.getAllTasks()).map((t) => t.id), ids);
  });
});

Deno.test("ids spelled out with nothing kept: TTL expiry, eviction, runners, callAgent", async () => {
  const contexts: string[] = [];
  const runner = async ({ taskId }: RunnerContext) => {
    if (taskId) contexts.push(taskId);
    return "ok";
  };
  await withManager({ taskTTL: 40, pollInterval: 3_600_000, runner }, async (m, probe) => {
    const events: TaskEvent[] = [];
    m.subscribe((e) => events.push(e));
    const created: string[] = [];
    for (const id of GIVEN) created.push((await m.createTask({ id, options: {} })).id);
    for (let i = 0; i < 3; i++) created.push((await m.createTask({ options: {} })).id);
    // Expired by the deadline timer: no caller named them, none was listed.
    await eventually("every task timed out", () => probe.sent.length === created.length);
    assert.deepEqual(probe.sent.map((n) => n.taskId), created);
    assert.ok(probe.sent.every((n) => n.status === "error"));
    // In Deno no timer is kept for evictions alone (a script ends when its
    // work does): the next call runs them, as of their time.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(await m.getAllTasks(), []);
    await eventually("every task evicted", () => events.filter((e) => e.type === "removed").length === created.length);
    assert.deepEqual(events.filter((e) => e.type === "removed").map((e) => e.taskId), created);

    const reply = await m.callAgent("a", "p", { background: true });
    const launched = await m.launch({ id: GIVEN[1], agent: "a", prompt: "p" });
    await eventually("both runners called", () => contexts.length === 2);
    assert.deepEqual(contexts, [reply.taskId, GIVEN[1]]);
    assert.equal(launched.id, GIVEN[1]);
    assert.equal((await m.getOutput(reply.taskId, { wait: true, timeout: 5000 })).taskId, reply.taskId);
  });
});
