//! Exact, priority-aware analysis of which packets each rule decides.
//!
//! For every ENI class (a set of groups in a VPC that some ENI carries) and direction, the
//! rules are pooled in the engine's evaluation order ([`rules::evaluation_order`]). The packets
//! a rule can match form a product: protocol x destination port x peer. The analysis cuts that
//! space into cells that no rule boundary crosses: ports into elementary intervals between the
//! rules' port boundaries, peers into elementary address intervals between the rules' CIDR
//! boundaries (IPv4 and IPv6 apart), plus the current members of referenced groups and the
//! external networks of the topology. Inside one cell a rule matches all packets or none, so a
//! first-match walk over the cells is exact; it never enumerates ports or addresses.
//!
//! Peers come in three kinds, because the engine matches them differently:
//!
//! - an **address** that carries no group identity (the internet, an office, a Flannel pod IP,
//!   any address no ENI of the VPC owns): matched by CIDR and prefix-list rules;
//! - a **member**: the private address of an ENI of the same VPC together with that ENI's
//!   groups: matched by CIDR and prefix-list rules on the address and by group rules on the
//!   groups. Group peers are therefore compared through the groups' **current members**;
//! - a **network**: an external endpoint that stands for a whole block, which a CIDR rule
//!   matches only when it contains all of the block.
//!
//! Quintuple fields are not cut into cells: a rule with a source-port range or a local CIDR
//! matches only part of any cell, so it may decide packets of a cell but never covers one. This
//! keeps "never decides" sound for every source port and local address.
//!
//! # How it stays fast
//!
//! Every fact is a union over cells (a rule decides *somewhere*, is decided before *somewhere*,
//! would be replaced the other way *somewhere*), so cells that tell the same story need to be
//! told once. The analysis never looks at a cell alone:
//!
//! - A peer cell is its **signature**: the bitset of the side's pooled rules (in evaluation
//!   order) that match it. Per side (class and direction) the address line is swept once, from
//!   per-group event lists ranked and sorted for the whole topology; members and networks read
//!   their signatures from it. An address that only members own (every ENI using it is a member
//!   that a protocol's group rules name) is left out of that protocol's address cells, exactly
//!   as the cell-by-cell analysis (`reference.rs`, the tests' oracle) does.
//! - Only a cell's **head** can decide: its rules up to its second rule that matches all of it
//!   on every port (or its first, once every such rule up to it is known to decide differently
//!   from its replacement). Cells are kept once per head, with the union of their rules.
//! - Per protocol, a head's **chain** in a port window (the matching rules up to the second
//!   that matches all of the cell) can change only where one of its rules starts or ends; a
//!   chain is recorded once per run of windows that keep it, and the rules matched after the
//!   deciders once per run of windows that keep the deciders, from two prefix bitsets (the
//!   rules covering a window or an earlier one, or a later one).
//! - Rules are numbered in group order; what each rule collects (the rules deciding before it,
//!   the rules deciding without it) is a bitset row over the groups that share a class with its
//!   group.

use std::collections::{BTreeMap, BTreeSet};
use std::hash::Hasher;
use std::net::IpAddr;

use ipnet::IpNet;
use rustc_hash::{FxHashMap, FxHashSet, FxHasher};

use crate::eval::route::Actor;
use crate::eval::rules::{self, Pooled};
use crate::model::{
    Direction, EndpointId, EndpointKind, GroupId, Peer, Policy, PortRange, PrefixListId, Protocol,
    Rule, SecurityGroup, Topology, Verdict, VpcId,
};

/// A rule's number: the rules of the topology counted in group order, then by index, so that
/// sorting numbers sorts rules by group and index.
pub(crate) type RuleNumber = u32;

/// What the analysis found about one rule, over every ENI class that carries its group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RuleFacts {
    /// Whether some ENI class carries the rule's group.
    pub carried: bool,
    /// Whether the rule decides some packet on some ENI class.
    pub decides: bool,
    /// Rules earlier in evaluation order that decide packets the rule matches, sorted.
    pub earlier: Vec<RuleNumber>,
    /// Whether every packet the rule decides would be decided the same way without it.
    pub same_without: bool,
    /// The later rules that would decide those packets without it, sorted (only meaningful
    /// when `same_without`).
    pub takeover: Vec<RuleNumber>,
    /// The default that would decide some of those packets without it (only meaningful when
    /// `same_without`).
    pub default_takeover: Option<Verdict>,
    /// TCP/UDP ports on which the rule decides packets from or to non-member peers: sorted,
    /// disjoint ranges that do not touch.
    pub decided_ports: Vec<(u16, u16)>,
}

/// The facts of every rule of a topology.
#[derive(Clone, Debug)]
pub(crate) struct Facts<'t> {
    /// The group, index and rule of each rule number.
    keys: Vec<(&'t GroupId, usize, &'t Rule)>,
    /// The number of the first rule of each group.
    first: BTreeMap<&'t GroupId, RuleNumber>,
    /// The facts of each rule number.
    rules: Vec<RuleFacts>,
}

impl<'t> Facts<'t> {
    /// Numbers the rules of a topology, with empty facts.
    pub(crate) fn numbered(topology: &'t Topology) -> Facts<'t> {
        let mut keys = Vec::new();
        let mut first = BTreeMap::new();
        for (id, group) in &topology.groups {
            first.insert(id, keys.len() as RuleNumber);
            keys.extend(
                group
                    .rules
                    .iter()
                    .enumerate()
                    .map(|(index, rule)| (id, index, rule)),
            );
        }
        let rules = vec![RuleFacts::default(); keys.len()];
        Facts { keys, first, rules }
    }

    /// The number of rule 0 of `group` (rule `index` is `index` more); a group that does not
    /// exist has no rules, so its numbers are those of no rule.
    pub(crate) fn first_number(&self, group: &GroupId) -> RuleNumber {
        self.first
            .get(group)
            .copied()
            .unwrap_or(self.keys.len() as RuleNumber)
    }

    /// The facts of a rule whose group some ENI class carries.
    pub(crate) fn get(&self, number: RuleNumber) -> Option<&RuleFacts> {
        self.rules
            .get(number as usize)
            .filter(|facts| facts.carried)
    }

    /// The facts of a rule, carried or not, to fill in.
    pub(crate) fn get_mut(&mut self, number: RuleNumber) -> Option<&mut RuleFacts> {
        self.rules.get_mut(number as usize)
    }

    /// The group, index and rule of a rule number.
    pub(crate) fn key(&self, number: RuleNumber) -> (&'t GroupId, usize, &'t Rule) {
        self.keys[number as usize]
    }

    /// How many rules the topology holds.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

/// An ENI class: the groups of a filtering ENI and its VPC.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct EniClass<'t> {
    /// The groups, sorted, without repeats.
    pub groups: Vec<&'t GroupId>,
    /// The VPC.
    pub vpc: Option<&'t VpcId>,
}

/// The protocols a query can ask about; a rule for `all` is analysed on each.
const PROTOCOL_ATOMS: [Protocol; 6] = [
    Protocol::Tcp,
    Protocol::Udp,
    Protocol::Icmp,
    Protocol::Icmpv6,
    Protocol::Gre,
    Protocol::All,
];

/// An address as a point of its family's line (IPv4 in the low 32 bits).
type Point = (bool, u128);

/// An address interval of one family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Interval {
    v6: bool,
    start: u128,
    end: u128,
}

fn family_max(v6: bool) -> u128 {
    if v6 {
        u128::MAX
    } else {
        u128::from(u32::MAX)
    }
}

fn address_value(address: IpAddr) -> Point {
    match address {
        IpAddr::V4(v4) => (false, u128::from(u32::from(v4))),
        IpAddr::V6(v6) => (true, u128::from(v6)),
    }
}

fn interval_of(net: &IpNet) -> Interval {
    let (v6, start) = address_value(net.network());
    let (_, end) = address_value(net.broadcast());
    Interval { v6, start, end }
}

// ---------------------------------------------------------------------------------------------
// What the whole topology shares

/// The peer of a rule, interned.
#[derive(Clone, Copy)]
enum PeerRef {
    /// A group, by its interned number.
    Group(u32),
    /// A set of address blocks (a CIDR or a prefix list), by its interned number.
    Blocks(u32),
}

/// The blocks of a CIDR or prefix-list peer.
struct BlockSet {
    /// Where the union of the blocks starts and ends, as ranks of [`Index::points`], sorted:
    /// `(rank, true)` where an interval of the union starts, `(rank, false)` just after one
    /// ends.
    events: Vec<(u32, bool)>,
    /// The external networks that some block contains entirely.
    networks: Vec<u32>,
}

/// The address events of one group's rules of one direction, for sweeping the address
/// line of a pool of groups without sorting.
#[derive(Default)]
struct GroupSweep {
    /// The group's rules (indexes) naming each of its distinct block sets.
    rules_of_slot: Vec<Vec<u32>>,
    /// `rank << 32 | slot << 1 | opens`, sorted.
    events: Vec<u64>,
    /// For TCP and UDP, `port << 32 | rule << 1 | opens` where a rule's ports start and just
    /// after they end, sorted.
    ports: [Vec<u64>; 2],
}

