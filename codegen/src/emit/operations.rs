//! The `operations` module: for each operation, the struct of its request (parameters and body
//! merged) and the enum of its documented responses, each variant carrying its typed body and
//! typed headers. Both the server and the client speak in these types.

use super::docs::{doc_attrs, doc_parts};
use super::types::rust_type;
use super::validate::{self, Used};
use crate::model::{
    is_managed_header, Api, Body, Operation, Param, Response, Shape, Status, Ty, TypeKind,
};
use crate::naming::ident;
use proc_macro2::TokenStream;
use quote::quote;

/// How a parameter's value is read from its text.
pub enum ParamKind {
    /// A scalar or a string enum, read with `FromStr`.
    Scalar,
    /// An array of scalars.
    List,
    /// A structured schema (an object in a parameter): carried as its text.
    Text,
}

/// How the parameter of `shape` is carried.
pub fn param_kind(api: &Api, shape: &Shape) -> ParamKind {
    fn scalar(api: &Api, shape: &Shape, depth: usize) -> bool {
        match &shape.ty {
            // A credential in a parameter travels as text: `Secret` has no `Display`.
            Ty::String => !shape.nullable && !shape.c.secret,
            Ty::Bool
            | Ty::Int32
            | Ty::Int64
            | Ty::Number
            | Ty::Decimal
            | Ty::Date
            | Ty::DateTime => !shape.nullable,
            Ty::Named(id) if depth < 8 => match &api.ty(*id).kind {
                TypeKind::Enum(_) => !shape.nullable,
                TypeKind::Alias(s) => scalar(api, s, depth + 1),
                _ => false,
            },
            _ => false,
        }
    }
    match &shape.ty {
        Ty::Array(item) if scalar(api, item, 0) && !shape.nullable => ParamKind::List,
        _ if scalar(api, shape, 0) => ParamKind::Scalar,
        _ => ParamKind::Text,
    }
}

/// A parameter's or header's example as the text it travels as: a string as itself, an array
/// comma-separated, anything else as JSON.
pub fn example_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => {
            items.iter().map(example_text).collect::<Vec<_>>().join(",")
        }
        other => other.to_string(),
    }
}

/// The type of a parameter's value, without the `Option` of an optional one, naming generated
/// types through `module` when given (`crate::types`).
pub fn param_value_type(api: &Api, p: &Param, module: Option<&TokenStream>) -> TokenStream {
    match param_kind(api, &p.shape) {
        ParamKind::Text => quote!(::std::string::String),
        ParamKind::Scalar | ParamKind::List => super::types::rust_type_in(api, &p.shape, module),
    }
}

/// Whether `p` is the `x-fapi-interaction-id` request header, which the generated server and
/// client handle themselves.
pub fn is_managed(p: &Param) -> bool {
    p.location == crate::model::Location::Header && is_managed_header(&p.wire)
}

