//! Part of a matrix: the cells of the pairs whose source is filtered by one of some groups in
//! egress, or whose target by one of some groups in ingress, built with the matrix's own
//! builder over the classes of the whole topology; every other cell of the part allows
//! nothing. A diff compares two topologies only on the cells a change can touch, so it builds
//! only those, on each side.
//!
//! The part is the build after an edit ([`super::matrix_after_edit`]) from a matrix of the same
//! classes whose cells all allow nothing, with the given groups' rules as the ones that
//! changed: only the pairs of classes such a change touches are evaluated.

use std::collections::BTreeSet;

use ipnet::IpNet;

use crate::model::{Direction, GroupId, Peer, Protocol, Rule, Topology};

use super::builder::Builder;
use super::classes::NetIndex;
use super::incremental::{same_rules, same_settings, ChangedGroups, Reuse};
use super::reach::Reach;
use super::Matrix;

/// The rule blocks of the two topologies of a diff, so that the parts of both sides number
/// their blocks alike and the second side can take the group sides of the first
/// ([`Earlier`]).
pub(crate) struct JointBlocks(NetIndex);

impl JointBlocks {
    /// The blocks the rules and prefix lists of `old` and `new` mention.
    #[cfg(test)]
    pub(crate) fn of(old: &Topology, new: &Topology) -> JointBlocks {
        JointBlocks::scan(old, new).blocks
    }

    /// [`JointBlocks::of`], with what else a diff reads of the rules of both sides, in the
    /// same pass over them.
    pub(crate) fn scan<'t>(old: &'t Topology, new: &'t Topology) -> RuleScan<'t> {
        let mut index = NetIndex::empty();
        // By block id: whether a rule names the block as its peer.
        let mut named: Vec<bool> = Vec::new();
        let mut name = |id: u32| {
            let id = id as usize;
            if named.len() <= id {
                named.resize(id + 1, false);
            }
            named[id] = true;
        };
        let mut differing = Vec::new();
        for (side, topology) in [old, new].into_iter().enumerate() {
            let mut named_lists = Vec::new();
            for (id, group) in &topology.groups {
                if side == 0
                    && new
                        .groups
                        .get(id)
                        .is_some_and(|other| other.rules != group.rules)
                {
                    differing.push(id);
                }
                for rule in &group.rules {
                    if let Some(id) = index.add_rule(rule) {
                        name(id);
                    }
                    if let Peer::PrefixList(list) = &rule.peer {
                        named_lists.push(list);
                    }
                }
            }
            index.add_prefix_lists(topology);
            named_lists.sort_unstable();
            named_lists.dedup();
            for list in named_lists {
                let entries = topology.prefix_lists.get(list).map(|list| &list.cidrs);
                for block in entries.into_iter().flatten() {
                    name(index.add(*block));
                }
            }
        }
        index.finish();
        let mut named: Vec<IpNet> = index
            .ids
            .iter()
            .filter(|(_, id)| named.get(**id as usize).is_some_and(|named| *named))
            .map(|(block, _)| *block)
            .collect();
        named.sort_unstable();
        RuleScan {
            blocks: JointBlocks(index),
            named,
            differing,
        }
    }
}

/// What a diff reads of the rules of its two sides, in one pass ([`JointBlocks::scan`]).
pub(crate) struct RuleScan<'t> {
    /// The blocks the rules and prefix lists of both sides mention.
    pub(crate) blocks: JointBlocks,
    /// The blocks that rules of either side name as their peer (a CIDR, or the entries of a
    /// prefix list), each truncated to its network, sorted.
    pub(crate) named: Vec<IpNet>,
    /// The groups of the old side, in id order, that the new side has with another list of
    /// rules.
    pub(crate) differing: Vec<&'t GroupId>,
}

