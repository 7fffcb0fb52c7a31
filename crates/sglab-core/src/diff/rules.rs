//! Rule changes: the rules of each group present on both sides, matched within their group and
//! direction, reported as added, removed or changed.
//!
//! Matching goes in three passes, each over the rules the previous passes left: the same rule
//! id when both rules carry one; then equal content (every field but the id); then by position
//! among the remaining rules of the same group and direction. What is left is added or removed.

use std::hash::{Hash, Hasher};

use ipnet::IpNet;
use rustc_hash::{FxHashMap, FxHasher};

use super::{ChangeKind, RuleChange, RuleField};
use crate::model::{
    Direction, GroupId, NicType, Peer, Policy, PortRange, PortSpec, Priority, Protocol, Rule,
    SecurityGroup, Topology,
};

/// The groups present on both sides whose lists of rules differ in any field, in id order
/// (as a diff finds them, `crate::matrix::subset::JointBlocks::scan`).
#[cfg(test)]
pub(super) fn differing_groups<'t>(old: &'t Topology, new: &'t Topology) -> Vec<&'t GroupId> {
    crate::matrix::subset::JointBlocks::scan(old, new).differing
}

/// The rule changes of the groups present on both sides, by group, direction and position;
/// `differing` holds those whose rules differ (`crate::matrix::subset::JointBlocks::scan`).
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
    // `pairs[i]` is the new rule matched with the i-th old rule of this direction. In each
    // pass, each old rule left takes the first new rule left that the pass matches with it.
    let mut pairs: Vec<Option<usize>> = vec![None; old_rules.len()];
    let mut taken = vec![false; new_rules.len()];
    let sides = Sides {
        old,
        new,
        old_rules: &old_rules,
        new_rules: &new_rules,
    };
    sides.match_by(
        &mut pairs,
        &mut taken,
        |rule| rule.id.as_ref().map(hash_of),
        |a, b| a.id.is_some() && a.id == b.id,
    );
    let by_id = pairs.clone();
    sides.match_by(
        &mut pairs,
        &mut taken,
        |rule| Some(content_hash(rule)),
        same_content,
    );
    let by_content: Vec<bool> = by_id
        .iter()
        .zip(&pairs)
        .map(|(by_id, pair)| by_id.is_none() && pair.is_some())
        .collect();
    // Then by position: the first new rule left.
    let mut next = 0;
    for pair in pairs.iter_mut().filter(|pair| pair.is_none()) {
        while taken.get(next).is_some_and(|taken| *taken) {
            next += 1;
        }
        if next < taken.len() {
            taken[next] = true;
            *pair = Some(next);
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
                // A rule matched by its content differs in its id alone.
                if by_content[slot] {
                    continue;
                }
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

/// The rules of one group and direction on both sides, by their indices in the groups.
struct Sides<'a> {
    old: &'a SecurityGroup,
    new: &'a SecurityGroup,
    old_rules: &'a [usize],
    new_rules: &'a [usize],
}

impl Sides<'_> {
    /// One pass of the matching: each old rule without a match takes the first new rule not
    /// taken for which `same` holds, found among the new rules of the same `key` (`None`: the
    /// rule matches none in this pass; equal keys are needed for `same` to hold).
    fn match_by(
        &self,
        pairs: &mut [Option<usize>],
        taken: &mut [bool],
        key: impl Fn(&Rule) -> Option<u64>,
        same: impl Fn(&Rule, &Rule) -> bool,
    ) {
        let mut queues: FxHashMap<u64, Vec<usize>> = FxHashMap::default();
        for (at, index) in self.new_rules.iter().enumerate() {
            if let Some(key) = key(&self.new.rules[*index]).filter(|_| !taken[at]) {
                queues.entry(key).or_default().push(at);
            }
        }
        for (slot, old_index) in self.old_rules.iter().enumerate() {
            let rule = &self.old.rules[*old_index];
            let Some(queue) = key(rule)
                .filter(|_| pairs[slot].is_none())
                .and_then(|key| queues.get_mut(&key))
            else {
                continue;
            };
            let found = queue
                .iter()
                .position(|at| same(rule, &self.new.rules[self.new_rules[*at]]));
            if let Some(position) = found {
                let at = queue.remove(position);
                taken[at] = true;
                pairs[slot] = Some(at);
            }
        }
    }
}

/// A hash of a value, the same in every run.
fn hash_of(value: &impl Hash) -> u64 {
    let mut hasher = FxHasher::default();
    value.hash(&mut hasher);
    hasher.finish()
}

/// Every field of a rule but its id: what [`same_content`] compares and [`content_hash`]
/// hashes.
type Content<'r> = (
    (
        &'r Direction,
        &'r Policy,
        &'r Priority,
        &'r Protocol,
        &'r PortSpec,
    ),
    (
        &'r Peer,
        &'r Option<PortRange>,
        &'r Option<IpNet>,
        &'r NicType,
        &'r String,
    ),
);

/// The [`Content`] of a rule.
fn content(rule: &Rule) -> Content<'_> {
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
    } = rule;
    (
        (direction, policy, priority, protocol, ports),
        (peer, source_ports, local_cidr, nic_type, description),
    )
}

/// A hash of the fields [`same_content`] compares.
fn content_hash(rule: &Rule) -> u64 {
    hash_of(&content(rule))
}

/// Whether two rules say the same, ids aside.
fn same_content(a: &Rule, b: &Rule) -> bool {
    content(a) == content(b)
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
