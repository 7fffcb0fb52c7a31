//! The pairs whose allowed ports change: two matrices compared per pair of joint classes, each
//! changed pair traced to its deciding decisions, then counted and rolled up by group pair.

use std::collections::{BTreeMap, BTreeSet};

use super::ports::{count_ports, difference, union};
use super::{Change, Counts, Deciding, GroupPairChange, DIFF_PROTOCOLS};
use crate::eval::{explain, filtering_groups, Party};
use crate::matrix::{matrix_with, Bucket, Matrix};
use crate::model::{EndpointId, PortRange, Protocol, Topology};

/// One side of the comparison: a topology and its matrix.
struct Side<'t> {
    topology: &'t Topology,
    matrix: Matrix,
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

impl Side<'_> {
    /// The deciding decisions at `port`; `None` when either endpoint is absent on this side.
    fn deciding(
        &self,
        from: &EndpointId,
        to: &EndpointId,
        protocol: Protocol,
        port: Option<u16>,
    ) -> Option<Deciding> {
        let endpoints = &self.topology.endpoints;
        if !endpoints.contains_key(from) || !endpoints.contains_key(to) {
            return None;
        }
        let explanation = explain(
            self.topology,
            &Party::Endpoint(from.clone()),
            &Party::Endpoint(to.clone()),
            protocol,
            port,
        );
        Some(Deciding {
            port: explanation.port,
            verdict: explanation.verdict,
            egress: explanation.egress.decided_by,
            ingress: explanation.ingress.decided_by,
        })
    }
}

/// Every changed (source, target, protocol), sorted.
///
/// Endpoints with the same class on both sides (and in no pair that stays on one node) form a
/// joint class: every pair of members of two joint classes has the same cells on both sides,
/// so each pair of joint classes is compared and explained once, through representatives.
pub(super) fn changes(old: &Topology, new: &Topology) -> Vec<Change> {
    let old = Side {
        topology: old,
        matrix: matrix_with(old, &DIFF_PROTOCOLS),
    };
    let new = Side {
        topology: new,
        matrix: matrix_with(new, &DIFF_PROTOCOLS),
    };
    let joint = joint_classes(&old.matrix, &new.matrix);
    // Each member's index in both matrices, looked up once.
    let index = |id: Option<&EndpointId>| -> (Option<usize>, Option<usize>) {
        id.map_or((None, None), |id| {
            (old.matrix.endpoint_index(id), new.matrix.endpoint_index(id))
        })
    };
    let firsts: Vec<_> = joint.iter().map(|members| index(members.first())).collect();
    let seconds: Vec<_> = joint.iter().map(|members| index(members.get(1))).collect();
    let mut changes = Vec::new();
    for (source_class, sources) in joint.iter().enumerate() {
        for (target_class, targets) in joint.iter().enumerate() {
            let same = source_class == target_class;
            let (Some(from), Some(to)) = (
                sources.first(),
                if same {
                    sources.get(1)
                } else {
                    targets.first()
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
            for protocol in DIFF_PROTOCOLS {
                let before = cell_at(&old.matrix, at_from.0, at_to.0, protocol);
                let after = cell_at(&new.matrix, at_from.1, at_to.1, protocol);
                if before == after {
                    continue;
                }
                let opened = difference(after, before);
                let closed = difference(before, after);
                if opened.is_empty() && closed.is_empty() {
                    continue;
                }
                let port = opened
                    .first()
                    .or(closed.first())
                    .filter(|_| protocol.has_ports())
                    .map(|range| range.start());
                let before = old.deciding(from, to, protocol, port);
                let after = new.deciding(from, to, protocol, port);
                for source in sources {
                    for target in targets.iter().filter(|target| *target != source) {
                        changes.push(Change {
                            from: source.clone(),
                            to: target.clone(),
                            protocol,
                            opened: opened.clone(),
                            closed: closed.clone(),
                            before: before.clone(),
                            after: after.clone(),
                        });
                    }
                }
            }
        }
    }
    crate::sort::sort_by(&mut changes, |a, b| {
        (&a.from, &a.to, a.protocol).cmp(&(&b.from, &b.to, b.protocol))
    });
    changes
}

/// The endpoints of both sides grouped by their class on each side; an endpoint in a pair that
/// stays on one node, on either side, is a joint class of its own.
fn joint_classes(old: &Matrix, new: &Matrix) -> Vec<Vec<EndpointId>> {
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
    // The key: the class before, the class after, and the endpoint itself when it is alone.
    type Key<'a> = (Option<usize>, Option<usize>, Option<&'a EndpointId>);
    let mut groups: BTreeMap<Key<'_>, Vec<EndpointId>> = BTreeMap::new();
    for id in ids {
        let alone = local_ids.contains(id).then_some(id);
        groups
            .entry((class(old, id), class(new, id), alone))
            .or_default()
            .push(id.clone());
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