impl GroupSweep {
    /// The events of a group's rules of one direction; `set_of` gives the block set of a
    /// peer.
    fn new(
        group: &SecurityGroup,
        direction: Direction,
        set_of: &impl Fn(&Peer) -> Option<u32>,
        block_sets: &[BlockSet],
    ) -> GroupSweep {
        let mut sweep = GroupSweep::default();
        let mut slots: FxHashMap<u32, u32> = FxHashMap::default();
        for (rule_index, rule) in group.rules.iter().enumerate() {
            let Some(set) = set_of(&rule.peer).filter(|_| rule.direction == direction) else {
                continue;
            };
            let next = slots.len() as u32;
            let slot = *slots.entry(set).or_insert(next);
            if slot == next {
                sweep.rules_of_slot.push(Vec::new());
                sweep
                    .events
                    .extend(
                        block_sets[set as usize]
                            .events
                            .iter()
                            .map(|&(rank, opens)| {
                                u64::from(rank) << 32 | u64::from(slot) << 1 | u64::from(opens)
                            }),
                    );
            }
            sweep.rules_of_slot[slot as usize].push(rule_index as u32);
        }
        sweep.events.sort_unstable();
        for (ports, atom) in sweep.ports.iter_mut().zip([Protocol::Tcp, Protocol::Udp]) {
            for (rule_index, rule) in group.rules.iter().enumerate() {
                if rule.direction == direction && rules::protocol_matches(rule.protocol, atom) {
                    let (start, end) = rules::effective_range(rule, atom);
                    let rule_index = rule_index as u64;
                    ports.push(u64::from(start) << 32 | rule_index << 1 | 1);
                    ports.push((u64::from(end) + 1) << 32 | rule_index << 1);
                }
            }
            ports.sort_unstable();
        }
        sweep
    }
}

/// The union of blocks as sorted intervals that neither overlap nor touch.
fn union_of(blocks: &[IpNet]) -> Vec<Interval> {
    let mut blocks: Vec<Interval> = blocks.iter().map(interval_of).collect();
    crate::sort::sort(&mut blocks);
    let mut union: Vec<Interval> = Vec::with_capacity(blocks.len());
    for block in blocks {
        match union.last_mut() {
            Some(last)
                if last.v6 == block.v6
                    && (last.end == family_max(last.v6) || block.start <= last.end + 1) =>
            {
                last.end = last.end.max(block.end);
            }
            _ => union.push(block),
        }
    }
    union
}

/// The topology's rules, peers and parties as numbers.
struct Index<'t> {
    /// The interned peer of each rule number.
    peers: Vec<PeerRef>,
    /// Groups by id, for group peers and ENI memberships (ids of missing groups included).
    groups: FxHashMap<&'t GroupId, u32>,
    /// Each group's position in the topology's group order.
    group_order: FxHashMap<&'t GroupId, u32>,
    /// The number of the first rule of each group in group order, then the number of rules.
    first_of_order: Vec<RuleNumber>,
    /// The block sets of CIDR and prefix-list peers.
    block_sets: Vec<BlockSet>,
    /// Every point where a block set's union starts or ends, and the start of each family,
    /// sorted.
    points: Vec<Point>,
    /// The rank of the first IPv6 address in `points`.
    first_v6: u32,
    /// Per group order, the address events of its ingress and of its egress rules.
    sweeps: Vec<[GroupSweep; 2]>,
    /// How many external networks (blocks wider than one address) the topology has.
    networks: usize,
    /// Hosts (the nodes ENIs run on) by id.
    hosts: FxHashMap<&'t EndpointId, u32>,
}

impl<'t> Index<'t> {
    fn new(topology: &'t Topology, facts: &Facts<'t>) -> Index<'t> {
        let mut groups: FxHashMap<&GroupId, u32> = FxHashMap::default();
        let mut group_order: FxHashMap<&GroupId, u32> = FxHashMap::default();
        let mut first_of_order: Vec<RuleNumber> = Vec::with_capacity(topology.groups.len() + 1);
        for (order, id) in topology.groups.keys().enumerate() {
            groups.insert(id, order as u32);
            group_order.insert(id, order as u32);
            first_of_order.push(facts.first[id]);
        }
        first_of_order.push(facts.len() as RuleNumber);
        let networks: BTreeSet<IpNet> =
            crate::sort::set_of(topology.endpoints.values().filter_map(|endpoint| {
                match &endpoint.kind {
                    EndpointKind::External { cidr }
                        if cidr.prefix_len() < cidr.max_prefix_len() =>
                    {
                        Some(cidr.trunc())
                    }
                    _ => None,
                }
            }));
        let mut block_sets: Vec<BlockSet> = Vec::new();
        let mut unions: Vec<Vec<Interval>> = Vec::new();
        let mut by_cidr: FxHashMap<IpNet, u32> = FxHashMap::default();
        let mut by_list: FxHashMap<&PrefixListId, u32> = FxHashMap::default();
        let mut new_set = |blocks: &[IpNet]| -> u32 {
            let networks = networks
                .iter()
                .enumerate()
                .filter(|(_, network)| blocks.iter().any(|block| block.contains(*network)))
                .map(|(at, _)| at as u32)
                .collect();
            unions.push(union_of(blocks));
            block_sets.push(BlockSet {
                events: Vec::new(),
                networks,
            });
            (block_sets.len() - 1) as u32
        };
        let mut peers = Vec::with_capacity(facts.len());
        for number in 0..facts.len() {
            let (_, _, rule) = facts.key(number as RuleNumber);
            let peer = &rule.peer;
            peers.push(match peer {
                Peer::Group { id, .. } => {
                    let next = groups.len() as u32;
                    PeerRef::Group(*groups.entry(id).or_insert(next))
                }
                Peer::Cidr(block) => PeerRef::Blocks(match by_cidr.get(block) {
                    Some(&set) => set,
                    None => {
                        let set = new_set(std::slice::from_ref(block));
                        by_cidr.insert(*block, set);
                        set
                    }
                }),
                Peer::PrefixList(id) => PeerRef::Blocks(match by_list.get(id) {
                    Some(&set) => set,
                    None => {
                        let blocks = topology
                            .prefix_lists
                            .get(id)
                            .map_or(&[][..], |list| &list.cidrs[..]);
                        let set = new_set(blocks);
                        by_list.insert(id, set);
                        set
                    }
                }),
            });
        }
        // Rank the points where block sets start and end, so that a sweep sorts nothing.
        let mut points: Vec<Point> = vec![(false, 0), (true, 0)];
        for union in &unions {
            for block in union {
                points.push((block.v6, block.start));
                if block.end < family_max(block.v6) {
                    points.push((block.v6, block.end + 1));
                }
            }
        }
        crate::sort::sort(&mut points);
        points.dedup();
        let rank = |point: Point| points.partition_point(|&other| other < point) as u32;
        for (set, union) in block_sets.iter_mut().zip(&unions) {
            for block in union {
                set.events.push((rank((block.v6, block.start)), true));
                if block.end < family_max(block.v6) {
                    set.events.push((rank((block.v6, block.end + 1)), false));
                }
            }
        }
        let set_of = |peer: &Peer| match peer {
            Peer::Cidr(block) => by_cidr.get(block).copied(),
            Peer::PrefixList(id) => by_list.get(id).copied(),
            Peer::Group { .. } => None,
        };
        let sweeps: Vec<[GroupSweep; 2]> = topology
            .groups
            .values()
            .map(|group| {
                [Direction::Ingress, Direction::Egress]
                    .map(|direction| GroupSweep::new(group, direction, &set_of, &block_sets))
            })
            .collect();
        let first_v6 = rank((true, 0));
        Index {
            peers,
            groups,
            group_order,
            first_of_order,
            block_sets,
            points,
            first_v6,
            sweeps,
            networks: networks.len(),
            hosts: FxHashMap::default(),
        }
    }

    /// The rank of the last point at or before an address.
    fn rank_of(&self, point: Point) -> u32 {
        (self.points.partition_point(|&other| other <= point) - 1) as u32
    }

    /// The interval from the point of `rank` to just before the point of `next` (or to the end
    /// of its family).
    fn interval(&self, rank: u32, next: Option<u32>) -> Interval {
        let (v6, start) = self.points[rank as usize];
        let end = match next.map(|next| self.points[next as usize]) {
            Some((next_v6, next_start)) if next_v6 == v6 => next_start - 1,
            _ => family_max(v6),
        };
        Interval { v6, start, end }
    }

    fn group(&mut self, id: &'t GroupId) -> u32 {
        let next = self.groups.len() as u32;
        *self.groups.entry(id).or_insert(next)
    }

    fn host(&mut self, id: &'t EndpointId) -> u32 {
        let next = self.hosts.len() as u32;
        *self.hosts.entry(id).or_insert(next)
    }
}

/// The nodes that the ENIs of each class run on: traffic between a member and an ENI on the
/// member's own node never crosses a filter.
type ClassHosts<'t> = BTreeMap<EniClass<'t>, BTreeSet<u32>>;

