//! Counting the cells of many pairs of endpoints by class, without a look-up per pair.
//!
//! The matrix stores one port set per pair of endpoint classes, except for its *local pairs*
//! (a pod and its node, two pods of one node), which no group filters. Local pairs are always
//! two endpoints on one host (the node a pod runs on, an instance or gateway node itself), so
//! every pair of two endpoints on different hosts gets its classes' port set. [`PairIndex`]
//! visits the pairs of a set of sources and targets as blocks: one block per pair of classes
//! (or of finer keys) for the pairs on different hosts, through one representative pair, and
//! one block per pair of endpoints on one host. The work is the number of pairs of classes plus
//! the number of pairs on one host, not the number of pairs. A representative pair reads its
//! block's cell through `Matrix::cell_at`. The group matrix of a selection uses this; the summary
//! counts through `Matrix::class_cell` and `Matrix::local_pairs` instead, with no rule of its
//! own about hosts.

use sglab_core::matrix::Matrix;
use sglab_core::model::{EndpointKind, PortRange, Topology};

/// No host: an external endpoint.
const NO_HOST: u32 = u32::MAX;

/// The class and host of every endpoint of a matrix, by index.
pub struct PairIndex {
    class: Vec<u32>,
    host: Vec<u32>,
}

/// Endpoints (by index) grouped by a key that refines their class, and by host.
pub struct Grouped {
    /// Per key present, its endpoints, sorted; sorted by key.
    keys: Vec<(u32, Vec<usize>)>,
    /// Per host present, its endpoints with their keys, sorted; sorted by host.
    hosts: Vec<(u32, Vec<(usize, u32)>)>,
}

impl PairIndex {
    /// The classes and hosts of a matrix's endpoints.
    pub fn new(topology: &Topology, matrix: &Matrix) -> PairIndex {
        let ids = matrix.endpoints();
        let class = ids
            .iter()
            .map(|id| matrix.class_of(id).map_or(u32::MAX, |class| class as u32))
            .collect();
        let host = ids
            .iter()
            .map(|id| {
                let node = match topology.endpoints.get(id).map(|endpoint| &endpoint.kind) {
                    Some(EndpointKind::Ecs | EndpointKind::GatewayNode { .. }) => Some(id),
                    Some(EndpointKind::Pod { node, .. }) => Some(node),
                    Some(EndpointKind::External { .. }) | None => None,
                };
                // A node that is no endpoint still hosts its pods: it gets a number past the
                // endpoints (two such nodes may share one, which only means that more pairs
                // are read one by one).
                node.map_or(NO_HOST, |node| match matrix.endpoint_index(node) {
                    Some(index) => index as u32,
                    None => (ids.len() + ids.partition_point(|other| other < node)) as u32,
                })
            })
            .collect();
        PairIndex { class, host }
    }

    /// The class of each endpoint, by index.
    pub fn classes(&self) -> &[u32] {
        &self.class
    }

    /// Groups endpoints (sorted indices) by class and by host.
    #[cfg(test)]
    pub fn group(&self, endpoints: &[usize]) -> Grouped {
        self.group_by(endpoints, &self.class)
    }

    /// Groups endpoints (sorted indices) by `keys` (per endpoint index; two endpoints with one
    /// key must have one class) and by host.
    pub fn group_by(&self, endpoints: &[usize], keys: &[u32]) -> Grouped {
        let mut by_key: Vec<(u32, usize)> = endpoints
            .iter()
            .map(|endpoint| (keys[*endpoint], *endpoint))
            .collect();
        by_key.sort_unstable();
        let mut grouped_keys: Vec<(u32, Vec<usize>)> = Vec::new();
        for (key, endpoint) in by_key {
            match grouped_keys.last_mut() {
                Some((last, members)) if *last == key => members.push(endpoint),
                _ => grouped_keys.push((key, vec![endpoint])),
            }
        }
        let mut by_host: Vec<(u32, usize)> = endpoints
            .iter()
            .map(|endpoint| (self.host[*endpoint], *endpoint))
            .filter(|(host, _)| *host != NO_HOST)
            .collect();
        by_host.sort_unstable();
        let mut hosts: Vec<(u32, Vec<(usize, u32)>)> = Vec::new();
        for (host, endpoint) in by_host {
            let member = (endpoint, keys[endpoint]);
            match hosts.last_mut() {
                Some((last, members)) if *last == host => members.push(member),
                _ => hosts.push((host, vec![member])),
            }
        }
        Grouped {
            keys: grouped_keys,
            hosts,
        }
    }

    /// Whether two endpoints may be a local pair: distinct, on one host.
    fn same_host(&self, from: usize, to: usize) -> bool {
        self.host[from] != NO_HOST && self.host[from] == self.host[to]
    }

