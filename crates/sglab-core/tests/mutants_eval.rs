//! The evaluation (`eval`): the words of each considered rule that an explanation shows, and the
//! cases that the mutation testing of `eval/` showed no other engine test decided
//! (docs/testing.md, "Mutation testing").

use sglab_core::eval::{explain, resolve_party, Party};
use sglab_core::explain::Explanation;
use sglab_core::load::parse_sglab;
use sglab_core::model::{Protocol, Topology, Verdict};

fn load(text: &str) -> Topology {
    parse_sglab(text, None).expect("a valid topology").topology
}

fn party(topology: &Topology, text: &str) -> Party {
    resolve_party(topology, text).expect("a party")
}

fn query(topology: &Topology, from: &str, to: &str, port: u16) -> Explanation {
    let from = party(topology, from);
    let to = party(topology, to);
    explain(topology, &from, &to, Protocol::Tcp, Some(port))
}

/// The reason given for each ingress rule, in evaluation order.
fn ingress_reasons(explanation: &Explanation) -> Vec<String> {
    explanation
        .ingress
        .considered
        .iter()
        .map(|considered| considered.reason.clone())
        .collect()
}

/// A target in a VPC with a public IPv4 address, whose ingress rules name an IPv6 block, a part
/// of an external network, and a block the peer is not in.
const PEERS: &str = r#"{"sglab": 1,
  "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
  "security_groups": [
    {"id": "sg-srv", "rules": [
      {"direction": "ingress", "policy": "accept", "priority": 1, "protocol": "tcp", "port_range": "443/443", "ipv6_cidr": "2001:db8::/64"},
      {"direction": "ingress", "policy": "accept", "priority": 2, "protocol": "tcp", "port_range": "443/443", "cidr": "203.0.113.0/25"},
      {"direction": "ingress", "policy": "accept", "priority": 3, "protocol": "tcp", "port_range": "443/443", "cidr": "198.51.100.0/24"},
      {"direction": "ingress", "policy": "accept", "priority": 4, "protocol": "tcp", "port_range": "443/443", "cidr": "203.0.113.0/24"}]}],
  "endpoints": [
    {"id": "srv", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-srv"], "public_ip": "47.0.1.10"},
    {"id": "office", "kind": "external", "cidr": "203.0.113.0/24"}]}"#;

#[test]
fn a_peer_of_the_other_family_is_named_as_such() {
    let topology = load(PEERS);
    let explanation = query(&topology, "office", "srv", 443);
    assert_eq!(explanation.verdict, Verdict::Allow);
    let reasons = ingress_reasons(&explanation);
    assert_eq!(reasons.len(), 4, "{reasons:?}");
    assert_eq!(
        reasons[0],
        "203.0.113.0/24 is not of the family of 2001:db8::/64"
    );
}

#[test]
fn a_network_partly_in_a_block_is_not_contained() {
    let topology = load(PEERS);
    let reasons = ingress_reasons(&query(&topology, "office", "srv", 443));
    assert_eq!(
        reasons[1],
        "203.0.113.0/25 does not contain all of 203.0.113.0/24"
    );
    assert_eq!(
        reasons[2],
        "198.51.100.0/24 does not contain all of 203.0.113.0/24"
    );
    assert!(reasons[3].starts_with("matches (203.0.113.0/24 is in 203.0.113.0/24)"));
}

#[test]
fn a_single_address_outside_a_block_is_not_in_it() {
    let topology = load(PEERS);
    let reasons = ingress_reasons(&query(&topology, "198.51.99.7", "srv", 443));
    assert_eq!(
        reasons[0],
        "198.51.99.7 is not of the family of 2001:db8::/64"
    );
    assert_eq!(reasons[1], "198.51.99.7 is not in 203.0.113.0/25");
    assert_eq!(reasons[2], "198.51.99.7 is not in 198.51.100.0/24");
}

/// What the explanation says of the target's service: a service covers a query only on its own
/// protocol (or ALL) and ports; a declared one that is down is named so.
#[test]
fn a_service_covers_its_own_protocol_and_ports() {
    use sglab_core::explain::ServiceStatus;
    let topology = load(
        r#"{"sglab": 1,
          "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
          "security_groups": [{"id": "sg", "rules": []}],
          "endpoints": [
            {"id": "c", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg"]},
            {"id": "srv", "kind": "ecs", "private_ip": "10.0.1.11", "groups": ["sg"], "services": [
              {"name": "web", "protocol": "tcp", "port": 80},
              {"name": "dns", "protocol": "udp", "port": 53, "up": false}]},
            {"id": "any", "kind": "ecs", "private_ip": "10.0.1.12", "groups": ["sg"], "services": [
              {"name": "all", "protocol": "all"}]}]}"#,
    );
    let status = |to: &str, protocol: Protocol, port: Option<u16>| {
        let from = party(&topology, "c");
        let to = party(&topology, to);
        explain(&topology, &from, &to, protocol, port).service
    };
    assert_eq!(
        status("srv", Protocol::Tcp, Some(80)),
        ServiceStatus::Listening
    );
    assert_eq!(
        status("srv", Protocol::Tcp, Some(81)),
        ServiceStatus::NoneDeclared
    );
    assert_eq!(status("srv", Protocol::Udp, Some(53)), ServiceStatus::Down);
    assert_eq!(
        status("srv", Protocol::Udp, Some(80)),
        ServiceStatus::NoneDeclared
    );
    assert_eq!(
        status("srv", Protocol::Tcp, Some(53)),
        ServiceStatus::NoneDeclared
    );
    assert_eq!(status("srv", Protocol::Tcp, None), ServiceStatus::Listening);
    assert_eq!(status("srv", Protocol::Icmp, None), ServiceStatus::Unknown);
    assert_eq!(
        status("any", Protocol::Udp, Some(9)),
        ServiceStatus::Listening
    );
    assert_eq!(status("c", Protocol::Tcp, Some(80)), ServiceStatus::Unknown);
}

