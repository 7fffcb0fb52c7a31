//! Edits of rules and of the prefix lists rules name.

use super::network::{fresh_id, selected};
use super::{writable_group_mut, Applied, EditError, ObjectId};
use crate::model::{
    GroupId, Peer, PortRange, PortSpec, PrefixList, PrefixListId, Protocol, Rule, Topology,
};

/// `rule` with another protocol: ICMP, ICMPv6, GRE and ALL take every port (`-1/-1`); TCP and
/// UDP need a range, and keep the rule's own or take `1/65535`.
pub fn rule_with_protocol(rule: &Rule, protocol: Protocol) -> Rule {
    let ports = match (protocol.has_ports(), rule.ports) {
        (false, _) => PortSpec::All,
        (true, PortSpec::All) => PortSpec::Range(PortRange::ALL),
        (true, ports) => ports,
    };
    Rule {
        protocol,
        ports,
        ..rule.clone()
    }
}

/// The rules that name a prefix list as their peer, as `group rule n` (numbered from 1).
pub fn prefix_list_users(topology: &Topology, id: &PrefixListId) -> Vec<String> {
    topology
        .groups
        .values()
        .flat_map(|group| {
            group
                .rules
                .iter()
                .enumerate()
                .filter(|(_, rule)| matches!(&rule.peer, Peer::PrefixList(peer) if peer == id))
                .map(move |(index, _)| format!("{} rule {}", group.id, index + 1))
        })
        .collect()
}

/// `list` with the entries typed in `text`: CIDR blocks (or single addresses) separated by
/// commas, spaces or line breaks, each checked by [`crate::validate::check_cidr_field`].
///
/// A bad entry refuses the whole text with a message for the text field that names the entry
/// by its place, such as `entry 2: CIDR block "10.0.0.0/33" is malformed: ...`.
pub fn prefix_list_with_entries(list: &PrefixList, text: &str) -> Result<PrefixList, String> {
    let cidrs = text
        .split([',', ' ', '\n', '\r', '\t'])
        .filter(|entry| !entry.trim().is_empty())
        .enumerate()
        .map(|(index, entry)| {
            crate::validate::check_cidr_field(entry)
                .map_err(|error| format!("entry {}: {error}", index + 1))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PrefixList {
        cidrs,
        ..list.clone()
    })
}

pub(super) fn add_rule(
    topology: &mut Topology,
    group: &GroupId,
    rule: &Rule,
) -> Result<Applied, EditError> {
    let rules = &mut writable_group_mut(topology, group)?.rules;
    rules.push(rule.clone());
    Ok(Applied {
        added_rule: Some((group.clone(), rules.len() - 1)),
        ..Applied::default()
    })
}

pub(super) fn set_rule(
    topology: &mut Topology,
    group: &GroupId,
    index: usize,
    rule: &Rule,
) -> Result<Applied, EditError> {
    let slot = writable_group_mut(topology, group)?
        .rules
        .get_mut(index)
        .ok_or_else(|| EditError::UnknownRule {
            group: group.clone(),
            index,
        })?;
    *slot = rule.clone();
    Ok(Applied::default())
}

pub(super) fn delete_rule(
    topology: &mut Topology,
    group: &GroupId,
    index: usize,
) -> Result<Applied, EditError> {
    let rules = &mut writable_group_mut(topology, group)?.rules;
    if index >= rules.len() {
        return Err(EditError::UnknownRule {
            group: group.clone(),
            index,
        });
    }
    rules.remove(index);
    Ok(Applied::default())
}

/// Adds a prefix list named `new prefix list` with no entries: a rule naming it matches
/// nothing until the user fills it, rather than silently opening a guessed block.
pub(super) fn add_prefix_list(topology: &mut Topology) -> Applied {
    let id = PrefixListId(fresh_id(
        "pl-",
        topology.prefix_lists.keys().map(PrefixListId::as_str),
    ));
    topology.prefix_lists.insert(
        id.clone(),
        PrefixList {
            id: id.clone(),
            name: "new prefix list".to_owned(),
            cidrs: Vec::new(),
        },
    );
    selected(ObjectId::PrefixList(id))
}

pub(super) fn set_prefix_list(
    topology: &mut Topology,
    list: &PrefixList,
) -> Result<Applied, EditError> {
    let slot = topology
        .prefix_lists
        .get_mut(&list.id)
        .ok_or_else(|| EditError::UnknownPrefixList(list.id.clone()))?;
    *slot = list.clone();
    Ok(Applied::default())
}

/// Deletes a prefix list no rule names.
pub(super) fn delete_prefix_list(
    topology: &mut Topology,
    id: &PrefixListId,
) -> Result<Applied, EditError> {
    if !topology.prefix_lists.contains_key(id) {
        return Err(EditError::UnknownPrefixList(id.clone()));
    }
    let users = prefix_list_users(topology, id);
    if !users.is_empty() {
        return Err(EditError::PrefixListInUse {
            list: id.clone(),
            users,
        });
    }
    topology.prefix_lists.remove(id);
    Ok(Applied::default())
}
