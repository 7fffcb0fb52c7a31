//! A brute-force reference evaluator: the test oracle of the engine.
//!
//! It applies reference §1-4 literally: for every port, it works out which ENI filters each
//! party and which addresses the packet carries, pools the rules of the direction from the
//! ENI's groups, sorts them by priority (drop before accept at equal priority), and takes the
//! first rule whose every field matches; when none does, the group type's default. No boundary
//! sweep, no equivalence classes, no caching. It is slow on purpose (a full TCP port set
//! evaluates 65,535 ports) and exists so that property tests and benchmarks can compare the
//! engine ([`crate::eval::explain`], [`crate::portset::port_set`], [`crate::matrix::matrix`])
//! against something obviously right. Do not use it to answer users.
//!
//! It is written apart from the engine on purpose: routing, intra-group access, rule matching,
//! ordering, defaults and the TCP 25 block are all decided here again, so that a mistake in the
//! engine's version shows up as a disagreement. It shares only the model, [`RuleRef`] and the
//! lookup of the endpoints that own an address. It answers with [`Outcome`]s, the engine's
//! decisions without their words: the wording is the engine's alone and is tested by golden
//! texts.
//!
//! ```
//! use sglab_core::eval::Party;
//! use sglab_core::model::{Protocol, Topology, Verdict};
//! use sglab_core::reference::{reference_verdict, Outcome};
//!
//! let topology = Topology::default();
//! let from = Party::Address("198.51.100.1".parse().unwrap());
//! let to = Party::Address("203.0.113.9".parse().unwrap());
//! let answer = reference_verdict(&topology, &from, &to, Protocol::Udp, Some(53));
//! assert_eq!(answer.verdict, Verdict::Allow);
//! assert_eq!(answer.egress, Outcome::NotApplicable);
//! ```

use std::collections::BTreeMap;
use std::net::IpAddr;

use ipnet::IpNet;

use crate::eval::route::endpoints_with_address;
use crate::eval::Party;
use crate::explain::{Blocker, Decision, RuleRef};
use crate::model::{
    Direction, Endpoint, EndpointId, EndpointKind, GroupId, GroupType, InnerAccessPolicy,
    NetworkMode, Peer, Policy, PortRange, PortSpec, Protocol, Rule, Topology, Verdict, VpcId,
};

/// What decided one side: an engine [`Decision`] without its words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The first matching rule.
    Rule(RuleRef),
    /// No rule matched: the default of the ENI's groups.
    Default(Verdict),
    /// Both ENIs are in this basic group, whose InnerAccessPolicy is Accept.
    IntraGroup(GroupId),
    /// The platform decided: the outbound TCP 25 block, or no address reaches the target.
    Platform(Verdict),
    /// The side filters nothing: it is outside every VPC, or the traffic stays on one node.
    NotApplicable,
}

impl Outcome {
    /// The verdict this outcome gives its side.
    pub fn verdict(&self) -> Verdict {
        match self {
            Outcome::Rule(rule) => rule.verdict(),
            Outcome::Default(verdict) | Outcome::Platform(verdict) => *verdict,
            Outcome::IntraGroup(_) | Outcome::NotApplicable => Verdict::Allow,
        }
    }
}

impl From<&Decision> for Outcome {
    fn from(decision: &Decision) -> Outcome {
        match decision {
            Decision::Rule(rule) => Outcome::Rule(rule.clone()),
            Decision::Default { verdict, .. } => Outcome::Default(*verdict),
            Decision::IntraGroup { security_group } => Outcome::IntraGroup(security_group.clone()),
            Decision::Platform { verdict, .. } => Outcome::Platform(*verdict),
            Decision::NotApplicable { .. } => Outcome::NotApplicable,
        }
    }
}

/// Something that denies, as the reference sees it: an engine [`Blocker`] without its words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceBlocker {
    /// The side; `None` when no address reaches the target.
    pub side: Option<Direction>,
    /// What denies.
    pub outcome: Outcome,
}

impl From<&Blocker> for ReferenceBlocker {
    fn from(blocker: &Blocker) -> ReferenceBlocker {
        ReferenceBlocker {
            side: blocker.side,
            outcome: Outcome::from(&blocker.decision),
        }
    }
}

/// The reference's answer for one connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReferenceAnswer {
    /// Allow when both sides allow.
    pub verdict: Verdict,
    /// What decided the source's egress.
    pub egress: Outcome,
    /// What decided the target's ingress.
    pub ingress: Outcome,
    /// Every decision that denies (see [`crate::explain::Explanation::blockers`]).
    pub blockers: Vec<ReferenceBlocker>,
}

