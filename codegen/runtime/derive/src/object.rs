//! `#[object]`, on a generated struct (a JSON object of the document):
//!
//! - every `Option` field is an optional member, absent from the JSON when `None` and `None`
//!   when absent, so the struct says it once instead of a
//!   `#[serde(default, skip_serializing_if = ...)]` on each field; a field marked `#[required]`
//!   is a required member that may be `null` (always written), and the marker is removed here;
//! - `new` takes the required fields in order and leaves the optional ones absent (and the
//!   members kept beside the declared ones, `#[serde(flatten)]`, empty), so that nobody writes
//!   out, or allows, optional and deprecated fields to make a value. A struct without required
//!   fields gets no `new` (it derives `Default`);
//! - `Deserialize` is written here, not derived by serde: the struct is read from a JSON object
//!   only (the strict decoder asks for no other form), its member names are matched by one
//!   function of the runtime for every struct, and each member's value is read by one generic
//!   function per value type. serde's derive writes a field visitor and a sequence reading for
//!   every struct, about six times the code, which was most of a generated crate's build time.
//!   What it accepts and refuses is serde's: unknown members are skipped (and traced), a
//!   missing required member or a repeated one is serde's error, an `Option` member may be
//!   absent or `null`, and the `#[serde(rename)]`, `rename_all = "camelCase"`, `with` (the
//!   nullable members) and `flatten` (kept members) that `Serialize` reads are read here too.

use crate::attrs;
use proc_macro2::{Literal, TokenStream as Tokens};
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::{parse_quote, Data, DeriveInput, Fields, Ident};

