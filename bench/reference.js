// The plain-JavaScript BackgroundManager a user would otherwise write, the
// way the seed's reference did: one Map, filters over all tasks, setInterval
// polling (which also expires tasks past their TTL), snapshots returned as
// copies, and getOutput({ wait }) polling the task until it is final. For the
// output workloads it has what such a user would add: appendOutput
// concatenates, getOutput({ since }) slices.
const FINAL = new Set(['completed', 'error', 'cancelled']);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class ReferenceManager {
  constructor(options = {}) {
    this.pollInterval = options.pollInterval ?? 2000;
    this.taskTTL = options.taskTTL ?? 1800000;
    this.waitPoll = options.waitPoll ?? 100;
    this.tasks = new Map();
    this.session = null;
    this.timer = null;
  }

  async initialize(session) {
    this.session = session;
    if (!this.timer) this.timer = setInterval(() => this.poll(), this.pollInterval);
  }

  async poll() {
    const now = Date.now();
    for (const task of this.tasks.values()) {
      if (task.status === 'running' && now - task.createdAt > this.taskTTL) {
        this.finish(task, 'error', { error: `Task ${task.id} timed out` });
      } else if (FINAL.has(task.status) && now - task.updatedAt > this.taskTTL) {
        this.tasks.delete(task.id);
      }
    }
  }

  finish(task, status, fields) {
    Object.assign(task, fields, { status, updatedAt: Date.now() });
    this.session?.sendMessage({ type: 'task_completion', taskId: task.id, status, timestamp: task.updatedAt });
  }

  async createTask({ id, sessionId, options }) {
    if (!this.session) throw new Error('BackgroundManager not initialized');
    const taskId = id ?? crypto.randomUUID();
    const now = Date.now();
    const task = { id: taskId, status: 'running', createdAt: now, updatedAt: now, options, sessionId: sessionId ?? this.session.id };
    this.tasks.set(taskId, task);
    return { ...task };
  }

  async completeTask(taskId, result) {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`Task ${taskId} not found`);
    this.finish(task, 'completed', { result });
    return { ...task };
  }

  async failTask(taskId, error) {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`Task ${taskId} not found`);
    this.finish(task, 'error', { error: error instanceof Error ? error.message : String(error) });
    return { ...task };
  }

  async cancelTask(taskId) {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`Task ${taskId} not found`);
    this.finish(task, 'cancelled', {});
    return { ...task };
  }

  async getTask(taskId) {
    const task = this.tasks.get(taskId);
    return task ? { ...task } : null;
  }

  async getAllTasks(status) {
    const all = Array.from(this.tasks.values());
    return (status ? all.filter((t) => t.status === status) : all).map((t) => ({ ...t }));
  }

  async cancelAllTasks() {
    const running = Array.from(this.tasks.values()).filter((t) => t.status === 'running');
    for (const task of running) this.finish(task, 'cancelled', {});
    return running.map((t) => ({ ...t }));
  }

  async getOutput(taskId, options = {}) {
    let task = this.tasks.get(taskId);
    if (!task) throw new Error(`Task ${taskId} not found`);
    if (options.wait) {
      const deadline = Date.now() + (options.timeout ?? 30000);
      while (!FINAL.has(task.status) && Date.now() < deadline) {
        await sleep(this.waitPoll);
        task = this.tasks.get(taskId) ?? task;
      }
    }
    const output = task.output ?? '';
    const out = { taskId, status: task.status, output: options.since ? output.slice(options.since) : output, cursor: output.length };
    if (task.result !== undefined) out.result = task.result;
    if (task.error !== undefined) out.error = task.error;
    return out;
  }

  async appendOutput(taskId, chunk) {
    const task = this.tasks.get(taskId);
    if (!task) throw new Error(`Task ${taskId} not found`);
    task.output = (task.output ?? '') + chunk;
  }

  async cleanup() {
    clearInterval(this.timer);
    this.timer = null;
    this.tasks.clear();
  }
}
