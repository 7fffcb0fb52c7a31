//! The rest of the lint (`lint/limits.rs`, `lint/exposure.rs`, `lint/cluster.rs`,
//! `lint/mergeable.rs`, `lint/space/`): the boundaries, findings and words that the mutation
//! testing of those files showed no other lint test decided (docs/testing.md, "Mutation
//! testing").

use expect_test::{expect, Expect};
use sglab_core::lint::{lint, LintCode};
use sglab_core::load::parse_sglab;
use sglab_core::model::{GroupId, GroupType, Topology};
use sglab_core::validate::Limits;

fn load(text: &str) -> Topology {
    parse_sglab(text, None).expect("a valid topology").topology
}

/// `topology` with the groups `ids` made enterprise groups after validation (which refuses
/// what the lint reports here too, as a topology edited in the app may hold it).
fn enterprise(mut topology: Topology, ids: &[&str]) -> Topology {
    for id in ids {
        if let Some(group) = topology.groups.get_mut(&GroupId::from(*id)) {
            group.group_type = GroupType::Enterprise;
        }
    }
    topology
}

/// Every finding of `text` under `limits` whose code is one of `codes`: where, severity, code,
/// words and one-click fix.
fn check(text: &str, limits: &Limits, codes: &[LintCode], expect: Expect) {
    check_topology(&load(text), limits, codes, expect);
}

fn check_topology(topology: &Topology, limits: &Limits, codes: &[LintCode], expect: Expect) {
    let mut out = String::new();
    for finding in lint(topology, limits) {
        if !codes.contains(&finding.code) {
            continue;
        }
        let group = finding
            .security_group
            .as_ref()
            .map_or("-", |group| group.as_str());
        let endpoint = finding
            .endpoint
            .as_ref()
            .map_or("-", |endpoint| endpoint.as_str());
        let rule = finding
            .rule_index
            .map_or("-".to_owned(), |index| (index + 1).to_string());
        out.push_str(&format!(
            "{group} rule {rule} endpoint {endpoint}: {}[{}] {}\n  fix: {}\n",
            finding.severity, finding.code, finding.message, finding.fix_text
        ));
        if let Some(fix) = &finding.fix {
            out.push_str(&format!("  one-click: {fix}\n"));
        }
    }
    expect.assert_eq(&out);
}

