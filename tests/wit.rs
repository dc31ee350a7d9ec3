//! wit/ parsed by wasm-tools' own parser, and held against the code so the
//! interface cannot drift silently: statuses and error codes against the
//! engine, records against the TypeScript interfaces, the resource's methods
//! and parameters against the exported class.
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
    let ts = source("src/js/types.rs");
    for kind in ErrorKind::ALL {
        assert!(
            ts.contains(&format!("'{}'", kind.code())),
            "{} missing from the .d.ts",
            kind.code()
        );
    }
}

#[test]
fn records_match_the_typescript_interfaces_field_for_field() {
    let (resolve, iface) = load();
    let ts = source("src/js/types.rs");
    for (record, interface) in [
        ("background-task", "BackgroundTask"),
        ("background-manager-options", "BackgroundManagerOptions"),
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
    ] {
        let TypeDefKind::Record(r) = type_named(&resolve, iface, record) else {
            panic!("{record} is not a record");
        };
        let wit: BTreeMap<String, bool> = r
            .fields
            .iter()
            .map(|f| (f.name.clone(), is_option(&resolve, &f.ty)))
            .collect();
        let ts: BTreeMap<String, bool> = ts_interface(&ts, interface)
            .into_iter()
            .map(|(k, v)| (kebab(&k), v))
            .collect();
        assert_eq!(wit, ts, "{record} vs {interface} (field -> optional)");
    }
    // The session is a resource in WIT and an interface in TS.
    let members: Vec<String> = ts_interface(&ts, "AgentSession")
        .keys()
        .map(|k| kebab(k))
        .collect();
    let session: Vec<String> = resolve.interfaces[iface]
        .functions
        .values()
        .filter(|f| f.name.contains("agent-session."))
        .map(|f| f.item_name().to_string())
        .collect();
    let (mut members, mut session) = (members, session);
    members.sort();
    session.sort();
    assert_eq!(members, session);
}

/// The methods of the class as `src/js/types.rs` declares it (the class
/// itself is `src/js/manager.js`), with their parameter names, in kebab
/// case: the constructor as "constructor". `free` and `[Symbol.dispose]`
/// are JS disposal, not part of the interface.
fn exported_methods() -> BTreeMap<String, Vec<String>> {
    let ts = source("src/js/types.rs");
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
    let js = source("src/js/manager.js");
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

#[test]
fn the_resource_has_every_method_of_the_class_with_its_parameters() {
    let (resolve, iface) = load();
    let wit: BTreeMap<String, Vec<String>> = resolve.interfaces[iface]
        .functions
        .values()
        .filter(|f| f.name.contains("background-manager"))
        .map(|f| {
            let name = match f.kind {
                FunctionKind::Constructor(_) => "constructor".to_string(),
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
    let class = exported_methods();
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
    let added = ["launch", "append-output", "subscribe"];
    for method in added {
        assert!(wit.contains_key(method), "{method} is missing");
    }
    assert_eq!(
        wit.len(),
        seed.len() + added.len() + 1,
        "the methods and the constructor"
    );
}
