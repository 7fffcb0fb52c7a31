//! The reachability matrix: the allowed ports of every ordered pair of endpoints, per protocol,
//! and its aggregation per security group.
//!
//! Endpoints whose evaluation-relevant signature is identical fall into one class: same VPC,
//! same set of groups on the filtering ENI, same kind of addressing, and, for each address they
//! can use, the same set of rule blocks (CIDRs, prefix-list entries, local CIDRs) containing it.
//! Two endpoints of one class get the same answers towards every other endpoint, so the matrix
//! evaluates each pair of classes once, through representatives, and stores
//!
//! - the class of each endpoint,
//! - one port-set id per (source class, target class, protocol),
//! - the deduplicated port sets,
//! - the pairs that no group filters because they stay on one node (pods of one node, a pod
//!   and its node), which are allowed everything.
//!
//! The work per pair of classes is a few table look-ups, because everything below it is
//! shared:
//!
//! - routing (which addresses, which sides filter) is worked out by `eval::route` itself once
//!   per pair of *routing* signatures (VPC, kind of addressing, address families present);
//!   intra-group access, the one part of routing that depends on groups, is checked per pair
//!   of group sets;
//! - a side filters with the rules of all the ENI's groups, and the first match of the pooled
//!   rules is, port by port, the best-ranked (priority, then drop before accept) of each
//!   group's own first match. So each *group side* (one group's rules in one direction) is
//!   swept once per distinct set of its rules a peer satisfies (the atomic-predicates idea:
//!   decide once per class of peers the rules cannot tell apart), giving a rank per range of
//!   ports; which rules a peer satisfies comes from bitsets per block and per group, built
//!   once per group side for every address class and group set;
//! - an ENI's side answer merges its groups' ranked answers and applies the default of its
//!   kind, memoized on the groups' answers; a cell intersects the two side answers (less port
//!   25 where the platform blocks it), memoized on the pair of answers. Every list (ranked
//!   answers, side answers, port sets, a pair's port sets over the protocols) is interned, so
//!   a pair of classes stores one number;
//! - egress answers are computed row by row (a source's groups give few distinct answers
//!   across its targets), ingress answers by blocks of columns (a target's groups give few
//!   distinct answers across its sources), each through a memo small enough to stay in cache.
//!
//! The property tests (`tests/engine_matrix.rs`) compare every cell with
//! [`crate::portset::port_set`] and with the brute-force [`crate::reference`].
//!
//! ```
//! use sglab_core::generate::{generate, GenParams};
//! use sglab_core::matrix::matrix;
//! use sglab_core::model::Protocol;
//!
//! let topology = generate(1, &GenParams::small(6, 3, 20));
//! let matrix = matrix(&topology);
//! let ids = matrix.endpoints();
//! // A cell is `None` only for an endpoint and itself.
//! assert!(matrix.cell(&ids[0], &ids[0], Protocol::Tcp).is_none());
//! assert!(matrix.cell(&ids[0], &ids[1], Protocol::Tcp).is_some());
//! ```

mod builder;
mod cache;
mod classes;
mod combine;
pub mod csv;
mod eni;
mod group;
mod incremental;
mod intern;
mod parts;
pub(crate) mod reach;
mod sides;
pub(crate) mod subset;
mod sweep;
mod tally;

use serde::Serialize;

use crate::model::{EndpointId, GroupId, PortRange, Protocol, Topology};

use builder::Builder;
pub use group::{group_matrix, group_matrix_of};
pub use incremental::{group_matrix_after_edit, matrix_after_edit};
pub use parts::{MatrixParts, OwnedMatrixParts};

/// The protocols of [`matrix`]: TCP, UDP and ICMP.
pub const DEFAULT_PROTOCOLS: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Icmp];

/// The allowed ports of every ordered pair of distinct endpoints, stored by endpoint class.
///
/// Build it with [`matrix`] or [`matrix_with`]; read it with [`Matrix::cell`] or
/// [`Matrix::cells`]. It serializes to its compact form: `endpoints` (sorted ids),
/// `protocols`, `class_of` (the class of each endpoint), `class_count`, `port_sets` (the
/// distinct allowed-range lists; id 0 is the empty set), `combos` (the distinct lists of
/// port-set ids, one per protocol, flattened: combo `i` is `combos[i * protocols..][..protocols]`;
/// combo 0 allows nothing), `cells` (the combo of `from_class * class_count + to_class`), and
/// `local_pairs`
/// (endpoint index pairs that no group filters: every port allowed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Matrix {
    endpoints: Vec<EndpointId>,
    protocols: Vec<Protocol>,
    class_of: Vec<u32>,
    class_count: usize,
    port_sets: Vec<Vec<PortRange>>,
    cells: Vec<u32>,
    combos: Vec<u32>,
    local_pairs: Vec<(u32, u32)>,
    /// What the build that made the matrix keeps for a recompute after an edit
    /// ([`matrix_after_edit`]).
    #[serde(skip)]
    cache: cache::CacheSlot,
}

