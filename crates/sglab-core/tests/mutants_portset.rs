//! Port sets (`portset::port_set`) against the per-port explanation on every scenario, and the
//! cases that the mutation testing of `portset.rs` showed no other test decided
//! (docs/testing.md, "Mutation testing").

use sglab_core::eval::{explain, Party};
use sglab_core::explain::PortSet;
use sglab_core::load::parse_sglab;
use sglab_core::model::{Protocol, Topology, Verdict};
use sglab_core::portset::port_set;

fn scenarios() -> Vec<(String, Topology)> {
    let dir = format!("{}/../../tests/scenarios", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("the scenario directory")
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(format!("{dir}/{name}")).expect("a scenario");
            let topology = parse_sglab(&text, Some(&name))
                .expect("a valid scenario")
                .topology;
            (name, topology)
        })
        .collect()
}

fn load(text: &str) -> Topology {
    parse_sglab(text, None).expect("a valid topology").topology
}

fn endpoint(id: &str) -> Party {
    Party::Endpoint(id.into())
}

/// Every port where the answer may change: each entry's ends and their neighbours, and the
/// edges of the port space.
fn probes(set: &PortSet) -> Vec<u16> {
    let mut ports = vec![1, 2, 25, 65534, 65535];
    for entry in &set.allowed {
        for port in [entry.ports.start(), entry.ports.end()] {
            ports.push(port);
            ports.push(port.saturating_sub(1).max(1));
            ports.push(port.saturating_add(1));
        }
    }
    ports.sort_unstable();
    ports.dedup();
    ports
}

/// The port set agrees with `explain` port by port: a port is in an entry exactly when the
/// explanation allows it, with the same deciding decision on each side; entries are sorted,
/// disjoint, and two touching entries differ in a decision.
fn check_against_explain(name: &str, topology: &Topology, from: &Party, to: &Party) {
    for protocol in [Protocol::Tcp, Protocol::Udp] {
        let set = port_set(topology, from, to, protocol);
        for pair in set.allowed.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(a.ports.end() < b.ports.start(), "{name}: unsorted {set:?}");
            if u32::from(a.ports.end()) + 1 == u32::from(b.ports.start()) {
                assert!(
                    a.egress != b.egress || a.ingress != b.ingress,
                    "{name}: touching entries with equal decisions in {set:?}"
                );
            }
        }
        for port in probes(&set) {
            let explained = explain(topology, from, to, protocol, Some(port));
            let entry = set.allowed.iter().find(|entry| entry.ports.contains(port));
            assert_eq!(
                entry.is_some(),
                explained.verdict == Verdict::Allow,
                "{name}: {from:?} -> {to:?} {protocol} {port}: {set:?}"
            );
            if let Some(entry) = entry {
                assert_eq!(entry.egress, explained.egress.decided_by, "{name} {port}");
                assert_eq!(entry.ingress, explained.ingress.decided_by, "{name} {port}");
            }
        }
    }
}

#[test]
fn port_sets_agree_with_explain_on_every_scenario() {
    for (name, topology) in scenarios() {
        let ids: Vec<Party> = topology
            .endpoints
            .keys()
            .map(|id| Party::Endpoint(id.clone()))
            .collect();
        for from in &ids {
            for to in &ids {
                if from != to {
                    check_against_explain(&name, &topology, from, to);
                }
            }
        }
    }
}

/// Outbound TCP 25 leaving the VPC is cut out of the source's egress, whatever the target's
/// side says, and only there: inside the VPC port 25 follows the rules.
#[test]
fn the_platform_cuts_port_25_out_of_egress_leaving_the_vpc() {
    let topology = load(
        r#"{"sglab": 1,
          "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
          "security_groups": [
            {"id": "sg-app", "rules": [
              {"direction": "egress", "policy": "accept", "priority": 1, "protocol": "tcp", "port_range": "1/65535", "cidr": "0.0.0.0/0"}]},
            {"id": "sg-relay", "rules": [
              {"direction": "ingress", "policy": "accept", "priority": 1, "protocol": "tcp", "port_range": "20/30", "cidr": "10.0.0.0/16"}]}],
          "endpoints": [
            {"id": "app", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-app"], "public_ip": "47.0.1.10"},
            {"id": "relay", "kind": "ecs", "private_ip": "10.0.2.25", "groups": ["sg-relay"]},
            {"id": "mail", "kind": "external", "cidr": "203.0.113.25"}]}"#,
    );
    let out = port_set(
        &topology,
        &endpoint("app"),
        &endpoint("mail"),
        Protocol::Tcp,
    );
    let ranges: Vec<String> = out.ranges().iter().map(|r| r.to_string()).collect();
    assert_eq!(ranges, ["1/24", "26/65535"]);
    let inside = port_set(
        &topology,
        &endpoint("app"),
        &endpoint("relay"),
        Protocol::Tcp,
    );
    let ranges: Vec<String> = inside.ranges().iter().map(|r| r.to_string()).collect();
    assert_eq!(ranges, ["20/30"]);
    // UDP 25 is not blocked.
    let udp = port_set(
        &topology,
        &endpoint("app"),
        &endpoint("mail"),
        Protocol::Udp,
    );
    assert!(udp.allows(25));
    check_against_explain("smtp", &topology, &endpoint("app"), &endpoint("mail"));
    check_against_explain("smtp", &topology, &endpoint("app"), &endpoint("relay"));
}

/// Rules that split the ports on one side give one entry per deciding pair, touching but
/// separate; the same rule on both sides of a cut on the other side is not merged with its
/// neighbour of another rule.
#[test]
fn touching_ranges_of_different_rules_stay_separate() {
    let topology = load(
        r#"{"sglab": 1,
          "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
          "security_groups": [
            {"id": "sg-a", "rules": [
              {"direction": "egress", "policy": "accept", "priority": 1, "protocol": "tcp", "port_range": "10/20", "cidr": "10.0.0.0/16"},
              {"direction": "egress", "policy": "drop", "priority": 1, "protocol": "tcp", "port_range": "30/40", "cidr": "10.0.0.0/16"}]},
            {"id": "sg-b", "rules": [
              {"direction": "ingress", "policy": "accept", "priority": 1, "protocol": "tcp", "port_range": "1/15", "cidr": "10.0.0.0/16"},
              {"direction": "ingress", "policy": "accept", "priority": 2, "protocol": "tcp", "port_range": "16/35", "cidr": "10.0.0.0/16"}]}],
          "endpoints": [
            {"id": "a", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-a"]},
            {"id": "b", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-b"]}]}"#,
    );
    let set = port_set(&topology, &endpoint("a"), &endpoint("b"), Protocol::Tcp);
    let entries: Vec<String> = set
        .allowed
        .iter()
        .map(|entry| entry.ports.to_string())
        .collect();
    // Egress: 1-9 default allow, 10-20 rule 1, 21-29 default, 30-40 drop, 41- default.
    // Ingress: 1-15 rule 1, 16-35 rule 2, 36- default deny.
    assert_eq!(entries, ["1/9", "10/15", "16/20", "21/29"]);
    assert_eq!(
        set.ranges()
            .iter()
            .map(|r| r.to_string())
            .collect::<Vec<_>>(),
        ["1/29"]
    );
    check_against_explain("touching", &topology, &endpoint("a"), &endpoint("b"));
}
