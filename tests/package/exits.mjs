// In Node, a script whose work is done ends on its own, without cleanup()
// (tests/package/run.sh runs it under a timeout), as tests/deno/exits.ts
// does in Deno: its finished tasks wait for their TTL on a timer that keeps
// no process alive, and a session, a subscription and a getStatus that never
// answers hold nothing open.
import init, { BackgroundManager } from 'background-manager';

await init();
const manager = new BackgroundManager({ pollInterval: 20, simulatedDelay: 5 });
await manager.initialize({ id: 'script', getStatus: () => new Promise(() => {}), sendMessage: () => {} });
manager.subscribe(() => {});
const made = await manager.createTask({ options: { step: 1 } });
await new Promise((resolve) => setTimeout(resolve, 50)); // a few polls while it runs
await manager.completeTask(made.id, 'done');
const launched = await manager.launch({ agent: 'sim', prompt: 'count' });
const out = await manager.getOutput(launched.id, { wait: true });
if (out.status !== 'completed') throw new Error(`the simulated agent ended ${out.status}`);
console.log(`${(await manager.getAllTasks()).length} tasks finished; exiting without cleanup()`);
