// The seed's examples, run as written against pkg/.
import { assert, BackgroundManager, makeSession, UUID_V4, withManager } from "./helpers.ts";

Deno.test("Basic Task Management", async () => {
  const manager = new BackgroundManager({ pollInterval: 3000, taskTTL: 7200000 });
  const probe = makeSession("session-123");
  await manager.initialize(probe.session);

  const task = await manager.createTask({
    options: { agent: "default", prompt: "Do something" },
  });
  assert.match(task.id, UUID_V4);
  assert.equal(task.status, "running");
  assert.equal(task.sessionId, "session-123");
  assert.deepEqual(task.options, { agent: "default", prompt: "Do something" });
  assert.equal(task.createdAt, task.updatedAt);

  const currentTask = await manager.getTask(task.id);
  assert.equal(currentTask?.status, "running");

  const done = await manager.completeTask(task.id, { result: "Done" });
  assert.equal(done.status, "completed");
  assert.deepEqual(done.result, { result: "Done" });
  assert.ok(done.updatedAt >= done.createdAt);

  assert.deepEqual(probe.sent, [
    { type: "task_completion", taskId: task.id, status: "completed", timestamp: done.updatedAt },
  ]);
  await manager.cleanup();
});

Deno.test("Task Lifecycle Management", async () => {
  await withManager({ pollInterval: 3000, taskTTL: 7200000 }, async (manager, probe) => {
    const tasks = [];
    for (let i = 0; i < 5; i++) {
      tasks.push(await manager.createTask({ options: { agent: "default", prompt: `Task ${i}` } }));
    }
    const runningTasks = await manager.getAllTasks("running");
    assert.equal(runningTasks.length, 5);
    assert.deepEqual(runningTasks.map((t) => t.id), tasks.map((t) => t.id));

    const cancelledTasks = await manager.cancelAllTasks();
    assert.equal(cancelledTasks.length, 5);
    assert.deepEqual(cancelledTasks.map((t) => t.id), tasks.map((t) => t.id));
    assert.ok(cancelledTasks.every((t) => t.status === "cancelled"));
    assert.deepEqual(probe.sent.map((n) => n.taskId), tasks.map((t) => t.id));
    assert.equal((await manager.getAllTasks("running")).length, 0);
  });
});

Deno.test("method examples from the reference", async () => {
  await withManager(undefined, async (manager) => {
    const custom = await manager.createTask({
      id: "custom-task-id",
      options: { agent: "default", prompt: "Do something" },
    });
    assert.equal(custom.id, "custom-task-id");

    const cancelledTask = await manager.cancelTask(custom.id);
    assert.equal(cancelledTask.status, "cancelled");
    const other = await manager.createTask({ options: {} });
    assert.equal((await manager.cancelTask(other.id, { force: true })).status, "cancelled");

    const failing = await manager.createTask({ options: {} });
    try {
      throw new Error("something broke");
    } catch (error) {
      const failed = await manager.failTask(failing.id, error as Error);
      assert.equal(failed.error, "something broke");
    }

    assert.equal(await manager.getTask("no-such-task"), null);
    const all = await manager.getAllTasks();
    assert.deepEqual(all.map((t) => t.status), ["cancelled", "cancelled", "error"]);

    const running = await manager.createTask({ options: {} });
    const output = await manager.getOutput(running.id);
    assert.deepEqual(output, { taskId: running.id, status: "running", output: "", cursor: 0 });
    const waited = manager.getOutput(running.id, { wait: true, timeout: 30000 });
    await manager.completeTask(running.id, { result: "Task completed" });
    assert.deepEqual(await waited, {
      taskId: running.id,
      status: "completed",
      output: "",
      cursor: 0,
      result: { result: "Task completed" },
    });

    const response = await manager.callAgent("default", "Write a summary");
    assert.equal(response.agent, "default");
    assert.match(response.response, /Write a summary/);
  });
});

Deno.test("default options are the seed's", async () => {
  // Nothing observable times out or polls within this test with the defaults.
  await withManager(undefined, async (manager, probe) => {
    const task = await manager.createTask({ options: null });
    assert.equal(task.options, null);
    assert.equal(probe.statusCalls, 0);
  });
});
