// The binding layer through the public class, written once for Deno
// (tests/deno/suites.test.ts) and headless Chromium (tests/e2e/suites.test.mjs):
// errors, snapshots, same-turn wake-ups, timeouts, the TTL timer, polling,
// cleanup, runners, listeners, output past the cap with two cursor readers.
import { check, eventually, manager, quiet, sleep } from './support.js';

function info(error) {
  return `${error instanceof Error}|${error?.constructor?.name}|${error?.code}|${error?.message}`;
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return info(error);
  }
  throw new Error('check failed: the promise was fulfilled');
}

export const scenarios = {
  async 'create, complete and notify once'(BM) {
    const { m, probe } = await manager(BM);
    const task = await m.createTask({ options: { agent: 'default' } });
    check(task.status === 'running' && task.sessionId === 'session-1', 'created running in the session');
    const done = await m.completeTask(task.id, { result: 'Done' });
    check(done.status === 'completed' && 'result' in done, 'completed with its result');
    const again = await rejection(m.completeTask(task.id));
    check(again.startsWith('true|Error|INVALID_TRANSITION|Cannot complete task'), again);
    check(probe.statuses() === `task_completion:${task.id}:completed`, probe.statuses());
    await m.cleanup();
  },

  async 'errors are Error objects with codes'(BM) {
    const { m } = await manager(BM);
    check(await rejection(m.failTask('nope', 'x')) === 'true|Error|TASK_NOT_FOUND|Task "nope" not found', 'not found');
    check((await rejection(m.getTask(42))).startsWith('true|TypeError|INVALID_ARGUMENT|'), 'a number id');
    check((await rejection(m.getAllTasks('done'))).startsWith('true|RangeError|INVALID_ARGUMENT|'), 'a bad status');
    await m.createTask({ id: 'a', options: 1 });
    check((await rejection(m.createTask({ id: 'a', options: 2 }))).startsWith('true|Error|DUPLICATE_ID|'), 'duplicate');
    let thrown;
    try {
      new BM({ pollInterval: 0 });
    } catch (error) {
      thrown = info(error);
    }
    check(thrown?.startsWith('true|RangeError|INVALID_ARGUMENT|'), `constructor: ${thrown}`);
    await m.cleanup();
    check((await rejection(m.createTask({ options: null }))).startsWith('true|Error|NOT_INITIALIZED|'), 'after cleanup');
  },

  async 'snapshots are copies that keep the caller\'s values'(BM) {
    const { m } = await manager(BM);
    const options = { agent: 'default' };
    const task = await m.createTask({ options });
    task.status = 'hacked';
    const again = await m.getTask(task.id);
    check(again.status === 'running', 'a snapshot is a copy');
    check(again.options === options, 'options is the very object passed');
    check(again !== task, 'a fresh object each time');
    const listed = await m.getAllTasks();
    check(listed[0].options === options && listed[0] !== again, 'lists share the values too');
    await m.cleanup();
  },

  async 'a waiting getOutput resolves in the same turn as the completion'(BM) {
    const { m } = await manager(BM);
    const { id } = await m.createTask({ options: {} });
    const waiting = m.getOutput(id, { wait: true, timeout: 60_000 });
    const second = m.getOutput(id, { wait: true });
    let settled = false;
    waiting.then(() => (settled = true));
    const turn = new Promise((resolve) => setTimeout(() => resolve(settled), 0));
    await m.completeTask(id, 'r');
    check(await turn, 'resolved before a macrotask could run');
    const out = await waiting;
    check(out.status === 'completed' && out.result === 'r' && out.output === '', JSON.stringify(out));
    check((await second).status === 'completed', 'every waiter wakes');
    await m.cleanup();
  },

  async 'a wait times out with the running snapshot'(BM) {
    const { m } = await manager(BM);
    const { id } = await m.createTask({ options: {} });
    const out = await m.getOutput(id, { wait: true, timeout: 30 });
    check(out.status === 'running' && out.timedOut === true, JSON.stringify(out));
    await m.cleanup();
  },

  async 'the TTL timer fails a running task on time and evicts it later'(BM) {
    const { m, probe } = await manager(BM, { taskTTL: 40, pollInterval: 1_000_000 });
    const { id } = await m.createTask({ options: {} });
    // Polling never ticks here: only the deadline timer can fail the task.
    const out = await m.getOutput(id, { wait: true });
    check(out.status === 'error' && /timed out/.test(out.error), JSON.stringify(out));
    check(probe.statuses() === `task_completion:${id}:error`, probe.statuses());
    await eventually('the eviction', async () => (await m.getTask(id)) === null);
    await m.cleanup();
  },

  async 'polling applies the session status to its own tasks'(BM) {
    const { m, probe } = await manager(BM, { pollInterval: 20 });
    const mine = (await m.createTask({ options: {} })).id;
    const other = (await m.createTask({ sessionId: 'elsewhere', options: {} })).id;
    await eventually('a few polls', () => probe.statusCalls >= 2);
    check((await m.getTask(mine)).status === 'running', 'running while the session runs');
    probe.status = 'error';
    const out = await m.getOutput(mine, { wait: true });
    check(out.error === 'Session error', JSON.stringify(out));
    check((await m.getTask(other)).status === 'running', 'another session\'s task is untouched');
    await m.cleanup();
    const calls = probe.statusCalls;
    await sleep(100);
    check(probe.statusCalls === calls, 'cleanup stops polling');
  },

  async 'cleanup rejects waiters and allows a new session'(BM) {
    const { m, session } = await manager(BM);
    const { id } = await m.createTask({ options: {} });
    const waiting = m.getOutput(id, { wait: true });
    await m.cleanup();
    check((await rejection(waiting)).startsWith('true|Error|DISPOSED|'), 'DISPOSED');
    check((await m.getAllTasks()).length === 0, 'the table is empty');
    await m.initialize(session('session-2'));
    check((await m.createTask({ options: {} })).sessionId === 'session-2', 'the new session');
    await m.cleanup();
  },

  async 'failTask accepts any error value'(BM) {
    const { m } = await manager(BM);
    for (const [value, expected] of [[new Error('boom'), 'boom'], ['plain', 'plain'], [42, '42'], [null, 'null'],
      [{ message: 'from object' }, 'from object']]) {
      const { id } = await m.createTask({ options: {} });
      check((await m.failTask(id, value)).error === expected, `${expected}`);
    }
    await m.cleanup();
  },

  async 'the simulated agent answers'(BM) {
    const { m } = await manager(BM, { simulatedDelay: 1 });
    const reply = await m.callAgent('default', 'Write a summary');
    check(reply.agent === 'default' && reply.response.includes('Write a summary'), JSON.stringify(reply));
    check((await rejection(m.callAgent(null, 'x'))).startsWith('true|TypeError|INVALID_ARGUMENT|'), 'a null agent');
    await m.cleanup();
  },

  async 'a runner that throws synchronously fails its task'(BM) {
    const { m } = await manager(BM, { runner: () => { throw new Error('sync boom'); } });
    await m.launch({ agent: 'a', prompt: 'p', id: 't' });
    const out = await m.getOutput('t', { wait: true, timeout: 5000 });
    check(out.status === 'error' && out.error === 'sync boom', JSON.stringify(out));
    await m.cleanup();
  },

  async 'a runner that ignores abort is cancelled after the grace period'(BM) {
    let aborted = false;
    let release;
    const runner = ({ signal }) => {
      signal.addEventListener('abort', () => (aborted = true));
      return new Promise((resolve) => (release = () => resolve('late')));
    };
    const { m, probe } = await manager(BM, { cancelGracePeriod: 40, runner });
    await m.launch({ agent: 'a', prompt: 'p', id: 't' });
    const cancelled = await m.cancelTask('t');
    check(cancelled.status === 'cancelled' && aborted, 'cancelled after the grace, the signal aborted');
    release();
    await sleep(10);
    check((await m.getTask('t')).status === 'cancelled', 'the late result changes nothing');
    check(probe.statuses() === 'task_completion:t:cancelled', probe.statuses());
    await m.cleanup();
  },

  async 'a thousand tasks through a limit of four'(BM) {
    let current = 0;
    let peak = 0;
    const runner = async ({ taskId }) => {
      peak = Math.max(peak, ++current);
      await new Promise((r) => setTimeout(r, 0));
      current--;
      return taskId;
    };
    const { m } = await manager(BM, { maxConcurrent: 4, runner });
    for (let i = 0; i < 1000; i++) await m.launch({ agent: 'a', prompt: 'p', id: `t${i}` });
    await m.getOutput('t999', { wait: true, timeout: 60_000 });
    await eventually('all done', async () => (await m.getAllTasks('completed')).length === 1000);
    check(peak === 4, `peak ${peak}`);
    await m.cleanup();
  },

  async 'listeners that throw are isolated, and listeners may cancel'(BM) {
    const { m } = await manager(BM, { runner: () => new Promise(() => {}) });
    const heard = [];
    const cancels = [];
    let thrown = 0;
    await quiet(async () => {
      m.subscribe(() => {
        thrown++;
        throw new Error('listener bug');
      });
      m.subscribe((e) => heard.push(e.type));
      m.subscribe((e) => {
        if (e.type === 'created') cancels.push(m.cancelTask(e.taskId, { force: true }));
      });
      await m.launch({ agent: 'a', prompt: 'p', id: 't' });
      const [cancelled] = await Promise.all(cancels);
      check(cancelled.status === 'cancelled', 'the listener cancelled it');
    });
    check(heard.join() === 'created,status,status', heard.join());
    check(thrown === 3, 'the throwing listener heard every event');
    await m.cleanup();
  },

  async 'output past the cap, with two cursor readers'(BM) {
    const runner = async ({ write }) => {
      for (let i = 0; i < 2000; i++) {
        write(`line ${String(i).padStart(4, '0')}\n`);
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 0));
      }
      return 'done';
    };
    const { m } = await manager(BM, { outputCap: 4096, runner });
    await m.launch({ agent: 'a', prompt: 'p', id: 't' });
    let a = 0;
    let b = 0;
    let textA = '';
    let textB = '';
    for (;;) {
      const outA = await m.getOutput('t', { since: a });
      textA += outA.output;
      a = outA.cursor;
      const outB = await m.getOutput('t', { since: b });
      textB += outB.output;
      b = outB.cursor;
      if (outB.status !== 'running') break;
      await sleep(1);
    }
    const whole = (await m.getOutput('t')).output;
    const notice = /\n\[\.\.\. (\d+) characters of output cut \.\.\.\]\n/;
    check(notice.test(whole), 'the cut is marked');
    check(whole.replace(notice, '').length === 4096, 'exactly the cap is kept');
    check(whole.startsWith('line 0000\n') && whole.endsWith('line 1999\n'), 'the beginning and the end');
    check(a === 20_000, `cursor ${a}`);
    check(textA.endsWith('line 1999\n') && textB.endsWith('line 1999\n'), 'both readers reached the end');
    await m.cleanup();
  },

  async 'cursors index the whole output: fullOutput.slice(cursor) is since: cursor'(BM) {
    const { m } = await manager(BM);
    const { id } = await m.createTask({ options: {} });
    const chunks = ['plain ', 'é✓ ', '🚀🚀 ', 'tail'];
    for (const c of chunks) await m.appendOutput(id, c);
    const full = chunks.join('');
    const { output, cursor } = await m.getOutput(id);
    check(output === full && cursor === full.length, `cursor ${cursor} is the JS length ${full.length}`);
    for (let c = 0; c <= full.length + 2; c++) {
      const since = (await m.getOutput(id, { since: c })).output;
      check(since === full.slice(c), `since ${c}: ${JSON.stringify(since)}`);
    }
    await m.cleanup();
  },

  async 'an outputCap of 1 keeps one character'(BM) {
    const { m } = await manager(BM, { outputCap: 1 });
    const { id } = await m.createTask({ options: {} });
    await m.appendOutput(id, 'abc');
    await m.appendOutput(id, 'def');
    const { output, cursor } = await m.getOutput(id);
    check(output === '\n[... 5 characters of output cut ...]\nf', JSON.stringify(output));
    check(cursor === 6, 'every character counts in the cursor');
    await m.cleanup();
  },

  async 'disposal behaves as cleanup, then every call rejects DISPOSED'(BM) {
    let signal;
    const { m } = await manager(BM, { runner: (ctx) => { signal = ctx.signal; return new Promise(() => {}); } });
    const { id } = await m.createTask({ options: {} });
    const waiting = m.getOutput(id, { wait: true });
    await m.launch({ agent: 'a', prompt: 'p' });
    m[Symbol.dispose] ? m[Symbol.dispose]() : m.free();
    check((await rejection(waiting)).startsWith('true|Error|DISPOSED|'), 'the waiter is rejected');
    check(signal?.aborted === true, 'the runner is aborted');
    for (const call of [() => m.getTask(id), () => m.createTask({ options: {} }), () => m.getAllTasks(),
      () => m.initialize({ id: 's', getStatus: () => 'running', sendMessage: () => {} }), () => m.cleanup()]) {
      check((await rejection(call())).startsWith('true|Error|DISPOSED|'), `after disposal: ${call}`);
    }
    m.free(); // twice is harmless
  },
};
