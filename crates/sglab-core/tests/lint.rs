//! The lint: golden findings on small topologies, the limits that validation refuses, what an
//! added rule changes, and property tests that check the exact shadowing analysis against the
//! engine on random topologies.

use std::collections::BTreeSet;
use std::net::IpAddr;

use expect_test::{expect, Expect};
use proptest::prelude::*;
use sglab_core::eval::{explain, Party};
use sglab_core::explain::Decision;
use sglab_core::fix::Fix;
use sglab_core::generate::{generate, GenParams};
use sglab_core::lint::{added_rule_effect, lint, AddedRuleEffect, Finding, LintCode};
use sglab_core::load::parse_sglab;
use sglab_core::model::{GroupId, GroupType, Peer, Protocol, Rule, Topology};
use sglab_core::portset::port_set;
use sglab_core::validate::Limits;

const PROTOCOLS: [Protocol; 6] = [
    Protocol::Tcp,
    Protocol::Udp,
    Protocol::Icmp,
    Protocol::Icmpv6,
    Protocol::Gre,
    Protocol::All,
];

fn parse(text: &str) -> Topology {
    match parse_sglab(text, None) {
        Ok(parsed) => parsed.topology,
        Err(diagnostics) => panic!("invalid test topology: {diagnostics:?}"),
    }
}

fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for finding in findings {
        out.push_str(&format!(
            "{}[{}]: {}\n",
            finding.severity, finding.code, finding.message
        ));
        out.push_str(&format!("  fix: {}\n", finding.fix_text));
        if let Some(fix) = &finding.fix {
            out.push_str(&format!("  one-click: {fix}\n"));
        }
    }
    out
}

fn check(text: &str, expect: Expect) {
    expect.assert_eq(&render(&lint(&parse(text), &Limits::default())));
}

