//! Builds the [`Api`] from a loaded document: components first (so they keep their own names),
//! then operations in document order, then the boxing pass that breaks recursive containment.

use super::{Api, Field, Shape, Ty, TypeDef, TypeId, TypeKind};
use crate::diag::{Diagnostics, Ptr, Sink};
use crate::load::Document;
use crate::naming::Scope;
use indexmap::IndexMap;
use std::collections::BTreeSet;

/// How a component schema is represented.
#[derive(Debug, Clone, Copy)]
pub(super) enum Component {
    /// A named type; references point at it.
    Named(TypeId),
    /// A scalar or array schema: references copy its shape (so its constraints apply where it
    /// is used); the id is the type alias emitted for it.
    Inline(TypeId),
}

/// State shared by the schema and operation builders.
pub(super) struct Ctx<'a> {
    pub doc: &'a Document,
    pub sink: Sink,
    pub types: Vec<TypeDef>,
    pub names: Scope,
    pub components: IndexMap<String, Component>,
    pub patterns: IndexMap<String, ofb_runtime::pattern::Compiled>,
    /// The operation being modelled, for diagnostics.
    pub op: Option<String>,
    /// Component schemas being inlined right now (cycle guard).
    pub inlining: Vec<String>,
    /// Component schemas whose properties are being merged into an `allOf` right now: one met
    /// again inside them is a type that would contain itself without end.
    pub merging: Vec<String>,
    /// How many inline schemas enclose the one being modelled (the guard against any
    /// recursion the cycle checks miss).
    pub nesting: usize,
    /// Patterns met and judged not worth checking (vacuous, uncompilable, unmatchable).
    pub unchecked_patterns: BTreeSet<String>,
    /// Examples met so far, by pointer (see [`Api::examples`]).
    pub examples: IndexMap<String, Shape>,
    /// Inline schemas already modelled, by pointer: a schema reached again (a scalar or array
    /// component, a shared response, parameter or header) is the same type, not a new copy.
    pub modelled: IndexMap<String, Shape>,
    /// What the model read of each Schema Object it met (see [`super::keywords`]).
    pub ledger: super::keywords::Ledger,
}

impl<'a> Ctx<'a> {
    /// Adds a type with a placeholder body under a fresh name derived from `hint`.
    pub fn new_type(&mut self, hint: &str, pointer: &Ptr, doc: Option<String>) -> TypeId {
        let name = self.names.claim(&crate::naming::type_name(hint));
        self.types.push(TypeDef {
            name,
            doc,
            pointer: pointer.to_string(),
            kind: TypeKind::Alias(super::Shape::any()),
            nullable: false,
        });
        TypeId(self.types.len() - 1)
    }

    /// Records that the model read `keywords` of the schema at `ptr` into what it represents or
    /// checks (an empty list still records that it met the schema).
    pub fn consume(&mut self, ptr: &Ptr, keywords: &[&'static str]) {
        self.ledger.consume(ptr, keywords);
    }

    /// Records a warning at `ptr` under the current operation.
    pub fn warn(&mut self, ptr: &Ptr, message: impl Into<String>) {
        let op = self.op.clone();
        self.sink.warn(ptr, op.as_deref(), message);
    }

    /// Records an error at `ptr` under the current operation.
    pub fn error(&mut self, ptr: &Ptr, message: impl Into<String>) {
        let op = self.op.clone();
        self.sink.error(ptr, op.as_deref(), message);
    }

    /// Records the example of `shape` (if any) for the audit; a schema reached from several
    /// places is recorded once.
    pub fn record_example(&mut self, shape: &Shape) {
        if let Some((_, at)) = &shape.example {
            self.examples
                .entry(at.clone())
                .or_insert_with(|| shape.clone());
        }
    }

    /// Index of `source` in the pattern table, adding it (compiled) on first use.
    pub fn pattern(&mut self, source: &str, compiled: ofb_runtime::pattern::Compiled) -> usize {
        let entry = self.patterns.entry(source.to_owned());
        let index = entry.index();
        entry.or_insert(compiled);
        index
    }
}

impl Ctx<'_> {
    /// Says once per choice where the document leaves a `oneOf`/`anyOf` ambiguous (see
    /// [`super::ambiguity`]).
    fn report_ambiguous_choices(&mut self) {
        for (id, i, j) in super::ambiguity::ambiguous(&self.types) {
            let def = &self.types[id.0];
            let TypeKind::Union(u) = &def.kind else {
                continue;
            };
            let (keyword, consequence) = if u.exclusive {
                ("oneOf", "which oneOf forbids; such an instance")
            } else {
                ("anyOf", "and such an instance")
            };
            let message = format!(
                "{keyword} alternatives {} ({}) and {} ({}) of {} can both match one instance, as no discriminator, tag, closed object or member type tells them apart, {consequence} decodes to the first alternative that keeps every member it carries",
                i + 1,
                u.variants[i].name,
                j + 1,
                u.variants[j].name,
                def.name,
            );
            let ptr = Ptr::from_ref(&def.pointer).unwrap_or_default();
            // Reported against the document, not the operation being modelled last.
            self.sink.warn(&ptr, None, message);
        }
    }

