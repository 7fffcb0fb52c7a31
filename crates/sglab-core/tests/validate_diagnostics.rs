//! Validation diagnostics, one case per problem, in the vendor's terms.
//!
//! Each case is a small sglab file; the expected output lists every diagnostic as displayed.
//! Refresh with `UPDATE_EXPECT=1 cargo test -p sglab-core --test validate_diagnostics`.

use expect_test::{expect, Expect};
use sglab_core::load::{parse_sglab, parse_sglab_with_options, ParseOptions};
use sglab_core::validate::Limits;

/// A file with VPCs `vpc-a` and `vpc-b`, basic groups `sg-a`, `sg-b` (vpc-a), `sg-other`
/// (vpc-b), enterprise group `sg-ent` (vpc-a), and the extra groups, endpoints and top-level
/// fields given.
fn file(groups: &str, endpoints: &str, extra: &str) -> String {
    format!(
        r#"{{"sglab": 1,
  "vpcs": [{{"id": "vpc-a", "cidr": "10.0.0.0/16"}}, {{"id": "vpc-b"}}],
  "security_groups": [
    {{"id": "sg-a", "vpc": "vpc-a"}},
    {{"id": "sg-b", "vpc": "vpc-a"}},
    {{"id": "sg-other", "vpc": "vpc-b"}},
    {{"id": "sg-ent", "vpc": "vpc-a", "type": "enterprise"}}{groups}
  ],
  "endpoints": [{endpoints}]{extra}}}"#
    )
}

/// A file whose group `sg-test` (basic, vpc-a) holds one rule.
fn rule(rule: &str) -> String {
    file(
        &format!(r#", {{"id": "sg-test", "vpc": "vpc-a", "rules": [{rule}]}}"#),
        "",
        "",
    )
}

fn render(text: &str) -> String {
    match parse_sglab(text, Some("t.json")) {
        Ok(parsed) => {
            let mut out = String::from("ok\n");
            for warning in &parsed.warnings {
                out.push_str(&format!("{}: {warning}\n", warning.severity));
            }
            out
        }
        Err(diagnostics) => diagnostics
            .iter()
            .map(|diagnostic| format!("{}: {diagnostic}\n", diagnostic.severity))
            .collect(),
    }
}

fn check(text: &str, expect: Expect) {
    expect.assert_eq(&render(text));
}

#[test]
fn valid_base_file() {
    check(
        &file("", "", ""),
        expect![[r#"
        ok
    "#]],
    );
}

#[test]
fn reversed_port_range() {
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "200/1", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field port_range: port range 200/1 is reversed: the start port must not exceed the end port (InvalidParam.PortRange)
        "#]],
    );
}

#[test]
fn single_port_as_string_and_number_is_its_own_range() {
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "22", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            ok
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": 22, "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            ok
        "#]],
    );
}

#[test]
fn port_zero_and_too_large() {
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "udp", "port_range": "0/53", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field port_range: port 0 is not a valid port: use 1 to 65535 (InvalidParam.PortRange)
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "udp", "port_range": "53/70000", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field port_range: port 70000 is out of range: use 1 to 65535 (InvalidParam.PortRange)
        "#]],
    );
}

#[test]
fn tcp_with_all_ports_and_missing_ports() {
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "TCP", "port_range": "-1/-1", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field port_range: protocol tcp needs a port range such as 1/65535; -1/-1 is only for icmp, icmpv6, gre and all (OperationDenied)
        "#]],
    );
    check(
        &rule(r#"{"direction": "ingress", "protocol": "udp", "cidr": "0.0.0.0/0"}"#),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field port_range: protocol udp needs a port range such as 1/65535; -1/-1 is only for icmp, icmpv6, gre and all (OperationDenied)
        "#]],
    );
}

