//! Counting the group matrix's cells: the pairs from a source bucket's members towards each
//! target class, by combo, then, per pair of buckets, the pairs allowing each port.
//!
//! The rows of a source bucket's member classes are read once, in order, into per-target-class
//! lists of (combo, pairs). The combos and port sets met there are renumbered locally, with a
//! copy of their ranges, so that counting the cells of the bucket's pairs works on small dense
//! tables instead of the whole matrix's.

use super::group::BucketIndex;
use super::sweep::PortSweep;
use super::{CountedRange, GroupCell, Matrix, EMPTY_SET, FULL_SET};

/// No local id.
const NONE: u32 = u32::MAX;

/// The buffers of the group matrix's counting, reused from one source bucket to the next.
pub(super) struct GroupScratch {
    protocols: usize,
    /// Per combo of the matrix, its local id for the current source bucket.
    local_of: Vec<u32>,
    /// Per local combo, its id in the matrix.
    combos: Vec<u32>,
    /// Per local combo and protocol, the local port set ([`NONE`] for the empty set).
    combo_sets: Vec<u32>,
    /// Per port set of the matrix, its local id.
    set_local: Vec<u32>,
    /// The matrix's port sets end to end: set `i` is
    /// `all_ranges[all_starts[i]..all_starts[i + 1]]`.
    all_starts: Vec<u32>,
    all_ranges: Vec<(u32, u32)>,
    /// Per local port set, its id in the matrix.
    sets: Vec<u32>,
    /// Per local port set `s`, its ranges `set_ranges[set_starts[s]..set_starts[s + 1]]`.
    set_starts: Vec<u32>,
    set_ranges: Vec<(u32, u32)>,
    /// The pairs towards each target class, by local combo: those of class `c` are
    /// `rows[row_starts[c]..row_starts[c + 1]]`.
    row_starts: Vec<usize>,
    rows: Vec<(u32, u64)>,
    /// Per local combo, its place in the target class's list being filled.
    column_slot: Vec<u32>,
    /// Per local combo, the pairs having it (reset after each pair of buckets).
    combo_totals: Vec<u64>,
    touched_combos: Vec<u32>,
    /// Per protocol and local port set, the pairs allowing it (reset after each use).
    totals: Vec<Vec<u64>>,
    touched: Vec<Vec<u32>>,
    merged: Vec<(u32, u64)>,
    port_sweep: PortSweep,
}

impl GroupScratch {
    /// Buffers for the cells of `matrix`.
    pub(super) fn new(matrix: &Matrix) -> GroupScratch {
        let protocols = matrix.protocols.len();
        let mut all_starts = Vec::with_capacity(matrix.port_sets.len() + 1);
        let mut all_ranges = Vec::new();
        all_starts.push(0);
        for set in &matrix.port_sets {
            all_ranges.extend(
                set.iter()
                    .map(|range| (u32::from(range.start()), u32::from(range.end()))),
            );
            all_starts.push(all_ranges.len() as u32);
        }
        GroupScratch {
            all_starts,
            all_ranges,
            protocols,
            local_of: vec![NONE; matrix.combos.len() / protocols.max(1)],
            combos: Vec::new(),
            combo_sets: Vec::new(),
            set_local: vec![NONE; matrix.port_sets.len()],
            sets: Vec::new(),
            set_starts: vec![0],
            set_ranges: Vec::new(),
            row_starts: Vec::new(),
            rows: Vec::new(),
            column_slot: Vec::new(),
            combo_totals: Vec::new(),
            touched_combos: Vec::new(),
            totals: vec![Vec::new(); protocols],
            touched: vec![Vec::new(); protocols],
            merged: Vec::new(),
            port_sweep: PortSweep::new(),
        }
    }

