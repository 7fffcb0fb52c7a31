//! `validate::check` on the model gives the diagnostics that validating the model's sglab JSON
//! gives: on generated topologies of every shape, on the same topologies after removing an
//! object others name, and on hand-written edits.

use expect_test::{expect, Expect};
use proptest::prelude::*;
use sglab_core::diagnostic::Diagnostic;
use sglab_core::format::{parse_raw, to_sglab_json, DEFAULT_MAX_INPUT_BYTES};
use sglab_core::generate::{generate, GenParams, Shape};
use sglab_core::load::parse_sglab;
use sglab_core::model::{
    ClusterId, EndpointId, GatewayId, GroupId, NicType, Peer, PrefixListId, Priority, Topology,
    VpcId,
};
use sglab_core::validate::{check, validate, Limits};

/// Every diagnostic of validating the topology's sglab JSON, errors and warnings.
fn file_diagnostics(topology: &Topology) -> Vec<Diagnostic> {
    let raw = match parse_raw(&to_sglab_json(topology), None, DEFAULT_MAX_INPUT_BYTES) {
        Ok(raw) => raw,
        Err(diagnostics) => return diagnostics,
    };
    match validate(&raw, None, &Limits::default()) {
        Ok(parsed) => parsed.warnings,
        Err(diagnostics) => diagnostics,
    }
}

fn assert_same(topology: &Topology) {
    let from_model = check(topology);
    let from_file = file_diagnostics(topology);
    assert_eq!(
        from_model
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        from_file
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
    );
    assert_eq!(from_model, from_file);
}

