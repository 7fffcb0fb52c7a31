//! Export round trips: small test-side parsers read the generated aliyun CLI script and the
//! generated Terraform back, and must find exactly the rules of the topology, for every
//! built-in example, every scenario of the corpus, the imported aliyun fixtures and a topology
//! of awkward values.

use std::collections::BTreeMap;
use std::path::Path;

use expect_test::expect;
use ipnet::IpNet;
use sglab_core::export::{aliyun_cli, terraform};
use sglab_core::model::{
    Direction, GroupId, GroupType, InnerAccessPolicy, NicType, Peer, Policy, PortRange, PortSpec,
    PrefixListId, Priority, Protocol, Rule, RuleId, SecurityGroup, Topology, VpcId,
};

/// A rule as the exports can express it: everything but the cloud's rule id.
#[derive(Clone, Debug, PartialEq)]
struct ExportedRule {
    direction: Direction,
    policy: Policy,
    priority: u8,
    protocol: Protocol,
    ports: PortSpec,
    peer: Peer,
    source_ports: Option<PortRange>,
    local_cidr: Option<IpNet>,
    nic_type: NicType,
    description: String,
}

impl From<&Rule> for ExportedRule {
    fn from(rule: &Rule) -> Self {
        ExportedRule {
            direction: rule.direction,
            policy: rule.policy,
            priority: rule.priority.get(),
            protocol: rule.protocol,
            ports: rule.ports,
            peer: rule.peer.clone(),
            source_ports: rule.source_ports,
            local_cidr: rule.local_cidr,
            nic_type: rule.nic_type,
            description: rule.description.clone(),
        }
    }
}

/// The rules each user-managed group should get, per direction, in order.
fn expected_rules(
    topology: &Topology,
    include_quintuple: bool,
) -> BTreeMap<(GroupId, Direction), Vec<ExportedRule>> {
    let mut out = BTreeMap::new();
    for group in topology.groups.values() {
        if group.managed_by.is_some() {
            continue;
        }
        for rule in &group.rules {
            let quintuple = rule.source_ports.is_some() || rule.local_cidr.is_some();
            if quintuple && !include_quintuple {
                continue;
            }
            out.entry((group.id.clone(), rule.direction))
                .or_insert_with(Vec::new)
                .push(ExportedRule::from(rule));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// A test-side reader of the aliyun CLI script

/// Splits a POSIX shell script into commands of words: comments, single quotes (which may
/// span lines), double quotes (keeping `$REGION` literally), backslash escapes and
/// backslash-newline continuations, as the shell reads them.
fn shell_commands(script: &str) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '#' if !in_word => {
                while chars.peek().is_some_and(|&c| c != '\n') {
                    chars.next();
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => panic!("unterminated single quote"),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => panic!("unterminated double quote"),
                        },
                        Some(c) => word.push(c),
                        None => panic!("unterminated double quote"),
                    }
                }
            }
            '\\' => match chars.next() {
                Some('\n') => {}
                Some(c) => {
                    in_word = true;
                    word.push(c);
                }
                None => {}
            },
            '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                if !words.is_empty() {
                    commands.push(std::mem::take(&mut words));
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                assert!(
                    !"$`;&|<>()".contains(c),
                    "unquoted shell metacharacter {c:?} in the script"
                );
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    if !words.is_empty() {
        commands.push(words);
    }
    commands
}

#[derive(Debug, Default, PartialEq)]
struct ScriptResult {
    rules: BTreeMap<(GroupId, Direction), Vec<ExportedRule>>,
    drop_policies: Vec<GroupId>,
}

fn read_script(script: &str) -> ScriptResult {
    let mut result = ScriptResult::default();
    for words in shell_commands(script) {
        match words.first().map(String::as_str) {
            Some("set") | Some(":") => continue,
            Some("aliyun") => {}
            other => panic!("unexpected command {other:?} in {words:?}"),
        }
        assert_eq!(words[1], "ecs");
        let action = words[2].clone();
        let mut params: BTreeMap<String, String> = BTreeMap::new();
        let mut rest = words[3..].iter();
        while let Some(word) = rest.next() {
            let name = word.strip_prefix("--").expect("a --Name");
            let (name, value) = match name.split_once('=') {
                Some((name, value)) => (name.to_owned(), value.to_owned()),
                None => {
                    let value = rest.next().expect("a value").clone();
                    assert!(
                        !value.starts_with('-'),
                        "{value} would be read as a flag: write --{name}={value}"
                    );
                    (name.to_owned(), value)
                }
            };
            assert!(
                params.insert(name, value).is_none(),
                "parameter given twice"
            );
        }
        assert_eq!(params.get("RegionId").map(String::as_str), Some("$REGION"));
        let group = GroupId::from(params["SecurityGroupId"].as_str());
        let direction = match action.as_str() {
            "AuthorizeSecurityGroup" => Direction::Ingress,
            "AuthorizeSecurityGroupEgress" => Direction::Egress,
            "ModifySecurityGroupPolicy" => {
                assert_eq!(params["InnerAccessPolicy"], "Drop");
                result.drop_policies.push(group);
                continue;
            }
            other => panic!("unexpected action {other}"),
        };
        let mut permissions: BTreeMap<usize, BTreeMap<String, String>> = BTreeMap::new();
        for (name, value) in &params {
            if let Some(rest) = name.strip_prefix("Permissions.") {
                let (number, field) = rest.split_once('.').expect("Permissions.N.Field");
                permissions
                    .entry(number.parse().expect("N"))
                    .or_default()
                    .insert(field.to_owned(), value.clone());
            }
        }
        let numbers: Vec<usize> = permissions.keys().copied().collect();
        assert_eq!(numbers, (1..=numbers.len()).collect::<Vec<_>>());
        assert!(numbers.len() <= 100, "at most 100 permissions a call");
        let rules = result.rules.entry((group, direction)).or_default();
        for fields in permissions.values() {
            rules.push(permission_rule(direction, fields));
        }
    }
    result
}

