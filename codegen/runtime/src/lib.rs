//! Hand-written support shared by every crate `ofb-codegen` generates.
//!
//! Generated code stays declarative: it names constraints and calls into this crate, where each
//! rule is written and tested once. The generator links it too, to judge the documents'
//! examples with the same rules.
//!
//! - [`validate`]: the [`Validate`] trait and the [`Validator`] that collects every
//!   [`Violation`] with its JSON pointer;
//! - [`check`]: the rules (lengths, ranges, formats...); [`rules`]: the same as `static` data;
//! - [`pattern`]: ECMA-262 patterns, on the `regex` crate where the meaning is kept, else on
//!   an ECMA engine;
//! - [`wire`]: decimal text, numbers and dates kept exactly as sent;
//! - [`envelope`]: the Open Finance error body;
//! - [`decode`]: JSON in, with the pointer of a failure and of every member the type ignored.
//!
//! Nothing here panics on input: malformed values become violations or errors.

#![deny(missing_docs)]

/// This crate's version: what the crates generated for it depend on.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub mod check;
#[cfg(feature = "client")]
pub mod client;
pub mod de;
pub mod decode;
pub mod enums;
pub mod envelope;
mod formats;
pub mod frequency;
pub mod json_pointer;
#[cfg(any(feature = "server", feature = "client"))]
pub mod jws;
pub mod media;
pub mod nullable;
mod parts;
pub mod pattern;
pub mod rules;
pub mod secret;
#[cfg(feature = "server")]
pub mod server;
mod strict;
pub mod testing;
#[cfg(any(feature = "server", feature = "client"))]
pub mod tls;
mod token;
pub mod validate;
pub mod wire;

/// Re-exports for macros, so generated crates need not name these dependencies.
#[doc(hidden)]
pub mod __private {
    pub use serde;
}

/// What generated `types` and `operations` modules glob-import, so that they name these as
/// hand-written code would (`DecimalString`, `#[derive(Serialize, Validate)]`).
pub mod prelude {
    pub use crate::{
        object, Date, DateTime, DecimalString, ErrorEnvelope, Headers, Number, Request, Response,
        Secret, Token, Validate, WireEnum, WithHeaders,
    };
    pub use serde::{Deserialize, Serialize};
}

/// Where a parameter travels: one type for the generator's model, the derives' declarations
/// and the generated servers' reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Location {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// In a request header.
    Header,
    /// In a cookie.
    Cookie,
}

pub use check::Format;
pub use decode::{DecodeError, Decoded, Judged};
pub use envelope::{ErrorEnvelope, ErrorItem};
/// The `http` crate, whose `StatusCode` the generated responses' `status()` returns.
pub use http;
pub use ofb_runtime_derive::{object, Headers, Request, Response, Validate, WireEnum};
pub use parts::WithHeaders;
pub use pattern::Pattern;
pub use rules::Rules;
pub use secret::Secret;
pub use token::Token;
pub use validate::{Rule, Validate, Validator, Violation, Violations};
pub use wire::{ConvertError, Date, DateTime, DecimalString, Number};
