// The manager's JS-side store: every JS value of every task (id, options,
// result, error message, output text, agent, prompt), kept by the task's
// seq. Only the engine writes it (through `src/bindgen/store.rs`, in the same
// step as the change it records), so it always agrees with the engine when
// user code runs; the facade reads it to answer reads without entering
// wasm. The engine keeps numbers: statuses, times, lengths, cursors.
import { P, ROW } from './calls.js';

// A task's rarely-present values, made on first need: agent and prompt of a
// launched task, and its output.
class Extra {
  constructor() {
    this.agent = undefined;
    this.prompt = undefined;
    // Output: `head` is kept from the start; `tail` holds the latest text
    // from `skip` on; `dropped` units fell between; `text` caches the whole.
    this.head = '';
    this.tail = '';
    this.skip = 0;
    this.dropped = 0;
    this.text = '';
    // Which run of its runner (a durable store's restart counts up).
    this.attempt = 1;
    // The numbered log (log.js), once the engine made it, and the
    // runner's latest progress report.
    this.log = undefined;
    this.progress = undefined;
    // Its parent's id and seq (`launch({ parentId })`), and the seqs of
    // its children still held.
    this.parentId = undefined;
    this.parentSeq = -1;
    this.children = undefined;
    // When it stalled, while it is stalled (log.js keeps it).
    this.stalledSince = undefined;
  }
}

// Per task: [id, options, value (the result or message it ended with;
// the status says which), extra].
const STRIDE = 4;
const VALUE = 2;
const EXTRA = 3;

export class View {
  constructor() {
    /** id -> seq: the index of the engine's live tasks by id. */
    this.ids = new Map();
    this.mask = 255;
    this.slots = new Array((this.mask + 1) * STRIDE).fill(undefined);
    /** Interned session ids, by the engine's index. */
    this.sessions = [];
    /** The core, once made; null after it is freed. */
    this.core = null;
    /** wasm memory, where the core writes numbers for the facade. */
    this.memory = null;
    this.rows = new Float64Array(0);
    this.due = new Float64Array(0);
    /** Live runs by task seq (see store.rs's `setRun`). */
    this.runs = new Map();
  }

  setRun(seq, run) {
    this.runs.set(seq, run);
  }

  run(seq) {
    return this.runs.get(seq);
  }

  takeRun(seq) {
    const run = this.runs.get(seq);
    this.runs.delete(seq);
    return run;
  }

  takeRuns() {
    const runs = [...this.runs.values()];
    this.runs.clear();
    return runs;
  }

  attach(memory) {
    this.memory = memory;
  }

  find(id) {
    return this.ids.get(id) ?? -1;
  }

  // ---- written by the engine (store.rs) -----------------------------------

  // Files a new task; false (and nothing changed) when its id is taken: a
  // caller's duplicate, or a generated id that met a live one.
  insert(seq, oldest, id, options, agent, prompt) {
    if (this.ids.has(id)) return false;
    this.ids.set(id, seq);
    if (seq - oldest > this.mask) this.grow(seq - oldest);
    const i = (seq & this.mask) * STRIDE;
    this.slots[i] = id;
    this.slots[i + 1] = options;
    if (agent !== undefined) {
      const x = new Extra();
      x.agent = agent;
      x.prompt = prompt;
      this.slots[i + EXTRA] = x;
    }
    return true;
  }

  // The ring must span every live seq: it doubles, and each live task moves
  // to its place in the new ring.
  grow(span) {
    let size = (this.mask + 1) * 2;
    while (size <= span) size *= 2;
    const old = this.slots;
    const oldMask = this.mask;
    this.mask = size - 1;
    this.slots = new Array(size * STRIDE).fill(undefined);
    for (const seq of this.ids.values()) {
      const from = (seq & oldMask) * STRIDE;
      const to = (seq & this.mask) * STRIDE;
      for (let k = 0; k < STRIDE; k++) this.slots[to + k] = old[from + k];
    }
  }

  setSession(index, text) {
    this.sessions[index] = text;
  }

  // Keeps what the task ended with; returns its id (for its notification).
  finish(seq, value) {
    const i = (seq & this.mask) * STRIDE;
    this.slots[i + VALUE] = value;
    return this.slots[i];
  }

