//! A fuzz target for the loader, the model and the emitters: documents drawn at random by a
//! generator that knows OpenAPI's shape (recursive schemas through `properties`, `items`,
//! `allOf`/`oneOf`/`anyOf`, references that may cycle or dangle, constraints at the edges of
//! their types, hostile names and patterns, examples of any JSON), each generated in full.
//! A document may be refused with a diagnostic; the generator must never panic, abort or hang.
//!
//! It runs for a bounded time (`OFB_FUZZ_SECONDS`, 20 by default) from a seed that changes per
//! run unless `OFB_FUZZ_SEED` fixes it, and prints both. A failure is shrunk to a small
//! document, written under `target/fuzz/`, and the message says so: that document becomes a
//! fixture under `specs/fixtures/hostile/` (it generates, with a warning) or
//! `specs/fixtures/malformed/` (it is refused), with its diagnostic pinned in fixtures.rs.
//! Since an abort (a stack overflow) cannot be caught, the document being tried is always in
//! `target/fuzz/current.json` too.

use ofb_codegen::{generate, Settings};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Component names the references point at, so that cycles happen; `Z` is never defined.
const NAMES: &[&str] = &["A", "B", "C", "D", "Z"];

/// Names that Rust, serde or our own naming could trip on.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-zA-Z0-9]{0,8}",
        Just(String::new()),
        Just(String::from("type")),
        Just(String::from("self")),
        Just(String::from("Self")),
        Just(String::from("r#x")),
        Just(String::from("123")),
        Just(String::from("a-b")),
        Just(String::from("ação")),
        Just(String::from("__")),
        Just(String::from("a b")),
        Just(String::from("crate")),
        Just(String::from("Option")),
        Just(String::from("$ref")),
        "\\PC{0,6}",
    ]
}

/// Numbers at the edges: what overflows, what allocates, what divides.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!(0)),
        Just(json!(1)),
        Just(json!(-1)),
        Just(json!(u64::MAX)),
        Just(json!(i64::MIN)),
        Just(json!(4_000_000_000u64)),
        Just(json!(1e8)),
        Just(json!(1.5)),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        Just(json!(0.1)),
        (0u64..100).prop_map(|n| json!(n)),
    ]
}

fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::from("^[a-z]+$")),
        Just(String::from("(")),
        Just(String::from("[")),
        Just(String::from("\\d{1,1000}")),
        Just(String::from("a{99999}")),
        Just(String::from("^(?!x).*$")),
        Just(String::from("\\p{L}+")),
        Just(String::from("((a+)+)+$")),
        "\\PC{0,8}",
    ]
}

/// Any JSON, small.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(name(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn with(mut schema: Value, key: &str, value: Option<Value>) -> Value {
    if let (Some(v), Some(o)) = (value, schema.as_object_mut()) {
        o.insert(key.to_owned(), v);
    }
    schema
}

/// A schema with no children.
fn leaf_schema() -> impl Strategy<Value = Value> {
    let string = (
        prop::option::of(number()),
        prop::option::of(number()),
        prop::option::of(pattern()),
        prop::option::of(prop_oneof![
            Just("date"),
            Just("date-time"),
            Just("uri"),
            Just("email"),
            Just("uuid"),
            Just("byte"),
            Just("nonsense"),
        ]),
        prop::option::of(prop::collection::vec(any_json(), 0..4)),
    )
        .prop_map(|(min, max, pat, format, en)| {
            let s = json!({"type": "string"});
            let s = with(s, "minLength", min);
            let s = with(s, "maxLength", max);
            let s = with(s, "pattern", pat.map(Value::String));
            let s = with(s, "format", format.map(|f| json!(f)));
            with(s, "enum", en.map(Value::Array))
        });
    let numeric = (
        prop_oneof![Just("number"), Just("integer")],
        prop::option::of(number()),
        prop::option::of(number()),
        prop::option::of(number()),
        prop::option::of(prop_oneof![Just("int32"), Just("int64"), Just("double")]),
    )
        .prop_map(|(ty, min, max, multiple, format)| {
            let s = json!({"type": ty});
            let s = with(s, "minimum", min);
            let s = with(s, "maximum", max);
            let s = with(s, "multipleOf", multiple);
            with(s, "format", format.map(|f| json!(f)))
        });
    prop_oneof![
        string,
        numeric,
        Just(json!({"type": "boolean"})),
        Just(json!({})),
        Just(json!({"type": "object"})),
        prop::sample::select(NAMES)
            .prop_map(|n| json!({"$ref": format!("#/components/schemas/{n}")})),
        Just(json!({"$ref": "#/components/schemas/A/properties/x"})),
        Just(json!({"$ref": "other.yaml#/A"})),
        Just(json!({"type": "nonsense"})),
    ]
}

