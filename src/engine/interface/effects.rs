use crate::engine::{Ending, Host, Status};

/// Something the host must do once the engine's state is committed and no
/// longer borrowed: the engine queues these, the host carries them out in
/// order. Effects that call user code are all here; what only updates the
/// host's own records went to the store already.
pub enum Effect<H: Host> {
    /// `session.sendMessage({ type: 'task_completion', taskId, status, timestamp })`,
    /// to the session that was current when the transition happened.
    Notify {
        session: H::Session,
        id: H::Id,
        status: Status,
        timestamp: u64,
    },
    /// Settle a waiter with this answer (made when it was due).
    Wake {
        waiter: H::Waiter,
        answer: Answer<H>,
    },
    /// Reject a waiter because the manager was cleaned up.
    Dispose { waiter: H::Waiter, id: H::Id },
    /// Call the runner of launched task `seq`, which got its slot. Its values
    /// are in the store; when this is carried out the task may already have
    /// ended (a callback before it cancelled it): then the runner must not
    /// be called.
    Start { seq: u64 },
    /// Abort the runner's signal.
    Abort { seq: u64 },
    /// The task is final: its runner's writes and outcome no longer count.
    Close { seq: u64 },
    /// Send these notifications from the inbox (`inbox.rs`) to `session`:
    /// one message each, or with `batch` one message with all of them;
    /// then report how it went with `Engine::notice_settled(send, ..)`.
    #[cfg(feature = "durable")]
    Deliver {
        session: H::Session,
        send: u64,
        batch: bool,
        notices: alloc::vec::Vec<Sent<H>>,
    },
    /// Settle the question that the runner of task `seq` asks (`asks.rs`).
    Reply {
        seq: u64,
        reply: crate::engine::Reply<H>,
    },
    /// Tell the listeners, when there are any; `seq` is the task's.
    Event { seq: u64, event: Event<H> },
}

/// What a waiter is answered with, made at the moment it was due, so that
/// anything delivered before it (a callback that cleans up) cannot change it.
pub enum Answer<H: Host> {
    /// `getOutput`'s result.
    Output {
        status: Status,
        /// The output after the waiter's `since` (all of it without).
        output: H::Text,
        cursor: u64,
        ending: Ending<H>,
        timed_out: bool,
    },
    /// The task (a `cancelTask` that waited out a grace period).
    Task(H::Snapshot),
}

/// What listeners hear, in the order it happened.
pub enum Event<H: Host> {
    /// With the status it was created in (`queued` or `running`).
    Created {
        id: H::Id,
        status: Status,
    },
    Status {
        id: H::Id,
        status: Status,
        previous: Status,
    },
    Output {
        id: H::Id,
        chunk: H::Text,
        cursor: u64,
    },
    Removed {
        id: H::Id,
    },
    /// A runner's progress report, as the host made it.
    Progress {
        id: H::Id,
        progress: H::Payload,
    },
    /// The task stalled at `since`, or (`None`) resumed.
    Stalled {
        id: H::Id,
        since: Option<u64>,
    },
}

/// One notification as a send carries it.
pub struct Sent<H: Host> {
    pub id: H::Id,
    pub task: H::Id,
    pub status: Status,
    pub timestamp: u64,
}
