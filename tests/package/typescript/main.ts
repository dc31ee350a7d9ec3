// A TypeScript project of a browser or Node app, without Deno's types and
// without skipLibCheck: the package's declarations, both entries, must check
// under `tsc --noEmit` (tests/package/run.sh). The @ts-expect-error lines
// fail the check if a type loosens to `any`.
import init, { BackgroundManager } from 'background-manager';
import type { BackgroundTask, TaskStore } from 'background-manager';
import initDurable, { BackgroundManager as DurableManager } from 'background-manager/durable';
import type { TaskStoreKv } from 'background-manager/durable';

export async function app(kv: TaskStoreKv): Promise<void> {
  await init();
  const manager = new BackgroundManager({ pollInterval: 1000 });
  const task: BackgroundTask = await manager.createTask({ options: { step: 1 } });
  await manager.completeTask(task.id, 'done');
  // @ts-expect-error: ids are strings
  await manager.getTask(42);

  await initDurable();
  const stores: TaskStore[] = [{ indexedDB: 'tasks' }, { kv }];
  for (const store of stores) new DurableManager({ store });
  // @ts-expect-error: a KV store needs a KV's members
  new DurableManager({ store: { kv: {} } });
}
