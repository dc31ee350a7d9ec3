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

/// While the page is hidden, polls are this many times further apart.
pub const HIDDEN_FACTOR: u64 = 4;

/// The longest gap that failing polls back off to (or the gap without
/// failures, if that is longer).
pub const BACKOFF_CAP: u64 = 60_000;

/// At most one poll in flight; one pending for a whole interval is
/// abandoned. Polls that fail (no answer, or abandoned) back off: after `k`
/// failures in a row the next begins `interval × 2^k` after the last one
/// began, up to `BACKOFF_CAP`; one answer brings back `interval`.
#[derive(Default)]
pub struct Poll {
    in_flight: Option<(PollToken, u64)>,
    next: u64,
    /// Polls that failed in a row.
    failures: u32,
    /// When the last poll began.
    last: Option<u64>,
}

impl Poll {
    /// Decides whether a tick at `now` starts a poll: `None` while the
    /// previous poll is younger than `interval`, or while the gap since the
    /// last poll began (`interval`, times `HIDDEN_FACTOR` while `hidden`,
    /// doubled per failure) has not passed. Ticks come every `interval`, so
    /// half of one is allowed as slack for a tick that comes a little early.
    pub fn begin(&mut self, now: u64, interval: u64, hidden: bool) -> Option<PollToken> {
        if let Some((_, started)) = self.in_flight {
            if now < started.saturating_add(interval) {
                return None;
            }
            // Pending for a whole interval: a hang is a failure too.
            self.in_flight = None;
            self.failed();
        }
        if let Some(last) = self.last {
            let due = last
                .saturating_add(self.gap(interval, hidden))
                .saturating_sub(interval / 2);
            if now < due {
                return None;
            }
        }
        let token = PollToken(self.next);
        self.next += 1;
        self.in_flight = Some((token, now));
        self.last = Some(now);
        Some(token)
    }

    /// The gap between the starts of two polls.
    fn gap(&self, interval: u64, hidden: bool) -> u64 {
        let base = if hidden {
            interval.saturating_mul(HIDDEN_FACTOR)
        } else {
            interval
        };
        let doubled = 1u64
            .checked_shl(self.failures)
            .map_or(u64::MAX, |k| base.saturating_mul(k));
        doubled.min(BACKOFF_CAP.max(base))
    }

    /// True if `token` is the poll in flight; it is no longer in flight
    /// after. `answered`: whether it brought a status (else it failed).
    pub fn finish(&mut self, token: PollToken, answered: bool) -> bool {
        match self.in_flight {
            Some((current, _)) if current == token => {
                self.in_flight = None;
                if answered {
                    self.failures = 0;
                } else {
                    self.failed();
                }
                true
            }
            _ => false,
        }
    }

    fn failed(&mut self) {
        self.failures = self.failures.saturating_add(1);
    }

    /// Polls that failed in a row.
    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Forgets the poll in flight: its answer will be ignored.
    pub fn abandon(&mut self) {
        self.in_flight = None;
    }

    /// A new session: forgets the poll in flight and the failures of the
    /// session before.
    pub fn reset(&mut self) {
        self.in_flight = None;
        self.failures = 0;
        self.last = None;
    }

    pub fn in_flight(&self) -> bool {
        self.in_flight.is_some()
    }
}
