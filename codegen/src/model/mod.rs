//! The intermediate representation the emitters read: an API with its operations and named
//! types, every name decided and every `$ref` followed. No `openapiv3` type is left here, so the
//! emitters stay simple and the hard decisions live in one place.

mod ambiguity;
mod answers;
mod build;
mod compose;
pub mod example;
mod keywords;
mod operation;
mod rules;
mod sample;
mod schema;
mod share;

pub use answers::SharedParam;
pub use build::build;
pub use keywords::Unenforced;
pub use ofb_runtime::{Format, Location};
pub use operation::status_name;
pub use rules::RuleSet;

/// A whole document, modelled.
#[derive(Debug, Clone)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The path of the first `servers` URL (`/open-banking/accounts/v2`), where it has one
    /// without variables: where the API is mounted.
    pub base_path: Option<String>,
    /// Named types; a [`TypeId`] indexes this list.
    pub types: Vec<TypeDef>,
    /// Operations in document order (paths, then methods in a fixed order).
    pub operations: Vec<Operation>,
    /// Distinct `pattern` sources, in order of first use; [`Constraints::pattern`] indexes it.
    pub patterns: Vec<String>,
    /// Distinct sets of validation keywords, in order of first use; [`Shape::rules`] indexes
    /// it.
    pub rules: Vec<RuleSet>,
    /// The same patterns, compiled (once, while modelling), for checking examples.
    pub matchers: Vec<ofb_runtime::pattern::Compiled>,
    /// Every `example` the document gives for a schema, parameter or header, with the pointer
    /// of the `example` and the shape it must fit.
    pub examples: Vec<(String, Shape)>,
    /// For a document without operations (a JSON Schema document's types), one example value
    /// per component schema, as a body of `application/json`: what its crate shows and tests
    /// instead of request and response bodies. Filled with the other examples.
    pub samples: Vec<Body>,
    /// Every type name the crate declares (schema types and each operation's request,
    /// response and headers), so that emitted code knows which outside names it may shorten.
    pub declared: indexmap::IndexSet<String>,
    /// Keywords of the document's schemas that the generated code neither enforces nor
    /// represents, where they could change which instances are valid (the keyword ledger).
    pub unenforced: Vec<Unenforced>,
}

/// Index of a named type in [`Api::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// A named type: a struct, an enum, a union or an alias.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// The Rust name (`UpperCamelCase`, unique in the crate).
    pub name: String,
    /// The schema's description, for the doc comment.
    pub doc: Option<String>,
    /// Where in the document the type was defined.
    pub pointer: String,
    /// What kind of type it is.
    pub kind: TypeKind,
    /// A component schema that allows `null` itself (`nullable: true`): a value of it is an
    /// `Option` of this type, wherever it is used.
    pub nullable: bool,
}

/// The forms a named type takes.
#[derive(Debug, Clone)]
pub enum TypeKind {
    /// An object with known properties.
    Struct(Struct),
    /// A string enumeration.
    Enum(StrEnum),
    /// `oneOf` / `anyOf`: one of several shapes.
    Union(Union),
    /// A named schema that is not an object (a scalar or an array), or a `$ref` to another
    /// schema: emitted as a type alias.
    Alias(Shape),
    /// The Open Finance error envelope (`errors[]` with `code`, `title`, `detail`, and an optional
    /// `meta`): an alias of the runtime's shared `ErrorEnvelope`.
    Envelope {
        /// The shape of `meta`, when the document declares one.
        meta: Option<Shape>,
    },
}

/// An object type.
#[derive(Debug, Clone)]
pub struct Struct {
    /// Properties in document order.
    pub fields: Vec<Field>,
    /// What happens to members the schema does not list.
    pub additional: Additional,
    /// `minProperties` / `maxProperties`.
    pub min_properties: Option<u64>,
    /// See `min_properties`.
    pub max_properties: Option<u64>,
    /// Index into [`Api::rules`] of the rules of the map of kept members (their values'
    /// rules), when they have any.
    pub kept_rules: Option<usize>,
}

