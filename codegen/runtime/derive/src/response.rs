//! `#[derive(Response)]` and `#[derive(Headers)]`: a response enum declares the status of each
//! variant and how its payload is carried; `status()`, `errors()`, the client's decoding and
//! the server's writing are derived from that (the last two behind the generated crate's
//! `client` and `server` features).
//!
//! ```text
//! #[derive(Response)]
//! pub enum GetAccountResponse {
//!     #[status(200, json, headers)]
//!     Ok(WithHeaders<Account, GetAccountOkHeaders>),
//!     #[status(404, envelope)]
//!     NotFound(ResponseError),
//!     #[status("5XX", envelope)]
//!     ServerError { status: u16, body: ResponseError },
//!     #[status(default)]
//!     Default { status: u16 },
//! }
//! ```
//!
//! A variant has no payload, one unnamed field, or named fields `status` (for a range or
//! `default`) and at most one more. The payload is a JSON body unless the flags say otherwise:
//! `text = "media/type"`, `signed` (a JWS the server signs), `headers` alone (the typed
//! headers, `#[derive(Headers)]`), or a body kind with `headers` (an
//! `ofb_runtime::WithHeaders` of both). `envelope` marks a body in the error envelope, which
//! `errors()` reaches.

use crate::attrs;
use proc_macro2::{Literal, TokenStream as Tokens};
use quote::quote;
use syn::parse::ParseStream;
use syn::{Data, DeriveInput, Fields, Ident, LitInt, LitStr, Token};

#[derive(Clone, Copy)]
enum Status {
    Code(u16),
    Range(u16),
    Default,
}

#[derive(Clone, Copy, PartialEq)]
enum BodyKind {
    Json,
    Text,
    Signed,
}

struct Spec {
    status: Status,
    body: Option<BodyKind>,
    media: String,
    headers: bool,
}

/// Standard reason phrases and their codes: a variant so named needs no `#[status]`. The
/// generator names variants from the same table (`ofb_codegen::model::status_name`).
const REASONS: &[(&str, u16)] = &[
    ("Continue", 100),
    ("Ok", 200),
    ("Created", 201),
    ("Accepted", 202),
    ("NonAuthoritativeInformation", 203),
    ("NoContent", 204),
    ("PartialContent", 206),
    ("MovedPermanently", 301),
    ("Found", 302),
    ("SeeOther", 303),
    ("NotModified", 304),
    ("TemporaryRedirect", 307),
    ("PermanentRedirect", 308),
    ("BadRequest", 400),
    ("Unauthorized", 401),
    ("PaymentRequired", 402),
    ("Forbidden", 403),
    ("NotFound", 404),
    ("MethodNotAllowed", 405),
    ("NotAcceptable", 406),
    ("RequestTimeout", 408),
    ("Conflict", 409),
    ("Gone", 410),
    ("PreconditionFailed", 412),
    ("PayloadTooLarge", 413),
    ("UnsupportedMediaType", 415),
    ("UnprocessableEntity", 422),
    ("Locked", 423),
    ("PreconditionRequired", 428),
    ("TooManyRequests", 429),
    ("InternalServerError", 500),
    ("NotImplemented", 501),
    ("BadGateway", 502),
    ("ServiceUnavailable", 503),
    ("GatewayTimeout", 504),
];

/// The status a variant's name stands for: a reason phrase of [`REASONS`], `StatusNNN`,
/// `StatusNxx` (a range) or `Default`.
fn status_of(name: &str) -> Option<Status> {
    if name == "Default" {
        return Some(Status::Default);
    }
    if let Some(&(_, c)) = REASONS.iter().find(|(n, _)| *n == name) {
        return Some(Status::Code(c));
    }
    let digits = name.strip_prefix("Status")?;
    match digits.as_bytes() {
        [h @ b'1'..=b'5', b'x', b'x'] => Some(Status::Range(u16::from(h - b'0'))),
        _ => digits
            .parse::<u16>()
            .ok()
            .filter(|c| (100..=599).contains(c))
            .map(Status::Code),
    }
}

