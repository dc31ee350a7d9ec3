// SPEC §7 and issue 3: runners, streaming output, abort, limits, events.
import type { RunnerContext, TaskEvent } from "../../pkg/background_manager.js";
import { assert, BackgroundManager, eventually, makeSession, rejects, sleep, withManager } from "./helpers.ts";

const later = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });

function quietErrors<T>(body: () => Promise<T>): Promise<{ value: T; reported: unknown[][] }> {
  const error = console.error;
  const reported: unknown[][] = [];
  console.error = (...args: unknown[]) => void reported.push(args);
  return body().then((value) => ({ value, reported })).finally(() => (console.error = error));
}

Deno.test("the simulated agent streams output and completes its task", async () => {
  await withManager({ simulatedDelay: 1 }, async (m, probe) => {
    const events: TaskEvent[] = [];
    const unsubscribe = m.subscribe((e) => events.push(e));
    const task = await m.launch({ agent: "default", prompt: "Write a summary" });
    assert.equal(task.status, "running");
    assert.equal(task.agent, "default");
    assert.equal(task.prompt, "Write a summary");
    const out = await m.getOutput(task.id, { wait: true, timeout: 5000 });
    assert.equal(out.status, "completed");
    assert.match(out.output, /\[default\] Working on: Write a summary/);
    assert.deepEqual(out.result, {
      agent: "default",
      prompt: "Write a summary",
      response: "Simulated response from default to: Write a summary",
      simulated: true,
    });
    const kinds = events.map((e) => e.type === "status" ? `status:${e.status}` : e.type);
    assert.deepEqual(kinds, [
      "created",
      "status:running",
      "output",
      "output",
      "output",
      "output",
      "status:completed",
    ]);
    const chunks = events.flatMap((e) => e.type === "output" ? [e.chunk] : []);
    assert.equal(chunks.join(""), out.output);
    assert.deepEqual(probe.sent.map((n) => n.status), ["completed"]);
    unsubscribe();
    unsubscribe(); // twice is harmless
  });
});

Deno.test("a runner's result completes the task; its context is complete", async () => {
  let seen: RunnerContext | undefined;
  const runner = async (ctx: RunnerContext) => {
    seen = ctx;
    ctx.write("part one, ");
    await later(1);
    ctx.write("part two");
    return { answer: 42 };
  };
  await withManager({ runner }, async (m) => {
    const options = { temperature: 0 };
    const task = await m.launch({ agent: "coder", prompt: "Fix it", id: "job-1", options });
    const out = await m.getOutput(task.id, { wait: true, timeout: 5000 });
    assert.deepEqual(out.result, { answer: 42 });
    assert.equal(out.output, "part one, part two");
    assert.equal(seen?.agent, "coder");
    assert.equal(seen?.prompt, "Fix it");
    assert.equal(seen?.taskId, "job-1");
    assert.equal(seen?.sessionId, "session-123");
    assert.equal(seen?.options, options);
    assert.ok(seen?.signal instanceof AbortSignal && !seen.signal.aborted);
    assert.equal((await m.getTask("job-1"))?.options, options);
  });
});

for (const [name, runner] of [
  ["throws synchronously", () => { throw new Error("sync boom"); }],
  ["rejects", () => Promise.reject(new Error("async boom"))],
  ["throws a string", () => { throw "plain boom"; }],
  ["throws after writing", async ({ write }: RunnerContext) => { write("so far"); await later(1); throw new TypeError("late boom"); }],
] as const) {
  Deno.test(`a runner that ${name} fails its task with the message`, async () => {
    await withManager({ runner: runner as never }, async (m) => {
      const task = await m.launch({ agent: "a", prompt: "p" });
      const out = await m.getOutput(task.id, { wait: true, timeout: 5000 });
      assert.equal(out.status, "error");
      assert.match(out.error!, /boom/);
      assert.ok(!("result" in out));
    });
  });
}

