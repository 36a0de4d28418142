//! The oracle on small documents written here: what it tests, how it converts, what it
//! generates and breaks, and how `run` compares (each comparison rule shown failing).

use ofb_oracle::{
    roundtrip, run, targets, Case, Exceptions, Oracle, Origin, Outcome, Report, Subject,
};
use serde_json::{json, Value};

/// A document with component schemas, bodies inline and behind `$ref`s, and one body that is
/// only a `$ref` to a component.
fn api() -> Value {
    json!({
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/a": {
                "get": {
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Account"}}}},
                        "201": {"content": {"application/problem+json; charset=utf-8": {"schema": {"type": "object"}}}},
                        "404": {"$ref": "#/components/responses/NotFound"},
                        "415": {"content": {"text/plain": {"schema": {"type": "string"}}}}
                    }
                },
                "post": {
                    "requestBody": {"$ref": "#/components/requestBodies/Create"},
                    "responses": {
                        "404": {"$ref": "#/components/responses/NotFound"},
                        "200": {"content": {"application/jwt": {"schema": {"type": "string"}}}}
                    }
                }
            },
            "/b": {"$ref": "#/components/pathItems/B"}
        },
        "components": {
            "schemas": {
                "Account": {
                    "type": "object",
                    "required": ["id"],
                    "properties": {
                        "id": {"type": "string", "maxLength": 10, "pattern": "^[A-Z]{2}\\d+$"},
                        "name": {"type": "string", "nullable": true}
                    },
                    "additionalProperties": false
                },
                "a/b": {"type": "integer"}
            },
            "requestBodies": {
                "Create": {"content": {"application/json": {"schema": {"type": "object", "properties": {"x": {"type": "integer"}}}}}}
            },
            "responses": {
                "NotFound": {"content": {"application/json": {"schema": {"type": "object", "required": ["code"], "properties": {"code": {"type": "string"}}}}}}
            },
            "pathItems": {
                "B": {"put": {"responses": {"200": {"content": {"application/json": {"schema": {"type": "boolean"}}}}}}}
            }
        }
    })
}

/// A document of one component schema `S` (and any others given).
fn schemas(list: Value) -> Value {
    json!({"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": list}})
}

fn origin_text(c: &Case) -> String {
    c.origin.to_string()
}

fn mutant<'a>(cases: &'a [Case], what: &str) -> &'a Case {
    cases
        .iter()
        .find(|c| matches!(&c.origin, Origin::Mutant { what: w } if w == what))
        .unwrap_or_else(|| {
            panic!(
                "no mutant `{what}` among {:#?}",
                cases.iter().map(origin_text).collect::<Vec<_>>()
            )
        })
}

#[test]
fn targets_are_components_then_json_bodies_deduplicated() {
    assert_eq!(
        targets(&api()),
        [
            "#/components/schemas/Account",
            "#/components/schemas/a~1b",
            "#/paths/~1a/get/responses/201/content/application~1problem+json; charset=utf-8/schema",
            "#/components/responses/NotFound/content/application~1json/schema",
            "#/components/requestBodies/Create/content/application~1json/schema",
            "#/paths/~1a/post/responses/200/content/application~1jwt/schema",
            "#/components/pathItems/B/put/responses/200/content/application~1json/schema",
        ]
    );
}

#[test]
fn every_target_compiles_even_with_odd_characters() {
    let doc = api();
    let oracle = Oracle::new(&doc).unwrap();
    for t in targets(&doc) {
        assert_eq!(oracle.unjudgeable(&t), None, "{t}");
        assert!(!oracle.cases(&t).is_empty(), "{t}");
    }
    let t = "#/paths/~1a/get/responses/201/content/application~1problem+json; charset=utf-8/schema";
    assert!(oracle.judge(t, &json!({})).is_ok());
    assert!(oracle.judge(t, &json!([])).is_err());
}