/// A topology with one web server in `sg-web`, clients in `sg-client`, and the rules given.
fn web(rules: &str) -> String {
    format!(
        r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}],
        "security_groups": [{{"id": "sg-web", "rules": [{rules}]}}, {{"id": "sg-client", "rules": []}}],
        "endpoints": [
          {{"id": "web", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-web"], "public_ip": "47.0.0.10"}},
          {{"id": "client", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-client"]}}]}}"#
    )
}

#[test]
fn shadowed_rule_is_found_with_the_rule_that_shadows_it() {
    check(
        &web(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "1/1000", "cidr": "10.0.0.0/8"},
               {"direction": "ingress", "priority": 5, "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.2.0/24"}"#,
        ),
        expect![[r#"
            warning[shadowed-rule]: rule 2 of sg-web (priority 5, accept tcp 80/80 from 10.0.2.0/24) never decides anything: rule 1 of sg-web (priority 1, accept tcp 1/1000 from 10.0.0.0/8) decides every packet it matches first
              fix: delete rule 2 of sg-web: it changes no verdict
              one-click: delete rule 2 of sg-web
        "#]],
    );
}

#[test]
fn a_union_of_earlier_rules_shadows_and_a_gap_does_not() {
    // Two halves of the address space together cover 0.0.0.0/0; ports 1/100 and 101/200
    // together cover 50/150.
    check(
        &web(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "1/100", "cidr": "0.0.0.0/1"},
               {"direction": "ingress", "protocol": "tcp", "port_range": "101/200", "cidr": "0.0.0.0/1"},
               {"direction": "ingress", "protocol": "tcp", "port_range": "1/200", "cidr": "128.0.0.0/1"},
               {"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "50/150", "cidr": "0.0.0.0/0"},
               {"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "150/201", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            info[mergeable-rules]: rule 1 of sg-web (priority 1, accept tcp 1/100 from 0.0.0.0/1) and rule 2 of sg-web (priority 1, accept tcp 101/200 from 0.0.0.0/1) differ only in port ranges that touch or overlap: one rule for 1/200 does the same
              fix: change rule 1 of sg-web to ports 1/200, then delete rule 2 of sg-web
              one-click: change rule 1 of sg-web to: ingress accept priority 1 tcp 1/200 from 0.0.0.0/1
            warning[shadowed-rule]: rule 4 of sg-web (priority 2, accept tcp 50/150 from 0.0.0.0/0) never decides anything: rule 1 of sg-web (priority 1, accept tcp 1/100 from 0.0.0.0/1), rule 2 of sg-web (priority 1, accept tcp 101/200 from 0.0.0.0/1) and rule 3 of sg-web (priority 1, accept tcp 1/200 from 128.0.0.0/1) decide every packet it matches first
              fix: delete rule 4 of sg-web: it changes no verdict
              one-click: delete rule 4 of sg-web
            warning[open-internal-rule]: rule 5 of sg-web (priority 2, accept tcp 150/201 from 0.0.0.0/0) opens tcp 150/201 to every address (0.0.0.0/0): only web ports (80, 443) are meant for everyone, internal ports should accept a group or known CIDRs
              fix: narrow the peer to the addresses that need the port: a group or the VPC CIDR 10.0.0.0/16
              one-click: change rule 5 of sg-web to: ingress accept priority 2 tcp 150/201 from 10.0.0.0/16
        "#]],
    );
}

#[test]
fn protocol_all_is_not_covered_by_tcp_and_udp_alone() {
    check(
        &web(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "1/65535", "cidr": "10.0.0.0/16"},
               {"direction": "ingress", "protocol": "udp", "port_range": "1/65535", "cidr": "10.0.0.0/16"},
               {"direction": "ingress", "priority": 2, "protocol": "all", "cidr": "10.0.0.0/16"},
               {"direction": "ingress", "priority": 3, "protocol": "tcp", "port_range": "8080/8080", "cidr": "10.0.0.0/16"}"#,
        ),
        expect![[r#"
            info[redundant-rule]: rule 1 of sg-web (priority 1, accept tcp 1/65535 from 10.0.0.0/16) is redundant: without it, rule 3 of sg-web (priority 2, accept all -1/-1 from 10.0.0.0/16) would decide every packet it decides the same way
              fix: delete rule 1 of sg-web: it changes no verdict
              one-click: delete rule 1 of sg-web
            info[redundant-rule]: rule 2 of sg-web (priority 1, accept udp 1/65535 from 10.0.0.0/16) is redundant: without it, rule 3 of sg-web (priority 2, accept all -1/-1 from 10.0.0.0/16) would decide every packet it decides the same way
              fix: delete rule 2 of sg-web: it changes no verdict
              one-click: delete rule 2 of sg-web
            warning[shadowed-rule]: rule 4 of sg-web (priority 3, accept tcp 8080/8080 from 10.0.0.0/16) never decides anything: rule 1 of sg-web (priority 1, accept tcp 1/65535 from 10.0.0.0/16) decides every packet it matches first
              fix: delete rule 4 of sg-web: it changes no verdict
              one-click: delete rule 4 of sg-web
        "#]],
    );
}

#[test]
fn group_peers_are_compared_through_their_current_members() {
    // The only member of sg-client is 10.0.2.10, inside 10.0.2.0/24: the group rule after the
    // CIDR rule never decides. The CIDR rule after the group rule still decides for other
    // addresses of the block.
    check(
        &web(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "22/22", "cidr": "10.0.2.0/24"},
               {"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "22/22", "group": "sg-client"},
               {"direction": "ingress", "priority": 3, "protocol": "tcp", "port_range": "3306/3306", "group": "sg-client"},
               {"direction": "ingress", "priority": 4, "protocol": "tcp", "port_range": "3306/3306", "cidr": "10.0.2.10/32"}"#,
        ),
        expect![[r#"
            warning[shadowed-rule]: rule 2 of sg-web (priority 2, accept tcp 22/22 from group sg-client) never decides anything: rule 1 of sg-web (priority 1, accept tcp 22/22 from 10.0.2.0/24) decides every packet it matches first (group peers compared with their current members)
              fix: delete rule 2 of sg-web: it changes no verdict
              one-click: delete rule 2 of sg-web
            warning[shadowed-rule]: rule 4 of sg-web (priority 4, accept tcp 3306/3306 from 10.0.2.10/32) never decides anything: rule 3 of sg-web (priority 3, accept tcp 3306/3306 from group sg-client) decides every packet it matches first (group peers compared with their current members)
              fix: delete rule 4 of sg-web: it changes no verdict
              one-click: delete rule 4 of sg-web
        "#]],
    );
}

#[test]
fn ipv6_blocks_do_not_shadow_ipv4_rules() {
    check(
        &web(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "443/443", "ipv6_cidr": "::/0"},
               {"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "443/443", "cidr": "0.0.0.0/0"},
               {"direction": "ingress", "priority": 3, "protocol": "tcp", "port_range": "443/443", "ipv6_cidr": "2001:db8::/32"}"#,
        ),
        expect![[r#"
            warning[shadowed-rule]: rule 3 of sg-web (priority 3, accept tcp 443/443 from 2001:db8::/32) never decides anything: rule 1 of sg-web (priority 1, accept tcp 443/443 from ::/0) decides every packet it matches first
              fix: delete rule 3 of sg-web: it changes no verdict
              one-click: delete rule 3 of sg-web
        "#]],
    );
}

#[test]
fn exposure_lints() {
    check(
        &web(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "22/22", "cidr": "0.0.0.0/0"},
               {"direction": "ingress", "protocol": "tcp", "port_range": "1/65535", "cidr": "10.0.0.0/8"},
               {"direction": "ingress", "protocol": "tcp", "port_range": "443/443", "cidr": "0.0.0.0/0"},
               {"direction": "ingress", "protocol": "udp", "port_range": "9000/9100", "ipv6_cidr": "::/0"}"#,
        ),
        expect![[r#"
            error[risky-port-exposed]: rule 1 of sg-web (priority 1, accept tcp 22/22 from 0.0.0.0/0) exposes 22 (SSH) to the internet (0.0.0.0/0)
              fix: accept these ports only from the addresses that need them: a bastion's group, an office CIDR or the VPC CIDR 10.0.0.0/16
              one-click: change rule 1 of sg-web to: ingress accept priority 1 tcp 22/22 from 10.0.0.0/16
            warning[all-ports-open]: rule 2 of sg-web (priority 1, accept tcp 1/65535 from 10.0.0.0/8) accepts every port from the broad block 10.0.0.0/8
              fix: allow only the ports the service needs, from the addresses that need them: a group, an office CIDR or the VPC CIDR 10.0.0.0/16
              one-click: change rule 2 of sg-web to: ingress accept priority 1 tcp 1/65535 from 10.0.0.0/16
            warning[open-internal-rule]: rule 4 of sg-web (priority 1, accept udp 9000/9100 from ::/0) opens udp 9000/9100 to every address (::/0): only web ports (80, 443) are meant for everyone, internal ports should accept a group or known CIDRs
              fix: narrow the peer to the addresses that need the port: a group or the VPC CIDR
        "#]],
    );
}

#[test]
fn limits_that_validation_refuses_are_still_reported() {
    let mut topology = parse(&web(""));
    let endpoint = topology
        .endpoints
        .get_mut(&"web".into())
        .expect("the web endpoint");
    endpoint.enis[0].groups.push(GroupId::from("sg-client"));
    if let Some(group) = topology.groups.get_mut(&GroupId::from("sg-client")) {
        group.group_type = GroupType::Enterprise;
    }
    let limits = Limits {
        groups_per_eni: 1,
        ..Limits::default()
    };
    expect![[r#"
        error[too-many-groups-per-eni]: the ENI of web is in 2 groups, more than the limit of 1 per ENI
          fix: merge the groups' rules into fewer groups
        error[mixed-group-types]: the ENI of web mixes basic group sg-web and enterprise group sg-client: an ENI's groups must all be of one type, and sglab applies the stricter enterprise defaults
          fix: keep the ENI in groups of one type
    "#]]
    .assert_eq(&render(&lint(&topology, &limits)));
}

#[test]
fn codes_round_trip_and_serialize_as_strings() {
    for code in LintCode::ALL {
        assert_eq!(LintCode::parse(code.as_str()), Some(code));
        assert_eq!(
            serde_json::to_string(&code).expect("a string"),
            format!("\"{code}\"")
        );
    }
    assert_eq!(LintCode::parse("no-such-code"), None);
}

#[test]
fn added_rule_effect_names_the_rules_or_the_default() {
    let topology = parse(&web(
        r#"{"direction": "ingress", "protocol": "tcp", "port_range": "1/1000", "cidr": "10.0.0.0/8"},
           {"direction": "ingress", "priority": 5, "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.2.0/24"},
           {"direction": "egress", "protocol": "tcp", "port_range": "443/443", "cidr": "0.0.0.0/0"},
           {"direction": "ingress", "priority": 9, "protocol": "tcp", "port_range": "2000/2000", "cidr": "10.0.2.0/24"}"#,
    ));
    let group = GroupId::from("sg-web");
    match added_rule_effect(&topology, &group, 1) {
        Some(AddedRuleEffect::AlreadyDecidedBy { rules }) => {
            assert_eq!(rules.len(), 1);
            assert_eq!(rules[0].rule_index, 0);
        }
        other => panic!("expected already decided, got {other:?}"),
    }
    match added_rule_effect(&topology, &group, 2) {
        Some(AddedRuleEffect::SameAsDefault { verdict, rules }) => {
            assert_eq!(verdict.to_string(), "allow");
            assert!(rules.is_empty());
        }
        other => panic!("expected the default, got {other:?}"),
    }
    assert_eq!(
        added_rule_effect(&topology, &group, 3),
        Some(AddedRuleEffect::Effective)
    );
    assert_eq!(added_rule_effect(&topology, &group, 4), None);
    assert_eq!(
        added_rule_effect(&topology, &GroupId::from("sg-client"), 0),
        None
    );
}

#[test]
fn every_fix_applies() {
    let topology = parse(&web(
        r#"{"direction": "ingress", "protocol": "tcp", "port_range": "1/1000", "cidr": "10.0.0.0/8"},
           {"direction": "ingress", "priority": 5, "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.2.0/24"},
           {"direction": "ingress", "protocol": "tcp", "port_range": "3306/3306", "cidr": "0.0.0.0/0"},
           {"direction": "ingress", "protocol": "tcp", "port_range": "2000/2100", "cidr": "10.0.0.0/8"},
           {"direction": "ingress", "protocol": "tcp", "port_range": "2101/2200", "cidr": "10.0.0.0/8"}"#,
    ));
    let findings = lint(&topology, &Limits::default());
    let fixed: Vec<(&Fix, LintCode)> = findings
        .iter()
        .filter_map(|f| Some((f.fix.as_ref()?, f.code)))
        .collect();
    assert_eq!(fixed.len(), 3, "{}", render(&findings));
    let count =
        |findings: &[Finding], code: LintCode| findings.iter().filter(|f| f.code == code).count();
    for (fix, code) in fixed {
        let mut copy = topology.clone();
        assert_eq!(fix.apply(&mut copy), Ok(()), "{fix}");
        // The finding the fix answers is gone.
        let after = lint(&copy, &Limits::default());
        assert_eq!(
            count(&after, code) + 1,
            count(&findings, code),
            "{fix}: {}",
            render(&after)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

/// The parties of the brute-force queries: every endpoint, and ad-hoc hosts at the edges of
/// every CIDR block the rules name (plus one address past each edge).
fn parties(topology: &Topology) -> Vec<Party> {
    let mut addresses: BTreeSet<IpAddr> = BTreeSet::new();
    let mut blocks = Vec::new();
    for group in topology.groups.values() {
        for rule in &group.rules {
            match &rule.peer {
                Peer::Cidr(block) => blocks.push(*block),
                Peer::PrefixList(id) => {
                    if let Some(list) = topology.prefix_lists.get(id) {
                        blocks.extend(list.cidrs.iter().copied());
                    }
                }
                Peer::Group { .. } => {}
            }
        }
    }
    for block in blocks {
        addresses.insert(block.network());
        addresses.insert(block.broadcast());
        addresses.extend(step(block.network(), -1));
        addresses.extend(step(block.broadcast(), 1));
    }
    for endpoint in topology.endpoints.values() {
        for eni in &endpoint.enis {
            for address in &eni.private_ips {
                addresses.extend(step(*address, 1));
                addresses.extend(step(*address, -1));
            }
        }
    }
    let mut parties: Vec<Party> = topology
        .endpoints
        .keys()
        .map(|id| Party::Endpoint(id.clone()))
        .collect();
    parties.extend(addresses.into_iter().map(Party::Address));
    parties
}

fn step(address: IpAddr, by: i8) -> Option<IpAddr> {
    match address {
        IpAddr::V4(v4) => {
            let value = u32::from(v4);
            let next = if by > 0 {
                value.checked_add(1)
            } else {
                value.checked_sub(1)
            };
            next.map(|value| IpAddr::V4(value.into()))
        }
        IpAddr::V6(v6) => {
            let value = u128::from(v6);
            let next = if by > 0 {
                value.checked_add(1)
            } else {
                value.checked_sub(1)
            };
            next.map(|value| IpAddr::V6(value.into()))
        }
    }
}

/// The ports to ask about for a rule: its edges and every rule edge inside it, one either side.
fn ports_for(topology: &Topology, rule: &Rule) -> Vec<u16> {
    let range = rule.ports.as_range();
    let mut ports: BTreeSet<u16> = BTreeSet::from([range.start(), range.end()]);
    for group in topology.groups.values() {
        for other in &group.rules {
            let other = other.ports.as_range();
            for edge in [other.start(), other.end()] {
                for port in [edge.saturating_sub(1), edge, edge.saturating_add(1)] {
                    if range.contains(port) {
                        ports.insert(port);
                    }
                }
            }
        }
    }
    ports.into_iter().collect()
}

/// Whether rule `index` of `group` decides a side of some brute-force query.
fn decides_somewhere(
    topology: &Topology,
    parties: &[Party],
    group: &GroupId,
    index: usize,
    rule: &Rule,
) -> bool {
    let ports = ports_for(topology, rule);
    for protocol in PROTOCOLS {
        if rule.protocol != Protocol::All && rule.protocol != protocol {
            continue;
        }
        let queried: Vec<Option<u16>> = if protocol.has_ports() {
            ports.iter().copied().map(Some).collect()
        } else {
            vec![None]
        };
        for from in parties {
            for to in parties {
                for &port in &queried {
                    let explanation = explain(topology, from, to, protocol, port);
                    for decision in [
                        &explanation.egress.decided_by,
                        &explanation.ingress.decided_by,
                    ] {
                        if let Decision::Rule(decided) = decision {
                            if &decided.security_group == group && decided.rule_index == index {
                                return true;
                            }
                        }
                    }
                }
            }
        }
    }
    false
}

/// Every port set between endpoints, ranges only.
fn port_sets(topology: &Topology, parties: &[Party]) -> Vec<String> {
    let mut sets = Vec::new();
    for from in parties {
        for to in parties {
            for protocol in PROTOCOLS {
                let set = port_set(topology, from, to, protocol);
                sets.push(format!("{from:?} {to:?} {protocol}: {:?}", set.ranges()));
            }
        }
    }
    sets
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A rule reported shadowed never decides an engine query, and deleting a shadowed or
    /// redundant rule changes no port set.
    #[test]
    fn shadowed_rules_never_decide(seed in any::<u64>(), rules in 6usize..30) {
        let topology = generate(seed, &GenParams::small(6, 4, rules));
        let findings = lint(&topology, &Limits::default());
        let parties = parties(&topology);
        let endpoints: Vec<Party> = topology
            .endpoints
            .keys()
            .map(|id| Party::Endpoint(id.clone()))
            .collect();
        for finding in &findings {
            let (Some(group), Some(index)) = (&finding.security_group, finding.rule_index) else {
                continue;
            };
            let Some(rule) = topology.groups.get(group).and_then(|g| g.rules.get(index)) else {
                continue;
            };
            if finding.code == LintCode::ShadowedRule {
                prop_assert!(
                    !decides_somewhere(&topology, &parties, group, index, rule),
                    "{}", finding.message
                );
            }
            if matches!(finding.code, LintCode::ShadowedRule | LintCode::RedundantRule) {
                let mut without = topology.clone();
                if let Some(holder) = without.groups.get_mut(group) {
                    holder.rules.remove(index);
                }
                prop_assert_eq!(
                    port_sets(&topology, &endpoints),
                    port_sets(&without, &endpoints),
                    "{}", finding.message
                );
            }
        }
    }

    /// On plain topologies (one VPC, every instance with a public address, no intra-group
    /// access, no quintuple rules), every rule that is not reported shadowed decides some query.
    #[test]
    fn effective_rules_decide_somewhere(topology in plain_topology()) {
        let topology = parse(&topology);
        let findings = lint(&topology, &Limits::default());
        let shadowed: BTreeSet<(GroupId, usize)> = findings
            .iter()
            .filter(|f| f.code == LintCode::ShadowedRule)
            .filter_map(|f| Some((f.security_group.clone()?, f.rule_index?)))
            .collect();
        let parties = parties(&topology);
        for (group_id, group) in &topology.groups {
            let carried = topology
                .endpoints
                .values()
                .any(|e| e.enis.iter().any(|eni| eni.groups.contains(group_id)));
            if !carried {
                continue;
            }
            for (index, rule) in group.rules.iter().enumerate() {
                if shadowed.contains(&(group_id.clone(), index)) {
                    continue;
                }
                prop_assert!(
                    decides_somewhere(&topology, &parties, group_id, index, rule),
                    "rule {} of {} is not reported shadowed but decides nothing", index + 1, group_id
                );
            }
        }
    }
}

/// A small sglab file: one VPC, three basic groups with InnerAccessPolicy Drop, four instances
/// with public addresses, and up to four rules per group.
fn plain_topology() -> impl Strategy<Value = String> {
    let peers = prop::sample::select(vec![
        r#""cidr": "0.0.0.0/0""#,
        r#""cidr": "10.0.0.0/16""#,
        r#""cidr": "10.0.1.0/24""#,
        r#""cidr": "47.0.0.0/24""#,
        r#""group": "sg-0""#,
        r#""group": "sg-1""#,
        r#""group": "sg-2""#,
    ]);
    let rule = (
        prop::bool::ANY,
        prop::bool::ANY,
        1u8..4,
        prop::sample::select(vec!["tcp", "udp", "all", "icmp"]),
        30u16..60,
        0u16..8,
        peers,
    )
        .prop_map(|(ingress, accept, priority, protocol, start, length, peer)| {
            let ports = if protocol == "tcp" || protocol == "udp" {
                format!(r#", "port_range": "{start}/{}""#, start + length)
            } else {
                String::new()
            };
            format!(
                r#"{{"direction": "{}", "policy": "{}", "priority": {priority}, "protocol": "{protocol}"{ports}, {peer}}}"#,
                if ingress { "ingress" } else { "egress" },
                if accept { "accept" } else { "drop" },
            )
        });
    let group_rules = prop::collection::vec(rule, 0..5);
    let memberships = prop::collection::vec(prop::collection::btree_set(0usize..3, 1..3), 4);
    (prop::collection::vec(group_rules, 3), memberships).prop_map(|(rules, memberships)| {
        let groups: Vec<String> = rules
            .iter()
            .enumerate()
            .map(|(index, rules)| {
                // A group cannot name itself as a peer: such rules name the next group.
                let rules: Vec<String> = rules
                    .iter()
                    .map(|rule| {
                        rule.replace(
                            &format!(r#""group": "sg-{index}""#),
                            &format!(r#""group": "sg-{}""#, (index + 1) % 3),
                        )
                    })
                    .collect();
                format!(
                    r#"{{"id": "sg-{index}", "inner_access_policy": "drop", "rules": [{}]}}"#,
                    rules.join(", ")
                )
            })
            .collect();
        let endpoints: Vec<String> = memberships
            .iter()
            .enumerate()
            .map(|(index, groups)| {
                let groups: Vec<String> = groups.iter().map(|g| format!("\"sg-{g}\"")).collect();
                format!(
                    r#"{{"id": "e{index}", "kind": "ecs", "private_ip": "10.0.{index}.{}", "public_ip": "47.0.0.{}", "groups": [{}]}}"#,
                    index + 10,
                    index + 1,
                    groups.join(", ")
                )
            })
            .collect();
        format!(
            r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}], "security_groups": [{}], "endpoints": [{}]}}"#,
            groups.join(", "),
            endpoints.join(", ")
        )
    })
}
