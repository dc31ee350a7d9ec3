//! The task manager as plain Rust: tasks, transitions, indexes, deadlines,
//! waiters, scheduling and polling decisions, generic over the host's value
//! types and driven by an injected clock. Nothing here knows about JS; the
//! host keeps its values in a `Store` that only the engine writes.
//!
//! One folder per concern (see README.md beside this file): `interface`
//! (what the host sees), `tasks`, `queue`, `time`, `session`, `logs`,
//! `durable`, `sharing`, and `memstore` (the store of the component and the
//! tests). `Engine` (engine.rs) is composed of their state.

mod check;
#[cfg(feature = "durable")]
mod durable;
#[allow(clippy::module_inception)]
mod engine;
mod interface;
mod logs;
pub mod maps;
pub mod memstore;
mod prelude;
mod queue;
mod seam;
mod session;
pub mod sharing;
mod tasks;
mod time;

#[cfg(feature = "durable")]
pub use durable::{Changes, Notice, NoticeState, Restored, RestoredNotice, StoredLog};
pub use engine::Engine;
pub use interface::config::{Batch, Config, DurableConfig, InboxConfig};
pub use interface::effects::{Answer, Effect, Event, Sent};
pub use interface::error::{EngineError, ErrorKind};
pub use interface::host::{Ending, Host, NewTask, Store};
pub use interface::rules::{RetryHint, RetryRule, StallRule};
pub use logs::log::{Log, LogCut, LogKind, Stream, ENTRY_COST, LOG_RESERVE};
pub use logs::output::{Cut, Output, CUT_NOTICE};
pub use queue::asks::Reply;
pub use queue::idempotency::OnConflict;
pub use queue::queueing::Queueing;
pub use queue::runs::Cancel;
pub use session::poll::{PollToken, BACKOFF_CAP, HIDDEN_FACTOR};
pub use tasks::ids::{format_uuid, uuid_v4};
pub use tasks::lifecycle::SessionArg;
pub use tasks::status::Status;
pub use tasks::task::{Outcome, Run, Task, TaskRef};
pub use time::deadlines::Deadline;
pub use time::wait_for_final::Wait;
pub use time::waiters::Want;
