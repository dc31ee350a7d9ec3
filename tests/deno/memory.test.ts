// Memory comes back at the TTL in Deno, with no call to the manager: the
// scenarios of tests/package/memory.mjs (which Node runs on the installed
// package) on pkg/. Run with --v8-flags=--expose-gc.
import { assert, BackgroundManager } from "./helpers.ts";
import { cancelledLaunchesLetGo, evictedTasksLetGo } from "../package/memory.mjs";

const gc = (globalThis as { gc?: () => void }).gc;
const host = { gc: gc!, heapUsed: () => Deno.memoryUsage().heapUsed };

Deno.test("evicted tasks' 1 MiB options, results and output are let go at their TTL, with no further call", async () => {
  assert.ok(gc, "run with --v8-flags=--expose-gc");
  await evictedTasksLetGo(BackgroundManager, host);
});

Deno.test("50,000 force-cancelled launches give their heap back at their TTL, with no further call", async () => {
  assert.ok(gc, "run with --v8-flags=--expose-gc");
  await cancelledLaunchesLetGo(BackgroundManager, host);
});
