//! The walk over two models: operations matched by method and path template, then their
//! parameters, request bodies, statuses, response headers and response bodies. Shapes are
//! compared in [`super::shape`].

use super::locate;
pub(super) use super::place::At;
use super::rules::{classify, Class};
use super::{Change, Input, Kind, Side};
use crate::diag::Ptr;
use crate::model::{Body, Location, Operation, Param, Response, TypeId};
use std::collections::BTreeSet;

/// The state of one comparison.
pub(super) struct Walk<'a> {
    /// The old side.
    pub old: Input<'a>,
    /// The new side.
    pub new: Input<'a>,
    /// Changes found so far.
    pub out: Vec<Change>,
    /// Pairs of named types (old, new) being compared on the current path: reaching one again
    /// means recursion, which adds nothing new.
    pub visiting: BTreeSet<(TypeId, TypeId)>,
}

/// A path template with its variable names dropped: `/a/{id}` and `/a/{accountId}` match.
fn template(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push('{');
            }
            '}' => {
                inside = false;
                out.push('}');
            }
            _ if inside => {}
            c => out.push(c),
        }
    }
    out
}

fn required_word(required: bool) -> &'static str {
    if required {
        "required"
    } else {
        "optional"
    }
}

/// Whether two parameters are the same one (path parameters are paired by position instead).
fn same_param(a: &Param, b: &Param) -> bool {
    a.location == b.location
        && match a.location {
            Location::Header => a.wire.eq_ignore_ascii_case(&b.wire),
            _ => a.wire == b.wire,
        }
}

impl<'a> Walk<'a> {
    pub fn new(old: Input<'a>, new: Input<'a>) -> Self {
        Walk {
            old,
            new,
            out: Vec::new(),
            visiting: BTreeSet::new(),
        }
    }

    /// The changes, in the order found.
    pub fn finish(self) -> Vec<Change> {
        self.out
    }

    /// Records a change at `at`, judged by the rule table.
    pub fn emit(&mut self, kind: Kind, class: Class, at: &At, detail: String) {
        let rule = classify(class, at.side);
        self.out.push(Change {
            kind,
            class,
            side: at.side,
            location: at.location(),
            old_pointer: at.old.as_ref().map(Ptr::to_string),
            new_pointer: at.new.as_ref().map(Ptr::to_string),
            detail,
            client: rule.client,
            server: rule.server,
        });
    }

    /// Every operation: matched, removed, then added.
    pub fn operations(&mut self) {
        let (olds, news) = (&self.old.api.operations, &self.new.api.operations);
        let mut pair: Vec<Option<usize>> = vec![None; olds.len()];
        let mut taken = vec![false; news.len()];
        // Exact paths first, so a document with both `/a/{x}` and `/a/{y}` still pairs well.
        let exact = |o: &Operation, n: &Operation| o.method == n.method && o.path == n.path;
        let loose = |o: &Operation, n: &Operation| {
            o.method == n.method && template(&o.path) == template(&n.path)
        };
        for same in [&exact as &dyn Fn(&Operation, &Operation) -> bool, &loose] {
            for (i, o) in olds.iter().enumerate() {
                if pair[i].is_some() {
                    continue;
                }
                if let Some(j) = (0..news.len()).find(|&j| !taken[j] && same(o, &news[j])) {
                    pair[i] = Some(j);
                    taken[j] = true;
                }
            }
        }
        for (i, o) in olds.iter().enumerate() {
            match pair[i] {
                Some(j) => self.operation(o, &news[j]),
                None => {
                    let at = At::new(
                        Side::Operation,
                        format!("{} {}", o.method, o.path),
                        Some(locate::parse(&o.pointer)),
                        None,
                    );
                    let detail = format!("operation {}", describe(o));
                    self.emit(Kind::OperationRemoved, Class::OperationRemoved, &at, detail);
                }
            }
        }
        for (j, n) in news.iter().enumerate() {
            if !taken[j] {
                let at = At::new(
                    Side::Operation,
                    format!("{} {}", n.method, n.path),
                    None,
                    Some(locate::parse(&n.pointer)),
                );
                let detail = format!("operation {}", describe(n));
                self.emit(Kind::OperationAdded, Class::OperationAdded, &at, detail);
            }
        }
    }

    fn operation(&mut self, o: &Operation, n: &Operation) {
        let place = format!("{} {}", n.method, n.path);
        let (op, np) = (locate::parse(&o.pointer), locate::parse(&n.pointer));
        self.params(o, n, &place, &op, &np);
        let at = At::new(
            Side::Request,
            format!("{place} request body"),
            Some(op.join("requestBody")),
            Some(np.join("requestBody")),
        );
        self.body(o.body.as_ref(), n.body.as_ref(), &at);
        self.responses(o, n, &place, &op, &np);
    }

