//! The comparison: each case of each schema handed to the generated code, its outcome set
//! against the oracle's verdict, and the disagreements reported (or excused by a reviewed
//! exceptions file).

use crate::pointer::at_or_under;
use crate::{targets, Case, Oracle};
use serde_json::Value;
use std::fmt;

/// What the generated code did with an instance.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Decoded, validated, and encoded back to this value.
    Accepted(Value),
    /// Refused by decoding or validation, at these instance pointers, with this message.
    Rejected {
        /// Where the generated code says the instance is wrong.
        pointers: Vec<String>,
        /// What it said.
        message: String,
    },
}

/// Decodes `value` into `T` the way the generated servers do (the runtime's `judged`, checks
/// on), validates it, and encodes it back: what a generated crate's dispatch usually answers.
pub fn roundtrip<T>(value: &Value) -> Outcome
where
    T: serde::de::DeserializeOwned + serde::Serialize + ofb_runtime::Validate,
{
    judge::<T>(value, None)
}

/// [`roundtrip`] for a value whose type cannot carry its schema's constraints (a scalar or
/// array component is a type alias; a body's own keywords sit on its request): the crate
/// hands them over as `rules`, and they are checked after the value's own.
pub fn roundtrip_with<T>(value: &Value, rules: &ofb_runtime::Rules) -> Outcome
where
    T: serde::de::DeserializeOwned + serde::Serialize + ofb_runtime::Validate,
{
    judge::<T>(value, Some(rules))
}

/// Decodes once, judges (with `rules` too, where given), encodes back.
fn judge<T>(value: &Value, rules: Option<&ofb_runtime::Rules>) -> Outcome
where
    T: serde::de::DeserializeOwned + serde::Serialize + ofb_runtime::Validate,
{
    let bytes = match serde_json::to_vec(value) {
        Ok(b) => b,
        Err(e) => {
            return Outcome::Rejected {
                pointers: vec![String::new()],
                message: format!("the instance cannot be written as JSON: {e}"),
            }
        }
    };
    let judged = match ofb_runtime::decode::judged::<T>(
        &bytes,
        true,
        ofb_runtime::validate::DEFAULT_LIMIT,
    ) {
        Err(e) => {
            return Outcome::Rejected {
                pointers: vec![e.pointer.clone()],
                message: e.to_string(),
            }
        }
        Ok(j) => j,
    };
    let mut violations: Vec<ofb_runtime::validate::Violation> =
        judged.violations.iter().cloned().collect();
    if let Some(rules) = rules {
        let mut v = ofb_runtime::Validator::new();
        judged.value.validate_with(&mut v, rules);
        if let Err(more) = v.finish() {
            violations.extend(more);
        }
    }
    if !violations.is_empty() {
        return Outcome::Rejected {
            pointers: violations.iter().map(|v| v.pointer.clone()).collect(),
            message: violations
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        };
    }
    match serde_json::to_value(&judged.value) {
        Ok(v) => Outcome::Accepted(v),
        Err(e) => Outcome::Rejected {
            pointers: Vec::new(),
            message: format!("decoded, but cannot be encoded back: {e}"),
        },
    }
}

/// One document under test.
pub struct Subject<'a> {
    /// Its label, for reports and exceptions.
    pub label: &'a str,
    /// The raw document.
    pub document: &'a Value,
    /// The generated crate's dispatch: schema pointer and instance to [`Outcome`], `None` when
    /// the crate has no type for that schema.
    pub decode: &'a dyn Fn(&str, &Value) -> Option<Outcome>,
}

/// One reviewed exception.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Exception {
    document: String,
    schema: String,
    case: Option<String>,
    reason: String,
}

/// The exceptions file as TOML.
#[derive(Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ExceptionsFile {
    #[serde(default)]
    exception: Vec<Exception>,
}

/// Disagreements reviewed and accepted, each with its reason. The file reads:
///
/// ```toml
/// [[exception]]
/// document = "regulated/accounts"           # the subject's label, exactly
/// schema = "#/components/schemas/X"         # the target pointer, exactly
/// case = "maxLength 10 crossed at /data"    # optional: a substring of the case's origin
/// reason = "why this disagreement is accepted"
/// ```
#[derive(Debug, Clone, Default)]
pub struct Exceptions {
    list: Vec<Exception>,
}

impl Exceptions {
    /// Parses the file; `Err` names what is wrong (an unknown key, an empty reason...).
    pub fn parse(text: &str) -> Result<Exceptions, String> {
        let file: ExceptionsFile = toml::from_str(text).map_err(|e| e.to_string())?;
        for (i, e) in file.exception.iter().enumerate() {
            let n = i + 1;
            if e.reason.trim().is_empty() {
                return Err(format!(
                    "exception {n} ({} {}) has an empty reason",
                    e.document, e.schema
                ));
            }
            if e.document.is_empty() || e.schema.is_empty() {
                return Err(format!("exception {n} names no document or no schema"));
            }
            if e.case.as_deref().is_some_and(|c| c.is_empty()) {
                return Err(format!(
                    "exception {n} has an empty case (leave it out to cover every case)"
                ));
            }
        }
        Ok(Exceptions {
            list: file.exception,
        })
    }

