// Hostile input: ids that would shadow in a naive object map, look-alike
// ids, huge output, and a million generated ids.
import type { RunnerContext } from "../../pkg/background_manager.js";
import { assert, rejects, UUID_V4, withManager } from "./helpers.ts";

Deno.test("custom ids can neither shadow nor overwrite another task", async () => {
  await withManager(undefined, async (m) => {
    const ids = [
      "__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf",
      "é", "e\u0301", // the same letter, composed and decomposed: two ids
      "Task", "task", "TASK", " task", "task ", "task\u0000", "task\n",
      "x".repeat(100_000), "🚀", "\ufeffbom", "\ufffd",
    ];
    for (const [i, id] of ids.entries()) {
      const t = await m.createTask({ id, options: { i } });
      assert.equal(t.id, id);
    }
    for (const [i, id] of ids.entries()) {
      const t = await m.getTask(id);
      assert.equal(t?.id, id);
      assert.deepEqual(t?.options, { i }, `${JSON.stringify(id.slice(0, 20))} kept its own task`);
      await rejects(m.createTask({ id, options: "intruder" }), "DUPLICATE_ID");
    }
    assert.equal((await m.getAllTasks()).length, ids.length);
    assert.equal(await m.getTask("__PROTO__"), null);
    assert.equal(await m.getTask("Object"), null);
    await m.completeTask("__proto__", "done");
    assert.equal((await m.getTask("constructor"))?.status, "running", "a neighbour is untouched");
  });
});

Deno.test("a runner writing 100 MB of output stays within the cap", async () => {
  const chunk = "z".repeat(256 * 1024);
  const runner = ({ write }: RunnerContext) => {
    for (let i = 0; i < 400; i++) write(chunk);
    return "done";
  };
  await withManager({ runner, outputCap: 1 << 20 }, async (m) => {
    const task = await m.launch({ agent: "a", prompt: "p" });
    const out = await m.getOutput(task.id, { wait: true, timeout: 30_000 });
    assert.equal(out.cursor, 400 * 256 * 1024, "100 MiB written");
    const notice = /\n\[\.\.\. \d+ characters of output cut \.\.\.\]\n/;
    assert.match(out.output, notice);
    assert.equal(out.output.replace(notice, "").length, 1 << 20, "exactly the cap kept");
    const snapshot = await m.getTask(task.id);
    assert.equal(snapshot!.output, out.output);
  });
});

Deno.test("a million generated ids are distinct UUID v4s", async () => {
  await withManager({ taskTTL: 20 }, async (m) => {
    const seen = new Set<string>();
    for (let i = 0; i < 1_000_000; i++) {
      const { id } = await m.createTask({ options: null });
      seen.add(id);
      if (i % 100_000 === 0) assert.match(id, UUID_V4);
      // A short TTL keeps memory flat; a long pause may let a task time out
      // (or even time out and leave) before it is completed.
      await m.completeTask(id).catch((e) => assert.ok(["INVALID_TRANSITION", "TASK_NOT_FOUND"].includes(e.code), e));
    }
    assert.equal(seen.size, 1_000_000);
  });
});
