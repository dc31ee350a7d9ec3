// Shared setup for the Deno suite: the manager is imported from pkg/ exactly
// as a user imports it.
import init, { BackgroundManager } from "../../pkg/background_manager.js";
import type {
  AgentSession,
  BackgroundManagerOptions,
  TaskNotification,
} from "../../pkg/background_manager.js";
import assert from "node:assert/strict";

await init();

export { assert, BackgroundManager };

export interface Probe {
  session: AgentSession;
  sent: TaskNotification[];
  statusCalls: number;
  status: unknown;
}

export function makeSession(id = "session-123", status: unknown = "running"): Probe {
  const probe: Probe = {
    sent: [],
    statusCalls: 0,
    status,
    session: {
      id,
      getStatus: async () => {
        probe.statusCalls++;
        return probe.status as string;
      },
      sendMessage: async (message: TaskNotification) => {
        probe.sent.push(message);
      },
    },
  };
  return probe;
}

/** A manager initialized with a recording session; always cleaned up. */
export async function withManager(
  options: BackgroundManagerOptions | undefined,
  body: (m: BackgroundManager, probe: Probe) => Promise<void>,
  probe: Probe = makeSession(),
): Promise<void> {
  const m = new BackgroundManager(options);
  await m.initialize(probe.session);
  try {
    await body(m, probe);
  } finally {
    await m.cleanup();
    m.free();
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits for `done`, with slack; never counts ticks in a fixed window. */
export async function eventually(what: string, done: () => boolean | Promise<boolean>, ms = 5000) {
  const until = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** Asserts that `p` rejects with an Error of `type` carrying `code`. */
export async function rejects(
  p: Promise<unknown>,
  code: string,
  type: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor = Error,
  message?: RegExp,
) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${e}`);
    assert.equal((e as { code?: string }).code, code, String(e));
    if (message) assert.match((e as Error).message, message);
    return true;
  });
}

export const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