/// The verdict and deciding outcomes for one connection, by brute force.
pub fn reference_verdict(
    topology: &Topology,
    from: &Party,
    to: &Party,
    protocol: Protocol,
    port: Option<u16>,
) -> ReferenceAnswer {
    let port = if protocol.has_ports() { port } else { None };
    let source = Host::of(topology, from);
    let target = Host::of(topology, to);
    let path = path(&source, &target, protocol);
    answer(topology, &path, &source, &target, protocol, port)
}

/// The allowed ports over all of `1..=65535`, one port at a time.
pub fn reference_port_set(
    topology: &Topology,
    from: &Party,
    to: &Party,
    protocol: Protocol,
) -> Vec<PortRange> {
    reference_port_set_in(topology, from, to, protocol, PortRange::ALL)
}

/// The allowed ports within `ports`, one port at a time. For protocols without ports the answer
/// is `ports` itself or nothing.
pub fn reference_port_set_in(
    topology: &Topology,
    from: &Party,
    to: &Party,
    protocol: Protocol,
    ports: PortRange,
) -> Vec<PortRange> {
    let source = Host::of(topology, from);
    let target = Host::of(topology, to);
    let path = path(&source, &target, protocol);
    if !protocol.has_ports() {
        let verdict = answer(topology, &path, &source, &target, protocol, None).verdict;
        return if verdict == Verdict::Allow {
            vec![ports]
        } else {
            Vec::new()
        };
    }
    let mut allowed: Vec<(u16, u16)> = Vec::new();
    for port in ports.start()..=ports.end() {
        let verdict = answer(topology, &path, &source, &target, protocol, Some(port)).verdict;
        if verdict == Verdict::Allow {
            match allowed.last_mut() {
                Some(last) if u32::from(last.1) + 1 == u32::from(port) => last.1 = port,
                _ => allowed.push((port, port)),
            }
        }
    }
    allowed
        .into_iter()
        .filter_map(|(start, end)| PortRange::new(start, end).ok())
        .collect()
}

/// The allowed ports of every ordered pair of distinct endpoints, for each protocol, by brute
/// force. Pairs with nothing allowed are listed with an empty list.
pub fn reference_matrix(
    topology: &Topology,
    protocols: &[Protocol],
) -> BTreeMap<(EndpointId, EndpointId, Protocol), Vec<PortRange>> {
    let mut cells = BTreeMap::new();
    for from in topology.endpoints.keys() {
        for to in topology.endpoints.keys() {
            if from == to {
                continue;
            }
            for &protocol in protocols {
                let ports = reference_port_set(
                    topology,
                    &Party::Endpoint(from.clone()),
                    &Party::Endpoint(to.clone()),
                    protocol,
                );
                cells.insert((from.clone(), to.clone(), protocol), ports);
            }
        }
    }
    cells
}

/// One party read straight from the model (reference §1 objects, `docs/semantics.md` §1).
struct Host<'t> {
    /// The endpoint id, or the address of an ad-hoc host.
    id: String,
    /// The party names an endpoint id that does not exist.
    missing: bool,
    /// The VPC; `None` outside every VPC.
    vpc: Option<&'t VpcId>,
    /// The groups of the ENI that filters its traffic.
    groups: Vec<&'t GroupId>,
    /// Its addresses inside its VPC.
    private_ips: Vec<IpAddr>,
    /// Whether those addresses are addresses of the filtering ENI (not a Flannel pod IP).
    on_eni: bool,
    /// Where others reach it from outside its VPC.
    public_in: Option<IpAddr>,
    /// What it is seen as when it talks outside its VPC.
    public_out: Option<IpAddr>,
    /// Outside every VPC: the block it is.
    outside: Option<IpNet>,
    /// The node it runs on (itself for an instance or a gateway node).
    node: Option<&'t EndpointId>,
    /// Whether it is a pod.
    pod: bool,
}