#[test]
fn nullable_becomes_null_and_openapi_keywords_go() {
    let doc = schemas(json!({
        "S": {
            "type": "object",
            "discriminator": {"propertyName": "kind"},
            "properties": {
                "a": {"type": "string", "nullable": true, "enum": ["X"], "example": 5},
                "b": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/T"}]},
                "c": {"type": "string"},
                "d": {"type": "integer", "readOnly": true, "x-anything": {"type": "string"}}
            }
        },
        "T": {"type": "object", "required": ["t"], "properties": {"t": {"type": "string"}}}
    }));
    let oracle = Oracle::new(&doc).unwrap();
    let s = "#/components/schemas/S";
    assert!(oracle.judge(s, &json!({"a": null, "b": null})).is_ok());
    assert!(oracle
        .judge(s, &json!({"a": "X", "b": {"t": "x"}, "d": 1}))
        .is_ok());
    let errors = oracle.judge(s, &json!({"c": null})).unwrap_err();
    assert!(errors.iter().any(|e| e.starts_with("/c: ")), "{errors:?}");
    assert!(oracle.judge(s, &json!({"a": "Y"})).is_err());
    assert!(oracle.judge(s, &json!({"b": {}})).is_err());
    // Formats are asserted, `uuid` included; OpenAPI's own (`double`) are not.
    let doc = schemas(json!({"S": {"type": "object", "properties": {
        "d": {"type": "string", "format": "date"},
        "u": {"type": "string", "format": "uuid"},
        "n": {"type": "string", "format": "double"}
    }}}));
    let oracle = Oracle::new(&doc).unwrap();
    assert!(oracle.judge(s, &json!({"d": "2024-02-30"})).is_err());
    assert!(oracle.judge(s, &json!({"u": "nope"})).is_err());
    assert!(oracle
        .judge(
            s,
            &json!({"d": "2024-02-29", "u": "3fa85f64-5717-4562-b3fc-2c963f66afa6", "n": "x"})
        )
        .is_ok());
}

#[test]
fn all_of_with_sibling_properties_generates_and_breaks_both() {
    let doc = schemas(json!({
        "S": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "string", "maxLength": 4}},
            "allOf": [{"$ref": "#/components/schemas/Base"}]
        },
        "Base": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "note": {"type": "string"}}
        }
    }));
    let oracle = Oracle::new(&doc).unwrap();
    let cases = oracle.cases("#/components/schemas/S");
    let all = cases
        .iter()
        .find(|c| matches!(&c.origin, Origin::Generated { what } if what == "all members"))
        .unwrap();
    assert!(all.verdict.is_ok());
    for member in ["id", "name", "note"] {
        assert!(
            all.instance.get(member).is_some(),
            "{member} in {}",
            all.instance
        );
    }
    let required = cases
        .iter()
        .find(
            |c| matches!(&c.origin, Origin::Generated { what } if what == "required members only"),
        )
        .unwrap();
    assert!(required.instance.get("note").is_none());
    for name in ["id", "name"] {
        let m = mutant(&cases, &format!("required member `{name}` removed at /"));
        assert!(m.verdict.is_err());
        assert_eq!(m.mutated_at.as_deref(), Some(""));
        assert!(m.instance.get(name).is_none());
    }
    let m = mutant(&cases, "maxLength 4 crossed at /id");
    assert_eq!(m.mutated_at.as_deref(), Some("/id"));
    assert!(m.verdict.is_err());
}

#[test]
fn each_one_of_alternative_gets_an_instance_and_its_mutants() {
    let doc = schemas(json!({
        "S": {
            "type": "object",
            "required": ["data"],
            "properties": {"data": {"oneOf": [
                {"$ref": "#/components/schemas/A"},
                {"$ref": "#/components/schemas/B"},
                {"type": "string", "enum": ["C"]}
            ]}}
        },
        "A": {"type": "object", "required": ["a"], "properties": {"a": {"type": "integer", "maximum": 5}}, "additionalProperties": false},
        "B": {"type": "object", "required": ["b"], "properties": {"b": {"type": "string", "minLength": 2}}, "additionalProperties": false}
    }));
    let oracle = Oracle::new(&doc).unwrap();
    let cases = oracle.cases("#/components/schemas/S");
    let valid: Vec<&Value> = cases
        .iter()
        .filter(|c| c.verdict.is_ok())
        .map(|c| &c.instance)
        .collect();
    assert!(
        valid.iter().any(|v| v["data"].get("a").is_some()),
        "{valid:?}"
    );
    assert!(
        valid.iter().any(|v| v["data"].get("b").is_some()),
        "{valid:?}"
    );
    assert!(valid.iter().any(|v| v["data"] == "C"), "{valid:?}");
    let whats: Vec<String> = cases.iter().map(origin_text).collect();
    for w in [
        "generated: oneOf alternative 2 at /data",
        "generated: oneOf alternative 3 at /data",
    ] {
        assert!(whats.iter().any(|x| x == w), "{w} in {whats:#?}");
    }
    // Mutants inside an alternative know the union above them.
    let m = mutant(&cases, "maximum crossed at /data/a");
    assert_eq!(m.mutated_at.as_deref(), Some("/data/a"));
    assert_eq!(m.alternatives_at, ["/data"]);
    assert!(m.verdict.is_err());
    let m = mutant(&cases, "minLength 2 crossed at /data/b");
    assert_eq!(m.alternatives_at, ["/data"]);
    let m = mutant(
        &cases,
        "member not allowed (additionalProperties: false) at /data",
    );
    assert_eq!(m.mutated_at.as_deref(), Some("/data"));
    assert!(m.verdict.is_err());
}

