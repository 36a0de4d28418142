//! `#[derive(Request)]`: a request struct declares its operation and where each field travels;
//! the client's writing and the server's reading are derived from that, each behind the
//! generated crate's own `client` and `server` features.
//!
//! ```text
//! #[derive(Request)]
//! #[request(GET "/accounts/{accountId}", high, interaction_id)]
//! pub struct GetAccountRequest {
//!     #[param(path = "accountId", rules = R3)]
//!     pub account_id: String,
//!     #[param(query = "page-size", rules = R4)]
//!     pub page_size: Option<i32>,
//!     #[body(json = "application/json")]
//!     pub body: NewAccount,
//! }
//! ```
//!
//! The attribute starts with the method and the path template. Then, each only where it
//! applies: the frequency class (`high`, `medium_high`, `medium`, `low`; unclassified
//! otherwise), `interaction_id` (the operation declares `x-fapi-interaction-id`, so every call
//! sends one), `anonymous` (no token), `signed_response` (answers are verified JWS), `paged` (a
//! list the client can walk), `correlation = "request_meta.correlation_id?"` (the path from
//! the body to the correlation id the server logs, `?` after an optional field), and where
//! the defaults do not hold: `name = "..."` (the operation's name; by default the struct's
//! name without `Request`, in snake case), `response = Type` (by default the struct's name
//! with `Response` for `Request`), `accept = "..."` (the response media types; by default
//! `application/json`).
//!
//! The derive also gives the struct `new`, taking the fields that are not `Option` in order,
//! and, with the server feature, `OPERATION`, the operation as the router serves it.

use crate::attrs::{self, At};
use proc_macro2::TokenStream as Tokens;
use quote::{format_ident, quote};
use syn::parse::ParseStream;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Path, Token};

struct Opts {
    name: String,
    method: String,
    path: String,
    response: Path,
    accept: String,
    frequency: Ident,
    interaction_id: bool,
    anonymous: bool,
    signed_response: bool,
    paged: bool,
    correlation: Option<String>,
    /// Where the idempotency key travels: a header (`true`) or a body member, and its name.
    idempotency: Option<(bool, String)>,
}

fn opts(input: &DeriveInput) -> syn::Result<Opts> {
    let attr = input
        .attrs
        .iter()
        .find(|a| a.path().is_ident("request"))
        .ok_or_else(|| {
            syn::Error::new_spanned(
                &input.ident,
                "derive(Request) needs #[request(METHOD \"/path\", ...)]",
            )
        })?;
    let ident = input.ident.to_string();
    let base = ident.strip_suffix("Request");
    let mut name = base.map(|b| crate::wire::screaming(b).to_ascii_lowercase());
    let mut response: Option<Path> = match base {
        Some(b) => Some(syn::parse_str(&format!("{b}Response"))?),
        None => None,
    };
    let mut o = Opts {
        name: String::new(),
        method: String::new(),
        path: String::new(),
        response: syn::parse_str("Self")?,
        accept: String::from("application/json"),
        frequency: format_ident!("Unclassified"),
        interaction_id: false,
        anonymous: false,
        signed_response: false,
        paged: false,
        correlation: None,
        idempotency: None,
    };
    attr.parse_args_with(|input: ParseStream<'_>| {
        o.method = input.parse::<Ident>()?.to_string();
        o.path = input.parse::<LitStr>()?.value();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let key: Ident = input.parse()?;
            let text = |input: ParseStream<'_>| -> syn::Result<String> {
                input.parse::<Token![=]>()?;
                Ok(input.parse::<LitStr>()?.value())
            };
            match key.to_string().as_str() {
                "name" => name = Some(text(input)?),
                "accept" => o.accept = text(input)?,
                "correlation" => o.correlation = Some(text(input)?),
                "idempotency_header" => o.idempotency = Some((true, text(input)?)),
                "idempotency_body" => o.idempotency = Some((false, text(input)?)),
                "response" => {
                    input.parse::<Token![=]>()?;
                    response = Some(input.parse()?);
                }
                "interaction_id" => o.interaction_id = true,
                "anonymous" => o.anonymous = true,
                "signed_response" => o.signed_response = true,
                "paged" => o.paged = true,
                "high" => o.frequency = format_ident!("High"),
                "medium_high" => o.frequency = format_ident!("MediumHigh"),
                "medium" => o.frequency = format_ident!("Medium"),
                "low" => o.frequency = format_ident!("Low"),
                _ => return Err(syn::Error::new_spanned(key, "expected name, response, accept, correlation, idempotency_header, idempotency_body, interaction_id, anonymous, signed_response, paged or a frequency class (high, medium_high, medium, low)")),
            }
        }
        Ok(())
    })?;
    o.name = name.ok_or_else(|| {
        syn::Error::new_spanned(
            attr,
            "a request not named `...Request` needs name = \"...\"",
        )
    })?;
    o.response = response.ok_or_else(|| {
        syn::Error::new_spanned(
            attr,
            "a request not named `...Request` needs response = Type",
        )
    })?;
    Ok(o)
}