pub(crate) fn expand(mut input: DeriveInput) -> syn::Result<Tokens> {
    let name = input.ident.clone();
    let Data::Struct(s) = &mut input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[object] applies to structs",
        ));
    };
    let Fields::Named(fields) = &mut s.fields else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "#[object] needs named fields",
        ));
    };
    let mut params = Vec::new();
    let mut inits = Vec::new();
    // Fields marked `#[required]`: `Option`s that must be present (`null` or a value).
    let mut marked = Vec::new();
    // Optional fields with a default: named on `new`'s doc, which leaves them absent.
    let mut assumed = Vec::new();
    for f in &mut fields.named {
        let required = f.attrs.iter().any(|a| a.path().is_ident("required"));
        if let (Some(value), Some(ident)) = (attrs::assumed(&f.attrs)?, &f.ident) {
            assumed.push((ident.to_string(), value));
        }
        f.attrs
            .retain(|a| !a.path().is_ident("required") && !a.path().is_ident("assumed"));
        if required {
            marked.extend(f.ident.clone());
        }
        let Some(ident) = f.ident.clone() else {
            continue;
        };
        let flattened = attrs::serde_keys(&f.attrs)?
            .iter()
            .any(|(k, _)| k == "flatten");
        let ty = &f.ty;
        if flattened {
            inits.push(quote!(#ident: ::std::default::Default::default(),));
        } else if attrs::is_option(ty) && !required {
            f.attrs.push(parse_quote!(
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
            ));
            inits.push(quote!(#ident: ::std::option::Option::None,));
        } else {
            params.push(quote!(#ident: #ty));
            inits.push(quote!(#ident,));
        }
    }
    let new = (!params.is_empty()).then(|| {
        let assumed = attrs::assumed_doc(&assumed);
        quote! {
            #[allow(deprecated)]
            impl #name {
                /// A value with its required fields; the optional ones are absent.
                #assumed
                #[allow(clippy::too_many_arguments)]
                pub fn new(#(#params),*) -> Self {
                    Self { #(#inits)* }
                }
            }
        }
    });
    let de = deserialize(&input, &marked)?;
    Ok(quote!(#input #new #de))
}

/// The struct's `Deserialize` (see the module's documentation).
fn deserialize(input: &DeriveInput, marked: &[Ident]) -> syn::Result<Tokens> {
    let name = &input.ident;
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "#[object] structs take no generic parameters",
        ));
    }
    let Data::Struct(s) = &input.data else {
        return Ok(Tokens::new());
    };
    let camel = attrs::camel_case(&input.attrs)?;
    let mut wires = Vec::new();
    let mut slots = Vec::new();
    let mut arms = Vec::new();
    let mut inits = Vec::new();
    let mut kept = None;
    // The required members' slots: all are unwrapped in one match, so that the function has
    // one exit for a missing member instead of one per field (each with its own drops).
    let mut required = Vec::new();
    for f in &s.fields {
        let Some(ident) = &f.ident else { continue };
        let keys = attrs::serde_keys(&f.attrs)?;
        if keys.iter().any(|(k, _)| k == "flatten") {
            kept = Some(ident);
            inits.push(quote!(#ident: kept,));
            continue;
        }
        let wire = match attrs::serde_rename(&f.attrs)? {
            Some(w) => w,
            None if camel => attrs::to_camel(&ident.unraw().to_string()),
            None => ident.unraw().to_string(),
        };
        let i = Literal::usize_unsuffixed(wires.len());
        let slot = format_ident!("__m{}", wires.len());
        let ty = &f.ty;
        // A nullable optional member (`Option<Option<T>>`, written `with` the runtime's
        // `nullable`): its slot is the field, filled with the inner `Option<T>`, so that a
        // `null` given is `Some(None)` and an absent member `None`.
        let with = keys.iter().find(|(k, _)| k == "with");
        let nullable = match with {
            Some((_, Some(path))) if path.value().trim_end().ends_with("nullable") => true,
            Some((_, path)) => {
                return Err(syn::Error::new_spanned(
                    path.as_ref().map_or_else(|| quote!(#ident), |p| quote!(#p)),
                    "#[object] reads `with` only for `ofb_runtime::nullable`",
                ))
            }
            None => false,
        };
        let slot_ty = if nullable {
            quote!(#ty)
        } else {
            quote!(::std::option::Option<#ty>)
        };
        slots.push(quote!(let mut #slot: #slot_ty = ::std::option::Option::None;));
        // An optional member that is not nullable: a `null` is read as absent and reported.
        // A `#[required]` `Option` must be present, `null` or not.
        let optional = !nullable && attrs::is_option(ty) && !marked.contains(ident);
        let fill = if optional {
            quote!(fill_present)
        } else {
            quote!(fill)
        };
        arms.push(quote! {
            ::ofb_runtime::de::Member::Declared(#i) => ::ofb_runtime::de::#fill(&mut map, &mut #slot, __NAMES[#i]),
        });
        // An `Option` is `None` when absent or null; anything else must be there (and is
        // unwrapped in the final match).
        inits.push(if optional {
            quote!(#ident: #slot.flatten(),)
        } else {
            if !nullable {
                required.push((slot.clone(), i.clone()));
            }
            quote!(#ident: #slot,)
        });
        wires.push(wire);
    }
    let keep = kept.is_some();
    let (kept_init, kept_arm) = match kept {
        Some(_) => (
            quote!(let mut kept = ::std::collections::BTreeMap::new();),
            quote! {
                ::ofb_runtime::de::Member::Kept(k) => ::ofb_runtime::de::keep(&mut map, &mut kept, k),
            },
        ),
        None => (quote!(), quote!()),
    };
    let finish = if required.is_empty() {
        quote!(::std::result::Result::Ok(#name { #(#inits)* }))
    } else {
        let (slots, idx): (Vec<_>, Vec<_>) = required.into_iter().unzip();
        quote! {
            match (#(#slots,)*) {
                (#(::std::option::Option::Some(#slots),)*) => ::std::result::Result::Ok(#name { #(#inits)* }),
                (#(#slots,)*) => ::std::result::Result::Err(::ofb_runtime::de::missing(&[
                    #((#slots.is_none(), __NAMES[#idx]),)*
                ])),
            }
        }
    };
    let expecting = format!("struct {name}");
    let name_str = name.to_string();
    Ok(quote! {
        const _: () = {
            const __NAMES: &[&str] = &[#(#wires),*];
            struct __Visitor;
            #[allow(deprecated)]
            impl<'de> ::ofb_runtime::__private::serde::de::Visitor<'de> for __Visitor {
                type Value = #name;
                fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(#expecting)
                }
                fn visit_map<A: ::ofb_runtime::__private::serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> ::std::result::Result<#name, A::Error> {
                    #(#slots)*
                    #kept_init
                    let members = ::ofb_runtime::de::Members { names: __NAMES, keep: #keep };
                    while let ::std::option::Option::Some(m) = ::ofb_runtime::__private::serde::de::MapAccess::next_key_seed(&mut map, members)? {
                        // One `?` for every arm: one exit, with one set of drops.
                        match m {
                            #(#arms)*
                            #kept_arm
                            _ => ::ofb_runtime::de::skip(&mut map),
                        }?;
                    }
                    #finish
                }
            }
            impl<'de> ::ofb_runtime::__private::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::ofb_runtime::__private::serde::Deserializer<'de>>(
                    d: D,
                ) -> ::std::result::Result<Self, D::Error> {
                    d.deserialize_struct(#name_str, __NAMES, __Visitor)
                }
            }
        };
    })
}

#[cfg(test)]
mod tests {
    use super::expand;

    /// The doc lines of `new` in the expansion of `item`.
    fn new_doc(item: syn::DeriveInput) -> String {
        let out = expand(item).expect("expands").to_string();
        let at = out.find("pub fn new").expect("a constructor");
        out[..at]
            .rsplit("impl")
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    #[test]
    fn the_constructor_names_the_defaults_of_the_fields_it_leaves_absent() {
        let doc = new_doc(syn::parse_quote! {
            struct Task {
                status: String,
                #[assumed = "2"]
                priority: Option<i64>,
                note: Option<String>,
            }
        });
        assert!(doc.contains("`priority` as `2`"), "{doc}");
        assert!(!doc.contains("note"), "{doc}");
    }

    #[test]
    fn the_assumed_attribute_does_not_stay_on_the_struct() {
        let out = expand(syn::parse_quote! {
            struct Task { status: String, #[assumed = "2"] priority: Option<i64> }
        })
        .expect("expands")
        .to_string();
        assert!(!out.contains("assumed ="), "{out}");
    }
}
