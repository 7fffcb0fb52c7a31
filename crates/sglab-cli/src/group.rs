//! The group matrix of the pairs that `--from` and `--to` select.
//!
//! Without a selection, `sglab_core::matrix::group_matrix_of` aggregates by endpoint class.
//! With one, the selected pairs are counted here by [`PairIndex::visit`], keyed by class and
//! set of buckets (all the endpoints of a class but those in no group share one set of groups,
//! so this splits few classes): each block of pairs counts its port sets in every pair of
//! buckets of its two sets. The cells are those `group_matrix_of` gives
//! when everything is selected (a unit test compares them).

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use sglab_core::matrix::{CountedRange, GroupCell, GroupMatrix, Matrix};
use sglab_core::model::PortRange;

use crate::pairs::PairIndex;
use crate::select::{Buckets, Selection};

/// A hasher for the small integer keys below (port-set addresses, pairs of set numbers).
#[derive(Default)]
struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.write_u64(u64::from(*byte));
        }
    }

    fn write_u32(&mut self, value: u32) {
        self.write_u64(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_usize(&mut self, value: usize) {
        self.write_u64(value as u64);
    }
}

type IntMap<K, V> = HashMap<K, V, BuildHasherDefault<IntHasher>>;

/// Port sets counted by the pairs allowing them, keyed by the address of the matrix's stored
/// set (each distinct non-empty set is stored once, so the address identifies it).
type SetCounts<'m> = IntMap<usize, (&'m [PortRange], u64)>;

/// What one pair of buckets has counted.
struct Tally<'m> {
    pairs: u64,
    /// Per protocol.
    sets: Vec<SetCounts<'m>>,
}

impl<'m> Tally<'m> {
    fn new(protocols: usize) -> Tally<'m> {
        Tally {
            pairs: 0,
            sets: vec![SetCounts::default(); protocols],
        }
    }

    fn add(&mut self, sets: &[&'m [PortRange]], count: u64) {
        self.pairs += count;
        for (counted, set) in self.sets.iter_mut().zip(sets) {
            if !set.is_empty() {
                counted.entry(set.as_ptr() as usize).or_insert((set, 0)).1 += count;
            }
        }
    }
}

/// Where each pair of buckets has its tally: a table when there are few buckets, else a map.
enum Slots {
    Table(Vec<u32>),
    Map(IntMap<u64, u32>),
}

impl Slots {
    const NONE: u32 = u32::MAX;

    fn new(buckets: u64) -> Slots {
        match usize::try_from(buckets * buckets) {
            Ok(pairs) if pairs <= 1 << 22 => Slots::Table(vec![Slots::NONE; pairs]),
            _ => Slots::Map(IntMap::default()),
        }
    }

    /// The slot of a pair of buckets, made by `new_slot` the first time.
    fn get(&mut self, pair: u64, new_slot: impl FnOnce() -> u32) -> u32 {
        match self {
            Slots::Table(table) => {
                let slot = &mut table[pair as usize];
                if *slot == Slots::NONE {
                    *slot = new_slot();
                }
                *slot
            }
            Slots::Map(map) => *map.entry(pair).or_insert_with(new_slot),
        }
    }
}

