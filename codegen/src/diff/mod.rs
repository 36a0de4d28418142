//! Comparing two documents by their models: what changed between two versions of an API, and
//! whom each change breaks.
//!
//! The comparison reads the IR ([`crate::model`]), never the YAML text, so reordered keys and
//! components renamed without a change of shape are no change at all: named types are compared
//! structurally, operations are matched by method and path template (a renamed path variable
//! is the same path), parameters by where they travel and their wire name (path parameters by
//! their position in the URL). Every [`Change`] carries the JSON pointer of the item in each
//! document where it exists, and is judged separately for the consumers of the generated
//! client and for the implementers of the generated server trait by the table in [`rules`].

mod compare;
mod constraints;
mod locate;
mod place;
pub mod render;
pub mod rules;
mod shape;

use crate::diag::Diagnostics;
use crate::model::Api;
use crate::Overlay;
pub use rules::{Class, Rule, Verdict};

/// What kind of change was found. Its [`Kind::name`] is the `kind` of the reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// An operation only the new document has.
    OperationAdded,
    /// An operation only the old document has.
    OperationRemoved,
    /// A response status only the new document documents.
    StatusAdded,
    /// A response status only the old document documents.
    StatusRemoved,
    /// A parameter only the new document has.
    ParameterAdded,
    /// A parameter only the old document has.
    ParameterRemoved,
    /// A request or response body only the new document has.
    BodyAdded,
    /// A request or response body only the old document has.
    BodyRemoved,
    /// An object property only the new document has.
    FieldAdded,
    /// An object property only the old document has.
    FieldRemoved,
    /// A response header only the new document has.
    HeaderAdded,
    /// A response header only the old document has.
    HeaderRemoved,
    /// A parameter, body, property or header that is now required.
    MadeRequired,
    /// A parameter, body, property or header that is no longer required.
    MadeOptional,
    /// A different type (`string` to `integer`, an object to an enum, ...).
    TypeChanged,
    /// A different `format` (including `int32`/`int64` and the string formats).
    FormatChanged,
    /// A `pattern` added, removed or changed.
    PatternChanged,
    /// `minLength` or `maxLength` changed.
    LengthChanged,
    /// `minimum`, `maximum`, their `exclusive` flags, `multipleOf`, or a numeric enum
    /// appearing or disappearing.
    RangeChanged,
    /// `minItems`, `maxItems`, `uniqueItems`, `minProperties` or `maxProperties` changed.
    ItemsChanged,
    /// `nullable` changed.
    NullableChanged,
    /// What an object does with properties it does not list changed.
    AdditionalPropertiesChanged,
    /// An enum value (or discriminator value) only the new document lists.
    EnumValueAdded,
    /// An enum value (or discriminator value) only the old document lists.
    EnumValueRemoved,
    /// A `oneOf`/`anyOf` alternative only the new document has.
    VariantAdded,
    /// A `oneOf`/`anyOf` alternative only the old document has.
    VariantRemoved,
    /// A body now travels as another media type.
    MediaTypeChanged,
}

impl Kind {
    /// The kebab-case name used in reports (`field-removed`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::OperationAdded => "operation-added",
            Kind::OperationRemoved => "operation-removed",
            Kind::StatusAdded => "status-added",
            Kind::StatusRemoved => "status-removed",
            Kind::ParameterAdded => "parameter-added",
            Kind::ParameterRemoved => "parameter-removed",
            Kind::BodyAdded => "body-added",
            Kind::BodyRemoved => "body-removed",
            Kind::FieldAdded => "field-added",
            Kind::FieldRemoved => "field-removed",
            Kind::HeaderAdded => "header-added",
            Kind::HeaderRemoved => "header-removed",
            Kind::MadeRequired => "made-required",
            Kind::MadeOptional => "made-optional",
            Kind::TypeChanged => "type-changed",
            Kind::FormatChanged => "format-changed",
            Kind::PatternChanged => "pattern-changed",
            Kind::LengthChanged => "length-changed",
            Kind::RangeChanged => "range-changed",
            Kind::ItemsChanged => "items-changed",
            Kind::NullableChanged => "nullable-changed",
            Kind::AdditionalPropertiesChanged => "additional-properties-changed",
            Kind::EnumValueAdded => "enum-value-added",
            Kind::EnumValueRemoved => "enum-value-removed",
            Kind::VariantAdded => "variant-added",
            Kind::VariantRemoved => "variant-removed",
            Kind::MediaTypeChanged => "media-type-changed",
        }
    }
}

/// Which way the data of a change travels, which decides whom a change breaks: a request is
/// produced by the client and consumed by the server, a response the other way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Side {
    /// The operation as a whole (added or removed).
    Operation,
    /// Parameters and the request body.
    Request,
    /// Statuses, response headers and response bodies.
    Response,
}