  extra(seq) {
    const i = (seq & this.mask) * STRIDE + EXTRA;
    return (this.slots[i] ??= new Extra());
  }

  // Keeps a chunk as the engine's cut says (see Cut in output.rs).
  write(seq, chunk, head, drop) {
    const x = this.extra(seq);
    if (head >= chunk.length) {
      x.head += chunk;
    } else {
      if (head > 0) x.head += chunk.slice(0, head);
      x.tail += head > 0 ? chunk.slice(head) : chunk;
      if (drop > 0) {
        x.skip += drop;
        x.dropped += drop;
        // Let go of dropped text once it is as long as what is kept, so the
        // string held stays within twice the cap.
        if (x.skip >= x.tail.length - x.skip) {
          x.tail = x.tail.slice(x.skip);
          x.skip = 0;
        }
      }
    }
    x.text = undefined;
  }

  // Task `seq`'s log, if the engine made it (log.js's `logEntry` writes it).
  logOf(seq) {
    return this.slots[(seq & this.mask) * STRIDE + EXTRA]?.log;
  }

  // Output loaded from a durable store: kept head and tail, `dropped`
  // units cut between.
  restoreOutput(seq, head, tail, dropped) {
    const x = this.extra(seq);
    x.head = head;
    x.tail = tail;
    x.skip = 0;
    x.dropped = dropped;
    x.text = undefined;
  }

  setAttempt(seq, attempt) {
    this.extra(seq).attempt = attempt;
  }

  setAgent(seq, agent) {
    this.extra(seq).agent = agent;
  }

  // What task `seq`'s runner asks; undefined once the ask ended.
  setQuestion(seq, question) {
    this.extra(seq).question = question;
  }

  adopt(parent, child) {
    const x = this.extra(child);
    x.parentId = this.id(parent);
    x.parentSeq = parent;
    (this.extra(parent).children ??= []).push(child);
  }

  remove(seq) {
    const i = (seq & this.mask) * STRIDE;
    const x = this.slots[i + EXTRA];
    x?.log?.end();
    // Its parent, if still held, no longer lists it.
    if (x !== undefined && x.parentSeq >= 0 && this.ids.get(x.parentId) === x.parentSeq) {
      const siblings = this.slots[(x.parentSeq & this.mask) * STRIDE + EXTRA]?.children;
      const at = siblings?.indexOf(seq) ?? -1;
      if (at >= 0) siblings.splice(at, 1);
    }
    this.ids.delete(this.slots[i]);
    for (let k = 0; k < STRIDE; k++) this.slots[i + k] = undefined;
  }

  clear() {
    for (const seq of this.ids.values()) this.slots[(seq & this.mask) * STRIDE + EXTRA]?.log?.end();
    this.ids.clear();
    this.slots.fill(undefined);
    this.sessions.length = 0;
  }

  // ---- read by the engine and the facade ----------------------------------

  id(seq) {
    return this.slots[(seq & this.mask) * STRIDE];
  }

  options(seq) {
    return this.slots[(seq & this.mask) * STRIDE + 1];
  }

  value(seq) {
    return this.slots[(seq & this.mask) * STRIDE + VALUE];
  }

  agent(seq) {
    return this.slots[(seq & this.mask) * STRIDE + EXTRA]?.agent;
  }

  prompt(seq) {
    return this.slots[(seq & this.mask) * STRIDE + EXTRA]?.prompt;
  }

  sessionId(index) {
    return this.sessions[index];
  }

  // The kept output of task `seq` as a durable store saves it.
  head(seq) {
    return this.slots[(seq & this.mask) * STRIDE + EXTRA]?.head ?? '';
  }

  tail(seq) {
    const x = this.slots[(seq & this.mask) * STRIDE + EXTRA];
    return x === undefined ? '' : x.skip === 0 ? x.tail : x.tail.slice(x.skip);
  }

  attemptOf(seq) {
    return this.slots[(seq & this.mask) * STRIDE + EXTRA]?.attempt ?? 1;
  }

  size() {
    return this.ids.size;
  }

