//! The `operations` module: for each operation, the struct of its request (parameters and body
//! merged) and the enum of its documented responses, each variant carrying its typed body and
//! typed headers. Both the server and the client speak in these types.

use super::docs::doc_attrs;
use super::paths;
use super::types::rust_type;
use super::validate::{self, Used};
use crate::model::{
    is_managed_header, Api, Body, Location, Operation, Param, Response, Shape, Status, Ty, TypeKind,
};
use crate::naming::ident;
use crate::{Frequency, Settings};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// How a parameter's value is read from its text.
pub enum ParamKind {
    /// A scalar or a string enum, read with `FromStr`.
    Scalar,
    /// An array of scalars.
    List,
    /// A structured schema (an object in a parameter): carried as its text.
    Text,
}

/// Whether the parameter travels as a plain string, so that its setter takes `impl Into<String>`.
pub fn is_string(api: &Api, p: &Param) -> bool {
    match param_kind(api, &p.shape) {
        ParamKind::Text => true,
        ParamKind::Scalar => p.shape.ty == Ty::String,
        ParamKind::List => false,
    }
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
    // A parameter is text on the wire, where no value is `null`: `nullable` cannot apply, and
    // an `Option` here would blur required into optional.
    let shape = crate::model::Shape {
        nullable: false,
        ..p.shape.clone()
    };
    match param_kind(api, &shape) {
        ParamKind::Text => quote!(::std::string::String),
        ParamKind::Scalar | ParamKind::List => super::types::rust_type_in(api, &shape, module),
    }
}