    fn params(&mut self, o: &Operation, n: &Operation, place: &str, op: &Ptr, np: &Ptr) {
        let old_json = self.old.json;
        let new_json = self.new.json;
        let old_ptr = |p: &Param| locate::parameter(old_json, op, &o.path, p.location, &p.wire);
        let new_ptr = |p: &Param| locate::parameter(new_json, np, &n.path, p.location, &p.wire);
        let where_ = |p: &Param| {
            format!(
                "{place} {} parameter {}",
                locate::location_name(p.location),
                p.wire
            )
        };
        // Path parameters pair by position in the URL (the templates already match).
        let old_path: Vec<&Param> = o
            .params
            .iter()
            .filter(|p| p.location == Location::Path)
            .collect();
        let new_path: Vec<&Param> = n
            .params
            .iter()
            .filter(|p| p.location == Location::Path)
            .collect();
        let mut pairs: Vec<(Option<&Param>, Option<&Param>)> = Vec::new();
        for i in 0..old_path.len().max(new_path.len()) {
            pairs.push((old_path.get(i).copied(), new_path.get(i).copied()));
        }
        fn others(ps: &[Param]) -> impl Iterator<Item = &Param> {
            ps.iter().filter(|p| p.location != Location::Path)
        }
        for p in others(&o.params) {
            pairs.push((Some(p), n.params.iter().find(|q| same_param(p, q))));
        }
        for q in others(&n.params) {
            if !o.params.iter().any(|p| same_param(p, q)) {
                pairs.push((None, Some(q)));
            }
        }
        for pair in pairs {
            match pair {
                (Some(p), Some(q)) => {
                    let at = At::new(Side::Request, where_(q), Some(old_ptr(p)), Some(new_ptr(q)));
                    self.required(p.required, q.required, &at, "the parameter");
                    let (os, ns) = (
                        locate::schema_of(old_json, at.old.clone()),
                        locate::schema_of(new_json, at.new.clone()),
                    );
                    self.shape(&p.shape, &q.shape, &at.at(os, ns));
                }
                (Some(p), None) => {
                    let at = At::new(Side::Request, where_(p), Some(old_ptr(p)), None);
                    let detail = format!(
                        "{} parameter `{}` ({}) removed",
                        locate::location_name(p.location),
                        p.wire,
                        required_word(p.required)
                    );
                    self.emit(Kind::ParameterRemoved, Class::Removed, &at, detail);
                }
                (None, Some(q)) => {
                    let at = At::new(Side::Request, where_(q), None, Some(new_ptr(q)));
                    let detail = format!(
                        "{} parameter `{}` ({}) added",
                        locate::location_name(q.location),
                        q.wire,
                        required_word(q.required)
                    );
                    let class = if q.required {
                        Class::AddedRequired
                    } else {
                        Class::AddedOptional
                    };
                    self.emit(Kind::ParameterAdded, class, &at, detail);
                }
                (None, None) => {}
            }
        }
    }

    /// A change of required-ness of `what` (a parameter, a body, a header, `` `name` ``).
    pub fn required(&mut self, old: bool, new: bool, at: &At, what: &str) {
        match (old, new) {
            (false, true) => self.emit(
                Kind::MadeRequired,
                Class::MadeRequired,
                at,
                format!("{what} is now required"),
            ),
            (true, false) => self.emit(
                Kind::MadeOptional,
                Class::MadeOptional,
                at,
                format!("{what} is now optional"),
            ),
            _ => {}
        }
    }

    /// A request or response body. `at` points where the body is listed (`requestBody`, a
    /// response's `content`): its presence and required-ness are reported there, its media
    /// type and schema at the media type object.
    fn body(&mut self, o: Option<&Body>, n: Option<&Body>, at: &At) {
        let request = at.side == Side::Request;
        match (o, n) {
            (None, None) => {}
            (Some(b), None) => {
                let at = at.at(at.old.clone(), None);
                let detail = format!("{} body removed", b.media);
                self.emit(Kind::BodyRemoved, Class::Removed, &at, detail);
            }
            (None, Some(b)) => {
                let at = at.at(None, at.new.clone());
                // A response body is always there once documented; a request body may be
                // optional.
                let required = !request || b.required;
                let class = if required {
                    Class::AddedRequired
                } else {
                    Class::AddedOptional
                };
                let detail = if request {
                    format!("{} body ({}) added", b.media, required_word(required))
                } else {
                    format!("{} body added", b.media)
                };
                self.emit(Kind::BodyAdded, class, &at, detail);
            }
            (Some(a), Some(b)) => {
                if request {
                    self.required(a.required, b.required, at, "the body");
                }
                let at = at.at(
                    Some(locate::parse(&a.pointer)),
                    Some(locate::parse(&b.pointer)),
                );
                if a.media != b.media {
                    let detail = format!("media type {} -> {}", a.media, b.media);
                    self.emit(Kind::MediaTypeChanged, Class::Incompatible, &at, detail);
                    return;
                }
                let (os, ns) = at.join(&["schema"]);
                self.shape(&a.shape, &b.shape, &at.at(os, ns));
            }
        }
    }