Deno.test("a runner that ignores abort is cancelled when the grace period ends, and stays cancelled", async () => {
  let release!: () => void;
  let aborted = false;
  const runner = ({ signal }: RunnerContext) => {
    signal.addEventListener("abort", () => (aborted = true));
    return new Promise((resolve) => (release = () => resolve("finished anyway")));
  };
  await withManager({ runner, cancelGracePeriod: 60 }, async (m, probe) => {
    const task = await m.launch({ agent: "a", prompt: "p" });
    const started = Date.now();
    const cancelled = await m.cancelTask(task.id);
    assert.ok(Date.now() - started >= 55, "waited out the grace period");
    assert.equal(cancelled.status, "cancelled");
    assert.ok(aborted, "the signal was aborted");
    release();
    await sleep(10);
    assert.equal((await m.getTask(task.id))?.status, "cancelled");
    assert.deepEqual(probe.sent.map((n) => n.status), ["cancelled"], "notified once");
  });
});

Deno.test("a runner that honours abort ends its task cancelled before the grace period", async () => {
  const runner = ({ signal }: RunnerContext) => later(60_000, signal);
  await withManager({ runner, cancelGracePeriod: 30_000 }, async (m) => {
    const task = await m.launch({ agent: "a", prompt: "p" });
    const started = Date.now();
    const cancelled = await m.cancelTask(task.id);
    assert.equal(cancelled.status, "cancelled");
    assert.ok(Date.now() - started < 1000);
  });
});

Deno.test("force cancels at once; the runner's late result changes nothing", async () => {
  let release!: () => void;
  const runner = () => new Promise((resolve) => (release = () => resolve("late")));
  await withManager({ runner, cancelGracePeriod: 30_000 }, async (m) => {
    const task = await m.launch({ agent: "a", prompt: "p" });
    assert.equal((await m.cancelTask(task.id, { force: true })).status, "cancelled");
    release();
    await sleep(5);
    const t = await m.getTask(task.id);
    assert.equal(t?.status, "cancelled");
    assert.ok(!("result" in t!));
    await rejects(m.completeTask(task.id), "INVALID_TRANSITION");
  });
});

Deno.test("a task being cancelled refuses completeTask and failTask", async () => {
  const runner = () => new Promise(() => {});
  await withManager({ runner, cancelGracePeriod: 50 }, async (m) => {
    const task = await m.launch({ agent: "a", prompt: "p" });
    const cancelling = m.cancelTask(task.id);
    await rejects(m.completeTask(task.id), "INVALID_TRANSITION", Error, /being cancelled/);
    await rejects(m.failTask(task.id, "x"), "INVALID_TRANSITION", Error, /being cancelled/);
    assert.equal((await cancelling).status, "cancelled");
  });
});

Deno.test("a thousand launched tasks through a limit of four: peak exactly 4, all finish", async () => {
  let current = 0;
  let peak = 0;
  const runner = async ({ taskId }: RunnerContext) => {
    current++;
    peak = Math.max(peak, current);
    await later(0);
    current--;
    return taskId;
  };
  await withManager({ runner, maxConcurrent: 4 }, async (m) => {
    const tasks = [];
    for (let i = 0; i < 1000; i++) tasks.push(await m.launch({ agent: "a", prompt: `p${i}`, id: `t${i}` }));
    assert.equal(tasks.filter((t) => t.status === "running").length, 4);
    assert.equal(tasks.filter((t) => t.status === "queued").length, 996);
    assert.equal((await m.getAllTasks("queued")).length, 996);
    await eventually("every task done", async () => (await m.getAllTasks("completed")).length === 1000, 30_000);
    assert.equal(peak, 4);
    const all = await m.getAllTasks();
    assert.ok(all.every((t) => t.result === t.id));
  });
});

Deno.test("event statuses let a listener keep exact counts", async () => {
  const runner = async ({ signal }: RunnerContext) => {
    await later(1, signal);
    return "ok";
  };
  await withManager({ runner, maxConcurrent: 3, cancelGracePeriod: 0 }, async (m) => {
    const counts: Record<string, number> = { queued: 0, running: 0, completed: 0, error: 0, cancelled: 0 };
    let lowest = 0;
    m.subscribe((e) => {
      if (e.type === "created") counts[e.status]++;
      if (e.type === "status") {
        counts[e.previous]--;
        counts[e.status]++;
      }
      lowest = Math.min(lowest, ...Object.values(counts));
    });
    const created = [];
    for (let i = 0; i < 30; i++) created.push(await m.launch({ agent: "a", prompt: `p${i}` }));
    assert.deepEqual(created.slice(0, 4).map((t) => t.status), ["running", "running", "running", "queued"]);
    await m.cancelTask(created[29].id);
    await Promise.all(created.map((t) => m.getOutput(t.id, { wait: true, timeout: 10_000 })));
    assert.equal(lowest, 0, "no count ever went below zero");
    assert.deepEqual(counts, { queued: 0, running: 0, completed: 29, error: 0, cancelled: 1 });
  });
});

