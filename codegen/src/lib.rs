//! The Open Finance Brasil code generator: OpenAPI 3.0 documents in, typed Rust crates out.
//!
//! The pipeline reads in the module names: [`load`] (bytes to a typed OpenAPI document, with
//! [`overlay`]s applied), [`model`] (every `$ref` followed, every name decided, one deterministic
//! example per body), [`emit`] (token streams, formatted by prettyplease). [`generate`] runs it
//! all; front ends (the `xtask` crate) only read files and write the result.
//! [`diff`] compares the models of two documents and judges whom each change breaks.

#![deny(missing_docs)]

pub mod diag;
pub mod diff;
pub mod emit;
pub mod load;
pub mod model;
pub mod naming;
pub mod overlay;

pub use diag::{Diagnostic, Diagnostics, Severity};
pub use emit::files::File;
/// The version of `ofb-runtime` that generated crates depend on.
pub use ofb_runtime::VERSION as RUNTIME_VERSION;
pub use overlay::Overlay;
use std::collections::BTreeMap;

/// How to generate one crate. Built with `with_*` methods from [`Settings::new`].
#[derive(Debug, Clone)]
pub struct Settings {
    crate_name: String,
    runtime: Runtime,
    standalone: bool,
    command: String,
    source: String,
    sha256: String,
    overlays: Vec<String>,
    service: Option<String>,
    frequencies: BTreeMap<(String, String), Frequency>,
    frequencies_by_id: BTreeMap<String, Frequency>,
    report_violations: bool,
    classes_required: bool,
    changes: Option<(String, String)>,
    version: Option<String>,
}

/// Where a generated crate takes `ofb-runtime` from. It always names the runtime's version,
/// so the crate can be published; a path is for building it where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Runtime {
    /// The version, and this path (relative to the crate's directory, or absolute) to build
    /// from until the runtime is in a registry.
    Path(String),
    /// `workspace = true`: the workspace's `[workspace.dependencies]` names version and path.
    Workspace,
    /// The version alone, from the registry (crates.io or the one `cargo publish` targets).
    Registry,
}

impl Runtime {
    /// The dependency's value in Cargo.toml, with `features` when any.
    pub fn dependency(&self, features: &[&str]) -> String {
        let version = format!("version = \"{}\"", ofb_runtime::VERSION);
        let mut parts = match self {
            Runtime::Path(path) => vec![version, format!("path = \"{path}\"")],
            Runtime::Workspace => vec![String::from("workspace = true")],
            Runtime::Registry if features.is_empty() => {
                return format!("\"{}\"", ofb_runtime::VERSION)
            }
            Runtime::Registry => vec![version],
        };
        if !features.is_empty() {
            let list: Vec<String> = features.iter().map(|f| format!("\"{f}\"")).collect();
            parts.push(format!("features = [{}]", list.join(", ")));
        }
        format!("{{ {} }}", parts.join(", "))
    }
}

/// The regulated frequency class of an endpoint, which sets the generated server's default
/// deadline (60% of the class's response-time limit; an endpoint with none gets the strictest).
pub use ofb_runtime::frequency::Frequency;

impl Settings {
    /// Settings for a crate named `crate_name` whose `ofb-runtime` dependency is at
    /// `runtime_path` (relative to the crate's directory, or absolute), by version as well.
    pub fn new(crate_name: impl Into<String>, runtime_path: impl Into<String>) -> Self {
        Settings {
            crate_name: crate_name.into(),
            runtime: Runtime::Path(runtime_path.into()),
            standalone: false,
            command: String::from("cargo xtask generate"),
            source: String::from("unnamed document"),
            sha256: String::from("unknown"),
            overlays: Vec::new(),
            service: None,
            frequencies: BTreeMap::new(),
            frequencies_by_id: BTreeMap::new(),
            report_violations: false,
            classes_required: false,
            changes: None,
            version: None,
        }
    }

    /// The frequency class of the operation whose operationId is `operation_id`, where no class
    /// is recorded for its method and path: how an integration operation takes the class of
    /// its regulated counterpart. A class for an operationId the document does not have is
    /// ignored (the counterpart may have operations this document lacks).
    pub fn with_frequency_of(mut self, operation_id: impl Into<String>, class: Frequency) -> Self {
        self.frequencies_by_id.insert(operation_id.into(), class);
        self
    }

