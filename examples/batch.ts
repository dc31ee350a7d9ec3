// Runs a batch of background agent tasks through the manager with a live
// progress display, then prints a summary table.
//   deno run --allow-read examples/batch.ts [tasks] [maxConcurrent]
// The runner here stands in for a real model call: it streams a few lines,
// honours its abort signal, and fails now and then, as real agents do.
import init, { BackgroundManager } from "../pkg/index.js";
import type { BackgroundTask, BackgroundTaskStatus, RunnerContext } from "../pkg/index.js";

// Both counts must be whole numbers of at least 1; anything else gets the
// usage line instead of a run that makes no sense.
function count(arg: string | undefined, fallback: number): number {
  if (arg === undefined) return fallback;
  return /^[1-9][0-9]{0,5}$/.test(arg) ? Number(arg) : NaN;
}
const TOTAL = count(Deno.args[0], 24);
const MAX = count(Deno.args[1], 4);
if (Number.isNaN(TOTAL) || Number.isNaN(MAX) || Deno.args.length > 2) {
  console.error("usage: deno run --allow-read examples/batch.ts [tasks (1-999999), default 24] [maxConcurrent (1-999999), default 4]");
  Deno.exit(2);
}
const AGENTS = ["researcher", "coder", "writer"];

await init();

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

let seed = 42;
const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);

async function runner({ agent, prompt, signal, write, progress }: RunnerContext) {
  const steps = 3 + Math.floor(random() * 4);
  progress({ done: 0, total: steps, message: "starting" });
  for (let step = 1; step <= steps; step++) {
    await pause(60 + random() * 140, signal);
    write(`[${agent}] step ${step}/${steps} of "${prompt}"\n`);
    progress({ done: step, total: steps, message: `step ${step}` });
  }
  if (random() < 0.12) throw new Error(`${agent} lost its connection`);
  return { words: 100 + Math.floor(random() * 900) };
}

const manager = new BackgroundManager({ runner, maxConcurrent: MAX, agentLimits: { coder: 2 } });
await manager.initialize({ id: "batch", getStatus: () => "running", sendMessage: () => {} });

// `interrupted` happens only with the durable build's store; counted all the same.
const counts: Record<BackgroundTaskStatus, number> = { queued: 0, running: 0, "input-required": 0, completed: 0, error: 0, cancelled: 0, interrupted: 0 };
let outputBytes = 0;
// How far each running task says it is (its runner's progress reports).
const share = new Map<string, number>();
// The manager's events as a `for await` loop, ended by its signal.
const following = new AbortController();
const followed = (async () => {
  try {
    for await (const event of manager.watchAll({ signal: following.signal })) {
      if (event.type === "created") {
        counts[event.status]++;
      } else if (event.type === "status") {
        counts[event.previous]--;
        counts[event.status]++;
        if (event.status !== "running") share.delete(event.taskId);
      } else if (event.type === "output") {
        outputBytes += event.chunk.length;
      } else if (event.type === "progress" && event.progress.total) {
        share.set(event.taskId, event.progress.done / event.progress.total);
      }
    }
  } catch (e) {
    if (!following.signal.aborted) throw e;
  }
})();

const tty = Deno.stdout.isTerminal();
const encoder = new TextEncoder();
const COLORS: Record<BackgroundTaskStatus, string> = {
  queued: "\x1b[90m", running: "\x1b[34m", "input-required": "\x1b[36m", completed: "\x1b[32m", error: "\x1b[31m", cancelled: "\x1b[33m",
  interrupted: "\x1b[35m",
};
const paint = (status: BackgroundTaskStatus, text: string) => (tty ? `${COLORS[status]}${text}\x1b[0m` : text);

function progress(): string {
  const done = counts.completed + counts.error + counts.cancelled + counts.interrupted;
  // Finished tasks count whole; running ones by the share their runner reported.
  const partial = [...share.values()].reduce((a, b) => a + b, 0);
  const width = 30;
  const filled = Math.min(width, Math.round(((done + partial) / TOTAL) * width));
  const bar = "█".repeat(filled) + "░".repeat(width - filled);
  const parts = (Object.keys(counts) as BackgroundTaskStatus[]).map((s) => paint(s, `${s} ${counts[s]}`));
  return `[${bar}] ${String(done).padStart(3)}/${TOTAL}  ${parts.join("  ")}  ${(outputBytes / 1024).toFixed(1)} KB out`;
}

let lastLine = "";
function draw(final = false) {
  const line = progress();
  if (tty) {
    Deno.stdout.writeSync(encoder.encode(`\r\x1b[2K${line}${final ? "\n" : ""}`));
  } else if (line !== lastLine || final) {
    console.log(line);
  }
  lastLine = line;
}

const started = Date.now();
const tasks: BackgroundTask[] = [];
for (let i = 0; i < TOTAL; i++) {
  const agent = AGENTS[i % AGENTS.length];
  tasks.push(await manager.launch({ agent, prompt: `job ${i + 1}`, id: `job-${String(i + 1).padStart(2, "0")}` }));
}
const ticker = setInterval(draw, tty ? 80 : 500);

// Change our mind about one job while the batch runs.
setTimeout(() => manager.cancelTask(tasks[TOTAL - 1].id).catch(() => {}), 300);
await Promise.all(tasks.map((t) => manager.getOutput(t.id, { wait: true })));
clearInterval(ticker);
// The last events are in; then stop following.
await new Promise((r) => setTimeout(r, 0));
following.abort();
await followed;
draw(true);

const all = await manager.getAllTasks();
console.log(`\n${all.length} tasks in ${((Date.now() - started) / 1000).toFixed(1)} s, at most ${MAX} at once\n`);
const header = ["task", "agent", "status", "steps", "time", "output", "result / error"];
const table = all.map((t) => [
  t.id,
  t.agent ?? "",
  t.status,
  t.progress ? `${t.progress.done}/${t.progress.total}` : "",
  `${((t.updatedAt - t.createdAt) / 1000).toFixed(2)} s`,
  `${(t.output ?? "").length} B`,
  t.status === "completed" ? `${t.result.words} words` : t.error ?? "",
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
const format = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ");
console.log(format(header));
console.log(widths.map((w) => "─".repeat(w)).join("  "));
for (const row of table) {
  const line = format(row);
  console.log(paint(row[2] as BackgroundTaskStatus, line));
}
await manager.cleanup();
