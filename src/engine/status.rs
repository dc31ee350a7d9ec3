/// Where a task is in its lifecycle. `Queued` (launched, waiting for a
/// slot) and `Running` are live; the others are final. `Interrupted` is
/// what a durable store's launched task becomes when the page or process
/// that ran it ended while it was live (see `restore.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Queued,
    Running,
    Completed,
    Error,
    Cancelled,
    Interrupted,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Queued,
        Status::Running,
        Status::Completed,
        Status::Error,
        Status::Cancelled,
        Status::Interrupted,
    ];

    /// The string JS sees (`BackgroundTaskStatus`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Completed => "completed",
            Status::Error => "error",
            Status::Cancelled => "cancelled",
            Status::Interrupted => "interrupted",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Some(match s {
            "queued" => Status::Queued,
            "running" => Status::Running,
            "completed" => Status::Completed,
            "error" => Status::Error,
            "cancelled" => Status::Cancelled,
            "interrupted" => Status::Interrupted,
            _ => return None,
        })
    }

    pub fn is_final(self) -> bool {
        !matches!(self, Status::Queued | Status::Running)
    }

    /// Dense index, for per-status tables; also the number hosts pass
    /// for a status (`Status::ALL[code]`).
    pub fn index(self) -> usize {
        self as usize
    }
}
