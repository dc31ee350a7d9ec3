//! A build without durable stores (the `durable` feature off): the hooks
//! the operations call for the journal and the inbox do nothing, so the
//! JS build that leaves them out carries none of their code. Notifications
//! are then each sent once, as SPEC §5 says.
use crate::engine::{Engine, Host, Status};

impl<H: Host> Engine<H> {
    #[inline(always)]
    pub(in crate::engine) fn journal_task(&mut self, _seq: u64) {}

    #[inline(always)]
    pub(in crate::engine) fn journal_output(&mut self, _seq: u64, _now: u64) {}

    #[inline(always)]
    pub(in crate::engine) fn journal_evicted(&mut self, _seq: u64) {}

    #[inline(always)]
    pub(in crate::engine) fn journal_log(&mut self, _seq: u64, _n: u64) {}

    #[inline(always)]
    pub(in crate::engine) fn notify_via_inbox(
        &mut self,
        _: &H::Id,
        _: Status,
        _: u64,
        _: u64,
    ) -> bool {
        false
    }

    #[inline(always)]
    pub(in crate::engine) fn inbox_attach(&mut self, _index: u32, _handle: H::Session, _now: u64) {}

    #[inline(always)]
    pub(in crate::engine) fn inbox_clear(&mut self) {}

    #[inline(always)]
    pub(in crate::engine) fn output_waits(&self) -> bool {
        false
    }

    #[inline(always)]
    pub(in crate::engine) fn inbox_timed(&self) -> bool {
        false
    }

    #[inline(always)]
    pub(in crate::engine) fn save_output_now(&mut self) {}

    #[inline(always)]
    pub(in crate::engine) fn pump_all(&mut self, _now: u64) {}

    #[inline(always)]
    pub(in crate::engine) fn is_restoring(&self) -> bool {
        false
    }
}