/// One cell of the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MatrixCell<'m> {
    /// The source.
    pub from: &'m EndpointId,
    /// The target.
    pub to: &'m EndpointId,
    /// The protocol.
    pub protocol: Protocol,
    /// The allowed ports, sorted; `1/65535` for an allowed protocol without ports; empty when
    /// nothing is allowed.
    pub allowed: &'m [PortRange],
}

/// A row or column of the group matrix: a security group, or an endpoint in no group (an
/// external host or network).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Bucket {
    /// The endpoints whose filtering ENI is in this group (a Flannel or Terway-shared pod
    /// counts in its node's groups).
    Group(GroupId),
    /// One endpoint without groups.
    Endpoint(EndpointId),
}

/// A range of ports with the number of endpoint pairs that allow it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountedRange {
    /// The ports.
    pub ports: PortRange,
    /// How many (source, target) pairs allow every port of the range.
    pub pairs: u64,
}

/// What the members of one bucket may open to the members of another on one protocol.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupCell {
    /// The source bucket.
    pub from: Bucket,
    /// The target bucket.
    pub to: Bucket,
    /// The protocol.
    pub protocol: Protocol,
    /// How many ordered pairs of distinct endpoints the cell covers.
    pub pairs: u64,
    /// The ports allowed from some member to some member, sorted, each with the number of
    /// pairs that allow it; ranges split where that number changes.
    pub allowed: Vec<CountedRange>,
}

/// The matrix aggregated per security group, for topologies too large to show per endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupMatrix {
    /// The protocols evaluated.
    pub protocols: Vec<Protocol>,
    /// The cells in which something is allowed, sorted by source bucket, target bucket and
    /// protocol; a (source, target, protocol) that is absent allows nothing.
    pub cells: Vec<GroupCell>,
}

const EMPTY_SET: u32 = 0;
const FULL_SET: u32 = 1;
/// The key of a pair of endpoints on one node ([`Matrix::pair_key`]), which no combo has.
pub(crate) const LOCAL_PAIR: u32 = u32::MAX;

impl Matrix {
    /// The endpoints, sorted by id.
    pub fn endpoints(&self) -> &[EndpointId] {
        &self.endpoints
    }

    /// The protocols evaluated.
    pub fn protocols(&self) -> &[Protocol] {
        &self.protocols
    }

    /// The number of endpoint classes.
    pub fn class_count(&self) -> usize {
        self.class_count
    }

    /// The number of distinct port sets stored.
    pub fn port_set_count(&self) -> usize {
        self.port_sets.len()
    }

    /// The index of an endpoint in [`Matrix::endpoints`].
    pub fn endpoint_index(&self, id: &EndpointId) -> Option<usize> {
        self.endpoints.binary_search(id).ok()
    }

    /// The class of an endpoint.
    pub fn class_of(&self, id: &EndpointId) -> Option<usize> {
        let index = self.endpoint_index(id)?;
        self.class_of.get(index).map(|class| *class as usize)
    }

    /// The class of the endpoint at `index` in [`Matrix::endpoints`].
    pub fn class_at(&self, index: usize) -> Option<usize> {
        self.class_of.get(index).map(|class| *class as usize)
    }

    /// The pairs of endpoints (indices in [`Matrix::endpoints`]) that stay on one node, which no
    /// group filters and which are allowed every port whatever their classes' cell says; sorted.
    pub fn local_pairs(&self) -> &[(u32, u32)] {
        &self.local_pairs
    }

    /// The allowed ports from any endpoint of class `from_class` to any endpoint of class
    /// `to_class` that do not stay on one node (see [`Matrix::local_pairs`]); `None` for a class
    /// out of range or a protocol the matrix was not built for.
    pub fn class_cell(
        &self,
        from_class: usize,
        to_class: usize,
        protocol: Protocol,
    ) -> Option<&[PortRange]> {
        if from_class >= self.class_count || to_class >= self.class_count {
            return None;
        }
        let protocol_index = self.protocols.iter().position(|p| *p == protocol)?;
        Some(self.port_set(self.class_set(from_class as u32, to_class as u32, protocol_index)))
    }

