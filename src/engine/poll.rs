/// Identifies one `session.getStatus()` call; an answer whose token is no
/// longer current (abandoned, re-initialized, cleaned up) is ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollToken(u64);

impl PollToken {
    /// The token as a number, for a host that passes it through a boundary
    /// (the component's `poll.token`); any number may come back, and only
    /// the current poll's counts.
    pub fn number(self) -> u64 {
        self.0
    }

    pub fn from_number(n: u64) -> Self {
        PollToken(n)
    }
}

/// At most one poll in flight; one pending for a whole interval is abandoned.
#[derive(Default)]
pub struct Poll {
    in_flight: Option<(PollToken, u64)>,
    next: u64,
}

impl Poll {
    /// Decides whether a tick at `now` starts a poll. `None` while the
    /// previous poll is younger than `interval`.
    pub fn begin(&mut self, now: u64, interval: u64) -> Option<PollToken> {
        if let Some((_, started)) = self.in_flight {
            if now < started.saturating_add(interval) {
                return None;
            }
        }
        let token = PollToken(self.next);
        self.next += 1;
        self.in_flight = Some((token, now));
        Some(token)
    }

    /// True if `token` is the poll in flight; it is no longer in flight after.
    pub fn finish(&mut self, token: PollToken) -> bool {
        match self.in_flight {
            Some((current, _)) if current == token => {
                self.in_flight = None;
                true
            }
            _ => false,
        }
    }

    /// Forgets the poll in flight: its answer will be ignored.
    pub fn abandon(&mut self) {
        self.in_flight = None;
    }

    pub fn in_flight(&self) -> bool {
        self.in_flight.is_some()
    }
}
