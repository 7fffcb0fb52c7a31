//! The pairs whose allowed ports change: the cells that can differ ([`Dirty`]) compared per
//! pair of joint classes, each changed pair of classes with two representatives whose
//! decisions `super::decisions` makes when they are read.
//!
//! Each side's cells come from one matrix of that side with the external blocks as synthetic
//! endpoints, built only on the pairs whose source is filtered by a group of a dirty row or
//! whose target by a group of a dirty column (`super::shared`). A block has no groups, so its
//! row changes only in the dirty columns and its column only in the dirty rows, which that
//! part holds.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ipnet::IpNet;
use rustc_hash::FxHashMap;

use super::changes::{Changes, Payload, Ports, Record};
use super::dirty::{Dirty, Mask};
use super::peers::named_blocks;
use super::ports::difference;
use super::shared::{bit, Marks};
use crate::matrix::reach::{ClassReach, Reach};
use crate::matrix::subset::JointBlocks;
use crate::matrix::Matrix;
use crate::model::{EndpointId, GroupId, PortRange, Protocol, Topology};

/// One side of the comparison: the ids of the external blocks, and the matrix of the side's
/// topology with the blocks.
struct Side<'t> {
    blocks: &'t BTreeSet<EndpointId>,
    /// The matrix of the side (the first part: every part has the same endpoints and classes,
    /// being built on the same topology).
    matrix: Matrix,
    /// The other parts, each with the protocols it holds ([`Marks::matrices`]).
    others: Vec<(Mask, Matrix)>,
    /// The protocols of the first part.
    first: Mask,
}

impl<'t> Side<'t> {
    /// A side with its matrices.
    fn new(
        blocks: &'t BTreeSet<EndpointId>,
        mut matrices: Vec<(Mask, Matrix)>,
    ) -> Option<Side<'t>> {
        if matrices.is_empty() {
            return None;
        }
        let (first, matrix) = matrices.remove(0);
        Some(Side {
            blocks,
            matrix,
            others: matrices,
            first,
        })
    }

    /// The parts of the side, each with the protocols it holds: the first, then the others.
    fn parts(&self) -> Vec<(Mask, &Matrix)> {
        std::iter::once((self.first, &self.matrix))
            .chain(self.others.iter().map(|(mask, matrix)| (*mask, matrix)))
            .collect()
    }

    /// The matrix holding `protocol`.
    fn matrix_of(&self, protocol: Protocol) -> &Matrix {
        let bit = bit(protocol);
        if self.first & bit != 0 {
            return &self.matrix;
        }
        self.others
            .iter()
            .find(|(mask, _)| mask & bit != 0)
            .map_or(&self.matrix, |(_, matrix)| matrix)
    }
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

/// The changes of a diff, and the same by pair of joint classes, from which the counts and
/// the rollup are summed once per pair of classes rather than once per pair of members.
#[derive(Default)]
pub(super) struct Listing {
    /// Every changed (source, target, protocol), sorted.
    pub(super) changes: Changes,
    /// The ranks (in the changes' ids) of the members of each joint class.
    pub(super) classes: Vec<Vec<u32>>,
    /// Each changed pair of joint classes and protocol: the source class, the target class
    /// (indices in `classes`), the protocol and the index of its ports in the changes. Every
    /// ordered pair of distinct members of the two classes has that change.
    pub(super) class_changes: Vec<(u32, u32, Protocol, u32)>,
}

