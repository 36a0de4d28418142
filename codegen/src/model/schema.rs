//! Schemas to shapes and named types.
//!
//! One global rule decides representation: objects with properties, string enums and unions
//! become named types; scalars and arrays stay inline, so a `$ref` to a scalar component carries
//! that component's constraints to every place that uses it. Inline named types take their
//! parent's name plus the property's, which is deterministic and, through [`Scope`], unique.
//!
//! [`Scope`]: crate::naming::Scope

use super::build::{Component, Ctx};
pub(super) use super::compose::enum_of;
use super::compose::Part;
use super::{Additional, Constraints, Field, Shape, Struct, Ty, TypeId, TypeKind};
use crate::diag::Ptr;
use crate::naming::{type_name, value_name, Scope};
use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, AnySchema, ReferenceOr, Schema, SchemaKind, StringType, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

impl Shape {
    /// A shape that accepts anything.
    pub fn any() -> Shape {
        Shape::of(Ty::Any)
    }

    /// A shape of type `ty` with no constraints.
    pub fn of(ty: Ty) -> Shape {
        Shape {
            ty,
            c: Constraints::default(),
            rules: None,
            nullable: false,
            example: None,
        }
    }
}

/// A schema or a reference, whichever container it came in.
#[derive(Clone, Copy)]
pub(super) enum SRef<'s> {
    Ref(&'s str),
    Item(&'s Schema),
}

impl<'s> From<&'s ReferenceOr<Schema>> for SRef<'s> {
    fn from(r: &'s ReferenceOr<Schema>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SRef::Ref(reference),
            ReferenceOr::Item(s) => SRef::Item(s),
        }
    }
}

impl<'s> From<&'s ReferenceOr<Box<Schema>>> for SRef<'s> {
    fn from(r: &'s ReferenceOr<Box<Schema>>) -> Self {
        match r {
            ReferenceOr::Reference { reference } => SRef::Ref(reference),
            ReferenceOr::Item(s) => SRef::Item(s),
        }
    }
}

const COMPONENT_PREFIX: &str = "#/components/schemas/";

/// How deep inline schemas may nest before the model gives up with a diagnostic. The YAML
/// loader already refuses deeper documents; this bounds what references and `allOf` merges
/// can unfold from a shallow one.
pub(super) const MAX_NESTING: usize = 64;

/// The component name a `$ref` points at, unescaped.
fn component_name(reference: &str) -> Option<String> {
    reference
        .strip_prefix(COMPONENT_PREFIX)
        .filter(|n| !n.is_empty() && !n.contains('/'))
        .map(|n| n.replace("~1", "/").replace("~0", "~"))
}

/// Whether a schema becomes a named type rather than an inline shape.
/// Whether `pattern` matches every string (`[\w\W\s]*`, common in these documents): an
/// unanchored pattern that matches the empty string constrains nothing.
fn vacuous(pattern: &str) -> bool {
    let unanchored = ofb_runtime::pattern::lint(pattern)
        .iter()
        .any(|l| matches!(l, ofb_runtime::pattern::PatternLint::Unanchored));
    unanchored && ofb_runtime::pattern::compile_ecma(pattern).is_ok_and(|c| c.is_match(""))
}

fn is_named(s: &Schema) -> bool {
    match &s.schema_kind {
        SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty(),
        SchemaKind::Type(Type::String(st)) => st.enumeration.iter().any(Option::is_some),
        SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::AllOf { .. } => true,
        SchemaKind::Any(a) => {
            !a.properties.is_empty()
                || !a.one_of.is_empty()
                || !a.any_of.is_empty()
                || !a.all_of.is_empty()
                || (a.typ.as_deref() != Some("integer")
                    && a.enumeration.iter().any(Value::is_string))
        }
        _ => false,
    }
}

