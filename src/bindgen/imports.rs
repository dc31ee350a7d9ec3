//! Every import from the facade's JS files (`src/facade/`): the only Rust
//! file that names a JS module, so that moving or splitting one touches
//! nothing else. None of these throws: each calls user code (or touches a
//! user value) inside try/catch, except those declared `catch`, which
//! report a problem by throwing plain data.
use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/facade/calls.js")]
extern "C" {
    /// The protocol (`protocol.rs`), as `[name, value]` pairs.
    pub fn protocol(pairs: &Array);

    /// An `Error` of class `class` (`protocol::ErrorClass`) with a `code`.
    #[wasm_bindgen(js_name = makeError)]
    pub fn make_error(class: u8, message: &str, code: &str) -> JsValue;

    /// What a value is, for "got ..." in messages.
    pub fn describe(value: &JsValue) -> String;

    /// A thrown value's message, or the value as a string.
    #[wasm_bindgen(js_name = errorText)]
    pub fn error_text(value: &JsValue) -> JsValue;

    /// A failed runner's error as a retry hint: -2 not retryable, else
    /// its `retryAfter` in ms, else -1 (`retryHint` in `calls.js`).
    #[wasm_bindgen(js_name = retryHint)]
    pub fn retry_hint(error: &JsValue) -> f64;

    /// What is wrong with an id: an index of `protocol::ID_PROBLEMS`.
    #[wasm_bindgen(js_name = idProblem)]
    pub fn id_problem(value: &JsValue) -> u8;

    /// A plain copy of an options object (see `protocol::SHAPES`); throws
    /// `{ got }` or `{ key, threw }`.
    #[wasm_bindgen(catch)]
    pub fn bag(value: &JsValue, shape: u8) -> Result<JsValue, JsValue>;

    pub fn report(what: &str, error: &JsValue);

    /// Lets go of a promise `calls.js`'s `hold` made (every user promise
    /// Rust awaits): settles it early with the ABANDONED marker.
    pub fn release(held: &Promise);

    #[wasm_bindgen(js_name = isAbandoned)]
    pub fn is_abandoned(value: &JsValue) -> bool;

    /// Deno or Node: a process that a pending timer keeps alive.
    #[wasm_bindgen(js_name = isScriptHost)]
    pub fn is_script_host() -> bool;

    /// `setTimeout(fire, ms)` unref'd, so that it keeps no Deno or Node
    /// process alive; its handle, for `clearTimeout`. Throws (having
    /// cleared it) where the host cannot unref a timer.
    #[wasm_bindgen(catch, js_name = unheldTimeout)]
    pub fn unheld_timeout(fire: &Closure<dyn FnMut()>, ms: u32) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = clearUnheld)]
    pub fn clear_unheld(handle: &JsValue);

    /// Calls `session.sendMessage` with task `task_id`'s notification, made
    /// in JS in one crossing; a held promise if it returned one, else
    /// undefined.
    pub fn notify(
        session: &JsValue,
        task_id: &JsValue,
        status: u8,
        timestamp: f64,
    ) -> Option<Promise>;

    /// Whether the page is hidden (`document.visibilityState`; visible
    /// where there is no document or reading it throws).
    #[wasm_bindgen(js_name = isHidden)]
    pub fn is_hidden() -> bool;

    /// Calls `session.getStatus()` and holds the answer.
    #[wasm_bindgen(js_name = askStatus)]
    pub fn ask_status(session: &JsValue) -> Promise;

    #[wasm_bindgen(js_name = startRun)]
    #[allow(clippy::too_many_arguments)]
    pub fn start_run(
        runner: &JsValue,
        view: &JsValue,
        seq: f64,
        task_id: &JsValue,
        agent: &JsValue,
        prompt: &JsValue,
        session_id: &JsValue,
        options: &JsValue,
    ) -> JsValue;

    #[wasm_bindgen(js_name = runDone)]
    pub fn run_done(run: &JsValue) -> Promise;

    #[wasm_bindgen(js_name = abortRun)]
    pub fn abort_run(run: &JsValue);

    #[wasm_bindgen(js_name = closeRun)]
    pub fn close_run(run: &JsValue);

    /// Settles the question a run asks as `how` says (`protocol::Reply`),
    /// with `answer` when there is one.
    #[wasm_bindgen(js_name = replyRun)]
    pub fn reply_run(run: &JsValue, how: u8, answer: &JsValue);

    /// A promise with its resolve and reject functions kept beside it.
    pub fn deferred() -> JsValue;
    #[wasm_bindgen(js_name = deferredPromise)]
    pub fn deferred_promise(deferred: &JsValue) -> Promise;
    /// Settles a deferred: resolves with `value`, or rejects with it.
    pub fn settle(deferred: &JsValue, ok: bool, value: &JsValue);

    #[wasm_bindgen(js_name = callListener)]
    pub fn call_listener(listener: &Function, event: &JsValue);

    pub fn once(f: &JsValue) -> JsValue;
}

