//! The scenario corpus (`tests/scenarios/*.json` at the workspace root): one sglab file per fact
//! of `reference/security-groups.md`, each with cases whose verdict and deciding decisions the
//! engine must reproduce. The schema is documented in `tests/scenarios/README.md`.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sglab_core::doctor::diagnose;
use sglab_core::eval::{explain, resolve_party, Party};
use sglab_core::explain::{Decision, Explanation, ServiceStatus};
use sglab_core::load::parse_sglab;
use sglab_core::model::{Protocol, Topology, Verdict};
use sglab_core::portset::port_set;

/// The `corpus` object of a scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Corpus {
    fact: String,
    #[serde(default)]
    why: Option<String>,
    cases: Vec<Case>,
    /// When present, exactly the findings of `lint()` on the file.
    #[serde(default)]
    lints: Option<Vec<ExpectedLint>>,
}

/// One expected lint finding: its code and, where the code has them, group and rule index.
#[derive(Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct ExpectedLint {
    code: String,
    #[serde(default)]
    security_group: Option<String>,
    #[serde(default)]
    rule_index: Option<usize>,
}

/// Compares the lint's findings with the expected ones, as sets of (code, group, rule index).
fn check_lints(topology: &Topology, expected: &[ExpectedLint]) -> Option<String> {
    let findings = sglab_core::lint::lint(topology, &sglab_core::validate::Limits::default());
    let mut actual: Vec<ExpectedLint> = findings
        .iter()
        .map(|finding| ExpectedLint {
            code: finding.code.to_string(),
            security_group: finding.security_group.as_ref().map(ToString::to_string),
            rule_index: finding.rule_index,
        })
        .collect();
    actual.sort();
    actual.dedup();
    let mut expected: Vec<&ExpectedLint> = expected.iter().collect();
    expected.sort();
    let actual_refs: Vec<&ExpectedLint> = actual.iter().collect();
    (actual_refs != expected).then(|| {
        let messages: Vec<String> = findings
            .iter()
            .map(|finding| {
                format!(
                    "{}[{}]: {}",
                    finding.severity, finding.code, finding.message
                )
            })
            .collect();
        format!(
            "lints {actual:?} instead of {expected:?}:\n    {}",
            messages.join("\n    ")
        )
    })
}

/// One case: a query and what must come out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    from: String,
    to: String,
    protocol: String,
    #[serde(default)]
    port: Option<u16>,
    verdict: String,
    egress: ExpectedDecision,
    ingress: ExpectedDecision,
    #[serde(default)]
    blockers: Option<usize>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    note: Option<String>,
    /// The codes `doctor::diagnose` returns for the case, in order.
    #[serde(default)]
    diagnoses: Option<Vec<String>>,
}

/// The expected decision of one side; absent fields are not checked.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedDecision {
    kind: String,
    #[serde(default)]
    security_group: Option<String>,
    #[serde(default)]
    rule_index: Option<usize>,
    #[serde(default)]
    verdict: Option<String>,
}

/// The scenario files, sorted by name.
fn scenario_files() -> Vec<PathBuf> {
    let directory = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let mut files: Vec<PathBuf> = fs::read_dir(&directory)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", directory.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    files.sort();
    files
}

/// Loads a scenario: its topology and its corpus annotations.
fn load(path: &Path) -> (Topology, Corpus) {
    let name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("?");
    let text = fs::read_to_string(path).expect("a readable scenario");
    let parsed = parse_sglab(&text, Some(name)).unwrap_or_else(|diagnostics| {
        let messages: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        panic!("{name} does not load:\n{}", messages.join("\n"))
    });
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let corpus: Corpus = serde_json::from_value(value["corpus"].clone())
        .unwrap_or_else(|error| panic!("{name}: the corpus section is malformed: {error}"));
    (parsed.topology, corpus)
}

