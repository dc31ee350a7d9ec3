// Issue 17's runs through the public class, written once for Deno
// (tests/deno/suites.test.ts) and headless Chromium (tests/e2e/suites.test.mjs):
// keyed limits with priority and pause, parents and children, idempotency
// keys, stalls (including one a page finds when it becomes visible),
// retries with the error's hints, and questions answered with respond.
import { check, consistent, eventually, manager } from './support.js';

/** A runner the scenario finishes by task id; it rejects when aborted. */
function driven() {
  const finish = new Map();
  const runner = (ctx) =>
    new Promise((resolve, reject) => {
      finish.set(ctx.taskId, () => resolve('done'));
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
    });
  return { runner, finish };
}

const statusOf = async (m, id) => (await m.getTask(id))?.status;

export const scenarios = {
  async 'keyed limits, priority first, pause holds the queue'(BM) {
    const { runner, finish } = driven();
    const { m } = await manager(BM, { runner, limits: { keys: { openai: 1 } } });
    const launch = (id, more) => m.launch({ agent: 'a', prompt: 'p', id, ...more });
    check((await launch('g1', { concurrencyKey: 'openai/gpt-5' })).status === 'running', 'g1 runs');
    check((await launch('low', { concurrencyKey: 'openai' })).status === 'queued', 'openai is full');
    check((await launch('high', { concurrencyKey: 'openai', priority: 9 })).status === 'queued', 'high waits');
    check((await launch('free', { concurrencyKey: 'other' })).status === 'running', 'another key has room');
    await m.pause();
    finish.get('g1')();
    await eventually('g1 completes', async () => (await statusOf(m, 'g1')) === 'completed');
    check((await statusOf(m, 'high')) === 'queued', 'paused: nothing starts');
    await m.resume();
    check((await statusOf(m, 'high')) === 'running' && (await statusOf(m, 'low')) === 'queued', 'priority first');
    consistent(m);
    await m.cleanup();
  },

  async 'a cancel reaches children; a tree wait and idempotency keys'(BM) {
    const { runner, finish } = driven();
    const { m } = await manager(BM, { runner, cancelGracePeriod: 20 });
    await m.launch({ agent: 'a', prompt: 'p', id: 'root' });
    await m.launch({ agent: 'a', prompt: 'p', id: 'kid', parentId: 'root' });
    check((await m.getTask('root')).children?.join() === 'kid', 'root lists kid');
    const tree = m.getOutput('root', { wait: true, children: true });
    finish.get('root')();
    await eventually('root completes', async () => (await statusOf(m, 'root')) === 'completed');
    finish.get('kid')();
    check((await tree).status === 'completed', 'the tree wait answers once kid is final');
    await m.launch({ agent: 'a', prompt: 'p', id: 'p2' });
    await m.launch({ agent: 'a', prompt: 'p', id: 'c2', parentId: 'p2' });
    await m.cancelTask('p2');
    await eventually('c2 is cancelled', async () => (await statusOf(m, 'c2')) === 'cancelled');
    const key = { agent: 'a', prompt: 'p', idempotencyKey: 'send' };
    await m.launch({ ...key, id: 'once' });
    check((await m.launch({ ...key, id: 'twice', onConflict: 'join' })).id === 'once', 'joined');
    check((await m.launch({ ...key, id: 'next', onConflict: 'enqueue' })).status === 'queued', 'enqueued');
    consistent(m);
    await m.cleanup();
  },

  async 'retries: the backoff, a retryAfter hint, retryable: false, one notification'(BM) {
    const attempts = [];
    const runner = (ctx) => {
      attempts.push([ctx.taskId, ctx.attempt, ctx.agent]);
      if (ctx.taskId === 'final') throw Object.assign(new Error('bad input'), { retryable: false });
      if (ctx.attempt === 1) throw Object.assign(new Error('busy'), { retryAfter: 30 });
      return 'ok';
    };
    const { m, probe } = await manager(BM, { runner });
    const retry = { attempts: 3, backoff: { initial: 60_000, jitter: 0 } };
    await m.launch({ agent: 'a', prompt: 'p', id: 't', retry, fallback: ['b'] });
    await m.launch({ agent: 'a', prompt: 'p', id: 'final', retry });
    const t = await m.getOutput('t', { wait: true, timeout: 10_000 });
    check(t.status === 'completed', `t completed on its second attempt (${t.status})`);
    check(JSON.stringify(attempts.filter(([id]) => id === 't')) === '[["t",1,"a"],["t",2,"b"]]', 'the fallback ran attempt 2');
    check((await m.getTask('t')).attempt === 2, 'attempt on the snapshot');
    const final = await m.getOutput('final', { wait: true, timeout: 10_000 });
    check(final.status === 'error' && final.error === 'bad input', 'retryable: false is final at once');
    await eventually('two notifications', () => probe.sent.length === 2);
    consistent(m);
    await m.cleanup();
  },

  async 'questions: ask, respond, a timeout and a cancel'(BM) {
    const answers = new Map();
    const runner = async (ctx) => {
      try {
        const timeout = ctx.prompt === 'quick' ? 30 : undefined;
        answers.set(ctx.taskId, await ctx.ask(`${ctx.prompt}?`, { timeout }));
      } catch (e) {
        answers.set(ctx.taskId, e.name);
      }
      return new Promise(() => {});
    };
    const { m } = await manager(BM, { runner });
    for (const id of ['asked', 'quick', 'dropped']) await m.launch({ agent: 'a', prompt: id, id });
    await eventually('asked asks', async () => (await statusOf(m, 'asked')) === 'input-required');
    check((await m.getTask('asked')).question === 'asked?', 'the question on the snapshot');
    check((await m.respond('asked', 42)).status === 'running', 'running again');
    await eventually('the answer arrives', () => answers.get('asked') === 42);
    let code;
    await m.respond('asked', 1).catch((e) => (code = e.code));
    check(code === 'INVALID_TRANSITION', 'not asking any more');
    await eventually('quick times out', () => answers.get('quick') === 'TimeoutError');
    check((await statusOf(m, 'quick')) === 'running', 'a timed-out task runs on');
    await m.cancelTask('dropped', { force: true });
    await eventually('the cancel aborts the question', () => answers.get('dropped') === 'AbortError');
    consistent(m);
    await m.cleanup();
  },

  async 'a stall that came due while the page slept is seen when it becomes visible'(BM) {
    // The page's document in Chromium; in Deno a visible stand-in.
    const standIn = typeof document === 'undefined';
    if (standIn) globalThis.document = Object.assign(new EventTarget(), { visibilityState: 'visible' });
    try {
      await staleStall(BM);
    } finally {
      if (standIn) delete globalThis.document;
    }
  },
};

// A launch with a stall due while no timer could run, then the page
// becoming visible: the stall is found at once.
async function staleStall(BM) {
  const { m } = await manager(BM, { runner: () => new Promise(() => {}) });
  const events = [];
  m.subscribe((e) => events.push(e.type));
  await m.launch({ agent: 'a', prompt: 'p', id: 't', stallAfter: 20 });
  const until = Date.now() + 60;
  while (Date.now() < until) { /* no timer can run */ }
  check(!events.includes('stalled'), 'no timer ran');
  document.dispatchEvent(new Event('visibilitychange'));
  check(events.includes('stalled'), 'seen on becoming visible');
  check(typeof (await m.getTask('t')).stalledSince === 'number', 'stalledSince on the task');
  await m.cleanup();
}
