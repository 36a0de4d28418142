//! Hand-written support shared by every crate `ofb-codegen` generates.
//!
//! Generated code stays declarative: it names constraints and calls into this crate, where each
//! rule is written and tested once. [`Validator`] collects every violation with its JSON
//! pointer; [`check`] holds the rules; [`pattern`] runs ECMA-262 patterns; [`wire`] keeps
//! decimal text, numbers and dates exactly as sent; [`envelope`] is the Open Finance error body.

#![deny(missing_docs)]

pub mod check;
pub mod de;
pub mod decode;
pub mod enums;
pub mod envelope;
pub mod json_pointer;
pub mod nullable;
pub mod pattern;
pub mod rules;
pub mod testing;
pub mod validate;
pub mod wire;

/// Re-exports for macros, so generated crates need not name these dependencies.
#[doc(hidden)]
pub mod __private {
    pub use serde;
}

pub use check::Format;
pub use envelope::{ErrorEnvelope, ErrorItem};
pub use ofb_runtime_derive::Validate;
pub use pattern::Pattern;
pub use rules::Rules;
pub use validate::{Rule, Validate, Validator, Violation, Violations};
pub use wire::{Date, DateTime, DecimalString, Number};
