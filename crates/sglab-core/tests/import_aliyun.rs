//! Import of `aliyun ecs Describe...` responses: the fixtures (shaped like the vendor's
//! response samples) import unchanged, and every bad value gives a diagnostic naming the file,
//! the group, the rule and the field.

use std::fmt::Write as _;

use expect_test::{expect, Expect};
use sglab_core::import::{detect, load_files, InputKind};
use sglab_core::model::{Peer, Topology};

const WEB: &str = include_str!("fixtures/aliyun/describe-security-group-attribute-web.json");
const DB: &str = include_str!("fixtures/aliyun/describe-security-group-attribute-db.json");
const GATEWAY: &str =
    include_str!("fixtures/aliyun/describe-security-group-attribute-gateway.json");
const LEGACY: &str = include_str!("fixtures/aliyun/describe-security-group-attribute-legacy.json");
const GROUPS: &str = include_str!("fixtures/aliyun/describe-security-groups.json");
const INSTANCES: &str = include_str!("fixtures/aliyun/describe-instances.json");
const INTERFACES: &str = include_str!("fixtures/aliyun/describe-network-interfaces.json");

fn all_fixtures() -> Vec<(&'static str, &'static str)> {
    vec![
        ("web.json", WEB),
        ("db.json", DB),
        ("gateway.json", GATEWAY),
        ("legacy.json", LEGACY),
        ("groups.json", GROUPS),
        ("instances.json", INSTANCES),
        ("enis.json", INTERFACES),
    ]
}

/// A compact, deterministic description of a topology for snapshots.
fn summary(topology: &Topology) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "name: {}", topology.name);
    for vpc in topology.vpcs.values() {
        let _ = writeln!(out, "vpc {}", vpc.id);
    }
    for group in topology.groups.values() {
        let _ = writeln!(
            out,
            "group {} {:?} {:?} vpc={} inner={:?} managed={:?} tags={:?}",
            group.id,
            group.name,
            group.group_type,
            group.vpc,
            group.inner_access_policy,
            group.managed_by,
            group.tags
        );
        for (index, rule) in group.rules.iter().enumerate() {
            let peer = match &rule.peer {
                Peer::Cidr(net) => net.to_string(),
                Peer::Group { id, owner_account } => format!("group {id} owner={owner_account:?}"),
                Peer::PrefixList(id) => format!("prefix list {id}"),
            };
            let _ = writeln!(
                out,
                "  [{index}] {:?} {:?} prio={} {} {} peer={peer} sport={:?} local={:?} {:?} id={:?} {:?}",
                rule.direction,
                rule.policy,
                rule.priority,
                rule.protocol,
                rule.ports,
                rule.source_ports.map(|range| range.to_string()),
                rule.local_cidr.map(|net| net.to_string()),
                rule.nic_type,
                rule.id.as_ref().map(|id| id.to_string()),
                rule.description,
            );
        }
    }
    for endpoint in topology.endpoints.values() {
        let _ = writeln!(
            out,
            "endpoint {} {:?} {:?} vpc={:?} public={:?} services={:?}",
            endpoint.id,
            endpoint.name,
            endpoint.kind,
            endpoint.vpc.as_ref().map(|vpc| vpc.to_string()),
            endpoint.public_ip,
            endpoint.services
        );
        for eni in &endpoint.enis {
            let groups: Vec<String> = eni.groups.iter().map(|group| group.to_string()).collect();
            let _ = writeln!(
                out,
                "  eni {:?} ips={:?} groups={groups:?}",
                eni.id, eni.private_ips
            );
        }
    }
    for list in topology.prefix_lists.values() {
        let _ = writeln!(out, "prefix list {} {:?}", list.id, list.cidrs);
    }
    out
}

fn check_loaded(files: &[(&str, &str)], expect: Expect) {
    let actual = match load_files(files) {
        Ok(loaded) => {
            let mut out = summary(&loaded.topology);
            for warning in &loaded.warnings {
                let _ = writeln!(out, "{}: {warning}", warning.severity);
            }
            out
        }
        Err(diagnostics) => diagnostics
            .iter()
            .map(|diagnostic| format!("{}: {diagnostic}\n", diagnostic.severity))
            .collect(),
    };
    expect.assert_eq(&actual);
}

