//! The shapes of the zoo: endpoints and rules as real accounts have them, beyond the roles.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::IpNet;

use super::{net4, net6, range, Generator, Shape, PORTS};
use crate::model::{
    Cluster, ClusterId, Endpoint, EndpointId, EndpointKind, Eni, GroupId, GroupType, NetworkMode,
    Peer, PortSpec, PrefixList, PrefixListId, Protocol, Rule,
};

/// The most groups one group's rules reference (as in real accounts, where the console lists
/// a handful of peers per group).
const MOST_REFERENCES: usize = 20;

/// What the zoo's shapes remember while they build.
#[derive(Default)]
pub(super) struct Zoo {
    /// Per VPC, the number of /24 vswitches its instances fill.
    subnets: Vec<usize>,
    /// Per group, the groups its rules already reference.
    references: BTreeMap<usize, Vec<GroupId>>,
    /// The prefix lists (prefix-list shape).
    prefix_lists: Vec<PrefixListId>,
    /// Per VPC, the pod CIDR of its cluster, when it has one (Kubernetes shape).
    pod_cidrs: Vec<Option<IpNet>>,
}

/// The IPv6 address of the `host`-th host of a VPC's vswitch.
fn v6_host(vpc: usize, subnet: usize, host: usize) -> Ipv6Addr {
    Ipv6Addr::new(
        0xfd00,
        vpc as u16,
        0,
        subnet as u16,
        0,
        0,
        0,
        host as u16 + 2,
    )
}

fn v6_subnet(vpc: usize, subnet: usize) -> IpNet {
    net6(v6_host(vpc, subnet, 0), 64)
}

impl Generator {
    /// The next private address of a VPC: vswitches (/24) fill one after the other.
    fn next_private(&mut self, vpc: usize, counters: &mut [usize]) -> (usize, IpAddr) {
        let n = counters[vpc];
        counters[vpc] += 1;
        let subnet = (n / 250).min(255);
        let address = IpAddr::V4(Ipv4Addr::new(
            10,
            vpc as u8,
            subnet as u8,
            (n % 250) as u8 + 2,
        ));
        (subnet, address)
    }

    fn external_endpoint(&mut self, index: usize) {
        let id = self.endpoint_id("ext", index);
        let cidr = match self.rng.below(3) {
            0 => net4(203, 0, 113, (index % 256) as u8, 32),
            1 => net4(198, 51, (index % 200) as u8, 0, 24),
            _ => net4(0, 0, 0, 0, 0),
        };
        self.hosts.push(cidr.addr());
        self.topology.endpoints.insert(
            id.clone(),
            Endpoint {
                name: id.0.clone(),
                id,
                kind: EndpointKind::External { cidr },
                vpc: None,
                enis: Vec::new(),
                public_ip: None,
                pod_ip: None,
                services: None,
            },
        );
    }