    /// Calls `block(from_key, to_key, sets, count)` for blocks of ordered pairs of distinct
    /// endpoints (a source, a target) with these keys that allow the same ports: `sets` per
    /// protocol of the matrix, `count` pairs. Every such pair is in exactly one block.
    pub fn visit<'m>(
        &self,
        matrix: &'m Matrix,
        sources: &Grouped,
        targets: &Grouped,
        mut block: impl FnMut(u32, u32, &[&'m [PortRange]], u64),
    ) {
        let protocols = matrix.protocols();
        let mut sets: Vec<&'m [PortRange]> = Vec::with_capacity(protocols.len());
        let read = |sets: &mut Vec<&'m [PortRange]>, from: usize, to: usize| {
            sets.clear();
            sets.extend(
                protocols
                    .iter()
                    .map(|protocol| matrix.cell_at(from, to, *protocol).unwrap_or(&[])),
            );
        };
        // Pairs on one host, one by one; counted per pair of keys to leave them out below.
        let mut on_one_host: Vec<(u32, u32)> = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < sources.hosts.len() && j < targets.hosts.len() {
            let (from_host, from_members) = &sources.hosts[i];
            let (to_host, to_members) = &targets.hosts[j];
            if from_host < to_host {
                i += 1;
            } else if from_host > to_host {
                j += 1;
            } else {
                for &(from, from_key) in from_members {
                    for &(to, to_key) in to_members {
                        if from != to {
                            read(&mut sets, from, to);
                            block(from_key, to_key, &sets, 1);
                            on_one_host.push((from_key, to_key));
                        }
                    }
                }
                i += 1;
                j += 1;
            }
        }
        on_one_host.sort_unstable();
        // The other pairs, by pair of keys; both lists are sorted by key, so the pairs on one
        // host of each pair of keys are found by walking `on_one_host` along.
        let mut next_on_one_host = 0;
        for (from_key, from_members) in &sources.keys {
            while on_one_host
                .get(next_on_one_host)
                .is_some_and(|(key, _)| key < from_key)
            {
                next_on_one_host += 1;
            }
            for (to_key, to_members) in &targets.keys {
                let mut count = from_members.len() as u64 * to_members.len() as u64;
                if from_key == to_key {
                    count -= common(from_members, to_members);
                }
                while let Some(pair) = on_one_host.get(next_on_one_host) {
                    if *pair > (*from_key, *to_key) {
                        break;
                    }
                    if *pair == (*from_key, *to_key) {
                        count -= 1;
                    }
                    next_on_one_host += 1;
                }
                if count == 0 {
                    continue;
                }
                let representative = from_members.iter().find_map(|&from| {
                    to_members
                        .iter()
                        .find(|&&to| to != from && !self.same_host(from, to))
                        .map(|&to| (from, to))
                });
                if let Some((from, to)) = representative {
                    read(&mut sets, from, to);
                    block(*from_key, *to_key, &sets, count);
                }
            }
        }
    }
}

/// How many values two sorted lists share.
pub fn common(a: &[usize], b: &[usize]) -> u64 {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common
}

#[cfg(test)]
mod tests {
    use super::*;
    use sglab_core::generate::{generate, GenParams, Shape};
    use sglab_core::matrix::matrix;
    use std::collections::HashMap;

    /// The blocks hold every pair once, each with its own cell.
    #[test]
    fn blocks_are_the_cells_of_the_pairs() {
        let mut topologies: Vec<_> = (1..=4)
            .map(|seed| generate(seed, &GenParams::small(16, 5, 40)))
            .collect();
        for shape in Shape::ALL {
            topologies.push(generate(5, &GenParams::of_shape(shape, 60, 8, 150)));
        }
        for topology in &topologies {
            let matrix = matrix(topology);
            let index = PairIndex::new(topology, &matrix);
            let count = matrix.endpoints().len();
            let selections: Vec<(Vec<usize>, Vec<usize>)> = vec![
                ((0..count).collect(), (0..count).collect()),
                (
                    (0..count).step_by(3).collect(),
                    (0..count).step_by(2).collect(),
                ),
                (vec![1], (0..count).collect()),
            ];
            for (sources, targets) in selections {
                // Per protocol, the multiset of cells, as counts of each port list.
                let mut expected: HashMap<Vec<Vec<PortRange>>, u64> = HashMap::new();
                for &from in &sources {
                    for &to in targets.iter().filter(|to| **to != from) {
                        let cells = matrix
                            .protocols()
                            .iter()
                            .map(|p| matrix.cell_at(from, to, *p).unwrap_or(&[]).to_vec())
                            .collect();
                        *expected.entry(cells).or_default() += 1;
                    }
                }
                let mut actual: HashMap<Vec<Vec<PortRange>>, u64> = HashMap::new();
                index.visit(
                    &matrix,
                    &index.group(&sources),
                    &index.group(&targets),
                    |_, _, sets, count| {
                        let cells = sets.iter().map(|set| set.to_vec()).collect();
                        *actual.entry(cells).or_default() += count;
                    },
                );
                assert_eq!(actual, expected);
            }
        }
    }
}
