//! Scalars with their constraints, unions (`oneOf`/`anyOf`) and `allOf` merges.

use super::build::Ctx;
use super::keywords;
use super::schema::SRef;
use super::{
    Constraints, Discriminator, EnumVariant, Format, Shape, StrEnum, Ty, TypeKind, Union,
    UnionVariant,
};
use crate::diag::Ptr;
use crate::naming::{type_name, Scope};
use indexmap::IndexMap;
use ofb_runtime::pattern::PatternLint;
use openapiv3::{
    AdditionalProperties, AnySchema, ReferenceOr, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};
use serde_json::Value;

/// `s` with control characters escaped, so a diagnostic stays on one line.
fn printable(s: &str) -> String {
    s.chars()
        .flat_map(|c| match c {
            '\n' => vec!['\\', 'n'],
            '\r' => vec!['\\', 'r'],
            '\t' => vec!['\\', 't'],
            c => vec![c],
        })
        .collect()
}

/// A string enum's variants; the catch-all is reserved first so a wire value `UNKNOWN` cannot
/// take its name.
pub(crate) fn enum_of(values: &[String]) -> StrEnum {
    let mut scope = Scope::with_reserved(&["Unknown"]);
    let mut variants: Vec<EnumVariant> = Vec::new();
    for v in values {
        if variants.iter().any(|e| &e.wire == v) {
            continue;
        }
        variants.push(EnumVariant {
            name: scope.claim(&type_name(v)),
            wire: v.clone(),
        });
    }
    StrEnum {
        variants,
        unknown: String::from("Unknown"),
    }
}