/// A schema, recursive through every keyword that holds schemas.
fn schema() -> impl Strategy<Value = Value> {
    let leaf = (leaf_schema(), prop::option::of(any_json()), any::<bool>()).prop_map(
        |(s, example, nullable)| {
            let s = with(s, "example", example);
            if nullable {
                with(s, "nullable", Some(json!(true)))
            } else {
                s
            }
        },
    );
    leaf.prop_recursive(5, 48, 5, |inner| {
        prop_oneof![
            (
                prop::collection::btree_map(name(), inner.clone(), 0..5),
                prop::collection::vec(name(), 0..3),
                prop::option::of(prop_oneof![
                    any::<bool>().prop_map(Value::Bool),
                    inner.clone()
                ]),
            )
                .prop_map(|(props, required, additional)| {
                    let s = json!({
                        "type": "object",
                        "properties": Value::Object(props.into_iter().collect()),
                    });
                    let s = with(
                        s,
                        "required",
                        (!required.is_empty()).then(|| json!(required)),
                    );
                    with(s, "additionalProperties", additional)
                }),
            (
                inner.clone(),
                prop::option::of(number()),
                prop::option::of(number())
            )
                .prop_map(|(items, min, max)| {
                    let s = json!({"type": "array", "items": items});
                    let s = with(s, "minItems", min);
                    with(s, "maxItems", max)
                }),
            (
                prop_oneof![Just("allOf"), Just("oneOf"), Just("anyOf")],
                prop::collection::vec(inner.clone(), 0..4),
            )
                .prop_map(|(k, parts)| json!({ k: parts })),
            (inner.clone(), inner).prop_map(|(a, b)| json!({
                "oneOf": [a, b],
                "discriminator": {"propertyName": "kind"}
            })),
        ]
    })
}

fn operation() -> impl Strategy<Value = Value> {
    (
        prop::option::of(name()),
        prop::option::of(schema()),
        schema(),
        prop::option::of(schema()),
        prop::sample::select(&["200", "201", "204", "400", "default", "2XX", "999"][..]),
        prop::option::of(schema()),
    )
        .prop_map(|(id, query, ok, body, status, header)| {
            let mut op = Map::new();
            if let Some(id) = id {
                op.insert(String::from("operationId"), json!(id));
            }
            let mut params = vec![json!({
                "name": "id", "in": "path", "required": true, "schema": {"type": "string"}
            })];
            if let Some(q) = query {
                params.push(json!({"name": "q-1", "in": "query", "schema": q}));
            }
            op.insert(String::from("parameters"), json!(params));
            if let Some(b) = body {
                op.insert(
                    String::from("requestBody"),
                    json!({"content": {"application/json": {"schema": b}}}),
                );
            }
            let mut response = json!({
                "description": "answer",
                "content": {"application/json": {"schema": ok}}
            });
            if let Some(h) = header {
                response = with(response, "headers", Some(json!({"x-v": {"schema": h}})));
            }
            op.insert(String::from("responses"), json!({ status: response }));
            Value::Object(op)
        })
}