fn permission_rule(direction: Direction, fields: &BTreeMap<String, String>) -> ExportedRule {
    let get = |name: &str| fields.get(name).map(String::as_str);
    let ingress = direction == Direction::Ingress;
    let (peer_side, local_side) = if ingress {
        ("Source", "Dest")
    } else {
        ("Dest", "Source")
    };
    let cidr = |name: String| get(&name).map(|text| text.parse::<IpNet>().expect("CIDR"));
    let peer = if let Some(net) =
        cidr(format!("{peer_side}CidrIp")).or(cidr(format!("Ipv6{peer_side}CidrIp")))
    {
        Peer::Cidr(net)
    } else if let Some(id) = get(&format!("{peer_side}GroupId")) {
        Peer::Group {
            id: GroupId::from(id),
            owner_account: get(&format!("{peer_side}GroupOwnerAccount")).map(str::to_owned),
        }
    } else {
        Peer::PrefixList(PrefixListId::from(
            get(&format!("{peer_side}PrefixListId")).expect("a peer"),
        ))
    };
    let local_cidr =
        cidr(format!("{local_side}CidrIp")).or(cidr(format!("Ipv6{local_side}CidrIp")));
    ExportedRule {
        direction,
        policy: match get("Policy") {
            Some("accept") => Policy::Accept,
            Some("drop") => Policy::Drop,
            other => panic!("policy {other:?}"),
        },
        priority: get("Priority").expect("priority").parse().expect("number"),
        protocol: Protocol::parse(get("IpProtocol").expect("protocol")).expect("protocol"),
        ports: sglab_core::parse_port_spec(get("PortRange").expect("ports")).expect("ports"),
        peer,
        source_ports: get("SourcePortRange").map(|text| {
            sglab_core::parse_port_spec(text)
                .expect("source ports")
                .as_range()
        }),
        local_cidr,
        nic_type: match get("NicType") {
            Some("intranet") => NicType::Intranet,
            Some("internet") => NicType::Internet,
            other => panic!("nic type {other:?}"),
        },
        description: get("Description").unwrap_or_default().to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// A test-side reader of the generated HCL

#[derive(Debug, Clone, PartialEq)]
enum Value {
    String(String),
    Number(u64),
    Reference(String),
    Map(BTreeMap<String, String>),
}

#[derive(Debug)]
struct Block {
    resource_type: String,
    name: String,
    /// The `# ...` comment line right before the block.
    comment: Option<String>,
    attributes: BTreeMap<String, Value>,
}

fn hcl_string(text: &str) -> (String, &str) {
    let mut chars = text.char_indices();
    assert_eq!(chars.next().map(|(_, c)| c), Some('"'));
    let mut out = String::new();
    while let Some((index, c)) = chars.next() {
        match c {
            '"' => return (out, &text[index + 1..]),
            '\\' => match chars.next().map(|(_, c)| c) {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('u') => {
                    let hex: String = (0..4)
                        .filter_map(|_| chars.next().map(|(_, c)| c))
                        .collect();
                    let code = u32::from_str_radix(&hex, 16).expect("hex");
                    out.push(char::from_u32(code).expect("char"));
                }
                other => panic!("escape {other:?}"),
            },
            '$' | '%' => {
                // `$${` and `%%{` stand for a literal `${` and `%{`; a lone `${` would be a
                // template, which the exporter must never write.
                let rest = &text[index + 1..];
                if rest.starts_with(c) && rest[1..].starts_with('{') {
                    chars.next();
                } else {
                    assert!(!rest.starts_with('{'), "template sequence in {text}");
                }
                out.push(c);
            }
            c => out.push(c),
        }
    }
    panic!("unterminated string {text}")
}

fn read_hcl(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().peekable();
    let mut last_comment = None;
    let mut depth_skip = 0;
    while let Some(line) = lines.next() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') {
            last_comment = Some(trimmed.trim_start_matches('#').trim().to_owned());
            continue;
        }
        if trimmed.is_empty() {
            continue;
        }
        if depth_skip > 0 || trimmed.starts_with("terraform {") {
            depth_skip += trimmed.matches('{').count();
            depth_skip -= trimmed.matches('}').count();
            continue;
        }
        let rest = trimmed.strip_prefix("resource ").expect("a resource");
        let (resource_type, rest) = hcl_string(rest);
        let (name, rest) = hcl_string(rest.trim_start());
        assert_eq!(rest.trim(), "{");
        let mut attributes = BTreeMap::new();
        loop {
            let line = lines.next().expect("block end").trim();
            if line == "}" {
                break;
            }
            let (key, value) = line.split_once(" = ").expect("key = value");
            let key = key.trim().to_owned();
            let value = value.trim();
            let value = if value == "{" {
                let mut map = BTreeMap::new();
                loop {
                    let line = lines.next().expect("map end").trim();
                    if line == "}" {
                        break;
                    }
                    let (k, rest) = hcl_string(line);
                    let rest = rest.trim_start().strip_prefix('=').expect("=").trim_start();
                    let (v, rest) = hcl_string(rest);
                    assert!(rest.is_empty());
                    map.insert(k, v);
                }
                Value::Map(map)
            } else if value.starts_with('"') {
                let (text, rest) = hcl_string(value);
                assert!(rest.is_empty(), "trailing text after a string: {rest}");
                Value::String(text)
            } else if let Ok(number) = value.parse() {
                Value::Number(number)
            } else {
                assert!(
                    value.starts_with("alicloud_security_group.") && value.ends_with(".id"),
                    "reference {value}"
                );
                Value::Reference(value.to_owned())
            };
            assert!(attributes.insert(key, value).is_none(), "attribute twice");
        }
        blocks.push(Block {
            resource_type,
            name,
            comment: last_comment.take(),
            attributes,
        });
    }
    blocks
}

