//! The matrix and the group matrix after an edit of rules: which groups' rules changed, and
//! what of the previous matrices the new ones may keep.

use crate::model::{Direction, PortRange, SecurityGroup, Topology};

use super::builder::Builder;
use super::group::BucketIndex;
use super::intern::FastMap;
use super::tally::GroupScratch;
use super::{group_matrix_of, GroupMatrix, Matrix};

/// The matrix of `topology` after an edit of `previous_topology`, whose matrix is `previous`:
/// the same cells as [`matrix_with`](super::matrix_with) for `previous`'s protocols, computed again only for the
/// pairs of endpoints whose source is in a group whose egress rules changed or whose target
/// is in a group whose ingress rules changed (a change of descriptions only changes nothing).
///
/// The reuse applies when the two topologies differ only in rules (the edits of an
/// interactive session: a rule's ports, priority, policy, peer, added or deleted rules) and
/// the endpoints still fall into the same classes; after any other change it builds the whole
/// matrix. Only the numbering and count of the stored port sets may differ from a fresh
/// build's.
pub fn matrix_after_edit(
    previous_topology: &Topology,
    previous: &Matrix,
    topology: &Topology,
) -> Matrix {
    let protocols = previous.protocols.clone();
    match changed_groups(previous_topology, topology) {
        Some(changed) => {
            let mut builder = Builder::new(topology);
            if let Some(cache) = &previous.cache.0 {
                builder.seed(cache, &protocols, &changed);
            }
            builder.build_reusing(
                protocols,
                Some(Reuse {
                    matrix: Some(previous),
                    changed,
                    reach: None,
                }),
            )
        }
        None => Builder::new(topology).build(protocols),
    }
}

/// The indices (in id order) of the groups whose egress rules differ and of those whose
/// ingress rules differ, when the two topologies differ in nothing else that evaluation reads.
pub(super) fn changed_groups(before: &Topology, after: &Topology) -> Option<ChangedGroups> {
    let same_rest = before.vpcs == after.vpcs
        && before.endpoints == after.endpoints
        && before.clusters == after.clusters
        && before.gateways == after.gateways
        && before.prefix_lists == after.prefix_lists
        && before.groups.len() == after.groups.len();
    if !same_rest {
        return None;
    }
    let mut changed = ChangedGroups::default();
    for (index, (old, new)) in before
        .groups
        .values()
        .zip(after.groups.values())
        .enumerate()
    {
        if !same_settings(old, new) {
            return None;
        }
        for (direction, list) in [
            (Direction::Egress, &mut changed.egress),
            (Direction::Ingress, &mut changed.ingress),
        ] {
            if !same_rules(&old.rules, &new.rules, direction) {
                list.push(index as u32);
            }
        }
    }
    Some(changed)
}

/// Whether two versions of a group (same position in id order) are the same group with the
/// same settings: id, VPC, type, intra-group policy and managing service.
pub(super) fn same_settings(old: &SecurityGroup, new: &SecurityGroup) -> bool {
    old.id == new.id
        && old.vpc == new.vpc
        && old.group_type == new.group_type
        && old.inner_access_policy == new.inner_access_policy
        && old.managed_by == new.managed_by
}

