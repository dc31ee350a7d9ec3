//! The agent session: who notifications go to, and polling its status.
use crate::engine::prelude::*;
use crate::engine::seam::InboxHooks;
use crate::engine::session::poll::PollToken;
use crate::engine::session::Session;
use crate::engine::{Ending, Engine, Host, Status, Store};

impl<H: Host> Engine<H> {
    /// Stores (or replaces) the session, whose id is `session_id` (as Rust
    /// text to compare, and as host text to keep). A poll of a previous
    /// session still in flight is abandoned: its answer is about another
    /// session.
    pub fn initialize(
        &mut self,
        session: H::Session,
        session_id: &str,
        session_text: H::Text,
        wall: u64,
    ) {
        self.advance(wall);
        let handle = session.clone();
        let (index, new) = self.session.names.acquire(session_id);
        if new {
            self.store.set_session(index, Some(session_text));
        }
        let previous = self.session.current.replace(Session {
            handle: session,
            index,
        });
        if let Some(previous) = previous {
            if self.session.names.release(previous.index) {
                self.store.set_session(previous.index, None);
            }
        }
        self.session.poll.reset();
        self.inbox_attach(index, handle, self.time.now());
    }

    pub fn is_initialized(&self) -> bool {
        self.session.current.is_some()
    }

    /// Whether the host's polling timer should run: a poll only asks about
    /// running tasks, so with none running (or no session) the timer would
    /// only wait, and would keep a Deno or Node process alive for nothing.
    pub fn wants_polling(&self) -> bool {
        self.session.current.is_some() && self.running() > 0
    }

    /// Tasks running, asking ones included.
    pub(in crate::engine) fn running(&self) -> usize {
        self.table.count(Status::Running) + self.table.count(Status::InputRequired)
    }

    /// The current session's interned id.
    pub fn session_index(&self) -> Option<u32> {
        self.session.current.as_ref().map(|s| s.index)
    }

    /// A polling tick of a visible page: returns the session to ask for its
    /// status, or `None` when nothing runs, a younger poll is still pending,
    /// or failed polls are backing off (see `Poll`).
    pub fn begin_poll(&mut self, wall: u64) -> Option<(PollToken, H::Session)> {
        self.begin_poll_while(wall, false)
    }

    /// A polling tick; `hidden`: the page is hidden, so polls are
    /// `HIDDEN_FACTOR` times further apart. A host calls it on every wake
    /// (a page becoming visible catches up at once if a poll is due).
    pub fn begin_poll_while(&mut self, wall: u64, hidden: bool) -> Option<(PollToken, H::Session)> {
        let now = self.advance(wall);
        let session = self.session.current.as_ref()?;
        if self.running() == 0 {
            return None;
        }
        let token = self
            .session
            .poll
            .begin(now, self.config.poll_interval, hidden)?;
        Some((token, session.handle.clone()))
    }

    /// Polls that failed in a row (threw, rejected, answered no string, or
    /// hung for a whole interval); polling backs off while it is not 0.
    pub fn poll_failures(&self) -> u32 {
        self.session.poll.failures()
    }

    /// The answer to a poll: `None` when `getStatus` threw or rejected or gave
    /// something that is not a string. Only the current poll's answer counts.
    pub fn finish_poll(&mut self, token: PollToken, status: Option<&str>, wall: u64) {
        let now = self.advance(wall);
        if !self.session.poll.finish(token, status.is_some()) {
            return;
        }
        let target = match status {
            Some("completed") => Status::Completed,
            Some("error") => Status::Error,
            Some("cancelled") => Status::Cancelled,
            _ => return,
        };
        let Some(index) = self.session_index() else {
            return;
        };
        let seqs: Vec<u64> = self
            .table
            .iter_status(Status::Running)
            .chain(self.table.iter_status(Status::InputRequired))
            .filter(|t| t.session == index)
            .map(|t| t.seq())
            .collect();
        if seqs.is_empty() {
            return;
        }
        let message = (target == Status::Error).then(|| self.store.text("Session error"));
        for seq in seqs {
            let ending = match &message {
                Some(message) => Ending::Error(message.clone()),
                None => Ending::None,
            };
            self.finish(seq, target, ending, true, now);
        }
        self.schedule(now);
    }

    /// Whether the poll last begun is still pending.
    pub fn poll_in_flight(&self) -> bool {
        self.session.poll.in_flight()
    }

    /// Forgets the poll in flight (its answer will be ignored): for a host
    /// that gives up on it.
    pub fn abandon_poll(&mut self) {
        self.session.poll.abandon();
    }
}
