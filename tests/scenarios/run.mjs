// Runs tests/scenarios/scenarios.json against one host: the ES module, or
// the component through tests/component/host.mjs. A host gives
//   open(options, runner) -> a manager with the ES module's Promise API
//                            (it throws a coded Error for bad options),
//   sleep(ms)             -> a promise resolved once ms have passed (real
//                            or virtual time),
//   settle()              -> a promise resolved once pending work has run.
// The format of a scenario is in README.md beside this file.
import assert from 'node:assert/strict';

const here = new URL('./scenarios.json', import.meta.url);

export async function loadScenarios() {
  const text = typeof Deno !== 'undefined'
    ? await Deno.readTextFile(here)
    : await (await import('node:fs/promises')).readFile(here, 'utf8');
  return JSON.parse(text).scenarios;
}

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Whether `actual` matches `expected`: objects by the keys `expected`
 * names, arrays element by element, and the `$` markers of README.md. */
export function match(actual, expected, path = '$') {
  if (typeof expected === 'string' && expected.startsWith('$')) {
    if (expected === '$any') return assert.notEqual(actual, undefined, `${path} is missing`);
    if (expected === '$absent') return assert.equal(actual, undefined, `${path} should be absent`);
    if (expected === '$number') return assert.equal(typeof actual, 'number', `${path} is not a number`);
    if (expected === '$uuid') return assert.match(String(actual), UUID_V4, `${path} is not a UUID v4`);
    if (expected.startsWith('$contains:')) {
      return assert.ok(String(actual).includes(expected.slice(10)), `${path}: ${actual} lacks "${expected.slice(10)}"`);
    }
    throw new Error(`unknown marker ${expected}`);
  }
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path} is not an array: ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path}: ${JSON.stringify(actual)}`);
    expected.forEach((e, i) => match(actual[i], e, `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path} is not an object: ${JSON.stringify(actual)}`);
    for (const [k, e] of Object.entries(expected)) match(actual[k], e, `${path}.${k}`);
    return;
  }
  // `null` expects null or undefined: an answer with nothing in it.
  if (expected === null) return assert.ok(actual == null, `${path} should be null: ${JSON.stringify(actual)}`);
  assert.deepEqual(actual, expected, path);
}

/** Every task in an answer keeps updatedAt >= createdAt. */
function checkTimes(value) {
  if (Array.isArray(value)) return value.forEach(checkTimes);
  if (value && typeof value === 'object' && typeof value.createdAt === 'number') {
    assert.ok(value.updatedAt >= value.createdAt, `updatedAt < createdAt in ${JSON.stringify(value)}`);
  }
}

function checkError(error, step) {
  assert.ok(error instanceof Error, `not an Error: ${error}`);
  assert.equal(error.code, step.error, `code of ${error.message}`);
  if (step.message) match(error.message, step.message, 'message');
}

async function outcome(promise) {
  try {
    return { value: await promise };
  } catch (error) {
    return { error };
  }
}

function answer(result, step, what) {
  if (step.error) {
    assert.ok('error' in result, `${what} should fail with ${step.error}, got ${JSON.stringify(result.value)}`);
    checkError(result.error, step);
  } else {
    if ('error' in result) throw new Error(`${what} failed: ${result.error?.code} ${result.error?.message}`);
    checkTimes(result.value);
    if ('expect' in step) match(result.value, step.expect);
  }
}

/** Runs one scenario on `host`. */
export async function runScenario(host, scenario) {
  const notifications = [];
  let status = 'running';
  let polls = 0;
  const session = (id) => ({
    id,
    getStatus: () => {
      polls++;
      return status === '$fail' ? Promise.reject(new Error('offline')) : status;
    },
    sendMessage: (message) => void notifications.push(message),
  });
  const runs = new Map();
  const runner = (ctx) =>
    new Promise((resolve, reject) => {
      const key = ctx.taskId ?? `call:${ctx.prompt}`;
      runs.set(key, { ctx, resolve, reject });
    });
  let m;
  try {
    m = host.open(scenario.options ?? {}, runner);
  } catch (error) {
    if (!scenario.openError) throw error;
    checkError(error, { error: scenario.openError });
    return;
  }
  assert.ok(!scenario.openError, `options ${JSON.stringify(scenario.options)} should be refused`);
  const pending = new Map();
  try {
    for (const [i, step] of scenario.steps.entries()) {
      const what = `step ${i + 1} ${JSON.stringify(step)}`;
      try {
        if ('initialize' in step) {
          await m.initialize(session(step.initialize));
        } else if ('session' in step) {
          status = step.session;
        } else if ('call' in step) {
          const promise = Promise.resolve().then(() => m[step.call](...step.args));
          if (step.as) {
            const entry = { done: false };
            entry.result = outcome(promise).then((r) => ((entry.done = true), r));
            pending.set(step.as, entry);
            await host.settle();
          } else {
            answer(await outcome(promise), step, what);
          }
        } else if ('await' in step) {
          const entry = pending.get(step.await);
          await host.settle();
          assert.ok(entry.done, `${step.await} is still pending`);
          answer(await entry.result, step, what);
        } else if ('pending' in step) {
          await host.settle();
          assert.equal(pending.get(step.pending).done, false, `${step.pending} settled too early`);
        } else if ('sleep' in step) {
          await host.sleep(step.sleep);
        } else if ('cleanup' in step) {
          await m.cleanup();
          await host.settle();
        } else if ('notifications' in step) {
          await host.settle();
          match(notifications.splice(0), step.notifications);
        } else if ('polls' in step) {
          await host.settle();
          assert.equal(polls, step.polls, 'getStatus calls since the last polls step');
          polls = 0;
        } else if ('run' in step) {
          await host.settle();
          const run = runs.get(step.run);
          if ('started' in step) assert.equal(Boolean(run), step.started, `run ${step.run} started`);
          if ('aborted' in step) assert.equal(run.ctx.signal.aborted, step.aborted, `run ${step.run} aborted`);
          if ('write' in step) run.ctx.write(step.write);
          if ('progress' in step) run.ctx.progress(step.progress);
          if ('heartbeat' in step) run.ctx.heartbeat();
          if ('ask' in step) {
            run.asked = null;
            const o = 'timeout' in step ? { timeout: step.timeout } : undefined;
            run.ctx.ask(step.ask, o).then(
              (value) => (run.asked = { value }),
              (error) => (run.asked = { value: `$${error.name}` }),
            );
          }
          if ('answered' in step) {
            await host.settle();
            assert.deepEqual(run.asked?.value ?? null, step.answered, `run ${step.run}'s question`);
          }
          if ('ok' in step) run.resolve(step.ok);
          if ('fail' in step) {
            const error = new Error(step.fail);
            if ('retryAfter' in step) error.retryAfter = step.retryAfter;
            if ('retryable' in step) error.retryable = step.retryable;
            run.reject(error);
          }
          await host.settle();
        } else {
          throw new Error('unknown step');
        }
      } catch (error) {
        error.message = `${scenario.name}: ${what}: ${error.message}`;
        throw error;
      }
    }
  } finally {
    await m.cleanup();
    await host.settle();
  }
}
