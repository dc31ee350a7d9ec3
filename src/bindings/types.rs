//! The TypeScript declarations of the seed's types, written once; the
//! exported methods name them through `unchecked_param_type` and
//! `unchecked_return_type`.

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Where a task is in its lifecycle; every status but `'running'` is final. */
export type BackgroundTaskStatus = 'running' | 'completed' | 'error' | 'cancelled';

export interface BackgroundManagerOptions {
  /** Polling interval in ms (default 2000). */
  pollInterval?: number;
  /** Task time-to-live in ms (default 1800000 = 30 min). */
  taskTTL?: number;
}

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
}

export interface CancelOptions {
  /** Cancel at once, without a grace period for live work. */
  force?: boolean;
}

export interface GetBackgroundOutputOptions {
  /** Wait until the task is final. */
  wait?: boolean;
  /** With `wait`: give up after this many ms and answer with `timedOut: true`. */
  timeout?: number;
}

export interface GetBackgroundOutputResult {
  taskId: string;
  status: BackgroundTaskStatus;
  /** `''` when the task has no output. */
  output: string;
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
}

export interface AgentSession {
  id: string;
  getStatus(): Promise<string> | string;
  sendMessage(message: TaskNotification): Promise<unknown> | unknown;
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
  | 'INTERNAL';

export interface BackgroundManagerError extends Error {
  code: BackgroundManagerErrorCode;
}
"#;