    /// The local id of port set `set`, numbering it (and copying its ranges) if new.
    fn local_set(&mut self, set: u32) -> u32 {
        let Some(slot) = self.set_local.get_mut(set as usize) else {
            return NONE;
        };
        if *slot == NONE {
            *slot = self.sets.len() as u32;
            self.sets.push(set);
            let (start, end) = (
                self.all_starts[set as usize] as usize,
                self.all_starts[set as usize + 1] as usize,
            );
            self.set_ranges
                .extend_from_slice(&self.all_ranges[start..end]);
            self.set_starts.push(self.set_ranges.len() as u32);
        }
        *slot
    }

    /// The local id of combo `combo`, numbering it (and its port sets) if new.
    fn local_combo(&mut self, matrix: &Matrix, combo: u32) -> u32 {
        let Some(&known) = self.local_of.get(combo as usize) else {
            return NONE;
        };
        if known != NONE {
            return known;
        }
        let local = self.combos.len() as u32;
        self.local_of[combo as usize] = local;
        self.combos.push(combo);
        self.column_slot.push(NONE);
        self.combo_totals.push(0);
        for protocol_index in 0..self.protocols {
            let set = matrix.pair_set_of_combo(combo, protocol_index);
            let local_set = if set == EMPTY_SET {
                NONE
            } else {
                self.local_set(set)
            };
            self.combo_sets.push(local_set);
        }
        local
    }

    /// Counts, for every target class, the pairs from the members of bucket `from` by combo
    /// (read by [`GroupScratch::pair_cells`] for this source bucket). Each member class's row
    /// is read once, in order.
    pub(super) fn fill_rows(&mut self, index: &BucketIndex, matrix: &Matrix, from: usize) {
        for combo in self.combos.drain(..) {
            self.local_of[combo as usize] = NONE;
        }
        for set in self.sets.drain(..) {
            self.set_local[set as usize] = NONE;
        }
        self.combo_sets.clear();
        self.set_starts.truncate(1);
        self.set_ranges.clear();
        self.column_slot.clear();
        self.combo_totals.clear();
        self.row_starts.clear();
        self.rows.clear();
        // Local pairs allow everything.
        self.local_set(FULL_SET);

        let class_count = matrix.class_count;
        let sources = &index.class_counts[from];
        let source_rows: Vec<&[u32]> = sources
            .iter()
            .map(|(class, _)| {
                let start = *class as usize * class_count;
                matrix.cells.get(start..start + class_count).unwrap_or(&[])
            })
            .collect();
        for to_class in 0..class_count {
            let start = self.rows.len();
            self.row_starts.push(start);
            for (row, (_, count)) in source_rows.iter().zip(sources) {
                let Some(&combo) = row.get(to_class) else {
                    continue;
                };
                // Combo 0 allows nothing (half the pairs of a two-VPC account).
                if combo == 0 {
                    continue;
                }
                let local = self.local_combo(matrix, combo);
                let Some(slot) = self.column_slot.get_mut(local as usize) else {
                    continue;
                };
                if *slot == NONE {
                    *slot = (self.rows.len() - start) as u32;
                    self.rows.push((local, *count));
                } else if let Some(entry) = self.rows.get_mut(start + *slot as usize) {
                    entry.1 += count;
                }
            }
            for (local, _) in &self.rows[start..] {
                self.column_slot[*local as usize] = NONE;
            }
        }
        self.row_starts.push(self.rows.len());
        for totals in &mut self.totals {
            totals.clear();
            totals.resize(self.sets.len(), 0);
        }
    }

    /// Adds `count` pairs of local combo `local`.
    fn add_combo(&mut self, local: u32, count: u64) {
        let Some(total) = self.combo_totals.get_mut(local as usize) else {
            return;
        };
        if *total == 0 {
            self.touched_combos.push(local);
        }
        *total += count;
    }

    /// Takes back `count` pairs of matrix combo `combo` (pairs counted by class that are no
    /// pairs or are allowed everything).
    fn remove_combo(&mut self, combo: u32, count: u64) {
        let local = self.local_of.get(combo as usize).copied().unwrap_or(NONE);
        if let Some(total) = self.combo_totals.get_mut(local as usize) {
            *total = total.saturating_sub(count);
        }
    }

