// What the browser-and-Deno suites share: checks, waiting with slack
// (headless timers are throttled), a recording session, a quiet console.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const never = () => new Promise(() => {});

export function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

/** Waits for `done`, with slack; never counts ticks in a fixed window. */
export async function eventually(what, done, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function noRuntimeError(error) {
  check(!(error instanceof WebAssembly.RuntimeError), `RuntimeError: ${error}`);
}

/** A session that records what it is told; `status` is what getStatus answers. */
export function recording(id = 'session-1') {
  const probe = {
    sent: [],
    statusCalls: 0,
    status: 'running',
    statuses: () => probe.sent.map((n) => `${n.type}:${n.taskId}:${n.status}`).join(','),
  };
  probe.session = (sid = id) => ({
    id: sid,
    getStatus: async () => {
      probe.statusCalls++;
      return probe.status;
    },
    sendMessage: async (message) => {
      probe.sent.push(message);
    },
  });
  return probe;
}

/** A manager initialized with a recording session. */
export async function manager(BM, options = {}) {
  const m = new BM(options);
  const probe = recording();
  await m.initialize(probe.session());
  return { m, probe, session: probe.session };
}

export function quiet(body) {
  const { warn, error } = console;
  console.warn = () => {};
  console.error = () => {};
  return Promise.resolve().then(body).finally(() => Object.assign(console, { warn, error }));
}

/** The manager's invariants and the view's agreement with the engine. */
export function consistent(m) {
  const problem = m[Symbol.for('background-manager.check')]();
  check(problem === '', problem);
}

/** The manager still answers every kind of call correctly. */
export async function healthy(m, session) {
  await m.initialize(session ?? { id: 'health', getStatus: () => 'running', sendMessage: () => {} });
  const before = (await m.getAllTasks()).length;
  const t = await m.createTask({ options: { check: true } });
  check((await m.getTask(t.id))?.status === 'running', 'a new task runs');
  const waiting = m.getOutput(t.id, { wait: true, timeout: 5000 });
  check((await m.completeTask(t.id, 'ok')).status === 'completed', 'complete works');
  check((await waiting).result === 'ok', 'a waiter wakes');
  check((await m.getAllTasks()).length === before + 1, 'counts match');
  const l = await m.launch({ agent: 'a', prompt: 'p' });
  const out = await m.getOutput(l.id, { wait: true, timeout: 10_000 });
  check(out.status !== 'running' && out.status !== 'queued', `a launched task ends (${out.status})`);
  consistent(m);
}

/** A new manager with `options` works, and is cleaned up after. */
export async function healthyNew(BM, options) {
  const m = new BM(options);
  try {
    await healthy(m);
  } finally {
    await m.cleanup();
  }
}

/** Runs every scenario of a suite; resolves { passed, failed: [[name, message]] }. */
export async function runAll(scenarios, BM) {
  const failed = [];
  let passed = 0;
  for (const [name, scenario] of Object.entries(scenarios)) {
    try {
      await quiet(() => scenario(BM));
      passed++;
    } catch (error) {
      failed.push([name, String(error?.stack ?? error)]);
    }
  }
  return { passed, failed };
}