impl<'t> Host<'t> {
    fn of(topology: &'t Topology, party: &Party) -> Host<'t> {
        let endpoint = match party {
            Party::Endpoint(id) => topology.endpoints.get(id),
            Party::Address(address) => endpoints_with_address(topology, *address).first().copied(),
        };
        if let Some(endpoint) = endpoint {
            return Host::of_endpoint(topology, endpoint);
        }
        let (id, missing, outside) = match party {
            Party::Endpoint(id) => (id.0.clone(), true, None),
            Party::Address(address) => (address.to_string(), false, Some(IpNet::from(*address))),
        };
        Host {
            id,
            missing,
            vpc: None,
            groups: Vec::new(),
            private_ips: Vec::new(),
            on_eni: false,
            public_in: None,
            public_out: None,
            outside,
            node: None,
            pod: false,
        }
    }

    fn of_endpoint(topology: &'t Topology, endpoint: &'t Endpoint) -> Host<'t> {
        let mut host = Host {
            id: endpoint.id.0.clone(),
            missing: false,
            vpc: endpoint.vpc.as_ref(),
            groups: Vec::new(),
            private_ips: Vec::new(),
            on_eni: true,
            public_in: endpoint.public_ip,
            public_out: endpoint.public_ip,
            outside: None,
            node: Some(&endpoint.id),
            pod: false,
        };
        let own_eni = endpoint.enis.first();
        match &endpoint.kind {
            EndpointKind::External { cidr } => {
                host.vpc = None;
                host.on_eni = false;
                host.public_in = None;
                host.public_out = None;
                host.outside = Some(*cidr);
                host.node = None;
            }
            EndpointKind::Ecs | EndpointKind::GatewayNode { .. } => {
                if let Some(eni) = own_eni {
                    host.groups = unique(&eni.groups);
                    host.private_ips = eni.private_ips.clone();
                }
            }
            EndpointKind::Pod { cluster, node } => {
                host.pod = true;
                host.node = Some(node);
                let node = topology.endpoints.get(node);
                if host.vpc.is_none() {
                    host.vpc = node.and_then(|node| node.vpc.as_ref());
                }
                // A pod of a cluster that does not exist: with an ENI of its own it is a trunk
                // pod, else it shares its node's.
                let mode = match topology.clusters.get(cluster) {
                    Some(cluster) => cluster.network_mode,
                    None if endpoint.enis.is_empty() => NetworkMode::TerwayShared,
                    None => NetworkMode::TerwayTrunk,
                };
                if mode == NetworkMode::TerwayTrunk {
                    // Its own ENI filters it and carries its address.
                    if let Some(eni) = own_eni {
                        host.groups = unique(&eni.groups);
                        host.private_ips = eni.private_ips.clone();
                    }
                    if host.private_ips.is_empty() {
                        host.private_ips = endpoint.pod_ip.into_iter().collect();
                    }
                } else {
                    // The node's primary ENI filters it; its pod IP is a secondary address of
                    // that ENI with Terway, and no ENI address at all with Flannel. It leaves
                    // its VPC through its node's public address when it has none.
                    if let Some(eni) = node.and_then(|node| node.enis.first()) {
                        host.groups = unique(&eni.groups);
                    }
                    host.private_ips = endpoint.pod_ip.into_iter().collect();
                    host.on_eni = mode == NetworkMode::TerwayShared;
                    if host.public_out.is_none() {
                        host.public_out = node.and_then(|node| node.public_ip);
                    }
                }
            }
        }
        host
    }
}

fn unique(groups: &[GroupId]) -> Vec<&GroupId> {
    let mut unique: Vec<&GroupId> = Vec::new();
    for group in groups {
        if !unique.contains(&group) {
            unique.push(group);
        }
    }
    unique
}

/// How a packet goes from the source to the target.
enum Path {
    /// It never crosses an ENI's filter.
    Unfiltered,
    /// No address lets the source reach the target.
    Unreachable,
    /// It leaves the source's ENI and arrives at the target's.
    Crosses {
        /// The source address the target sees.
        from_address: IpNet,
        /// The target address the source sends to.
        to_address: IpNet,
        /// Whether it stays inside one VPC on private addresses.
        same_vpc: bool,
        /// IPv4 or IPv6.
        ipv4: bool,
    },
}

/// Reference §1 and §4: inside one VPC private addresses, else public ones; ICMP over IPv4
/// only, ICMPv6 over IPv6 only, IPv4 preferred otherwise.
fn path(source: &Host<'_>, target: &Host<'_>, protocol: Protocol) -> Path {
    if source.missing || target.missing {
        return Path::Unreachable;
    }
    if source.id == target.id {
        return Path::Unfiltered;
    }
    if source.node.is_some() && source.node == target.node && (source.pod || target.pod) {
        return Path::Unfiltered;
    }
    let families: &[bool] = match protocol {
        Protocol::Icmp => &[true],
        Protocol::Icmpv6 => &[false],
        _ => &[true, false],
    };
    let same_vpc = source.vpc.is_some() && source.vpc == target.vpc;
    for &ipv4 in families {
        let of_family = |address: &IpAddr| address.is_ipv4() == ipv4;
        let (from_address, to_address) = if same_vpc {
            (
                source
                    .private_ips
                    .iter()
                    .copied()
                    .find(of_family)
                    .map(IpNet::from),
                target
                    .private_ips
                    .iter()
                    .copied()
                    .find(of_family)
                    .map(IpNet::from),
            )
        } else {
            let from_address = match source.vpc {
                Some(_) => source.public_out.filter(of_family).map(IpNet::from),
                None => source.outside.filter(|block| of_family(&block.addr())),
            };
            let to_address = match target.vpc {
                Some(_) => target.public_in.filter(of_family).map(IpNet::from),
                None => target.outside.filter(|block| of_family(&block.addr())),
            };
            (from_address, to_address)
        };
        if let (Some(from_address), Some(to_address)) = (from_address, to_address) {
            return Path::Crosses {
                from_address,
                to_address,
                same_vpc,
                ipv4,
            };
        }
    }
    Path::Unreachable
}

