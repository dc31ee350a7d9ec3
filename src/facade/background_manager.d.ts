/**
 * Where a task is in its lifecycle. `'queued'` (launched, waiting for a slot)
 * and `'running'` are live; the others are final. `'interrupted'`: a launched
 * task of a durable store whose page or process ended while it was live.
 */
/** `'queued'`, `'running'` and `'input-required'` (running, its runner waiting for `respond`) are live; the rest are final. */
export type BackgroundTaskStatus = 'queued' | 'running' | 'input-required' | 'completed' | 'error' | 'cancelled' | 'interrupted';

/**
 * Where tasks and undelivered notifications are kept: an IndexedDB database
 * of this name (browsers), or a `Deno.Kv` (`await Deno.openKv(path)`, or a KV
 * Connect URL such as a self-hosted denokv server or Deno Deploy's KV).
 */
export type TaskStore = { indexedDB: string } | { kv: TaskStoreKv };

/**
 * What the manager uses of a `Deno.Kv`, written out so that these types
 * check in projects without Deno's; a `Deno.Kv` is one. `watch` is needed
 * by a manager `shared` among processes.
 */
export interface TaskStoreKv {
  get(key: TaskStoreKvKey, options?: { consistency?: 'strong' | 'eventual' }): Promise<TaskStoreKvEntry>;
  getMany(keys: readonly TaskStoreKvKey[]): Promise<readonly TaskStoreKvEntry[]>;
  set(key: TaskStoreKvKey, value: unknown, options?: { expireIn?: number }): Promise<unknown>;
  delete(key: TaskStoreKvKey): Promise<void>;
  list(
    selector: { prefix: TaskStoreKvKey; start?: TaskStoreKvKey },
    options?: { limit?: number; reverse?: boolean; batchSize?: number },
  ): AsyncIterable<TaskStoreKvEntry>;
  atomic(): TaskStoreKvAtomic;
  watch?(keys: readonly TaskStoreKvKey[]): ReadableStream<unknown>;
}

/** The keys the manager reads and writes. */
export type TaskStoreKvKey = readonly (string | number)[];

/** A record of a `TaskStoreKv`; `versionstamp` is null where there is none. */
export interface TaskStoreKvEntry {
  key: readonly unknown[];
  value: unknown;
  versionstamp: string | null;
}

/** The atomic operation of a `TaskStoreKv` (`Deno.AtomicOperation`). */
export interface TaskStoreKvAtomic {
  check(...checks: { key: TaskStoreKvKey; versionstamp: string | null }[]): TaskStoreKvAtomic;
  set(key: TaskStoreKvKey, value: unknown, options?: { expireIn?: number }): TaskStoreKvAtomic;
  delete(key: TaskStoreKvKey): TaskStoreKvAtomic;
  sum(key: TaskStoreKvKey, n: bigint): TaskStoreKvAtomic;
  commit(): Promise<{ ok: boolean; versionstamp?: string }>;
}

/** How failed `sendMessage` calls are retried (defaults: 5 attempts, 1000 ms doubling up to 30000 ms, each delay drawn from its upper half). */
export interface NotifyRetry {
  attempts?: number;
  initialDelay?: number;
  maxDelay?: number;
}

/** Batch notifications: sent once none came for `debounce` ms, and never later than `maxDelay` after the first. */
export interface NotifyBatch {
  debounce: number;
  maxDelay: number;
}

export interface BackgroundManagerOptions {
  /** Polling interval in ms (default 2000). */
  pollInterval?: number;
  /** Task time-to-live in ms (default 1800000 = 30 min), counted from creation. */
  taskTTL?: number;
  /** Runs agents; the built-in simulated agent when left out. */
  runner?: AgentRunner;
  /** Launched tasks running at once (default: no limit). */
  maxConcurrent?: number;
  /** Per-agent limits on launched tasks running at once (default: none). */
  agentLimits?: Record<string, number>;
  /** Limits on launched tasks running at once: in all, and per concurrency key. */
  limits?: ConcurrencyLimits;
  /** How deep `launch({ parentId })` may nest: a task at the top is at depth 0 (default 3). */
  maxDepth?: number;
  /** `launch`'s `stallAfter` for tasks launched without one (default: none). */
  stallAfter?: number;
  /** `launch`'s `failAfterStall` for tasks launched without `stallAfter` (default: never). */
  failAfterStall?: boolean | number;
  /** ms a cancelled runner has to stop before its task is marked cancelled anyway (default 2000). */
  cancelGracePeriod?: number;
  /** Characters (UTF-16 code units, what `String.length` counts) of output kept per task (default 1048576); past it the middle is cut. */
  outputCap?: number;
  /** ms between the simulated agent's output lines (default 150). */
  simulatedDelay?: number;
  /** Keep tasks and notifications in a durable store (default: in memory only). */
  store?: TaskStore;
  /**
   * With a `store`: ms each request to it may take (default 5000, at most
   * 2147483647). Past it the call that needed the request rejects
   * `STORE_FAILED`; a change stands in memory and goes with the next write.
   */
  storeTimeout?: number;
  /** Retry failed notifications (on by default with a `store`). */
  notifyRetry?: NotifyRetry;
  /** `'each'` (default): one `sendMessage` per notification; or batched. */
  notify?: 'each' | NotifyBatch;
  /**
   * Share one manager among the tabs of this origin that give the same
   * name (with `store: { indexedDB }`: Web Locks and BroadcastChannel), or
   * among the processes on one Deno KV (with `store: { kv }`): one owns it
   * and runs the work, the others forward their calls to it.
   */
  shared?: string;
  /**
   * With `shared` on a KV store: how long a process owns the manager
   * without renewing, in ms (default 3000, at least 100). A process that
   * dies is replaced within about 1.45 of it.
   */
  sharedLease?: number;
}

