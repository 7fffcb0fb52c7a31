//! Terraform round trip: `export::terraform` of a generated topology, imported again, gives
//! the same security groups and rules, for every shape of the generator.
//!
//! "The same" is exactly this: ids become Terraform addresses, so every group is compared
//! through the mapping the export writes (the `# <group id>` comment above each
//! `resource "alicloud_security_group" "<name>"`), to the imported group
//! `alicloud_security_group.<name>`. For every user-managed group, the name, description,
//! tags, VPC, type and InnerAccessPolicy are equal; its rules, per direction and in order, are
//! equal in direction, policy, priority, protocol, ports, peer (a group peer mapped the same
//! way; a CIDR block or prefix list id unchanged), NIC type and description. What the export
//! cannot write is left out of the comparison, as the export says: rule ids (the import names
//! each rule by its address), quintuple rules (written as comments), groups managed by a cloud
//! service (not written, so rules naming them are dropped from the generated topology first),
//! and endpoints, VPC names and prefix list entries (the export writes groups and rules only).

use std::collections::BTreeMap;

use proptest::prelude::*;
use sglab_core::export::terraform;
use sglab_core::generate::{generate, GenParams, Shape};
use sglab_core::import::load_files;
use sglab_core::model::{Direction, GroupId, GroupType, Peer, Rule, SecurityGroup, Topology};

/// Drops the rules naming a managed group: the export does not create that group, so its id
/// would name a group in none of the files.
fn without_managed_peers(mut topology: Topology) -> Topology {
    let managed: Vec<GroupId> = topology
        .groups
        .values()
        .filter(|group| group.managed_by.is_some())
        .map(|group| group.id.clone())
        .collect();
    for group in topology.groups.values_mut() {
        group.rules.retain(|rule| match &rule.peer {
            Peer::Group { id, .. } => !managed.contains(id),
            _ => true,
        });
    }
    topology
}

/// Group id -> imported address, from the comments the export writes above each group.
fn mapping(exported: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut comment = None;
    for line in exported.lines() {
        if let Some(id) = line.strip_prefix("# ") {
            comment = Some(id.to_owned());
        } else if let Some(rest) = line.strip_prefix("resource \"alicloud_security_group\" \"") {
            let name = rest.trim_end_matches(" {").trim_end_matches('"');
            if let Some(id) = comment.take() {
                out.insert(id, format!("alicloud_security_group.{name}"));
            }
        }
    }
    out
}

/// A rule as the export writes it, with group peers mapped.
fn comparable(rule: &Rule, map: &BTreeMap<String, String>) -> String {
    let peer = match &rule.peer {
        Peer::Group { id, owner_account } => format!(
            "group {} owner={owner_account:?}",
            map.get(id.as_str())
                .cloned()
                .unwrap_or_else(|| id.to_string())
        ),
        other => format!("{other:?}"),
    };
    format!(
        "{:?} {:?} {} {:?} {} {peer} {:?} {:?}",
        rule.direction,
        rule.policy,
        rule.priority,
        rule.protocol,
        rule.ports,
        rule.nic_type,
        rule.description
    )
}

/// A group's facts; the InnerAccessPolicy of an enterprise group is left out, because the
/// export writes `inner_access_policy` for basic groups only (the provider's argument applies
/// to them).
fn group_facts(group: &SecurityGroup) -> String {
    let policy = match group.group_type {
        GroupType::Basic => format!("{:?}", group.inner_access_policy),
        GroupType::Enterprise => String::new(),
    };
    format!(
        "{:?} {:?} {:?} {} {:?} {policy}",
        group.name, group.description, group.tags, group.vpc, group.group_type
    )
}

fn round_trip(shape: Shape, seed: u64) -> Result<(), TestCaseError> {
    let original = without_managed_peers(generate(seed, &GenParams::of_shape(shape, 24, 8, 80)));
    let exported = terraform(&original);
    let map = mapping(&exported);
    let loaded = load_files(&[("export.tf", exported.as_str())])
        .map_err(|errors| TestCaseError::fail(format!("{shape} seed {seed}: {}", errors[0])))?;
    let imported = loaded.topology;
    let user_groups: Vec<&SecurityGroup> = original
        .groups
        .values()
        .filter(|group| group.managed_by.is_none())
        .collect();
    prop_assert_eq!(imported.groups.len(), user_groups.len());
    for group in user_groups {
        let address = &map[group.id.as_str()];
        let back = &imported.groups[&GroupId::from(address.as_str())];
        prop_assert_eq!(group_facts(back), group_facts(group));
        for direction in [Direction::Ingress, Direction::Egress] {
            let of = |group: &SecurityGroup, map: &BTreeMap<String, String>| -> Vec<String> {
                group
                    .rules
                    .iter()
                    .filter(|rule| rule.direction == direction)
                    .filter(|rule| rule.source_ports.is_none() && rule.local_cidr.is_none())
                    .map(|rule| comparable(rule, map))
                    .collect()
            };
            let identity = BTreeMap::new();
            prop_assert_eq!(of(back, &identity), of(group, &map));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn export_then_import_gives_the_same_groups_and_rules(seed in any::<u64>()) {
        for shape in Shape::ALL {
            round_trip(shape, seed)?;
        }
    }
}
