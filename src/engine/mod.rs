//! The task manager as plain Rust: tasks, transitions, indexes, deadlines,
//! waiters and polling decisions, generic over the host's value types and
//! driven by an injected clock. Nothing here knows about JS.

mod deadlines;
mod effects;
#[allow(clippy::module_inception)]
mod engine;
mod error;
pub(crate) mod fxhash;
mod ids;
mod output;
mod poll;
mod runs;
mod seqset;
mod status;
mod table;
mod task;
pub(crate) mod text;
mod waiters;

pub use deadlines::Deadline;
pub use effects::{Effect, Event};
pub use engine::{Config, Engine, Host, Wait};
pub use error::{EngineError, ErrorKind};
pub use ids::{format_uuid, uuid_v4, IdGen, IdKey, TaskId};
pub use output::{Output, TaskOutput};
pub use poll::PollToken;
pub use runs::Cancel;
pub use status::Status;
pub use task::{Launch, Outcome, Run, Task, TaskRef};
pub use text::SharedStr;
