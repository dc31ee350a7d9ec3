// A hostile environment must never corrupt the instance: revoked Proxies,
// thenables whose `then` throws, a console that throws, callbacks that clean
// up mid-call, promises that never settle. Written once for Deno and headless
// Chromium; the leak scenarios need `gc` (--expose-gc) and say so if absent.
import { check, consistent, eventually, healthy, healthyNew, manager, never, noRuntimeError, sleep } from './support.js';
import { CONSTRUCTOR_KEYS, walk, walkingRunner } from './surface.js';

function revoked(target = {}) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}

const coded = (error) => error instanceof Error && typeof error.code === 'string';

/** `call()` must return a promise that settles; if it rejects, with a coded Error. */
async function settles(call, what) {
  let result;
  try {
    result = call();
  } catch (error) {
    throw new Error(`check failed: ${what} threw synchronously: ${error}`);
  }
  check(result instanceof Promise, `${what} returned a Promise`);
  try {
    await result;
  } catch (error) {
    noRuntimeError(error);
    check(coded(error), `${what} rejected with a coded Error: ${error}`);
    return error;
  }
  return undefined;
}

/** Counts user promises the garbage collector took. */
function collector() {
  let collected = 0;
  const registry = new FinalizationRegistry(() => collected++);
  return {
    track(value) {
      registry.register(value, 0);
      return value;
    },
    async expect(n, what) {
      await eventually(`${what}: ${n} collected (${collected} so far)`, async () => {
        globalThis.gc();
        await sleep(10);
        return collected >= n;
      }, 20_000);
    },
  };
}

