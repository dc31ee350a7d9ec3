//! The task manager as plain Rust: tasks, transitions, indexes, deadlines,
//! waiters and polling decisions, generic over the host's value types and
//! driven by an injected clock. Nothing here knows about JS.

mod deadlines;
mod effects;
#[allow(clippy::module_inception)]
mod engine;
mod error;
mod ids;
mod poll;
mod simulated;
mod status;
mod table;
mod task;
mod waiters;

pub use deadlines::Deadline;
pub use effects::Effect;
pub use engine::{Config, Engine, Host, Wait};
pub use error::{EngineError, ErrorKind};
pub use ids::{uuid_v4, IdGen};
pub use poll::PollToken;
pub use simulated::simulated_reply;
pub use status::Status;
pub use task::Task;
