// The seed's "Basic Task Management" and "Task Lifecycle Management" flows,
// on pkg/ in Deno. Run: deno run --allow-read examples/lifecycle.ts
import init, { BackgroundManager } from "../pkg/index.js";
import type { TaskNotification } from "../pkg/index.js";

await init();

const manager = new BackgroundManager({ pollInterval: 3000, taskTTL: 7200000 });

const session = {
  id: "session-123",
  getStatus: async () => "running",
  sendMessage: async (message: TaskNotification) => {
    console.log(`  notification: task ${message.taskId.slice(0, 8)}… is ${message.status}`);
  },
};
await manager.initialize(session);

console.log("Basic Task Management");
const task = await manager.createTask({ options: { agent: "default", prompt: "Do something" } });
console.log(`  created ${task.id} (${task.status}) for session ${task.sessionId}`);
const waiting = manager.getOutput(task.id, { wait: true, timeout: 30000 });
const currentTask = await manager.getTask(task.id);
console.log("  status:", currentTask?.status);
await manager.completeTask(task.id, { result: "Done" });
console.log("  waited output:", await waiting);

console.log("Task Lifecycle Management");
const tasks = [];
for (let i = 0; i < 5; i++) {
  tasks.push(await manager.createTask({ options: { agent: "default", prompt: `Task ${i}` } }));
}
const runningTasks = await manager.getAllTasks("running");
console.log("  running tasks:", runningTasks.length);
await manager.failTask(tasks[0].id, new Error("the agent gave up"));
const cancelledTasks = await manager.cancelAllTasks();
console.log("  cancelled tasks:", cancelledTasks.length);
for (const status of ["completed", "error", "cancelled"] as const) {
  console.log(`  ${status}:`, (await manager.getAllTasks(status)).length);
}

try {
  await manager.completeTask(tasks[1].id);
} catch (error) {
  console.log(`  refused: ${(error as Error).message} [${(error as { code: string }).code}]`);
}

console.log("callAgent:", (await manager.callAgent("default", "Write a summary")).response);
await manager.cleanup();