    /// The allowed ports from `from` to `to`; `None` for an endpoint and itself, an unknown
    /// endpoint or a protocol the matrix was not built for.
    pub fn cell(
        &self,
        from: &EndpointId,
        to: &EndpointId,
        protocol: Protocol,
    ) -> Option<&[PortRange]> {
        self.cell_at(
            self.endpoint_index(from)?,
            self.endpoint_index(to)?,
            protocol,
        )
    }

    /// The allowed ports between two endpoints given by index in [`Matrix::endpoints`].
    pub fn cell_at(&self, from: usize, to: usize, protocol: Protocol) -> Option<&[PortRange]> {
        if from == to || from >= self.endpoints.len() || to >= self.endpoints.len() {
            return None;
        }
        let protocol_index = self.protocols.iter().position(|p| *p == protocol)?;
        Some(self.port_set(self.set_id(from, to, protocol_index)))
    }

    /// Every cell, by source, then target, then protocol.
    pub fn cells(&self) -> impl Iterator<Item = MatrixCell<'_>> + '_ {
        let count = self.endpoints.len();
        (0..count).flat_map(move |from| {
            (0..count)
                .filter(move |to| *to != from)
                .flat_map(move |to| {
                    self.protocols
                        .iter()
                        .enumerate()
                        .map(move |(protocol_index, protocol)| MatrixCell {
                            from: &self.endpoints[from],
                            to: &self.endpoints[to],
                            protocol: *protocol,
                            allowed: self.port_set(self.set_id(from, to, protocol_index)),
                        })
                })
        })
    }

    /// What decides every cell of a pair of endpoints given by index: its classes' combo, or
    /// [`LOCAL_PAIR`] for a pair on one node (every port); `None` as [`Matrix::cell_at`] gives
    /// it. Two pairs of matrices one of which [`extends`](Matrix::extends) the other have
    /// the same cells when they have the same key.
    pub(crate) fn pair_key(&self, from: usize, to: usize) -> Option<u32> {
        if from == to || from >= self.endpoints.len() || to >= self.endpoints.len() {
            return None;
        }
        if self
            .local_pairs
            .binary_search(&(from as u32, to as u32))
            .is_ok()
        {
            return Some(LOCAL_PAIR);
        }
        let pair = self.class_of[from] as usize * self.class_count + self.class_of[to] as usize;
        self.cells.get(pair).copied()
    }

    /// Whether this matrix numbers its protocols, port sets and combos as `earlier` does, and
    /// more (a build seeded from `earlier`'s): then a combo id means the same cells in both.
    pub(crate) fn extends(&self, earlier: &Matrix) -> bool {
        self.protocols == earlier.protocols
            && self.port_sets.starts_with(&earlier.port_sets)
            && self.combos.starts_with(&earlier.combos)
    }

    fn set_id(&self, from: usize, to: usize, protocol_index: usize) -> u32 {
        match self.pair_key(from, to) {
            Some(LOCAL_PAIR) => FULL_SET,
            Some(combo) => self.pair_set_of_combo(combo, protocol_index),
            None => EMPTY_SET,
        }
    }

    fn class_set(&self, from_class: u32, to_class: u32, protocol_index: usize) -> u32 {
        self.pair_sets(from_class as usize, to_class as usize)
            .get(protocol_index)
            .copied()
            .unwrap_or(EMPTY_SET)
    }

    /// The port-set ids, one per protocol, of a pair of classes.
    fn pair_sets(&self, from_class: usize, to_class: usize) -> &[u32] {
        let combo = self
            .cells
            .get(from_class * self.class_count + to_class)
            .copied()
            .unwrap_or(0) as usize;
        let count = self.protocols.len();
        self.combos
            .get(combo * count..(combo + 1) * count)
            .unwrap_or(&[])
    }

    /// The port-set id of combo `combo` on the protocol at `protocol_index`.
    fn pair_set_of_combo(&self, combo: u32, protocol_index: usize) -> u32 {
        self.combos
            .get(combo as usize * self.protocols.len() + protocol_index)
            .copied()
            .unwrap_or(EMPTY_SET)
    }