    /// No exceptions.
    pub fn none() -> Exceptions {
        Exceptions::default()
    }

    /// The index of the first exception covering `d`.
    fn find(&self, d: &Disagreement) -> Option<usize> {
        self.list.iter().position(|e| {
            e.document == d.document
                && e.schema == d.schema
                && e.case.as_deref().is_none_or(|c| d.origin.contains(c))
        })
    }
}

/// A case on which the generated code and the oracle disagree.
#[derive(Debug, Clone, PartialEq)]
pub struct Disagreement {
    /// The subject's label.
    pub document: String,
    /// The target pointer.
    pub schema: String,
    /// The case's origin, as displayed.
    pub origin: String,
    /// The instance.
    pub instance: Value,
    /// What the oracle said.
    pub oracle: String,
    /// What the generated code did.
    pub generated: String,
}

impl fmt::Display for Disagreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut instance = self.instance.to_string();
        if instance.len() > 300 {
            let cut = (0..=300)
                .rev()
                .find(|i| instance.is_char_boundary(*i))
                .unwrap_or(0);
            instance.truncate(cut);
            instance.push_str("...");
        }
        writeln!(f, "{} {}: {}", self.document, self.schema, self.origin)?;
        writeln!(f, "  instance:  {instance}")?;
        writeln!(f, "  oracle:    {}", self.oracle)?;
        write!(f, "  generated: {}", self.generated)
    }
}

/// What [`run`] found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// Documents run.
    pub documents: usize,
    /// Schemas (targets) run.
    pub schemas: usize,
    /// Instances the oracle accepts.
    pub valid: usize,
    /// Instances it rejects.
    pub invalid: usize,
    /// Cases on which the generated code agreed.
    pub agreed: usize,
    /// Disagreements an exception covers.
    pub excused: Vec<Disagreement>,
    /// Disagreements no exception covers: each one is a lost member or constraint, or a wrong
    /// exception file.
    pub disagreements: Vec<Disagreement>,
    /// Exceptions that covered nothing (`document schema [case]`): stale, to be removed.
    pub unused_exceptions: Vec<String>,
    /// Documents and schemas the oracle could not judge, with the reason.
    pub skipped: Vec<String>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} documents, {} schemas, {} cases ({} valid, {} invalid): {} agreed, {} excused, {} disagreements, {} unused exceptions, {} skipped",
            self.documents,
            self.schemas,
            self.valid + self.invalid,
            self.valid,
            self.invalid,
            self.agreed,
            self.excused.len(),
            self.disagreements.len(),
            self.unused_exceptions.len(),
            self.skipped.len(),
        )?;
        for d in &self.disagreements {
            writeln!(f, "{d}")?;
        }
        for u in &self.unused_exceptions {
            writeln!(f, "unused exception: {u}")?;
        }
        for s in &self.skipped {
            writeln!(f, "skipped: {s}")?;
        }
        Ok(())
    }
}

