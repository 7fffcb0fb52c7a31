//! What the whole topology shares: every rule block and peer interned as intervals, the
//! groups' sweeps over them, the ENI classes with their hosts, and the members of group peers.

use std::collections::{BTreeMap, BTreeSet};

use ipnet::IpNet;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::eval::route::Actor;
use crate::eval::rules;
use crate::model::{
    Direction, EndpointId, EndpointKind, GroupId, Peer, PrefixListId, Protocol, SecurityGroup,
    Topology, VpcId,
};

use super::{address_value, family_max, interval_of, EniClass, Facts, Interval, Point, RuleNumber};

/// The peer of a rule, interned.
#[derive(Clone, Copy)]
pub(super) enum PeerRef {
    /// A group, by its interned number.
    Group(u32),
    /// A set of address blocks (a CIDR or a prefix list), by its interned number.
    Blocks(u32),
}

/// The blocks of a CIDR or prefix-list peer.
pub(super) struct BlockSet {
    /// Where the union of the blocks starts and ends, as ranks of [`Index::points`], sorted:
    /// `(rank, true)` where an interval of the union starts, `(rank, false)` just after one
    /// ends.
    pub(super) events: Vec<(u32, bool)>,
    /// The external networks that some block contains entirely.
    pub(super) networks: Vec<u32>,
}

/// The address events of one group's rules of one direction, for sweeping the address
/// line of a pool of groups without sorting.
#[derive(Default)]
pub(super) struct GroupSweep {
    /// The group's rules (indexes) naming each of its distinct block sets.
    pub(super) rules_of_slot: Vec<Vec<u32>>,
    /// `rank << 32 | slot << 1 | opens`, sorted.
    pub(super) events: Vec<u64>,
    /// For TCP and UDP, `port << 32 | rule << 1 | opens` where a rule's ports start and just
    /// after they end, sorted.
    pub(super) ports: [Vec<u64>; 2],
}

impl GroupSweep {
    /// The events of a group's rules of one direction; `set_of` gives the block set of a
    /// peer.
    pub(super) fn new(
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
pub(super) fn union_of(blocks: &[IpNet]) -> Vec<Interval> {
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
pub(super) struct Index<'t> {
    /// The interned peer of each rule number.
    pub(super) peers: Vec<PeerRef>,
    /// Groups by id, for group peers and ENI memberships (ids of missing groups included).
    pub(super) groups: FxHashMap<&'t GroupId, u32>,
    /// Each group's position in the topology's group order.
    pub(super) group_order: FxHashMap<&'t GroupId, u32>,
    /// The number of the first rule of each group in group order, then the number of rules.
    pub(super) first_of_order: Vec<RuleNumber>,
    /// The block sets of CIDR and prefix-list peers.
    pub(super) block_sets: Vec<BlockSet>,
    /// Every point where a block set's union starts or ends, and the start of each family,
    /// sorted.
    pub(super) points: Vec<Point>,
    /// The rank of the first IPv6 address in `points`.
    pub(super) first_v6: u32,
    /// Per group order, the address events of its ingress and of its egress rules.
    pub(super) sweeps: Vec<[GroupSweep; 2]>,
    /// How many external networks (blocks wider than one address) the topology has.
    pub(super) networks: usize,
    /// Hosts (the nodes ENIs run on) by id.
    pub(super) hosts: FxHashMap<&'t EndpointId, u32>,
}

impl<'t> Index<'t> {
    pub(super) fn new(topology: &'t Topology, facts: &Facts<'t>) -> Index<'t> {
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
    pub(super) fn rank_of(&self, point: Point) -> u32 {
        (self.points.partition_point(|&other| other <= point) - 1) as u32
    }

    /// The interval from the point of `rank` to just before the point of `next` (or to the end
    /// of its family).
    pub(super) fn interval(&self, rank: u32, next: Option<u32>) -> Interval {
        let (v6, start) = self.points[rank as usize];
        let end = match next.map(|next| self.points[next as usize]) {
            Some((next_v6, next_start)) if next_v6 == v6 => next_start - 1,
            _ => family_max(v6),
        };
        Interval { v6, start, end }
    }

    pub(super) fn group(&mut self, id: &'t GroupId) -> u32 {
        let next = self.groups.len() as u32;
        *self.groups.entry(id).or_insert(next)
    }

    pub(super) fn host(&mut self, id: &'t EndpointId) -> u32 {
        let next = self.hosts.len() as u32;
        *self.hosts.entry(id).or_insert(next)
    }
}

/// The nodes that the ENIs of each class run on: traffic between a member and an ENI on the
/// member's own node never crosses a filter.
pub(super) type ClassHosts<'t> = BTreeMap<EniClass<'t>, BTreeSet<u32>>;

/// Every ENI class of the topology with the nodes its ENIs run on: the primary and secondary
/// ENIs of ECS instances and gateway nodes, and the ENIs of Terway trunk pods (Flannel and
/// Terway-shared pods use their node's ENI).
pub(super) fn class_hosts<'t>(topology: &'t Topology, index: &mut Index<'t>) -> ClassHosts<'t> {
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
pub(super) struct Member {
    pub(super) point: Point,
    /// The rank in [`Index::points`] of the last point at or before the address.
    pub(super) rank: u32,
    pub(super) groups: Vec<u32>,
    pub(super) host: u32,
    /// Whether the address also reaches ENIs without a group identity.
    pub(super) anonymous: bool,
    /// Whether another member uses the address too.
    pub(super) shared: bool,
}

/// The peers of one VPC that carry a group identity.
pub(super) struct Members {
    /// The members, by rank.
    pub(super) members: Vec<Member>,
    /// The members of each group.
    pub(super) by_group: FxHashMap<u32, Vec<u32>>,
    /// How many members use each address that more than one member uses.
    pub(super) shared_by: FxHashMap<Point, u32>,
}

pub(super) fn members_of<'t>(
    topology: &'t Topology,
    vpc: Option<&VpcId>,
    index: &mut Index<'t>,
) -> Members {
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
