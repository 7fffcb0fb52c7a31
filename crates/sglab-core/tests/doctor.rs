//! The troubleshooting doctor: one golden per diagnosis code (the rendered section, checked by
//! hand against the reference), fixes that work, and a property test on random topologies.

use expect_test::{expect, Expect};
use proptest::prelude::*;
use sglab_core::doctor::{diagnose, render_text, Diagnosis, DiagnosisCode};
use sglab_core::eval::{explain, resolve_party, Party};
use sglab_core::fix::Fix;
use sglab_core::generate::{generate, GenParams};
use sglab_core::load::parse_sglab;
use sglab_core::model::{PortRange, Protocol, Topology, Verdict};
use sglab_core::portset::port_set;

fn topology(json: &str) -> Topology {
    parse_sglab(json, None).expect("a valid topology").topology
}

/// Diagnoses a query, checks the rendered section, and checks the fixes: each applies, and
/// applying all of them (when every diagnosis has one) allows a denied query.
fn check(json: &str, from: &str, to: &str, protocol: Protocol, port: Option<u16>, expect: Expect) {
    let topology = topology(json);
    let from = resolve_party(&topology, from).expect("from resolves");
    let to = resolve_party(&topology, to).expect("to resolves");
    let diagnoses = diagnose(&topology, &from, &to, protocol, port);
    expect.assert_eq(&render_text(&diagnoses));
    let before = explain(&topology, &from, &to, protocol, port);
    let mut fixed = topology.clone();
    for diagnosis in &diagnoses {
        if let Some(fix) = &diagnosis.fix {
            fix.apply(&mut fixed).expect("the fix applies");
        }
    }
    if before.verdict == Verdict::Deny && diagnoses.iter().all(|diagnosis| diagnosis.fix.is_some())
    {
        let after = explain(&fixed, &from, &to, protocol, port);
        assert_eq!(after.verdict, Verdict::Allow, "{:?}", after.blockers);
    }
}

fn codes(diagnoses: &[Diagnosis]) -> Vec<&'static str> {
    diagnoses
        .iter()
        .map(|diagnosis| diagnosis.code.as_str())
        .collect()
}

/// A gateway, its managed group, a backend group and two nodes, as in the vendor figure.
const GATEWAY: &str = r#"{"sglab": 1,
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