Deno.test("per-agent limits let other agents pass; a finished task frees its slot at once", async () => {
  const release = new Map<string, () => void>();
  const runner = ({ taskId }: RunnerContext) => new Promise((resolve) => release.set(taskId!, () => resolve("ok")));
  await withManager({ runner, agentLimits: { slow: 1 } }, async (m) => {
    const s1 = await m.launch({ agent: "slow", prompt: "1", id: "s1" });
    const s2 = await m.launch({ agent: "slow", prompt: "2", id: "s2" });
    const f1 = await m.launch({ agent: "fast", prompt: "3", id: "f1" });
    assert.deepEqual([s1.status, s2.status, f1.status], ["running", "queued", "running"]);
    const events: string[] = [];
    m.subscribe((e) => e.type === "status" && events.push(`${e.taskId}:${e.status}`));
    release.get("s1")!();
    await eventually("s2 to start", () => release.has("s2"));
    assert.deepEqual(events.slice(0, 2), ["s1:completed", "s2:running"], "the slot passes on in the same turn");
  });
});

Deno.test("a cancelled queued task never runs", async () => {
  const started: string[] = [];
  const runner = ({ taskId }: RunnerContext) => {
    started.push(taskId!);
    return later(5);
  };
  await withManager({ runner, maxConcurrent: 1 }, async (m) => {
    await m.launch({ agent: "a", prompt: "p", id: "first" });
    await m.launch({ agent: "a", prompt: "p", id: "second" });
    assert.equal((await m.cancelTask("second")).status, "cancelled");
    await m.getOutput("first", { wait: true, timeout: 5000 });
    await sleep(20);
    assert.deepEqual(started, ["first"]);
  });
});

Deno.test("a queued task's TTL counts from its creation", async () => {
  const runner = () => new Promise(() => {}); // never ends, ignores abort
  await withManager({ runner, maxConcurrent: 1, taskTTL: 80, cancelGracePeriod: 0 }, async (m) => {
    await m.launch({ agent: "a", prompt: "p", id: "hog" });
    await sleep(20);
    const waiting = await m.launch({ agent: "a", prompt: "p", id: "waiting" });
    assert.equal(waiting.status, "queued");
    const out = await m.getOutput("waiting", { wait: true, timeout: 5000 });
    assert.equal(out.status, "error");
    assert.match(out.error!, /timed out/);
    const t = await m.getTask("waiting");
    assert.equal(t!.updatedAt - t!.createdAt, 80);
  });
});

Deno.test("a listener that throws is isolated and reported", async () => {
  const { reported } = await quietErrors(() =>
    withManager({ simulatedDelay: 0 }, async (m) => {
      const heard: string[] = [];
      m.subscribe(() => { throw new Error("listener bug"); });
      m.subscribe((e) => heard.push(e.type));
      const task = await m.createTask({ options: {} });
      await m.appendOutput(task.id, "x");
      await m.completeTask(task.id, "done");
      assert.deepEqual(heard, ["created", "output", "status"]);
      assert.equal((await m.getTask(task.id))?.result, "done");
    })
  );
  // created, output, status, and removed when withManager cleans up
  assert.equal(reported.length, 4);
  assert.match(String(reported[0][0]), /listener threw/);
});

Deno.test("a listener may cancel the task it is told about", async () => {
  const runner = ({ signal }: RunnerContext) => later(60_000, signal);
  await withManager({ runner, cancelGracePeriod: 1000 }, async (m) => {
    const outcomes: Promise<unknown>[] = [];
    m.subscribe((e) => {
      if (e.type === "created") outcomes.push(m.cancelTask(e.taskId));
    });
    const task = await m.launch({ agent: "a", prompt: "p" });
    const [cancelled] = await Promise.all(outcomes);
    assert.equal((cancelled as { status: string }).status, "cancelled");
    assert.equal((await m.getTask(task.id))?.status, "cancelled");
  });
});