/**
 * `limits`: `global` is `maxConcurrent` by its other name; `keys` limits
 * the tasks of each concurrency key. A task whose `concurrencyKey` is
 * `'openai/gpt-5'` counts against `'openai/gpt-5'`, `'openai'` and
 * `global`. `0` means no limit; a key left out has none.
 */
export interface ConcurrencyLimits {
  /** Launched tasks running at once in all (default: no limit). */
  global?: number;
  /** Whole numbers >= 0 by key (default: none). */
  keys?: Record<string, number>;
}

/** What a runner is called with. */
export interface RunnerContext {
  agent: string;
  prompt: string;
  /** Absent for a foreground `callAgent`. */
  taskId?: string;
  sessionId?: string;
  options: any;
  /** Aborted when the task is cancelled, times out, or the manager is cleaned up. */
  signal: AbortSignal;
  /**
   * Appends to the task's output (ignored once the task is final). A
   * `Uint8Array` is UTF-8 (a `fetch` body's chunks), decoded by one streaming
   * decoder per run: a character split across two writes comes out whole,
   * and one left unfinished when the runner ends is written as U+FFFD.
   * Anything else throws `INVALID_ARGUMENT`.
   */
  write(chunk: string | Uint8Array): void;
  /**
   * Reports progress: the task's snapshot shows it as `progress` and its log
   * gets a `progress` entry; moves `updatedAt`. Throws `INVALID_ARGUMENT`
   * unless `done` (and `total`, if given) is a finite number >= 0 and
   * `message` a string. Ignored once the task is final.
   */
  progress(report: TaskProgress): void;
  /** Says the runner is alive: a `heartbeat` log entry (nothing else changes). Ignored once the task is final. */
  heartbeat(): void;
  /**
   * Asks the user (launched tasks only): the task becomes `'input-required'`
   * (its slot kept, its TTL counting, `question` on its snapshot and in its
   * log) until `respond(taskId, answer)`, which this resolves with. Rejects
   * with a `TimeoutError` after `timeout` ms (default: none), with an
   * `AbortError` if the task is cancelled or ends first, and with
   * `INVALID_TRANSITION` while another question is open.
   */
  ask<T = unknown>(question: unknown, options?: { timeout?: number }): Promise<T>;
  /** Which run this is: 1, then 2, 3, ... for each retry (`launch({ retry })`) or a durable store's restart that ran it again (`resume: true`). */
  attempt: number;
}

/** Runs one agent call; resolving completes the task, throwing fails it. */
export type AgentRunner = (context: RunnerContext) => unknown | Promise<unknown>;

/** A runner's progress report, as the snapshot and the log show it. */
export interface TaskProgress {
  done: number;
  total?: number;
  message?: string;
}

/**
 * One entry of a task's log. `seq` counts from 1 per task and is never
 * reused; `at` is ms since the epoch. A `gap` stands where entries were cut
 * by the cap: `dropped` entries, the last of them numbered `seq`, so reading
 * on after it continues with what is kept.
 */
export type TaskLogEntry =
  | { seq: number; type: 'status'; at: number; status: BackgroundTaskStatus; error?: string; question?: unknown }
  | { seq: number; type: 'output'; at: number; text: string; cursor: number }
  | { seq: number; type: 'progress'; at: number; done: number; total?: number; message?: string }
  | { seq: number; type: 'heartbeat'; at: number }
  | { seq: number; type: 'stalled'; at: number }
  | { seq: number; type: 'resumed'; at: number }
  /** Attempt `attempt` failed with `error`; the next starts at `retryAt` (ms since the epoch) or later. */
  | { seq: number; type: 'retry'; at: number; attempt: number; error: string; retryAt: number }
  | { seq: number; type: 'gap'; at: number; dropped: number };

