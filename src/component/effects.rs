//! The engine's effects as the WIT `effect`s the host carries out.
use alloc::string::ToString;

use super::bindings::api::{
    self, Answer, CreatedEvent, Disposal, Notice, OutputEvent, ProgressEvent, RunStart,
    StalledEvent, StatusEvent, TaskEvent, TaskNotification, Wake,
};
use super::host::{Wasi, WasiEngine};
use super::records::{error, output, status, task};
use crate::engine::{self, Effect, EngineError, Event, Store};

/// `effect`, or `None` for one that no longer applies: a start whose task
/// ended before the host took it (a later `close` says so too).
pub fn convert(engine: &WasiEngine, effect: Effect<Wasi>) -> Option<api::Effect> {
    Some(match effect {
        Effect::Notify {
            session,
            id,
            status: st,
            timestamp,
        } => api::Effect::Notify(Notice {
            session,
            message: TaskNotification {
                type_: "task_completion".to_string(),
                task_id: id,
                status: status(st),
                timestamp: timestamp as f64,
                notification_id: None,
            },
        }),
        // The component has no inbox (its config never asks for one).
        #[cfg(feature = "durable")]
        Effect::Deliver { .. } => return None,
        Effect::Wake {
            waiter: (waiter, id),
            answer,
        } => api::Effect::Wake(Wake {
            waiter,
            answer: match answer {
                engine::Answer::Output {
                    status: st,
                    output: text,
                    cursor,
                    ending,
                    timed_out,
                } => Answer::Output(output(id, st, text, cursor, ending, timed_out)),
                engine::Answer::Task(snapshot) => Answer::Task(task(snapshot?)),
            },
        }),
        Effect::Reply { seq, reply } => api::Effect::Reply(api::RunReply {
            run: seq,
            end: match reply {
                engine::Reply::Answer(answer) => {
                    api::AskEnd::Answer(answer.unwrap_or_else(|| "null".to_string()))
                }
                engine::Reply::TimedOut => api::AskEnd::TimedOut,
                engine::Reply::Aborted => api::AskEnd::Aborted,
            },
        }),
        Effect::Dispose {
            waiter: (waiter, _),
            id,
        } => disposal(waiter, EngineError::disposed(&id)),
        Effect::Start { seq } => {
            if !engine.run_is_open(seq) {
                return None;
            }
            let t = engine.task(seq)?;
            let store = engine.store();
            let snapshot = store.snapshot(seq, t.task())?;
            api::Effect::Start(RunStart {
                run: seq,
                task_id: Some(snapshot.id),
                session_id: Some(snapshot.session_id).filter(|s| !s.is_empty()),
                agent: snapshot.agent.unwrap_or_default(),
                prompt: snapshot.prompt.unwrap_or_default(),
                options: snapshot.options,
                attempt: t.attempt(),
            })
        }
        Effect::Abort { seq } => api::Effect::Abort(seq),
        Effect::Close { seq } => api::Effect::Close(seq),
        Effect::Event { event, .. } => api::Effect::Event(match event {
            Event::Created { id, status: st } => TaskEvent::Created(CreatedEvent {
                task_id: id,
                status: status(st),
            }),
            Event::Status {
                id,
                status: st,
                previous,
            } => TaskEvent::Status(StatusEvent {
                task_id: id,
                status: status(st),
                previous: status(previous),
            }),
            Event::Output { id, chunk, cursor } => TaskEvent::Output(OutputEvent {
                task_id: id,
                chunk,
                cursor: cursor as f64,
            }),
            Event::Removed { id } => TaskEvent::Removed(id),
            Event::Progress { id, progress } => match super::records::progress_of(&progress) {
                Some(progress) => TaskEvent::Progress(ProgressEvent {
                    task_id: id,
                    progress,
                }),
                None => return None,
            },
            Event::Stalled {
                id,
                since: Some(since),
            } => TaskEvent::Stalled(StalledEvent {
                task_id: id,
                since: since as f64,
            }),
            Event::Stalled { id, since: None } => TaskEvent::Resumed(id),
        }),
    })
}

/// A waiter rejected because the manager was cleaned up first.
pub fn disposal(waiter: u64, why: EngineError) -> api::Effect {
    api::Effect::Dispose(Disposal {
        waiter,
        error: error(why),
    })
}