#[derive(Debug, Default, PartialEq)]
struct HclResult {
    groups: BTreeMap<GroupId, (String, VpcId, GroupType, Option<InnerAccessPolicy>, String)>,
    rules: BTreeMap<(GroupId, Direction), Vec<ExportedRule>>,
}

fn read_terraform(text: &str) -> HclResult {
    let blocks = read_hcl(text);
    let mut result = HclResult::default();
    let mut group_of_resource = BTreeMap::new();
    let string = |block: &Block, key: &str| match block.attributes.get(key) {
        Some(Value::String(text)) => Some(text.clone()),
        None => None,
        other => panic!("{key} is {other:?}"),
    };
    for block in blocks
        .iter()
        .filter(|block| block.resource_type == "alicloud_security_group")
    {
        let id = GroupId::from(block.comment.as_deref().expect("the group id comment"));
        let group_type = match string(block, "security_group_type").as_deref() {
            Some("normal") => GroupType::Basic,
            Some("enterprise") => GroupType::Enterprise,
            other => panic!("type {other:?}"),
        };
        let inner = string(block, "inner_access_policy").map(|text| match text.as_str() {
            "Accept" => InnerAccessPolicy::Accept,
            "Drop" => InnerAccessPolicy::Drop,
            other => panic!("inner {other}"),
        });
        assert!(
            group_of_resource
                .insert(
                    format!("alicloud_security_group.{}.id", block.name),
                    id.clone()
                )
                .is_none(),
            "resource names are unique"
        );
        result.groups.insert(
            id,
            (
                string(block, "security_group_name").expect("name"),
                VpcId::from(string(block, "vpc_id").expect("vpc").as_str()),
                group_type,
                inner,
                string(block, "description").unwrap_or_default(),
            ),
        );
    }
    let mut rule_names = std::collections::BTreeSet::new();
    for block in blocks
        .iter()
        .filter(|block| block.resource_type == "alicloud_security_group_rule")
    {
        assert!(
            rule_names.insert(block.name.clone()),
            "rule names are unique"
        );
        let group = match &block.attributes["security_group_id"] {
            Value::Reference(reference) => group_of_resource[reference].clone(),
            other => panic!("security_group_id {other:?}"),
        };
        let direction = match string(block, "type").as_deref() {
            Some("ingress") => Direction::Ingress,
            Some("egress") => Direction::Egress,
            other => panic!("type {other:?}"),
        };
        let peer = if let Some(text) = string(block, "cidr_ip").or(string(block, "ipv6_cidr_ip")) {
            Peer::Cidr(text.parse().expect("CIDR"))
        } else if let Some(value) = block.attributes.get("source_security_group_id") {
            let id = match value {
                Value::Reference(reference) => group_of_resource[reference].clone(),
                Value::String(id) => GroupId::from(id.as_str()),
                other => panic!("group {other:?}"),
            };
            Peer::Group {
                id,
                owner_account: string(block, "source_group_owner_account"),
            }
        } else {
            Peer::PrefixList(PrefixListId::from(
                string(block, "prefix_list_id").expect("a peer").as_str(),
            ))
        };
        let priority = match block.attributes.get("priority") {
            Some(Value::Number(number)) => u8::try_from(*number).expect("u8"),
            other => panic!("priority {other:?}"),
        };
        result
            .rules
            .entry((group, direction))
            .or_default()
            .push(ExportedRule {
                direction,
                policy: match string(block, "policy").as_deref() {
                    Some("accept") => Policy::Accept,
                    Some("drop") => Policy::Drop,
                    other => panic!("policy {other:?}"),
                },
                priority,
                protocol: Protocol::parse(&string(block, "ip_protocol").expect("protocol"))
                    .expect("protocol"),
                ports: sglab_core::parse_port_spec(&string(block, "port_range").expect("ports"))
                    .expect("ports"),
                peer,
                source_ports: None,
                local_cidr: None,
                nic_type: match string(block, "nic_type").as_deref() {
                    Some("intranet") => NicType::Intranet,
                    Some("internet") => NicType::Internet,
                    other => panic!("nic type {other:?}"),
                },
                description: string(block, "description").unwrap_or_default(),
            });
    }
    result
}