/// Every changed (source, target, protocol), sorted: the endpoints and the external `blocks`
/// compared on one part of a matrix per side; `differing` holds the groups of both sides whose
/// rules differ (`JointBlocks::scan`).
pub(super) fn changes(
    old: &Topology,
    new: &Topology,
    blocks: &[IpNet],
    differing: &[&GroupId],
    joint_blocks: &JointBlocks,
) -> Listing {
    let dirty = Dirty::of(old, new, differing);
    let protocols = dirty.protocols();
    if protocols.is_empty() {
        return Listing::default();
    }
    let named = named_blocks(blocks);
    let block_ids: BTreeSet<EndpointId> = named.iter().map(|(_, id)| id.clone()).collect();
    let endpoint_ids = merge_sorted(old.endpoints.keys(), new.endpoints.keys());
    let ids: Vec<EndpointId> = merge_sorted(endpoint_ids.into_iter(), block_ids.iter())
        .into_iter()
        .cloned()
        .collect();
    let mut changes = Collector {
        ids,
        records: Vec::new(),
        ports: Vec::new(),
        port_ids: FxHashMap::default(),
        payloads: Vec::new(),
        class_changes: Vec::new(),
    };
    let reach = dirty.reach(old, new, &named);
    let marks = Marks::new(old, new, &dirty, reach);
    let old_all = marks.side(old, &named, &dirty);
    let new_all = marks.side(new, &named, &dirty);
    let old_matrices = marks.matrices(
        &old_all,
        &protocols,
        joint_blocks,
        None,
        Some(&new_all),
        differing,
    );
    let new_matrices = marks.matrices(
        &new_all,
        &protocols,
        joint_blocks,
        Some((&old_all, &old_matrices)),
        None,
        differing,
    );
    let (Some(before), Some(after)) = (
        Side::new(&block_ids, old_matrices),
        Side::new(&block_ids, new_matrices),
    ) else {
        return Listing::default();
    };
    let classes = compare(
        &before,
        &after,
        &dirty,
        marks.reach(),
        &protocols,
        &mut changes,
    );
    drop((before, after));
    let class_changes = std::mem::take(&mut changes.class_changes);
    let sides = (!changes.records.is_empty()).then(|| Arc::new([old_all.0, new_all.0]));
    Listing {
        changes: changes.into_changes(sides),
        classes,
        class_changes,
    }
}

/// The ids of two sorted lists, sorted, each once.
fn merge_sorted<'a>(
    a: impl Iterator<Item = &'a EndpointId>,
    b: impl Iterator<Item = &'a EndpointId>,
) -> Vec<&'a EndpointId> {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    let mut merged = Vec::new();
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x < y => a.next(),
            (Some(x), Some(y)) if x > y => b.next(),
            (Some(_), Some(_)) => {
                b.next();
                a.next()
            }
            (Some(_), None) => a.next(),
            (None, _) => b.next(),
        };
        match next {
            Some(id) => merged.push(id),
            None => return merged,
        }
    }
}

/// The changed cells found so far, by rank of their endpoints' ids, each pointing to what
/// changed: the same opened and closed ports and decisions hold for every pair of members of
/// two joint classes.
struct Collector {
    /// Every id compared (endpoints of both sides and synthetic parties), sorted.
    ids: Vec<EndpointId>,
    /// (source rank, target rank, protocol, payload index).
    records: Vec<(u32, u32, Protocol, u32)>,
    /// The distinct ports opened and closed of the changed pairs of joint classes and
    /// protocols.
    ports: Vec<(Ports, Ports)>,
    /// The index of each of those in `ports`.
    port_ids: FxHashMap<(Vec<PortRange>, Vec<PortRange>), u32>,
    payloads: Vec<Payload>,
    /// (source class, target class, protocol, ports index) of each changed pair of joint
    /// classes ([`Listing::class_changes`]).
    class_changes: Vec<(u32, u32, Protocol, u32)>,
}

impl Collector {
    /// The index in [`Collector::ports`] of ports opened and closed: many pairs of joint
    /// classes open or close the same ports, and share them.
    fn ports_of(&mut self, opened: Vec<PortRange>, closed: Vec<PortRange>) -> u32 {
        let next = self.ports.len() as u32;
        let ports = &mut self.ports;
        *self
            .port_ids
            .entry((opened, closed))
            .or_insert_with_key(|(opened, closed)| {
                ports.push((opened.as_slice().into(), closed.as_slice().into()));
                next
            })
    }

