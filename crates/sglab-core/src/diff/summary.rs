//! The sums of a diff's changes: the counts and the rollup by pair of buckets.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::pairs::Listing;
use super::ports::{count_ports, union};
use super::{Counts, GroupPairChange};
use crate::eval::filtering_groups;
use crate::matrix::Bucket;
use crate::model::{EndpointId, PortRange, Protocol, Topology};

/// The counts of a listing, summed by pair of joint classes: the pairs of members of two
/// classes are distinct from those of any other two, and a listing gives the changes of one
/// pair of classes next to each other ([`super::pairs::changes`]).
pub(super) fn counts(listing: &Listing) -> Counts {
    let mut counts = Counts::default();
    // A pair of classes counts its pairs once, at its first change with ports opened (or
    // closed).
    let mut last_opened: Option<(u32, u32)> = None;
    let mut last_closed: Option<(u32, u32)> = None;
    for &(source, target, protocol, ports) in &listing.class_changes {
        let Some((opened, closed)) = listing.changes.ports_at(ports) else {
            continue;
        };
        let pairs = member_pairs(listing, source, target);
        let pair = Some((source, target));
        let opened = count_ports(opened, protocol);
        let closed = count_ports(closed, protocol);
        if opened > 0 {
            if last_opened != pair {
                counts.pairs_opened += pairs;
                last_opened = pair;
            }
            *counts.ports_opened.entry(protocol).or_default() += opened * pairs;
        }
        if closed > 0 {
            if last_closed != pair {
                counts.pairs_closed += pairs;
                last_closed = pair;
            }
            *counts.ports_closed.entry(protocol).or_default() += closed * pairs;
        }
    }
    counts
}

/// The ordered pairs of distinct members of two joint classes.
fn member_pairs(listing: &Listing, source: u32, target: u32) -> u64 {
    let size = |class: u32| listing.classes.get(class as usize).map_or(0, Vec::len) as u64;
    if source == target {
        size(source) * size(source).saturating_sub(1)
    } else {
        size(source) * size(target)
    }
}

/// The sums of one pair of buckets and protocol: pairs opened, pairs closed, and the indices
/// of the ports (in [`Changes`]) of its changes. Equal ports share their index, so the indices
/// are few, and their ports are merged once at the end.
type Sum = (u64, u64, Vec<u32>);