#[test]
fn mutants_break_one_thing_at_a_known_place() {
    let doc = schemas(json!({
        "S": {
            "type": "object",
            "required": ["items", "kind", "n"],
            "properties": {
                "items": {"type": "array", "minItems": 1, "maxItems": 2, "uniqueItems": true, "items": {
                    "type": "object", "required": ["code"], "properties": {"code": {"type": "string", "pattern": "^[A-Z]{3}$"}}
                }},
                "kind": {"type": "string", "enum": ["ONE", "TWO"]},
                "level": {"type": "integer", "enum": [1, 2, 3]},
                "n": {"type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 10, "multipleOf": 0.5},
                "when": {"type": "string", "format": "date-time"}
            }
        }
    }));
    let oracle = Oracle::new(&doc).unwrap();
    let cases = oracle.cases("#/components/schemas/S");
    let expect = [
        ("pattern broken at /items/0/code", "/items/0/code"),
        ("wrong type at /items/0/code", "/items/0/code"),
        ("required member `code` removed at /items/0", "/items/0"),
        ("maxItems 2 crossed at /items", "/items"),
        ("minItems 1 crossed at /items", "/items"),
        ("uniqueItems broken at /items", "/items"),
        ("unknown enum value at /kind", "/kind"),
        ("unknown enum value at /level", "/level"),
        ("minimum crossed at /n", "/n"),
        ("maximum crossed at /n", "/n"),
        ("multipleOf 0.5 broken at /n", "/n"),
        ("format date-time broken at /when", "/when"),
        ("null where not nullable at /kind", "/kind"),
    ];
    for (what, at) in expect {
        let m = mutant(&cases, what);
        assert_eq!(m.mutated_at.as_deref(), Some(at), "{what}");
        assert!(m.alternatives_at.is_empty(), "{what}");
        assert!(m.verdict.is_err(), "{what}: {}", m.instance);
    }
    assert_eq!(
        mutant(&cases, "unknown enum value at /level").instance["level"],
        4
    );
    assert_eq!(mutant(&cases, "minimum crossed at /n").instance["n"], 0);
    // Values at the bounds and every listed value are tried, and valid.
    let whats: Vec<String> = cases
        .iter()
        .filter(|c| c.verdict.is_ok())
        .map(origin_text)
        .collect();
    for w in [
        "generated: maxItems bound at /items",
        "generated: enum value \"TWO\" at /kind",
        "generated: maximum bound at /n",
    ] {
        assert!(whats.iter().any(|x| x == w), "{w} in {whats:#?}");
    }
}

#[test]
fn examples_are_cases_valid_or_not() {
    let mut doc = api();
    doc["components"]["schemas"]["Account"]["example"] = json!({"id": "AB12"});
    doc["paths"]["/a"]["get"]["responses"]["200"]["content"]["application/json"]["examples"] =
        json!({"bad": {"$ref": "#/components/examples/Bad"}});
    doc["components"]["examples"] = json!({"Bad": {"value": {"id": "lowercase"}}});
    let oracle = Oracle::new(&doc).unwrap();
    let cases = oracle.cases("#/components/schemas/Account");
    let examples: Vec<(&Origin, bool)> = cases
        .iter()
        .filter(|c| matches!(c.origin, Origin::Example { .. }))
        .map(|c| (&c.origin, c.verdict.is_ok()))
        .collect();
    assert_eq!(
        examples,
        [
            (
                &Origin::Example {
                    at: "#/components/schemas/Account/example".into()
                },
                true
            ),
            (
                &Origin::Example {
                    at: "#/components/examples/Bad/value".into()
                },
                false
            ),
        ]
    );
}

#[test]
fn cases_are_deterministic_and_bounded() {
    let doc = api();
    let once: Vec<Vec<Case>> = {
        let o = Oracle::new(&doc).unwrap();
        targets(&doc).iter().map(|t| o.cases(t)).collect()
    };
    let twice: Vec<Vec<Case>> = {
        let o = Oracle::new(&doc).unwrap();
        targets(&doc).iter().map(|t| o.cases(t)).collect()
    };
    assert_eq!(once, twice);
    // A wide schema is sampled, not cut: at most the bounds, and mutants from its last members.
    let props: serde_json::Map<String, Value> = (0..120)
        .map(|i| {
            (
                format!("m{i:03}"),
                json!({"type": "string", "maxLength": 3, "minLength": 1}),
            )
        })
        .collect();
    let doc = schemas(json!({"S": {"type": "object", "properties": props}}));
    let cases = Oracle::new(&doc).unwrap().cases("#/components/schemas/S");
    let count = |f: fn(&Origin) -> bool| cases.iter().filter(|c| f(&c.origin)).count();
    assert!(count(|o| matches!(o, Origin::Generated { .. })) <= ofb_oracle::MAX_GENERATED);
    assert_eq!(
        count(|o| matches!(o, Origin::Mutant { .. })),
        ofb_oracle::MAX_MUTANTS
    );
    let last: Vec<_> = cases
        .iter()
        .rev()
        .take(5)
        .map(|c| c.mutated_at.clone())
        .collect();
    assert!(
        cases
            .iter()
            .any(|c| c.mutated_at.as_deref() == Some("/m119")),
        "{last:?}"
    );
}

#[test]
fn hostile_documents_are_errors_or_skips_never_panics() {
    assert!(Oracle::new(&json!(null)).is_err());
    assert!(targets(&json!([1, 2])).is_empty());
    let doc = schemas(json!({
        "Cycle": {"$ref": "#/components/schemas/Cycle"},
        "Nowhere": {"$ref": "#/components/schemas/Missing"},
        "BadPattern": {"type": "string", "pattern": "(unclosed"},
        "BadType": {"type": 5, "required": true, "properties": {"x": {"items": true}}},
        "Recursive": {"type": "object", "required": ["next"], "properties": {"next": {"$ref": "#/components/schemas/Recursive"}}},
        "Tree": {"type": "object", "properties": {"kids": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}},
        "Empty": {},
        "Weird": {"type": "string", "additionalProperties": {"type": "string"}, "minLength": 5, "maxLength": 2},
        "EmptyEnum": {"enum": []},
        "AllOfSelf": {"allOf": [{"$ref": "#/components/schemas/AllOfSelf"}]}
    }));
    let oracle = Oracle::new(&doc).unwrap();
    for t in targets(&doc) {
        let _ = oracle.cases(&t);
        let _ = oracle.judge(&t, &json!({"next": {}}));
    }
    assert!(oracle.unjudgeable("#/components/schemas/Nowhere").is_some());
    assert!(oracle
        .unjudgeable("#/components/schemas/BadPattern")
        .is_some());
    assert!(oracle.unjudgeable("#/components/schemas/Missing").is_some());
    assert!(oracle
        .judge("#/components/schemas/Missing", &json!(1))
        .is_err());
    let tree = oracle.cases("#/components/schemas/Tree");
    assert!(tree.iter().any(|c| c.verdict.is_ok()));
    let report = run(
        &[Subject {
            label: "hostile",
            document: &doc,
            decode: &|_, v| Some(Outcome::Accepted(v.clone())),
        }],
        &Exceptions::none(),
    );
    assert!(
        report.skipped.iter().any(|s| s.contains("BadPattern")),
        "{report}"
    );
}

/// A decoder as the generated code should be: it agrees with `jsonschema` on everything,
/// refusing where `jsonschema` points.
fn faithful(oracle: &Oracle) -> impl Fn(&str, &Value) -> Option<Outcome> + '_ {
    move |target, v| {
        Some(match oracle.judge(target, v) {
            Ok(()) => Outcome::Accepted(v.clone()),
            Err(errors) => Outcome::Rejected {
                pointers: errors
                    .iter()
                    .map(|e| {
                        e.split(": ")
                            .next()
                            .unwrap_or("")
                            .trim_end_matches('/')
                            .to_string()
                    })
                    .collect(),
                message: errors.join("; "),
            },
        })
    }
}