    /// The changes sorted by source, target and protocol, whose decisions read `sides`.
    fn into_changes(self, sides: Option<Arc<[Topology; 2]>>) -> Changes {
        let Collector {
            ids,
            records,
            ports,
            port_ids: _,
            payloads,
            class_changes: _,
        } = self;
        let records = sorted_records(records, ids.len())
            .into_iter()
            .map(|(from, to, protocol, payload)| Record {
                from,
                to,
                protocol,
                payload,
            })
            .collect();
        Changes {
            ids,
            records,
            payloads,
            ports,
            sides,
        }
    }
}

/// The records sorted by source, target and protocol: the ranks are below `id_count` and each
/// (source, target, protocol) is recorded once, so two stable counting sorts (by target and
/// protocol, then by source) sort them in time linear in their number and in `id_count`.
fn sorted_records(
    records: Vec<(u32, u32, Protocol, u32)>,
    id_count: usize,
) -> Vec<(u32, u32, Protocol, u32)> {
    // `Protocol`'s order is its declaration's.
    const PROTOCOL_COUNT: usize = Protocol::All as usize + 1;
    let by_target = counting_sort(records, id_count * PROTOCOL_COUNT, |record| {
        record.1 as usize * PROTOCOL_COUNT + record.2 as usize
    });
    counting_sort(by_target, id_count, |record| record.0 as usize)
}

/// `records` sorted stably by `key`, whose values are below `buckets` (any beyond count as the
/// last).
fn counting_sort<T: Copy>(records: Vec<T>, buckets: usize, key: impl Fn(&T) -> usize) -> Vec<T> {
    let buckets = buckets.max(1);
    let last = buckets - 1;
    let mut starts = vec![0usize; buckets + 1];
    for record in &records {
        starts[key(record).min(last) + 1] += 1;
    }
    for bucket in 0..buckets {
        starts[bucket + 1] += starts[bucket];
    }
    let mut sorted = records.clone();
    for record in records {
        let bucket = key(&record).min(last);
        sorted[starts[bucket]] = record;
        starts[bucket] += 1;
    }
    sorted
}

/// One joint class: its members (by rank in the changes' ids), where its first two members
/// sit in each side's matrix, and the protocols on which some member's row, and some member's
/// column, may differ.
struct Joint {
    members: Vec<u32>,
    /// The indices of the first two members in the matrices before and after.
    at: [(Option<usize>, Option<usize>); 2],
    rows: Mask,
    columns: Mask,
}