/// The group matrix of the selected pairs: cells sorted by source bucket, target bucket and
/// protocol, only those allowing something, as `GroupMatrix` holds them.
pub fn group_matrix_selected(
    matrix: &Matrix,
    index: &PairIndex,
    buckets: &Buckets,
    selection: &Selection,
) -> GroupMatrix {
    let protocols = matrix.protocols();
    // Number the distinct sets of buckets, and key each selected endpoint by its set and class,
    // keys in the order of sets so that a set's keys are consecutive.
    let mut set_ids: HashMap<&[u32], u32> = HashMap::new();
    let mut sets: Vec<&[u32]> = Vec::new();
    let mut keyed: BTreeMap<(u32, u32), u32> = BTreeMap::new();
    for endpoint in selection.from.iter().chain(&selection.to) {
        let members = buckets.of_endpoint[*endpoint].as_slice();
        let set = *set_ids.entry(members).or_insert_with(|| {
            sets.push(members);
            sets.len() as u32 - 1
        });
        keyed.insert((set, index.classes()[*endpoint]), 0);
    }
    let mut set_of_key: Vec<u32> = Vec::with_capacity(keyed.len());
    for (number, ((set, _), key)) in keyed.iter_mut().enumerate() {
        *key = number as u32;
        set_of_key.push(*set);
    }
    let mut keys = vec![u32::MAX; buckets.of_endpoint.len()];
    for endpoint in selection.from.iter().chain(&selection.to) {
        let set = set_ids[buckets.of_endpoint[*endpoint].as_slice()];
        keys[*endpoint] = keyed[&(set, index.classes()[*endpoint])];
    }

    // Count each block in every pair of buckets of its two sets.
    let bucket_count = buckets.buckets.len() as u64;
    let mut slots = Slots::new(bucket_count);
    let mut tallies: Vec<((u32, u32), Tally)> = Vec::new();
    index.visit(
        matrix,
        &index.group_by(&selection.from, &keys),
        &index.group_by(&selection.to, &keys),
        |from_key, to_key, block, count| {
            let from_set = sets[set_of_key[from_key as usize] as usize];
            let to_set = sets[set_of_key[to_key as usize] as usize];
            for &from_bucket in from_set {
                for &to_bucket in to_set {
                    let slot = slots.get(
                        u64::from(from_bucket) * bucket_count + u64::from(to_bucket),
                        || {
                            tallies.push(((from_bucket, to_bucket), Tally::new(protocols.len())));
                            tallies.len() as u32 - 1
                        },
                    );
                    tallies[slot as usize].1.add(block, count);
                }
            }
        },
    );
    tallies.sort_unstable_by_key(|(pair, _)| *pair);

    let mut cells = Vec::new();
    for ((from, to), tally) in tallies {
        for (protocol, counted) in protocols.iter().zip(&tally.sets) {
            let allowed = match counted.values().collect::<Vec<_>>().as_slice() {
                [] => continue,
                [(set, count)] => set
                    .iter()
                    .map(|ports| CountedRange {
                        ports: *ports,
                        pairs: *count,
                    })
                    .collect(),
                several => {
                    let mut events: Vec<(u32, i64)> = Vec::new();
                    for (set, count) in several {
                        for range in set.iter() {
                            events.push((u32::from(range.start()), *count as i64));
                            events.push((u32::from(range.end()) + 1, -(*count as i64)));
                        }
                    }
                    sweep(&mut events)
                }
            };
            cells.push(GroupCell {
                from: buckets.buckets[from as usize].clone(),
                to: buckets.buckets[to as usize].clone(),
                protocol: *protocol,
                pairs: tally.pairs,
                allowed,
            });
        }
    }
    GroupMatrix {
        protocols: protocols.to_vec(),
        cells,
    }
}

