//! The oracle: the converted document in a `jsonschema` registry, one compiled validator per
//! schema under test, and the cases of each schema judged by it.

use crate::generate::{apply, Edit, Gen, Mode, Plan, Site};
use crate::pointer::{at_or_under, follow, fragment_encode, resolve};
use crate::sample::Matchers;
use crate::{convert, document, Case, Origin};
use jsonschema::{Draft, Registry, Validator};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};

/// At most this many generated (valid-intent) instances per schema.
pub const MAX_GENERATED: usize = 48;
/// At most this many mutants per schema.
pub const MAX_MUTANTS: usize = 160;
/// At most this many of the document's examples per schema.
pub const MAX_EXAMPLES: usize = 16;
/// Unions this deep (in instance pointer tokens) or shallower get one instance per alternative.
const UNION_DEPTH: usize = 4;
/// The URI the converted document is registered under.
const DOCUMENT_URI: &str = "urn:ofb:document";

/// A compiled validator, or why the schema cannot be judged.
type Compiled = Result<Arc<Validator>, String>;

/// The converted document and the validators compiled from it so far.
pub struct Oracle {
    /// The document as given, which instances are generated from.
    raw: Value,
    /// The converted document, registered under [`DOCUMENT_URI`].
    registry: Registry<'static>,
    /// One validator per target, compiled on first use.
    validators: Mutex<BTreeMap<String, Compiled>>,
}

impl std::fmt::Debug for Oracle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Oracle").finish_non_exhaustive()
    }
}

impl Oracle {
    /// Converts the OpenAPI document into draft 4 JSON Schema (see the crate docs) and registers
    /// it. `Err` on a document it cannot use (not an object, or one the registry refuses).
    pub fn new(doc: &Value) -> Result<Oracle, String> {
        if !doc.is_object() {
            return Err("the document is not a JSON object".into());
        }
        let converted = convert::document(doc);
        let registry = Registry::new()
            .draft(Draft::Draft4)
            .add(DOCUMENT_URI, converted)
            .and_then(|b| b.prepare())
            .map_err(|e| format!("the converted document cannot be registered: {e}"))?;
        Ok(Oracle {
            raw: doc.clone(),
            registry,
            validators: Mutex::new(BTreeMap::new()),
        })
    }

    /// The validator of `target`, compiled once.
    fn validator(&self, target: &str) -> Compiled {
        let mut cache = self.validators.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = cache.get(target) {
            return v.clone();
        }
        let compiled = self.compile(target);
        cache.insert(target.to_string(), compiled.clone());
        compiled
    }

