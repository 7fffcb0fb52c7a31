//! Who talks to whom, over which addresses: the part of an evaluation that comes before the
//! rules. It resolves each party to the ENI that filters its traffic and picks the addresses
//! the packet carries, following reference §1 and §4:
//!
//! - inside one VPC the packet carries private addresses;
//! - otherwise the target is reached at its public IP or EIP and the source is seen at its
//!   public address (a Flannel or Terway-shared pod without one of its own leaves through its
//!   node's); an endpoint in a VPC without a public address cannot talk outside it;
//! - an external endpoint or ad-hoc host has no VPC and no group: it is seen at its address or,
//!   for a network, as its whole block.
//!
//! The engine ([`super::explain`], [`crate::portset`], [`crate::matrix`]) shares this module.
//! The reference evaluator ([`crate::reference`]) does not: it routes on its own, so that the
//! property tests check this module too; it borrows only [`endpoints_with_address`].

use std::net::IpAddr;

use ipnet::IpNet;

use crate::model::{
    Direction, Endpoint, EndpointId, EndpointKind, GroupId, GroupType, InnerAccessPolicy,
    NetworkMode, Protocol, Topology, VpcId,
};

use super::Party;

/// One side of a connection as the evaluation sees it.
#[derive(Clone, Debug)]
pub(crate) struct Actor<'t> {
    /// The endpoint id (an ad-hoc host has its address as id).
    pub id: EndpointId,
    /// The name shown to people.
    pub name: String,
    /// The endpoint, `None` for an ad-hoc host or an id that names nothing.
    pub endpoint: Option<&'t Endpoint>,
    /// Whether the party names an endpoint id that does not exist.
    pub missing: bool,
    /// The VPC, `None` outside every VPC.
    pub vpc: Option<&'t VpcId>,
    /// The groups of the ENI that filters the traffic, in the ENI's order, without repeats.
    pub groups: Vec<&'t GroupId>,
    /// The addresses the actor uses inside its VPC (the pod IP for Flannel pods).
    pub private_ips: Vec<IpAddr>,
    /// Whether those addresses belong to the filtering ENI, so that group references and
    /// intra-group access can match them (false for Flannel pods, whose pod IP is not an ENI
    /// address).
    pub eni_addressed: bool,
    /// The public IP or EIP others reach the actor at from outside its VPC.
    pub public_in: Option<IpAddr>,
    /// The public address the actor is seen at when it talks outside its VPC.
    pub public_out: Option<IpAddr>,
    /// For external endpoints and ad-hoc hosts: the address block they are seen as.
    pub external: Option<IpNet>,
    /// The node the actor runs on: a pod's node, an ECS instance itself.
    pub host_node: Option<&'t EndpointId>,
    /// A pod's network mode, for notes.
    pub network_mode: Option<NetworkMode>,
}

impl<'t> Actor<'t> {
    /// Resolves a party of a query.
    pub fn resolve(topology: &'t Topology, party: &Party) -> Actor<'t> {
        match party {
            Party::Endpoint(id) => match topology.endpoints.get(id) {
                Some(endpoint) => Actor::of_endpoint(topology, endpoint),
                None => Actor {
                    missing: true,
                    ..Actor::adhoc(id.clone(), None)
                },
            },
            Party::Address(address) => match endpoints_with_address(topology, *address).first() {
                Some(endpoint) => Actor::of_endpoint(topology, endpoint),
                None => Actor::adhoc(EndpointId(address.to_string()), Some(IpNet::from(*address))),
            },
        }
    }

    fn adhoc(id: EndpointId, external: Option<IpNet>) -> Actor<'t> {
        Actor {
            name: id.0.clone(),
            id,
            endpoint: None,
            missing: false,
            vpc: None,
            groups: Vec::new(),
            private_ips: Vec::new(),
            eni_addressed: false,
            public_in: None,
            public_out: None,
            external,
            host_node: None,
            network_mode: None,
        }
    }

