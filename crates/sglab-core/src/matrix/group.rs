//! The group matrix: the matrix's cells counted per pair of buckets (security groups, and
//! endpoints in no group).

use std::collections::BTreeMap;

use crate::eval::route::Actor;
use crate::model::{PortRange, Topology};

use super::intern::FastMap;
use super::{matrix, Bucket, CountedRange, GroupCell, GroupMatrix, Matrix, EMPTY_SET, FULL_SET};

/// The group matrix for TCP, UDP and ICMP.
pub fn group_matrix(topology: &Topology) -> GroupMatrix {
    group_matrix_of(topology, &matrix(topology))
}

/// The group matrix of an already built matrix of `topology`.
///
/// An endpoint counts in every group of its filtering ENI; pairs of an endpoint with itself are
/// not counted.
pub fn group_matrix_of(topology: &Topology, matrix: &Matrix) -> GroupMatrix {
    let index = BucketIndex::new(topology, matrix);
    let bucket_count = index.buckets.len();
    let mut scratch = GroupScratch::new(matrix.protocols.len());
    let mut cells = Vec::new();
    for from in 0..bucket_count {
        for to in 0..bucket_count {
            index.pair_cells(matrix, from, to, &mut scratch, &mut cells);
        }
    }
    GroupMatrix {
        protocols: matrix.protocols.clone(),
        cells,
    }
}

/// The buckets of a matrix's endpoints, and what the group matrix counts in each pair of them.
pub(super) struct BucketIndex {
    /// The buckets, sorted.
    pub(super) buckets: Vec<Bucket>,
    /// Per bucket, its members counted by class, sorted by class.
    pub(super) class_counts: Vec<Vec<(u32, u64)>>,
    /// Per bucket, its members.
    pub(super) sizes: Vec<u64>,
    /// Per pair of buckets, the endpoints in both, counted by class: they make no pair with
    /// themselves.
    pub(super) self_pairs: FastMap<(u32, u32), BTreeMap<u32, u64>>,
    /// Per pair of buckets, the classes of its local pairs, which are allowed everything
    /// whatever their classes say.
    pub(super) local: FastMap<(u32, u32), Vec<(u32, u32)>>,
}

/// The buffers of [`BucketIndex::pair_cells`].
pub(super) struct GroupScratch {
    /// Per protocol and port-set id, the pairs allowing it (dense, reset after each use).
    pub(super) totals: Vec<Vec<u64>>,
    /// Per protocol, the port-set ids with a total.
    pub(super) touched: Vec<Vec<u32>>,
    pub(super) merged: Vec<(u32, u64)>,
    pub(super) events: Vec<(u32, i64)>,
}

