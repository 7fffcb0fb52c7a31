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

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use crate::eval::route::{self, Actor, AddressRole, FamilyKey, Route, Routed};
use crate::eval::rules;
use crate::model::{
    Direction, EndpointId, GroupId, GroupType, InnerAccessPolicy, Peer, PortRange, Protocol,
    Topology, Verdict, VpcId,
};

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

    fn set_id(&self, from: usize, to: usize, protocol_index: usize) -> u32 {
        let key = (from as u32, to as u32);
        if self.local_pairs.binary_search(&key).is_ok() {
            return FULL_SET;
        }
        self.class_set(self.class_of[from], self.class_of[to], protocol_index)
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

/// The matrix of `topology` after an edit of `previous_topology`, whose matrix is `previous`:
/// the same cells as [`matrix_with`] for `previous`'s protocols, computed again only for the
/// pairs of endpoints whose source is in a group whose egress rules changed or whose target
/// is in a group whose ingress rules changed (a change of descriptions only changes nothing).
///
/// The reuse applies when the two topologies differ only in rules (the edits of an
/// interactive session: a rule's ports, priority, policy, peer, added or deleted rules) and
/// the endpoints still fall into the same classes; after any other change it builds the whole
/// matrix. Only the numbering and count of the stored port sets may differ from a fresh
/// build's.
pub fn matrix_after_edit(
    previous_topology: &Topology,
    previous: &Matrix,
    topology: &Topology,
) -> Matrix {
    let protocols = previous.protocols.clone();
    match changed_groups(previous_topology, topology) {
        Some(changed) => Builder::new(topology).build_reusing(
            protocols,
            Some(Reuse {
                matrix: previous,
                changed,
            }),
        ),
        None => Builder::new(topology).build(protocols),
    }
}

/// The indices (in id order) of the groups whose egress rules differ and of those whose
/// ingress rules differ, when the two topologies differ in nothing else that evaluation reads.
fn changed_groups(before: &Topology, after: &Topology) -> Option<ChangedGroups> {
    let same_rest = before.vpcs == after.vpcs
        && before.endpoints == after.endpoints
        && before.clusters == after.clusters
        && before.gateways == after.gateways
        && before.prefix_lists == after.prefix_lists
        && before.groups.len() == after.groups.len();
    if !same_rest {
        return None;
    }
    let mut changed = ChangedGroups::default();
    for (index, (old, new)) in before
        .groups
        .values()
        .zip(after.groups.values())
        .enumerate()
    {
        let same_group = old.id == new.id
            && old.vpc == new.vpc
            && old.group_type == new.group_type
            && old.inner_access_policy == new.inner_access_policy
            && old.managed_by == new.managed_by;
        if !same_group {
            return None;
        }
        for (direction, list) in [
            (Direction::Egress, &mut changed.egress),
            (Direction::Ingress, &mut changed.ingress),
        ] {
            if !same_rules(&old.rules, &new.rules, direction) {
                list.push(index as u32);
            }
        }
    }
    Some(changed)
}

/// Whether two lists of rules hold the same rules of one direction in the same order, but for
/// their descriptions, which evaluation never reads. (A rule's index in its group only breaks
/// ties between rules of equal priority and policy, which give the same verdict, so rules of
/// the other direction may come and go.)
fn same_rules(
    before: &[crate::model::Rule],
    after: &[crate::model::Rule],
    direction: Direction,
) -> bool {
    let mut before = before.iter().filter(|rule| rule.direction == direction);
    let mut after = after.iter().filter(|rule| rule.direction == direction);
    loop {
        match (before.next(), after.next()) {
            (None, None) => return true,
            (Some(old), Some(new)) => {
                let same = old.policy == new.policy
                    && old.priority == new.priority
                    && old.protocol == new.protocol
                    && old.ports == new.ports
                    && old.peer == new.peer
                    && old.source_ports == new.source_ports
                    && old.local_cidr == new.local_cidr
                    && old.nic_type == new.nic_type
                    && old.id == new.id;
                if !same {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The groups whose rules changed, by index, per direction.
#[derive(Default)]
struct ChangedGroups {
    egress: Vec<u32>,
    ingress: Vec<u32>,
}

/// What [`Builder::build_reusing`] may take from an earlier matrix.
struct Reuse<'m> {
    /// The matrix before the edit.
    matrix: &'m Matrix,
    /// The groups whose rules changed.
    changed: ChangedGroups,
}

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

/// The group matrix of `matrix` (the matrix of `topology`) after an edit, derived from
/// `previous`, the group matrix of `previous_matrix` (the matrix of `previous_topology`): equal
/// to [`group_matrix_of`]`(topology, matrix)`.
///
/// A cell depends only on the port sets of the pairs of classes its two buckets hold, so the
/// cells of a pair of buckets none of whose pairs of classes allows other ports than before
/// are taken from `previous`, and the others are computed again. The reuse applies when the
/// endpoints, their buckets, their classes and the local pairs are those of the previous
/// matrix (an edit of rules: see [`matrix_after_edit`]); otherwise the whole group matrix is
/// computed.
pub fn group_matrix_after_edit(
    previous_topology: &Topology,
    previous_matrix: &Matrix,
    previous: &GroupMatrix,
    topology: &Topology,
    matrix: &Matrix,
) -> GroupMatrix {
    let same_structure = previous.protocols == matrix.protocols
        && previous_matrix.protocols == matrix.protocols
        && previous_matrix.endpoints == matrix.endpoints
        && previous_matrix.class_count == matrix.class_count
        && previous_matrix.class_of == matrix.class_of
        && previous_matrix.local_pairs == matrix.local_pairs
        && previous_matrix.cells.len() == matrix.cells.len()
        // Buckets come from the endpoints' ENIs, their nodes and their clusters only.
        && previous_topology.endpoints == topology.endpoints
        && previous_topology.clusters == topology.clusters;
    if !same_structure {
        return group_matrix_of(topology, matrix);
    }
    let index = BucketIndex::new(topology, matrix);
    let bucket_count = index.buckets.len();

    // Where each pair of buckets has its cells in `previous` (sorted by source and target,
    // like the buckets).
    let mut previous_cells: Vec<(u32, u32)> = vec![(0, 0); bucket_count * bucket_count];
    let mut from: Option<usize> = None;
    let mut at = 0;
    while at < previous.cells.len() {
        let cell = &previous.cells[at];
        let from_index = match from {
            Some(from) if index.buckets[from] == cell.from => from,
            _ => match index.buckets.binary_search(&cell.from) {
                Ok(found) => found,
                Err(_) => return group_matrix_of(topology, matrix),
            },
        };
        from = Some(from_index);
        let Ok(to_index) = index.buckets.binary_search(&cell.to) else {
            return group_matrix_of(topology, matrix);
        };
        let start = at;
        at += 1;
        while at < previous.cells.len()
            && previous.cells[at].to == cell.to
            && previous.cells[at].from == cell.from
        {
            at += 1;
        }
        previous_cells[from_index * bucket_count + to_index] = (start as u32, at as u32);
    }

    // The pairs of classes whose port sets changed, by content (ids may be renumbered), mark
    // every pair of buckets holding them.
    let new_ids: FastMap<&[PortRange], u32> = matrix
        .port_sets
        .iter()
        .enumerate()
        .map(|(id, ranges)| (ranges.as_slice(), id as u32))
        .collect();
    let renumber: Vec<u32> = previous_matrix
        .port_sets
        .iter()
        .map(|ranges| new_ids.get(ranges.as_slice()).copied().unwrap_or(u32::MAX))
        .collect();
    let mut buckets_of_class: Vec<Vec<u32>> = vec![Vec::new(); matrix.class_count];
    for (bucket, counts) in index.class_counts.iter().enumerate() {
        for (class, _) in counts {
            buckets_of_class[*class as usize].push(bucket as u32);
        }
    }
    let protocol_count = matrix.protocols.len();
    let mut dirty = vec![false; bucket_count * bucket_count];
    for pair in 0..matrix.cells.len() {
        let (from_class, to_class) = (pair / matrix.class_count, pair % matrix.class_count);
        let old = previous_matrix.pair_sets(from_class, to_class);
        let new = matrix.pair_sets(from_class, to_class);
        let same = old
            .iter()
            .zip(new)
            .all(|(old, new)| renumber.get(*old as usize) == Some(new));
        if same {
            continue;
        }
        for from in &buckets_of_class[from_class] {
            for to in &buckets_of_class[to_class] {
                dirty[*from as usize * bucket_count + *to as usize] = true;
            }
        }
    }

    let mut scratch = GroupScratch::new(protocol_count);
    let mut cells = Vec::with_capacity(previous.cells.len());
    for from in 0..bucket_count {
        for to in 0..bucket_count {
            let pair = from * bucket_count + to;
            if dirty[pair] {
                index.pair_cells(matrix, from, to, &mut scratch, &mut cells);
            } else {
                let (start, end) = previous_cells[pair];
                cells.extend_from_slice(&previous.cells[start as usize..end as usize]);
            }
        }
    }
    GroupMatrix {
        protocols: matrix.protocols.clone(),
        cells,
    }
}

/// The buckets of a matrix's endpoints, and what the group matrix counts in each pair of them.
struct BucketIndex {
    /// The buckets, sorted.
    buckets: Vec<Bucket>,
    /// Per bucket, its members counted by class, sorted by class.
    class_counts: Vec<Vec<(u32, u64)>>,
    /// Per bucket, its members.
    sizes: Vec<u64>,
    /// Per pair of buckets, the endpoints in both, counted by class: they make no pair with
    /// themselves.
    self_pairs: FastMap<(u32, u32), BTreeMap<u32, u64>>,
    /// Per pair of buckets, the classes of its local pairs, which are allowed everything
    /// whatever their classes say.
    local: FastMap<(u32, u32), Vec<(u32, u32)>>,
}

/// The buffers of [`BucketIndex::pair_cells`].
struct GroupScratch {
    /// Per protocol and port-set id, the pairs allowing it (dense, reset after each use).
    totals: Vec<Vec<u64>>,
    /// Per protocol, the port-set ids with a total.
    touched: Vec<Vec<u32>>,
    merged: Vec<(u32, u64)>,
    events: Vec<(u32, i64)>,
}

impl GroupScratch {
    fn new(protocols: usize) -> GroupScratch {
        GroupScratch {
            totals: vec![Vec::new(); protocols],
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
}

impl BucketIndex {
    fn new(topology: &Topology, matrix: &Matrix) -> BucketIndex {
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
    fn pair_cells(
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
fn sweep(events: &mut [(u32, i64)]) -> Vec<CountedRange> {
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

/// Every rule block the topology mentions, so that an address can be summarized by the blocks
/// that contain it.
struct NetIndex {
    ids: FastMap<IpNet, u32>,
    /// Prefix lengths present, per family.
    lengths_v4: Vec<u8>,
    lengths_v6: Vec<u8>,
}

impl NetIndex {
    fn new(topology: &Topology) -> NetIndex {
        let mut index = NetIndex {
            ids: FastMap::default(),
            lengths_v4: Vec::new(),
            lengths_v6: Vec::new(),
        };
        for group in topology.groups.values() {
            for rule in &group.rules {
                if let Peer::Cidr(block) = rule.peer {
                    index.add(block);
                }
                if let Some(block) = rule.local_cidr {
                    index.add(block);
                }
            }
        }
        for list in topology.prefix_lists.values() {
            for block in &list.cidrs {
                index.add(*block);
            }
        }
        crate::sort::sort(&mut index.lengths_v4);
        index.lengths_v4.dedup();
        crate::sort::sort(&mut index.lengths_v6);
        index.lengths_v6.dedup();
        index
    }

    fn add(&mut self, block: IpNet) {
        let block = block.trunc();
        let next = self.ids.len() as u32;
        self.ids.entry(block).or_insert(next);
        match block {
            IpNet::V4(_) => self.lengths_v4.push(block.prefix_len()),
            IpNet::V6(_) => self.lengths_v6.push(block.prefix_len()),
        }
    }

    fn id(&self, block: IpNet) -> Option<u32> {
        self.ids.get(&block.trunc()).copied()
    }

    /// The ids of the blocks that contain all of `net`, sorted.
    fn containing(&self, net: IpNet) -> Vec<u32> {
        let lengths = match net {
            IpNet::V4(_) => &self.lengths_v4,
            IpNet::V6(_) => &self.lengths_v6,
        };
        let mut found = Vec::new();
        for &length in lengths {
            if length > net.prefix_len() {
                break;
            }
            if let Ok(block) = IpNet::new(net.addr(), length) {
                if let Some(id) = self.ids.get(&block.trunc()) {
                    found.push(*id);
                }
            }
        }
        found.sort_unstable();
        found
    }
}

/// An address summarized: its family and the class of the blocks containing it.
type AddressClass = (FamilyKey, u32);

/// What decides an endpoint's answers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Signature<'t> {
    vpc: Option<&'t VpcId>,
    group_set: u32,
    eni_addressed: bool,
    private_v4: Option<AddressClass>,
    private_v6: Option<AddressClass>,
    public_in: Option<AddressClass>,
    public_out: Option<AddressClass>,
    external: Option<AddressClass>,
}

impl<'t> Signature<'t> {
    fn address(&self, role: AddressRole) -> Option<u32> {
        let class = match role {
            AddressRole::Private(FamilyKey::V4) => self.private_v4,
            AddressRole::Private(FamilyKey::V6) => self.private_v6,
            AddressRole::PublicIn => self.public_in,
            AddressRole::PublicOut => self.public_out,
            AddressRole::External => self.external,
        };
        class.map(|(_, id)| id)
    }

    fn private(&self, family: FamilyKey) -> Option<u32> {
        self.address(AddressRole::Private(family))
    }

    fn routing(&self) -> RoutingSignature<'t> {
        RoutingSignature {
            vpc: self.vpc,
            eni_addressed: self.eni_addressed,
            private_v4: self.private_v4.is_some(),
            private_v6: self.private_v6.is_some(),
            public_in: self.public_in.map(|(family, _)| family),
            public_out: self.public_out.map(|(family, _)| family),
            external: self.external.map(|(family, _)| family),
        }
    }
}

/// What `route` reads of an endpoint, but its groups: its VPC, kind of addressing, and which
/// addresses of which family it has. The groups matter to routing only through intra-group
/// access, which the matrix checks per pair of group sets (see `Builder::accept_groups`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct RoutingSignature<'t> {
    vpc: Option<&'t VpcId>,
    eni_addressed: bool,
    private_v4: bool,
    private_v6: bool,
    public_in: Option<FamilyKey>,
    public_out: Option<FamilyKey>,
    external: Option<FamilyKey>,
}

/// What the matrix keeps of a [`Routed`]: everything but the addresses themselves, which it
/// reads from each class's signature through the roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct RouteSummary {
    family: FamilyKey,
    from_role: AddressRole,
    to_role: AddressRole,
    same_vpc: bool,
    /// `Some(whether group references can match the peer)` when the side filters.
    egress: Option<bool>,
    ingress: Option<bool>,
    leaves_vpc: bool,
}

impl RouteSummary {
    fn of(routed: &Routed<'_, '_>) -> RouteSummary {
        RouteSummary {
            family: routed.family_key(),
            from_role: routed.from_role,
            to_role: routed.to_role,
            same_vpc: routed.same_vpc,
            egress: routed
                .egress
                .as_ref()
                .map(|view| view.peer_groups.is_some()),
            ingress: routed
                .ingress
                .as_ref()
                .map(|view| view.peer_groups.is_some()),
            leaves_vpc: routed.leaves_vpc,
        }
    }
}

/// Protocols that may use the same address families route alike: slot 0 for protocols that
/// use IPv4 or IPv6, 1 for ICMP (IPv4), 2 for ICMPv6 (IPv6).
fn family_slot(protocol: Protocol) -> usize {
    match protocol {
        Protocol::Icmp => 1,
        Protocol::Icmpv6 => 2,
        _ => 0,
    }
}

/// Hash maps of the builder's integer keys: rustc-hash's FxHash, fast and deterministic. They
/// are only looked up, never iterated, so their order never reaches the output.
type FastMap<K, V> = HashMap<K, V, rustc_hash::FxBuildHasher>;

/// A group side's answers towards every class, shared between the rows and columns using it.
type AnswerVector = std::rc::Rc<[u32]>;

/// The value of a memo cell not yet computed.
const UNSET: u32 = u32::MAX;

/// The side-answer id of a side that does not filter: every port of every protocol.
const UNFILTERED: u32 = 0;

/// The group answer of a group none of whose rules matches: id 0.
const NO_MATCH: u32 = 0;

/// A key meaning "no rule matched" in a keyed port function.
const NO_KEY: u16 = u16::MAX;

/// Which address of the peer a side sees, and whether group references can match it: the
/// part of a route that a group's answer depends on, as a small number.
fn variant(role: AddressRole, peer_groups: bool) -> u8 {
    let role = match role {
        AddressRole::Private(FamilyKey::V4) => 0,
        AddressRole::Private(FamilyKey::V6) => 1,
        AddressRole::PublicIn => 2,
        AddressRole::PublicOut => 3,
        AddressRole::External => 4,
    };
    role * 2 + u8::from(peer_groups)
}

/// The address role of a [`variant`].
fn variant_role(variant: u8) -> AddressRole {
    match variant / 2 {
        0 => AddressRole::Private(FamilyKey::V4),
        1 => AddressRole::Private(FamilyKey::V6),
        2 => AddressRole::PublicIn,
        3 => AddressRole::PublicOut,
        _ => AddressRole::External,
    }
}

/// The rank of a rule within its group's evaluation order that decides between groups: lower
/// wins; priority first, drop before accept (reference §3 step 2). Odd keys accept.
fn rule_key(rule: &crate::model::Rule) -> u16 {
    u16::from(rule.priority.get()) * 2 + u16::from(rules::policy_rank(rule.policy))
}

/// Interns lists of numbers: equal lists get equal ids, numbered from 0 in order of arrival.
struct Interner<T> {
    ids: FastMap<Vec<T>, u32>,
    /// Where each list starts in `items`; list `i` is `items[starts[i]..starts[i + 1]]`.
    starts: Vec<usize>,
    items: Vec<T>,
}

impl<T: Copy + Eq + std::hash::Hash> Interner<T> {
    fn new() -> Interner<T> {
        Interner {
            ids: FastMap::default(),
            starts: vec![0],
            items: Vec::new(),
        }
    }

    fn intern(&mut self, list: &[T]) -> u32 {
        if let Some(id) = self.ids.get(list) {
            return *id;
        }
        let id = self.len() as u32;
        self.ids.insert(list.to_vec(), id);
        self.items.extend_from_slice(list);
        self.starts.push(self.items.len());
        id
    }

    fn get(&self, id: u32) -> &[T] {
        let id = id as usize;
        match (self.starts.get(id), self.starts.get(id + 1)) {
            (Some(start), Some(end)) => &self.items[*start..*end],
            _ => &[],
        }
    }

    fn len(&self) -> usize {
        self.starts.len() - 1
    }
}

/// The rules of one group in one direction compiled for one protocol: each rule that can
/// match the protocol is a span of elementary port intervals.
struct KeyPool {
    /// Interval boundaries: interval `i` is `points[i]..points[i + 1]`.
    points: Vec<u32>,
    /// Per rule position: its first interval and the one after its last.
    spans: Vec<(u32, u32)>,
    /// The rules that can match the protocol (protocol, source ports).
    active: Vec<u64>,
}

/// One group's rules in one direction (a group side), with what every peer matches of them.
///
/// A side of a pair filters with the rules of all the ENI's groups; the first match of the
/// pooled rules is, port by port, the best-ranked of each group's own first match. So a group
/// side is evaluated once per *distinct set of its rules a peer satisfies* (an answer keyed by
/// rank, per protocol), and the answer of an ENI's side merges its groups' answers.
struct GroupSide<'t> {
    /// The rules, in evaluation order within the group.
    rules: Vec<&'t crate::model::Rule>,
    words: usize,
    /// Whether some rule has a local CIDR (quintuple rules): then the answer depends on the
    /// ENI's own address too.
    local_sensitive: bool,
    /// Per address class, the id of the set of rules an address of that class satisfies.
    addr_proj: Vec<u32>,
    addr_bits: Interner<u64>,
    /// Per group set, the id of the set of rules a peer in those groups satisfies.
    group_proj: Vec<u32>,
    group_bits: Interner<u64>,
    /// Per protocol (index in the build's protocols).
    pools: Vec<KeyPool>,
    /// Group-answer ids by matched rule set.
    answers: FastMap<Vec<u64>, u32>,
    /// Dense answers by (address projection, group projection), per local address class
    /// (`UNSET` key when not local-sensitive).
    tables: FastMap<u32, Vec<u32>>,
}

/// Sweep buffers, reused from one sweep to the next.
#[derive(Default)]
struct Scratch {
    matched: Vec<u64>,
    owner: Vec<u16>,
    next: Vec<usize>,
    keyed: Vec<(u16, u16, u16)>,
    ranges: Vec<(u16, u16)>,
    ids: Vec<u32>,
    points: Vec<u32>,
    sides: Vec<u32>,
    function_ids: Vec<u32>,
}

struct Builder<'t> {
    topology: &'t Topology,
    nets: NetIndex,
    group_index: BTreeMap<&'t GroupId, u32>,
    groups: Vec<&'t GroupId>,
    address_classes: FastMap<Vec<u32>, u32>,
    address_sets: Vec<Vec<u32>>,
    group_sets: FastMap<Vec<u32>, u32>,
    group_set_members: Vec<Vec<u32>>,
    /// Per group set, whether its default allows egress and ingress.
    group_set_defaults: Vec<[bool; 2]>,
    /// Per group set, its basic groups with InnerAccessPolicy Accept, sorted.
    accept_groups: Vec<Vec<u32>>,
    protocols: Vec<Protocol>,
    /// Group sides by `group * 2 + direction` (0 egress, 1 ingress), made when first needed.
    sides: Vec<Option<GroupSide<'t>>>,
    /// Per block id, the address classes whose addresses it contains.
    block_members: Vec<Vec<u32>>,
    /// Per group, the group sets holding it.
    sets_of_group: Vec<Vec<u32>>,
    /// Keyed port functions: (first port, last port, key) lists.
    functions: Interner<(u16, u16, u16)>,
    /// Group answers: one function id per protocol.
    group_answers: Interner<u32>,
    /// Side answers: one side-set id per protocol.
    side_answers: Interner<u32>,
    /// Side answers by (default allows, group answers), for up to three groups.
    scope_memo: FastMap<u128, u32>,
    scope_memo_long: FastMap<Vec<u32>, u32>,
    /// Side sets by (default allows, functions) and protocol, for up to three groups.
    function_memo: FastMap<(u128, usize), u32>,
    /// Port sets by (egress side set, ingress side set, port 25 blocked).
    intersections: FastMap<u64, u32>,
    /// Cell answers (one port-set id per protocol) by (egress, ingress, leaves VPC).
    combos: Interner<u32>,
    combo_memo: FastMap<u64, u32>,
    /// Per (group side, variant, local address class), the group answer towards each class.
    answer_vectors: FastMap<(u32, u8, u32), AnswerVector>,
    scratch: Scratch,
    /// Per side answer, what it allows (see [`Builder::answer_kind`]).
    answer_kinds: Vec<u8>,
    side_sets: Interner<(u16, u16)>,
    port_sets: FastMap<Vec<(u16, u16)>, u32>,
    port_set_list: Vec<Vec<(u16, u16)>>,
}

impl<'t> Builder<'t> {
    fn new(topology: &'t Topology) -> Builder<'t> {
        let mut builder = Builder {
            topology,
            nets: NetIndex::new(topology),
            group_index: topology
                .groups
                .keys()
                .enumerate()
                .map(|(index, id)| (id, index as u32))
                .collect(),
            groups: topology.groups.keys().collect(),
            address_classes: FastMap::default(),
            address_sets: Vec::new(),
            group_sets: FastMap::default(),
            group_set_members: Vec::new(),
            group_set_defaults: Vec::new(),
            accept_groups: Vec::new(),
            protocols: Vec::new(),
            sides: Vec::new(),
            block_members: Vec::new(),
            sets_of_group: Vec::new(),
            functions: Interner::new(),
            group_answers: Interner::new(),
            side_answers: Interner::new(),
            scope_memo: FastMap::default(),
            scope_memo_long: FastMap::default(),
            function_memo: FastMap::default(),
            intersections: FastMap::default(),
            combos: Interner::new(),
            combo_memo: FastMap::default(),
            answer_vectors: FastMap::default(),
            scratch: Scratch::default(),
            answer_kinds: Vec::new(),
            side_sets: Interner::new(),
            port_sets: FastMap::default(),
            port_set_list: Vec::new(),
        };
        // Ids 0 and 1 of port sets and of side sets are nothing and everything.
        for ranges in [Vec::new(), vec![(1, 65535)]] {
            builder.intern_port_set(ranges.clone());
            builder.side_sets.intern(&ranges);
        }
        builder
    }

    fn intern_port_set(&mut self, ranges: Vec<(u16, u16)>) -> u32 {
        if let Some(id) = self.port_sets.get(&ranges) {
            return *id;
        }
        let id = self.port_set_list.len() as u32;
        self.port_sets.insert(ranges.clone(), id);
        self.port_set_list.push(ranges);
        id
    }

    /// Forgets the port sets no cell uses any more (after cells were reused from an earlier
    /// matrix), keeping the order of the others; ids 0 and 1 stay.
    fn drop_unused_port_sets(&mut self, cells: &mut [u32]) {
        let mut used = vec![false; self.port_set_list.len()];
        used[EMPTY_SET as usize] = true;
        used[FULL_SET as usize] = true;
        for cell in cells.iter() {
            if let Some(flag) = used.get_mut(*cell as usize) {
                *flag = true;
            }
        }
        if used.iter().all(|flag| *flag) {
            return;
        }
        let mut renumber = vec![EMPTY_SET; used.len()];
        let mut kept = Vec::new();
        for (id, ranges) in std::mem::take(&mut self.port_set_list)
            .into_iter()
            .enumerate()
        {
            if used[id] {
                renumber[id] = kept.len() as u32;
                kept.push(ranges);
            }
        }
        for cell in cells.iter_mut() {
            *cell = renumber.get(*cell as usize).copied().unwrap_or(EMPTY_SET);
        }
        self.port_sets.clear();
        self.port_set_list = kept;
    }

    fn address_class(&mut self, net: IpNet) -> AddressClass {
        let family = if net.addr().is_ipv4() {
            FamilyKey::V4
        } else {
            FamilyKey::V6
        };
        let containing = self.nets.containing(net);
        let next = self.address_sets.len() as u32;
        let id = *self
            .address_classes
            .entry(containing.clone())
            .or_insert(next);
        if id == next {
            self.address_sets.push(containing);
        }
        (family, id)
    }

    fn address_of(&mut self, address: Option<IpAddr>) -> Option<AddressClass> {
        address.map(|address| self.address_class(IpNet::from(address)))
    }

    fn group_set(&mut self, groups: &[&GroupId]) -> u32 {
        let mut members: Vec<u32> = groups
            .iter()
            .filter_map(|group| self.group_index.get(group).copied())
            .collect();
        members.sort_unstable();
        members.dedup();
        if let Some(id) = self.group_sets.get(&members) {
            return *id;
        }
        let id = self.group_set_members.len() as u32;
        self.group_sets.insert(members.clone(), id);
        let mut accept: Vec<u32> = groups
            .iter()
            .filter(|group| {
                self.topology.groups.get(**group).is_some_and(|group| {
                    group.group_type == GroupType::Basic
                        && group.inner_access_policy == InnerAccessPolicy::Accept
                })
            })
            .filter_map(|group| self.group_index.get(group).copied())
            .collect();
        accept.sort_unstable();
        accept.dedup();
        self.accept_groups.push(accept);
        self.group_set_members.push(members);
        let kind = rules::eni_kind(self.topology, groups);
        self.group_set_defaults.push(
            [Direction::Egress, Direction::Ingress].map(|direction| {
                rules::default_decision(kind, direction).verdict() == Verdict::Allow
            }),
        );
        id
    }

    fn signature(&mut self, actor: &Actor<'t>) -> Signature<'t> {
        let private_v4 = actor.private_ips.iter().copied().find(IpAddr::is_ipv4);
        let private_v6 = actor.private_ips.iter().copied().find(IpAddr::is_ipv6);
        Signature {
            vpc: actor.vpc,
            group_set: self.group_set(&actor.groups),
            eni_addressed: actor.eni_addressed,
            private_v4: self.address_of(private_v4),
            private_v6: self.address_of(private_v6),
            public_in: self.address_of(actor.public_in),
            public_out: self.address_of(actor.public_out),
            external: actor.external.map(|net| self.address_class(net)),
        }
    }

    fn build(self, protocols: Vec<Protocol>) -> Matrix {
        self.build_reusing(protocols, None)
    }

    /// Builds the matrix; with `reuse`, the cells of the pairs of classes whose groups' rules
    /// did not change come from the earlier matrix, when the classes are the same.
    fn build_reusing(mut self, protocols: Vec<Protocol>, reuse: Option<Reuse<'_>>) -> Matrix {
        let topology = self.topology;
        self.protocols = protocols.clone();
        let endpoints: Vec<EndpointId> = topology.endpoints.keys().cloned().collect();
        let actors: Vec<Actor<'t>> = topology
            .endpoints
            .values()
            .map(|endpoint| Actor::of_endpoint(topology, endpoint))
            .collect();

        // Classes of endpoints with identical signatures.
        let mut classes: FastMap<Signature<'t>, u32> = FastMap::default();
        let mut signatures: Vec<Signature<'t>> = Vec::new();
        let mut members: Vec<Vec<u32>> = Vec::new();
        let mut class_of = Vec::with_capacity(actors.len());
        for (index, actor) in actors.iter().enumerate() {
            let signature = self.signature(actor);
            let next = signatures.len() as u32;
            let class = *classes.entry(signature.clone()).or_insert(next);
            if class == next {
                signatures.push(signature);
                members.push(Vec::new());
            }
            members[class as usize].push(index as u32);
            class_of.push(class);
        }
        let class_count = signatures.len();
        self.index_memberships();

        // Routing depends on less than the full signature (not on which blocks contain the
        // addresses), so `route` itself works it out once per pair of routing signatures, on
        // representatives.
        let mut routing_ids: FastMap<RoutingSignature<'t>, u32> = FastMap::default();
        let mut routing_of: Vec<u32> = Vec::with_capacity(class_count);
        let mut routing_representative: Vec<usize> = Vec::new();
        for (class, signature) in signatures.iter().enumerate() {
            let next = routing_ids.len() as u32;
            let id = *routing_ids.entry(signature.routing()).or_insert(next);
            if id == next {
                routing_representative.push(members[class][0] as usize);
            }
            routing_of.push(id);
        }
        let routing_count = routing_representative.len();
        let mut slot_protocols: [Option<Protocol>; 3] = [None; 3];
        for protocol in &protocols {
            slot_protocols[family_slot(*protocol)].get_or_insert(*protocol);
        }
        // Per pair of routing signatures: the distinct routes and the protocols taking each.
        let mut route_plans: Vec<Vec<(RouteSummary, Vec<usize>)>> =
            Vec::with_capacity(routing_count * routing_count);
        for from in 0..routing_count {
            for to in 0..routing_count {
                let from_actor = &actors[routing_representative[from]];
                let to_actor = &actors[routing_representative[to]];
                let summaries = slot_protocols.map(|protocol| {
                    let protocol = protocol?;
                    match route::route_through_enis(topology, from_actor, to_actor, protocol) {
                        Route::Routed(routed) => Some(RouteSummary::of(&routed)),
                        Route::Local { .. } | Route::Unreachable { .. } => None,
                    }
                });
                let mut plan: Vec<(RouteSummary, Vec<usize>)> = Vec::new();
                for (protocol_index, protocol) in protocols.iter().enumerate() {
                    let Some(summary) = summaries[family_slot(*protocol)] else {
                        continue;
                    };
                    match plan.iter_mut().find(|(known, _)| *known == summary) {
                        Some((_, indices)) => indices.push(protocol_index),
                        None => plan.push((summary, vec![protocol_index])),
                    }
                }
                route_plans.push(plan);
            }
        }

        let protocol_count = protocols.len();
        // With an earlier matrix over the same classes, only the pairs of classes whose
        // source's egress rules or target's ingress rules changed are evaluated again.
        let reuse = reuse.filter(|reuse| {
            reuse.matrix.protocols == protocols
                && reuse.matrix.endpoints == endpoints
                && reuse.matrix.class_count == class_count
                && reuse.matrix.class_of == class_of
                && reuse.matrix.cells.len() == class_count * class_count
        });
        // Combo 0 allows nothing.
        self.combos.intern(&vec![EMPTY_SET; protocol_count]);
        let (mut cells, affected) = match &reuse {
            Some(reuse) => {
                // Port-set ids stay those of the earlier matrix.
                for ranges in reuse.matrix.port_sets.iter().skip(2) {
                    self.intern_port_set(ranges.iter().map(|r| (r.start(), r.end())).collect());
                }
                // And so do the combos.
                for combo in reuse.matrix.combos.chunks(protocol_count.max(1)).skip(1) {
                    self.combos.intern(combo);
                }
                let affected: Vec<[bool; 2]> = signatures
                    .iter()
                    .map(|signature| {
                        let members = self
                            .group_set_members
                            .get(signature.group_set as usize)
                            .map(Vec::as_slice)
                            .unwrap_or(&[]);
                        [
                            sorted_intersect(members, &reuse.changed.egress),
                            sorted_intersect(members, &reuse.changed.ingress),
                        ]
                    })
                    .collect();
                (reuse.matrix.cells.clone(), Some(affected))
            }
            None => (vec![0; class_count * class_count], None),
        };
        // Side answer 0 is "every port of every protocol": a side that does not filter; group
        // answer 0 matches no rule for any protocol.
        let all_ports = vec![FULL_SET; protocol_count];
        self.side_answers.intern(&all_ports);
        let no_rule = self.functions.intern(&[]);
        self.group_answers.intern(&vec![no_rule; protocol_count]);

        let signatures = &signatures;
        let needed = |from_class: usize, to_class: usize| {
            if from_class == to_class && members[to_class].len() < 2 {
                return false;
            }
            match &affected {
                Some(affected) => affected[from_class][0] || affected[to_class][1],
                None => true,
            }
        };
        let plan_of = |from_class: usize, to_class: usize| {
            &route_plans
                [routing_of[from_class] as usize * routing_count + routing_of[to_class] as usize]
        };
        let intra_group =
            |builder: &Builder<'t>, summary: &RouteSummary, from: usize, to: usize| {
                let (from, to) = (&signatures[from], &signatures[to]);
                summary.same_vpc
                    && from.eni_addressed
                    && to.eni_addressed
                    && sorted_intersect(
                        &builder.accept_groups[from.group_set as usize],
                        &builder.accept_groups[to.group_set as usize],
                    )
            };

        // Pass 1, by rows: the egress answer of every pair, for the k-th route of its plan, in
        // the pair's k-th slot (a plan has at most one route per protocol). A row's source
        // has few distinct answers, so a memo of the row catches nearly all of them.
        let mut memo: FastMap<u128, u32> = FastMap::default();
        let mut egress_ids: Vec<u32> = Vec::with_capacity(4);
        // The egress answers of the second and third routes of a pair, when its protocols
        // route differently (rare), by pair and route.
        let mut more_routes: FastMap<(usize, usize), u32> = FastMap::default();
        for from_class in 0..class_count {
            if !(0..class_count).any(|to_class| needed(from_class, to_class)) {
                continue;
            }
            let from = &signatures[from_class];
            let from_groups = self.group_set_members[from.group_set as usize].clone();
            let default = self.default_allows(from.group_set, Direction::Egress);
            // Per routing signature of the target and route: the answer vectors of the
            // source's groups.
            let mut row_vectors: Vec<Vec<Option<Vec<AnswerVector>>>> =
                Vec::with_capacity(routing_count);
            for to_routing in 0..routing_count {
                let plan =
                    &route_plans[routing_of[from_class] as usize * routing_count + to_routing];
                let mut routes = Vec::with_capacity(plan.len());
                for (summary, _) in plan {
                    routes.push(match summary.egress {
                        Some(peer_groups) => {
                            let variant = variant(summary.to_role, peer_groups);
                            let mut vectors = Vec::with_capacity(from_groups.len());
                            for group in &from_groups {
                                let side = group * 2;
                                let local = self.local_key(side, from.private(summary.family));
                                vectors
                                    .push(self.answer_vector((side, variant, local), signatures));
                            }
                            Some(vectors)
                        }
                        None => None,
                    });
                }
                row_vectors.push(routes);
            }
            memo.clear();
            for to_class in 0..class_count {
                if !needed(from_class, to_class) {
                    continue;
                }
                let pair = from_class * class_count + to_class;
                let plan = plan_of(from_class, to_class);
                cells[pair] = UNFILTERED;
                for (k, (summary, _)) in plan.iter().enumerate() {
                    let answer = match &row_vectors[routing_of[to_class] as usize][k] {
                        Some(vectors) if !intra_group(&self, summary, from_class, to_class) => {
                            egress_ids.clear();
                            egress_ids.extend(vectors.iter().map(|vector| vector[to_class]));
                            self.memo_scope_answer(&mut memo, default, &egress_ids)
                        }
                        _ => UNFILTERED,
                    };
                    if k == 0 {
                        cells[pair] = answer;
                    } else {
                        more_routes.insert((pair, k), answer);
                    }
                }
            }
        }

        // Pass 2, by blocks of columns: the ingress answer of every pair, which varies little
        // down a column (one memo per column of the block), combined with the egress answer
        // into the pair's port sets.
        const BLOCK: usize = 64;
        let mut column_memos: Vec<FastMap<u128, u32>> = vec![FastMap::default(); BLOCK];
        let mut ingress_ids: Vec<u32> = Vec::with_capacity(4);
        let mut mixed: Vec<u32> = vec![EMPTY_SET; protocol_count];
        // The combos of pairs one of whose sides allows everything, by the other side's answer.
        let mut one_side_combos: [Vec<u32>; 4] = Default::default();
        for block_start in (0..class_count).step_by(BLOCK) {
            let block_end = (block_start + BLOCK).min(class_count);
            // Per column and variant: the answer vectors of the target's groups.
            let mut column_vectors: Vec<Vec<(u8, u32, Vec<AnswerVector>)>> =
                vec![Vec::new(); block_end - block_start];
            column_memos.iter_mut().for_each(FastMap::clear);
            for from_class in 0..class_count {
                for to_class in block_start..block_end {
                    if !needed(from_class, to_class) {
                        continue;
                    }
                    let column = to_class - block_start;
                    let to = &signatures[to_class];
                    let pair = from_class * class_count + to_class;
                    let plan = plan_of(from_class, to_class);
                    let mut result = 0;
                    for (k, (summary, indices)) in plan.iter().enumerate() {
                        let ingress = match summary.ingress {
                            Some(peer_groups)
                                if !intra_group(&self, summary, from_class, to_class) =>
                            {
                                let variant = variant(summary.from_role, peer_groups);
                                let own = to.private(summary.family).unwrap_or(UNSET);
                                let known = column_vectors[column]
                                    .iter()
                                    .position(|(v, o, _)| *v == variant && *o == own);
                                let at = match known {
                                    Some(at) => at,
                                    None => {
                                        let groups =
                                            self.group_set_members[to.group_set as usize].clone();
                                        let mut vectors = Vec::with_capacity(groups.len());
                                        for group in groups {
                                            let side = group * 2 + 1;
                                            let local = self.local_key(
                                                side,
                                                Some(own).filter(|own| *own != UNSET),
                                            );
                                            vectors.push(
                                                self.answer_vector(
                                                    (side, variant, local),
                                                    signatures,
                                                ),
                                            );
                                        }
                                        column_vectors[column].push((variant, own, vectors));
                                        column_vectors[column].len() - 1
                                    }
                                };
                                ingress_ids.clear();
                                ingress_ids.extend(
                                    column_vectors[column][at]
                                        .2
                                        .iter()
                                        .map(|vector| vector[from_class]),
                                );
                                let default = self.default_allows(to.group_set, Direction::Ingress);
                                self.memo_scope_answer(
                                    &mut column_memos[column],
                                    default,
                                    &ingress_ids,
                                )
                            }
                            _ => UNFILTERED,
                        };
                        let egress = if k == 0 {
                            cells[pair]
                        } else {
                            more_routes.get(&(pair, k)).copied().unwrap_or(UNFILTERED)
                        };
                        let combo = self.combine_fast(
                            egress,
                            ingress,
                            summary.leaves_vpc,
                            &mut one_side_combos,
                        );
                        if plan.len() == 1 && indices.len() == protocol_count {
                            result = combo;
                        } else {
                            // Protocols that route differently, or not at all: each takes its
                            // own route's port set.
                            if k == 0 {
                                mixed.fill(EMPTY_SET);
                            }
                            let sets = self.combos.get(combo);
                            for protocol_index in indices {
                                mixed[*protocol_index] = sets[*protocol_index];
                            }
                            if k + 1 == plan.len() {
                                result = self.combos.intern(&mixed);
                            }
                        }
                    }
                    cells[pair] = result;
                }
            }
        }
        let mut local_pairs = Vec::new();
        let mut by_node: BTreeMap<&EndpointId, Vec<u32>> = BTreeMap::new();
        for (index, actor) in actors.iter().enumerate() {
            if let Some(node) = actor.host_node {
                by_node.entry(node).or_default().push(index as u32);
            }
        }
        for on_node in by_node.values() {
            for &a in on_node {
                for &b in on_node {
                    if a != b
                        && route::same_node(&actors[a as usize], &actors[b as usize]).is_some()
                    {
                        local_pairs.push((a, b));
                    }
                }
            }
        }
        local_pairs.sort_unstable();
        let mut combos = std::mem::replace(&mut self.combos, Interner::new()).items;
        if affected.is_some() {
            self.drop_unused_port_sets(&mut combos);
        }
        let port_sets = self
            .port_set_list
            .iter()
            .map(|ranges| {
                ranges
                    .iter()
                    .filter_map(|(start, end)| PortRange::new(*start, *end).ok())
                    .collect()
            })
            .collect();
        Matrix {
            endpoints,
            protocols,
            class_of,
            class_count,
            port_sets,
            cells,
            combos,
            local_pairs,
        }
    }

    /// The inverse indexes the group sides read: the address classes inside each block, and
    /// the group sets holding each group.
    fn index_memberships(&mut self) {
        self.block_members = vec![Vec::new(); self.nets.ids.len()];
        for (class, blocks) in self.address_sets.iter().enumerate() {
            for block in blocks {
                if let Some(list) = self.block_members.get_mut(*block as usize) {
                    list.push(class as u32);
                }
            }
        }
        self.sets_of_group = vec![Vec::new(); self.groups.len()];
        for (set, groups) in self.group_set_members.iter().enumerate() {
            for group in groups {
                if let Some(list) = self.sets_of_group.get_mut(*group as usize) {
                    list.push(set as u32);
                }
            }
        }
        self.sides = (0..self.groups.len() * 2).map(|_| None).collect();
    }

    fn default_allows(&self, group_set: u32, direction: Direction) -> bool {
        let index = usize::from(direction == Direction::Ingress);
        self.group_set_defaults
            .get(group_set as usize)
            .is_some_and(|defaults| defaults[index])
    }

    fn side(&self, side: u32) -> Option<&GroupSide<'t>> {
        self.sides.get(side as usize).and_then(Option::as_ref)
    }

    /// The local key of a group side: the ENI's own address class when the side has rules
    /// with a local CIDR, [`UNSET`] otherwise.
    fn local_key(&mut self, side: u32, own: Option<u32>) -> u32 {
        self.ensure_side(side);
        match self.side(side) {
            Some(found) if found.local_sensitive => own.unwrap_or(UNSET - 1),
            _ => UNSET,
        }
    }

    /// Makes the group side `side` (group `side / 2`, egress when even).
    fn ensure_side(&mut self, side: u32) {
        if self.side(side).is_some() {
            return;
        }
        let Some(group_id) = self.groups.get((side / 2) as usize).copied() else {
            return;
        };
        let direction = if side.is_multiple_of(2) {
            Direction::Egress
        } else {
            Direction::Ingress
        };
        let entries = rules::pool(self.topology, &[group_id], direction);
        let rules: Vec<&'t crate::model::Rule> = entries.iter().map(|entry| entry.rule).collect();
        let words = rules.len().div_ceil(64).max(1);
        let bit = |position: usize, bits: &mut [u64]| bits[position / 64] |= 1 << (position % 64);

        // The rules each block, group and local CIDR satisfies.
        let mut by_block: FastMap<u32, Vec<u64>> = FastMap::default();
        let mut by_group: FastMap<u32, Vec<u64>> = FastMap::default();
        for (position, rule) in rules.iter().enumerate() {
            let mut blocks: Vec<u32> = Vec::new();
            match &rule.peer {
                Peer::Cidr(block) => blocks.extend(self.nets.id(*block)),
                Peer::Group { id, .. } => {
                    if let Some(index) = self.group_index.get(id) {
                        bit(
                            position,
                            by_group.entry(*index).or_insert_with(|| vec![0; words]),
                        );
                    }
                }
                Peer::PrefixList(id) => {
                    if let Some(list) = self.topology.prefix_lists.get(id) {
                        blocks.extend(list.cidrs.iter().filter_map(|block| self.nets.id(*block)));
                    }
                }
            }
            for block in blocks {
                bit(
                    position,
                    by_block.entry(block).or_insert_with(|| vec![0; words]),
                );
            }
        }
        // What each address class satisfies, through the blocks that contain it.
        let address_count = self.address_sets.len();
        let mut addr_matched = vec![0u64; address_count * words];
        for (block, bits) in &by_block {
            for class in self
                .block_members
                .get(*block as usize)
                .into_iter()
                .flatten()
            {
                let at = *class as usize * words;
                or_into(&mut addr_matched[at..at + words], bits);
            }
        }
        let mut addr_bits = Interner::new();
        addr_bits.intern(&vec![0u64; words]);
        let addr_proj: Vec<u32> = addr_matched
            .chunks(words)
            .map(|bits| addr_bits.intern(bits))
            .collect();
        let set_count = self.group_set_members.len();
        let mut group_matched = vec![0u64; set_count * words];
        for (group, bits) in &by_group {
            for set in self
                .sets_of_group
                .get(*group as usize)
                .into_iter()
                .flatten()
            {
                let at = *set as usize * words;
                or_into(&mut group_matched[at..at + words], bits);
            }
        }
        let mut group_bits = Interner::new();
        group_bits.intern(&vec![0u64; words]);
        let group_proj: Vec<u32> = group_matched
            .chunks(words)
            .map(|bits| group_bits.intern(bits))
            .collect();

        let pools = self
            .protocols
            .iter()
            .map(|protocol| {
                let mut active = vec![0u64; words];
                let mut ranges = Vec::with_capacity(rules.len());
                for (position, rule) in rules.iter().enumerate() {
                    if rules::protocol_matches(rule.protocol, *protocol)
                        && rules::source_ports_match(rule)
                    {
                        bit(position, &mut active);
                    }
                    ranges.push(rules::effective_range(rule, *protocol));
                }
                let mut points: Vec<u32> = vec![1, 65536];
                for (start, end) in &ranges {
                    points.push(u32::from(*start));
                    points.push(u32::from(*end) + 1);
                }
                points.sort_unstable();
                points.dedup();
                let spans = ranges
                    .iter()
                    .map(|(start, end)| {
                        (
                            points.partition_point(|p| *p < u32::from(*start)) as u32,
                            points.partition_point(|p| *p < u32::from(*end) + 1) as u32,
                        )
                    })
                    .collect();
                KeyPool {
                    points,
                    spans,
                    active,
                }
            })
            .collect();
        let local_sensitive = rules.iter().any(|rule| rule.local_cidr.is_some());
        let made = GroupSide {
            rules,
            words,
            local_sensitive,
            addr_proj,
            addr_bits,
            group_proj,
            group_bits,
            pools,
            answers: FastMap::default(),
            tables: FastMap::default(),
        };
        if let Some(slot) = self.sides.get_mut(side as usize) {
            *slot = Some(made);
        }
    }

    /// Makes the answers of a group side towards every class, for one variant and local key.
    fn answer_vector(&mut self, key: (u32, u8, u32), signatures: &[Signature<'t>]) -> AnswerVector {
        if let Some(vector) = self.answer_vectors.get(&key) {
            return vector.clone();
        }
        let (side_id, variant, local) = key;
        self.ensure_side(side_id);
        let role = variant_role(variant);
        let peer_groups = variant % 2 == 1;
        let Some(mut side) = self.sides.get_mut(side_id as usize).and_then(Option::take) else {
            return std::rc::Rc::from(vec![NO_MATCH; signatures.len()]);
        };
        let group_rows = side.group_bits.len();
        let mut table = side
            .tables
            .remove(&local)
            .unwrap_or_else(|| vec![UNSET; side.addr_bits.len() * group_rows]);
        let vector: Vec<u32> = signatures
            .iter()
            .map(|signature| {
                let address = signature
                    .address(role)
                    .map_or(0, |class| side.addr_proj[class as usize]);
                let groups = if peer_groups {
                    side.group_proj[signature.group_set as usize]
                } else {
                    0
                };
                let cell = address as usize * group_rows + groups as usize;
                if table[cell] == UNSET {
                    table[cell] = self.group_answer(&mut side, address, groups, local);
                }
                table[cell]
            })
            .collect();
        side.tables.insert(local, table);
        if let Some(slot) = self.sides.get_mut(side_id as usize) {
            *slot = Some(side);
        }
        let vector: AnswerVector = vector.into();
        self.answer_vectors.insert(key, vector.clone());
        vector
    }

    /// The group answer of a side for a peer satisfying the rules of an address projection
    /// and a group projection, with the ENI's own address class `local`.
    fn group_answer(
        &mut self,
        side: &mut GroupSide<'t>,
        address: u32,
        groups: u32,
        local: u32,
    ) -> u32 {
        let words = side.words;
        let scratch = &mut self.scratch;
        scratch.matched.clear();
        scratch
            .matched
            .extend_from_slice(side.addr_bits.get(address));
        scratch.matched.resize(words, 0);
        or_into(&mut scratch.matched, side.group_bits.get(groups));
        if side.local_sensitive {
            let own: &[u32] = self
                .address_sets
                .get(local as usize)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            for (position, rule) in side.rules.iter().enumerate() {
                let Some(block) = rule.local_cidr else {
                    continue;
                };
                let inside = self
                    .nets
                    .id(block)
                    .is_some_and(|id| own.binary_search(&id).is_ok());
                if !inside {
                    scratch.matched[position / 64] &= !(1 << (position % 64));
                }
            }
        }
        if let Some(id) = side.answers.get(scratch.matched.as_slice()) {
            return *id;
        }
        let matched = scratch.matched.clone();
        scratch.ids.clear();
        for pool in &side.pools {
            sweep_keys(pool, &side.rules, &matched, scratch);
            let id = self.functions.intern(&scratch.keyed);
            scratch.ids.push(id);
        }
        let id = self.group_answers.intern(&scratch.ids);
        side.answers.insert(matched, id);
        id
    }

    /// [`Builder::scope_answer`] through a memo of the current row.
    fn memo_scope_answer(
        &mut self,
        row: &mut FastMap<u128, u32>,
        default_allows: bool,
        answers: &[u32],
    ) -> u32 {
        let Some(key) = scope_key(default_allows, answers) else {
            return self.scope_answer(default_allows, answers);
        };
        if let Some(id) = row.get(&key) {
            return *id;
        }
        let id = self.scope_answer(default_allows, answers);
        row.insert(key, id);
        id
    }

    /// The side answer of an ENI whose groups give `answers`, with the default of its kind.
    fn scope_answer(&mut self, default_allows: bool, answers: &[u32]) -> u32 {
        let key = scope_key(default_allows, answers);
        if let Some(key) = key {
            if let Some(id) = self.scope_memo.get(&key) {
                return *id;
            }
        } else {
            let mut long = answers.to_vec();
            long.push(u32::from(default_allows));
            if let Some(id) = self.scope_memo_long.get(&long) {
                return *id;
            }
        }
        let mut sides = std::mem::take(&mut self.scratch.sides);
        sides.clear();
        for protocol_index in 0..self.protocols.len() {
            let mut function_ids = std::mem::take(&mut self.scratch.function_ids);
            function_ids.clear();
            function_ids.extend(answers.iter().map(|answer| {
                self.group_answers
                    .get(*answer)
                    .get(protocol_index)
                    .copied()
                    .unwrap_or(UNSET)
            }));
            // Protocols share few functions, so each protocol's side is memoized on its own.
            let key = scope_key(default_allows, &function_ids).map(|key| (key, protocol_index));
            let known = key.and_then(|key| self.function_memo.get(&key).copied());
            let side = match known {
                Some(side) => side,
                None => {
                    let functions: Vec<&[(u16, u16, u16)]> = function_ids
                        .iter()
                        .map(|function| self.functions.get(*function))
                        .collect();
                    let scratch = &mut self.scratch;
                    merge_functions(
                        &functions,
                        default_allows,
                        &mut scratch.points,
                        &mut scratch.ranges,
                    );
                    let side = self.side_sets.intern(&self.scratch.ranges);
                    if let Some(key) = key {
                        self.function_memo.insert(key, side);
                    }
                    side
                }
            };
            self.scratch.function_ids = function_ids;
            sides.push(side);
        }
        let id = self.side_answers.intern(&sides);
        self.scratch.sides = sides;
        match key {
            Some(key) => {
                self.scope_memo.insert(key, id);
            }
            None => {
                let mut long = answers.to_vec();
                long.push(u32::from(default_allows));
                self.scope_memo_long.insert(long, id);
            }
        }
        id
    }

    /// What a side answer allows: 1 every port of every protocol, 2 nothing, 0 something else.
    fn answer_kind(&mut self, answer: u32) -> u8 {
        while self.answer_kinds.len() < self.side_answers.len() {
            let sets = self.side_answers.get(self.answer_kinds.len() as u32);
            let kind = if sets.iter().all(|set| *set == FULL_SET) {
                1
            } else if sets.iter().all(|set| *set == EMPTY_SET) {
                2
            } else {
                0
            };
            self.answer_kinds.push(kind);
        }
        self.answer_kinds.get(answer as usize).copied().unwrap_or(0)
    }

    /// [`Builder::combine`], without a look-up when a side allows nothing, and through dense
    /// tables (`tables`, by the other side's answer) when a side allows everything, which
    /// covers most pairs.
    fn combine_fast(
        &mut self,
        egress: u32,
        ingress: u32,
        leaves_vpc: bool,
        tables: &mut [Vec<u32>; 4],
    ) -> u32 {
        let (egress_kind, ingress_kind) = (self.answer_kind(egress), self.answer_kind(ingress));
        if egress_kind == 2 || ingress_kind == 2 {
            return 0;
        }
        let (table, other) = match (egress_kind, ingress_kind) {
            (1, _) => (usize::from(leaves_vpc), ingress),
            (_, 1) => (2 + usize::from(leaves_vpc), egress),
            _ => return self.combine(egress, ingress, leaves_vpc),
        };
        let known = tables[table].get(other as usize).copied().unwrap_or(UNSET);
        if known != UNSET {
            return known;
        }
        let combo = self.combine(egress, ingress, leaves_vpc);
        let table = &mut tables[table];
        if table.len() <= other as usize {
            table.resize(other as usize + 1, UNSET);
        }
        table[other as usize] = combo;
        combo
    }

    /// The cell answer (a port-set id per protocol) of a pair's two side answers, without port
    /// 25 when the platform blocks it.
    fn combine(&mut self, egress: u32, ingress: u32, leaves_vpc: bool) -> u32 {
        let key = (u64::from(egress) << 33) | (u64::from(ingress) << 1) | u64::from(leaves_vpc);
        if let Some(id) = self.combo_memo.get(&key) {
            return *id;
        }
        let mut sets = std::mem::take(&mut self.scratch.sides);
        sets.clear();
        for protocol_index in 0..self.protocols.len() {
            let protocol = self.protocols[protocol_index];
            let side = |answers: &Interner<u32>, answer: u32| {
                answers
                    .get(answer)
                    .get(protocol_index)
                    .copied()
                    .unwrap_or(EMPTY_SET)
            };
            let egress_set = side(&self.side_answers, egress);
            let ingress_set = side(&self.side_answers, ingress);
            let smtp = rules::smtp_blocked(leaves_vpc, protocol, Some(25));
            let key =
                (u64::from(egress_set) << 33) | (u64::from(ingress_set) << 1) | u64::from(smtp);
            let set = match self.intersections.get(&key) {
                Some(set) => *set,
                None => {
                    let mut ranges = intersect(
                        self.side_sets.get(egress_set),
                        self.side_sets.get(ingress_set),
                    );
                    if smtp {
                        ranges = remove_port(ranges, 25);
                    }
                    let set = self.intern_port_set(ranges);
                    self.intersections.insert(key, set);
                    set
                }
            };
            sets.push(set);
        }
        let id = self.combos.intern(&sets);
        self.scratch.sides = sets;
        self.combo_memo.insert(key, id);
        id
    }
}

/// The memo key of a side with up to three groups: the default, the count and the answers.
fn scope_key(default_allows: bool, answers: &[u32]) -> Option<u128> {
    if answers.len() > 3 {
        return None;
    }
    let mut key = u128::from(default_allows) | ((answers.len() as u128) << 1);
    for (at, id) in answers.iter().enumerate() {
        key |= u128::from(*id) << (3 + 32 * at);
    }
    Some(key)
}

fn or_into(target: &mut [u64], bits: &[u64]) {
    for (word, add) in target.iter_mut().zip(bits) {
        *word |= add;
    }
}

/// Whether two sorted lists share an element.
fn sorted_intersect(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// First-match sweep of one group's rules for one protocol and one set of matched rules: the
/// rank of the deciding rule per range of ports (into `scratch.keyed`), ranges without a
/// matching rule left out.
fn sweep_keys(
    pool: &KeyPool,
    rules: &[&crate::model::Rule],
    matched: &[u64],
    scratch: &mut Scratch,
) {
    let Scratch {
        owner, next, keyed, ..
    } = scratch;
    let intervals = pool.points.len().saturating_sub(1);
    owner.clear();
    owner.resize(intervals, NO_KEY);
    next.clear();
    next.extend(0..=intervals);
    let mut unclaimed = intervals;
    'rules: for (word_index, word) in matched.iter().enumerate() {
        let mut bits = word & pool.active.get(word_index).copied().unwrap_or(0);
        while bits != 0 {
            let position = word_index * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let (first, stop) = pool.spans[position];
            let key = rule_key(rules[position]);
            let mut at = find(next, first as usize);
            while at < stop as usize {
                owner[at] = key;
                unclaimed -= 1;
                next[at] = at + 1;
                at = find(next, at + 1);
            }
            if unclaimed == 0 {
                break 'rules;
            }
        }
    }
    keyed.clear();
    for (index, key) in owner.iter().enumerate() {
        if *key == NO_KEY {
            continue;
        }
        // Boundaries lie in 1..=65536, so these conversions hold.
        let start = u16::try_from(pool.points[index]).unwrap_or(u16::MAX);
        let end = u16::try_from(pool.points[index + 1] - 1).unwrap_or(u16::MAX);
        match keyed.last_mut() {
            Some(last) if last.2 == *key && u32::from(last.1) + 1 == u32::from(start) => {
                last.1 = end
            }
            _ => keyed.push((start, end, *key)),
        }
    }
}

/// The allowed ranges of a side whose groups' first matches are `functions`: port by port, the
/// best-ranked match decides (odd ranks accept), the default where none matches.
fn merge_functions(
    functions: &[&[(u16, u16, u16)]],
    default_allows: bool,
    points: &mut Vec<u32>,
    out: &mut Vec<(u16, u16)>,
) {
    out.clear();
    points.clear();
    points.extend([1, 65536]);
    for function in functions {
        for (start, end, _) in function.iter() {
            points.push(u32::from(*start));
            points.push(u32::from(*end) + 1);
        }
    }
    points.sort_unstable();
    points.dedup();
    let mut cursors = [0usize; 16];
    let mut long_cursors = Vec::new();
    let cursors: &mut [usize] = if functions.len() <= cursors.len() {
        &mut cursors[..functions.len()]
    } else {
        long_cursors.resize(functions.len(), 0);
        &mut long_cursors
    };
    for window in points.windows(2) {
        let (start, stop) = (window[0], window[1]);
        if start > 65535 {
            break;
        }
        let mut best = NO_KEY;
        for (function, cursor) in functions.iter().zip(cursors.iter_mut()) {
            while *cursor < function.len() && u32::from(function[*cursor].1) < start {
                *cursor += 1;
            }
            if let Some((first, _, key)) = function.get(*cursor) {
                if u32::from(*first) <= start {
                    best = best.min(*key);
                }
            }
        }
        let allows = if best == NO_KEY {
            default_allows
        } else {
            best % 2 == 1
        };
        if allows {
            let start = u16::try_from(start).unwrap_or(u16::MAX);
            let end = u16::try_from(stop - 1).unwrap_or(u16::MAX);
            match out.last_mut() {
                Some(last) if u32::from(last.1) + 1 == u32::from(start) => last.1 = end,
                _ => out.push((start, end)),
            }
        }
    }
}

/// Union-find lookup with path halving.
fn find(next: &mut [usize], mut at: usize) -> usize {
    while next[at] != at {
        next[at] = next[next[at]];
        at = next[at];
    }
    at
}

/// The intersection of two sorted lists of disjoint ranges.
fn intersect(a: &[(u16, u16)], b: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        let start = a[i].0.max(b[j].0);
        let end = a[i].1.min(b[j].1);
        if start <= end {
            out.push((start, end));
        }
        if a[i].1 <= b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// The ranges without one port.
fn remove_port(ranges: Vec<(u16, u16)>, port: u16) -> Vec<(u16, u16)> {
    let mut out = Vec::with_capacity(ranges.len() + 1);
    for (start, end) in ranges {
        if start <= port && port <= end {
            if start < port {
                out.push((start, port - 1));
            }
            if port < end {
                out.push((port + 1, end));
            }
        } else {
            out.push((start, end));
        }
    }
    out
}