/// Compares the cells of `before` and `after` that the dirty set leaves open, per
/// pair of joint classes, and appends a change for every pair of members whose cell differs.
///
/// Endpoints with the same class on both sides (and in no pair that stays on one node) form a
/// joint class: every pair of members of two joint classes has the same cells on both sides,
/// so each pair of joint classes is compared once, and explained once when read, through
/// representatives. Returns the ranks of the members of each joint class.
fn compare(
    before: &Side<'_>,
    after: &Side<'_>,
    dirty: &Dirty,
    reach: &Reach,
    protocols: &[Protocol],
    changes: &mut Collector,
) -> Vec<Vec<u32>> {
    let (joint, reached) = joint_classes(before, after, dirty, reach, &changes.ids);
    // The joint classes with a dirty column: a clean row meets only those.
    let dirty_columns: Vec<usize> = (0..joint.len())
        .filter(|class| joint[*class].columns != 0)
        .collect();
    let every: Vec<usize> = (0..joint.len()).collect();
    // When the side after was built from the side before (and numbers its combos alike), a
    // pair with the same combo on both sides has the same cells, and is passed over whole.
    let (old_parts, new_parts) = (before.parts(), after.parts());
    let comparable = old_parts.len() == new_parts.len()
        && old_parts
            .iter()
            .zip(&new_parts)
            .all(|((old_mask, old), (new_mask, new))| old_mask == new_mask && new.extends(old));
    let same_cells = |from: (Option<usize>, Option<usize>), to: (Option<usize>, Option<usize>)| {
        comparable
            && old_parts
                .iter()
                .zip(&new_parts)
                .all(|((_, old), (_, new))| {
                    let old_key = from.0.zip(to.0).and_then(|(f, t)| old.pair_key(f, t));
                    let new_key = from.1.zip(to.1).and_then(|(f, t)| new.pair_key(f, t));
                    old_key.is_some() && old_key == new_key
                })
    };
    for (source_class, sources) in joint.iter().enumerate() {
        let candidates = if sources.rows == 0 {
            &dirty_columns
        } else {
            &every
        };
        for &target_class in candidates {
            let targets = &joint[target_class];
            // A cell changes only through a dirty row that reaches its target or a dirty
            // column that reaches its source (the parts build only those); a block's own row
            // and column are clean.
            let rows = if reached.reaches(source_class, target_class, 0) {
                sources.rows
            } else {
                0
            };
            let columns = if reached.reaches(source_class, target_class, 1) {
                targets.columns
            } else {
                0
            };
            let open = rows | columns;
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
            let at_from = sources.at[0];
            let at_to = if same { sources.at[1] } else { targets.at[0] };
            if same_cells(at_from, at_to) {
                continue;
            }
            for protocol in protocols {
                if open & bit(*protocol) == 0 {
                    continue;
                }
                let protocol = *protocol;
                let old_cell = cell_at(before.matrix_of(protocol), at_from.0, at_to.0, protocol);
                let new_cell = cell_at(after.matrix_of(protocol), at_from.1, at_to.1, protocol);
                if old_cell == new_cell {
                    continue;
                }
                let opened = difference(new_cell, old_cell);
                let closed = difference(old_cell, new_cell);
                if opened.is_empty() && closed.is_empty() {
                    continue;
                }
                let ports = changes.ports_of(opened, closed);
                changes.class_changes.push((
                    source_class as u32,
                    target_class as u32,
                    protocol,
                    ports,
                ));
                let payload = changes.payloads.len() as u32;
                changes.payloads.push(Payload {
                    ports,
                    representatives: (*from, *to),
                });
                for source in &sources.members {
                    for target in targets.members.iter().filter(|to| *to != source) {
                        changes.records.push((*source, *target, protocol, payload));
                    }
                }
            }
        }
    }
    joint.into_iter().map(|class| class.members).collect()
}

