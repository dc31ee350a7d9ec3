//! wit/ parsed by wasm-tools' own parser, and held against the code so the
//! interface cannot drift silently: statuses and error codes against the
//! engine, records against the TypeScript interfaces, the resource's methods
//! and parameters against the exported class, and the world's imports.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use background_manager::engine::{ErrorKind, Status};
use wit_parser::{FunctionKind, InterfaceId, Resolve, Type, TypeDefKind};

fn load() -> (Resolve, InterfaceId) {
    let mut resolve = Resolve::default();
    resolve.push_dir("wit").expect("wit/ parses");
    let id = resolve
        .interfaces
        .iter()
        .find(|(_, i)| i.name.as_deref() == Some("manager"))
        .map(|(id, _)| id)
        .expect("interface manager");
    (resolve, id)
}

fn source(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// `taskTTL` -> `task-ttl`, `createdAt` -> `created-at`.
fn kebab(camel: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in camel.chars() {
        if c.is_ascii_uppercase() && prev_lower {
            out.push('-');
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        out.push(c.to_ascii_lowercase());
    }
    out
}

fn type_named<'a>(resolve: &'a Resolve, iface: InterfaceId, name: &str) -> &'a TypeDefKind {
    let id = resolve.interfaces[iface].types[name];
    &resolve.types[id].kind
}

fn is_option(resolve: &Resolve, ty: &Type) -> bool {
    matches!(ty, Type::Id(id) if matches!(resolve.types[*id].kind, TypeDefKind::Option(_)))
}

fn enum_cases(resolve: &Resolve, iface: InterfaceId, name: &str) -> Vec<String> {
    match type_named(resolve, iface, name) {
        TypeDefKind::Enum(e) => e.cases.iter().map(|c| c.name.clone()).collect(),
        other => panic!("{name} is not an enum: {other:?}"),
    }
}

/// Members of `export interface NAME { ... }` in the TypeScript section:
/// name -> optional?
fn ts_interface(ts: &str, name: &str) -> BTreeMap<String, bool> {
    let start = ts
        .find(&format!("export interface {name} "))
        .unwrap_or_else(|| panic!("TS interface {name}"));
    let body = &ts[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("\n}").unwrap()];
    body.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("/*") && !l.starts_with('*'))
        .map(|l| {
            let end = l
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(l.len());
            (l[..end].to_string(), l[end..].starts_with('?'))
        })
        .collect()
}

#[test]
fn the_status_enum_is_the_engines() {
    let (resolve, iface) = load();
    let expected: Vec<String> = Status::ALL.iter().map(|s| s.as_str().to_string()).collect();
    assert_eq!(
        enum_cases(&resolve, iface, "background-task-status"),
        expected
    );
}

#[test]
fn the_error_codes_are_the_engines() {
    let (resolve, iface) = load();
    let expected: Vec<String> = ErrorKind::ALL
        .iter()
        .map(|k| k.code().to_ascii_lowercase().replace('_', "-"))
        .collect();
    assert_eq!(enum_cases(&resolve, iface, "error-code"), expected);
    let ts = source("src/facade/background_manager.d.ts");
    for kind in ErrorKind::ALL {
        assert!(
            ts.contains(&format!("'{}'", kind.code())),
            "{} missing from the .d.ts",
            kind.code()
        );
    }
}

/// A WIT record's fields: name -> optional?
fn record_fields(resolve: &Resolve, iface: InterfaceId, record: &str) -> BTreeMap<String, bool> {
    let TypeDefKind::Record(r) = type_named(resolve, iface, record) else {
        panic!("{record} is not a record");
    };
    r.fields
        .iter()
        .map(|f| (f.name.clone(), is_option(resolve, &f.ty)))
        .collect()
}

/// A TS interface's members in kebab case: name -> optional?
fn ts_fields(ts: &str, interface: &str) -> BTreeMap<String, bool> {
    ts_interface(ts, interface)
        .into_iter()
        .map(|(k, v)| (kebab(&k), v))
        .collect()
}

