// What a user of the installed package writes, run by Node 20+ and Deno 2 in
// a fresh project that installed the tarball (tests/package/run.sh): the
// README's example, from the package name, with init() and no arguments.
// It ends on its own, without cleanup().
import assert from 'node:assert/strict';
import init, { BackgroundManager } from 'background-manager';

// Forgetting init() is a coded error, not a crash.
assert.throws(() => new BackgroundManager(), (e) => e instanceof Error && e.code === 'NOT_INITIALIZED');
await init();

const manager = new BackgroundManager({
  maxConcurrent: 2,
  runner: async ({ prompt, write, signal }) => {
    for (const word of prompt.split(' ')) {
      if (signal.aborted) throw new Error('stopped');
      write(word + '\n');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return `done: ${prompt}`;
  },
});
const sent = [];
await manager.initialize({ id: 'usage', getStatus: () => 'running', sendMessage: (m) => sent.push(m) });

const task = await manager.launch({ agent: 'writer', prompt: 'one two three' });
const slow = await manager.launch({ agent: 'writer', prompt: 'a b c d e f g h i j k l m n o p' });
const out = await manager.getOutput(task.id, { wait: true, timeout: 10_000 });
assert.equal(out.status, 'completed');
assert.equal(out.output, 'one\ntwo\nthree\n');
assert.deepEqual(out.result, 'done: one two three');
const cancelled = await manager.cancelTask(slow.id);
assert.equal(cancelled.status, 'cancelled');
assert.deepEqual(sent.map((m) => m.status).sort(), ['cancelled', 'completed']);
console.log(`background-manager from the package: ${(await manager.getAllTasks()).length} tasks, ok`);
