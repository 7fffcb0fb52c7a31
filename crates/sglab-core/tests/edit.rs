//! Edits of the topology, data-driven: each case is a small sglab file, an edit, and what the
//! edit changed (the fields of the sglab JSON that differ, `-` before and `+` after, with what
//! the edit asks of its caller) or why it was refused. A refused edit must leave the topology
//! as it was; the property test at the end checks that on generated topologies. The cases of
//! rules, prefix lists and fixes are here, the others in `edit/` by concern.
//!
//! Refresh the expectations with `UPDATE_EXPECT=1 cargo test -p sglab-core --test edit`.

use std::collections::BTreeMap;

use expect_test::{expect, Expect};
use proptest::prelude::*;
use serde_json::Value;
use sglab_core::edit::{apply, Applied, Edit, NewEndpoint, ObjectId};
use sglab_core::fix::Fix;
use sglab_core::format::to_sglab_json;
use sglab_core::gateway::Cascade;
use sglab_core::generate::{generate, GenParams, Shape};
use sglab_core::load::parse_sglab;
use sglab_core::model::{
    Cluster, ClusterId, Direction, EndpointId, GatewayId, GatewayKind, GroupId, GroupType,
    NetworkMode, NicType, Peer, Policy, PortRange, PortSpec, PrefixList, PrefixListId, Priority,
    Protocol, Rule, Topology, Vpc, VpcId,
};

#[path = "edit/endpoint.rs"]
mod endpoint;
#[path = "edit/gateway.rs"]
mod gateway;
#[path = "edit/network.rs"]
mod network;

/// A VPC with a web tier open to the internet, a database tier open to the web tier, an idle
/// group, an enterprise group, an AI gateway with its managed group and node, an external
/// client and a prefix list.
const LAB: &str = r#"{"sglab": 1, "name": "lab",
  "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/24"}, {"id": "vpc-2", "cidr": "10.1.0.0/24"}],
  "security_groups": [
    {"id": "sg-web", "vpc": "vpc-1", "rules": [
      {"direction": "ingress", "policy": "accept", "priority": 1, "protocol": "tcp",
       "port_range": "80/80", "cidr": "0.0.0.0/0"}]},
    {"id": "sg-db", "vpc": "vpc-1", "rules": [
      {"direction": "ingress", "policy": "accept", "priority": 1, "protocol": "tcp",
       "port_range": "5432/5432", "group": "sg-web"}]},
    {"id": "sg-idle", "vpc": "vpc-1"},
    {"id": "sg-ent", "vpc": "vpc-1", "type": "enterprise"},
    {"id": "sg-gw", "vpc": "vpc-1", "managed_by": "AI Gateway"}
  ],
  "endpoints": [
    {"id": "i-web", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.0.3", "groups": ["sg-web"],
     "services": [{"name": "web", "protocol": "tcp", "port_range": "80/80", "up": false}]},
    {"id": "i-db", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.0.4", "groups": ["sg-db"]},
    {"id": "gw-node", "kind": "gateway_node", "gateway": "gw-1", "vpc": "vpc-1",
     "private_ip": "10.0.0.5", "groups": ["sg-gw"]},
    {"id": "client", "kind": "external", "cidr": "203.0.113.10/32"}
  ],
  "gateways": [{"id": "gw-1", "name": "AI gateway", "kind": "ai_gateway", "vpc": "vpc-1",
    "managed_group": "sg-gw"}],
  "prefix_lists": [{"id": "pl-office", "name": "office", "cidrs": ["192.0.2.0/24"]}],
  "layout": {"i-web": {"x": 10, "y": 20}}
}"#;