impl Ctx<'_> {
    /// The shape of a schema that does not become a named type.
    pub(super) fn scalar_shape(&mut self, s: &Schema, ptr: &Ptr, hint: &str) -> Shape {
        let read: &[&'static str] = match &s.schema_kind {
            SchemaKind::Type(Type::String(_)) => keywords::STRING,
            SchemaKind::Type(Type::Number(_) | Type::Integer(_)) => keywords::NUMBER,
            SchemaKind::Type(Type::Boolean(_)) => &["enum"],
            // No `properties` here (an object that has some is a named type).
            SchemaKind::Type(Type::Object(_)) => keywords::MAP,
            SchemaKind::Type(Type::Array(_)) => keywords::ARRAY,
            _ => &[],
        };
        if let SchemaKind::Type(_) = &s.schema_kind {
            self.consume(ptr, &["type"]);
        }
        self.consume(ptr, read);
        match &s.schema_kind {
            SchemaKind::Type(Type::String(st)) => {
                let format = match &st.format {
                    VariantOrUnknownOrEmpty::Item(StringFormat::Date) => "date",
                    VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => "date-time",
                    VariantOrUnknownOrEmpty::Item(StringFormat::Byte) => "byte",
                    VariantOrUnknownOrEmpty::Item(StringFormat::Password) => "password",
                    VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => "binary",
                    VariantOrUnknownOrEmpty::Unknown(f) => f.as_str(),
                    VariantOrUnknownOrEmpty::Empty => "",
                };
                self.string_shape(
                    format,
                    st.pattern.as_deref(),
                    st.min_length,
                    st.max_length,
                    ptr,
                )
            }
            SchemaKind::Type(Type::Number(n)) => {
                let mut shape = Shape::of(Ty::Number);
                shape.c.minimum = n.minimum;
                shape.c.maximum = n.maximum;
                shape.c.exclusive_minimum = n.exclusive_minimum;
                shape.c.exclusive_maximum = n.exclusive_maximum;
                shape.c.multiple_of = n.multiple_of;
                shape.c.num_enum = n.enumeration.iter().flatten().copied().collect();
                shape
            }
            SchemaKind::Type(Type::Integer(i)) => {
                let int32 = matches!(
                    i.format,
                    VariantOrUnknownOrEmpty::Item(openapiv3::IntegerFormat::Int32)
                );
                let mut shape = Shape::of(if int32 { Ty::Int32 } else { Ty::Int64 });
                shape.c.minimum = i.minimum.map(|m| m as f64);
                shape.c.maximum = i.maximum.map(|m| m as f64);
                shape.c.exclusive_minimum = i.exclusive_minimum;
                shape.c.exclusive_maximum = i.exclusive_maximum;
                shape.c.multiple_of = i.multiple_of.map(|m| m as f64);
                shape.c.num_enum = i.enumeration.iter().flatten().map(|&v| v as f64).collect();
                shape
            }
            SchemaKind::Type(Type::Boolean(b)) => {
                let mut shape = Shape::of(Ty::Bool);
                shape.c.bool_enum = b.enumeration.iter().flatten().copied().collect();
                shape
            }
            SchemaKind::Type(Type::Object(o)) => self.map_shape(
                o.additional_properties.as_ref(),
                o.min_properties,
                o.max_properties,
                ptr,
                hint,
            ),
            SchemaKind::Type(Type::Array(a)) => self.array_shape(
                a.items.as_ref(),
                a.min_items,
                a.max_items,
                a.unique_items,
                ptr,
                hint,
            ),
            // Reported by the keyword ledger: any value is accepted here.
            SchemaKind::Not { .. } => Shape::any(),
            SchemaKind::Any(a) => self.loose_shape(a, ptr, hint),
            // Named kinds never reach here; model them as anything rather than panic.
            SchemaKind::OneOf { .. } | SchemaKind::AnyOf { .. } | SchemaKind::AllOf { .. } => {
                Shape::any()
            }
        }
    }

    /// An array of `items` (anything when the schema names none).
    fn array_shape(
        &mut self,
        items: Option<&ReferenceOr<Box<Schema>>>,
        min: Option<usize>,
        max: Option<usize>,
        unique: bool,
        ptr: &Ptr,
        hint: &str,
    ) -> Shape {
        let item = match items {
            Some(items) => self.shape(
                SRef::from(items),
                &ptr.join("items"),
                &format!("{hint}Item"),
            ),
            None => Shape::any(),
        };
        let mut shape = Shape::of(Ty::Array(Box::new(item)));
        if let Some(n) = min.filter(|n| *n as u64 > super::example::MAX_EXAMPLE_ITEMS) {
            self.warn(
                &ptr.join("minItems"),
                format!(
                    "minItems {n}: examples hold at most {} items, so the composed example breaks this rule",
                    super::example::MAX_EXAMPLE_ITEMS
                ),
            );
        }
        shape.c.min_items = min.map(|n| n as u64);
        shape.c.max_items = max.map(|n| n as u64);
        shape.c.unique_items = unique;
        shape
    }

    /// A schema whose keywords did not fit one `type` (or that has no `type`).
    fn loose_shape(&mut self, a: &AnySchema, ptr: &Ptr, hint: &str) -> Shape {
        match a.typ.as_deref() {
            None | Some("string" | "number" | "integer" | "boolean" | "object" | "array") => {}
            Some(other) => {
                self.error(
                    &ptr.join("type"),
                    format!("unknown type `{other}`: expected string, number, integer, boolean, object or array"),
                );
                return Shape::any();
            }
        }
        self.consume(ptr, &["type"]);
        // `type` says what the value is; keywords of another type beside it (`items` on a
        // string, `additionalProperties` on a string) constrain nothing a valid value has.
        if let Some(t) = a.typ.as_deref() {
            // Said once here, in a warning; they change nothing a valid value may be.
            self.consume(ptr, &["items", "additionalProperties"]);
            if t != "array" && a.items.is_some() {
                self.warn(
                    &ptr.join("items"),
                    format!("`items` beside `type: {t}` applies to arrays only: the type wins and `items` is ignored"),
                );
            }
            if t != "object" && a.additional_properties.is_some() {
                self.warn(
                    &ptr.join("additionalProperties"),
                    format!("`additionalProperties` beside `type: {t}` applies to objects only: the type wins and it is ignored"),
                );
            }
        }
        let typed = |t: &str| a.typ.is_none() || a.typ.as_deref() == Some(t);
        if (a.items.is_some() && typed("array")) || a.typ.as_deref() == Some("array") {
            self.consume(ptr, keywords::ARRAY);
            let unique = a.unique_items.unwrap_or(false);
            return self.array_shape(
                a.items.as_ref(),
                a.min_items,
                a.max_items,
                unique,
                ptr,
                hint,
            );
        }
        if (a.additional_properties.is_some() && typed("object"))
            || a.typ.as_deref() == Some("object")
        {
            // No `properties` here (a schema that has some is a named type).
            self.consume(ptr, keywords::MAP);
            return self.map_shape(
                a.additional_properties.as_ref(),
                a.min_properties,
                a.max_properties,
                ptr,
                hint,
            );
        }
        let numeric = |ty: Ty| {
            let mut shape = Shape::of(ty);
            shape.c.minimum = a.minimum;
            shape.c.maximum = a.maximum;
            shape.c.exclusive_minimum = a.exclusive_minimum.unwrap_or(false);
            shape.c.exclusive_maximum = a.exclusive_maximum.unwrap_or(false);
            shape.c.multiple_of = a.multiple_of;
            shape.c.num_enum = a.enumeration.iter().filter_map(Value::as_f64).collect();
            shape
        };
        let read: &[&'static str] = match a.typ.as_deref() {
            Some("integer" | "number") => keywords::NUMBER,
            Some("boolean") => &["enum"],
            _ if a.typ.as_deref() == Some("string")
                || a.pattern.is_some()
                || a.min_length.is_some()
                || a.max_length.is_some() =>
            {
                keywords::STRING
            }
            _ => &[],
        };
        self.consume(ptr, read);
        match a.typ.as_deref() {
            Some("integer") => numeric(Ty::Int64),
            Some("number") => numeric(Ty::Number),
            Some("boolean") => {
                let mut shape = Shape::of(Ty::Bool);
                shape.c.bool_enum = a.enumeration.iter().filter_map(Value::as_bool).collect();
                shape
            }
            Some("string") => self.string_shape(
                a.format.as_deref().unwrap_or(""),
                a.pattern.as_deref(),
                a.min_length,
                a.max_length,
                ptr,
            ),
            _ if a.pattern.is_some() || a.min_length.is_some() || a.max_length.is_some() => self
                .string_shape(
                    a.format.as_deref().unwrap_or(""),
                    a.pattern.as_deref(),
                    a.min_length,
                    a.max_length,
                    ptr,
                ),
            _ => Shape::any(),
        }
    }

    fn map_shape(
        &mut self,
        additional: Option<&AdditionalProperties>,
        min: Option<usize>,
        max: Option<usize>,
        ptr: &Ptr,
        hint: &str,
    ) -> Shape {
        let mut shape = match additional {
            Some(AdditionalProperties::Schema(s)) => {
                let sref = match s.as_ref() {
                    ReferenceOr::Reference { reference } => SRef::Ref(reference),
                    ReferenceOr::Item(s) => SRef::Item(s),
                };
                let value = self.shape(
                    sref,
                    &ptr.join("additionalProperties"),
                    &format!("{hint}Value"),
                );
                Shape::of(Ty::Map(Box::new(value)))
            }
            _ => Shape::of(Ty::Object),
        };
        shape.c.min_properties = min.map(|n| n as u64);
        shape.c.max_properties = max.map(|n| n as u64);
        // No properties and no others allowed: only `{}` is valid.
        if matches!(additional, Some(AdditionalProperties::Any(false))) {
            shape.c.max_properties = Some(0);
        }
        shape
    }

    fn string_shape(
        &mut self,
        format: &str,
        pattern: Option<&str>,
        min: Option<usize>,
        max: Option<usize>,
        ptr: &Ptr,
    ) -> Shape {
        let mut c = Constraints {
            min_length: min.map(|n| n as u64),
            max_length: max.map(|n| n as u64),
            ..Constraints::default()
        };
        c.secret = format == "password";
        if let Some(n) = min.filter(|n| *n as u64 > super::example::MAX_EXAMPLE_LENGTH) {
            self.warn(
                &ptr.join("minLength"),
                format!(
                    "minLength {n}: examples are composed up to {} characters, so the composed example breaks this rule",
                    super::example::MAX_EXAMPLE_LENGTH
                ),
            );
        }
        let ty = match format {
            "" | "password" | "binary" => Ty::String,
            "date" => Ty::Date,
            "date-time" => Ty::DateTime,
            "double" | "float" => Ty::Decimal,
            other => {
                match Format::from_name(other) {
                    Some(f) => c.format = Some(f),
                    None => self.warn(
                        &ptr.join("format"),
                        format!("unknown string format `{other}`: the value is kept as a plain string and its format is not checked"),
                    ),
                }
                Ty::String
            }
        };
        if let Some(p) = pattern {
            c.pattern = self.checked_pattern(p, &ptr.join("pattern"));
        }
        Shape {
            ty,
            c,
            rules: None,
            nullable: false,
            example: None,
        }
    }

    /// A pattern's index in the table, or `None` (with a warning) when it cannot be checked.
    fn checked_pattern(&mut self, source: &str, ptr: &Ptr) -> Option<usize> {
        // A pattern seen before was judged then (its warnings name the first place it
        // appears); the documents repeat a handful of patterns hundreds of times.
        if let Some(index) = self.patterns.get_index_of(source) {
            return Some(index);
        }
        if self.unchecked_patterns.contains(source) {
            return None;
        }
        match self.judge_pattern(source, ptr) {
            Some(compiled) => Some(self.pattern(source, compiled)),
            None => {
                self.unchecked_patterns.insert(source.to_owned());
                None
            }
        }
    }

    /// Compiles and lints a pattern met for the first time; `None` when it is not checked.
    fn judge_pattern(&mut self, source: &str, ptr: &Ptr) -> Option<ofb_runtime::pattern::Compiled> {
        let shown = printable(source);
        // The generator only checks a few short examples with it: the ECMA engine is quick to
        // build. (It accepts what the generated crates' engine choice accepts.)
        let compiled = match ofb_runtime::pattern::compile_ecma(source) {
            Ok(c) => c,
            Err(e) => {
                self.warn(
                    ptr,
                    format!("pattern cannot be compiled, so it is not checked: {e}"),
                );
                return None;
            }
        };
        for lint in ofb_runtime::pattern::lint(source) {
            match lint {
                // An unanchored pattern that matches the empty string matches every string
                // (`[\w\W\s]*`, common in these documents): it constrains nothing, so no check
                // is emitted and there is nothing to warn about.
                PatternLint::Unanchored if compiled.is_match("") => return None,
                PatternLint::Unanchored => self.warn(
                    ptr,
                    format!("pattern `{shown}` is not anchored: it accepts any string that merely contains a match"),
                ),
                PatternLint::Unmatchable { reason } => {
                    self.warn(
                        ptr,
                        format!("pattern `{shown}` can match no string ({reason}); it is not checked; correct it with an overlay"),
                    );
                    return None;
                }
            }
        }
        Some(compiled)
    }

    /// `oneOf`/`anyOf` as a union type. Each alternative is one variant; where `extra` holds
    /// parts every instance must also satisfy (the object keywords written beside the
    /// alternatives, or the other parts of an `allOf` holding them), each variant is the merge
    /// of its alternative with all of them, so that no member of either is lost.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn union(
        &mut self,
        alternatives: &[ReferenceOr<Schema>],
        at: &Ptr,
        extra: &[Part],
        discriminator: Option<&openapiv3::Discriminator>,
        ptr: &Ptr,
        name: &str,
        exclusive: bool,
    ) -> TypeKind {
        if extra.is_empty() {
            return self.union_within(alternatives, at, extra, discriminator, ptr, name, exclusive);
        }
        // Merging alternatives with the other parts can unfold references without end (a
        // choice among choices that name each other): the same guard as inline nesting.
        if self.nesting >= super::schema::MAX_NESTING {
            self.error(
                ptr,
                format!(
                    "compositions nest more than {} levels deep here: the model stops at that depth",
                    super::schema::MAX_NESTING
                ),
            );
            return TypeKind::Alias(Shape::any());
        }
        self.nesting += 1;
        let kind = self.union_within(alternatives, at, extra, discriminator, ptr, name, exclusive);
        self.nesting -= 1;
        kind
    }

    #[allow(clippy::too_many_arguments)]
    fn union_within(
        &mut self,
        alternatives: &[ReferenceOr<Schema>],
        at: &Ptr,
        extra: &[Part],
        discriminator: Option<&openapiv3::Discriminator>,
        ptr: &Ptr,
        name: &str,
        exclusive: bool,
    ) -> TypeKind {
        let mut scope = Scope::default();
        let mut variants = Vec::new();
        let mut refs = Vec::new();
        for (i, part) in alternatives.iter().enumerate() {
            let vptr = at.join(i.to_string());
            let base = match part {
                ReferenceOr::Reference { reference } => {
                    type_name(reference.rsplit('/').next().unwrap_or(reference))
                }
                ReferenceOr::Item(p) => match (&p.schema_data.title, &p.schema_kind) {
                    (Some(t), _) => type_name(t),
                    (None, SchemaKind::Type(Type::String(_))) => String::from("String"),
                    (None, SchemaKind::Type(Type::Integer(_))) => String::from("Integer"),
                    (None, SchemaKind::Type(Type::Number(_))) => String::from("Number"),
                    (None, SchemaKind::Type(Type::Boolean(_))) => String::from("Boolean"),
                    (None, SchemaKind::Type(Type::Array(_))) => String::from("Array"),
                    _ => format!("Variant{}", i + 1),
                },
            };
            let vname = scope.claim(&base);
            let hint = format!("{name}{vname}");
            let shape = if extra.is_empty() {
                self.shape(SRef::from(part), &vptr, &hint)
            } else {
                let doc = match part {
                    ReferenceOr::Item(p) => p.schema_data.description.clone(),
                    ReferenceOr::Reference { .. } => None,
                };
                let id = self.new_type(&hint, &vptr, doc);
                let tname = self.types[id.0].name.clone();
                let mut parts = vec![Part {
                    schema: part.clone(),
                    at: vptr.clone(),
                }];
                parts.extend(extra.iter().cloned());
                let kind = self.all_of(&parts, &vptr, &tname);
                self.types[id.0].kind = kind;
                Shape::of(Ty::Named(id))
            };
            refs.push(match part {
                ReferenceOr::Reference { reference } => Some(reference.clone()),
                ReferenceOr::Item(_) => None,
            });
            variants.push(UnionVariant {
                name: vname,
                shape,
                boxed: false,
            });
        }
        let discriminator = discriminator.map(|d| {
            let mut mapping: Vec<(String, usize)> = Vec::new();
            let explicit: IndexMap<String, String> = d.mapping.clone();
            if explicit.is_empty() {
                for (i, r) in refs.iter().enumerate() {
                    if let Some(r) = r {
                        let tag = r.rsplit('/').next().unwrap_or(r).to_owned();
                        mapping.push((tag, i));
                    }
                }
            } else {
                for (tag, target) in &explicit {
                    let full = if target.starts_with('#') {
                        target.clone()
                    } else {
                        format!("#/components/schemas/{target}")
                    };
                    match refs.iter().position(|r| r.as_deref() == Some(full.as_str())) {
                        Some(i) => mapping.push((tag.clone(), i)),
                        None => self.warn(
                            &ptr.join("discriminator").join("mapping").join(tag),
                            format!("discriminator value `{tag}` maps to `{target}`, which is not one of the alternatives; it is ignored"),
                        ),
                    }
                }
            }
            Discriminator {
                property: d.property_name.clone(),
                mapping,
            }
        });
        TypeKind::Union(Union {
            variants,
            discriminator,
            exclusive,
        })
    }

    /// `allOf` (with any object keywords written beside it, as one more part): object parts
    /// merge into one struct; a single part is an alias; a part that is itself a choice
    /// (`oneOf`/`anyOf`) makes the whole a union, each alternative merged with the other parts.
    pub(super) fn all_of(&mut self, parts: &[Part], ptr: &Ptr, name: &str) -> TypeKind {
        if let [only] = parts {
            return TypeKind::Alias(self.shape(SRef::from(&only.schema), &only.at, name));
        }
        for (k, part) in parts.iter().enumerate() {
            let Some(resolved) = self.resolve(SRef::from(&part.schema)) else {
                continue;
            };
            let Some((alternatives, exclusive, key)) = alternatives(&resolved) else {
                continue;
            };
            // The choice's own pointer: where its alternatives are written.
            let at = match &part.schema {
                ReferenceOr::Reference { reference } => {
                    Ptr::from_ref(reference).unwrap_or_else(|| part.at.clone())
                }
                ReferenceOr::Item(_) => part.at.clone(),
            };
            let mut rest: Vec<Part> = parts
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, p)| p.clone())
                .collect();
            if let SchemaKind::Any(a) = &resolved.schema_kind {
                rest.extend(Part::all_of(&a.all_of, &at));
                rest.extend(Part::siblings(a, &at));
            }
            let discriminator = resolved.schema_data.discriminator.clone();
            self.consume(&at, &[key, "discriminator", "nullable"]);
            return self.union(
                alternatives,
                &at.join(key),
                &rest,
                discriminator.as_ref(),
                ptr,
                name,
                exclusive,
            );
        }
        let mut merged = AnySchema::default();
        let mut origins = IndexMap::new();
        let mut ok = true;
        let mut components = Vec::new();
        for part in parts {
            if let ReferenceOr::Reference { reference } = &part.schema {
                if let Some(name) = reference.strip_prefix("#/components/schemas/") {
                    if self.merging.iter().any(|m| m == name) {
                        self.error(
                            &part.at,
                            format!(
                                "allOf includes `{name}` inside one of `{name}`'s own properties: \
                                 the merged type would contain itself without end; refer to \
                                 `{name}` with $ref alone there"
                            ),
                        );
                        continue;
                    }
                    components.push(name.to_owned());
                }
            }
            ok &= self.merge_into(
                &mut merged,
                &mut origins,
                SRef::from(&part.schema),
                &part.at,
                0,
            );
        }
        if !ok {
            self.warn(
                &ptr.join("allOf"),
                "allOf mixes objects with other kinds of schema: only the object parts are kept",
            );
        }
        let depth = self.merging.len();
        self.merging.extend(components);
        let kind = self.object_kind_from(&merged, &origins, ptr, name);
        self.merging.truncate(depth);
        kind
    }

    /// Merges the object keywords of `part` (written at `ptr`) into `merged`, recording in
    /// `origins` where each property is written in the document.
    fn merge_into(
        &mut self,
        merged: &mut AnySchema,
        origins: &mut IndexMap<String, Ptr>,
        part: SRef<'_>,
        ptr: &Ptr,
        depth: usize,
    ) -> bool {
        let Some(schema) = self.resolve(part) else {
            if let SRef::Ref(r) = part {
                self.error(ptr, format!("$ref `{r}` points at nothing in the document"));
            }
            return false;
        };
        // Where the part's keywords are written: a reference's target, else the part itself.
        if let SRef::Ref(_) = part {
            self.consume(ptr, &["$ref"]);
        }
        let ptr = &self.written_at(part, ptr);
        let mut ok = true;
        let (props, required, additional, min, max) = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => (
                &o.properties,
                &o.required,
                &o.additional_properties,
                o.min_properties,
                o.max_properties,
            ),
            SchemaKind::Any(a) if a.one_of.is_empty() && a.any_of.is_empty() => {
                if !a.all_of.is_empty() {
                    if depth >= 16 {
                        return false;
                    }
                    for (i, p) in a.all_of.iter().enumerate() {
                        ok &= self.merge_into(
                            merged,
                            origins,
                            SRef::from(p),
                            &ptr.join("allOf").join(i.to_string()),
                            depth + 1,
                        );
                    }
                }
                (
                    &a.properties,
                    &a.required,
                    &a.additional_properties,
                    a.min_properties,
                    a.max_properties,
                )
            }
            SchemaKind::AllOf { all_of } if depth < 16 => {
                self.consume(ptr, &["allOf", "nullable"]);
                for (i, p) in all_of.iter().enumerate() {
                    ok &= self.merge_into(
                        merged,
                        origins,
                        SRef::from(p),
                        &ptr.join("allOf").join(i.to_string()),
                        depth + 1,
                    );
                }
                return ok;
            }
            _ => return false,
        };
        // Every part must hold: its object keywords are merged below, and its `nullable` only
        // lets `null` through where every other part does too (see `allows_null`).
        self.consume(ptr, keywords::OBJECT);
        self.consume(ptr, &["type", "allOf", "nullable"]);
        for (k, v) in props {
            if !merged.properties.contains_key(k) {
                merged.properties.insert(k.clone(), v.clone());
                origins.insert(k.clone(), ptr.join("properties").join(k));
            }
        }
        for r in required {
            if !merged.required.contains(r) {
                merged.required.push(r.clone());
            }
        }
        if matches!(additional, Some(AdditionalProperties::Any(false))) {
            merged.additional_properties = Some(AdditionalProperties::Any(false));
        }
        // Every part must hold, so the tightest bound of each kind is the merged one.
        merged.min_properties = merged.min_properties.max(min);
        merged.max_properties = match (merged.max_properties, max) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        ok
    }
}