Deno.test("output past the cap keeps the beginning and the end and marks the cut", async () => {
  const runner = ({ write }: RunnerContext) => {
    for (let i = 0; i < 1000; i++) write(`line ${String(i).padStart(4, "0")}\n`);
    return "done";
  };
  await withManager({ runner, outputCap: 2048 }, async (m) => {
    const task = await m.launch({ agent: "a", prompt: "p" });
    const out = await m.getOutput(task.id, { wait: true, timeout: 5000 });
    const notice = /\n\[\.\.\. (\d+) characters of output cut \.\.\.\]\n/;
    const [cut, dropped] = out.output.match(notice) ?? [];
    assert.ok(cut, "the cut is marked");
    // Exactly the cap is kept, half from the start and half from the end.
    assert.equal(out.output.length - cut.length, 2048);
    assert.equal(Number(dropped), 10_000 - 2048);
    assert.ok(out.output.startsWith("line 0000\nline 0001\n"));
    assert.ok(out.output.endsWith("line 0998\nline 0999\n"));
    assert.equal(out.cursor, 10_000);
  });
});

Deno.test("a runner writing 20 MB stays within the default 1 MiB cap", async () => {
  const chunk = "y".repeat(64 * 1024);
  const runner = ({ write }: RunnerContext) => {
    for (let i = 0; i < 320; i++) write(chunk);
    return "done";
  };
  await withManager({ runner }, async (m) => {
    const task = await m.launch({ agent: "a", prompt: "p" });
    const out = await m.getOutput(task.id, { wait: true, timeout: 10_000 });
    const kept = out.output.replace(/\n\[\.\.\. \d+ characters of output cut \.\.\.\]\n/, "");
    assert.equal(kept.length, 1 << 20);
    assert.equal(out.cursor, 320 * 64 * 1024);
  });
});

Deno.test("two readers follow one task with cursors", async () => {
  const runner = async ({ write }: RunnerContext) => {
    for (let i = 0; i < 30; i++) {
      write(`step ${i}\n`);
      await later(1);
    }
    return "done";
  };
  await withManager({ runner }, async (m) => {
    const task = await m.launch({ agent: "a", prompt: "p" });
    const follow = async (every: number) => {
      let cursor = 0;
      let text = "";
      while (true) {
        const out = await m.getOutput(task.id, { since: cursor });
        text += out.output;
        cursor = out.cursor;
        if (out.status !== "running") return text;
        await sleep(every);
      }
    };
    const [fast, slow] = await Promise.all([follow(1), follow(7)]);
    const whole = (await m.getOutput(task.id)).output;
    assert.equal(fast, whole);
    assert.equal(slow, whole);
    assert.equal((await m.getOutput(task.id, { since: 1e9 })).output, "");
  });
});

Deno.test("appendOutput feeds tasks driven from outside", async () => {
  await withManager(undefined, async (m) => {
    const task = await m.createTask({ options: {} });
    const heard: string[] = [];
    m.subscribe((e) => e.type === "output" && heard.push(`${e.chunk}@${e.cursor}`));
    await m.appendOutput(task.id, "hello ");
    await m.appendOutput(task.id, "world");
    assert.equal((await m.getTask(task.id))?.output, "hello world");
    assert.deepEqual(heard, ["hello @6", "world@11"]);
    await rejects(m.appendOutput(task.id, 5 as never), "INVALID_ARGUMENT", TypeError);
    await rejects(m.appendOutput("ghost", "x"), "TASK_NOT_FOUND");
    await m.completeTask(task.id);
    await rejects(m.appendOutput(task.id, "more"), "INVALID_TRANSITION");
  });
});

Deno.test("callAgent runs in the foreground, or in the background as a task", async () => {
  const runner = async ({ agent, prompt, taskId }: RunnerContext) => ({ agent, prompt, taskId });
  await withManager({ runner }, async (m) => {
    assert.deepEqual(await m.callAgent("default", "Write a summary"), {
      agent: "default",
      prompt: "Write a summary",
      taskId: undefined,
    });
    const launched = await m.callAgent("default", "Later", { background: true });
    assert.equal(launched.status, "running");
    const out = await m.getOutput(launched.taskId, { wait: true, timeout: 5000 });
    assert.deepEqual(out.result, { agent: "default", prompt: "Later", taskId: launched.taskId });
  });
  const failing = new BackgroundManager({ runner: () => { throw new Error("no agent"); } });
  await assert.rejects(failing.callAgent("a", "b"), /no agent/);
  await failing.cleanup();
});

