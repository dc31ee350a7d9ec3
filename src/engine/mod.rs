//! The task manager as plain Rust: tasks, transitions, indexes, deadlines,
//! waiters, scheduling and polling decisions, generic over the host's value
//! types and driven by an injected clock. Nothing here knows about JS; the
//! host keeps its values in a `Store` that only the engine writes.

mod asks;
mod check;
mod config;
mod deadlines;
mod dispose;
mod effects;
#[allow(clippy::module_inception)]
mod engine;
mod error;
mod extras;
mod family;
pub mod forward;
mod host;
mod idempotency;
mod ids;
#[cfg(feature = "durable")]
mod inbox;
#[cfg(feature = "durable")]
mod journal;
mod lanes;
pub mod lease;
mod lifecycle;
mod log;
mod logging;
pub mod maps;
pub mod mem;
pub mod mem_log;
mod names;
#[cfg(not(feature = "durable"))]
mod no_store;
mod output;
mod poll;
mod prelude;
mod queueing;
#[cfg(feature = "durable")]
mod restore;
mod retries;
mod runs;
mod seqset;
mod session;
mod stalls;
mod status;
mod table;
mod task;
mod time;
mod waiters;
mod waits;

pub use asks::Reply;
pub use config::{Batch, Config, InboxConfig};
pub use deadlines::Deadline;
pub use effects::{Answer, Effect, Event, Sent};
pub use engine::Engine;
pub use error::{EngineError, ErrorKind};
pub use host::{Ending, Host, NewTask, Store};
pub use idempotency::OnConflict;
pub use ids::{format_uuid, uuid_v4};
#[cfg(feature = "durable")]
pub use inbox::{Notice, NoticeState};
#[cfg(feature = "durable")]
pub use journal::Changes;
pub use lifecycle::SessionArg;
pub use log::{Log, LogCut, LogKind, Stream, ENTRY_COST, LOG_RESERVE};
pub use output::{Cut, Output, CUT_NOTICE};
pub use poll::{PollToken, BACKOFF_CAP, HIDDEN_FACTOR};
pub use queueing::Queueing;
#[cfg(feature = "durable")]
pub use restore::{Restored, RestoredNotice, StoredLog};
pub use retries::{RetryHint, RetryRule};
pub use runs::Cancel;
pub use stalls::StallRule;
pub use status::Status;
pub use task::{Outcome, Run, Task, TaskRef};
pub use waiters::Want;
pub use waits::Wait;