impl Ctx<'_> {
    /// Reserves a name and an id for every component schema, so references resolve before the
    /// types they point at are defined, and components keep their own names.
    pub(super) fn declare_components(&mut self) {
        let Some(components) = &self.doc.api.components else {
            return;
        };
        for (name, schema) in &components.schemas {
            let ptr = Ptr::root().join("components").join("schemas").join(name);
            let doc = match schema {
                ReferenceOr::Item(s) => s.schema_data.description.clone(),
                ReferenceOr::Reference { .. } => None,
            };
            let id = self.new_type(name, &ptr, doc);
            // A component that is only a `$ref` takes the representation of what it names:
            // an alias of a scalar or array must carry that schema's constraints to its uses.
            let named = match schema {
                ReferenceOr::Reference { reference } => self
                    .resolve(SRef::Ref(reference))
                    .is_none_or(|target| is_named(&target)),
                ReferenceOr::Item(s) => is_named(s),
            };
            let c = if named {
                Component::Named(id)
            } else {
                Component::Inline(id)
            };
            self.types[id.0].nullable = named && self.nullable_component(name);
            self.components.insert(name.clone(), c);
        }
    }

    /// Defines every component type declared by [`Self::declare_components`].
    pub(super) fn define_components(&mut self) {
        let doc = self.doc;
        let Some(components) = &doc.api.components else {
            return;
        };
        for (name, schema) in &components.schemas {
            let ptr = Ptr::root().join("components").join("schemas").join(name);
            let Some(&comp) = self.components.get(name) else {
                continue;
            };
            match (comp, schema) {
                (Component::Named(id), ReferenceOr::Reference { reference }) => {
                    if self.alias_cycle(name, reference, &ptr) {
                        continue;
                    }
                    let shape = self.shape(SRef::Ref(reference), &ptr, name);
                    self.types[id.0].kind = TypeKind::Alias(shape);
                }
                (Component::Named(id), ReferenceOr::Item(s)) => {
                    let hint = self.types[id.0].name.clone();
                    self.define(id, s, &ptr, &hint);
                }
                (Component::Inline(id), ReferenceOr::Item(s)) => {
                    self.inlining.push(name.clone());
                    let shape = self.inline_shape(s, &ptr, name);
                    self.inlining.pop();
                    self.types[id.0].kind = TypeKind::Alias(shape);
                }
                (Component::Inline(id), ReferenceOr::Reference { reference }) => {
                    if self.alias_cycle(name, reference, &ptr) {
                        continue;
                    }
                    self.inlining.push(name.clone());
                    let shape = self.ref_shape(reference, &ptr, name);
                    self.inlining.pop();
                    self.types[id.0].kind = TypeKind::Alias(shape);
                }
            }
        }
    }

    /// Whether the component schema `name` allows `null`: itself, or through the `$ref`s and
    /// `allOf` parts it is made of (every part must allow it, as every part must hold).
    fn nullable_component(&self, name: &str) -> bool {
        let Some(schema) = self
            .doc
            .api
            .components
            .as_ref()
            .and_then(|c| c.schemas.get(name))
        else {
            return false;
        };
        self.allows_null(SRef::from(schema), 0)
    }

    fn allows_null(&self, s: SRef<'_>, depth: usize) -> bool {
        let Some(schema) = self.resolve(s) else {
            return false;
        };
        if schema.schema_data.nullable {
            return true;
        }
        let parts = match &schema.schema_kind {
            SchemaKind::AllOf { all_of } => all_of,
            SchemaKind::Any(a) if a.properties.is_empty() && a.typ.is_none() => &a.all_of,
            _ => return false,
        };
        depth < 16
            && !parts.is_empty()
            && parts
                .iter()
                .all(|p| self.allows_null(SRef::from(p), depth + 1))
    }

    /// Reports a component that is only a chain of `$ref`s leading back to itself.
    fn alias_cycle(&mut self, start: &str, first: &str, ptr: &Ptr) -> bool {
        let mut seen = vec![start.to_owned()];
        let mut reference = first.to_owned();
        let components = self.doc.api.components.as_ref();
        while let Some(next) = component_name(&reference) {
            if seen.contains(&next) {
                seen.push(next);
                self.error(
                    ptr,
                    format!(
                        "cyclic $ref: {} refer to each other with no schema in between",
                        seen.join(" -> ")
                    ),
                );
                return true;
            }
            match components.and_then(|c| c.schemas.get(&next)) {
                Some(ReferenceOr::Reference { reference: r }) => {
                    seen.push(next);
                    reference = r.clone();
                }
                _ => return false,
            }
        }
        false
    }

    /// The shape of a schema or reference found at `ptr`; `hint` names any inline type it needs.
    pub(super) fn shape(&mut self, s: SRef<'_>, ptr: &Ptr, hint: &str) -> Shape {
        match s {
            SRef::Item(schema) => self.inline_shape(schema, ptr, hint),
            SRef::Ref(reference) => self.ref_shape(reference, ptr, hint),
        }
    }

    fn ref_shape(&mut self, reference: &str, ptr: &Ptr, hint: &str) -> Shape {
        self.consume(ptr, &["$ref"]);
        if let Some(name) = component_name(reference) {
            match self.components.get(&name).copied() {
                Some(Component::Named(id)) => {
                    // `nullable` belongs to the schema referred to: OpenAPI 3.0 reads a
                    // reference as that schema, so a `null` it allows is allowed here too.
                    let mut shape = Shape::of(Ty::Named(id));
                    shape.nullable = self.nullable_component(&name);
                    return shape;
                }
                Some(Component::Inline(_)) => {
                    if self.inlining.contains(&name) {
                        self.error(ptr, format!("cyclic $ref through `{name}`: a scalar or array schema contains itself"));
                        return Shape::any();
                    }
                    let doc = self.doc;
                    let tptr = Ptr::root().join("components").join("schemas").join(&name);
                    let target = match doc
                        .api
                        .components
                        .as_ref()
                        .and_then(|c| c.schemas.get(&name))
                    {
                        Some(ReferenceOr::Item(target)) => target,
                        Some(ReferenceOr::Reference { reference: next }) => {
                            self.inlining.push(name.clone());
                            let shape = self.ref_shape(next, &tptr, &name);
                            self.inlining.pop();
                            return shape;
                        }
                        None => return Shape::any(),
                    };
                    self.inlining.push(name.clone());
                    let shape = self.inline_shape(target, &tptr, &name);
                    self.inlining.pop();
                    return shape;
                }
                None => {
                    self.error(
                        ptr,
                        format!("$ref `{reference}` points at no schema in components/schemas"),
                    );
                    return Shape::any();
                }
            }
        }
        if !reference.starts_with('#') {
            self.error(
                ptr,
                format!("$ref `{reference}` points outside the document: external references are not supported; bundle the document first"),
            );
            return Shape::any();
        }
        // Another local pointer: read the schema from the tree and model it in place.
        let target = Ptr::from_ref(reference)
            .and_then(|p| self.doc.json.pointer(p.as_json_pointer()).cloned())
            .map(serde_json::from_value::<Schema>);
        match target {
            Some(Ok(schema)) => {
                let key = reference.to_owned();
                if self.inlining.contains(&key) {
                    self.error(ptr, format!("cyclic $ref through `{reference}`"));
                    return Shape::any();
                }
                self.inlining.push(key);
                // Modelled at its own pointer, so every reference to it shares one type.
                let tptr = Ptr::from_ref(reference).unwrap_or_else(|| ptr.clone());
                let shape = self.inline_shape(&schema, &tptr, hint);
                self.inlining.pop();
                shape
            }
            Some(Err(e)) => {
                self.error(
                    ptr,
                    format!("$ref `{reference}` does not point at a schema: {e}"),
                );
                Shape::any()
            }
            None => {
                self.error(
                    ptr,
                    format!("$ref `{reference}` points at nothing in the document"),
                );
                Shape::any()
            }
        }
    }

    /// The shape of an inline schema; named kinds get a fresh type named after `hint`, the
    /// first time the schema at `ptr` is met. Later visits get the same shape, so one schema is
    /// one type wherever it is used.
    fn inline_shape(&mut self, s: &Schema, ptr: &Ptr, hint: &str) -> Shape {
        if let Some(shape) = self.modelled.get(ptr.as_json_pointer()) {
            return shape.clone();
        }
        if self.nesting >= MAX_NESTING {
            self.error(
                ptr,
                format!(
                    "schemas nest more than {MAX_NESTING} levels deep here, through properties, \
                     items or allOf/oneOf/anyOf: the model stops at that depth"
                ),
            );
            return Shape::any();
        }
        self.nesting += 1;
        let shape = self.inline_shape_within(s, ptr, hint);
        self.nesting -= 1;
        // Only a shape that made a type need be remembered: a scalar modelled again is the
        // same scalar.
        if shape.ty.mentions_named() {
            self.modelled
                .insert(ptr.as_json_pointer().to_owned(), shape.clone());
        }
        shape
    }

    fn inline_shape_within(&mut self, s: &Schema, ptr: &Ptr, hint: &str) -> Shape {
        // `nullable` becomes the shape's (or, for a named type, its uses'), below.
        self.consume(ptr, &["nullable"]);
        let mut shape = if let Some(claims) = self.signed_claims(s, ptr) {
            self.consume(ptr, &["type", "contentMediaType", "contentSchema"]);
            self.token_shape(&claims, ptr, hint)
        } else if is_named(s) {
            let id = self.new_type(hint, ptr, s.schema_data.description.clone());
            let name = self.types[id.0].name.clone();
            self.define(id, s, ptr, &name);
            Shape::of(Ty::Named(id))
        } else {
            self.scalar_shape(s, ptr, hint)
        };
        shape.nullable |= s.schema_data.nullable;
        if let Some(ex) = &s.schema_data.example {
            shape.example = Some((ex.clone(), ptr.join("example").to_string()));
        }
        self.record_example(&shape);
        shape
    }

    /// The `contentSchema` of a string that holds a compact JWS (`contentMediaType:
    /// application/jwt`), read from the document's tree: `openapiv3` keeps no keyword OpenAPI
    /// 3.0 lacks.
    fn signed_claims(&self, s: &Schema, ptr: &Ptr) -> Option<ReferenceOr<Schema>> {
        let is_string = matches!(&s.schema_kind, SchemaKind::Type(Type::String(_)))
            || matches!(&s.schema_kind, SchemaKind::Any(a) if a.typ.as_deref() == Some("string"));
        if !is_string {
            return None;
        }
        let raw = self.doc.json.pointer(ptr.as_json_pointer())?;
        let media = raw.get("contentMediaType").and_then(Value::as_str)?;
        if !media.eq_ignore_ascii_case(crate::model::SIGNED_MEDIA) {
            return None;
        }
        serde_json::from_value(raw.get("contentSchema")?.clone()).ok()
    }

    /// A signed member: the token's text, typed by its claims' schema, which must be an object.
    fn token_shape(&mut self, claims: &ReferenceOr<Schema>, ptr: &Ptr, hint: &str) -> Shape {
        let at = ptr.join("contentSchema");
        let shape = self.shape(SRef::from(claims), &at, &format!("{hint}Claims"));
        // Judged on the schema: a component's type may not be defined yet.
        let object = self.resolve(SRef::from(claims)).is_some_and(|s| {
            matches!(&s.schema_kind, SchemaKind::Type(Type::Object(o)) if !o.properties.is_empty())
                || matches!(&s.schema_kind, SchemaKind::Any(a) if !a.properties.is_empty())
        });
        match shape.ty {
            Ty::Named(id) if object => Shape::of(Ty::Token(id)),
            _ => {
                self.warn(
                    &at,
                    "the claims of a signed member must be an object schema: the member is kept as a plain string",
                );
                Shape::of(Ty::String)
            }
        }
    }

    /// Fills in the named type `id` from schema `s`.
    fn define(&mut self, id: TypeId, s: &Schema, ptr: &Ptr, name: &str) {
        if let Some(ex) = &s.schema_data.example {
            let mut shape = Shape::of(Ty::Named(id));
            shape.example = Some((ex.clone(), ptr.join("example").to_string()));
            self.record_example(&shape);
        }
        // A component's `nullable` is its type's (`TypeDef::nullable`), an inline one's its
        // shape's.
        self.consume(ptr, &["nullable"]);
        let kind = match &s.schema_kind {
            SchemaKind::Type(Type::String(st)) => {
                let values: Vec<String> = st.enumeration.iter().flatten().cloned().collect();
                self.consume(ptr, &["type", "enum"]);
                self.implied_by_enum(&values, st, ptr);
                TypeKind::Enum(enum_of(&values))
            }
            SchemaKind::Type(Type::Object(o)) => {
                let any = AnySchema {
                    properties: o.properties.clone(),
                    required: o.required.clone(),
                    additional_properties: o.additional_properties.clone(),
                    min_properties: o.min_properties,
                    max_properties: o.max_properties,
                    ..AnySchema::default()
                };
                self.object_kind(&any, ptr, name)
            }
            SchemaKind::OneOf { one_of } => {
                self.consume(ptr, &["oneOf", "discriminator"]);
                self.union(
                    one_of,
                    &ptr.join("oneOf"),
                    &[],
                    s.schema_data.discriminator.as_ref(),
                    ptr,
                    name,
                    true,
                )
            }
            SchemaKind::AnyOf { any_of } => {
                self.consume(ptr, &["anyOf", "discriminator"]);
                self.union(
                    any_of,
                    &ptr.join("anyOf"),
                    &[],
                    s.schema_data.discriminator.as_ref(),
                    ptr,
                    name,
                    false,
                )
            }
            SchemaKind::AllOf { all_of } => {
                self.consume(ptr, &["allOf"]);
                self.all_of(&Part::all_of(all_of, ptr), ptr, name)
            }
            SchemaKind::Any(a) => self.any_kind(a, s, ptr, name),
            _ => TypeKind::Alias(self.scalar_shape(s, ptr, name)),
        };
        self.types[id.0].kind = kind;
    }

    /// A schema whose keywords did not fit one `type`: a composition, with whatever object
    /// keywords are written beside it; a string enum without `type`; or an object.
    fn any_kind(&mut self, a: &AnySchema, s: &Schema, ptr: &Ptr, name: &str) -> TypeKind {
        let mut parts = Part::all_of(&a.all_of, ptr);
        parts.extend(Part::siblings(a, ptr));
        // oneOf beside anyOf: the type follows oneOf (the keyword ledger reports anyOf).
        let choice = if !a.one_of.is_empty() {
            Some((&a.one_of, "oneOf", true))
        } else if !a.any_of.is_empty() {
            Some((&a.any_of, "anyOf", false))
        } else {
            None
        };
        if !a.all_of.is_empty() {
            self.consume(ptr, &["allOf"]);
        }
        // `type: object` beside a composition of objects says nothing more.
        if a.typ.as_deref() == Some("object") && self.all_objects(a) {
            self.consume(ptr, &["type"]);
        }
        if let Some((alternatives, key, exclusive)) = choice {
            self.consume(ptr, &[key, "discriminator"]);
            return self.union(
                alternatives,
                &ptr.join(key),
                &parts,
                s.schema_data.discriminator.as_ref(),
                ptr,
                name,
                exclusive,
            );
        }
        if !a.all_of.is_empty() {
            return self.all_of(&parts, ptr, name);
        }
        if a.properties.is_empty() && a.enumeration.iter().any(Value::is_string) {
            self.consume(ptr, &["type", "enum"]);
            let values: Vec<String> = a
                .enumeration
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect();
            return TypeKind::Enum(enum_of(&values));
        }
        self.object_kind(a, ptr, name)
    }

    pub(super) fn object_kind(&mut self, o: &AnySchema, ptr: &Ptr, name: &str) -> TypeKind {
        self.object_kind_from(o, &IndexMap::new(), ptr, name)
    }

    /// [`Self::object_kind`] of an object merged from several parts: `origins` says where each
    /// property is written (by default, under `ptr`), so that its type, its example and what is
    /// said about it point at the document's own place.
    pub(super) fn object_kind_from(
        &mut self,
        o: &AnySchema,
        origins: &IndexMap<String, Ptr>,
        ptr: &Ptr,
        name: &str,
    ) -> TypeKind {
        self.consume(ptr, &["type"]);
        self.consume(ptr, super::keywords::OBJECT);
        if let Some(env) = self.envelope(o, ptr, name) {
            return env;
        }
        let mut scope = Scope::with_reserved(&["additional_properties"]);
        let mut fields = Vec::new();
        for (wire, prop) in &o.properties {
            let pptr = origins
                .get(wire)
                .cloned()
                .unwrap_or_else(|| ptr.join("properties").join(wire));
            let hint = format!("{name}{}", type_name(wire));
            let sref = SRef::from(prop);
            let shape = self.shape(sref, &pptr, &hint);
            let (mut doc, deprecated) = match prop {
                ReferenceOr::Item(s) => {
                    (s.schema_data.description.clone(), s.schema_data.deprecated)
                }
                ReferenceOr::Reference { .. } => (None, false),
            };
            let data = self.resolve(sref).map(|s| s.schema_data);
            let default = data
                .as_ref()
                .and_then(|d| d.default.as_ref())
                .map(Value::to_string);
            if let Some(default) = &default {
                let line = format!(
                    "Default: `{default}` (the value a reader assumes when the member is absent)."
                );
                doc = Some(match doc {
                    Some(d) => format!("{d}\n\n{line}"),
                    None => line,
                });
            }
            // A member the server writes (`readOnly`) is absent from requests, and one the
            // client writes (`writeOnly`) from responses; one type serves both, so neither is
            // required of it.
            let written = self.written_at(sref, &pptr);
            self.consume(&written, &["readOnly", "writeOnly"]);
            let one_way = data.as_ref().is_some_and(|d| d.read_only || d.write_only);
            fields.push(Field {
                name: scope.claim(&value_name(wire)),
                wire: wire.clone(),
                doc,
                shape,
                required: o.required.contains(wire) && !one_way,
                deprecated,
                boxed: false,
                default,
            });
        }
        // JSON Schema requires a member `required` names even where `properties` never
        // declares it: it is carried as any JSON value, so answers can satisfy the document.
        for req in &o.required {
            if o.properties.contains_key(req) || fields.iter().any(|f| &f.wire == req) {
                continue;
            }
            self.warn(
                &ptr.join("required"),
                format!("`{req}` is listed in `required` but is not among the properties: it is carried as a required member of any JSON value"),
            );
            fields.push(Field {
                name: scope.claim(&value_name(req)),
                wire: req.clone(),
                doc: Some(String::from(
                    "Required by the schema, which declares no type for it: any JSON value.",
                )),
                shape: Shape::any(),
                required: true,
                deprecated: false,
                boxed: false,
                default: None,
            });
        }
        let additional = match &o.additional_properties {
            Some(AdditionalProperties::Any(false)) => Additional::Forbidden,
            Some(AdditionalProperties::Any(true)) => Additional::Kept(Box::new(Shape::any())),
            Some(AdditionalProperties::Schema(s)) => {
                let sref = match s.as_ref() {
                    ReferenceOr::Reference { reference } => SRef::Ref(reference),
                    ReferenceOr::Item(s) => SRef::Item(s),
                };
                let shape = self.shape(
                    sref,
                    &ptr.join("additionalProperties"),
                    &format!("{name}Value"),
                );
                Additional::Kept(Box::new(shape))
            }
            None => Additional::Ignored,
        };
        TypeKind::Struct(Struct {
            fields,
            additional,
            min_properties: o.min_properties.map(|n| n as u64),
            max_properties: o.max_properties.map(|n| n as u64),
            kept_rules: None,
        })
    }

    /// Recognises the Open Finance error envelope: `errors` (an array of objects with string
    /// `code`, `title` and `detail`) and optionally `meta`, nothing else.
    fn envelope(&mut self, o: &AnySchema, ptr: &Ptr, name: &str) -> Option<TypeKind> {
        let keys: Vec<&str> = o.properties.keys().map(String::as_str).collect();
        if !(keys == ["errors"] || keys == ["errors", "meta"])
            || !o.required.iter().any(|r| r == "errors")
        {
            return None;
        }
        let errors = self.resolve(SRef::from(o.properties.get("errors")?))?;
        let SchemaKind::Type(Type::Array(arr)) = &errors.schema_kind else {
            return None;
        };
        let item = self.resolve(SRef::from(arr.items.as_ref()?))?;
        let SchemaKind::Type(Type::Object(item)) = &item.schema_kind else {
            return None;
        };
        // Plain strings only: an envelope whose `code` is an enum says more than the shared
        // type can, so it stays a struct of its own.
        // The shared type checks the limits the regulation gives every envelope; one whose
        // document says otherwise (another bound, a pattern, a format) keeps a type of its own,
        // which checks what its document says.
        let limits = [("code", 255), ("title", 255), ("detail", 2048)];
        let strings = limits.iter().all(|(k, max)| {
            item.required.iter().any(|r| r == k)
                && matches!(
                    item.properties
                        .get(*k)
                        .and_then(|p| self.resolve(SRef::from(p))),
                    Some(ref s @ Schema {
                        schema_kind: SchemaKind::Type(Type::String(StringType {
                            min_length: None,
                            max_length: Some(m),
                            ref pattern,
                            format: VariantOrUnknownOrEmpty::Empty,
                            ..
                        })),
                        ..
                    }) if !is_named(s) && m == *max && pattern.as_deref().is_none_or(vacuous)
                )
        });
        if !strings
            || item.properties.len() != 3
            || arr.min_items != Some(1)
            || arr.max_items != Some(13)
            || arr.unique_items
        {
            return None;
        }
        // The shared type tolerates members it does not declare; an envelope that forbids
        // them (anywhere) keeps a type of its own, which reports them.
        let forbids =
            |a: &Option<AdditionalProperties>| matches!(a, Some(AdditionalProperties::Any(false)));
        let meta_forbids = o
            .properties
            .get("meta")
            .and_then(|m| self.resolve(SRef::from(m)))
            .is_some_and(|m| match &m.schema_kind {
                SchemaKind::Type(Type::Object(mo)) => forbids(&mo.additional_properties),
                SchemaKind::Any(a) => forbids(&a.additional_properties),
                _ => false,
            });
        if forbids(&o.additional_properties) || forbids(&item.additional_properties) || meta_forbids
        {
            return None;
        }
        // The envelope becomes the runtime's type, but the examples the document gives inside
        // it are still checked against their own schemas.
        let errors_ptr = self.written_at(
            SRef::from(o.properties.get("errors")?),
            &ptr.join("properties").join("errors"),
        );
        let items_ptr = self.written_at(SRef::from(arr.items.as_ref()?), &errors_ptr.join("items"));
        // The shared type checks these, as the regulation gives them (compared above).
        self.consume(&ptr.join("properties").join("errors"), &["$ref"]);
        self.consume(&errors_ptr.join("items"), &["$ref"]);
        self.consume(&errors_ptr, &["type", "items", "minItems", "maxItems"]);
        self.consume(
            &items_ptr,
            &["type", "properties", "required", "additionalProperties"],
        );
        for (k, p) in &item.properties {
            self.shape(
                SRef::from(p),
                &items_ptr.join("properties").join(k),
                &format!("{name}{}", type_name(k)),
            );
        }
        let meta = o.properties.get("meta").map(|m| {
            let mptr = ptr.join("properties").join("meta");
            self.shape(SRef::from(m), &mptr, &format!("{name}Meta"))
        });
        Some(TypeKind::Envelope { meta })
    }

    /// Records the string keywords beside a string enum that every listed value satisfies: they
    /// are then implied by the enum, which the generated type checks. One that a listed value
    /// breaks is left for the ledger to report.
    fn implied_by_enum(&mut self, values: &[String], st: &StringType, ptr: &Ptr) {
        let len = |v: &String| v.chars().count();
        if st
            .min_length
            .is_none_or(|m| values.iter().all(|v| len(v) >= m))
        {
            self.consume(ptr, &["minLength"]);
        }
        if st
            .max_length
            .is_none_or(|m| values.iter().all(|v| len(v) <= m))
        {
            self.consume(ptr, &["maxLength"]);
        }
        let pattern_holds = st.pattern.as_deref().is_none_or(|p| {
            ofb_runtime::pattern::compile_ecma(p)
                .is_ok_and(|c| values.iter().all(|v| c.is_match(v)))
        });
        if pattern_holds {
            self.consume(ptr, &["pattern"]);
        }
    }

    /// Whether every part and alternative of the composition `a` is an object schema.
    fn all_objects(&self, a: &AnySchema) -> bool {
        a.all_of.iter().chain(&a.one_of).chain(&a.any_of).all(|p| {
            match self.resolve(SRef::from(p)).map(|s| s.schema_kind) {
                Some(SchemaKind::Type(Type::Object(_))) => true,
                Some(SchemaKind::Any(x)) => {
                    x.typ.as_deref() == Some("object")
                        || (x.typ.is_none() && !x.properties.is_empty())
                }
                Some(SchemaKind::AllOf { .. }) => true,
                _ => false,
            }
        })
    }

    /// Where the schema `s` (written at `at`) is written in the document once its `$ref`s are
    /// followed: the pointer its own keywords live under.
    pub(super) fn written_at(&self, s: SRef<'_>, at: &Ptr) -> Ptr {
        let SRef::Ref(first) = s else {
            return at.clone();
        };
        let mut reference = first.to_owned();
        for _ in 0..32 {
            let Some(ptr) = Ptr::from_ref(&reference) else {
                return at.clone();
            };
            match self
                .doc
                .json
                .pointer(ptr.as_json_pointer())
                .and_then(|v| v.get("$ref"))
                .and_then(Value::as_str)
            {
                Some(next) => reference = next.to_owned(),
                None => return ptr,
            }
        }
        at.clone()
    }

    /// Follows `$ref`s to the schema they name (local references only), at most 32 hops.
    pub(super) fn resolve(&self, s: SRef<'_>) -> Option<Schema> {
        let mut reference = match s {
            SRef::Item(schema) => return Some(schema.clone()),
            SRef::Ref(r) => r.to_owned(),
        };
        for _ in 0..32 {
            let ptr = Ptr::from_ref(&reference)?;
            let value = self.doc.json.pointer(ptr.as_json_pointer())?;
            match value.get("$ref").and_then(Value::as_str) {
                Some(next) => reference = next.to_owned(),
                None => return serde_json::from_value(value.clone()).ok(),
            }
        }
        None
    }
}