fn one(doc: &Value, decode: &dyn Fn(&str, &Value) -> Option<Outcome>, ex: &Exceptions) -> Report {
    run(
        &[Subject {
            label: "doc",
            document: doc,
            decode,
        }],
        ex,
    )
}

#[test]
fn run_agrees_with_a_faithful_decoder() {
    let doc = api();
    let oracle = Oracle::new(&doc).unwrap();
    let decode = faithful(&oracle);
    let report = one(&doc, &decode, &Exceptions::none());
    assert!(report.disagreements.is_empty(), "{report}");
    assert_eq!(report.documents, 1);
    assert_eq!(report.schemas, 7);
    assert!(report.valid > 0 && report.invalid > 0, "{report}");
    assert_eq!(report.agreed, report.valid + report.invalid);
    assert!(
        report.to_string().starts_with("1 documents, 7 schemas, "),
        "{report}"
    );
}

#[test]
fn run_catches_a_lost_member_an_accepted_mutant_and_a_rejection_elsewhere() {
    let doc = api();
    let oracle = Oracle::new(&doc).unwrap();
    let account = "#/components/schemas/Account";
    let faithful = faithful(&oracle);

    // Loses `name` on the way back.
    let lossy = |t: &str, v: &Value| match faithful(t, v) {
        Some(Outcome::Accepted(mut back)) if t == account => {
            if let Some(m) = back.as_object_mut() {
                m.remove("name");
            }
            Some(Outcome::Accepted(back))
        }
        other => other,
    };
    let report = one(&doc, &lossy, &Exceptions::none());
    assert!(!report.disagreements.is_empty());
    let d = &report.disagreements[0];
    assert_eq!(d.schema, account);
    assert!(d.generated.contains("first difference at /name"), "{d}");

    // Accepts everything: every invalid case of every schema disagrees.
    let lax = |_: &str, v: &Value| Some(Outcome::Accepted(v.clone()));
    let report = one(&doc, &lax, &Exceptions::none());
    assert_eq!(report.disagreements.len(), report.invalid, "{report}");
    assert!(report
        .disagreements
        .iter()
        .all(|d| d.generated == "accepted"));

    // Rejects where nothing was broken.
    let confused = |t: &str, v: &Value| match faithful(t, v) {
        Some(Outcome::Rejected { message, .. }) => Some(Outcome::Rejected {
            pointers: vec!["/unrelated".into()],
            message,
        }),
        other => other,
    };
    let report = one(&doc, &confused, &Exceptions::none());
    assert!(!report.disagreements.is_empty());
    assert!(report
        .disagreements
        .iter()
        .all(|d| d.generated.starts_with("rejected elsewhere, at /unrelated")));
    // ...and a rejection at the root only agrees with root mutants.
    let rooted = |t: &str, v: &Value| match faithful(t, v) {
        Some(Outcome::Rejected { message, .. }) => Some(Outcome::Rejected {
            pointers: vec![String::new()],
            message,
        }),
        other => other,
    };
    let report = one(&doc, &rooted, &Exceptions::none());
    assert!(
        report
            .disagreements
            .iter()
            .any(|d| d.origin.contains("at /id")),
        "{report}"
    );
    assert!(
        !report
            .disagreements
            .iter()
            .any(|d| d.origin.ends_with(" at /")),
        "{report}"
    );
}

