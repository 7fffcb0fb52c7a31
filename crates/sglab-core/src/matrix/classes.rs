//! Endpoint classes: the blocks containing each address, the signature that decides an
//! endpoint's answers, and the part of it that routing reads.

use std::net::IpAddr;

use ipnet::IpNet;

use crate::eval::route::{Actor, AddressRole, FamilyKey, Routed};
use crate::eval::rules;
use crate::model::{
    Direction, EndpointKind, GroupId, GroupType, InnerAccessPolicy, Peer, Protocol, Rule, Topology,
    Verdict, VpcId,
};

use super::builder::Builder;
use super::intern::FastMap;

/// Every rule block the topology mentions, so that an address can be summarized by the blocks
/// that contain it.
#[derive(Clone)]
pub(super) struct NetIndex {
    pub(super) ids: FastMap<IpNet, u32>,
    /// Prefix lengths present, per family.
    pub(super) lengths_v4: Vec<u8>,
    pub(super) lengths_v6: Vec<u8>,
}

impl NetIndex {
    pub(super) fn new(topology: &Topology) -> NetIndex {
        NetIndex::of_all(&[topology])
    }

    /// The blocks of every topology of `topologies`: an index of more blocks than one
    /// topology's rules mention only splits its address classes further, which changes no
    /// answer, so two topologies can share one.
    pub(super) fn of_all(topologies: &[&Topology]) -> NetIndex {
        let mut index = NetIndex::empty();
        for topology in topologies {
            for group in topology.groups.values() {
                for rule in &group.rules {
                    index.add_rule(rule);
                }
            }
            index.add_prefix_lists(topology);
        }
        index.finish();
        index
    }

    /// Adds the blocks a rule mentions, its CIDR peer and then its local CIDR; the id of its
    /// CIDR peer.
    pub(super) fn add_rule(&mut self, rule: &Rule) -> Option<u32> {
        let peer = match rule.peer {
            Peer::Cidr(block) => Some(self.add(block)),
            _ => None,
        };
        if let Some(block) = rule.local_cidr {
            self.add(block);
        }
        peer
    }

    /// Adds the entries of every prefix list of `topology`.
    pub(super) fn add_prefix_lists(&mut self, topology: &Topology) {
        for list in topology.prefix_lists.values() {
            for block in &list.cidrs {
                self.add(*block);
            }
        }
    }

    /// Adds a block (truncated to its network) and gives its id; its prefix length is noted
    /// when the block is new, and sorted by [`NetIndex::finish`].
    pub(super) fn add(&mut self, block: IpNet) -> u32 {
        let block = block.trunc();
        let next = self.ids.len() as u32;
        match self.ids.entry(block) {
            std::collections::hash_map::Entry::Occupied(entry) => *entry.get(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(next);
                match block {
                    IpNet::V4(_) => self.lengths_v4.push(block.prefix_len()),
                    IpNet::V6(_) => self.lengths_v6.push(block.prefix_len()),
                }
                next
            }
        }
    }

    /// Sorts the prefix lengths noted by [`NetIndex::add`], once every block is added.
    pub(super) fn finish(&mut self) {
        crate::sort::sort(&mut self.lengths_v4);
        self.lengths_v4.dedup();
        crate::sort::sort(&mut self.lengths_v6);
        self.lengths_v6.dedup();
    }

    /// An index of no block yet.
    pub(super) fn empty() -> NetIndex {
        NetIndex {
            ids: FastMap::default(),
            lengths_v4: Vec::new(),
            lengths_v6: Vec::new(),
        }
    }

    pub(super) fn id(&self, block: IpNet) -> Option<u32> {
        self.ids.get(&block.trunc()).copied()
    }

    /// The ids of the blocks that contain all of `net`, sorted.
    pub(super) fn containing(&self, net: IpNet) -> Vec<u32> {
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
pub(super) type AddressClass = (FamilyKey, u32);

/// What decides an endpoint's answers.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Signature<'t> {
    pub(super) vpc: Option<&'t VpcId>,
    pub(super) group_set: u32,
    pub(super) eni_addressed: bool,
    pub(super) private_v4: Option<AddressClass>,
    pub(super) private_v6: Option<AddressClass>,
    pub(super) public_in: Option<AddressClass>,
    pub(super) public_out: Option<AddressClass>,
    pub(super) external: Option<AddressClass>,
}

/// A [`Signature`] that does not borrow its topology, so that a build's state can hold the
/// signatures of its classes.
pub(super) type ClassKey = (Option<VpcId>, u32, bool, [Option<AddressClass>; 5]);

impl<'t> Signature<'t> {
    /// The signature as a [`ClassKey`].
    pub(super) fn key(&self) -> ClassKey {
        (
            self.vpc.cloned(),
            self.group_set,
            self.eni_addressed,
            [
                self.private_v4,
                self.private_v6,
                self.public_in,
                self.public_out,
                self.external,
            ],
        )
    }

