//! The attributes the request, response and header derives share: where a parameter travels
//! and what checks it, and how a body is carried.

use syn::{Attribute, GenericArgument, LitBool, LitStr, Path, PathArguments, Type};

/// Where a parameter or header travels.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    Path,
    Query,
    Header,
    Cookie,
}

/// `#[param(query = "page-size", rules = R3, list, explode = false, text)]`.
pub(crate) struct Param {
    pub at: At,
    /// The name on the wire.
    pub wire: String,
    /// The rules static that checks it (none: anything goes).
    pub rules: Option<Path>,
    /// An array, written as a list.
    pub list: bool,
    /// `explode` of an array in the query or a cookie.
    pub explode: bool,
    /// A structured schema carried as its text, unchecked.
    pub text: bool,
    /// An optional parameter several operations share: the request implements
    /// `ofb_runtime::client::Param` for its marker, `crate::client::params::` and the field's
    /// name in upper camel case.
    pub shared: bool,
    /// Required although its type is an `Option` (a nullable schema): `null` is a value it may
    /// take, absence is not.
    pub required: bool,
}

/// The `#[param(...)]` of a field, if it has one.
pub(crate) fn param(attrs: &[Attribute]) -> syn::Result<Option<Param>> {
    let Some(attr) = attrs.iter().find(|a| a.path().is_ident("param")) else {
        return Ok(None);
    };
    let mut at = None;
    let mut wire = String::new();
    let mut rules = None;
    let (mut list, mut text, mut shared, mut required) = (false, false, false, false);
    let mut explode = None;
    attr.parse_nested_meta(|m| {
        let place = [
            ("path", At::Path),
            ("query", At::Query),
            ("header", At::Header),
            ("cookie", At::Cookie),
        ]
        .into_iter()
        .find(|(k, _)| m.path.is_ident(k));
        if let Some((_, a)) = place {
            at = Some(a);
            wire = m.value()?.parse::<LitStr>()?.value();
        } else if m.path.is_ident("rules") {
            rules = Some(m.value()?.parse()?);
        } else if m.path.is_ident("list") {
            list = true;
        } else if m.path.is_ident("text") {
            text = true;
        } else if m.path.is_ident("shared") {
            shared = true;
        } else if m.path.is_ident("required") {
            required = true;
        } else if m.path.is_ident("explode") {
            explode = Some(m.value()?.parse::<LitBool>()?.value);
        } else {
            return Err(m.error(
                "expected path, query, header or cookie = \"name\", rules, list, explode, text, shared or required",
            ));
        }
        Ok(())
    })?;
    let Some(at) = at else {
        return Err(syn::Error::new_spanned(
            attr,
            "#[param] needs where the parameter travels: path, query, header or cookie = \"name\"",
        ));
    };
    // OpenAPI's defaults: `form` (query, cookie) explodes, `simple` (path, header) does not.
    let explode = explode.unwrap_or(matches!(at, At::Query | At::Cookie));
    Ok(Some(Param {
        at,
        wire,
        rules,
        list,
        explode,
        text,
        shared,
        required,
    }))
}

/// How a body is carried: `#[body(json = "application/json")]` or `#[body(text = "text/csv")]`.
pub(crate) struct Body {
    pub media: String,
    pub json: bool,
    /// Required although its type is an `Option` (see [`Param::required`]).
    pub required: bool,
}

/// The `#[body(...)]` of a field, if it has one.
pub(crate) fn body(attrs: &[Attribute]) -> syn::Result<Option<Body>> {
    let Some(attr) = attrs.iter().find(|a| a.path().is_ident("body")) else {
        return Ok(None);
    };
    let mut out = None;
    let mut required = false;
    attr.parse_nested_meta(|m| {
        if m.path.is_ident("required") {
            required = true;
            return Ok(());
        }
        let json = if m.path.is_ident("json") {
            true
        } else if m.path.is_ident("text") {
            false
        } else {
            return Err(
                m.error("expected json = \"media/type\", text = \"media/type\" or required")
            );
        };
        let media = m.value()?.parse::<LitStr>()?.value();
        out = Some(Body {
            media,
            json,
            required: false,
        });
        Ok(())
    })?;
    if let Some(b) = &mut out {
        b.required = required;
    }
    out.map(Some)
        .ok_or_else(|| syn::Error::new_spanned(attr, "#[body] needs json or text = \"media/type\""))
}

