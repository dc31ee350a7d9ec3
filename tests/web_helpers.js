// Sessions and probes for tests/web.rs: plain JS objects, as users write them.
export function makeSession(id, status) {
  const probe = { sent: [], statusCalls: 0, status };
  probe.session = {
    id,
    getStatus: async () => { probe.statusCalls++; return probe.status; },
    sendMessage: async (message) => { probe.sent.push(message); },
  };
  return probe;
}

export function sentStatuses(probe) {
  return probe.sent.map((m) => `${m.type}:${m.taskId}:${m.status}`).join(',');
}

export function statusCalls(probe) { return probe.statusCalls; }
export function setStatus(probe, status) { probe.status = status; }
export function session(probe) { return probe.session; }

export function errorInfo(error) {
  return `${error instanceof Error}|${error.constructor.name}|${error.code}|${error.message}`;
}

export function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

export function field(object, key) { return object[key]; }
export function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }
export function setField(object, key, value) { object[key] = value; }
export function obj(json) { return JSON.parse(json); }

// Resolves true if `promise` settled before a macrotask queued now could run.
export function settlesThisTurn(promise) {
  let settled = false;
  promise.then(() => { settled = true; }, () => { settled = true; });
  return new Promise((resolve) => setTimeout(() => resolve(settled), 0));
}

// Runners and listeners for the agent tests.
export function options(json, runner) {
  const o = JSON.parse(json);
  if (runner) o.runner = runner;
  return o;
}

export function throwingRunner() {
  return () => { throw new Error('sync boom'); };
}

// Ignores its signal; records that it was aborted; finishes when released.
export function stubbornRunner(probe) {
  return ({ signal }) => {
    signal.addEventListener('abort', () => { probe.aborted = true; });
    return new Promise((resolve) => { probe.release = () => resolve('late'); });
  };
}
export function release(probe) { probe.release(); }
export function wasAborted(probe) { return probe.aborted === true; }

// Counts how many run at once.
export function countingRunner(probe) {
  probe.current = 0;
  probe.peak = 0;
  return async ({ taskId }) => {
    probe.current++;
    probe.peak = Math.max(probe.peak, probe.current);
    await new Promise((r) => setTimeout(r, 0));
    probe.current--;
    return taskId;
  };
}
export function peak(probe) { return probe.peak; }

export function writingRunner(lines) {
  return async ({ write }) => {
    for (let i = 0; i < lines; i++) {
      write(`line ${String(i).padStart(4, '0')}\n`);
      if (i % 50 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    return 'done';
  };
}

export function throwingListener(probe) {
  return () => { probe.thrown = (probe.thrown || 0) + 1; throw new Error('listener bug'); };
}
export function recordingListener(probe) {
  probe.heard = [];
  return (e) => probe.heard.push(e.type);
}
export function heard(probe) { return probe.heard.join(','); }
export function cancellingListener(cancel, probe) {
  probe.cancels = [];
  return (e) => { if (e.type === 'created') probe.cancels.push(cancel(e.taskId)); };
}
export function cancels(probe) { return Promise.all(probe.cancels); }
export function quietConsoleError(on) {
  if (on) { globalThis.__error = console.error; console.error = () => {}; } else if (globalThis.__error) { console.error = globalThis.__error; }
}