/// A whole document: a few paths, a few operations each, components that reference each other.
fn document() -> impl Strategy<Value = Value> {
    (
        prop::collection::vec(
            (
                prop_oneof![Just("get"), Just("post"), Just("put")],
                operation(),
            ),
            1..4,
        ),
        prop::collection::vec(schema(), 0..4),
        name(),
    )
        .prop_map(|(ops, components, title)| {
            let mut paths = Map::new();
            for (i, (method, op)) in ops.into_iter().enumerate() {
                let path = format!("/r{i}/{{id}}");
                paths.insert(path, json!({ method: op }));
            }
            let schemas: Map<String, Value> = NAMES
                .iter()
                .zip(components)
                .map(|(n, s)| ((*n).to_owned(), s))
                .collect();
            json!({
                "openapi": "3.0.3",
                "info": {"title": title, "version": "1.0.0"},
                "paths": paths,
                "components": {"schemas": schemas},
            })
        })
}

/// How generating `doc` went wrong, if it did: a panic, or no answer within `limit`.
fn failure(doc: &Value, limit: Duration) -> Option<String> {
    let bytes = serde_json::to_vec(doc).ok()?;
    let (tx, rx) = std::sync::mpsc::channel();
    // The stack a command's main thread has, so recursion is judged as `generate` meets it.
    let worker = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(move || {
            let outcome = std::panic::catch_unwind(|| {
                let _ = generate("fuzz.json", &bytes, &[], &Settings::new("ofb-fuzz", "x"));
            });
            let _ = tx.send(outcome.is_ok());
        })
        .ok()?;
    match rx.recv_timeout(limit) {
        Ok(true) => {
            let _ = worker.join();
            None
        }
        Ok(false) => Some(String::from("panicked")),
        Err(_) => Some(format!("no answer within {limit:?}")),
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

#[test]
fn the_generator_never_panics_aborts_or_hangs_on_a_document() {
    let seconds = env_u64("OFB_FUZZ_SECONDS").unwrap_or(20);
    let seed = env_u64("OFB_FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/fuzz");
    std::fs::create_dir_all(&dir).expect("target/fuzz");
    let current = dir.join("current.json");
    println!(
        "fuzzing for {seconds} s from seed {seed} (OFB_FUZZ_SEED={seed} repeats it); if the \
         process aborts, the document being tried is {}",
        current.display()
    );
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &key);
    let mut runner = TestRunner::new_with_rng(Config::default(), rng);
    let strategy = document();
    let limit = Duration::from_secs(10);
    let started = Instant::now();
    let mut tried = 0u64;
    while started.elapsed() < Duration::from_secs(seconds) {
        let mut tree = strategy.new_tree(&mut runner).expect("a document");
        let doc = tree.current();
        let _ = std::fs::write(
            &current,
            serde_json::to_vec_pretty(&doc).unwrap_or_default(),
        );
        tried += 1;
        let Some(mut why) = failure(&doc, limit) else {
            continue;
        };
        // Shrink: simplify while it still fails, step back when it stops failing.
        let mut smallest = doc;
        let shrink_until = Instant::now() + Duration::from_secs(60);
        while Instant::now() < shrink_until && tree.simplify() {
            let candidate = tree.current();
            match failure(&candidate, limit) {
                Some(w) => {
                    smallest = candidate;
                    why = w;
                }
                None => {
                    if !tree.complicate() {
                        break;
                    }
                }
            }
        }
        let text = serde_json::to_string_pretty(&smallest).unwrap_or_default();
        let found = dir.join(format!("crash-{seed}.json"));
        let _ = std::fs::write(&found, &text);
        panic!(
            "generation {why} on document {tried} of seed {seed}; the smallest such document \
             is in {}:\n{text}\nAdd it as a fixture under specs/fixtures/hostile or \
             malformed, with its diagnostic pinned, once the generator handles it.",
            found.display()
        );
    }
    let _ = std::fs::remove_file(&current);
    println!(
        "{tried} documents in {:.1?}, none panicked or hung",
        started.elapsed()
    );
    assert!(tried > 0, "no document was tried");
}
