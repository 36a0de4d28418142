//! What the generator tells the runtime about a document and each of its operations, as
//! `static` data in the generated crate.

pub use super::config::Validation;
pub use crate::frequency::Frequency;

/// One operation of a document, as the runtime needs to serve it.
#[derive(Debug)]
pub struct Operation {
    /// The function name (`get_accounts`).
    pub name: &'static str,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// The path template as the document writes it.
    pub path: &'static str,
    /// Its frequency class, which sets the default deadline.
    pub frequency: Frequency,
    /// The media type essence of the request body, when the operation takes one.
    pub request_media: Option<&'static str>,
    /// Whether the request body is required.
    pub body_required: bool,
    /// Whether the request body is signed (`application/jwt` with a schema): it is verified,
    /// and its payload read as the body. A JWT without a schema is opaque text, passed on.
    pub signed_request: bool,
    /// The media type essences of the documented response bodies (empty: none has a body).
    pub response_media: &'static [&'static str],
    /// Whether the operation declares the `x-fapi-interaction-id` request header: then a
    /// missing or invalid one gets a minted id and a 400, as the regulated documents require.
    pub interaction_id: bool,
    /// Whether the operation documents a 422, used for requests that are well formed but break
    /// the schema's value rules.
    pub unprocessable: bool,
    /// Where its idempotency key travels, when it takes one: a repeated request is then
    /// answered as the first was (see [`super::idempotency`]).
    pub idempotency: Option<super::idempotency::IdempotencyKey>,
}

/// A whole document, as the runtime needs to answer requests no operation matches.
#[derive(Debug)]
pub struct Document {
    /// `info.title` and `info.version`.
    pub title: &'static str,
    /// Whether its operations use `x-fapi-interaction-id`: then unknown routes and wrong methods
    /// echo (or mint) one too.
    pub interaction_id: bool,
    /// How far requests are judged unless the router's [`Config`](super::Config) says
    /// otherwise: `Report` for integration documents, `Enforce` for the others.
    pub validation: Validation,
}