// ---------------------------------------------------------------------------------------------
// The round trips

fn assert_round_trips(label: &str, topology: &Topology) {
    let script = aliyun_cli(topology);
    let read = read_script(&script);
    assert_eq!(
        read.rules,
        expected_rules(topology, true),
        "{label}: aliyun CLI script\n{script}"
    );
    let drop_groups: Vec<GroupId> = topology
        .groups
        .values()
        .filter(|group| {
            group.managed_by.is_none()
                && group.group_type == GroupType::Basic
                && group.inner_access_policy == InnerAccessPolicy::Drop
        })
        .map(|group| group.id.clone())
        .collect();
    assert_eq!(
        read.drop_policies, drop_groups,
        "{label}: ModifySecurityGroupPolicy"
    );

    let hcl = terraform(topology);
    let read = read_terraform(&hcl);
    assert_eq!(
        read.rules,
        expected_rules(topology, false),
        "{label}: Terraform\n{hcl}"
    );
    let groups: BTreeMap<GroupId, _> = topology
        .groups
        .values()
        .filter(|group| group.managed_by.is_none())
        .map(|group| {
            (
                group.id.clone(),
                (
                    group.name.clone(),
                    group.vpc.clone(),
                    group.group_type,
                    (group.group_type == GroupType::Basic).then_some(group.inner_access_policy),
                    group.description.clone(),
                ),
            )
        })
        .collect();
    assert_eq!(read.groups, groups, "{label}: Terraform groups");
}

#[test]
fn every_example_round_trips() {
    let examples = sglab_core::examples::examples();
    assert!(!examples.is_empty());
    for example in examples {
        let parsed = sglab_core::load::parse_sglab(example.json, Some(example.id))
            .unwrap_or_else(|errors| panic!("{}: {errors:?}", example.id));
        assert_round_trips(example.id, &parsed.topology);
    }
}

#[test]
fn every_corpus_topology_round_trips() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/scenarios");
    let mut seen = 0;
    for entry in std::fs::read_dir(&corpus).expect("the corpus directory") {
        let path = entry.expect("an entry").path();
        if path.extension().and_then(|ext| ext.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("readable");
        let name = path.display().to_string();
        // A scenario file is sglab JSON; files the importer cannot read are the corpus
        // runner's concern, not this test's.
        if let Ok(loaded) = sglab_core::import::load_files(&[(name.as_str(), text.as_str())]) {
            assert_round_trips(&name, &loaded.topology);
            seen += 1;
        }
    }
    assert!(seen > 0, "the corpus holds scenario files");
}

#[test]
fn imported_fixtures_round_trip() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aliyun");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("fixtures") {
        let path = entry.expect("an entry").path();
        files.push((
            path.file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned(),
            std::fs::read_to_string(&path).expect("readable"),
        ));
    }
    files.sort();
    let loaded = sglab_core::import::load_files(&files).expect("the fixtures import");
    assert_round_trips("aliyun fixtures", &loaded.topology);
}