#[test]
fn missing_types_exceptions_and_unused_exceptions() {
    let doc = api();
    let oracle = Oracle::new(&doc).unwrap();
    let faithful = faithful(&oracle);
    let partial = |t: &str, v: &Value| {
        if t.contains("a~1b") {
            None
        } else {
            faithful(t, v)
        }
    };
    let report = one(&doc, &partial, &Exceptions::none());
    assert_eq!(report.disagreements.len(), 1, "{report}");
    assert_eq!(report.disagreements[0].schema, "#/components/schemas/a~1b");
    assert!(report.disagreements[0].generated.contains("no type"));

    let lax = |t: &str, v: &Value| {
        if t.contains("Account") {
            Some(Outcome::Accepted(v.clone()))
        } else {
            faithful(t, v)
        }
    };
    let ex = Exceptions::parse(
        r##"
[[exception]]
document = "doc"
schema = "#/components/schemas/Account"
case = "pattern broken"
reason = "the type keeps the pattern as documentation only"

[[exception]]
document = "doc"
schema = "#/components/schemas/Nothing"
reason = "stale"
"##,
    )
    .unwrap();
    let report = one(&doc, &lax, &ex);
    assert!(!report.excused.is_empty());
    assert!(report
        .excused
        .iter()
        .all(|d| d.origin.contains("pattern broken")));
    assert!(!report.disagreements.is_empty());
    assert!(report
        .disagreements
        .iter()
        .all(|d| !d.origin.contains("pattern broken")));
    assert_eq!(
        report.unused_exceptions,
        ["doc #/components/schemas/Nothing"]
    );
    assert!(report
        .to_string()
        .contains("unused exception: doc #/components/schemas/Nothing"));

    for bad in [
        "[[exception]]\ndocument = \"d\"\nschema = \"s\"\nreason = \" \"\n",
        "[[exception]]\ndocument = \"d\"\nschema = \"s\"\n",
        "[[exception]]\ndocument = \"d\"\nschema = \"s\"\nreason = \"r\"\nnote = \"x\"\n",
        "[[exception]]\ndocument = \"d\"\nschema = \"s\"\ncase = \"\"\nreason = \"r\"\n",
    ] {
        assert!(Exceptions::parse(bad).is_err(), "{bad}");
    }
    assert!(Exceptions::parse("").is_ok());
}