    /// Compiles `{"$ref": "urn:ofb:document#<target>"}` against the registry, with formats
    /// asserted (OpenAPI's `format` is meant to be checked; unknown ones such as `double` are
    /// annotations) and nothing fetched from anywhere.
    fn compile(&self, target: &str) -> Compiled {
        if resolve(&self.raw, target).is_none() {
            return Err(format!("{target} is not in the document"));
        }
        let fragment = target.strip_prefix('#').unwrap_or(target);
        let root = json!({"$ref": format!("{DOCUMENT_URI}#{}", fragment_encode(fragment))});
        let built = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            jsonschema::options()
                .with_draft(Draft::Draft4)
                .with_registry(&self.registry)
                .offline()
                .should_validate_formats(true)
                .should_ignore_unknown_formats(true)
                .with_format("uuid", is_uuid)
                .build(&root)
        }));
        match built {
            Ok(Ok(v)) => Ok(Arc::new(v)),
            Ok(Err(e)) => Err(format!("jsonschema cannot compile {target}: {e}")),
            Err(_) => Err(format!("jsonschema panicked compiling {target}")),
        }
    }

    /// Why `target` cannot be judged (a pattern `jsonschema` cannot compile, a reference that
    /// leads nowhere...), or `None` when it can.
    pub fn unjudgeable(&self, target: &str) -> Option<String> {
        self.validator(target).err()
    }

    /// The oracle's verdict on `instance` against the schema at `target`: `Ok`, or the
    /// `jsonschema` errors as "instance pointer: message" strings (the root is "/"). A target
    /// that cannot be judged gives one error that says why.
    pub fn judge(&self, target: &str, instance: &Value) -> Result<(), Vec<String>> {
        let v = self
            .validator(target)
            .map_err(|e| vec![format!("the oracle cannot judge this schema: {e}")])?;
        if v.is_valid(instance) {
            return Ok(());
        }
        let mut errors: Vec<String> = v
            .iter_errors(instance)
            .map(|e| {
                let p = e.instance_path().as_str();
                format!("{}: {e}", if p.is_empty() { "/" } else { p })
            })
            .collect();
        // In a fixed order, whatever order the validator walks its keywords in.
        errors.sort();
        errors.dedup();
        if errors.is_empty() {
            Err(vec!["/: invalid".into()])
        } else {
            Err(errors)
        }
    }

    /// Every case for the schema at `target`, each judged by `jsonschema`: the document's
    /// examples, then generated instances (those the oracle refuses are dropped: nobody knows
    /// where they are broken), then mutants, each breaking one constraint at a known place
    /// (kept whatever the verdict: one the oracle still accepts must round-trip). Empty when the
    /// target cannot be judged (see [`Oracle::unjudgeable`]).
    pub fn cases(&self, target: &str) -> Vec<Case> {
        self.cases_and_refused(target).0
    }

    /// The generated instances the oracle refused, which [`Oracle::cases`] drops (with their
    /// verdicts): for reading why a schema gets few valid cases (an unsatisfiable pattern, a
    /// `oneOf` whose alternatives overlap...).
    pub fn refused(&self, target: &str) -> Vec<Case> {
        self.cases_and_refused(target).1
    }

    /// [`Oracle::cases`] and [`Oracle::refused`] at once (the work is done once).
    pub fn cases_and_refused(&self, target: &str) -> (Vec<Case>, Vec<Case>) {
        let mut refused = Vec::new();
        if self.unjudgeable(target).is_some() {
            return (Vec::new(), refused);
        }
        let Some(schema) = resolve(&self.raw, target) else {
            return (Vec::new(), refused);
        };
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (at, instance) in self.examples(target, schema) {
            if out.len() >= MAX_EXAMPLES || !seen.insert(instance.to_string()) {
                continue;
            }
            out.push(Case {
                origin: Origin::Example { at },
                verdict: self.judge(target, &instance),
                instance,
                mutated_at: None,
                alternatives_at: Vec::new(),
            });
        }
        let mut matchers = Matchers::default();
        let built = self.build(schema, &mut matchers);
        let valid: Vec<bool> = built
            .bases
            .iter()
            .map(|b| self.judge(target, &b.0).is_ok())
            .collect();
        let mut generated = dedupe(built.first, &seen);
        generated.truncate(MAX_GENERATED);
        // One change at a place of the all-members instance: chosen before being applied (a
        // large schema has hundreds), with some slack for the ones that turn out repeated; none
        // when that instance is refused already (its variants would be refused too).
        let room = if valid.first() == Some(&true) {
            MAX_GENERATED - generated.len()
        } else {
            0
        };
        let full = &built.bases[0].0;
        let second = spread(built.second, room + room / 2)
            .into_iter()
            .filter_map(|(what, ptr, v)| Some((what, apply(full, &ptr, &Edit::Replace(v))?)))
            .collect();
        generated.extend(dedupe(second, &seen).into_iter().take(room));
        for (what, instance) in generated {
            if !seen.insert(instance.to_string()) {
                continue;
            }
            let case = Case {
                origin: Origin::Generated { what },
                verdict: self.judge(target, &instance),
                instance,
                mutated_at: None,
                alternatives_at: Vec::new(),
            };
            if case.verdict.is_ok() {
                out.push(case);
            } else {
                refused.push(case);
            }
        }
        // Mutants are only made from an instance the oracle accepts: otherwise a mutant would
        // be refused for a reason that has nothing to do with its mutation.
        // The first valid base is mutated throughout (the all-members instance, or where it is
        // refused, say for overlapping `oneOf` alternatives, the first alternative instance
        // accepted, else the required-only one); the other alternatives under their union.
        let primary = valid.iter().position(|v| *v);
        let mut planned: Vec<(&Value, &Site, &String, &Edit)> = Vec::new();
        for (i, (base, sites, within)) in built.bases.iter().enumerate() {
            let within = if Some(i) == primary {
                None
            } else {
                within.as_deref()
            };
            if !valid[i] || (Some(i) != primary && within.is_none()) {
                continue;
            }
            let sites = sites
                .iter()
                .filter(|s| within.is_none_or(|w| at_or_under(&s.ptr, w)));
            for site in sites {
                for (what, edit) in &site.mutants {
                    planned.push((base, site, what, edit));
                }
            }
        }
        let mut local = BTreeSet::new();
        let mut mutants = Vec::new();
        for (base, site, what, edit) in spread(planned, MAX_MUTANTS + MAX_MUTANTS / 4) {
            let Some(instance) = apply(base, &site.ptr, edit) else {
                continue;
            };
            let key = instance.to_string();
            if seen.contains(&key) || !local.insert(key) {
                continue;
            }
            let at = if site.ptr.is_empty() { "/" } else { &site.ptr };
            mutants.push((format!("{what} at {at}"), instance, site));
        }
        for (what, instance, site) in spread(mutants, MAX_MUTANTS) {
            out.push(Case {
                origin: Origin::Mutant { what },
                verdict: self.judge(target, &instance),
                instance,
                mutated_at: Some(site.ptr.clone()),
                alternatives_at: site.alts.clone(),
            });
        }
        (out, refused)
    }

    /// The generated instances, in two ranks (the whole instances and the root's listed values
    /// first, then one change at a place), and the bases mutants are made from, with their
    /// sites and the part of them to mutate (`None`: all of it).
    fn build(&self, schema: &Value, matchers: &mut Matchers) -> Built {
        let all = Plan::new(Mode::All);
        let mut gen = Gen::new(&self.raw, &all, matchers);
        let full = gen.build(schema);
        let (full_sites, unions) = (
            std::mem::take(&mut gen.sites),
            std::mem::take(&mut gen.unions),
        );
        let required = Plan::new(Mode::Required);
        let mut gen = Gen::new(&self.raw, &required, matchers);
        let minimal = gen.build(schema);
        let minimal_sites = std::mem::take(&mut gen.sites);
        let realistic = Plan {
            examples: true,
            ..Plan::new(Mode::All)
        };
        let from_examples = Gen::new(&self.raw, &realistic, matchers).build(schema);
        let mut first = vec![
            ("all members".to_string(), full.clone()),
            ("required members only".to_string(), minimal.clone()),
            (
                "all members, with the document's member examples".to_string(),
                from_examples,
            ),
        ];
        let mut second = Vec::new();
        for site in &full_sites {
            for (what, v) in &site.variants {
                // The root's listed values rank first: each is a variant of a whole enum type.
                if site.ptr.is_empty() && what.starts_with("enum value") {
                    first.push((what.clone(), v.clone()));
                } else {
                    second.push((what.clone(), site.ptr.clone(), v.clone()));
                }
            }
        }
        let mut bases = vec![(full, full_sites, None)];
        let mut alternatives = 0;
        for u in unions.iter().filter(|u| depth_of(&u.ptr) <= UNION_DEPTH) {
            for alt in (0..u.count).filter(|a| *a != u.chosen) {
                let mut plan = all.clone();
                plan.choices.insert((u.ptr.clone(), u.id), alt);
                let mut gen = Gen::new(&self.raw, &plan, matchers);
                let instance = gen.build(schema);
                let at = if u.ptr.is_empty() { "/" } else { &u.ptr };
                let what = format!("{} alternative {} at {at}", u.keyword, alt + 1);
                alternatives += 1;
                first.insert(2 + alternatives, (what, instance.clone()));
                bases.push((
                    instance,
                    std::mem::take(&mut gen.sites),
                    Some(u.ptr.clone()),
                ));
            }
        }
        bases.push((minimal, minimal_sites, None));
        Built {
            first,
            second,
            bases,
        }
    }

    /// The document's examples for `target`: on the schema (through its `$ref`s), on a body's
    /// media type object, and for a component schema on the media type objects of bodies that
    /// are only a `$ref` to it.
    fn examples(&self, target: &str, schema: &Value) -> Vec<(String, Value)> {
        let doc = &self.raw;
        let mut out = Vec::new();
        let mut here = (target.to_string(), schema);
        for _ in 0..32 {
            if let Some(e) = here.1.get("example") {
                out.push((format!("{}/example", here.0), e.clone()));
                break;
            }
            match crate::pointer::local_ref(here.1) {
                Some(r) => match resolve(doc, r) {
                    Some(next) => here = (r.to_string(), next),
                    None => break,
                },
                None => break,
            }
        }
        if let Some(media) = target.strip_suffix("/schema") {
            if let Some(object) = resolve(doc, media).filter(|_| media.contains("/content/")) {
                media_examples(doc, media, object, &mut out);
            }
        }
        if target.starts_with("#/components/schemas/") {
            for body in document::bodies(doc) {
                let refers = body
                    .object
                    .get("schema")
                    .and_then(|s| document::component_ref(doc, s))
                    .is_some_and(|r| r == target);
                if refers {
                    media_examples(doc, &body.media, body.object, &mut out);
                }
            }
        }
        out
    }
}

