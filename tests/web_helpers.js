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