    /// Resolves an endpoint of the topology.
    pub fn of_endpoint(topology: &'t Topology, endpoint: &'t Endpoint) -> Actor<'t> {
        let mut actor = Actor {
            name: if endpoint.name.is_empty() {
                endpoint.id.0.clone()
            } else {
                endpoint.name.clone()
            },
            endpoint: Some(endpoint),
            vpc: endpoint.vpc.as_ref(),
            public_in: endpoint.public_ip,
            public_out: endpoint.public_ip,
            eni_addressed: true,
            ..Actor::adhoc(endpoint.id.clone(), None)
        };
        match &endpoint.kind {
            EndpointKind::External { cidr } => {
                actor.vpc = None;
                actor.external = Some(*cidr);
                actor.eni_addressed = false;
                actor.public_in = None;
                actor.public_out = None;
            }
            EndpointKind::Ecs | EndpointKind::GatewayNode { .. } => {
                actor.host_node = Some(&endpoint.id);
                if let Some(eni) = endpoint.enis.first() {
                    actor.groups = dedup_groups(&eni.groups);
                    actor.private_ips = eni.private_ips.clone();
                }
            }
            EndpointKind::Pod { cluster, node } => {
                actor.host_node = Some(node);
                let node = topology.endpoints.get(node);
                let mode = topology
                    .clusters
                    .get(cluster)
                    .map(|cluster| cluster.network_mode)
                    .unwrap_or(if endpoint.enis.is_empty() {
                        NetworkMode::TerwayShared
                    } else {
                        NetworkMode::TerwayTrunk
                    });
                actor.network_mode = Some(mode);
                if actor.vpc.is_none() {
                    actor.vpc = node.and_then(|node| node.vpc.as_ref());
                }
                let node_eni = node.and_then(|node| node.enis.first());
                match mode {
                    NetworkMode::Flannel | NetworkMode::TerwayShared => {
                        if let Some(eni) = node_eni {
                            actor.groups = dedup_groups(&eni.groups);
                        }
                        actor.private_ips = endpoint.pod_ip.into_iter().collect();
                        actor.eni_addressed = mode == NetworkMode::TerwayShared;
                        if actor.public_out.is_none() {
                            actor.public_out = node.and_then(|node| node.public_ip);
                        }
                    }
                    NetworkMode::TerwayTrunk => {
                        if let Some(eni) = endpoint.enis.first() {
                            actor.groups = dedup_groups(&eni.groups);
                            actor.private_ips = eni.private_ips.clone();
                        }
                        if actor.private_ips.is_empty() {
                            actor.private_ips = endpoint.pod_ip.into_iter().collect();
                        }
                    }
                }
            }
        }
        actor
    }

    /// The first private address of a family.
    pub fn private_of(&self, family: Family) -> Option<IpAddr> {
        self.private_ips
            .iter()
            .copied()
            .find(|address| family.holds(*address))
    }
}

fn dedup_groups(groups: &[GroupId]) -> Vec<&GroupId> {
    let mut unique: Vec<&GroupId> = Vec::with_capacity(groups.len());
    for group in groups {
        if !unique.contains(&group) {
            unique.push(group);
        }
    }
    unique
}

/// Every endpoint that owns `address`: as a private address of one of its ENIs, its pod IP, its
/// public IP, or as an external host (a `/32` or `/128` block). Sorted by id.
pub(crate) fn endpoints_with_address(topology: &Topology, address: IpAddr) -> Vec<&Endpoint> {
    topology
        .endpoints
        .values()
        .filter(|endpoint| {
            endpoint.public_ip == Some(address)
                || endpoint.pod_ip == Some(address)
                || endpoint
                    .enis
                    .iter()
                    .any(|eni| eni.private_ips.contains(&address))
                || matches!(&endpoint.kind, EndpointKind::External { cidr }
                    if cidr.prefix_len() == cidr.max_prefix_len() && cidr.addr() == address)
        })
        .collect()
}

/// An address family.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl Family {
    /// Whether the address is of this family.
    pub fn holds(self, address: IpAddr) -> bool {
        matches!(
            (self, address),
            (Family::V4, IpAddr::V4(_)) | (Family::V6, IpAddr::V6(_))
        )
    }

    fn holds_net(self, net: IpNet) -> bool {
        self.holds(net.addr())
    }

    /// The families a protocol can use, preferred first: ICMP is IPv4 only, ICMPv6 IPv6 only.
    pub fn for_protocol(protocol: Protocol) -> &'static [Family] {
        match protocol {
            Protocol::Icmp => &[Family::V4],
            Protocol::Icmpv6 => &[Family::V6],
            _ => &[Family::V4, Family::V6],
        }
    }
}

/// Which of its addresses an actor uses in a route; the matrix maps this to precomputed
/// address classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum AddressRole {
    /// The first private address of the family.
    Private(FamilyKey),
    /// The public address others reach it at.
    PublicIn,
    /// The public address it is seen at when it sends.
    PublicOut,
    /// The external block.
    External,
}

/// A hashable family, for [`AddressRole`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum FamilyKey {
    /// IPv4.
    V4,
    /// IPv6.
    V6,
}

impl From<Family> for FamilyKey {
    fn from(family: Family) -> FamilyKey {
        match family {
            Family::V4 => FamilyKey::V4,
            Family::V6 => FamilyKey::V6,
        }
    }
}

