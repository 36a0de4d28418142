//! Questions the emitters ask of an operation or a type, answered once, here: which
//! response the example back-end gives and with which status, whether an operation is a list
//! to page through, which optional parameters several operations take alike, whether a type
//! expression names a generated type.

use super::{Api, Location, Operation, Param, Response, Shape, Status, Ty, TypeKind};
use std::collections::BTreeMap;

impl Ty {
    /// Whether this type names a generated type (itself, or as the items of an array or map).
    pub fn mentions_named(&self) -> bool {
        match self {
            Ty::Named(_) | Ty::Token(_) => true,
            Ty::Array(s) | Ty::Map(s) => s.ty.mentions_named(),
            _ => false,
        }
    }
}

impl Operation {
    /// The response the example back-end answers with: the first 2XX (exact codes before
    /// ranges), else the first documented one.
    pub fn mock_response(&self) -> Option<&Response> {
        let ok = |r: &&Response| matches!(r.status, Status::Code(200..=299));
        self.responses
            .iter()
            .find(ok)
            .or_else(|| self.responses.iter().find(|r| r.status == Status::Range(2)))
            .or_else(|| self.responses.first())
    }

    /// The shape of the body of the only success response, when there is exactly one.
    fn success_body(&self) -> Option<&Shape> {
        let mut ok = self.responses.iter().filter(|r| r.is_success());
        let r = ok.next()?;
        if ok.next().is_some() {
            return None;
        }
        r.body.as_ref().filter(|b| b.is_json()).map(|b| &b.shape)
    }
}

impl Response {
    /// The status a response is sent with when its own says nothing more precise: its code, a
    /// range's first (`4XX` is 400), 200 for `default`.
    pub fn sent_status(&self) -> u16 {
        match self.status {
            Status::Code(c) => c,
            Status::Range(h) => h * 100,
            Status::Default => 200,
        }
    }
}

/// An optional parameter that several operations take alike: same Rust name, place, wire
/// name and type.
#[derive(Debug)]
pub struct SharedParam<'a> {
    /// The parameter as the first operation declares it.
    pub param: &'a Param,
    /// How many operations take it.
    pub count: usize,
}

impl Api {
    /// Whether `op` is a list operation of the regulated scheme: a `page` query parameter and a
    /// success body whose `links` member has a `next`.
    pub fn paginated(&self, op: &Operation) -> bool {
        let page = op
            .params
            .iter()
            .any(|p| p.location == Location::Query && p.wire == "page");
        page && op.success_body().is_some_and(|s| {
            self.member(s, "links")
                .is_some_and(|links| self.member(links, "next").is_some())
        })
    }

    /// The member `wire` of the object type `shape` names, through aliases.
    fn member<'a>(&'a self, shape: &'a Shape, wire: &str) -> Option<&'a Shape> {
        let mut shape = shape;
        for _ in 0..8 {
            let Ty::Named(id) = &shape.ty else {
                return None;
            };
            match &self.ty(*id).kind {
                TypeKind::Alias(s) => shape = s,
                TypeKind::Struct(st) => {
                    return st.fields.iter().find(|f| f.wire == wire).map(|f| &f.shape)
                }
                _ => return None,
            }
        }
        None
    }

    /// The optional parameters (not the interaction id) that more than one operation takes
    /// alike, by Rust name; a name some operation uses for another parameter is not shared.
    pub fn shared_params(&self) -> BTreeMap<&str, SharedParam<'_>> {
        let mut seen: BTreeMap<&str, (SharedParam<'_>, bool)> = BTreeMap::new();
        for op in &self.operations {
            for p in op.params.iter().filter(|p| !p.required && !p.is_managed()) {
                let entry = seen
                    .entry(p.name.as_str())
                    .or_insert((SharedParam { param: p, count: 0 }, true));
                let first = &entry.0.param;
                let alike = first.location == p.location
                    && first.wire == p.wire
                    && first.explode == p.explode
                    && first.shape.ty == p.shape.ty
                    && first.shape.c == p.shape.c
                    && first.shape.nullable == p.shape.nullable;
                entry.1 &= alike;
                entry.0.count += 1;
            }
        }
        seen.into_iter()
            .filter(|(_, (s, alike))| *alike && s.count > 1)
            .map(|(k, (s, _))| (k, s))
            .collect()
    }
}