#[wasm_bindgen(module = "/src/facade/sim.js")]
extern "C" {
    /// The built-in agent used when no runner is given.
    #[wasm_bindgen(js_name = simulatedRunner)]
    pub fn simulated_runner(delay: f64) -> JsValue;
}

#[wasm_bindgen(module = "/src/facade/manager.js")]
extern "C" {
    /// The public class, re-exported from the generated module as is (a
    /// class is a function; its TypeScript declaration is in `background_manager.d.ts`).
    #[wasm_bindgen(reexport, js_name = BackgroundManager, skip_typescript)]
    pub fn background_manager_class();

    /// Gives `manager.js` the function that makes a core, and the durable
    /// build's `Tabs` class (undefined in the default build).
    #[wasm_bindgen(js_name = setFactory)]
    pub fn set_factory(factory: &JsValue, durable: bool, tabs: &JsValue);
}

// The log's entries are made and kept by log.js, in the view's tasks.
#[wasm_bindgen(module = "/src/facade/log.js")]
extern "C" {
    /// Keeps log entry `entry` of task `seq` (see `Store::log`): `kind` a
    /// `protocol::LogEntry` (a status's plus the status number); for
    /// output `value` is the chunk, `cursor` the cursor after it, kept in
    /// the output as `out_head` and `out_drop` say (see `Cut`).
    #[wasm_bindgen(js_name = logEntry)]
    #[allow(clippy::too_many_arguments)]
    pub fn log_entry(
        view: &View,
        seq: f64,
        entry: f64,
        at: f64,
        kind: u32,
        value: &JsValue,
        cursor: f64,
        head: bool,
        drop: f64,
        out_head: f64,
        out_drop: f64,
    );
    #[wasm_bindgen(js_name = restoreLog)]
    pub fn restore_log(view: &View, seq: f64, saved: &JsValue);
    /// Task `seq`'s kept log as a durable store saves it, with the seqs
    /// reserved ahead of it (0: none); undefined: it has none.
    #[wasm_bindgen(js_name = savedLog)]
    pub fn saved_log(view: &View, seq: f64, reserved: f64) -> JsValue;
    /// A saved log's weights, each entry's `cost` plus its text's length:
    /// `[head, tail, last, reserved]` (see `StoredLog`).
    #[wasm_bindgen(js_name = logWeights)]
    pub fn log_weights(saved: &JsValue, cost: u32) -> JsValue;
}

#[wasm_bindgen(module = "/src/facade/view.js")]
extern "C" {
    #[derive(Clone)]
    pub type View;

    #[wasm_bindgen(method)]
    pub fn find(this: &View, id: &JsValue) -> f64;
    #[wasm_bindgen(method)]
    #[allow(clippy::too_many_arguments)]
    pub fn insert(
        this: &View,
        seq: f64,
        oldest: f64,
        id: &JsValue,
        options: &JsValue,
        agent: &JsValue,
        prompt: &JsValue,
    ) -> bool;
    #[wasm_bindgen(method, js_name = setSession)]
    pub fn set_session(this: &View, index: u32, text: &JsValue);
    /// Keeps the result or message a task ended with; returns its id.
    #[wasm_bindgen(method)]
    pub fn finish(this: &View, seq: f64, value: &JsValue) -> JsValue;
    #[wasm_bindgen(method, js_name = restoreOutput)]
    pub fn restore_output(this: &View, seq: f64, head: &JsValue, tail: &JsValue, dropped: f64);
    #[wasm_bindgen(method, js_name = setAttempt)]
    pub fn set_attempt(this: &View, seq: f64, attempt: u32);
    #[wasm_bindgen(method)]
    pub fn adopt(this: &View, parent: f64, child: f64);
    #[wasm_bindgen(method, js_name = setAgent)]
    pub fn set_agent(this: &View, seq: f64, agent: &JsValue);
    #[wasm_bindgen(method, js_name = setQuestion)]
    pub fn set_question(this: &View, seq: f64, question: &JsValue);
    /// Live runs by task seq, as `calls.js`'s `startRun` made them: kept
    /// apart from the tasks, so that a run outlives its task's record
    /// until its close.
    #[wasm_bindgen(method, js_name = setRun)]
    pub fn set_run(this: &View, seq: f64, run: &JsValue);
    #[wasm_bindgen(method)]
    pub fn run(this: &View, seq: f64) -> Option<JsValue>;
    #[wasm_bindgen(method, js_name = takeRun)]
    pub fn take_run(this: &View, seq: f64) -> Option<JsValue>;
    /// Every run left, taken.
    #[wasm_bindgen(method, js_name = takeRuns)]
    pub fn take_runs(this: &View) -> Option<js_sys::Array>;
    /// The kept head and tail of task `seq`'s output (for a durable store).
    #[wasm_bindgen(method)]
    pub fn head(this: &View, seq: f64) -> JsValue;
    #[wasm_bindgen(method)]
    pub fn tail(this: &View, seq: f64) -> JsValue;
    #[wasm_bindgen(method)]
    pub fn remove(this: &View, seq: f64);
    #[wasm_bindgen(method)]
    pub fn clear(this: &View);
    #[wasm_bindgen(method)]
    pub fn id(this: &View, seq: f64) -> Option<JsValue>;
    #[wasm_bindgen(method)]
    pub fn options(this: &View, seq: f64) -> JsValue;
    #[wasm_bindgen(method)]
    pub fn value(this: &View, seq: f64) -> JsValue;
    #[wasm_bindgen(method)]
    pub fn output(this: &View, seq: f64, cursor: f64) -> JsValue;
    #[wasm_bindgen(method)]
    pub fn snapshot(
        this: &View,
        seq: f64,
        status: u8,
        created_at: f64,
        updated_at: f64,
        session: u32,
    ) -> JsValue;
    /// The agent and prompt of a launched task, as `[agent, prompt]`.
    #[wasm_bindgen(method)]
    pub fn agent(this: &View, seq: f64) -> JsValue;
    #[wasm_bindgen(method)]
    pub fn prompt(this: &View, seq: f64) -> JsValue;
    #[wasm_bindgen(method, js_name = sessionId)]
    pub fn session_id(this: &View, index: u32) -> JsValue;
    /// Gives the view the wasm memory it reads the core's numbers from.
    #[wasm_bindgen(method)]
    pub fn attach(this: &View, memory: &JsValue);
    /// A UUID's canonical text from its 16 bytes as four big-endian words.
    #[wasm_bindgen(js_name = uuidText)]
    pub fn uuid_text(a: u32, b: u32, c: u32, d: u32) -> JsValue;
    /// The differential check's JS half: what the view holds for `seq`, as
    /// `[id, headLength, tailLength, dropped]`, or undefined.
    #[wasm_bindgen(method, js_name = describeSeq)]
    pub fn describe_seq(this: &View, seq: f64) -> JsValue;
    #[wasm_bindgen(method, js_name = size)]
    pub fn size(this: &View) -> u32;
}

