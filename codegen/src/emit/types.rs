//! Serde types: structs, enums that tolerate values a newer server adds, unions and aliases.
//! Outside names are short where they cannot collide and spelt in full where the document
//! declares a type of the same name (see [`super::paths`]), so a schema named `Option` or
//! `Date` still compiles.

use super::docs::{doc_attrs, doc_parts};
use super::paths;
use super::validate::{self, Used};
use crate::model::{Additional, Api, Shape, StrEnum, Struct, Ty, TypeDef, TypeKind, Union};
use crate::naming::{ident, serde_camel};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// The Rust type of a value of `shape` (an inner `nullable` becomes an `Option`), in a module
/// that imports the runtime's prelude and the crate's types (`types`, `operations`).
pub fn rust_type(api: &Api, shape: &Shape) -> TokenStream {
    type_in(api, shape, None, true)
}

/// [`rust_type`] for code elsewhere: generated types are named through `module`
/// (`my_crate::types`) when given, and runtime types in full.
pub fn rust_type_in(api: &Api, shape: &Shape, module: Option<&TokenStream>) -> TokenStream {
    type_in(api, shape, module, false)
}

fn type_in(api: &Api, shape: &Shape, module: Option<&TokenStream>, prelude: bool) -> TokenStream {
    let rt = |name: &str| paths::rt(api, name, prelude);
    let string = || paths::std(api, "String");
    let base = match &shape.ty {
        Ty::Bool => quote!(bool),
        Ty::Int32 => quote!(i32),
        Ty::Int64 => quote!(i64),
        Ty::Number => rt("Number"),
        Ty::String if shape.c.secret => rt("Secret"),
        Ty::String => string(),
        Ty::Decimal => rt("DecimalString"),
        Ty::Date => rt("Date"),
        Ty::DateTime => rt("DateTime"),
        Ty::Any => quote!(::serde_json::Value),
        Ty::Object => {
            let s = string();
            quote!(::serde_json::Map<#s, ::serde_json::Value>)
        }
        Ty::Named(id) => {
            let name = ident(&api.ty(*id).name);
            match module {
                Some(m) => quote!(#m::#name),
                None => quote!(#name),
            }
        }
        Ty::Token(id) => {
            let name = ident(&api.ty(*id).name);
            let claims = match module {
                Some(m) => quote!(#m::#name),
                None => quote!(#name),
            };
            let token = rt("Token");
            quote!(#token<#claims>)
        }
        Ty::Array(item) => {
            let t = type_in(api, item, module, prelude);
            let vec = paths::std(api, "Vec");
            quote!(#vec<#t>)
        }
        Ty::Map(item) => {
            let t = type_in(api, item, module, prelude);
            let s = string();
            quote!(::std::collections::BTreeMap<#s, #t>)
        }
    };
    if shape.nullable && shape.ty != Ty::Any {
        let option = paths::std(api, "Option");
        quote!(#option<#base>)
    } else {
        base
    }
}

/// The type of a field as declared: `shape`'s type, boxed when recursive, optional when not
/// required; optional and nullable distinguishes absent from `null`.
pub fn field_type(api: &Api, shape: &Shape, required: bool, boxed: bool) -> TokenStream {
    let inner = Shape {
        nullable: false,
        ..shape.clone()
    };
    let mut t = rust_type(api, &inner);
    if boxed {
        let b = paths::std(api, "Box");
        t = quote!(#b<#t>);
    }
    let nullable = shape.nullable && shape.ty != Ty::Any;
    let option = paths::std(api, "Option");
    match (required, nullable) {
        (true, false) => t,
        (true, true) | (false, false) => quote!(#option<#t>),
        (false, true) => quote!(#option<#option<#t>>),
    }
}

/// The module's own lint answer, once: alternatives (`oneOf`, `anyOf`) differ in size as the
/// document's schemas do, and boxing the large ones would change every constructor and match
/// for a saving of stack bytes on values decoded once per request.
pub fn inner_attrs(api: &Api) -> TokenStream {
    if api
        .types
        .iter()
        .any(|t| matches!(t.kind, TypeKind::Union(_)))
    {
        quote!(#![allow(clippy::large_enum_variant)])
    } else {
        quote!()
    }
}

/// Every named type of `api`; the rules their `#[validate]` attributes name go into `used`.
pub fn types(api: &Api, used: &mut Used) -> TokenStream {
    let items: Vec<TokenStream> = api.types.iter().map(|t| type_def(api, t, used)).collect();
    quote!(#(#items)*)
}

fn type_def(api: &Api, t: &TypeDef, used: &mut Used) -> TokenStream {
    let name = ident(&t.name);
    // A component's name is its schema's; an inline type says where it was written.
    let origin = (!t.is_component()).then(|| format!("Schema at `{}`.", t.pointer));
    let doc = doc_parts(&[t.doc.as_deref(), origin.as_deref()]);
    match &t.kind {
        TypeKind::Struct(s) => struct_def(api, &name, doc, s, used),
        TypeKind::Enum(e) => enum_def(api, &name, doc, e),
        TypeKind::Union(u) => union_def(api, &name, doc, u, used),
        TypeKind::Alias(shape) => {
            let ty = rust_type(api, shape);
            quote!(#doc pub type #name = #ty;)
        }
        TypeKind::Envelope { meta } => {
            let envelope = paths::rt(api, "ErrorEnvelope", true);
            let m = match meta {
                Some(m) => {
                    let ty = rust_type(
                        api,
                        &Shape {
                            nullable: false,
                            ..m.clone()
                        },
                    );
                    quote!(<#ty>)
                }
                None => quote!(),
            };
            quote! {
                #doc
                ///
                /// The Open Finance error envelope, shared by every generated crate.
                pub type #name = #envelope #m;
            }
        }
    }
}

fn struct_def(
    api: &Api,
    name: &proc_macro2::Ident,
    doc: TokenStream,
    s: &Struct,
    used: &mut Used,
) -> TokenStream {
    // Members are named in camel case where that spares renaming fields one by one (most
    // Open Finance members are `camelCase`); a field it does not fit keeps its own rename.
    let as_is = |f: &&crate::model::Field| f.name != f.wire;
    let as_camel = |f: &&crate::model::Field| serde_camel(&f.name) != f.wire;
    let camel = s.fields.iter().filter(as_camel).count() < s.fields.iter().filter(as_is).count();
    let mut fields = Vec::new();
    for f in &s.fields {
        let fname = ident(&f.name);
        let ty = field_type(api, &f.shape, f.required, f.boxed);
        let wire = &f.wire;
        let fdoc = doc_attrs(f.doc.as_deref());
        // One `serde` attribute per field: the wire name where it differs, and for optional
        // fields, absent when `None` (with `null` kept apart when the field is also nullable).
        let mut serde = Vec::new();
        if (camel && as_camel(&f)) || (!camel && as_is(&f)) {
            serde.push(quote!(rename = #wire));
        }
        // Optional members are absent when `None` (`#[object]` on the struct says so for every
        // `Option` field, and gives it `new` for the required ones); a required nullable one is
        // an `Option` that is always written, so it is marked.
        let nullable = f.shape.nullable && f.shape.ty != Ty::Any;
        if !f.required && nullable {
            serde.push(quote!(with = "::ofb_runtime::nullable"));
        }
        let serde = if serde.is_empty() {
            quote!()
        } else {
            quote!(#[serde(#(#serde),*)])
        };
        let serde = if f.required && nullable {
            quote!(#serde #[required])
        } else {
            serde
        };
        let deprecated = if f.deprecated {
            quote!(#[deprecated])
        } else {
            quote!()
        };
        let check = validate::attr(api, &f.shape, used);
        let assumed = f
            .default
            .as_ref()
            .filter(|_| !f.required)
            .map(|v| quote!(#[assumed = #v]));
        fields.push(quote! { #fdoc #serde #check #deprecated #assumed pub #fname: #ty, });
    }
    let extra = match &s.additional {
        Additional::Kept(shape) => {
            let ty = rust_type(api, shape);
            let string = paths::std(api, "String");
            let check = validate::additional_attr(api, s, shape, used);
            quote! {
                /// Members not listed in the schema, kept so that nothing is lost.
                #[serde(flatten)]
                #check
                pub additional_properties: ::std::collections::BTreeMap<#string, #ty>,
            }
        }
        _ => quote!(),
    };
    let struct_check = validate::struct_attr(s);
    let rename_all = camel.then(|| quote!(#[serde(rename_all = "camelCase")]));
    let object = paths::rt(api, "object", true);
    let derive_default = if s.fields.iter().all(|f| !f.required) {
        quote!(Default,)
    } else {
        quote!()
    };
    // `#[object]` writes the struct's `Deserialize` (a lean one, from a JSON object only).
    let (ser, _, val) = serde_derives(api);
    quote! {
        #doc
        #[#object]
        #[derive(Debug, Clone, PartialEq, #derive_default #ser, #val)]
        #rename_all
        #struct_check
        pub struct #name { #(#fields)* #extra }
    }
}

/// The derives every serde type takes: `Serialize`, `Deserialize`, `Validate`.
fn serde_derives(api: &Api) -> (TokenStream, TokenStream, TokenStream) {
    (
        paths::rt(api, "Serialize", true),
        paths::rt(api, "Deserialize", true),
        paths::rt(api, "Validate", true),
    )
}

fn enum_def(api: &Api, name: &proc_macro2::Ident, doc: TokenStream, e: &StrEnum) -> TokenStream {
    let unknown = ident(&e.unknown);
    let string = paths::std(api, "String");
    let wire_enum = paths::rt(api, "WireEnum", true);
    let variants = e.variants.iter().map(|v| {
        let n = ident(&v.name);
        // The derive's rule gives most values from the name; the rest are written out.
        if crate::naming::screaming(&v.name) == v.wire {
            quote!(#n,)
        } else {
            let w = Literal::string(&v.wire);
            quote!(#[wire = #w] #n,)
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, #wire_enum)]
        pub enum #name {
            #(#variants)*
            /// A value this version of the document does not list (a newer server may send one);
            /// it is kept as sent and serialized back unchanged.
            #unknown(#string),
        }
    }
}

fn union_def(
    api: &Api,
    name: &proc_macro2::Ident,
    doc: TokenStream,
    u: &Union,
    used: &mut Used,
) -> TokenStream {
    let mut variants = Vec::new();
    for v in &u.variants {
        let n = ident(&v.name);
        let mut ty = rust_type(api, &v.shape);
        if v.boxed {
            ty = quote!(::std::boxed::Box<#ty>);
        }
        let check = validate::attr(api, &v.shape, used);
        variants.push(quote!(#check #n(#ty),));
    }
    let kind = if u.exclusive {
        "exactly one"
    } else {
        "at least one"
    };
    let note = doc_attrs(Some(&format!(
        "\nA value matches {kind} of these alternatives."
    )));
    let (ser, _, val) = serde_derives(api);
    match &u.discriminator {
        None if !u.exclusive => any_of_def(api, name, doc, u, used),
        None => {
            // Each alternative is judged (see `ofb_runtime::de::alternatives`), not merely
            // tried in order, so a value decodes to the alternative it is.
            let tries = attempts(u);
            quote! {
                #doc
                #note
                #[derive(Debug, Clone, PartialEq, #ser, #val)]
                #[serde(untagged)]
                pub enum #name { #(#variants)* }

                impl<'de> ::serde::Deserialize<'de> for #name {
                    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                        ::ofb_runtime::de::alternatives(deserializer, &[#(#tries)*])
                    }
                }
            }
        }
        Some(d) => {
            let prop = &d.property;
            let arms = d.mapping.iter().filter_map(|(tag, i)| {
                let v = u.variants.get(*i)?;
                let n = ident(&v.name);
                Some(quote! {
                    ::std::option::Option::Some(#tag) => ::ofb_runtime::de::tagged(&value).map(Self::#n),
                })
            });
            let by = doc_attrs(Some(&format!(
                "\nThe `{prop}` property says which alternative a value is; a value whose \
                 `{prop}` names none is judged against each (the discriminator is a hint to \
                 JSON Schema, not a rule)."
            )));
            let tries = attempts(u);
            quote! {
                #doc
                #by
                #[derive(Debug, Clone, PartialEq, #ser, #val)]
                #[serde(untagged)]
                pub enum #name { #(#variants)* }

                impl<'de> ::serde::Deserialize<'de> for #name {
                    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                        // The tag is read first, so that no alternative is tried that it rules
                        // out; a tag that names none leaves the choice to the values.
                        let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                        let tag = value
                            .get(#prop)
                            .and_then(::serde_json::Value::as_str)
                            .map(::std::borrow::ToOwned::to_owned);
                        match tag.as_deref() {
                            #(#arms)*
                            _ => ::ofb_runtime::de::alternatives_of(&value, &[#(#tries)*]),
                        }
                    }
                }
            }
        }
    }
}

/// One attempt per alternative of `u`, as `ofb_runtime::de::alternatives` takes them.
fn attempts(u: &Union) -> Vec<TokenStream> {
    u.variants
        .iter()
        .map(|v| {
            let n = ident(&v.name);
            quote!(|v| ::ofb_runtime::de::alternative(v).map(|(x, fit)| (Self::#n(x), fit)),)
        })
        .collect()
}

/// `anyOf` without a discriminator: a value may match several alternatives at once, and each
/// one it matches is kept (an `Option` per alternative), so that no member of any is lost, as
/// JSON Schema reads `anyOf`. The value encodes back as the union of the kept branches.
fn any_of_def(
    api: &Api,
    name: &proc_macro2::Ident,
    doc: TokenStream,
    u: &Union,
    used: &mut Used,
) -> TokenStream {
    let mut scope = crate::naming::Scope::default();
    let option = paths::std(api, "Option");
    let (mut fields, mut decode, mut attempts, mut keep, mut encode, mut checks) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for (i, v) in u.variants.iter().enumerate() {
        let f = ident(&scope.claim(&crate::naming::value_name(&v.name)));
        let mut ty = rust_type(api, &v.shape);
        if v.boxed {
            ty = quote!(::std::boxed::Box<#ty>);
        }
        let what = doc_attrs(Some(&format!(
            "The value as `{}`, where it is one.",
            v.name
        )));
        fields.push(quote!(#what pub #f: #option<#ty>,));
        decode.push(quote!(let #f = ::ofb_runtime::de::alternative::<#ty>(&value);));
        attempts
            .push(quote!(#f.as_ref().map(|(_, fit)| *fit).map_err(::std::clone::Clone::clone),));
        keep.push(quote!(#f: #f.ok().filter(|_| keep[#i]).map(|(x, _)| x),));
        encode.push(quote! {
            if let ::std::option::Option::Some(x) = &self.#f {
                values.push(::serde_json::to_value(x).map_err(::serde::ser::Error::custom)?);
            }
        });
        let rules = match validate::check(api, &v.shape, used) {
            Some(c) if c.to_string() != "nested" => validate::rules_name(api, &v.shape, used),
            _ => None,
        };
        checks.push(match rules {
            Some(r) => quote! {
                if let ::std::option::Option::Some(x) = &self.#f {
                    ::ofb_runtime::Validate::validate_with(x, v, &#r);
                }
            },
            None => quote! {
                if let ::std::option::Option::Some(x) = &self.#f {
                    ::ofb_runtime::Validate::validate_into(x, v);
                }
            },
        });
    }
    let note = doc_attrs(Some(
        "\nA value matches at least one of these alternatives; each one it matches is kept, so \
         that no member of any is lost.",
    ));
    quote! {
        #doc
        #note
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name { #(#fields)* }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                let mut values = ::std::vec::Vec::new();
                #(#encode)*
                ::serde::Serialize::serialize(&::ofb_runtime::de::merge_branches(values), serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                #(#decode)*
                let keep = ::ofb_runtime::de::branches::<D::Error>(::std::vec![#(#attempts)*])?;
                ::std::result::Result::Ok(Self { #(#keep)* })
            }
        }

        impl ::ofb_runtime::Validate for #name {
            fn validate_into(&self, v: &mut ::ofb_runtime::Validator) {
                #(#checks)*
            }
        }
    }
}
