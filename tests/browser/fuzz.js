// A fuzzer over the public API, written once for Deno and headless Chromium:
// random calls with random and hostile arguments on two managers, whose
// runners, sessions and listeners call back into either manager at random.
// After every step, both managers must pass their own check (the engine's
// invariants, and the JS view equal to the engine: `consistent`); every call
// must answer with a Promise (never throw), every rejection must be an Error
// with a code and never a wasm RuntimeError; at the end both still work.
import { check, consistent, healthy, healthyNew, noRuntimeError, sleep } from './support.js';

/** A small seeded generator (mulberry32): a failing seed reproduces. */
function generator(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    chance: (p) => next() < p,
  };
}

function revoked() {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
}

const HOSTILE = [
  () => revoked(),
  () => new Proxy({}, { get() { throw new Error('trap'); } }),
  () => ({ get options() { throw new Error('getter'); } }),
  () => ({ then() { throw new Error('then'); } }),
  () => null,
  () => undefined,
  () => NaN,
  () => -1,
  () => '',
  () => '\ud800',
  () => [],
  () => Symbol('s'),
  () => 10n,
  () => () => {},
  () => ({ wait: 'yes' }),
  () => ({ since: -1 }),
  () => ({ force: 1 }),
];

export async function fuzz(BM, { seed = 1, steps = 2000 } = {}) {
  const g = generator(seed);
  const ids = ['a', 'b', 'c', '__proto__', 'constructor'];
  const pending = [];
  const failures = [];
  const managers = [];
  let depth = 0;
  // Callbacks re-enter within a budget that each step renews: re-entrant
  // calls stay plentiful without compounding into a storm.
  let budget = 0;
  const listeners = [];
  const stats = { calls: 0, reentered: 0, resolved: 0, rejected: 0, finished: 0 };

  // Calls a random operation on a random manager; from a callback too.
  const act = (m) => {
    const op = g.pick(OPS);
    stats.calls++;
    let result;
    try {
      result = op(m);
    } catch (error) {
      // Only the constructor and subscribe may throw, and only coded errors.
      noRuntimeError(error);
      check(op.throws && error instanceof Error && typeof error.code === 'string', `${op.name} threw: ${error}`);
      return;
    }
    check(op.throws || result instanceof Promise, `${op.name} answered with a Promise`);
    if (result instanceof Promise) {
      pending.push(result.then((value) => {
        stats.resolved++;
        if (value && ['completed', 'error', 'cancelled'].includes(value.status)) stats.finished++;
        if (value && typeof value.id === 'string' && ids.length < 40) ids.push(value.id);
      }, (error) => {
        stats.rejected++;
        noRuntimeError(error);
        // callAgent rejects with whatever its runner threw; the rest with
        // coded errors.
        check(op.passesThrough || (error instanceof Error && typeof error.code === 'string'),
          `${op.name} rejected with ${error}`);
      }).catch((failure) => failures.push(failure)));
    }
  };
  const reenter = () => {
    if (depth < 3 && budget > 0 && g.chance(0.3)) {
      budget--;
      stats.reentered++;
      depth++;
      try {
        act(g.pick(managers));
      } finally {
        depth--;
      }
    }
  };
  const arg = (make) => (g.chance(0.08) ? g.pick(HOSTILE)() : make());
  const id = () => arg(() => g.pick(ids));

  const runner = (ctx) => {
    reenter();
    const kind = g.int(7);
    if (kind === 0) throw new Error('runner threw');
    if (kind === 1) return Promise.reject(new Error('runner rejected'));
    if (kind === 2) return new Promise(() => {});
    if (kind === 3) return { then() { throw new Error('runner then'); } };
    return (async () => {
      for (let i = g.int(4); i > 0; i--) {
        try {
          ctx.write(g.chance(0.1) ? arg(() => 'x') : `chunk ${i} of ${ctx.taskId}\n`);
        } catch {
          // write refuses what is not a string.
        }
        reenter();
        await sleep(g.int(3));
      }
      return g.chance(0.5) ? { ok: true } : undefined;
    })();
  };
  const session = (name) => ({
    id: name,
    getStatus: () => {
      reenter();
      const answer = g.pick(['running', 'running', 'completed', 'error', 'cancelled', 42, 'reject']);
      return answer === 'reject' ? Promise.reject(new Error('status rejected')) : answer;
    },
    sendMessage: () => {
      reenter();
      if (g.chance(0.1)) throw new Error('send threw');
      return g.chance(0.1) ? Promise.reject(new Error('send rejected')) : undefined;
    },
  });

  const OPS = [
    function createTask(m) {
      return m.createTask(arg(() => ({ id: g.chance(0.5) ? g.pick(ids) : undefined, options: { n: g.int(9) } })));
    },
    function launch(m) {
      return m.launch(arg(() => ({ agent: g.pick(['a', 'b']), prompt: 'p', id: g.chance(0.2) ? g.pick(ids) : undefined })));
    },
    function completeTask(m) { return m.completeTask(id(), arg(() => g.int(9))); },
    function failTask(m) { return m.failTask(id(), arg(() => new Error('failed'))); },
    function cancelTask(m) { return m.cancelTask(id(), arg(() => ({ force: g.chance(0.5) }))); },
    function getTask(m) { return m.getTask(id()); },
    function getAllTasks(m) { return m.getAllTasks(arg(() => g.pick([undefined, 'running', 'queued', 'completed']))); },
    function cancelAllTasks(m) { return m.cancelAllTasks(arg(() => ({ force: g.chance(0.7) }))); },
    function getOutput(m) {
      return m.getOutput(id(), arg(() => g.pick([undefined, { since: g.int(40) }, { wait: true, timeout: g.int(30) },
        { wait: true, timeout: 0 }])));
    },
    function appendOutput(m) { return m.appendOutput(id(), arg(() => `more ${g.int(9)} `)); },
    Object.assign(function callAgent(m) {
      return m.callAgent(arg(() => 'a'), arg(() => 'p'), arg(() => ({ background: g.chance(0.5) })));
    }, { passesThrough: true }),
    function initialize(m) { return m.initialize(arg(() => session(g.pick(['s1', 's2'])))); },
    function cleanup(m) { return g.chance(0.2) ? m.cleanup() : m.getTask('a'); },
    Object.assign(function subscribe(m) {
      const stop = m.subscribe(arg(() => () => reenter()));
      listeners.push(stop);
      if (listeners.length > 4 || g.chance(0.3)) listeners.splice(g.int(listeners.length), 1)[0]();
    }, { throws: true }),
  ];

  for (let i = 0; i < 2; i++) {
    const m = new BM({
      runner, maxConcurrent: 2, agentLimits: { a: 1 }, cancelGracePeriod: 3, taskTTL: 150, pollInterval: 7,
      outputCap: 48,
    });
    await m.initialize(session(`s${i}`));
    managers.push(m);
  }
  try {
    for (let step = 0; step < steps; step++) {
      budget = 8;
      act(g.pick(managers));
      if (g.chance(0.2)) await sleep(g.chance(0.9) ? 0 : g.int(8));
      for (const m of managers) consistent(m);
      if (failures.length > 0) throw failures[0];
    }
    budget = 0;
    for (const stop of listeners) stop();
    for (const m of managers) await m.cleanup();
    await Promise.all(pending);
    if (failures.length > 0) throw failures[0];
    // Not a vacuous run: calls went through, failed, finished tasks, re-entered.
    const min = steps / 10;
    check(stats.resolved > min && stats.rejected > min && stats.finished > min / 10 && stats.reentered > min,
      `the run exercised the manager: ${JSON.stringify(stats)}`);
    // Both managers work on (their runners may never end a task, so the
    // launch part of the health check runs on a new manager).
    for (const m of managers) {
      consistent(m);
      await m.initialize({ id: 'after', getStatus: () => 'running', sendMessage: () => {} });
      const t = await m.createTask({ options: 'after' });
      const waiting = m.getOutput(t.id, { wait: true, timeout: 5000 });
      await m.completeTask(t.id, 'ok');
      check((await waiting).result === 'ok' && (await m.getAllTasks()).length === 1, 'the manager works on');
      consistent(m);
      await m.cleanup();
    }
    await healthyNew(BM, { runner: () => 'ok' });
  } catch (error) {
    throw new Error(`fuzz seed ${seed}: ${error?.stack ?? error}`);
  } finally {
    for (const m of managers) m.free();
  }
}

export const scenarios = {
  async 'fuzzing the public API with re-entrant callbacks (seed 1)'(BM) {
    await fuzz(BM, { seed: 1, steps: 3000 });
  },
  async 'fuzzing the public API with re-entrant callbacks (seed 2)'(BM) {
    await fuzz(BM, { seed: 2, steps: 3000 });
  },
  async 'fuzzing the public API with re-entrant callbacks (seed 3)'(BM) {
    await fuzz(BM, { seed: 3, steps: 3000 });
  },
};