/// The durable build's imports: the inbox's send, the stores
/// (`durable.js`), and the processes and tabs of a shared manager
/// (`kv_link.js`, `shared.js`).
#[cfg(feature = "durable")]
pub mod durable {
    use js_sys::Promise;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/src/facade/calls.js")]
    extern "C" {
        /// The inbox's send: `message` to `session.sendMessage`, as a held
        /// promise that rejects if it threw or rejected.
        pub fn deliver(session: &JsValue, message: &JsValue) -> Promise;
    }

    #[wasm_bindgen(module = "/src/facade/durable.js")]
    extern "C" {
        /// The store `options.store` names, or a string saying what is wrong;
        /// `timeout`: ms each request to it may take (`storeTimeout`).
        #[wasm_bindgen(js_name = openStore)]
        pub fn open_store(spec: &JsValue, timeout: f64) -> JsValue;
        /// Why `value` (called `path`) cannot be stored, or `""`.
        pub fn unstorable(value: &JsValue, path: &str) -> String;
        /// `{ tasks, notices }` as stored; rejects with a `STORE_FAILED` error.
        #[wasm_bindgen(js_name = loadStore)]
        pub fn load_store(store: &JsValue) -> Promise;
        /// Writes a batch atomically; rejects with a `STORE_FAILED` error.
        #[wasm_bindgen(js_name = commitStore)]
        pub fn commit_store(store: &JsValue, batch: &JsValue) -> Promise;
        /// The `Deno.Kv` of a KV store, or undefined.
        #[wasm_bindgen(js_name = storeKv)]
        pub fn store_kv(store: &JsValue) -> JsValue;
    }

    // The processes of a manager shared on one KV store (`kv_link.js`, which
    // `shared.js` uses).
    #[wasm_bindgen(module = "/src/facade/kv_link.js")]
    extern "C" {
        /// What the KV store lacks for a shared manager, or "".
        #[wasm_bindgen(js_name = missingKvApis)]
        pub fn missing_kv_apis(store: &JsValue) -> String;
    }

    // The tabs of a shared manager (`options.shared`): the durable build's, so
    // `manager.js` gets their class from `set_factory` instead of importing it.
    #[wasm_bindgen(module = "/src/facade/shared.js")]
    extern "C" {
        /// The `Tabs` class.
        #[wasm_bindgen(js_name = tabsClass)]
        pub fn tabs_class() -> JsValue;

        /// The web API a shared manager needs and this runtime lacks, or "".
        #[wasm_bindgen(js_name = missingTabApis)]
        pub fn missing_tab_apis() -> String;
    }
}