/// How a connection travels.
#[derive(Clone, Debug)]
pub(crate) enum Route<'a, 't> {
    /// The traffic never crosses an ENI's filter: an endpoint talking to itself, pods on the
    /// same node, a pod and its node.
    Local {
        /// Why, in words.
        reason: String,
    },
    /// No address lets the source reach the target.
    Unreachable {
        /// Why, in words.
        reason: String,
    },
    /// The packet leaves the source and arrives at the target: the rules decide.
    Routed(Routed<'a, 't>),
}

/// A routed connection: the addresses used and what each side filters.
#[derive(Clone, Debug)]
pub(crate) struct Routed<'a, 't> {
    /// The source address as the target sees it.
    pub from_address: IpNet,
    /// The target address the source sends to.
    pub to_address: IpNet,
    /// Which of its addresses the source uses.
    pub from_role: AddressRole,
    /// Which of its addresses the target uses.
    pub to_role: AddressRole,
    /// The family of the addresses.
    pub family: Family,
    /// Whether both are in the same VPC and talk over private addresses.
    pub same_vpc: bool,
    /// The source's egress, `None` when the source is outside every VPC.
    pub egress: Option<SideView<'a, 't>>,
    /// The target's ingress, `None` when the target is outside every VPC.
    pub ingress: Option<SideView<'a, 't>>,
    /// The shared basic group with InnerAccessPolicy Accept that lets the traffic through
    /// whatever the rules say (reference §3 step 1), the smallest id if several.
    pub intra_group: Option<&'t GroupId>,
    /// Whether a source inside a VPC sends to an address outside it (the TCP 25 block).
    pub leaves_vpc: bool,
}

impl Routed<'_, '_> {
    /// The family of the addresses, as a hashable key.
    pub fn family_key(&self) -> FamilyKey {
        self.family.into()
    }
}

/// What one side's rules are matched against.
#[derive(Clone, Debug)]
pub(crate) struct SideView<'a, 't> {
    /// The groups of the filtering ENI.
    pub groups: &'a [&'t GroupId],
    /// The ENI's own address, which a quintuple rule's local CIDR must contain.
    pub local: Option<IpAddr>,
    /// The peer's address (or block) as this side sees it.
    pub peer: IpNet,
    /// The peer's groups when group-referencing rules can match it: the peer is in the same
    /// VPC and uses a private address of its ENI.
    pub peer_groups: Option<&'a [&'t GroupId]>,
}

/// Works out how `from` reaches `to` with `protocol`.
pub(crate) fn route<'a, 't>(
    topology: &'t Topology,
    from: &'a Actor<'t>,
    to: &'a Actor<'t>,
    protocol: Protocol,
) -> Route<'a, 't> {
    if from.missing {
        return Route::Unreachable {
            reason: format!("endpoint {} does not exist in the topology", from.id),
        };
    }
    if to.missing {
        return Route::Unreachable {
            reason: format!("endpoint {} does not exist in the topology", to.id),
        };
    }
    if from.id == to.id {
        return Route::Local {
            reason: format!("{} talks to itself: the traffic never leaves it", from.name),
        };
    }
    if let Some(reason) = same_node(from, to) {
        return Route::Local { reason };
    }
    route_through_enis(topology, from, to, protocol)
}

/// Works out how `from` reaches `to` when the traffic crosses the ENIs' filters, that is
/// [`route`] without its check for traffic that stays on one node. The matrix uses it to
/// evaluate a pair of endpoint classes through representatives that may share a node.
pub(crate) fn route_through_enis<'a, 't>(
    topology: &'t Topology,
    from: &'a Actor<'t>,
    to: &'a Actor<'t>,
    protocol: Protocol,
) -> Route<'a, 't> {
    let same_vpc = matches!((from.vpc, to.vpc), (Some(a), Some(b)) if a == b);
    let families = Family::for_protocol(protocol);
    let chosen = if same_vpc {
        families.iter().find_map(|&family| {
            let from_address = from.private_of(family)?;
            let to_address = to.private_of(family)?;
            Some((
                family,
                IpNet::from(from_address),
                AddressRole::Private(family.into()),
                IpNet::from(to_address),
                AddressRole::Private(family.into()),
            ))
        })
    } else {
        families.iter().find_map(|&family| {
            let (from_address, from_role) = outside_address(from, family, Direction::Egress)?;
            let (to_address, to_role) = outside_address(to, family, Direction::Ingress)?;
            Some((family, from_address, from_role, to_address, to_role))
        })
    };
    let Some((family, from_address, from_role, to_address, to_role)) = chosen else {
        return Route::Unreachable {
            reason: unreachable_reason(from, to, same_vpc, protocol),
        };
    };
    let intra_group = if same_vpc && from.eni_addressed && to.eni_addressed {
        shared_accept_group(topology, &from.groups, &to.groups)
    } else {
        None
    };
    let egress = from.vpc.map(|_| SideView {
        groups: &from.groups,
        local: from.private_of(family),
        peer: to_address,
        peer_groups: (same_vpc && to.eni_addressed).then_some(to.groups.as_slice()),
    });
    let ingress = to.vpc.map(|_| SideView {
        groups: &to.groups,
        local: to.private_of(family),
        peer: from_address,
        peer_groups: (same_vpc && from.eni_addressed).then_some(from.groups.as_slice()),
    });
    Route::Routed(Routed {
        from_address,
        to_address,
        from_role,
        to_role,
        family,
        same_vpc,
        egress,
        ingress,
        intra_group,
        leaves_vpc: from.vpc.is_some() && !same_vpc,
    })
}