/// A part of the other side of a diff, built on the same [`JointBlocks`] and protocols, whose
/// build's group sides, group answers and side answers the part being built takes for every
/// group side whose rules are the same on both sides.
#[derive(Clone, Copy)]
pub(crate) struct Earlier<'a> {
    /// The topology of that part.
    pub(crate) topology: &'a Topology,
    /// That part.
    pub(crate) part: &'a Matrix,
    /// The groups of both topologies whose lists of rules may differ, in id order (`None`:
    /// any group); a group of the same id at the same place in both, not among them, has the
    /// same rules on both sides.
    pub(crate) differing: Option<&'a [&'a GroupId]>,
}

/// Which cells a part builds: those of the pairs whose source's filtering groups meet
/// `egress` or whose target's filtering groups meet `ingress`, and with `reach`, of those only
/// the pairs whose other party is no synthetic party or one that the changed side reaches.
pub(crate) struct Changed<'a> {
    /// The groups whose members' rows are built.
    pub(crate) egress: &'a BTreeSet<&'a GroupId>,
    /// The groups whose members' columns are built.
    pub(crate) ingress: &'a BTreeSet<&'a GroupId>,
    /// What the rows and columns built can differ towards among the synthetic parties.
    pub(crate) reach: Option<&'a Reach>,
}

/// The matrix of `topology` on `protocols` (repeats are ignored) restricted to the pairs that
/// `changed` names: those cells are the cells of [`super::matrix_with`], every other cell
/// allows nothing (local pairs, which no group filters, are kept whole).
///
/// `blocks` must hold the blocks of `topology`'s rules. With `earlier`, the group sides of
/// groups whose rules in a direction are the same in both topologies, with the same settings,
/// come from the earlier part's build instead of being made again. With `later` (the other
/// side of a diff, with the same groups, whose part is built next with this one as its
/// `earlier`), the group sides made here also know the address classes and group sets of
/// `later`'s endpoints, so that its part keeps them.
pub(crate) fn matrix_part(
    topology: &Topology,
    protocols: &[Protocol],
    changed: &Changed<'_>,
    blocks: &JointBlocks,
    earlier: Option<Earlier<'_>>,
    later: Option<&Topology>,
) -> Matrix {
    let mut unique: Vec<Protocol> = Vec::new();
    for protocol in protocols {
        if !unique.contains(protocol) {
            unique.push(*protocol);
        }
    }
    let indices = |groups: &BTreeSet<&GroupId>| -> Vec<u32> {
        // Groups are numbered in id order, as the builder numbers them.
        topology
            .groups
            .keys()
            .enumerate()
            .filter(|(_, id)| groups.contains(id))
            .map(|(index, _)| index as u32)
            .collect()
    };
    let groups = ChangedGroups {
        egress: indices(changed.egress),
        ingress: indices(changed.ingress),
    };
    let mut builder = Builder::with_nets(topology, blocks.0.clone());
    if let Some(later) = later.filter(|later| same_groups(topology, later)) {
        builder.know_endpoints_of(later);
    }
    if let Some(earlier) = earlier {
        let cache = earlier.part.cache.0.as_ref();
        let differ = differing_sides(earlier.topology, topology, earlier.differing);
        if let (Some(cache), Some(differ)) = (cache, differ) {
            if builder.seed(cache, &unique, &differ) {
                // Its state is not kept for another build; its answer vectors hold for the
                // classes the two builds share (`Builder::build_reusing`).
                builder.seeded = false;
            }
        }
    }
    builder.build_reusing(
        unique,
        Some(Reuse {
            matrix: None,
            changed: groups,
            reach: changed.reach,
        }),
    )
}

