//! `cleanup()`: the engine forgets everything but its counters.
use crate::engine::prelude::*;
use crate::engine::seam::InboxHooks;
use crate::engine::{Effect, Engine, Event, Host, Run, Status, Store};

impl<H: Host> Engine<H> {
    /// Stops every runner, rejects every waiter, forgets the tasks, the
    /// deadlines and the session. Effects already queued are still
    /// delivered.
    pub fn dispose(&mut self) {
        let seqs: Vec<u64> = self.table.iter().map(|t| t.seq()).collect();
        for seq in seqs {
            let Some(run) = self.table.get(seq).map(|t| t.run) else {
                continue;
            };
            if run == Run::Live {
                // Every question gets its one reply, cleanup's too.
                if self
                    .table
                    .get(seq)
                    .is_some_and(|t| t.status == Status::InputRequired)
                {
                    self.outbox.push_back(Effect::Reply {
                        seq,
                        reply: crate::engine::Reply::Aborted,
                    });
                }
                self.outbox.push_back(Effect::Abort { seq });
            }
            if run.holds_slot() {
                self.outbox.push_back(Effect::Close { seq });
            }
            let waiters = self.waiters.take_where(seq, &|_| true);
            if let Some(id) = self.store.id(seq) {
                for w in waiters {
                    self.outbox.push_back(Effect::Dispose {
                        waiter: w.handle,
                        id: id.clone(),
                    });
                }
            }
            self.event(seq, |id| Event::Removed { id });
        }
        self.table.clear();
        self.store.clear();
        self.time.clear();
        self.session.clear();
        self.queue.clear();
        self.inbox_clear();
    }
}