fn answer(
    topology: &Topology,
    path: &Path,
    source: &Host<'_>,
    target: &Host<'_>,
    protocol: Protocol,
    port: Option<u16>,
) -> ReferenceAnswer {
    let (egress, ingress, blockers) = match *path {
        Path::Unfiltered => (Outcome::NotApplicable, Outcome::NotApplicable, Vec::new()),
        Path::Unreachable => {
            // The sides in a VPC carry the platform's denial; when neither is, the target's.
            let denied = Outcome::Platform(Verdict::Deny);
            let egress = if source.vpc.is_some() {
                denied.clone()
            } else {
                Outcome::NotApplicable
            };
            let ingress = if target.vpc.is_some() || source.vpc.is_none() {
                denied.clone()
            } else {
                Outcome::NotApplicable
            };
            let blocker = ReferenceBlocker {
                side: None,
                outcome: denied,
            };
            (egress, ingress, vec![blocker])
        }
        Path::Crosses {
            from_address,
            to_address,
            same_vpc,
            ipv4,
        } => {
            let mut blockers = Vec::new();
            let egress = side(
                topology,
                &Side {
                    direction: Direction::Egress,
                    own: source,
                    peer: target,
                    peer_address: to_address,
                    same_vpc,
                    ipv4,
                },
                protocol,
                port,
                &mut blockers,
            );
            let ingress = side(
                topology,
                &Side {
                    direction: Direction::Ingress,
                    own: target,
                    peer: source,
                    peer_address: from_address,
                    same_vpc,
                    ipv4,
                },
                protocol,
                port,
                &mut blockers,
            );
            (egress, ingress, blockers)
        }
    };
    let verdict = if egress.verdict() == Verdict::Allow && ingress.verdict() == Verdict::Allow {
        Verdict::Allow
    } else {
        Verdict::Deny
    };
    ReferenceAnswer {
        verdict,
        egress,
        ingress,
        blockers,
    }
}

/// One ENI's filter for one packet.
struct Side<'h, 't> {
    direction: Direction,
    /// The party whose ENI filters.
    own: &'h Host<'t>,
    /// The other party.
    peer: &'h Host<'t>,
    /// The peer's address as this ENI sees it.
    peer_address: IpNet,
    same_vpc: bool,
    ipv4: bool,
}