#[test]
fn records_match_the_typescript_interfaces_field_for_field() {
    let (resolve, iface) = load();
    let ts = source("src/facade/background_manager.d.ts");
    for (record, interface) in [
        ("background-task", "BackgroundTask"),
        (
            "create-background-task-options",
            "CreateBackgroundTaskOptions",
        ),
        ("cancel-options", "CancelOptions"),
        (
            "get-background-output-options",
            "GetBackgroundOutputOptions",
        ),
        ("get-background-output-result", "GetBackgroundOutputResult"),
        ("task-notification", "TaskNotification"),
        ("launch-options", "LaunchOptions"),
        ("task-progress", "TaskProgress"),
        ("read-log-options", "ReadLogOptions"),
        ("read-log-result", "ReadLogResult"),
        ("retry-rule", "RetryOptions"),
        ("retry-backoff", "RetryBackoff"),
    ] {
        // A wait's AbortSignal is the JS class's (a component's host
        // simply stops waiting for the `wake` effect).
        let mut fields = ts_fields(&ts, interface);
        if record.ends_with("-options")
            && record != "launch-options"
            && record != "read-log-options"
        {
            fields.remove("signal");
        }
        assert_eq!(
            record_fields(&resolve, iface, record),
            fields,
            "{record} vs {interface} (field -> optional)"
        );
    }
    // The options: all but the JS runner's, which a component host does
    // itself, and the JS durable build's store, inbox and tabs (a
    // component's host keeps and delivers what the effects say, and is one
    // process).
    let wit = record_fields(&resolve, iface, "background-manager-options");
    let mut options = ts_fields(&ts, "BackgroundManagerOptions");
    for js_only in [
        "runner",
        "simulated-delay",
        "store",
        "notify-retry",
        "notify",
        "shared",
        "shared-lease",
        "store-timeout",
    ] {
        assert!(
            options.remove(js_only).is_some(),
            "{js_only} left the TS options"
        );
    }
    // `limits: { global, keys }` is flat in the WIT: `global` is
    // `max-concurrent` by its other name, `keys` is `key-limits`.
    assert!(
        options.remove("limits").is_some(),
        "limits left the TS options"
    );
    options.insert("key-limits".into(), true);
    assert_eq!(
        wit, options,
        "background-manager-options vs BackgroundManagerOptions"
    );
    // The session: in TS an object with `id` and two functions; in WIT its
    // id, the functions being the host's (`notify` effects, polls).
    let members: Vec<String> = ts_interface(&ts, "AgentSession")
        .keys()
        .map(|k| kebab(k))
        .collect();
    assert_eq!(members, ["get-status", "id", "send-message"]);
    let TypeDefKind::Record(session) = type_named(&resolve, iface, "agent-session") else {
        panic!("agent-session is not a record");
    };
    let fields: Vec<&str> = session.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(fields, ["id"]);
}

/// The methods of the class as `src/facade/background_manager.d.ts`
/// declares it (the class itself is `src/facade/manager.js`), with their
/// parameter names, in kebab case: the constructor as "constructor". `free` and `[Symbol.dispose]`
/// are JS disposal, not part of the interface.
fn exported_methods() -> BTreeMap<String, Vec<String>> {
    let ts = source("src/facade/background_manager.d.ts");
    let start = ts
        .find("export class BackgroundManager {")
        .expect("the class");
    let body = &ts[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("\n}").unwrap()];
    let mut methods = BTreeMap::new();
    for line in body.lines().map(str::trim) {
        if line.is_empty()
            || line.starts_with("/*")
            || line.starts_with('*')
            || line.starts_with('[')
        {
            continue;
        }
        let Some(open) = line.find('(') else { continue };
        let name = &line[..open];
        if name == "free" {
            continue;
        }
        let close = line.find(')').unwrap();
        let params = line[open + 1..close]
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| kebab(&p[..p.find([':', '?']).unwrap_or(p.len())]))
            .collect();
        methods.insert(kebab(name), params);
    }
    methods
}

