//! The sglab file format: parsing, diagnostics, round trips, the built-in examples.

use sglab_core::diagnostic::{Diagnostic, Severity};
use sglab_core::examples::examples;
use sglab_core::format::to_sglab_json;
use sglab_core::load::parse_sglab;

fn errors(text: &str) -> Vec<String> {
    match parse_sglab(text, Some("t.json")) {
        Ok(parsed) => panic!(
            "expected errors, got a topology with warnings {:?}",
            parsed.warnings
        ),
        Err(diagnostics) => diagnostics.iter().map(Diagnostic::to_string).collect(),
    }
}

#[test]
fn every_example_parses_without_errors_or_warnings() {
    for example in examples() {
        let parsed = match parse_sglab(example.json, Some(example.id)) {
            Ok(parsed) => parsed,
            Err(diagnostics) => panic!(
                "{}: {:#?}",
                example.id,
                diagnostics
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
            ),
        };
        assert!(
            parsed.warnings.is_empty(),
            "{}: {:?}",
            example.id,
            parsed.warnings
        );
        assert!(!parsed.topology.expectations.is_empty(), "{}", example.id);
    }
    assert_eq!(examples()[0].id, "ai-gateway");
}

#[test]
fn every_example_round_trips() {
    for example in examples() {
        let topology = parse_sglab(example.json, Some(example.id))
            .unwrap()
            .topology;
        let written = to_sglab_json(&topology);
        let again = parse_sglab(&written, None).unwrap();
        assert_eq!(again.topology, topology, "{}", example.id);
        assert!(again.warnings.is_empty());
        assert_eq!(to_sglab_json(&again.topology), written, "{}", example.id);
    }
}

#[test]
fn malformed_json_names_line_and_column() {
    let diagnostics = errors("{\"sglab\": 1,\n  \"vpcs\": [}\n");
    assert_eq!(diagnostics.len(), 1);
    assert!(diagnostics[0].starts_with("t.json:2:"), "{diagnostics:?}");
}

#[test]
fn unknown_field_is_named() {
    let text = r#"{"sglab": 1, "vpcs": [{"id": "v"}], "security_groups": [{"id": "sg-a", "rules": [
        {"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "0.0.0.0/0"},
        {"direction": "ingress", "protcol": "tcp", "port_range": "80/80", "cidr": "0.0.0.0/0"}]}],
        "endpoints": []}"#;
    let diagnostics = errors(text);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(
        diagnostics[0].starts_with(
            "t.json: security group sg-a, rule 2, field protcol: unknown field \"protcol\" (did you mean protocol?)"
        ),
        "{diagnostics:?}"
    );
}

#[test]
fn missing_and_unsupported_version() {
    assert_eq!(
        errors(r#"{"vpcs": []}"#),
        ["t.json: field sglab: the sglab version is missing: add \"sglab\": 1 at the top of the file"]
    );
    assert_eq!(
        errors(r#"{"sglab": 2}"#),
        ["t.json: field sglab: sglab version 2 is not supported: this build reads version 1"]
    );
}

#[test]
fn severity_serializes_lowercase() {
    let json = serde_json::to_string(&Severity::Warning).unwrap();
    assert_eq!(json, "\"warning\"");
}

#[test]
fn ten_megabytes_of_junk_is_one_clear_error() {
    for junk in [
        "[".repeat(10 << 20),
        "x".repeat(10 << 20),
        "{\"sglab\": 1, \"vpcs\": [".to_owned() + &"{\"id\": \"v\"},".repeat(500_000),
    ] {
        let diagnostics = parse_sglab(&junk, Some("junk.json")).unwrap_err();
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        assert!(diagnostics[0].location.line.is_some());
    }
    let too_big = " ".repeat(21 << 20);
    let diagnostics = parse_sglab(&too_big, None).unwrap_err();
    assert!(diagnostics[0]
        .message
        .contains("more than the limit of 20971520 bytes"));
}