/// Replaces `from` by `to` exactly once in `text`, so that a test fails loudly when the
/// fixture changes under it.
fn edit(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} must occur once");
    text.replacen(from, to, 1)
}

#[test]
fn detects_every_format_by_content() {
    let kinds: Vec<(&str, InputKind)> = all_fixtures()
        .into_iter()
        .map(|(name, text)| (name, detect(name, text).expect("detected")))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("web.json", InputKind::SecurityGroupAttribute),
            ("db.json", InputKind::SecurityGroupAttribute),
            ("gateway.json", InputKind::SecurityGroupAttribute),
            ("legacy.json", InputKind::SecurityGroupAttribute),
            ("groups.json", InputKind::SecurityGroups),
            ("instances.json", InputKind::Instances),
            ("enis.json", InputKind::NetworkInterfaces),
        ]
    );
    assert_eq!(
        detect("t.json", r#"{"sglab": 1}"#).expect("sglab"),
        InputKind::Sglab
    );
}

#[test]
fn all_fixtures_import_unchanged() {
    check_loaded(
        &all_fixtures(),
        expect![[r#"
        name: Imported from web.json, db.json, gateway.json, legacy.json, groups.json, instances.json, enis.json
        vpc vpc-bp1opxu1zkhn00gzv9x1q
        group sg-bp1fg655nh68xyz9agw3 "ai-gateway-managed-sg" Basic vpc=vpc-bp1opxu1zkhn00gzv9x1q inner=Accept managed=Some("cloud service 1688000000000000") tags={}
          [0] Ingress Accept prio=1 tcp 443/443 peer=0.0.0.0/0 sport=None local=None Intranet id=Some("sgr-bp1gwmanaged00000001") "gateway listener"
        group sg-bp1fg655nh68xyz9dbs2 "db" Basic vpc=vpc-bp1opxu1zkhn00gzv9x1q inner=Drop managed=None tags={"env": "prod"}
          [0] Ingress Accept prio=1 tcp 3306/3306 peer=group sg-bp1fg655nh68xyz9web1 owner=None sport=None local=None Intranet id=Some("sgr-bp1d3k0p6a3mysql0001") "MySQL from web"
          [1] Ingress Accept prio=1 tcp 6379/6379 peer=group sg-bp1fg655nh68xyz9web1 owner=None sport=None local=None Intranet id=Some("sgr-bp1d3k0p6a3mysql0002") "Redis from web"
          [2] Ingress Accept prio=1 tcp 22/22 peer=prefix list pl-bp1x1j1k5ykzqlixabc sport=None local=None Intranet id=Some("sgr-bp1d3k0p6a3mysql0003") "SSH from the bastion prefix list"
          [3] Egress Accept prio=1 udp 53/53 peer=100.100.2.136/32 sport=Some("1024/65535") local=None Intranet id=Some("sgr-bp1d3k0p6a3mysql0004") "DNS"
        group sg-bp1fg655nh68xyz9ent4 "batch" Enterprise vpc=vpc-bp1opxu1zkhn00gzv9x1q inner=Drop managed=None tags={}
        group sg-bp1fg655nh68xyz9web1 "web" Basic vpc=vpc-bp1opxu1zkhn00gzv9x1q inner=Accept managed=None tags={"env": "prod", "team": "shop"}
          [0] Ingress Accept prio=1 tcp 80/80 peer=0.0.0.0/0 sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0001") "HTTP from anywhere"
          [1] Ingress Accept prio=1 tcp 443/443 peer=0.0.0.0/0 sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0002") "HTTPS from anywhere"
          [2] Ingress Accept prio=1 tcp 22/22 peer=10.0.0.0/8 sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0003") "SSH from the office VPN"
          [3] Ingress Drop prio=2 tcp 22/22 peer=0.0.0.0/0 sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0004") "no SSH from elsewhere"
          [4] Ingress Accept prio=100 icmp -1/-1 peer=0.0.0.0/0 sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0005") "ping"
          [5] Ingress Accept prio=1 tcp 8080/8080 peer=group sg-bp1fg655nh68xyz9agw3 owner=None sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0006") "authorized by AI gateway gw-7x9"
          [6] Egress Drop prio=1 tcp 25/25 peer=0.0.0.0/0 sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0007") "no outbound mail"
          [7] Egress Accept prio=100 all -1/-1 peer=::/0 sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0008") ""
        group sg-bp1legacy0console0110 "old-console" Basic vpc=vpc-bp1opxu1zkhn00gzv9x1q inner=Accept managed=None tags={}
          [0] Ingress Accept prio=110 tcp 1/65535 peer=0.0.0.0/0 sport=None local=None Intranet id=None ""
          [1] Ingress Accept prio=1 all -1/-1 peer=group sg-bp1fg655nh68xyz9web1 owner=None sport=None local=None Intranet id=None ""
          [2] Ingress Drop prio=5 udp 161/162 peer=192.168.1.0/24 sport=None local=None Intranet id=None "no SNMP"
        endpoint eni-bp1gwnode0000000005 "eni-bp1gwnode0000000005" Ecs vpc=Some("vpc-bp1opxu1zkhn00gzv9x1q") public=None services=None
          eni Some("eni-bp1gwnode0000000005") ips=[10.0.9.5] groups=["sg-bp1fg655nh68xyz9agw3"]
        endpoint i-bp67acfmxazb4ph00db1 "db-1" Ecs vpc=Some("vpc-bp1opxu1zkhn00gzv9x1q") public=None services=None
          eni Some("eni-bp1db1primary000003") ips=[10.0.2.21] groups=["sg-bp1fg655nh68xyz9dbs2"]
          eni Some("eni-bp1db1secondary0004") ips=[10.0.2.22] groups=["sg-bp1fg655nh68xyz9dbs2", "sg-bp1fg655nh68xyz9web1"]
        endpoint i-bp67acfmxazb4ph0web1 "web-1" Ecs vpc=Some("vpc-bp1opxu1zkhn00gzv9x1q") public=Some(47.96.10.11) services=None
          eni Some("eni-bp1web1primary00001") ips=[10.0.1.11] groups=["sg-bp1fg655nh68xyz9web1"]
        endpoint i-bp67acfmxazb4ph0web2 "web-2" Ecs vpc=Some("vpc-bp1opxu1zkhn00gzv9x1q") public=Some(47.96.10.12) services=None
          eni Some("eni-bp1web2primary00002") ips=[10.0.1.12] groups=["sg-bp1fg655nh68xyz9web1"]
        prefix list pl-bp1x1j1k5ykzqlixabc []
        warning: legacy.json: security group sg-bp1legacy0console0110, rule 1, field Priority: legacy priority 110 from the old console: imported as lower than 100; the API accepts 1 to 100 only
        warning: legacy.json: security group sg-bp1legacy0console0110, rule 2, field Direction: Direction is missing: read as ingress from the peer fields
        warning: groups.json: security group sg-bp1fg655nh68xyz9ent4: the rules of security group sg-bp1fg655nh68xyz9ent4 are unknown, so it is imported without rules: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId sg-bp1fg655nh68xyz9ent4
        warning: db.json: security group sg-bp1fg655nh68xyz9dbs2, rule 3: the entries of prefix list pl-bp1x1j1k5ykzqlixabc are unknown, so rules naming it match no address: add the prefix list to an sglab file
    "#]],
    );
}

#[test]
fn a_group_known_only_from_its_attribute_response_is_basic() {
    check_loaded(
        &[("gateway.json", GATEWAY)],
        expect![[r#"
        name: Imported from gateway.json
        vpc vpc-bp1opxu1zkhn00gzv9x1q
        group sg-bp1fg655nh68xyz9agw3 "ai-gateway-managed-sg" Basic vpc=vpc-bp1opxu1zkhn00gzv9x1q inner=Accept managed=None tags={}
          [0] Ingress Accept prio=1 tcp 443/443 peer=0.0.0.0/0 sport=None local=None Intranet id=Some("sgr-bp1gwmanaged00000001") "gateway listener"
    "#]],
    );
}

#[test]
fn legacy_response_numbers_mixed_case_and_priority_110() {
    check_loaded(
        &[
            ("web.json", WEB),
            ("legacy.json", LEGACY),
            ("gateway.json", GATEWAY),
        ],
        expect![[r#"
        name: Imported from web.json, legacy.json, gateway.json
        vpc vpc-bp1opxu1zkhn00gzv9x1q
        group sg-bp1fg655nh68xyz9agw3 "ai-gateway-managed-sg" Basic vpc=vpc-bp1opxu1zkhn00gzv9x1q inner=Accept managed=None tags={}
          [0] Ingress Accept prio=1 tcp 443/443 peer=0.0.0.0/0 sport=None local=None Intranet id=Some("sgr-bp1gwmanaged00000001") "gateway listener"
        group sg-bp1fg655nh68xyz9web1 "web" Basic vpc=vpc-bp1opxu1zkhn00gzv9x1q inner=Accept managed=None tags={}
          [0] Ingress Accept prio=1 tcp 80/80 peer=0.0.0.0/0 sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0001") "HTTP from anywhere"
          [1] Ingress Accept prio=1 tcp 443/443 peer=0.0.0.0/0 sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0002") "HTTPS from anywhere"
          [2] Ingress Accept prio=1 tcp 22/22 peer=10.0.0.0/8 sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0003") "SSH from the office VPN"
          [3] Ingress Drop prio=2 tcp 22/22 peer=0.0.0.0/0 sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0004") "no SSH from elsewhere"
          [4] Ingress Accept prio=100 icmp -1/-1 peer=0.0.0.0/0 sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0005") "ping"
          [5] Ingress Accept prio=1 tcp 8080/8080 peer=group sg-bp1fg655nh68xyz9agw3 owner=None sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0006") "authorized by AI gateway gw-7x9"
          [6] Egress Drop prio=1 tcp 25/25 peer=0.0.0.0/0 sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0007") "no outbound mail"
          [7] Egress Accept prio=100 all -1/-1 peer=::/0 sport=None local=None Intranet id=Some("sgr-bp12kewq32dfwrdi0008") ""
        group sg-bp1legacy0console0110 "old-console" Basic vpc=vpc-bp1opxu1zkhn00gzv9x1q inner=Accept managed=None tags={}
          [0] Ingress Accept prio=110 tcp 1/65535 peer=0.0.0.0/0 sport=None local=None Intranet id=None ""
          [1] Ingress Accept prio=1 all -1/-1 peer=group sg-bp1fg655nh68xyz9web1 owner=None sport=None local=None Intranet id=None ""
          [2] Ingress Drop prio=5 udp 161/162 peer=192.168.1.0/24 sport=None local=None Intranet id=None "no SNMP"
        warning: legacy.json: security group sg-bp1legacy0console0110, rule 1, field Priority: legacy priority 110 from the old console: imported as lower than 100; the API accepts 1 to 100 only
        warning: legacy.json: security group sg-bp1legacy0console0110, rule 2, field Direction: Direction is missing: read as ingress from the peer fields
    "#]],
    );
}

#[test]
fn unknown_group_names_the_file_group_rule_and_field() {
    check_loaded(
        &[("web.json", WEB)],
        expect![[r#"
        error: web.json: security group sg-bp1fg655nh68xyz9web1, rule 6, field SourceGroupId: security group sg-bp1fg655nh68xyz9agw3 is in none of the files: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId sg-bp1fg655nh68xyz9agw3 (InvalidSecurityGroupId.NotFound)
    "#]],
    );
}

#[test]
fn unknown_group_of_an_instance() {
    check_loaded(
        &[
            ("instances.json", INSTANCES),
            ("web.json", WEB),
            ("gateway.json", GATEWAY),
        ],
        expect![[r#"
        error: instances.json: endpoint i-bp67acfmxazb4ph00db1, field SecurityGroupIds (ENI eni-bp1db1primary000003): security group sg-bp1fg655nh68xyz9dbs2 is in none of the files: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId sg-bp1fg655nh68xyz9dbs2 (InvalidSecurityGroupId.NotFound)
        warning: instances.json: instance i-bp67acfmxazb4ph00db1, field NetworkInterfaces: the groups of secondary ENI eni-bp1db1secondary0004 are unknown, so it is left out: add the output of aliyun ecs DescribeNetworkInterfaces
    "#]],
    );
}

#[test]
fn reversed_port_range() {
    let text = edit(
        GATEWAY,
        r#""PortRange": "443/443""#,
        r#""PortRange": "200/1""#,
    );
    check_loaded(
        &[("gw.json", &text)],
        expect![[r#"
        error: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field PortRange: port range 200/1 is reversed: the start port must not exceed the end port (InvalidParam.PortRange)
    "#]],
    );
}

#[test]
fn lone_port_is_refused_as_the_api_refuses_it() {
    let text = edit(
        GATEWAY,
        r#""PortRange": "443/443""#,
        r#""PortRange": "443""#,
    );
    check_loaded(
        &[("gw.json", &text)],
        expect![[r#"
            error: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field PortRange: port range "443" is a lone port: write 443/443 (InvalidParam.PortRange)
        "#]],
    );
}

#[test]
fn priority_zero() {
    let text = edit(GATEWAY, r#""Priority": "1""#, r#""Priority": "0""#);
    check_loaded(
        &[("gw.json", &text)],
        expect![[r#"
        error: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field Priority: priority 0 is out of range: use 1 (highest) to 100 (InvalidPriority.ValueNotSupported)
    "#]],
    );
}

#[test]
fn priority_as_number_zero_and_junk() {
    let text = edit(GATEWAY, r#""Priority": "1""#, r#""Priority": 0"#);
    check_loaded(
        &[("gw.json", &text)],
        expect![[r#"
        error: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field Priority: priority 0 is out of range: use 1 (highest) to 100 (InvalidPriority.ValueNotSupported)
    "#]],
    );
    let text = edit(GATEWAY, r#""Priority": "1""#, r#""Priority": "high""#);
    check_loaded(
        &[("gw.json", &text)],
        expect![[r#"
        error: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field Priority: priority "high" is not a number: use 1 (highest) to 100 (InvalidPriority.ValueNotSupported)
    "#]],
    );
}

#[test]
fn icmp_with_ports() {
    let text = edit(GATEWAY, r#""IpProtocol": "TCP""#, r#""IpProtocol": "ICMP""#);
    check_loaded(
        &[("gw.json", &text)],
        expect![[r#"
        error: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field PortRange: protocol icmp takes no ports: write -1/-1 instead of 443/443 (OperationDenied)
    "#]],
    );
}

#[test]
fn tcp_with_all_ports() {
    let text = edit(
        GATEWAY,
        r#""PortRange": "443/443""#,
        r#""PortRange": "-1/-1""#,
    );
    check_loaded(
        &[("gw.json", &text)],
        expect![[r#"
        error: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field PortRange: protocol tcp needs a port range such as 1/65535; -1/-1 is only for icmp, icmpv6, gre and all (OperationDenied)
    "#]],
    );
}

#[test]
fn malformed_cidr() {
    let text = edit(
        GATEWAY,
        r#""SourceCidrIp": "0.0.0.0/0""#,
        r#""SourceCidrIp": "10.0.0.0/33""#,
    );
    check_loaded(
        &[("gw.json", &text)],
        expect![[r#"
        error: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field SourceCidrIp: CIDR block "10.0.0.0/33" is malformed: the prefix length /33 is too long for IPv4: use /0 to /32
    "#]],
    );
    let text = edit(
        GATEWAY,
        r#""SourceCidrIp": "0.0.0.0/0""#,
        r#""SourceCidrIp": "::/0""#,
    );
    check_loaded(
        &[("gw.json", &text)],
        expect![[r#"
        error: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field SourceCidrIp: "::/0" is not an IPv4 CIDR block: write IPv6 blocks in the IPv6 field
    "#]],
    );
}

#[test]
fn host_bits_are_cleared_with_a_warning() {
    let text = edit(
        GATEWAY,
        r#""SourceCidrIp": "0.0.0.0/0""#,
        r#""SourceCidrIp": "10.1.2.3/8""#,
    );
    check_loaded(
        &[("gw.json", &text)],
        expect![[r#"
        name: Imported from gw.json
        vpc vpc-bp1opxu1zkhn00gzv9x1q
        group sg-bp1fg655nh68xyz9agw3 "ai-gateway-managed-sg" Basic vpc=vpc-bp1opxu1zkhn00gzv9x1q inner=Accept managed=None tags={}
          [0] Ingress Accept prio=1 tcp 443/443 peer=10.0.0.0/8 sport=None local=None Intranet id=Some("sgr-bp1gwmanaged00000001") "gateway listener"
        warning: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field SourceCidrIp: CIDR block 10.1.2.3/8 has host bits set: read as 10.0.0.0/8
    "#]],
    );
}

#[test]
fn bad_words() {
    let text = edit(GATEWAY, r#""Policy": "Accept""#, r#""Policy": "allow""#);
    let text = edit(
        &text,
        r#""Direction": "ingress""#,
        r#""Direction": "inbound""#,
    );
    let text = edit(&text, r#""IpProtocol": "TCP""#, r#""IpProtocol": "SCTP""#);
    check_loaded(
        &[("gw.json", &text)],
        expect![[r#"
        error: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field Direction: Direction "inbound" is not valid: use ingress or egress
        error: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field Policy: Policy "allow" is not valid: use Accept or Drop
        error: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field IpProtocol: protocol "SCTP" is unknown: use tcp, udp, icmp, icmpv6, gre or all
    "#]],
    );
}

#[test]
fn cidr_wins_over_group_and_prefix_list() {
    let text = edit(
        GATEWAY,
        r#""SourceGroupId": "","#,
        r#""SourceGroupId": "sg-other","#,
    );
    let text = edit(
        &text,
        r#""SourcePrefixListId": "","#,
        r#""SourcePrefixListId": "pl-x","#,
    );
    check_loaded(
        &[("gw.json", &text)],
        expect![[r#"
        name: Imported from gw.json
        vpc vpc-bp1opxu1zkhn00gzv9x1q
        group sg-bp1fg655nh68xyz9agw3 "ai-gateway-managed-sg" Basic vpc=vpc-bp1opxu1zkhn00gzv9x1q inner=Accept managed=None tags={}
          [0] Ingress Accept prio=1 tcp 443/443 peer=0.0.0.0/0 sport=None local=None Intranet id=Some("sgr-bp1gwmanaged00000001") "gateway listener"
        warning: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field SourceGroupId: SourceGroupId sg-other is ignored: the rule also sets SourceCidrIp, and the CIDR block wins
        warning: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field SourcePrefixListId: SourcePrefixListId pl-x is ignored: the rule also sets SourceCidrIp, and the CIDR block wins
    "#]],
    );
}

#[test]
fn rule_without_peer() {
    let text = edit(
        GATEWAY,
        r#""SourceCidrIp": "0.0.0.0/0""#,
        r#""SourceCidrIp": """#,
    );
    check_loaded(
        &[("gw.json", &text)],
        expect![[r#"
        error: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field SourceCidrIp: the rule has no source: set one of SourceCidrIp, Ipv6SourceCidrIp, SourceGroupId or SourcePrefixListId
    "#]],
    );
}

#[test]
fn group_naming_itself() {
    let text = edit(
        GATEWAY,
        r#""SourceGroupId": "","#,
        r#""SourceGroupId": "sg-bp1fg655nh68xyz9agw3","#,
    );
    let text = edit(
        &text,
        r#""SourceCidrIp": "0.0.0.0/0""#,
        r#""SourceCidrIp": """#,
    );
    check_loaded(
        &[("gw.json", &text)],
        expect![[r#"
        error: gw.json: security group sg-bp1fg655nh68xyz9agw3, rule 1, field SourceGroupId: security group sg-bp1fg655nh68xyz9agw3 cannot name itself as peer: intra-group traffic is governed by inner_access_policy (InvalidParamter.Conflict)
    "#]],
    );
}

#[test]
fn same_group_defined_twice_differently_names_both_files() {
    let changed = edit(
        GATEWAY,
        r#""PortRange": "443/443""#,
        r#""PortRange": "8443/8443""#,
    );
    check_loaded(
        &[("monday.json", GATEWAY), ("tuesday.json", &changed)],
        expect![[r#"
            error: tuesday.json: security group sg-bp1fg655nh68xyz9agw3, rule 1: defined differently in monday.json and tuesday.json: keep one definition, or give files exported at the same time
        "#]],
    );
    // The same response twice is no conflict.
    assert!(load_files(&[("a.json", GATEWAY), ("b.json", GATEWAY)]).is_ok());
}

#[test]
fn listing_and_attribute_disagree() {
    let renamed = edit(
        GROUPS,
        r#""SecurityGroupName": "ai-gateway-managed-sg""#,
        r#""SecurityGroupName": "renamed""#,
    );
    check_loaded(
        &[("gateway.json", GATEWAY), ("groups.json", &renamed)],
        expect![[r#"
            error: groups.json: security group sg-bp1fg655nh68xyz9agw3, field SecurityGroupName: defined differently in gateway.json and groups.json: keep one definition, or give files exported at the same time
            warning: groups.json: security group sg-bp1fg655nh68xyz9dbs2: the rules of security group sg-bp1fg655nh68xyz9dbs2 are unknown, so it is imported without rules: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId sg-bp1fg655nh68xyz9dbs2
            warning: groups.json: security group sg-bp1fg655nh68xyz9ent4: the rules of security group sg-bp1fg655nh68xyz9ent4 are unknown, so it is imported without rules: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId sg-bp1fg655nh68xyz9ent4
            warning: groups.json: security group sg-bp1fg655nh68xyz9web1: the rules of security group sg-bp1fg655nh68xyz9web1 are unknown, so it is imported without rules: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId sg-bp1fg655nh68xyz9web1
        "#]],
    );
}

#[test]
fn instance_and_eni_disagree_on_groups() {
    let changed = edit(
        INTERFACES,
        r#""SecurityGroupId": [
            "sg-bp1fg655nh68xyz9dbs2"
          ]"#,
        r#""SecurityGroupId": [
            "sg-bp1fg655nh68xyz9web1"
          ]"#,
    );
    let mut files = all_fixtures();
    files.retain(|(name, _)| *name != "enis.json");
    files.push(("enis.json", &changed));
    check_loaded(
        &files,
        expect![[r#"
        error: enis.json: network interface eni-bp1db1primary000003, field SecurityGroupIds: the primary ENI of instance i-bp67acfmxazb4ph00db1 is in groups [sg-bp1fg655nh68xyz9dbs2] in instances.json but in [sg-bp1fg655nh68xyz9web1] in enis.json: give files exported at the same time
        warning: legacy.json: security group sg-bp1legacy0console0110, rule 1, field Priority: legacy priority 110 from the old console: imported as lower than 100; the API accepts 1 to 100 only
        warning: legacy.json: security group sg-bp1legacy0console0110, rule 2, field Direction: Direction is missing: read as ingress from the peer fields
        warning: groups.json: security group sg-bp1fg655nh68xyz9ent4: the rules of security group sg-bp1fg655nh68xyz9ent4 are unknown, so it is imported without rules: add the output of aliyun ecs DescribeSecurityGroupAttribute --SecurityGroupId sg-bp1fg655nh68xyz9ent4
        warning: db.json: security group sg-bp1fg655nh68xyz9dbs2, rule 3: the entries of prefix list pl-bp1x1j1k5ykzqlixabc are unknown, so rules naming it match no address: add the prefix list to an sglab file
    "#]],
    );
}

#[test]
fn malformed_json_empty_and_unknown_content() {
    check_loaded(
        &[("junk.json", "{\"SecurityGroupId\": ")],
        expect![[r#"
        error: junk.json:1:20: malformed JSON: the file ends too early (EOF while parsing a value): look for a missing closing bracket or quote
    "#]],
    );
    check_loaded(
        &[("empty.json", "")],
        expect![[r#"
        error: empty.json: the file is empty: give sglab JSON or the JSON printed by an aliyun ecs Describe... command
    "#]],
    );
    check_loaded(
        &[("array.json", "[1, 2]")],
        expect![[r#"
        error: array.json: a JSON array is not recognised: give sglab JSON (with a "sglab" key) or the JSON printed by aliyun ecs DescribeSecurityGroupAttribute, DescribeSecurityGroups, DescribeInstances or DescribeNetworkInterfaces
    "#]],
    );
    check_loaded(
        &[("other.json", r#"{"Vpcs": {"Vpc": []}}"#)],
        expect![[r#"
        error: other.json: the JSON object is not recognised: give sglab JSON (with a "sglab" key) or the JSON printed by aliyun ecs DescribeSecurityGroupAttribute, DescribeSecurityGroups, DescribeInstances or DescribeNetworkInterfaces
    "#]],
    );
    check_loaded(
        &[(
            "typed.json",
            r#"{"SecurityGroupId": "sg-1", "Permissions": {"Permission": "none"}}"#,
        )],
        expect![[r#"
            error: typed.json:1:64: unexpected value: invalid type: string "none", expected a sequence
        "#]],
    );
}

#[test]
fn junk_never_panics() {
    let junk: String = (0..200_000u32)
        .map(|i| char::from(b"{[\"]}:,0a-\\ \n"[(i * 7 % 13) as usize]))
        .collect();
    assert!(load_files(&[("junk", junk.as_str())]).is_err());
    let deep = "[".repeat(100_000);
    assert!(load_files(&[("deep", deep.as_str())]).is_err());
    let deep_object = "{\"SecurityGroups\":".repeat(10_000);
    assert!(load_files(&[("deep", deep_object.as_str())]).is_err());
}

/// Thousands of instances, ENIs and groups import (and in linear time: a quadratic merge would
/// make this test crawl).
#[test]
fn large_responses_import() {
    let groups = 300;
    let instances = 3000;
    let mut listing = Vec::new();
    let mut attributes = Vec::new();
    for group in 0..groups {
        listing.push(format!(
            r#"{{"SecurityGroupId": "sg-{group}", "SecurityGroupName": "g{group}", "SecurityGroupType": "normal", "VpcId": "vpc-1", "ServiceManaged": false, "Tags": {{"Tag": []}}}}"#
        ));
        attributes.push(format!(
            r#"{{"RequestId": "r", "SecurityGroupId": "sg-{group}", "SecurityGroupName": "g{group}", "VpcId": "vpc-1", "InnerAccessPolicy": "Accept", "Description": "", "Permissions": {{"Permission": [
                {{"Direction": "ingress", "Policy": "Accept", "Priority": "1", "IpProtocol": "TCP", "PortRange": "{port}/{port}", "SourceGroupId": "sg-{peer}", "NicType": "intranet"}},
                {{"Direction": "egress", "Policy": "Drop", "Priority": "2", "IpProtocol": "ALL", "PortRange": "-1/-1", "DestCidrIp": "10.{octet}.0.0/16", "NicType": "intranet"}}
            ]}}}}"#,
            port = 1000 + group,
            peer = (group + 1) % groups,
            octet = group % 256,
        ));
    }
    let mut instance_items = Vec::new();
    let mut eni_items = Vec::new();
    for instance in 0..instances {
        let group = instance % groups;
        let ip = format!(
            "10.{}.{}.{}",
            instance / 65536,
            instance / 256 % 256,
            instance % 256
        );
        instance_items.push(format!(
            r#"{{"InstanceId": "i-{instance}", "InstanceName": "n{instance}", "SecurityGroupIds": {{"SecurityGroupId": ["sg-{group}"]}}, "VpcAttributes": {{"VpcId": "vpc-1", "PrivateIpAddress": {{"IpAddress": ["{ip}"]}}}}, "PublicIpAddress": {{"IpAddress": []}}, "EipAddress": {{"IpAddress": ""}}, "NetworkInterfaces": {{"NetworkInterface": [{{"Type": "Primary", "NetworkInterfaceId": "eni-{instance}", "PrimaryIpAddress": "{ip}"}}]}}}}"#
        ));
        eni_items.push(format!(
            r#"{{"NetworkInterfaceId": "eni-{instance}", "InstanceId": "i-{instance}", "Type": "Primary", "VpcId": "vpc-1", "PrivateIpAddress": "{ip}", "SecurityGroupIds": {{"SecurityGroupId": ["sg-{group}"]}}}}"#
        ));
    }
    let mut files = vec![
        (
            "groups.json".to_owned(),
            format!(
                r#"{{"SecurityGroups": {{"SecurityGroup": [{}]}}}}"#,
                listing.join(",")
            ),
        ),
        (
            "instances.json".to_owned(),
            format!(
                r#"{{"Instances": {{"Instance": [{}]}}}}"#,
                instance_items.join(",")
            ),
        ),
        (
            "enis.json".to_owned(),
            format!(
                r#"{{"NetworkInterfaceSets": {{"NetworkInterfaceSet": [{}]}}}}"#,
                eni_items.join(",")
            ),
        ),
    ];
    for (index, attribute) in attributes.into_iter().enumerate() {
        files.push((format!("sg-{index}.json"), attribute));
    }
    let loaded = load_files(&files).unwrap_or_else(|errors| panic!("{:?}", &errors[..3]));
    assert_eq!(loaded.topology.groups.len(), groups);
    assert_eq!(loaded.topology.endpoints.len(), instances);
    assert!(loaded.warnings.is_empty(), "{:?}", &loaded.warnings[..1]);
}