/// One part an instance must satisfy (of an `allOf`, or the keywords beside a composition),
/// with the pointer it is written at.
#[derive(Clone)]
pub(super) struct Part {
    /// The part's schema.
    pub schema: ReferenceOr<Schema>,
    /// Where it is written.
    pub at: Ptr,
}

impl Part {
    /// The parts of `allOf` written at `ptr`.
    pub(super) fn all_of(parts: &[ReferenceOr<Schema>], ptr: &Ptr) -> Vec<Part> {
        parts
            .iter()
            .enumerate()
            .map(|(i, p)| Part {
                schema: p.clone(),
                at: ptr.join("allOf").join(i.to_string()),
            })
            .collect()
    }

    /// The object keywords written beside `allOf`/`oneOf`/`anyOf` at `ptr`, as one more part
    /// every instance must satisfy; `None` when there are none. JSON Schema reads them all
    /// together, so dropping them would drop members.
    pub(super) fn siblings(a: &AnySchema, ptr: &Ptr) -> Option<Part> {
        let any = !a.properties.is_empty()
            || !a.required.is_empty()
            || a.additional_properties.is_some()
            || a.min_properties.is_some()
            || a.max_properties.is_some();
        any.then(|| Part {
            schema: ReferenceOr::Item(Schema {
                schema_data: openapiv3::SchemaData::default(),
                schema_kind: SchemaKind::Type(Type::Object(openapiv3::ObjectType {
                    properties: a.properties.clone(),
                    required: a.required.clone(),
                    additional_properties: a.additional_properties.clone(),
                    min_properties: a.min_properties,
                    max_properties: a.max_properties,
                })),
            }),
            at: ptr.clone(),
        })
    }
}

/// The alternatives of a choice (`oneOf` or `anyOf`), whether it is exclusive, and its keyword.
pub(super) fn alternatives(s: &Schema) -> Option<(&[ReferenceOr<Schema>], bool, &'static str)> {
    match &s.schema_kind {
        SchemaKind::OneOf { one_of } => Some((one_of, true, "oneOf")),
        SchemaKind::AnyOf { any_of } => Some((any_of, false, "anyOf")),
        SchemaKind::Any(a) if !a.one_of.is_empty() => Some((&a.one_of, true, "oneOf")),
        SchemaKind::Any(a) if !a.any_of.is_empty() => Some((&a.any_of, false, "anyOf")),
        _ => None,
    }
}