    /// The endpoints of a zoo shape.
    pub(super) fn zoo_endpoints(&mut self, shape: Shape) {
        let vpcs = self.params.vpcs;
        let per_vpc = self.params.endpoints.div_ceil(vpcs);
        self.zoo.subnets = vec![per_vpc.div_ceil(250).clamp(1, 256); vpcs];
        if shape == Shape::PrefixLists {
            self.prefix_lists();
        }
        if shape == Shape::Kubernetes {
            self.clusters();
        }
        let mut counters = vec![0usize; vpcs];
        // Nodes of each VPC, for pods.
        let mut nodes: Vec<Vec<EndpointId>> = vec![Vec::new(); vpcs];
        for index in 0..self.params.endpoints {
            if self.rng.chance(2) {
                self.external_endpoint(index);
                continue;
            }
            let vpc = self.rng.below(vpcs);
            let roll = self.rng.below(100);
            let pod = shape == Shape::Kubernetes && roll < 65 && !nodes[vpc].is_empty();
            let (subnet, private) = self.next_private(vpc, &mut counters);
            let id = self.endpoint_id(if pod { "pod" } else { "ecs" }, index);
            let mut endpoint = Endpoint {
                name: id.0.clone(),
                id: id.clone(),
                kind: EndpointKind::Ecs,
                vpc: Some(Generator::vpc_id(vpc)),
                enis: Vec::new(),
                public_ip: None,
                pod_ip: None,
                services: None,
            };
            if pod {
                let node = self
                    .rng
                    .pick(&nodes[vpc])
                    .cloned()
                    .unwrap_or_else(|| id.clone());
                let cluster = ClusterId(format!("cluster-{vpc}"));
                endpoint.kind = EndpointKind::Pod { cluster, node };
                match self.zoo.pod_cidrs.get(vpc).copied().flatten() {
                    // Flannel: an address of the pod CIDR, filtered by the node's groups.
                    Some(IpNet::V4(pods)) => {
                        let octets = pods.network().octets();
                        let n = index % 65_000;
                        let address = Ipv4Addr::new(
                            octets[0],
                            octets[1],
                            (n / 250) as u8,
                            (n % 250) as u8 + 2,
                        );
                        endpoint.pod_ip = Some(IpAddr::V4(address));
                        self.hosts.push(IpAddr::V4(address));
                    }
                    // Terway trunk: an ENI of its own, with pod groups.
                    _ => {
                        endpoint.enis.push(Eni {
                            id: None,
                            private_ips: vec![private],
                            groups: self.pick_groups(vpc, 2),
                        });
                        self.hosts.push(private);
                    }
                }
            } else {
                let most = match shape {
                    Shape::HostPeers => 2,
                    _ => 3,
                };
                let mut private_ips = vec![private];
                if shape == Shape::DualStack {
                    let n = counters[vpc] - 1;
                    private_ips.push(IpAddr::V6(v6_host(vpc, subnet, n % 250)));
                }
                self.hosts.extend(private_ips.iter().copied());
                endpoint.enis.push(Eni {
                    id: None,
                    private_ips,
                    groups: self.pick_groups(vpc, most),
                });
                if self.rng.chance(10) {
                    let public = self.public_ip(index);
                    endpoint.public_ip = Some(public);
                    self.hosts.push(public);
                }
                if shape == Shape::Kubernetes && roll < 90 {
                    nodes[vpc].push(id.clone());
                }
            }
            self.topology.endpoints.insert(id, endpoint);
        }
    }

    /// One cluster per VPC: Terway trunk in even VPCs, Flannel (with a pod CIDR) in odd ones.
    fn clusters(&mut self) {
        for vpc in 0..self.params.vpcs {
            let flannel = vpc % 2 == 1;
            let pod_cidr = flannel.then(|| net4(172, 16 + (vpc % 16) as u8, 0, 0, 16));
            let id = ClusterId(format!("cluster-{vpc}"));
            self.topology.clusters.insert(
                id.clone(),
                Cluster {
                    id,
                    name: format!("cluster {vpc}"),
                    vpc: Generator::vpc_id(vpc),
                    pod_cidr,
                    network_mode: if flannel {
                        NetworkMode::Flannel
                    } else {
                        NetworkMode::TerwayTrunk
                    },
                },
            );
            self.zoo.pod_cidrs.push(pod_cidr);
        }
    }

    /// One prefix list per five groups, each of 3 to 30 entries: vswitch /24s, single hosts
    /// (addresses the instances will have), office /24s and VPC /16s.
    fn prefix_lists(&mut self) {
        let count = (self.params.groups / 5).max(1);
        let vpcs = self.params.vpcs;
        let per_vpc = self.params.endpoints.div_ceil(vpcs).max(1);
        for index in 0..count {
            let id = PrefixListId(format!("pl-{index:04}"));
            let entries = 3 + self.rng.below(28);
            let mut cidrs: Vec<IpNet> = Vec::new();
            for _ in 0..entries {
                let vpc = self.rng.below(vpcs) as u8;
                let block = match self.rng.below(10) {
                    0..=3 => net4(10, vpc, self.rng.below(per_vpc.div_ceil(250)) as u8, 0, 24),
                    4..=6 => {
                        let n = self.rng.below(per_vpc);
                        net4(10, vpc, (n / 250) as u8, (n % 250) as u8 + 2, 32)
                    }
                    7..=8 => net4(198, 51, self.rng.below(200) as u8, 0, 24),
                    _ => net4(10, vpc, 0, 0, 16),
                };
                if !cidrs.contains(&block) {
                    cidrs.push(block);
                }
            }
            self.topology.prefix_lists.insert(
                id.clone(),
                PrefixList {
                    id: id.clone(),
                    name: format!("list {index}"),
                    cidrs,
                },
            );
            self.zoo.prefix_lists.push(id);
        }
    }