  // [id, head length, tail length, dropped, log entries kept at the
  // beginning and the end, newest seq (-1s without a log), parent's seq
  // (-1 without one), children held] of task `seq`,
  // for the differential check (check.rs); undefined if there is none.
  describeSeq(seq) {
    const i = (seq & this.mask) * STRIDE;
    const id = this.slots[i];
    if (id === undefined || this.ids.get(id) !== seq) return undefined;
    const x = this.slots[i + EXTRA];
    if (x === undefined) return [id, 0, 0, 0, -1, -1, -1, -1, 0];
    const log = x.log === undefined ? [-1, -1, -1] : [x.log.head.length, x.log.tail.length - x.log.skip, x.log.last];
    return [id, x.head.length, x.tail.length - x.skip, x.dropped, ...log, x.parentSeq, x.children?.length ?? 0];
  }

  // The output written after `cursor`, with the cut notice where text was
  // dropped. Next to the notice, a surrogate pair cut in two loses its lone
  // half (`render` in mem.rs is the same rule).
  output(seq, cursor) {
    const x = this.slots[(seq & this.mask) * STRIDE + EXTRA];
    if (x === undefined) return '';
    if (cursor === 0 && x.text !== undefined) return x.text;
    let out;
    if (x.dropped === 0) {
      const all = x.tail === '' ? x.head : x.head + x.tail;
      out = cursor === 0 ? all : all.slice(cursor);
    } else {
      const headEnd = x.head.length;
      const tailStart = headEnd + x.dropped;
      out = '';
      if (cursor < headEnd) {
        let part = x.head.slice(cursor);
        if (isHigh(part.charCodeAt(part.length - 1))) part = part.slice(0, -1);
        out = part;
      }
      if (cursor < tailStart) out += P.notice[0] + x.dropped + P.notice[1];
      let from = x.skip + Math.max(0, cursor - tailStart);
      if (cursor < tailStart && isLow(x.tail.charCodeAt(from))) from += 1;
      out += x.tail.slice(from);
    }
    if (cursor === 0) x.text = out;
    return out;
  }

  // Task `seq` as a fresh snapshot; the numbers are the engine's. Each
  // shape is one literal: a property added after one would cost a second
  // allocation, and lists make many snapshots. `result` is present exactly
  // when the task completed (even if it is undefined), `error` exactly when
  // it failed, `output` when there is any, `agent` and `prompt` when it was
  // launched.
  snapshot(seq, status, createdAt, updatedAt, session) {
    const i = (seq & this.mask) * STRIDE;
    const id = this.slots[i];
    const st = P.status[status];
    const options = this.slots[i + 1];
    const sessionId = this.sessions[session];
    const x = this.slots[i + EXTRA];
    const done = status === P.completed;
    const failed = status === P.error;
    const value = this.slots[i + VALUE];
    const output = x === undefined ? '' : this.output(seq, 0);
    if (x === undefined) {
      if (done) return { id, status: st, createdAt, updatedAt, options, sessionId, result: value };
      if (failed) return { id, status: st, createdAt, updatedAt, options, sessionId, error: value };
      return { id, status: st, createdAt, updatedAt, options, sessionId };
    }
    if (x.agent === undefined) {
      let task;
      if (output === '') {
        if (done) task = { id, status: st, createdAt, updatedAt, options, sessionId, result: value };
        else if (failed) task = { id, status: st, createdAt, updatedAt, options, sessionId, error: value };
        else task = { id, status: st, createdAt, updatedAt, options, sessionId };
      } else if (done) task = { id, status: st, createdAt, updatedAt, options, sessionId, result: value, output };
      else if (failed) task = { id, status: st, createdAt, updatedAt, options, sessionId, error: value, output };
      else task = { id, status: st, createdAt, updatedAt, options, sessionId, output };
      return x.children === undefined ? task : this.family(task, x);
    }
    const { agent, prompt } = x;
    let task;
    if (output === '') {
      if (done) task = { id, status: st, createdAt, updatedAt, options, sessionId, agent, prompt, result: value };
      else if (failed) task = { id, status: st, createdAt, updatedAt, options, sessionId, agent, prompt, error: value };
      else task = { id, status: st, createdAt, updatedAt, options, sessionId, agent, prompt };
    } else if (done) task = { id, status: st, createdAt, updatedAt, options, sessionId, agent, prompt, result: value, output };
    else if (failed) task = { id, status: st, createdAt, updatedAt, options, sessionId, agent, prompt, error: value, output };
    else task = { id, status: st, createdAt, updatedAt, options, sessionId, agent, prompt, output };
    // Only a launched task that a durable store's restart ran again has one.
    if (x.attempt > 1) task.attempt = x.attempt;
    // Only a launched task whose runner reported progress has one.
    if (x.progress !== undefined) task.progress = x.progress;
    // Only a running task that stalled.
    if (x.stalledSince !== undefined && st === 'running') task.stalledSince = x.stalledSince;
    // Only a task whose runner asks (`'input-required'`).
    if (x.question !== undefined) task.question = x.question;
    return x.parentId === undefined && x.children === undefined ? task : this.family(task, x);
  }

