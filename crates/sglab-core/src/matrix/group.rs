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
    let mut scratch = GroupScratch::new(matrix);
    let mut cells = Vec::new();
    for from in 0..bucket_count {
        index.fill_rows(matrix, from, &mut scratch);
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

/// The buffers of [`BucketIndex::fill_rows`] and [`BucketIndex::pair_cells`].
pub(super) struct GroupScratch {
    /// The pairs of the source bucket's members towards each target class, counted by combo:
    /// those of class `c` are `rows[row_starts[c]..row_starts[c + 1]]`.
    pub(super) row_starts: Vec<usize>,
    pub(super) rows: Vec<(u32, u64)>,
    /// Per combo, its place in the target class's list being filled (`u32::MAX`: none).
    pub(super) slots: Vec<u32>,
    /// Per combo, the pairs having it (dense, reset after each use).
    pub(super) combo_totals: Vec<u64>,
    /// The combos with a total.
    pub(super) touched_combos: Vec<u32>,
    /// Per protocol and port-set id, the pairs allowing it (dense, reset after each use).
    pub(super) totals: Vec<Vec<u64>>,
    /// Per protocol, the port-set ids with a total.
    pub(super) touched: Vec<Vec<u32>>,
    pub(super) merged: Vec<(u32, u64)>,
    pub(super) events: Vec<(u32, i64)>,
}

impl GroupScratch {
    pub(super) fn new(matrix: &Matrix) -> GroupScratch {
        let protocols = matrix.protocols.len();
        let combo_count = matrix.combos.len() / protocols.max(1);
        GroupScratch {
            row_starts: Vec::new(),
            rows: Vec::new(),
            slots: vec![u32::MAX; combo_count],
            combo_totals: vec![0; combo_count],
            touched_combos: Vec::new(),
            totals: vec![vec![0; matrix.port_sets.len()]; protocols],
            touched: vec![Vec::new(); protocols],
            merged: Vec::new(),
            events: Vec::new(),
        }
    }

    /// Adds `count` pairs allowing port set `set` on a protocol.
    fn add(&mut self, protocol_index: usize, set: u32, count: u64) {
        let totals = &mut self.totals[protocol_index];
        if totals.len() <= set as usize {
            totals.resize(set as usize + 1, 0);
        }
        if totals[set as usize] == 0 {
            self.touched[protocol_index].push(set);
        }
        totals[set as usize] += count;
    }

    /// Adds `count` pairs of combo `combo`.
    fn add_combo(&mut self, combo: u32, count: u64) {
        let Some(total) = self.combo_totals.get_mut(combo as usize) else {
            return;
        };
        if *total == 0 {
            self.touched_combos.push(combo);
        }
        *total += count;
    }

    /// Takes back `count` pairs of combo `combo` (pairs counted by class that are no pairs or
    /// are allowed everything).
    fn remove_combo(&mut self, combo: u32, count: u64) {
        if let Some(total) = self.combo_totals.get_mut(combo as usize) {
            *total = total.saturating_sub(count);
        }
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

    /// Counts, for every target class, the pairs from the members of bucket `from` by combo,
    /// into `scratch`'s rows (read by [`BucketIndex::pair_cells`] for this source bucket).
    /// Each member class's row is read once, in order.
    pub(super) fn fill_rows(&self, matrix: &Matrix, from: usize, scratch: &mut GroupScratch) {
        let class_count = matrix.class_count;
        let sources = &self.class_counts[from];
        let GroupScratch {
            row_starts,
            rows,
            slots,
            ..
        } = scratch;
        row_starts.clear();
        rows.clear();
        let source_rows: Vec<&[u32]> = sources
            .iter()
            .map(|(class, _)| {
                let start = *class as usize * class_count;
                matrix.cells.get(start..start + class_count).unwrap_or(&[])
            })
            .collect();
        for to_class in 0..class_count {
            let start = rows.len();
            row_starts.push(start);
            for (row, (_, count)) in source_rows.iter().zip(sources) {
                let Some(&combo) = row.get(to_class) else {
                    continue;
                };
                // Combo 0 allows nothing (half the pairs of a two-VPC account).
                if combo == 0 {
                    continue;
                }
                let Some(slot) = slots.get_mut(combo as usize) else {
                    continue;
                };
                if *slot == u32::MAX {
                    *slot = (rows.len() - start) as u32;
                    rows.push((combo, *count));
                } else if let Some(entry) = rows.get_mut(start + *slot as usize) {
                    entry.1 += count;
                }
            }
            for (combo, _) in &rows[start..] {
                slots[*combo as usize] = u32::MAX;
            }
        }
        row_starts.push(rows.len());
    }

    /// Appends the cells of one pair of buckets (by index), in protocol order; `scratch`'s rows
    /// are those of `from` ([`BucketIndex::fill_rows`]).
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
        for &(to_class, to_count) in &self.class_counts[to] {
            let to_class = to_class as usize;
            let (Some(&start), Some(&end)) = (
                scratch.row_starts.get(to_class),
                scratch.row_starts.get(to_class + 1),
            ) else {
                continue;
            };
            for at in start..end {
                let (combo, count) = scratch.rows[at];
                scratch.add_combo(combo, count * to_count);
            }
        }
        if scratch.touched_combos.is_empty() && local_pairs.is_none_or(Vec::is_empty) {
            return;
        }
        // An endpoint in both buckets makes no pair with itself; a local pair is allowed
        // everything whatever its classes' combo.
        let cell_combo = |from_class: u32, to_class: u32| {
            matrix
                .cells
                .get(from_class as usize * matrix.class_count + to_class as usize)
                .copied()
                .unwrap_or(0)
        };
        if let Some(selves) = selves {
            for (class, count) in selves {
                scratch.remove_combo(cell_combo(*class, *class), *count);
            }
        }
        if let Some(list) = local_pairs {
            for (from_class, to_class) in list {
                scratch.remove_combo(cell_combo(*from_class, *to_class), 1);
            }
        }
        let protocol_count = matrix.protocols.len();
        let mut touched = std::mem::take(&mut scratch.touched_combos);
        for combo in touched.drain(..) {
            let count = std::mem::take(&mut scratch.combo_totals[combo as usize]);
            if count == 0 || combo == 0 {
                continue;
            }
            let start = combo as usize * protocol_count;
            let Some(sets) = matrix.combos.get(start..start + protocol_count) else {
                continue;
            };
            for (protocol_index, set) in sets.iter().enumerate() {
                if *set != EMPTY_SET {
                    scratch.add(protocol_index, *set, count);
                }
            }
        }
        scratch.touched_combos = touched;
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
    // Events at one port add up in any order.
    events.sort_unstable_by_key(|event| event.0);
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