/// A cluster of the given network mode with one node, and a pod on it.
fn cluster_lab(network_mode: &str) -> String {
    r#"{"sglab": 1,
  "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/24"}],
  "security_groups": [{"id": "sg-node", "vpc": "vpc-1"}, {"id": "sg-extra", "vpc": "vpc-1"}],
  "clusters": [{"id": "c-k8s", "vpc": "vpc-1", "pod_cidr": "172.18.0.0/16", "network_mode": "MODE"}],
  "endpoints": [
    {"id": "i-node", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.0.3",
     "groups": ["sg-node", "sg-extra"]}
  ]
}"#
    .replace("MODE", network_mode)
}

fn topology(fixture: &str) -> Topology {
    match parse_sglab(fixture, None) {
        Ok(parsed) => parsed.topology,
        Err(diagnostics) => panic!(
            "the fixture is invalid: {:#?}",
            diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
        ),
    }
}

/// Applies `edit` to the topology of `fixture` and compares what changed, or the refusal, with
/// `expect`. A refusal must leave the topology untouched.
fn check(fixture: &str, edit: Edit, expect: Expect) {
    let before = topology(fixture);
    let mut after = before.clone();
    let actual = match apply(&mut after, &edit) {
        Ok(applied) => format!("{}{}", summary(&applied), changes(&before, &after)),
        Err(error) => {
            assert_eq!(
                after, before,
                "a refused edit leaves the topology untouched"
            );
            format!("refused: {error}\n")
        }
    };
    expect.assert_eq(&actual);
}

/// What an applied edit asks of its caller, one line each.
fn summary(applied: &Applied) -> String {
    let Applied {
        select,
        message,
        added_rule,
    } = applied;
    let mut out = String::new();
    if let Some(object) = select {
        let (kind, id) = match object {
            ObjectId::Vpc(id) => ("vpc", id.to_string()),
            ObjectId::Group(id) => ("group", id.to_string()),
            ObjectId::Endpoint(id) => ("endpoint", id.to_string()),
            ObjectId::Cluster(id) => ("cluster", id.to_string()),
            ObjectId::Gateway(id) => ("gateway", id.to_string()),
            ObjectId::PrefixList(id) => ("prefix list", id.to_string()),
        };
        out.push_str(&format!("select {kind} {id}\n"));
    }
    if let Some(message) = message {
        out.push_str(&format!("message: {message}\n"));
    }
    if let Some((group, index)) = added_rule {
        out.push_str(&format!("added rule: {group} index {index}\n"));
    }
    out
}

/// The fields of the sglab JSON that differ, by path.
fn changes(before: &Topology, after: &Topology) -> String {
    let (before, after) = (fields(before), fields(after));
    let mut out = String::new();
    let paths: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for path in paths {
        match (before.get(path), after.get(path)) {
            (Some(old), Some(new)) if old == new => {}
            (old, new) => {
                if let Some(old) = old {
                    out.push_str(&format!("- {path} = {old}\n"));
                }
                if let Some(new) = new {
                    out.push_str(&format!("+ {path} = {new}\n"));
                }
            }
        }
    }
    if out.is_empty() {
        out.push_str("no change\n");
    }
    out
}

fn fields(topology: &Topology) -> BTreeMap<String, String> {
    let value: Value = serde_json::from_str(&to_sglab_json(topology)).expect("sglab JSON is JSON");
    let mut out = BTreeMap::new();
    flatten(&value, String::new(), &mut out);
    out
}

fn flatten(value: &Value, path: String, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (key, value) in map {
                let path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                flatten(value, path, out);
            }
        }
        // Objects with an id are named by it; anything else in a list (rules, addresses,
        // group lists) is one line, at its place.
        Value::Array(items) if !items.is_empty() => {
            for (index, item) in items.iter().enumerate() {
                match item.get("id").and_then(Value::as_str) {
                    Some(id) => flatten(item, format!("{path}[{id}]"), out),
                    None => {
                        out.insert(format!("{path}[{index}]"), item.to_string());
                    }
                }
            }
        }
        leaf => {
            out.insert(path, leaf.to_string());
        }
    }
}

