// The few things that are cheaper or safer on the JS side of the boundary:
// building a snapshot in one crossing instead of one per field, and calling
// user callbacks inside try/catch so that nothing they throw reaches Rust.

// In the order of the engine's Status.
const STATUS = ['queued', 'running', 'completed', 'error', 'cancelled'];
const COMPLETED = 2;

// A UUID's canonical text from its 16 bytes as four big-endian words: one
// crossing with four numbers, and one flat string made at once (concatenation
// would build a tree of parts). About twice as fast as decoding 36 bytes.
const HEX = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102];
export function uuidText(a, b, c, d) {
  const h = HEX;
  return String.fromCharCode(
    h[a >>> 28], h[a >>> 24 & 15], h[a >>> 20 & 15], h[a >>> 16 & 15],
    h[a >>> 12 & 15], h[a >>> 8 & 15], h[a >>> 4 & 15], h[a & 15], 45,
    h[b >>> 28], h[b >>> 24 & 15], h[b >>> 20 & 15], h[b >>> 16 & 15], 45,
    h[b >>> 12 & 15], h[b >>> 8 & 15], h[b >>> 4 & 15], h[b & 15], 45,
    h[c >>> 28], h[c >>> 24 & 15], h[c >>> 20 & 15], h[c >>> 16 & 15], 45,
    h[c >>> 12 & 15], h[c >>> 8 & 15], h[c >>> 4 & 15], h[c & 15],
    h[d >>> 28], h[d >>> 24 & 15], h[d >>> 20 & 15], h[d >>> 16 & 15],
    h[d >>> 12 & 15], h[d >>> 8 & 15], h[d >>> 4 & 15], h[d & 15]);
}

// A launched task's agent and prompt, made once: its snapshots copy them out.
export function launchView(agent, prompt) {
  return { agent, prompt };
}

// A fresh snapshot, its keys always in the same order. `launch` is the
// task's launchView, if it was launched.
export function taskObject(id, status, createdAt, updatedAt, options, sessionId, launch, result, error, output) {
  const task = { id, status: STATUS[status], createdAt, updatedAt, options };
  if (sessionId !== undefined) task.sessionId = sessionId;
  if (launch !== undefined) {
    task.agent = launch.agent;
    task.prompt = launch.prompt;
  }
  // `result` is present exactly when the task completed, even if undefined.
  if (status === COMPLETED) task.result = result;
  if (error !== undefined) task.error = error;
  if (output !== undefined) task.output = output;
  return task;
}

export function outputObject(taskId, status, output, cursor, result, error, timedOut) {
  const out = { taskId, status: STATUS[status], output: output ?? '', cursor };
  if (status === COMPLETED) out.result = result;
  if (error !== undefined) out.error = error;
  if (timedOut) out.timedOut = true;
  return out;
}

export function eventObject(kind, taskId, status, previous, chunk, cursor, task) {
  switch (kind) {
    case 0: return { type: 'created', taskId, status: STATUS[status], task };
    case 1: return { type: 'status', taskId, status: STATUS[status], previous: STATUS[previous], task };
    case 2: return { type: 'output', taskId, chunk, cursor };
    default: return { type: 'removed', taskId };
  }
}

export function callListener(listener, event) {
  try {
    listener(event);
  } catch (e) {
    console.error('background-manager: an event listener threw:', e);
  }
}

// A function that runs `f` the first time it is called and never again.
export function once(f) {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      f();
    }
  };
}

export function makeError(kind, message, code) {
  const error = kind === 1 ? new TypeError(message) : kind === 2 ? new RangeError(message) : new Error(message);
  error.code = code;
  return error;
}

export function makeArgError(kind, message, value) {
  const shown = typeof value === 'string' && value.length > 0 && value.length <= 64
    ? `"${value}"` : describe(value);
  return makeError(kind, `${message}, got ${shown}`, 'INVALID_ARGUMENT');
}

function report(what, error) {
  console.warn(`background-manager: ${what} failed:`, error);
}

function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') &&
    typeof value.then === 'function';
}

export function setTimer(f, ms, repeat) {
  return repeat ? setInterval(f, ms) : setTimeout(f, ms);
}

// clearTimeout and clearInterval clear either kind.
export function clearTimer(id) {
  clearTimeout(id);
}

