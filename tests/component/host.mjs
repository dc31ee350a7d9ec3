// A JS host of the component as jco transpiles it: it gives the component
// the ES module's Promise API back, by doing the host's part of the WIT
// contract. After every call it takes the effects and carries them out in
// order (notifications to the session, runs of the runner, waiters, events),
// keeps one timer for `advance` and, while the component says so, polls the
// session. `clock` is { now(), setTimeout(fn, ms), clearTimeout(id) }: the
// real one, or a virtual one in the tests, which the WASI shim's wall clock
// also reads.

const camel = (code) => code.toUpperCase().replace(/-/g, '_');

/** A component `manager-error` as the Error the ES module throws. */
function coded(e) {
  const error = new Error(e.message);
  error.code = camel(e.code);
  return error;
}

/** Calls `f`, turning jco's thrown `result` error into a coded Error. */
function call(f) {
  try {
    return f();
  } catch (e) {
    if (e && typeof e === 'object' && 'payload' in e && e.payload?.code) throw coded(e.payload);
    throw e;
  }
}

const json = (value) => (value === undefined ? undefined : JSON.stringify(value));
const parse = (text) => (text === undefined ? undefined : JSON.parse(text));

/** Drops the keys whose value is undefined, as the ES module leaves them out. */
function plain(record) {
  for (const k of Object.keys(record)) if (record[k] === undefined) delete record[k];
  return record;
}

function task(t) {
  return plain({
    ...t,
    options: parse(t.options),
    result: parse(t.result),
    question: parse(t.question),
    progress: t.progress && plain({ ...t.progress }),
  });
}

/** A `task-log-entry` as the ES module's log entry. */
function entry(e) {
  const head = { seq: Number(e.seq), type: e.kind.tag, at: e.at };
  const v = e.kind.val;
  switch (e.kind.tag) {
    case 'status':
      return plain({ ...head, status: v.status, error: v.error });
    case 'output':
      return { ...head, text: v.text, cursor: v.cursor };
    case 'progress':
      return plain({ ...head, done: v.done, total: v.total, message: v.message });
    case 'gap':
      return { ...head, dropped: Number(v) };
    default:
      return head;
  }
}

function output(o) {
  return plain({ ...o, result: parse(o.result) });
}

function managerOptions(o = {}) {
  return plain({
    pollInterval: o.pollInterval,
    taskTtl: o.taskTTL,
    maxConcurrent: o.maxConcurrent,
    agentLimits: o.agentLimits && Object.entries(o.agentLimits),
    keyLimits: o.limits?.keys && Object.entries(o.limits.keys),
    maxDepth: o.maxDepth,
    stallAfter: o.stallAfter,
    failAfterStall: o.failAfterStall === true ? 0 : o.failAfterStall,
    cancelGracePeriod: o.cancelGracePeriod,
    outputCap: o.outputCap,
  });
}

/** The real clock: the wall clock and the platform's timers. */
export const realClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (id) => clearTimeout(id),
};