    /// Reports types that contain themselves with nothing in between: an alias of an alias of
    /// itself (through single-part `allOf`s, say), or a union that is its own alternative. No
    /// value can be built for them (the Rust aliases would not even compile), and walking them
    /// would never end; a cycle through a struct's field or an array is fine (boxed or finite).
    fn check_direct_cycles(&mut self) {
        /// The named types `kind` stands for directly.
        fn direct(kind: &TypeKind) -> Vec<TypeId> {
            match kind {
                TypeKind::Alias(Shape {
                    ty: Ty::Named(id), ..
                }) => vec![*id],
                TypeKind::Union(u) => u
                    .variants
                    .iter()
                    .filter_map(|v| match v.shape.ty {
                        Ty::Named(id) => Some(id),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            }
        }
        let mut reported = BTreeSet::new();
        for start in 0..self.types.len() {
            // Depth-first over direct edges, remembering the path back to `start`.
            let mut stack: Vec<(TypeId, Vec<TypeId>)> = vec![(TypeId(start), vec![TypeId(start)])];
            let mut visited = BTreeSet::new();
            while let Some((at, path)) = stack.pop() {
                for next in direct(&self.types[at.0].kind) {
                    if next.0 == start {
                        if reported.insert(start) {
                            let names: Vec<&str> = path
                                .iter()
                                .chain(std::iter::once(&next))
                                .map(|id| self.types[id.0].name.as_str())
                                .collect();
                            let ptr = Ptr::from_ref(&self.types[start].pointer).unwrap_or_default();
                            let message = format!(
                                "cyclic allOf/oneOf/anyOf: {} contain each other with no object or array in between, so no value of them exists",
                                names.join(" -> ")
                            );
                            self.error(&ptr, message);
                        }
                    } else if visited.insert(next) {
                        let mut p = path.clone();
                        p.push(next);
                        stack.push((next, p));
                    }
                }
            }
        }
    }
}

/// Models `doc`. Errors (and warnings found before them) come back as diagnostics; on success
/// the warnings come with the model.
pub fn build(doc: &Document) -> Result<(Api, Diagnostics), Diagnostics> {
    let mut cx = Ctx {
        doc,
        sink: Sink::new(&doc.label),
        types: Vec::new(),
        names: Scope::default(),
        components: IndexMap::new(),
        patterns: IndexMap::new(),
        op: None,
        inlining: Vec::new(),
        merging: Vec::new(),
        nesting: 0,
        examples: IndexMap::new(),
        unchecked_patterns: BTreeSet::new(),
        modelled: IndexMap::new(),
        ledger: super::keywords::Ledger::default(),
    };
    cx.declare_components();
    cx.define_components();
    cx.check_direct_cycles();
    let mut operations = cx.operations();
    if !cx.sink.has_errors() {
        super::share::share_identical(&mut cx.types, &mut operations, &mut cx.examples);
    }
    name_operation_types(&mut cx.names, &mut operations);
    mark_boxes(&mut cx.types);
    cx.report_ambiguous_choices();
    // Judged once every schema the document uses has been modelled: what the model did not
    // read where it met a schema is what the generated code does not enforce.
    let unenforced = super::keywords::audit(&doc.json, &cx.ledger);
    for u in &unenforced {
        // The pointer is the ledger's own (`#`-prefixed); the sink wants it as a `Ptr`.
        let at = Ptr::from_ref(&u.pointer).unwrap_or_else(Ptr::root);
        cx.sink.warn(
            &at,
            None,
            format!("`{}` is not enforced: {}", u.keyword, u.reason),
        );
    }
    let rules = super::rules::intern(&mut cx.types, &mut operations);
    if cx.sink.has_errors() {
        return Err(cx.sink.finish());
    }
    let info = &doc.api.info;
    let api = Api {
        title: info.title.clone(),
        version: info.version.clone(),
        description: info.description.clone(),
        base_path: doc.api.servers.first().and_then(|s| base_path(&s.url)),
        types: cx.types,
        operations,
        patterns: cx.patterns.keys().cloned().collect(),
        rules,
        matchers: cx.patterns.into_values().collect(),
        examples: cx.examples.into_iter().collect(),
        samples: Vec::new(),
        declared: indexmap::IndexSet::new(),
        unenforced,
    };
    let mut api = api;
    api.declared = declared(&api);
    Ok((api, cx.sink.finish()))
}

/// The Rust type names `api` declares.
fn declared(api: &Api) -> indexmap::IndexSet<String> {
    let mut names: indexmap::IndexSet<String> = api.types.iter().map(|t| t.name.clone()).collect();
    for op in &api.operations {
        names.insert(op.request_type.clone());
        names.insert(op.response_type.clone());
        names.extend(op.responses.iter().filter_map(|r| r.headers_type.clone()));
    }
    names
}

/// The path of a server URL (`https://host/open-banking/accounts/v2` gives
/// `/open-banking/accounts/v2`), without a trailing `/`; `None` for the root or a URL with
/// variables.
fn base_path(url: &str) -> Option<String> {
    if url.contains('{') {
        return None;
    }
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => url,
    };
    let path = path
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    path.starts_with('/').then(|| path.to_owned())
}

/// Names the types each operation adds (its request struct, its response enum, the headers of
/// each response) in the scope of the schema types, after them, so they cannot collide.
fn name_operation_types(names: &mut Scope, ops: &mut [super::Operation]) {
    for op in ops {
        op.request_type = names.claim(&format!("{}Request", op.type_name));
        op.response_type = names.claim(&format!("{}Response", op.type_name));
        for r in &mut op.responses {
            if r.headers.iter().any(|h| !super::is_managed_header(&h.wire)) {
                r.headers_type = Some(names.claim(&format!("{}{}Headers", op.type_name, r.name)));
            }
        }
    }
}

/// Marks every field and union variant whose type contains its owner without a `Vec` or map in
/// between, so the emitted type has a finite size.
fn mark_boxes(types: &mut [TypeDef]) {
    // Direct containment edges: type -> types held by value.
    let edges: Vec<BTreeSet<usize>> = types.iter().map(|t| direct_children(&t.kind)).collect();
    let reaches = |from: usize, to: usize| -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            if n == to {
                return true;
            }
            if seen.insert(n) {
                stack.extend(edges[n].iter().copied());
            }
        }
        false
    };
    let mut decisions: Vec<(usize, usize, bool)> = Vec::new();
    for (i, t) in types.iter().enumerate() {
        match &t.kind {
            TypeKind::Struct(s) => {
                for (j, f) in s.fields.iter().enumerate() {
                    if let Some(target) = direct_target(&f.shape.ty) {
                        decisions.push((i, j, reaches(target, i)));
                    }
                }
            }
            TypeKind::Union(u) => {
                for (j, v) in u.variants.iter().enumerate() {
                    if let Some(target) = direct_target(&v.shape.ty) {
                        decisions.push((i, j, reaches(target, i)));
                    }
                }
            }
            _ => {}
        }
    }
    for (i, j, boxed) in decisions {
        match &mut types[i].kind {
            TypeKind::Struct(s) => s.fields[j].boxed = boxed,
            TypeKind::Union(u) => u.variants[j].boxed = boxed,
            _ => {}
        }
    }
}