/// `count` ingress rules on TCP ports 1001, 1003, ... from `peer` (a JSON field and value).
fn rules(count: usize, peer: &str) -> String {
    (0..count)
        .map(|step| {
            let port = 1001 + 2 * step;
            format!(
                r#"{{"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "{port}/{port}", {peer}}}"#
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn small_limits() -> Limits {
    Limits {
        groups_per_eni: 2,
        rules_per_eni: 4,
        rules_per_group: 2,
        group_references_per_group: 2,
        groups_per_trunk_pod: 1,
    }
}

#[test]
fn a_group_over_its_rule_limit_is_reported_and_one_at_it_is_not() {
    let text = format!(
        r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}],
        "security_groups": [
          {{"id": "sg-one", "rules": [{}]}}, {{"id": "sg-two", "rules": [{}]}},
          {{"id": "sg-three", "rules": [{}]}}, {{"id": "sg-four", "rules": [{}]}}],
        "endpoints": [
          {{"id": "a", "kind": "ecs", "private_ip": "10.0.1.1", "groups": ["sg-one"]}},
          {{"id": "b", "kind": "ecs", "private_ip": "10.0.1.2", "groups": ["sg-two"]}},
          {{"id": "c", "kind": "ecs", "private_ip": "10.0.1.3", "groups": ["sg-three"]}},
          {{"id": "d", "kind": "ecs", "private_ip": "10.0.1.4", "groups": ["sg-four"]}}]}}"#,
        rules(1, r#""cidr": "10.0.0.0/8""#),
        rules(2, r#""cidr": "10.0.0.0/8""#),
        rules(3, r#""cidr": "10.0.0.0/8""#),
        rules(4, r#""cidr": "10.0.0.0/8""#),
    );
    check(
        &text,
        &small_limits(),
        &[LintCode::TooManyRules],
        expect![[r#"
            sg-four rule - endpoint -: warning[too-many-rules] security group sg-four holds 4 rules, more than the limit of 2 per group: the cloud refuses the extra rules (AuthorizationLimitExceed)
              fix: merge or delete rules (see the other findings), or split sg-four into several groups
            sg-three rule - endpoint -: warning[too-many-rules] security group sg-three holds 3 rules, more than the limit of 2 per group: the cloud refuses the extra rules (AuthorizationLimitExceed)
              fix: merge or delete rules (see the other findings), or split sg-three into several groups
        "#]],
    );
}

#[test]
fn group_references_count_against_basic_groups_only_past_the_limit() {
    let text = format!(
        r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}],
        "security_groups": [
          {{"id": "sg-at", "rules": [{}]}}, {{"id": "sg-over", "rules": [{}, {}]}},
          {{"id": "sg-far", "rules": [{}]}},
          {{"id": "sg-ent", "rules": [{}]}}, {{"id": "sg-peer"}}],
        "endpoints": [
          {{"id": "a", "kind": "ecs", "private_ip": "10.0.1.1", "groups": ["sg-at", "sg-over"]}},
          {{"id": "b", "kind": "ecs", "private_ip": "10.0.1.2", "groups": ["sg-far"]}},
          {{"id": "c", "kind": "ecs", "private_ip": "10.0.1.3", "groups": ["sg-ent"]}},
          {{"id": "d", "kind": "ecs", "private_ip": "10.0.1.4", "groups": ["sg-peer"]}}]}}"#,
        rules(2, r#""group": "sg-peer""#),
        rules(3, r#""group": "sg-peer""#),
        r#"{"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "9/9", "cidr": "10.0.0.0/8"}"#,
        rules(5, r#""group": "sg-peer""#),
        rules(4, r#""group": "sg-peer""#),
    );
    check_topology(
        &enterprise(load(&text), &["sg-ent"]),
        &Limits {
            rules_per_group: 100,
            rules_per_eni: 100,
            ..small_limits()
        },
        &[LintCode::TooManyGroupReferences],
        expect![[r#"
            sg-far rule - endpoint -: warning[too-many-group-references] security group sg-far holds 5 rules that reference a group, more than the limit of 2 per basic group (AuthorizationLimitExceed)
              fix: reference fewer groups: put the peers in one group, or use their CIDR blocks or a prefix list
            sg-over rule - endpoint -: warning[too-many-group-references] security group sg-over holds 3 rules that reference a group, more than the limit of 2 per basic group (AuthorizationLimitExceed)
              fix: reference fewer groups: put the peers in one group, or use their CIDR blocks or a prefix list
        "#]],
    );
}

#[test]
fn an_unattached_group_is_reported_and_an_attached_one_is_not() {
    let text = r#"{"sglab": 1, "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
        "security_groups": [{"id": "sg-used"}, {"id": "sg-lonely"}],
        "endpoints": [{"id": "a", "kind": "ecs", "private_ip": "10.0.1.1", "groups": ["sg-used"]}]}"#;
    check(
        text,
        &Limits::default(),
        &[LintCode::UnattachedGroup],
        expect![[r#"
            sg-lonely rule - endpoint -: info[unattached-group] security group sg-lonely is attached to no ENI, pod or gateway: its rules protect nothing
              fix: attach sg-lonely to the instances it should protect, or delete it
        "#]],
    );
}

/// An instance with one ENI in `one` groups, an instance with two ENIs (the second in `two`
/// groups), and a Terway trunk pod in `pod` groups, each group holding one rule.
fn enis(one: usize, two: usize, pod: usize) -> String {
    let names = |prefix: &str, count: usize| -> Vec<String> {
        (0..count).map(|n| format!("\"sg-{prefix}{n}\"")).collect()
    };
    let all: Vec<String> = names("a", one)
        .into_iter()
        .chain(names("b", two))
        .chain(names("p", pod))
        .collect();
    let groups: Vec<String> = all
        .iter()
        .map(|name| {
            format!(
                r#"{{"id": {name}, "rules": [{{"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "22/22", "cidr": "10.0.0.0/8"}}]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}],
        "security_groups": [{}],
        "clusters": [{{"id": "k", "network_mode": "terway_trunk"}}],
        "endpoints": [
          {{"id": "one", "kind": "ecs", "enis": [{{"private_ips": ["10.0.1.1"], "groups": [{}]}}]}},
          {{"id": "two", "kind": "ecs", "enis": [
            {{"private_ips": ["10.0.1.2"], "groups": ["sg-a0"]}},
            {{"private_ips": ["10.0.1.3"], "groups": [{}]}}]}},
          {{"id": "pod", "kind": "pod", "cluster": "k", "node": "one", "private_ip": "10.0.2.1", "groups": [{}]}}]}}"#,
        groups.join(", "),
        names("a", one).join(", "),
        names("b", two).join(", "),
        names("p", pod).join(", "),
    )
}

#[test]
fn groups_per_eni_and_per_trunk_pod_are_counted_past_their_limits() {
    let limits = Limits {
        rules_per_group: 100,
        rules_per_eni: 100,
        ..small_limits()
    };
    check(
        &enis(2, 3, 2),
        &limits,
        &[LintCode::TooManyGroupsPerEni],
        expect![[r#"
            - rule - endpoint pod: error[too-many-groups-per-eni] the ENI of pod is in 2 groups, more than the limit of 1 per Terway trunk pod
              fix: merge the groups' rules into fewer groups
            - rule - endpoint two: error[too-many-groups-per-eni] ENI 2 of two is in 3 groups, more than the limit of 2 per ENI
              fix: merge the groups' rules into fewer groups
        "#]],
    );
    // At the limits (and a pod under the ENI's limit but over its own), one ENI over.
    check(
        &enis(2, 2, 1),
        &limits,
        &[LintCode::TooManyGroupsPerEni],
        expect![[r#""#]],
    );
    check(
        &enis(1, 4, 2),
        &limits,
        &[LintCode::TooManyGroupsPerEni],
        expect![[r#"
            - rule - endpoint pod: error[too-many-groups-per-eni] the ENI of pod is in 2 groups, more than the limit of 1 per Terway trunk pod
              fix: merge the groups' rules into fewer groups
            - rule - endpoint two: error[too-many-groups-per-eni] ENI 2 of two is in 4 groups, more than the limit of 2 per ENI
              fix: merge the groups' rules into fewer groups
        "#]],
    );
}

#[test]
fn the_rules_of_an_eni_s_groups_are_counted_together_past_the_limit() {
    let limits = Limits {
        groups_per_eni: 10,
        groups_per_trunk_pod: 10,
        rules_per_eni: 2,
        ..Limits::default()
    };
    // `one` holds 2 rules (at the limit), the second ENI of `two` 3, the first ENI of `two` 1.
    check(
        &enis(2, 3, 1),
        &limits,
        &[LintCode::TooManyRules],
        expect![[r#"
            - rule - endpoint two: warning[too-many-rules] the groups of ENI 2 of two hold 3 rules together, more than the limit of 2 per ENI (AuthorizationLimitExceed)
              fix: merge or delete rules, or move the ENI to fewer groups
        "#]],
    );
    check(
        &enis(4, 1, 1),
        &limits,
        &[LintCode::TooManyRules],
        expect![[r#"
            - rule - endpoint one: warning[too-many-rules] the groups of the ENI of one hold 4 rules together, more than the limit of 2 per ENI (AuthorizationLimitExceed)
              fix: merge or delete rules, or move the ENI to fewer groups
        "#]],
    );
}

#[test]
fn basic_and_enterprise_groups_on_one_eni_are_named_by_their_type() {
    let text = r#"{"sglab": 1, "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
        "security_groups": [{"id": "sg-basic"}, {"id": "sg-basic2"}, {"id": "sg-ent"}, {"id": "sg-ent2"}],
        "endpoints": [
          {"id": "mixed", "kind": "ecs", "private_ip": "10.0.1.1", "groups": ["sg-ent", "sg-basic"]},
          {"id": "basic", "kind": "ecs", "private_ip": "10.0.1.2", "groups": ["sg-basic", "sg-basic2"]},
          {"id": "ent", "kind": "ecs", "private_ip": "10.0.1.3", "groups": ["sg-ent", "sg-ent2"]}]}"#;
    check_topology(
        &enterprise(load(text), &["sg-ent", "sg-ent2"]),
        &Limits::default(),
        &[LintCode::MixedGroupTypes],
        expect![[r#"
            - rule - endpoint mixed: error[mixed-group-types] the ENI of mixed mixes basic group sg-basic and enterprise group sg-ent: an ENI's groups must all be of one type, and sglab applies the stricter enterprise defaults
              fix: keep the ENI in groups of one type
        "#]],
    );
}

const EXPOSURE: [LintCode; 3] = [
    LintCode::AllPortsOpen,
    LintCode::RiskyPortExposed,
    LintCode::OpenInternalRule,
];

/// `web` in `sg-web` with `rules` (and the group's `extra` fields), in a VPC of 10.0.0.0/16,
/// and `sg-lonely`, attached to nothing, with `lonely`.
fn web(extra: &str, rules: &str, lonely: &str) -> String {
    format!(
        r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}],
        "security_groups": [{{"id": "sg-web"{extra}, "rules": [{rules}]}}, {{"id": "sg-lonely", "rules": [{lonely}]}}],
        "endpoints": [{{"id": "web", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-web"]}}]}}"#
    )
}

#[test]
fn every_port_open_to_a_broad_block_is_reported_down_to_slash_8_and_slash_32() {
    check(
        &web(
            "",
            r#"{"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "1/65535", "cidr": "12.0.0.0/8"},
               {"direction": "ingress", "priority": 1, "protocol": "udp", "port_range": "1/65535", "cidr": "13.0.0.0/9"},
               {"direction": "ingress", "priority": 1, "protocol": "all", "cidr": "fd00::/32"},
               {"direction": "ingress", "priority": 1, "protocol": "all", "cidr": "fe00::/33"},
               {"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "8080/8080", "cidr": "14.0.0.0/8"},
               {"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "1/65535", "cidr": "::/0"}"#,
            "",
        ),
        &Limits::default(),
        &EXPOSURE,
        expect![[r#"
            sg-web rule 1 endpoint -: warning[all-ports-open] rule 1 of sg-web (priority 1, accept tcp 1/65535 from 12.0.0.0/8) accepts every port from the broad block 12.0.0.0/8
              fix: allow only the ports the service needs, from the addresses that need them: a group, an office CIDR or the VPC CIDR 10.0.0.0/16
              one-click: change rule 1 of sg-web to: ingress accept priority 1 tcp 1/65535 from 10.0.0.0/16
            sg-web rule 3 endpoint -: warning[all-ports-open] rule 3 of sg-web (priority 1, accept all -1/-1 from fd00::/32) accepts every port from the broad block fd00::/32
              fix: allow only the ports the service needs, from the addresses that need them: a group, an office CIDR or the VPC CIDR
            sg-web rule 6 endpoint -: error[all-ports-open] rule 6 of sg-web (priority 1, accept tcp 1/65535 from ::/0) accepts every port from ::/0, that is every address
              fix: allow only the ports the service needs, from the addresses that need them: a group, an office CIDR or the VPC CIDR
        "#]],
    );
}

#[test]
fn a_rule_without_ports_open_to_everyone_and_an_egress_rule_expose_nothing() {
    check(
        &web(
            r#", "type": "enterprise""#,
            r#"{"direction": "ingress", "priority": 1, "protocol": "icmp", "cidr": "0.0.0.0/0"},
               {"direction": "ingress", "priority": 1, "protocol": "gre", "cidr": "0.0.0.0/0"},
               {"direction": "egress", "priority": 1, "protocol": "tcp", "port_range": "22/22", "cidr": "0.0.0.0/0"},
               {"direction": "egress", "priority": 1, "protocol": "all", "cidr": "0.0.0.0/0"}"#,
            // Judged on their whole range, as no class carries their group.
            r#"{"direction": "ingress", "priority": 1, "protocol": "icmp", "cidr": "0.0.0.0/0"},
               {"direction": "ingress", "priority": 1, "protocol": "gre", "cidr": "0.0.0.0/0"}"#,
        ),
        &Limits::default(),
        &EXPOSURE,
        expect![[r#""#]],
    );
}

#[test]
fn a_drop_from_everyone_exposes_nothing() {
    check(
        &web(
            "",
            r#"{"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "tcp", "port_range": "22/22", "cidr": "0.0.0.0/0"},
               {"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "1/1024", "cidr": "10.0.0.0/8"}"#,
            "",
        ),
        &Limits::default(),
        &EXPOSURE,
        expect![[r#""#]],
    );
}

#[test]
fn only_the_risky_ports_a_rule_decides_are_named() {
    check(
        &web(
            "",
            r#"{"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "tcp", "port_range": "22/22", "cidr": "0.0.0.0/0"},
               {"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "20/23", "cidr": "0.0.0.0/0"}"#,
            "",
        ),
        &Limits::default(),
        &EXPOSURE,
        expect![[r#"
            sg-web rule 2 endpoint -: error[risky-port-exposed] rule 2 of sg-web (priority 2, accept tcp 20/23 from 0.0.0.0/0) exposes 21 (FTP), 23 (Telnet) to the internet (0.0.0.0/0)
              fix: accept these ports only from the addresses that need them: a bastion's group, an office CIDR or the VPC CIDR 10.0.0.0/16
              one-click: change rule 2 of sg-web to: ingress accept priority 2 tcp 20/23 from 10.0.0.0/16
        "#]],
    );
}

#[test]
fn a_rule_of_an_unattached_group_is_judged_on_its_whole_range() {
    check(
        &web(
            "",
            "",
            r#"{"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "22/22", "cidr": "0.0.0.0/0"},
               {"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "8080/8080", "cidr": "0.0.0.0/0"}"#,
        ),
        &Limits::default(),
        &EXPOSURE,
        expect![[r#"
            sg-lonely rule 1 endpoint -: error[risky-port-exposed] rule 1 of sg-lonely (priority 1, accept tcp 22/22 from 0.0.0.0/0) exposes 22 (SSH) to the internet (0.0.0.0/0)
              fix: accept these ports only from the addresses that need them: a bastion's group, an office CIDR or the VPC CIDR 10.0.0.0/16
              one-click: change rule 1 of sg-lonely to: ingress accept priority 1 tcp 22/22 from 10.0.0.0/16
            sg-lonely rule 2 endpoint -: warning[open-internal-rule] rule 2 of sg-lonely (priority 1, accept tcp 8080/8080 from 0.0.0.0/0) opens tcp 8080/8080 to every address (0.0.0.0/0): only web ports (80, 443) are meant for everyone, internal ports should accept a group or known CIDRs
              fix: narrow the peer to the addresses that need the port: a group or the VPC CIDR 10.0.0.0/16
              one-click: change rule 2 of sg-lonely to: ingress accept priority 1 tcp 8080/8080 from 10.0.0.0/16
        "#]],
    );
}

#[test]
fn a_rule_that_decides_only_web_ports_for_everyone_is_not_internal() {
    check(
        &web(
            "",
            r#"{"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "tcp", "port_range": "81/442", "cidr": "0.0.0.0/0"},
               {"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "80/443", "cidr": "0.0.0.0/0"},
               {"direction": "ingress", "priority": 2, "protocol": "udp", "port_range": "80/81", "cidr": "0.0.0.0/0"}"#,
            "",
        ),
        &Limits::default(),
        &EXPOSURE,
        expect![[r#"
            sg-web rule 3 endpoint -: warning[open-internal-rule] rule 3 of sg-web (priority 2, accept udp 80/81 from 0.0.0.0/0) opens udp 80/81 to every address (0.0.0.0/0): only web ports (80, 443) are meant for everyone, internal ports should accept a group or known CIDRs
              fix: narrow the peer to the addresses that need the port: a group or the VPC CIDR 10.0.0.0/16
              one-click: change rule 3 of sg-web to: ingress accept priority 2 udp 80/81 from 10.0.0.0/16
        "#]],
    );
}

const CLUSTER: [LintCode; 3] = [
    LintCode::AckSshBlocked,
    LintCode::AckIcmpMissing,
    LintCode::FlannelPodCidrMissing,
];

/// A Flannel cluster (pod CIDR 172.20.0.0/16) in a VPC of 10.0.0.0/16 whose nodes are `n1` in
/// `sg-a`, `n2` in `sg-b` then `sg-c`, and `n3` in `sg-d`, each running a pod; `groups` are the
/// groups' JSON.
fn cluster(groups: &str) -> String {
    format!(
        r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}],
        "security_groups": [{groups}],
        "clusters": [{{"id": "k", "network_mode": "flannel", "pod_cidr": "172.20.0.0/16"}}],
        "endpoints": [
          {{"id": "n1", "kind": "ecs", "private_ip": "10.0.1.1", "groups": ["sg-a"]}},
          {{"id": "n2", "kind": "ecs", "private_ip": "10.0.1.2", "groups": ["sg-b", "sg-c"]}},
          {{"id": "n3", "kind": "ecs", "private_ip": "10.0.1.3", "groups": ["sg-d"]}},
          {{"id": "p1", "kind": "pod", "cluster": "k", "node": "n1", "pod_ip": "172.20.1.5"}},
          {{"id": "p2", "kind": "pod", "cluster": "k", "node": "n2", "pod_ip": "172.20.2.5"}},
          {{"id": "p3", "kind": "pod", "cluster": "k", "node": "n3", "pod_ip": "172.20.3.5"}}]}}"#
    )
}

#[test]
fn a_node_group_s_blocking_rule_is_named_in_its_own_group_only() {
    let text = cluster(
        r#"{"id": "sg-a", "rules": [
             {"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "tcp", "port_range": "22/22", "cidr": "10.0.5.0/24"},
             {"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "22/22", "cidr": "10.0.0.0/16"},
             {"direction": "ingress", "priority": 1, "protocol": "icmp", "cidr": "10.0.0.0/16", "local_cidr": "10.0.1.0/24"},
             {"direction": "ingress", "priority": 1, "protocol": "all", "cidr": "172.20.0.0/16"}]},
           {"id": "sg-b", "rules": [
             {"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "22/22", "cidr": "10.0.0.0/8"}]},
           {"id": "sg-c", "rules": [
             {"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "icmp", "cidr": "10.0.0.0/16"},
             {"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "all", "cidr": "172.20.3.0/24"},
             {"direction": "ingress", "priority": 2, "protocol": "all", "cidr": "0.0.0.0/0"}]},
           {"id": "sg-d", "rules": [
             {"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "22/22", "cidr": "10.0.0.0/16", "source_port_range": "1024/65535"},
             {"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "icmp", "cidr": "10.0.0.0/8"},
             {"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "all", "cidr": "172.16.0.0/12"}]}"#,
    );
    check(
        &text,
        &Limits::default(),
        &CLUSTER,
        expect![[r#"
        sg-a rule - endpoint n1: info[ack-icmp-missing] node n1 of cluster k: no rule of its groups accepts ICMP from the VPC 10.0.0.0/16; Container Service keeps ICMP open for node-to-node troubleshooting
          fix: add to sg-a: ingress accept priority 1 icmp -1/-1 from 10.0.0.0/16
          one-click: add to sg-a: ingress accept priority 1 icmp -1/-1 from 10.0.0.0/16
        sg-a rule 1 endpoint n1: warning[ack-ssh-blocked] node n1 of cluster k: rule 1 of sg-a (priority 1, drop tcp 22/22 from 10.0.5.0/24) drops TCP 22 from the VPC 10.0.0.0/16, which Container Service needs to initialise nodes
          fix: narrow or delete rule 1 of sg-a so that TCP 22 from 10.0.0.0/16 reaches the nodes
        sg-b rule - endpoint n2: info[ack-icmp-missing] node n2 of cluster k: rule 1 of sg-c (priority 1, drop icmp -1/-1 from 10.0.0.0/16) drops ICMP from the VPC 10.0.0.0/16; Container Service keeps ICMP open for node-to-node troubleshooting
          fix: add to sg-b: ingress accept priority 1 icmp -1/-1 from 10.0.0.0/16
        sg-b rule - endpoint n2: warning[flannel-pod-cidr-missing] node n2 of Flannel cluster k: rule 2 of sg-c (priority 1, drop all -1/-1 from 172.20.3.0/24) drops traffic from the pod CIDR 172.20.0.0/16; pods on different nodes cannot reach each other, because the node's groups filter pod traffic
          fix: add to sg-b: ingress accept priority 1 all -1/-1 from 172.20.0.0/16
        sg-d rule - endpoint n3: warning[ack-ssh-blocked] node n3 of cluster k: no rule of its groups accepts TCP 22 from the VPC 10.0.0.0/16, which Container Service needs to initialise nodes
          fix: add to sg-d: ingress accept priority 1 tcp 22/22 from 10.0.0.0/16
          one-click: add to sg-d: ingress accept priority 1 tcp 22/22 from 10.0.0.0/16
        sg-d rule 2 endpoint n3: info[ack-icmp-missing] node n3 of cluster k: rule 2 of sg-d (priority 1, drop icmp -1/-1 from 10.0.0.0/8) drops ICMP from the VPC 10.0.0.0/16; Container Service keeps ICMP open for node-to-node troubleshooting
          fix: add to sg-d: ingress accept priority 1 icmp -1/-1 from 10.0.0.0/16
        sg-d rule 3 endpoint n3: warning[flannel-pod-cidr-missing] node n3 of Flannel cluster k: rule 3 of sg-d (priority 1, drop all -1/-1 from 172.16.0.0/12) drops traffic from the pod CIDR 172.20.0.0/16; pods on different nodes cannot reach each other, because the node's groups filter pod traffic
          fix: add to sg-d: ingress accept priority 1 all -1/-1 from 172.20.0.0/16
    "#]],
    );
}

#[test]
fn rules_that_differ_in_their_ids_descriptions_and_touching_ports_merge_and_apart_do_not() {
    check(
        &web(
            "",
            r#"{"id": "sgr-3", "direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "8095/8120", "cidr": "10.0.0.0/16", "description": "metrics"},
               {"id": "sgr-1", "direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "8080/8089", "cidr": "10.0.0.0/16", "description": "app"},
               {"id": "sgr-2", "direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "8090/8099", "cidr": "10.0.0.0/16"},
               {"id": "sgr-4", "direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "9000/9000", "cidr": "10.0.0.0/16"},
               {"id": "sgr-5", "direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "9002/9002", "cidr": "10.0.0.0/16"},
               {"id": "sgr-6", "direction": "ingress", "priority": 1, "protocol": "icmp", "cidr": "10.0.0.0/16", "description": "ping"},
               {"id": "sgr-7", "direction": "ingress", "priority": 1, "protocol": "icmp", "cidr": "10.0.0.0/16"}"#,
            "",
        ),
        &Limits::default(),
        &[LintCode::MergeableRules, LintCode::ShadowedRule],
        expect![[r#"
            sg-web rule 1 endpoint -: info[mergeable-rules] rule 1 (sgr-3) of sg-web (priority 1, accept tcp 8095/8120 from 10.0.0.0/16) and rule 2 (sgr-1) of sg-web (priority 1, accept tcp 8080/8089 from 10.0.0.0/16) and rule 3 (sgr-2) of sg-web (priority 1, accept tcp 8090/8099 from 10.0.0.0/16) differ only in port ranges that touch or overlap: one rule for 8080/8120 does the same
              fix: change rule 1 of sg-web to ports 8080/8120, then delete rule 2 of sg-web, rule 3 of sg-web
              one-click: change rule 1 of sg-web to: ingress accept priority 1 tcp 8080/8120 from 10.0.0.0/16
            sg-web rule 7 endpoint -: warning[shadowed-rule] rule 7 (sgr-7) of sg-web (priority 1, accept icmp -1/-1 from 10.0.0.0/16) never decides anything: rule 6 (sgr-6) of sg-web (priority 1, accept icmp -1/-1 from 10.0.0.0/16) decides every packet it matches first
              fix: delete rule 7 of sg-web: it changes no verdict
              one-click: delete rule 7 of sg-web
        "#]],
    );
}