Deno.test("write rejects non-strings, and writes after the end are ignored", async () => {
  let write!: (chunk: string) => void;
  const runner = (ctx: RunnerContext) => {
    write = ctx.write;
    assert.throws(() => ctx.write(42 as never), TypeError);
    ctx.write("kept");
    return "done";
  };
  await withManager({ runner }, async (m) => {
    const task = await m.launch({ agent: "a", prompt: "p" });
    await m.getOutput(task.id, { wait: true, timeout: 5000 });
    write(" ignored");
    assert.equal((await m.getTask(task.id))?.output, "kept");
  });
});

Deno.test("a runner may finish its own task from inside", async () => {
  let m!: BackgroundManager;
  const runner = async ({ taskId }: RunnerContext) => {
    await m.completeTask(taskId!, "finished by hand");
    return "ignored";
  };
  m = new BackgroundManager({ runner });
  await m.initialize(makeSession().session);
  const task = await m.launch({ agent: "a", prompt: "p" });
  const out = await m.getOutput(task.id, { wait: true, timeout: 5000 });
  assert.equal(out.result, "finished by hand");
  await m.cleanup();
});

Deno.test("cleanup aborts every runner, foreground calls included", async () => {
  const signals: AbortSignal[] = [];
  const runner = ({ signal }: RunnerContext) => {
    signals.push(signal);
    return later(60_000, signal);
  };
  const m = new BackgroundManager({ runner, maxConcurrent: 2 });
  await m.initialize(makeSession().session);
  for (let i = 0; i < 4; i++) await m.launch({ agent: "a", prompt: "p" });
  const foreground = m.callAgent("a", "p");
  const waiting = m.getOutput((await m.getAllTasks("queued"))[0].id, { wait: true });
  await m.cleanup();
  assert.equal(signals.length, 3, "two launched runners and the foreground call");
  assert.ok(signals.every((s) => s.aborted));
  await assert.rejects(foreground);
  await rejects(waiting, "DISPOSED");
  assert.deepEqual(await m.getAllTasks(), []);
});

Deno.test("cleanup stops the simulated agent's timers (sanitizers on)", async () => {
  const m = new BackgroundManager({ simulatedDelay: 10_000 });
  await m.initialize(makeSession().session);
  await m.launch({ agent: "default", prompt: "slow" });
  await m.cleanup();
});

Deno.test("launch validates its arguments", async () => {
  await withManager(undefined, async (m) => {
    await rejects(m.launch(undefined as never), "INVALID_ARGUMENT", TypeError);
    await rejects(m.launch({ prompt: "p" } as never), "INVALID_ARGUMENT", TypeError);
    await rejects(m.launch({ agent: "", prompt: "p" }), "INVALID_ARGUMENT", RangeError);
    await rejects(m.launch({ agent: "a", prompt: 5 } as never), "INVALID_ARGUMENT", TypeError);
    await rejects(m.launch({ agent: "a", prompt: "p", id: "" }), "INVALID_ARGUMENT", RangeError);
    await m.launch({ agent: "a", prompt: "p", id: "x" });
    await rejects(m.launch({ agent: "a", prompt: "p", id: "x" }), "DUPLICATE_ID");
    assert.throws(() => m.subscribe("not a function" as never), TypeError);
    const bad: unknown[] = [
      { runner: "x" }, { maxConcurrent: 0 }, { maxConcurrent: 1.5 }, { agentLimits: { a: 0 } },
      { agentLimits: 3 }, { cancelGracePeriod: -1 }, { outputCap: 0 }, { simulatedDelay: -1 },
    ];
    for (const options of bad) {
      assert.throws(() => new BackgroundManager(options as never), (e: unknown) => (e as { code?: string }).code === "INVALID_ARGUMENT", Deno.inspect(options));
    }
  });
  const uninitialized = new BackgroundManager();
  await rejects(uninitialized.launch({ agent: "a", prompt: "p" }), "NOT_INITIALIZED");
});