/// Treatment of object members not listed in `properties`.
#[derive(Debug, Clone)]
pub enum Additional {
    /// `additionalProperties: false`: unknown members are reported by validation of raw input.
    Forbidden,
    /// Unspecified: tolerated and not kept (as nearly every document means it).
    Ignored,
    /// `additionalProperties: true` or a schema: kept in a map, so nothing is lost.
    Kept(Box<Shape>),
}

/// One property of an object.
#[derive(Debug, Clone)]
pub struct Field {
    /// Rust field name (snake case; `r#` for keywords).
    pub name: String,
    /// Name on the wire.
    pub wire: String,
    /// The property's description.
    pub doc: Option<String>,
    /// Its type and constraints.
    pub shape: Shape,
    /// Listed in `required`.
    pub required: bool,
    /// Marked deprecated.
    pub deprecated: bool,
    /// The field's type contains its parent without indirection and must be boxed.
    pub boxed: bool,
    /// The schema's `default`, as JSON: what a reader assumes when the member is absent.
    pub default: Option<String>,
}

/// A string enum; values a newer server adds land in an `Unknown` variant.
#[derive(Debug, Clone)]
pub struct StrEnum {
    /// Known values in document order.
    pub variants: Vec<EnumVariant>,
    /// Name of the catch-all variant holding values the document does not list.
    pub unknown: String,
}

/// One enum value.
#[derive(Debug, Clone)]
pub struct EnumVariant {
    /// Rust variant name.
    pub name: String,
    /// The value on the wire.
    pub wire: String,
}

/// `oneOf` or `anyOf`.
#[derive(Debug, Clone)]
pub struct Union {
    /// Alternatives in document order.
    pub variants: Vec<UnionVariant>,
    /// Property and value-to-variant mapping when the schema has a discriminator.
    pub discriminator: Option<Discriminator>,
    /// `oneOf` (exactly one must match) rather than `anyOf`.
    pub exclusive: bool,
}

/// One alternative of a union.
#[derive(Debug, Clone)]
pub struct UnionVariant {
    /// Rust variant name.
    pub name: String,
    /// Its shape.
    pub shape: Shape,
    /// The variant contains the union without indirection and must be boxed.
    pub boxed: bool,
}

/// How a discriminated union picks its variant.
#[derive(Debug, Clone)]
pub struct Discriminator {
    /// The wire name of the tag property.
    pub property: String,
    /// Tag value to index into [`Union::variants`], in a fixed order.
    pub mapping: Vec<(String, usize)>,
}

/// A type expression with the constraints that apply to values of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// The type.
    pub ty: Ty,
    /// Validation rules.
    pub c: Constraints,
    /// Index into [`Api::rules`] of the set `c` (and the items' rules) make, when values of
    /// the shape have something to check; given once the document is modelled.
    pub rules: Option<usize>,
    /// `nullable: true`.
    pub nullable: bool,
    /// The schema's own `example`, with the pointer it came from.
    pub example: Option<(serde_json::Value, String)>,
}

/// Types a value can have.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// `boolean`.
    Bool,
    /// `integer` with `format: int32`.
    Int32,
    /// Any other `integer`.
    Int64,
    /// `number`: exact text of a JSON number.
    Number,
    /// `string`.
    String,
    /// `string` with `format: double` or `float`: decimal text, typically money.
    Decimal,
    /// `string` with `format: date`.
    Date,
    /// `string` with `format: date-time`.
    DateTime,
    /// A schema that allows anything.
    Any,
    /// A free-form object.
    Object,
    /// A named type.
    Named(TypeId),
    /// `string` holding a compact JWS whose payload is the named type
    /// (`contentMediaType: application/jwt` with a `contentSchema`).
    Token(TypeId),
    /// `array`.
    Array(Box<Shape>),
    /// An object used as a map (`additionalProperties: <schema>` and no properties).
    Map(Box<Shape>),
}

