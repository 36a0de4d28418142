//! `#[derive(Request)]`: a request struct declares its operation and where each field travels;
//! the client's writing and the server's reading are derived from that, each behind the
//! generated crate's own `client` and `server` features.
//!
//! ```text
//! #[derive(Request)]
//! #[request(name = "get_account", method = "GET", path = "/accounts/{accountId}",
//!           response = GetAccountResponse, accept = "application/json", interaction_id)]
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
//! The derive also gives the struct `new`, taking the fields that are not `Option` in order.
//!
//! Struct flags: `interaction_id` (the operation declares `x-fapi-interaction-id`, so every
//! call sends one), `anonymous` (no token), `signed_response` (answers are verified JWS),
//! `paged` (a list the client can walk), and `correlation = "request_meta.correlation_id?"`,
//! the path from the body to the correlation id the server logs (`?` after an optional field).

use crate::attrs::{self, At};
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{Data, DeriveInput, Fields, Ident, LitStr, Path};

#[derive(Default)]
struct Opts {
    name: String,
    method: String,
    path: String,
    response: Option<Path>,
    accept: String,
    interaction_id: bool,
    anonymous: bool,
    signed_response: bool,
    paged: bool,
    correlation: Option<String>,
}

fn opts(input: &DeriveInput) -> syn::Result<Opts> {
    let mut o = Opts::default();
    let attr = input
        .attrs
        .iter()
        .find(|a| a.path().is_ident("request"))
        .ok_or_else(|| {
            syn::Error::new_spanned(&input.ident, "derive(Request) needs #[request(...)]")
        })?;
    attr.parse_nested_meta(|m| {
        let text = |m: &syn::meta::ParseNestedMeta<'_>| -> syn::Result<String> {
            Ok(m.value()?.parse::<LitStr>()?.value())
        };
        if m.path.is_ident("name") {
            o.name = text(&m)?;
        } else if m.path.is_ident("method") {
            o.method = text(&m)?;
        } else if m.path.is_ident("path") {
            o.path = text(&m)?;
        } else if m.path.is_ident("accept") {
            o.accept = text(&m)?;
        } else if m.path.is_ident("correlation") {
            o.correlation = Some(text(&m)?);
        } else if m.path.is_ident("response") {
            o.response = Some(m.value()?.parse()?);
        } else if m.path.is_ident("interaction_id") {
            o.interaction_id = true;
        } else if m.path.is_ident("anonymous") {
            o.anonymous = true;
        } else if m.path.is_ident("signed_response") {
            o.signed_response = true;
        } else if m.path.is_ident("paged") {
            o.paged = true;
        } else {
            return Err(m.error("expected name, method, path, response, accept, correlation, interaction_id, anonymous, signed_response or paged"));
        }
        Ok(())
    })?;
    if o.response.is_none() {
        return Err(syn::Error::new_spanned(
            attr,
            "#[request] needs response = TheResponseEnum",
        ));
    }
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
                let optional = attrs::is_option(&f.ty);
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
    let client = client(name, &o, &fields);
    let server = server(name, &o, &fields)?;
    let new = constructor(name, s);
    Ok(quote!(#new #client #server))
}

/// `new`, taking the required fields (those not `Option`) in order; the optional ones start
/// absent and are set by the client's call, or by hand.
fn constructor(name: &Ident, s: &syn::DataStruct) -> Tokens {
    let Fields::Named(fields) = &s.fields else {
        return quote! {
            impl #name {
                /// The request.
                pub fn new() -> Self {
                    Self {}
                }
            }
        };
    };
    let mut params = Vec::new();
    let mut inits = Vec::new();
    for f in &fields.named {
        let Some(ident) = &f.ident else { continue };
        let ty = &f.ty;
        if attrs::is_option(ty) {
            inits.push(quote!(#ident: ::std::option::Option::None,));
        } else {
            params.push(quote!(#ident: #ty));
            inits.push(quote!(#ident,));
        }
    }
    quote! {
        #[allow(deprecated)]
        impl #name {
            /// The request with its required parameters (and body); the optional ones are
            /// absent.
            #[allow(clippy::too_many_arguments, clippy::new_without_default)]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* }
            }
        }
    }
}

fn client(name: &Ident, o: &Opts, fields: &[(&Ident, bool, Part)]) -> Tokens {
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
    Ok(quote! {
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