export interface ReadLogOptions {
  /** Entries after this seq (default 0: from the start of what is kept). */
  after?: number;
  /** At most this many entries (default: all there are). */
  limit?: number;
}

export interface ReadLogResult {
  entries: TaskLogEntry[];
  /** The seq of the last entry returned (`after` if none): pass it as `after` to read on. */
  next: number;
  /** The task is final and every entry up to its final status was read. */
  final: boolean;
}

export interface WatchOptions {
  /** 0 or left out: from the start of what is kept; -N: the last N entries; a seq: the entries after it. */
  from?: number;
  /** Aborting ends the watch: the pending `next()` rejects with the signal's `reason`. */
  signal?: AbortSignal;
}

export interface WatchAllOptions {
  /** Aborting ends it: the pending `next()` rejects with the signal's `reason`. */
  signal?: AbortSignal;
}

export interface LaunchOptions {
  agent: string;
  prompt: string;
  /** Task id; a random UUID v4 when left out. */
  id?: string;
  /** Defaults to the session's id. */
  sessionId?: string;
  /** Kept as the task's `options` and given to the runner. */
  options?: any;
  /** With a durable store: run again after a reload or restart instead of ending `'interrupted'`. */
  resume?: boolean;
  /** Names joined by `'/'` (none empty), counted against `limits.keys` (default: none). A full key never holds back a task whose keys have room. */
  concurrencyKey?: string;
  /** Higher starts first; creation order within a priority. A whole number, default 0. */
  priority?: number;
  /** Launch it under this task (not final): `getTask` shows `parentId` and `children`, and cancelling the parent cancels it. No deeper than `maxDepth`. */
  parentId?: string;
  /** While a live task has this key, `onConflict` says what another launch with it does. */
  idempotencyKey?: string;
  /** `'reject'` (default): `DUPLICATE_ID`; `'join'`: resolves with the live task; `'enqueue'`: runs after it; `'replace'`: cancels it, then runs. */
  onConflict?: 'reject' | 'join' | 'enqueue' | 'replace';
  /** ms without a write, progress report or heartbeat after which the running task is stalled: a `stalled` event and log entry and `stalledSince` (default: the manager's `stallAfter`, else never). Activity clears it (`resumed`). */
  stallAfter?: number;
  /** With `stallAfter`: fail the task once stalled (`true`) or this many ms after it stalled (default: never). */
  failAfterStall?: boolean | number;
  /** Run the task again when its runner throws or rejects (default: one attempt in all). Between attempts it is `'queued'` with its slot free; the log gets a `retry` entry; its `error` is the last attempt's and it is notified once, at the end. */
  retry?: RetryOptions;
  /** The agents of the attempts after the first, in order (the last stays for any later ones). With no `retry`, `attempts` is one more than their number. */
  fallback?: string[];
}

/**
 * `launch({ retry })`. The error a runner throws decides too: `retryable:
 * false` makes it final at once; `retryAfter` (ms, or an HTTP `Retry-After`
 * value: seconds or a date) replaces the backoff's delay.
 */
export interface RetryOptions {
  /** Runs in all, the first included: a whole number from 1 to 64 (default: one more than the `fallback` agents, else 1). */
  attempts?: number;
  backoff?: RetryBackoff;
}

/** The delay before attempt n + 1: `initial · factor^(n-1)` ms up to `max`, less up to `jitter` of it at random. */
export interface RetryBackoff {
  /** ms before the second attempt (default 1000). */
  initial?: number;
  /** The longest delay, in ms (default 30000, or `initial` if larger). */
  max?: number;
  /** From 1 to 1000 (default 2). */
  factor?: number;
  /** From 0 to 1 (default 0.2). */
  jitter?: number;
}

/**
 * What `subscribe` listeners hear, after each change and in order. `status`
 * and `previous` are as of the event; `task` is the task as it is when the
 * event is delivered (later events may already have changed it).
 */
export type TaskEvent =
  | { type: 'created'; taskId: string; status: BackgroundTaskStatus; task?: BackgroundTask }
  | { type: 'status'; taskId: string; status: BackgroundTaskStatus; previous: BackgroundTaskStatus; task?: BackgroundTask }
  | { type: 'output'; taskId: string; chunk: string; cursor: number }
  | { type: 'progress'; taskId: string; progress: TaskProgress }
  | { type: 'stalled'; taskId: string; since: number }
  | { type: 'resumed'; taskId: string }
  | { type: 'removed'; taskId: string };