/// The Rust type of a parameter field.
pub fn param_type(api: &Api, p: &Param) -> TokenStream {
    let t = param_value_type(api, p, None);
    if p.required {
        t
    } else {
        quote!(::std::option::Option<#t>)
    }
}

/// The Rust type of a response header field: a scalar, else its text (a header is one line).
pub fn header_type(api: &Api, h: &Param) -> TokenStream {
    let t = match param_kind(api, &h.shape) {
        ParamKind::Scalar => rust_type(api, &h.shape),
        ParamKind::List | ParamKind::Text => quote!(::std::string::String),
    };
    if h.required {
        t
    } else {
        quote!(::std::option::Option<#t>)
    }
}

/// The type of a body: its schema's type, or text for other media types.
pub fn body_type(api: &Api, b: &Body) -> TokenStream {
    if b.is_json() {
        rust_type(api, &b.shape)
    } else {
        quote!(::std::string::String)
    }
}

/// [`body_type`] named from outside the crate's modules, through `types` (`my_crate::types`).
pub fn body_type_in(api: &Api, b: &Body, types: &TokenStream) -> TokenStream {
    if b.is_json() {
        super::types::rust_type_in(api, &b.shape, Some(types))
    } else {
        quote!(::std::string::String)
    }
}

/// The headers of `r` that are part of its typed form.
pub fn typed_headers(r: &Response) -> impl Iterator<Item = &Param> {
    r.headers.iter().filter(|h| !is_managed_header(&h.wire))
}

/// The documented response media types of `op`, sorted, each once.
pub fn response_media(op: &Operation) -> Vec<&str> {
    let mut media: Vec<&str> = op
        .responses
        .iter()
        .filter_map(|r| r.body.as_ref().map(|b| b.media.as_str()))
        .collect();
    media.sort_unstable();
    media.dedup();
    media
}

/// The numeric status a variant answers with when it fixes one.
pub fn fixed_status(r: &Response) -> Option<u16> {
    match r.status {
        Status::Code(c) => Some(c),
        _ => None,
    }
}

/// The `key` of the status as the document writes it (`200`, `4XX`, `default`).
pub fn status_key(s: Status) -> String {
    match s {
        Status::Code(c) => c.to_string(),
        Status::Range(h) => format!("{h}XX"),
        Status::Default => String::from("default"),
    }
}

/// What a response variant holds, in this order: the status (ranges and `default`), the
/// body, the headers. A single part makes a tuple variant; several make named fields.
pub struct VariantParts {
    /// Carries its own status.
    pub status: bool,
    /// Has a body.
    pub body: bool,
    /// Has typed headers.
    pub headers: bool,
}

impl VariantParts {
    /// The parts of `r`.
    pub fn of(r: &Response) -> Self {
        VariantParts {
            status: fixed_status(r).is_none(),
            body: r.body.is_some(),
            headers: r.headers_type.is_some(),
        }
    }

    /// Whether the variant is a tuple of one value.
    pub fn tuple(&self) -> bool {
        !self.status && (self.body != self.headers)
    }
}

/// The `#[validate]` attributes of a parameter or header field: its wire name and its rules.
fn check_attrs(api: &Api, p: &Param, used: &mut Used) -> TokenStream {
    if let ParamKind::Text = param_kind(api, &p.shape) {
        return quote!();
    }
    let Some(check) = validate::check(api, &p.shape, used) else {
        return quote!();
    };
    let wire = &p.wire;
    quote!(#[validate(name = #wire, #check)])
}

fn request_struct(api: &Api, op: &Operation, used: &mut Used) -> TokenStream {
    let name = ident(&op.request_type);
    let what = format!(
        "The request of `{}` (`{} {}`): its parameters and body.",
        op.name.trim_start_matches("r#"),
        op.method,
        op.path
    );
    let doc = doc_attrs(Some(&what));
    let mut fields = Vec::new();
    for p in &op.params {
        let f = ident(&p.name);
        let t = param_type(api, p);
        let fallback = format!("The {} `{}`.", location_word(p), p.wire);
        let mut d = doc_parts(&[p.doc.as_deref().or(Some(&fallback))]);
        if let ParamKind::Text = param_kind(api, &p.shape) {
            let note = doc_attrs(Some(
                "\nCarried as text: the document gives it a structured schema.",
            ));
            d = quote!(#d #note);
        }
        let check = check_attrs(api, p, used);
        fields.push(quote!(#d #check pub #f: #t,));
    }
    if let Some(b) = &op.body {
        let t = body_type(api, b);
        let t = if b.required {
            t
        } else {
            quote!(::std::option::Option<#t>)
        };
        let fallback = format!("The request body ({}).", b.media);
        let d = doc_attrs(Some(b.doc.as_deref().unwrap_or(&fallback)));
        let check = if b.is_json() {
            validate::attr(api, &b.shape, used)
        } else {
            quote!()
        };
        fields.push(quote!(#d #check pub body: #t,));
    }
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, ::ofb_runtime::Validate)]
        pub struct #name { #(#fields)* }
    }
}

fn location_word(p: &Param) -> &'static str {
    match p.location {
        crate::model::Location::Path => "path parameter",
        crate::model::Location::Query => "query parameter",
        crate::model::Location::Header => "header",
        crate::model::Location::Cookie => "cookie",
    }
}

fn headers_struct(api: &Api, op: &Operation, r: &Response, used: &mut Used) -> TokenStream {
    let Some(name) = &r.headers_type else {
        return quote!();
    };
    let name = ident(name);
    let what = format!(
        "The headers of the `{}` response of `{}`.",
        status_key(r.status),
        op.name.trim_start_matches("r#")
    );
    let doc = doc_attrs(Some(&what));
    let fields: Vec<TokenStream> = typed_headers(r)
        .map(|h| {
            let f = ident(&h.name);
            let t = header_type(api, h);
            let fallback = format!("`{}`.", h.wire);
            let d = doc_attrs(Some(h.doc.as_deref().unwrap_or(&fallback)));
            let check = match param_kind(api, &h.shape) {
                ParamKind::Scalar => check_attrs(api, h, used),
                ParamKind::List | ParamKind::Text => quote!(),
            };
            quote!(#d #check pub #f: #t,)
        })
        .collect();
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, ::ofb_runtime::Validate)]
        pub struct #name { #(#fields)* }
    }
}

fn response_enum(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.response_type);
    let what = format!(
        "The documented responses of `{}` (`{} {}`), one variant per status.",
        op.name.trim_start_matches("r#"),
        op.method,
        op.path
    );
    let doc = doc_attrs(Some(&what));
    let variants = op.responses.iter().map(|r| {
        let v = ident(&r.name);
        let head = format!("`{}`", status_key(r.status));
        let d = doc_parts(&[Some(&head), r.doc.as_deref()]);
        let parts = VariantParts::of(r);
        let body = r.body.as_ref().map(|b| body_type(api, b));
        let headers = r.headers_type.as_deref().map(ident);
        if parts.tuple() {
            let t = body.unwrap_or_else(|| quote!(#headers));
            return quote!(#d #v(#t),);
        }
        if !parts.status && !parts.body && !parts.headers {
            return quote!(#d #v,);
        }
        let mut fields = Vec::new();
        if parts.status {
            let sd = match r.status {
                Status::Range(h) => format!("The status, in {h}00..={h}99."),
                _ => String::from("The status."),
            };
            fields.push(quote!(#[doc = #sd] status: u16,));
        }
        if let Some(t) = body {
            fields.push(quote!(#[doc = "The body."] body: #t,));
        }
        if let Some(h) = headers {
            fields.push(quote!(#[doc = "The headers."] headers: #h,));
        }
        quote!(#d #v { #(#fields)* },)
    });
    // A response is built once per call and moved straight into the reply: boxing the large
    // success bodies would cost every implementer a `Box::new` and buy nothing, so this one
    // size lint is allowed on these enums only.
    let arms = op.responses.iter().map(|r| {
        let v = ident(&r.name);
        let parts = VariantParts::of(r);
        let fixed = fixed_status(r).map(proc_macro2::Literal::u16_unsuffixed);
        match (
            &fixed,
            parts.tuple(),
            parts.status,
            parts.body || parts.headers,
        ) {
            (_, _, true, _) => quote!(Self::#v { status, .. } => status,),
            (Some(c), true, _, _) => quote!(Self::#v(_) => #c,),
            (Some(c), false, false, true) => quote!(Self::#v { .. } => #c,),
            (Some(c), _, _, _) => quote!(Self::#v => #c,),
            (None, _, _, _) => quote!(Self::#v { .. } => 500,),
        }
    });
    let http = quote!(::ofb_runtime::http::StatusCode);
    // An operation that documents no response has an empty enum: nothing to match.
    let body = if op.responses.is_empty() {
        quote!(match *self {})
    } else {
        quote! {
            let code: u16 = match *self { #(#arms)* };
            #http::from_u16(code).unwrap_or(#http::INTERNAL_SERVER_ERROR)
        }
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant)]
        pub enum #name { #(#variants)* }

        impl #name {
            /// The HTTP status of this response.
            pub fn status(&self) -> #http {
                #body
            }
        }
    }
}

/// The module's items, or `None` when the document has no operation. The rules its fields
/// name go into `used`.
pub fn module(api: &Api, used: &mut Used) -> Option<TokenStream> {
    if api.operations.is_empty() {
        return None;
    }
    let before = used.references();
    let items: Vec<TokenStream> = api
        .operations
        .iter()
        .map(|op| {
            let req = request_struct(api, op, used);
            let headers: Vec<TokenStream> = op
                .responses
                .iter()
                .map(|r| headers_struct(api, op, r, used))
                .collect();
            let resp = response_enum(api, op);
            quote!(#req #(#headers)* #resp)
        })
        .collect();
    let types = mentions_types(api).then(|| {
        quote!(
            use crate::types::*;
        )
    });
    let rules = (used.references() > before).then(|| {
        quote!(
            use crate::rules::*;
        )
    });
    Some(quote!(#types #rules #(#items)*))
}

/// Whether any parameter, body or header of `api` names a generated type.
fn mentions_types(api: &Api) -> bool {
    let named = |s: &Shape| super::files::mentions_named(&s.ty);
    api.operations.iter().any(|op| {
        op.params
            .iter()
            .any(|p| !matches!(param_kind(api, &p.shape), ParamKind::Text) && named(&p.shape))
            || op.body.iter().any(|b| b.is_json() && named(&b.shape))
            || op.responses.iter().any(|r| {
                r.body.iter().any(|b| b.is_json() && named(&b.shape))
                    || typed_headers(r).any(|h| named(&h.shape))
            })
    })
}