/// The address an actor uses towards (or is reached at from) outside its VPC.
fn outside_address(
    actor: &Actor<'_>,
    family: Family,
    direction: Direction,
) -> Option<(IpNet, AddressRole)> {
    if actor.vpc.is_none() {
        let block = actor.external.filter(|block| family.holds_net(*block))?;
        return Some((block, AddressRole::External));
    }
    let (address, role) = match direction {
        Direction::Egress => (actor.public_out, AddressRole::PublicOut),
        Direction::Ingress => (actor.public_in, AddressRole::PublicIn),
    };
    let address = address.filter(|address| family.holds(*address))?;
    Some((IpNet::from(address), role))
}

fn unreachable_reason(
    from: &Actor<'_>,
    to: &Actor<'_>,
    same_vpc: bool,
    protocol: Protocol,
) -> String {
    let family_hint = match protocol {
        Protocol::Icmp => " (ICMP is IPv4 only)",
        Protocol::Icmpv6 => " (ICMPv6 is IPv6 only)",
        _ => "",
    };
    if same_vpc {
        if from.private_ips.is_empty() {
            return format!("{} has no private address", from.name);
        }
        if to.private_ips.is_empty() {
            return format!("{} has no private address", to.name);
        }
        return format!(
            "{} and {} have no private addresses of one family{family_hint}",
            from.name, to.name
        );
    }
    if to.vpc.is_some() && to.public_in.is_none() {
        return format!(
            "{} has no public IP or EIP: unreachable from outside its VPC",
            to.name
        );
    }
    if from.vpc.is_some() && from.public_out.is_none() {
        return format!(
            "{} has no public IP or EIP: it cannot reach addresses outside its VPC (NAT gateways are not modelled)",
            from.name
        );
    }
    if from.vpc.is_none() && from.external.is_none() {
        return format!("{} has no address", from.name);
    }
    if to.vpc.is_none() && to.external.is_none() {
        return format!("{} has no address", to.name);
    }
    format!(
        "{} and {} have no addresses of one family{family_hint}",
        from.name, to.name
    )
}

/// Whether two actors run on the same node, so that their traffic never crosses an ENI.
pub(crate) fn same_node(from: &Actor<'_>, to: &Actor<'_>) -> Option<String> {
    let (Some(from_node), Some(to_node)) = (from.host_node, to.host_node) else {
        return None;
    };
    if from_node != to_node {
        return None;
    }
    let from_pod = from.network_mode.is_some();
    let to_pod = to.network_mode.is_some();
    if !from_pod && !to_pod {
        return None;
    }
    Some(if from_pod && to_pod {
        format!(
            "{} and {} run on the same node {from_node}: traffic between pods on one node is not filtered by security groups",
            from.name, to.name
        )
    } else {
        format!(
            "{} and {} are a pod and its node {from_node}: the traffic stays inside the node and is not filtered by security groups",
            from.name, to.name
        )
    })
}

/// The smallest id of a basic group with InnerAccessPolicy Accept that both ENIs are in.
pub(crate) fn shared_accept_group<'t>(
    topology: &'t Topology,
    from_groups: &[&'t GroupId],
    to_groups: &[&'t GroupId],
) -> Option<&'t GroupId> {
    from_groups
        .iter()
        .copied()
        .filter(|group| to_groups.contains(group))
        .filter(|group| {
            topology.groups.get(*group).is_some_and(|group| {
                group.group_type == GroupType::Basic
                    && group.inner_access_policy == InnerAccessPolicy::Accept
            })
        })
        .min()
}