/// Validation keywords of a schema, kept only where they apply to its type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Constraints {
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// Index into [`Api::patterns`].
    pub pattern: Option<usize>,
    /// A string format that is checked.
    pub format: Option<Format>,
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// `exclusiveMinimum`.
    pub exclusive_minimum: bool,
    /// `exclusiveMaximum`.
    pub exclusive_maximum: bool,
    /// `multipleOf`.
    pub multiple_of: Option<f64>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `uniqueItems`.
    pub unique_items: bool,
    /// `minProperties` (maps).
    pub min_properties: Option<u64>,
    /// `maxProperties` (maps).
    pub max_properties: Option<u64>,
    /// Allowed values of an integer or number enum.
    pub num_enum: Vec<f64>,
    /// Allowed values of a boolean enum.
    pub bool_enum: Vec<bool>,
    /// `format: password`: the value is a credential, kept out of `Debug` output.
    pub secret: bool,
}

/// An HTTP operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// Rust function name (snake case).
    pub name: String,
    /// Prefix for the operation's types (upper camel case).
    pub type_name: String,
    /// The document's `operationId`, when it has one.
    pub operation_id: Option<String>,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template as written (`/accounts/{accountId}`).
    pub path: String,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// Marked deprecated.
    pub deprecated: bool,
    /// Declared open to anyone (`security: []` on the operation, or on the document with no
    /// requirement of the operation's own): clients send no token to it.
    pub anonymous: bool,
    /// Parameters: path (in URL order), then query, header and cookie, each in document order.
    pub params: Vec<Param>,
    /// The request body.
    pub body: Option<Body>,
    /// One entry per documented status, `default` last.
    pub responses: Vec<Response>,
    /// Where the operation is in the document.
    pub pointer: String,
    /// Name of the struct holding its parameters and body (claimed among the type names).
    pub request_type: String,
    /// Name of the enum of its documented responses (claimed among the type names).
    pub response_type: String,
}

/// A parameter (or a response header).
#[derive(Debug, Clone)]
pub struct Param {
    /// Rust name.
    pub name: String,
    /// Name on the wire.
    pub wire: String,
    /// Where it travels.
    pub location: Location,
    /// Whether it must be present.
    pub required: bool,
    /// Its description.
    pub doc: Option<String>,
    /// Its type and constraints.
    pub shape: Shape,
    /// `explode` for arrays in the query (`true` by default for `form`).
    pub explode: bool,
    /// One valid value, for mock servers and tests (see [`example`]); `null` until filled.
    pub example: serde_json::Value,
    /// The schema's `default`, as JSON: what the server assumes when the parameter is absent.
    pub default: Option<String>,
}

/// A request or response body.
#[derive(Debug, Clone)]
pub struct Body {
    /// Media type essence (`application/json`, without parameters).
    pub media: String,
    /// Whether a request must carry it.
    pub required: bool,
    /// Its description.
    pub doc: Option<String>,
    /// Its type; non-JSON media types are carried as text.
    pub shape: Shape,
    /// One deterministic example value (see [`example`]).
    pub example: serde_json::Value,
    /// Where the media type object is in the document.
    pub pointer: String,
    /// A signed body (`application/jwt` with a schema): a compact JWS whose payload is the
    /// JSON value `shape` describes. The runtime signs and verifies it; everything typed
    /// treats it as that JSON value.
    pub signed: bool,
    /// The name of the example's constant in the crate's `examples` module, shared by every
    /// body of the same type with the same example (see [`example::name_examples`]); empty
    /// until examples are filled.
    pub example_name: String,
}

impl Body {
    /// Whether the body's value is JSON: a JSON media type (by essence, so
    /// `application/json; charset=utf-8` counts), or a signed body's payload.
    pub fn is_json(&self) -> bool {
        self.signed || is_json_media(&self.media)
    }
}

/// The media type of a signed body.
pub const SIGNED_MEDIA: &str = "application/jwt";

