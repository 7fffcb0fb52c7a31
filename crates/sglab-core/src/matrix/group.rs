//! The group matrix: the matrix's cells counted per pair of buckets (security groups, and
//! endpoints in no group).

use std::collections::BTreeMap;

use crate::eval::route::Actor;
use crate::model::Topology;

use super::intern::FastMap;
use super::tally::GroupScratch;
use super::{matrix, Bucket, GroupMatrix, Matrix};

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
        scratch.fill_rows(&index, matrix, from);
        for to in 0..bucket_count {
            scratch.pair_cells(&index, matrix, (from, to), &mut cells);
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
}