export function notify(session, taskId, status, timestamp) {
  const message = { type: 'task_completion', taskId, status: STATUS[status], timestamp };
  try {
    const sent = session.sendMessage(message);
    if (isThenable(sent)) sent.then(undefined, (e) => report('session.sendMessage', e));
  } catch (e) {
    report('session.sendMessage', e);
  }
}

// Calls `f` once with the status, or undefined if getStatus threw or
// rejected. The session's promise may also never settle; then `f` is never
// called, and the engine abandons that poll after one interval.
export function askStatus(session, f) {
  let answer;
  try {
    answer = session.getStatus();
  } catch (e) {
    report('session.getStatus', e);
    answer = undefined;
  }
  Promise.resolve(answer).then(f, (e) => {
    report('session.getStatus', e);
    f(undefined);
  });
}

// `failTask`'s error value as a string; never throws, whatever it is given.
// Each step falls back to the next: `message`, then String(), then the tag.
export function errorText(error) {
  if (typeof error === 'string') return error;
  if (error !== null && (typeof error === 'object' || typeof error === 'function')) {
    try {
      const message = error.message;
      if (typeof message === 'string') return message;
    } catch {
      // A throwing getter: describe the value another way.
    }
  }
  try {
    return String(error);
  } catch {
    try {
      return Object.prototype.toString.call(error);
    } catch {
      return 'Unknown error';
    }
  }
}

// 0: a usable id; 1: not a string; 2: empty; 3: has a lone surrogate, which
// could not survive the trip to UTF-8 and back unchanged.
export function idProblem(value) {
  if (typeof value !== 'string') return 1;
  if (value.length === 0) return 2;
  return /\p{Cs}/u.test(value) ? 3 : 0;
}

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  if (type === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  if (type === 'number') return String(value);
  if (type === 'object') return 'an object';
  return type === 'undefined' ? 'undefined' : `a ${type}`;
}

// The option names read most, by index (`KEYS` in args.rs): reading one
// passes no string across the boundary.
const KEYS = ['id', 'sessionId', 'options', 'agent', 'prompt', 'force', 'wait', 'timeout', 'since', 'background'];

export function keyed(bag, k) {
  return bag[KEYS[k]];
}

export function isBag(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

// Calls a runner for one task (or a foreground call, seq < 0). Returns the
// run: its AbortController, whether writes still count, and `done`, the
// runner's outcome as a promise.
export function startRun(runner, sink, seq, taskId, agent, prompt, sessionId, options) {
  const controller = new AbortController();
  const run = { controller, open: true, done: undefined };
  const write = (chunk) => {
    if (typeof chunk !== 'string') {
      throw new TypeError(`write(chunk) expects a string, got ${describe(chunk)}`);
    }
    if (run.open && seq >= 0) sink(seq, chunk);
  };
  const context = { agent, prompt, taskId, sessionId, options, signal: controller.signal, write };
  try {
    run.done = Promise.resolve(runner(context));
  } catch (e) {
    run.done = Promise.reject(e);
  }
  return run;
}

// Calls `f(true, result)` or `f(false, error text)` once the runner settles.
export function watchRun(run, f) {
  run.done.then((value) => f(true, value), (e) => f(false, errorText(e)));
}

export function runDone(run) {
  return run.done;
}

export function abortRun(run) {
  try {
    run.controller.abort();
  } catch (e) {
    report('aborting a runner', e);
  }
}

export function closeRun(run) {
  run.open = false;
}

// The built-in agent used when no runner is given: it streams a few lines,
// one every `delay` ms, and stops at once when its signal aborts.
export function simulatedRunner(delay) {
  return async ({ agent, prompt, signal, write }) => {
    const words = prompt.trim().split(/\s+/).filter(Boolean).length;
    const steps = [
      `[${agent}] Received a ${words}-word prompt.\n`,
      `[${agent}] Working on: ${prompt}\n`,
      `[${agent}] Drafting the answer...\n`,
      `[${agent}] Done.\n`,
    ];
    for (const step of steps) {
      await pause(delay, signal);
      write(step);
    }
    return { agent, prompt, response: `Simulated response from ${agent} to: ${prompt}`, simulated: true };
  };
}

function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function backgroundReply(status, taskId) {
  return { status: STATUS[status], taskId };
}

export function onSettled(promise, f) {
  promise.then(() => f(), () => f());
}
