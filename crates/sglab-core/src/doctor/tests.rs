//! The helpers of the diagnoses' own tests: a query on a small topology, its rendered section
//! checked against a golden, and its fixes checked to apply and to allow a denied query.

use expect_test::Expect;

use crate::eval::{explain, resolve_party};
use crate::load::parse_sglab;
use crate::model::{Protocol, Verdict};

use super::{diagnose, render_text, DiagnosisCode};

/// Diagnoses `from` -> `to` in the topology `json`, checks that `code` is among the
/// diagnoses and the rendered section against `expect`, and checks the fixes: each applies, and
/// applying all of them (when every diagnosis has one) allows a denied query.
pub(super) fn check(
    code: DiagnosisCode,
    json: &str,
    (from, to): (&str, &str),
    protocol: Protocol,
    port: Option<u16>,
    expect: Expect,
) {
    let topology = match parse_sglab(json, None) {
        Ok(parsed) => parsed.topology,
        Err(error) => panic!("the test topology is invalid: {error:?}"),
    };
    let (Some(from), Some(to)) = (
        resolve_party(&topology, from).ok(),
        resolve_party(&topology, to).ok(),
    ) else {
        panic!("the query's parties do not resolve");
    };
    let diagnoses = diagnose(&topology, &from, &to, protocol, port);
    assert!(
        diagnoses.iter().any(|diagnosis| diagnosis.code == code),
        "no {code} among {diagnoses:?}"
    );
    expect.assert_eq(&render_text(&diagnoses));
    let before = explain(&topology, &from, &to, protocol, port);
    let mut fixed = topology.clone();
    for fix in diagnoses
        .iter()
        .filter_map(|diagnosis| diagnosis.fix.as_ref())
    {
        assert!(fix.apply(&mut fixed).is_ok(), "{fix} does not apply");
    }
    if before.verdict == Verdict::Deny && diagnoses.iter().all(|diagnosis| diagnosis.fix.is_some())
    {
        let after = explain(&fixed, &from, &to, protocol, port);
        assert_eq!(after.verdict, Verdict::Allow, "{:?}", after.blockers);
    }
}

/// A gateway, its managed group, a backend group and two nodes, as in the vendor's figure.
pub(super) const GATEWAY: &str = r#"{"sglab": 1,
  "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
  "security_groups": [
    {"id": "sg-gw", "managed_by": "AI Gateway"},
    {"id": "sg-a"},
    {"id": "sg-b", "rules": [
      {"direction": "ingress", "protocol": "tcp", "port_range": "8080/8080", "group": "sg-gw"}]}
  ],
  "gateways": [{"id": "gw", "kind": "ai_gateway", "managed_group": "sg-gw",
    "authorizations": [{"backend_group": "sg-b", "port_ranges": ["8080/8080"]}]}],
  "endpoints": [
    {"id": "gw-node", "kind": "gateway_node", "gateway": "gw", "private_ip": "10.0.0.10"},
    {"id": "node-a", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-a"],
     "services": [{"name": "app", "port": 8080}]},
    {"id": "node-b", "kind": "ecs", "private_ip": "10.0.1.11", "groups": ["sg-b"],
     "services": [{"name": "web", "port": 8081}, {"name": "old", "port": 8080, "up": false}]}
  ]}"#;

/// An enterprise group, a Flannel cluster, a database and a mail server outside the VPC.
pub(super) const MIXED: &str = r#"{"sglab": 1,
  "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
  "security_groups": [
    {"id": "sg-ent", "type": "enterprise", "rules": [
      {"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.0.0/16"}]},
    {"id": "sg-node"},
    {"id": "sg-db"}
  ],
  "clusters": [{"id": "k1", "network_mode": "flannel", "pod_cidr": "172.18.0.0/16"}],
  "endpoints": [
    {"id": "e1", "kind": "ecs", "private_ip": "10.0.1.10", "public_ip": "47.0.0.1", "groups": ["sg-ent"]},
    {"id": "e2", "kind": "ecs", "private_ip": "10.0.1.11", "groups": ["sg-ent"]},
    {"id": "node", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-node"]},
    {"id": "pod", "kind": "pod", "cluster": "k1", "node": "node", "pod_ip": "172.18.0.5"},
    {"id": "db", "kind": "ecs", "private_ip": "10.0.3.10", "groups": ["sg-db"]},
    {"id": "mail", "kind": "external", "cidr": "203.0.113.25"}
  ]}"#;
