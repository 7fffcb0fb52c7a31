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
//! - a side's answer depends on its *scope* (the rules of one set of groups in one direction)
//!   and on the peer's address, the peer's groups and the ENI's own address *projected* on the
//!   blocks and groups that scope's rules mention; two peers that the scope cannot tell apart
//!   share one answer;
//! - each scope is compiled once per protocol into rule spans over its elementary port
//!   intervals, with a bitset of satisfied rules per block, group and local CIDR, so a side is
//!   one first-match sweep over the matched rules, stopping as soon as every port is decided.
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
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use crate::eval::route::{self, Actor, AddressRole, FamilyKey, Route, Routed};
use crate::eval::rules::{self, EniKind};
use crate::model::{
    Direction, EndpointId, GroupId, GroupType, InnerAccessPolicy, Peer, Policy, PortRange,
    Protocol, Topology, Verdict, VpcId,
};

/// The protocols of [`matrix`]: TCP, UDP and ICMP.
pub const DEFAULT_PROTOCOLS: [Protocol; 3] = [Protocol::Tcp, Protocol::Udp, Protocol::Icmp];

/// The allowed ports of every ordered pair of distinct endpoints, stored by endpoint class.
///
/// Build it with [`matrix`] or [`matrix_with`]; read it with [`Matrix::cell`] or
/// [`Matrix::cells`]. It serializes to its compact form: `endpoints` (sorted ids),
/// `protocols`, `class_of` (the class of each endpoint), `class_count`, `port_sets` (the
/// distinct allowed-range lists; id 0 is the empty set), `cells` (the port-set id of
/// `(from_class * class_count + to_class) * protocols + protocol`), and `local_pairs`
/// (endpoint index pairs that no group filters: every port allowed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Matrix {
    endpoints: Vec<EndpointId>,
    protocols: Vec<Protocol>,
    class_of: Vec<u32>,
    class_count: usize,
    port_sets: Vec<Vec<PortRange>>,
    cells: Vec<u32>,
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
        let at = (from_class as usize * self.class_count + to_class as usize)
            * self.protocols.len()
            + protocol_index;
        self.cells.get(at).copied().unwrap_or(EMPTY_SET)
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
    for (pair, (old, new)) in previous_matrix
        .cells
        .chunks(protocol_count.max(1))
        .zip(matrix.cells.chunks(protocol_count.max(1)))
        .enumerate()
    {
        let same = old
            .iter()
            .zip(new)
            .all(|(old, new)| renumber.get(*old as usize) == Some(new));
        if same {
            continue;
        }
        let (from_class, to_class) = (pair / matrix.class_count, pair % matrix.class_count);
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
    /// Per protocol, (port-set id, pairs).
    contributions: Vec<Vec<(u32, u64)>>,
    merged: Vec<(u32, u64)>,
    events: Vec<(u32, i64)>,
}

