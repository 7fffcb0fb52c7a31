//! The lint (`lint/`): the cases that the mutation testing of `lint/` showed no other lint test
//! decided (docs/testing.md, "Mutation testing").

use sglab_core::lint::{lint, Finding, LintCode};
use sglab_core::load::parse_sglab;
use sglab_core::model::Topology;
use sglab_core::validate::Limits;

fn load(text: &str) -> Topology {
    parse_sglab(text, None).expect("a valid topology").topology
}

fn findings(text: &str) -> Vec<Finding> {
    lint(&load(text), &Limits::default())
}

#[test]
fn every_code_reads_back_from_its_name() {
    for code in LintCode::ALL {
        assert_eq!(LintCode::parse(code.as_str()), Some(code));
    }
    assert_eq!(LintCode::parse("no-such-code"), None);
}

#[test]
fn a_rule_behind_a_wider_one_is_shadowed_and_named_with_it() {
    let found = findings(
        r#"{"sglab": 1, "vpcs": [{"id": "vpc-1"}],
          "security_groups": [{"id": "sg-web", "rules": [
            {"direction": "ingress", "protocol": "tcp", "port_range": "1/1000", "cidr": "0.0.0.0/0"},
            {"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.0.0/8"}]}],
          "endpoints": [{"id": "web", "kind": "ecs", "private_ip": "10.0.0.5", "groups": ["sg-web"]}]}"#,
    );
    let shadowed: Vec<(LintCode, Option<usize>)> = found
        .iter()
        .map(|finding| (finding.code, finding.rule_index))
        .filter(|(code, _)| *code == LintCode::ShadowedRule)
        .collect();
    assert_eq!(shadowed, [(LintCode::ShadowedRule, Some(1))]);
}
