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

// The durable entry, as installed: its own module and .wasm, with the
// inbox (no store here: Node has neither IndexedDB nor Deno KV).
const durable = await import('background-manager/durable');
await durable.default();
const retried = [];
let refusals = 1;
const inbox = new durable.BackgroundManager({ notifyRetry: { attempts: 3, initialDelay: 5, maxDelay: 5 } });
await inbox.initialize({
  id: 'usage', getStatus: () => 'running',
  sendMessage: (m) => (retried.push(m), refusals-- > 0 ? Promise.reject(new Error('not yet')) : undefined),
});
await inbox.createTask({ id: 'd', options: null });
await inbox.completeTask('d', 1);
while ((await inbox.getPendingNotifications()).length > 0) await new Promise((r) => setTimeout(r, 5));
assert.equal(retried.length, 2, 'sent again after its failure');
assert.equal(retried[0].notificationId, retried[1].notificationId);
console.log('background-manager/durable from the package: ok');