/// The changes by pair of buckets and protocol, the most pairs first (ties by source bucket,
/// target bucket and protocol).
///
/// Endpoints with the same buckets share one set of buckets, and the changes are first counted
/// per pair of sets, protocol and ports, from each changed pair of joint classes and the number
/// of its members in each set, so that each bucket pair is summed once per such count rather
/// than once per change.
pub(super) fn rollup(old: &Topology, new: &Topology, listing: &Listing) -> Vec<GroupPairChange> {
    let changes = &listing.changes;
    let mut bucket_ids: BTreeMap<Bucket, u32> = BTreeMap::new();
    let mut set_ids: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
    let mut sets: Vec<Vec<u32>> = Vec::new();
    let mut set_of_rank: Vec<Option<u32>> = vec![None; changes.id_count()];
    let mut set_of = |rank: u32| -> Option<u32> {
        let slot = set_of_rank.get_mut(rank as usize)?;
        if slot.is_none() {
            let buckets: Vec<u32> = buckets_of(old, new, changes.id(rank)?)
                .into_iter()
                .map(|bucket| {
                    let next = bucket_ids.len() as u32;
                    *bucket_ids.entry(bucket).or_insert(next)
                })
                .collect();
            let next = sets.len() as u32;
            let id = *set_ids.entry(buckets.clone()).or_insert(next);
            if id == next {
                sets.push(buckets);
            }
            *slot = Some(id);
        }
        *slot
    };
    // The members of each joint class with a change, by set of buckets: (set, members).
    let mut by_set: Vec<Option<Vec<(u32, u64)>>> = vec![None; listing.classes.len()];
    for &(source, target, _, _) in &listing.class_changes {
        for class in [source, target] {
            let (Some(slot), Some(members)) = (
                by_set.get_mut(class as usize),
                listing.classes.get(class as usize),
            ) else {
                continue;
            };
            if slot.is_none() {
                let mut sizes: FxHashMap<u32, u64> = FxHashMap::default();
                for rank in members {
                    if let Some(set) = set_of(*rank) {
                        *sizes.entry(set).or_default() += 1;
                    }
                }
                let mut sizes: Vec<(u32, u64)> = sizes.into_iter().collect();
                sizes.sort_unstable();
                *slot = Some(sizes);
            }
        }
    }
    // (source set, target set, protocol, ports) -> (pairs, their ports).
    type Counted<'c> = (u64, &'c [PortRange], &'c [PortRange]);
    let mut counted: FxHashMap<(u32, u32, Protocol, u32), Counted<'_>> =
        FxHashMap::with_capacity_and_hasher(listing.class_changes.len(), Default::default());
    for &(source, target, protocol, ports) in &listing.class_changes {
        let (Some(Some(sources)), Some(Some(targets)), Some((opened, closed))) = (
            by_set.get(source as usize),
            by_set.get(target as usize),
            changes.ports_at(ports),
        ) else {
            continue;
        };
        for &(from, sources) in sources {
            for &(to, targets) in targets {
                // Within one class, a member is never its own target.
                let pairs = if source == target && from == to {
                    sources * sources.saturating_sub(1)
                } else {
                    sources * targets
                };
                if pairs > 0 {
                    counted
                        .entry((from, to, protocol, ports))
                        .or_insert((0, opened, closed))
                        .0 += pairs;
                }
            }
        }
    }
    let mut sums: FxHashMap<(u32, u32, Protocol), Sum> =
        FxHashMap::with_capacity_and_hasher(counted.len(), Default::default());
    for ((from, to, protocol, ports), (count, opened, closed)) in counted {
        let (Some(from), Some(to)) = (sets.get(from as usize), sets.get(to as usize)) else {
            continue;
        };
        for source in from {
            for target in to {
                let sum = sums.entry((*source, *target, protocol)).or_default();
                if !opened.is_empty() {
                    sum.0 += count;
                }
                if !closed.is_empty() {
                    sum.1 += count;
                }
                // Many pairs share their ports: the index last added adds nothing again.
                if sum.2.last() != Some(&ports) {
                    sum.2.push(ports);
                }
            }
        }
    }
    // The buckets by id, and each id's rank in the order of buckets.
    let mut buckets: Vec<Option<Bucket>> = vec![None; bucket_ids.len()];
    let mut rank = vec![0u32; bucket_ids.len()];
    for (position, (bucket, id)) in bucket_ids.into_iter().enumerate() {
        rank[id as usize] = position as u32;
        buckets[id as usize] = Some(bucket);
    }
    let mut entries: Vec<((u32, u32, Protocol), Sum)> = sums.into_iter().collect();
    // The keys are distinct integers: an unstable sort of plain numbers.
    entries.sort_unstable_by_key(|((from, to, protocol), _)| {
        (rank[*from as usize], rank[*to as usize], *protocol as u8)
    });
    let mut rollup: Vec<GroupPairChange> = entries
        .into_iter()
        .filter_map(
            |((from, to, protocol), (pairs_opened, pairs_closed, mut indices))| {
                indices.sort_unstable();
                indices.dedup();
                let lists = indices.iter().filter_map(|index| changes.ports_at(*index));
                let (opened, closed): (Vec<&[PortRange]>, Vec<&[PortRange]>) = lists.unzip();
                Some(GroupPairChange {
                    from: buckets.get(from as usize)?.clone()?,
                    to: buckets.get(to as usize)?.clone()?,
                    protocol,
                    pairs_opened,
                    pairs_closed,
                    opened: union(opened.into_iter().flatten().copied()),
                    closed: union(closed.into_iter().flatten().copied()),
                })
            },
        )
        .collect();
    crate::sort::sort_by_key(&mut rollup, |entry| {
        std::cmp::Reverse(entry.pairs_opened + entry.pairs_closed)
    });
    rollup
}

/// The buckets an endpoint counts in: its filtering groups after the change (before, when it is
/// gone), or the endpoint itself when it has none.
fn buckets_of(old: &Topology, new: &Topology, id: &EndpointId) -> Vec<Bucket> {
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
}