/// One field of the request, as the derive sees it.
enum Part {
    Param(attrs::Param),
    Body(attrs::Body),
}

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<Tokens> {
    let name = &input.ident;
    let o = opts(input)?;
    let Data::Struct(s) = &input.data else {
        return Err(syn::Error::new_spanned(
            name,
            "derive(Request) needs a struct",
        ));
    };
    let fields: Vec<(&Ident, bool, Part)> = match &s.fields {
        Fields::Named(f) => f
            .named
            .iter()
            .map(|f| {
                let ident = f.ident.as_ref().expect("named fields have names");
                let part = match (attrs::param(&f.attrs)?, attrs::body(&f.attrs)?) {
                    (Some(p), None) => Part::Param(p),
                    (None, Some(b)) => Part::Body(b),
                    _ => {
                        return Err(syn::Error::new_spanned(
                            f,
                            "each field of a request needs #[param(...)] or #[body(...)]",
                        ))
                    }
                };
                // An `Option` is absent when `None`, unless the field says it is required
                // (a nullable value that must be sent, `null` or not).
                let required = match &part {
                    Part::Param(p) => p.required,
                    Part::Body(b) => b.required,
                };
                let optional = attrs::is_option(&f.ty) && !required;
                Ok((ident, optional, part))
            })
            .collect::<syn::Result<_>>()?,
        Fields::Unit => Vec::new(),
        Fields::Unnamed(_) => {
            return Err(syn::Error::new_spanned(
                name,
                "derive(Request) needs named fields",
            ))
        }
    };
    let types: Vec<(&Ident, &syn::Type)> = match &s.fields {
        Fields::Named(f) => f
            .named
            .iter()
            .filter_map(|f| Some((f.ident.as_ref()?, &f.ty)))
            .collect(),
        _ => Vec::new(),
    };
    let client = client(name, &o, &fields, &types);
    let server = server(name, &o, &fields)?;
    let new = constructor(name, s, &fields)?;
    Ok(quote!(#new #client #server))
}

/// `new`, taking the required fields (those not `Option`) in order; the optional ones start
/// absent and are set by the client's call, or by hand.
fn constructor(
    name: &Ident,
    s: &syn::DataStruct,
    parts: &[(&Ident, bool, Part)],
) -> syn::Result<Tokens> {
    let Fields::Named(fields) = &s.fields else {
        return Ok(quote! {
            impl #name {
                /// The request.
                pub fn new() -> Self {
                    Self {}
                }
            }
        });
    };
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut assumed = Vec::new();
    for f in &fields.named {
        let Some(ident) = &f.ident else { continue };
        let ty = &f.ty;
        let optional = parts
            .iter()
            .find(|(i, _, _)| *i == ident)
            .map_or_else(|| attrs::is_option(ty), |(_, optional, _)| *optional);
        if optional {
            if let Some(value) = attrs::assumed(&f.attrs)? {
                assumed.push((ident.to_string(), value));
            }
            inits.push(quote!(#ident: ::std::option::Option::None,));
        } else {
            params.push(quote!(#ident: #ty));
            inits.push(quote!(#ident,));
        }
    }
    let assumed = attrs::assumed_doc(&assumed);
    Ok(quote! {
        #[allow(deprecated)]
        impl #name {
            /// The request with its required parameters (and body); the optional ones are
            /// absent.
            #assumed
            #[allow(clippy::too_many_arguments, clippy::new_without_default)]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* }
            }
        }
    })
}

fn client(
    name: &Ident,
    o: &Opts,
    fields: &[(&Ident, bool, Part)],
    types: &[(&Ident, &syn::Type)],
) -> Tokens {
    let rt = quote!(::ofb_runtime::client);
    let writes: Vec<Tokens> = fields
        .iter()
        .map(|(f, optional, part)| write(f, *optional, part))
        .collect();
    let out = if writes.is_empty() {
        quote!(_out)
    } else {
        quote!(out)
    };
    let (op, method, path, accept) = (&o.name, &o.method, &o.path, &o.accept);
    let (interaction, anonymous, signed) = (o.interaction_id, o.anonymous, o.signed_response);
    let response = &o.response;
    // One setter for every call that has a shared optional parameter.
    let shared = fields.iter().filter_map(|(f, _, part)| match part {
        Part::Param(p) if p.shared => Some(*f),
        _ => None,
    });
    let shared: Vec<Tokens> = shared
        .filter_map(|f| {
            let ty = types
                .iter()
                .find(|(i, _)| i == &f)
                .and_then(|(_, t)| attrs::option_inner(t))?;
            let marker = format_ident!("{}", attrs::upper_camel(&f.to_string()));
            Some(quote! {
                #[cfg(feature = "client")]
                impl #rt::Param<crate::client::params::#marker> for #name {
                    type Value = #ty;
                    fn set(&mut self, value: #ty) {
                        self.#f = ::std::option::Option::Some(value);
                    }
                }
            })
        })
        .collect();
    let paged = o.paged.then(|| {
        quote! {
            #[cfg(feature = "client")]
            impl #rt::Paged for #name {}
        }
    });
    quote! {
        #[cfg(feature = "client")]
        #[allow(deprecated)]
        impl #rt::Request for #name {
            type Response = #response;
            const ENDPOINT: &'static #rt::Endpoint = &#rt::Endpoint {
                name: #op,
                method: #method,
                path: #path,
                accept: #accept,
                interaction_id: #interaction,
                anonymous: #anonymous,
                signed_response: #signed,
            };
            fn write(&self, #out: &mut #rt::Outgoing) {
                #(#writes)*
            }
        }
        #paged
        #(#shared)*
    }
}

/// How one field is written into the outgoing request.
fn write(f: &Ident, optional: bool, part: &Part) -> Tokens {
    let value = quote!(&self.#f);
    let p = match part {
        Part::Body(b) => {
            let media = &b.media;
            return match (b.json, optional) {
                (true, false) => quote!(out.json(#media, #value);),
                (true, true) => quote!(out.json_opt(#media, #value);),
                (false, false) => quote!(out.text(#media, #value);),
                (false, true) => quote!(out.text_opt(#media, #value);),
            };
        }
        Part::Param(p) => p,
    };
    let wire = &p.wire;
    let explode = p.explode;
    let some = |call: Tokens| quote!(if let ::std::option::Option::Some(v) = #value { #call });
    match (p.at, p.list, optional) {
        (At::Path, false, false) => quote!(out.path(#wire, #value);),
        (At::Path, true, false) => quote!(out.path_list(#wire, #value);),
        (At::Path, false, true) => some(quote!(out.path(#wire, v);)),
        (At::Path, true, true) => some(quote!(out.path_list(#wire, v);)),
        (At::Query, false, false) => quote!(out.query(#wire, #value);),
        (At::Query, false, true) => quote!(out.query_opt(#wire, #value);),
        (At::Query, true, false) => quote!(out.query_list(#wire, #value, #explode);),
        (At::Query, true, true) => quote!(out.query_list_opt(#wire, #value, #explode);),
        (At::Header, false, false) => quote!(out.header(#wire, #value);),
        (At::Header, false, true) => quote!(out.header_opt(#wire, #value);),
        (At::Header, true, false) => quote!(out.header_list(#wire, #value);),
        (At::Header, true, true) => quote!(out.header_list_opt(#wire, #value);),
        (At::Cookie, false, false) => quote!(out.cookie(#wire, #value);),
        (At::Cookie, true, false) => quote!(out.cookie_list(#wire, #value);),
        (At::Cookie, false, true) => some(quote!(out.cookie(#wire, v);)),
        (At::Cookie, true, true) => some(quote!(out.cookie_list(#wire, v);)),
    }
}

fn server(name: &Ident, o: &Opts, fields: &[(&Ident, bool, Part)]) -> syn::Result<Tokens> {
    let rt = quote!(::ofb_runtime::server);
    let none = quote!(&::ofb_runtime::Rules::NONE);
    let reads = fields.iter().map(|(f, optional, part)| {
        let read = match part {
            Part::Body(b) => match (b.json, optional) {
                (true, false) => quote!(i.json()),
                (true, true) => quote!(i.json_optional()),
                (false, false) => quote!(i.text()),
                (false, true) => quote!(i.text_optional()),
            },
            Part::Param(p) => {
                let at = match p.at {
                    At::Path => quote!(#rt::In::Path),
                    At::Query => quote!(#rt::In::Query),
                    At::Header => quote!(#rt::In::Header),
                    At::Cookie => quote!(#rt::In::Cookie),
                };
                let wire = &p.wire;
                let rules = match (&p.rules, p.text) {
                    (Some(r), false) => quote!(&#r),
                    _ => none.clone(),
                };
                let explode = p.explode;
                match (p.list && !p.text, optional) {
                    (false, false) => quote!(i.required(#at, #wire, #rules)),
                    (false, true) => quote!(i.optional(#at, #wire, #rules)),
                    (true, false) => quote!(i.required_list(#at, #wire, #explode, #rules)),
                    (true, true) => quote!(i.optional_list(#at, #wire, #explode, #rules)),
                }
            }
        };
        quote!(let #f = #read;)
    });
    let names = fields.iter().map(|(f, _, _)| quote!(#f: #f?,));
    let i = if fields.is_empty() {
        quote!(_i)
    } else {
        quote!(i)
    };
    let correlation = match &o.correlation {
        Some(c) => Some(correlation(c, fields)?),
        None => None,
    };
    // The operation as the router serves it.
    let (op, method, path) = (&o.name, &o.method, &o.path);
    let frequency = &o.frequency;
    let body = fields.iter().find_map(|(_, optional, p)| match p {
        Part::Body(b) => Some((b, *optional)),
        Part::Param(_) => None,
    });
    let request_media = match body {
        Some((b, _)) => {
            let m = &b.media;
            quote!(::std::option::Option::Some(#m))
        }
        None => quote!(::std::option::Option::None),
    };
    let body_required = body.is_some_and(|(_, optional)| !optional);
    let signed_request = body.is_some_and(|(b, _)| b.json && b.media == "application/jwt");
    let answers: Vec<&str> = o.accept.split(", ").filter(|m| !m.is_empty()).collect();
    let interaction = o.interaction_id;
    let response = &o.response;
    let idempotency = match &o.idempotency {
        Some((true, k)) => quote!(::std::option::Option::Some(#rt::IdempotencyKey::Header(#k))),
        Some((false, k)) => quote!(::std::option::Option::Some(#rt::IdempotencyKey::Body(#k))),
        None => quote!(::std::option::Option::None),
    };
    Ok(quote! {
        #[cfg(feature = "server")]
        impl #name {
            /// The operation as the router serves it (plumbing: kept out of the documentation).
            #[doc(hidden)]
            pub const OPERATION: #rt::Operation = #rt::Operation {
                name: #op,
                method: #method,
                path: #path,
                frequency: #rt::Frequency::#frequency,
                request_media: #request_media,
                body_required: #body_required,
                signed_request: #signed_request,
                response_media: &[#(#answers),*],
                interaction_id: #interaction,
                unprocessable: #response::UNPROCESSABLE,
                idempotency: #idempotency,
            };
        }

        #[cfg(feature = "server")]
        #[allow(deprecated)]
        impl #rt::FromInputs for #name {
            fn from_inputs(#i: &mut #rt::Inputs<'_>) -> ::std::option::Option<Self> {
                #(#reads)*
                ::std::option::Option::Some(Self { #(#names)* })
            }
            #correlation
        }
    })
}

/// `correlation_id` from its path (`request_meta.correlation_id`, `?` after an optional step),
/// starting at the body field.
fn correlation(path: &str, fields: &[(&Ident, bool, Part)]) -> syn::Result<Tokens> {
    let Some((body, optional, _)) = fields.iter().find(|(_, _, p)| matches!(p, Part::Body(_)))
    else {
        return Err(syn::Error::new(
            proc_macro2::Span::call_site(),
            "correlation needs a #[body] field",
        ));
    };
    let first = if *optional {
        quote!(let x = self.#body.as_ref()?;)
    } else {
        quote!(let x = &self.#body;)
    };
    let steps = path
        .split('.')
        .map(|step| {
            let (step, optional) = match step.strip_suffix('?') {
                Some(s) => (s, true),
                None => (step, false),
            };
            let f: Ident = syn::parse_str(step)?;
            Ok(if optional {
                quote!(let x = x.#f.as_ref()?;)
            } else {
                quote!(let x = &x.#f;)
            })
        })
        .collect::<syn::Result<Vec<_>>>()?;
    Ok(quote! {
        fn correlation_id(&self) -> ::std::option::Option<&str> {
            #first
            #(#steps)*
            ::std::option::Option::Some(x.as_str())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::expand;

    #[test]
    fn the_constructor_names_the_defaults_of_the_parameters_it_leaves_absent() {
        let out = expand(&syn::parse_quote! {
            #[request(GET "/tasks/{taskId}", low)]
            struct GetTaskRequest {
                #[param(query = "page")]
                #[assumed = "1"]
                page: Option<i32>,
                #[param(path = "taskId")]
                task_id: String,
            }
        })
        .expect("expands")
        .to_string();
        let at = out.find("pub fn new").expect("a constructor");
        assert!(out[..at].contains("`page` as `1`"), "{out}");
    }
}
