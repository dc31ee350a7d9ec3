// The whole public surface against hostile values: every method, every
// option (nested ones too) and every function of a runner's context, given
// values whose reads throw (a getter throwing a string, a number, a Symbol,
// an object whose toString throws or a revoked Proxy; a revoked Proxy itself)
// and values that are wrong (null, a Symbol, a revoked Proxy, an object
// whose toString throws). Each must be refused with an Error whose `code` is
// INVALID_ARGUMENT and whose message is a string; a method that answers with
// a promise must not throw, and a value an option cannot take must never be
// taken. Written once for the default build (Deno and Chromium, from
// hostile.js) and the durable build (tests/durable/hostile.test.ts).

export function revoked(target = {}) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

/** An object that cannot be made a string, a number or a primitive. */
export function unprintable() {
  const no = () => {
    throw new Error('conversion threw');
  };
  return { toString: no, valueOf: no, [Symbol.toPrimitive]: no };
}

// What a read throws.
const THROWN = [
  ['a string', () => 'thrown text'],
  ['a number', () => 42],
  ['a Symbol', () => Symbol('thrown')],
  ['an object whose toString throws', unprintable],
  ['a revoked Proxy', () => revoked()],
];

// Values that no scalar option and no id takes.
const WRONG = [
  ['null', () => null],
  ['a Symbol', () => Symbol('value')],
  ['a revoked Proxy', () => revoked()],
  ['an object whose toString throws', unprintable],
];

// Marks an option whose value is kept as given (a payload): it may be
// taken, or refused (a durable store refuses what it cannot store).
const ANY = Symbol('any value');
// Marks an option that is an object itself (`retry`): an object whose
// toString throws is one, and may be taken.
const OBJECT = Symbol('an object');

/** A copy of `base`'s plain objects, everything else (functions, a Deno.Kv) as it is. */
function copyPlain(value) {
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyPlain(v)]));
}

/** A copy of `base` with `path` (dot-separated) made hostile by `make(parent, key)`. */
function poisoned(base, path, make) {
  const root = copyPlain(base);
  const keys = path.split('.');
  let at = root;
  for (const key of keys.slice(0, -1)) {
    if (at[key] === undefined || at[key] === null || typeof at[key] !== 'object') at[key] = {};
    at = at[key];
  }
  make(at, keys.at(-1));
  return root;
}

function throwingGetter(thrown) {
  return (parent, key) => Object.defineProperty(parent, key, {
    get() {
      throw thrown();
    },
    enumerable: true,
    configurable: true,
  });
}

function setTo(value) {
  return (parent, key) => {
    parent[key] = value();
  };
}

/** Every hostile form of option `path` of `base`: [what it is, options]; `object`: the option is an object. */
function* hostileOptions(base, path, object = false) {
  for (const [what, thrown] of THROWN) yield [`${path} whose read throws ${what}`, poisoned(base, path, throwingGetter(thrown))];
  for (const [what, value] of WRONG) {
    if (object && value === unprintable) continue;
    yield [`${path}: ${what}`, poisoned(base, path, setTo(value))];
  }
}

/**
 * Every hostile options object itself: what is not an object (null and
 * undefined are left out: any options object may be), or cannot be read.
 */
function* hostileBags() {
  for (const [what, value] of [['a Symbol', () => Symbol('bag')], ['a revoked Proxy', () => revoked()], ['a number', () => 3], ['a string', () => 'text']]) {
    yield [what, value()];
  }
}

const settleWithin = 10_000;

/** What calling `f` did: { threw }, { returned }, { resolved } or { rejected }. */
async function outcome(f) {
  let result;
  try {
    result = f();
  } catch (error) {
    return { threw: error };
  }
  if (!(result instanceof Promise)) return { returned: result };
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ late: true }), settleWithin);
  });
  try {
    return await Promise.race([result.then((value) => ({ resolved: value }), (error) => ({ rejected: error })), late]);
  } finally {
    clearTimeout(timer);
  }
}

