//! The group matrix against a straightforward count over every pair of endpoints, on
//! topologies of every shape of the generator (local pairs of Kubernetes nodes included).

use std::collections::BTreeMap;

use proptest::prelude::*;
mod oracle;
use oracle::buckets_of;

use sglab_core::generate::{generate, GenParams, Shape};
use sglab_core::matrix::{group_matrix_of, matrix, Bucket, CountedRange, GroupCell, GroupMatrix};
use sglab_core::model::{PortRange, Protocol, Topology};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Every cell of the group matrix equals the count, over the pairs of member endpoints, of
    /// the pairs allowing each port, split where a member pair's port set starts or ends.
    #[test]
    fn group_matrix_equals_the_pairwise_count(
        seed in any::<u64>(),
        shape in 0usize..Shape::ALL.len(),
        endpoints in 2usize..16,
        groups in 1usize..6,
        rules in 0usize..60,
    ) {
        let topology = generate(seed, &GenParams::of_shape(Shape::ALL[shape], endpoints, groups, rules));
        let matrix = matrix(&topology);
        prop_assert_eq!(group_matrix_of(&topology, &matrix), pairwise(&topology, &matrix));
    }
}

/// The group matrix of every pair of member endpoints, counted one pair at a time.
fn pairwise(topology: &Topology, matrix: &sglab_core::matrix::Matrix) -> GroupMatrix {
    type Key = (Bucket, Bucket);
    let mut pairs: BTreeMap<Key, u64> = BTreeMap::new();
    let mut sets: BTreeMap<(Key, usize), BTreeMap<Vec<PortRange>, u64>> = BTreeMap::new();
    let ids = matrix.endpoints();
    for from in ids {
        for to in ids {
            if from == to {
                continue;
            }
            for from_bucket in buckets_of(topology, from) {
                for to_bucket in buckets_of(topology, to) {
                    let key = (from_bucket.clone(), to_bucket.clone());
                    *pairs.entry(key.clone()).or_default() += 1;
                    for (index, protocol) in matrix.protocols().iter().enumerate() {
                        let allowed = matrix.cell(from, to, *protocol).unwrap_or(&[]);
                        if !allowed.is_empty() {
                            *sets
                                .entry((key.clone(), index))
                                .or_default()
                                .entry(allowed.to_vec())
                                .or_default() += 1;
                        }
                    }
                }
            }
        }
    }
    let mut cells = Vec::new();
    for ((key, index), counted) in sets {
        let allowed: Vec<CountedRange> = if counted.len() == 1 {
            counted
                .iter()
                .flat_map(|(ranges, count)| {
                    ranges.iter().map(|ports| CountedRange {
                        ports: *ports,
                        pairs: *count,
                    })
                })
                .collect()
        } else {
            split(&counted)
        };
        cells.push(GroupCell {
            from: key.0.clone(),
            to: key.1.clone(),
            protocol: matrix.protocols()[index],
            pairs: pairs[&key],
            allowed,
        });
    }
    cells.sort_by(|a, b| {
        (&a.from, &a.to, protocol_rank(matrix, a.protocol)).cmp(&(
            &b.from,
            &b.to,
            protocol_rank(matrix, b.protocol),
        ))
    });
    GroupMatrix {
        protocols: matrix.protocols().to_vec(),
        cells,
    }
}

fn protocol_rank(matrix: &sglab_core::matrix::Matrix, protocol: Protocol) -> usize {
    matrix
        .protocols()
        .iter()
        .position(|p| *p == protocol)
        .unwrap_or(usize::MAX)
}

/// The ranges between consecutive boundaries of the port sets, with the pairs allowing them.
fn split(counted: &BTreeMap<Vec<PortRange>, u64>) -> Vec<CountedRange> {
    let mut bounds: Vec<u32> = Vec::new();
    for ranges in counted.keys() {
        for range in ranges {
            bounds.push(u32::from(range.start()));
            bounds.push(u32::from(range.end()) + 1);
        }
    }
    bounds.sort_unstable();
    bounds.dedup();
    let mut out = Vec::new();
    for window in bounds.windows(2) {
        let (start, end) = (window[0], window[1] - 1);
        let pairs: u64 = counted
            .iter()
            .filter(|(ranges, _)| {
                ranges
                    .iter()
                    .any(|r| u32::from(r.start()) <= start && end <= u32::from(r.end()))
            })
            .map(|(_, count)| *count)
            .sum();
        if pairs > 0 {
            let ports = PortRange::new(start as u16, end as u16).expect("a valid range");
            out.push(CountedRange { ports, pairs });
        }
    }
    out
}
