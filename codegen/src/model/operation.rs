//! Paths and operations: parameters in a fixed order, request bodies, and one response per
//! documented status with its typed headers.

use super::build::Ctx;
use super::schema::SRef;
use super::{Body, Location, Operation, Param, Response, Shape, Status, Ty};
use crate::diag::Ptr;
use crate::naming::{type_name, value_name, Scope};
use indexmap::IndexMap;
use openapiv3::{
    Components, Header, MediaType, Parameter, ParameterSchemaOrContent, ReferenceOr, RequestBody,
};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Objects that `components` holds by name, so that a `$ref` to one can be read typed.
trait Component: DeserializeOwned + Clone {
    /// The section of `components` (`responses`).
    const SECTION: &'static str;
    /// The section's entries, where `components` has such a section.
    fn section(c: &Components) -> Option<&IndexMap<String, ReferenceOr<Self>>>;
}

macro_rules! component {
    ($t:ty, $section:literal, $field:ident) => {
        impl Component for $t {
            const SECTION: &'static str = $section;
            fn section(c: &Components) -> Option<&IndexMap<String, ReferenceOr<Self>>> {
                Some(&c.$field)
            }
        }
    };
}

component!(Parameter, "parameters", parameters);
component!(openapiv3::Response, "responses", responses);
component!(Header, "headers", headers);
component!(RequestBody, "requestBodies", request_bodies);
component!(openapiv3::Example, "examples", examples);

/// Path items have no section in OpenAPI 3.0 `components`: their references go through the
/// JSON tree.
impl Component for openapiv3::PathItem {
    const SECTION: &'static str = "pathItems";
    fn section(_: &Components) -> Option<&IndexMap<String, ReferenceOr<Self>>> {
        None
    }
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

pub use ofb_runtime::media::essence;

/// Rust variant name for a status: the code's standard reason phrase, or `StatusNNN`.
pub fn status_name(status: Status) -> String {
    let known = match status {
        Status::Default => return String::from("Default"),
        Status::Range(h) => return format!("Status{h}xx"),
        Status::Code(c) => match c {
            100 => "Continue",
            200 => "Ok",
            201 => "Created",
            202 => "Accepted",
            203 => "NonAuthoritativeInformation",
            204 => "NoContent",
            206 => "PartialContent",
            301 => "MovedPermanently",
            302 => "Found",
            303 => "SeeOther",
            304 => "NotModified",
            307 => "TemporaryRedirect",
            308 => "PermanentRedirect",
            400 => "BadRequest",
            401 => "Unauthorized",
            402 => "PaymentRequired",
            403 => "Forbidden",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            406 => "NotAcceptable",
            408 => "RequestTimeout",
            409 => "Conflict",
            410 => "Gone",
            412 => "PreconditionFailed",
            413 => "PayloadTooLarge",
            415 => "UnsupportedMediaType",
            422 => "UnprocessableEntity",
            423 => "Locked",
            428 => "PreconditionRequired",
            429 => "TooManyRequests",
            500 => "InternalServerError",
            501 => "NotImplemented",
            502 => "BadGateway",
            503 => "ServiceUnavailable",
            504 => "GatewayTimeout",
            other => return format!("Status{other}"),
        },
    };
    known.to_owned()
}

impl Ctx<'_> {
    /// Follows a local `$ref` chain (at most 32 hops) and reads the object it ends at.
    fn follow<T: Component>(&mut self, reference: &str, ptr: &Ptr, what: &str) -> Option<(T, Ptr)> {
        let mut reference = reference.to_owned();
        for _ in 0..32 {
            if !reference.starts_with('#') {
                self.error(ptr, format!("$ref `{reference}` points outside the document: external references are not supported"));
                return None;
            }
            let target = Ptr::from_ref(&reference)?;
            // References into `components` are read in their typed form: a clone of what was
            // parsed once, rather than the JSON deserialized again at every use.
            let typed = reference
                .strip_prefix("#/components/")
                .and_then(|rest| rest.strip_prefix(T::SECTION))
                .and_then(|rest| rest.strip_prefix('/'))
                .filter(|name| !name.contains('/'))
                .and_then(|name| {
                    let name = name.replace("~1", "/").replace("~0", "~");
                    let components = self.doc.api.components.as_ref()?;
                    T::section(components)?.get(&name)
                });
            match typed {
                Some(ReferenceOr::Item(t)) => return Some((t.clone(), target)),
                Some(ReferenceOr::Reference { reference: next }) => {
                    reference = next.clone();
                    continue;
                }
                None => {}
            }
            let Some(value) = self.doc.json.pointer(target.as_json_pointer()) else {
                self.error(
                    ptr,
                    format!("$ref `{reference}` points at no {what} in the document"),
                );
                return None;
            };
            if let Some(next) = value.get("$ref").and_then(Value::as_str) {
                reference = next.to_owned();
                continue;
            }
            return match serde_json::from_value::<T>(value.clone()) {
                Ok(t) => Some((t, target)),
                Err(e) => {
                    self.error(
                        ptr,
                        format!("$ref `{reference}` does not point at a valid {what}: {e}"),
                    );
                    None
                }
            };
        }
        self.error(
            ptr,
            format!("$ref `{reference}` is part of a reference cycle"),
        );
        None
    }

