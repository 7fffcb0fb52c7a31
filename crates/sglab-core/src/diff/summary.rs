//! The sums of a diff's changes: the counts and the rollup by pair of buckets.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use super::pairs::Listing;
use super::ports::{count_ports, union};
use super::{Change, Counts, GroupPairChange};
use crate::eval::filtering_groups;
use crate::matrix::Bucket;
use crate::model::{EndpointId, PortRange, Protocol, Topology};

/// The counts of the changes of a listing, sorted by source, target and protocol, as
/// [`super::pairs::changes`] gives them.
pub(super) fn counts(listing: &Listing) -> Counts {
    let mut counts = Counts::default();
    // The changes of one pair are next to each other: a pair counts once, at its first change
    // with ports opened (or closed). Pairs are told apart by the ranks of their ids.
    let mut last_opened: Option<(u32, u32)> = None;
    let mut last_closed: Option<(u32, u32)> = None;
    for (change, (from, to, _)) in listing.changes.iter().zip(&listing.keys) {
        let pair = Some((*from, *to));
        let opened = count_ports(&change.opened, change.protocol);
        let closed = count_ports(&change.closed, change.protocol);
        if opened > 0 {
            if last_opened != pair {
                counts.pairs_opened += 1;
                last_opened = pair;
            }
            *counts.ports_opened.entry(change.protocol).or_default() += opened;
        }
        if closed > 0 {
            if last_closed != pair {
                counts.pairs_closed += 1;
                last_closed = pair;
            }
            *counts.ports_closed.entry(change.protocol).or_default() += closed;
        }
    }
    counts
}

/// The sums of one pair of buckets and protocol: pairs opened, pairs closed, ports opened and
/// ports closed, and the index of the last change whose opened and closed ports were added.
type Sum = (u64, u64, Vec<PortRange>, Vec<PortRange>, [Option<usize>; 2]);

/// The changes by pair of buckets and protocol, the most pairs first (ties by source bucket,
/// target bucket and protocol).
///
/// Endpoints with the same buckets share one set of buckets, and the changes are first counted
/// per pair of sets, protocol and ports, so that each bucket pair is summed once per such
/// count rather than once per change.
pub(super) fn rollup(old: &Topology, new: &Topology, listing: &Listing) -> Vec<GroupPairChange> {
    let Listing { changes, keys, ids } = listing;
    let mut bucket_ids: BTreeMap<Bucket, u32> = BTreeMap::new();
    let mut set_ids: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
    let mut sets: Vec<Vec<u32>> = Vec::new();
    let mut set_of_rank: Vec<Option<u32>> = vec![None; ids.len()];
    let mut set_of = |rank: u32| -> Option<u32> {
        let slot = set_of_rank.get_mut(rank as usize)?;
        if slot.is_none() {
            let buckets: Vec<u32> = buckets_of(old, new, ids.get(rank as usize)?)
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
    // (source set, target set, protocol, ports) -> (changes, the first of them).
    // Sized once: at most one entry per change, and about as many pairs of buckets as counts.
    let mut counted: FxHashMap<(u32, u32, Protocol, u32), (u64, usize)> =
        FxHashMap::with_capacity_and_hasher(changes.len(), Default::default());
    for (index, (change, (from, to, ports))) in changes.iter().zip(keys).enumerate() {
        let (Some(from), Some(to)) = (set_of(*from), set_of(*to)) else {
            continue;
        };
        counted
            .entry((from, to, change.protocol, *ports))
            .or_insert((0, index))
            .0 += 1;
    }
    let mut sums: FxHashMap<(u32, u32, Protocol), Sum> =
        FxHashMap::with_capacity_and_hasher(counted.len(), Default::default());
    for ((from, to, protocol, _), (count, index)) in counted {
        let (Some(change), Some(from), Some(to)) = (
            changes.get(index),
            sets.get(from as usize),
            sets.get(to as usize),
        ) else {
            continue;
        };
        for source in from {
            for target in to {
                let sum = sums.entry((*source, *target, protocol)).or_default();
                if !change.opened.is_empty() {
                    sum.0 += count;
                }
                if !change.closed.is_empty() {
                    sum.1 += count;
                }
                // Many pairs share their ports: a list equal to the last one added adds nothing.
                let [last_opened, last_closed] = &mut sum.4;
                if !same_as(changes, *last_opened, &change.opened, |c| &c.opened) {
                    sum.2.extend(change.opened.iter().copied());
                    *last_opened = Some(index);
                }
                if !same_as(changes, *last_closed, &change.closed, |c| &c.closed) {
                    sum.3.extend(change.closed.iter().copied());
                    *last_closed = Some(index);
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
            |((from, to, protocol), (pairs_opened, pairs_closed, opened, closed, _))| {
                Some(GroupPairChange {
                    from: buckets.get(from as usize)?.clone()?,
                    to: buckets.get(to as usize)?.clone()?,
                    protocol,
                    pairs_opened,
                    pairs_closed,
                    opened: union(opened),
                    closed: union(closed),
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

/// Whether the ports of change `last` (read by `ports`) are `current`; false without a last.
fn same_as(
    changes: &[Change],
    last: Option<usize>,
    current: &[PortRange],
    ports: fn(&Change) -> &[PortRange],
) -> bool {
    last.and_then(|last| changes.get(last))
        .is_some_and(|change| ports(change) == current)
}