/// Runs every case of every target of every subject through its decode and compares.
///
/// - No type for a target: one disagreement for the target.
/// - The oracle accepts: the generated code must accept and give the instance back, equal as
///   JSON values (member order aside, numbers by value).
/// - The oracle rejects: the generated code must reject, at (or under) the place the mutant
///   was broken or one of the unions above it; any rejection will do for a published example.
pub fn run(subjects: &[Subject<'_>], exceptions: &Exceptions) -> Report {
    let mut report = Report::default();
    let mut used = vec![false; exceptions.list.len()];
    let mut found = Vec::new();
    for subject in subjects {
        report.documents += 1;
        let oracle = match Oracle::new(subject.document) {
            Ok(o) => o,
            Err(e) => {
                report.skipped.push(format!("{}: {e}", subject.label));
                continue;
            }
        };
        for target in targets(subject.document) {
            report.schemas += 1;
            if let Some(why) = oracle.unjudgeable(&target) {
                report
                    .skipped
                    .push(format!("{} {target}: {why}", subject.label));
                continue;
            }
            let (cases, refused) = oracle.cases_and_refused(&target);
            let mutated = cases
                .iter()
                .any(|c| matches!(c.origin, crate::Origin::Mutant { .. }));
            if !mutated && !refused.is_empty() {
                // Untested beyond its examples: say so, with the oracle's first objection
                // (often a pattern nothing can match, such as one ending in "$ ").
                let why = refused
                    .first()
                    .and_then(|c| c.verdict.as_ref().err())
                    .and_then(|e| e.first().cloned())
                    .unwrap_or_else(|| "nothing was generated".into());
                report.skipped.push(format!(
                    "{} {target}: no generated instance is valid, so no mutant either: {why}",
                    subject.label
                ));
            }
            // A schema without cases still needs a type: ask with a `null`.
            let probe = cases.is_empty() && (subject.decode)(&target, &Value::Null).is_none();
            if probe {
                found.push(no_type(subject.label, &target, Value::Null));
            }
            for case in cases {
                if case.verdict.is_ok() {
                    report.valid += 1;
                } else {
                    report.invalid += 1;
                }
                let Some(outcome) = (subject.decode)(&target, &case.instance) else {
                    found.push(no_type(subject.label, &target, case.instance));
                    break;
                };
                match compare(&case, &outcome) {
                    None => report.agreed += 1,
                    Some((oracle_says, generated)) => found.push(Disagreement {
                        document: subject.label.to_string(),
                        schema: target.clone(),
                        origin: case.origin.to_string(),
                        instance: case.instance,
                        oracle: oracle_says,
                        generated,
                    }),
                }
            }
        }
    }
    for d in found {
        match exceptions.find(&d) {
            Some(i) => {
                if let Some(u) = used.get_mut(i) {
                    *u = true;
                }
                report.excused.push(d);
            }
            None => report.disagreements.push(d),
        }
    }
    for (e, used) in exceptions.list.iter().zip(used) {
        if !used {
            let case = e
                .case
                .as_deref()
                .map(|c| format!(" [{c}]"))
                .unwrap_or_default();
            report
                .unused_exceptions
                .push(format!("{} {}{case}", e.document, e.schema));
        }
    }
    report
}

/// The disagreement of a target the generated crate has no type for.
fn no_type(label: &str, target: &str, instance: Value) -> Disagreement {
    Disagreement {
        document: label.to_string(),
        schema: target.to_string(),
        origin: "no type".into(),
        instance,
        oracle: "a schema under test".into(),
        generated: "the generated crate has no type for this schema".into(),
    }
}

/// `None` when the outcome agrees with the case's verdict, else (what the oracle said, what the
/// generated code did).
fn compare(case: &Case, outcome: &Outcome) -> Option<(String, String)> {
    match (&case.verdict, outcome) {
        (Ok(()), Outcome::Accepted(back)) => first_difference(&case.instance, back, "").map(|p| {
            (
                "valid".to_string(),
                format!(
                    "accepted, but gave back a different value (first difference at {})",
                    shown(&p)
                ),
            )
        }),
        (Ok(()), Outcome::Rejected { pointers, message }) => Some((
            "valid".into(),
            format!("rejected at {}: {message}", list(pointers)),
        )),
        (Err(reasons), Outcome::Accepted(_)) => Some((
            format!("invalid: {}", reasons.join("; ")),
            "accepted".into(),
        )),
        (Err(reasons), Outcome::Rejected { pointers, message }) => {
            let places: Vec<&str> = case
                .mutated_at
                .iter()
                .chain(case.alternatives_at.iter())
                .map(String::as_str)
                .collect();
            let agrees = case.mutated_at.is_none()
                || pointers
                    .iter()
                    .any(|p| places.iter().any(|q| at_or_under(p, q)));
            (!agrees).then(|| {
                (
                    format!(
                        "invalid at {}: {}",
                        shown(case.mutated_at.as_deref().unwrap_or_default()),
                        reasons.join("; ")
                    ),
                    format!("rejected elsewhere, at {}: {message}", list(pointers)),
                )
            })
        }
    }
}

/// A pointer as shown to a reader ("/" for the root).
fn shown(p: &str) -> &str {
    if p.is_empty() {
        "/"
    } else {
        p
    }
}

/// Pointers as shown to a reader.
fn list(pointers: &[String]) -> String {
    if pointers.is_empty() {
        return "no pointer".into();
    }
    pointers
        .iter()
        .map(|p| shown(p))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The pointer of the first place where `a` and `b` differ: objects as maps (order aside),
/// arrays in order, numbers by value (integers exactly, others as `f64`), strings byte for
/// byte.
pub(crate) fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                let p = crate::pointer::join(at, k);
                match y.get(k) {
                    Some(w) => {
                        if let Some(d) = first_difference(v, w, &p) {
                            return Some(d);
                        }
                    }
                    None => return Some(p),
                }
            }
            y.keys()
                .find(|k| !x.contains_key(*k))
                .map(|k| crate::pointer::join(at, k))
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(v, w, &format!("{at}/{i}")) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{at}/{}", x.len().min(y.len())))
        }
        (Value::Number(x), Value::Number(y)) => {
            let same = match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(i), Some(j), _, _) => i == j,
                (_, _, Some(i), Some(j)) => i == j,
                _ => x.as_f64() == y.as_f64(),
            };
            (!same).then(|| at.to_string())
        }
        _ => (a != b).then(|| at.to_string()),
    }
}