impl GroupScratch {
    fn new(protocols: usize) -> GroupScratch {
        GroupScratch {
            contributions: vec![Vec::new(); protocols],
            merged: Vec::new(),
            events: Vec::new(),
        }
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
        let protocol_count = matrix.protocols.len();
        for &(from_class, from_count) in &self.class_counts[from] {
            let row = from_class as usize * matrix.class_count;
            for &(to_class, to_count) in &self.class_counts[to] {
                let base = (row + to_class as usize) * protocol_count;
                let sets = matrix.cells.get(base..base + protocol_count).unwrap_or(&[]);
                if sets.iter().all(|set| *set == EMPTY_SET) {
                    continue;
                }
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
                for (contributions, set) in scratch.contributions.iter_mut().zip(sets) {
                    if *set != EMPTY_SET {
                        contributions.push((*set, count));
                    }
                }
            }
        }
        for (protocol_index, protocol) in matrix.protocols.iter().enumerate() {
            let contributions = &mut scratch.contributions[protocol_index];
            if let Some(list) = local_pairs {
                contributions.push((FULL_SET, list.len() as u64));
            }
            if contributions.is_empty() {
                continue;
            }
            // Pairs with the same port set add up before the sweep.
            contributions.sort_unstable();
            let merged = &mut scratch.merged;
            merged.clear();
            for &(set, count) in contributions.iter() {
                match merged.last_mut() {
                    Some(last) if last.0 == set => last.1 += count,
                    _ => merged.push((set, count)),
                }
            }
            contributions.clear();
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

/// A small, fast, deterministic hasher for the builder's integer keys (FxHash). Hash maps
/// built with it are only looked up, never iterated, so their order never reaches the output.
#[derive(Clone, Copy, Default)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, value: u64) {
        self.0 = (self.0.rotate_left(5) ^ value).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    fn write_u16(&mut self, value: u16) {
        self.add(u64::from(value));
    }

    fn write_u32(&mut self, value: u32) {
        self.add(u64::from(value));
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn write_isize(&mut self, value: isize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// A memo keyed by two small ids: a dense table when it fits in 4M cells, a hash map
/// otherwise.
enum Table {
    Dense { columns: usize, cells: Vec<u32> },
    Sparse(FastMap<(u32, u32), u32>),
}

/// The value of a dense cell not yet computed.
const UNSET: u32 = u32::MAX - 1;

impl Table {
    fn new(rows: usize, columns: usize) -> Table {
        match rows.checked_mul(columns) {
            Some(size) if size <= 1 << 22 => Table::Dense {
                columns,
                cells: vec![UNSET; size],
            },
            _ => Table::Sparse(FastMap::default()),
        }
    }

    fn get(&self, row: u32, column: u32) -> Option<u32> {
        match self {
            Table::Dense { columns, cells } => {
                if column as usize >= *columns {
                    return None;
                }
                cells
                    .get(row as usize * columns + column as usize)
                    .copied()
                    .filter(|value| *value != UNSET)
            }
            Table::Sparse(map) => map.get(&(row, column)).copied(),
        }
    }

    fn insert(&mut self, row: u32, column: u32, value: u32) {
        match self {
            Table::Dense { columns, cells } => {
                if (column as usize) < *columns {
                    if let Some(cell) = cells.get_mut(row as usize * *columns + column as usize) {
                        *cell = value;
                    }
                }
            }
            Table::Sparse(map) => {
                map.insert((row, column), value);
            }
        }
    }
}

/// A set of rule positions in a pool.
type RuleBits = Vec<u64>;

fn or_into(target: &mut [u64], bits: &[u64]) {
    for (word, add) in target.iter_mut().zip(bits) {
        *word |= add;
    }
}

/// The rules of a set of groups in one direction (a scope), for one protocol, compiled for
/// fast first-match sweeps: rules whose protocol or source ports can never match are left out;
/// each remaining rule is a span of the pool's elementary port intervals, and each block,
/// group and local CIDR the rules mention maps to the set of rules it satisfies.
#[derive(Default)]
struct Pool {
    /// Interval boundaries: interval `i` is `points[i]..points[i + 1]`.
    points: Vec<u32>,
    /// Per rule, in evaluation order: its first interval and the one after its last.
    spans: Vec<(u32, u32)>,
    accepts: Vec<bool>,
    /// The rules a peer inside a block satisfies (CIDR peers and prefix-list entries).
    by_block: FastMap<u32, RuleBits>,
    /// The rules a peer in a group satisfies.
    by_group: FastMap<u32, RuleBits>,
    /// The rules without a local CIDR.
    local_free: RuleBits,
    /// The rules whose local CIDR is a given block.
    by_local: FastMap<u32, RuleBits>,
    default_allows: bool,
}

/// The blocks and groups that the rules of one set of groups in one direction mention.
struct Scope<'t> {
    group_set: u32,
    direction: Direction,
    /// The pooled rules in evaluation order, pooled once for every protocol.
    entries: Vec<rules::Pooled<'t>>,
    /// Blocks of CIDR peers and prefix-list entries, sorted.
    blocks: Vec<u32>,
    /// Referenced groups, sorted.
    groups: Vec<u32>,
    /// Local CIDRs of quintuple rules, sorted.
    locals: Vec<u32>,
}

/// Which projection [`Builder::project`] makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Projection {
    /// The peer's address class on the scope's blocks.
    Peer,
    /// The peer's groups on the scope's referenced groups.
    Groups,
    /// The ENI's address class on the scope's local CIDRs.
    Local,
}

/// The projection id of "no address" or "group references cannot match".
const NOTHING: u32 = u32::MAX;

/// The inputs id of a side that does not filter.
const UNFILTERED: u32 = u32::MAX;

/// What one side's answer depends on, besides the protocol: a scope, and the peer's address,
/// the peer's groups and the ENI's address projected on what the scope's rules mention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
struct SideInputs {
    scope: u32,
    peer: u32,
    peer_groups: u32,
    local: u32,
}

struct Builder<'t> {
    topology: &'t Topology,
    nets: NetIndex,
    group_index: BTreeMap<&'t GroupId, u32>,
    address_classes: FastMap<Vec<u32>, u32>,
    address_sets: Vec<Vec<u32>>,
    group_sets: FastMap<Vec<u32>, u32>,
    group_set_members: Vec<Vec<u32>>,
    group_set_kinds: Vec<EniKind>,
    scopes: Vec<Scope<'t>>,
    /// Buffers of [`sweep_pool`], reused from one sweep to the next.
    scratch: Scratch,
    scope_ids: FastMap<(u32, Direction), u32>,
    projections: FastMap<Vec<u32>, u32>,
    projection_list: Vec<Vec<u32>>,
    peer_projections: Table,
    group_projections: Table,
    local_projections: Table,
    pools: FastMap<(u32, Protocol), Pool>,
    sides: FastMap<(u32, Protocol), u32>,
    input_ids: FastMap<SideInputs, u32>,
    input_list: Vec<SideInputs>,
    pairs: FastMap<(Option<SideInputs>, Option<SideInputs>, bool), usize>,
    /// Per group set, its basic groups with InnerAccessPolicy Accept, sorted.
    accept_groups: Vec<Vec<u32>>,
    pair_sets: Vec<u32>,
    side_sets: Vec<Vec<(u16, u16)>>,
    side_set_ids: FastMap<Vec<(u16, u16)>, u32>,
    combined: FastMap<u64, u32>,
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
            address_classes: FastMap::default(),
            address_sets: Vec::new(),
            group_sets: FastMap::default(),
            group_set_members: Vec::new(),
            group_set_kinds: Vec::new(),
            scopes: Vec::new(),
            scratch: Scratch::default(),
            scope_ids: FastMap::default(),
            projections: FastMap::default(),
            projection_list: Vec::new(),
            peer_projections: Table::new(0, 0),
            group_projections: Table::new(0, 0),
            local_projections: Table::new(0, 0),
            pools: FastMap::default(),
            sides: FastMap::default(),
            input_ids: FastMap::default(),
            input_list: Vec::new(),
            pairs: FastMap::default(),
            accept_groups: Vec::new(),
            pair_sets: Vec::new(),
            side_sets: Vec::new(),
            side_set_ids: FastMap::default(),
            combined: FastMap::default(),
            port_sets: FastMap::default(),
            port_set_list: Vec::new(),
        };
        // Ids 0 and 1 of port sets and of side sets are nothing and everything.
        for ranges in [Vec::new(), vec![(1, 65535)]] {
            builder.intern_port_set(ranges.clone());
            builder.intern_side_set(ranges);
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

    fn intern_side_set(&mut self, ranges: Vec<(u16, u16)>) -> u32 {
        if let Some(id) = self.side_set_ids.get(&ranges) {
            return *id;
        }
        let id = self.side_sets.len() as u32;
        self.side_set_ids.insert(ranges.clone(), id);
        self.side_sets.push(ranges);
        id
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
        self.group_set_kinds
            .push(rules::eni_kind(self.topology, groups));
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
        let mut slot_protocols: [Option<Protocol>; 3] = [None; 3];
        for protocol in &protocols {
            slot_protocols[family_slot(*protocol)].get_or_insert(*protocol);
        }
        let mut routes: FastMap<(u32, u32), [Option<RouteSummary>; 3]> = FastMap::default();

        // Scopes are made when a pair first needs them (after an edit, most pairs do not),
        // but there are at most two per group set, so the projection memos can be dense tables.
        let mut scope_of: Vec<[Option<u32>; 2]> = vec![[None; 2]; class_count];
        let scope_count = 2 * self.group_set_members.len();
        self.peer_projections = Table::new(scope_count, self.address_sets.len());
        self.group_projections = Table::new(scope_count, self.group_set_members.len());
        self.local_projections = Table::new(scope_count, self.address_sets.len());

        let protocol_count = protocols.len();
        // With an earlier matrix over the same classes, only the pairs of classes whose
        // source's egress rules or target's ingress rules changed are evaluated again.
        let reuse = reuse.filter(|reuse| {
            reuse.matrix.protocols == protocols
                && reuse.matrix.endpoints == endpoints
                && reuse.matrix.class_count == class_count
                && reuse.matrix.class_of == class_of
                && reuse.matrix.cells.len() == class_count * class_count * protocol_count
        });
        let (mut cells, affected) = match &reuse {
            Some(reuse) => {
                // Port-set ids stay those of the earlier matrix.
                for ranges in reuse.matrix.port_sets.iter().skip(2) {
                    self.intern_port_set(ranges.iter().map(|r| (r.start(), r.end())).collect());
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
            None => (
                vec![EMPTY_SET; class_count * class_count * protocol_count],
                None,
            ),
        };
        for from_class in 0..class_count {
            for to_class in 0..class_count {
                if from_class == to_class && members[to_class].len() < 2 {
                    continue;
                }
                if let Some(affected) = &affected {
                    if !affected[from_class][0] && !affected[to_class][1] {
                        continue;
                    }
                    let base = (from_class * class_count + to_class) * protocol_count;
                    cells[base..base + protocol_count].fill(EMPTY_SET);
                }
                let key = (routing_of[from_class], routing_of[to_class]);
                let summaries = *routes.entry(key).or_insert_with(|| {
                    let from = &actors[routing_representative[key.0 as usize]];
                    let to = &actors[routing_representative[key.1 as usize]];
                    slot_protocols.map(|protocol| {
                        let protocol = protocol?;
                        match route::route_through_enis(topology, from, to, protocol) {
                            Route::Routed(routed) => Some(RouteSummary::of(&routed)),
                            Route::Local { .. } | Route::Unreachable { .. } => None,
                        }
                    })
                });
                let from = &signatures[from_class];
                let to = &signatures[to_class];
                let base = (from_class * class_count + to_class) * protocol_count;
                // The projected inputs of both sides, per slot, shared by its protocols.
                // Per slot, the offset in `pair_sets` of the answers for every protocol.
                let mut offsets: [Option<usize>; 3] = [None; 3];
                for (protocol_index, protocol) in protocols.iter().enumerate() {
                    let slot = family_slot(*protocol);
                    let Some(summary) = summaries[slot] else {
                        continue;
                    };
                    let offset = match offsets[slot] {
                        Some(offset) => offset,
                        None => {
                            let same = (0..slot).find(|other| {
                                summaries[*other] == Some(summary) && offsets[*other].is_some()
                            });
                            let offset = match same.and_then(|other| offsets[other]) {
                                Some(offset) => offset,
                                None => {
                                    let from_scope =
                                        *scope_of[from_class][0].get_or_insert_with(|| {
                                            self.scope(from.group_set, Direction::Egress)
                                        });
                                    let to_scope =
                                        *scope_of[to_class][1].get_or_insert_with(|| {
                                            self.scope(to.group_set, Direction::Ingress)
                                        });
                                    let (egress, ingress) = self.side_inputs(
                                        &summary,
                                        (from, from_scope),
                                        (to, to_scope),
                                    );
                                    self.pair(egress, ingress, summary.leaves_vpc, &protocols)
                                }
                            };
                            offsets[slot] = Some(offset);
                            offset
                        }
                    };
                    cells[base + protocol_index] = self.pair_sets[offset + protocol_index];
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
        if affected.is_some() {
            self.drop_unused_port_sets(&mut cells);
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
            local_pairs,
        }
    }

    /// The projected inputs of the egress and ingress sides of a routed pair of classes;
    /// `None` for a side that does not filter (outside every VPC, or intra-group access).
    fn side_inputs(
        &mut self,
        route: &RouteSummary,
        (from, from_egress): (&Signature<'t>, u32),
        (to, to_ingress): (&Signature<'t>, u32),
    ) -> (Option<SideInputs>, Option<SideInputs>) {
        // Intra-group access (reference §3 step 1), as `route` decides it: private traffic
        // between ENIs that share a basic group whose InnerAccessPolicy is Accept.
        let intra_group = route.same_vpc
            && from.eni_addressed
            && to.eni_addressed
            && sorted_intersect(
                &self.accept_groups[from.group_set as usize],
                &self.accept_groups[to.group_set as usize],
            );
        if intra_group {
            return (None, None);
        }
        let egress = route.egress.map(|peer_groups| {
            self.inputs(
                from_egress,
                from.private(route.family),
                to.address(route.to_role),
                peer_groups.then_some(to.group_set),
            )
        });
        let ingress = route.ingress.map(|peer_groups| {
            self.inputs(
                to_ingress,
                to.private(route.family),
                from.address(route.from_role),
                peer_groups.then_some(from.group_set),
            )
        });
        (egress, ingress)
    }

    fn inputs(
        &mut self,
        scope: u32,
        local: Option<u32>,
        peer: Option<u32>,
        peer_groups: Option<u32>,
    ) -> SideInputs {
        SideInputs {
            scope,
            peer: peer.map_or(NOTHING, |peer| self.project(scope, peer, Projection::Peer)),
            peer_groups: peer_groups
                .map_or(NOTHING, |set| self.project(scope, set, Projection::Groups)),
            local: local.map_or(NOTHING, |local| {
                self.project(scope, local, Projection::Local)
            }),
        }
    }

    /// The port-set id of what both sides allow, without port 25 when the platform blocks it.
    fn combine(&mut self, egress: u32, ingress: u32, smtp: bool) -> u32 {
        let key = (u64::from(egress) << 33) | (u64::from(ingress) << 1) | u64::from(smtp);
        if let Some(id) = self.combined.get(&key) {
            return *id;
        }
        let mut ranges = intersect(
            &self.side_sets[egress as usize],
            &self.side_sets[ingress as usize],
        );
        if smtp {
            ranges = remove_port(ranges, 25);
        }
        let id = self.intern_port_set(ranges);
        self.combined.insert(key, id);
        id
    }

    /// The scope of a set of groups in one direction.
    fn scope(&mut self, group_set: u32, direction: Direction) -> u32 {
        if let Some(id) = self.scope_ids.get(&(group_set, direction)) {
            return *id;
        }
        let groups = self.groups_of(group_set);
        let mut scope = Scope {
            group_set,
            direction,
            entries: rules::pool(self.topology, &groups, direction),
            blocks: Vec::new(),
            groups: Vec::new(),
            locals: Vec::new(),
        };
        for entry in &scope.entries {
            match &entry.rule.peer {
                Peer::Cidr(block) => scope.blocks.extend(self.nets.id(*block)),
                Peer::Group { id, .. } => scope.groups.extend(self.group_index.get(id).copied()),
                Peer::PrefixList(id) => {
                    if let Some(list) = self.topology.prefix_lists.get(id) {
                        scope
                            .blocks
                            .extend(list.cidrs.iter().filter_map(|block| self.nets.id(*block)));
                    }
                }
            }
            if let Some(block) = entry.rule.local_cidr {
                scope.locals.extend(self.nets.id(block));
            }
        }
        for list in [&mut scope.blocks, &mut scope.groups, &mut scope.locals] {
            list.sort_unstable();
            list.dedup();
        }
        let id = self.scopes.len() as u32;
        self.scopes.push(scope);
        self.scope_ids.insert((group_set, direction), id);
        id
    }

    /// An address class or a group set projected on what a scope's rules mention, interned.
    fn project(&mut self, scope: u32, value: u32, what: Projection) -> u32 {
        let memo = match what {
            Projection::Peer => &self.peer_projections,
            Projection::Groups => &self.group_projections,
            Projection::Local => &self.local_projections,
        };
        if let Some(id) = memo.get(scope, value) {
            return id;
        }
        let source = match what {
            Projection::Peer | Projection::Local => self.address_sets.get(value as usize),
            Projection::Groups => self.group_set_members.get(value as usize),
        };
        let mentioned = self.scopes.get(scope as usize).map(|scope| match what {
            Projection::Peer => &scope.blocks,
            Projection::Groups => &scope.groups,
            Projection::Local => &scope.locals,
        });
        let projected: Vec<u32> = match (source, mentioned) {
            (Some(source), Some(mentioned)) => source
                .iter()
                .copied()
                .filter(|id| mentioned.binary_search(id).is_ok())
                .collect(),
            _ => Vec::new(),
        };
        let next = self.projection_list.len() as u32;
        let id = *self.projections.entry(projected.clone()).or_insert(next);
        if id == next {
            self.projection_list.push(projected);
        }
        let memo = match what {
            Projection::Peer => &mut self.peer_projections,
            Projection::Groups => &mut self.group_projections,
            Projection::Local => &mut self.local_projections,
        };
        memo.insert(scope, value, id);
        id
    }

    /// The groups of a group set, by id.
    fn groups_of(&self, group_set: u32) -> Vec<&'t GroupId> {
        let members = self.group_set_members.get(group_set as usize);
        self.topology
            .groups
            .keys()
            .enumerate()
            .filter(|(index, _)| {
                members.is_some_and(|members| members.binary_search(&(*index as u32)).is_ok())
            })
            .map(|(_, id)| id)
            .collect()
    }

    /// The id (in `side_sets`) of the ranges one side allows.
    fn side(&mut self, inputs: SideInputs, protocol: Protocol) -> u32 {
        if !self.pools.contains_key(&(inputs.scope, protocol)) {
            let pool = self.compile(inputs.scope, protocol);
            self.pools.insert((inputs.scope, protocol), pool);
        }
        let allowed = match self.pools.get(&(inputs.scope, protocol)) {
            Some(pool) => sweep_pool(
                pool,
                self.projection_list.get(inputs.peer as usize),
                self.projection_list.get(inputs.peer_groups as usize),
                self.projection_list.get(inputs.local as usize),
                &mut self.scratch,
            ),
            None => Vec::new(),
        };
        self.intern_side_set(allowed)
    }

    /// The id of one side's inputs; [`UNFILTERED`] for a side that does not filter.
    fn intern_inputs(&mut self, inputs: Option<SideInputs>) -> u32 {
        let Some(inputs) = inputs else {
            return UNFILTERED;
        };
        if let Some(id) = self.input_ids.get(&inputs) {
            return *id;
        }
        let id = self.input_list.len() as u32;
        self.input_ids.insert(inputs, id);
        self.input_list.push(inputs);
        id
    }

    /// The offset in `pair_sets` of the port-set ids, one per protocol, of a pair of side
    /// inputs.
    fn pair(
        &mut self,
        egress: Option<SideInputs>,
        ingress: Option<SideInputs>,
        leaves_vpc: bool,
        protocols: &[Protocol],
    ) -> usize {
        let key = (egress, ingress, leaves_vpc);
        if let Some(offset) = self.pairs.get(&key) {
            return *offset;
        }
        let egress = self.intern_inputs(egress);
        let ingress = self.intern_inputs(ingress);
        let offset = self.pair_sets.len();
        for protocol in protocols {
            let egress = self.side_set(egress, *protocol);
            let ingress = self.side_set(ingress, *protocol);
            let smtp = rules::smtp_blocked(leaves_vpc, *protocol, Some(25));
            let set = self.combine(egress, ingress, smtp);
            self.pair_sets.push(set);
        }
        self.pairs.insert(key, offset);
        offset
    }

    /// The side-set id of interned inputs for one protocol.
    fn side_set(&mut self, inputs: u32, protocol: Protocol) -> u32 {
        let Some(found) = self.input_list.get(inputs as usize).copied() else {
            return FULL_SET;
        };
        if let Some(id) = self.sides.get(&(inputs, protocol)) {
            return *id;
        }
        let id = self.side(found, protocol);
        self.sides.insert((inputs, protocol), id);
        id
    }

    /// Compiles the rules of a scope for one protocol.
    fn compile(&self, scope: u32, protocol: Protocol) -> Pool {
        let Some(scope) = self.scopes.get(scope as usize) else {
            return Pool::default();
        };
        let (group_set, direction) = (scope.group_set, scope.direction);
        let entries: Vec<&rules::Pooled<'t>> = scope
            .entries
            .iter()
            .filter(|entry| {
                rules::protocol_matches(entry.rule.protocol, protocol)
                    && rules::source_ports_match(entry.rule)
            })
            .collect();
        let ranges: Vec<(u16, u16)> = entries
            .iter()
            .map(|entry| rules::effective_range(entry.rule, protocol))
            .collect();
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
        let words = entries.len().div_ceil(64);
        let mut pool = Pool {
            points,
            spans,
            accepts: entries
                .iter()
                .map(|entry| entry.rule.policy == Policy::Accept)
                .collect(),
            by_block: FastMap::default(),
            by_group: FastMap::default(),
            local_free: vec![0; words],
            by_local: FastMap::default(),
            default_allows: rules::default_decision(
                self.group_set_kinds
                    .get(group_set as usize)
                    .copied()
                    .unwrap_or(EniKind::NoGroup),
                direction,
            )
            .verdict()
                == Verdict::Allow,
        };
        let set = |map: &mut FastMap<u32, RuleBits>, key: u32, position: usize| {
            map.entry(key).or_insert_with(|| vec![0; words])[position / 64] |= 1 << (position % 64);
        };
        for (position, entry) in entries.iter().enumerate() {
            match &entry.rule.peer {
                Peer::Cidr(block) => {
                    if let Some(id) = self.nets.id(*block) {
                        set(&mut pool.by_block, id, position);
                    }
                }
                Peer::Group { id, .. } => {
                    if let Some(index) = self.group_index.get(id) {
                        set(&mut pool.by_group, *index, position);
                    }
                }
                Peer::PrefixList(id) => {
                    for block in self
                        .topology
                        .prefix_lists
                        .get(id)
                        .map(|list| list.cidrs.as_slice())
                        .unwrap_or_default()
                    {
                        if let Some(id) = self.nets.id(*block) {
                            set(&mut pool.by_block, id, position);
                        }
                    }
                }
            }
            match entry.rule.local_cidr {
                None => pool.local_free[position / 64] |= 1 << (position % 64),
                Some(block) => {
                    if let Some(id) = self.nets.id(block) {
                        set(&mut pool.by_local, id, position);
                    }
                }
            }
        }
        pool
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

/// The buffers of [`sweep_pool`], kept by the builder so that a sweep allocates only its
/// result.
#[derive(Default)]
struct Scratch {
    matched: Vec<u64>,
    local_ok: Vec<u64>,
    owner: Vec<Option<bool>>,
    next: Vec<usize>,
}

/// First-match sweep of a compiled pool for one peer: the allowed ranges, merged.
fn sweep_pool(
    pool: &Pool,
    peer: Option<&Vec<u32>>,
    peer_groups: Option<&Vec<u32>>,
    local: Option<&Vec<u32>>,
    scratch: &mut Scratch,
) -> Vec<(u16, u16)> {
    let words = pool.local_free.len();
    let Scratch {
        matched,
        local_ok,
        owner,
        next,
    } = scratch;
    matched.clear();
    matched.resize(words, 0);
    for block in peer.into_iter().flatten() {
        if let Some(bits) = pool.by_block.get(block) {
            or_into(matched, bits);
        }
    }
    for group in peer_groups.into_iter().flatten() {
        if let Some(bits) = pool.by_group.get(group) {
            or_into(matched, bits);
        }
    }
    local_ok.clear();
    local_ok.extend_from_slice(&pool.local_free);
    for block in local.into_iter().flatten() {
        if let Some(bits) = pool.by_local.get(block) {
            or_into(local_ok, bits);
        }
    }
    let intervals = pool.points.len().saturating_sub(1);
    owner.clear();
    owner.resize(intervals, None);
    next.clear();
    next.extend(0..=intervals);
    let mut unclaimed = intervals;
    'rules: for (word_index, word) in matched.iter().enumerate() {
        let mut bits = word & local_ok[word_index];
        while bits != 0 {
            let position = word_index * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let (first, stop) = pool.spans[position];
            let accept = pool.accepts[position];
            let mut at = find(next, first as usize);
            while at < stop as usize {
                owner[at] = Some(accept);
                unclaimed -= 1;
                next[at] = at + 1;
                at = find(next, at + 1);
            }
            if unclaimed == 0 {
                break 'rules;
            }
        }
    }
    let mut allowed: Vec<(u16, u16)> = Vec::new();
    for (index, decision) in owner.iter().enumerate() {
        if decision.unwrap_or(pool.default_allows) {
            // Boundaries lie in 1..=65536, so these conversions hold.
            let start = u16::try_from(pool.points[index]).unwrap_or(u16::MAX);
            let end = u16::try_from(pool.points[index + 1] - 1).unwrap_or(u16::MAX);
            match allowed.last_mut() {
                Some(last) if u32::from(last.1) + 1 == u32::from(start) => last.1 = end,
                _ => allowed.push((start, end)),
            }
        }
    }
    allowed
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
