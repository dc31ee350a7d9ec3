// Type-checked (never run) by `deno check`: the seed's examples, written
// against pkg/background_manager.d.ts. The @ts-expect-error lines fail the
// check if a type ever loosens to `any`.
import init, { BackgroundManager } from "../../pkg/index.js";
import initDurable, { BackgroundManager as DurableManager } from "../../pkg/durable.js";
import type {
  AgentSession,
  BackgroundManagerError,
  BackgroundManagerOptions,
  BackgroundTask,
  BackgroundTaskStatus,
  CancelOptions,
  CreateBackgroundTaskOptions,
  GetBackgroundOutputOptions,
  GetBackgroundOutputResult,
  LaunchOptions,
  RunnerContext,
  TaskEvent,
  TaskLogEntry,
  TaskProgress,
  ReadLogResult,
  TaskNotification,
  OwnerEvent,
  TabOwner,
} from "../../pkg/index.js";

export async function seedExamples(): Promise<void> {
  await init();
  const options: BackgroundManagerOptions = { pollInterval: 3000, taskTTL: 7200000 };
  const manager = new BackgroundManager(options);
  new BackgroundManager();

  const session: AgentSession = {
    id: "session-123",
    getStatus: async () => "running",
    sendMessage: async (message: TaskNotification) => {
      const status: BackgroundTaskStatus = message.status;
      const taskId: string = message.taskId;
      void status, taskId;
    },
  };
  const ready: Promise<void> = manager.initialize(session);
  await ready;

  const create: CreateBackgroundTaskOptions = { options: { agent: "default", prompt: "Do something" } };
  const task: BackgroundTask = await manager.createTask(create);
  await manager.createTask({ id: "custom-task-id", options: { agent: "default", prompt: "Do something" } });

  const current: BackgroundTask | null = await manager.getTask(task.id);
  console.log("Status:", current?.status);
  const completed: BackgroundTask = await manager.completeTask(task.id, { result: "Done" });
  const createdAt: number = completed.createdAt;
  void createdAt;
  await manager.completeTask(task.id);

  try {
    throw new Error("x");
  } catch (error) {
    await manager.failTask(task.id, error as Error);
    await manager.failTask(task.id, "message");
    const code: string = (error as BackgroundManagerError).code;
    void code;
  }

  const cancel: CancelOptions = { force: true };
  const cancelled: BackgroundTask = await manager.cancelTask(task.id, cancel);
  await manager.cancelTask(task.id);
  void cancelled;

  const all: BackgroundTask[] = await manager.getAllTasks();
  const running: BackgroundTask[] = await manager.getAllTasks("running");
  const cancelledTasks: BackgroundTask[] = await manager.cancelAllTasks();
  await manager.cancelAllTasks({ force: false });
  console.log(all.length, running.length, `Cancelled ${cancelledTasks.length} tasks`);

  const wait: GetBackgroundOutputOptions = { wait: true, timeout: 30000 };
  const output: GetBackgroundOutputResult = await manager.getOutput(task.id);
  const result: GetBackgroundOutputResult = await manager.getOutput(task.id, wait);
  const text: string = output.output;
  const timedOut: boolean | undefined = result.timedOut;
  void text, timedOut;

  const response = await manager.callAgent("default", "Write a summary");
  console.log("Response:", response);
  await manager.cleanup();

  // Agents that run (SPEC §7).
  const runner = async ({ agent, prompt, signal, write }: RunnerContext) => {
    write(`${agent}: ${prompt}`);
    if (signal.aborted) throw signal.reason;
    return { ok: true };
  };
  const agents = new BackgroundManager({
    runner,
    maxConcurrent: 4,
    agentLimits: { coder: 1 },
    cancelGracePeriod: 1000,
    outputCap: 1 << 20,
    simulatedDelay: 10,
  });
  const launch: LaunchOptions = { agent: "coder", prompt: "Fix the bug", options: { repo: "x" } };
  const launched: BackgroundTask = await agents.launch(launch);
  const queued: BackgroundTask[] = await agents.getAllTasks("queued");
  const agent: string | undefined = launched.agent;
  await agents.appendOutput(launched.id, "more output");
  const first = await agents.getOutput(launched.id, { since: 0 });
  const next = await agents.getOutput(launched.id, { since: first.cursor, wait: true });
  const unsubscribe: () => void = agents.subscribe((event: TaskEvent) => {
    if (event.type === "output") console.log(event.chunk, event.cursor);
    if (event.type === "status") console.log(event.status, event.previous);
  });
  unsubscribe();

  // A manager shared by the tabs of an origin: who owns it, and when that changes.
  const tabs = new BackgroundManager({ store: { indexedDB: "tasks" }, shared: "agent-ui" });
  const owner: TabOwner | null = tabs.getOwner();
  if (owner !== null) {
    const self: boolean = owner.self;
    const tab: string = owner.tab;
    void [self, tab];
  }
  const stopOwner: () => void = tabs.onOwner((event: OwnerEvent) => {
    const type: "owner" = event.type;
    void [type, event.owner, event.self];
  });
  stopOwner();
  // @ts-expect-error: shared is a name
  new BackgroundManager({ store: { indexedDB: "tasks" }, shared: true });
  void queued, agent, next;

  // The log: entries narrow by type; watch is an async iterable with a signal.
  const page: ReadLogResult = await agents.readLog(launched.id, { after: 0, limit: 10 });
  const resumeAt: number = page.next;
  const stop = new AbortController();
  for await (const entry of agents.watch(launched.id, { from: resumeAt, signal: stop.signal })) {
    const e: TaskLogEntry = entry;
    if (e.type === "output") console.log(e.text.length, e.cursor);
    if (e.type === "status") console.log(e.status, e.error);
    if (e.type === "progress") console.log(e.done, e.total, e.message);
    if (e.type === "gap") console.log(e.dropped);
    break;
  }
  for await (const event of agents.watchAll({ signal: stop.signal })) {
    if (event.type === "progress") console.log(event.progress.done);
    break;
  }
  const shown: TaskProgress | undefined = (await agents.getTask(launched.id))?.progress;
  void shown;
  await agents.getOutput(launched.id, { wait: true, signal: stop.signal });
  await agents.cancelTask(launched.id, { signal: stop.signal });
  new BackgroundManager({
    runner: ({ progress, heartbeat }) => {
      progress({ done: 1, total: 2, message: "half" });
      heartbeat();
      // @ts-expect-error: done is a number
      progress({ done: "1" });
    },
  });
  // @ts-expect-error: an output entry has no status
  void ((e: TaskLogEntry) => e.type === "output" && e.status);
  // @ts-expect-error: after is a number
  await agents.readLog(launched.id, { after: "3" });

  // @ts-expect-error: not a status
  await manager.getAllTasks("done");
  // @ts-expect-error: launch needs an agent and a prompt
  await agents.launch({ prompt: "p" });
  // @ts-expect-error: chunks are strings
  await agents.appendOutput(launched.id, 42);
  // @ts-expect-error: ids are strings
  await manager.getTask(42);
  // @ts-expect-error: createTask needs its options object
  await manager.createTask();
  // @ts-expect-error: force is a boolean
  await manager.cancelTask("id", { force: "yes" });
  // @ts-expect-error: a task's status is a BackgroundTaskStatus, not any string
  const bad: "nope" = task.status;
  void bad;
  // @ts-expect-error: the session needs getStatus and sendMessage
  await manager.initialize({ id: "s" });
  // @ts-expect-error: pollInterval is a number
  new BackgroundManager({ pollInterval: "fast" });
}

// A real Deno.Kv is a `store: { kv }` of the durable build's types, which
// name no Deno type (tests/package/run.sh checks them without Deno's).
export async function kvStore(): Promise<void> {
  await initDurable();
  const kv: Deno.Kv = await Deno.openKv(":memory:");
  const stored = new DurableManager({ store: { kv }, shared: "usage" });
  await stored.cleanup();
  // @ts-expect-error: a KV store needs the KV's atomic operations
  new DurableManager({ store: { kv: { list: kv.list } } });
  kv.close();
}
