//! Who owns a manager shared by processes on one store: a lease in the
//! store that the owner renews, decided here and carried out by the host
//! (the KV reads and compare-and-set writes, the timers).
//!
//! The rule needs no agreement between clocks, only that they run at about
//! the same rate. A process never reads another's time: it notes when *it*
//! first saw the lease record's version, and takes the lease only once that
//! version has stood unchanged for a whole term plus a margin of its own
//! time, with a compare-and-set on that version. The owner, for its part,
//! counts its term from the moment it *sent* its last successful write, and
//! stops acting a margin before the term ends. Since the write lands after
//! it was sent and is seen after it lands, the owner has stopped before any
//! other process may take over. A renewal that fails its check (someone
//! else took the lease) ends ownership at once; one that cannot reach the
//! store keeps trying until the term runs out.

use crate::engine::prelude::*;

/// What the host does after reading the lease record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LeaseStep {
    /// Nothing now: read again at this time.
    Wait(u64),
    /// Write the lease for this process, checking the version read.
    Take,
    /// Write the lease again (this process holds it), checking its version.
    Renew,
}

#[derive(Clone, Debug)]
pub struct Lease {
    term: u64,
    /// The version read last and when it was first seen with that value.
    seen: Option<(String, u64)>,
    /// When this process sent the last write that held the lease.
    held_from: Option<u64>,
}

impl Lease {
    /// A lease of `term` ms (at least 30: the margin and the renewal need room).
    pub fn new(term: u64) -> Self {
        Lease {
            term: term.max(30),
            seen: None,
            held_from: None,
        }
    }

    pub fn term(&self) -> u64 {
        self.term
    }

    /// The slack on both sides of the term: a tenth of it.
    fn margin(&self) -> u64 {
        self.term / 10
    }

    /// How often the owner renews: three times a term, so that two renewals
    /// may fail before it must stop.
    fn every(&self) -> u64 {
        self.term / 3
    }

    /// The record read at `now`: its version (None: there is none) and
    /// whether this process wrote it.
    pub fn read(&mut self, now: u64, version: Option<&str>, mine: bool) -> LeaseStep {
        if mine {
            if let Some(from) = self.held_from {
                let at = from + self.every();
                return if now >= at {
                    LeaseStep::Renew
                } else {
                    LeaseStep::Wait(at)
                };
            }
            // A record of this process's that it no longer counts as held
            // (its renewal's answer was lost): it stands like anyone's.
        }
        let Some(version) = version else {
            return LeaseStep::Take;
        };
        let first = match &self.seen {
            Some((v, at)) if v == version => *at,
            _ => {
                self.seen = Some((version.to_string(), now));
                now
            }
        };
        let free = first + self.term + self.margin();
        if now >= free {
            LeaseStep::Take
        } else {
            // Read again within a renewal period, so that the version is first
            // seen soon after it was written and a dead owner's term is
            // counted from close to its end.
            LeaseStep::Wait(free.min(now + self.every()))
        }
    }

    /// The write of a Take sent at `sent` came back: `ok` if its check
    /// passed (this process holds the lease from `sent`).
    pub fn took(&mut self, sent: u64, ok: bool) {
        self.seen = None;
        self.held_from = ok.then_some(sent);
    }

    /// The write of a Renew sent at `sent` came back. A failed check means
    /// another process holds the lease. An answer after this process let
    /// the lease go changes nothing: it acts again only after a Take.
    pub fn renewed(&mut self, sent: u64, ok: bool) {
        let Some(from) = self.held_from else { return };
        self.held_from = ok.then_some(from.max(sent));
    }

    /// This process lets the lease go (it left, or its write was refused).
    pub fn drop_held(&mut self) {
        self.held_from = None;
        self.seen = None;
    }

    /// Whether this process may act as the owner at `now`.
    pub fn acting(&self, now: u64) -> bool {
        self.until().is_some_and(|until| now < until)
    }

    /// When this process must stop acting unless a renewal succeeds first.
    pub fn until(&self) -> Option<u64> {
        self.held_from.map(|from| from + self.term - self.margin())
    }
}