/// Every ENI class of the topology with the nodes its ENIs run on: the primary and secondary
/// ENIs of ECS instances and gateway nodes, and the ENIs of Terway trunk pods (Flannel and
/// Terway-shared pods use their node's ENI).
fn class_hosts<'t>(topology: &'t Topology, index: &mut Index<'t>) -> ClassHosts<'t> {
    let mut classes: ClassHosts<'t> = BTreeMap::new();
    for endpoint in topology.endpoints.values() {
        let actor = Actor::of_endpoint(topology, endpoint);
        let host = index.host(actor.host_node.unwrap_or(&endpoint.id));
        for eni in &endpoint.enis {
            let mut groups: Vec<&GroupId> = eni.groups.iter().collect();
            crate::sort::sort(&mut groups);
            groups.dedup();
            if !groups.is_empty() {
                classes
                    .entry(EniClass {
                        groups,
                        vpc: actor.vpc,
                    })
                    .or_default()
                    .insert(host);
            }
        }
    }
    classes
}

/// A peer of one VPC that carries a group identity: a private address of an ENI with the
/// groups of that ENI.
struct Member {
    point: Point,
    /// The rank in [`Index::points`] of the last point at or before the address.
    rank: u32,
    groups: Vec<u32>,
    host: u32,
    /// Whether the address also reaches ENIs without a group identity.
    anonymous: bool,
    /// Whether another member uses the address too.
    shared: bool,
}

/// The peers of one VPC that carry a group identity.
struct Members {
    /// The members, by rank.
    members: Vec<Member>,
    /// The members of each group.
    by_group: FxHashMap<u32, Vec<u32>>,
    /// How many members use each address that more than one member uses.
    shared_by: FxHashMap<Point, u32>,
}

fn members_of<'t>(topology: &'t Topology, vpc: Option<&VpcId>, index: &mut Index<'t>) -> Members {
    let mut members = Vec::new();
    let mut anonymous = FxHashSet::default();
    for endpoint in topology.endpoints.values() {
        let actor = Actor::of_endpoint(topology, endpoint);
        if let Some(address) = endpoint.public_ip {
            anonymous.insert(address_value(address));
        }
        if let Some(cidr) = actor.external {
            if cidr.prefix_len() == cidr.max_prefix_len() {
                anonymous.insert(address_value(cidr.addr()));
            }
        }
        if actor.vpc.is_none() || actor.vpc != vpc {
            continue;
        }
        let host = index.host(actor.host_node.unwrap_or(&endpoint.id));
        for address in &actor.private_ips {
            if actor.eni_addressed && !actor.groups.is_empty() {
                let groups = actor
                    .groups
                    .iter()
                    .map(|group| index.group(group))
                    .collect();
                let point = address_value(*address);
                members.push(Member {
                    point,
                    rank: index.rank_of(point),
                    groups,
                    host,
                    anonymous: false,
                    shared: false,
                });
            } else {
                anonymous.insert(address_value(*address));
            }
        }
    }
    crate::sort::sort_by_key(&mut members, |member| member.rank);
    let mut by_group: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    let mut users: FxHashMap<Point, u32> = FxHashMap::default();
    for (at, member) in members.iter().enumerate() {
        for &group in &member.groups {
            by_group.entry(group).or_default().push(at as u32);
        }
        *users.entry(member.point).or_default() += 1;
    }
    users.retain(|_, count| *count > 1);
    for member in &mut members {
        member.anonymous = anonymous.contains(&member.point);
        member.shared = users.contains_key(&member.point);
    }
    Members {
        members,
        by_group,
        shared_by: users,
    }
}

/// Analyses every rule of the topology.
pub(crate) fn analyse(topology: &Topology) -> Facts<'_> {
    let mut facts = Facts::numbered(topology);
    let mut index = Index::new(topology, &facts);
    let classes = class_hosts(topology, &mut index);
    let mut partners: Vec<Vec<u32>> = vec![Vec::new(); topology.groups.len()];
    for class in classes.keys() {
        let orders: Vec<u32> = class
            .groups
            .iter()
            .filter_map(|group| index.group_order.get(group).copied())
            .collect();
        for &order in &orders {
            partners[order as usize].extend_from_slice(&orders);
        }
    }
    for partners in &mut partners {
        crate::sort::sort(partners);
        partners.dedup();
    }
    let layout = RowLayout::new(partners, &index.first_of_order);
    let mut totals = Totals::new(facts.len(), layout);
    let mut members_by_vpc: BTreeMap<Option<&VpcId>, Members> = BTreeMap::new();
    let mut work = Work::default();
    for (class, hosts) in classes {
        let members = members_by_vpc
            .entry(class.vpc)
            .or_insert_with(|| members_of(topology, class.vpc, &mut index));
        let hosts: Vec<u32> = hosts.into_iter().collect();
        for direction in [Direction::Ingress, Direction::Egress] {
            work.analyse_side(
                topology,
                &index,
                &class,
                &hosts,
                direction,
                members,
                &mut totals,
            );
        }
    }
    totals.finish(&index, &mut facts);
    facts
}

// ---------------------------------------------------------------------------------------------
// What the classes add up to

/// Where each rule's sets of rules live: one bitset row per rule, over the rules of the
/// groups that share an ENI class with its group (its own included), which are the only rules
/// that can decide before it or in its stead.
struct RowLayout {
    /// Per group order: the groups sharing a class with it, sorted, each with where its bits
    /// start in a row (in words).
    partners: Vec<Vec<(u32, usize)>>,
    /// Per group order: the words of a row, and where the group's first row starts.
    rows: Vec<(usize, usize)>,
    /// The words of all rows.
    words: usize,
}

impl RowLayout {
    /// The layout for groups sharing classes as `partners` says (per group order, sorted).
    fn new(partners: Vec<Vec<u32>>, first_of_order: &[RuleNumber]) -> RowLayout {
        let size = |order: u32| {
            let order = order as usize;
            (first_of_order[order + 1] - first_of_order[order]) as usize
        };
        let mut words = 0;
        let mut rows = Vec::with_capacity(partners.len());
        let partners: Vec<Vec<(u32, usize)>> = partners
            .into_iter()
            .enumerate()
            .map(|(order, partners)| {
                let mut row = 0;
                let placed: Vec<(u32, usize)> = partners
                    .into_iter()
                    .map(|partner| {
                        let at = row;
                        row += size(partner).div_ceil(64);
                        (partner, at)
                    })
                    .collect();
                rows.push((row, words));
                words += row * size(order as u32);
                placed
            })
            .collect();
        RowLayout {
            partners,
            rows,
            words,
        }
    }

    /// Where the bits of `partner`'s rules start in a row of `group`'s rules.
    fn offset(&self, group: u32, partner: u32) -> usize {
        let partners = &self.partners[group as usize];
        let at = partners.partition_point(|&(other, _)| other < partner);
        partners.get(at).map_or(0, |&(_, offset)| offset)
    }

    /// Where the row of rule `index` of `group` starts.
    fn row(&self, group: u32, index: usize) -> usize {
        let (words, first) = self.rows[group as usize];
        first + index * words
    }

    /// The rules of a row, as sorted rule numbers.
    fn numbers(
        &self,
        words: &[u64],
        group: u32,
        index: usize,
        first_of_order: &[RuleNumber],
    ) -> Vec<RuleNumber> {
        let row = self.row(group, index);
        let mut numbers = Vec::new();
        for &(partner, offset) in &self.partners[group as usize] {
            let first = first_of_order[partner as usize];
            let count = (first_of_order[partner as usize + 1] - first) as usize;
            let start = row + offset;
            for (word_at, &word) in words[start..start + count.div_ceil(64)].iter().enumerate() {
                let mut bits = word;
                while bits != 0 {
                    numbers.push(first + (word_at * 64) as u32 + bits.trailing_zeros());
                    bits &= bits - 1;
                }
            }
        }
        numbers
    }
}

/// The facts of every rule, added up over the classes.
struct Totals {
    carried: Vec<bool>,
    decides: Vec<bool>,
    differs: Vec<bool>,
    default_takeover: Vec<Option<Verdict>>,
    /// The ports each rule decides on some side, as the sides found them.
    decided_ports: Vec<Vec<(u16, u16)>>,
    layout: RowLayout,
    /// The rules before each rule that decide packets it matches, in its row.
    earlier: Vec<u64>,
    /// The rules that would decide each rule's packets without it, in its row.
    takeover: Vec<u64>,
}

impl Totals {
    fn new(rules: usize, layout: RowLayout) -> Totals {
        Totals {
            carried: vec![false; rules],
            decides: vec![false; rules],
            differs: vec![false; rules],
            default_takeover: vec![None; rules],
            decided_ports: vec![Vec::new(); rules],
            earlier: vec![0; layout.words],
            takeover: vec![0; layout.words],
            layout,
        }
    }

