//! A response's body and typed headers, held together.

use crate::validate::{Validate, Validator};

/// A response that declares headers beside its body: the body and the typed headers, as one
/// value. A call whose success declares headers returns this, so `.await?` still yields the
/// documented success, and a back-end answers with it. It dereferences to the body, so the
/// body's fields read as they would without headers (`page.data`), and the headers are
/// `.headers`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct WithHeaders<B, H> {
    /// The body.
    pub body: B,
    /// The typed headers (`x-v`, say).
    pub headers: H,
}

impl<B, H> WithHeaders<B, H> {
    /// The body and headers of a response.
    pub fn new(body: B, headers: H) -> Self {
        WithHeaders { body, headers }
    }
}

impl<B, H> std::ops::Deref for WithHeaders<B, H> {
    type Target = B;
    fn deref(&self) -> &B {
        &self.body
    }
}

impl<B, H> std::ops::DerefMut for WithHeaders<B, H> {
    fn deref_mut(&mut self) -> &mut B {
        &mut self.body
    }
}

impl<B: Validate, H: Validate> Validate for WithHeaders<B, H> {
    fn validate_into(&self, v: &mut Validator) {
        self.body.validate_into(v);
        self.headers.validate_into(v);
    }
    fn error_items(&self) -> Option<&[crate::ErrorItem]> {
        self.body.error_items()
    }
}
