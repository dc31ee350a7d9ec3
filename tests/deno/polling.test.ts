// Polling that adapts: failing (or hanging) polls back off, and a document
// whose visibility cannot be read counts as visible.
import { assert, BackgroundManager, eventually, sleep } from "./helpers.ts";

/** A session whose getStatus records when it was called and answers `answer()`. */
function timedSession(answer: () => Promise<string>) {
  const times: number[] = [];
  const session = {
    id: "s",
    getStatus: () => {
      times.push(performance.now());
      return answer();
    },
    sendMessage: () => {},
  };
  return { session, times };
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);

Deno.test("failing polls back off, doubling, and one answer brings back pollInterval", async () => {
  let failing = true;
  const { session, times } = timedSession(() =>
    failing ? Promise.reject(new Error("offline")) : Promise.resolve("running")
  );
  const m = new BackgroundManager({ pollInterval: 20 });
  await m.initialize(session);
  await m.createTask({ options: {} });
  await eventually("five failing polls", () => times.length >= 5);
  failing = false;
  // Gaps of 40, 80, 160, 320 ms (less half an interval of slack for an early
  // tick, and the clock's whole milliseconds).
  gaps(times.slice(0, 5)).forEach((gap, i) => {
    const want = 20 * 2 ** (i + 1);
    assert.ok(gap >= want - 12, `gap ${i} is ${gap.toFixed(0)} ms, want ${want}: backing off`);
  });
  const answered = times.length + 1;
  await eventually("the answered poll and five more", () => times.length >= answered + 5);
  const after = gaps(times.slice(answered - 1, answered + 5));
  const mean = after.reduce((a, b) => a + b, 0) / after.length;
  assert.ok(mean < 60, `back to every 20 ms after an answer: gaps ${after.map((g) => g.toFixed(0))}`);
  await m.cleanup();
});

Deno.test("a getStatus that hangs counts as failed: the next poll backs off", async () => {
  const { session, times } = timedSession(() => new Promise<string>(() => {}));
  const m = new BackgroundManager({ pollInterval: 20 });
  await m.initialize(session);
  await m.createTask({ options: {} });
  await eventually("three hanging polls", () => times.length >= 3);
  const [first, second] = gaps(times);
  assert.ok(first >= 30 && second >= 70, `gaps ${first.toFixed(0)}, ${second.toFixed(0)} ms`);
  await m.cleanup();
});

const noDocument = () => delete (globalThis as { document?: unknown }).document;

// A hidden page and one becoming visible: tests/browser/polling.js (Deno
// and Chromium).
Deno.test("a document whose visibility throws is treated as visible", async () => {
  const doc = new EventTarget();
  Object.defineProperty(doc, "visibilityState", { get() { throw new Error("hostile"); } });
  Object.defineProperty(doc, "addEventListener", { value: () => { throw new Error("hostile"); } });
  (globalThis as { document?: unknown }).document = doc;
  try {
    const { session, times } = timedSession(() => Promise.resolve("running"));
    const m = new BackgroundManager({ pollInterval: 10 });
    await m.initialize(session);
    await m.createTask({ options: {} });
    await eventually("polls at the visible rate", () => times.length >= 6);
    const mean = gaps(times).reduce((a, b) => a + b, 0) / (times.length - 1);
    assert.ok(mean < 30, `visible rate: mean gap ${mean.toFixed(1)} ms`);
    await m.cleanup();
  } finally {
    noDocument();
  }
});