/// Turns (port, delta) events into ranges with their running count, split at every event, as
/// the core's group matrix does.
fn sweep(events: &mut [(u32, i64)]) -> Vec<CountedRange> {
    events.sort_unstable();
    let mut ranges = Vec::new();
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

#[cfg(test)]
mod tests {
    use super::*;
    use sglab_core::generate::{generate, GenParams, Shape};
    use sglab_core::matrix::{group_matrix_of, matrix};

    /// Everything selected, the cells are the core's group matrix.
    #[test]
    fn everything_selected_is_the_core_group_matrix() {
        let mut topologies: Vec<_> = (1..=6)
            .map(|seed| generate(seed, &GenParams::small(14, 5, 40)))
            .collect();
        for shape in Shape::ALL {
            topologies.push(generate(3, &GenParams::of_shape(shape, 40, 8, 120)));
        }
        for topology in &topologies {
            let matrix = matrix(topology);
            let buckets = Buckets::new(topology, &matrix);
            let index = PairIndex::new(topology, &matrix);
            let selected =
                group_matrix_selected(&matrix, &index, &buckets, &Selection::all(&matrix));
            assert_eq!(selected, group_matrix_of(topology, &matrix));
            for cell in &selected.cells {
                assert!(buckets.index(&cell.from).is_some() && buckets.index(&cell.to).is_some());
            }
        }
    }

    /// Per pair of buckets, its pairs and per protocol the (port, delta) events of their ports.
    type PairsAndEvents = (u64, Vec<Vec<(u32, i64)>>);

    /// A selection counts only its pairs: each cell is what sweeping the ports of every
    /// selected pair of its buckets gives, one pair at a time.
    #[test]
    fn a_selection_counts_its_pairs_one_by_one() {
        let mut topologies: Vec<_> = (1..=3)
            .map(|seed| generate(seed, &GenParams::small(18, 5, 50)))
            .collect();
        for shape in Shape::ALL {
            topologies.push(generate(4, &GenParams::of_shape(shape, 50, 8, 140)));
        }
        for topology in &topologies {
            let matrix = matrix(topology);
            let buckets = Buckets::new(topology, &matrix);
            let index = PairIndex::new(topology, &matrix);
            let count = matrix.endpoints().len();
            let selections = [
                ((0..count).step_by(2).collect(), (0..count).collect()),
                ((0..count).collect(), (1..count).step_by(3).collect()),
                ((0..count / 2).collect(), (count / 3..count).collect()),
            ];
            for (from, to) in selections {
                let selection = Selection {
                    from,
                    to,
                    filtered: true,
                };
                // One pair at a time: (from bucket, to bucket) -> pairs, per protocol events.
                let mut expected: BTreeMap<(u32, u32), PairsAndEvents> = BTreeMap::new();
                for &a in &selection.from {
                    for &b in selection.to.iter().filter(|b| **b != a) {
                        for &from_bucket in &buckets.of_endpoint[a] {
                            for &to_bucket in &buckets.of_endpoint[b] {
                                let entry =
                                    expected.entry((from_bucket, to_bucket)).or_insert_with(|| {
                                        (0, vec![Vec::new(); matrix.protocols().len()])
                                    });
                                entry.0 += 1;
                                for (events, protocol) in entry.1.iter_mut().zip(matrix.protocols())
                                {
                                    for range in matrix.cell_at(a, b, *protocol).unwrap_or(&[]) {
                                        events.push((u32::from(range.start()), 1));
                                        events.push((u32::from(range.end()) + 1, -1));
                                    }
                                }
                            }
                        }
                    }
                }
                let mut cells = Vec::new();
                for ((from_bucket, to_bucket), (pairs, mut events)) in expected {
                    for (protocol, events) in matrix.protocols().iter().zip(&mut events) {
                        let allowed = sweep(events);
                        if !allowed.is_empty() {
                            cells.push(GroupCell {
                                from: buckets.buckets[from_bucket as usize].clone(),
                                to: buckets.buckets[to_bucket as usize].clone(),
                                protocol: *protocol,
                                pairs,
                                allowed,
                            });
                        }
                    }
                }
                let actual = group_matrix_selected(&matrix, &index, &buckets, &selection);
                assert_eq!(actual.cells, cells);
            }
        }
    }

    /// A selection counts only its pairs: the sum over the cells of one protocol of the pairs
    /// allowing some port is at most what the endpoint cells say, and a single pair gives its
    /// cell.
    #[test]
    fn one_pair_selected_is_its_cell() {
        let topology = generate(2, &GenParams::of_shape(Shape::Kubernetes, 30, 6, 80));
        let matrix = matrix(&topology);
        let buckets = Buckets::new(&topology, &matrix);
        let index = PairIndex::new(&topology, &matrix);
        for (from, to) in [(0, 1), (3, 7), (12, 2)] {
            let selection = Selection {
                from: vec![from],
                to: vec![to],
                filtered: true,
            };
            let group = group_matrix_selected(&matrix, &index, &buckets, &selection);
            for cell in &group.cells {
                assert_eq!(cell.pairs, 1);
                let ports: Vec<PortRange> = cell.allowed.iter().map(|range| range.ports).collect();
                assert_eq!(
                    Some(ports.as_slice()),
                    matrix.cell_at(from, to, cell.protocol)
                );
                assert!(buckets.of_endpoint[from]
                    .contains(&(buckets.index(&cell.from).unwrap_or(usize::MAX) as u32)));
            }
        }
    }
}