    fn finish(self, index: &Index<'_>, facts: &mut Facts<'_>) {
        let first_of_order = &index.first_of_order;
        let mut group = 0;
        for number in 0..facts.len() {
            while first_of_order[group as usize + 1] as usize <= number {
                group += 1;
            }
            if !self.carried[number] {
                continue;
            }
            let rule_index = number - first_of_order[group as usize] as usize;
            let numbers = |words: &[u64]| {
                self.layout
                    .numbers(words, group, rule_index, first_of_order)
            };
            let same_without = !self.differs[number];
            let fact = RuleFacts {
                carried: true,
                decides: self.decides[number],
                earlier: numbers(&self.earlier),
                same_without,
                takeover: if same_without {
                    numbers(&self.takeover)
                } else {
                    Vec::new()
                },
                default_takeover: self.default_takeover[number].filter(|_| same_without),
                decided_ports: merged_ranges(&self.decided_ports[number]),
            };
            if let Some(slot) = facts.get_mut(number as RuleNumber) {
                *slot = fact;
            }
        }
    }
}

/// Port ranges as sorted, disjoint ranges that do not touch.
fn merged_ranges(ranges: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut packed: Vec<u32> = ranges
        .iter()
        .map(|&(start, end)| u32::from(start) << 16 | u32::from(end))
        .collect();
    packed.sort_unstable();
    let mut merged: Vec<(u16, u16)> = Vec::new();
    for range in packed {
        let (start, end) = ((range >> 16) as u16, range as u16);
        match merged.last_mut() {
            Some(last) if u32::from(start) <= u32::from(last.1) + 1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Adds a port range to a list sorted by start, merging it with the last range when they touch.
fn push_range(ranges: &mut Vec<(u16, u16)>, range: (u16, u16)) {
    if let Some(last) = ranges.last_mut() {
        if u32::from(last.1) + 1 >= u32::from(range.0) && range.0 >= last.0 {
            last.1 = last.1.max(range.1);
            return;
        }
    }
    ranges.push(range);
}

// ---------------------------------------------------------------------------------------------
// Bitsets over the pooled rules of one side, in evaluation order

/// The (word, mask) pairs that select bits `from..to`.
fn word_masks(from: usize, to: usize) -> impl Iterator<Item = (usize, u64)> {
    let (first, last) = if from < to {
        (from / 64, (to - 1) / 64 + 1)
    } else {
        (0, 0)
    };
    (first..last).map(move |word| {
        let mut mask = u64::MAX;
        if word == from / 64 {
            mask &= u64::MAX << (from % 64);
        }
        if word == (to - 1) / 64 {
            mask &= u64::MAX >> (63 - (to - 1) % 64);
        }
        (word, mask)
    })
}

/// The first and last words of bits `from..to` (not empty), with the masks of their bits.
fn span(from: usize, to: usize) -> (usize, usize, u64, u64) {
    (
        from / 64,
        (to - 1) / 64,
        u64::MAX << (from % 64),
        u64::MAX >> (63 - (to - 1) % 64),
    )
}

/// Whether `a` and `b` share a bit in `from..to`.
fn common_in(a: &[u64], b: &[u64], from: usize, to: usize) -> bool {
    if from >= to {
        return false;
    }
    let (first, last, head, tail) = span(from, to);
    if first == last {
        return a[first] & b[first] & head & tail != 0;
    }
    a[first] & b[first] & head != 0
        || (first + 1..last).any(|word| a[word] & b[word] != 0)
        || a[last] & b[last] & tail != 0
}

/// Whether `a` has a bit in `from..to`.
fn any_in(a: &[u64], from: usize, to: usize) -> bool {
    if from >= to {
        return false;
    }
    let (first, last, head, tail) = span(from, to);
    if first == last {
        return a[first] & head & tail != 0;
    }
    a[first] & head != 0 || a[first + 1..last].iter().any(|&word| word != 0) || a[last] & tail != 0
}

/// Adds the bits `from..to` of `source` to `target`.
fn or_in(target: &mut [u64], source: &[u64], from: usize, to: usize) {
    if from >= to {
        return;
    }
    let (first, last, head, tail) = span(from, to);
    if first == last {
        target[first] |= source[first] & head & tail;
        return;
    }
    target[first] |= source[first] & head;
    for (out, &word) in target[first + 1..last]
        .iter_mut()
        .zip(&source[first + 1..last])
    {
        *out |= word;
    }
    target[last] |= source[last] & tail;
}

fn and_into(target: &mut [u64], a: &[u64], b: &[u64]) -> bool {
    let mut any = 0;
    for ((out, x), y) in target.iter_mut().zip(a).zip(b) {
        *out = x & y;
        any |= *out;
    }
    any != 0
}

/// Whether two bitsets of one width are equal (short ones: no call to `memcmp`).
fn same_words(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).fold(0, |differ, (x, y)| differ | (x ^ y)) == 0
}

/// Whether two short lists of rules are equal.
fn same_rules(a: &[u32], b: &[u32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

fn set_bit(words: &mut [u64], bit: usize) {
    words[bit / 64] |= 1 << (bit % 64);
}

fn has_bit(words: &[u64], bit: usize) -> bool {
    words[bit / 64] & (1 << (bit % 64)) != 0
}

/// Distinct signatures of one width, stored flat, in insertion order.
#[derive(Default)]
struct Signatures {
    width: usize,
    words: Vec<u64>,
    /// The last signature stored with each hash.
    by_hash: FxHashMap<u64, u32>,
    /// The signature stored before each one with the same hash.
    previous: Vec<u32>,
}

impl Signatures {
    const NONE: u32 = u32::MAX;

    fn clear(&mut self, width: usize) {
        self.width = width;
        self.words.clear();
        self.by_hash.clear();
        self.previous.clear();
    }

    fn len(&self) -> usize {
        self.previous.len()
    }

    fn get(&self, at: usize) -> &[u64] {
        &self.words[at * self.width..(at + 1) * self.width]
    }

    /// Stores a signature unless it is there already; says where it is and whether it is new.
    fn insert(&mut self, signature: &[u64]) -> (usize, bool) {
        let mut hasher = FxHasher::default();
        for &word in signature {
            hasher.write_u64(word);
        }
        let hash = hasher.finish();
        let width = self.width;
        let new = self.previous.len() as u32;
        let last = self.by_hash.entry(hash).or_insert(Self::NONE);
        let mut at = *last;
        while at != Self::NONE {
            let start = at as usize * width;
            if same_words(&self.words[start..start + width], signature) {
                return (at as usize, false);
            }
            at = self.previous[at as usize];
        }
        self.previous.push(*last);
        *last = new;
        self.words.extend_from_slice(signature);
        (new as usize, true)
    }
}

/// Peer cells by *head*: the rules of a cell up to its second rule that matches all of it on
/// every port (its second rule in `full`), or up to the first one when every rule up to it
/// that matches all of the cell is known to decide differently from its replacement somewhere
/// (chains then stop at their first such rule). Only those rules can decide, or follow a
/// decider in a chain, so cells with the same head decide alike in every window: they are kept
/// once, with the union of their rules (for the rules that come after the deciders) and
/// whether one of them is an address or network cell (whose decided ports count).
#[derive(Default)]
struct Cells {
    heads: Signatures,
    tails: Vec<u64>,
    tracks: Vec<bool>,
    head: Vec<u64>,
}

impl Cells {
    fn clear(&mut self, width: usize) {
        self.heads.clear(width);
        self.tails.clear();
        self.tracks.clear();
        self.head.clear();
        self.head.resize(width, 0);
    }

    fn len(&self) -> usize {
        self.heads.len()
    }

    fn head(&self, at: usize) -> &[u64] {
        self.heads.get(at)
    }

    fn tail(&self, at: usize) -> &[u64] {
        let width = self.heads.width;
        &self.tails[at * width..(at + 1) * width]
    }

    /// Adds a cell matched by the rules of `signature`, with `full` the rules that match all of
    /// a cell on every port and `undecided` the rules that match all of a cell and are not yet
    /// known to decide differently from their replacement.
    fn add(&mut self, signature: &[u64], full: &[u64], undecided: &[u64], track_ports: bool) {
        let width = self.heads.width;
        // The word of the last rule of the head, and the mask of the bits up to it.
        let mut cut = (width, u64::MAX);
        let mut seen = 0;
        let mut undecided_seen = 0;
        for (word, ((&bits, &full), &undecided)) in
            signature.iter().zip(full).zip(undecided).enumerate()
        {
            let fulls = bits & full;
            if seen == 0 && fulls != 0 {
                let first = fulls.trailing_zeros();
                let upto = u64::MAX >> (63 - first);
                if undecided_seen == 0 && bits & undecided & upto == 0 {
                    cut = (word, upto);
                    break;
                }
            }
            undecided_seen |= bits & undecided;
            let count = fulls.count_ones();
            if seen + count >= 2 {
                let second = if seen == 1 {
                    fulls
                } else {
                    fulls & (fulls - 1)
                };
                cut = (word, u64::MAX >> (63 - second.trailing_zeros()));
                break;
            }
            seen += count;
        }
        for (word, (out, &bits)) in self.head.iter_mut().zip(signature).enumerate() {
            *out = match word.cmp(&cut.0) {
                std::cmp::Ordering::Less => bits,
                std::cmp::Ordering::Equal => bits & cut.1,
                std::cmp::Ordering::Greater => 0,
            };
        }
        let (at, new) = self.heads.insert(&self.head);
        if new {
            self.tails.extend_from_slice(signature);
            self.tracks.push(track_ports);
        } else {
            for (tail, &word) in self.tails[at * width..(at + 1) * width]
                .iter_mut()
                .zip(signature)
            {
                *tail |= word;
            }
            self.tracks[at] |= track_ports;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One class and direction

/// A pooled rule: its number, its index in its group, and its group's place in the class.
#[derive(Clone, Copy)]
struct PoolEntry {
    number: RuleNumber,
    index: usize,
    slot: usize,
}

/// A group of the class being analysed.
#[derive(Clone, Copy)]
struct ClassGroup {
    /// Its place in the topology's group order.
    order: u32,
    /// Where the pooled positions of its rules start in `Work::positions`.
    positions: usize,
}

/// What one side (class and direction) finds about each of its pooled rules, and the buffers
/// reused from one side to the next.
#[derive(Default)]
struct Work {
    /// The pooled rules, in evaluation order.
    pooled: Vec<PoolEntry>,
    /// The pooled rules' sort keys.
    order_keys: Vec<u64>,
    /// The groups of the class that exist.
    class_groups: Vec<ClassGroup>,
    /// Per group of the class, the pooled position of each of its rules of the side's
    /// direction.
    positions: Vec<u32>,
    /// Per pair of groups of the class, where the second's rules start in a row of the
    /// first's.
    partner_offsets: Vec<usize>,
    /// Words per bitset over the pooled rules.
    width: usize,
    whole: Vec<u64>,
    allow: Vec<u64>,
    deny: Vec<u64>,
    group_peers: Vec<u64>,
    /// Per protocol atom, the pooled rules of that protocol.
    protocols: Vec<u64>,
    default_allows: bool,

    decides: Vec<bool>,
    differs: Vec<bool>,
    default_takeover: Vec<bool>,
    /// Per pooled rule, a bitset of the pooled rules before it that decide its packets.
    earlier: Vec<u64>,
    /// Per pooled rule, a bitset of the rules that match packets it decides after it.
    later: Vec<u64>,
    /// Per pooled rule, a bitset of the rules that decide its packets without it.
    takeover: Vec<u64>,
    ports: Vec<Vec<(u16, u16)>>,

    // Peer cells.
    /// Per group of the class, the next of its address events.
    cursors: Vec<usize>,
    /// The elementary address intervals of the side, with the rank where each starts.
    intervals: Vec<Interval>,
    interval_ranks: Vec<u32>,
    interval_signatures: Vec<u64>,
    /// Per interned group, its offset in `group_signatures` if the side's rules name it.
    group_slots: Vec<u32>,
    /// The groups the side's rules name.
    named_groups: Vec<u32>,
    group_signatures: Vec<u64>,
    /// The members of the VPC that the side's group rules name.
    seen: Vec<u64>,
    /// The members of the groups the side's rules name, by rank.
    relevant: Vec<u32>,
    relevant_interval: Vec<u32>,
    /// Per relevant member, the slots of its named groups (all ones when a slot is past 63).
    relevant_kinds: Vec<u64>,
    /// The (interval, named groups) of the members made cells so far.
    member_kinds: FxHashSet<(u32, u64)>,
    relevant_signatures: Vec<u64>,
    candidates: Vec<u32>,
    shared_seen: FxHashMap<Point, u32>,
    counted: FxHashSet<Point>,
    current: Vec<u64>,
    /// The fragile intervals' relevant members: `interval << 32 | member`, sorted.
    fragile: Vec<u64>,
    /// The side's peer cells (but fragile intervals) by the head they have on every protocol:
    /// their rules up to the second rule of protocol `all` that matches all of them on every
    /// port, which is full on every protocol.
    side_cells: Cells,
    network_signatures: Vec<u64>,

    // Per protocol.
    /// `port << 32 | rule << 1 | opens`, sorted.
    port_events: Vec<u64>,
    cover: Vec<u64>,
    /// The port windows that some rule covers.
    windows: Vec<(u16, u16)>,
    /// Per window, the rules covering it.
    window_cover: Vec<u64>,
    /// Per rule, the first and last windows it covers.
    rule_windows: Vec<(u32, u32)>,
    /// Per window, the rules covering it or an earlier window.
    started_by: Vec<u64>,
    /// Per window, the rules covering it or a later window.
    ends_from: Vec<u64>,
    /// The rules that match all of a cell on every port of the protocol.
    full: Vec<u64>,
    /// The rules that match all of a cell on every port of every protocol.
    full_everywhere: Vec<u64>,
    /// The rules that match all of a cell and are not yet known to decide differently from
    /// their replacement somewhere.
    undecided: Vec<u64>,
    /// The windows where a cell's chain may change.
    changes: Vec<u64>,
    /// The protocol's peer cells by head.
    atom_cells: Cells,
    cell: Vec<u64>,
    chain: Vec<u32>,
    next_chain: Vec<u32>,
    deciders: Vec<u32>,
    scratch: Vec<u64>,
    done: Vec<(usize, bool)>,
}

impl Work {
    #[allow(clippy::too_many_arguments)]
    fn analyse_side(
        &mut self,
        topology: &Topology,
        index: &Index<'_>,
        class: &EniClass<'_>,
        hosts: &[u32],
        direction: Direction,
        members: &Members,
        totals: &mut Totals,
    ) {
        let mut pooled: Vec<(Pooled<'_>, PoolEntry)> = Vec::new();
        self.class_groups.clear();
        let mut positions = 0;
        for &group_id in &class.groups {
            let (Some(group), Some(&order)) = (
                topology.groups.get(group_id),
                index.group_order.get(group_id),
            ) else {
                continue;
            };
            let first = index.first_of_order[order as usize];
            let slot = self.class_groups.len();
            for (rule_index, rule) in group.rules.iter().enumerate() {
                if rule.direction == direction {
                    let entry = Pooled {
                        group: group_id,
                        index: rule_index,
                        rule,
                    };
                    let place = PoolEntry {
                        number: first + rule_index as RuleNumber,
                        index: rule_index,
                        slot,
                    };
                    pooled.push((entry, place));
                }
            }
            self.class_groups.push(ClassGroup { order, positions });
            positions += group.rules.len();
        }
        if pooled.is_empty() {
            return;
        }
        // The engine's evaluation order: priority, drop before accept, then group id (the class
        // lists its groups sorted) and index, as one number.
        self.order_keys.clear();
        self.order_keys
            .extend(pooled.iter().enumerate().map(|(at, (entry, place))| {
                u64::from(entry.rule.priority.get()) << 56
                    | u64::from(rules::policy_rank(entry.rule.policy)) << 48
                    | (place.slot as u64) << 32
                    | at as u64
            }));
        self.order_keys.sort_unstable();
        self.pooled.clear();
        self.pooled.extend(
            self.order_keys
                .iter()
                .map(|&key| pooled[(key as u32) as usize].1),
        );
        let pooled: Vec<Pooled<'_>> = self
            .order_keys
            .iter()
            .map(|&key| pooled[(key as u32) as usize].0)
            .collect();
        self.positions.clear();
        self.positions.resize(positions, u32::MAX);
        for (at, place) in self.pooled.iter().enumerate() {
            let group = self.class_groups[place.slot];
            self.positions[group.positions + place.index] = at as u32;
        }
        let default =
            rules::default_decision(rules::eni_kind(topology, &class.groups), direction).verdict();
        self.prepare(&pooled, totals, default);
        self.peer_cells(index, hosts, members, direction);
        for (atom_at, atom) in PROTOCOL_ATOMS.into_iter().enumerate() {
            let width = self.width;
            let mask = atom_at * width..(atom_at + 1) * width;
            if !self.protocols[mask.clone()].iter().any(|&word| word != 0) {
                continue;
            }
            // Two protocols with the same rules and the same kind of ports give the same facts.
            let repeated = self.done.iter().any(|&(other, ports)| {
                ports == atom.has_ports()
                    && self.protocols[other * width..(other + 1) * width]
                        == self.protocols[mask.clone()]
            });
            if repeated {
                continue;
            }
            self.done.push((atom_at, atom.has_ports()));
            self.analyse_atom(index, direction, atom_at, atom);
        }
        self.flush(totals, default);
    }

    /// Sizes the bitsets and the per-rule facts for the pooled rules.
    fn prepare(&mut self, pooled: &[Pooled<'_>], totals: &Totals, default: Verdict) {
        let count = pooled.len();
        let width = count.div_ceil(64);
        self.width = width;
        for bits in [
            &mut self.whole,
            &mut self.allow,
            &mut self.deny,
            &mut self.group_peers,
            &mut self.cover,
            &mut self.full,
            &mut self.full_everywhere,
            &mut self.undecided,
            &mut self.scratch,
        ] {
            bits.clear();
            bits.resize(width, 0);
        }
        self.protocols.clear();
        self.protocols.resize(PROTOCOL_ATOMS.len() * width, 0);
        for rows in [&mut self.earlier, &mut self.later, &mut self.takeover] {
            rows.clear();
            rows.resize(count * width, 0);
        }
        self.decides.clear();
        self.decides.resize(count, false);
        self.default_takeover.clear();
        self.default_takeover.resize(count, false);
        self.differs.clear();
        self.differs.extend(
            self.pooled
                .iter()
                .map(|entry| totals.differs[entry.number as usize]),
        );
        if self.ports.len() < count {
            self.ports.resize(count, Vec::new());
        }
        for ranges in &mut self.ports[..count] {
            ranges.clear();
        }
        self.done.clear();
        self.default_allows = default == Verdict::Allow;
        for (at, entry) in pooled.iter().enumerate() {
            let rule = entry.rule;
            if is_whole(rule) {
                set_bit(&mut self.whole, at);
                if !self.differs[at] {
                    set_bit(&mut self.undecided, at);
                }
            }
            match rule.policy {
                Policy::Accept => set_bit(&mut self.allow, at),
                Policy::Drop => set_bit(&mut self.deny, at),
            }
            if matches!(rule.peer, Peer::Group { .. }) {
                set_bit(&mut self.group_peers, at);
            }
            if rule.protocol == Protocol::All
                && is_whole(rule)
                && rule.ports.as_range() == PortRange::ALL
            {
                set_bit(&mut self.full_everywhere, at);
            }
            for (atom_at, atom) in PROTOCOL_ATOMS.into_iter().enumerate() {
                if rules::protocol_matches(rule.protocol, atom) {
                    set_bit(&mut self.protocols[atom_at * width..], at);
                }
            }
        }
    }

    /// The distinct signatures of the side's peer cells: address intervals, members and
    /// networks, for every protocol at once (a protocol masks them with its rules).
    fn peer_cells(
        &mut self,
        index: &Index<'_>,
        hosts: &[u32],
        members: &Members,
        direction: Direction,
    ) {
        let width = self.width;
        for &group in &self.named_groups {
            self.group_slots[group as usize] = u32::MAX;
        }
        self.named_groups.clear();
        self.group_slots.resize(index.groups.len(), u32::MAX);
        self.group_signatures.clear();
        for (at, entry) in self.pooled.iter().enumerate() {
            if let PeerRef::Group(group) = index.peers[entry.number as usize] {
                if self.group_slots[group as usize] == u32::MAX {
                    self.group_slots[group as usize] = self.group_signatures.len() as u32;
                    self.group_signatures
                        .resize(self.group_signatures.len() + width, 0);
                    self.named_groups.push(group);
                }
                let offset = self.group_slots[group as usize] as usize;
                set_bit(&mut self.group_signatures[offset..offset + width], at);
            }
        }
        // Address intervals: the groups' address events merged by rank.
        let side = usize::from(direction == Direction::Egress);
        self.cursors.clear();
        self.cursors.resize(self.class_groups.len(), 0);
        self.intervals.clear();
        self.interval_ranks.clear();
        self.interval_signatures.clear();
        let mut current = std::mem::take(&mut self.current);
        current.clear();
        current.resize(width, 0);
        let mut start = 0u32;
        loop {
            let mut rank = u32::MAX;
            for (group, class_group) in self.class_groups.iter().enumerate() {
                if let Some(&event) = index.sweeps[class_group.order as usize][side]
                    .events
                    .get(self.cursors[group])
                {
                    rank = rank.min((event >> 32) as u32);
                }
            }
            // Each family starts afresh: blocks that reach the end of IPv4 close there.
            let family_break = start < index.first_v6 && index.first_v6 <= rank;
            let rank = if family_break { index.first_v6 } else { rank };
            if rank == u32::MAX {
                break;
            }
            if rank > start {
                self.interval_ranks.push(start);
                self.interval_signatures.extend_from_slice(&current);
            }
            if family_break {
                current.iter_mut().for_each(|word| *word = 0);
            }
            for (group, class_group) in self.class_groups.iter().enumerate() {
                let sweep = &index.sweeps[class_group.order as usize][side];
                while let Some(&event) = sweep.events.get(self.cursors[group]) {
                    if (event >> 32) as u32 != rank {
                        break;
                    }
                    let slot = (event as u32) >> 1;
                    let opens = event & 1 == 1;
                    for &rule in &sweep.rules_of_slot[slot as usize] {
                        let position =
                            self.positions[class_group.positions + rule as usize] as usize;
                        if opens {
                            current[position / 64] |= 1 << (position % 64);
                        } else {
                            current[position / 64] &= !(1 << (position % 64));
                        }
                    }
                    self.cursors[group] += 1;
                }
            }
            start = rank;
        }
        self.interval_ranks.push(start);
        self.interval_signatures.extend_from_slice(&current);
        self.current = current;
        for (at, &rank) in self.interval_ranks.iter().enumerate() {
            let next = self.interval_ranks.get(at + 1).copied();
            self.intervals.push(index.interval(rank, next));
        }

        // Members of the referenced groups, by rank.
        self.seen.clear();
        self.seen.resize(members.members.len().div_ceil(64), 0);
        for &group in &self.named_groups {
            for &member in members.by_group.get(&group).map_or(&[][..], Vec::as_slice) {
                set_bit(&mut self.seen, member as usize);
            }
        }
        self.relevant.clear();
        for (word, &bits) in self.seen.iter().enumerate() {
            let mut bits = bits;
            while bits != 0 {
                self.relevant
                    .push((word * 64) as u32 + bits.trailing_zeros());
                bits &= bits - 1;
            }
        }
        self.relevant_interval.clear();
        self.relevant_kinds.clear();
        self.relevant_signatures.clear();
        self.shared_seen.clear();
        let mut interval = 0;
        for &member in &self.relevant {
            let member = &members.members[member as usize];
            while self
                .interval_ranks
                .get(interval + 1)
                .is_some_and(|&rank| rank <= member.rank)
            {
                interval += 1;
            }
            self.relevant_interval.push(interval as u32);
            let offset = self.relevant_signatures.len();
            self.relevant_signatures.extend_from_slice(
                &self.interval_signatures[interval * width..(interval + 1) * width],
            );
            // The named groups of the member, as a set of their slots (while it fits a word):
            // members with the same interval and the same named groups are the same cell.
            let mut named = 0u64;
            for &group in &member.groups {
                let slot = self.group_slots[group as usize];
                if slot != u32::MAX {
                    let slot = slot as usize;
                    for word in 0..width {
                        self.relevant_signatures[offset + word] |=
                            self.group_signatures[slot + word];
                    }
                    named |= 1u64.checked_shl((slot / width) as u32).unwrap_or(0);
                    if slot / width >= 64 {
                        named = u64::MAX;
                    }
                }
            }
            self.relevant_kinds.push(named);
            if member.shared {
                *self.shared_seen.entry(member.point).or_default() += 1;
            }
        }
        // An address is a candidate to belong to members alone when nothing presents it
        // without a group identity and every member using it is named by some group rule; an
        // interval all of whose addresses are candidates is "fragile": a protocol leaves it out
        // of the address cells when its group rules name every member in it.
        self.candidates.clear();
        self.candidates.resize(self.intervals.len(), 0);
        self.counted.clear();
        for (at, &member) in self.relevant.iter().enumerate() {
            let member = &members.members[member as usize];
            if member.anonymous {
                continue;
            }
            if member.shared {
                let point = member.point;
                let users = members.shared_by.get(&point);
                if self.shared_seen.get(&point) != users || !self.counted.insert(point) {
                    continue;
                }
            }
            self.candidates[self.relevant_interval[at] as usize] += 1;
        }
        let is_fragile = |interval: &Interval, candidates: u32| {
            candidates > 0 && u128::from(candidates - 1) == interval.end - interval.start
        };
        self.fragile.clear();
        for (at, &interval) in self.relevant_interval.iter().enumerate() {
            let interval = interval as usize;
            if is_fragile(&self.intervals[interval], self.candidates[interval]) {
                self.fragile.push(((interval as u64) << 32) | at as u64);
            }
        }
        self.fragile.sort_unstable();

        let mut cells = std::mem::take(&mut self.side_cells);
        cells.clear(width);
        for (at, interval) in self.intervals.iter().enumerate() {
            if !is_fragile(interval, self.candidates[at]) {
                cells.add(
                    &self.interval_signatures[at * width..(at + 1) * width],
                    &self.full_everywhere,
                    &self.undecided,
                    true,
                );
            }
        }
        // External networks: matched by the rules with a block containing all of them.
        self.network_signatures.clear();
        self.network_signatures.resize(index.networks * width, 0);
        for (at, entry) in self.pooled.iter().enumerate() {
            if let PeerRef::Blocks(set) = index.peers[entry.number as usize] {
                for &network in &index.block_sets[set as usize].networks {
                    set_bit(&mut self.network_signatures[network as usize * width..], at);
                }
            }
        }
        for network in 0..index.networks {
            cells.add(
                &self.network_signatures[network * width..(network + 1) * width],
                &self.full_everywhere,
                &self.undecided,
                true,
            );
        }
        // A member on the node of every ENI of the class never reaches the class through a
        // filter. A member whose groups a protocol's rules do not name is no cell of its own
        // for that protocol (its address is an address cell's), but its rules there are that
        // address cell's, so keeping it changes nothing.
        self.member_kinds.clear();
        for (at, &member) in self.relevant.iter().enumerate() {
            let host = members.members[member as usize].host;
            let kind = (self.relevant_interval[at], self.relevant_kinds[at]);
            if hosts.iter().any(|&other| other != host)
                && (kind.1 == u64::MAX || self.member_kinds.insert(kind))
            {
                cells.add(
                    &self.relevant_signatures[at * width..(at + 1) * width],
                    &self.full_everywhere,
                    &self.undecided,
                    false,
                );
            }
        }
        self.side_cells = cells;
    }

    /// Walks the ports and peer cells of one protocol.
    fn analyse_atom(
        &mut self,
        index: &Index<'_>,
        direction: Direction,
        atom_at: usize,
        atom: Protocol,
    ) {
        let width = self.width;
        let protocol = atom_at * width..(atom_at + 1) * width;
        self.port_windows(index, direction, protocol.clone(), atom);
        let mut cell = std::mem::take(&mut self.cell);
        cell.clear();
        cell.resize(width, 0);
        // The protocol's distinct cells, by head.
        let mut cells = std::mem::take(&mut self.atom_cells);
        cells.clear(width);
        for at in 0..self.side_cells.len() {
            // Members whose groups no rule of the protocol names are, for the protocol, their
            // addresses' cells, which are there already.
            let members_only = !self.side_cells.tracks[at];
            if and_into(
                &mut cell,
                self.side_cells.tail(at),
                &self.protocols[protocol.clone()],
            ) && (!members_only || common_in(&cell, &self.group_peers, 0, width * 64))
            {
                cells.add(
                    &cell,
                    &self.full,
                    &self.undecided,
                    self.side_cells.tracks[at] && atom.has_ports(),
                );
            }
        }
        let mut fragile = 0;
        while fragile < self.fragile.len() {
            let interval = self.fragile[fragile] >> 32;
            let mut end = fragile;
            let mut excluded = true;
            while end < self.fragile.len() && self.fragile[end] >> 32 == interval {
                let member = (self.fragile[end] as u32) as usize;
                let signature = &self.relevant_signatures[member * width..(member + 1) * width];
                and_into(&mut cell, signature, &self.group_peers);
                if !common_in(&cell, &self.protocols[protocol.clone()], 0, width * 64) {
                    excluded = false;
                }
                end += 1;
            }
            fragile = end;
            let interval = interval as usize;
            if !excluded
                && and_into(
                    &mut cell,
                    &self.interval_signatures[interval * width..(interval + 1) * width],
                    &self.protocols[protocol.clone()],
                )
            {
                cells.add(&cell, &self.full, &self.undecided, atom.has_ports());
            }
        }
        self.cell = cell;
        for at in 0..cells.len() {
            self.walk(cells.head(at), cells.tail(at), cells.tracks[at]);
        }
        self.atom_cells = cells;
    }

    /// The elementary port windows of the protocol that some rule covers, with the rules
    /// covering each, the rules covering it or an earlier one, the rules covering it or a
    /// later one, and the rules that match all of a cell on every port.
    fn port_windows(
        &mut self,
        index: &Index<'_>,
        direction: Direction,
        protocol: std::ops::Range<usize>,
        atom: Protocol,
    ) {
        let width = self.width;
        self.windows.clear();
        self.window_cover.clear();
        self.rule_windows.clear();
        self.rule_windows.resize(self.pooled.len(), (0, 0));
        if !atom.has_ports() {
            // Every rule of a protocol without ports covers the one window.
            self.windows.push((1, 65535));
            self.window_cover
                .extend_from_slice(&self.protocols[protocol.clone()]);
            for rows in [&mut self.started_by, &mut self.ends_from] {
                rows.clear();
                rows.extend_from_slice(&self.protocols[protocol.clone()]);
            }
            and_into(&mut self.full, &self.whole, &self.protocols[protocol]);
            return;
        }
        // The groups' port events, merged by port.
        let side = usize::from(direction == Direction::Egress);
        let ports = usize::from(atom == Protocol::Udp);
        self.port_events.clear();
        self.cursors.clear();
        self.cursors.resize(self.class_groups.len(), 0);
        loop {
            let mut next: Option<(usize, u64)> = None;
            for (group, class_group) in self.class_groups.iter().enumerate() {
                let events = &index.sweeps[class_group.order as usize][side].ports[ports];
                if let Some(&event) = events.get(self.cursors[group]) {
                    if next.is_none_or(|(_, other)| event >> 32 < other >> 32) {
                        next = Some((group, event));
                    }
                }
            }
            let Some((group, event)) = next else {
                break;
            };
            self.cursors[group] += 1;
            let position =
                self.positions[self.class_groups[group].positions + ((event as u32) >> 1) as usize];
            self.port_events
                .push(event >> 32 << 32 | u64::from(position) << 1 | event & 1);
        }
        self.cover.iter_mut().for_each(|word| *word = 0);
        let mut start = 1u32;
        let mut next_event = 0;
        while next_event < self.port_events.len() {
            let point = (self.port_events[next_event] >> 32) as u32;
            if point > start && self.cover.iter().any(|&word| word != 0) {
                self.windows.push((
                    u16::try_from(start).unwrap_or(u16::MAX),
                    u16::try_from(point - 1).unwrap_or(u16::MAX),
                ));
                self.window_cover.extend_from_slice(&self.cover);
            }
            while let Some(&event) = self.port_events.get(next_event) {
                if (event >> 32) as u32 != point {
                    break;
                }
                let rule = ((event as u32) >> 1) as usize;
                let opens = event & 1 == 1;
                if opens {
                    self.cover[rule / 64] |= 1 << (rule % 64);
                    self.rule_windows[rule].0 = self.windows.len() as u32;
                } else {
                    self.cover[rule / 64] &= !(1 << (rule % 64));
                    self.rule_windows[rule].1 = self.windows.len() as u32 - 1;
                }
                next_event += 1;
            }
            start = point;
        }
        let windows = self.windows.len();
        for rows in [&mut self.started_by, &mut self.ends_from] {
            rows.clear();
            rows.resize(windows * width, 0);
        }
        for (rule, &(first, last)) in self.rule_windows.iter().enumerate() {
            if has_bit(&self.protocols[protocol.clone()], rule) {
                set_bit(&mut self.started_by[first as usize * width..], rule);
                set_bit(&mut self.ends_from[last as usize * width..], rule);
            }
        }
        self.full.iter_mut().for_each(|word| *word = 0);
        for (rule, &(first, last)) in self.rule_windows.iter().enumerate() {
            if has_bit(&self.protocols[protocol.clone()], rule)
                && has_bit(&self.whole, rule)
                && first == 0
                && last as usize + 1 == windows
            {
                set_bit(&mut self.full, rule);
            }
        }
        for window in 1..windows {
            for word in 0..width {
                self.started_by[window * width + word] |=
                    self.started_by[(window - 1) * width + word];
            }
        }
        for window in (0..windows.saturating_sub(1)).rev() {
            for word in 0..width {
                self.ends_from[window * width + word] |=
                    self.ends_from[(window + 1) * width + word];
            }
        }
    }

    /// Walks the port windows of cells with one head (`signature`: the rules matching some of
    /// them). Each window's *chain* is the matching rules in evaluation order up to the second
    /// that matches all of the cell (all of them if fewer do; up to the first if that one is
    /// already known to decide differently from its replacement somewhere): the rules up to the
    /// first such rule decide, each after the deciders before it, and the chain says what would
    /// decide without each.
    ///
    /// A chain is recorded once per run of windows that keep it, and the deciders' later rules
    /// (those matching packets the deciders decide first) and ports once per run of windows
    /// that keep the deciders: the later rules of a run are the cell's rules that cover some
    /// window of it. A chain can change only where a rule of the head starts or ends.
    fn walk(&mut self, head: &[u64], signature: &[u64], track_ports: bool) {
        let windows = self.windows.len();
        if windows == 0 {
            return;
        }
        // While every rule up to the head's first rule that matches all of it on every port is
        // known to decide differently from its replacement somewhere, chains stop at their
        // first whole rule, which is never after that one: the rules after it cannot change a
        // chain.
        let mut possible = self.pooled.len();
        if let Some(first_full) = head
            .iter()
            .zip(&self.full)
            .enumerate()
            .find(|(_, (&bits, &full))| bits & full != 0)
            .map(|(word, (&bits, &full))| word * 64 + (bits & full).trailing_zeros() as usize)
        {
            let mut all_differ = true;
            for (word, mask) in word_masks(0, first_full + 1) {
                let mut bits = head[word] & self.whole[word] & mask;
                while bits != 0 {
                    all_differ &= self.differs[word * 64 + bits.trailing_zeros() as usize];
                    bits &= bits - 1;
                }
            }
            if all_differ {
                possible = first_full + 1;
            }
        }
        let mut changes = std::mem::take(&mut self.changes);
        changes.clear();
        changes.resize(windows.div_ceil(64), 0);
        set_bit(&mut changes, 0);
        for (word, mask) in word_masks(0, possible) {
            let mut bits = head[word] & mask;
            while bits != 0 {
                let rule = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let (first, last) = self.rule_windows[rule];
                set_bit(&mut changes, first as usize);
                if (last as usize) + 1 < windows {
                    set_bit(&mut changes, last as usize + 1);
                }
            }
        }
        let mut chain = std::mem::take(&mut self.chain);
        let mut next = std::mem::take(&mut self.next_chain);
        let mut deciders = std::mem::take(&mut self.deciders);
        chain.clear();
        deciders.clear();
        let mut run_start = 0;
        for (change_word, &change_bits) in changes.iter().enumerate() {
            let mut change_bits = change_bits;
            while change_bits != 0 {
                let window = change_word * 64 + change_bits.trailing_zeros() as usize;
                change_bits &= change_bits - 1;
                if !self.chain_at(window, head, &chain, &mut next) {
                    continue;
                }
                std::mem::swap(&mut chain, &mut next);
                let decider_count = self.first_whole(&chain).map_or(chain.len(), |at| at + 1);
                if !same_rules(&chain[..decider_count], &deciders) {
                    if !deciders.is_empty() {
                        self.close(&deciders, signature, (run_start, window - 1), track_ports);
                    }
                    deciders.clear();
                    deciders.extend_from_slice(&chain[..decider_count]);
                    run_start = window;
                }
                if !chain.is_empty() {
                    self.open(&chain);
                }
            }
        }
        if !deciders.is_empty() {
            self.close(&deciders, signature, (run_start, windows - 1), track_ports);
        }
        self.changes = changes;
        self.chain = chain;
        self.next_chain = next;
        self.deciders = deciders;
    }

    /// Writes the chain of a window into `next` and says whether it differs from `chain`.
    fn chain_at(
        &self,
        window: usize,
        signature: &[u64],
        chain: &[u32],
        next: &mut Vec<u32>,
    ) -> bool {
        let width = self.width;
        let cover = &self.window_cover[window * width..(window + 1) * width];
        // Compared with the current chain as it comes; written out only when it differs.
        let mut same = 0;
        let mut differs = false;
        let mut wholes = 0;
        'scan: for word in 0..width {
            let mut bits = cover[word] & signature[word];
            while bits != 0 {
                let bit = bits.trailing_zeros();
                bits &= bits - 1;
                let rule = (word * 64) as u32 + bit;
                if differs {
                    next.push(rule);
                } else if chain.get(same) == Some(&rule) {
                    same += 1;
                } else {
                    differs = true;
                    next.clear();
                    next.extend_from_slice(&chain[..same]);
                    next.push(rule);
                }
                if self.whole[word] & (1 << bit) != 0 {
                    wholes += 1;
                    // What follows the first whole rule matters only while it may still be
                    // found to decide the same way as its replacement everywhere.
                    if wholes == 2 || self.differs[rule as usize] {
                        break 'scan;
                    }
                }
            }
        }
        if !differs {
            if same == chain.len() {
                return false;
            }
            next.clear();
            next.extend_from_slice(&chain[..same]);
        }
        true
    }

    /// Where the first rule of a chain that matches all of the cell is, if one does.
    fn first_whole(&self, chain: &[u32]) -> Option<usize> {
        chain
            .iter()
            .position(|&rule| has_bit(&self.whole, rule as usize))
    }

    /// Records what a chain's deciders decide: that they decide, the deciders before each, and
    /// whether the rules after each up to the next rule that matches all of the cell (or the
    /// default) would decide the same way without it.
    fn open(&mut self, chain: &[u32]) {
        let width = self.width;
        let first_whole = self.first_whole(chain);
        let deciders = first_whole.map_or(chain.len(), |at| at + 1);
        for at in 0..deciders {
            let rule = chain[at] as usize;
            self.decides[rule] = true;
            for &other in &chain[..at] {
                set_bit(&mut self.earlier[rule * width..], other as usize);
            }
            if self.differs[rule] {
                continue;
            }
            let next_whole = self
                .first_whole(&chain[at + 1..])
                .map(|offset| at + 1 + offset);
            let stop = next_whole.map_or(chain.len(), |next| next + 1);
            let successors = &chain[at + 1..stop];
            let allows = has_bit(&self.allow, rule);
            let same = successors
                .iter()
                .all(|&other| has_bit(&self.allow, other as usize) == allows)
                && (next_whole.is_some() || self.default_allows == allows);
            if same {
                for &other in successors {
                    set_bit(&mut self.takeover[rule * width..], other as usize);
                }
                if next_whole.is_none() {
                    self.default_takeover[rule] = true;
                }
            } else {
                self.differs[rule] = true;
                self.undecided[rule / 64] &= !(1 << (rule % 64));
            }
        }
    }

    /// Records what a run of windows with the same deciders adds once it ends: the rules
    /// after the first decider that matches all of the cell (the last decider, if one does),
    /// which match packets the deciders decide first, and the ports the deciders decide.
    fn close(
        &mut self,
        deciders: &[u32],
        signature: &[u64],
        (first, last): (usize, usize),
        track_ports: bool,
    ) {
        let width = self.width;
        let count = self.pooled.len();
        let whole = deciders
            .last()
            .filter(|&&rule| has_bit(&self.whole, rule as usize));
        if let Some(&whole) = whole {
            let limit = whole as usize + 1;
            let mut any = false;
            let started = &self.started_by[last * width..(last + 1) * width];
            let ending = &self.ends_from[first * width..(first + 1) * width];
            for (((out, &started), &ending), &word) in self
                .scratch
                .iter_mut()
                .zip(started)
                .zip(ending)
                .zip(signature)
            {
                *out = started & ending & word;
                any |= *out != 0;
            }
            if any && any_in(&self.scratch, limit, count) {
                for &rule in deciders {
                    let row = rule as usize * width..(rule as usize + 1) * width;
                    or_in(&mut self.later[row], &self.scratch, limit, count);
                }
            }
        }
        if track_ports {
            let ports = (self.windows[first].0, self.windows[last].1);
            for &rule in deciders {
                push_range(&mut self.ports[rule as usize], ports);
            }
        }
    }

    /// Adds the side's facts to the totals.
    fn flush(&mut self, totals: &mut Totals, default: Verdict) {
        let width = self.width;
        let count = self.pooled.len();
        // Rules that match packets a rule decides, after it, are decided before by it.
        for decider in 0..count {
            for word in 0..width {
                let mut bits = self.later[decider * width + word];
                while bits != 0 {
                    let rule = word * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    set_bit(&mut self.earlier[rule * width..], decider);
                }
            }
        }
        let groups = self.class_groups.len();
        self.partner_offsets.clear();
        for group in &self.class_groups {
            for partner in &self.class_groups {
                self.partner_offsets
                    .push(totals.layout.offset(group.order, partner.order));
            }
        }
        for rule in 0..count {
            let entry = self.pooled[rule];
            let number = entry.number as usize;
            totals.carried[number] = true;
            totals.decides[number] |= self.decides[rule];
            totals.differs[number] |= self.differs[rule];
            if self.default_takeover[rule] {
                totals.default_takeover[number] = Some(default);
            }
            totals.decided_ports[number].extend_from_slice(&self.ports[rule]);
            let row = totals
                .layout
                .row(self.class_groups[entry.slot].order, entry.index);
            let offsets = &self.partner_offsets[entry.slot * groups..(entry.slot + 1) * groups];
            let bits = rule * width..(rule + 1) * width;
            add_to_row(
                &mut totals.earlier,
                row,
                offsets,
                &self.pooled,
                &self.earlier[bits.clone()],
            );
            if !totals.differs[number] {
                add_to_row(
                    &mut totals.takeover,
                    row,
                    offsets,
                    &self.pooled,
                    &self.takeover[bits],
                );
            }
        }
    }
}

/// Adds a bitset over the pooled rules to a rule's row, where `offsets` says where each group
/// of the class starts.
fn add_to_row(
    words: &mut [u64],
    row: usize,
    offsets: &[usize],
    pooled: &[PoolEntry],
    bits: &[u64],
) {
    for (word, &value) in bits.iter().enumerate() {
        let mut value = value;
        while value != 0 {
            let other = pooled[word * 64 + value.trailing_zeros() as usize];
            value &= value - 1;
            set_bit(&mut words[row + offsets[other.slot]..], other.index);
        }
    }
}

/// Whether a rule matches every packet of a cell that it matches at all.
fn is_whole(rule: &Rule) -> bool {
    rule.local_cidr.is_none()
        && rule
            .source_ports
            .is_none_or(|range| range == PortRange::ALL)
}