/// Whether two lists of rules hold the same rules of one direction in the same order, but for
/// their descriptions, which evaluation never reads. (A rule's index in its group only breaks
/// ties between rules of equal priority and policy, which give the same verdict, so rules of
/// the other direction may come and go.)
pub(super) fn same_rules(
    before: &[crate::model::Rule],
    after: &[crate::model::Rule],
    direction: Direction,
) -> bool {
    let mut before = before.iter().filter(|rule| rule.direction == direction);
    let mut after = after.iter().filter(|rule| rule.direction == direction);
    loop {
        match (before.next(), after.next()) {
            (None, None) => return true,
            (Some(old), Some(new)) => {
                let same = old.policy == new.policy
                    && old.priority == new.priority
                    && old.protocol == new.protocol
                    && old.ports == new.ports
                    && old.peer == new.peer
                    && old.source_ports == new.source_ports
                    && old.local_cidr == new.local_cidr
                    && old.nic_type == new.nic_type
                    && old.id == new.id;
                if !same {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The groups whose rules changed, by index, per direction.
#[derive(Default)]
pub(super) struct ChangedGroups {
    pub(super) egress: Vec<u32>,
    pub(super) ingress: Vec<u32>,
}

/// What [`Builder::build_reusing`] may take from an earlier matrix.
pub(super) struct Reuse<'m> {
    /// The matrix before the edit; `None` for one of the same endpoints, classes and protocols
    /// whose cells all allow nothing (a part of a matrix, `super::subset`).
    pub(super) matrix: Option<&'m Matrix>,
    /// The groups whose rules changed.
    pub(super) changed: ChangedGroups,
    /// What the changed rows and columns can differ towards among the synthetic parties of a
    /// diff; `None`: every class.
    pub(super) reach: Option<&'m super::reach::Reach>,
}

/// The group matrix of `matrix` (the matrix of `topology`) after an edit, derived from
/// `previous`, the group matrix of `previous_matrix` (the matrix of `previous_topology`): equal
/// to [`group_matrix_of`]`(topology, matrix)`.
///
/// A cell depends only on the port sets of the pairs of classes its two buckets hold, so the
/// cells of a pair of buckets none of whose pairs of classes allows other ports than before
/// are taken from `previous`, and the others are computed again. The reuse applies when the
/// endpoints, their buckets, their classes and the local pairs are those of the previous
/// matrix (an edit of rules: see [`matrix_after_edit`]); otherwise the whole group matrix is
/// computed.
pub fn group_matrix_after_edit(
    previous_topology: &Topology,
    previous_matrix: &Matrix,
    previous: &GroupMatrix,
    topology: &Topology,
    matrix: &Matrix,
) -> GroupMatrix {
    let same_structure = previous.protocols == matrix.protocols
        && previous_matrix.protocols == matrix.protocols
        && previous_matrix.endpoints == matrix.endpoints
        && previous_matrix.class_count == matrix.class_count
        && previous_matrix.class_of == matrix.class_of
        && previous_matrix.local_pairs == matrix.local_pairs
        && previous_matrix.cells.len() == matrix.cells.len()
        // Buckets come from the endpoints' ENIs, their nodes and their clusters only.
        && previous_topology.endpoints == topology.endpoints
        && previous_topology.clusters == topology.clusters;
    if !same_structure {
        return group_matrix_of(topology, matrix);
    }
    let index = BucketIndex::new(topology, matrix);
    let bucket_count = index.buckets.len();

    // Where each pair of buckets has its cells in `previous` (sorted by source and target,
    // like the buckets).
    let mut previous_cells: Vec<(u32, u32)> = vec![(0, 0); bucket_count * bucket_count];
    let mut from: Option<usize> = None;
    let mut at = 0;
    while at < previous.cells.len() {
        let cell = &previous.cells[at];
        let from_index = match from {
            Some(from) if index.buckets[from] == cell.from => from,
            _ => match index.buckets.binary_search(&cell.from) {
                Ok(found) => found,
                Err(_) => return group_matrix_of(topology, matrix),
            },
        };
        from = Some(from_index);
        let Ok(to_index) = index.buckets.binary_search(&cell.to) else {
            return group_matrix_of(topology, matrix);
        };
        let start = at;
        at += 1;
        while at < previous.cells.len()
            && previous.cells[at].to == cell.to
            && previous.cells[at].from == cell.from
        {
            at += 1;
        }
        previous_cells[from_index * bucket_count + to_index] = (start as u32, at as u32);
    }

    // The pairs of classes whose port sets changed, by content (ids may be renumbered), mark
    // every pair of buckets holding them: each earlier combo is mapped to the new combo with
    // the same port sets, if any.
    let new_ids: FastMap<&[PortRange], u32> = matrix
        .port_sets
        .iter()
        .enumerate()
        .map(|(id, ranges)| (ranges.as_slice(), id as u32))
        .collect();
    let renumber: Vec<u32> = previous_matrix
        .port_sets
        .iter()
        .map(|ranges| new_ids.get(ranges.as_slice()).copied().unwrap_or(u32::MAX))
        .collect();
    let protocol_count = matrix.protocols.len();
    let chunk = protocol_count.max(1);
    let new_combos: FastMap<&[u32], u32> = matrix
        .combos
        .chunks(chunk)
        .enumerate()
        .map(|(id, sets)| (sets, id as u32))
        .collect();
    let mut renumbered: Vec<u32> = Vec::with_capacity(chunk);
    let combo_map: Vec<u32> = previous_matrix
        .combos
        .chunks(chunk)
        .map(|sets| {
            renumbered.clear();
            renumbered.extend(
                sets.iter()
                    .map(|set| renumber.get(*set as usize).copied().unwrap_or(u32::MAX)),
            );
            new_combos
                .get(renumbered.as_slice())
                .copied()
                .unwrap_or(u32::MAX)
        })
        .collect();
    let mut buckets_of_class: Vec<Vec<u32>> = vec![Vec::new(); matrix.class_count];
    for (bucket, counts) in index.class_counts.iter().enumerate() {
        for (class, _) in counts {
            buckets_of_class[*class as usize].push(bucket as u32);
        }
    }
    let mut dirty = vec![false; bucket_count * bucket_count];
    for (pair, (old, new)) in previous_matrix.cells.iter().zip(&matrix.cells).enumerate() {
        if combo_map.get(*old as usize) == Some(new) {
            continue;
        }
        let (from_class, to_class) = (pair / matrix.class_count, pair % matrix.class_count);
        for from in &buckets_of_class[from_class] {
            for to in &buckets_of_class[to_class] {
                dirty[*from as usize * bucket_count + *to as usize] = true;
            }
        }
    }

    let mut scratch = GroupScratch::new(matrix);
    let mut cells = Vec::with_capacity(previous.cells.len());
    for from in 0..bucket_count {
        let row = &dirty[from * bucket_count..(from + 1) * bucket_count];
        if row.contains(&true) {
            scratch.fill_rows(&index, matrix, from);
        }
        for (to, dirty) in row.iter().enumerate() {
            if *dirty {
                scratch.pair_cells(&index, matrix, (from, to), &mut cells);
            } else {
                let (start, end) = previous_cells[from * bucket_count + to];
                cells.extend_from_slice(&previous.cells[start as usize..end as usize]);
            }
        }
    }
    GroupMatrix {
        protocols: matrix.protocols.clone(),
        cells,
    }
}