/// An endpoint is named by its name in an explanation, and a query naming an endpoint the
/// topology does not hold is denied as such, not treated as an outside host.
#[test]
fn endpoints_go_by_their_name_and_a_missing_one_is_said_to_be_missing() {
    use sglab_core::explain::Decision;
    let topology = load(
        r#"{"sglab": 1,
          "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
          "security_groups": [{"id": "sg", "rules": [
            {"direction": "ingress", "policy": "accept", "priority": 1, "protocol": "tcp", "port_range": "1/65535", "cidr": "0.0.0.0/0"}]}],
          "endpoints": [
            {"id": "web-1", "name": "Web server", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg"]},
            {"id": "db-1", "kind": "ecs", "private_ip": "10.0.1.11", "groups": ["sg"]}]}"#,
    );
    let named = query(&topology, "web-1", "db-1", 5432);
    assert_eq!(named.verdict, Verdict::Allow);
    assert_eq!(named.from_name, "Web server");
    assert_eq!(named.to_name, "db-1");
    let missing = explain(
        &topology,
        &Party::Endpoint("gone".into()),
        &party(&topology, "db-1"),
        Protocol::Tcp,
        Some(5432),
    );
    assert_eq!(missing.verdict, Verdict::Deny);
    assert_eq!(
        missing.ingress.decided_by,
        Decision::Platform {
            verdict: Verdict::Deny,
            reason: "endpoint gone does not exist in the topology".to_owned(),
        }
    );
}

/// Why a pair has no route, as the explanation's platform blocker says it: an instance without
/// a public address cannot reach or be reached from outside its VPC, and a host of the other
/// family has no address to meet, with ICMP's family named.
#[test]
fn an_unreachable_pair_says_why() {
    use sglab_core::explain::Decision;
    let topology = load(
        r#"{"sglab": 1,
          "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
          "security_groups": [{"id": "sg", "rules": [
            {"direction": "ingress", "policy": "accept", "priority": 1, "protocol": "all", "cidr": "0.0.0.0/0"},
            {"direction": "ingress", "policy": "accept", "priority": 1, "protocol": "all", "ipv6_cidr": "::/0"}]}],
          "endpoints": [
            {"id": "srv", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg"], "public_ip": "47.0.1.10"},
            {"id": "inner", "kind": "ecs", "private_ip": "10.0.1.11", "groups": ["sg"]}]}"#,
    );
    let reason = |from: &str, to: &str, protocol: Protocol, port: Option<u16>| {
        let explanation = explain(
            &topology,
            &party(&topology, from),
            &party(&topology, to),
            protocol,
            port,
        );
        assert_eq!(explanation.verdict, Verdict::Deny, "{from} to {to}");
        let platform: Vec<String> = explanation
            .blockers
            .iter()
            .filter_map(|blocker| match &blocker.decision {
                Decision::Platform { reason, .. } => Some(reason.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(platform.len(), 1, "{from} to {to}: {platform:?}");
        platform[0].clone()
    };
    assert_eq!(
        reason("inner", "198.51.100.7", Protocol::Tcp, Some(443)),
        "inner has no public IP or EIP: it cannot reach addresses outside its VPC (NAT gateways are not modelled)"
    );
    assert_eq!(
        reason("198.51.100.7", "inner", Protocol::Tcp, Some(443)),
        "inner has no public IP or EIP: unreachable from outside its VPC"
    );
    assert_eq!(
        reason("2001:db8::1", "srv", Protocol::Tcp, Some(443)),
        "2001:db8::1 and srv have no addresses of one family"
    );
    assert_eq!(
        reason("2001:db8::1", "srv", Protocol::Icmp, None),
        "2001:db8::1 and srv have no addresses of one family (ICMP is IPv4 only)"
    );
}

/// Traffic that never crosses an ENI says which case it is: two pods on one node, or a pod and
/// its own node (the scenario of Terway trunk pods).
#[test]
fn traffic_inside_a_node_names_pods_and_their_node() {
    use sglab_core::explain::Decision;
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/scenarios/21-terway-trunk-same-node.json"
    ))
    .expect("the scenario");
    let topology = load(&text);
    let reason = |from: &str, to: &str| {
        let explanation = query(&topology, from, to, 8080);
        assert_eq!(explanation.verdict, Verdict::Allow, "{from} to {to}");
        match explanation.egress.decided_by {
            Decision::NotApplicable { reason } => reason,
            other => panic!("{from} to {to}: decided by {other:?}"),
        }
    };
    assert_eq!(
        reason("t1", "t2"),
        "t1 and t2 run on the same node n1: traffic between pods on one node is not filtered by security groups"
    );
    assert_eq!(
        reason("n1", "t1"),
        "n1 and t1 are a pod and its node n1: the traffic stays inside the node and is not filtered by security groups"
    );
}