#[test]
fn disagreements_show_a_truncated_instance() {
    let doc = schemas(json!({"S": {"type": "string", "maxLength": 1000}}));
    let lax = |_: &str, _: &Value| {
        Some(Outcome::Rejected {
            pointers: vec![String::new()],
            message: "no".into(),
        })
    };
    let report = one(&doc, &lax, &Exceptions::none());
    let long = report
        .disagreements
        .iter()
        .find(|d| d.instance.as_str().is_some_and(|s| s.len() >= 1000))
        .expect("the maxLength bound instance");
    let shown = long.to_string();
    assert!(shown.contains("...") && shown.len() < 700, "{shown}");
}

/// A hand-written type as generated code would have it: `name` at most 3 characters.
#[derive(serde::Deserialize, serde::Serialize)]
struct Small {
    id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
}

impl ofb_runtime::Validate for Small {
    fn validate_into(&self, v: &mut ofb_runtime::Validator) {
        if self.name.as_ref().is_some_and(|n| n.chars().count() > 3) {
            v.at_field("name", |v| {
                v.fail(ofb_runtime::Rule::Length, "longer than 3")
            });
        }
    }
}

#[test]
fn roundtrip_decodes_validates_and_encodes() {
    assert_eq!(
        roundtrip::<Small>(&json!({"id": 1, "name": "abc"})),
        Outcome::Accepted(json!({"id": 1, "name": "abc"}))
    );
    match roundtrip::<Small>(&json!({"id": 1, "name": "abcd"})) {
        Outcome::Rejected { pointers, .. } => assert_eq!(pointers, ["/name"]),
        other => panic!("{other:?}"),
    }
    match roundtrip::<Small>(&json!({"id": "x"})) {
        Outcome::Rejected { pointers, .. } => assert_eq!(pointers, ["/id"]),
        other => panic!("{other:?}"),
    }
    // Through `run`: a schema that allows longer names than the type is caught.
    let doc = schemas(
        json!({"S": {"type": "object", "required": ["id"], "properties": {
            "id": {"type": "integer"}, "name": {"type": "string", "maxLength": 5}
        }}}),
    );
    let decode = |_: &str, v: &Value| Some(roundtrip::<Small>(v));
    let report = one(&doc, &decode, &Exceptions::none());
    assert!(
        report
            .disagreements
            .iter()
            .any(|d| d.origin.contains("maxLength bound at /name")),
        "{report}"
    );
}