/// `T` of an `Option<T>` field type.
pub(crate) fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else {
        return None;
    };
    let last = p.path.segments.last().filter(|s| s.ident == "Option")?;
    match &last.arguments {
        PathArguments::AngleBracketed(a) => match a.args.first() {
            Some(GenericArgument::Type(t)) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// A field name in upper camel case (`x_fapi_auth_date` is `XFapiAuthDate`): the name of its
/// marker when it is a shared parameter. `ofb_codegen`'s client emitter names the markers the
/// same way.
pub(crate) fn upper_camel(field: &str) -> String {
    field
        .trim_start_matches("r#")
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// Whether a field's type is `Option<T>` (generated types are never generic, so an `Option`
/// with an argument is the standard one, however it is spelt).
pub(crate) fn is_option(ty: &Type) -> bool {
    let Type::Path(p) = ty else {
        return false;
    };
    p.path.segments.last().is_some_and(|s| {
        s.ident == "Option"
            && matches!(&s.arguments, PathArguments::AngleBracketed(a)
                if matches!(a.args.first(), Some(GenericArgument::Type(_))))
    })
}

/// The `#[serde(rename = "...")]` of a field, if any.
pub(crate) fn serde_rename(attrs: &[Attribute]) -> syn::Result<Option<String>> {
    let mut name = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|m| {
            if m.path.is_ident("rename") {
                name = Some(m.value()?.parse::<LitStr>()?.value());
            } else if m.input.peek(syn::Token![=]) {
                let _: syn::Expr = m.value()?.parse()?;
            }
            Ok(())
        })?;
    }
    Ok(name)
}

/// Whether the container says `#[serde(rename_all = "camelCase")]`, the one rule generated
/// types use; its member names are then the fields' in camel case.
pub(crate) fn camel_case(attrs: &[Attribute]) -> syn::Result<bool> {
    let mut camel = false;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|m| {
            if m.path.is_ident("rename_all") {
                camel = m.value()?.parse::<LitStr>()?.value() == "camelCase";
            } else if m.input.peek(syn::Token![=]) {
                let _: syn::Expr = m.value()?.parse()?;
            }
            Ok(())
        })?;
    }
    Ok(camel)
}

/// A field name in serde's `camelCase`, as serde computes it: `PascalCase` (underscores
/// dropped, the letter after each and the first upper case), then the first letter lower case.
pub(crate) fn to_camel(field: &str) -> String {
    let mut pascal = String::with_capacity(field.len());
    let mut capitalize = true;
    for ch in field.chars() {
        if ch == '_' {
            capitalize = true;
        } else if capitalize {
            pascal.push(ch.to_ascii_uppercase());
            capitalize = false;
        } else {
            pascal.push(ch);
        }
    }
    let mut chars = pascal.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => pascal,
    }
}

/// A field's `#[serde(...)]` entries (`rename = "..."`, `with = "..."`, `flatten`...): each
/// name, with its value when the value is a string.
pub(crate) fn serde_keys(attrs: &[Attribute]) -> syn::Result<Vec<(String, Option<LitStr>)>> {
    let mut keys = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|m| {
            let key = m
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let mut value = None;
            if m.input.peek(syn::Token![=]) {
                if let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = m.value()?.parse()?
                {
                    value = Some(s);
                }
            }
            keys.push((key, value));
            Ok(())
        })?;
    }
    Ok(keys)
}

/// `#[assumed = "1"]`: the schema's `default` of an optional field, as JSON, if it has one.
pub(crate) fn assumed(attrs: &[Attribute]) -> syn::Result<Option<String>> {
    let Some(attr) = attrs.iter().find(|a| a.path().is_ident("assumed")) else {
        return Ok(None);
    };
    let value = &attr.meta.require_name_value()?.value;
    match value {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Ok(Some(s.value())),
        _ => Err(syn::Error::new_spanned(
            value,
            "#[assumed] takes the default as a JSON string: #[assumed = \"1\"]",
        )),
    }
}

/// The doc lines a constructor adds for the optional fields it leaves absent that have a
/// default: absent is not the same as unset to a reader of the document.
pub(crate) fn assumed_doc(assumed: &[(String, String)]) -> proc_macro2::TokenStream {
    if assumed.is_empty() {
        return proc_macro2::TokenStream::new();
    }
    let list: Vec<String> = assumed
        .iter()
        .map(|(field, value)| format!("`{field}` as `{value}`"))
        .collect();
    let line = format!(
        " Left absent, the document says a reader takes {}.",
        list.join(", ")
    );
    quote::quote!(#[doc = ""] #[doc = #line])
}
