// The few things that are cheaper or safer on the JS side of the boundary:
// building a snapshot in one crossing instead of one per field, and calling
// user callbacks inside try/catch so that nothing they throw reaches Rust.

const STATUS = ['running', 'completed', 'error', 'cancelled'];

export function taskObject(id, status, createdAt, updatedAt, options, sessionId, result, error, output) {
  const task = { id, status: STATUS[status], createdAt, updatedAt, options };
  if (sessionId !== undefined) task.sessionId = sessionId;
  // `result` is present exactly when the task completed, even if undefined.
  if (status === 1) task.result = result;
  if (error !== undefined) task.error = error;
  if (output !== undefined) task.output = output;
  return task;
}

export function outputObject(taskId, status, output, result, error, timedOut) {
  const out = { taskId, status: STATUS[status], output };
  if (status === 1) out.result = result;
  if (error !== undefined) out.error = error;
  if (timedOut) out.timedOut = true;
  return out;
}

export function makeError(kind, message, code) {
  const error = kind === 1 ? new TypeError(message) : kind === 2 ? new RangeError(message) : new Error(message);
  error.code = code;
  return error;
}

function report(what, error) {
  console.warn(`background-manager: ${what} failed:`, error);
}

function isThenable(value) {
  return value !== null && (typeof value === 'object' || typeof value === 'function') &&
    typeof value.then === 'function';
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

// Always a promise that fulfils: with the status, or undefined if getStatus
// threw or rejected. It may also never settle; the caller copes with that.
export function askStatus(session) {
  let answer;
  try {
    answer = session.getStatus();
  } catch (e) {
    report('session.getStatus', e);
    return Promise.resolve(undefined);
  }
  return Promise.resolve(answer).then(undefined, (e) => {
    report('session.getStatus', e);
    return undefined;
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

export function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  if (type === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  if (type === 'number') return String(value);
  if (type === 'object') return 'an object';
  return type === 'undefined' ? 'undefined' : `a ${type}`;
}

export function isBag(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function agentReply(agent, prompt, response) {
  return { agent, prompt, response, simulated: true };
}