fn direct_target(ty: &Ty) -> Option<usize> {
    match ty {
        Ty::Named(id) => Some(id.0),
        _ => None,
    }
}

fn direct_children(kind: &TypeKind) -> BTreeSet<usize> {
    let of_fields = |fields: &[Field]| -> BTreeSet<usize> {
        fields
            .iter()
            .filter_map(|f| direct_target(&f.shape.ty))
            .collect()
    };
    match kind {
        TypeKind::Struct(s) => of_fields(&s.fields),
        TypeKind::Union(u) => u
            .variants
            .iter()
            .filter_map(|v| direct_target(&v.shape.ty))
            .collect(),
        TypeKind::Alias(shape) => direct_target(&shape.ty).into_iter().collect(),
        TypeKind::Envelope { meta } => meta.iter().filter_map(|m| direct_target(&m.ty)).collect(),
        TypeKind::Enum(_) => BTreeSet::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::base_path;

    #[test]
    fn base_paths_come_from_server_urls() {
        let p = |u: &str| base_path(u);
        assert_eq!(
            p("https://api.banco.com.br/open-banking/accounts/v2").as_deref(),
            Some("/open-banking/accounts/v2")
        );
        assert_eq!(p("https://h/x/v1/?a=1").as_deref(), Some("/x/v1"));
        assert_eq!(p("/relative/v3").as_deref(), Some("/relative/v3"));
        assert_eq!(p("https://h"), None);
        assert_eq!(p("https://h/"), None);
        assert_eq!(p("https://{env}.h/x"), None);
    }
}