#[test]
fn the_class_answers_every_method_in_manager_js() {
    let ts = exported_methods();
    let js = source("src/facade/manager.js");
    for method in ts.keys().filter(|m| *m != "constructor") {
        let camel: String = method
            .split('-')
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part.to_string()
                } else {
                    part[..1].to_uppercase() + &part[1..]
                }
            })
            .collect();
        assert!(
            js.contains(&format!("\n  {camel}(")),
            "manager.js has no {camel}"
        );
    }
}

/// What the resource has that the JS class does not: the host's side of
/// the contract, where JS has timers, promises and callbacks.
const HOST_DRIVEN: [&str; 10] = [
    "advance",
    "take-effects",
    "run-write",
    "run-progress",
    "run-heartbeat",
    "run-settled",
    "run-failed",
    "run-ask",
    "begin-poll",
    "finish-poll",
];

/// What the JS class has that the resource does not: the inbox is an
/// option of the JS build (the component's host delivers each `notify`
/// effect itself, so what is pending is the host's to list); `watch` and
/// `watchAll` are async iterables, which WIT 0.2 has no type for (a host
/// follows a task with `read-log` from its last `next`, and the events with
/// `subscribe` and `take-effects`); the owner of a manager shared by
/// browser tabs is the JS durable build's.
const JS_ONLY: [&str; 5] = [
    "get-pending-notifications",
    "watch",
    "watch-all",
    "get-owner",
    "on-owner",
];

#[test]
fn the_resource_has_every_method_of_the_class_with_its_parameters() {
    let (resolve, iface) = load();
    let mut wit: BTreeMap<String, Vec<String>> = resolve.interfaces[iface]
        .functions
        .values()
        .filter(|f| f.name.contains("background-manager"))
        .map(|f| {
            let name = match f.kind {
                // A fallible constructor: the class's constructor throws.
                FunctionKind::Static(_) if f.item_name() == "open" => "constructor".to_string(),
                _ => f.item_name().to_string(),
            };
            let params = f
                .params
                .iter()
                .filter(|p| p.name != "self")
                .map(|p| p.name.clone())
                .collect();
            (name, params)
        })
        .collect();
    for method in HOST_DRIVEN {
        assert!(wit.remove(method).is_some(), "{method} is missing");
    }
    let mut class = exported_methods();
    for method in JS_ONLY {
        assert!(
            class.remove(method).is_some(),
            "{method} is gone from the class"
        );
    }
    // `subscribe(listener)` in JS; `subscribe(on)` turns `event` effects on.
    assert_eq!(wit.remove("subscribe"), Some(vec!["on".to_string()]));
    assert!(class.remove("subscribe").is_some());
    assert_eq!(wit, class);
    let seed = [
        "initialize",
        "create-task",
        "complete-task",
        "fail-task",
        "cancel-task",
        "get-task",
        "get-all-tasks",
        "cancel-all-tasks",
        "get-output",
        "cleanup",
        "call-agent",
    ];
    for method in seed {
        assert!(wit.contains_key(method), "the seed's {method} is missing");
    }
    let added = [
        "launch",
        "append-output",
        "read-log",
        "pause",
        "resume",
        "respond",
    ];
    for method in added {
        assert!(wit.contains_key(method), "{method} is missing");
    }
    assert_eq!(
        wit.len(),
        seed.len() + added.len() + 1,
        "the methods and the constructor"
    );
}

#[test]
fn the_world_imports_the_wall_clock_and_random_only_and_exports_the_manager() {
    let (resolve, iface) = load();
    let (_, world) = resolve
        .worlds
        .iter()
        .find(|(_, w)| w.name == "background-manager")
        .expect("world background-manager");
    let name = |key: &wit_parser::WorldKey| resolve.name_world_key(key);
    let imports: Vec<String> = world.imports.keys().map(name).collect();
    assert_eq!(
        imports,
        ["wasi:clocks/wall-clock@0.2.0", "wasi:random/random@0.2.0"]
    );
    let exports: Vec<String> = world.exports.keys().map(name).collect();
    assert_eq!(exports, ["agents:background-manager/manager@0.1.0"]);
    assert!(world
        .exports
        .values()
        .any(|e| matches!(e, wit_parser::WorldItem::Interface { id, .. } if *id == iface)));
}
