// Memory comes back at the TTL in Node, with no call to the manager: the
// scenarios of memory.mjs on the installed package (tests/package/run.sh
// runs this with node --expose-gc --test).
import assert from 'node:assert/strict';
import test from 'node:test';
import init, { BackgroundManager } from 'background-manager';
import { cancelledLaunchesLetGo, evictedTasksLetGo } from './memory.mjs';

await init();
const host = { gc: globalThis.gc, heapUsed: () => process.memoryUsage().heapUsed };

test("evicted tasks' 1 MiB options, results and output are let go at their TTL, with no further call", async () => {
  assert.ok(host.gc, 'run with node --expose-gc');
  await evictedTasksLetGo(BackgroundManager, host);
});

test('50,000 force-cancelled launches give their heap back at their TTL, with no further call', async () => {
  assert.ok(host.gc, 'run with node --expose-gc');
  await cancelledLaunchesLetGo(BackgroundManager, host);
});