fn spec(attrs: &[syn::Attribute], at: &Ident) -> syn::Result<Spec> {
    let Some(attr) = attrs.iter().find(|a| a.path().is_ident("status")) else {
        // The name says the status; the payload is a JSON body.
        let status = status_of(&at.to_string()).ok_or_else(|| {
            syn::Error::new_spanned(
                at,
                "a variant not named after its status needs #[status(...)]",
            )
        })?;
        return Ok(Spec {
            status,
            body: None,
            media: String::new(),
            headers: false,
        });
    };
    attr.parse_args_with(|input: ParseStream<'_>| {
        let status = if input.peek(LitInt) {
            Status::Code(input.parse::<LitInt>()?.base10_parse()?)
        } else if input.peek(LitStr) {
            let s: LitStr = input.parse()?;
            let v = s.value();
            match v.as_bytes() {
                [h @ b'1'..=b'5', b'X' | b'x', b'X' | b'x'] => Status::Range(u16::from(h - b'0')),
                _ => {
                    return Err(syn::Error::new_spanned(
                        s,
                        "expected a range such as \"4XX\"",
                    ))
                }
            }
        } else {
            let i: Ident = input.parse()?;
            if i != "default" {
                return Err(syn::Error::new_spanned(
                    i,
                    "expected a status, a range or default",
                ));
            }
            Status::Default
        };
        let mut s = Spec {
            status,
            body: None,
            media: String::new(),
            headers: false,
        };
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key: Ident = input.parse()?;
            match key.to_string().as_str() {
                "json" => s.body = Some(BodyKind::Json),
                "signed" => s.body = Some(BodyKind::Signed),
                "headers" => s.headers = true,
                "text" => {
                    input.parse::<Token![=]>()?;
                    s.media = input.parse::<LitStr>()?.value();
                    s.body = Some(BodyKind::Text);
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        key,
                        "expected json, text = \"media/type\", signed or headers",
                    ))
                }
            }
        }
        Ok(s)
    })
}

/// What a variant carries.
enum Payload {
    None,
    Body(BodyKind),
    Headers,
    Both(BodyKind),
}

/// One variant: its name, its spec, what it carries, and how it is laid out.
struct Variant<'a> {
    name: &'a Ident,
    spec: Spec,
    payload: Payload,
    /// Unit, one unnamed field, or named (`status` and the payload's field name, if any).
    shape: Shape<'a>,
}

enum Shape<'a> {
    Unit,
    Tuple(&'a syn::Type),
    Named(Option<(&'a Ident, &'a syn::Type)>),
}