export interface CreateBackgroundTaskOptions {
  /** Task id; a random UUID v4 when left out. */
  id?: string;
  /** Defaults to the session's id. */
  sessionId?: string;
  /** Kept as the very value given. */
  options: any;
}

export interface BackgroundTask {
  id: string;
  status: BackgroundTaskStatus;
  /** ms since the epoch. */
  createdAt: number;
  /** ms since the epoch; never below createdAt, never decreasing. */
  updatedAt: number;
  options: any;
  sessionId?: string;
  /** Present when completed. */
  result?: any;
  /** Present when failed. */
  error?: string;
  output?: string;
  /** The agent of a launched task. */
  agent?: string;
  /** The prompt of a launched task. */
  prompt?: string;
  /** Present (2, 3, ...) on a task that is on a later attempt: retried (`launch({ retry })`) or run again by a durable store's restart. */
  attempt?: number;
  /** The runner's latest progress report, once it made one. */
  progress?: TaskProgress;
  /** The task it was launched under (`launch({ parentId })`). */
  parentId?: string;
  /** The ids of the tasks launched under it that are still kept, in creation order; present when there are any. */
  children?: string[];
  /** While a running task is stalled (no write, progress or heartbeat for its `stallAfter`): since when, ms since the epoch. */
  stalledSince?: number;
  /** While `'input-required'`: what its runner asks (`ask`), as given. */
  question?: unknown;
}

export interface CancelOptions {
  /** Cancel at once, without a grace period for live work. */
  force?: boolean;
  /**
   * Aborting stops waiting out the grace period (the promise rejects with
   * the signal's `reason`); the task is cancelled all the same. Aborted
   * before the call: nothing is cancelled.
   */
  signal?: AbortSignal;
}

export interface GetBackgroundOutputOptions {
  /** Wait until the task is final. */
  wait?: boolean;
  /** With `wait`: give up after this many ms and answer with `timedOut: true`. */
  timeout?: number;
  /** Only the output written after this cursor (a previous result's `cursor`, or any index into the whole output). */
  since?: number;
  /** With `wait`: wait until every task launched under it (at any depth) is final too. */
  children?: boolean;
  /** With `wait`: aborting rejects with the signal's `reason` and leaves no waiter behind. */
  signal?: AbortSignal;
}

export interface GetBackgroundOutputResult {
  taskId: string;
  status: BackgroundTaskStatus;
  /** `''` when the task has no output; only what came after `since` when given. */
  output: string;
  /** Characters written so far (UTF-16 code units): pass as `since` to read only what is written after this result. `fullOutput.slice(cursor)` is what `since: cursor` returns. */
  cursor: number;
  /** Present when completed. */
  result?: any;
  /** Present when failed. */
  error?: string;
  /** Present (true) when a wait ended by its timeout. */
  timedOut?: boolean;
}

/** What `session.sendMessage` receives once per final transition. */
export interface TaskNotification {
  type: 'task_completion';
  taskId: string;
  status: BackgroundTaskStatus;
  /** ms since the epoch: the task's updatedAt. */
  timestamp: number;
  /** With a store or `notifyRetry`: the same on every retry and after a restart, to drop duplicates by. */
  notificationId?: string;
}

/** What `sendMessage` receives with `notify: { debounce, maxDelay }`. */
export interface TaskNotificationBatch {
  type: 'task_completions';
  notifications: TaskNotification[];
}

/** A notification not delivered yet (`getPendingNotifications`). */
export interface PendingNotification {
  notificationId: string;
  taskId: string;
  sessionId: string;
  status: BackgroundTaskStatus;
  timestamp: number;
  /** Sends that failed since the manager started. */
  attempts: number;
  /** `'parked'`: every attempt failed; kept, and sent again after a restart. */
  state: 'unsaved' | 'ready' | 'sending' | 'waiting' | 'parked';
}

export interface AgentSession {
  id: string;
  getStatus(): Promise<string> | string;
  sendMessage(message: TaskNotification | TaskNotificationBatch): Promise<unknown> | unknown;
}

export interface TabOwner {
  /** The owner tab's id (random, one per manager). */
  tab: string;
  /** Whether this tab is the owner. */
  self: boolean;
}

export interface OwnerEvent {
  type: 'owner';
  owner: string;
  self: boolean;
}