/// A topology of awkward values: quotes, spaces, `$`, `${`, backslashes and newlines in
/// descriptions, values starting with `-`, names that sanitize to the same identifier, IPv6,
/// prefix lists, owner accounts, legacy priority, a quintuple rule, a managed group, an
/// enterprise group, a Drop intra-group policy and more than 100 rules in one direction.
fn awkward_topology() -> Topology {
    let vpc = VpcId::from("vpc-1");
    let rule =
        |direction, policy, priority: u32, protocol, ports: &str, peer: Peer, description: &str| {
            Rule {
                id: Some(RuleId::from("sgr-ignored")),
                direction,
                policy,
                priority: Priority::new(priority).expect("priority"),
                protocol,
                ports: sglab_core::parse_port_spec(ports).expect("ports"),
                peer,
                source_ports: None,
                local_cidr: None,
                nic_type: NicType::Intranet,
                description: description.to_owned(),
            }
        };
    let cidr = |text: &str| Peer::Cidr(text.parse().expect("cidr"));
    let group_peer = |id: &str, owner: Option<&str>| Peer::Group {
        id: GroupId::from(id),
        owner_account: owner.map(str::to_owned),
    };
    let group = |id: &str, name: &str, group_type, inner, rules: Vec<Rule>| SecurityGroup {
        id: GroupId::from(id),
        name: name.to_owned(),
        description: format!("{name}: \"quoted\" and 'single' ${{HOME}} %{{x}}\\"),
        tags: BTreeMap::from([("owner".to_owned(), "it's \"me\"".to_owned())]),
        vpc: vpc.clone(),
        group_type,
        inner_access_policy: inner,
        managed_by: None,
        rules: rules.into(),
    };
    let mut web_rules = vec![
        rule(
            Direction::Ingress,
            Policy::Accept,
            1,
            Protocol::Tcp,
            "8080/8080",
            group_peer("sg-gw", None),
            "from the gateway; it's \"authorized\"",
        ),
        rule(
            Direction::Ingress,
            Policy::Drop,
            2,
            Protocol::Tcp,
            "22/22",
            cidr("0.0.0.0/0"),
            "-starts with a dash",
        ),
        rule(
            Direction::Ingress,
            Policy::Accept,
            110,
            Protocol::All,
            "-1/-1",
            cidr("10.0.0.0/8"),
            "legacy $PATH `cmd` $(rm -rf /) \\ end",
        ),
        rule(
            Direction::Ingress,
            Policy::Accept,
            100,
            Protocol::Icmpv6,
            "-1/-1",
            cidr("2001:db8::/32"),
            "line one\nline two\ttabbed",
        ),
        rule(
            Direction::Ingress,
            Policy::Accept,
            5,
            Protocol::Tcp,
            "443/443",
            Peer::PrefixList(PrefixListId::from("pl-office")),
            "",
        ),
        rule(
            Direction::Ingress,
            Policy::Accept,
            6,
            Protocol::Udp,
            "53/53",
            group_peer("sg-db", Some("1234567890")),
            "cross-account \u{1}",
        ),
        rule(
            Direction::Egress,
            Policy::Drop,
            1,
            Protocol::Tcp,
            "25/25",
            cidr("0.0.0.0/0"),
            "no mail",
        ),
        rule(
            Direction::Egress,
            Policy::Accept,
            1,
            Protocol::Gre,
            "-1/-1",
            cidr("::/0"),
            "",
        ),
        rule(
            Direction::Egress,
            Policy::Accept,
            3,
            Protocol::Tcp,
            "3306/3306",
            group_peer("sg-db", None),
            "to db",
        ),
    ];
    let mut quintuple = rule(
        Direction::Egress,
        Policy::Accept,
        7,
        Protocol::Udp,
        "53/53",
        cidr("100.100.2.136/32"),
        "DNS",
    );
    quintuple.source_ports = Some(PortRange::new(1024, 65535).expect("range"));
    quintuple.local_cidr = Some("10.0.1.0/24".parse().expect("cidr"));
    web_rules.push(quintuple);
    let mut ingress_quintuple = rule(
        Direction::Ingress,
        Policy::Accept,
        7,
        Protocol::Tcp,
        "80/80",
        cidr("0.0.0.0/0"),
        "",
    );
    ingress_quintuple.local_cidr = Some("2001:db8:1::/64".parse().expect("cidr"));
    web_rules.push(ingress_quintuple);
    let many: Vec<Rule> = (1..=130u16)
        .map(|port| {
            rule(
                Direction::Ingress,
                Policy::Accept,
                u32::from(port % 100 + 1),
                Protocol::Tcp,
                &format!("{}/{}", 1000 + port, 2000 + port),
                cidr(&format!("10.{}.0.0/16", port)),
                &format!("rule {port}"),
            )
        })
        .collect();
    let mut gateway = group(
        "sg-gw",
        "gateway managed",
        GroupType::Basic,
        InnerAccessPolicy::Accept,
        vec![rule(
            Direction::Ingress,
            Policy::Accept,
            1,
            Protocol::Tcp,
            "443/443",
            cidr("0.0.0.0/0"),
            "",
        )],
    );
    gateway.managed_by = Some("AI Gateway".to_owned());
    let groups = vec![
        group(
            "sg-web",
            "Web servers",
            GroupType::Basic,
            InnerAccessPolicy::Drop,
            web_rules,
        ),
        group(
            "sg-web2",
            "web-servers",
            GroupType::Basic,
            InnerAccessPolicy::Accept,
            many,
        ),
        group(
            "sg-db",
            "1 db",
            GroupType::Basic,
            InnerAccessPolicy::Accept,
            vec![],
        ),
        group(
            "sg-ent",
            "",
            GroupType::Enterprise,
            InnerAccessPolicy::Drop,
            vec![rule(
                Direction::Egress,
                Policy::Accept,
                1,
                Protocol::All,
                "-1/-1",
                cidr("0.0.0.0/0"),
                "console default",
            )],
        ),
        gateway,
    ];
    Topology {
        name: "awkward \"values\"\nsecond line".to_owned(),
        groups: groups
            .into_iter()
            .map(|group| (group.id.clone(), group))
            .collect(),
        ..Topology::default()
    }
}