/// The groups (by index in id order) whose rules of each direction differ between `before`
/// and `after`, in any field evaluation reads or in the entries of a prefix list they name;
/// `None` when the two do not have the same groups with the same settings. With `differing`
/// (see [`Earlier::differing`]), the rules of the other groups are not compared again.
fn differing_sides(
    before: &Topology,
    after: &Topology,
    differing: Option<&[&GroupId]>,
) -> Option<ChangedGroups> {
    if before.groups.len() != after.groups.len() {
        return None;
    }
    let names_changed_list = |rules: &[Rule], direction: Direction| {
        rules.iter().any(|rule| match &rule.peer {
            Peer::PrefixList(id) if rule.direction == direction => {
                before.prefix_lists.get(id) != after.prefix_lists.get(id)
            }
            _ => false,
        })
    };
    let lists_differ = before.prefix_lists != after.prefix_lists;
    let mut differ = ChangedGroups::default();
    for (index, ((old_id, old), (new_id, new))) in
        before.groups.iter().zip(&after.groups).enumerate()
    {
        if !same_settings(old, new) {
            return None;
        }
        let known_same = old_id == new_id
            && differing.is_some_and(|differing| differing.binary_search(&old_id).is_err());
        for (direction, list) in [
            (Direction::Egress, &mut differ.egress),
            (Direction::Ingress, &mut differ.ingress),
        ] {
            let same = (known_same || same_rules(&old.rules, &new.rules, direction))
                && !(lists_differ
                    && (names_changed_list(&old.rules, direction)
                        || names_changed_list(&new.rules, direction)));
            if !same {
                list.push(index as u32);
            }
        }
    }
    Some(differ)
}