    pub(super) fn address(&self, role: AddressRole) -> Option<u32> {
        let class = match role {
            AddressRole::Private(FamilyKey::V4) => self.private_v4,
            AddressRole::Private(FamilyKey::V6) => self.private_v6,
            AddressRole::PublicIn => self.public_in,
            AddressRole::PublicOut => self.public_out,
            AddressRole::External => self.external,
        };
        class.map(|(_, id)| id)
    }

    pub(super) fn private(&self, family: FamilyKey) -> Option<u32> {
        self.address(AddressRole::Private(family))
    }

    pub(super) fn routing(&self) -> RoutingSignature<'t> {
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
pub(super) struct RoutingSignature<'t> {
    pub(super) vpc: Option<&'t VpcId>,
    pub(super) eni_addressed: bool,
    pub(super) private_v4: bool,
    pub(super) private_v6: bool,
    pub(super) public_in: Option<FamilyKey>,
    pub(super) public_out: Option<FamilyKey>,
    pub(super) external: Option<FamilyKey>,
}

/// What the matrix keeps of a [`Routed`]: everything but the addresses themselves, which it
/// reads from each class's signature through the roles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct RouteSummary {
    pub(super) family: FamilyKey,
    pub(super) from_role: AddressRole,
    pub(super) to_role: AddressRole,
    pub(super) same_vpc: bool,
    /// `Some(whether group references can match the peer)` when the side filters.
    pub(super) egress: Option<bool>,
    pub(super) ingress: Option<bool>,
    pub(super) leaves_vpc: bool,
}

impl RouteSummary {
    pub(super) fn of(routed: &Routed<'_, '_>) -> RouteSummary {
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
pub(super) fn family_slot(protocol: Protocol) -> usize {
    match protocol {
        Protocol::Icmp => 1,
        Protocol::Icmpv6 => 2,
        _ => 0,
    }
}

impl<'t> Builder<'t> {
    pub(super) fn address_class(&mut self, net: IpNet) -> AddressClass {
        let family = if net.addr().is_ipv4() {
            FamilyKey::V4
        } else {
            FamilyKey::V6
        };
        let containing = self.nets.containing(net);
        (family, self.address_sets.intern(&containing))
    }

    pub(super) fn address_of(&mut self, address: Option<IpAddr>) -> Option<AddressClass> {
        address.map(|address| self.address_class(IpNet::from(address)))
    }

    pub(super) fn group_set(&mut self, groups: &[&GroupId]) -> u32 {
        let mut members: Vec<u32> = groups
            .iter()
            .filter_map(|group| self.group_index.get(group).copied())
            .collect();
        members.sort_unstable();
        members.dedup();
        if let Some(id) = self.group_set_members.id(&members) {
            return id;
        }
        let id = self.group_set_members.intern(&members);
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
        let kind = rules::eni_kind(self.topology, groups);
        self.group_set_defaults.push(
            [Direction::Egress, Direction::Ingress].map(|direction| {
                rules::default_decision(kind, direction).verdict() == Verdict::Allow
            }),
        );
        id
    }

    /// Interns the address classes and the group set of every endpoint of `topology`, which
    /// must have this builder's groups: the group sides this build makes then know them, so
    /// that a later build of `topology` seeded from this one ([`Builder::seed`]) keeps them
    /// instead of making them again. The classes of this build do not change.
    ///
    /// An endpoint that this builder's topology has alike, and that is not a pod (whose
    /// classes read its node's record too), has the classes this build gives it anyway.
    pub(super) fn know_endpoints_of(&mut self, topology: &Topology) {
        let own = self.topology;
        for (id, endpoint) in &topology.endpoints {
            let pod = matches!(endpoint.kind, EndpointKind::Pod { .. });
            if !pod && own.endpoints.get(id) == Some(endpoint) {
                continue;
            }
            let actor = Actor::of_endpoint(topology, endpoint);
            self.group_set(&actor.groups);
            let addresses = [
                actor.private_ips.iter().copied().find(IpAddr::is_ipv4),
                actor.private_ips.iter().copied().find(IpAddr::is_ipv6),
                actor.public_in,
                actor.public_out,
            ];
            for address in addresses {
                self.address_of(address);
            }
            if let Some(net) = actor.external {
                self.address_class(net);
            }
        }
    }

    pub(super) fn signature(&mut self, actor: &Actor<'t>) -> Signature<'t> {
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
}