#[test]
fn icmp_gre_all_need_all_ports() {
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "icmp", "port_range": "1/65535", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field port_range: protocol icmp takes no ports: write -1/-1 instead of 1/65535 (OperationDenied)
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "egress", "protocol": "ALL", "port_range": "80/80", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field port_range: protocol all takes no ports: write -1/-1 instead of 80/80 (OperationDenied)
        "#]],
    );
    // Left out, the port range of a protocol without ports is -1/-1.
    check(
        &rule(r#"{"direction": "ingress", "protocol": "gre", "cidr": "10.0.0.0/8"}"#),
        expect![[r#"
            ok
        "#]],
    );
}

#[test]
fn icmp_family_mismatch() {
    check(
        &rule(r#"{"direction": "ingress", "protocol": "icmp", "ipv6_cidr": "2001:db8::/32"}"#),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field ipv6_cidr: protocol icmp does not match the IPv6 peer 2001:db8::/32: use icmpv6 (OperationDenied)
        "#]],
    );
    check(
        &rule(r#"{"direction": "ingress", "protocol": "icmpv6", "cidr": "10.0.0.0/8"}"#),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field cidr: protocol icmpv6 does not match the IPv4 peer 10.0.0.0/8: use icmp (OperationDenied)
        "#]],
    );
}

#[test]
fn priorities() {
    check(
        &rule(
            r#"{"direction": "ingress", "priority": 0, "protocol": "tcp", "port_range": "80/80", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field priority: priority 0 is out of range: use 1 (highest) to 100 (InvalidPriority.ValueNotSupported)
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "ingress", "priority": "101", "protocol": "tcp", "port_range": "80/80", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field priority: priority 101 is out of range: use 1 (highest) to 100 (InvalidPriority.ValueNotSupported)
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "ingress", "priority": "110", "protocol": "tcp", "port_range": "80/80", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            ok
            warning: t.json: security group sg-test, rule 1, field priority: legacy priority 110, ordered after 100: set a priority from 1 to 100
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "ingress", "priority": "high", "protocol": "tcp", "port_range": "80/80", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field priority: priority "high" is not a number: use 1 (highest) to 100 (InvalidPriority.ValueNotSupported)
        "#]],
    );
}

#[test]
fn case_insensitive_words() {
    check(
        &rule(
            r#"{"direction": "Ingress", "policy": "Accept", "protocol": "Tcp", "port_range": "80/80", "cidr": "0.0.0.0/0", "nic_type": "Intranet"}"#,
        ),
        expect![[r#"
            ok
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "sideways", "policy": "maybe", "protocol": "tpc", "port_range": "80/80", "cidr": "0.0.0.0/0"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field direction: direction "sideways" is unknown: use ingress or egress
            error: t.json: security group sg-test, rule 1, field policy: policy "maybe" is unknown: use accept or drop
            error: t.json: security group sg-test, rule 1, field protocol: protocol "tpc" is unknown: use tcp, udp, icmp, icmpv6, gre or all
        "#]],
    );
}

#[test]
fn cidrs() {
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.0.0/33"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field cidr: CIDR block "10.0.0.0/33" is malformed: the prefix length /33 is too long for IPv4: use /0 to /32
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.0.1/8"}"#,
        ),
        expect![[r#"
            ok
            warning: t.json: security group sg-test, rule 1, field cidr: CIDR block 10.0.0.1/8 has host bits set: read as 10.0.0.0/8
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.0.300"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field cidr: CIDR block "10.0.0.300" is malformed: write a block such as 10.0.0.0/8 or an address such as 10.0.0.1
        "#]],
    );
}

#[test]
fn peers() {
    check(
        &rule(r#"{"direction": "ingress", "protocol": "tcp", "port_range": "80/80"}"#),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field cidr: the rule has no peer: give one of cidr, ipv6_cidr, group or prefix_list
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.0.0/8", "group": "sg-a"}"#,
        ),
        expect![[r#"
            ok
            warning: t.json: security group sg-test, rule 1, field group: both cidr 10.0.0.0/8 and group sg-a are given: the CIDR block wins and the group is ignored, as the API does
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.0.0/8", "ipv6_cidr": "::/0"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field ipv6_cidr: both cidr and ipv6_cidr are given: a rule has one peer, write a second rule for the other family
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "prefix_list": "pl-nope"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field prefix_list: prefix list pl-nope does not exist (InvalidPrefixListId.NotFound)
        "#]],
    );
}

#[test]
fn group_references() {
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "group": "sg-nope"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field group: security group sg-nope does not exist (InvalidSecurityGroupId.NotFound)
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "group": "sg-other"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field group: security group sg-other is in VPC vpc-b, not in VPC vpc-a: group references only work inside one VPC (InvalidSourceGroupId.Mismatch)
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "group": "sg-test"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field group: security group sg-test cannot name itself as peer: intra-group traffic is governed by inner_access_policy (InvalidParamter.Conflict)
        "#]],
    );
    check(
        &rule(
            r#"{"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "group": "sg-ent"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field group: security group sg-ent is an enterprise group and cannot be referenced by a rule: use a CIDR block or a prefix list (OperationDenied)
        "#]],
    );
    check(
        &file(
            r#", {"id": "sg-ent2", "vpc": "vpc-a", "type": "enterprise", "rules": [
                {"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "group": "sg-a"}]}"#,
            "",
            "",
        ),
        expect![[r#"
            error: t.json: security group sg-ent2, rule 1, field group: security group sg-ent2 is an enterprise group and cannot reference another group: use a CIDR block or a prefix list (OperationDenied)
        "#]],
    );
}

#[test]
fn every_problem_is_reported_not_only_the_first() {
    check(
        &rule(
            r#"{"direction": "ingress", "priority": 0, "protocol": "tcp", "port_range": "200/1", "cidr": "10.0.0.0/33"},
               {"direction": "egress", "protocol": "icmp", "port_range": "22", "group": "sg-nope"}"#,
        ),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field priority: priority 0 is out of range: use 1 (highest) to 100 (InvalidPriority.ValueNotSupported)
            error: t.json: security group sg-test, rule 1, field port_range: port range 200/1 is reversed: the start port must not exceed the end port (InvalidParam.PortRange)
            error: t.json: security group sg-test, rule 1, field cidr: CIDR block "10.0.0.0/33" is malformed: the prefix length /33 is too long for IPv4: use /0 to /32
            error: t.json: security group sg-test, rule 2, field port_range: protocol icmp takes no ports: write -1/-1 instead of 22 (OperationDenied)
            error: t.json: security group sg-test, rule 2, field group: security group sg-nope does not exist (InvalidSecurityGroupId.NotFound)
        "#]],
    );
}

#[test]
fn description_too_long() {
    let long = "x".repeat(513);
    check(
        &rule(&format!(
            r#"{{"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "0.0.0.0/0", "description": "{long}"}}"#
        )),
        expect![[r#"
            error: t.json: security group sg-test, rule 1, field description: description is 513 characters long: at most 512 are allowed (InvalidDescription.Malformed)
        "#]],
    );
}

#[test]
fn duplicate_ids_and_unknown_vpc() {
    check(
        &file(
            r#", {"id": "sg-a", "vpc": "vpc-a"}, {"id": "sg-x", "vpc": "vpc-zzz"}"#,
            "",
            "",
        ),
        expect![[r#"
            error: t.json: security group sg-a, field id: security group id sg-a is used twice: ids must be unique
            error: t.json: security group sg-x, field vpc: VPC "vpc-zzz" does not exist: add it to vpcs or correct the id (InvalidVpcId.NotFound)
        "#]],
    );
}

#[test]
fn enis() {
    check(
        &file(
            "",
            r#"{"id": "e1", "kind": "ecs", "vpc": "vpc-a", "private_ip": "10.0.0.5", "groups": []}"#,
            "",
        ),
        expect![[r#"
            error: t.json: endpoint e1, field groups: an ENI belongs to 1 to 10 security groups: add one
        "#]],
    );
    check(
        &file(
            "",
            r#"{"id": "e1", "kind": "ecs", "vpc": "vpc-a", "private_ip": "10.0.0.5"}"#,
            "",
        ),
        expect![[r#"
            error: t.json: endpoint e1, field groups: the endpoint has a private_ip but no groups: an ENI belongs to 1 to 10 security groups
        "#]],
    );
    check(
        &file(
            "",
            r#"{"id": "e1", "kind": "ecs", "vpc": "vpc-a", "private_ip": "10.0.0.5", "groups": ["sg-a", "sg-ent"]}"#,
            "",
        ),
        expect![[r#"
            error: t.json: endpoint e1, field groups: the ENI mixes basic group sg-a and enterprise group sg-ent: an ENI's groups are all of one type
        "#]],
    );
    check(
        &file(
            "",
            r#"{"id": "e1", "kind": "ecs", "vpc": "vpc-a", "enis": [{"private_ips": ["10.0.0.5"], "groups": ["sg-a", "sg-other", "sg-zzz", "sg-a"]}]}"#,
            "",
        ),
        expect![[r#"
            error: t.json: endpoint e1, field enis[0].groups: security group sg-other is in VPC vpc-b, but the endpoint is in VPC vpc-a: an ENI joins only groups of its own VPC
            error: t.json: endpoint e1, field enis[0].groups: security group sg-zzz does not exist (InvalidSecurityGroupId.NotFound)
            error: t.json: endpoint e1, field enis[0].groups: security group sg-a is listed twice on one ENI
        "#]],
    );
    let eleven: Vec<String> = (0..11)
        .map(|index| format!(r#"{{"id": "g{index}", "vpc": "vpc-a"}}"#))
        .collect();
    let names: Vec<String> = (0..11).map(|index| format!(r#""g{index}""#)).collect();
    check(
        &file(
            &format!(", {}", eleven.join(", ")),
            &format!(
                r#"{{"id": "e1", "kind": "ecs", "vpc": "vpc-a", "private_ip": "10.0.0.5", "groups": [{}]}}"#,
                names.join(", ")
            ),
            "",
        ),
        expect![[r#"
            error: t.json: endpoint e1, field groups: 11 security groups on one ENI, more than the limit of 10: remove some
        "#]],
    );
}

#[test]
fn pods() {
    let clusters = r#", "clusters": [
        {"id": "c-flannel", "vpc": "vpc-a", "pod_cidr": "172.20.0.0/16", "network_mode": "flannel"},
        {"id": "c-trunk", "vpc": "vpc-a", "network_mode": "terway_trunk"}]"#;
    let node = r#"{"id": "n1", "kind": "ecs", "vpc": "vpc-a", "private_ip": "10.0.0.5", "groups": ["sg-a"]}"#;
    check(
        &file(
            "",
            &format!(
                r#"{node}, {{"id": "p1", "kind": "pod", "cluster": "c-flannel", "node": "n1", "groups": ["sg-a"]}}"#
            ),
            clusters,
        ),
        expect![[r#"
            error: t.json: endpoint p1, field groups: pods of a flannel cluster have no ENI of their own: they use their node's groups, so remove groups, enis and private_ip and give pod_ip
            error: t.json: endpoint p1, field pod_ip: pods of a flannel cluster need a pod_ip
        "#]],
    );
    check(
        &file(
            "",
            &format!(
                r#"{node}, {{"id": "p1", "kind": "pod", "cluster": "c-flannel", "node": "n1", "pod_ip": "10.9.9.9"}}"#
            ),
            clusters,
        ),
        expect![[r#"
            ok
            warning: t.json: endpoint p1, field pod_ip: pod_ip 10.9.9.9 is outside the cluster's pod_cidr 172.20.0.0/16
        "#]],
    );
    check(
        &file(
            "",
            &format!(
                r#"{node}, {{"id": "p1", "kind": "pod", "cluster": "c-trunk", "node": "n1"}}"#
            ),
            clusters,
        ),
        expect![[r#"
            error: t.json: endpoint p1, field groups: pods of a terway_trunk cluster need their own ENI: give private_ip and groups
        "#]],
    );
    check(
        &file(
            r#", {"id": "g1", "vpc": "vpc-a"}, {"id": "g2", "vpc": "vpc-a"}, {"id": "g3", "vpc": "vpc-a"}, {"id": "g4", "vpc": "vpc-a"}, {"id": "g5", "vpc": "vpc-a"}"#,
            &format!(
                r#"{node}, {{"id": "p1", "kind": "pod", "cluster": "c-trunk", "node": "n1", "private_ip": "10.0.0.50", "groups": ["g1", "g2", "g3", "g4", "g5", "sg-a"]}}"#
            ),
            clusters,
        ),
        expect![[r#"
            error: t.json: endpoint p1, field groups: 6 security groups on one ENI, more than the limit of 5: remove some
        "#]],
    );
    check(
        &file(
            "",
            r#"{"id": "p1", "kind": "pod", "cluster": "c-zzz", "node": "n-zzz", "pod_ip": "172.20.0.1"}"#,
            clusters,
        ),
        expect![[r#"
            error: t.json: endpoint p1, field cluster: cluster "c-zzz" does not exist: add it to clusters or correct the id
            error: t.json: endpoint p1, field node: node "n-zzz" does not exist: add an ECS endpoint with this id
        "#]],
    );
}

#[test]
fn external_endpoints() {
    check(
        &file(
            "",
            r#"{"id": "x", "kind": "external", "cidr": "203.0.113.10", "groups": ["sg-a"]}"#,
            "",
        ),
        expect![[r#"
            error: t.json: endpoint x, field groups: groups is not allowed here: external endpoints sit outside every VPC and have no groups
        "#]],
    );
    check(
        &file("", r#"{"id": "x", "kind": "external"}"#, ""),
        expect![[r#"
            error: t.json: endpoint x, field cidr: an external endpoint needs its address in cidr, such as 203.0.113.10 or 198.51.100.0/24
        "#]],
    );
}

#[test]
fn gateways() {
    check(
        &file(
            "",
            r#"{"id": "gn", "kind": "gateway_node", "gateway": "gw", "private_ip": "10.0.0.9"}"#,
            r#", "gateways": [{"id": "gw", "kind": "ai_gateway", "vpc": "vpc-a", "managed_group": "sg-a",
                "authorizations": [{"backend_group": "sg-b", "port_ranges": ["8080/8080"]}]}]"#,
        ),
        expect![[r#"
            ok
            warning: t.json: gateway gw, field managed_group: security group sg-a is a gateway's managed group but has no managed_by: marked as managed by AI Gateway, read-only
            warning: t.json: gateway gw, field authorizations: the authorization of 8080/8080 on sg-b has no matching rule in sg-b (ingress, accept, priority 1, tcp 8080/8080, group sg-a): the gateway lists it but the group does not allow the traffic
        "#]],
    );
    check(
        &file(
            "",
            "",
            r#", "gateways": [{"id": "gw", "kind": "mse", "vpc": "vpc-a", "managed_group": "sg-zzz",
                "authorizations": [{"backend_group": "sg-ent", "port_ranges": ["-1/-1", "9000/80"]}, {"backend_group": "sg-other", "port_ranges": []}]}]"#,
        ),
        expect![[r#"
            error: t.json: gateway gw, field managed_group: security group sg-zzz does not exist (InvalidSecurityGroupId.NotFound)
            error: t.json: gateway gw, field authorizations[0].backend_group: security group sg-ent is an enterprise group and cannot reference another group: use a CIDR block or a prefix list (OperationDenied)
            error: t.json: gateway gw, field authorizations[0].port_ranges[0]: protocol tcp needs a port range such as 1/65535; -1/-1 is only for icmp, icmpv6, gre and all (OperationDenied)
            error: t.json: gateway gw, field authorizations[0].port_ranges[1]: port range 9000/80 is reversed: the start port must not exceed the end port (InvalidParam.PortRange)
            error: t.json: gateway gw, field authorizations[1].backend_group: security group sg-other is in VPC vpc-b, not in VPC vpc-a: group references only work inside one VPC (InvalidSourceGroupId.Mismatch)
            error: t.json: gateway gw, field authorizations[1].port_ranges: the authorization has no port range: give one or more, such as 8080/8080 or 1/65535
        "#]],
    );
}

#[test]
fn expectations_and_layout() {
    check(
        &file(
            "",
            r#"{"id": "e1", "kind": "ecs", "vpc": "vpc-a", "private_ip": "10.0.0.5", "groups": ["sg-a"]}"#,
            r#", "expectations": [
                {"from": "e1", "to": "10.0.0.5", "protocol": "tcp", "port": "8080", "verdict": "allow"},
                {"from": "nobody", "to": "e1", "protocol": "icmp", "port": 1, "verdict": "perhaps"},
                {"from": "e1", "to": "e1", "protocol": "udp", "verdict": "deny"}],
               "layout": {"e1": {"x": 1, "y": 2}, "ghost": {"x": 0, "y": 0}}"#,
        ),
        expect![[r#"
            error: t.json: expectation 2, field from: "nobody" is neither an endpoint id, an endpoint name nor an IP address
            error: t.json: expectation 2, field port: protocol icmp has no ports: leave port out (it was 1)
            error: t.json: expectation 2, field verdict: verdict "perhaps" is unknown: use allow or deny
            error: t.json: expectation 3, field port: a udp expectation needs a port
            warning: t.json: layout, field ghost: layout names "ghost", which is no object of the file: the position is ignored
        "#]],
    );
}

#[test]
fn limits_are_configurable_warnings() {
    let rules: Vec<String> = (1..=3)
        .map(|port| format!(r#"{{"direction": "ingress", "protocol": "tcp", "port_range": "{port}/{port}", "group": "sg-a"}}"#))
        .collect();
    let text = rule(&rules.join(", "));
    let options = ParseOptions {
        limits: Limits {
            rules_per_group: 2,
            group_references_per_group: 2,
            ..Limits::default()
        },
        ..ParseOptions::default()
    };
    let parsed = parse_sglab_with_options(&text, None, &options).unwrap();
    let rendered: Vec<String> = parsed.warnings.iter().map(ToString::to_string).collect();
    expect![[r#"
        [
            "security group sg-test, field rules: the group holds 3 rules, more than the limit of 2 per group (AuthorizationLimitExceed)",
            "security group sg-test, field rules: the group holds 3 rules that reference a group, more than the limit of 2 per basic group (AuthorizationLimitExceed)",
        ]
    "#]]
    .assert_debug_eq(&rendered);
    assert!(parse_sglab(&text, None).unwrap().warnings.is_empty());
}

#[test]
fn unknown_fields_everywhere_are_all_reported() {
    check(
        &file(
            r#", {"id": "sg-t", "vpc": "vpc-a", "SecurityGroupType": "normal", "rules": [{"direction": "ingress", "protocol": "tcp", "PortRange": "1/2", "cidr": "0.0.0.0/0"}]}"#,
            r#"{"id": "e", "kind": "ecs", "vpc": "vpc-a", "enis": [{"groups": ["sg-a"], "mac": "x"}], "services": [{"port": 1, "proto": "tcp"}]}"#,
            r#", "colour": "red""#,
        ),
        expect![[r#"
            error: t.json: field colour: unknown field "colour": the file has the fields sglab, name, vpcs, security_groups, endpoints, clusters, gateways, prefix_lists, expectations, layout, corpus
            error: t.json: security group sg-t, field SecurityGroupType: unknown field "SecurityGroupType" (did you mean type?): a security group has the fields id, name, vpc, type, inner_access_policy, managed_by, description, tags, rules
            error: t.json: security group sg-t, rule 1, field PortRange: unknown field "PortRange" (did you mean port_range?): a rule has the fields id, direction, policy, priority, protocol, port_range, cidr, ipv6_cidr, group, group_owner_account, prefix_list, source_port_range, local_cidr, nic_type, description
            error: t.json: endpoint e, field enis[0].mac: unknown field "mac": an ENI has the fields id, private_ips, groups
            error: t.json: endpoint e, field services[0].proto: unknown field "proto" (did you mean protocol?): a service has the fields name, protocol, port_range, port, up
        "#]],
    );
}

#[test]
fn wrong_json_type_names_line_and_column() {
    check(
        "{\"sglab\": 1,\n \"vpcs\": {\"id\": \"v\"}}",
        expect![[r#"
            error: t.json:2:9: unexpected value: invalid type: map, expected a sequence
        "#]],
    );
    check(
        "[1, 2]",
        expect![[r#"
            error: t.json: the input is not an sglab file: expected a JSON object such as {"sglab": 1, ...}
        "#]],
    );
}

#[test]
fn oversized_input_is_rejected_before_parsing() {
    let options = ParseOptions {
        max_input_bytes: 10,
        ..ParseOptions::default()
    };
    let diagnostics =
        parse_sglab_with_options("{\"sglab\": 1, \"vpcs\": []}", None, &options).unwrap_err();
    expect![[r#"
        [
            "the input is 24 bytes long, more than the limit of 10 bytes: split the topology or raise the limit",
        ]
    "#]]
    .assert_debug_eq(&diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>());
}

#[test]
fn missing_required_fields_are_located() {
    check(
        &file(
            r#", {"id": "sg-t", "vpc": "vpc-a", "rules": [{"port_range": "80/80", "cidr": "0.0.0.0/0"}]}"#,
            r#"{"id": "e"}"#,
            r#", "gateways": [{"id": "gw", "vpc": "vpc-a", "authorizations": [{}]}], "expectations": [{}]"#,
        ),
        expect![[r#"
            error: t.json: security group sg-t, rule 1, field direction: direction is missing: use ingress or egress
            error: t.json: security group sg-t, rule 1, field protocol: protocol is missing: use tcp, udp, icmp, icmpv6, gre or all
            error: t.json: gateway gw, field kind: kind is missing: use ai_gateway or mse_cloud_native
            error: t.json: gateway gw, field managed_group: managed_group is missing: name the security group of the gateway's nodes
            error: t.json: gateway gw, field authorizations[0].backend_group: backend_group is missing: name the security group of the backend's nodes
            error: t.json: gateway gw, field authorizations[0].port_ranges: the authorization has no port range: give one or more, such as 8080/8080 or 1/65535
            error: t.json: endpoint e, field kind: kind is missing: use ecs, pod, gateway_node or external
            error: t.json: expectation 1, field from: the endpoint is missing: give an endpoint id, an endpoint name or an IP address
            error: t.json: expectation 1, field to: the endpoint is missing: give an endpoint id, an endpoint name or an IP address
            error: t.json: expectation 1, field protocol: protocol is missing: use tcp, udp, icmp, icmpv6, gre or all
            error: t.json: expectation 1, field verdict: verdict is missing: use allow or deny
        "#]],
    );
}

#[test]
fn duplicate_rule_ids_and_unnamed_objects() {
    check(
        &file(
            r#", {"id": "sg-t", "vpc": "vpc-a", "rules": [
                {"id": "sgr-1", "direction": "ingress", "protocol": "tcp", "port_range": "1/2", "cidr": "0.0.0.0/0"},
                {"id": "sgr-1", "direction": "ingress", "protocol": "tcp", "port_range": "1/2", "cidr": "0.0.0.0/0"}]},
               {"id": "", "vpc": "vpc-a"}"#,
            "",
            "",
        ),
        expect![[r#"
            error: t.json: security group sg-t, rule 2, field id: rule id sgr-1 is used twice: ids must be unique
            error: t.json: security group 6, field id: the security group has no id: give it a unique id
        "#]],
    );
}