/// Whether `a` and `b` have the same groups with the same settings, as a seeded build needs.
fn same_groups(a: &Topology, b: &Topology) -> bool {
    a.groups.len() == b.groups.len()
        && a.groups
            .iter()
            .zip(&b.groups)
            .all(|((a_id, a), (b_id, b))| a_id == b_id && same_settings(a, b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::{apply, writable_group, Edit, NewEndpoint};
    use crate::eval::route::Actor;
    use crate::generate::{generate, GenParams, Shape};
    use crate::matrix::matrix_with;
    use crate::model::{EndpointId, GroupId, Rule};

    /// The topology of seed `seed` (of each shape in turn) after instances were added to its
    /// first and last writable groups and a TCP rule to the last one's ingress, with that group
    /// and whether each of the three edits applied (one the topology does not allow leaves it
    /// as it is); `None` without a writable group.
    fn edited(seed: u64) -> Option<(Topology, Topology, GroupId, Vec<bool>)> {
        let shape = Shape::ALL[seed as usize % Shape::ALL.len()];
        let old = generate(seed, &GenParams::of_shape(shape, 10, 5, 40));
        let writable: Vec<&GroupId> = old
            .groups
            .keys()
            .filter(|id| writable_group(&old, id).is_ok())
            .collect();
        let (first, last) = ((*writable.first()?).clone(), (*writable.last()?).clone());
        let edits = [
            Edit::AddEndpoint(NewEndpoint::Ecs {
                group: first.clone(),
            }),
            Edit::AddEndpoint(NewEndpoint::Ecs {
                group: last.clone(),
            }),
            Edit::AddRule {
                group: last.clone(),
                rule: Rule::tcp_from_internet(22),
            },
        ];
        let mut new = old.clone();
        let applied = edits
            .iter()
            .map(|edit| apply(&mut new, edit).is_ok())
            .collect();
        Some((old, new, last, applied))
    }

    /// Compares the cells of `part` (of `topology`, over every group) with the whole matrix's
    /// on the pairs a part covers, those with a filtering group on either side; how many.
    fn assert_part_is_whole(seed: u64, topology: &Topology, part: &Matrix) -> usize {
        let protocols = crate::diff::DIFF_PROTOCOLS;
        let whole = matrix_with(topology, &protocols);
        let filtered = |id: &EndpointId| {
            topology
                .endpoints
                .get(id)
                .is_some_and(|endpoint| !Actor::of_endpoint(topology, endpoint).groups.is_empty())
        };
        let mut checked = 0;
        for from in whole.endpoints() {
            for to in whole.endpoints() {
                if !filtered(from) && !filtered(to) {
                    continue;
                }
                for protocol in protocols {
                    let expected = whole.cell(from, to, protocol);
                    let got = part.cell(from, to, protocol);
                    assert_eq!(got, expected, "{seed} {from} -> {to} {protocol}");
                    checked += 1;
                }
            }
        }
        checked
    }

    /// The part of `old` over every group on every protocol of a diff, built knowing `new`'s
    /// endpoints, and the part of `new` built from it.
    fn part_and_later(old: &Topology, new: &Topology) -> (Matrix, Matrix) {
        let protocols = crate::diff::DIFF_PROTOCOLS;
        let blocks = JointBlocks::of(old, new);
        let old_groups: BTreeSet<&GroupId> = old.groups.keys().collect();
        let new_groups: BTreeSet<&GroupId> = new.groups.keys().collect();
        let before = matrix_part(
            old,
            &protocols,
            &Changed {
                egress: &old_groups,
                ingress: &old_groups,
                reach: None,
            },
            &blocks,
            None,
            Some(new),
        );
        let earlier = Earlier {
            topology: old,
            part: &before,
            differing: None,
        };
        let after = matrix_part(
            new,
            &protocols,
            &Changed {
                egress: &new_groups,
                ingress: &new_groups,
                reach: None,
            },
            &blocks,
            Some(earlier),
            None,
        );
        (before, after)
    }

    /// On every shape, a part built from an earlier part of the topology before an edit
    /// (instances added, a rule added to another group), which knew the later endpoints' address
    /// classes and group sets and so left the kept group sides complete, has the cells of the
    /// whole matrix after the edit over the pairs it covers; a group side kept although its
    /// rules changed would not.
    #[test]
    fn a_part_from_one_that_knew_its_endpoints_holds_the_whole_matrix() {
        let (mut checked, mut earlier_made, mut remade) = (0, 0, 0);
        for seed in 0..14u64 {
            let Some((old, new, last, applied)) = edited(seed) else {
                continue;
            };
            let (before, after) = part_and_later(&old, &new);
            // The part after the edit makes again no group side the earlier part made but the
            // one whose rules changed: it takes the others, which knew its endpoints.
            let (Some(kept), Some(made)) = (before.cache.0.as_ref(), after.cache.0.as_ref()) else {
                panic!("{seed}: both parts keep their state");
            };
            let edited = old
                .groups
                .keys()
                .position(|id| *id == last)
                .map(|at| at * 2 + 1);
            for side in made.sides_made() {
                let again = kept.sides()[*side as usize].is_some();
                let changed = applied[2] && edited == Some(*side as usize);
                assert!(!again || changed, "{seed}: side {side} made again");
                remade += usize::from(again);
            }
            earlier_made += kept.sides_made().len();
            checked += assert_part_is_whole(seed, &new, &after);
        }
        assert!(checked > 0);
        assert!(
            earlier_made > 50,
            "the earlier parts made {earlier_made} sides"
        );
        assert!(remade > 5, "{remade} edited sides made again");
    }

    /// On every shape, a part built from an earlier part numbers its protocols, port sets and
    /// combos as the earlier one does, and more: a pair of endpoints with the same key in both
    /// (a combo, or every port for a pair on one node) has the same cells in both on every
    /// protocol; the earlier part does not extend a later one with sets or combos of its own.
    #[test]
    fn a_part_from_an_earlier_one_extends_it() {
        let protocols = crate::diff::DIFF_PROTOCOLS;
        let (mut same, mut local, mut longer) = (0, 0, 0);
        for seed in 0..14u64 {
            let Some((old, new, _, _)) = edited(seed) else {
                continue;
            };
            let (before, after) = part_and_later(&old, &new);
            assert!(after.extends(&before), "{seed}");
            assert!(before.extends(&before), "{seed}");
            if after.combos.len() > before.combos.len()
                || after.port_sets.len() > before.port_sets.len()
            {
                assert!(!before.extends(&after), "{seed}");
                longer += 1;
            }
            let index = |matrix: &Matrix, id: &EndpointId| matrix.endpoint_index(id);
            for from in before.endpoints() {
                for to in before.endpoints() {
                    let (Some(old_from), Some(old_to), Some(new_from), Some(new_to)) = (
                        index(&before, from),
                        index(&before, to),
                        index(&after, from),
                        index(&after, to),
                    ) else {
                        continue;
                    };
                    let key = before.pair_key(old_from, old_to);
                    if from == to {
                        assert_eq!(key, None, "{seed} {from}");
                        continue;
                    }
                    if key.is_none() || key != after.pair_key(new_from, new_to) {
                        continue;
                    }
                    same += 1;
                    local += usize::from(key == Some(crate::matrix::LOCAL_PAIR));
                    for protocol in protocols {
                        assert_eq!(
                            before.cell(from, to, protocol),
                            after.cell(from, to, protocol),
                            "{seed} {from} -> {to} {protocol}"
                        );
                    }
                }
            }
        }
        assert!(same > 1000, "{same} pairs with the same key");
        assert!(local > 0, "{local} pairs on one node");
        assert!(longer > 0, "{longer} later parts with sets of their own");
    }

    /// On every shape, a part built from an earlier part that did not know the later
    /// endpoints (instances added to the first and last writable groups, and an ENI given two
    /// groups no ENI had together): the kept group sides lack some address classes or group
    /// sets, are made again, and the part has the cells of the whole matrix.
    #[test]
    fn a_part_from_one_that_did_not_know_its_endpoints_holds_the_whole_matrix() {
        let protocols = crate::diff::DIFF_PROTOCOLS;
        let (mut checked, mut remade) = (0, 0);
        for seed in 0..14u64 {
            let Some((old, mut new, _, _)) = edited(seed) else {
                continue;
            };
            let writable: Vec<GroupId> = old
                .groups
                .keys()
                .filter(|id| writable_group(&old, id).is_ok())
                .cloned()
                .collect();
            // The last instance with an ENI in two groups of one VPC and type.
            let pair = writable.iter().find_map(|a| {
                let (a_group, vpc) = (&old.groups[a], &old.groups[a].vpc);
                writable
                    .iter()
                    .find(|b| {
                        *b != a
                            && old.groups[*b].vpc == *vpc
                            && old.groups[*b].group_type == a_group.group_type
                    })
                    .map(|b| vec![a.clone(), b.clone()])
            });
            let instance = new
                .endpoints
                .values_mut()
                .filter(|endpoint| endpoint.kind == crate::model::EndpointKind::Ecs)
                .last();
            if let (Some(pair), Some(instance)) = (pair, instance) {
                if let Some(eni) = instance.enis.first_mut() {
                    if old.groups.get(&pair[0]).map(|g| &g.vpc) == instance.vpc.as_ref() {
                        eni.groups = pair;
                    }
                }
            }
            let blocks = JointBlocks::of(&old, &new);
            let groups: Vec<GroupId> = old.groups.keys().cloned().collect();
            let all: BTreeSet<&GroupId> = groups.iter().collect();
            let changed = Changed {
                egress: &all,
                ingress: &all,
                reach: None,
            };
            let before = matrix_part(&old, &protocols, &changed, &blocks, None, None);
            let earlier = Earlier {
                topology: &old,
                part: &before,
                differing: None,
            };
            let after = matrix_part(&new, &protocols, &changed, &blocks, Some(earlier), None);
            remade += after.cache.0.as_ref().map_or(0, |cache| {
                let kept = before.cache.0.as_ref().expect("kept");
                cache
                    .sides_made()
                    .iter()
                    .filter(|side| kept.sides()[**side as usize].is_some())
                    .count()
            });
            checked += assert_part_is_whole(seed, &new, &after);
        }
        assert!(
            checked > 0 && remade > 5,
            "{checked} cells, {remade} sides made again"
        );
    }

    /// A prefix list's entries changed alone: the part after the change makes again only the
    /// group sides whose rules of their direction name that list, and takes every other from
    /// the earlier part.
    #[test]
    fn a_prefix_list_changed_makes_again_only_the_sides_naming_it() {
        let (mut remade, mut taken) = (0, 0);
        for seed in 0..8u64 {
            let old = generate(seed, &GenParams::of_shape(Shape::PrefixLists, 30, 20, 120));
            let named = old
                .groups
                .values()
                .flat_map(|group| &group.rules)
                .find_map(|rule| match &rule.peer {
                    Peer::PrefixList(id) => Some(id.clone()),
                    _ => None,
                });
            let Some(list) = named else {
                continue;
            };
            let mut new = old.clone();
            let entries = &mut new.prefix_lists.get_mut(&list).expect("the list").cidrs;
            entries.push("0.0.0.0/0".parse().expect("a block"));
            let (mut before, after) = part_and_later(&old, &new);
            let (Some(kept), Some(made)) = (before.cache.0.take(), after.cache.0.as_ref()) else {
                panic!("{seed}: both parts keep their state");
            };
            // The sides whose rules of their direction name the list.
            let peer = &Peer::PrefixList(list.clone());
            let naming: BTreeSet<usize> = old
                .groups
                .values()
                .enumerate()
                .flat_map(|(index, group)| {
                    group.rules.iter().filter_map(move |rule| {
                        let direction = usize::from(rule.direction == Direction::Ingress);
                        (rule.peer == *peer).then_some(index * 2 + direction)
                    })
                })
                .collect();
            let mut again = 0;
            for side in made.sides_made() {
                let side = *side as usize;
                if kept.sides()[side].is_some() {
                    assert!(naming.contains(&side), "{seed}: side {side} made again");
                    again += 1;
                }
            }
            remade += again;
            taken += kept.sides().iter().flatten().count() - again;
        }
        assert!(
            remade > 0 && taken > 20,
            "{remade} sides made again, {taken} taken"
        );
    }

    /// On every shape, the part's cells of the pairs it covers are the whole matrix's.
    #[test]
    fn a_part_holds_the_cells_of_its_groups() {
        let protocols = crate::diff::DIFF_PROTOCOLS;
        for seed in 0..14u64 {
            let shape = Shape::ALL[seed as usize % Shape::ALL.len()];
            let topology = generate(seed, &GenParams::of_shape(shape, 10, 5, 40));
            let whole = matrix_with(&topology, &protocols);
            let ids: Vec<&GroupId> = topology.groups.keys().collect();
            let egress: BTreeSet<&GroupId> = ids.iter().step_by(3).copied().collect();
            let ingress: BTreeSet<&GroupId> = ids.iter().skip(1).step_by(4).copied().collect();
            let blocks = JointBlocks::of(&topology, &topology);
            let part = matrix_part(
                &topology,
                &protocols,
                &Changed {
                    egress: &egress,
                    ingress: &ingress,
                    reach: None,
                },
                &blocks,
                None,
                None,
            );
            let groups_of = |id: &EndpointId| {
                topology
                    .endpoints
                    .get(id)
                    .map(|endpoint| Actor::of_endpoint(&topology, endpoint).groups)
                    .unwrap_or_default()
            };
            for from in whole.endpoints() {
                for to in whole.endpoints() {
                    let covered = groups_of(from).iter().any(|g| egress.contains(g))
                        || groups_of(to).iter().any(|g| ingress.contains(g));
                    if !covered {
                        continue;
                    }
                    for protocol in protocols {
                        let expected = whole.cell(from, to, protocol);
                        let got = part.cell(from, to, protocol);
                        assert_eq!(got, expected, "{seed} {from} -> {to} {protocol}");
                    }
                }
            }
        }
    }
}
