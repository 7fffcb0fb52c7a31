//! The lint's first analysis, kept as the oracle of the fast one in `space`: it walks every
//! elementary port window and every peer cell of every ENI class, one cell at a time, with the
//! rules matching it in evaluation order.
//!
//! For every ENI class (a set of groups in a VPC that some ENI carries) and direction, the
//! rules are pooled in the engine's evaluation order ([`rules::pool`]). The packets a rule can
//! match form a product: protocol x destination port x peer. The analysis cuts that space into
//! cells that no rule boundary crosses: ports into elementary intervals between the rules' port
//! boundaries, peers into elementary address intervals between the rules' CIDR boundaries (IPv4
//! and IPv6 apart), plus the current members of referenced groups and the external networks of
//! the topology. Inside one cell a rule matches all packets or none, so a first-match walk over
//! the cells is exact. Peers are addresses without group identity, members (an ENI's private
//! address with its groups) and external networks; see `space` for the details.
//!
//! The property test at the end compares the two analyses, and the findings and added-rule
//! effects built from them, on random topologies of every shape of the generator.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;

use crate::eval::route::Actor;
use crate::eval::rules::{self, Pooled};
use crate::model::{
    Direction, EndpointId, GroupId, Peer, Policy, PortRange, Protocol, Rule, Topology, Verdict,
    VpcId,
};

/// A rule's place: its group and index.
pub(crate) type RuleKey = (GroupId, usize);

/// What the analysis found about one rule, over every ENI class that carries its group.
#[derive(Clone, Debug, Default)]
pub(crate) struct RuleFacts {
    /// Whether some ENI class carries the rule's group.
    pub carried: bool,
    /// Whether the rule decides some packet on some ENI class.
    pub decides: bool,
    /// Rules earlier in evaluation order that decide packets the rule matches.
    pub earlier: BTreeSet<RuleKey>,
    /// Whether every packet the rule decides would be decided the same way without it.
    pub same_without: bool,
    /// The later rules that would decide those packets without it.
    pub takeover: BTreeSet<RuleKey>,
    /// The default that would decide some of those packets without it.
    pub default_takeover: Option<Verdict>,
    /// TCP/UDP ports on which the rule decides packets from or to non-member peers.
    pub decided_ports: Vec<(u16, u16)>,
}

/// An ENI class: the groups of a filtering ENI and its VPC.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct EniClass<'t> {
    /// The groups, sorted, without repeats.
    pub groups: Vec<&'t GroupId>,
    /// The VPC.
    pub vpc: Option<&'t VpcId>,
}

/// The nodes that the ENIs of each class run on: traffic between a member and an ENI on the
/// member's own node never crosses a filter.
type ClassHosts<'t> = BTreeMap<EniClass<'t>, BTreeSet<&'t EndpointId>>;

/// Every ENI class of the topology with the nodes its ENIs run on: the primary and secondary
/// ENIs of ECS instances and gateway nodes, and the ENIs of Terway trunk pods (Flannel and
/// Terway-shared pods use their node's ENI).
fn class_hosts(topology: &Topology) -> ClassHosts<'_> {
    let mut classes: ClassHosts<'_> = BTreeMap::new();
    for endpoint in topology.endpoints.values() {
        let actor = Actor::of_endpoint(topology, endpoint);
        let host = actor.host_node.unwrap_or(&endpoint.id);
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

/// The protocols a query can ask about; a rule for `all` is analysed on each.
const PROTOCOL_ATOMS: [Protocol; 6] = [
    Protocol::Tcp,
    Protocol::Udp,
    Protocol::Icmp,
    Protocol::Icmpv6,
    Protocol::Gre,
    Protocol::All,
];

/// The peers of one VPC that carry a group identity.
struct Members<'t> {
    /// Each member address with the groups of its ENI and the node it runs on.
    members: Vec<(IpAddr, Vec<&'t GroupId>, &'t EndpointId)>,
    /// Addresses that can also reach the ENI without a group identity.
    anonymous: BTreeSet<IpAddr>,
}

fn members_of<'t>(topology: &'t Topology, vpc: Option<&VpcId>) -> Members<'t> {
    let mut members = Vec::new();
    let mut anonymous = BTreeSet::new();
    for endpoint in topology.endpoints.values() {
        let actor = Actor::of_endpoint(topology, endpoint);
        if let Some(address) = endpoint.public_ip {
            anonymous.insert(address);
        }
        if let Some(cidr) = actor.external {
            if cidr.prefix_len() == cidr.max_prefix_len() {
                anonymous.insert(cidr.addr());
            }
        }
        if actor.vpc.is_none() || actor.vpc != vpc {
            continue;
        }
        let host = actor.host_node.unwrap_or(&endpoint.id);
        for address in &actor.private_ips {
            if actor.eni_addressed && !actor.groups.is_empty() {
                members.push((*address, actor.groups.clone(), host));
            } else {
                anonymous.insert(*address);
            }
        }
    }
    Members { members, anonymous }
}

/// An address interval of one family, as integers (IPv4 in the low 32 bits).
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

