//! Callbacks that call back into the manager while it carries out effects
//! (`src/bindgen/driver.rs`): the state is an `Rc<RefCell>` released before any
//! user code runs, and a call made from a callback queues its effects
//! behind the ones being delivered. The callbacks here are Rust closures,
//! so each call goes JS → Rust → JS → Rust.
use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

use crate::support::*;

type Log = Rc<RefCell<Vec<String>>>;

/// A session whose `sendMessage` writes `sent:<name>:<status>` to `log`,
/// `name` naming the task by its id.
fn logging_session(
    log: &Log,
    name: Rc<dyn Fn(&JsValue) -> String>,
) -> (JsValue, Closure<dyn FnMut(JsValue)>) {
    let log = log.clone();
    let send = Closure::<dyn FnMut(JsValue)>::new(move |message: JsValue| {
        let entry = format!(
            "sent:{}:{}",
            name(&get(&message, "taskId")),
            text(&message, "status")
        );
        log.borrow_mut().push(entry);
    });
    let session = obj(&[
        ("id", "s".into()),
        ("getStatus", always_running()),
        ("sendMessage", send.as_ref().clone()),
    ]);
    (session, send)
}

/// A getStatus answering "running" forever (polling is slowed to never in
/// these tests anyway).
fn always_running() -> JsValue {
    Function::new_no_args("return 'running'").into()
}

#[wasm_bindgen_test]
async fn a_listener_that_calls_back_in_ends_the_task_it_hears_of() {
    let log: Log = Rc::default();
    let (session, _send) = logging_session(&log, Rc::new(|_| "t".into()));
    let m = manager(&obj(&[("pollInterval", 600_000.into())]));
    resolves(m.initialize(&session), "initialize").await;

    let calls: Rc<RefCell<Vec<Promise>>> = Rc::default();
    let listener = {
        let (m, log, calls) = (m.clone(), log.clone(), calls.clone());
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let kind = text(&event, "type");
            log.borrow_mut()
                .push(match get(&event, "status").as_string() {
                    Some(status) => format!("{kind}:{status}"),
                    None => kind.clone(),
                });
            if kind == "created" {
                // Called while the manager delivers the creation's effects.
                let id = get(&event, "taskId");
                calls
                    .borrow_mut()
                    .push(m.complete_task(&id, &"early".into()));
                calls.borrow_mut().push(m.get_task(&id));
            }
        })
    };
    let _off = m.subscribe(listener.as_ref().unchecked_ref());
    let task = resolves(m.create_task(&obj(&[])), "createTask").await;
    let id = get(&task, "id");

    let made: Vec<Promise> = calls.borrow().clone();
    assert_eq!(made.len(), 2, "the listener ran once for the creation");
    let completed = resolves(made[0].clone(), "completeTask from the listener").await;
    assert_eq!(
        text(&completed, "status"),
        "completed",
        "{}",
        describe(&completed)
    );
    assert!(same(&get(&completed, "result"), &"early".into()));
    // The read made right after it, inside the same callback, sees it.
    let read = resolves(made[1].clone(), "getTask from the listener").await;
    assert_eq!(text(&read, "status"), "completed", "{}", describe(&read));
    let now = resolves(m.get_task(&id), "getTask").await;
    assert_eq!(text(&now, "status"), "completed");
    assert_eq!(
        log.borrow().join(" "),
        "created:running sent:t:completed status:completed"
    );
    resolves(m.cleanup(), "cleanup").await;
}

#[wasm_bindgen_test]
async fn calls_from_callbacks_queue_their_effects_behind_the_ones_in_progress() {
    const TASKS: u32 = 8;
    let log: Log = Rc::default();
    let (session, _send) = logging_session(
        &log,
        Rc::new(|id: &JsValue| id.as_string().unwrap_or_default()),
    );
    let m: Rc<RefCell<Option<BackgroundManager>>> = Rc::default();
    let reads: Rc<RefCell<Vec<Promise>>> = Rc::default();

    // The runner reads its own task and writes, synchronously, while the
    // manager is delivering the effect that started it.
    let runner = {
        let (m, reads) = (m.clone(), reads.clone());
        Closure::<dyn FnMut(JsValue) -> JsValue>::new(move |context: JsValue| {
            let manager = m.borrow().clone().expect("the manager");
            reads
                .borrow_mut()
                .push(manager.get_task(&get(&context, "taskId")));
            let write: Function = get(&context, "write").unchecked_into();
            write
                .call1(&JsValue::NULL, &get(&context, "prompt"))
                .expect("write");
            JsValue::from("done")
        })
    };
    let manager_ = manager(&obj(&[
        ("pollInterval", 600_000.into()),
        ("runner", runner.as_ref().clone()),
    ]));
    *m.borrow_mut() = Some(manager_.clone());
    resolves(manager_.initialize(&session), "initialize").await;
    let launch = |manager: &BackgroundManager, n: u32| {
        manager.launch(&obj(&[
            ("id", n.to_string().into()),
            ("agent", "a".into()),
            ("prompt", format!("p{n}").into()),
        ]))
    };

    // Each completion's listener launches the next task.
    let listener = {
        let (m, log) = (m.clone(), log.clone());
        Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
            let kind = text(&event, "type");
            let who = text(&event, "taskId");
            let status = get(&event, "status").as_string();
            log.borrow_mut().push(match &status {
                Some(status) => format!("{kind}:{who}:{status}"),
                None => format!("{kind}:{who}"),
            });
            if status.as_deref() == Some("completed") {
                let n: u32 = who.parse().expect("a task named by its number");
                if n < TASKS {
                    let manager = m.borrow().clone().expect("the manager");
                    let _ = launch(&manager, n + 1);
                }
            }
        })
    };
    let _off = manager_.subscribe(listener.as_ref().unchecked_ref());
    resolves(launch(&manager_, 1), "launch").await;

    // Wait for the last notification, then read the whole order.
    let last = format!("sent:{TASKS}:completed");
    for _ in 0..(SLACK_MS / 10) {
        if log.borrow().contains(&last) {
            break;
        }
        sleep(10).await;
    }
    let expected: Vec<String> = (1..=TASKS)
        .flat_map(|n| {
            [
                // Each task made by the listener of the one before, after
                // every effect of that task's completion was carried out.
                format!("created:{n}:queued"),
                format!("status:{n}:running"),
                format!("output:{n}"),
                format!("sent:{n}:completed"),
                format!("status:{n}:completed"),
            ]
        })
        .collect();
    assert_eq!(log.borrow().join(" "), expected.join(" "));

    // Every read the runners made from inside the start saw their task.
    let reads: Vec<Promise> = reads.borrow().clone();
    assert_eq!(reads.len(), TASKS as usize);
    for read in reads {
        let task = resolves(read, "getTask from a runner").await;
        assert_eq!(text(&task, "status"), "running", "{}", describe(&task));
    }
    resolves(manager_.cleanup(), "cleanup").await;
}