  // `parentId` and `children` (ids, in creation order) on a snapshot of a
  // task that has them.
  family(task, x) {
    if (x.parentId !== undefined) task.parentId = x.parentId;
    if (x.children !== undefined && x.children.length > 0) task.children = x.children.map((c) => this.id(c));
    return task;
  }

  // getOutput's answer, as OutputResult in records.rs makes it (one
  // literal per shape, as for snapshots).
  outputResult(taskId, seq, status, cursor, since) {
    const st = P.status[status];
    const output = cursor > since ? this.output(seq, since) : '';
    if (status === P.completed) return { taskId, status: st, output, cursor, result: this.value(seq) };
    if (status === P.error) return { taskId, status: st, output, cursor, error: this.value(seq) };
    return { taskId, status: st, output, cursor };
  }

  // ---- numbers from the core ---------------------------------------------

  // Whether a deadline may be due: then a read goes through the core, which
  // runs what is due first, so reads are exact even when the deadline timer
  // is late. The core publishes the time in wasm memory (`dueAt`); a view
  // of it is made again after the memory grows (the old one is detached).
  late() {
    if (this.due.length === 0) {
      const at = this.core.dueAt();
      if (at === 0) return true;
      this.due = new Float64Array(this.memory.buffer, at, 1);
    }
    return Date.now() >= this.due[0];
  }

  // Task `seq`'s numbers as the core's `read` writes them (ROW);
  // undefined if there is no such task. No copy: the view over wasm memory
  // is made again only when the memory grew (which detaches the old one)
  // or a list moved the rows.
  read(seq) {
    return this.core.read(seq) ? this.row() : undefined;
  }

  // The numbers the core wrote last (by `read`, or by a method that changed
  // a task), read by the names of ROW.
  row() {
    if (this.rows.length === 0) this.rows = new Float64Array(this.memory.buffer, this.core.rowsAt(), P.ROW.length);
    return this.rows;
  }

  // Task `seq` as a snapshot, from its row `n`.
  snapshotOf(seq, n) {
    return this.snapshot(seq, n[ROW.status], n[ROW.createdAt], n[ROW.updatedAt], n[ROW.session]);
  }

  // Task `seq` as the core's last method left it.
  answer(seq) {
    return this.snapshotOf(seq, this.row());
  }

  // Every task's (or those in status number `status`'s) numbers as the
  // core's `list` writes them: a row of LIST_ROW's names each.
  list(status) {
    const n = this.core.list(status);
    const rows = new Float64Array(this.memory.buffer, this.core.rowsAt(), Math.max(n * P.LIST_ROW.length, P.ROW.length));
    this.rows = rows;
    return n;
  }

  // What the runner of task `seq` did: wrote `chunk` (`len` its length),
  // reported progress `report` with a message `len` long, or sent a
  // heartbeat.
  runWrite(seq, chunk, len) {
    this.core?.runWrite(seq, chunk, len);
  }

  runProgress(seq, report, len) {
    this.core?.runProgress(seq, report, len);
  }

  runHeartbeat(seq) {
    this.core?.runHeartbeat(seq);
  }

  // The runner of task `seq` asks `question`; the error if it cannot.
  runAsk(seq, question, timeout) {
    return this.core?.runAsk(seq, question, timeout);
  }
}

// A UUID's canonical text from its 16 bytes as four big-endian words: one
// crossing with four numbers, and one flat string made at once.
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

function isHigh(unit) {
  return unit >= 0xd800 && unit < 0xdc00;
}

function isLow(unit) {
  return unit >= 0xdc00 && unit < 0xe000;
}
