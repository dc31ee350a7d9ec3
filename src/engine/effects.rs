use std::rc::Rc;

use super::{Host, Status, Task};

/// Something the host must do after the engine's state is committed and no
/// longer borrowed: the engine queues these, the host drains them in order.
pub enum Effect<H: Host> {
    /// `session.sendMessage({ type: 'task_completion', taskId, status, timestamp })`,
    /// to the session that was current when the transition happened.
    Notify {
        session: H::Session,
        task_id: Rc<str>,
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
    Dispose { waiter: H::Waiter, task_id: Rc<str> },
}