/// An inbound TCP rule accepting `ports` from `peer` at priority 1.
fn tcp_in(ports: (u16, u16), peer: Peer) -> Rule {
    Rule {
        id: None,
        direction: Direction::Ingress,
        policy: Policy::Accept,
        priority: Priority::HIGHEST,
        protocol: Protocol::Tcp,
        ports: PortSpec::Range(PortRange::new(ports.0, ports.1).expect("a valid range")),
        peer,
        source_ports: None,
        local_cidr: None,
        nic_type: NicType::Intranet,
        description: String::new(),
    }
}

fn cidr(text: &str) -> Peer {
    Peer::Cidr(text.parse().expect("a valid block"))
}

fn group_peer(id: &str) -> Peer {
    Peer::Group {
        id: GroupId::from(id),
        owner_account: None,
    }
}

fn group(id: &str) -> GroupId {
    GroupId::from(id)
}

#[test]
fn rename_topology() {
    check(
        LAB,
        Edit::RenameTopology("renamed".to_owned()),
        expect![[r#"
            - name = "lab"
            + name = "renamed"
        "#]],
    );
}

#[test]
fn add_rule_appends_and_names_the_rule() {
    check(
        LAB,
        Edit::AddRule {
            group: group("sg-idle"),
            rule: tcp_in((22, 22), cidr("10.0.0.0/8")),
        },
        expect![[r#"
            added rule: sg-idle index 0
            - security_groups[sg-idle].rules = []
            + security_groups[sg-idle].rules[0] = {"cidr":"10.0.0.0/8","direction":"ingress","policy":"accept","port_range":"22/22","priority":1,"protocol":"tcp"}
        "#]],
    );
}

#[test]
fn add_rule_is_refused_on_a_managed_group() {
    check(
        LAB,
        Edit::AddRule {
            group: group("sg-gw"),
            rule: tcp_in((22, 22), cidr("10.0.0.0/8")),
        },
        expect![[r#"
            refused: sg-gw is managed by AI Gateway and is read-only: change it through the product (for a gateway, its Security Group Authorizations)
        "#]],
    );
}

#[test]
fn add_rule_is_refused_when_the_rule_cannot_exist() {
    check(
        LAB,
        Edit::AddRule {
            group: group("sg-ent"),
            rule: tcp_in((22, 22), group_peer("sg-web")),
        },
        expect![[r#"
            refused: the change would make the topology invalid: security group sg-ent is an enterprise group and cannot reference another group: use a CIDR block or a prefix list (OperationDenied)
        "#]],
    );
    check(
        LAB,
        Edit::AddRule {
            group: group("sg-web"),
            rule: tcp_in((22, 22), group_peer("sg-web")),
        },
        expect![[r#"
            refused: the change would make the topology invalid: security group sg-web cannot name itself as peer: intra-group traffic is governed by inner_access_policy (InvalidParamter.Conflict)
        "#]],
    );
}

#[test]
fn set_rule_replaces_one_rule() {
    check(
        LAB,
        Edit::SetRule {
            group: group("sg-web"),
            index: 0,
            rule: tcp_in((443, 443), cidr("0.0.0.0/0")),
        },
        expect![[r#"
            - security_groups[sg-web].rules[0] = {"cidr":"0.0.0.0/0","direction":"ingress","policy":"accept","port_range":"80/80","priority":1,"protocol":"tcp"}
            + security_groups[sg-web].rules[0] = {"cidr":"0.0.0.0/0","direction":"ingress","policy":"accept","port_range":"443/443","priority":1,"protocol":"tcp"}
        "#]],
    );
}

#[test]
fn set_rule_is_refused_on_a_bad_index() {
    check(
        LAB,
        Edit::SetRule {
            group: group("sg-web"),
            index: 1,
            rule: tcp_in((443, 443), cidr("0.0.0.0/0")),
        },
        expect![[r#"
            refused: sg-web has no rule 2
        "#]],
    );
}

#[test]
fn delete_rule() {
    check(
        LAB,
        Edit::DeleteRule {
            group: group("sg-db"),
            index: 0,
        },
        expect![[r#"
            + security_groups[sg-db].rules = []
            - security_groups[sg-db].rules[0] = {"direction":"ingress","group":"sg-web","policy":"accept","port_range":"5432/5432","priority":1,"protocol":"tcp"}
        "#]],
    );
    check(
        LAB,
        Edit::DeleteRule {
            group: group("sg-db"),
            index: 1,
        },
        expect![[r#"
            refused: sg-db has no rule 2
        "#]],
    );
    check(
        LAB,
        Edit::DeleteRule {
            group: group("sg-nowhere"),
            index: 0,
        },
        expect![[r#"
            refused: security group sg-nowhere does not exist (InvalidSecurityGroupId.NotFound)
        "#]],
    );
}

#[test]
fn add_prefix_list_starts_empty() {
    check(
        LAB,
        Edit::AddPrefixList,
        expect![[r#"
        select prefix list pl-1
        + prefix_lists[pl-1].cidrs = []
        + prefix_lists[pl-1].id = "pl-1"
        + prefix_lists[pl-1].name = "new prefix list"
    "#]],
    );
}

#[test]
fn set_prefix_list() {
    let office = PrefixList {
        id: PrefixListId::from("pl-office"),
        name: "offices".to_owned(),
        cidrs: vec!["192.0.2.0/24".parse().expect("a valid block")],
    };
    let with_entries = sglab_core::edit::prefix_list_with_entries(
        &office,
        "192.0.2.0/24,\n198.51.100.0/24  10.0.0.1/8\n\n",
    )
    .expect("the entries are valid");
    check(
        LAB,
        Edit::SetPrefixList(with_entries),
        expect![[r#"
        + prefix_lists[pl-office].cidrs[1] = "198.51.100.0/24"
        + prefix_lists[pl-office].cidrs[2] = "10.0.0.0/8"
        - prefix_lists[pl-office].name = "office"
        + prefix_lists[pl-office].name = "offices"
    "#]],
    );
    let ghost = PrefixList {
        id: PrefixListId::from("pl-ghost"),
        ..office
    };
    check(
        LAB,
        Edit::SetPrefixList(ghost),
        expect![[r#"
        refused: there is no prefix list pl-ghost
    "#]],
    );
}

#[test]
fn prefix_list_entries_name_a_bad_entry_by_its_place() {
    let list = PrefixList {
        id: PrefixListId::from("pl-1"),
        name: String::new(),
        cidrs: Vec::new(),
    };
    let error = sglab_core::edit::prefix_list_with_entries(&list, "203.0.113.0/28, 10.0.0.0/33")
        .expect_err("/33 is refused");
    assert_eq!(
        error,
        "entry 2: CIDR block \"10.0.0.0/33\" is malformed: the prefix length /33 is too long for IPv4: use /0 to /32"
    );
    let error =
        sglab_core::edit::prefix_list_with_entries(&list, "office").expect_err("a word is refused");
    assert!(
        error.starts_with("entry 1: CIDR block \"office\" is malformed"),
        "{error}"
    );
    let empty = sglab_core::edit::prefix_list_with_entries(&list, "  ").expect("empty");
    assert!(empty.cidrs.is_empty());
}

#[test]
fn delete_prefix_list_only_when_no_rule_names_it() {
    let named = LAB.replace(r#""cidr": "0.0.0.0/0""#, r#""prefix_list": "pl-office""#);
    check(
        &named,
        Edit::DeletePrefixList(PrefixListId::from("pl-office")),
        expect![[r#"
            refused: pl-office is still the peer of sg-web rule 1: change or delete those rules first
        "#]],
    );
    assert_eq!(
        sglab_core::edit::prefix_list_users(&topology(&named), &PrefixListId::from("pl-office")),
        ["sg-web rule 1"]
    );
    check(
        LAB,
        Edit::DeletePrefixList(PrefixListId::from("pl-office")),
        expect![[r#"
            - prefix_lists[pl-office].cidrs[0] = "192.0.2.0/24"
            - prefix_lists[pl-office].id = "pl-office"
            - prefix_lists[pl-office].name = "office"
        "#]],
    );
    check(
        LAB,
        Edit::DeletePrefixList(PrefixListId::from("pl-ghost")),
        expect![[r#"
            refused: there is no prefix list pl-ghost
        "#]],
    );
}

#[test]
fn a_rule_may_name_a_new_prefix_list() {
    let mut lab = topology(LAB);
    apply(&mut lab, &Edit::AddPrefixList).expect("added");
    let rule = tcp_in((8080, 8080), Peer::PrefixList(PrefixListId::from("pl-1")));
    let applied = apply(
        &mut lab,
        &Edit::AddRule {
            group: group("sg-idle"),
            rule,
        },
    )
    .expect("the rule is added");
    assert_eq!(applied.added_rule, Some((group("sg-idle"), 0)));
    assert_eq!(
        sglab_core::edit::prefix_list_users(&lab, &PrefixListId::from("pl-1")),
        ["sg-idle rule 1"]
    );
}

#[test]
fn auto_layout_forgets_every_position() {
    check(
        LAB,
        Edit::AutoLayout,
        expect![[r#"
        - layout.i-web.x = 10.0
        - layout.i-web.y = 20.0
    "#]],
    );
}

#[test]
fn a_fix_is_its_edit() {
    let fixes = [
        Fix::AddRule {
            security_group: group("sg-idle"),
            rule: tcp_in((22, 22), cidr("10.0.0.0/8")),
        },
        Fix::DeleteRule {
            security_group: group("sg-gw"),
            rule_index: 0,
        },
        Fix::ReplaceRule {
            security_group: group("sg-web"),
            rule_index: 3,
            rule: tcp_in((22, 22), cidr("10.0.0.0/8")),
        },
        Fix::Authorize {
            gateway: GatewayId::from("gw-1"),
            backend_group: group("sg-idle"),
            port_ranges: vec![PortRange::single(8080).expect("a valid port")],
        },
        Fix::StartService {
            endpoint: EndpointId::from("i-db"),
            service_index: 0,
        },
    ];
    let mut out = String::new();
    for fix in fixes {
        let mut lab = topology(LAB);
        let outcome = match fix.apply(&mut lab) {
            Ok(()) => changes(&topology(LAB), &lab),
            Err(error) => format!("refused: {error}\n"),
        };
        out.push_str(&format!("{fix}\n{outcome}\n"));
    }
    expect![[r#"
        add to sg-idle: ingress accept priority 1 tcp 22/22 from 10.0.0.0/8
        - security_groups[sg-idle].rules = []
        + security_groups[sg-idle].rules[0] = {"cidr":"10.0.0.0/8","direction":"ingress","policy":"accept","port_range":"22/22","priority":1,"protocol":"tcp"}

        delete rule 1 of sg-gw
        refused: security group sg-gw is managed by AI Gateway and is read-only

        change rule 4 of sg-web to: ingress accept priority 1 tcp 22/22 from 10.0.0.0/8
        refused: security group sg-web has no rule 4

        authorize sg-idle on gateway gw-1 for TCP 8080/8080
        + gateways[gw-1].authorizations[0] = {"backend_group":"sg-idle","description":"Authorized for gateway gw-1","port_ranges":["8080/8080"]}
        - security_groups[sg-idle].rules = []
        + security_groups[sg-idle].rules[0] = {"description":"Authorized for gateway gw-1","direction":"ingress","group":"sg-gw","policy":"accept","port_range":"8080/8080","priority":1,"protocol":"tcp"}

        start service 1 on i-db
        refused: endpoint i-db has no service 1

    "#]]
    .assert_eq(&out);
}

/// An edit likely to be refused on `topology`, the `choice`-th of a few kinds.
fn doubtful_edit(topology: &Topology, choice: usize, pick: usize) -> Edit {
    let nth = |count: usize| if count == 0 { 0 } else { pick % count };
    let groups: Vec<&GroupId> = topology.groups.keys().collect();
    let some_group = groups
        .get(nth(groups.len()))
        .map_or_else(|| group("sg-none"), |id| (*id).clone());
    let endpoints: Vec<&EndpointId> = topology.endpoints.keys().collect();
    let some_endpoint = endpoints
        .get(nth(endpoints.len()))
        .map_or_else(|| EndpointId::from("i-none"), |id| (*id).clone());
    let rule_count = topology
        .groups
        .get(&some_group)
        .map_or(0, |group| group.rules.len());
    match choice % 9 {
        0 => Edit::DeleteGroup(some_group),
        1 => Edit::DeleteRule {
            group: some_group,
            index: rule_count + pick % 2,
        },
        2 => Edit::AddRule {
            group: some_group.clone(),
            rule: tcp_in(
                (22, 22),
                Peer::Group {
                    id: some_group,
                    owner_account: None,
                },
            ),
        },
        3 => Edit::SetRule {
            group: some_group,
            index: pick % (rule_count + 1),
            rule: tcp_in((22, 22), Peer::PrefixList(PrefixListId::from("pl-none"))),
        },
        4 => Edit::DeleteVpc(
            topology
                .vpcs
                .keys()
                .nth(nth(topology.vpcs.len()))
                .cloned()
                .unwrap_or_else(|| VpcId::from("vpc-none")),
        ),
        5 => Edit::DeleteEndpoint(some_endpoint),
        6 => Edit::AddEndpoint(NewEndpoint::External {
            cidr: "10.0.0.0/33".to_owned(),
        }),
        7 => match topology.endpoints.get(&some_endpoint) {
            // Give an ECS node an enterprise group beside its basic ones, or a group of
            // another VPC: invalid either way, unless the generator made it valid.
            Some(endpoint) => {
                let mut endpoint = endpoint.clone();
                if let Some(eni) = endpoint.enis.first_mut() {
                    eni.groups.extend(groups.iter().map(|id| (*id).clone()));
                }
                Edit::SetEndpoint(endpoint)
            }
            None => Edit::DeleteCluster(ClusterId::from("c-none")),
        },
        _ => match topology.gateways.keys().next() {
            Some(gateway) => Edit::Authorize {
                gateway: gateway.clone(),
                backend: some_group,
                ranges: Vec::new(),
                description: String::new(),
            },
            None => Edit::RenameGateway {
                gateway: GatewayId::from("gw-none"),
                name: String::new(),
            },
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// On generated topologies of every shape, an edit that is refused leaves the topology
    /// exactly as it was. Some of the edits tried are always refused.
    #[test]
    fn a_refused_edit_leaves_the_topology_untouched(
        seed in any::<u64>(),
        shape in 0..Shape::ALL.len(),
        edits in proptest::collection::vec((0usize..9, any::<usize>()), 1..6),
    ) {
        let mut topology = generate(seed, &GenParams::of_shape(Shape::ALL[shape], 24, 6, 60));
        for (choice, pick) in edits {
            let edit = doubtful_edit(&topology, choice, pick);
            let before = topology.clone();
            match apply(&mut topology, &edit) {
                Ok(_) => prop_assert!(
                    !matches!(choice, 1 | 2 | 6),
                    "{:?} was applied", edit
                ),
                Err(error) => prop_assert_eq!(
                    &topology, &before,
                    "{:?} was refused ({}) but changed the topology", edit, error
                ),
            }
        }
    }
}