fn address_value(address: IpAddr) -> (bool, u128) {
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

/// The CIDR blocks a rule's peer names (a group names none).
fn peer_blocks<'t>(topology: &'t Topology, peer: &'t Peer) -> Vec<&'t IpNet> {
    match peer {
        Peer::Cidr(block) => vec![block],
        Peer::PrefixList(id) => topology
            .prefix_lists
            .get(id)
            .map(|list| list.cidrs.iter().collect())
            .unwrap_or_default(),
        Peer::Group { .. } => Vec::new(),
    }
}

/// One peer cell.
enum PeerCell {
    /// An elementary address interval of peers without group identity.
    Address(Interval),
    /// A member: an address with the groups of its ENI.
    Member,
    /// An external network.
    Network,
}

/// A rule prepared for one protocol atom.
struct Prepared<'t> {
    pooled: Pooled<'t>,
    ports: (u16, u16),
    cells: Vec<usize>,
    /// Matches every packet of its cells (no source-port range, no local CIDR).
    whole: bool,
}

/// Analyses every rule of the topology.
pub(crate) fn analyse(topology: &Topology) -> BTreeMap<RuleKey, RuleFacts> {
    let mut facts: BTreeMap<RuleKey, RuleFacts> = BTreeMap::new();
    let mut members_by_vpc: BTreeMap<Option<&VpcId>, Members<'_>> = BTreeMap::new();
    for (class, hosts) in class_hosts(topology) {
        let members = members_by_vpc
            .entry(class.vpc)
            .or_insert_with(|| members_of(topology, class.vpc));
        for direction in [Direction::Ingress, Direction::Egress] {
            analyse_side(topology, &class, &hosts, direction, members, &mut facts);
        }
    }
    facts
}

/// Per-class facts, indexed like the pooled rules.
#[derive(Clone, Default)]
struct Local {
    decides: bool,
    earlier: BTreeSet<usize>,
    differs: bool,
    takeover: BTreeSet<usize>,
    default_takeover: bool,
    decided_ports: Vec<(u16, u16)>,
}

fn analyse_side(
    topology: &Topology,
    class: &EniClass<'_>,
    hosts: &BTreeSet<&EndpointId>,
    direction: Direction,
    members: &Members<'_>,
    facts: &mut BTreeMap<RuleKey, RuleFacts>,
) {
    let pooled = rules::pool(topology, &class.groups, direction);
    let default =
        rules::default_decision(rules::eni_kind(topology, &class.groups), direction).verdict();
    let mut local = vec![Local::default(); pooled.len()];
    for atom in PROTOCOL_ATOMS {
        let positions: Vec<usize> = (0..pooled.len())
            .filter(|&at| rules::protocol_matches(pooled[at].rule.protocol, atom))
            .collect();
        if positions.is_empty() {
            continue;
        }
        analyse_atom(
            topology, &pooled, &positions, atom, members, hosts, default, &mut local,
        );
    }
    for (at, entry) in pooled.iter().enumerate() {
        let key = (entry.group.clone(), entry.index);
        let fact = facts.entry(key).or_insert_with(|| RuleFacts {
            same_without: true,
            ..RuleFacts::default()
        });
        let found = &local[at];
        fact.carried = true;
        fact.decides |= found.decides;
        fact.earlier.extend(
            found
                .earlier
                .iter()
                .map(|&other| (pooled[other].group.clone(), pooled[other].index)),
        );
        if found.differs {
            fact.same_without = false;
        }
        fact.takeover.extend(
            found
                .takeover
                .iter()
                .map(|&other| (pooled[other].group.clone(), pooled[other].index)),
        );
        if found.default_takeover {
            fact.default_takeover = Some(default);
        }
        fact.decided_ports
            .extend(found.decided_ports.iter().copied());
    }
}

fn policy_verdict(policy: Policy) -> Verdict {
    match policy {
        Policy::Accept => Verdict::Allow,
        Policy::Drop => Verdict::Deny,
    }
}

/// Whether a rule matches every packet of a cell that it matches at all.
fn is_whole(rule: &Rule) -> bool {
    rule.local_cidr.is_none()
        && rule
            .source_ports
            .is_none_or(|range| range == PortRange::ALL)
}