#[test]
fn rule_in_other_node_group_authorizes_the_right_group() {
    check(
        GATEWAY,
        "gw-node",
        "node-a",
        Protocol::Tcp,
        Some(8080),
        expect![[r#"
            Why, and what to change:
              - [rule-in-other-node-group] Rule 1 of sg-b allows tcp 8080 from gw-node, but node-a does not carry sg-b.
                evidence: rule 1 of sg-b (priority 1) allows tcp 8080/8080 from group sg-gw matches tcp 8080 from gw-node
                evidence: sg-b is carried by node-b
                evidence: the service app runs on node-a, which carries sg-a
                fix: authorize sg-a on gateway gw for TCP 8080/8080 (the same authorization as sg-b; when a node carries several groups, the documents advise authorizing each)
        "#]],
    );
}

#[test]
fn port_outside_rule_adds_the_port_to_the_authorization() {
    check(
        GATEWAY,
        "gw-node",
        "node-b",
        Protocol::Tcp,
        Some(8081),
        expect![[r#"
            Why, and what to change:
              - [port-outside-rule] The service web listens on 8081, but rule 1 of sg-b (priority 1) allows tcp 8080/8080 from group sg-gw.
                evidence: node-b carries sg-b; rule 1 of sg-b (priority 1) allows tcp 8080/8080 from group sg-gw matches gw-node but not port 8081
                evidence: node-b declares the service web on tcp 8081
                fix: authorize sg-b on gateway gw for TCP 8081/8081 (the rule is the gateway's authorization: adding the port to the authorization keeps the gateway's list and the group in step; the documents suggest a wider range such as 1/65535 to avoid this)
        "#]],
    );
}

#[test]
fn service_down_starts_the_service() {
    check(
        GATEWAY,
        "gw-node",
        "node-b",
        Protocol::Tcp,
        Some(8080),
        expect![[r#"
            Why, and what to change:
              - [service-down] The groups allow tcp 8080 to node-b, but the service old there is down.
                evidence: the groups allow tcp 8080 from gw-node to node-b (rule 1 of sg-b (priority 1, accept tcp 8080/8080 from group sg-gw))
                evidence: the service old on node-b listens on tcp 8080/8080 and is down
                fix: start service 2 on node-b (old)
        "#]],
    );
}

#[test]
fn nothing_listens_gives_advice() {
    let json = GATEWAY.replace(r#""port": 8081}"#, r#""port": 8082}"#);
    let mut topology = topology(&json);
    let diagnoses = diagnose(
        &topology,
        &Party::from("gw-node"),
        &Party::from("node-b"),
        Protocol::Tcp,
        Some(8080),
    );
    assert_eq!(codes(&diagnoses), ["service-down"]);
    // Once the service is started, something listens and the doctor has nothing to say.
    let fix = diagnoses[0].fix.clone().expect("a fix");
    fix.apply(&mut topology).expect("applies");
    let after = diagnose(
        &topology,
        &Party::from("gw-node"),
        &Party::from("node-b"),
        Protocol::Tcp,
        Some(8080),
    );
    assert!(after.is_empty(), "{after:?}");
    check(
        &json,
        "gw-node",
        "node-b",
        Protocol::Tcp,
        Some(8080),
        expect![[r#"
            Why, and what to change:
              - [service-down] The groups allow tcp 8080 to node-b, but the service old there is down.
                evidence: the groups allow tcp 8080 from gw-node to node-b (rule 1 of sg-b (priority 1, accept tcp 8080/8080 from group sg-gw))
                evidence: the service old on node-b listens on tcp 8080/8080 and is down
                fix: start service 2 on node-b (old)
        "#]],
    );
    let none_declared = GATEWAY.replace(
        r#"{"name": "old", "port": 8080, "up": false}"#,
        r#"{"name": "old", "port": 9000}"#,
    );
    check(
        &none_declared,
        "gw-node",
        "node-b",
        Protocol::Tcp,
        Some(8080),
        expect![[r#"
            Why, and what to change:
              - [nothing-listens] The groups allow tcp 8080 to node-b, but no declared service listens on it.
                evidence: the groups allow tcp 8080 from gw-node to node-b (rule 1 of sg-b (priority 1, accept tcp 8080/8080 from group sg-gw))
                evidence: node-b declares web on tcp 8081/8081, old on tcp 9000/9000
                advice: start a service on tcp 8080 of node-b, or ask about the port the service listens on; if the service runs on another node or moved to another port, open the rule there
        "#]],
    );
}

#[test]
fn no_rule_allows_authorizes_a_gateway_and_adds_the_narrowest_rule_otherwise() {
    let json = GATEWAY.replace(
        r#""port_range": "8080/8080""#,
        r#""port_range": "9000/9000""#,
    );
    let json = json.replace(r#"["8080/8080"]"#, r#"["9000/9000"]"#);
    let topology = topology(&json);
    let diagnoses = diagnose(
        &topology,
        &Party::from("gw-node"),
        &Party::from("node-a"),
        Protocol::Udp,
        Some(53),
    );
    assert_eq!(codes(&diagnoses), ["no-rule-allows"]);
    assert_eq!(
        diagnoses[0]
            .fix
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("add to sg-a: ingress accept priority 1 udp 53/53 from group sg-gw")
    );
    check(
        &json,
        "node-b",
        "node-a",
        Protocol::Tcp,
        Some(8080),
        expect![[r#"
            Why, and what to change:
              - [no-rule-allows] No rule of node-a's groups allows tcp 8080 from node-b, and security groups deny all ingress by default.
                evidence: node-a carries sg-a; none of their ingress rules matches tcp 8080 from node-b (10.0.1.11)
                fix: add to sg-a: ingress accept priority 1 tcp 8080/8080 from group sg-b (the narrowest rule: this source, this port)
        "#]],
    );
    check(
        &json,
        "gw-node",
        "node-a",
        Protocol::Tcp,
        Some(8080),
        expect![[r#"
            Why, and what to change:
              - [no-rule-allows] No rule of node-a's groups allows tcp 8080 from gw-node, and security groups deny all ingress by default.
                evidence: node-a carries sg-a; none of their ingress rules matches tcp 8080 from gw-node (10.0.0.10)
                fix: authorize sg-a on gateway gw for TCP 8080/8080 (the gateway's authorization for this port: the console creates the rule, accept, priority 1, from the gateway's managed group)
        "#]],
    );
}

/// A node in two groups: an accept in one, a drop in the other.
const TWO_GROUPS: &str = r#"{"sglab": 1,
  "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
  "security_groups": [
    {"id": "sg-client"},
    {"id": "sg-svc", "rules": [
      {"direction": "ingress", "priority": 10, "protocol": "tcp", "port_range": "8080/8080", "group": "sg-client"}]},
    {"id": "sg-lockdown", "rules": [
      {"direction": "ingress", "policy": "drop", "priority": 5, "protocol": "tcp", "port_range": "1/65535", "cidr": "10.0.0.0/16"},
      {"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "tcp", "port_range": "8000/8080", "cidr": "10.0.0.0/16"}]}
  ],
  "endpoints": [
    {"id": "client", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-client"]},
    {"id": "svc", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-svc", "sg-lockdown"]}
  ]}"#;

#[test]
fn drop_in_other_group_narrows_at_an_edge_and_adds_an_accept_above_a_lower_drop() {
    check(
        TWO_GROUPS,
        "client",
        "svc",
        Protocol::Tcp,
        Some(8080),
        expect![[r#"
            Why, and what to change:
              - [drop-in-other-group] Rule 2 of sg-lockdown drops tcp 8080 before rule 1 of sg-svc, another group of svc, can allow it.
                evidence: rule 2 of sg-lockdown (priority 1) drops tcp 8000/8080 from 10.0.0.0/16 matches tcp 8080 from client to svc
                evidence: rule 1 of sg-svc (priority 10) allows tcp 8080/8080 from group sg-client would allow it, but comes after the drop in evaluation order
                evidence: svc carries both sg-lockdown and sg-svc; rules of all its groups are pooled and sorted by priority
                fix: change rule 2 of sg-lockdown to: ingress drop priority 1 tcp 8000/8079 from 10.0.0.0/16, and add to sg-svc: ingress accept priority 4 tcp 8080/8080 from group sg-client (one change: change rule 2 of sg-lockdown to: ingress drop priority 1 tcp 8000/8079 from 10.0.0.0/16 alone would leave rule 1 of sg-lockdown (priority 5, drop tcp 1/65535 from 10.0.0.0/16) blocking the inbound side)
              - [drop-in-other-group] Rule 1 of sg-lockdown drops tcp 8080 before rule 1 of sg-svc, another group of svc, can allow it.
                evidence: rule 1 of sg-lockdown (priority 5) drops tcp 1/65535 from 10.0.0.0/16 matches tcp 8080 from client to svc
                evidence: rule 1 of sg-svc (priority 10) allows tcp 8080/8080 from group sg-client would allow it, but comes after the drop in evaluation order
                evidence: svc carries both sg-lockdown and sg-svc; rules of all its groups are pooled and sorted by priority
                advice: needed together with the fix above for rule 2 of sg-lockdown, which makes both changes as one: add to sg-svc: ingress accept priority 4 tcp 8080/8080 from group sg-client (priority 4 comes before the drop's 5; the drop still applies to everything else)
        "#]],
    );
}

#[test]
fn drop_at_priority_1_without_an_accept_gets_advice() {
    let json = r#"{"sglab": 1,
      "vpcs": [{"id": "vpc-1"}],
      "security_groups": [
        {"id": "sg-app", "rules": [
          {"direction": "ingress", "policy": "drop", "protocol": "tcp", "port_range": "22/22", "cidr": "0.0.0.0/0"}]}
      ],
      "endpoints": [
        {"id": "app", "kind": "ecs", "private_ip": "10.0.1.10", "public_ip": "47.0.0.1", "groups": ["sg-app"]}
      ]}"#;
    check(
        json,
        "203.0.113.9",
        "app",
        Protocol::Tcp,
        Some(22),
        expect![[r#"
            Why, and what to change:
              - [blocked-by-drop-rule] Rule 1 of sg-app drops tcp 22 from 203.0.113.9.
                evidence: rule 1 of sg-app (priority 1) drops tcp 22/22 from 0.0.0.0/0 matches tcp 22 from 203.0.113.9 to app
                advice: no accept rule can come before a drop at priority 1 (at equal priority the drop wins): if this traffic should pass, narrow rule 1 of sg-app so that it no longer matches it, or delete it
              - [no-rule-allows] No rule of app's groups allows tcp 22 from 203.0.113.9, and security groups deny all ingress by default.
                evidence: app carries sg-app; none of their ingress rules matches tcp 22 from 203.0.113.9
                evidence: 203.0.113.9 is outside the VPC of app: it is seen at 203.0.113.9, and group references do not match it
                advice: not enough on its own, since rule 1 of sg-app (priority 1, drop tcp 22/22 from 0.0.0.0/0) would still block the inbound side: change that first, then add to sg-app: ingress accept priority 1 tcp 22/22 from 203.0.113.9/32 (the narrowest rule: this source, this port)
        "#]],
    );
}

#[test]
fn enterprise_egress_flannel_tcp_25_and_unreachable() {
    let json = r#"{"sglab": 1,
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
    check(
        json,
        "e1",
        "e2",
        Protocol::Tcp,
        Some(80),
        expect![[r#"
            Why, and what to change:
              - [enterprise-default-egress-deny] The enterprise groups of e1 have no egress rule, and enterprise groups deny all egress by default.
                evidence: e1 carries sg-ent, of type enterprise
                evidence: the API creates enterprise groups without the allow-all egress rule the console adds
                fix: add to sg-ent: egress accept priority 1 tcp 80/80 to 10.0.1.11/32 (the narrowest egress rule: this target, this port)
        "#]],
    );
    check(
        json,
        "pod",
        "db",
        Protocol::Tcp,
        Some(5432),
        expect![[r#"
            Why, and what to change:
              - [flannel-pod-cidr-missing] No rule of db's groups allows the pod CIDR 172.18.0.0/16 of the Flannel pod pod, whose traffic carries its pod IP 172.18.0.5.
                evidence: pod is a pod of the Flannel cluster k1: the groups of its node filter its traffic, which carries the pod IP 172.18.0.5
                evidence: no rule of sg-db names a CIDR holding 172.18.0.5; group rules and intra-group access match only ENI addresses
                evidence: the pod CIDR of cluster k1 is 172.18.0.0/16
                fix: add to sg-db: ingress accept priority 1 tcp 5432/5432 from 172.18.0.0/16 (the pod CIDR, for this port only)
        "#]],
    );
    check(
        json,
        "e1",
        "mail",
        Protocol::Tcp,
        Some(25),
        expect![[r#"
            Why, and what to change:
              - [tcp-25-blocked] Outbound TCP 25 to addresses outside the VPC is blocked by the platform, whatever the rules say.
                evidence: e1 sends to mail outside its VPC on TCP 25
                advice: no security-group rule opens it: send mail on port 465 (SMTP over TLS) or through a mail service on port 80, or apply to Alibaba Cloud for unblocking port 25
              - [enterprise-default-egress-deny] The enterprise groups of e1 have no egress rule, and enterprise groups deny all egress by default.
                evidence: e1 carries sg-ent, of type enterprise
                evidence: the API creates enterprise groups without the allow-all egress rule the console adds
                fix: add to sg-ent: egress accept priority 1 tcp 25/25 to 203.0.113.25/32 (the narrowest egress rule: this target, this port)
        "#]],
    );
    check(
        json,
        "mail",
        "db",
        Protocol::Tcp,
        Some(5432),
        expect![[r#"
            Why, and what to change:
              - [no-public-address] db has no public IP or EIP, so mail, outside its VPC, cannot reach it.
                evidence: db has no public IP or EIP: unreachable from outside its VPC
                evidence: mail is outside every VPC
                advice: bind an EIP to db (and allow the source in its group), or reach it through a gateway or load balancer (SLB) that is in its VPC
        "#]],
    );
    check(
        json,
        "e1",
        "db",
        Protocol::Icmpv6,
        None,
        expect![[r#"
            Why, and what to change:
              - [no-route] No address lets e1 reach db: e1 and db have no private addresses of one family (ICMPv6 is IPv6 only).
                evidence: e1 and db have no private addresses of one family (ICMPv6 is IPv6 only)
                advice: ICMPv6 needs IPv6 addresses on both sides; for IPv4 use icmp
        "#]],
    );
}

#[test]
fn codes_have_stable_names() {
    for code in DiagnosisCode::ALL {
        assert_eq!(DiagnosisCode::parse(code.as_str()), Some(code));
        assert_eq!(code.to_string(), code.as_str());
        assert_eq!(
            serde_json::to_value(code).expect("serializes"),
            serde_json::Value::from(code.as_str())
        );
    }
    assert_eq!(DiagnosisCode::Tcp25Blocked.as_str(), "tcp-25-blocked");
    assert_eq!(DiagnosisCode::parse("nope"), None);
}

/// Every code is expected by at least one case of the scenario corpus.
#[test]
fn every_code_appears_in_the_corpus() {
    let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let mut seen = std::collections::BTreeSet::new();
    for entry in std::fs::read_dir(&directory).expect("the scenario corpus") {
        let path = entry.expect("an entry").path();
        if path
            .extension()
            .is_some_and(|extension| extension == "json")
        {
            let text = std::fs::read_to_string(&path).expect("readable");
            let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            for case in value["corpus"]["cases"].as_array().into_iter().flatten() {
                for code in case["diagnoses"].as_array().into_iter().flatten() {
                    seen.extend(code.as_str().and_then(DiagnosisCode::parse));
                }
            }
        }
    }
    let missing: Vec<&str> = DiagnosisCode::ALL
        .into_iter()
        .filter(|code| !seen.contains(code))
        .map(DiagnosisCode::as_str)
        .collect();
    assert!(missing.is_empty(), "no corpus case expects {missing:?}");
}

#[test]
fn fixes_never_touch_managed_groups() {
    // The target is a gateway node: its only group is managed, so the doctor advises.
    let topology = topology(GATEWAY);
    let diagnoses = diagnose(
        &topology,
        &Party::from("node-a"),
        &Party::from("gw-node"),
        Protocol::Tcp,
        Some(443),
    );
    assert_eq!(codes(&diagnoses), ["no-rule-allows"]);
    assert!(diagnoses[0].fix.is_none());
    assert!(diagnoses[0].fix_text.contains("managed and read-only"));
}

const PROTOCOLS: [Protocol; 6] = [
    Protocol::Tcp,
    Protocol::Udp,
    Protocol::Icmp,
    Protocol::Icmpv6,
    Protocol::Gre,
    Protocol::All,
];

/// Whether every range of `before` lies inside a range of `after` (both merged and sorted).
fn covered(before: &[PortRange], after: &[PortRange]) -> bool {
    before.iter().all(|range| {
        after
            .iter()
            .any(|outer| outer.start() <= range.start() && range.end() <= outer.end())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Every denied query gets a diagnosis; every fix applies, denies nothing the pair was
    /// allowed on that protocol, and all fixes together allow the query when each diagnosis
    /// has one.
    #[test]
    fn fixes_work_on_random_topologies(
        seed in any::<u64>(),
        endpoints in 2usize..9,
        groups in 1usize..6,
        rules in 0usize..40,
        pick in any::<(usize, usize, usize, u16)>(),
    ) {
        let topology = generate(seed, &GenParams::small(endpoints, groups, rules));
        let mut parties: Vec<Party> =
            topology.endpoints.keys().cloned().map(Party::Endpoint).collect();
        parties.push(Party::Address("198.51.100.77".parse().expect("an address")));
        let from = &parties[pick.0 % parties.len()];
        let to = &parties[pick.1 % parties.len()];
        let protocol = PROTOCOLS[pick.2 % PROTOCOLS.len()];
        let port = Some(1 + pick.3 % 70);
        let explanation = explain(&topology, from, to, protocol, port);
        let diagnoses = diagnose(&topology, from, to, protocol, port);
        if explanation.verdict == Verdict::Deny {
            prop_assert!(!diagnoses.is_empty(), "{:?}", explanation.blockers);
        }
        let before = port_set(&topology, from, to, protocol).ranges();
        let mut all = topology.clone();
        for diagnosis in &diagnoses {
            let Some(fix) = &diagnosis.fix else { continue };
            let mut alone = topology.clone();
            prop_assert!(fix.apply(&mut alone).is_ok(), "{} does not apply", fix);
            prop_assert!(fix.apply(&mut all).is_ok(), "{} does not apply after the others", fix);
            let after = port_set(&alone, from, to, protocol).ranges();
            prop_assert!(covered(&before, &after), "{}: {:?} -> {:?}", fix, before, after);
            if let Fix::AddRule { security_group, .. } | Fix::ReplaceRule { security_group, .. } = fix {
                prop_assert!(topology.groups[security_group].managed_by.is_none());
            }
        }
        if explanation.verdict == Verdict::Deny
            && diagnoses.iter().all(|diagnosis| diagnosis.fix.is_some())
        {
            let after = explain(&all, from, to, protocol, port);
            prop_assert_eq!(after.verdict, Verdict::Allow, "{:?}", codes(&diagnoses));
        }
    }
}