    /// Adds `count` pairs allowing local port set `set` on a protocol.
    fn add(&mut self, protocol_index: usize, set: u32, count: u64) {
        let Some(total) = self.totals[protocol_index].get_mut(set as usize) else {
            return;
        };
        if *total == 0 {
            self.touched[protocol_index].push(set);
        }
        *total += count;
    }

    /// Appends the cells of one pair of buckets (by index), in protocol order; the rows are
    /// those of `from` ([`GroupScratch::fill_rows`]).
    pub(super) fn pair_cells(
        &mut self,
        index: &BucketIndex,
        matrix: &Matrix,
        (from, to): (usize, usize),
        cells: &mut Vec<GroupCell>,
    ) {
        let key = (from as u32, to as u32);
        let selves = index.self_pairs.get(&key);
        let local_pairs = index.local.get(&key).filter(|list| !list.is_empty());
        let pairs =
            index.sizes[from] * index.sizes[to] - selves.map_or(0, |selves| selves.values().sum());
        if pairs == 0 {
            return;
        }
        for &(to_class, to_count) in &index.class_counts[to] {
            let to_class = to_class as usize;
            let (Some(&start), Some(&end)) = (
                self.row_starts.get(to_class),
                self.row_starts.get(to_class + 1),
            ) else {
                continue;
            };
            for at in start..end {
                let (local, count) = self.rows[at];
                self.add_combo(local, count * to_count);
            }
        }
        if self.touched_combos.is_empty() && local_pairs.is_none() {
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
                self.remove_combo(cell_combo(*class, *class), *count);
            }
        }
        if let Some(list) = local_pairs {
            for (from_class, to_class) in list {
                self.remove_combo(cell_combo(*from_class, *to_class), 1);
            }
        }
        let mut touched = std::mem::take(&mut self.touched_combos);
        for local in touched.drain(..) {
            let count = std::mem::take(&mut self.combo_totals[local as usize]);
            if count == 0 {
                continue;
            }
            let start = local as usize * self.protocols;
            for protocol_index in 0..self.protocols {
                let set = self.combo_sets[start + protocol_index];
                if set != NONE {
                    self.add(protocol_index, set, count);
                }
            }
        }
        self.touched_combos = touched;
        for (protocol_index, protocol) in matrix.protocols.iter().enumerate() {
            if let Some(list) = local_pairs {
                let full = self
                    .set_local
                    .get(FULL_SET as usize)
                    .copied()
                    .unwrap_or(NONE);
                self.add(protocol_index, full, list.len() as u64);
            }
            if self.touched[protocol_index].is_empty() {
                continue;
            }
            // Pairs with the same port set added up as they came (in any order: the sweep
            // sorts by port).
            let totals = &mut self.totals[protocol_index];
            self.merged.clear();
            for set in self.touched[protocol_index].drain(..) {
                self.merged
                    .push((set, std::mem::take(&mut totals[set as usize])));
            }
            let allowed = match self.merged.as_slice() {
                [(set, count)] => matrix
                    .port_set(self.sets[*set as usize])
                    .iter()
                    .map(|ports| CountedRange {
                        ports: *ports,
                        pairs: *count,
                    })
                    .collect(),
                _ => self.sweep(),
            };
            if !allowed.is_empty() {
                cells.push(GroupCell {
                    from: index.buckets[from].clone(),
                    to: index.buckets[to].clone(),
                    protocol: *protocol,
                    pairs,
                    allowed,
                });
            }
        }
    }

    /// The ranges between consecutive boundaries of the local sets of `merged` (set, pairs),
    /// each with the pairs allowing it: a range starts or ends wherever one of the sets'
    /// ranges does.
    fn sweep(&mut self) -> Vec<CountedRange> {
        for (set, pairs) in &self.merged {
            let set = *set as usize;
            let (start, end) = (self.set_starts[set], self.set_starts[set + 1]);
            for (first, last) in &self.set_ranges[start as usize..end as usize] {
                self.port_sweep.add(*first, *last, *pairs);
            }
        }
        self.port_sweep.finish()
    }
}