/// The Rust type of a parameter field.
pub fn param_type(api: &Api, p: &Param) -> TokenStream {
    let t = param_value_type(api, p, None);
    if p.required {
        t
    } else {
        let option = paths::std(api, "Option");
        quote!(#option<#t>)
    }
}

/// The Rust type of a response header field: a scalar, else its text (a header is one line).
pub fn header_type(api: &Api, h: &Param) -> TokenStream {
    let t = match param_kind(api, &h.shape) {
        ParamKind::Scalar => rust_type(api, &h.shape),
        ParamKind::List | ParamKind::Text => paths::std(api, "String"),
    };
    if h.required {
        t
    } else {
        let option = paths::std(api, "Option");
        quote!(#option<#t>)
    }
}

/// The type of a body: its schema's type, or text for other media types.
pub fn body_type(api: &Api, b: &Body) -> TokenStream {
    if b.is_json() {
        rust_type(api, &b.shape)
    } else {
        paths::std(api, "String")
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

/// What a response variant holds: its own status (ranges and `default`), a body, typed
/// headers. A fixed status with a payload is a tuple variant of it (body and headers together
/// are an `ofb_runtime::WithHeaders`); a fixed status without one is a unit variant; a range
/// or `default` has named fields, `status` and the payload as `body` (or `headers`).
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
            status: r.fixed_status().is_none(),
            body: r.body.is_some(),
            headers: r.headers_type.is_some(),
        }
    }

    /// Whether the variant is a tuple of its payload.
    pub fn tuple(&self) -> bool {
        !self.status && (self.body || self.headers)
    }

    /// Whether the variant holds nothing.
    pub fn unit(&self) -> bool {
        !self.status && !self.body && !self.headers
    }

    /// The name of the payload's field in a variant with a `status` field.
    pub fn field(&self) -> Option<syn::Ident> {
        match (self.body, self.headers) {
            (true, _) => Some(ident("body")),
            (false, true) => Some(ident("headers")),
            (false, false) => None,
        }
    }
}

/// The payload of a variant from its body and headers, as a type (`value` false, in the
/// `operations` module) or as an expression (`value` true, from elsewhere): `WithHeaders` of
/// both, else whichever there is.
pub fn payload(
    api: &Api,
    body: Option<TokenStream>,
    headers: Option<TokenStream>,
    value: bool,
) -> Option<TokenStream> {
    match (body, headers) {
        // The mock, the only caller of values, imports `WithHeaders`.
        (Some(b), Some(h)) if value => Some(quote!(WithHeaders { body: #b, headers: #h })),
        (Some(b), Some(h)) => {
            let w = paths::rt(api, "WithHeaders", true);
            Some(quote!(#w<#b, #h>))
        }
        (b, h) => b.or(h),
    }
}

/// The `#[param(...)]` of a parameter or header field: where it travels, its rules, and how
/// it is carried.
fn param_attr(api: &Api, p: &Param, shared: bool, used: &mut Used) -> TokenStream {
    let wire = &p.wire;
    let at = match p.location {
        Location::Path => quote!(path),
        Location::Query => quote!(query),
        Location::Header => quote!(header),
        Location::Cookie => quote!(cookie),
    };
    let mut parts = vec![quote!(#at = #wire)];
    let kind = param_kind(api, &p.shape);
    if let ParamKind::Text = kind {
        parts.push(quote!(text));
    } else {
        if let Some(r) = used.of(api, &p.shape) {
            parts.push(quote!(rules = #r));
        }
        if let ParamKind::List = kind {
            parts.push(quote!(list));
            if p.explode != matches!(p.location, Location::Query | Location::Cookie) {
                let e = p.explode;
                parts.push(quote!(explode = #e));
            }
        }
    }
    if shared {
        parts.push(quote!(shared));
    }
    quote!(#[param(#(#parts),*)])
}

/// `requestMeta.correlationId` of the body, where the request has one: the path of fields
/// from the body to it, `?` after an optional one (see `derive(Request)`).
fn correlation_path(api: &Api, op: &Operation) -> Option<String> {
    let body = op.body.as_ref().filter(|b| b.is_json())?;
    let mut path = Vec::new();
    let mut shape = &body.shape;
    for wire in ["requestMeta", "correlationId"] {
        let Ty::Named(id) = &shape.ty else {
            return None;
        };
        let TypeKind::Struct(s) = &api.ty(*id).kind else {
            return None;
        };
        let f = s.fields.iter().find(|f| f.wire == wire)?;
        if f.shape.nullable || f.boxed {
            return None;
        }
        path.push(format!("{}{}", f.name, if f.required { "" } else { "?" }));
        shape = &f.shape;
    }
    let is_text = match &shape.ty {
        Ty::String => true,
        Ty::Named(id) => matches!(&api.ty(*id).kind, TypeKind::Alias(s) if s.ty == Ty::String),
        _ => false,
    };
    is_text.then(|| path.join("."))
}

/// Where an operation's idempotency key travels.
enum IdempotencyAt<'a> {
    Header(&'a str),
    Body(&'a str),
}

/// The idempotency key of `op`, as Open Finance Brasil writes it: the `x-idempotency-key`
/// header of the regulated APIs, or a string `idempotencyKey` at the top of the body, as the
/// payment connectors carry it. The router then answers a repeated request as the first.
fn idempotency_key<'a>(api: &Api, op: &'a Operation) -> Option<IdempotencyAt<'a>> {
    if let Some(p) = op.params.iter().find(|p| {
        p.location == crate::model::Location::Header
            && p.wire.eq_ignore_ascii_case("x-idempotency-key")
    }) {
        return Some(IdempotencyAt::Header(&p.wire));
    }
    let body = op.body.as_ref().filter(|b| b.is_json())?;
    let Ty::Named(id) = &body.shape.ty else {
        return None;
    };
    let TypeKind::Struct(s) = &api.ty(*id).kind else {
        return None;
    };
    let f = s.fields.iter().find(|f| f.wire == "idempotencyKey")?;
    let text = match &f.shape.ty {
        Ty::String => true,
        Ty::Named(id) => matches!(&api.ty(*id).kind, TypeKind::Alias(s) if s.ty == Ty::String),
        _ => false,
    };
    text.then_some(IdempotencyAt::Body("idempotencyKey"))
}

fn request_struct(
    api: &Api,
    op: &Operation,
    settings: &Settings,
    shared: &super::params::Shared<'_>,
    used: &mut Used,
) -> TokenStream {
    let name = ident(&op.request_type);
    let what = format!(
        "The request of `{}` (`{} {}`): its parameters and body.",
        op.name, op.method, op.path
    );
    let doc = doc_attrs(Some(&what));
    let mut fields = Vec::new();
    // The interaction id is the call's and the router's, not the request's.
    for p in op.params.iter().filter(|p| !p.is_managed()) {
        let f = ident(&p.name);
        let t = param_type(api, p);
        let mut d = doc_attrs(p.doc.as_deref());
        if let ParamKind::Text = param_kind(api, &p.shape) {
            let note = doc_attrs(Some(
                "\nCarried as text: the document gives it a structured schema.",
            ));
            d = quote!(#d #note);
        }
        let attr = param_attr(api, p, shared.contains_key(p.name.as_str()), used);
        let assumed = p
            .default
            .as_ref()
            .filter(|_| !p.required)
            .map(|v| quote!(#[assumed = #v]));
        fields.push(quote!(#d #attr #assumed pub #f: #t,));
    }
    if let Some(b) = &op.body {
        let t = body_type(api, b);
        let t = if b.required {
            t
        } else {
            let option = paths::std(api, "Option");
            quote!(#option<#t>)
        };
        let d = doc_attrs(b.doc.as_deref());
        let media = &b.media;
        // A required body of a nullable schema is an `Option` that must still be sent.
        let nullable = b.is_json() && b.shape.nullable && b.shape.ty != crate::model::Ty::Any;
        let (carried, check) = if b.is_json() {
            let required = (b.required && nullable).then(|| quote!(, required));
            (
                quote!(#[body(json = #media #required)]),
                validate::attr(api, &b.shape, used),
            )
        } else {
            (quote!(#[body(text = #media)]), quote!())
        };
        fields.push(quote!(#d #carried #check pub body: #t,));
    }
    let op_name = op.name.as_str();
    let (validate, request) = (
        paths::rt(api, "Validate", true),
        paths::rt(api, "Request", true),
    );
    let method = format_ident!("{}", op.method);
    let path = &op.path;
    let mut flags = Vec::new();
    match settings.frequency_of(op) {
        Some(Frequency::High) => flags.push(quote!(high)),
        Some(Frequency::MediumHigh) => flags.push(quote!(medium_high)),
        Some(Frequency::Medium) => flags.push(quote!(medium)),
        Some(Frequency::Low) => flags.push(quote!(low)),
        Some(Frequency::Unclassified) | None => {}
    }
    if op.declares_interaction_id() {
        flags.push(quote!(interaction_id));
    }
    if op.anonymous {
        flags.push(quote!(anonymous));
    }
    if op
        .responses
        .iter()
        .any(|r| r.body.as_ref().is_some_and(|b| b.signed))
    {
        flags.push(quote!(signed_response));
    }
    if api.paginated(op) {
        flags.push(quote!(paged));
    }
    if let Some(c) = correlation_path(api, op) {
        flags.push(quote!(correlation = #c));
    }
    match idempotency_key(api, op) {
        Some(IdempotencyAt::Header(h)) => flags.push(quote!(idempotency_header = #h)),
        Some(IdempotencyAt::Body(m)) => flags.push(quote!(idempotency_body = #m)),
        None => {}
    }
    // What the derive would not infer from the struct's name, or the usual media type.
    let base = op.request_type.strip_suffix("Request");
    let named = base.map(|b| crate::naming::screaming(b).to_ascii_lowercase());
    if named.as_deref() != Some(op_name) {
        flags.push(quote!(name = #op_name));
    }
    if base.map(|b| format!("{b}Response")).as_deref() != Some(op.response_type.as_str()) {
        let response = ident(&op.response_type);
        flags.push(quote!(response = #response));
    }
    let accept = response_media(op).join(", ");
    if accept != "application/json" {
        flags.push(quote!(accept = #accept));
    }
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #validate, #request)]
        #[request(#method #path #(, #flags)*)]
        pub struct #name { #(#fields)* }
    }
}

fn headers_struct(api: &Api, op: &Operation, r: &Response, used: &mut Used) -> TokenStream {
    let Some(name) = &r.headers_type else {
        return quote!();
    };
    let name = ident(name);
    let what = format!(
        "The headers of the `{}` response of `{}`.",
        r.status.key(),
        op.name
    );
    let doc = doc_attrs(Some(&what));
    let (validate, headers) = (
        paths::rt(api, "Validate", true),
        paths::rt(api, "Headers", true),
    );
    let fields: Vec<TokenStream> = typed_headers(r)
        .map(|h| {
            let f = ident(&h.name);
            let t = header_type(api, h);
            let d = doc_attrs(h.doc.as_deref());
            let wire = &h.wire;
            let attr = match param_kind(api, &h.shape) {
                ParamKind::Scalar => match used.of(api, &h.shape) {
                    Some(r) => quote!(#[param(header = #wire, rules = #r)]),
                    None => quote!(#[param(header = #wire)]),
                },
                ParamKind::List | ParamKind::Text => quote!(#[param(header = #wire, text)]),
            };
            quote!(#d #attr pub #f: #t,)
        })
        .collect();
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #validate, #headers)]
        pub struct #name { #(#fields)* }
    }
}

/// The `#[status(...)]` of the variant of `r`, where the derive cannot tell it alone: it reads
/// the status from a variant named by `status_name` (`NotFound` is 404) and takes the payload
/// for a JSON body (or body and headers, for a `WithHeaders`), so only other names, other
/// media types, signed bodies and bare headers are written out.
fn status_attr(api: &Api, r: &Response) -> TokenStream {
    let mut flags = Vec::new();
    let headers = r.headers_type.is_some();
    // A schema named `WithHeaders` would look like the runtime's to the derive: say it all.
    let spell_out = api.declares("WithHeaders");
    if let Some(b) = &r.body {
        if b.signed {
            flags.push(quote!(signed));
        } else if !b.is_json() {
            let m = &b.media;
            flags.push(quote!(text = #m));
        } else if spell_out {
            flags.push(quote!(json));
        }
    }
    if headers && (r.body.is_none() || !flags.is_empty()) {
        flags.push(quote!(headers));
    }
    if flags.is_empty() && crate::model::status_name(r.status) == r.name {
        return quote!();
    }
    let status = match r.status {
        Status::Code(c) => {
            let c = proc_macro2::Literal::u16_unsuffixed(c);
            quote!(#c)
        }
        Status::Range(_) => {
            let k = r.status.key();
            quote!(#k)
        }
        Status::Default => quote!(default),
    };
    quote!(#[status(#status #(, #flags)*)])
}

fn response_enum(api: &Api, op: &Operation) -> TokenStream {
    let name = ident(&op.response_type);
    let what = format!(
        "The documented responses of `{}` (`{} {}`), one variant per status.",
        op.name, op.method, op.path
    );
    let doc = doc_attrs(Some(&what));
    let variants = op.responses.iter().map(|r| {
        let v = ident(&r.name);
        let d = doc_attrs(r.doc.as_deref());
        let attr = status_attr(api, r);
        let parts = VariantParts::of(r);
        let body = r.body.as_ref().map(|b| body_type(api, b));
        let headers = r.headers_type.as_deref().map(|h| {
            let h = ident(h);
            quote!(#h)
        });
        let payload = payload(api, body, headers, false);
        if parts.unit() {
            return quote!(#d #attr #v,);
        }
        if parts.tuple() {
            return quote!(#d #attr #v(#payload),);
        }
        let sd = match r.status {
            Status::Range(h) => format!(" The status, in {h}00..={h}99."),
            _ => String::from(" The status."),
        };
        let field = parts.field().map(|f| {
            let fd = if parts.body {
                " The body."
            } else {
                " The headers."
            };
            quote!(#[doc = #fd] #f: #payload,)
        });
        quote!(#d #attr #v { #[doc = #sd] status: u16, #field },)
    });
    let response = paths::rt(api, "Response", true);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #response)]
        pub enum #name { #(#variants)* }
    }
}

/// The module's items, or `None` when the document has no operation. The rules its fields
/// name go into `used`.
pub fn module(api: &Api, settings: &Settings, used: &mut Used) -> Option<TokenStream> {
    if api.operations.is_empty() {
        return None;
    }
    let before = used.references();
    let shared = super::params::shared(api);
    let items: Vec<TokenStream> = api
        .operations
        .iter()
        .map(|op| {
            let req = request_struct(api, op, settings, &shared, used);
            let headers: Vec<TokenStream> = op
                .responses
                .iter()
                .map(|r| headers_struct(api, op, r, used))
                .collect();
            let resp = response_enum(api, op);
            quote!(#req #(#headers)* #resp)
        })
        .collect();
    let prelude = paths::prelude_import();
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
    Some(quote!(#prelude #types #rules #(#items)*))
}

/// Whether any parameter, body or header of `api` names a generated type.
fn mentions_types(api: &Api) -> bool {
    let named = |s: &Shape| s.ty.mentions_named();
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