/// One side at one port, literally (reference §3), with its blockers (§4).
fn side(
    topology: &Topology,
    side: &Side<'_, '_>,
    protocol: Protocol,
    port: Option<u16>,
    blockers: &mut Vec<ReferenceBlocker>,
) -> Outcome {
    if side.own.vpc.is_none() {
        return Outcome::NotApplicable;
    }
    let direction = side.direction;

    // Step 1: a basic group with InnerAccessPolicy Accept that both ENIs are in lets private
    // traffic through (the smallest id names it).
    if side.same_vpc && side.own.on_eni && side.peer.on_eni {
        let mut shared: Vec<&GroupId> = side
            .own
            .groups
            .iter()
            .copied()
            .filter(|group| side.peer.groups.contains(group))
            .filter(|group| match topology.groups.get(*group) {
                Some(group) => {
                    group.group_type == GroupType::Basic
                        && group.inner_access_policy == InnerAccessPolicy::Accept
                }
                None => false,
            })
            .collect();
        shared.sort();
        if let Some(group) = shared.first() {
            return Outcome::IntraGroup((*group).clone());
        }
    }

    // Step 2: pool every rule of this direction from every group of the ENI.
    let mut pooled: Vec<(&GroupId, usize, &Rule)> = Vec::new();
    for group_id in &side.own.groups {
        if let Some(group) = topology.groups.get(*group_id) {
            for (index, rule) in group.rules.iter().enumerate() {
                if rule.direction == direction {
                    pooled.push((group_id, index, rule));
                }
            }
        }
    }
    // Insertion sort by (priority, drop first, group id, rule index).
    let key = |entry: &(&GroupId, usize, &Rule)| {
        let drop_first = match entry.2.policy {
            Policy::Drop => 0,
            Policy::Accept => 1,
        };
        (
            u32::from(entry.2.priority),
            drop_first,
            entry.0.clone(),
            entry.1,
        )
    };
    for i in 1..pooled.len() {
        let mut j = i;
        while j > 0 && key(&pooled[j - 1]) > key(&pooled[j]) {
            pooled.swap(j - 1, j);
            j -= 1;
        }
    }
    let matching: Vec<&(&GroupId, usize, &Rule)> = pooled
        .iter()
        .filter(|(_, _, rule)| matches(topology, side, protocol, port, rule))
        .collect();

    // Step 3: ingress is denied by default; egress is allowed unless an enterprise group is
    // among the ENI's groups.
    let enterprise = side.own.groups.iter().any(|group| {
        topology
            .groups
            .get(*group)
            .is_some_and(|group| group.group_type == GroupType::Enterprise)
    });
    let default = match (direction, enterprise) {
        (Direction::Ingress, _) | (Direction::Egress, true) => Outcome::Default(Verdict::Deny),
        (Direction::Egress, false) => Outcome::Default(Verdict::Allow),
    };
    let by_rules = match matching.first() {
        Some((group, index, rule)) => Outcome::Rule(RuleRef::new(group, *index, rule)),
        None => default.clone(),
    };

    // The blockers of a denying side: the drops before the first accept, and the default when
    // no accept matches.
    let mut side_blockers = Vec::new();
    if by_rules.verdict() == Verdict::Deny {
        let mut accept_found = false;
        for (group, index, rule) in &matching {
            if rule.policy == Policy::Accept {
                accept_found = true;
                break;
            }
            side_blockers.push(ReferenceBlocker {
                side: Some(direction),
                outcome: Outcome::Rule(RuleRef::new(group, *index, rule)),
            });
        }
        if !accept_found && default.verdict() == Verdict::Deny {
            side_blockers.push(ReferenceBlocker {
                side: Some(direction),
                outcome: default,
            });
        }
    }

    // §4: outbound TCP 25 to outside the VPC is blocked whatever the rules say; a query
    // without a port asks about every port, 25 among them.
    if direction == Direction::Egress
        && !side.same_vpc
        && protocol == Protocol::Tcp
        && (port == Some(25) || port.is_none())
    {
        let platform = Outcome::Platform(Verdict::Deny);
        blockers.push(ReferenceBlocker {
            side: Some(direction),
            outcome: platform.clone(),
        });
        blockers.extend(side_blockers);
        return platform;
    }
    blockers.extend(side_blockers);
    by_rules
}

/// Whether every field of the rule matches the packet.
fn matches(
    topology: &Topology,
    side: &Side<'_, '_>,
    protocol: Protocol,
    port: Option<u16>,
    rule: &Rule,
) -> bool {
    let protocol_ok = rule.protocol == Protocol::All || rule.protocol == protocol;
    let port_ok = if protocol == Protocol::Tcp || protocol == Protocol::Udp {
        let (start, end) = match rule.ports {
            PortSpec::All => (1, 65535),
            PortSpec::Range(range) => (range.start(), range.end()),
        };
        match port {
            Some(port) => start <= port && port <= end,
            None => start == 1 && end == 65535,
        }
    } else {
        true
    };
    // A block matches a peer it contains whole (an external network must lie inside it).
    let peer_ok = match &rule.peer {
        Peer::Cidr(block) => block.contains(&side.peer_address),
        // A group matches the private ENI addresses of its members in the same VPC.
        Peer::Group { id, .. } => {
            side.same_vpc && side.peer.on_eni && side.peer.groups.contains(&id)
        }
        Peer::PrefixList(id) => match topology.prefix_lists.get(id) {
            Some(list) => list
                .cidrs
                .iter()
                .any(|block| block.contains(&side.peer_address)),
            None => false,
        },
    };
    let source_ports_ok = match rule.source_ports {
        None => true,
        Some(range) => range.start() == 1 && range.end() == 65535,
    };
    // The ENI's own private address of the packet's family.
    let local = side
        .own
        .private_ips
        .iter()
        .find(|address| address.is_ipv4() == side.ipv4);
    let local_ok = match (rule.local_cidr, local) {
        (None, _) => true,
        (Some(block), Some(local)) => block.contains(local),
        (Some(_), None) => false,
    };
    protocol_ok && port_ok && peer_ok && source_ports_ok && local_ok
}