impl Variant<'_> {
    /// The pattern binding the payload as `x` (and `status`).
    fn pattern(&self) -> Tokens {
        let v = self.name;
        match &self.shape {
            Shape::Unit => quote!(Self::#v),
            Shape::Tuple(_) => quote!(Self::#v(x)),
            Shape::Named(Some((f, _))) => quote!(Self::#v { status, #f: x }),
            Shape::Named(None) => quote!(Self::#v { status }),
        }
    }
}

/// Whether a type is `ofb_runtime::WithHeaders<..>` (by its last segment, with arguments).
fn is_with_headers(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else {
        return false;
    };
    p.path.segments.last().is_some_and(|s| {
        s.ident == "WithHeaders" && matches!(s.arguments, syn::PathArguments::AngleBracketed(_))
    })
}

fn variants(input: &DeriveInput) -> syn::Result<Vec<Variant<'_>>> {
    let Data::Enum(e) = &input.data else {
        return Err(syn::Error::new_spanned(
            &input.ident,
            "derive(Response) needs an enum",
        ));
    };
    e.variants
        .iter()
        .map(|var| {
            let spec = spec(&var.attrs, &var.ident)?;
            let shape = match &var.fields {
                Fields::Unit => Shape::Unit,
                Fields::Unnamed(f) if f.unnamed.len() == 1 => Shape::Tuple(&f.unnamed[0].ty),
                Fields::Named(f)
                    if f.named.len() <= 2
                        && f.named.iter().any(|x| x.ident.as_ref().is_some_and(|i| i == "status")) =>
                {
                    Shape::Named(
                        f.named
                            .iter()
                            .find(|x| x.ident.as_ref().is_some_and(|i| i != "status"))
                            .and_then(|x| Some((x.ident.as_ref()?, &x.ty))),
                    )
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        var,
                        "a variant has no field, one unnamed field, or `status` and one more named field",
                    ))
                }
            };
            let carries = matches!(shape, Shape::Tuple(_) | Shape::Named(Some(_)));
            // A `WithHeaders` payload carries both, its body JSON unless the flags say otherwise.
            let both = match &shape {
                Shape::Tuple(t) | Shape::Named(Some((_, t))) => is_with_headers(t),
                _ => false,
            };
            let headers = spec.headers || both;
            let body = match (spec.body, both) {
                (None, true) => Some(BodyKind::Json),
                (kind, _) => kind,
            };
            let payload = match (carries, body, headers) {
                (false, _, _) => Payload::None,
                (true, None, true) => Payload::Headers,
                (true, kind, false) => Payload::Body(kind.unwrap_or(BodyKind::Json)),
                (true, Some(kind), true) => Payload::Both(kind),
            };
            if matches!(spec.status, Status::Code(_)) == matches!(shape, Shape::Named(_)) {
                return Err(syn::Error::new_spanned(
                    var,
                    "a fixed status has no `status` field; a range or default has one",
                ));
            }
            Ok(Variant {
                name: &var.ident,
                spec,
                payload,
                shape,
            })
        })
        .collect()
}

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let vs = variants(input)?;
    let inherent = inherent(name, &vs);
    let client = client(name, &vs);
    let server = server(name, &vs);
    Ok(quote!(#inherent #client #server))
}

fn is_success(s: Status) -> bool {
    matches!(s, Status::Code(200..=299) | Status::Range(2))
}

/// `status()` and `errors()`.
fn inherent(name: &Ident, vs: &[Variant<'_>]) -> Tokens {
    let http = quote!(::ofb_runtime::http::StatusCode);
    let status = if vs.is_empty() {
        quote!(match *self {})
    } else {
        let arms = vs.iter().map(|v| {
            let n = v.name;
            match (v.spec.status, &v.shape) {
                (_, Shape::Named(_)) => quote!(Self::#n { status, .. } => *status,),
                (Status::Code(c), Shape::Unit) => quote!(Self::#n => #c,),
                (Status::Code(c), _) => quote!(Self::#n(..) => #c,),
                // Unreachable: `variants` pairs ranges with a status field.
                (_, _) => quote!(Self::#n { .. } => 500,),
            }
        });
        quote! {
            let code: u16 = match self { #(#arms)* };
            #http::from_u16(code).unwrap_or(#http::INTERNAL_SERVER_ERROR)
        }
    };
    // Every payload is asked: the error envelope answers with its errors, anything else
    // with none (`Validate::error_items`).
    let errors: Vec<Tokens> = vs
        .iter()
        .filter_map(|v| {
            let n = v.name;
            Some(match &v.shape {
                Shape::Tuple(_) => {
                    quote!(Self::#n(x) => ::ofb_runtime::Validate::error_items(x),)
                }
                Shape::Named(Some((f, _))) => {
                    quote!(Self::#n { #f: x, .. } => ::ofb_runtime::Validate::error_items(x),)
                }
                _ => return None,
            })
        })
        .collect();
    let errors = if errors.is_empty() {
        quote! {
            let _ = self;
            ::std::option::Option::None
        }
    } else {
        let rest = (errors.len() < vs.len()).then(|| quote!(_ => ::std::option::Option::None,));
        quote!(match self { #(#errors)* #rest })
    };
    let unprocessable = vs
        .iter()
        .any(|v| matches!(v.spec.status, Status::Code(422)));
    quote! {
        #[allow(deprecated)]
        impl #name {
            /// Whether one of the statuses is 422, which the router then uses for requests that
            /// are well formed but break the document's value rules (plumbing).
            #[doc(hidden)]
            pub const UNPROCESSABLE: bool = #unprocessable;

            /// The HTTP status of this response.
            pub fn status(&self) -> #http {
                #status
            }

            /// The errors of the error envelope this response carries, if it is one that does.
            pub fn errors(&self) -> ::std::option::Option<&[::ofb_runtime::ErrorItem]> {
                #errors
            }
        }
    }
}

fn client(name: &Ident, vs: &[Variant<'_>]) -> Tokens {
    let rt = quote!(::ofb_runtime::client);
    let value = |v: &Variant<'_>| -> Tokens {
        let body = |k: BodyKind| match k {
            BodyKind::Text => quote!(i.text()?),
            BodyKind::Json => quote!(i.json()?),
            BodyKind::Signed => quote!(i.signed_json()?),
        };
        let headers = quote!(#rt::FromHeaders::from_incoming(i)?);
        let x = match v.payload {
            Payload::None => None,
            Payload::Body(k) => Some(body(k)),
            Payload::Headers => Some(headers),
            Payload::Both(k) => {
                let b = body(k);
                Some(quote!(::ofb_runtime::WithHeaders { body: #b, headers: #headers }))
            }
        };
        let n = v.name;
        match (&v.shape, x) {
            (Shape::Tuple(_), Some(x)) => quote!(Self::#n(#x)),
            (Shape::Named(Some((f, _))), Some(x)) => quote!(Self::#n { status, #f: #x }),
            (Shape::Named(_), _) => quote!(Self::#n { status }),
            _ => quote!(Self::#n),
        }
    };
    let mut arms = Vec::new();
    let mut ranges = Vec::new();
    let mut default = None;
    for v in vs {
        let x = value(v);
        match v.spec.status {
            Status::Code(c) => {
                let c = Literal::u16_unsuffixed(c);
                arms.push(quote!(#c => #x,));
            }
            Status::Range(h) => {
                let lo = Literal::u16_unsuffixed(h * 100);
                let hi = Literal::u16_unsuffixed(h * 100 + 99);
                ranges.push(quote!(status @ #lo..=#hi => #x,));
            }
            Status::Default => default = Some((quote!(status => #x,), x)),
        }
    }
    let decode = match (arms.is_empty() && ranges.is_empty(), default) {
        (true, None) => quote! {
            let _ = i;
            ::std::result::Result::Ok(::std::option::Option::None)
        },
        (true, Some((_, x))) => quote! {
            let status = i.status();
            ::std::result::Result::Ok(::std::option::Option::Some(#x))
        },
        (false, d) => {
            let last = d.map(|(arm, _)| arm).unwrap_or_else(
                || quote!(_ => return ::std::result::Result::Ok(::std::option::Option::None),),
            );
            quote! {
                let value = match i.status() {
                    #(#arms)*
                    #(#ranges)*
                    #last
                };
                ::std::result::Result::Ok(::std::option::Option::Some(value))
            }
        }
    };
    let ok: Vec<&Variant<'_>> = vs.iter().filter(|v| is_success(v.spec.status)).collect();
    let other = (vs.len() > 1).then(|| quote!(other => ::std::result::Result::Err(other),));
    let (success, split) = match ok.as_slice() {
        [] => (quote!(Self), quote!(::std::result::Result::Err(self))),
        [v] if matches!(v.shape, Shape::Tuple(_) | Shape::Unit) => {
            let n = v.name;
            match &v.shape {
                Shape::Tuple(t) => (
                    quote!(#t),
                    quote!(match self { Self::#n(x) => ::std::result::Result::Ok(x), #other }),
                ),
                _ => (
                    quote!(()),
                    quote!(match self { Self::#n => ::std::result::Result::Ok(()), #other }),
                ),
            }
        }
        many => {
            let pats = many.iter().map(|v| {
                let n = v.name;
                match v.shape {
                    Shape::Unit => quote!(Self::#n),
                    Shape::Tuple(_) => quote!(Self::#n(..)),
                    Shape::Named(_) => quote!(Self::#n { .. }),
                }
            });
            (
                quote!(Self),
                quote! {
                    if matches!(self, #(#pats)|*) {
                        ::std::result::Result::Ok(self)
                    } else {
                        ::std::result::Result::Err(self)
                    }
                },
            )
        }
    };
    quote! {
        #[cfg(feature = "client")]
        #[allow(deprecated)]
        impl #rt::Response for #name {
            type Success = #success;
            fn decode(i: &#rt::Incoming) -> ::std::result::Result<::std::option::Option<Self>, #rt::Mismatch> {
                #decode
            }
            fn split(self) -> ::std::result::Result<Self::Success, Self> {
                #split
            }
        }
    }
}

fn server(name: &Ident, vs: &[Variant<'_>]) -> Tokens {
    let rt = quote!(::ofb_runtime::server);
    let arms = vs.iter().map(|v| {
        let status = match v.spec.status {
            Status::Code(c) => {
                let c = Literal::u16_unsuffixed(c);
                quote!(reply.status(#c);)
            }
            Status::Range(h) => {
                let h = Literal::u16_unsuffixed(h);
                quote!(reply.status_in(status, ::std::option::Option::Some(#h));)
            }
            Status::Default => quote!(reply.status_in(status, ::std::option::Option::None);),
        };
        let body = |k: BodyKind, x: Tokens, media: &str| match k {
            BodyKind::Json => quote!(reply.json(&#x);),
            BodyKind::Signed => quote!(reply.signed(&#x);),
            BodyKind::Text => quote!(reply.text(#media, &#x);),
        };
        let headers = |x: Tokens| quote!(#rt::IntoHeaders::write_headers(&#x, reply););
        let write = match v.payload {
            Payload::None => quote!(),
            Payload::Body(k) => body(k, quote!(x), &v.spec.media),
            Payload::Headers => headers(quote!(x)),
            Payload::Both(k) => {
                let b = body(k, quote!(x.body), &v.spec.media);
                let h = headers(quote!(x.headers));
                quote!(#b #h)
            }
        };
        let pattern = v.pattern();
        quote!(#pattern => { #status #write })
    });
    let (reply, body) = if vs.is_empty() {
        (quote!(_reply), quote!(match self {}))
    } else {
        (quote!(reply), quote!(match self { #(#arms)* }))
    };
    quote! {
        #[cfg(feature = "server")]
        #[allow(deprecated)]
        impl #rt::IntoReply for #name {
            fn into_reply(self, #reply: &mut #rt::Reply) {
                #body
            }
        }
    }
}

/// `#[derive(Headers)]`: a struct of response headers, each field `#[param(header = "x-v")]`
/// (with `rules` and `text` as for parameters), read by the client and written by the server.
pub(crate) fn expand_headers(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let Data::Struct(s) = &input.data else {
        return Err(syn::Error::new_spanned(
            name,
            "derive(Headers) needs a struct",
        ));
    };
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    for f in &s.fields {
        let Some(ident) = &f.ident else {
            return Err(syn::Error::new_spanned(
                f,
                "derive(Headers) needs named fields",
            ));
        };
        let Some(p) = attrs::param(&f.attrs)? else {
            return Err(syn::Error::new_spanned(
                f,
                "each header needs #[param(header = \"name\")]",
            ));
        };
        // Header names are case-insensitive; the `http` crate keeps them lower case.
        let wire = p.wire.to_ascii_lowercase();
        let rules = match (&p.rules, p.text) {
            (Some(r), false) => quote!(&#r),
            _ => quote!(&::ofb_runtime::Rules::NONE),
        };
        if attrs::is_option(&f.ty) {
            reads.push(quote!(#ident: i.header_opt(#wire)?,));
            writes.push(quote!(reply.header_opt(#wire, &self.#ident, #rules);));
        } else {
            reads.push(quote!(#ident: i.header(#wire)?,));
            writes.push(quote!(reply.header(#wire, &self.#ident, #rules);));
        }
    }
    let i = if reads.is_empty() {
        quote!(_i)
    } else {
        quote!(i)
    };
    let reply = if writes.is_empty() {
        quote!(_reply)
    } else {
        quote!(reply)
    };
    Ok(quote! {
        #[cfg(feature = "client")]
        impl ::ofb_runtime::client::FromHeaders for #name {
            fn from_incoming(#i: &::ofb_runtime::client::Incoming) -> ::std::result::Result<Self, ::ofb_runtime::client::Mismatch> {
                ::std::result::Result::Ok(Self { #(#reads)* })
            }
        }
        #[cfg(feature = "server")]
        impl ::ofb_runtime::server::IntoHeaders for #name {
            fn write_headers(&self, #reply: &mut ::ofb_runtime::server::Reply) {
                #(#writes)*
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{status_of, Status};

    /// Names as the generator gives them (`ofb_codegen::model::status_name`, whose test has
    /// the same table) and the status each stands for.
    #[test]
    fn a_variant_name_says_its_status() {
        let code = |n: &str| match status_of(n) {
            Some(Status::Code(c)) => Some(c),
            _ => None,
        };
        assert_eq!(code("Ok"), Some(200));
        assert_eq!(code("NoContent"), Some(204));
        assert_eq!(code("UnprocessableEntity"), Some(422));
        assert_eq!(code("GatewayTimeout"), Some(504));
        assert_eq!(code("Status529"), Some(529));
        assert!(matches!(status_of("Status4xx"), Some(Status::Range(4))));
        assert!(matches!(status_of("Default"), Some(Status::Default)));
        assert!(status_of("Status999").is_none());
        assert!(status_of("Whatever").is_none());
    }
}