    fn port_set(&self, id: u32) -> &[PortRange] {
        self.port_sets
            .get(id as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

/// The matrix for TCP, UDP and ICMP.
pub fn matrix(topology: &Topology) -> Matrix {
    matrix_with(topology, &DEFAULT_PROTOCOLS)
}

/// The matrix for the given protocols (repeats are ignored).
pub fn matrix_with(topology: &Topology, protocols: &[Protocol]) -> Matrix {
    let mut unique_protocols: Vec<Protocol> = Vec::new();
    for protocol in protocols {
        if !unique_protocols.contains(protocol) {
            unique_protocols.push(*protocol);
        }
    }
    Builder::new(topology).build(unique_protocols)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::eval::route::{self, Actor};
    use crate::generate::{generate, GenParams, Shape};

    /// The accessors of a matrix read what its cells say: on a Kubernetes topology (pods of a
    /// node stay on it), each endpoint's class by id and by index, the classes counted, the
    /// local pairs against the pairs `route` keeps on one node, every other pair's cell as its
    /// classes' cell, every stored port set counted, and `None` one step past each limit.
    #[test]
    fn accessors_agree_with_the_cells() {
        let topology = generate(5, &GenParams::of_shape(Shape::Kubernetes, 40, 4, 120));
        let protocols = [Protocol::Tcp, Protocol::Udp, Protocol::Icmp];
        let matrix = matrix_with(&topology, &protocols);
        let ids = matrix.endpoints();
        let count = ids.len();
        assert_eq!(count, topology.endpoints.len());

        // Classes, by id and by index; as many as there are distinct ones.
        let mut classes = BTreeSet::new();
        for (index, id) in ids.iter().enumerate() {
            let class = matrix.class_at(index).expect("every endpoint has a class");
            assert_eq!(matrix.class_of(id), Some(class), "{id}");
            assert!(class < matrix.class_count(), "{id}: class {class}");
            classes.insert(class);
        }
        assert_eq!(classes.len(), matrix.class_count());
        assert!(matrix.class_count() > 2, "{} classes", matrix.class_count());
        assert_eq!(matrix.class_at(count), None);
        assert_eq!(
            matrix.class_of(&EndpointId("no-such-endpoint".into())),
            None
        );

        // The local pairs: exactly the pairs that stay on one node.
        let actors: Vec<Actor<'_>> = topology
            .endpoints
            .values()
            .map(|endpoint| Actor::of_endpoint(&topology, endpoint))
            .collect();
        let mut local = Vec::new();
        for (a, from) in actors.iter().enumerate() {
            for (b, to) in actors.iter().enumerate() {
                if a != b && route::same_node(from, to).is_some() {
                    local.push((a as u32, b as u32));
                }
            }
        }
        assert!(local.len() > 2, "{} local pairs", local.len());
        assert_eq!(matrix.local_pairs(), local.as_slice());

        // Every cell: everything for a local pair, else its classes' cell.
        let mut sets: BTreeSet<&[PortRange]> = BTreeSet::new();
        let mut differ = 0;
        for from in 0..count {
            assert_eq!(matrix.cell_at(from, from, Protocol::Tcp), None);
            for to in (0..count).filter(|to| *to != from) {
                let (from_class, to_class) = (matrix.class_at(from), matrix.class_at(to));
                let (from_class, to_class) = (from_class.unwrap(), to_class.unwrap());
                let mut cells = Vec::new();
                for protocol in protocols {
                    let cell = matrix.cell_at(from, to, protocol).expect("a cell");
                    assert_eq!(matrix.cell(&ids[from], &ids[to], protocol), Some(cell));
                    let class_cell = matrix.class_cell(from_class, to_class, protocol);
                    if local.binary_search(&(from as u32, to as u32)).is_ok() {
                        assert_eq!(cell, &[PortRange::ALL][..], "{from} -> {to} {protocol}");
                    } else {
                        assert_eq!(class_cell, Some(cell), "{from} -> {to} {protocol}");
                    }
                    sets.insert(cell);
                    cells.push(cell);
                }
                differ += usize::from(cells[0] != cells[1]);
            }
        }
        assert!(differ > 0, "TCP and UDP differ on some pair");
        assert!(
            matrix.port_set_count() >= sets.len() && sets.len() > 2,
            "{} port sets stored, {} distinct in the cells",
            matrix.port_set_count(),
            sets.len()
        );

        // One step past each limit.
        let last = matrix.class_count() - 1;
        assert!(matrix.class_cell(last, last, Protocol::Tcp).is_some());
        assert_eq!(matrix.class_cell(last + 1, 0, Protocol::Tcp), None);
        assert_eq!(matrix.class_cell(0, last + 1, Protocol::Tcp), None);
        assert_eq!(matrix.class_cell(0, 0, Protocol::Gre), None);
        assert_eq!(matrix.cell_at(count, 0, Protocol::Tcp), None);
        assert_eq!(matrix.cell_at(0, count, Protocol::Tcp), None);
        assert_eq!(matrix.cell_at(0, 1, Protocol::Gre), None);
    }
}