/// The endpoints of both sides grouped by their class on each side; an endpoint in a pair that
/// stays on one node, on either side, is a joint class of its own, and the synthetic parties
/// and the endpoints never share a class.
///
/// `ids` is every id compared, sorted: each side's matrix holds its endpoints and the blocks,
/// sorted, so one walk down the three lists finds every id's place in both matrices.
fn joint_classes(
    old: &Side<'_>,
    new: &Side<'_>,
    dirty: &Dirty,
    reach: &Reach,
    ids: &[EndpointId],
) -> (Vec<Joint>, ClassReach) {
    // Per side, per index in its matrix: whether the endpoint is in a pair on one node.
    let local = |side: &Side<'_>| -> Vec<bool> {
        let mut local = vec![false; side.matrix.endpoints().len()];
        for matrix in std::iter::once(&side.matrix).chain(side.others.iter().map(|(_, m)| m)) {
            for index in matrix.local_pairs().iter().flat_map(|(a, b)| [*a, *b]) {
                if let Some(slot) = local.get_mut(index as usize) {
                    *slot = true;
                }
            }
        }
        local
    };
    let locals = [local(old), local(new)];
    let mut cursors = [0usize; 2];
    let mut dirty_entries = dirty.entries().peekable();
    // The key: the class before, the class after, whether a synthetic party, and the endpoint
    // itself (its rank) when it is alone.
    type Key = (Option<usize>, Option<usize>, bool, Option<u32>);
    let mut groups: BTreeMap<Key, Joint> = BTreeMap::new();
    for (rank, id) in ids.iter().enumerate() {
        let rank = rank as u32;
        let mut at = [None; 2];
        let mut alone = false;
        for (index, side) in [old, new].into_iter().enumerate() {
            let (endpoints, cursor) = (side.matrix.endpoints(), &mut cursors[index]);
            while endpoints.get(*cursor).is_some_and(|known| known < id) {
                *cursor += 1;
            }
            if endpoints.get(*cursor) == Some(id) {
                at[index] = Some(*cursor);
                alone |= locals[index][*cursor];
            }
        }
        while dirty_entries.peek().is_some_and(|(known, _)| *known < id) {
            dirty_entries.next();
        }
        let (rows, columns) = match dirty_entries.peek() {
            Some((known, sides)) if *known == id => *sides,
            _ => (0, 0),
        };
        let class =
            |side: &Side<'_>, index: Option<usize>| index.and_then(|i| side.matrix.class_at(i));
        let block = old.blocks.contains(id);
        let key = (
            class(old, at[0]),
            class(new, at[1]),
            block,
            alone.then_some(rank),
        );
        let joint = groups.entry(key).or_insert_with(|| Joint {
            members: Vec::new(),
            at: [(None, None); 2],
            rows: 0,
            columns: 0,
        });
        if let Some(slot) = joint.at.get_mut(joint.members.len()) {
            *slot = (at[0], at[1]);
        }
        joint.members.push(rank);
        joint.rows |= rows;
        joint.columns |= columns;
    }
    let joint: Vec<Joint> = groups.into_values().collect();
    let reached = ClassReach::of(
        reach,
        joint.len(),
        |class| joint[class].members.iter().map(|rank| &ids[*rank as usize]),
        |class, side| [joint[class].rows, joint[class].columns][side] != 0,
    );
    (joint, reached)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records come out by source, target and protocol, whatever order they came in,
    /// including those whose keys would meet if the protocols were fewer (GRE of one target and
    /// TCP of the next) or added to the target (UDP of one target and TCP of the next).
    #[test]
    fn records_are_sorted_by_source_target_and_protocol() {
        use Protocol::{Gre, Icmp, Icmpv6, Tcp, Udp};
        let records = vec![
            (1, 0, Icmp, 0),
            (0, 2, Tcp, 1),
            (0, 1, Tcp, 2),
            (0, 0, Gre, 3),
            (0, 0, Udp, 4),
            (2, 2, Icmpv6, 5),
            (0, 1, Udp, 6),
            (0, 0, Tcp, 7),
            (2, 0, Gre, 8),
        ];
        let mut expected = records.clone();
        expected.sort();
        assert_eq!(sorted_records(records, 3), expected);
    }

    /// Two sorted lists of ids merge into one sorted list holding each id once, whichever
    /// list is longer or empty.
    #[test]
    fn sorted_lists_merge_with_each_id_once() {
        let ids = |names: &[&str]| -> Vec<EndpointId> {
            names
                .iter()
                .map(|name| EndpointId((*name).to_owned()))
                .collect()
        };
        let names = |merged: Vec<&EndpointId>| -> Vec<String> {
            merged.into_iter().map(|id| id.0.clone()).collect()
        };
        let (a, b) = (ids(&["a", "c", "d", "f"]), ids(&["b", "c", "e"]));
        let all = ["a", "b", "c", "d", "e", "f"];
        assert_eq!(names(merge_sorted(a.iter(), b.iter())), all);
        assert_eq!(names(merge_sorted(b.iter(), a.iter())), all);
        assert_eq!(
            names(merge_sorted(a.iter(), [].iter())),
            ["a", "c", "d", "f"]
        );
        assert_eq!(names(merge_sorted([].iter(), b.iter())), ["b", "c", "e"]);
        assert_eq!(
            names(merge_sorted(a.iter(), a.iter())),
            ["a", "c", "d", "f"]
        );
    }

    /// A counting sort is stable: records with equal keys keep their order.
    #[test]
    fn a_counting_sort_keeps_the_order_of_equal_keys() {
        let records = vec![(2, 'a'), (0, 'b'), (2, 'c'), (1, 'd'), (0, 'e')];
        let sorted = counting_sort(records, 3, |record| record.0);
        assert_eq!(
            sorted,
            vec![(0, 'b'), (0, 'e'), (1, 'd'), (2, 'a'), (2, 'c')]
        );
    }
}