impl Side {
    /// The lower-case name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Side::Operation => "operation",
            Side::Request => "request",
            Side::Response => "response",
        }
    }
}

/// One difference between the documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    /// What changed.
    pub kind: Kind,
    /// What the change does to the set of valid messages, the key of the rule table.
    pub class: Class,
    /// Request or response (or the whole operation).
    pub side: Side,
    /// Where, for a reader: `GET /accounts/{accountId} response 200 body data[].name`.
    pub location: String,
    /// RFC 6901 pointer (`#`-prefixed) of the item in the old document, if it is there.
    pub old_pointer: Option<String>,
    /// The same in the new document.
    pub new_pointer: Option<String>,
    /// The change itself: `maxLength 10 -> 5`.
    pub detail: String,
    /// The verdict for consumers of the generated client.
    pub client: Verdict,
    /// The verdict for implementers of the generated server trait.
    pub server: Verdict,
}

/// Counts of a report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Changes found.
    pub changes: usize,
    /// Changes that break clients.
    pub client_breaking: usize,
    /// Changes that break servers.
    pub server_breaking: usize,
    /// Changes that break either.
    pub breaking: usize,
}

/// Every change between two documents, operations in the old document's order, then the
/// operations only the new one has.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The changes.
    pub changes: Vec<Change>,
}

impl Report {
    /// Whether the documents are equivalent.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The counts.
    pub fn summary(&self) -> Summary {
        let count = |f: &dyn Fn(&Change) -> bool| self.changes.iter().filter(|c| f(c)).count();
        Summary {
            changes: self.changes.len(),
            client_breaking: count(&|c| c.client.breaking),
            server_breaking: count(&|c| c.server.breaking),
            breaking: count(&|c| c.client.breaking || c.server.breaking),
        }
    }
}

/// One side of a comparison: the model, and optionally the document's JSON tree, which makes
/// the pointers of parameters and referenced responses exact (the model does not keep them).
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    api: &'a Api,
    json: Option<&'a serde_json::Value>,
}

impl<'a> Input<'a> {
    /// A model alone: parameters are then located at their operation's `parameters`.
    pub fn new(api: &'a Api) -> Self {
        Input { api, json: None }
    }

    /// The same model with the JSON tree it was built from.
    pub fn with_document(mut self, json: &'a serde_json::Value) -> Self {
        self.json = Some(json);
        self
    }
}

/// A loaded and modelled document, ready to compare.
pub type Model = crate::Modelled;

/// Loads and models `bytes` (labelled `label` in diagnostics) with `overlays` applied.
pub fn model(label: &str, bytes: &[u8], overlays: &[Overlay]) -> Result<Model, Diagnostics> {
    crate::modelled(label, bytes, overlays)
}

/// The changes from `old` to `new`, from the models alone.
pub fn diff(old: &Api, new: &Api) -> Report {
    diff_inputs(Input::new(old), Input::new(new))
}