    fn responses(&mut self, o: &Operation, n: &Operation, place: &str, op: &Ptr, np: &Ptr) {
        for r in &o.responses {
            let key = locate::status_key(r.status);
            let (listed, target) = locate::response(self.old.json, op, r.status);
            match n.responses.iter().find(|s| s.status == r.status) {
                Some(s) => {
                    let (nlisted, ntarget) = locate::response(self.new.json, np, s.status);
                    let at = At::new(
                        Side::Response,
                        format!("{place} response {key}"),
                        Some(listed),
                        Some(nlisted),
                    );
                    self.response(r, s, &at, (target, ntarget));
                }
                None => {
                    let at = At::new(
                        Side::Response,
                        format!("{place} response {key}"),
                        Some(listed),
                        None,
                    );
                    self.emit(
                        Kind::StatusRemoved,
                        Class::StatusRemoved,
                        &at,
                        format!("status {key} removed"),
                    );
                }
            }
        }
        for s in &n.responses {
            if !o.responses.iter().any(|r| r.status == s.status) {
                let key = locate::status_key(s.status);
                let (listed, _) = locate::response(self.new.json, np, s.status);
                let at = At::new(
                    Side::Response,
                    format!("{place} response {key}"),
                    None,
                    Some(listed),
                );
                self.emit(
                    Kind::StatusAdded,
                    Class::StatusAdded,
                    &at,
                    format!("status {key} added"),
                );
            }
        }
    }

    /// One status documented by both: headers, then the body. `targets` are where each
    /// response object is once `$ref`s are followed.
    fn response(&mut self, r: &Response, s: &Response, at: &At, targets: (Ptr, Ptr)) {
        let (ot, nt) = targets;
        let same = |a: &Param, b: &Param| a.wire.eq_ignore_ascii_case(&b.wire);
        let place = |h: &Param| format!("{} header {}", at.place, h.wire);
        for h in &r.headers {
            let hp = Some(ot.join("headers").join(&h.wire));
            match s.headers.iter().find(|g| same(h, g)) {
                Some(g) => {
                    let gp = Some(nt.join("headers").join(&g.wire));
                    let hat = At::new(Side::Response, place(g), hp, gp);
                    self.required(h.required, g.required, &hat, "the header");
                    let (os, ns) = (
                        locate::schema_of(self.old.json, hat.old.clone()),
                        locate::schema_of(self.new.json, hat.new.clone()),
                    );
                    self.shape(&h.shape, &g.shape, &hat.at(os, ns));
                }
                None => {
                    let hat = At::new(Side::Response, place(h), hp, None);
                    let detail = format!(
                        "header `{}` ({}) removed",
                        h.wire,
                        required_word(h.required)
                    );
                    self.emit(Kind::HeaderRemoved, Class::Removed, &hat, detail);
                }
            }
        }
        for g in &s.headers {
            if !r.headers.iter().any(|h| same(h, g)) {
                let gp = Some(nt.join("headers").join(&g.wire));
                let hat = At::new(Side::Response, place(g), None, gp);
                let class = if g.required {
                    Class::AddedRequired
                } else {
                    Class::AddedOptional
                };
                let detail = format!("header `{}` ({}) added", g.wire, required_word(g.required));
                self.emit(Kind::HeaderAdded, class, &hat, detail);
            }
        }
        let body_at = At::new(
            Side::Response,
            format!("{} body", at.place),
            Some(ot.join("content")),
            Some(nt.join("content")),
        );
        self.body(r.body.as_ref(), s.body.as_ref(), &body_at);
    }
}

/// `GET /x (operationId getX)`, for the detail of an operation added or removed.
fn describe(o: &Operation) -> String {
    match &o.operation_id {
        Some(id) => format!("{} {} (operationId {id})", o.method, o.path),
        None => format!("{} {}", o.method, o.path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_ignore_variable_names_only() {
        assert_eq!(template("/a/{id}/b/{x}"), "/a/{}/b/{}");
        assert_eq!(template("/a/{id}"), template("/a/{accountId}"));
        assert_ne!(template("/a/{id}"), template("/b/{id}"));
        assert_eq!(template("/plain"), "/plain");
    }
}