/// A media type object's `example` and `examples/*/value` (through `$ref`s).
fn media_examples(doc: &Value, media: &str, object: &Value, out: &mut Vec<(String, Value)>) {
    if let Some(e) = object.get("example") {
        out.push((format!("{media}/example"), e.clone()));
    }
    let Some(examples) = object.get("examples").and_then(Value::as_object) else {
        return;
    };
    for (name, example) in examples {
        let at = crate::pointer::join(&format!("{media}/examples"), name);
        if let Ok((at, example)) = follow(doc, example, &at) {
            if let Some(v) = example.get("value") {
                out.push((format!("{at}/value"), v.clone()));
            }
        }
    }
}

/// What [`Oracle::build`] makes of a schema.
struct Built {
    /// Whole instances: all members, required only, each alternative, the root's listed values.
    first: Vec<(String, Value)>,
    /// Changes of one place of the all-members instance (what, where, the new value): bounds,
    /// listed values, `null`.
    second: Vec<(String, String, Value)>,
    /// Instances to mutate, their sites, and the pointer under which to mutate them.
    bases: Vec<(Value, Vec<Site>, Option<String>)>,
}

/// `items` without those in `seen` and without repeats, in order.
fn dedupe(items: Vec<(String, Value)>, seen: &BTreeSet<String>) -> Vec<(String, Value)> {
    let mut local = BTreeSet::new();
    items
        .into_iter()
        .filter(|(_, v)| {
            let key = v.to_string();
            !seen.contains(&key) && local.insert(key)
        })
        .collect()
}

/// At most `cap` of `items`, evenly spaced from the first to the last, so that a long list is
/// sampled throughout rather than cut after its first places.
fn spread<T>(items: Vec<T>, cap: usize) -> Vec<T> {
    let n = items.len();
    if n <= cap {
        return items;
    }
    if cap <= 1 {
        return items.into_iter().take(cap).collect();
    }
    // From the first to the last, both kept.
    let keep: BTreeSet<usize> = (0..cap).map(|i| i * (n - 1) / (cap - 1)).collect();
    items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, t)| t)
        .collect()
}

/// Instance pointer depth (number of tokens).
fn depth_of(ptr: &str) -> usize {
    ptr.matches('/').count()
}

/// Whether `s` is a UUID in its canonical text form (draft 4 has no `uuid` format; OpenAPI
/// documents use it).
fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}