#[test]
fn awkward_values_round_trip() {
    assert_round_trips("awkward", &awkward_topology());
}

#[test]
fn terraform_output() {
    let mut topology = awkward_topology();
    topology.groups.retain(|id, _| id.as_str() != "sg-web2");
    expect![[r##"
        # Generated by sglab from awkward "values" second line.
        # Security groups and rules for the aliyun/alicloud Terraform provider.

        terraform {
          required_providers {
            alicloud = {
              source = "aliyun/alicloud"
            }
          }
        }

        # sg-db
        resource "alicloud_security_group" "sg_1_db" {
          security_group_name = "1 db"
          vpc_id              = "vpc-1"
          security_group_type = "normal"
          inner_access_policy = "Accept"
          description         = "1 db: \"quoted\" and 'single' $${HOME} %%{x}\\"
          tags = {
            "owner" = "it's \"me\""
          }
        }

        # sg-ent
        resource "alicloud_security_group" "sg_ent" {
          security_group_name = ""
          vpc_id              = "vpc-1"
          security_group_type = "enterprise"
          description         = ": \"quoted\" and 'single' $${HOME} %%{x}\\"
          tags = {
            "owner" = "it's \"me\""
          }
        }

        resource "alicloud_security_group_rule" "sg_ent_egress_1" {
          type              = "egress"
          ip_protocol       = "all"
          policy            = "accept"
          priority          = 1
          port_range        = "-1/-1"
          nic_type          = "intranet"
          security_group_id = alicloud_security_group.sg_ent.id
          cidr_ip           = "0.0.0.0/0"
          description       = "console default"
        }

        # sg-gw (gateway managed) is managed by AI Gateway: it is read-only, so it is neither created nor changed here.

        # sg-web
        resource "alicloud_security_group" "web_servers" {
          security_group_name = "Web servers"
          vpc_id              = "vpc-1"
          security_group_type = "normal"
          inner_access_policy = "Drop"
          description         = "Web servers: \"quoted\" and 'single' $${HOME} %%{x}\\"
          tags = {
            "owner" = "it's \"me\""
          }
        }

        resource "alicloud_security_group_rule" "web_servers_ingress_1" {
          type                     = "ingress"
          ip_protocol              = "tcp"
          policy                   = "accept"
          priority                 = 1
          port_range               = "8080/8080"
          nic_type                 = "intranet"
          security_group_id        = alicloud_security_group.web_servers.id
          source_security_group_id = "sg-gw"
          description              = "from the gateway; it's \"authorized\""
        }

        resource "alicloud_security_group_rule" "web_servers_ingress_2" {
          type              = "ingress"
          ip_protocol       = "tcp"
          policy            = "drop"
          priority          = 2
          port_range        = "22/22"
          nic_type          = "intranet"
          security_group_id = alicloud_security_group.web_servers.id
          cidr_ip           = "0.0.0.0/0"
          description       = "-starts with a dash"
        }

        # Legacy priority 110 from the old console: the provider accepts 1 to 100 only.
        resource "alicloud_security_group_rule" "web_servers_ingress_3" {
          type              = "ingress"
          ip_protocol       = "all"
          policy            = "accept"
          priority          = 110
          port_range        = "-1/-1"
          nic_type          = "intranet"
          security_group_id = alicloud_security_group.web_servers.id
          cidr_ip           = "10.0.0.0/8"
          description       = "legacy $PATH `cmd` $(rm -rf /) \\ end"
        }

        resource "alicloud_security_group_rule" "web_servers_ingress_4" {
          type              = "ingress"
          ip_protocol       = "icmpv6"
          policy            = "accept"
          priority          = 100
          port_range        = "-1/-1"
          nic_type          = "intranet"
          security_group_id = alicloud_security_group.web_servers.id
          ipv6_cidr_ip      = "2001:db8::/32"
          description       = "line one\nline two\ttabbed"
        }

        resource "alicloud_security_group_rule" "web_servers_ingress_5" {
          type              = "ingress"
          ip_protocol       = "tcp"
          policy            = "accept"
          priority          = 5
          port_range        = "443/443"
          nic_type          = "intranet"
          security_group_id = alicloud_security_group.web_servers.id
          prefix_list_id    = "pl-office"
        }

        resource "alicloud_security_group_rule" "web_servers_ingress_6" {
          type                       = "ingress"
          ip_protocol                = "udp"
          policy                     = "accept"
          priority                   = 6
          port_range                 = "53/53"
          nic_type                   = "intranet"
          security_group_id          = alicloud_security_group.web_servers.id
          source_security_group_id   = alicloud_security_group.sg_1_db.id
          source_group_owner_account = "1234567890"
          description                = "cross-account \u0001"
        }

        # Not exported: alicloud_security_group_rule cannot express the local CIDR 2001:db8:1::/64 of this rule.
        # resource "alicloud_security_group_rule" "web_servers_ingress_7" {
        #   type              = "ingress"
        #   ip_protocol       = "tcp"
        #   policy            = "accept"
        #   priority          = 7
        #   port_range        = "80/80"
        #   nic_type          = "intranet"
        #   security_group_id = alicloud_security_group.web_servers.id
        #   cidr_ip           = "0.0.0.0/0"
        # }

        resource "alicloud_security_group_rule" "web_servers_egress_1" {
          type              = "egress"
          ip_protocol       = "tcp"
          policy            = "drop"
          priority          = 1
          port_range        = "25/25"
          nic_type          = "intranet"
          security_group_id = alicloud_security_group.web_servers.id
          cidr_ip           = "0.0.0.0/0"
          description       = "no mail"
        }

        resource "alicloud_security_group_rule" "web_servers_egress_2" {
          type              = "egress"
          ip_protocol       = "gre"
          policy            = "accept"
          priority          = 1
          port_range        = "-1/-1"
          nic_type          = "intranet"
          security_group_id = alicloud_security_group.web_servers.id
          ipv6_cidr_ip      = "::/0"
        }

        resource "alicloud_security_group_rule" "web_servers_egress_3" {
          type                     = "egress"
          ip_protocol              = "tcp"
          policy                   = "accept"
          priority                 = 3
          port_range               = "3306/3306"
          nic_type                 = "intranet"
          security_group_id        = alicloud_security_group.web_servers.id
          source_security_group_id = alicloud_security_group.sg_1_db.id
          description              = "to db"
        }

        # Not exported: alicloud_security_group_rule cannot express the source port range 1024/65535 and local CIDR 10.0.1.0/24 of this rule.
        # resource "alicloud_security_group_rule" "web_servers_egress_4" {
        #   type              = "egress"
        #   ip_protocol       = "udp"
        #   policy            = "accept"
        #   priority          = 7
        #   port_range        = "53/53"
        #   nic_type          = "intranet"
        #   security_group_id = alicloud_security_group.web_servers.id
        #   cidr_ip           = "100.100.2.136/32"
        #   description       = "DNS"
        # }
    "##]].assert_eq(&terraform(&topology));
}

#[test]
fn aliyun_cli_output() {
    let mut topology = awkward_topology();
    topology.groups.retain(|id, _| id.as_str() != "sg-web2");
    expect![[r##"
        #!/bin/sh
        # Generated by sglab from awkward "values" second line.
        # Creates the security-group rules of the topology in the existing groups.
        set -eu
        : "${REGION:?set REGION to the region id of the groups, for example cn-hangzhou}"

        # Security group sg-db (1 db, normal, vpc-1)
        # To create it in another account, run this and use the new id below:
        # aliyun ecs CreateSecurityGroup --RegionId "$REGION" --VpcId vpc-1 --SecurityGroupName '1 db' --SecurityGroupType normal --Description '1 db: "quoted" and '\''single'\'' ${HOME} %{x}\' --Tag.1.Key owner --Tag.1.Value 'it'\''s "me"'

        # Security group sg-ent (enterprise, vpc-1)
        # To create it in another account, run this and use the new id below:
        # aliyun ecs CreateSecurityGroup --RegionId "$REGION" --VpcId vpc-1 --SecurityGroupName '' --SecurityGroupType enterprise --Description ': "quoted" and '\''single'\'' ${HOME} %{x}\' --Tag.1.Key owner --Tag.1.Value 'it'\''s "me"'
        aliyun ecs AuthorizeSecurityGroupEgress --RegionId "$REGION" --SecurityGroupId sg-ent \
            --Permissions.1.Policy accept --Permissions.1.Priority 1 --Permissions.1.IpProtocol all --Permissions.1.PortRange=-1/-1 --Permissions.1.DestCidrIp 0.0.0.0/0 --Permissions.1.NicType intranet --Permissions.1.Description 'console default'

        # Security group sg-gw (gateway managed, normal, vpc-1)
        # Managed by AI Gateway: read-only, so its rules are not exported.

        # Security group sg-web (Web servers, normal, vpc-1)
        # To create it in another account, run this and use the new id below:
        # aliyun ecs CreateSecurityGroup --RegionId "$REGION" --VpcId vpc-1 --SecurityGroupName 'Web servers' --SecurityGroupType normal --Description 'Web servers: "quoted" and '\''single'\'' ${HOME} %{x}\' --Tag.1.Key owner --Tag.1.Value 'it'\''s "me"'
        aliyun ecs ModifySecurityGroupPolicy --RegionId "$REGION" --SecurityGroupId sg-web --InnerAccessPolicy Drop
        # Rule sgr-ignored has the legacy priority 110, which the API no longer accepts: use 1 to 100.
        aliyun ecs AuthorizeSecurityGroup --RegionId "$REGION" --SecurityGroupId sg-web \
            --Permissions.1.Policy accept --Permissions.1.Priority 1 --Permissions.1.IpProtocol tcp --Permissions.1.PortRange 8080/8080 --Permissions.1.SourceGroupId sg-gw --Permissions.1.NicType intranet --Permissions.1.Description 'from the gateway; it'\''s "authorized"' \
            --Permissions.2.Policy drop --Permissions.2.Priority 2 --Permissions.2.IpProtocol tcp --Permissions.2.PortRange 22/22 --Permissions.2.SourceCidrIp 0.0.0.0/0 --Permissions.2.NicType intranet --Permissions.2.Description='-starts with a dash' \
            --Permissions.3.Policy accept --Permissions.3.Priority 110 --Permissions.3.IpProtocol all --Permissions.3.PortRange=-1/-1 --Permissions.3.SourceCidrIp 10.0.0.0/8 --Permissions.3.NicType intranet --Permissions.3.Description 'legacy $PATH `cmd` $(rm -rf /) \ end' \
            --Permissions.4.Policy accept --Permissions.4.Priority 100 --Permissions.4.IpProtocol icmpv6 --Permissions.4.PortRange=-1/-1 --Permissions.4.Ipv6SourceCidrIp 2001:db8::/32 --Permissions.4.NicType intranet --Permissions.4.Description 'line one
        line two	tabbed' \
            --Permissions.5.Policy accept --Permissions.5.Priority 5 --Permissions.5.IpProtocol tcp --Permissions.5.PortRange 443/443 --Permissions.5.SourcePrefixListId pl-office --Permissions.5.NicType intranet \
            --Permissions.6.Policy accept --Permissions.6.Priority 6 --Permissions.6.IpProtocol udp --Permissions.6.PortRange 53/53 --Permissions.6.SourceGroupId sg-db --Permissions.6.SourceGroupOwnerAccount 1234567890 --Permissions.6.NicType intranet --Permissions.6.Description 'cross-account ' \
            --Permissions.7.Policy accept --Permissions.7.Priority 7 --Permissions.7.IpProtocol tcp --Permissions.7.PortRange 80/80 --Permissions.7.SourceCidrIp 0.0.0.0/0 --Permissions.7.Ipv6DestCidrIp 2001:db8:1::/64 --Permissions.7.NicType intranet
        aliyun ecs AuthorizeSecurityGroupEgress --RegionId "$REGION" --SecurityGroupId sg-web \
            --Permissions.1.Policy drop --Permissions.1.Priority 1 --Permissions.1.IpProtocol tcp --Permissions.1.PortRange 25/25 --Permissions.1.DestCidrIp 0.0.0.0/0 --Permissions.1.NicType intranet --Permissions.1.Description 'no mail' \
            --Permissions.2.Policy accept --Permissions.2.Priority 1 --Permissions.2.IpProtocol gre --Permissions.2.PortRange=-1/-1 --Permissions.2.Ipv6DestCidrIp ::/0 --Permissions.2.NicType intranet \
            --Permissions.3.Policy accept --Permissions.3.Priority 3 --Permissions.3.IpProtocol tcp --Permissions.3.PortRange 3306/3306 --Permissions.3.DestGroupId sg-db --Permissions.3.NicType intranet --Permissions.3.Description 'to db' \
            --Permissions.4.Policy accept --Permissions.4.Priority 7 --Permissions.4.IpProtocol udp --Permissions.4.PortRange 53/53 --Permissions.4.DestCidrIp 100.100.2.136/32 --Permissions.4.SourcePortRange 1024/65535 --Permissions.4.SourceCidrIp 10.0.1.0/24 --Permissions.4.NicType intranet --Permissions.4.Description DNS
    "##]].assert_eq(&aliyun_cli(&topology));
}