Deno.test("write takes UTF-8 bytes: one streaming decoder per run puts a character split across writes back together", async () => {
  const text = "héllo wörld 🚀 ≠ 日本\n";
  const bytes = new TextEncoder().encode(text);
  // A fetch body as a runner reads it: a reader of Uint8Arrays, here one
  // byte each, so every multi-byte character arrives in pieces.
  const body = () =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const b of bytes) controller.enqueue(new Uint8Array([b]));
        controller.close();
      },
    });
  const runner = async ({ write }: RunnerContext) => {
    const reader = body().getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) write(r.value);
    write("and text");
    // A view into a larger buffer is decoded as the view, not the buffer.
    write(new Uint8Array(new TextEncoder().encode("[é]")).subarray(1, 3));
    return "read";
  };
  await withManager({ runner }, async (m) => {
    const chunks: string[] = [];
    m.subscribe((e) => e.type === "output" && chunks.push(e.chunk));
    const task = await m.launch({ agent: "a", prompt: "p" });
    const out = await m.getOutput(task.id, { wait: true, timeout: 5000 });
    assert.equal(out.status, "completed");
    const expected = text + "and text" + "é";
    assert.equal(out.output, expected);
    // Counted as the decoded text, in UTF-16 units: not in bytes.
    assert.equal(out.cursor, expected.length);
    assert.ok(expected.length < bytes.length + "and text".length + 2);
    assert.ok(chunks.every((c) => !c.includes("\ufffd")), "no character came out broken");
    assert.ok(chunks.includes("🚀"), "the 4-byte character came out whole, in the write of its last byte");
  });
});

Deno.test("bytes of a character the runner never finished are written as U+FFFD when it ends; each run has its own decoder", async () => {
  const rocket = new TextEncoder().encode("🚀");
  let attempt = 0;
  const runner = ({ write }: RunnerContext) => {
    attempt++;
    write("x");
    if (attempt === 1) {
      // The first half of the rocket, then a failure: the retry's decoder
      // never sees it.
      write(rocket.subarray(0, 2));
      throw new Error("first attempt");
    }
    // The second half alone is not a character either: two U+FFFDs.
    write(rocket.subarray(2));
    write(rocket.subarray(0, 3));
    return "done";
  };
  await withManager({ runner }, async (m) => {
    const task = await m.launch({ agent: "a", prompt: "p", retry: { attempts: 2, backoff: { initial: 1, jitter: 0 } } });
    const out = await m.getOutput(task.id, { wait: true, timeout: 5000 });
    assert.equal(out.status, "completed");
    assert.equal(out.output, "x\ufffd" + "x\ufffd\ufffd" + "\ufffd");
    const log = await m.readLog(task.id);
    const outputs = log.entries.filter((e) => e.type === "output").map((e) => (e as { text: string }).text);
    // The unfinished character of each run is written before its outcome.
    const retry = log.entries.findIndex((e) => e.type === "retry");
    const first = log.entries.findIndex((e) => e.type === "output" && (e as { text: string }).text === "\ufffd");
    assert.ok(first >= 0 && first < retry, "the first run's U+FFFD comes before its retry entry");
    assert.deepEqual(outputs, ["x", "\ufffd", "x", "\ufffd\ufffd", "\ufffd"]);
  });
});

Deno.test("write refuses what is neither text nor UTF-8 bytes with INVALID_ARGUMENT", async () => {
  const refused: unknown[] = [];
  const runner = ({ write }: RunnerContext) => {
    // What LangChain gives as a multimodal chunk.content, and other bytes.
    for (const chunk of [[{ type: "text", text: "hi" }], { text: "hi" }, 5, null, undefined, new Uint16Array([104]), new ArrayBuffer(1), new DataView(new ArrayBuffer(1))]) {
      try {
        write(chunk as never);
        refused.push("taken");
      } catch (e) {
        refused.push(e instanceof TypeError && (e as { code?: string }).code === "INVALID_ARGUMENT" && /Uint8Array/.test((e as Error).message));
      }
    }
    write("ok");
    return "done";
  };
  await withManager({ runner }, async (m) => {
    const task = await m.launch({ agent: "a", prompt: "p" });
    const out = await m.getOutput(task.id, { wait: true, timeout: 5000 });
    assert.deepEqual(refused, new Array(8).fill(true));
    assert.equal(out.output, "ok");
  });
});
