//! The view model, the app's doorway to `sglab-core`: every evaluation, parse and validation
//! the UI needs, called here and shaped for rendering as plain data (never a reducer action:
//! the caller makes those). Edits go through `sglab_core::edit`. No rule semantics live here;
//! the functions only call the core and arrange its results for display.

use sglab_core::diagnostic::Diagnostic;
use sglab_core::eval::Party;
use sglab_core::explain::Explanation;
use sglab_core::model::{Protocol, Topology, Verdict};

use crate::types::Query;

mod bench;
mod diff;
mod export;
mod fields;
pub mod findings;
pub mod job;
mod labels;
mod open;
pub mod overview;
pub mod patch;
mod reach;
pub mod receive;
mod steps;
pub mod transfer;

pub use bench::{bench_matrix, MatrixBench};
pub use diff::{
    compare, grouped, Compare, GroupChange, PairChange, PairWords, Side, SideBySide,
    GROUP_CHANGES_SHOWN,
};
pub use export::{export_text, ExportFormat};
pub use fields::{
    check_description, check_ip, check_peer, check_ports, check_priority, check_protocol,
    check_single_port, external_kind, new_rule_peer, parse_ports, set_pod_cidr, vpc_with_cidr,
};
pub use labels::{kind_words, label_of, port_label};
pub use open::{import_files, opened_topology, unreadable_files, Opened};
pub use reach::{same_evaluation, Cell, Edges, EvaluationKey, GroupEdge, Reach, PAIR_EDGES_LIMIT};
pub use steps::{steps, Step};

/// The protocols the diagram and the matrix show (the core matrix's protocols).
pub const SHOWN_PROTOCOLS: [Protocol; 3] = sglab_core::matrix::DEFAULT_PROTOCOLS;

/// The explanation of a query.
pub fn explain(topology: &Topology, query: &Query) -> Explanation {
    let (from, to) = parties(query);
    sglab_core::eval::explain(topology, &from, &to, query.protocol, query.port)
}

/// The two parties of a query: its endpoints.
fn parties(query: &Query) -> (Party, Party) {
    (
        Party::Endpoint(query.from.clone()),
        Party::Endpoint(query.to.clone()),
    )
}

/// What the doctor finds for a query: the causes of a denial (or of a service that does not
/// answer), each with its evidence and the smallest fix.
pub fn diagnose(topology: &Topology, query: &Query) -> Vec<sglab_core::doctor::Diagnosis> {
    let (from, to) = parties(query);
    sglab_core::doctor::diagnose(topology, &from, &to, query.protocol, query.port)
}

/// The lint findings of a topology, with the default limits, as plain data for the page (the
/// lint runs in the engine's worker).
pub fn lint(topology: &Topology) -> Vec<transfer::LintFinding> {
    use sglab_core::lint::Severity;
    sglab_core::lint::lint(topology, &sglab_core::validate::Limits::default())
        .into_iter()
        .map(|finding| transfer::LintFinding {
            code: finding.code.to_string(),
            severity: match finding.severity {
                Severity::Error => transfer::LintSeverity::Error,
                Severity::Warning => transfer::LintSeverity::Warning,
                Severity::Info => transfer::LintSeverity::Info,
            },
            security_group: finding.security_group,
            rule_index: finding.rule_index,
            endpoint: finding.endpoint,
            message: finding.message,
            fix_text: finding.fix_text,
            fix: finding.fix,
        })
        .collect()
}

/// Whether an explanation allows the connection.
pub fn allowed(explanation: &Explanation) -> bool {
    explanation.verdict == Verdict::Allow
}

/// The diagnostics of the model's check (errors and warnings).
pub fn problems(topology: &Topology) -> Vec<Diagnostic> {
    sglab_core::validate::check(topology)
}

/// Parses sglab JSON text.
pub fn parse_sglab(text: &str, file: &str) -> Result<(Topology, Vec<Diagnostic>), Vec<Diagnostic>> {
    sglab_core::load::parse_sglab(text, Some(file)).map(|parsed| (parsed.topology, parsed.warnings))
}

/// The sglab JSON of a topology.
pub fn to_json(topology: &Topology) -> String {
    sglab_core::format::to_sglab_json(topology)
}

/// The share-link payload of a topology.
pub fn link_payload(topology: &Topology) -> String {
    crate::codec::encode(&to_json(topology))
}

/// Reads a share link's payload; errors are lines for a notice.
pub fn topology_from_link(payload: &str) -> Result<(Topology, Vec<Diagnostic>), Vec<String>> {
    let json = crate::codec::decode(payload).map_err(|error| vec![error.to_string()])?;
    parse_sglab(&json, "share link")
        .map_err(|diagnostics| diagnostics.iter().map(ToString::to_string).collect())
}

/// (id, title) of every built-in example.
pub fn example_list() -> Vec<(&'static str, &'static str)> {
    sglab_core::examples::examples()
        .iter()
        .map(|example| (example.id, example.title))
        .collect()
}

/// Loads a built-in example.
pub fn example(id: &str) -> Result<Topology, Vec<Diagnostic>> {
    let example = sglab_core::examples::example(id).ok_or_else(Vec::new)?;
    parse_sglab(example.json, example.id).map(|(topology, _)| topology)
}

/// The first example (the AI-gateway figure), which the app opens by default.
pub fn first_example() -> (Topology, String) {
    let id = sglab_core::examples::examples()
        .first()
        .map(|e| e.id)
        .unwrap_or("ai-gateway");
    (example(id).unwrap_or_default(), id.to_owned())
}

/// The plain-English explanation of a connection, as the CLI prints it.
pub fn explanation_text(explanation: &Explanation) -> String {
    sglab_core::explain::render_text(explanation)
}

/// Diagnostics as plain data for `window.sglab.load`.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct DiagnosticJson {
    /// `error` or `warning`.
    pub severity: String,
    /// Where, in words.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

/// Diagnostics for scripts.
pub fn diagnostics_json(diagnostics: &[Diagnostic]) -> Vec<DiagnosticJson> {
    diagnostics
        .iter()
        .map(|d| DiagnosticJson {
            severity: d.severity.to_string(),
            location: d.location.to_string(),
            message: d.message.clone(),
        })
        .collect()
}