/// Whether a media type essence is JSON (`application/json` or `+json` suffixed).
pub fn is_json_media(essence: &str) -> bool {
    ofb_runtime::media::is_json(essence)
}

/// Whether the generated server sets this response header itself, so that it is no part of
/// the typed response: `x-fapi-interaction-id`, echoed (or minted) on every response as the
/// FAPI profile requires.
pub fn is_managed_header(wire: &str) -> bool {
    wire.eq_ignore_ascii_case("x-fapi-interaction-id")
}

/// A documented response.
#[derive(Debug, Clone)]
pub struct Response {
    /// Its status.
    pub status: Status,
    /// Rust variant name for the status (`Ok`, `NotFound`, `Status529`, `Default`).
    pub name: String,
    /// The response's description.
    pub doc: Option<String>,
    /// The body, if any.
    pub body: Option<Body>,
    /// Typed response headers.
    pub headers: Vec<Param>,
    /// Name of the struct of its headers, when it has any (claimed among the type names).
    pub headers_type: Option<String>,
}

/// A status key of the `responses` map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// An exact code, including non-standard ones such as 529.
    Code(u16),
    /// A range such as `4XX` (the hundreds digit).
    Range(u16),
    /// `default`.
    Default,
}

impl TypeDef {
    /// Whether this is a component schema itself (`#/components/schemas/X`), named by the
    /// document's author, rather than a schema written inline somewhere.
    pub fn is_component(&self) -> bool {
        self.pointer
            .strip_prefix("#/components/schemas/")
            .is_some_and(|rest| !rest.is_empty() && !rest.contains('/'))
    }
}

impl Status {
    /// The key as the document writes it (`200`, `4XX`, `default`).
    pub fn key(self) -> String {
        match self {
            Status::Code(c) => c.to_string(),
            Status::Range(h) => format!("{h}XX"),
            Status::Default => String::from("default"),
        }
    }

    /// Whether it is a success: a 2xx code or the `2XX` range.
    pub fn is_success(self) -> bool {
        matches!(self, Status::Code(200..=299) | Status::Range(2))
    }
}

impl Response {
    /// The status this response is always sent with: its code, unless it stands for a range or
    /// for `default`, whose variants carry the status they were sent with.
    pub fn fixed_status(&self) -> Option<u16> {
        match self.status {
            Status::Code(c) => Some(c),
            _ => None,
        }
    }

    /// Whether it is a success (see [`Status::is_success`]).
    pub fn is_success(&self) -> bool {
        self.status.is_success()
    }
}

impl Param {
    /// Whether this is the `x-fapi-interaction-id` request header, which the runtime sends,
    /// reads and echoes itself: no request field holds it.
    pub fn is_managed(&self) -> bool {
        self.location == Location::Header && is_managed_header(&self.wire)
    }
}

impl Operation {
    /// Whether the operation declares `x-fapi-interaction-id`: then every call sends one and
    /// every answer echoes it.
    pub fn declares_interaction_id(&self) -> bool {
        self.params.iter().any(Param::is_managed)
    }
}

impl Api {
    /// Whether any operation takes a signed request body.
    pub fn signs_requests(&self) -> bool {
        self.operations
            .iter()
            .any(|o| o.body.as_ref().is_some_and(|b| b.signed))
    }

    /// Whether any operation answers a signed body.
    pub fn signs_responses(&self) -> bool {
        self.operations
            .iter()
            .flat_map(|o| &o.responses)
            .any(|r| r.body.as_ref().is_some_and(|b| b.signed))
    }

    /// Whether anything is signed either way.
    pub fn signs(&self) -> bool {
        self.signs_requests() || self.signs_responses()
    }

    /// Whether the crate declares a type named `name`.
    pub fn declares(&self, name: &str) -> bool {
        self.declared.contains(name)
    }

    /// The named type with id `id`.
    pub fn ty(&self, id: TypeId) -> &TypeDef {
        &self.types[id.0]
    }
}
