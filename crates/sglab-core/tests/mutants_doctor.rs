//! The doctor (`doctor/`): the cases that the mutation testing of `doctor/` showed no other
//! doctor test decided (docs/testing.md, "Mutation testing").

use sglab_core::doctor::{diagnose, DiagnosisCode};
use sglab_core::eval::Party;
use sglab_core::load::parse_sglab;
use sglab_core::model::{Protocol, Topology};

fn load(text: &str) -> Topology {
    parse_sglab(text, None).expect("a valid topology").topology
}

#[test]
fn every_code_reads_back_from_its_name() {
    for code in DiagnosisCode::ALL {
        assert_eq!(DiagnosisCode::parse(code.as_str()), Some(code));
    }
    assert_eq!(DiagnosisCode::parse("no-such-code"), None);
}

#[test]
fn an_allowed_query_with_a_listening_service_has_nothing_to_say() {
    let topology = load(
        r#"{"sglab": 1, "vpcs": [{"id": "vpc-1"}],
          "security_groups": [{"id": "sg-app", "rules": [
            {"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.0.0/8"}]},
            {"id": "sg-client"}],
          "endpoints": [
            {"id": "app", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-app"]},
            {"id": "client", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-client"]}]}"#,
    );
    let diagnoses = diagnose(
        &topology,
        &Party::from("client"),
        &Party::from("app"),
        Protocol::Tcp,
        Some(80),
    );
    assert_eq!(diagnoses, []);
}
