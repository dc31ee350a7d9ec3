/// Where a task is in its lifecycle. Everything but `Running` is final.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Running,
    Completed,
    Error,
    Cancelled,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Running,
        Status::Completed,
        Status::Error,
        Status::Cancelled,
    ];

    /// The string JS sees (`BackgroundTaskStatus`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Completed => "completed",
            Status::Error => "error",
            Status::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    pub fn is_final(self) -> bool {
        self != Status::Running
    }

    /// Dense index, for per-status tables.
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}
