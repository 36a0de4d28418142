//! Problems found in an input document, each tied to the place that caused it.
//!
//! Nothing derived from input may panic: every oddity becomes a [`Diagnostic`] with the file, the
//! JSON pointer, the operation (when there is one) and the reason. Errors stop generation after
//! every problem has been collected; warnings are reported and generation goes on.

use std::fmt;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The document is usable, but something in it is odd or was worked around.
    Warning,
    /// The document cannot be turned into code.
    Error,
}

/// One problem, located precisely enough that a reader can open the document and find it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The document's label (its file name).
    pub file: String,
    /// RFC 6901 JSON pointer into the document, `#`-prefixed (`#/paths/~1accounts/get`).
    pub pointer: String,
    /// The `operationId` (or method and path) the problem was found under, if any.
    pub operation: Option<String>,
    /// What is wrong and, where it helps, what was done about it.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{level}: {}{}", self.file, self.pointer)?;
        if let Some(op) = &self.operation {
            write!(f, " (operation {op})")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Every problem found in one document, in a stable order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Adds a diagnostic; an identical one already present is not added twice, so a schema
    /// reached from many places is reported once.
    pub fn push(&mut self, d: Diagnostic) {
        if !self.items.contains(&d) {
            self.items.push(d);
        }
    }

    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// The diagnostics, sorted by severity (errors first), then by place.
    pub fn sorted(&self) -> Vec<&Diagnostic> {
        let mut v: Vec<&Diagnostic> = self.items.iter().collect();
        v.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.cmp(b)));
        v
    }

    /// All diagnostics in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Only the warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }

    /// How many diagnostics there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Moves every diagnostic of `other` into `self`.
    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.items {
            self.push(d);
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in self.sorted() {
            writeln!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Collects diagnostics for one document, remembering its label so call sites stay short.
#[derive(Debug)]
pub struct Sink {
    file: String,
    diags: Diagnostics,
}

impl Sink {
    /// A sink for the document labelled `file`.
    pub fn new(file: impl Into<String>) -> Self {
        Sink {
            file: file.into(),
            diags: Diagnostics::default(),
        }
    }

    /// Records an error at `pointer`.
    pub fn error(&mut self, pointer: &Ptr, op: Option<&str>, message: impl Into<String>) {
        self.push(Severity::Error, pointer, op, message.into());
    }

    /// Records a warning at `pointer`.
    pub fn warn(&mut self, pointer: &Ptr, op: Option<&str>, message: impl Into<String>) {
        self.push(Severity::Warning, pointer, op, message.into());
    }

    fn push(&mut self, severity: Severity, pointer: &Ptr, op: Option<&str>, message: String) {
        self.diags.push(Diagnostic {
            severity,
            file: self.file.clone(),
            pointer: pointer.to_string(),
            operation: op.map(str::to_owned),
            message,
        });
    }

    /// Whether an error has been recorded.
    pub fn has_errors(&self) -> bool {
        self.diags.has_errors()
    }

    /// The collected diagnostics.
    pub fn finish(self) -> Diagnostics {
        self.diags
    }
}

/// A JSON pointer under construction, rendered `#`-prefixed with RFC 6901 escaping.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ptr(String);

impl Ptr {
    /// The document root, `#`.
    pub fn root() -> Self {
        Ptr(String::new())
    }

    /// Parses the fragment of a local `$ref` (`#/components/schemas/X`).
    pub fn from_ref(r: &str) -> Option<Self> {
        r.strip_prefix('#').map(|p| Ptr(p.to_owned()))
    }

    /// This pointer with one more segment, escaped.
    pub fn join(&self, segment: impl AsRef<str>) -> Self {
        let mut s = self.0.clone();
        s.push('/');
        s.push_str(&segment.as_ref().replace('~', "~0").replace('/', "~1"));
        Ptr(s)
    }

    /// The name of the component this pointer is (`#/components/responses/Locked` gives
    /// `Locked`), unescaped; `None` for anything else, including a pointer inside one.
    pub fn component(&self) -> Option<String> {
        let rest = self.0.strip_prefix("/components/")?;
        let (_, name) = rest.split_once('/')?;
        (!name.is_empty() && !name.contains('/'))
            .then(|| name.replace("~1", "/").replace("~0", "~"))
    }

    /// The pointer without the leading `#`, as `serde_json::Value::pointer` takes it.
    pub fn as_json_pointer(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Ptr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_escape_slash_and_tilde() {
        let p = Ptr::root().join("paths").join("/accounts/{id}").join("a~b");
        assert_eq!(p.to_string(), "#/paths/~1accounts~1{id}/a~0b");
        assert_eq!(p.as_json_pointer(), "/paths/~1accounts~1{id}/a~0b");
    }

    #[test]
    fn component_pointers_name_their_component() {
        let c = |r: &str| Ptr::from_ref(r).and_then(|p| p.component());
        assert_eq!(
            c("#/components/responses/Locked").as_deref(),
            Some("Locked")
        );
        assert_eq!(c("#/components/headers/a~1b").as_deref(), Some("a/b"));
        assert_eq!(c("#/components/responses/Locked/content"), None);
        assert_eq!(c("#/components/responses"), None);
        assert_eq!(c("#/paths/~1x"), None);
    }

    #[test]
    fn duplicates_are_reported_once_and_errors_sort_first() {
        let mut s = Sink::new("a.yml");
        s.warn(&Ptr::root().join("x"), None, "odd");
        s.warn(&Ptr::root().join("x"), None, "odd");
        s.error(&Ptr::root().join("y"), Some("getX"), "bad");
        let d = s.finish();
        assert_eq!(d.len(), 2);
        assert_eq!(
            d.to_string(),
            "error: a.yml#/y (operation getX): bad\nwarning: a.yml#/x: odd\n"
        );
    }
}
