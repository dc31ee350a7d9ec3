// Fault injection, written once for Deno (tests/deno/faults.test.ts) and for
// headless Chromium (tests/browser/faults.html via tests/e2e/faults.test.mjs).
// Each scenario gets the BackgroundManager class and returns nothing or
// throws; after each, `healthy` proves the instance still works.

import { check, healthy, healthyNew, never, noRuntimeError, sleep, eventually as until } from './support.js';

const quickAgent = async ({ write }) => {
  write('x');
  await sleep(1);
  return 'done';
};

export const scenarios = {
  async 'callbacks that throw synchronously'(BM) {
    const m = new BM({ pollInterval: 5, runner: () => { throw new Error('runner'); } });
    await m.initialize({ id: 's', getStatus: () => { throw new Error('status'); }, sendMessage: () => { throw new Error('send'); } });
    m.subscribe(() => { throw new Error('listener'); });
    const t = await m.createTask({ options: {} });
    const l = await m.launch({ agent: 'a', prompt: 'p' });
    check((await m.getOutput(l.id, { wait: true, timeout: 5000 })).status === 'error', 'runner throw fails its task');
    await sleep(30);
    check((await m.completeTask(t.id)).status === 'completed', 'still works');
    await m.cleanup();
    await healthyNew(BM, { runner: quickAgent });
  },

  async 'callbacks that reject'(BM) {
    const m = new BM({ pollInterval: 5, runner: () => Promise.reject(new Error('runner')) });
    await m.initialize({ id: 's', getStatus: () => Promise.reject(new Error('s')), sendMessage: () => Promise.reject(new Error('m')) });
    const l = await m.launch({ agent: 'a', prompt: 'p' });
    check((await m.getOutput(l.id, { wait: true, timeout: 5000 })).error === 'runner', 'rejection fails its task');
    await sleep(30);
    await m.cleanup();
    await healthy(m);
    await m.cleanup();
  },

  async 'callbacks that never settle'(BM) {
    const m = new BM({ pollInterval: 5, runner: never, cancelGracePeriod: 20 });
    await m.initialize({ id: 's', getStatus: never, sendMessage: never });
    const l = await m.launch({ agent: 'a', prompt: 'p' });
    await sleep(40);
    check((await m.cancelTask(l.id)).status === 'cancelled', 'grace period ends a hung runner');
    const t = await m.createTask({ options: {} });
    check((await m.failTask(t.id, 'x')).status === 'error', 'hung sendMessage blocks nothing');
    await m.cleanup();
  },

  async 'callbacks that re-enter: create, cancel, cleanup'(BM) {
    let m;
    let step = 0;
    m = new BM({ pollInterval: 5, runner: quickAgent });
    await m.initialize({
      id: 's',
      getStatus: () => {
        m.createTask({ options: 'from getStatus' }).catch(() => {});
        return 'running';
      },
      sendMessage: (n) => {
        if (step++ === 0) m.createTask({ options: 'from sendMessage' }).catch(() => {});
        m.getAllTasks().catch(() => {});
      },
    });
    m.subscribe((e) => {
      if (e.type === 'created' && e.task?.options === 'cancel me') m.cancelTask(e.taskId, { force: true }).catch(() => {});
    });
    // A runner that re-enters: creates a task, cancels another, reads.
    const bystander = await m.createTask({ options: 'bystander' });
    const reentrant = new BM({
      runner: async ({ write }) => {
        const made = await reentrant.createTask({ options: 'made by a runner' });
        await reentrant.cancelTask(bystanderHere.id);
        write(`made ${made.id}`);
        return (await reentrant.getAllTasks()).length;
      },
    });
    await reentrant.initialize({ id: 'r', getStatus: () => 'running', sendMessage: () => {} });
    const bystanderHere = await reentrant.createTask({ options: 'bystander' });
    const run = await reentrant.launch({ agent: 'a', prompt: 'p' });
    const out = await reentrant.getOutput(run.id, { wait: true, timeout: 5000 });
    check(out.status === 'completed' && out.result === 3, `the runner re-entered (${out.status} ${out.result})`);
    check((await reentrant.getTask(bystanderHere.id))?.status === 'cancelled', 'the runner cancelled a task');
    await reentrant.cleanup();
    check((await m.getTask(bystander.id))?.status === 'running', 'other managers are untouched');
    const victim = await m.createTask({ options: 'cancel me' });
    check((await m.getTask(victim.id))?.status === 'cancelled', 'a listener cancelled it');
    const t = await m.createTask({ options: {} });
    await m.completeTask(t.id);
    await until('the poll to create a task', async () => (await m.getAllTasks()).some((x) => x.options === 'from getStatus'));
    // cleanup() from inside a listener (a notification does it in the next scenario).
    const u = await m.createTask({ options: {} });
    let cleaned = false;
    m.subscribe((e) => {
      if (e.type === 'status' && e.taskId === u.id && !cleaned) {
        cleaned = true;
        m.cleanup();
      }
    });
    await m.completeTask(u.id);
    check(cleaned, 'cleanup ran inside the listener');
    check((await m.getAllTasks()).length === 0, 'the table is empty after');
    await healthy(m);
    await m.cleanup();
  },

  async 'cleanup during a poll'(BM) {
    let answer;
    const m = new BM({ pollInterval: 5 });
    await m.initialize({ id: 's', getStatus: () => new Promise((r) => (answer = r)), sendMessage: () => {} });
    await m.createTask({ options: {} });
    await until('a poll', () => answer !== undefined);
    await m.cleanup();
    answer('completed');
    await sleep(20);
    check((await m.getAllTasks()).length === 0, 'the late answer changed nothing');
    await healthy(m);
    await m.cleanup();
  },

  async 'cleanup during a notification'(BM) {
    let m;
    const sent = [];
    m = new BM();
    await m.initialize({
      id: 's',
      getStatus: () => 'running',
      sendMessage: (n) => {
        sent.push(n.taskId);
        if (sent.length === 1) m.cleanup();
      },
    });
    const a = await m.createTask({ id: 'a', options: {} });
    await m.createTask({ id: 'b', options: {} });
    const waiter = m.getOutput('b', { wait: true });
    await m.cancelAllTasks();
    let disposed = false;
    await waiter.catch((e) => (disposed = e.code === 'DISPOSED'));
    check(sent.join() === 'a,b', `every transition that happened is notified once (${sent})`);
    check(disposed || true, 'the waiter settled');
    check(await m.getTask(a.id) === null, 'cleaned');
    await healthy(m);
    await m.cleanup();
  },

  async 'cleanup during a runner'(BM) {
    let signal;
    let m;
    m = new BM({
      runner: async (ctx) => {
        signal = ctx.signal;
        ctx.write('before');
        await m.cleanup();
        ctx.write('after cleanup');
        return 'late';
      },
    });
    await m.initialize({ id: 's', getStatus: () => 'running', sendMessage: () => {} });
    await m.launch({ agent: 'a', prompt: 'p' });
    await sleep(10);
    check(signal?.aborted === true, 'cleanup aborted the runner');
    check((await m.getAllTasks()).length === 0, 'nothing left');
    await healthyNew(BM, { runner: quickAgent });
  },

  async 'ten thousand concurrent getOutput waiters'(BM) {
    const m = new BM();
    await m.initialize({ id: 's', getStatus: () => 'running', sendMessage: () => {} });
    const t = await m.createTask({ options: {} });
    const other = await m.createTask({ options: {} });
    const waits = [];
    for (let i = 0; i < 10_000; i++) {
      waits.push(m.getOutput(i % 2 ? t.id : other.id, { wait: true, timeout: i % 3 ? undefined : 60_000 }));
    }
    await m.completeTask(t.id, 'r');
    await m.cancelTask(other.id);
    const outs = await Promise.all(waits);
    check(outs.filter((o) => o.status === 'completed').length === 5000, 'half completed');
    check(outs.filter((o) => o.status === 'cancelled').length === 5000, 'half cancelled');
    await healthy(m);
    await m.cleanup();
  },

  async 'a matrix of wrong-typed arguments for every method'(BM) {
    const m = new BM();
    await m.initialize({ id: 's', getStatus: () => 'running', sendMessage: () => {} });
    const bad = [undefined, null, 0, -1, NaN, Infinity, '', '\ud800', true, [], {}, Symbol('s'), 10n, () => {},
      new Proxy({}, { get() { throw new Error('trap'); } }), Object.create(null), { id: 7 }, { wait: 'yes' },
      { timeout: -1 }, { force: 1 }, { since: -5 }, { agent: '', prompt: 'p' }];
    const methods = ['initialize', 'createTask', 'launch', 'completeTask', 'failTask', 'cancelTask', 'getTask',
      'getAllTasks', 'cancelAllTasks', 'getOutput', 'appendOutput', 'callAgent'];
    let rejected = 0;
    for (const method of methods) {
      for (const a of bad) {
        for (const b of [undefined, ...bad.slice(0, 8)]) {
          try {
            await m[method](a, b);
          } catch (error) {
            noRuntimeError(error);
            check(error instanceof Error && typeof error.code === 'string', `${method}: ${error}`);
            rejected++;
          }
        }
      }
    }
    for (const a of bad) {
      try {
        m.subscribe(a);
      } catch (error) {
        noRuntimeError(error);
        rejected++;
      }
      try {
        new BM(a);
      } catch (error) {
        noRuntimeError(error);
        rejected++;
      }
    }
    check(rejected > 1000, `the bad calls were refused (${rejected})`);
    await m.cleanup();
    await healthy(m);
    await m.cleanup();
  },
};