/// Compares one side; returns the mismatch in words.
fn check_decision(side: &str, actual: &Decision, expected: &ExpectedDecision) -> Option<String> {
    let mut problems = Vec::new();
    if actual.kind() != expected.kind {
        problems.push(format!(
            "kind {} instead of {}",
            actual.kind(),
            expected.kind
        ));
    }
    let (group, index) = match actual {
        Decision::Rule(rule) => (Some(rule.security_group.as_str()), Some(rule.rule_index)),
        Decision::IntraGroup { security_group } => (Some(security_group.as_str()), None),
        _ => (None, None),
    };
    if let Some(expected_group) = &expected.security_group {
        if group != Some(expected_group.as_str()) {
            problems.push(format!("group {group:?} instead of {expected_group}"));
        }
    }
    if expected.rule_index.is_some() && index != expected.rule_index {
        problems.push(format!(
            "rule index {index:?} instead of {:?}",
            expected.rule_index
        ));
    }
    if let Some(verdict) = &expected.verdict {
        if actual.verdict().to_string() != *verdict {
            problems.push(format!("verdict {} instead of {verdict}", actual.verdict()));
        }
    }
    (!problems.is_empty())
        .then(|| format!("{side}: {} (decided by: {actual})", problems.join(", ")))
}

/// Checks one case; returns every mismatch.
fn check_case(topology: &Topology, case: &Case) -> Vec<String> {
    let mut problems = Vec::new();
    let (from, to) = match (
        resolve_party(topology, &case.from),
        resolve_party(topology, &case.to),
    ) {
        (Ok(from), Ok(to)) => (from, to),
        (from, to) => return vec![format!("cannot resolve the parties: {from:?}, {to:?}")],
    };
    let Some(protocol) = Protocol::parse(&case.protocol) else {
        return vec![format!("unknown protocol {}", case.protocol)];
    };
    let explanation: Explanation = explain(topology, &from, &to, protocol, case.port);
    if explanation.verdict.to_string() != case.verdict {
        problems.push(format!(
            "verdict {} instead of {}",
            explanation.verdict, case.verdict
        ));
    }
    problems.extend(check_decision(
        "egress",
        &explanation.egress.decided_by,
        &case.egress,
    ));
    problems.extend(check_decision(
        "ingress",
        &explanation.ingress.decided_by,
        &case.ingress,
    ));
    if let Some(count) = case.blockers {
        if explanation.blockers.len() != count {
            problems.push(format!(
                "{} blockers instead of {count}: {:?}",
                explanation.blockers.len(),
                explanation
                    .blockers
                    .iter()
                    .map(|blocker| blocker.decision.to_string())
                    .collect::<Vec<_>>()
            ));
        }
    }
    if let Some(service) = &case.service {
        if explanation.service.to_string() != *service {
            problems.push(format!(
                "service {} instead of {service}",
                explanation.service
            ));
        }
    }
    if let Some(note) = &case.note {
        if !explanation
            .notes
            .iter()
            .any(|text| text.contains(note.as_str()))
        {
            problems.push(format!(
                "no note contains {note:?}: {:?}",
                explanation.notes
            ));
        }
    }
    problems.extend(check_diagnoses(topology, &from, &to, protocol, case));
    // The port set must agree with the explanation at the port asked about.
    let ports = port_set(topology, &from, &to, protocol);
    let allowed = match case.port {
        Some(port) if protocol.has_ports() => ports.allows(port),
        _ => !ports.allowed.is_empty(),
    };
    if allowed != (case.verdict == "allow") {
        problems.push(format!("the port set disagrees: {:?}", ports.ranges()));
    }
    problems
}

