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
    let ts = source("src/bindings/types.rs");
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
    let ts = source("src/bindings/types.rs");
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

/// The exported methods of src/bindings/manager.rs with their JS parameter
/// names, in kebab case: the constructor as "constructor".
fn exported_methods() -> BTreeMap<String, Vec<String>> {
    let code = source("src/bindings/manager.rs");
    let mut methods = BTreeMap::new();
    let mut last = 0;
    for (at, _) in code.match_indices("pub fn ") {
        let before = &code[last..at];
        let rust_name: String = code[at + 7..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let js_name = before
            .rfind("js_name = ")
            .map(|i| &before[i + 10..])
            .filter(|rest| !rest.starts_with('"'))
            .map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_alphanumeric())
                    .collect::<String>()
            });
        let name = if before.contains("(constructor)") {
            "constructor".to_string()
        } else {
            kebab(js_name.as_deref().unwrap_or(&rust_name))
        };
        let signature = &code[at..at + code[at..].find('{').unwrap()];
        let params = signature
            .match_indices("js_name = \"")
            .map(|(i, m)| {
                let rest = &signature[i + m.len()..];
                kebab(&rest[..rest.find('"').unwrap()])
            })
            .collect();
        methods.insert(name, params);
        last = at;
    }
    methods
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
