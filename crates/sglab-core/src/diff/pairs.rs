//! The pairs whose allowed ports change: the cells that can differ ([`Dirty`]) compared per
//! pair of joint classes, each changed pair traced to its deciding decisions, then counted and
//! rolled up by group pair.
//!
//! The endpoints' cells come from one matrix of `old` and the same matrix after the edit
//! ([`matrix_after_edit`], which computes again only what the changed rules touch), both for
//! the protocols some dirty cell is on. The synthetic external parties are compared on their
//! own: a block has no groups, so its row changes only in the dirty columns and its column
//! only in the dirty rows, which a matrix of the dirty endpoints and the blocks holds.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;

use super::decide::Decider;
use super::dirty::{Dirty, Mask};
use super::peers::with_external_peers;
use super::ports::{count_ports, difference, union};
use super::{Change, Counts, GroupPairChange, DIFF_PROTOCOLS};
use crate::eval::filtering_groups;
use crate::matrix::{matrix_after_edit, matrix_with, Bucket, Matrix};
use crate::model::{EndpointId, EndpointKind, PortRange, Protocol, Topology};

/// One side of the comparison: a topology, its matrix and its decisions.
struct Side<'t> {
    matrix: Matrix,
    decider: Decider<'t>,
}

/// Which pairs of a comparison to look at.
#[derive(Clone, Copy)]
enum Scope<'a> {
    /// Pairs of endpoints of the topologies.
    Endpoints,
    /// Pairs of a synthetic external party (by id) and an endpoint.
    Blocks(&'a BTreeSet<EndpointId>),
}

/// The allowed ports between two endpoints by index; nothing when either is absent.
fn cell_at(
    matrix: &Matrix,
    from: Option<usize>,
    to: Option<usize>,
    protocol: Protocol,
) -> &[PortRange] {
    match (from, to) {
        (Some(from), Some(to)) => matrix.cell_at(from, to, protocol).unwrap_or(&[]),
        _ => &[],
    }
}

/// Every changed (source, target, protocol), sorted: the endpoints compared with the two
/// matrices, the external `blocks` with a matrix of the dirty endpoints and the blocks.
pub(super) fn changes(old: &Topology, new: &Topology, blocks: &[IpNet]) -> Vec<Change> {
    let dirty = Dirty::of(old, new);
    let protocols = dirty.protocols();
    let mut changes = Vec::new();
    if protocols.is_empty() {
        return changes;
    }
    let old_matrix = matrix_with(old, &protocols);
    let new_matrix = matrix_after_edit(old, &old_matrix, new);
    let mut before = Side {
        matrix: old_matrix,
        decider: Decider::new(old),
    };
    let mut after = Side {
        matrix: new_matrix,
        decider: Decider::new(new),
    };
    compare(
        &mut before,
        &mut after,
        &dirty,
        &protocols,
        Scope::Endpoints,
        &mut changes,
    );
    if !blocks.is_empty() {
        let members = with_nodes([old, new], dirty.ids());
        let old_part = with_external_peers(&restricted(old, &members), blocks);
        let new_part = with_external_peers(&restricted(new, &members), blocks);
        let mut before = Side {
            matrix: matrix_with(&old_part, &protocols),
            decider: Decider::new(&old_part),
        };
        let mut after = Side {
            matrix: matrix_with(&new_part, &protocols),
            decider: Decider::new(&new_part),
        };
        let ids: BTreeSet<EndpointId> = blocks
            .iter()
            .map(|block| EndpointId(block.to_string()))
            .collect();
        let scope = Scope::Blocks(&ids);
        compare(
            &mut before,
            &mut after,
            &dirty,
            &protocols,
            scope,
            &mut changes,
        );
    }
    crate::sort::sort_by(&mut changes, |a, b| {
        (&a.from, &a.to, a.protocol).cmp(&(&b.from, &b.to, b.protocol))
    });
    changes
}

/// The endpoints `ids` with, for each pod among them on either side, its node, whose ENI
/// filters it.
fn with_nodes<'a>(
    topologies: [&Topology; 2],
    ids: impl Iterator<Item = &'a EndpointId>,
) -> BTreeSet<EndpointId> {
    let mut members = BTreeSet::new();
    for id in ids {
        for topology in topologies {
            if let Some(EndpointKind::Pod { node, .. }) =
                topology.endpoints.get(id).map(|endpoint| &endpoint.kind)
            {
                members.insert(node.clone());
            }
        }
        members.insert(id.clone());
    }
    members
}

