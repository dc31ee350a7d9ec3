//! Parents and children: `launch({ parentId })`, the depth limit, a cancel
//! that reaches every descendant (also one launched while it is under way),
//! and the count of live descendants that `getOutput({ wait, children })`
//! waits on.
use crate::engine::prelude::*;
use crate::engine::{Effect, Engine, EngineError, Host, Run, Store};

impl<H: Host> Engine<H> {
    /// Checks that task `parent` may have a child: it is held and not
    /// final, and the child is no deeper than `maxDepth`. Returns the
    /// child's depth.
    pub(in crate::engine) fn child_depth(&self, parent: u64) -> Result<u8, EngineError> {
        let Some(task) = self.table.get(parent) else {
            return Err(EngineError::not_found(&self.describe(parent)));
        };
        if task.is_final() {
            return Err(EngineError::invalid_transition(
                "launch a child of",
                &self.describe(parent),
                task.status,
            ));
        }
        let depth = self
            .table
            .extra(parent)
            .map_or(0, |x| x.depth)
            .saturating_add(1);
        if depth > self.config.max_depth {
            return Err(EngineError::invalid(format!(
                "parentId: a child of {} would be {} levels deep; maxDepth is {}",
                self.describe(parent),
                u32::from(depth),
                u32::from(self.config.max_depth)
            )));
        }
        Ok(depth)
    }

    /// Files task `seq` as a child of `parent` at `depth`: every ancestor
    /// has one more live descendant. A child of a task being cancelled is
    /// cancelled with it, at once.
    pub(in crate::engine) fn adopt(&mut self, parent: u64, seq: u64, depth: u8, now: u64) {
        if let Some(child) = self.table.make_extra(seq) {
            child.parent = Some(parent);
            child.depth = depth;
        }
        if let Some(p) = self.table.make_extra(parent) {
            p.children.push(seq);
        }
        self.store.adopt(parent, seq);
        let mut up = Some(parent);
        let mut cancelling = false;
        while let Some(a) = up {
            cancelling |= self.table.get(a).is_some_and(|t| t.run == Run::Cancelling);
            up = self.table.make_extra(a).and_then(|x| {
                x.live_descendants += 1;
                x.parent
            });
        }
        if cancelling {
            self.cancel_tree(seq, false, now);
        }
    }

    /// Cancels task `seq` and every live descendant, the deepest first; true
    /// if its own runner was given a grace period.
    pub(in crate::engine) fn cancel_tree(&mut self, seq: u64, force: bool, now: u64) -> bool {
        self.cancel_children(seq, force, now);
        self.cancel_seq(seq, force, now)
    }

    /// Cancels the live children of task `seq` and theirs. Also when a task
    /// ended cancelled however it did (a cancel, `cancelAllTasks`, its
    /// session's status), with the grace period for their runners.
    pub(in crate::engine) fn cancel_children(&mut self, seq: u64, force: bool, now: u64) {
        let children = match self.table.extra(seq) {
            Some(x) if x.live_descendants > 0 => x.children.clone(),
            _ => return,
        };
        for child in children {
            if self.table.get(child).is_some_and(|t| !t.is_final()) {
                self.cancel_tree(child, force, now);
            }
        }
    }

    /// Task `seq` became final: each ancestor has one live descendant
    /// fewer, and one that is final with none left wakes the waits for its
    /// whole tree.
    pub(in crate::engine) fn leave_tree(&mut self, seq: u64) {
        let mut up = self.table.extra(seq).and_then(|x| x.parent);
        while let Some(a) = up {
            let Some(x) = self.table.extra_mut(a) else {
                break;
            };
            x.live_descendants = x.live_descendants.saturating_sub(1);
            let (left, next, linger) = (x.live_descendants, x.parent, x.linger);
            if left == 0 && self.table.get(a).is_some_and(|t| t.is_final()) {
                self.wake_where(a, &|_| true);
                if linger {
                    self.evict(a);
                }
            }
            up = next;
        }
    }

    /// Wakes the waiters of task `seq` that `which` picks, with their
    /// answers now.
    pub(in crate::engine) fn wake_where(
        &mut self,
        seq: u64,
        which: &dyn Fn(&crate::engine::time::waiters::Waiter<H::Waiter>) -> bool,
    ) {
        for w in self.waiters.take_where(seq, which) {
            if let Some(answer) = self.answer(seq, w.want, false) {
                self.outbox.push_back(Effect::Wake {
                    waiter: w.handle,
                    answer,
                });
            }
        }
    }

    /// Whether task `seq` and all its descendants are final.
    pub(in crate::engine) fn tree_final(&self, seq: u64) -> bool {
        self.table.get(seq).is_some_and(|t| t.is_final())
            && self
                .table
                .extra(seq)
                .is_none_or(|x| x.live_descendants == 0)
    }

    /// Task `seq`, with extras `x`, left the table: its parent forgets it,
    /// its children keep its id as their `parentId` (the store has it) but
    /// no longer count towards it.
    pub(in crate::engine) fn forget_extra(
        &mut self,
        seq: u64,
        x: &crate::engine::tasks::extras::Extra,
    ) {
        if let Some(parent) = x.parent {
            if let Some(p) = self.table.extra_mut(parent) {
                if let Some(at) = p.children.iter().position(|&c| c == seq) {
                    p.children.remove(at);
                }
            }
        }
        for &child in &x.children {
            if let Some(c) = self.table.extra_mut(child) {
                c.parent = None;
            }
        }
        self.forget_key(seq, x.key);
    }

    /// The parent of task `seq` and its children still in the table.
    pub fn family(&self, seq: u64) -> (Option<u64>, &[u64]) {
        match self.table.extra(seq) {
            Some(x) => (x.parent, &x.children),
            None => (None, &[]),
        }
    }
}