    /// Whether the generated router, by default, serves requests that break the document and
    /// reports the violations (`true`: integration documents, whose caller has judged the
    /// request) rather than refusing them (`false`, the default).
    pub fn with_report_violations(mut self, report: bool) -> Self {
        self.report_violations = report;
        self
    }

    /// Whether every operation must have a frequency class: with `true`, each one left without
    /// (it gets the strictest budget) is a warning.
    pub fn with_classes_required(mut self, required: bool) -> Self {
        self.classes_required = required;
        self
    }

    /// Whether the router reports violations by default rather than refusing them.
    pub fn reports_violations(&self) -> bool {
        self.report_violations
    }

    /// The frequency class of `op`: the one recorded for its method and path, else the one of
    /// its operationId.
    pub fn frequency_of(&self, op: &model::Operation) -> Option<Frequency> {
        self.frequency(&op.method, &op.path).or_else(|| {
            op.operation_id
                .as_ref()
                .and_then(|id| self.frequencies_by_id.get(id).copied())
        })
    }

    /// The API changes from the previous pinned version (named `from`, as text from
    /// [`diff::render::text`]), for the README's "Changes from the previous pinned version".
    pub fn with_changes(mut self, from: impl Into<String>, report: impl Into<String>) -> Self {
        self.changes = Some((from.into(), report.into()));
        self
    }

    /// The name of the server trait (`Accounts`); by default `Api`.
    pub fn with_service(mut self, name: impl Into<String>) -> Self {
        self.service = Some(name.into());
        self
    }

    /// The frequency class of the operation `method path` (the path template as the document
    /// writes it). A class for an operation the document does not have is an error, so the
    /// data cannot silently go stale.
    pub fn with_frequency(
        mut self,
        method: impl Into<String>,
        path: impl Into<String>,
        class: Frequency,
    ) -> Self {
        self.frequencies
            .insert((method.into().to_ascii_uppercase(), path.into()), class);
        self
    }

    /// The frequency class of an operation, if one is recorded.
    pub fn frequency(&self, method: &str, path: &str) -> Option<Frequency> {
        self.frequencies
            .get(&(method.to_owned(), path.to_owned()))
            .copied()
    }

    /// The server trait's name.
    pub fn service(&self) -> String {
        naming::type_name(self.service.as_deref().unwrap_or("Api"))
    }

    /// The crate's version instead of the document's `info.version`: for publishing again a
    /// crate whose document is unchanged but whose generator is not. Refused at emission unless
    /// it is a semver version.
    pub fn with_version(mut self, version: impl Into<String>) -> Self {
        self.version = Some(version.into());
        self
    }

    /// Where the crate takes the runtime from (by default the path given to [`Settings::new`]).
    pub fn with_runtime(mut self, runtime: Runtime) -> Self {
        self.runtime = runtime;
        self
    }

    /// Emits `[workspace]` in Cargo.toml so the crate builds where it is, outside any workspace.
    pub fn with_standalone(mut self, standalone: bool) -> Self {
        self.standalone = standalone;
        self
    }

    /// The command named in generated headers.
    pub fn with_command(mut self, command: impl Into<String>) -> Self {
        self.command = command.into();
        self
    }

    /// The source document's name and SHA-256, named in generated headers.
    pub fn with_source(mut self, name: impl Into<String>, sha256: impl Into<String>) -> Self {
        self.source = name.into();
        self.sha256 = sha256.into();
        self
    }

    /// Names of the overlays applied, named in generated headers.
    pub fn with_overlays(mut self, names: Vec<String>) -> Self {
        self.overlays = names;
        self
    }
}

/// Counts for the summary line of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Operations in the document.
    pub operations: usize,
    /// Named types emitted.
    pub types: usize,
    /// Lines in the emitted files.
    pub lines: usize,
}

