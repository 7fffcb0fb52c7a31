//! The doctor (`doctor/`): the cases that the mutation testing of `doctor/` showed no other
//! doctor test decided (docs/testing.md, "Mutation testing").

use sglab_core::doctor::{diagnose, Diagnosis, DiagnosisCode};
use sglab_core::eval::Party;
use sglab_core::fix::Fix;
use sglab_core::load::parse_sglab;
use sglab_core::model::{EndpointId, Protocol, Topology};

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

/// `app` in a group without rules, `client` in another, in one VPC.
const NO_RULES: &str = r#"{"sglab": 1, "vpcs": [{"id": "vpc-1"}],
  "security_groups": [{"id": "sg-app"}, {"id": "sg-client"}],
  "endpoints": [
    {"id": "app", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-app"]},
    {"id": "client", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-client"]}]}"#;

fn summaries(
    json: &str,
    from: &str,
    to: &str,
    protocol: Protocol,
    port: Option<u16>,
) -> Vec<String> {
    let topology = load(json);
    diagnose(
        &topology,
        &Party::from(from),
        &Party::from(to),
        protocol,
        port,
    )
    .into_iter()
    .map(|diagnosis| format!("[{}] {}", diagnosis.code, diagnosis.summary))
    .collect()
}

#[test]
fn a_query_without_a_port_names_every_port_or_only_the_protocol() {
    assert_eq!(
        summaries(NO_RULES, "client", "app", Protocol::Tcp, None),
        ["[no-rule-allows] No rule of app's groups allows tcp on every port from client, and security groups deny all ingress by default."]
    );
    assert_eq!(
        summaries(NO_RULES, "client", "app", Protocol::Icmp, None),
        ["[no-rule-allows] No rule of app's groups allows icmp from client, and security groups deny all ingress by default."]
    );
}

fn one(json: &str, from: &str, to: &str, protocol: Protocol, port: Option<u16>) -> Diagnosis {
    let topology = load(json);
    let mut diagnoses = diagnose(
        &topology,
        &Party::from(from),
        &Party::from(to),
        protocol,
        port,
    );
    assert_eq!(diagnoses.len(), 1, "{diagnoses:#?}");
    diagnoses.remove(0)
}

/// `svc` allows TCP 80 from `client` by its rule, and declares a UDP service and a TCP service
/// on port 80, both down; `peer` shares the group of `svc`, `client` does not.
const TWO_SERVICES_DOWN: &str = r#"{"sglab": 1, "vpcs": [{"id": "vpc-1"}],
  "security_groups": [
    {"id": "sg-svc", "rules": [
      {"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "group": "sg-client"}]},
    {"id": "sg-client"}],
  "endpoints": [
    {"id": "svc", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-svc"],
     "services": [{"name": "syslog", "protocol": "udp", "port": 80, "up": false},
                  {"name": "web", "protocol": "tcp", "port": 80, "up": false}]},
    {"id": "peer", "kind": "ecs", "private_ip": "10.0.1.11", "groups": ["sg-svc"]},
    {"id": "client", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-client"]}]}"#;

#[test]
fn a_service_down_is_the_one_on_the_query_s_protocol_and_port_and_names_the_allowing_rule() {
    let diagnosis = one(TWO_SERVICES_DOWN, "client", "svc", Protocol::Tcp, Some(80));
    assert_eq!(diagnosis.code, DiagnosisCode::ServiceDown);
    assert_eq!(
        diagnosis.summary,
        "The groups allow tcp 80 to svc, but the service web there is down."
    );
    assert_eq!(
        diagnosis.fix,
        Some(Fix::StartService {
            endpoint: EndpointId::from("svc"),
            service_index: 1,
        })
    );
    // The rule that allowed the connection is the one the diagnosis relates.
    let related: Vec<(String, usize)> = diagnosis
        .related
        .iter()
        .map(|rule| (rule.security_group.to_string(), rule.rule_index))
        .collect();
    assert_eq!(related, [("sg-svc".to_owned(), 0)]);
    // Another node of the target's group, not the source, is the one to test from.
    assert!(
        diagnosis
            .fix_text
            .contains("test it with curl from peer, another node in the same security group"),
        "{}",
        diagnosis.fix_text
    );
}

#[test]
fn the_source_is_never_the_node_to_test_a_service_from() {
    // Only the source shares the target's group: no other node to test from.
    let json = TWO_SERVICES_DOWN.replace(
        r#""private_ip": "10.0.1.11", "groups": ["sg-svc"]"#,
        r#""private_ip": "10.0.1.11", "groups": ["sg-client"]"#,
    );
    let json = json.replace(
        r#""private_ip": "10.0.2.10", "groups": ["sg-client"]"#,
        r#""private_ip": "10.0.2.10", "groups": ["sg-svc"]"#,
    );
    let diagnosis = one(&json, "client", "svc", Protocol::Tcp, Some(80));
    assert_eq!(diagnosis.code, DiagnosisCode::ServiceDown);
    assert_eq!(diagnosis.fix_text, "start service 2 on svc (web)");
}

/// A gateway `gw` whose node carries its managed group, a second node `other-gw-node` of the
/// gateway that does not (which validation only warns about), and `app` in a group that drops
/// TCP 8000 to 9000 from the VPC at priority 5.
const GATEWAY: &str = r#"{"sglab": 1,
  "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
  "security_groups": [
    {"id": "sg-gw", "managed_by": "AI Gateway"},
    {"id": "sg-x"},
    {"id": "sg-app", "rules": [
      {"direction": "ingress", "policy": "drop", "priority": 5, "protocol": "tcp", "port_range": "8000/9000", "cidr": "10.0.0.0/16"}]},
    {"id": "sg-b"}
  ],
  "gateways": [{"id": "gw", "kind": "ai_gateway", "managed_group": "sg-gw"}],
  "endpoints": [
    {"id": "gw-node", "kind": "gateway_node", "gateway": "gw", "private_ip": "10.0.0.10"},
    {"id": "other-gw-node", "kind": "gateway_node", "gateway": "gw", "private_ip": "10.0.0.11",
     "groups": ["sg-x"]},
    {"id": "app", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-app"]},
    {"id": "b", "kind": "ecs", "private_ip": "10.0.1.11", "groups": ["sg-b"]}
  ]}"#;

#[test]
fn an_authorization_above_a_drop_says_its_own_priority() {
    let diagnosis = one(GATEWAY, "gw-node", "app", Protocol::Tcp, Some(8080));
    assert_eq!(diagnosis.code, DiagnosisCode::BlockedByDropRule);
    assert_eq!(
        diagnosis.fix_text,
        "authorize sg-app on gateway gw for TCP 8080/8080 (priority 1 comes before the drop's 5; the drop still applies to everything else)"
    );
}

#[test]
fn a_gateway_node_outside_its_managed_group_gets_a_rule_not_an_authorization() {
    let diagnosis = one(GATEWAY, "other-gw-node", "b", Protocol::Tcp, Some(8080));
    assert_eq!(diagnosis.code, DiagnosisCode::NoRuleAllows);
    assert_eq!(
        diagnosis.fix.as_ref().map(ToString::to_string).as_deref(),
        Some("add to sg-b: ingress accept priority 1 tcp 8080/8080 from group sg-x")
    );
    // The node in its managed group gets the authorization.
    let diagnosis = one(GATEWAY, "gw-node", "b", Protocol::Tcp, Some(8080));
    assert_eq!(
        diagnosis.fix.as_ref().map(ToString::to_string).as_deref(),
        Some("authorize sg-b on gateway gw for TCP 8080/8080")
    );
}

#[test]
fn a_flannel_pod_is_allowed_by_its_pod_ip_not_by_its_node_s_group() {
    // `db` allows UDP from the pod CIDR, so the pod CIDR is there, for another protocol: the
    // generic cause, whose rule must name the pod IP its traffic carries.
    let json = r#"{"sglab": 1,
      "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
      "security_groups": [
        {"id": "sg-node"},
        {"id": "sg-db", "rules": [
          {"direction": "ingress", "protocol": "udp", "port_range": "1/65535", "cidr": "172.18.0.0/16"}]}
      ],
      "clusters": [{"id": "k1", "network_mode": "flannel", "pod_cidr": "172.18.0.0/16"}],
      "endpoints": [
        {"id": "node", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-node"]},
        {"id": "pod", "kind": "pod", "cluster": "k1", "node": "node", "pod_ip": "172.18.0.5"},
        {"id": "db", "kind": "ecs", "private_ip": "10.0.3.10", "groups": ["sg-db"]}
      ]}"#;
    let diagnosis = one(json, "pod", "db", Protocol::Tcp, Some(5432));
    assert_eq!(diagnosis.code, DiagnosisCode::NoRuleAllows);
    assert_eq!(
        diagnosis.fix.as_ref().map(ToString::to_string).as_deref(),
        Some("add to sg-db: ingress accept priority 1 tcp 5432/5432 from 172.18.0.5/32")
    );
}

/// The rule that `port-outside-rule` names for a TCP query on `port` from `client` to `app`,
/// whose group holds accept rules from `client`'s group on each range of `ranges`.
fn nearest_rule(ranges: &[&str], port: u16) -> (usize, String) {
    let rules: Vec<String> = ranges
        .iter()
        .map(|range| {
            format!(
                r#"{{"direction": "ingress", "protocol": "tcp", "port_range": "{range}", "group": "sg-client"}}"#
            )
        })
        .collect();
    let json = format!(
        r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1"}}],
          "security_groups": [{{"id": "sg-app", "rules": [{}]}}, {{"id": "sg-client"}}],
          "endpoints": [
            {{"id": "app", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-app"]}},
            {{"id": "client", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-client"]}}]}}"#,
        rules.join(", ")
    );
    let diagnosis = one(&json, "client", "app", Protocol::Tcp, Some(port));
    assert_eq!(diagnosis.code, DiagnosisCode::PortOutsideRule);
    let index = diagnosis
        .related
        .first()
        .map_or(usize::MAX, |rule| rule.rule_index);
    (index, diagnosis.summary)
}

#[test]
fn port_outside_rule_names_the_rule_nearest_to_the_port() {
    // Below the port, and nearer than the rule above it.
    assert_eq!(
        nearest_rule(&["2000/2100", "100/200"], 300),
        (
            1,
            "Port 300 is outside rule 2 of sg-app, which (priority 1) allows tcp 100/200 from group sg-client."
                .to_owned()
        )
    );
    // Above the port by 100, nearer than the rule 150 below.
    assert_eq!(nearest_rule(&["400/500", "100/150"], 300).0, 0);
    // Above the port by 700, farther than the rule 150 below.
    assert_eq!(nearest_rule(&["1000/1100", "100/150"], 300).0, 1);
}

#[test]
fn a_drop_in_a_managed_group_is_advice_naming_its_manager() {
    let json = r#"{"sglab": 1, "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
      "security_groups": [
        {"id": "sg-m", "managed_by": "Container Service", "rules": [
          {"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "tcp", "port_range": "1/65535", "cidr": "10.0.0.0/16"}]},
        {"id": "sg-client"}],
      "endpoints": [
        {"id": "app", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-m"]},
        {"id": "client", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-client"]}]}"#;
    let topology = load(json);
    let diagnoses = diagnose(
        &topology,
        &Party::from("client"),
        &Party::from("app"),
        Protocol::Tcp,
        Some(80),
    );
    let diagnosis = &diagnoses[0];
    assert_eq!(diagnosis.code, DiagnosisCode::BlockedByDropRule);
    assert_eq!(diagnosis.fix, None);
    assert_eq!(
        diagnosis.fix_text,
        "sg-m is managed by Container Service and read-only, and no accept can come before its drop: ask the product's administrators, or use another path"
    );
}

#[test]
fn an_enterprise_group_is_given_an_address_not_a_group_reference() {
    // Enterprise groups neither reference groups nor are referenced.
    let json = NO_RULES.replace(
        r#"{"id": "sg-app"}"#,
        r#"{"id": "sg-app", "type": "enterprise"}"#,
    );
    let diagnosis = one(&json, "client", "app", Protocol::Tcp, Some(80));
    assert_eq!(diagnosis.code, DiagnosisCode::NoRuleAllows);
    assert_eq!(
        diagnosis.fix.as_ref().map(ToString::to_string).as_deref(),
        Some("add to sg-app: ingress accept priority 1 tcp 80/80 from 10.0.2.10/32")
    );
}

#[test]
fn a_rule_that_is_not_the_gateway_s_authorization_is_copied_for_the_port() {
    // `b` allows TCP 8080 from the VPC's block, not from the gateway's managed group.
    let json = GATEWAY.replace(
        r#"{"id": "sg-b"}"#,
        r#"{"id": "sg-b", "rules": [
          {"direction": "ingress", "protocol": "tcp", "port_range": "8080/8080", "cidr": "10.0.0.0/16"}]}"#,
    );
    let diagnosis = one(&json, "gw-node", "b", Protocol::Tcp, Some(9000));
    assert_eq!(diagnosis.code, DiagnosisCode::PortOutsideRule);
    assert_eq!(
        diagnosis.fix.as_ref().map(ToString::to_string).as_deref(),
        Some("add to sg-b: ingress accept priority 1 tcp 9000/9000 from 10.0.0.0/16")
    );
}

#[test]
fn a_gateway_authorizes_only_basic_groups() {
    // An enterprise group cannot be a backend of the gateway: a rule from the node's address.
    let json = GATEWAY.replace(
        r#"{"id": "sg-b"}"#,
        r#"{"id": "sg-b", "type": "enterprise"}"#,
    );
    let diagnosis = one(&json, "gw-node", "b", Protocol::Tcp, Some(8080));
    assert_eq!(diagnosis.code, DiagnosisCode::NoRuleAllows);
    assert_eq!(
        diagnosis.fix.as_ref().map(ToString::to_string).as_deref(),
        Some("add to sg-b: ingress accept priority 1 tcp 8080/8080 from 10.0.0.10/32")
    );
}

#[test]
fn the_node_to_test_from_is_named_by_its_id_and_its_name() {
    let named =
        TWO_SERVICES_DOWN.replace(r#"{"id": "peer","#, r#"{"id": "peer", "name": "web-2","#);
    let diagnosis = one(&named, "client", "svc", Protocol::Tcp, Some(80));
    assert!(
        diagnosis
            .fix_text
            .contains("curl from peer (web-2), another node"),
        "{}",
        diagnosis.fix_text
    );
    // A name equal to the id is said once.
    let same = TWO_SERVICES_DOWN.replace(r#"{"id": "peer","#, r#"{"id": "peer", "name": "peer","#);
    let diagnosis = one(&same, "client", "svc", Protocol::Tcp, Some(80));
    assert!(
        diagnosis.fix_text.contains("curl from peer, another node"),
        "{}",
        diagnosis.fix_text
    );
}

/// `svc` carries `sg-svc`, whose rule accepts TCP 8080 from `client`'s group at priority 10,
/// and `sg-lockdown`, whose rule drops every TCP port from the VPC at priority 5.
const TWO_GROUPS: &str = r#"{"sglab": 1,
  "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
  "security_groups": [
    {"id": "sg-client"},
    {"id": "sg-svc", "rules": [
      {"direction": "ingress", "priority": 10, "protocol": "tcp", "port_range": "8080/8080", "group": "sg-client"}]},
    {"id": "sg-lockdown", "rules": [
      {"direction": "ingress", "policy": "drop", "priority": 5, "protocol": "tcp", "port_range": "1/65535", "cidr": "10.0.0.0/16"}]}
  ],
  "endpoints": [
    {"id": "client", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-client"]},
    {"id": "svc", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-svc", "sg-lockdown"]}
  ]}"#;

fn drop_fix(json: &str) -> Option<String> {
    let diagnosis = one(json, "client", "svc", Protocol::Tcp, Some(8080));
    assert_eq!(diagnosis.code, DiagnosisCode::DropInOtherGroup);
    diagnosis.fix.as_ref().map(ToString::to_string)
}

#[test]
fn the_accept_copied_above_a_drop_keeps_its_peer_and_takes_the_query_s_protocol() {
    // An accept of every protocol becomes an accept of the query's protocol.
    let all = TWO_GROUPS.replace(
        r#""priority": 10, "protocol": "tcp", "port_range": "8080/8080""#,
        r#""priority": 10, "protocol": "all""#,
    );
    assert_eq!(
        drop_fix(&all).as_deref(),
        Some("add to sg-svc: ingress accept priority 4 tcp 8080/8080 from group sg-client")
    );
    // A peer the holder may name stays as it is.
    let cidr = TWO_GROUPS.replace(
        r#""port_range": "8080/8080", "group": "sg-client""#,
        r#""port_range": "8080/8080", "cidr": "10.0.1.0/24""#,
    );
    assert_eq!(
        drop_fix(&cidr).as_deref(),
        Some("add to sg-svc: ingress accept priority 4 tcp 8080/8080 from 10.0.1.0/24")
    );
}

#[test]
fn a_drop_at_priority_1_moves_just_below_the_accept() {
    let first = TWO_GROUPS.replace(
        r#""policy": "drop", "priority": 5"#,
        r#""policy": "drop", "priority": 1"#,
    );
    assert_eq!(
        drop_fix(&first).as_deref(),
        Some("change rule 1 of sg-lockdown to: ingress drop priority 11 tcp 1/65535 from 10.0.0.0/16")
    );
}

/// A Flannel cluster `k1` with a pod on each of two nodes, and a Terway cluster `k2` with a pod
/// on the first node; the nodes' groups have no rules.
const CLUSTERS: &str = r#"{"sglab": 1,
  "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
  "security_groups": [{"id": "sg-node1"}, {"id": "sg-node2"}],
  "clusters": [
    {"id": "k1", "network_mode": "flannel", "pod_cidr": "172.18.0.0/16"},
    {"id": "k2", "network_mode": "terway_shared"}],
  "endpoints": [
    {"id": "node1", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-node1"]},
    {"id": "node2", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-node2"]},
    {"id": "pod1", "kind": "pod", "cluster": "k1", "node": "node1", "pod_ip": "172.18.0.5"},
    {"id": "pod2", "kind": "pod", "cluster": "k1", "node": "node2", "pod_ip": "172.18.1.5"},
    {"id": "tpod", "kind": "pod", "cluster": "k2", "node": "node1", "pod_ip": "10.0.1.20"}
  ]}"#;

#[test]
fn pods_of_one_flannel_cluster_are_allowed_the_whole_pod_cidr() {
    let diagnosis = one(CLUSTERS, "pod1", "pod2", Protocol::Tcp, Some(5432));
    assert_eq!(diagnosis.code, DiagnosisCode::FlannelPodCidrMissing);
    assert_eq!(
        diagnosis.fix_text,
        "add to sg-node2: ingress accept priority 1 all -1/-1 from 172.18.0.0/16 (as the Container Service documents do: the cluster's group authorizes the pod CIDR so that containers reach each other)"
    );
}

#[test]
fn a_terway_pod_is_no_flannel_pod() {
    let diagnosis = one(CLUSTERS, "tpod", "node2", Protocol::Tcp, Some(5432));
    assert_eq!(diagnosis.code, DiagnosisCode::NoRuleAllows);
}

#[test]
fn icmp_without_ipv4_on_both_sides_says_which_protocol_to_use() {
    let json = NO_RULES.replace(
        r#""private_ip": "10.0.1.10", "groups": ["sg-app"]"#,
        r#""private_ip": "10.0.1.10", "public_ip": "47.0.1.10", "groups": ["sg-app"]"#,
    );
    let diagnosis = one(&json, "2001:db8::1", "app", Protocol::Icmp, None);
    assert_eq!(diagnosis.code, DiagnosisCode::NoRoute);
    assert_eq!(
        diagnosis.fix_text,
        "ICMP needs IPv4 addresses on both sides; for IPv6 use icmpv6"
    );
}

#[test]
fn no_rule_allows_says_what_its_rule_covers_and_where_a_group_is_missing() {
    let diagnosis = one(NO_RULES, "client", "app", Protocol::Tcp, None);
    assert_eq!(
        diagnosis.fix_text,
        "add to sg-app: ingress accept priority 1 tcp 1/65535 from group sg-client (the narrowest rule: this source, this protocol)"
    );
    // The file format refuses an ENI in no group; a model built otherwise may hold one.
    let mut no_group = load(NO_RULES);
    if let Some(app) = no_group.endpoints.get_mut(&EndpointId::from("app")) {
        for eni in &mut app.enis {
            eni.groups.clear();
        }
    }
    let diagnoses = diagnose(
        &no_group,
        &Party::from("client"),
        &Party::from("app"),
        Protocol::Tcp,
        Some(80),
    );
    assert_eq!(diagnoses.len(), 1, "{diagnoses:#?}");
    let diagnosis = &diagnoses[0];
    assert_eq!(diagnosis.code, DiagnosisCode::NoRuleAllows);
    assert_eq!(
        diagnosis.fix_text,
        "app is in no security group: put it in one and allow tcp 80 there"
    );
}

/// The fix of `port-outside-rule` for a TCP query on `port` from `client` to `app`, whose group
/// holds one accept rule on `range` from `peer`.
fn port_fix(range: &str, peer: &str, port: u16) -> Option<String> {
    let json = format!(
        r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1"}}],
          "security_groups": [{{"id": "sg-app", "rules": [
            {{"direction": "ingress", "protocol": "tcp", "port_range": "{range}", {peer}}}]}},
            {{"id": "sg-client"}}],
          "endpoints": [
            {{"id": "app", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-app"]}},
            {{"id": "client", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-client"]}}]}}"#
    );
    let diagnosis = one(&json, "client", "app", Protocol::Tcp, Some(port));
    assert_eq!(diagnosis.code, DiagnosisCode::PortOutsideRule);
    diagnosis.fix.as_ref().map(ToString::to_string)
}

#[test]
fn a_port_next_to_a_rule_widens_it_and_a_farther_one_gets_its_own_rule() {
    let group = r#""group": "sg-client""#;
    assert_eq!(
        port_fix("8080/8080", group, 8081).as_deref(),
        Some("change rule 1 of sg-app to: ingress accept priority 1 tcp 8080/8081 from group sg-client")
    );
    assert_eq!(
        port_fix("8080/8090", group, 8079).as_deref(),
        Some("change rule 1 of sg-app to: ingress accept priority 1 tcp 8079/8090 from group sg-client")
    );
    assert_eq!(
        port_fix("8080/8090", group, 8092).as_deref(),
        Some("add to sg-app: ingress accept priority 1 tcp 8092/8092 from group sg-client")
    );
    // The rule's own peer, which the group may name, stays.
    assert_eq!(
        port_fix("8080/8090", r#""cidr": "10.0.0.0/8""#, 8078).as_deref(),
        Some("add to sg-app: ingress accept priority 1 tcp 8078/8078 from 10.0.0.0/8")
    );
}

#[test]
fn a_managed_group_s_rule_is_not_the_rule_in_another_node_s_group() {
    let json = NO_RULES.replace(
        r#"{"id": "sg-client"}"#,
        r#"{"id": "sg-client"},
          {"id": "sg-m", "managed_by": "Container Service", "rules": [
            {"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "group": "sg-client"}]}"#,
    );
    let diagnosis = one(&json, "client", "app", Protocol::Tcp, Some(80));
    assert_eq!(diagnosis.code, DiagnosisCode::NoRuleAllows);
    // The same rule in a group nobody manages is found.
    let json = json.replace(r#""managed_by": "Container Service", "#, "");
    let diagnosis = one(&json, "client", "app", Protocol::Tcp, Some(80));
    assert_eq!(diagnosis.code, DiagnosisCode::RuleInOtherNodeGroup);
}

#[test]
fn a_rule_in_another_group_that_is_not_the_gateway_s_authorization_is_copied() {
    let json = GATEWAY.replace(
        r#"{"id": "sg-b"}"#,
        r#"{"id": "sg-b"},
          {"id": "sg-c", "rules": [
            {"direction": "ingress", "protocol": "tcp", "port_range": "8080/8080", "cidr": "10.0.0.0/16"}]}"#,
    );
    let diagnosis = one(&json, "gw-node", "b", Protocol::Tcp, Some(8080));
    assert_eq!(diagnosis.code, DiagnosisCode::RuleInOtherNodeGroup);
    assert_eq!(
        diagnosis.fix.as_ref().map(ToString::to_string).as_deref(),
        Some("add to sg-b: ingress accept priority 1 tcp 8080/8080 from 10.0.0.0/16")
    );
}