/** The `code` of every error the manager throws or rejects with. */
export type BackgroundManagerErrorCode =
  | 'TASK_NOT_FOUND'
  | 'INVALID_TRANSITION'
  | 'DUPLICATE_ID'
  | 'NOT_INITIALIZED'
  | 'INVALID_ARGUMENT'
  | 'DISPOSED'
  | 'RANDOM_UNAVAILABLE'
  | 'STORE_FAILED'
  | 'NO_OWNER'
  | 'INTERNAL';

export interface BackgroundManagerError extends Error {
  code: BackgroundManagerErrorCode;
}

/**
 * Manages the background tasks of AI agents. Every method but `subscribe`
 * and `free` answers with a Promise and rejects (never throws) with a
 * `BackgroundManagerError`; the constructor throws one synchronously.
 */
export class BackgroundManager {
  constructor(options?: BackgroundManagerOptions);
  /** Stores the session (replacing any previous one) and starts polling; with a `store`, loads it first (once). */
  initialize(session: AgentSession): Promise<void>;
  /** Creates a running task that the caller drives to its end. */
  createTask(options: CreateBackgroundTaskOptions): Promise<BackgroundTask>;
  /** Creates a task and runs it through the runner: at once, or `queued` until the limits let it start. */
  launch(options: LaunchOptions): Promise<BackgroundTask>;
  /** Nothing queued starts until `resume()`; running tasks go on. `cleanup()` resumes. */
  pause(): Promise<void>;
  /** Starts what the limits allow again after `pause()`. */
  resume(): Promise<void>;
  completeTask(taskId: string, result?: unknown): Promise<BackgroundTask>;
  /** Answers the question an `'input-required'` task's runner asks: its `ask` resolves with `answer` and the task is `'running'` again. `INVALID_TRANSITION` if it is not asking. */
  respond(taskId: string, answer: unknown): Promise<BackgroundTask>;
  failTask(taskId: string, error: string | Error): Promise<BackgroundTask>;
  /** Resolves once the task is cancelled; a running runner first gets its grace period unless `force`. */
  cancelTask(taskId: string, options?: CancelOptions): Promise<BackgroundTask>;
  /** Resolves `null` for an unknown id. */
  getTask(taskId: string): Promise<BackgroundTask | null>;
  /** Every task in creation order, or only those in `status`. */
  getAllTasks(status?: BackgroundTaskStatus): Promise<BackgroundTask[]>;
  /** Cancels every queued and running task; resolves with them in creation order once all are cancelled. */
  cancelAllTasks(options?: CancelOptions): Promise<BackgroundTask[]>;
  /** The output now (from `since`), or with `wait` once the task is final or `timeout` ms pass. */
  getOutput(taskId: string, options?: GetBackgroundOutputOptions): Promise<GetBackgroundOutputResult>;
  /** Appends to the output of a task that is not final. */
  appendOutput(taskId: string, chunk: string): Promise<void>;
  /** Calls `listener` with every task event, after the change and in order; returns the unsubscribe function. */
  subscribe(listener: (event: TaskEvent) => void): () => void;
  /** The task's log entries after `after` (one `gap` where the cap cut the reader's place). */
  readLog(taskId: string, options?: ReadLogOptions): Promise<ReadLogResult>;
  /**
   * The task's log entries as they happen, ending after its final status
   * entry; `break`, `return()` or the signal stop it and free what it held.
   * Throws `TASK_NOT_FOUND` or `INVALID_ARGUMENT` synchronously.
   */
  watch(taskId: string, options?: WatchOptions): AsyncIterableIterator<TaskLogEntry>;
  /** What `subscribe` hears, as an async iterable; `break`, `return()`, the signal or `free()` end it. */
  watchAll(options?: WatchAllOptions): AsyncIterableIterator<TaskEvent>;
  /** Stops the timers and every runner, rejects pending waits with `DISPOSED`, forgets every task. */
  cleanup(): Promise<void>;
  /** Calls an agent in the foreground; with `options.background === true` launches a task and resolves `{ status, taskId }`. */
  callAgent(agent: string, prompt: string, options?: any): Promise<any>;
  /** The notifications not delivered yet, in the order they were made (for a UI badge). */
  getPendingNotifications(): Promise<PendingNotification[]>;
  /** With `shared`: the tab that owns the manager (`self` when it is this one); null while none is known, and without `shared`. */
  getOwner(): TabOwner | null;
  /** With `shared`: calls `listener` whenever the owner tab changes. Returns the function that stops it. */
  onOwner(listener: (event: OwnerEvent) => void): () => void;
  /** `cleanup()`, after which every call rejects `DISPOSED`. */
  free(): void;
  [Symbol.dispose](): void;
}