/// The result of a successful run.
#[derive(Debug, Clone)]
pub struct Output {
    /// Files of the crate, relative to its directory, sorted by path.
    pub files: Vec<File>,
    /// Warnings found on the way.
    pub warnings: Diagnostics,
    /// Summary counts.
    pub stats: Stats,
    /// The model the files were emitted from (for audits and the tests).
    pub api: model::Api,
    /// The document as modelled: its JSON tree after overlays (and, for a JSON Schema
    /// document, after it was made an OpenAPI document), for checks that read it themselves.
    pub document: serde_json::Value,
}

/// A document loaded (overlays applied) and modelled once: what generation and comparison
/// both start from, so that a run which does both reads each document a single time.
#[derive(Debug, Clone)]
pub struct Modelled {
    /// The parsed document, after overlays.
    pub document: load::Document,
    /// Its model, before examples are filled in.
    pub api: model::Api,
    /// Warnings found while modelling.
    pub warnings: Diagnostics,
}

impl Modelled {
    /// This model as one side of a comparison, with its JSON tree.
    pub fn input(&self) -> diff::Input<'_> {
        diff::Input::new(&self.api).with_document(&self.document.json)
    }

    /// The operations that have an operationId, as `(operationId, METHOD, path)`.
    pub fn operation_ids(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.api.operations.iter().filter_map(|op| {
            Some((
                op.operation_id.as_deref()?,
                op.method.as_str(),
                op.path.as_str(),
            ))
        })
    }
}

/// Loads and models `bytes` (labelled `label` in diagnostics) with `overlays` applied in order.
pub fn modelled(label: &str, bytes: &[u8], overlays: &[Overlay]) -> Result<Modelled, Diagnostics> {
    let document = load::load(label, bytes, overlays)?;
    let (api, modelling) = model::build(&document)?;
    let mut warnings = document.warnings.clone();
    warnings.extend(modelling);
    Ok(Modelled {
        document,
        api,
        warnings,
    })
}

/// Loads, models and emits one document. `label` names it in diagnostics (usually its file
/// name); `overlays` are applied in order before modelling.
pub fn generate(
    label: &str,
    bytes: &[u8],
    overlays: &[Overlay],
    settings: &Settings,
) -> Result<Output, Diagnostics> {
    generate_from(modelled(label, bytes, overlays)?, settings)
}

/// Emits the crate of a document already modelled.
pub fn generate_from(modelled: Modelled, settings: &Settings) -> Result<Output, Diagnostics> {
    let label = modelled.document.label.clone();
    let label = label.as_str();
    let Modelled {
        mut api,
        mut warnings,
        document,
    } = modelled;
    let document = document.json;
    let stale: Vec<String> = settings
        .frequencies
        .keys()
        .filter(|(m, p)| {
            !api.operations
                .iter()
                .any(|o| &o.method == m && &o.path == p)
        })
        .map(|(m, p)| {
            format!("a frequency class is recorded for `{m} {p}`, which the document does not have")
        })
        .collect();
    if !stale.is_empty() {
        let mut s = diag::Sink::new(label);
        for e in stale {
            s.error(&diag::Ptr::root().join("paths"), None, e);
        }
        return Err(s.finish());
    }
    let mut sink = diag::Sink::new(label);
    if settings.classes_required {
        for op in api
            .operations
            .iter()
            .filter(|op| settings.frequency_of(op).is_none())
        {
            let at = diag::Ptr::root()
                .join("paths")
                .join(&op.path)
                .join(op.method.to_ascii_lowercase());
            sink.warn(
                &at,
                op.operation_id.as_deref(),
                format!(
                    "no frequency class: neither specs/frequencies.toml nor a regulated operation with \
                     this operationId gives one, so the operation gets the strictest deadline ({} ms)",
                    Frequency::Unclassified.budget().as_millis()
                ),
            );
        }
    }
    model::example::fill(&mut api, &mut sink);
    warnings.extend(sink.finish());
    let files = emit::files::crate_files(&api, settings).map_err(|e| {
        let mut s = diag::Sink::new(label);
        s.error(&diag::Ptr::root(), None, e);
        s.finish()
    })?;
    let stats = Stats {
        operations: api.operations.len(),
        types: api.types.len(),
        lines: files.iter().map(|f| f.contents.lines().count()).sum(),
    };
    Ok(Output {
        files,
        warnings,
        stats,
        api,
        document,
    })
}