export const scenarios = {
  async 'a revoked Proxy in every argument, thousands of times, then another manager works'(BM) {
    // callAgent('a', 'x', p) runs the simulated agent in the foreground
    // (options it cannot read are not `{ background: true }`): keep it quick.
    const { m } = await manager(BM, { simulatedDelay: 1 });
    const p = revoked();
    const fn = revoked(() => {});
    const id = (await m.createTask({ options: p })).id;
    check((await m.getTask(id)).options === p, 'a revoked Proxy is kept as options, never touched');
    const calls = [
      () => m.initialize(p), () => m.createTask(p), () => m.createTask({ id: p, options: 1 }),
      () => m.createTask({ sessionId: p, options: 1 }), () => m.launch(p), () => m.launch({ agent: p, prompt: 'x' }),
      () => m.completeTask(p), () => m.completeTask(id, p), () => m.failTask(p, 'x'), () => m.cancelTask(p),
      () => m.cancelTask(id, p), () => m.getTask(p), () => m.getAllTasks(p), () => m.cancelAllTasks(p),
      () => m.getOutput(p), () => m.getOutput(id, p), () => m.appendOutput(p, 'x'), () => m.appendOutput(id, p),
      () => m.callAgent(p, 'x'), () => m.callAgent('a', p), () => m.callAgent('a', 'x', p),
      () => m.initialize({ id: 's', getStatus: fn, sendMessage: fn }),
    ];
    for (let round = 0; round < 150; round++) {
      for (const call of calls) await settles(call, String(call));
    }
    const failed = await m.createTask({ options: 1 });
    check((await m.failTask(failed.id, p)).error === 'Unknown error', 'a revoked Proxy as an error has a message');
    for (const bad of [p, fn]) {
      try {
        m.subscribe(bad === fn ? 1 : bad);
      } catch (error) {
        check(coded(error), `subscribe threw a coded error: ${error}`);
      }
      try {
        new BM(bad);
      } catch (error) {
        check(coded(error), `the constructor threw a coded error: ${error}`);
      }
    }
    consistent(m);
    await m.cleanup();
    await healthyNew(BM, { runner: () => 'ok' });
    await healthy(m);
    await m.cleanup();
  },

  async 'getters are read once, may throw, and may re-enter the manager'(BM) {
    const { m } = await manager(BM);
    let reads = 0;
    const counted = { get options() { reads++; return 'o'; } };
    await m.createTask(counted);
    check(reads === 1, `the getter ran ${reads} times`);
    const error = await settles(() => m.createTask({ get options() { throw new Error('getter'); } }), 'createTask');
    check(error?.code === 'INVALID_ARGUMENT' && /Reading createTask options\.options threw: getter/.test(error.message),
      `${error?.message}`);
    let since = 0;
    const out = { get since() { since++; return 0; }, get wait() { return false; } };
    await m.getOutput((await m.createTask({ options: 1 })).id, out);
    check(since === 1, `getOutput read since ${since} times`);
    // A getter that cleans up while its call is being read: the call then
    // finds the manager as cleanup left it.
    const cleaned = await settles(() => m.createTask({ get options() { m.cleanup(); return 1; } }), 'createTask');
    check(cleaned?.code === 'NOT_INITIALIZED', `${cleaned?.code}`);
    consistent(m);
    await healthy(m);
    await m.cleanup();
  },

  async 'a runner promise whose then throws fails its task; everything after is delivered'(BM) {
    const thenables = [
      { then() { throw new Error('then threw'); } },
      { get then() { throw new Error('then getter threw'); } },
      Object.assign(Promise.resolve('x'), { then() { throw new Error('own then threw'); } }),
      Object.defineProperty(Promise.resolve('y'), 'constructor', { get() { throw new Error('constructor getter'); } }),
      revoked(),
    ];
    let i = 0;
    const { m, probe } = await manager(BM, { runner: () => thenables[i++ % thenables.length] });
    for (let k = 0; k < thenables.length; k++) {
      check(await settles(() => m.launch({ agent: 'a', prompt: 'p' }), 'launch') === undefined, 'launch resolved');
    }
    await eventually('every run settled', async () => (await m.getAllTasks('running')).length === 0);
    const results = (await m.getAllTasks()).map((t) => `${t.status}:${t.error}`);
    check(results.every((r) => r.startsWith('error:')), `each fails its task: ${results.join()}`);
    check(/then threw/.test(results[0]) && /getter threw/.test(results[1]) && /own then/.test(results[2]) &&
      /constructor getter/.test(results[3]), results.join());
    check(probe.sent.length === thenables.length, 'every task was notified');
    // Timeouts, waiters and notifications still flow.
    const { id } = await m.createTask({ options: {} });
    check((await m.getOutput(id, { wait: true, timeout: 20 })).timedOut === true, 'a wait times out');
    await m.completeTask(id, 'ok');
    check(probe.sent.length === thenables.length + 1, 'and notifies');
    consistent(m);
    await m.cleanup();
  },

  async 'a runner that ends its own task and then fails leaves no unhandled rejection'(BM) {
    // Its outcome is let go of unawaited (the task already ended), so it
    // must be marked handled; a rejection nobody handles is a host error.
    const unhandled = [];
    const onUnhandled = (event) => {
      unhandled.push(String(event.reason));
      event.preventDefault();
    };
    globalThis.addEventListener('unhandledrejection', onUnhandled);
    try {
      let m;
      const fails = [
        () => ({ then() { throw new Error('then threw'); } }),
        () => Promise.reject(new Error('rejected')),
        () => { throw new Error('threw'); },
      ];
      let i = 0;
      ({ m } = await manager(BM, {
        runner: (ctx) => {
          m.cancelTask(ctx.taskId, { force: true });
          return fails[i++ % fails.length]();
        },
      }));
      for (let k = 0; k < fails.length * 2; k++) await m.launch({ agent: 'a', prompt: 'p' });
      await eventually('every task ended', async () => (await m.getAllTasks('running')).length === 0);
      await sleep(20);
      check(unhandled.length === 0, `unhandled rejections: ${unhandled.join('; ')}`);
      const statuses = (await m.getAllTasks()).map((t) => t.status);
      check(statuses.length === fails.length * 2 && statuses.every((s) => s === 'cancelled'), statuses.join());
      consistent(m);
      await m.cleanup();
    } finally {
      globalThis.removeEventListener('unhandledrejection', onUnhandled);
    }
  },

  async 'getStatus and sendMessage thenables that throw, and a console.warn that throws'(BM) {
    const { warn } = console;
    let warned = 0;
    console.warn = () => {
      warned++;
      throw new Error('console.warn threw');
    };
    try {
      let polls = 0;
      const answers = [
        () => ({ then() { throw new Error('then'); } }),
        () => ({ get then() { throw new Error('getter'); } }),
        () => Object.defineProperty(Promise.resolve('running'), 'constructor', { get() { throw new Error('ctor'); } }),
        () => revoked(),
        () => Promise.reject(new Error('rejected')),
      ];
      const m = new BM({ pollInterval: 5 });
      await m.initialize({
        id: 's',
        getStatus: () => answers[polls++ % answers.length](),
        sendMessage: () => ({ get then() { throw new Error('send then'); } }),
      });
      const { id } = await m.createTask({ options: {} });
      await eventually('polls through every answer', () => polls >= answers.length * 2);
      check((await m.getTask(id)).status === 'running', 'no answer changed the task');
      await m.completeTask(id);
      await eventually('the warnings', () => warned > 0);
      consistent(m);
      await healthy(m);
      await m.cleanup();
    } finally {
      console.warn = warn;
    }
  },

  async 'cleanup() from an abort listener during a grace-period cancelTask rejects DISPOSED'(BM) {
    let m;
    const runner = ({ signal }) => {
      signal.addEventListener('abort', () => m.cleanup());
      return never();
    };
    ({ m } = await manager(BM, { runner, cancelGracePeriod: 10_000 }));
    const { id } = await m.launch({ agent: 'a', prompt: 'p' });
    const error = await settles(() => m.cancelTask(id), 'cancelTask');
    check(error?.code === 'DISPOSED', `cancelTask rejected ${error?.code}: ${error?.message}`);
    check((await m.getAllTasks()).length === 0, 'cleaned up');
    // The manager works on (its runner never ends a task by itself).
    await m.initialize({ id: 's', getStatus: () => 'running', sendMessage: () => {} });
    const t = await m.createTask({ options: {} });
    check((await m.completeTask(t.id)).status === 'completed', 'a task completes');
    consistent(m);
    await m.cleanup();
    await healthyNew(BM, { runner: () => 'ok' });
  },

  async 'a force-cancel made from sendMessage keeps a queued task\'s runner from starting'(BM) {
    const started = [];
    let finishFirst;
    let m;
    const runner = ({ taskId }) => {
      started.push(taskId);
      return taskId === 'first' ? new Promise((r) => (finishFirst = r)) : 'done';
    };
    m = new BM({ runner, maxConcurrent: 1 });
    await m.initialize({
      id: 's',
      getStatus: () => 'running',
      sendMessage: (n) => {
        if (n.taskId === 'first') m.cancelTask('queued', { force: true });
      },
    });
    await m.launch({ agent: 'a', prompt: 'p', id: 'first' });
    check((await m.launch({ agent: 'a', prompt: 'p', id: 'queued' })).status === 'queued', 'queued behind the first');
    finishFirst('ok');
    await eventually('the queued task cancelled', async () => (await m.getTask('queued')).status === 'cancelled');
    await sleep(10);
    check(started.join() === 'first', `runners started: ${started.join()}`);
    consistent(m);
    await m.cleanup();
  },

  async 'never-settling runners, callAgents, polls and sendMessages are let go'(BM) {
    if (typeof globalThis.gc !== 'function') throw new Error('check failed: run with --expose-gc');
    const c = collector();
    const n = 200;
    // Force-cancelled launches whose runners never settle.
    const { m } = await manager(BM, { runner: () => c.track(never()), cancelGracePeriod: 10_000 });
    for (let i = 0; i < n; i++) {
      const { id } = await m.launch({ agent: 'a', prompt: 'p' });
      await m.cancelTask(id, { force: true });
    }
    await c.expect(n, 'force-cancelled runs');
    // Runs whose grace period ran out.
    const graced = new BM({ runner: () => c.track(never()), cancelGracePeriod: 1 });
    await graced.initialize({ id: 's', getStatus: () => 'running', sendMessage: () => {} });
    for (let i = 0; i < n; i++) await graced.launch({ agent: 'a', prompt: 'p' });
    await graced.cancelAllTasks();
    await c.expect(2 * n, 'runs past their grace');
    // Foreground calls, let go at cleanup.
    const calls = [];
    for (let i = 0; i < n; i++) calls.push(m.callAgent('a', 'p').catch((e) => e.code));
    // Polls abandoned one interval later (each a failure, so they back off:
    // 2, 4, 8 ... ms apart), and sendMessages, let go at cleanup.
    const polled = new BM({ pollInterval: 2 });
    let polls = 0;
    await polled.initialize({
      id: 's',
      getStatus: () => (polls++, c.track(never())),
      sendMessage: () => c.track(never()),
    });
    for (let i = 0; i < n; i++) await polled.failTask((await polled.createTask({ options: i })).id, 'x');
    await polled.createTask({ options: 'keeps polling' });
    await eventually('polls', () => polls >= 8);
    await m.cleanup();
    check((await Promise.all(calls)).every((code) => code === 'DISPOSED'), 'cleanup rejects foreground calls');
    await polled.cleanup();
    await graced.cleanup();
    // Every promise handed out: the runs, the calls, every poll, every notification.
    await c.expect(2 * n + n + polls + n, 'calls, polls and notifications');
  },

  async 'every method, option and runner-context function refuses hostile values with INVALID_ARGUMENT'(BM) {
    const runner = walkingRunner();
    const { m } = await manager(BM, { runner, simulatedDelay: 1 });
    // The default build refuses the durable build's options, hostile ones too.
    const durable = ['store', 'notifyRetry', 'notify', 'shared', 'sharedLease'].map((path) => [path, {}]);
    const calls = await walk(BM, m, { constructorKeys: [...CONSTRUCTOR_KEYS, ...durable], runner });
    check(calls > 500, `${calls} hostile calls`);
    consistent(m);
    await healthy(m);
    await m.cleanup();
  },

  async 'a runner that writes with a revoked Proxy, or after free, changes nothing'(BM) {
    let write;
    const { m } = await manager(BM, { runner: (ctx) => { write = ctx.write; return never(); } });
    const { id } = await m.launch({ agent: 'a', prompt: 'p' });
    let threw = false;
    try {
      write(revoked());
    } catch (error) {
      threw = error instanceof TypeError && error.code === 'INVALID_ARGUMENT';
    }
    check(threw, 'write throws a TypeError coded INVALID_ARGUMENT to the runner');
    write('kept');
    check((await m.getOutput(id)).output === 'kept', 'a string is kept');
    m.free();
    write('after free');
    consistent(m);
  },
};