function say(value) {
  try {
    return value instanceof Error ? `${value.name}: ${value.message} (code ${String(value.code)})` : String(value);
  } catch {
    return 'an unprintable value';
  }
}

/** Whether `e` is the refusal asked for: an Error coded INVALID_ARGUMENT with a message. */
function refusal(e) {
  return e instanceof Error && e.code === 'INVALID_ARGUMENT' && typeof e.message === 'string' && e.message.length > 0;
}

/**
 * Collects what went wrong, to report every problem of a walk at once.
 * `sync`: the call answers synchronously (throws); else with a promise.
 * `any`: the value is a payload, which may also be taken. `done(x)` lets
 * go of what a call that was (wrongly) taken made.
 */
function checker() {
  const problems = [];
  let calls = 0;
  return {
    problems,
    get calls() {
      return calls;
    },
    async expect(what, f, { sync = false, any = false, done } = {}) {
      // Enough to see what is wrong; a build that gets everything wrong
      // (each call hanging until its limit) would otherwise take minutes.
      if (problems.length >= 60) throw new Error(`check failed: hostile calls went wrong (the first 60):\n${problems.join('\n')}`);
      calls++;
      const o = await outcome(f);
      if (o.late) return problems.push(`${what}: did not settle within ${settleWithin} ms`);
      if (sync) {
        if ('returned' in o) {
          done?.(o.returned);
          if (!any) problems.push(`${what}: was taken`);
          return;
        }
        if (!refusal(o.threw)) problems.push(`${what}: threw ${say(o.threw)}`);
        return;
      }
      if ('threw' in o) return problems.push(`${what}: threw synchronously ${say(o.threw)}`);
      if ('returned' in o) return problems.push(`${what}: returned ${say(o.returned)}, not a promise`);
      if ('resolved' in o) {
        done?.(o.resolved);
        if (!any) problems.push(`${what}: was taken`);
        return;
      }
      if (!refusal(o.rejected)) problems.push(`${what}: rejected with ${say(o.rejected)}`);
    },
  };
}

/** What a runner's context is given: [name, call(ctx, value)]; each must throw or reject INVALID_ARGUMENT. */
function* contextCalls() {
  const notText = [
    ...WRONG,
    ['undefined', () => undefined],
    ['a number', () => 7],
    ['an array of parts (a multimodal chunk.content)', () => [{ type: 'text', text: 'x' }]],
    ['an ArrayBuffer', () => new ArrayBuffer(2)],
    ['a Uint16Array', () => new Uint16Array(2)],
  ];
  for (const [what, value] of notText) yield [`write(${what})`, (ctx) => ctx.write(value()), true];
  for (const [what, value] of WRONG) yield [`progress(${what})`, (ctx) => ctx.progress(value()), true];
  for (const key of ['done', 'total', 'message']) {
    for (const [what, report] of hostileOptions({ done: 1 }, key)) yield [`progress(${what})`, (ctx) => ctx.progress(report), true];
  }
  for (const [what, options] of hostileOptions({}, 'timeout')) yield [`ask('q', ${what})`, (ctx) => ctx.ask('q', options), false];
  for (const [what, options] of hostileBags()) yield [`ask('q', ${what})`, (ctx) => ctx.ask('q', options), false];
}

/**
 * Walks the surface of manager `m` (initialized; it may be a tab that
 * forwards its calls to another, `forwarded`) and of `BM`'s constructor
 * with `constructorKeys` ([path, base] pairs). `runner` must be the
 * manager's runner hook: the walk sets `runner.body` to exercise a run's
 * context. Resolves with the number of calls; throws every problem found.
 */
