/// Where a task is in its lifecycle. `Queued` (launched, waiting for a
/// slot), `Running` and `InputRequired` (running, its runner waiting for
/// the answer to its question: `asks.rs`) are live; the others are final.
/// Live statuses come first, so `index() >= Completed.index()` is final. `Interrupted` is
/// what a durable store's launched task becomes when the page or process
/// that ran it ended while it was live (see `restore.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Queued,
    Running,
    InputRequired,
    Completed,
    Error,
    Cancelled,
    Interrupted,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Status::Queued,
        Status::Running,
        Status::InputRequired,
        Status::Completed,
        Status::Error,
        Status::Cancelled,
        Status::Interrupted,
    ];

    /// The live statuses.
    pub const LIVE: [Status; 3] = [Status::Queued, Status::Running, Status::InputRequired];

    /// The string JS sees (`BackgroundTaskStatus`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::InputRequired => "input-required",
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
            "input-required" => Status::InputRequired,
            "completed" => Status::Completed,
            "error" => Status::Error,
            "cancelled" => Status::Cancelled,
            "interrupted" => Status::Interrupted,
            _ => return None,
        })
    }

    pub fn is_final(self) -> bool {
        !Status::LIVE.contains(&self)
    }

    /// Dense index, for per-status tables; also the number hosts pass
    /// for a status (`Status::ALL[code]`).
    pub fn index(self) -> usize {
        self as usize
    }
}