/// `topology` with only the endpoints `members`.
fn restricted(topology: &Topology, members: &BTreeSet<EndpointId>) -> Topology {
    let mut part = Topology {
        endpoints: Default::default(),
        ..topology.clone()
    };
    part.endpoints = topology
        .endpoints
        .iter()
        .filter(|(id, _)| members.contains(*id))
        .map(|(id, endpoint)| (id.clone(), endpoint.clone()))
        .collect();
    part
}

/// One joint class: its members, and the protocols on which some member's row, and some
/// member's column, may differ.
struct Joint {
    members: Vec<EndpointId>,
    rows: Mask,
    columns: Mask,
    /// Whether the members are synthetic external parties.
    blocks: bool,
}

/// Compares the cells of `before` and `after` in `scope` that the dirty set leaves open, per
/// pair of joint classes, and appends a change for every pair of members whose cell differs.
///
/// Endpoints with the same class on both sides (and in no pair that stays on one node) form a
/// joint class: every pair of members of two joint classes has the same cells on both sides,
/// so each pair of joint classes is compared and explained once, through representatives.
fn compare(
    before: &mut Side<'_>,
    after: &mut Side<'_>,
    dirty: &Dirty,
    protocols: &[Protocol],
    scope: Scope<'_>,
    changes: &mut Vec<Change>,
) {
    let joint = joint_classes(&before.matrix, &after.matrix, dirty, scope);
    // Each representative's index in both matrices, looked up once.
    let index = |id: Option<&EndpointId>| -> (Option<usize>, Option<usize>) {
        id.map_or((None, None), |id| {
            (
                before.matrix.endpoint_index(id),
                after.matrix.endpoint_index(id),
            )
        })
    };
    let firsts: Vec<_> = joint
        .iter()
        .map(|class| index(class.members.first()))
        .collect();
    let seconds: Vec<_> = joint
        .iter()
        .map(|class| index(class.members.get(1)))
        .collect();
    for (source_class, sources) in joint.iter().enumerate() {
        for (target_class, targets) in joint.iter().enumerate() {
            let open = match scope {
                Scope::Endpoints => sources.rows | targets.columns,
                Scope::Blocks(_) => match (sources.blocks, targets.blocks) {
                    (true, false) => targets.columns,
                    (false, true) => sources.rows,
                    _ => 0,
                },
            };
            if open == 0 {
                continue;
            }
            let same = source_class == target_class;
            let (Some(from), Some(to)) = (
                sources.members.first(),
                if same {
                    sources.members.get(1)
                } else {
                    targets.members.first()
                },
            ) else {
                continue;
            };
            let at_from = firsts[source_class];
            let at_to = if same {
                seconds[source_class]
            } else {
                firsts[target_class]
            };
            for protocol in protocols {
                let bit = DIFF_PROTOCOLS
                    .iter()
                    .position(|p| p == protocol)
                    .map_or(0, |index| 1 << index);
                if open & bit == 0 {
                    continue;
                }
                let protocol = *protocol;
                let old_cell = cell_at(&before.matrix, at_from.0, at_to.0, protocol);
                let new_cell = cell_at(&after.matrix, at_from.1, at_to.1, protocol);
                if old_cell == new_cell {
                    continue;
                }
                let opened = difference(new_cell, old_cell);
                let closed = difference(old_cell, new_cell);
                if opened.is_empty() && closed.is_empty() {
                    continue;
                }
                let port = opened
                    .first()
                    .or(closed.first())
                    .filter(|_| protocol.has_ports())
                    .map(|range| range.start());
                let old_deciding = before.decider.deciding(from, to, protocol, port);
                let new_deciding = after.decider.deciding(from, to, protocol, port);
                for source in &sources.members {
                    for target in targets.members.iter().filter(|target| *target != source) {
                        changes.push(Change {
                            from: source.clone(),
                            to: target.clone(),
                            protocol,
                            opened: opened.clone(),
                            closed: closed.clone(),
                            before: old_deciding.clone(),
                            after: new_deciding.clone(),
                        });
                    }
                }
            }
        }
    }
}