/// Removes the `pick`-th object of one kind (chosen by `kind`), which others may name.
fn remove_one(topology: &mut Topology, kind: u8, pick: usize) {
    fn nth<K: Clone + Ord, V>(map: &std::collections::BTreeMap<K, V>, pick: usize) -> Option<K> {
        (!map.is_empty()).then(|| map.keys().nth(pick % map.len()).cloned())?
    }
    match kind % 6 {
        0 => {
            if let Some(id) = nth(&topology.groups, pick) {
                topology.groups.remove(&id);
            }
        }
        1 => {
            if let Some(id) = nth(&topology.vpcs, pick) {
                topology.vpcs.remove(&id);
            }
        }
        2 => {
            if let Some(id) = nth(&topology.prefix_lists, pick) {
                topology.prefix_lists.remove(&id);
            }
        }
        3 => {
            if let Some(id) = nth(&topology.clusters, pick) {
                topology.clusters.remove(&id);
            }
        }
        4 => {
            if let Some(id) = nth(&topology.gateways, pick) {
                topology.gateways.remove(&id);
            }
        }
        _ => {
            if let Some(id) = nth(&topology.endpoints, pick) {
                topology.endpoints.remove(&id);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A generated topology of any shape: the model check and the file agree.
    #[test]
    fn check_equals_validation_of_the_file(
        seed in any::<u64>(),
        shape in 0usize..Shape::ALL.len(),
        endpoints in 1usize..16,
        groups in 1usize..8,
        rules in 0usize..60,
    ) {
        let params = GenParams::of_shape(Shape::ALL[shape], endpoints, groups, rules);
        assert_same(&generate(seed, &params));
    }

    /// The same after removing objects that others name: unknown groups, VPCs, prefix lists,
    /// clusters, gateways and nodes are reported alike.
    #[test]
    fn check_equals_validation_after_removals(
        seed in any::<u64>(),
        shape in 0usize..Shape::ALL.len(),
        endpoints in 1usize..16,
        groups in 1usize..8,
        rules in 0usize..60,
        removals in prop::collection::vec(any::<(u8, usize)>(), 1..4),
    ) {
        let params = GenParams::of_shape(Shape::ALL[shape], endpoints, groups, rules);
        let mut topology = generate(seed, &params);
        for (kind, pick) in removals {
            remove_one(&mut topology, kind, pick);
        }
        assert_same(&topology);
    }
}

const SHOP: &str = r#"{
  "sglab": 1,
  "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
  "security_groups": [
    {"id": "sg-web", "rules": [
      {"direction": "ingress", "protocol": "tcp", "port_range": "443/443", "cidr": "0.0.0.0/0"}
    ]},
    {"id": "sg-db", "rules": [
      {"direction": "ingress", "protocol": "tcp", "port_range": "3306/3306", "group": "sg-web"},
      {"direction": "ingress", "protocol": "tcp", "port_range": "22/22", "prefix_list": "pl-office"}
    ]}
  ],
  "prefix_lists": [{"id": "pl-office", "cidrs": ["192.0.2.0/24"]}],
  "endpoints": [
    {"id": "web-1", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-web"]},
    {"id": "db-1", "kind": "ecs", "private_ip": "10.0.2.10", "groups": ["sg-db"]}
  ]
}"#;

fn shop() -> Topology {
    parse_sglab(SHOP, None).expect("valid").topology
}

/// The model check of an edited topology, one diagnostic a line; it must agree with the file.
fn check_edit(edit: impl FnOnce(&mut Topology), expect: Expect) {
    let mut topology = shop();
    edit(&mut topology);
    assert_same(&topology);
    let actual: String = check(&topology)
        .iter()
        .map(|diagnostic| format!("{}: {diagnostic}\n", diagnostic.severity))
        .collect();
    expect.assert_eq(&actual);
}

#[test]
fn an_unedited_model_has_no_diagnostic() {
    check_edit(|_| {}, expect![[""]]);
}

#[test]
fn a_rule_naming_a_removed_group() {
    check_edit(
        |topology| {
            topology.groups.remove(&GroupId::from("sg-web"));
            topology.endpoints.remove(&EndpointId::from("web-1"));
        },
        expect![[r#"
            error: security group sg-db, rule 1, field group: security group sg-web does not exist (InvalidSecurityGroupId.NotFound)
        "#]],
    );
}

#[test]
fn an_endpoint_in_a_removed_group() {
    check_edit(
        |topology| {
            topology.groups.remove(&GroupId::from("sg-web"));
        },
        expect![[r#"
            error: security group sg-db, rule 1, field group: security group sg-web does not exist (InvalidSecurityGroupId.NotFound)
            error: endpoint web-1, field groups: security group sg-web does not exist (InvalidSecurityGroupId.NotFound)
        "#]],
    );
}

#[test]
fn a_rule_naming_a_removed_prefix_list() {
    check_edit(
        |topology| {
            topology
                .prefix_lists
                .remove(&PrefixListId::from("pl-office"));
        },
        expect![[r#"
            error: security group sg-db, rule 2, field prefix_list: prefix list pl-office does not exist (InvalidPrefixListId.NotFound)
        "#]],
    );
}

#[test]
fn a_group_and_an_endpoint_in_a_removed_vpc() {
    check_edit(
        |topology| {
            topology.vpcs.remove(&VpcId::from("vpc-1"));
            topology.groups.remove(&GroupId::from("sg-db"));
            topology.endpoints.remove(&EndpointId::from("db-1"));
        },
        expect![[r#"
            error: security group sg-web, field vpc: VPC "vpc-1" does not exist: add it to vpcs or correct the id (InvalidVpcId.NotFound)
            error: endpoint web-1, field vpc: VPC "vpc-1" does not exist: add it to vpcs or correct the id (InvalidVpcId.NotFound)
        "#]],
    );
}

#[test]
fn edited_rules_get_the_rule_diagnostics() {
    check_edit(
        |topology| {
            let group = topology
                .groups
                .get_mut(&GroupId::from("sg-db"))
                .expect("sg-db");
            group.rules[0].peer = Peer::Group {
                id: GroupId::from("sg-db"),
                owner_account: None,
            };
            group.rules[1].priority = Priority::LEGACY;
            group.rules[1].nic_type = NicType::Internet;
            group.rules[1].description = "x".repeat(513);
        },
        expect![[r#"
            error: security group sg-db, rule 1, field group: security group sg-db cannot name itself as peer: intra-group traffic is governed by inner_access_policy (InvalidParamter.Conflict)
            warning: security group sg-db, rule 2, field priority: legacy priority 110, ordered after 100: set a priority from 1 to 100
            warning: security group sg-db, rule 2, field nic_type: nic_type internet only meant something on the retired classic network: in a VPC the rule governs private and public traffic alike
            error: security group sg-db, rule 2, field description: description is 513 characters long: at most 512 are allowed (InvalidDescription.Malformed)
        "#]],
    );
}

#[test]
fn removed_cluster_gateway_and_node() {
    let text = r#"{
      "sglab": 1,
      "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
      "security_groups": [{"id": "sg-node"}, {"id": "sg-gw", "managed_by": "AI Gateway"}],
      "clusters": [{"id": "c-1", "network_mode": "flannel", "pod_cidr": "172.18.0.0/16"}],
      "gateways": [{"id": "gw-1", "kind": "ai_gateway", "managed_group": "sg-gw"}],
      "endpoints": [
        {"id": "node-1", "kind": "ecs", "private_ip": "10.0.1.10", "groups": ["sg-node"]},
        {"id": "pod-1", "kind": "pod", "cluster": "c-1", "node": "node-1", "pod_ip": "172.18.0.5"},
        {"id": "gwn-1", "kind": "gateway_node", "gateway": "gw-1", "private_ip": "10.0.9.5", "groups": ["sg-gw"]}
      ]
    }"#;
    let mut topology = parse_sglab(text, None).expect("valid").topology;
    assert!(check(&topology).is_empty());
    topology.clusters.remove(&ClusterId::from("c-1"));
    topology.gateways.remove(&GatewayId::from("gw-1"));
    topology.endpoints.remove(&EndpointId::from("node-1"));
    assert_same(&topology);
    let actual: String = check(&topology)
        .iter()
        .map(|diagnostic| format!("{}: {diagnostic}\n", diagnostic.severity))
        .collect();
    expect![[r#"
        error: endpoint gwn-1, field gateway: gateway "gw-1" does not exist: add it to gateways or correct the id
        error: endpoint pod-1, field cluster: cluster "c-1" does not exist: add it to clusters or correct the id
        error: endpoint pod-1, field node: node "node-1" does not exist: add an ECS endpoint with this id
    "#]]
    .assert_eq(&actual);
}
