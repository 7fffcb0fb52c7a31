//! Rule changes: the rules of each group present on both sides, matched within their group and
//! direction, reported as added, removed or changed.
//!
//! Matching goes in three passes, each over the rules the previous passes left: the same rule
//! id when both rules carry one; then equal content (every field but the id); then by position
//! among the remaining rules of the same group and direction. What is left is added or removed.

use super::{ChangeKind, RuleChange, RuleField};
use crate::model::{Direction, GroupId, Rule, SecurityGroup, Topology};

/// The groups present on both sides whose lists of rules differ in any field, in id order:
/// most groups are untouched by a change, and both the rule changes and the dirty set
/// (`super::dirty`) look only at these.
pub(super) fn differing_groups<'t>(old: &'t Topology, new: &Topology) -> Vec<&'t GroupId> {
    old.groups
        .iter()
        .filter(|(id, group)| {
            new.groups
                .get(*id)
                .is_some_and(|other| other.rules != group.rules)
        })
        .map(|(id, _)| id)
        .collect()
}

/// The rule changes of the groups present on both sides, by group, direction and position;
/// `differing` holds those whose rules differ ([`differing_groups`]).
pub(super) fn rule_changes(
    old: &Topology,
    new: &Topology,
    differing: &[&GroupId],
) -> Vec<RuleChange> {
    let mut out = Vec::new();
    for id in differing {
        let (Some(old_group), Some(new_group)) = (old.groups.get(*id), new.groups.get(*id)) else {
            continue;
        };
        for direction in [Direction::Ingress, Direction::Egress] {
            group_changes(old_group, new_group, direction, &mut out);
        }
    }
    out
}

/// Whether two rules are the same rule, in one pass of the matching.
type Matcher = dyn Fn(&Rule, &Rule) -> bool;

/// The changes of one group in one direction.
fn group_changes(
    old: &SecurityGroup,
    new: &SecurityGroup,
    direction: Direction,
    out: &mut Vec<RuleChange>,
) {
    let of = |group: &SecurityGroup| -> Vec<usize> {
        (0..group.rules.len())
            .filter(|index| group.rules[*index].direction == direction)
            .collect()
    };
    let (old_rules, new_rules) = (of(old), of(new));
    // `pairs[i]` is the new rule matched with the i-th old rule of this direction.
    let mut pairs: Vec<Option<usize>> = vec![None; old_rules.len()];
    let mut taken = vec![false; new_rules.len()];
    let passes: [&Matcher; 3] = [
        &|a, b| a.id.is_some() && a.id == b.id,
        &|a, b| same_content(a, b),
        &|_, _| true,
    ];
    for pass in passes {
        for (slot, old_index) in old_rules.iter().enumerate() {
            if pairs[slot].is_some() {
                continue;
            }
            let found = new_rules.iter().enumerate().find(|(at, new_index)| {
                !taken[*at] && pass(&old.rules[*old_index], &new.rules[**new_index])
            });
            if let Some((at, _)) = found {
                taken[at] = true;
                pairs[slot] = Some(at);
            }
        }
    }
    let change = |kind, old_index: Option<usize>, new_index: Option<usize>, fields| RuleChange {
        security_group: old.id.clone(),
        direction,
        kind,
        old_index,
        new_index,
        old: old_index.and_then(|index| old.rules.get(index).cloned()),
        new: new_index.and_then(|index| new.rules.get(index).cloned()),
        fields,
    };
    for (slot, old_index) in old_rules.iter().enumerate() {
        match pairs[slot] {
            Some(at) => {
                let new_index = new_rules[at];
                let fields = changed_fields(&old.rules[*old_index], &new.rules[new_index]);
                if !fields.is_empty() {
                    out.push(change(
                        ChangeKind::Changed,
                        Some(*old_index),
                        Some(new_index),
                        fields,
                    ));
                }
            }
            None => out.push(change(
                ChangeKind::Removed,
                Some(*old_index),
                None,
                Vec::new(),
            )),
        }
    }
    for (at, new_index) in new_rules.iter().enumerate() {
        if !taken[at] {
            out.push(change(
                ChangeKind::Added,
                None,
                Some(*new_index),
                Vec::new(),
            ));
        }
    }
}

/// Whether two rules say the same, ids aside.
fn same_content(a: &Rule, b: &Rule) -> bool {
    let Rule {
        id: _,
        direction,
        policy,
        priority,
        protocol,
        ports,
        peer,
        source_ports,
        local_cidr,
        nic_type,
        description,
    } = a;
    *direction == b.direction
        && *policy == b.policy
        && *priority == b.priority
        && *protocol == b.protocol
        && *ports == b.ports
        && *peer == b.peer
        && *source_ports == b.source_ports
        && *local_cidr == b.local_cidr
        && *nic_type == b.nic_type
        && *description == b.description
}

/// The fields in which two rules of one direction differ, ids aside.
fn changed_fields(a: &Rule, b: &Rule) -> Vec<RuleField> {
    let Rule {
        id: _,
        direction: _,
        policy,
        priority,
        protocol,
        ports,
        peer,
        source_ports,
        local_cidr,
        nic_type,
        description,
    } = a;
    let checks = [
        (*priority != b.priority, RuleField::Priority),
        (*policy != b.policy, RuleField::Policy),
        (*protocol != b.protocol, RuleField::Protocol),
        (*ports != b.ports, RuleField::Ports),
        (*peer != b.peer, RuleField::Peer),
        (*nic_type != b.nic_type, RuleField::NicType),
        (*description != b.description, RuleField::Description),
        (*source_ports != b.source_ports, RuleField::SourcePorts),
        (*local_cidr != b.local_cidr, RuleField::LocalCidr),
    ];
    checks
        .into_iter()
        .filter(|(differs, _)| *differs)
        .map(|(_, field)| field)
        .collect()
}