#[allow(clippy::too_many_arguments)]
fn analyse_atom(
    topology: &Topology,
    pooled: &[Pooled<'_>],
    positions: &[usize],
    atom: Protocol,
    members: &Members<'_>,
    hosts: &BTreeSet<&EndpointId>,
    default: Verdict,
    local: &mut [Local],
) {
    // Groups named by the rules: only their members need a cell of their own.
    let referenced: BTreeSet<&GroupId> =
        crate::sort::set_of(
            positions
                .iter()
                .filter_map(|&at| match &pooled[at].rule.peer {
                    Peer::Group { id, .. } => Some(id),
                    _ => None,
                }),
        );
    // A member on the node of every ENI of the class never reaches the class through a filter.
    let reaches = |host: &EndpointId| hosts.iter().any(|other| *other != host);
    let member_cells: Vec<usize> = (0..members.members.len())
        .filter(|&index| {
            let (_, groups, host) = &members.members[index];
            reaches(host) && groups.iter().any(|group| referenced.contains(group))
        })
        .collect();
    // An address is a member's alone when every ENI using it is such a member and nothing
    // presents it without a group identity; its packets then all live in member cells.
    let mut member_only: BTreeSet<IpAddr> = BTreeSet::new();
    let mut shared: BTreeSet<IpAddr> = members.anonymous.clone();
    for (index, (address, groups, host)) in members.members.iter().enumerate() {
        if member_cells.binary_search(&index).is_ok() {
            member_only.insert(*address);
        } else if reaches(host) || !groups.iter().any(|group| referenced.contains(group)) {
            shared.insert(*address);
        } else {
            // Unreachable from this class: its packets never arrive, with or without a group.
            member_only.insert(*address);
        }
    }
    member_only.retain(|address| !shared.contains(address));

    // Address cells.
    let mut points: [BTreeSet<u128>; 2] = [BTreeSet::from([0]), BTreeSet::from([0])];
    for &at in positions {
        for block in peer_blocks(topology, &pooled[at].rule.peer) {
            let interval = interval_of(block);
            let family = usize::from(interval.v6);
            points[family].insert(interval.start);
            if interval.end < family_max(interval.v6) {
                points[family].insert(interval.end + 1);
            }
        }
    }
    for address in &member_only {
        let (v6, value) = address_value(*address);
        points[usize::from(v6)].insert(value);
        if value < family_max(v6) {
            points[usize::from(v6)].insert(value + 1);
        }
    }
    let mut cells: Vec<PeerCell> = Vec::new();
    let mut first_cell: [Vec<(u128, usize)>; 2] = [Vec::new(), Vec::new()];
    for (family, family_points) in points.iter().enumerate() {
        let v6 = family == 1;
        let list: Vec<u128> = family_points.iter().copied().collect();
        for (index, &start) in list.iter().enumerate() {
            let end = list.get(index + 1).map_or(family_max(v6), |&next| next - 1);
            first_cell[family].push((start, cells.len()));
            cells.push(PeerCell::Address(Interval { v6, start, end }));
        }
    }
    let member_values: BTreeSet<(bool, u128)> =
        crate::sort::set_of(member_only.iter().map(|address| address_value(*address)));
    let excluded = |cell: &PeerCell| match cell {
        PeerCell::Address(interval) => {
            interval.start == interval.end && member_values.contains(&(interval.v6, interval.start))
        }
        _ => false,
    };
    let member_base = cells.len();
    for _ in &member_cells {
        cells.push(PeerCell::Member);
    }
    let network_base = cells.len();
    let mut networks: BTreeSet<IpNet> = BTreeSet::new();
    for endpoint in topology.endpoints.values() {
        if let crate::model::EndpointKind::External { cidr } = &endpoint.kind {
            if cidr.prefix_len() < cidr.max_prefix_len() {
                networks.insert(cidr.trunc());
            }
        }
    }
    for _ in &networks {
        cells.push(PeerCell::Network);
    }
    let excluded_cells: Vec<bool> = cells.iter().map(excluded).collect();

    // Each rule's cells.
    let prepared: Vec<Prepared<'_>> = positions
        .iter()
        .map(|&at| {
            let entry = pooled[at];
            let rule = entry.rule;
            let blocks = peer_blocks(topology, &rule.peer);
            let mut own: Vec<usize> = Vec::new();
            for block in &blocks {
                let interval = interval_of(block);
                let family = usize::from(interval.v6);
                let list = &first_cell[family];
                let from = list.partition_point(|&(start, _)| start < interval.start);
                let to = list.partition_point(|&(start, _)| start <= interval.end);
                for &(_, cell) in &list[from..to] {
                    if !excluded_cells[cell] {
                        own.push(cell);
                    }
                }
            }
            for (offset, &index) in member_cells.iter().enumerate() {
                let (address, groups, _) = &members.members[index];
                let matches = match &rule.peer {
                    Peer::Group { id, .. } => groups.contains(&id),
                    _ => blocks.iter().any(|block| block.contains(address)),
                };
                if matches {
                    own.push(member_base + offset);
                }
            }
            for (offset, network) in networks.iter().enumerate() {
                if blocks.iter().any(|block| block.contains(network)) {
                    own.push(network_base + offset);
                }
            }
            crate::sort::sort(&mut own);
            own.dedup();
            Prepared {
                pooled: entry,
                ports: rules::effective_range(rule, atom),
                cells: own,
                whole: is_whole(rule),
            }
        })
        .collect();

    // Port cells.
    let mut port_points: BTreeSet<u32> = BTreeSet::from([1, 65536]);
    for rule in &prepared {
        port_points.insert(u32::from(rule.ports.0));
        port_points.insert(u32::from(rule.ports.1) + 1);
    }
    let port_points: Vec<u32> = port_points.into_iter().collect();

    let mut chains: Vec<Vec<usize>> = vec![Vec::new(); cells.len()];
    let mut wholes: Vec<u8> = vec![0; cells.len()];
    let mut touched: Vec<usize> = Vec::new();
    for window in port_points.windows(2) {
        let (start, end) = (window[0], window[1] - 1);
        let covering: Vec<usize> = (0..prepared.len())
            .filter(|&rule| {
                u32::from(prepared[rule].ports.0) <= start
                    && end <= u32::from(prepared[rule].ports.1)
            })
            .collect();
        if covering.is_empty() {
            continue;
        }
        let port_range = (
            u16::try_from(start).unwrap_or(u16::MAX),
            u16::try_from(end).unwrap_or(u16::MAX),
        );
        // The matching rules of each cell, in order, up to the second rule that matches all
        // of the cell: enough to know who decides and who would decide without a rule.
        for &rule in &covering {
            for &cell in &prepared[rule].cells {
                if wholes[cell] >= 2 {
                    continue;
                }
                if chains[cell].is_empty() {
                    touched.push(cell);
                }
                chains[cell].push(rule);
                if prepared[rule].whole {
                    wholes[cell] += 1;
                }
            }
        }
        for &cell in &touched {
            let chain = &chains[cell];
            let first_whole = chain.iter().position(|&rule| prepared[rule].whole);
            let deciders = first_whole.map_or(chain.len(), |at| at + 1);
            for at in 0..deciders {
                let rule = chain[at];
                let found = &mut local[positions[rule]];
                found.decides = true;
                found
                    .earlier
                    .extend(chain[..at].iter().map(|&other| positions[other]));
                if atom.has_ports() && (cell < member_base || cell >= network_base) {
                    push_range(&mut found.decided_ports, port_range);
                }
                // Without this rule, the packets it decides go to the next rules of the chain
                // up to the next rule that matches all of the cell, or to the default.
                let next_whole = chain[at + 1..]
                    .iter()
                    .position(|&other| prepared[other].whole)
                    .map(|offset| at + 1 + offset);
                let stop = next_whole.map_or(chain.len(), |at| at + 1);
                let verdict = policy_verdict(prepared[rule].pooled.rule.policy);
                let successors = &chain[at + 1..stop];
                let same = successors
                    .iter()
                    .all(|&other| policy_verdict(prepared[other].pooled.rule.policy) == verdict)
                    && (next_whole.is_some() || default == verdict);
                let found = &mut local[positions[rule]];
                if same {
                    found
                        .takeover
                        .extend(successors.iter().map(|&other| positions[other]));
                    if next_whole.is_none() {
                        found.default_takeover = true;
                    }
                } else {
                    found.differs = true;
                }
            }
        }
        // Rules that match a cell but come after its deciders: the deciders go first.
        for &rule in &covering {
            for &cell in &prepared[rule].cells {
                let chain = &chains[cell];
                let first_whole = chain.iter().position(|&other| prepared[other].whole);
                let deciders = first_whole.map_or(chain.len(), |at| at + 1);
                if chain[..deciders].contains(&rule) {
                    continue;
                }
                let earlier: Vec<usize> = chain[..deciders]
                    .iter()
                    .map(|&other| positions[other])
                    .collect();
                local[positions[rule]].earlier.extend(earlier);
            }
        }
        for &cell in &touched {
            chains[cell].clear();
            wholes[cell] = 0;
        }
        touched.clear();
    }
}

/// Adds a port range to a sorted list, merging it with the last range when they touch.
fn push_range(ranges: &mut Vec<(u16, u16)>, range: (u16, u16)) {
    if let Some(last) = ranges.last_mut() {
        if u32::from(last.1) + 1 >= u32::from(range.0) && range.0 >= last.0 {
            last.1 = last.1.max(range.1);
            return;
        }
    }
    ranges.push(range);
}

/// The facts of [`analyse`] in the form the lint reads: rule numbers for keys, ports as sorted
/// ranges that do not touch, and the takeover only where it means something.
fn numbered(topology: &Topology) -> super::space::Facts<'_> {
    use super::space::{Facts, RuleNumber};
    let mut facts = Facts::numbered(topology);
    for ((group, index), found) in analyse(topology) {
        let number_of = |(group, index): &RuleKey| facts.first_number(group) + *index as RuleNumber;
        let number = number_of(&(group, index));
        let earlier: Vec<RuleNumber> = found.earlier.iter().map(number_of).collect();
        let takeover: Vec<RuleNumber> = found.takeover.iter().map(number_of).collect();
        let mut ports = found.decided_ports.clone();
        crate::sort::sort(&mut ports);
        let mut decided_ports: Vec<(u16, u16)> = Vec::new();
        for (start, end) in ports {
            match decided_ports.last_mut() {
                Some(last) if u32::from(start) <= u32::from(last.1) + 1 => {
                    last.1 = last.1.max(end);
                }
                _ => decided_ports.push((start, end)),
            }
        }
        if let Some(slot) = facts.get_mut(number) {
            *slot = super::space::RuleFacts {
                carried: found.carried,
                decides: found.decides,
                earlier,
                same_without: found.same_without,
                takeover: if found.same_without {
                    takeover
                } else {
                    Vec::new()
                },
                default_takeover: found.default_takeover.filter(|_| found.same_without),
                decided_ports,
            };
        }
    }
    facts
}

