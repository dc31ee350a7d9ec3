use alloc::rc::Rc;

use super::text::SharedStr;
use super::{Host, Status, Task, TaskId};

/// Something the host must do after the engine's state is committed and no
/// longer borrowed: the engine queues these, the host drains them in order.
pub enum Effect<H: Host> {
    /// `session.sendMessage({ type: 'task_completion', taskId, status, timestamp })`,
    /// to the session that was current when the transition happened.
    Notify {
        session: H::Session,
        seq: u64,
        task_id: TaskId,
        status: Status,
        timestamp: u64,
    },
    /// Resolve a `getOutput({ wait: true })` with this snapshot.
    Wake {
        waiter: H::Waiter,
        task: Rc<Task<H::Payload>>,
        timed_out: bool,
    },
    /// Reject a waiter because the manager was cleaned up.
    Dispose { waiter: H::Waiter, task_id: TaskId },
    /// Call the runner for a launched task that got its slot.
    Start {
        seq: u64,
        task_id: TaskId,
        agent: Rc<str>,
        prompt: Rc<str>,
        session_id: SharedStr,
        options: H::Payload,
    },
    /// Abort the runner's signal.
    Abort { seq: u64 },
    /// The task is final: its runner's writes and outcome no longer count.
    Close { seq: u64 },
    /// Tell the listeners, when there are any; `seq` is the task's.
    Event { seq: u64, event: Event },
}

/// What listeners hear, in the order it happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// With the status it was created in (`queued` or `running`).
    Created {
        task_id: TaskId,
        status: Status,
    },
    Status {
        task_id: TaskId,
        status: Status,
        previous: Status,
    },
    Output {
        task_id: TaskId,
        chunk: Rc<str>,
        cursor: u64,
    },
    Removed {
        task_id: TaskId,
    },
}