export function openManager(api, options = {}, { runner, clock = realClock }) {
  const inner = call(() => api.BackgroundManager.open(managerOptions(options)));
  const pollInterval = options.pollInterval ?? 2000;
  const sessions = new Map();
  const waiters = new Map();
  const runs = new Map();
  // The question each run asks: run -> { resolve, reject }.
  const asks = new Map();
  const listeners = new Set();
  let timer = null;
  let poller = null;
  let pumping = false;
  let again = false;

  function waiter(w) {
    return new Promise((resolve, reject) => waiters.set(w, { resolve, reject }));
  }

  function start(r) {
    const controller = new AbortController();
    runs.set(r.run, controller);
    const context = {
      agent: r.agent,
      prompt: r.prompt,
      taskId: r.taskId,
      sessionId: r.sessionId,
      options: parse(r.options),
      signal: controller.signal,
      write: (chunk) => {
        inner.runWrite(r.run, String(chunk));
        pump();
      },
      progress: (report) => {
        inner.runProgress(r.run, plain({ done: report.done, total: report.total, message: report.message }));
        pump();
      },
      heartbeat: () => {
        inner.runHeartbeat(r.run);
        pump();
      },
      attempt: r.attempt ?? 1,
      ask: (question, o) => {
        try {
          call(() => inner.runAsk(r.run, json(question) ?? 'null', o?.timeout));
        } catch (error) {
          return Promise.reject(error);
        }
        const answer = new Promise((resolve, reject) => asks.set(r.run, { resolve, reject }));
        pump();
        return answer;
      },
    };
    new Promise((resolve) => resolve(runner(context))).then(
      (value) => settled(r.run, { tag: 'ok', val: json(value) ?? 'null' }),
      (error) => failed(r.run, error),
    );
  }

  function settled(run, outcome) {
    runs.delete(run);
    inner.runSettled(run, outcome);
    pump();
  }

  // A failed run, with what its error says about retrying it.
  function failed(run, error) {
    runs.delete(run);
    const after = typeof error?.retryAfter === 'number' ? error.retryAfter : undefined;
    const retryable = typeof error?.retryable === 'boolean' ? error.retryable : undefined;
    inner.runFailed(run, String(error?.message ?? error), after, retryable);
    pump();
  }

  function carry(effect) {
    const v = effect.val;
    switch (effect.tag) {
      case 'notify':
        try {
          Promise.resolve(sessions.get(v.session)?.sendMessage(v.message)).catch(() => {});
        } catch { /* a failing sendMessage changes nothing */ }
        break;
      case 'start':
        start(v);
        break;
      case 'abort':
        runs.get(v)?.abort();
        break;
      case 'close':
        runs.delete(v);
        break;
      case 'reply': {
        const a = asks.get(v.run);
        asks.delete(v.run);
        if (v.end.tag === 'answer') a?.resolve(parse(v.end.val));
        else a?.reject(new DOMException(`ask: ${v.end.tag}`, v.end.tag === 'timed-out' ? 'TimeoutError' : 'AbortError'));
        break;
      }
      case 'wake': {
        const w = waiters.get(v.waiter);
        waiters.delete(v.waiter);
        const a = v.answer;
        if (a.tag === 'output') w?.resolve(output(a.val));
        else if (a.tag === 'task') w?.resolve(task(a.val));
        else if (a.val.tag === 'ok') w?.resolve(parse(a.val.val));
        else w?.reject(new Error(a.val.val));
        break;
      }
      case 'dispose':
        waiters.get(v.waiter)?.reject(coded(v.error));
        waiters.delete(v.waiter);
        break;
      case 'event':
        for (const l of listeners) {
          try {
            const e = { type: v.tag, ...(typeof v.val === 'string' ? { taskId: v.val } : v.val) };
            if (e.type === 'progress') e.progress = plain({ ...e.progress });
            l(e);
          } catch { /* a listener's error is its own */ }
        }
        break;
    }
  }

  /** Carries out the effects, then re-arms the timers by the schedule. */
  function pump() {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    try {
      let schedule;
      do {
        again = false;
        schedule = inner.advance();
        for (const effect of inner.takeEffects()) carry(effect);
      } while (again);
      arm(schedule);
    } finally {
      pumping = false;
    }
  }

  function arm(schedule) {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    if (schedule.deadline !== undefined) {
      const wait = Math.min(Math.max(0, schedule.deadline - clock.now()), 2_147_483_647);
      timer = clock.setTimeout(() => {
        timer = null;
        pump();
      }, wait);
    }
    if (schedule.polling && poller === null) {
      poller = clock.setTimeout(tick, pollInterval);
    } else if (!schedule.polling && poller !== null) {
      clock.clearTimeout(poller);
      poller = null;
    }
  }

  async function tick() {
    poller = null;
    const poll = inner.beginPoll();
    pump();
    if (!poll) return;
    let status;
    try {
      status = await sessions.get(poll.session)?.getStatus();
    } catch { /* asking failed: the answer is none */ }
    inner.finishPoll(poll.token, typeof status === 'string' ? status : undefined);
    pump();
  }

  /** Runs a call, then the effects it caused. */
  function op(f) {
    try {
      return Promise.resolve(call(f));
    } catch (error) {
      return Promise.reject(error);
    } finally {
      pump();
    }
  }

  function cancelReply(r) {
    return r.tag === 'cancelled' ? task(r.val) : waiter(r.val);
  }

  return {
    initialize: (session) =>
      op(() => {
        const n = inner.initialize({ id: session.id });
        sessions.set(n, session);
      }),
    createTask: (o) =>
      op(() => task(inner.createTask({ id: o.id, sessionId: o.sessionId, options: json(o.options) ?? 'null' }))),
    launch: (o) =>
      op(() =>
        task(inner.launch(plain({
          agent: o.agent, prompt: o.prompt, id: o.id, sessionId: o.sessionId, options: json(o.options),
          concurrencyKey: o.concurrencyKey, priority: o.priority,
          parentId: o.parentId, idempotencyKey: o.idempotencyKey, onConflict: o.onConflict,
          stallAfter: o.stallAfter, failAfterStall: o.failAfterStall === true ? 0 : o.failAfterStall,
          retry: o.retry, fallback: o.fallback,
        })))
      ),
    completeTask: (id, result) => op(() => task(inner.completeTask(id, json(result)))),
    respond: (id, answer) => op(() => task(inner.respond(id, json(answer) ?? 'null'))),
    failTask: (id, error) => op(() => task(inner.failTask(id, String(error?.message ?? error)))),
    cancelTask: (id, o) => op(() => cancelReply(inner.cancelTask(id, o))),
    getTask: (id) =>
      op(() => {
        const t = inner.getTask(id);
        return t === undefined ? null : task(t);
      }),
    pause: () => op(() => inner.pause()),
    resume: () => op(() => inner.resume()),
    getAllTasks: (status) => op(() => inner.getAllTasks(status).map(task)),
    cancelAllTasks: (o) => op(() => Promise.all(inner.cancelAllTasks(o).map(cancelReply))),
    getOutput: (id, o) =>
      op(() => {
        const r = inner.getOutput(id, o);
        return r.tag === 'ready' ? output(r.val) : waiter(r.val);
      }),
    appendOutput: (id, chunk) => op(() => inner.appendOutput(id, chunk)),
    readLog: (id, o) =>
      op(() => {
        const r = inner.readLog(id, o && plain({
          after: o.after === undefined ? undefined : BigInt(o.after),
          limit: o.limit,
        }));
        return { entries: r.entries.map(entry), next: Number(r.next), final: r.final };
      }),
    subscribe(listener) {
      listeners.add(listener);
      inner.subscribe(true);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0) inner.subscribe(false);
      };
    },
    cleanup: () =>
      op(() => {
        inner.cleanup();
        for (const id of [timer, poller]) if (id !== null) clock.clearTimeout(id);
        timer = poller = null;
      }),
    callAgent: (agent, prompt, o) =>
      op(() => {
        const r = inner.callAgent(agent, prompt, json(o));
        return r.tag === 'launched' ? r.val : waiter(r.val);
      }),
  };
}