impl GroupScratch {
    pub(super) fn new(protocols: usize) -> GroupScratch {
        GroupScratch {
            totals: vec![Vec::new(); protocols],
            touched: vec![Vec::new(); protocols],
            merged: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Adds `count` pairs allowing port set `set` on a protocol.
    pub(super) fn add(&mut self, protocol_index: usize, set: u32, count: u64) {
        let totals = &mut self.totals[protocol_index];
        if totals.len() <= set as usize {
            totals.resize(set as usize + 1, 0);
        }
        if totals[set as usize] == 0 {
            self.touched[protocol_index].push(set);
        }
        totals[set as usize] += count;
    }
}

impl BucketIndex {
    pub(super) fn new(topology: &Topology, matrix: &Matrix) -> BucketIndex {
        // The buckets of each endpoint, in the matrix's endpoint order.
        let mut bucket_ids: BTreeMap<Bucket, u32> = BTreeMap::new();
        let mut endpoint_buckets: Vec<Vec<Bucket>> = Vec::with_capacity(matrix.endpoints.len());
        for id in &matrix.endpoints {
            let buckets: Vec<Bucket> = match topology.endpoints.get(id) {
                Some(endpoint) => {
                    let actor = Actor::of_endpoint(topology, endpoint);
                    if actor.groups.is_empty() {
                        vec![Bucket::Endpoint(id.clone())]
                    } else {
                        actor
                            .groups
                            .iter()
                            .map(|group| Bucket::Group((*group).clone()))
                            .collect()
                    }
                }
                None => vec![Bucket::Endpoint(id.clone())],
            };
            for bucket in &buckets {
                bucket_ids.insert(bucket.clone(), 0);
            }
            endpoint_buckets.push(buckets);
        }
        for (index, id) in bucket_ids.values_mut().enumerate() {
            *id = index as u32;
        }
        let bucket_count = bucket_ids.len();
        let memberships: Vec<Vec<u32>> = endpoint_buckets
            .iter()
            .map(|buckets| {
                buckets
                    .iter()
                    .filter_map(|bucket| bucket_ids.get(bucket).copied())
                    .collect()
            })
            .collect();
        // Members of each bucket, counted by class.
        let mut class_counts: Vec<BTreeMap<u32, u64>> = vec![BTreeMap::new(); bucket_count];
        let mut sizes: Vec<u64> = vec![0; bucket_count];
        for (endpoint, buckets) in memberships.iter().enumerate() {
            for bucket in buckets {
                *class_counts[*bucket as usize]
                    .entry(matrix.class_of[endpoint])
                    .or_default() += 1;
                sizes[*bucket as usize] += 1;
            }
        }
        let mut self_pairs: FastMap<(u32, u32), BTreeMap<u32, u64>> = FastMap::default();
        for (endpoint, buckets) in memberships.iter().enumerate() {
            for from in buckets {
                for to in buckets {
                    *self_pairs
                        .entry((*from, *to))
                        .or_default()
                        .entry(matrix.class_of[endpoint])
                        .or_default() += 1;
                }
            }
        }
        let mut local: FastMap<(u32, u32), Vec<(u32, u32)>> = FastMap::default();
        for (from, to) in &matrix.local_pairs {
            let classes = (
                matrix.class_of[*from as usize],
                matrix.class_of[*to as usize],
            );
            for from_bucket in &memberships[*from as usize] {
                for to_bucket in &memberships[*to as usize] {
                    local
                        .entry((*from_bucket, *to_bucket))
                        .or_default()
                        .push(classes);
                }
            }
        }
        BucketIndex {
            buckets: bucket_ids.into_keys().collect(),
            class_counts: class_counts
                .into_iter()
                .map(|counts| counts.into_iter().collect())
                .collect(),
            sizes,
            self_pairs,
            local,
        }
    }

    /// Appends the cells of one pair of buckets (by index), in protocol order.
    pub(super) fn pair_cells(
        &self,
        matrix: &Matrix,
        from: usize,
        to: usize,
        scratch: &mut GroupScratch,
        cells: &mut Vec<GroupCell>,
    ) {
        let key = (from as u32, to as u32);
        let selves = self.self_pairs.get(&key);
        let local_pairs = self.local.get(&key);
        let pairs =
            self.sizes[from] * self.sizes[to] - selves.map_or(0, |selves| selves.values().sum());
        if pairs == 0 {
            return;
        }
        for &(from_class, from_count) in &self.class_counts[from] {
            for &(to_class, to_count) in &self.class_counts[to] {
                // Combo 0 allows nothing (half the pairs of a two-VPC account).
                let at = from_class as usize * matrix.class_count + to_class as usize;
                if matrix.cells.get(at).is_none_or(|combo| *combo == 0) {
                    continue;
                }
                let sets = matrix.pair_sets(from_class as usize, to_class as usize);
                let mut count = from_count * to_count;
                if from_class == to_class {
                    count -= selves
                        .and_then(|selves| selves.get(&from_class))
                        .copied()
                        .unwrap_or(0);
                }
                if let Some(list) = local_pairs {
                    count -= list
                        .iter()
                        .filter(|classes| **classes == (from_class, to_class))
                        .count() as u64;
                }
                if count == 0 {
                    continue;
                }
                for (protocol_index, set) in sets.iter().enumerate() {
                    if *set != EMPTY_SET {
                        scratch.add(protocol_index, *set, count);
                    }
                }
            }
        }
        for (protocol_index, protocol) in matrix.protocols.iter().enumerate() {
            if let Some(list) = local_pairs {
                if !list.is_empty() {
                    scratch.add(protocol_index, FULL_SET, list.len() as u64);
                }
            }
            if scratch.touched[protocol_index].is_empty() {
                continue;
            }
            // Pairs with the same port set added up as they came.
            let touched = &mut scratch.touched[protocol_index];
            touched.sort_unstable();
            let totals = &mut scratch.totals[protocol_index];
            let merged = &mut scratch.merged;
            merged.clear();
            for set in touched.drain(..) {
                merged.push((set, std::mem::take(&mut totals[set as usize])));
            }
            let allowed = match merged.as_slice() {
                [(set, count)] => matrix
                    .port_set(*set)
                    .iter()
                    .map(|ports| CountedRange {
                        ports: *ports,
                        pairs: *count,
                    })
                    .collect(),
                _ => {
                    let events = &mut scratch.events;
                    events.clear();
                    for &(set, count) in merged.iter() {
                        for range in matrix.port_set(set) {
                            events.push((u32::from(range.start()), count as i64));
                            events.push((u32::from(range.end()) + 1, -(count as i64)));
                        }
                    }
                    sweep(events)
                }
            };
            if !allowed.is_empty() {
                cells.push(GroupCell {
                    from: self.buckets[from].clone(),
                    to: self.buckets[to].clone(),
                    protocol: *protocol,
                    pairs,
                    allowed,
                });
            }
        }
    }
}

/// Turns (port, delta) events into ranges with their running count.
pub(super) fn sweep(events: &mut [(u32, i64)]) -> Vec<CountedRange> {
    events.sort_unstable();
    let mut ranges: Vec<CountedRange> = Vec::new();
    let mut count: i64 = 0;
    let mut at = 0;
    while at < events.len() {
        let port = events[at].0;
        while at < events.len() && events[at].0 == port {
            count += events[at].1;
            at += 1;
        }
        let next = events.get(at).map_or(65536, |event| event.0);
        if count > 0 && port <= 65535 && next > port {
            let start = u16::try_from(port).unwrap_or(u16::MAX);
            let end = u16::try_from(next - 1).unwrap_or(u16::MAX);
            if let Ok(ports) = PortRange::new(start, end) {
                ranges.push(CountedRange {
                    ports,
                    pairs: count as u64,
                });
            }
        }
    }
    ranges
}