/// The changes from `old` to `new`.
pub fn diff_inputs(old: Input<'_>, new: Input<'_>) -> Report {
    let mut walk = compare::Walk::new(old, new);
    walk.operations();
    Report {
        changes: walk.finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(yaml: &str) -> Api {
        model("t.yaml", yaml.as_bytes(), &[]).expect("valid").api
    }

    const BASE: &str = "openapi: 3.0.0
info: {title: t, version: '1'}
paths:
  /things/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing:
      type: object
      required: [name]
      properties:
        name: {type: string, maxLength: 10}
        next: {$ref: '#/components/schemas/Thing'}
";

    #[test]
    fn a_recursive_document_diffs_against_itself_to_nothing() {
        let a = api(BASE);
        assert!(diff(&a, &a).is_empty());
    }

    #[test]
    fn a_change_inside_a_recursive_type_is_reported_without_looping() {
        let a = api(BASE);
        let b = api(&BASE.replace("maxLength: 10", "maxLength: 5"));
        let r = diff(&a, &b);
        assert_eq!(r.changes.len(), 1, "{r:#?}");
        let c = &r.changes[0];
        assert_eq!(c.kind, Kind::LengthChanged);
        assert_eq!(c.location, "GET /things/{id} response 200 body name");
        assert_eq!(
            c.old_pointer.as_deref(),
            Some("#/components/schemas/Thing/properties/name")
        );
        assert!(c.server.breaking && !c.client.breaking, "{c:#?}");
        assert_eq!(
            r.summary(),
            Summary {
                changes: 1,
                client_breaking: 0,
                server_breaking: 1,
                breaking: 1
            }
        );
    }

    #[test]
    fn a_renamed_path_variable_is_the_same_path() {
        let a = api(BASE);
        let b = api(&BASE
            .replace("{id}", "{thingId}")
            .replace("name: id", "name: thingId"));
        assert!(diff(&a, &b).is_empty(), "{:#?}", diff(&a, &b));
    }

    #[test]
    fn pointers_are_escaped_and_exact_with_the_document() {
        let a = model("a.yaml", BASE.as_bytes(), &[]).expect("valid");
        let text = BASE.replace(
            "required: true, schema: {type: string}}",
            "required: true, schema: {type: string}}\n        - {name: a~b, in: query, schema: {type: string}}",
        );
        let b = model("b.yaml", text.as_bytes(), &[]).expect("valid");
        let r = diff_inputs(a.input(), b.input());
        assert_eq!(r.changes.len(), 1, "{r:#?}");
        assert_eq!(r.changes[0].kind, Kind::ParameterAdded);
        assert_eq!(r.changes[0].old_pointer, None);
        assert_eq!(
            r.changes[0].new_pointer.as_deref(),
            Some("#/paths/~1things~1{id}/get/parameters/1")
        );
        // Without the document the pointer is the operation's parameter list.
        let r = diff(&a.api, &b.api);
        assert_eq!(
            r.changes[0].new_pointer.as_deref(),
            Some("#/paths/~1things~1{id}/get/parameters")
        );
    }

    const UNION: &str = "openapi: 3.0.0
info: {title: t, version: '1'}
paths:
  /pay:
    post:
      requestBody:
        content:
          application/json:
            schema:
              oneOf:
                - {$ref: '#/components/schemas/Pix'}
                - {$ref: '#/components/schemas/Card'}
      responses:
        '204': {description: done}
components:
  schemas:
    Pix:
      type: object
      properties:
        key: {type: string}
    Card:
      type: object
      additionalProperties: false
      properties:
        number: {type: string, nullable: true}
";

    fn kinds(r: &Report) -> Vec<(&'static str, &str)> {
        r.changes
            .iter()
            .map(|c| (c.kind.name(), c.detail.as_str()))
            .collect()
    }

    #[test]
    fn reordered_alternatives_are_no_change_and_new_ones_are_found() {
        let a = api(UNION);
        let swapped = UNION.replace(
            "                - {$ref: '#/components/schemas/Pix'}\n                - {$ref: '#/components/schemas/Card'}",
            "                - {$ref: '#/components/schemas/Card'}\n                - {$ref: '#/components/schemas/Pix'}",
        );
        assert_ne!(swapped, UNION);
        assert!(diff(&a, &api(&swapped)).is_empty());
        let more = UNION.replace(
            "                - {$ref: '#/components/schemas/Card'}",
            "                - {$ref: '#/components/schemas/Card'}\n                - {type: string}",
        );
        let r = diff(&a, &api(&more));
        assert_eq!(kinds(&r), [("variant-added", "alternative 2 added")]);
        assert_eq!(r.changes[0].location, "POST /pay request body (oneOf 2)");
        assert!(r.changes[0].server.breaking && !r.changes[0].client.breaking);
    }

    #[test]
    fn nullability_and_additional_properties_are_judged_by_direction() {
        let a = api(UNION);
        let b = api(&UNION
            .replace("{type: string, nullable: true}", "{type: string}")
            .replace("      additionalProperties: false\n", ""));
        let r = diff(&a, &b);
        assert_eq!(
            kinds(&r),
            [
                ("nullable-changed", "nullable true -> false"),
                (
                    "additional-properties-changed",
                    "additional properties forbidden -> allowed"
                ),
            ]
        );
        // On a request: null no longer accepted breaks clients; unlisted members now
        // accepted break servers.
        assert!(r.changes[0].client.breaking && !r.changes[0].server.breaking);
        assert!(!r.changes[1].client.breaking && r.changes[1].server.breaking);
    }

    #[test]
    fn bodies_added_and_retyped_are_reported_where_they_are_listed() {
        let a = api(UNION);
        let text = UNION.replace(
            "        '204': {description: done}",
            "        '204': {description: done}\n        '200':\n          description: ok\n          content:\n            text/plain:\n              schema: {type: string}",
        );
        let b = api(&text);
        let r = diff(&a, &b);
        assert_eq!(kinds(&r), [("status-added", "status 200 added")]);
        let c = api(&text.replace("text/plain", "application/json"));
        let r = diff(&b, &c);
        assert_eq!(
            kinds(&r),
            [(
                "media-type-changed",
                "media type text/plain -> application/json"
            )]
        );
        let d = api(&UNION.replace(
            "      requestBody:\n",
            "      requestBody:\n        required: true\n",
        ));
        let r = diff(&a, &d);
        assert_eq!(kinds(&r), [("made-required", "the body is now required")]);
        assert_eq!(
            r.changes[0].new_pointer.as_deref(),
            Some("#/paths/~1pay/post/requestBody")
        );
    }
}