    /// A group peer within the group's budget of referenced groups.
    fn zoo_group_peer(&mut self, group_index: usize) -> Option<Peer> {
        let known = self
            .zoo
            .references
            .get(&group_index)
            .cloned()
            .unwrap_or_default();
        if known.len() >= MOST_REFERENCES {
            let id = self.rng.pick(&known)?.clone();
            return Some(Peer::Group {
                id,
                owner_account: None,
            });
        }
        let peer = self.group_peer(group_index)?;
        if let Peer::Group { id, .. } = &peer {
            let list = self.zoo.references.entry(group_index).or_default();
            if !list.contains(id) {
                list.push(id.clone());
            }
        }
        Some(peer)
    }

    /// An address block as the shape's rules name them.
    fn zoo_block(&mut self, vpc: usize, shape: Shape) -> IpNet {
        let subnets = self.zoo.subnets.get(vpc).copied().unwrap_or(1);
        let other = (vpc + 1) % self.params.vpcs;
        let six = shape == Shape::DualStack && self.rng.chance(50);
        let roll = self.rng.below(100);
        if six {
            return match roll {
                0..=14 => net6(Ipv6Addr::UNSPECIFIED, 0),
                15..=39 => net6(v6_host(vpc, 0, 0), 48),
                40..=79 => v6_subnet(vpc, self.rng.below(subnets)),
                _ => match self.rng.pick(&self.hosts).copied() {
                    Some(IpAddr::V6(host)) => net6(host, 128),
                    _ => net6(Ipv6Addr::UNSPECIFIED, 0),
                },
            };
        }
        let host_percent = match shape {
            Shape::HostPeers => 60,
            Shape::Kubernetes => 5,
            _ => 0,
        };
        if self.rng.chance(host_percent) {
            if let Some(IpAddr::V4(host)) = self.rng.pick(&self.hosts).copied() {
                return net4(
                    host.octets()[0],
                    host.octets()[1],
                    host.octets()[2],
                    host.octets()[3],
                    32,
                );
            }
        }
        if shape == Shape::Kubernetes && self.rng.chance(25) {
            if let Some(pods) = self.zoo.pod_cidrs.get(vpc).copied().flatten() {
                return pods;
            }
        }
        match roll {
            0..=11 => net4(0, 0, 0, 0, 0),
            12..=29 => net4(10, vpc as u8, 0, 0, 16),
            30..=34 => net4(10, other as u8, 0, 0, 16),
            35..=79 => net4(10, vpc as u8, self.rng.below(subnets) as u8, 0, 24),
            _ => net4(198, 51, self.rng.below(200) as u8, 0, 24),
        }
    }

    /// A rule of a zoo shape.
    pub(super) fn zoo_rule(&mut self, group_index: usize, shape: Shape) -> Rule {
        let vpc = self.groups.get(group_index).map_or(0, |group| group.vpc);
        let basic = self
            .groups
            .get(group_index)
            .is_some_and(|group| group.group_type == GroupType::Basic);
        let mut protocol = match self.rng.below(100) {
            0..=69 => Protocol::Tcp,
            70..=81 => Protocol::Udp,
            82..=89 => Protocol::Icmp,
            _ => Protocol::All,
        };
        let group_percent = match shape {
            Shape::FreeCombos | Shape::Kubernetes => 35,
            Shape::PrefixLists => 15,
            _ => 20,
        };
        let list_percent = if shape == Shape::PrefixLists { 70 } else { 0 };
        let peer = if basic && self.rng.chance(group_percent) {
            self.zoo_group_peer(group_index)
        } else if self.rng.chance(list_percent) {
            self.rng
                .pick(&self.zoo.prefix_lists)
                .cloned()
                .map(Peer::PrefixList)
        } else {
            None
        };
        let peer = match peer {
            Some(peer) => peer,
            None => Peer::Cidr(self.zoo_block(vpc, shape)),
        };
        if let Peer::Cidr(block) = &peer {
            if block.addr().is_ipv6() && protocol == Protocol::Icmp {
                protocol = Protocol::Icmpv6;
            }
        }
        let ports = if protocol.has_ports() {
            PortSpec::Range(if self.rng.chance(65) {
                let (start, end) = PORTS[self.rng.below(PORTS.len())];
                range(start, end)
            } else {
                let start = 1 + self.rng.below(65_000) as u16;
                range(start, start.saturating_add(self.rng.below(100) as u16))
            })
        } else {
            PortSpec::All
        };
        self.plain_rule(protocol, ports, peer)
    }
}