/// The endpoints of both sides grouped by their class on each side; an endpoint in a pair that
/// stays on one node, on either side, is a joint class of its own, and in the scope of blocks
/// the synthetic parties and the endpoints never share a class.
fn joint_classes(old: &Matrix, new: &Matrix, dirty: &Dirty, scope: Scope<'_>) -> Vec<Joint> {
    let local = |matrix: &Matrix| -> BTreeSet<EndpointId> {
        matrix
            .local_pairs()
            .iter()
            .flat_map(|(a, b)| [*a, *b])
            .filter_map(|index| matrix.endpoints().get(index as usize).cloned())
            .collect()
    };
    let mut local_ids = local(old);
    local_ids.extend(local(new));
    let ids: BTreeSet<&EndpointId> = old.endpoints().iter().chain(new.endpoints()).collect();
    let class = |matrix: &Matrix, id: &EndpointId| matrix.class_of(id);
    // The key: the class before, the class after, whether a synthetic party, and the endpoint
    // itself when it is alone.
    type Key<'a> = (Option<usize>, Option<usize>, bool, Option<&'a EndpointId>);
    let mut groups: BTreeMap<Key<'_>, Joint> = BTreeMap::new();
    for id in ids {
        let alone = local_ids.contains(id).then_some(id);
        let block = matches!(scope, Scope::Blocks(blocks) if blocks.contains(id));
        let (rows, columns) = dirty.sides(id);
        let joint = groups
            .entry((class(old, id), class(new, id), block, alone))
            .or_insert_with(|| Joint {
                members: Vec::new(),
                rows: 0,
                columns: 0,
                blocks: block,
            });
        joint.members.push(id.clone());
        joint.rows |= rows;
        joint.columns |= columns;
    }
    groups.into_values().collect()
}
/// The counts of a list of changes.
pub(super) fn counts(changes: &[Change]) -> Counts {
    let mut counts = Counts::default();
    let mut opened_pairs: BTreeSet<(&EndpointId, &EndpointId)> = BTreeSet::new();
    let mut closed_pairs: BTreeSet<(&EndpointId, &EndpointId)> = BTreeSet::new();
    for change in changes {
        let opened = count_ports(&change.opened, change.protocol);
        let closed = count_ports(&change.closed, change.protocol);
        if opened > 0 {
            opened_pairs.insert((&change.from, &change.to));
            *counts.ports_opened.entry(change.protocol).or_default() += opened;
        }
        if closed > 0 {
            closed_pairs.insert((&change.from, &change.to));
            *counts.ports_closed.entry(change.protocol).or_default() += closed;
        }
    }
    counts.pairs_opened = opened_pairs.len() as u64;
    counts.pairs_closed = closed_pairs.len() as u64;
    counts
}

/// The changes by pair of buckets and protocol, the most pairs first.
pub(super) fn rollup(old: &Topology, new: &Topology, changes: &[Change]) -> Vec<GroupPairChange> {
    let mut buckets: BTreeMap<&EndpointId, Vec<Bucket>> = BTreeMap::new();
    let buckets_of = |id: &EndpointId| -> Vec<Bucket> {
        let endpoint = new.endpoints.get(id).map(|endpoint| (new, endpoint));
        let endpoint = endpoint.or_else(|| old.endpoints.get(id).map(|e| (old, e)));
        let groups = endpoint
            .map(|(topology, endpoint)| filtering_groups(topology, endpoint))
            .unwrap_or_default();
        if groups.is_empty() {
            vec![Bucket::Endpoint(id.clone())]
        } else {
            groups.into_iter().map(Bucket::Group).collect()
        }
    };
    type Key = (Bucket, Bucket, Protocol);
    let mut sums: BTreeMap<Key, (u64, u64, Vec<PortRange>, Vec<PortRange>)> = BTreeMap::new();
    for change in changes {
        let from = buckets
            .entry(&change.from)
            .or_insert_with(|| buckets_of(&change.from))
            .clone();
        let to = buckets
            .entry(&change.to)
            .or_insert_with(|| buckets_of(&change.to))
            .clone();
        for source in &from {
            for target in &to {
                let sum = sums
                    .entry((source.clone(), target.clone(), change.protocol))
                    .or_default();
                sum.0 += u64::from(!change.opened.is_empty());
                sum.1 += u64::from(!change.closed.is_empty());
                sum.2.extend(change.opened.iter().copied());
                sum.3.extend(change.closed.iter().copied());
            }
        }
    }
    let mut rollup: Vec<GroupPairChange> = sums
        .into_iter()
        .map(
            |((from, to, protocol), (pairs_opened, pairs_closed, opened, closed))| {
                GroupPairChange {
                    from,
                    to,
                    protocol,
                    pairs_opened,
                    pairs_closed,
                    opened: union(opened),
                    closed: union(closed),
                }
            },
        )
        .collect();
    crate::sort::sort_by_key(&mut rollup, |entry| {
        std::cmp::Reverse(entry.pairs_opened + entry.pairs_closed)
    });
    rollup
}