    /// The object itself (borrowed) or the one its `$ref` leads to, with its pointer.
    fn item_or_ref<'r, T: Component>(
        &mut self,
        r: &'r ReferenceOr<T>,
        ptr: &Ptr,
        what: &str,
    ) -> Option<(Cow<'r, T>, Ptr)> {
        match r {
            ReferenceOr::Item(t) => Some((Cow::Borrowed(t), ptr.clone())),
            ReferenceOr::Reference { reference } => self
                .follow(reference, ptr, what)
                .map(|(t, p)| (Cow::Owned(t), p)),
        }
    }

    /// Models every operation, in path order and a fixed method order.
    pub(super) fn operations(&mut self) -> Vec<super::Operation> {
        let doc = self.doc;
        let mut ops = Vec::new();
        // Operation names are methods of the generated `Client` and the server trait: those
        // types' own methods are taken in advance.
        let mut fn_names = Scope::with_reserved(&[
            "new",
            "with_config",
            "from_core",
            "core",
            "call",
            "on_error",
        ]);
        let mut seen_ids: BTreeMap<String, String> = BTreeMap::new();
        for (path, item) in doc.api.paths.iter() {
            let pptr = Ptr::root().join("paths").join(path);
            let Some((item, _)) = self.item_or_ref(item, &pptr, "path item") else {
                continue;
            };
            for method in METHODS {
                let op = match method {
                    "get" => &item.get,
                    "put" => &item.put,
                    "post" => &item.post,
                    "delete" => &item.delete,
                    "options" => &item.options,
                    "head" => &item.head,
                    "patch" => &item.patch,
                    _ => &item.trace,
                };
                let Some(op) = op else { continue };
                let optr = pptr.join(method);
                let label = op
                    .operation_id
                    .clone()
                    .unwrap_or_else(|| format!("{} {path}", method.to_uppercase()));
                if let Some(id) = &op.operation_id {
                    if let Some(first) = seen_ids.insert(id.clone(), optr.to_string()) {
                        self.error(&optr.join("operationId"), format!("operationId `{id}` is used twice (first at {first}); operationIds must be unique"));
                    }
                }
                self.op = Some(label);
                let base = op
                    .operation_id
                    .clone()
                    .unwrap_or_else(|| format!("{method} {path}").replace(['{', '}'], " "));
                let name = fn_names.claim(&value_name(&base));
                let type_name = type_name(&name);
                let params = self.params(&item.parameters, &op.parameters, path, &optr, &type_name);
                let body = op
                    .request_body
                    .as_ref()
                    .and_then(|rb| self.request_body(rb, &optr.join("requestBody"), &type_name));
                let responses = self.responses(op, &optr, &type_name);
                ops.push(Operation {
                    name,
                    type_name,
                    operation_id: op.operation_id.clone(),
                    method: method.to_uppercase(),
                    path: path.clone(),
                    summary: op.summary.clone(),
                    description: op.description.clone(),
                    deprecated: op.deprecated,
                    anonymous: op
                        .security
                        .as_ref()
                        .or(doc.api.security.as_ref())
                        .is_some_and(Vec::is_empty),
                    params,
                    body,
                    responses,
                    pointer: optr.to_string(),
                    request_type: String::new(),
                    response_type: String::new(),
                });
                self.op = None;
            }
        }
        ops
    }

    fn params(
        &mut self,
        shared: &[ReferenceOr<Parameter>],
        own: &[ReferenceOr<Parameter>],
        path: &str,
        optr: &Ptr,
        op_type: &str,
    ) -> Vec<Param> {
        // Operation parameters override path-level ones with the same name and location.
        let mut resolved: Vec<(Cow<'_, Parameter>, Ptr)> = Vec::new();
        let pptr = optr.clone();
        let item_ptr = Ptr::root().join("paths").join(path).join("parameters");
        for (i, p) in shared.iter().enumerate() {
            if let Some(x) = self.item_or_ref(p, &item_ptr.join(i.to_string()), "parameter") {
                resolved.push(x);
            }
        }
        for (i, p) in own.iter().enumerate() {
            if let Some((p, ptr)) =
                self.item_or_ref(p, &pptr.join("parameters").join(i.to_string()), "parameter")
            {
                let key = (location(&p), p.parameter_data_ref().name.clone());
                resolved.retain(|(q, _)| (location(q), q.parameter_data_ref().name.clone()) != key);
                resolved.push((p, ptr));
            }
        }
        let template_vars = template_vars(path);
        let mut scope = Scope::with_reserved(&["body"]);
        let mut out: Vec<Param> = Vec::new();
        for (p, ptr) in &resolved {
            let loc = location(p);
            let data = p.parameter_data_ref();
            if loc == Location::Header
                && ["accept", "content-type", "authorization"]
                    .contains(&data.name.to_ascii_lowercase().as_str())
            {
                // OpenAPI 3.0 says these header parameters are ignored: transport sets them.
                continue;
            }
            if loc == Location::Path && !template_vars.contains(&data.name) {
                self.warn(ptr, format!("path parameter `{}` does not appear in the path template `{path}`; it is ignored", data.name));
                continue;
            }
            // A shared (component) parameter is one type, named after its component.
            let hint = match ptr.component() {
                Some(component) => type_name(&component),
                None => format!("{op_type}{}", type_name(&data.name)),
            };
            let shape = self.param_shape(&data.format, ptr, &hint);
            self.record_own_example(&shape, data.example.as_ref(), ptr);
            let default = self.param_default(&data.format);
            let doc = match (&data.description, &default) {
                (d, None) => d.clone(),
                (d, Some(v)) => {
                    let line =
                        format!("Default: `{v}` (what the server assumes when it is absent).");
                    Some(
                        d.as_ref()
                            .map_or(line.clone(), |d| format!("{d}\n\n{line}")),
                    )
                }
            };
            let explode = match &**p {
                Parameter::Query { .. } | Parameter::Cookie { .. } => data.explode.unwrap_or(true),
                _ => data.explode.unwrap_or(false),
            };
            out.push(Param {
                name: scope.claim(&value_name(&data.name)),
                wire: data.name.clone(),
                location: loc,
                required: data.required || loc == Location::Path,
                doc,
                shape,
                explode,
                example: Value::Null,
                default,
            });
        }
        for var in &template_vars {
            if !out
                .iter()
                .any(|p| p.location == Location::Path && &p.wire == var)
            {
                self.warn(optr, format!("path template variable `{{{var}}}` has no parameter definition; it is modelled as a string"));
                out.push(Param {
                    name: scope.claim(&value_name(var)),
                    wire: var.clone(),
                    location: Location::Path,
                    required: true,
                    doc: None,
                    shape: Shape::of(Ty::String),
                    explode: false,
                    example: Value::Null,
                    default: None,
                });
            }
        }
        // Fixed order: path parameters in URL order, then query, header, cookie in document order.
        out.sort_by_key(|p| {
            let url_pos = template_vars.iter().position(|v| v == &p.wire).unwrap_or(0);
            (
                p.location,
                if p.location == Location::Path {
                    url_pos
                } else {
                    0
                },
            )
        });
        out
    }

    /// A parameter's or header's own `example` (beside its schema) is checked like any other.
    fn record_own_example(&mut self, shape: &Shape, example: Option<&Value>, ptr: &Ptr) {
        if let Some(ex) = example {
            let mut s = shape.clone();
            s.example = Some((ex.clone(), ptr.join("example").to_string()));
            self.record_example(&s);
        }
    }

    fn param_shape(&mut self, format: &ParameterSchemaOrContent, ptr: &Ptr, hint: &str) -> Shape {
        match format {
            ParameterSchemaOrContent::Schema(s) => {
                self.shape(SRef::from(s), &ptr.join("schema"), hint)
            }
            ParameterSchemaOrContent::Content(content) => match content.iter().next() {
                Some((mt, m)) => match &m.schema {
                    Some(s) => self.shape(
                        SRef::from(s),
                        &ptr.join("content").join(mt).join("schema"),
                        hint,
                    ),
                    None => Shape::of(Ty::String),
                },
                None => Shape::of(Ty::String),
            },
        }
    }

    /// The `default` of a parameter's schema, as JSON.
    fn param_default(&self, format: &ParameterSchemaOrContent) -> Option<String> {
        let ParameterSchemaOrContent::Schema(s) = format else {
            return None;
        };
        let data = self.resolve(SRef::from(s))?.schema_data;
        data.default.as_ref().map(Value::to_string)
    }

    fn request_body(
        &mut self,
        rb: &ReferenceOr<RequestBody>,
        ptr: &Ptr,
        op_type: &str,
    ) -> Option<Body> {
        let (rb, rptr) = self.item_or_ref(rb, ptr, "request body")?;
        let hint = match rptr.component() {
            Some(component) => type_name(&component),
            None => format!("{op_type}RequestBody"),
        };
        let mut body = self.body(&rb.content, &rptr, &hint)?;
        body.required = rb.required;
        body.doc = rb.description.clone();
        Some(body)
    }

    /// Picks the media type to model (JSON by essence first) and models its schema.
    fn body(
        &mut self,
        content: &indexmap::IndexMap<String, MediaType>,
        ptr: &Ptr,
        hint: &str,
    ) -> Option<Body> {
        let (media_key, media) = content
            .iter()
            .find(|(k, _)| super::is_json_media(&essence(k)))
            .or_else(|| content.iter().next())?;
        let others: Vec<String> = content
            .keys()
            .map(|k| essence(k))
            .filter(|k| *k != essence(media_key))
            .collect();
        let mptr = ptr.join("content").join(media_key);
        if !others.is_empty() {
            self.warn(
                &ptr.join("content"),
                format!(
                    "several media types are offered ({} and {}): the generated code uses {}",
                    essence(media_key),
                    others.join(", "),
                    essence(media_key)
                ),
            );
        }
        let essence = essence(media_key);
        // A JWT with a schema is a signed body: its payload is what the schema describes.
        let signed = essence == super::SIGNED_MEDIA && media.schema.is_some();
        let shape = if super::is_json_media(&essence) || signed {
            match &media.schema {
                Some(s) => self.shape(SRef::from(s), &mptr.join("schema"), hint),
                None => Shape::any(),
            }
        } else {
            Shape::of(Ty::String)
        };
        let mut shape = shape;
        // A media-type example outranks property-level ones; `examples` gives the first entry.
        if let Some(ex) = &media.example {
            shape.example = Some((ex.clone(), mptr.join("example").to_string()));
        } else if let Some((name, ex)) = media.examples.iter().next() {
            let eptr = mptr.join("examples").join(name);
            if let Some((ex, _)) = self.item_or_ref(ex, &eptr, "example") {
                if let Some(v) = &ex.value {
                    shape.example = Some((v.clone(), eptr.join("value").to_string()));
                }
            }
        }
        Some(Body {
            media: essence,
            required: true,
            doc: None,
            shape,
            example: Value::Null,
            pointer: mptr.to_string(),
            signed,
            example_name: String::new(),
        })
    }

    fn responses(&mut self, op: &openapiv3::Operation, optr: &Ptr, op_type: &str) -> Vec<Response> {
        let mut entries: Vec<(Status, &ReferenceOr<openapiv3::Response>, Ptr)> = Vec::new();
        for (code, r) in &op.responses.responses {
            let (status, key) = match code {
                openapiv3::StatusCode::Code(c) => (Status::Code(*c), c.to_string()),
                openapiv3::StatusCode::Range(h) => (Status::Range(*h), format!("{h}XX")),
            };
            entries.push((status, r, optr.join("responses").join(key)));
        }
        if let Some(d) = &op.responses.default {
            entries.push((Status::Default, d, optr.join("responses").join("default")));
        }
        if entries.is_empty() {
            self.warn(
                &optr.join("responses"),
                "the operation documents no response",
            );
        }
        let mut out = Vec::new();
        for (status, r, ptr) in entries {
            let Some((resp, rptr)) = self.item_or_ref(r, &ptr, "response") else {
                continue;
            };
            let name = status_name(status);
            // A shared (component) response is one type, named after its component.
            let owner = match rptr.component() {
                Some(component) => type_name(&component),
                None => format!("{op_type}{name}"),
            };
            let body = self.body(&resp.content, &rptr, &format!("{owner}Body"));
            let mut headers = Vec::new();
            let mut scope = Scope::default();
            for (hname, h) in &resp.headers {
                let hptr = rptr.join("headers").join(hname);
                let Some((h, hptr)) = self.item_or_ref::<Header>(h, &hptr, "header") else {
                    continue;
                };
                if hname.eq_ignore_ascii_case("content-type") {
                    continue;
                }
                let hint = match hptr.component() {
                    Some(component) => type_name(&component),
                    None => format!("{owner}{}", type_name(hname)),
                };
                let shape = self.param_shape(&h.format, &hptr, &hint);
                self.record_own_example(&shape, h.example.as_ref(), &hptr);
                headers.push(Param {
                    name: scope.claim(&value_name(hname)),
                    wire: hname.clone(),
                    location: Location::Header,
                    required: h.required,
                    doc: h.description.clone(),
                    shape,
                    explode: false,
                    example: Value::Null,
                    default: None,
                });
            }
            out.push(Response {
                status,
                name,
                doc: Some(resp.description.clone()).filter(|d| !d.trim().is_empty()),
                body,
                headers,
                headers_type: None,
            });
        }
        out
    }
}

fn location(p: &Parameter) -> Location {
    match p {
        Parameter::Path { .. } => Location::Path,
        Parameter::Query { .. } => Location::Query,
        Parameter::Header { .. } => Location::Header,
        Parameter::Cookie { .. } => Location::Cookie,
    }
}

/// Variables of a path template, in URL order.
fn template_vars(path: &str) -> Vec<String> {
    let mut vars = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        vars.push(after[..close].to_owned());
        rest = &after[close + 1..];
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::{status_name, Status};

    /// The names `derive(Response)` reads a status from (its test has the same table).
    #[test]
    fn statuses_are_named_as_the_derive_reads_them() {
        assert_eq!(status_name(Status::Code(200)), "Ok");
        assert_eq!(status_name(Status::Code(204)), "NoContent");
        assert_eq!(status_name(Status::Code(422)), "UnprocessableEntity");
        assert_eq!(status_name(Status::Code(504)), "GatewayTimeout");
        assert_eq!(status_name(Status::Code(529)), "Status529");
        assert_eq!(status_name(Status::Range(4)), "Status4xx");
        assert_eq!(status_name(Status::Default), "Default");
    }
}