mod tests {
    use proptest::prelude::*;

    use crate::generate::{generate, GenParams, Shape};

    /// Checks that the fast analysis finds exactly the facts of the cell-by-cell one, so that
    /// the lint's findings and the effects of every rule are the same.
    fn agrees(seed: u64, shape: Shape, endpoints: usize, groups: usize, rules: usize) {
        super::fixed::agrees(&generate(
            seed,
            &GenParams::of_shape(shape, endpoints, groups, rules),
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Random topologies of every shape.
        #[test]
        fn the_fast_analysis_agrees_with_the_reference(
            seed in any::<u64>(),
            shape in prop::sample::select(Shape::ALL.to_vec()),
            endpoints in 1usize..40,
            groups in 1usize..10,
            rules in 0usize..150,
        ) {
            agrees(seed, shape, endpoints, groups, rules);
        }

        /// Few groups with many rules, so that a side pools more than 64, 128 or 192 rules and
        /// the bitsets span several words.
        #[test]
        fn the_fast_analysis_agrees_on_large_pools(
            seed in any::<u64>(),
            shape in prop::sample::select(Shape::ALL.to_vec()),
            endpoints in 1usize..16,
            groups in 1usize..4,
            rules in 150usize..500,
        ) {
            agrees(seed, shape, endpoints, groups, rules);
        }
    }
}

/// Fixed cases of the comparison above, fast enough for every run of the unit tests (and of
/// the mutation testing, which leaves the property tests out): topologies written to reach the
/// edges of the fast analysis (the ends of both address families, touching blocks and ports,
/// pools past a bitset word, members and hosts), and a few generated topologies of every shape.
#[cfg(test)]
mod fixed {
    use super::super::effect::effect_of;
    use super::super::space::{self, RuleNumber};
    use super::super::{added_rule_effect, findings_of, lint};
    use super::numbered;
    use crate::generate::{generate, GenParams, Shape};
    use crate::load::parse_sglab;
    use crate::model::{GroupId, Topology};
    use crate::validate::Limits;

    /// The fast analysis has the reference's facts, findings and added-rule effects.
    pub(super) fn agrees(topology: &Topology) {
        let fast = space::analyse(topology);
        let reference = numbered(topology);
        assert_eq!(fast.len(), reference.len());
        for number in 0..fast.len() as RuleNumber {
            assert_eq!(
                fast.get(number),
                reference.get(number),
                "rule {:?}",
                fast.key(number)
            );
        }
        let limits = Limits::default();
        assert_eq!(
            lint(topology, &limits),
            findings_of(topology, &limits, &reference)
        );
        for (group, holder) in &topology.groups {
            for index in 0..holder.rules.len() {
                assert_eq!(
                    added_rule_effect(topology, group, index),
                    effect_of(topology, &reference, group, index),
                    "{group} rule {index}"
                );
            }
        }
    }

    fn load(text: &str) -> Topology {
        parse_sglab(text, None).expect("a valid topology").topology
    }

    /// Blocks at both ends of both families, touching blocks and port ranges, an address
    /// shared by two members, a public address, pods on their node, a group peer, source
    /// ports of part and of all the range.
    #[test]
    fn the_edges_of_the_address_and_port_lines_agree() {
        let rule = |policy: &str, priority: u8, protocol: &str, ports: &str, peer: &str| {
            format!(
                r#"{{"direction": "ingress", "policy": "{policy}", "priority": {priority}, "protocol": "{protocol}", "port_range": "{ports}", {peer}}}"#
            )
        };
        let web = [
            rule("drop", 1, "tcp", "1/1", r#""cidr": "255.255.255.0/24""#),
            rule(
                "accept",
                2,
                "tcp",
                "1/100",
                r#""cidr": "255.255.255.128/25""#,
            ),
            rule("accept", 2, "tcp", "1/100", r#""cidr": "255.255.255.0/25""#),
            rule("accept", 3, "tcp", "65535/65535", r#""cidr": "0.0.0.0/0""#),
            rule("accept", 3, "tcp", "65534/65535", r#""cidr": "0.0.0.0/1""#),
            rule(
                "accept",
                3,
                "tcp",
                "65534/65535",
                r#""cidr": "128.0.0.0/1""#,
            ),
            rule("drop", 4, "udp", "1/65535", r#""ipv6_cidr": "ffff::/16""#),
            rule("accept", 5, "udp", "1/65535", r#""ipv6_cidr": "::/0""#),
            rule("accept", 5, "udp", "1/65535", r#""ipv6_cidr": "8000::/1""#),
            rule(
                "accept",
                6,
                "tcp",
                "100/200",
                r#""prefix_list": "pl-edges""#,
            ),
            rule("accept", 6, "tcp", "150/150", r#""cidr": "10.0.0.0/24""#),
            rule("accept", 7, "tcp", "201/300", r#""group": "sg-pods""#),
            rule("drop", 7, "tcp", "300/300", r#""cidr": "10.0.1.5/32""#),
            rule("accept", 8, "all", "-1/-1", r#""cidr": "10.0.0.0/16""#),
            rule(
                "accept",
                1,
                "tcp",
                "400/400",
                r#""cidr": "192.168.0.0/16", "source_port_range": "1024/65535""#,
            ),
            rule(
                "accept",
                1,
                "tcp",
                "400/400",
                r#""cidr": "192.168.0.0/16", "source_port_range": "1/65535""#,
            ),
        ];
        let text = format!(
            r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}, {{"id": "vpc-2", "cidr": "10.0.0.0/16"}}],
            "prefix_lists": [{{"id": "pl-edges", "cidrs": ["0.0.0.0/32", "0.0.0.1/32", "255.255.255.255/32", "::/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128", "10.0.0.0/25", "10.0.0.128/25"]}}],
            "security_groups": [{{"id": "sg-web", "vpc": "vpc-1", "rules": [{}]}},
              {{"id": "sg-pods", "vpc": "vpc-1", "rules": [{}]}},
              {{"id": "sg-other", "vpc": "vpc-2", "rules": [{}]}}],
            "clusters": [{{"id": "k", "vpc": "vpc-1", "network_mode": "terway_trunk"}}],
            "endpoints": [
              {{"id": "web", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.1.5", "public_ip": "47.0.0.1", "groups": ["sg-web"]}},
              {{"id": "twin", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.1.5", "groups": ["sg-pods"]}},
              {{"id": "node", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.1.6", "groups": ["sg-web", "sg-pods"]}},
              {{"id": "pod", "kind": "pod", "cluster": "k", "node": "node", "private_ip": "10.0.2.7", "groups": ["sg-pods"]}},
              {{"id": "far", "kind": "ecs", "vpc": "vpc-2", "private_ip": "10.0.1.5", "groups": ["sg-other"]}}]}}"#,
            web.join(", "),
            [
                rule("accept", 1, "tcp", "201/300", r#""group": "sg-web""#),
                rule("drop", 2, "all", "-1/-1", r#""cidr": "10.0.1.6/32""#),
                rule("accept", 3, "all", "-1/-1", r#""cidr": "10.0.0.0/8""#),
            ]
            .join(", "),
            rule("accept", 1, "tcp", "1/65535", r#""cidr": "10.0.1.5/32""#),
        );
        agrees(&load(&text));
    }

    /// A group with an ENI in another VPC (which validation refuses, and which is no member in
    /// this one), and a member's address that an external host presents without a group
    /// identity too.
    #[test]
    fn members_of_another_vpc_and_of_an_external_host_s_address_agree() {
        let text = r#"{"sglab": 1,
            "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}, {"id": "vpc-2", "cidr": "10.0.0.0/16"}],
            "security_groups": [
              {"id": "sg-app", "vpc": "vpc-1", "rules": [
                {"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "80/80", "group": "sg-shared"},
                {"direction": "ingress", "policy": "drop", "priority": 2, "protocol": "tcp", "port_range": "80/80", "cidr": "10.0.1.5/32"},
                {"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "81/81", "group": "sg-shared"},
                {"direction": "ingress", "policy": "drop", "priority": 2, "protocol": "tcp", "port_range": "81/81", "cidr": "10.0.1.7/32"}]},
              {"id": "sg-shared", "vpc": "vpc-1"},
              {"id": "sg-other", "vpc": "vpc-2"}],
            "endpoints": [
              {"id": "app", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.2.1", "groups": ["sg-app"]},
              {"id": "near", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.1.5", "groups": ["sg-shared"]},
              {"id": "far", "kind": "ecs", "vpc": "vpc-2", "private_ip": "10.0.1.7", "groups": ["sg-other"]},
              {"id": "ext", "kind": "external", "cidr": "10.0.1.5"},
              {"id": "office", "kind": "external", "cidr": "10.0.1.0/30"}]}"#;
        let mut topology = load(text);
        for endpoint in topology.endpoints.values_mut() {
            if endpoint.id.as_str() == "far" {
                for eni in &mut endpoint.enis {
                    eni.groups.push(GroupId::from("sg-shared"));
                }
            }
        }
        agrees(&topology);
    }

    /// A pool of more than 64 rules (two words a bitset) with rules of each protocol, so that
    /// the protocols' rule sets are compared a word range at a time, and a rule decided by
    /// rules of both words.
    #[test]
    fn a_pool_past_one_word_with_every_protocol_agrees() {
        let mut rules: Vec<String> = (1..=70)
            .map(|port| {
                format!(
                    r#"{{"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "{port}/{port}", "cidr": "10.0.0.0/8"}}"#
                )
            })
            .collect();
        for protocol in ["udp", "icmp", "icmpv6", "gre"] {
            let peer = if protocol == "icmpv6" {
                r#""ipv6_cidr": "fd00::/8""#
            } else {
                r#""cidr": "10.0.0.0/8""#
            };
            let ports = if protocol == "udp" { "53/53" } else { "-1/-1" };
            rules.push(format!(
                r#"{{"direction": "ingress", "priority": 2, "protocol": "{protocol}", "port_range": "{ports}", {peer}}}"#
            ));
        }
        // Decided by the 70 rules before it, 6 of them in the second word.
        rules.push(
            r#"{"direction": "ingress", "priority": 3, "protocol": "tcp", "port_range": "1/70", "cidr": "10.0.0.0/8"}"#
                .to_owned(),
        );
        let text = format!(
            r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}],
            "security_groups": [{{"id": "sg-big", "rules": [{}]}}],
            "endpoints": [{{"id": "a", "kind": "ecs", "private_ip": "10.0.1.1", "groups": ["sg-big"]}}]}}"#,
            rules.join(", ")
        );
        agrees(&load(&text));
    }

    #[test]
    fn generated_topologies_of_every_shape_agree() {
        for shape in Shape::ALL {
            for seed in 0..2 {
                agrees(&generate(seed, &GenParams::of_shape(shape, 10, 4, 40)));
            }
        }
        agrees(&generate(
            7,
            &GenParams::of_shape(Shape::FreeCombos, 6, 2, 200),
        ));
    }

    /// Two rules that match only part of a cell (their source ports) before the whole ones:
    /// the scan of a cell's rules goes on past them to the whole drop that decides and the
    /// accept it shadows.
    #[test]
    fn partial_rules_before_whole_ones_agree() {
        let text = r#"{"sglab": 1, "vpcs": [{"id": "vpc-1", "cidr": "10.0.0.0/16"}],
            "security_groups": [{"id": "sg-a", "vpc": "vpc-1", "rules": [
              {"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "22/22", "cidr": "10.0.0.0/16", "source_port_range": "1000/2000"},
              {"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "22/22", "cidr": "10.0.0.0/16", "source_port_range": "3000/4000"},
              {"direction": "ingress", "policy": "drop", "priority": 3, "protocol": "tcp", "port_range": "22/22", "cidr": "10.0.0.0/16"},
              {"direction": "ingress", "priority": 4, "protocol": "tcp", "port_range": "22/22", "cidr": "10.0.0.0/16"},
              {"direction": "ingress", "priority": 5, "protocol": "tcp", "port_range": "22/23", "cidr": "10.0.0.0/16"}]}],
            "endpoints": [
              {"id": "a", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.0.5", "groups": ["sg-a"]},
              {"id": "b", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.0.6", "groups": ["sg-a"]}]}"#;
        agrees(&load(text));
        // The same rules in a pool of more than 64, so that each rule's row of the deciders
        // before it is more than one word wide.
        let fillers: Vec<String> = (0..70)
            .map(|at| {
                format!(
                    r#"{{"direction": "ingress", "priority": 50, "protocol": "tcp", "port_range": "{port}/{port}", "cidr": "10.0.0.0/16"}}"#,
                    port = 1000 + at
                )
            })
            .collect();
        let wide = text.replace(
            r#""rules": ["#,
            &format!(r#""rules": [{}, "#, fillers.join(", ")),
        );
        agrees(&load(&wide));
    }

    /// A cell whose first rule matching all of it on every port (an accept of every port) is
    /// past the first word of the pool, after 70 drops of single ports, walked after another
    /// cell of the same rules has shown every drop, but not the accept, to decide differently
    /// from its replacement: a rule of its own after the accept (of some source ports) still
    /// takes over from the accept where it starts, and the drops of the second word still
    /// decide only their own ports.
    #[test]
    fn a_cell_whose_first_full_rule_is_past_the_first_word_agrees() {
        let mut rules: Vec<String> = (0..70)
            .map(|at| {
                format!(
                    r#"{{"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "tcp", "port_range": "{port}/{port}", "cidr": "10.0.0.0/16"}}"#,
                    port = 1000 + at
                )
            })
            .collect();
        rules.extend([
            r#"{"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "1/65535", "cidr": "10.0.0.0/16"}"#.to_owned(),
            r#"{"direction": "ingress", "priority": 3, "protocol": "tcp", "port_range": "3000/3000", "cidr": "10.0.5.0/24", "source_port_range": "1000/2000"}"#.to_owned(),
            r#"{"direction": "ingress", "priority": 3, "protocol": "tcp", "port_range": "1/65535", "cidr": "10.0.0.0/16"}"#.to_owned(),
        ]);
        let text = format!(
            r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}],
            "security_groups": [{{"id": "sg-a", "vpc": "vpc-1", "rules": [{}]}}],
            "endpoints": [{{"id": "a", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.0.5", "groups": ["sg-a"]}}]}}"#,
            rules.join(", ")
        );
        agrees(&load(&text));
    }

    /// `sg-app` (its one endpoint `app`) drops TCP 80 from `drop` at priority 1 and accepts it
    /// from the group `sg-peer` at priority 2, after `fillers` (rules as JSON); `members` are
    /// the endpoints of `sg-peer`, as (id, private address).
    fn app_behind_a_drop(fillers: &[String], drop: &str, members: &[(String, String)]) -> Topology {
        let rules: Vec<String> = fillers
            .iter()
            .cloned()
            .chain([
                format!(
                    r#"{{"direction": "ingress", "policy": "drop", "priority": 1, "protocol": "tcp", "port_range": "80/80", "cidr": "{drop}"}}"#
                ),
                r#"{"direction": "ingress", "priority": 2, "protocol": "tcp", "port_range": "80/80", "group": "sg-peer"}"#.to_owned(),
            ])
            .collect();
        let endpoints: Vec<String> = std::iter::once(
            r#"{"id": "app", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.2.1", "groups": ["sg-app"]}"#.to_owned(),
        )
        .chain(members.iter().map(|(id, address)| {
            format!(
                r#"{{"id": "{id}", "kind": "ecs", "vpc": "vpc-1", "private_ip": "{address}", "groups": ["sg-peer"]}}"#
            )
        }))
        .collect();
        load(&format!(
            r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}],
            "security_groups": [{{"id": "sg-app", "vpc": "vpc-1", "rules": [{}]}}, {{"id": "sg-peer", "vpc": "vpc-1"}}],
            "endpoints": [{}]}}"#,
            rules.join(", "),
            endpoints.join(", ")
        ))
    }

    /// A group of 70 members named by a group rule, so that the members a side's rules name
    /// fill more than one word, and a drop of the last member's address before the accept of
    /// the group: the accept is decided there by the drop.
    #[test]
    fn members_past_one_word_agree() {
        let members: Vec<(String, String)> = (1..=70)
            .map(|at| (format!("peer-{at}"), format!("10.0.1.{at}")))
            .collect();
        agrees(&app_behind_a_drop(&[], "10.0.1.70/32", &members));
    }

    /// A side of 72 rules, so that its signatures take two words, with members named by a
    /// group rule on both sides of a drop's block (in different address intervals, past the
    /// first): each member's signature is read from its own interval's words, and the named
    /// group's rules are added to its own words.
    #[test]
    fn named_members_of_a_two_word_side_agree() {
        let fillers: Vec<String> = (1..=70)
            .map(|at| {
                format!(
                    r#"{{"direction": "ingress", "priority": 50, "protocol": "udp", "port_range": "{at}/{at}", "cidr": "192.168.{at}.0/24"}}"#
                )
            })
            .collect();
        let members = [
            ("peer-low", "10.0.1.10"),
            ("peer-high", "10.0.1.200"),
            ("peer-higher", "10.0.1.201"),
        ]
        .map(|(id, address)| (id.to_owned(), address.to_owned()));
        agrees(&app_behind_a_drop(&fillers, "10.0.1.128/25", &members));
    }

    /// An address that three members of the named group share, dropped before the accept of
    /// the group: nothing presents it without a group identity, so it is no address cell of
    /// its own, and the accept is decided there by the drop for the three members.
    #[test]
    fn an_address_three_named_members_share_agrees() {
        let members =
            ["peer-a", "peer-b", "peer-c"].map(|id| (id.to_owned(), "10.0.1.5".to_owned()));
        agrees(&app_behind_a_drop(&[], "10.0.1.5/32", &members));
    }

    /// A side of 70 group rules (two words), each naming a group of its own with one member,
    /// all the members in one address interval: each member's named groups tell its cell from
    /// the others', past the 16 groups a set of slots holds when the slots are multiplied by
    /// the width and past the 64 a word holds.
    #[test]
    fn members_of_seventy_named_groups_in_one_interval_agree() {
        let rules: Vec<String> = (0..70)
            .map(|at| {
                format!(
                    r#"{{"direction": "ingress", "priority": 1, "protocol": "tcp", "port_range": "80/80", "group": "sg-peer-{at}"}}"#
                )
            })
            .collect();
        let groups: Vec<String> = (0..70)
            .map(|at| format!(r#"{{"id": "sg-peer-{at}", "vpc": "vpc-1"}}"#))
            .collect();
        let members: Vec<String> = (0..70)
            .map(|at| {
                format!(
                    r#"{{"id": "peer-{at}", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.1.{}", "groups": ["sg-peer-{at}"]}}"#,
                    at + 1
                )
            })
            .collect();
        let text = format!(
            r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}],
            "security_groups": [{{"id": "sg-app", "vpc": "vpc-1", "rules": [{}]}}, {}],
            "endpoints": [{{"id": "app", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.2.1", "groups": ["sg-app"]}}, {}]}}"#,
            rules.join(", "),
            groups.join(", "),
            members.join(", ")
        );
        agrees(&load(&text));
    }

    /// A side of 79 rules (two words) with three external networks, each of whose halves a
    /// drop takes before the accept of the whole network: each accept decides only the
    /// packets of its network's own cell, read from that network's words.
    #[test]
    fn external_networks_of_a_two_word_side_agree() {
        let rule = |policy: &str, priority: u8, protocol: &str, port: u32, cidr: &str| {
            format!(
                r#"{{"direction": "ingress", "policy": "{policy}", "priority": {priority}, "protocol": "{protocol}", "port_range": "{port}/{port}", "cidr": "{cidr}"}}"#
            )
        };
        let mut rules: Vec<String> = Vec::new();
        for network in 1..=3 {
            for (policy, priority, block) in [
                ("drop", 1, "0/25"),
                ("drop", 1, "128/25"),
                ("accept", 3, "0/24"),
            ] {
                let cidr = format!("172.16.{network}.{block}");
                rules.push(rule(policy, priority, "tcp", 80, &cidr));
            }
        }
        rules
            .extend((1..=70).map(|at| rule("accept", 2, "udp", at, &format!("192.168.{at}.0/24"))));
        let offices: Vec<String> = (1..=3)
            .map(|network| {
                format!(r#"{{"id": "office-{network}", "kind": "external", "cidr": "172.16.{network}.0/24"}}"#)
            })
            .collect();
        let text = format!(
            r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}],
            "security_groups": [{{"id": "sg-app", "vpc": "vpc-1", "rules": [{}]}}],
            "endpoints": [{{"id": "app", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.2.1", "groups": ["sg-app"]}}, {}]}}"#,
            rules.join(", "),
            offices.join(", ")
        );
        agrees(&load(&text));
    }

    /// A side of 73 rules (two words) where a drop of TCP 80 and an accept of UDP 53 take the
    /// one address of a member named by the accept of TCP 80, after a member of another group
    /// named only by a UDP rule, past 70 address intervals of single addresses: the address
    /// is no address cell for TCP, as the accept names its member, which is read from its own
    /// words, and is one for UDP, read from its own interval's words.
    #[test]
    fn a_member_s_own_address_on_a_two_word_side_agrees() {
        let rule = |policy: &str, priority: u8, protocol: &str, port: u32, peer: &str| {
            format!(
                r#"{{"direction": "ingress", "policy": "{policy}", "priority": {priority}, "protocol": "{protocol}", "port_range": "{port}/{port}", {peer}}}"#
            )
        };
        let mut rules: Vec<String> = (1..=70)
            .map(|at| {
                rule(
                    "accept",
                    50,
                    "udp",
                    at,
                    &format!(r#""cidr": "10.0.0.{at}/32""#),
                )
            })
            .collect();
        rules.extend([
            rule("drop", 1, "tcp", 80, r#""cidr": "10.0.1.5/32""#),
            rule("accept", 2, "tcp", 80, r#""group": "sg-peer""#),
            rule("accept", 3, "udp", 53, r#""group": "sg-other""#),
            rule("accept", 3, "udp", 53, r#""cidr": "10.0.1.5/32""#),
        ]);
        let text = format!(
            r#"{{"sglab": 1, "vpcs": [{{"id": "vpc-1", "cidr": "10.0.0.0/16"}}],
            "security_groups": [{{"id": "sg-app", "vpc": "vpc-1", "rules": [{}]}},
              {{"id": "sg-peer", "vpc": "vpc-1"}}, {{"id": "sg-other", "vpc": "vpc-1"}}],
            "endpoints": [
              {{"id": "app", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.2.1", "groups": ["sg-app"]}},
              {{"id": "peer", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.1.5", "groups": ["sg-peer"]}},
              {{"id": "other", "kind": "ecs", "vpc": "vpc-1", "private_ip": "10.0.1.1", "groups": ["sg-other"]}}]}}"#,
            rules.join(", ")
        );
        agrees(&load(&text));
    }
}