export async function walk(BM, m, { constructorKeys = [], forwarded = false, runner } = {}) {
  const c = checker();
  const fn = () => {};
  // The task every call names; no refused call may change it.
  await m.createTask({ id: 't', options: 1 });

  // ---- the constructor -------------------------------------------------
  for (const [path, base, object] of constructorKeys) {
    for (const [what, options] of hostileOptions(base, path, object === OBJECT)) {
      await c.expect(`new BackgroundManager(${what})`, () => new BM(options), { sync: true, done: (made) => made.free() });
    }
  }
  for (const [what, options] of hostileBags()) {
    await c.expect(`new BackgroundManager(${what})`, () => new BM(options), { sync: true, done: (made) => made.free() });
  }

  // ---- options objects -------------------------------------------------
  const session = { id: 's', getStatus: () => 'running', sendMessage: fn };
  const launchBase = { agent: 'a', prompt: 'p' };
  const bags = [
    ['initialize', (o) => m.initialize(o), session, ['id', 'getStatus', 'sendMessage']],
    ['createTask', (o) => m.createTask(o), { options: 1 }, ['id', 'sessionId', ['options', ANY]]],
    ['launch', (o) => m.launch(o), launchBase, [
      'agent', 'prompt', 'id', 'sessionId', ['options', ANY], 'resume', 'concurrencyKey', 'priority', 'parentId',
      'idempotencyKey', 'onConflict', 'stallAfter', ['failAfterStall', { ...launchBase, stallAfter: 1000 }], ['retry', OBJECT],
      'retry.attempts', ['retry.backoff', OBJECT], 'retry.backoff.initial', 'retry.backoff.max', 'retry.backoff.factor',
      'retry.backoff.jitter', 'fallback',
    ]],
    ['cancelTask', (o) => m.cancelTask('t', o), {}, ['force', 'signal']],
    ['cancelAllTasks', (o) => m.cancelAllTasks(o), {}, ['force']],
    ['getOutput', (o) => m.getOutput('t', o), {}, ['wait', 'timeout', 'since', 'children', 'signal']],
    ['readLog', (o) => m.readLog('t', o), {}, ['after', 'limit']],
    ['callAgent', (o) => m.callAgent('a', 'p', o), {}, ['background']],
  ];
  for (const [name, call, base, keys] of bags) {
    for (const key of keys) {
      const [path, extra] = Array.isArray(key) ? key : [key];
      const any = extra === ANY;
      const from = extra === undefined || typeof extra === 'symbol' ? base : extra;
      for (const [what, options] of hostileOptions(from, path, extra === OBJECT)) {
        await c.expect(`${name}(${what})`, () => call(options), { any });
      }
    }
    // callAgent's options that are not an object are the runner's.
    if (name === 'callAgent') continue;
    for (const [what, options] of hostileBags()) await c.expect(`${name}(options: ${what})`, () => call(options));
  }
  // Iterables, answered synchronously: a refusal throws (in a forwarding
  // tab, an id is the owner's to check: the first next() rejects).
  const iterate = (make) => () => {
    const it = make();
    if (!forwarded) return it;
    return it.next().finally(() => it.return?.());
  };
  const end = (it) => it?.return?.();
  for (const key of ['from', 'signal']) {
    for (const [what, options] of hostileOptions({}, key)) {
      await c.expect(`watch(${what})`, () => m.watch('t', options), { sync: true, done: end });
    }
  }
  for (const [what, options] of hostileBags()) {
    await c.expect(`watch(options: ${what})`, () => m.watch('t', options), { sync: true, done: end });
    await c.expect(`watchAll(options: ${what})`, () => m.watchAll(options), { sync: true, done: end });
  }
  for (const [what, options] of hostileOptions({}, 'signal')) {
    await c.expect(`watchAll(${what})`, () => m.watchAll(options), { sync: true, done: end });
  }

  // ---- positional arguments --------------------------------------------
  for (const [what, value] of WRONG) {
    const id = () => value();
    for (const name of ['completeTask', 'failTask', 'respond', 'cancelTask', 'getTask', 'getOutput', 'readLog']) {
      await c.expect(`${name}(taskId: ${what})`, () => m[name](id(), 'x'));
    }
    await c.expect(`appendOutput(taskId: ${what})`, () => m.appendOutput(id(), 'x'));
    await c.expect(`appendOutput('t', chunk: ${what})`, () => m.appendOutput('t', value()));
    await c.expect(`getAllTasks(${what})`, () => m.getAllTasks(value()));
    await c.expect(`callAgent(agent: ${what})`, () => m.callAgent(value(), 'p'));
    await c.expect(`callAgent(prompt: ${what})`, () => m.callAgent('a', value()));
    await c.expect(`watch(taskId: ${what})`, iterate(() => m.watch(value())), { sync: !forwarded, done: end });
    await c.expect(`subscribe(${what})`, () => m.subscribe(value()), { sync: true, done: (off) => off() });
    await c.expect(`onOwner(${what})`, () => m.onOwner(value()), { sync: true, done: (off) => off() });
  }
  // Payloads are kept as given; an error's message is made from it.
  for (const [what, value] of [...WRONG, ...THROWN.map(([w, thrown]) => [`whose message throws ${w}`, () => ({
    get message() {
      throw thrown();
    },
  })])]) {
    const { id } = await m.createTask({ options: 1 });
    await c.expect(`completeTask(result: ${what})`, () => m.completeTask(id, value()), { any: true });
    const other = await m.createTask({ options: 1 });
    await c.expect(`failTask(error: ${what})`, () => m.failTask(other.id, value()), {
      any: true,
      done: (task) => {
        if (typeof task?.error !== 'string') c.problems.push(`failTask(error: ${what}): its error is ${say(task?.error)}`);
      },
    });
  }

  // ---- a runner's context -----------------------------------------------
  const calls = [...contextCalls()];
  const seen = [];
  runner.body = async (ctx) => {
    for (const [what, call, sync] of calls) seen.push([what, sync, await outcome(() => call(ctx))]);
    ctx.heartbeat(revoked());
    ctx.heartbeat(Symbol('h'));
    return 'walked';
  };
  const run = await m.launch({ agent: 'walk', prompt: 'p' });
  const out = await m.getOutput(run.id, { wait: true, timeout: 20_000 });
  runner.body = undefined;
  if (out.status !== 'completed') c.problems.push(`the walking runner ended ${out.status}: ${out.error}`);
  if (seen.length !== calls.length) c.problems.push(`the runner made ${seen.length} of ${calls.length} context calls`);
  for (const [what, sync, o] of seen) {
    const error = sync ? o.threw : o.rejected;
    if (!refusal(error)) c.problems.push(`runner context ${what}: ${sync ? 'threw' : 'rejected with'} ${say(error ?? o.returned ?? o.resolved)}`);
  }

  // Nothing above broke the manager or changed the task every call named.
  const t = await m.getTask('t');
  if (t?.status !== 'running') c.problems.push(`task t is ${t?.status}, not running`);
  if (c.problems.length > 0) {
    throw new Error(`check failed: ${c.problems.length} of ${c.calls} hostile calls went wrong:\n${c.problems.join('\n')}`);
  }
  return c.calls;
}

/** The constructor options of both builds: [path, base, OBJECT for an option that is an object]. */
export const CONSTRUCTOR_KEYS = [
  'pollInterval', 'taskTTL', 'runner', 'maxConcurrent', 'agentLimits', 'agentLimits.a', 'limits.global',
  'limits.keys', 'limits.keys.k', 'maxDepth', 'stallAfter', 'cancelGracePeriod', 'outputCap', 'simulatedDelay',
].map((path) => [path, {}]).concat([['failAfterStall', { stallAfter: 1000 }], ['limits', {}, OBJECT]]);

export { OBJECT };

/** A runner whose body a walk may set; 'done' otherwise. */
export function walkingRunner() {
  const runner = (ctx) => (runner.body ? runner.body(ctx) : 'done');
  runner.body = undefined;
  return runner;
}