/// The doctor on one case: the codes the case lists, if any, and fixes that work: each applies
/// and, alone, allows the query or removes one of its blockers; when every diagnosis of a denied
/// query has a fix, applying them all allows it; a service fix makes the service listen.
fn check_diagnoses(
    topology: &Topology,
    from: &Party,
    to: &Party,
    protocol: Protocol,
    case: &Case,
) -> Vec<String> {
    let mut problems = Vec::new();
    let diagnoses = diagnose(topology, from, to, protocol, case.port);
    let codes: Vec<&str> = diagnoses
        .iter()
        .map(|diagnosis| diagnosis.code.as_str())
        .collect();
    if let Some(expected) = &case.diagnoses {
        if &codes != expected {
            problems.push(format!("diagnoses {codes:?} instead of {expected:?}"));
        }
    }
    let before = explain(topology, from, to, protocol, case.port);
    if before.verdict == Verdict::Deny && diagnoses.is_empty() {
        problems.push("a denied query without a diagnosis".to_owned());
    }
    let mut all = topology.clone();
    let mut every_one_fixed = true;
    for diagnosis in &diagnoses {
        let Some(fix) = &diagnosis.fix else {
            every_one_fixed = false;
            continue;
        };
        let mut alone = topology.clone();
        if let Err(error) = fix.apply(&mut alone).and_then(|()| fix.apply(&mut all)) {
            problems.push(format!(
                "[{}] the fix {fix} does not apply: {error}",
                diagnosis.code
            ));
            continue;
        }
        let after = explain(&alone, from, to, protocol, case.port);
        match before.verdict {
            Verdict::Deny => {
                let moved = before
                    .blockers
                    .iter()
                    .any(|blocker| !after.blockers.contains(blocker));
                if after.verdict != Verdict::Allow && !moved {
                    problems.push(format!(
                        "[{}] the fix {fix} neither allows the query nor removes a blocker",
                        diagnosis.code
                    ));
                }
            }
            Verdict::Allow => {
                if after.verdict != Verdict::Allow || after.service != ServiceStatus::Listening {
                    problems.push(format!(
                        "[{}] after the fix {fix}: {} with the service {}",
                        diagnosis.code, after.verdict, after.service
                    ));
                }
            }
        }
    }
    if before.verdict == Verdict::Deny && every_one_fixed {
        let after = explain(&all, from, to, protocol, case.port);
        if after.verdict != Verdict::Allow {
            problems.push(format!(
                "all fixes applied, the query is still denied: {:?}",
                after
                    .blockers
                    .iter()
                    .map(|blocker| blocker.decision.to_string())
                    .collect::<Vec<_>>()
            ));
        }
    }
    problems
}

#[test]
fn every_scenario_holds() {
    let files = scenario_files();
    assert!(
        files.len() >= 30,
        "the corpus has only {} files",
        files.len()
    );
    let mut report = String::new();
    let mut cases = 0;
    for path in &files {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("?");
        let (topology, corpus) = load(path);
        assert!(
            corpus.fact.contains('§'),
            "{name}: the fact must cite a section (§) of the reference"
        );
        assert!(!corpus.cases.is_empty(), "{name}: no cases");
        assert!(corpus.why.as_deref() != Some(""), "{name}: empty why");
        if let Some(expected) = &corpus.lints {
            if let Some(problem) = check_lints(&topology, expected) {
                let _ = writeln!(report, "{name}: {problem}");
            }
        }
        // The expectations `sglab check` runs are the cases' verdicts.
        let expected: Vec<(String, String, String, Option<u16>, String)> = corpus
            .cases
            .iter()
            .map(|case| {
                (
                    case.from.clone(),
                    case.to.clone(),
                    case.protocol.clone(),
                    case.port,
                    case.verdict.clone(),
                )
            })
            .collect();
        let stored: Vec<(String, String, String, Option<u16>, String)> = topology
            .expectations
            .iter()
            .map(|expectation| {
                (
                    expectation.from.clone(),
                    expectation.to.clone(),
                    expectation.protocol.to_string(),
                    expectation.port,
                    expectation.verdict.to_string(),
                )
            })
            .collect();
        assert_eq!(
            stored, expected,
            "{name}: expectations and corpus cases differ"
        );
        for (index, case) in corpus.cases.iter().enumerate() {
            cases += 1;
            let problems = check_case(&topology, case);
            if !problems.is_empty() {
                let _ = writeln!(
                    report,
                    "{name} case {} ({} -> {} {} {:?}):\n    {}",
                    index + 1,
                    case.from,
                    case.to,
                    case.protocol,
                    case.port,
                    problems.join("\n    ")
                );
            }
        }
    }
    assert!(report.is_empty(), "corpus failures:\n{report}");
    assert!(cases >= 100, "only {cases} corpus cases");
}

#[test]
fn scenario_names_are_numbered_and_unique() {
    let files = scenario_files();
    let mut numbers = Vec::new();
    for path in &files {
        let name = path
            .file_stem()
            .and_then(|name| name.to_str())
            .unwrap_or("");
        let (number, slug) = name.split_once('-').unwrap_or(("", ""));
        assert!(
            number.len() == 2 && number.chars().all(|c| c.is_ascii_digit()),
            "{name}: use NN-short-name.json"
        );
        assert!(
            !slug.is_empty()
                && slug
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{name}: use NN-short-name.json"
        );
        numbers.push(number.to_owned());
    }
    let count = numbers.len();
    numbers.dedup();
    assert_eq!(numbers.len(), count, "two scenarios share a number");
}
